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

"""Moving an exchange whose state lived on landlords to its metadata tier.

Before the metadata tier, every landlord cluster held a copy of each
container with its metadata (ACLs, tempurl and sync keys, user metadata,
the policy as reserved metadata ``X-Container-Meta-Ocx-Sys-Ocx-Policy``),
replicated copies carried no state tag, and split shares kept the
plaintext's MD5 in clear in their header. ``ocx-index``
(:mod:`ocx_swift.cli.index`) reads that state from the landlords, writes
it into the metadata tier and the object index, and stamps every copy and
share with its state tag (:mod:`ocx_swift.storage.copies`).

What is and is not authenticated
================================

* **Containers and accounts**: the old design stored their metadata in
  clear on landlords, unauthenticated: a landlord could have changed its
  copy (a wider ACL, a tempurl key of its own, another policy). The
  copies of all landlords are compared: a container whose copies
  disagree on its policy, ACLs, tempurl or sync keys is refused unless
  one cluster is trusted (``--trust-cluster``); other metadata is taken
  from the trusted cluster, else from the first cluster (by name) that
  has the container.
* **Replicated copies**: unauthenticated too; the newest copy (its
  ``X-Timestamp``) gives the size, MD5 and content type, copies with
  another MD5 are left unstamped (never served).
* **Split shares**: their header was tagged; a share whose tag fails is
  refused, never stamped.

The functions here are pure; :class:`Migration` does the requests.
Names are native strings (as listings give them) unless said otherwise.
"""

import collections
import heapq
import itertools
import re
from urllib.parse import unquote

from swift.common.concurrency import GreenPool
from swift.common.swob import str_to_wsgi, wsgi_quote
from swift.common.utils import Timestamp

from ocx_swift.exceptions import ClusterUnavailable, OcxError
from ocx_swift.handlers.split import hidden_name
from ocx_swift.mover import backend
from ocx_swift.split.codec import SplitCodec
from ocx_swift.split.keys import derive_object_keys
from ocx_swift.storage.copies import KIND_COPY, KIND_SHARE, sign_headers, \
    verify_answer
from ocx_swift.storage.shares import SPLIT_SYSMETA, ShareHeader
from ocx_swift.storage.index import row_etag
from ocx_swift.storage.state import STATE_HEADER, StateError, seal, \
    unseal
from ocx_swift.sysmeta import ETAG_PARAM, POLICY_HEADER, decode_headers, \
    encode_headers, exchange_content_type, name_token, reserved_prefix

#: the header keeping the policy on a landlord (old design), as decoded
POLICY_KEY = POLICY_HEADER.lower()
#: container headers that grant access or hold keys: every landlord's
#: copy must agree on them (the policy too)
GUARDED_CONTAINER = ('x-container-read', 'x-container-write',
                     'x-container-sync-to', 'x-container-sync-key',
                     'x-container-meta-temp-url-key',
                     'x-container-meta-temp-url-key-2')
GUARDED_ACCOUNT = ('x-account-meta-temp-url-key',
                   'x-account-meta-temp-url-key-2',
                   'x-account-sysmeta-core-access-control')
#: object headers a POST must send again (Swift's object server keeps
#: only sysmeta and the content type of what came before)
KEPT_OBJECT_HEADERS = ('content-encoding', 'content-disposition',
                       'content-language', 'cache-control', 'expires',
                       'x-robots-tag', 'x-delete-at')
MD5_RE = re.compile(r'\A[0-9a-f]{32}\Z')
#: the purpose a split object's sealed MD5 is sealed for
ETAG_PURPOSE = 'etag'

View = collections.namedtuple('View', 'policy guarded headers')
View.__doc__ = """A landlord's copy of a container or account: its policy
name (None when not stamped), the guarded headers (dict) and every header
the metadata tier gets (dict, exchange-side names)."""


class Refusal(Exception):
    """Something ``ocx-index`` will not migrate; the message says why."""


