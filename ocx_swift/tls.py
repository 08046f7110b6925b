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

"""TLS toward a landlord cluster: options, client context, failure text.

Reads these options of a ``[cluster:<name>]`` section of the cluster
config (``cluster_conf_path`` of ``[filter:ocx]``)::

    # PEM file of the CA certificate(s) that sign the cluster's server
    # certificate (default: the system's CAs)
    ca_file = /etc/swift/landlord1-ca.pem
    # client certificate for mutual TLS, and its key (unencrypted; the key
    # may also be in cert_file)
    cert_file = /etc/swift/ocx-client.pem
    key_file = /etc/swift/ocx-client.key
    # skip certificate and hostname verification (testing only: logged as
    # a warning at start-up)
    insecure = no

They apply only to ``https`` URLs, and are refused (with an error naming
the option) when neither ``auth_url`` nor ``storage_url`` is one. Every
file is loaded once at start-up to check it; the client context of a
cluster is built again, from the same files, on its first request in each
worker (:func:`client_context`).
"""

import collections
import ssl

from swift.common.utils import config_true_value

from ocx_swift.exceptions import OcxConfigError

#: OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH
HOSTNAME_MISMATCH_CODES = (62, 64)

TLSOptions = collections.namedtuple('TLSOptions',
                                    'ca_file cert_file key_file insecure')
TLSOptions.__doc__ = """How to reach a cluster's ``https`` URLs: a CA file
(None: the system's CAs), a client certificate and key (None: none), and
whether verification is off."""

NO_TLS_OPTIONS = TLSOptions(None, None, None, False)


def parse_tls_options(name, options, urls):
    """Take the TLS options out of a cluster's config section.

    :param name: the cluster name, for error messages
    :param options: the section's options (a dict; TLS keys are removed)
    :param urls: the cluster's configured URLs (auth, storage)
    :returns: a :class:`TLSOptions`
    :raises OcxConfigError: naming the option that cannot be used
    """
    def path(key):
        return options.pop(key, '').strip() or None

    ca_file, cert_file, key_file = path('ca_file'), path('cert_file'), \
        path('key_file')
    insecure = config_true_value(options.pop('insecure', 'no'))
    tls = TLSOptions(ca_file, cert_file, key_file, insecure)
    if tls == NO_TLS_OPTIONS:
        return tls
    given = [key for key in ('ca_file', 'cert_file', 'key_file')
             if getattr(tls, key)] + (['insecure'] if insecure else [])
    if not any(url.startswith('https://') for url in urls if url):
        raise OcxConfigError(
            'cluster %r: %s set but neither auth_url nor storage_url is an '
            'https URL' % (name, ', '.join(given)))
    if key_file and not cert_file:
        raise OcxConfigError('cluster %r: key_file set without cert_file'
                             % name)
    if insecure and ca_file:
        raise OcxConfigError('cluster %r: ca_file and insecure = yes '
                             'contradict each other: use one' % name)
    check_files(name, tls)
    return tls


def check_files(name, tls):
    """Load every file of ``tls`` once, so a bad one stops start-up.

    :raises OcxConfigError: naming the option and the file
    """
    try:
        client_context(tls)
    except OcxConfigError as err:
        raise OcxConfigError('cluster %r: %s' % (name, err))


def _no_password():
    raise OcxConfigError('the key is encrypted: give an unencrypted key '
                         '(keep the file mode 0600)')


def client_context(tls):
    """A client ``SSLContext`` for one cluster.

    Verifies the server's certificate and hostname (TLS 1.2 or later),
    against ``ca_file`` or the system's CAs, unless ``insecure``; presents
    the client certificate when one is configured. Built where it is used:
    under eventlet, ``ssl`` is green once Swift has monkey-patched it.

    :param tls: a :class:`TLSOptions`
    :raises OcxConfigError: when a file cannot be read or used
    """
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if tls.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls.ca_file:
        try:
            context.load_verify_locations(cafile=tls.ca_file)
        except (OSError, ssl.SSLError, ValueError) as err:
            raise OcxConfigError('ca_file %r: %s' % (tls.ca_file,
                                                     _file_error(err)))
    if tls.cert_file:
        try:
            context.load_cert_chain(tls.cert_file, tls.key_file,
                                    password=_no_password)
        except (OSError, ssl.SSLError, ValueError) as err:
            raise OcxConfigError('cert_file %r / key_file %r: %s' % (
                tls.cert_file, tls.key_file, _file_error(err)))
    return context


def _file_error(err):
    if isinstance(err, ssl.SSLError):
        return 'not usable (%s)' % (err.reason or err.__class__.__name__)
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return str(err) or err.__class__.__name__


def describe_failure(err):
    """Short text naming why a connection failed, for logs and the 503
    body a client gets: certificate, hostname, refused. It never holds a
    credential (nothing of the request goes into it).

    :param err: the exception raised while connecting or talking
    """
    if isinstance(err, ssl.SSLCertVerificationError):
        message = err.verify_message or err.reason or 'unknown'
        if err.verify_code in HOSTNAME_MISMATCH_CODES:
            return 'TLS hostname mismatch: %s' % message
        return 'TLS certificate verify failed: %s' % message
    if isinstance(err, ssl.SSLError):
        return 'TLS error: %s' % (err.reason or err.__class__.__name__)
    if isinstance(err, ConnectionRefusedError):
        return 'connection refused'
    if isinstance(err, OcxConfigError):  # a TLS file changed since start-up
        return 'TLS setup failed: %s' % err
    return err.__class__.__name__
