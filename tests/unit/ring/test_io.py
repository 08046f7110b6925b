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

import base64
import copy
import gzip
import json
import os
import stat
from array import array

import pytest

from ocx_swift.exceptions import RingLoadError
from ocx_swift.ring import io as ring_io

LANDLORD = 'T\u00e9l\u00e9 Land'  # non-ASCII landlord name


def make_ring_data(part_power=3, generation=1, previous=None):
    """Hand-made ring data: 8 partitions, 2 replicas, 3 clusters (1 gone)."""
    parts = 2 ** part_power
    clusters = [
        {'id': 0, 'name': 'c\u00e9', 'landlord': LANDLORD, 'weight': 1.0,
         'region': 0},
        None,
        {'id': 2, 'name': 'c2', 'landlord': 'l2', 'weight': 2.5,
         'region': 1}]
    return {'part_power': part_power, 'replicas': 2, 'salt': 'ab' * 16,
            'generation': generation, 'clusters': clusters,
            'replica2part2cluster': [array('H', [0] * parts),
                                     array('H', [2] * parts)],
            'previous': previous}


def write_doc(path, doc):
    with open(path, 'wb') as fp:
        fp.write(gzip.compress(json.dumps(doc).encode('utf-8')))


def test_part2cluster_encoding_is_little_endian_uint16():
    text = ring_io.encode_part2cluster([1, 0x0102, 0xFFFE])
    assert base64.b64decode(text) == b'\x01\x00\x02\x01\xfe\xff'
    assert ring_io.decode_part2cluster(text, 3) == array(
        'H', [1, 0x0102, 0xFFFE])


def test_ring_round_trip(tmp_path):
    path = str(tmp_path / 'ocx.ring.gz')
    data = make_ring_data()
    ring_io.write_ring(path, data)
    assert ring_io.read_ring(path) == data
    with open(path, 'rb') as fp:
        doc = json.loads(gzip.decompress(fp.read()).decode('utf-8'))
    assert doc['magic'] == 'ocx-ring'
    assert doc['format_version'] == 1
    assert doc['clusters'][0]['landlord'] == LANDLORD


def test_ring_round_trip_with_previous(tmp_path):
    path = str(tmp_path / 'ocx.ring.gz')
    previous = make_ring_data()
    previous = {'generation': 1, 'clusters': previous['clusters'],
                'replica2part2cluster': previous['replica2part2cluster'][::-1]}
    data = make_ring_data(generation=2, previous=previous)
    ring_io.write_ring(path, data)
    assert ring_io.read_ring(path)['previous'] == previous


def test_write_is_atomic_readable_and_reproducible(tmp_path):
    path = str(tmp_path / 'ocx.ring.gz')
    ring_io.write_ring(path, make_ring_data())
    with open(path, 'rb') as fp:
        first = fp.read()
    ring_io.write_ring(path, make_ring_data())
    with open(path, 'rb') as fp:
        assert fp.read() == first
    assert sorted(os.listdir(str(tmp_path))) == ['ocx.ring.gz']
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_write_refuses_invalid_data_and_keeps_old_file(tmp_path):
    path = str(tmp_path / 'ocx.ring.gz')
    ring_io.write_ring(path, make_ring_data())
    bad = make_ring_data(generation=2)
    bad['replica2part2cluster'][1][5] = 1  # cluster 1 was removed
    with pytest.raises(RingLoadError, match='cluster id 1'):
        ring_io.write_ring(path, bad)
    assert ring_io.read_ring(path)['generation'] == 1
    assert os.listdir(str(tmp_path)) == ['ocx.ring.gz']


def test_write_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ring_io.write_ring('rel.ring.gz', make_ring_data())
    assert ring_io.read_ring('rel.ring.gz')['generation'] == 1


def test_missing_file(tmp_path):
    path = str(tmp_path / 'nope.ring.gz')
    with pytest.raises(RingLoadError) as caught:
        ring_io.read_ring(path)
    assert str(caught.value) == \
        '%s: cannot read: No such file or directory' % path


