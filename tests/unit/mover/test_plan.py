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

"""The mover's decisions for one object, without I/O."""

import itertools
import random

import pytest

from ocx_swift.mover import plan
from ocx_swift.mover.plan import Blocked, Copy, Delete, Piece

# cluster names as a landlord might spell them
C1, C2, C3, C4 = 'z\u00fcrich', 'gen\u00e8ve', 'bern', '\u6771\u4eac'


def copy(version='v1', time=100.0, index=0, complete=True):
    return Piece(version, index, time, 'etag-' + version, 10, complete)


def share(index, version='id1', time=100.0, complete=True):
    return Piece(version, index, time, 'etag-%s-%d' % (version, index), 10,
                 complete)


def steps_until_done(placement, pieces, quorum, split=False,
                     landlord_of=None, check=None):
    """Apply next_step until None; return the steps and final pieces."""
    done = []
    for _ in range(50):
        step = plan.next_step(placement, pieces, quorum, split, landlord_of)
        if step is None:
            return done, pieces
        assert not isinstance(step, Blocked), step
        done.append(step)
        pieces = plan.after(step, pieces)
        if check:
            check(pieces)
    raise AssertionError('no end: %r' % done)


# -- replicated ---------------------------------------------------------


def test_copy_then_delete_the_misplaced_copy():
    pieces = {C1: copy()}
    steps, final = steps_until_done([C4], pieces, 1)
    assert steps == [Copy(C1, C4, 0, False), Delete(C1, copy())]
    assert final == {C4: copy()}


def test_in_place_needs_nothing():
    pieces = {C1: copy(), C2: copy()}
    assert plan.in_place([C2, C1], pieces)
    assert plan.next_step([C2, C1], pieces, 1) is None
    assert not plan.in_place([C2, C3], pieces)
    assert not plan.in_place([C1], {C1: copy(complete=False)})
    assert not plan.in_place([C1, C2], {C1: copy('a'), C2: copy('b')})


def test_two_copies_fill_the_missing_one_from_the_leaving_cluster():
    pieces = {C1: copy(), C2: copy()}
    steps, final = steps_until_done([C4, C2], pieces, 1)
    assert steps == [Copy(C1, C4, 0, False), Delete(C1, copy())]
    assert set(final) == {C4, C2}


def test_stale_copy_on_the_placement_is_overwritten():
    pieces = {C1: copy('new', 200.0), C4: copy('old', 100.0)}
    steps, final = steps_until_done([C4], pieces, 1)
    assert steps == [Copy(C1, C4, 0, True), Delete(C1, copy('new', 200.0))]
    assert final == {C4: copy('new', 200.0)}


def test_newer_copy_on_the_placement_wins():
    # a client wrote the object anew after the ring changed
    pieces = {C1: copy('old', 100.0), C4: copy('new', 200.0)}
    steps, final = steps_until_done([C4], pieces, 1)
    assert steps == [Delete(C1, copy('old', 100.0))]
    assert final == {C4: copy('new', 200.0)}


def test_copies_come_before_any_delete():
    pieces = {C1: copy(), C2: copy()}
    steps, _final = steps_until_done([C3, C4], pieces, 1)
    kinds = [type(s).__name__ for s in steps]
    assert kinds == ['Copy', 'Copy', 'Delete', 'Delete']


def test_nothing_anywhere_needs_nothing():
    assert plan.next_step([C1], {}, 1) is None


# -- split --------------------------------------------------------------

#: two clusters of one landlord, and one each of three others
LANDLORDS = {C1: 'l1', C4: 'l1', C2: 'l2', C3: 'l3', 'c5': 'l5'}


def shares(placement, pieces, quorum, check=None):
    return steps_until_done(placement, pieces, quorum, True,
                            LANDLORDS.get, check)


def test_share_moves_to_the_cluster_joining_the_placement():
    pieces = {C2: share(0), C3: share(1)}
    steps, final = shares(['c5', C3], pieces, 2)
    assert steps == [Copy(C2, 'c5', 0, False), Delete(C2, share(0))]
    assert final == {'c5': share(0), C3: share(1)}


def test_shares_on_the_placement_stay_whatever_their_index():
    # readers find a share by its header: a new order moves nothing
    pieces = {C2: share(0), C3: share(1)}
    assert plan.in_place([C3, C2], pieces, split=True)
    assert plan.next_step([C3, C2], pieces, 2, True, LANDLORDS.get) is None
    assert not plan.in_place([C3, C2], {C2: share(0), C3: share(0)}, True)


def test_a_landlord_gets_back_the_share_it_holds():
    # C1 (l1) leaves, C4 (l1) joins: l1 must get share 0 again, not 1
    pieces = {C1: share(0), C2: share(1)}
    steps, final = shares([C4, C3], pieces, 2)
    assert Copy(C1, C4, 0, False) in steps
    assert Copy(C2, C3, 1, False) in steps
    assert final == {C4: share(0), C3: share(1)}


