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

from ocx_swift.sysmeta import decode_content_type, decode_headers, \
    decode_listing_entry, encode_headers, stored_swift_bytes


def roundtrip(headers, server_type):
    stored = encode_headers(headers, server_type)
    return stored, dict(decode_headers(list(stored.items()), server_type))


def test_object_sysmeta_and_markers_round_trip():
    headers = {'X-Object-Sysmeta-Slo-Etag': 'abc',
               'X-Static-Large-Object': 'True',
               'X-Object-Manifest': 'c/pre\u00e9fix',
               'X-Object-Transient-Sysmeta-Crypto': 'k',
               'X-Object-Meta-Color': 'red', 'Content-Length': '3'}
    stored, back = roundtrip(headers, 'object')
    assert not [k for k in stored if 'sysmeta' in k.lower()]
    assert 'X-Static-Large-Object' not in stored
    assert 'X-Object-Manifest' not in stored
    assert stored['X-Object-Meta-Ocx-Slo'] == 'True'
    assert back == headers


def test_long_values_are_chunked_and_joined():
    value = 'x' * 300 + 'y' * 300
    stored, back = roundtrip({'X-Object-Sysmeta-Symlink-Target': value},
                             'object')
    assert max(len(v) for v in stored.values()) <= 256
    assert len(stored) == 3
    assert back == {'X-Object-Sysmeta-Symlink-Target': value}


def test_client_cannot_forge_reserved_keys():
    stored = encode_headers({'X-Object-Meta-Ocx-Sys-Symlink-Target': 'a/b',
                             'x-object-meta-ocx-slo': 'True',
                             'X-Object-Meta-Ok': '1'}, 'object')
    assert stored == {'X-Object-Meta-Ok': '1'}


def test_unknown_reserved_keys_never_shown():
    back = decode_headers([('X-Object-Meta-Ocx-Other', 'v'),
                           ('X-Object-Meta-Ocx-Sys-A--2', 'orphan'),
                           ('X-Object-Meta-Kept', 'k')], 'object')
    assert back == [('X-Object-Meta-Kept', 'k')]


@pytest.mark.parametrize('server_type', ['container', 'account'])
def test_merged_metadata_never_joins_stale_pieces(server_type):
    kind = server_type.title()
    long_value = encode_headers({'X-%s-Sysmeta-Acl' % kind: 'L' * 600},
                                server_type)
    short_value = encode_headers({'X-%s-Sysmeta-Acl' % kind: 'short'},
                                 server_type)
    stored = dict(long_value)
    stored.update(short_value)  # a POST merges; empty values delete
    stored = {k: v for k, v in stored.items() if v}
    assert dict(decode_headers(list(stored.items()), server_type)) == {
        'X-%s-Sysmeta-Acl' % kind: 'short'}


def test_other_types_sysmeta_left_alone():
    stored = encode_headers({'X-Container-Sysmeta-X': '1'}, 'object')
    assert stored == {'X-Container-Sysmeta-X': '1'}


def test_listing_overrides_ride_in_the_content_type():
    stored = encode_headers({
        'Content-Type': 'application/x-\u00e9;swift_bytes=1234',
        'X-Object-Sysmeta-Container-Update-Override-Etag':
            'abc; slo_etag="d;e"'}, 'object')
    ctype = stored['Content-Type']
    assert 'swift_bytes' not in ctype
    assert decode_content_type(ctype) == 'application/x-\u00e9'
    assert stored_swift_bytes(ctype) == '1234'
    entry = decode_listing_entry({'name': 'o', 'bytes': 99, 'hash': 'm',
                                  'content_type': ctype})
    assert entry == {'name': 'o', 'bytes': 1234, 'hash': 'abc; slo_etag="d;e"',
                     'content_type': 'application/x-\u00e9'}


def test_plain_listing_entries_untouched():
    entry = {'name': 'o', 'bytes': 1, 'hash': 'h',
             'content_type': 'text/plain;charset=utf-8'}
    assert decode_listing_entry(dict(entry)) == entry
    assert decode_listing_entry({'subdir': 'a/'}) == {'subdir': 'a/'}


def test_content_type_kept_as_written_when_nothing_to_carry():
    stored = encode_headers(
        {'Content-Type': 'lovecraft/rugose; squamous=true'}, 'object')
    assert stored['Content-Type'] == 'lovecraft/rugose; squamous=true'
    assert decode_content_type(stored['Content-Type']) == \
        'lovecraft/rugose; squamous=true'


@pytest.mark.parametrize('ctype, stored', [
    ('application/x-deleted;swift_versions_deleted=1',
     'application/x-deleted;ocx_versions_deleted=1'),
    ('text/plain; swift_x=1; charset=utf-8',
     'text/plain; ocx_x=1; charset=utf-8'),
    # a client's own ocx_ parameters are not taken for the exchange's
    ('text/plain;ocx_bytes=5;ocx_etag=e',
     'text/plain;ocx_ocx_bytes=5;ocx_ocx_etag=e'),
])
def test_swift_params_stored_under_ocx_and_shown_as_written(ctype, stored):
    encoded = encode_headers({'Content-Type': ctype}, 'object')
    assert encoded['Content-Type'] == stored
    assert decode_content_type(stored) == ctype
    assert stored_swift_bytes(stored) is None
    entry = decode_listing_entry({'name': 'o', 'bytes': 3, 'hash': 'h',
                                  'content_type': stored})
    assert entry == {'name': 'o', 'bytes': 3, 'hash': 'h',
                     'content_type': ctype}
