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

"""Authorization through the exchange: tempauth users and container ACLs."""

import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from swiftclient import ClientException

from tests.functional import names


@pytest.fixture
def container(swift_conn):
    name = names.container('acl')
    swift_conn.put_container(name)
    swift_conn.put_object(name, 'secret \u00e9', b'top secret')
    yield name
    names.empty_and_delete(swift_conn, name)


def status_of(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientException as err:
        return err.http_status
    return 200


def other_account_url(swift_conn, swift_conn2):
    """The first user's storage URL, used with the second user's token."""
    url, _token = swift_conn.get_auth()
    _url2, token2 = swift_conn2.get_auth()
    return url, token2


def test_second_user_denied_until_acl(swift_conn, swift_conn2, container):
    from swiftclient import client as sc
    url, token2 = other_account_url(swift_conn, swift_conn2)
    obj = 'secret \u00e9'
    assert status_of(sc.get_object, url, token2, container, obj) == 403
    assert status_of(sc.head_object, url, token2, container, obj) == 403
    assert status_of(sc.get_container, url, token2, container) == 403
    assert status_of(sc.put_object, url, token2, container, 'x', b'y') == 403
    assert status_of(sc.delete_object, url, token2, container, obj) == 403
    assert status_of(sc.get_account, url, token2) == 403
    assert status_of(sc.post_container, url, token2, container,
                     {'X-Container-Read': 'test2:tester2'}) == 403

    swift_conn.post_container(container, {'X-Container-Read':
                                          'test2:tester2'})
    _h, body = sc.get_object(url, token2, container, obj)
    assert body == b'top secret'
    _h, listing = sc.get_container(url, token2, container)
    assert [e['name'] for e in listing] == [obj]
    head = sc.head_container(url, token2, container)
    assert 'x-container-read' not in head  # ACLs are for owners only
    assert status_of(sc.put_object, url, token2, container, 'x', b'y') == 403

    swift_conn.post_container(container, {'X-Container-Write':
                                          'test2:tester2'})
    sc.put_object(url, token2, container, 'from user2 \u00fc', b'hi')
    _h, body = swift_conn.get_object(container, 'from user2 \u00fc')
    assert body == b'hi'


def test_no_token_is_401(swift_conn, container):
    from swiftclient import client as sc
    url, _token = swift_conn.get_auth()
    assert status_of(sc.get_object, url, '', container,
                     'secret \u00e9') == 401
    assert status_of(sc.get_object, url, 'AUTH_tkbogus', container,
                     'secret \u00e9') == 401


def test_public_read_acl(swift_conn, container):
    url, _token = swift_conn.get_auth()
    swift_conn.post_container(container, {'X-Container-Read': '.r:*'})
    obj_url = '%s/%s/%s' % (url, quote(container), quote('secret \u00e9'))
    with urllib.request.urlopen(obj_url) as resp:
        assert resp.read() == b'top secret'
    # no .rlistings: the listing stays private
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen('%s/%s' % (url, quote(container)))
    assert caught.value.code == 401
    swift_conn.post_container(container,
                              {'X-Container-Read': '.r:*,.rlistings'})
    with urllib.request.urlopen('%s/%s?format=json'
                                % (url, quote(container))) as resp:
        assert b'secret' in resp.read()
