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

"""Run one Swift server with its own ``swift.conf``.

Swift reads ``/etc/swift/swift.conf`` (hash prefix/suffix, constraints,
storage policies) when ``swift.common.utils`` is first imported, whatever a
server's ``swift_dir`` says. ``ocx-aio`` runs several clusters side by side
and never writes to ``/etc/swift``, so every server starts through this
launcher, which points Swift at the cluster's own ``swift.conf`` before any
server or middleware module is imported::

    python -m ocx_swift.aio.launch --swift-dir DIR SERVER_TYPE CONF

``SERVER_TYPE`` is ``proxy-server``, ``account-server``,
``container-server``, ``object-server``, ``container-updater`` or
``object-updater``.
"""

import argparse
import sys

WSGI_SERVERS = ('proxy-server', 'account-server', 'container-server',
                'object-server')
DAEMONS = ('container-updater', 'object-updater')


def use_swift_dir(swift_dir):
    """Make this process's Swift read ``<swift_dir>/swift.conf``."""
    from swift.common import constraints, storage_policy, utils
    utils.SWIFT_CONF_FILE = '%s/swift.conf' % swift_dir.rstrip('/')
    utils.HASH_PATH_PREFIX = utils.HASH_PATH_SUFFIX = b''
    utils.validate_hash_conf()
    constraints.reload_constraints()
    storage_policy.reload_storage_policies()


def log_to_stderr_only(conf, name, log_to_console, log_route, fmt, logger,
                       adapted_logger):
    """``log_custom_handlers`` hook: log to stderr only, with timestamps.

    Servers run with ``log_to_console`` (stderr is their log file); without
    ``/dev/log`` Swift's syslog handler would send every line to UDP 514,
    and syslog is what would have added the time.
    """
    from swift.common.utils.logs import SwiftLogFormatter, get_swift_logger
    handler = getattr(get_swift_logger, 'handler4logger', {}).pop(logger, None)
    if handler is not None:
        logger.removeHandler(handler)
        handler.close()
    console = getattr(get_swift_logger, 'console_handler4logger', {})
    if logger in console:
        console[logger].setFormatter(SwiftLogFormatter(
            fmt='%(asctime)s ' + fmt,
            max_line_length=int(conf.get('log_max_line_length', 0))))


def run(server_type, conf_path):
    """Run the server or daemon; returns its exit status."""
    if server_type in DAEMONS:
        from swift.common.daemon import run_daemon
        if server_type == 'container-updater':
            from swift.container.updater import ContainerUpdater as daemon
        else:
            from swift.obj.updater import ObjectUpdater as daemon
        run_daemon(daemon, conf_path, section_name=server_type, verbose=True)
        return 0
    from swift.common.wsgi import run_wsgi
    kwargs = {'verbose': True}
    if server_type == 'object-server':
        from swift.obj.server import global_conf_callback
        kwargs['global_conf_callback'] = global_conf_callback
    return run_wsgi(conf_path, server_type, **kwargs)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m ocx_swift.aio.launch',
        description='Run one Swift server against its own swift.conf.')
    parser.add_argument('--swift-dir', required=True,
                        help='directory holding swift.conf and the rings')
    parser.add_argument('server_type', choices=WSGI_SERVERS + DAEMONS)
    parser.add_argument('conf', help='the server config file')
    args = parser.parse_args(argv)
    use_swift_dir(args.swift_dir)
    return run(args.server_type, args.conf)


if __name__ == '__main__':
    sys.exit(main())
