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

"""A mover run: every object of the given accounts, where it belongs.

Two passes over each account:

1. **containers**: list the account's containers on every configured
   cluster; read each container's policy and metadata from a cluster that
   has it and create it, with that metadata (the exchange's policy stamp
   included), on every cluster of the ring that lacks it (or every
   configured one, for a cluster about to join the ring), so objects the
   ring places there can be written (by clients and by the mover);
2. **objects**: walk each container's objects on every cluster that has
   it, merged by name (paged listings), and move each object whose pieces
   are not where its placement says (:mod:`ocx_swift.mover.engine`),
   several at once, at most ``max_rate`` copies per second.

Names are native strings here; they become WSGI strings for the ring and
for paths only.
"""

import collections
import heapq
import itertools
import logging
import os
import time

from swift.common.concurrency import GreenPool, sleep
from swift.common.swob import str_to_wsgi, wsgi_quote

from ocx_swift.client import ClusterClient, ClusterErrorLimiter, Timeouts
from ocx_swift.exceptions import ClusterUnavailable, IndexUnavailable, \
    OcxError, PlacementError, PolicyUnverifiable
from ocx_swift.storage.shares import SPLIT_SYSMETA
from ocx_swift.mover import backend, engine, plan
from ocx_swift.mover.journal import Journal, ring_identity
from ocx_swift.mover.report import NAMED, UNFINISHED, Report
from ocx_swift.ring.ring import file_signature
from ocx_swift.storage.tier import MetadataTier
from ocx_swift.sysmeta import decode_headers

TIMEOUTS = Timeouts(conn=5.0, node=60.0, listing=60.0)
ERROR_INTERVAL, ERROR_LIMIT = 30, 20
#: pauses before trying an object again after a cluster failed
RETRY_DELAYS = (1.0, 3.0)

ContainerInfo = collections.namedtuple(
    'ContainerInfo', 'account name holders policy headers')
ContainerInfo.__doc__ = """A container as the first pass found it: the
clusters holding it, its policy, and the headers a new copy gets."""


class RingChanged(OcxError):
    """The ring file changed during the run."""


def make_clients(cluster_conf, concurrency, logger):
    """A :class:`ClusterClient` for every configured cluster."""
    limiter = ClusterErrorLimiter(ERROR_INTERVAL, ERROR_LIMIT)
    return {c.name: ClusterClient(c, TIMEOUTS, limiter,
                                  pool_size=max(2, 2 * concurrency),
                                  logger=logger, user_agent='ocx-mover')
            for c in cluster_conf}


