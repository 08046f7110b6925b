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

"""The one rule that says which policy a container's objects follow.

A container's policy is the Swift storage policy its row in the
exchange's metadata tier records (``X-Storage-Policy`` at creation, or
the S3 bucket's LocationConstraint through ``ocx_s3location``): the
policy index in its container info, named by the exchange's
``swift.conf``, and configured in the policy map under that name.
Landlords never say which policy applies.

It fails closed: a container whose info could not be read, or whose
policy index or name the exchange does not know, raises
:class:`~ocx_swift.exceptions.PolicyUnverifiable` (the request gets a
503), never the default policy.
"""

from swift.common.storage_policy import POLICIES

from ocx_swift.exceptions import PolicyUnverifiable


def policy_index(info):
    """The Swift storage policy index of a container info dict (or of a
    container server's headers).

    :raises PolicyUnverifiable: when the info carries none
    """
    if 'X-Backend-Storage-Policy-Index' in info:
        info = {'status': 200,
                'storage_policy': info['X-Backend-Storage-Policy-Index']}
    value = info.get('storage_policy')
    if value is None or info.get('status', 0) // 100 != 2:
        raise PolicyUnverifiable('container policy unknown (container info '
                                 'status %s)' % info.get('status'))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PolicyUnverifiable('container policy index %r is not a '
                                 'number' % (value,))


def resolve_policy(info, policies, swift_policies=None):
    """The exchange policy of a container.

    :param info: the container's info dict (``get_container_info``), from
        the exchange's metadata tier, or its headers (a container server's
        ``X-Backend-Storage-Policy-Index``)
    :param policies: the :class:`~ocx_swift.policy.PolicyMap`
    :param swift_policies: the exchange's Swift storage policies (this
        process's ``POLICIES`` by default)
    :raises PolicyUnverifiable: see the module docstring
    """
    swift_policies = POLICIES if swift_policies is None else swift_policies
    index = policy_index(info)
    swift_policy = swift_policies.get_by_index(index)
    if swift_policy is None:
        raise PolicyUnverifiable('container policy index %d is not in '
                                 'this exchange\'s swift.conf' % index)
    policy = policies.get(swift_policy.name)
    if policy is None:
        if len(policies) == 1 and index == int(swift_policies.default):
            return policies.default
        raise PolicyUnverifiable('container policy %r is not configured '
                                 'on this exchange' % swift_policy.name)
    return policy
