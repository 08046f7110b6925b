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

"""Split-storage keys, header MACs and hidden object names."""

import base64
import re

import pytest

from ocx_swift.exceptions import OcxError, SealedNameError, \
    SplitDecodeError
from ocx_swift.split import keys

SECRET = b'\x42' * 32
OTHER_SECRET = b'\x43' * 32
ACCOUNT = 'AUTH_t\u00e9st'
CONTAINER = 'c\u00f6nt'
OBJ = 'dir/obj\u00e9 \U0001f600'
OBJECT_ID = b'\x07' * 16
TOKEN_RE = re.compile(r'\A[A-Za-z0-9_-]+\Z')


def mac_key(secret=SECRET, account=ACCOUNT, container=CONTAINER, obj=OBJ,
            object_id=OBJECT_ID):
    return keys.derive_object_keys(secret, account, container, obj,
                                   object_id).mac_key


# -- object keys ------------------------------------------------------

def test_object_key_is_deterministic_32_bytes():
    assert len(mac_key()) == 32
    assert mac_key() == mac_key()
    assert 'hidden' in repr(keys.derive_object_keys(
        SECRET, ACCOUNT, CONTAINER, OBJ, OBJECT_ID))


@pytest.mark.parametrize('change', [
    {'secret': OTHER_SECRET}, {'secret': SECRET + b'\0'},
    {'account': 'AUTH_test'}, {'container': 'cont'}, {'obj': 'dir/obj'},
    {'object_id': b'\x08' * 16}])
def test_object_key_depends_on_every_input(change):
    assert mac_key(**change) != mac_key()


def test_object_key_fields_cannot_run_together():
    assert mac_key(container='ab', obj='c') != mac_key(container='a',
                                                       obj='bc')
    assert mac_key(account='a/b', container='c') != mac_key(
        account='a', container='b/c')


@pytest.mark.parametrize('secret', [b'', b'x' * 31, 'x' * 32])
def test_short_or_text_secret_refused(secret):
    with pytest.raises(ValueError):
        mac_key(secret=secret)
    with pytest.raises(ValueError):
        keys.opaque_name(secret, ACCOUNT, CONTAINER, OBJ)


@pytest.mark.parametrize('object_id', [b'', b'x' * 15, b'x' * 17,
                                       'x' * 16])
def test_bad_object_id_refused(object_id):
    with pytest.raises(ValueError):
        mac_key(object_id=object_id)


def test_new_object_id():
    first, second = keys.new_object_id(), keys.new_object_id()
    assert len(first) == 16 and isinstance(first, bytes)
    assert first != second


# -- header MACs ------------------------------------------------------

def test_mac_round_trip():
    key = mac_key()
    tag = keys.mac(key, b'\x00raw', 'caf\u00e9', 5, -7, 2 ** 80)
    assert len(tag) == 32
    assert keys.verify_mac(key, tag, b'\x00raw', 'caf\u00e9', 5, -7,
                           2 ** 80)
    assert keys.verify_mac(key, bytearray(tag), b'\x00raw', 'caf\u00e9',
                           5, -7, 2 ** 80)


FIELD_LISTS = [
    ('ab', 'c'), ('a', 'bc'), ('abc',), ('abc', ''), (b'abc',), (1,),
    ('1',), (b'1',), (), ('',), (b'',), (0,), (-1,), ('a\u00e9',),
    ('a\u00e9'.encode('utf-8'),)]


@pytest.mark.parametrize('index', range(len(FIELD_LISTS)))
def test_mac_fields_are_unambiguous(index):
    key = mac_key()
    tag = keys.mac(key, *FIELD_LISTS[index])
    assert keys.verify_mac(key, tag, *FIELD_LISTS[index])
    for other, fields in enumerate(FIELD_LISTS):
        if other != index:
            assert not keys.verify_mac(key, tag, *fields)


def test_mac_rejects_other_types_and_wrong_key():
    key = mac_key()
    for bad in (True, 1.5, None, ['a']):
        with pytest.raises(TypeError):
            keys.mac(key, bad)
    tag = keys.mac(key, 'x')
    assert not keys.verify_mac(mac_key(obj='other'), tag, 'x')
    assert not keys.verify_mac(key, tag[:-1], 'x')


