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

"""The exchange's metadata tier, as background tools (``ocx-mover``,
``ocx-index``) reach it: straight to its container servers.

Reads ``swift.conf`` and ``container.ring.gz`` of the exchange's
``swift_dir`` (the ``[DEFAULT]`` ``swift_dir`` of its proxy-server.conf,
``/etc/swift`` by default; the process takes that ``swift.conf``'s hash
path salts, as the exchange's own servers do), and answers which policy
a container has, by the rule of :mod:`ocx_swift.storage.policy`: a
landlord never decides it.
"""

import configparser
import os

from swift.common.direct_client import ClientException, \
    direct_get_account, direct_head_container
from swift.common.exceptions import ConnectionTimeout
from swift.common.ring import Ring
from swift.common.storage_policy import parse_storage_policies
from eventlet import Timeout

from ocx_swift.aio.launch import use_swift_dir
from ocx_swift.exceptions import IndexUnavailable, PolicyUnverifiable
from ocx_swift.storage.index import ObjectIndex
from ocx_swift.storage.policy import resolve_policy


class MetadataTier(object):
    """The exchange's account and container servers, read directly.

    :param swift_dir: the exchange's swift_dir
    :param policies: the exchange's :class:`~ocx_swift.policy.PolicyMap`
    :param conn_timeout: seconds to connect to a container server
    :param node_timeout: seconds to wait for its answer
    """

    def __init__(self, swift_dir, policies, logger, conn_timeout=1.0,
                 node_timeout=10.0):
        self.swift_dir = swift_dir
        self.policies = policies
        # the container ring hashes with the exchange's hash path salts:
        # this (tool) process takes the exchange's swift.conf
        use_swift_dir(swift_dir)
        parser = configparser.ConfigParser()
        conf_path = os.path.join(swift_dir, 'swift.conf')
        if not parser.read(conf_path):
            raise PolicyUnverifiable('cannot read %s' % conf_path)
        self.swift_policies = parse_storage_policies(parser)
        self.ring = Ring(swift_dir, ring_name='container')
        self.account_ring = Ring(swift_dir, ring_name='account')
        self.conn_timeout = conn_timeout
        self.node_timeout = node_timeout
        self.index = ObjectIndex(self.ring, conn_timeout, node_timeout,
                                 logger)

    def container_headers(self, account, container):
        """The container's headers from one of its servers; None when
        it does not exist. Names are native strings (as listings give
        them).

        :raises IndexUnavailable: when none answered
        """
        part, nodes = self.ring.get_nodes(account, container)
        errors = []
        for node in nodes:
            try:
                return direct_head_container(
                    node, part, account, container,
                    conn_timeout=self.conn_timeout,
                    response_timeout=self.node_timeout)
            except ClientException as err:
                if err.http_status == 404:
                    return None
                errors.append('%s:%s %s' % (node['ip'], node['port'],
                                            err.http_status))
            except (Timeout, ConnectionTimeout, OSError) as err:
                errors.append('%s:%s %s' % (node['ip'], node['port'],
                                            err.__class__.__name__))
        raise IndexUnavailable('metadata tier unavailable (%s)'
                               % ', '.join(errors))

    def containers(self, account):
        """Yield the (native string) container names of an account, from
        its account servers.

        :raises IndexUnavailable: when none answered
        """
        part, nodes = self.account_ring.get_nodes(account)
        marker = ''
        while True:
            for node in nodes:
                try:
                    _headers, page = direct_get_account(
                        node, part, account, marker=marker, limit=1000,
                        conn_timeout=self.conn_timeout,
                        response_timeout=self.node_timeout)
                    break
                except ClientException as err:
                    if err.http_status == 404:
                        return
                except (Timeout, ConnectionTimeout, OSError):
                    pass
            else:
                raise IndexUnavailable('metadata tier unavailable: no '
                                       'account server of %s answered'
                                       % account)
            for entry in page:
                yield entry['name']
            if len(page) < 1000:
                return
            marker = page[-1]['name']

    def container_policy(self, account, container):
        """The exchange policy of a container, by the metadata tier.

        :raises PolicyUnverifiable: when the container is not in the tier
            or its policy is not one this exchange knows
        :raises IndexUnavailable: when the tier did not answer
        """
        headers = self.container_headers(account, container)
        if headers is None:
            raise PolicyUnverifiable('container not in the metadata tier')
        return resolve_policy(headers, self.policies, self.swift_policies)
