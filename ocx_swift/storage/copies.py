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

"""What the exchange stores with a copy or share, and how it checks it.

Every copy (replicated and pinned policies) and share (split policies) a
landlord holds carries :data:`~ocx_swift.storage.state.STATE_HEADER`: a
tag over the object's path, its kind, the exchange's timestamp of the
write, its stored Content-Type and all its ``X-Object-Meta-*`` items (the
tenant's metadata and the exchange's reserved keys: carried sysmeta, SLO
and DLO markers, split headers). A landlord answer is used only when

1. the tag verifies (:func:`verify_answer`): nothing was rewritten,
   added, stripped or copied from another object;
2. its timestamp is the one the object index holds for the object
   (:func:`check_fresh`): no older version replayed, no deleted object
   resurrected;
3. for a whole-object GET of a copy, the bytes hash to the MD5 the index
   recorded when the exchange computed it from the client's bytes
   (:class:`CheckedBody`): objects up to :data:`VERIFY_BEFORE_BYTES` are
   read and checked before the first byte goes out, and the next copy is
   tried on a mismatch; larger ones are cut off at the end on a mismatch
   (the client sees a short read, never a silently wrong object).

Range GETs of a copy are checked by 1 and 2 only: the bytes of a range
cannot be checked against a whole-object MD5 (split objects check every
record they read).

Names here are WSGI strings; they are converted for the tags.
"""

import hashlib

from swift.common.swob import wsgi_to_str

from ocx_swift.exceptions import OcxError
from ocx_swift.storage.index import StaleRow
from ocx_swift.storage.state import STATE_HEADER, StateError, \
    meta_items_of, seal, sign_state, unseal, verify_state

#: objects up to this size are verified before their first byte is sent
VERIFY_BEFORE_BYTES = 64 * 1024
KIND_COPY = 'copy'
KIND_SHARE = 'share'


#: marks a carried header value sealed for the landlord
SEALED_PREFIX = 'ocx-sealed:'
#: exchange-side object headers that may tell a landlord about the
#: plaintext or other names (a symlink's target and its etag, a DLO's
#: segment prefix, s3api and SLO etags)
SEALED_HEADER_PREFIXES = ('x-object-sysmeta-', 'x-object-transient-sysmeta-')
SEALED_HEADERS = ('x-object-manifest',)


def _sealable(name, keep):
    lower = name.lower()
    return lower not in keep and (lower in SEALED_HEADERS or lower.startswith(
        SEALED_HEADER_PREFIXES))


def seal_headers(keys, path, headers, keep=()):
    """Seal the values of carried sysmeta (and DLO manifest) headers.

    :param headers: dict of exchange-side headers (WSGI strings)
    :param keep: lower-case names left in clear (e.g. the split header)
    :returns: a new dict
    """
    out = {}
    for name, value in headers.items():
        if _sealable(name, keep) and value:
            value = SEALED_PREFIX + seal(
                keys, path, 'header:' + name.lower(),
                value.encode('latin-1', 'surrogateescape'))
        out[name] = value
    return out


def open_headers(keys, path, items, keep=()):
    """The inverse of :func:`seal_headers` on ``(name, value)`` items.
    A sealed value that does not open here is dropped (the copy's state
    tag fails anyway: it covers what the landlord stored)."""
    out = []
    for name, value in items:
        if _sealable(name, keep) and value.startswith(SEALED_PREFIX):
            try:
                value = unseal(keys, path, 'header:' + name.lower(),
                               value[len(SEALED_PREFIX):]).decode(
                                   'latin-1', 'surrogateescape')
            except StateError:
                continue
        out.append((name, value))
    return out


class CopyMismatch(OcxError):
    """A landlord's copy does not match what the exchange recorded."""


def state_path(account, container, obj):
    """The native-string path a tag binds to (the object's real name)."""
    return tuple(wsgi_to_str(n) for n in (account, container, obj))


def sign_headers(keys, path, kind, timestamp, headers):
    """Add the state tag to landlord request headers (in place).

    :param headers: dict of the landlord-side headers as they will be
        stored (after :func:`ocx_swift.sysmeta.encode_headers`)
    :returns: ``headers``
    """
    headers.pop(STATE_HEADER, None)
    content_type = next((v for k, v in headers.items()
                         if k.lower() == 'content-type'), '')
    headers[STATE_HEADER] = sign_state(
        keys, path, kind, timestamp, 0, '', content_type,
        meta_items_of(headers))
    return headers


def verify_answer(keys, path, kind, header_items):
    """The exchange timestamp of a landlord's answer (GET, HEAD), checked.

    :param header_items: the landlord's response headers, ``(name,
        value)`` as it sent them
    :raises StateError: when the tag is missing or does not verify
    """
    found = {}
    for name, value in header_items:
        found.setdefault(name.lower(), value)
    value = found.get(STATE_HEADER.lower())
    if value is None:
        raise StateError('missing object state')
    return verify_state(keys, value, path, kind, 0, '',
                        found.get('content-type', ''),
                        meta_items_of(header_items))


def check_fresh(timestamp, row):
    """:raises CopyMismatch: unless ``timestamp`` is the index row's
    :raises StaleRow: when it is newer than a row taken from memcache
        (ask the container servers for the row)
    """
    if row is None:
        raise CopyMismatch('object not in the index')
    if row.cached and timestamp > row.timestamp:
        raise StaleRow('version %s is newer than the cached row'
                       % timestamp.internal)
    if timestamp != row.timestamp:
        raise CopyMismatch('version %s, the index holds %s' % (
            timestamp.internal, row.timestamp.internal))


class CheckedBody(object):
    """A copy's body, hashed as it streams; a mismatch with the index's
    MD5 ends the response with an error instead of its last bytes.

    :param body: the landlord body (an iterable with ``close``)
    :param md5: the expected MD5 (hex), or None to check nothing
    :param on_mismatch: called with a reason before the error is raised
    """

    def __init__(self, body, md5, on_mismatch):
        self.body = body
        self.md5 = md5
        self.on_mismatch = on_mismatch

    def __iter__(self):
        hasher = hashlib.md5(usedforsecurity=False)
        held = None
        for chunk in self.body:
            if held is not None:
                yield held
            hasher.update(chunk)
            held = chunk
        if self.md5 is not None and hasher.hexdigest() != self.md5:
            reason = 'bytes hash to %s, the index holds %s' % (
                hasher.hexdigest(), self.md5)
            self.on_mismatch(reason)
            raise CopyMismatch(reason)
        if held is not None:
            yield held

    def close(self):
        close = getattr(self.body, 'close', None)
        if close:
            close()


def read_checked(body, md5):
    """Read a small body whole and check it.

    :returns: the bytes
    :raises CopyMismatch: when they do not hash to ``md5``
    """
    try:
        data = b''.join(body)
    finally:
        close = getattr(body, 'close', None)
        if close:
            close()
    got = hashlib.md5(data, usedforsecurity=False).hexdigest()
    if md5 is not None and got != md5:
        raise CopyMismatch('bytes hash to %s, the index holds %s'
                           % (got, md5))
    return data
