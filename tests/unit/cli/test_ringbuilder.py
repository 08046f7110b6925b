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

import json
import os
import re
import shutil
import sys

import pytest

from swift.common.swob import str_to_wsgi

from ocx_swift.cli import ringbuilder
from ocx_swift.cli.ringbuilder import EXIT_ERROR, EXIT_SUCCESS, \
    EXIT_WARNING, main
from ocx_swift.ring import io as ring_io
from ocx_swift.ring.builder import ClusterRingBuilder
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
    (['pretend', '--seed', '1'], EXIT_SUCCESS),
    (['rebalance', '--seed', '1'], EXIT_SUCCESS),
    (['show'], EXIT_SUCCESS),
    (['dispersion'], EXIT_SUCCESS),
    (['rebalance', '--seed', '1'], EXIT_WARNING),
    (['pretend', '--seed', '1'], EXIT_WARNING),
    (['set_weight', 'z\u00fcrich', '1'], EXIT_SUCCESS),
    (['remove', 'c4', '--force'], EXIT_SUCCESS),
    (['show'], EXIT_SUCCESS),
    (['pretend', '--seed', '2', '--listing', 'listing.txt'], EXIT_SUCCESS),
    (['rebalance', '--seed', '2'], EXIT_SUCCESS),
    (['write_ring'], EXIT_SUCCESS),
    ([], EXIT_SUCCESS),
]
#: The golden run pins the salt, so that listed objects land repeatably.
GOLDEN_SALT = '0123456789abcdef0123456789abcdef'
#: One listing line per object, in every accepted form.
LISTING_LINES = (
    [json.dumps({'path': 'AUTH_t\u00e9st/caf\u00e9/\u2615 %d' % i,
                 'bytes': 1000 * i}, ensure_ascii=i % 2 == 0)
     for i in range(30)] +
    ['AUTH_test/c/obj%d\t%d' % (i, i) for i in range(30)] +
    ['', '/AUTH_test/c/dir/\u00fc'] +
    ['AUTH_test/c/dir/%d' % i for i in range(20)])


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


def write_listing(name, lines=LISTING_LINES):
    with open(name, 'w', encoding='utf-8') as fp:
        fp.write(''.join(line + '\n' for line in lines))


def pin_salt(builder_file, salt=GOLDEN_SALT):
    builder = ClusterRingBuilder.load(builder_file)
    builder.salt = salt
    builder.save(builder_file)


def transcript_entry(args, code, out, err):
    errors = ''.join('(stderr) %s\n' % line for line in err.splitlines())
    return '$ ocx-ring-builder %s\n%s%s[exit %d]\n' % (
        ' '.join(['test.builder'] + args), out, errors, code)


def test_default_output(workdir, capsys):
    write_listing('listing.txt')
    transcript = []
    for args, expected in GOLDEN_STEPS:
        code, out, err = run(capsys, 'test.builder', *args)
        assert code == expected, (args, out, err)
        transcript.append(transcript_entry(args, code, out, err))
        if args[0:1] == ['create']:
            pin_salt('test.builder')
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
    (['set_weight', 'c1', 'heavy'],
     "Error: weight must be a number, got 'heavy'\n"),
    (['set_weight', 'c1', 'nan'],
     'Error: weight must be a finite number, got nan\n'),
    (['set_weight', 'c1', '1e999'],
     'Error: weight must be a finite number, got inf\n'),
    (['set_weight', 'c1'], 'Error: the following arguments are required: '
     'WEIGHT (see ocx-ring-builder BUILDER_FILE set_weight --help)\n'),
    (['rebalance', '--seed', 'x'], "Error: argument --seed: invalid int "
     "value: 'x' (see ocx-ring-builder BUILDER_FILE rebalance --help)\n"),
    (['dispersion'], 'Error: the builder has never been rebalanced\n'),
    (['pretend', '--listing', 'nope.txt'],
     'Error: cannot read listing nope.txt: No such file or directory\n'),
    (['pretend', '--listing', '.'],
     'Error: cannot read listing .: Is a directory\n'),
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
    for args in (['add', 'c1', 'l1', '1'], ['set_weight', 'c1', '1'],
                 ['remove', 'c1'], ['rebalance'], ['write_ring'],
                 ['dispersion'], ['pretend'], ['pretend', '--listing', 'x'],
                 ['show'], []):
        code, out, err = run(capsys, 'missing.builder', *args)
        assert code == EXIT_ERROR
        assert err == ('Error: builder file missing.builder does not '
                       'exist; make one with: ocx-ring-builder '
                       'missing.builder create\n')
    assert snapshot(workdir) == {}


