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

"""Keep-alive HTTP(S) connections to landlord clusters, lean and green.

A thin layer over the standard library's ``http.client`` (green once
Swift's WSGI server has monkey-patched sockets): one LIFO pool of idle
keep-alive connections per scheme, host and port, connect and read
timeouts, and chunked request bodies from iterators. ``https`` URLs use
one ``SSLContext`` per :class:`ConnectionPools` (that is, per cluster),
built on the first ``https`` request from the cluster's
:class:`~ocx_swift.tls.TLSOptions` (``ca_file``, ``cert_file``,
``key_file``, ``insecure`` of its ``[cluster:<name>]`` section); a TLS
session is set up once per connection and kept while the connection is.
A failure names its cause (:func:`~ocx_swift.tls.describe_failure`):
certificate, hostname, refused. It does what the exchange needs
and no more, because every object request pays for it twice (request and
response), and urllib3's general machinery cost a measurable share of a
small GET.

The interface mirrors the part of urllib3's ``PoolManager.request`` and
``HTTPResponse`` that :mod:`ocx_swift.client` uses, so tests can stand a
fake in for :class:`ConnectionPools`.
"""

import collections
import http.client
import select
import socket
import ssl
import urllib.parse

from ocx_swift.tls import NO_TLS_OPTIONS, client_context, describe_failure

DEFAULT_PORTS = {'http': 80, 'https': 443}

#: errors of a connection that the server may have closed while idle
STALE_ERRORS = (http.client.RemoteDisconnected, ConnectionResetError,
                BrokenPipeError, http.client.BadStatusLine, ssl.SSLEOFError)


class HTTPTimeout(OSError):
    """Connecting or reading took longer than allowed."""


class HTTPFailure(OSError):
    """The connection failed or the server spoke broken HTTP."""


