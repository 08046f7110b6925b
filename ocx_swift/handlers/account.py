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

"""Account requests: merged over every cluster of the ring.

=========  ==============================================================
verb       what the exchange does
=========  ==============================================================
HEAD       metadata from the first cluster that answers; object count
           and bytes summed, container count the largest any cluster has
           (every container lives on every cluster)
GET        an N-way merge of the clusters' container listings; a
           container's count and bytes are summed over the clusters
POST       metadata update on every cluster
PUT/DELETE 405, as a Swift proxy without ``allow_account_management``
=========  ==============================================================

Partial failure as for containers: HEAD marks partial counts with
``X-Ocx-Partial: true``; GET and POST answer 503 naming the clusters.
"""

import json

from swift.common.constraints import ACCOUNT_LISTING_LIMIT
from swift.common.middleware.acl import format_acl, parse_acl
from swift.common.request_helpers import get_sys_meta_prefix
from swift.common.request_helpers import constrain_req_limit, \
    validate_params
from swift.common.swob import HTTPException, HTTPNotFound
from swift.common.utils import config_true_value

from ocx_swift.handlers.base import BaseContext, ok, \
    response_from_parts, split_results, sum_headers, unavailable
from ocx_swift.listing import merge_account_listings

SUMMED_HEADERS = ('X-Account-Object-Count', 'X-Account-Bytes-Used')
ACL_SYSMETA = get_sys_meta_prefix('account') + 'core-access-control'


def show_account_acls(headers):
    """Turn the account ACL sysmeta into ``X-Account-Access-Control``
    for the account's owner, as Swift's account controller does."""
    acl = parse_acl(version=2, data=headers.pop(ACL_SYSMETA, None))
    if acl:
        headers['X-Account-Access-Control'] = format_acl(
            version=2, acl_dict=acl)


class AccountContext(BaseContext):
    """Answers one account request."""

    allowed_methods = ('GET', 'HEAD', 'POST')
    server_type = 'account'

    def clients(self):
        return [self.ocx.clients[c['name']] for c in self.ocx.ring.clusters]

    def handle_POST(self):
        denial = self.authorize() or self.check_metadata('account') or \
            self.check_stored_metadata(self.clients()[0])
        if denial:
            return denial
        self.strip_owner_headers(self.req.headers)
        self.clear_info()
        answers, failures = split_results(self.fan_out(
            self.clients(), 'POST'))
        if failures:
            return unavailable(self.req, failures)
        for _client, resp, body in answers:
            if not ok(resp.status):
                return response_from_parts(
                    self.req, resp.status_line,
                    self.client_headers(resp), body or b'')
        return response_from_parts(self.req, 204, {
            'Content-Type': 'text/html; charset=UTF-8'})

    def handle_HEAD(self):
        denial = self.authorize()
        if denial:
            return denial
        results = self.fan_out(self.clients(), 'HEAD')
        return self._read_response(results, b'')

    def handle_GET(self):
        denial = self.authorize()
        if denial:
            return denial
        try:
            params = validate_params(self.req, (
                'marker', 'end_marker', 'prefix', 'delimiter', 'reverse'))
            limit = constrain_req_limit(self.req, ACCOUNT_LISTING_LIMIT)
        except HTTPException as err:
            return err
        results, listings, error = self.fetch_listings(limit)
        if error:
            return error
        merged = merge_account_listings(
            listings, limit, config_true_value(params.get('reverse')))
        return self._read_response(
            results, json.dumps(merged).encode('ascii'))

    def _read_response(self, results, body):
        answers, failures = split_results(results)
        found = [(c, r, b) for c, r, b in answers if ok(r.status)]
        if not found:
            if failures:
                return unavailable(self.req, failures)
            return HTTPNotFound(request=self.req)
        first = found[0][1]
        headers = dict(self.client_headers(first))
        headers.update(sum_headers(found, SUMMED_HEADERS))
        headers['X-Account-Container-Count'] = max(
            int(r.headers.get('X-Account-Container-Count', 0))
            for _c, r, _b in found)
        if failures:
            headers['X-Ocx-Partial'] = 'true'
        resp = response_from_parts(self.req, first.status_line, headers,
                                   body)
        if not failures:
            self.cache_info(resp)
        if self.req.environ.get('swift_owner'):
            show_account_acls(resp.headers)
        else:
            self.strip_owner_headers(resp.headers)
        return resp
