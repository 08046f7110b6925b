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

"""Mutable cluster ring builder on top of Swift's own ring builder.

Clusters are the devices of a :class:`swift.common.ring.builder.RingBuilder`:

========  ==================================================================
device    the cluster name
region    the landlord's index (one stable int per landlord ever seen)
zone      the cluster id (so two clusters never share a failure domain
          below the landlord)
ip, port  fixed placeholders (``127.0.0.1``, 6000)
weight    the cluster weight
landlord  the landlord name (an extra key Swift carries along)
========  ==================================================================

So weights, dispersion of replicas across landlords and minimal movement
come from Swift's solver. Two differences from a Swift ring:

* Dispersion comes first: the builder runs with an overload large enough
  that Swift's "wanted" (maximally dispersed) plan is always used, so two
  replicas of a partition share a landlord only when there are fewer
  weighted landlords than replicas. A landlord holding more than
  ``1 / replicas`` of the weight is then capped, which shows as balance.
* Cluster ids are never reused, even after the highest id is removed, so a
  ring's ``previous`` placement and any id-keyed bookkeeping stay valid.

The salt that seeds partition hashing is drawn once, when the builder is
created, and kept in both the builder and the ring file.
"""

import copy
import math
import os
import uuid
from array import array
from datetime import timedelta

from swift.common import exceptions as swift_exceptions
from swift.common.ring.builder import RingBuilder

from ocx_swift.exceptions import RingBuilderError, RingLoadError
from ocx_swift.ring import io as ring_io
from ocx_swift.ring import movement
from ocx_swift.ring.ring import _RingState, name_path_bytes

#: Overload handed to Swift so that its dispersed plan always wins.
DISPERSION_FIRST_OVERLOAD = 1e6
PLACEHOLDER_IP = '127.0.0.1'
PLACEHOLDER_PORT = 6000
MAX_NAME_LENGTH = 64
MAX_LANDLORD_LENGTH = 128


def _check_int(label, value, low, high=None):
    if isinstance(value, bool) or not isinstance(value, int) or \
            value < low or (high is not None and value > high):
        limits = '%d..%d' % (low, high) if high is not None else \
            'at least %d' % low
        raise RingBuilderError('%s must be an integer %s, got %r' % (
            label, limits, value))


def check_weight(weight):
    """Check a cluster weight and return it as a float.

    :param weight: an int or float, finite and not negative
    :returns: the weight as a float
    :raises RingBuilderError: on anything else
    """
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) \
            or not math.isfinite(weight):
        raise RingBuilderError('weight must be a finite number, got %r'
                               % (weight,))
    if weight < 0:
        raise RingBuilderError('weight must not be negative, got %r'
                               % (weight,))
    return float(weight)


def check_name(label, name, max_length, spaces=False):
    """Check a cluster or landlord name.

    :param label: ``'cluster name'`` or ``'landlord'``, for messages
    :param name: the (native) string; any printable characters, non-ASCII
        included, but no ``/`` and no surrounding whitespace
    :param max_length: the longest name allowed
    :param spaces: whether inner spaces are allowed
    :raises RingBuilderError: if the name is not acceptable
    """
    if not isinstance(name, str) or not name:
        raise RingBuilderError('%s must be a non-empty string, got %r'
                               % (label, name))
    bad = (len(name) > max_length or not name.isprintable() or '/' in name
           or name != name.strip() or (not spaces and ' ' in name))
    if bad:
        raise RingBuilderError(
            '%s %r is not allowed: use at most %d printable characters, '
            'no "/"%s' % (label, name, max_length,
                          ', no surrounding spaces' if spaces
                          else ', no spaces'))


def _moved_parts(old, new):
    """Count partitions whose cluster list differs between two tables."""
    if not old or len(old) != len(new):
        return len(new[0])
    return sum(1 for before, after in zip(zip(*old), zip(*new))
               if before != after)


