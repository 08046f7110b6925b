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

"""Pure N-way merges of landlord listings.

Every landlord returns its part of a listing already sorted (ascending, or
descending with ``reverse``) and already filtered by ``marker``,
``end_marker``, ``prefix`` and ``delimiter``, each at most ``limit`` long.
Merging the parts and cutting at ``limit`` is then exactly the listing one
cluster holding all the entries would return: any entry of the true first
``limit`` is within the first ``limit`` of its own landlord's part.

Names here are native (JSON) strings. Nothing here does I/O.
"""

import bisect
import heapq


def entry_key(entry):
    """The sort key of a listing entry: its ``name`` or ``subdir``."""
    name = entry.get('name')
    return entry['subdir'] if name is None else name


def _merged(listings, reverse):
    # Swift sorts listings by the UTF-8 bytes of names; for str that is the
    # same order as code points, so plain str comparison matches.
    return heapq.merge(*listings, key=entry_key, reverse=reverse)


def merge_object_listings(listings, limit, reverse=False):
    """Merge container listings of several landlords.

    A name present on more than one landlord (a stale copy, or a
    ``subdir`` every landlord reports) is listed once: the first
    ``subdir`` wins, and between objects the newest ``last_modified``.

    :param listings: lists of entry dicts, each sorted as the backends
                     return them
    :param limit: the most entries to return
    :param reverse: True when the parts are in descending order
    :returns: the merged list
    """
    out = []
    for entry in _merged(listings, reverse):
        if out and entry_key(out[-1]) == entry_key(entry):
            if _newer(entry, out[-1]):
                out[-1] = entry
            continue
        if len(out) >= limit:
            break
        out.append(entry)
    return out


def _newer(entry, current):
    if 'subdir' in current or 'subdir' in entry:
        return False
    return entry.get('last_modified', '') > current.get('last_modified', '')


def merge_account_listings(listings, limit, reverse=False):
    """Merge account listings of several landlords.

    Every landlord holds each container of the account; a container's
    ``count`` and ``bytes`` are summed over the landlords and its
    ``last_modified`` is the latest.

    :param listings: lists of entry dicts (``name``, ``count``, ``bytes``,
                     ``last_modified``, or ``subdir``), each sorted
    :param limit: the most entries to return
    :param reverse: True when the parts are in descending order
    :returns: the merged list (new dicts; inputs are not changed)
    """
    out = []
    for entry in _merged(listings, reverse):
        if out and entry_key(out[-1]) == entry_key(entry):
            _add_container_stats(out[-1], entry)
            continue
        if len(out) >= limit:
            break
        out.append(dict(entry))
    return out


def _add_container_stats(total, entry):
    if 'subdir' in total:
        return
    total['count'] = total.get('count', 0) + entry.get('count', 0)
    total['bytes'] = total.get('bytes', 0) + entry.get('bytes', 0)
    if entry.get('last_modified', '') > total.get('last_modified', ''):
        total['last_modified'] = entry['last_modified']


def filter_object_listing(entries, limit, marker='', end_marker='',
                          prefix=None, delimiter=None, reverse=False):
    """One page of a container listing from all of its entries.

    For containers whose landlords cannot filter (hidden names: they
    hold keyed hashes, so the exchange sorts the real names itself). The
    rules are those of Swift's ``ContainerBroker.list_objects_iter``.

    :param entries: every entry dict (``name`` key), sorted by name,
                    names unique
    :returns: the page, a list of entry dicts and ``{'subdir': ...}``
    """
    names = [e['name'] for e in entries]
    if reverse:
        marker, end_marker = end_marker, marker
    if delimiter and not prefix:
        prefix = ''
    end_prefix = prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None
    if marker and (not prefix or marker >= prefix):
        lo = bisect.bisect_right(names, marker)
    elif prefix:
        lo = bisect.bisect_left(names, prefix)
    else:
        lo = 0
    if end_marker and (not prefix or end_marker < end_prefix):
        hi = bisect.bisect_left(names, end_marker)
    elif prefix:
        hi = bisect.bisect_left(names, end_prefix)
    else:
        hi = len(names)
    if prefix is None or not delimiter:
        window = entries[lo:hi]
        return (window[::-1] if reverse else window)[:limit]
    return _delimited(entries, names, lo, hi, limit, prefix, delimiter,
                      reverse, marker)


def _delimited(entries, names, lo, hi, limit, prefix, delimiter, reverse,
               orig_marker):
    results = []
    while lo < hi and len(results) < limit:
        i = hi - 1 if reverse else lo
        name = names[i]
        end = name.find(delimiter, len(prefix))
        if end < 0:
            results.append(entries[i])
            if reverse:
                hi -= 1
            else:
                lo += 1
            continue
        dir_name = name[:end + len(delimiter)]
        if dir_name != orig_marker:
            results.append({'subdir': dir_name})
        if reverse:
            hi = bisect.bisect_left(names, dir_name, lo, hi)
        else:
            after = name[:end] + delimiter[:-1] + \
                chr(ord(delimiter[-1]) + 1)
            lo = bisect.bisect_left(names, after, lo, hi)
    return results
