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
container servers (direct_client replaced by fake container servers)."""

import pytest
from eventlet import Timeout
from swift.common.direct_client import ClientException
from swift.common.exceptions import ConnectionTimeout
from swift.common.swob import str_to_wsgi
from swift.common.utils import Timestamp

from ocx_swift.exceptions import IndexUnavailable
from ocx_swift.storage import index
from ocx_swift.storage.index import IndexRow, ObjectIndex, apply_overrides, \
    row_etag, stored_md5, strip_index_params
from tests.unit.fakes import DebugLogger

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


class FakeServers(object):
    """Container servers answering direct_client calls; ``faults`` maps a
    node ip to the exception it raises."""

    def __init__(self, monkeypatch):
        self.faults = {}
        self.listing = []
        self.calls = []
        for name in ('direct_get_container', 'direct_put_container_object',
                     'direct_delete_container_object'):
            monkeypatch.setattr(index, name, self._make(name))

    def _make(self, name):
        def call(node, part, *args, **kwargs):
            self.calls.append((name, node['ip'], part, args, kwargs))
            fault = self.faults.get(node['ip'])
            if fault is not None:
                raise fault
            if name == 'direct_get_container':
                return {}, list(self.listing)
            return None
        return call

    def ips(self, name):
        return [ip for n, ip, _p, _a, _k in self.calls if n == name]


def status(code):
    return ClientException('fake', http_status=code)


@pytest.fixture
def servers(monkeypatch):
    return FakeServers(monkeypatch)


def make_index(replicas=3):
    logger = DebugLogger()
    return ObjectIndex(FakeRing(replicas), 1.0, 2.0, logger), logger


def test_lookup_asks_with_native_names(servers):
    idx, _logger = make_index()
    servers.listing = [entry()]
    row = idx.lookup(ACCOUNT, CONT, OBJ)
    assert row.name == OBJ_N and row.md5 == MD5
    assert idx.ring.asked == [(ACCOUNT_N, CONT_N)]
    name, ip, part, args, kwargs = servers.calls[0]
    assert (ip, part, args) == ('10.0.0.1', 7, (ACCOUNT_N, CONT_N))
    assert kwargs['prefix'] == OBJ_N and kwargs['limit'] == 1
    assert (kwargs['conn_timeout'], kwargs['response_timeout']) == (1.0, 2.0)


@pytest.mark.parametrize('listing', [
    [], [entry(name=OBJ_N + '/more')], [{'subdir': OBJ_N + '/'}]])
def test_lookup_of_a_name_not_listed_is_none(servers, listing):
    idx, _logger = make_index()
    servers.listing = listing
    assert idx.lookup(ACCOUNT, CONT, OBJ) is None
    assert len(servers.calls) == 1


@pytest.mark.parametrize('fault', [
    status(503), status(507), Timeout(), ConnectionTimeout(1.0),
    ConnectionRefusedError(111, 'refused')],
    ids=['503', '507', 'timeout', 'connect timeout', 'refused'])
def test_lookup_tries_the_next_node(servers, fault):
    idx, _logger = make_index()
    servers.faults['10.0.0.1'] = fault
    servers.listing = [entry()]
    assert idx.lookup(ACCOUNT, CONT, OBJ).name == OBJ_N
    assert servers.ips('direct_get_container') == ['10.0.0.1', '10.0.0.2']


def test_lookup_of_a_missing_container_is_none(servers):
    idx, _logger = make_index()
    servers.faults['10.0.0.1'] = status(404)
    assert idx.lookup(ACCOUNT, CONT, OBJ) is None


def test_lookup_with_no_node_answering_raises_naming_them(servers):
    idx, _logger = make_index()
    servers.faults = {'10.0.0.1': status(503), '10.0.0.2': Timeout(),
                      '10.0.0.3': ConnectionRefusedError(111, 'x')}
    with pytest.raises(IndexUnavailable) as caught:
        idx.lookup(ACCOUNT, CONT, OBJ)
    message = str(caught.value)
    for part in ('10.0.0.1:6201 503', '10.0.0.2:6201 Timeout',
                 '10.0.0.3:6201 ConnectionRefusedError'):
        assert part in message


UPDATE = {'x-timestamp': WHEN.internal, 'x-size': '5',
          'x-etag': row_etag(MD5), 'x-content-type': 'text/plain'}


def test_record_put_writes_every_node(servers):
    idx, logger = make_index()
    idx.record_put(ACCOUNT, CONT, OBJ, UPDATE, 2)
    assert sorted(servers.ips('direct_put_container_object')) == [
        '10.0.0.1', '10.0.0.2', '10.0.0.3']
    for _name, _ip, part, args, kwargs in servers.calls:
        assert args == (ACCOUNT_N, CONT_N, OBJ_N)
        assert kwargs['headers'] == dict(
            UPDATE, **{'X-Backend-Storage-Policy-Index': '2'})
    assert logger.all_lines() == []


@pytest.mark.parametrize('fault', [status(503), Timeout(),
                                   ConnectionTimeout(1.0)])
def test_record_put_with_one_node_failing_succeeds_and_warns(servers,
                                                             fault):
    idx, logger = make_index()
    servers.faults['10.0.0.2'] = fault
    idx.record_put(ACCOUNT, CONT, OBJ, UPDATE, 0)
    warnings = logger.get_lines_for_level('warning')
    assert len(warnings) == 1 and '10.0.0.2:6201' in warnings[0]


def test_record_put_with_two_nodes_failing_raises(servers):
    idx, _logger = make_index()
    servers.faults = {'10.0.0.1': status(507), '10.0.0.3': Timeout()}
    with pytest.raises(IndexUnavailable) as caught:
        idx.record_put(ACCOUNT, CONT, OBJ, UPDATE, 0)
    assert '10.0.0.1:6201 507' in str(caught.value)
    assert '10.0.0.3:6201 Timeout' in str(caught.value)


def test_one_replica_ring_needs_its_node(servers):
    idx, _logger = make_index(replicas=1)
    idx.record_put(ACCOUNT, CONT, OBJ, UPDATE, 0)
    servers.faults['10.0.0.1'] = status(503)
    with pytest.raises(IndexUnavailable):
        idx.record_put(ACCOUNT, CONT, OBJ, UPDATE, 0)


def test_record_delete_sends_the_tombstone_time(servers):
    idx, logger = make_index()
    servers.faults['10.0.0.3'] = status(500)
    idx.record_delete(ACCOUNT, CONT, OBJ, WHEN, 1)
    deletes = [c for c in servers.calls
               if c[0] == 'direct_delete_container_object']
    assert len(deletes) == 3
    for _name, _ip, _part, args, kwargs in deletes:
        assert args == (ACCOUNT_N, CONT_N, OBJ_N)
        assert kwargs['headers'] == {
            'X-Timestamp': WHEN.internal,
            'X-Backend-Storage-Policy-Index': '1'}
    assert len(logger.get_lines_for_level('warning')) == 1
    servers.faults['10.0.0.2'] = Timeout()
    with pytest.raises(IndexUnavailable):
        idx.record_delete(ACCOUNT, CONT, OBJ, WHEN, 1)
