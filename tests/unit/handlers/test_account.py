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

"""Account requests: merged over every cluster."""

import json
from urllib.parse import urlencode

import pytest
from swift.common.constraints import MAX_META_COUNT

from tests.unit.fakes import FakeAuthorize, FakeClusterSet, swift_listing

ACCOUNT_N = 'AUTH_t\u00e9st'
ACCOUNT = 'AUTH_t\xc3\xa9st'  # WSGI string
ACCOUNT_PATH = '/v1/' + ACCOUNT
BOB = 'other:bob'
CONTAINERS_N = ['a', 'a/b', 'b\u00e9', 'caf\u00e9', 'caf\u00e9/x',
                'd\u2615', 'obj1', 'obj2', 'obj3', 'z', '\u00e9t\u00e9',
                '\u65e5\u672c', '\U0001f600']


@pytest.fixture
def ocx(tmp_path):
    clusters = FakeClusterSet(3, tmp_path)
    yield clusters
    assert clusters.unclosed() == []


@pytest.fixture
def filled(ocx):
    """Every container on every cluster; objects spread by the ring."""
    for name in CONTAINERS_N:
        ocx.put_container(ACCOUNT_N, name)
        for i in range(len(name)):
            ocx.put_object(ACCOUNT_N, name, 'o%d\u00e9' % i, b'x' * i)
    return ocx


def union_entries(ocx):
    """What one cluster holding everything would list."""
    entries = {}
    for name in CONTAINERS_N:
        conts = [c.get_container(ACCOUNT_N, name) for c in ocx]
        entries[name] = {
            'name': name,
            'count': sum(len(c.objects) for c in conts),
            'bytes': sum(c.bytes_used for c in conts),
            'last_modified': max(c.listing_entry(name)['last_modified']
                                 for c in conts)}
    return entries


def test_head_sums_counts(filled):
    resp = filled.request(ACCOUNT_PATH, 'HEAD')
    assert resp.status_int == 204
    entries = union_entries(filled).values()
    assert int(resp.headers['X-Account-Object-Count']) == \
        sum(e['count'] for e in entries)
    assert int(resp.headers['X-Account-Bytes-Used']) == \
        sum(e['bytes'] for e in entries)
    assert resp.headers['X-Account-Container-Count'] == \
        str(len(CONTAINERS_N))
    assert 'X-Ocx-Partial' not in resp.headers
    assert [c.path for _n, c in filled.storage_calls()] == \
        ['/v1/AUTH_t\u00e9st'] * 3


def test_head_container_count_is_the_largest(ocx):
    ocx.clusters[0].put_container(ACCOUNT_N, 'only-here')
    ocx.put_container(ACCOUNT_N, 'everywhere')
    resp = ocx.request(ACCOUNT_PATH, 'HEAD')
    assert resp.headers['X-Account-Container-Count'] == '2'


def test_head_partial_when_a_cluster_is_sick(filled):
    filled.clusters[1].break_(reset=True)
    resp = filled.request(ACCOUNT_PATH, 'HEAD')
    assert resp.status_int == 204
    assert resp.headers['X-Ocx-Partial'] == 'true'
    expected = sum(
        len(c.get_container(ACCOUNT_N, n).objects)
        for c in (filled.clusters[0], filled.clusters[2])
        for n in CONTAINERS_N)
    assert int(resp.headers['X-Account-Object-Count']) == expected


def test_head_all_sick_is_503(ocx):
    for cluster in ocx:
        cluster.hang()
    resp = ocx.request(ACCOUNT_PATH, 'GET')
    assert resp.status_int == 503
    assert b"cluster 'c1' unavailable: timed out" in resp.body
    assert ocx.request(ACCOUNT_PATH, 'HEAD').status_int == 503


def test_listing_merges_and_sums(filled):
    resp = filled.request(ACCOUNT_PATH)
    assert resp.status_int == 200
    assert resp.content_type == 'application/json'
    got = json.loads(resp.body)
    assert got == swift_listing(union_entries(filled), {})
    assert [e['name'] for e in got] == CONTAINERS_N
    assert resp.headers['Content-Length'] == str(len(resp.body))


