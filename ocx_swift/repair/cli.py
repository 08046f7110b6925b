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

"""The ``ocx-repair`` command (see :mod:`ocx_swift.repair`)."""

import argparse
import collections
import hashlib
import json
import logging
import sys
import time

from swift.common.swob import str_to_wsgi

from ocx_swift.cli import UsageParser
from ocx_swift.exceptions import ClusterUnavailable, IndexUnavailable, \
    OcxConfigError, OcxError, PolicyUnverifiable
from ocx_swift.mover import settings as settings_mod
from ocx_swift.repair import replicas, shares, sweep

EXIT_SUCCESS, EXIT_LEFT, EXIT_ERROR = 0, 1, 2
PROG = 'ocx-repair'
OUTCOMES = (replicas.OK, replicas.REPAIRED, replicas.UNREACHABLE,
            replicas.LOST, shares.UNREBUILDABLE)


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError('must be from 0 to 1, got %r'
                                         % text)
    return value


def _shard(text):
    try:
        index, count = (int(n) for n in text.split('/'))
    except ValueError:
        index, count = -1, 0
    if not 0 <= index < count:
        raise argparse.ArgumentTypeError('must be I/N with 0 <= I < N, got '
                                         '%r' % text)
    return index, count


def in_shard(shard, account, container, name):
    """Whether an object belongs to ``shard`` (index, count)."""
    index, count = shard
    if count == 1:
        return True
    digest = hashlib.md5(('/%s/%s/%s' % (account, container, name)).encode(
        'utf-8'), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], 'big') % count == index


def build_parser():
    parser = UsageParser(
        prog=PROG,
        description='Bring every object of the exchange back to its '
        'policy: copies missing from its placement are made from a good '
        'copy, copies on handoffs and copies the object index does not '
        'know (deleted while their cluster was down) are deleted.',
        epilog='Exit codes: 0 every object is where its policy wants it, '
        '1 something is left (unreachable, lost, errors), 2 usage or '
        'config error.')
    parser.add_argument('--proxy-config', metavar='FILE', required=True,
                        help='the exchange\'s proxy-server.conf (its '
                        '[filter:ocx] names the clusters, ring, policies '
                        'and root secret; its swift_dir the metadata '
                        'tier\'s rings)')
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument('--account', action='append', metavar='ACCOUNT',
                       help='an account to repair (repeatable), e.g. '
                       'AUTH_test')
    which.add_argument('--all-accounts', action='store_true',
                       help='every account of the metadata tier (its '
                       'account databases on this host, as ocx-mover '
                       '--all-accounts reads them)')
    parser.add_argument('--shard', type=_shard, default=(0, 1),
                        metavar='I/N', help='only the objects of shard I '
                        'of N (0 <= I < N, by a hash of their path): N '
                        'hosts each running one shard share the work')
    parser.add_argument('--interval', type=float, default=0.0,
                        metavar='SECONDS', help='run again and again, '
                        'starting a pass every SECONDS (a daemon; stop it '
                        'with SIGTERM); default: one pass')
    parser.add_argument('--container', action='append', metavar='NAME',
                        help='only this container (repeatable; default: '
                        'every container of the accounts)')
    parser.add_argument('--grace', type=float, default=sweep.DEFAULT_GRACE,
                        metavar='SECONDS', help='leave copies without an '
                        'index row alone while younger than this (a write '
                        'under way; default %d)' % sweep.DEFAULT_GRACE)
    parser.add_argument('--audit', type=_fraction, default=0.0,
                        metavar='FRACTION', help='read back this share of '
                        'the objects (0 to 1; 1: all) from every cluster '
                        'holding them and check their bytes against the '
                        'index: missing, stale and corrupt copies are '
                        'reported per landlord and made again (default 0: '
                        'state tags only)')
    parser.add_argument('--max-rate', type=float, default=0.0,
                        metavar='N', help='objects per second at most '
                        '(default 0: no limit)')
    parser.add_argument('--dry-run', action='store_true',
                        help='report what would be done; change nothing')
    parser.add_argument('--report-json', metavar='FILE',
                        help='also write the report as JSON')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    return parser


