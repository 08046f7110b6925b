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

"""
==============================================
ocx_s3location: S3 bucket location -> policy
==============================================

S3 clients choose where a bucket lives with ``CreateBucket``'s
``CreateBucketConfiguration/LocationConstraint``; Swift clients with
``X-Storage-Policy``. ``s3api`` only accepts its own region there. This
filter, left of ``s3api``, turns a ``LocationConstraint`` that names one
of the exchange's policies (or a location mapped to one) into
``X-Storage-Policy`` on the request and takes the configuration body
away, so ``s3api`` creates the bucket and ``ocx`` gives it that policy::

    aws s3api create-bucket --bucket b \\
        --create-bucket-configuration LocationConstraint=aont

The location is kept with the bucket (container sysmeta
``X-Container-Sysmeta-Ocx-S3-Location``, never seen by a landlord) and
``GetBucketLocation`` answers it::

    aws s3api get-bucket-location --bucket b     # "LocationConstraint": "aont"

A bucket created without a location (or with ``s3api``'s own region) has
the default policy and gets ``s3api``'s answer (none for ``us-east-1``);
one created through Swift with another ``X-Storage-Policy`` answers that
policy's name.

``CreateBucket`` on a bucket that exists answers as ``s3api`` does for
its region: ``409 BucketAlreadyOwnedByYou`` (``BucketAlreadyExists``
when ``s3api`` finds another owner), whatever location the request
names; the bucket keeps its policy and location (``ocx`` answers the
metadata tier's policy conflict so, see
:mod:`ocx_swift.handlers.container`).

Errors: ``400 InvalidLocationConstraint`` for a location that is neither
a policy, a mapped location nor ``s3api``'s region (the message lists
the valid ones), ``400 XAmzContentSHA256Mismatch`` when the body does not
match the SigV4 payload hash the client signed (the body is read here,
before ``s3api`` could check it), ``400 MalformedXML`` (``s3api``'s) for
a body that is not XML.

Deployment: right before ``s3api``, with the same policy file as ``ocx``::

    [pipeline:main]
    pipeline = ... ratelimit ocx_s3location s3api tempauth ... ocx ...

    [filter:ocx_s3location]
    use = egg:ocx_swift#ocx_s3location
    # the policy map of [filter:ocx] (policy names are locations)
    # policy_conf_path =
    # more locations, as location:policy pairs
    # location_map = eu-central-1:pinned, secret-region:aont
"""

import hashlib
import hmac
from io import BytesIO

from lxml import etree
from swift.common.middleware.s3api import etree as s3_etree
from swift.common.middleware.s3api.s3api import S3ApiMiddleware
from swift.common.middleware.s3api.s3response import \
    InvalidLocationConstraint
from swift.common.storage_policy import POLICIES
from swift.common.swob import Request, Response, str_to_wsgi, wsgi_to_str
from swift.common.utils import get_logger, list_from_csv, split_path
from swift.proxy.controllers.base import get_container_info

from ocx_swift.exceptions import OcxConfigError
from ocx_swift.s3reasons import call_naming_reasons
from ocx_swift.policy import load_policy_config

#: s3api's limit on a CreateBucket body
MAX_BODY = 10240
UNSIGNED = ('UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER')
#: the location a bucket was created with, kept in the metadata tier
LOCATION_SYSMETA = 'X-Container-Sysmeta-Ocx-S3-Location'
#: s3api's own default region
S3API_DEFAULT_LOCATION = 'us-east-1'


def s3_error(code, message, status=400):
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code>'
            '<Message>%s</Message></Error>' % (code, message))
    return Response(status=status, body=body.encode('utf-8'),
                    content_type='application/xml')


def location_constraint(body):
    """The ``LocationConstraint`` of a CreateBucket body, or None.

    :raises ValueError: when the body is not XML
    """
    root = etree.fromstring(body, parser=etree.XMLParser(
        resolve_entities=False, no_network=True))
    for elem in root.iter():
        if isinstance(elem.tag, str) and \
                etree.QName(elem).localname == 'LocationConstraint':
            return (elem.text or '').strip() or None
    return None


