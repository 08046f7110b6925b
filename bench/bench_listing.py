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

"""Container listing pages: hidden names vs plain names, by container size.

Creates one container of the ``ocx-aio`` example policy ``standard`` (one
copy, the landlord lists and pages) and one of ``aont`` (aont-rs 2-of-3
with hidden names: the exchange reads every entry of every cluster to
build a page) through the exchange, fills both with tiny objects up to
each of ``--sizes`` in turn (``--concurrency`` PUTs at a time), and at
each size times, alternating the two policies, GETs of a 100-entry JSON
listing page (the first page, and the page after a marker in the
middle) and a container HEAD. Prints per size, policy and request the
median seconds, and the median paired ratio aont / standard (1.0: hiding
names costs nothing; above 1, hidden is that many times slower).

Usage::

    python bench/bench_listing.py [--env-file FILE] [--sizes 1000,10000]
        [--rounds 7] [--max-seconds 600] [--concurrency 16]

Without ``--env-file`` it starts a fresh ``ocx-aio`` set in a temporary
dir and wipes it at the end; with it, it uses a running set (the
``KEY=value`` lines ``ocx-aio status`` prints) and deletes what it made.
Sizes go up to 100000 objects. Every loop is bounded by count and by
time: a fill that takes more than ``--max-seconds`` stops there, the
size reached is measured and reported, and larger sizes are skipped.
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_proxy import Endpoint, with_env  # noqa: E402


POLICIES = ('standard', 'aont')
HIDDEN, PLAIN = 'aont', 'standard'
MAX_OBJECTS = 100000
PAGE = 100
NAME = 'obj-%07d'
#: PUT failures tolerated in one fill before it is given up
MAX_FAILURES = 50


class Worker(object):
    """One thread's keep-alive connection, sharing an Endpoint's token."""

    local = threading.local()

    def __init__(self, endpoint, auth_url):
        self.endpoint = endpoint
        self.auth_url = auth_url

    def conn(self, fresh=False):
        conn = getattr(self.local, 'conn', None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            conn = Endpoint._connect(self.auth_url)
            self.local.conn = conn
        return conn

    def request(self, method, path, body=None, headers=None):
        """``(status, headers, body)``; one retry on a dropped connection."""
        hdrs = {'X-Auth-Token': self.endpoint.token}
        hdrs.update(headers or {})
        if body is not None:
            hdrs['Content-Length'] = str(len(body))
        for attempt in (0, 1):
            conn = self.conn(fresh=attempt > 0)
            try:
                conn.request(method, self.endpoint.path + path, body=body,
                             headers=hdrs)
                resp = conn.getresponse()
                data = resp.read()
                return resp.status, resp, data
            except (http.client.HTTPException, OSError):
                if attempt:
                    raise
        raise AssertionError('not reached')


def fill(worker, container, start, stop, concurrency, deadline):
    """PUT objects ``start`` .. ``stop - 1``; stop early at the deadline or
    after too many failures.

    :returns: ``(highest index + 1 such that every object below it is
              stored, index + 1 of the last one tried, failures)``
    """
    lock = threading.Lock()
    state = {'next': start, 'failures': 0}
    stored = set()

    def one_worker():
        while True:
            with lock:
                i = state['next']
                if i >= stop or time.monotonic() > deadline or \
                        state['failures'] > MAX_FAILURES:
                    return
                state['next'] += 1
            try:
                status, _r, _b = worker.request(
                    'PUT', '/%s/%s' % (container, NAME % i), body=b'x',
                    headers={'Content-Type': 'text/plain'})
                good = status // 100 == 2
            except (http.client.HTTPException, OSError):
                good = False
            with lock:
                if good:
                    stored.add(i)
                else:
                    state['failures'] += 1

    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(one_worker) for _ in range(concurrency)]:
            future.result()
    reached = start
    while reached in stored:
        reached += 1
    return reached, max(state['next'], start), state['failures']


def timed_get(worker, path, check):
    """Seconds for a GET of ``path`` (a HEAD when ``check`` is None;
    ``check`` is called with the decoded JSON listing) and the response."""
    start = time.monotonic()
    status, resp, body = worker.request('HEAD' if check is None else 'GET',
                                        path)
    took = time.monotonic() - start
    if status // 100 != 2:
        raise RuntimeError('%s: %s' % (path, status))
    if check:
        check(json.loads(body))
    return took, resp


def page_check(first_index, count):
    """A checker that a listing page starts with the ``count`` objects
    from ``first_index`` on and holds at most a page."""
    expected = [NAME % i for i in range(first_index, first_index + count)]

    def check(page):
        # a container may hold more than ``count`` past the page's start
        # (a larger one, or PUTs past a gap of a fill stopped short)
        names = [e.get('name') for e in page]
        if names[:count] != expected or len(names) > PAGE:
            raise RuntimeError('listing page: %d entries %s..%s, expected '
                               '%d %s..%s' % (
                                   len(names), names[:1], names[-1:],
                                   len(expected), expected[:1],
                                   expected[-1:]))
    return check


def measure(worker, containers, reached, rounds, deadline):
    """Median seconds per request of each policy and the median paired
    ratio hidden / plain, for the first page, a middle page and HEAD.

    ``reached`` is each container's count of objects stored without a
    gap; the pages are asked for and checked at the smaller one.
    """
    n = min(reached.values())
    middle = max(1, n // 2)
    requests = [
        ('first page', '?format=json&limit=%d' % PAGE,
         page_check(0, min(PAGE, n))),
        ('mid page', '?format=json&limit=%d&marker=%s' % (
            PAGE, urllib.parse.quote(NAME % (middle - 1))),
         page_check(middle, min(PAGE, n - middle))),
        ('HEAD', '', None),
    ]
    rows, counts = [], {}
    for label, query, check in requests:
        for policy in POLICIES:  # warm up caches and connections, untimed
            timed_get(worker, '/' + containers[policy] + query,
                      check and (lambda page: None))
        times = {p: [] for p in POLICIES}
        for rnd in range(rounds):
            order = POLICIES if rnd % 2 == 0 else POLICIES[::-1]
            for policy in order:
                path = '/' + containers[policy] + query
                took, resp = timed_get(worker, path, check)
                times[policy].append(took)
                if not check:
                    counts[policy] = resp.getheader(
                        'X-Container-Object-Count')
            if time.monotonic() > deadline:
                break
        ratios = [h / p for h, p in zip(times[HIDDEN], times[PLAIN])]
        for policy in POLICIES:
            rows.append((label, policy, statistics.median(times[policy]),
                         statistics.median(ratios), len(times[policy])))
    return rows, counts


def cleanup(worker, container, count, concurrency, deadline):
    """Delete objects ``0 .. count - 1`` and the container, bounded."""
    lock = threading.Lock()
    state = {'next': 0}

    def one_worker():
        while True:
            with lock:
                i = state['next']
                if i >= count or time.monotonic() > deadline:
                    return
                state['next'] += 1
            try:
                worker.request('DELETE', '/%s/%s' % (container, NAME % i))
            except (http.client.HTTPException, OSError):
                pass

    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(one_worker) for _ in range(concurrency)]:
            future.result()
    for _attempt in range(10):  # container stats may lag a moment
        try:
            status, _r, _b = worker.request('DELETE', '/' + container)
        except (http.client.HTTPException, OSError):
            status = 0
        if status // 100 == 2 or status == 404:
            return True
        time.sleep(1)
    return False


def run(env, rounds, max_seconds, sizes, concurrency, delete):
    ocx = Endpoint('ocx', env['OCX_AUTH_URL'], env['OCX_USER'],
                   env['OCX_KEY'])
    worker = Worker(ocx, env['OCX_AUTH_URL'])
    tag = uuid.uuid4().hex[:8]
    containers = {p: 'bench-list-%s-%s' % (p, tag) for p in POLICIES}
    for policy, container in containers.items():
        status, _r, _b = worker.request(
            'PUT', '/' + container, body=b'',
            headers={'X-Storage-Policy': policy})
        if status // 100 != 2:
            raise SystemExit('container %s: %s' % (container, status))
    reached = {p: 0 for p in POLICIES}
    tried = {p: 0 for p in POLICIES}
    print('%8s %-9s %-10s %10s %8s %8s' % (
        'objects', 'policy', 'request', 'median s', 'ratio', 'count'),
        flush=True)
    try:
        for size in sizes:
            short = False
            for policy in POLICIES:
                start = time.monotonic()
                before = reached[policy]
                reached[policy], last, failures = fill(
                    worker, containers[policy], before, size, concurrency,
                    start + max_seconds)
                tried[policy] = max(tried[policy], last)
                took = time.monotonic() - start
                added = reached[policy] - before
                print('# fill %-8s %6d -> %6d objects in %6.1f s '
                      '(%.0f PUT/s, %d failed)' % (
                          policy, before, reached[policy], took,
                          added / took if took else 0, failures),
                      flush=True)
                if reached[policy] < size:
                    short = True
            if short:
                print('# fill stopped short of %d (--max-seconds %g or '
                      'failures): measuring at what was reached' % (
                          size, max_seconds), flush=True)
            rows, counts = measure(worker, containers, reached, rounds,
                                   time.monotonic() + max_seconds)
            n = min(reached.values())
            for label, policy, median, ratio, done in rows:
                print('%8d %-9s %-10s %10.4f %8.2f %8s   (%d rounds)' % (
                    n, policy, label, median, ratio,
                    counts.get(policy) or '?', done), flush=True)
            if short:
                break
    finally:
        if delete:
            deadline = time.monotonic() + max_seconds
            for policy, container in containers.items():
                if not cleanup(worker, container, tried[policy],
                               concurrency, deadline):
                    print('# could not delete %s' % container, flush=True)


def parse_sizes(text):
    try:
        sizes = sorted({int(s) for s in text.split(',') if s.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError('comma-separated integers: %r'
                                         % text)
    if not sizes or sizes[0] < 1 or sizes[-1] > MAX_OBJECTS:
        raise argparse.ArgumentTypeError('sizes from 1 to %d' % MAX_OBJECTS)
    return sizes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--env-file', help='KEY=value lines of a running '
                        'ocx-aio set (default: start one)')
    parser.add_argument('--rounds', type=int, default=7,
                        help='timed requests of each kind and policy')
    parser.add_argument('--max-seconds', type=float, default=600,
                        help='bound of each fill and of each size\'s '
                        'timing (default 600)')
    parser.add_argument('--sizes', type=parse_sizes, default='1000,10000',
                        help='object counts, comma-separated, at most '
                        '%d (default 1000,10000)' % MAX_OBJECTS)
    parser.add_argument('--concurrency', type=int, default=16,
                        help='PUTs in flight while filling (default 16)')
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.concurrency < 1 or args.max_seconds <= 0:
        parser.error('--rounds, --concurrency, --max-seconds must be > 0')
    common = ['--rounds', str(args.rounds),
              '--max-seconds', str(args.max_seconds)]
    if args.env_file:
        common += ['--env-file', args.env_file]

    def run_here(env, rounds, max_seconds):
        # a fresh set is wiped whole at the end: no need to delete there
        run(env, rounds, max_seconds, args.sizes, args.concurrency,
            delete=bool(args.env_file))

    return with_env(common, run_here, __doc__)


if __name__ == '__main__':
    sys.exit(main())
