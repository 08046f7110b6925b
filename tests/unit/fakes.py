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

"""Behavioural fakes for unit tests of the exchange.

:class:`FakeCluster` is one landlord Swift cluster seen through the
connection-pool interface the :class:`~ocx_swift.client.ClusterClient`
uses (urllib3's ``PoolManager.request`` and ``HTTPResponse``, which
:mod:`ocx_swift.transport` mirrors): it implements just enough of tempauth
and of Swift's account, container and object API to be driven through the
middleware, records every call, has fault switches, and tracks every
response it handed out so a test can assert that none was left open
(:meth:`FakeCluster.unclosed`). Its faults raise what the client's real
transport raises: urllib3's exceptions while the client uses urllib3,
:mod:`ocx_swift.transport`'s once it uses that (:data:`URLLIB3_CLIENT`).

:class:`FakeClusterSet` puts N of them behind a real cluster ring, a real
cluster config file and a real :class:`~ocx_swift.middleware.OcxMiddleware`
(with a root secret: it keys the object state tags) whose final app,
:class:`FinalApp`, is the exchange's metadata tier: accounts and
containers (policy index included) and, in a :class:`FakeIndex`, the
object index the middleware uses as ``ocx.index``. Object requests must
never reach it. :func:`swift_policies` sets the exchange's Swift storage
policies for a test.

Names inside a fake cluster are native strings (what a real cluster holds);
names given to the ring and to the middleware are WSGI strings.
"""

import base64
import collections
import email.utils
import hashlib
import http.client
import itertools
import json
import logging
import os
import time
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

from swift.common import storage_policy
from swift.common.storage_policy import POLICIES, StoragePolicy, \
    StoragePolicyCollection
from swift.common.swob import HTTPBadRequest, HTTPConflict, HTTPForbidden, \
    HTTPMethodNotAllowed, HTTPNoContent, HTTPNotFound, Request, Response, \
    str_to_wsgi, wsgi_to_str
from swift.common.utils import Timestamp, config_true_value

from ocx_swift import client as client_module
from ocx_swift.exceptions import IndexUnavailable, PolicyUnverifiable
from ocx_swift.middleware import OcxMiddleware
from ocx_swift.ring.builder import ClusterRingBuilder
from ocx_swift.storage.index import IndexRow, ObjectIndex, listing_entry
from ocx_swift.storage.policy import resolve_policy

AUTH_PATH = '/auth/v1.0'
SERVICE_USER = 'ocx:exchange'
STORAGE_ACCOUNT = 'AUTH_ocx'
LISTING_LIMIT = 10000
#: the root secret every test middleware has (it keys the state tags)
ROOT_SECRET = base64.b64encode(b'ocx unit test root secret, 32 b!').decode(
    'ascii')
#: headers every fake answer carries that must never reach a client
NOISE_HEADERS = {
    'Connection': 'keep-alive',
    'Keep-Alive': 'timeout=20',
    'X-Backend-Timestamp': '1700000000.00000',
    'X-Backend-Storage-Policy-Index': '0',
    'Server': 'fake-swift',
}
KEPT_OBJECT_HEADERS = ('content-type', 'content-encoding',
                       'content-disposition', 'x-delete-at')

#: True while the client talks through urllib3; False once it uses
#: ocx_swift.transport (whose exceptions are OSErrors)
URLLIB3_CLIENT = not hasattr(client_module, 'HTTPFailure')

Call = collections.namedtuple('Call', 'method path headers query timeout')
Call.__doc__ = """One request a fake cluster received.

``path`` is the unquoted native-string path (``/v1/AUTH_test/c\u00e9/o``),
``headers`` a case-insensitive copy of the headers sent, ``query`` the raw
query string, ``timeout`` a :class:`Timeout`.
"""

Timeout = collections.namedtuple('Timeout', 'connect read')


def as_timeout(timeout):
    """A :class:`Timeout` from a urllib3 Timeout or a (connect, read)
    tuple."""
    if timeout is None:
        return Timeout(None, None)
    if isinstance(timeout, tuple):
        return Timeout(*timeout)
    return Timeout(timeout.connect_timeout, timeout.read_timeout)


def header_message(headers):
    """Headers as ``http.client`` gives them: ``items()`` as sent,
    ``get()``, ``[]`` and ``in`` case-insensitive."""
    message = http.client.HTTPMessage()
    for key, value in headers.items():
        message[key] = value
    return message


def connection_error(host, cause):
    """What the client's transport raises when connecting fails with
    ``cause`` (an OSError)."""
    if not URLLIB3_CLIENT:
        err = client_module.HTTPFailure(
            'connection failed: %s' % cause.__class__.__name__)
        err.__cause__ = cause
        return err
    import urllib3
    if isinstance(cause, ConnectionRefusedError):
        err = urllib3.exceptions.NewConnectionError(
            FakeConnection(host), 'Failed to establish a new connection: '
            '[Errno 111] Connection refused')
    else:
        err = urllib3.exceptions.ProtocolError('Connection aborted.', cause)
    err.__cause__ = cause
    return err


def timeout_error(url):
    """What the client's transport raises when a read times out."""
    if not URLLIB3_CLIENT:
        err = client_module.HTTPTimeout('timed out')
        err.__cause__ = TimeoutError('timed out')
        return err
    import urllib3
    return urllib3.exceptions.ReadTimeoutError(
        None, url, 'Read timed out. (read timeout=10.0)')


class DebugLogger(logging.Logger):
    """A logger keeping formatted lines per level, as Swift's
    ``debug_logger`` does."""

    def __init__(self, name='ocx-test'):
        super().__init__(name, logging.DEBUG)
        self.lines_dict = collections.defaultdict(list)

    def handle(self, record):
        self.lines_dict[record.levelname.lower()].append(record.getMessage())

    def get_lines_for_level(self, level):
        return list(self.lines_dict.get(level, []))

    def all_lines(self):
        return [line for lines in self.lines_dict.values() for line in lines]

    def clear(self):
        self.lines_dict.clear()


