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

"""Pure movement and dispersion functions, on hand-made placements."""

import json

import pytest
from swift.common.swob import str_to_wsgi

from ocx_swift.ring import movement

LANDLORD = 'T\u00e9l\u00e9 Land'
ACCOUNT = 'AUTH_t\u00e9st'
CONTAINER = 'caf\u00e9 \u2615'
OBJ = 'dir/\U0001f600 \u00fc'


def cluster(cid, landlord, weight=1.0, region=None):
    return {'id': cid, 'name': 'c%d' % cid, 'landlord': landlord,
            'weight': weight, 'region': cid if region is None else region}


def placement(clusters, *tables):
    return {'clusters': clusters, 'replica2part2cluster': list(tables)}


CLUSTERS = [cluster(0, LANDLORD, region=0), cluster(1, LANDLORD, region=0),
            cluster(2, 'l2', region=1), cluster(3, 'l3', 2.0, region=2)]


def test_replica_moves_compare_slots_by_index():
    old = placement(CLUSTERS, [0, 1, 2, 3], [2, 3, 0, 1])
    new = placement(CLUSTERS, [0, 2, 2, 3], [3, 2, 0, 1])
    moves = movement.replica_moves(old, new)
    assert moves == [(1, 0, 1, 2), (0, 1, 2, 3), (1, 1, 3, 2)]
    assert movement.moved_parts(moves) == 2
    assert movement.moves_by_part(moves) == {0: [(2, 3)],
                                             1: [(1, 2), (3, 2)]}
    assert movement.replica_moves(old, old) == []


def test_replica_moves_from_nothing_assign_every_slot():
    new = placement(CLUSTERS, [0, 3], [2, 1])
    assert movement.replica_moves(None, new) == [
        (0, 0, None, 0), (1, 0, None, 3), (0, 1, None, 2), (1, 1, None, 1)]


def test_holdings():
    assert movement.holdings(placement(CLUSTERS, [0, 0, 3], [3, 2, 0])) \
        == {0: 3, 2: 1, 3: 2}
    assert movement.holdings(None) == {}


def test_ideal_counts_follow_weight():
    counts = movement.ideal_counts(CLUSTERS + [None], 100, 1)
    assert counts == {0: 20.0, 1: 20.0, 2: 20.0, 3: 40.0}


def test_ideal_counts_cap_a_landlord_at_one_replica_per_partition():
    # l1 has 4/6 of the weight but may hold one replica of each partition
    clusters = [cluster(0, 'l1', 2.0), cluster(1, 'l1', 2.0),
                cluster(2, 'l2', 1.0), cluster(3, 'l3', 1.0)]
    counts = movement.ideal_counts(clusters, 120, 2)
    assert counts == {0: 60.0, 1: 60.0, 2: 60.0, 3: 60.0}
    assert sum(counts.values()) == 240


def test_ideal_counts_with_fewer_landlords_than_replicas():
    # one landlord must take two replicas; clusters still hold at most one
    clusters = [cluster(0, 'l1', 5.0), cluster(1, 'l1', 1.0),
                cluster(2, 'l2', 1.0)]
    counts = movement.ideal_counts(clusters, 10, 3)
    assert counts == {0: 10.0, 1: 10.0, 2: 10.0}


def test_ideal_counts_ignore_weightless_clusters():
    clusters = [cluster(0, 'l1', 0.0), cluster(1, 'l2', 1.0)]
    assert movement.ideal_counts(clusters, 8, 1) == {0: 0.0, 1: 8.0}
    assert movement.ideal_counts([cluster(0, 'l1', 0.0)], 8, 1) == {0: 0.0}


def test_ideal_moves():
    have = {0: 50, 1: 50}
    want = {0: 100 / 3.0, 1: 100 / 3.0, 2: 100 / 3.0}
    assert movement.ideal_moves(have, want) == pytest.approx(100 / 3.0)
    # a removed cluster (not wanted at all) gives up everything
    assert movement.ideal_moves({0: 30, 1: 70}, {0: 100.0}) == 70


def test_landlord_dispersion_counts_shared_partitions():
    tables = ([0, 0, 2, 3], [1, 2, 3, 0])
    report = movement.landlord_dispersion(placement(CLUSTERS, *tables))
    assert report['shared'] == 1  # partition 0: c0 and c1, one landlord
    assert report['most'] == [0, 3, 1]
    assert report['landlords'] == [
        {'landlord': LANDLORD, 'region': 0, 'clusters': 2, 'weight': 2.0,
         'replicas': 4, 'histogram': [1, 2, 1]},
        {'landlord': 'l2', 'region': 1, 'clusters': 1, 'weight': 1.0,
         'replicas': 2, 'histogram': [2, 2, 0]},
        {'landlord': 'l3', 'region': 2, 'clusters': 1, 'weight': 2.0,
         'replicas': 2, 'histogram': [2, 2, 0]}]


def test_landlord_dispersion_with_one_replica():
    report = movement.landlord_dispersion(placement(CLUSTERS, [0, 1, 3]))
    assert (report['shared'], report['most']) == (0, [0, 3])
    assert [row['histogram'] for row in report['landlords']] == [
        [1, 2], [3, 0], [2, 1]]


