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

import configparser
import os
import subprocess
import sys

from swift.common.ring import RingData

from ocx_swift.aio import conf, rings
from ocx_swift.aio.cluster import Cluster
from ocx_swift.aio.exchange import Exchange
from ocx_swift.aio.layout import Layout


def read_ini(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    with open(path) as fp:
        parser.read_file(fp)
    return parser


def make_layout(tmp_path, n_clusters=2, n_landlords=2):
    root = tmp_path / 'aio \u00e9'
    root.mkdir()
    lay = Layout.new(str(root), n_clusters, n_landlords, None,
                     str(root / 'storage'), 'disk')
    return lay


def test_render():
    text = conf.render([('DEFAULT', {'a': 1}), ('app:x', {'use': 'egg:y'})])
    assert text == '[DEFAULT]\na = 1\n\n[app:x]\nuse = egg:y\n'


def test_pipelines():
    cluster = conf.CLUSTER_PIPELINE.split()
    exchange = conf.EXCHANGE_PIPELINE.split()
    with_location = cluster[:-2]
    with_location.insert(with_location.index('s3api'), 'ocx_s3location')
    assert exchange == with_location + ['ocx'] + cluster[-2:]
    assert cluster[-2:] == ['proxy-logging', 'proxy-server']
    assert cluster.index('tempauth') < cluster.index('copy')
    # what Swift's functional suite tests when /info shows it
    for name in ('staticweb', 'domain_remap', 'formpost', 'tempurl',
                 'container-quotas', 'account-quotas', 's3api'):
        assert name in cluster
    assert cluster.index('tempauth') < cluster.index('staticweb')
    assert cluster.index('domain_remap') < cluster.index('staticweb')


def test_tempauth_users():
    users = conf.tempauth_users([('ocx', 'exchange', 'k\u00e9y',
                                  '.admin .reseller_admin')])
    assert users == {
        'user_admin_admin': 'admin .admin .reseller_admin',
        'user_test_tester': 'testing .admin',
        'user_test_tester2': 'testing2 .admin',
        'user_test_tester3': 'testing3',
        'user_test2_tester2': 'testing2 .admin',
        'user_test5_tester5': 'testing5 service',
        'user_ocx_exchange': 'k\u00e9y .admin .reseller_admin',
    }


def test_cluster_files(tmp_path):
    lay = make_layout(tmp_path)
    cluster = Cluster(lay, lay.clusters[1], updater_interval=30)
    cluster.write_files()
    c = lay.clusters[1]
    swift_dir = cluster.swift_dir
    assert os.path.isdir(os.path.join(lay.devices('c2'), 'd1'))
    hashes = read_ini(os.path.join(swift_dir, 'swift.conf'))['swift-hash']
    assert hashes['swift_hash_path_prefix'] == c.hash_prefix
    for ring_name in rings.SWIFT_RINGS:
        ring = RingData.load(os.path.join(swift_dir,
                                          '%s.ring.gz' % ring_name))
        assert [(d['ip'], d['port'], d['device']) for d in ring.devs] == [
            ('127.0.0.1', c.ports[ring_name], 'd1')]
        assert ring.replica_count == 1
    proxy = read_ini(cluster.conf_path('proxy'))
    assert proxy['DEFAULT']['bind_port'] == str(c.ports['proxy'])
    assert proxy['DEFAULT']['bind_ip'] == '127.0.0.1'
    assert proxy['DEFAULT']['swift_dir'] == swift_dir
    assert proxy['pipeline:main']['pipeline'] == conf.CLUSTER_PIPELINE
    assert proxy['filter:cache']['memcache_servers'] == (
        '127.0.0.1:%d' % c.ports['memcache'])
    assert proxy['filter:tempauth']['user_ocx_exchange'] == (
        c.exchange_key + ' .admin .reseller_admin')
    assert proxy['app:proxy-server']['account_autocreate'] == 'true'
    assert proxy['filter:domain_remap']['storage_domain'] == \
        conf.STORAGE_DOMAIN
    assert proxy['filter:container-quotas']['use'] == \
        'egg:swift#container_quotas'
    container = read_ini(cluster.conf_path('container'))
    assert container['DEFAULT']['mount_check'] == 'false'
    # the updaters dump recon stats there every pass
    assert os.path.isdir(container['DEFAULT']['recon_cache_path'])
    assert container['DEFAULT']['devices'] == lay.devices('c2')
    assert container['container-updater']['interval'] == '30'
    assert 'container-updater' not in read_ini(cluster.conf_path('object'))
    for server in ('proxy', 'object'):
        mode = os.stat(cluster.conf_path(server)).st_mode & 0o777
        assert mode == 0o600


def test_cluster_services(tmp_path):
    lay = make_layout(tmp_path)
    names = [s.name for s in Cluster(lay, lay.clusters[0]).services()]
    assert names == ['c1-memcached', 'c1-account', 'c1-container',
                     'c1-object', 'c1-proxy']
    names = [s.name for s in Cluster(lay, lay.clusters[0], 5).services()]
    assert names[-2:] == ['c1-container-updater', 'c1-object-updater']
    cluster = Cluster(lay, lay.clusters[0], 5)
    cluster.write_files()
    for server in ('container', 'object'):
        section = read_ini(cluster.conf_path(server))['%s-updater' % server]
        assert section['interval'] == '5'


def test_exchange_files(tmp_path):
    lay = make_layout(tmp_path, 3, 2)
    exchange = Exchange(lay)
    exchange.write_files()
    proxy = read_ini(exchange.conf_path)
    assert proxy['pipeline:main']['pipeline'] == conf.EXCHANGE_PIPELINE
    ocx = proxy['filter:ocx']
    assert (ocx['use'], ocx['cluster_conf_path'], ocx['ring_path']) == (
        'egg:ocx_swift#ocx', exchange.cluster_conf_path, exchange.ring_path)
    assert proxy['filter:cache']['memcache_servers'] == (
        '127.0.0.1:%d' % lay.exchange.memcache_port)
    meta = read_ini(exchange.meta_conf_path('container'))
    assert os.path.isdir(meta['DEFAULT']['recon_cache_path'])
    ring = RingData.load(os.path.join(exchange.swift_dir, 'object.ring.gz'))
    assert ring.devs[0]['port'] == rings.PLACEHOLDER_PORT
    clusters = read_ini(exchange.cluster_conf_path)
    assert clusters.sections() == ['cluster:c1', 'cluster:c2', 'cluster:c3']
    assert dict(clusters['cluster:c3']) == {
        'landlord': 'landlord1', 'auth_url': lay.clusters[2].auth_url,
        'auth_version': '1', 'user': 'ocx:exchange',
        'key': lay.clusters[2].exchange_key}
    assert os.stat(exchange.cluster_conf_path).st_mode & 0o777 == 0o600
    assert os.path.exists(exchange.ring_path)
    # an existing builder is the operator's: never rebuilt
    os.utime(exchange.builder_path, (1, 1))
    exchange.write_files()
    assert os.stat(exchange.builder_path).st_mtime == 1


def test_launcher_uses_its_swift_conf(tmp_path):
    swift_dir = str(tmp_path / 'sw \u00e9')
    os.mkdir(swift_dir)
    with open(os.path.join(swift_dir, 'swift.conf'), 'w') as fp:
        fp.write(conf.render(conf.swift_conf('pre', 'suf') + [
            ('swift-constraints', {'max_meta_value_length': 512})]))
    code = ('from ocx_swift.aio.launch import use_swift_dir; '
            'import sys; use_swift_dir(sys.argv[1]); '
            'from swift.common import utils, constraints; '
            'print(utils.HASH_PATH_PREFIX, utils.HASH_PATH_SUFFIX, '
            'constraints.MAX_META_VALUE_LENGTH)')
    out = subprocess.run([sys.executable, '-c', code, swift_dir],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["b'pre'", "b'suf'", '512']