# -- containers and accounts ------------------------------------------------


def _view(headers, server_type, guarded):
    """:param headers: a landlord HEAD's headers, (name, value) items"""
    decoded = decode_headers(list(headers), server_type)
    found, policy = {}, None
    meta = 'x-%s-meta-' % server_type
    sysmeta = 'x-%s-sysmeta-' % server_type
    for name, value in decoded:
        lower = name.lower()
        if lower == POLICY_KEY and server_type == 'container':
            policy = value
        elif lower.startswith((meta, sysmeta)) or lower in guarded:
            if value:
                found[lower] = value
    return View(policy, {k: v for k, v in found.items() if k in guarded},
                found)


def container_view(headers):
    """What a landlord's container HEAD says about the container."""
    return _view(headers, 'container', GUARDED_CONTAINER)


def account_view(headers):
    """What a landlord's account HEAD says about the account."""
    return _view(headers, 'account', GUARDED_ACCOUNT)


def choose_view(views, trust=None):
    """The one view to migrate from several landlords' copies.

    :param views: dict cluster name -> :class:`View`
    :param trust: a cluster name whose word is taken, or None
    :returns: the :class:`View`
    :raises Refusal: when the copies disagree on the policy or a guarded
        header and no trusted cluster holds one
    """
    if not views:
        raise Refusal('no landlord holds it')
    if trust is not None:
        if trust not in views:
            raise Refusal('the trusted cluster %r holds no copy' % trust)
        return views[trust]
    names = sorted(views)
    first = views[names[0]]
    for name in names[1:]:
        other = views[name]
        if other.policy != first.policy:
            raise Refusal('landlords disagree on its policy (%s: %r, %s: '
                          '%r)' % (names[0], first.policy, name,
                                   other.policy))
        differ = sorted(k for k in set(first.guarded) | set(other.guarded)
                        if first.guarded.get(k) != other.guarded.get(k))
        if differ:
            raise Refusal('landlords disagree on %s (%s and %s)' % (
                ', '.join(differ), names[0], name))
    return first


def tier_container_headers(view, policy_name):
    """The PUT headers creating the container in the metadata tier."""
    headers = {k.title(): v for k, v in view.headers.items()}
    headers['X-Storage-Policy'] = policy_name
    return headers


def scrub_headers(header_items, server_type, every_meta):
    """A landlord POST removing what the metadata tier now keeps: the
    reserved ``X-<Type>-Meta-Ocx-*`` keys, the guarded headers and (with
    ``every_meta``) all metadata. Empty when nothing is left to remove.

    :param header_items: the landlord HEAD's headers
    """
    prefix = reserved_prefix(server_type).lower()
    meta = 'x-%s-meta-' % server_type
    guarded = GUARDED_CONTAINER if server_type == 'container' \
        else GUARDED_ACCOUNT
    out = {}
    for name, value in header_items:
        lower = name.lower()
        if not value:
            continue
        if lower.startswith(prefix) or lower in guarded or \
                (every_meta and lower.startswith(meta)):
            out[name.title()] = ''
    return out


# -- objects ------------------------------------------------------------


def lower_dict(header_items):
    return {k.lower(): v for k, v in header_items}


def stored_etag_param(content_type):
    """``(content type without ocx_etag, the ocx_etag value or None)``"""
    parts = content_type.split(';')
    kept, etag = [parts[0]], None
    for part in parts[1:]:
        key, sep, value = part.strip().partition('=')
        if sep and key == ETAG_PARAM:
            etag = unquote(value)
        else:
            kept.append(part)
    return ';'.join(kept), etag


