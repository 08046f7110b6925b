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

"""``ocx-mover`` against the session's real set: every account of the
metadata tier, and a dry run that names what it cannot move and still
exits 0."""

import json
import os
import subprocess
import sys

import pytest
from swiftclient import ClientException

from tests.functional import names

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def mover(ocx_env, tmp_path, *extra):
    if 'OCX_PROXY_CONF' not in ocx_env:
        pytest.skip('no exchange in this set')
    report = str(tmp_path / 'report.json')
    out = subprocess.run(
        [sys.executable, '-m', 'ocx_swift.mover.cli', '--proxy-config',
         ocx_env['OCX_PROXY_CONF'], '--state-dir', str(tmp_path / 'state'),
         '--no-progress', '--report-json', report] + list(extra),
        env=dict(os.environ, PYTHONPATH=REPO), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, timeout=300)
    with open(report) as fp:
        doc = json.load(fp)
    return out.returncode, out.stdout.decode(), out.stderr.decode(), doc


@pytest.fixture
def broken_xor_object(swift_conn, cluster_conns):
    """An xor object one of whose two shares a landlord lost."""
    container = names.container('mover-xor')
    swift_conn.put_container(container, headers={'X-Storage-Policy': 'xor'})
    name = 'lost share \u00e9'
    swift_conn.put_object(container, name, b'x' * 1000)
    for conn in cluster_conns.values():
        try:
            conn.delete_object(container, name)
            break
        except ClientException as err:
            if err.http_status != 404:
                raise
    yield container, name
    names.empty_and_delete(swift_conn, container)


def test_all_accounts_dry_run_names_blocked_objects(ocx_env, tmp_path,
                                                    swift_conn,
                                                    broken_xor_object):
    container, name = broken_xor_object
    status, out, err, doc = mover(ocx_env, tmp_path, '--all-accounts',
                                  '--dry-run')
    assert status == 0, out + err
    assert 'AUTH_test' in doc['accounts']
    assert 'accounts in the metadata tier' in err
    assert 'not on this host' not in err
    assert doc['run']['outcomes'].get('blocked', 0) >= 1
    assert 'Would be left for a later run' in out
    assert any(line.endswith(': blocked: no complete version with 2 pieces')
               and name.replace(' ', '%20').replace('\u00e9', '%C3%A9')
               in line for line in doc['run']['left_lines']), doc['run']
    assert 'Unfinished' not in out
    # the JSON report's clusters are plain names
    clusters = {key[len('CLUSTER_'):-len('_AUTH_URL')] for key in ocx_env
                if key.startswith('CLUSTER_') and key.endswith('_AUTH_URL')}
    for key in ('copies', 'deletes', 'containers_created'):
        assert set(doc['run'][key]) <= clusters
