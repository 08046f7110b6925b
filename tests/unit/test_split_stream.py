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

"""Chunked encoding of a body and cutting shares back into records."""

import hashlib

import pytest

from ocx_swift.exceptions import ShareAuthError
from ocx_swift.split.codec import SplitCodec
from ocx_swift.split.keys import derive_object_keys
from ocx_swift.split.stream import RecordSplitter, StreamEncoder

SEG = 1000
OBJECT_ID = b'\xab' * 16
KEYS = derive_object_keys(b'\x11' * 32, 'AUTH_\u00e9', 'c', 'o\u00e9',
                          OBJECT_ID)
SIZES = [0, 1, SEG - 1, SEG, SEG + 1, 3 * SEG + SEG // 2]
CHUNKINGS = [1, 7, SEG - 1, SEG, SEG + 1, 3 * SEG, 10 * SEG]


@pytest.fixture(params=[('xor', 3, None), ('aont-rs', 3, 2)],
                ids=['xor', 'aont-rs'])
def codec(request):
    scheme, n, k = request.param
    return SplitCodec(scheme, n, k, segment_size=SEG)


def payload(size):
    return ('\u00e9t\u00e9 %d ' * size % tuple(range(size))).encode(
        'utf-8')[:size]


def chunked(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


def encode_shares(codec, data, chunk_size, parts=False):
    encoder = StreamEncoder(codec, KEYS, OBJECT_ID, parts=parts)
    shares = [[] for _ in range(codec.n)]
    indexes = []
    for index, records in encoder.iter_records(chunked(data, chunk_size)):
        indexes.append(index)
        for share, record in enumerate(records):
            shares[share].append(b''.join(record) if parts else record)
    return encoder, indexes, [b''.join(s) for s in shares]


def decode_share_streams(codec, size, streams, chunk_size, first_seg=0,
                         last_seg=None):
    splitters = dict((share, RecordSplitter(codec, size, share, first_seg,
                                            last_seg))
                     for share in streams)
    iters = dict((share, splitters[share].iter_records(
        chunked(stream, chunk_size))) for share, stream in streams.items())
    out = []
    for items in zip(*iters.values()):
        index, plain_len = items[0][:2]
        assert all(item[:2] == (index, plain_len) for item in items)
        records = dict(zip(iters, (item[2] for item in items)))
        out.append(codec.decode_segment(KEYS, OBJECT_ID, index, plain_len,
                                        records))
    for share, splitter in splitters.items():
        assert splitter.done
        splitter.finish()
    return b''.join(out)


@pytest.mark.parametrize('size', SIZES)
@pytest.mark.parametrize('chunk_size', CHUNKINGS)
def test_stream_round_trip(codec, size, chunk_size):
    data = payload(size)
    encoder, indexes, shares = encode_shares(codec, data, chunk_size)
    assert encoder.size == size
    assert encoder.etag == hashlib.md5(data).hexdigest()
    assert encoder.segments == codec.segment_count(size)
    assert indexes == list(range(codec.segment_count(size)))
    assert [len(s) for s in shares] == [codec.share_size(size)] * codec.n
    streams = dict((i, shares[i]) for i in range(codec.n - codec.k,
                                                 codec.n))
    assert decode_share_streams(codec, size, streams, chunk_size) == data


def test_parts_give_the_same_records(codec):
    data = payload(2 * SEG + 5)
    _enc, _idx, shares = encode_shares(codec, data, 333, parts=True)
    streams = dict(enumerate(shares))
    assert decode_share_streams(codec, len(data), streams, 4096) == data


def test_encoder_accepts_bytearray_and_memoryview_chunks(codec):
    data = payload(2 * SEG + 5)
    encoder = StreamEncoder(codec, KEYS, OBJECT_ID)
    items = encoder.feed(bytearray(data[:SEG + 3]))
    items += encoder.feed(memoryview(data)[SEG + 3:])
    items += encoder.finish()
    assert [index for index, _records in items] == [0, 1, 2]
    assert encoder.finish() == []
    assert encoder.etag == hashlib.md5(data).hexdigest()


def test_splitter_reads_a_share_range(codec):
    size = 5 * SEG + 17
    data = payload(size)
    _enc, _idx, shares = encode_shares(codec, data, SEG)
    for first_seg, last_seg in ((0, 0), (1, 3), (4, 5), (5, 5)):
        start, end = codec.share_range(size, first_seg, last_seg)
        streams = dict((i, shares[i][start:end + 1]) for i in range(
            codec.n))
        got = decode_share_streams(codec, size, streams, 100, first_seg,
                                   last_seg)
        assert got == data[first_seg * SEG:(last_seg + 1) * SEG]


def test_splitter_yields_records_as_they_complete(codec):
    size = 2 * SEG + 1
    _enc, _idx, shares = encode_shares(codec, payload(size), SEG)
    splitter = RecordSplitter(codec, size, 0)
    full = codec.record_size(SEG)
    assert splitter.feed(shares[0][:full - 1]) == []
    got = splitter.feed(shares[0][full - 1:full + 1])
    assert [(i, n) for i, n, _r in got] == [(0, SEG)]
    assert len(got[0][2]) == full
    rest = splitter.feed(shares[0][full + 1:])
    assert [(i, n) for i, n, _r in rest] == [(1, SEG), (2, 1)]
    assert splitter.done
    splitter.finish()


def test_share_that_ends_early(codec):
    size = 2 * SEG
    _enc, _idx, shares = encode_shares(codec, payload(size), SEG)
    splitter = RecordSplitter(codec, size, 2)
    with pytest.raises(ShareAuthError) as caught:
        list(splitter.iter_records(chunked(shares[2][:-1], 500)))
    assert caught.value.shares == {2}
    assert caught.value.segment == 1
    assert 'ended early' in str(caught.value)


def test_share_that_runs_long(codec):
    size = SEG + 1
    _enc, _idx, shares = encode_shares(codec, payload(size), SEG)
    splitter = RecordSplitter(codec, size, 1)
    with pytest.raises(ShareAuthError) as caught:
        list(splitter.iter_records([shares[1] + b'x']))
    assert caught.value.shares == {1}
    assert 'runs 1 bytes long' in str(caught.value)


def test_empty_object_share(codec):
    splitter = RecordSplitter(codec, 0, 0)
    assert splitter.done
    assert list(splitter.iter_records([b''])) == []
    with pytest.raises(ShareAuthError):
        splitter.feed(b'\0')


def test_splitter_rejects_segments_outside_the_object(codec):
    for first_seg, last_seg in ((0, 3), (2, 1), (-1, 0)):
        with pytest.raises(IndexError):
            RecordSplitter(codec, 3 * SEG, 0, first_seg, last_seg)
    with pytest.raises(IndexError):
        RecordSplitter(codec, 0, 0, 0, 0)
