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

    :param requests: list of ``(client, path, headers)``
    :param timeout: seconds a cluster may take to accept the next chunk
    :param depth: chunks queued per cluster
    """

    def __init__(self, requests, timeout, depth=2):
        self.timeout = timeout
        self.streams = [_Stream(c, p, h, depth) for c, p, h in requests]
        self.pool = GreenPool(len(self.streams))
        for stream in self.streams:
            self.pool.spawn(stream.run)

    def send(self, chunks):
        """Queue one chunk per cluster (a list in request order)."""
        for stream, chunk in zip(self.streams, chunks):
            if chunk:
                stream.put(chunk, self.timeout)

    def send_all(self, chunk):
        """Queue the same chunk for every cluster."""
        self.send([chunk] * len(self.streams))

    @property
    def failed(self):
        """True as soon as some cluster's PUT has ended without success."""
        return any(s.done and not _stored(s.result) for s in self.streams)

    def finish(self):
        """End every body and wait for the answers.

        :returns: list of ``(client, BackendResponse or ClusterUnavailable)``
        """
        for stream in self.streams:
            stream.put(_END, self.timeout)
        self.pool.waitall()
        return self.results()

    def results(self):
        """``(client, BackendResponse or ClusterUnavailable)`` per
        cluster, once finished or aborted."""
        return [(s.client, s.result) for s in self.streams]

    def abort(self):
        """Make every unfinished PUT fail and wait for them."""
        for stream in self.streams:
            stream.put(UploadAborted(), self.timeout)
        self.pool.waitall()


def _stored(result):
    return result is not None and not isinstance(
        result, ClusterUnavailable) and 200 <= result.status < 300
