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

"""ocx-repair of split objects on (fake) landlord clusters: a missing
aont-rs share rebuilt from k others, on a landlord holding none."""

import os

import pytest
from swift.common.swob import str_to_wsgi

from ocx_swift.mover.report import Report
from ocx_swift.repair import replicas, shares as share_repair
from tests.unit.fakes import DebugLogger
from tests.unit.handlers.test_split import ACCOUNT, SEG, four_landlords, \
    opath, shares


def repairer(ocx):
    report = Report()
    mw = ocx.mw
    return share_repair.ShareRepair(
        mw.clients, mw.ring, mw.state_keys, mw.split_secrets,
        mw.active_secret_id, ocx.index, report, DebugLogger()), report


def repair_all(ocx, container):
    rows, report = repairer(ocx)
    policy = ocx.mw.policies.get(container)
    index = ocx.app.get_container(ACCOUNT, container).policy_index
    return [rows.repair_row(policy, index, ACCOUNT, container, row)
            for row in ocx.index.rows(ACCOUNT, str_to_wsgi(container))], \
        report


def landlords_of(ocx, container, name_filter=None):
    held = [c.name for c, n, _o in shares(ocx, container)
            if name_filter is None or n == name_filter]
    return sorted(held)


def test_a_share_missing_since_the_put_is_rebuilt(tmp_path, monkeypatch):
    ocx = four_landlords(tmp_path, monkeypatch)
    body = os.urandom(3 * SEG + 11)
    name = 'two of three \u00e9'
    for cluster in list(ocx)[2:]:
        cluster.break_()
    assert ocx.request(opath('quorum2', name), 'PUT',
                       body=body).status_int == 201
    for cluster in ocx:
        cluster.heal()
    assert len(shares(ocx, 'quorum2')) == 2
    outcomes, report = repair_all(ocx, 'quorum2')
    assert outcomes == [replicas.REPAIRED]
    held = landlords_of(ocx, 'quorum2')
    assert len(held) == 3 == len(set(held))  # distinct landlords
    row = ocx.index.row(ACCOUNT, 'quorum2', name)
    assert sorted(row.at) == held
    # any two shares read: the rebuilt one with each of the others
    for down in held:
        ocx.by_name[down].break_()
        ocx.memcache.store.clear()
        resp = ocx.request(opath('quorum2', name))
        assert (resp.status_int, resp.body) == (200, body), down
        ocx.by_name[down].heal()
    assert repair_all(ocx, 'quorum2')[0] == [replicas.OK]
    assert ocx.unclosed() == []


@pytest.mark.parametrize('policy', ['aont', 'hidden'])
def test_a_share_a_landlord_deleted_is_rebuilt(tmp_path, monkeypatch,
                                               policy):
    ocx = four_landlords(tmp_path, monkeypatch)
    body = os.urandom(2 * SEG)
    name = 'deleted share'
    assert ocx.request(opath(policy, name), 'PUT',
                       body=body).status_int == 201
    victim, stored_name, _obj = shares(ocx, policy)[0]
    assert (stored_name != name) == (policy == 'hidden')
    victim.get_container(ACCOUNT, policy).objects.pop(stored_name)
    outcomes, _report = repair_all(ocx, policy)
    assert outcomes == [replicas.REPAIRED]
    assert len(shares(ocx, policy)) == 3
    assert {n for _c, n, _o in shares(ocx, policy)} == {stored_name}
    for cluster, _n, _o in shares(ocx, policy):
        cluster.break_()
        ocx.memcache.store.clear()
        assert ocx.request(opath(policy, name)).body == body
        cluster.heal()


def test_fewer_than_k_shares_is_lost(tmp_path, monkeypatch):
    ocx = four_landlords(tmp_path, monkeypatch)
    name = 'gone'
    assert ocx.request(opath('aont', name), 'PUT',
                       body=b'x' * 100).status_int == 201
    for cluster, stored_name, _o in shares(ocx, 'aont')[:2]:
        cluster.get_container(ACCOUNT, 'aont').objects.pop(stored_name)
    assert repair_all(ocx, 'aont')[0] == [replicas.LOST]
