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

"""Container requests: every cluster the container's objects may land on.

=========  ==============================================================
verb       what the exchange does
=========  ==============================================================
PUT        creates the container on every cluster of the ring: 201 when
           it was new somewhere, 202 when it existed everywhere
POST       updates metadata on every cluster
HEAD       metadata from the container's home cluster (the first of the
           ring's order for ``/account/container`` that answers); object
           count and bytes summed over all clusters
GET        an N-way merge of the clusters' sorted JSON listings with the
           client's marker, end_marker, prefix, delimiter, limit and
           reverse; ``listing_formats`` (left of ``ocx``) renders the
           format the client asked for
DELETE     409 when any cluster still holds objects, else deletes it on
           every cluster
=========  ==============================================================

Partial failure: PUT, POST and DELETE answer 503 naming the clusters that
failed (repeating the request is safe). HEAD answers from the clusters
that are up and marks the counts partial with ``X-Ocx-Partial: true``.
GET answers 503: a listing with holes is never passed off as whole.
"""

import json

from swift.common.constraints import MAX_CONTAINER_NAME_LENGTH
from swift.common.request_helpers import validate_container_params
from swift.common.swob import HTTPBadRequest, HTTPConflict, HTTPException, \
    HTTPNotFound
from swift.common.utils import config_true_value
from swift.common.storage_policy import POLICIES

from ocx_swift.handlers.base import BaseContext, ok, \
    response_from_parts, split_results, sum_headers, unavailable
from ocx_swift.listing import merge_object_listings
from ocx_swift.sysmeta import decode_listing_entry

COUNT_HEADERS = ('X-Container-Object-Count', 'X-Container-Bytes-Used')


