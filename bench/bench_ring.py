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

"""Partition movement and balance of the cluster ring builder.

For N = 3..16 equal clusters it measures three changes, each on a copy of
the same N-cluster ring: add one equal cluster, remove one (the oldest),
and double one's weight. Per change it prints the fraction of
partition-replicas moved, the ideal (the fewest moves that reach the new
weight shares, with no landlord holding two replicas of a partition; see
:func:`ocx_swift.ring.movement.ideal_counts`), their ratio, the worst
cluster balance after, and the seconds the rebalance took.

Two layouts by default: one replica with a landlord per cluster, and two
replicas with clusters paired into landlords (cluster ``i`` belongs to
landlord ``i // 2``, so there are at least two). The N+1 ring is the N
ring plus the added cluster, so each layout rebalances about 3 times per
N. Usage::

    python bench/bench_ring.py [--part-power 14] [--min-clusters 3]
                               [--max-clusters 16] [--replicas 1 2]
                               [--jobs 2] [--max-seconds 50]

Every loop is bounded by the cluster range; ``--max-seconds`` also stops
starting rebalances past the deadline (the rows left are marked
skipped). Layouts run in parallel processes with ``--jobs`` above 1.
"""

import argparse
import copy
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from ocx_swift.ring import movement
from ocx_swift.ring.builder import ClusterRingBuilder

OPERATIONS = ('add one', 'remove one', 'double one')
SEED = 1


def landlord_for(index, replicas):
    """One landlord per cluster for one replica; pairs for more."""
    return 'landlord%d' % (index if replicas == 1 else index // 2)


def base_builder(part_power, replicas, count):
    """A rebalanced builder of ``count`` equal clusters."""
    builder = ClusterRingBuilder.create(part_power, replicas)
    for index in range(count):
        builder.add_cluster('c%d' % index, landlord_for(index, replicas),
                            100.0)
    builder.rebalance(seed=SEED)
    return builder


def apply_operation(builder, operation, count):
    """Make one change to the builder (not yet rebalanced)."""
    if operation == 'add one':
        builder.add_cluster('c%d' % count,
                            landlord_for(count, builder.replicas), 100.0)
    elif operation == 'remove one':
        builder.remove_cluster('c0')
    else:
        builder.set_weight('c0', 200.0)


def measure(base, operation, count):
    """Apply one change to a copy of ``base``, rebalance and measure it.

    :returns: (the rebalanced copy, dict of figures for the table)
    """
    builder = copy.deepcopy(base)
    apply_operation(builder, operation, count)
    started = time.perf_counter()
    builder.rebalance(seed=SEED + 1)
    seconds = time.perf_counter() - started
    before, after = base.placement(), builder.placement()
    slots = float(builder.parts * builder.replicas)
    want = movement.ideal_counts(after['clusters'], builder.parts,
                                 builder.replicas)
    moved = len(movement.replica_moves(before, after))
    ideal = movement.ideal_moves(movement.holdings(before), want)
    return builder, {'moved': moved / slots, 'ideal': ideal / slots,
                     'balance': builder.balance(), 'seconds': seconds}


def run_layout(part_power, replicas, counts, deadline):
    """Measure every operation for every N of one layout.

    :returns: list of row dicts; ``figures`` is None for a skipped row
    """
    rows, base = [], None
    for count in counts:
        if base is None and time.time() <= deadline:
            base = base_builder(part_power, replicas, count)
        grown = None
        for operation in OPERATIONS:
            row = {'replicas': replicas, 'clusters': count,
                   'operation': operation, 'figures': None}
            rows.append(row)
            if base is None or time.time() > deadline:
                continue
            result, row['figures'] = measure(base, operation, count)
            if operation == 'add one':
                grown = result
        base = grown
    return rows


def landlord_count(count, replicas):
    return len(set(landlord_for(i, replicas) for i in range(count)))


def format_row(row):
    """One table line for a row dict."""
    head = '%8d  %9d  %8d  %-10s' % (
        row['replicas'], landlord_count(row['clusters'], row['replicas']),
        row['clusters'], row['operation'])
    figures = row['figures']
    if figures is None:
        return head + '  skipped (time budget)'
    ratio = figures['moved'] / figures['ideal'] if figures['ideal'] else 0
    return head + '  %7.2f  %7.2f  %11.3f  %9.2f  %7.2f' % (
        100 * figures['moved'], 100 * figures['ideal'], ratio,
        figures['balance'], figures['seconds'])


HEADER = ('replicas  landlords  clusters  operation   moved %  ideal %  '
          'moved/ideal  balance %  seconds')


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.strip().splitlines()[0],
        epilog='See the module docstring for what the columns mean.')
    parser.add_argument('--part-power', type=int, default=14)
    parser.add_argument('--min-clusters', type=int, default=3)
    parser.add_argument('--max-clusters', type=int, default=16)
    parser.add_argument('--replicas', type=int, nargs='+', default=[1, 2],
                        help='replica counts to run (default 1 2)')
    parser.add_argument('--jobs', type=int,
                        default=min(2, os.cpu_count() or 1),
                        help='layouts measured in parallel processes')
    parser.add_argument('--max-seconds', type=float, default=40.0,
                        help='start no rebalance after this many seconds')
    args = parser.parse_args(argv)
    if args.min_clusters < 2 or args.max_clusters < args.min_clusters:
        parser.error('need 2 <= --min-clusters <= --max-clusters')
    return args


def run_all(args, deadline):
    counts = range(args.min_clusters, args.max_clusters + 1)
    jobs = [(args.part_power, replicas, counts, deadline)
            for replicas in args.replicas]
    if args.jobs <= 1:
        return [run_layout(*job) for job in jobs]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        return list(pool.map(run_layout, *zip(*jobs)))


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    layouts = run_all(args, started + args.max_seconds)
    print('part power %d (%d partitions), seed %d' % (
        args.part_power, 2 ** args.part_power, SEED))
    print(HEADER)
    for rows in layouts:
        for row in rows:
            print(format_row(row))
    print('total %.1f s' % (time.time() - started))
    return 0


if __name__ == '__main__':
    sys.exit(main())
