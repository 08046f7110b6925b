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

"""The object index: one row per object in the exchange's metadata tier.

The exchange's own container servers (on its container ring, see
``ocx-aio`` and README's deployment section) hold a row for every object
a tenant wrote, exactly as a Swift object server would have sent it in a
container update: the real name, the size and MD5 of the stored bytes,
the content type (``swift_bytes`` and the container-update overrides of
SLO, symlinks and s3api applied by the container server as in Swift), and
the exchange's timestamps (``X-Timestamp`` of the write, ``X-Meta-Timestamp``
of the last POST). Listings, counts and object existence come from it;
landlords hold only data. A copy or share a landlord returns must carry
the same timestamp (authenticated, :mod:`ocx_swift.storage.state`) as the
object's row, so a landlord cannot replay an older version or resurrect a
deleted one.

Rows are written to every node of the container's partition, as Swift's
object servers do, and a write counts when a majority took it (one node of
a one-replica ring). Lookups ask the nodes in turn until one answers.
Both speak the container servers' own protocol (the requests Swift's
``direct_client`` makes) over keep-alive connections of
:mod:`ocx_swift.transport`, made on first use.

Reads may take a row from the proxy's memcache (``swift.cache``, the
exchange's own, as trusted as its container servers) for
``index_cache_time`` seconds. A write puts the row it wrote there once the
container servers took it (a delete, a tombstone); a lookup that found a
row puts it there unless a newer entry is cached. Only races (two writes
of one object at once, or a write with a lookup's fill) can leave a
cached row *older* than the index's, never newer; so a copy or share
newer than a cached row makes the reader ask the container servers again
(:class:`StaleRow`), and a cached row never makes the exchange refuse the
current version.

Names here are WSGI strings (as in the request path); rows are read back
as native strings from JSON.
"""

import json
from urllib.parse import quote

from swift.common.concurrency import GreenPile
from swift.common.swob import wsgi_to_str
from swift.common.utils import Timestamp, override_bytes_from_content_type, \
    quorum_size

from ocx_swift.exceptions import IndexUnavailable
from ocx_swift.transport import ConnectionPools

#: idle keep-alive connections kept per container server
POOL_SIZE = 16

#: the parameter of a row's ``hash`` holding the MD5 of the stored bytes
#: (after any override etag's own parameters); listings never show it
MD5_PARAM = 'ocx_md5'
#: the parameter naming the clusters that took the copies or shares, by
#: position (``-`` for none), when they are not the placement's
AT_PARAM = 'ocx_at'
INDEX_PARAMS = (MD5_PARAM, AT_PARAM)

#: the container-update override headers Swift's object server applies
#: (``x-object-sysmeta-...`` wins over ``x-backend-...``)
OVERRIDE_PREFIXES = ('x-backend-container-update-override-',
                     'x-object-sysmeta-container-update-override-')


def apply_overrides(update, headers):
    """Apply container-update overrides of ``headers`` to ``update``, as
    Swift's ``ObjectController._check_container_override``.

    :param update: dict of container update headers (``x-size``, ...)
    :param headers: the object's request headers (name, value) items
    """
    for prefix in OVERRIDE_PREFIXES:
        for key, value in headers:
            if key.lower().startswith(prefix):
                update['x-' + key.lower()[len(prefix):]] = value
    return update


def row_etag(md5, override=None, at=None):
    """The ``x-etag`` of a row: what listings show (the override etag of
    SLO, symlinks, s3api, else the MD5), then the stored bytes' MD5, then
    (when given) where the copies or shares are."""
    etag = '%s; %s=%s' % (strip_index_params(override or '') or md5,
                          MD5_PARAM, md5)
    if at:
        etag += '; %s=%s' % (AT_PARAM, ','.join(n or '-' for n in at))
    return etag


def strip_index_params(etag):
    """A row's ``hash`` as listings show it."""
    parts = etag.split(';')
    kept = [p for p in parts[1:]
            if p.strip().partition('=')[0] not in INDEX_PARAMS]
    return ';'.join(parts[:1] + kept)


def _param(etag, name):
    for part in etag.split(';')[1:]:
        key, _sep, value = part.strip().partition('=')
        if key == name:
            return value.strip()
    return None


def stored_md5(etag):
    """The MD5 of the stored bytes a row's ``hash`` records, or None."""
    return _param(etag, MD5_PARAM)


def stored_at(etag):
    """The clusters a row's ``hash`` records as holding the copies or
    shares, by position (None for none), or None when it records none."""
    value = _param(etag, AT_PARAM)
    if not value:
        return None
    return [None if n == '-' else n for n in value.split(',')]


#: seconds a row stays in memcache (``index_cache_time``)
DEFAULT_CACHE_TIME = 300

#: memcache key prefix of rows (MemcacheRing hashes keys)
CACHE_PREFIX = 'ocx/index/'


class StaleRow(Exception):
    """A copy or share is newer than the cached row it was checked
    against: the reader asks the container servers for the row again."""


