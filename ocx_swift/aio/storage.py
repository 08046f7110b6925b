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

"""Where ``ocx-aio`` puts object data: a filesystem with room for xattrs.

Swift keeps an object's metadata in one ``user.swift.metadata`` xattr; with
the default limits (4096 bytes of user metadata plus Swift's own keys) it
needs several KiB, which ext4 (about 3.5 KiB per inode) cannot hold: the
object server then answers 503. SAIO puts devices on XFS for this; ``ocx-aio``
uses its own directory when that filesystem passes a probe, else tmpfs.
"""

import errno
import os
import tempfile

PROBE_BYTES = 8192
SHM = '/dev/shm'
CHOICES = ('auto', 'disk', 'tmpfs')


def holds_big_xattrs(directory, size=PROBE_BYTES):
    """Return True if a file in ``directory`` takes a ``size``-byte xattr."""
    try:
        fd, path = tempfile.mkstemp(prefix='.xattr-probe-', dir=directory)
    except OSError:
        return False
    try:
        os.setxattr(fd, 'user.ocx-aio.probe', b'x' * size)
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.E2BIG, errno.ENOTSUP,
                         errno.EPERM, errno.ERANGE):
            return False
        raise
    finally:
        os.close(fd)
        os.unlink(path)
    return True


def choose(root, choice='auto', shm=SHM):
    """Pick the directory that holds every cluster's devices.

    :param root: the ``ocx-aio`` directory
    :param choice: ``auto`` (``root`` if it passes the probe, else a private
        directory under ``shm`` if that does, else ``root``), ``disk``
        (``root``) or ``tmpfs`` (a private directory under ``shm``)
    :returns: ``(path, kind, warning)``, kind being ``disk`` or ``tmpfs``
        and warning None or a message for stderr
    :raises ValueError: for ``tmpfs`` when ``shm`` is unusable
    """
    disk = os.path.join(root, 'storage')
    if choice == 'disk':
        return disk, 'disk', _warning(root)
    if choice == 'auto' and holds_big_xattrs(root):
        return disk, 'disk', None
    if os.path.isdir(shm) and holds_big_xattrs(shm):
        return tempfile.mkdtemp(prefix='ocx-aio-', dir=shm), 'tmpfs', None
    if choice == 'tmpfs':
        raise ValueError('%s cannot hold %d-byte xattrs' % (shm, PROBE_BYTES))
    return disk, 'disk', _warning(root)


def _warning(root):
    if holds_big_xattrs(root):
        return None
    return ('warning: %s cannot hold %d bytes of xattrs: objects with large '
            'metadata will fail with 503' % (root, PROBE_BYTES))
