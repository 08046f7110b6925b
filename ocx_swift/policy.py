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

"""Policy map: how a container's objects are placed on the landlords.

The policy file (``policy_conf_path`` of ``[filter:ocx]``) holds one
section per policy; exactly one is the default::

    [policy:standard]
    kind = replicated
    # copies, each on a distinct landlord (1: plain consistent hashing)
    replicas = 1
    default = yes

    [policy:two-landlords]
    kind = replicated
    replicas = 2
    # copies a PUT must store (on placement or handoff clusters) to
    # succeed; repair makes up the rest later (default: replicas)
    min_copies = 2

    [policy:eu-only]
    kind = pinned
    # only these landlords (or clusters = c1, c2) hold the objects
    landlords = landlord1
    replicas = 1

    [policy:secret]
    kind = split
    # xor: n shares, all needed, each alone uniformly random
    # aont-rs: all-or-nothing transform + Reed-Solomon, any k of n rebuild
    scheme = aont-rs
    n = 3
    k = 2
    # bytes of plaintext per segment (memory and range granularity)
    segment_size = 1048576
    # landlords see a keyed hash instead of the object name
    hide_names = no
    # aont-rs: shares a PUT must store to succeed, k..n (default n; k
    # leaves no spare share until ocx-repair rebuilds the missing ones);
    # xor always needs all n
    min_shares = 3

Without a policy file the exchange has one policy, ``replicated`` with one
copy, named as the proxy's default Swift storage policy.

Placement walks the cluster ring's order for the object's name (its
primary clusters, then handoffs) and takes the first clusters the policy
allows, each of a landlord not taken yet, as many as the policy's
*width* (copies or shares). A write whose placement cluster is down takes
the next cluster of that walk whose landlord holds nothing of the object
(:meth:`OcxPolicy.handoffs`). So copies and shares always sit with distinct
landlords, and placement moves as little as the ring does when clusters
come and go. A policy the ring cannot satisfy (too few allowed landlords
with weight) is refused when the ring is loaded, naming the policy.
"""

import re

from ocx_swift.config import named_sections, read_ini
from ocx_swift.exceptions import OcxConfigError, PlacementError

KINDS = ('replicated', 'pinned', 'split')
SCHEMES = ('xor', 'aont-rs')
POLICY_NAME_RE = re.compile(r'^[A-Za-z0-9][\w.-]{0,63}$')
DEFAULT_SEGMENT_SIZE = 1048576
TRUE_VALUES = ('1', 'yes', 'true', 'on', 't', 'y')


def _int(name, options, key, default=None, minimum=1):
    raw = options.pop(key, None)
    if raw is None or not raw.strip():
        if default is None:
            raise OcxConfigError('policy %r: missing %r' % (name, key))
        return default
    try:
        value = int(raw)
    except ValueError:
        raise OcxConfigError('policy %r: %s must be an integer, got %r'
                             % (name, key, raw))
    if value < minimum:
        raise OcxConfigError('policy %r: %s must be at least %d, got %d'
                             % (name, key, minimum, value))
    return value


def _names(options, key):
    return tuple(sorted({v.strip() for v in options.pop(key, '').split(',')
                         if v.strip()}))