class IndexRow(object):
    """One object's row as the index lists it.

    :param entry: a dict of the container server's JSON listing
    :param cached: True when it came from memcache (it may be older than
        the index's row, see :class:`StaleRow`)
    """

    __slots__ = ('name', 'size', 'etag', 'content_type', 'timestamp',
                 'cached', 'entry')

    def __init__(self, entry, cached=False):
        self.name = entry['name']
        self.size = int(entry['bytes'])
        self.etag = entry['hash']
        self.content_type = entry['content_type']
        #: the last write (PUT or POST) as the listing's last_modified has
        #: it (microseconds: Swift's timestamps have 10 us steps)
        self.timestamp = Timestamp.from_isoformat(entry['last_modified'])
        self.cached = cached
        self.entry = entry

    @property
    def md5(self):
        """The MD5 of the stored bytes (the plaintext for a split object)
        as the exchange computed it, or None."""
        return stored_md5(self.etag)

    @property
    def at(self):
        """The clusters that took the copies or shares (by position, None
        for none), or None when the row does not say."""
        return stored_at(self.etag)

    def __repr__(self):
        return 'IndexRow(%r, %s)' % (self.name, self.timestamp.internal)


def listing_entry(name, update):
    """The listing entry a container server makes of a row's update
    headers (``swift_bytes`` applied, the newest timestamp as
    ``last_modified``)."""
    stamps = [Timestamp(update[k]) for k in (
        'x-timestamp', 'x-meta-timestamp', 'x-content-type-timestamp')
        if update.get(k)]
    entry = {'name': name, 'bytes': int(update['x-size']),
             'hash': update['x-etag'],
             'content_type': update['x-content-type'],
             'last_modified': max(stamps).isoformat}
    override_bytes_from_content_type(entry)
    return entry


class RowCache(object):
    """Rows in the proxy's memcache (see the module docstring).

    :param memcache: ``swift.cache`` of the request, or None (no cache)
    :param cache_time: seconds an entry stays; 0 for no cache
    """

    def __init__(self, memcache, cache_time=DEFAULT_CACHE_TIME):
        self.memcache = memcache if cache_time > 0 else None
        self.cache_time = cache_time

    @staticmethod
    def key(account, container, obj):
        return CACHE_PREFIX + '/'.join((account, container, obj))

    @staticmethod
    def _stamp(entry):
        if 'deleted' in entry:
            return Timestamp(entry['deleted'])
        return Timestamp.from_isoformat(entry['last_modified'])

    def get(self, key):
        """The cached row, or None (nothing cached, a tombstone, an
        unreadable entry: ask the container servers)."""
        if self.memcache is None:
            return None
        entry = self.memcache.get(key)
        if not isinstance(entry, dict) or 'deleted' in entry:
            return None
        try:
            return IndexRow(entry, cached=True)
        except (KeyError, ValueError, TypeError):
            return None

    def store(self, key, entry):
        """Cache what a write just recorded: ``entry`` (a listing entry,
        or ``{'deleted': ts}``)."""
        if self.memcache is not None:
            self.memcache.set(key, entry, time=self.cache_time)

    def fill(self, key, entry):
        """Cache a row a lookup found, unless a newer entry is cached (a
        write's since the lookup)."""
        if self.memcache is None:
            return
        held = self.memcache.get(key)
        if isinstance(held, dict):
            try:
                if self._stamp(held) >= self._stamp(entry):
                    return
            except (KeyError, ValueError, TypeError):
                pass  # unreadable: replaced
        self.memcache.set(key, entry, time=self.cache_time)


