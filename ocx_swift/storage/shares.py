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

"""The share header of split objects: what each share says about its
object, tagged.

``X-Object-Sysmeta-Ocx-Split`` (stored on landlords as reserved metadata,
see :mod:`ocx_swift.sysmeta`) is one line of space-separated fields::

    1 <scheme[:ec_type]> <n> <k> <segment size> <size> <sealed etag>
      <share index> <object id hex> <tag hex> <secret id>

``size`` and the sealed etag are ``-`` while a chunked PUT has not
finished (the PUT writes the final header by POST). The tag is
HMAC-SHA256 (:func:`ocx_swift.split.keys.mac`) under the object's MAC key
over every field. The etag field holds the MD5 of the plaintext sealed
for the object's path (:func:`ocx_swift.storage.state.seal`), so no
landlord learns it.

The split handler, ``ocx-mover`` and ``ocx-index`` read and write shares
through this module.
"""

import hmac

from ocx_swift.split.keys import mac


SPLIT_SYSMETA = 'X-Object-Sysmeta-Ocx-Split'
HEADER_VERSION = '1'
PENDING = '-'


class ShareHeader(object):
    """What each share says about its object, and its tag.

    :param object_id: the PUT's 16 random bytes
    :param tag: bytes, or None while the size or ETag is not yet known
    """

    FIELDS = ('scheme', 'n', 'k', 'segment_size', 'size', 'etag', 'index',
              'object_id')

    def __init__(self, scheme, n, k, segment_size, size, etag, index,
                 object_id, tag=None, secret_id='default'):
        self.scheme = scheme
        self.n = n
        self.k = k
        self.segment_size = segment_size
        self.size = size
        self.etag = etag
        self.index = index
        self.object_id = object_id
        self.tag = tag
        self.secret_id = secret_id

    def _tag_fields(self):
        return [b'ocx-split-header', HEADER_VERSION, self.scheme, self.n,
                self.k, self.segment_size, self.size, self.etag,
                self.index, self.object_id, self.secret_id]

    def seal(self, mac_key):
        self.tag = mac(mac_key, *self._tag_fields())
        return self

    def verify(self, mac_key):
        return self.tag is not None and hmac.compare_digest(
            self.tag, mac(mac_key, *self._tag_fields()))

    def for_index(self, index, mac_key):
        """The same header for another share."""
        return ShareHeader(self.scheme, self.n, self.k, self.segment_size,
                           self.size, self.etag, index, self.object_id,
                           secret_id=self.secret_id).seal(mac_key)

    def to_value(self):
        return ' '.join([
            HEADER_VERSION, self.scheme, str(self.n), str(self.k),
            str(self.segment_size),
            PENDING if self.size is None else str(self.size),
            self.etag or PENDING, str(self.index), self.object_id.hex(),
            self.tag.hex() if self.tag else PENDING, self.secret_id])

    @classmethod
    def parse(cls, value):
        """:raises ValueError: on anything but a complete header"""
        parts = (value or '').split(' ')
        if len(parts) != 11 or parts[0] != HEADER_VERSION or \
                PENDING in (parts[5], parts[6], parts[9]):
            raise ValueError('not a complete share header')
        return cls(parts[1], int(parts[2]), int(parts[3]), int(parts[4]),
                   int(parts[5]), parts[6], int(parts[7]),
                   bytes.fromhex(parts[8]), bytes.fromhex(parts[9]),
                   secret_id=parts[10])


def written_by(value):
    """The object id in a share header, complete or still pending (a
    PUT that had not written its final header), or None."""
    parts = (value or '').split(' ')
    if len(parts) != 11 or parts[0] != HEADER_VERSION:
        return None
    try:
        return bytes.fromhex(parts[8])
    except ValueError:
        return None
