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

"""Object state tags and sealed values (ocx_swift.storage.state)."""

import re

import pytest
from swift.common.utils import Timestamp

from ocx_swift.exceptions import OcxError
from ocx_swift.storage import state
from ocx_swift.storage.state import STATE_HEADER, StateError, StateKeys

OLD_SECRET = b'\x01' * 32
NEW_SECRET = b'\x02' * 40
PATH = ('AUTH_sw\u00e9ft', 'c\u2603nt', 'dir/obj\u00e9 \U0001f600')
TS = Timestamp(1767225600.12345)
ETAG = 'd41d8cd98f00b204e9800998ecf8427e'
CTYPE = 'text/plain; charset=utf-8'
META = [('X-Object-Meta-Color', 'bl\u00fce'),
        ('X-Object-Meta-Ocx-Scheme', 'xor;k=2;n=2'),
        ('X-Object-Meta-Sw\u00e9ft', '\u2603')]
VALUE_RE = re.compile(r'\Av1\.[A-Za-z0-9_-]+\.\d{10}\.\d{5}'
                      r'(_[0-9a-f]{16})?\.[A-Za-z0-9_-]{43}\Z')


def make_keys(active='new', **secrets):
    return StateKeys(secrets or {'old': OLD_SECRET, 'new': NEW_SECRET},
                     active)


KEYS = make_keys()
FIELDS = dict(path=PATH, kind='share', size=1024, etag=ETAG,
              content_type=CTYPE, meta_items=META)


def sign(keys=KEYS, timestamp=TS, **changes):
    fields = dict(FIELDS, **changes)
    return state.sign_state(keys, timestamp=timestamp, **fields)


def verify(value, keys=KEYS, **changes):
    return state.verify_state(keys, value, **dict(FIELDS, **changes))


def test_round_trip():
    value = sign()
    assert VALUE_RE.match(value)
    assert value.split('.')[1] == 'new'
    got = verify(value)
    assert isinstance(got, Timestamp)
    assert got == TS and got.internal == TS.internal


def test_round_trip_with_offset():
    ts = Timestamp(TS, offset=7)
    assert verify(sign(timestamp=ts)).internal == ts.internal


def test_etag_quotes_and_case_do_not_matter():
    assert verify(sign(), etag='"%s"' % ETAG.upper()) == TS


@pytest.mark.parametrize('change', [
    dict(path=('AUTH_other', PATH[1], PATH[2])),
    dict(path=(PATH[0], 'c\u2603nt2', PATH[2])),
    dict(path=(PATH[0], PATH[1], PATH[2] + '2')),
    dict(path=(PATH[0], PATH[1] + '/' + PATH[2][:3], PATH[2][4:])),
    dict(kind='copy'),
    dict(size=1023),
    dict(size=0),
    dict(etag='0' * 32),
    dict(content_type='text/html'),
    dict(content_type=CTYPE + ';swift_bytes=3'),
    dict(meta_items=[META[0], (META[1][0], 'xor;k=2;n=3'), META[2]]),
    dict(meta_items=META[:2] + [(META[2][0], '\u2603\u2603')]),
    dict(meta_items=META + [('X-Object-Meta-Extra', '1')]),
    dict(meta_items=META[1:]),
    dict(meta_items=[]),
    dict(meta_items=[(META[0][0] + 'x', META[0][1])] + META[1:]),
])
def test_changed_field_fails(change):
    value = sign()
    with pytest.raises(StateError, match='bad object state tag'):
        verify(value, **change)


def test_changed_timestamp_fails():
    value = sign()
    for other in (Timestamp(TS, offset=1), Timestamp(float(TS) + 1)):
        forged = value.replace(TS.internal, other.internal)
        assert forged != value
        with pytest.raises(StateError, match='bad object state tag'):
            verify(forged)


def test_transplant_to_other_object_fails():
    other = (PATH[0], PATH[1], 'other\u00e9')
    value = sign(path=other)
    assert verify(value, path=other) == TS
    with pytest.raises(StateError):
        verify(value)


def test_header_case_and_order_do_not_matter():
    value = sign()
    shuffled = [(n.upper(), v) for n, v in reversed(META)]
    assert verify(value, meta_items=shuffled) == TS
    assert verify(value, meta_items=[(n.lower(), v) for n, v in META]) \
        == TS


def test_state_header_and_non_meta_ignored():
    value = sign()
    items = META + [(STATE_HEADER, value), ('Content-Length', '9'),
                    ('X-Timestamp', '1'), ('Etag', 'x')]
    assert verify(value, meta_items=items) == TS
    assert sign(meta_items=items) == value
    assert verify(value, meta_items=[(STATE_HEADER.lower(), 'x')] + META)


