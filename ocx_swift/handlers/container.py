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

"""Account and container requests: the exchange's own metadata tier.

Accounts and containers live in the exchange's metadata tier: Swift's
account and container servers on the exchange's own rings, reached by the
proxy-server app right of ``ocx``. Every account and container request
goes there, through Swift's own controllers: authorization and ACLs,
metadata limits, storage policies (``X-Storage-Policy``), quotas,
tempurl and sync keys, listings (the object index, see
:mod:`ocx_swift.storage.index`) and counts are Swift's, exact and
complete whatever a landlord does or fails to do. Landlords never see a
container's metadata, ACLs or keys.

=========  ==============================================================
verb       what the exchange adds
=========  ==============================================================
PUT        once the metadata tier created the container, creates a bare
           container of the same name on every landlord cluster (best
           effort: objects are stored in it; a cluster that fails is
           logged and filled in by ``ocx-mover --containers-only``)
DELETE     once the metadata tier deleted it (empty, by its index),
           deletes the landlords' bare containers (best effort)
GET        strips the exchange's own ``ocx_*`` parameters from each
           entry's ``hash`` (the index keeps the MD5 of the stored bytes
           there, see :mod:`ocx_swift.storage.index`)
=========  ==============================================================

An S3 ``CreateBucket`` (a PUT from ``s3api``) of a bucket that exists
keeps the bucket as it is, with the location it was created with (see
:mod:`ocx_swift.s3location`), and a different policy is no conflict: the
metadata tier's 409 becomes 202, which ``s3api`` answers as S3 does
(``BucketAlreadyOwnedByYou``, or ``BucketAlreadyExists`` for another
owner) instead of its ``503 ServiceUnavailable`` for a 409.
"""

import json

from swift.common.concurrency import GreenPile
from swift.common.http import is_success
from swift.common.swob import HTTPAccepted, wsgi_quote
from swift.common.utils import close_if_possible
from swift.proxy.controllers.base import get_container_info

from ocx_swift.exceptions import ClusterUnavailable
from ocx_swift.s3location import LOCATION_SYSMETA
from ocx_swift.storage.index import strip_index_params

#: largest listing body the exchange rewrites (as listing_formats)
MAX_LISTING_BYTES = 8 * 1024 * 1024


class ContainerContext(object):
    """One container request: the metadata tier answers, landlords follow.

    :param ocx: the :class:`~ocx_swift.middleware.OcxMiddleware`
    :param req: the swob Request
    :param account: WSGI-string account name
    :param container: WSGI-string container name
    """

    #: the verbs the exchange adds to (others go through as they are)
    methods = ('PUT', 'DELETE', 'GET')

    def __init__(self, ocx, req, account, container):
        self.ocx = ocx
        self.req = req
        self.account = account
        self.container = container

    def handle(self):
        s3_create = self.req.method == 'PUT' and \
            self.req.environ.get('swift.source') == 'S3'
        if s3_create and LOCATION_SYSMETA in self.req.headers and \
                self.exists():
            del self.req.headers[LOCATION_SYSMETA]
        resp = self.req.get_response(self.ocx.app)
        if s3_create and resp.status_int == 409:
            close_if_possible(resp.app_iter)
            return HTTPAccepted(request=self.req)
        if not 200 <= resp.status_int < 300:
            return resp
        method = self.req.method
        if method == 'PUT':
            self.on_landlords('PUT')
        elif method == 'DELETE':
            self.on_landlords('DELETE')
        elif method == 'GET':
            filter_listing(resp)
        return resp

    def exists(self):
        """True when the metadata tier has the container."""
        info = get_container_info(self.req.environ, self.ocx.app,
                                  swift_source='OCX')
        return is_success(info.get('status'))

    def on_landlords(self, method):
        """Create or delete the bare container on every cluster, all at
        once."""
        path = '/%s/%s' % (self.account, self.container)
        headers = {'X-Trans-Id-Extra': self.req.environ.get(
            'swift.trans_id', '')}
        clients = list(self.ocx.clients.values())
        pile = GreenPile(max(1, len(clients)))
        for client in clients:
            pile.spawn(self._one, client, method, path, headers)
        for error in pile:
            if error:
                self.ocx.logger.warning('container %s: %s', wsgi_quote(path),
                                        error)

    @staticmethod
    def _one(client, method, path, headers):
        try:
            resp = client.request(method, path, headers=dict(headers))
            resp.close()
        except ClusterUnavailable as err:
            return '%s on %s failed: %s' % (method, client.name, err)
        if resp.status // 100 != 2 and resp.status != 404:
            return '%s on %s answered %s' % (method, client.name,
                                             resp.status)
        return None


def filter_listing(resp):
    """Take the index's own parameters out of a JSON object listing."""
    if 'json' not in (resp.content_type or '') or \
            resp.content_length is None or \
            resp.content_length > MAX_LISTING_BYTES:
        return
    try:
        listing = json.loads(resp.body)
    except ValueError:
        return
    if not isinstance(listing, list):
        return
    changed = False
    for entry in listing:
        if isinstance(entry, dict) and 'hash' in entry:
            clean = strip_index_params(entry['hash'])
            if clean != entry['hash']:
                entry['hash'] = clean
                changed = True
    if changed:
        resp.body = json.dumps(listing).encode('ascii')
