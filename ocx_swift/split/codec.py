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

"""The split codec: segments, records, shares and their layout.

An object of ``size`` bytes is cut into segments of ``segment_size``
bytes (the last one shorter; none at all for an empty object). Each
segment is coded by the scheme (:mod:`ocx_swift.split.schemes`) into n
fragments, and each fragment becomes a *record*::

    record  = fragment || salt || tag                    (salt || tag: 32)
    salt    = 16 random bytes, fresh for each encoding of a segment (the
              same in every record of it)
    tag     = GMAC(segment key, nonce = share index as 12 big-endian
              bytes, message = fragment)                     (16 bytes)
              i.e. AES-256-GCM encryption of nothing with the fragment
              as associated data
    segment key = HMAC-SHA256(mac_key, header)
    header  = struct '>8s16sBHHQQQQ16s': b'ocxsplt2', object id, scheme
              code, n, k, segment size, segment index, segment plaintext
              length, fragment length, salt

Each segment key therefore tags exactly n fragments, under n different
nonces: a GMAC key is never used twice with one nonce, even if a caller
encoded the same segment of the same object id twice (a new salt, so a
new key), and a landlord that alters a salt only makes the read derive a
key it never saw used. GHASH also covers the fragment's length. The
header is fixed width, so no two different (object, parameters,
segment, lengths, salt) give one key; the share index is the nonce.
``mac_key`` comes from :func:`ocx_swift.split.keys.derive_object_keys`
and so is bound to the object's path and to the object id the PUT chose:
a record moved to another share, segment, object or older version of the
object fails its tag. A 16-byte GMAC over an L-byte fragment is forged
with probability about L/16 / 2**128 per try (2**-112 for 1 MiB).

GMAC rather than HMAC-SHA256 over the fragment because it runs on the
CPU's AES and carry-less multiply instructions: the tags of a segment
cost one small HMAC and about 20 GB/s of GHASH, where HMAC-SHA256 ran at
the speed of SHA-256 (1.8 GB/s here) over every byte of every record.

Share i of the object is the concatenation of its records for segments
0, 1, 2, ...; every record of a segment has the same size
(:meth:`SplitCodec.record_size`), so every share has the same size
(:meth:`SplitCodec.share_size`) and a byte range of the object maps to
one byte range of each share (:meth:`SplitCodec.segments_for_range`,
:meth:`SplitCodec.share_range`).

Decoding checks every given record's length and tag before any fragment
is decoded, and raises :class:`~ocx_swift.exceptions.ShareAuthError`
(naming the bad shares, and those of a second encoding of the segment
mixed in) or :class:`~ocx_swift.exceptions.NotEnoughShares`; it never
returns bytes other than those encoded.

Secrecy is computational, not information-theoretic: ``xor`` pads are
AES-256-CTR keystreams of fresh random keys (a CTR-DRBG seeded from
``os.urandom``, itself the kernel's DRBG), so fewer than n ``xor``
shares are uniformly random given that AES-256 is a pseudorandom
permutation; fewer than k ``aont-rs`` shares hide the segment as long as
AES-256 and SHA-256 hold (:mod:`ocx_swift.split.schemes`).

What must be persisted with the object to read it back: the object id
and size, and :meth:`SplitCodec.params` (scheme, n, k, segment size and,
for ``aont-rs``, the pyeclib ec_type).

Speed (``bench/bench_codec.py``): see the README's benchmark section
and the bench's own output, which names what bounds each scheme. A
codec raises glibc's mmap threshold to about n + 1 segments when it is
built (:mod:`ocx_swift.split.heap`): otherwise every segment's buffers
are page-faulted in afresh, which cost more than the coding.
"""

import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ocx_swift.exceptions import NotEnoughShares, ShareAuthError, \
    SplitDecodeError
from ocx_swift.split.heap import raise_mmap_threshold
from ocx_swift.split.keys import OBJECT_ID_BYTES
from ocx_swift.split.schemes import AontRsScheme, XorScheme

