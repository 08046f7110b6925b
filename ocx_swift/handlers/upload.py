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

"""Streaming one client upload to several clusters at once.

Each cluster's PUT runs in its own green thread and takes its body from a
small bounded queue that the request's green thread fills: memory stays
at ``depth`` chunks per cluster whatever the object's size, and the
slowest cluster sets the pace. A cluster that fails stops taking chunks
and the others go on; :meth:`ParallelUpload.abort` makes every cluster's
PUT fail on purpose (the connection is closed before the body ends), so a
client that goes away never leaves a truncated object behind.

Handoffs: while what was sent to a position is at most ``replay_bytes``,
it is kept; when that position's cluster fails (refused, error-limited,
timed out, a 5xx), ``replace(position, client)`` may name another cluster,
which gets the same request and the kept bytes, then the rest (a cluster
that lacked the container gets it and the request again). A larger
body cannot be replayed: the position stays failed, and the write quorum
decides.
"""

from eventlet.queue import Full, LightQueue
from swift.common.concurrency import GreenPool

from ocx_swift.exceptions import ClusterUnavailable

_END = object()


class UploadAborted(Exception):
    """Raised inside a cluster's body to make its PUT fail."""


class _Stream(object):
    """One cluster's PUT, fed through a queue."""

    def __init__(self, client, path, headers, depth):
        self.client = client
        self.path = path
        self.headers = headers
        self.queue = LightQueue(maxsize=depth)
        self.done = False
        self.result = None

    @property
    def lost(self):
        """True once the PUT ended without storing the object."""
        return self.done and not _stored(self.result)

    def body(self):
        while True:
            item = self.queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def run(self):
        try:
            resp = self.client.request('PUT', self.path,
                                       headers=self.headers,
                                       body=self.body())
            try:
                resp.read(65536)
            finally:
                resp.close()
            self.result = resp
        except ClusterUnavailable as err:
            self.result = err
        except UploadAborted:
            self.result = ClusterUnavailable(self.client.name,
                                             'upload aborted')
        finally:
            self.done = True
            while not self.queue.empty():  # unblock the feeder
                self.queue.get_nowait()

    def put(self, item, timeout):
        if self.done:
            return
        try:
            self.queue.put(item, timeout=timeout)
        except Full:
            self.result = ClusterUnavailable(
                self.client.name, 'timed out taking the upload',
                timeout=True)
            self.done = True


class ParallelUpload(object):
    """PUT to several clusters, each with its own body.

    :param requests: list of ``(client, path, headers)``, one per position
    :param timeout: seconds a cluster may take to accept the next chunk
    :param depth: chunks queued per cluster
    :param quorum: positions that must store the object (default all):
        :attr:`failed` once fewer can
    :param replay_bytes: bytes per position kept for a handoff
    :param replace: ``replace(position, failed client, its result)``
        returns the client to try instead (the same one, once fixed), or
        None
    """

    def __init__(self, requests, timeout, depth=2, quorum=None,
                 replay_bytes=0, replace=None):
        self.timeout = timeout
        self.depth = depth
        self.quorum = len(requests) if quorum is None else quorum
        self.replay_bytes = replay_bytes
        self.replace = replace
        self.streams = [_Stream(c, p, h, depth) for c, p, h in requests]
        #: per position: the chunks sent so far (None: too many to keep)
        self.kept = [[] if replay_bytes else None for _r in requests]
        self.kept_size = [0] * len(requests)
        #: the streams handoffs took over from, with their results
        self.replaced = []
        self.pool = GreenPool(len(self.streams) * 4)
        for stream in self.streams:
            self.pool.spawn(stream.run)

    def send(self, chunks):
        """Queue one chunk per cluster (a list in request order)."""
        for position, chunk in enumerate(chunks):
            if not chunk:
                continue
            self._keep(position, chunk)
            self.streams[position].put(chunk, self.timeout)
            if self.streams[position].lost:
                self._hand_off(position)

    def _keep(self, position, chunk):
        kept = self.kept[position]
        if kept is None:
            return
        self.kept_size[position] += len(chunk)
        if self.kept_size[position] > self.replay_bytes:
            self.kept[position] = None
        else:
            kept.append(chunk)

    def _hand_off(self, position, end=False):
        """Move a lost position to a handoff cluster, replaying what it
        was sent; True if one took it."""
        stream = self.streams[position]
        while stream.lost and self.kept[position] is not None and \
                self.replace is not None:
            client = self.replace(position, stream.client, stream.result)
            if client is None:
                return False
            self.replaced.append((stream.client, stream.result))
            stream = self.streams[position] = _Stream(
                client, stream.path, stream.headers, self.depth)
            self.pool.spawn(stream.run)
            for chunk in self.kept[position] + ([_END] if end else []):
                stream.put(chunk, self.timeout)
            if end:
                self.pool.waitall()
        return not stream.lost

    def send_all(self, chunk):
        """Queue the same chunk for every cluster."""
        self.send([chunk] * len(self.streams))

    @property
    def failed(self):
        """True as soon as fewer than ``quorum`` positions can still
        store the object (a lost one that a handoff may take over counts
        as alive)."""
        alive = sum(1 for p, s in enumerate(self.streams)
                    if not s.lost or (self.kept[p] is not None and
                                      self.replace is not None))
        return alive < self.quorum

    def finish(self):
        """End every body and wait for the answers (positions lost at the
        end go to handoffs while their bytes are kept).

        :returns: list of ``(client, BackendResponse or ClusterUnavailable)``
        """
        for stream in self.streams:
            stream.put(_END, self.timeout)
        self.pool.waitall()
        for position in range(len(self.streams)):
            self._hand_off(position, end=True)
        return self.results()

    def results(self):
        """``(client, BackendResponse or ClusterUnavailable)`` per
        position, once finished or aborted."""
        return [(s.client, s.result) for s in self.streams]

    def abort(self):
        """Make every unfinished PUT fail and wait for them."""
        for stream in self.streams:
            stream.put(UploadAborted(), self.timeout)
        self.pool.waitall()


def _stored(result):
    return result is not None and not isinstance(
        result, ClusterUnavailable) and 200 <= result.status < 300
