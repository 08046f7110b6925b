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

"""ClusterClient against one fake landlord cluster."""

import pytest

from ocx_swift.client import BackendResponse, ClusterClient, \
    ClusterErrorLimiter, Timeouts, filter_request_headers, \
    filter_response_headers
from ocx_swift.config import ClusterConfig
from ocx_swift.exceptions import ClusterUnavailable
from tests.unit.fakes import DebugLogger, FakeCluster, URLLIB3_CLIENT

TIMEOUTS = Timeouts(conn=0.5, node=3.0, listing=7.0)
# WSGI strings: 'AUTH_test/caf\u00e9/\u2615 o' as the client sees it
CONT_PATH = '/AUTH_test/caf\xc3\xa9'
OBJ_PATH = '/AUTH_test/caf\xc3\xa9/\xe2\x98\x95 o'


def make_client(cluster, limit=10, storage_url=None):
    conf = ClusterConfig(cluster.name, 'landlord-' + cluster.name,
                         cluster.auth_url, '1', cluster.user, cluster.key,
                         storage_url=storage_url)
    client = ClusterClient(conf, TIMEOUTS, ClusterErrorLimiter(60, limit),
                           pool_size=4, logger=DebugLogger())
    assert client._pool_manager is None  # lazily built
    client._pool_manager = cluster
    return client


@pytest.fixture
def cluster():
    fake = FakeCluster('east')
    yield fake
    assert fake.unclosed() == []


@pytest.fixture
def client(cluster):
    return make_client(cluster)


def test_authenticates_once_with_service_credentials(cluster, client):
    cluster.put_container('AUTH_test', 'caf\u00e9')
    for _ in range(3):
        resp = client.request('HEAD', CONT_PATH)
        assert resp.status == 204
        resp.close()
    auth = cluster.auth_calls()
    assert len(auth) == 1
    assert auth[0].headers['X-Auth-User'] == 'ocx:exchange'
    assert auth[0].headers['X-Auth-Key'] == cluster.key
    token = next(iter(cluster.tokens))
    assert [c.headers['X-Auth-Token'] for c in cluster.storage_calls()] == \
        [token] * 3


def test_url_is_quoted_utf8_below_v1(cluster, client):
    cluster.put_container('AUTH_test', 'caf\u00e9')
    client.request('PUT', OBJ_PATH, body=b'x').close()
    assert cluster.storage_calls()[0].path == \
        '/v1/AUTH_test/caf\u00e9/\u2615 o'
    assert client.url_for(OBJ_PATH, 'a=b') == \
        'http://east/v1/AUTH_test/caf%C3%A9/%E2%98%95%20o?a=b'


def test_native_string_path_is_refused(client):
    client.request('HEAD', '/AUTH_test').close()
    with pytest.raises(TypeError):
        client.url_for('/AUTH_test/\u2615')


def test_storage_url_from_config_wins(cluster):
    client = make_client(cluster, storage_url='http://east/v1')
    client.request('HEAD', '/AUTH_test').close()
    assert client.url_for('/AUTH_test') == 'http://east/v1/AUTH_test'


def test_timeouts_on_every_call(cluster, client):
    client.request('GET', '/AUTH_test', query_string='format=json').close()
    client.request('GET', '/AUTH_test', timeout=TIMEOUTS.listing).close()
    auth, first, second = cluster.calls
    for call in cluster.calls:
        assert call.timeout.connect == 0.5
    assert auth.timeout.read == 3.0
    assert first.timeout.read == 3.0
    assert second.timeout.read == 7.0
    assert first.query == 'format=json'


def test_refused_key_raises_without_the_key(cluster, client):
    cluster.key = 'rotated'
    with pytest.raises(ClusterUnavailable) as caught:
        client.request('GET', '/AUTH_test')
    err = caught.value
    assert err.cluster == 'east'
    assert err.status == 401
    assert 'service authentication refused' in str(err)
    assert client.conf.key not in str(err)
    assert client.conf.key not in repr(client.conf)
    assert err.trans_id and err.trans_id in str(err)


def test_401_reauthenticates_once_for_replayable_bodies(cluster, client):
    cluster.put_container('AUTH_test', 'caf\u00e9')
    client.request('HEAD', CONT_PATH).close()
    cluster.expire_tokens()
    resp = client.request('PUT', OBJ_PATH, body=b'bytes are replayable')
    assert resp.status == 201
    resp.close()
    assert len(cluster.auth_calls()) == 2
    assert cluster.get_object('AUTH_test', 'caf\u00e9', '\u2615 o').body == \
        b'bytes are replayable'