class Mover(object):
    """Moves the objects of some accounts to their placement.

    :param settings: :class:`~ocx_swift.mover.settings.Settings`
    :param accounts: account names
    :param state_dir: where the journal lives
    :param dry_run: only report what would be done
    :param max_rate: copies per second (0: no limit)
    :param concurrency: objects moved at once
    :param fresh: ignore the journal of earlier runs
    :param progress: a tqdm-like bar (``update(n)``: one per object
        examined), or None
    :param clients: dict name -> ClusterClient (made from the settings if
        None)
    :param retry_delays: pauses before each retry of an object a cluster
        failed (default :data:`RETRY_DELAYS`)
    """

    def __init__(self, settings, accounts, state_dir, dry_run=False,
                 max_rate=0, concurrency=4, fresh=False, progress=None,
                 logger=None, clients=None, retry_delays=None, tier=None):
        self.settings = settings
        self.ring = settings.ring
        self.accounts = list(accounts)
        self.dry_run = dry_run
        self.concurrency = max(1, concurrency)
        self.logger = logger or logging.getLogger('ocx-mover')
        self.clients = clients or make_clients(settings.clusters,
                                               self.concurrency, self.logger)
        self.report = Report()
        self.retry_delays = RETRY_DELAYS if retry_delays is None \
            else retry_delays
        self.limiter = engine.RateLimiter(max_rate, sleep)
        self.progress = progress
        self.ring_signature = file_signature(settings.ring_path)
        self.identity = ring_identity(settings.ring_path,
                                      self.ring.generation)
        # a dry run looks at everything, and writes nothing
        self.journal = Journal(state_dir, self.identity,
                               fresh=fresh or dry_run, write=not dry_run)
        self.earlier = Report(self.journal.totals)
        self.known = set()  # (account, container, cluster) that exist
        self.infos = {}  # (account, container) -> ContainerInfo
        self.container_targets = []
        self.landlord_of = {c.name: c.landlord for c in settings.clusters}
        self._tier = tier
        #: objects the metadata tier counts in the containers left to
        #: walk (the progress bar's total)
        self.expected = 0

    @property
    def tier(self):
        """The exchange's metadata tier (containers' policies)."""
        if self._tier is None:
            self._tier = MetadataTier(self.settings.swift_dir,
                                      self.settings.policies, self.logger)
        return self._tier

    # -- the run --------------------------------------------------------

    def run(self):
        """Both passes over every account.

        :returns: the list of :class:`ContainerInfo` the first pass found
        """
        found = self.prepare()
        self.move(found)
        return found

    def prepare(self, everywhere=False):
        """The first pass: find the accounts' containers and create them
        where missing: on every cluster of the ring, or with
        ``everywhere`` on every configured cluster (a new cluster gets its
        containers before a ring names it, so clients can write there as
        soon as proxies load that ring).

        :returns: the list of :class:`ContainerInfo`
        """
        self.container_targets = sorted(self.clients) if everywhere else \
            [c['name'] for c in self.ring.clusters]
        found = []
        for account in self.accounts:
            found += self.prepare_account(account)
        return found

    def move(self, found):
        """The second pass, over the containers :meth:`prepare` found."""
        for info in found:
            self.check_ring()
            self.move_container(info)

    def close(self):
        self.journal.close()

    def check_ring(self):
        """Stop when the ring file changed: placements would be stale."""
        try:
            signature = file_signature(self.settings.ring_path)
        except OSError as err:
            raise RingChanged('ring %s: %s' % (self.settings.ring_path, err))
        if signature != self.ring_signature:
            raise RingChanged('ring %s changed during the run; run ocx-mover '
                              'again' % self.settings.ring_path)

    def totals(self):
        """Counters of this run and the earlier ones of this ring."""
        return self.earlier.merged(self.report)

    # -- pass 1: containers ----------------------------------------------

    def prepare_account(self, account):
        """Find the account's containers; create missing copies.

        :returns: list of :class:`ContainerInfo`, by name
        """
        holders = collections.defaultdict(list)
        for name, client in sorted(self.clients.items()):
            try:
                for container in backend.container_names(client, account):
                    holders[container].append(name)
            except (ClusterUnavailable, backend.Refused) as err:
                self.report.error('listing containers of %s: %s'
                                  % (account, err))
        found = []
        for container in sorted(holders):
            info = self.container_info(account, container, holders[container])
            if info is not None:
                found.append(info)
        return found

    def container_info(self, account, container, holders):
        """Read a container's policy and metadata; create missing copies.

        :returns: a :class:`ContainerInfo`, or None (reported) when it
            cannot be read or its policy is unknown
        """
        path = backend.container_path(account, container)
        headers = None
        for name in holders:
            try:
                headers = backend.head(self.clients[name], path)
            except (ClusterUnavailable, backend.Refused) as err:
                self.report.error('HEAD %s: %s' % (wsgi_quote(path), err))
                continue
            if headers is not None:
                break
        if headers is None:
            return None
        try:
            if self.tier.container_headers(account, container) is None:
                # deleted through the exchange (a landlord kept copies its
                # bare container still holds), or never the exchange's
                self.report.left(wsgi_quote(path), 'container not in the '
                                 'metadata tier', 'left alone')
                return None
            policy = self.tier.container_policy(account, container)
        except (PolicyUnverifiable, IndexUnavailable) as err:
            self.report.error('container %s: policy unknown, left alone: '
                              '%s' % (wsgi_quote(path), err))
            return None
        info = ContainerInfo(account, container, list(holders), policy,
                             backend.container_metadata(headers))
        self.infos[(account, container)] = info
        self.report.containers += 1
        self.known.update((account, container, h) for h in holders)
        if not self.journal.is_done(account, container):
            self.expected += self.object_count(account, container)
            for cluster in self.container_targets:
                try:
                    self.ensure_container(account, container, cluster)
                except (ClusterUnavailable, backend.Refused) as err:
                    self.report.error('creating container %s: %s' % (
                        wsgi_quote(path), err))
        return info

    def object_count(self, account, container):
        """The container's object count in the metadata tier (0 when it
        does not answer: only the progress bar's total is off)."""
        try:
            headers = self.tier.container_headers(account, container)
        except IndexUnavailable:
            return 0
        try:
            return int((headers or {}).get('X-Container-Object-Count', 0))
        except ValueError:
            return 0

    def ensure_container(self, account, container, cluster):
        """Create the container on ``cluster`` unless it is known there
        (with the metadata the first pass read)."""
        key = (account, container, cluster)
        if key in self.known:
            return
        info = self.infos[(account, container)]
        if self.dry_run:
            self.report.created_container(cluster)
            self.known.add(key)
            return
        client = self.clients[cluster]
        path = backend.container_path(account, container)
        if backend.head(client, path) is None:
            backend.put_container(client, path, info.headers)
            self.report.created_container(cluster)
        self.known.add(key)

    # -- pass 2: objects -------------------------------------------------

    def move_container(self, info):
        """Move every object of one container; journal the progress."""
        account, container = info.account, info.name
        if self.journal.is_done(account, container):
            self.report.containers_skipped += 1
            return
        window = ProgressWindow(self.journal.marker(account, container))
        pool = GreenPool(self.concurrency)
        complete = True
        try:
            for name, entries in self.walk(info, window.marker):
                slot = window.add(name)
                pool.spawn_n(self._one, info, name, entries, slot, window)
        except (ClusterUnavailable, backend.Refused) as err:
            self.report.error('listing %s: %s' % (wsgi_quote(
                backend.container_path(account, container)), err))
            complete = False
        pool.waitall()
        self.journal.advance(account, container, window.marker,
                             self.totals().to_dict(),
                             done=complete and not window.held)

    def walk(self, info, marker):
        """Yield ``(name, {cluster: listing entry})`` of every object of
        the container on the clusters holding it, by name, after
        ``marker``."""
        streams = [self._tagged(cluster, info, marker)
                   for cluster in info.holders]
        merged = heapq.merge(*streams, key=lambda item: item[0])
        for name, group in itertools.groupby(merged, key=lambda i: i[0]):
            yield name, {cluster: entry for _n, cluster, entry in group}

    def _tagged(self, cluster, info, marker):
        for entry in backend.object_entries(self.clients[cluster],
                                            info.account, info.name, marker):
            yield entry['name'], cluster, entry

    def _one(self, info, name, entries, slot, window):
        try:
            outcome = self.move_object(info, name, entries)
        except Exception as err:  # noqa: one object never stops the run
            self.logger.exception('moving %s failed', name)
            self.report.error('%s: unexpected %s: %s' % (
                wsgi_quote(backend.object_path(info.account, info.name,
                                               name)),
                type(err).__name__, err))
            outcome = 'error'
        self.report.outcome(outcome)
        if self.progress is not None:
            self.progress.update(1)
        if window.finish(slot, outcome not in UNFINISHED) and \
                not self.dry_run:
            self.journal.advance(info.account, info.name, window.marker,
                                 self.totals().to_dict())

    def placement(self, info, name):
        """The cluster names an object belongs on."""
        candidates = self.ring.get_candidates(
            str_to_wsgi(info.account), str_to_wsgi(info.name),
            str_to_wsgi(name))
        return [c['name'] for c in info.policy.choose(candidates)]

    def move_object(self, info, name, entries):
        """Move one object; return its outcome."""
        path = wsgi_quote(backend.object_path(info.account, info.name, name))
        policy = info.policy
        try:
            placement = self.placement(info, name)
        except PlacementError as err:
            self.report.error('%s: %s' % (path, err))
            return 'error'
        try:
            if policy.is_split:
                if set(entries) == set(placement):
                    return 'in_place'  # one share on each, as PUT left it
                pieces = self.share_pieces(info, name, entries)
            else:
                pieces = copy_pieces(entries)
            if plan.in_place(placement, pieces, policy.is_split):
                return 'in_place'
            return self.retrying(engine.ObjectMove(
                self, info.account, info.name, name, placement, pieces,
                policy.read_quorum, policy.is_split).run)
        except engine.Stop as stop:
            if stop.reason:
                self.logger.warning('%s: %s: %s', path, stop.outcome,
                                    stop.reason)
            if stop.outcome in NAMED:
                self.report.left(path, stop.outcome, stop.reason)
            return stop.outcome
        except OcxError as err:
            self.report.error('%s: %s' % (path, err))
            return 'error'

    def retrying(self, work):
        """``work()``, again after a pause when a cluster failed (a busy
        landlord answers 503 now and then), unless it is error-limited.
        A move goes on from the step that failed: each step is decided on
        what the earlier ones did."""
        for delay in self.retry_delays:
            try:
                return work()
            except ClusterUnavailable as err:
                client = self.clients.get(err.cluster)
                if client is not None and client.is_error_limited():
                    raise
                self.logger.info('%s; trying again in %gs', err, delay)
                sleep(delay)
        return work()

    def share_pieces(self, info, name, entries):
        """HEAD each share for its index and version."""
        path = backend.object_path(info.account, info.name, name)
        pieces = {}
        for cluster in sorted(entries):
            headers = backend.head(self.clients[cluster], path)
            if headers is None:
                continue
            value = dict((k.lower(), v) for k, v in decode_headers(
                headers.items(), 'object')).get(SPLIT_SYSMETA.lower())
            pieces[cluster] = engine.share_piece(headers, value)
        return pieces


