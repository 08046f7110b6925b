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

"""Config text for ``ocx-aio``'s Swift servers, built from a layout.

Each function returns a list of ``(section, options)`` pairs; :func:`render`
turns them into ini text. Every path is absolute: Swift daemons ``chdir('/')``.
"""

import pwd
import os

from ocx_swift.aio.ports import LOOPBACK

# The users Swift's functional tests expect of a SAIO:
# (account, user, key, groups)
TEMPAUTH_USERS = (
    ('admin', 'admin', 'admin', '.admin .reseller_admin'),
    ('test', 'tester', 'testing', '.admin'),
    ('test', 'tester2', 'testing2', '.admin'),
    ('test', 'tester3', 'testing3', ''),
    ('test2', 'tester2', 'testing2', '.admin'),
    ('test5', 'tester5', 'testing5', 'service'),
)

# Swift's SAIO pipeline (plus s3api and domain_remap): every middleware
# whose behaviour Swift's functional suite checks, so that the
# conformance run exercises each through the exchange too
_PIPELINE_HEAD = ('catch_errors gatekeeper healthcheck proxy-logging cache '
                  'domain_remap listing_formats bulk tempurl formpost '
                  'ratelimit s3api tempauth staticweb copy container-quotas '
                  'account-quotas slo dlo versioned_writes symlink')
#: the DNS domain ``domain_remap`` serves (a client names an account or
#: container in the Host header: ``AUTH_test.ocx.example``)
STORAGE_DOMAIN = 'ocx.example'
CLUSTER_PIPELINE = _PIPELINE_HEAD + ' proxy-logging proxy-server'
EXCHANGE_PIPELINE = _PIPELINE_HEAD.replace(
    ' s3api ', ' ocx_s3location s3api ') + ' ocx proxy-logging proxy-server'

# Swift's own logger hook: drops the syslog handler, keeps stderr (the
# process's log file, see launch.py)
_LOG_HOOK = 'ocx_swift.aio.launch.log_to_stderr_only'

# filter name -> egg entry point, for the filters both proxies share
_EGG_FILTERS = {
    'catch_errors': 'catch_errors', 'gatekeeper': 'gatekeeper',
    'healthcheck': 'healthcheck', 'proxy-logging': 'proxy_logging',
    'listing_formats': 'listing_formats', 'bulk': 'bulk',
    'tempurl': 'tempurl', 'ratelimit': 'ratelimit', 's3api': 's3api',
    'copy': 'copy', 'slo': 'slo', 'dlo': 'dlo',
    'versioned_writes': 'versioned_writes', 'symlink': 'symlink',
    'domain_remap': 'domain_remap', 'formpost': 'formpost',
    'staticweb': 'staticweb', 'container-quotas': 'container_quotas',
    'account-quotas': 'account_quotas',
}


def render(sections):
    """Return ini text for a list of ``(section, options)`` pairs."""
    chunks = []
    for name, options in sections:
        lines = ['[%s]' % name]
        lines += ['%s = %s' % (key, value) for key, value in options.items()]
        chunks.append('\n'.join(lines) + '\n')
    return '\n'.join(chunks)


def current_user():
    """The user Swift servers run as (they drop privileges to it)."""
    return pwd.getpwuid(os.getuid()).pw_name


#: what a landlord raises to join an exchange: the exchange keeps
#: Swift's sysmeta there as reserved user metadata (ocx_swift.sysmeta), on
#: top of the tenants' own 90 keys / 4096 bytes, which the exchange's
#: proxy still enforces
LANDLORD_CONSTRAINTS = {'max_meta_count': '218',
                        'max_meta_overall_size': '36864'}


def swift_conf(hash_prefix, hash_suffix, landlord=False, policies=None):
    """``swift.conf``: a cluster's own hash salts and storage policies
    (one, ``Policy-0``, unless named: the exchange lists its policy map's
    names, so ``/info`` shows them and s3api's segment containers get
    their bucket's policy); a landlord's also has the metadata headroom
    an exchange needs."""
    sections = [
        ('swift-hash', {'swift_hash_path_prefix': hash_prefix,
                        'swift_hash_path_suffix': hash_suffix}),
    ]
    for index, name in enumerate(policies or ['Policy-0']):
        options = {'name': name}
        if index == 0:
            options['default'] = 'yes'
        sections.append(('storage-policy:%d' % index, options))
    if landlord:
        sections.append(('swift-constraints', dict(LANDLORD_CONSTRAINTS)))
    return sections


def _default(swift_dir, port, log_name, workers=0):
    return {
        'bind_ip': LOOPBACK, 'bind_port': port, 'workers': workers,
        'user': current_user(), 'swift_dir': swift_dir,
        'log_name': log_name, 'log_custom_handlers': _LOG_HOOK,
    }


def recon_cache_path(swift_dir):
    """Where a server's updaters dump their recon stats (each pass: the
    directory must exist, ``write_files`` makes it)."""
    return os.path.join(swift_dir, 'recon')


def storage_server_conf(server, swift_dir, port, devices, log_name,
                        updater_interval=0):
    """Config of an account, container or object server.

    :param server: ``account``, ``container`` or ``object``
    :param updater_interval: for a container or object server, seconds
        between container-updater or object-updater sweeps (a
        ``[<server>-updater]`` section is added when it is positive)
    """
    default = _default(swift_dir, port, log_name)
    default.update(devices=devices, mount_check='false',
                   disable_fallocate='true',
                   recon_cache_path=recon_cache_path(swift_dir))
    sections = [
        ('DEFAULT', default),
        ('pipeline:main', {'pipeline': 'healthcheck %s-server' % server}),
        ('app:%s-server' % server, {'use': 'egg:swift#%s' % server}),
        ('filter:healthcheck', {'use': 'egg:swift#healthcheck'}),
    ]
    if server in ('container', 'object') and updater_interval > 0:
        # container updates an object server could not make at once wait
        # as async pendings for the object-updater; the container-updater
        # refreshes account stats
        sections.append(('%s-updater' % server, {
            'interval': updater_interval, 'concurrency': 1,
            'log_name': log_name + '-updater'}))
    return sections


