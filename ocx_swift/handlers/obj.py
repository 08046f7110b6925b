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
GET, HEAD  asks the object's primary cluster; Range, conditional headers
           and query parameters go along, the answer (status, headers,
           body) streams back unchanged but for hop-by-hop headers
PUT        checks names, metadata and size as Swift does, then streams
           the body to the primary cluster (chunked when the client sent
           it chunked); the cluster verifies a client ``ETag``
POST       metadata update on the primary cluster
DELETE     delete on the primary cluster
=========  ==============================================================

COPY and ``X-Copy-From`` never reach here as such: Swift's ``copy``
middleware, left of ``ocx``, turns them into a GET and a PUT that are each
placed on their own.
"""

import mimetypes

from swift.common.constraints import check_object_creation
from swift.common.header_key_dict import HeaderKeyDict
from swift.common.request_helpers import resolve_etag_is_at_header
from swift.common.utils import close_if_possible
from swift.common.exceptions import ChunkReadTimeout
from swift.common.swob import HTTPBadRequest, HTTPClientDisconnect, \
    HTTPRequestTimeout, HTTPServiceUnavailable, wsgi_to_str
from swift.common.utils import Timestamp
from swift.proxy.controllers.obj import check_content_type

from ocx_swift.client import CHUNK_SIZE
from ocx_swift.exceptions import ClusterUnavailable, PlacementError
from ocx_swift.handlers.base import BaseContext, ok, response_from_parts, \
    split_results, unavailable
from ocx_swift.handlers.upload import ParallelUpload
from ocx_swift.sysmeta import POLICY_SYSMETA, decode_headers, \
    reserved_items, stored_swift_bytes


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = None
        #: the (WSGI string) name landlords store the object under
        self.backend_obj = self.obj

    def handle(self):
        if self.req.method not in self.allowed_methods:
            return super().handle()
        self.policy, error = self.container_policy()
        if error:
            return error
        try:
            if self.policy.is_split:
                # imported here: split imports this module
                from ocx_swift.handlers.split import SplitObjectContext
                return SplitObjectContext(
                    self.ocx, self.req, self.account, self.container,
                    self.obj, self.policy).handle()
            return super().handle()
        except PlacementError as err:
            return HTTPServiceUnavailable(request=self.req, body=str(err),
                                          content_type='text/plain')

    def container_policy(self):
        """The container's policy, and None; or None and an error.

        With one policy the container need not be asked. A container
        created before its policy was stamped takes the default.
        """
        policies = self.ocx.policies
        if len(policies) == 1:
            return policies.default, None
        name = self.container_info().get('sysmeta', {}).get(POLICY_SYSMETA)
        if not name:
            return policies.default, None
        policy = policies.get(name)
        if policy is None:
            return None, HTTPServiceUnavailable(
                request=self.req, content_type='text/plain',
                body='container policy %r is not configured on this '
                'exchange' % name)
        return policy, None

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

    def primary_client(self):
        client = self.placement_clients()[0]
        self.note_cluster(client.name)
        return client

    def _send(self, headers=None, body=None, base_headers=None,
              client=None):
        """Forward the request to one cluster (the first of the
        placement by default), without its query string: the landlord
        only stores (``multipart-manifest``, ``symlink`` and the like are
        for the middlewares left of ocx)."""
        client = client or self.primary_client()
        try:
            bresp = client.request(
                self.req.method, self.backend_path,
                headers=self.backend_headers(headers, base_headers),
                body=body)
        except ClusterUnavailable as err:
            return unavailable(self.req, [err])
        if bresp.status // 100 == 5:
            err = ClusterUnavailable(client.name, bresp.reason,
                                     status=bresp.status,
                                     trans_id=bresp.trans_id)
            bresp.close()
            return unavailable(self.req, [err])
        return self.passthrough(bresp)

    def _read(self):
        """GET or HEAD from the first cluster of the placement that has
        the object, then from the previous generation's (a move under
        way). A 404 only when every one answered 404."""
        failures, not_found = [], None
        for client in self.placement_clients(with_previous=True):
            resp = self._send(client=client)
            if resp.status_int // 100 == 5:
                failures.append(resp)
                continue
            if resp.status_int == 404:
                if not_found is None:
                    not_found = resp
                else:
                    close_if_possible(resp.app_iter)
                continue
            if not_found is not None:
                close_if_possible(not_found.app_iter)
            self.note_cluster(client.name)
            return resp
        if failures:
            if not_found is not None:
                close_if_possible(not_found.app_iter)
            return joined_failures(self.req, failures)
        return not_found

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
        """Delete every copy, also where the previous generation placed
        it (a move under way): 404 only when no cluster had it."""
        denial = self.authorize('write_acl')
        if denial:
            return denial
        clients = self.placement_clients(with_previous=True)
        if len(clients) == 1:
            return self._send(client=clients[0])
        answers, failures = split_results(self.fan_out(
            clients, 'DELETE', read_body=True))
        if failures:
            return unavailable(self.req, failures)
        found = [a for a in answers if a[1].status != 404] or answers
        _client, resp, body = found[0]
        return response_from_parts(self.req, resp.status_line,
                                   self.client_headers(resp), body or b'')

    def handle_POST(self):
        """A POST replaces user metadata on the landlord, where the
        exchange keeps sysmeta too: read what is kept there and send it
        along, so sysmeta survives a POST as it does in Swift (transient
        sysmeta is replaced, as in Swift)."""
        denial = self.authorize('write_acl') or self.check_metadata('object')
        if denial:
            return denial
        clients = self.placement_clients()
        resp = self._post_all(clients)
        if resp.status_int == 404:
            previous = [c for c in self.placement_clients(True)
                        if c not in clients]
            if previous:
                close_if_possible(resp.app_iter)
                resp = self._post_all(previous)
        return resp

    def _post_all(self, clients):
        """POST to each client; the first answer, or a 503 naming any
        cluster that failed."""
        answers = [self._post_one(client) for client in clients]
        failed = [r for r in answers if r.status_int // 100 == 5]
        if failed:
            for resp in answers:
                close_if_possible(resp.app_iter)
            return joined_failures(self.req, failed)
        for resp in answers[1:]:
            close_if_possible(resp.app_iter)
        return answers[0]

    def _post_one(self, client):
        self.note_cluster(client.name)
        try:
            head = client.request('HEAD', self.backend_path,
                                  headers=self.backend_headers())
        except ClusterUnavailable as err:
            return unavailable(self.req, [err])
        head.close()
        if head.status // 100 != 2:
            return self.passthrough(head, app_iter=[])
        kept = kept_on_post(head.header_items())
        headers = dict(self.req.headers.items())
        if not headers.get('Content-Type'):
            # the WSGI server gives an empty one when the client sent none:
            # that is no change of content type
            headers.pop('Content-Type', None)
        present = {k.lower() for k in headers}
        headers.update((k, v) for k, v in kept if k.lower() not in present)
        swift_bytes = stored_swift_bytes(head.headers.get('Content-Type', ''))
        if 'content-type' in present and swift_bytes is not None:
            # a new content type keeps an SLO's listing size, as Swift's
            # object server keeps swift_bytes
            headers['Content-Type'] = self.req.headers['Content-Type'] + \
                ';swift_bytes=%s' % swift_bytes
        resp = self._send(base_headers=headers.items(), client=client)
        if 200 <= resp.status_int < 300:
            # Swift's object server answers a POST with the object's
            # sysmeta (symlink answers 307 from it)
            resp.headers.update((k, v) for k, v in kept
                                if k.lower().startswith('x-object-sysmeta-'))
        return resp

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
        """Stream the checked PUT to the placement."""
        req = self.req
        extra = {}
        if req.content_length is not None:
            extra['Content-Length'] = str(req.content_length)
        clients = self.placement_clients()
        if len(clients) > 1:
            return self._put_copies(clients, extra)
        try:
            return self._send(extra, self._client_body(), client=clients[0])
        except ClientReadError as err:
            return err.response

    def _put_copies(self, clients, extra):
        """Stream the body to every cluster of the placement at once.

        Success only when every copy is stored (there is no replicator
        to make up a missing one later); otherwise the copies that were
        stored are deleted again and the answer names what failed.
        """
        headers = self.backend_headers(extra)
        upload = ParallelUpload(
            [(c, self.backend_path, headers) for c in clients],
            self.ocx.timeouts.node)
        try:
            for chunk in self._client_body():
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
        return self.settle_put(results)

    def settle_put(self, results):
        """The client's answer to a PUT stored on several clusters.

        :param results: ``(client, BackendResponse or ClusterUnavailable)``
        """
        stored = [(c, r) for c, r in results
                  if not isinstance(r, ClusterUnavailable) and ok(r.status)]
        if len(stored) == len(results):
            resp = results[0][1]
            return response_from_parts(self.req, resp.status_line,
                                       self.client_headers(resp))
        self.remove_stored([c for c, _r in stored])
        self.after_failed_put([c for c, r in results
                               if isinstance(r, ClusterUnavailable)])
        answers = [(c, r, None) for c, r in results]
        _answers, failures = split_results(answers)
        if failures:
            return unavailable(self.req, failures)
        refused = next(r for _c, r in results if not ok(r.status))
        return response_from_parts(self.req, refused.status_line,
                                   self.client_headers(refused))

    def after_failed_put(self, clients):
        """Called with the clusters whose part of a failed PUT timed out
        or broke (they may still store it later)."""

    def remove_stored(self, clients, path=None):
        """Delete what a failed PUT stored (best effort, logged)."""
        if not clients:
            return
        for client, resp, _body in self.fan_out(clients, 'DELETE'):
            if isinstance(resp, ClusterUnavailable) or resp.status // 100 == 5:
                self.logger.warning('could not remove %s from %s after a '
                                    'failed PUT: %s', self.backend_path,
                                    client.name, resp)

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
