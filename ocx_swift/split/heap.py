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

"""Keep glibc's malloc from handing segment-sized buffers back to the
kernel after every segment.

Coding one segment allocates and frees a few buffers of about the
segment's size (fragments, records, pyeclib's work buffers). glibc
serves a request of at least its *mmap threshold* (128 KiB at start)
with a fresh ``mmap`` and frees it with ``munmap``, and gives the top of
the heap back (``brk``) whenever more than its *trim threshold* (twice
the mmap threshold) is free there. Either way the next segment's buffers
are new pages, each a page fault: with 1 MiB segments that cost more CPU
than all the cryptography (``bench/bench_codec.py`` measured encoding
three to five times slower).

glibc raises both thresholds by itself (mallopt(3), "dynamic mmap
threshold"): freeing an mmapped block of up to 32 MiB makes the mmap
threshold that block's size and the trim threshold twice that, for the
rest of the process. :func:`raise_mmap_threshold` frees one such block
of the size a codec needs, once per process and size, instead of waiting
for the codec's own buffers to do it a little at a time. The block is
``calloc``-ed and never written, so it costs no page faults itself. The
price is that the process keeps up to twice that size of freed memory
for reuse instead of returning it at once.

An operator who sets ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``
or their ``mallopt`` equivalents turns glibc's adjustment off, and their
values stay in force; other C libraries are left alone.
"""

import platform
import threading

#: glibc adjusts only for freed blocks up to this (64-bit builds)
MAX_DYNAMIC_THRESHOLD = 32 * 1024 * 1024
#: below the largest block, for mmap's own page rounding and header
HEADROOM = 64 * 1024
#: glibc's starting mmap threshold: smaller blocks are never mmapped
GLIBC_START_THRESHOLD = 128 * 1024

_lock = threading.Lock()
_raised = [0]


def is_glibc():
    """True when this Python runs on glibc."""
    try:
        return platform.libc_ver()[0] == 'glibc'
    except (OSError, ValueError):
        return False


IS_GLIBC = is_glibc()


def raise_mmap_threshold(size):
    """Let glibc keep blocks of up to about ``size`` bytes in its heap.

    :param size: the bytes one segment's buffers take at once; capped
                 at glibc's 32 MiB limit
    :returns: the block size freed (0 if nothing was needed or done)
    """
    size = min(int(size), MAX_DYNAMIC_THRESHOLD - HEADROOM)
    if not IS_GLIBC or size <= max(_raised[0], GLIBC_START_THRESHOLD):
        return 0
    with _lock:
        if size <= _raised[0]:
            return 0
        block = bytes(size)  # calloc: mmapped, pages never touched
        del block
        _raised[0] = size
    return size
