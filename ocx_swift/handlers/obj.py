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

"""Object requests: placed by the cluster ring, streamed both ways.

=========  ==============================================================
verb       what the exchange does
=========  ==============================================================
GET, HEAD  looks the object up in the object index (404 when it holds no
           row), then asks the copies of the placement in turn; a copy
           is served only when its state tag verifies, its timestamp is
           the index's and (whole-object GET) its bytes hash to the
           index's MD5 (see :mod:`ocx_swift.storage.copies`); a copy
           that fails is logged with its landlord and the next is tried.
           Range and conditional headers go along.
PUT        checks names, metadata and size as Swift does, then streams
           the body, with a state tag stamped with the exchange's
           timestamp, to every copy of the placement (chunked when the
           client sent it chunked), hashing it on the way; once every
           copy is stored, writes the object's row into the index
POST       checks each copy's state, sends the new metadata with a new
           tag, then updates the row's timestamp and content type
DELETE     marks the row deleted in the index, then deletes the copies
           (a copy a landlord keeps is never served again)
=========  ==============================================================

The container must exist in the exchange's metadata tier (404 else), and
its policy must be one this exchange knows (503 else, never the default).

COPY and ``X-Copy-From`` never reach here as such: Swift's ``copy``
middleware, left of ``ocx``, turns them into a GET and a PUT that are each
placed on their own.
"""

import hashlib
import mimetypes
import os
import time

from eventlet import spawn, spawn_n
from swift.common.concurrency import sleep

from swift.common.constraints import check_object_creation
from swift.common.header_key_dict import HeaderKeyDict
from swift.common.request_helpers import resolve_etag_is_at_header
from swift.common.utils import close_if_possible
from swift.common.exceptions import ChunkReadTimeout
from swift.common.swob import HTTPBadRequest, HTTPClientDisconnect, \
    HTTPException, HTTPNotFound, HTTPPreconditionFailed, HTTPRequestTimeout, \
    HTTPServiceUnavailable, Response, wsgi_quote, wsgi_to_str
from swift.common.utils import Timestamp
from swift.proxy.controllers.obj import check_content_type

from ocx_swift.client import CHUNK_SIZE
from ocx_swift.exceptions import ClusterUnavailable, IndexUnavailable, \
    PlacementError, PolicyUnverifiable
from ocx_swift.handlers.base import BackendBody, BaseContext, ok, \
    response_from_parts, split_results, unavailable
from ocx_swift.handlers.upload import ParallelUpload
from ocx_swift.s3reasons import note_reason
from ocx_swift.storage.copies import KIND_COPY, VERIFY_BEFORE_BYTES, \
    CheckedBody, CopyMismatch, check_fresh, read_checked, sign_headers, \
    state_path, verify_answer
from ocx_swift.storage.index import RowCache, StaleRow, apply_overrides, \
    row_etag
from ocx_swift.storage.policy import policy_index, resolve_policy
from ocx_swift.storage.state import StateError
from ocx_swift.sysmeta import decode_headers, exchange_content_type, \
    reserved_items, stored_swift_bytes


#: sysmeta marking which PUT wrote a copy (several copies are written at
#: once), so a failed PUT's late copy can be told from another version
WRITE_ID_SYSMETA = 'X-Object-Sysmeta-Ocx-Write-Id'
#: seconds to watch a cluster that timed out during a failed PUT for
#: what it stores late, and how often to look
LATE_WRITE_WATCH = 60
#: conditions on dates, judged by the exchange (never sent to landlords)
DATE_CONDITIONS = ('If-Modified-Since', 'If-Unmodified-Since')
#: Range GETs of objects up to this size read and check the whole copy
RANGE_WHOLE_BYTES = 8 * 1024 * 1024
#: bytes of a PUT kept to replay to a handoff when a cluster fails
REPLAY_BYTES = 8 * 1024 * 1024
LATE_WRITE_INTERVAL = 1


def stamp_response(resp, timestamp):
    """Date an object answer with the exchange's timestamp of its last
    write (as listings show it), not a landlord's clock: ``X-Timestamp``
    and ``Last-Modified`` as Swift's object server sets them."""
    resp.headers['X-Timestamp'] = timestamp.normal
    resp.last_modified = int(timestamp.ceil())


def route(ocx, req, account, container, obj, split_class=None):
    """Answer an object request with the context its container's policy
    asks for: the container must exist in the metadata tier (else the
    request is authorized, then 404) and its policy must verify (else
    503, never the default).

    :param split_class: the context class of split policies (given by
        the middleware: this module never imports the split handler)
    """
    ctx = ObjectContext(ocx, req, account, container, obj)
    if req.method not in ctx.allowed_methods:
        return ctx.handle()  # OPTIONS, or 405
    info = ctx.container_info()
    if info.get('status') == 404:
        acl = 'read_acl' if req.method in ('GET', 'HEAD') else 'write_acl'
        return ctx.authorize(acl) or HTTPNotFound(request=req)
    try:
        policy = resolve_policy(info, ocx.policies)
        if policy.is_split:
            if split_class is None:
                raise PolicyUnverifiable('split objects are not served here')
            ctx = split_class(ocx, req, account, container, obj, policy)
        ctx.policy = policy
        ctx.policy_index = policy_index(info)
        return ctx.handle()
    except (PlacementError, PolicyUnverifiable, IndexUnavailable) as err:
        note_reason(req.environ, str(err))
        return HTTPServiceUnavailable(request=req, body=str(err),
                                      content_type='text/plain')


