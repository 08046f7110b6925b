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
from urllib.parse import urlencode

from swift.common.constraints import MAX_CONTAINER_NAME_LENGTH
from swift.common.request_helpers import validate_container_params
from swift.common.swob import HTTPBadRequest, HTTPConflict, HTTPException, \
    HTTPNotFound, wsgi_to_str
from swift.common.storage_policy import POLICIES
from swift.common.utils import config_true_value

from ocx_swift.handlers.base import BaseContext, ok, \
    response_from_parts, split_results, sum_headers, unavailable
from ocx_swift.exceptions import ClusterUnavailable
from ocx_swift.handlers.split import hidden_name
from ocx_swift.listing import filter_object_listing, merge_object_listings
from ocx_swift.sysmeta import POLICY_HEADER, POLICY_SYSMETA, \
    decode_listing_entry, name_token

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
        error = self._check_write()
        if error:
            return error
        policy, error = self._put_policy()
        if error:
            return error
        self.req.headers[POLICY_HEADER] = policy.name
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

    def _put_policy(self):
        """The policy of the container being created or updated.

        ``X-Storage-Policy`` names one of the exchange's policies (400 for
        an unknown one); an existing container keeps its policy (409 when
        asked for another, as Swift); the default policy otherwise.

        :returns: ``(policy, None)`` or ``(None, error response)``
        """
        policies = self.ocx.policies
        asked = self.req.headers.get('X-Storage-Policy')
        policy = policies.get(asked) if asked else None
        if asked and policy is None:
            return None, HTTPBadRequest(
                request=self.req, content_type='text/plain',
                body='Invalid X-Storage-Policy %r' % asked)
        info = self.container_info()
        if ok(info.get('status') or 0):
            current = policies.get(info.get('sysmeta', {}).get(
                POLICY_SYSMETA)) or policies.default
            if policy is not None and policy is not current:
                return None, HTTPConflict(
                    request=self.req, content_type='text/plain',
                    body='Container already exists with storage policy '
                    '%r' % current.name)
            return current, None
        return policy or policies.default, None

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
        if self._policy().hide_names:
            return self._hidden_listing(params)
        results, listings, error = self.fetch_listings(
            params['limit'], decode_listing_entry)
        if error:
            return error
        merged = merge_object_listings(
            listings, params['limit'],
            config_true_value(params.get('reverse')))
        return self._read_response(
            results, json.dumps(merged).encode('ascii'))

    def _policy(self):
        """This container's policy (the default for one not found)."""
        policies = self.ocx.policies
        if len(policies) == 1:
            return policies.default
        name = self.container_info().get('sysmeta', {}).get(POLICY_SYSMETA)
        return policies.get(name) or policies.default

    def _hidden_listing(self, params):
        """A listing of a container whose landlords hold keyed hashes:
        read every entry from every cluster, open the sealed names, sort
        and page here (cost grows with the container, not the page)."""
        firsts, everything, failures = [], [], []
        for client in self.clients():
            try:
                first, entries = self._all_entries(client)
            except ClusterUnavailable as err:
                failures.append(err)
                continue
            firsts.append(first)
            everything.append(entries)
        if failures:
            return unavailable(self.req, failures)
        secrets = [self.ocx.split_root_secret] + [
            v for k, v in sorted(self.ocx.split_secrets.items())
            if k != self.ocx.active_secret_id]
        account, container = wsgi_to_str(self.account), \
            wsgi_to_str(self.container)
        by_name = {}
        for entries in everything:
            for entry in entries:
                token = name_token(entry.get('content_type', ''))
                name = token and hidden_name(secrets, account, container,
                                             token)
                if not name:
                    self.logger.warning('listing of %s: entry %r has no '
                                        'valid sealed name', self.backend_path,
                                        entry.get('name'))
                    continue
                entry = decode_listing_entry(dict(entry, name=name))
                if name not in by_name or entry.get('last_modified', '') > \
                        by_name[name].get('last_modified', ''):
                    by_name[name] = entry
        page = filter_object_listing(
            [by_name[n] for n in sorted(by_name)], params['limit'],
            params.get('marker', ''), params.get('end_marker', ''),
            params.get('prefix'), params.get('delimiter'),
            config_true_value(params.get('reverse')))
        return self._read_response(firsts, json.dumps(page).encode('ascii'))

    def _all_entries(self, client):
        """Every entry of this container on one cluster, paged.

        :returns: ``(first page's (client, resp, body), entries)``
        :raises ClusterUnavailable: on failure or an unreadable page
        """
        entries, marker, first = [], '', None
        while True:
            query = urlencode({'format': 'json', 'limit': '10000',
                               'marker': marker})
            resp = client.request('GET', self.backend_path,
                                  headers=self.backend_headers(headers=[]),
                                  query_string=query,
                                  timeout=self.ocx.timeouts.listing)
            body = resp.read()
            if first is None:
                first = (client, resp, body)
            if resp.status // 100 == 5:
                raise ClusterUnavailable(client.name, resp.reason,
                                         status=resp.status,
                                         trans_id=resp.trans_id)
            if not ok(resp.status):
                return first, entries
            try:
                page = json.loads(body) if body else []
            except ValueError:
                raise ClusterUnavailable(client.name, 'unreadable listing')
            entries.extend(page)
            if len(page) < 10000:
                return first, entries
            marker = page[-1]['name']

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
        policy = self.ocx.policies.get(
            headers.get(POLICY_HEADER)) or self.ocx.policies.default
        counts = sum_headers(found, COUNT_HEADERS)
        # every object is stored on ``width`` clusters
        counts['X-Container-Object-Count'] //= policy.width
        headers.update(counts)
        headers['X-Storage-Policy'] = policy.name
        if failures:
            headers['X-Ocx-Partial'] = 'true'
            for failure in failures:
                self.logger.warning('partial container HEAD: %s', failure)
        resp = response_from_parts(req, home.status_line, headers, body)
        if not failures:
            # s3api gives a bucket's segment container the bucket's policy
            # by the index info caches keep
            swift_policy = POLICIES.get_by_name(policy.name)
            self.cache_info(resp, None if swift_policy is None else {
                'X-Backend-Storage-Policy-Index': str(int(swift_policy))})
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
