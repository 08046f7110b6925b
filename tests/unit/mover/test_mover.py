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

"""The mover against fake landlord clusters behind a real ring and a real
exchange: objects of every policy kind written through the exchange, a
cluster added, the mover run, and everything checked from both sides."""

import base64
import hashlib
import json
import os
import time
from urllib.parse import quote

import pytest
from swift.common.swob import str_to_wsgi, wsgi_quote

from ocx_swift.handlers.split import SPLIT_SYSMETA, ShareHeader
from ocx_swift.mover import accounts as accounts_mod
from ocx_swift.mover import backend, cli, engine, run as run_module
from ocx_swift.mover import settings as settings_mod
from ocx_swift.mover.journal import JOURNAL, Journal, JournalError
from ocx_swift.mover.report import Report
from ocx_swift.mover.run import Mover, ProgressWindow, make_clients, \
    wait_for_reload
from ocx_swift.sysmeta import decode_headers
from tests.unit.fakes import FakeClusterSet, swift_policies

ACCOUNT = 'AUTH_t\u00e9st'
SECRET = base64.b64encode(b'\x42' * 32).decode('ascii')
POLICIES = {
    'standard': 'kind = replicated\nreplicas = 1\ndefault = yes\n',
    'two': 'kind = replicated\nreplicas = 2\n',
    'xor': 'kind = split\nscheme = xor\nn = 2\n',
    'aont': 'kind = split\nscheme = aont-rs\nn = 3\nk = 2\n'
            'hide_names = yes\n',
}
CONTAINERS = {'standard': 'caf\u00e9 \u2615', 'two': 'zw\u00ef',
              'xor': '\u65e5\u672c xor', 'aont': 'aont \u00fc'}
N_OBJECTS = 20


def body_of(container, i):
    seed = ('%s/%d' % (container, i)).encode('utf-8')
    return hashlib.sha256(seed).digest() * (i % 7)


def object_name(i):
    return 'obj \u00e9/%03d \U0001f600' % i


def url(*names):
    return '/v1/' + '/'.join(quote(n.encode('utf-8')) for n in names)


@pytest.fixture
def exchange(tmp_path, monkeypatch):
    swift_policies(monkeypatch, list(POLICIES))
    policy_path = tmp_path / 'ocx-policies.conf'
    policy_path.write_text(''.join(
        '[policy:%s]\n%s\n' % item for item in POLICIES.items()))
    ocx = FakeClusterSet(3, tmp_path, policy_conf_path=str(policy_path),
                         split_root_secret=SECRET, ring_check_interval='0')
    ocx.policy_path = str(policy_path)
    for policy, container in CONTAINERS.items():
        resp = ocx.request(url(ACCOUNT, container), 'PUT', headers={
            'X-Storage-Policy': policy,
            'X-Container-Meta-Owner': str_to_wsgi('j\u00fcrg')})
        assert resp.status_int == 201
        for i in range(N_OBJECTS):
            resp = ocx.request(
                url(ACCOUNT, container, object_name(i)), 'PUT',
                body=body_of(container, i), headers={
                    'Content-Type': 'text/plain; charset=utf-8',
                    'X-Object-Meta-Color': str_to_wsgi('r\u00f6d %d' % i)})
            assert resp.status_int == 201, resp.body
    yield ocx
    assert ocx.unclosed() == []


def read_all(ocx):
    """Every object as the exchange serves it: body, type and metadata."""
    found = {}
    for container in CONTAINERS.values():
        for i in range(N_OBJECTS):
            resp = ocx.request(url(ACCOUNT, container, object_name(i)))
            assert resp.status_int == 200, (container, i, resp.body)
            found[(container, i)] = (
                resp.body, resp.headers['Content-Type'],
                resp.headers['X-Object-Meta-Color'])
    return found


def listings(ocx):
    """Every container's listing, without ``last_modified``: a landlord
    stamps the copy it stores with its own time."""
    found = {}
    for container in CONTAINERS.values():
        entries = json.loads(ocx.request(url(ACCOUNT, container) +
                                         '?format=json').body)
        for entry in entries:
            entry.pop('last_modified')
        found[container] = entries
    return found


