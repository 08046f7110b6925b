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

"""Encode and decode speed of the split codec vs plain AES-256-CTR.

Over the same random bytes, cut into segments, it times encoding and
decoding with plain AES-256-CTR (``cryptography``, one ``update`` per
segment, as a proxy encrypting a stream would) and with each split
scheme, tags included: encoding with ``encode_segment_parts`` (a share's
PUT body writes fragment and tag as two pieces; ``--joined`` times
``encode_segment`` instead), decoding with ``decode_segment`` from the
first k records (the data fragments, for ``aont-rs``), which verifies
their tags and rebuilds the segment. Segments go one at a time and each
output is dropped before the next, as in a streaming proxy; decoded
segments are compared with the originals (for AES-CTR too).

Times are CPU seconds of this process (``time.process_time``), so other
work on the machine skews them less. After an untimed warm-up of every
scheme, schemes alternate within each round. The table gives per scheme
the median MB/s (of plaintext), the median of the per-round ratios to
AES-CTR (1.0: as fast as encrypting once), the goal, and the *bound*:
the ratio the scheme would reach if the primitives it cannot do without,
timed in the same rounds on data in the CPU's caches, were its only
costs:

- ``xor`` n-of-n: n-1 pads (AES-256-CTR keystream of a fresh key), a
  GMAC per share, n-1 XORs (numpy) for the last share or the plaintext;
- ``aont-rs``: AES-256-CTR and SHA-256 over the segment (the AONT), a
  GMAC per fragment; Reed-Solomon coding and copies are not counted;
- decoding also counts the bench's comparison with the original.

A goal above the bound cannot be met with these primitives on this
machine; the lines under the table say which goals are met, and which
are out of reach. It also prints the ratio AES-CTR and SHA-256 alone
allow AONT-RS.

Usage::

    python bench/bench_codec.py [--size-mib 64] [--segment-size 1048576]
                                [--rounds 3] [--max-seconds 120]
                                [--joined]

Every loop is bounded by ``--rounds`` and the data size; ``--max-seconds``
stops starting rounds past the deadline (the first always runs). It runs
in one process on one core, as one proxy worker would.
"""

import argparse
import hashlib
import os
import statistics
import sys
import time

import numpy
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ocx_swift.split.codec import SplitCodec, TAG_BYTES
from ocx_swift.split.keys import derive_object_keys

#: (label, scheme, n, k, goal as a fraction of AES-CTR's speed)
SCHEMES = (
    ('xor 2-of-2', 'xor', 2, None, 0.60),
    ('xor 3-of-3', 'xor', 3, None, 0.60),
    ('aont-rs 2-of-3', 'aont-rs', 3, 2, 0.30),
    ('aont-rs 3-of-5', 'aont-rs', 5, 3, 0.30),
)
BASELINE = 'aes-256-ctr'
PRIMITIVES = 'primitives'
#: what :func:`time_primitives` times, in its order
PRIMITIVE_NAMES = ('aes-256-ctr pad', 'gmac', 'sha256', 'numpy xor',
                   'compare')
WARM_UP_SEGMENTS = 8
MB = 1000.0 * 1000.0


def aes_ctr(key):
    return Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()


def xor_into(out, pair):
    """out = XOR of two buffers, as the xor scheme does it (numpy)."""
    numpy.bitwise_xor(numpy.frombuffer(pair[0], dtype=numpy.uint8),
                      numpy.frombuffer(pair[1], dtype=numpy.uint8),
                      out=numpy.frombuffer(out, dtype=numpy.uint8))


class AesRunner(object):
    """Plain AES-256-CTR over the segments: the baseline."""

    def __init__(self):
        self.key = os.urandom(32)

    def encode_all(self, segments):
        cipher = aes_ctr(self.key)
        return [cipher.update(segment) for segment in segments]

    def time_encode(self, segments):
        cipher = aes_ctr(self.key)
        started = time.process_time()
        for segment in segments:
            cipher.update(segment)
        return time.process_time() - started

    def time_decode(self, encoded, segments):
        cipher = aes_ctr(self.key)
        started = time.process_time()
        for data, segment in zip(encoded, segments):
            if cipher.update(data) != segment:
                raise SystemExit('AES-CTR decode returned wrong bytes')
        return time.process_time() - started


