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

"""Container requests: fanned out to every cluster, listings merged."""

import itertools
import json
import random
from urllib.parse import parse_qs, urlencode

import pytest
from swift.common.constraints import MAX_CONTAINER_NAME_LENGTH, \
    MAX_META_COUNT
from swift.common.swob import str_to_wsgi

from tests.unit.fakes import FakeAuthorize, FakeClusterSet, FakeMemcache, \
    swift_listing

ACCOUNT = 'AUTH_test'
CONT_N = 'c\u00e9'
CONT = 'c\xc3\xa9'  # the WSGI string of 'cé'
CONT_PATH = '/v1/%s/%s' % (ACCOUNT, CONT)
BOB = 'other:bob'
NAMES_N = sorted(set(
    ['a', 'a/b', 'a/c/d', 'a-b', 'a.b', 'a0', 'b\u00e9', 'caf\u00e9',
     'caf\u00e9/x', 'caf\u00e9/y/z', 'd\u2615', 'd\u2615/1', 'z',
     '\u00e9t\u00e9', '\u00e9t\u00e9/\u00e9', '\u65e5\u672c',
     '\u65e5\u672c/\u8a9e', '\U0001f600', '\U0001f600/\U0001f601',
     'x/y', 'x/y/z', 'x.y', 'obj/', 'obj//double'] +
    ['obj%02d' % i for i in range(30)] +
    ['dir%d/f\u00e9%d' % (i, j) for i in range(4) for j in range(3)]))

#: how a container's policy is stamped on every landlord
STAMPED_POLICY = 'X-Container-Meta-Ocx-Sys-Ocx-Policy'


@pytest.fixture
def ocx(tmp_path):
    clusters = FakeClusterSet(3, tmp_path)
    yield clusters
    assert clusters.unclosed() == []


@pytest.fixture
def filled(ocx):
    """A container on every cluster, each object on its primary, and a
    few stale copies elsewhere (older, different bodies)."""
    ocx.put_container(ACCOUNT, CONT_N)
    union = {}
    for name in NAMES_N:
        cluster = ocx.put_object(ACCOUNT, CONT_N, name,
                                 name.encode('utf-8'))
        union[name] = cluster.get_object(ACCOUNT, CONT_N, name)
    for name in NAMES_N[::7]:
        primary = ocx.primary(ACCOUNT, CONT, str_to_wsgi(name))
        stale = next(c for c in ocx if c is not primary)
        stale.put_object(ACCOUNT, CONT_N, name, b'stale',
                         timestamp=1600000000.5)
    ocx.union = {n: o.listing_entry(n) for n, o in union.items()}
    return ocx


def listing(ocx, params=None, path=CONT_PATH, **kwargs):
    query = urlencode(params or {})
    resp = ocx.request(path + ('?' + query if query else ''), **kwargs)
    return resp, json.loads(resp.body) if resp.status_int == 200 else None


# -- PUT, POST ----------------------------------------------------------


def test_put_creates_on_every_cluster(ocx):
    resp = ocx.request(CONT_PATH, 'PUT', environ={'swift_owner': True},
                       headers={'X-Container-Meta-Cafe': 'cr\xc3\xa8me',
                                'X-Container-Read': '.r:*'})
    assert resp.status_int == 201
    for cluster in ocx:
        cont = cluster.get_container(ACCOUNT, CONT_N)
        assert cont is not None
        assert cont.meta == {'X-Container-Read': '.r:*',
                             'X-Container-Meta-Cafe': 'cr\xc3\xa8me',
                             STAMPED_POLICY: 'Policy-0'}
        assert [c.path for c in cluster.storage_calls('PUT')] == \
            ['/v1/AUTH_test/c\u00e9']
    assert ocx.request(CONT_PATH, 'PUT').status_int == 202


