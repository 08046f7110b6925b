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
import sys

import pytest

from ocx_swift.cli import ringbuilder
from ocx_swift.cli.ringbuilder import EXIT_ERROR, EXIT_SUCCESS, \
    EXIT_WARNING, main
from ocx_swift.ring import io as ring_io
from ocx_swift.ring.ring import ClusterRing

STUB_DIR = os.path.dirname(os.path.abspath(__file__))
LANDLORD = 'T\u00e9l\u00e9 Land'

# Each step: arguments after the builder file, expected exit code.
GOLDEN_STEPS = [
    (['create', '--part-power', '10', '--replicas', '2'], EXIT_SUCCESS),
    (['add', 'c1', LANDLORD, '1'], EXIT_SUCCESS),
    (['add', 'c2', 'l2', '1'], EXIT_SUCCESS),
    (['add', 'z\u00fcrich', 'l3', '2'], EXIT_SUCCESS),
    (['add', 'c4', LANDLORD, '1'], EXIT_SUCCESS),
    (['rebalance', '--seed', '1'], EXIT_SUCCESS),
    (['show'], EXIT_SUCCESS),
    (['rebalance', '--seed', '1'], EXIT_WARNING),
    (['set_weight', 'z\u00fcrich', '1'], EXIT_SUCCESS),
    (['remove', 'c4'], EXIT_SUCCESS),
    (['show'], EXIT_SUCCESS),
    (['rebalance', '--seed', '2'], EXIT_SUCCESS),
    (['write_ring'], EXIT_SUCCESS),
    ([], EXIT_SUCCESS),
]


