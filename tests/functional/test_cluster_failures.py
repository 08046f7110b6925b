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

"""A landlord's cluster stopped or paused with ``ocx-aio stop-cluster`` /
``pause-cluster`` in the middle of a client workload, then brought back.

Every test leaves every cluster running and resumed, whatever happens.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

import pytest
import swiftclient

from tests.functional import names


@pytest.fixture(scope='module')
def aio_dir(ocx_env):
    if 'OCX_PROXY_CONF' not in ocx_env:
        pytest.skip('no exchange in this set')
    return ocx_env['OCX_DIR']


def aio(aio_dir, *args):
    """Run ``ocx-aio`` on the set; (exit code, stdout, stderr)."""
    out = subprocess.run(
        [sys.executable, '-m', 'ocx_swift.aio.cli'] + list(args) +
        ['--dir', aio_dir], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, timeout=120)
    return out.returncode, out.stdout, out.stderr


#: when a cluster last came back (the exchange error-limits it a while)
LAST_BACK = [0.0]


@pytest.fixture(scope='module', autouse=True)
def clusters_served_again(ocx_env, swift_conn):
    """After this module, wait until the exchange no longer skips the
    clusters it saw fail (``error_suppression_interval``), so the tests
    that follow find every cluster serving."""
    yield
    try:
        swift_conn.delete_container('served-probe')
    except swiftclient.ClientException:
        pass
    if not LAST_BACK[0] or 'OCX_PROXY_CONF' not in ocx_env:
        return
    from ocx_swift.mover.settings import read_filter_section
    conf = read_filter_section(ocx_env['OCX_PROXY_CONF'])
    interval = float(conf.get('error_suppression_interval', 60))
    time.sleep(max(0.0, LAST_BACK[0] + interval + 2 - time.monotonic()))


@pytest.fixture(autouse=True)
def every_cluster_served(ocx_env, swift_conn, cluster_conns):
    """Before each test, wait (bounded) until the exchange writes to every
    cluster again: after a cluster came back, the exchange may skip it a
    while (error limiting) and put new objects on handoffs."""
    if 'OCX_PROXY_CONF' not in ocx_env:
        return
    from swift.common.swob import str_to_wsgi
    from ocx_swift.mover import settings as settings_mod
    settings = settings_mod.load(proxy_config=ocx_env['OCX_PROXY_CONF'])
    policy = settings.policies.get('standard')
    container = 'served-probe'
    swift_conn.put_container(container)  # authenticates, too
    account = account_of(swift_conn)
    deadline = time.monotonic() + 90
    for cluster in sorted(cluster_conns):
        name = next('probe %d' % i for i in range(10000) if policy.choose(
            settings.ring.get_candidates(*[str_to_wsgi(n) for n in (
                account, container, 'probe %d' % i)]))[0]['name'] == cluster)
        while True:
            try:
                swift_conn.put_object(container, name, b'probe')
                cluster_conns[cluster].head_object(container, name)
                break
            except swiftclient.ClientException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(2)
        swift_conn.delete_object(container, name)


class Down(object):
    """A context in which one cluster is stopped (or paused)."""

    def __init__(self, aio_dir, name, paused=False):
        self.aio_dir, self.name, self.paused = aio_dir, name, paused

    def __enter__(self):
        verb = 'pause-cluster' if self.paused else 'stop-cluster'
        code, _out, err = aio(self.aio_dir, verb, self.name)
        assert code == 0, err
        return self

    def __exit__(self, *exc_info):
        verb = 'resume-cluster' if self.paused else 'start-cluster'
        code, _out, err = aio(self.aio_dir, verb, self.name)
        LAST_BACK[0] = time.monotonic()
        assert code == 0, err


def test_cluster_verbs_and_status(aio_dir, swift_conn):
    container = names.container('verbs')
    swift_conn.put_container(container)
    try:
        with Down(aio_dir, 'c2'):
            code, out, err = aio(aio_dir, 'status')
            assert code == 0 and 'c2 stopped' in err
            assert 'OCX_AUTH_URL=' in out  # the KEY=value lines still
            code, _out, err = aio(aio_dir, 'stop-cluster', 'c2')
            assert code == 2 and 'not running' in err
        code, out, err = aio(aio_dir, 'status')
        assert code == 0 and 'stopped' not in err
        with Down(aio_dir, 'c3', paused=True):
            code, out, err = aio(aio_dir, 'status')
            assert code == 0 and 'c3 paused' in err
        code, _out, err = aio(aio_dir, 'start-cluster', 'c1')
        assert code == 2 and 'was not stopped' in err
        code, _out, err = aio(aio_dir, 'stop-cluster', 'c9')
        assert code == 2 and 'no cluster' in err
        # everything answers again: objects on every cluster are served
        for i in range(12):
            swift_conn.put_object(container, 'o%d' % i, b'x%d' % i)
        for i in range(12):
            assert swift_conn.get_object(container, 'o%d' % i)[1] == \
                b'x%d' % i
    finally:
        names.empty_and_delete(swift_conn, container)


def test_reads_and_listings_while_a_cluster_is_stopped(aio_dir, swift_conn):
    """With one cluster stopped, the listing (metadata tier) stays complete;
    objects elsewhere read; objects on it answer 503 naming it, never a
    wrong byte; all are back after it starts."""
    container = names.container('stopped')
    swift_conn.put_container(container)
    bodies = {'o %d' % i: os.urandom(64 + i) for i in range(15)}
    try:
        for name, body in bodies.items():
            swift_conn.put_object(container, name, body)
        with Down(aio_dir, 'c2'):
            _h, listing = swift_conn.get_container(container)
            assert sorted(e['name'] for e in listing) == sorted(bodies)
            unavailable = 0
            for name, body in bodies.items():
                try:
                    assert swift_conn.get_object(container, name)[1] == body
                except swiftclient.ClientException as err:
                    assert err.http_status == 503
                    assert 'c2' in err.http_response_content.decode()
                    unavailable += 1
            assert 0 < unavailable < len(bodies)
        deadline = time.monotonic() + 90
        for name, body in bodies.items():
            while True:  # an error-limited cluster is skipped a while
                try:
                    got = swift_conn.get_object(container, name)[1]
                    break
                except swiftclient.ClientException as err:
                    if err.http_status != 503 or time.monotonic() > deadline:
                        raise
                    time.sleep(1)
            assert got == body
    finally:
        names.empty_and_delete(swift_conn, container)


def parallel(func, items, threads=4):
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(func, items))


def connection(ocx_env):
    return swiftclient.Connection(
        ocx_env['OCX_AUTH_URL'], ocx_env['OCX_USER'], ocx_env['OCX_KEY'],
        retries=0)


N_OBJECTS = 300


def test_replicated2_with_a_cluster_stopped(aio_dir, ocx_env, swift_conn,
                                            cluster_conns):
    """Stop c2 under a replicated2 container: every GET byte-exact, new
    PUTs and DELETEs succeed (handoffs), the listing stays complete and
    exact; after c2 returns, everything still reads."""
    container = names.container('r2-down')
    swift_conn.put_container(container,
                             headers={'X-Storage-Policy': 'replicated2'})
    bodies = {'old %04d' % i: os.urandom(100 + i % 50)
              for i in range(N_OBJECTS)}
    conns = {}

    def conn():
        import threading
        key = threading.get_ident()
        if key not in conns:
            conns[key] = connection(ocx_env)
        return conns[key]

    def put(item):
        conn().put_object(container, item[0], item[1])

    def check(item):
        assert conn().get_object(container, item[0])[1] == item[1], item[0]

    try:
        parallel(put, bodies.items())
        with Down(aio_dir, 'c2'):
            parallel(check, bodies.items())
            new = {'new %04d' % i: os.urandom(80) for i in range(60)}
            parallel(put, new.items())
            gone = sorted(bodies)[:30]
            parallel(lambda n: conn().delete_object(container, n), gone)
            for name in gone:
                del bodies[name]
            bodies.update(new)
            _h, listing = swift_conn.get_container(container,
                                                   full_listing=True)
            assert {e['name']: e['bytes'] for e in listing} == {
                n: len(b) for n, b in bodies.items()}
            parallel(check, bodies.items())
        parallel(check, bodies.items())
        for name in gone:
            with pytest.raises(swiftclient.ClientException) as err:
                swift_conn.get_object(container, name)
            assert err.value.http_status == 404
        # repair: every object on its placement with 2 copies, the
        # deleted ones gone from every landlord
        report = repair(ocx_env, swift_conn, '--container', container)
        assert report['outcomes'].get('lost', 0) == 0, report
        held = holders(ocx_env, cluster_conns, container)
        placement = placements(ocx_env, swift_conn, container, bodies)
        for name in bodies:
            assert held.get(name, set()) == placement[name], name
        assert not set(gone) & set(held)
        again = repair(ocx_env, swift_conn, '--container', container)
        assert again['outcomes'].get('repaired', 0) == 0, again
        parallel(check, bodies.items())
        print('replicated2, c2 stopped: %d read, %d written, %d deleted; '
              'repair: %s, copies made %s, deleted %s'
              % (len(bodies), len(new), len(gone), report['outcomes'],
                 report['copies'], report['deletes']))
    finally:
        names.empty_and_delete(swift_conn, container)


def account_of(swift_conn):
    return urllib.parse.unquote(
        urllib.parse.urlsplit(swift_conn.url).path.split('/')[2])


def repair(ocx_env, swift_conn, *extra):
    """Run ocx-repair on the account; its JSON report."""
    with tempfile.NamedTemporaryFile(suffix='.json') as out:
        run = subprocess.run(
            [sys.executable, '-m', 'ocx_swift.repair.cli',
             '--proxy-config', ocx_env['OCX_PROXY_CONF'],
             '--account', account_of(swift_conn), '--grace', '0',
             '--no-progress', '--report-json', out.name] + list(extra),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            timeout=600)
        print(run.stdout)
        assert run.returncode == 0, (run.stdout, run.stderr)
        return json.load(open(out.name))


def holders(ocx_env, cluster_conns, container):
    """name -> set of the clusters holding a copy (landlords' own
    credentials)."""
    held = {}
    for cluster, conn in cluster_conns.items():
        try:
            _h, listing = conn.get_container(container, full_listing=True)
        except swiftclient.ClientException as err:
            assert err.http_status == 404
            continue
        for entry in listing:
            held.setdefault(entry['name'], set()).add(cluster)
    return held


def placements(ocx_env, swift_conn, container, bodies):
    from swift.common.swob import str_to_wsgi
    from ocx_swift.mover import settings as settings_mod
    settings = settings_mod.load(proxy_config=ocx_env['OCX_PROXY_CONF'])
    policy = settings.policies.get('replicated2')
    account = account_of(swift_conn)
    return {name: {c['name'] for c in policy.choose(
        settings.ring.get_candidates(*[str_to_wsgi(n) for n in (
            account, container, name)]))} for name in bodies}


def test_audit_finds_what_a_landlord_changed(ocx_env, swift_conn,
                                             cluster_conns):
    """A landlord deletes one copy and flips a byte of another, with its
    own credentials (the state tag, which does not cover bytes, still
    verifies): ``ocx-repair --audit 1`` reports both against that
    landlord's clusters and remakes them; reads stay exact."""
    container = names.container('audit')
    swift_conn.put_container(container,
                             headers={'X-Storage-Policy': 'replicated2'})
    bodies = {'a %d' % i: os.urandom(200) for i in range(8)}
    try:
        for name, body in bodies.items():
            swift_conn.put_object(container, name, body)
        held = holders(ocx_env, cluster_conns, container)
        deleted_on = sorted(held['a 0'])[0]
        cluster_conns[deleted_on].delete_object(container, 'a 0')
        flipped_on = sorted(held['a 1'])[-1]
        lconn = cluster_conns[flipped_on]
        headers, data = lconn.get_object(container, 'a 1')
        kept = {k: v for k, v in headers.items()
                if k.startswith('x-object-meta-')}
        lconn.put_object(container, 'a 1', bytes([data[0] ^ 1]) + data[1:],
                         headers=kept, content_type=headers['content-type'])
        for name, body in bodies.items():
            assert swift_conn.get_object(container, name)[1] == body
        report = repair(ocx_env, swift_conn, '--audit', '1',
                        '--container', container)
        audit = report['audit']
        assert audit[deleted_on]['missing'] >= 1, audit
        assert audit[flipped_on]['corrupt'] == 1, audit
        assert all(c.get('checked', 0) > 0 for c in audit.values())
        held = holders(ocx_env, cluster_conns, container)
        for name, body in bodies.items():
            assert len(held[name]) == 2
            for cluster in held[name]:
                assert cluster_conns[cluster].get_object(
                    container, name)[1] == body, (name, cluster)
        again = repair(ocx_env, swift_conn, '--audit', '1',
                       '--container', container)
        assert not any(c.get('corrupt') or c.get('missing')
                       for c in again['audit'].values()), again['audit']
        print('audit: %s' % audit)
    finally:
        names.empty_and_delete(swift_conn, container)