@pytest.mark.parametrize('method', ['PUT', 'POST'])
def test_versioning_headers_never_reach_landlords(ocx, method):
    """versioned_writes (left of ocx) keeps the versions location in
    sysmeta and leaves X-History-Location on the request: a landlord's
    own versioned_writes must not see it, or it versions on its own."""
    ocx.put_container(ACCOUNT, CONT_N)
    resp = ocx.request(CONT_PATH, method, headers={
        'X-History-Location': 'versions', 'X-Versions-Location': '',
        'X-Remove-Versions-Location': 'x', 'X-Versions-Enabled': 'true',
        'X-Container-Sysmeta-Versions-Location': 'versions',
        'X-Container-Sysmeta-Versions-Mode': 'history'})
    assert resp.status_int // 100 == 2
    for cluster in ocx:
        sent = cluster.storage_calls(method)[0].headers
        for name in ('X-History-Location', 'X-Versions-Location',
                     'X-Remove-Versions-Location', 'X-Versions-Enabled'):
            assert name not in sent
        assert sent['X-Container-Meta-Ocx-Sys-Versions-Mode'] == 'history'
    head = ocx.request(CONT_PATH, 'HEAD')
    assert head.headers['X-Container-Sysmeta-Versions-Location'] == \
        'versions'


def test_landlords_own_versioning_not_shown(ocx):
    ocx.put_container(ACCOUNT, CONT_N, {'X-Versions-Location': 'theirs'})
    head = ocx.request(CONT_PATH, 'HEAD')
    assert head.status_int == 204
    assert 'X-Versions-Location' not in head.headers


def test_sharding_state_only_for_resellers(ocx):
    """Landlords show their reseller (the exchange's service user) a
    container's sharding; Swift shows its own to resellers only."""
    ocx.put_container(ACCOUNT, CONT_N, {'X-Container-Sharding': 'True'})
    assert 'X-Container-Sharding' not in \
        ocx.request(CONT_PATH, 'HEAD').headers
    resp = ocx.request(CONT_PATH, 'HEAD', environ={'reseller_request': True})
    assert resp.headers['X-Container-Sharding'] == 'False'
    ocx.put_container(ACCOUNT, CONT_N, {
        'X-Container-Meta-Ocx-Sys-Sharding': 'yes'})
    resp = ocx.request(CONT_PATH, 'GET', environ={'reseller_request': True})
    assert resp.headers['X-Container-Sharding'] == 'True'


def test_put_is_201_when_new_anywhere(ocx):
    ocx.clusters[1].put_container(ACCOUNT, CONT_N)
    assert ocx.request(CONT_PATH, 'PUT').status_int == 201
    assert all(c.get_container(ACCOUNT, CONT_N) for c in ocx)


