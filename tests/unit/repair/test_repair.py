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

"""ocx-repair's decisions on (fake) landlord clusters: copies back to the
placement, handoffs emptied, copies the index does not know deleted."""

import pytest
from swift.common.swob import str_to_wsgi

from ocx_swift.handlers import obj as obj_handler
from ocx_swift.mover.report import Report
from ocx_swift.repair import replicas, sweep
from tests.unit.fakes import DebugLogger, FakeClusterSet, swift_policies

ACCOUNT = 'AUTH_test'
CONT = 'r\u00e9pair'
POLICIES = u'''
[policy:standard]
kind = replicated
default = yes

[policy:two]
kind = replicated
replicas = 2
'''


@pytest.fixture
def ocx(tmp_path, monkeypatch):
    monkeypatch.setattr(obj_handler, 'LATE_WRITE_WATCH', 0)
    swift_policies(monkeypatch, ['standard', 'two'])
    path = tmp_path / 'ocx-policies.conf'
    path.write_text(POLICIES, encoding='utf-8')
    clusters = FakeClusterSet(3, tmp_path, policy_conf_path=str(path))
    assert clusters.request(opath(''), 'PUT', headers={
        'X-Storage-Policy': 'two'}).status_int == 201
    yield clusters
    assert clusters.unclosed() == []


def opath(name):
    path = '/v1/%s/%s' % (ACCOUNT, str_to_wsgi(CONT))
    return path + '/' + str_to_wsgi(name) if name else path


def holders(ocx, name):
    return sorted(c.name for c in ocx
                  if c.get_object(ACCOUNT, CONT, name) is not None)


def repairer(ocx, dry_run=False):
    report = Report()
    return replicas.RowRepair(ocx.mw.clients, ocx.mw.ring,
                              ocx.mw.state_keys, ocx.index, report,
                              DebugLogger(), dry_run), report


def repair_all(ocx, dry_run=False):
    rows, report = repairer(ocx, dry_run)
    policy = ocx.mw.policies.get('two')
    outcomes = [rows.repair_row(policy, 1, ACCOUNT, CONT, row)
                for row in ocx.index.rows(ACCOUNT, str_to_wsgi(CONT))]
    return outcomes, report


def test_handoff_copies_go_home_and_the_row_follows(ocx):
    name = 'handed \u00e9'
    primary = ocx.primary(ACCOUNT, str_to_wsgi(CONT), str_to_wsgi(name))
    primary.break_()
    assert ocx.request(opath(name), 'PUT', body=b'abc').status_int == 201
    before = ocx.index.row(ACCOUNT, CONT, name)
    assert primary.name not in before.at
    primary.heal()
    placement, _r = repairer(ocx)
    home = placement.placement(ocx.mw.policies.get('two'), ACCOUNT, CONT,
                               name)
    assert primary.name in home
    assert repair_all(ocx, dry_run=True)[0] == [replicas.REPAIRED]
    assert holders(ocx, name) == sorted(before.at)  # dry run: unchanged
    outcomes, report = repair_all(ocx)
    assert outcomes == [replicas.REPAIRED]
    assert holders(ocx, name) == sorted(home)
    after = ocx.index.row(ACCOUNT, CONT, name)
    assert after.at == home and after.timestamp == before.timestamp
    assert report.copied_objects == 1
    ocx.memcache.store.clear()
    resp = ocx.request(opath(name))
    assert (resp.status_int, resp.body) == (200, b'abc')
    assert repair_all(ocx)[0] == [replicas.OK]


def test_a_missing_or_stale_copy_is_remade_from_a_good_one(ocx):
    name = 'two copies'
    assert ocx.request(opath(name), 'PUT', body=b'v1').status_int == 201
    first, second = holders(ocx, name)
    old = ocx.by_name[first].get_object(ACCOUNT, CONT, name)
    assert ocx.request(opath(name), 'PUT', body=b'v2').status_int == 201
    ocx.by_name[first].get_container(ACCOUNT, CONT).objects[name] = old
    ocx.by_name[second].get_container(ACCOUNT, CONT).objects.pop(name)
    assert repair_all(ocx)[0] == [replicas.LOST]  # no good copy anywhere
    assert ocx.request(opath(name), 'PUT', body=b'v3').status_int == 201
    ocx.by_name[second].get_container(ACCOUNT, CONT).objects.pop(name)
    assert repair_all(ocx)[0] == [replicas.REPAIRED]
    for cluster in (first, second):
        assert ocx.by_name[cluster].get_object(
            ACCOUNT, CONT, name).body == b'v3'


