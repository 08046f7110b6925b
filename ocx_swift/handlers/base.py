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

"""What every request context of the exchange shares.

A context lives for one client request: it authorizes the request the way
Swift's proxy controllers do (``swift.authorize`` first without an ACL,
then again with the container's ACL where Swift allows delayed denial),
talks to landlord clusters through the middleware's shared
:class:`~ocx_swift.client.ClusterClient` objects, and turns their answers
into swob responses. Names are WSGI strings throughout.
"""

from swift.common.concurrency import GreenPile
from swift.common.constraints import check_metadata
from swift.common.swob import HTTPMethodNotAllowed, \
    HTTPServiceUnavailable, Response
from swift.proxy.controllers.base import get_container_info

from ocx_swift.client import filter_request_headers, \
    filter_response_headers
from ocx_swift.exceptions import ClusterUnavailable
from ocx_swift.handlers import cors
from ocx_swift.s3reasons import note_reason
from ocx_swift.sysmeta import decode_headers, encode_headers


def split_results(results):
    """Sort fan-out results into answers and failures.

    A 5xx answer counts as a failure.
    """
    answers, failures = [], []
    for client, resp, body in results:
        if isinstance(resp, ClusterUnavailable):
            failures.append(resp)
        elif resp.status // 100 == 5:
            failures.append(ClusterUnavailable(
                client.name, resp.reason, status=resp.status,
                trans_id=resp.trans_id))
        else:
            answers.append((client, resp, body))
    return answers, failures


#: seconds a client is told to wait before retrying after a 503 for a
#: landlord's failure (``Retry-After``)
RETRY_AFTER = 5


def unavailable(req, failures):
    """A 503 naming the clusters that failed, with ``Retry-After``.

    :param failures: list of :class:`ClusterUnavailable`
    """
    body = '\n'.join(str(f) for f in failures) + '\n'
    note_reason(req.environ, body)
    return HTTPServiceUnavailable(request=req, body=body,
                                  content_type='text/plain',
                                  headers={'Retry-After': str(RETRY_AFTER)})


