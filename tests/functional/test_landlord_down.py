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

"""A landlord that stops answering: clear 503s, never a hang or a
traceback, the other landlords unaffected, and recovery when it is back.

The landlord's proxy process is paused (SIGSTOP): it still accepts
connections but never answers, the hardest case for a client.
"""

import os
import signal
import time

import pytest
import swiftclient
from swiftclient import ClientException

from ocx_swift.aio import procs
from ocx_swift.ring.ring import ClusterRing
from swift.common.swob import str_to_wsgi
from tests.functional import names

NODE_TIMEOUT = 5.0  # [filter:ocx] node_timeout under ocx-aio


@pytest.fixture
def conn(ocx_env):
    """A connection that does not retry, so each 503 is seen once."""
    return swiftclient.Connection(ocx_env['OCX_AUTH_URL'],
                                  ocx_env['OCX_USER'], ocx_env['OCX_KEY'],
                                  retries=0)


def one_object_per_cluster(ring, account, container):
    found = {}
    for i in range(1000):
        name = 'obj %d \u00e9' % i
        _part, clusters = ring.get_clusters(
            str_to_wsgi(account), str_to_wsgi(container), str_to_wsgi(name))
        found.setdefault(clusters[0]['name'], name)
        if len(found) == len(ring.clusters):
            return found
    raise AssertionError('ring places nothing on some cluster')


def test_paused_landlord(ocx_env, conn):
    ring = ClusterRing(ocx_env['OCX_RING'])
    account = conn.get_auth()[0].rsplit('/', 1)[1]
    container = names.container('down')
    conn.put_container(container)
    placed = one_object_per_cluster(ring, account, container)
    for name in placed.values():
        conn.put_object(container, name, name.encode('utf-8'))
    victim = sorted(placed)[-1]
    pid = procs.alive(ocx_env['OCX_DIR'])['%s-proxy' % victim]
    os.kill(pid, signal.SIGSTOP)
    try:
        start = time.monotonic()
        with pytest.raises(ClientException) as caught:
            conn.get_object(container, placed[victim])
        assert caught.value.http_status == 503
        assert time.monotonic() - start < NODE_TIMEOUT + 3
        body = caught.value.http_response_content.decode()
        assert "cluster '%s' unavailable" % victim in body
        assert 'timed out' in body
        assert ocx_env['OCX_KEY'] not in body
        for cluster, name in placed.items():
            if cluster != victim:
                _h, got = conn.get_object(container, name)
                assert got == name.encode('utf-8')
        # containers live in the exchange's metadata tier: their counts
        # and listings stay exact and complete while a landlord is down
        head = conn.head_container(container)
        assert 'x-ocx-partial' not in head
        assert int(head['x-container-object-count']) == len(placed)
        _h, listing = conn.get_container(container)
        assert sorted(e['name'] for e in listing) == sorted(placed.values())
    finally:
        os.kill(pid, signal.SIGCONT)
    _h, got = conn.get_object(container, placed[victim])
    assert got == placed[victim].encode('utf-8')
    _h, listing = conn.get_container(container)
    assert sorted(e['name'] for e in listing) == sorted(placed.values())
    names.empty_and_delete(conn, container)
