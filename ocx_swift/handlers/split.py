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

"""Objects of split containers: n shares on n distinct landlords.

Every object written into a container whose policy is ``split`` is cut
into segments of the policy's ``segment_size``; each segment is encoded
by the policy's codec (:mod:`ocx_swift.split.codec`) into one record per
share, and share *i* (the concatenation of its records) is stored on the
*i*-th cluster of the object's placement, under the same path or, with
``hide_names``, under a keyed hash of the name.

=========  ==============================================================
verb       what the exchange does
=========  ==============================================================
PUT        streams the client's bytes through the codec to all n clusters
           at once (memory: a few segments, whatever the object's size);
           201 only when every share is stored, else the shares written
           are deleted again and the answer names what failed. A client
           ``ETag`` is checked against the MD5 of what it sent (422).
HEAD       asks every cluster of the placement for its share's header,
           checks each header's tag, and answers from the newest version
           that at least k shares agree on: the client's size, ETag,
           Content-Type and metadata
GET        as HEAD, then reads k shares, only the segments the Range
           needs; a share that fails its tag or its cluster is replaced
           by a spare share (aont-rs, k < n) or the read fails; never a
           wrong byte
POST       metadata update on every share
DELETE     deletes every share (also where the previous ring generation
           placed them)
=========  ==============================================================

Each share carries ``X-Object-Sysmeta-Ocx-Split`` (stored as reserved
metadata, see :mod:`ocx_swift.sysmeta`): scheme, n, k, segment size, the
object's size, its ETag *sealed* (no landlord learns the MD5 of the
plaintext), the share index, the PUT's random object id and a tag over
all of them under a key derived from the root secret, the object's name
and its object id. Every share also carries the exchange's state tag
(:mod:`ocx_swift.storage.copies`, kind ``share``) over its content type
and all its metadata, with the write's exchange timestamp: only shares
whose tag verifies and whose timestamp is the object index's are read.
A landlord that changes any of it (adds a symlink or DLO marker, say),
or serves another object's or another version's share, is ignored.

Errors: 503 when fewer than k shares can be read (the body names the
clusters and why: down, or a share failing its tag), 404 when no cluster
has a share.
"""

import hashlib
import os

from swift.common.request_helpers import resolve_etag_is_at_header
from swift.common.swob import HTTPNotFound, HTTPServiceUnavailable, \
    HTTPUnprocessableEntity, Response, multi_range_iterator, \
    normalize_etag, str_to_wsgi, wsgi_quote, wsgi_to_str
from swift.common.utils import Timestamp

from ocx_swift.exceptions import ClusterUnavailable, ShareAuthError, \
    SplitDecodeError
from ocx_swift.handlers.base import ok, response_from_parts, split_results, \
    unavailable
from ocx_swift.handlers.obj import REPLAY_BYTES, ClientReadError, \
    ObjectContext, stamp_response
from ocx_swift.handlers.upload import ParallelUpload
from ocx_swift.split.codec import SplitCodec
from ocx_swift.split.keys import derive_object_keys, open_name, \
    opaque_name, seal_name
from ocx_swift.s3reasons import note_reason
from ocx_swift.storage.copies import KIND_SHARE, CopyMismatch, \
    check_fresh, open_headers, seal_headers, sign_headers, verify_answer
from ocx_swift.storage.index import StaleRow
from ocx_swift.storage.state import StateError, seal
from ocx_swift.storage.shares import SPLIT_SYSMETA, ShareHeader, \
    written_by
from ocx_swift.sysmeta import LISTING_PARAMS, encode_content_type, \
    exchange_content_type, listing_content_type

#: headers of a share that describe the share, not the object
SHARE_HEADERS = ('content-length', 'etag', 'content-range',
                 'accept-ranges', SPLIT_SYSMETA.lower())


class Share(object):
    """One share found on a cluster.

    :param timestamp: the exchange timestamp its verified state carries
    """

    def __init__(self, client, header, headers, raw_content_type,
                 timestamp):
        self.client = client
        self.header = header
        self.headers = headers  # decoded response headers, list of pairs
        self.raw_content_type = raw_content_type
        self.timestamp = timestamp


