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

"""TLS end to end: an ``ocx-aio start --tls`` set of its own.

Every landlord proxy and the exchange serve https with certificates of the
set's CA (``OCX_CA_FILE``); the exchange verifies landlords against it.
swiftclient and boto3, trusting that CA, write, read, list and delete
through the exchange in a replicated and a split container; the
landlords' and the exchange's ports refuse plain HTTP; the mover reaches
landlords over TLS too. Last, landlord c1 (the ``pinned`` policy's only
landlord) is restarted with a certificate of another CA: a client then
gets a 503 naming the certificate failure, and the exchange logs it.
"""

import http.client
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

import boto3
import botocore.config
import pytest
import swiftclient

from ocx_swift.aio import certs, control, procs
from ocx_swift.aio.cluster import Cluster
from ocx_swift.aio.layout import Layout
from ocx_swift.config import load_cluster_config
from tests.functional import names

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
START_TIMEOUT = 120.0
BODY = 'caf\u00e9 \u2615 over TLS\n'.encode('utf-8') * 1000


def say(text):
    print('[test_tls] %s' % text, file=sys.stderr)


@pytest.fixture(scope='module')
def env():
    """A fresh ``--tls`` set (3 clusters, 3 landlords), wiped at the end."""
    root = tempfile.mkdtemp(prefix='ocx-func-tls-')
    try:
        try:
            pairs = control.start(root, timeout=START_TIMEOUT, say=say,
                                  tls=True)
        except control.AioError as err:
            pytest.fail('ocx-aio start --tls failed: %s' % err,
                        pytrace=False)
        yield dict(pairs)
    finally:
        control.wipe(root)


@pytest.fixture(scope='module')
def conn(env):
    return swiftclient.Connection(env['OCX_AUTH_URL'], env['OCX_USER'],
                                  env['OCX_KEY'], auth_version='1',
                                  retries=0, cacert=env['OCX_CA_FILE'])


@pytest.fixture(scope='module')
def s3(env):
    return boto3.client(
        's3', endpoint_url=env['OCX_S3_ENDPOINT'],
        aws_access_key_id=env['OCX_S3_ACCESS_KEY'],
        aws_secret_access_key=env['OCX_S3_SECRET_KEY'],
        region_name='us-east-1', verify=env['OCX_CA_FILE'],
        config=botocore.config.Config(signature_version='s3v4',
                                      s3={'addressing_style': 'path'},
                                      retries={'max_attempts': 1}))


def host_port(url):
    parts = urllib.parse.urlsplit(url)
    return parts.hostname, parts.port


def landlord_urls(env):
    return {key[len('CLUSTER_'):-len('_AUTH_URL')]: url
            for key, url in env.items()
            if key.startswith('CLUSTER_') and key.endswith('_AUTH_URL')}


def test_every_url_is_https_and_the_ca_is_printed(env):
    assert os.path.isfile(env['OCX_CA_FILE'])
    assert env['OCX_AUTH_URL'].startswith('https://127.0.0.1:')
    assert env['OCX_S3_ENDPOINT'].startswith('https://127.0.0.1:')
    urls = landlord_urls(env)
    assert sorted(urls) == ['c1', 'c2', 'c3']
    assert all(u.startswith('https://') for u in urls.values())
    clusters = load_cluster_config(env['OCX_CLUSTER_CONF'])
    for cluster in clusters:
        assert cluster.auth_url.startswith('https://')
        assert cluster.tls.ca_file == env['OCX_CA_FILE']
        assert cluster.tls.insecure is False


@pytest.mark.parametrize('policy', ['standard', 'xor'])
def test_swiftclient_through_the_exchange(env, conn, policy):
    container = names.container('tls-%s' % policy)
    conn.put_container(container, headers={'X-Storage-Policy': policy})
    try:
        objs = ['\u00e9t\u00e9/%d \u2603' % i for i in range(3)]
        for name in objs:
            conn.put_object(container, name, BODY)
        headers, listing = conn.get_container(container)
        assert headers['x-storage-policy'] == policy
        assert [o['name'] for o in listing] == sorted(objs)
        assert all(o['bytes'] == len(BODY) for o in listing)
        _h, body = conn.get_object(container, objs[1])
        assert body == BODY
        conn.delete_object(container, objs[1])
        with pytest.raises(swiftclient.ClientException) as caught:
            conn.get_object(container, objs[1])
        assert caught.value.http_status == 404
    finally:
        names.empty_and_delete(conn, container)