def test_container_name_limit(ocx):
    longest = str_to_wsgi('\u00e9' * (MAX_CONTAINER_NAME_LENGTH // 2))
    assert ocx.request('/v1/%s/%s' % (ACCOUNT, longest),
                       'PUT').status_int == 201
    ocx.clear_calls()
    resp = ocx.request('/v1/%s/%sx' % (ACCOUNT, longest), 'PUT')
    assert resp.status_int == 400
    assert b'Container name length of 257 longer than 256' in resp.body
    assert ocx.storage_calls() == []


@pytest.mark.parametrize('method', ['PUT', 'POST'])
def test_too_much_metadata_is_400(ocx, method):
    ocx.put_container(ACCOUNT, CONT_N)
    headers = {'X-Container-Meta-K%d' % i: 'v'
               for i in range(MAX_META_COUNT + 1)}
    resp = ocx.request(CONT_PATH, method, headers=headers)
    assert resp.status_int == 400
    assert b'Too many metadata items' in resp.body
    assert ocx.storage_calls() == []


def test_post_updates_every_cluster(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    resp = ocx.request(CONT_PATH, 'POST', headers={
        'X-Container-Meta-Colour': 'bl\xc3\xa9u'})
    assert resp.status_int == 204
    for cluster in ocx:
        assert cluster.get_container(ACCOUNT, CONT_N).meta == {
            'X-Container-Meta-Colour': 'bl\xc3\xa9u'}
    head = ocx.request(CONT_PATH, 'HEAD')
    assert head.headers['X-Container-Meta-Colour'] == 'bl\xc3\xa9u'


def test_post_to_missing_container(ocx):
    assert ocx.request(CONT_PATH, 'POST').status_int == 404
    ocx.clusters[2].put_container(ACCOUNT, CONT_N)
    assert ocx.request(CONT_PATH, 'POST').status_int == 204


def test_acls_are_cleaned_by_the_auth_system(ocx):
    def clean_acl(name, value):
        if 'bad' in value:
            raise ValueError('%s: bad ACL' % name)
        return value.replace(' ', '')

    env = {'swift.clean_acl': clean_acl, 'swift_owner': True}
    resp = ocx.request(CONT_PATH, 'PUT', environ=env, headers={
        'X-Container-Read': 'bad'})
    assert resp.status_int == 400
    assert b'bad ACL' in resp.body
    assert ocx.storage_calls() == []
    resp = ocx.request(CONT_PATH, 'PUT', environ=env, headers={
        'X-Container-Read': 'a:b, c:d'})
    assert resp.status_int == 201
    for _name, call in ocx.storage_calls('PUT'):
        assert call.headers['X-Container-Read'] == 'a:b,c:d'


@pytest.mark.parametrize('method', ['PUT', 'POST', 'DELETE'])
def test_non_owner_cannot_write_containers(ocx, method):
    ocx.put_container(ACCOUNT, CONT_N, {'X-Container-Write': BOB})
    auth = FakeAuthorize(BOB)
    resp = ocx.request(CONT_PATH, method, environ=auth.environ(),
                       headers={'X-Container-Read': BOB})
    assert resp.status_int == 403
    assert ocx.storage_calls() == []
    assert all(c.get_container(ACCOUNT, CONT_N).meta ==
               {'X-Container-Write': BOB} for c in ocx)


def test_owner_sets_acls(ocx):
    auth = FakeAuthorize('test:tester', owned=[ACCOUNT])
    resp = ocx.request(CONT_PATH, 'PUT', environ=auth.environ(),
                       headers={'X-Container-Read': BOB})
    assert resp.status_int == 201
    assert all(c.get_container(ACCOUNT, CONT_N).meta ==
               {'X-Container-Read': BOB, STAMPED_POLICY: 'Policy-0'}
               for c in ocx)


def test_acls_of_non_owner_are_not_forwarded(ocx):
    # no auth middleware: nobody is the owner, ACL headers are dropped
    resp = ocx.request(CONT_PATH, 'PUT', headers={
        'X-Container-Read': '.r:*', 'X-Container-Meta-A': 'b'})
    assert resp.status_int == 201
    for cluster in ocx:
        assert cluster.get_container(ACCOUNT, CONT_N).meta == {
            'X-Container-Meta-A': 'b', STAMPED_POLICY: 'Policy-0'}


# -- DELETE -------------------------------------------------------------


def test_delete_empty_container_everywhere(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    assert ocx.request(CONT_PATH, 'DELETE').status_int == 204
    assert not any(c.get_container(ACCOUNT, CONT_N) for c in ocx)
    assert ocx.request(CONT_PATH, 'HEAD').status_int == 404


@pytest.mark.parametrize('holder', [0, 1, 2])
def test_delete_is_409_when_any_cluster_has_objects(ocx, holder):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.clusters[holder].put_object(ACCOUNT, CONT_N, '\u2615', b'x')
    resp = ocx.request(CONT_PATH, 'DELETE')
    assert resp.status_int == 409
    assert all(c.get_container(ACCOUNT, CONT_N) for c in ocx)
    assert ocx.storage_calls('DELETE') == []


def test_delete_missing_everywhere_is_404(ocx):
    assert ocx.request(CONT_PATH, 'DELETE').status_int == 404
    assert ocx.storage_calls('DELETE') == []


def test_delete_where_partly_present(ocx):
    ocx.clusters[0].put_container(ACCOUNT, CONT_N)
    assert ocx.request(CONT_PATH, 'DELETE').status_int == 204
    assert not any(c.get_container(ACCOUNT, CONT_N) for c in ocx)


def test_delete_with_sick_cluster_is_503_and_deletes_nothing(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.clusters[1].hang()
    resp = ocx.request(CONT_PATH, 'DELETE')
    assert resp.status_int == 503
    assert b"cluster 'c2' unavailable" in resp.body
    assert ocx.storage_calls('DELETE') == []


# -- HEAD ---------------------------------------------------------------


def test_head_sums_counts(filled):
    resp = filled.request(CONT_PATH, 'HEAD')
    assert resp.status_int == 204
    stored = [o for c in filled for o in
              c.get_container(ACCOUNT, CONT_N).objects.values()]
    assert int(resp.headers['X-Container-Object-Count']) == len(stored)
    assert int(resp.headers['X-Container-Bytes-Used']) == \
        sum(len(o.body) for o in stored)
    assert 'X-Ocx-Partial' not in resp.headers
    per_cluster = [len(c.get_container(ACCOUNT, CONT_N).objects)
                   for c in filled]
    assert all(per_cluster)  # each cluster really holds a share


def test_head_metadata_from_home_cluster(ocx):
    for i, cluster in enumerate(ocx):
        cluster.put_container(ACCOUNT, CONT_N, {
            'X-Container-Meta-Who': cluster.name})
    _part, clusters = ocx.mw.ring.get_clusters(ACCOUNT, CONT)
    resp = ocx.request(CONT_PATH, 'HEAD')
    assert resp.headers['X-Container-Meta-Who'] == clusters[0]['name']


def test_head_with_sick_cluster_is_partial(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    for cluster in ocx:
        cluster.put_object(ACCOUNT, CONT_N, 'o-' + cluster.name, b'12')
    ocx.clusters[0].break_(reset=True)
    resp = ocx.request(CONT_PATH, 'HEAD')
    assert resp.status_int == 204
    assert resp.headers['X-Ocx-Partial'] == 'true'
    assert resp.headers['X-Container-Object-Count'] == '2'
    assert resp.headers['X-Container-Bytes-Used'] == '4'
    assert any('partial container HEAD' in line and 'c1' in line
               for line in ocx.logger.get_lines_for_level('warning'))


def test_head_all_sick_is_503(ocx):
    for cluster in ocx:
        cluster.fail(503)
    resp = ocx.request(CONT_PATH, 'GET')
    assert resp.status_int == 503
    for cluster in ocx:
        assert ("cluster '%s' unavailable" % cluster.name).encode(
            'ascii') in resp.body
    assert ocx.request(CONT_PATH, 'HEAD').status_int == 503


@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_missing_container_is_404(ocx, method):
    assert ocx.request(CONT_PATH, method).status_int == 404


# -- GET: the merged listing -------------------------------------------


def test_plain_listing_is_exact(filled):
    resp, got = listing(filled)
    assert resp.status_int == 200
    assert resp.content_type == 'application/json'
    assert resp.headers['Content-Length'] == str(len(resp.body))
    assert got == swift_listing(filled.union, {})
    assert [e['name'] for e in got] == NAMES_N
    # stale copies lose to the newer ones
    assert all(e['bytes'] == len(e['name'].encode('utf-8')) for e in got)
    assert int(resp.headers['X-Container-Object-Count']) > len(NAMES_N)
    queries = [c.query for _n, c in filled.storage_calls('GET')]
    assert queries == ['format=json&limit=10000'] * 3


def param_combos():
    markers = [None, 'a/b', 'caf\u00e9', 'obj15', 'zzz', '\u00e9', 'a/',
               'dir1/']
    end_markers = [None, 'obj20', 'd\u2615', '\u65e5']
    prefixes = [None, 'a', 'caf\u00e9', 'obj1', 'x/', 'dir', '\U0001f600']
    delimiters = [None, '/']
    limits = [None, '1', '3', '7']
    reverses = [None, 'true']
    combos = list(itertools.product(markers, end_markers, prefixes,
                                    delimiters, limits, reverses))
    chosen = random.Random(20260101).sample(combos, 250)
    keys = ('marker', 'end_marker', 'prefix', 'delimiter', 'limit',
            'reverse')
    return [{k: v for k, v in zip(keys, combo) if v is not None}
            for combo in chosen]


def test_listing_params_are_exact(filled):
    nonempty = 0
    for params in param_combos():
        resp, got = listing(filled, params)
        assert resp.status_int == 200, params
        assert got == swift_listing(filled.union, params), params
        nonempty += bool(got)
    assert nonempty > 80  # the combinations do exercise the merge


@pytest.mark.parametrize('path', [CONT_PATH, '/v1/' + ACCOUNT])
def test_only_listing_params_reach_landlords(filled, path):
    """A tempurl's signature (and anything else not about the listing)
    is for the middlewares left of ocx; a landlord's own tempurl would
    refuse the request."""
    filled.clear_calls()
    resp, got = listing(filled, {
        'prefix': 'a', 'temp_url_sig': 's', 'temp_url_expires': '1',
        'temp_url_prefix': '', 'inline': '', 'multipart-manifest': 'get'},
        path=path)
    assert resp.status_int == 200
    for _name, call in filled.storage_calls('GET'):
        assert sorted(parse_qs(call.query, keep_blank_values=True)) == [
            'format', 'limit', 'prefix']


@pytest.mark.parametrize('params', [
    {'delimiter': '/'}, {'delimiter': '/', 'reverse': 'on'},
    {'prefix': 'dir', 'delimiter': '/'}, {}, {'reverse': '1'},
    {'prefix': 'a/', 'delimiter': '/'}])
def test_pagination_walks_everything(filled, params):
    expected = swift_listing(filled.union, params)
    pages, marker = [], None
    while True:
        page_params = dict(params, limit='4')
        if marker is not None:
            page_params['marker'] = marker
        _resp, page = listing(filled, page_params)
        if not page:
            break
        pages.extend(page)
        last = page[-1]
        marker = last.get('name', last.get('subdir'))
    assert pages == expected


def test_listing_params_as_wsgi_strings(filled):
    # the client's query is percent-encoded UTF-8
    path = CONT_PATH + '?prefix=caf%C3%A9&delimiter=/'
    resp = filled.request(path)
    assert json.loads(resp.body) == [
        {**filled.union['caf\u00e9']}, {'subdir': 'caf\u00e9/'}]
    for _n, call in filled.storage_calls('GET'):
        assert 'prefix=caf%C3%A9' in call.query


def test_listing_skips_clusters_without_the_container(ocx):
    ocx.clusters[0].put_object(ACCOUNT, CONT_N, '\u00e9', b'1')
    ocx.clusters[2].put_object(ACCOUNT, CONT_N, 'a', b'22')
    resp, got = listing(ocx)
    assert [e['name'] for e in got] == ['a', '\u00e9']
    assert resp.headers['X-Container-Object-Count'] == '2'


def test_listing_limit_over_maximum_is_412(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    resp = ocx.request(CONT_PATH + '?limit=10001')
    assert resp.status_int == 412
    assert ocx.storage_calls() == []


@pytest.mark.parametrize('limit', ['abc', '', '-1'])
def test_invalid_limit_is_ignored_as_swift_does(filled, limit):
    resp = filled.request(CONT_PATH + '?limit=' + limit)
    assert resp.status_int == 200
    assert [e['name'] for e in json.loads(resp.body)] == NAMES_N


def test_invalid_utf8_listing_param_is_400(filled):
    resp = filled.request(CONT_PATH + '?prefix=%FF')
    assert resp.status_int == 400


def test_listing_with_a_sick_cluster_is_503_never_partial(filled):
    filled.clusters[2].hang()
    resp = filled.request(CONT_PATH)
    assert resp.status_int == 503
    assert b"cluster 'c3' unavailable: timed out" in resp.body
    assert b'"name"' not in resp.body


def test_listing_garbage_from_a_cluster_is_503(filled):
    cluster = filled.clusters[0]
    real = cluster._container

    def garbage(*args):
        status, headers, _body = real(*args)
        return status, headers, b'<html>not json'
    cluster._container = garbage
    resp = filled.request(CONT_PATH)
    assert resp.status_int == 503
    assert b"cluster 'c1' unavailable: unreadable listing" in resp.body


def test_listing_uses_the_listing_timeout(tmp_path):
    ocx = FakeClusterSet(2, tmp_path, listing_timeout='2.5',
                         node_timeout='9')
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.request(CONT_PATH)
    ocx.request(CONT_PATH, 'HEAD')
    assert [c.timeout.read for _n, c in ocx.storage_calls('GET')] \
        == [2.5, 2.5]
    assert [c.timeout.read for _n, c in ocx.storage_calls('HEAD')] \
        == [9.0, 9.0]
    assert ocx.unclosed() == []


# -- GET and HEAD: authorization ----------------------------------------


@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_non_owner_without_acl_is_denied(filled, method):
    auth = FakeAuthorize(BOB)
    resp = filled.request(CONT_PATH, method, environ=auth.environ())
    assert resp.status_int == 403
    assert b'"name"' not in resp.body
    assert auth.calls == [(method, CONT_PATH, None)]


@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_non_owner_of_missing_container_is_denied(ocx, method):
    auth = FakeAuthorize(BOB)
    resp = ocx.request(CONT_PATH, method, environ=auth.environ())
    assert resp.status_int == 403


@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_non_owner_with_read_acl_does_not_see_acls(filled, method):
    filled.put_container(ACCOUNT, CONT_N, {
        'X-Container-Read': BOB, 'X-Container-Write': 'x:y',
        'X-Container-Meta-Temp-Url-Key': 'tempurl-secret',
        'X-Container-Meta-Public': 'yes'})
    auth = FakeAuthorize(BOB)
    resp = filled.request(CONT_PATH, method, environ=auth.environ())
    assert resp.status_int == (200 if method == 'GET' else 204)
    assert auth.calls == [(method, CONT_PATH, BOB)]
    for hidden in ('X-Container-Read', 'X-Container-Write',
                   'X-Container-Meta-Temp-Url-Key'):
        assert hidden not in resp.headers
    assert resp.headers['X-Container-Meta-Public'] == 'yes'
    if method == 'GET':
        assert len(json.loads(resp.body)) == len(NAMES_N)


@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_owner_sees_acls(filled, method):
    filled.put_container(ACCOUNT, CONT_N, {
        'X-Container-Read': BOB, 'X-Container-Write': 'x:y'})
    auth = FakeAuthorize('test:tester', owned=[ACCOUNT])
    resp = filled.request(CONT_PATH, method, environ=auth.environ())
    assert resp.headers['X-Container-Read'] == BOB
    assert resp.headers['X-Container-Write'] == 'x:y'


def test_acls_hidden_whatever_case_the_landlord_uses(filled):
    filled.put_container(ACCOUNT, CONT_N, {
        'X-Container-Read': BOB, 'X-Container-Write': 'x:y'})
    for cluster in filled:
        cluster.lowercase_headers = True
    auth = FakeAuthorize(BOB)
    resp = filled.request(CONT_PATH, 'HEAD', environ=auth.environ())
    assert resp.status_int == 204
    assert 'X-Container-Write' not in resp.headers
    assert 'X-Container-Read' not in resp.headers


@pytest.mark.parametrize('cont_n', ['plain', 'caf\u00e9'])
def test_acl_change_clears_cached_container_info(ocx, cont_n):
    ocx.put_container(ACCOUNT, cont_n, {'X-Container-Read': BOB})
    ocx.put_object(ACCOUNT, cont_n, 'o', b'shared')
    cache = FakeMemcache()
    path = '/v1/%s/%s' % (ACCOUNT, str_to_wsgi(cont_n))
    bob = FakeAuthorize(BOB)
    owner = FakeAuthorize('test:tester', owned=[ACCOUNT])
    resp = ocx.request(path + '/o', environ=bob.environ(**{
        'swift.cache': cache}))
    assert resp.status_int == 200
    assert cache.store  # container info is cached
    resp = ocx.request(path, 'POST', headers={'X-Container-Read': ''},
                       environ=owner.environ(**{'swift.cache': cache}))
    assert resp.status_int == 204
    resp = ocx.request(path + '/o', environ=bob.environ(**{
        'swift.cache': cache}))
    assert resp.status_int == 403
