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

import json
import os
import sys
import time

import pytest

from ocx_swift.aio import control, procs
from ocx_swift.aio.procs import Service

SH = '/bin/sh'


@pytest.fixture
def root(tmp_path):
    path = str(tmp_path / 'aio \u00e9')
    os.mkdir(path)
    yield path
    procs.stop(path, timeout=1)


def test_spawn_track_stop(root):
    pid = procs.spawn(root, 'sleeper', [SH, '-c', 'echo hi; exec sleep 30'])
    assert procs.alive(root) == {'sleeper': pid}
    assert os.getpgid(pid) == pid and os.getsid(pid) == pid
    log = procs.log_path(root, 'sleeper')
    deadline = time.monotonic() + 5
    while procs.tail(log) != 'hi' and time.monotonic() < deadline:
        time.sleep(0.05)
    assert procs.tail(log) == 'hi'
    assert procs.stop(root, timeout=5) == ['sleeper']
    assert procs.alive(root) == {}
    assert procs.pid_files(root) == {}


def test_sigkill_after_timeout_reaches_the_group(root):
    procs.spawn(root, 'stubborn',
                [SH, '-c', 'trap "" TERM; sleep 30 & wait; sleep 30'])
    time.sleep(0.2)
    began = time.monotonic()
    assert procs.stop(root, timeout=0.5) == ['stubborn']
    assert time.monotonic() - began < 5
    assert procs.alive(root) == {}


def test_recycled_pid_is_not_ours(root):
    pid = procs.spawn(root, 'sleeper', [SH, '-c', 'exec sleep 30'])
    started = procs.pid_files(root)['sleeper'][1]
    with open(procs.pid_path(root, 'other'), 'w') as fp:
        fp.write('%d %d\n' % (pid, started + 1))
    assert procs.alive(root) == {'sleeper': pid}
    assert procs.stop(root, names=['other']) == []
    assert procs.alive(root) == {'sleeper': pid}


def test_garbage_pid_file_ignored(root):
    os.makedirs(os.path.join(root, 'run'))
    with open(procs.pid_path(root, 'junk'), 'w') as fp:
        fp.write('not a pid')
    assert procs.pid_files(root) == {}


def test_launch_reports_early_exit_with_log_tail(root):
    services = [Service('ok', [SH, '-c', 'exec sleep 30'], None),
                Service('boom', [SH, '-c', 'echo kaput; exit 3'],
                        lambda: False)]
    with pytest.raises(control.AioError) as caught:
        control._launch(root, services, timeout=10)
    assert 'boom exited' in str(caught.value)
    assert 'kaput' in str(caught.value)


def test_launch_bounded_wait(root):
    never = lambda: False  # noqa: E731
    never.what = 'a probe that never answers'
    services = [Service('mute', [SH, '-c', 'exec sleep 30'], never)]
    began = time.monotonic()
    with pytest.raises(control.AioError) as caught:
        control._launch(root, services, timeout=0.5)
    assert time.monotonic() - began < 3
    assert 'no answer after 0.5s (a probe that never answers)' in str(
        caught.value)


def test_spawned_processes_keep_no_inherited_descriptor(tmp_path):
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, True)
    try:
        pid = procs.spawn(str(tmp_path), 'fds', [
            sys.executable, '-c',
            'import os; print(sorted(int(f) for f in '
            'os.listdir("/proc/self/fd")))'])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            out = open(procs.log_path(str(tmp_path), 'fds')).read()
            if out.strip():
                break
            time.sleep(0.05)
        os.waitpid(pid, 0)
    finally:
        os.close(read_end)
        os.close(write_end)
    fds = json.loads(out)
    assert write_end not in fds and max(fds) <= 3  # 3: listdir's own
