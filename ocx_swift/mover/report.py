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

"""What a mover run did: counters, and the final report.

Counters are plain JSON-able dicts so the journal can keep those of earlier
runs of the same ring and a run can be reported with or without them.

Object outcomes (each object examined gets exactly one):

==========  ===========================================================
in_place    every piece already where it belongs; nothing done
moved       pieces copied to the placement and/or misplaced ones deleted
blocked     cannot be moved now (a write under way, a missing share)
changed     changed while being moved (a client wrote or deleted it);
            left for the next run
vanished    deleted by a client before or while being moved
expired     its ``X-Delete-At`` passed; left for the landlord's expirer
error       a cluster failed or refused; see the errors
==========  ===========================================================

Objects left ``blocked`` or ``changed`` are named in the report, with
why (the first :data:`MAX_LINES_KEPT`).

As JSON (:meth:`Report.to_dict`), clusters are plain keys:
``copies`` is ``{source: {target: {"objects": n, "bytes": b}}}``,
``deletes`` and ``containers_created`` are ``{cluster: n}``.
"""

import collections

OUTCOMES = ('in_place', 'moved', 'blocked', 'changed', 'vanished',
            'expired', 'error')
#: outcomes after which a run should be repeated
UNFINISHED = ('blocked', 'changed', 'error')
#: outcomes whose objects the report names
NAMED = ('blocked', 'changed')
MAX_LINES_KEPT = 50


def _mib(size):
    return size / 1048576.0


class Report(object):
    """Counters of one mover run (or of several, merged).

    :param data: a dict from :meth:`to_dict`, to continue from
    """

    def __init__(self, data=None):
        data = data or {}
        self.outcomes = collections.Counter(data.get('outcomes', {}))
        self.copies = copies_from_dict(data.get('copies', {}))
        self.deletes = collections.Counter(data.get('deletes', {}))
        self.containers_created = collections.Counter(
            data.get('containers_created', {}))
        self.containers = data.get('containers', 0)
        self.containers_skipped = data.get('containers_skipped', 0)
        self.errors = data.get('errors', 0)
        self.error_lines = list(data.get('error_lines', []))
        self.left_lines = list(data.get('left_lines', []))

    # -- counting -------------------------------------------------------

    def outcome(self, kind):
        self.outcomes[kind] += 1

    def copied(self, source, target, size):
        figures = self.copies.setdefault((source, target), [0, 0])
        figures[0] += 1
        figures[1] += size

    def deleted(self, cluster):
        self.deletes[cluster] += 1

    def created_container(self, cluster):
        self.containers_created[cluster] += 1

    def error(self, text):
        self.errors += 1
        if len(self.error_lines) < MAX_LINES_KEPT:
            self.error_lines.append(text)

    def left(self, path, outcome, reason):
        """Name an object left for a later run (an outcome in
        :data:`NAMED`)."""
        if len(self.left_lines) < MAX_LINES_KEPT:
            self.left_lines.append('%s: %s%s' % (
                path, outcome, ': %s' % reason if reason else ''))

    # -- reading --------------------------------------------------------

    @property
    def examined(self):
        return sum(self.outcomes.values())

    @property
    def copied_objects(self):
        return sum(f[0] for f in self.copies.values())

    @property
    def copied_bytes(self):
        return sum(f[1] for f in self.copies.values())

    @property
    def unfinished(self):
        """Objects a later run must look at again, plus errors."""
        return sum(self.outcomes[k] for k in UNFINISHED if k != 'error') + \
            self.errors

    def to_dict(self):
        copies = {}
        for (source, target), (objects, size) in self.copies.items():
            copies.setdefault(source, {})[target] = {'objects': objects,
                                                     'bytes': size}
        return {'outcomes': dict(self.outcomes),
                'copies': copies,
                'deletes': dict(self.deletes),
                'containers_created': dict(self.containers_created),
                'containers': self.containers,
                'containers_skipped': self.containers_skipped,
                'errors': self.errors, 'error_lines': self.error_lines,
                'left_lines': self.left_lines}

    def merged(self, other):
        """A new report adding ``other``'s counters to these."""
        total = Report(self.to_dict())
        total.outcomes.update(other.outcomes)
        for pair, (objects, size) in other.copies.items():
            figures = total.copies.setdefault(pair, [0, 0])
            figures[0] += objects
            figures[1] += size
        total.deletes.update(other.deletes)
        total.containers_created.update(other.containers_created)
        total.containers += other.containers
        total.containers_skipped += other.containers_skipped
        total.errors += other.errors
        total.error_lines = (total.error_lines + other.error_lines)[
            :MAX_LINES_KEPT]
        total.left_lines = (total.left_lines + other.left_lines)[
            :MAX_LINES_KEPT]
        return total

    def by_landlord(self, landlord_of):
        """Copies summed per (source landlord, target landlord)."""
        totals = {}
        for (source, target), (objects, size) in self.copies.items():
            key = (landlord_of.get(source, '?'), landlord_of.get(target, '?'))
            figures = totals.setdefault(key, [0, 0])
            figures[0] += objects
            figures[1] += size
        return totals