def test_empty_meta_and_blanks_dropped_as_swift_does():
    value = sign()
    items = [(n, ' %s\t' % v) for n, v in META]
    items.append(('X-Object-Meta-Empty', ''))
    assert verify(value, meta_items=items) == TS


def test_duplicate_meta_name_fails():
    value = sign()
    items = META + [(META[0][0].lower(), 'red')]
    with pytest.raises(StateError, match='duplicate'):
        verify(value, meta_items=items)


def test_meta_items_of():
    headers = [('Content-Type', CTYPE), ('x-object-meta-a', '1'),
               ('X-Object-Meta-B', '\u00e9'), ('X-Object-Sysmeta-C', '2'),
               ('X-Object-Meta', '3')]
    want = [('x-object-meta-a', '1'), ('X-Object-Meta-B', '\u00e9')]
    assert state.meta_items_of(headers) == want
    assert state.meta_items_of(dict(headers)) == want


def test_rotation():
    old_keys = make_keys(active='old', old=OLD_SECRET)
    old_value = sign(keys=old_keys)
    assert old_value.split('.')[1] == 'old'
    assert verify(old_value, keys=KEYS) == TS
    new_value = sign(keys=KEYS)
    assert new_value.split('.')[1] == 'new'
    with pytest.raises(StateError, match='unknown secret id'):
        verify(new_value, keys=old_keys)
    only_new = make_keys(new=NEW_SECRET)
    with pytest.raises(StateError, match='unknown secret id'):
        verify(old_value, keys=only_new)
    assert verify(new_value, keys=only_new) == TS


def test_same_id_other_secret_fails():
    value = sign()
    with pytest.raises(StateError, match='bad object state tag'):
        verify(value, keys=make_keys(new=b'\x03' * 32))


def test_renamed_secret_id_fails():
    value = sign()
    renamed = make_keys(active='newer', newer=NEW_SECRET)
    with pytest.raises(StateError, match='bad object state tag'):
        verify(value.replace('.new.', '.newer.'), keys=renamed)


def good_parts():
    return sign().split('.')


@pytest.mark.parametrize('value', [None, '', b''])
def test_missing(value):
    with pytest.raises(StateError, match='missing'):
        verify(value)


def malformed_values():
    v, sid, sec, frac, tag = good_parts()
    yield 'v2.%s.%s.%s.%s' % (sid, sec, frac, tag)
    yield 'V1.%s.%s.%s.%s' % (sid, sec, frac, tag)
    yield '.'.join((v, sid, sec, frac, tag[:-1] + '!'))
    yield '.'.join((v, sid, sec, frac, tag + '='))
    yield '.'.join((v, sid, sec, frac, tag, 'x'))
    yield '.'.join((v, sid, sec + frac, tag))
    yield '.'.join((v, sid, sec, frac))
    yield '.'.join((v, sid, sec, frac, ''))
    yield '.'.join((v, sid, 'abc', frac, tag))
    yield '.'.join((v, sid, sec, frac + '_xyz', tag))
    yield '.'.join((v, sid + '\u00e9', sec, frac, tag))
    yield '.'.join((v, sid, sec, frac, tag[:-1] + '\u00e9'))
    yield '\u2603'
    yield 'v1'
    yield '....'
    yield sign().encode('ascii')


@pytest.mark.parametrize('value', list(malformed_values()))
def test_malformed_raises_state_error(value):
    with pytest.raises(StateError, match='malformed'):
        verify(value)


@pytest.mark.parametrize('bad', ['A', 'A' * 42, 'A' * 44])
def test_bad_tag_length(bad):
    v, sid, sec, frac, tag = good_parts()
    with pytest.raises(StateError, match='malformed'):
        verify('.'.join((v, sid, sec, frac, bad)))


def test_noncanonical_tag_fails():
    v, sid, sec, frac, tag = good_parts()
    last = 'B' if tag[-1] == 'A' else 'A'
    with pytest.raises(StateError, match='bad object state tag'):
        verify('.'.join((v, sid, sec, frac, tag[:-1] + last)))


def test_unknown_secret_id():
    v, sid, sec, frac, tag = good_parts()
    with pytest.raises(StateError, match='unknown secret id'):
        verify('.'.join((v, 'gone', sec, frac, tag)))


def test_value_short_and_ascii_for_long_inputs():
    long_keys = make_keys(active='k' * 32, **{'k' * 32: NEW_SECRET})
    path = ('AUTH_' + '\u00e9' * 256, '\u2603' * 256, 'o\U0001f600' * 512)
    meta = [('X-Object-Meta-%d' % i, '\u00e9' * 256) for i in range(90)]
    ts = Timestamp(9999999999.99999, offset=2 ** 63)
    value = sign(keys=long_keys, timestamp=ts, path=path, size=2 ** 62,
                 content_type='x/' + 'y' * 1024, meta_items=meta)
    assert value.isascii() and len(value.encode('ascii')) < 256
    assert VALUE_RE.match(value)
    assert verify(value, keys=long_keys, path=path, size=2 ** 62,
                  content_type='x/' + 'y' * 1024, meta_items=meta) == ts


