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

"""S3 through the exchange with boto3 (SigV4, path-style)."""

import os
import uuid

import pytest
from botocore.exceptions import ClientError
from swift.common.swob import str_to_wsgi

from ocx_swift.ring.ring import ClusterRing


@pytest.fixture
def bucket(s3_client):
    name = 'ocx-s3-%s' % uuid.uuid4().hex[:12]
    s3_client.create_bucket(Bucket=name)
    yield name
    for page in s3_client.get_paginator('list_objects_v2').paginate(
            Bucket=name):
        for obj in page.get('Contents', []):
            s3_client.delete_object(Bucket=name, Key=obj['Key'])
    s3_client.delete_bucket(Bucket=name)


def test_bucket_object_round_trip(s3_client, bucket):
    names = ['\u00e9t\u00e9/photo 1.jpg', 'docs/read me', 'top', 'docs/a/b']
    for i, key in enumerate(names):
        s3_client.put_object(Bucket=bucket, Key=key, Body=b'x' * (i + 1),
                             Metadata={'idx': str(i)})
    got = s3_client.get_object(Bucket=bucket, Key=names[0])
    assert got['Body'].read() == b'x'
    assert got['Metadata'] == {'idx': '0'}
    listing = s3_client.list_objects_v2(Bucket=bucket)
    assert [o['Key'] for o in listing['Contents']] == sorted(names)
    listing = s3_client.list_objects_v2(Bucket=bucket, Prefix='docs/',
                                        Delimiter='/')
    assert [o['Key'] for o in listing['Contents']] == ['docs/read me']
    assert listing['CommonPrefixes'] == [{'Prefix': 'docs/a/'}]
    listing = s3_client.list_objects(Bucket=bucket, MaxKeys=2)
    assert listing['IsTruncated'] and len(listing['Contents']) == 2
    page2 = s3_client.list_objects_v2(Bucket=bucket, MaxKeys=2)
    rest = s3_client.list_objects_v2(
        Bucket=bucket, ContinuationToken=page2['NextContinuationToken'])
    assert [o['Key'] for o in page2['Contents'] + rest['Contents']] == \
        sorted(names)
    ranged = s3_client.get_object(Bucket=bucket, Key='docs/a/b',
                                  Range='bytes=1-2')
    assert ranged['Body'].read() == b'xx'
    s3_client.delete_object(Bucket=bucket, Key='top')
    with pytest.raises(ClientError) as caught:
        s3_client.head_object(Bucket=bucket, Key='top')
    assert caught.value.response['Error']['Code'] == '404'


def test_bucket_listing_and_errors(s3_client, bucket):
    assert bucket in [b['Name'] for b in s3_client.list_buckets()['Buckets']]
    s3_client.head_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as caught:
        s3_client.get_object(Bucket=bucket, Key='missing \u00e9')
    assert caught.value.response['Error']['Code'] == 'NoSuchKey'
    with pytest.raises(ClientError) as caught:
        s3_client.list_objects_v2(Bucket='no-such-bucket-%s'
                                  % uuid.uuid4().hex[:8])
    assert caught.value.response['Error']['Code'] == 'NoSuchBucket'
    s3_client.put_object(Bucket=bucket, Key='k', Body=b'v')
    with pytest.raises(ClientError) as caught:
        s3_client.delete_bucket(Bucket=bucket)
    assert caught.value.response['Error']['Code'] == 'BucketNotEmpty'


def test_copy_object(s3_client, bucket):
    s3_client.put_object(Bucket=bucket, Key='src \u00e9', Body=b'payload')
    s3_client.copy_object(Bucket=bucket, Key='dst/\u00fc',
                          CopySource={'Bucket': bucket, 'Key': 'src \u00e9'})
    got = s3_client.get_object(Bucket=bucket, Key='dst/\u00fc')
    assert got['Body'].read() == b'payload'


