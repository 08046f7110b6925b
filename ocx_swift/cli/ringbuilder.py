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

"""ocx-ring-builder: build the cluster ring of an Open Cloud eXchange.

Usage follows swift-ring-builder::

    ocx-ring-builder BUILDER_FILE create [--part-power 14] [--replicas 1]
                                         [--min-part-hours 0]
    ocx-ring-builder BUILDER_FILE add NAME LANDLORD WEIGHT
    ocx-ring-builder BUILDER_FILE set_weight NAME WEIGHT
    ocx-ring-builder BUILDER_FILE remove NAME [--clusters FILE
                                  --account ACCOUNT ... | --force]
    ocx-ring-builder BUILDER_FILE rebalance [--seed N] [--ring PATH]
                                            [--clusters FILE]
    ocx-ring-builder BUILDER_FILE write_ring [--ring PATH] [--clusters FILE]
    ocx-ring-builder BUILDER_FILE dispersion
    ocx-ring-builder BUILDER_FILE pretend [--seed N] [--listing FILE]
    ocx-ring-builder BUILDER_FILE [show] [--ring PATH]

The ring file defaults to the builder file with ``.builder`` replaced by
``.ring.gz``. Exit codes: 0 success, 1 warning (e.g. nothing to
rebalance), 2 error. Nothing is written when a command fails, and
``dispersion``, ``pretend`` and ``show`` never write.
"""

import argparse
import contextlib
import os
import sys
from datetime import timedelta

from ocx_swift.exceptions import OcxError, RingBuilderError
from ocx_swift.ring import io as ring_io
from ocx_swift.ring import movement
from ocx_swift.ring.builder import ClusterRingBuilder
from ocx_swift.ring.ring import ring_clusters

EXIT_SUCCESS = 0
EXIT_WARNING = 1
EXIT_ERROR = 2
#: Balance (percent) above which rebalance warns, as swift-ring-builder does.
BALANCE_WARNING = 5.0
COMMANDS = ('create', 'add', 'set_weight', 'remove', 'rebalance',
            'write_ring', 'dispersion', 'pretend', 'show')


def default_ring_path(builder_path):
    """Return the ring file that goes with a builder file.

    :param builder_path: e.g. ``/etc/swift/ocx.builder``
    :returns: e.g. ``/etc/swift/ocx.ring.gz``
    """
    base = builder_path[:-len('.builder')] \
        if builder_path.endswith('.builder') else builder_path
    return base + '.ring.gz'


def _ring_path(args):
    return args.ring or default_ring_path(args.builder_file)


def _parse_weight(text):
    try:
        return float(text)
    except ValueError:
        raise RingBuilderError('weight must be a number, got %r' % (text,))


def _load(args):
    if not os.path.exists(args.builder_file):
        raise RingBuilderError(
            'builder file %s does not exist; make one with: '
            'ocx-ring-builder %s create' % (args.builder_file,
                                            args.builder_file))
    return ClusterRingBuilder.load(args.builder_file)


def cmd_create(args):
    """Create a new, empty builder file with a fresh random salt.

    Refuses to replace an existing builder file: its salt places every
    object, so a new one would move everything.
    """
    if os.path.exists(args.builder_file):
        raise RingBuilderError('%s already exists; refusing to replace it'
                               % args.builder_file)
    builder = ClusterRingBuilder.create(args.part_power, args.replicas,
                                        args.min_part_hours)
    builder.save(args.builder_file)
    print('Created %s: part power %d, replicas %d, min_part_hours %d' % (
        args.builder_file, builder.part_power, builder.replicas,
        builder.min_part_hours))
    return EXIT_SUCCESS


def cmd_add(args):
    """Add a cluster owned by LANDLORD with relative weight WEIGHT.

    The cluster gets partitions at the next rebalance.
    """
    builder = _load(args)
    weight = _parse_weight(args.weight)
    cluster_id = builder.add_cluster(args.name, args.landlord, weight)
    builder.save(args.builder_file)
    print('Added cluster %s (id %d, landlord %s, weight %.2f); rebalance '
          'to give it partitions' % (args.name, cluster_id, args.landlord,
                                     weight))
    return EXIT_SUCCESS


