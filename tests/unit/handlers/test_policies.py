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

"""Containers choose a policy; objects are placed by it."""

import hashlib
import json

import pytest
from swift.common.swob import Request, str_to_wsgi

from ocx_swift.handlers import obj as obj_handler
from ocx_swift.middleware import OcxMiddleware
from tests.unit.fakes import FakeClusterSet, swift_policies

ACCOUNT = 'AUTH_test'
POLICIES = u'''
[policy:standard]
kind = replicated
default = yes

[policy:two]
kind = replicated
replicas = 2

[policy:only-l2]
kind = pinned
landlords = l2
'''
NAMES_N = ['caf\u00e9 %d' % i for i in range(12)]


@pytest.fixture
def ocx(tmp_path, monkeypatch):
    monkeypatch.setattr(obj_handler, 'LATE_WRITE_WATCH', 0)
    # the exchange's swift.conf: 'gold' is a Swift policy the ocx policy
    # map does not configure
    swift_policies(monkeypatch, ['standard', 'two', 'only-l2', 'gold'])
    path = tmp_path / 'ocx-policies.conf'
    path.write_text(POLICIES, encoding='utf-8')
    clusters = FakeClusterSet(3, tmp_path, policy_conf_path=str(path))
    yield clusters
    assert clusters.unclosed() == []


def cpath(container_n):
    return '/v1/%s/%s' % (ACCOUNT, str_to_wsgi(container_n))


def holders(ocx, container_n, name_n):
    return sorted(c.name for c in ocx
                  if c.get_object(ACCOUNT, container_n, name_n) is not None)


def test_objects_follow_the_policy_index_of_the_metadata_tier(ocx):
    # the policy is the one the tier's container row records, whatever a
    # landlord's container says
    resp = ocx.request(cpath('d\u00fco'), 'PUT',
                       headers={'X-Storage-Policy': 'two'})
    assert resp.status_int == 201
    assert ocx.app.get_container(ACCOUNT, 'd\u00fco').policy_index == 1
    for cluster in ocx:
        cluster.get_container(ACCOUNT, 'd\u00fco').meta.update({
            'X-Storage-Policy': 'standard',
            'X-Container-Sysmeta-Ocx-Policy': 'standard'})
    path = cpath('d\u00fco') + '/' + str_to_wsgi(NAMES_N[0])
    assert ocx.request(path, 'PUT', body=b'x').status_int == 201
    assert len(holders(ocx, 'd\u00fco', NAMES_N[0])) == 2
    assert ocx.index.writes[-1][-1] == 1  # the row has the policy index


def test_container_without_policy_takes_the_default(ocx):
    assert ocx.request(cpath('plain'), 'PUT').status_int == 201
    path = cpath('plain') + '/' + str_to_wsgi(NAMES_N[0])
    assert ocx.request(path, 'PUT', body=b'x').status_int == 201
    assert len(holders(ocx, 'plain', NAMES_N[0])) == 1
    assert ocx.index.writes[-1][-1] == 0


@pytest.mark.parametrize('method', ['GET', 'HEAD', 'PUT', 'POST',
                                    'DELETE'])
def test_swift_policy_missing_from_the_policy_map_is_503(ocx, method):
    assert ocx.request(cpath('g\u00f6ld'), 'PUT', headers={
        'X-Storage-Policy': 'gold'}).status_int == 201
    ocx.clear_calls()
    resp = ocx.request(cpath('g\u00f6ld') + '/o', method,
                       body=b'x' if method == 'PUT' else None)
    assert resp.status_int == 503
    if method != 'HEAD':
        assert b"container policy 'gold' is not configured" in resp.body
    assert ocx.storage_calls() == []
    assert ocx.index.writes == []


def test_replicated_objects_are_on_two_landlords(ocx):
    ocx.request(cpath('c'), 'PUT', headers={'X-Storage-Policy': 'two'})
    seen = set()
    for name_n in NAMES_N:
        path = cpath('c') + '/' + str_to_wsgi(name_n)
        body = name_n.encode('utf-8') * 1000
        assert ocx.request(path, 'PUT', body=body).status_int == 201
        where = holders(ocx, 'c', name_n)
        assert len(where) == 2
        seen.update(where)
        get = ocx.request(path)
        assert get.status_int == 200 and get.body == body
    assert seen == {'c1', 'c2', 'c3'}
    ocx.clear_calls()
    head = ocx.request(cpath('c'), 'HEAD')
    assert head.headers['X-Container-Object-Count'] == str(len(NAMES_N))
    listing = json.loads(ocx.request(cpath('c') + '?format=json').body)
    assert [e['name'] for e in listing] == sorted(NAMES_N)
    assert ocx.storage_calls() == []  # counts and listings: the index


