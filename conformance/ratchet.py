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

"""The conformance ratchet: a committed baseline and known differences.

CI runs only the exchange side of the conformance suite. What it compares
with is committed:

``baseline-plain.txt``
    the ids of the tests that pass on a plain ``ocx-aio`` cluster with one
    swift version (its first non-comment line is ``swift VERSION``), one
    id a line; written by ``run_conformance.py --only plain
    --write-baseline``.
``known-differences.txt``
    tests of the baseline that do not pass through the exchange, each
    with the reason: ``<test id> | <reason>``; ``#`` starts a comment.

A difference not in the known list fails CI; a known difference that
passes again is reported, so the list only ever shrinks.
"""

import collections
import os

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINE = os.path.join(HERE, 'baseline-plain.txt')
KNOWN = os.path.join(HERE, 'known-differences.txt')
SEPARATOR = ' | '

BASELINE_HEADER = """\
# Swift's functional tests (test/functional, test/s3api of the swift sdist)
# that pass on a plain ocx-aio cluster (ocx-aio start --no-exchange
# --clusters 1): the baseline CI compares the exchange with.
# Regenerate (about 5 minutes) after changing ocx-aio's pipelines or the
# swift version:
#     python conformance/run_conformance.py --only plain --write-baseline
"""


class RatchetError(ValueError):
    """A baseline or known-differences file that cannot be used."""


Comparison = collections.namedtuple(
    'Comparison', 'new known fixed stale')
Comparison.__doc__ = """The exchange's results against the ratchet files.

:new: ``(test id, status, message)`` of differences not in the known list
:known: ``(test id, status, message, reason)`` of known differences
:fixed: ``(test id, reason)`` of known differences that now pass
:stale: test ids of the known list that are not in the baseline
"""


def _lines(path):
    with open(path, encoding='utf-8') as fp:
        for number, line in enumerate(fp, 1):
            line = line.strip()
            if line and not line.startswith('#'):
                yield number, line


def write_baseline(path, results, version):
    """Write the ids of the passed tests of ``results``.

    :param results: ``{test id: (file, status, message)}``
    :param version: the swift version the tests come from
    :returns: how many ids were written
    """
    passed = sorted(t for t, (_f, status, _m) in results.items()
                    if status == 'passed')
    with open(path, 'w', encoding='utf-8') as fp:
        fp.write(BASELINE_HEADER)
        fp.write('swift %s\n' % version)
        for test_id in passed:
            fp.write(test_id + '\n')
    return len(passed)


def read_baseline(path):
    """Return ``(swift version, set of test ids)`` of a baseline file.

    :raises RatchetError: on a file without its ``swift`` line
    """
    version, ids = None, set()
    for number, line in _lines(path):
        if version is None:
            word, _sep, version = line.partition(' ')
            if word != 'swift' or not version:
                raise RatchetError('%s:%d: expected "swift VERSION", got %r'
                                   % (path, number, line))
            continue
        ids.add(line)
    if version is None:
        raise RatchetError('%s: no "swift VERSION" line' % path)
    return version, ids


def read_known(path):
    """Return ``{test id: reason}`` of a known-differences file.

    :raises RatchetError: on a line without a reason, or an id twice
    """
    known = {}
    if not os.path.exists(path):
        return known
    for number, line in _lines(path):
        test_id, sep, reason = line.partition(SEPARATOR.strip())
        test_id, reason = test_id.strip(), reason.strip()
        if not sep or not test_id or not reason:
            raise RatchetError('%s:%d: expected "<test id> | <reason>", '
                               'got %r' % (path, number, line))
        if test_id in known:
            raise RatchetError('%s:%d: %s listed twice'
                               % (path, number, test_id))
        known[test_id] = reason
    return known


def baseline_results(ids):
    """The baseline as results ``{test id: (file, 'passed', '')}``."""
    return {t: (t.split('::', 1)[0], 'passed', '') for t in ids}


def compare(diff, exchange, baseline_ids, known):
    """Sort the differences of an exchange run by the known list.

    :param diff: ``(test id, status, message)`` of the tests of the
                 baseline that did not pass on the exchange
    :param exchange: the exchange's results ``{test id: (file, status,
                     message)}``
    :param baseline_ids: the baseline's test ids
    :param known: ``{test id: reason}``
    """
    new, still = [], []
    for test_id, status, message in diff:
        if test_id in known:
            still.append((test_id, status, message, known[test_id]))
        else:
            new.append((test_id, status, message))
    fixed = sorted((t, r) for t, r in known.items()
                   if exchange.get(t, (None, None))[1] == 'passed')
    stale = sorted(t for t in known if t not in baseline_ids)
    return Comparison(new, still, fixed, stale)


def format_comparison(comparison, known_path):
    """The report's ratchet section."""
    name = os.path.basename(known_path)
    lines = ['ratchet: %d known differences (%s) still differ, %d new'
             % (len(comparison.known), name, len(comparison.new))]
    if comparison.new:
        lines.append('NEW differences (fix them, or add them to %s with '
                     'the reason):' % name)
        for test_id, status, message in comparison.new:
            lines.append('   %-7s %s' % (status, test_id))
            if message:
                lines.append('           %s' % message[:200])
    if comparison.fixed:
        lines.append('known differences that now PASS (remove them from '
                     '%s):' % name)
        for test_id, _reason in comparison.fixed:
            lines.append('   %s' % test_id)
    if comparison.stale:
        lines.append('in %s but not in the baseline (remove them):' % name)
        for test_id in comparison.stale:
            lines.append('   %s' % test_id)
    return '\n'.join(lines)
