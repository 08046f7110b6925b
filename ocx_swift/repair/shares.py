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

"""One object of a split policy back to its n shares.

:func:`ShareRepair.repair_row` asks every cluster that may hold a share
(the row's recorded clusters, the placement) and keeps the shares of the
row's version whose share header and state tag verify. When some share
indexes are missing and k shares are there (``aont-rs``), each missing
share is rebuilt segment by segment from k others (the same fragments
and tags the PUT made, :meth:`~ocx_swift.split.codec.SplitCodec.
rebuild_records`) and written, with its own share header and state tag,
to a cluster of a landlord that holds no share of the object: the
placement's first, then the ring's handoffs. The row then records where
every share is. ``xor`` shares cannot be rebuilt (every share is needed
to rebuild anything): such objects are reported.
"""

from swift.common.swob import str_to_wsgi

from ocx_swift.exceptions import ClusterUnavailable, OcxError
from ocx_swift.mover import backend
from ocx_swift.repair.replicas import LOST, OK, REPAIRED, UNREACHABLE, \
    later_row_timestamp
from ocx_swift.split.codec import SplitCodec
from ocx_swift.split.keys import derive_object_keys, opaque_name
from ocx_swift.storage.copies import KIND_SHARE, CopyMismatch, check_fresh, \
    sign_headers, verify_answer
from ocx_swift.storage.index import row_etag, strip_index_params
from ocx_swift.storage.shares import SPLIT_SYSMETA, ShareHeader
from ocx_swift.storage.state import STATE_HEADER, StateError
from ocx_swift.sysmeta import decode_headers, encode_headers

#: an xor object with a share missing (it cannot be rebuilt)
UNREBUILDABLE = 'unrebuildable'
#: the landlord-side name of the share header
STORED_SPLIT = next(iter(encode_headers({SPLIT_SYSMETA: 'x'}, 'object')))