class Run(object):
    """One repair run over some accounts."""

    def __init__(self, settings, tier, clients, keys, report, logger,
                 grace, dry_run, progress=None, audit=0.0, max_rate=0.0,
                 shard=(0, 1), secrets=None, active_secret_id='default'):
        self.settings = settings
        self.tier = tier
        self.clients = clients
        self.report = report
        self.logger = logger
        self.grace = grace
        self.dry_run = dry_run
        self.progress = progress
        self.rows = replicas.RowRepair(clients, settings.ring, keys,
                                       tier.index, report, logger, dry_run,
                                       audit)
        self.shares = shares.ShareRepair(
            clients, settings.ring, keys, secrets or {}, active_secret_id,
            tier.index, report, logger, dry_run)
        self.swept = collections.Counter()
        self.shard = shard
        self.interval = 1.0 / max_rate if max_rate > 0 else 0.0
        self._next = time.monotonic()

    def account(self, account, only=None):
        for container in only or self.tier.containers(account):
            self.container(account, container)

    def container(self, account, container):
        try:
            policy = self.tier.container_policy(account, container)
            headers = self.tier.container_headers(account, container)
        except (PolicyUnverifiable, IndexUnavailable) as err:
            self.report.error('/%s/%s: %s' % (account, container, err))
            return
        self.report.containers += 1
        rows = self.tier.index.rows(str_to_wsgi(account),
                                    str_to_wsgi(container))
        if self.progress is not None:
            self.progress.total += int(headers.get(
                'X-Container-Object-Count', 0))
            self.progress.refresh()
        policy_index = int(headers.get('X-Backend-Storage-Policy-Index', 0))
        for row in rows:
            if not in_shard(self.shard, account, container, row.name):
                continue
            self._pace()
            if policy.is_split:
                outcome = self.shares.repair_row(policy, policy_index,
                                                 account, container, row)
            else:
                outcome = self.rows.repair_row(policy, policy_index,
                                               account, container, row)
            self.report.outcome(outcome)
            if self.progress is not None:
                self.progress.update(1)
        if policy.is_split and policy.hide_names:
            return  # stored names are not the rows' names
        if self.shard[1] > 1 and self.shard[0] != 0:
            return  # the landlords' listings are swept by shard 0
        for name, client in sorted(self.clients.items()):
            try:
                self.swept[name] += sweep.sweep_container(
                    client, self.tier.index, account, container, self.report,
                    self.logger, self.grace, self.dry_run)
            except (ClusterUnavailable, IndexUnavailable) as err:
                self.report.error('/%s/%s on %s: %s' % (
                    account, container, name, err))

    def _pace(self):
        if self.interval:
            wait = self._next - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._next = max(self._next, time.monotonic()) + self.interval

    @property
    def left(self):
        return (self.report.outcomes[replicas.UNREACHABLE] +
                self.report.outcomes[replicas.LOST] +
                self.report.outcomes[shares.UNREBUILDABLE] +
                self.report.errors)


def format_report(run, accounts, elapsed):
    report = run.report
    lines = ['%s%s: accounts %s, %d containers, %d objects examined' % (
        PROG, ' (dry run: nothing changed)' if run.dry_run else '',
        ', '.join(accounts), report.containers, report.examined)]
    lines.append('Outcomes: ' + ', '.join(
        '%s %d' % (k, report.outcomes[k]) for k in OUTCOMES))
    lines.append('Copies %s: %d (%d bytes); %s: %s' % (
        'to make' if run.dry_run else 'made', report.copied_objects,
        report.copied_bytes, 'to delete' if run.dry_run else 'deleted',
        ', '.join(
            '%s %d' % item for item in sorted(report.deletes.items()))
        or 'none'))
    lines.append('Not in the index (deleted while down, failed writes): %s'
                 % (', '.join('%s %d' % item for item in sorted(
                     run.swept.items())) or 'none'))
    for cluster, counts in sorted(run.rows.audited.items()):
        landlord = run.clients[cluster].conf.landlord
        lines.append('Audit %s (landlord %s): checked %d, missing %d, '
                     'stale %d, corrupt %d' % (
                         cluster, landlord, counts['checked'],
                         counts['missing'], counts['stale'],
                         counts['corrupt']))
    lines.append('Elapsed %.1fs' % elapsed)
    if report.errors:
        lines.append('Errors: %d' % report.errors)
        lines += ['  ' + line for line in report.error_lines]
    return lines