def make_mover(ocx, tmp_path, **kwargs):
    settings = settings_mod.load(clusters=ocx.cluster_conf_path,
                                 ring=ocx.ring_path,
                                 policies=ocx.policy_path)
    clients = make_clients(settings.clusters, 4, None)
    for name, client in clients.items():
        client._pool_manager = ocx[name]
    kwargs.setdefault('state_dir', str(tmp_path / 'state'))
    kwargs.setdefault('retry_delays', (0, 0))
    kwargs.setdefault('tier', ocx.tier())
    return Mover(settings, [ACCOUNT], clients=clients, **kwargs)


def add_cluster(ocx):
    ocx.add_cluster('c4', 'l4')
    assert ocx.mw.ring.generation == 2
    ocx.connect()


def share_index(ocx, cluster, container, name):
    obj = ocx[cluster].get_object(ACCOUNT, container, name)
    value = dict((k.lower(), v) for k, v in decode_headers(
        obj.headers.items(), 'object'))[SPLIT_SYSMETA.lower()]
    return ShareHeader.parse(value).index


def misplaced(ocx, mover):
    """(container, stored name) of every object not where it belongs; and
    every piece checked."""
    wrong, pieces = set(), 0
    for info in mover.prepare():
        where = {}
        for cluster in ocx:
            cont = cluster.get_container(ACCOUNT, info.name)
            for name in (cont.objects if cont else ()):
                where.setdefault(name, []).append(cluster.name)
        for name, holders in where.items():
            placement = mover.placement(info, name)
            pieces += len(holders)
            if set(holders) != set(placement):
                wrong.add((info.name, name))
            elif info.policy.is_split and len(
                    {share_index(ocx, c, info.name, name)
                     for c in holders}) != len(holders):
                wrong.add((info.name, name))
    return wrong, pieces


# -- moving -------------------------------------------------------------


def test_added_cluster_gets_its_share_and_nothing_changes(exchange,
                                                          tmp_path):
    ocx = exchange
    before, listed = read_all(ocx), listings(ocx)
    add_cluster(ocx)
    assert read_all(ocx) == before  # read through the previous placement
    wrong, _pieces = misplaced(ocx, make_mover(ocx, tmp_path,
                                               dry_run=True))
    assert wrong  # the ring moved some of them

    mover = make_mover(ocx, tmp_path)
    mover.run()
    mover.close()
    report = mover.report
    assert report.outcomes['moved'] == len(wrong)
    assert report.outcomes['in_place'] == 4 * N_OBJECTS - len(wrong)
    assert report.errors == 0 and report.unfinished == 0
    to_c4 = sum(n for (_s, t), (n, _b) in report.copies.items()
                if t == 'c4')
    assert 0 < to_c4 <= report.copied_objects
    assert misplaced(ocx, make_mover(ocx, tmp_path, dry_run=True))[0] == \
        set()
    assert read_all(ocx) == before
    assert listings(ocx) == listed
    c4 = ocx['c4']
    for container in CONTAINERS.values():
        # bare, as the exchange makes them: metadata and policy stay in
        # the metadata tier
        assert c4.get_container(ACCOUNT, container).meta == {}


def test_container_unknown_to_the_tier_is_left_alone(exchange, tmp_path):
    # a landlord's own container (or one stamped with a forged policy)
    # never decides where the mover puts things
    ocx = exchange
    add_cluster(ocx)
    for cluster in ocx:
        cluster.put_container(ACCOUNT, 'l\u00e4ndlord only', {
            'X-Container-Meta-Ocx-Sys-Ocx-Policy': 'two'})
    ocx['c1'].put_object(ACCOUNT, 'l\u00e4ndlord only', 'o', b'x')
    tier = ocx.tier()
    mover = make_mover(ocx, tmp_path, tier=tier)
    mover.run()
    mover.close()
    # the tier has no such container: named in the report, not an
    # error (no later run changes it)
    assert mover.report.errors == 0
    assert any('l%C3%A4ndlord%20only: container not in the metadata tier'
               in line for line in mover.report.left_lines)
    assert ocx['c1'].get_object(ACCOUNT, 'l\u00e4ndlord only', 'o') \
        is not None
    assert ocx['c4'].get_object(ACCOUNT, 'l\u00e4ndlord only', 'o') is None


