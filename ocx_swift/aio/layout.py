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

"""What one ``ocx-aio`` set is made of, persisted in ``<DIR>/aio.json``.

The layout holds everything chosen at random on the first ``start`` (ports,
hash prefixes and suffixes, the exchange's service keys, where devices live),
so that a later ``start`` of the same directory brings back the same clusters
with their data, and ``status`` can print the same ``KEY=value`` lines.
"""

import dataclasses
import json
import os
import secrets

from ocx_swift.aio import certs, ports
from ocx_swift.aio.conf import example_policies

LAYOUT_FILE = 'aio.json'
ENV_FILE = 'ocx-aio.env'
LAYOUT_VERSION = 1
#: how many of :meth:`Layout.all_ports` are the exchange's
EXCHANGE_PORTS = 4
# ports per cluster, in this order
CLUSTER_SERVICES = ('proxy', 'account', 'container', 'object', 'memcache')

# the tenant credentials printed for clients (see conf.TEMPAUTH_USERS)
TENANT_USER, TENANT_KEY = 'test:tester', 'testing'
TENANT_USER2, TENANT_KEY2 = 'test2:tester2', 'testing2'
EXCHANGE_USER = 'ocx:exchange'


@dataclasses.dataclass(frozen=True)
class ClusterLayout:
    """One landlord cluster: its name, landlord, ports and secrets."""
    name: str
    landlord: str
    ports: dict
    exchange_key: str
    hash_prefix: str
    hash_suffix: str
    #: ``https`` when its proxy serves TLS (``ocx-aio start --tls``)
    scheme: str = 'http'

    @property
    def auth_url(self):
        return '%s://%s:%d/auth/v1.0' % (self.scheme, ports.LOOPBACK,
                                         self.ports['proxy'])


@dataclasses.dataclass(frozen=True)
class ExchangeLayout:
    """The OCX proxy: its port, memcached port and hash settings, and the
    ports of its metadata tier (its own account and container servers)."""
    port: int
    memcache_port: int
    hash_prefix: str
    hash_suffix: str
    account_port: int = 0
    container_port: int = 0
    #: ``https`` when the OCX proxy serves TLS (``ocx-aio start --tls``)
    scheme: str = 'http'

    @property
    def url(self):
        return '%s://%s:%d' % (self.scheme, ports.LOOPBACK, self.port)


