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

"""Streaming around the split codec: chunks in, records out, and back.

:class:`StreamEncoder` takes an object body in chunks of any size (as a
WSGI input yields them), cuts it into segments and encodes each as soon
as it is complete, keeping the MD5 (the ETag a client expects) and the
length of the plaintext. Memory stays at about one segment plus its
records.

:class:`RecordSplitter` takes the byte stream of one share (or of a
:meth:`~ocx_swift.split.codec.SplitCodec.share_range` of it), again in
chunks of any size, and cuts it back into records, knowing each record's
size from the object size. A share that ends early or runs long is
reported as a bad share, as a tampered record would be.

Both are pure: the caller moves the bytes.
"""

import hashlib

from ocx_swift.exceptions import ShareAuthError


class StreamEncoder(object):
    """Encodes an object body given in chunks, segment by segment.

    :param codec: a :class:`~ocx_swift.split.codec.SplitCodec`
    :param keys: the object's :class:`~ocx_swift.split.keys.ObjectKeys`
    :param object_id: the 16-byte id of this PUT
    :param parts: give each record as a (fragment, tag) pair
                  (:meth:`~ocx_swift.split.codec.SplitCodec.encode_segment_parts`)
                  instead of as one bytes
    """

    def __init__(self, codec, keys, object_id, parts=False):
        self.codec = codec
        self._encode_segment = codec.encode_segment_parts if parts else \
            codec.encode_segment
        self.keys = keys
        self.object_id = object_id
        self.size = 0
        self.segments = 0
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._pending = bytearray()

    @property
    def etag(self):
        """Hex MD5 of the plaintext fed so far."""
        return self._md5.hexdigest()

    def _encode(self, segment):
        records = self._encode_segment(self.keys, self.object_id,
                                       self.segments, segment)
        self.segments += 1
        return self.segments - 1, records

    def feed(self, chunk):
        """Add plaintext.

        :returns: list of (segment index, list of n records) for every
                  segment completed by this chunk
        """
        self._md5.update(chunk)
        self.size += len(chunk)
        size = self.codec.segment_size
        out = []
        with memoryview(chunk) as view:
            start = 0
            if self._pending:
                start = min(size - len(self._pending), len(view))
                self._pending += view[:start]
                if len(self._pending) == size:
                    out.append(self._encode(bytes(self._pending)))
                    self._pending.clear()
            while len(view) - start >= size:
                out.append(self._encode(view[start:start + size]))
                start += size
            self._pending += view[start:]
        return out

    def finish(self):
        """Encode the short last segment, if any.

        :returns: list of at most one (segment index, records)
        """
        if not self._pending:
            return []
        out = [self._encode(bytes(self._pending))]
        self._pending.clear()
        return out

    def iter_records(self, chunks):
        """Yield (segment index, records) for an iterable of chunks, up to
        and including the last segment."""
        for chunk in chunks:
            for item in self.feed(chunk):
                yield item
        for item in self.finish():
            yield item


class RecordSplitter(object):
    """Cuts the bytes of one share back into records.

    :param codec: a :class:`~ocx_swift.split.codec.SplitCodec`
    :param size: the object's plaintext size
    :param share: this share's index (named in errors)
    :param first_seg: the first segment in the stream (for a range)
    :param last_seg: the last segment in the stream; None for the last
                     of the object
    """

    def __init__(self, codec, size, share, first_seg=0, last_seg=None):
        count = codec.segment_count(size)
        self.codec = codec
        self.object_size = size
        self.share = share
        self.next_segment = first_seg
        self.last_segment = count - 1 if last_seg is None else last_seg
        if (count or last_seg is not None) and \
                not 0 <= first_seg <= self.last_segment < count:
            raise IndexError('segments %d-%d of %d'
                             % (first_seg, self.last_segment, count))
        self._pending = bytearray()

    @property
    def done(self):
        """True once every expected record has been returned."""
        return self.next_segment > self.last_segment

    def _record_size(self):
        return self.codec.record_size(self.codec.segment_length(
            self.object_size, self.next_segment))

    def feed(self, chunk):
        """Add share bytes.

        :returns: list of (segment index, plaintext length, record) for
                  every record completed by this chunk
        :raises ShareAuthError: if the share runs past its last record
        """
        self._pending += chunk
        out = []
        while not self.done:
            want = self._record_size()
            if len(self._pending) < want:
                break
            plain_len = self.codec.segment_length(self.object_size,
                                                  self.next_segment)
            with memoryview(self._pending) as view:
                record = bytes(view[:want])
            del self._pending[:want]
            out.append((self.next_segment, plain_len, record))
            self.next_segment += 1
        if self.done and self._pending:
            raise ShareAuthError([self.share], reason='runs %d bytes long'
                                 % len(self._pending))
        return out

    def finish(self):
        """Check that the share held every expected record.

        :raises ShareAuthError: if it ended early
        """
        if not self.done:
            raise ShareAuthError(
                [self.share], self.next_segment,
                reason='ended early (%d bytes of a record)'
                % len(self._pending))

    def iter_records(self, chunks):
        """Yield (segment index, plaintext length, record) for an
        iterable of share chunks; raise as :meth:`feed` and
        :meth:`finish` do."""
        for chunk in chunks:
            for item in self.feed(chunk):
                yield item
        self.finish()
