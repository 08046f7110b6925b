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

"""``ocx-aio start --tls``: the set's CA, certificates, configs and
printed lines."""

import configparser
import json
import os
import ssl
import stat

from cryptography import x509

from ocx_swift.aio import certs, layout
from ocx_swift.aio.cluster import Cluster
from ocx_swift.aio.exchange import Exchange
from ocx_swift.aio.layout import Layout
from ocx_swift.config import load_cluster_config


def read_ini(path):
    parser = configparser.ConfigParser(interpolation=None)
    with open(path) as fp:
        parser.read_file(fp)
    return parser


def make_layout(tmp_path, tls=True):
    root = tmp_path / 'aio \u00e9'
    root.mkdir(parents=True)
    return Layout.new(str(root), 2, 2, None, str(root / 'storage'), 'disk',
                      tls=tls)


def test_tls_layout_urls_and_printed_lines(tmp_path):
    lay = make_layout(tmp_path)
    env = dict(lay.env())
    assert env['OCX_AUTH_URL'] == 'https://127.0.0.1:%d/auth/v1.0' % (
        lay.exchange.port)
    assert env['OCX_S3_ENDPOINT'] == 'https://127.0.0.1:%d' % (
        lay.exchange.port)
    assert env['CLUSTER_c1_AUTH_URL'].startswith('https://127.0.0.1:')
    assert env['OCX_CA_FILE'] == os.path.join(lay.root, 'tls', 'ca.pem')
    # every key of a plain set is there too, in the same order
    plain = [k for k, _v in make_layout(tmp_path / 'p', tls=False).env()]
    assert [k for k, _v in lay.env() if k != 'OCX_CA_FILE'] == plain
    assert 'OCX_CA_FILE' not in plain
    bigger, cluster = lay.with_new_cluster()
    assert cluster.auth_url.startswith('https://')
    assert Layout.from_json(bigger.to_json()) == bigger


def test_saved_plain_layout_loads_as_plain(tmp_path):
    lay = make_layout(tmp_path, tls=False)
    data = json.loads(lay.to_json())  # as saved before --tls existed
    del data['exchange']['scheme']
    for cluster in data['clusters']:
        del cluster['scheme']
    loaded = Layout.from_json(json.dumps(data))
    assert loaded == lay and loaded.tls is False and loaded.ca_file is None


def test_tls_files_and_configs(tmp_path):
    lay = make_layout(tmp_path)
    cluster = Cluster(lay, lay.clusters[0])
    cluster.write_files()
    exchange = Exchange(lay)
    exchange.write_files()
    for name, conf_path in (('c1', cluster.conf_path('proxy')),
                            ('exchange', exchange.conf_path)):
        default = read_ini(conf_path)['DEFAULT']
        cert_file, key_file = certs.pair_paths(lay.tls_dir, name)
        assert (default['cert_file'], default['key_file']) == (cert_file,
                                                               key_file)
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        # the server certificate verifies against the CA for 127.0.0.1
        with open(cert_file, 'rb') as fp:
            cert = x509.load_pem_x509_certificate(fp.read())
        with open(lay.ca_file, 'rb') as fp:
            ca = x509.load_pem_x509_certificate(fp.read())
        assert cert.issuer == ca.subject
        san = cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value
        assert '127.0.0.1' in [str(ip) for ip in san.get_values_for_type(
            x509.IPAddress)]
        context = ssl.create_default_context(cafile=lay.ca_file)
        context.load_cert_chain(cert_file, key_file)
    clusters = load_cluster_config(exchange.cluster_conf_path)
    assert all(c.tls.ca_file == lay.ca_file for c in clusters)
    # the metadata tier stays the exchange's own, plain
    assert 'cert_file' not in read_ini(
        exchange.meta_conf_path('account'))['DEFAULT']


def test_certificates_are_made_once(tmp_path):
    tls_dir = str(tmp_path / 'tls')
    ca = certs.ensure(tls_dir, ['c1'])
    before = {p: open(p, 'rb').read() for p in certs.pair_paths(tls_dir,
                                                                'c1')}
    assert certs.ensure(tls_dir, ['c1', 'c2']) == ca
    assert {p: open(p, 'rb').read() for p in before} == before
    assert os.path.exists(certs.pair_paths(tls_dir, 'c2')[0])
    os.unlink(ca)  # a new CA reissues every certificate
    certs.ensure(tls_dir, ['c1'])
    assert {p: open(p, 'rb').read() for p in before} != before


def test_plain_set_has_no_tls(tmp_path):
    lay = make_layout(tmp_path, tls=False)
    cluster = Cluster(lay, lay.clusters[0])
    cluster.write_files()
    assert 'cert_file' not in read_ini(cluster.conf_path('proxy'))['DEFAULT']
    assert not os.path.exists(lay.tls_dir)
    assert layout.ENV_FILE  # unchanged interface