def cmd_set_weight(args):
    """Set the weight of cluster NAME; applied at the next rebalance.

    A weight of 0 drains the cluster but keeps it in the ring.
    """
    builder = _load(args)
    weight = _parse_weight(args.weight)
    old = builder.set_weight(args.name, weight)
    builder.save(args.builder_file)
    print('Cluster %s weight %.2f -> %.2f; rebalance to apply' % (
        args.name, old, weight))
    return EXIT_SUCCESS


def cmd_remove(args):
    """Mark cluster NAME for removal, once it holds no objects.

    Drain it first: set_weight NAME 0, rebalance, run ocx-mover; then
    remove NAME --clusters ocx-clusters.conf --account ACCOUNT ... counts
    the objects the cluster still holds for those accounts (asking the
    cluster itself) and refuses while it holds any. A cluster that never
    had partitions needs no check; --force skips it. The next rebalance
    drops the cluster; its id is never given to another cluster.
    """
    builder = _load(args)
    placed = _ever_placed(builder, args.name, _ring_path(args))
    cluster_id = builder.remove_cluster(args.name)
    if args.force:
        print('NOTE: not checked whether cluster %s still holds objects '
              '(--force)' % args.name)
    elif args.clusters or args.account:
        _check_drained(args)
    elif placed:
        raise RingBuilderError(
            'cluster %s has held partitions: it may still hold objects. '
            'Drain it (set_weight %s 0, rebalance, ocx-mover), then count '
            'what it holds with: ocx-ring-builder %s remove %s --clusters '
            'ocx-clusters.conf --account ACCOUNT [--account ...] (or '
            '--force to remove it unchecked)' % (
                args.name, args.name, args.builder_file, args.name))
    builder.save(args.builder_file)
    print('Cluster %s (id %d) marked for removal; rebalance to move its '
          'partitions away' % (args.name, cluster_id))
    return EXIT_SUCCESS


def _ever_placed(builder, name, ring_path):
    """Whether cluster ``name`` has partitions, or had them in the ring
    file (now or in its previous placement)."""
    if any(s['name'] == name and s['parts'] for s in
           builder.cluster_stats()):
        return True
    if not os.path.exists(ring_path):
        return False
    data = ring_io.read_ring(ring_path)
    return any(c['name'] == name for c in ring_clusters(data))


def _check_drained(args):
    """Refuse unless the cluster holds no objects of the given accounts.

    :raises RingBuilderError: naming what it still holds, or why it
        cannot be counted
    """
    if not (args.clusters and args.account):
        raise RingBuilderError('counting the objects of cluster %s needs '
                               'both --clusters and --account' % args.name)
    # imported here: only this check talks to a cluster
    from ocx_swift.config import load_cluster_config
    from ocx_swift.mover import census
    cluster_conf = load_cluster_config(args.clusters)
    if args.name not in cluster_conf:
        raise RingBuilderError('%s has no [cluster:%s] section: cannot '
                               'count the objects of cluster %s' % (
                                   args.clusters, args.name, args.name))
    client = census.client_for(cluster_conf[args.name])
    try:
        counts = [census.count(client, account) for account in args.account]
    except OcxError as err:
        raise RingBuilderError('cannot count the objects of cluster %s: %s'
                               % (args.name, err))
    held = [c for c in counts if c.objects]
    if held:
        raise RingBuilderError(
            'cluster %s still holds %d objects (%s); run ocx-mover until '
            'it is done, then remove it' % (
                args.name, sum(c.objects for c in held),
                '; '.join(_census_text(c) for c in held)))
    for found in counts:
        note = ' (its account stats say %d: the landlord\'s ' \
            'container-updater has not caught up yet)' % found.account_count \
            if found.account_count else ''
        print('Cluster %s holds no objects of %s%s' % (args.name,
                                                       found.account, note))


