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

"""Readiness probes for ``ocx-aio``'s servers (plain blocking HTTP, or
HTTPS verified against the set's CA)."""

import http.client
import socket
import ssl
import urllib.parse

TIMEOUT = 2.0


def _request(url, headers=None, timeout=TIMEOUT, ca_file=None):
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == 'https':
        conn = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout,
            context=ssl.create_default_context(cafile=ca_file))
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                          timeout=timeout)
    try:
        conn.request('GET', parts.path or '/', headers=headers or {})
        resp = conn.getresponse()
        resp.read()
        return resp.status, resp
    finally:
        conn.close()


def healthcheck(url):
    """Return a probe: True once ``GET url`` answers 200."""
    def probe():
        try:
            return _request(url)[0] == 200
        except OSError:
            return False
    probe.what = 'GET %s' % url
    return probe


def token(auth_url, user, key, ca_file=None):
    """Return a probe: True once tempauth hands ``user`` a token.

    That exercises the proxy, its memcached and its auth in one request
    (and its TLS certificate, for an ``https`` URL: verified against
    ``ca_file``).
    """
    def probe():
        try:
            status, resp = _request(auth_url, {'X-Auth-User': user,
                                               'X-Auth-Key': key},
                                    ca_file=ca_file)
        except OSError:
            return False
        return status // 100 == 2 and bool(resp.getheader('X-Auth-Token'))
    probe.what = 'token for %s from %s' % (user, auth_url)
    return probe


def memcached(port, host='127.0.0.1'):
    """Return a probe: True once memcached answers ``version``."""
    def probe():
        try:
            with socket.create_connection((host, port), TIMEOUT) as sock:
                sock.sendall(b'version\r\n')
                return sock.recv(64).startswith(b'VERSION')
        except OSError:
            return False
    probe.what = 'memcached version on %s:%d' % (host, port)
    return probe