def test_replicated_read_survives_one_landlord_down(ocx):
    ocx.request(cpath('c'), 'PUT', headers={'X-Storage-Policy': 'two'})
    path = cpath('c') + '/' + str_to_wsgi(NAMES_N[0])
    assert ocx.request(path, 'PUT', body=b'data').status_int == 201
    first = holders(ocx, 'c', NAMES_N[0])[0]
    ocx.by_name[first].break_()
    get = ocx.request(path)
    assert get.status_int == 200 and get.body == b'data'


def test_replicated_put_takes_a_handoff_for_a_failed_copy(ocx):
    ocx.request(cpath('c'), 'PUT', headers={'X-Storage-Policy': 'two'})
    name_n = NAMES_N[1]
    path = cpath('c') + '/' + str_to_wsgi(name_n)
    assert ocx.request(path, 'PUT', body=b'v1').status_int == 201
    where = holders(ocx, 'c', name_n)
    ocx.by_name[where[1]].break_()
    assert ocx.request(path, 'PUT', body=b'v2').status_int == 201
    spare = next(c.name for c in ocx if c.name not in where)
    row = ocx.index.row(ACCOUNT, 'c', name_n)
    assert sorted(row.at) == sorted([where[0], spare])
    for name in row.at:
        assert ocx.by_name[name].get_object(
            ACCOUNT, 'c', name_n).body == b'v2'
    assert ocx.request(path).body == b'v2'


def test_replicated_put_below_its_quorum_fails_whole(ocx):
    ocx.request(cpath('c'), 'PUT', headers={'X-Storage-Policy': 'two'})
    name_n = NAMES_N[1]
    path = cpath('c') + '/' + str_to_wsgi(name_n)
    assert ocx.request(path, 'PUT', body=b'v1').status_int == 201
    where = holders(ocx, 'c', name_n)
    broken = [c for c in ocx if c.name != where[0]]
    for cluster in broken:
        cluster.break_()
    resp = ocx.request(path, 'PUT', body=b'v2')
    assert resp.status_int == 503
    for cluster in broken:
        assert ("cluster '%s' unavailable" % cluster.name).encode() \
            in resp.body
        cluster.heal()
    # the copy that was stored was taken back; v1 reads on
    assert ocx.by_name[where[0]].get_object(ACCOUNT, 'c', name_n) is None
    assert ocx.index.row(ACCOUNT, 'c', name_n).md5 == hashlib.md5(
        b'v1', usedforsecurity=False).hexdigest()
    assert ocx.request(path).body == b'v1'


def test_replicated_delete_and_post_reach_every_copy(ocx):
    ocx.request(cpath('c'), 'PUT', headers={'X-Storage-Policy': 'two'})
    path = cpath('c') + '/' + str_to_wsgi(NAMES_N[2])
    ocx.request(path, 'PUT', body=b'x')
    resp = ocx.request(path, 'POST', headers={'X-Object-Meta-K': 'v'})
    assert resp.status_int == 202
    for name in holders(ocx, 'c', NAMES_N[2]):
        obj = ocx.by_name[name].get_object(ACCOUNT, 'c', NAMES_N[2])
        assert obj.headers.get('X-Object-Meta-K') == 'v'
    assert ocx.request(path, 'DELETE').status_int == 204
    assert holders(ocx, 'c', NAMES_N[2]) == []
    assert ocx.request(path, 'DELETE').status_int == 404
    # a known leak of the other copy's POST answer: see test_obj_trust.py
    # test_post_to_several_copies_closes_every_answer (xfail)
    for resp in [r for c in ocx for r in c.unclosed() if r.method == 'POST']:
        resp.close()


def test_pinned_objects_stay_with_their_landlord(ocx):
    ocx.request(cpath('eu'), 'PUT', headers={'X-Storage-Policy': 'only-l2'})
    for name_n in NAMES_N:
        path = cpath('eu') + '/' + str_to_wsgi(name_n)
        assert ocx.request(path, 'PUT', body=b'x').status_int == 201
        assert holders(ocx, 'eu', name_n) == ['c2']
        assert ocx.request(path).body == b'x'


def test_policy_needing_more_landlords_than_the_ring_is_refused(tmp_path):
    path = tmp_path / 'p.conf'
    path.write_text(u'[policy:wide]\nkind = replicated\nreplicas = 4\n',
                    encoding='utf-8')
    with pytest.raises(ValueError) as caught:
        FakeClusterSet(3, tmp_path, policy_conf_path=str(path))
    assert "policy 'wide' (replicated r=4) needs 4 landlords" in \
        str(caught.value)


@pytest.mark.parametrize('policies', [
    u'', u'[policy:s]\nkind = split\nscheme = xor\nn = 2\n'])
