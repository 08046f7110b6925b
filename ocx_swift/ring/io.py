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

"""On-disk format of cluster rings and cluster ring builders.

Both files are gzipped JSON documents (never pickle: a ring file may travel
between organisations, and unpickling runs code). Each starts with a
``magic`` string and a ``format_version``; readers refuse anything else.

Ring file (``*.ring.gz``, read by :class:`~ocx_swift.ring.ring.ClusterRing`)::

    {"magic": "ocx-ring", "format_version": 1,
     "part_power": 14, "replicas": 1, "salt": "<hex>", "generation": 3,
     "clusters": [{"id": 0, "name": "c1", "landlord": "l1",
                   "weight": 1.0, "region": 0}, null, ...],
     "replica2part2cluster": ["<base64>", ...],
     "previous": {"generation": 2, "clusters": [...],
                  "replica2part2cluster": [...]}}

``clusters`` is indexed by cluster id; removed ids stay as ``null`` so ids
are never re-ordered. Each ``replica2part2cluster`` entry is the base64 of
a little-endian ``uint16`` array holding one cluster id per partition.
``previous`` (or ``null``) is the last different placement, kept so that
readers can fall back to it while a mover works.

Builder file (``*.builder``)::

    {"magic": "ocx-ring-builder", "format_version": 1,
     "salt": "<hex>", "landlords": {"l1": 0}, "next_cluster_id": 3,
     "builder": {... swift RingBuilder.to_dict(), arrays as lists ...}}

In memory, ring data is the same dict without ``magic`` and
``format_version``, with each base64 string decoded to an ``array('H')``.
Every reader validates the whole document and raises
:class:`~ocx_swift.exceptions.RingLoadError` naming the file and the fault.
"""

import base64
import binascii
import contextlib
import gzip
import json
import math
import os
import sys
import tempfile
import zlib
from array import array

from swift.common.exceptions import LockTimeout
from swift.common.utils import lock_path, renamer

from ocx_swift.exceptions import RingBuilderError, RingLoadError

RING_MAGIC = 'ocx-ring'
BUILDER_MAGIC = 'ocx-ring-builder'
FORMAT_VERSION = 1
#: Largest partition power a ring may have (2**20 partitions).
MAX_PART_POWER = 20
#: Cluster ids are stored as uint16; 0xFFFF is Swift's "no device" marker.
MAX_CLUSTER_ID = 0xFFFE
CLUSTER_KEYS = ('id', 'name', 'landlord', 'weight', 'region')
_TYPE_CODE = 'H'


def _error(path, fmt, *args):
    """Build a :class:`RingLoadError` whose text starts with the path."""
    return RingLoadError('%s: %s' % (path, fmt % args))


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def encode_part2cluster(part2cluster):
    """Encode one replica's partition table for the ring file.

    :param part2cluster: sequence of cluster ids, one per partition
    :returns: base64 text of the little-endian ``uint16`` array
    """
    arr = array(_TYPE_CODE, part2cluster)
    if sys.byteorder != 'little':
        arr.byteswap()
    return base64.b64encode(arr.tobytes()).decode('ascii')


def decode_part2cluster(text, parts, path='<ring>'):
    """Decode one replica's partition table from the ring file.

    :param text: base64 text as written by :func:`encode_part2cluster`
    :param parts: the number of partitions expected
    :param path: file name used in error messages
    :returns: an ``array('H')`` of cluster ids
    :raises RingLoadError: if the text is not base64 of the right length
    """
    if not isinstance(text, str):
        raise _error(path, 'partition table is not a base64 string')
    try:
        raw = base64.b64decode(text.encode('ascii'), validate=True)
    except (ValueError, binascii.Error):
        raise _error(path, 'partition table is not valid base64')
    arr = array(_TYPE_CODE)
    if len(raw) != parts * arr.itemsize:
        raise _error(path, 'partition table has %d bytes, expected %d',
                     len(raw), parts * arr.itemsize)
    arr.frombytes(raw)
    if sys.byteorder != 'little':
        arr.byteswap()
    return arr


