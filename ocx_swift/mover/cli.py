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

"""The ``ocx-mover`` command (see :mod:`ocx_swift.mover` for what it
does).

Reads the config files named by its options, refuses (exit 2, nothing
done) what it cannot use, runs the mover with a progress bar on stderr,
and prints the report on stdout.
"""

import argparse
import json
import logging
import os
import sys
import time

from ocx_swift.exceptions import OcxConfigError, OcxError
from ocx_swift.mover import accounts as accounts_mod
from ocx_swift.mover import settings as settings_mod
from ocx_swift.mover.report import format_report
from ocx_swift.mover.run import Mover, RingChanged, wait_for_reload

EXIT_SUCCESS, EXIT_UNFINISHED, EXIT_ERROR = 0, 1, 2


def default_state_dir():
    return os.environ.get('OCX_MOVER_STATE_DIR') or \
        os.path.expanduser('~/.ocx-mover')


class _Parser(argparse.ArgumentParser):
    """Reports a usage error in one line, exit code 2."""

    def error(self, message):
        self.exit(EXIT_ERROR, 'ocx-mover: error: %s (see ocx-mover --help)\n'
                  % message)


def _non_negative(text):
    try:
        value = float(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError('must be a number >= 0, got %r'
                                         % text)
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError('must be an integer >= 1, got %r'
                                         % text)
    return value


def build_parser():
    parser = _Parser(
        prog='ocx-mover',
        description='Move the objects of an Open Cloud eXchange to the '
        'clusters its cluster ring and policies place them on.',
        epilog='Exit codes: 0 done (a dry run: reported, no cluster '
        'failed), 1 errors or objects left for a later run, 2 usage or '
        'config error.')
    files = parser.add_argument_group('the exchange\'s config')
    files.add_argument('--proxy-config', metavar='FILE',
                       help='proxy-server.conf whose [filter:ocx] names the '
                       'files below')
    files.add_argument('--clusters', metavar='FILE',
                       help='ocx-clusters.conf (landlord credentials)')
    files.add_argument('--ring', metavar='FILE', help='the cluster ring')
    files.add_argument('--policies', metavar='FILE',
                       help='ocx-policies.conf (default: one replicated '
                       'policy)')
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument('--account', action='append', metavar='ACCOUNT',
                       help='an account to walk (repeatable), e.g. '
                       'AUTH_test')
    which.add_argument('--all-accounts', action='store_true',
                       help='walk every account of the exchange\'s '
                       'metadata tier (its account databases on this '
                       'host\'s devices of the account ring in the '
                       'proxy\'s swift_dir)')
    parser.add_argument('--state-dir', default=default_state_dir(),
                        help='journal directory (default: '
                        '$OCX_MOVER_STATE_DIR or ~/.ocx-mover)')
    parser.add_argument('--dry-run', action='store_true',
                        help='report what would move; change nothing '
                        '(exit 0 unless a cluster failed)')
    parser.add_argument('--max-rate', type=_non_negative, default=0,
                        metavar='N', help='copies per second at most '
                        '(default 0: no limit)')
    parser.add_argument('--concurrency', type=_positive_int, default=4,
                        metavar='N', help='objects moved at once '
                        '(default 4)')
    parser.add_argument('--reload-wait', type=_non_negative, default=None,
                        metavar='SECONDS', help='seconds proxies take to '
                        'load a new ring (default: ring_check_interval of '
                        'the proxy config, else 15)')
    parser.add_argument('--fresh', action='store_true',
                        help='ignore the journal: look at everything again')
    parser.add_argument('--containers-only', action='store_true',
                        help='only create the containers every configured '
                        'cluster lacks (run it for a new cluster before '
                        'the ring names it)')
    parser.add_argument('--report-json', metavar='FILE',
                        help='also write the report as JSON to FILE')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    parser.add_argument('-v', '--verbose', action='store_true',
                        help='also log each object left unmoved as it '
                        'happens (the report names them either way)')
    return parser


def _progress(args, mover):
    """A tqdm bar of objects examined (its total and ETA come once the
    containers are known)."""
    if args.no_progress:
        return None
    import tqdm
    tqdm.tqdm.monitor_interval = 0  # no monitor thread
    return tqdm.tqdm(unit='object', file=sys.stderr, dynamic_ncols=True,
                     disable=None, desc='ocx-mover')


def _accounts(args, settings):
    """The accounts to walk: named, or every one of the metadata tier.

    :raises OcxConfigError: when the tier's account ring cannot be read
    """
    if not args.all_accounts:
        return args.account
    found, missing = accounts_mod.tier_accounts(settings.swift_dir)
    if missing:
        _say('warning: account ring devices not on this host, their '
             'accounts are not walked: %s' % ', '.join(missing))
    _say('%d accounts in the metadata tier (%s)' % (
        len(found), settings.swift_dir))
    return found


def _say(text):
    print('ocx-mover: %s' % text, file=sys.stderr)


def _load(args):
    if not (args.proxy_config or (args.clusters and args.ring)):
        raise OcxConfigError('give --proxy-config, or --clusters and --ring')
    return settings_mod.load(args.proxy_config, args.clusters, args.ring,
                             args.policies)


def _write_json(path, mover, elapsed, status, stopped):
    doc = {'run': mover.report.to_dict(), 'total': mover.totals().to_dict(),
           'examined': mover.report.examined,
           'total_examined': mover.totals().examined,
           'elapsed': elapsed, 'exit': status, 'stopped': stopped,
           'dry_run': mover.dry_run, 'accounts': mover.accounts,
           'ring_generation': mover.identity['generation']}
    with open(path, 'w', encoding='utf-8') as fp:
        json.dump(doc, fp, indent=1, sort_keys=True)


def execute(args, settings):
    """Run the mover as the arguments say; print the report.

    :returns: the exit code
    """
    mover = Mover(settings, _accounts(args, settings), args.state_dir,
                  dry_run=args.dry_run, max_rate=args.max_rate,
                  concurrency=args.concurrency, fresh=args.fresh,
                  logger=logging.getLogger('ocx-mover'))
    if mover.journal.note:
        _say(mover.journal.note)
    bar = _progress(args, mover)
    mover.progress = bar
    began, stopped = time.monotonic(), None
    try:
        found = mover.prepare(everywhere=args.containers_only)
        if bar is not None:
            bar.total = mover.expected
            bar.refresh()
        if not args.containers_only:
            if not args.dry_run:
                wait = args.reload_wait if args.reload_wait is not None \
                    else settings.ring_check_interval
                began += wait_for_reload(settings.ring_path, wait, _say)
            mover.move(found)
    except RingChanged as err:
        stopped = str(err)
    finally:
        if bar is not None:
            bar.close()
        mover.close()
    elapsed = time.monotonic() - began
    for line in format_report(mover.report, mover.earlier,
                              mover.landlord_of, elapsed, args.dry_run):
        print(line)
    # a dry run only reports: what it would leave is no failure
    unfinished = mover.report.errors if args.dry_run \
        else mover.report.unfinished
    status = EXIT_UNFINISHED if (stopped or unfinished) else EXIT_SUCCESS
    if stopped:
        print('Stopped: %s' % stopped)
    elif status:
        reasons = ['errors above'] if mover.report.errors else []
        if not args.dry_run and \
                mover.report.unfinished > mover.report.errors:
            reasons.append('objects left for a later run above')
        print('Unfinished: run ocx-mover again (%s)' % ', '.join(reasons))
    if args.report_json:
        _write_json(args.report_json, mover, elapsed, status, stopped)
    return status


def main(argv=None):
    """Run ocx-mover; return the exit code (2 on usage or config errors,
    before anything is done)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_ERROR if exc.code else EXIT_SUCCESS
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format='ocx-mover: %(message)s', stream=sys.stderr)
    try:
        settings = _load(args)
    except OcxError as err:
        _say('error: %s' % err)
        return EXIT_ERROR
    try:
        return execute(args, settings)
    except OcxError as err:  # e.g. the journal is locked or unreadable
        _say('error: %s' % err)
        return EXIT_ERROR


def error_handling_main():
    """Console entry point: green sockets, then main(); 2 on a crash."""
    from swift.common.utils import eventlet_monkey_patch
    eventlet_monkey_patch()
    try:
        status = main()
    except Exception as err:
        _say('unexpected %s: %s' % (type(err).__name__,
                                    ' '.join(str(err).split())))
        status = EXIT_ERROR
    sys.exit(status)


if __name__ == '__main__':
    error_handling_main()
