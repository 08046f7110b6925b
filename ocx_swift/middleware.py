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
=====================================
ocx: one namespace over many landlords
=====================================

The ``ocx`` middleware turns a Swift proxy-server into an Open Cloud
eXchange: tenants talk Swift (and S3, through ``s3api``) to one endpoint,
and every object lands on one of several independent landlord Swift
clusters chosen by a consistent-hashing cluster ring. The landlords are
reached only through their public Swift API, with a reseller-admin
service credential each grants the exchange, under the tenant's own
account name (``/v1/AUTH_test/c/o`` is the same path on every cluster).

``ocx`` answers every object request itself. Account and container
requests go on to the ``proxy-server`` app, whose account and container
rings are the exchange's own **metadata tier** (Swift's account and
container servers, run by the exchange): accounts, containers and the
object index never live on a landlord.

Behaviour per verb
------------------

* **Objects** (:mod:`ocx_swift.handlers.obj`, split policies
  :mod:`ocx_swift.handlers.split`): GET, HEAD, PUT, POST and DELETE go to
  the clusters of the object's placement under its container's policy
  (:mod:`ocx_swift.storage.policy`), bodies streamed both ways. Every
  copy or share carries a state tag; a read uses only copies that verify
  against the object index (:mod:`ocx_swift.storage.copies`,
  :mod:`ocx_swift.storage.index`); writes update the index.
* **Containers** (:mod:`ocx_swift.handlers.container`): Swift's own
  controllers on the metadata tier; a new container is also created bare
  on every landlord cluster (and deleted there with it); listings drop
  the index's own ``hash`` parameter.
* **Accounts**: Swift's own controllers on the metadata tier.
* **OPTIONS and CORS** of objects (:mod:`ocx_swift.handlers.cors`):
  answered by the exchange as Swift's proxy controllers answer them, from
  the container's ``Access-Control-*`` metadata and the proxy-server
  app's ``cors_allow_origin``, ``cors_expose_headers`` and
  ``strict_cors_mode``; landlords never see a client's ``Origin``.

Authorization is Swift's: ``ocx`` calls ``swift.authorize`` before it
answers, and again with the container's ACL where Swift's proxy would
(object reads and writes, container reads), so tempauth or keystoneauth
users and container ACLs behave as on one cluster.

Errors
------

=====  ================================================================
503    a cluster did not answer, timed out, refused the connection,
       failed TLS (certificate verify failed, hostname mismatch,
       handshake: :mod:`ocx_swift.tls`), refused the exchange's
       service credential, or is error-limited; no copy verified (the
       body says why: bad state tag, another version than the index's,
       bytes not matching its MD5); the object index did not answer or
       take a write; the container's policy is not one this exchange
       knows. The body names the cluster (never a credential)
400    a path with a ``.`` or ``..`` segment (never sent to a landlord)
4xx    the cluster's own answer (409, 412, 416, 422, ...), 404 when the
       index has no such object, or the same checks a Swift proxy makes
       before asking anyone (400 for over-long names or metadata, 412
       for bad UTF-8, 405)
=====  ================================================================

Deployment
----------

``ocx`` goes right of the auth middleware and of every middleware that
turns one client request into object subrequests (``copy``, ``slo``,
``dlo``, ``versioned_writes``, ``symlink``, ``s3api``), so each
subrequest is placed on its own; only ``proxy-logging`` may sit between
``ocx`` and ``proxy-server``::

    [pipeline:main]
    pipeline = catch_errors gatekeeper healthcheck proxy-logging cache
        listing_formats bulk tempurl ratelimit s3api tempauth copy slo dlo
        versioned_writes symlink ocx proxy-logging proxy-server

