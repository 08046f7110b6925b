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

"""A local CA and server certificates for ``ocx-aio start --tls``.

Files live in ``<DIR>/tls/``: ``ca.pem`` (the CA certificate clients
trust, printed as ``OCX_CA_FILE``), ``ca-key.pem``, and per server
``<name>.pem`` and ``<name>-key.pem``, each for ``127.0.0.1`` and
``localhost``. Keys are P-256, unencrypted, mode 0600. They are made once
and kept, so a restarted set serves the same certificates.
"""

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ocx_swift.aio.ports import LOOPBACK

TLS_DIR = 'tls'
CA = 'ca'
VALID_DAYS = 3650


class Issuer(object):
    """A CA: its key and self-signed certificate."""

    def __init__(self, key, cert):
        self.key = key
        self.cert = cert

    @classmethod
    def new(cls, common_name='ocx-aio local CA'):
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                             common_name)])
        cert = _builder(name, name, key.public_key()).add_extension(
            x509.BasicConstraints(ca=True, path_length=0), critical=True,
        ).add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True,
                          False, False), critical=True,
        ).sign(key, hashes.SHA256())
        return cls(key, cert)

    def issue(self, common_name, ips=(LOOPBACK,), dns=('localhost',)):
        """A key and a server-and-client certificate signed by this CA.

        :returns: ``(key, cert)``
        """
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                common_name)])
        names = [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips] + \
            [x509.DNSName(d) for d in dns]
        cert = _builder(subject, self.cert.subject, key.public_key()) \
            .add_extension(x509.SubjectAlternativeName(names),
                           critical=False) \
            .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                           critical=True) \
            .add_extension(x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH,
                 ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False) \
            .sign(self.key, hashes.SHA256())
        return key, cert

    def save(self, tls_dir, name=CA):
        """Write ``<name>.pem`` and ``<name>-key.pem``; return the
        certificate's path."""
        return save_pair(tls_dir, name, self.key, self.cert)

    @classmethod
    def load(cls, tls_dir, name=CA):
        cert_path, key_path = pair_paths(tls_dir, name)
        with open(cert_path, 'rb') as fp:
            cert = x509.load_pem_x509_certificate(fp.read())
        with open(key_path, 'rb') as fp:
            key = serialization.load_pem_private_key(fp.read(), None)
        return cls(key, cert)


def _builder(subject, issuer, public_key):
    now = datetime.datetime.now(datetime.timezone.utc)
    return x509.CertificateBuilder().subject_name(subject).issuer_name(
        issuer).public_key(public_key).serial_number(
        x509.random_serial_number()).not_valid_before(
        now - datetime.timedelta(minutes=5)).not_valid_after(
        now + datetime.timedelta(days=VALID_DAYS))


def pair_paths(tls_dir, name):
    """``(certificate path, key path)`` of ``name`` in ``tls_dir``."""
    return (os.path.join(tls_dir, '%s.pem' % name),
            os.path.join(tls_dir, '%s-key.pem' % name))


def save_pair(tls_dir, name, key, cert):
    """Write a certificate (mode 0644) and its key (mode 0600).

    :returns: ``(certificate path, key path)``
    """
    os.makedirs(tls_dir, mode=0o700, exist_ok=True)
    cert_path, key_path = pair_paths(tls_dir, name)
    _write(key_path, key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()), 0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return cert_path, key_path


def _write(path, data, mode):
    tmp = '%s.%d.tmp' % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.fchmod(fd, mode)
    with os.fdopen(fd, 'wb') as fp:
        fp.write(data)
    os.replace(tmp, path)


def ensure(tls_dir, names):
    """The set's CA and a certificate per server, made once.

    :param names: the servers (``exchange``, ``c1``, ...)
    :returns: the CA certificate's path
    """
    ca_path, ca_key = pair_paths(tls_dir, CA)
    fresh = not (os.path.exists(ca_path) and os.path.exists(ca_key))
    if fresh:
        issuer = Issuer.new()
        issuer.save(tls_dir)
    else:
        issuer = Issuer.load(tls_dir)
    for name in names:
        if fresh or not all(os.path.exists(p)
                            for p in pair_paths(tls_dir, name)):
            save_pair(tls_dir, name, *issuer.issue(name))
    return ca_path
