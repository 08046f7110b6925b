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

"""Draining a cluster: ``remove`` refuses while it holds objects, and
``rebalance``/``write_ring`` refuse a ring the proxies would refuse."""

import os

import pytest

from ocx_swift.cli.ringbuilder import EXIT_ERROR, EXIT_SUCCESS, main
from ocx_swift.mover import census
from ocx_swift.ring import io as ring_io
from tests.unit.fakes import FakeCluster

ACCOUNT = 'AUTH_t\u00e9st'
DRAINED = 'g\u00e8neve'


def run(capsys, *argv):
    code = main(['test.builder'] + list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(directory):
    found = {}
    for name in sorted(os.listdir(str(directory))):
        if not name.startswith('.'):
            with open(os.path.join(str(directory), name), 'rb') as fp:
                found[name] = fp.read()
    return found


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def drained(workdir, capsys):
    """Three clusters rebalanced, then one drained (weight 0)."""
    assert run(capsys, 'create', '--part-power', '6')[0] == EXIT_SUCCESS
    for name, landlord in (('c1', 'l1'), (DRAINED, 'l2'), ('c3', 'l3')):
        run(capsys, 'add', name, landlord, '1')
    run(capsys, 'rebalance', '--seed', '1')
    run(capsys, 'set_weight', DRAINED, '0')
    assert run(capsys, 'rebalance', '--seed', '1')[0] == EXIT_SUCCESS
    return workdir


@pytest.fixture
def landlord(drained, monkeypatch):
    """The drained cluster, reachable as a fake through its credentials."""
    cluster = FakeCluster(DRAINED)
    with open('ocx-clusters.conf', 'w', encoding='utf-8') as fp:
        for name in ('c1', DRAINED, 'c3'):
            fp.write('[cluster:%s]\nlandlord = l%s\nauth_url = '
                     'http://%s/auth/v1.0\nuser = %s\nkey = %s\n\n' % (
                         name, 2 if name == DRAINED else name[1], name,
                         cluster.user, cluster.key))
    real = census.client_for

    def client_for(conf, logger=None):
        client = real(conf, logger)
        client._pool_manager = cluster
        return client

    monkeypatch.setattr(census, 'client_for', client_for)
    return cluster


def remove_checked(capsys, *extra):
    return run(capsys, 'remove', DRAINED, '--clusters', 'ocx-clusters.conf',
               '--account', ACCOUNT, *extra)


def test_remove_refuses_unchecked_and_says_what_to_run(drained, capsys):
    before = snapshot(drained)
    code, out, err = run(capsys, 'remove', DRAINED)
    assert (code, out) == (EXIT_ERROR, '')
    assert err.startswith('Error: cluster %s has held partitions' % DRAINED)
    assert 'ocx-ring-builder test.builder remove %s --clusters ' \
        'ocx-clusters.conf --account ACCOUNT' % DRAINED in err
    assert 'set_weight %s 0, rebalance, ocx-mover' % DRAINED in err
    assert snapshot(drained) == before


def test_cluster_that_never_had_partitions_needs_no_check(drained, capsys):
    run(capsys, 'add', 'new', 'l4', '1')
    code, out, err = run(capsys, 'remove', 'new')
    assert (code, err) == (EXIT_SUCCESS, '')
    assert out.startswith('Cluster new (id 3) marked for removal')


def test_remove_refuses_while_the_cluster_holds_objects(landlord, capsys):
    landlord.put_object(ACCOUNT, 'caf\u00e9', 'a', b'1')
    landlord.put_object(ACCOUNT, 'caf\u00e9', 'b', b'2')
    landlord.put_container(ACCOUNT, 'empty')
    before = snapshot('.')
    code, out, err = remove_checked(capsys)
    assert (code, out) == (EXIT_ERROR, '')
    assert err == ('Error: cluster %s still holds 2 objects (%s: 2 in 1 '
                   "containers, e.g. 'caf\u00e9' 2); run ocx-mover until it "
                   'is done, then remove it\n' % (DRAINED, ACCOUNT))
    assert snapshot('.') == before


def test_remove_once_drained(landlord, capsys):
    landlord.put_container(ACCOUNT, 'caf\u00e9')
    code, out, err = remove_checked(capsys)
    assert (code, err) == (EXIT_SUCCESS, '')
    assert out.splitlines() == [
        'Cluster %s holds no objects of %s' % (DRAINED, ACCOUNT),
        'Cluster %s (id 1) marked for removal; rebalance to move its '
        'partitions away' % DRAINED]
    # the rebalance drops it, and with it the placement it drained
    assert run(capsys, 'rebalance', '--seed', '1')[0] == EXIT_SUCCESS
    ring = ring_io.read_ring('test.ring.gz')
    assert ring['previous'] is None
    assert [c and c['name'] for c in ring['clusters']] == ['c1', None, 'c3']


def test_account_stats_that_lag_are_shown_not_trusted(landlord, capsys,
                                                      monkeypatch):
    landlord.put_container(ACCOUNT, 'caf\u00e9')
    real = census.backend.head

    def lagging_head(client, path):
        headers = real(client, path)
        if headers is not None and path.count('/') == 1:
            headers['x-account-object-count'] = '7'
        return headers

    monkeypatch.setattr(census.backend, 'head', lagging_head)
    code, out, _err = remove_checked(capsys)
    assert code == EXIT_SUCCESS
    assert "(its account stats say 7: the landlord's container-updater " \
        'has not caught up yet)' in out


def test_unknown_account_holds_nothing(landlord, capsys):
    assert remove_checked(capsys)[0] == EXIT_SUCCESS


@pytest.mark.parametrize('extra, message', [
    (['--clusters', 'ocx-clusters.conf'], 'counting the objects of cluster '
     '%s needs both --clusters and --account' % DRAINED),
    (['--account', ACCOUNT], 'counting the objects of cluster %s needs '
     'both --clusters and --account' % DRAINED),
    (['--clusters', 'nope.conf', '--account', ACCOUNT],
     'cannot read cluster config nope.conf'),
])
def test_remove_check_needs_both(landlord, capsys, extra, message):
    before = snapshot('.')
    code, out, err = run(capsys, 'remove', DRAINED, *extra)
    assert (code, out) == (EXIT_ERROR, '')
    assert message in err
    assert snapshot('.') == before


def test_remove_check_of_a_cluster_without_credentials(landlord, capsys):
    with open('other.conf', 'w') as fp:
        fp.write('[cluster:c1]\nlandlord = l1\nauth_url = http://c1/auth\n'
                 'user = u\nkey = k\n')
    code, _out, err = run(capsys, 'remove', DRAINED, '--clusters',
                          'other.conf', '--account', ACCOUNT)
    assert code == EXIT_ERROR
    assert err == ('Error: other.conf has no [cluster:%s] section: cannot '
                   'count the objects of cluster %s\n' % (DRAINED, DRAINED))


def test_remove_check_of_a_cluster_that_is_down(landlord, capsys):
    landlord.fail(503)
    before = snapshot('.')
    code, _out, err = remove_checked(capsys)
    assert code == EXIT_ERROR
    assert err.startswith('Error: cannot count the objects of cluster %s: '
                          "cluster '%s' unavailable" % (DRAINED, DRAINED))
    assert snapshot('.') == before


def test_force_removes_unchecked(drained, capsys):
    code, out, _err = run(capsys, 'remove', DRAINED, '--force')
    assert code == EXIT_SUCCESS
    assert out.startswith('NOTE: not checked whether cluster %s still '
                          'holds objects (--force)' % DRAINED)


# -- a ring the proxies would refuse --------------------------------------


def test_rebalance_refuses_a_cluster_without_credentials(landlord, capsys):
    run(capsys, 'add', 'c\u00e9-4', 'l4', '1')
    before = snapshot('.')
    code, out, err = run(capsys, 'rebalance', '--seed', '2', '--clusters',
                         'ocx-clusters.conf')
    assert (code, out) == (EXIT_ERROR, '')
    assert err == ("Error: the proxies would refuse this ring: ring cluster "
                   "'c\u00e9-4' has no [cluster:c\u00e9-4] section (no "
                   'credentials)\n')
    assert snapshot('.') == before
    with open('ocx-clusters.conf', 'a') as fp:
        fp.write('[cluster:c\u00e9-4]\nlandlord = l4\nauth_url = '
                 'http://c4/auth\nuser = u\nkey = k\n')
    assert run(capsys, 'rebalance', '--seed', '2', '--clusters',
               'ocx-clusters.conf')[0] == EXIT_SUCCESS


def test_write_ring_refuses_a_landlord_mismatch(landlord, capsys):
    text = open('ocx-clusters.conf').read().replace('landlord = l3',
                                                    'landlord = other')
    with open('ocx-clusters.conf', 'w') as fp:
        fp.write(text)
    before = snapshot('.')
    code, out, err = run(capsys, 'write_ring', '--clusters',
                         'ocx-clusters.conf')
    assert (code, out) == (EXIT_ERROR, '')
    assert "ring cluster 'c3' has landlord 'l3' but the cluster config " \
        "says 'other'" in err
    assert snapshot('.') == before
