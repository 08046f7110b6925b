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

"""The policy map: parsing, validation and placement choices."""

import pytest

from ocx_swift.exceptions import OcxConfigError, PlacementError
from ocx_swift.policy import OcxPolicy, PolicyMap, load_policy_config

SAMPLE = u'''
[policy:standard]
kind = replicated
default = yes

[policy:two]
kind = replicated
replicas = 2

[policy:r\u00e9sidence]
kind = pinned
landlords = l2

[policy:one-cluster]
kind = pinned
clusters = c3

[policy:xor]
kind = split
scheme = xor
n = 2

[policy:aont]
kind = split
scheme = aont-rs
n = 3
k = 2
segment_size = 65536
hide_names = yes
'''


def write(tmp_path, text):
    path = tmp_path / 'ocx-policies.conf'
    path.write_text(text, encoding='utf-8')
    return str(path)


def cluster(name, landlord, weight=1.0, **extra):
    return dict(name=name, landlord=landlord, weight=weight, **extra)


RING = [cluster('c1', 'l1'), cluster('c2', 'l2'), cluster('c3', 'l3'),
        cluster('c4', 'l1')]


def test_sample_parses(tmp_path):
    policies = load_policy_config(write(tmp_path, SAMPLE), 'gold')
    assert [p.name for p in policies] == [
        'aont', 'one-cluster', 'r\u00e9sidence', 'standard', 'two', 'xor']
    assert policies.default.name == 'standard'
    aont = policies.get('AONT')  # names compare case-insensitively
    assert (aont.scheme, aont.n, aont.k, aont.segment_size,
            aont.hide_names) == ('aont-rs', 3, 2, 65536, True)
    assert (aont.width, aont.read_quorum) == (3, 2)
    xor = policies.get('xor')
    assert (xor.k, xor.width, xor.read_quorum, xor.hide_names) == \
        (2, 2, 2, False)
    assert policies.get('two').width == 2
    assert policies.get('nope') is None
    info = policies.info()
    assert info['aont'] == {'kind': 'split', 'width': 3, 'read_quorum': 2,
                            'write_quorum': 3,
                            'scheme': 'aont-rs', 'n': 3, 'k': 2,
                            'segment_size': 65536, 'hide_names': True}
    assert info['standard']['default'] is True
    policies.check_ring(RING, ['c1', 'c2', 'c3', 'c4'])


def test_no_file_is_one_default_policy():
    policies = load_policy_config('', 'gold')
    assert len(policies) == 1
    assert policies.default.name == 'gold'
    assert policies.default.width == 1


