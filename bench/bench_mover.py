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

"""Mover throughput on real clusters: objects/s and MB/s.

Starts its own ``ocx-aio`` set (3 clusters, no updater sweeps) in a
temporary directory, writes small objects into one account and large
ones into another through the exchange, adds a 4th cluster with
``ocx-aio add-cluster`` and then toggles its weight between 1 and 0
(``ocx-ring-builder set_weight`` + ``rebalance``): each toggle misplaces
about a quarter of the objects, and ``ocx-mover`` (one run per account
and concurrency) moves them back where they belong. Prints, per object
size and concurrency, the copies per second and MB/s the mover's own
report gives, and the rate at which it walks objects already in place.

Usage::

    python bench/bench_mover.py [--small 800] [--small-size 16384]
        [--large 48] [--large-size 4194304] [--concurrency 1,4,8]
        [--max-seconds 300]

Every loop is bounded by count, and no new round starts after
``--max-seconds``; the set is wiped at the end.
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import swiftclient

from ocx_swift.aio.layout import parse_env
from ocx_swift.mover.report import Report

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKERS = 6


def command(*argv):
    """Run one of the project's commands with this checkout's code."""
    out = subprocess.run([sys.executable, '-m'] + list(argv),
                         env=dict(os.environ, PYTHONPATH=REPO),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, timeout=900)
    if out.returncode:
        raise SystemExit('%s failed (%d): %s' % (' '.join(argv[:2]),
                                                 out.returncode, out.stderr))
    return out.stdout


def connection(env, which):
    user, key = (env['OCX_USER'], env['OCX_KEY']) if which == 1 else \
        (env['OCX_USER2'], env['OCX_KEY2'])
    return swiftclient.Connection(env['OCX_AUTH_URL'], user, key,
                                  auth_version='1', retries=2)


def upload(env, which, container, count, size):
    """Write ``count`` objects of ``size`` bytes; return the account."""
    local = threading.local()
    block = os.urandom(size)

    def put(i):
        if not hasattr(local, 'conn'):
            local.conn = connection(env, which)
        local.conn.put_object(container, 'obj-%05d' % i, block)

    conn = connection(env, which)
    conn.put_container(container)
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(put, range(count)))
    return conn.get_auth()[0].rstrip('/').rsplit('/', 1)[1]


def move(env, account, concurrency, state, extra=()):
    """One mover run; its JSON report."""
    report = os.path.join(state, 'report.json')
    command('ocx_swift.mover.cli', '--proxy-config', env['OCX_PROXY_CONF'],
            '--account', account, '--state-dir', state, '--no-progress',
            '--concurrency', str(concurrency), '--report-json', report,
            *extra)
    with open(report) as fp:
        return json.load(fp)


def toggle(env, weight):
    builder = env['OCX_RING_BUILDER']
    command('ocx_swift.cli.ringbuilder', builder, 'set_weight', 'c4',
            str(weight))
    command('ocx_swift.cli.ringbuilder', builder, 'rebalance', '--clusters',
            env['OCX_CLUSTER_CONF'])


def row(label, concurrency, doc):
    run = Report(doc['run'])
    copies, size = run.copied_objects, run.copied_bytes
    elapsed = max(doc['elapsed'], 1e-9)
    print('%-6s %5d %8d %8.1f %10.1f %8.2f %10.1f' % (
        label, concurrency, copies, elapsed, copies / elapsed,
        size / elapsed / 1e6, doc['examined'] / elapsed), flush=True)


def run(env, args, tmp):
    classes = [('small', 1, args.small, args.small_size),
               ('large', 2, args.large, args.large_size)]
    accounts = {}
    for label, which, count, size in classes:
        began = time.monotonic()
        accounts[label] = upload(env, which, 'bench-' + label, count, size)
        print('wrote %d %s objects of %d bytes in %.1fs' % (
            count, label, size, time.monotonic() - began), flush=True)
    command('ocx_swift.aio.cli', 'add-cluster', '--dir', env['OCX_DIR'],
            '--landlord', 'landlord4', '--updater-interval', '0')
    for label in accounts:  # every container on c4 before the ring names it
        move(env, accounts[label], 4, os.path.join(tmp, 'prep'),
             ['--containers-only'])
    command('ocx_swift.cli.ringbuilder', env['OCX_RING_BUILDER'], 'add',
            'c4', 'landlord4', '0')
    print('%-6s %5s %8s %8s %10s %8s %10s' % (
        'class', 'conc', 'copies', 'seconds', 'copies/s', 'MB/s',
        'walked/s'))
    deadline = time.monotonic() + args.max_seconds
    weight = 0
    for concurrency in args.concurrency:
        if time.monotonic() > deadline:
            print('(stopped: --max-seconds)')
            break
        weight = 1 - weight
        toggle(env, weight)
        for label in accounts:
            state = os.path.join(tmp, 'state-%s-%d' % (label, concurrency))
            row(label, concurrency, move(env, accounts[label], concurrency,
                                         state))
    for label in accounts:  # everything in place: the walk alone
        doc = move(env, accounts[label], 4, os.path.join(tmp, 'walk'),
                   ['--fresh'])
        print('walk of %s objects in place: %d in %.1fs, %.0f objects/s' % (
            label, doc['examined'], doc['elapsed'],
            doc['examined'] / max(doc['elapsed'], 1e-9)))


def _counts(text):
    return [int(v) for v in text.split(',')]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--small', type=int, default=800)
    parser.add_argument('--small-size', type=int, default=16384)
    parser.add_argument('--large', type=int, default=48)
    parser.add_argument('--large-size', type=int, default=4 * 1048576)
    parser.add_argument('--concurrency', type=_counts, default=[1, 4, 8],
                        help='comma-separated mover concurrencies, one '
                        'round each (default 1,4,8)')
    parser.add_argument('--max-seconds', type=float, default=300)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix='ocx-bench-mover-') as tmp:
        root = os.path.join(tmp, 'aio')
        env = parse_env(command('ocx_swift.aio.cli', 'start', '--dir', root,
                                '--updater-interval', '0'))
        try:
            run(env, args, tmp)
        finally:
            subprocess.run([sys.executable, '-m', 'ocx_swift.aio.cli',
                            'wipe', '--dir', root],
                           env=dict(os.environ, PYTHONPATH=REPO),
                           check=False, capture_output=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
