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

"""The OCX proxy of an ``ocx-aio`` set: files and processes.

It lives in ``<DIR>/exchange/``: its own ``swift.conf``, a proxy-server
config whose pipeline runs ``ocx``, the cluster config ``ocx-clusters.conf``
(mode 0600: it holds the exchange's keys) and the OCX ring. It has its own
memcached: info-cache keys carry no cluster name, so a cache shared with a
landlord would mix their answers.

Its **metadata tier** is an account server and a container server of its
own (devices under ``<storage>/exchange``), on the exchange's account and
container rings, with a container-updater for account stats: accounts,
containers and the object index live there, never on a landlord. The
object rings point nowhere (see :data:`~ocx_swift.aio.rings.PLACEHOLDER_PORT`):
objects go to landlords through ``ocx``.
"""

import base64
import os

from ocx_swift.aio import conf, layout as layout_mod, probe, rings
from ocx_swift.aio.cluster import launcher_argv, memcached_service, \
    server_tls_files, write_conf
from ocx_swift.aio.ports import LOOPBACK
from ocx_swift.aio.procs import Service

CLUSTER_CONF = 'ocx-clusters.conf'
POLICY_CONF = 'ocx-policies.conf'
SECRET_FILE = 'split-root-secret'
RING = 'ocx.ring.gz'
BUILDER = 'ocx.builder'
# one forked worker: the production path (loadapp runs in the parent and
# again in the worker), and cheap on a small machine
WORKERS = 1


class Exchange(object):
    """The files and services of the OCX proxy.

    :param layout: the set's :class:`~ocx_swift.aio.layout.Layout`
    :param updater_interval: seconds between container-updater sweeps of
        the metadata tier (account stats); 0 runs none
    """

    def __init__(self, layout, updater_interval=0):
        self.layout = layout
        self.updater_interval = updater_interval
        self.swift_dir = layout.path('exchange')
        self.devices = layout.devices('exchange')
        self.conf_path = os.path.join(self.swift_dir, 'proxy-server.conf')
        self.cluster_conf_path = os.path.join(self.swift_dir, CLUSTER_CONF)
        self.ring_path = os.path.join(self.swift_dir, RING)
        self.builder_path = os.path.join(self.swift_dir, BUILDER)
        self.policy_conf_path = os.path.join(self.swift_dir, POLICY_CONF)
        self.policies = conf.example_policies(layout.landlords)

    def split_root_secret(self):
        """The set's split storage root secret, made once (mode 0600):
        split objects stay readable across restarts."""
        path = os.path.join(self.swift_dir, SECRET_FILE)
        try:
            with open(path) as fp:
                return fp.read().strip()
        except FileNotFoundError:
            secret = base64.b64encode(os.urandom(32)).decode('ascii')
            layout_mod.write_private(path, secret + '\n')
            return secret

    def meta_ports(self):
        ex = self.layout.exchange
        return {'account': ex.account_port, 'container': ex.container_port}

    def meta_conf_path(self, server):
        return os.path.join(self.swift_dir, '%s-server.conf' % server)

    def write_files(self):
        """Write configs, rings and (once) the OCX ring."""
        ex = self.layout.exchange
        os.makedirs(os.path.join(self.devices, rings.DEVICE), exist_ok=True)
        os.makedirs(conf.recon_cache_path(self.swift_dir), exist_ok=True)
        for server, port in self.meta_ports().items():
            write_conf(self.meta_conf_path(server), conf.storage_server_conf(
                server, self.swift_dir, port, self.devices,
                'exchange-%s' % server, self.updater_interval))
        write_conf(os.path.join(self.swift_dir, 'swift.conf'),
                   conf.swift_conf(ex.hash_prefix, ex.hash_suffix,
                                   policies=[p for p, _o in self.policies]))
        write_conf(self.policy_conf_path, conf.policy_conf(self.policies))
        self.write_cluster_conf()
        write_conf(self.conf_path, conf.proxy_conf(
            self.swift_dir, ex.port, ex.memcache_port, 'exchange-proxy',
            conf.EXCHANGE_PIPELINE, workers=WORKERS,
            tls_files=server_tls_files(self.layout, 'exchange'),
            extra_filters=[conf.ocx_filter(
                self.cluster_conf_path, self.ring_path,
                self.policy_conf_path, self.split_root_secret()),
                conf.s3location_filter(self.policy_conf_path)]))
        rings.write_exchange_rings(self.swift_dir, len(self.policies),
                                   self.meta_ports())
        rings.write_ocx_ring(self.builder_path, self.ring_path,
                             self.layout.clusters)

    def write_cluster_conf(self):
        """Write ``ocx-clusters.conf`` for every cluster of the layout."""
        write_conf(self.cluster_conf_path, conf.cluster_conf(
            self.layout.clusters, layout_mod.EXCHANGE_USER,
            ca_file=self.layout.ca_file))

    def services(self):
        """The processes to start, memcached first."""
        ex = self.layout.exchange
        found = [memcached_service('exchange-memcached', ex.memcache_port)]
        for server, port in self.meta_ports().items():
            found.append(Service(
                'exchange-%s' % server,
                launcher_argv(self.swift_dir, '%s-server' % server,
                              self.meta_conf_path(server)),
                probe.healthcheck('http://%s:%d/healthcheck' % (
                    LOOPBACK, port))))
        if self.updater_interval > 0:
            found.append(Service(
                'exchange-container-updater',
                launcher_argv(self.swift_dir, 'container-updater',
                              self.meta_conf_path('container')), None))
        return found + [
            Service('exchange-proxy',
                    launcher_argv(self.swift_dir, 'proxy-server',
                                  self.conf_path),
                    probe.token(ex.url + '/auth/v1.0',
                                layout_mod.TENANT_USER,
                                layout_mod.TENANT_KEY,
                                ca_file=self.layout.ca_file)),
        ]