class FakeConnection(object):
    """What urllib3 puts in a NewConnectionError."""

    def __init__(self, host):
        self.host = host

    def __repr__(self):
        return '<HTTPConnection(host=%r, port=80)>' % self.host


class FakeResponse(object):
    """A response whose body is read on demand, as urllib3's
    ``HTTPResponse`` opened with ``preload_content=False``.

    A response is *settled* once it was closed or its connection released;
    a response never settled is a leaked connection.
    """

    def __init__(self, cluster, method, path, status, headers, body=b'',
                 fail_after=None):
        self.cluster = cluster
        self.method = method
        self.path = path
        self.status = status
        self.reason = http.client.responses.get(status, 'Unknown')
        self.headers = header_message(headers)
        self._body = b'' if method == 'HEAD' else body
        self._pos = 0
        self._fail_after = fail_after
        self.closed = False
        self.released = False
        self.drained = False

    def __repr__(self):
        return '<FakeResponse %s %s %s %d>' % (
            self.cluster, self.method, self.path, self.status)

    @property
    def settled(self):
        return self.closed or self.released

    @property
    def length_remaining(self):
        return len(self._body) - self._pos

    def read(self, amt=None, decode_content=False):
        if self.closed:
            return b''
        end = len(self._body) if amt is None else self._pos + amt
        if self._fail_after is not None:
            if self._pos >= self._fail_after and self.length_remaining:
                raise timeout_error(self.path)
            end = min(end, self._fail_after)
        data = self._body[self._pos:end]
        self._pos += len(data)
        return data

    def stream(self, amt=65536, decode_content=False):
        while not self.closed and self.length_remaining > 0:
            data = self.read(amt)
            if data:
                yield data

    def drain_conn(self):
        self.read()
        self.drained = True

    def release_conn(self):
        self.released = True

    def close(self):
        self.closed = True


class FakeObject(object):

    def __init__(self, body, headers, timestamp):
        self.body = body
        self.etag = hashlib.md5(body, usedforsecurity=False).hexdigest()
        self.headers = dict(headers)  # content-type, meta (title case)
        self.timestamp = timestamp

    @property
    def content_type(self):
        return self.headers.get('Content-Type', 'application/octet-stream')

    def listing_entry(self, name):
        return {'name': name, 'hash': self.etag, 'bytes': len(self.body),
                'content_type': self.content_type,
                'last_modified': iso_time(self.timestamp)}


class FakeContainer(object):

    def __init__(self, timestamp):
        self.meta = {}
        self.objects = {}
        self.timestamp = timestamp

    @property
    def bytes_used(self):
        return sum(len(o.body) for o in self.objects.values())

    def listing_entry(self, name):
        return {'name': name, 'count': len(self.objects),
                'bytes': self.bytes_used,
                'last_modified': iso_time(self.timestamp)}


class FakeAccount(object):

    def __init__(self):
        self.meta = {}
        self.containers = {}


def iso_time(timestamp):
    return '%s.%06d' % (
        time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(timestamp)),
        int(round(timestamp % 1 * 1e6)) % 1000000)


def http_date(timestamp):
    return email.utils.formatdate(int(timestamp), usegmt=True)


def swift_listing(entries, params):
    """List entries as a Swift container or account server does.

    :param entries: dict of native-string name to listing entry dict
    :param params: dict of native-string query parameters (``marker``,
                   ``end_marker``, ``prefix``, ``delimiter``, ``limit``,
                   ``reverse``)
    :returns: the list of entry dicts (and ``subdir`` dicts)
    """
    marker = params.get('marker', '')
    end_marker = params.get('end_marker', '')
    prefix = params.get('prefix', '')
    delimiter = params.get('delimiter', '')
    limit = params.get('limit', '')
    limit = int(limit) if limit.isdigit() else LISTING_LIMIT
    reverse = config_true_value(params.get('reverse', ''))
    out, subdirs = [], set()
    for name in sorted(entries, reverse=reverse):
        if len(out) >= limit:
            break
        if marker and (name >= marker if reverse else name <= marker):
            continue
        if end_marker and (name <= end_marker if reverse
                           else name >= end_marker):
            continue
        if not name.startswith(prefix):
            continue
        at = name.find(delimiter, len(prefix)) if delimiter else -1
        if at >= 0:
            subdir = name[:at + len(delimiter)]
            if subdir not in subdirs and subdir != marker:
                subdirs.add(subdir)
                out.append({'subdir': subdir})
            continue
        out.append(dict(entries[name]))
    return out


