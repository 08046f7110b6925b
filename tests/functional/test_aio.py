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

"""The ``ocx-aio`` harness itself: real, independent landlord clusters.

These tests talk to each backend cluster directly; they need no ``ocx``.
"""

import configparser
import os
import subprocess
import sys

import pytest
import swiftclient

from ocx_swift.aio import layout
from tests.functional import names


def test_each_cluster_answers_on_its_own(cluster_conns):
    assert len(cluster_conns) >= 1
    for name, conn in sorted(cluster_conns.items()):
        container = names.container('aio-%s' % name)
        obj = 'obj \u00e9\u65e5'
        try:
            conn.put_container(container)
            conn.put_object(container, obj, name.encode('ascii'))
            assert conn.get_object(container, obj)[1] == name.encode('ascii')
            listing = conn.get_container(container)[1]
            assert [o['name'] for o in listing] == [obj]
        finally:
            names.empty_and_delete(conn, container)


def test_clusters_share_nothing(cluster_conns):
    if len(cluster_conns) < 2:
        pytest.skip('needs two clusters')
    (first, conn), (_, other) = sorted(cluster_conns.items())[:2]
    container = names.container('aio-alone')
    try:
        conn.put_container(container)
        conn.put_object(container, 'only-on-%s' % first, b'x')
        with pytest.raises(swiftclient.ClientException) as caught:
            other.get_object(container, 'only-on-%s' % first)
        assert caught.value.http_status == 404
    finally:
        names.empty_and_delete(conn, container)


def test_landlords_round_robin(ocx_env):
    clusters = sorted(k[len('CLUSTER_'):-len('_LANDLORD')]
                      for k in ocx_env if k.endswith('_LANDLORD'))
    landlords = {ocx_env['CLUSTER_%s_LANDLORD' % c] for c in clusters}
    assert clusters and landlords <= {'landlord%d' % (i + 1)
                                      for i in range(len(clusters))}


def test_exchange_user_reaches_tenant_account(ocx_env, cluster_conns):
    path = ocx_env.get('OCX_CLUSTER_CONF')
    if not path or not os.access(path, os.R_OK):
        pytest.skip('exchange cluster config not readable here')
    parser = configparser.ConfigParser()
    parser.read(path)
    container = names.container('aio-exchange')
    for name, conn in sorted(cluster_conns.items()):
        section = parser['cluster:%s' % name]
        url, token = swiftclient.get_auth(
            section['auth_url'], section['user'], section['key'])
        # reseller admin: the tenant's own account name on the backend
        tenant_url = conn.get_auth()[0]
        tenant_url = url.rsplit('/', 1)[0] + '/' + tenant_url.rsplit('/')[-1]
        try:
            swiftclient.put_container(tenant_url, token, container)
            swiftclient.put_object(tenant_url, token, container, 'o', b'ex')
            assert conn.get_object(container, 'o')[1] == b'ex'
        finally:
            names.empty_and_delete(conn, container)


def test_status_output_parses(ocx_env):
    out = subprocess.run(
        [sys.executable, '-m', 'ocx_swift.aio.cli', 'status',
         '--dir', ocx_env['OCX_DIR']],
        capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    status = layout.parse_env(out.stdout)
    assert status == ocx_env
    assert out.stdout.endswith('\n')
