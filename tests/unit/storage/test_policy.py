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

"""A container's policy: metadata tier index -> swift.conf -> policy map,
failing closed."""

import pytest

from ocx_swift.exceptions import PolicyUnverifiable
from ocx_swift.policy import OcxPolicy, PolicyMap
from ocx_swift.storage.policy import policy_index, resolve_policy
from tests.unit.fakes import swift_policies

# Swift policy names are ASCII (they travel as header values)
GOLD = 'gold'


@pytest.fixture
def policies(monkeypatch):
    swift_policies(monkeypatch, ['standard', 'two', GOLD, 'unmapped'])
    return PolicyMap([
        OcxPolicy('standard', 'replicated', is_default=True),
        OcxPolicy('TWO', 'replicated', replicas=2),
        OcxPolicy(GOLD, 'pinned', landlords=['l1'])])


def info(index, status=204):
    return {'status': status, 'storage_policy': index}


@pytest.mark.parametrize('index, name', [
    (0, 'standard'), ('1', 'TWO'), (2, GOLD)])
def test_index_names_the_policy(policies, index, name):
    assert resolve_policy(info(index), policies).name == name
    assert policy_index(info(index)) == int(index)


@pytest.mark.parametrize('bad', [
    info(0, status=404), info(0, status=503), info(0, status=0),
    info(None), info('zero'), info([1]), {'status': 204}],
    ids=['404', '503', 'no answer', 'none', 'word', 'list', 'missing'])
def test_unreadable_info_fails_closed(policies, bad):
    with pytest.raises(PolicyUnverifiable):
        resolve_policy(bad, policies)


def test_index_unknown_to_swift_conf_is_never_the_default(policies):
    with pytest.raises(PolicyUnverifiable) as caught:
        resolve_policy(info(9), policies)
    assert "index 9 is not in this exchange's swift.conf" in \
        str(caught.value)


def test_swift_policy_missing_from_the_map_is_never_the_default(policies):
    with pytest.raises(PolicyUnverifiable) as caught:
        resolve_policy(info(3), policies)
    assert "'unmapped' is not configured" in str(caught.value)


def test_one_policy_map_serves_the_default_index_only(monkeypatch):
    swift_policies(monkeypatch, ['Policy-0', 'other'])
    single = PolicyMap([OcxPolicy('m\u00efne', 'replicated')])
    assert resolve_policy(info(0), single) is single.default
    with pytest.raises(PolicyUnverifiable):
        resolve_policy(info(1), single)