class FakeCluster(object):
    """One landlord Swift cluster behind tempauth, as a connection pool.

    Assign it as ``client._pool_manager``. Storage URLs are
    ``http://<name>/v1/<account>``; the auth URL is
    ``http://<name>/auth/v1.0``, answering ``user``/``key`` with a token.

    :param name: the cluster name (also the URL host)
    """

    def __init__(self, name, user=SERVICE_USER, key=None):
        self.name = name
        self.user = user
        self.key = key or 'key-of-%s-s3cr3t' % name
        self.auth_url = 'http://%s%s' % (name, AUTH_PATH)
        self.accounts = collections.defaultdict(FakeAccount)
        self.calls = []
        self.responses = []
        self.tokens = set()
        self.extra_headers = dict(NOISE_HEADERS)
        self.lowercase_headers = False
        self.refuse_tokens = False
        #: a landlord that lies: ``rewrite(method, path, status, headers,
        #: body)`` returns the (status, headers, body) it answers instead
        self.rewrite = None
        self._token_ids = itertools.count(1)
        self._txn_ids = itertools.count(1)
        self._clock = itertools.count(1700000000)
        self.heal()

    def __repr__(self):
        return 'FakeCluster(%r)' % self.name

    # -- fault switches -------------------------------------------------

    def break_(self, reset=False):
        """Refuse connections (or reset them when ``reset``)."""
        self._fault = 'reset' if reset else 'refused'

    def hang(self, mid_body=False):
        """Time out reading the answer (or after the first body chunk)."""
        self._fault = 'hang-body' if mid_body else 'hang'

    def fail(self, status=503, auth=False):
        """Answer every storage request (and auth when ``auth``) with
        ``status``."""
        self._fault = ('fail', status, auth)

    def heal(self):
        self._fault = None

    def expire_tokens(self):
        """Make every token issued so far invalid (401)."""
        self.tokens.clear()

    def refuse_all_tokens(self):
        """Answer 401 to every storage request, new tokens included."""
        self.refuse_tokens = True

    # -- inspection -----------------------------------------------------

    def unclosed(self):
        """Responses handed out and never closed or released."""
        return [r for r in self.responses if not r.settled]

    def storage_calls(self, method=None):
        return [c for c in self.calls if c.path != AUTH_PATH and
                (method is None or c.method == method)]

    def auth_calls(self):
        return [c for c in self.calls if c.path == AUTH_PATH]

    def now(self):
        return float(next(self._clock))

    # -- back doors -----------------------------------------------------

    def put_container(self, account, container, headers=None):
        """Create a container directly (native-string names)."""
        cont = self.accounts[account].containers.get(container)
        if cont is None:
            cont = FakeContainer(self.now())
            self.accounts[account].containers[container] = cont
        cont.meta.update(headers or {})
        return cont

    def put_object(self, account, container, name, body=b'',
                   headers=None, timestamp=None):
        """Store an object directly (native-string names)."""
        cont = self.put_container(account, container)
        headers = dict(headers or {})
        headers.setdefault('Content-Type', 'application/octet-stream')
        obj = FakeObject(body, headers, timestamp or self.now())
        cont.objects[name] = obj
        return obj

    def get_object(self, account, container, name):
        cont = self.accounts[account].containers.get(container)
        return None if cont is None else cont.objects.get(name)

    def get_container(self, account, container):
        return self.accounts[account].containers.get(container)

    # -- the PoolManager interface ---------------------------------------

    def request(self, method, url, headers=None, body=None, timeout=None,
                **urllib3_options):
        if urllib3_options:  # the client must ask urllib3 for streaming
            assert urllib3_options == {'preload_content': False,
                                       'redirect': False, 'retries': False}
        parts = urlsplit(url)
        assert parts.netloc == self.name, '%s sent to %s' % (url, self.name)
        path = unquote_to_bytes(parts.path)
        headers = header_message(headers or {})
        try:
            native_path = path.decode('utf-8')
        except UnicodeDecodeError:
            native_path = path.decode('latin-1')
        self.calls.append(Call(method, native_path, header_message(headers),
                               parts.query, as_timeout(timeout)))
        self._maybe_fault(url, native_path)
        if native_path == AUTH_PATH:
            status, resp_headers, resp_body = self._auth(method, headers)
        else:
            status, resp_headers, resp_body = self._storage(
                method, path, parts.query, headers, body)
            if self.rewrite is not None:
                status, resp_headers, resp_body = self.rewrite(
                    method, native_path, status, dict(resp_headers),
                    resp_body)
        return self._respond(method, native_path, status, resp_headers,
                             resp_body)

    def _maybe_fault(self, url, native_path):
        if self._fault == 'refused':
            raise connection_error(self.name, ConnectionRefusedError(
                111, 'Connection refused'))
        if self._fault == 'reset':
            raise connection_error(self.name, ConnectionResetError(
                104, 'Connection reset by peer'))
        if self._fault == 'hang':
            raise timeout_error(url)

    def _respond(self, method, path, status, headers, body):
        headers = dict(headers)
        headers.setdefault('Content-Length', str(len(body)))
        headers.setdefault('Content-Type', 'text/html; charset=UTF-8')
        txn = 'tx%s-%06d' % (self.name, next(self._txn_ids))
        headers.update({'X-Trans-Id': txn, 'X-Openstack-Request-Id': txn,
                        'Date': http_date(self.now())})
        headers.update(self.extra_headers)
        if self.lowercase_headers:
            headers = {k.lower(): v for k, v in headers.items()}
        fail_after = 1 if self._fault == 'hang-body' and \
            path != AUTH_PATH else None
        resp = FakeResponse(self.name, method, path, status, headers, body,
                            fail_after=fail_after)
        self.responses.append(resp)
        return resp

    # -- tempauth -------------------------------------------------------

    def _auth(self, method, headers):
        fault = self._fault
        if isinstance(fault, tuple) and fault[2]:
            return error(fault[1])
        if method != 'GET' or headers.get('X-Auth-User') != self.user or \
                headers.get('X-Auth-Key') != self.key:
            return error(401)
        token = 'AUTH_tk%s%04d' % (self.name, next(self._token_ids))
        self.tokens.add(token)
        return 200, {'X-Auth-Token': token, 'X-Storage-Token': token,
                     'X-Storage-Url': 'http://%s/v1/%s' % (
                         self.name, STORAGE_ACCOUNT),
                     'Content-Type': 'text/plain'}, b''

    # -- storage --------------------------------------------------------

    def _storage(self, method, path, query, headers, body):
        if self.refuse_tokens or \
                headers.get('X-Auth-Token') not in self.tokens:
            return error(401)
        fault = self._fault
        if isinstance(fault, tuple):
            return error(fault[1])
        try:
            path = path.decode('utf-8')
        except UnicodeDecodeError:
            return error(412)
        try:
            params = dict(parse_qsl(query, keep_blank_values=True,
                                    encoding='utf-8', errors='strict'))
        except UnicodeDecodeError:
            return error(400)
        parts = path.split('/', 4)[1:]
        if len(parts) < 2 or parts[0] != 'v1' or not parts[1]:
            return error(412)
        account = parts[1]
        container = parts[2] if len(parts) > 2 else None
        obj = parts[3] if len(parts) > 3 else None
        if obj:
            data = self._read_body(body, headers) if method == 'PUT' else b''
            if data is None:
                return error(499)
            return self._object(method, account, container, obj, headers,
                                data)
        if container:
            return self._container(method, account, container, headers,
                                   params)
        return self._account(method, account, headers, params)

    @staticmethod
    def _read_body(body, headers):
        if body is None:
            data = b''
        elif isinstance(body, bytes):
            data = body
        else:
            data = b''.join(body)
        length = headers.get('Content-Length')
        if length is not None and int(length) != len(data):
            return None
        return data

    def _account(self, method, account, headers, params):
        acct = self.accounts[account]
        if method == 'POST':
            update_meta(acct.meta, headers, 'x-account-meta-')
            return 204, {}, b''
        if method not in ('GET', 'HEAD'):
            return error(405)
        conts = acct.containers
        resp_headers = dict(acct.meta)
        resp_headers.update({
            'X-Account-Container-Count': str(len(conts)),
            'X-Account-Object-Count': str(sum(
                len(c.objects) for c in conts.values())),
            'X-Account-Bytes-Used': str(sum(
                c.bytes_used for c in conts.values())),
            'X-Timestamp': '1700000000.00000'})
        if method == 'HEAD':
            return 204, resp_headers, b''
        listing = swift_listing(
            {n: c.listing_entry(n) for n, c in conts.items()}, params)
        resp_headers['Content-Type'] = 'application/json; charset=utf-8'
        return 200, resp_headers, json.dumps(listing).encode('ascii')

    def _container(self, method, account, container, headers, params):
        conts = self.accounts[account].containers
        cont = conts.get(container)
        if method == 'PUT':
            status = 202 if cont else 201
            cont = self.put_container(account, container)
            update_container_meta(cont.meta, headers)
            return status, {}, b''
        if cont is None:
            return error(404)
        if method == 'POST':
            update_container_meta(cont.meta, headers)
            return 204, {}, b''
        if method == 'DELETE':
            if cont.objects:
                return error(409)
            del conts[container]
            return 204, {}, b''
        if method not in ('GET', 'HEAD'):
            return error(405)
        resp_headers = dict(cont.meta)
        resp_headers.update({
            'X-Container-Object-Count': str(len(cont.objects)),
            'X-Container-Bytes-Used': str(cont.bytes_used),
            'X-Timestamp': '%.5f' % cont.timestamp,
            'X-Put-Timestamp': '%.5f' % cont.timestamp,
            'X-Storage-Policy': 'Policy-0',
            'Last-Modified': http_date(cont.timestamp),
            'Accept-Ranges': 'bytes'})
        if method == 'HEAD':
            resp_headers['Content-Type'] = 'text/plain; charset=utf-8'
            return 204, resp_headers, b''
        listing = swift_listing(
            {n: o.listing_entry(n) for n, o in cont.objects.items()}, params)
        resp_headers['Content-Type'] = 'application/json; charset=utf-8'
        return 200, resp_headers, json.dumps(listing).encode('ascii')

    def _object(self, method, account, container, name, headers, data):
        cont = self.accounts[account].containers.get(container)
        if cont is None:
            return error(404)
        obj = cont.objects.get(name)
        if method == 'PUT':
            if obj is not None and headers.get('If-None-Match') == '*':
                return error(412)
            etag = headers.get('ETag')
            new = FakeObject(data, object_headers(headers), self.now())
            if etag and etag.strip('"') != new.etag:
                return error(422)
            cont.objects[name] = new
            return 201, {'Etag': '"%s"' % new.etag,
                         'Last-Modified': http_date(new.timestamp)}, b''
        if obj is None:
            return error(404)
        if method == 'DELETE':
            del cont.objects[name]
            return 204, {}, b''
        if method == 'POST':
            kept = {k: v for k, v in obj.headers.items()
                    if not k.lower().startswith('x-object-meta-')}
            kept.update(object_headers(headers))
            obj.headers = kept
            return 202, {}, b''
        if method not in ('GET', 'HEAD'):
            return error(405)
        return self._read_object(obj, headers)

    def _read_object(self, obj, headers):
        resp_headers = dict(obj.headers)
        resp_headers.update({
            'Etag': '"%s"' % obj.etag, 'Accept-Ranges': 'bytes',
            'Last-Modified': http_date(obj.timestamp),
            'X-Timestamp': '%.5f' % obj.timestamp})
        if_none_match = headers.get('If-None-Match')
        if if_none_match and (if_none_match == '*' or obj.etag in
                              if_none_match):
            return 304, dict(resp_headers, **{'Content-Length': '0'}), b''
        if_match = headers.get('If-Match')
        if if_match and if_match != '*' and obj.etag not in if_match:
            # as swob: a failed condition keeps the object's headers
            status, _h, body = error(412)
            return status, dict(resp_headers, **{
                'Content-Length': str(len(body))}), body
        size = len(obj.body)
        byte_range = parse_range(headers.get('Range'), size)
        if byte_range is None:
            return 200, resp_headers, obj.body
        if byte_range == 'unsatisfiable':
            status, err_headers, body = error(416)
            err_headers['Content-Range'] = 'bytes */%d' % size
            return status, err_headers, body
        first, last = byte_range
        resp_headers['Content-Range'] = 'bytes %d-%d/%d' % (first, last, size)
        return 206, resp_headers, obj.body[first:last + 1]


