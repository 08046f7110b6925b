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

"""Account HEAD and GET count what tenants stored, as one Swift cluster
would: logical objects and bytes, whatever the policy keeps (two copies,
three shares)."""

import os
import time

import pytest
import swiftclient

#: the test set's container-updaters sweep every 30 seconds
SETTLE_TIMEOUT = 120
POLICY_OBJECTS = {'standard': [10, 1000],
                  'replicated2': [1, 2, 3],
                  'aont': [0, 5, 70000, 2 ** 20 + 3]}


@pytest.fixture
def fresh_account(ocx_env):
    """A connection to a new account of its own (no other test's
    containers), as the reseller admin."""
    if 'OCX_AUTH_URL' not in ocx_env:
        pytest.skip('no exchange in this set')
    admin = swiftclient.Connection(ocx_env['OCX_AUTH_URL'], 'admin:admin',
                                   'admin', auth_version='1', retries=1)
    url, token = admin.get_auth()
    account = 'AUTH_ocx-counts-%s' % os.urandom(4).hex()
    conn = swiftclient.Connection(
        preauthurl=url.split('/v1/')[0] + '/v1/' + account,
        preauthtoken=token, retries=1)
    yield conn
    for container in POLICY_OBJECTS:
        name = 'c\u00e9 ' + container
        try:
            for entry in conn.get_container(name)[1]:
                conn.delete_object(name, entry['name'])
            conn.delete_container(name)
        except swiftclient.ClientException:
            pass


def settled(conn, objects):
    deadline = time.time() + SETTLE_TIMEOUT
    while True:
        headers = conn.head_account()
        if int(headers['x-account-object-count']) == objects or \
                time.time() > deadline:
            return headers
        time.sleep(2)


def test_account_counts_logical_objects_and_bytes(fresh_account):
    conn = fresh_account
    for policy, sizes in POLICY_OBJECTS.items():
        name = 'c\u00e9 ' + policy
        conn.put_container(name, headers={'X-Storage-Policy': policy})
        for i, size in enumerate(sizes):
            conn.put_object(name, 'obj \u2615 %d' % i, os.urandom(size))
    objects = sum(len(s) for s in POLICY_OBJECTS.values())
    used = sum(sum(s) for s in POLICY_OBJECTS.values())
    headers = settled(conn, objects)
    assert int(headers['x-account-object-count']) == objects
    assert int(headers['x-account-bytes-used']) == used
    assert int(headers['x-account-container-count']) == len(POLICY_OBJECTS)
    for policy, sizes in POLICY_OBJECTS.items():
        prefix = 'x-account-storage-policy-%s-' % policy
        assert (int(headers[prefix + 'object-count']),
                int(headers[prefix + 'bytes-used'])) == (len(sizes),
                                                         sum(sizes))
    # the account listing and each container agree with the account
    _h, listing = conn.get_account()
    assert {e['name']: (e['count'], e['bytes']) for e in listing} == {
        'c\u00e9 ' + p: (len(s), sum(s)) for p, s in POLICY_OBJECTS.items()}
    for policy, sizes in POLICY_OBJECTS.items():
        cont = conn.head_container('c\u00e9 ' + policy)
        assert (int(cont['x-container-object-count']),
                int(cont['x-container-bytes-used'])) == (len(sizes),
                                                         sum(sizes))
