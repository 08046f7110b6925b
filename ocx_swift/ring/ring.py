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

"""Read-only cluster ring: which clusters hold a name.

A partition is the top ``part_power`` bits of
``xxh3_64(salt + b'/account[/container[/object]]')``, where the salt comes
from the ring file and the path is the real UTF-8 bytes of the names. The
partition tables then give the primary clusters, one per replica. Handoff
clusters are derived per partition from the ring alone, so every proxy
computes the same order.

The ring file is built by :class:`~ocx_swift.ring.builder.ClusterRingBuilder`
(see :mod:`ocx_swift.ring.io` for the format). A running proxy re-checks the
file at most every ``reload_time`` seconds and swaps in a new ring only if it
loads and validates; a bad file is logged and the old ring kept.
"""

import logging
import math
import os
import time
from collections import Counter

import xxhash
from swift.common.swob import wsgi_to_bytes

from ocx_swift.exceptions import RingLoadError
from ocx_swift.ring import io as ring_io

DEFAULT_RELOAD_TIME = 15


def name_path_bytes(account, container=None, obj=None):
    """Build the byte path that is hashed for a name.

    :param account: the (WSGI string) account name
    :param container: the (WSGI string) container name, or None
    :param obj: the (WSGI string) object name, or None
    :returns: ``b'/account[/container[/object]]'`` as UTF-8 bytes
    :raises ValueError: if ``obj`` is given without ``container``
    """
    if obj is not None and container is None:
        raise ValueError('an object name needs a container name')
    path = b'/' + wsgi_to_bytes(account)
    if container is not None:
        path += b'/' + wsgi_to_bytes(container)
        if obj is not None:
            path += b'/' + wsgi_to_bytes(obj)
    return path


def file_signature(path):
    """Return what tells us a file was replaced, or raise OSError."""
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def ring_clusters(ring_data):
    """Every cluster a ring places objects on, now or in its previous
    placement (readers and the mover look there during a move).

    :param ring_data: ring data dict from :func:`ocx_swift.ring.io.read_ring`
    :returns: list of cluster dicts, one per name, sorted by name
    """
    found = {}
    tables = [ring_data['clusters']]
    if ring_data.get('previous'):
        tables.append(ring_data['previous']['clusters'])
    for table in tables:
        for cluster in table:
            if cluster is not None:
                found.setdefault(cluster['name'], cluster)
    return [found[name] for name in sorted(found)]


class _RingState(object):
    """One loaded, validated ring; never mutated once built.

    :param ring_data: ring data dict from :func:`ocx_swift.ring.io.read_ring`
    :param signature: the file signature the data was read with
    """

    def __init__(self, ring_data, signature):
        self.data = ring_data
        self.signature = signature
        self.part_power = ring_data['part_power']
        self.replicas = ring_data['replicas']
        self.generation = ring_data['generation']
        self.salt = bytes.fromhex(ring_data['salt'])
        self.part_shift = 64 - self.part_power
        self.table = ring_data['clusters']
        self.assignment = ring_data['replica2part2cluster']
        self.previous = ring_data['previous']
        self.live = [c for c in self.table if c is not None]
        self.landlords = sorted(set(c['landlord'] for c in self.live))
        self._previous_state = None

    def previous_state(self):
        """The previous generation's placement as a ring state of its
        own (same salt and partitions), or None."""
        if self.previous is None:
            return None
        if self._previous_state is None:
            data = dict(self.data, previous=None,
                        generation=self.previous['generation'],
                        clusters=self.previous['clusters'],
                        replica2part2cluster=self.previous[
                            'replica2part2cluster'])
            self._previous_state = _RingState(data, self.signature)
        return self._previous_state

    def candidates(self, part):
        """Primaries, then handoffs, of a partition."""
        return self.primaries(part) + [
            dict(c, handoff_index=i)
            for i, c in enumerate(self.handoffs(part))]

    def part_for(self, path_bytes):
        digest = xxhash.xxh3_64_intdigest(self.salt + path_bytes)
        return digest >> self.part_shift

    def primaries(self, part, table=None, assignment=None):
        table = self.table if table is None else table
        assignment = self.assignment if assignment is None else assignment
        return [dict(table[p2c[part]], index=index)
                for index, p2c in enumerate(assignment)]

    def handoff_score(self, part, cluster):
        """Weighted rendezvous score of a cluster for a partition."""
        key = b'%s/%d/%d' % (self.salt, part, cluster['id'])
        unit = (xxhash.xxh3_64_intdigest(key) + 1) / (2.0 ** 64 + 2)
        return -cluster['weight'] / math.log(unit)

    def handoffs(self, part):
        """Order the non-primary, weighted clusters for a partition.

        A cluster's layer is how many clusters of its landlord come before
        it (primaries included); lower layers go first, so unused landlords
        are tried before a second cluster of a used one. Within a layer the
        weighted rendezvous score decides.
        """
        primaries = self.primaries(part)
        used = set(c['id'] for c in primaries)
        seen = Counter(c['landlord'] for c in primaries)
        ranked = sorted(
            (c for c in self.live if c['id'] not in used and c['weight'] > 0),
            key=lambda c: (-self.handoff_score(part, c), c['id']))
        layered = []
        for rank, cluster in enumerate(ranked):
            layered.append((seen[cluster['landlord']], rank, cluster))
            seen[cluster['landlord']] += 1
        layered.sort(key=lambda item: item[:2])
        return [cluster for _layer, _rank, cluster in layered]


