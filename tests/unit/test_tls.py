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

"""TLS toward landlords: cluster options, the client context, and the
transport and client against a real TLS server on 127.0.0.1."""

import socket
import ssl

import pytest
from cryptography.hazmat.primitives import serialization

from ocx_swift.aio.certs import Issuer, save_pair
from ocx_swift.client import ClusterClient, ClusterErrorLimiter, Timeouts
from ocx_swift.config import load_cluster_config
from ocx_swift.exceptions import ClusterUnavailable, OcxConfigError
from ocx_swift.tls import NO_TLS_OPTIONS, TLSOptions, client_context, \
    describe_failure
from ocx_swift.transport import ConnectionPools, HTTPFailure
from tests.unit.fakes import DebugLogger
from tests.unit.tls_server import TLSServer, server_context

TIMEOUT = (2.0, 5.0)


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    """Two CAs; a server certificate for 127.0.0.1 from each, one for
    another name only, and a client certificate from the first."""
    where = tmp_path_factory.mktemp('pki \u00e9')
    ca, other_ca = Issuer.new('CA one'), Issuer.new('CA two')
    files = {'ca': ca.save(str(where), 'ca')[0],
             'other_ca': other_ca.save(str(where), 'other-ca')[0]}
    files['server'] = save_pair(str(where), 'server', *ca.issue('server'))
    files['foreign'] = save_pair(str(where), 'foreign',
                                 *other_ca.issue('foreign'))
    files['misnamed'] = save_pair(str(where), 'misnamed', *ca.issue(
        'misnamed', ips=('10.9.8.7',), dns=('landlord.example',)))
    files['client'] = save_pair(str(where), 'client',
                                *ca.issue('ocx-exchange'))
    key, cert = ca.issue('locked')
    locked = where / 'encrypted-key.pem'
    locked.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b'pass')))
    files['locked'] = (save_pair(str(where), 'locked', key, cert)[0],
                       str(locked))
    files['dir'] = where
    return files


# -- options -----------------------------------------------------------

def cluster_text(**options):
    lines = ['[cluster:c\u00e9]', 'landlord = l1',
             'auth_url = %s' % options.pop('auth_url',
                                           'https://127.0.0.1:8443/auth/v1.0'),
             'user = ocx:exchange', 'key = s3cr3t']
    lines += ['%s = %s' % item for item in options.items()]
    return '\n'.join(lines) + '\n'


def load(tmp_path, **options):
    path = tmp_path / 'ocx-clusters.conf'
    path.write_text(cluster_text(**options), encoding='utf-8')
    return load_cluster_config(str(path))['c\u00e9']


def test_https_defaults_to_system_cas(tmp_path):
    conf = load(tmp_path)
    assert conf.tls == NO_TLS_OPTIONS
    assert conf.extra == {}


def test_tls_options_parsed(tmp_path, pki):
    cert, key = pki['client']
    conf = load(tmp_path, ca_file=pki['ca'], cert_file=cert, key_file=key)
    assert conf.tls == TLSOptions(pki['ca'], cert, key, False)
    assert conf.extra == {}
    assert load(tmp_path, insecure='yes').tls.insecure is True


@pytest.mark.parametrize('options, message', [
    ({'auth_url': 'http://127.0.0.1/auth/v1.0', 'insecure': 'yes'},
     'insecure set but neither auth_url nor storage_url is an https URL'),
    ({'auth_url': 'http://127.0.0.1/auth/v1.0', 'ca_file': 'CA'},
     'ca_file set but neither'),
    ({'key_file': 'KEY'}, 'key_file set without cert_file'),
    ({'ca_file': 'CA', 'insecure': 'true'},
     'ca_file and insecure = yes contradict'),
    ({'ca_file': '/nonexistent/ca.pem'},
     "ca_file '/nonexistent/ca.pem': No such file or directory"),
    ({'ca_file': 'KEY'}, 'ca_file '),
    ({'cert_file': 'CA'}, 'cert_file '),
    ({'cert_file': 'LOCKED', 'key_file': 'LOCKED_KEY'}, 'the key is '
     'encrypted'),
    ({'storage_url': 'http://127.0.0.1:8080/v1'},
     'storage_url is plain http while auth_url is https'),
    ({'storage_url': 'ftp://127.0.0.1/v1'},
     'storage_url must be an http(s) URL'),
])
def test_bad_tls_options(tmp_path, pki, options, message):
    names = {'CA': pki['ca'], 'KEY': pki['client'][1],
             'LOCKED': pki['locked'][0], 'LOCKED_KEY': pki['locked'][1]}
    options = {k: names.get(v, v) for k, v in options.items()}
    message = message.replace('CA', pki['ca'])
    with pytest.raises(OcxConfigError) as caught:
        load(tmp_path, **options)
    text = str(caught.value)
    assert "cluster 'c\u00e9'" in text
    assert message in text
    assert 's3cr3t' not in text


