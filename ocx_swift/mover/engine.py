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

"""Moving one object: the steps of :mod:`ocx_swift.mover.plan`, done.

A copy is a GET from the cluster holding the piece streamed into a PUT on
the target, with the same stored name and the headers the landlord stores
(Content-Type with its parameters, every ``X-Object-Meta-*`` including the
exchange's reserved ``Ocx-`` keys, ``X-Delete-At`` and the like) and the
source's ETag, which the target's object server checks. A copy onto a
cluster the listing showed empty carries ``If-None-Match: *``, so it never
replaces what a client wrote there meanwhile.

A delete first HEADs the piece and deletes it only when it is still the
version the plan saw: the same ETag and, for a piece this move read, the
same ``X-Timestamp``. When a piece this move copied from has been deleted
meanwhile (a client deleted the object), the copies it made are deleted
again, so a move never brings an object back; when it only got new
metadata (a client's POST reached it before the copy could be found), it
is copied again over the copies made from it, if they are still ours.
"""

import time

from swift.common.swob import wsgi_quote

from ocx_swift.exceptions import ClusterUnavailable, OcxError
from ocx_swift.mover import backend, plan
from ocx_swift.mover.backend import Refused
from ocx_swift.storage.shares import ShareHeader

#: timestamps closer than this are the same (Swift keeps 5 decimals)
SAME_TIME = 1e-4


class SourceTruncated(OcxError):
    """The source's body ended before its Content-Length."""


class Stop(Exception):
    """Ends the move of one object with an outcome (see
    :mod:`ocx_swift.mover.report`)."""

    def __init__(self, outcome, reason=''):
        self.outcome = outcome
        self.reason = reason
        super().__init__(outcome)


class RateLimiter(object):
    """At most ``rate`` events per second (0: no limit), for green
    threads.

    :param clock: ``time.monotonic`` or a stand-in
    :param sleep: a green ``sleep``
    """

    def __init__(self, rate, sleep, clock=time.monotonic):
        self.interval = 1.0 / rate if rate else 0.0
        self.sleep = sleep
        self.clock = clock
        self.next_at = None

    def wait(self):
        if not self.interval:
            return
        now = self.clock()
        if self.next_at is None or self.next_at < now:
            self.next_at = now
        delay = self.next_at - now
        self.next_at += self.interval
        if delay > 0:
            self.sleep(delay)


def checked_body(resp, length):
    """Yield a GET's body; raise if it ends short (so the PUT fails
    instead of storing a truncated copy under the source's ETag)."""
    sent = 0
    for chunk in resp.iter_body():
        sent += len(chunk)
        yield chunk
    if resp.truncated or sent != length:
        raise SourceTruncated('%s: source ended after %d of %d bytes'
                              % (resp.cluster, sent, length))


