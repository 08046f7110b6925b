
"""Split storage: one object as n shares on n landlords (MACS style).

No landlord learns anything from its share, and every share is
authenticated, so a landlord that alters, truncates, swaps or replays
what it stores makes the read fail instead of return wrong bytes.

- :mod:`ocx_swift.split.keys`: keys from the exchange's master secret,
  record MAC keys per object, and hiding object names from landlords;
- :mod:`ocx_swift.split.schemes`: ``xor`` (n-of-n) and ``aont-rs``
  (k-of-n) coding of one segment;
- :mod:`ocx_swift.split.codec`: :class:`SplitCodec`, segments, records,
  their tags and where they sit on a share;
- :mod:`ocx_swift.split.stream`: chunked encoding of a body and cutting
  a share's bytes back into records;
- :mod:`ocx_swift.split.heap`: keeps glibc from faulting segment-sized
  buffers in again for every segment.

Everything here is pure: no I/O apart from ``os.urandom`` (and, once
per process, a hint to glibc's malloc from :mod:`~ocx_swift.split.heap`).
"""

from ocx_swift.split.codec import SplitCodec  # noqa: F401
from ocx_swift.split.keys import derive_object_keys  # noqa: F401
