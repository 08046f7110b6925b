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

import socket

from ocx_swift.aio import ports


def test_free_ports_are_distinct_and_bindable():
    found = ports.free_ports(12)
    assert len(set(found)) == 12
    assert all(1024 <= p <= 65535 for p in found)
    assert ports.busy_ports(found) == []


def test_busy_port_is_reported():
    sock = socket.socket()
    try:
        sock.bind((ports.LOOPBACK, 0))
        sock.listen(1)
        taken = sock.getsockname()[1]
        free = ports.free_ports(1)[0]
        assert not ports.port_is_free(taken)
        assert ports.busy_ports([free, taken, taken]) == [taken]
    finally:
        sock.close()