def copy_facts(header_items):
    """``(md5, size, stored content type, override etag)`` of a
    replicated copy as a landlord's HEAD describes it.

    :raises Refusal: without a usable Etag or Content-Length
    """
    headers = lower_dict(header_items)
    md5 = headers.get('etag', '').strip('"').lower()
    if not MD5_RE.match(md5):
        raise Refusal('copy has no MD5 Etag')
    try:
        size = int(headers.get('content-length', ''))
    except ValueError:
        raise Refusal('copy has no Content-Length')
    stored_type = headers.get('content-type', 'application/octet-stream')
    override = stored_etag_param(stored_type)[1]
    return md5, size, stored_type, (override if override != md5 else None)


def row_update(timestamp, size, md5, stored_type, override=None):
    """An object index row (``record_put``'s ``update``)."""
    return {'x-timestamp': timestamp.internal, 'x-size': str(size),
            'x-content-type': exchange_content_type(stored_type),
            'x-etag': row_etag(md5, override)}


def post_headers(header_items, content_type, replace=None):
    """The landlord POST headers that keep a copy's metadata as stored
    (every ``X-Object-Meta-*``, reserved keys included, and the headers a
    POST would drop), with ``replace`` (exchange-side headers, encoded
    with :func:`~ocx_swift.sysmeta.encode_headers`) put in place of what
    they encode to. The caller adds the state tag.

    :param content_type: the Content-Type to store
    """
    replaced = encode_headers(dict(replace or {}), 'object')
    # what the replaced headers are stored as, with any continuation keys
    # of a longer old value
    bases = [k.lower() for name in (replace or {})
             for k in encode_headers({name: 'x'}, 'object')]
    out = {}
    for name, value in header_items:
        lower = name.lower()
        if lower == STATE_HEADER.lower() or any(
                lower == b or lower.startswith(b + '--') for b in bases):
            continue
        if (lower.startswith('x-object-meta-') and value) or \
                lower in KEPT_OBJECT_HEADERS:
            out[name] = value
    out.update(replaced)
    out['Content-Type'] = content_type
    return out


# -- split shares ---------------------------------------------------------


def share_md5(header, state_keys, path):
    """The plaintext MD5 a (verified) share header records: in clear in
    the old format, sealed in the new one.

    :raises Refusal: when the sealed value does not open
    """
    if MD5_RE.match(header.etag or ''):
        return header.etag
    try:
        return unseal(state_keys, path, ETAG_PURPOSE,
                      header.etag).decode('ascii')
    except (StateError, UnicodeDecodeError) as err:
        raise Refusal('share header etag: %s' % err)


def is_old_header(header):
    """True for a share header of the old format (MD5 in clear)."""
    return bool(MD5_RE.match(header.etag or ''))


def codec_of(header):
    """The codec that wrote a share, as its header says.

    :raises Refusal: on a codec that cannot be built
    """
    scheme, _sep, ec_type = header.scheme.partition(':')
    try:
        return SplitCodec(scheme, header.n, header.k, header.segment_size,
                          ec_type=ec_type or None)
    except (ValueError, ImportError) as err:
        raise Refusal('share written with an unusable codec: %s' % err)


def check_share(header, policy, mac_key, stored_length):
    """Refuse a share the exchange would not read.

    :param header: the parsed :class:`ShareHeader`
    :param mac_key: the object's MAC key for the header's secret id
    :param stored_length: the share's Content-Length (int or None)
    :raises Refusal: saying why
    """
    if (header.scheme.split(':')[0], header.n, header.k) != (
            policy.scheme, policy.n, policy.k):
        raise Refusal('share of scheme %s %d/%d in a %s %d/%d container' % (
            header.scheme, header.k, header.n, policy.scheme, policy.k,
            policy.n))
    if not 0 <= header.index < header.n:
        raise Refusal('share index %d out of range' % header.index)
    if not header.verify(mac_key):
        raise Refusal('share header failed authentication')
    if stored_length is not None and \
            stored_length != codec_of(header).share_size(header.size):
        raise Refusal('share of %d bytes, its header says %d' % (
            stored_length, codec_of(header).share_size(header.size)))


