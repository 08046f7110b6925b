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

"""Processes of an ``ocx-aio`` set: start, track by pid file, stop.

Each process runs in its own session (Swift servers signal their whole
process group on shutdown) with stdout and stderr appended to
``<DIR>/logs/<name>.log``. Its pid file ``<DIR>/run/<name>.pid`` holds the
pid and the kernel's start time of that pid, so a recycled pid is never
mistaken for ours and never signalled.
"""

import collections
import os
import signal
import time

POLL = 0.1

Service = collections.namedtuple('Service', 'name argv probe')
Service.__doc__ = """One process of a set: name, command, readiness probe.

``probe`` is a callable returning True once the process serves requests,
or None to wait only for the process to be running."""


def spawn(root, name, argv):
    """Start ``argv`` as process ``name`` of the set rooted at ``root``.

    :param argv: the command; ``argv[0]`` must be an absolute path
    :returns: the pid
    """
    log = log_path(root, name)
    os.makedirs(os.path.dirname(log), exist_ok=True)
    os.makedirs(os.path.join(root, 'run'), exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    # a server outlives its starter: it must not keep the starter's other
    # descriptors open (a pipe someone waits on, a lock someone holds)
    closing = [(os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited_fds()]
    pid = os.posix_spawn(argv[0], argv, dict(os.environ), file_actions=[
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, log, flags, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ] + closing, setsid=True)
    with open(pid_path(root, name), 'w') as fp:
        fp.write('%d %d\n' % (pid, start_time(pid) or 0))
    return pid


def _inherited_fds():
    """This process's descriptors above stderr a child would inherit."""
    found = []
    for entry in os.listdir('/proc/self/fd'):
        fd = int(entry)
        try:
            if fd > 2 and os.get_inheritable(fd):
                found.append(fd)
        except OSError:
            continue  # the listing's own descriptor, closed by now
    return found


def log_path(root, name):
    return os.path.join(root, 'logs', '%s.log' % name)


def pid_path(root, name):
    return os.path.join(root, 'run', '%s.pid' % name)


def start_time(pid):
    """Return the kernel start time of a live (non-zombie) ``pid``, or None."""
    try:
        with open('/proc/%d/stat' % pid) as fp:
            stat = fp.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat[stat.rindex(')') + 2:].split()
    if fields[0] in 'ZX':
        _reap(pid)
        return None
    return int(fields[19])


def _reap(pid):
    # our own children (e.g. under pytest) linger as zombies until waited for
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def pid_files(root):
    """Return {name: (pid, start time)} from the pid files in ``root``."""
    run_dir = os.path.join(root, 'run')
    found = {}
    try:
        names = sorted(os.listdir(run_dir))
    except FileNotFoundError:
        return found
    for entry in names:
        if not entry.endswith('.pid'):
            continue
        try:
            with open(os.path.join(run_dir, entry)) as fp:
                pid, started = (int(f) for f in fp.read().split())
        except (OSError, ValueError):
            continue
        found[entry[:-len('.pid')]] = (pid, started)
    return found


def is_ours(pid, started):
    """True if ``pid`` is alive and is the process its pid file recorded."""
    return started != 0 and start_time(pid) == started


def alive(root):
    """Return {name: pid} of the set's processes that are running."""
    return {name: pid for name, (pid, started) in pid_files(root).items()
            if is_ours(pid, started)}


def stop(root, names=None, timeout=10.0):
    """Stop the set's processes: SIGTERM, then SIGKILL after ``timeout``.

    Each signal goes to the process group of a session we created, and only
    while its leader is still the process we started.

    :param names: stop only these (default: every pid file in ``root``)
    :returns: the names of the processes that were running
    """
    targets = {name: rec for name, rec in pid_files(root).items()
               if names is None or name in names}
    running = [name for name, rec in targets.items() if is_ours(*rec)]
    _signal(targets, running, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(is_ours(*targets[name]) for name in running):
            break
        time.sleep(POLL)
    else:
        _signal(targets, running, signal.SIGKILL)
        _wait_gone(targets, running, 5.0)
    for name in targets:
        try:
            os.unlink(pid_path(root, name))
        except FileNotFoundError:
            pass
    return running


def is_paused(pid):
    """True if the process is stopped (SIGSTOP)."""
    try:
        with open('/proc/%d/stat' % pid) as fp:
            return fp.read().rsplit(')', 1)[1].split()[0] == 'T'
    except (OSError, IndexError):
        return False


def signal_names(root, names, signum):
    """Send ``signum`` to the process groups of these running processes."""
    targets = {name: rec for name, rec in pid_files(root).items()
               if name in names}
    _signal(targets, list(targets), signum)


def _signal(targets, names, signum):
    for name in names:
        pid, started = targets[name]
        if not is_ours(pid, started):
            continue
        try:
            os.killpg(pid, signum)
        except ProcessLookupError:
            pass


def _wait_gone(targets, names, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
            is_ours(*targets[name]) for name in names):
        time.sleep(POLL)


def tail(path, lines=20):
    """Return the last ``lines`` lines of a text file ('' if missing)."""
    try:
        with open(path, 'rb') as fp:
            fp.seek(0, os.SEEK_END)
            fp.seek(max(0, fp.tell() - 64 * 1024))
            data = fp.read()
    except FileNotFoundError:
        return ''
    return b'\n'.join(data.splitlines()[-lines:]).decode('utf-8', 'replace')
