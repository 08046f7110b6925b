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

"""What the mover does to one object: pure decisions, no I/O.

An object is held as *pieces* on clusters: a whole copy (replicated and
pinned policies: every piece has index 0) or one share of a split object
(index = share index). Each cluster holds at most one piece of a name.
Its *placement* (the policy's choice from the ring) says which clusters
hold it: each of them a copy, or each a different share.

Which share sits on which placement cluster does not matter to readers
(a share's index is in its header, and reads look at every cluster of
the placement), but it matters to the landlords' mutual distrust: a
landlord must never get a second share of one object version, or it
could rebuild what it must not see (xor needs every share; aont-rs any
k). So shares already on the placement stay where they are, and a
cluster joining the placement gets the share its landlord already holds
(from a cluster leaving the placement), or else one no cluster of its
landlord holds; when neither exists the object is left as it is, and
reported.

:func:`next_step` looks at what is where and returns the one next thing
to do: copy a piece to a placement cluster (from any cluster holding it),
delete a piece that is no longer needed, or say why the object cannot be
moved now. The caller does it, updates the pieces and asks again, so
every step is decided on what is known after the previous one. The order
keeps the object whole at every moment:

* the newest *readable* version wins (a version with at least ``quorum``
  distinct pieces: 1 for copies, k for shares); older versions are
  overwritten or deleted, pieces of writes still under way (incomplete
  share headers) are never touched;
* copies come before deletes: nothing is deleted while a placement
  cluster still lacks its piece.
"""

import collections

Piece = collections.namedtuple('Piece',
                               'version index time etag size complete')
Piece.__doc__ = """One piece of an object on one cluster.

``version`` identifies what was written (the ETag of a copy; the object id
of a split share; None when unknown), ``index`` the share index (0 for a
copy), ``time`` its timestamp in seconds, ``etag`` the stored bytes' ETag,
``size`` its stored bytes, ``complete`` False for a share whose header is
not final yet (a chunked PUT still under way) or unreadable.
"""

Copy = collections.namedtuple('Copy', 'source target index overwrite')
Copy.__doc__ = """Copy the piece on ``source`` to ``target``;
``overwrite`` when the target holds a piece that must go (else the copy
must not replace anything found there)."""

Delete = collections.namedtuple('Delete', 'cluster piece')
Delete.__doc__ = """Delete ``piece`` from ``cluster`` (if still that
piece)."""

Blocked = collections.namedtuple('Blocked', 'reason')
Blocked.__doc__ = """The object cannot be moved now; ``reason`` says
why."""


def newest_version(pieces, quorum):
    """The newest version with at least ``quorum`` distinct pieces.

    :param pieces: dict cluster name -> :class:`Piece`
    :returns: ``(version, time, holders)``; ``holders`` maps each index of
        that version to the clusters holding it; ``(None, None, {})`` when
        no version is readable
    """
    versions = {}
    for cluster, piece in sorted(pieces.items()):
        if piece.complete and piece.version is not None:
            versions.setdefault(piece.version, {}).setdefault(
                piece.index, []).append(cluster)
    readable = [v for v, held in versions.items() if len(held) >= quorum]
    if not readable:
        return None, None, {}

    def newest_time(version):
        return max(pieces[c].time for held in versions[version].values()
                   for c in held)

    version = max(readable, key=lambda v: (newest_time(v), v))
    return version, newest_time(version), versions[version]


def in_place(placement, pieces, split=False):
    """True when the placement clusters, and no others, hold pieces of one
    version (distinct shares, for ``split``): nothing to do."""
    if set(pieces) != set(placement):
        return False
    versions = {p.version for p in pieces.values()}
    if len(versions) != 1 or None in versions or \
            not all(p.complete for p in pieces.values()):
        return False
    return not split or len({p.index for p in pieces.values()}) == \
        len(pieces)


def _placed(placement, pieces, version, split):
    """Placement clusters that already hold what they should: cluster ->
    index (a second holder of one share index does not count)."""
    placed, used = {}, set()
    for target in placement:
        piece = pieces.get(target)
        if piece is None or not piece.complete or piece.version != version:
            continue
        if split and piece.index in used:
            continue
        placed[target] = piece.index
        used.add(piece.index)
    return placed


