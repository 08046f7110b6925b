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

"""S3 bucket locations through the exchange with boto3: a bucket answers
the location it was created with, and creating it again is an S3 error
at once (botocore retries 503s, never 409s)."""

import os

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def retrying_s3(ocx_env):
    """boto3 as users run it: botocore's standard retries (a 503 would be
    tried again, and be slow)."""
    if 'OCX_S3_ENDPOINT' not in ocx_env:
        pytest.skip('no exchange in this set')
    return boto3.client(
        's3', endpoint_url=ocx_env['OCX_S3_ENDPOINT'],
        aws_access_key_id=ocx_env['OCX_S3_ACCESS_KEY'],
        aws_secret_access_key=ocx_env['OCX_S3_SECRET_KEY'],
        region_name='us-east-1',
        config=botocore.config.Config(signature_version='s3v4',
                                      s3={'addressing_style': 'path'},
                                      retries={'mode': 'standard'}))


@pytest.fixture
def bucket_name(retrying_s3):
    name = 'ocx-loc-%s' % os.urandom(4).hex()
    yield name
    try:
        retrying_s3.delete_bucket(Bucket=name)
    except ClientError:
        pass


def create(s3, bucket, location=None):
    if location is None:
        return s3.create_bucket(Bucket=bucket)
    return s3.create_bucket(
        Bucket=bucket,
        CreateBucketConfiguration={'LocationConstraint': location})


def test_bucket_answers_its_location(retrying_s3, bucket_name):
    create(retrying_s3, bucket_name, 'aont')
    assert retrying_s3.get_bucket_location(Bucket=bucket_name)[
        'LocationConstraint'] == 'aont'


def test_bucket_without_location_answers_s3apis_region(retrying_s3,
                                                       bucket_name):
    create(retrying_s3, bucket_name)
    # us-east-1: no LocationConstraint, as S3 answers
    assert retrying_s3.get_bucket_location(Bucket=bucket_name)[
        'LocationConstraint'] is None


def test_swift_policy_is_the_location(retrying_s3, swift_conn,
                                      bucket_name):
    swift_conn.put_container(bucket_name,
                             headers={'X-Storage-Policy': 'replicated2'})
    assert retrying_s3.get_bucket_location(Bucket=bucket_name)[
        'LocationConstraint'] == 'replicated2'


@pytest.mark.parametrize('again', ['xor', 'aont', None])
def test_create_again_is_owned_by_you_at_once(retrying_s3, swift_conn,
                                              bucket_name, again):
    create(retrying_s3, bucket_name, 'aont')
    with pytest.raises(ClientError) as caught:
        create(retrying_s3, bucket_name, again)
    resp = caught.value.response
    assert resp['Error']['Code'] == 'BucketAlreadyOwnedByYou'
    assert resp['ResponseMetadata']['HTTPStatusCode'] == 409
    assert resp['ResponseMetadata']['RetryAttempts'] == 0
    # the bucket keeps its policy and location
    assert swift_conn.head_container(bucket_name)['x-storage-policy'] == \
        'aont'
    assert retrying_s3.get_bucket_location(Bucket=bucket_name)[
        'LocationConstraint'] == 'aont'


def test_another_accounts_bucket_of_that_name(retrying_s3, swift_conn2,
                                              bucket_name):
    # s3api's buckets are per account (no global namespace): another
    # account's bucket of the same name is no conflict
    create(retrying_s3, bucket_name, 'xor')
    swift_conn2.put_container(bucket_name,
                              headers={'X-Storage-Policy': 'aont'})
    try:
        assert retrying_s3.get_bucket_location(Bucket=bucket_name)[
            'LocationConstraint'] == 'xor'
    finally:
        swift_conn2.delete_container(bucket_name)


def test_invalid_location_names_the_valid_ones(retrying_s3, bucket_name):
    with pytest.raises(ClientError) as caught:
        create(retrying_s3, bucket_name, 'mars-1')
    error = caught.value.response['Error']
    assert error['Code'] == 'InvalidLocationConstraint'
    assert 'Valid locations: aont, pinned, replicated2, standard, ' \
        'us-east-1, xor.' in error['Message']
