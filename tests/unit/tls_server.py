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

"""A tiny real HTTP(S) server on 127.0.0.1 for transport tests.

It speaks HTTP/1.1 with keep-alive, answers a v1 auth request with a
token and a storage URL (``https`` when it serves TLS), and any other GET
with ``ok <path>``; it counts the connections it accepted and remembers
the client certificate's subject, if one was presented.
"""

import http.server
import ssl
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        cert = getattr(self.connection, 'getpeercert', lambda: None)()
        if cert:
            server.client_subjects.append(dict(x[0] for x in cert['subject']))
        if self.path.startswith('/auth/'):
            scheme = server.storage_scheme or (
                'https' if server.context else 'http')
            headers = {'X-Auth-Token': 'AUTH_tk1',
                       'X-Storage-Url': '%s://127.0.0.1:%d/v1/AUTH_ocx' % (
                           scheme, server.server_address[1])}
            body = b''
        else:
            headers = {}
            body = b'ok ' + self.path.encode('ascii')
        self.send_response(200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class TLSServer(http.server.ThreadingHTTPServer):
    """Serve :class:`Handler` on a free loopback port, in a thread.

    :param context: a server ``SSLContext``, or None for plain HTTP
    :param storage_scheme: the scheme of the storage URL auth returns
    """
    daemon_threads = True

    def __init__(self, context=None, storage_scheme=None):
        super().__init__(('127.0.0.1', 0), Handler)
        self.context = context
        self.storage_scheme = storage_scheme
        self.accepted = 0
        self.client_subjects = []
        self._thread = threading.Thread(target=self.serve_forever,
                                        args=(0.02,), daemon=True)

    def get_request(self):
        sock, addr = super().get_request()
        self.accepted += 1
        if self.context is not None:
            sock = self.context.wrap_socket(sock, server_side=True)
        return sock, addr

    def handle_error(self, request, client_address):
        pass  # failed handshakes are what some tests are about

    @property
    def port(self):
        return self.server_address[1]

    def url(self, path='/', scheme=None):
        scheme = scheme or ('https' if self.context else 'http')
        return '%s://127.0.0.1:%d%s' % (scheme, self.port, path)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()


def server_context(cert_path, key_path, client_ca=None):
    """A server ``SSLContext``; with ``client_ca`` it requires a client
    certificate signed by that CA."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cafile=client_ca)
    return context
