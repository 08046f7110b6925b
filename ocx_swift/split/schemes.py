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

"""The two ways one segment becomes n fragments, without authentication.

:class:`XorScheme` (n-of-n): shares 0..n-2 are pads, each the AES-256-CTR
keystream (zero nonce) of a fresh 32-byte key from ``os.urandom``, drawn
for that pad alone and then forgotten; share n-1 is the segment XOR every
pad. This is a CTR-DRBG-style generator seeded by the kernel's own DRBG
(which ``os.urandom`` already is): as long as AES-256 is a pseudorandom
permutation, any n-1 shares are indistinguishable from uniformly random
bytes independent of the segment. The security is therefore
computational, as for every other part of split storage, not
information-theoretic. The XOR runs in numpy.

:class:`AontRsScheme` (k-of-n), Resch and Plank's AONT-RS: a fresh
random 32-byte key K per segment; C = AES-256-CTR(K, zero nonce)(P) (the
key is never reused, so a fixed nonce is safe); the package
C || (K XOR SHA-256(C)) is Reed-Solomon coded by pyeclib into n
fragments of which any k rebuild it. Fewer than k fragments miss part of
C, so they give neither K nor any of P.

Both take plaintext as any bytes-like object and are pure apart from
``os.urandom``. Fragments here are not authenticated: the codec checks
each record's tag before any fragment reaches :meth:`decode`, which
matters for pyeclib, whose C code trusts fragment headers.
"""

import hashlib
import os

import numpy
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from pyeclib.ec_iface import ECDriver, ECDriverError

from ocx_swift.exceptions import SplitDecodeError

AONT_KEY_BYTES = 32
PAD_KEY_BYTES = 32
ZERO_NONCE = bytes(16)
#: preferred first; Swift refuses isa_l_rs_vand with 5 or more parity
#: fragments (its matrix is not MDS there), so that uses the next one
EC_TYPES = ('isa_l_rs_vand', 'liberasurecode_rs_vand')
ISA_L_VAND_MAX_PARITY = 4


def xor_bytes(a, b):
    """XOR of two equal-length bytes-like objects, as bytes."""
    value = int.from_bytes(a, 'little') ^ int.from_bytes(b, 'little')
    return value.to_bytes(len(a), 'little')


def xor_into(out, buffers):
    """Write the XOR of two or more bytes-like ``buffers`` into ``out``.

    :param out: a writable buffer (bytearray) as long as each of them
    :returns: ``out``
    """
    target = numpy.frombuffer(out, dtype=numpy.uint8)
    first, second = (numpy.frombuffer(b, dtype=numpy.uint8)
                     for b in buffers[:2])
    numpy.bitwise_xor(first, second, out=target)
    for other in buffers[2:]:
        numpy.bitwise_xor(target, numpy.frombuffer(other, dtype=numpy.uint8),
                          out=target)
    return out


class XorScheme(object):
    """n-of-n XOR secret sharing of a segment.

    :param n: number of shares, 2 or more
    """

    name = 'xor'
    ec_type = None

    def __init__(self, n):
        self.n = self.k = n
        self._zeros = b''

    def fragment_size(self, plain_len):
        """Bytes of every fragment of a ``plain_len``-byte segment."""
        return plain_len

    def zeros(self, size):
        """``size`` zero bytes (read only, kept for the next segment)."""
        if len(self._zeros) < size:
            self._zeros = bytes(size)
        return memoryview(self._zeros)[:size]

    def pad(self, size):
        """A fresh pad: AES-256-CTR keystream of a new random key."""
        with self.zeros(size) as zeros:
            return aes_ctr(os.urandom(PAD_KEY_BYTES)).update(zeros)

    def encode(self, plaintext):
        """:returns: list of n fragments (bytes-like: the pads are bytes,
                     the last fragment a bytearray)"""
        size = len(plaintext)
        pads = [self.pad(size) for _ in range(self.n - 1)]
        return pads + [xor_into(bytearray(size), [plaintext] + pads)]

    def decode(self, fragments, plain_len):
        """The segment from all n fragments.

        :param fragments: dict of share index to bytes-like fragment
        """
        return bytes(xor_into(bytearray(plain_len),
                              [fragments[i] for i in range(self.n)]))


