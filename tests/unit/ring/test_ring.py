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

import logging
import os
from collections import Counter

import pytest
import xxhash
from swift.common.swob import str_to_wsgi

from ocx_swift.exceptions import RingLoadError
from ocx_swift.ring import ring as ring_module
from ocx_swift.ring.builder import ClusterRingBuilder
from ocx_swift.ring.ring import ClusterRing

PART_POWER = 8
# native strings; the ring takes them as WSGI strings
ACCOUNT = 'AUTH_t\u00e9st'
CONTAINER = 'caf\u00e9 \u2615'
OBJ = 'obj/\U0001f600/\u00fc'


class FakeClock(object):
    """Stands in for the ``time`` module inside ocx_swift.ring.ring."""

    def __init__(self, now=1000000.0):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(ring_module, 'time', fake)
    return fake


def make_builder(clusters, replicas=1, seed=1):
    builder = ClusterRingBuilder.create(part_power=PART_POWER,
                                        replicas=replicas)
    for name, landlord, weight in clusters:
        builder.add_cluster(name, landlord, weight)
    builder.rebalance(seed=seed)
    return builder


THREE = [('c1', 'T\u00e9l\u00e9 Land', 1.0), ('c2', 'l2', 1.0),
         ('c3', 'l3', 1.0)]


@pytest.fixture
def builder():
    return make_builder(THREE)


@pytest.fixture
def ring_path(tmp_path, builder):
    path = str(tmp_path / 'ocx.ring.gz')
    builder.write_ring(path)
    return path


def grow(builder, path):
    """Add a fourth cluster and write generation 2 of the ring."""
    builder.add_cluster('c4', 'l4', 1.0)
    builder.rebalance(seed=3)
    return builder.write_ring(path)


def wsgi(native):
    return str_to_wsgi(native)


def test_get_part_hashes_salt_and_utf8_path(ring_path):
    ring = ClusterRing(ring_path)
    salt = bytes.fromhex(ring.ring_data['salt'])
    path = ('/%s/%s/%s' % (ACCOUNT, CONTAINER, OBJ)).encode('utf-8')
    expected = xxhash.xxh3_64_intdigest(salt + path) >> (64 - PART_POWER)
    assert ring.get_part(wsgi(ACCOUNT), wsgi(CONTAINER), wsgi(OBJ)) == \
        expected
    account_only = xxhash.xxh3_64_intdigest(
        salt + ('/' + ACCOUNT).encode('utf-8')) >> (64 - PART_POWER)
    assert ring.get_part(wsgi(ACCOUNT)) == account_only
    container = xxhash.xxh3_64_intdigest(salt + (
        '/%s/%s' % (ACCOUNT, CONTAINER)).encode('utf-8')) >> (64 - PART_POWER)
    assert ring.get_part(wsgi(ACCOUNT), wsgi(CONTAINER)) == container


def test_wsgi_strings_not_native_strings(ring_path):
    ring = ClusterRing(ring_path)
    # a native non-Latin-1 string is not a WSGI string: refused loudly
    with pytest.raises(UnicodeEncodeError):
        ring.get_part(ACCOUNT, CONTAINER, OBJ)
    with pytest.raises(ValueError, match='needs a container'):
        ring.get_part(wsgi(ACCOUNT), None, wsgi(OBJ))


def test_salt_is_per_ring(tmp_path):
    paths = [str(tmp_path / ('%d.ring.gz' % i)) for i in range(2)]
    for path in paths:
        make_builder(THREE).write_ring(path)
    rings = [ClusterRing(path) for path in paths]
    assert rings[0].ring_data['salt'] != rings[1].ring_data['salt']
    names = ['o%d' % i for i in range(50)]
    parts = [[r.get_part('a', 'c', n) for n in names] for r in rings]
    assert parts[0] != parts[1]