class OcxPolicy(object):
    """One named placement policy (immutable after parsing).

    :param name: the policy name (``X-Storage-Policy``)
    :param kind: ``replicated``, ``pinned`` or ``split``
    :param replicas: copies for ``replicated`` and ``pinned``
    :param scheme: ``xor`` or ``aont-rs`` for ``split``
    :param n: shares of a split object
    :param k: shares needed to rebuild it (``n`` for ``xor``)
    :param segment_size: plaintext bytes per split segment
    :param hide_names: landlords see keyed hashes instead of names
    :param landlords: landlords allowed to hold objects (empty: any)
    :param clusters: clusters allowed to hold objects (empty: any)
    :param is_default: the policy of containers created without one
    :param min_copies: copies a PUT must store (default ``replicas``)
    :param min_shares: shares a PUT must store (default ``n``)
    """

    def __init__(self, name, kind, replicas=1, scheme=None, n=None, k=None,
                 segment_size=DEFAULT_SEGMENT_SIZE, hide_names=False,
                 landlords=(), clusters=(), is_default=False,
                 min_copies=None, min_shares=None):
        self.name = name
        self.kind = kind
        self.replicas = replicas
        self.scheme = scheme
        self.n = n
        self.k = k
        self.segment_size = segment_size
        self.hide_names = hide_names
        self.landlords = tuple(landlords)
        self.clusters = tuple(clusters)
        self.is_default = is_default
        self.min_copies = replicas if min_copies is None else min_copies
        self.min_shares = n if min_shares is None else min_shares

    def __repr__(self):
        return 'OcxPolicy(%r, %r)' % (self.name, self.description)

    @property
    def is_split(self):
        return self.kind == 'split'

    @property
    def width(self):
        """How many clusters (of distinct landlords) hold each object."""
        return self.n if self.is_split else self.replicas

    @property
    def read_quorum(self):
        """How many of them a read needs."""
        return self.k if self.is_split else 1

    @property
    def write_quorum(self):
        """How many copies or shares a PUT must store to succeed."""
        return self.min_shares if self.is_split else self.min_copies

    @property
    def description(self):
        """A short human description, as ``/info`` and ``ocx-aio`` show
        it."""
        if self.is_split:
            text = 'split %s %d-of-%d' % (self.scheme, self.k, self.n)
            if self.hide_names:
                text += ', names hidden'
            return text
        text = '%s r=%d' % (self.kind, self.replicas)
        if self.kind == 'pinned':
            text += ' on %s' % ','.join(self.clusters or self.landlords)
        return text

    def info(self):
        """The non-secret facts ``/info`` lists."""
        info = {'kind': self.kind, 'width': self.width,
                'read_quorum': self.read_quorum,
                'write_quorum': self.write_quorum}
        if self.is_default:
            info['default'] = True
        if self.is_split:
            info.update(scheme=self.scheme, n=self.n, k=self.k,
                        segment_size=self.segment_size,
                        hide_names=self.hide_names)
        if self.landlords:
            info['landlords'] = list(self.landlords)
        if self.clusters:
            info['clusters'] = list(self.clusters)
        return info

    @classmethod
    def from_config(cls, name, options):
        """Build a policy from the options of its config section.

        :raises OcxConfigError: on a missing, unknown or malformed option
        """
        if not POLICY_NAME_RE.match(name):
            raise OcxConfigError('invalid policy name %r: use letters, '
                                 'digits, "_", "." and "-"' % name)
        options = dict(options)
        kind = options.pop('kind', '').strip()
        if kind not in KINDS:
            raise OcxConfigError('policy %r: kind must be one of %s, got %r'
                                 % (name, ', '.join(KINDS), kind))
        is_default = options.pop('default', 'no').strip().lower() \
            in TRUE_VALUES
        args = dict(kind=kind, is_default=is_default,
                    landlords=_names(options, 'landlords'),
                    clusters=_names(options, 'clusters'))
        if kind == 'pinned' and not (args['landlords'] or args['clusters']):
            raise OcxConfigError('policy %r: a pinned policy needs '
                                 'landlords or clusters' % name)
        if kind == 'split':
            args.update(cls._split_options(name, options))
        else:
            args['replicas'] = _int(name, options, 'replicas', default=1)
            args['min_copies'] = _int(name, options, 'min_copies',
                                      default=args['replicas'])
            if args['min_copies'] > args['replicas']:
                raise OcxConfigError(
                    'policy %r: min_copies must be at most replicas (%d), '
                    'got %d' % (name, args['replicas'], args['min_copies']))
        if options:
            raise OcxConfigError('policy %r: unknown option(s) %s' % (
                name, ', '.join(sorted(options))))
        return cls(name, **args)

    @staticmethod
    def _split_options(name, options):
        scheme = options.pop('scheme', '').strip()
        if scheme not in SCHEMES:
            raise OcxConfigError('policy %r: scheme must be one of %s, got '
                                 '%r' % (name, ', '.join(SCHEMES), scheme))
        n = _int(name, options, 'n', minimum=2)
        if scheme == 'xor':
            k = _int(name, options, 'k', default=n)
            if k != n:
                raise OcxConfigError('policy %r: xor needs every share '
                                     '(k = n = %d), got k = %d'
                                     % (name, n, k))
        else:
            k = _int(name, options, 'k')
            if k >= n:
                raise OcxConfigError('policy %r: aont-rs needs k < n, got '
                                     'k = %d, n = %d' % (name, k, n))
        min_shares = _int(name, options, 'min_shares', default=n)
        if not k <= min_shares <= n:
            raise OcxConfigError(
                'policy %r: min_shares must be from k = %d to n = %d, got '
                '%d' % (name, k, n, min_shares))
        return dict(
            scheme=scheme, n=n, k=k, min_shares=min_shares,
            segment_size=_int(name, options, 'segment_size',
                              default=DEFAULT_SEGMENT_SIZE, minimum=4096),
            hide_names=options.pop('hide_names', 'no').strip().lower()
            in TRUE_VALUES)

    def allows(self, cluster):
        """Whether this policy may place objects on a ring cluster."""
        if self.clusters and cluster['name'] not in self.clusters:
            return False
        if self.landlords and cluster['landlord'] not in self.landlords:
            return False
        return True

    def handoffs(self, candidates, taken):
        """Clusters that may stand in for a placement cluster that is
        down: the rest of the ring's walk, those the policy allows, each
        of a landlord not in ``taken`` (a set of landlord names, which
        grows as handoffs are handed out) nor taken before in the walk.

        :param candidates: the ring's cluster dicts for the object's name
        :returns: an iterator of cluster dicts
        """
        for cluster in candidates:
            if cluster['landlord'] in taken or not self.allows(cluster):
                continue
            if not cluster.get('weight', 1):
                continue
            taken.add(cluster['landlord'])
            yield cluster

    def choose(self, candidates):
        """Pick the clusters holding an object from the ring's order.

        :param candidates: the ring's cluster dicts for the object's name,
                           primaries first, then handoffs
        :returns: ``width`` cluster dicts of distinct landlords, in order
                  (for split policies, position = share index)
        :raises PlacementError: when the ring has too few of them
        """
        chosen, landlords = [], set()
        for cluster in candidates:
            if cluster['landlord'] in landlords or not self.allows(cluster):
                continue
            if not cluster.get('weight', 1) and 'handoff_index' in cluster:
                continue
            chosen.append(cluster)
            landlords.add(cluster['landlord'])
            if len(chosen) == self.width:
                return chosen
        raise PlacementError(
            'policy %r needs %d clusters of distinct landlords%s, the ring '
            'has %d' % (self.name, self.width,
                        ' among %s' % ','.join(self.clusters or
                                               self.landlords)
                        if self.kind == 'pinned' or self.clusters or
                        self.landlords else '', len(chosen)))

    def check_ring(self, ring_clusters):
        """Refuse a ring on which this policy cannot place anything.

        :param ring_clusters: the ring's live cluster dicts
        :raises OcxConfigError: naming the policy
        """
        usable = [c for c in ring_clusters
                  if c.get('weight', 0) > 0 and self.allows(c)]
        landlords = {c['landlord'] for c in usable}
        if len(landlords) < self.width:
            raise OcxConfigError(
                'policy %r (%s) needs %d landlords with weighted clusters '
                '%s; the ring has %d (%s)' % (
                    self.name, self.description, self.width,
                    'among %s' % ','.join(self.clusters or self.landlords)
                    if (self.clusters or self.landlords) else 'in the ring',
                    len(landlords), ', '.join(sorted(landlords)) or 'none'))