def _census_text(found):
    busiest = sorted(found.busy_containers, key=lambda c: -c[1])[:3]
    return '%s: %d in %d containers, e.g. %s' % (
        found.account, found.objects, len(found.busy_containers),
        ', '.join('%r %d' % item for item in busiest))


def _rebalance_notes(builder, balance):
    """Print warnings after a rebalance and return the exit status."""
    status = EXIT_SUCCESS
    collisions = builder.landlord_collisions()
    if collisions:
        print('WARNING: %d partitions have two or more replicas with one '
              'landlord; add clusters of other landlords' % collisions)
        status = EXIT_WARNING
    if balance > BALANCE_WARNING:
        print('NOTE: balance %.2f: some cluster cannot take its weight '
              'share yet (landlord dispersion comes first, or '
              'min_part_hours held partitions back)' % balance)
        status = EXIT_WARNING
    return status


def cmd_rebalance(args):
    """Reassign partitions, then save the builder and write the ring file.

    Exits 1 without writing anything when no partition can move.
    """
    builder = _load(args)
    builder.check_rebalance()
    try:
        moved, balance = builder.rebalance(seed=args.seed)
    except RingBuilderError as err:
        print('Warning: %s' % err, file=sys.stderr)
        return EXIT_WARNING
    ring_path = _ring_path(args)
    with ring_io.locked(ring_path):
        data = builder.next_ring_data(ring_path)
        _check_credentials(args, data)
        builder.save(args.builder_file)
        ring_io.write_ring(ring_path, data)
    print('Reassigned %d (%.2f%%) partitions. Balance is now %.2f.' % (
        moved, 100.0 * moved / builder.parts, balance))
    _print_written(ring_path, data)
    return _rebalance_notes(builder, balance)


def _print_written(ring_path, data):
    previous = data['previous']
    print('Wrote %s generation %d (previous placement: %s)' % (
        ring_path, data['generation'],
        'none' if previous is None else
        'generation %d' % previous['generation']))


def cmd_write_ring(args):
    """Write the ring file from the builder without rebalancing.

    The generation grows by one; the previous placement is kept.
    """
    builder = _load(args)
    ring_path = _ring_path(args)
    with ring_io.locked(ring_path):
        data = builder.next_ring_data(ring_path)
        _check_credentials(args, data)
        ring_io.write_ring(ring_path, data)
    _print_written(ring_path, data)
    return EXIT_SUCCESS


def _check_credentials(args, data):
    """With --clusters, refuse a ring naming a cluster (now or in its
    previous placement) that the proxies have no credentials for."""
    if not args.clusters:
        return
    from ocx_swift.config import load_cluster_config
    try:
        load_cluster_config(args.clusters).check_ring(ring_clusters(data))
    except OcxError as err:
        raise RingBuilderError('the proxies would refuse this ring: %s'
                               % err)


def _table(headers, rows):
    """Format rows as aligned columns; text left, numbers right."""
    rows = [headers] + rows
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    numeric = [all(row[i].replace('.', '').replace('-', '').isdigit()
                   for row in rows[1:]) for i in range(len(headers))]
    lines = []
    for row in rows:
        cells = [cell.rjust(width) if num else cell.ljust(width)
                 for cell, width, num in zip(row, widths, numeric)]
        lines.append('  ' + '  '.join(cells).rstrip())
    return lines


def _ring_status(builder, ring_path):
    """Describe the ring file next to the builder; return (text, status)."""
    if not os.path.exists(ring_path):
        return 'not written yet', EXIT_SUCCESS
    try:
        data = ring_io.read_ring(ring_path)
    except OcxError as err:
        return 'unreadable (%s)' % err, EXIT_WARNING
    current = builder.ever_rebalanced and data['replica2part2cluster'] == \
        builder.get_ring_data()['replica2part2cluster']
    return 'generation %d, %s' % (
        data['generation'], 'matches the builder' if current
        else 'differs from the builder (run write_ring)'), EXIT_SUCCESS