def error(status):
    reason = http.client.responses.get(status, 'Error')
    body = ('<html><h1>%s</h1><p>fake swift says so</p></html>'
            % reason).encode('ascii')
    return status, {'Content-Type': 'text/html; charset=UTF-8'}, body


def update_meta(meta, headers, prefix):
    for key, value in headers.items():
        if key.lower().startswith(prefix):
            if value:
                meta[key.title()] = value
            else:
                meta.pop(key.title(), None)


def update_container_meta(meta, headers):
    update_meta(meta, headers, 'x-container-meta-')
    for key in ('X-Container-Read', 'X-Container-Write',
                'X-Versions-Location'):
        if key in headers:
            if headers[key]:
                meta[key] = headers[key]
            else:
                meta.pop(key, None)


def object_headers(headers):
    kept = {}
    for key, value in headers.items():
        lower = key.lower()
        if lower in KEPT_OBJECT_HEADERS or (
                lower.startswith('x-object-meta-') and value):
            kept[key.title()] = value
    return kept


def parse_range(value, size):
    """One byte range of ``Range: bytes=...``: (first, last), None to send
    everything, or ``'unsatisfiable'``."""
    if not value or not value.startswith('bytes=') or ',' in value:
        return None
    first, _, last = value[len('bytes='):].partition('-')
    try:
        if not first:
            length = int(last)
            if length == 0:
                return 'unsatisfiable'
            return max(0, size - length), size - 1
        first = int(first)
        last = int(last) if last else size - 1
    except ValueError:
        return None
    if first >= size or last < first:
        return 'unsatisfiable'
    return first, min(last, size - 1)


