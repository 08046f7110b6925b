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

import pytest

from ocx_swift.aio import cli, control, layout, procs
from ocx_swift.aio.layout import Layout
from ocx_swift.config import load_cluster_config


@pytest.fixture
def root(tmp_path):
    path = str(tmp_path / 'aio \u00e9')
    yield path
    procs.stop(path, timeout=1)


@pytest.mark.parametrize('argv', [['--help'], ['start', '--help'],
                                  ['status', '--help'], ['stop', '--help'],
                                  ['wipe', '--help'],
                                  ['add-cluster', '--help']])
def test_help(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 0
    assert 'usage: ocx-aio' in capsys.readouterr().out


def test_status_and_stop_when_not_running(root, capsys):
    assert cli.main(['status', '--dir', root]) == 1
    out = capsys.readouterr()
    assert out.out == '' and 'is not running' in out.err
    assert cli.main(['stop', '--dir', root]) == 0
    assert 'nothing was running' in capsys.readouterr().err


def test_default_dir(monkeypatch, root, capsys):
    monkeypatch.setenv('OCX_AIO_DIR', root)
    assert cli.main(['status']) == 1
    assert root in capsys.readouterr().err


def test_start_refuses_a_running_dir(root, capsys):
    os.makedirs(root)
    procs.spawn(root, 'c1-proxy', ['/bin/sh', '-c', 'exec sleep 30'])
    assert cli.main(['start', '--dir', root]) == 1
    out = capsys.readouterr()
    assert out.out == '' and 'already running' in out.err


def test_status_prints_saved_lines(root, capsys):
    os.makedirs(root)
    procs.spawn(root, 'c1-proxy', ['/bin/sh', '-c', 'exec sleep 30'])
    lines = 'OCX_DIR=%s\nCLUSTER_c1_LANDLORD=landlord1\n' % root
    layout.write_private(os.path.join(root, layout.ENV_FILE), lines)
    assert cli.main(['status', '--dir', root]) == 0
    assert capsys.readouterr().out == lines
    procs.stop(root)
    assert cli.main(['status', '--dir', root]) == 1
    assert cli.main(['stop', '--dir', root]) == 0
    assert not os.path.exists(os.path.join(root, layout.ENV_FILE))


def test_start_refuses_a_different_shape(root, capsys):
    os.makedirs(root)
    Layout.new(root, 2, 2, None, os.path.join(root, 'storage'),
               'disk').save()
    assert cli.main(['start', '--dir', root, '--clusters', '3']) == 2
    out = capsys.readouterr()
    assert out.out == ''
    assert 'already holds a set of 2 clusters' in out.err
    assert procs.pid_files(root) == {}


@pytest.mark.parametrize('argv', [['start', '--clusters', '0'],
                                  ['start', '--storage', 'nfs'], []])
def test_bad_arguments(argv):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2


def test_add_cluster_needs_a_running_set(root, capsys):
    assert cli.main(['add-cluster', '--dir', root]) == 2
    out = capsys.readouterr()
    assert out.out == ''
    assert 'is not running: start the set first' in out.err


def test_add_cluster_registers_credentials_and_keeps_policy_lines(root):
    os.makedirs(os.path.join(root, 'exchange'))
    lay = Layout.new(root, 3, 3, None, os.path.join(root, 'st'), 'disk')
    saved = {k: v for k, v in lay.env() if not k.startswith('POLICY_')}
    saved['POLICY_only'] = 'replicated'  # what the exchange started with
    bigger, cluster = lay.with_new_cluster('landlord9')
    exchange = control.Exchange(bigger)
    with open(exchange.cluster_conf_path, 'w') as fp:
        fp.write('[cluster:c1]\n')
    control._register(root, bigger, saved)
    conf = load_cluster_config(exchange.cluster_conf_path)
    assert [c.name for c in conf] == ['c1', 'c2', 'c3', 'c4']
    assert conf['c4'].landlord == 'landlord9'
    assert conf['c4'].key == cluster.exchange_key
    with open(os.path.join(root, layout.ENV_FILE)) as fp:
        env = layout.parse_env(fp.read())
    assert env['CLUSTER_c4_LANDLORD'] == 'landlord9'
    assert [k for k in env if k.startswith('POLICY_')] == ['POLICY_only']
    assert oct(os.stat(exchange.cluster_conf_path).st_mode & 0o777) == \
        '0o600'


def test_start_refuses_tls_for_a_plain_set(root, capsys):
    os.makedirs(root)
    Layout.new(root, 2, 2, None, os.path.join(root, 'storage'),
               'disk').save()
    assert cli.main(['start', '--dir', root, '--tls']) == 2
    out = capsys.readouterr()
    assert 'already holds a set of 2 clusters' in out.err
    assert 'no TLS' in out.err
    assert procs.pid_files(root) == {}