class SplitObjectContext(ObjectContext):
    """Answers one object request of a split container."""

    def __init__(self, ocx, req, account, container, obj, policy):
        super().__init__(ocx, req, account, container, obj)
        self.policy = policy
        self.codec = SplitCodec(policy.scheme, policy.n, policy.k,
                                policy.segment_size)
        self.names = tuple(wsgi_to_str(n) for n in (account, container, obj))
        self.backend_obj = self.stored_name(ocx.active_secret_id)

    def stored_name(self, secret_id):
        """The (WSGI string) name landlords store the object under when
        written with that secret."""
        if not self.policy.hide_names:
            return self.obj
        return str_to_wsgi(opaque_name(self.ocx.split_secrets[secret_id],
                                       *self.names))

    def other_names(self):
        """Stored names under the other configured secrets (hidden-name
        objects written before a rotation)."""
        if not self.policy.hide_names:
            return []
        return [self.stored_name(i) for i in sorted(self.ocx.split_secrets)
                if i != self.ocx.active_secret_id]

    kind = KIND_SHARE

    def seal_sysmeta(self, headers):
        """Carried sysmeta is sealed on shares: a symlink's target and
        its etag, s3api and SLO etags would tell a landlord about the
        plaintext and names (the split header stays readable: it holds
        nothing in clear that a landlord may not learn)."""
        return seal_headers(self.ocx.state_keys, self.state_path, headers,
                            keep=(SPLIT_SYSMETA.lower(),))

    def open_sysmeta(self, items):
        return open_headers(self.ocx.state_keys, self.state_path, items,
                            keep=(SPLIT_SYSMETA.lower(),))

    def keys(self, object_id, secret_id=None):
        """The object's keys under a configured secret (the active one by
        default); a KeyError for a secret not configured."""
        secret = self.ocx.split_secrets[secret_id or
                                        self.ocx.active_secret_id]
        return derive_object_keys(secret, *(self.names + (object_id,)))

    def share_headers(self, header, extra, content_type):
        """The landlord request headers of one share."""
        headers = dict(self.req.headers.items())
        for name in [k for k in headers if k.lower() in ('etag',
                                                         'content-length')]:
            del headers[name]
        headers[SPLIT_SYSMETA] = header.to_value()
        out = self.backend_headers(extra, headers.items())
        for name in [k for k in out if k.lower() == 'content-type']:
            del out[name]
        out['Content-Type'] = content_type
        return sign_headers(self.ocx.state_keys, self.state_path, self.kind,
                            self.timestamp, out)

    def content_type(self, size, base=None):
        """A share's stored Content-Type: the client's, its size (as an
        SLO's ``swift_bytes``) and, for hidden names, the sealed name; no
        ETag (landlords must not learn the plaintext's MD5)."""
        token = None
        if self.policy.hide_names:
            token = seal_name(self.ocx.split_root_secret, *self.names)
        return listing_content_type(
            base or self.req.headers['Content-Type'], size, None, token)

    def sealed_etag(self, md5):
        """The MD5 of the plaintext as share headers keep it: sealed."""
        if md5 is None:
            return None
        return seal(self.ocx.state_keys, self.state_path, 'etag',
                    md5.encode('ascii'))

    # -- PUT ------------------------------------------------------------

    def store(self):
        req = self.req
        size = req.content_length
        client_etag = normalize_etag(req.headers.get('Etag')) or None
        self.timestamp = Timestamp.now()
        object_id = os.urandom(16)
        self.write_id = object_id
        keys = self.keys(object_id)
        clients, replace = self.write_clients()
        pending = size is None or client_etag is None
        # one sealed value for every share: shares of one version agree
        sealed_etag = self.sealed_etag(client_etag)
        headers = []
        for index, client in enumerate(clients):
            header = ShareHeader(self.stored_scheme, self.codec.n,
                                 self.codec.k, self.codec.segment_size,
                                 size, sealed_etag, index,
                                 object_id,
                                 secret_id=self.ocx.active_secret_id)
            if not pending:
                header.seal(keys.mac_key)
            extra = {} if size is None else {
                'Content-Length': str(self.codec.share_size(size))}
            headers.append(self.share_headers(
                header, extra, self.content_type(size)))
        upload = ParallelUpload(
            [(c, self.backend_path, h) for c, h in zip(clients, headers)],
            self.ocx.timeouts.node, quorum=self.policy.write_quorum,
            replay_bytes=REPLAY_BYTES, replace=replace)
        try:
            total, md5 = self._stream_shares(upload, keys, object_id)
        except ClientReadError as err:
            upload.abort()
            return err.response
        if upload.failed:
            upload.abort()
            return self.settle_put(upload.results(),
                                   replaced=upload.replaced)
        results = upload.finish()
        resp = self.settle_put(results, replaced=upload.replaced)
        if not ok(resp.status_int):
            return resp
        # the shares stored, by share index (None: that share is missing)
        clients = [self.ocx.clients[n] if n else None
                   for n in self.stored_at]
        if client_etag is not None and client_etag != md5:
            self.remove_stored([c for c in clients if c])
            return HTTPUnprocessableEntity(request=req)
        if pending:
            error = self._complete(clients, keys, object_id, total, md5)
            if error:
                return error
        self.record(self.timestamp, total, md5, at=self.stored_at)
        resp.headers['Etag'] = md5
        stamp_response(resp, self.timestamp)
        resp.headers.pop('Content-Length', None)
        resp.headers['Content-Length'] = '0'
        return resp

    def written_by(self, headers):
        """The object id of the PUT that wrote a share (its decoded
        response headers), complete or pending."""
        found = dict((k.lower(), v) for k, v in headers)
        return written_by(found.get(SPLIT_SYSMETA.lower()))

    def _stream_shares(self, upload, keys, object_id):
        """Encode the client's body segment by segment into the shares.

        :returns: ``(bytes read, MD5 hex of them)``
        """
        md5 = hashlib.md5(usedforsecurity=False)
        segment_size = self.codec.segment_size
        buf = bytearray()
        index = total = 0
        for chunk in self._client_body():
            md5.update(chunk)
            total += len(chunk)
            buf += chunk
            while len(buf) >= segment_size:
                upload.send(self.codec.encode_segment(
                    keys, object_id, index, bytes(buf[:segment_size])))
                del buf[:segment_size]
                index += 1
                if upload.failed:
                    return total, md5.hexdigest()
        if buf:
            upload.send(self.codec.encode_segment(keys, object_id, index,
                                                  bytes(buf)))
        return total, md5.hexdigest()

    def _complete(self, clients, keys, object_id, size, md5):
        """Write the final header of shares uploaded before their size or
        ETag was known (a chunked PUT without ETag)."""
        header = ShareHeader(self.stored_scheme, self.codec.n, self.codec.k,
                             self.codec.segment_size, size,
                             self.sealed_etag(md5), 0,
                             object_id, secret_id=self.ocx.active_secret_id)
        failures = []
        for index, client in enumerate(clients):
            if client is None:
                continue  # a share the PUT could not store
            headers = self.share_headers(
                header.for_index(index, keys.mac_key), {},
                self.content_type(size))
            for name in ('If-None-Match', 'Transfer-Encoding'):
                headers.pop(name, None)
            try:
                resp = client.request('POST', self.backend_path,
                                      headers=headers)
                resp.close()
                if not ok(resp.status):
                    failures.append(ClusterUnavailable(
                        client.name, 'completing the share failed',
                        status=resp.status, trans_id=resp.trans_id))
            except ClusterUnavailable as err:
                failures.append(err)
        if failures:
            self.remove_stored([c for c in clients if c])
            return unavailable(self.req, failures)
        return None

    # -- finding the shares ---------------------------------------------

    def locate(self, row):
        """Find the object's shares of the version the index row names:
        under its name as the active secret stores it, then (hidden
        names) as earlier secrets did.

        :returns: ``(shares, None)`` or ``(None, error response)``
        """
        shares, error = self._locate(row)
        if error is None or error.status_int != 404:
            return shares, error
        current = self.backend_obj
        for name in self.other_names():
            self.backend_obj = name
            try:
                found, other_error = self._locate(row)
            except StaleRow:
                self.backend_obj = current
                raise
            if other_error is None or other_error.status_int != 404:
                return found, other_error
        self.backend_obj = current
        return shares, error

    def _locate(self, row):
        """HEAD every cluster that may hold a share; pick the version of
        the index row that enough valid shares agree on.

        :returns: ``(shares, None)`` with shares a dict index -> Share of
            that version, or ``(None, error response)``
        """
        clients = self.recorded_first(
            self.placement_clients(with_previous=True), row)
        results = self.fan_out(clients, 'HEAD',
                               headers=self.backend_headers(headers=[]))
        answers, failures = split_results(results)
        versions, refused = {}, []
        for client, resp, _body in answers:
            if resp.status == 404:
                continue
            if not ok(resp.status):
                refused.append((client, resp))
                continue
            share = self._valid_share(client, resp)
            if share is None:
                failures.append(self.tampered(
                    client, 'its share failed authentication'))
                continue
            try:
                check_fresh(share.timestamp, row)
            except CopyMismatch as err:
                failures.append(self.tampered(client, err))
                continue
            versions.setdefault(share.header.object_id, {}).setdefault(
                share.header.index, share)
        readable = [v for v in versions.values()
                    if len(v) >= self.policy.read_quorum]
        if readable:
            return readable[0], None
        if refused and not failures and not versions:
            client, resp = refused[0]
            return None, response_from_parts(
                self.req, resp.status_line, self.client_headers(resp))
        if not failures and not versions:
            return None, HTTPNotFound(request=self.req)
        found = max((len(v) for v in versions.values()), default=0)
        body = 'split object needs %d of %d shares, %d readable\n' % (
            self.policy.read_quorum, self.policy.width, found)
        body += ''.join('%s\n' % f for f in failures)
        for failure in failures:
            self.logger.warning('split object %s: %s',
                                wsgi_quote(self.backend_path), failure)
        note_reason(self.req.environ, body)
        return None, HTTPServiceUnavailable(request=self.req, body=body,
                                            content_type='text/plain')

    def _valid_share(self, client, resp):
        headers = self.client_headers(resp)
        value = next((v for k, v in headers
                      if k.lower() == SPLIT_SYSMETA.lower()), None)
        try:
            header = ShareHeader.parse(value)
        except ValueError:
            return None
        if (header.scheme.split(':')[0], header.n, header.k) != (
                self.codec.scheme, self.codec.n, self.codec.k) or \
                not 0 <= header.index < header.n or \
                header.secret_id not in self.ocx.split_secrets or \
                not header.verify(self.keys(header.object_id,
                                            header.secret_id).mac_key):
            return None
        try:
            stored = int(resp.headers.get('Content-Length'))
        except (TypeError, ValueError):
            stored = None
        try:
            codec = self._codec_for(header)
        except SplitDecodeError:
            return None
        if stored is not None and stored != codec.share_size(header.size):
            return None  # truncated or padded by the landlord
        try:
            timestamp = verify_answer(self.ocx.state_keys, self.state_path,
                                      self.kind, resp.header_items())
        except StateError:
            return None
        return Share(client, header, headers,
                     resp.headers.get('Content-Type', ''), timestamp)

    @property
    def stored_scheme(self):
        """The scheme as shares record it: with the Reed-Solomon backend
        (fragments of one backend do not decode with another)."""
        if self.codec.ec_type:
            return '%s:%s' % (self.codec.scheme, self.codec.ec_type)
        return self.codec.scheme

    def _codec_for(self, header):
        """The codec that wrote a share (segment size and RS backend as
        the share records them, whatever the policy says today)."""
        if header.scheme == self.stored_scheme and \
                header.segment_size == self.codec.segment_size:
            return self.codec
        scheme, _sep, ec_type = header.scheme.partition(':')
        try:
            return SplitCodec(scheme, header.n, header.k,
                              header.segment_size, ec_type=ec_type or None)
        except ValueError as err:
            raise SplitDecodeError('share written with an unusable codec: '
                                   '%s' % err)

    # -- HEAD and GET ---------------------------------------------------

    def handle_HEAD(self):
        return self.handle_GET()

    def handle_GET(self):
        denial = self.authorize('read_acl')
        if denial:
            return denial
        row = self.lookup()
        if row is None:
            return HTTPNotFound(request=self.req)
        try:
            shares, error = self.locate(row)
        except StaleRow:
            # a share newer than the cached row: the index's row
            row = self.lookup(refresh=True)
            if row is None:
                return HTTPNotFound(request=self.req)
            shares, error = self.locate(row)
        if error:
            return error
        newest = next(iter(shares.values()))
        header = newest.header
        reader = None
        if self.req.method == 'GET':
            reader = SplitReader(self, shares, self._codec_for(header))
        resp = Response(request=self.req, status=200,
                        app_iter=reader if reader else [],
                        conditional_response=True)
        resp.headers.clear()
        resp.headers.update((k, v) for k, v in newest.headers
                            if k.lower() not in SHARE_HEADERS)
        resp.headers['Content-Length'] = str(header.size)
        if row.md5:
            resp.headers['Etag'] = row.md5
        resp.headers['Accept-Ranges'] = 'bytes'
        stamp_response(resp, row.timestamp)
        if 'X-Backend-Etag-Is-At' in self.req.headers:
            resp._conditional_etag = resolve_etag_is_at_header(
                self.req, resp.headers)
        if reader is not None:
            error = reader.prime(self._first_byte(header.size))
            if error:
                return error
        self.note_cluster(newest.client.name)
        return resp

    def _first_byte(self, size):
        if self.req.range:
            ranges = self.req.range.ranges_for_length(size)
            if ranges:
                return ranges[0][0]
        return 0

    # -- POST and DELETE ------------------------------------------------

    def handle_POST(self):
        denial = self.authorize('write_acl') or self.check_metadata('object')
        if denial:
            return denial
        row = self.lookup()
        if row is None:
            return HTTPNotFound(request=self.req)
        shares, error = self.locate(row)
        if error:
            return error
        self.timestamp = Timestamp.now()
        new_type = self.req.headers.get('Content-Type')
        failures, answer, stored_type = [], None, None
        for share in shares.values():
            headers = dict(self.req.headers.items())
            headers.pop('Content-Type', None)
            present = {k.lower() for k in headers}
            headers.update((k, v) for k, v in share.headers
                           if k.lower() not in present and
                           k.lower() != SPLIT_SYSMETA.lower() and
                           (k.lower().startswith('x-object-sysmeta-') or
                            k.lower() == 'x-static-large-object'))
            headers[SPLIT_SYSMETA] = share.header.to_value()
            out = self.backend_headers(None, headers.items())
            out['Content-Type'] = stored_type = restyle_content_type(
                share.raw_content_type, new_type)
            sign_headers(self.ocx.state_keys, self.state_path, self.kind,
                         self.timestamp, out)
            try:
                resp = share.client.request('POST', self.backend_path,
                                            headers=out)
                resp.close()
            except ClusterUnavailable as err:
                failures.append(err)
                continue
            if resp.status // 100 == 5:
                failures.append(ClusterUnavailable(
                    share.client.name, resp.reason, status=resp.status,
                    trans_id=resp.trans_id))
            elif answer is None or not ok(resp.status):
                answer = resp
        if failures:
            return unavailable(self.req, failures)
        resp = response_from_parts(self.req, answer.status_line,
                                   self.client_headers(answer))
        if ok(resp.status_int):
            self.record(self.timestamp, row.size, None, etag=row.etag,
                        content_type=exchange_content_type(stored_type))
            # as Swift's object server: a POST answers with the object's
            # sysmeta (symlink answers 307 from it)
            share = next(iter(shares.values()))
            resp.headers.update(
                (k, v) for k, v in share.headers
                if k.lower().startswith('x-object-sysmeta-') and
                k.lower() != SPLIT_SYSMETA.lower())
        return resp

    def handle_DELETE(self):
        """Mark the object deleted in the index, then delete every share
        (under every name it may be stored as; failures logged)."""
        denial = self.authorize('write_acl')
        if denial:
            return denial
        row = self.lookup()
        if row is None:
            return HTTPNotFound(request=self.req)
        timestamp = Timestamp.now()
        self.record_delete(timestamp)
        current = self.backend_obj
        for name in [current] + self.other_names():
            self.backend_obj = name
            self.delete_copies(self.recorded_first(
                self.placement_clients(with_previous=True), row))
        self.backend_obj = current
        return Response(request=self.req, status=204, headers={
            'X-Timestamp': timestamp.internal})