def test_plain_http_storage_url_with_https_auth_from_config_only(tmp_path):
    conf = load(tmp_path, auth_url='http://127.0.0.1/auth/v1.0',
                storage_url='https://127.0.0.1:8443/v1')
    assert conf.storage_url == 'https://127.0.0.1:8443/v1'


def test_client_context_verifies_by_default(pki):
    context = client_context(NO_TLS_OPTIONS)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    insecure = client_context(TLSOptions(None, None, None, True))
    assert insecure.verify_mode == ssl.CERT_NONE
    assert insecure.check_hostname is False


def test_describe_failure():
    assert describe_failure(ConnectionRefusedError(111, 'x')) == \
        'connection refused'
    assert describe_failure(ConnectionResetError()) == 'ConnectionResetError'
    assert describe_failure(OcxConfigError("ca_file 'x': gone")) == \
        "TLS setup failed: ca_file 'x': gone"


# -- the transport against a real TLS server ---------------------------

def serve(pki, name='server', **kwargs):
    return TLSServer(server_context(*pki[name], **kwargs))


def get(pools, url):
    resp = pools.request('GET', url, timeout=TIMEOUT)
    body = resp.read()
    return resp.status, body


def test_https_with_ca_file_and_keep_alive(pki):
    pools = ConnectionPools(4, tls=TLSOptions(pki['ca'], None, None, False))
    with serve(pki) as server:
        for n in range(3):
            assert get(pools, server.url('/v1/a%d' % n)) == (
                200, b'ok /v1/a%d' % n)
    assert server.accepted == 1  # one TLS connection, reused


def test_untrusted_ca_names_certificate_failure(pki):
    pools = ConnectionPools(4, tls=TLSOptions(pki['ca'], None, None, False))
    with serve(pki, 'foreign') as server:
        with pytest.raises(HTTPFailure) as caught:
            get(pools, server.url())
    assert str(caught.value).startswith(
        'connection failed: TLS certificate verify failed: ')
    assert 'issuer' in str(caught.value) or 'self' in str(caught.value)


def test_system_cas_do_not_trust_a_private_ca(pki):
    with serve(pki) as server:
        with pytest.raises(HTTPFailure) as caught:
            get(ConnectionPools(4), server.url())
    assert 'TLS certificate verify failed' in str(caught.value)


def test_hostname_mismatch_is_named(pki):
    pools = ConnectionPools(4, tls=TLSOptions(pki['ca'], None, None, False))
    with serve(pki, 'misnamed') as server:
        with pytest.raises(HTTPFailure) as caught:
            get(pools, server.url())
    assert 'TLS hostname mismatch' in str(caught.value)
    assert '127.0.0.1' in str(caught.value)


def test_insecure_skips_verification(pki):
    pools = ConnectionPools(4, tls=TLSOptions(None, None, None, True))
    with serve(pki, 'foreign') as server:
        assert get(pools, server.url('/x')) == (200, b'ok /x')


def test_plain_http_server_is_a_tls_error(pki):
    pools = ConnectionPools(4, tls=TLSOptions(pki['ca'], None, None, False))
    with TLSServer() as server:
        with pytest.raises(HTTPFailure) as caught:
            get(pools, server.url(scheme='https'))
        # the same pools still speak plain http to it
        assert get(pools, server.url('/p'))[0] == 200
    assert 'connection failed: TLS error: ' in str(caught.value)


