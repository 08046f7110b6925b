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

"""The conformance ratchet's files and comparison, and the committed files
themselves."""

import importlib.util
import os

import pytest

CONFORMANCE = os.path.join(os.path.dirname(__file__), '..', '..',
                           'conformance')


def _load(name):
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(CONFORMANCE, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ratchet = _load('ratchet')

A = 'test/functional/tests.py::TestFile::testCopy'
B = 'test/functional/test_object.py::TestObject::test_cors'
C = 'test/s3api/test_mpu.py::test_plain_function'


def test_baseline_round_trip(tmp_path):
    path = str(tmp_path / 'baseline.txt')
    results = {A: ('f', 'passed', ''), B: ('f', 'failed', 'boom'),
               C: ('f', 'passed', '')}
    assert ratchet.write_baseline(path, results, '2.38.3') == 2
    assert ratchet.read_baseline(path) == ('2.38.3', {A, C})
    with open(path) as fp:
        text = fp.read()
    assert '--write-baseline' in text  # says how to regenerate it
    assert text.index(C) > text.index(A)  # sorted, one id a line


@pytest.mark.parametrize('text', ['', '# only a comment\n',
                                  'test/functional/tests.py::T::t\n',
                                  'swift\n'])
def test_baseline_needs_its_version_first(tmp_path, text):
    path = tmp_path / 'baseline.txt'
    path.write_text(text)
    with pytest.raises(ratchet.RatchetError):
        ratchet.read_baseline(str(path))


def test_known_differences(tmp_path):
    path = tmp_path / 'known.txt'
    path.write_text('# comment\n\n%s | landlords cannot\n%s|why not\n'
                    % (A, B))
    assert ratchet.read_known(str(path)) == {A: 'landlords cannot',
                                             B: 'why not'}
    assert ratchet.read_known(str(tmp_path / 'missing.txt')) == {}


@pytest.mark.parametrize('text', ['%s\n' % A, '%s |  \n' % A,
                                  ' | reason\n',
                                  '%s | one\n%s | two\n' % (A, A)])
def test_known_differences_need_one_reason_each(tmp_path, text):
    path = tmp_path / 'known.txt'
    path.write_text(text)
    with pytest.raises(ratchet.RatchetError):
        ratchet.read_known(str(path))


def test_compare_sorts_new_known_fixed_stale():
    stale = 'test/functional/tests.py::TestGone::test_gone'
    known = {A: 'reason a', B: 'reason b', stale: 'reason c'}
    diff = [(A, 'failed', 'msg a'), (C, 'error', 'msg c')]
    exchange = {A: ('f', 'failed', 'msg a'), B: ('f', 'passed', ''),
                C: ('f', 'error', 'msg c')}
    result = ratchet.compare(diff, exchange, {A, B, C}, known)
    assert result.new == [(C, 'error', 'msg c')]
    assert result.known == [(A, 'failed', 'msg a', 'reason a')]
    assert result.fixed == [(B, 'reason b')]
    assert result.stale == [stale]
    text = ratchet.format_comparison(result, 'x/known.txt')
    assert text.splitlines()[0] == (
        'ratchet: 1 known differences (known.txt) still differ, 1 new')
    assert 'NEW' in text and C in text and B in text and stale in text


def test_baseline_results():
    assert ratchet.baseline_results({A}) == {
        A: ('test/functional/tests.py', 'passed', '')}


def test_committed_files_are_consistent():
    """Every known difference is a test of the committed baseline."""
    version, ids = ratchet.read_baseline(ratchet.BASELINE)
    known = ratchet.read_known(ratchet.KNOWN)
    assert version.count('.') == 2
    assert len(ids) > 1000
    assert sorted(t for t in known if t not in ids) == []