@pytest.mark.parametrize('text, message', [
    ('[policy:a]\nkind = mirrored\n', "kind must be one of"),
    ('[policy:a]\nkind = split\nscheme = rot13\nn = 2\n',
     "scheme must be one of"),
    ('[policy:a]\nkind = split\nscheme = aont-rs\nn = 3\nk = 3\n',
     'aont-rs needs k < n'),
    ('[policy:a]\nkind = split\nscheme = xor\nn = 3\nk = 2\n',
     'xor needs every share'),
    ('[policy:a]\nkind = split\nscheme = xor\nn = 1\n',
     'n must be at least 2'),
    ('[policy:a]\nkind = replicated\nreplicas = two\n',
     'replicas must be an integer'),
    ('[policy:a]\nkind = replicated\nreplicas = 0\n',
     'replicas must be at least 1'),
    ('[policy:a]\nkind = pinned\n', 'needs landlords or clusters'),
    ('[policy:a]\nkind = replicated\ncolour = red\n',
     "unknown option(s) colour"),
    ('[policy:a]\nkind = replicated\n[policy:b]\nkind = replicated\n',
     'exactly one policy must have default = yes, found 0'),
    ('[policy:a]\nkind = replicated\ndefault = yes\n'
     '[policy:b]\nkind = replicated\ndefault = yes\n',
     'found 2 (a, b)'),
    ('[policy:a]\nkind = replicated\n[policy:A]\nkind = replicated\n',
     "duplicate policy 'A'"),
    ('[policy:bad name]\nkind = replicated\n', 'invalid policy name'),
    ('[cluster:x]\n', 'no [policy:<name>] section'),
])
def test_bad_files_are_refused_naming_the_problem(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(OcxConfigError) as caught:
        load_policy_config(path, 'gold')
    assert message in str(caught.value)
    assert path in str(caught.value)


def test_unreadable_file_is_refused(tmp_path):
    with pytest.raises(OcxConfigError) as caught:
        load_policy_config(str(tmp_path / 'missing.conf'), 'gold')
    assert 'cannot read policy config' in str(caught.value)


def test_policies_the_ring_cannot_satisfy_are_named():
    policies = PolicyMap([
        OcxPolicy('ok', 'replicated', replicas=2, is_default=True),
        OcxPolicy('wide', 'split', scheme='aont-rs', n=4, k=2),
        OcxPolicy('gone', 'pinned', landlords=('l9',)),
    ])
    with pytest.raises(OcxConfigError) as caught:
        policies.check_ring(RING)
    message = str(caught.value)
    assert "policy 'wide' (split aont-rs 2-of-4) needs 4 landlords" in \
        message
    assert 'the ring has 3 (l1, l2, l3)' in message
    assert "policy 'gone'" in message and 'among l9' in message
    assert "'ok'" not in message


def test_zero_weight_clusters_do_not_count_for_a_policy():
    ring = [cluster('c1', 'l1'), cluster('c2', 'l2', weight=0.0)]
    with pytest.raises(OcxConfigError):
        OcxPolicy('two', 'replicated', replicas=2).check_ring(ring)


def test_pinned_policy_naming_unknown_cluster_is_refused():
    policies = PolicyMap([OcxPolicy('p', 'pinned', clusters=('c9',),
                                    is_default=True)])
    with pytest.raises(OcxConfigError) as caught:
        policies.check_ring(RING, ['c1', 'c2'])
    assert "names unknown cluster(s) c9" in str(caught.value)


def test_choose_takes_distinct_landlords_in_ring_order():
    candidates = [cluster('c4', 'l1', index=0),
                  cluster('c1', 'l1', handoff_index=0),
                  cluster('c3', 'l3', handoff_index=1),
                  cluster('c2', 'l2', handoff_index=2)]
    two = OcxPolicy('two', 'replicated', replicas=2)
    assert [c['name'] for c in two.choose(candidates)] == ['c4', 'c3']
    split = OcxPolicy('s', 'split', scheme='xor', n=3, k=3)
    assert [c['name'] for c in split.choose(candidates)] == \
        ['c4', 'c3', 'c2']
    pinned = OcxPolicy('p', 'pinned', landlords=('l2',))
    assert [c['name'] for c in pinned.choose(candidates)] == ['c2']
    one = OcxPolicy('p', 'pinned', clusters=('c1',))
    assert [c['name'] for c in one.choose(candidates)] == ['c1']
    with pytest.raises(PlacementError) as caught:
        OcxPolicy('w', 'split', scheme='xor', n=4, k=4).choose(candidates)
    assert "policy 'w' needs 4 clusters of distinct landlords" in \
        str(caught.value)


def test_choose_skips_drained_handoffs():
    candidates = [cluster('c1', 'l1', index=0),
                  cluster('c2', 'l2', weight=0.0, handoff_index=0),
                  cluster('c3', 'l3', handoff_index=1)]
    two = OcxPolicy('two', 'replicated', replicas=2)
    assert [c['name'] for c in two.choose(candidates)] == ['c1', 'c3']


def test_description():
    assert OcxPolicy('a', 'split', scheme='aont-rs', n=3, k=2,
                     hide_names=True).description == \
        'split aont-rs 2-of-3, names hidden'
    assert OcxPolicy('p', 'pinned', landlords=('l1',)).description == \
        'pinned r=1 on l1'
    assert OcxPolicy('r', 'replicated', replicas=2).description == \
        'replicated r=2'


@pytest.mark.parametrize('options, quorum', [
    ({'kind': 'replicated', 'replicas': '3'}, 3),
    ({'kind': 'replicated', 'replicas': '3', 'min_copies': '1'}, 1),
    ({'kind': 'pinned', 'landlords': 'l1', 'replicas': '1'}, 1),
    ({'kind': 'split', 'scheme': 'aont-rs', 'n': '3', 'k': '2'}, 3),
    ({'kind': 'split', 'scheme': 'aont-rs', 'n': '4', 'k': '2',
      'min_shares': '3'}, 3),
    ({'kind': 'split', 'scheme': 'xor', 'n': '2'}, 2)])
def test_write_quorum(options, quorum):
    assert OcxPolicy.from_config('p', options).write_quorum == quorum


@pytest.mark.parametrize('options, message', [
    ({'kind': 'replicated', 'replicas': '2', 'min_copies': '3'},
     'min_copies must be at most replicas (2), got 3'),
    ({'kind': 'replicated', 'min_copies': '0'}, 'at least 1'),
    ({'kind': 'split', 'scheme': 'aont-rs', 'n': '3', 'k': '2',
      'min_shares': '1'}, 'min_shares must be from k = 2 to n = 3, got 1'),
    ({'kind': 'split', 'scheme': 'xor', 'n': '3', 'min_shares': '2'},
     'min_shares must be from k = 3 to n = 3')])
def test_bad_write_quorum_is_refused(options, message):
    with pytest.raises(OcxConfigError) as err:
        OcxPolicy.from_config('p', options)
    assert message in str(err.value)


def test_handoffs_skip_taken_landlords_and_disallowed_clusters():
    ring = [{'name': 'c%d' % i, 'landlord': 'l%d' % (i % 3), 'weight': 1}
            for i in range(1, 7)]
    ring[4]['weight'] = 0
    policy = OcxPolicy('p', 'replicated', replicas=1)
    taken = {'l1'}
    assert [c['name'] for c in policy.handoffs(ring, taken)] == ['c2', 'c3']
    assert taken == {'l0', 'l1', 'l2'}
    pinned = OcxPolicy('q', 'pinned', clusters=('c1', 'c3', 'c6'))
    assert [c['name'] for c in pinned.handoffs(ring, set())] == ['c1', 'c3']
