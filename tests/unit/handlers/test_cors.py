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

"""OPTIONS and CORS headers, as Swift's proxy controllers answer them."""

import pytest
from swift.common.swob import HTTPForbidden, Request, str_to_wsgi

from ocx_swift.handlers.cors import CorsSettings
from tests.unit.fakes import FakeAuthorize, FakeClusterSet

ACCOUNT = 'AUTH_test'
CONT_N = 'c\u00f6rs'
CONT = str_to_wsgi(CONT_N)
OBJ_N = 'cat \u2615'
CONT_PATH = '/v1/%s/%s' % (ACCOUNT, CONT)
OBJ_PATH = '%s/%s' % (CONT_PATH, str_to_wsgi(OBJ_N))
ORIGIN = 'http://m.com'
ALLOW_ORIGIN = 'X-Container-Meta-Access-Control-Allow-Origin'


@pytest.fixture
def ocx(tmp_path):
    clusters = FakeClusterSet(3, tmp_path)
    yield clusters
    assert clusters.unclosed() == []


def with_cors(ocx, allow_origin, **more):
    headers = {ALLOW_ORIGIN: allow_origin}
    headers.update(('X-Container-Meta-Access-Control-' + k.replace('_', '-')
                    .title(), v) for k, v in more.items())
    ocx.put_container(ACCOUNT, CONT_N, headers)
    ocx.put_object(ACCOUNT, CONT_N, OBJ_N, b'test',
                   {'X-Object-Meta-Color': 'red'})


def allow(resp):
    return sorted(m.strip() for m in resp.headers['Allow'].split(','))


def expose(resp):
    return resp.headers['Access-Control-Expose-Headers'].split(', ')


OBJ_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']


def test_options_without_origin_lists_methods(ocx):
    with_cors(ocx, '*')
    ocx.clear_calls()
    resp = ocx.request(OBJ_PATH, 'OPTIONS')
    assert resp.status_int == 200
    assert 'OPTIONS' in allow(resp) and 'GET' in allow(resp)
    assert 'Access-Control-Allow-Origin' not in resp.headers
    assert ocx.storage_calls() == []  # nothing to ask a landlord


