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

"""What a cluster ring change moves, where to, and how replicas spread.

Everything here is a pure function of *placements*: dicts with

=====================  =====================================================
clusters               the cluster table, indexed by cluster id (``None``
                       for a removed id), entries as in a ring file
replica2part2cluster   one sequence of cluster ids per replica, indexed by
                       partition
=====================  =====================================================

which is the shape of ring data (:mod:`ocx_swift.ring.io`) and of its
``previous`` placement. A *move* is one replica slot of one partition
changing cluster: ``(part, replica, from_id, to_id)``, with ``from_id``
None when there was no placement before. Replica slots are compared by
index, as :meth:`~ocx_swift.ring.ring.ClusterRing.get_previous_clusters`
does, because that is how readers find data after a change.

Listing lines (for estimating object and byte movement) are parsed here
too; reading the file is the caller's business.
"""

import json
from collections import Counter, defaultdict

from swift.common.swob import str_to_wsgi

#: Indexes into the figures kept per (from, to) pair of clusters.
SLOTS, OBJECTS, BYTES = 0, 1, 2


def replica_moves(old, new):
    """List every replica slot whose cluster differs between placements.

    :param old: the placement before, or None if there was none
    :param new: the placement after (same partition and replica count)
    :returns: list of ``(part, replica, from_id, to_id)``
    """
    new_tables = new['replica2part2cluster']
    if old is None:
        return [(part, replica, None, cluster_id)
                for replica, table in enumerate(new_tables)
                for part, cluster_id in enumerate(table)]
    moves = []
    pairs = zip(old['replica2part2cluster'], new_tables)
    for replica, (before, after) in enumerate(pairs):
        moves.extend((part, replica, was, now) for part, (was, now)
                     in enumerate(zip(before, after)) if was != now)
    return moves


def moved_parts(moves):
    """Count the partitions with at least one moved replica.

    :param moves: moves as from :func:`replica_moves`
    :returns: an int
    """
    return len(set(move[0] for move in moves))


def moves_by_part(moves):
    """Index moves by partition.

    :param moves: moves as from :func:`replica_moves`
    :returns: dict of partition to a list of ``(from_id, to_id)``
    """
    by_part = defaultdict(list)
    for part, _replica, from_id, to_id in moves:
        by_part[part].append((from_id, to_id))
    return dict(by_part)


def holdings(placement):
    """Count the partition-replicas each cluster holds.

    :param placement: a placement, or None
    :returns: a :class:`collections.Counter` of cluster id to count
    """
    counts = Counter()
    if placement is not None:
        for table in placement['replica2part2cluster']:
            counts.update(table)
    return counts


def _water_fill(weights, slots, cap):
    """Share ``slots`` by weight with nobody above ``cap``.

    What a capped key cannot take goes to the others by weight, as Swift's
    replica plan does for a tier that may not hold two replicas.
    """
    shares = dict((key, 0.0) for key in weights)
    free = dict((key, w) for key, w in weights.items() if w > 0)
    while free:
        room = slots - sum(shares.values())
        total = sum(free.values())
        over = [key for key, w in free.items() if room * w / total > cap]
        if not over:
            shares.update((key, room * w / total) for key, w in free.items())
            break
        for key in over:
            shares[key] = float(cap)
            del free[key]
    return shares


