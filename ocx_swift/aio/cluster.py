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

"""One landlord cluster of an ``ocx-aio`` set: files and processes.

A cluster lives in ``<DIR>/<name>/`` (``swift.conf``, rings, one config per
server) with its devices under the layout's storage directory. It runs a
memcached, an account, a container and an object server, a proxy-server
and, when asked, a container-updater that refreshes account stats and an
object-updater that makes container updates an object server had to defer.
"""

import os
import shutil
import sys

from ocx_swift.aio import certs, conf, layout as layout_mod, probe, rings
from ocx_swift.aio.ports import LOOPBACK
from ocx_swift.aio.procs import Service

STORAGE_SERVERS = ('account', 'container', 'object')
EXCHANGE_GROUPS = '.admin .reseller_admin'


def launcher_argv(swift_dir, server_type, conf_path):
    """The command that runs one Swift server (see :mod:`.launch`)."""
    return [sys.executable, '-m', 'ocx_swift.aio.launch',
            '--swift-dir', swift_dir, server_type, conf_path]


def memcached_service(name, port):
    """A private memcached on ``127.0.0.1:port`` (TCP only, 64 MiB)."""
    binary = shutil.which('memcached')
    if binary is None:
        raise RuntimeError('memcached not found on PATH (Debian package '
                           '"memcached")')
    argv = [binary, '-l', LOOPBACK, '-p', str(port), '-U', '0',
            '-m', '64', '-t', '1']
    if os.geteuid() == 0:
        argv += ['-u', conf.current_user()]  # memcached refuses bare root
    return Service(name, argv, probe.memcached(port))


def write_conf(path, sections):
    layout_mod.write_private(path, conf.render(sections))


def server_tls_files(layout, name):
    """``(cert_file, key_file)`` of server ``name`` of a TLS set (made
    once, by the set's CA), or None without TLS."""
    if not layout.tls:
        return None
    certs.ensure(layout.tls_dir, [name])
    return certs.pair_paths(layout.tls_dir, name)


class Cluster(object):
    """The files and services of one cluster.

    :param layout: the set's :class:`~ocx_swift.aio.layout.Layout`
    :param cluster: this cluster's
        :class:`~ocx_swift.aio.layout.ClusterLayout`
    :param updater_interval: seconds between container-updater sweeps;
        0 runs none
    """

    def __init__(self, layout, cluster, updater_interval=0, landlord=True):
        self.layout = layout
        self.cluster = cluster
        #: a landlord of an exchange gets metadata headroom; a plain
        #: cluster (``--no-exchange``) keeps Swift's stock limits
        self.landlord = landlord
        self.name = cluster.name
        self.swift_dir = layout.path(cluster.name)
        self.devices = layout.devices(cluster.name)
        self.updater_interval = updater_interval

    def conf_path(self, server):
        return os.path.join(self.swift_dir, '%s-server.conf' % server)

    def write_files(self):
        """Write swift.conf, server configs and (once) the rings."""
        os.makedirs(os.path.join(self.devices, rings.DEVICE), exist_ok=True)
        os.makedirs(conf.recon_cache_path(self.swift_dir), exist_ok=True)
        c = self.cluster
        write_conf(os.path.join(self.swift_dir, 'swift.conf'),
                   conf.swift_conf(c.hash_prefix, c.hash_suffix,
                                   landlord=self.landlord))
        for server in STORAGE_SERVERS:
            write_conf(self.conf_path(server), conf.storage_server_conf(
                server, self.swift_dir, c.ports[server], self.devices,
                '%s-%s' % (self.name, server), self.updater_interval))
        account, user = layout_mod.EXCHANGE_USER.split(':')
        write_conf(self.conf_path('proxy'), conf.proxy_conf(
            self.swift_dir, c.ports['proxy'], c.ports['memcache'],
            '%s-proxy' % self.name, conf.CLUSTER_PIPELINE,
            extra_users=[(account, user, c.exchange_key,
                          EXCHANGE_GROUPS)],
            tls_files=server_tls_files(self.layout, self.name)))
        rings.write_swift_rings(self.swift_dir, c.ports)

    def services(self):
        """The processes to start, memcached first."""
        c = self.cluster
        found = [memcached_service('%s-memcached' % self.name,
                                   c.ports['memcache'])]
        for server in STORAGE_SERVERS:
            found.append(Service(
                '%s-%s' % (self.name, server),
                launcher_argv(self.swift_dir, '%s-server' % server,
                              self.conf_path(server)),
                probe.healthcheck('http://%s:%d/healthcheck' % (
                    LOOPBACK, c.ports[server]))))
        found.append(Service(
            '%s-proxy' % self.name,
            launcher_argv(self.swift_dir, 'proxy-server',
                          self.conf_path('proxy')),
            probe.token(c.auth_url, layout_mod.EXCHANGE_USER,
                        c.exchange_key, ca_file=self.layout.ca_file)))
        if self.updater_interval > 0:
            for server in ('container', 'object'):
                found.append(Service(
                    '%s-%s-updater' % (self.name, server),
                    launcher_argv(self.swift_dir, '%s-updater' % server,
                                  self.conf_path(server)), None))
        return found