class FakeIndex(ObjectIndex):
    """The object index in memory: a real
    :class:`~ocx_swift.storage.index.ObjectIndex` (its row cache
    included) over in-memory container servers.

    Rows are kept as the container servers' JSON listing has them
    (native-string names); a row older than the one held is ignored, as
    the container DB does. Deleted objects keep a tombstone (their delete
    timestamp). ``fail()`` makes every server call raise
    :class:`IndexUnavailable`; ``server_lookups`` counts lookups that
    reached the servers (not answered from memcache).
    """

    def __init__(self):
        super().__init__(None, 1.0, 1.0, logging.getLogger('fake-index'))
        #: (account, container) native strings -> {name: entry dict}
        self.held = collections.defaultdict(dict)
        #: (account, container, name) native strings -> delete Timestamp
        self.tombstones = {}
        #: (method, account, container, name, policy index) of writes
        self.writes = []
        self.broken = False
        self.server_lookups = 0

    def fail(self, broken=True):
        self.broken = broken

    def _check(self):
        if self.broken:
            raise IndexUnavailable('object index unavailable (fake down)')

    def _lookup(self, account, container, obj):
        self._check()
        self.server_lookups += 1
        entry = self.held[(wsgi_to_str(account), wsgi_to_str(container))].get(
            wsgi_to_str(obj))
        return None if entry is None else IndexRow(dict(entry))

    def _write(self, method, account, container, obj, headers):
        self._check()
        key = (wsgi_to_str(account), wsgi_to_str(container))
        name = wsgi_to_str(obj)
        policy_index = int(headers['X-Backend-Storage-Policy-Index'])
        self.writes.append((method, key[0], key[1], name, policy_index))
        held = self.held[key].get(name)
        dead = self.tombstones.get(key + (name,))
        if method == 'PUT':
            entry = listing_entry(name, {k.lower(): v
                                         for k, v in headers.items()})
            when = Timestamp.from_isoformat(entry['last_modified'])
            if (held and Timestamp.from_isoformat(
                    held['last_modified']) > when) or (dead and dead > when):
                return
            self.held[key][name] = entry
            self.tombstones.pop(key + (name,), None)
        else:
            when = Timestamp(headers['X-Timestamp'])
            if held and Timestamp.from_isoformat(
                    held['last_modified']) > when:
                return
            self.held[key].pop(name, None)
            self.tombstones[key + (name,)] = when

    def rows(self, account, container, marker='', limit=1000):
        self._check()
        entries = self.rows_of(wsgi_to_str(account), wsgi_to_str(container))
        for name in sorted(entries, key=lambda n: n.encode('utf-8')):
            if name.encode('utf-8') > marker.encode('utf-8'):
                yield IndexRow(dict(entries[name]))

    # -- for the metadata tier and tests ---------------------------------

    def rows_of(self, account, container):
        return self.held[(account, container)]

    def row(self, account, container, name):
        """The native-string-named object's row, or None."""
        entry = self.held[(account, container)].get(name)
        return None if entry is None else IndexRow(entry)

    def entries(self, account, container):
        """name -> listing entry of a container's live rows."""
        return dict(self.held[(account, container)])


class TierContainer(object):
    """A container of the fake metadata tier."""

    def __init__(self, policy_index, timestamp):
        self.policy_index = policy_index
        self.headers = {}
        self.timestamp = timestamp