def test_multipart_upload_parts_spread(s3_client, bucket, cluster_conns,
                                       swift_conn, ocx_env):
    part = 5 * 1024 * 1024
    data = os.urandom(3 * part + 1234)
    upload = s3_client.create_multipart_upload(Bucket=bucket,
                                               Key='mpu \u00e9')
    parts = []
    for i in range(4):
        chunk = data[i * part:(i + 1) * part]
        got = s3_client.upload_part(Bucket=bucket, Key='mpu \u00e9',
                                    PartNumber=i + 1, Body=chunk,
                                    UploadId=upload['UploadId'])
        parts.append({'PartNumber': i + 1, 'ETag': got['ETag']})
    listed = s3_client.list_parts(Bucket=bucket, Key='mpu \u00e9',
                                  UploadId=upload['UploadId'])
    assert [p['PartNumber'] for p in listed['Parts']] == [1, 2, 3, 4]
    s3_client.complete_multipart_upload(
        Bucket=bucket, Key='mpu \u00e9', UploadId=upload['UploadId'],
        MultipartUpload={'Parts': parts})
    head = s3_client.head_object(Bucket=bucket, Key='mpu \u00e9')
    assert head['ContentLength'] == len(data)
    assert head['ETag'].strip('"').endswith('-4')
    body = s3_client.get_object(Bucket=bucket, Key='mpu \u00e9')['Body']
    assert body.read() == data
    ranged = s3_client.get_object(Bucket=bucket, Key='mpu \u00e9',
                                  Range='bytes=%d-%d' % (part - 5, part + 5))
    assert ranged['Body'].read() == data[part - 5:part + 6]
    # conditions match the multipart ETag (kept in sysmeta), as awscli's
    # ranged downloads check with If-Match
    ranged = s3_client.get_object(Bucket=bucket, Key='mpu \u00e9',
                                  Range='bytes=0-9', IfMatch=head['ETag'])
    assert ranged['Body'].read() == data[:10]
    with pytest.raises(ClientError) as caught:
        s3_client.get_object(Bucket=bucket, Key='mpu \u00e9',
                             IfMatch='"%s"' % ('0' * 32))
    assert caught.value.response['Error']['Code'] == 'PreconditionFailed'
    with pytest.raises(ClientError) as caught:
        s3_client.get_object(Bucket=bucket, Key='mpu \u00e9',
                             IfNoneMatch=head['ETag'])
    assert caught.value.response['Error']['Code'] == '304'
    listing = s3_client.list_objects_v2(Bucket=bucket)['Contents']
    assert [(o['Key'], o['Size'], o['ETag']) for o in listing] == [
        ('mpu \u00e9', len(data), head['ETag'])]
    # the parts are objects of their own, each placed by the ring (one
    # copy: the first cluster of its walk)
    segments = bucket + '+segments'
    account = swift_conn.get_auth()[0].rsplit('/', 1)[1]
    ring = ClusterRing(ocx_env['OCX_RING'])
    expected = {}
    for entry in swift_conn.get_container(segments)[1]:
        _part, clusters = ring.get_clusters(
            str_to_wsgi(account), str_to_wsgi(segments),
            str_to_wsgi(entry['name']))
        expected.setdefault(clusters[0]['name'], set()).add(entry['name'])
    assert sum(len(v) for v in expected.values()) == 4
    for cluster, conn in cluster_conns.items():
        stored = {e['name'] for e in conn.get_container(segments)[1]}
        assert stored == expected.get(cluster, set()), cluster


def test_abort_multipart_upload(s3_client, bucket):
    upload = s3_client.create_multipart_upload(Bucket=bucket, Key='gone')
    s3_client.upload_part(Bucket=bucket, Key='gone', PartNumber=1,
                          Body=b'x' * 100, UploadId=upload['UploadId'])
    s3_client.abort_multipart_upload(Bucket=bucket, Key='gone',
                                     UploadId=upload['UploadId'])
    assert s3_client.list_multipart_uploads(Bucket=bucket).get(
        'Uploads', []) == []
    assert 'Contents' not in s3_client.list_objects_v2(Bucket=bucket)