def test_second_run_finds_nothing_to_do(exchange, tmp_path):
    add_cluster(exchange)
    first = make_mover(exchange, tmp_path)
    first.run()
    first.close()
    exchange.clear_calls()
    again = make_mover(exchange, tmp_path)
    again.run()
    again.close()
    assert again.report.examined == 0  # the journal says all is done
    assert again.report.containers_skipped == 4
    assert exchange.storage_calls('PUT') == []
    fresh = make_mover(exchange, tmp_path, fresh=True)
    fresh.run()
    fresh.close()
    assert fresh.report.outcomes['in_place'] == 4 * N_OBJECTS
    assert exchange.storage_calls('PUT') == []
    assert exchange.storage_calls('DELETE') == []


def test_dry_run_changes_nothing(exchange, tmp_path):
    add_cluster(exchange)
    exchange.clear_calls()
    mover = make_mover(exchange, tmp_path, dry_run=True)
    mover.run()
    methods = {c.method for _n, c in exchange.storage_calls()}
    assert methods <= {'GET', 'HEAD'}
    assert mover.report.copied_objects > 0
    # every move removes at least the piece it moved away
    assert sum(mover.report.deletes.values()) >= \
        mover.report.outcomes['moved'] > 0
    assert not os.path.exists(tmp_path / 'state' / JOURNAL)
    assert mover.report.containers_created == {'c4': 4}


def test_moved_copy_keeps_stored_headers(exchange, tmp_path):
    ocx = exchange
    container = CONTAINERS['standard']
    add_cluster(ocx)
    name = ocx.name_on(ocx['c4'], str_to_wsgi(ACCOUNT),
                       str_to_wsgi(container), prefix=str_to_wsgi('n\u00e9w'))
    name_n = name.encode('latin-1').decode('utf-8')
    old = ocx['c1']
    old.put_object(ACCOUNT, container, name_n, b'payload', headers={
        'Content-Type': 'text/x-foo; charset=utf-8;ocx_bytes=99',
        'X-Object-Meta-Ocx-Sys-Thing': 'kept',
        'X-Object-Meta-Color': 'blue',
        'Content-Disposition': 'attachment',
        'X-Delete-At': '9999999999'})
    mover = make_mover(ocx, tmp_path)
    mover.run()
    moved = ocx['c4'].get_object(ACCOUNT, container, name_n)
    assert moved.body == b'payload'
    assert moved.headers == {
        'Content-Type': 'text/x-foo; charset=utf-8;ocx_bytes=99',
        'X-Object-Meta-Ocx-Sys-Thing': 'kept',
        'X-Object-Meta-Color': 'blue',
        'Content-Disposition': 'attachment',
        'X-Delete-At': '9999999999'}
    assert old.get_object(ACCOUNT, container, name_n) is None
    put = [c for n, c in ocx.storage_calls('PUT') if n == 'c4' and
           c.path.endswith(name_n)][0]
    assert put.headers['Etag'] == hashlib.md5(
        b'payload', usedforsecurity=False).hexdigest()
    assert put.headers['If-None-Match'] == '*'


def test_containers_only_prepares_a_cluster_before_the_ring_names_it(
        wired, tmp_path, capsys):
    ocx = wired
    ocx.add_cluster('c4', 'l4', ring=False)
    ocx.clear_calls()
    assert cli.main(cli_args(ocx, tmp_path, '--containers-only')) == 0
    assert 'Containers created: c4 4' in capsys.readouterr()[0]
    for container in CONTAINERS.values():
        # bare: the policy and metadata are the metadata tier's
        assert ocx['c4'].get_container(ACCOUNT, container).meta == {}
    methods = {c.method for _n, c in ocx.storage_calls()}
    assert methods == {'GET', 'HEAD', 'PUT'}
    assert not [c for _n, c in ocx.storage_calls('PUT')
                if c.path.count('/') > 3]  # no object


# -- resuming -------------------------------------------------------------


class Killed(BaseException):
    """Stands for a SIGKILL half way."""


