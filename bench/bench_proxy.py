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

"""Throughput through the exchange vs straight to one landlord cluster.

Runs 4 KiB and 64 MiB PUT and GET through the OCX proxy and directly
against one landlord cluster, in alternating rounds in one run, and prints
per size and verb the ops/s of each path and the median paired ratio
(through OCX / direct; 1.0 means no overhead).

Usage::

    python bench/bench_proxy.py [--env-file FILE] [--rounds 7]

Without ``--env-file`` it starts a fresh set of local landlords with
``ocx-aio`` in a temporary dir and stops it at the end; with it, it uses
a running set (the ``KEY=value`` lines ``ocx-aio status`` prints).
Every loop is bounded by count and by ``--max-seconds``.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

from ocx_swift.aio.layout import parse_env

SIZES = {'4KiB': (4096, 60), '64MiB': (64 * 1024 * 1024, 2)}
CHUNK = 1024 * 1024


class Endpoint(object):
    """A keep-alive connection to one Swift endpoint with a token."""

    def __init__(self, label, auth_url, user, key):
        self.label = label
        conn = self._connect(auth_url)
        conn.request('GET', urllib.parse.urlsplit(auth_url).path,
                     headers={'X-Auth-User': user, 'X-Auth-Key': key})
        resp = conn.getresponse()
        resp.read()
        if resp.status // 100 != 2:
            raise SystemExit('%s: auth failed: %s' % (label, resp.status))
        self.token = resp.getheader('X-Auth-Token')
        storage = urllib.parse.urlsplit(resp.getheader('X-Storage-Url'))
        self.path = storage.path
        self.conn = self._connect(auth_url)

    @staticmethod
    def _connect(url):
        parts = urllib.parse.urlsplit(url)
        return http.client.HTTPConnection(parts.hostname, parts.port,
                                          timeout=120)

    def call(self, method, path, body=None, size=None):
        headers = {'X-Auth-Token': self.token}
        if body is not None:
            headers['Content-Length'] = str(size)
        self.conn.request(method, self.path + path, body=body,
                          headers=headers)
        resp = self.conn.getresponse()
        got = 0
        while True:
            chunk = resp.read(CHUNK)
            if not chunk:
                break
            got += len(chunk)
        if resp.status // 100 != 2:
            raise RuntimeError('%s %s %s: %s' % (self.label, method, path,
                                                 resp.status))
        return got


def payload(size):
    block = os.urandom(min(size, CHUNK))
    sent = 0
    while sent < size:
        part = block[:size - sent]
        sent += len(part)
        yield part


def timed_ops(endpoint, verb, container, size, count, deadline):
    """Seconds per op for ``count`` ops (fewer if the deadline passes)."""
    done, start = 0, time.monotonic()
    for i in range(count):
        name = '/%s/obj-%d' % (container, i)
        if verb == 'PUT':
            endpoint.call('PUT', name, body=payload(size), size=size)
        else:
            endpoint.call('GET', name)
        done += 1
        if time.monotonic() > deadline:
            break
    return (time.monotonic() - start) / done


def run(env, rounds, max_seconds):
    ocx = Endpoint('ocx', env['OCX_AUTH_URL'], env['OCX_USER'],
                   env['OCX_KEY'])
    first = sorted(k for k in env if k.startswith('CLUSTER_') and
                   k.endswith('_AUTH_URL'))[0][len('CLUSTER_'):-9]
    direct = Endpoint('direct', env['CLUSTER_%s_AUTH_URL' % first],
                      env['CLUSTER_%s_USER' % first],
                      env['CLUSTER_%s_KEY' % first])
    container = 'bench-%s' % uuid.uuid4().hex[:8]
    # the direct endpoint writes a container of its own: what a landlord
    # writes under the exchange's names is (rightly) refused by the
    # exchange
    containers = {'ocx': container, 'direct': container + '-direct'}
    for ep in (ocx, direct):
        ep.call('PUT', '/' + containers[ep.label], body=b'', size=0)
    deadline = time.monotonic() + max_seconds
    print('%-6s %-4s %12s %12s %8s' % (
        'size', 'verb', 'ocx ops/s', 'direct ops/s', 'ratio'))
    results = {}
    for label, (size, count) in SIZES.items():
        for verb in ('PUT', 'GET'):
            ratios, t_ocx, t_direct = [], [], []
            for rnd in range(rounds):
                order = (ocx, direct) if rnd % 2 == 0 else (direct, ocx)
                times = {}
                for ep in order:
                    times[ep.label] = timed_ops(
                        ep, verb, containers[ep.label], size, count,
                        deadline + 60)
                t_ocx.append(times['ocx'])
                t_direct.append(times['direct'])
                ratios.append(times['direct'] / times['ocx'])
                if time.monotonic() > deadline:
                    break
            results[(label, verb)] = statistics.median(ratios)
            print('%-6s %-4s %12.1f %12.1f %8.2f   (%d rounds)' % (
                label, verb, 1 / statistics.median(t_ocx),
                1 / statistics.median(t_direct), statistics.median(ratios),
                len(ratios)), flush=True)
    for ep in (ocx, direct):
        for i in range(max(count for _size, count in SIZES.values())):
            try:
                ep.call('DELETE', '/%s/obj-%d' % (containers[ep.label], i))
            except RuntimeError:
                pass  # fewer ops ran than planned
        for _attempt in range(10):  # container stats may lag a moment
            try:
                ep.call('DELETE', '/' + containers[ep.label])
                break
            except RuntimeError:
                time.sleep(1)
    return results


def with_env(argv, run, doc, rounds=7):
    """Parse the common options and call ``run(env, rounds, max_seconds)``
    on a running set (``--env-file``) or on a fresh ``ocx-aio`` set
    started in a temporary dir and wiped afterwards."""
    parser = argparse.ArgumentParser(description=doc.split('\n\n')[0])
    parser.add_argument('--env-file', help='KEY=value lines of a running '
                        'ocx-aio set (default: start one)')
    parser.add_argument('--rounds', type=int, default=rounds)
    parser.add_argument('--max-seconds', type=float, default=240)
    args = parser.parse_args(argv)
    if args.env_file:
        with open(args.env_file) as fp:
            env = parse_env(fp.read())
        run(env, args.rounds, args.max_seconds)
        return 0
    with tempfile.TemporaryDirectory(prefix='ocx-bench-') as tmp:
        # no updater sweeps: they would steal CPU from the measured rounds
        out = subprocess.run(['ocx-aio', 'start', '--dir', tmp,
                              '--updater-interval', '0'],
                             stdout=subprocess.PIPE, check=True, text=True)
        try:
            run(parse_env(out.stdout), args.rounds, args.max_seconds)
        finally:
            subprocess.run(['ocx-aio', 'wipe', '--dir', tmp], check=False)
    return 0


def main(argv=None):
    return with_env(argv, run, __doc__)


if __name__ == '__main__':
    sys.exit(main())
