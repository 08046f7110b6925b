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

"""Split containers: shares on distinct landlords, authenticated."""

import base64
import hashlib
import io
import json
import os

import pytest
from swift.common.swob import Request, str_to_wsgi

from ocx_swift.handlers import obj as obj_handler
from ocx_swift.handlers import split
from tests.unit.fakes import FakeClusterSet, swift_policies

ACCOUNT = 'AUTH_test'
SEG = 4096
POLICIES = u'''
[policy:standard]
kind = replicated
default = yes

[policy:xor]
kind = split
scheme = xor
n = 2
segment_size = %(seg)d

[policy:aont]
kind = split
scheme = aont-rs
n = 3
k = 2
segment_size = %(seg)d

[policy:hidden]
kind = split
scheme = aont-rs
n = 3
k = 2
segment_size = %(seg)d
hide_names = yes
''' % {'seg': SEG}
SECRET = base64.b64encode(b'0123456789abcdef' * 2).decode('ascii')
SIZES = [0, 1, SEG - 1, SEG, SEG + 1, 3 * SEG + SEG // 2]


@pytest.fixture
def ocx(tmp_path, monkeypatch):
    # no watching for late shares after the test is over
    monkeypatch.setattr(obj_handler, 'LATE_WRITE_WATCH', 0)
    swift_policies(monkeypatch, ['standard', 'xor', 'aont', 'hidden'])
    path = tmp_path / 'ocx-policies.conf'
    path.write_text(POLICIES, encoding='utf-8')
    clusters = FakeClusterSet(3, tmp_path, policy_conf_path=str(path),
                              split_root_secret=SECRET)
    for policy in ('xor', 'aont', 'hidden'):
        assert clusters.request(cpath(policy), 'PUT', headers={
            'X-Storage-Policy': policy}).status_int == 201
    yield clusters
    assert clusters.unclosed() == []


def cpath(container_n):
    return '/v1/%s/%s' % (ACCOUNT, str_to_wsgi(container_n))


def opath(container_n, name_n):
    return cpath(container_n) + '/' + str_to_wsgi(name_n)


def md5(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def shares(ocx, container_n):
    """(cluster, stored name, FakeObject) of every stored share."""
    return [(c, name, obj) for c in ocx
            for name, obj in c.accounts[ACCOUNT].containers[
                container_n].objects.items()]


@pytest.mark.parametrize('policy', ['xor', 'aont', 'hidden'])
def test_round_trip_every_size(ocx, policy):
    bodies = {'s\u00e9 %d' % size: os.urandom(size) for size in SIZES}
    for name, body in bodies.items():
        resp = ocx.request(opath(policy, name), 'PUT', body=body,
                           headers={'Content-Type': 'text/x-ocx',
                                    'X-Object-Meta-Size': str(len(body))})
        assert resp.status_int == 201
        assert resp.headers['Etag'] == md5(body)
    width = 2 if policy == 'xor' else 3
    stored = shares(ocx, policy)
    assert len(stored) == width * len(bodies)
    if policy == 'hidden':
        assert not set(n for _c, n, _o in stored) & set(bodies)
    for name, body in bodies.items():
        get = ocx.request(opath(policy, name))
        assert get.status_int == 200
        assert get.body == body
        assert get.headers['Etag'] == md5(body)
        assert get.headers['Content-Type'] == 'text/x-ocx'
        assert get.headers['X-Object-Meta-Size'] == str(len(body))
        assert not any(k.lower().startswith('x-object-meta-ocx')
                       for k in get.headers)
        head = ocx.request(opath(policy, name), 'HEAD')
        assert head.headers['Content-Length'] == str(len(body))
    listing = json.loads(ocx.request(cpath(policy) + '?format=json').body)
    assert [(e['name'], e['bytes'], e['hash'], e['content_type'])
            for e in listing] == sorted(
        (n, len(b), md5(b), 'text/x-ocx') for n, b in bodies.items())
    head = ocx.request(cpath(policy), 'HEAD')
    assert head.headers['X-Container-Object-Count'] == str(len(bodies))


def test_shares_go_to_distinct_landlords(ocx):
    for i in range(10):
        ocx.request(opath('aont', 'o%d' % i), 'PUT', body=b'x' * 10)
    for i in range(10):
        holders = [c.name for c, n, _o in shares(ocx, 'aont')
                   if n == 'o%d' % i]
        assert sorted(holders) == ['c1', 'c2', 'c3']


def test_chunked_put_without_etag_is_completed_afterwards(ocx):
    body = os.urandom(2 * SEG + 3)
    env = {'REQUEST_METHOD': 'PUT', 'wsgi.input': io.BytesIO(body),
           'HTTP_TRANSFER_ENCODING': 'chunked'}
    req = Request.blank(opath('xor', 'chunked'), environ=env)
    req.environ.pop('CONTENT_LENGTH', None)
    resp = req.get_response(ocx.mw)
    assert resp.status_int == 201
    assert resp.headers['Etag'] == md5(body)
    get = ocx.request(opath('xor', 'chunked'))
    assert get.body == body
    assert get.headers['Etag'] == md5(body)


def test_wrong_client_etag_is_422_and_nothing_stays(ocx):
    resp = ocx.request(opath('aont', 'bad'), 'PUT', body=b'data',
                       headers={'Etag': md5(b'other')})
    assert resp.status_int == 422
    assert shares(ocx, 'aont') == []


def test_ranges(ocx):
    body = os.urandom(3 * SEG + 100)
    ocx.request(opath('aont', 'r'), 'PUT', body=body)
    for first, last in [(0, 0), (SEG - 1, SEG), (SEG, 2 * SEG - 1),
                        (SEG - 5, 2 * SEG + 5), (3 * SEG + 99, 3 * SEG + 99)]:
        ocx.clear_calls()
        resp = ocx.request(opath('aont', 'r'), headers={
            'Range': 'bytes=%d-%d' % (first, last)})
        assert resp.status_int == 206
        assert resp.body == body[first:last + 1]
        assert resp.headers['Content-Range'] == 'bytes %d-%d/%d' % (
            first, last, len(body))
        # only the segments needed are read from the shares
        ranges = [call.headers['Range'] for _c, call in
                  ocx.storage_calls('GET')]
        assert len(ranges) == 2
    resp = ocx.request(opath('aont', 'r'), headers={
        'Range': 'bytes=0-1,%d-%d' % (2 * SEG, 2 * SEG + 1)})
    assert resp.status_int == 206
    assert body[:2] in resp.body and body[2 * SEG:2 * SEG + 2] in resp.body
    resp = ocx.request(opath('aont', 'r'), headers={
        'Range': 'bytes=%d-' % (len(body) + 1)})
    assert resp.status_int == 416


def test_conditional_get(ocx):
    body = b'conditional'
    ocx.request(opath('xor', 'c'), 'PUT', body=body)
    assert ocx.request(opath('xor', 'c'), headers={
        'If-None-Match': md5(body)}).status_int == 304
    assert ocx.request(opath('xor', 'c'), headers={
        'If-Match': md5(b'x')}).status_int == 412


def test_aont_reads_with_one_landlord_down(ocx):
    body = os.urandom(2 * SEG + 1)
    ocx.request(opath('aont', 'd'), 'PUT', body=body)
    ocx.by_name['c1'].break_()
    resp = ocx.request(opath('aont', 'd'))
    assert resp.status_int == 200 and resp.body == body


def test_xor_needs_every_share(ocx):
    body = os.urandom(SEG + 1)
    ocx.request(opath('xor', 'x'), 'PUT', body=body)
    holder = shares(ocx, 'xor')[0][0]
    holder.break_()
    resp = ocx.request(opath('xor', 'x'))
    assert resp.status_int == 503
    assert b'split object needs 2 of 2 shares' in resp.body
    assert ("cluster '%s'" % holder.name).encode() in resp.body


def test_put_with_a_landlord_down_stores_nothing(ocx):
    ocx.by_name['c2'].break_()
    resp = ocx.request(opath('aont', 'p'), 'PUT', body=os.urandom(3 * SEG))
    assert resp.status_int == 503
    ocx.by_name['c2'].heal()
    assert shares(ocx, 'aont') == []


@pytest.mark.parametrize('policy', ['aont', 'xor'])
def test_tampered_share_never_gives_wrong_bytes(ocx, policy):
    body = os.urandom(3 * SEG)
    ocx.request(opath(policy, 't'), 'PUT', body=body)
    _cluster, _name, obj = shares(ocx, policy)[0]
    flipped = bytearray(obj.body)
    flipped[-10] ^= 0x80  # in the last segment's record
    obj.body = bytes(flipped)
    resp = ocx.request(opath(policy, 't'))
    if policy == 'aont':
        assert resp.status_int == 200 and resp.body == body
    else:
        # the first segment was fine, so the answer started: it is cut
        # short before the bad segment
        assert resp.body == body[:len(resp.body)]
        assert len(resp.body) < len(body)


@pytest.mark.parametrize('policy', ['aont', 'xor'])
def test_swapped_and_truncated_shares_are_refused(ocx, policy):
    body = os.urandom(SEG + 7)
    other = os.urandom(SEG + 7)
    ocx.request(opath(policy, 'a'), 'PUT', body=body)
    ocx.request(opath(policy, 'b'), 'PUT', body=other)
    stored = [(c, n, o) for c, n, o in shares(ocx, policy) if n == 'a']
    cluster, _name, obj = stored[0]
    replay = cluster.accounts[ACCOUNT].containers[policy].objects.get('b')
    if replay is not None:
        # b's share (valid, but for another object) served as a's
        obj.body, obj.headers = replay.body, dict(replay.headers)
    else:
        obj.body = obj.body[:-1]
    resp = ocx.request(opath(policy, 'a'))
    if policy == 'aont':
        assert resp.status_int == 200 and resp.body == body
    else:
        assert resp.status_int == 503


def test_header_tampering_is_refused(ocx):
    body = os.urandom(100)
    ocx.request(opath('xor', 'h'), 'PUT', body=body)
    _c, _n, obj = shares(ocx, 'xor')[0]
    key = next(k for k in obj.headers if k.lower().startswith(
        'x-object-meta-ocx-sys-ocx-split'))
    fields = obj.headers[key].split(' ')
    fields[5] = '99'  # the size
    obj.headers[key] = ' '.join(fields)
    assert ocx.request(opath('xor', 'h')).status_int == 503


def test_post_and_delete_reach_every_share(ocx):
    body = os.urandom(SEG * 2)
    ocx.request(opath('hidden', 'm \u00e9'), 'PUT', body=body,
                headers={'Content-Type': 'a/b'})
    resp = ocx.request(opath('hidden', 'm \u00e9'), 'POST', headers={
        'X-Object-Meta-Colour': 'blue', 'Content-Type': 'c/d'})
    assert resp.status_int == 202
    get = ocx.request(opath('hidden', 'm \u00e9'))
    assert get.body == body
    assert get.headers['X-Object-Meta-Colour'] == 'blue'
    assert get.headers['Content-Type'] == 'c/d'
    listing = json.loads(ocx.request(cpath('hidden') + '?format=json').body)
    assert [(e['name'], e['bytes'], e['hash'], e['content_type'])
            for e in listing] == [('m \u00e9', len(body), md5(body), 'c/d')]
    assert ocx.request(opath('hidden', 'm \u00e9'),
                       'DELETE').status_int == 204
    assert shares(ocx, 'hidden') == []
    assert ocx.request(opath('hidden', 'm \u00e9')).status_int == 404
    assert ocx.request(opath('hidden', 'm \u00e9'),
                       'DELETE').status_int == 404


def test_hidden_listing_pages_like_swift(ocx):
    names = sorted(['d/%02d' % i for i in range(12)] + ['a', 'b/c', 'z'])
    for name in names:
        ocx.request(opath('hidden', name), 'PUT', body=name.encode())

    def page(query):
        return [e.get('name', e.get('subdir')) for e in json.loads(
            ocx.request(cpath('hidden') + '?format=json&' + query).body)]
    assert page('') == names
    assert page('limit=3&marker=b/c') == names[2:5]
    assert page('delimiter=/') == ['a', 'b/', 'd/', 'z']
    assert page('prefix=d/&reverse=on&limit=2') == ['d/11', 'd/10']
    assert page('end_marker=b') == ['a']


def test_listing_of_hidden_names_ignores_landlords(ocx):
    # listings come from the index: a landlord's forged name token (or
    # its whole container) changes nothing
    ocx.request(opath('hidden', 'r\u00e9al'), 'PUT', body=b'x')
    for _c, _n, obj in shares(ocx, 'hidden'):
        ctype = obj.headers['Content-Type']
        obj.headers['Content-Type'] = ctype.replace('ocx_name=',
                                                    'ocx_name=A')
    ocx.clear_calls()
    listing = json.loads(ocx.request(cpath('hidden') + '?format=json').body)
    assert [(e['name'], e['hash']) for e in listing] == [
        ('r\u00e9al', md5(b'x'))]
    assert ocx.storage_calls() == []


def test_late_share_of_a_failed_put_is_taken_back(ocx, monkeypatch):
    monkeypatch.setattr(obj_handler, 'LATE_WRITE_WATCH', 5)
    monkeypatch.setattr(obj_handler, 'LATE_WRITE_INTERVAL', 0)
    ocx.request(opath('xor', 'late'), 'PUT', body=b'late bytes')
    cluster, _name, obj = shares(ocx, 'xor')[0]
    key = next(k for k in obj.headers if k.lower().startswith(
        'x-object-meta-ocx-sys-ocx-split'))
    object_id = bytes.fromhex(obj.headers[key].split(' ')[8])
    req = Request.blank(opath('xor', 'late'))
    ctx = split.SplitObjectContext(
        ocx.mw, req, ACCOUNT, 'xor', 'late', ocx.mw.policies.get('xor'))
    client = ocx.mw.clients[cluster.name]
    # another version's share stays
    ctx._reap_late_writes([client], b'x' * 16, {})
    assert cluster.get_object(ACCOUNT, 'xor', 'late') is not None
    ctx._reap_late_writes([client], object_id, {})
    assert cluster.get_object(ACCOUNT, 'xor', 'late') is None


def test_late_pending_share_is_taken_back_too(ocx, monkeypatch):
    """A PUT without ETag writes its shares with a pending header first."""
    monkeypatch.setattr(obj_handler, 'LATE_WRITE_WATCH', 5)
    monkeypatch.setattr(obj_handler, 'LATE_WRITE_INTERVAL', 0)
    ocx.request(opath('xor', 'late'), 'PUT', body=b'late bytes')
    cluster, _name, obj = shares(ocx, 'xor')[0]
    key = next(k for k in obj.headers if k.lower().startswith(
        'x-object-meta-ocx-sys-ocx-split'))
    fields = obj.headers[key].split(' ')
    fields[6] = fields[9] = '-'  # as written before the final header
    obj.headers[key] = ' '.join(fields)
    req = Request.blank(opath('xor', 'late'))
    ctx = split.SplitObjectContext(
        ocx.mw, req, ACCOUNT, 'xor', 'late', ocx.mw.policies.get('xor'))
    ctx._reap_late_writes([ocx.mw.clients[cluster.name]],
                          bytes.fromhex(fields[8]), {})
    assert cluster.get_object(ACCOUNT, 'xor', 'late') is None


NEW_SECRET = base64.b64encode(b'fedcba9876543210' * 2).decode('ascii')


def rotate(ocx, **conf):
    ocx.conf.update(conf)
    for key in [k for k in ocx.conf if k.startswith('split_root_secret')
                and k not in conf and k != 'split_root_secret']:
        del ocx.conf[key]
    ocx.mw = ocx.make_middleware(ocx.app)


@pytest.mark.parametrize('policy', ['hidden', 'xor'])
def test_rotated_secret_still_reads_what_the_old_one_wrote(ocx, policy):
    old = os.urandom(SEG + 5)
    ocx.request(opath(policy, 'old \u00e9'), 'PUT', body=old)
    rotate(ocx, split_root_secret_2027=NEW_SECRET,
           active_split_root_secret_id='2027')
    assert ocx.request(opath(policy, 'old \u00e9')).body == old
    new = os.urandom(10)
    ocx.request(opath(policy, 'new'), 'PUT', body=new)
    headers = [o.headers for _c, n, o in shares(ocx, policy)]
    ids = sorted({h[k].split(' ')[10] for h in headers for k in h
                  if k.lower().startswith('x-object-meta-ocx-sys-ocx-split')})
    assert ids == ['2027', 'default']
    listing = json.loads(ocx.request(cpath(policy) + '?format=json').body)
    assert [e['name'] for e in listing] == ['new', 'old \u00e9']
    # with the old secret gone, what it wrote cannot be read, the rest can
    del ocx.conf['split_root_secret']
    rotate(ocx, split_root_secret_2027=NEW_SECRET,
           active_split_root_secret_id='2027')
    assert ocx.request(opath(policy, 'new')).body == new
    assert ocx.request(opath(policy, 'old \u00e9')).status_int in (404, 503)


def test_delete_finds_objects_of_an_earlier_secret(ocx):
    ocx.request(opath('hidden', 'gone'), 'PUT', body=b'x')
    rotate(ocx, split_root_secret_b=NEW_SECRET,
           active_split_root_secret_id='b')
    assert ocx.request(opath('hidden', 'gone'), 'DELETE').status_int == 204
    assert shares(ocx, 'hidden') == []


@pytest.mark.parametrize('conf, message', [
    ({'active_split_root_secret_id': 'nope'}, "names no configured secret"),
    ({'split_root_secret_b-c': NEW_SECRET}, 'secret ids are letters'),
    ({'split_root_secret_x': 'c2hvcnQ='}, 'split_root_secret_x must encode'),
])
def test_bad_secret_config_is_refused(ocx, conf, message):
    with pytest.raises(ValueError) as caught:
        rotate(ocx, **conf)
    assert message in str(caught.value)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize('policy', ['xor', 'hidden'])
def test_carried_sysmeta_is_sealed_on_shares(ocx, policy):
    target = 'c\u00e9/t\u00e0rget \u2615'
    secret_etag = md5(b'the plaintext')
    path = opath(policy, 'l\u00efnk')
    resp = ocx.request(path, 'PUT', body=b'', headers={
        'X-Object-Sysmeta-Symlink-Target': str_to_wsgi(target),
        'X-Object-Sysmeta-Container-Update-Override-Etag':
            '%s; symlink_target_etag=%s' % (md5(b''), secret_etag)})
    assert resp.status_int == 201
    found = shares(ocx, policy)
    assert found
    for _cluster, _name, obj in found:
        stored = ' '.join('%s: %s' % kv for kv in obj.headers.items())
        assert secret_etag not in stored
        assert target not in stored and str_to_wsgi(target) not in stored
    got = ocx.request(path, 'HEAD')
    assert got.status_int == 200
    assert got.headers['X-Object-Sysmeta-Symlink-Target'] == \
        str_to_wsgi(target)
    # a POST keeps it (sealed again), as Swift keeps sysmeta
    assert ocx.request(path, 'POST', headers={
        'X-Object-Meta-A': 'b'}).status_int == 202
    got = ocx.request(path, 'HEAD')
    assert got.headers['X-Object-Sysmeta-Symlink-Target'] == \
        str_to_wsgi(target)
    for _cluster, _name, obj in shares(ocx, policy):
        assert secret_etag not in str(obj.headers)


@pytest.mark.parametrize('policy', ['aont', 'xor'])
def test_shares_newer_than_the_cached_row_refresh_it(ocx, policy):
    path = opath(policy, 'cached \u00e9')
    assert ocx.request(path, 'PUT', body=b'one' * 100).status_int == 201
    # another proxy (one without memcache) writes a new version
    assert ocx.request(path, 'PUT', body=b'two' * 100, environ={
        'swift.cache': None}).status_int == 201
    asked = ocx.index.server_lookups
    for _ in range(2):
        resp = ocx.request(path)
        assert (resp.status_int, resp.body) == (200, b'two' * 100)
    assert ocx.index.server_lookups == asked + 1
    assert ocx.logger.get_lines_for_level('warning') == []


def four_landlords(tmp_path, monkeypatch):
    """Four clusters of four landlords; ``aont`` 2-of-3 and ``quorum2``
    2-of-3 that needs only 2 shares stored."""
    monkeypatch.setattr(obj_handler, 'LATE_WRITE_WATCH', 0)
    swift_policies(monkeypatch, ['standard', 'aont', 'quorum2', 'hidden'])
    path = tmp_path / 'ocx-policies.conf'
    path.write_text(POLICIES.split('[policy:xor]')[0] + u'''
[policy:aont]
kind = split
scheme = aont-rs
n = 3
k = 2
segment_size = %(seg)d

[policy:quorum2]
kind = split
scheme = aont-rs
n = 3
k = 2
min_shares = 2
segment_size = %(seg)d

[policy:hidden]
kind = split
scheme = aont-rs
n = 3
k = 2
segment_size = %(seg)d
hide_names = yes
''' % {'seg': SEG}, encoding='utf-8')
    clusters = FakeClusterSet(4, tmp_path, policy_conf_path=str(path),
                              split_root_secret=SECRET)
    for policy in ('aont', 'quorum2', 'hidden'):
        assert clusters.request(cpath(policy), 'PUT', headers={
            'X-Storage-Policy': policy}).status_int == 201
    return clusters


@pytest.mark.parametrize('fault', ['break_', 'hang'])
def test_a_share_goes_to_a_handoff_of_another_landlord(
        tmp_path, monkeypatch, fault):
    ocx = four_landlords(tmp_path, monkeypatch)
    body = os.urandom(3 * SEG + 5)
    name = 'handed \u00e9'
    down = ocx.primary(ACCOUNT, 'aont', str_to_wsgi(name))
    getattr(down, fault)()
    resp = ocx.request(opath('aont', name), 'PUT', body=body)
    assert resp.status_int == 201
    row = ocx.index.row(ACCOUNT, 'aont', name)
    assert down.name not in row.at and len(set(row.at)) == 3
    held = {c.name for c, _n, _o in shares(ocx, 'aont')}
    assert held == set(row.at)
    down.heal()
    resp = ocx.request(opath('aont', name))
    assert (resp.status_int, resp.body) == (200, body)
    assert ocx.request(opath('aont', name), 'DELETE').status_int == 204
    assert shares(ocx, 'aont') == []
    assert ocx.unclosed() == []


def test_min_shares_lets_a_put_succeed_with_a_share_missing(
        tmp_path, monkeypatch):
    ocx = four_landlords(tmp_path, monkeypatch)
    body = os.urandom(2 * SEG)
    name = 'two of three'
    for cluster in ocx:  # only two landlords answer
        cluster.break_()
    answering = [c for c in ocx][:2]
    for cluster in answering:
        cluster.heal()
    resp = ocx.request(opath('quorum2', name), 'PUT', body=body)
    assert resp.status_int == 201, resp.body
    row = ocx.index.row(ACCOUNT, 'quorum2', name)
    assert sorted(n for n in row.at if n) == sorted(
        c.name for c in answering)
    assert row.at.count(None) == 1
    resp = ocx.request(opath('quorum2', name))
    assert (resp.status_int, resp.body) == (200, body)
    # the 2-of-3 policy that needs all 3 stored fails and keeps nothing
    resp = ocx.request(opath('aont', name), 'PUT', body=body)
    assert resp.status_int == 503
    assert shares(ocx, 'aont') == []
