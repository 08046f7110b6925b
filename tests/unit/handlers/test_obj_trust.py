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

"""Object copies kept by landlords that lie: a copy is served only when
its state tag verifies, its timestamp is the index's and its bytes hash
to the index's MD5; otherwise the next copy, or 503, never the lie."""

import copy
import json
import hashlib

import pytest
from swift.common.swob import Request, str_to_wsgi
from swift.common.utils import Timestamp

from ocx_swift.handlers import obj as obj_handler
from ocx_swift.storage.copies import CopyMismatch, VERIFY_BEFORE_BYTES
from ocx_swift.storage.state import STATE_HEADER
from tests.unit.fakes import FakeClusterSet, swift_policies

ACCOUNT_N = 'AUTH_t\u00e9st'
ACCOUNT = str_to_wsgi(ACCOUNT_N)
CONT_N = 'zw\u00ef \u2615'
CONT = str_to_wsgi(CONT_N)
OBJ_N = 'sw\u00e9ft/\U0001f600.txt'
OBJ = str_to_wsgi(OBJ_N)
PATH = '/v1/%s/%s/%s' % (ACCOUNT, CONT, OBJ)
OTHER_N = 'other \u00e9'
BODY = 'caf\u00e9 au lait '.encode('utf-8') * 10
POLICIES = u'''
[policy:standard]
kind = replicated
default = yes

[policy:two]
kind = replicated
replicas = 2
'''


@pytest.fixture
def ocx(tmp_path, monkeypatch):
    monkeypatch.setattr(obj_handler, 'LATE_WRITE_WATCH', 0)
    swift_policies(monkeypatch, ['standard', 'two'])
    path = tmp_path / 'ocx-policies.conf'
    path.write_text(POLICIES, encoding='utf-8')
    clusters = FakeClusterSet(3, tmp_path, policy_conf_path=str(path))
    clusters.put_container(ACCOUNT_N, CONT_N, policy_index=1)
    yield clusters
    assert clusters.unclosed() == []


