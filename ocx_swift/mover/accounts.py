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

"""Every account of the exchange, from its metadata tier.

Swift has no request that lists accounts: they are the account databases
of the tier's account servers. ``ocx-mover --all-accounts`` reads them
where it runs: the devices of the account ring of the exchange's
``swift_dir`` that are on this host (under ``devices`` of the
``account-server.conf`` there, ``/srv/node`` by default), one database
per account, whatever replica. Accounts marked deleted and Swift's own
(``.``-prefixed, such as ``.expiring_objects``) are left out. Ring
devices not found here are reported: run on a host holding a replica of
every account partition (any node of a one-node tier), or name the
accounts with ``--account``.
"""

import glob
import os

from swift.account.backend import AccountBroker
from swift.common.ring import RingData
from swift.common.utils import whataremyips

from ocx_swift.config import read_ini
from ocx_swift.exceptions import OcxConfigError

DEFAULT_DEVICES = '/srv/node'


def devices_root(swift_dir):
    """``devices`` of the tier's ``account-server.conf`` (or of the first
    file of ``account-server/``), else Swift's default."""
    candidates = [os.path.join(swift_dir, 'account-server.conf')] + sorted(
        glob.glob(os.path.join(swift_dir, 'account-server', '*.conf')))
    for path in candidates:
        if os.path.isfile(path):
            parser = read_ini(path, 'account server config')
            return parser.defaults().get('devices', DEFAULT_DEVICES)
    return DEFAULT_DEVICES


def account_names(db_paths):
    """Yield the (native string) account name of each live account
    database; Swift's own accounts and unreadable files are skipped."""
    for path in db_paths:
        broker = AccountBroker(path)
        try:
            if broker.is_deleted():
                continue
            name = broker.get_info()['account']
        except Exception:  # noqa: a database being replaced or quarantined
            continue
        if name and not name.startswith('.'):
            yield name


def tier_accounts(swift_dir, devices=None):
    """The accounts on this host's devices of the tier's account ring.

    :param swift_dir: the exchange's swift_dir (account ring, configs)
    :param devices: the devices root (default: from
        ``account-server.conf``)
    :returns: ``(sorted account names, the ring's devices not found on
        this host as ip:port/device)``
    :raises OcxConfigError: when the account ring cannot be read
    """
    try:
        devs = RingData.load(os.path.join(swift_dir,
                                          'account.ring.gz')).devs
    except (OSError, EOFError, ValueError) as err:
        raise OcxConfigError('cannot read the account ring of %s: %s'
                             % (swift_dir, err))
    root = devices if devices is not None else devices_root(swift_dir)
    here = set(whataremyips())
    found, missing, scanned = set(), [], set()
    for dev in devs:
        if not dev:
            continue
        path = os.path.join(root, dev['device'], 'accounts')
        if dev['ip'] not in here or not os.path.isdir(path):
            missing.append('%s:%s/%s' % (dev['ip'], dev['port'],
                                         dev['device']))
            continue
        if path not in scanned:
            scanned.add(path)
            found.update(account_names(glob.glob(
                os.path.join(path, '*', '*', '*', '*.db'))))
    return sorted(found), missing
