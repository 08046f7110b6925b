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

"""The Swift API through the exchange, with swiftclient, on real clusters.

Every name here has non-ASCII characters, a ``/`` or a space.
"""

import hashlib
import json
import time
import urllib.request
import uuid
from urllib.parse import quote

import pytest
from swiftclient import ClientException

from tests.functional import names


@pytest.fixture
def container(swift_conn):
    name = names.container()
    swift_conn.put_container(name)
    yield name
    names.empty_and_delete(swift_conn, name)


def test_object_round_trip(swift_conn, container):
    obj = 'dir \u00e9/\u65e5\u672c \u00fc.txt'
    body = b'hello exchange\n' * 1000
    etag = swift_conn.put_object(
        container, obj, body, content_type='text/x-ocx',
        headers={'X-Object-Meta-Color': 'bl\u00e9u'})
    assert etag == hashlib.md5(body).hexdigest()
    headers, got = swift_conn.get_object(container, obj)
    assert got == body
    assert headers['etag'] == etag
    assert headers['content-type'] == 'text/x-ocx'
    assert headers['x-object-meta-color'] == 'bl\u00e9u'
    assert headers['last-modified']
    head = swift_conn.head_object(container, obj)
    assert int(head['content-length']) == len(body)
    swift_conn.post_object(container, obj, {'X-Object-Meta-Size': 'big'})
    head = swift_conn.head_object(container, obj)
    assert head['x-object-meta-size'] == 'big'
    assert 'x-object-meta-color' not in head  # POST replaces metadata
    swift_conn.delete_object(container, obj)
    with pytest.raises(ClientException) as caught:
        swift_conn.head_object(container, obj)
    assert caught.value.http_status == 404


def test_chunked_upload_and_zero_bytes(swift_conn, container):
    chunks = [b'a' * 70000, b'b' * 3, b'c' * 65536]
    swift_conn.put_object(container, 'chunked \u00e9', iter(chunks))
    _h, got = swift_conn.get_object(container, 'chunked \u00e9')
    assert got == b''.join(chunks)
    swift_conn.put_object(container, 'empty/\u00e9', b'')
    headers, got = swift_conn.get_object(container, 'empty/\u00e9')
    assert got == b'' and headers['content-length'] == '0'


def test_etag_mismatch_is_refused(swift_conn, container):
    with pytest.raises(ClientException) as caught:
        swift_conn.put_object(container, 'bad etag \u00e9', b'data',
                              etag='0' * 32)
    assert caught.value.http_status == 422
    with pytest.raises(ClientException) as caught:
        swift_conn.head_object(container, 'bad etag \u00e9')
    assert caught.value.http_status == 404


def test_range_and_conditional(swift_conn, container):
    body = bytes(range(256)) * 40
    etag = swift_conn.put_object(container, 'r\u00e9nge', body)
    headers, got = swift_conn.get_object(
        container, 'r\u00e9nge', headers={'Range': 'bytes=100-1099'})
    assert got == body[100:1100]
    assert headers['content-range'] == 'bytes 100-1099/%d' % len(body)
    _h, got = swift_conn.get_object(
        container, 'r\u00e9nge', headers={'Range': 'bytes=-10'})
    assert got == body[-10:]
    with pytest.raises(ClientException) as caught:
        swift_conn.get_object(container, 'r\u00e9nge',
                              headers={'Range': 'bytes=999999-'})
    assert caught.value.http_status == 416
    with pytest.raises(ClientException) as caught:
        swift_conn.get_object(container, 'r\u00e9nge',
                              headers={'If-Match': '"nope"'})
    assert caught.value.http_status == 412
    with pytest.raises(ClientException) as caught:
        swift_conn.get_object(container, 'r\u00e9nge',
                              headers={'If-None-Match': etag})
    assert caught.value.http_status == 304
    assert caught.value.http_response_headers['etag'] == etag


def test_copy_across_clusters(swift_conn, container, cluster_conns):
    body = b'copy me \xe2\x9c\x93' * 100
    src = 'src \u00e9'
    swift_conn.put_object(container, src, body,
                          headers={'X-Object-Meta-Origin': 'src'})
    copies = ['copy %d/\u00fc' % i for i in range(12)]
    for dst in copies:
        swift_conn.put_object(container, dst, None, headers={
            'X-Copy-From': '/%s/%s' % (container, src),
            'Content-Length': '0'})
    swift_conn.copy_object(container, src, '/%s/%s' % (container, 'via COPY'))
    for dst in copies + ['via COPY']:
        headers, got = swift_conn.get_object(container, dst)
        assert got == body
        assert headers['x-object-meta-origin'] == 'src'
    # 13 objects over 3 clusters: the copies did not all stay where the
    # source is
    holders = {n for n, conn in cluster_conns.items()
               for _ in [0] if conn.get_container(container)[1]}
    assert len(holders) > 1


