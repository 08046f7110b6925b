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

"""The middleware as a whole: what it serves, what it passes on, how it
fails, and how it refuses a bad deployment."""

import hashlib
import json
import os

import pytest
from swift.common import registry
from swift.common.swob import Request, Response

from ocx_swift import middleware
from ocx_swift.exceptions import RingLoadError
from ocx_swift.handlers.container import ContainerContext
from ocx_swift.middleware import OcxMiddleware, check_pipeline, \
    filter_factory
from ocx_swift.ring.builder import ClusterRingBuilder
from tests.unit.fakes import DebugLogger, FakeClusterSet, FinalApp, \
    NOISE_HEADERS

SAMPLE_CONF = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir,
                           'etc', 'proxy-server.conf-sample')
ACCOUNT = 'AUTH_test'
CONT = 'c\xc3\xa9'           # WSGI string of 'cé'
CONT_N = 'c\u00e9'
OBJ = 'obj/\xe2\x98\x95'     # WSGI string of 'obj/☕'
OBJ_N = 'obj/\u2615'
OBJ_PATH = '/v1/%s/%s/%s' % (ACCOUNT, CONT, OBJ)


@pytest.fixture
def ocx(tmp_path):
    clusters = FakeClusterSet(3, tmp_path)
    # these tests watch what reaches the metadata tier: no memcache in
    # between (tests/unit/handlers/test_row_cache.py has it)
    clusters.memcache = None
    yield clusters
    assert clusters.unclosed() == []


