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
    HTTPRequestTimeout, wsgi_to_str
from swift.common.utils import Timestamp
from swift.proxy.controllers.obj import check_content_type

from ocx_swift.client import CHUNK_SIZE
from ocx_swift.exceptions import ClusterUnavailable
from ocx_swift.handlers.base import BaseContext, unavailable
from ocx_swift.sysmeta import decode_headers, reserved_items, \
    stored_swift_bytes


def kept_on_post(items):
    """The exchange-side headers an object POST must keep, as Swift's
    object server keeps them: sysmeta and ``X-Static-Large-Object`` (not
    transient sysmeta, nor ``X-Object-Manifest``, which a POST replaces)."""
    reserved = reserved_items(items, 'object')
    return [(k, v) for k, v in decode_headers(reserved.items(), 'object')
            if k.lower().startswith('x-object-sysmeta-') or
            k.lower() == 'x-static-large-object']


class ClientReadError(Exception):
    """The client's request body could not be read."""

    def __init__(self, response):
        self.response = response
        super().__init__(response.status)


class ObjectContext(BaseContext):
    """Answers one object request."""

    allowed_methods = ('GET', 'HEAD', 'PUT', 'POST', 'DELETE')
    server_type = 'object'

    def primary_client(self):
        _part, clusters = self.ocx.ring.get_clusters(
            self.account, self.container, self.obj)
        client = self.ocx.clients[clusters[0]['name']]
        self.note_cluster(client.name)
        return client

    def _send(self, headers=None, body=None, base_headers=None):
        """Forward the request to the primary cluster, without its query
        string: the landlord only stores (``multipart-manifest``,
        ``symlink`` and the like are for the middlewares left of ocx)."""
        client = self.primary_client()
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

    def handle_GET(self):
        denial = self.authorize('read_acl')
        if denial:
            return denial
        req = self.req
        if 'X-Backend-Etag-Is-At' in req.headers and (
                req.if_match or req.if_none_match):
            return self._get_with_alternate_etag()
        return self._send()

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
            resp = self._send()
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
        return self.authorize('write_acl') or self._send()

    def handle_POST(self):
        """A POST replaces user metadata on the landlord, where the
        exchange keeps sysmeta too: read what is kept there and send it
        along, so sysmeta survives a POST as it does in Swift (transient
        sysmeta is replaced, as in Swift)."""
        denial = self.authorize('write_acl') or self.check_metadata('object')
        if denial:
            return denial
        client = self.primary_client()
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
        resp = self._send(base_headers=headers.items())
        if 200 <= resp.status_int < 300:
            # Swift's object server answers a POST with the object's
            # sysmeta (symlink answers 307 from it)
            resp.headers.update((k, v) for k, v in kept
                                if k.lower().startswith('x-object-sysmeta-'))
        return resp

    def handle_PUT(self):
        req = self.req
        denial = self.authorize('write_acl')
        if denial:
            return denial
        if req.if_none_match is not None and '*' not in req.if_none_match:
            return HTTPBadRequest(request=req, content_type='text/plain',
                                  body='If-None-Match only supports *')
        self._update_content_type()
        error = self._check_creation()
        if error:
            return error
        extra = {}
        if req.content_length is not None:
            extra['Content-Length'] = str(req.content_length)
        try:
            return self._send(extra, self._client_body())
        except ClientReadError as err:
            return err.response

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
