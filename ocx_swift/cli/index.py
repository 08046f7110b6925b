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

"""The ``ocx-index`` command: move an exchange whose accounts and
containers lived on its landlords over to its metadata tier.

For each ``--account``: the containers every landlord lists are created
in the metadata tier (policy, ACLs, metadata, keys: from the landlords'
copies, which must agree), their metadata is scrubbed from the landlords,
every object is indexed and each of its copies or shares stamped with
its state tag (see :mod:`ocx_swift.storage.migrate`). Runs again safely:
what is already in the tier, indexed and stamped is left alone.

Exit codes: 0 done, 1 something refused or failed (listed on stdout),
2 usage or config error (nothing done).
"""

import argparse
import logging
import os
import sys
import tempfile

from ocx_swift.config import read_ini
from ocx_swift.cli import UsageParser
from ocx_swift.exceptions import OcxConfigError, OcxError
from ocx_swift.mover import settings as settings_mod

EXIT_SUCCESS, EXIT_REFUSED, EXIT_ERROR = 0, 1, 2
PROG = 'ocx-index'
#: what the landlords said about containers and accounts was not
#: authenticated by the old design: said in --help and in every report
UNAUTHENTICATED = (
    'Container and account metadata (policy, ACLs, tempurl and sync '
    'keys, user metadata) and replicated copies were kept on landlords '
    'unauthenticated: a landlord could have changed its copy. Containers '
    'whose landlords disagree on policy, ACLs or keys are refused unless '
    '--trust-cluster names the cluster to believe; check what was '
    'created. Split shares were authenticated: a share failing its tag '
    'is refused.')
#: the in-process proxy that writes the metadata tier
TIER_PROXY_CONF = """[DEFAULT]
swift_dir = %(swift_dir)s
log_name = ocx-index

[pipeline:main]
pipeline = catch_errors proxy-logging %(cache)sproxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:proxy-logging]
use = egg:swift#proxy_logging
%(cache_section)s"""


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
    parser = UsageParser(
        prog=PROG,
        description='Move an Open Cloud eXchange over to its metadata '
        'tier: create the accounts and containers its landlords hold in '
        'the metadata tier, index every object, stamp every copy and '
        'share with its state tag, and scrub container metadata and '
        'keys from the landlords. ' + UNAUTHENTICATED,
        epilog='Exit codes: 0 done, 1 something refused or failed (see '
        'the report), 2 usage or config error.')
    files = parser.add_argument_group('the exchange\'s config')
    files.add_argument('--proxy-config', metavar='FILE', required=True,
                       help='the exchange\'s proxy-server.conf (its '
                       '[filter:ocx] names the files below and holds the '
                       'root secrets; its swift_dir the metadata tier\'s '
                       'rings and swift.conf)')
    files.add_argument('--clusters', metavar='FILE',
                       help='ocx-clusters.conf (default: the proxy\'s)')
    files.add_argument('--ring', metavar='FILE',
                       help='the cluster ring (default: the proxy\'s)')
    files.add_argument('--policies', metavar='FILE',
                       help='ocx-policies.conf (default: the proxy\'s)')
    parser.add_argument('--account', action='append', required=True,
                        metavar='ACCOUNT', help='an account to move '
                        '(repeatable), e.g. AUTH_test')
    parser.add_argument('--trust-cluster', metavar='NAME',
                        help='take this cluster\'s copy of containers and '
                        'accounts whose landlords disagree')
    parser.add_argument('--scrub', dest='scrub', action='store_true',
                        default=True, help='remove container metadata, '
                        'ACLs, tempurl and sync keys and the exchange\'s '
                        'reserved keys from the landlords once the tier '
                        'holds them (default)')
    parser.add_argument('--no-scrub', dest='scrub', action='store_false',
                        help='leave them on the landlords')
    parser.add_argument('--dry-run', action='store_true',
                        help='report what would be done; change nothing')
    parser.add_argument('--concurrency', type=_positive_int, default=4,
                        metavar='N', help='objects at once (default 4)')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    parser.add_argument('-v', '--verbose', action='store_true',
                        help='log requests that failed')
    return parser


def _say(text):
    print('%s: %s' % (PROG, text), file=sys.stderr)


def tier_proxy_conf(swift_dir, proxy_parser):
    """The config of the in-process proxy writing the metadata tier: the
    exchange's swift_dir and memcache (so its info caches learn of the
    new containers), account autocreation."""
    cache = cache_section = ''
    if proxy_parser.has_section('filter:cache'):
        cache = 'cache '
        cache_section = '\n[filter:cache]\nuse = egg:swift#memcache\n'
        for option in ('memcache_servers', 'memcache_max_connections'):
            if proxy_parser.has_option('filter:cache', option):
                cache_section += '%s = %s\n' % (
                    option, proxy_parser.get('filter:cache', option))
    return TIER_PROXY_CONF % {'swift_dir': swift_dir, 'cache': cache,
                              'cache_section': cache_section}