class BaseContext(object):
    """One client request being answered by the exchange.

    :param ocx: the :class:`~ocx_swift.middleware.OcxMiddleware`
    :param req: the swob Request
    :param account: WSGI-string account name
    :param container: WSGI-string container name or None
    :param obj: WSGI-string object name or None
    """

    #: methods served; others get 405
    allowed_methods = ()
    #: ``'account'``, ``'container'`` or ``'object'``
    server_type = None

    def __init__(self, ocx, req, account, container=None, obj=None):
        self.ocx = ocx
        self.req = req
        self.logger = ocx.logger
        self.account = account
        self.container = container
        self.obj = obj

    def handle(self):
        method = self.req.method
        if method == 'OPTIONS':
            return self.authorize() or self.handle_OPTIONS()
        if method not in self.allowed_methods:
            return HTTPMethodNotAllowed(
                request=self.req,
                headers={'Allow': ', '.join(self.methods())})
        if 'Origin' in self.req.headers and self.container is not None \
                and method in cors.DECORATED:
            # Swift's cors_validation reads the info before the request
            cors_info = self.container_info().get('cors') or {}
            return cors.decorate(getattr(self, 'handle_' + method)(),
                                 self.req, self.ocx.cors, cors_info)
        return getattr(self, 'handle_' + method)()

    def methods(self):
        """The methods of this resource, as Swift's ``Allow`` lists
        them."""
        return self.allowed_methods + ('OPTIONS',)

    def handle_OPTIONS(self):
        """Swift's ``Controller.OPTIONS``: ``Allow``, and a CORS
        preflight answer from the container's metadata."""
        cors_info = None
        if self.container is not None and 'Origin' in self.req.headers:
            cors_info = self.container_info().get('cors') or {}
        return cors.preflight(self.req, self.ocx.cors, self.methods(),
                              cors_info)

    # -- authorization --------------------------------------------------

    def authorize(self, acl_key=None):
        """Call ``swift.authorize`` as Swift's proxy controllers do.

        :param acl_key: ``'read_acl'`` or ``'write_acl'`` of the container
                        to retry with after a first denial, or None when
                        only the account owner may do this
        :returns: None when authorized, else the denial response
        """
        authorize = self.req.environ.get('swift.authorize')
        if authorize is None:
            return None
        denial = authorize(self.req)
        if denial and acl_key and self.container:
            self.req.acl = self.container_info()[acl_key]
            denial = authorize(self.req)
        return denial

    def container_info(self):
        """The container's info dict, from Swift's info caches or a HEAD
        that the exchange itself answers."""
        return get_container_info(self.req.environ, self.ocx,
                                  swift_source='OCX')

    def check_metadata(self, target_type):
        return check_metadata(self.req, target_type)

    # -- talking to clusters -------------------------------------------

    @property
    def backend_path(self):
        path = '/' + self.account
        if self.container is not None:
            path += '/' + self.container
            if self.obj is not None:
                path += '/' + (getattr(self, 'backend_obj', None) or
                               self.obj)
        return path

    def backend_headers(self, extra=None, headers=None):
        """Request headers fit to forward (sysmeta carried as reserved
        metadata, see :mod:`ocx_swift.sysmeta`), plus the exchange's own.

        :param extra: headers to add or override
        :param headers: exchange-side headers to start from instead of
                        the client request's
        """
        if headers is None:
            headers = self.req.headers.items()
        headers = filter_request_headers(headers)
        if extra:
            headers.update(extra)
        headers = encode_headers(self.seal_sysmeta(headers),
                                 self.server_type)
        trans_id = self.req.environ.get('swift.trans_id')
        if trans_id:
            headers['X-Trans-Id-Extra'] = trans_id
        return headers

    def client_headers(self, bresp):
        """A landlord's response headers as the exchange shows them."""
        return self.open_sysmeta(decode_headers(
            filter_response_headers(bresp.header_items()),
            self.server_type))

    def seal_sysmeta(self, headers):
        """Exchange-side headers as a landlord may read them (a split
        handler seals the sysmeta it carries); a dict."""
        return headers

    def open_sysmeta(self, items):
        """The inverse of :meth:`seal_sysmeta` on decoded response
        items."""
        return items

    def note_cluster(self, name):
        """Record in proxy-logging's log_info where the request went."""
        self.req.environ.setdefault('swift.log_info', []).append(
            'ocx_cluster=%s' % name)

    def fan_out(self, clients, method, headers=None, query_string=None,
                timeout=None, read_body=False):
        """Send the same bodiless request to several clusters at once.

        :returns: list of ``(client, response_or_error, body)`` in the
                  order of ``clients``; ``body`` is the read body when
                  ``read_body`` else None; every response is closed
        """
        headers = headers if headers is not None else self.backend_headers()

        def one(client):
            try:
                resp = client.request(method, self.backend_path,
                                      headers=headers,
                                      query_string=query_string,
                                      timeout=timeout)
            except ClusterUnavailable as err:
                return client, err, None
            try:
                body = resp.read() if read_body else None
            except Exception as err:  # a read failing half way
                return client, ClusterUnavailable(
                    client.name, 'reading the answer failed (%s)'
                    % err.__class__.__name__), None
            finally:
                resp.close()
            return client, resp, body

        pile = GreenPile(max(1, len(clients)))
        for client in clients:
            pile.spawn(one, client)
        return list(pile)

    def passthrough(self, bresp, app_iter=None):
        """A client response carrying a landlord's answer as it is.

        :param bresp: the :class:`~ocx_swift.client.BackendResponse`
        :param app_iter: the body to send; default the landlord's body
                         streamed (empty for HEAD)
        """
        if app_iter is None:
            if self.req.method == 'HEAD':
                bresp.close()
                app_iter = []
            else:
                app_iter = BackendBody(bresp)
        resp = Response(request=self.req, status=bresp.status_line,
                        app_iter=app_iter, conditional_response=False)
        resp.headers.clear()
        resp.headers.update(self.client_headers(bresp))
        return resp


class BackendBody(object):
    """A landlord's body as a WSGI app_iter whose ``close`` gives the
    connection back even when nobody started reading it."""

    def __init__(self, bresp):
        self.bresp = bresp
        self._chunks = bresp.iter_body()

    def __iter__(self):
        return self._chunks

    def close(self):
        self._chunks.close()
        self.bresp.close()


def response_from_parts(req, status, headers, body=b''):
    """A swob Response with exactly these headers."""
    resp = Response(request=req, status=status, body=body,
                    conditional_response=False)
    content_length = resp.headers.get('Content-Length')
    resp.headers.clear()
    resp.headers.update(headers)
    if req.method != 'HEAD' or 'Content-Length' not in resp.headers:
        resp.headers['Content-Length'] = content_length
    return resp


def ok(status):
    return 200 <= status < 300