def _print_clusters(builder):
    rows = [['%d' % s['id'], s['name'], s['landlord'], '%.2f' % s['weight'],
             '%d' % s['parts'], '%.2f' % s['share'], '%.2f' % s['balance'],
             'removing' if s['removing'] else '']
            for s in builder.cluster_stats()]
    print('Clusters:')
    for line in _table(['id', 'name', 'landlord', 'weight', 'partitions',
                        'share %', 'balance %', 'flags'], rows):
        print(line)


def _print_landlords(builder):
    rows = [[s['landlord'], '%d' % s['region'], '%d' % s['clusters'],
             '%.2f' % s['weight'], '%d' % s['parts'], '%.2f' % s['share']]
            for s in builder.landlord_stats()]
    print('Landlords:')
    for line in _table(['landlord', 'region', 'clusters', 'weight',
                        'partitions', 'share %'], rows):
        print(line)


def cmd_show(args):
    """Show the builder: parameters, ring file, clusters and landlords."""
    builder = _load(args)
    stats = builder.cluster_stats()
    ring_text, status = _ring_status(builder, _ring_path(args))
    print('%s, build version %d' % (args.builder_file, builder.version))
    print('part power %d (%d partitions), replicas %d, %d clusters, '
          '%d landlords, balance %.2f' % (
              builder.part_power, builder.parts, builder.replicas,
              len(stats), len(builder.landlord_stats()), builder.balance()))
    print('min_part_hours %d (%s left); %d partitions with two replicas on '
          'one landlord' % (
              builder.min_part_hours,
              timedelta(seconds=builder.min_part_seconds_left),
              builder.landlord_collisions()))
    print('ring %s: %s' % (_ring_path(args), ring_text))
    _print_clusters(builder)
    _print_landlords(builder)
    return status


def _percent(part, whole):
    return 100.0 * part / whole if whole else 0.0


def _print_dispersion_table(report):
    replicas = len(report['most']) - 1
    slots = float(sum(row['replicas'] for row in report['landlords']))
    rows = [[row['landlord'], '%d' % row['region'], '%d' % row['clusters'],
             '%.2f' % row['weight'], '%d' % row['replicas'],
             '%.2f' % _percent(row['replicas'], slots)] +
            ['%d' % count for count in row['histogram']] +
            ['%d' % sum(row['histogram'][2:])]
            for row in report['landlords']]
    print('Landlords (columns 0..%d: partitions of which the landlord holds '
          'that many replicas):' % replicas)
    for line in _table(['landlord', 'region', 'clusters', 'weight',
                        'partitions', 'share %'] +
                       [str(k) for k in range(replicas + 1)] + ['shared'],
                       rows):
        print(line)


def _dispersion_advice(builder):
    weighted = builder.weighted_landlords()
    if weighted < builder.replicas:
        return 'replicas (%d) outnumber the landlords with weight (%d); ' \
            'add clusters of other landlords' % (builder.replicas, weighted)
    return 'rebalance (try pretend first) to spread them'


def cmd_dispersion(args):
    """Show how the replicas of each partition spread over landlords.

    For each landlord: the partition-replicas it holds and how many
    partitions it holds 0, 1, 2... replicas of. Exits 1 when some
    partition has two or more replicas on one landlord (0 is the goal).
    """
    builder = _load(args)
    report = builder.dispersion()
    print('Dispersion of %s: %d partitions, replicas %d, %d landlords' % (
        args.builder_file, builder.parts, builder.replicas,
        len(report['landlords'])))
    print('Partitions by the most replicas one landlord holds: %s' % (
        ', '.join('%d: %d' % (k, n) for k, n in
                  enumerate(report['most']) if k)))
    print('%d partitions (%.2f%%) have two or more replicas on one '
          'landlord' % (report['shared'],
                        _percent(report['shared'], builder.parts)))
    _print_dispersion_table(report)
    if not report['shared']:
        return EXIT_SUCCESS
    print('WARNING: %s' % _dispersion_advice(builder))
    return EXIT_WARNING


