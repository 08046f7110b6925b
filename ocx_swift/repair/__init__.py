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
=============================================
ocx-repair: every object back to its policy
=============================================

Landlords fail: a write while a cluster was down left a copy on a handoff
(or fewer copies, down to the policy's ``min_copies``), a delete left the
copy the stopped cluster still holds. ``ocx-repair`` works from the
exchange's object index, the record of what exists::

    ocx-repair --proxy-config /etc/swift/proxy-server.conf \\
        --account AUTH_alice --account AUTH_bob

It reads what the proxies read (``[filter:ocx]`` of that
``proxy-server.conf``: clusters, ring, policies, root secret; its
``swift_dir``: the metadata tier's rings).

For each container of each account (from the metadata tier) of a
replicated or pinned policy, and each object row of the index
(:mod:`ocx_swift.repair.replicas`):

* every cluster of the object's placement, and every cluster the row
  records, is asked for its copy (HEAD); a copy counts when its state tag
  verifies and its timestamp is the row's;
* a placement cluster without a good copy gets one: a good copy is read
  (its bytes checked against the row's MD5) and written there with the
  headers it was stored with (its tag among them); the landlord's
  container is created when missing;
* once every placement cluster holds a good copy, copies elsewhere (on
  handoffs) are deleted and the row records the placement.

Then every landlord cluster's listing of the container is compared with
the index (:mod:`ocx_swift.repair.sweep`): a copy whose name has no row
(an object deleted while its cluster was down; a failed write's
leftover), older than ``--grace`` seconds by the landlord's clock and
still without a row when asked again, is deleted.

With ``--audit FRACTION`` that share of the objects (1: all) is read
back whole from every cluster asked, and its bytes checked against the
row's MD5 (a landlord can change bytes without breaking the state tag,
which does not cover them): the report counts per cluster and landlord
the copies checked, missing, stale (another version, a bad tag) and
corrupt, each is logged with the landlord's name, and every one of them
is made again from a good copy. ``--max-rate`` caps objects per second.

For a split container (:mod:`ocx_swift.repair.shares`), the shares of
the row's version are looked for where the row records them and on the
placement (share header and state tag verified); a missing ``aont-rs``
share is rebuilt from k others, byte for byte as the PUT made it, and
written to a cluster of a landlord holding no share of the object (the
placement's, else a handoff); the row then records where every share is.
An ``xor`` object with a share missing cannot be rebuilt (counted
``unrebuildable``); one with fewer than k shares left is ``lost``.

Nothing is changed for an object one of whose clusters did not answer:
it is counted ``unreachable`` and the next run repairs it. Objects no
good copy is left of are counted ``lost`` (logged with their names).

``--all-accounts`` walks every account of the metadata tier (see
:mod:`ocx_swift.mover.accounts`); ``--shard I/N`` takes only the objects
whose path hashes to share I of N, so N hosts can share the work (the
landlords' listings are swept by shard 0); ``--interval SECONDS`` makes it
a daemon that starts a pass every SECONDS. ``--dry-run`` reports what
would be done. The report (stdout;
``--report-json`` writes it as JSON) counts objects per outcome and
copies made and deleted per cluster. Exit codes: 0 every object is where
its policy wants it, 1 something is left (unreachable, lost, errors),
2 usage or config error.
"""
