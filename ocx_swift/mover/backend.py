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

"""What the mover asks of one landlord cluster.

Thin wrappers over :class:`~ocx_swift.client.ClusterClient`: paged JSON
listings, container metadata, and the object requests a move is made of.
Names are native strings (as the landlord's JSON listings and the
command line give them); they become WSGI-string paths
(``/account/container/object``, what the client sends) only in
:func:`account_path`, :func:`container_path` and :func:`object_path`.
Every function raises :class:`~ocx_swift.exceptions.ClusterUnavailable`
when the cluster does not answer or answers 5xx, and :class:`Refused` on
another answer it cannot use.
"""

import json
from datetime import datetime, timezone
from urllib.parse import urlencode

from swift.common.swob import str_to_wsgi, wsgi_quote

from ocx_swift.exceptions import ClusterUnavailable, OcxError
from ocx_swift.sysmeta import decode_headers

PAGE = 1000
#: object headers a landlord stores and a copy must keep (besides
#: Content-Type and X-Object-Meta-*)
KEPT_OBJECT_HEADERS = ('content-encoding', 'content-disposition',
                       'content-language', 'cache-control', 'expires',
                       'x-robots-tag', 'x-delete-at')
#: container headers a new copy of the container must carry (besides
#: X-Container-Meta-*, which holds the exchange's reserved keys, the
#: policy stamp among them)
KEPT_CONTAINER_HEADERS = ('x-container-read', 'x-container-write',
                          'x-container-sync-to', 'x-container-sync-key',
                          'x-versions-location', 'x-history-location')


class Refused(OcxError):
    """A landlord answered with a status the mover cannot use.

    :param cluster: the cluster name
    :param what: what was asked, e.g. ``'PUT /a/c/o'``
    :param status: the status line
    """

    def __init__(self, cluster, what, status):
        self.cluster = cluster
        self.what = what
        self.status = status
        super().__init__('cluster %r: %s answered %s'
                         % (cluster, what, status))


def check(client, resp, method, path, allowed=()):
    """Return ``resp`` if 2xx or in ``allowed``; else close it and raise.

    :param method: the request's method, for the error
    :param path: the request's WSGI-string path, for the error
    :raises ClusterUnavailable: on 5xx
    :raises Refused: on any other status
    """
    if 200 <= resp.status < 300 or resp.status in allowed:
        return resp
    resp.close()
    if resp.status // 100 == 5:
        raise ClusterUnavailable(client.name, resp.reason,
                                 status=resp.status, trans_id=resp.trans_id)
    raise Refused(client.name, '%s %s' % (method, wsgi_quote(path)),
                  resp.status_line)


def headers_dict(resp):
    """A landlord's response headers as a dict of lower-case names."""
    return {k.lower(): v for k, v in resp.header_items()}


def timestamp_of(headers):
    """The float ``X-Timestamp`` of an object answer (0.0 if absent)."""
    try:
        return float(headers.get('x-timestamp', 0))
    except ValueError:
        return 0.0


def entry_time(entry):
    """The float timestamp of a JSON listing entry's ``last_modified``."""
    text = entry.get('last_modified', '')
    try:
        when = datetime.strptime(text, '%Y-%m-%dT%H:%M:%S.%f')
    except ValueError:
        try:
            when = datetime.strptime(text, '%Y-%m-%dT%H:%M:%S')
        except ValueError:
            return 0.0
    return when.replace(tzinfo=timezone.utc).timestamp()


def listing_pages(client, path, marker='', timeout=None, headers=None):
    """Yield the pages of a JSON listing, following ``marker``.

    :param path: WSGI-string ``/account`` or ``/account/container``
    :param marker: name to start after
    :returns: generator of lists of entry dicts; nothing for a 404
    """
    while True:
        query = urlencode({'format': 'json', 'limit': str(PAGE),
                           'marker': marker})
        resp = check(client, client.request(
            'GET', path, headers=dict(headers or {}), query_string=query,
            timeout=timeout), 'GET', path, allowed=(404,))
        body = resp.read()
        if resp.status == 404:
            return
        try:
            page = json.loads(body) if body else []
        except ValueError:
            raise ClusterUnavailable(client.name, 'unreadable listing of '
                                     '%s' % wsgi_quote(path))
        if page:
            yield page
        if len(page) < PAGE:
            return
        marker = page[-1].get('name', page[-1].get('subdir', ''))


def container_names(client, account, timeout=None):
    """Yield the container names of an account."""
    for page in listing_pages(client, account_path(account),
                              timeout=timeout):
        for entry in page:
            yield entry['name']


def object_entries(client, account, container, marker='', timeout=None):
    """Yield the JSON entries of a container's objects, by name.

    :param marker: object name to start after
    """
    for page in listing_pages(client, container_path(account, container),
                              marker, timeout):
        for entry in page:
            if 'name' in entry:
                yield entry


def head(client, path):
    """HEAD a path: its lower-case headers dict, or None for a 404."""
    resp = check(client, client.request('HEAD', path), 'HEAD', path,
                 allowed=(404,))
    resp.close()
    if resp.status == 404:
        return None
    return headers_dict(resp)


def container_metadata(headers):
    """What a new copy of a container must be created with.

    :param headers: lower-case headers of a landlord's container HEAD
    """
    return {k: v for k, v in headers.items()
            if (k.startswith('x-container-meta-') and v) or
            k in KEPT_CONTAINER_HEADERS}


def policy_of(headers):
    """The exchange policy stamped on a container, or None.

    :param headers: lower-case headers of a landlord's container HEAD
    """
    for name, value in decode_headers(headers.items(), 'container'):
        if name.lower() == 'x-container-sysmeta-ocx-policy':
            return value
    return None


def put_container(client, path, headers):
    """Create a container with ``headers``."""
    check(client, client.request('PUT', path, headers=dict(headers)),
          'PUT', path).close()


def object_put_headers(headers):
    """The PUT headers that store a copy of an object.

    :param headers: lower-case headers of the source's GET answer
    """
    out = {k: v for k, v in headers.items()
           if k in KEPT_OBJECT_HEADERS or
           (k.startswith('x-object-meta-') and v)}
    out['content-type'] = headers.get('content-type',
                                      'application/octet-stream')
    out['etag'] = headers.get('etag', '').strip('"')
    out['content-length'] = headers.get('content-length', '0')
    return out


def account_path(account):
    """The WSGI-string path of an account."""
    return '/' + str_to_wsgi(account)


def container_path(account, container):
    """The WSGI-string path of a container."""
    return '%s/%s' % (account_path(account), str_to_wsgi(container))


def object_path(account, container, name):
    """The WSGI-string path of an object."""
    return '%s/%s' % (container_path(account, container), str_to_wsgi(name))