class CodecRunner(object):
    """One split scheme over the segments, tags included."""

    def __init__(self, codec, joined):
        self.codec = codec
        self.encode = codec.encode_segment if joined else \
            codec.encode_segment_parts
        self.object_id = os.urandom(16)
        self.keys = derive_object_keys(os.urandom(32), 'AUTH_bench',
                                       'c\u00e9', 'o', self.object_id)

    def encode_all(self, segments):
        return [self.codec.encode_segment(self.keys, self.object_id, index,
                                          segment)
                for index, segment in enumerate(segments)]

    def time_encode(self, segments):
        encode, keys, oid = self.encode, self.keys, self.object_id
        started = time.process_time()
        for index, segment in enumerate(segments):
            encode(keys, oid, index, segment)
        return time.process_time() - started

    def time_decode(self, encoded, segments):
        decode, keys, oid, k = self.codec.decode_segment, self.keys, \
            self.object_id, self.codec.k
        started = time.process_time()
        for index, records in enumerate(encoded):
            segment = segments[index]
            got = decode(keys, oid, index, len(segment),
                         dict(enumerate(records[:k])))
            if got != segment:
                raise SystemExit('%s decode returned wrong bytes'
                                 % self.codec.scheme)
        return time.process_time() - started


def time_primitives(segments, copies):
    """Seconds each primitive the schemes are built from takes over as
    many bytes as the segments hold (see :data:`PRIMITIVE_NAMES`).

    Each works over the same two segments again and again, in the
    CPU's caches: the best case, so that the bounds made of these times
    are upper bounds.
    """
    count = len(segments)
    hot = [(segments[i % 2], copies[i % 2]) for i in range(count)]
    zeros = bytes(len(segments[0]))
    out = []
    started = time.process_time()
    for segment, _copy in hot:  # a pad: keystream of a fresh key
        aes_ctr(os.urandom(32)).update(zeros[:len(segment)])
    out.append(time.process_time() - started)
    started = time.process_time()
    for segment, _copy in hot:
        AESGCM(os.urandom(32)).encrypt(bytes(12), b'', segment)
    out.append(time.process_time() - started)
    started = time.process_time()
    for segment, _copy in hot:
        hashlib.sha256(segment).digest()
    out.append(time.process_time() - started)
    target = bytearray(len(zeros))
    started = time.process_time()
    for segment, copy in hot:
        xor_into(memoryview(target)[:len(segment)], [segment, copy])
    out.append(time.process_time() - started)
    started = time.process_time()
    for segment, copy in hot:
        if segment != copy:
            raise SystemExit('copies differ')
    out.append(time.process_time() - started)
    return tuple(out)


def cost_model(codec, segment_size):
    """How many segments' worth of each primitive (in the order of
    :data:`PRIMITIVE_NAMES`) coding one full segment cannot avoid, to
    encode and to decode (the comparison of the bench's decode loop
    included)."""
    share = (codec.record_size(segment_size) - TAG_BYTES) / segment_size
    n, k = codec.n, codec.k
    if codec.scheme == 'xor':
        # n-1 pads, a MAC per share, n-1 XORs into the last share
        return ((n - 1, n, 0, n - 1, 0), (0, n, 0, n - 1, 1))
    # AES-CTR and SHA-256 of the AONT, a MAC per fragment
    return ((1, n * share, 1, 0, 0), (1, k * share, 1, 0, 1))


def measure(runner, segments):
    """Seconds to encode and to decode every segment, one at a time
    (each output is dropped before the next, as a streaming proxy
    would); decoded segments are compared with the originals."""
    enc_seconds = runner.time_encode(segments)
    encoded = runner.encode_all(segments)
    dec_seconds = runner.time_decode(encoded, segments)
    return enc_seconds, dec_seconds


def make_runners(segment_size, joined):
    runners = [(BASELINE, AesRunner(), None)]
    for label, scheme, n, k, goal in SCHEMES:
        codec = SplitCodec(scheme, n, k, segment_size=segment_size)
        runners.append((label, CodecRunner(codec, joined), goal))
    return runners


def run_rounds(runners, segments, rounds, deadline):
    """{label: [(encode s, decode s), ...]}, one entry per round."""
    copies = [bytes(bytearray(segment)) for segment in segments[:2]]
    times = dict((label, []) for label, _runner, _goal in runners)
    times[PRIMITIVES] = []
    for _label, runner, _goal in runners:  # untimed: let malloc settle
        measure(runner, segments[:WARM_UP_SEGMENTS])
    for number in range(rounds):
        if number and time.time() > deadline:
            break
        for label, runner, _goal in runners:
            times[label].append(measure(runner, segments))
        times[PRIMITIVES].append(time_primitives(segments, copies))
    return times


def summary(times, label, size):
    """Median MB/s and median per-round ratio to the baseline."""
    base = times[BASELINE]
    rows = times[label]
    speed = [statistics.median(size / MB / row[i] for row in rows)
             for i in (0, 1)]
    ratio = [statistics.median(b[i] / row[i] for row, b in zip(rows, base))
             for i in (0, 1)]
    return speed, ratio


