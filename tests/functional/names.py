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

"""Names used by the functional tests: non-ASCII, with spaces."""

import uuid

from swiftclient import ClientException


def container(prefix='ocx'):
    return '%s \u00e9\u65e5-%s' % (prefix, uuid.uuid4().hex[:12])


def empty_and_delete(conn, name):
    """Delete a container and everything in it, ignoring 404s."""
    try:
        marker = ''
        while True:
            _h, page = conn.get_container(name, marker=marker)
            if not page:
                break
            for entry in page:
                try:
                    conn.delete_object(name, entry['name'])
                except ClientException as err:
                    if err.http_status != 404:
                        raise
            marker = page[-1]['name']
        conn.delete_container(name)
    except ClientException as err:
        if err.http_status != 404:
            raise