# -- opaque names -----------------------------------------------------

def test_opaque_name_is_deterministic_hex():
    name = keys.opaque_name(SECRET, ACCOUNT, CONTAINER, OBJ)
    assert re.match(r'\A[0-9a-f]{64}\Z', name)
    assert name == keys.opaque_name(SECRET, ACCOUNT, CONTAINER, OBJ)


@pytest.mark.parametrize('args', [
    (OTHER_SECRET, ACCOUNT, CONTAINER, OBJ),
    (SECRET, 'AUTH_other', CONTAINER, OBJ),
    (SECRET, ACCOUNT, 'other', OBJ),
    (SECRET, ACCOUNT, CONTAINER, 'other'),
    (SECRET, ACCOUNT, CONTAINER + 'd', OBJ[1:]),
])
def test_opaque_name_differs(args):
    assert keys.opaque_name(*args) != keys.opaque_name(
        SECRET, ACCOUNT, CONTAINER, OBJ)


def test_opaque_name_differs_per_container_for_many_names():
    names = ['o%d\u00e9' % i for i in range(50)]
    first = set(keys.opaque_name(SECRET, ACCOUNT, 'c1', n) for n in names)
    second = set(keys.opaque_name(SECRET, ACCOUNT, 'c2', n) for n in names)
    assert len(first) == len(second) == 50
    assert not first & second


def test_opaque_name_is_not_the_object_key():
    name = keys.opaque_name(SECRET, ACCOUNT, CONTAINER, OBJ)
    assert bytes.fromhex(name) != mac_key()


# -- sealed names -----------------------------------------------------

@pytest.mark.parametrize('obj', [OBJ, 'a', '', 'x' * 1024,
                                 '\u65e5\u672c/\u8a9e'])
def test_seal_round_trip(obj):
    token = keys.seal_name(SECRET, ACCOUNT, CONTAINER, obj)
    assert TOKEN_RE.match(token)
    assert '=' not in token
    assert keys.open_name(SECRET, ACCOUNT, CONTAINER, token) == obj


def test_seal_is_randomized():
    tokens = set(keys.seal_name(SECRET, ACCOUNT, CONTAINER, OBJ)
                 for _ in range(20))
    assert len(tokens) == 20


def test_token_fits_a_content_type_parameter():
    token = keys.seal_name(SECRET, ACCOUNT, CONTAINER, OBJ)
    content_type = 'application/octet-stream;ocx_name=%s' % token
    assert content_type.split('=', 1)[1] == token
    assert token.isascii() and not set(token) & set(' ;,"=\\/')


def assert_does_not_open(token, secret=SECRET, account=ACCOUNT,
                         container=CONTAINER):
    with pytest.raises(SealedNameError) as caught:
        keys.open_name(secret, account, container, token)
    assert isinstance(caught.value, SplitDecodeError)
    assert isinstance(caught.value, OcxError)


def test_every_changed_character_is_detected():
    token = keys.seal_name(SECRET, ACCOUNT, CONTAINER, 'caf\u00e9')
    for i, char in enumerate(token):
        for new in {'A', 'b', '_'} - {char}:
            changed = token[:i] + new + token[i + 1:]
            if base64.urlsafe_b64decode(changed + '=' * (-len(token) % 4)) \
                    == base64.urlsafe_b64decode(
                        token + '=' * (-len(token) % 4)):
                continue  # the unused low bits of the last character
            assert_does_not_open(changed)


def test_truncated_or_extended_token_is_detected():
    token = keys.seal_name(SECRET, ACCOUNT, CONTAINER, OBJ)
    for changed in (token[:-1], token[:-4], token[1:], token + 'A',
                    token + 'AAAA', token[:16]):
        assert_does_not_open(changed)


def test_token_opens_only_where_it_was_sealed():
    token = keys.seal_name(SECRET, ACCOUNT, CONTAINER, OBJ)
    assert_does_not_open(token, container='other')
    assert_does_not_open(token, account='AUTH_other')
    assert_does_not_open(token, secret=OTHER_SECRET)


@pytest.mark.parametrize('token', ['', 'A', 'not a token', 'abc=',
                                   '\u00e9' * 40, 'A' * 39, '+/' * 20])
def test_malformed_tokens(token):
    assert_does_not_open(token)
