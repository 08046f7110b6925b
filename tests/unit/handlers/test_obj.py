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

"""Object requests: placed by the ring, streamed, authorized."""

import hashlib
import json
import time

import pytest
from swift.common.concurrency import sleep
from swift.common.constraints import MAX_META_COUNT, MAX_META_VALUE_LENGTH
from swift.common.swob import Request, str_to_wsgi

from ocx_swift.handlers import obj as obj_handler
from tests.unit.fakes import FakeAuthorize, FakeClusterSet

ACCOUNT = 'AUTH_test'
CONT_N = 'sp\u00e4ce \u2615'
CONT = str_to_wsgi(CONT_N)
# native names; a few of each kind so several clusters get some
NAMES_N = ['caf\u00e9.txt', '\u65e5\u672c/\u8a9e.json', 'plain',
           'emoji \U0001f600.bin', 'a/b/c', '\u00fc\u00f1\u00ee.html']
BOB = 'other:bob'


@pytest.fixture
def ocx(tmp_path):
    clusters = FakeClusterSet(3, tmp_path)
    clusters.put_container(ACCOUNT, CONT_N)
    yield clusters
    assert clusters.unclosed() == []


def path_of(name_n, container=CONT):
    return '/v1/%s/%s/%s' % (ACCOUNT, container, str_to_wsgi(name_n))


