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

"""``ocx-index``: its command line and the pure parts of the migration."""

import configparser
import hashlib
import os

import pytest
from swift.common.utils import Timestamp

from ocx_swift.cli import index
from ocx_swift.policy import OcxPolicy
from ocx_swift.split.keys import derive_object_keys
from ocx_swift.storage import migrate
from ocx_swift.storage.shares import ShareHeader
from ocx_swift.storage.state import STATE_HEADER, StateKeys

SECRET = b'\x01' * 32
PATH = ('AUTH_t\u00e9st', 'caf\u00e9', '\u2615 obj')
MD5 = hashlib.md5(b'data').hexdigest()


def container_head(policy='xor', read='test2:tester2', key='s\u00e9'):
    items = [('x-container-object-count', '3'),
             ('x-container-meta-colour', 'green'),
             ('X-Container-Meta-Ocx-Sys-Ocx-Policy', policy),
             ('X-Container-Meta-Ocx-Sys-Versions-Location', 'v'),
             ('x-container-read', read),
             ('x-container-meta-temp-url-key', key)]
    return [(k, v) for k, v in items if v is not None]


def test_container_view_decodes_the_reserved_keys():
    view = migrate.container_view(container_head())
    assert view.policy == 'xor'
    assert view.guarded == {'x-container-read': 'test2:tester2',
                            'x-container-meta-temp-url-key': 's\u00e9'}
    assert view.headers['x-container-sysmeta-versions-location'] == 'v'
    assert view.headers['x-container-meta-colour'] == 'green'
    assert 'x-container-sysmeta-ocx-policy' not in view.headers
    headers = migrate.tier_container_headers(view, 'xor')
    assert headers['X-Storage-Policy'] == 'xor'
    assert headers['X-Container-Read'] == 'test2:tester2'


def test_copies_that_agree_are_taken():
    views = {'c2': migrate.container_view(container_head()),
             'c1': migrate.container_view(container_head())}
    assert migrate.choose_view(views) is views['c1']


@pytest.mark.parametrize('other', [
    {'policy': 'standard'}, {'policy': None}, {'read': '.r:*'},
    {'key': 'landlord\u2019s own'}, {'key': None}])
def test_copies_that_disagree_are_refused(other):
    views = {'c1': migrate.container_view(container_head()),
             'z\u00fcrich': migrate.container_view(container_head(**other))}
    with pytest.raises(migrate.Refusal) as caught:
        migrate.choose_view(views)
    assert 'disagree' in str(caught.value)
    assert migrate.choose_view(views, trust='z\u00fcrich') is \
        views['z\u00fcrich']
    with pytest.raises(migrate.Refusal):
        migrate.choose_view(views, trust='c9')


def test_scrub_removes_what_the_tier_keeps():
    head = container_head() + [('x-container-sync-key', ''),
                               ('content-type', 'text/plain')]
    assert migrate.scrub_headers(head, 'container', True) == {
        'X-Container-Meta-Colour': '',
        'X-Container-Meta-Ocx-Sys-Ocx-Policy': '',
        'X-Container-Meta-Ocx-Sys-Versions-Location': '',
        'X-Container-Read': '',
        'X-Container-Meta-Temp-Url-Key': ''}
    account = [('x-account-meta-quota-bytes', '10'),
               ('x-account-meta-temp-url-key', 'k'),
               ('X-Account-Meta-Ocx-Sys-Core-Access-Control', '{}')]
    assert migrate.scrub_headers(account, 'account', False) == {
        'X-Account-Meta-Temp-Url-Key': '',
        'X-Account-Meta-Ocx-Sys-Core-Access-Control': ''}
    assert migrate.scrub_headers([('x-container-read', '')], 'container',
                                 True) == {}


def test_copy_facts_and_row():
    head = [('Etag', '"%s"' % MD5), ('Content-Length', '4'),
            ('Content-Type', 'text/plain;ocx_bytes=99;ocx_etag=%22abc%22')]
    md5, size, stored, override = migrate.copy_facts(head)
    assert (md5, size, override) == (MD5, 4, '"abc"')
    row = migrate.row_update(Timestamp(1700000000.5), size, md5, stored,
                             override)
    assert row == {'x-timestamp': '1700000000.50000', 'x-size': '4',
                   'x-content-type': 'text/plain;swift_bytes=99',
                   'x-etag': '"abc"; ocx_md5=%s' % MD5}
    with pytest.raises(migrate.Refusal):
        migrate.copy_facts([('Etag', 'nope'), ('Content-Length', '4')])


