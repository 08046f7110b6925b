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

"""Policies on real landlords: replicated, pinned, split xor and aont-rs.

``ocx-aio`` sets up one example policy of each kind (``POLICY_<name>``
lines). Split objects are checked from the landlords' side too, with
each cluster's own credentials: what a landlord stores must look random
and must not hold the tenant's bytes or (with hidden names) names.
"""

import collections
import hashlib
import math
import os
import signal
import subprocess
import time
import zlib
from urllib.parse import quote

import botocore.exceptions
import pytest
import swiftclient
from requests.exceptions import ChunkedEncodingError
from urllib3.exceptions import ProtocolError
from swift.common.swob import str_to_wsgi
from swiftclient import ClientException

from ocx_swift.aio import procs
from ocx_swift.policy import OcxPolicy
from ocx_swift.ring.ring import ClusterRing
from tests.functional import names

MIB = 1024 * 1024
SEGMENT = MIB  # the example policies' segment size


def md5(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def text_bytes(size, seed='ocx'):
    """Very compressible, recognisable bytes: the worst case for leaks."""
    line = ('%s: the quick brown fox jumps over the lazy dog %s\n'
            % (seed, '\u00e9\u65e5')).encode('utf-8')
    return (line * (size // len(line) + 1))[:size]


def entropy(data):
    counts = collections.Counter(data)
    return -sum(c / len(data) * math.log2(c / len(data))
                for c in counts.values())


@pytest.fixture(scope='module')
def policies(ocx_env):
    return {k[len('POLICY_'):]: v for k, v in ocx_env.items()
            if k.startswith('POLICY_')}


@pytest.fixture
def container(swift_conn, request):
    made = []

    def make(policy, prefix='pol'):
        name = names.container('%s-%s' % (prefix, policy))
        swift_conn.put_container(name, headers={'X-Storage-Policy': policy})
        made.append(name)
        return name
    yield make
    for name in made:
        names.empty_and_delete(swift_conn, name)


def stored(cluster_conns, container):
    """cluster -> {stored name: listing entry} as the landlords see it."""
    out = {}
    for cluster, conn in cluster_conns.items():
        try:
            _h, listing = conn.get_container(container, full_listing=True)
        except ClientException as err:
            if err.http_status != 404:
                raise
            listing = []
        out[cluster] = {e['name']: e for e in listing}
    return out


# -- the policy map ----------------------------------------------------


def test_aio_lists_one_policy_of_each_kind(policies, swift_conn):
    assert policies == {'standard': 'replicated', 'replicated2': 'replicated',
                        'pinned': 'pinned', 'xor': 'split', 'aont': 'split'}
    info = swift_conn.get_capabilities()
    ocx = info['ocx']
    assert ocx['default_policy'] == 'standard'
    assert ocx['policies']['aont'] == {
        'kind': 'split', 'width': 3, 'read_quorum': 2, 'write_quorum': 3,
        'scheme': 'aont-rs',
        'n': 3, 'k': 2, 'segment_size': SEGMENT, 'hide_names': True}
    assert ocx['policies']['xor']['read_quorum'] == 2
    # Swift's own policy list matches, so clients can discover them
    assert sorted(p['name'] for p in info['swift']['policies']) == \
        sorted(policies)
    assert 'secret' not in repr(info).lower()


def test_container_policy_is_fixed_and_shown(swift_conn, container):
    name = container('replicated2')
    assert swift_conn.head_container(name)['x-storage-policy'] == \
        'replicated2'
    with pytest.raises(ClientException) as caught:
        swift_conn.put_container(name, headers={'X-Storage-Policy': 'aont'})
    assert caught.value.http_status == 409
    assert swift_conn.head_container(name)['x-storage-policy'] == \
        'replicated2'
    plain = names.container('default')
    swift_conn.put_container(plain)
    try:
        assert swift_conn.head_container(plain)['x-storage-policy'] == \
            'standard'
    finally:
        swift_conn.delete_container(plain)


def test_unknown_policy_is_400_and_nothing_is_created(
        swift_conn, cluster_conns):
    name = names.container('bad')
    with pytest.raises(ClientException) as caught:
        swift_conn.put_container(name, headers={'X-Storage-Policy': 'gold'})
    assert caught.value.http_status == 400
    assert b"Invalid X-Storage-Policy 'gold'" in \
        caught.value.http_response_content
    for conn in cluster_conns.values():
        with pytest.raises(ClientException) as caught:
            conn.head_container(name)
        assert caught.value.http_status == 404


# -- replicated and pinned -----------------------------------------------


def test_replicated2_keeps_two_copies_on_two_landlords(
        ocx_env, swift_conn, cluster_conns, container):
    name = container('replicated2')
    bodies = {'obj %d \u00e9' % i: os.urandom(100 + i) for i in range(12)}
    for obj, body in bodies.items():
        swift_conn.put_object(name, obj, body)
    held = stored(cluster_conns, name)
    for obj, body in bodies.items():
        holders = [c for c, objs in held.items() if obj in objs]
        landlords = {ocx_env['CLUSTER_%s_LANDLORD' % c] for c in holders}
        assert len(holders) == 2 and len(landlords) == 2, obj
        for cluster in holders:
            assert held[cluster][obj]['hash'] == md5(body)
    head = swift_conn.head_container(name)
    assert head['x-container-object-count'] == str(len(bodies))
    _h, listing = swift_conn.get_container(name)
    assert [e['name'] for e in listing] == sorted(bodies)


def test_pinned_container_stays_with_one_landlord(
        ocx_env, swift_conn, cluster_conns, container):
    name = container('pinned')
    for i in range(10):
        swift_conn.put_object(name, 'p%d' % i, b'x' * i)
    held = stored(cluster_conns, name)
    landlords = {ocx_env['CLUSTER_%s_LANDLORD' % c]
                 for c, objs in held.items() if objs}
    assert landlords == {'landlord1'}
    assert sum(len(objs) for objs in held.values()) == 10


# -- split ---------------------------------------------------------------

SIZES = [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 12345]


@pytest.mark.parametrize('policy', ['xor', 'aont'])
def test_split_objects_round_trip(policy, swift_conn, cluster_conns,
                                  container):
    name = container(policy)
    bodies = {'size %d \u2615' % size: text_bytes(size, policy)
              for size in SIZES}
    for obj, body in bodies.items():
        etag = swift_conn.put_object(name, obj, body,
                                     content_type='text/x-ocx')
        assert etag == md5(body)
    for obj, body in bodies.items():
        headers, got = swift_conn.get_object(name, obj)
        assert got == body, obj
        assert headers['etag'] == md5(body)
        assert headers['content-length'] == str(len(body))
        assert headers['content-type'] == 'text/x-ocx'
        head = swift_conn.head_object(name, obj)
        assert head['content-length'] == str(len(body))
    _h, listing = swift_conn.get_container(name)
    assert [(e['name'], e['bytes'], e['hash'], e['content_type'])
            for e in listing] == sorted(
        (obj, len(body), md5(body), 'text/x-ocx')
        for obj, body in bodies.items())
    assert swift_conn.head_container(name)['x-container-object-count'] == \
        str(len(bodies))
    # every landlord holding a share holds one per object
    held = stored(cluster_conns, name)
    width = 2 if policy == 'xor' else 3
    assert sum(len(objs) for objs in held.values()) == width * len(bodies)


def test_ranges_at_segment_edges(swift_conn, container):
    for policy in ('xor', 'aont'):
        name = container(policy)
        body = os.urandom(3 * SEGMENT + 100)
        swift_conn.put_object(name, 'ranged', body)
        for first, last in [(0, 0), (SEGMENT - 1, SEGMENT),
                            (SEGMENT, 2 * SEGMENT - 1),
                            (SEGMENT - 10, 2 * SEGMENT + 10),
                            (3 * SEGMENT, 3 * SEGMENT + 99),
                            (len(body) - 1, len(body) - 1)]:
            headers, got = swift_conn.get_object(
                name, 'ranged', headers={'Range': 'bytes=%d-%d'
                                         % (first, last)})
            assert got == body[first:last + 1], (policy, first, last)
            assert headers['content-range'] == 'bytes %d-%d/%d' % (
                first, last, len(body))
        _h, got = swift_conn.get_object(name, 'ranged',
                                        headers={'Range': 'bytes=-5'})
        assert got == body[-5:]
        headers, got = swift_conn.get_object(
            name, 'ranged', headers={'Range': 'bytes=0-1,%d-%d' % (
                SEGMENT, SEGMENT + 1)})
        assert headers['content-type'].startswith('multipart/byteranges')
        assert body[:2] in got and body[SEGMENT:SEGMENT + 2] in got
        with pytest.raises(ClientException) as caught:
            swift_conn.get_object(name, 'ranged', headers={
                'Range': 'bytes=%d-' % (len(body) + 5)})
        assert caught.value.http_status == 416


def test_split_large_object_streams(swift_conn, container):
    """100 MiB through each split scheme, read back whole and in part."""
    for policy in ('xor', 'aont'):
        name = container(policy)
        body = text_bytes(100 * MIB + 7, policy)
        swift_conn.put_object(name, 'big', body)
        _h, got = swift_conn.get_object(name, 'big')
        assert md5(got) == md5(body)
        _h, got = swift_conn.get_object(
            name, 'big', headers={'Range': 'bytes=%d-%d' % (
                77 * SEGMENT - 3, 77 * SEGMENT + 2)})
        assert got == body[77 * SEGMENT - 3:77 * SEGMENT + 3]
        del got


def test_landlords_see_only_random_looking_shares(
        swift_conn, cluster_conns, container):
    body = text_bytes(2 * SEGMENT + 999, 'secret-plan')
    for policy, hidden in (('xor', False), ('aont', True)):
        name = container(policy)
        obj = 'plan \u00e9 %s' % policy
        swift_conn.put_object(name, obj, body)
        held = stored(cluster_conns, name)
        shares = [(c, n) for c, objs in held.items() for n in objs]
        assert len(shares) == (2 if policy == 'xor' else 3)
        for cluster, stored_name in shares:
            assert (stored_name == obj) is not hidden
            headers, share = cluster_conns[cluster].get_object(
                name, stored_name)
            assert obj not in repr(headers)
            assert len(share) >= len(body) // 2
            for i in range(0, len(body) - 16, 4099):
                assert body[i:i + 16] not in share
            assert entropy(share) > 7.9
            assert len(zlib.compress(share, 9)) >= len(share)


def test_tampered_shares_never_give_wrong_bytes(
        swift_conn, cluster_conns, container):
    body = os.urandom(2 * SEGMENT + 5)
    for policy in ('aont', 'xor'):
        name = container(policy)
        swift_conn.put_object(name, 'victim', body)
        held = stored(cluster_conns, name)
        cluster, stored_name = next((c, n) for c, objs in sorted(
            held.items()) for n in objs)
        conn = cluster_conns[cluster]
        headers, share = conn.get_object(name, stored_name)
        keep = {k: v for k, v in headers.items()
                if k.startswith('x-object-meta-')}
        flipped = bytearray(share)
        flipped[len(share) // 2] ^= 0x01
        conn.put_object(name, stored_name, bytes(flipped),
                        content_type=headers['content-type'], headers=keep)
        reader = swiftclient.Connection(
            swift_conn.authurl, swift_conn.user, swift_conn.key, retries=0)
        if policy == 'aont':
            # a spare share takes over: the exact bytes
            _h, got = reader.get_object(name, 'victim')
            assert got == body
        else:
            # the bad segment is past the first: the answer has started,
            # so it is cut short there (never different bytes)
            with pytest.raises((ProtocolError, ChunkedEncodingError)):
                reader.get_object(name, 'victim')
            # the first segment is intact: a range there still reads
            _h, got = reader.get_object(name, 'victim',
                                        headers={'Range': 'bytes=0-9'})
            assert got == body[:10]
        # a truncated share is refused before any byte is sent
        conn.put_object(name, stored_name, share[:-1],
                        content_type=headers['content-type'], headers=keep)
        if policy == 'aont':
            _h, got = reader.get_object(name, 'victim')
            assert got == body
        else:
            with pytest.raises(ClientException) as caught:
                reader.get_object(name, 'victim')
            assert caught.value.http_status == 503
            assert b'split object' in caught.value.http_response_content


def test_split_post_keeps_the_object_readable(swift_conn, container):
    name = container('aont')
    body = os.urandom(SEGMENT + 3)
    swift_conn.put_object(name, 'meta', body, content_type='a/b')
    swift_conn.post_object(name, 'meta', headers={
        'X-Object-Meta-Colour': 'bl\u00fc', 'Content-Type': 'c/d'})
    headers, got = swift_conn.get_object(name, 'meta')
    assert got == body
    assert headers['x-object-meta-colour'] == 'bl\u00fc'
    assert headers['content-type'] == 'c/d'
    _h, listing = swift_conn.get_container(name)
    assert [(e['bytes'], e['hash'], e['content_type'])
            for e in listing] == [(len(body), md5(body), 'c/d')]
    swift_conn.delete_object(name, 'meta')
    with pytest.raises(ClientException) as caught:
        swift_conn.head_object(name, 'meta')
    assert caught.value.http_status == 404


def test_symlink_and_dlo_in_split_containers(swift_conn, container):
    name = container('aont')
    swift_conn.put_object(name, 'target \u00e9', b'target bytes')
    swift_conn.put_object(name, 'link', b'', headers={
        'X-Symlink-Target': quote('%s/target \u00e9' % name)})
    _h, got = swift_conn.get_object(name, 'link')
    assert got == b'target bytes'
    headers, _b = swift_conn.get_object(name, 'link',
                                        query_string='symlink=get')
    assert headers['content-length'] == '0'
    xor = container('xor')
    parts = [os.urandom(SEGMENT + i) for i in range(3)]
    for i, part in enumerate(parts):
        swift_conn.put_object(xor, 'segs/%d' % i, part)
    swift_conn.put_object(xor, 'dlo', b'', headers={
        'X-Object-Manifest': quote('%s/segs/' % xor)})
    _h, got = swift_conn.get_object(xor, 'dlo')
    assert got == b''.join(parts)


def test_hidden_names_list_sorted_and_paged(swift_conn, cluster_conns,
                                            container):
    name = container('aont')
    objs = sorted(['d/%02d \u00e9' % i for i in range(15)] +
                  ['a', 'b/c', 'z\U0001f600'])
    for obj in objs:
        swift_conn.put_object(name, obj, obj.encode('utf-8'))
    _h, listing = swift_conn.get_container(name)
    assert [e['name'] for e in listing] == objs
    _h, page = swift_conn.get_container(name, limit=4, marker='b/c')
    assert [e['name'] for e in page] == objs[2:6]
    _h, page = swift_conn.get_container(name, delimiter='/')
    assert [e.get('name', e.get('subdir')) for e in page] == \
        ['a', 'b/', 'd/', 'z\U0001f600']
    _h, page = swift_conn.get_container(name, prefix='d/', limit=3,
                                        query_string='reverse=on')
    assert [e['name'] for e in page] == objs[-2:-5:-1]
    for conn in cluster_conns.values():
        _h, raw = conn.get_container(name)
        assert not set(e['name'] for e in raw) & set(objs)


def test_one_landlord_down(ocx_env, swift_conn, cluster_conns, container):
    aont, xor = container('aont'), container('xor')
    body = os.urandom(SEGMENT + 17)
    swift_conn.put_object(aont, 'o', body)
    swift_conn.put_object(xor, 'o', body)
    held = stored(cluster_conns, xor)
    victim = next(c for c, objs in sorted(held.items()) if 'o' in objs)
    account = swift_conn.get_auth()[0].rsplit('/', 1)[1]
    ring = ClusterRing(ocx_env['OCX_RING'])
    xor_policy = OcxPolicy('xor', 'split', scheme='xor', n=2, k=2)
    new = next('new %d' % i for i in range(1000) if victim in [
        c['name'] for c in xor_policy.choose(ring.get_candidates(
            str_to_wsgi(account), str_to_wsgi(xor),
            str_to_wsgi('new %d' % i)))])
    conn = swiftclient.Connection(ocx_env['OCX_AUTH_URL'],
                                  ocx_env['OCX_USER'], ocx_env['OCX_KEY'],
                                  retries=0)
    pid = procs.alive(ocx_env['OCX_DIR'])['%s-proxy' % victim]
    os.kill(pid, signal.SIGSTOP)
    try:
        _h, got = conn.get_object(aont, 'o')
        assert got == body
        with pytest.raises(ClientException) as caught:
            conn.get_object(xor, 'o')
        assert caught.value.http_status == 503
        assert ("cluster '%s'" % victim).encode() in \
            caught.value.http_response_content
        # the share placed on the paused landlord goes to a handoff of
        # the third landlord once node_timeout passes
        conn.put_object(xor, new, b'stored beside it')
        held = stored({c: conn for c, conn in cluster_conns.items()
                       if c != victim}, xor)
        assert sum(new in objs for objs in held.values()) == 2
    finally:
        os.kill(pid, signal.SIGCONT)
    # a landlord that had the whole request queued may store its share
    # when it wakes: the exchange watches it and takes that share back
    for _ in range(90):
        held = stored(cluster_conns, xor)
        if new not in held.get(victim, ()):
            break
        time.sleep(1)
    assert new not in held.get(victim, ())
    assert conn.get_object(xor, new)[1] == b'stored beside it'
    _h, got = conn.get_object(xor, 'o')
    assert got == body


# -- clients -------------------------------------------------------------


@pytest.mark.parametrize('policy', ['standard', 'replicated2', 'pinned',
                                    'xor', 'aont'])
def test_swift_cli_on_every_policy(policy, ocx_env, tmp_path, swift_conn,
                                   container):
    name = container(policy, prefix='cli')
    src = tmp_path / 'src'
    src.mkdir()
    files = {'one.txt': text_bytes(5000), 'two \u00e9.bin': os.urandom(
        3 * SEGMENT + 1)}
    for fname, data in files.items():
        (src / fname).write_bytes(data)
    auth = ['-A', ocx_env['OCX_AUTH_URL'], '-U', ocx_env['OCX_USER'],
            '-K', ocx_env['OCX_KEY']]

    def swift(*args, cwd=None):
        return subprocess.run(['swift'] + auth + list(args), cwd=cwd,
                              check=True, capture_output=True,
                              text=True, timeout=300).stdout
    swift('upload', name, '.', cwd=str(src))
    swift('upload', '--use-slo', '-S', str(SEGMENT + 1000), name,
          'two \u00e9.bin', '--object-name', 'slo.bin', cwd=str(src))
    listed = swift('list', name).split('\n')
    assert sorted(filter(None, listed)) == sorted(
        ['one.txt', 'slo.bin', 'two \u00e9.bin'])
    dst = tmp_path / 'dst'
    dst.mkdir()
    swift('download', name, '-D', str(dst))
    for fname, data in files.items():
        assert (dst / fname).read_bytes() == data
    assert (dst / 'slo.bin').read_bytes() == files['two \u00e9.bin']
    stat = swift('stat', name, 'slo.bin')
    assert 'Manifest:' in stat or 'Content Length: %d' % (
        3 * SEGMENT + 1) in stat
    seg = name + '_segments'
    assert swift_conn.head_container(seg)['x-storage-policy'] == policy
    names.empty_and_delete(swift_conn, seg)


@pytest.mark.parametrize('policy', ['replicated2', 'pinned', 'xor',
                                    'aont'])
def test_boto3_bucket_location_picks_the_policy(policy, s3_client,
                                                swift_conn):
    bucket = 'ocx-%s-%s' % (policy, os.urandom(4).hex())
    s3_client.create_bucket(
        Bucket=bucket,
        CreateBucketConfiguration={'LocationConstraint': policy})
    try:
        assert swift_conn.head_container(bucket)['x-storage-policy'] == \
            policy
        body = text_bytes(SEGMENT * 2 + 10)
        s3_client.put_object(Bucket=bucket, Key='k \u00e9', Body=body)
        got = s3_client.get_object(Bucket=bucket, Key='k \u00e9')
        assert got['Body'].read() == body
        assert got['ETag'] == '"%s"' % md5(body)
        ranged = s3_client.get_object(Bucket=bucket, Key='k \u00e9',
                                      Range='bytes=%d-%d' % (
                                          SEGMENT - 1, SEGMENT))
        assert ranged['Body'].read() == body[SEGMENT - 1:SEGMENT + 1]
        listed = s3_client.list_objects_v2(Bucket=bucket)['Contents']
        assert [(o['Key'], o['Size']) for o in listed] == \
            [('k \u00e9', len(body))]
        # multipart: the parts land in the +segments bucket, split too
        parts = [os.urandom(5 * MIB), os.urandom(MIB + 1)]
        upload = s3_client.create_multipart_upload(Bucket=bucket, Key='mpu')
        done = []
        for number, part in enumerate(parts, 1):
            resp = s3_client.upload_part(
                Bucket=bucket, Key='mpu', UploadId=upload['UploadId'],
                PartNumber=number, Body=part)
            done.append({'PartNumber': number, 'ETag': resp['ETag']})
        s3_client.complete_multipart_upload(
            Bucket=bucket, Key='mpu', UploadId=upload['UploadId'],
            MultipartUpload={'Parts': done})
        got = s3_client.get_object(Bucket=bucket, Key='mpu')['Body'].read()
        assert got == b''.join(parts)
        assert swift_conn.head_container(bucket + '+segments')[
            'x-storage-policy'] == policy
        s3_client.copy_object(Bucket=bucket, Key='copy',
                              CopySource={'Bucket': bucket,
                                          'Key': 'k \u00e9'})
        assert s3_client.get_object(Bucket=bucket, Key='copy')[
            'Body'].read() == body
    finally:
        for key in ('k \u00e9', 'mpu', 'copy'):
            s3_client.delete_object(Bucket=bucket, Key=key)
        s3_client.delete_bucket(Bucket=bucket)


def test_boto3_unknown_location_is_refused(s3_client, swift_conn):
    bucket = 'ocx-bad-%s' % os.urandom(4).hex()
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        s3_client.create_bucket(
            Bucket=bucket,
            CreateBucketConfiguration={'LocationConstraint': 'mars-1'})
    assert caught.value.response['Error']['Code'] == \
        'InvalidLocationConstraint'
    with pytest.raises(ClientException) as caught:
        swift_conn.head_container(bucket)
    assert caught.value.http_status == 404