def run(capsys, *argv):
    """Run main() and return (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(directory):
    """Map each visible file to its bytes (lock files ignored)."""
    found = {}
    for name in sorted(os.listdir(str(directory))):
        if not name.startswith('.'):
            with open(os.path.join(str(directory), name), 'rb') as fp:
                found[name] = fp.read()
    return found


def test_default_output(workdir, capsys):
    transcript = []
    for args, expected in GOLDEN_STEPS:
        code, out, err = run(capsys, 'test.builder', *args)
        assert (code, err) == (expected, ''), (args, out, err)
        transcript.append('$ ocx-ring-builder %s\n%s[exit %d]\n' % (
            ' '.join(['test.builder'] + args), out, code))
    with open(os.path.join(STUB_DIR, 'test_default_output.stub'),
              encoding='utf-8') as fp:
        assert ''.join(transcript) == fp.read()
    ring = ClusterRing('test.ring.gz')
    assert ring.generation == 3
    assert [c['name'] for c in ring.clusters] == ['c1', 'c2', 'z\u00fcrich']


def create(capsys, *extra):
    code, out, err = run(capsys, 'test.builder', 'create',
                         '--part-power', '6', *extra)
    assert code == EXIT_SUCCESS, err
    for name, landlord in (('c1', LANDLORD), ('c2', 'l2')):
        assert run(capsys, 'test.builder', 'add', name, landlord,
                   '1')[0] == EXIT_SUCCESS


@pytest.mark.parametrize('args, message', [
    (['set_weight', 'nope', '1'], "Error: unknown cluster 'nope'\n"),
    (['remove', 'nope'], "Error: unknown cluster 'nope'\n"),
    (['set_weight', 'c1', '-1'],
     'Error: weight must not be negative, got -1.0\n'),
    (['add', 'c3', 'l3', '-0.5'],
     'Error: weight must not be negative, got -0.5\n'),
    (['add', 'c3', 'l3', 'heavy'],
     "Error: weight must be a number, got 'heavy'\n"),
    (['add', 'c1', 'l3', '1'], "Error: cluster 'c1' already exists\n"),
    (['add', 'a/b', 'l3', '1'], "Error: cluster name 'a/b' is not allowed: "
     'use at most 64 printable characters, no "/", no spaces\n'),
    (['create'], 'Error: test.builder already exists; refusing to replace '
     'it\n'),
])
def test_bad_input_is_refused_and_nothing_written(workdir, capsys, args,
                                                  message):
    create(capsys)
    before = snapshot(workdir)
    code, out, err = run(capsys, 'test.builder', *args)
    assert (code, out, err) == (EXIT_ERROR, '', message)
    assert snapshot(workdir) == before


def test_missing_builder_file(workdir, capsys):
    for args in (['add', 'c1', 'l1', '1'], ['rebalance'], ['show'], []):
        code, out, err = run(capsys, 'missing.builder', *args)
        assert code == EXIT_ERROR
        assert err == ('Error: builder file missing.builder does not '
                       'exist; make one with: ocx-ring-builder '
                       'missing.builder create\n')
    assert snapshot(workdir) == {}


def test_builder_file_must_come_first(workdir, capsys):
    code, out, err = run(capsys, 'create')
    assert code == EXIT_ERROR
    assert 'BUILDER_FILE comes before the command' in err
    assert snapshot(workdir) == {}


def test_rebalance_with_nothing_to_do_warns(workdir, capsys):
    create(capsys)
    assert run(capsys, 'test.builder', 'rebalance', '--seed', '3')[0] == \
        EXIT_SUCCESS
    before = snapshot(workdir)
    code, out, err = run(capsys, 'test.builder', 'rebalance')
    assert (code, err) == (EXIT_WARNING, '')
    assert out == ('Warning: no partitions could be reassigned: there is '
                   'no need to do so at this time\n')
    assert snapshot(workdir) == before


def test_rebalance_errors_exit_2(workdir, capsys):
    run(capsys, 'test.builder', 'create', '--part-power', '4')
    code, out, err = run(capsys, 'test.builder', 'rebalance')
    assert code == EXIT_ERROR
    assert err == ('Error: the builder has no clusters; add some before '
                   'rebalancing\n')
    assert sorted(snapshot(workdir)) == ['test.builder']


def test_rebalance_and_write_ring_to_another_path(workdir, capsys):
    create(capsys, '--replicas', '2')
    code, out, err = run(capsys, 'test.builder', 'rebalance', '--seed', '1',
                         '--ring', 'elsewhere.ring.gz')
    assert (code, err) == (EXIT_SUCCESS, '')
    assert out.endswith('Wrote elsewhere.ring.gz generation 1 (previous '
                        'placement: none)\n')
    assert sorted(snapshot(workdir)) == ['elsewhere.ring.gz', 'test.builder']
    code, out, err = run(capsys, 'test.builder', 'write_ring', '--ring',
                         'elsewhere.ring.gz')
    assert out == ('Wrote elsewhere.ring.gz generation 2 (previous '
                   'placement: none)\n')
    assert ring_io.read_ring('elsewhere.ring.gz')['generation'] == 2


def test_rebalance_warns_about_shared_landlords(workdir, capsys):
    run(capsys, 'test.builder', 'create', '--part-power', '4',
        '--replicas', '2')
    run(capsys, 'test.builder', 'add', 'a1', 'A', '1')
    run(capsys, 'test.builder', 'add', 'a2', 'A', '1')
    code, out, err = run(capsys, 'test.builder', 'rebalance', '--seed', '1')
    assert code == EXIT_WARNING
    assert 'WARNING: 16 partitions have two or more replicas with one ' \
        'landlord' in out
    assert ClusterRing('test.ring.gz').generation == 1


def test_show_reports_an_out_of_date_or_broken_ring(workdir, capsys):
    create(capsys)
    run(capsys, 'test.builder', 'rebalance', '--seed', '1')
    run(capsys, 'test.builder', 'add', 'c3', 'l3', '1')
    run(capsys, 'test.builder', 'rebalance', '--seed', '1', '--ring',
        'other.ring.gz')
    code, out, err = run(capsys, 'test.builder', 'show')
    assert code == EXIT_SUCCESS
    assert ('ring test.ring.gz: generation 1, differs from the builder '
            '(run write_ring)\n') in out
    with open('test.ring.gz', 'wb') as fp:
        fp.write(b'junk')
    code, out, err = run(capsys, 'test.builder', 'show')
    assert code == EXIT_WARNING
    assert 'ring test.ring.gz: unreadable (test.ring.gz: not a gzip' in out


@pytest.mark.parametrize('command, text', [
    ([], 'build the cluster ring'),
    (['create'], 'fresh random salt'),
    (['add'], 'Add a cluster owned by LANDLORD'),
    (['set_weight'], 'Set the weight of cluster NAME'),
    (['remove'], 'Mark cluster NAME for removal'),
    (['rebalance'], '--seed'),
    (['write_ring'], 'without rebalancing'),
    (['show'], 'Show the builder'),
])
def test_help(workdir, capsys, command, text):
    code, out, err = run(capsys, 'x.builder', *(command + ['--help']))
    assert code == EXIT_SUCCESS
    assert text in out
    assert not os.path.exists('x.builder')


def test_usage_error_exits_2(workdir, capsys):
    code, out, err = run(capsys, 'test.builder', 'add', 'only-a-name')
    assert code == EXIT_ERROR
    assert 'the following arguments are required: LANDLORD, WEIGHT' in err
    code, out, err = run(capsys, 'test.builder', 'bogus')
    assert code == EXIT_ERROR
    assert "invalid choice: 'bogus'" in err


def test_error_handling_main(workdir, capsys, monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['ocx-ring-builder', 'test.builder',
                                      'create', '--part-power', '4'])
    with pytest.raises(SystemExit) as caught:
        ringbuilder.error_handling_main()
    assert caught.value.code == EXIT_SUCCESS
    monkeypatch.setattr(sys, 'argv', ['ocx-ring-builder', 'test.builder',
                                      'set_weight', 'nope', '1'])
    with pytest.raises(SystemExit) as caught:
        ringbuilder.error_handling_main()
    assert caught.value.code == EXIT_ERROR
    capsys.readouterr()

    def crash(argv=None):
        raise KeyError('multi\nline')

    monkeypatch.setattr(ringbuilder, 'main', crash)
    with pytest.raises(SystemExit) as caught:
        ringbuilder.error_handling_main()
    assert caught.value.code == EXIT_ERROR
    assert capsys.readouterr().err == \
        "ocx-ring-builder: unexpected KeyError: 'multi\\nline'\n"
