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

"""The N-way listing merge equals one Swift container's listing.

The reference is Swift's own ContainerBroker (sqlite, in memory): every
name goes into one broker holding all of them and into one of several
brokers standing for the landlords; each landlord broker's page with the
same parameters is merged and must equal the single broker's page.
"""

import random

import pytest
from swift.common.utils import Timestamp
from swift.container.backend import ContainerBroker

from ocx_swift.listing import filter_object_listing, \
    merge_account_listings, merge_object_listings

NAMES = [
    'a', 'a/', 'a/b', 'a/b/c', 'a/c', 'ab', 'b', 'b/x', 'b/y/z',
    'caf\u00e9', 'caf\u00e9/cr\u00e8me', 'dir/', 'dir/f 1', 'dir/f 2',
    'dir/sub/f', 'dir0', 'dir/\u65e5\u672c', 'z', 'z/\U0001f600', '~',
    'x-1', 'x-10', 'x-2', 'x/', 'x//y', 'space name', 'space/ name',
]


def make_broker(path):
    broker = ContainerBroker(str(path), account='a', container='c')
    broker.initialize(Timestamp.now().internal, 0)
    return broker


def put(broker, name, stamp):
    broker.put_object(name, Timestamp(stamp).internal, len(name),
                      'text/plain', 'etag-%s' % name)


def listing(broker, **params):
    rows = broker.list_objects_iter(
        params.get('limit', 10000), params.get('marker', ''),
        params.get('end_marker', ''), params.get('prefix'),
        params.get('delimiter'), reverse=params.get('reverse', False))
    # a subdir row is [name, '0', 0, None, '']
    return [{'subdir': r[0]} if r[1] == '0' and r[3] is None
            else {'name': r[0]} for r in rows]


@pytest.fixture(scope='module')
def brokers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('brokers')
    rng = random.Random(7)
    whole = make_broker(tmp / 'whole.db')
    parts = [make_broker(tmp / ('part%d.db' % i)) for i in range(3)]
    for i, name in enumerate(NAMES):
        put(whole, name, 1000 + i)
        put(parts[rng.randrange(3)], name, 1000 + i)
    return whole, parts


PARAMS = []
for reverse in (False, True):
    for limit in (1, 2, 3, 5, 100):
        PARAMS.append(dict(limit=limit, reverse=reverse))
        PARAMS.append(dict(limit=limit, reverse=reverse, delimiter='/'))
        PARAMS.append(dict(limit=limit, reverse=reverse, prefix='dir/',
                           delimiter='/'))
        PARAMS.append(dict(limit=limit, reverse=reverse, marker='b',
                           end_marker='x-2'))
        PARAMS.append(dict(limit=limit, reverse=reverse, marker='a/',
                           delimiter='/'))
        PARAMS.append(dict(limit=limit, reverse=reverse, prefix='caf\u00e9'))


@pytest.mark.parametrize('params', PARAMS, ids=lambda p: repr(p))
def test_merge_equals_single_container(brokers, params):
    whole, parts = brokers
    expected = listing(whole, **params)
    merged = merge_object_listings(
        [listing(b, **params) for b in parts], params['limit'],
        params.get('reverse', False))
    assert merged == expected


MORE_PARAMS = [
    dict(limit=100, prefix='a'), dict(limit=100, prefix='a', delimiter='/'),
    dict(limit=100, marker='dir/', delimiter='/', prefix='dir/'),
    dict(limit=100, end_marker='dir/', delimiter='/'),
    dict(limit=100, reverse=True, end_marker='a/', delimiter='/'),
    dict(limit=100, marker='zz'), dict(limit=100, prefix='x', marker='a'),
    dict(limit=100, prefix='dir/', end_marker='dir/sub'),
    dict(limit=3, delimiter='-'), dict(limit=100, delimiter='/', marker='~'),
]


@pytest.mark.parametrize('params', PARAMS + MORE_PARAMS,
                         ids=lambda p: repr(p))
def test_filter_of_all_entries_equals_single_container(brokers, params):
    whole, _parts = brokers
    expected = listing(whole, **params)
    entries = [{'name': n} for n in sorted(NAMES)]
    assert filter_object_listing(
        entries, params['limit'], params.get('marker', ''),
        params.get('end_marker', ''), params.get('prefix'),
        params.get('delimiter'), params.get('reverse', False)) == expected


@pytest.mark.parametrize('reverse', [False, True])
@pytest.mark.parametrize('delimiter', [None, '/'])
def test_paging_walks_the_whole_listing(brokers, reverse, delimiter):
    whole, parts = brokers
    expected = listing(whole, reverse=reverse, delimiter=delimiter)
    seen, marker = [], ''
    for _ in range(len(NAMES) + 1):
        params = dict(limit=4, marker=marker, reverse=reverse,
                      delimiter=delimiter)
        page = merge_object_listings(
            [listing(b, **params) for b in parts], 4, reverse)
        if not page:
            break
        seen.extend(page)
        last = page[-1]
        marker = last.get('name', last.get('subdir'))
    assert seen == expected
    assert len(seen) > 4  # really paged


def test_duplicate_object_newest_wins():
    old = {'name': 'o', 'last_modified': '2026-01-01T00:00:00.000000',
           'hash': 'old'}
    new = {'name': 'o', 'last_modified': '2026-02-01T00:00:00.000000',
           'hash': 'new'}
    assert merge_object_listings([[old], [new]], 10) == [new]
    assert merge_object_listings([[new], [old]], 10) == [new]


def test_subdir_reported_by_every_landlord_listed_once():
    listings = [[{'subdir': 'a/'}, {'name': 'b'}],
                [{'subdir': 'a/'}], [{'name': 'a'}, {'subdir': 'a/'}]]
    assert merge_object_listings(listings, 10) == [
        {'name': 'a'}, {'subdir': 'a/'}, {'name': 'b'}]


def test_account_merge_sums_and_keeps_latest():
    one = [{'name': 'c\u00e9', 'count': 2, 'bytes': 10,
            'last_modified': '2026-01-01T00:00:00.000000'},
           {'name': 'd', 'count': 1, 'bytes': 1,
            'last_modified': '2026-01-01T00:00:00.000000'}]
    two = [{'name': 'c\u00e9', 'count': 3, 'bytes': 5,
            'last_modified': '2026-03-01T00:00:00.000000'}]
    merged = merge_account_listings([one, two], 1)
    assert merged == [{'name': 'c\u00e9', 'count': 5, 'bytes': 15,
                       'last_modified': '2026-03-01T00:00:00.000000'}]
    assert one[0]['count'] == 2  # inputs untouched


def test_account_merge_sums_duplicates_at_the_limit():
    one = [{'name': 'a', 'count': 1, 'bytes': 1}]
    two = [{'name': 'a', 'count': 4, 'bytes': 4},
           {'name': 'b', 'count': 1, 'bytes': 1}]
    assert merge_account_listings([one, two], 1) == [
        {'name': 'a', 'count': 5, 'bytes': 5}]
