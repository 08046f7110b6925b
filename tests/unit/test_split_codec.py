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

"""The split codec: round trips, layout, tamper detection and secrecy.

Objects are encoded into whole shares (the concatenation of each share's
records) and read back segment by segment through
:meth:`SplitCodec.share_range`, as the proxy will read them from
landlords.
"""

import itertools
import math
import os
import zlib

import pytest

from ocx_swift.exceptions import NotEnoughShares, OcxError, \
    ShareAuthError, SplitDecodeError
from ocx_swift.split.codec import GMAC_BYTES, SALT_BYTES, \
    SplitCodec, TAG_BYTES
from ocx_swift.split.keys import derive_object_keys
from ocx_swift.split import schemes
from ocx_swift.split.schemes import aes_ctr, XorScheme, xor_into

SECRET = b'\x5a' * 32
ACCOUNT, CONTAINER, OBJ = 'AUTH_t\u00e9st', 'c\u00f6nt', 'obj\u00e9'
OBJECT_ID = b'\x01' * 16
OTHER_ID = b'\x02' * 16
SEG = 4096
SIZES = [0, 1, SEG - 1, SEG, SEG + 1, 3 * SEG + SEG // 2]
CODECS = [('xor', 2, None), ('xor', 3, None), ('aont-rs', 3, 2),
          ('aont-rs', 5, 3)]
CODEC_IDS = ['%s-%s-of-%d' % (s, k or n, n) for s, n, k in CODECS]


def object_keys(obj=OBJ, object_id=OBJECT_ID):
    return derive_object_keys(SECRET, ACCOUNT, CONTAINER, obj, object_id)


KEYS = object_keys()


@pytest.fixture(params=CODECS, ids=CODEC_IDS)
def codec(request):
    scheme, n, k = request.param
    return SplitCodec(scheme, n, k, segment_size=SEG)


def payload(size, seed=0):
    """Deterministic, not very random bytes (repeats every 251 bytes)."""
    return bytes((i * 7 + seed) % 251 for i in range(size))


def encode_object(codec, data, keys=KEYS, object_id=OBJECT_ID):
    """The n shares of ``data``, each as one bytes."""
    shares = [[] for _ in range(codec.n)]
    for index in range(codec.segment_count(len(data))):
        start = index * codec.segment_size
        records = codec.encode_segment(
            keys, object_id, index, data[start:start + codec.segment_size])
        for share, record in enumerate(records):
            shares[share].append(record)
    return [b''.join(records) for records in shares]


def segment_records(codec, size, shares, index, use):
    """Records of segment ``index`` of the shares in ``use``."""
    start, end = codec.share_range(size, index, index)
    return dict((i, shares[i][start:end + 1]) for i in use)


def decode_object(codec, size, shares, use, keys=KEYS,
                  object_id=OBJECT_ID):
    out = []
    for index in range(codec.segment_count(size)):
        out.append(codec.decode_segment(
            keys, object_id, index, codec.segment_length(size, index),
            segment_records(codec, size, shares, index, use)))
    return b''.join(out)


# -- round trips ------------------------------------------------------

@pytest.mark.parametrize('size', SIZES)
def test_round_trip(codec, size):
    data = payload(size)
    shares = encode_object(codec, data)
    assert len(shares) == codec.n
    for share in shares:
        assert len(share) == codec.share_size(size)
    assert decode_object(codec, size, shares, range(codec.n)) == data
    assert decode_object(codec, size, shares,
                         range(codec.n - codec.k, codec.n)) == data


@pytest.mark.parametrize('scheme,n,k', [('xor', 2, None),
                                        ('aont-rs', 3, 2)])
def test_round_trip_one_mib_default_segment(scheme, n, k):
    codec = SplitCodec(scheme, n, k)
    assert codec.segment_size == 1024 * 1024
    data = os.urandom(1024 * 1024)
    shares = encode_object(codec, data)
    assert codec.segment_count(len(data)) == 1
    assert [len(s) for s in shares] == [codec.share_size(len(data))] * n
    assert decode_object(codec, len(data), shares, range(n)) == data


@pytest.mark.parametrize('n,k', [(3, 2), (5, 3)])
def test_aont_rs_decodes_from_every_k_subset(n, k):
    codec = SplitCodec('aont-rs', n, k, segment_size=SEG)
    data = payload(3 * SEG + SEG // 2, seed=5)
    shares = encode_object(codec, data)
    subsets = list(itertools.combinations(range(n), k))
    assert len(subsets) == math.comb(n, k)
    for use in subsets:
        assert decode_object(codec, len(data), shares, use) == data


def test_params_round_trip():
    codec = SplitCodec('aont-rs', 4, 2, segment_size=SEG)
    again = SplitCodec(**codec.params())
    assert again.params() == codec.params()
    data = payload(2 * SEG + 3)
    shares = encode_object(codec, data)
    assert decode_object(again, len(data), shares, [1, 3]) == data


def test_explicit_ec_type_round_trip():
    codec = SplitCodec('aont-rs', 3, 2, segment_size=SEG,
                       ec_type='liberasurecode_rs_vand')
    assert codec.ec_type == 'liberasurecode_rs_vand'
    data = payload(SEG + 7)
    shares = encode_object(codec, data)
    assert decode_object(codec, len(data), shares, [0, 2]) == data


def test_many_parity_fragments_avoid_isa_l_vand():
    # isa_l_rs_vand is not MDS with 5+ parity fragments (Swift refuses it)
    codec = SplitCodec('aont-rs', 7, 2, segment_size=SEG)
    assert codec.ec_type != 'isa_l_rs_vand'
    data = payload(SEG + 1)
    shares = encode_object(codec, data)
    assert decode_object(codec, len(data), shares, [5, 6]) == data


def test_encode_segment_parts_join_to_records(codec):
    parts = codec.encode_segment_parts(KEYS, OBJECT_ID, 0, payload(100))
    assert len(parts) == codec.n
    for fragment, tag in parts:
        assert len(tag) == TAG_BYTES
        assert len(fragment) + TAG_BYTES == codec.record_size(100)
    records = dict(enumerate(b''.join(p) for p in parts))
    assert codec.decode_segment(KEYS, OBJECT_ID, 0, 100, records) == \
        payload(100)


def test_accepts_memoryview_and_bytearray_input(codec):
    data = bytearray(payload(SEG))
    records = codec.encode_segment(KEYS, OBJECT_ID, 0, memoryview(data))
    views = dict((i, memoryview(bytearray(r))) for i, r in
                 enumerate(records))
    assert codec.decode_segment(KEYS, OBJECT_ID, 0, SEG, views) == data


# -- layout -----------------------------------------------------------

def test_record_size_matches_encoded_records(codec):
    lengths = list(range(1, 130)) + [SEG - 1, SEG]
    for plain_len in lengths:
        records = codec.encode_segment(KEYS, OBJECT_ID, 0,
                                       payload(plain_len))
        assert [len(r) for r in records] == \
            [codec.record_size(plain_len)] * codec.n
    assert codec.record_size(SEG) == SplitCodec(
        codec.scheme, codec.n, codec.k,
        segment_size=SEG).record_size(SEG)


def test_xor_record_is_segment_plus_tag():
    codec = SplitCodec('xor', 3, segment_size=SEG)
    assert codec.k == 3
    assert codec.record_size(10) == 10 + TAG_BYTES


def test_segment_count_and_length():
    codec = SplitCodec('xor', 2, segment_size=SEG)
    assert codec.segment_count(0) == 0
    assert codec.segment_count(1) == 1
    assert codec.segment_count(SEG) == 1
    assert codec.segment_count(SEG + 1) == 2
    assert codec.segment_length(SEG + 1, 0) == SEG
    assert codec.segment_length(SEG + 1, 1) == 1
    assert codec.segment_length(2 * SEG, 1) == SEG
    assert codec.share_size(0) == 0
    for size, index in ((0, 0), (SEG, 1), (SEG, -1)):
        with pytest.raises(IndexError):
            codec.segment_length(size, index)


def test_segments_for_range_at_segment_edges(codec):
    size = 3 * SEG + SEG // 2
    assert codec.segments_for_range(size, 0, 0) == (0, 0)
    assert codec.segments_for_range(size, 0, SEG - 1) == (0, 0)
    assert codec.segments_for_range(size, SEG - 1, SEG) == (0, 1)
    assert codec.segments_for_range(size, SEG, SEG) == (1, 1)
    assert codec.segments_for_range(size, SEG, 2 * SEG - 1) == (1, 1)
    assert codec.segments_for_range(size, 2 * SEG - 1, 3 * SEG) == (1, 3)
    assert codec.segments_for_range(size, 0, size - 1) == (0, 3)
    assert codec.segments_for_range(size, size - 1, size - 1) == (3, 3)
    for first, last in ((-1, 0), (1, 0), (0, size), (size, size)):
        with pytest.raises(ValueError):
            codec.segments_for_range(size, first, last)


def test_share_range_at_segment_edges(codec):
    size = 3 * SEG + SEG // 2
    full = codec.record_size(SEG)
    last = codec.record_size(SEG // 2)
    assert codec.share_range(size, 0, 0) == (0, full - 1)
    assert codec.share_range(size, 1, 2) == (full, 3 * full - 1)
    assert codec.share_range(size, 3, 3) == (3 * full, 3 * full + last - 1)
    assert codec.share_range(size, 0, 3) == (0, codec.share_size(size) - 1)
    assert codec.share_range(SEG, 0, 0) == (0, full - 1)
    for first, last_seg in ((0, 4), (2, 1), (-1, 0)):
        with pytest.raises(IndexError):
            codec.share_range(size, first, last_seg)


def test_byte_range_read_decodes_only_its_segments(codec):
    size = 3 * SEG + SEG // 2
    data = payload(size, seed=9)
    shares = encode_object(codec, data)
    first, last = SEG - 10, 2 * SEG + 10
    first_seg, last_seg = codec.segments_for_range(size, first, last)
    start, end = codec.share_range(size, first_seg, last_seg)
    pieces = dict((i, shares[i][start:end + 1]) for i in range(codec.n))
    out, offset = [], 0
    for index in range(first_seg, last_seg + 1):
        rsize = codec.record_size(codec.segment_length(size, index))
        records = dict((i, piece[offset:offset + rsize])
                       for i, piece in pieces.items())
        offset += rsize
        out.append(codec.decode_segment(
            KEYS, OBJECT_ID, index, codec.segment_length(size, index),
            records))
    got = b''.join(out)[first - first_seg * SEG:][:last - first + 1]
    assert got == data[first:last + 1]


# -- tampering --------------------------------------------------------

SIZE = 3 * SEG + SEG // 2
DATA = payload(SIZE, seed=3)


def records_of(codec, index, keys=KEYS, object_id=OBJECT_ID, data=DATA):
    start = index * SEG
    records = codec.encode_segment(keys, object_id, index,
                                   data[start:start + SEG])
    return dict(enumerate(records))


def assert_bad_shares(codec, records, shares, index=0, plain_len=SEG,
                      keys=KEYS, object_id=OBJECT_ID):
    with pytest.raises(ShareAuthError) as caught:
        codec.decode_segment(keys, object_id, index, plain_len, records)
    assert caught.value.shares == set(shares)
    assert isinstance(caught.value, SplitDecodeError)
    assert isinstance(caught.value, OcxError)
    return caught.value


def flip_bit(record, position, bit=0):
    changed = bytearray(record)
    changed[position] ^= 1 << bit
    return bytes(changed)


@pytest.mark.parametrize('where', ['first', 'middle', 'last-fragment',
                                   'salt', 'last-salt', 'tag'])
def test_flipped_bit_names_the_share(codec, where):
    position = {'first': 0, 'middle': codec.record_size(SEG) // 2,
                'last-fragment': -TAG_BYTES - 1, 'salt': -TAG_BYTES,
                'last-salt': -GMAC_BYTES - 1, 'tag': -1}[where]
    for share in range(codec.n):
        records = records_of(codec, 0)
        records[share] = flip_bit(records[share], position, bit=share % 8)
        error = assert_bad_shares(codec, records, [share])
        assert 'share %d ' % share in str(error)
        assert 'segment 0' in str(error)


def test_every_bad_share_is_named(codec):
    records = records_of(codec, 1)
    records[0] = flip_bit(records[0], 5)
    records[codec.n - 1] = records[codec.n - 1][:-1]
    assert_bad_shares(codec, records, [0, codec.n - 1], index=1)


@pytest.mark.parametrize('cut', [1, TAG_BYTES, TAG_BYTES + 1, 'all'])
def test_truncated_record_names_the_share(codec, cut):
    records = records_of(codec, 0)
    records[1] = b'' if cut == 'all' else records[1][:-cut]
    assert_bad_shares(codec, records, [1])


def test_extended_record_names_the_share(codec):
    records = records_of(codec, 0)
    records[0] = records[0] + b'\0'
    assert_bad_shares(codec, records, [0])


def test_records_swapped_between_shares(codec):
    records = records_of(codec, 0)
    records[0], records[1] = records[1], records[0]
    assert_bad_shares(codec, records, [0, 1])


def test_record_given_for_another_share(codec):
    records = records_of(codec, 0)
    records[0] = records[codec.n - 1]
    assert_bad_shares(codec, records, [0])


def test_records_swapped_between_segments(codec):
    seg0, seg1 = records_of(codec, 0), records_of(codec, 1)
    share = codec.n - 1
    seg0[share], seg1[share] = seg1[share], seg0[share]
    assert_bad_shares(codec, seg0, [share], index=0)
    assert_bad_shares(codec, seg1, [share], index=1)


def test_whole_segment_moved_to_another_index(codec):
    assert_bad_shares(codec, records_of(codec, 1), range(codec.n),
                      index=2)


def test_replay_from_an_older_version(codec):
    # an older PUT of the same object: another object id, so other keys
    old_keys = object_keys(object_id=OTHER_ID)
    old = records_of(codec, 0, keys=old_keys, object_id=OTHER_ID,
                     data=payload(SIZE, seed=4))
    records = records_of(codec, 0)
    records[1] = old[1]
    assert_bad_shares(codec, records, [1])
    assert_bad_shares(codec, old, range(codec.n))


def test_replay_under_the_same_key_with_another_object_id(codec):
    other = records_of(codec, 0, object_id=OTHER_ID)
    assert_bad_shares(codec, other, range(codec.n))
    records = records_of(codec, 0)
    records[0] = other[0]
    assert_bad_shares(codec, records, [0])


def test_salt_and_tag_of_another_encoding(codec):
    # the same segment encoded twice: each encoding has its own salt, so
    # its own key; mixing fragment, salt and tag of the two fails
    first, again = records_of(codec, 0), records_of(codec, 0)
    salts = set(r[-TAG_BYTES:-GMAC_BYTES] for r in first.values())
    assert len(salts) == 1
    assert salts.isdisjoint(r[-TAG_BYTES:-GMAC_BYTES]
                            for r in again.values())
    records = dict(first)
    records[0] = first[0][:-TAG_BYTES] + again[0][-TAG_BYTES:]
    records[1] = first[1][:-GMAC_BYTES] + again[1][-GMAC_BYTES:]
    assert_bad_shares(codec, records, [0, 1])
    # records of two encodings each pass their tag, but are not decoded
    # together: the smaller group is named
    mixed = dict(first)
    mixed[codec.n - 1] = again[codec.n - 1]
    assert_bad_shares(codec, mixed, [codec.n - 1])
    mixed[0] = again[0]
    if codec.n == 2:  # both records now from the second encoding
        assert codec.decode_segment(KEYS, OBJECT_ID, 0, SEG,
                                    mixed) == DATA[:SEG]
    else:
        smaller = [0, codec.n - 1] if codec.n > 3 else [1]
        assert_bad_shares(codec, mixed, smaller)


def test_record_layout():
    codec = SplitCodec('xor', 2, segment_size=SEG)
    assert TAG_BYTES == SALT_BYTES + GMAC_BYTES == 32
    records = records_of(codec, 0)
    assert all(len(r) == SEG + TAG_BYTES for r in records.values())


def test_records_of_another_object(codec):
    other = records_of(codec, 0, keys=object_keys(obj='obj\u00e8'))
    assert_bad_shares(codec, other, range(codec.n))


def test_records_of_another_codec():
    xor3 = SplitCodec('xor', 3, segment_size=SEG)
    bigger = SplitCodec('xor', 3, segment_size=2 * SEG)
    aont = SplitCodec('aont-rs', 3, 2, segment_size=SEG)
    assert_bad_shares(bigger, records_of(xor3, 0), range(3))
    assert_bad_shares(aont, records_of(xor3, 0), range(3))
    assert_bad_shares(xor3, records_of(aont, 0), range(3))


@pytest.mark.parametrize('delta', [-1, 1])
def test_wrong_plain_len(codec, delta):
    records = records_of(codec, 3)
    plain_len = SEG // 2 + delta
    assert_bad_shares(codec, records, range(codec.n), index=3,
                      plain_len=plain_len)


def test_plain_len_outside_segment_size_is_a_caller_error(codec):
    records = records_of(codec, 0)
    for plain_len in (0, SEG + 1):
        with pytest.raises(ValueError):
            codec.decode_segment(KEYS, OBJECT_ID, 0, plain_len, records)


def test_aont_rs_reads_around_a_tampered_record():
    codec = SplitCodec('aont-rs', 3, 2, segment_size=SEG)
    segment = DATA[:SEG]
    for bad in range(3):
        records = records_of(codec, 0)
        records[bad] = flip_bit(records[bad], 100)
        assert_bad_shares(codec, records, [bad])
        del records[bad]
        assert codec.decode_segment(KEYS, OBJECT_ID, 0, SEG,
                                    records) == segment


def test_not_enough_shares(codec):
    records = records_of(codec, 0)
    for share in range(codec.n - codec.k + 1):
        del records[share]
    with pytest.raises(NotEnoughShares) as caught:
        codec.decode_segment(KEYS, OBJECT_ID, 0, SEG, records)
    assert caught.value.have == codec.k - 1
    assert caught.value.need == codec.k
    assert isinstance(caught.value, SplitDecodeError)
    with pytest.raises(NotEnoughShares):
        codec.decode_segment(KEYS, OBJECT_ID, 0, SEG, {})


def test_xor_needs_every_share():
    codec = SplitCodec('xor', 3, segment_size=SEG)
    records = records_of(codec, 0)
    del records[1]
    with pytest.raises(NotEnoughShares):
        codec.decode_segment(KEYS, OBJECT_ID, 0, SEG, records)


def test_unknown_share_index_is_a_caller_error(codec):
    records = records_of(codec, 0)
    records[codec.n] = records[0]
    with pytest.raises(ValueError):
        codec.decode_segment(KEYS, OBJECT_ID, 0, SEG, records)


def test_bad_segment_arguments(codec):
    with pytest.raises(ValueError):
        codec.encode_segment(KEYS, OBJECT_ID, 0, b'')
    with pytest.raises(ValueError):
        codec.encode_segment(KEYS, OBJECT_ID, 0, b'x' * (SEG + 1))
    with pytest.raises(ValueError):
        codec.encode_segment(KEYS, b'short', 0, b'x')
    with pytest.raises(ValueError):
        codec.encode_segment(KEYS, OBJECT_ID, -1, b'x')


# -- secrecy ----------------------------------------------------------

def byte_entropy(data):
    """Shannon entropy of the byte values, in bits per byte."""
    total = float(len(data))
    counts = [data.count(bytes((value,))) for value in range(256)]
    return -sum(c / total * math.log2(c / total) for c in counts if c)


PLAINTEXTS = {
    'one byte repeated': b'A' * (1024 * 1024),
    'repeated text': ('Caf\u00e9 cr\u00e8me, 42 rue de la Paix. '
                      * 30000).encode('utf-8')[:1024 * 1024],
}


@pytest.mark.parametrize('plaintext', sorted(PLAINTEXTS))
@pytest.mark.parametrize('scheme,n,k', CODECS, ids=CODEC_IDS)
def test_shares_look_random(scheme, n, k, plaintext):
    codec = SplitCodec(scheme, n, k)
    data = PLAINTEXTS[plaintext]
    windows = set(data[i:i + 16] for i in range(64))
    assert byte_entropy(data) < 5
    for fragment, _tag in codec.encode_segment_parts(KEYS, OBJECT_ID, 0,
                                                     data):
        assert len(fragment) >= len(data) // codec.k
        assert not any(window in fragment for window in windows)
        assert byte_entropy(fragment) > 7.9
        assert len(zlib.compress(fragment, 9)) >= len(fragment)


def test_xor_pads_are_fresh():
    codec = SplitCodec('xor', 2, segment_size=SEG)
    first = codec.encode_segment(KEYS, OBJECT_ID, 0, DATA[:SEG])
    again = codec.encode_segment(KEYS, OBJECT_ID, 0, DATA[:SEG])
    assert first[0] != again[0] and first[1] != again[1]


def test_aont_rs_keys_are_fresh():
    codec = SplitCodec('aont-rs', 3, 2, segment_size=SEG)
    first = codec.encode_segment(KEYS, OBJECT_ID, 0, DATA[:SEG])
    again = codec.encode_segment(KEYS, OBJECT_ID, 0, DATA[:SEG])
    assert all(a != b for a, b in zip(first, again))


# -- parameters -------------------------------------------------------

@pytest.mark.parametrize('args,kwargs,message', [
    (('aont-rs', 3, 3), {}, 'k must be between 2 and 2'),
    (('aont-rs', 3, 4), {}, 'k must be'),
    (('aont-rs', 3, 0), {}, 'k must be'),
    (('aont-rs', 3, 1), {}, 'every share alone decodes'),
    (('aont-rs', 2, 1), {}, 'k must be at least 2'),
    (('aont-rs', 3), {}, 'aont-rs needs k'),
    (('xor', 1), {}, 'n must be between 2 and 32'),
    (('aont-rs', 1, 1), {}, 'n must be'),
    (('xor', 33), {}, 'n must be'),
    (('xor', 3, 2), {}, 'k must be n'),
    (('xor', True), {}, 'n must be an integer'),
    (('xor', 2.0), {}, 'n must be an integer'),
    (('rot13', 3), {}, "unknown split scheme 'rot13'"),
    (('xor', 2), {'segment_size': 0}, 'segment_size must be >= 1'),
    (('xor', 2), {'segment_size': -5}, 'segment_size must be'),
    (('xor', 2), {'segment_size': '4096'}, 'segment_size must be'),
    (('xor', 2), {'ec_type': 'isa_l_rs_vand'}, 'xor takes no ec_type'),
    (('aont-rs', 3, 2), {'ec_type': 'no_such_backend'},
     'no Reed-Solomon driver'),
])
def test_invalid_params(args, kwargs, message):
    with pytest.raises(ValueError) as caught:
        SplitCodec(*args, **kwargs)
    assert message in str(caught.value)


@pytest.mark.parametrize('length', [1, 7, 8, 9, 4095, 65537])
@pytest.mark.parametrize('count', [2, 3, 5])
def test_xor_into(length, count):
    buffers = [os.urandom(length) for _ in range(count)]
    expect = 0
    for buf in buffers:
        expect ^= int.from_bytes(buf, 'big')
    views = [memoryview(bytearray(b)) for b in buffers[:1]] + buffers[1:]
    out = bytearray(length)
    assert xor_into(out, views) is out
    assert int.from_bytes(out, 'big') == expect


def test_xor_pad_is_an_aes_ctr_keystream(monkeypatch):
    keys = [b'\x07' * 32, b'\x09' * 32]
    drawn = []

    def urandom(size):
        drawn.append(size)
        return keys[len(drawn) - 1]
    scheme = XorScheme(2)
    monkeypatch.setattr(schemes.os, 'urandom', urandom)
    pads = [scheme.pad(SEG), scheme.pad(10)]
    assert drawn == [32, 32]
    assert pads == [aes_ctr(keys[0]).update(bytes(SEG)),
                    aes_ctr(keys[1]).update(bytes(10))]
    assert pads[0][:10] != pads[1]
    assert len(scheme.zeros(10)) == 10 and not any(scheme.zeros(SEG))


# -- rebuilding a lost share --------------------------------------------

@pytest.mark.parametrize('n, k', [(3, 2), (5, 3)])
@pytest.mark.parametrize('size', [1, SEG, 3 * SEG + 5])
def test_a_lost_aont_share_is_rebuilt_byte_for_byte(n, k, size):
    codec = SplitCodec('aont-rs', n, k, segment_size=SEG)
    data = payload(size)
    shares = encode_object(codec, data)
    for lost in range(n):
        others = [i for i in range(n) if i != lost][:k]
        rebuilt = []
        for index in range(codec.segment_count(size)):
            records = codec.rebuild_records(
                KEYS, OBJECT_ID, index, codec.segment_length(size, index),
                segment_records(codec, size, shares, index, others), [lost])
            rebuilt.append(records[lost])
        assert b''.join(rebuilt) == shares[lost]
        # and it decodes with any k-1 of the others
        mixed = list(shares)
        mixed[lost] = b''.join(rebuilt)
        assert decode_object(codec, size, mixed, [lost] + others[:k - 1]) \
            == data


def test_rebuilding_needs_k_authentic_records():
    codec = SplitCodec('aont-rs', 3, 2, segment_size=SEG)
    shares = encode_object(codec, payload(100))
    records = segment_records(codec, 100, shares, 0, [0, 1])
    with pytest.raises(NotEnoughShares):
        codec.rebuild_records(KEYS, OBJECT_ID, 0, 100, {0: records[0]}, [2])
    flipped = bytearray(records[1])
    flipped[0] ^= 1
    with pytest.raises(ShareAuthError):
        codec.rebuild_records(KEYS, OBJECT_ID, 0, 100,
                              {0: records[0], 1: bytes(flipped)}, [2])
    xor = SplitCodec('xor', 2, segment_size=SEG)
    with pytest.raises(SplitDecodeError):
        xor.rebuild_records(KEYS, OBJECT_ID, 0, 100, {}, [1])