DEFAULT_SEGMENT_SIZE = 1024 * 1024
SALT_BYTES = 16
GMAC_BYTES = 16
#: what a record adds to its fragment: salt and tag
TAG_BYTES = SALT_BYTES + GMAC_BYTES
SCHEME_CODES = {'xor': 1, 'aont-rs': 2}
TAG_LABEL = b'ocxsplt2'
TAG_HEADER = struct.Struct('>8s16sBHHQQQQ16s')
#: pyeclib (liberasurecode) handles at most 32 fragments
MAX_SHARES = 32
#: the GMAC nonce of each share: its index as 12 big-endian bytes
NONCES = tuple(share.to_bytes(12, 'big') for share in range(MAX_SHARES))


def check_int(name, value, low, high=None):
    """:raises ValueError: unless ``low <= value <= high`` (an int)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError('%s must be an integer, not %r' % (name, value))
    if value < low or (high is not None and value > high):
        limit = '>= %d' % low if high is None else \
            'between %d and %d' % (low, high)
        raise ValueError('%s must be %s, not %d' % (name, limit, value))


def make_scheme(scheme, n, k, ec_type):
    """The scheme object for validated parameters.

    :raises ValueError: on an unknown scheme or parameters it cannot use
    """
    if scheme not in SCHEME_CODES:
        raise ValueError('unknown split scheme %r (known: %s)' % (
            scheme, ', '.join(sorted(SCHEME_CODES))))
    check_int('n', n, 2, MAX_SHARES)
    if scheme == 'xor':
        if k not in (None, n):
            raise ValueError('xor needs every share: k must be n (%d), '
                             'not %r' % (n, k))
        if ec_type is not None:
            raise ValueError('xor takes no ec_type')
        return XorScheme(n)
    if k is None:
        raise ValueError('aont-rs needs k')
    if k == 1:
        raise ValueError('aont-rs k must be at least 2: with k=1 every '
                         'share alone decodes the object')
    check_int('k', k, 2, n - 1)
    return AontRsScheme(n, k, ec_type)


class SplitCodec(object):
    """Encodes segments into authenticated records and back.

    One codec serves every object of one split policy; it holds no keys
    and no per-object state, and is safe to share between greenthreads.

    :param scheme: ``'xor'`` (n-of-n) or ``'aont-rs'`` (k-of-n)
    :param n: number of shares (one per landlord), 2..32
    :param k: shares needed to decode; for ``xor`` None or n, for
              ``aont-rs`` 2 <= k < n (k=1 would let one landlord read
              the object)
    :param segment_size: plaintext bytes per segment, > 0
    :param ec_type: ``aont-rs`` only: the pyeclib ec_type, as persisted
                    with an object; None picks one (see ``ec_type``)
    :raises ValueError: with the reason, on any unusable parameter
    """

    def __init__(self, scheme, n, k=None, segment_size=DEFAULT_SEGMENT_SIZE,
                 ec_type=None):
        check_int('segment_size', segment_size, 1)
        self._scheme = make_scheme(scheme, n, k, ec_type)
        self.scheme = scheme
        self.n = n
        self.k = self._scheme.k
        self.segment_size = segment_size
        self.ec_type = self._scheme.ec_type
        # fragments, records and their temporaries: about n + 1 segments
        # are freed at once; see ocx_swift.split.heap
        raise_mmap_threshold((n + 1) * segment_size)

    def __repr__(self):
        return 'SplitCodec(%r, %d, %d, %d%s)' % (
            self.scheme, self.n, self.k, self.segment_size,
            ', %r' % self.ec_type if self.ec_type else '')

    def params(self):
        """What to persist with an object to decode it later: a dict
        whose items are this class's keyword arguments."""
        return {'scheme': self.scheme, 'n': self.n, 'k': self.k,
                'segment_size': self.segment_size, 'ec_type': self.ec_type}

    # -- layout -------------------------------------------------------

    def segment_count(self, size):
        """Number of segments of an object of ``size`` bytes."""
        return -(-size // self.segment_size)

    def segment_length(self, size, index):
        """Plaintext bytes of segment ``index`` of a ``size``-byte object.

        :raises IndexError: if the object has no such segment
        """
        count = self.segment_count(size)
        if not 0 <= index < count:
            raise IndexError('segment %d of %d' % (index, count))
        if index < count - 1:
            return self.segment_size
        return size - self.segment_size * (count - 1)

    def record_size(self, plain_len):
        """Bytes one record of a ``plain_len``-byte segment takes on a
        share (the same for every share)."""
        return self._scheme.fragment_size(plain_len) + TAG_BYTES

    def share_size(self, size):
        """Bytes of each share of a ``size``-byte object."""
        count = self.segment_count(size)
        if not count:
            return 0
        last = self.segment_length(size, count - 1)
        return ((count - 1) * self.record_size(self.segment_size) +
                self.record_size(last))

    def segments_for_range(self, size, first, last):
        """Segments holding bytes ``first..last`` (inclusive) of an object.

        :returns: (first segment index, last segment index)
        :raises ValueError: unless ``0 <= first <= last < size``
        """
        if not 0 <= first <= last < size:
            raise ValueError('byte range %d-%d not within %d bytes'
                             % (first, last, size))
        return first // self.segment_size, last // self.segment_size

    def share_range(self, size, first_seg, last_seg):
        """Byte range of segments ``first_seg..last_seg`` on any share.

        :returns: (start, end), both inclusive, as in an HTTP Range
        :raises IndexError: if a segment is out of range
        """
        if first_seg > last_seg:
            raise IndexError('segments %d-%d' % (first_seg, last_seg))
        self.segment_length(size, first_seg)  # raises if out of range
        full = self.record_size(self.segment_size)
        end = last_seg * full + self.record_size(
            self.segment_length(size, last_seg))
        return first_seg * full, end - 1

    # -- records ------------------------------------------------------

    def _segment_mac(self, keys, object_id, index, plain_len,
                     fragment_len, salt):
        """The GMAC (an AESGCM) of one encoding of one segment."""
        header = TAG_HEADER.pack(
            TAG_LABEL, object_id, SCHEME_CODES[self.scheme], self.n,
            self.k, self.segment_size, index, plain_len, fragment_len,
            salt)
        return AESGCM(hmac.new(keys.mac_key, header,
                               hashlib.sha256).digest())

    def _check_segment(self, object_id, index, plain_len):
        if not isinstance(object_id, bytes) or \
                len(object_id) != OBJECT_ID_BYTES:
            raise ValueError('object_id must be %d bytes' % OBJECT_ID_BYTES)
        check_int('segment index', index, 0)
        check_int('segment length', plain_len, 1, self.segment_size)

    def encode_segment_parts(self, keys, object_id, index, plaintext):
        """The n records of one segment, each as its two parts.

        For a caller that writes a record as two pieces anyway (a share's
        PUT body iterator): it saves joining them, a copy of every
        fragment.

        :returns: list of n (fragment, tag) pairs of bytes; record i,
                  ``fragment + tag``, goes to share i
        """
        return [(bytes(fragment), tag) for fragment, tag in
                self._encode(keys, object_id, index, plaintext)]

    def _encode(self, keys, object_id, index, plaintext):
        """(fragment, salt || tag) of each share; fragments bytes-like."""
        self._check_segment(object_id, index, len(plaintext))
        fragments = self._scheme.encode(plaintext)
        salt = os.urandom(SALT_BYTES)
        gmac = self._segment_mac(keys, object_id, index, len(plaintext),
                                 len(fragments[0]), salt)
        return [(fragment, salt + gmac.encrypt(NONCES[share], b'',
                                               fragment))
                for share, fragment in enumerate(fragments)]

    def encode_segment(self, keys, object_id, index, plaintext):
        """The n records of one segment.

        :param keys: the object's :class:`~ocx_swift.split.keys.ObjectKeys`
        :param object_id: the 16-byte id of this PUT of the object
        :param index: the segment index, from 0
        :param plaintext: the segment (bytes-like, 1..segment_size bytes)
        :returns: list of n records (bytes); record i goes to share i
        """
        return [b''.join(parts) for parts in self._encode(
            keys, object_id, index, plaintext)]

    def verify_records(self, keys, object_id, index, plain_len, records):
        """Check the length and tag of every given record of a segment.

        Records that pass but come from different encodings of the
        segment (different salts: a caller encoded one segment of one
        object id twice) would decode to garbage; all but the larger
        group of them fail.

        :returns: (dict of share index to fragment of the records that
                  passed (a memoryview), set of share indexes that
                  failed)
        """
        self._check_segment(object_id, index, plain_len)
        expected = self.record_size(plain_len)
        good, bad, macs, salts = {}, set(), {}, {}
        for share, record in records.items():
            check_int('share index', share, 0, self.n - 1)
            if len(record) != expected:
                bad.add(share)
                continue
            view = memoryview(record)
            fragment = view[:-TAG_BYTES]
            salt = bytes(view[-TAG_BYTES:-GMAC_BYTES])
            gmac = macs.get(salt)
            if gmac is None:
                gmac = macs[salt] = self._segment_mac(
                    keys, object_id, index, plain_len, len(fragment), salt)
            tag = gmac.encrypt(NONCES[share], b'', fragment)
            if hmac.compare_digest(tag, view[-GMAC_BYTES:]):
                good[share] = fragment
                salts[share] = salt
            else:
                bad.add(share)
        if len(set(salts.values())) > 1:
            # records of two encodings of the segment: keep the larger
            # group (ties: the one holding the lowest share)
            groups = {}
            for share in sorted(salts):
                groups.setdefault(salts[share], []).append(share)
            keep = max(groups.values(), key=len)
            for share in set(good) - set(keep):
                del good[share]
                bad.add(share)
        return good, bad

    def rebuild_records(self, keys, object_id, index, plain_len, records,
                        missing):
        """The records of the ``missing`` shares of one segment, from k
        authenticated records of the others (``aont-rs`` only): the same
        fragments the PUT made, tagged with the same salt, so the rebuilt
        share reads like a written one.

        :param records: dict of share index to record (bytes-like)
        :param missing: share indexes to rebuild
        :returns: dict of share index to record (bytes)
        :raises ShareAuthError: naming every given record that fails
        :raises NotEnoughShares: if fewer than k are given
        """
        if self.scheme != 'aont-rs':
            raise SplitDecodeError('only aont-rs shares can be rebuilt')
        good, bad = self.verify_records(keys, object_id, index, plain_len,
                                        records)
        if bad:
            raise ShareAuthError(bad, index)
        if len(good) < self.k:
            raise NotEnoughShares(len(good), self.k, index)
        salt = bytes(memoryview(records[next(iter(good))])[
            -TAG_BYTES:-GMAC_BYTES])
        gmac = self._segment_mac(keys, object_id, index, plain_len,
                                 len(next(iter(good.values()))), salt)
        fragments = self._scheme.reconstruct(good, missing)
        return {share: fragment + salt + gmac.encrypt(NONCES[share], b'',
                                                      fragment)
                for share, fragment in fragments.items()}

    def decode_segment(self, keys, object_id, index, plain_len, records):
        """The plaintext of one segment, from authenticated records.

        Every given record is checked before anything is decoded, so
        give only as many as needed (k; n for ``xor``).

        :param keys: the object's :class:`~ocx_swift.split.keys.ObjectKeys`
        :param object_id: the 16-byte id of the PUT that wrote the object
        :param index: the segment index
        :param plain_len: the segment's plaintext length
                          (:meth:`segment_length`)
        :param records: dict of share index to record (bytes-like)
        :returns: the segment (bytes)
        :raises ShareAuthError: naming every given share whose record is
                                the wrong size or fails its tag
        :raises NotEnoughShares: if all are valid but fewer than k
        """
        good, bad = self.verify_records(keys, object_id, index, plain_len,
                                        records)
        if bad:
            raise ShareAuthError(bad, index)
        if len(good) < self.k:
            raise NotEnoughShares(len(good), self.k, index)
        plaintext = self._scheme.decode(good, plain_len)
        if len(plaintext) != plain_len:
            raise SplitDecodeError('segment %d decoded to %d bytes, not %d'
                                   % (index, len(plaintext), plain_len))
        return plaintext
