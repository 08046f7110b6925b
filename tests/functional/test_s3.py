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

import uuid

import pytest
from botocore.exceptions import ClientError


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