def restyle_content_type(stored, new_base):
    """A share's stored Content-Type with the client's new one in front
    of the listing parameters it carries (size, etag, sealed name)."""
    if not new_base:
        return stored
    params = [p for p in stored.split(';')[1:]
              if p.strip().split('=')[0] in LISTING_PARAMS]
    return ';'.join([encode_content_type(new_base)] + params)


class ShareStream(object):
    """Records of one share read in order from a ranged GET."""

    def __init__(self, share, bresp):
        self.share = share
        self.bresp = bresp
        self.chunks = bresp.iter_body()
        self.buf = bytearray()

    def read_record(self, size):
        """:raises ClusterUnavailable: when the share ends early"""
        while len(self.buf) < size:
            try:
                chunk = next(self.chunks)
            except StopIteration:
                raise ClusterUnavailable(self.share.client.name,
                                         'share ended early')
            self.buf += chunk
        record = bytes(self.buf[:size])
        del self.buf[:size]
        return record

    def close(self):
        self.chunks.close()
        self.bresp.close()


class SplitReader(object):
    """The client's bytes of a split object, decoded from k shares as the
    response is sent (swob calls ``app_iter_range`` for a Range).

    :param ctx: the :class:`SplitObjectContext`
    :param shares: dict index -> :class:`Share` of one version
    :param codec: the codec of that version
    """

    def __init__(self, ctx, shares, codec):
        self.ctx = ctx
        self.shares = shares
        self.codec = codec
        header = next(iter(shares.values())).header
        self.size = header.size
        self.object_id = header.object_id
        self.keys = ctx.keys(self.object_id, header.secret_id)
        self.streams = {}
        self.failed = set()  # share indexes that failed: never again
        self.bad = []
        self.window = None  # (first, last) segment of open streams
        self.primed = None  # (segment index, plaintext)

    # -- share streams ---------------------------------------------------

    def _open(self, index, first, last):
        self.failed.add(index)  # until it works
        share = self.shares[index]
        start, end = self.codec.share_range(self.size, first, last)
        headers = self.ctx.backend_headers(
            {'Range': 'bytes=%d-%d' % (start, end)}, [])
        try:
            bresp = share.client.request('GET', self.ctx.backend_path,
                                         headers=headers)
        except ClusterUnavailable as err:
            self.bad.append(err)
            return False
        if bresp.status not in (200, 206):
            bresp.close()
            self.bad.append(ClusterUnavailable(
                share.client.name, 'share read failed',
                status=bresp.status, trans_id=bresp.trans_id))
            return False
        if bresp.status == 200 and start:
            bresp.close()
            self.bad.append(ClusterUnavailable(
                share.client.name, 'share read ignored its range'))
            return False
        self.streams[index] = ShareStream(share, bresp)
        self.failed.discard(index)
        return True

    def _fill(self, first, last):
        """Open streams until k are open (for segments first..last)."""
        spares = [i for i in sorted(self.shares)
                  if i not in self.streams and i not in self.failed]
        while len(self.streams) < self.codec.k and spares:
            self._open(spares.pop(0), first, last)
        if len(self.streams) < self.codec.k:
            raise SplitDecodeError('; '.join(str(b) for b in self.bad) or
                                   'not enough shares')

    def _close_streams(self):
        for stream in self.streams.values():
            stream.close()
        self.streams = {}

    def _drop(self, index, reason):
        stream = self.streams.pop(index)
        stream.close()
        self.failed.add(index)
        self.bad.append(ClusterUnavailable(stream.share.client.name, reason))

    def _segment(self, index, last):
        """Decode one segment from the open streams, replacing streams
        that fail with spares."""
        plain_len = self.codec.segment_length(self.size, index)
        size = self.codec.record_size(plain_len)
        records = {}
        while True:
            self._fill(index, last)
            for share_index in sorted(self.streams):
                if share_index in records:
                    continue
                try:
                    records[share_index] = \
                        self.streams[share_index].read_record(size)
                except ClusterUnavailable as err:
                    self._drop(share_index, err.reason)
            records = {i: r for i, r in records.items()
                       if i in self.streams}
            if len(records) < self.codec.k:
                continue  # _fill opens spares, or gives up
            try:
                return self.codec.decode_segment(
                    self.keys, self.object_id, index, plain_len, records)
            except ShareAuthError as err:
                for share_index in err.shares:
                    records.pop(share_index, None)
                    if share_index in self.streams:
                        self._drop(share_index,
                                   'segment %d failed authentication'
                                   % index)

    def segments(self, first, last):
        """Yield ``(index, plaintext)`` of segments first..last."""
        if self.window != (first, last):
            self._close_streams()
            self.window = (first, last)
        for index in range(first, last + 1):
            if self.primed and self.primed[0] == index:
                plain = self.primed[1]
                self.primed = None
            else:
                plain = self._segment(index, last)
            yield index, plain

    # -- what swob calls --------------------------------------------------

    def prime(self, first_byte):
        """Read the first segment before answering, so a failure is a
        clean 503 rather than a cut-off body.

        :returns: None, or the error response
        """
        if not self.size:
            return None
        first, last = self.codec.segments_for_range(
            self.size, first_byte, self._last_byte())
        try:
            self.window = (first, last)
            self.primed = (first, self._segment(first, last))
        except SplitDecodeError as err:
            self.close()
            self.ctx.logger.warning('split object %s unreadable: %s',
                                    wsgi_quote(self.ctx.backend_path), err)
            return HTTPServiceUnavailable(
                request=self.ctx.req, content_type='text/plain',
                body='split object unreadable: %s\n' % err)
        return None

    def _last_byte(self):
        req = self.ctx.req
        if req.range:
            ranges = req.range.ranges_for_length(self.size)
            if ranges and len(ranges) == 1:
                return ranges[0][1] - 1
        return self.size - 1

    def app_iter_range(self, start, stop):
        """Bytes ``start`` up to ``stop`` (exclusive)."""
        if stop <= start:
            return
        first, last = self.codec.segments_for_range(self.size, start,
                                                    stop - 1)
        segment_size = self.codec.segment_size
        try:
            for index, plain in self.segments(first, last):
                offset = index * segment_size
                yield plain[max(start - offset, 0):stop - offset]
        except SplitDecodeError as err:
            self.ctx.logger.error('split object %s: read cut short: %s',
                                  wsgi_quote(self.ctx.backend_path), err)
        finally:
            self._close_streams()
            self.window = None

    def app_iter_ranges(self, ranges, content_type, boundary, size):
        return multi_range_iterator(ranges, content_type, boundary, size,
                                    self.app_iter_range)

    def __iter__(self):
        return self.app_iter_range(0, self.size)

    def close(self):
        self._close_streams()


def hidden_name(secrets, account, container, token):
    """The real name of a hidden-name object's listing entry, or None
    when the sealed name opens under none of the secrets (a landlord's
    forgery).

    :param secrets: the configured root secrets, active first
    """
    for secret in secrets:
        try:
            return open_name(secret, account, container, token)
        except SplitDecodeError:
            continue
    return None