class ContainerContext(BaseContext):
    """Answers one container request."""

    allowed_methods = ('GET', 'HEAD', 'PUT', 'POST', 'DELETE')
    server_type = 'container'

    def clients(self):
        """Clients of every cluster, the container's home cluster first."""
        _part, primaries = self.ocx.ring.get_clusters(
            self.account, self.container)
        names = [c['name'] for c in primaries]
        names += [c['name'] for c in self.ocx.ring.clusters
                  if c['name'] not in names]
        return [self.ocx.clients[name] for name in names]

    # -- writes ---------------------------------------------------------

    def _check_write(self):
        if len(self.container) > MAX_CONTAINER_NAME_LENGTH:
            return HTTPBadRequest(
                request=self.req, body='Container name length of %d longer '
                'than %d' % (len(self.container), MAX_CONTAINER_NAME_LENGTH))
        return self.authorize() or self.clean_acls() or \
            self.check_metadata('container') or \
            self.check_stored_metadata(self.clients()[0])

    def _write_all(self):
        self.strip_owner_headers(self.req.headers)
        self.req.headers.pop('X-Storage-Policy', None)
        results = self.fan_out(self.clients(), self.req.method)
        self.clear_info()
        answers, failures = split_results(results)
        if failures:
            return unavailable(self.req, failures)
        return answers

    def handle_PUT(self):
        error = self._check_write() or self._check_policy()
        if error:
            return error
        answers = self._write_all()
        if not isinstance(answers, list):
            return answers
        statuses = [resp.status for _c, resp, _b in answers]
        if all(ok(s) for s in statuses):
            status = 201 if 201 in statuses else 202
            return response_from_parts(self.req, status, {
                'Content-Type': 'text/html; charset=UTF-8'})
        return self._first_error(answers)

    def handle_POST(self):
        error = self._check_write()
        if error:
            return error
        answers = self._write_all()
        if not isinstance(answers, list):
            return answers
        if all(resp.status == 404 for _c, resp, _b in answers):
            return HTTPNotFound(request=self.req)
        if all(ok(resp.status) or resp.status == 404
               for _c, resp, _b in answers):
            return response_from_parts(self.req, 204, {
                'Content-Type': 'text/html; charset=UTF-8'})
        return self._first_error(answers)

    def handle_DELETE(self):
        denial = self.authorize()
        if denial:
            return denial
        answers, failures = split_results(self.fan_out(
            self.clients(), 'HEAD'))
        if failures:
            return unavailable(self.req, failures)
        found = [resp for _c, resp, _b in answers if ok(resp.status)]
        if not found:
            return HTTPNotFound(request=self.req)
        if any(int(resp.headers.get('X-Container-Object-Count', 0))
               for resp in found):
            return HTTPConflict(request=self.req)
        answers = self._write_all()
        if not isinstance(answers, list):
            return answers
        statuses = [resp.status for _c, resp, _b in answers]
        if all(ok(s) or s == 404 for s in statuses):
            return response_from_parts(self.req, 204, {
                'Content-Type': 'text/html; charset=UTF-8'})
        return self._first_error(answers)

    def _check_policy(self):
        """A container takes the exchange's default storage policy; a
        policy the exchange does not know is refused as Swift does."""
        name = self.req.headers.get('X-Storage-Policy')
        if not name:
            return None
        policy = POLICIES.get_by_name(name)
        if policy is None:
            return HTTPBadRequest(request=self.req,
                                  content_type='text/plain',
                                  body='Invalid X-Storage-Policy %r' % name)
        if policy.is_deprecated:
            return HTTPBadRequest(request=self.req,
                                  content_type='text/plain',
                                  body='Storage Policy %r is deprecated' %
                                  policy.name)
        return None

    def _first_error(self, answers):
        for _client, resp, body in answers:
            if not ok(resp.status) and resp.status != 404:
                break
        headers = self.client_headers(resp)
        return response_from_parts(self.req, resp.status_line, headers,
                                   body or b'')

    # -- reads ----------------------------------------------------------

    def handle_HEAD(self):
        results = self.fan_out(self.clients(), 'HEAD')
        return self._read_response(results, b'')

    def handle_GET(self):
        try:
            params = validate_container_params(self.req)
        except HTTPException as err:
            return err
        results, listings, error = self.fetch_listings(
            params['limit'], decode_listing_entry)
        if error:
            return error
        merged = merge_object_listings(
            listings, params['limit'],
            config_true_value(params.get('reverse')))
        return self._read_response(
            results, json.dumps(merged).encode('ascii'))

    def _read_response(self, results, body):
        """The client's answer to HEAD or GET from the landlords'."""
        answers, failures = split_results(results)
        found = [(c, r, b) for c, r, b in answers if ok(r.status)]
        if not found:
            return self._not_found(answers, failures)
        req = self.req
        if 'swift.authorize' in req.environ:
            req.acl = found[0][1].headers.get('X-Container-Read')
            denial = req.environ['swift.authorize'](req)
            if denial:
                return denial
        home = found[0][1]
        headers = dict(self.client_headers(home))
        headers.update(sum_headers(found, COUNT_HEADERS))
        headers['X-Storage-Policy'] = POLICIES.default.name
        if failures:
            headers['X-Ocx-Partial'] = 'true'
            for failure in failures:
                self.logger.warning('partial container HEAD: %s', failure)
        resp = response_from_parts(req, home.status_line, headers, body)
        if not failures:
            self.cache_info(resp)
        self.strip_owner_headers(resp.headers)
        if req.environ.get('reseller_request'):
            # as Swift's container controller (a landlord's own sharding
            # is no business of the exchange's clients)
            resp.headers['X-Container-Sharding'] = str(config_true_value(
                headers.get('X-Container-Sysmeta-Sharding', 'False')))
        return resp

    def _not_found(self, answers, failures):
        """No landlord has the container, or every one refused."""
        denial = self.authorize()
        if denial:
            return denial
        for _client, resp, body in answers:
            if resp.status != 404:
                return response_from_parts(
                    self.req, resp.status_line,
                    self.client_headers(resp),
                    body or b'')
        if failures:
            return unavailable(self.req, failures)
        return HTTPNotFound(request=self.req)