def md5(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def put(ocx, body=BODY, path=PATH, **headers):
    headers.setdefault('X-Object-Meta-Colour', 'bl\xc3\xa9u')
    headers.setdefault('Content-Type', 'text/plain')
    resp = ocx.request(path, 'PUT', body=body, headers=headers)
    assert resp.status_int == 201, resp.body
    return resp


def read_order(ocx):
    """The (fake) clusters holding the object, in the order reads ask
    them."""
    req = Request.blank(PATH)
    resp = req.get_response(ocx.mw)
    assert resp.status_int == 200
    resp.body  # noqa: read it, closing the landlord's answer
    first = req.environ['swift.log_info'][0].split('=', 1)[1]
    holders = ocx.holders(ACCOUNT_N, CONT_N, OBJ_N)
    holders.sort(key=lambda c: c.name != first)
    return holders


def stored(cluster, name_n=OBJ_N):
    return cluster.get_object(ACCOUNT_N, CONT_N, name_n)


def tag_timestamp(obj):
    """The timestamp a copy's state tag signs (``v1.<id>.<ts>.<tag>``)."""
    return '.'.join(obj.headers[STATE_HEADER.title()].split('.')[2:4])


def warnings(ocx):
    return ocx.logger.get_lines_for_level('warning')


def set_meta(obj):
    obj.headers['X-Object-Meta-Colour'] = 'r\xc3\xb6d'


def add_meta(obj):
    obj.headers['X-Object-Meta-Added'] = 'by the landlord'


def drop_meta(obj):
    del obj.headers['X-Object-Meta-Colour']


def set_type(obj):
    obj.headers['Content-Type'] = 'text/html'


def flip_tag(obj):
    tag = obj.headers[STATE_HEADER.title()]
    obj.headers[STATE_HEADER.title()] = tag[:-1] + (
        'A' if tag[-1] != 'A' else 'B')


def drop_tag(obj):
    del obj.headers[STATE_HEADER.title()]


HEADER_TAMPERING = {'meta value': set_meta, 'meta added': add_meta,
                    'meta stripped': drop_meta, 'content type': set_type,
                    'tag altered': flip_tag, 'tag stripped': drop_tag}


@pytest.mark.parametrize('tamper', sorted(HEADER_TAMPERING))
@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_tampered_headers_serve_the_next_copy(ocx, tamper, method):
    put(ocx)
    first, second = read_order(ocx)
    HEADER_TAMPERING[tamper](stored(first))
    resp = ocx.request(PATH, method)
    assert resp.status_int == 200
    if method == 'GET':
        assert resp.body == BODY
    assert resp.headers['X-Object-Meta-Colour'] == 'bl\xc3\xa9u'
    assert resp.headers['Content-Type'] == 'text/plain'
    assert 'X-Object-Meta-Added' not in resp.headers
    assert resp.headers['Etag'].strip('"') == md5(BODY)
    assert any('returned a bad copy' in line and first.name in line
               for line in warnings(ocx))


@pytest.mark.parametrize('tamper', sorted(HEADER_TAMPERING))
@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_no_copy_verifying_is_503(ocx, tamper, method):
    put(ocx)
    for cluster in read_order(ocx):
        HEADER_TAMPERING[tamper](stored(cluster))
    resp = ocx.request(PATH, method)
    assert resp.status_int == 503
    assert BODY not in resp.body
    assert b'r\xc3\xb6d' not in resp.body + str(resp.headers).encode()


def test_altered_bytes_of_a_small_object_serve_the_next_copy(ocx):
    put(ocx)
    first, second = read_order(ocx)
    evil = b'X' * len(BODY)
    stored(first).body = evil
    resp = ocx.request(PATH)
    assert resp.status_int == 200
    assert resp.body == BODY
    assert any('bytes hash to %s' % md5(evil) in line
               for line in warnings(ocx))
    stored(second).body = evil
    resp = ocx.request(PATH)
    assert resp.status_int == 503
    assert evil not in resp.body


def test_altered_bytes_of_a_large_object_end_the_body_early(ocx):
    body = b'\xe2\x98\x95' * (VERIFY_BEFORE_BYTES // 2)
    put(ocx, body=body)
    first, second = read_order(ocx)
    evil = body[:-3] + b'???'
    stored(first).body = evil
    resp = Request.blank(PATH).get_response(ocx.mw)
    assert resp.status_int == 200  # streamed: sent before the end is seen
    received = []
    with pytest.raises(CopyMismatch):
        for chunk in resp.app_iter:
            received.append(chunk)
    resp.app_iter.close()
    # the client never gets the whole altered body: the last chunk, which
    # held the change, is withheld
    assert len(b''.join(received)) < len(evil)
    assert evil.endswith(b'???') and b'???' not in b''.join(received)
    assert any('bytes hash to' in line for line in warnings(ocx))


def test_transplanted_copy_is_refused(ocx):
    put(ocx)
    put(ocx, body=b'another object', path='/v1/%s/%s/%s' % (
        ACCOUNT, CONT, str_to_wsgi(OTHER_N)))
    first, second = read_order(ocx)
    donor = next((c for c in ocx if stored(c, OTHER_N) is not None))
    cont = first.get_container(ACCOUNT_N, CONT_N)
    cont.objects[OBJ_N] = copy.deepcopy(stored(donor, OTHER_N))
    resp = ocx.request(PATH)
    assert resp.status_int == 200
    assert resp.body == BODY


def test_replayed_older_version_is_refused(ocx):
    put(ocx, body=b'old bytes \xc3\xa9')
    first, second = read_order(ocx)
    old = copy.deepcopy(stored(first))
    put(ocx, body=b'new bytes \xc3\xa9')
    first.get_container(ACCOUNT_N, CONT_N).objects[OBJ_N] = old
    resp = ocx.request(PATH)
    assert resp.status_int == 200
    assert resp.body == b'new bytes \xc3\xa9'
    assert any('the index holds' in line for line in warnings(ocx))
    second.get_container(ACCOUNT_N, CONT_N).objects[OBJ_N] = \
        copy.deepcopy(old)
    resp = ocx.request(PATH)
    assert resp.status_int == 503
    assert b'old bytes \xc3\xa9' not in resp.body


def test_resurrected_copy_of_a_deleted_object_is_never_served(ocx):
    put(ocx)
    first, second = read_order(ocx)
    kept = copy.deepcopy(stored(first))
    assert ocx.request(PATH, 'DELETE').status_int == 204
    first.get_container(ACCOUNT_N, CONT_N).objects[OBJ_N] = kept
    assert ocx.request(PATH).status_int == 404
    assert ocx.request(PATH, 'HEAD').status_int == 404


def lie_about_etag(method, path, status, headers, body):
    if method == 'PUT' and status == 201:
        headers['Etag'] = '"%s"' % md5(b'what the landlord says')
    return status, headers, body


def test_landlord_claiming_a_wrong_etag_fails_the_put(ocx):
    ocx['c1'].rewrite = ocx['c2'].rewrite = ocx['c3'].rewrite = \
        lie_about_etag
    resp = ocx.request(PATH, 'PUT', body=BODY)
    assert resp.status_int == 503
    assert b'failed verification' in resp.body
    assert ocx.index.writes == []
    assert ocx.index.row(ACCOUNT_N, CONT_N, OBJ_N) is None
    # whatever the landlords kept is never served
    assert ocx.request(PATH).status_int == 404
    assert ocx.request(PATH, 'HEAD').status_int == 404


def test_one_lying_landlord_fails_the_put_and_keeps_the_old_version(ocx):
    put(ocx, body=b'old')
    first, second = read_order(ocx)
    second.rewrite = lie_about_etag
    resp = ocx.request(PATH, 'PUT', body=b'new')
    assert resp.status_int == 503
    assert ("cluster '%s' unavailable" % second.name).encode() in resp.body
    assert ocx.index.row(ACCOUNT_N, CONT_N, OBJ_N).md5 == md5(b'old')
    second.rewrite = None
    # the landlords hold the new bytes, which the index never took
    resp = ocx.request(PATH)
    assert b'new' not in resp.body


def test_delete_records_a_tombstone_when_a_landlord_fails(ocx):
    put(ocx)
    first, second = read_order(ocx)
    second.break_()
    before = Timestamp.now()
    resp = ocx.request(PATH, 'DELETE')
    assert resp.status_int == 204
    assert ocx.index.tombstones[(ACCOUNT_N, CONT_N, OBJ_N)] >= before
    assert stored(first) is None
    second.heal()
    assert stored(second) is not None  # kept by the landlord ...
    assert ocx.request(PATH).status_int == 404  # ... and never served
    assert ocx.request(PATH, 'HEAD').status_int == 404


def test_delete_writes_the_index_before_any_landlord(ocx):
    put(ocx)
    seen = []

    def watch(method, path, status, headers, body):
        if method == 'DELETE':
            seen.append(ocx.index.row(ACCOUNT_N, CONT_N, OBJ_N))
        return status, headers, body

    for cluster in ocx:
        cluster.rewrite = watch
    assert ocx.request(PATH, 'DELETE').status_int == 204
    assert len(seen) == 2 and seen == [None, None]


def test_post_keeps_sysmeta_and_signs_again(ocx):
    put(ocx, **{'X-Object-Sysmeta-Slo-Etag': 'abc\xc3\xa9',
                'X-Object-Meta-Old': '1'})
    row = ocx.index.row(ACCOUNT_N, CONT_N, OBJ_N)
    resp = ocx.request(PATH, 'POST', headers={
        'X-Object-Meta-New': '\xc3\xa9t\xc3\xa9'})
    assert resp.status_int == 202
    after = ocx.index.row(ACCOUNT_N, CONT_N, OBJ_N)
    assert after.timestamp > row.timestamp
    assert (after.md5, after.size, after.etag) == (row.md5, row.size,
                                                   row.etag)
    for method in ('GET', 'HEAD'):
        resp = ocx.request(PATH, method, environ={
            'swift.source': 'SLO'})
        assert resp.status_int == 200, method  # the new tags verify
        assert resp.headers['X-Object-Meta-New'] == '\xc3\xa9t\xc3\xa9'
        assert 'X-Object-Meta-Old' not in resp.headers
        assert resp.headers['X-Object-Sysmeta-Slo-Etag'] == 'abc\xc3\xa9'
        assert resp.headers['Content-Type'] == 'text/plain'
    assert ocx.request(PATH).body == BODY
    # every copy carries the POST's timestamp now
    tags = {tag_timestamp(stored(c))
            for c in ocx.holders(ACCOUNT_N, CONT_N, OBJ_N)}
    assert tags == {after.timestamp.internal}


def test_post_to_a_tampered_copy_is_refused(ocx):
    put(ocx)
    first, second = read_order(ocx)
    set_meta(stored(first))
    resp = ocx.request(PATH, 'POST', headers={'X-Object-Meta-New': 'n'})
    # the good copy took it (ocx-repair remakes the other)
    assert resp.status_int == 202
    assert any('failed verification' in line for line in warnings(ocx))
    # the tampered copy was not re-signed into a valid one
    assert stored(first).headers['X-Object-Meta-Colour'] == 'r\xc3\xb6d'
    assert 'X-Object-Meta-New' not in stored(first).headers
    resp = ocx.request(PATH)
    assert resp.body == BODY and resp.headers['X-Object-Meta-New'] == 'n'
    # with no good copy left, a POST changes nothing
    set_meta(stored(second))
    resp = ocx.request(PATH, 'POST', headers={'X-Object-Meta-New': 'm'})
    assert resp.status_int == 503
    assert b'failed verification' in resp.body


def test_post_content_type_reaches_the_index(ocx):
    put(ocx)
    assert ocx.request(PATH, 'POST', headers={
        'Content-Type': 'application/x-new'}).status_int == 202
    row = ocx.index.row(ACCOUNT_N, CONT_N, OBJ_N)
    assert row.content_type == 'application/x-new'
    resp = ocx.request(PATH)
    assert resp.status_int == 200
    assert resp.headers['Content-Type'] == 'application/x-new'


def test_post_to_several_copies_closes_every_answer(ocx):
    put(ocx)
    assert ocx.request(PATH, 'POST', headers={
        'X-Object-Meta-New': 'n'}).status_int == 202
    leaked = ocx.unclosed()
    assert leaked == []


def test_copies_carry_no_plain_timestamp_or_unsigned_state(ocx):
    put(ocx)
    for cluster in ocx.holders(ACCOUNT_N, CONT_N, OBJ_N):
        put_call = cluster.storage_calls('PUT')[-1]
        assert 'X-Timestamp' not in put_call.headers
        tag = put_call.headers[STATE_HEADER]
        assert tag.startswith('v1.default.')


def test_landlord_4xx_does_not_stop_the_read(ocx):
    put(ocx)
    first, second = read_order(ocx)

    def forbid(method, path, status, headers, body):
        if method in ('GET', 'HEAD'):
            return 403, {'X-Object-Meta-Colour': 'r\xc3\xb6d'}, b'nope'
        return status, headers, body

    first.rewrite = forbid
    resp = ocx.request(PATH)
    assert resp.status_int == 200
    assert resp.body == BODY


def test_head_content_length_is_the_index_size(ocx):
    put(ocx)
    for cluster in read_order(ocx):
        stored(cluster).body = BODY + b'padding'
    resp = ocx.request(PATH, 'HEAD')
    assert resp.status_int != 200 or \
        resp.headers['Content-Length'] == str(len(BODY))


def test_answers_are_dated_by_the_exchange_not_a_landlord(ocx):
    resp = put(ocx)
    row = ocx.index.row(ACCOUNT_N, CONT_N, OBJ_N)
    assert resp.headers['X-Timestamp'] == row.timestamp.normal
    for holder in ocx.holders(ACCOUNT_N, CONT_N, OBJ_N):
        # a landlord's clock says otherwise
        stored(holder).timestamp = float(row.timestamp) + 3600
    for method in ('GET', 'HEAD'):
        got = ocx.request(PATH, method)
        assert got.status_int == 200
        assert got.headers['X-Timestamp'] == row.timestamp.normal
        assert got.last_modified.timestamp() == int(row.timestamp.ceil())


def test_if_delete_at_is_checked_as_swift_does(ocx):
    put(ocx)
    bad = ocx.request(PATH, 'DELETE', headers={'X-If-Delete-At': 'b\xc3\xa4d'})
    assert bad.status_int == 400
    other = ocx.request(PATH, 'DELETE', headers={'X-If-Delete-At': '1'})
    assert other.status_int == 412
    assert ocx.index.row(ACCOUNT_N, CONT_N, OBJ_N) is not None
    assert ocx.request(PATH).status_int == 200
    gone = ocx.request(PATH, 'DELETE', headers={'X-If-Delete-At': '0'})
    assert gone.status_int == 204
    assert ocx.request(PATH).status_int == 404


@pytest.mark.parametrize('ranges', ['bytes=0-99', 'bytes=0-9,20-29'])
def test_altered_bytes_never_reach_a_range(ocx, ranges):
    put(ocx)
    for holder in ocx.holders(ACCOUNT_N, CONT_N, OBJ_N):
        obj = stored(holder)
        obj.body = b'\0' * 100 + obj.body[100:]  # headers kept
    resp = ocx.request(PATH, headers={'Range': ranges})
    assert resp.status_int == 503
    assert b'\0' * 10 not in resp.body
    assert any('returned a bad copy' in line for line in warnings(ocx))


def test_a_range_is_cut_from_the_copy_that_verifies(ocx):
    put(ocx)
    first = read_order(ocx)[0]
    obj = stored(first)
    obj.body = b'\0' * 100 + obj.body[100:]
    resp = ocx.request(PATH, headers={'Range': 'bytes=0-9,20-29'})
    assert resp.status_int == 206
    assert resp.content_type == 'multipart/byteranges'
    assert BODY[:10] in resp.body and BODY[20:30] in resp.body


def test_etags_are_unquoted_as_swifts_proxy_gives_them(ocx):
    # Swift's symlink middleware compares the raw header with an
    # unquoted X-Symlink-Target-Etag
    assert put(ocx).headers['Etag'] == md5(BODY)
    for method in ('GET', 'HEAD'):
        assert ocx.request(PATH, method).headers['Etag'] == md5(BODY)


def test_date_conditions_are_judged_on_the_exchanges_time(ocx):
    resp = put(ocx)
    for holder in ocx.holders(ACCOUNT_N, CONT_N, OBJ_N):
        stored(holder).timestamp += 3600  # a landlord's clock is ahead
    modified = resp.headers['Last-Modified']
    got = ocx.request(PATH, headers={'If-Unmodified-Since': modified})
    assert got.status_int == 200 and got.body == BODY
    got = ocx.request(PATH, headers={'If-Modified-Since': modified})
    assert got.status_int == 304 and got.body == b''
    for _cluster, call in ocx.storage_calls('GET'):
        assert 'If-Modified-Since' not in call.headers
        assert 'If-Unmodified-Since' not in call.headers


# -- the object index's rows in memcache ----------------------------------


def test_reads_after_a_write_take_the_row_from_memcache(ocx):
    put(ocx)
    asked = ocx.index.server_lookups
    assert ocx.request(PATH).body == BODY
    assert ocx.request(PATH, 'HEAD').status_int == 200
    assert ocx.index.server_lookups == asked


def test_a_read_that_misses_memcache_fills_it(ocx):
    put(ocx)
    ocx.memcache.store.clear()
    asked = ocx.index.server_lookups
    assert ocx.request(PATH).body == BODY
    assert ocx.request(PATH).body == BODY
    assert ocx.index.server_lookups == asked + 1


def test_a_cached_row_older_than_the_copies_is_asked_again(ocx):
    """Another proxy (here: one without memcache) overwrote the object:
    the copies are newer than the cached row, which is refreshed; nobody
    is taken for a liar."""
    put(ocx, body=b'version one')
    ocx.request(PATH, 'PUT', body=b'version two',
                environ={'swift.cache': None})
    asked = ocx.index.server_lookups
    resp = ocx.request(PATH)
    assert (resp.status_int, resp.body) == (200, b'version two')
    assert ocx.request(PATH, 'GET', headers={
        'Range': 'bytes=8-'}).body == b'two'
    assert ocx.index.server_lookups == asked + 1
    assert warnings(ocx) == []


def test_a_replay_matching_nothing_cached_is_still_refused(ocx):
    """With the current row cached, a landlord's older copy is refused as
    without memcache."""
    put(ocx, body=b'old bytes')
    first, second = read_order(ocx)
    old = copy.deepcopy(stored(first))
    put(ocx, body=b'new bytes')
    for cluster in (first, second):
        cluster.get_container(ACCOUNT_N, CONT_N).objects[OBJ_N] = \
            copy.deepcopy(old)
    resp = ocx.request(PATH)
    assert resp.status_int == 503
    assert b'old bytes' not in resp.body


def test_a_delete_leaves_a_tombstone_in_memcache(ocx):
    put(ocx)
    first, second = read_order(ocx)
    kept = copy.deepcopy(stored(first))
    assert ocx.request(PATH, 'DELETE').status_int == 204
    assert [set(json.loads(v)) for v in ocx.memcache.store.values()
            if 'deleted' in v] == [{'deleted'}]
    first.get_container(ACCOUNT_N, CONT_N).objects[OBJ_N] = kept
    asked = ocx.index.server_lookups
    assert ocx.request(PATH).status_int == 404
    assert ocx.index.server_lookups == asked + 1


def test_index_cache_time_zero_asks_the_metadata_tier_each_read(ocx):
    ocx.conf['index_cache_time'] = '0'
    ocx.mw = ocx.make_middleware(ocx.app)
    put(ocx)
    asked = ocx.index.server_lookups
    for _ in range(2):
        assert ocx.request(PATH).body == BODY
    assert ocx.index.server_lookups == asked + 2
    assert [k for k in ocx.memcache.store if k.startswith('ocx/')] == []