@pytest.mark.parametrize('params', [
    {'limit': '3'}, {'marker': 'caf\u00e9'}, {'marker': '\u00e9'},
    {'end_marker': 'obj2'}, {'prefix': 'caf\u00e9'},
    {'prefix': 'a', 'delimiter': '/'}, {'delimiter': '/'},
    {'reverse': 'true'}, {'reverse': 'true', 'limit': '4'},
    {'reverse': 'true', 'marker': 'obj2', 'delimiter': '/'},
    {'marker': 'a', 'end_marker': 'z', 'limit': '5', 'delimiter': '/'},
    {'prefix': '\U0001f600'}])
def test_listing_params_are_exact(filled, params):
    resp = filled.request(ACCOUNT_PATH + '?' + urlencode(params))
    assert resp.status_int == 200
    assert json.loads(resp.body) == swift_listing(union_entries(filled),
                                                  params)


def test_listing_pagination(filled):
    expected = swift_listing(union_entries(filled), {})
    pages, marker = [], ''
    while True:
        resp = filled.request(ACCOUNT_PATH + '?' + urlencode(
            {'limit': '2', 'marker': marker}))
        page = json.loads(resp.body)
        if not page:
            break
        pages.extend(page)
        marker = page[-1]['name']
    assert pages == expected


def test_listing_limit_over_maximum_is_412(ocx):
    resp = ocx.request(ACCOUNT_PATH + '?limit=10001')
    assert resp.status_int == 412
    assert ocx.storage_calls() == []


def test_listing_with_sick_cluster_is_503(filled):
    filled.clusters[0].fail(500)
    resp = filled.request(ACCOUNT_PATH)
    assert resp.status_int == 503
    assert b"cluster 'c1' unavailable" in resp.body
    assert b'"name"' not in resp.body


def test_post_updates_every_cluster(ocx):
    resp = ocx.request(ACCOUNT_PATH, 'POST', headers={
        'X-Account-Meta-Quota': '\xc3\xa9norme'})
    assert resp.status_int == 204
    for cluster in ocx:
        assert cluster.accounts[ACCOUNT_N].meta == {
            'X-Account-Meta-Quota': '\xc3\xa9norme'}
    head = ocx.request(ACCOUNT_PATH, 'HEAD')
    assert head.headers['X-Account-Meta-Quota'] == '\xc3\xa9norme'


def test_post_too_much_metadata_is_400(ocx):
    resp = ocx.request(ACCOUNT_PATH, 'POST', headers={
        'X-Account-Meta-K%d' % i: 'v' for i in range(MAX_META_COUNT + 1)})
    assert resp.status_int == 400
    assert ocx.storage_calls() == []


def test_post_with_sick_cluster_is_503(ocx):
    ocx.clusters[2].break_(reset=True)
    resp = ocx.request(ACCOUNT_PATH, 'POST', headers={
        'X-Account-Meta-A': 'b'})
    assert resp.status_int == 503
    assert b"cluster 'c3' unavailable: connection failed" in resp.body


def test_owner_only_headers_hidden_from_non_owner(ocx):
    for cluster in ocx:
        cluster.accounts[ACCOUNT_N].meta.update({
            'X-Account-Meta-Temp-Url-Key': 'tempurl-secret',
            'X-Account-Meta-Public': 'yes'})
    resp = ocx.request(ACCOUNT_PATH, 'HEAD')
    assert 'X-Account-Meta-Temp-Url-Key' not in resp.headers
    assert resp.headers['X-Account-Meta-Public'] == 'yes'
    auth = FakeAuthorize('test:tester', owned=[ACCOUNT])
    resp = ocx.request(ACCOUNT_PATH, 'HEAD', environ=auth.environ())
    assert resp.headers['X-Account-Meta-Temp-Url-Key'] == 'tempurl-secret'


@pytest.mark.parametrize('method', ['GET', 'HEAD', 'POST'])
def test_non_owner_is_denied(filled, method):
    auth = FakeAuthorize(BOB)
    resp = filled.request(ACCOUNT_PATH, method, environ=auth.environ())
    assert resp.status_int == 403
    assert filled.storage_calls() == []
    assert auth.calls == [(method, ACCOUNT_PATH, None)]


@pytest.mark.parametrize('method', ['PUT', 'DELETE'])
def test_account_put_and_delete_not_allowed(ocx, method):
    resp = ocx.request(ACCOUNT_PATH, method)
    assert resp.status_int == 405
    assert ocx.storage_calls() == []


def test_invalid_limit_is_ignored_as_swift_does(filled):
    resp = filled.request(ACCOUNT_PATH + '?limit=abc')
    assert resp.status_int == 200
    assert len(json.loads(resp.body)) == len(CONTAINERS_N)