class FinalApp(object):
    """The proxy-server app behind ocx: the exchange's metadata tier.

    Just enough of a Swift proxy over account and container servers: an
    account exists once named (``account_autocreate``); containers are
    created, read, listed (from the :class:`FakeIndex`), updated and
    deleted, carry ``X-Storage-Policy`` (the Swift policy named, from
    ``POLICIES``; 400 when unknown, 409 when it differs) and answer with
    ``X-Backend-Storage-Policy-Index``, as the proxy does for info
    requests. ``swift.authorize`` is called as Swift's controllers do (the
    container's ACL on a second try). Object requests must never come
    here. Anything not ``/v1`` gets ``final app: <path>``.

    Names are kept as native strings.
    """

    def __init__(self, index=None):
        self.calls = []
        self.index = FakeIndex() if index is None else index
        #: account -> {container: TierContainer}
        self.containers = collections.defaultdict(dict)
        self.account_meta = collections.defaultdict(dict)
        self._clock = itertools.count(1700000000)

    def v1_calls(self):
        return [(m, p) for m, p in self.calls
                if p.split('/')[1:2] in (['v1'], ['v1.0'])]

    # -- back doors ------------------------------------------------------

    def put_container(self, account, container, headers=None,
                      policy_index=None):
        """Create a container directly (native-string names); its policy
        is the default Swift policy unless ``policy_index`` is given."""
        cont = self.containers[account].get(container)
        if cont is None:
            if policy_index is None:
                policy_index = int(POLICIES.default)
            cont = TierContainer(policy_index, float(next(self._clock)))
            self.containers[account][container] = cont
        update_tier_meta(cont.headers, headers or {})
        return cont

    def get_container(self, account, container):
        return self.containers[account].get(container)

    # -- WSGI ------------------------------------------------------------

    def __call__(self, env, start_response):
        path = env['PATH_INFO']
        self.calls.append((env['REQUEST_METHOD'], path))
        req = Request(env)
        try:
            version, account, container, obj = req.split_path(2, 4, True)
        except ValueError:
            version = None
        if version not in ('v1', 'v1.0'):
            body = b'final app: ' + path.encode('latin-1')
            start_response('200 OK', [('Content-Type', 'text/plain'),
                                      ('Content-Length', str(len(body)))])
            return [body]
        if obj:
            raise AssertionError('ocx let %s reach the proxy app' % path)
        if container:
            resp = self._container(req, wsgi_to_str(account),
                                   wsgi_to_str(container))
        else:
            resp = self._account(req, wsgi_to_str(account))
        return resp(env, start_response)

    def _authorize(self, req, cont=None, acl=None):
        authorize = req.environ.get('swift.authorize')
        if authorize is None:
            return None
        denial = authorize(req)
        if denial and cont is not None and acl:
            req.acl = cont.headers.get(acl)
            denial = authorize(req)
        return denial

    def _account(self, req, account):
        denial = self._authorize(req)
        if denial:
            return denial
        if req.method == 'POST':
            update_tier_meta(self.account_meta[account], req.headers)
            return HTTPNoContent(request=req)
        if req.method not in ('GET', 'HEAD'):
            return HTTPMethodNotAllowed(request=req, headers={
                'Allow': 'GET, HEAD, POST, OPTIONS'})
        conts = self.containers[account]
        headers = dict(self.account_meta[account])
        counts = [self._counts(account, n) for n in conts]
        headers.update({
            'X-Account-Container-Count': str(len(conts)),
            'X-Account-Object-Count': str(sum(c for c, _b in counts)),
            'X-Account-Bytes-Used': str(sum(b for _c, b in counts)),
            'X-Timestamp': '1700000000.00000'})
        if req.method == 'HEAD':
            return HTTPNoContent(request=req, headers=headers)
        entries = {}
        for name in conts:
            count, used = self._counts(account, name)
            entries[name] = {'name': name, 'count': count, 'bytes': used,
                             'last_modified': iso_time(
                                 conts[name].timestamp)}
        return json_response(req, headers, swift_listing(
            entries, native_params(req)))

    def _counts(self, account, container):
        entries = self.index.entries(account, container).values()
        return len(entries), sum(e['bytes'] for e in entries)

    def _container(self, req, account, container):
        cont = self.containers[account].get(container)
        method = req.method
        acl = 'X-Container-Read' if method in ('GET', 'HEAD') else \
            'X-Container-Write'
        denial = self._authorize(req, cont, acl)
        if denial:
            return denial
        if method == 'PUT':
            return self._put_container(req, account, container, cont)
        if cont is None:
            return HTTPNotFound(request=req)
        if method == 'POST':
            update_tier_meta(cont.headers, req.headers)
            return HTTPNoContent(request=req)
        if method == 'DELETE':
            if self.index.entries(account, container):
                return HTTPConflict(request=req)
            del self.containers[account][container]
            return HTTPNoContent(request=req)
        if method not in ('GET', 'HEAD'):
            return HTTPMethodNotAllowed(request=req)
        count, used = self._counts(account, container)
        headers = dict(cont.headers)
        policy = POLICIES.get_by_index(cont.policy_index)
        headers.update({
            'X-Container-Object-Count': str(count),
            'X-Container-Bytes-Used': str(used),
            'X-Timestamp': Timestamp(cont.timestamp).normal,
            'X-Backend-Storage-Policy-Index': str(cont.policy_index),
            'X-Storage-Policy': policy.name if policy else 'unknown'})
        if method == 'HEAD':
            return HTTPNoContent(request=req, headers=headers)
        return json_response(req, headers, swift_listing(
            self.index.entries(account, container), native_params(req)))

    def _put_container(self, req, account, container, cont):
        name = req.headers.get('X-Storage-Policy')
        index = None
        if name:
            policy = POLICIES.get_by_name(name)
            if policy is None:
                return HTTPBadRequest(
                    request=req, body='Invalid X-Storage-Policy %r' % name)
            index = int(policy)
            if cont is not None and cont.policy_index != index:
                return HTTPConflict(request=req)
        status = 202 if cont else 201
        self.put_container(account, container, req.headers, index)
        return Response(request=req, status=status)