def test_preflight_from_container_metadata(ocx):
    with_cors(ocx, '*', max_age='60')
    resp = ocx.request(OBJ_PATH, 'OPTIONS', headers={
        'Origin': ORIGIN, 'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'x-object-meta-a'})
    assert resp.status_int == 200
    assert resp.headers['Access-Control-Allow-Origin'] == '*'
    assert resp.headers['Access-Control-Max-Age'] == '60'
    assert resp.headers['Access-Control-Allow-Headers'] == 'x-object-meta-a'
    assert resp.headers['Vary'] == 'Access-Control-Request-Headers'
    assert sorted(resp.headers['Access-Control-Allow-Methods'].split(
        ', ')) == OBJ_METHODS
    assert allow(resp) == OBJ_METHODS
    # a preflight exposes nothing yet
    assert 'Access-Control-Expose-Headers' not in resp.headers


@pytest.mark.parametrize('headers', [
    {'Origin': ORIGIN},  # no method: not a preflight Swift accepts
    {'Origin': ORIGIN, 'Access-Control-Request-Method': 'COPY'},
    {'Origin': 'http://evil.com', 'Access-Control-Request-Method': 'GET'},
])
def test_preflight_refused_with_401(ocx, headers):
    with_cors(ocx, 'http://m.com http://n.com')
    resp = ocx.request(OBJ_PATH, 'OPTIONS', headers=headers)
    assert resp.status_int == 401
    assert 'Access-Control-Allow-Origin' not in resp.headers


def test_preflight_names_the_origin_when_not_star(ocx):
    with_cors(ocx, 'http://n.com http://m.com')
    resp = ocx.request(OBJ_PATH, 'OPTIONS', headers={
        'Origin': ORIGIN, 'Access-Control-Request-Method': 'PUT'})
    assert resp.status_int == 200
    assert resp.headers['Access-Control-Allow-Origin'] == ORIGIN
    assert resp.headers['Vary'] == 'Origin'


def test_preflight_of_missing_container_is_401(ocx):
    resp = ocx.request(OBJ_PATH, 'OPTIONS', headers={
        'Origin': ORIGIN, 'Access-Control-Request-Method': 'GET'})
    assert resp.status_int == 401


@pytest.mark.parametrize('path', ['/v1/' + ACCOUNT, CONT_PATH])
@pytest.mark.parametrize('method', ['OPTIONS', 'GET', 'HEAD'])
def test_account_and_container_cors_is_the_metadata_tiers(
        ocx, path, method):
    # Swift's own controllers answer them (the proxy-server app right of
    # ocx); ocx adds nothing and asks no landlord
    with_cors(ocx, '*')
    ocx.clear_calls()
    seen = []

    def tier(env, start_response):
        seen.append(env['HTTP_ORIGIN'])
        return ocx.app(env, start_response)

    mw = ocx.make_middleware(tier)
    req = Request.blank(path, method=method, headers={
        'Origin': ORIGIN, 'Access-Control-Request-Method': 'GET'})
    resp = req.get_response(mw)
    assert seen == [ORIGIN]
    assert 'Access-Control-Allow-Origin' not in resp.headers
    assert ocx.storage_calls() == []


def test_options_is_authorized_first(ocx):
    with_cors(ocx, '*')

    def deny(req):
        return HTTPForbidden(request=req)
    resp = ocx.request(OBJ_PATH, 'OPTIONS', environ={
        'swift.authorize': deny}, headers={'Origin': ORIGIN})
    assert resp.status_int == 403


def test_get_with_origin_exposes_metadata(ocx):
    with_cors(ocx, '*', expose_headers='X-Custom  x-other')
    auth = FakeAuthorize('test:tester', owned=[ACCOUNT])
    resp = ocx.request(OBJ_PATH, 'GET', environ=auth.environ(),
                       headers={'Origin': ORIGIN})
    assert resp.status_int == 200
    assert resp.body == b'test'
    assert resp.headers['Access-Control-Allow-Origin'] == '*'
    exposed = expose(resp)
    for name in ('x-object-meta-color', 'etag', 'x-trans-id', 'x-custom',
                 'x-other', 'content-type'):
        assert name in exposed
    # the landlord never saw the Origin: the exchange answers CORS
    calls = ocx.storage_calls('GET')
    assert calls and all('Origin' not in c.headers for _n, c in calls)


@pytest.mark.parametrize('method', ['HEAD', 'PUT', 'POST', 'DELETE'])
def test_other_object_verbs_decorated(ocx, method):
    with_cors(ocx, ORIGIN)
    auth = FakeAuthorize('test:tester', owned=[ACCOUNT])
    resp = ocx.request(OBJ_PATH, method, environ=auth.environ(),
                       headers={'Origin': ORIGIN}, body=b'x'
                       if method == 'PUT' else None)
    assert resp.status_int // 100 == 2
    assert resp.headers['Access-Control-Allow-Origin'] == ORIGIN
    assert 'Origin' in resp.headers['Vary']


def test_strict_mode_leaves_other_origins_bare(ocx):
    with_cors(ocx, 'http://secret.com')
    resp = ocx.request(OBJ_PATH, 'GET', headers={'Origin': ORIGIN})
    assert resp.status_int == 200
    assert 'Access-Control-Allow-Origin' not in resp.headers
    assert 'Access-Control-Expose-Headers' not in resp.headers
    resp = ocx.request(OBJ_PATH, 'GET',
                       headers={'Origin': 'http://secret.com'})
    assert resp.headers['Access-Control-Allow-Origin'] == \
        'http://secret.com'


def test_lenient_mode_and_operator_settings(ocx):
    with_cors(ocx, 'http://secret.com')
    ocx.mw.cors = CorsSettings(allow_origin=['http://op.com'],
                               expose_headers=['x-op'], strict_mode=False)
    resp = ocx.request(OBJ_PATH, 'GET', headers={'Origin': ORIGIN})
    assert resp.headers['Access-Control-Allow-Origin'] == ORIGIN
    assert 'x-op' in expose(resp)
    resp = ocx.request(OBJ_PATH, 'OPTIONS', headers={
        'Origin': 'http://op.com', 'Access-Control-Request-Method': 'GET'})
    assert resp.status_int == 200


def test_settings_from_the_proxy_app(tmp_path):
    class ProxyApp(object):
        cors_allow_origin = ['http://a.com']
        cors_expose_headers = ['x-e']
        strict_cors_mode = False

        def __call__(self, env, start_response):
            raise AssertionError('not reached')
    clusters = FakeClusterSet(1, tmp_path, app=ProxyApp())
    assert clusters.mw.cors == CorsSettings(['http://a.com'], ['x-e'],
                                            False)
    default = FakeClusterSet(1, tmp_path).mw.cors
    assert default == CorsSettings([], [], True)


def test_405_lists_options(ocx):
    resp = ocx.request(OBJ_PATH, 'PATCH')
    assert resp.status_int == 405
    assert 'OPTIONS' in allow(resp)


def test_web_mode_never_reaches_a_landlord(ocx):
    with_cors(ocx, '*')
    resp = ocx.request(OBJ_PATH, 'GET', headers={'X-Web-Mode': 'true'})
    assert resp.status_int == 200
    assert all('X-Web-Mode' not in c.headers
               for _n, c in ocx.storage_calls('GET'))