def tempauth_users(extra=()):
    """tempauth ``user_<account>_<user>`` options.

    :param extra: more ``(account, user, key, groups)`` tuples
    """
    users = {}
    for account, user, key, groups in TEMPAUTH_USERS + tuple(extra):
        value = ('%s %s' % (key, groups)).strip()
        users['user_%s_%s' % (account, user)] = value
    return users


def proxy_conf(swift_dir, port, memcache_port, log_name, pipeline,
               extra_users=(), extra_filters=(), workers=0, tls_files=None):
    """Config of a proxy-server, for a landlord cluster or the exchange.

    :param pipeline: the ``[pipeline:main]`` pipeline
    :param extra_users: tempauth users beyond :data:`TEMPAUTH_USERS`
    :param extra_filters: more ``(section, options)`` pairs
    :param tls_files: ``(cert_file, key_file)`` to serve TLS, or None
    """
    tempauth = {'use': 'egg:swift#tempauth',
                'reseller_prefix': 'AUTH, SERVICE',
                'SERVICE_require_group': 'service'}
    tempauth.update(tempauth_users(extra_users))
    default = _default(swift_dir, port, log_name, workers)
    if tls_files:
        default['cert_file'], default['key_file'] = tls_files
    sections = [
        ('DEFAULT', default),
        ('pipeline:main', {'pipeline': pipeline}),
        ('app:proxy-server', {'use': 'egg:swift#proxy',
                              'account_autocreate': 'true',
                              'allow_account_management': 'true'}),
        ('filter:cache', {'use': 'egg:swift#memcache',
                          'memcache_servers': '%s:%d' % (LOOPBACK,
                                                         memcache_port)}),
        ('filter:tempauth', tempauth),
    ]
    for name, egg in _EGG_FILTERS.items():
        options = {'use': 'egg:swift#%s' % egg}
        if name == 'versioned_writes':
            options['allow_versioned_writes'] = 'true'
        if name == 'domain_remap':
            options['storage_domain'] = STORAGE_DOMAIN
        if name == 'slo' and ' ocx ' in pipeline:
            # async segment deletion queues work for Swift's object
            # expirer on the proxy's own cluster; an exchange has none
            options['allow_async_delete'] = 'false'
        sections.append(('filter:%s' % name, options))
    return sections + list(extra_filters)


def ocx_filter(cluster_conf_path, ring_path, policy_conf_path=None,
               split_root_secret=None):
    """The exchange's ``[filter:ocx]`` section."""
    # loopback landlords answer fast: a paused one is noticed in seconds;
    # a ring written by ocx-ring-builder is served within 2 seconds
    options = {'use': 'egg:ocx_swift#ocx',
               'cluster_conf_path': cluster_conf_path,
               'ring_path': ring_path,
               'ring_check_interval': '2',
               'conn_timeout': '1.0',
               'node_timeout': '5.0',
               'listing_timeout': '5.0'}
    if policy_conf_path:
        options['policy_conf_path'] = policy_conf_path
    if split_root_secret:
        options['split_root_secret'] = split_root_secret
    return ('filter:ocx', options)


def s3location_filter(policy_conf_path):
    """The exchange's ``[filter:ocx_s3location]`` section."""
    return ('filter:ocx_s3location', {
        'use': 'egg:ocx_swift#ocx_s3location',
        'policy_conf_path': policy_conf_path})


def example_policies(landlords):
    """One example policy of each kind that ``landlords`` can hold.

    :param landlords: the set's landlord names, sorted
    :returns: list of ``(name, options)``, the default first
    """
    n = len(landlords)
    policies = [('standard', {'kind': 'replicated', 'replicas': '1',
                              'default': 'yes'})]
    if n >= 2:
        policies.append(('replicated2', {'kind': 'replicated',
                                         'replicas': '2'}))
    policies.append(('pinned', {'kind': 'pinned',
                                'landlords': landlords[0]}))
    if n >= 2:
        policies.append(('xor', {'kind': 'split', 'scheme': 'xor',
                                 'n': '2'}))
    if n >= 3:
        policies.append(('aont', {'kind': 'split', 'scheme': 'aont-rs',
                                  'n': '3', 'k': '2',
                                  'hide_names': 'yes'}))
    return policies


def policy_conf(policies):
    """``ocx-policies.conf`` sections of :func:`example_policies`."""
    return [('policy:%s' % name, options) for name, options in policies]


def cluster_conf(clusters, exchange_user, ca_file=None):
    """``ocx-clusters.conf``: how the exchange reaches each cluster.

    :param clusters: :class:`~ocx_swift.aio.layout.ClusterLayout` objects
    :param exchange_user: the exchange's tempauth user on every cluster
    :param ca_file: the CA that signs the clusters' certificates (for
        ``https`` clusters)
    """
    sections = []
    for c in clusters:
        options = {'landlord': c.landlord, 'auth_url': c.auth_url,
                   'auth_version': 1, 'user': exchange_user,
                   'key': c.exchange_key}
        if ca_file and c.scheme == 'https':
            options['ca_file'] = ca_file
        sections.append(('cluster:%s' % c.name, options))
    return sections