def resealed(header, sealed_etag, mac_key):
    """The new-format header of a share: the sealed MD5, tagged again."""
    header.etag = sealed_etag
    return header.seal(mac_key)


def seal_md5(state_keys, path, md5):
    """The sealed MD5 every share of one version carries."""
    return seal(state_keys, path, ETAG_PURPOSE, md5.encode('ascii'))


# -- the run --------------------------------------------------------------


Target = collections.namedtuple(
    'Target', 'account container holders policy policy_index pieces')
Target.__doc__ = """A container to index: the clusters listing it, its
policy (from the metadata tier; from the landlords' word in a dry run),
its Swift policy index (None in a dry run before creation) and the
pieces (copies or shares) the landlords count in it."""


class Report(object):
    """What a run did: counters, and the refusals and errors by name."""

    def __init__(self):
        self.counts = collections.Counter()
        self.refused = []
        self.errors = []

    def count(self, what, n=1):
        self.counts[what] += n

    def refuse(self, what, why):
        self.refused.append('%s: %s' % (what, why))

    def error(self, what, why):
        self.errors.append('%s: %s' % (what, why))

    @property
    def failed(self):
        return bool(self.refused or self.errors)


class Migration(object):
    """Builds the metadata tier and the object index from the landlords.

    :param clients: dict cluster name -> ClusterClient (service user)
    :param tier: :class:`~ocx_swift.storage.tier.MetadataTier`
    :param tier_client: an ``InternalClient`` on the exchange's
        proxy-server app (creates accounts and containers in the tier)
    :param policies: the :class:`~ocx_swift.policy.PolicyMap`
    :param state_keys: :class:`~ocx_swift.storage.state.StateKeys`
    :param split_secrets: dict secret id -> root secret (bytes)
    :param active_secret_id: the id of the active secret
    :param trust: a cluster whose word on containers is taken, or None
    :param progress: a tqdm-like bar (``total``, ``update``), or None
    """

    def __init__(self, clients, tier, tier_client, policies, state_keys,
                 split_secrets, active_secret_id, dry_run=False,
                 scrub=True, trust=None, concurrency=4, progress=None,
                 logger=None):
        self.clients = clients
        self.tier = tier
        self.tier_client = tier_client
        self.policies = policies
        self.state_keys = state_keys
        self.split_secrets = split_secrets
        self.secrets = [split_secrets[active_secret_id]] + [
            v for k, v in sorted(split_secrets.items())
            if k != active_secret_id]
        self.dry_run = dry_run
        self.scrub = scrub
        self.trust = trust
        self.concurrency = max(1, concurrency)
        self.progress = progress
        self.logger = logger
        self.report = Report()

    def run(self, accounts):
        """Both passes (containers, then objects) over the accounts."""
        targets = []
        for account in accounts:
            targets += self.prepare_account(account)
        if self.progress is not None:
            self.progress.total = sum(t.pieces for t in targets)
            self.progress.refresh()
        for target in targets:
            self.index_container(target)
        return self.report

    # -- pass 1: accounts and containers ---------------------------------

    def _head_all(self, names, path):
        """``{cluster: lower-case headers}`` of those that have ``path``
        (errors reported)."""
        found = {}
        for name in names:
            try:
                headers = backend.head(self.clients[name], path)
            except (ClusterUnavailable, backend.Refused) as err:
                self.report.error('HEAD %s' % wsgi_quote(path), err)
                continue
            if headers is not None:
                found[name] = headers
        return found

    def prepare_account(self, account):
        """Migrate the account's metadata; find and create its
        containers in the tier.

        :returns: list of :class:`Target`
        """
        holders = collections.defaultdict(list)
        for name, client in sorted(self.clients.items()):
            try:
                for container in backend.container_names(client, account):
                    holders[container].append(name)
            except (ClusterUnavailable, backend.Refused) as err:
                self.report.error('listing %s on %s' % (account, name), err)
        heads = self._head_all(sorted(self.clients),
                               backend.account_path(account))
        self.migrate_account(account, heads)
        targets = []
        for container in sorted(holders):
            try:
                target = self.prepare_container(account, container,
                                                holders[container])
            except Refusal as err:
                self.report.count('containers refused')
                self.report.refuse('container %s/%s' % (account, container),
                                   err)
                continue
            except OcxError as err:
                self.report.error('container %s/%s' % (account, container),
                                  err)
                continue
            if target is not None:
                targets.append(target)
        return targets

    def migrate_account(self, account, heads):
        """Account metadata into the tier, unless the tier has the
        account already; then scrub the landlords' copies."""
        if not heads:
            return
        path = self.tier_client.make_path(account)
        resp = self.tier_client.make_request('HEAD', path, {}, (2, 404))
        fake = resp.headers.get('X-Backend-Fake-Account-Listing')
        if resp.status_int // 100 == 2 and not fake:
            self.report.count('accounts already in the metadata tier')
        else:
            try:
                view = choose_view({n: account_view(h.items())
                                    for n, h in heads.items()}, self.trust)
            except Refusal as err:
                self.report.refuse('account %s metadata' % account, err)
                return
            headers = {k.title(): v for k, v in view.headers.items()
                       if 'quota' not in k}
            if not self.dry_run:
                self.tier_client.make_request('POST', path, headers, (2,))
            self.report.count('accounts created')
        self._scrub(heads, backend.account_path(account), 'account', False)

    def prepare_container(self, account, container, holders):
        """Create one container in the tier (unless there); scrub it.

        :returns: a :class:`Target`, or None (dry run, nothing to index)
        :raises Refusal: when the landlords' copies disagree or name an
            unknown policy
        """
        path = backend.container_path(account, container)
        heads = self._head_all(holders, path)
        existing = self.tier.container_headers(account, container)
        if existing is None:
            view = choose_view({n: container_view(h.items())
                                for n, h in heads.items()}, self.trust)
            policy = self.policies.get(view.policy) if view.policy \
                else self.policies.default
            if policy is None:
                raise Refusal('its policy %r is not configured' %
                              view.policy)
            if not self.dry_run:
                self.tier_client.make_request(
                    'PUT', self.tier_client.make_path(account, container),
                    tier_container_headers(view, policy.name), (2,))
                existing = self.tier.container_headers(account, container)
            self.report.count('containers created')
        else:
            self.report.count('containers already in the metadata tier')
        if existing is not None:
            policy = self.tier.container_policy(account, container)
            policy_index = int(existing['X-Backend-Storage-Policy-Index'])
        else:
            policy_index = None
        self._scrub(heads, path, 'container', True)
        pieces = 0
        for headers in heads.values():
            try:
                pieces += int(headers.get('x-container-object-count', 0))
            except ValueError:
                pass
        return Target(account, container, list(heads), policy, policy_index,
                      pieces)

    def _scrub(self, heads, path, server_type, every_meta):
        if not self.scrub:
            return
        for name, headers in sorted(heads.items()):
            remove = scrub_headers(headers.items(), server_type, every_meta)
            if not remove:
                continue
            self.report.count('%s copies scrubbed' % server_type)
            if self.dry_run:
                continue
            client = self.clients[name]
            try:
                backend.check(client, client.request(
                    'POST', path, headers=remove), 'POST', path).close()
            except (ClusterUnavailable, backend.Refused) as err:
                self.report.error('scrubbing %s' % wsgi_quote(path), err)

    # -- pass 2: objects --------------------------------------------------

    def index_container(self, target):
        """Index every object of the container, several at once."""
        pool = GreenPool(self.concurrency)
        try:
            for name, entries in self.walk(target):
                pool.spawn_n(self._one, target, name, entries)
        except (ClusterUnavailable, backend.Refused) as err:
            self.report.error('listing %s/%s' % (
                target.account, target.container), err)
        pool.waitall()

    def walk(self, target):
        """Yield ``(stored name, {cluster: listing entry})``, by name."""
        def tagged(cluster):
            for entry in backend.object_entries(
                    self.clients[cluster], target.account, target.container):
                yield entry['name'], cluster, entry

        merged = heapq.merge(*[tagged(c) for c in target.holders],
                             key=lambda item: item[0])
        for name, group in itertools.groupby(merged, key=lambda i: i[0]):
            yield name, {cluster: entry for _n, cluster, entry in group}

    def _one(self, target, name, entries):
        what = '%s/%s/%s' % (target.account, target.container, name)
        try:
            outcome = self.index_object(target, name, entries)
        except Refusal as err:
            outcome = 'objects refused'
            self.report.refuse(what, err)
        except OcxError as err:
            outcome = 'objects failed'
            self.report.error(what, err)
        except Exception as err:  # noqa: one object never stops the run
            if self.logger:
                self.logger.exception('indexing %s failed', what)
            outcome = 'objects failed'
            self.report.error(what, 'unexpected %s: %s' % (
                type(err).__name__, err))
        self.report.count(outcome)
        if self.progress is not None:
            self.progress.update(len(entries))

    def real_name(self, target, entries):
        """The real name of a hidden-name object (its sealed name)."""
        for entry in entries.values():
            token = name_token(entry.get('content_type', ''))
            name = token and hidden_name(self.secrets, target.account,
                                         target.container, token)
            if name:
                return name
        raise Refusal('no valid sealed name')

    def index_object(self, target, stored, entries):
        """Index one object and stamp its copies or shares.

        :returns: the outcome counted
        """
        real = self.real_name(target, entries) \
            if target.policy.hide_names else stored
        path = (target.account, target.container, real)
        heads = self._head_all(sorted(entries), backend.object_path(
            target.account, target.container, stored))
        if not heads:
            return 'objects gone'
        row = None
        if target.policy_index is not None:
            row = self.tier.index.lookup(*[str_to_wsgi(p) for p in path])
        if target.policy.is_split:
            plan = self.plan_shares(target, path, heads)
        else:
            plan = self.plan_copies(path, heads)
        timestamp, update, posts = plan
        current = row is not None and row.timestamp == timestamp
        if current and not posts:
            return 'objects already indexed'
        if self.dry_run:
            return 'objects indexed'
        object_path = backend.object_path(target.account, target.container,
                                          stored)
        for name, headers in posts:
            client = self.clients[name]
            backend.check(client, client.request(
                'POST', object_path, headers=headers), 'POST',
                object_path).close()
        if not current:
            self.tier.index.record_put(*[str_to_wsgi(p) for p in path],
                                       update=update,
                                       policy_index=target.policy_index)
        return 'objects indexed'

    def _stamp(self, path, kind, timestamp, headers):
        return sign_headers(self.state_keys, path, kind, timestamp, headers)

    def _verified(self, path, kind, heads):
        found = {}
        for name, headers in heads.items():
            try:
                found[name] = verify_answer(self.state_keys, path, kind,
                                            headers.items())
            except StateError:
                pass
        return found

    def plan_copies(self, path, heads):
        """What a replicated object's copies need.

        :returns: ``(timestamp, row update, [(cluster, POST headers)])``
        """
        verified = self._verified(path, KIND_COPY, heads)
        if verified:
            winner = max(sorted(verified), key=lambda n: verified[n])
            timestamp = verified[winner]
        else:
            winner = max(sorted(heads),
                         key=lambda n: backend.timestamp_of(heads[n]))
            timestamp = landlord_timestamp(heads[winner])
        md5, size, stored_type, override = copy_facts(heads[winner].items())
        posts = []
        for name, headers in sorted(heads.items()):
            try:
                same = copy_facts(headers.items())[0] == md5
            except Refusal:
                same = False
            if not same:
                self.report.count('stale copies left unstamped')
                continue
            if verified.get(name) == timestamp and \
                    verified.get(winner) == timestamp:
                continue
            posts.append((name, self._stamp(
                path, KIND_COPY, timestamp,
                post_headers(heads[winner].items(), stored_type))))
        return timestamp, row_update(timestamp, size, md5, stored_type,
                                     override), posts

    def plan_shares(self, target, path, heads):
        """What a split object's shares need: the version enough valid
        shares agree on, its header sealed and tagged again.

        :returns: ``(timestamp, row update, [(cluster, POST headers)])``
        :raises Refusal: when too few shares verify
        """
        versions = collections.defaultdict(dict)
        for name, headers in sorted(heads.items()):
            try:
                header, keys = self._share(target, path, headers)
            except Refusal as err:
                self.report.refuse('%s on %s' % ('/'.join(path), name), err)
                continue
            versions[header.object_id][name] = (header, keys)
        verified = self._verified(path, KIND_SHARE, heads)

        def newest(version):
            return max(verified.get(n) or landlord_timestamp(heads[n])
                       for n in version)

        readable = [v for v in versions.values()
                    if len({h.index for h, _k in v.values()}) >=
                    target.policy.read_quorum]
        if not readable:
            raise Refusal('needs %d valid shares, found %d' % (
                target.policy.read_quorum,
                max([len(v) for v in versions.values()] or [0])))
        version = max(readable, key=newest)
        self.report.count('stale copies left unstamped',
                          sum(len(v) for v in versions.values()) -
                          len(version))
        stamped = [verified[n] for n in version if n in verified]
        timestamp = max(stamped) if stamped else newest(version)
        md5s = {share_md5(h, self.state_keys, path)
                for h, _k in version.values()}
        if len(md5s) != 1:
            raise Refusal('shares of one version disagree on the MD5')
        md5 = md5s.pop()
        if all(verified.get(n) == timestamp for n in version):
            posts = []
        else:
            posts = self._share_posts(path, heads, version, md5, timestamp)
        header = next(iter(version.values()))[0]
        stored_type, override = stored_etag_param(
            heads[sorted(version)[0]].get('content-type', ''))
        return timestamp, row_update(
            timestamp, header.size, md5, stored_type,
            override if override != md5 else None), posts

    def _share(self, target, path, headers):
        value = dict((k.lower(), v) for k, v in decode_headers(
            headers.items(), 'object')).get(SPLIT_SYSMETA.lower())
        try:
            header = ShareHeader.parse(value)
        except ValueError:
            raise Refusal('not a complete share header')
        secret = self.split_secrets.get(header.secret_id)
        if secret is None:
            raise Refusal('share of unknown secret id %r' % header.secret_id)
        keys = derive_object_keys(secret, *(path + (header.object_id,)))
        try:
            length = int(headers.get('content-length'))
        except (TypeError, ValueError):
            length = None
        check_share(header, target.policy, keys.mac_key, length)
        return header, keys

    def _share_posts(self, path, heads, version, md5, timestamp):
        sealed = seal_md5(self.state_keys, path, md5)
        posts = []
        for name, (header, keys) in sorted(version.items()):
            headers = heads[name]
            stored_type = stored_etag_param(
                headers.get('content-type', ''))[0]
            value = resealed(header, sealed, keys.mac_key).to_value()
            posts.append((name, self._stamp(
                path, KIND_SHARE, timestamp,
                post_headers(headers.items(), stored_type,
                             {SPLIT_SYSMETA: value}))))
        return posts


def landlord_timestamp(headers):
    """The ``Timestamp`` of a landlord's object answer (now, if none)."""
    try:
        return Timestamp(headers['x-timestamp'])
    except (KeyError, ValueError):
        return Timestamp.now()