def test_repair_rebuilds_shares_a_landlord_deleted(ocx_env, swift_conn,
                                                   cluster_conns):
    """Landlord c1 deletes every aont share it holds of a container, with
    its own credentials: reads go on from the other two; ``ocx-repair``
    rebuilds each share from the other two, back on c1 (the only
    landlord holding none); every object then reads with any one
    landlord's shares alone missing."""
    container = names.container('rebuild')
    swift_conn.put_container(container, headers={'X-Storage-Policy': 'aont'})
    bodies = {'s %d' % i: os.urandom(1000 + 997 * i) for i in range(5)}
    try:
        for name, body in bodies.items():
            swift_conn.put_object(container, name, body)
        victim = cluster_conns['c1']
        _h, listing = victim.get_container(container)
        assert len(listing) == len(bodies)  # one share of each object
        for entry in listing:
            victim.delete_object(container, entry['name'])
        for name, body in bodies.items():
            assert swift_conn.get_object(container, name)[1] == body
        report = repair(ocx_env, swift_conn, '--container', container)
        assert report['outcomes'] == {'repaired': len(bodies)}, report
        for cluster, conn in cluster_conns.items():
            _h, listing = conn.get_container(container)
            assert len(listing) == len(bodies), cluster
        again = repair(ocx_env, swift_conn, '--container', container)
        assert again['outcomes'] == {'ok': len(bodies)}, again
        # the rebuilt shares serve: c2's shares alone gone, reads exact
        _h, listing = cluster_conns['c2'].get_container(container)
        for entry in listing:
            cluster_conns['c2'].delete_object(container, entry['name'])
        for name, body in bodies.items():
            assert swift_conn.get_object(container, name)[1] == body
        print('aont: rebuilt %d shares on c1: %s' % (
            len(bodies), report['copies']))
    finally:
        names.empty_and_delete(swift_conn, container)


