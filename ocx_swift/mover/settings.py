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

"""The exchange's config files, as the mover reads them.

The mover reads what the OCX proxies read: the cluster config (credentials
of every landlord cluster), the cluster ring and the policy map; either
named one by one, or from the ``[filter:ocx]`` section of a proxy's
``proxy-server.conf`` (``cluster_conf_path``, ``ring_path``,
``policy_conf_path`` and ``ring_check_interval``), with the named ones
taking precedence.
"""

import collections

from ocx_swift.config import load_cluster_config, read_ini
from ocx_swift.exceptions import OcxConfigError
from ocx_swift.policy import load_policy_config
from ocx_swift.ring.ring import DEFAULT_RELOAD_TIME, ClusterRing, \
    ring_clusters

#: the proxy's defaults (see ocx_swift.middleware)
DEFAULT_CLUSTER_CONF = '/etc/swift/ocx-clusters.conf'
DEFAULT_RING = '/etc/swift/ocx.ring.gz'
#: the mover reads one ring for a whole run
NEVER = 10 ** 9

Settings = collections.namedtuple(
    'Settings', 'clusters ring ring_path policies ring_check_interval '
    'swift_dir')
Settings.__new__.__defaults__ = ('/etc/swift',)
Settings.__doc__ = """Everything the mover needs to know about the exchange:
the :class:`~ocx_swift.config.ClusterCollection`, the
:class:`~ocx_swift.ring.ring.ClusterRing` (never reloaded during a run) and
its path, the :class:`~ocx_swift.policy.PolicyMap` and the proxies'
``ring_check_interval``, and the exchange's ``swift_dir`` (its metadata
tier's rings and ``swift.conf``: containers' policies come from there)."""


def read_filter_section(path):
    """The options of ``[filter:ocx]`` in a proxy-server.conf.

    :raises OcxConfigError: when the file or section cannot be read
    """
    parser = read_ini(path, 'proxy config')
    if not parser.has_section('filter:ocx'):
        raise OcxConfigError('%s has no [filter:ocx] section' % path)
    return dict(parser.items('filter:ocx'))


def _interval(text, source):
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value < 0:
        raise OcxConfigError('%s: ring_check_interval must be a '
                             'non-negative number, got %r' % (source, text))
    return value


def load(proxy_config=None, clusters=None, ring=None, policies=None):
    """Read and check the config files.

    :param proxy_config: a proxy-server.conf whose ``[filter:ocx]`` names
        the other files
    :param clusters: the cluster config (overrides the proxy's)
    :param ring: the ring file (overrides the proxy's)
    :param policies: the policy file (overrides the proxy's)
    :returns: :class:`Settings`
    :raises OcxConfigError: on a file that cannot be read or used, or a
        ring naming a cluster without credentials
    """
    conf = read_filter_section(proxy_config) if proxy_config else {}
    interval = _interval(conf.get('ring_check_interval',
                                  str(DEFAULT_RELOAD_TIME)),
                         proxy_config or 'default')
    cluster_conf = load_cluster_config(
        clusters or conf.get('cluster_conf_path', DEFAULT_CLUSTER_CONF))
    policy_map = load_policy_config(
        policies or conf.get('policy_conf_path', '').strip(), 'default')
    ring_path = ring or conf.get('ring_path', DEFAULT_RING)
    cluster_ring = ClusterRing(ring_path, reload_time=NEVER)
    check_ring(cluster_ring, cluster_conf, policy_map)
    return Settings(cluster_conf, cluster_ring, ring_path, policy_map,
                    interval, conf.get('swift_dir', '/etc/swift'))


def check_ring(cluster_ring, cluster_conf, policy_map):
    """Refuse a ring the mover cannot serve.

    :raises OcxConfigError: naming clusters without credentials, or
        policies the ring cannot place
    """
    data = cluster_ring.ring_data
    try:
        cluster_conf.check_ring(ring_clusters(data))
    except OcxConfigError as err:
        raise OcxConfigError('ring %s: %s' % (cluster_ring.path, err))
    policy_map.check_ring(cluster_ring.clusters,
                          [c.name for c in cluster_conf])
