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

"""The object index: row formats, and rows on the metadata tier's
container servers (fake servers behind the connection pools it takes)."""

import json
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from swift.common.swob import str_to_wsgi
from swift.common.utils import Timestamp

from ocx_swift.exceptions import IndexUnavailable
from ocx_swift.transport import HTTPFailure, HTTPTimeout
from ocx_swift.storage.index import IndexRow, ObjectIndex, RowCache, \
    apply_overrides, listing_entry, row_etag, stored_md5, strip_index_params
from tests.unit.fakes import DebugLogger, FakeMemcache

ACCOUNT_N = 'AUTH_t\u00e9st'
CONT_N = 'sw\u00e9ft'
OBJ_N = '\u65e5\u672c/\U0001f600'
ACCOUNT, CONT, OBJ = (str_to_wsgi(n) for n in (ACCOUNT_N, CONT_N, OBJ_N))
MD5 = 'd41d8cd98f00b204e9800998ecf8427e'
WHEN = Timestamp(1700000000.12345)


# -- row formats --------------------------------------------------------


def test_row_etag_and_what_listings_show():
    assert row_etag(MD5) == '%s; ocx_md5=%s' % (MD5, MD5)
    assert strip_index_params(row_etag(MD5)) == MD5
    assert stored_md5(row_etag(MD5)) == MD5
    slo = row_etag(MD5, override='"abc"; s3_etag=xyz-2')
    assert strip_index_params(slo) == '"abc"; s3_etag=xyz-2'
    assert stored_md5(slo) == MD5


@pytest.mark.parametrize('etag', [
    MD5, '', 'abc; s3_etag=x', 'abc; not_ocx_md5=1', 'abc;ocx_md5x=1'])
def test_etags_without_the_parameter_are_kept(etag):
    assert strip_index_params(etag) == etag
    assert stored_md5(etag) is None


def test_apply_overrides_as_swift():
    update = {'x-size': '10', 'x-etag': row_etag(MD5)}
    apply_overrides(update, [
        ('X-Backend-Container-Update-Override-Etag', 'backend'),
        ('X-Object-Sysmeta-Container-Update-Override-Etag', 'sysmeta'),
        ('X-Backend-Container-Update-Override-Size', '99'),
        ('X-Object-Meta-Override', 'no')])
    # sysmeta wins over backend, as Swift's object server
    assert update == {'x-size': '99', 'x-etag': 'sysmeta'}
    assert apply_overrides({'x-size': '1'}, []) == {'x-size': '1'}


def entry(name=OBJ_N, **extra):
    out = {'name': name, 'bytes': 5, 'hash': row_etag(MD5, 'slo-etag'),
           'content_type': 'text/plain; charset=utf-8',
           'last_modified': WHEN.isoformat}
    out.update(extra)
    return out


def test_index_row_from_a_listing_entry():
    row = IndexRow(entry(bytes='5'))
    assert (row.name, row.size, row.content_type) == (
        OBJ_N, 5, 'text/plain; charset=utf-8')
    assert row.timestamp == WHEN
    assert row.md5 == MD5
    assert IndexRow(entry(hash=MD5)).md5 is None


# -- rows on the container servers ----------------------------------------


class FakeRing(object):

    def __init__(self, replicas=3):
        self.nodes = [{'ip': '10.0.0.%d' % i, 'port': 6201, 'device': 'd'}
                      for i in range(1, replicas + 1)]
        self.asked = []

    def get_nodes(self, account, container):
        self.asked.append((account, container))
        return 7, list(self.nodes)


class FakeResponse(object):

    def __init__(self, status, body=b''):
        self.status = status
        self.body = body
        self.released = False

    def read(self):
        return self.body

    def release_conn(self):
        self.released = True


class FakeServers(object):
    """Container servers behind the index's connection pools (the
    ``pools`` it takes): ``faults`` maps a node ip to an HTTP status it
    answers or an exception (an OSError, as the transport raises) it
    raises; GETs list :attr:`listing`."""

    def __init__(self):
        self.faults = {}
        self.listing = []
        self.calls = []
        self.responses = []

    def request(self, method, url, headers=None, timeout=None):
        parts = urlsplit(url)
        _dev, part, path = unquote(parts.path)[1:].split('/', 2)
        self.calls.append((method, parts.hostname, int(part), '/' + path,
                           dict(parse_qsl(parts.query)), headers, timeout))
        fault = self.faults.get(parts.hostname)
        if isinstance(fault, Exception):
            raise fault
        if fault is not None:
            resp = FakeResponse(fault)
        elif method == 'GET':
            resp = FakeResponse(200, json.dumps(self.listing).encode())
        else:
            resp = FakeResponse(201 if method == 'PUT' else 204)
        self.responses.append(resp)
        return resp

    def ips(self, method):
        return [c[1] for c in self.calls if c[0] == method]


@pytest.fixture
def servers():
    servers = FakeServers()
    yield servers
    assert all(r.released for r in servers.responses)


def make_index(servers, replicas=3):
    logger = DebugLogger()
    return ObjectIndex(FakeRing(replicas), 1.0, 2.0, logger,
                       pools=servers), logger