class ClusterRing(object):
    """Partitioned consistent hashing of names onto backend clusters.

    All name arguments are WSGI strings (UTF-8 bytes decoded as latin-1,
    Swift's convention for ``PATH_INFO``); they are turned back into the
    real UTF-8 bytes with :func:`swift.common.swob.wsgi_to_bytes` before
    hashing, so every layer places a name the same way.

    :param path: the ring file (``*.ring.gz``)
    :param reload_time: seconds between checks of the file for changes
    :param logger: logger for reload warnings; a stdlib logger if None
    :param validation_hook: optional callable taking the new ring data dict
        and raising any exception to refuse it
    :raises RingLoadError: if the file is missing, invalid or refused by
        ``validation_hook`` at construction
    """

    def __init__(self, path, reload_time=DEFAULT_RELOAD_TIME, logger=None,
                 validation_hook=None):
        self.path = path
        self.reload_time = reload_time
        self.logger = logger or logging.getLogger(__name__)
        self._validation_hook = validation_hook
        try:
            signature = file_signature(path)
        except OSError as err:
            raise RingLoadError('%s: cannot read: %s' % (
                path, err.strerror or err))
        self._state = self._load(signature)
        self._next_check = time.time() + self.reload_time

    def _load(self, signature):
        """Read, validate and hook-check the file; return a new state."""
        ring_data = ring_io.read_ring(self.path)
        if self._validation_hook is not None:
            try:
                self._validation_hook(ring_data)
            except RingLoadError:
                raise
            except Exception as err:
                raise RingLoadError('%s: refused by validation hook: %s' % (
                    self.path, err))
        return _RingState(ring_data, signature)

    def _reload(self):
        """Swap in a changed ring file, or warn and keep the current one."""
        self._next_check = time.time() + self.reload_time
        try:
            signature = file_signature(self.path)
            if signature == self._state.signature:
                return
            state = self._load(signature)
        except (OSError, RingLoadError) as err:
            self.logger.warning(
                'Keeping cluster ring %s generation %d: reload failed: %s',
                self.path, self._state.generation, err)
            return
        self.logger.info('Loaded cluster ring %s generation %d (was %d)',
                         self.path, state.generation, self._state.generation)
        self._state = state

    def _current(self):
        """Return the ring state to answer from, reloading when due."""
        if time.time() >= self._next_check:
            self._reload()
        return self._state

    @property
    def part_power(self):
        """The ring's partition power (2 ** part_power partitions)."""
        return self._current().part_power

    @property
    def replicas(self):
        """The number of primary clusters per partition."""
        return self._current().replicas

    @property
    def generation(self):
        """The generation of the loaded ring file (grows on each write)."""
        return self._current().generation

    @property
    def clusters(self):
        """Copies of the live cluster dicts, in id order."""
        return [dict(c) for c in self._current().live]

    @property
    def landlords(self):
        """Sorted names of the landlords that own a live cluster."""
        return list(self._current().landlords)

    @property
    def ring_data(self):
        """The loaded ring data dict; treat it as read-only."""
        return self._current().data

    def get_part(self, account, container=None, obj=None):
        """Get the partition of a name.

        :param account: the (WSGI string) account name
        :param container: the (WSGI string) container name, or None
        :param obj: the (WSGI string) object name, or None
        :returns: the partition number
        """
        return self._current().part_for(
            name_path_bytes(account, container, obj))

    def get_clusters(self, account, container=None, obj=None):
        """Get the partition and primary clusters of a name.

        :param account: the (WSGI string) account name
        :param container: the (WSGI string) container name, or None
        :param obj: the (WSGI string) object name, or None
        :returns: a tuple of (partition, list of cluster dicts), one cluster
            per replica, in replica order; all distinct

        Each cluster dict has these keys:

        ========  ============================================================
        id        unique integer id of the cluster in this ring; never reused
                  for another cluster
        index     offset into the primary list for the partition (replica
                  number); handoffs have ``handoff_index`` instead
        name      the cluster name, as in ``[cluster:<name>]`` of the
                  cluster configuration
        landlord  the name of the landlord (trust domain) owning the cluster
        weight    a float, the cluster's relative share of partitions; 0 for
                  a cluster being drained
        region    integer standing for the landlord in the builder; replicas
                  of a partition go to distinct regions where possible
        ========  ============================================================
        """
        state = self._current()
        part = state.part_for(name_path_bytes(account, container, obj))
        return part, state.primaries(part)

    def get_more_clusters(self, part):
        """Generate handoff clusters for a partition.

        The handoffs are the live clusters with weight above 0 that are not
        primaries. Clusters of landlords not yet used come first; otherwise
        the order is a weighted rendezvous hash of (salt, partition,
        cluster id), so it is the same on every proxy and moves little when
        clusters come and go.

        :param part: partition to get handoff clusters for
        :returns: generator of cluster dicts (see :meth:`get_clusters`) with
            ``handoff_index`` in place of ``index``
        """
        state = self._current()
        for handoff_index, cluster in enumerate(state.handoffs(part)):
            yield dict(cluster, handoff_index=handoff_index)

    def get_previous_clusters(self, account, container=None, obj=None):
        """Get the primaries of a name under the previous placement.

        While a mover works after a ring change, readers try these clusters
        when the current primaries lack the object.

        :param account: the (WSGI string) account name
        :param container: the (WSGI string) container name, or None
        :param obj: the (WSGI string) object name, or None
        :returns: list of cluster dicts (see :meth:`get_clusters`), or None
            if the ring records no previous placement
        """
        state = self._current()
        previous = state.previous
        if previous is None:
            return None
        part = state.part_for(name_path_bytes(account, container, obj))
        return state.primaries(part, previous['clusters'],
                               previous['replica2part2cluster'])

    def get_candidates(self, account, container=None, obj=None,
                       previous=False):
        """Every cluster that may hold a name, in placement order.

        :param previous: use the previous generation's placement
        :returns: list of cluster dicts, primaries (with ``index``) then
            handoffs (with ``handoff_index``); an empty list when
            ``previous`` is asked for and the ring records none
        """
        state = self._current()
        if previous:
            state = state.previous_state()
            if state is None:
                return []
        return state.candidates(
            state.part_for(name_path_bytes(account, container, obj)))

    @property
    def previous_generation(self):
        """The generation of the previous placement, or None."""
        previous = self._current().previous
        return None if previous is None else previous['generation']