class ShareRepair(object):
    """What a share repair pass needs.

    :param clients: dict cluster name -> ClusterClient
    :param ring: the cluster ring
    :param state_keys: the exchange's StateKeys
    :param split_secrets: secret id -> root secret bytes
    :param active_secret_id: the id new objects are written with
    :param index: the ObjectIndex of the metadata tier
    :param report: the run's Report
    :param dry_run: decide and count, change nothing
    """

    def __init__(self, clients, ring, state_keys, split_secrets,
                 active_secret_id, index, report, logger, dry_run=False):
        self.clients = clients
        self.ring = ring
        self.state_keys = state_keys
        self.split_secrets = split_secrets
        self.active_secret_id = active_secret_id
        self.index = index
        self.report = report
        self.logger = logger
        self.dry_run = dry_run

    def stored_names(self, policy, account, container, name):
        """The names the object's shares may be stored under (hidden
        names: one per configured secret, the active one first)."""
        if not policy.hide_names:
            return [name]
        ids = [self.active_secret_id] + sorted(
            i for i in self.split_secrets if i != self.active_secret_id)
        return [opaque_name(self.split_secrets[i], account, container, name)
                for i in ids]

    def candidates(self, account, container, stored):
        return self.ring.get_candidates(*[str_to_wsgi(n) for n in (
            account, container, stored)])

    def find(self, policy, account, container, row, stored, asked):
        """``{share index: (cluster, ShareHeader, raw headers)}`` of the
        row's version on the ``asked`` clusters.

        :raises ClusterUnavailable: when one did not answer
        """
        path = backend.object_path(account, container, stored)
        state_path = (account, container, row.name)
        found = {}
        for name in asked:
            client = self.clients[name]
            resp = client.request('HEAD', path)
            resp.close()
            if resp.status // 100 == 5:
                raise ClusterUnavailable(name, 'HEAD answered %d'
                                         % resp.status)
            if resp.status // 100 != 2:
                continue
            items = resp.header_items()
            value = dict((k.lower(), v) for k, v in decode_headers(
                items, 'object')).get(SPLIT_SYSMETA.lower())
            try:
                header = ShareHeader.parse(value)
                keys = self.keys(account, container, row.name, header)
                if not header.verify(keys.mac_key) or \
                        (header.n, header.k) != (policy.n, policy.k):
                    continue
                check_fresh(verify_answer(self.state_keys, state_path,
                                          KIND_SHARE, items), row)
            except (ValueError, KeyError, StateError, CopyMismatch):
                continue
            found.setdefault(header.index, (name, header, items))
        return found

    def keys(self, account, container, name, header):
        return derive_object_keys(self.split_secrets[header.secret_id],
                                  account, container, name,
                                  header.object_id)

    def repair_row(self, policy, policy_index, account, container, row):
        """Repair one row's shares; returns the outcome."""
        recorded = [n for n in (row.at or ()) if n and n in self.clients]
        for stored in self.stored_names(policy, account, container,
                                        row.name):
            candidates = self.candidates(account, container, stored)
            placement = [c['name'] for c in policy.choose(candidates)]
            asked = recorded + [n for n in placement if n not in recorded]
            try:
                found = self.find(policy, account, container, row, stored,
                                  asked)
            except ClusterUnavailable as err:
                self.logger.warning('/%s/%s/%s: %s', account, container,
                                    stored, err)
                return UNREACHABLE
            if found:
                return self._repair(policy, policy_index, account,
                                    container, row, stored, candidates,
                                    found)
        self.logger.error('/%s/%s/%s: no share of the index\'s version',
                          account, container, row.name)
        return LOST

    def _repair(self, policy, policy_index, account, container, row,
                stored, candidates, found):
        missing = [i for i in range(policy.n) if i not in found]
        at = [found[i][0] if i in found else None for i in range(policy.n)]
        if not missing:
            self.record(policy_index, account, container, row, at)
            return OK
        if len(found) < policy.k:
            self.logger.error('/%s/%s/%s: %d of %d shares left, %d needed',
                              account, container, row.name, len(found),
                              policy.n, policy.k)
            return LOST
        if policy.scheme != 'aont-rs':
            return UNREBUILDABLE
        landlords = {self.clients[c].conf.landlord for c, _h, _i in
                     found.values()}
        targets = iter(policy.handoffs(candidates, set(landlords)))
        for share in missing:
            target = next(targets, None)
            if target is None:
                self.logger.warning('/%s/%s/%s: no landlord left for '
                                    'share %d', account, container,
                                    row.name, share)
                return UNREACHABLE
            if self.dry_run:
                self.report.copied('(%d shares)' % policy.k, target['name'],
                                   0)
                continue
            try:
                self.rebuild(account, container, row, stored, found, share,
                             target['name'])
            except (ClusterUnavailable, backend.Refused, OcxError) as err:
                self.logger.warning('/%s/%s/%s: share %d to %s: %s',
                                    account, container, row.name, share,
                                    target['name'], err)
                return UNREACHABLE
            at[share] = target['name']
        if not self.dry_run:
            self.record(policy_index, account, container, row, at)
        return REPAIRED

    def rebuild(self, account, container, row, stored, found, share,
                target):
        """Rebuild share ``share`` from k others and store it."""
        path = backend.object_path(account, container, stored)
        sources = sorted(found.items())[:len(found)]
        _cluster, header, items = sources[0][1]
        scheme, _sep, ec_type = header.scheme.partition(':')
        codec = SplitCodec(scheme, header.n, header.k, header.segment_size,
                           ec_type=ec_type or None)
        keys = self.keys(account, container, row.name, header)
        chosen = sources[:codec.k]
        bodies = {}
        for index, (cluster, _h, _i) in chosen:
            client = self.clients[cluster]
            resp = backend.check(client, client.request('GET', path),
                                 'GET', path)
            bodies[index] = _Records(resp.iter_body())
        headers = self.share_headers(account, container, row, items,
                                     header.for_index(share, keys.mac_key))
        headers['Content-Length'] = str(codec.share_size(header.size))

        def records():
            for segment in range(codec.segment_count(header.size)):
                plain_len = codec.segment_length(header.size, segment)
                size = codec.record_size(plain_len)
                given = {i: body.take(size) for i, body in bodies.items()}
                yield codec.rebuild_records(keys, header.object_id, segment,
                                            plain_len, given, [share])[share]

        client = self.clients[target]
        answer = client.request('PUT', path, headers=headers, body=records())
        answer.close()
        if answer.status == 404:
            backend.put_container(client, backend.container_path(
                account, container), {})
            self.report.created_container(target)
            for body in bodies.values():
                body.close()
            return self.rebuild(account, container, row, stored, found,
                                share, target)
        backend.check(client, answer, 'PUT', path)
        self.report.copied('(%d shares)' % codec.k, target,
                           codec.share_size(header.size))

    def share_headers(self, account, container, row, items, header):
        """The landlord headers of a rebuilt share: those the others were
        stored with, its own share header, its own state tag."""
        out = {}
        for name, value in items:
            lower = name.lower()
            if lower == 'content-type' or (
                    lower.startswith('x-object-meta-') and
                    lower != STATE_HEADER.lower()):
                out[name] = value
        for name in [k for k in out if k.lower() == STORED_SPLIT.lower()]:
            del out[name]
        out[STORED_SPLIT] = header.to_value()
        return sign_headers(self.state_keys, (account, container, row.name),
                            KIND_SHARE, row.timestamp, out)

    def record(self, policy_index, account, container, row, at):
        """Make the row record where the shares are (see
        :meth:`~ocx_swift.repair.replicas.RowRepair.record_placement`)."""
        if row.at == at or self.dry_run:
            return
        update = {'x-timestamp': later_row_timestamp(row).internal,
                  'x-size': str(row.size),
                  'x-content-type': row.content_type,
                  'x-etag': row_etag(row.md5, strip_index_params(row.etag),
                                     at=at)}
        self.index.record_put(str_to_wsgi(account), str_to_wsgi(container),
                              str_to_wsgi(row.name), update, policy_index)


class _Records(object):
    """A share body read in exact record-sized pieces."""

    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.buf = bytearray()

    def take(self, size):
        while len(self.buf) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                raise ClusterUnavailable('?', 'share body cut short')
            self.buf += chunk
        out = bytes(self.buf[:size])
        del self.buf[:size]
        return out

    def close(self):
        close = getattr(self.chunks, 'close', None)
        if close:
            close()