def copies_from_dict(data):
    """``{(source, target): [objects, bytes]}`` from :meth:`Report.to_dict`
    (or from a journal written before clusters were plain keys:
    ``{"source\\ntarget": [objects, bytes]}``)."""
    copies = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for target, figures in value.items():
                copies[(key, target)] = [figures.get('objects', 0),
                                         figures.get('bytes', 0)]
        else:
            copies[tuple(key.split('\n', 1))] = list(value)
    return copies


def _rows(title, pairs):
    lines = ['%s:' % title, '  %-14s %-14s %9s %14s' % (
        'from', 'to', 'objects', 'bytes')]
    for (source, target), (objects, size) in sorted(pairs.items()):
        lines.append('  %-14s %-14s %9d %14d'
                     % (source, target, objects, size))
    return lines


def format_report(run, earlier, landlord_of, elapsed, dry_run=False):
    """The final report as text lines.

    :param run: this run's :class:`Report`
    :param earlier: a :class:`Report` of earlier runs of the same ring
        (from the journal), or None
    :param landlord_of: dict cluster name -> landlord name
    :param elapsed: seconds this run took
    """
    verb = 'would copy' if dry_run else 'copied'
    lines = ['%s: %d containers (%d finished before, skipped), %d objects '
             'examined' % ('Dry run' if dry_run else 'This run',
                           run.containers, run.containers_skipped,
                           run.examined)]
    lines.append('Outcomes: ' + ', '.join(
        '%s %d' % (k, run.outcomes[k]) for k in OUTCOMES))
    lines.append('%s %d object pieces, %d bytes (%.1f MiB); %s %d '
                 'misplaced pieces' % (
                     verb.capitalize(), run.copied_objects, run.copied_bytes,
                     _mib(run.copied_bytes),
                     'would delete' if dry_run else 'deleted',
                     sum(run.deletes.values())))
    if run.copies:
        lines += _rows('By cluster', run.copies)
        lines += _rows('By landlord', run.by_landlord(landlord_of))
    if run.deletes:
        lines.append('%s from: ' % ('Would delete' if dry_run else 'Deleted')
                     + ', '.join('%s %d' % item
                                 for item in sorted(run.deletes.items())))
    if run.containers_created:
        lines.append('%s: ' % ('Containers to create' if dry_run
                               else 'Containers created') + ', '.join(
            '%s %d' % item for item in sorted(run.containers_created.items())))
    if elapsed > 0 and not dry_run:
        lines.append('Elapsed %.1fs: %.1f objects/s examined, %.1f pieces/s '
                     'and %.2f MB/s copied' % (
                         elapsed, run.examined / elapsed,
                         run.copied_objects / elapsed,
                         run.copied_bytes / elapsed / 1e6))
    if earlier is not None and earlier.examined:
        total = earlier.merged(run)
        lines.append('With earlier runs of this ring: %d objects examined, '
                     'moved %d, %s %d pieces (%d bytes)' % (
                         total.examined, total.outcomes['moved'], verb,
                         total.copied_objects, total.copied_bytes))
    left = sum(run.outcomes[k] for k in NAMED)
    if left:
        lines.append('%s: %d (%s)' % (
            'Would be left for a later run' if dry_run else
            'Left for a later run', left, ', '.join(
                '%s %d' % (k, run.outcomes[k]) for k in NAMED
                if run.outcomes[k])))
        lines += ['  ' + line for line in run.left_lines]
    if run.errors:
        lines.append('Errors: %d' % run.errors)
        lines += ['  ' + line for line in run.error_lines]
    return lines
