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

"""A landlord adds a cluster, another drains one: real clusters, real
commands, clients reading and writing all along.

This module starts its own ``ocx-aio`` set (3 clusters of 3 landlords and
the exchange) in a temporary directory, whatever ``OCX_TEST_ENV_FILE``
says: it changes the set's clusters and ring. It then:

1. writes N objects (2000; 300 with ``OCX_TEST_SKIP_SLOW``) into a
   container of the default policy, and N/20 into containers of the
   replicated-2, xor and aont-rs (hidden names) policies;
2. ``ocx-aio add-cluster`` (a 4th cluster, a 4th landlord),
   ``ocx-mover --containers-only``, ``ocx-ring-builder add`` +
   ``rebalance`` + ``write_ring``;
3. runs ``ocx-mover`` (rate-limited), SIGKILLs it half way and runs it
   again to the end, while a client keeps reading (byte-exact) and
   writing new objects: no read or write fails, the second run does not
   redo what the first finished, every object ends on its placement, the
   new cluster holds its weight's share, listings are unchanged;
4. drains the 2nd cluster (``set_weight 0``, ``rebalance``, ``write_ring``,
   ``ocx-mover``, ``remove --clusters --account``, ``rebalance``,
   ``write_ring``): ``remove`` refuses before the move and accepts after,
   the cluster ends empty and out of the ring, listings show the same
   names, sizes and ETags, and objects read back byte-exact (all of the
   other policies' and of the clients', a sample of the default's).

The figures it measured are printed (run pytest with ``-s``).
"""

import concurrent.futures
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

import pytest
import swiftclient
from swift.common.swob import str_to_wsgi