def test_killed_run_resumes_without_redoing(exchange, tmp_path):
    ocx = exchange
    add_cluster(ocx)
    wrong, _pieces = misplaced(ocx, make_mover(ocx, tmp_path,
                                               dry_run=True))
    first = make_mover(ocx, tmp_path, concurrency=1)
    walk, one = first.walk, first._one
    seen = []

    def dying_walk(info, marker):
        for item in walk(info, marker):
            if len(seen) == 2 * N_OBJECTS + 5:
                raise Killed()
            seen.append(item[0])
            yield item

    def dead_one(*args):
        if len(seen) <= 2 * N_OBJECTS + 4:  # a killed process does nothing
            one(*args)

    first.walk, first._one = dying_walk, dead_one
    with pytest.raises(Killed):
        first.run()
    first.close()
    done_before = Journal(str(tmp_path / 'state'), first.identity,
                          write=False)
    earlier = done_before.totals['outcomes']
    assert 0 < sum(earlier.values()) < 4 * N_OBJECTS

    second = make_mover(ocx, tmp_path)
    second.run()
    second.close()
    assert second.report.examined == 4 * N_OBJECTS - sum(earlier.values())
    total = second.totals()
    assert total.examined == 4 * N_OBJECTS
    assert total.outcomes['moved'] == len(wrong)
    assert misplaced(ocx, make_mover(ocx, tmp_path, dry_run=True))[0] == \
        set()


def test_copied_but_not_deleted_is_finished_by_a_delete(exchange, tmp_path):
    ocx = exchange
    container = CONTAINERS['standard']
    add_cluster(ocx)
    name = ocx.name_on(ocx['c4'], str_to_wsgi(ACCOUNT),
                       str_to_wsgi(container), prefix='half')
    name_n = name.encode('latin-1').decode('utf-8')
    for cluster in ('c2', 'c4'):
        ocx[cluster].put_object(ACCOUNT, container, name_n, b'same')
    ocx.clear_calls()
    mover = make_mover(ocx, tmp_path)
    mover.run()
    assert mover.report.deletes['c2'] >= 1
    assert not [c for n, c in ocx.storage_calls('PUT')
                if c.path.endswith(name_n)]
    assert ocx['c2'].get_object(ACCOUNT, container, name_n) is None
    assert ocx['c4'].get_object(ACCOUNT, container, name_n).body == b'same'


def test_journal_of_another_ring_is_not_used(exchange, tmp_path):
    add_cluster(exchange)
    mover = make_mover(exchange, tmp_path)
    mover.run()
    mover.close()
    exchange.change_ring(lambda b: b.set_weight('c4', 2.0), seed=3)
    again = make_mover(exchange, tmp_path)
    assert 'of another ring (generation 2)' in again.journal.note
    again.run()
    again.close()
    assert again.report.examined == 4 * N_OBJECTS


def test_journal_is_locked_while_a_mover_runs(exchange, tmp_path):
    mover = make_mover(exchange, tmp_path)
    with pytest.raises(JournalError) as caught:
        make_mover(exchange, tmp_path)
    assert 'another ocx-mover' in str(caught.value)
    mover.close()
    make_mover(exchange, tmp_path).close()


# -- races with clients ---------------------------------------------------


def misplaced_object(ocx, policy='standard'):
    """(container, WSGI name, native name) of an object the ring now
    places on c4, stored elsewhere."""
    container = CONTAINERS[policy]
    add_cluster(ocx)
    name = ocx.name_on(ocx['c4'], str_to_wsgi(ACCOUNT),
                       str_to_wsgi(container), prefix=str_to_wsgi('r\u00e4ce'))
    name_n = name.encode('latin-1').decode('utf-8')
    ocx['c1'].put_object(ACCOUNT, container, name_n, b'version 1')
    return container, name, name_n


def intercept(cluster, method, name, action):
    """Call ``action()`` once, when ``cluster`` gets ``method`` on the
    object ``name``."""
    original = cluster.request
    quoted = quote(name.encode('utf-8'))

    def request(method_, url_, *args, **kwargs):
        if method_ == method and url_.endswith('/' + quoted):
            cluster.request = original
            action()
        return original(method_, url_, *args, **kwargs)

    cluster.request = request


