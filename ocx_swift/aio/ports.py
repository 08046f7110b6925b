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

"""Loopback port allocation for ``ocx-aio``."""

import errno
import socket

LOOPBACK = '127.0.0.1'


def free_ports(count, host=LOOPBACK):
    """Return ``count`` distinct TCP ports that are free on ``host`` now.

    Every socket is held open until all are chosen, so the kernel never hands
    out the same port twice; another program may still take one before the
    caller binds it (the caller checks again with :func:`busy_ports`).

    :param count: how many ports
    :param host: the address to bind, loopback only
    :returns: a list of ``count`` ints
    """
    socks = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(sock)
            sock.bind((host, 0))
        return [sock.getsockname()[1] for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def port_is_free(port, host=LOOPBACK):
    """Return True if a server could bind ``host:port`` right now."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # servers set SO_REUSEADDR too: a port in TIME_WAIT counts as free
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        if err.errno in (errno.EADDRINUSE, errno.EACCES):
            return False
        raise
    finally:
        sock.close()
    return True


def busy_ports(ports, host=LOOPBACK):
    """Return the sorted subset of ``ports`` that cannot be bound now."""
    return sorted(port for port in set(ports)
                  if not port_is_free(port, host))
