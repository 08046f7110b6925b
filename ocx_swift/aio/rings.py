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

"""Ring files for ``ocx-aio``: Swift's rings per cluster, and the OCX ring."""

import os

from swift.common.ring import RingBuilder

from ocx_swift.aio.ports import LOOPBACK

SWIFT_RINGS = ('account', 'container', 'object')
# 2**6 partitions: plenty for one device, few directories to walk
PART_POWER = 6
OCX_PART_POWER = 14
DEVICE = 'd1'
# The exchange's proxy-server app loads account/container/object rings from
# its swift_dir at start-up although ocx answers every /v1 request itself, so
# it gets rings whose only device is 127.0.0.1:1, where nothing listens: a
# request that slipped past ocx fails instead of reaching some real server.
PLACEHOLDER_PORT = 1


def write_swift_ring(swift_dir, ring_name, port, part_power=PART_POWER):
    """Write ``<ring_name>.ring.gz``: one replica on one local device.

    :param swift_dir: the directory to write into
    :param ring_name: ``account``, ``container`` or ``object``
    :param port: the port of that ring's only server
    :returns: the ring file's path
    """
    builder = RingBuilder(part_power, 1, 1)
    builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': LOOPBACK,
                     'port': port, 'device': DEVICE, 'weight': 1.0})
    builder.rebalance(seed=1)
    path = os.path.join(swift_dir, '%s.ring.gz' % ring_name)
    builder.get_ring().save(path)
    return path


def write_swift_rings(swift_dir, ports_by_ring):
    """Write the three rings of a cluster unless they already exist.

    :param ports_by_ring: dict ring name -> server port
    """
    for ring_name in SWIFT_RINGS:
        if not os.path.exists(os.path.join(swift_dir,
                                           '%s.ring.gz' % ring_name)):
            write_swift_ring(swift_dir, ring_name, ports_by_ring[ring_name])


def write_placeholder_rings(swift_dir, n_policies=1):
    """Write the exchange's rings that point nowhere, with an object ring
    per storage policy.

    See :data:`PLACEHOLDER_PORT`.
    """
    write_swift_rings(swift_dir, dict.fromkeys(SWIFT_RINGS, PLACEHOLDER_PORT))
    for index in range(1, n_policies):
        ring_name = 'object-%d' % index
        if not os.path.exists(os.path.join(swift_dir,
                                           '%s.ring.gz' % ring_name)):
            write_swift_ring(swift_dir, ring_name, PLACEHOLDER_PORT)


def write_exchange_rings(swift_dir, n_policies, meta_ports):
    """The exchange's rings: account and container rings on its metadata
    tier's servers (rewritten each time: a set's ports never change),
    object rings (one per storage policy) pointing nowhere.

    :param meta_ports: dict ``account``/``container`` -> server port
    """
    for ring_name, port in meta_ports.items():
        write_swift_ring(swift_dir, ring_name, port)
    write_placeholder_rings(swift_dir, n_policies)


def write_ocx_ring(builder_path, ring_path, clusters):
    """Build the exchange's cluster ring unless its builder already exists.

    An existing builder is the operator's (``ocx-ring-builder`` may have
    changed it): it is never overwritten.

    :param clusters: :class:`~ocx_swift.aio.layout.ClusterLayout` objects
    """
    if os.path.exists(builder_path):
        return
    # imported here: the ring builder is optional for a clusters-only set
    from ocx_swift.ring.builder import ClusterRingBuilder
    builder = ClusterRingBuilder.create(part_power=OCX_PART_POWER, replicas=1)
    for cluster in clusters:
        builder.add_cluster(cluster.name, cluster.landlord, 1.0)
    builder.rebalance(seed=1)
    builder.save(builder_path)
    builder.write_ring(ring_path)