def test_post_headers_keep_metadata_and_replace_the_split_header():
    head = [('x-object-meta-color', 'bl\u00e9u'),
            ('x-object-meta-empty', ''),
            ('x-object-meta-ocx-sys-ocx-split', 'old'),
            ('x-object-meta-ocx-sys-ocx-split--2', 'old rest'),
            ('x-object-meta-ocx-slo', 'True'),
            (STATE_HEADER.lower(), 'v1.stale'),
            ('content-disposition', 'inline'),
            ('x-timestamp', '1.0'), ('etag', MD5)]
    out = migrate.post_headers(head, 'text/plain', {
        'X-Object-Sysmeta-Ocx-Split': 'n' * 300})
    assert out == {'x-object-meta-color': 'bl\u00e9u',
                   'x-object-meta-ocx-slo': 'True',
                   'content-disposition': 'inline',
                   'X-Object-Meta-Ocx-Sys-Ocx-Split': 'n' * 256,
                   'X-Object-Meta-Ocx-Sys-Ocx-Split--2': 'n' * 44,
                   'Content-Type': 'text/plain'}


def test_stored_etag_param():
    assert migrate.stored_etag_param(
        'text/plain;ocx_bytes=4;ocx_etag=%s;ocx_name=x' % MD5) == (
        'text/plain;ocx_bytes=4;ocx_name=x', MD5)
    assert migrate.stored_etag_param('a/b') == ('a/b', None)


def xor_policy():
    return OcxPolicy.from_config(
        'x\u00f6r', {'kind': 'split', 'scheme': 'xor', 'n': '2', 'k': '2'})


def old_header(index=0):
    object_id = os.urandom(16)
    keys = derive_object_keys(SECRET, *(PATH + (object_id,)))
    header = ShareHeader('xor', 2, 2, 1048576, 4, MD5, index, object_id)
    return header.seal(keys.mac_key), keys


def test_old_share_header_is_sealed_and_tagged_again():
    state_keys = StateKeys({'default': SECRET}, 'default')
    header, keys = old_header()
    assert migrate.is_old_header(header)
    migrate.check_share(header, xor_policy(), keys.mac_key, 4 + 32)
    assert migrate.share_md5(header, state_keys, PATH) == MD5
    sealed = migrate.seal_md5(state_keys, PATH, MD5)
    new = ShareHeader.parse(migrate.resealed(
        header, sealed, keys.mac_key).to_value())
    assert not migrate.is_old_header(new)
    assert MD5 not in new.to_value()
    assert new.verify(keys.mac_key)
    assert migrate.share_md5(new, state_keys, PATH) == MD5
    with pytest.raises(migrate.Refusal):
        migrate.share_md5(new, state_keys, ('a', 'b', 'other'))


def test_shares_failing_their_tag_or_size_are_refused():
    header, keys = old_header()
    policy = xor_policy()
    with pytest.raises(migrate.Refusal) as caught:
        migrate.check_share(header, policy, keys.mac_key, 5)
    assert 'header says' in str(caught.value)
    header.etag = hashlib.md5(b'other').hexdigest()
    with pytest.raises(migrate.Refusal) as caught:
        migrate.check_share(header, policy, keys.mac_key, None)
    assert 'authentication' in str(caught.value)
    other = OcxPolicy.from_config('aont', {
        'kind': 'split', 'scheme': 'aont-rs', 'n': '3', 'k': '2'})
    with pytest.raises(migrate.Refusal):
        migrate.check_share(old_header()[0], other, keys.mac_key, None)


# -- the command ----------------------------------------------------------


def test_help_says_what_is_not_authenticated(capsys):
    assert index.main(['--help']) == index.EXIT_SUCCESS
    out = capsys.readouterr().out
    assert 'unauthenticated' in out and '--trust-cluster' in out


def test_usage_and_config_errors_exit_2(capsys, tmp_path):
    assert index.main(['--account', 'AUTH_t\u00e9st']) == index.EXIT_ERROR
    assert 'ocx-index: error:' in capsys.readouterr().err
    missing = str(tmp_path / 'proxy-server.conf')
    assert index.main(['--proxy-config', missing, '--account',
                       'AUTH_t']) == index.EXIT_ERROR
    assert 'cannot read' in capsys.readouterr().err


def test_tier_proxy_conf_uses_the_exchange_cache():
    parser = configparser.RawConfigParser()
    parser.read_string('[filter:cache]\nuse = egg:swift#memcache\n'
                       'memcache_servers = 127.0.0.1:7\n')
    conf = index.tier_proxy_conf('/srv/ex\u00e9', parser)
    assert 'pipeline = catch_errors proxy-logging cache proxy-server' in conf
    assert 'memcache_servers = 127.0.0.1:7' in conf
    assert 'account_autocreate = true' in conf
    assert 'swift_dir = /srv/ex\u00e9' in conf
    bare = index.tier_proxy_conf('/srv', configparser.RawConfigParser())
    assert 'pipeline = catch_errors proxy-logging proxy-server' in bare
    assert '[filter:cache]' not in bare


def test_report_lists_refusals_and_errors():
    report = migrate.Report()
    report.count('objects indexed', 2)
    report.refuse('AUTH_t\u00e9st/c', 'landlords disagree on its policy')
    lines = index.format_report(report, ['AUTH_t\u00e9st'], True)
    assert lines[:3] == ['ocx-index (dry run: nothing changed)',
                         'Accounts: AUTH_t\u00e9st', 'objects indexed: 2']
    assert 'Refused (1):' in lines
    assert report.failed
    assert lines[-1].startswith('Note: ')