def refused():
    return HTTPFailure('connection failed: ConnectionRefusedError')


def test_lookup_asks_with_native_names(servers):
    idx, _logger = make_index(servers)
    servers.listing = [entry()]
    row = idx.lookup(ACCOUNT, CONT, OBJ)
    assert row.name == OBJ_N and row.md5 == MD5
    assert idx.ring.asked == [(ACCOUNT_N, CONT_N)]
    method, ip, part, path, query, _headers, timeout = servers.calls[0]
    assert (method, ip, part, path) == (
        'GET', '10.0.0.1', 7, '/%s/%s' % (ACCOUNT_N, CONT_N))
    assert query == {'format': 'json', 'limit': '1', 'prefix': OBJ_N}
    assert timeout == (1.0, 2.0)


@pytest.mark.parametrize('listing', [
    [], [entry(name=OBJ_N + '/more')], [{'subdir': OBJ_N + '/'}]])
def test_lookup_of_a_name_not_listed_is_none(servers, listing):
    idx, _logger = make_index(servers)
    servers.listing = listing
    assert idx.lookup(ACCOUNT, CONT, OBJ) is None
    assert len(servers.calls) == 1


@pytest.mark.parametrize('fault', [
    503, 507, HTTPTimeout('timed out'), refused()],
    ids=['503', '507', 'timeout', 'refused'])
def test_lookup_tries_the_next_node(servers, fault):
    idx, _logger = make_index(servers)
    servers.faults['10.0.0.1'] = fault
    servers.listing = [entry()]
    assert idx.lookup(ACCOUNT, CONT, OBJ).name == OBJ_N
    assert servers.ips('GET') == ['10.0.0.1', '10.0.0.2']


def test_lookup_of_a_missing_container_is_none(servers):
    idx, _logger = make_index(servers)
    servers.faults['10.0.0.1'] = 404
    assert idx.lookup(ACCOUNT, CONT, OBJ) is None


def test_lookup_with_no_node_answering_raises_naming_them(servers):
    idx, _logger = make_index(servers)
    servers.faults = {'10.0.0.1': 503, '10.0.0.2': HTTPTimeout('slow'),
                      '10.0.0.3': refused()}
    with pytest.raises(IndexUnavailable) as caught:
        idx.lookup(ACCOUNT, CONT, OBJ)
    message = str(caught.value)
    for part in ('10.0.0.1:6201 503', '10.0.0.2:6201', '10.0.0.3:6201'):
        assert part in message


UPDATE = {'x-timestamp': WHEN.internal, 'x-size': '5',
          'x-etag': row_etag(MD5), 'x-content-type': 'text/plain'}


def test_record_put_writes_every_node(servers):
    idx, logger = make_index(servers)
    idx.record_put(ACCOUNT, CONT, OBJ, UPDATE, 2)
    assert sorted(servers.ips('PUT')) == ['10.0.0.1', '10.0.0.2',
                                          '10.0.0.3']
    for _m, _ip, part, path, _q, headers, _t in servers.calls:
        assert (part, path) == (7, '/%s/%s/%s' % (ACCOUNT_N, CONT_N, OBJ_N))
        assert headers == dict(UPDATE, **{
            'X-Backend-Storage-Policy-Index': '2', 'Content-Length': '0'})
    assert logger.all_lines() == []


@pytest.mark.parametrize('fault', [503, HTTPTimeout('slow'), refused()])
def test_record_put_with_one_node_failing_succeeds_and_warns(servers,
                                                             fault):
    idx, logger = make_index(servers)
    servers.faults['10.0.0.2'] = fault
    idx.record_put(ACCOUNT, CONT, OBJ, UPDATE, 0)
    warnings = logger.get_lines_for_level('warning')
    assert len(warnings) == 1 and '10.0.0.2:6201' in warnings[0]


def test_record_put_with_two_nodes_failing_raises(servers):
    idx, _logger = make_index(servers)
    servers.faults = {'10.0.0.1': 507, '10.0.0.3': HTTPTimeout('slow')}
    with pytest.raises(IndexUnavailable) as caught:
        idx.record_put(ACCOUNT, CONT, OBJ, UPDATE, 0)
    assert '10.0.0.1:6201 507' in str(caught.value)
    assert '10.0.0.3:6201' in str(caught.value)


def test_one_replica_ring_needs_its_node(servers):
    idx, _logger = make_index(servers, replicas=1)
    idx.record_put(ACCOUNT, CONT, OBJ, UPDATE, 0)
    servers.faults['10.0.0.1'] = 503
    with pytest.raises(IndexUnavailable):
        idx.record_put(ACCOUNT, CONT, OBJ, UPDATE, 0)


