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

import os
import stat

import pytest

from ocx_swift.aio import layout
from ocx_swift.aio.layout import Layout

ROOT = '/srv/ocx-aio \u00e9'


def make(n_clusters=3, n_landlords=3, port=None):
    return Layout.new(ROOT, n_clusters, n_landlords, port,
                      '/dev/shm/ocx-aio-x', 'tmpfs')


def test_clusters_round_robin_over_landlords():
    lay = make(5, 2)
    assert [(c.name, c.landlord) for c in lay.clusters] == [
        ('c1', 'landlord1'), ('c2', 'landlord2'), ('c3', 'landlord1'),
        ('c4', 'landlord2'), ('c5', 'landlord1')]
    assert lay.landlords == ['landlord1', 'landlord2']


def test_more_landlords_than_clusters():
    assert make(2, 5).landlords == ['landlord1', 'landlord2']


def test_ports_distinct_and_fixed_exchange_port():
    lay = make(4, 2, port=1)
    assert lay.exchange.port == 1
    assert len(set(lay.all_ports())) == layout.EXCHANGE_PORTS + 4 * 5
    assert set(lay.clusters[0].ports) == set(layout.CLUSTER_SERVICES)


def test_secrets_differ_per_cluster():
    lay = make(3)
    assert len({c.exchange_key for c in lay.clusters}) == 3
    salts = {c.hash_suffix for c in lay.clusters} | {lay.exchange.hash_suffix}
    assert len(salts) == 4


def test_nonsense_counts():
    with pytest.raises(ValueError):
        make(0, 1)
    with pytest.raises(ValueError):
        make(1, 0)


def test_json_round_trip(tmp_path):
    lay = Layout.new(str(tmp_path), 2, 1, None, str(tmp_path / 's'), 'disk')
    lay.save()
    assert Layout.load(str(tmp_path)) == lay
    mode = os.stat(tmp_path / layout.LAYOUT_FILE).st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert Layout.load(str(tmp_path / 'nowhere')) is None


def test_unknown_version_refused():
    text = make().to_json().replace('"version": 1', '"version": 99')
    with pytest.raises(ValueError):
        Layout.from_json(text)


def test_env_keys_and_order():
    lay = make(2, 2)
    pairs = lay.env()
    keys = [k for k, _ in pairs]
    assert keys[:14] == [
        'OCX_DIR', 'OCX_AUTH_URL', 'OCX_USER', 'OCX_KEY', 'OCX_USER2',
        'OCX_KEY2', 'OCX_S3_ENDPOINT', 'OCX_S3_ACCESS_KEY',
        'OCX_S3_SECRET_KEY', 'OCX_RING', 'OCX_RING_BUILDER',
        'OCX_CLUSTER_CONF', 'OCX_POLICY_CONF', 'OCX_PROXY_CONF']
    assert keys[14:22] == ['CLUSTER_%s_%s' % (c, k) for c in ('c1', 'c2')
                           for k in ('AUTH_URL', 'USER', 'KEY', 'LANDLORD')]
    # one example policy of each kind two landlords can hold
    assert pairs[22:] == [('POLICY_standard', 'replicated'),
                          ('POLICY_replicated2', 'replicated'),
                          ('POLICY_pinned', 'pinned'),
                          ('POLICY_xor', 'split')]
    assert dict(make(3, 3).env())['POLICY_aont'] == 'split'
    env = dict(pairs)
    url = 'http://127.0.0.1:%d' % lay.exchange.port
    assert env['OCX_AUTH_URL'] == url + '/auth/v1.0'
    assert env['OCX_S3_ENDPOINT'] == url
    assert env['OCX_DIR'] == ROOT
    assert env['OCX_RING'] == ROOT + '/exchange/ocx.ring.gz'
    assert env['CLUSTER_c2_LANDLORD'] == 'landlord2'
    assert env['CLUSTER_c1_AUTH_URL'] == 'http://127.0.0.1:%d/auth/v1.0' % (
        lay.clusters[0].ports['proxy'])
    # the exchange's service key is never printed
    assert not any(c.exchange_key in v for c in lay.clusters
                   for v in env.values())


def test_format_parse_round_trip():
    pairs = make().env()
    text = layout.format_env(pairs)
    assert text.count('\n') == len(pairs) and text.endswith('\n')
    assert layout.parse_env(text) == dict(pairs)


def test_parse_env_tolerates_shell_forms():
    text = ('# a comment\n\nexport A=1\nB = two=2 \nC="quoted \u00e9"\n'
            "D='x'\nE=\n")
    assert layout.parse_env(text) == {
        'A': '1', 'B': 'two=2', 'C': 'quoted \u00e9', 'D': 'x', 'E': ''}


@pytest.mark.parametrize('line', ['no equals', '=value', 'BAD-KEY=1',
                                  'SP ACE=1'])
def test_parse_env_rejects(line):
    with pytest.raises(ValueError) as caught:
        layout.parse_env('OK=1\n' + line)
    assert 'line 2' in str(caught.value)


def test_new_cluster_continues_the_set(monkeypatch):
    lay = make(3, 2)
    bigger, cluster = lay.with_new_cluster()
    assert (cluster.name, cluster.landlord) == ('c4', 'landlord2')
    assert bigger.clusters == lay.clusters + (cluster,)
    assert len(set(bigger.all_ports())) == layout.EXCHANGE_PORTS + 4 * 5
    assert cluster.exchange_key not in {c.exchange_key for c in lay.clusters}
    assert ('CLUSTER_c4_LANDLORD', 'landlord2') in bigger.env()
    own, named = bigger.with_new_cluster('l\u00e4ndlord')
    assert (named.name, named.landlord) == ('c5', 'l\u00e4ndlord')
    assert own.landlords == ['landlord1', 'landlord2', 'l\u00e4ndlord']
    assert layout.cluster_env(named) == [
        ('CLUSTER_c5_AUTH_URL', named.auth_url),
        ('CLUSTER_c5_USER', layout.TENANT_USER),
        ('CLUSTER_c5_KEY', layout.TENANT_KEY),
        ('CLUSTER_c5_LANDLORD', 'l\u00e4ndlord')]