def _carried_previous(existing, clusters):
    """The previous placement a ring with an unchanged placement carries
    over from the ring it replaces; None when that places partitions on a
    cluster dropped just now (it was drained: it owns no partition)."""
    previous = existing['previous']
    if previous is None:
        return None
    dropped = {c['id'] for c in existing['clusters'] if c is not None and
               (c['id'] >= len(clusters) or clusters[c['id']] is None)}
    if not dropped:
        return previous
    for part2cluster in previous['replica2part2cluster']:
        if dropped.intersection(part2cluster):
            return None
    return previous


class ClusterRingBuilder(object):
    """Mutable description of a cluster ring; writes ring files.

    :param part_power: number of partition bits (2 ** part_power partitions)
    :param replicas: primary clusters per partition
    :param min_part_hours: hours before a partition may move again
    :raises RingBuilderError: on out-of-range parameters
    """

    def __init__(self, part_power=14, replicas=1, min_part_hours=0):
        _check_int('part_power', part_power, 0, ring_io.MAX_PART_POWER)
        _check_int('replicas', replicas, 1)
        _check_int('min_part_hours', min_part_hours, 0)
        self._rb = RingBuilder(part_power, replicas, min_part_hours)
        self._rb.set_overload(DISPERSION_FIRST_OVERLOAD)
        self.salt = os.urandom(16).hex()
        self._landlords = {}
        self._next_id = 0

    @classmethod
    def create(cls, part_power=14, replicas=1, min_part_hours=0):
        """Create an empty builder with a fresh random salt.

        :param part_power: number of partition bits
        :param replicas: primary clusters per partition
        :param min_part_hours: hours before a partition may move again
        :returns: a new :class:`ClusterRingBuilder`
        """
        return cls(part_power, replicas, min_part_hours)

    @classmethod
    def load(cls, path):
        """Load a builder file written by :meth:`save`.

        :param path: the builder file
        :returns: a :class:`ClusterRingBuilder`
        :raises RingLoadError: if the file is missing or invalid
        """
        state = ring_io.read_builder(path)
        builder = cls.__new__(cls)
        try:
            builder._rb = RingBuilder.from_dict(state['builder'])
        except (KeyError, TypeError, ValueError) as err:
            raise RingLoadError('%s: builder section is invalid: %r' % (
                path, err))
        builder.salt = state['salt']
        builder._landlords = state['landlords']
        builder._next_id = state['next_cluster_id']
        return builder

    def save(self, path):
        """Write the builder file atomically (gzipped JSON).

        :param path: the builder file
        """
        if self._rb._id is None:
            self._rb._id = uuid.uuid4().hex
        ring_io.write_builder(path, {
            'salt': self.salt, 'landlords': self._landlords,
            'next_cluster_id': self._next_id,
            'builder': self._rb.to_dict()})

    # -- properties -------------------------------------------------------

    @property
    def part_power(self):
        return self._rb.part_power

    @property
    def parts(self):
        return self._rb.parts

    @property
    def replicas(self):
        return self._rb.replicas

    @property
    def min_part_hours(self):
        return self._rb.min_part_hours

    @property
    def min_part_seconds_left(self):
        return self._rb.min_part_seconds_left

    @property
    def ever_rebalanced(self):
        return self._rb.ever_rebalanced

    @property
    def builder_id(self):
        """The builder's uuid, assigned at the first save; None before."""
        return self._rb._id

    @property
    def version(self):
        """Swift's build version: grows on every change."""
        return self._rb.version

    # -- cluster management ------------------------------------------------

    def _devs(self):
        return [dev for dev in self._rb.devs if dev is not None]

    def _pending_removal(self):
        return set(dev['id'] for dev in self._rb._remove_devs)

    def _find(self, name):
        """Return the device of a live cluster, or raise."""
        for dev in self._devs():
            if dev['device'] == name:
                if dev['id'] in self._pending_removal():
                    raise RingBuilderError(
                        'cluster %r is marked for removal; rebalance first'
                        % (name,))
                return dev
        raise RingBuilderError('unknown cluster %r' % (name,))

    def _region_for(self, landlord):
        if landlord not in self._landlords:
            self._landlords[landlord] = max(
                self._landlords.values(), default=-1) + 1
        return self._landlords[landlord]

    def add_cluster(self, name, landlord, weight):
        """Add a cluster; it gets partitions at the next rebalance.

        :param name: the cluster name (as in ``[cluster:<name>]``)
        :param landlord: the name of the landlord owning the cluster
        :param weight: the relative share of partitions (0 or more)
        :returns: the new cluster id
        :raises RingBuilderError: on a bad or duplicate name or bad weight
        """
        check_name('cluster name', name, MAX_NAME_LENGTH)
        check_name('landlord', landlord, MAX_LANDLORD_LENGTH, spaces=True)
        weight = check_weight(weight)
        for dev in self._devs():
            if dev['device'] == name:
                raise RingBuilderError('cluster %r already exists%s' % (
                    name, ' (marked for removal; rebalance first)'
                    if dev['id'] in self._pending_removal() else ''))
        cluster_id = max(self._next_id, len(self._rb.devs))
        if cluster_id > ring_io.MAX_CLUSTER_ID:
            raise RingBuilderError('no cluster ids left (max %d)'
                                   % ring_io.MAX_CLUSTER_ID)
        self._rb.add_dev({
            'id': cluster_id, 'region': self._region_for(landlord),
            'zone': cluster_id, 'ip': PLACEHOLDER_IP,
            'port': PLACEHOLDER_PORT, 'device': name, 'weight': weight,
            'landlord': landlord, 'meta': ''})
        self._next_id = cluster_id + 1
        return cluster_id

    def set_weight(self, name, weight):
        """Change a cluster's weight; takes effect at the next rebalance.

        :param name: the cluster name
        :param weight: the new weight (0 or more)
        :returns: the old weight
        :raises RingBuilderError: on an unknown cluster or a bad weight
        """
        weight = check_weight(weight)
        dev = self._find(name)
        old = dev['weight']
        self._rb.set_dev_weight(dev['id'], weight)
        return old

    def remove_cluster(self, name):
        """Mark a cluster for removal; its partitions move at rebalance.

        :param name: the cluster name
        :returns: the id of the removed cluster
        :raises RingBuilderError: on an unknown cluster, or the last one
        """
        dev = self._find(name)
        removing = self._pending_removal()
        if not any(d['id'] not in removing and d['id'] != dev['id']
                   for d in self._devs()):
            raise RingBuilderError(
                'cannot remove cluster %r: it is the last cluster; add '
                'another first' % (name,))
        self._rb.remove_dev(dev['id'])
        return dev['id']

    # -- rebalance ---------------------------------------------------------

    def check_rebalance(self):
        """Raise if a rebalance cannot even be attempted.

        :raises RingBuilderError: with no clusters, all weights zero, or
            fewer weighted clusters than replicas
        """
        devs = [d for d in self._devs()
                if d['id'] not in self._pending_removal()]
        if not devs:
            raise RingBuilderError('the builder has no clusters; add some '
                                   'before rebalancing')
        weighted = [d for d in devs if d['weight'] > 0]
        if not weighted:
            raise RingBuilderError('every cluster has weight 0; nothing can '
                                   'hold partitions')
        if len(weighted) < self.replicas:
            raise RingBuilderError(
                '%d replicas need at least %d clusters with weight > 0, '
                'there are %d' % (self.replicas, self.replicas,
                                  len(weighted)))

    def rebalance(self, seed=None):
        """Reassign partitions to clusters by weight and landlord.

        Nothing changes unless some partition moves or a removed cluster is
        dropped; the same builder and seed always give the same result.

        :param seed: seed for Swift's solver; None for a random one
        :returns: (partitions with any replica moved, balance in percent)
        :raises RingBuilderError: if there is nothing to rebalance (no
            partition could move; see :attr:`min_part_seconds_left`) or
            :meth:`check_rebalance` fails
        """
        self.check_rebalance()
        work = copy.deepcopy(self._rb)
        try:
            moved, balance, removed = work.rebalance(seed=seed)
        except swift_exceptions.RingBuilderError as err:
            raise RingBuilderError('rebalance failed: %s' % err)
        if not (moved or removed):
            left = self.min_part_seconds_left
            raise RingBuilderError(
                'no partitions could be reassigned: %s' % (
                    'min_part_hours is %d (%s left)' % (
                        self.min_part_hours, timedelta(seconds=left))
                    if left else 'there is no need to do so at this time'))
        old, self._rb = self._rb, work
        return _moved_parts(old._replica2part2dev,
                            work._replica2part2dev), balance

    def pretend_rebalance(self, seed=None):
        """Rebalance a copy of this builder; this one is left untouched.

        With the same seed the copy ends exactly as :meth:`rebalance` would
        leave this builder.

        :param seed: seed for Swift's solver; None for a random one
        :returns: (the rebalanced copy, partitions moved, balance)
        :raises RingBuilderError: as :meth:`rebalance` does
        """
        work = copy.deepcopy(self)
        moved, balance = work.rebalance(seed=seed)
        return work, moved, balance

    # -- ring output -------------------------------------------------------

    def _cluster_table(self):
        table = [None] * len(self._rb.devs)
        for dev in self._devs():
            table[dev['id']] = {
                'id': dev['id'], 'name': dev['device'],
                'landlord': dev['landlord'], 'weight': dev['weight'],
                'region': dev['region']}
        return table

    def get_ring_data(self, generation=0, previous=None):
        """Get the ring data this builder describes.

        :param generation: the generation to stamp on it
        :param previous: the previous placement dict, or None
        :returns: ring data dict (see :mod:`ocx_swift.ring.io`)
        :raises RingBuilderError: if the builder was never rebalanced
        """
        if not self.ever_rebalanced:
            raise RingBuilderError('the builder has never been rebalanced')
        return {
            'part_power': self.part_power, 'replicas': self.replicas,
            'salt': self.salt, 'generation': generation,
            'clusters': self._cluster_table(),
            'replica2part2cluster': [
                array('H', p2d) for p2d in self._rb._replica2part2dev],
            'previous': previous}

    def placement(self):
        """The current placement (see :mod:`ocx_swift.ring.movement`).

        :returns: dict with ``clusters`` and ``replica2part2cluster``, or
            None if the builder was never rebalanced
        """
        if not self.ever_rebalanced:
            return None
        data = self.get_ring_data()
        return {'clusters': data['clusters'],
                'replica2part2cluster': data['replica2part2cluster']}

    def part_finder(self):
        """Get the function that places names, exactly as the ring will.

        It hashes with the builder's salt and part power through the very
        code :class:`~ocx_swift.ring.ring.ClusterRing` uses.

        :returns: a callable taking (WSGI string) ``account``, optional
            ``container`` and ``obj`` and returning the partition
        :raises RingBuilderError: if the builder was never rebalanced
        """
        state = _RingState(self.get_ring_data(), None)

        def part_of(account, container=None, obj=None):
            return state.part_for(name_path_bytes(account, container, obj))
        return part_of

    def _existing_ring(self, path):
        if not os.path.exists(path):
            return None
        try:
            existing = ring_io.read_ring(path)
        except RingLoadError as err:
            raise RingBuilderError(
                'cannot take the previous placement from the existing '
                'ring: %s; move it away to start again at generation 1'
                % (err,))
        if existing['salt'] != self.salt or \
                existing['part_power'] != self.part_power:
            raise RingBuilderError(
                '%s was not written by this builder (salt or part power '
                'differs); refusing to replace it' % (path,))
        return existing

    def next_ring_data(self, path):
        """Get the ring data :meth:`write_ring` would write to ``path``.

        The generation is one more than the ring already at ``path`` (1 if
        none). ``previous`` is that ring's placement if it differs from the
        builder's; if it is the same, that ring's own ``previous`` carries
        over, so re-writing a ring never loses the placement a mover needs
        -- unless it places partitions on a drained cluster this ring drops:
        removing it (once the mover emptied it) ends the move, and readers
        stop looking there.

        :param path: the ring file that will be replaced
        :returns: ring data dict
        :raises RingBuilderError: if the existing ring is unreadable or
            belongs to another builder, or this one was never rebalanced
        """
        data = self.get_ring_data()
        existing = self._existing_ring(path)
        if existing is None:
            data['generation'] = 1
            return data
        data['generation'] = existing['generation'] + 1
        if existing['replica2part2cluster'] == data['replica2part2cluster']:
            data['previous'] = _carried_previous(existing, data['clusters'])
        else:
            data['previous'] = {
                'generation': existing['generation'],
                'clusters': existing['clusters'],
                'replica2part2cluster': existing['replica2part2cluster']}
        return data

    def write_ring(self, path):
        """Write the ring file, one generation after the one at ``path``.

        :param path: the ring file (``*.ring.gz``)
        :returns: the generation written
        :raises RingBuilderError: see :meth:`next_ring_data`
        """
        with ring_io.locked(path):
            data = self.next_ring_data(path)
            ring_io.write_ring(path, data)
        return data['generation']

    # -- reporting ---------------------------------------------------------

    def balance(self):
        """The worst cluster's deviation from its weight share, in percent.

        :returns: a float; 0 before any cluster has weight
        """
        if not any(d['weight'] for d in self._devs()):
            return 0.0
        return self._rb.get_balance()

    def cluster_stats(self):
        """Per-cluster figures for ``show``.

        :returns: list of dicts with ``id``, ``name``, ``landlord``,
            ``region``, ``weight``, ``parts`` (partition-replicas held),
            ``share`` (percent of all partition-replicas), ``balance``
            (percent off its weight share) and ``removing`` (bool)
        """
        balances = (self._rb._build_balance_per_dev()
                    if any(d['weight'] for d in self._devs()) else {})
        slots = float(self.parts * self.replicas)
        removing = self._pending_removal()
        return [{'id': d['id'], 'name': d['device'],
                 'landlord': d['landlord'], 'region': d['region'],
                 'weight': d['weight'], 'parts': d['parts'],
                 'share': 100.0 * d['parts'] / slots,
                 'balance': balances.get(d['id'], 0.0),
                 'removing': d['id'] in removing}
                for d in self._devs()]

    def landlord_stats(self):
        """Per-landlord totals for ``show``.

        :returns: list of dicts with ``landlord``, ``region``, ``clusters``,
            ``weight``, ``parts`` and ``share``, ordered by region
        """
        totals = {}
        for stat in self.cluster_stats():
            total = totals.setdefault(stat['landlord'], {
                'landlord': stat['landlord'], 'region': stat['region'],
                'clusters': 0, 'weight': 0.0, 'parts': 0, 'share': 0.0})
            total['clusters'] += 1
            for key in ('weight', 'parts', 'share'):
                total[key] += stat[key]
        return sorted(totals.values(), key=lambda t: t['region'])

    def dispersion(self):
        """How the replicas of each partition spread over landlords.

        :returns: see :func:`ocx_swift.ring.movement.landlord_dispersion`
        :raises RingBuilderError: if the builder was never rebalanced
        """
        return movement.landlord_dispersion(self.get_ring_data())

    def weighted_landlords(self):
        """Count the landlords with a live cluster of weight above 0."""
        removing = self._pending_removal()
        return len(set(d['landlord'] for d in self._devs()
                       if d['weight'] > 0 and d['id'] not in removing))

    def landlord_collisions(self):
        """Count partitions with two or more replicas on one landlord.

        :returns: the number of such partitions (0 before a rebalance)
        """
        if not self.ever_rebalanced or self.replicas < 2:
            return 0
        return self.dispersion()['shared']
