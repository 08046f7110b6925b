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

"""Bad input gets Swift's own answer through the exchange, never a 5xx."""

import urllib.error
import urllib.request

import pytest
from swiftclient import ClientException

from tests.functional import names


def raw(swift_conn, method, path, headers=None, body=None):
    """Send a raw request (path already quoted) and return the status."""
    url, token = swift_conn.get_auth()
    base = url.split('/v1/')[0]
    all_headers = {'X-Auth-Token': token}
    all_headers.update(headers or {})
    req = urllib.request.Request(base + path, data=body, method=method,
                                 headers=all_headers)
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture
def container(swift_conn):
    name = names.container('err')
    swift_conn.put_container(name)
    yield name
    names.empty_and_delete(swift_conn, name)


def account_path(swift_conn):
    url, _token = swift_conn.get_auth()
    return '/v1/' + url.split('/v1/')[1]


def test_bad_utf8_is_412(swift_conn, container):
    status, body = raw(swift_conn, 'PUT', account_path(swift_conn) +
                       '/bad%FFname', headers={'Content-Length': '0'})
    assert status == 412
    assert b'Invalid UTF8' in body
    status, _ = raw(swift_conn, 'GET', account_path(swift_conn) +
                    '/c/o%00null')
    assert status == 412


def test_long_names_are_400(swift_conn, container):
    with pytest.raises(ClientException) as caught:
        swift_conn.put_object(container, '\u00e9' * 600, b'x')  # 1200 bytes
    assert caught.value.http_status == 400
    with pytest.raises(ClientException) as caught:
        swift_conn.put_container('c' * 257)
    assert caught.value.http_status == 400


def test_metadata_limits_are_400(swift_conn, container):
    with pytest.raises(ClientException) as caught:
        swift_conn.put_object(container, 'meta \u00e9', b'x', headers={
            'X-Object-Meta-Big': 'v' * 257})
    assert caught.value.http_status == 400
    too_many = {'X-Object-Meta-K%d' % i: 'v' for i in range(91)}
    with pytest.raises(ClientException) as caught:
        swift_conn.put_object(container, 'meta \u00e9', b'x',
                              headers=too_many)
    assert caught.value.http_status == 400
    with pytest.raises(ClientException) as caught:
        swift_conn.post_container(container, {
            'X-Container-Meta-' + 'k' * 200: 'v'})
    assert caught.value.http_status == 400
    with pytest.raises(ClientException) as caught:
        swift_conn.post_account({'X-Account-Meta-Big': 'v' * 300})
    assert caught.value.http_status == 400


def test_unknown_things_are_404(swift_conn, container):
    for call, args in ((swift_conn.head_container, ('nope \u00e9',)),
                       (swift_conn.get_container, ('nope \u00e9',)),
                       (swift_conn.delete_container, ('nope \u00e9',)),
                       (swift_conn.head_object, (container, 'nope \u00e9')),
                       (swift_conn.get_object, (container, 'nope \u00e9')),
                       (swift_conn.delete_object, (container, 'nope')),
                       (swift_conn.put_object, ('nope \u00e9', 'o', b'x'))):
        with pytest.raises(ClientException) as caught:
            call(*args)
        assert caught.value.http_status == 404, call


def test_bad_listing_limit_is_412(swift_conn, container):
    with pytest.raises(ClientException) as caught:
        swift_conn.get_container(container, limit=10001)
    assert caught.value.http_status == 412


def test_account_put_is_swifts_answer(swift_conn):
    # the exchange's metadata tier is Swift's own account server: with
    # allow_account_management (as ocx-aio sets it), only a reseller admin
    # may create accounts; a tenant is refused as by one Swift cluster
    status, _ = raw(swift_conn, 'PUT', account_path(swift_conn))
    assert status == 403