def _check_cluster(path, index, entry):
    """Check one non-null entry of a ``clusters`` list."""
    if not isinstance(entry, dict):
        raise _error(path, 'cluster entry %d is not an object', index)
    missing = [key for key in CLUSTER_KEYS if key not in entry]
    if missing:
        raise _error(path, 'cluster entry %d lacks %s', index,
                     ', '.join(missing))
    if entry['id'] != index:
        raise _error(path, 'cluster entry %d has id %r', index, entry['id'])
    for key in ('name', 'landlord'):
        if not isinstance(entry[key], str) or not entry[key]:
            raise _error(path, 'cluster %d has a bad %s %r', index, key,
                         entry[key])
    weight = entry['weight']
    if not _is_number(weight) or not math.isfinite(weight) or weight < 0:
        raise _error(path, 'cluster %d has a bad weight %r', index,
                     entry['weight'])
    if not _is_int(entry['region']) or entry['region'] < 0:
        raise _error(path, 'cluster %d has a bad region %r', index,
                     entry['region'])


def _check_clusters(path, clusters):
    """Check a ``clusters`` list: ids match positions, names are unique."""
    if not isinstance(clusters, list) or len(clusters) > MAX_CLUSTER_ID + 1:
        raise _error(path, 'clusters must be a list of at most %d entries',
                     MAX_CLUSTER_ID + 1)
    names = set()
    for index, entry in enumerate(clusters):
        if entry is None:
            continue
        _check_cluster(path, index, entry)
        if entry['name'] in names:
            raise _error(path, 'cluster name %r appears twice',
                         entry['name'])
        names.add(entry['name'])


def _check_assignment(path, clusters, tables):
    """Check that every partition maps to distinct, live cluster ids."""
    for replica, table in enumerate(tables):
        for cluster_id in set(table):
            if cluster_id >= len(clusters) or clusters[cluster_id] is None:
                raise _error(path, 'replica %d uses cluster id %d, which '
                             'is out of range or removed', replica,
                             cluster_id)
    for first in range(len(tables)):
        for second in range(first + 1, len(tables)):
            pairs = zip(tables[first], tables[second])
            for part, (one, two) in enumerate(pairs):
                if one == two:
                    raise _error(path, 'partition %d has replicas %d and '
                                 '%d on cluster %d', part, first, second,
                                 one)


def _decode_placement(path, doc, parts, replicas=None):
    """Decode and check ``clusters`` and ``replica2part2cluster``."""
    _check_clusters(path, doc.get('clusters'))
    encoded = doc.get('replica2part2cluster')
    if not isinstance(encoded, list) or not encoded:
        raise _error(path, 'replica2part2cluster must be a non-empty list')
    if replicas is not None and len(encoded) != replicas:
        raise _error(path, 'replica2part2cluster has %d tables for %d '
                     'replicas', len(encoded), replicas)
    tables = [decode_part2cluster(text, parts, path) for text in encoded]
    _check_assignment(path, doc['clusters'], tables)
    return {'clusters': doc['clusters'], 'replica2part2cluster': tables}


def _decode_previous(path, previous, parts, generation):
    """Decode the optional ``previous`` placement."""
    if previous is None:
        return None
    if not isinstance(previous, dict):
        raise _error(path, 'previous must be an object or null')
    prev_gen = previous.get('generation')
    if not _is_int(prev_gen) or not 0 < prev_gen < generation:
        raise _error(path, 'previous generation %r is not in 1..%d',
                     prev_gen, generation - 1)
    placement = _decode_placement(path + ' (previous)', previous, parts)
    placement['generation'] = prev_gen
    return placement