def md5_of(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def secrets_of(clusters):
    """Every credential the exchange holds or was given."""
    found = []
    for cluster in clusters:
        found.append(cluster.key)
        found.extend(cluster.tokens)
        found.extend(c.headers.get('X-Auth-Token') for c in cluster.calls
                     if c.headers.get('X-Auth-Token'))
    return found


def assert_no_secret(clusters, resp):
    text = resp.body.decode('utf-8', 'replace') + repr(resp.headers)
    for secret in secrets_of(clusters):
        assert secret not in text


# -- what ocx serves ----------------------------------------------------


@pytest.mark.parametrize('path', [
    '/info', '/auth/v1.0', '/healthcheck', '/v2/AUTH_test/c', '/v1',
    '/crossdomain.xml'])
def test_non_v1_paths_go_to_the_app(ocx, path):
    resp = ocx.request(path)
    assert resp.status_int == 200
    assert resp.body == b'final app: ' + path.encode('ascii')
    assert ocx.app.calls == [('GET', path)]
    assert ocx.storage_calls() == []
    assert all(c.calls == [] for c in ocx)


@pytest.mark.parametrize('method', ['PUT', 'GET', 'HEAD', 'POST',
                                    'DELETE'])
def test_object_paths_never_reach_the_app(ocx, method):
    ocx.put_container(ACCOUNT, CONT_N)
    if method != 'PUT':
        ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    resp = ocx.request(OBJ_PATH, method,
                       body=b'x' if method == 'PUT' else None)
    assert resp.status_int // 100 == 2
    # only the container info HEADs reach the metadata tier
    assert [m for m, _p in ocx.app.calls] == ['HEAD', 'HEAD']
    assert ocx.storage_calls()


@pytest.mark.parametrize('path, method', [
    ('/v1/' + ACCOUNT, 'GET'), ('/v1/' + ACCOUNT, 'HEAD'),
    ('/v1/' + ACCOUNT, 'POST'), ('/v1/' + ACCOUNT, 'PUT'),
    ('/v1/' + ACCOUNT, 'DELETE'), ('/v1/' + ACCOUNT, 'OPTIONS'),
    ('/v1/%s/%s' % (ACCOUNT, CONT), 'HEAD'),
    ('/v1/%s/%s' % (ACCOUNT, CONT), 'POST'),
    ('/v1/%s/%s' % (ACCOUNT, CONT), 'OPTIONS'),
    ('/v1/%s/%s' % (ACCOUNT, CONT), 'COPY')])
def test_account_and_container_requests_go_to_the_metadata_tier_only(
        ocx, path, method):
    ocx.put_container(ACCOUNT, CONT_N, {'X-Container-Meta-Colour': 'bl'})
    ocx.clear_calls()
    seen = []

    def spy(env, start_response):
        seen.append((env['REQUEST_METHOD'], env['PATH_INFO'],
                     env.get('HTTP_X_CONTAINER_META_NEW')))
        return ocx.app(env, start_response)

    mw = ocx.make_middleware(spy)
    req = Request.blank(path, method=method,
                        headers={'X-Container-Meta-New': 'n\xc3\xa9'})
    resp = req.get_response(mw)
    assert seen == [(method, path, 'n\xc3\xa9')]  # untouched
    assert ocx.storage_calls() == []
    if method == 'HEAD' and 'c' in path.split('/')[-1]:
        assert resp.headers['X-Container-Meta-Colour'] == 'bl'


def test_container_put_reaches_landlords_after_the_tier(ocx):
    path = '/v1/%s/%s' % (ACCOUNT, CONT)
    resp = ocx.request(path, 'PUT', headers={
        'X-Container-Read': '.r:*', 'X-Container-Meta-Owner': 'j\xc3\xbcrg'})
    assert resp.status_int == 201
    assert ocx.app.get_container(ACCOUNT, CONT_N).headers == {
        'X-Container-Read': '.r:*', 'X-Container-Meta-Owner': 'j\xc3\xbcrg'}
    for cluster in ocx:
        calls = cluster.storage_calls()
        assert [(c.method, c.path) for c in calls] == [
            ('PUT', '/v1/%s/%s' % (ACCOUNT, CONT_N))]
        # a bare container: the landlord never sees ACLs or metadata
        assert not any(k.lower().startswith(('x-container-meta-',
                                             'x-container-read'))
                       for k in calls[0].headers)
        assert cluster.get_container(ACCOUNT, CONT_N).meta == {}


def test_container_put_refused_by_the_tier_reaches_no_landlord(ocx):
    resp = ocx.request('/v1/%s/%s' % (ACCOUNT, CONT), 'PUT',
                       headers={'X-Storage-Policy': 'pl\xc3\xa4tinum'})
    assert resp.status_int == 400
    assert ocx.storage_calls() == []


def test_container_delete_reaches_landlords_only_when_the_tier_did_it(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    path = '/v1/%s/%s' % (ACCOUNT, CONT)
    assert ocx.request(path, 'DELETE').status_int == 409  # not empty
    assert ocx.storage_calls() == []
    assert ocx.request(OBJ_PATH, 'DELETE').status_int == 204
    ocx.clear_calls()
    assert ocx.request(path, 'DELETE').status_int == 204
    assert sorted((n, c.method) for n, c in ocx.storage_calls()) == [
        (c.name, 'DELETE') for c in ocx]
    assert all(c.get_container(ACCOUNT, CONT_N) is None for c in ocx)


def test_container_put_with_a_sick_landlord_is_logged_not_failed(ocx):
    sick = ocx['c2']
    sick.hang()
    resp = ocx.request('/v1/%s/%s' % (ACCOUNT, CONT), 'PUT')
    assert resp.status_int == 201
    assert ocx.app.get_container(ACCOUNT, CONT_N) is not None
    assert [c.get_container(ACCOUNT, CONT_N) is not None for c in ocx] == [
        True, False, True]
    warnings = ocx.logger.get_lines_for_level('warning')
    assert any('PUT on c2 failed' in line for line in warnings)


@pytest.mark.parametrize('path, kind', [
    ('/v1/AUTH_test/c/', 'container'),
    ('/v1/AUTH_test/', None),
    ('/v1/AUTH_test/c//', 'object'),
    ('/v1/AUTH_test//o', None)])
def test_empty_names_as_swift_routes_them(ocx, path, kind):
    ctx = ocx.mw.context_for(Request.blank(path))
    if kind is None:
        assert ctx is None
    elif kind == 'container':
        assert isinstance(ctx, ContainerContext)
    else:
        assert ctx is not None and not isinstance(ctx, ContainerContext)


def test_trailing_slash_lists_the_container(ocx):
    ocx.put_container(ACCOUNT, 'c')
    ocx.put_object(ACCOUNT, 'c', 'o', b'x')
    resp = ocx.request('/v1/AUTH_test/c/?format=json')
    assert resp.status_int == 200
    assert [e['name'] for e in json.loads(resp.body)] == ['o']
    assert ocx.storage_calls() == []  # listings come from the index


def test_listing_hides_the_index_md5(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    row = ocx.index.row(ACCOUNT, CONT_N, OBJ_N)
    assert 'ocx_md5=' in row.etag
    listing = json.loads(ocx.request(
        '/v1/%s/%s?format=json' % (ACCOUNT, CONT)).body)
    assert [(e['name'], e['hash'], e['bytes']) for e in listing] == [
        (OBJ_N, md5_of(b'x'), 1)]
    assert ocx.storage_calls() == []


@pytest.mark.parametrize('path', [
    '/v1/AUTH_test/c/%FF', '/v1/AUTH_test/c%FF', '/v1/AUTH_test/c/o%00'])
def test_bad_utf8_is_412(ocx, path):
    resp = ocx.request(path)
    assert resp.status_int == 412
    assert b'Invalid UTF8' in resp.body
    assert ocx.storage_calls() == []
    assert ocx.app.calls == []


@pytest.mark.parametrize('path', [
    '/v1/AUTH_test/c/./o', '/v1/AUTH_test/c/../AUTH_other/o',
    '/v1/AUTH_test/c/o/..', '/v1/AUTH_test/c/a/./b',
    '/v1/AUTH_test/c/caf%C3%A9/..'])
@pytest.mark.parametrize('method', ['GET', 'PUT', 'DELETE'])
def test_dot_segments_are_400_and_reach_no_landlord(ocx, path, method):
    ocx.put_container(ACCOUNT, 'c')
    resp = ocx.request(path, method, body=b'x' if method == 'PUT' else None)
    assert resp.status_int == 400
    assert b'"." and ".." are not allowed' in resp.body
    assert ocx.storage_calls() == []
    assert ocx.app.calls == []
    assert ocx.index.writes == []


def test_dotted_names_that_are_not_segments_are_fine(ocx):
    ocx.put_container(ACCOUNT, 'c')
    for name in ('.hidden', 'a..b', '...', 'x/.y'):
        path = '/v1/AUTH_test/c/' + name
        assert ocx.request(path, 'PUT', body=b'd').status_int == 201
        assert ocx.request(path).body == b'd'


def test_unknown_object_method_is_405(ocx):
    ocx.put_container(ACCOUNT, 'c')
    resp = ocx.request('/v1/AUTH_test/c/o', 'PATCH')
    assert resp.status_int == 405
    assert resp.headers['Allow'] == 'GET, HEAD, PUT, POST, DELETE, OPTIONS'
    assert ocx.storage_calls() == []


def test_object_of_a_container_the_tier_lacks_is_404(ocx):
    for cluster in ocx:  # a landlord's copy does not make it exist
        cluster.put_object(ACCOUNT, 'gh\u00f6st', OBJ_N, b'planted')
    for method in ('GET', 'HEAD', 'PUT', 'POST', 'DELETE'):
        resp = ocx.request('/v1/%s/gh\xc3\xb6st/%s' % (ACCOUNT, OBJ),
                           method, body=b'x' if method == 'PUT' else None)
        assert resp.status_int == 404, method
        assert b'planted' not in resp.body
    assert ocx.storage_calls() == []
    assert ocx.index.writes == []


def test_object_the_index_lacks_is_404_whatever_landlords_hold(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    ocx.index.held.clear()  # e.g. deleted while a landlord kept its copy
    for method in ('GET', 'HEAD'):
        # the first copy may be asked while the index is (reads save a
        # round trip), but its answer is never served
        resp = ocx.request(OBJ_PATH, method)
        assert resp.status_int == 404, method
        assert resp.body != b'x'
    assert ocx.unclosed() == []
    ocx.clear_calls()
    for method in ('POST', 'DELETE'):
        assert ocx.request(OBJ_PATH, method).status_int == 404, method
    assert ocx.storage_calls() == []


def test_index_down_is_503(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    ocx.index.fail()
    for method in ('GET', 'HEAD', 'POST', 'DELETE'):
        resp = ocx.request(OBJ_PATH, method)
        assert resp.status_int == 503, method
        if method != 'HEAD':
            assert b'object index unavailable' in resp.body
    assert ocx.storage_calls('POST') == []
    assert ocx.storage_calls('DELETE') == []
    assert ocx.unclosed() == []


def test_put_not_taken_by_the_index_is_503(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.index.fail()
    resp = ocx.request(OBJ_PATH, 'PUT', body=b'x')
    assert resp.status_int == 503
    ocx.index.fail(False)
    assert ocx.request(OBJ_PATH).status_int == 404


@pytest.mark.parametrize('method', ['GET', 'HEAD', 'PUT', 'POST',
                                    'DELETE'])
def test_unknown_policy_index_fails_closed(ocx, method):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    ocx.app.get_container(ACCOUNT, CONT_N).policy_index = 7
    resp = ocx.request(OBJ_PATH, method,
                       body=b'y' if method == 'PUT' else None)
    assert resp.status_int == 503
    if method != 'HEAD':
        assert b'container policy index 7' in resp.body
    assert ocx.storage_calls() == []
    assert ocx.index.row(ACCOUNT, CONT_N, OBJ_N).md5 == md5_of(b'x')


def test_log_info_names_the_cluster(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    primary = ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    req = Request.blank(OBJ_PATH)
    assert req.get_response(ocx.mw).body == b'x'
    assert req.environ['swift.log_info'] == ['ocx_cluster=%s' % primary.name]


# -- headers both ways --------------------------------------------------


def test_client_credentials_and_hop_headers_never_forwarded(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    headers = {'X-Auth-Token': 'AUTH_tk_client', 'Host': 'ocx.example.com',
               'Connection': 'close', 'Keep-Alive': '300',
               'X-Storage-Token': 'AUTH_tk_client2',
               'Authorization': 'AWS4-HMAC-SHA256 Credential=x',
               'X-Backend-Allow-Reserved-Names': 'true',
               'X-Backend-Storage-Policy-Index': '3',
               'X-Forwarded-For': '10.0.0.1', 'Expect': '100-continue',
               'X-Trans-Id-Extra': 'client-says',
               'X-Object-Meta-Kept': 'yes', 'Content-Type': 'text/plain'}
    for method in ('PUT', 'GET', 'HEAD', 'POST', 'DELETE'):
        ocx.request(OBJ_PATH, method, headers=headers,
                    body=b'data' if method == 'PUT' else None,
                    environ={'swift.trans_id': 'tx-ocx-1'})
    calls = ocx.storage_calls()
    assert [c.method for _n, c in calls] == [
        'PUT', 'GET', 'HEAD', 'HEAD', 'POST', 'DELETE']
    for name, call in calls:
        sent = call.headers
        assert sent['X-Auth-Token'] in ocx[name].tokens
        for header in ('Host', 'Connection', 'Keep-Alive', 'X-Storage-Token',
                       'Authorization', 'X-Backend-Allow-Reserved-Names',
                       'X-Backend-Storage-Policy-Index', 'X-Forwarded-For',
                       'Expect'):
            assert header not in sent, (call.method, header)
        assert sent['X-Trans-Id-Extra'] == 'tx-ocx-1'
        if call.method in ('PUT', 'POST'):
            assert sent['X-Object-Meta-Kept'] == 'yes'


@pytest.mark.parametrize('method', ['GET', 'HEAD', 'PUT', 'POST',
                                    'DELETE'])
@pytest.mark.parametrize('obj', [OBJ, 'nope'])
def test_cluster_hop_and_backend_headers_never_reach_client(
        ocx, method, obj):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'body')
    for cluster in ocx:
        cluster.extra_headers.update({
            'Transfer-Encoding': 'chunked', 'Proxy-Authenticate': 'Basic',
            'Trailer': 'X-Foo', 'Upgrade': 'h2c', 'Set-Cookie': 'a=b',
            'X-Backend-Sharding-State': 'unsharded',
            'X-Account-Storage-Policy-Gold-Object-Count': '1'})
    path = '/v1/%s/%s/%s' % (ACCOUNT, CONT, obj)
    resp = ocx.request(path, method,
                       body=b'body' if method == 'PUT' else None)
    assert (resp.status_int < 300) == (obj == OBJ or method == 'PUT'), \
        resp.status
    leaked = [k for k in resp.headers
              if k.lower().startswith(('x-backend-', 'x-account-storage-'))
              or k.title() in NOISE_HEADERS
              or k.title() in ('Transfer-Encoding', 'Proxy-Authenticate',
                               'Trailer', 'Upgrade', 'Set-Cookie',
                               'X-Trans-Id', 'X-Openstack-Request-Id',
                               'X-Object-Meta-Ocx-State')]
    assert leaked == []
    assert_no_secret(ocx, resp)


# -- failures -----------------------------------------------------------


FAULTS = {
    'refused': lambda c: c.break_(),
    'reset': lambda c: c.break_(reset=True),
    'hung': lambda c: c.hang(),
    'auth-503': lambda c: c.fail(503, auth=True),
    '500': lambda c: c.fail(500),
}


def sick_cases():
    for method in ('GET', 'HEAD', 'POST'):
        for fault in sorted(FAULTS):
            yield pytest.param(method, fault, id='%s-%s' % (method, fault))


@pytest.mark.parametrize('method, fault', sick_cases())
def test_sick_cluster_gives_503_naming_it(ocx, fault, method):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'old')
    sick = ocx.primary(ACCOUNT, CONT, OBJ)
    FAULTS[fault](sick)
    resp = ocx.request(OBJ_PATH, method,
                       body=b'x' if method == 'PUT' else None)
    assert resp.status_int == 503
    assert resp.content_type == 'text/plain'
    if method != 'HEAD':
        assert ("cluster '%s' unavailable" % sick.name).encode('ascii') \
            in resp.body
    assert_no_secret(ocx, resp)
    # the index still holds the old version
    assert ocx.index.row(ACCOUNT, CONT_N, OBJ_N).md5 == md5_of(b'old')


@pytest.mark.parametrize('fault', sorted(FAULTS))
def test_put_with_every_cluster_sick_gives_503_naming_them(ocx, fault):
    """(With one sick, a handoff takes the copy: tests/unit/handlers.)"""
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'old')
    for cluster in ocx:
        FAULTS[fault](cluster)
    resp = ocx.request(OBJ_PATH, 'PUT', body=b'x')
    assert resp.status_int == 503
    assert resp.content_type == 'text/plain'
    assert resp.headers['Retry-After'] == '5'
    for cluster in ocx:
        assert ("cluster '%s' unavailable" % cluster.name).encode(
            'ascii') in resp.body
    assert_no_secret(ocx, resp)
    assert ocx.index.row(ACCOUNT, CONT_N, OBJ_N).md5 == md5_of(b'old')


@pytest.mark.parametrize('fault', sorted(FAULTS))
def test_delete_with_a_sick_cluster_still_deletes(ocx, fault):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'old')
    sick = ocx.primary(ACCOUNT, CONT, OBJ)
    FAULTS[fault](sick)
    assert ocx.request(OBJ_PATH, 'DELETE').status_int == 204
    assert (ACCOUNT, CONT_N, OBJ_N) in ocx.index.tombstones
    sick.heal()
    # the copy the landlord kept is never served again
    assert sick.get_object(ACCOUNT, CONT_N, OBJ_N) is not None
    assert ocx.request(OBJ_PATH).status_int == 404
    assert any('not deleted' in line for line in
               ocx.logger.get_lines_for_level('warning'))


def test_sick_cluster_is_logged(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    sick = ocx.primary(ACCOUNT, CONT, OBJ)
    sick.hang()
    ocx.request(OBJ_PATH)
    warnings = ocx.logger.get_lines_for_level('warning')
    assert len(warnings) == 1
    assert warnings[0].startswith('cluster %s: timed out' % sick.name)


def test_mid_body_timeout_of_a_small_object_is_503(ocx):
    # small objects are read and checked before their first byte goes out
    ocx.put_container(ACCOUNT, CONT_N)
    cluster = ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'0123456789')
    cluster.hang(mid_body=True)
    resp = ocx.request(OBJ_PATH)
    assert resp.status_int == 503
    assert b'0123456789' not in resp.body
    assert ocx.unclosed() == []


def test_mid_body_timeout_ends_the_body_and_closes(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    body = b'0123456789' * 10000
    cluster = ocx.put_object(ACCOUNT, CONT_N, OBJ_N, body)
    cluster.hang(mid_body=True)
    resp = Request.blank(OBJ_PATH).get_response(ocx.mw)
    assert resp.status_int == 200
    assert resp.headers['Content-Length'] == str(len(body))
    received = b''
    with pytest.raises(Exception):
        for chunk in resp.app_iter:
            received += chunk
        raise AssertionError('the body ended without an error')
    assert len(received) < len(body)
    resp.app_iter.close()
    assert ocx.unclosed() == []


def test_client_disconnect_mid_body_closes_the_connection(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x' * 200000)
    resp = Request.blank(OBJ_PATH).get_response(ocx.mw)
    chunks = iter(resp.app_iter)
    assert len(next(chunks)) == 65536
    resp.app_iter.close()   # what the WSGI server does on a disconnect
    assert ocx.unclosed() == []
    get = [r for c in ocx for r in c.responses if r.method == 'GET' and
           r.path.endswith(OBJ_N)]
    assert get[0].closed  # unread body: connection dropped, not reused


def test_error_limiting(tmp_path):
    ocx = FakeClusterSet(3, tmp_path, error_suppression_limit='2')
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    sick = ocx.primary(ACCOUNT, CONT, OBJ)
    sick.break_()
    for _ in range(3):
        assert ocx.request(OBJ_PATH).status_int == 503
    assert len(sick.calls) == 3
    sick.heal()
    resp = ocx.request(OBJ_PATH)
    assert resp.status_int == 503
    assert b'error-limited' in resp.body
    assert sick.name.encode('ascii') in resp.body
    assert len(sick.calls) == 3  # not even tried
    # the other clusters are not limited
    other = next(c for c in ocx if c is not sick)
    name = ocx.name_on(other, ACCOUNT, CONT)
    ocx.put_object(ACCOUNT, CONT_N, name, b'fine')
    assert ocx.request('/v1/%s/%s/%s' % (ACCOUNT, CONT, name)).body == \
        b'fine'
    warnings = ocx.logger.get_lines_for_level('warning')
    assert len(warnings) == 3
    assert all(sick.name in line for line in warnings)
    assert ocx.unclosed() == []


def test_5xx_answers_count_towards_error_limit(tmp_path):
    ocx = FakeClusterSet(2, tmp_path, error_suppression_limit='1')
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    sick = ocx.primary(ACCOUNT, CONT, OBJ)
    sick.fail(500)
    ocx.request(OBJ_PATH)
    ocx.request(OBJ_PATH)
    sick.heal()
    before = len(sick.calls)
    resp = ocx.request(OBJ_PATH)
    assert resp.status_int == 503
    assert b'error-limited' in resp.body
    assert len(sick.calls) == before
    assert ocx.unclosed() == []


@pytest.mark.parametrize('method', ['GET', 'HEAD', 'DELETE', 'POST'])
def test_401_reauthenticates_once_and_retries(ocx, method):
    ocx.put_container(ACCOUNT, CONT_N)
    cluster = ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'hello')
    assert ocx.request(OBJ_PATH, 'HEAD').status_int == 200
    auth_before = len(cluster.auth_calls())
    cluster.expire_tokens()
    resp = ocx.request(OBJ_PATH, method)
    assert resp.status_int in (200, 202, 204)
    assert len(cluster.auth_calls()) == auth_before + 1
    # a POST starts with a HEAD (sysmeta kept on the landlord): that is
    # the call that meets the expired token and is repeated
    storage = cluster.storage_calls('HEAD' if method == 'POST' else method)
    assert storage[-2].headers['X-Auth-Token'] != \
        storage[-1].headers['X-Auth-Token']
    assert storage[-1].headers['X-Auth-Token'] in cluster.tokens


def test_401_on_streamed_put_goes_to_a_handoff_then_reauthenticates(ocx):
    # a streamed body cannot be sent twice to one cluster (client.py): the
    # kept bytes go to a handoff instead
    ocx.put_container(ACCOUNT, CONT_N)
    cluster = ocx.primary(ACCOUNT, CONT, OBJ)
    assert ocx.request(OBJ_PATH, 'PUT', body=b'one').status_int == 201
    cluster.expire_tokens()
    resp = ocx.request(OBJ_PATH, 'PUT', body=b'two')
    assert resp.status_int == 201
    assert any('service token refused' in line for line in
               ocx.logger.get_lines_for_level('warning'))
    assert ocx.request(OBJ_PATH).body == b'two'
    assert ocx.request(OBJ_PATH, 'PUT', body=b'three').status_int == 201
    assert cluster.get_object(ACCOUNT, CONT_N, OBJ_N).body == b'three'
    assert ocx.request(OBJ_PATH).body == b'three'
    assert len(cluster.auth_calls()) == 2


def test_refused_service_credential_is_503_without_the_key(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    cluster = ocx.primary(ACCOUNT, CONT, OBJ)
    cluster.key = 'rotated-by-the-landlord'
    cluster.expire_tokens()
    resp = ocx.request(OBJ_PATH)
    assert resp.status_int == 503
    assert b'service authentication refused' in resp.body
    assert b'(status 401)' in resp.body
    sent_key = cluster.auth_calls()[-1].headers['X-Auth-Key']
    assert sent_key.encode('ascii') not in resp.body
    assert_no_secret(ocx, resp)


def test_persistent_401_does_not_loop(ocx):
    ocx.put_container(ACCOUNT, CONT_N)
    cluster = ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x')
    auth_before = len(cluster.auth_calls())
    cluster.refuse_all_tokens()
    resp = ocx.request(OBJ_PATH)
    assert resp.status_int == 503
    assert len(cluster.auth_calls()) == auth_before + 1
    assert len(cluster.storage_calls()) == 2


# -- hooking the final app ----------------------------------------------


class ProxyApp(FinalApp):
    """Stands in for swift's proxy Application: has handle_request."""

    def handle_request(self, req):
        return Response(request=req, body=b'proxy answered')


class Wrapper(object):

    def __init__(self, app):
        self.app = app

    def __call__(self, env, start_response):
        return self.app(env, start_response)


def test_info_requests_to_final_app_are_answered_by_ocx(ocx):
    proxy = ProxyApp(index=ocx.index)
    proxy.containers = ocx.app.containers  # the same metadata tier
    ocx.make_middleware(Wrapper(proxy))
    ocx.put_container(ACCOUNT, CONT_N)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'x',
                   headers={'X-Object-Meta-Colour': 'r\xc3\xb6d'})
    # object HEADs of middlewares left of ocx are answered by ocx
    resp = proxy.handle_request(Request.blank(OBJ_PATH, method='HEAD'))
    assert resp.status_int == 200
    assert resp.headers['X-Object-Meta-Colour'] == 'r\xc3\xb6d'
    assert len(ocx.storage_calls('HEAD')) == 1
    # account and container info is the metadata tier's: the proxy's own
    for path in ('/v1/%s/%s' % (ACCOUNT, CONT), '/v1/' + ACCOUNT, '/info'):
        other = proxy.handle_request(Request.blank(path, method='HEAD'))
        assert other.body == b'proxy answered'
    assert len(ocx.storage_calls()) == 1
    # hooking twice does not wrap twice
    hooked = proxy.handle_request
    ocx.make_middleware(Wrapper(proxy))
    assert proxy.handle_request is hooked


# -- pipeline check ----------------------------------------------------


PIPELINE_CONF = '''
[DEFAULT]

[pipeline:main]
pipeline = %(pipeline)s

[app:proxy-server]
use = egg:swift#proxy

[filter:exchange]
use = egg:ocx_swift#ocx

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:auth]
use = egg:swift#tempauth

[filter:keystoneauth]
use = egg:swift#keystoneauth

[filter:copy-it]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:symlink]
use = egg:swift#symlink

[filter:versioned_writes]
use = egg:swift#versioned_writes

[filter:s3api]
use = egg:swift#s3api

[filter:listing_formats]
use = egg:swift#listing_formats
'''


def write_pipeline(tmp_path, pipeline):
    path = tmp_path / 'proxy-server.conf'
    path.write_text(PIPELINE_CONF % {'pipeline': pipeline})
    return {'__file__': str(path)}


@pytest.mark.parametrize('pipeline, culprit', [
    ('catch_errors auth exchange copy-it proxy-server', 'copy'),
    ('catch_errors exchange auth proxy-server', 'tempauth'),
    ('catch_errors auth exchange keystoneauth proxy-server',
     'keystoneauth'),
    ('catch_errors auth exchange slo proxy-logging proxy-server', 'slo'),
    ('catch_errors auth exchange proxy-logging dlo proxy-server', 'dlo'),
    ('catch_errors auth exchange symlink proxy-server', 'symlink'),
    ('catch_errors auth exchange versioned_writes proxy-server',
     'versioned_writes'),
    ('catch_errors exchange s3api auth proxy-server', 's3api'),
    ('catch_errors auth exchange listing_formats proxy-server',
     'listing_formats'),
])
def test_check_pipeline_refuses_filters_right_of_ocx(
        tmp_path, pipeline, culprit):
    logger = DebugLogger()
    with pytest.raises(ValueError) as caught:
        check_pipeline(write_pipeline(tmp_path, pipeline), logger)
    message = str(caught.value)
    assert message.startswith('Invalid pipeline')
    assert 'expected %s before ocx' % culprit in message


def test_check_pipeline_accepts_the_sample():
    logger = DebugLogger()
    check_pipeline({'__file__': SAMPLE_CONF}, logger)
    info = logger.get_lines_for_level('info')
    assert len(info) == 1
    assert 'tempauth copy slo dlo versioned_writes symlink ocx ' \
        'proxy_logging proxy' in info[0]
    assert logger.get_lines_for_level('warning') == []


@pytest.mark.parametrize('pipeline', [
    'catch_errors gatekeeper auth exchange proxy-server',
    'catch_errors proxy-logging auth copy-it slo exchange proxy-logging '
    'proxy-server',
])
def test_check_pipeline_accepts_good_pipelines(tmp_path, pipeline):
    logger = DebugLogger()
    check_pipeline(write_pipeline(tmp_path, pipeline), logger)
    assert logger.get_lines_for_level('warning') == []


def test_check_pipeline_warns_without_auth(tmp_path):
    logger = DebugLogger()
    check_pipeline(write_pipeline(
        tmp_path, 'catch_errors gatekeeper exchange proxy-server'), logger)
    warnings = logger.get_lines_for_level('warning')
    assert len(warnings) == 1
    assert 'no auth middleware left of ocx' in warnings[0]


def test_check_pipeline_ignores_pipelines_without_ocx(tmp_path):
    logger = DebugLogger()
    check_pipeline(write_pipeline(
        tmp_path, 'catch_errors auth proxy-server'), logger)
    check_pipeline({}, logger)
    assert logger.all_lines() == []


def test_middleware_refuses_bad_pipeline_at_startup(tmp_path):
    ocx = FakeClusterSet(2, tmp_path)
    conf = dict(ocx.conf, **write_pipeline(
        tmp_path, 'catch_errors auth exchange copy-it proxy-server'))
    with pytest.raises(ValueError) as caught:
        OcxMiddleware(FinalApp(), conf, logger=DebugLogger())
    assert 'expected copy before ocx' in str(caught.value)


# -- filter_factory -----------------------------------------------------


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(registry, '_swift_info', {})
    monkeypatch.setattr(registry, '_swift_admin_info', {})
    monkeypatch.setattr(middleware, 'get_logger',
                        lambda conf, log_route=None: DebugLogger())


def test_filter_factory_builds_the_middleware(tmp_path, clean_registry):
    ocx = FakeClusterSet(3, tmp_path)
    factory = filter_factory({'swift_dir': str(tmp_path)}, **ocx.conf)
    assert registry.get_swift_info()['ocx'] == {
        'clusters': 3, 'landlords': 3, 'default_policy': 'Policy-0',
        'policies': {'Policy-0': {'kind': 'replicated', 'width': 1,
                                  'read_quorum': 1, 'write_quorum': 1,
                                  'default': True}}}
    info = repr(registry.get_swift_info(admin=True))
    for cluster in ocx:
        assert cluster.key not in info
    app = FinalApp()
    mw = factory(app)
    assert isinstance(mw, OcxMiddleware)
    assert mw.app is app
    assert sorted(mw.clients) == ['c1', 'c2', 'c3']
    # nothing connected at start-up
    assert all(c._pool_manager is None for c in mw.clients.values())
    assert all(c.calls == [] for c in ocx)


@pytest.mark.parametrize('text', [
    '', '[cluster:c1]\nlandlord = l1\n',
    '[cluster:c1]\nlandlord = l1\nauth_url = ftp://x\nuser = u\nkey = k\n',
    'not an ini file'])
def test_filter_factory_refuses_bad_cluster_config(
        tmp_path, clean_registry, text):
    path = tmp_path / 'ocx-clusters.conf'
    path.write_text(text)
    with pytest.raises(ValueError):
        filter_factory({}, cluster_conf_path=str(path),
                       ring_path=str(tmp_path / 'ring.gz'))
    assert 'ocx' not in registry.get_swift_info()


def test_filter_factory_refuses_missing_cluster_config(
        tmp_path, clean_registry):
    with pytest.raises(ValueError) as caught:
        filter_factory({}, cluster_conf_path=str(tmp_path / 'nope'))
    assert 'cannot read cluster config' in str(caught.value)


@pytest.mark.parametrize('option, value', [
    ('conn_timeout', '-1'), ('node_timeout', 'soon'), ('pool_size', '0'),
    ('error_suppression_limit', '-3'), ('ring_check_interval', 'x'),
    ('listing_timeout', '-0.5'), ('client_timeout', '')])
def test_filter_factory_refuses_nonsense_options(
        tmp_path, clean_registry, option, value):
    ocx = FakeClusterSet(1, tmp_path)
    with pytest.raises(ValueError):
        filter_factory({}, **dict(ocx.conf, **{option: value}))


def test_filter_refuses_ring_naming_unconfigured_cluster(
        tmp_path, clean_registry):
    ocx = FakeClusterSet(2, tmp_path)
    builder = ClusterRingBuilder.load(ocx.builder_path)
    builder.add_cluster('c9', 'l9', 1.0)
    builder.rebalance(seed=2)
    builder.write_ring(ocx.ring_path)
    factory = filter_factory({}, **ocx.conf)
    with pytest.raises(ValueError) as caught:
        factory(FinalApp())
    assert "'c9' has no [cluster:c9] section" in str(caught.value)
    assert str(caught.value).startswith('ocx: ')


def test_filter_refuses_missing_ring(tmp_path, clean_registry):
    ocx = FakeClusterSet(1, tmp_path)
    factory = filter_factory({}, **dict(ocx.conf, ring_path=str(
        tmp_path / 'missing.ring.gz')))
    with pytest.raises(ValueError):
        factory(FinalApp())


# -- a cluster added while running -------------------------------------


def test_new_cluster_is_served_once_ring_and_config_name_it(tmp_path):
    ocx = FakeClusterSet(3, tmp_path, ring_check_interval='0')
    clients_before = dict(ocx.mw.clients)
    ocx.add_cluster('c\u00e9-4', 'l4')
    assert ocx.mw.ring.generation == 2  # reloaded, config re-read
    assert sorted(ocx.mw.clients) == ['c1', 'c2', 'c3', 'c\u00e9-4']
    for name, client in clients_before.items():
        assert ocx.mw.clients[name] is client  # pools kept
    ocx.connect()
    ocx.put_container(ACCOUNT, CONT_N)
    name = ocx.name_on(ocx['c\u00e9-4'], ACCOUNT, CONT)
    path = '/v1/%s/%s/%s' % (ACCOUNT, CONT, name)
    assert ocx.request(path, 'PUT', body=b'new').status_int == 201
    assert ocx['c\u00e9-4'].get_object(ACCOUNT, CONT_N, name).body == b'new'
    assert ocx.request(path).body == b'new'
    assert ocx.unclosed() == []


def test_ring_naming_a_cluster_without_credentials_is_kept_out(tmp_path):
    ocx = FakeClusterSet(3, tmp_path, ring_check_interval='0')
    ocx.add_cluster('c4', 'l4', ring=False)
    ocx.change_ring(lambda builder: builder.add_cluster('c5', 'l5', 1.0))
    assert ocx.mw.ring.generation == 1
    warning = ocx.logger.get_lines_for_level('warning')[-1]
    assert "'c5' has no [cluster:c5] section" in warning
    # the config was not taken either: it comes with the next good ring
    assert sorted(ocx.mw.clients) == ['c1', 'c2', 'c3']


def test_unreadable_cluster_config_keeps_the_old_one(tmp_path):
    ocx = FakeClusterSet(3, tmp_path, ring_check_interval='0')
    ocx.add_cluster('c4', 'l4', ring=False)
    with open(ocx.cluster_conf_path, 'a') as fp:
        fp.write('[cluster:broken]\nlandlord = l9\n')
    ocx.change_ring(lambda builder: builder.set_weight('c1', 2.0))
    assert ocx.mw.ring.generation == 2  # needs no new cluster: taken
    assert sorted(ocx.mw.clients) == ['c1', 'c2', 'c3']
    assert any('Keeping cluster config' in line and "missing 'auth_url'"
               in line for line in ocx.logger.get_lines_for_level(
                   'warning'))


def test_previous_placement_needs_credentials_too(tmp_path):
    ocx = FakeClusterSet(3, tmp_path, ring_check_interval='0')
    ocx.change_ring(lambda builder: builder.remove_cluster('c3'))
    assert ocx.mw.ring.generation == 2
    with open(ocx.cluster_conf_path) as fp:
        text = fp.read()
    with open(ocx.cluster_conf_path, 'w') as fp:
        fp.write(text[:text.index('[cluster:c3]')])
    # reads and deletes still look on c3 during the move: no credentials,
    # no ring
    with pytest.raises(RingLoadError) as caught:
        OcxMiddleware(FinalApp(), ocx.conf, logger=DebugLogger())
    assert "ring cluster 'c3' has no [cluster:c3] section" in \
        str(caught.value)
