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

"""S3's ServiceUnavailable carries the reasons ocx noted."""

import pytest
from swift.common.swob import Request

from ocx_swift import s3reasons

S3_503 = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>'
          b'ServiceUnavailable</Code>' + s3reasons.S3_MESSAGE +
          b'<RequestId>tx1</RequestId></Error>')


class App(object):
    """Like s3api over ocx: a subrequest with a copied environ notes a
    reason, then the error document is answered."""

    def __init__(self, status, body, reason=None):
        self.status, self.body, self.reason = status, body, reason

    def __call__(self, env, start_response):
        if self.reason:
            s3reasons.note_reason(dict(env), self.reason)
        start_response(self.status, [
            ('Content-Type', 'application/xml'),
            ('Content-Length', str(len(self.body)))])
        return [self.body]


def call(app):
    req = Request.blank('/bucket/key')
    return req.get_response(
        lambda env, sr: s3reasons.call_naming_reasons(app, env, sr))


def test_the_message_names_the_reason():
    resp = call(App('503 Service Unavailable', S3_503,
                    "cluster 'c2' unavailable: timed out <&>\n"))
    assert resp.status_int == 503
    assert b"<Message>cluster 'c2' unavailable: timed out &lt;&amp;&gt;" \
        b"</Message>" in resp.body
    assert b'reduce your request rate' not in resp.body
    assert resp.headers['Content-Length'] == str(len(resp.body))
    assert resp.headers['Retry-After'] == '5'


@pytest.mark.parametrize('status, body, reason', [
    ('503 Service Unavailable', S3_503, None),
    ('200 OK', b'<ok/>', 'noted but not failed'),
    ('503 Service Unavailable', b'<Error><Code>SlowDown</Code></Error>',
     'a Swift-side reason')])
def test_other_answers_pass_unchanged(status, body, reason):
    resp = call(App(status, body, reason))
    assert resp.status == status and resp.body == body