def test_object_rewritten_on_the_old_cluster_is_not_deleted(exchange,
                                                            tmp_path):
    # a proxy still on the old ring writes there while the mover copies
    ocx = exchange
    container, _name, name_n = misplaced_object(ocx)
    intercept(ocx['c4'], 'PUT', name_n, lambda: ocx['c1'].put_object(
        ACCOUNT, container, name_n, b'version 2'))
    mover = make_mover(ocx, tmp_path)
    mover.run()
    mover.close()
    assert mover.report.outcomes['changed'] == 1
    assert ocx['c1'].get_object(ACCOUNT, container, name_n).body == \
        b'version 2'
    # the next run finds version 2 newest and moves it
    again = make_mover(ocx, tmp_path)
    again.run()
    assert ocx['c4'].get_object(ACCOUNT, container, name_n).body == \
        b'version 2'
    assert ocx['c1'].get_object(ACCOUNT, container, name_n) is None


def test_metadata_posted_during_the_move_is_kept(exchange, tmp_path):
    # the exchange's POST finds the old copy while the new one is not yet
    # there: the mover copies again rather than lose the new metadata
    ocx = exchange
    container, _name, name_n = misplaced_object(ocx)

    def client_post():
        old = ocx['c1'].get_object(ACCOUNT, container, name_n)
        old.headers['X-Object-Meta-Color'] = 'gr\u00fcn'
        old.timestamp = ocx['c1'].now()

    intercept(ocx['c4'], 'PUT', name_n, client_post)
    mover = make_mover(ocx, tmp_path)
    mover.run()
    assert mover.report.unfinished == 0
    moved = ocx['c4'].get_object(ACCOUNT, container, name_n)
    assert moved.headers['X-Object-Meta-Color'] == 'gr\u00fcn'
    assert moved.body == b'version 1'
    assert ocx['c1'].get_object(ACCOUNT, container, name_n) is None


def test_object_deleted_during_the_move_stays_deleted(exchange, tmp_path):
    ocx = exchange
    container, _name, name_n = misplaced_object(ocx)

    def client_delete():
        del ocx['c1'].get_container(ACCOUNT, container).objects[name_n]

    intercept(ocx['c4'], 'PUT', name_n, client_delete)
    mover = make_mover(ocx, tmp_path)
    mover.run()
    assert mover.report.outcomes['vanished'] == 1
    assert ocx['c4'].get_object(ACCOUNT, container, name_n) is None


def test_client_write_on_the_new_cluster_wins(exchange, tmp_path):
    ocx = exchange
    container, name, name_n = misplaced_object(ocx)
    # (each fake cluster has its own clock: give the write a later time)
    intercept(ocx['c1'], 'GET', name_n, lambda: ocx['c4'].put_object(
        ACCOUNT, container, name_n, b'written by a client',
        timestamp=time.time()))
    mover = make_mover(ocx, tmp_path)
    mover.run()
    mover.close()
    assert mover.report.outcomes['changed'] == 1
    assert ocx['c4'].get_object(ACCOUNT, container, name_n).body == \
        b'written by a client'
    again = make_mover(ocx, tmp_path)
    again.run()
    assert ocx['c1'].get_object(ACCOUNT, container, name_n) is None


def test_failing_target_leaves_the_object_and_the_marker(exchange,
                                                         tmp_path):
    ocx = exchange
    add_cluster(ocx)
    ocx['c4'].fail(503)
    mover = make_mover(ocx, tmp_path)
    mover.run()
    mover.close()
    assert mover.report.errors > 0
    assert mover.report.unfinished > 0
    journal = Journal(str(tmp_path / 'state'), mover.identity, write=False)
    assert not any(done for _m, done in journal.containers.values())
    ocx['c4'].heal()
    mover.clients['c4'].error_limiter.stats.clear()
    again = make_mover(ocx, tmp_path)
    again.run()
    assert again.report.errors == 0
    assert misplaced(ocx, make_mover(ocx, tmp_path, dry_run=True))[0] == \
        set()


def test_a_cluster_failing_once_is_tried_again(exchange, tmp_path):
    ocx = exchange
    container, _name, name_n = misplaced_object(ocx)
    c4 = ocx['c4']
    original = c4.request
    failed = []

    def flaky(method, url_, *args, **kwargs):
        if method == 'PUT' and not failed and url_.endswith(
                quote(name_n.encode('utf-8'))):
            failed.append(url_)
            c4.fail(503)
            try:
                return original(method, url_, *args, **kwargs)
            finally:
                c4.heal()
        return original(method, url_, *args, **kwargs)

    c4.request = flaky
    mover = make_mover(ocx, tmp_path)
    mover.run()
    assert failed and mover.report.unfinished == 0
    assert c4.get_object(ACCOUNT, container, name_n).body == b'version 1'
    assert ocx['c1'].get_object(ACCOUNT, container, name_n) is None


