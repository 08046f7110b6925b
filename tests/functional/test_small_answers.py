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

"""Everyday answers that must agree with each other, as on one Swift
cluster: ``/info`` and account management, ``?path=`` listings of
hidden-name containers, the access log of an interrupted download."""

import os
import socket
import time
import urllib.parse

import pytest
import swiftclient

from tests.functional import names


@pytest.fixture
def admin_conn(ocx_env):
    if 'OCX_AUTH_URL' not in ocx_env:
        pytest.skip('no exchange in this set')
    return swiftclient.Connection(ocx_env['OCX_AUTH_URL'], 'admin:admin',
                                  'admin', auth_version='1', retries=0)


def status_of(conn, method, account):
    url, token = conn.get_auth()
    parsed, http = swiftclient.http_connection(
        url.split('/v1/')[0] + '/v1/' + account)
    http.request(method, parsed.path, '', {'X-Auth-Token': token})
    resp = http.getresponse()
    resp.read()
    return resp.status


def test_info_agrees_with_account_management(swift_conn, admin_conn):
    allowed = swift_conn.get_capabilities()['swift'].get(
        'allow_account_management', False)
    account = 'AUTH_ocx-acct-%s' % os.urandom(4).hex()
    if allowed:
        assert status_of(admin_conn, 'PUT', account) == 201
        assert status_of(admin_conn, 'POST', account) == 204
        assert status_of(admin_conn, 'DELETE', account) == 204
        # a tenant is no reseller admin
        assert status_of(swift_conn, 'PUT', account + 'x') == 403
    else:
        assert status_of(admin_conn, 'PUT', account) == 405


@pytest.fixture
def path_containers(swift_conn):
    made = []
    for policy in ('standard', 'aont'):
        name = names.container('path-' + policy)
        swift_conn.put_container(name, headers={'X-Storage-Policy': policy})
        made.append(name)
        for obj in ('a/b', 'a/c/d', 'a/\u00e9', 'ab', 'b/x'):
            swift_conn.put_object(name, obj, b'x')
    yield made
    for name in made:
        names.empty_and_delete(swift_conn, name)


def test_path_listing_of_hidden_names_is_swifts(swift_conn,
                                                path_containers):
    plain, hidden = path_containers
    for query in ('path=a', 'path=a/c', 'path=', 'path=nope'):
        expected = swift_conn.get_container(plain, query_string=query)[1]
        got = swift_conn.get_container(hidden, query_string=query)[1]
        assert [e['name'] for e in got] == [e['name'] for e in expected]
    assert [e['name'] for e in swift_conn.get_container(
        hidden, query_string='path=a')[1]] == ['a/b', 'a/\u00e9']


def access_log_status(ocx_env, path, timeout=30):
    """The status the exchange's access log gives a GET of ``path``
    (unquoted), or the log's last lines when it has none."""
    log = os.path.join(ocx_env['OCX_DIR'], 'logs', 'exchange-proxy.log')
    deadline = time.time() + timeout
    while True:
        with open(log, encoding='utf-8', errors='replace') as fp:
            lines = fp.readlines()
        for line in lines:
            # ... client remote date METHOD path protocol status ...
            fields = line.split()
            if 'GET' in fields[:6]:
                at = fields.index('GET')
                # proxy-logging quotes the path as the client sent it
                logged = urllib.parse.unquote(fields[at + 1])
                if len(fields) > at + 3 and \
                        urllib.parse.unquote(logged) == path:
                    return int(fields[at + 3])
        if time.time() > deadline:
            return ''.join(lines[-5:])
        time.sleep(0.5)


def test_interrupted_split_download_is_logged_499(ocx_env, swift_conn):
    if 'OCX_DIR' not in ocx_env:
        pytest.skip('the exchange\'s logs are not local')
    name = names.container('cut')
    swift_conn.put_container(name, headers={'X-Storage-Policy': 'aont'})
    try:
        swift_conn.put_object(name, 'big \u00e9', os.urandom(24 << 20))
        url, token = swift_conn.get_auth()
        parsed = urllib.parse.urlparse(url)
        path = '%s/%s/%s' % (parsed.path, urllib.parse.quote(name),
                             urllib.parse.quote('big \u00e9'))
        sock = socket.create_connection((parsed.hostname, parsed.port))
        sock.sendall(('GET %s HTTP/1.1\r\nHost: ocx\r\nX-Auth-Token: %s'
                      '\r\n\r\n' % (path, token)).encode('ascii'))
        assert sock.recv(12) == b'HTTP/1.1 200'
        sock.recv(1 << 20)
        sock.close()  # the client gave up after a 200 and a part
        assert access_log_status(
            ocx_env, urllib.parse.unquote(path)) == 499
    finally:
        names.empty_and_delete(swift_conn, name)