def test_refused_is_named():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    with pytest.raises(HTTPFailure) as caught:
        get(ConnectionPools(4), 'https://127.0.0.1:%d/' % port)
    assert str(caught.value) == 'connection failed: connection refused'


def test_mutual_tls(pki):
    cert, key = pki['client']
    with serve(pki, client_ca=pki['ca']) as server:
        pools = ConnectionPools(4, tls=TLSOptions(pki['ca'], cert, key,
                                                  False))
        assert get(pools, server.url('/m'))[0] == 200
        assert server.client_subjects[-1]['commonName'] == 'ocx-exchange'
        without = ConnectionPools(4, tls=TLSOptions(pki['ca'], None, None,
                                                    False))
        with pytest.raises(HTTPFailure) as caught:
            get(without, server.url('/m'))
    assert 'connection failed: ' in str(caught.value)


def test_tls_files_gone_since_start_up(tmp_path):
    pools = ConnectionPools(4, tls=TLSOptions(str(tmp_path / 'gone.pem'),
                                              None, None, False))
    with pytest.raises(HTTPFailure) as caught:
        get(pools, 'https://127.0.0.1:1/')
    assert 'TLS setup failed: ca_file' in str(caught.value)


# -- the cluster client ------------------------------------------------

def make_client(server, tls, logger=None):
    text = cluster_text(auth_url=server.url('/auth/v1.0'))
    conf_path = server.conf_dir / 'ocx-clusters.conf'
    conf_path.write_text(text, encoding='utf-8')
    conf = load_cluster_config(str(conf_path))['c\u00e9']
    conf.tls = tls
    return ClusterClient(conf, Timeouts(2.0, 5.0, 5.0),
                         ClusterErrorLimiter(60, 10), pool_size=2,
                         logger=logger or DebugLogger())


def test_client_over_tls(pki, tmp_path):
    with serve(pki) as server:
        server.conf_dir = tmp_path
        client = make_client(server, TLSOptions(pki['ca'], None, None, False))
        resp = client.request('GET', '/AUTH_test/c\xc3\xa9')
        assert (resp.status, resp.read()) == (
            200, b'ok /v1/AUTH_test/c%C3%A9')
    assert server.accepted == 1  # auth and request on one connection


def test_client_certificate_failure_names_cause_not_key(pki, tmp_path):
    logger = DebugLogger()
    with serve(pki, 'foreign') as server:
        server.conf_dir = tmp_path
        client = make_client(server, TLSOptions(pki['ca'], None, None,
                                                False), logger)
        with pytest.raises(ClusterUnavailable) as caught:
            client.request('GET', '/AUTH_test/c')
    text = str(caught.value)
    assert text.startswith("cluster 'c\u00e9' unavailable: connection "
                           "failed (TLS certificate verify failed: ")
    warnings = logger.get_lines_for_level('warning')
    assert 'TLS certificate verify failed' in warnings[-1]
    assert not any('s3cr3t' in line for line in [text] + warnings)


def test_insecure_is_logged_at_start(pki, tmp_path):
    logger = DebugLogger()
    with serve(pki, 'foreign') as server:
        server.conf_dir = tmp_path
        client = make_client(server, TLSOptions(None, None, None, True),
                             logger)
        assert logger.get_lines_for_level('warning') == [
            'cluster c\u00e9: insecure = yes: its TLS certificate and '
            'hostname are not verified']
        resp = client.request('GET', '/AUTH_test')
        assert (resp.status, resp.read()) == (200, b'ok /v1/AUTH_test')


def test_https_auth_never_sends_token_to_plain_http(pki, tmp_path):
    server = TLSServer(server_context(*pki['server']), storage_scheme='http')
    with server:
        server.conf_dir = tmp_path
        client = make_client(server, TLSOptions(pki['ca'], None, None,
                                                False))
        with pytest.raises(ClusterUnavailable) as caught:
            client.request('GET', '/AUTH_test')
    assert 'storage URL without TLS' in str(caught.value)