def ideal_counts(clusters, parts, replicas):
    """Partition-replicas each cluster would hold in a perfect ring.

    Shares follow weight, except that no landlord holds more replicas of a
    partition than it must (one, while there are at least as many weighted
    landlords as replicas) and no cluster more than one; what a capped
    landlord cannot take goes to the others by weight.

    :param clusters: a cluster table (``None`` entries are skipped)
    :param parts: the number of partitions
    :param replicas: the number of replicas
    :returns: dict of cluster id to a float count
    """
    members = defaultdict(dict)
    for cluster in clusters:
        if cluster is not None:
            members[cluster['landlord']][cluster['id']] = cluster['weight']
    landlord_weight = dict((landlord, sum(ids.values()))
                           for landlord, ids in members.items())
    weighted = sum(1 for weight in landlord_weight.values() if weight > 0)
    per_landlord = -(-replicas // weighted) if weighted else 1
    landlord_slots = _water_fill(landlord_weight, parts * replicas,
                                 parts * per_landlord)
    counts = {}
    for landlord, ids in members.items():
        counts.update(_water_fill(ids, landlord_slots[landlord], parts))
    return counts


def ideal_moves(have, want):
    """The fewest partition-replica moves that turn ``have`` into ``want``.

    :param have: mapping of cluster id to partition-replicas held now
    :param want: mapping of cluster id to the (float) count wanted; ids
        missing here (removed clusters) want nothing
    :returns: a float
    """
    return sum(max(0.0, have.get(cid, 0) - want.get(cid, 0.0))
               for cid in set(have) | set(want))


def landlord_dispersion(placement):
    """How the replicas of each partition spread over landlords.

    :param placement: a placement
    :returns: dict with ``landlords``, a list ordered by region of dicts
        with ``landlord``, ``region``, ``clusters``, ``weight``,
        ``replicas`` (partition-replicas held) and ``histogram`` (item
        ``k``: partitions of which the landlord holds ``k`` replicas);
        ``most`` (item ``k``: partitions whose most-loaded landlord holds
        ``k`` replicas); and ``shared`` (partitions with two or more
        replicas on one landlord; 0 is the goal)
    """
    tables = placement['replica2part2cluster']
    replicas, parts = len(tables), len(tables[0])
    landlord_of = dict((c['id'], c['landlord'])
                       for c in placement['clusters'] if c is not None)
    histograms = defaultdict(lambda: [0] * (replicas + 1))
    most = [0] * (replicas + 1)
    for ids in zip(*tables):
        counts = Counter(landlord_of[cid] for cid in ids)
        for landlord, count in counts.items():
            histograms[landlord][count] += 1
        most[max(counts.values())] += 1
    return {'landlords': _landlord_rows(placement['clusters'], histograms,
                                        parts),
            'most': most, 'shared': sum(most[2:])}


def _landlord_rows(clusters, histograms, parts):
    rows = {}
    for cluster in clusters:
        if cluster is None:
            continue
        row = rows.setdefault(cluster['landlord'], {
            'landlord': cluster['landlord'], 'region': cluster['region'],
            'clusters': 0, 'weight': 0.0})
        row['clusters'] += 1
        row['weight'] += cluster['weight']
    for landlord, row in rows.items():
        histogram = list(histograms[landlord])
        histogram[0] = parts - sum(histogram[1:])
        row['histogram'] = histogram
        row['replicas'] = sum(k * n for k, n in enumerate(histogram))
    return sorted(rows.values(), key=lambda row: row['region'])


# -- listings --------------------------------------------------------------

def _size_error(value):
    return ValueError('size %r is not a non-negative integer' % (value,))


def _parse_size(text):
    if not (text.isdigit() and text.isascii()):
        raise _size_error(text)
    return int(text)


def _parse_json_entry(text):
    try:
        entry = json.loads(text)
    except ValueError as err:
        raise ValueError('not valid JSON: %s' % err)
    if not isinstance(entry, dict) or not isinstance(entry.get('path'), str):
        raise ValueError('a JSON line needs a "path" string')
    size = entry.get('bytes')
    if size is not None and (isinstance(size, bool) or
                             not isinstance(size, int) or size < 0):
        raise _size_error(size)
    return entry['path'], size


def split_object_path(path):
    """Split ``account/container/object`` into WSGI-string names.

    :param path: the (native string) path; one leading ``/`` is allowed,
        and the object name may contain ``/``
    :returns: ``(account, container, obj)`` as WSGI strings
    :raises ValueError: unless all three names are non-empty
    """
    names = path[1:] if path.startswith('/') else path
    names = names.split('/', 2)
    if len(names) != 3 or not all(names):
        raise ValueError('%r is not an account/container/object path'
                         % (path,))
    return tuple(str_to_wsgi(name) for name in names)


def parse_listing_line(line):
    """Parse one line of a listing file.

    A line is ``{"path": "AUTH_test/c/o", "bytes": 123}`` (``bytes``
    optional), ``AUTH_test/c/o<TAB>123`` or just ``AUTH_test/c/o``, in
    UTF-8. A line whose first non-blank character is ``{`` is JSON.

    :param line: the raw line (bytes), with or without its line end
    :returns: None for a blank line, else ``(account, container, obj,
        size)`` with WSGI-string names and ``size`` an int or None
    :raises ValueError: naming what is wrong with the line
    """
    raw = line.rstrip(b'\r\n')
    if not raw.strip():
        return None
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        raise ValueError('not UTF-8')
    if text.lstrip().startswith('{'):
        path, size = _parse_json_entry(text)
    elif '\t' in text:
        path, _tab, size_text = text.rpartition('\t')
        size = _parse_size(size_text)
    else:
        path, size = text, None
    return split_object_path(path) + (size,)


def tally_listing(lines, part_of, by_part):
    """Count the objects and bytes of a listing that moves would copy.

    :param lines: iterable of raw listing lines (bytes)
    :param part_of: callable taking (WSGI string) account, container and
        object names and returning the partition, as the ring hashes them
    :param by_part: moves indexed by partition (see :func:`moves_by_part`)
    :returns: dict with ``objects``, ``sized`` (objects with a size),
        ``bytes`` (their total), ``copies`` and ``copy_bytes`` (object
        replicas that would move, and their bytes) and ``pairs`` (dict of
        ``(from_id, to_id)`` to ``[objects, bytes]``)
    :raises ValueError: ``line N: ...`` for the first bad line
    """
    tally = {'objects': 0, 'sized': 0, 'bytes': 0, 'copies': 0,
             'copy_bytes': 0, 'pairs': defaultdict(lambda: [0, 0])}
    for lineno, line in enumerate(lines, 1):
        try:
            entry = parse_listing_line(line)
        except ValueError as err:
            raise ValueError('line %d: %s' % (lineno, err))
        if entry is not None:
            _count_object(tally, entry, part_of, by_part)
    tally['pairs'] = dict(tally['pairs'])
    return tally


def _count_object(tally, entry, part_of, by_part):
    account, container, obj, size = entry
    tally['objects'] += 1
    if size is not None:
        tally['sized'] += 1
        tally['bytes'] += size
    for pair in by_part.get(part_of(account, container, obj), ()):
        tally['copies'] += 1
        tally['copy_bytes'] += size or 0
        figures = tally['pairs'][pair]
        figures[0] += 1
        figures[1] += size or 0


# -- summaries -------------------------------------------------------------

def pair_figures(moves, tally=None):
    """Combine moves (and a listing tally) per (from_id, to_id) pair.

    :param moves: moves as from :func:`replica_moves`
    :param tally: a :func:`tally_listing` result, or None
    :returns: dict of ``(from_id, to_id)`` to ``[partition-replicas,
        objects, bytes]`` (index with :data:`SLOTS`, :data:`OBJECTS`,
        :data:`BYTES`)
    """
    figures = defaultdict(lambda: [0, 0, 0])
    for _part, _replica, from_id, to_id in moves:
        figures[(from_id, to_id)][SLOTS] += 1
    if tally is not None:
        for pair, (objects, size) in tally['pairs'].items():
            figures[pair][OBJECTS] += objects
            figures[pair][BYTES] += size
    return dict(figures)


def _add(total, figures):
    for index, value in enumerate(figures):
        total[index] += value


def by_landlord(figures, landlord_of):
    """Sum pair figures per (from landlord, to landlord).

    :param figures: as from :func:`pair_figures`
    :param landlord_of: dict of cluster id to landlord name; a ``None``
        id (no placement before) maps to None
    :returns: dict of ``(from_landlord, to_landlord)`` to figures
    """
    totals = defaultdict(lambda: [0, 0, 0])
    for (from_id, to_id), values in figures.items():
        key = (landlord_of.get(from_id), landlord_of.get(to_id))
        _add(totals[key], values)
    return dict(totals)


def by_cluster(figures):
    """Sum pair figures per cluster, going out and coming in.

    :param figures: as from :func:`pair_figures`
    :returns: dict of cluster id to ``{'out': figures, 'in': figures}``
    """
    totals = defaultdict(lambda: {'out': [0, 0, 0], 'in': [0, 0, 0]})
    for (from_id, to_id), values in figures.items():
        if from_id is not None:
            _add(totals[from_id]['out'], values)
        _add(totals[to_id]['in'], values)
    return dict(totals)