def test_get_clusters_follows_the_builder_tables(tmp_path):
    builder = make_builder(THREE + [('c4', 'l2', 2.0)], replicas=2)
    path = str(tmp_path / 'ocx.ring.gz')
    builder.write_ring(path)
    ring = ClusterRing(path)
    tables = builder.get_ring_data()['replica2part2cluster']
    for i in range(200):
        obj = wsgi('%s-%d' % (OBJ, i))
        part, clusters = ring.get_clusters(wsgi(ACCOUNT), wsgi(CONTAINER),
                                           obj)
        assert part == ring.get_part(wsgi(ACCOUNT), wsgi(CONTAINER), obj)
        assert [c['id'] for c in clusters] == [t[part] for t in tables]
        assert [c['index'] for c in clusters] == [0, 1]
        assert len(set(c['landlord'] for c in clusters)) == 2
        assert set(clusters[0]) == {'id', 'index', 'name', 'landlord',
                                    'weight', 'region'}


def test_properties(ring_path):
    ring = ClusterRing(ring_path)
    assert ring.part_power == PART_POWER
    assert ring.replicas == 1
    assert ring.generation == 1
    assert ring.previous_generation is None
    assert [c['name'] for c in ring.clusters] == ['c1', 'c2', 'c3']
    assert ring.landlords == ['T\u00e9l\u00e9 Land', 'l2', 'l3']
    # callers get copies, not the ring's own dicts
    ring.clusters[0]['name'] = 'evil'
    ring.landlords.append('evil')
    assert ring.clusters[0]['name'] == 'c1'
    assert 'evil' not in ring.landlords


def test_removed_clusters_are_not_live(tmp_path):
    builder = make_builder(THREE)
    builder.remove_cluster('c2')
    builder.rebalance(seed=2)
    path = str(tmp_path / 'ocx.ring.gz')
    builder.write_ring(path)
    ring = ClusterRing(path)
    assert [c['name'] for c in ring.clusters] == ['c1', 'c3']
    assert ring.ring_data['clusters'][1] is None
    assert ring.landlords == ['T\u00e9l\u00e9 Land', 'l3']


def test_handoffs_prefer_unused_landlords(tmp_path):
    clusters = [('a1', 'A', 1.0), ('a2', 'A', 1.0), ('b1', 'B', 1.0),
                ('c1', 'C', 1.0), ('d0', 'D', 0.0)]
    path = str(tmp_path / 'ocx.ring.gz')
    make_builder(clusters).write_ring(path)
    ring = ClusterRing(path)
    firsts = Counter()
    for part in range(2 ** PART_POWER):
        primary = ring.ring_data['clusters'][
            ring.ring_data['replica2part2cluster'][0][part]]
        handoffs = list(ring.get_more_clusters(part))
        names = [c['name'] for c in handoffs]
        assert [c['handoff_index'] for c in handoffs] == [0, 1, 2]
        # every other weighted cluster exactly once; never the primary,
        # never the zero-weight one
        assert sorted(names + [primary['name']]) == ['a1', 'a2', 'b1', 'c1']
        landlords = [c['landlord'] for c in handoffs]
        if primary['landlord'] == 'A':
            assert sorted(landlords[:2]) == ['B', 'C']
        else:
            # the other unused landlords first, then A's second cluster
            assert len(set(landlords[:2])) == 2
            assert landlords[2] == 'A'
        assert names == [c['name'] for c in ring.get_more_clusters(part)]
        firsts[names[0]] += 1
    # handoff load is spread, not piled on one cluster
    assert len(firsts) == 4
    assert min(firsts.values()) > 2 ** PART_POWER / 10


def test_handoffs_are_the_same_on_every_proxy(ring_path):
    one, two = ClusterRing(ring_path), ClusterRing(ring_path)
    for part in range(0, 2 ** PART_POWER, 7):
        assert list(one.get_more_clusters(part)) == \
            list(two.get_more_clusters(part))


def test_previous_clusters_read_through(builder, ring_path):
    old_ring = ClusterRing(ring_path)
    assert old_ring.get_previous_clusters(wsgi(ACCOUNT)) is None
    grow(builder, ring_path)
    ring = ClusterRing(ring_path)
    assert ring.generation == 2
    assert ring.previous_generation == 1
    moved = 0
    for i in range(300):
        names = (wsgi(ACCOUNT), wsgi(CONTAINER), wsgi('%s%d' % (OBJ, i)))
        old = old_ring.get_clusters(*names)[1]
        previous = ring.get_previous_clusters(*names)
        assert previous == old
        current = ring.get_clusters(*names)[1]
        if current != previous:
            moved += 1
            assert current[0]['name'] == 'c4'
    assert 0 < moved < 300 / 2