def ring_from_json(doc, path='<ring>'):
    """Validate a decoded ring document and return in-memory ring data.

    :param doc: the parsed JSON document
    :param path: file name used in error messages
    :returns: ring data dict (see the module docstring)
    :raises RingLoadError: on any missing, mistyped or inconsistent field
    """
    _check_header(path, doc, RING_MAGIC)
    part_power = doc.get('part_power')
    if not _is_int(part_power) or not 0 <= part_power <= MAX_PART_POWER:
        raise _error(path, 'part_power %r is not an integer in 0..%d',
                     part_power, MAX_PART_POWER)
    replicas = doc.get('replicas')
    if not _is_int(replicas) or replicas < 1:
        raise _error(path, 'replicas %r is not a positive integer', replicas)
    generation = doc.get('generation')
    if not _is_int(generation) or generation < 0:
        raise _error(path, 'generation %r is not a non-negative integer',
                     generation)
    salt = doc.get('salt')
    try:
        if not bytes.fromhex(salt):
            raise ValueError('empty salt')
    except (TypeError, ValueError):
        raise _error(path, 'salt %r is not a non-empty hex string', salt)
    parts = 2 ** part_power
    data = _decode_placement(path, doc, parts, replicas)
    data.update(part_power=part_power, replicas=replicas, salt=salt,
                generation=generation)
    data['previous'] = _decode_previous(path, doc.get('previous'), parts,
                                        generation)
    return data


def _encode_placement(placement):
    return {'clusters': placement['clusters'],
            'replica2part2cluster': [
                encode_part2cluster(table)
                for table in placement['replica2part2cluster']]}


def ring_to_json(ring_data):
    """Turn in-memory ring data into the JSON document written to disk.

    :param ring_data: ring data dict (see the module docstring)
    :returns: a JSON-serialisable dict with magic and format version
    """
    doc = {'magic': RING_MAGIC, 'format_version': FORMAT_VERSION}
    for key in ('part_power', 'replicas', 'salt', 'generation'):
        doc[key] = ring_data[key]
    doc.update(_encode_placement(ring_data))
    previous = ring_data.get('previous')
    if previous is not None:
        doc['previous'] = dict(_encode_placement(previous),
                               generation=previous['generation'])
    else:
        doc['previous'] = None
    return doc


def _check_header(path, doc, magic):
    if not isinstance(doc, dict):
        raise _error(path, 'not a JSON object')
    if doc.get('magic') != magic:
        raise _error(path, 'bad magic %r (expected %r)', doc.get('magic'),
                     magic)
    if doc.get('format_version') != FORMAT_VERSION:
        raise _error(path, 'unknown format_version %r (this code reads %d)',
                     doc.get('format_version'), FORMAT_VERSION)


def read_json_gz(path, magic):
    """Read a gzipped JSON document and check its magic and version.

    :param path: file to read
    :param magic: the expected ``magic`` value
    :returns: the parsed document
    :raises RingLoadError: if the file is missing, not gzip, not JSON,
        or has the wrong magic or an unknown format version
    """
    try:
        with open(path, 'rb') as fp:
            raw = fp.read()
    except OSError as err:
        raise _error(path, 'cannot read: %s', err.strerror or err)
    try:
        text = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error):
        raise _error(path, 'not a gzip file or truncated')
    try:
        doc = json.loads(text.decode('utf-8'))
    except ValueError as err:
        raise _error(path, 'not valid JSON: %s', err)
    _check_header(path, doc, magic)
    return doc


def write_json_gz(path, doc):
    """Atomically write a document as gzipped JSON, mode 0644.

    The bytes depend only on ``doc`` (gzip mtime is fixed), so identical
    content gives identical files, as with Swift's ring files.

    :param path: destination file
    :param doc: JSON-serialisable document
    """
    payload = json.dumps(doc, sort_keys=True, separators=(',', ':'),
                         ensure_ascii=False, allow_nan=False).encode('utf-8')
    payload = gzip.compress(payload, mtime=0)
    dirname = os.path.dirname(os.path.abspath(path))
    fd, tmp_path = tempfile.mkstemp(
        dir=dirname, prefix='.%s.' % os.path.basename(path), suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as fp:
            fp.write(payload)
            fp.flush()
            os.fsync(fp.fileno())
        os.chmod(tmp_path, 0o644)
        renamer(tmp_path, os.path.join(dirname, os.path.basename(path)))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_path)
        raise