def make_run(args, logger, progress):
    """The :class:`Run` of these arguments.

    :raises OcxConfigError: on a file that cannot be used
    """
    settings = settings_mod.load(args.proxy_config)
    from ocx_swift.aio.launch import use_swift_dir
    use_swift_dir(settings.swift_dir)
    from ocx_swift.middleware import OcxSettings
    from ocx_swift.mover.report import Report
    from ocx_swift.mover.run import make_clients
    from ocx_swift.storage.state import StateKeys
    from ocx_swift.storage.tier import MetadataTier
    try:
        ocx = OcxSettings(settings_mod.read_filter_section(args.proxy_config))
        if not ocx.split_secrets:
            raise ValueError('no split_root_secret in [filter:ocx]')
        keys = StateKeys(ocx.split_secrets, ocx.active_secret_id)
    except ValueError as err:
        raise OcxConfigError('%s: %s' % (args.proxy_config, err))
    return Run(settings, MetadataTier(settings.swift_dir, settings.policies,
                                      logger),
               make_clients(settings.clusters, 2, logger), keys, Report(),
               logger, args.grace, args.dry_run, progress, args.audit,
               args.max_rate, args.shard, ocx.split_secrets,
               ocx.active_secret_id)


def _progress(args):
    if args.no_progress:
        return None
    import tqdm
    tqdm.tqdm.monitor_interval = 0  # no monitor thread
    return tqdm.tqdm(unit='object', file=sys.stderr, dynamic_ncols=True,
                     disable=None, desc=PROG, total=0)


def accounts_of(args, run):
    """The accounts to walk: named, or every one of the tier."""
    if not args.all_accounts:
        return args.account
    from ocx_swift.mover.accounts import tier_accounts
    accounts, missing = tier_accounts(run.settings.swift_dir)
    for device in missing:
        run.logger.warning('account ring device %s is not on this host: '
                           'its accounts are not repaired', device)
    return accounts


def one_pass(args, logger):
    """One repair pass; returns the exit code."""
    progress = _progress(args)
    began = time.monotonic()
    try:
        run = make_run(args, logger, progress)
        accounts = accounts_of(args, run)
        for account in accounts:
            run.account(account, args.container)
    except OcxConfigError as err:
        print('%s: error: %s' % (PROG, err), file=sys.stderr)
        return EXIT_ERROR
    finally:
        if progress is not None:
            progress.close()
    lines = format_report(run, accounts, time.monotonic() - began)
    print('\n'.join(lines), flush=True)
    if args.report_json:
        data = dict(run.report.to_dict(), swept=dict(run.swept),
                    accounts=accounts, dry_run=args.dry_run,
                    audit={c: dict(v) for c, v in run.rows.audited.items()})
        with open(args.report_json, 'w') as fp:
            json.dump(data, fp, indent=2, sort_keys=True)
    return EXIT_LEFT if run.left else EXIT_SUCCESS


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format='%s: %%(levelname)s %%(message)s' % PROG)
    logger = logging.getLogger(PROG)
    while True:
        began = time.monotonic()
        code = one_pass(args, logger)
        if args.interval <= 0 or code == EXIT_ERROR:
            return code
        time.sleep(max(0.0, began + args.interval - time.monotonic()))


def error_handling_main(argv=None):
    """Console entry point: errors of the exchange's side are one line."""
    try:
        return main(argv)
    except (OcxError, IndexUnavailable) as err:
        print('%s: error: %s' % (PROG, err), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR


if __name__ == '__main__':
    sys.exit(error_handling_main())