def test_construction_errors(tmp_path):
    path = str(tmp_path / 'ocx.ring.gz')
    with pytest.raises(RingLoadError, match='No such file'):
        ClusterRing(path)
    with open(path, 'wb') as fp:
        fp.write(b'junk')
    with pytest.raises(RingLoadError, match='not a gzip file'):
        ClusterRing(path)


def test_validation_hook_refuses_at_construction(ring_path):
    seen = []

    def hook(ring_data):
        seen.append(ring_data['generation'])
        raise ValueError('cluster c1 is not configured')

    with pytest.raises(RingLoadError, match='refused by validation hook: '
                       'cluster c1 is not configured'):
        ClusterRing(ring_path, validation_hook=hook)
    assert seen == [1]


def test_reload_waits_for_reload_time(builder, ring_path, clock):
    ring = ClusterRing(ring_path, reload_time=15)
    assert ring.generation == 1
    grow(builder, ring_path)
    clock.now += 14
    assert ring.generation == 1
    clock.now += 1
    assert ring.generation == 2
    assert [c['name'] for c in ring.clusters] == ['c1', 'c2', 'c3', 'c4']


def test_reload_keeps_old_ring_on_bad_file(builder, ring_path, clock,
                                           caplog):
    logger = logging.getLogger('test-ocx-ring')
    ring = ClusterRing(ring_path, reload_time=15, logger=logger)
    part, before = ring.get_clusters(wsgi(ACCOUNT), wsgi(CONTAINER),
                                     wsgi(OBJ))
    with open(ring_path, 'wb') as fp:
        fp.write(b'not a ring')
    clock.now += 15
    with caplog.at_level(logging.WARNING, logger='test-ocx-ring'):
        assert ring.get_clusters(wsgi(ACCOUNT), wsgi(CONTAINER),
                                 wsgi(OBJ)) == (part, before)
        assert ring.generation == 1
        # the failed attempt counts as a check: no retry until reload_time
        clock.now += 14
        assert ring.generation == 1
    warnings = [r.getMessage() for r in caplog.records
                if r.name == 'test-ocx-ring']
    assert warnings == [
        'Keeping cluster ring %s generation 1: reload failed: %s: not a '
        'gzip file or truncated' % (ring_path, ring_path)]
    assert caplog.records[0].levelno == logging.WARNING
    # a good file later is picked up
    os.unlink(ring_path)  # else write_ring wants to read it as previous
    grow(builder, ring_path)
    clock.now += 1
    assert ring.generation == 1  # generation 1 again, but a new file
    assert len(ring.clusters) == 4


def test_reload_keeps_old_ring_when_file_vanishes(ring_path, clock, caplog):
    ring = ClusterRing(ring_path, reload_time=15)
    os.unlink(ring_path)
    clock.now += 15
    with caplog.at_level(logging.WARNING):
        assert ring.landlords == ['T\u00e9l\u00e9 Land', 'l2', 'l3']
    assert 'No such file' in caplog.records[0].getMessage()
    assert ring_path in caplog.records[0].getMessage()


def test_reload_refused_by_validation_hook(builder, ring_path, clock,
                                           caplog):
    refused = []

    def hook(ring_data):
        names = [c['name'] for c in ring_data['clusters'] if c]
        if 'c4' in names:
            refused.append(ring_data['generation'])
            raise ValueError('cluster c4 has no credentials')

    ring = ClusterRing(ring_path, reload_time=15, validation_hook=hook)
    grow(builder, ring_path)
    clock.now += 15
    with caplog.at_level(logging.WARNING):
        assert ring.generation == 1
    assert refused == [2]
    message = caplog.records[0].getMessage()
    assert 'refused by validation hook: cluster c4 has no credentials' \
        in message
    assert message.startswith('Keeping cluster ring %s generation 1'
                              % ring_path)
