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

"""Internal error tree of ocx_swift.

These never reach a client as they are: request handlers map them to swob
responses (502, 503, 504) with a plain-text body naming the cluster, and
configuration errors stop the proxy at start-up.
"""


class OcxError(Exception):
    """Root of every ocx_swift error."""


class OcxConfigError(OcxError, ValueError):
    """A cluster, ring or policy configuration that cannot be used."""


class RingLoadError(OcxConfigError):
    """A cluster ring file that is missing, corrupt or inconsistent."""


class RingBuilderError(OcxError):
    """A ring-builder operation that cannot be done as asked."""


class PlacementError(OcxError):
    """The ring cannot place a name as the policy requires."""


class ClusterUnavailable(OcxError):
    """A landlord cluster did not answer usefully.

    :param cluster: the cluster name
    :param reason: short text for logs and the client's error body
    :param status: the HTTP status the cluster gave, if any
    :param trans_id: the cluster's transaction id, if it gave one
    :param timeout: True when the cluster timed out
    """

    def __init__(self, cluster, reason, status=None, trans_id=None,
                 timeout=False):
        self.cluster = cluster
        self.reason = reason
        self.status = status
        self.trans_id = trans_id
        self.timeout = timeout
        super().__init__(str(self))

    def __str__(self):
        text = 'cluster %r unavailable: %s' % (self.cluster, self.reason)
        if self.status:
            text += ' (status %s)' % self.status
        if self.trans_id:
            text += ' (remote txn %s)' % self.trans_id
        return text


class SplitDecodeError(OcxError):
    """Split-stored data that cannot be turned back into the object.

    The decoder raises one of these rather than ever return bytes it
    cannot vouch for.
    """


class ShareAuthError(SplitDecodeError):
    """One or more shares failed authentication (tampered, truncated,
    swapped or replayed records).

    :param shares: iterable of the bad share indexes
    :param segment: the segment index, if known
    :param reason: short text for logs
    """

    def __init__(self, shares, segment=None, reason='failed authentication'):
        self.shares = set(shares)
        self.segment = segment
        self.reason = reason
        super().__init__(str(self))

    def __str__(self):
        text = 'share%s %s %s' % (
            '' if len(self.shares) == 1 else 's',
            ', '.join(str(s) for s in sorted(self.shares)), self.reason)
        if self.segment is not None:
            text += ' (segment %d)' % self.segment
        return text


class NotEnoughShares(SplitDecodeError):
    """Fewer valid shares than the scheme needs to rebuild a segment.

    :param have: how many valid shares were given
    :param need: how many the scheme needs
    :param segment: the segment index, if known
    """

    def __init__(self, have, need, segment=None):
        self.have = have
        self.need = need
        self.segment = segment
        super().__init__(str(self))

    def __str__(self):
        text = '%d valid share%s, need %d' % (
            self.have, '' if self.have == 1 else 's', self.need)
        if self.segment is not None:
            text += ' (segment %d)' % self.segment
        return text


class SealedNameError(SplitDecodeError):
    """A sealed name token that is malformed or fails authentication."""


class IndexUnavailable(OcxError):
    """The exchange's object index (its own container servers) did not
    answer or did not take a write; the message names the nodes."""


class PolicyUnverifiable(OcxError):
    """A container's policy is unknown to this exchange or cannot be
    read: the request fails closed (503), never with the default."""