def test_record_delete_sends_the_tombstone_time(servers):
    idx, logger = make_index(servers)
    servers.faults['10.0.0.3'] = 500
    idx.record_delete(ACCOUNT, CONT, OBJ, WHEN, 1)
    deletes = [c for c in servers.calls if c[0] == 'DELETE']
    assert len(deletes) == 3
    for _m, _ip, _part, path, _q, headers, _t in deletes:
        assert path == '/%s/%s/%s' % (ACCOUNT_N, CONT_N, OBJ_N)
        assert headers == {'X-Timestamp': WHEN.internal,
                           'X-Backend-Storage-Policy-Index': '1',
                           'Content-Length': '0'}
    assert len(logger.get_lines_for_level('warning')) == 1
    servers.faults['10.0.0.2'] = HTTPTimeout('slow')
    with pytest.raises(IndexUnavailable):
        idx.record_delete(ACCOUNT, CONT, OBJ, WHEN, 1)


# -- rows in memcache -------------------------------------------------------


def test_listing_entry_is_what_the_container_server_lists():
    update = {'x-timestamp': WHEN.internal, 'x-size': '0',
              'x-etag': row_etag(MD5, 'slo-etag'),
              'x-content-type': 'text/plain; charset=utf-8;swift_bytes=5'}
    # the container server's parsing drops the blanks between parameters
    assert listing_entry(OBJ_N, update) == entry(
        content_type='text/plain;charset=utf-8')
    later = Timestamp(WHEN, delta=10)
    update['x-meta-timestamp'] = later.internal
    assert listing_entry(OBJ_N, update)['last_modified'] == later.isoformat


def cache_with(memcache=None, cache_time=30):
    return RowCache(FakeMemcache() if memcache is None else memcache,
                    cache_time)


def test_a_write_caches_its_row_and_reads_take_it(servers):
    idx, _logger = make_index(servers)
    cache = cache_with()
    idx.record_put(ACCOUNT, CONT, OBJ, {
        'x-timestamp': WHEN.internal, 'x-size': '5',
        'x-etag': row_etag(MD5, 'slo-etag'),
        'x-content-type': 'text/plain; charset=utf-8'}, 0, cache=cache)
    writes = len(servers.calls)
    row = idx.lookup(ACCOUNT, CONT, OBJ, cache=cache)
    assert len(servers.calls) == writes  # no container server asked
    assert row.cached and row.entry == entry(
        content_type='text/plain;charset=utf-8')
    fresh = idx.lookup(ACCOUNT, CONT, OBJ)
    assert fresh is None and not servers.listing  # servers list nothing
    servers.listing = [entry()]
    row = idx.lookup(ACCOUNT, CONT, OBJ, cache=cache, refresh=True)
    assert not row.cached and len(servers.ips('GET')) == 2


def test_a_lookup_fills_the_cache_but_never_over_a_newer_entry(servers):
    idx, _logger = make_index(servers)
    cache = cache_with()
    servers.listing = [entry()]
    assert not idx.lookup(ACCOUNT, CONT, OBJ, cache=cache).cached
    assert idx.lookup(ACCOUNT, CONT, OBJ, cache=cache).cached
    assert len(servers.ips('GET')) == 1
    key = cache.key(ACCOUNT, CONT, OBJ)
    newer = entry(last_modified=Timestamp(WHEN, delta=10).isoformat)
    cache.store(key, newer)
    cache.fill(key, entry())
    assert cache.get(key).entry == newer
    cache.store(key, {'deleted': Timestamp(WHEN, delta=20).internal})
    cache.fill(key, newer)
    assert cache.get(key) is None  # a tombstone: ask the servers
    cache.fill(key, entry(last_modified=Timestamp(
        WHEN, delta=30).isoformat))
    assert cache.get(key).timestamp == Timestamp(WHEN, delta=30)


def test_a_delete_caches_a_tombstone(servers):
    idx, _logger = make_index(servers)
    cache = cache_with()
    servers.listing = [entry()]
    idx.lookup(ACCOUNT, CONT, OBJ, cache=cache)
    idx.record_delete(ACCOUNT, CONT, OBJ, Timestamp(WHEN, delta=5), 0,
                      cache=cache)
    servers.listing = []
    assert idx.lookup(ACCOUNT, CONT, OBJ, cache=cache) is None
    assert len(servers.ips('GET')) == 2


@pytest.mark.parametrize('junk', [
    'text', ['a'], {'name': 'x'}, {'deleted': 'never'}])
def test_unreadable_cache_entries_mean_ask_the_servers(servers, junk):
    idx, _logger = make_index(servers)
    cache = cache_with()
    key = cache.key(ACCOUNT, CONT, OBJ)
    cache.memcache.set(key, junk)
    servers.listing = [entry()]
    row = idx.lookup(ACCOUNT, CONT, OBJ, cache=cache)
    assert not row.cached
    assert cache.get(key).entry == entry()


def test_no_memcache_or_no_cache_time_caches_nothing(servers):
    idx, _logger = make_index(servers)
    servers.listing = [entry()]
    memcache = FakeMemcache()
    for cache in (RowCache(None), cache_with(memcache, 0)):
        for _ in range(2):
            assert not idx.lookup(ACCOUNT, CONT, OBJ, cache=cache).cached
    assert memcache.store == {}
    assert len(servers.ips('GET')) == 4
