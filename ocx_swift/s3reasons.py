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

"""S3 errors that say why a landlord failed.

s3api turns every 503 of the exchange into ``ServiceUnavailable`` with
the message "Please reduce your request rate.", dropping the plain-text
body that names the clusters and the cause. :func:`call_naming_reasons`
(used by the ``ocx_s3location`` filter, left of s3api) hands the request
a list in its environ (``ocx.unavailable``), which s3api's subrequests
share (they copy the environ shallowly); ``ocx`` appends each 503's
reason to it (:func:`note_reason`), and a ``ServiceUnavailable`` error
document then carries the reasons as its ``Message`` (with
``Retry-After``).
"""

from xml.sax.saxutils import escape

from swift.common.wsgi import WSGIContext

#: the environ key of the list of reasons
REASONS_KEY = 'ocx.unavailable'
S3_MESSAGE = b'<Message>Please reduce your request rate.</Message>'
#: what a reason may add to an error document, at most
MAX_REASONS = 2048
RETRY_AFTER = '5'


def note_reason(environ, text):
    """Remember why the exchange answers 503 (for the S3 error)."""
    reasons = environ.get(REASONS_KEY)
    if isinstance(reasons, list):
        reasons.append(text)


def call_naming_reasons(app, env, start_response):
    """Call ``app``; a 503 S3 error document names the reasons noted."""
    reasons = env.setdefault(REASONS_KEY, [])
    context = WSGIContext(app)
    body = context._app_call(env)
    status = context._response_status or ''
    if not (status.startswith('503') and reasons):
        start_response(status, context._response_headers,
                       context._response_exc_info)
        return body
    try:
        data = b''.join(body)
    finally:
        close = getattr(body, 'close', None)
        if close:
            close()
    if S3_MESSAGE in data:
        message = ' '.join(r.strip() for r in reasons)[:MAX_REASONS]
        data = data.replace(S3_MESSAGE, b'<Message>%s</Message>' % escape(
            message).encode('utf-8'))
    headers = [(k, v) for k, v in context._response_headers
               if k.lower() not in ('content-length', 'retry-after')]
    headers += [('Content-Length', str(len(data))),
                ('Retry-After', RETRY_AFTER)]
    start_response(status, headers, context._response_exc_info)
    return [data]