@pytest.mark.parametrize('lines, message', [
    (['AUTH_test/c/o', 'AUTH_test/c'], "line 2: 'AUTH_test/c' is not an "
     'account/container/object path'),
    (['AUTH_test/c/o\t12 bytes'], "line 1: size '12 bytes' is not a "
     'non-negative integer'),
    (['', '{"path": "AUTH_test/c/o", "bytes": -1}'],
     'line 2: size -1 is not a non-negative integer'),
    (['{"path": "AUTH_test/c/o",'], 'line 1: not valid JSON: Expecting '),
])
@pytest.mark.parametrize('rebalanced', [False, True])
def test_bad_listing_is_refused_and_nothing_written(
        workdir, capsys, lines, message, rebalanced):
    # refused whether or not anything would move
    create(capsys)
    if rebalanced:
        run(capsys, 'test.builder', 'rebalance', '--seed', '1')
    write_listing('bad.txt', lines)
    before = snapshot(workdir)
    code, out, err = run(capsys, 'test.builder', 'pretend', '--listing',
                         'bad.txt')
    assert (code, out) == (EXIT_ERROR, '')
    assert err.startswith('Error: listing bad.txt ' + message)
    assert err.count('\n') == 1
    assert snapshot(workdir) == before


def test_listing_that_is_not_utf8(workdir, capsys):
    create(capsys)
    with open('bad.txt', 'wb') as fp:
        fp.write(b'AUTH_test/c/caf\xe9\n')
    code, out, err = run(capsys, 'test.builder', 'pretend', '--listing',
                         'bad.txt')
    assert (code, err) == (EXIT_ERROR,
                           'Error: listing bad.txt line 1: not UTF-8\n')


