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

"""The one outbound client: how the exchange talks to a landlord cluster.

Each :class:`ClusterClient` holds a pool of keep-alive HTTP connections
(:mod:`ocx_swift.transport`; green once Swift's WSGI server has
monkey-patched sockets), a
service token for the cluster, and nothing per request. Pools are built
lazily on first use, never in ``__init__`` (a forked worker must not
inherit the parent's sockets).

Rules:

* connect and read timeouts on every call (:class:`Timeouts`);
* a 401 re-authenticates exactly once and repeats a request whose body
  can be sent again; other statuses are returned to the caller;
* ``https`` URLs are verified as the cluster's TLS options say
  (:mod:`ocx_swift.tls`); a token got over ``https`` is never sent to a
  plain ``http`` storage URL;
* connection errors and timeouts raise :class:`ClusterUnavailable`
  naming the cause (refused, TLS certificate, TLS hostname, ...);
  5xx answers and failures count towards error limiting, and a
  cluster past ``error_suppression_limit`` errors is skipped for
  ``error_suppression_interval`` seconds;
* bodies stream both ways in chunks; nothing is buffered whole;
* hop-by-hop headers and the cluster's own transaction headers are
  stripped from responses (:func:`filter_response_headers`).
"""

import collections
import json
import time

from swift.common.concurrency import Semaphore
from swift.common.error_limiter import ErrorLimiter
from swift.common.swob import wsgi_quote

from ocx_swift.exceptions import ClusterUnavailable
from ocx_swift.tls import describe_failure
from ocx_swift.transport import ConnectionPools, HTTPFailure, HTTPTimeout

CHUNK_SIZE = 65536

#: request headers never forwarded to a landlord cluster
REQUEST_HEADER_BLOCKLIST = frozenset(h.lower() for h in (
    'Host', 'Connection', 'Keep-Alive', 'Proxy-Authenticate',
    'Proxy-Authorization', 'TE', 'Trailer', 'Trailers',
    'Transfer-Encoding', 'Upgrade', 'Expect', 'Content-Length',
    'X-Auth-Token', 'X-Storage-Token', 'X-Service-Token', 'Authorization',
    'Cookie', 'X-Forwarded-For', 'X-Forwarded-Proto', 'X-Trans-Id-Extra',
    # CORS and staticweb are answered by the exchange (handlers/cors.py and
    # the exchange's own staticweb), never by a landlord's
    'Origin', 'Access-Control-Request-Method',
    'Access-Control-Request-Headers', 'X-Web-Mode',
    # versioning lives in the sysmeta that versioned_writes (left of ocx)
    # sets; a landlord's own versioned_writes must never act on these
    'X-Versions-Location', 'X-History-Location',
    'X-Remove-Versions-Location', 'X-Remove-History-Location',
    'X-Versions-Enabled',
))

#: response headers never passed back from a landlord cluster
RESPONSE_HEADER_BLOCKLIST = frozenset(h.lower() for h in (
    'Connection', 'Keep-Alive', 'Proxy-Authenticate', 'TE', 'Trailer',
    'Trailers', 'Transfer-Encoding', 'Upgrade', 'Date', 'Server',
    'X-Trans-Id', 'X-Openstack-Request-Id', 'Set-Cookie',
    'X-Storage-Policy',
    # a landlord's own versioning state (the exchange's is in sysmeta)
    'X-Versions-Location', 'X-History-Location', 'X-Versions-Enabled',
    # what a landlord shows the exchange's reseller-admin service user
    'X-Container-Sharding',
))

RESPONSE_HEADER_PREFIX_BLOCKLIST = (
    'x-backend-', 'x-account-storage-policy-',
)

Timeouts = collections.namedtuple('Timeouts', 'conn node listing')
Timeouts.__doc__ = """Seconds to wait: to connect, for each read of an
object request, and for each read of a listing or metadata request."""


def filter_request_headers(headers):
    """Headers of a client request fit to forward to a landlord.

    :param headers: iterable of (name, value) pairs
    :returns: a dict
    """
    return {k: v for k, v in headers
            if k.lower() not in REQUEST_HEADER_BLOCKLIST
            and not k.lower().startswith('x-backend-')}


