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

"""``ocx-index`` moves state kept on landlords (the old design) to the
metadata tier.

Old-format data is written straight onto the landlords with the
exchange's service credentials, in a fresh account: a replicated-2
container and an xor container, each stamped with the old reserved
policy key (plus an ACL and a tempurl key) on every cluster, a copy of a
replicated object on each cluster of its placement (no state tag) and
the shares of an xor object with the old share header (MD5 in clear).
``ocx-index`` then runs as a command; the exchange (as a reseller admin)
must show both containers with their policies and ACL, list both objects
with their sizes and MD5s and serve them byte-exact, and the landlords
must no longer hold the ACL, tempurl key or reserved keys. A second run
changes nothing.
"""

import hashlib
import os
import subprocess
import sys
import uuid

import pytest
import swiftclient
from swift.common.swob import str_to_wsgi

from ocx_swift.config import load_cluster_config
from ocx_swift.middleware import OcxSettings
from ocx_swift.mover import backend, settings as settings_mod
from ocx_swift.mover.run import make_clients
from ocx_swift.split.codec import SplitCodec
from ocx_swift.split.keys import derive_object_keys
from ocx_swift.storage.shares import ShareHeader
from ocx_swift.sysmeta import listing_content_type
from tests.functional import names

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SPLIT_KEY = 'X-Object-Meta-Ocx-Sys-Ocx-Split'
ACL = 'test2:tester2'


@pytest.fixture(scope='module')
def env(ocx_env):
    if 'OCX_PROXY_CONF' not in ocx_env:
        pytest.skip('no exchange in this set')
    return ocx_env


@pytest.fixture(scope='module')
def landlords(env):
    conf = load_cluster_config(env['OCX_CLUSTER_CONF'])
    return make_clients(conf, 2, None)


def placement(settings, policy, account, container, obj):
    candidates = settings.ring.get_candidates(
        str_to_wsgi(account), str_to_wsgi(container), str_to_wsgi(obj))
    return [c['name'] for c in policy.choose(candidates)]


def old_container(landlords, account, container, policy):
    path = backend.container_path(account, container)
    for client in landlords.values():
        backend.put_container(client, path, {
            'X-Container-Meta-Ocx-Sys-Ocx-Policy': policy,
            'X-Container-Read': ACL,
            'X-Container-Meta-Temp-Url-Key': 'sekrit',
            'X-Container-Meta-Colour': 'green'})


def put(client, path, headers, body):
    headers = dict(headers, **{'Content-Length': str(len(body))})
    backend.check(client, client.request('PUT', path, headers=headers,
                                         body=body), 'PUT', path).close()


def old_replicated(landlords, clusters, account, container, obj, body):
    path = backend.object_path(account, container, obj)
    for name in clusters:
        put(landlords[name], path, {
            'Content-Type': 'text/plain', 'X-Object-Meta-Color': 'blue',
            'Etag': hashlib.md5(body).hexdigest()}, body)


def old_split(landlords, clusters, policy, secret, account, container, obj,
              body):
    """The shares of an xor object as the old split.py stored them."""
    md5 = hashlib.md5(body).hexdigest()
    object_id = os.urandom(16)
    keys = derive_object_keys(secret, account, container, obj, object_id)
    codec = SplitCodec(policy.scheme, policy.n, policy.k,
                       policy.segment_size)
    shares = [b''] * policy.n
    for index, start in enumerate(range(0, len(body), policy.segment_size)):
        records = codec.encode_segment(
            keys, object_id, index, body[start:start + policy.segment_size])
        shares = [s + r for s, r in zip(shares, records)]
    path = backend.object_path(account, container, obj)
    for index, name in enumerate(clusters):
        header = ShareHeader(policy.scheme, policy.n, policy.k,
                             policy.segment_size, len(body), md5, index,
                             object_id).seal(keys.mac_key)
        put(landlords[name], path, {
            SPLIT_KEY: header.to_value(), 'X-Object-Meta-Color': 'red',
            'Content-Type': listing_content_type('text/plain', len(body),
                                                 md5)}, shares[index])


def run_index(env, account):
    out = subprocess.run(
        [sys.executable, '-m', 'ocx_swift.cli.index', '--proxy-config',
         env['OCX_PROXY_CONF'], '--account', account, '--no-progress'],
        env=dict(os.environ, PYTHONPATH=REPO), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, timeout=120)
    return out.returncode, out.stdout.decode('utf-8'), \
        out.stderr.decode('utf-8')


def admin_conn(env, account):
    """The exchange as its reseller admin, in ``account``."""
    conn = swiftclient.Connection(env['OCX_AUTH_URL'], 'admin:admin',
                                  'admin', auth_version='1', retries=1)
    url, token = conn.get_auth()
    return swiftclient.Connection(
        preauthurl=url.rsplit('/', 1)[0] + '/' + account,
        preauthtoken=token, retries=1)


def test_old_state_moves_to_the_metadata_tier(env, landlords):
    settings = settings_mod.load(proxy_config=env['OCX_PROXY_CONF'])
    ocx = OcxSettings(settings_mod.read_filter_section(
        env['OCX_PROXY_CONF']))
    account = 'AUTH_idx%s' % uuid.uuid4().hex[:8]
    rep, xor = names.container('idx rep'), names.container('idx xor')
    rep_obj, xor_obj = 'r\u00e9p \u2603', 'x\u00f6r \u2603'
    rep_body, xor_body = os.urandom(70000), os.urandom(150001)
    rep_policy = settings.policies.get('replicated2')
    xor_policy = settings.policies.get('xor')
    if rep_policy is None or xor_policy is None:
        pytest.skip('needs the replicated2 and xor policies')
    old_container(landlords, account, rep, 'replicated2')
    old_container(landlords, account, xor, 'xor')
    old_replicated(landlords, placement(settings, rep_policy, account, rep,
                                        rep_obj),
                   account, rep, rep_obj, rep_body)
    old_split(landlords, placement(settings, xor_policy, account, xor,
                                   xor_obj),
              xor_policy, ocx.split_root_secret, account, xor, xor_obj,
              xor_body)

    status, out, err = run_index(env, account)
    assert status == 0, out + err
    assert 'containers created: 2' in out
    assert 'objects indexed: 2' in out

    conn = admin_conn(env, account)
    for container, policy, obj, body, color in (
            (rep, 'replicated2', rep_obj, rep_body, 'blue'),
            (xor, 'xor', xor_obj, xor_body, 'red')):
        headers = conn.head_container(container)
        assert headers['x-storage-policy'] == policy
        assert headers.get("x-container-read") == ACL, (headers, out)
        assert headers['x-container-meta-temp-url-key'] == 'sekrit'
        assert headers['x-container-meta-colour'] == 'green'
        _h, listing = conn.get_container(container)
        assert [(e['name'], e['bytes'], e['hash'], e['content_type'])
                for e in listing] == [
            (obj, len(body), hashlib.md5(body).hexdigest(), 'text/plain')]
        headers, got = conn.get_object(container, obj)
        assert got == body
        assert headers['etag'] == hashlib.md5(body).hexdigest()
        assert headers['x-object-meta-color'] == color
        for client in landlords.values():
            held = backend.head(client, backend.container_path(
                account, container))
            assert held is not None
            kept = [k for k in held if k.startswith(
                ('x-container-meta-', 'x-container-read'))]
            assert kept == [], client.name

    status, out, err = run_index(env, account)
    assert status == 0, out + err
    assert 'objects already indexed: 2' in out
    assert 'containers already in the metadata tier: 2' in out
