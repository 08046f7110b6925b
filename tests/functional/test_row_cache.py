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

"""Object index rows in the exchange's memcache are the rows its container
servers hold: after a plain PUT, a POST, an SLO manifest PUT (size from
``swift_bytes``, the override ETag) and a DELETE (a tombstone), the entry
the exchange proxy cached equals the listing entry the metadata tier's
container servers give for the object."""

import json
import urllib.parse

import pytest
from swift.common.memcached import MemcacheRing
from swift.common.swob import str_to_wsgi
from swift.common.utils import get_logger

from ocx_swift.config import read_ini
from ocx_swift.mover import settings as settings_mod
from ocx_swift.storage.index import RowCache
from ocx_swift.storage.tier import MetadataTier
from tests.functional import names
from tests.unit.fakes import DebugLogger


@pytest.fixture(scope='module')
def env(ocx_env):
    if 'OCX_PROXY_CONF' not in ocx_env:
        pytest.skip('no exchange in this set')
    return ocx_env


@pytest.fixture(scope='module')
def memcache(env):
    parser = read_ini(env['OCX_PROXY_CONF'], 'proxy config')
    servers = parser.get('filter:cache', 'memcache_servers')
    return MemcacheRing([s.strip() for s in servers.split(",")],
                        logger=get_logger({}, log_route='ocx-test'))


@pytest.fixture(scope='module')
def tier(env):
    settings = settings_mod.load(proxy_config=env['OCX_PROXY_CONF'])
    return MetadataTier(settings.swift_dir, settings.policies, DebugLogger())


@pytest.fixture
def container(swift_conn):
    name = names.container('cache')
    swift_conn.put_container(name)
    yield name
    names.empty_and_delete(swift_conn, name)


def keys(swift_conn, container, obj):
    account = urllib.parse.unquote(
        urllib.parse.urlsplit(swift_conn.url).path.split('/')[2])
    wsgi = tuple(str_to_wsgi(n) for n in (account, container, obj))
    return RowCache.key(*wsgi), wsgi


def assert_cached_is_served_row(memcache, tier, swift_conn, container, obj):
    key, wsgi = keys(swift_conn, container, obj)
    cached = memcache.get(key)
    row = tier.index.lookup(*wsgi)
    assert row is not None
    assert cached == row.entry
    return cached


def test_cached_rows_are_the_container_servers_rows(
        env, memcache, tier, swift_conn, container):
    obj = 'caf\u00e9/\u65e5 row'
    swift_conn.put_object(container, obj, b'plain bytes',
                          content_type='text/plain; charset=utf-8')
    first = assert_cached_is_served_row(memcache, tier, swift_conn,
                                        container, obj)
    assert first['bytes'] == len(b'plain bytes')
    swift_conn.post_object(container, obj, {
        'X-Object-Meta-Colour': 'bl\u00e9u', 'Content-Type': 'text/html'})
    posted = assert_cached_is_served_row(memcache, tier, swift_conn,
                                         container, obj)
    assert posted['content_type'] == 'text/html'
    assert posted['last_modified'] > first['last_modified']

    segment = b's' * 1024
    swift_conn.put_object(container, 'seg \u00e9', segment)
    manifest = [{'path': '/%s/%s' % (container, 'seg \u00e9')}] * 3
    swift_conn.put_object(container, 'slo \u00e9', json.dumps(manifest),
                          query_string='multipart-manifest=put')
    slo = assert_cached_is_served_row(memcache, tier, swift_conn,
                                      container, 'slo \u00e9')
    assert slo['bytes'] == 3 * len(segment)
    assert 'swift_bytes' not in slo['content_type']
    headers = swift_conn.head_object(container, 'slo \u00e9')
    assert 'slo_etag=%s' % headers['etag'].strip('"') in slo['hash']

    swift_conn.delete_object(container, obj)
    key, wsgi = keys(swift_conn, container, obj)
    assert set(memcache.get(key)) == {'deleted'}
    assert tier.index.lookup(*wsgi) is None
