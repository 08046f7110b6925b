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

"""Authenticated and sealed object state, kept on untrusted landlords.

Whatever ocx stores with an object on a landlord (its size, etag,
content type, user metadata and ocx's own ``X-Object-Meta-Ocx-*``
bookkeeping) comes back through the landlord, which may rewrite any
header it stores, strip headers, copy another object's headers onto
this one (transplant) or serve an older version (replay). This module
makes every such change detectable.

State tag
=========

:func:`sign_state` gives the value of :data:`STATE_HEADER`,
``X-Object-Meta-Ocx-State``, stored with the object::

    v1.<secret id>.<timestamp, internal form>.<tag>

``tag`` is URL-safe base64 without padding of an HMAC-SHA256 over
:func:`~ocx_swift.split.keys.encode_fields` of a version label, the
secret id, the object's path (account, container, object), a ``kind``
(how the object is stored, e.g. ``'copy'`` or ``'share'``), the
timestamp, the stored byte count, the stored bytes' MD5 (lowercase hex,
quotes stripped), the content type as stored, and the canonical
metadata: every ``X-Object-Meta-*`` item but :data:`STATE_HEADER`,
names lowercased, values stripped of surrounding blanks (HTTP cannot
carry them), empty values dropped (Swift drops them), sorted by name.
The value is ASCII and under 256 bytes whatever the inputs.

:func:`verify_state` recomputes the tag from what the landlord returned
and what the caller expects (the path asked for, the kind) and returns
the signed timestamp. A transplant fails (other path), as does any
rewritten, added or stripped header. A replay of a whole older version
verifies: it is the caller's job to compare the timestamp returned with
the newest it knows of (other landlords, the container listing).

Sealed values
=============

:func:`seal` encrypts small secrets the landlord must keep but not read
(AES-256-GCM, random 12-byte nonce, the path and a ``purpose`` as
associated data); :func:`unseal` opens them only for the same path and
purpose. A token is ``<secret id>.<base64 of nonce + ciphertext>``,
ASCII: ``len(plaintext)`` bytes make ``len(id) + 39 + 4/3 *
len(plaintext)`` characters, so keep a header's plaintext under ~150
bytes.

Keys and rotation
=================

:class:`StateKeys` holds one root secret (>= 32 bytes) per secret id
(``[A-Za-z0-9_-]{1,32}``) and derives from each, with HKDF-SHA256, a MAC
key (``ocx-object-state-mac-v1``) and a seal key
(``ocx-object-state-seal-v1``). Signing and sealing use the active id;
verifying and unsealing accept any configured id, so a new secret is
added, made active, and the old one dropped once nothing uses it.

Names here are native (unicode) strings; a caller holding WSGI strings
converts them with ``wsgi_to_str`` first. Header names and values are
taken as the caller holds them (swob keeps WSGI strings): sign and
verify must see them in the same form. Every failure to verify or
unseal raises :class:`StateError` with a short reason.
"""

import base64
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from swift.common.utils import Timestamp

from ocx_swift.exceptions import OcxError
from ocx_swift.split.keys import check_secret, derive_key, encode_fields

STATE_HEADER = 'X-Object-Meta-Ocx-State'
META_PREFIX = 'x-object-meta-'
VERSION = 'v1'
LABEL_STATE = b'ocx-object-state-v1'
LABEL_STATE_MAC = b'ocx-object-state-mac-v1'
LABEL_STATE_SEAL = b'ocx-object-state-seal-v1'
NONCE_BYTES = 12
GCM_TAG_BYTES = 16
SECRET_ID = re.compile(r'\A[A-Za-z0-9_-]{1,32}\Z')
B64_CHARS = re.compile(r'\A[A-Za-z0-9_-]+\Z')
TAG_CHARS = re.compile(r'\A[A-Za-z0-9_-]{43}\Z')
TIMESTAMP = re.compile(r'\A\d{10}\.\d{5}(_[0-9a-f]{16})?\Z')


class StateError(OcxError):
    """Object state that is missing, malformed or fails authentication."""


class StateKeys(object):
    """The state MAC and seal keys of every configured secret.

    :param secrets: dict of secret id (str) to root secret (bytes, >= 32)
    :param active_id: the id that signs and seals
    :raises ValueError: on no secrets, a bad id or secret, or an
                        ``active_id`` not among them
    """

    __slots__ = ('active_id', '_mac_keys', '_aeads')

    def __init__(self, secrets, active_id):
        if not secrets:
            raise ValueError('no object state secrets')
        if active_id not in secrets:
            raise ValueError('active secret id %r not configured'
                             % (active_id,))
        self.active_id = active_id
        self._mac_keys, self._aeads = {}, {}
        for secret_id, secret in secrets.items():
            if not isinstance(secret_id, str) or \
                    not SECRET_ID.match(secret_id):
                raise ValueError('bad secret id %r' % (secret_id,))
            check_secret(secret)
            self._mac_keys[secret_id] = derive_key(secret, LABEL_STATE_MAC)
            self._aeads[secret_id] = AESGCM(
                derive_key(secret, LABEL_STATE_SEAL))

    @property
    def ids(self):
        """The configured secret ids, sorted."""
        return sorted(self._mac_keys)

    def mac_key(self, secret_id):
        """:raises StateError: if ``secret_id`` is not configured"""
        return self._lookup(self._mac_keys, secret_id)

    def aead(self, secret_id):
        """The AES-GCM cipher of a secret id's seal key."""
        return self._lookup(self._aeads, secret_id)

    @staticmethod
    def _lookup(table, secret_id):
        try:
            return table[secret_id]
        except KeyError:
            raise StateError('unknown secret id')

    def __repr__(self):
        return 'StateKeys(active_id=%r, ids=%r, <keys hidden>)' % (
            self.active_id, self.ids)