@contextlib.contextmanager
def _open_listing(path):
    """Open a listing file for reading, or yield None without one."""
    if path is None:
        yield None
        return
    try:
        listing = open(path, 'rb')
    except OSError as err:
        raise RingBuilderError('cannot read listing %s: %s' % (
            path, err.strerror or err))
    with listing:
        yield listing


def _tally(listing, path, part_of, by_part):
    try:
        return movement.tally_listing(listing, part_of, by_part)
    except ValueError as err:
        raise RingBuilderError('listing %s %s' % (path, err))
    except OSError as err:
        raise RingBuilderError('cannot read listing %s: %s' % (
            path, err.strerror or err))


def _pretend_report(before, after, listing, listing_path):
    """Work out what moving from ``before`` to ``after`` means."""
    old, new = before.placement(), after.placement()
    moves = movement.replica_moves(old, new)
    tally = None
    if listing is not None:
        tally = _tally(listing, listing_path, after.part_finder(),
                       movement.moves_by_part(moves))
    clusters = dict((c['id'], c) for table in (old, new) if table
                    for c in table['clusters'] if c is not None)
    return {'old': old, 'new': new, 'moves': moves, 'tally': tally,
            'clusters': clusters, 'have': movement.holdings(old),
            'held': movement.holdings(new),
            'figures': movement.pair_figures(moves, tally)}


def _dropped(report, cid):
    """Tell whether the rebalance would drop cluster ``cid``."""
    table = report['new']['clusters']
    return cid >= len(table) or table[cid] is None


def _print_move_summary(before, after, report, balance):
    moves, slots = report['moves'], after.parts * after.replicas
    if report['old'] is None:
        print('Would assign all %d partitions (%d partition-replicas): '
              'the builder was never rebalanced' % (after.parts, slots))
    else:
        want = movement.ideal_counts(report['new']['clusters'],
                                     after.parts, after.replicas)
        ideal = movement.ideal_moves(report['have'], want)
        parts = movement.moved_parts(moves)
        print('Would reassign %d (%.2f%%) partitions, %d of %d '
              'partition-replicas (%.2f%%); the weights need at least '
              '%.0f (%.2f%%)' % (parts, _percent(parts, after.parts),
                                 len(moves), slots,
                                 _percent(len(moves), slots), ideal,
                                 _percent(ideal, slots)))
    print('Balance would be %.2f%s' % (
        balance, ' (now %.2f)' % before.balance()
        if before.ever_rebalanced else ''))
    if after.replicas > 1:
        print('Partitions with two or more replicas on one landlord: now '
              '%d, after %d' % (before.landlord_collisions(),
                                after.landlord_collisions()))
    for cid, cluster in sorted(report['clusters'].items()):
        if _dropped(report, cid):
            print('Would drop cluster %s (id %d)' % (cluster['name'], cid))


def _print_listing_summary(path, tally, replicas):
    copies = tally['objects'] * replicas
    size = tally['bytes'] * replicas
    print('Listing %s: %d objects (%d with a size), %d bytes; replicas %d'
          % (path, tally['objects'], tally['sized'], tally['bytes'],
             replicas))
    print('Would move %d of %d object replicas (%.2f%%), %d of %d bytes '
          '(%.2f%%)' % (tally['copies'], copies,
                        _percent(tally['copies'], copies),
                        tally['copy_bytes'], size,
                        _percent(tally['copy_bytes'], size)))


def _figure_cells(values, listing):
    cells = ['%d' % values[movement.SLOTS]]
    if listing:
        cells += ['%d' % values[movement.OBJECTS],
                  '%d' % values[movement.BYTES]]
    return cells


def _print_landlord_moves(report):
    landlord_of = dict((cid, c['landlord'])
                       for cid, c in report['clusters'].items())
    totals = movement.by_landlord(report['figures'], landlord_of)
    listing = report['tally'] is not None
    rows = [[source or '(none)', target] + _figure_cells(values, listing)
            for (source, target), values in sorted(
                totals.items(), key=lambda item: (item[0][0] or '',
                                                  item[0][1]))]
    print('Moves by landlord:')
    headers = ['from', 'to', 'partition-replicas']
    for line in _table(headers + (['objects', 'bytes'] if listing else []),
                       rows):
        print(line)


