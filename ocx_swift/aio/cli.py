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

"""``ocx-aio``: run real local landlord clusters plus an OCX proxy.

``ocx-aio start`` prints ``KEY=value`` lines (the only thing it writes to
stdout) that clients and the functional tests read; ``ocx-aio status``
prints them again while the set runs; ``ocx-aio add-cluster`` starts one
more cluster in a running set and prints its ``CLUSTER_*`` lines;
``ocx-aio stop`` stops exactly the processes ``start`` started.
``stop-cluster``/``start-cluster NAME`` stop and start one cluster's
processes (its data stays), ``pause-cluster``/``resume-cluster NAME``
SIGSTOP and SIGCONT them (a stalled cluster); ``status`` names them. Exit
codes: 0 success, 1 "already running" / "not running", 2 error.
"""

import argparse
import sys

from ocx_swift.aio import control, layout, storage

EXIT_SUCCESS, EXIT_WARNING, EXIT_ERROR = 0, 1, 2


def _say(msg):
    print('ocx-aio: %s' % msg, file=sys.stderr)


def cmd_start(args):
    """Start N clusters and the OCX proxy; print KEY=value lines."""
    try:
        pairs = control.start(
            args.dir, args.clusters, args.landlords, args.port, args.storage,
            args.timeout, args.updater_interval, not args.no_exchange, _say,
            tls=args.tls)
    except control.AlreadyRunning as err:
        _say(str(err))
        return EXIT_WARNING
    except control.AioError as err:
        _say(str(err))
        return EXIT_ERROR
    sys.stdout.write(layout.format_env(pairs))
    return EXIT_SUCCESS


def cmd_add_cluster(args):
    """Start one more cluster in a running set; print its CLUSTER_* lines.

    Its credentials go into the exchange's ocx-clusters.conf; the ring is
    not changed (add it with ocx-ring-builder: the running OCX proxy
    serves the cluster once the ring it loads names it).
    """
    try:
        pairs = control.add_cluster(args.dir, args.landlord, args.timeout,
                                    args.updater_interval, _say)
    except control.AioError as err:
        _say(str(err))
        return EXIT_ERROR
    sys.stdout.write(layout.format_env(pairs))
    return EXIT_SUCCESS


def cmd_status(args):
    """Print the KEY=value lines of a running set (stderr names clusters
    stopped or paused)."""
    pairs, message = control.status(args.dir)
    if pairs is None:
        _say(message)
        return EXIT_WARNING
    if ';' in message:
        _say(message)
    sys.stdout.write(layout.format_env(pairs))
    return EXIT_SUCCESS


def cmd_stop(args):
    """Stop the set's processes (SIGTERM, then SIGKILL)."""
    stopped = control.stop(args.dir, args.timeout)
    _say('stopped %d processes' % len(stopped) if stopped
         else 'nothing was running')
    return EXIT_SUCCESS


def _cluster_cmd(args, func, verb):
    try:
        names = func(args.dir, args.name, *(
            [args.timeout] if hasattr(args, 'timeout') else []))
    except control.AioError as err:
        _say(str(err))
        return EXIT_ERROR
    _say('%s %s: %s' % (verb, args.name, ', '.join(names)))
    return EXIT_SUCCESS


def cmd_stop_cluster(args):
    """Stop one cluster's processes (its data stays; the set runs on)."""
    return _cluster_cmd(args, control.stop_cluster, 'stopped')


def cmd_start_cluster(args):
    """Start again a cluster stopped with stop-cluster."""
    return _cluster_cmd(args, control.start_cluster, 'started')


def cmd_pause_cluster(args):
    """Pause (SIGSTOP) one cluster's processes: connections are accepted,
    nothing is answered, as from a stalled cluster."""
    return _cluster_cmd(args, control.pause_cluster, 'paused')


def cmd_resume_cluster(args):
    """Resume (SIGCONT) a paused cluster."""
    return _cluster_cmd(args, control.resume_cluster, 'resumed')