@pytest.mark.parametrize('policy', ['standard', 'xor'])
def test_boto3_through_the_exchange(env, s3, policy):
    bucket = 'tls-%s-%d' % (policy, int(time.time() * 1000))
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={
        'LocationConstraint': policy})
    key = 'dossier \u00e9/\u2615.bin'
    s3.put_object(Bucket=bucket, Key=key, Body=BODY)
    assert s3.get_object(Bucket=bucket, Key=key)['Body'].read() == BODY
    listed = s3.list_objects_v2(Bucket=bucket)['Contents']
    assert [(o['Key'], o['Size']) for o in listed] == [(key, len(BODY))]
    s3.delete_object(Bucket=bucket, Key=key)
    assert s3.list_objects_v2(Bucket=bucket)['KeyCount'] == 0
    s3.delete_bucket(Bucket=bucket)


def test_split_shares_sit_on_landlords_reached_over_tls(env, conn):
    container = names.container('tls-shares')
    conn.put_container(container, headers={'X-Storage-Policy': 'xor'})
    try:
        conn.put_object(container, 'o', BODY)
        holders = []
        for name, url in landlord_urls(env).items():
            landlord = swiftclient.Connection(
                url, env['CLUSTER_%s_USER' % name],
                env['CLUSTER_%s_KEY' % name], auth_version='1', retries=0,
                cacert=env['OCX_CA_FILE'])
            try:
                _h, listing = landlord.get_container(container)
            except swiftclient.ClientException:
                continue
            if listing:
                holders.append(name)
                assert BODY not in landlord.get_object(container,
                                                       listing[0]['name'])[1]
        assert len(holders) == 2  # xor: 2 shares on 2 landlords
    finally:
        names.empty_and_delete(conn, container)


def plain_http_get(host, port):
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request('GET', '/healthcheck')
        return conn.getresponse().status
    finally:
        conn.close()


def tls_get(host, port, ca_file):
    conn = http.client.HTTPSConnection(
        host, port, timeout=5,
        context=ssl.create_default_context(cafile=ca_file))
    try:
        conn.request('GET', '/healthcheck')
        return conn.getresponse().status
    finally:
        conn.close()


def test_proxies_speak_tls_only(env):
    endpoints = [host_port(u) for u in landlord_urls(env).values()]
    endpoints.append(host_port(env['OCX_AUTH_URL']))
    for host, port in endpoints:
        assert tls_get(host, port, env['OCX_CA_FILE']) == 200
        with pytest.raises((OSError, http.client.HTTPException)):
            plain_http_get(host, port)


def test_mover_reaches_landlords_over_tls(env, tmp_path):
    cmd = [sys.executable, '-m', 'ocx_swift.mover.cli', '--proxy-config',
           env['OCX_PROXY_CONF'], '--account', 'AUTH_test', '--state-dir',
           str(tmp_path), '--containers-only', '--no-progress']
    out = subprocess.run(cmd, env=dict(os.environ, PYTHONPATH=REPO),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=120)
    assert out.returncode == 0, out.stderr.decode('utf-8')[-2000:]


def restart_with_foreign_certificate(root, cluster_name):
    """Give a landlord's proxy a certificate of another CA and restart
    it; return once it accepts connections again."""
    lay = Layout.load(root)
    cluster = [c for c in lay.clusters if c.name == cluster_name][0]
    foreign = certs.Issuer.new('another landlord CA')
    certs.save_pair(lay.tls_dir, cluster_name,
                    *foreign.issue(cluster_name))
    service = [s for s in Cluster(lay, cluster).services()
               if s.name == '%s-proxy' % cluster_name][0]
    assert procs.stop(root, names=[service.name]) == [service.name]
    procs.spawn(root, service.name, service.argv)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPSConnection(
                '127.0.0.1', cluster.ports['proxy'], timeout=2,
                context=context)
            conn.request('GET', '/healthcheck')
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError('%s did not come back' % service.name)


def test_landlord_with_foreign_certificate_gives_a_clear_503(env, conn):
    """Runs last: it breaks landlord c1 for the rest of the module."""
    container = names.container('tls-pinned')
    conn.put_container(container, headers={'X-Storage-Policy': 'pinned'})
    conn.put_object(container, 'before', b'x')
    restart_with_foreign_certificate(env['OCX_DIR'], 'c1')
    with pytest.raises(swiftclient.ClientException) as caught:
        conn.put_object(container, 'after', b'y')
    err = caught.value
    assert err.http_status == 503
    body = err.http_response_content.decode('utf-8')
    assert "cluster 'c1' unavailable: connection failed (TLS certificate " \
        "verify failed: " in body
    with pytest.raises(swiftclient.ClientException) as caught:
        conn.get_object(container, 'before')
    assert caught.value.http_status == 503
    log = procs.tail(procs.log_path(env['OCX_DIR'], 'exchange-proxy'), 400)
    lines = [line for line in log.splitlines()
             if 'cluster c1: connection failed (TLS certificate verify '
                'failed: ' in line]
    assert lines, log[-3000:]
    keys = [c.key for c in load_cluster_config(env['OCX_CLUSTER_CONF'])]
    assert not any(k in body or k in log for k in keys)