class PolicyMap(object):
    """Every policy, checked as a set.

    :param policies: iterable of :class:`OcxPolicy`
    :raises OcxConfigError: on duplicates, no policy, or not exactly one
        default
    """

    def __init__(self, policies):
        self.by_name = {}
        for policy in policies:
            if policy.name.lower() in {n.lower() for n in self.by_name}:
                raise OcxConfigError('duplicate policy %r' % policy.name)
            self.by_name[policy.name] = policy
        if not self.by_name:
            raise OcxConfigError('no [policy:<name>] section configured')
        defaults = [p for p in self.by_name.values() if p.is_default]
        if len(self.by_name) == 1 and not defaults:
            only = next(iter(self.by_name.values()))
            only.is_default = True
            defaults = [only]
        if len(defaults) != 1:
            raise OcxConfigError(
                'exactly one policy must have default = yes, found %d%s'
                % (len(defaults), ' (%s)' % ', '.join(
                    sorted(p.name for p in defaults)) if defaults else ''))
        self.default = defaults[0]

    def __iter__(self):
        return iter(sorted(self.by_name.values(), key=lambda p: p.name))

    def __len__(self):
        return len(self.by_name)

    def get(self, name):
        """The policy of that name (case-insensitive, as Swift), or None."""
        if name is None:
            return None
        policy = self.by_name.get(name)
        if policy is None:
            policy = next((p for p in self.by_name.values()
                           if p.name.lower() == name.lower()), None)
        return policy

    def check_ring(self, ring_clusters, cluster_names=None):
        """Refuse a ring (or cluster config) some policy cannot use.

        :param ring_clusters: the ring's live cluster dicts
        :param cluster_names: names of the configured clusters, to check
                              that pinned policies name known ones
        :raises OcxConfigError: naming every policy that cannot place
        """
        problems = []
        for policy in self:
            if cluster_names is not None:
                unknown = sorted(set(policy.clusters) - set(cluster_names))
                if unknown:
                    problems.append('policy %r names unknown cluster(s) %s'
                                    % (policy.name, ', '.join(unknown)))
                    continue
            try:
                policy.check_ring(ring_clusters)
            except OcxConfigError as err:
                problems.append(str(err))
        if problems:
            raise OcxConfigError('; '.join(problems))

    def info(self):
        return {p.name: p.info() for p in self}


def default_policy_map(name):
    """The map used without a policy file: one copy by plain hashing."""
    return PolicyMap([OcxPolicy(name, 'replicated', replicas=1,
                                is_default=True)])


def load_policy_config(path, default_name):
    """Read the policy file.

    :param path: path of the file, or None/empty for the built-in map
    :param default_name: the built-in policy's name
    :returns: a :class:`PolicyMap`
    :raises OcxConfigError: when the file cannot be read or is invalid
    """
    if not path:
        return default_policy_map(default_name)
    parser = read_ini(path, 'policy config')
    try:
        policies = [OcxPolicy.from_config(name, options)
                    for name, options in named_sections(parser, 'policy')]
        return PolicyMap(policies)
    except OcxConfigError as err:
        raise OcxConfigError('%s: %s' % (path, err))
