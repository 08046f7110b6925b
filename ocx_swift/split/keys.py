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

"""Keys of split storage, derived from the exchange's master secret.

Every key is HKDF-SHA256 of the exchange's master secret (from its
config, at least 32 bytes) with an ``info`` that starts with a
purpose label and continues with length-prefixed fields, so two purposes
or two paths never share a key:

- the object MAC key (:func:`derive_object_keys`): account, container,
  object and object id; it keys the record tags (through one GMAC key
  per encoded segment, :mod:`ocx_swift.split.codec`);
- the name hash key (:func:`opaque_name`): account;
- the name seal key (:func:`seal_name`, :func:`open_name`): account.

Names here are native (unicode) strings and are encoded as UTF-8; a
caller holding WSGI strings converts them with ``wsgi_to_str`` first.

:func:`mac` and :func:`verify_mac` authenticate small headers (a
manifest, the split parameters stored in object metadata) with the same
unambiguous field encoding.
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ocx_swift.exceptions import SealedNameError

MIN_SECRET_BYTES = 32
KEY_BYTES = 32
OBJECT_ID_BYTES = 16
NONCE_BYTES = 12

LABEL_OBJECT_MAC = b'ocx-split-record-mac-v1'
LABEL_NAME_HASH = b'ocx-name-hash-v1'
LABEL_NAME_SEAL = b'ocx-name-seal-v1'
TOKEN_CHARS = re.compile(r'\A[A-Za-z0-9_-]*\Z')


def encode_fields(*fields):
    """Encode fields so that no two different field lists give one string.

    Each field is a type letter, an 8-byte big-endian length and the
    value: ``b`` bytes as they are, ``s`` str as UTF-8, ``i`` int as
    signed decimal ASCII.

    :raises TypeError: on any other type (bool included)
    """
    parts = []
    for field in fields:
        if isinstance(field, bool):
            raise TypeError('bool is not a MAC field')
        if isinstance(field, (bytes, bytearray, memoryview)):
            kind, value = b'b', bytes(field)
        elif isinstance(field, str):
            kind, value = b's', field.encode('utf-8')
        elif isinstance(field, int):
            kind, value = b'i', str(field).encode('ascii')
        else:
            raise TypeError('cannot MAC a %s' % type(field).__name__)
        parts.append(kind + struct.pack('>Q', len(value)) + value)
    return b''.join(parts)


def check_secret(secret):
    """:raises ValueError: unless ``secret`` is bytes of 32 or more."""
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ValueError('split secret must be at least %d bytes'
                         % MIN_SECRET_BYTES)


def derive_key(secret, label, *fields):
    """A 32-byte HKDF-SHA256 key for one purpose (``label``) and fields."""
    check_secret(secret)
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                info=label + encode_fields(*fields))
    return hkdf.derive(secret)


class ObjectKeys(object):
    """The keys of one stored version of one split object.

    :param mac_key: 32 bytes keying the record tags
    """

    __slots__ = ('mac_key',)

    def __init__(self, mac_key):
        self.mac_key = mac_key

    def __repr__(self):
        return 'ObjectKeys(<hidden>)'


def derive_object_keys(secret, account, container, obj, object_id):
    """Keys of one PUT of one object.

    :param secret: the exchange's master secret (bytes, >= 32)
    :param account: account name (native str)
    :param container: container name (native str)
    :param obj: object name (native str)
    :param object_id: the 16 random bytes the PUT chose
    :returns: :class:`ObjectKeys`
    """
    if not isinstance(object_id, bytes) or len(object_id) != \
            OBJECT_ID_BYTES:
        raise ValueError('object_id must be %d bytes' % OBJECT_ID_BYTES)
    return ObjectKeys(derive_key(secret, LABEL_OBJECT_MAC, account,
                                 container, obj, object_id))


def new_object_id():
    """16 fresh random bytes naming one PUT of an object."""
    return os.urandom(OBJECT_ID_BYTES)


def mac(key, *fields):
    """HMAC-SHA256 (32 bytes) of fields (bytes, str or int)."""
    return hmac.new(key, encode_fields(*fields), hashlib.sha256).digest()


def verify_mac(key, tag, *fields):
    """True if ``tag`` is :func:`mac` of the fields; constant time."""
    return hmac.compare_digest(mac(key, *fields), bytes(tag))


def opaque_name(secret, account, container, obj):
    """A deterministic name for ``obj`` that hides it from a landlord.

    :returns: 64 lowercase hex characters (HMAC-SHA256 under the
              account's name hash key of the container and object names)
    """
    key = derive_key(secret, LABEL_NAME_HASH, account)
    return hmac.new(key, encode_fields(container, obj),
                    hashlib.sha256).hexdigest()


def seal_name(secret, account, container, obj):
    """Encrypt an object name so only the exchange can read it back.

    AES-256-GCM under the account's name seal key with a random 12-byte
    nonce; the account and container are associated data, so a token
    moved to another container does not open.

    :returns: URL-safe base64 without padding (only ``[A-Za-z0-9_-]``),
              fit for a Content-Type parameter value
    """
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(derive_key(secret, LABEL_NAME_SEAL, account)).encrypt(
        nonce, obj.encode('utf-8'), encode_fields(account, container))
    return base64.urlsafe_b64encode(nonce + sealed).rstrip(b'=').decode(
        'ascii')


def open_name(secret, account, container, token):
    """The object name inside a :func:`seal_name` token.

    :raises SealedNameError: if the token is malformed, altered, or was
                             sealed for another account or container
    """
    if not isinstance(token, str) or not TOKEN_CHARS.match(token):
        raise SealedNameError('malformed name token')
    try:
        raw = base64.urlsafe_b64decode(
            token.encode('ascii') + b'=' * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise SealedNameError('malformed name token')
    if len(raw) < NONCE_BYTES + 16:
        raise SealedNameError('name token too short')
    aead = AESGCM(derive_key(secret, LABEL_NAME_SEAL, account))
    try:
        plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                             encode_fields(account, container))
    except InvalidTag:
        raise SealedNameError('name token failed authentication')
    return plain.decode('utf-8')