The proxy-server app's account and container rings in its ``swift_dir``
place the metadata tier (``etc/metadata-tier-server.conf-sample``); its
object rings (one per storage policy of ``swift.conf``, which names the
policy map's policies) are placeholders: ``ocx`` sends them nothing.
``ocx`` refuses to start in a pipeline where its neighbours are wrong.

The ring and cluster config change under a running proxy: the ring file
is re-checked every ``ring_check_interval`` seconds, and a new ring is
validated before it is used. Every cluster it names, now or in its
previous placement (reads and deletes look there while ``ocx-mover``
works), must have a ``[cluster:<name>]`` section; when the cluster config
file changed, it is re-read then, so a landlord's new cluster is served
as soon as both name it (add the section first, then write the ring). A
ring or config that does not load or validate is logged and the old one
kept.

Middlewares left of ``ocx`` fetch object info with requests that Swift
sends straight to the ``proxy-server`` app; ``ocx`` hooks that app so
those are answered by the exchange too (container and account info come
from the metadata tier, as they should).

Configuration
-------------

::

    [filter:ocx]
    use = egg:ocx_swift#ocx
    # landlord clusters and the exchange's credentials on them (mode 0600)
    # cluster_conf_path = /etc/swift/ocx-clusters.conf
    # the cluster ring written by ocx-ring-builder
    # ring_path = /etc/swift/ocx.ring.gz
    # seconds between checks of the ring file for a new version; a new ring
    # is taken only if every cluster it names (also in its previous
    # placement) has credentials: the cluster config is re-read first
    # when it changed, so add a cluster's section before writing the ring
    # ring_check_interval = 15
    # seconds to connect to a cluster, to wait for each read of an object
    # request, and of a listing or metadata request
    # conn_timeout = 1.0
    # node_timeout = 10.0
    # listing_timeout = 10.0
    # seconds to wait for each read of a client's request body
    # client_timeout = 60.0
    # keep-alive connections kept per cluster
    # pool_size = 32
    # a cluster with more than error_suppression_limit errors is skipped
    # for error_suppression_interval seconds
    # error_suppression_interval = 60
    # error_suppression_limit = 10
    # seconds object index rows stay in the proxy's memcache for reads
    # (0: every read asks the metadata tier's container servers)
    # index_cache_time = 300
    # the policy map ([policy:<name>] sections, see ocx_swift.policy);
    # empty: one policy, one copy by plain hashing, named as the proxy's
    # default Swift storage policy
    # policy_conf_path =
    # REQUIRED: base64 of at least 32 random bytes (openssl rand -base64
    # 32); every key derives from it (the state tags of what the exchange
    # stores on landlords, seals, split storage). Keep this file mode 0600.
    split_root_secret = <base64>
    # rotation: more secrets as split_root_secret_<id> (id: letters and
    # digits); new objects use the active one (split_root_secret has the
    # id "default"), every configured one still reads what it wrote
    # split_root_secret_2026 =
    # active_split_root_secret_id = default
"""

import base64
import binascii
import re

from swift.common.constraints import check_utf8, valid_api_version
from swift.common.registry import register_swift_info
from swift.common.storage_policy import POLICIES
from swift.common.swob import HTTPBadRequest, HTTPException, \
    HTTPPreconditionFailed, Request, wsgi_to_str
from swift.common.utils import get_logger, list_from_csv, split_path
from swift.common.utils.config import config_positive_int_value, \
    non_negative_float
from swift.common.wsgi import loadcontext
from paste.deploy import loadwsgi

from ocx_swift.client import ClusterClient, ClusterErrorLimiter, Timeouts
from ocx_swift.config import load_cluster_config
from ocx_swift.exceptions import OcxConfigError
from ocx_swift.handlers.container import ContainerContext
from ocx_swift.handlers.cors import settings_of
from ocx_swift.handlers.obj import route
from ocx_swift.handlers.split import SplitObjectContext
from ocx_swift.policy import load_policy_config
from ocx_swift.ring.ring import ClusterRing, file_signature, ring_clusters
from ocx_swift.storage.index import DEFAULT_CACHE_TIME, ObjectIndex
from ocx_swift.storage.state import StateKeys

DEFAULT_OWNER_HEADERS = (
    'x-container-read, x-container-write, x-container-sync-key, '
    'x-container-sync-to, x-account-meta-temp-url-key, '
    'x-account-meta-temp-url-key-2, x-container-meta-temp-url-key, '
    'x-container-meta-temp-url-key-2, x-account-access-control')

DEFAULT_SECRET_ID = 'default'
SECRET_ID_RE = re.compile(r'^[A-Za-z0-9]{1,32}$')

#: entry points allowed between ocx and the proxy-server app
RIGHT_OF_OCX = ('proxy_logging',)
#: entry points of auth middlewares that must be left of ocx
AUTH_ENTRY_POINTS = ('tempauth', 'keystoneauth')


class OcxSettings(object):
    """Every option of ``[filter:ocx]``, parsed once.

    :raises ValueError: on a nonsensical value
    """

    def __init__(self, conf):
        self.cluster_conf_path = conf.get(
            'cluster_conf_path', '/etc/swift/ocx-clusters.conf')
        self.ring_path = conf.get('ring_path', '/etc/swift/ocx.ring.gz')
        self.ring_check_interval = non_negative_float(
            conf.get('ring_check_interval', 15))
        self.timeouts = Timeouts(
            conn=non_negative_float(conf.get('conn_timeout', 1.0)),
            node=non_negative_float(conf.get('node_timeout', 10.0)),
            listing=non_negative_float(conf.get('listing_timeout', 10.0)))
        self.client_timeout = non_negative_float(
            conf.get('client_timeout', 60.0))
        self.pool_size = config_positive_int_value(conf.get('pool_size', 32))
        self.error_suppression_interval = non_negative_float(
            conf.get('error_suppression_interval', 60))
        self.error_suppression_limit = config_positive_int_value(
            conf.get('error_suppression_limit', 10))
        self.swift_owner_headers = [
            h.title() for h in list_from_csv(conf.get(
                'swift_owner_headers', DEFAULT_OWNER_HEADERS))]
        self.policy_conf_path = conf.get('policy_conf_path', '').strip()
        self.index_cache_time = non_negative_float(
            conf.get('index_cache_time', DEFAULT_CACHE_TIME))
        #: id -> secret bytes; ``split_root_secret`` has the id
        #: ``default``, ``split_root_secret_<id>`` the others
        self.split_secrets = {}
        for key, value in conf.items():
            if key == 'split_root_secret':
                secret_id = DEFAULT_SECRET_ID
            elif key.startswith('split_root_secret_'):
                secret_id = key[len('split_root_secret_'):]
                if not SECRET_ID_RE.match(secret_id):
                    raise ValueError('%s: secret ids are letters and '
                                     'digits' % key)
            else:
                continue
            secret = parse_root_secret(value, key)
            if secret is not None:
                self.split_secrets[secret_id] = secret
        self.active_secret_id = conf.get(
            'active_split_root_secret_id', DEFAULT_SECRET_ID).strip()
        if self.split_secrets and \
                self.active_secret_id not in self.split_secrets:
            raise ValueError('active_split_root_secret_id %r names no '
                             'configured secret' % self.active_secret_id)
        self.split_root_secret = self.split_secrets.get(
            self.active_secret_id)


def parse_root_secret(value, name='split_root_secret'):
    """A split storage root secret: base64 of at least 32 bytes.

    :returns: the secret bytes, or None when not configured
    :raises ValueError: on a malformed or short secret (never echoed)
    """
    value = value.strip()
    if not value:
        return None
    try:
        secret = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise ValueError('%s must be base64' % name)
    if len(secret) < 32:
        raise ValueError('%s must encode at least 32 bytes' % name)
    return secret


def load_policies(settings, clusters):
    """The policy map, checked against the cluster config.

    :raises OcxConfigError: on a bad policy file, a pinned policy naming
        an unknown cluster, or no root secret
    """
    policies = load_policy_config(settings.policy_conf_path,
                                  POLICIES.default.name)
    if settings.split_root_secret is None:
        raise OcxConfigError('ocx needs split_root_secret in [filter:ocx]: '
                             'it authenticates what the exchange stores on '
                             'landlords (and keys split storage)')
    for policy in policies:
        unknown = sorted(set(policy.clusters) - set(c.name for c in clusters))
        if unknown:
            raise OcxConfigError('policy %r names unknown cluster(s) %s'
                                 % (policy.name, ', '.join(unknown)))
    return policies


class OcxMiddleware(object):
    """The exchange: answers ``/v1`` requests from landlord clusters.

    Holds only configuration and shared clients; all per-request state
    lives in the handler contexts.
    """

    def __init__(self, app, conf, logger=None):
        self.app = app
        self.conf = conf
        self.logger = logger or get_logger(conf, log_route='ocx')
        settings = OcxSettings(conf)
        self.settings = settings
        self.timeouts = settings.timeouts
        self.client_timeout = settings.client_timeout
        self.swift_owner_headers = settings.swift_owner_headers
        self.cluster_conf = load_cluster_config(settings.cluster_conf_path)
        self.policies = load_policies(settings, self.cluster_conf)
        unlisted = [p.name for p in self.policies
                    if POLICIES.get_by_name(p.name) is None]
        if unlisted:
            self.logger.warning(
                'policies %s are not storage policies of this proxy\'s '
                'swift.conf: /info does not list them and s3api gives '
                'multipart segments of their buckets the default policy',
                ', '.join(unlisted))
        self.split_root_secret = settings.split_root_secret
        self.split_secrets = settings.split_secrets
        self.active_secret_id = settings.active_secret_id
        #: keys of the object state stored with every copy and share
        self.state_keys = StateKeys(settings.split_secrets,
                                    settings.active_secret_id)
        self.error_limiter = ClusterErrorLimiter(
            settings.error_suppression_interval,
            settings.error_suppression_limit)
        self.clients = {}
        self._cluster_conf_signature = file_signature(
            settings.cluster_conf_path)
        self._use_cluster_conf(self.cluster_conf)
        self.ring = ClusterRing(settings.ring_path,
                                reload_time=settings.ring_check_interval,
                                logger=self.logger,
                                validation_hook=self._validate_ring)
        check_pipeline(conf, self.logger)
        final = hook_final_app(self)
        #: the object index on the metadata tier's container servers
        self.index = ObjectIndex(
            getattr(final, 'container_ring', None),
            settings.timeouts.conn, settings.timeouts.listing, self.logger)
        #: the proxy-server app's CORS options, which ocx applies as
        #: Swift's controllers would
        self.cors = settings_of(final)
        #: seconds Swift's info caches keep account and container info
        self.recheck_existence = {
            'account': getattr(final, 'recheck_account_existence', 60),
            'container': getattr(final, 'recheck_container_existence', 60)}

    def _validate_ring(self, ring_data):
        """Accept a ring (at start-up or on reload) only if every cluster
        it places on, now or in its previous placement, has credentials;
        re-read the cluster config first if it changed, so a cluster
        added to both is served at once."""
        cluster_conf, signature = self._reread_cluster_conf()
        cluster_conf.check_ring(ring_clusters(ring_data))
        self.policies.check_ring([c for c in ring_data['clusters'] if c])
        self._cluster_conf_signature = signature
        self._use_cluster_conf(cluster_conf)

    def _reread_cluster_conf(self):
        """The cluster config file if it changed and loads, else the one
        in use; and the file signature that goes with it."""
        path = self.settings.cluster_conf_path
        try:
            signature = file_signature(path)
            if signature == self._cluster_conf_signature:
                return self.cluster_conf, signature
            return load_cluster_config(path), signature
        except (OSError, OcxConfigError) as err:
            self.logger.warning('Keeping cluster config: reload of %s '
                                'failed: %s', path, err)
            return self.cluster_conf, self._cluster_conf_signature

    def _use_cluster_conf(self, cluster_conf):
        """Serve ``cluster_conf``: a client for each cluster that is new
        or whose settings changed; the others keep theirs (and their
        pools)."""
        settings = self.settings
        clients = dict(self.clients)
        for conf in cluster_conf:
            client = clients.get(conf.name)
            if client is None or vars(client.conf) != vars(conf):
                clients[conf.name] = ClusterClient(
                    conf, settings.timeouts, self.error_limiter,
                    pool_size=settings.pool_size, logger=self.logger)
                if client is not None or self.clients:
                    self.logger.info('cluster %s: %s', conf.name,
                                     'new credentials' if client else 'added')
        self.cluster_conf = cluster_conf
        self.clients = clients

    def context_for(self, req, objects_only=False):
        """The request context answering ``req``, or None when the
        request goes to the proxy-server app as it is (accounts, and
        anything not ``/v1/<account>/...``).

        :param objects_only: only object requests get a context (the
            proxy-server app's own info lookups)
        """
        try:
            version, account, container, obj = split_path(
                req.path_info, 2, 4, True)
        except ValueError:
            return None
        if not valid_api_version(version):
            return None
        # as Swift's get_controller: empty names do not count (``/v1/a/c/``
        # is the container; the proxy-server app answers ``/v1/a//o``
        # 412 Bad URL)
        if obj and container:
            return ObjectRequest(self, req, account, container, obj)
        if container and not objects_only and \
                req.method in ContainerContext.methods:
            return ContainerContext(self, req, account, container)
        return None

    def handle(self, req, ctx):
        """Answer a request the exchange serves; a swob response."""
        if not check_utf8(wsgi_to_str(req.path_info),
                          internal=req.allow_reserved_names):
            return HTTPPreconditionFailed(
                request=req, body='Invalid UTF8 or contains NULL')
        if has_dot_segment(req.path_info):
            return HTTPBadRequest(
                request=req, content_type='text/plain',
                body='Path segments "." and ".." are not allowed')
        try:
            return ctx.handle()
        except HTTPException as err:
            return err

    def __call__(self, env, start_response):
        req = Request(env)
        ctx = self.context_for(req)
        if ctx is None:
            return self.app(env, start_response)
        return self.handle(req, ctx)(env, start_response)


class ObjectRequest(object):
    """An object request, answered under its container's policy."""

    def __init__(self, ocx, req, account, container, obj):
        self.args = (ocx, req, account, container, obj)

    def handle(self):
        return route(*self.args, split_class=SplitObjectContext)


def has_dot_segment(path):
    """True when a (WSGI string) path has a ``.`` or ``..`` segment: a
    landlord's HTTP stack may resolve it to another path, which the
    exchange's service credential would then reach."""
    return any(part in ('.', '..') for part in path.split('/'))


def check_pipeline(conf, logger):
    """Refuse a pipeline where ocx's neighbours are wrong.

    Checks the configured pipeline by entry-point names: every
    middleware that makes object subrequests or authorizes must be left
    of ``ocx``; only ``proxy-logging`` may be between ``ocx`` and
    ``proxy-server``.

    :raises ValueError: naming the pipeline and what is out of place
    """
    if not conf.get('__file__'):
        return
    ctx = loadcontext(loadwsgi.APP, conf['__file__'])
    if ctx.object_type.name != 'pipeline':
        return
    pipeline = [getattr(c, 'entry_point_name', None) or '<unknown>'
                for c in ctx.filter_contexts + [ctx.app_context]]
    if 'ocx' not in pipeline:
        return  # loaded some other way; nothing to check
    ocx_at = pipeline.index('ocx')
    for name in pipeline[ocx_at + 1:-1]:
        if name not in RIGHT_OF_OCX:
            raise ValueError('Invalid pipeline %r: expected %s before ocx'
                             % (pipeline, name))
    if not any(name in pipeline[:ocx_at] for name in AUTH_ENTRY_POINTS):
        logger.warning('pipeline %r has no auth middleware left of ocx: '
                       'requests are not authorized', pipeline)
    logger.info('ocx pipeline: %s', ' '.join(pipeline))


def hook_final_app(ocx):
    """Serve ``/v1`` requests that reach the proxy-server app directly.

    ``get_container_info`` and ``get_account_info`` send their HEADs to
    the pipeline's final app (through a private proxy-logging), which
    skips ``ocx``. The proxy-server app is found by walking ``.app`` from
    ``ocx`` and its ``handle_request`` answers ``/v1`` requests through
    ``ocx``.
    """
    final = ocx.app
    while getattr(final, 'app', None) is not None:
        final = final.app
    original = getattr(final, 'handle_request', None)
    if original is None or getattr(original, 'ocx_hooked', False):
        return final

    def handle_request(req):
        ctx = ocx.context_for(req, objects_only=True)
        if ctx is None:
            return original(req)
        return ocx.handle(req, ctx)

    handle_request.ocx_hooked = True
    final.handle_request = handle_request
    return final


def filter_factory(global_conf, **local_conf):
    """paste.deploy entry point: parse the config once, return the
    filter."""
    conf = global_conf.copy()
    conf.update(local_conf)
    settings = OcxSettings(conf)  # raises ValueError on nonsense
    clusters = load_cluster_config(settings.cluster_conf_path)
    try:
        policies = load_policies(settings, clusters)
    except OcxConfigError as err:
        raise ValueError('ocx: %s' % err)
    register_swift_info('ocx', clusters=len(clusters),
                        landlords=len(clusters.landlords),
                        policies=policies.info(),
                        default_policy=policies.default.name)

    def ocx_filter(app):
        try:
            return OcxMiddleware(app, conf)
        except OcxConfigError as err:
            raise ValueError('ocx: %s' % err)
    return ocx_filter
