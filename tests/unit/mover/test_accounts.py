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

"""ocx-mover --all-accounts: the accounts of the metadata tier, from the
account databases on this host's devices of its account ring."""

import os

import pytest
from swift.account.backend import AccountBroker
from swift.common.ring import RingBuilder
from swift.common.utils import Timestamp

from ocx_swift.exceptions import OcxConfigError
from ocx_swift.mover.accounts import tier_accounts


def write_ring(swift_dir, devices):
    builder = RingBuilder(8, 1, 1)
    for i, (ip, device) in enumerate(devices):
        builder.add_dev({'id': i, 'region': 1, 'zone': 1, 'ip': ip,
                         'port': 6202, 'device': device, 'weight': 1})
    builder.rebalance()
    builder.get_ring().save(os.path.join(swift_dir, 'account.ring.gz'))


def make_account(devices, device, name, deleted=False):
    db_dir = os.path.join(devices, device, 'accounts', '7', 'abc',
                          'h' + str(abs(hash(name))))
    os.makedirs(db_dir)
    broker = AccountBroker(os.path.join(db_dir, 'x.db'), account=name)
    broker.initialize(Timestamp.now().internal)
    if deleted:
        broker.delete_db(Timestamp.now().internal)


@pytest.fixture
def tier(tmp_path):
    swift_dir, devices = str(tmp_path / 'etc'), str(tmp_path / 'srv')
    os.makedirs(swift_dir)
    with open(os.path.join(swift_dir, 'account-server.conf'), 'w') as fp:
        fp.write('[DEFAULT]\ndevices = %s\n' % devices)
    return swift_dir, devices


def test_accounts_of_the_local_devices(tier):
    swift_dir, devices = tier
    write_ring(swift_dir, [('127.0.0.1', 'd1'), ('127.0.0.1', 'd2'),
                           ('192.0.2.77', 'd1'), ('127.0.0.1', 'gone')])
    make_account(devices, 'd1', 'AUTH_t\u00e9st')
    make_account(devices, 'd2', 'AUTH_test2')
    make_account(devices, 'd2', 'AUTH_t\u00e9st')  # another replica
    make_account(devices, 'd2', 'AUTH_old', deleted=True)
    make_account(devices, 'd1', '.expiring_objects')
    found, missing = tier_accounts(swift_dir)
    assert found == ['AUTH_test2', 'AUTH_t\u00e9st']
    # a device of another host, and one not mounted here
    assert missing == ['192.0.2.77:6202/d1', '127.0.0.1:6202/gone']


def test_no_account_ring_is_a_config_error(tier):
    with pytest.raises(OcxConfigError) as caught:
        tier_accounts(tier[0])
    assert 'cannot read the account ring' in str(caught.value)
