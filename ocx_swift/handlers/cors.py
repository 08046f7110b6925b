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

"""CORS as Swift's proxy controllers answer it.

Swift's proxy answers CORS in its controllers, not in a middleware:
``Controller.OPTIONS`` answers preflight requests from the container's
``X-Container-Meta-Access-Control-*`` metadata, and the
``cors_validation`` decorator adds ``Access-Control-Allow-Origin``,
``Access-Control-Expose-Headers`` and ``Vary`` to the answers of
container and object requests that carry an ``Origin``. ``ocx`` answers
those requests itself, so it does the same here, with the proxy-server
app's own ``cors_allow_origin``, ``cors_expose_headers`` and
``strict_cors_mode`` (:class:`CorsSettings`). Landlords never see a
client's ``Origin`` (:data:`ocx_swift.client.REQUEST_HEADER_BLOCKLIST`):
the exchange's settings and the container's metadata decide, as on one
Swift cluster.
"""

import collections

from swift.common.swob import Response
from swift.common.utils import list_from_csv

#: what every CORS answer exposes (``swift.proxy.controllers.base``)
SIMPLE_EXPOSED = frozenset((
    'cache-control', 'content-language', 'content-type', 'expires',
    'last-modified', 'pragma', 'etag', 'x-timestamp', 'x-trans-id',
    'x-openstack-request-id'))
#: the methods whose answers Swift's ``cors_validation`` decorates
DECORATED = frozenset(('GET', 'HEAD', 'PUT', 'POST', 'DELETE'))

CorsSettings = collections.namedtuple(
    'CorsSettings', 'allow_origin expose_headers strict_mode')
CorsSettings.__doc__ = """The proxy-server app's CORS options: lists of
allowed origins and exposed headers, and ``strict_cors_mode``."""


def settings_of(app):
    """The CORS settings of Swift's proxy-server ``app`` (Swift's
    defaults for an app without them)."""
    return CorsSettings(
        allow_origin=list(getattr(app, 'cors_allow_origin', ())),
        expose_headers=list(getattr(app, 'cors_expose_headers', ())),
        strict_mode=getattr(app, 'strict_cors_mode', True))


def is_origin_allowed(settings, cors_info, origin):
    """Swift's ``Controller.is_origin_allowed``."""
    allowed = set(a.strip() for a in (cors_info.get('allow_origin') or
                                      '').split(' ') if a.strip())
    allowed.update(settings.allow_origin)
    return origin in allowed or '*' in allowed


def _add_vary(headers, name):
    vary = headers.get('Vary')
    headers['Vary'] = vary + ', ' + name if vary else name


def _allow_origin(headers, cors_info, origin):
    if (cors_info.get('allow_origin') or '').strip() == '*':
        headers['Access-Control-Allow-Origin'] = '*'
    else:
        headers['Access-Control-Allow-Origin'] = origin
        _add_vary(headers, 'Origin')


def preflight(req, settings, allowed_methods, cors_info):
    """The answer to an OPTIONS request, as ``Controller.OPTIONS`` gives.

    :param allowed_methods: the methods of the resource, for ``Allow``
    :param cors_info: the container info's ``cors`` dict, or None for an
                      account (Swift answers those without CORS)
    """
    allow = ', '.join(allowed_methods)
    resp = Response(status=200, request=req, headers={'Allow': allow})
    origin = req.headers.get('Origin')
    if not origin or cors_info is None:
        return resp
    if not is_origin_allowed(settings, cors_info, origin) or \
            req.headers.get('Access-Control-Request-Method') not in \
            allowed_methods:
        resp.status = 401
        return resp
    headers = {'Allow': allow}
    _allow_origin(headers, cors_info, origin)
    if cors_info.get('max_age') is not None:
        headers['Access-Control-Max-Age'] = cors_info['max_age']
    headers['Access-Control-Allow-Methods'] = allow
    requested = set(list_from_csv(
        req.headers.get('Access-Control-Request-Headers')))
    if requested:
        headers['Access-Control-Allow-Headers'] = ', '.join(requested)
        _add_vary(headers, 'Access-Control-Request-Headers')
    resp.headers = headers
    return resp


def decorate(resp, req, settings, cors_info):
    """Add CORS headers to the answer of a request with an ``Origin``,
    as Swift's ``cors_validation`` does (in place; returns ``resp``)."""
    origin = req.headers['Origin']
    if settings.strict_mode and not is_origin_allowed(
            settings, cors_info, origin):
        return resp
    headers = resp.headers
    if 'Access-Control-Expose-Headers' not in headers:
        expose = set(SIMPLE_EXPOSED)
        expose.update(settings.expose_headers)
        expose.update(h.lower() for h in headers
                      if h.startswith(('X-Container-Meta',
                                       'X-Object-Meta')))
        expose.update(h.strip().lower() for h in (
            cors_info.get('expose_headers') or '').split(' ') if h.strip())
        headers['Access-Control-Expose-Headers'] = ', '.join(expose)
    if 'Access-Control-Allow-Origin' not in headers:
        _allow_origin(headers, cors_info, origin)
    return resp