class FakeTier(object):
    """The metadata tier as background tools read it (the interface of
    :class:`~ocx_swift.storage.tier.MetadataTier`), over a
    :class:`FinalApp`'s containers, with the exchange's rule
    (:func:`~ocx_swift.storage.policy.resolve_policy`).

    :param app: the :class:`FinalApp`
    :param policies: the exchange's policy map
    """

    def __init__(self, app, policies):
        self.app = app
        self.policies = policies
        self.index = app.index
        self.asked = []

    def container_headers(self, account, container):
        """The counts of a container, or None when the tier lacks it."""
        if self.app.get_container(account, container) is None:
            return None
        count, used = self.app._counts(account, container)
        return {'X-Container-Object-Count': str(count),
                'X-Container-Bytes-Used': str(used)}

    def container_policy(self, account, container):
        """:param account: native string; ``container`` too"""
        self.asked.append((account, container))
        cont = self.app.get_container(account, container)
        if cont is None:
            raise PolicyUnverifiable('container not in the metadata tier')
        return resolve_policy({'status': 204,
                               'storage_policy': cont.policy_index},
                              self.policies)


def update_tier_meta(meta, headers):
    """Container or account metadata and ACLs, as Swift keeps them."""
    for key, value in headers.items():
        lower = key.lower()
        if lower.startswith(('x-container-meta-', 'x-account-meta-',
                             'x-container-sysmeta-')) or \
                lower in ('x-container-read', 'x-container-write'):
            if value:
                meta[key.title()] = value
            else:
                meta.pop(key.title(), None)


def native_params(req):
    """The query parameters of a request, native strings."""
    return {wsgi_to_str(k): wsgi_to_str(v) for k, v in req.params.items()}


def json_response(req, headers, listing):
    body = json.dumps(listing).encode('ascii')
    headers = dict(headers, **{
        'Content-Type': 'application/json; charset=utf-8'})
    return Response(request=req, body=body, headers=headers)


class FakeMemcache(object):
    """``swift.cache``: what Swift's info caching uses of MemcacheRing,
    values JSON round-tripped as memcached does."""

    def __init__(self):
        self.store = {}

    def get(self, key, raise_on_error=False):
        value = self.store.get(key)
        return None if value is None else json.loads(value)

    def set(self, key, value, time=0, raise_on_error=False, **kwargs):
        self.store[key] = json.dumps(value)

    def delete(self, key, **kwargs):
        self.store.pop(key, None)


class FakeAuthorize(object):
    """A ``swift.authorize`` callback as tempauth installs one.

    The user owns the accounts in ``owned`` (and gets ``swift_owner``
    there); elsewhere it is allowed only when ``req.acl`` names it or is
    ``.r:*``. Every call is recorded as (method, WSGI path, acl).
    """

    def __init__(self, user, owned=()):
        self.user = user
        self.owned = set(owned)
        self.calls = []

    def __call__(self, req):
        acl = req.acl
        self.calls.append((req.method, req.path_info, acl))
        account = req.split_path(2, 4, True)[1]
        if account in self.owned:
            req.environ['swift_owner'] = True
            return None
        grants = [g.strip() for g in (acl or '').split(',')]
        if self.user in grants or '.r:*' in grants:
            return None
        return HTTPForbidden(request=req)

    def environ(self, **extra):
        env = {'swift.authorize': self, 'REMOTE_USER': self.user}
        env.update(extra)
        return env


#: ring salt of every FakeClusterSet (hex of 16 bytes)
RING_SALT = hashlib.md5(b'ocx unit tests', usedforsecurity=False).hexdigest()
#: cluster count -> (builder file bytes, ring file bytes)
_RING_FILES = {}


def read_bytes(path):
    with open(path, 'rb') as fp:
        return fp.read()