@dataclasses.dataclass(frozen=True)
class Layout:
    """A whole ``ocx-aio`` set rooted at ``root``."""
    root: str
    storage: str
    storage_kind: str
    exchange: ExchangeLayout
    clusters: tuple

    @classmethod
    def new(cls, root, n_clusters, n_landlords, port, storage, storage_kind,
            tls=False):
        """Choose ports and secrets for a new set.

        :param root: the absolute ``ocx-aio`` directory
        :param n_clusters: how many clusters (named c1..cN)
        :param n_landlords: how many landlords; clusters are assigned to
            landlord1..landlordL round robin
        :param port: the exchange's port, or None for a free one
        :param storage: the directory holding every cluster's devices
        :param storage_kind: ``disk`` or ``tmpfs``, for the record
        :param tls: True to serve every proxy over TLS (certificates from
            a CA of the set's own, see :mod:`~ocx_swift.aio.certs`)
        """
        if n_clusters < 1 or n_landlords < 1:
            raise ValueError('need at least one cluster and one landlord')
        per = len(CLUSTER_SERVICES)
        free = ports.free_ports(n_clusters * per + 4)
        if port is None:
            port = free.pop()
        scheme = 'https' if tls else 'http'
        exchange = ExchangeLayout(port, free.pop(), _salt(), _salt(),
                                  account_port=free.pop(),
                                  container_port=free.pop(), scheme=scheme)
        clusters = tuple(
            ClusterLayout(
                name='c%d' % (i + 1),
                landlord='landlord%d' % (i % n_landlords + 1),
                ports=dict(zip(CLUSTER_SERVICES, free[i * per:(i + 1) * per])),
                exchange_key=secrets.token_urlsafe(24),
                hash_prefix=_salt(), hash_suffix=_salt(), scheme=scheme)
            for i in range(n_clusters))
        return cls(root, storage, storage_kind, exchange, clusters)

    @property
    def landlords(self):
        return sorted({c.landlord for c in self.clusters})

    @property
    def tls(self):
        """True when every proxy of the set serves TLS."""
        return self.exchange.scheme == 'https'

    @property
    def tls_dir(self):
        """Where the set's CA and certificates live."""
        return self.path(certs.TLS_DIR)

    @property
    def ca_file(self):
        """The CA certificate clients trust (None without TLS)."""
        return certs.pair_paths(self.tls_dir, certs.CA)[0] if self.tls \
            else None

    def with_new_cluster(self, landlord=None):
        """This layout with one more cluster, ``c<N+1>``.

        :param landlord: its landlord (default: the next one round robin,
            as ``new`` assigns them)
        :returns: ``(new layout, the new ClusterLayout)``
        """
        taken = {c.name for c in self.clusters}
        number = len(self.clusters) + 1
        while 'c%d' % number in taken:
            number += 1
        if landlord is None:
            landlord = self.clusters[len(self.clusters) %
                                     len(self.landlords)].landlord \
                if self.clusters else 'landlord1'
        used = set(self.all_ports())
        free = [p for p in ports.free_ports(len(CLUSTER_SERVICES) + len(used))
                if p not in used][:len(CLUSTER_SERVICES)]
        cluster = ClusterLayout(
            name='c%d' % number, landlord=landlord,
            ports=dict(zip(CLUSTER_SERVICES, free)),
            exchange_key=secrets.token_urlsafe(24),
            hash_prefix=_salt(), hash_suffix=_salt(),
            scheme=self.exchange.scheme)
        return dataclasses.replace(
            self, clusters=self.clusters + (cluster,)), cluster

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def devices(self, cluster_name):
        return os.path.join(self.storage, cluster_name)

    def all_ports(self):
        """Every port of the set, the exchange's :data:`EXCHANGE_PORTS`
        first."""
        found = [self.exchange.port, self.exchange.memcache_port,
                 self.exchange.account_port, self.exchange.container_port]
        for cluster in self.clusters:
            found.extend(cluster.ports.values())
        return found

    def to_json(self):
        return json.dumps(dataclasses.asdict(self) | {
            'version': LAYOUT_VERSION}, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)
        if data.pop('version', None) != LAYOUT_VERSION:
            raise ValueError('unknown ocx-aio layout version')
        data['exchange'] = ExchangeLayout(**data['exchange'])
        data['clusters'] = tuple(ClusterLayout(**c) for c in data['clusters'])
        layout = cls(**data)
        if not layout.exchange.account_port:
            # a set saved before the exchange had a metadata tier
            used = set(layout.all_ports())
            account, container = [p for p in ports.free_ports(
                len(used) + 2) if p not in used][:2]
            layout = dataclasses.replace(layout, exchange=dataclasses.replace(
                layout.exchange, account_port=account,
                container_port=container))
        return layout

    def save(self):
        write_private(self.path(LAYOUT_FILE), self.to_json() + '\n')

    @classmethod
    def load(cls, root):
        """Return the layout saved in ``root``, or None if there is none."""
        try:
            with open(os.path.join(root, LAYOUT_FILE)) as fp:
                return cls.from_json(fp.read())
        except FileNotFoundError:
            return None

    def env(self):
        """Return the ``KEY=value`` pairs ``start`` and ``status`` print.

        :returns: a list of (key, value) tuples, in output order
        """
        exchange = self.path('exchange')
        pairs = [
            ('OCX_DIR', self.root),
            ('OCX_AUTH_URL', self.exchange.url + '/auth/v1.0'),
            ('OCX_USER', TENANT_USER), ('OCX_KEY', TENANT_KEY),
            ('OCX_USER2', TENANT_USER2), ('OCX_KEY2', TENANT_KEY2),
            ('OCX_S3_ENDPOINT', self.exchange.url),
            ('OCX_S3_ACCESS_KEY', TENANT_USER),
            ('OCX_S3_SECRET_KEY', TENANT_KEY),
            ('OCX_RING', os.path.join(exchange, 'ocx.ring.gz')),
            ('OCX_RING_BUILDER', os.path.join(exchange, 'ocx.builder')),
            ('OCX_CLUSTER_CONF', os.path.join(exchange, 'ocx-clusters.conf')),
            ('OCX_POLICY_CONF', os.path.join(exchange, 'ocx-policies.conf')),
            ('OCX_PROXY_CONF', os.path.join(exchange, 'proxy-server.conf')),
        ]
        if self.tls:
            pairs.append(('OCX_CA_FILE', self.ca_file))
        for cluster in self.clusters:
            pairs += cluster_env(cluster)
        pairs += [('POLICY_%s' % name, options['kind'])
                  for name, options in example_policies(self.landlords)]
        return pairs


def cluster_env(cluster):
    """The ``KEY=value`` pairs of one cluster (``CLUSTER_<name>_*``)."""
    prefix = 'CLUSTER_%s_' % cluster.name
    return [(prefix + 'AUTH_URL', cluster.auth_url),
            (prefix + 'USER', TENANT_USER), (prefix + 'KEY', TENANT_KEY),
            (prefix + 'LANDLORD', cluster.landlord)]


def _salt():
    return secrets.token_hex(8)


def write_private(path, text):
    """Write ``text`` to ``path`` readable by its owner only (mode 0600),
    replacing the file at once (a running server may be reading it)."""
    tmp = '%s.%d.tmp' % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, 'w') as fp:
        fp.write(text)
    os.replace(tmp, path)


def format_env(pairs):
    """Return ``KEY=value`` text, one pair per line."""
    return ''.join('%s=%s\n' % pair for pair in pairs)


def parse_env(text):
    """Parse ``KEY=value`` lines, as printed by ``ocx-aio start``.

    Blank lines and ``#`` comments are skipped; a leading ``export`` and one
    level of matching quotes around the value are tolerated so that a file
    written for a shell also parses.

    :param text: the lines
    :returns: a dict
    :raises ValueError: on a line that is not ``KEY=value``
    """
    env = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        if line.startswith('export '):
            line = line[len('export '):].lstrip()
        key, sep, value = line.partition('=')
        key = key.strip()
        if not sep or not key or not key.replace('_', 'a').isalnum():
            raise ValueError('line %d is not KEY=value: %r' % (number, line))
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in '"\'':
            value = value[1:-1]
        env[key] = value
    return env
