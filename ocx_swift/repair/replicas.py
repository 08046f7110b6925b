# Copyright (c) 2026 ocx_swift developers
#
# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""One object of a replicated or pinned policy back to its placement.

:func:`repair_row` asks every cluster that may hold a copy (the row's
recorded clusters, then the placement), copies a good one to placement
clusters that lack it, deletes copies elsewhere once the placement is
whole, and records the placement in the row. A *good* copy is one whose
state tag verifies and whose timestamp is the row's; bytes are checked
against the row's MD5 while they are copied (the target also checks them
against the ETag it is sent).
"""

import collections
import hashlib
import random
import time

from swift.common.swob import str_to_wsgi
from swift.common.utils import Timestamp

from ocx_swift.exceptions import ClusterUnavailable
from ocx_swift.mover import backend
from ocx_swift.storage.copies import KIND_COPY, CopyMismatch, check_fresh, \
    verify_answer
from ocx_swift.storage.index import listing_entry, row_etag, \
    strip_index_params
from ocx_swift.storage.state import StateError

#: outcomes of one row
OK, REPAIRED, UNREACHABLE, LOST = 'ok', 'repaired', 'unreachable', 'lost'


class RowRepair(object):
    """What one repair pass needs: clients, ring, keys, the index.

    :param clients: dict cluster name -> ClusterClient
    :param ring: the cluster ring
    :param keys: the exchange's StateKeys
    :param index: the ObjectIndex of the metadata tier
    :param report: the run's Report
    :param dry_run: decide and count, change nothing
    :param audit: the share of rows (0 to 1) whose copies are read back
        whole and their bytes checked (not only their state)
    """

    def __init__(self, clients, ring, keys, index, report, logger,
                 dry_run=False, audit=0.0):
        self.clients = clients
        self.ring = ring
        self.keys = keys
        self.index = index
        self.report = report
        self.logger = logger
        self.dry_run = dry_run
        self.audit = audit
        #: cluster -> Counter of checked, missing, stale, corrupt copies
        self.audited = collections.defaultdict(collections.Counter)

    def placement(self, policy, account, container, name):
        candidates = self.ring.get_candidates(
            str_to_wsgi(account), str_to_wsgi(container), str_to_wsgi(name))
        return [c['name'] for c in policy.choose(candidates)]

    def look(self, client, path, state_path, row, read=False):
        """``'good'``, ``'missing'``, ``'stale'`` (another version, a bad
        tag) or ``'corrupt'`` (``read``: its bytes are not the row's) for
        one cluster.

        :param read: GET and hash the copy (an audit), not just HEAD it
        :raises ClusterUnavailable: when it did not answer
        """
        resp = client.request('GET' if read else 'HEAD', path)
        if resp.status // 100 != 2 or not read:
            resp.close()
        if resp.status == 404:
            return 'missing'
        if resp.status // 100 == 5:
            raise ClusterUnavailable(client.name, '%s answered %d' % (
                'GET' if read else 'HEAD', resp.status))
        if resp.status // 100 != 2:
            return 'stale'
        try:
            check_fresh(verify_answer(self.keys, state_path, KIND_COPY,
                                      resp.header_items()), row)
        except (StateError, CopyMismatch):
            if read:
                resp.close()
            return 'stale'
        if read:
            hasher = hashlib.md5(usedforsecurity=False)
            for chunk in resp.iter_body():
                hasher.update(chunk)
            if resp.truncated:
                raise ClusterUnavailable(client.name, 'GET cut short')
            if row.md5 and hasher.hexdigest() != row.md5:
                return 'corrupt'
        return 'good'

    def repair_row(self, policy, policy_index, account, container, row):
        """Repair one row's copies; returns the outcome."""
        name = row.name
        state_path = (account, container, name)
        path = backend.object_path(account, container, name)
        placement = self.placement(policy, account, container, name)
        recorded = [n for n in (row.at or ()) if n and n in self.clients]
        asked = recorded + [n for n in placement if n not in recorded]
        read = self.audit > 0 and random.random() < self.audit
        try:
            found = {n: self.look(self.clients[n], path, state_path, row,
                                  read) for n in asked}
        except ClusterUnavailable as err:
            self.logger.warning('%s: %s', path, err)
            return UNREACHABLE
        if read:
            for cluster, verdict in found.items():
                counts = self.audited[cluster]
                counts['checked'] += 1
                if verdict != 'good':
                    counts[verdict] += 1
                    self.logger.warning('audit: %s on %s (landlord %s): %s',
                                        path, cluster, self.clients[
                                            cluster].conf.landlord, verdict)
        good = [n for n in asked if found[n] == 'good']
        if not good:
            self.logger.error('%s: no good copy left on %s', path,
                              ', '.join(asked))
            return LOST
        lacking = [n for n in placement if found[n] != 'good']
        extra = [n for n in recorded if n not in placement and
                 found[n] != 'missing']
        if not lacking and not extra and recorded == placement:
            return OK
        if self.dry_run:
            for target in lacking:
                self.report.copied(good[0], target, row.size)
            for cluster in extra:
                self.report.deleted(cluster)
            return REPAIRED
        try:
            for target in lacking:
                if not self.copy(good, target, account, container, path,
                                 row):
                    return LOST
            for cluster in extra:
                backend.check(self.clients[cluster], self.clients[
                    cluster].request('DELETE', path), 'DELETE', path,
                    allowed=(404,)).close()
                self.report.deleted(cluster)
            self.record_placement(policy_index, account, container, row,
                                  placement)
        except (ClusterUnavailable, backend.Refused) as err:
            self.logger.warning('%s: %s', path, err)
            return UNREACHABLE
        return REPAIRED

    def copy(self, sources, target, account, container, path, row):
        """Copy a good copy to ``target``, trying each source in turn
        (bytes checked on the way); False when none had the right bytes.

        :raises ClusterUnavailable: when the target did not answer
        """
        client = self.clients[target]
        for name in sources:
            source = self.clients[name]
            for attempt in range(2):
                resp = backend.check(source, source.request('GET', path),
                                     'GET', path)
                headers = backend.object_put_headers(
                    backend.headers_dict(resp))
                headers['etag'] = row.md5 or headers['etag']
                try:
                    answer = client.request(
                        'PUT', path, headers=headers,
                        body=_Hashing(resp.iter_body(), row.md5))
                except CopyMismatch as err:
                    resp.close()
                    self.logger.error('%s: the copy on %s is corrupt: %s',
                                      path, name, err)
                    break
                answer.close()
                if answer.status == 404 and attempt == 0:
                    # the landlord lacks the container: create it, again
                    backend.put_container(client, backend.container_path(
                        account, container), {})
                    self.report.created_container(target)
                    continue
                backend.check(client, answer, 'PUT', path)
                self.report.copied(name, target, row.size)
                return True
        return False

    def record_placement(self, policy_index, account, container, row,
                         placement):
        """Make the row record the placement. Its timestamp stays the
        copies' (what reads check); an offset orders it after the row it
        replaces, and before any later write."""
        if row.at == placement:
            return
        update = {'x-timestamp': later_row_timestamp(row).internal,
                  'x-size': str(row.size),
                  'x-content-type': row.content_type,
                  'x-etag': row_etag(row.md5, strip_index_params(row.etag),
                                     at=placement)}
        listing_entry(row.name, update)  # the same checks as a write
        self.index.record_put(str_to_wsgi(account), str_to_wsgi(container),
                              str_to_wsgi(row.name), update, policy_index)


def later_row_timestamp(row):
    """A timestamp that orders a rewrite of ``row`` after it and before
    any later write, and lists (``last_modified``) as the row's own: the
    row's timestamp with an offset (the offset grows with time, so a
    second rewrite wins over the first)."""
    return Timestamp(row.timestamp, offset=int(time.time()))


class _Hashing(object):
    """A body whose bytes must hash to ``md5``: the iteration fails at
    the end otherwise (the target's PUT then fails its ETag check)."""

    def __init__(self, chunks, md5):
        self.chunks = chunks
        self.md5 = md5

    def __iter__(self):
        hasher = hashlib.md5(usedforsecurity=False)
        for chunk in self.chunks:
            hasher.update(chunk)
            yield chunk
        if self.md5 and hasher.hexdigest() != self.md5:
            raise CopyMismatch('source bytes hash to %s, the index holds %s'
                               % (hasher.hexdigest(), self.md5))
