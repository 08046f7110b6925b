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


def steps_until_done(placement, wanted, pieces, quorum, spares=(),
                     check=None):
    """Apply next_step until None; return the steps and final pieces."""
    done = []
    for _ in range(50):
        step = plan.next_step(placement, wanted, pieces, quorum, spares)
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
    steps, final = steps_until_done([C4], [0], pieces, 1)
    assert steps == [Copy(C1, C4, 0, False), Delete(C1, copy())]
    assert final == {C4: copy()}


def test_in_place_needs_nothing():
    pieces = {C1: copy(), C2: copy()}
    assert plan.in_place([C2, C1], [0, 0], pieces)
    assert plan.next_step([C2, C1], [0, 0], pieces, 1) is None
    assert not plan.in_place([C2, C3], [0, 0], pieces)
    assert not plan.in_place([C1], [0], {C1: copy(complete=False)})


def test_two_copies_fill_the_missing_one_from_the_leaving_cluster():
    pieces = {C1: copy(), C2: copy()}
    steps, final = steps_until_done([C4, C2], [0, 0], pieces, 1)
    assert steps == [Copy(C1, C4, 0, False), Delete(C1, copy())]
    assert set(final) == {C4, C2}


def test_stale_copy_on_the_placement_is_overwritten():
    pieces = {C1: copy('new', 200.0), C4: copy('old', 100.0)}
    steps, final = steps_until_done([C4], [0], pieces, 1)
    assert steps == [Copy(C1, C4, 0, True), Delete(C1, copy('new', 200.0))]
    assert final == {C4: copy('new', 200.0)}


def test_newer_copy_on_the_placement_wins():
    # a client wrote the object anew after the ring changed
    pieces = {C1: copy('old', 100.0), C4: copy('new', 200.0)}
    steps, final = steps_until_done([C4], [0], pieces, 1)
    assert steps == [Delete(C1, copy('old', 100.0))]
    assert final == {C4: copy('new', 200.0)}


def test_copies_come_before_any_delete():
    pieces = {C1: copy(), C2: copy()}
    steps, _final = steps_until_done([C3, C4], [0, 0], pieces, 1)
    kinds = [type(s).__name__ for s in steps]
    assert kinds == ['Copy', 'Copy', 'Delete', 'Delete']


def test_nothing_anywhere_needs_nothing():
    assert plan.next_step([C1], [0], {}, 1) is None


# -- split --------------------------------------------------------------


def test_share_moves_to_its_index():
    pieces = {C1: share(0), C2: share(1)}
    steps, final = steps_until_done([C4, C2], [0, 1], pieces, 2)
    assert steps == [Copy(C1, C4, 0, False), Delete(C1, share(0))]
    assert final == {C4: share(0), C2: share(1)}


def test_chain_moves_the_share_out_of_the_way_first():
    # share 1 must leave C2 for C4 before share 0 may take C2
    pieces = {C1: share(0), C2: share(1)}
    steps, final = steps_until_done([C2, C4], [0, 1], pieces, 2)
    assert steps == [Copy(C2, C4, 1, False), Copy(C1, C2, 0, True),
                     Delete(C1, share(0))]
    assert final == {C2: share(0), C4: share(1)}


def every_share_somewhere(n):
    def check(pieces):
        held = {p.index for p in pieces.values() if p.version == 'id1'}
        assert held == set(range(n)), pieces
    return check


def test_swap_goes_through_a_spare_and_never_loses_a_share():
    pieces = {C1: share(0), C2: share(1)}
    steps, final = steps_until_done([C2, C1], [0, 1], pieces, 2,
                                    spares=[C1, C2, C3],
                                    check=every_share_somewhere(2))
    assert steps[0] == Copy(C2, C3, 1, False)  # the spare copy
    assert final == {C2: share(0), C1: share(1)}
    assert isinstance(steps[-1], Delete) and steps[-1].cluster == C3


def test_swap_without_a_spare_is_blocked():
    pieces = {C1: share(0), C2: share(1)}
    step = plan.next_step([C2, C1], [0, 1], pieces, 2, spares=[C1, C2])
    assert isinstance(step, Blocked)
    assert 'no spare' in step.reason


def test_unfinished_write_on_a_target_blocks():
    pieces = {C1: share(0), C2: share(1), C4: share(0, 'id2', 300.0, False)}
    step = plan.next_step([C4, C2], [0, 1], pieces, 2)
    assert isinstance(step, Blocked)
    assert C4 in step.reason


def test_unfinished_write_elsewhere_is_left_alone():
    pending = share(0, 'id2', 300.0, False)
    pieces = {C1: share(0), C2: share(1), C3: pending}
    steps, final = steps_until_done([C1, C2], [0, 1], pieces, 2)
    assert steps == []
    assert final[C3] == pending


def test_missing_share_blocks_every_delete():
    # aont-rs 2 of 3: readable, but share 1 is nowhere to copy from
    pieces = {C1: share(0), C3: share(2)}
    step = plan.next_step([C1, C4, C2], [0, 1, 2], pieces, 2)
    assert step == Copy(C3, C2, 2, False)
    pieces = plan.after(step, pieces)
    step = plan.next_step([C1, C4, C2], [0, 1, 2], pieces, 2)
    assert isinstance(step, Blocked)
    assert 'piece 1' in step.reason


def test_older_version_is_replaced_and_removed():
    pieces = {C1: share(0, 'old', 50.0), C2: share(1, 'old', 50.0),
              C3: share(0), C4: share(1)}
    steps, final = steps_until_done([C1, C2], [0, 1], pieces, 2)
    assert final == {C1: share(0), C2: share(1)}
    assert [type(s).__name__ for s in steps] == ['Copy', 'Copy', 'Delete',
                                                 'Delete']


def test_no_readable_version_is_blocked():
    pieces = {C1: share(0, complete=False)}
    assert isinstance(plan.next_step([C1, C2], [0, 1], pieces, 2), Blocked)
    # one share of xor 2-of-2 is not readable either
    assert isinstance(plan.next_step([C1, C2], [0, 1], {C1: share(0)}, 2),
                      Blocked)


@pytest.mark.parametrize('seed', range(40))
def test_any_rearrangement_ends_in_place_keeping_every_share(seed):
    rng = random.Random(seed)
    clusters = ['c%d' % i for i in range(6)]
    n = rng.choice([2, 3])
    now = rng.sample(clusters, n)
    then = rng.sample(clusters, n)
    pieces = {cluster: share(i) for i, cluster in enumerate(then)}
    steps, final = steps_until_done(now, list(range(n)), pieces, n,
                                    spares=clusters,
                                    check=every_share_somewhere(n))
    assert plan.in_place(now, list(range(n)), final)
    # no more copies than the shares that change clusters, plus one spare
    # per cycle
    moved = sum(1 for i in range(n) if now[i] != then[i])
    assert len([s for s in steps if isinstance(s, Copy)]) <= moved + n // 2


def test_wanted_indexes():
    assert plan.wanted_indexes(3, True) == [0, 1, 2]
    assert plan.wanted_indexes(2, False) == [0, 0]


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
    first = [plan.next_step([C4], [0], dict(p), 1) for p in
             itertools.repeat(pieces, 3)]
    assert first[0] == first[1] == first[2]
