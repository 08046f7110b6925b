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

"""S3 CreateBucket LocationConstraint picks an exchange policy."""

import hashlib

import pytest
from lxml import etree
from swift.common import storage_policy
from swift.common.storage_policy import StoragePolicy, \
    StoragePolicyCollection
from swift.common.swob import HTTPNoContent, Request, Response

from ocx_swift import s3location

POLICIES = u'''
[policy:standard]
kind = replicated
default = yes

[policy:r\u00e9sidence]
kind = pinned
landlords = l1
'''


def body_for(location):
    return (u'<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/'
            u'doc/2006-03-01/"><LocationConstraint>%s</LocationConstraint>'
            u'</CreateBucketConfiguration>' % location).encode('utf-8')


class Recorder(object):
    def __init__(self):
        self.env = None
        self.body = None

    def __call__(self, env, start_response):
        self.env = env
        self.body = env['wsgi.input'].read()
        return Response(status=200)(env, start_response)


@pytest.fixture
def mw(tmp_path):
    path = tmp_path / 'p.conf'
    path.write_text(POLICIES, encoding='utf-8')
    app = Recorder()
    factory = s3location.filter_factory(
        {}, policy_conf_path=str(path), location_map='eu-west-9:standard')
    return factory(app), app


def put(mw, path, body, headers=None):
    req = Request.blank(path, environ={'REQUEST_METHOD': 'PUT'}, body=body,
                        headers=headers or {})
    return req.get_response(mw)


def test_policy_location_becomes_storage_policy(mw):
    filt, app = mw
    body = body_for(u'R\u00c9SIDENCE')
    resp = put(filt, '/bucket', body, {
        'X-Amz-Content-Sha256': hashlib.sha256(body).hexdigest()})
    assert resp.status_int == 200
    assert app.env['HTTP_X_STORAGE_POLICY'] == u'r\u00e9sidence'
    # the bucket keeps the location as the client wrote it
    assert app.env['HTTP_X_CONTAINER_SYSMETA_OCX_S3_LOCATION'] == \
        u'R\u00c9SIDENCE'.encode('utf-8').decode('latin-1')
    assert 'CONTENT_LENGTH' not in app.env
    assert app.body == b''


def test_mapped_location(mw):
    filt, app = mw
    put(filt, '/bucket', body_for('eu-west-9'))
    assert app.env['HTTP_X_STORAGE_POLICY'] == 'standard'


def test_other_locations_and_requests_pass_untouched(mw):
    filt, app = mw
    body = body_for('us-east-1')
    put(filt, '/bucket', body)
    assert 'HTTP_X_STORAGE_POLICY' not in app.env
    assert app.body == body
    put(filt, '/bucket/key', body_for('standard'))
    assert 'HTTP_X_STORAGE_POLICY' not in app.env
    put(filt, '/v1/AUTH_test', body_for('standard'))
    assert 'HTTP_X_STORAGE_POLICY' not in app.env
    put(filt, '/bucket', b'not xml at all')
    assert app.body == b'not xml at all'


def test_body_not_matching_its_signed_hash_is_refused(mw):
    filt, app = mw
    app.env = None
    resp = put(filt, '/bucket', body_for('standard'), {
        'X-Amz-Content-Sha256': hashlib.sha256(b'other').hexdigest()})
    assert resp.status_int == 400
    assert b'XAmzContentSHA256Mismatch' in resp.body
    assert app.env is None


def test_map_naming_unknown_policy_is_refused(tmp_path):
    path = tmp_path / 'p.conf'
    path.write_text(POLICIES, encoding='utf-8')
    with pytest.raises(ValueError) as caught:
        s3location.filter_factory({}, policy_conf_path=str(path),
                                  location_map='x:gold')
    assert "location_map entry 'x:gold' does not name a policy" in \
        str(caught.value)


def test_unknown_location_names_the_valid_ones(mw):
    filt, app = mw
    app.env = None
    resp = put(filt, '/bucket', body_for(u'n\u00f6where'))
    assert resp.status_int == 400
    root = etree.fromstring(resp.body)
    assert root.findtext('Code') == 'InvalidLocationConstraint'
    assert root.findtext('Message') == (
        u'The specified location constraint is not valid. Valid '
        u'locations: eu-west-9, r\u00e9sidence, standard, us-east-1.')
    assert app.env is None


def test_a_client_cannot_set_the_location_sysmeta(mw):
    filt, app = mw
    put(filt, '/bucket', body_for('us-east-1'),
        {'X-Container-Sysmeta-Ocx-S3-Location': 'forged'})
    assert 'HTTP_X_CONTAINER_SYSMETA_OCX_S3_LOCATION' not in app.env


class FakeS3api(object):
    """Answers GetBucketLocation as s3api does (its own region, here
    none), and the container HEAD get_container_info sends."""

    def __init__(self, container_headers):
        self.container_headers = container_headers

    def __call__(self, env, start_response):
        if env['PATH_INFO'].startswith('/v1/'):
            return HTTPNoContent(headers=self.container_headers)(
                env, start_response)
        env['s3api.backend_path'] = '/v1/AUTH_test' + env['PATH_INFO']
        body = (b'<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint '
                b'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>')
        return Response(status=200, body=body,
                        content_type='application/xml')(env, start_response)


@pytest.fixture
def two_policies(monkeypatch):
    monkeypatch.setattr(storage_policy, '_POLICIES', StoragePolicyCollection(
        [StoragePolicy(0, 'standard', is_default=True),
         StoragePolicy(1, 'gold')]))


@pytest.mark.parametrize('headers, expected', [
    ({'X-Container-Sysmeta-Ocx-S3-Location': 'eu-west-9',
      'X-Backend-Storage-Policy-Index': '0'}, 'eu-west-9'),
    ({'X-Backend-Storage-Policy-Index': '1'}, 'gold'),
    ({'X-Backend-Storage-Policy-Index': '0'}, None)])
def test_get_bucket_location(mw, two_policies, headers, expected):
    filt, _app = mw
    filt.app = FakeS3api(headers)
    req = Request.blank(u'/b\u00fccket?location'.encode('utf-8').decode(
        'latin-1'))
    resp = req.get_response(filt)
    assert resp.status_int == 200
    root = etree.fromstring(resp.body)
    assert etree.QName(root).localname == 'LocationConstraint'
    assert root.text == expected
