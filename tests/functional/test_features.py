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

"""Swift middleware features through the exchange, on real landlords:
quotas, expiry, tempurl, bulk delete and extract-archive, history
versioning and copies across landlords."""

import hmac
import io
import tarfile
import time
import urllib.error
import urllib.request
from hashlib import sha256
from urllib.parse import quote

import pytest
from swiftclient import ClientException

from tests.functional import names


@pytest.fixture
def container(swift_conn):
    made = []

    def make(prefix='feat', headers=None):
        name = names.container(prefix)
        swift_conn.put_container(name, headers=headers)
        made.append(name)
        return name
    yield make
    for name in made:
        names.empty_and_delete(swift_conn, name)


def holders(cluster_conns, container, obj):
    found = []
    for cluster, conn in cluster_conns.items():
        try:
            conn.head_object(container, obj)
            found.append(cluster)
        except ClientException as err:
            if err.http_status != 404:
                raise
    return found


def test_container_quotas(swift_conn, container):
    name = container('quota', headers={
        'X-Container-Meta-Quota-Bytes': '10'})
    swift_conn.put_object(name, 'fits', b'1234567890')
    with pytest.raises(ClientException) as caught:
        swift_conn.put_object(name, 'too big', b'12345678901')
    assert caught.value.http_status == 413
    full = container('quota-count', headers={
        'X-Container-Meta-Quota-Count': '0'})
    with pytest.raises(ClientException) as caught:
        swift_conn.put_object(full, 'any', b'')
    assert caught.value.http_status == 413


def test_expiring_objects(swift_conn, cluster_conns, container):
    name = container('expiry')
    swift_conn.put_object(name, 'brief \u00e9', b'soon gone',
                          headers={'X-Delete-After': '2'})
    assert swift_conn.get_object(name, 'brief \u00e9')[1] == b'soon gone'
    assert 'x-delete-at' in swift_conn.head_object(name, 'brief \u00e9')
    time.sleep(3)
    with pytest.raises(ClientException) as caught:
        swift_conn.get_object(name, 'brief \u00e9')
    assert caught.value.http_status == 404


def test_tempurl_get_and_put(ocx_env, swift_conn, container):
    name = container('tempurl')
    key = 'tempurl-key-\u00e9'
    swift_conn.post_container(name, headers={
        'X-Container-Meta-Temp-Url-Key': key})
    swift_conn.put_object(name, 'shared', b'for anyone with the link')
    storage_url, _token = swift_conn.get_auth()
    base = storage_url.split('/v1/')[0]
    path = '/v1/%s/%s/shared' % (storage_url.split('/v1/')[1], quote(name))
    expires = int(time.time() + 60)

    def signed(method):
        sig = hmac.new(key.encode('utf-8'), ('%s\n%d\n%s' % (
            method, expires, urllib.request.unquote(path))).encode('utf-8'),
            sha256).hexdigest()
        return '%s%s?temp_url_sig=%s&temp_url_expires=%d' % (
            base, path, sig, expires)
    with urllib.request.urlopen(signed('GET')) as resp:
        assert resp.read() == b'for anyone with the link'
    req = urllib.request.Request(signed('PUT'), data=b'replaced',
                                 method='PUT')
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 201
    assert swift_conn.get_object(name, 'shared')[1] == b'replaced'
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(signed('GET').replace('temp_url_sig=',
                                                     'temp_url_sig=0'))
    assert caught.value.code == 401


def test_bulk_extract_archive_and_delete(swift_conn, cluster_conns,
                                         container):
    name = container('bulk')
    data = io.BytesIO()
    members = {'f%02d \u00e9.txt' % i: ('body %d' % i).encode()
               for i in range(12)}
    with tarfile.open(fileobj=data, mode='w') as tar:
        for member, body in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    storage_url, token = swift_conn.get_auth()
    req = urllib.request.Request(
        '%s/%s?extract-archive=tar' % (storage_url, quote(name)),
        data=data.getvalue(), method='PUT',
        headers={'X-Auth-Token': token, 'Accept': 'application/json'})
    with urllib.request.urlopen(req) as resp:
        assert b'"Number Files Created": 12' in resp.read()
    _h, listing = swift_conn.get_container(name)
    assert sorted(e['name'] for e in listing) == sorted(members)
    spread = set()
    for member in members:
        spread.update(holders(cluster_conns, name, member))
    assert len(spread) > 1  # the archive's files spread over landlords
    body = '\n'.join(quote('/%s/%s' % (name, m)) for m in members)
    req = urllib.request.Request(
        '%s?bulk-delete' % storage_url, data=body.encode(), method='POST',
        headers={'X-Auth-Token': token, 'Accept': 'application/json',
                 'Content-Type': 'text/plain'})
    with urllib.request.urlopen(req) as resp:
        assert b'"Number Deleted": 12' in resp.read()
    assert swift_conn.get_container(name)[1] == []


def test_history_versioning(swift_conn, container):
    archive = container('history-archive')
    name = container('history', headers={
        'X-History-Location': quote(archive)})
    for version in (b'v1', b'v2', b'v3'):
        swift_conn.put_object(name, 'doc \u00e9', version)
    assert swift_conn.get_object(name, 'doc \u00e9')[1] == b'v3'
    _h, versions = swift_conn.get_container(archive)
    assert len(versions) == 2
    bodies = sorted(swift_conn.get_object(archive, v['name'])[1]
                    for v in versions)
    assert bodies == [b'v1', b'v2']
    swift_conn.delete_object(name, 'doc \u00e9')
    with pytest.raises(ClientException):
        swift_conn.get_object(name, 'doc \u00e9')
    # history mode keeps the last version and a delete marker too
    _h, versions = swift_conn.get_container(archive)
    assert len(versions) == 4
    assert [v['content_type'] for v in versions].count(
        'application/x-deleted;swift_versions_deleted=1') == 1


def test_copy_across_landlords(swift_conn, cluster_conns, container):
    src, dst = container('copy-src'), container('copy-dst')
    swift_conn.put_object(src, 'orig', b'copied bytes',
                          headers={'X-Object-Meta-Keep': 'yes'})
    for i in range(20):
        swift_conn.copy_object(src, 'orig', destination='/%s/c%d' % (dst, i))
    spread = set()
    for i in range(20):
        headers, body = swift_conn.get_object(dst, 'c%d' % i)
        assert body == b'copied bytes'
        assert headers['x-object-meta-keep'] == 'yes'
        spread.update(holders(cluster_conns, dst, 'c%d' % i))
    assert len(spread) == len(cluster_conns)