@contextlib.contextmanager
def locked(path, timeout=10):
    """Hold Swift's directory lock for read-modify-write of ``path``.

    :param path: the file about to be rewritten
    :param timeout: seconds to wait for another writer
    :raises RingBuilderError: if another writer holds the lock too long
    """
    dirname = os.path.dirname(os.path.abspath(path))
    try:
        with lock_path(dirname, timeout=timeout,
                       name=os.path.basename(path)):
            yield
    except LockTimeout:
        raise RingBuilderError('%s is locked by another writer' % path)


def read_ring(path):
    """Read and validate a ring file.

    :param path: the ring file
    :returns: ring data dict
    :raises RingLoadError: on anything wrong with the file
    """
    return ring_from_json(read_json_gz(path, RING_MAGIC), path)


def write_ring(path, ring_data):
    """Validate ring data and write it atomically as a ring file.

    :param path: destination ring file
    :param ring_data: ring data dict
    :raises RingLoadError: if the data would not read back
    """
    doc = ring_to_json(ring_data)
    ring_from_json(doc, path)
    write_json_gz(path, doc)


def _builder_arrays(builder, to_list):
    """Convert the array fields of a RingBuilder dict in place."""
    r2p2d = builder.get('_replica2part2dev')
    if r2p2d is not None:
        builder['_replica2part2dev'] = [to_list(t, 'r') for t in r2p2d]
    moves = builder.get('_last_part_moves')
    if moves is not None:
        builder['_last_part_moves'] = to_list(moves, 'm')


def builder_to_json(state):
    """Turn builder state into the JSON document written to disk.

    :param state: dict with ``salt``, ``landlords``, ``next_cluster_id``
        and ``builder`` (a swift ``RingBuilder.to_dict()``)
    :returns: a JSON-serialisable dict with magic and format version
    """
    builder = dict(state['builder'])
    builder['_remove_devs'] = [dev['id'] for dev in builder['_remove_devs']]
    builder.pop('_dispersion_graph', None)  # tuple keys; rebuilt on rebalance
    _builder_arrays(builder, lambda arr, kind: list(arr))
    return {'magic': BUILDER_MAGIC, 'format_version': FORMAT_VERSION,
            'salt': state['salt'], 'landlords': state['landlords'],
            'next_cluster_id': state['next_cluster_id'], 'builder': builder}


def _builder_from_json(path, doc):
    builder = doc.get('builder')
    if not isinstance(builder, dict) or not isinstance(
            builder.get('devs'), list):
        raise _error(path, 'builder section is missing or has no devs list')
    devs = builder['devs']

    def to_array(values, kind):
        try:
            return array('B' if kind == 'm' else _TYPE_CODE, values)
        except (TypeError, OverflowError):
            raise _error(path, 'builder holds a bad partition table')

    _builder_arrays(builder, to_array)
    try:
        builder['_remove_devs'] = [devs[i] for i in builder['_remove_devs']]
    except (KeyError, IndexError, TypeError):
        raise _error(path, 'builder _remove_devs does not match its devs')
    if None in builder['_remove_devs']:
        raise _error(path, 'builder _remove_devs names a removed cluster')
    return builder


def read_builder(path):
    """Read and check a builder file.

    :param path: the builder file
    :returns: builder state dict, as taken by :func:`builder_to_json`
    :raises RingLoadError: on anything wrong with the file
    """
    doc = read_json_gz(path, BUILDER_MAGIC)
    try:
        bytes.fromhex(doc['salt'])
        landlords = dict(doc['landlords'])
        next_id = int(doc['next_cluster_id'])
        if not all(_is_int(v) and v >= 0 for v in landlords.values()):
            raise ValueError('bad landlord index')
    except (KeyError, TypeError, ValueError):
        raise _error(path, 'builder file lacks a valid salt, landlords or '
                     'next_cluster_id')
    return {'salt': doc['salt'], 'landlords': landlords,
            'next_cluster_id': next_id,
            'builder': _builder_from_json(path, doc)}


def write_builder(path, state):
    """Write builder state atomically as a builder file.

    :param path: destination builder file
    :param state: builder state dict (see :func:`builder_to_json`)
    """
    write_json_gz(path, builder_to_json(state))