def kept_on_post(items):
    """The exchange-side headers an object POST must keep, as Swift's
    object server keeps them: sysmeta and ``X-Static-Large-Object`` (not
    transient sysmeta, nor ``X-Object-Manifest``, which a POST replaces)."""
    reserved = reserved_items(items, 'object')
    return [(k, v) for k, v in decode_headers(reserved.items(), 'object')
            if k.lower().startswith('x-object-sysmeta-') or
            k.lower() == 'x-static-large-object']


def joined_failures(req, failures):
    """One 503 carrying the bodies of several 503s (each names its
    cluster)."""
    if len(failures) == 1:
        return failures[0]
    return HTTPServiceUnavailable(
        request=req, content_type='text/plain',
        body=b''.join(f.body for f in failures))


class ClientReadError(Exception):
    """The client's request body could not be read."""

    def __init__(self, response):
        self.response = response
        super().__init__(response.status)


class ObjectContext(BaseContext):
    """Answers one object request."""

    allowed_methods = ('GET', 'HEAD', 'PUT', 'POST', 'DELETE')
    server_type = 'object'

    #: how a landlord stores this kind of object (bound into its tag)
    kind = KIND_COPY

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = None
        #: the container's Swift storage policy index (the index's rows)
        self.policy_index = None
        #: the (WSGI string) name landlords store the object under
        self.backend_obj = self.obj
        #: a Range GET reads the whole (small) object, to check it
        self.whole = False
        #: the native-string path object state tags bind to
        self.state_path = state_path(self.account, self.container,
                                     self.obj)

    # -- the object index -----------------------------------------------

    @property
    def row_cache(self):
        """The rows in the proxy's memcache (:class:`RowCache`)."""
        return RowCache(self.req.environ.get('swift.cache'),
                        self.ocx.settings.index_cache_time)

    def lookup(self, refresh=False):
        """The object's index row, or None. GET and HEAD may take it from
        memcache (their reads handle :class:`StaleRow` by asking again
        with ``refresh``); writes always ask the metadata tier.

        :param refresh: ask the metadata tier even if a row is cached
        :raises IndexUnavailable: when the metadata tier did not answer
        """
        cached = self.req.method in ('GET', 'HEAD')
        return self.ocx.index.lookup(
            self.account, self.container, self.obj,
            cache=self.row_cache if cached else None, refresh=refresh)

    def record_delete(self, timestamp):
        """Mark the object deleted in the index at ``timestamp``.

        :raises IndexUnavailable: when the metadata tier did not take it
        """
        self.ocx.index.record_delete(self.account, self.container, self.obj,
                                     timestamp, self.policy_index,
                                     cache=self.row_cache)

    def record(self, timestamp, size, md5, content_type=None,
               etag=None, at=None):
        """Write the object's row (after a PUT or POST).

        :param content_type: the exchange-side Content-Type (default the
            request's)
        :param etag: the row's full ``x-etag`` (default from ``md5`` and
            the request's override)
        :param at: the clusters holding the copies or shares, by position
            (None for a position nothing holds)
        :raises IndexUnavailable: when the metadata tier did not take it
        """
        update = {'x-timestamp': timestamp.internal, 'x-size': str(size),
                  'x-content-type': content_type or
                  self.req.headers.get('Content-Type',
                                       'application/octet-stream'),
                  'x-etag': etag or row_etag(md5, at=at)}
        if etag is None:
            apply_overrides(update, self.req.headers.items())
            if update['x-etag'] != row_etag(md5, at=at):
                update['x-etag'] = row_etag(md5, update['x-etag'], at=at)
        self.ocx.index.record_put(self.account, self.container, self.obj,
                                  update, self.policy_index,
                                  cache=self.row_cache)

    def tampered(self, client, reason):
        """Log (and count) a landlord answer the exchange refused."""
        self.logger.warning('landlord %s (cluster %s) returned a bad copy '
                            'of %s: %s', client.conf.landlord, client.name,
                            wsgi_quote(self.backend_path), reason)
        increment = getattr(self.logger, 'increment', None)
        if increment:
            increment('tampering.%s' % client.name)
        return ClusterUnavailable(client.name, 'its copy failed '
                                  'verification: %s' % reason)

    # -- placement ------------------------------------------------------

    def placement(self, previous=False):
        """The clusters that hold this object under the container's
        policy (current ring, or the previous generation's placement).

        :returns: list of cluster dicts; empty for ``previous`` when the
            ring records no previous placement
        :raises PlacementError: when the current ring cannot place it
        """
        candidates = self.ocx.ring.get_candidates(
            self.account, self.container, self.backend_obj,
            previous=previous)
        if previous:
            try:
                return self.policy.choose(candidates) if candidates else []
            except PlacementError:
                return []
        return self.policy.choose(candidates)

    def placement_clients(self, with_previous=False):
        """Clients of the placement; with the previous generation's extra
        clusters after them (reads and deletes during a move)."""
        names = [c['name'] for c in self.placement()]
        if with_previous:
            names += [c['name'] for c in self.placement(previous=True)
                      if c['name'] not in names]
        return [self.ocx.clients[name] for name in names]

    def _read(self):
        """GET or HEAD the first copy of the placement (then of the
        previous ring generation: a move under way) that verifies
        against the index row; 404 when the index holds none.

        A row cached in memcache is taken at once; otherwise the index
        lookup and the first copy's request go out at once."""
        clients = self.placement_clients(with_previous=True)
        if self.req.method == 'GET' and 'Range' in self.req.headers:
            return self._read_range(clients)
        row = self.row_cache.get(RowCache.key(
            self.account, self.container, self.obj))
        if row is not None:
            first = self._ask_copy(clients[0])
        else:
            lookup = spawn(self.lookup, refresh=True)  # cache: missed
            first = self._ask_copy(clients[0])
            try:
                row = lookup.wait()
            except BaseException:
                self._discard(first)
                raise
        if row is None:
            self._discard(first)
            return HTTPNotFound(request=self.req)
        try:
            return self._read_from(clients, row, first)
        except StaleRow:
            return self._read_again(clients)

    def _read_again(self, clients):
        """A copy was newer than the cached row: read with the row the
        container servers hold."""
        row = self.lookup(refresh=True)
        if row is None:
            return HTTPNotFound(request=self.req)
        return self._read_from(clients, row)

    def _read_range(self, clients):
        """A Range GET. An object up to :data:`RANGE_WHOLE_BYTES` is read
        whole from its copy and checked against the index's MD5, and the
        ranges are cut from the checked bytes (a landlord cannot alter a
        range unnoticed); a larger one is asked for its ranges, which
        only the copy's state tag and timestamp vouch for."""
        row = self.lookup()
        if row is None:
            return HTTPNotFound(request=self.req)
        self.whole = row.size <= RANGE_WHOLE_BYTES
        try:
            return self._read_from(clients, row)
        except StaleRow:
            row = self.lookup(refresh=True)
            if row is None:
                return HTTPNotFound(request=self.req)
            self.whole = row.size <= RANGE_WHOLE_BYTES
            return self._read_from(clients, row)

    def _read_from(self, clients, row, first=None):
        """The first copy of ``clients`` that verifies against ``row``.

        :param first: the first client's answer, if already asked
        """
        failures = []
        asked_first = clients[0] if first is not None else None
        clients = self.recorded_first(clients, row)
        try:
            # the index says it exists: when no cluster had it, a move
            # may have taken it from a cluster asked early to one asked
            # late; a second walk finds it
            for _attempt in range(2):
                for client in clients:
                    if client is asked_first and first is not None:
                        answer, first = first, None
                    else:
                        answer = self._ask_copy(client)
                    resp = self._read_copy(client, answer, row)
                    if isinstance(resp, ClusterUnavailable):
                        failures.append(resp)
                        continue
                    if resp is None:
                        continue  # not there
                    self.note_cluster(client.name)
                    return resp
                if failures:
                    return unavailable(self.req, failures)
            return HTTPNotFound(request=self.req)
        finally:
            if first is not None:
                self._discard(first)

    def recorded_first(self, clients, row):
        """``clients`` with the clusters the row records as holding the
        object (handoffs, when a placement cluster was down) first."""
        recorded = [self.ocx.clients[name] for name in (row.at or ())
                    if name in self.ocx.clients] if row is not None else []
        return recorded + [c for c in clients if c not in recorded]

    def _ask_copy(self, client):
        """A copy's raw answer, or the ClusterUnavailable raised."""
        headers = self.backend_headers()
        # dates are judged here, on the exchange's timestamp, not on a
        # landlord's clock
        drop = DATE_CONDITIONS + (('Range', 'If-Range') if self.whole else ())
        for name in drop:
            headers.pop(name, None)
        try:
            return client.request(self.req.method, self.backend_path,
                                  headers=headers)
        except ClusterUnavailable as err:
            return err

    @staticmethod
    def _discard(answer):
        if not isinstance(answer, ClusterUnavailable):
            answer.close()

    def _read_copy(self, client, bresp, row):
        """One copy's answer as a response, None when the cluster has no
        copy, or a :class:`ClusterUnavailable` for a failure or a copy
        that does not verify.

        Only answers the exchange can check reach the client: a 2xx whose
        state verifies against the row, a 304 or 412 whose ETag is the
        row's (the landlord judged the client's conditions against the
        right version), a 416. Any other answer counts as the landlord's
        failure and the next copy is asked."""
        if isinstance(bresp, ClusterUnavailable):
            return bresp
        status = bresp.status
        if status == 404:
            bresp.close()
            return None
        if status // 100 == 5:
            bresp.close()
            return ClusterUnavailable(client.name, bresp.reason,
                                      status=status,
                                      trans_id=bresp.trans_id)
        if status in (304, 412, 416):
            etag = (bresp.headers.get('Etag') or '').strip('"')
            if status != 416 and row.md5 and etag != row.md5:
                bresp.close()
                return self.tampered(client, 'a %d for another version'
                                     % status)
            return self.passthrough(bresp)  # no object bytes
        if not ok(status):
            bresp.close()
            return self.tampered(client, 'answered %d' % status)
        try:
            check_fresh(verify_answer(self.ocx.state_keys, self.state_path,
                                      self.kind, self._stored_items(
                                          client, bresp)), row)
            self._check_size(bresp, row)
        except StaleRow:
            bresp.close()
            raise
        except (StateError, CopyMismatch) as err:
            bresp.close()
            return self.tampered(client, err)
        except ClusterUnavailable as err:
            bresp.close()
            return err
        if self.req.method == 'HEAD' or status != 200:
            resp = self.passthrough(bresp)
        elif self.whole:
            resp = self._ranges_of_whole(client, bresp, row.md5)
            if isinstance(resp, ClusterUnavailable):
                return resp
        else:
            resp = self._checked_body(client, bresp, row.md5)
            if isinstance(resp, ClusterUnavailable):
                return resp
        if row.md5:
            resp.headers['Etag'] = row.md5
        stamp_response(resp, row.timestamp)
        return self._judge_dates(resp)

    def _judge_dates(self, resp):
        """``If-Modified-Since`` and ``If-Unmodified-Since`` against the
        exchange's Last-Modified, as swob judges them."""
        req, modified = self.req, resp.last_modified
        status = None
        if req.if_modified_since and modified <= req.if_modified_since:
            status = 304
        elif req.if_unmodified_since and modified > req.if_unmodified_since:
            status = 412
        if status is None:
            return resp
        close_if_possible(resp.app_iter)
        resp.app_iter = []
        resp.status = status
        for name in ('Content-Range',):
            resp.headers.pop(name, None)
        resp.headers['Content-Length'] = '0'
        return resp

    def _stored_items(self, client, bresp):
        """The headers a copy's tag covers, as the landlord stores them:
        a multi-range answer's Content-Type is ``multipart/byteranges``,
        so the stored one is asked for with a HEAD."""
        items = bresp.header_items()
        content_type = bresp.headers.get('Content-Type') or ''
        if bresp.status != 206 or \
                not content_type.startswith('multipart/byteranges'):
            return items
        head = client.request('HEAD', self.backend_path,
                              headers=self.backend_headers(headers=[]))
        head.close()
        if not ok(head.status):
            raise CopyMismatch('HEAD answered %d' % head.status)
        return [(k, v) for k, v in items if k.lower() != 'content-type'] + \
            [('Content-Type', head.headers.get('Content-Type', ''))]

    @staticmethod
    def _check_size(bresp, row):
        """A whole copy's length must be the row's (an SLO manifest's row
        holds the large object's size: its bytes are checked by MD5).

        :raises CopyMismatch: when it is not
        """
        if bresp.status != 200 or stored_swift_bytes(
                bresp.headers.get('Content-Type', '')) is not None:
            return
        length = bresp.headers.get('Content-Length')
        if length is not None and length != str(row.size):
            raise CopyMismatch('%s bytes, the index holds %d'
                               % (length, row.size))

    def _read_whole(self, client, bresp, md5):
        """A copy's bytes read whole and checked: the bytes, or a
        ClusterUnavailable (the read failed, or they do not match)."""
        try:
            return read_checked(BackendBody(bresp), md5)
        except CopyMismatch as err:
            return self.tampered(client, err)
        except ClusterUnavailable as err:
            return err

    def _ranges_of_whole(self, client, bresp, md5):
        """The client's ranges of a whole copy read and checked first
        (swob answers the ranges, single or multiple, and 416)."""
        headers = self.client_headers(bresp)
        body = self._read_whole(client, bresp, md5)
        if isinstance(body, ClusterUnavailable):
            return body
        resp = Response(request=self.req, body=body,
                        conditional_response=True)
        resp.headers.update((k, v) for k, v in headers
                            if k.lower() != 'content-length')
        return resp

    def _checked_body(self, client, bresp, md5):
        """A whole-object GET whose bytes are checked against the index:
        small ones before the first byte, larger ones as they stream."""
        length = bresp.headers.get('Content-Length')
        if length is not None and length.isdigit() and \
                int(length) <= VERIFY_BEFORE_BYTES:
            body = self._read_whole(client, bresp, md5)
            if isinstance(body, ClusterUnavailable):
                return body
            return self.passthrough(bresp, app_iter=[body])
        return self.passthrough(bresp, app_iter=CheckedBody(
            BackendBody(bresp), md5,
            lambda reason: self.tampered(client, reason)))

    def handle_GET(self):
        denial = self.authorize('read_acl')
        if denial:
            return denial
        req = self.req
        if 'X-Backend-Etag-Is-At' in req.headers and (
                req.if_match or req.if_none_match):
            return self._get_with_alternate_etag()
        return self._read()

    handle_HEAD = handle_GET

    def _get_with_alternate_etag(self):
        """Evaluate If-(None-)Match against an etag kept in sysmeta.

        SLO and s3api name the sysmeta that holds an object's etag in
        ``X-Backend-Etag-Is-At`` for the object server to match against;
        a landlord neither sees that header nor keeps the sysmeta under
        that name, so the exchange matches itself: it asks without the
        conditions and answers 304/412 from the restored metadata.
        """
        req = self.req
        conditions = {'If-Match': None, 'If-None-Match': None}
        for name in conditions:
            conditions[name] = req.headers.pop(name, None)
        try:
            resp = self._read()
        finally:
            for name, value in conditions.items():
                if value is not None:
                    req.headers[name] = value
        if not 200 <= resp.status_int < 300:
            return resp
        metadata = HeaderKeyDict(resp.headers)
        etag = resolve_etag_is_at_header(req, metadata) or \
            metadata.get('Etag', '').strip('"')
        status = None
        if req.if_none_match and etag in req.if_none_match:
            status = 304
        elif req.if_match and etag not in req.if_match:
            status = 412
        if status is None:
            return resp
        close_if_possible(resp.app_iter)
        resp.app_iter = []
        resp.status = status
        for name in ('Content-Length', 'Content-Range'):
            resp.headers.pop(name, None)
        resp.headers['Content-Length'] = '0'
        return resp

    def handle_DELETE(self):
        """Mark the object deleted in the index, then delete every copy,
        also where the previous generation placed it (a move under way).
        A copy a cluster fails to delete is never served again (the index
        says deleted) and is logged."""
        denial = self.authorize('write_acl')
        if denial:
            return denial
        if_delete_at = self.req.headers.get('X-If-Delete-At')
        if if_delete_at is not None and not if_delete_at.isdigit():
            return HTTPBadRequest(request=self.req, content_type='text/plain',
                                  body='Bad X-If-Delete-At header value')
        row = self.lookup()
        if row is None:
            return HTTPNotFound(request=self.req)
        if if_delete_at is not None and \
                self.delete_at(row) != int(if_delete_at):
            return HTTPPreconditionFailed(request=self.req)
        timestamp = Timestamp.now()
        self.record_delete(timestamp)
        self.delete_copies(self.recorded_first(
            self.placement_clients(with_previous=True), row))
        return Response(request=self.req, status=204, headers={
            'X-Timestamp': timestamp.internal})

    def delete_at(self, row):
        """The ``X-Delete-At`` of the object (0 for none) from the first
        copy that verifies, as Swift's object server checks
        ``X-If-Delete-At``.

        :raises HTTPException: the read's error when no copy verifies
        """
        method, self.req.method = self.req.method, 'HEAD'
        try:
            resp = self._read_from(self.placement_clients(True), row)
        finally:
            self.req.method = method
        close_if_possible(resp.app_iter)
        if isinstance(resp, HTTPException) and not ok(resp.status_int):
            raise resp
        if not ok(resp.status_int):
            raise HTTPServiceUnavailable(
                request=self.req, content_type='text/plain',
                body='no copy to check X-If-Delete-At against')
        return int(resp.headers.get('X-Delete-At') or 0)

    def delete_copies(self, clients):
        """DELETE on each cluster (best effort, failures logged)."""
        for client, resp, _body in self.fan_out(
                clients, 'DELETE', headers=self.backend_headers(headers=[])):
            if isinstance(resp, ClusterUnavailable) or resp.status // 100 == 5:
                self.logger.warning('%s: copy on %s not deleted (the index '
                                    'says deleted): %s',
                                    wsgi_quote(self.backend_path),
                                    client.name, resp)

    def handle_POST(self):
        """A POST replaces user metadata on the landlord, where the
        exchange keeps sysmeta too: read what is kept there (from a copy
        that verifies) and send it along with a new state tag, so sysmeta
        survives a POST as it does in Swift (transient sysmeta is
        replaced, as in Swift); then the index row takes the POST's
        timestamp (and content type)."""
        denial = self.authorize('write_acl') or self.check_metadata('object')
        if denial:
            return denial
        row = self.lookup()
        if row is None:
            return HTTPNotFound(request=self.req)
        timestamp = Timestamp.now()
        clients = self.recorded_first(
            self.placement_clients(with_previous=True), row)
        answers, failures, content_type = [], [], None
        for client in clients:
            resp = self._post_one(client, row, timestamp)
            if isinstance(resp, ClusterUnavailable):
                failures.append(resp)
            elif resp is not None:
                answers.append(resp)
                content_type = content_type or resp.stored_type
        for resp in answers[1:]:
            close_if_possible(resp.app_iter)
        stored = [r for r in answers if ok(r.status_int)]
        if failures and not stored:
            if answers:
                close_if_possible(answers[0].app_iter)
            return unavailable(self.req, failures)
        if not answers:
            return HTTPNotFound(request=self.req)
        if stored:
            # the copies that took it are current; the others (a cluster
            # down, a stale copy) are made again by ocx-repair
            for failure in failures:
                self.logger.warning('%s: POST stored without %s: %s',
                                    wsgi_quote(self.backend_path),
                                    failure.cluster, failure)
            self.record(timestamp, row.size, None, etag=row.etag,
                        content_type=exchange_content_type(content_type))
        return answers[0]

    def _post_one(self, client, row, timestamp):
        """POST to one copy: None when the cluster has none, a
        ClusterUnavailable on failure, else the response (with the
        Content-Type now stored as ``stored_type``)."""
        try:
            head = client.request('HEAD', self.backend_path,
                                  headers=self.backend_headers(headers=[]))
        except ClusterUnavailable as err:
            return err
        head.close()
        if head.status == 404:
            return None
        if not ok(head.status):
            return ClusterUnavailable(client.name, head.reason,
                                      status=head.status,
                                      trans_id=head.trans_id)
        try:
            check_fresh(verify_answer(self.ocx.state_keys, self.state_path,
                                      self.kind, head.header_items()), row)
        except (StateError, CopyMismatch) as err:
            return self.tampered(client, err)
        kept = kept_on_post(head.header_items())
        headers = dict(self.req.headers.items())
        if not headers.get('Content-Type'):
            # the WSGI server gives an empty one when the client sent none:
            # that is no change of content type
            headers.pop('Content-Type', None)
        present = {k.lower() for k in headers}
        headers.update((k, v) for k, v in kept if k.lower() not in present)
        stored_type = head.headers.get('Content-Type', '')
        swift_bytes = stored_swift_bytes(stored_type)
        if 'content-type' in present and swift_bytes is not None:
            # a new content type keeps an SLO's listing size, as Swift's
            # object server keeps swift_bytes
            headers['Content-Type'] = self.req.headers['Content-Type'] + \
                ';swift_bytes=%s' % swift_bytes
        out = self.backend_headers(headers=headers.items())
        if 'content-type' not in present:
            out['Content-Type'] = stored_type
        sign_headers(self.ocx.state_keys, self.state_path, self.kind,
                     timestamp, out)
        resp = self._send_to(client, out)
        if 200 <= resp.status_int < 300:
            # Swift's object server answers a POST with the object's
            # sysmeta (symlink answers 307 from it)
            resp.headers.update((k, v) for k, v in kept
                                if k.lower().startswith('x-object-sysmeta-'))
        elif resp.status_int // 100 == 5:
            return ClusterUnavailable(client.name, 'POST failed',
                                      status=resp.status_int)
        resp.stored_type = out['Content-Type']
        return resp

    def _send_to(self, client, headers, body=None):
        """The request, with exactly these landlord headers, to one
        cluster; a swob response (a 503 on failure)."""
        try:
            bresp = client.request(self.req.method, self.backend_path,
                                   headers=headers, body=body)
        except ClusterUnavailable as err:
            return unavailable(self.req, [err])
        if bresp.status // 100 == 5:
            err = ClusterUnavailable(client.name, bresp.reason,
                                     status=bresp.status,
                                     trans_id=bresp.trans_id)
            bresp.close()
            return unavailable(self.req, [err])
        return self.passthrough(bresp)

    def handle_PUT(self):
        return self.check_put() or self.store()

    def check_put(self):
        """Swift's checks of an object PUT; None or the error response."""
        req = self.req
        denial = self.authorize('write_acl')
        if denial:
            return denial
        if req.if_none_match is not None and '*' not in req.if_none_match:
            return HTTPBadRequest(request=req, content_type='text/plain',
                                  body='If-None-Match only supports *')
        self._update_content_type()
        return self._check_creation()

    def store(self):
        """Stream the checked PUT, with its state tag, to every copy of
        the placement at once, hashing it; then write the index row.

        A cluster that is down, error-limited or fails gets a handoff in
        its place (:meth:`write_clients`); success when the policy's
        write quorum of copies is stored, and the row records where they
        are (repair makes up missing ones later); otherwise the copies
        that were stored are deleted again and the answer names what
        failed.
        """
        req = self.req
        extra = {}
        if req.content_length is not None:
            extra['Content-Length'] = str(req.content_length)
        clients, replace = self.write_clients()
        self.timestamp = Timestamp.now()
        self.write_id = os.urandom(16)
        extra[WRITE_ID_SYSMETA] = self.write_id.hex()
        headers = sign_headers(self.ocx.state_keys, self.state_path,
                               self.kind, self.timestamp,
                               self.backend_headers(extra))
        upload = ParallelUpload(
            [(c, self.backend_path, headers) for c in clients],
            self.ocx.timeouts.node, quorum=self.policy.write_quorum,
            replay_bytes=REPLAY_BYTES, replace=replace)
        hasher, size = hashlib.md5(usedforsecurity=False), 0
        try:
            for chunk in self._client_body():
                hasher.update(chunk)
                size += len(chunk)
                upload.send_all(chunk)
                if upload.failed:
                    break
        except ClientReadError as err:
            upload.abort()
            return err.response
        if upload.failed:
            upload.abort()
            results = upload.results()
        else:
            results = upload.finish()
        resp = self.settle_put(results, hasher.hexdigest(),
                               replaced=upload.replaced)
        if ok(resp.status_int):
            self.record(self.timestamp, size, hasher.hexdigest(),
                        at=self.stored_at)
            resp.headers['Etag'] = hasher.hexdigest()
            stamp_response(resp, self.timestamp)
        return resp

    def write_clients(self):
        """The clients a PUT goes to, and its handoff chooser.

        :returns: ``(clients, replace)``: the placement's clients, an
            error-limited one already replaced by a handoff; ``replace``
            (for :class:`ParallelUpload`) names the next handoff of a
            landlord holding nothing of the object, or None
        """
        candidates = self.ocx.ring.get_candidates(
            self.account, self.container, self.backend_obj)
        placement = self.policy.choose(candidates)
        taken = {c['landlord'] for c in placement}
        handoffs = self.policy.handoffs(candidates, taken)
        created = set()

        def replace(position, failed, result=None):
            answered = result is not None and not isinstance(
                result, ClusterUnavailable)
            status = result.status if answered else None
            if status == 404 and failed.name not in created:
                # the landlord lacks the container: make it, try again
                created.add(failed.name)
                if self.create_bare_container(failed):
                    return failed
            if answered and status // 100 != 5:
                return None  # an answer (412, 422, 413...), not a failure
            for cluster in handoffs:
                client = self.ocx.clients[cluster['name']]
                if not client.is_error_limited():
                    return client
            return None

        clients = []
        for position, cluster in enumerate(placement):
            client = self.ocx.clients[cluster['name']]
            if client.is_error_limited():
                client = replace(position, client) or client
            clients.append(client)
        return clients, replace

    def create_bare_container(self, client):
        """Create the container on a landlord cluster that lacks it (as
        a container PUT does on every landlord); True if it exists now."""
        path = '/%s/%s' % (self.account, self.container)
        try:
            resp = client.request('PUT', path, headers={
                'X-Trans-Id-Extra': self.req.environ.get('swift.trans_id',
                                                         '')})
            resp.close()
        except ClusterUnavailable as err:
            self.logger.warning('container %s on %s: %s', wsgi_quote(path),
                                client.name, err)
            return False
        self.logger.info('container %s created on %s, which lacked it',
                         wsgi_quote(path), client.name)
        return resp.status // 100 == 2

    def settle_put(self, results, md5=None, replaced=()):
        """The client's answer to a PUT stored on several clusters: a
        success when the policy's write quorum is stored, else a failure
        that leaves nothing stored behind.

        :param results: ``(client, BackendResponse or ClusterUnavailable)``
        :param md5: the MD5 of what the client sent: a cluster that says
            it stored other bytes counts as failed
        :param replaced: ``(client, result)`` of clusters handoffs took
            over from (they may store late)
        """
        results = [(c, self._check_stored(c, r, md5)) for c, r in results]
        stored = [(c, r) for c, r in results
                  if not isinstance(r, ClusterUnavailable) and ok(r.status)]
        #: the clusters holding a copy or share, by position (None: none)
        self.stored_at = [c.name if (c, r) in stored else None
                          for c, r in results]
        refused = [r for _c, r in results if not isinstance(
            r, ClusterUnavailable) and not ok(r.status)]
        if len(stored) >= self.policy.write_quorum and not refused:
            for client, failure in list(replaced) + [
                    (c, r) for c, r in results if (c, r) not in stored]:
                self.logger.warning('%s: stored without %s: %s',
                                    wsgi_quote(self.backend_path),
                                    client.name, failure)
            # a cluster given up on may still store what it was sent: the
            # row says where the copies are, so that is taken back
            holders = {c.name for c, _r in stored}
            self.after_failed_put([
                c for c, r in list(replaced) + list(results)
                if isinstance(r, ClusterUnavailable) and
                c.name not in holders])
            resp = stored[0][1]
            return response_from_parts(self.req, resp.status_line,
                                       self.client_headers(resp))
        self.remove_stored([c for c, _r in stored])
        self.after_failed_put([c for c, r in list(results) + list(replaced)
                               if isinstance(r, ClusterUnavailable)])
        answers = [(c, r, None) for c, r in list(replaced) + results]
        _answers, failures = split_results(answers)
        if failures:
            return unavailable(self.req, failures)
        refused = next(r for _c, r in results if not ok(r.status))
        return response_from_parts(self.req, refused.status_line,
                                   self.client_headers(refused))

    def _check_stored(self, client, result, md5):
        if md5 is None or isinstance(result, ClusterUnavailable) or \
                not ok(result.status):
            return result
        etag = (result.headers.get('Etag') or '').strip('"')
        if etag != md5:
            return self.tampered(client, 'stored bytes with MD5 %s, the '
                                 'client sent %s' % (etag, md5))
        return result

    def after_failed_put(self, clients):
        """A cluster that timed out may store its part of the failed PUT
        when it recovers (it had the whole body queued): watch it for a
        while and delete that part (only that version) if it appears."""
        write_id = getattr(self, 'write_id', None)
        if clients and write_id:
            spawn_n(self._reap_late_writes, clients, write_id,
                    self.backend_headers(headers=[]))

    def written_by(self, headers):
        """The write id of the PUT that stored a copy (its decoded
        response headers), or None."""
        value = dict((k.lower(), v) for k, v in headers).get(
            WRITE_ID_SYSMETA.lower(), '')
        try:
            return bytes.fromhex(value) or None
        except ValueError:
            return None

    def _reap_late_writes(self, clients, write_id, headers):
        pending = list(clients)
        deadline = time.time() + LATE_WRITE_WATCH
        while pending and time.time() < deadline:
            sleep(LATE_WRITE_INTERVAL)
            for client in list(pending):
                try:
                    resp = client.request('HEAD', self.backend_path,
                                          headers=headers,
                                          error_limited=False)
                    resp.close()
                except ClusterUnavailable:
                    continue
                if resp.status == 404:
                    continue
                pending.remove(client)
                if resp.status // 100 != 2 or self.written_by(
                        self.client_headers(resp)) != write_id:
                    continue  # another version: not ours to remove
                self.logger.warning('deleting what a failed PUT of %s '
                                    'stored late on %s',
                                    wsgi_quote(self.backend_path),
                                    client.name)
                try:
                    client.request('DELETE', self.backend_path,
                                   headers=headers,
                                   error_limited=False).close()
                except ClusterUnavailable:
                    pending.append(client)

    def remove_stored(self, clients, path=None):
        """Delete what a failed PUT stored (best effort, logged): only
        where the copy is still this PUT's (a client that gave up on it
        may have written the object again meanwhile)."""
        write_id = getattr(self, 'write_id', None)
        if write_id is not None:
            clients = [c for c in clients if self._still_ours(c, write_id)]
        if not clients:
            return
        for client, resp, _body in self.fan_out(clients, 'DELETE'):
            if isinstance(resp, ClusterUnavailable) or resp.status // 100 == 5:
                self.logger.warning('could not remove %s from %s after a '
                                    'failed PUT: %s', self.backend_path,
                                    client.name, resp)

    def _still_ours(self, client, write_id):
        """Whether the copy on ``client`` was written by this PUT."""
        try:
            resp = client.request('HEAD', self.backend_path,
                                  headers=self.backend_headers(headers=[]))
            resp.close()
        except ClusterUnavailable:
            return True  # the DELETE will say
        return ok(resp.status) and \
            self.written_by(self.client_headers(resp)) == write_id

    def _check_creation(self):
        """Swift's checks of a new object (size, name, content type and
        its ``swift_*`` parameters, expiry, metadata). They judge expiry
        against the request time, which Swift's proxy puts in
        ``X-Timestamp``: do the same for the check only; the landlord
        stamps the object itself."""
        headers = self.req.headers
        stamped = 'X-Timestamp' not in headers
        if stamped:
            headers['X-Timestamp'] = Timestamp.now().internal
        try:
            return check_object_creation(self.req, self.obj) or \
                check_content_type(self.req)
        finally:
            if stamped:
                headers.pop('X-Timestamp', None)

    def _update_content_type(self):
        headers = self.req.headers
        detect = headers.pop('X-Detect-Content-Type', 'false').lower() in (
            'true', '1', 'yes', 'on', 't', 'y')
        if detect or not headers.get('Content-Type'):
            guessed, _junk = mimetypes.guess_type(wsgi_to_str(self.obj))
            headers['Content-Type'] = guessed or 'application/octet-stream'

    def _client_body(self):
        """Yield the client's body in chunks, as the client sends it."""
        read = self.req.environ['wsgi.input'].read
        remaining = self.req.content_length
        timeout = self.ocx.client_timeout
        while remaining is None or remaining > 0:
            size = CHUNK_SIZE if remaining is None else min(
                CHUNK_SIZE, remaining)
            try:
                with ChunkReadTimeout(timeout):
                    chunk = read(size)
            except ChunkReadTimeout:
                raise ClientReadError(HTTPRequestTimeout(request=self.req))
            except (ValueError, IOError):
                raise ClientReadError(HTTPClientDisconnect(request=self.req))
            if not chunk:
                if remaining:
                    raise ClientReadError(
                        HTTPClientDisconnect(request=self.req))
                return
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
