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

"""Split storage end to end: split policies vs one plain copy.

PUTs and GETs the same objects through the exchange into containers of
the ``ocx-aio`` example policies ``xor`` (2 shares), ``aont`` (aont-rs
2-of-3) and ``standard`` (one copy, plain hashing), in alternating rounds
in one run, and prints MB/s of each and the median paired ratio to
``standard`` (1.0: splitting costs nothing end to end).

Usage::

    python bench/bench_split.py [--env-file FILE] [--rounds 5]

Without ``--env-file`` it starts a fresh ``ocx-aio`` set in a temporary
dir and wipes it at the end. Every loop is bounded by count and by
``--max-seconds``.
"""

import os
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_proxy import Endpoint, payload, with_env  # noqa: E402


SIZES = {'1MiB': (1024 * 1024, 20), '64MiB': (64 * 1024 * 1024, 2)}
POLICIES = ('standard', 'xor', 'aont')


def timed(endpoint, verb, container, size, count, deadline):
    """Seconds per op for ``count`` ops (fewer if the deadline passes)."""
    done, start = 0, time.monotonic()
    for i in range(count):
        name = '/%s/obj-%d' % (container, i)
        if verb == 'PUT':
            endpoint.call('PUT', name, body=payload(size), size=size)
        else:
            got = endpoint.call('GET', name)
            if got != size:
                raise RuntimeError('GET %s: %d bytes, not %d'
                                   % (name, got, size))
        done += 1
        if time.monotonic() > deadline:
            break
    return (time.monotonic() - start) / done


def run(env, rounds, max_seconds):
    ocx = Endpoint('ocx', env['OCX_AUTH_URL'], env['OCX_USER'],
                   env['OCX_KEY'])
    tag = uuid.uuid4().hex[:8]
    containers = {p: 'bench-%s-%s' % (p, tag) for p in POLICIES}
    for policy, container in containers.items():
        ocx.conn.request('PUT', ocx.path + '/' + container, headers={
            'X-Auth-Token': ocx.token, 'X-Storage-Policy': policy,
            'Content-Length': '0'})
        resp = ocx.conn.getresponse()
        resp.read()
        if resp.status // 100 != 2:
            raise SystemExit('container %s: %s' % (container, resp.status))
    deadline = time.monotonic() + max_seconds
    print('%-6s %-4s %-9s %10s %8s' % ('size', 'verb', 'policy', 'MB/s',
                                       'ratio'))
    for label, (size, count) in SIZES.items():
        for verb in ('PUT', 'GET'):
            per = {p: [] for p in POLICIES}
            for rnd in range(rounds):
                order = POLICIES if rnd % 2 == 0 else POLICIES[::-1]
                for policy in order:
                    per[policy].append(timed(ocx, verb, containers[policy],
                                             size, count, deadline + 60))
                if time.monotonic() > deadline:
                    break
            base = per['standard']
            for policy in POLICIES:
                ratios = [b / t for b, t in zip(base, per[policy])]
                print('%-6s %-4s %-9s %10.1f %8.2f   (%d rounds)' % (
                    label, verb, policy,
                    size / statistics.median(per[policy]) / 1e6,
                    statistics.median(ratios), len(ratios)), flush=True)
    for container in containers.values():
        for i in range(max(c for _s, c in SIZES.values())):
            try:
                ocx.call('DELETE', '/%s/obj-%d' % (container, i))
            except RuntimeError:
                pass
        try:
            ocx.call('DELETE', '/' + container)
        except RuntimeError:
            pass


def main(argv=None):
    return with_env(argv, run, __doc__, rounds=5)


if __name__ == '__main__':
    sys.exit(main())
