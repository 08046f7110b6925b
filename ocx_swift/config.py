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

"""Landlord cluster configuration.

The exchange reaches every landlord cluster through that cluster's public
Swift API with a service credential the landlord grants it. Those
credentials live in a side file (mode 0600), ``cluster_conf_path`` of
``[filter:ocx]``, one section per cluster::

    [cluster:c1]
    # the trust domain this cluster belongs to
    landlord = landlord1
    # the cluster's v1 auth endpoint (tempauth or compatible)
    auth_url = http://127.0.0.1:8081/auth/v1.0
    auth_version = 1
    # a reseller-admin service user on that cluster: the exchange uses the
    # tenant's own account name there (/v1/AUTH_test/... stays the same path)
    user = ocx:exchange
    key = secret
    # optional: the storage URL prefix to use instead of the one the auth
    # service returns (without the account), e.g. http://10.0.0.1:8080/v1
    # storage_url =
    # optional, for https URLs (see ocx_swift.tls): the CA that signs the
    # cluster's certificate (default: the system's CAs), a client
    # certificate and key for mutual TLS, and (testing only) no
    # verification at all
    # ca_file =
    # cert_file =
    # key_file =
    # insecure = no

Weights and placement live in the cluster ring; this file says only how
to reach each cluster. A ring that names a cluster missing here is refused.
"""

import configparser
import re

from ocx_swift.exceptions import OcxConfigError
from ocx_swift.tls import NO_TLS_OPTIONS, parse_tls_options

CLUSTER_NAME_RE = re.compile(r'^\w[\w.-]{0,63}$')
AUTH_VERSIONS = ('1',)


class ClusterConfig(object):
    """How to reach one landlord cluster (immutable after parsing).

    :param name: the cluster name (section ``[cluster:<name>]``)
    :param landlord: the landlord (trust domain) that runs it
    :param auth_url: the cluster's auth endpoint
    :param auth_version: ``'1'`` (tempauth-style v1 auth)
    :param user: the exchange's service user on the cluster
    :param key: that user's key or password
    :param storage_url: optional storage URL prefix ending in ``/v1``
    :param extra: other options, kept for later auth versions
    :param tls: :class:`~ocx_swift.tls.TLSOptions` for ``https`` URLs
    """

    def __init__(self, name, landlord, auth_url, auth_version, user, key,
                 storage_url=None, extra=None, tls=NO_TLS_OPTIONS):
        self.name = name
        self.landlord = landlord
        self.auth_url = auth_url
        self.auth_version = auth_version
        self.user = user
        self.key = key
        self.storage_url = storage_url
        self.extra = dict(extra or {})
        self.tls = tls

    def __repr__(self):
        # never show the key
        return 'ClusterConfig(%r, landlord=%r, auth_url=%r)' % (
            self.name, self.landlord, self.auth_url)

    @classmethod
    def from_config(cls, name, options):
        """Build a cluster from the options of its config section.

        :raises OcxConfigError: on a missing or malformed option
        """
        if not CLUSTER_NAME_RE.match(name):
            raise OcxConfigError('invalid cluster name %r: use letters, '
                                 'digits, "_", "." and "-"' % name)
        options = dict(options)

        def required(key):
            value = options.pop(key, '').strip()
            if not value:
                raise OcxConfigError('cluster %r: missing %r' % (name, key))
            return value

        landlord = required('landlord')
        auth_url = required('auth_url')
        if not auth_url.startswith(('http://', 'https://')):
            raise OcxConfigError('cluster %r: auth_url must be an http(s) '
                                 'URL, got %r' % (name, auth_url))
        auth_version = options.pop('auth_version', '1').strip()
        auth_version = auth_version.lstrip('v').split('.')[0]
        if auth_version not in AUTH_VERSIONS:
            raise OcxConfigError('cluster %r: auth_version %r is not '
                                 'supported (1: tempauth-style v1 auth)'
                                 % (name, auth_version))
        user = required('user')
        key = required('key')
        storage_url = options.pop('storage_url', '').strip().rstrip('/')
        check_storage_url(name, auth_url, storage_url)
        tls = parse_tls_options(name, options, (auth_url, storage_url))
        options.pop('weight', None)  # weights live in the ring
        return cls(name, landlord, auth_url, auth_version, user, key,
                   storage_url or None, extra=options, tls=tls)


