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

"""Listings through the exchange equal one Swift cluster's listings.

The same names go into a container through the exchange (spread over the
landlords) and into a container of a single landlord cluster directly;
every listing query must give the same names in the same order.
"""

from urllib.parse import urlencode

import pytest

from tests.functional import names

NAMES = sorted(set([
    'a', 'a/', 'a/b', 'a/b/c', 'a/c', 'ab', 'b/x', 'b/y/z', 'caf\u00e9',
    'caf\u00e9/cr\u00e8me br\u00fbl\u00e9e', 'dir/f 1', 'dir/f 2',
    'dir/sub/f', 'dir0', 'dir/\u65e5\u672c', 'z/\U0001f600', 'x-1', 'x-10',
    'x-2', 'x//y', 'space name', 'space/ name', '\u00fcber/alles',
] + ['many/%03d \u00e9' % i for i in range(40)]))

QUERIES = [
    {}, {'delimiter': '/'}, {'prefix': 'dir/'},
    {'prefix': 'dir/', 'delimiter': '/'}, {'marker': 'b'},
    {'marker': 'a/', 'delimiter': '/'}, {'end_marker': 'many/010'},
    {'marker': 'ab', 'end_marker': 'x-1'}, {'limit': '7'},
    {'reverse': 'true'}, {'reverse': 'true', 'delimiter': '/'},
    {'reverse': 'true', 'marker': 'many/020', 'limit': '5'},
    {'prefix': 'caf\u00e9'}, {'prefix': 'many/', 'limit': '13',
                              'marker': 'many/005 \u00e9'},
]


def entry_names(listing):
    return [e.get('name', e.get('subdir')) for e in listing]


@pytest.fixture(scope='module')
def pair(swift_conn, cluster_conns):
    """(exchange container, single-cluster connection, its container)"""
    ocx_name = names.container('listing')
    single = cluster_conns[sorted(cluster_conns)[0]]
    single_name = names.container('reference')
    swift_conn.put_container(ocx_name)
    single.put_container(single_name)
    for name in NAMES:
        swift_conn.put_object(ocx_name, name, name.encode('utf-8'))
        single.put_object(single_name, name, name.encode('utf-8'))
    yield ocx_name, single, single_name
    names.empty_and_delete(swift_conn, ocx_name)
    names.empty_and_delete(single, single_name)


@pytest.mark.parametrize('query', QUERIES, ids=repr)
def test_listing_equals_single_cluster(swift_conn, pair, query):
    ocx_name, single, single_name = pair
    query_string = urlencode(query)
    _h, got = swift_conn.get_container(ocx_name, query_string=query_string)
    _h, want = single.get_container(single_name,
                                    query_string=query_string)
    assert entry_names(got) == entry_names(want)
    # same entry contents (hash, bytes, content type) name by name
    strip = [{k: v for k, v in e.items() if k != 'last_modified'}
             for e in got]
    assert strip == [{k: v for k, v in e.items() if k != 'last_modified'}
                     for e in want]


def test_full_listing_pages(swift_conn, pair):
    ocx_name, _single, _single_name = pair
    seen, marker = [], ''
    for _ in range(len(NAMES)):
        _h, page = swift_conn.get_container(ocx_name, marker=marker,
                                            limit=6)
        if not page:
            break
        seen.extend(entry_names(page))
        marker = seen[-1]
    assert seen == NAMES
    _h, everything = swift_conn.get_container(ocx_name, full_listing=True)
    assert entry_names(everything) == NAMES


def test_spread_over_landlords(pair, cluster_conns):
    ocx_name = pair[0]
    per_cluster = {}
    for name, conn in cluster_conns.items():
        _h, listing = conn.get_container(ocx_name, full_listing=True)
        per_cluster[name] = set(entry_names(listing))
    everywhere = set().union(*per_cluster.values())
    assert everywhere == set(NAMES)
    assert sum(len(v) for v in per_cluster.values()) == len(NAMES)
    assert all(per_cluster.values())