def _shares_seen(pieces, version, landlord_of):
    """Landlord -> share indexes of ``version`` its clusters hold."""
    seen = {}
    for cluster, piece in pieces.items():
        if piece.complete and piece.version == version:
            seen.setdefault(landlord_of(cluster), set()).add(piece.index)
    return seen


def _share_assignment(needy, free, seen, landlord_of):
    """Give each needy cluster a share index: the one its landlord holds
    already, else one its landlord has never held (never a second one).

    :returns: ``(dict cluster -> index, None)`` or ``(None, Blocked)``
    """
    assigned = {}
    for target in needy:  # landlords holding a share keep that share
        own = seen.get(landlord_of(target))
        if own:
            same = sorted(own & (free - set(assigned.values())))
            if not same:
                return None, Blocked(
                    'landlord %s holds share %s already; it must not get '
                    'another' % (landlord_of(target), ', '.join(
                        str(i) for i in sorted(own))))
            assigned[target] = same[0]
    for target in needy:
        if target in assigned:
            continue
        rest = sorted(free - set(assigned.values()))
        if not rest:
            return None, None
        assigned[target] = rest[0]
    return assigned, None


def _source(candidates, placement):
    """The cluster to copy from: one leaving the placement first."""
    leaving = [c for c in candidates if c not in placement]
    return (leaving or candidates)[0]


def _target_state(have, version, version_time):
    """``'free'``, ``'overwrite'`` (it holds something to replace) or
    ``'busy'`` (a write under way, or newer than what we move)."""
    if have is None:
        return 'free'
    if not have.complete or (have.version != version and
                             have.time > version_time):
        return 'busy'
    return 'overwrite'


def _deletion(placement, pieces, version, version_time):
    """The first piece outside the placement that can go, or None."""
    for cluster, piece in sorted(pieces.items()):
        if cluster in placement or not piece.complete:
            continue
        if piece.version == version or piece.time <= version_time:
            return Delete(cluster, piece)
    return None


def next_step(placement, pieces, quorum, split=False, landlord_of=None):
    """Decide the next thing to do for one object.

    :param placement: cluster names of the object's placement
    :param pieces: dict cluster name -> :class:`Piece`, what is where now
    :param quorum: distinct pieces a version needs to be readable
    :param split: pieces are shares (each placement cluster holds a
        different one) rather than copies
    :param landlord_of: callable cluster name -> landlord (for shares)
    :returns: a :class:`Copy`, :class:`Delete` or :class:`Blocked`, or
        None when the object is where it belongs
    """
    version, version_time, holders = newest_version(pieces, quorum)
    if version is None:
        return Blocked('no complete version with %d piece%s' % (
            quorum, '' if quorum == 1 else 's')) if pieces else None
    placed = _placed(placement, pieces, version, split)
    needy = [t for t in placement if t not in placed]
    if split:
        landlord_of = landlord_of or (lambda cluster: cluster)
        assigned, blocked = _share_assignment(
            needy, set(holders) - set(placed.values()),
            _shares_seen(pieces, version, landlord_of), landlord_of)
        if blocked:
            return blocked
        if assigned is None:
            return Blocked('%d of %d shares of the newest version are '
                           'left' % (len(holders), len(placement)))
    else:
        assigned = dict.fromkeys(needy, 0)
    busy = []
    for target in needy:
        state = _target_state(pieces.get(target), version, version_time)
        if state == 'busy':
            busy.append(target)
            continue
        index = assigned[target]
        sources = [c for c in holders[index] if c != target]
        return Copy(_source(sources, placement), target, index,
                    state == 'overwrite')
    if busy:
        return Blocked('%s holds a newer or unfinished write' % busy[0])
    return _deletion(placement, pieces, version, version_time)


def after(step, pieces):
    """The pieces once ``step`` is done (a copy keeps the source's
    version and time: the landlord's new timestamp is not known here)."""
    pieces = dict(pieces)
    if isinstance(step, Copy):
        pieces[step.target] = pieces[step.source]
    elif isinstance(step, Delete):
        pieces.pop(step.cluster, None)
    return pieces