class FakeClusterSet(object):
    """N fake clusters behind a real ring, config and middleware.

    Clusters are ``c1..cN`` of landlords ``l1..lN`` with equal weights in a
    ring of part power 8.

    :param n: number of clusters
    :param tmp_dir: directory for the ring, builder and config files
    :param logger: the middleware's logger; a :class:`DebugLogger` if None
    :param app: the app behind ocx; a :class:`FinalApp` if None
    :param conf: extra ``[filter:ocx]`` options
    """

    def __init__(self, n, tmp_dir, logger=None, app=None, **conf):
        self.tmp_dir = str(tmp_dir)
        self.clusters = [FakeCluster('c%d' % i) for i in range(1, n + 1)]
        self.by_name = {c.name: c for c in self.clusters}
        self.ring_path = os.path.join(self.tmp_dir, 'ocx.ring.gz')
        self.builder_path = os.path.join(self.tmp_dir, 'ocx.builder')
        self.cluster_conf_path = os.path.join(self.tmp_dir,
                                              'ocx-clusters.conf')
        self._write_ring()
        self._write_cluster_conf()
        self.conf = {'cluster_conf_path': self.cluster_conf_path,
                     'ring_path': self.ring_path,
                     'split_root_secret': ROOT_SECRET}
        self.conf.update(conf)
        self.logger = logger or DebugLogger()
        #: the proxy's memcache (``swift.cache`` of :meth:`request`)
        self.memcache = FakeMemcache()
        self.app = FinalApp() if app is None else app
        #: the object index (the metadata tier's, when the app has one)
        self.index = getattr(self.app, 'index', None) or FakeIndex()
        self.mw = self.make_middleware(self.app)

    def make_middleware(self, app):
        """A new middleware over ``app`` talking to these fakes, with
        :attr:`index` as its object index."""
        mw = OcxMiddleware(app, self.conf, logger=self.logger)
        for name, client in mw.clients.items():
            assert client._pool_manager is None  # built lazily, not here
            client._pool_manager = self.by_name[name]
        mw.index = self.index
        return mw

    def _write_ring(self):
        """Write the builder and ring files; built once per size with a
        fixed salt and seed, so placement is the same in every run."""
        n = len(self.clusters)
        if n not in _RING_FILES:
            builder = ClusterRingBuilder.create(part_power=8, replicas=1)
            builder.salt = RING_SALT
            for i, cluster in enumerate(self.clusters, 1):
                builder.add_cluster(cluster.name, 'l%d' % i, 1.0)
            builder.rebalance(seed=1)
            builder.save(self.builder_path)
            builder.write_ring(self.ring_path)
            _RING_FILES[n] = tuple(
                read_bytes(p) for p in (self.builder_path, self.ring_path))
        for path, data in zip((self.builder_path, self.ring_path),
                              _RING_FILES[n]):
            with open(path, 'wb') as fp:
                fp.write(data)

    def _write_cluster_conf(self):
        with open(self.cluster_conf_path, 'w', encoding='utf-8') as fp:
            for i, cluster in enumerate(self.clusters, 1):
                fp.write('[cluster:%s]\nlandlord = l%d\nauth_url = %s\n'
                         'user = %s\nkey = %s\n\n' % (
                             cluster.name, i, cluster.auth_url,
                             cluster.user, cluster.key))

    def tier(self):
        """The metadata tier as ``ocx-mover`` reads it."""
        return FakeTier(self.app, self.mw.policies)

    def __iter__(self):
        return iter(self.clusters)

    def __getitem__(self, name):
        return self.by_name[name]

    # -- changing the set -----------------------------------------------

    def add_cluster(self, name, landlord, weight=1.0, seed=2, ring=True):
        """Add a fake cluster and its credentials; with ``ring``, also
        add it to the ring (rebalanced with ``seed``, ring written)."""
        cluster = FakeCluster(name)
        self.clusters.append(cluster)
        self.by_name[name] = cluster
        with open(self.cluster_conf_path, 'a', encoding='utf-8') as fp:
            fp.write('\n[cluster:%s]\nlandlord = %s\nauth_url = %s\n'
                     'user = %s\nkey = %s\n' % (
                         name, landlord, cluster.auth_url, cluster.user,
                         cluster.key))
        if ring:
            self.change_ring(
                lambda builder: builder.add_cluster(name, landlord, weight),
                seed)
        return cluster

    def change_ring(self, change, seed=2):
        """Apply ``change(builder)``, rebalance and write the ring."""
        builder = ClusterRingBuilder.load(self.builder_path)
        change(builder)
        builder.rebalance(seed=seed)
        builder.save(self.builder_path)
        builder.write_ring(self.ring_path)

    def connect(self, mw=None):
        """Give clients the middleware made since (a new cluster's)
        their fake clusters."""
        for name, client in (mw or self.mw).clients.items():
            if client._pool_manager is None:
                client._pool_manager = self.by_name[name]

    # -- placement ------------------------------------------------------

    def primary(self, account, container=None, obj=None):
        """The fake cluster the ring places a (WSGI-string) name on."""
        _part, clusters = self.mw.ring.get_clusters(account, container, obj)
        return self.by_name[clusters[0]['name']]

    def name_on(self, cluster, account, container, prefix='o'):
        """A WSGI-string object name with ``prefix`` placed on
        ``cluster``."""
        for i in range(10000):
            name = '%s%d' % (prefix, i)
            if self.primary(account, container, name) is cluster:
                return name
        raise AssertionError('no name placed on %s' % cluster.name)

    # -- state ----------------------------------------------------------

    def unclosed(self):
        return [r for c in self.clusters for r in c.unclosed()]

    def storage_calls(self, method=None):
        return [(c.name, call) for c in self.clusters
                for call in c.storage_calls(method)]

    def clear_calls(self):
        for cluster in self.clusters:
            del cluster.calls[:]

    def put_container(self, account, container, headers=None,
                      policy_index=None):
        """Create a container as the exchange does: in the metadata tier
        (with ``headers``: ACLs, metadata) and bare on every cluster
        (native-string names)."""
        self.app.put_container(account, container, headers, policy_index)
        for cluster in self.clusters:
            cluster.put_container(account, container)

    def put_object(self, account, container, obj, body=b'', headers=None):
        """Store an object through the exchange (state tags, index row),
        then forget the calls that made it.

        :param account: native-string account
        :param container: native-string container
        :param obj: native-string object name
        :returns: the (first) cluster it went to
        """
        path = '/v1/%s/%s/%s' % tuple(
            str_to_wsgi(n) for n in (account, container, obj))
        resp = self.request(path, 'PUT', body=body, headers=headers)
        assert resp.status_int == 201, (resp.status, resp.body)
        self.clear_calls()
        del self.app.calls[:]
        return self.holders(account, container, obj)[0]

    def holders(self, account, container, obj):
        """The clusters holding a copy or share of a (native-string)
        object."""
        return [c for c in self.clusters
                if c.get_object(account, container, obj) is not None]

    # -- driving the middleware -----------------------------------------

    def request(self, path, method='GET', headers=None, body=None,
                environ=None):
        """Send one request through the middleware and read its answer.

        :param path: the path, quoted or as a WSGI string
        :returns: the swob Response, body read (so its app_iter closed)
        """
        env = dict(environ or {})
        env['REQUEST_METHOD'] = method
        env.setdefault('swift.cache', self.memcache)
        req = Request.blank(path, environ=env, headers=headers, body=body)
        resp = req.get_response(self.mw)
        resp.body  # noqa: read everything, closing the app_iter
        return resp


def swift_policies(monkeypatch, names):
    """Make the exchange's ``swift.conf`` hold these storage policies
    (index = position; the first is the default), patching ``_POLICIES``
    as Swift's ``StoragePolicySingleton`` asks."""
    collection = StoragePolicyCollection([
        StoragePolicy(i, name, is_default=(i == 0))
        for i, name in enumerate(names)])
    monkeypatch.setattr(storage_policy, '_POLICIES', collection)
    return collection