def bounds(times, runner, segment_size):
    """The best ratio to AES-CTR a scheme could reach if the primitives
    of :func:`cost_model` were its only costs, to encode and to
    decode."""
    out = []
    for i, counts in enumerate(cost_model(runner.codec, segment_size)):
        out.append(statistics.median(
            base[i] / sum(c * t for c, t in zip(counts, prims))
            for base, prims in zip(times[BASELINE], times[PRIMITIVES])))
    return out


def aes_sha_bound(times):
    """The ratio AONT-RS encoding could reach if AES-CTR and SHA-256
    over the segment were its only costs."""
    return statistics.median(base[0] / (prims[0] + prims[2])
                             for base, prims in zip(times[BASELINE],
                                                    times[PRIMITIVES]))


def print_table(runners, times, size, segment_size):
    print('%-15s %8s %8s %7s %7s %7s %7s %5s  %s' % (
        'scheme', 'enc MB/s', 'dec MB/s', 'enc', 'dec', 'enc', 'dec',
        'goal', 'met'))
    print('%-15s %8s %8s %7s %7s %7s %7s' % (
        '', '', '', 'ratio', 'ratio', 'bound', 'bound'))
    verdicts = []
    for label, runner, goal in runners:
        (enc, dec), (enc_ratio, dec_ratio) = summary(times, label, size)
        if goal is None:
            print('%-15s %8.1f %8.1f %7.3f %7.3f %7s %7s %5s  -' % (
                label, enc, dec, enc_ratio, dec_ratio, '-', '-', '-'))
            continue
        enc_bound, dec_bound = bounds(times, runner, segment_size)
        met = 'yes' if min(enc_ratio, dec_ratio) >= goal else 'NO'
        print('%-15s %8.1f %8.1f %7.3f %7.3f %7.3f %7.3f %5.2f  %s' % (
            label, enc, dec, enc_ratio, dec_ratio, enc_bound, dec_bound,
            goal, met))
        for what, ratio, bound in (('encode', enc_ratio, enc_bound),
                                   ('decode', dec_ratio, dec_bound)):
            if ratio >= goal:
                verdict = 'met'
            elif bound < goal:
                verdict = 'NOT met, unreachable: its primitives alone ' \
                    'allow %.3f' % bound
            else:
                verdict = 'NOT met (its primitives allow %.3f)' % bound
            verdicts.append('  %-15s %s %.3f vs goal %.2f: %s' % (
                label, what, ratio, goal, verdict))
    speeds = [statistics.median(size / MB / row[i]
                                for row in times[PRIMITIVES])
              for i in range(len(PRIMITIVE_NAMES))]
    print('primitives, MB/s: %s' % ', '.join(
        '%s %.0f' % pair for pair in zip(PRIMITIVE_NAMES, speeds)))
    print('bound: the ratio if only the primitives cost (xor: n-1 pads, '
          'n GMACs, n-1 XORs; aont-rs: AES-CTR, SHA-256, a GMAC per '
          'fragment); AES-CTR + SHA-256 alone allow aont-rs %.3f'
          % aes_sha_bound(times))
    print('goals (ratio to AES-256-CTR over the same bytes, encode and '
          'decode):')
    for line in verdicts:
        print(line)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.strip().splitlines()[0],
        epilog='See the module docstring for what the columns mean.')
    parser.add_argument('--size-mib', type=int, default=64,
                        help='random data to code (default 64 MiB)')
    parser.add_argument('--segment-size', type=int, default=1024 * 1024)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--joined', action='store_true',
                        help='time encode_segment (each record joined into '
                        'one bytes) instead of encode_segment_parts')
    parser.add_argument('--max-seconds', type=float, default=120.0,
                        help='start no round after this many seconds')
    args = parser.parse_args(argv)
    if args.size_mib < 1 or args.segment_size < 1 or args.rounds < 1:
        parser.error('sizes and rounds must be positive')
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    data = os.urandom(args.size_mib * 1024 * 1024)
    view = memoryview(data)
    segments = [bytes(view[i:i + args.segment_size])
                for i in range(0, len(data), args.segment_size)]
    runners = make_runners(args.segment_size, args.joined)
    times = run_rounds(runners, segments, args.rounds,
                       started + args.max_seconds)
    print('%d MiB of random data, %d-byte segments, %d round(s), '
          'ec_type %s' % (args.size_mib, args.segment_size,
                          len(times[BASELINE]), runners[-1][1].codec.ec_type))
    print_table(runners, times, len(data), args.segment_size)
    print('total %.1f s' % (time.time() - started))
    return 0


if __name__ == '__main__':
    sys.exit(main())