def _dropped(conn):
    """True when an idle connection was closed by the server (it is
    readable: EOF or junk, since no request is outstanding)."""
    sock = conn.sock
    if sock is None:
        return True
    try:
        readable, _w, _x = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class Response(object):
    """A response whose body is read on demand.

    :param conn: the connection it came on
    :param resp: the ``http.client.HTTPResponse``
    :param pool: where the connection goes back once the body is read
    """

    def __init__(self, conn, resp, pool):
        self._conn = conn
        self._resp = resp
        self._pool = pool
        self.status = resp.status
        self.reason = resp.reason
        self.headers = resp.msg  # case-insensitive get(); items()

    @property
    def length_remaining(self):
        return self._resp.length

    def stream(self, amt, decode_content=False):
        while True:
            chunk = self.read(amt)
            if not chunk:
                return
            yield chunk

    def read(self, amt=None, decode_content=False):
        try:
            data = self._resp.read(amt) if amt else self._resp.read()
        except TimeoutError as err:
            self.close()
            raise HTTPTimeout('read timed out') from err
        except (OSError, http.client.HTTPException) as err:
            self.close()
            raise HTTPFailure('read failed: %s' % err.__class__.__name__) \
                from err
        if self._resp.isclosed():
            self.release_conn()
        return data

    def drain_conn(self):
        """Read what is left of the body so the connection can be
        reused."""
        if self._conn is not None and not self._resp.isclosed():
            self.read()

    def release_conn(self):
        """Give a fully read connection back to the pool."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._resp.isclosed() and not self._resp.will_close:
            self._pool.put(conn)
        else:
            conn.close()

    def close(self):
        """Drop the connection (the body was not read to its end)."""
        conn, self._conn = self._conn, None
        self._resp.close()
        if conn is not None:
            conn.close()


class HostPool(object):
    """Idle keep-alive connections to one ``host:port``.

    :param ssl_context: an ``SSLContext`` for ``https``, None for ``http``
    """

    def __init__(self, host, port, maxsize, ssl_context=None):
        self.host = host
        self.port = port
        self.maxsize = maxsize
        self.ssl_context = ssl_context
        self._idle = collections.deque()

    def get(self, conn_timeout):
        """An idle live connection, or a new unconnected one; and whether
        it is reused."""
        while self._idle:
            conn = self._idle.pop()
            if not _dropped(conn):
                return conn, True
            conn.close()
        if self.ssl_context is not None:
            return http.client.HTTPSConnection(
                self.host, self.port, timeout=conn_timeout,
                context=self.ssl_context), False
        return http.client.HTTPConnection(self.host, self.port,
                                          timeout=conn_timeout), False

    def put(self, conn):
        if len(self._idle) < self.maxsize:
            self._idle.append(conn)
        else:
            conn.close()


class ConnectionPools(object):
    """One :class:`HostPool` per scheme, host and port.

    :param maxsize: idle connections kept per host
    :param tls: :class:`~ocx_swift.tls.TLSOptions` for ``https`` URLs
    """

    def __init__(self, maxsize, tls=NO_TLS_OPTIONS):
        self.maxsize = maxsize
        self.tls = tls
        self._ssl_context = None
        self._pools = {}

    def _context(self):
        if self._ssl_context is None:
            try:
                self._ssl_context = client_context(self.tls)
            except ValueError as err:  # a file changed since start-up
                raise HTTPFailure('connection failed: %s'
                                  % describe_failure(err)) from err
        return self._ssl_context

    def _pool_for(self, scheme, host, port):
        key = (scheme, host, port)
        pool = self._pools.get(key)
        if pool is None:
            context = self._context() if scheme == 'https' else None
            pool = self._pools[key] = HostPool(host, port, self.maxsize,
                                               context)
        return pool

    def request(self, method, url, headers=None, body=None, timeout=None,
                **_ignored):
        """Send a request and read the response headers.

        :param url: an absolute ``http://`` or ``https://`` URL, path
                    already quoted
        :param headers: dict of headers
        :param body: None, bytes, or an iterable of bytes chunks (sent
                     chunked unless ``Content-Length`` is in headers)
        :param timeout: ``(connect, read)`` seconds
        :returns: a :class:`Response`
        :raises HTTPTimeout: connecting or reading took too long
        :raises HTTPFailure: on any other connection failure
        """
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS:
            raise HTTPFailure('unsupported URL scheme %r' % parts.scheme)
        target = parts.path + ('?' + parts.query if parts.query else '')
        pool = self._pool_for(parts.scheme, parts.hostname,
                              parts.port or DEFAULT_PORTS[parts.scheme])
        conn_timeout, read_timeout = timeout or (None, None)
        replayable = body is None or isinstance(body, bytes)
        while True:
            conn, reused = pool.get(conn_timeout)
            try:
                resp = self._send(conn, method, target, headers or {}, body,
                                  conn_timeout, read_timeout)
            except STALE_ERRORS as err:
                conn.close()
                if reused and replayable:
                    continue  # the server closed it while idle
                raise HTTPFailure('connection failed: %s'
                                  % describe_failure(err)) from err
            except TimeoutError as err:
                conn.close()
                raise HTTPTimeout('timed out') from err
            except (OSError, http.client.HTTPException) as err:
                conn.close()
                raise HTTPFailure('connection failed: %s'
                                  % describe_failure(err)) from err
            except BaseException:
                conn.close()  # e.g. the client's body failed to read
                raise
            return Response(conn, resp, pool)

    @staticmethod
    def _send(conn, method, target, headers, body, conn_timeout,
              read_timeout):
        if conn.sock is None:
            conn.timeout = conn_timeout
            conn.connect()
            # a request's headers and its body go out as separate writes:
            # without this, a small body waits for the headers' ACK
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.sock.settimeout(read_timeout)
        conn.putrequest(method, target, skip_accept_encoding=True)
        chunked = body is not None and not isinstance(body, bytes) and \
            not any(k.lower() == 'content-length' for k in headers)
        for key, value in headers.items():
            conn.putheader(key, value)
        if isinstance(body, bytes):
            if not any(k.lower() == 'content-length' for k in headers):
                conn.putheader('Content-Length', str(len(body)))
        elif chunked:
            conn.putheader('Transfer-Encoding', 'chunked')
        elif body is None and method in ('PUT', 'POST') and not any(
                k.lower() == 'content-length' for k in headers):
            conn.putheader('Content-Length', '0')
        conn.endheaders()
        if isinstance(body, bytes):
            if body:
                conn.send(body)
        elif body is not None:
            for chunk in body:
                if not chunk:
                    continue
                if chunked:
                    conn.send(b'%x\r\n%b\r\n' % (len(chunk), chunk))
                else:
                    conn.send(chunk)
            if chunked:
                conn.send(b'0\r\n\r\n')
        return conn.getresponse()