@pytest.mark.parametrize('line, expected', [
    (b'AUTH_test/c/o\n', ('AUTH_test', 'c', 'o', None)),
    (b'/AUTH_test/c/a/b//\r\n', ('AUTH_test', 'c', 'a/b//', None)),
    (b'AUTH_test/c/o\t123\n', ('AUTH_test', 'c', 'o', 123)),
    (b'AUTH_test/c/o with\ttab\t0', ('AUTH_test', 'c', 'o with\ttab', 0)),
    (b'{"path": "AUTH_test/c/o", "bytes": 7}\n',
     ('AUTH_test', 'c', 'o', 7)),
    (b'  {"path": "AUTH_test/c/o"}', ('AUTH_test', 'c', 'o', None)),
    (b'{"path": "AUTH_test/c/o", "bytes": null}', ('AUTH_test', 'c', 'o',
                                                   None)),
    (b'\n', None),
    (b'  \r\n', None),
])
def test_parse_listing_line(line, expected):
    assert movement.parse_listing_line(line) == expected


def test_parse_listing_line_gives_wsgi_strings():
    path = '/'.join([ACCOUNT, CONTAINER, OBJ])
    wanted = (str_to_wsgi(ACCOUNT), str_to_wsgi(CONTAINER), str_to_wsgi(OBJ))
    assert movement.parse_listing_line(path.encode('utf-8')) == \
        wanted + (None,)
    line = json.dumps({'path': path, 'bytes': 5}).encode('ascii')
    assert movement.parse_listing_line(line) == wanted + (5,)


@pytest.mark.parametrize('line, message', [
    (b'AUTH_test/c\n', "'AUTH_test/c' is not an account/container/object"),
    (b'AUTH_test//o\n', 'is not an account/container/object'),
    (b'AUTH_test/c/\n', 'is not an account/container/object'),
    (b'AUTH_test/c/o\t-1\n', "size '-1' is not a non-negative integer"),
    (b'AUTH_test/c/o\t\n', "size '' is not a non-negative integer"),
    (b'AUTH_test/c/o\t\xd9\xa3\n', 'is not a non-negative integer'),
    (b'AUTH_test/c/\xff\n', 'not UTF-8'),
    (b'{"path": "AUTH_test/c/o"\n', 'not valid JSON'),
    (b'{"name": "AUTH_test/c/o"}\n', 'a JSON line needs a "path" string'),
    (b'{"path": 3}\n', 'a JSON line needs a "path" string'),
    (b'{"path": "a/c/o", "bytes": true}', 'size True is not'),
    (b'{"path": "a/c/o", "bytes": -3}', 'size -3 is not'),
    (b'{"path": "a/c/o", "bytes": "3"}', "size '3' is not"),
    (b'{"path": "a/c/o", "bytes": 1.5}', 'size 1.5 is not'),
])
def test_parse_listing_line_errors(line, message):
    with pytest.raises(ValueError) as caught:
        movement.parse_listing_line(line)
    assert message in str(caught.value)


def fake_part_of(account, container, obj):
    """Place ``obj-N`` on partition N, to keep the test readable."""
    assert (account, container) == (str_to_wsgi(ACCOUNT),
                                    str_to_wsgi(CONTAINER))
    return int(obj.rsplit('-', 1)[1])


def test_tally_listing():
    prefix = '%s/%s/' % (ACCOUNT, CONTAINER)
    lines = [(prefix + 'o-0\t10\n').encode('utf-8'),
             (prefix + 'o-1\n').encode('utf-8'),
             b'\n',
             json.dumps({'path': prefix + '\u00fc-1', 'bytes': 5}).encode(),
             (prefix + 'o-2\t100').encode('utf-8')]
    by_part = {1: [(0, 2), (3, 1)], 2: [(1, 3)]}
    tally = movement.tally_listing(lines, fake_part_of, by_part)
    assert tally == {'objects': 4, 'sized': 3, 'bytes': 115, 'copies': 5,
                     'copy_bytes': 110,
                     'pairs': {(0, 2): [2, 5], (3, 1): [2, 5],
                               (1, 3): [1, 100]}}


def test_tally_listing_names_the_bad_line():
    lines = [b'AUTH_test/c/o-0\n', b'\n', b'oops\n']
    with pytest.raises(ValueError, match="^line 3: 'oops' is not an"):
        movement.tally_listing(lines, lambda *names: 0, {})


def test_summaries_by_landlord_and_cluster():
    moves = [(0, 0, 0, 2), (1, 0, 0, 2), (1, 1, 3, 1), (2, 0, None, 3)]
    tally = {'pairs': {(0, 2): [4, 400], (3, 1): [1, 10]}}
    figures = movement.pair_figures(moves, tally)
    assert figures == {(0, 2): [2, 4, 400], (3, 1): [1, 1, 10],
                       (None, 3): [1, 0, 0]}
    landlord_of = dict((c['id'], c['landlord']) for c in CLUSTERS)
    assert movement.by_landlord(figures, landlord_of) == {
        (LANDLORD, 'l2'): [2, 4, 400], ('l3', LANDLORD): [1, 1, 10],
        (None, 'l3'): [1, 0, 0]}
    assert movement.by_cluster(figures) == {
        0: {'out': [2, 4, 400], 'in': [0, 0, 0]},
        1: {'out': [0, 0, 0], 'in': [1, 1, 10]},
        2: {'out': [0, 0, 0], 'in': [2, 4, 400]},
        3: {'out': [1, 1, 10], 'in': [1, 0, 0]}}
    assert movement.pair_figures(moves) == {
        (0, 2): [2, 0, 0], (3, 1): [1, 0, 0], (None, 3): [1, 0, 0]}