def test_not_gzip(tmp_path):
    path = str(tmp_path / 'ocx.ring.gz')
    with open(path, 'wb') as fp:
        fp.write(b'{"magic": "ocx-ring"}')
    with pytest.raises(RingLoadError, match='not a gzip file'):
        ring_io.read_ring(path)


def test_truncated_gzip(tmp_path):
    path = str(tmp_path / 'ocx.ring.gz')
    ring_io.write_ring(path, make_ring_data())
    with open(path, 'rb') as fp:
        raw = fp.read()
    with open(path, 'wb') as fp:
        fp.write(raw[:len(raw) // 2])
    with pytest.raises(RingLoadError, match='truncated'):
        ring_io.read_ring(path)


def test_not_json(tmp_path):
    path = str(tmp_path / 'ocx.ring.gz')
    with open(path, 'wb') as fp:
        fp.write(gzip.compress(b'\x80 not json'))
    with pytest.raises(RingLoadError, match='not valid JSON'):
        ring_io.read_ring(path)


def test_pickle_is_not_accepted(tmp_path):
    import pickle
    path = str(tmp_path / 'ocx.ring.gz')
    with open(path, 'wb') as fp:
        fp.write(gzip.compress(pickle.dumps({'magic': 'ocx-ring'})))
    with pytest.raises(RingLoadError, match='not valid JSON'):
        ring_io.read_ring(path)


def _set(key, value):
    def mutate(doc):
        doc[key] = value
    return mutate


def _set_cluster(index, key, value):
    def mutate(doc):
        doc['clusters'][index][key] = value
    return mutate


def _table(replica, ids):
    def mutate(doc):
        doc['replica2part2cluster'][replica] = ids if isinstance(
            ids, str) else ring_io.encode_part2cluster(ids)
    return mutate


def _previous(**changes):
    def mutate(doc):
        prev = {'generation': 1, 'clusters': copy.deepcopy(doc['clusters']),
                'replica2part2cluster': list(doc['replica2part2cluster'])}
        prev.update(changes)
        doc['previous'] = prev
    return mutate


@pytest.mark.parametrize('mutate, message', [
    (_set('magic', 'ocx-ring-builder'), "bad magic 'ocx-ring-builder'"),
    (_set('magic', None), 'bad magic None'),
    (_set('format_version', 2), 'unknown format_version 2'),
    (_set('format_version', '1'), "unknown format_version '1'"),
    (_set('part_power', 21), 'part_power 21 is not an integer in 0..20'),
    (_set('part_power', True), 'part_power True'),
    (_set('replicas', 0), 'replicas 0 is not a positive integer'),
    (_set('replicas', 3), 'has 2 tables for 3 replicas'),
    (_set('generation', -1), 'generation -1'),
    (_set('salt', ''), 'salt'),
    (_set('salt', 'xyz'), "salt 'xyz' is not a non-empty hex string"),
    (_set('clusters', {}), 'clusters must be a list'),
    (_set('replica2part2cluster', []), 'must be a non-empty list'),
    (_table(1, '!!'), 'not valid base64'),
    (_set_cluster(0, 'id', 1), 'cluster entry 0 has id 1'),
    (_set_cluster(2, 'name', 'c\u00e9'), "cluster name 'c\u00e9' appears "
     "twice"),
    (_set_cluster(0, 'weight', -1), 'cluster 0 has a bad weight -1'),
    (_set_cluster(0, 'weight', float('nan')), 'cluster 0 has a bad weight '
     'nan'),
    (_set_cluster(0, 'region', 'r'), "cluster 0 has a bad region 'r'"),
    (_set_cluster(2, 'landlord', ''), "cluster 2 has a bad landlord ''"),
    (_table(0, [0] * 7), 'partition table has 14 bytes, expected 16'),
    (_table(0, [0] * 7 + [1]), 'replica 0 uses cluster id 1, which is out '
     'of range or removed'),
    (_table(1, [2] * 7 + [3]), 'replica 1 uses cluster id 3'),
    (_table(1, [2] * 6 + [0, 2]), 'partition 6 has replicas 0 and 1 on '
     'cluster 0'),
    (_previous(generation=1), None),
    (_previous(generation=2), 'previous generation 2 is not in 1..1'),
    (_previous(clusters=[None]), '(previous): replica 0 uses cluster id 0'),
])
def test_bad_ring_document(tmp_path, mutate, message):
    path = str(tmp_path / 'ocx.ring.gz')
    doc = ring_io.ring_to_json(make_ring_data(generation=2))
    mutate(doc)
    write_doc(path, doc)
    if message is None:
        assert ring_io.read_ring(path)['previous']['generation'] == 1
        return
    with pytest.raises(RingLoadError) as caught:
        ring_io.read_ring(path)
    assert str(caught.value).startswith(path)
    assert message in str(caught.value)


def test_missing_cluster_keys(tmp_path):
    path = str(tmp_path / 'ocx.ring.gz')
    doc = ring_io.ring_to_json(make_ring_data())
    del doc['clusters'][2]['landlord']
    del doc['clusters'][2]['region']
    write_doc(path, doc)
    with pytest.raises(RingLoadError,
                       match='cluster entry 2 lacks landlord, region'):
        ring_io.read_ring(path)


def _builder_state():
    from swift.common.ring.builder import RingBuilder
    rb = RingBuilder(4, 2, 0)
    for dev_id, name in enumerate(['a\u00e9', 'b', 'c']):
        rb.add_dev({'id': dev_id, 'region': dev_id, 'zone': dev_id,
                    'ip': '127.0.0.1', 'port': 6000, 'device': name,
                    'weight': 1.0, 'landlord': LANDLORD})
    rb.rebalance(seed=3)
    rb.remove_dev(1)
    return {'salt': '01' * 16, 'landlords': {LANDLORD: 0},
            'next_cluster_id': 3, 'builder': rb.to_dict()}


def test_builder_round_trip(tmp_path):
    path = str(tmp_path / 'ocx.builder')
    state = _builder_state()
    ring_io.write_builder(path, state)
    loaded = ring_io.read_builder(path)
    assert loaded['salt'] == state['salt']
    assert loaded['landlords'] == {LANDLORD: 0}
    assert loaded['next_cluster_id'] == 3
    builder = loaded['builder']
    assert builder['_replica2part2dev'] == state['builder'][
        '_replica2part2dev']
    assert builder['_last_part_moves'] == state['builder'][
        '_last_part_moves']
    assert builder['devs'][0]['device'] == 'a\u00e9'
    # the pending removal is the very dict in devs, as with pickle
    assert builder['_remove_devs'][0] is builder['devs'][1]
    with open(path, 'rb') as fp:
        doc = json.loads(gzip.decompress(fp.read()).decode('utf-8'))
    assert doc['magic'] == 'ocx-ring-builder'
    assert doc['builder']['_remove_devs'] == [1]


def test_ring_file_is_not_a_builder_file(tmp_path):
    path = str(tmp_path / 'ocx.ring.gz')
    ring_io.write_ring(path, make_ring_data())
    with pytest.raises(RingLoadError, match="bad magic 'ocx-ring' "
                       "\\(expected 'ocx-ring-builder'\\)"):
        ring_io.read_builder(path)


@pytest.mark.parametrize('key, value, message', [
    ('salt', 'zz', 'lacks a valid salt'),
    ('next_cluster_id', None, 'next_cluster_id'),
    ('landlords', {'x': 'zero'}, 'landlords'),
    ('builder', [], 'builder section is missing'),
])
def test_bad_builder_document(tmp_path, key, value, message):
    path = str(tmp_path / 'ocx.builder')
    doc = ring_io.builder_to_json(_builder_state())
    doc[key] = value
    write_doc(path, doc)
    with pytest.raises(RingLoadError, match=message):
        ring_io.read_builder(path)


def test_builder_with_bad_removal_list(tmp_path):
    path = str(tmp_path / 'ocx.builder')
    doc = ring_io.builder_to_json(_builder_state())
    doc['builder']['_remove_devs'] = [7]
    write_doc(path, doc)
    with pytest.raises(RingLoadError, match='_remove_devs does not match'):
        ring_io.read_builder(path)
