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
========================================
ocx-mover: objects to where the ring says
========================================

After a ring change (a cluster added, reweighted or drained), the objects
of moved partitions still sit where the previous ring put them; the OCX
proxies read them there (they fall back to the previous generation's
placement) until ``ocx-mover`` has moved them::

    ocx-mover --proxy-config /etc/swift/proxy-server.conf \\
        --account AUTH_alice --account AUTH_bob --state-dir /var/lib/ocx-mover

It reads what the proxies read, from ``[filter:ocx]`` of that
``proxy-server.conf`` or named one by one:

=====================  ===================================================
``--clusters``         ``cluster_conf_path``: every landlord cluster and
                       the exchange's service credentials on it
``--ring``             ``ring_path``: the cluster ring (read once; a run
                       stops if the file changes under it)
``--policies``         ``policy_conf_path``: the policy map (each
                       container's policy is the one stamped on it)
``--reload-wait``      ``ring_check_interval``: how long proxies may take
                       to load a new ring; the mover waits that long
                       after the ring file was written before it moves
                       anything, so no proxy on the old ring misses a
                       moved object
=====================  ===================================================

Landlords grant the exchange a reseller-admin credential, which lists an
account's containers but not the accounts themselves: the accounts to
walk are given (``--account``, repeatable), or ``--all-accounts`` takes
every account of the exchange's metadata tier from its account
databases on the host the mover runs on (one holding every account
partition; the ring's devices it lacks are named,
:mod:`ocx_swift.mover.accounts`).

What it does, for each account: lists the containers on every configured
cluster and creates each, with its metadata (the exchange's policy stamp
included), on every ring cluster that lacks it; then walks every object
of every container on every cluster (paged listings, merged by stored
name: with ``hide_names`` the stored name is an opaque hash and placement
is computed on it, so the mover never needs real names) and moves each
object not where its container's policy places it:

* replicated and pinned policies: a copy on each of the placement's
  clusters (copied from any cluster holding the newest version), none
  elsewhere;
* split policies: a different share on each of the placement's clusters
  (each share's index is read from its header; readers find shares by
  it), none elsewhere. A share already on the placement stays where it
  is, and a landlord never gets a second share of one object: a cluster
  joining the placement gets the share its landlord already holds, or
  one its landlord never held (:mod:`ocx_swift.mover.plan`).

A move copies (GET, then PUT with the same stored name, the stored
headers and the source's ETag, which the target verifies), then deletes
the misplaced piece only if it is still the version copied
(:mod:`ocx_swift.mover.engine`); a client's concurrent write or delete is
never undone. Decisions are pure functions (:mod:`ocx_swift.mover.plan`).

``--dry-run`` looks at every object (whatever the journal says) and
reports what would be copied and deleted, and changes nothing (exit 0
unless a cluster failed).
``--max-rate`` caps copies per second, ``--concurrency`` the objects
moved at once. A journal in ``--state-dir``
(:mod:`ocx_swift.mover.journal`) records finished containers and, within
a container, the last finished name: after a kill, the next run resumes
there (and any step it repeats is harmless). ``--fresh`` ignores it.

The progress bar (stderr) counts objects examined against the metadata
tier's object count of the containers to walk, with an ETA. The report
(stdout; ``--report-json`` writes it as JSON too, keyed by cluster names)
gives the objects examined per outcome, names those left blocked or
changed and why, and the pieces and bytes copied per source and target
cluster and landlord (:mod:`ocx_swift.mover.report`).

Containers come from the landlords' account listings, which their
container-updaters fill in the background: one created within the last
updater interval may be missed; run the mover again (``--fresh``) a
while later.

Exit codes: 0 everything is where it belongs (or, for ``--dry-run``,
everything was looked at); 1 errors, or objects left for a later run
(changed or blocked during the run); 2 a usage or config error (nothing
was done).
"""
