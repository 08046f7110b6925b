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

"""glibc keeps a codec's segment-sized buffers instead of faulting them
in again for every segment."""

import os
import subprocess
import sys

import pytest

from ocx_swift.split import heap

# a fresh process: encodes 1 MiB segments and prints the page faults per
# segment once warm
PROBE = r'''
import os, resource, sys
from ocx_swift.split.codec import SplitCodec
from ocx_swift.split.keys import derive_object_keys
scheme, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) or None
codec = SplitCodec(scheme, n, k)
oid = os.urandom(16)
keys = derive_object_keys(os.urandom(32), 'a', 'c', 'o', oid)
segment = os.urandom(1024 * 1024)
for index in range(4):
    codec.encode_segment(keys, oid, index, segment)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for index in range(16):
    records = codec.encode_segment(keys, oid, index, segment)
    codec.decode_segment(keys, oid, index, len(segment),
                         dict(enumerate(records[:codec.k])))
    del records
after = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
print((after - before) / 16.0)
'''


@pytest.mark.skipif(not heap.IS_GLIBC, reason='glibc only')
@pytest.mark.parametrize('scheme,n,k', [('xor', 3, 0), ('aont-rs', 3, 2)])
def test_segments_do_not_fault_their_buffers_in_again(scheme, n, k):
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith('MALLOC_'))
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    env['PYTHONPATH'] = os.pathsep.join(
        [root] + [p for p in [env.get('PYTHONPATH')] if p])
    out = subprocess.run([sys.executable, '-c', PROBE, scheme, str(n),
                          str(k)], env=env, check=True,
                         stdout=subprocess.PIPE, timeout=120).stdout
    # without the raised threshold: hundreds (a fault per 4 KiB page
    # of every buffer); with it: none once warm
    assert float(out) < 32


def test_raise_mmap_threshold_once_per_size(monkeypatch):
    monkeypatch.setattr(heap, '_raised', [0])
    monkeypatch.setattr(heap, 'IS_GLIBC', True)
    assert heap.raise_mmap_threshold(64 * 1024) == 0  # below glibc's
    assert heap.raise_mmap_threshold(4 << 20) == 4 << 20
    assert heap.raise_mmap_threshold(4 << 20) == 0
    assert heap.raise_mmap_threshold(2 << 20) == 0
    assert heap.raise_mmap_threshold(1 << 30) == \
        heap.MAX_DYNAMIC_THRESHOLD - heap.HEADROOM
    assert heap.raise_mmap_threshold(1 << 30) == 0


def test_other_c_libraries_are_left_alone(monkeypatch):
    monkeypatch.setattr(heap, '_raised', [0])
    monkeypatch.setattr(heap, 'IS_GLIBC', False)
    assert heap.raise_mmap_threshold(4 << 20) == 0