def test_split_share_keeps_its_index_and_header(exchange, tmp_path):
    ocx = exchange
    add_cluster(ocx)
    mover = make_mover(ocx, tmp_path)
    mover.run()
    for policy in ('xor', 'aont'):
        container = CONTAINERS[policy]
        on_c4 = ocx['c4'].get_container(ACCOUNT, container).objects
        assert on_c4, policy  # some shares moved there
        for name, obj in on_c4.items():
            assert 'X-Object-Meta-Ocx-Sys-Ocx-Split' in obj.headers
            if policy == 'aont':
                assert name != object_name(0) and len(name) > 30  # hidden


def share_indexes(ocx, container):
    """(stored name, cluster) -> share index, of every share."""
    found = {}
    for cluster in ocx:
        cont = cluster.get_container(ACCOUNT, container)
        for name in (cont.objects if cont else ()):
            found[(name, cluster.name)] = share_index(
                ocx, cluster.name, container, name)
    return found


def test_a_landlord_gets_no_second_share(exchange, tmp_path):
    # c4 belongs to the landlord of c1: where c4 joins an object's
    # placement it may only get the share c1 had
    ocx = exchange
    before = {p: share_indexes(ocx, CONTAINERS[p])
              for p in ('xor', 'aont')}
    ocx.add_cluster('c4', 'l1')
    ocx.mw.ring.generation
    ocx.connect()
    mover = make_mover(ocx, tmp_path)
    mover.run()
    assert mover.report.unfinished == 0
    landlord = {'c1': 'l1', 'c4': 'l1', 'c2': 'l2', 'c3': 'l3'}
    joined = 0
    for policy in ('xor', 'aont'):
        after = share_indexes(ocx, CONTAINERS[policy])
        for (name, cluster), index in after.items():
            if cluster == 'c4' and (name, 'c1') in before[policy]:
                joined += 1
                assert before[policy][(name, 'c1')] == index
        held = {}
        for (name, cluster), index in list(before[policy].items()) + \
                list(after.items()):
            held.setdefault((name, landlord[cluster]), set()).add(index)
        assert all(len(indexes) == 1 for indexes in held.values())
    assert joined > 0
    assert read_all(ocx)


# -- pieces ---------------------------------------------------------------


def test_progress_window_holds_at_the_first_unfinished():
    window = ProgressWindow('')
    a, b, c = window.add('a'), window.add('b'), window.add('c')
    assert not window.finish(b)
    assert window.finish(a) and window.marker == 'b'
    d = window.add('d')
    assert not window.finish(c, finished=False)
    assert not window.finish(d)
    assert window.marker == 'b' and window.held


def test_rate_limiter_spaces_events():
    now, slept = [100.0], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = engine.RateLimiter(4, sleep, clock=lambda: now[0])
    for _ in range(5):
        limiter.wait()
    assert slept == [0.25, 0.25, 0.25, 0.25]
    engine.RateLimiter(0, sleep).wait()
    assert len(slept) == 4


def test_wait_for_reload(tmp_path):
    ring = tmp_path / 'r.ring.gz'
    ring.write_bytes(b'x')
    os.utime(ring, (1000.0, 1000.0))
    paused, said = [], []
    assert wait_for_reload(str(ring), 15, said.append, now=lambda: 1010.0,
                           pause=paused.append) == 6.0
    assert paused == [6.0] and 'ring_check_interval 15s' in said[0]
    assert wait_for_reload(str(ring), 15, said.append, now=lambda: 2000.0,
                           pause=paused.append) == 0.0


# -- the command ------------------------------------------------------------


@pytest.fixture
def wired(monkeypatch, exchange):
    """main() talks to the fake clusters, and retries at once."""
    monkeypatch.setattr(run_module, 'RETRY_DELAYS', (0, 0))
    real = run_module.make_clients

    def fake_clients(cluster_conf, concurrency, logger):
        clients = real(cluster_conf, concurrency, logger)
        for name, client in clients.items():
            client._pool_manager = exchange[name]
        return clients

    monkeypatch.setattr(run_module, 'make_clients', fake_clients)
    # the exchange's metadata tier, which main() would find in swift_dir
    monkeypatch.setattr(run_module, 'MetadataTier',
                        lambda swift_dir, policies, logger: exchange.tier())
    return exchange