def test_401_twice_raises(cluster, client):
    cluster.refuse_all_tokens()
    with pytest.raises(ClusterUnavailable) as caught:
        client.request('GET', '/AUTH_test')
    assert caught.value.status == 401
    assert len(cluster.auth_calls()) == 2
    assert len(cluster.storage_calls()) == 2
    assert client._token is None


def test_401_with_streamed_body_raises_then_reauths(cluster, client):
    cluster.put_container('AUTH_test', 'caf\u00e9')
    client.request('HEAD', CONT_PATH).close()
    cluster.expire_tokens()
    with pytest.raises(ClusterUnavailable) as caught:
        client.request('PUT', OBJ_PATH, body=iter([b'a', b'b']),
                       headers={'Content-Length': '2'})
    assert 'service token refused' in str(caught.value)
    resp = client.request('PUT', OBJ_PATH, body=iter([b'a', b'b']),
                          headers={'Content-Length': '2'})
    assert resp.status == 201
    resp.close()
    assert len(cluster.auth_calls()) == 2


def test_streamed_body_reaches_the_cluster(cluster, client):
    cluster.put_container('AUTH_test', 'caf\u00e9')
    chunks = (bytes([i]) * 1000 for i in range(10))
    resp = client.request('PUT', OBJ_PATH, body=chunks)
    assert resp.status == 201
    resp.close()
    stored = cluster.get_object('AUTH_test', 'caf\u00e9', '\u2615 o')
    assert len(stored.body) == 10000


def test_connection_reset_raises_connection_failed(cluster, client):
    cluster.break_(reset=True)
    with pytest.raises(ClusterUnavailable) as caught:
        client.request('GET', '/AUTH_test')
    assert str(caught.value).startswith(
        "cluster 'east' unavailable: connection failed (")
    assert caught.value.timeout is False


@pytest.mark.xfail(URLLIB3_CLIENT, strict=True, reason=(
    'client.py ClusterClient._urlopen catches urllib3 TimeoutError before '
    'HTTPError, and urllib3 2.x NewConnectionError subclasses '
    'ConnectTimeoutError, so a refused connection is reported as "timed '
    'out (NewConnectionError)" with timeout=True'))
def test_refused_connection_is_not_a_timeout(cluster, client):
    cluster.break_()
    with pytest.raises(ClusterUnavailable) as caught:
        client.request('GET', '/AUTH_test')
    assert 'connection failed (' in str(caught.value)
    assert 'timed out' not in str(caught.value)
    assert caught.value.timeout is False


def test_read_timeout_raises_timed_out(cluster, client):
    cluster.hang()
    with pytest.raises(ClusterUnavailable) as caught:
        client.request('GET', '/AUTH_test')
    assert "cluster 'east' unavailable: timed out" in str(caught.value)
    assert caught.value.timeout is True
    warnings = client.logger.get_lines_for_level('warning')
    assert len(warnings) == 1
    assert warnings[0].startswith('cluster east: timed out')


def test_5xx_is_returned_and_counted(cluster):
    client = make_client(cluster, limit=1)
    cluster.fail(503)
    for _ in range(2):
        resp = client.request('GET', '/AUTH_test')
        assert resp.status == 503
        assert 'Service Unavailable' in resp.excerpt()
    assert client.is_error_limited()
    calls = len(cluster.calls)
    with pytest.raises(ClusterUnavailable) as caught:
        client.request('GET', '/AUTH_test')
    assert 'error-limited' in str(caught.value)
    assert len(cluster.calls) == calls


def test_4xx_is_returned_not_counted(cluster):
    client = make_client(cluster, limit=1)
    for _ in range(3):
        resp = client.request('GET', '/AUTH_test/missing')
        assert resp.status == 404
        resp.close()
    assert not client.is_error_limited()


def test_error_limit_is_shared_by_name_only(cluster):
    limiter = ClusterErrorLimiter(60, 0)
    other = FakeCluster('west')
    clients = [make_client(c) for c in (cluster, other)]
    for c in clients:
        c.error_limiter = limiter
    cluster.break_()
    with pytest.raises(ClusterUnavailable):
        clients[0].request('GET', '/AUTH_test')
    assert clients[0].is_error_limited()
    assert not clients[1].is_error_limited()
    clients[1].request('HEAD', '/AUTH_test').close()
    assert other.unclosed() == []