def test_container_head_sums_over_clusters(swift_conn, container,
                                           cluster_conns):
    for i in range(30):
        swift_conn.put_object(container, 'o\u00e9 %02d' % i, b'x' * i)
    head = swift_conn.head_container(container)
    assert int(head['x-container-object-count']) == 30
    assert int(head['x-container-bytes-used']) == sum(range(30))
    per_cluster = [int(conn.head_container(container)
                       ['x-container-object-count'])
                   for conn in cluster_conns.values()]
    assert sum(per_cluster) == 30
    assert all(n > 0 for n in per_cluster)


def test_container_metadata_and_delete(swift_conn):
    name = names.container()
    swift_conn.put_container(name,
                             headers={'X-Container-Meta-Owner': '\u00e9'})
    resp = {}
    swift_conn.put_container(name, response_dict=resp)
    assert resp['status'] == 202  # existed everywhere
    swift_conn.post_container(name, {'X-Container-Meta-Extra': 'yes'})
    head = swift_conn.head_container(name)
    assert head['x-container-meta-owner'] == '\u00e9'
    assert head['x-container-meta-extra'] == 'yes'
    swift_conn.put_object(name, 'keep \u00e9', b'1')
    with pytest.raises(ClientException) as caught:
        swift_conn.delete_container(name)
    assert caught.value.http_status == 409
    swift_conn.delete_object(name, 'keep \u00e9')
    swift_conn.delete_container(name)
    with pytest.raises(ClientException) as caught:
        swift_conn.head_container(name)
    assert caught.value.http_status == 404


def test_account_listing_and_head(swift_conn):
    prefix = 'acct-%s-\u00e9' % uuid.uuid4().hex[:8]
    made = [prefix + '-%d' % i for i in range(3)]
    for name in made:
        swift_conn.put_container(name)
        swift_conn.put_object(name, 'o', b'12345')
    try:
        _h, listing = swift_conn.get_account(prefix=prefix)
        assert [c['name'] for c in listing] == sorted(made)
        # account stats follow container updates (Swift's container-updater
        # runs every 30 s under ocx-aio): wait for them, bounded
        deadline = time.monotonic() + 75
        while not all(c['count'] == 1 and c['bytes'] == 5 for c in listing):
            assert time.monotonic() < deadline, listing
            time.sleep(1)
            _h, listing = swift_conn.get_account(prefix=prefix)
        _h, page = swift_conn.get_account(prefix=prefix, limit=2)
        assert [c['name'] for c in page] == sorted(made)[:2]
        _h, page = swift_conn.get_account(prefix=prefix,
                                          marker=sorted(made)[0])
        assert [c['name'] for c in page] == sorted(made)[1:]
        head = swift_conn.head_account()
        assert int(head['x-account-container-count']) >= 3
        assert int(head['x-account-object-count']) >= 3
    finally:
        for name in made:
            names.empty_and_delete(swift_conn, name)


def test_listing_formats(swift_conn, container):
    swift_conn.put_object(container, 'f\u00e9/1', b'1')
    url, token = swift_conn.get_auth()
    for fmt, ctype in (('json', 'application/json'),
                       ('xml', 'application/xml'),
                       ('plain', 'text/plain')):
        req = urllib.request.Request(
            '%s/%s?format=%s' % (url, quote(container), fmt),
            headers={'X-Auth-Token': token})
        with urllib.request.urlopen(req) as resp:
            body = resp.read().decode('utf-8')
            assert resp.headers['Content-Type'].startswith(ctype)
        if fmt == 'json':
            entry = json.loads(body)[0]
            assert entry['name'] == 'f\u00e9/1' and entry['bytes'] == 1
        elif fmt == 'xml':
            assert '<name>f\u00e9/1</name><hash>' in body
            assert '<bytes>1</bytes>' in body
        else:
            assert body == 'f\u00e9/1\n'


def test_info_names_the_exchange(ocx_env):
    url = ocx_env['OCX_S3_ENDPOINT'] + '/info'
    with urllib.request.urlopen(url) as resp:
        info = json.loads(resp.read())
    landlords = {v for k, v in ocx_env.items()
                 if k.startswith('CLUSTER_') and k.endswith('_LANDLORD')}
    clusters = [k for k in ocx_env
                if k.startswith('CLUSTER_') and k.endswith('_AUTH_URL')]
    assert info['ocx']['clusters'] == len(clusters)
    assert info['ocx']['landlords'] == len(landlords)
    assert sorted(info['ocx']['policies']) == sorted(
        k[len('POLICY_'):] for k in ocx_env if k.startswith('POLICY_'))
    assert 'swift' in info and 's3api' in info
    # nothing secret
    assert 'key' not in json.dumps(info['ocx']).lower()
    assert 'secret' not in json.dumps(info).lower()
