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

"""How many objects a landlord cluster still holds for some accounts.

``ocx-ring-builder remove`` asks before it drops a cluster from the ring.
Two figures per account, both from the cluster itself:

* the account's ``X-Account-Object-Count``, which the landlord's
  container-updater refreshes in the background (it may lag minutes);
* the sum of ``X-Container-Object-Count`` over the account's containers,
  which each object PUT and DELETE updates at once.

The second decides; the first is shown when the two disagree.
"""

import collections

from ocx_swift.client import ClusterClient, ClusterErrorLimiter, Timeouts
from ocx_swift.mover import backend

TIMEOUTS = Timeouts(conn=5.0, node=30.0, listing=30.0)

Census = collections.namedtuple('Census', 'account account_count objects '
                                'busy_containers')
Census.__doc__ = """One account on one cluster: the account's own object
count, the objects its containers hold, and ``(container, count)`` of the
containers holding any."""


def client_for(cluster_conf, logger=None):
    """A client for one configured cluster (no error limiting)."""
    return ClusterClient(cluster_conf, TIMEOUTS,
                         ClusterErrorLimiter(0, 1000), pool_size=2,
                         logger=logger, user_agent='ocx-ring-builder')


def count(client, account):
    """Count what ``client``'s cluster holds for ``account``.

    :returns: a :class:`Census`
    :raises ClusterUnavailable: when the cluster fails
    :raises backend.Refused: on another unusable answer
    """
    headers = backend.head(client, backend.account_path(account))
    if headers is None:
        return Census(account, 0, 0, [])
    account_count = int(headers.get('x-account-object-count', 0) or 0)
    busy = []
    for container in backend.container_names(client, account):
        found = backend.head(client,
                             backend.container_path(account, container))
        held = int((found or {}).get('x-container-object-count', 0) or 0)
        if held:
            busy.append((container, held))
    return Census(account, account_count, sum(n for _c, n in busy), busy)
