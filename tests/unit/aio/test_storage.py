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

import pytest

from ocx_swift.aio import storage


@pytest.fixture
def xattrs_ok_in(monkeypatch):
    good = set()
    monkeypatch.setattr(storage, 'holds_big_xattrs',
                        lambda directory, size=0: str(directory) in good)
    return good


def test_probe_runs_anywhere(tmp_path):
    assert storage.holds_big_xattrs(str(tmp_path), size=16) in (True, False)
    assert storage.holds_big_xattrs(str(tmp_path / 'missing')) is False
    assert list(tmp_path.iterdir()) == []  # the probe file is gone


def test_auto_prefers_root(tmp_path, xattrs_ok_in):
    root = str(tmp_path / 'root \u00e9')
    xattrs_ok_in.update([root, str(tmp_path)])
    assert storage.choose(root, 'auto', shm=str(tmp_path)) == (
        root + '/storage', 'disk', None)


def test_auto_falls_back_to_shm(tmp_path, xattrs_ok_in):
    shm = tmp_path / 'shm'
    shm.mkdir()
    xattrs_ok_in.add(str(shm))
    path, kind, warning = storage.choose(str(tmp_path), 'auto',
                                         shm=str(shm))
    assert (kind, warning) == ('tmpfs', None)
    assert path.startswith(str(shm) + '/ocx-aio-')
    assert oct(__import__('os').stat(path).st_mode & 0o777) == '0o700'


def test_auto_warns_when_nothing_fits(tmp_path, xattrs_ok_in):
    path, kind, warning = storage.choose(str(tmp_path), 'auto',
                                         shm=str(tmp_path / 'none'))
    assert (path, kind) == (str(tmp_path) + '/storage', 'disk')
    assert 'xattrs' in warning


def test_disk_is_forced(tmp_path, xattrs_ok_in):
    xattrs_ok_in.add(str(tmp_path / 'shm'))
    path, kind, warning = storage.choose(str(tmp_path), 'disk')
    assert (path, kind) == (str(tmp_path) + '/storage', 'disk')
    assert warning


def test_tmpfs_refused_without_shm(tmp_path, xattrs_ok_in):
    xattrs_ok_in.add(str(tmp_path))
    with pytest.raises(ValueError):
        storage.choose(str(tmp_path), 'tmpfs', shm=str(tmp_path / 'none'))