def _cluster_row(cid, cluster, report, totals, listing):
    moved = totals.get(cid, {'out': [0, 0, 0], 'in': [0, 0, 0]})
    row = ['%d' % cid, cluster['name'], cluster['landlord'],
           '%.2f' % cluster['weight'], '%d' % report['have'][cid],
           '%d' % report['held'][cid],
           '%d' % moved['out'][movement.SLOTS],
           '%d' % moved['in'][movement.SLOTS]]
    if listing:
        row += ['%d' % moved[way][index] for index in
                (movement.OBJECTS, movement.BYTES) for way in ('out', 'in')]
    return row + ['dropped' if _dropped(report, cid) else '']


def _print_cluster_moves(report):
    totals = movement.by_cluster(report['figures'])
    listing = report['tally'] is not None
    rows = [_cluster_row(cid, cluster, report, totals, listing)
            for cid, cluster in sorted(report['clusters'].items())]
    headers = ['id', 'name', 'landlord', 'weight', 'now', 'after', 'out',
               'in']
    if listing:
        headers += ['objects out', 'objects in', 'bytes out', 'bytes in']
    print('Clusters (partition-replicas now and after, moving out and in):')
    for line in _table(headers + ['flags'], rows):
        print(line)


def cmd_pretend(args):
    """Show what rebalance would move, without writing anything.

    Rebalances a copy of the builder and reports how many partitions
    would move, per landlord (from -> to) and per cluster. With --listing,
    also how many of the listed objects and bytes would move, placed
    with the ring's own hashing. A listing line is {"path": "a/c/o",
    "bytes": 123}, or a/c/o<TAB>123, or just a/c/o (UTF-8). Give the
    --seed you will give rebalance to see exactly what it will do.
    Exits 1 when nothing would move.
    """
    builder = _load(args)
    builder.check_rebalance()
    with _open_listing(args.listing) as listing:
        try:
            after, _moved, balance = builder.pretend_rebalance(args.seed)
        except RingBuilderError as err:
            if listing is not None:  # still refuse a bad listing
                _tally(listing, args.listing, lambda *names: None, {})
            print('Nothing would move: %s' % err)
            return EXIT_WARNING
        report = _pretend_report(builder, after, listing, args.listing)
    print('Pretend rebalance of %s with %s; nothing written' % (
        args.builder_file, 'a random seed' if args.seed is None
        else 'seed %d' % args.seed))
    _print_move_summary(builder, after, report, balance)
    if report['tally'] is not None:
        _print_listing_summary(args.listing, report['tally'], after.replicas)
    _print_landlord_moves(report)
    _print_cluster_moves(report)
    return EXIT_SUCCESS


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports a usage error in one line."""

    def error(self, message):
        self.exit(EXIT_ERROR, 'Error: %s (see %s --help)\n' % (
            message, self.prog))


def _add_ring_option(parser):
    parser.add_argument('--ring', metavar='PATH',
                        help='ring file (default: BUILDER_FILE with '
                        '.builder replaced by .ring.gz)')


def _add_clusters_option(parser, what):
    parser.add_argument('--clusters', metavar='FILE',
                        help='the proxies\' ocx-clusters.conf: %s' % what)


def _subcommand(subparsers, name, handler, mutates=True):
    doc = handler.__doc__.strip()
    parser = subparsers.add_parser(
        name, help=doc.splitlines()[0], description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(handler=handler, mutates=mutates)
    return parser


def _add_remove_parser(subparsers):
    remove = _subcommand(subparsers, 'remove', cmd_remove)
    remove.add_argument('name', metavar='NAME', help='cluster name')
    _add_clusters_option(remove, 'count the objects the cluster still '
                         'holds with the credentials there')
    remove.add_argument('--account', action='append', metavar='ACCOUNT',
                        help='an account to count the objects of '
                        '(repeatable)')
    remove.add_argument('--force', action='store_true',
                        help='remove without checking for objects')
    _add_ring_option(remove)


def _add_pretend_parser(subparsers):
    pretend = _subcommand(subparsers, 'pretend', cmd_pretend, mutates=False)
    pretend.add_argument('--seed', type=int,
                         help='seed for the solver, as for rebalance')
    pretend.add_argument('--listing', metavar='FILE',
                         help='object listing to estimate moved objects '
                         'and bytes from')


def build_parser():
    """Build the argument parser (a new one per call; no module state).

    :returns: an :class:`argparse.ArgumentParser`
    """
    parser = _Parser(
        prog='ocx-ring-builder', description=__doc__.strip().splitlines()[0],
        epilog='Exit codes: 0 success, 1 warning, 2 error.')
    parser.add_argument('builder_file', metavar='BUILDER_FILE')
    parser.set_defaults(handler=cmd_show, ring=None, mutates=False)
    sub = parser.add_subparsers(metavar='COMMAND')
    create = _subcommand(sub, 'create', cmd_create)
    create.add_argument('--part-power', type=int, default=14,
                        help='partition bits (default 14)')
    create.add_argument('--replicas', type=int, default=1,
                        help='primary clusters per partition (default 1)')
    create.add_argument('--min-part-hours', type=int, default=0,
                        help='hours before a partition may move again '
                        '(default 0)')
    add = _subcommand(sub, 'add', cmd_add)
    add.add_argument('name', metavar='NAME', help='cluster name')
    add.add_argument('landlord', metavar='LANDLORD', help='landlord name')
    add.add_argument('weight', metavar='WEIGHT', help='relative weight')
    weight = _subcommand(sub, 'set_weight', cmd_set_weight)
    weight.add_argument('name', metavar='NAME', help='cluster name')
    weight.add_argument('weight', metavar='WEIGHT', help='new weight')
    _add_remove_parser(sub)
    rebalance = _subcommand(sub, 'rebalance', cmd_rebalance)
    rebalance.add_argument('--seed', type=int,
                           help='seed for a repeatable rebalance')
    _add_ring_option(rebalance)
    _add_clusters_option(rebalance, 'refuse to write a ring naming a '
                         'cluster without credentials there')
    write_ring = _subcommand(sub, 'write_ring', cmd_write_ring,
                             mutates=False)
    _add_ring_option(write_ring)
    _add_clusters_option(write_ring, 'refuse to write a ring naming a '
                         'cluster without credentials there')
    _subcommand(sub, 'dispersion', cmd_dispersion, mutates=False)
    _add_pretend_parser(sub)
    _add_ring_option(_subcommand(sub, 'show', cmd_show, mutates=False))
    return parser


def main(argv=None):
    """Run one ocx-ring-builder command.

    :param argv: arguments without the program name; ``sys.argv[1:]`` if
        None
    :returns: EXIT_SUCCESS, EXIT_WARNING or EXIT_ERROR
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed
        return EXIT_ERROR if exc.code else EXIT_SUCCESS
    try:
        if args.builder_file in COMMANDS:
            raise RingBuilderError('BUILDER_FILE comes before the command: '
                                   'ocx-ring-builder BUILDER_FILE %s ...'
                                   % args.builder_file)
        if not args.mutates:
            return args.handler(args)
        with ring_io.locked(args.builder_file):
            return args.handler(args)
    except OcxError as err:
        print('Error: %s' % err, file=sys.stderr)
        return EXIT_ERROR


def error_handling_main():
    """Console entry point: exit with main()'s status, 2 on any crash."""
    try:
        status = main()
    except Exception as err:
        text = ' '.join(str(err).split())
        print('ocx-ring-builder: unexpected %s: %s' % (
            type(err).__name__, text), file=sys.stderr)
        status = EXIT_ERROR
    sys.exit(status)


if __name__ == '__main__':
    error_handling_main()
