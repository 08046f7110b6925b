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
Its *placement* (the policy's choice from the ring, in order) says which
piece belongs where: a copy on every placement cluster, share *i* on
placement *i*.

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
  cluster still lacks its piece;
* a placement cluster holding another share of the same version is
  overwritten only when that share has a second copy; shares that must
  swap places (a cycle) first get a spare copy on a cluster outside the
  object's clusters, which is deleted at the end.
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


def wanted_indexes(width, split):
    """The piece index each placement position wants.

    :param width: the policy's width (copies or shares)
    :param split: True for a split policy
    """
    return list(range(width)) if split else [0] * width


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


def in_place(placement, wanted, pieces):
    """True when every placement cluster holds its piece of one version
    and no other cluster holds anything (nothing to do)."""
    if set(pieces) != set(placement):
        return False
    versions = {p.version for p in pieces.values()}
    if len(versions) != 1 or None in versions:
        return False
    return all(pieces[t].complete and pieces[t].index == i
               for t, i in zip(placement, wanted))


def _source(candidates, placement):
    """The cluster to copy from: one leaving the placement first."""
    leaving = [c for c in candidates if c not in placement]
    return (leaving or candidates)[0]


def _slot(target, index, have, version, version_time, holders):
    """How a placement cluster stands: ``'ok'``, ``'free'``,
    ``'overwrite'``, ``'cycle'`` (holds another share of this version
    with no second copy) or ``'busy'``."""
    if have is None:
        return 'free'
    if have.complete and have.version == version:
        if have.index == index:
            return 'ok'
        return 'overwrite' if len(holders.get(have.index, ())) > 1 \
            else 'cycle'
    if not have.complete or have.time > version_time:
        return 'busy'  # a write under way, or newer than what we move
    return 'overwrite'


def _copies(placement, wanted, pieces, version, version_time, holders):
    """The first copy a placement cluster needs, else the blocked slots.

    :returns: ``(copy or None, cycles, busy, missing)``
    """
    cycles, busy, missing = [], [], []
    for target, index in zip(placement, wanted):
        have = pieces.get(target)
        state = _slot(target, index, have, version, version_time, holders)
        if state == 'ok':
            continue
        sources = [c for c in holders.get(index, ()) if c != target]
        if not sources:
            missing.append(index)
        elif state == 'cycle':
            cycles.append(target)
        elif state == 'busy':
            busy.append(target)
        else:
            return (Copy(_source(sources, placement), target, index,
                         state == 'overwrite'), cycles, busy, missing)
    return None, cycles, busy, missing


def _deletion(placement, pieces, version, version_time):
    """The first piece outside the placement that can go, or None."""
    for cluster, piece in sorted(pieces.items()):
        if cluster in placement or not piece.complete:
            continue
        if piece.version == version or piece.time <= version_time:
            return Delete(cluster, piece)
    return None


def next_step(placement, wanted, pieces, quorum, spares=()):
    """Decide the next thing to do for one object.

    :param placement: cluster names of the object's placement, in order
    :param wanted: the piece index each of them wants
        (:func:`wanted_indexes`)
    :param pieces: dict cluster name -> :class:`Piece`, what is where now
    :param quorum: distinct pieces a version needs to be readable
    :param spares: cluster names that may hold a spare share while shares
        swap places
    :returns: a :class:`Copy`, :class:`Delete` or :class:`Blocked`, or
        None when the object is where it belongs
    """
    version, version_time, holders = newest_version(pieces, quorum)
    if version is None:
        return Blocked('no complete version with %d piece%s' % (
            quorum, '' if quorum == 1 else 's')) if pieces else None
    copy, cycles, busy, missing = _copies(placement, wanted, pieces,
                                          version, version_time, holders)
    if copy is not None:
        return copy
    if busy:
        return Blocked('%s holds a newer or unfinished write' % busy[0])
    if cycles:
        return _break_cycle(cycles[0], pieces, spares)
    if missing:
        return Blocked('piece %s of the newest version is missing' %
                       ', '.join(str(i) for i in sorted(set(missing))))
    return _deletion(placement, pieces, version, version_time)


def _break_cycle(target, pieces, spares):
    """A spare copy of the share on ``target``, so it may be
    overwritten."""
    free = [s for s in spares if s not in pieces]
    if not free:
        return Blocked('shares must swap places and no spare cluster is '
                       'free')
    return Copy(target, free[0], pieces[target].index, False)


def after(step, pieces):
    """The pieces once ``step`` is done (a copy keeps the source's
    version and time: the landlord's new timestamp is not known here)."""
    pieces = dict(pieces)
    if isinstance(step, Copy):
        pieces[step.target] = pieces[step.source]
    elif isinstance(step, Delete):
        pieces.pop(step.cluster, None)
    return pieces