def test_s3_errors_name_the_cluster(aio_dir, s3_client):
    """Through S3, a read that only a stopped cluster could answer is
    s3api's ServiceUnavailable whose message names the cluster and the
    cause (not "Please reduce your request rate.")."""
    import botocore.exceptions
    bucket = 'reasons-%s' % os.urandom(4).hex()
    s3_client.create_bucket(Bucket=bucket)
    keys = ['k%d' % i for i in range(12)]
    try:
        for key in keys:
            s3_client.put_object(Bucket=bucket, Key=key, Body=key.encode())
        failed = []
        with Down(aio_dir, 'c2'):
            for key in keys:
                try:
                    got = s3_client.get_object(Bucket=bucket, Key=key)
                    assert got['Body'].read() == key.encode()
                except botocore.exceptions.ClientError as err:
                    error = err.response['Error']
                    assert error['Code'] == 'ServiceUnavailable', error
                    assert "cluster 'c2' unavailable" in error['Message']
                    assert 'reduce your request rate' not in \
                        error['Message']
                    failed.append(key)
        assert 0 < len(failed) < len(keys)
    finally:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                for key in keys:
                    s3_client.delete_object(Bucket=bucket, Key=key)
                s3_client.delete_bucket(Bucket=bucket)
                break
            except botocore.exceptions.ClientError:
                time.sleep(2)  # c2 error-limited a while
