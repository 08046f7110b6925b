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

"""What Swift's proxy controllers do that the exchange answers itself:
OPTIONS and CORS, legacy versioning kept in the exchange's sysmeta, and
account and container answers free of the exchange's reserved keys."""

import http.client
from urllib.parse import quote, urlsplit

import pytest
from swiftclient import ClientException

from tests.functional import names

ORIGIN = 'http://m.example'
MARKER = 'application/x-deleted;swift_versions_deleted=1'


@pytest.fixture
def container(swift_conn):
    name = names.container('ctl')
    swift_conn.put_container(name)
    yield name
    names.empty_and_delete(swift_conn, name)


def raw(swift_conn, method, container=None, obj=None, headers=None,
        token=True):
    """One request with http.client: status and lower-cased headers."""
    url, auth = swift_conn.get_auth()
    parts = urlsplit(url)
    path = parts.path
    for name in (container, obj):
        if name is not None:
            path += '/' + quote(name)
    headers = dict(headers or {})
    if token:
        headers['X-Auth-Token'] = auth
    conn = http.client.HTTPConnection(parts.netloc, timeout=30)
    try:
        conn.request(method, path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def test_options_and_cors(swift_conn, container):
    swift_conn.post_container(container, {
        'X-Container-Meta-Access-Control-Allow-Origin': ORIGIN,
        'X-Container-Meta-Access-Control-Max-Age': '30'})
    swift_conn.put_object(container, 'cat \u00e9', b'test',
                          headers={'X-Object-Meta-Color': 'red'})
    status, headers = raw(swift_conn, 'OPTIONS', container, 'cat \u00e9',
                          token=False)
    assert status == 200
    assert 'OPTIONS' in headers['allow']
    preflight = {'Origin': ORIGIN, 'Access-Control-Request-Method': 'GET'}
    status, headers = raw(swift_conn, 'OPTIONS', container, 'cat \u00e9',
                          preflight, token=False)
    assert status == 200
    assert headers['access-control-allow-origin'] == ORIGIN
    assert headers['access-control-max-age'] == '30'
    status, _h = raw(swift_conn, 'OPTIONS', container, 'cat \u00e9',
                     {'Origin': 'http://other.example',
                      'Access-Control-Request-Method': 'GET'}, token=False)
    assert status == 401
    status, headers = raw(swift_conn, 'GET', container, 'cat \u00e9',
                          {'Origin': ORIGIN})
    assert status == 200
    assert headers['access-control-allow-origin'] == ORIGIN
    assert 'x-object-meta-color' in \
        headers['access-control-expose-headers'].split(', ')
    status, headers = raw(swift_conn, 'GET', container, 'cat \u00e9',
                          {'Origin': 'http://other.example'})
    assert status == 200
    assert 'access-control-allow-origin' not in headers  # strict mode


def landlord_entries(cluster_conns, container):
    found = {}
    for cluster, conn in cluster_conns.items():
        try:
            _h, listing = conn.get_container(container)
        except ClientException as err:
            if err.http_status != 404:
                raise
            listing = []
        found[cluster] = [e['name'] for e in listing]
    return found


@pytest.mark.parametrize('mode', ['X-History-Location',
                                  'X-Versions-Location'])
def test_versioning_stays_with_the_exchange(swift_conn, cluster_conns,
                                            mode):
    versions = names.container('ver')
    objs = names.container('objs')
    swift_conn.put_container(versions)
    try:
        swift_conn.put_container(objs, {mode: versions})
        headers = swift_conn.head_container(objs)
        assert headers[mode.lower()] == versions
        for conn in cluster_conns.values():  # no landlord versions itself
            theirs = conn.head_container(objs)
            assert 'x-history-location' not in theirs
            assert 'x-versions-location' not in theirs
        for body in (b'v1', b'v2'):
            swift_conn.put_object(objs, 'obj \u00e9', body)
        swift_conn.delete_object(objs, 'obj \u00e9')
        _h, listing = swift_conn.get_container(versions)
        if mode == 'X-History-Location':
            # both versions and a delete marker; the object is gone
            assert len(listing) == 3
            assert listing[-1]['content_type'] == MARKER
            with pytest.raises(ClientException) as caught:
                swift_conn.get_object(objs, 'obj \u00e9')
            assert caught.value.http_status == 404
        else:
            # the delete restored v1
            assert listing == []
            assert swift_conn.get_object(objs, 'obj \u00e9')[1] == b'v1'
        # every archive is where the exchange put it, once
        held = landlord_entries(cluster_conns, versions)
        assert sorted(n for names_ in held.values() for n in names_) == \
            sorted(e['name'] for e in listing)
    finally:
        swift_conn.post_container(objs, {mode: ''})
        names.empty_and_delete(swift_conn, objs)
        names.empty_and_delete(swift_conn, versions)


def test_no_reserved_keys_in_account_or_container_answers(
        swift_conn, container):
    swift_conn.post_account({'X-Account-Meta-Color': 'blue'})
    swift_conn.post_container(container, {
        'X-Container-Meta-Color': 'green', 'X-Versions-Location': 'v'})
    swift_conn.put_object(container, 'o', b'x')
    try:
        for method in ('HEAD', 'GET'):
            for path in ((None, None), (container, None)):
                status, headers = raw(swift_conn, method, *path)
                assert status // 100 == 2
                leaked = [k for k in headers if 'ocx' in k or
                          'sysmeta' in k]
                assert leaked == []
                if path[0] is None:
                    assert not [k for k in headers
                                if k.startswith('x-container-')]
                    assert headers['x-account-meta-color'] == 'blue'
                else:
                    assert headers['x-container-meta-color'] == 'green'
                    assert headers['x-versions-location'] == 'v'
                    # what landlords show the exchange's reseller user
                    assert 'x-container-sharding' not in headers
                    assert not [k for k in headers
                                if k.startswith('x-account-')]
    finally:
        swift_conn.post_account({'X-Account-Meta-Color': ''})
        swift_conn.post_container(container, {'X-Versions-Location': ''})