def filter_response_headers(headers):
    """Headers of a landlord's response fit to show a client.

    :param headers: iterable of (name, value) pairs
    :returns: a list of (name, value) pairs
    """
    return [(k, v) for k, v in headers
            if k.lower() not in RESPONSE_HEADER_BLOCKLIST
            and not k.lower().startswith(RESPONSE_HEADER_PREFIX_BLOCKLIST)]


class ClusterErrorLimiter(ErrorLimiter):
    """Swift's error limiter, keyed on cluster names."""

    def node_key(self, node):
        return node['name']


class BackendResponse(object):
    """A landlord's answer, body not yet read.

    :param cluster: the cluster name
    :param resp: the transport's response, body not read
    """

    def __init__(self, cluster, resp):
        self.cluster = cluster
        self._resp = resp
        self.status = resp.status
        self.reason = resp.reason or ''
        self.headers = resp.headers  # case-insensitive get(), items()
        self.truncated = False

    @property
    def status_line(self):
        return '%d %s' % (self.status, self.reason)

    @property
    def trans_id(self):
        return self.headers.get('X-Trans-Id')

    def header_items(self):
        return list(self.headers.items())

    def iter_body(self, chunk_size=CHUNK_SIZE):
        """Yield the body in chunks, then release the connection.

        A cluster failing half way ends the body early (``truncated`` is
        then set): the client sees fewer bytes than ``Content-Length`` and
        Swift's ``catch_errors`` closes its connection, as Swift's proxy
        does when no other node can resume a read.
        """
        try:
            for chunk in self._resp.stream(chunk_size, decode_content=False):
                if chunk:
                    yield chunk
        except (HTTPFailure, OSError):
            self.truncated = True
        finally:
            self.close()

    def read(self, limit=None):
        """Read the whole body (only for small bodies: listings, errors)."""
        try:
            data = self._resp.read(limit, decode_content=False) \
                if limit else self._resp.read(decode_content=False)
        finally:
            self.close()
        return data

    def json(self):
        return json.loads(self.read())

    def close(self):
        """Give the connection back to the pool when what is left of the
        body is small, else drop it (an unread body poisons it)."""
        resp, self._resp = self._resp, None
        if resp is None:
            return
        remaining = resp.length_remaining
        try:
            if remaining is not None and remaining <= CHUNK_SIZE:
                resp.drain_conn()
                resp.release_conn()
            else:
                resp.close()
        except (HTTPFailure, OSError):
            resp.close()

    def excerpt(self, limit=200):
        """A short text of an error body, for logs and error messages."""
        try:
            return self.read(limit).decode('utf-8', 'replace').strip()
        except (HTTPFailure, OSError):
            return ''


