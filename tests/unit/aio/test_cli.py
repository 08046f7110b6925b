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

from ocx_swift.aio import cli, layout, procs
from ocx_swift.aio.layout import Layout


@pytest.fixture
def root(tmp_path):
    path = str(tmp_path / 'aio \u00e9')
    yield path
    procs.stop(path, timeout=1)


@pytest.mark.parametrize('argv', [['--help'], ['start', '--help'],
                                  ['status', '--help'], ['stop', '--help'],
                                  ['wipe', '--help']])
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