def cli_args(ocx, tmp_path, *extra):
    return ['--clusters', ocx.cluster_conf_path, '--ring', ocx.ring_path,
            '--policies', ocx.policy_path, '--account', ACCOUNT,
            '--state-dir', str(tmp_path / 'state'), '--no-progress',
            '--reload-wait', '0'] + list(extra)


def test_command_moves_and_reports(wired, tmp_path, capsys):
    add_cluster(wired)
    os.utime(wired.ring_path, (time.time() - 5,) * 2)
    report_path = str(tmp_path / 'report.json')
    status = cli.main(cli_args(wired, tmp_path, '--report-json',
                               report_path))
    out, err = capsys.readouterr()
    assert status == 0, err
    with open(report_path) as fp:
        doc = json.load(fp)
    assert doc['exit'] == 0 and doc['ring_generation'] == 2
    moved = doc['run']['outcomes']['moved']
    assert moved > 0
    assert 'moved %d' % moved in out
    assert 'By landlord:' in out and ' l4 ' in out
    # and again: nothing left
    assert cli.main(cli_args(wired, tmp_path)) == 0
    assert '0 objects examined' in capsys.readouterr()[0]


def test_command_exit_1_on_errors(wired, tmp_path, capsys):
    add_cluster(wired)
    os.utime(wired.ring_path, (time.time() - 5,) * 2)
    wired['c4'].fail(503)
    assert cli.main(cli_args(wired, tmp_path)) == 1
    out = capsys.readouterr()[0]
    assert 'Errors:' in out and "cluster 'c4'" in out
    assert 'run ocx-mover again' in out


def ring_without_credentials(ocx):
    ocx.change_ring(lambda b: b.add_cluster('c9', 'l9', 1.0))


@pytest.mark.parametrize('args, message', [
    ([], 'one of the arguments --account --all-accounts is required'),
    (['--account', 'AUTH_x'], 'give --proxy-config, or --clusters and '
     '--ring'),
    (['--account', 'AUTH_x', '--max-rate', '-1', '--ring', 'r'],
     "argument --max-rate: must be a number >= 0, got '-1'"),
    (['--account', 'AUTH_x', '--concurrency', '0', '--ring', 'r'],
     "argument --concurrency: must be an integer >= 1, got '0'"),
    (['--account', 'AUTH_x', '--proxy-config', '/nonexistent/p.conf'],
     'cannot read proxy config /nonexistent/p.conf'),
])
def test_command_usage_errors(capsys, args, message):
    assert cli.main(args) == 2
    out, err = capsys.readouterr()
    assert out == ''
    assert message in err


def test_command_refuses_ring_naming_unknown_cluster(exchange, tmp_path,
                                                     capsys):
    ring_without_credentials(exchange)
    assert cli.main(cli_args(exchange, tmp_path)) == 2
    out, err = capsys.readouterr()
    assert out == ''
    assert "ring cluster 'c9' has no [cluster:c9] section" in err
    assert not os.path.exists(tmp_path / 'state')


def test_command_reads_the_proxy_config(wired, tmp_path, capsys):
    add_cluster(wired)
    os.utime(wired.ring_path, (time.time() - 5,) * 2)
    conf = tmp_path / 'proxy-server.conf'
    conf.write_text('[filter:ocx]\nuse = egg:ocx_swift#ocx\n'
                    'cluster_conf_path = %s\nring_path = %s\n'
                    'policy_conf_path = %s\nring_check_interval = 0\n' % (
                        wired.cluster_conf_path, wired.ring_path,
                        wired.policy_path))
    assert cli.main(['--proxy-config', str(conf), '--account', ACCOUNT,
                     '--state-dir', str(tmp_path / 's'),
                     '--no-progress', '--dry-run']) == 0
    assert 'Would copy' in capsys.readouterr()[0]
    bad = tmp_path / 'bad.conf'
    bad.write_text('[filter:other]\n')
    assert cli.main(['--proxy-config', str(bad), '--account', ACCOUNT]) == 2
    assert 'has no [filter:ocx] section' in capsys.readouterr()[1]