def test_remove_of_the_last_cluster_is_refused(workdir, capsys):
    run(capsys, 'test.builder', 'create', '--part-power', '4')
    run(capsys, 'test.builder', 'add', 'z\u00fcrich', LANDLORD, '1')
    run(capsys, 'test.builder', 'rebalance', '--seed', '1')
    before = snapshot(workdir)
    code, out, err = run(capsys, 'test.builder', 'remove', 'z\u00fcrich')
    assert (code, out) == (EXIT_ERROR, '')
    assert err == ("Error: cannot remove cluster 'z\u00fcrich': it is the "
                   'last cluster; add another first\n')
    assert snapshot(workdir) == before


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
    assert (code, out) == (EXIT_WARNING, '')
    assert err == ('Warning: no partitions could be reassigned: there is '
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
    (['dispersion'], 'partition-replicas it holds'),
    (['pretend'], '--listing FILE'),
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
    assert err.count('\n') == 1
    code, out, err = run(capsys, 'test.builder', 'bogus')
    assert code == EXIT_ERROR
    assert "invalid choice: 'bogus'" in err
    assert err.count('\n') == 1


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


# -- dispersion -------------------------------------------------------------

def test_dispersion_of_one_replica(workdir, capsys):
    create(capsys)
    run(capsys, 'test.builder', 'rebalance', '--seed', '1')
    code, out, err = run(capsys, 'test.builder', 'dispersion')
    assert (code, err) == (EXIT_SUCCESS, '')
    assert out.splitlines()[:3] == [
        'Dispersion of test.builder: 64 partitions, replicas 1, 2 landlords',
        'Partitions by the most replicas one landlord holds: 1: 64',
        '0 partitions (0.00%) have two or more replicas on one landlord']


def test_dispersion_warns_when_landlords_share(workdir, capsys):
    run(capsys, 'test.builder', 'create', '--part-power', '4',
        '--replicas', '3')
    for name, landlord in (('a1', LANDLORD), ('a2', LANDLORD), ('b1', 'B')):
        run(capsys, 'test.builder', 'add', name, landlord, '1')
    run(capsys, 'test.builder', 'rebalance', '--seed', '1')
    before = snapshot(workdir)
    code, out, err = run(capsys, 'test.builder', 'dispersion')
    assert (code, err) == (EXIT_WARNING, '')
    lines = out.splitlines()
    assert lines[1:3] == [
        'Partitions by the most replicas one landlord holds: 1: 0, 2: 16, '
        '3: 0',
        '16 partitions (100.00%) have two or more replicas on one landlord']
    assert lines[-1] == ('WARNING: replicas (3) outnumber the landlords '
                         'with weight (2); add clusters of other landlords')
    # every partition: two replicas with LANDLORD, one with B
    assert re.search(r'T\u00e9l\u00e9 Land +0 +2 +2\.00 +32 +66\.67 +0 +0 '
                     r'+16 +0 +16$', out, re.M)
    assert snapshot(workdir) == before
    # a new landlord does not help until the rebalance
    run(capsys, 'test.builder', 'add', 'c1', 'C', '1')
    code, out, err = run(capsys, 'test.builder', 'dispersion')
    assert code == EXIT_WARNING
    assert out.splitlines()[-1] == ('WARNING: rebalance (try pretend first) '
                                    'to spread them')
    run(capsys, 'test.builder', 'rebalance', '--seed', '1')
    assert run(capsys, 'test.builder', 'dispersion')[0] == EXIT_SUCCESS


# -- pretend ----------------------------------------------------------------

def full_snapshot(directory):
    """Every file in the directory, dot files (locks) included."""
    found = {}
    for name in sorted(os.listdir(str(directory))):
        with open(os.path.join(str(directory), name), 'rb') as fp:
            found[name] = fp.read()
    return found


def changed_builder(capsys, replicas='2'):
    """A rebalanced builder with one cluster added, one removed and one
    reweighted since, and its ring written."""
    run(capsys, 'test.builder', 'create', '--part-power', '8',
        '--replicas', replicas)
    for name, landlord in (('a', LANDLORD), ('b', 'l2'), ('c', 'l3'),
                           ('d', 'l4')):
        run(capsys, 'test.builder', 'add', name, landlord, '1')
    run(capsys, 'test.builder', 'rebalance', '--seed', '1')
    run(capsys, 'test.builder', 'add', 'z\u00fcrich', 'l5', '1')
    run(capsys, 'test.builder', 'remove', 'b', '--force')
    run(capsys, 'test.builder', 'set_weight', 'c', '2')
    capsys.readouterr()


def test_pretend_writes_nothing(workdir, capsys):
    changed_builder(capsys)
    write_listing('listing.txt')
    before = full_snapshot(workdir)
    for extra in ([], ['--seed', '4'], ['--listing', 'listing.txt']):
        code, out, err = run(capsys, 'test.builder', 'pretend', *extra)
        assert (code, err) == (EXIT_SUCCESS, '')
        assert full_snapshot(workdir) == before


def test_pretend_before_the_first_rebalance(workdir, capsys):
    create(capsys)
    before = full_snapshot(workdir)
    code, out, err = run(capsys, 'test.builder', 'pretend', '--seed', '1')
    assert (code, err) == (EXIT_SUCCESS, '')
    assert 'Would assign all 64 partitions (64 partition-replicas): the ' \
        'builder was never rebalanced\n' in out
    assert re.search(r'^  \(none\) +l2 +32$', out, re.M)
    assert full_snapshot(workdir) == before


def test_pretend_errors_like_rebalance(workdir, capsys):
    run(capsys, 'test.builder', 'create', '--part-power', '4')
    code, out, err = run(capsys, 'test.builder', 'pretend')
    assert (code, out) == (EXIT_ERROR, '')
    assert err == ('Error: the builder has no clusters; add some before '
                   'rebalancing\n')


def test_pretend_nothing_to_move(workdir, capsys):
    create(capsys)
    run(capsys, 'test.builder', 'rebalance', '--seed', '1')
    write_listing('listing.txt')
    before = full_snapshot(workdir)
    code, out, err = run(capsys, 'test.builder', 'pretend', '--listing',
                         'listing.txt')
    assert (code, err) == (EXIT_WARNING, '')
    assert out == ('Nothing would move: no partitions could be reassigned: '
                   'there is no need to do so at this time\n')
    assert full_snapshot(workdir) == before


def numbers(line):
    return [int(word) for word in line.split() if word.isdigit()]


def cluster_rows(out):
    """Map cluster name to the integer columns of its pretend row."""
    rows = {}
    table = out.split('Clusters (partition-replicas')[1].splitlines()[2:]
    for line in table:
        words = line.split()
        rows[words[1]] = numbers(' '.join(words[3:]))
    return rows


def expected_object_moves(old_ring, new_ring, lines):
    """Count object replicas moving per cluster, straight from the rings."""
    moving = {}
    for line in lines:
        if not line:
            continue
        entry = json.loads(line) if line.startswith('{') else \
            {'path': line.split('\t')[0]}
        size = entry.get('bytes') or (
            int(line.split('\t')[1]) if '\t' in line else 0)
        names = [str_to_wsgi(n) for n in entry['path'].lstrip('/').split(
            '/', 2)]
        before = old_ring.get_clusters(*names)[1]
        after = new_ring.get_clusters(*names)[1]
        for was, now in zip(before, after):
            if was['name'] != now['name']:
                for name, way in ((was['name'], 0), (now['name'], 1)):
                    counts = moving.setdefault(name, [0, 0, 0, 0])
                    counts[way] += 1
                    counts[2 + way] += size
    return moving


def test_pretend_predicts_the_rebalance(workdir, capsys):
    changed_builder(capsys)
    write_listing('listing.txt')
    shutil.copy('test.ring.gz', 'old.ring.gz')
    code, out, err = run(capsys, 'test.builder', 'pretend', '--seed', '7',
                         '--listing', 'listing.txt')
    assert (code, err) == (EXIT_SUCCESS, '')
    code, rebalanced, err = run(capsys, 'test.builder', 'rebalance',
                                '--seed', '7')
    assert code in (EXIT_SUCCESS, EXIT_WARNING)
    # same partitions and balance as the real rebalance
    reassigned, balance = re.match(
        r'Reassigned (\d+) \(.*Balance is now ([\d.]+)\.',
        rebalanced).groups()
    assert 'Would reassign %s (' % reassigned in out
    assert 'Balance would be %s (now' % balance in out
    assert 'Would drop cluster b (id 1)\n' in out
    # and the same objects, hashed by the rings the proxies will load
    old_ring, new_ring = ClusterRing('old.ring.gz'), ClusterRing(
        'test.ring.gz')
    expected = expected_object_moves(old_ring, new_ring, LISTING_LINES)
    rows = cluster_rows(out)
    for name in ('a', 'b', 'c', 'd', 'z\u00fcrich'):
        # now, after, out, in, objects out, objects in, bytes out, in
        assert rows[name][4:] == expected.get(name, [0, 0, 0, 0]), name
    copies = sum(counts[0] for counts in expected.values())
    assert copies > 0
    assert re.search(r'Would move %d of %d object replicas' % (
        copies, 2 * (len(LISTING_LINES) - 1)), out)
    after = dict((c['name'], c) for c in new_ring.clusters)
    for name, row in rows.items():
        held = sum(1 for table in new_ring.ring_data['replica2part2cluster']
                   for cid in table if name in after and
                   cid == after[name]['id'])
        assert row[1] == held


def test_pretend_landlord_moves_add_up(workdir, capsys):
    changed_builder(capsys, replicas='1')
    code, out, err = run(capsys, 'test.builder', 'pretend', '--seed', '3')
    assert (code, err) == (EXIT_SUCCESS, '')
    summary = re.search(r'Would reassign (\d+) .* (\d+) of 256 '
                        r'partition-replicas', out)
    parts, slots = int(summary.group(1)), int(summary.group(2))
    assert parts == slots  # one replica
    table = out.split('Moves by landlord:\n')[1].split('Clusters')[0]
    landlord_total = sum(numbers(line)[-1]
                         for line in table.splitlines()[1:])
    assert landlord_total == slots
    rows = cluster_rows(out)
    assert sum(row[2] for row in rows.values()) == slots  # out
    assert sum(row[3] for row in rows.values()) == slots  # in
    assert rows['b'][1:3] == [0, rows['b'][0]]  # dropped: all of it leaves