def check_storage_url(name, auth_url, storage_url):
    """Refuse a configured storage URL that is not http(s), or is plain
    http while auth is https (the token would then cross in clear).

    :raises OcxConfigError: naming ``storage_url``
    """
    if not storage_url:
        return
    if not storage_url.startswith(('http://', 'https://')):
        raise OcxConfigError('cluster %r: storage_url must be an http(s) '
                             'URL, got %r' % (name, storage_url))
    if auth_url.startswith('https://') and \
            not storage_url.startswith('https://'):
        raise OcxConfigError('cluster %r: storage_url is plain http while '
                             'auth_url is https: the service token would '
                             'cross in clear' % name)


class ClusterCollection(object):
    """All configured clusters, checked as a set.

    :param clusters: iterable of :class:`ClusterConfig`
    :raises OcxConfigError: on duplicate names or an empty set
    """

    def __init__(self, clusters):
        self.by_name = {}
        for cluster in clusters:
            if cluster.name in self.by_name:
                raise OcxConfigError('duplicate cluster %r' % cluster.name)
            self.by_name[cluster.name] = cluster
        if not self.by_name:
            raise OcxConfigError('no [cluster:<name>] section configured')

    def __iter__(self):
        return iter(sorted(self.by_name.values(), key=lambda c: c.name))

    def __len__(self):
        return len(self.by_name)

    def __contains__(self, name):
        return name in self.by_name

    def __getitem__(self, name):
        return self.by_name[name]

    @property
    def landlords(self):
        return sorted({c.landlord for c in self.by_name.values()})

    def check_ring(self, ring_clusters):
        """Refuse a ring whose clusters this config cannot serve.

        :param ring_clusters: the ring's cluster dicts (``name``,
                              ``landlord``)
        :raises OcxConfigError: naming each cluster without credentials or
                                with a landlord other than configured
        """
        problems = []
        for rc in ring_clusters:
            conf = self.by_name.get(rc['name'])
            if conf is None:
                problems.append('ring cluster %r has no [cluster:%s] '
                                'section (no credentials)'
                                % (rc['name'], rc['name']))
            elif conf.landlord != rc['landlord']:
                problems.append('ring cluster %r has landlord %r but the '
                                'cluster config says %r' % (
                                    rc['name'], rc['landlord'],
                                    conf.landlord))
        if problems:
            raise OcxConfigError('; '.join(problems))


def read_ini(path, what):
    """Parse an ini side file (no interpolation).

    :param what: what the file is, for the error message
    :raises OcxConfigError: when it cannot be read or parsed
    """
    parser = configparser.RawConfigParser()
    try:
        with open(path, encoding='utf-8') as fp:
            parser.read_file(fp)
    except (OSError, configparser.Error, UnicodeDecodeError) as err:
        raise OcxConfigError('cannot read %s %s: %s' % (what, path, err))
    return parser


def named_sections(parser, kind):
    """``(name, options)`` of every ``[<kind>:<name>]`` section."""
    for section in parser.sections():
        prefix, _, name = section.partition(':')
        if prefix.strip() == kind:
            yield name.strip(), parser.items(section)


def load_cluster_config(path):
    """Read the cluster config file.

    :param path: path of the file (``[cluster:<name>]`` sections)
    :returns: a :class:`ClusterCollection`
    :raises OcxConfigError: when the file cannot be read or is invalid
    """
    parser = read_ini(path, 'cluster config')
    clusters = [ClusterConfig.from_config(name, options)
                for name, options in named_sections(parser, 'cluster')]
    try:
        return ClusterCollection(clusters)
    except OcxConfigError as err:
        raise OcxConfigError('%s: %s' % (path, err))
