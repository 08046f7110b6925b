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

"""The mover's journal: where a run got to, so a later one resumes there.

One JSON file, ``<state_dir>/ocx-mover.json``, replaced atomically
(written beside and renamed) whenever a container's marker moves on::

    {"version": 1,
     "ring": {"generation": 3, "md5": "<md5 of the ring file>"},
     "containers": [["AUTH_test", "photos", "img-0420.jpg", false],
                    ["AUTH_test", "docs", null, true], ...],
     "totals": {... counters of the runs so far, see report.py ...}}

Each container entry is ``[account, container, marker, done]``: every
object up to ``marker`` (in listing order) is finished, or the whole
container when ``done``. The journal belongs to one ring file: a run with
another ring (a new generation, or the same generation rewritten) starts a
new journal, since every placement may have changed. A lock file
(``ocx-mover.lock``) keeps two movers off one state directory.
"""

import fcntl
import hashlib
import json
import os

from ocx_swift.exceptions import OcxError

JOURNAL = 'ocx-mover.json'
LOCK = 'ocx-mover.lock'
VERSION = 1


class JournalError(OcxError):
    """The state directory cannot be used."""


def ring_identity(ring_path, generation):
    """What a journal is valid for: the ring's generation and contents."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(ring_path, 'rb') as fp:
        for chunk in iter(lambda: fp.read(65536), b''):
            digest.update(chunk)
    return {'generation': generation, 'md5': digest.hexdigest()}


class Journal(object):
    """Progress of the runs of one ring.

    :param state_dir: the directory holding the journal and lock
    :param identity: :func:`ring_identity` of the ring in use
    :param fresh: ignore an existing journal (start over)
    :param write: False for a dry run (nothing is written)
    """

    def __init__(self, state_dir, identity, fresh=False, write=True):
        self.path = os.path.join(state_dir, JOURNAL)
        self.identity = identity
        self.write = write
        self.containers = {}
        self.totals = {}
        self.note = None
        self._lock_fd = None
        if write:
            os.makedirs(state_dir, mode=0o700, exist_ok=True)
            self._lock(os.path.join(state_dir, LOCK))
        if not fresh:
            self._load()

    def _lock(self, path):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise JournalError('another ocx-mover is using %s'
                               % os.path.dirname(path))
        self._lock_fd = fd

    def close(self):
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _load(self):
        try:
            with open(self.path, encoding='utf-8') as fp:
                doc = json.load(fp)
        except FileNotFoundError:
            return
        except (OSError, ValueError) as err:
            raise JournalError('cannot read journal %s: %s (remove it, or '
                               'run with --fresh)' % (self.path, err))
        if doc.get('version') != VERSION or \
                doc.get('ring') != self.identity:
            self.note = 'journal %s is of another ring (generation %s); ' \
                'starting over' % (self.path, (doc.get('ring') or {}).get(
                    'generation'))
            return
        for account, container, marker, done in doc.get('containers', []):
            self.containers[(account, container)] = [marker, done]
        self.totals = doc.get('totals', {})

    def is_done(self, account, container):
        return self.containers.get((account, container), [None, False])[1]

    def marker(self, account, container):
        """The name to resume after ('' to start at the beginning)."""
        return self.containers.get((account, container), [None])[0] or ''

    def advance(self, account, container, marker, totals, done=False):
        """Record progress and the counters so far, then save."""
        self.containers[(account, container)] = [marker, done]
        self.totals = totals
        self.save()

    def save(self):
        if not self.write:
            return
        doc = {'version': VERSION, 'ring': self.identity,
               'containers': [[a, c, m, d] for (a, c), (m, d) in
                              sorted(self.containers.items())],
               'totals': self.totals}
        tmp = self.path + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as fp:
            json.dump(doc, fp)
        os.replace(tmp, self.path)