class S3LocationMiddleware(object):
    """Maps CreateBucket locations to exchange policies, and answers
    GetBucketLocation with them.

    :param locations: dict lower-cased location -> policy name
    """

    def __init__(self, app, locations, logger):
        self.app = app
        self.locations = locations
        self.logger = logger
        self._s3api_location = None

    @property
    def s3api_location(self):
        """The region of the ``s3api`` right of this filter (its
        ``location`` option)."""
        if self._s3api_location is None:
            app, location = self.app, S3API_DEFAULT_LOCATION
            while app is not None:
                if isinstance(app, S3ApiMiddleware):
                    location = app.conf.location
                    break
                app = getattr(app, 'app', None)
            self._s3api_location = location
        return self._s3api_location

    def _is_create_bucket(self, req):
        if req.method != 'PUT' or req.query_string:
            return False
        if is_swift_path(req.path):
            return False
        parts = req.path.strip('/').split('/')
        return len(parts) == 1 and parts[0] != '' and \
            bool(req.content_length)

    def __call__(self, env, start_response):
        req = Request(env)
        if not is_swift_path(req.path):
            # only this filter writes it (gatekeeper strips a client's)
            req.headers.pop(LOCATION_SYSMETA, None)
            if req.method == 'GET' and 'location' in req.params:
                return self.get_location(req)(env, start_response)
        if not self._is_create_bucket(req) or req.content_length > MAX_BODY:
            return self.call(env, start_response)
        body = req.environ['wsgi.input'].read(req.content_length)
        req.environ['wsgi.input'] = BytesIO(body)
        try:
            location = location_constraint(body)
        except (ValueError, etree.XMLSyntaxError):
            return self.call(env, start_response)  # s3api: MalformedXML
        policy = self.locations.get((location or '').lower())
        if policy is None:
            if location is not None and location not in (
                    self.s3api_location, self.s3api_location.lower()):
                return self.invalid_location(location)(env, start_response)
            return self.call(env, start_response)
        expected = req.headers.get('X-Amz-Content-Sha256')
        if expected and expected not in UNSIGNED and not hmac.compare_digest(
                expected.lower(), hashlib.sha256(body).hexdigest()):
            return s3_error('XAmzContentSHA256Mismatch',
                            'The provided x-amz-content-sha256 header does '
                            'not match what was computed.')(
                                env, start_response)
        self.logger.info('bucket %s: location %r is policy %r', req.path,
                         location, policy)
        # no body at all (not an empty one, whose hash s3api would check
        # against the signed one): s3api then creates a plain bucket
        req.environ['wsgi.input'] = BytesIO(b'')
        del req.environ['CONTENT_LENGTH']
        req.headers.pop('Content-Md5', None)
        req.headers['X-Storage-Policy'] = policy
        req.headers[LOCATION_SYSMETA] = str_to_wsgi(location)
        return self.call(env, start_response)

    def call(self, env, start_response):
        """The rest of the pipeline; its S3 503s say why
        (:mod:`ocx_swift.s3reasons`)."""
        if is_swift_path(env.get('PATH_INFO', '')):
            return self.app(env, start_response)
        return call_naming_reasons(self.app, env, start_response)

    def invalid_location(self, location):
        """s3api's error, naming the locations this exchange has."""
        valid = sorted(set(self.locations) | {self.s3api_location})
        self.logger.info('location %r refused', location)
        return InvalidLocationConstraint(
            'The specified location constraint is not valid. Valid '
            'locations: %s.' % ', '.join(valid))

    def get_location(self, req):
        """GetBucketLocation: s3api authorizes and checks the bucket; the
        answer is the bucket's own location."""
        resp = req.get_response(self.app)
        if resp.status_int != 200:
            return resp
        try:
            _v, account, container = split_path(
                req.environ.get('s3api.backend_path') or '', 3, 3)
        except ValueError:
            return resp  # not a bucket s3api answered for
        location = self.bucket_location(req.environ, account, container)
        if location is not None:
            elem = s3_etree.Element('LocationConstraint')
            elem.text = location
            resp.body = s3_etree.tostring(elem)
        return resp

    def bucket_location(self, env, account, container):
        """The location a bucket was created with, its policy's name when
        that is not the default, else None (s3api's answer stands).

        :param account: WSGI string
        :param container: WSGI string
        """
        sub_env = dict(env)
        sub_env['PATH_INFO'] = '/v1/%s/%s' % (account, container)
        info = get_container_info(sub_env, self.app, swift_source='OCX')
        location = info.get('sysmeta', {}).get('ocx-s3-location')
        if location:
            return wsgi_to_str(location)
        try:
            policy = POLICIES.get_by_index(int(info.get('storage_policy')))
        except (TypeError, ValueError):
            policy = None
        if policy is None or policy == POLICIES.default:
            return None
        return policy.name


def is_swift_path(path):
    return path == '/v1' or path.startswith('/v1/')


def locations_from_conf(conf):
    """Location (lower case) -> policy name, from the policy file and
    ``location_map``.

    :raises ValueError: on a map entry naming an unknown policy
    """
    try:
        policies = load_policy_config(conf.get('policy_conf_path', ''),
                                      POLICIES.default.name)
    except OcxConfigError as err:
        raise ValueError('ocx_s3location: %s' % err)
    locations = {p.name.lower(): p.name for p in policies}
    for pair in list_from_csv(conf.get('location_map', '')):
        location, sep, name = pair.partition(':')
        policy = policies.get(name.strip())
        if not sep or policy is None:
            raise ValueError('ocx_s3location: location_map entry %r does '
                             'not name a policy' % pair)
        locations[location.strip().lower()] = policy.name
    return locations


def filter_factory(global_conf, **local_conf):
    conf = global_conf.copy()
    conf.update(local_conf)
    locations = locations_from_conf(conf)
    logger = get_logger(conf, log_route='ocx_s3location')

    def location_filter(app):
        return S3LocationMiddleware(app, locations, logger)
    return location_filter