def test_state_error_is_ocx_error():
    assert issubclass(StateError, OcxError)


PURPOSE = 'split-params'
PLAIN = 'sw\u00e9ft \u2603 secret'.encode('utf-8')


def test_seal_round_trip():
    token = state.seal(KEYS, PATH, PURPOSE, PLAIN)
    assert re.match(r'\Anew\.[A-Za-z0-9_-]+\Z', token)
    assert state.unseal(KEYS, PATH, PURPOSE, token) == PLAIN
    assert state.seal(KEYS, PATH, PURPOSE, PLAIN) != token
    empty = state.seal(KEYS, PATH, PURPOSE, b'')
    assert state.unseal(KEYS, PATH, PURPOSE, empty) == b''


def test_seal_rotation():
    old_keys = make_keys(active='old', old=OLD_SECRET)
    token = state.seal(old_keys, PATH, PURPOSE, PLAIN)
    assert state.unseal(KEYS, PATH, PURPOSE, token) == PLAIN
    with pytest.raises(StateError, match='unknown secret id'):
        state.unseal(make_keys(new=NEW_SECRET), PATH, PURPOSE, token)


@pytest.mark.parametrize('path, purpose', [
    ((PATH[0], PATH[1], PATH[2] + 'x'), PURPOSE),
    ((PATH[0], 'other', PATH[2]), PURPOSE),
    (('AUTH_x', PATH[1], PATH[2]), PURPOSE),
    (PATH, 'other-purpose'),
    (PATH, PURPOSE + '\u00e9'),
])
def test_unseal_elsewhere_fails(path, purpose):
    token = state.seal(KEYS, PATH, PURPOSE, PLAIN)
    with pytest.raises(StateError, match='failed authentication'):
        state.unseal(KEYS, path, purpose, token)


def tampered_tokens():
    token = state.seal(KEYS, PATH, PURPOSE, PLAIN)
    sid, text = token.split('.')
    for i in (0, 5, 13, len(text) // 2, len(text) - 2):
        flip = 'A' if text[i] != 'A' else 'B'
        yield '%s.%s%s%s' % (sid, text[:i], flip, text[i + 1:])
    yield '%s.%s' % (sid, text[:-4])
    yield '%s.%sAAAA' % (sid, text)
    yield 'old.' + text


@pytest.mark.parametrize('token', list(tampered_tokens()))
def test_unseal_tampered_fails(token):
    with pytest.raises(StateError):
        state.unseal(KEYS, PATH, PURPOSE, token)


@pytest.mark.parametrize('token', [
    None, '', b'new.AAAA', 'new', 'new.AAAA.AAAA', 'new.A', 'new.A=A',
    'new.' + 'A' * 20, 'new.' + 'A' * 40 + '\u00e9', 'gone.' + 'A' * 40,
    '\u2603.' + 'A' * 40,
])
def test_unseal_malformed_fails(token):
    with pytest.raises(StateError):
        state.unseal(KEYS, PATH, PURPOSE, token)


def test_keys_validation():
    with pytest.raises(ValueError):
        StateKeys({}, 'new')
    with pytest.raises(ValueError):
        StateKeys({'old': OLD_SECRET}, 'new')
    with pytest.raises(ValueError):
        StateKeys({'new': b'short'}, 'new')
    with pytest.raises(ValueError):
        StateKeys({'new': 'x' * 32}, 'new')
    for bad_id in ('a.b', '', 'sw\u00e9ft', 'k' * 33, 7):
        with pytest.raises(ValueError):
            StateKeys({bad_id: NEW_SECRET, 'new': NEW_SECRET}, 'new')


def test_repr_hides_secrets():
    text = repr(KEYS)
    assert 'new' in text and 'old' in text
    for secret in (OLD_SECRET, NEW_SECRET):
        assert repr(secret) not in text and secret.hex() not in text
    assert '\\x01' not in text and '\\x02' not in text
    key = KEYS.mac_key('new')
    assert key.hex() not in text and repr(key) not in text
    assert not hasattr(KEYS, '__dict__')


def test_mac_keys_differ_per_secret():
    assert len(KEYS.mac_key('new')) == 32
    assert KEYS.mac_key('new') != KEYS.mac_key('old')
    with pytest.raises(StateError):
        KEYS.mac_key('gone')
