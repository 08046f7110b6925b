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

"""Fixtures for functional tests against real Swift clusters.

``ocx_env`` describes one ``ocx-aio`` set as a dict of its ``KEY=value``
lines. If ``$OCX_TEST_ENV_FILE`` names a file of such lines (for example the
output of ``ocx-aio status``), the tests run against that external set;
otherwise a fresh set (3 clusters, 3 landlords, the OCX proxy) is started
in a temporary directory once per session, with the same code as
``ocx-aio start``, and removed at the end even when tests fail.
``$OCX_TEST_NO_EXCHANGE=1`` starts the landlord clusters only: fixtures
needing the exchange then skip.

``$OCX_TEST_TLS=1`` starts the set with ``--tls``: every landlord proxy
and the exchange serve https with certificates of the set's own CA
(``OCX_CA_FILE``). Whenever the set has an ``OCX_CA_FILE`` (also an
external one), the swiftclient and boto3 fixtures trust it, and so do
clients a test makes itself: ``SSL_CERT_FILE``, ``REQUESTS_CA_BUNDLE``
and ``AWS_CA_BUNDLE`` name it for the session.
"""

import os
import re
import sys
import tempfile

import boto3
import botocore.config
import pytest
import swiftclient

from ocx_swift.aio import control, layout

START_TIMEOUT = 120.0
CLUSTER_URL = re.compile(r'^CLUSTER_(.+)_AUTH_URL$')
#: what the standard library, requests and botocore read for a CA bundle
CA_ENV_VARS = ('SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'AWS_CA_BUNDLE')


def _say(msg):
    print('ocx-aio: %s' % msg, file=sys.stderr)


def _flag(name):
    return os.environ.get(name, '') in ('1', 'yes', 'true')


@pytest.fixture(scope='session')
def ocx_env():
    """Dict of the ``KEY=value`` lines describing the set under test."""
    env_file = os.environ.get('OCX_TEST_ENV_FILE')
    if env_file:
        with open(env_file) as fp:
            env = layout.parse_env(fp.read())
        with trusting(env.get('OCX_CA_FILE')):
            yield env
        return
    root = tempfile.mkdtemp(prefix='ocx-func-')
    try:
        try:
            pairs = control.start(root, timeout=START_TIMEOUT,
                                  exchange=not _flag('OCX_TEST_NO_EXCHANGE'),
                                  say=_say, tls=_flag('OCX_TEST_TLS'))
        except control.AioError as err:
            pytest.fail('ocx-aio start failed: %s' % err, pytrace=False)
        env = dict(pairs)
        with trusting(env.get('OCX_CA_FILE')):
            yield env
    finally:
        control.wipe(root)


class trusting(object):
    """Make the set's CA (if any) the CA bundle of every client of this
    process, and restore the environment afterwards."""

    def __init__(self, ca_file):
        self.ca_file = ca_file
        self.saved = {}

    def __enter__(self):
        if self.ca_file:
            self.saved = {k: os.environ.get(k) for k in CA_ENV_VARS}
            os.environ.update({k: self.ca_file for k in CA_ENV_VARS})

    def __exit__(self, *exc_info):
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _need(env, key):
    if key not in env:
        pytest.skip('%s not set: no exchange in this set' % key)
    return env[key]


def _connection(auth_url, user, key, ca_file=None):
    return swiftclient.Connection(auth_url, user, key, auth_version='1',
                                  retries=1, cacert=ca_file)


@pytest.fixture(scope='session')
def swift_conn(ocx_env):
    """swiftclient connection to the exchange as OCX_USER."""
    return _connection(_need(ocx_env, 'OCX_AUTH_URL'),
                       ocx_env['OCX_USER'], ocx_env['OCX_KEY'],
                       ocx_env.get('OCX_CA_FILE'))


@pytest.fixture(scope='session')
def swift_conn2(ocx_env):
    """swiftclient connection to the exchange as OCX_USER2."""
    return _connection(_need(ocx_env, 'OCX_AUTH_URL'),
                       ocx_env['OCX_USER2'], ocx_env['OCX_KEY2'],
                       ocx_env.get('OCX_CA_FILE'))


@pytest.fixture(scope='session')
def cluster_conns(ocx_env):
    """Dict cluster name -> swiftclient connection to that landlord cluster
    as its CLUSTER_<name>_USER (the same tenant, seen from the backend)."""
    conns = {}
    for key, url in ocx_env.items():
        match = CLUSTER_URL.match(key)
        if match:
            name = match.group(1)
            conns[name] = _connection(
                url, ocx_env['CLUSTER_%s_USER' % name],
                ocx_env['CLUSTER_%s_KEY' % name], ocx_env.get('OCX_CA_FILE'))
    return conns


@pytest.fixture(scope='session')
def s3_client(ocx_env):
    """boto3 S3 client for the exchange: SigV4, path-style, us-east-1."""
    return boto3.client(
        's3', endpoint_url=_need(ocx_env, 'OCX_S3_ENDPOINT'),
        aws_access_key_id=ocx_env['OCX_S3_ACCESS_KEY'],
        aws_secret_access_key=ocx_env['OCX_S3_SECRET_KEY'],
        region_name='us-east-1', verify=ocx_env.get('OCX_CA_FILE'),
        config=botocore.config.Config(signature_version='s3v4',
                                      s3={'addressing_style': 'path'},
                                      retries={'max_attempts': 1}))