def make_ec_driver(k, m, ec_type=None):
    """A pyeclib driver for k data and m parity fragments.

    :param ec_type: a pyeclib ec_type, or None for the first of
                    :data:`EC_TYPES` that suits and is installed
    :raises ValueError: if no such driver can be built
    """
    if ec_type is not None:
        candidates = [ec_type]
    else:
        candidates = [t for t in EC_TYPES
                      if t != 'isa_l_rs_vand' or m <= ISA_L_VAND_MAX_PARITY]
    errors = []
    for candidate in candidates:
        try:
            return ECDriver(k=k, m=m, ec_type=candidate)
        except ECDriverError as err:
            errors.append('%s: %s' % (candidate, err))
    raise ValueError('no Reed-Solomon driver for k=%d m=%d (%s)'
                     % (k, m, '; '.join(errors)))


def aes_ctr(key):
    """A fresh AES-256-CTR context (encrypt and decrypt are the same)."""
    return Cipher(algorithms.AES(key), modes.CTR(ZERO_NONCE)).encryptor()


def mask_key(key_or_mask, cipher_text):
    """K XOR SHA-256(C): masks K on encode and unmasks it on decode."""
    return xor_bytes(key_or_mask, hashlib.sha256(cipher_text).digest())


class AontRsScheme(object):
    """k-of-n AONT-RS coding of a segment.

    :param n: number of shares
    :param k: shares needed to decode, 2 <= k < n (with k=1 each
              fragment holds the whole package)
    :param ec_type: pyeclib ec_type, or None to pick one (the choice is
                    in ``ec_type`` and must be persisted: fragments of
                    one ec_type do not decode with another)
    """

    name = 'aont-rs'

    def __init__(self, n, k, ec_type=None):
        self.n, self.k = n, k
        self.driver = make_ec_driver(k, n - k, ec_type)
        self.ec_type = self.driver.ec_type.name
        self._sizes = {}

    def fragment_size(self, plain_len):
        """Bytes of every fragment of a ``plain_len``-byte segment."""
        size = self._sizes.get(plain_len)
        if size is None:
            package_len = plain_len + AONT_KEY_BYTES
            size = self.driver.get_segment_info(
                package_len, package_len)['fragment_size']
            if len(self._sizes) < 64:
                self._sizes[plain_len] = size
        return size

    def encode(self, plaintext):
        """:returns: list of n fragments (bytes)"""
        key = os.urandom(AONT_KEY_BYTES)
        cipher_text = aes_ctr(key).update(plaintext)
        # pyeclib takes only bytes: one copy of C to append the key block
        return self.driver.encode(cipher_text + mask_key(key, cipher_text))

    def reconstruct(self, fragments, missing):
        """The fragments of the ``missing`` share indexes, byte for byte
        as encoding made them, from any k others.

        :param fragments: dict of share index to bytes-like fragment
        :returns: dict of share index to fragment (bytes)
        """
        chosen = [bytes(fragments[i]) for i in sorted(fragments)[:self.k]]
        try:
            rebuilt = self.driver.reconstruct(chosen, list(missing))
        except ECDriverError as err:
            raise SplitDecodeError('Reed-Solomon reconstruct failed: %s'
                                   % err)
        return dict(zip(missing, rebuilt))

    def decode(self, fragments, plain_len):
        """The segment from any k fragments (the lowest indexes are used:
        data fragments need no Reed-Solomon arithmetic).

        :param fragments: dict of share index to bytes-like fragment
        """
        chosen = [bytes(fragments[i]) for i in sorted(fragments)[:self.k]]
        try:
            package = self.driver.decode(chosen)
        except ECDriverError as err:
            raise SplitDecodeError('Reed-Solomon decode failed: %s' % err)
        if len(package) != plain_len + AONT_KEY_BYTES:
            raise SplitDecodeError('decoded package is %d bytes, expected %d'
                                   % (len(package),
                                      plain_len + AONT_KEY_BYTES))
        with memoryview(package) as view:
            cipher_text = view[:plain_len]
            key = mask_key(view[plain_len:], cipher_text)
            return aes_ctr(key).update(cipher_text)