def make_tier_client(swift_dir, proxy_parser):
    """An InternalClient on the exchange's metadata tier (its proxy app
    loaded in this process, from a config file removed once read)."""
    from swift.common.internal_client import InternalClient
    fd, path = tempfile.mkstemp(prefix='ocx-index-', suffix='.conf')
    try:
        with os.fdopen(fd, 'w') as fp:
            fp.write(tier_proxy_conf(swift_dir, proxy_parser))
        client = InternalClient(path, PROG, 3)
    finally:
        os.unlink(path)
    client.app = OwnerApp(client.app)
    return client


class OwnerApp(object):
    """Requests of the tier client act as the owner: Swift's proxy drops
    ACLs, tempurl and sync keys from anyone else's requests."""

    def __init__(self, app):
        self.app = app

    def __call__(self, env, start_response):
        env['swift_owner'] = True
        return self.app(env, start_response)


def load(args):
    """Settings, the [filter:ocx] options and the proxy config's parser.

    :raises OcxConfigError: on a file that cannot be used
    """
    settings = settings_mod.load(args.proxy_config, args.clusters,
                                 args.ring, args.policies)
    if args.trust_cluster is not None and args.trust_cluster not in {
            c.name for c in settings.clusters}:
        raise OcxConfigError('--trust-cluster %r is not a configured '
                             'cluster' % args.trust_cluster)
    return (settings, settings_mod.read_filter_section(args.proxy_config),
            read_ini(args.proxy_config, 'proxy config'))


def migration(args, settings, ocx_conf, proxy_parser, logger):
    """The :class:`~ocx_swift.storage.migrate.Migration` of this run.

    Points this process at the exchange's swift.conf before Swift's proxy
    modules are imported (they read its constraints when imported).
    """
    from ocx_swift.aio.launch import use_swift_dir
    use_swift_dir(settings.swift_dir)
    from ocx_swift.middleware import OcxSettings
    from ocx_swift.mover.run import make_clients
    from ocx_swift.storage.migrate import Migration
    from ocx_swift.storage.state import StateKeys
    from ocx_swift.storage.tier import MetadataTier
    try:
        ocx = OcxSettings(ocx_conf)
        if not ocx.split_secrets:
            raise ValueError('no split_root_secret in [filter:ocx]')
        keys = StateKeys(ocx.split_secrets, ocx.active_secret_id)
    except ValueError as err:
        raise OcxConfigError('%s: %s' % (args.proxy_config, err))
    return Migration(
        make_clients(settings.clusters, args.concurrency, logger),
        MetadataTier(settings.swift_dir, settings.policies, logger),
        make_tier_client(settings.swift_dir, proxy_parser),
        settings.policies, keys, ocx.split_secrets, ocx.active_secret_id,
        dry_run=args.dry_run, scrub=args.scrub, trust=args.trust_cluster,
        concurrency=args.concurrency, logger=logger)


def _progress(args):
    if args.no_progress:
        return None
    import tqdm
    tqdm.tqdm.monitor_interval = 0  # no monitor thread
    return tqdm.tqdm(unit='piece', file=sys.stderr, dynamic_ncols=True,
                     disable=None, desc=PROG, total=0)


def format_report(report, accounts, dry_run):
    """The report's lines (stdout)."""
    lines = ['%s%s' % (PROG, ' (dry run: nothing changed)' if dry_run
                       else ''),
             'Accounts: %s' % ', '.join(accounts)]
    for what in sorted(report.counts):
        lines.append('%s: %d' % (what, report.counts[what]))
    for title, items in (('Refused', report.refused),
                         ('Errors', report.errors)):
        if items:
            lines.append('%s (%d):' % (title, len(items)))
            lines += ['  %s' % item for item in items]
    lines.append('Note: %s' % UNAUTHENTICATED)
    return lines


def execute(args, run):
    """Run a built migration; print its report; the exit code."""
    bar = _progress(args)
    run.progress = bar
    try:
        report = run.run(args.account)
    finally:
        if bar is not None:
            bar.close()
    for line in format_report(report, args.account, args.dry_run):
        print(line)
    return EXIT_REFUSED if report.failed else EXIT_SUCCESS


def main(argv=None):
    """Run ocx-index; return the exit code (2 on usage or config errors,
    before anything is done)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_ERROR if exc.code else EXIT_SUCCESS
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format='%s: %%(message)s' % PROG, stream=sys.stderr)
    logger = logging.getLogger(PROG)
    try:
        settings, ocx_conf, proxy_parser = load(args)
        run = migration(args, settings, ocx_conf, proxy_parser, logger)
    except OcxError as err:
        _say('error: %s' % err)
        return EXIT_ERROR
    try:
        return execute(args, run)
    except OcxError as err:  # e.g. the metadata tier is down
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
