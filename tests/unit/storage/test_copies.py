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

"""What a copy carries and how a landlord's answer is checked."""

import hashlib

import pytest
from swift.common.swob import str_to_wsgi
from swift.common.utils import Timestamp

from ocx_swift.storage.copies import KIND_COPY, KIND_SHARE, CheckedBody, \
    CopyMismatch, check_fresh, read_checked, sign_headers, state_path, \
    verify_answer
from ocx_swift.storage.index import IndexRow, row_etag
from ocx_swift.storage.state import STATE_HEADER, StateError, StateKeys

ACCOUNT = str_to_wsgi('AUTH_t\u00e9st')
CONT = str_to_wsgi('sw\u00e9ft')
OBJ = str_to_wsgi('\u65e5\u672c/\U0001f600')
PATH = state_path(ACCOUNT, CONT, OBJ)
KEYS = StateKeys({'default': b'\x01' * 32, 'old': b'\x02' * 32}, 'default')
WHEN = Timestamp(1700000000.12345)


def md5(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def signed(**extra):
    headers = {'Content-Type': 'text/plain; charset=utf-8',
               'X-Object-Meta-Colour': 'bl\xc3\xa9u',
               'X-Object-Meta-Ocx-Sys-Slo': 'yes',
               'Content-Length': '5'}
    headers.update(extra)
    return sign_headers(KEYS, PATH, KIND_COPY, WHEN, headers)


def row(timestamp=WHEN, body=b'hello'):
    return IndexRow({'name': '\u65e5\u672c/\U0001f600',
                     'bytes': len(body), 'hash': row_etag(md5(body)),
                     'content_type': 'text/plain',
                     'last_modified': timestamp.isoformat})


def test_state_path_is_native_strings():
    assert PATH == ('AUTH_t\u00e9st', 'sw\u00e9ft',
                    '\u65e5\u672c/\U0001f600')


def test_signed_headers_verify_as_the_landlord_returns_them():
    headers = signed()
    assert headers[STATE_HEADER].startswith('v1.default.%s.'
                                            % WHEN.internal)
    answer = [(k.lower(), v) for k, v in headers.items()]
    answer += [('etag', '"x"'), ('x-timestamp', '1.00000'),
               ('last-modified', 'whenever')]
    assert verify_answer(KEYS, PATH, KIND_COPY, answer) == WHEN


def test_signing_again_replaces_the_tag():
    headers = signed()
    first = headers[STATE_HEADER]
    later = Timestamp(float(WHEN) + 1)
    sign_headers(KEYS, PATH, KIND_COPY, later, headers)
    assert headers[STATE_HEADER] != first
    assert verify_answer(KEYS, PATH, KIND_COPY, headers.items()) == later


@pytest.mark.parametrize('change', [
    lambda h: h.update({'Content-Type': 'text/html'}),
    lambda h: h.update({'X-Object-Meta-Colour': 'r\xc3\xb6d'}),
    lambda h: h.update({'X-Object-Meta-New': 'added'}),
    lambda h: h.pop('X-Object-Meta-Ocx-Sys-Slo'),
    lambda h: h.pop('Content-Type'),
    lambda h: h.update({STATE_HEADER: h[STATE_HEADER][:-2] + 'AA'}),
    lambda h: h.update({STATE_HEADER: h[STATE_HEADER].replace(
        WHEN.internal, Timestamp(float(WHEN) + 1).internal)}),
    lambda h: h.pop(STATE_HEADER),
    lambda h: h.update({STATE_HEADER: 'junk'}),
], ids=['type', 'meta', 'added', 'stripped', 'no type', 'tag', 'time',
        'no tag', 'junk'])
def test_any_rewrite_fails(change):
    headers = signed()
    change(headers)
    with pytest.raises(StateError):
        verify_answer(KEYS, PATH, KIND_COPY, headers.items())


def test_other_path_or_kind_fails():
    headers = signed()
    for path in (state_path(ACCOUNT, CONT, str_to_wsgi('other \u00e9')),
                 state_path(str_to_wsgi('AUTH_other'), CONT, OBJ)):
        with pytest.raises(StateError):
            verify_answer(KEYS, path, KIND_COPY, headers.items())
    with pytest.raises(StateError):
        verify_answer(KEYS, PATH, KIND_SHARE, headers.items())


def test_unknown_secret_fails_and_a_kept_one_verifies():
    headers = signed()
    rotated = StateKeys({'new': b'\x03' * 32, 'default': b'\x01' * 32},
                        'new')
    assert verify_answer(rotated, PATH, KIND_COPY, headers.items()) == WHEN
    dropped = StateKeys({'new': b'\x03' * 32}, 'new')
    with pytest.raises(StateError):
        verify_answer(dropped, PATH, KIND_COPY, headers.items())


def test_missing_tag_is_named():
    with pytest.raises(StateError) as caught:
        verify_answer(KEYS, PATH, KIND_COPY, [('content-type', 'a/b')])
    assert 'missing object state' in str(caught.value)


def test_check_fresh():
    assert check_fresh(WHEN, row()) is None
    with pytest.raises(CopyMismatch) as caught:
        check_fresh(Timestamp(float(WHEN) - 1), row())
    assert 'the index holds %s' % WHEN.internal in str(caught.value)
    with pytest.raises(CopyMismatch):
        check_fresh(Timestamp(float(WHEN) + 1), row())
    with pytest.raises(CopyMismatch):
        check_fresh(WHEN, None)


class Body(object):

    def __init__(self, chunks):
        self.chunks = chunks
        self.closed = False

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        self.closed = True


CHUNKS = [b'caf', '\u00e9 '.encode('utf-8'), b'au lait']
WHOLE = b''.join(CHUNKS)


def test_checked_body_passes_good_bytes():
    mismatches = []
    body = Body(CHUNKS)
    checked = CheckedBody(body, md5(WHOLE), mismatches.append)
    assert list(checked) == CHUNKS
    checked.close()
    assert body.closed and mismatches == []


def test_checked_body_withholds_the_last_chunk_on_a_mismatch():
    mismatches = []
    checked = CheckedBody(Body(CHUNKS[:-1] + [b'au poison']),
                          md5(WHOLE), mismatches.append)
    received = []
    with pytest.raises(CopyMismatch):
        for chunk in checked:
            received.append(chunk)
    assert received == CHUNKS[:-1]
    assert len(mismatches) == 1 and md5(WHOLE) in mismatches[0]


def test_checked_body_of_a_truncated_copy_fails():
    checked = CheckedBody(Body(CHUNKS[:-1]), md5(WHOLE), lambda r: None)
    with pytest.raises(CopyMismatch):
        list(checked)


def test_checked_body_without_md5_checks_nothing():
    assert list(CheckedBody(Body([b'any']), None, None)) == [b'any']
    assert list(CheckedBody(Body([]), md5(b''), None)) == []


def test_read_checked():
    body = Body(CHUNKS)
    assert read_checked(body, md5(WHOLE)) == WHOLE
    assert body.closed
    bad = Body([b'other'])
    with pytest.raises(CopyMismatch) as caught:
        read_checked(bad, md5(WHOLE))
    assert bad.closed
    assert md5(b'other') in str(caught.value)
    assert read_checked(Body([b'x']), None) == b'x'
