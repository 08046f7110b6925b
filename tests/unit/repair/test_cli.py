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

"""The ``ocx-repair`` command line."""

import pytest

from ocx_swift.repair import cli


def parse(*argv):
    return cli.build_parser().parse_args(
        ['--proxy-config', 'p.conf'] + list(argv))


def test_accounts_are_named_or_all():
    assert parse('--account', 'AUTH_a', '--account', 'AUTH_b').account == [
        'AUTH_a', 'AUTH_b']
    assert parse('--all-accounts').all_accounts
    for argv in ([], ['--account', 'AUTH_a', '--all-accounts']):
        with pytest.raises(SystemExit) as err:
            parse(*argv)
        assert err.value.code == cli.EXIT_ERROR


@pytest.mark.parametrize('text', ['0/0', '2/2', '-1/3', 'x', '1/2/3'])
def test_bad_shards_are_usage_errors(text, capsys):
    with pytest.raises(SystemExit) as err:
        parse('--all-accounts', '--shard=' + text)
    assert err.value.code == cli.EXIT_ERROR
    assert 'I/N' in capsys.readouterr().err


@pytest.mark.parametrize('text', ['-0.1', '1.5', 'all'])
def test_bad_audit_fractions_are_usage_errors(text):
    with pytest.raises(SystemExit):
        parse('--all-accounts', '--audit', text)


def test_shards_split_every_object_exactly_once():
    names = ['caf\u00e9 %d' % i for i in range(300)]
    counts = []
    for index in range(3):
        taken = [n for n in names
                 if cli.in_shard((index, 3), 'AUTH_t', 'c', n)]
        counts.append(len(taken))
    assert sum(counts) == len(names) and min(counts) > 50
    assert all(cli.in_shard((0, 1), 'AUTH_t', 'c', n) for n in names)
    assert parse('--all-accounts', '--shard', '2/3').shard == (2, 3)