class ClusterClient(object):
    """Talks to one landlord cluster.

    :param conf: the :class:`~ocx_swift.config.ClusterConfig`
    :param timeouts: default :class:`Timeouts`
    :param error_limiter: a shared :class:`ClusterErrorLimiter`
    :param pool_size: keep-alive connections kept per cluster
    :param logger: a Swift logger
    """

    def __init__(self, conf, timeouts, error_limiter, pool_size=32,
                 logger=None, user_agent='ocx_swift'):
        self.conf = conf
        self.name = conf.name
        self.landlord = conf.landlord
        self.timeouts = timeouts
        self.error_limiter = error_limiter
        self.pool_size = pool_size
        self.logger = logger
        self.user_agent = user_agent
        self._node = {'name': conf.name}
        self._pool_manager = None
        self._auth_lock = None
        self._token = None
        self._token_renew_at = None
        self._storage_base = None
        if conf.tls.insecure and logger:
            logger.warning('cluster %s: insecure = yes: its TLS certificate '
                           'and hostname are not verified', conf.name)

    # -- plumbing -------------------------------------------------------

    @property
    def _pool(self):
        if self._pool_manager is None:
            self._pool_manager = ConnectionPools(self.pool_size,
                                                 tls=self.conf.tls)
        return self._pool_manager

    def _error(self, reason, status=None, trans_id=None, timeout=False):
        self.error_limiter.increment(self._node)
        if self.logger:
            self.logger.warning('cluster %s: %s%s', self.name, reason,
                                ' (status %s)' % status if status else '')
        return ClusterUnavailable(self.name, reason, status=status,
                                  trans_id=trans_id, timeout=timeout)

    def _urlopen(self, method, url, headers, body, timeout):
        try:
            return self._pool.request(
                method, url, headers=headers, body=body,
                timeout=(self.timeouts.conn, timeout))
        except HTTPTimeout:
            raise self._error('timed out', timeout=True)
        except (HTTPFailure, OSError) as err:
            raise self._error('connection failed (%s)' % describe_failure(
                err.__cause__ or err))

    # -- auth -----------------------------------------------------------

    def _authenticate(self):
        """Get a service token and the cluster's storage URL prefix."""
        if self._auth_lock is None:
            self._auth_lock = Semaphore(1)
        token_before = self._token
        with self._auth_lock:
            if self._token is not None and self._token != token_before:
                return  # another greenthread did it meanwhile
            resp = BackendResponse(self.name, self._urlopen(
                'GET', self.conf.auth_url,
                {'X-Auth-User': self.conf.user, 'X-Auth-Key': self.conf.key,
                 'User-Agent': self.user_agent},
                None, self.timeouts.node))
            resp.read()
            if resp.status // 100 != 2 or not resp.headers.get(
                    'X-Auth-Token'):
                raise self._error('service authentication refused',
                                  status=resp.status,
                                  trans_id=resp.trans_id)
            storage_url = resp.headers.get('X-Storage-Url', '')
            base = self.conf.storage_url or \
                storage_url.rstrip('/').rsplit('/', 1)[0]
            if self.conf.auth_url.startswith('https://') and \
                    not base.startswith('https://'):
                raise self._error('auth over https returned a storage URL '
                                  'without TLS: the token is not sent in '
                                  'clear (set storage_url)')
            self._storage_base = base
            self._token = resp.headers['X-Auth-Token']
            try:
                lifetime = float(resp.headers.get('X-Auth-Token-Expires'))
            except (TypeError, ValueError):
                lifetime = None
            # renew early, so a streamed upload never meets an expired one
            self._token_renew_at = None if lifetime is None else \
                time.time() + lifetime * 0.9

    # -- requests -------------------------------------------------------

    def is_error_limited(self):
        return self.error_limiter.is_limited(self._node)

    def url_for(self, path, query_string=None):
        """The cluster URL of a WSGI-string path below ``/v1``."""
        url = self._storage_base + wsgi_quote(path)
        if query_string:
            url += '?' + query_string
        return url

    def request(self, method, path, headers=None, query_string=None,
                body=None, timeout=None, error_limited=True):
        """Send one request to the cluster.

        :param method: the HTTP method
        :param path: the WSGI-string path below ``/v1``, e.g.
                     ``/AUTH_test/c/o``
        :param headers: dict of headers (already filtered)
        :param query_string: an already-encoded query string
        :param body: None, bytes, or an iterable of byte chunks (sent
                     chunked unless ``Content-Length`` is in headers)
        :param timeout: read timeout, default ``timeouts.node``
        :param error_limited: refuse at once when the cluster is
                              error-limited (False for background work
                              that must reach it as soon as it is back)
        :returns: a :class:`BackendResponse`; the caller must read or close
        :raises ClusterUnavailable: on connection failure, timeout or when
                                    the cluster is error-limited
        """
        if error_limited and self.is_error_limited():
            raise ClusterUnavailable(self.name, 'error-limited after '
                                     'repeated failures')
        timeout = self.timeouts.node if timeout is None else timeout
        replayable = body is None or isinstance(body, bytes)
        for attempt in (1, 2):
            if self._token is None or (
                    self._token_renew_at is not None and
                    time.time() > self._token_renew_at):
                self._token = None
                self._authenticate()
            send_headers = dict(headers or {})
            send_headers['X-Auth-Token'] = self._token
            send_headers.setdefault('User-Agent', self.user_agent)
            resp = BackendResponse(self.name, self._urlopen(
                method, self.url_for(path, query_string), send_headers,
                body, timeout))
            if resp.status == 401 and attempt == 1 and replayable:
                resp.close()
                self._token = None
                continue
            break
        if resp.status == 401:
            # a streamed body cannot be sent again; the next call re-auths
            self._token = None
            resp.close()
            raise self._error('service token refused', status=401,
                              trans_id=resp.trans_id)
        if resp.status // 100 == 5:
            self.error_limiter.increment(self._node)
        return resp
