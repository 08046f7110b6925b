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

from ocx_swift.config import load_cluster_config
from ocx_swift.exceptions import OcxConfigError

GOOD = u'''
[cluster:c1]
landlord = landlord1
auth_url = http://127.0.0.1:8081/auth/v1.0
user = ocx:exchange
key = s3cr3t

[cluster:c2]
landlord = landlord-\u00e9
auth_url = http://127.0.0.1:8082/auth/v1.0
auth_version = v1.0
user = ocx:exchange
key = other
storage_url = http://127.0.0.1:8082/v1/

[something-else]
ignored = yes
'''


def write(tmp_path, text):
    path = tmp_path / 'ocx-clusters.conf'
    path.write_text(text, encoding='utf-8')
    return str(path)


def test_good_config(tmp_path):
    clusters = load_cluster_config(write(tmp_path, GOOD))
    assert [c.name for c in clusters] == ['c1', 'c2']
    assert clusters.landlords == ['landlord-\u00e9', 'landlord1']
    c2 = clusters['c2']
    assert c2.auth_version == '1'
    assert c2.storage_url == 'http://127.0.0.1:8082/v1'
    assert 'other' not in repr(c2)  # keys never shown


@pytest.mark.parametrize('text, message', [
    ('', 'no [cluster:<name>] section'),
    ('[cluster:c1]\nauth_url = http://x/auth\nuser = u\nkey = k\n',
     "missing 'landlord'"),
    ('[cluster:c1]\nlandlord = l\nauth_url = ftp://x\nuser = u\nkey = k\n',
     'must be an http(s) URL'),
    ('[cluster:c1]\nlandlord = l\nauth_url = http://x\nuser = u\n',
     "missing 'key'"),
    ('[cluster:c1]\nlandlord = l\nauth_url = http://x\nuser = u\nkey = k\n'
     'auth_version = 3\n', "auth_version '3' is not supported"),
    ('[cluster:bad name]\nlandlord = l\nauth_url = http://x\nuser = u\n'
     'key = k\n', "invalid cluster name 'bad name'"),
    ('[cluster:c1]\nlandlord = l\n[cluster:c1]\n', 'cannot read'),
])
def test_bad_config(tmp_path, text, message):
    with pytest.raises(OcxConfigError) as caught:
        load_cluster_config(write(tmp_path, text))
    assert message in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(OcxConfigError) as caught:
        load_cluster_config(str(tmp_path / 'nope.conf'))
    assert 'cannot read cluster config' in str(caught.value)


def test_check_ring(tmp_path):
    clusters = load_cluster_config(write(tmp_path, GOOD))
    clusters.check_ring([{'name': 'c1', 'landlord': 'landlord1'}])
    with pytest.raises(OcxConfigError) as caught:
        clusters.check_ring([{'name': 'c3', 'landlord': 'x'},
                             {'name': 'c1', 'landlord': 'landlord2'}])
    text = str(caught.value)
    assert "'c3' has no [cluster:c3] section" in text
    assert "'c1' has landlord 'landlord2'" in text