class ObjectIndex(object):
    """Reads and writes object rows on the exchange's container servers.

    :param container_ring: the exchange's container ring (a Swift ``Ring``)
    :param conn_timeout: seconds to connect to a container server
    :param node_timeout: seconds to wait for its answer
    :param logger: a Swift logger
    :param pools: the :class:`~ocx_swift.transport.ConnectionPools` to use
        (default: its own, made on first use)
    """

    def __init__(self, container_ring, conn_timeout, node_timeout, logger,
                 pools=None):
        self.ring = container_ring
        self.conn_timeout = conn_timeout
        self.node_timeout = node_timeout
        self.logger = logger
        self._pools = pools

    @property
    def pools(self):
        if self._pools is None:
            self._pools = ConnectionPools(POOL_SIZE)
        return self._pools

    def _nodes(self, account, container):
        return self.ring.get_nodes(wsgi_to_str(account),
                                   wsgi_to_str(container))

    def _request(self, node, part, method, path, headers, query=''):
        """One request to one container server: ``(status, body)``, or
        an error string naming the node."""
        url = 'http://%s:%s/%s/%s%s%s' % (
            node['ip'], node['port'], quote(node['device']), part,
            quote(path), query)
        where = '%s:%s' % (node['ip'], node['port'])
        try:
            resp = self.pools.request(
                method, url, headers=headers,
                timeout=(self.conn_timeout, self.node_timeout))
            try:
                body = resp.read()
            finally:
                resp.release_conn()
        except OSError as err:
            return '%s %s' % (where, err)
        return resp.status, body

    def lookup(self, account, container, obj, cache=None, refresh=False):
        """The object's row, or None when the index holds none.

        :param cache: a :class:`RowCache` to read first and fill (only
            readers that handle :class:`StaleRow` pass one)
        :param refresh: ask the container servers even when a row is
            cached (then fill the cache)
        :raises IndexUnavailable: when no container server answered
        """
        if cache is not None:
            key = cache.key(account, container, obj)
            row = None if refresh else cache.get(key)
            if row is None:
                row = self._lookup(account, container, obj)
                if row is not None:
                    cache.fill(key, row.entry)
            return row
        return self._lookup(account, container, obj)

    def _lookup(self, account, container, obj):
        part, nodes = self._nodes(account, container)
        name = wsgi_to_str(obj)
        query = '?format=json&limit=1&prefix=%s' % quote(name, safe='')
        path = '/%s/%s' % (wsgi_to_str(account), wsgi_to_str(container))
        errors = []
        # each node, then each once more (a busy server may time out)
        for node in nodes + nodes:
            answer = self._request(node, part, 'GET', path, {}, query)
            if isinstance(answer, str):
                errors.append(answer)
                continue
            status, body = answer
            if status == 404:
                return None  # no container: no object
            if status // 100 != 2:
                errors.append('%s:%s %s' % (node['ip'], node['port'],
                                            status))
                continue
            try:
                entries = json.loads(body) if body else []
            except ValueError:
                errors.append('%s:%s unreadable listing' % (
                    node['ip'], node['port']))
                continue
            for entry in entries:
                if entry.get('name') == name and 'hash' in entry:
                    return IndexRow(entry)
            return None
        raise IndexUnavailable('object index unavailable (%s)'
                               % ', '.join(errors))

    def rows(self, account, container, marker='', limit=1000):
        """Yield the rows of a container, in name order, from the first
        container server that answers each page.

        :raises IndexUnavailable: when no container server answered
        """
        part, nodes = self._nodes(account, container)
        path = '/%s/%s' % (wsgi_to_str(account), wsgi_to_str(container))
        while True:
            query = '?format=json&limit=%d&marker=%s' % (
                limit, quote(marker, safe=''))
            errors = []
            for node in nodes:
                answer = self._request(node, part, 'GET', path, {}, query)
                if isinstance(answer, str):
                    errors.append(answer)
                    continue
                status, body = answer
                if status == 404:
                    return
                if status // 100 == 2:
                    break
                errors.append('%s:%s %s' % (node['ip'], node['port'],
                                            status))
            else:
                raise IndexUnavailable('object index unavailable (%s)'
                                       % ', '.join(errors))
            entries = json.loads(body) if body else []
            for entry in entries:
                if 'hash' in entry:
                    yield IndexRow(entry)
            if len(entries) < limit:
                return
            marker = entries[-1]['name']

    def record_put(self, account, container, obj, update, policy_index,
                   cache=None):
        """Write a row: ``update`` holds ``x-timestamp``, ``x-size``,
        ``x-etag``, ``x-content-type`` (and ``x-meta-timestamp``,
        ``x-content-type-timestamp`` after a POST); then cache it.

        :raises IndexUnavailable: when a majority of nodes did not take it
        """
        headers = dict(update)
        headers['X-Backend-Storage-Policy-Index'] = str(policy_index)
        self._write('PUT', account, container, obj, headers)
        if cache is not None:
            cache.store(cache.key(account, container, obj),
                        listing_entry(wsgi_to_str(obj), update))

    def record_delete(self, account, container, obj, timestamp,
                      policy_index, cache=None):
        """Mark the object deleted at ``timestamp`` (a tombstone row, as
        Swift's container DB keeps deleted rows); then cache the
        tombstone.

        :raises IndexUnavailable: when a majority of nodes did not take it
        """
        self._write('DELETE', account, container, obj,
                    {'X-Timestamp': timestamp.internal,
                     'X-Backend-Storage-Policy-Index': str(policy_index)})
        if cache is not None:
            cache.store(cache.key(account, container, obj),
                        {'deleted': timestamp.internal})

    def _write(self, method, account, container, obj, headers):
        part, nodes = self._nodes(account, container)
        path = '/%s/%s/%s' % tuple(wsgi_to_str(n) for n in (
            account, container, obj))
        headers = dict(headers, **{'Content-Length': '0'})

        def one(node):
            answer = self._request(node, part, method, path, dict(headers))
            if isinstance(answer, str):
                return answer
            if answer[0] // 100 != 2:
                return '%s:%s %s' % (node['ip'], node['port'], answer[0])
            return None

        pile = GreenPile(len(nodes))
        for node in nodes:
            pile.spawn(one, node)
        failed = [(node, e) for node, e in zip(nodes, pile) if e]
        if len(nodes) - len(failed) < quorum_size(len(nodes)):
            # a busy container server: the same row (same timestamp) may
            # be written again
            failed = [(node, one(node)) for node, _e in failed]
            failed = [(node, e) for node, e in failed if e]
        errors = [e for _node, e in failed]
        if len(nodes) - len(errors) < quorum_size(len(nodes)):
            raise IndexUnavailable('object index not updated (%s)'
                                   % ', '.join(errors))
        for error in errors:
            self.logger.warning('object index: a node missed an update: '
                                '%s', error)