def meta_items_of(header_items):
    """The ``X-Object-Meta-*`` items of a header list or dict."""
    if hasattr(header_items, 'items'):
        header_items = header_items.items()
    return [(name, value) for name, value in header_items
            if name.lower().startswith(META_PREFIX)]


def canonical_meta(meta_items):
    """Covered metadata: sorted (lowercase name, stripped value) pairs.

    :raises StateError: if one name comes twice with a value
    """
    canon = {}
    for name, value in meta_items_of(meta_items):
        name, value = name.lower(), value.strip(' \t')
        if name == STATE_HEADER.lower() or not value:
            continue
        if name in canon:
            raise StateError('duplicate metadata %s' % name)
        canon[name] = value
    return sorted(canon.items())


def _check_path(path):
    if len(path) != 3 or not all(isinstance(p, str) and p for p in path):
        raise ValueError('path must be (account, container, obj) strings')
    return tuple(path)


def _state_tag(key, secret_id, timestamp, path, kind, size, etag,
               content_type, meta_items):
    if not isinstance(size, int) or size < 0:
        raise ValueError('size must be a non-negative int')
    fields = [LABEL_STATE, secret_id]
    fields.extend(_check_path(path))
    fields.extend([kind, timestamp, size, etag.strip('"').lower(),
                   content_type])
    for name, value in canonical_meta(meta_items):
        fields.extend([name, value])
    digest = hmac.new(key, encode_fields(*fields), hashlib.sha256).digest()
    return _b64encode(digest)


def sign_state(keys, path, kind, timestamp, size, etag, content_type,
               meta_items):
    """The :data:`STATE_HEADER` value for an object as stored.

    :param keys: :class:`StateKeys`
    :param path: (account, container, obj), native str
    :param kind: how the object is stored, e.g. ``'copy'``, ``'share'``
    :param timestamp: the version's ``Timestamp``
    :param size: the stored byte count
    :param etag: MD5 of the stored bytes (hex; quotes, case ignored)
    :param content_type: the content type as stored
    :param meta_items: (name, value) pairs; only ``X-Object-Meta-*``
                       count, :data:`STATE_HEADER` aside
    :returns: ``v1.<secret id>.<timestamp>.<tag>``, ASCII, < 256 bytes
    """
    secret_id = keys.active_id
    internal = Timestamp(timestamp).internal
    tag = _state_tag(keys.mac_key(secret_id), secret_id, internal, path,
                     kind, size, etag, content_type, meta_items)
    return '.'.join((VERSION, secret_id, internal, tag))


def _parse_state(value):
    if not value:
        raise StateError('missing object state')
    if not isinstance(value, str) or not value.isascii():
        raise StateError('malformed object state')
    parts = value.split('.')
    if len(parts) != 5 or parts[0] != VERSION:
        raise StateError('malformed object state')
    internal = parts[2] + '.' + parts[3]
    if not TIMESTAMP.match(internal) or not TAG_CHARS.match(parts[4]):
        raise StateError('malformed object state')
    return parts[1], internal, parts[4]


def verify_state(keys, value, path, kind, size, etag, content_type,
                 meta_items):
    """The timestamp of a state tag that matches the object as returned.

    The parameters are those of :func:`sign_state`, with ``value`` the
    :data:`STATE_HEADER` value the landlord returned (or None).

    :returns: the signed ``Timestamp`` (compare it for replays)
    :raises StateError: if missing, malformed, of an unknown secret id,
                        or the tag does not match
    """
    secret_id, internal, tag = _parse_state(value)
    expected = _state_tag(keys.mac_key(secret_id), secret_id, internal,
                          path, kind, size, etag, content_type, meta_items)
    if not hmac.compare_digest(expected, tag):
        raise StateError('bad object state tag')
    return Timestamp(internal)


def _aad(path, purpose):
    return encode_fields(*(_check_path(path) + (purpose,)))


def seal(keys, path, purpose, plaintext):
    """Encrypt ``plaintext`` (bytes) for one object path and purpose.

    :returns: ``<secret id>.<base64>``, ASCII, fit for a header value
    """
    if not isinstance(plaintext, bytes):
        raise TypeError('plaintext must be bytes')
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys.aead(keys.active_id).encrypt(nonce, plaintext,
                                               _aad(path, purpose))
    return '%s.%s' % (keys.active_id, _b64encode(nonce + sealed))


def unseal(keys, path, purpose, token):
    """The plaintext of a :func:`seal` token.

    :raises StateError: if the token is malformed, altered, of an unknown
                        secret id, or sealed for another path or purpose
    """
    if not isinstance(token, str) or token.count('.') != 1 or \
            not token.isascii():
        raise StateError('malformed sealed token')
    secret_id, text = token.split('.')
    raw = _b64decode(text)
    if len(raw) < NONCE_BYTES + GCM_TAG_BYTES:
        raise StateError('malformed sealed token')
    try:
        return keys.aead(secret_id).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(path, purpose))
    except InvalidTag:
        raise StateError('sealed token failed authentication')


def _b64encode(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b'=').decode('ascii')


def _b64decode(text):
    """Bytes of canonical unpadded URL-safe base64, else StateError."""
    if not B64_CHARS.match(text) or len(text) % 4 == 1:
        raise StateError('malformed base64')
    raw = base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))
    if _b64encode(raw) != text:
        raise StateError('malformed base64')
    return raw
