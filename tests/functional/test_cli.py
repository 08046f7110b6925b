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

"""The swift CLI against the exchange, as a user runs it.

Uploads a directory of 300 files (a third with non-ASCII names), lists it
with --prefix and --delimiter, downloads it back byte-exact, stats,
posts metadata and deletes; and pages a listing past Swift's 10 000
limit. The objects must spread over the landlords as their weights say.
"""

import os
import subprocess
import sys

import pytest

from tests.functional import names

N_FILES = 300


def swift_cli(ocx_env, *args, cwd=None, user='OCX'):
    if user == 'OCX':
        auth = [ocx_env['OCX_AUTH_URL'], ocx_env['OCX_USER'],
                ocx_env['OCX_KEY']]
    else:
        auth = [ocx_env['CLUSTER_%s_AUTH_URL' % user],
                ocx_env['CLUSTER_%s_USER' % user],
                ocx_env['CLUSTER_%s_KEY' % user]]
    cmd = [sys.executable, '-c',
           'import sys; from swiftclient.shell import main; '
           'sys.exit(main(sys.argv))', '-A', auth[0], '-U', auth[1],
           '-K', auth[2]] + list(args)
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=cwd, timeout=600)
    assert out.returncode == 0, out.stderr.decode('utf-8', 'replace')
    return out.stdout.decode('utf-8').splitlines()


def make_tree(root):
    files = {}
    for i in range(N_FILES):
        folder = ('up', 'up/sub', 'up/caf\u00e9')[i % 3]
        name = ('f\u00efl\u00e9 %03d.txt' if i % 2 else 'file-%03d.txt') % i
        rel = folder + '/' + name
        data = os.urandom(i * 7)
        os.makedirs(os.path.join(root, folder), exist_ok=True)
        with open(os.path.join(root, rel), 'wb') as fp:
            fp.write(data)
        files[rel] = data
    return files


def test_upload_list_download_delete(ocx_env, tmp_path, cluster_conns):
    container = names.container('cli')
    files = make_tree(tmp_path / 'src')
    swift_cli(ocx_env, 'upload', container, 'up', cwd=tmp_path / 'src')
    listed = swift_cli(ocx_env, 'list', container)
    assert listed == sorted(files)
    assert swift_cli(ocx_env, 'list', container, '--prefix', 'up/caf',
                     '--delimiter', '/') == ['up/caf\u00e9/']
    assert swift_cli(ocx_env, 'list', container, '--delimiter', '/') == \
        ['up/']
    assert swift_cli(ocx_env, 'list', container, '--prefix', 'up/sub/f\u00ef',
                     '--delimiter', '/') == sorted(
        f for f in files if f.startswith('up/sub/f\u00ef'))

    os.makedirs(tmp_path / 'dst')
    swift_cli(ocx_env, 'download', container, cwd=tmp_path / 'dst')
    for rel, data in files.items():
        with open(tmp_path / 'dst' / rel, 'rb') as fp:
            assert fp.read() == data, rel

    stat = '\n'.join(swift_cli(ocx_env, 'stat', container))
    assert 'Objects: %d' % N_FILES in stat
    assert 'Bytes: %d' % sum(len(d) for d in files.values()) in stat
    one = 'up/caf\u00e9/f\u00efl\u00e9 005.txt'
    swift_cli(ocx_env, 'post', '-m', 'note:h\u00e9', container, one)
    stat = '\n'.join(swift_cli(ocx_env, 'stat', container, one))
    assert 'Meta Note: h\u00e9' in stat
    assert 'Content Length: %d' % len(files[one]) in stat

    # spread over the landlords in proportion to their (equal) weights
    per_cluster = {}
    for name in cluster_conns:
        per_cluster[name] = set(swift_cli(ocx_env, 'list', container,
                                          user=name))
    assert set().union(*per_cluster.values()) == set(files)
    assert sum(len(v) for v in per_cluster.values()) == N_FILES
    share = N_FILES / len(per_cluster)
    for name, held in per_cluster.items():
        # binomial spread: 4.5 standard deviations either side
        sigma = (N_FILES * (1 / len(per_cluster)) *
                 (1 - 1 / len(per_cluster))) ** 0.5
        assert abs(len(held) - share) < 4.5 * sigma, (name, len(held))

    swift_cli(ocx_env, 'delete', container)
    assert container not in swift_cli(ocx_env, 'list')


@pytest.mark.skipif(os.environ.get('OCX_TEST_SKIP_SLOW') == '1',
                    reason='OCX_TEST_SKIP_SLOW=1')
def test_listing_pages_past_10000(ocx_env, swift_conn, tmp_path):
    """10 050 objects: the CLI pages the merged listing past the limit."""
    container = names.container('many')
    src = tmp_path / 'many'
    os.makedirs(src)
    for i in range(10050):
        (src / ('%05d-\u00e9' % i)).write_bytes(b'x')
    swift_cli(ocx_env, 'upload', '--object-threads', '20', container, '.',
              cwd=src)
    listed = swift_cli(ocx_env, 'list', container)
    assert listed == ['%05d-\u00e9' % i for i in range(10050)]
    _h, page = swift_conn.get_container(container, marker='09990-\u00e9')
    assert [e['name'] for e in page] == [
        '%05d-\u00e9' % i for i in range(9991, 10050)]
    _h, page = swift_conn.get_container(container, limit=10000)
    assert len(page) == 10000 and page[-1]['name'] == '09999-\u00e9'
    swift_cli(ocx_env, 'delete', container, '--object-threads', '20')