from ocx_swift.aio import control, layout
from ocx_swift.mover import settings as settings_mod
from ocx_swift.mover.report import Report
from ocx_swift.ring import io as ring_io
from tests.functional import names

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SLOW = os.environ.get('OCX_TEST_SKIP_SLOW', '') in ('', '0', 'no', 'false')
N = 2000 if SLOW else 300
ACCOUNT = 'AUTH_test'
#: policy -> objects of its container
SHAPE = {'standard': N, 'replicated2': N // 20, 'xor': N // 20,
         'aont': N // 20}
#: policy -> pieces each object has (copies or shares)
WIDTH = {'standard': 1, 'replicated2': 2, 'xor': 2, 'aont': 3}
WORKERS = 8
MOVER_RATE = 60  # copies per second of the run that gets killed
RING_LOAD = 3  # ocx-aio's ring_check_interval, and one more second


def say(text):
    print('[test_mover] %s' % text, file=sys.stderr)


def command(*argv, check=True, timeout=300):
    """Run one of the project's commands with this checkout's code."""
    env = dict(os.environ, PYTHONPATH=REPO)
    out = subprocess.run([sys.executable, '-m'] + list(argv), env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=timeout)
    text = out.stdout.decode('utf-8'), out.stderr.decode('utf-8')
    if check and out.returncode:
        say('%s exited %d:\n%s%s' % (
            ' '.join(argv[:3]), out.returncode, text[0], text[1][-3000:]))
        assert out.returncode == 0, argv
    return out.returncode, text[0], text[1]


def ring_builder(env, *args, check=True):
    return command('ocx_swift.cli.ringbuilder', env['OCX_RING_BUILDER'],
                   *args, check=check)


def mover_args(env, state, *extra):
    return ['ocx_swift.mover.cli', '--proxy-config', env['OCX_PROXY_CONF'],
            '--account', ACCOUNT, '--state-dir', state, '--no-progress'] + \
        list(extra)


def connection(env, prefix='OCX'):
    if prefix == 'OCX':
        auth = (env['OCX_AUTH_URL'], env['OCX_USER'], env['OCX_KEY'])
    else:
        auth = tuple(env['CLUSTER_%s_%s' % (prefix, k)]
                     for k in ('AUTH_URL', 'USER', 'KEY'))
    return swiftclient.Connection(*auth, auth_version='1', retries=2)


def md5(data):
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@pytest.fixture(scope='module')
def aio():
    """A private set, run with this checkout's code; wiped at the end."""
    root = tempfile.mkdtemp(prefix='ocx-mover-func-')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('PYTHONPATH', REPO)
        try:
            try:
                env = dict(control.start(root, timeout=120.0, say=say))
            except control.AioError as err:
                pytest.fail('ocx-aio start failed: %s' % err, pytrace=False)
            yield env
        finally:
            control.wipe(root)


# -- writing and reading ---------------------------------------------------


def body_for(i):
    size = (i * 37) % 3000 + (150000 if i % 97 == 0 else 0)
    return os.urandom(size)


def upload(env, containers):
    """Write every object; return {(container, name): md5}."""
    jobs = [(container, 'obj \u00e9 %05d' % i) for policy, container in
            containers.items() for i in range(SHAPE[policy])]
    local = threading.local()

    def put(job):
        if not hasattr(local, 'conn'):
            local.conn = connection(env)
        body = body_for(hash(job[1]) % 100000)
        local.conn.put_object(job[0], job[1], body,
                              content_type='text/plain; charset=utf-8',
                              headers={'X-Object-Meta-Mark': job[1][-5:]})
        return job, md5(body)

    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        return dict(pool.map(put, jobs))


def verify(env, written, sample=None):
    """GET objects through the exchange; return the ones that differ."""
    items = sorted(written.items())
    if sample is not None and sample < len(items):
        items = random.Random(7).sample(items, sample)
    local = threading.local()

    def get(item):
        (container, name), digest = item
        if not hasattr(local, 'conn'):
            local.conn = connection(env)
        _headers, body = local.conn.get_object(container, name)
        return None if md5(body) == digest else (container, name)

    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        return [bad for bad in pool.map(get, items) if bad]


def listing(env, container):
    """The exchange's listing without last_modified (a landlord stamps a
    moved copy with its own time)."""
    entries = connection(env).get_container(container, full_listing=True)[1]
    return [{k: v for k, v in e.items() if k != 'last_modified'}
            for e in entries]


class Client(threading.Thread):
    """Reads random known objects (byte-exact) and writes new ones until
    stopped; counts what failed."""

    def __init__(self, env, written, new_container, prefix):
        super().__init__(daemon=True)
        self.prefix = prefix
        self.conn = connection(env)
        self.known = sorted(written.items())
        self.new_container = new_container
        self.new = {}
        self.reads = self.writes = 0
        self.failures = []
        self.stop = threading.Event()
        self.rng = random.Random(11)

    def run(self):
        deadline = time.monotonic() + 600
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                self.one()
            except Exception as err:  # noqa: every failure is counted
                self.failures.append(str(err)[:300])

    def one(self):
        (container, name), digest = self.rng.choice(self.known)
        _h, body = self.conn.get_object(container, name)
        self.reads += 1
        if md5(body) != digest:
            self.failures.append('wrong bytes: %s/%s' % (container, name))
        if self.reads % 4 == 0:
            name = '%s \u00e9 %05d' % (self.prefix, self.writes)
            body = os.urandom(self.rng.randrange(4096))
            self.conn.put_object(self.new_container, name, body)
            self.new[(self.new_container, name)] = md5(body)
            self.writes += 1

    def finish(self):
        self.stop.set()
        self.join(60)
        return self.failures


# -- placement -------------------------------------------------------------


def stored(env, cluster, container):
    """Stored names of a container on one landlord cluster."""
    try:
        return [e['name'] for e in connection(env, cluster).get_container(
            container, full_listing=True)[1]]
    except swiftclient.ClientException as err:
        if err.http_status == 404:
            return []
        raise


def misplaced(env, containers):
    """(container, cluster, name) of every piece not on its placement,
    and the pieces per cluster."""
    settings = settings_mod.load(proxy_config=env['OCX_PROXY_CONF'])
    wrong, per_cluster = [], {}
    clusters = sorted(c.name for c in settings.clusters)
    for policy_name, container in containers.items():
        policy = settings.policies.get(policy_name)
        for cluster in clusters:
            for name in stored(env, cluster, container):
                placement = [c['name'] for c in policy.choose(
                    settings.ring.get_candidates(
                        ACCOUNT, str_to_wsgi(container), str_to_wsgi(name)))]
                per_cluster.setdefault((container, cluster), 0)
                per_cluster[(container, cluster)] += 1
                if cluster not in placement:
                    wrong.append((container, cluster, name))
    return wrong, per_cluster


def partition_share(env, cluster):
    data = ring_io.read_ring(env['OCX_RING'])
    ids = [c['id'] for c in data['clusters'] if c and c['name'] == cluster]
    owned = sum(list(p2c).count(ids[0]) for p2c in
                data['replica2part2cluster']) if ids else 0
    return owned / float(len(data['replica2part2cluster'][0]) *
                         len(data['replica2part2cluster']))


def journal_examined(state):
    try:
        with open(os.path.join(state, 'ocx-mover.json')) as fp:
            totals = json.load(fp).get('totals', {})
    except (OSError, ValueError):
        return 0
    return sum(totals.get('outcomes', {}).values())


def read_report(path):
    with open(path) as fp:
        return json.load(fp)


def dry_run(env, state):
    """What a mover would do now: its JSON report."""
    path = os.path.join(state, 'dry.json')
    command(*mover_args(env, state + '-dry', '--dry-run', '--report-json',
                        path))
    return read_report(path)


# -- the scenario ----------------------------------------------------------


def kill_midway(env, state, total, report):
    """Start a rate-limited mover; SIGKILL it once a quarter is done."""
    proc = subprocess.Popen(
        [sys.executable, '-m'] + mover_args(
            env, state, '--max-rate', str(MOVER_RATE), '--concurrency', '2',
            '--report-json', report),
        env=dict(os.environ, PYTHONPATH=REPO), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None and \
            journal_examined(state) < total // 4:
        time.sleep(0.2)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    return killed


def test_add_a_cluster_then_drain_one(aio):
    env = aio
    times = {}
    began = time.monotonic()
    conn = connection(env)
    containers = {p: names.container('mv-' + p) for p in SHAPE}
    for policy, container in containers.items():
        conn.put_container(container, headers={'X-Storage-Policy': policy})
    new_container = names.container('mv-new')
    conn.put_container(new_container)
    written = upload(env, containers)
    times['upload'] = time.monotonic() - began
    before = {c: listing(env, c) for c in containers.values()}
    state = os.path.join(env['OCX_DIR'], 'mover-state')

    # -- add a cluster ---------------------------------------------------
    step = time.monotonic()
    code, out, err = command('ocx_swift.aio.cli', 'add-cluster', '--dir',
                             env['OCX_DIR'], '--landlord', 'landlord4')
    added = layout.parse_env(out)
    assert added['CLUSTER_c4_LANDLORD'] == 'landlord4'
    _c, status, _e = command('ocx_swift.aio.cli', 'status', '--dir',
                             env['OCX_DIR'])
    env = layout.parse_env(status)
    assert env['CLUSTER_c4_AUTH_URL'] == added['CLUSTER_c4_AUTH_URL']
    # the new cluster gets every container before a ring names it, so
    # clients can write there as soon as the exchange loads that ring
    command(*mover_args(env, state, '--containers-only'))
    ring_builder(env, 'add', 'c4', 'landlord4', '1')
    ring_builder(env, 'rebalance', '--seed', '7', '--clusters',
                 env['OCX_CLUSTER_CONF'])
    ring_builder(env, 'write_ring', '--clusters', env['OCX_CLUSTER_CONF'])
    time.sleep(RING_LOAD)
    client = Client(env, written, new_container, 'new')
    client.start()
    times['add cluster'] = time.monotonic() - step

    would = dry_run(env, state)['run']
    to_move = would['outcomes']['moved']
    assert to_move > 0

    # -- move, killed half way, then to the end ----------------------------
    step = time.monotonic()
    first_report = os.path.join(state, 'first.json')
    killed = kill_midway(env, state, sum(SHAPE.values()), first_report)
    done_by_first = journal_examined(state)
    second_report = os.path.join(state, 'second.json')
    command(*mover_args(env, state, '--report-json', second_report,
                        '--concurrency', '8'))
    times['move'] = time.monotonic() - step
    failures = client.finish()
    second = read_report(second_report)
    say('client during the move: %d reads, %d writes, %d failures'
        % (client.reads, client.writes, len(failures)))
    assert failures == []
    assert client.reads > 0 and client.writes > 0
    if killed:
        assert 0 < done_by_first <= sum(SHAPE.values())
        # the second run went on where the first stopped
        assert second['examined'] + done_by_first == second['total_examined']
        assert second['run']['outcomes'].get('moved', 0) < to_move
    moved = second['total']['outcomes'].get('moved', 0)
    assert to_move - 4 <= moved <= to_move + 4
    assert second['exit'] == 0 and second['run']['errors'] == 0

    # -- where everything is -------------------------------------------------
    all_containers = dict(containers, standard_new=new_container)
    wrong, per_cluster = misplaced(env, dict(containers))
    assert wrong == []
    assert dry_run(env, state)['run']['outcomes'].get('moved', 0) == 0
    share = partition_share(env, 'c4')
    assert abs(share - 0.25) <= 0.02
    on_c4 = per_cluster.get((containers['standard'], 'c4'), 0)
    spread = 3 * (N * 0.25 * 0.75) ** 0.5 / N
    assert abs(on_c4 / float(N) - 0.25) <= max(0.02, spread)
    assert {c: listing(env, c) for c in containers.values()} == before
    assert verify(env, written, sample=min(N, 400)) == []
    assert verify(env, client.new) == []
    new_objects = dict(client.new)
    first_figures = second['total']

    # -- drain c2 ------------------------------------------------------------
    step = time.monotonic()
    client = Client(env, written, new_container, 'newer')
    client.start()
    ring_builder(env, 'set_weight', 'c2', '0')
    ring_builder(env, 'rebalance', '--seed', '8', '--clusters',
                 env['OCX_CLUSTER_CONF'])
    ring_builder(env, 'write_ring', '--clusters', env['OCX_CLUSTER_CONF'])
    check = ['remove', 'c2', '--clusters', env['OCX_CLUSTER_CONF'],
             '--account', ACCOUNT]
    code, out, err = ring_builder(env, *check, check=False)
    assert code == 2 and 'cluster c2 still holds' in err
    drain_report = os.path.join(state, 'drain.json')
    command(*mover_args(env, state, '--report-json', drain_report,
                        '--concurrency', '8'))
    failures = client.finish()
    assert failures == []
    new_objects.update(client.new)
    ring_builder(env, *check)
    ring_builder(env, 'rebalance', '--seed', '8', '--clusters',
                 env['OCX_CLUSTER_CONF'])
    ring_builder(env, 'write_ring', '--clusters', env['OCX_CLUSTER_CONF'])
    times['drain'] = time.monotonic() - step
    ring = ring_io.read_ring(env['OCX_RING'])
    assert 'c2' not in [c['name'] for c in ring['clusters'] if c]
    assert ring['previous'] is None
    for container in all_containers.values():
        assert stored(env, 'c2', container) == []
    time.sleep(RING_LOAD)  # the exchange loads the last ring
    assert misplaced(env, dict(containers))[0] == []
    # the same names, sizes and ETags (MD5s the landlords checked when the
    # copies were stored); and read back: every object of the other
    # policies, every one written during the moves, a sample of the rest
    assert {c: listing(env, c) for c in containers.values()} == before
    default = {k: v for k, v in written.items()
               if k[0] == containers['standard']}
    assert verify(env, {k: v for k, v in written.items()
                        if k not in default}) == []
    assert verify(env, new_objects) == []
    assert verify(env, default, sample=min(N, 600)) == []
    drained = read_report(drain_report)
    times['total'] = time.monotonic() - began

    report_figures(times, first_figures, second, drained, share, on_c4,
                   to_move)


def report_figures(times, first, second, drained, share, on_c4, to_move):
    say('N=%d objects in the default policy (+%d in others)' % (
        N, sum(SHAPE.values()) - N))
    say('times: %s' % ', '.join('%s %.1fs' % item for item in times.items()))
    pieces = sum(count * WIDTH[policy] for policy, count in SHAPE.items())
    copied = Report(first).copied_objects
    say('moved after adding c4: %d objects (%.1f%% of all), copied %d of '
        '%d pieces (%.1f%%)' % (first['outcomes'].get('moved', 0),
                                100.0 * to_move / sum(SHAPE.values()),
                                copied, pieces, 100.0 * copied / pieces))
    for name, doc in (('second run', second), ('drain', drained)):
        run = Report(doc['run'])
        copied, size = run.copied_objects, run.copied_bytes
        say('%s: %d examined, %d copied, %.1fs: %.1f copies/s, %.2f MB/s'
            % (name, doc['examined'], copied, doc['elapsed'],
               copied / max(doc['elapsed'], 1e-9),
               size / max(doc['elapsed'], 1e-9) / 1e6))
    say('c4 holds %.2f%% of the partitions and %d of %d default-policy '
        'objects (%.1f%%)' % (100 * share, on_c4, N, 100.0 * on_c4 / N))


# -- refused input ---------------------------------------------------------


def test_refused_input_writes_nothing(aio, tmp_path):
    env = aio
    builder = str(tmp_path / 'copy.builder')
    with open(env['OCX_RING_BUILDER'], 'rb') as src, \
            open(builder, 'wb') as dst:
        dst.write(src.read())
    ring = str(tmp_path / 'copy.ring.gz')

    def builder_cmd(*args):
        return command('ocx_swift.cli.ringbuilder', builder, *args,
                       check=False)

    assert builder_cmd('set_weight', 'nope', '1')[0] == 2
    assert builder_cmd('set_weight', 'c1', '-1')[0] == 2
    assert builder_cmd('rebalance', '--ring', ring)[0] == 1  # nothing to do
    assert not os.path.exists(ring)
    assert builder_cmd('add', 'c9', 'landlord9', '1')[0] == 0
    code, _out, err = builder_cmd('rebalance', '--ring', ring, '--clusters',
                                  env['OCX_CLUSTER_CONF'])
    assert code == 2 and "'c9' has no [cluster:c9] section" in err
    assert not os.path.exists(ring)
    # a ring naming it anyway: the mover refuses it, and so does the proxy
    assert builder_cmd('rebalance', '--ring', ring)[0] == 0
    state = str(tmp_path / 'state')
    code, out, err = command('ocx_swift.mover.cli', '--clusters',
                             env['OCX_CLUSTER_CONF'], '--ring', ring,
                             '--account', ACCOUNT, '--state-dir', state,
                             check=False)
    assert (code, out) == (2, '')
    assert "ring cluster 'c9' has no [cluster:c9] section" in err
    assert not os.path.exists(state)
