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

"""Swift features that keep state in sysmeta, through the exchange:
static and dynamic large objects with segments over the landlords,
symlinks, and a client that tries to set or read the exchange's
reserved metadata."""

import hashlib
import json
import os
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from swiftclient import ClientException

from tests.functional import names


@pytest.fixture
def container(swift_conn):
    name = names.container('feat')
    swift_conn.put_container(name)
    yield name
    names.empty_and_delete(swift_conn, name)


def put_segments(swift_conn, container, count, size):
    data = os.urandom(count * size)
    segments = []
    for i in range(count):
        chunk = data[i * size:(i + 1) * size]
        name = 'seg/\u00e9 %03d' % i
        etag = swift_conn.put_object(container, name, chunk)
        segments.append({'path': '/%s/%s' % (container, name),
                         'etag': etag, 'size_bytes': len(chunk)})
    return data, segments


def holders(cluster_conns, container, prefix):
    found = {}
    for cluster, conn in cluster_conns.items():
        _h, listing = conn.get_container(container, prefix=prefix)
        found[cluster] = len(listing)
    return found


def test_slo_segments_over_landlords(swift_conn, cluster_conns, container):
    data, segments = put_segments(swift_conn, container, 24, 1024 + 7)
    swift_conn.put_object(container, 'slo \u00e9', json.dumps(segments),
                          query_string='multipart-manifest=put')
    headers, got = swift_conn.get_object(container, 'slo \u00e9')
    assert got == data
    assert headers['x-static-large-object'] == 'True'
    slo_etag = hashlib.md5(b''.join(
        s['etag'].encode() for s in segments)).hexdigest()
    assert headers['etag'].strip('"') == slo_etag
    # conditional requests match the SLO's etag, kept in sysmeta
    headers, got = swift_conn.get_object(
        container, 'slo \u00e9', headers={'If-Match': slo_etag})
    assert got == data
    for cond, status in (('If-Match', 412), ('If-None-Match', 304)):
        with pytest.raises(ClientException) as caught:
            swift_conn.get_object(container, 'slo \u00e9', headers={
                cond: slo_etag if status == 304 else 'nope'})
        assert caught.value.http_status == status
    # a range across segment boundaries
    _h, got = swift_conn.get_object(container, 'slo \u00e9',
                                    headers={'Range': 'bytes=1000-3100'})
    assert got == data[1000:3101]
    # the listing shows the logical size, as one Swift cluster does
    # the listing shows the logical size and, as in Swift, the manifest's
    # own etag as hash
    _h, listing = swift_conn.get_container(container, prefix='slo')
    assert listing[0]['bytes'] == len(data)
    assert listing[0]['hash'] == headers['x-manifest-etag']
    # segments landed on every landlord
    assert all(n > 0 for n in holders(cluster_conns, container,
                                      'seg/').values())
    _h, manifest = swift_conn.get_object(
        container, 'slo \u00e9', query_string='multipart-manifest=get')
    assert [s['name'] for s in json.loads(manifest)] == [
        s['path'] for s in segments]
    # POST keeps it an SLO (its state lives in the landlord's metadata)
    swift_conn.post_object(container, 'slo \u00e9', {'X-Object-Meta-A': 'b'})
    headers, got = swift_conn.get_object(container, 'slo \u00e9')
    assert got == data and headers['x-object-meta-a'] == 'b'
    swift_conn.delete_object(container, 'slo \u00e9',
                             query_string='multipart-manifest=delete')
    _h, listing = swift_conn.get_container(container)
    assert listing == []


def test_dlo(swift_conn, container):
    data, _segments = put_segments(swift_conn, container, 5, 999)
    swift_conn.put_object(container, 'dlo \u00fc', b'', headers={
        'X-Object-Manifest': quote('%s/seg/' % container)})
    headers, got = swift_conn.get_object(container, 'dlo \u00fc')
    assert got == data
    assert 'x-object-manifest' in headers


def test_symlink(swift_conn, container):
    swift_conn.put_object(container, 'target \u00e9', b'pointed at')
    swift_conn.put_object(container, 'link', b'', headers={
        'X-Symlink-Target': quote('%s/target \u00e9' % container)})
    _h, got = swift_conn.get_object(container, 'link')
    assert got == b'pointed at'
    _h, listing = swift_conn.get_container(container, prefix='link')
    assert listing[0]['symlink_path'].endswith(
        quote('/%s/target \u00e9' % container))
    headers, got = swift_conn.get_object(container, 'link',
                                         query_string='symlink=get')
    assert got == b''
    assert headers['content-type'] == 'application/symlink'


def test_reserved_metadata_cannot_be_set_or_read(swift_conn, container,
                                                 cluster_conns):
    url, token = swift_conn.get_auth()
    obj_url = '%s/%s/forged' % (url, quote(container))
    req = urllib.request.Request(obj_url, data=b'hi', method='PUT', headers={
        'X-Auth-Token': token,
        'X-Object-Sysmeta-Symlink-Target': quote('%s/x' % container),
        'X-Object-Meta-Ocx-Sys-Symlink-Target': quote('%s/x' % container),
        'X-Object-Meta-Ocx-Slo': 'True',
        'X-Backend-Allow-Reserved-Names': 'true'})
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 201
    headers, got = swift_conn.get_object(container, 'forged')
    assert got == b'hi'
    assert not [h for h in headers if 'ocx' in h or 'sysmeta' in h or
                'symlink' in h or 'static-large' in h]
    swift_conn.put_object(container, 'real link', b'', headers={
        'X-Symlink-Target': quote('%s/forged' % container)})
    headers = swift_conn.head_object(container, 'real link')
    assert not [h for h in headers if 'ocx' in h or 'sysmeta' in h]
    # the landlord does hold the exchange's state for it
    stored = {}
    for conn in cluster_conns.values():
        try:
            stored = conn.head_object(container, 'real link')
        except Exception:
            continue
    assert 'x-object-meta-ocx-sys-symlink-target' in stored