# -- reporting ----------------------------------------------------------------


def blocked_object(ocx):
    """Take one share of an xor object away: it cannot be moved (no
    complete version), whatever the ring says. Returns its path as the
    report names it."""
    container, name = CONTAINERS['xor'], object_name(3)
    holder = ocx.holders(ACCOUNT, container, name)[0]
    del holder.get_container(ACCOUNT, container).objects[name]
    return wsgi_quote(backend.object_path(ACCOUNT, container, name))


def test_dry_run_names_blocked_objects_and_exits_0(wired, tmp_path,
                                                   capsys):
    path = blocked_object(wired)
    report = str(tmp_path / 'dry.json')
    assert cli.main(cli_args(wired, tmp_path, '--dry-run',
                             '--report-json', report)) == 0
    out, err = capsys.readouterr()
    assert 'Would be left for a later run: 1 (blocked 1)' in out
    assert '  %s: blocked: no complete version with 2 pieces' % path in out
    assert 'Unfinished' not in out and path not in err  # no -v needed
    with open(report) as fp:
        assert json.load(fp)['run']['left_lines'] == [
            '%s: blocked: no complete version with 2 pieces' % path]
    # a real run that leaves it says so, and exits 1
    assert cli.main(cli_args(wired, tmp_path)) == 1
    out = capsys.readouterr()[0]
    assert 'Left for a later run: 1 (blocked 1)' in out
    assert 'Unfinished: run ocx-mover again (objects left for a later ' \
        'run above)' in out


def test_report_json_keys_are_cluster_names(wired, tmp_path):
    add_cluster(wired)
    os.utime(wired.ring_path, (time.time() - 5,) * 2)
    report = str(tmp_path / 'report.json')
    assert cli.main(cli_args(wired, tmp_path, '--report-json',
                             report)) == 0
    with open(report) as fp:
        doc = json.load(fp)
    copies = doc['run']['copies']
    clusters = {'c1', 'c2', 'c3', 'c4'}
    assert set(copies) <= clusters and copies
    for targets in copies.values():
        assert set(targets) <= clusters
        assert all(set(f) == {'objects', 'bytes'} for f in targets.values())
    assert set(doc['run']['deletes']) <= clusters
    assert doc['accounts'] == [ACCOUNT]
    # and back: a report (or a journal's totals) reads its own JSON, and
    # that of journals written with "source\ntarget" keys
    again = Report(doc['run'])
    assert again.to_dict()['copies'] == copies
    old = Report({'copies': {'c1\nc4': [2, 10]}})
    assert old.copies == {('c1', 'c4'): [2, 10]}
    assert old.to_dict()['copies'] == {'c1': {'c4': {'objects': 2,
                                                     'bytes': 10}}}


class Bar(object):
    def __init__(self):
        self.n = 0

    def update(self, n):
        self.n += n


def test_progress_counts_objects_against_the_tiers_total(exchange,
                                                         tmp_path):
    add_cluster(exchange)
    bar = Bar()
    mover = make_mover(exchange, tmp_path, dry_run=True, progress=bar)
    mover.run()
    assert mover.expected == len(CONTAINERS) * N_OBJECTS
    assert bar.n == mover.report.examined == mover.expected


def test_all_accounts_walks_the_tiers_accounts(wired, tmp_path, capsys,
                                               monkeypatch):
    add_cluster(wired)
    os.utime(wired.ring_path, (time.time() - 5,) * 2)
    asked = []

    def tier_accounts(swift_dir):
        asked.append(swift_dir)
        return [ACCOUNT], ['192.0.2.9:6202/d9']

    monkeypatch.setattr(accounts_mod, 'tier_accounts', tier_accounts)
    args = [a for a in cli_args(wired, tmp_path) if a not in (
        '--account', ACCOUNT)] + ['--all-accounts']
    assert cli.main(args) == 0
    out, err = capsys.readouterr()
    assert asked == ['/etc/swift']
    assert 'not on this host, their accounts are not walked: ' \
        '192.0.2.9:6202/d9' in err
    assert '1 accounts in the metadata tier' in err
    assert 'moved' in out
    assert cli.main(args + ['--account', ACCOUNT]) == 2
    assert 'not allowed with argument' in capsys.readouterr()[1]