def test_a_cluster_down_leaves_the_row_for_the_next_run(ocx):
    name = 'later'
    assert ocx.request(opath(name), 'PUT', body=b'x').status_int == 201
    down = holders(ocx, name)[0]
    ocx.by_name[down].break_()
    assert repair_all(ocx)[0] == [replicas.UNREACHABLE]


def test_copies_of_deleted_objects_are_swept(ocx):
    name = 'deleted while down'
    keep = 'kept'
    for n in (name, keep):
        assert ocx.request(opath(n), 'PUT', body=b'x').status_int == 201
    down = ocx.by_name[holders(ocx, name)[0]]
    down.break_()
    assert ocx.request(opath(name), 'DELETE').status_int == 204
    down.heal()
    assert down.get_object(ACCOUNT, CONT, name) is not None
    client = ocx.mw.clients[down.name]
    report = Report()
    assert sweep.sweep_container(client, ocx.index, ACCOUNT, CONT, report,
                                 DebugLogger(), grace=1e9) == 0
    assert sweep.sweep_container(client, ocx.index, ACCOUNT, CONT, report,
                                 DebugLogger(), grace=0, dry_run=True) == 1
    assert down.get_object(ACCOUNT, CONT, name) is not None
    assert sweep.sweep_container(client, ocx.index, ACCOUNT, CONT, report,
                                 DebugLogger(), grace=0) == 1
    assert down.get_object(ACCOUNT, CONT, name) is None
    assert ocx.request(opath(keep)).body == b'x'


def test_orphans_merge_two_sorted_listings():
    entries = [{'name': n} for n in ('a', 'b', 'c\u00e9', 'd', 'z')]
    assert [e['name'] for e in sweep.orphans(
        entries, ['b', 'c\u00e9', 'y'])] == ['a', 'd', 'z']
    assert list(sweep.orphans([], ['a'])) == []
    assert len(list(sweep.orphans(entries, []))) == 5


def audited(ocx, fraction=1.0):
    rows, report = repairer(ocx)
    rows.audit = fraction
    policy = ocx.mw.policies.get('two')
    outcomes = [rows.repair_row(policy, 1, ACCOUNT, CONT, row)
                for row in ocx.index.rows(ACCOUNT, str_to_wsgi(CONT))]
    return outcomes, rows.audited


def test_the_audit_finds_a_flipped_byte_and_repair_remakes_the_copy(ocx):
    name = 'flipped'
    body = b'the right bytes'
    assert ocx.request(opath(name), 'PUT', body=body).status_int == 201
    first, second = holders(ocx, name)
    stored = ocx.by_name[first].get_object(ACCOUNT, CONT, name)
    stored.body = b'the wrong bytes'  # the tag still verifies
    # state-only repair sees nothing wrong
    assert repair_all(ocx)[0] == [replicas.OK]
    assert audited(ocx, 0.0)[1] == {}
    outcomes, counts = audited(ocx)
    assert outcomes == [replicas.REPAIRED]
    assert counts[first] == {'checked': 1, 'corrupt': 1}
    assert counts[second] == {'checked': 1}
    assert ocx.by_name[first].get_object(ACCOUNT, CONT, name).body == body
    outcomes, counts = audited(ocx)
    assert outcomes == [replicas.OK] and counts[first] == {'checked': 1}


def test_the_audit_counts_missing_copies_per_cluster(ocx):
    name = 'gone'
    assert ocx.request(opath(name), 'PUT', body=b'x').status_int == 201
    first, second = holders(ocx, name)
    ocx.by_name[second].get_container(ACCOUNT, CONT).objects.pop(name)
    outcomes, counts = audited(ocx)
    assert outcomes == [replicas.REPAIRED]
    assert counts[second] == {'checked': 1, 'missing': 1}
    assert holders(ocx, name) == [first, second]