def cmd_wipe(args):
    """Stop the set and delete its directory and data."""
    control.wipe(args.dir)
    _say('removed %s' % args.dir)
    return EXIT_SUCCESS


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError('must be at least 1')
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog='ocx-aio',
        description='Run real local landlord Swift clusters plus an OCX '
        'proxy, for trying ocx_swift and for its functional tests.')
    sub = parser.add_subparsers(dest='command', required=True)
    dir_help = 'the set\'s directory (default: $OCX_AIO_DIR or ~/.ocx-aio)'
    for name, func in (('start', cmd_start), ('status', cmd_status),
                       ('add-cluster', cmd_add_cluster),
                       ('stop', cmd_stop), ('wipe', cmd_wipe),
                       ('stop-cluster', cmd_stop_cluster),
                       ('start-cluster', cmd_start_cluster),
                       ('pause-cluster', cmd_pause_cluster),
                       ('resume-cluster', cmd_resume_cluster)):
        cmd = sub.add_parser(name, help=func.__doc__.splitlines()[0],
                             description=func.__doc__)
        cmd.add_argument('--dir', default=None, help=dir_help)
        cmd.set_defaults(func=func)
        if name.endswith('-cluster') and name != 'add-cluster':
            cmd.add_argument('name', help='the cluster (c1, c2, ...)')
        if name in ('stop-cluster', 'start-cluster'):
            cmd.add_argument('--timeout', type=float, default=(
                10.0 if name == 'stop-cluster' else control.DEFAULT_TIMEOUT),
                help='seconds to wait for its processes')
        if name == 'start':
            _start_options(cmd)
        if name == 'add-cluster':
            _add_cluster_options(cmd)
        if name == 'stop':
            cmd.add_argument('--timeout', type=float, default=10.0,
                             help='seconds before SIGKILL (default 10)')
    return parser


def _start_options(cmd):
    cmd.add_argument('--clusters', type=_positive, default=None,
                     help='number of clusters c1..cN (default 3)')
    cmd.add_argument('--landlords', type=_positive, default=None,
                     help='landlords the clusters are assigned to, round '
                     'robin (default 3)')
    cmd.add_argument('--port', type=int, default=None,
                     help='the OCX proxy port on 127.0.0.1 (default: free)')
    cmd.add_argument('--storage', choices=storage.CHOICES, default='auto',
                     help='where object data lives: auto (DIR if it holds '
                     '8 KiB xattrs, else /dev/shm), disk (DIR) or tmpfs '
                     '(/dev/shm)')
    cmd.add_argument('--timeout', type=float,
                     default=control.DEFAULT_TIMEOUT,
                     help='seconds to wait for every server (default 60)')
    cmd.add_argument('--updater-interval', type=int,
                     default=control.DEFAULT_UPDATER_INTERVAL,
                     help='seconds between container-updater and '
                     'object-updater sweeps, which refresh account stats '
                     'and make deferred container updates; 0 runs none '
                     '(default 30)')
    cmd.add_argument('--tls', action='store_true', default=None,
                     help='serve every landlord proxy and the OCX proxy '
                     'over TLS (https URLs), with certificates for '
                     '127.0.0.1 from a CA made for the set in DIR/tls '
                     '(printed as OCX_CA_FILE); the exchange verifies '
                     'landlords against it (a new set only: a set keeps '
                     'its first choice)')
    cmd.add_argument('--no-exchange', action='store_true',
                     help='start the landlord clusters only (prints OCX_DIR '
                     'and CLUSTER_* lines)')


def _add_cluster_options(cmd):
    cmd.add_argument('--landlord', default=None,
                     help='its landlord (default: the next one of the set, '
                     'round robin); a new name makes a new landlord')
    cmd.add_argument('--timeout', type=float,
                     default=control.DEFAULT_TIMEOUT,
                     help='seconds to wait for its servers (default 60)')
    cmd.add_argument('--updater-interval', type=int,
                     default=control.DEFAULT_UPDATER_INTERVAL,
                     help='seconds between its updater sweeps (default 30)')


def main(argv=None):
    """Console entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    args.dir = args.dir or control.default_root()
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as err:  # noqa: any failure is exit code 2
        _say('error: %s: %s' % (type(err).__name__, err))
        return EXIT_ERROR


if __name__ == '__main__':
    sys.exit(main())