def md5(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


# -- placement ----------------------------------------------------------


def test_every_verb_goes_to_the_primary_only(ocx):
    used = set()
    for name_n in NAMES_N:
        ocx.clear_calls()
        primary = ocx.primary(ACCOUNT, CONT, str_to_wsgi(name_n))
        used.add(primary.name)
        path = path_of(name_n)
        assert ocx.request(path, 'PUT', body=b'data').status_int == 201
        assert ocx.request(path, 'HEAD').status_int == 200
        assert ocx.request(path, 'GET').body == b'data'
        assert ocx.request(path, 'POST', headers={
            'X-Object-Meta-K': 'v'}).status_int == 202
        assert ocx.request(path, 'DELETE').status_int == 204
        calls = ocx.storage_calls()
        assert [(n, c.method) for n, c in calls] == [
            (primary.name, m) for m in ('PUT', 'HEAD', 'GET', 'HEAD',
                                        'POST', 'DELETE')]
        assert all(c.path == '/v1/%s/%s/%s' % (ACCOUNT, CONT_N, name_n)
                   for _n, c in calls)
        for other in ocx:
            if other is not primary:
                assert other.storage_calls() == []
    assert len(used) > 1  # the ring does spread objects


def test_put_stores_on_primary_only(ocx):
    for name_n in NAMES_N:
        assert ocx.request(path_of(name_n), 'PUT',
                           body=name_n.encode('utf-8')).status_int == 201
        primary = ocx.primary(ACCOUNT, CONT, str_to_wsgi(name_n))
        for cluster in ocx:
            stored = cluster.get_object(ACCOUNT, CONT_N, name_n)
            if cluster is primary:
                assert stored.body == name_n.encode('utf-8')
            else:
                assert stored is None


def test_placement_follows_the_utf8_name(ocx):
    # the ring hashes real UTF-8 bytes, whichever way a name is spelled
    name_n = NAMES_N[0]
    quoted = '/v1/%s/sp%%C3%%A4ce%%20%%E2%%98%%95/caf%%C3%%A9.txt' % ACCOUNT
    assert ocx.request(quoted, 'PUT', body=b'q').status_int == 201
    primary = ocx.primary(ACCOUNT, CONT, str_to_wsgi(name_n))
    assert primary.get_object(ACCOUNT, CONT_N, name_n).body == b'q'
    assert ocx.request(path_of(name_n)).body == b'q'


# -- bodies and headers -------------------------------------------------


def test_get_streams_body_and_headers_back(ocx):
    body = bytes(range(256)) * 1000
    path = path_of(NAMES_N[1])
    resp = ocx.request(path, 'PUT', body=body, headers={
        'Content-Type': 'application/x-test', 'ETag': md5(body),
        'X-Object-Meta-Colour': 'bl\xc3\xa9u',
        'Content-Disposition': 'attachment'})
    assert resp.status_int == 201
    # the MD5 the exchange computed (the index's), not a landlord's claim
    assert resp.headers['Etag'].strip('"') == md5(body)
    put_lm = resp.headers['Last-Modified']
    resp = Request.blank(path).get_response(ocx.mw)
    assert resp.status_int == 200
    chunks = list(resp.app_iter)
    assert len(chunks) > 1  # streamed, not buffered whole
    assert b''.join(chunks) == body
    assert resp.headers['Content-Length'] == str(len(body))
    assert resp.headers['Etag'].strip('"') == md5(body)
    assert resp.headers['Last-Modified'] == put_lm
    assert resp.headers['Content-Type'] == 'application/x-test'
    assert resp.headers['X-Object-Meta-Colour'] == 'bl\xc3\xa9u'
    assert resp.headers['Content-Disposition'] == 'attachment'
    head = ocx.request(path, 'HEAD')
    assert head.status_int == 200
    assert head.body == b''
    assert head.headers['Content-Length'] == str(len(body))
    assert head.headers['X-Object-Meta-Colour'] == 'bl\xc3\xa9u'


def test_put_streams_the_client_body(ocx):
    body = b'z' * 300000
    path = path_of(NAMES_N[2])
    assert ocx.request(path, 'PUT', body=body).status_int == 201
    put = [c for _n, c in ocx.storage_calls('PUT')][0]
    assert put.headers['Content-Length'] == str(len(body))
    primary = ocx.primary(ACCOUNT, CONT, str_to_wsgi(NAMES_N[2]))
    assert primary.get_object(ACCOUNT, CONT_N, NAMES_N[2]).body == body


def test_chunked_put(ocx):
    req = Request.blank(path_of(NAMES_N[0]), method='PUT', body=b'chunked!')
    del req.environ['CONTENT_LENGTH']
    req.environ['HTTP_TRANSFER_ENCODING'] = 'chunked'
    resp = req.get_response(ocx.mw)
    assert resp.body == b''
    assert resp.status_int == 201
    put = [c for _n, c in ocx.storage_calls('PUT')][0]
    assert 'Content-Length' not in put.headers
    assert 'Transfer-Encoding' not in put.headers
    primary = ocx.primary(ACCOUNT, CONT, str_to_wsgi(NAMES_N[0]))
    assert primary.get_object(ACCOUNT, CONT_N, NAMES_N[0]).body == \
        b'chunked!'


def test_put_without_length_or_chunked_is_411(ocx):
    req = Request.blank(path_of(NAMES_N[0]), method='PUT', body=b'x')
    del req.environ['CONTENT_LENGTH']
    resp = req.get_response(ocx.mw)
    assert resp.status_int == 411
    assert ocx.storage_calls() == []


def test_short_client_body_is_499(ocx):
    req = Request.blank(path_of(NAMES_N[0]), method='PUT', body=b'short')
    req.environ['CONTENT_LENGTH'] = '100'
    resp = req.get_response(ocx.mw)
    assert resp.status_int == 499
    for cluster in ocx:
        assert cluster.get_object(ACCOUNT, CONT_N, NAMES_N[0]) is None


class BrokenInput(object):

    def __init__(self, error):
        self.error = error

    def read(self, size=-1):
        raise self.error


class SlowInput(object):

    def read(self, size=-1):
        sleep(5)
        return b'never'


def test_client_read_error_is_499(ocx):
    req = Request.blank(path_of(NAMES_N[0]), method='PUT', body=b'x')
    req.environ['wsgi.input'] = BrokenInput(IOError('client went away'))
    assert req.get_response(ocx.mw).status_int == 499


def test_client_read_timeout_is_408(tmp_path):
    ocx = FakeClusterSet(2, tmp_path, client_timeout='0.01')
    ocx.put_container(ACCOUNT, CONT_N)
    req = Request.blank(path_of(NAMES_N[0]), method='PUT', body=b'x')
    req.environ['wsgi.input'] = SlowInput()
    resp = req.get_response(ocx.mw)
    assert resp.status_int == 408
    assert ocx.unclosed() == []


def test_wrong_etag_is_422_and_not_stored(ocx):
    resp = ocx.request(path_of(NAMES_N[0]), 'PUT', body=b'data',
                       headers={'ETag': md5(b'other')})
    assert resp.status_int == 422
    for cluster in ocx:
        assert cluster.get_object(ACCOUNT, CONT_N, NAMES_N[0]) is None


@pytest.mark.parametrize('range_header, status, body, content_range', [
    ('bytes=2-5', 206, b'2345', 'bytes 2-5/10'),
    ('bytes=7-', 206, b'789', 'bytes 7-9/10'),
    ('bytes=-3', 206, b'789', 'bytes 7-9/10'),
    ('bytes=8-100', 206, b'89', 'bytes 8-9/10'),
    ('bytes=10-', 416, None, 'bytes */10'),
])
@pytest.mark.parametrize('whole', [True, False])
def test_ranges(ocx, monkeypatch, whole, range_header, status, body,
                content_range):
    # a small object is read whole and checked, and the range cut from
    # it; a larger one is asked for the range
    monkeypatch.setattr(obj_handler, 'RANGE_WHOLE_BYTES', 10 if whole else 9)
    path = path_of(NAMES_N[3])
    ocx.request(path, 'PUT', body=b'0123456789')
    resp = ocx.request(path, headers={'Range': range_header})
    assert resp.status_int == status
    assert resp.headers['Content-Range'] == content_range
    if body is not None:
        assert resp.body == body
        assert resp.headers['Content-Length'] == str(len(body))
    get = ocx.storage_calls('GET')[0][1]
    assert get.headers.get('Range') == (None if whole else range_header)


def test_query_string_is_not_forwarded(ocx):
    # multipart-manifest, symlink and the like are for the middlewares left
    # of ocx; a landlord only stores
    path = path_of(NAMES_N[3])
    ocx.request(path, 'PUT', body=b'data')
    resp = ocx.request(path + '?multipart-manifest=get&x=%C3%A9')
    assert resp.body == b'data'
    get = ocx.storage_calls('GET')[0][1]
    assert get.query == ''


def test_conditional_get_passes_through(ocx):
    path = path_of(NAMES_N[3])
    ocx.request(path, 'PUT', body=b'data')
    resp = ocx.request(path, headers={'If-None-Match': md5(b'data')})
    assert resp.status_int == 304
    assert resp.body == b''
    resp = ocx.request(path, headers={'If-Match': md5(b'other')})
    assert resp.status_int == 412


def test_missing_objects_are_404(ocx):
    for method in ('GET', 'HEAD', 'POST', 'DELETE'):
        assert ocx.request(path_of('nope \u00e9'), method).status_int == 404
    resp = ocx.request('/v1/%s/no-container/o' % ACCOUNT, 'PUT', body=b'x')
    assert resp.status_int == 404


def test_post_replaces_metadata(ocx):
    path = path_of(NAMES_N[4])
    ocx.request(path, 'PUT', body=b'x', headers={
        'X-Object-Meta-Old': '1', 'Content-Type': 'text/plain'})
    resp = ocx.request(path, 'POST', headers={
        'X-Object-Meta-New': '\xc3\xa9t\xc3\xa9'})
    assert resp.status_int == 202
    head = ocx.request(path, 'HEAD')
    assert head.headers['X-Object-Meta-New'] == '\xc3\xa9t\xc3\xa9'
    assert 'X-Object-Meta-Old' not in head.headers
    assert head.headers['Content-Type'] == 'text/plain'


def test_delete_removes(ocx):
    path = path_of(NAMES_N[5])
    ocx.request(path, 'PUT', body=b'x')
    assert ocx.request(path, 'DELETE').status_int == 204
    assert ocx.request(path).status_int == 404


# -- checks made before asking anyone ---------------------------------


def test_object_name_limit_is_1024_bytes(ocx):
    longest = '\u00e9' * 512           # 1024 UTF-8 bytes
    too_long = '\u00e9' * 512 + 'x'    # 1025 UTF-8 bytes
    assert ocx.request(path_of(longest), 'PUT', body=b'x').status_int == 201
    ocx.clear_calls()
    resp = ocx.request(path_of(too_long), 'PUT', body=b'x')
    assert resp.status_int == 400
    assert b'Object name length of 1025 longer than 1024' in resp.body
    assert ocx.storage_calls() == []


@pytest.mark.parametrize('method', ['PUT', 'POST'])
@pytest.mark.parametrize('headers, message', [
    ({'X-Object-Meta-K%d' % i: 'v' for i in range(MAX_META_COUNT + 1)},
     b'Too many metadata items'),
    ({'X-Object-Meta-Big': 'v' * (MAX_META_VALUE_LENGTH + 1)},
     b'Metadata value longer than'),
    ({'X-Object-Meta-' + 'k' * 200: 'v'}, b'Metadata name too long'),
])
def test_too_much_metadata_is_400(ocx, method, headers, message):
    ocx.put_object(ACCOUNT, CONT_N, NAMES_N[0], b'x')
    resp = ocx.request(path_of(NAMES_N[0]), method, headers=headers,
                       body=b'x' if method == 'PUT' else None)
    assert resp.status_int == 400
    assert message in resp.body
    assert ocx.storage_calls() == []


@pytest.mark.parametrize('name_n, headers, expected', [
    ('caf\u00e9.txt', {}, 'text/plain'),
    ('\u65e5\u672c.json', {}, 'application/json'),
    ('no-extension', {}, 'application/octet-stream'),
    ('page.html', {'Content-Type': 'application/x-mine'},
     'application/x-mine'),
    ('page.html', {'Content-Type': 'application/x-mine',
                   'X-Detect-Content-Type': 'true'}, 'text/html'),
])
def test_content_type_is_guessed_when_missing(ocx, name_n, headers,
                                              expected):
    assert ocx.request(path_of(name_n), 'PUT', body=b'x',
                       headers=headers).status_int == 201
    put = ocx.storage_calls('PUT')[0][1]
    assert put.headers['Content-Type'] == expected
    assert 'X-Detect-Content-Type' not in put.headers
    assert ocx.request(path_of(name_n), 'HEAD').headers['Content-Type'] == \
        expected


def test_swift_params_refused_from_clients_as_swift_does(ocx):
    resp = ocx.request(path_of(NAMES_N[0]), 'PUT', body=b'x', headers={
        'Content-Type': 'text/plain; swift_bytes=5'})
    assert resp.status_int == 400
    assert b'swift_* is not a valid parameter' in resp.body
    assert ocx.storage_calls('PUT') == []


def test_delete_marker_content_type_round_trips(ocx):
    """legacy versioned_writes writes its delete markers with a
    ``swift_`` parameter, which landlords refuse from outsiders."""
    marker = 'application/x-deleted;swift_versions_deleted=1'
    path = path_of(NAMES_N[0])
    resp = ocx.request(path, 'PUT', body=b'', headers={
        'Content-Type': marker},
        environ={'swift.content_type_overridden': True})
    assert resp.status_int == 201
    put = ocx.storage_calls('PUT')[0][1]
    assert put.headers['Content-Type'] == \
        'application/x-deleted;ocx_versions_deleted=1'
    assert ocx.request(path, 'HEAD').headers['Content-Type'] == marker
    listing = json.loads(ocx.request(
        '/v1/%s/%s?format=json' % (ACCOUNT, CONT)).body)
    assert [e['content_type'] for e in listing] == [marker]


def test_expiry_is_checked_against_now(ocx):
    past = str(int(time.time()) - 100)
    resp = ocx.request(path_of(NAMES_N[0]), 'PUT', body=b'x',
                       headers={'X-Delete-At': past})
    assert resp.status_int == 400
    assert b'X-Delete-At in past' in resp.body
    assert ocx.storage_calls() == []
    before = time.time()
    resp = ocx.request(path_of(NAMES_N[0]), 'PUT', body=b'x',
                       headers={'X-Delete-After': '60'})
    assert resp.status_int == 201
    put = ocx.storage_calls('PUT')[0][1]
    assert 'X-Timestamp' not in put.headers  # the landlord stamps it
    assert 'X-Delete-After' not in put.headers
    assert before + 59 <= int(put.headers['X-Delete-At']) <= \
        time.time() + 61


def test_if_none_match_only_star(ocx):
    resp = ocx.request(path_of(NAMES_N[0]), 'PUT', body=b'x',
                       headers={'If-None-Match': '"abc"'})
    assert resp.status_int == 400
    assert ocx.storage_calls() == []
    resp = ocx.request(path_of(NAMES_N[0]), 'PUT', body=b'x',
                       headers={'If-None-Match': '*'})
    assert resp.status_int == 201
    assert ocx.storage_calls('PUT')[0][1].headers['If-None-Match'] == '*'


# -- authorization ------------------------------------------------------


def storage_object_calls(ocx):
    """Calls that touched an object (not the info HEADs)."""
    return [(n, c) for n, c in ocx.storage_calls()
            if c.path.count('/') >= 4]


def test_owner_is_authorized_once_without_acl(ocx):
    auth = FakeAuthorize('test:tester', owned=[ACCOUNT])
    path = path_of(NAMES_N[0])
    resp = ocx.request(path, 'PUT', body=b'x', environ=auth.environ())
    assert resp.status_int == 201
    assert auth.calls == [('PUT', path, None)]
    assert ocx.storage_calls('HEAD') == []  # no container info needed


@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_read_denied_without_acl(ocx, method):
    ocx.put_object(ACCOUNT, CONT_N, NAMES_N[0], b'secret')
    auth = FakeAuthorize(BOB)
    resp = ocx.request(path_of(NAMES_N[0]), method, environ=auth.environ())
    assert resp.status_int == 403
    assert b'secret' not in resp.body
    assert storage_object_calls(ocx) == []
    assert [acl for _m, _p, acl in auth.calls] == [None, None]


@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_read_retried_with_container_read_acl(ocx, method):
    ocx.put_container(ACCOUNT, CONT_N, {'X-Container-Read': BOB,
                                        'X-Container-Write': 'x:y'})
    ocx.put_object(ACCOUNT, CONT_N, NAMES_N[0], b'shared')
    auth = FakeAuthorize(BOB)
    path = path_of(NAMES_N[0])
    resp = ocx.request(path, method, environ=auth.environ())
    assert resp.status_int == 200
    if method == 'GET':
        assert resp.body == b'shared'
    assert auth.calls == [(method, path, None), (method, path, BOB)]


@pytest.mark.parametrize('method', ['PUT', 'POST', 'DELETE'])
def test_write_retried_with_container_write_acl(ocx, method):
    ocx.put_container(ACCOUNT, CONT_N, {'X-Container-Read': 'x:y',
                                        'X-Container-Write': BOB})
    ocx.put_object(ACCOUNT, CONT_N, NAMES_N[0], b'old')
    auth = FakeAuthorize(BOB)
    path = path_of(NAMES_N[0])
    resp = ocx.request(path, method, environ=auth.environ(),
                       body=b'new' if method == 'PUT' else None)
    assert resp.status_int in (201, 202, 204)
    assert auth.calls == [(method, path, None), (method, path, BOB)]
    # a POST first reads the sysmeta kept in the landlord's metadata
    expected = ['HEAD', 'POST'] if method == 'POST' else [method]
    assert [c.method for _n, c in storage_object_calls(ocx)] == expected


@pytest.mark.parametrize('method', ['PUT', 'POST', 'DELETE'])
def test_write_denied_with_only_read_acl(ocx, method):
    ocx.put_container(ACCOUNT, CONT_N, {'X-Container-Read': BOB})
    ocx.put_object(ACCOUNT, CONT_N, NAMES_N[0], b'old')
    auth = FakeAuthorize(BOB)
    resp = ocx.request(path_of(NAMES_N[0]), method, environ=auth.environ(),
                       body=b'new' if method == 'PUT' else None)
    assert resp.status_int == 403
    assert storage_object_calls(ocx) == []
    primary = ocx.primary(ACCOUNT, CONT, str_to_wsgi(NAMES_N[0]))
    assert primary.get_object(ACCOUNT, CONT_N, NAMES_N[0]).body == b'old'


def test_acl_of_another_container_does_not_count(ocx):
    ocx.put_container(ACCOUNT, 'open', {'X-Container-Read': BOB})
    ocx.put_object(ACCOUNT, CONT_N, NAMES_N[0], b'secret')
    auth = FakeAuthorize(BOB)
    ocx.request('/v1/%s/open' % ACCOUNT, 'HEAD', environ=auth.environ())
    resp = ocx.request(path_of(NAMES_N[0]), environ=auth.environ())
    assert resp.status_int == 403


def test_read_of_missing_container_denied(ocx):
    auth = FakeAuthorize(BOB)
    resp = ocx.request(path_of(NAMES_N[0], container='nowhere'),
                       environ=auth.environ())
    assert resp.status_int == 403
    assert storage_object_calls(ocx) == []


@pytest.mark.parametrize('fault', ['hang', 'break_', 'fail'])
def test_sick_primary_gets_a_handoff(ocx, fault):
    """The PUT's copy goes to the next cluster of the ring walk (kept
    bytes replayed); the row records it; reads and deletes find it
    there; other objects are unaffected."""
    name = NAMES_N[0]
    primary = ocx.primary(ACCOUNT, CONT, str_to_wsgi(name))
    getattr(primary, fault)()
    resp = ocx.request(path_of(name), 'PUT', body=b'x' * 100)
    assert resp.status_int == 201
    holders = ocx.holders(ACCOUNT, CONT_N, name)
    assert len(holders) == 1 and holders[0] is not primary
    row = ocx.index.row(ACCOUNT, CONT_N, name)
    assert row.at == [holders[0].name]
    assert any(('stored without %s' % primary.name) in line
               for line in ocx.logger.get_lines_for_level('warning'))
    resp = ocx.request(path_of(name))
    assert (resp.status_int, resp.body) == (200, b'x' * 100)
    primary.heal()
    assert ocx.request(path_of(name), 'DELETE').status_int == 204
    assert ocx.holders(ACCOUNT, CONT_N, name) == []


def test_no_cluster_left_gives_503_naming_them(ocx):
    name = NAMES_N[0]
    for cluster in ocx:
        cluster.hang()
    resp = ocx.request(path_of(name), 'PUT', body=b'x')
    assert resp.status_int == 503
    for cluster in ocx:
        assert ("cluster '%s' unavailable: timed out" % cluster.name
                ).encode('ascii') in resp.body
    assert ocx.index.row(ACCOUNT, CONT_N, name) is None