def copy_pieces(entries):
    """The pieces of a replicated object, from its listing entries."""
    return {cluster: plan.Piece(entry['hash'], 0, backend.entry_time(entry),
                                entry['hash'], entry.get('bytes', 0), True)
            for cluster, entry in entries.items()}


class ProgressWindow(object):
    """Which names are finished, in listing order, while several are
    moved at once: the marker is the last name before the first one
    still under way, or the first one left unfinished (a later run starts
    again there).

    :param marker: the name to start after
    """

    def __init__(self, marker):
        self.marker = marker
        self.held = False  # some name was left unfinished
        self._slots = collections.OrderedDict()
        self._ids = itertools.count()

    def add(self, name):
        slot = next(self._ids)
        self._slots[slot] = [name, None]
        return slot

    def finish(self, slot, finished=True):
        """Mark a name done (``finished``: nothing left to do for it);
        True when the marker moved on."""
        self._slots[slot][1] = finished
        self.held = self.held or not finished
        moved = False
        while self._slots:
            first = next(iter(self._slots))
            name, state = self._slots[first]
            if not state:  # under way, or left unfinished
                break
            del self._slots[first]
            self.marker = name
            moved = True
        return moved


def wait_for_reload(ring_path, interval, say, now=time.time, pause=sleep):
    """Wait until every proxy has had ``interval`` seconds (and one more)
    to load the ring file: before that, a proxy on the old ring may not
    find an object the mover already moved.

    :returns: the seconds waited
    """
    ready_at = os.stat(ring_path).st_mtime + interval + 1
    delay = ready_at - now()
    if delay <= 0:
        return 0.0
    say('waiting %.0fs for the proxies to load the ring (written %.0fs '
        'ago, ring_check_interval %gs)' % (delay, interval + 1 - delay,
                                           interval))
    pause(delay)
    return delay
