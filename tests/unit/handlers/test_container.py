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

"""Container listings: the index's own hash parameter taken out."""

import json

import pytest
from swift.common.swob import Request, Response

from ocx_swift.handlers.container import MAX_LISTING_BYTES, filter_listing

MD5 = '0cc175b9c0f1b6a831c399e269772661'
NAME_N = 'sw\u00e9ft \U0001f600'


def listing_response(entries, content_type='application/json; '
                     'charset=utf-8'):
    body = json.dumps(entries).encode('ascii')
    return Response(request=Request.blank('/v1/a/c'), body=body,
                    content_type=content_type)


def filtered(entries, **kwargs):
    resp = listing_response(entries, **kwargs)
    filter_listing(resp)
    return resp


def test_strips_ocx_md5_only():
    resp = filtered([
        {'name': NAME_N, 'hash': '%s; ocx_md5=%s' % (MD5, MD5),
         'bytes': 1, 'content_type': 'text/plain'},
        {'name': 'slo', 'hash': '"abc"; s3_etag=e-2; ocx_md5=%s' % MD5,
         'bytes': 9, 'content_type': 'a/b'},
        {'name': 'plain', 'hash': MD5},
        {'subdir': 'd\u00e9/'}])
    assert json.loads(resp.body) == [
        {'name': NAME_N, 'hash': MD5, 'bytes': 1,
         'content_type': 'text/plain'},
        {'name': 'slo', 'hash': '"abc"; s3_etag=e-2', 'bytes': 9,
         'content_type': 'a/b'},
        {'name': 'plain', 'hash': MD5},
        {'subdir': 'd\u00e9/'}]
    assert resp.content_length == len(resp.body)


def test_unchanged_listing_keeps_its_bytes():
    entries = [{'name': NAME_N, 'hash': MD5}]
    resp = listing_response(entries)
    body = resp.body
    filter_listing(resp)
    assert resp.body is body


@pytest.mark.parametrize('content_type', ['text/plain; charset=utf-8',
                                          'application/xml'])
def test_other_formats_are_left_alone(content_type):
    hashed = '%s; ocx_md5=%s' % (MD5, MD5)
    resp = filtered([{'name': 'x', 'hash': hashed}],
                    content_type=content_type)
    assert hashed in resp.body.decode('ascii')


@pytest.mark.parametrize('body', [b'not json', b'{"name": "x"}', b''])
def test_unparsable_or_odd_json_is_left_alone(body):
    resp = Response(request=Request.blank('/v1/a/c'), body=body,
                    content_type='application/json')
    filter_listing(resp)
    assert resp.body == body


def test_huge_listings_are_not_parsed():
    entries = [{'name': 'x', 'hash': '%s; ocx_md5=%s' % (MD5, MD5),
                'pad': 'p' * MAX_LISTING_BYTES}]
    resp = filtered(entries)
    assert b'ocx_md5' in resp.body