def test_every_exchange_needs_a_root_secret(tmp_path, policies):
    # it keys the state tags of every copy, not only split storage
    path = tmp_path / 'p.conf'
    path.write_text(policies, encoding='utf-8')
    ocx = FakeClusterSet(3, tmp_path)
    conf = dict(ocx.conf, policy_conf_path=str(path) if policies else '')
    del conf['split_root_secret']
    with pytest.raises(ValueError) as caught:
        OcxMiddleware(ocx.app, conf)
    assert 'ocx needs split_root_secret' in str(caught.value)


def test_late_copy_of_a_failed_put_is_taken_back(ocx, monkeypatch):
    monkeypatch.setattr(obj_handler, 'LATE_WRITE_WATCH', 5)
    monkeypatch.setattr(obj_handler, 'LATE_WRITE_INTERVAL', 0)
    ocx.request(cpath('c'), 'PUT', headers={'X-Storage-Policy': 'two'})
    path = cpath('c') + '/late'
    assert ocx.request(path, 'PUT', body=b'copy').status_int == 201
    cluster = ocx.by_name[holders(ocx, 'c', 'late')[0]]
    obj = cluster.get_object(ACCOUNT, 'c', 'late')
    key = next(k for k in obj.headers
               if k.lower() == 'x-object-meta-ocx-sys-ocx-write-id')
    write_id = bytes.fromhex(obj.headers[key])
    req = Request.blank(path)
    ctx = obj_handler.ObjectContext(ocx.mw, req, ACCOUNT, 'c', 'late')
    client = ocx.mw.clients[cluster.name]
    ctx._reap_late_writes([client], b'y' * 16, {})  # another version
    assert cluster.get_object(ACCOUNT, 'c', 'late') is not None
    ctx._reap_late_writes([client], write_id, {})
    assert cluster.get_object(ACCOUNT, 'c', 'late') is None


def test_a_landlord_lacking_the_container_gets_it_on_the_spot(ocx):
    ocx.request(cpath('c'), 'PUT', headers={'X-Storage-Policy': 'two'})
    name_n = NAMES_N[3]
    path = cpath('c') + '/' + str_to_wsgi(name_n)
    assert ocx.request(path, 'PUT', body=b'v1').status_int == 201
    where = holders(ocx, 'c', name_n)
    lacking = ocx.by_name[where[0]]
    del lacking.accounts[ACCOUNT].containers['c']
    assert ocx.request(path, 'PUT', body=b'v2').status_int == 201
    assert holders(ocx, 'c', name_n) == where  # no handoff needed
    assert lacking.get_object(ACCOUNT, 'c', name_n).body == b'v2'
    assert ocx.request(path).body == b'v2'


def test_s3_create_of_an_existing_bucket_is_no_conflict(ocx):
    # s3api answers a 202 BucketAlreadyOwnedByYou (or BucketAlreadyExists)
    # and a 409 "503 ServiceUnavailable": a bucket created with one
    # location and created again with another is a 202
    location = 'X-Container-Sysmeta-Ocx-S3-Location'
    s3 = {'swift.source': 'S3'}
    ocx.memcache = None  # Swift's container PUT clears the info cache
    path = cpath('b\u00fccket')
    resp = ocx.request(path, 'PUT', environ=s3, headers={
        'X-Storage-Policy': 'two', location: 'two'})
    assert resp.status_int == 201
    cont = ocx.app.get_container(ACCOUNT, 'b\u00fccket')
    assert cont.headers[location] == 'two'
    ocx.clear_calls()
    for policy in ('only-l2', 'two'):
        resp = ocx.request(path, 'PUT', environ=s3, headers={
            'X-Storage-Policy': policy, location: policy + '-again'})
        assert resp.status_int == 202
        # the bucket keeps its policy and the location it was created with
        assert cont.policy_index == 1
        assert cont.headers[location] == 'two'
    assert [call for _n, call in ocx.storage_calls()
            if call.method != 'PUT'] == []
    # a Swift client changing the policy gets Swift's answer
    resp = ocx.request(path, 'PUT', headers={'X-Storage-Policy': 'only-l2'})
    assert resp.status_int == 409


@pytest.mark.parametrize('policy', ['standard', 'two'])
def test_a_refused_conditional_put_takes_no_handoff(ocx, policy):
    ocx.request(cpath('c'), 'PUT', headers={'X-Storage-Policy': policy})
    name_n = NAMES_N[4]
    path = cpath('c') + '/' + str_to_wsgi(name_n)
    assert ocx.request(path, 'PUT', body=b'v1').status_int == 201
    where = holders(ocx, 'c', name_n)
    resp = ocx.request(path, 'PUT', body=b'v2',
                       headers={'If-None-Match': '*'})
    assert resp.status_int == 412
    assert holders(ocx, 'c', name_n) == where
    assert ocx.request(path).body == b'v1'