class ObjectMove(object):
    """Moves one object, step by step.

    :param mover: the :class:`~ocx_swift.mover.run.Mover` (clients,
        report, rate limiter, ``ensure_container``)
    :param account: account name
    :param container: container name
    :param name: the stored object name
    :param placement: cluster names the object belongs on
    :param pieces: dict cluster name -> :class:`~ocx_swift.mover.plan.Piece`
    :param quorum: distinct pieces a version needs to be readable
    :param split: the pieces are shares
    """

    def __init__(self, mover, account, container, name, placement, pieces,
                 quorum, split=False):
        self.mover = mover
        self.account = account
        self.container = container
        self.name = name
        self.path = backend.object_path(account, container, name)
        self.placement = placement
        self.pieces = dict(pieces)
        self.quorum = quorum
        self.split = split
        self.read = {}  # cluster -> (etag, x-timestamp) of pieces we read
        #: cluster -> (etag, last-modified, source) of the copies we made
        self.made = {}
        self.recopied = set()
        self.acted = False

    def run(self):
        """Do every step; return the outcome."""
        limit = 3 * (len(self.placement) + len(self.pieces)) + 3
        for _attempt in range(limit):
            step = plan.next_step(self.placement, self.pieces, self.quorum,
                                  self.split, self.mover.landlord_of.get)
            if step is None:
                return 'moved' if self.acted else 'in_place'
            if isinstance(step, plan.Blocked):
                raise Stop('blocked', step.reason)
            self.do(step)
        raise Stop('blocked', 'no progress after %d steps' % limit)

    def do(self, step):
        if isinstance(step, plan.Copy):
            self.copy(step)
        else:
            self.delete(step)

    # -- steps ------------------------------------------------------------

    def copy(self, step):
        piece = self.pieces[step.source]
        if self.mover.dry_run:
            self.mover.report.copied(step.source, step.target, piece.size)
            self._done(step)
            return
        self.mover.ensure_container(self.account, self.container,
                                    step.target)
        self.mover.limiter.wait()
        source = self.mover.clients[step.source]
        resp = backend.check(source, source.request('GET', self.path),
                             'GET', self.path, allowed=(404,))
        try:
            if resp.status == 404:
                self.pieces.pop(step.source)  # gone: plan again
                return
            headers = backend.headers_dict(resp)
            if headers.get('etag', '').strip('"') != piece.etag:
                raise Stop('changed', 'changed on %s' % step.source)
            self.read[step.source] = (piece.etag,
                                      backend.timestamp_of(headers))
            self._put(step, piece, headers, resp)
        finally:
            resp.close()
        self.mover.report.copied(step.source, step.target, piece.size)
        self._done(step)

    def _put(self, step, piece, headers, resp):
        put_headers = backend.object_put_headers(headers)
        if not step.overwrite:
            put_headers['if-none-match'] = '*'
        target = self.mover.clients[step.target]
        length = int(put_headers['content-length'])
        put = target.request('PUT', self.path, headers=put_headers,
                             body=checked_body(resp, length))
        put.read()
        if put.status == 412:
            raise Stop('changed', 'appeared on %s meanwhile' % step.target)
        if put.status == 400 and 'x-delete-at' in put_headers:
            raise Stop('expired')
        backend.check(target, put, 'PUT', self.path)
        stored = backend.headers_dict(put)
        if stored.get('etag', '').strip('"') != piece.etag:
            raise Refused(target.name, 'PUT %s' % wsgi_quote(self.path),
                          'a different ETag %r' % stored.get('etag'))
        self.made[step.target] = (piece.etag, stored.get('last-modified'),
                                  step.source)

    def delete(self, step):
        if self.mover.dry_run:
            self.mover.report.deleted(step.cluster)
            self._done(step)
            return
        client = self.mover.clients[step.cluster]
        found = backend.head(client, self.path)
        if found is None:
            if step.cluster in self.read:
                self._undo_copies()
                raise Stop('vanished', 'deleted while being moved')
            self._done(step)
            return
        if not self._unchanged(step, found):
            if not self._recopy(step, found):
                raise Stop('changed', 'changed on %s' % step.cluster)
            found = backend.head(client, self.path)
            if found is None or not self._unchanged(step, found):
                raise Stop('changed', 'changed on %s' % step.cluster)
        backend.check(client, client.request('DELETE', self.path),
                      'DELETE', self.path, allowed=(404,)).close()
        self.mover.report.deleted(step.cluster)
        self._done(step)

    def _unchanged(self, step, found):
        if found.get('etag', '').strip('"') != step.piece.etag:
            return False
        read = self.read.get(step.cluster)
        if read is not None:
            return abs(backend.timestamp_of(found) - read[1]) < SAME_TIME
        return True

    def _still_ours(self, cluster):
        """Whether the copy this move made on ``cluster`` is still there
        unchanged (its ETag and Last-Modified)."""
        etag, modified, _source = self.made[cluster]
        found = backend.head(self.mover.clients[cluster], self.path)
        return found is not None and found.get('last-modified') == \
            modified and found.get('etag', '').strip('"') == etag

    def _recopy(self, step, found):
        """The piece this move copied from got new metadata since (a
        client's POST reached it there, before the copy was found): copy
        it again over the copies made from it, if they are still ours.
        Once per piece.

        :returns: True when copied again
        """
        if step.cluster in self.recopied or \
                found.get('etag', '').strip('"') != step.piece.etag:
            return False
        ours = sorted(t for t, made in self.made.items()
                      if made[2] == step.cluster)
        if not ours or not all(self._still_ours(t) for t in ours):
            return False
        self.recopied.add(step.cluster)
        for target in ours:
            self.copy(plan.Copy(step.cluster, target, step.piece.index,
                                True))
        return True

    def _undo_copies(self):
        """Delete the copies this move made, where still ours."""
        for cluster in sorted(self.made):
            client = self.mover.clients[cluster]
            try:
                if self._still_ours(cluster):
                    backend.check(client, client.request(
                        'DELETE', self.path), 'DELETE', self.path,
                        allowed=(404,)).close()
            except (ClusterUnavailable, Refused) as err:
                self.mover.report.error('could not undo the copy of a '
                                        'deleted object: %s' % err)

    def _done(self, step):
        self.acted = True
        self.pieces = plan.after(step, self.pieces)


def share_piece(headers, split_header):
    """A :class:`~ocx_swift.mover.plan.Piece` from a share's HEAD.

    :param headers: lower-case headers of the landlord's answer
    :param split_header: the decoded share header value, or None
    """
    try:
        header = ShareHeader.parse(split_header)
    except ValueError:  # no header, or one a PUT has not finished
        header = None
    return plan.Piece(
        header.object_id.hex() if header else None,
        header.index if header else -1,
        backend.timestamp_of(headers), headers.get('etag', '').strip('"'),
        int(headers.get('content-length', 0) or 0), header is not None)
