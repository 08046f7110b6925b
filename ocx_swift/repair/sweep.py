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

"""Copies landlords hold that the object index does not know.

A cluster that was down while an object was deleted still holds its copy;
a write that failed may have left one. :func:`sweep_container` walks one
cluster's listing of a container next to the index's rows (both sorted
by name) and deletes every copy whose name has no row, once the landlord
says it is older than the grace period and the index, asked again right
before, still has no row (a write under way stores its copies before its
row).
"""

import time

from swift.common.swob import str_to_wsgi

from ocx_swift.mover import backend

#: seconds a copy without a row is left alone (a write under way)
DEFAULT_GRACE = 300


def orphans(entries, names):
    """The landlord entries whose name is not in the sorted ``names``
    (both iterables sorted by name, as Swift lists them)."""
    names = iter(names)
    current = next(names, None)
    for entry in entries:
        name = entry['name']
        while current is not None and _key(current) < _key(name):
            current = next(names, None)
        if current != name:
            yield entry


def _key(name):
    # Swift lists by UTF-8 bytes
    return name.encode('utf-8')


def sweep_container(client, index, account, container, report, logger,
                    grace=DEFAULT_GRACE, dry_run=False, now=None):
    """Delete what ``client``'s cluster holds of a container without a
    row in the index; returns how many copies were (or would be)
    deleted.

    :raises ClusterUnavailable: when the cluster did not answer
    :raises IndexUnavailable: when the metadata tier did not
    """
    now = time.time() if now is None else now
    wsgi = (str_to_wsgi(account), str_to_wsgi(container))
    rows = (row.name for row in index.rows(*wsgi))
    deleted = 0
    for entry in orphans(backend.object_entries(client, account, container),
                         rows):
        if now - backend.entry_time(entry) < grace:
            continue
        if index.lookup(*wsgi, str_to_wsgi(entry['name'])) is not None:
            continue  # written meanwhile
        path = backend.object_path(account, container, entry['name'])
        deleted += 1
        if dry_run:
            report.deleted(client.name)
            continue
        try:
            backend.check(client, client.request('DELETE', path), 'DELETE',
                          path, allowed=(404,)).close()
        except backend.Refused as err:
            logger.warning('%s: %s', path, err)
            continue
        logger.info('%s: deleted from %s (not in the index)', path,
                    client.name)
        report.deleted(client.name)
    return deleted