def test_a_landlord_never_gets_a_second_share():
    pieces = {C1: share(0), C2: share(1), 'c5': share(2)}
    step = plan.next_step([C4, C2, 'c5'], pieces, 2, True, LANDLORDS.get)
    assert step == Copy(C1, C4, 0, False)  # l1's own share moves over
    # share 0 is on C3 too (a copy left by an earlier move) and stays
    # placed there: C4 (l1) could only get another share, so no move
    pieces[C3] = share(0)
    step = plan.next_step([C4, C2, C3], pieces, 2, True, LANDLORDS.get)
    assert isinstance(step, Blocked)
    assert 'landlord l1 holds share 0 already' in step.reason


def test_unfinished_write_on_a_target_blocks():
    pieces = {C2: share(0), C3: share(1), 'c5': share(0, 'id2', 300.0,
                                                      False)}
    step = plan.next_step(['c5', C3], pieces, 2, True, LANDLORDS.get)
    assert isinstance(step, Blocked)
    assert 'c5' in step.reason


def test_unfinished_write_elsewhere_is_left_alone():
    pending = share(0, 'id2', 300.0, False)
    pieces = {C2: share(0), C3: share(1), 'c5': pending}
    steps, final = shares([C2, C3], pieces, 2)
    assert steps == []
    assert final['c5'] == pending


def test_missing_share_leaves_the_object_alone():
    # aont-rs 2 of 3: readable, but only two shares are left for three
    # clusters (the mover cannot make a share: it never decodes)
    pieces = {C1: share(0), 'c5': share(2)}
    step = plan.next_step([C1, C2, C3], pieces, 2, True, LANDLORDS.get)
    assert isinstance(step, Blocked)
    assert step.reason == '2 of 3 shares of the newest version are left'


def test_older_version_is_replaced_and_removed():
    pieces = {C2: share(0, 'old', 50.0), C3: share(1, 'old', 50.0),
              'c5': share(0), C1: share(1)}
    steps, final = shares([C2, C3], pieces, 2)
    assert plan.in_place([C2, C3], final, True)
    assert {p.version for p in final.values()} == {'id1'}
    assert [type(s).__name__ for s in steps] == ['Copy', 'Copy', 'Delete',
                                                 'Delete']


def test_no_readable_version_is_blocked():
    pieces = {C1: share(0, complete=False)}
    assert isinstance(plan.next_step([C1, C2], pieces, 2, True), Blocked)
    # one share of xor 2-of-2 is not readable either
    assert isinstance(plan.next_step([C1, C2], {C1: share(0)}, 2, True),
                      Blocked)


@pytest.mark.parametrize('seed', range(60))
def test_any_ring_change_ends_in_place_and_safe(seed):
    """Random old and new placements (each of distinct landlords, as the
    policy chooses them): the move ends in place, never loses a share,
    and no landlord ever holds two shares."""
    rng = random.Random(seed)
    clusters = ['c%d' % i for i in range(8)]
    landlord = {c: 'l%d' % rng.randrange(5) for c in clusters}

    def distinct(n):
        chosen, used = [], set()
        for cluster in rng.sample(clusters, len(clusters)):
            if landlord[cluster] not in used:
                chosen.append(cluster)
                used.add(landlord[cluster])
        return chosen[:n]

    n = rng.choice([2, 3])
    then, now = distinct(n), distinct(n)
    if len(then) < n or len(now) < n:
        return
    pieces = {cluster: share(i) for i, cluster in enumerate(then)}
    ever = {}

    def check(pieces):
        held = {p.index for p in pieces.values()}
        assert held == set(range(n)), pieces  # never lost
        for cluster, piece in pieces.items():
            ever.setdefault(landlord[cluster], set()).add(piece.index)
        assert all(len(i) == 1 for i in ever.values()), ever

    check(pieces)
    steps, final = steps_until_done(now, pieces, n, True, landlord.get,
                                    check)
    assert plan.in_place(now, final, True)
    leaving = [c for c in then if c not in now]
    assert len([s for s in steps if isinstance(s, Copy)]) == len(leaving)


def test_newest_version_needs_quorum():
    pieces = {C1: share(0, 'a', 300.0), C2: share(0, 'b', 100.0),
              C3: share(1, 'b', 100.0)}
    version, when, holders = plan.newest_version(pieces, 2)
    assert (version, when, holders) == ('b', 100.0, {0: [C2], 1: [C3]})
    assert plan.newest_version(pieces, 1)[0] == 'a'
    assert plan.newest_version({}, 1) == (None, None, {})


def test_after_keeps_the_source_piece():
    pieces = {C1: copy()}
    assert plan.after(Copy(C1, C2, 0, False), pieces) == {
        C1: copy(), C2: copy()}
    assert plan.after(Delete(C1, copy()), pieces) == {}
    assert pieces == {C1: copy()}  # not changed in place


def test_orders_are_deterministic():
    pieces = {C1: copy(), C2: copy(), C3: copy()}
    first = [plan.next_step([C4], dict(p), 1) for p in
             itertools.repeat(pieces, 3)]
    assert first[0] == first[1] == first[2]