# -- BackendResponse ----------------------------------------------------


def get_object(cluster, client, size):
    cluster.put_object('AUTH_test', 'caf\u00e9', '\u2615 o', b'x' * size)
    resp = client.request('GET', OBJ_PATH)
    assert resp.status == 200
    return resp, cluster.responses[-1]


def test_iter_body_streams_and_releases(cluster, client):
    resp, raw = get_object(cluster, client, 150000)
    chunks = list(resp.iter_body(chunk_size=65536))
    assert [len(c) for c in chunks] == [65536, 65536, 18928]
    assert raw.released and not raw.closed


def test_unread_body_drops_the_connection(cluster, client):
    resp, raw = get_object(cluster, client, 200000)
    resp.close()
    assert raw.closed
    resp.close()  # idempotent


def test_abandoned_iterator_drops_the_connection(cluster, client):
    resp, raw = get_object(cluster, client, 150000)
    body = resp.iter_body(chunk_size=1000)
    next(body)
    body.close()
    assert raw.closed


def test_read_and_excerpt_release(cluster, client):
    resp, raw = get_object(cluster, client, 10)
    assert resp.read() == b'x' * 10
    assert raw.released
    resp, raw = get_object(cluster, client, 1000)
    assert resp.excerpt(limit=5) == 'xxxxx'
    assert raw.settled


def test_backend_response_properties(cluster, client):
    resp = client.request('GET', '/AUTH_test/nope')
    assert resp.status_line == '404 Not Found'
    assert resp.trans_id.startswith('txeast-')
    assert ('Content-Type', 'text/html; charset=UTF-8') in \
        resp.header_items()
    resp.close()


# -- header filters -----------------------------------------------------


def test_filter_request_headers():
    headers = [('X-Auth-Token', 't'), ('x-storage-token', 't'),
               ('Host', 'h'), ('Connection', 'close'), ('TE', 'trailers'),
               ('Transfer-Encoding', 'chunked'), ('Content-Length', '5'),
               ('Expect', '100-continue'), ('Authorization', 'AWS x'),
               ('X-Backend-Allow-Reserved-Names', 'true'), ('Cookie', 'c'),
               ('X-Trans-Id-Extra', 'x'), ('X-Forwarded-For', '1.2.3.4'),
               ('X-Object-Meta-Caf\xc3\xa9', 'v\xc3\xa9'),
               ('Content-Type', 'text/plain'), ('Range', 'bytes=1-2'),
               ('If-None-Match', '*'), ('X-Container-Read', '.r:*')]
    assert filter_request_headers(headers) == {
        'X-Object-Meta-Caf\xc3\xa9': 'v\xc3\xa9',
        'Content-Type': 'text/plain', 'Range': 'bytes=1-2',
        'If-None-Match': '*', 'X-Container-Read': '.r:*'}


def test_filter_response_headers():
    headers = [('Connection', 'keep-alive'), ('keep-alive', 'timeout=5'),
               ('Transfer-Encoding', 'chunked'), ('Date', 'd'),
               ('Server', 's'), ('X-Trans-Id', 'tx'), ('Set-Cookie', 'c'),
               ('X-Openstack-Request-Id', 'tx'), ('X-Storage-Policy', 'p'),
               ('X-Backend-Timestamp', '1'),
               ('x-account-storage-policy-gold-bytes-used', '1'),
               ('Etag', '"e"'), ('Content-Length', '5'),
               ('Content-Range', 'bytes 0-4/9'),
               ('X-Object-Meta-A', 'b'), ('Last-Modified', 'lm')]
    assert filter_response_headers(headers) == [
        ('Etag', '"e"'), ('Content-Length', '5'),
        ('Content-Range', 'bytes 0-4/9'), ('X-Object-Meta-A', 'b'),
        ('Last-Modified', 'lm')]


def test_unclosed_response_is_detected(cluster, client):
    """The leak detector itself: an unclosed response is reported."""
    resp = client.request('GET', '/AUTH_test')
    assert cluster.unclosed() == [cluster.responses[-1]]
    resp.close()
    assert cluster.unclosed() == []


def test_backend_response_wraps_any_response(cluster):
    raw = cluster.request('GET', cluster.auth_url, headers={
        'X-Auth-User': cluster.user, 'X-Auth-Key': cluster.key},
        timeout=(1, 1))
    resp = BackendResponse('east', raw)
    assert resp.status == 200
    assert resp.read() == b''
    assert raw.released
