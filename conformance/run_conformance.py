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

"""Swift conformance of the OCX exchange, by Swift's own functional tests.

Runs Swift's functional test suite (``test/functional`` and ``test/s3api``
of the swift source distribution matching the installed swift) twice:

* ``plain``: against a plain single Swift cluster
  (``ocx-aio start --no-exchange --clusters 1``), the baseline;
* ``exchange``: against the OCX exchange in front of three clusters
  (``ocx-aio start --clusters 3``).

It prints, per test file, how many tests passed, failed, were skipped or
errored on each, then the *difference*: the tests that pass on the plain
cluster but not on the exchange, grouped by feature. The last line is::

    conformance: N passed, M failed

N is how many tests passed on the exchange, M how many of those that pass
on the plain cluster did not pass on the exchange (failed, errored, were
skipped or did not run). The exit code is 0 only when M is 0, or with
``--allow-differences``. See conformance/README.rst.

Usage::

    python conformance/run_conformance.py [--only plain|exchange] [--keep]
        [-k EXPR] [--workdir DIR] [--jobs N] [--timeout SECONDS]
        [--allow-differences]
"""

import argparse
import collections
import configparser
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from ocx_swift.aio.conf import STORAGE_DOMAIN
from ocx_swift.aio.layout import parse_env

import ratchet

RUNS = ('plain', 'exchange')
EXCHANGE_CLUSTERS = 3
# what Swift's test/functional and test/s3api import beyond swift itself
# (names as in the sdist's test-requirements.txt), and what this runner
# adds: awscrt (imported by test/functional/s3api/test_bucket.py; botocore
# needs it for crc32c/crc64nvme checksums, else those tests skip) and
# pytest-timeout (bounds one hanging test)
TEST_REQUIREMENTS = ('pytest', 'boto', 'boto3', 'botocore',
                     'python-swiftclient', 'python-keystoneclient')
RUNNER_REQUIREMENTS = ('pytest-timeout>=2.0', 'awscrt')
# required to run at all; the rest only enable some tests (an import that
# fails makes Swift's tests skip themselves)
HARD_REQUIREMENTS = ('pytest', 'boto3', 'botocore', 'python-swiftclient')
TEST_DIRS = ('test/functional', 'test/s3api')
PYTEST_INI = 'conformance-pytest.ini'
# test/functional/tests.py holds the core account/container/object tests;
# Swift runs it with stestr, whose discovery takes test*.py
PYTEST_INI_TEXT = """\
[pytest]
python_files = test_*.py tests.py
junit_family = xunit1
junit_logging = no
junit_duration_report = call
filterwarnings =
    ignore::DeprecationWarning
    ignore::PendingDeprecationWarning
"""
# tests that assume a feature without checking /info for it, as
# (/info key, tests, the proxy-server.conf option that enables it): they
# are deselected on an endpoint whose /info lacks the key
FEATURE_GATED = (
    ('object_versioning',
     ('test/s3api/test_versioning.py',
      'test/s3api/test_mpu.py::TestVersionedMultiPartUpload'),
     '[filter:versioned_writes] allow_object_versioning = true'),
)
HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.splitext(os.path.basename(__file__))[0]
STATUSES = ('passed', 'failed', 'skipped', 'error')
PROGRESS_EVERY = 60.0

# feature groups of the difference, first match wins; each pattern is
# searched in "path::Class::test"
FEATURES = (
    ('s3 multipart', r'multi_upload|test_mpu|[Mm]ultipart|[Uu]pload[Pp]art'),
    ('versioning', r'[Vv]ersion|[Hh]istory'),
    ('SLO', r'test_slo|[Ss]lo[A-Z_]|_slo|SLO|[Mm]anifest[A-Z]|[Mm]pu'),
    ('DLO', r'test_dlo|[Dd]lo[A-Z_]|_dlo|DLO'),
    ('symlink', r'[Ss]ymlink'),
    ('tempurl', r'[Tt]emp_?[Uu]rl|[Tt]empurl'),
    ('ACLs', r'access_control|[Aa]cl|ACL|[Pp]ermission|[Rr]ead_?[Oo]nly'),
    ('listing', r'[Ll]isting|[Ll]ist[A-Z_]|_list|[Pp]refix|[Dd]elimiter|'
                r'[Mm]arker|[Ll]imit|[Pp]aginat'),
    ('account', r'test_account\.py|::TestAccount'),
)
FEATURE_ORDER = ('SLO', 'DLO', 'symlink', 'versioning', 'tempurl',
                 's3 multipart', 'ACLs', 'listing', 'account', 'other')

_print_lock = threading.Lock()


def say(msg):
    """Progress goes to stderr."""
    with _print_lock:
        print('conformance: %s' % msg, file=sys.stderr, flush=True)


class ConformanceError(Exception):
    pass


# ---------------------------------------------------------------- the suite

def default_cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache')
    return os.path.join(base, 'ocx-conformance')


def swift_version():
    import swift
    return swift.__version__


def pip(*args, check=True):
    cmd = [sys.executable, '-m', 'pip', '--disable-pip-version-check'] + \
        list(args)
    say('$ %s' % ' '.join(cmd[2:]))
    result = subprocess.run(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    if check and result.returncode:
        raise ConformanceError('pip failed (%d):\n%s' % (
            result.returncode, result.stdout[-3000:]))
    return result


def fetch_sdist(cache_dir, version):
    """Return the path of swift-VERSION.tar.gz, downloading it once."""
    sdist_dir = os.path.join(cache_dir, 'sdist')
    name = 'swift-%s.tar.gz' % version
    path = os.path.join(sdist_dir, name)
    if os.path.exists(path):
        return path
    os.makedirs(sdist_dir, exist_ok=True)
    say('downloading the swift %s source distribution' % version)
    pip('download', '--no-binary', ':all:', '--no-deps', '-d', sdist_dir,
        'swift==%s' % version)
    if not os.path.exists(path):
        found = [f for f in os.listdir(sdist_dir) if f.startswith('swift-')]
        raise ConformanceError('pip download left %s, not %s' % (found, name))
    return path


def unpack_suite(sdist, cache_dir, version):
    """Unpack the sdist's test/ tree (and test-requirements.txt) once.

    :returns: the directory holding ``test/``
    """
    suite_dir = os.path.join(cache_dir, 'swift-%s' % version)
    stamp = os.path.join(suite_dir, '.unpacked')
    if not os.path.exists(stamp):
        say('unpacking test/ of %s' % os.path.basename(sdist))
        if os.path.exists(suite_dir):
            shutil.rmtree(suite_dir)
        top = 'swift-%s/' % version
        wanted = (top + 'test/', top + 'test-requirements.txt')
        tmp = suite_dir + '.tmp'
        shutil.rmtree(tmp, ignore_errors=True)
        with tarfile.open(sdist) as tar:
            members = [m for m in tar.getmembers()
                       if m.name.startswith(wanted) and
                       (m.isfile() or m.isdir())]
            for member in members:
                member.name = member.name[len(top):]
            try:
                tar.extractall(tmp, members=members, filter='data')
            except TypeError:  # a Python without extraction filters
                tar.extractall(tmp, members=members)
        if not os.path.isdir(os.path.join(tmp, 'test', 'functional')):
            raise ConformanceError('%s has no test/functional' % sdist)
        os.rename(tmp, suite_dir)
        with open(stamp, 'w') as fp:
            fp.write(sdist + '\n')
    with open(os.path.join(suite_dir, PYTEST_INI), 'w') as fp:
        fp.write(PYTEST_INI_TEXT)
    return suite_dir


def _requirement_name(line):
    match = re.match(r'\s*([A-Za-z0-9][A-Za-z0-9._-]*)', line)
    return match.group(1).lower() if match else None


def _satisfied(requirement):
    try:
        from packaging.requirements import Requirement
    except ImportError:  # pip's copy
        from pip._vendor.packaging.requirements import Requirement
    req = Requirement(requirement)
    try:
        installed = importlib.metadata.version(req.name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return req.specifier.contains(installed, prereleases=True)


def install_test_requirements(suite_dir):
    """pip install what the functional tests import, as pinned by the sdist.

    Only the sdist's test-requirements.txt lines naming
    :data:`TEST_REQUIREMENTS`, plus :data:`RUNNER_REQUIREMENTS`; nothing is
    installed when everything is already satisfied.
    """
    wanted = {}
    path = os.path.join(suite_dir, 'test-requirements.txt')
    if os.path.exists(path):
        with open(path) as fp:
            for line in fp:
                line = line.split('#', 1)[0].strip()
                name = _requirement_name(line)
                if name in TEST_REQUIREMENTS:
                    wanted[name] = line.replace(' ', '')
    for name in TEST_REQUIREMENTS:
        wanted.setdefault(name, name)
    for req in RUNNER_REQUIREMENTS:
        wanted[_requirement_name(req)] = req
    missing = [req for req in wanted.values() if not _satisfied(req)]
    if not missing:
        return
    hard = [req for req in missing
            if _requirement_name(req) in HARD_REQUIREMENTS]
    soft = [req for req in missing if req not in hard]
    if hard:
        pip('install', '-q', *hard)
    for req in soft:  # one by one: a package that fails only skips tests
        result = pip('install', '-q', req, check=False)
        if result.returncode:
            say('could not install %s; the tests needing it will skip: %s'
                % (req, result.stdout.strip().splitlines()[-1:]))


# ------------------------------------------------------------- the clusters

def aio(*args, timeout=300):
    """Run ``ocx-aio`` with this interpreter; return (rc, stdout)."""
    cmd = [sys.executable, '-m', 'ocx_swift.aio.cli'] + list(args)
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=sys.stderr,
                            text=True, timeout=timeout)
    return result.returncode, result.stdout


def get_info(base_url, timeout=10):
    with urllib.request.urlopen(base_url.rstrip('/') + '/info',
                                timeout=timeout) as resp:
        return json.loads(resp.read())


def base_of(url):
    parts = urllib.parse.urlsplit(url)
    return '%s://%s' % (parts.scheme, parts.netloc)


def create_accounts(auth_url, users=(('test:tester', 'testing'),
                                     ('test2:tester2', 'testing2'))):
    """Create the test accounts, as Swift's in-process functional setup does.

    On an account that does not exist yet ``account_autocreate`` answers a
    GET 204 but a HEAD 200; the suite expects accounts that exist. A POST by
    the account's admin creates it.
    """
    for user, key in users:
        req = urllib.request.Request(auth_url, headers={
            'X-Auth-User': user, 'X-Auth-Key': key})
        with urllib.request.urlopen(req, timeout=30) as resp:
            token = resp.headers['X-Auth-Token']
            storage_url = resp.headers['X-Storage-Url']
        req = urllib.request.Request(storage_url, method='POST', headers={
            'X-Auth-Token': token})
        with urllib.request.urlopen(req, timeout=30) as resp:
            if resp.status // 100 != 2:
                raise ConformanceError('POST %s: %s' % (storage_url,
                                                        resp.status))


def test_constraints(info, warn):
    """The ``[swift-constraints]`` of test.conf: the endpoint's /info.

    Swift's suite sizes its own client for Swift's default constraints
    (http.client takes at most MAX_HEADER_COUNT = max_meta_count + 36
    response headers), so a limit raised above Swift's default cannot be
    tested: a test that fills it leaves an account or container whose HEAD
    the suite can no longer read, and every later test fails. Such a limit
    is written as Swift's default, with a warning (``warn``).
    """
    from swift.common.constraints import DEFAULT_CONSTRAINTS
    swift_info = info.get('swift', {})
    constraints = {}
    for key, default in DEFAULT_CONSTRAINTS.items():
        value = swift_info.get(key)
        if value is None or isinstance(value, bool):
            continue
        if key.startswith('max_meta_') and value > default:
            warn('/info has %s = %s, above Swift\'s default %s; test.conf '
                 'keeps the default: the tests of that limit will fail '
                 '(cluster change: drop the raised %s from its swift.conf '
                 '[swift-constraints])' % (key, value, default, key))
            value = default
        constraints[key] = str(value)
    return constraints


def write_test_conf(path, auth_url, s3_endpoint, info, warn=say):
    """Write a test.conf for Swift's functional tests, after sample.conf.

    The users are SAIO's tempauth users (every ``ocx-aio`` proxy has them);
    the constraints are the endpoint's own /info (see
    :func:`test_constraints`); s3api ACL tests run only when the
    endpoint's s3api has ``s3_acl`` on.
    """
    auth = urllib.parse.urlsplit(auth_url)
    prefix = auth.path[:-len('v1.0')] if auth.path.endswith('v1.0') \
        else '/auth/'
    conf = configparser.RawConfigParser()
    conf.optionxform = str
    s3_acl = bool(info.get('s3api', {}).get('s3_acl'))
    conf['s3api_test'] = {
        'endpoint': s3_endpoint,
        'region': 'us-east-1',
        'access_key1': 'test:tester', 'secret_key1': 'testing',
        'access_key2': 'test:tester2', 'secret_key2': 'testing2',
        'access_key3': 'test:tester3', 'secret_key3': 'testing3',
        's3_acl_tests_enabled': str(s3_acl),
    }
    conf['func_test'] = {
        'auth_host': auth.hostname,
        'auth_port': str(auth.port or 80),
        'auth_ssl': 'yes' if auth.scheme == 'https' else 'no',
        'auth_prefix': prefix,
        'auth_version': '1',
        's3_storage_url': s3_endpoint,
        's3_region': 'us-east-1',
        'account': 'test', 'username': 'tester', 'password': 'testing',
        's3_access_key': 'test:tester', 's3_secret_key': 'testing',
        'account2': 'test2', 'username2': 'tester2', 'password2': 'testing2',
        'username3': 'tester3', 'password3': 'testing3',
        's3_access_key2': 'test:tester2', 's3_secret_key2': 'testing2',
        's3_access_key3': 'test:tester3', 's3_secret_key3': 'testing3',
        # service token tests: tempauth reseller_prefix "AUTH, SERVICE",
        # SERVICE_require_group = service
        'account5': 'test5', 'username5': 'tester5', 'password5': 'testing5',
        'service_prefix': 'SERVICE',
        # reseller admin (tempauth .reseller_admin)
        'account6': 'admin', 'username6': 'admin', 'password6': 'admin',
        'collate': 'C',
        'insecure': 'no',
        # domain_remap does not say its domain in /info
        'storage_domain': STORAGE_DOMAIN if 'domain_remap' in info else '',
    }
    conf['unit_test'] = {'fake_syslog': 'False'}
    conf['swift-constraints'] = test_constraints(info, warn)
    with open(path, 'w') as fp:
        fp.write('# written by conformance/run_conformance.py for %s\n'
                 % auth_url)
        conf.write(fp)


# ------------------------------------------------------- the purge plugin
#
# Swift's suite expects every test class to start on empty accounts (its
# BaseEnv.setUp deletes every container first, and an object that will not
# go costs a 63 s listing_empty() wait each time). On the exchange some
# objects cannot be deleted through it, which would slow every later class
# and leak into unrelated tests. So this module is also a pytest plugin
# (``-p run_conformance``): once the last test of a class is torn down
# (tearDownClass, and tearDownModule at the end of a module, have run) it
# deletes whatever is still left in the test accounts through the endpoint,
# as its reseller admin, then whatever is left after that *directly on the
# backend clusters*, and logs what that found: the classes whose leftovers
# the endpoint could not delete.

PURGE_ENV = 'OCX_CONFORMANCE_PURGE'
PURGE_ACCOUNTS = ('AUTH_test', 'AUTH_test2')


def purge_accounts(backends, accounts=PURGE_ACCOUNTS):
    """Delete every object and container of ``accounts`` on each backend.

    :param backends: (auth_url, user, key) of reseller admins
    :returns: a list of ``"cluster/account/container (N objects)"``
    """
    from swiftclient import client as sc
    found = []
    for auth_url, user, key in backends:
        url, token = sc.get_auth(auth_url, user, key)
        base = url.rsplit('/', 1)[0]
        for account in accounts:
            acct_url = '%s/%s' % (base, account)
            try:
                _hdrs, containers = sc.get_account(acct_url, token,
                                                   full_listing=True)
            except sc.ClientException as err:
                if err.http_status == 404:
                    continue
                raise
            for cont in containers:
                name = cont['name']
                # else a DELETE restores or archives a version
                sc.post_container(acct_url, token, name, {
                    'X-Remove-Versions-Location': 'x',
                    'X-Remove-History-Location': 'x'})
                try:
                    _h, objs = sc.get_container(acct_url, token, name,
                                                full_listing=True)
                except sc.ClientException:
                    objs = []
                for obj in objs:
                    try:
                        sc.delete_object(acct_url, token, name, obj['name'])
                    except sc.ClientException:
                        pass
                try:
                    sc.delete_container(acct_url, token, name)
                except sc.ClientException:
                    pass
                found.append('%s/%s/%s (%d objects)' % (
                    urllib.parse.urlsplit(auth_url).netloc, account, name,
                    len(objs)))
    return found


def _purge_conf():
    text = os.environ.get(PURGE_ENV)
    return json.loads(text) if text else None


def _class_ends(item, nextitem):
    if nextitem is None:
        return True
    return (getattr(nextitem, 'cls', None) is not getattr(item, 'cls', None)
            or getattr(nextitem, 'module', None) is not
            getattr(item, 'module', None))


def _pytest_runtest_teardown(item, nextitem):
    yield
    conf = _purge_conf()
    if not conf or not _class_ends(item, nextitem):
        return
    try:
        # through the endpoint first, as the suite itself would (so that
        # its caches stay right: s3api tests reuse bucket names); what
        # is left then is what the endpoint could not delete
        purge_accounts([conf['endpoint']])
        found = purge_accounts(conf['backends'])
        message = ', '.join(found)
    except Exception as err:  # noqa: a purge never fails a test
        found, message = True, 'purge failed: %s: %s' % (
            type(err).__name__, err)
    if found:
        with open(conf['log'], 'a') as fp:
            fp.write('%s\t%s\n' % (item.nodeid.rsplit('::', 1)[0], message))


try:
    import pytest
except ImportError:  # the runner itself runs before pytest is installed
    pytest = None
if pytest is not None:
    pytest_runtest_teardown = pytest.hookimpl(hookwrapper=True)(
        _pytest_runtest_teardown)


# ------------------------------------------------------------------ one run

class Run(object):
    """One pytest run of the suite against one ``ocx-aio`` set."""

    def __init__(self, name, args, suite_dir):
        self.name = name
        self.args = args
        self.suite_dir = suite_dir
        self.dir = os.path.join(args.workdir, name)
        self.aio_dir = os.path.join(self.dir, 'aio')
        self.conf = os.path.join(self.dir, 'test.conf')
        self.junit = os.path.join(self.dir, 'junit.xml')
        self.log = os.path.join(self.dir, 'pytest.log')
        self.purge_log = os.path.join(self.dir, 'purged.tsv')
        self.backends = []
        self.endpoint = None
        self.started = False
        self.lock = threading.Lock()
        self.proc = None
        self.wall = None
        self.timed_out = False
        self.error = None
        self.info = {}
        self.deselected = []
        self.warnings = []

    def say(self, msg):
        say('%s: %s' % (self.name, msg))

    def warn(self, msg):
        self.say('WARNING: ' + msg)
        self.warnings.append(msg)

    def start_set(self):
        if os.path.exists(os.path.join(self.aio_dir, 'aio.json')):
            aio('wipe', '--dir', self.aio_dir)
        argv = ['start', '--dir', self.aio_dir]
        if self.name == 'plain':
            argv += ['--no-exchange', '--clusters', '1']
        else:
            argv += ['--clusters', str(EXCHANGE_CLUSTERS)]
        self.say('ocx-aio %s' % ' '.join(argv))
        self.started = True
        rc, out = aio(*argv)
        if rc:
            raise ConformanceError('ocx-aio start failed (exit %d)' % rc)
        env = parse_env(out)
        with open(os.path.join(self.dir, 'ocx-aio.env'), 'w') as fp:
            fp.write(out)
        # the purge works on the clusters themselves, never the exchange
        self.backends = [(value, 'admin:admin', 'admin')
                         for key, value in sorted(env.items())
                         if key.startswith('CLUSTER_') and
                         key.endswith('_AUTH_URL')]
        if self.name == 'plain':
            auth_url = env['CLUSTER_c1_AUTH_URL']
            s3_endpoint = base_of(auth_url)
        else:
            auth_url = env['OCX_AUTH_URL']
            s3_endpoint = env['OCX_S3_ENDPOINT']
        self.endpoint = (auth_url, 'admin:admin', 'admin')
        info = self.info = get_info(base_of(auth_url))
        with open(os.path.join(self.dir, 'info.json'), 'w') as fp:
            json.dump(info, fp, indent=2, sort_keys=True)
        write_test_conf(self.conf, auth_url, s3_endpoint, info,
                        warn=self.warn)
        create_accounts(auth_url)
        self.say('endpoint %s, test.conf %s' % (auth_url, self.conf))

    def stop_set(self):
        with self.lock:
            self._stop_set()

    def _stop_set(self):
        if not self.started:
            return
        if self.args.keep:
            self.say('--keep: the set keeps running; stop it with '
                     '"ocx-aio wipe --dir %s"' % self.aio_dir)
            self.started = False
            return
        logs = os.path.join(self.aio_dir, 'logs')
        if os.path.isdir(logs):  # keep the server logs; wipe removes them
            dest = os.path.join(self.dir, 'logs')
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(logs, dest)
        try:
            aio('wipe', '--dir', self.aio_dir, timeout=120)
        except Exception as err:  # noqa: report, do not mask the run
            self.say('could not stop %s: %s' % (self.aio_dir, err))
        self.started = False

    def pytest_argv(self):
        argv = [sys.executable, '-m', 'pytest', '-c', PYTEST_INI,
                '--rootdir', self.suite_dir, '-p', 'no:cacheprovider',
                '-p', PLUGIN,
                '-v', '-rfE', '--durations=15',
                '--junitxml', self.junit]
        if self.args.test_timeout:
            argv += ['--timeout', str(self.args.test_timeout)]
        if self.args.k:
            argv += ['-k', self.args.k]
        self.deselected = []
        for key, tests, option in FEATURE_GATED:
            if key not in self.info:
                self.say('deselected (/info has no %s; enable with %s): %s'
                         % (key, option, ' '.join(tests)))
                self.deselected += tests
                for test in tests:
                    argv += ['--deselect', test]
        return argv + list(self.args.tests or TEST_DIRS)

    def run_pytest(self):
        env = dict(os.environ)
        env.update(SWIFT_TEST_CONFIG_FILE=self.conf,
                   PYTHONPATH=os.pathsep.join(
                       [self.suite_dir, HERE] + [p for p in env.get(
                           'PYTHONPATH', '').split(os.pathsep) if p]),
                   SWIFT_TEST_QUIET_BOTO_LOGS='1',
                   PYTHONDONTWRITEBYTECODE='1')
        for var in ('SWIFT_TEST_IN_PROCESS', 'SWIFT_TEST_POLICY',
                    'SWIFT_TEST_AWS_CONFIG_FILE'):
            env.pop(var, None)
        if self.args.purge:
            env[PURGE_ENV] = json.dumps({'endpoint': self.endpoint,
                                         'backends': self.backends,
                                         'log': self.purge_log})
        for path in (self.junit, self.purge_log):
            if os.path.exists(path):
                os.unlink(path)
        argv = self.pytest_argv()
        self.say('$ %s' % shlex.join(argv[1:]))
        self.say('log: %s' % self.log)
        counts = collections.Counter()
        status_re = re.compile(r' (PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)'
                               r'(?: |$)')
        start = time.monotonic()
        with open(self.log, 'w') as log:
            self.proc = subprocess.Popen(
                argv, cwd=self.suite_dir, env=env, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, errors='replace',
                start_new_session=True)
            timer = threading.Timer(self.args.timeout, self._time_out)
            timer.daemon = True
            timer.start()
            last = start
            try:
                for line in self.proc.stdout:
                    log.write(line)
                    match = status_re.search(line)
                    if match and '::' in line:
                        counts[match.group(1).lower()] += 1
                    now = time.monotonic()
                    if now - last >= PROGRESS_EVERY:
                        last = now
                        log.flush()
                        self.say('%ds: %s' % (now - start, ', '.join(
                            '%d %s' % (n, s) for s, n in sorted(
                                counts.items())) or 'collecting'))
                self.proc.wait()
            finally:
                timer.cancel()
                self.kill_pytest()
        self.wall = time.monotonic() - start
        self.say('pytest exit %s after %.0fs%s' % (
            self.proc.returncode, self.wall,
            ' (timed out)' if self.timed_out else ''))

    def _time_out(self):
        self.timed_out = True
        self.say('time bound of %ds reached: interrupting pytest'
                 % self.args.timeout)
        self._signal(signal.SIGINT)  # pytest still writes its junit xml

        def kill_later():
            time.sleep(60)
            self._signal(signal.SIGKILL)
        threading.Thread(target=kill_later, daemon=True).start()

    def _signal(self, sig):
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass

    def kill_pytest(self):
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        self._signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            proc.wait()

    def execute(self):
        """Start the set, run pytest, stop the set; never raises."""
        os.makedirs(self.dir, exist_ok=True)
        try:
            self.start_set()
            self.run_pytest()
        except BaseException as err:  # noqa: recorded, reported
            self.error = '%s: %s' % (type(err).__name__, err)
            self.say('failed: %s' % self.error)
            self.kill_pytest()
            if not isinstance(err, Exception):
                raise
        finally:
            self.stop_set()


# ---------------------------------------------------------------- results

def test_file(case):
    """The test file a junit testcase was collected from.

    From its classname (``test.functional.tests.TestFile`` ->
    ``test/functional/tests.py``): junit's ``file`` names where the test
    function is defined, which for an inherited test is another file.
    """
    module = case.get('classname', '').split('.')
    while module and module[-1][:1].isupper():
        module.pop()
    if module:
        return '/'.join(module) + '.py'
    return case.get('file') or '?'


def parse_junit(path):
    """Return {test id: (file, status, message)} from a junit xml file."""
    results = {}
    if not os.path.exists(path):
        return results
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        return results
    for case in root.iter('testcase'):
        classname = case.get('classname', '')
        name = case.get('name', '')
        fname = test_file(case)
        cls = classname.rsplit('.', 1)[-1] if classname else ''
        test_id = '%s::%s::%s' % (fname, cls, name) if cls and \
            cls[:1].isupper() else '%s::%s' % (fname, name)
        status, message = 'passed', ''
        for child in case:
            if child.tag in ('failure', 'error'):
                status = 'failed' if child.tag == 'failure' else 'error'
                message = child.get('message') or (child.text or '')
                break
            if child.tag == 'skipped':
                status = 'skipped'
                message = child.get('message') or ''
        results[test_id] = (fname, status, first_line(message))
    return results


def first_line(message):
    lines = [line.strip() for line in (message or '').splitlines()
             if line.strip()]
    text = lines[0] if lines else ''
    return text[:300]


def tally(results):
    per_file = collections.defaultdict(collections.Counter)
    for fname, status, _msg in results.values():
        per_file[fname][status] += 1
    return per_file


def feature_of(test_id):
    for feature, pattern in FEATURES:
        if re.search(pattern, test_id):
            return feature
    return 'other'


def read_purge_log(path):
    """{test class: (objects left, text)} from a purged.tsv."""
    classes = {}
    if os.path.exists(path):
        with open(path) as fp:
            for line in fp:
                where, _sep, what = line.rstrip('\n').partition('\t')
                if not where:
                    continue
                objects = sum(int(n) for n in re.findall(
                    r'\((\d+) objects\)', what))
                classes[where] = (objects, what[:300])
    return classes


def format_table(results_by_run):
    names = [name for name in RUNS if name in results_by_run]
    per_run = {name: tally(results_by_run[name]) for name in names}
    files = sorted({f for t in per_run.values() for f in t})
    head = '%-44s' % 'test file'
    for name in names:
        head += ' | %-23s' % ('%s  P/F/S/E' % name)
    lines = [head, '-' * len(head)]
    totals = {name: collections.Counter() for name in names}
    for fname in files:
        row = '%-44s' % fname
        for name in names:
            count = per_run[name].get(fname, collections.Counter())
            totals[name].update(count)
            row += ' | %-23s' % '/'.join(str(count[s]) for s in STATUSES)
        lines.append(row)
    lines.append('-' * len(head))
    row = '%-44s' % 'total'
    for name in names:
        row += ' | %-23s' % '/'.join(str(totals[name][s]) for s in STATUSES)
    lines.append(row)
    return '\n'.join(lines)


def differences(plain, exchange):
    """Tests that pass on plain but not on the exchange.

    :returns: a list of (test id, exchange status, message), sorted
    """
    diff = []
    for test_id, (_fname, status, _msg) in plain.items():
        if status != 'passed':
            continue
        other = exchange.get(test_id)
        if other is None:
            diff.append((test_id, 'not run', ''))
        elif other[1] != 'passed':
            diff.append((test_id, other[1], other[2]))
    return sorted(diff)


def format_differences(diff):
    groups = collections.defaultdict(list)
    for item in diff:
        groups[feature_of(item[0])].append(item)
    lines = ['difference: %d tests pass on plain but not on the exchange'
             % len(diff)]
    for feature in FEATURE_ORDER:
        items = groups.get(feature)
        if not items:
            continue
        first = next((m for _t, _s, m in items if m), '')
        statuses = collections.Counter(s for _t, s, _m in items)
        lines.append('')
        lines.append('== %s: %d (%s)' % (feature, len(items), ', '.join(
            '%d %s' % (n, s) for s, n in sorted(statuses.items()))))
        if first:
            lines.append('   first error: %s' % first)
        for test_id, status, _msg in items:
            lines.append('   %-7s %s' % (status, test_id))
    return '\n'.join(lines)


# --------------------------------------------------------------------- main

def build_parser():
    parser = argparse.ArgumentParser(
        description='Run Swift\'s own functional tests against a plain '
        'Swift cluster and against the OCX exchange, and report where '
        'the exchange does not behave like Swift.')
    parser.add_argument('--only', choices=RUNS,
                        help='run one side only; "--only exchange" compares '
                        'with the plain results already in the workdir')
    parser.add_argument('--keep', action='store_true',
                        help='leave the clusters running afterwards')
    parser.add_argument('-k', metavar='EXPR',
                        help='pytest -k expression selecting tests')
    parser.add_argument('--workdir', default=None,
                        help='where test.conf, logs and junit xml go '
                        '(default: CACHE_DIR/runs)')
    parser.add_argument('--cache-dir', default=default_cache_dir(),
                        help='where the swift sdist is kept and unpacked '
                        '(default: %(default)s)')
    parser.add_argument('--jobs', type=int, default=1, choices=(1, 2),
                        help='2 runs plain and exchange at the same time '
                        '(default 1: one after the other)')
    parser.add_argument('--timeout', type=int, default=None,
                        help='time bound of one pytest run in seconds '
                        '(default 7200, with --ci 1800)')
    parser.add_argument('--test-timeout', type=int, default=300,
                        help='time bound of one test in seconds, 0 for '
                        'none (default %(default)s)')
    parser.add_argument('--no-purge', dest='purge', action='store_false',
                        help='do not empty the test accounts on the backend '
                        'clusters after each test class')
    parser.add_argument('--allow-differences', action='store_true',
                        help='exit 0 even when the exchange differs')
    parser.add_argument('--ci', action='store_true',
                        help='what CI runs: the exchange only, compared '
                        'with the committed baseline and known '
                        'differences (--only exchange --baseline %s '
                        '--known %s), time bound 1800 s' % (
                            os.path.relpath(ratchet.BASELINE),
                            os.path.relpath(ratchet.KNOWN)))
    parser.add_argument('--baseline', metavar='FILE',
                        help='compare the exchange with the tests this '
                        'baseline file lists instead of a plain run')
    parser.add_argument('--known', metavar='FILE',
                        help='known differences (test id | reason): '
                        'they do not count; those that pass again are '
                        'reported')
    parser.add_argument('--write-baseline', nargs='?', metavar='FILE',
                        const=ratchet.BASELINE,
                        help='after a plain run, write the tests that '
                        'passed to FILE (default %(const)s)')
    parser.add_argument('--report-only', action='store_true',
                        help='run nothing: report from the junit xml '
                        'files already in the workdir')
    parser.add_argument('tests', nargs='*',
                        help='test paths relative to the sdist (default: '
                        '%s)' % ' '.join(TEST_DIRS))
    return parser


def _on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def load_ratchet(args):
    """Read ``--baseline`` and ``--known`` into ``args.baseline_ids`` and
    ``args.known_diffs``; an error message, or None."""
    args.baseline_ids = args.known_diffs = None
    try:
        if args.baseline:
            version, args.baseline_ids = ratchet.read_baseline(args.baseline)
            if version != swift_version():
                return ('%s lists the tests of swift %s, the installed swift '
                        'is %s: regenerate it with --only plain '
                        '--write-baseline' % (args.baseline, version,
                                              swift_version()))
        if args.known:
            args.known_diffs = ratchet.read_known(args.known)
    except (OSError, ratchet.RatchetError) as err:
        return str(err)
    return None


def check_args(args):
    """Settle option combinations; an error message, or None."""
    if args.ci:
        args.only = 'exchange'
        args.baseline = args.baseline or ratchet.BASELINE
        args.known = args.known or ratchet.KNOWN
    if args.timeout is None:
        args.timeout = 1800 if args.ci else 7200
    if args.baseline and args.only != 'exchange':
        return '--baseline compares an exchange run: use --only exchange'
    if args.write_baseline and (args.only == 'exchange' or args.k or
                                args.tests or args.report_only):
        return '--write-baseline needs a whole plain run (no -k, no tests)'
    return load_ratchet(args)


def save_baseline(args, runs):
    """``--write-baseline``: the plain run's passed tests; exit code."""
    run = runs.get('plain')
    if run is None or run.error or run.timed_out:
        say('no baseline written: the plain run did not complete')
        return 2
    count = ratchet.write_baseline(args.write_baseline,
                                   parse_junit(run.junit), swift_version())
    say('wrote %d test ids to %s' % (count, args.write_baseline))
    return 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    args.cache_dir = os.path.abspath(args.cache_dir)
    args.workdir = os.path.abspath(args.workdir or
                                   os.path.join(args.cache_dir, 'runs'))
    signal.signal(signal.SIGTERM, _on_sigterm)
    # started in the background, SIGINT may come ignored, and pytest then
    # ignores the SIGINT that stops it at the time bound (it would be
    # killed without writing its junit xml): catch it, so that the
    # children start with the default
    signal.signal(signal.SIGINT, signal.default_int_handler)
    error = check_args(args)
    if error:
        say('error: %s' % error)
        return 2
    names = [args.only] if args.only else list(RUNS)
    runs = {}
    if not args.report_only:
        try:
            version = swift_version()
            sdist = fetch_sdist(args.cache_dir, version)
            suite_dir = unpack_suite(sdist, args.cache_dir, version)
            install_test_requirements(suite_dir)
        except (ConformanceError, OSError, subprocess.SubprocessError) as err:
            say('error: %s' % err)
            return 2
        os.makedirs(args.workdir, exist_ok=True)
        runs = {name: Run(name, args, suite_dir) for name in names}
        interrupted = False
        try:
            if args.jobs > 1 and len(runs) > 1:
                threads = [threading.Thread(target=run.execute)
                           for run in runs.values()]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    while thread.is_alive():
                        thread.join(1)
            else:
                for run in runs.values():
                    run.execute()
        except KeyboardInterrupt:
            interrupted = True
            say('interrupted: stopping what was started')
        finally:
            for run in runs.values():  # after an interrupt
                run.kill_pytest()
                run.stop_set()
        if interrupted:
            report(args, runs)
            return 130
    code = report(args, runs)
    if args.write_baseline:
        code = max(code, save_baseline(args, runs))
    return code


def report(args, runs):
    results = {}
    for name in RUNS:
        path = os.path.join(args.workdir, name, 'junit.xml')
        if name == 'plain' and args.baseline_ids is not None:
            continue  # compared with the baseline file instead
        if name in runs or (os.path.exists(path) and
                            name in (args.only or name, 'plain')):
            results[name] = parse_junit(path)
    out = []
    for name, run in runs.items():
        if run.wall is not None:
            out.append('%s: wall time %.0fs%s' % (
                name, run.wall, ' (TIMED OUT)' if run.timed_out else ''))
        if run.error:
            out.append('%s: ERROR %s' % (name, run.error))
        for warning in run.warnings:
            out.append('%s: WARNING %s' % (name, warning))
        if run.deselected:
            out.append('%s: deselected (feature not in /info): %s'
                       % (name, ' '.join(run.deselected)))
    purged = {}
    for name in results:
        purged[name] = read_purge_log(
            os.path.join(args.workdir, name, 'purged.tsv'))
    for name, classes in purged.items():
        with_objects = {k: v for k, v in classes.items() if v[0]}
        out.append('%s: %d test classes left what the endpoint could not '
                   'delete, %d of them objects (purged on the backends; '
                   '%s)' % (
                       name, len(classes), len(with_objects), os.path.join(
                           args.workdir, name, 'purged.tsv')))
    if 'exchange' in purged and 'plain' in purged:
        extra = sorted(k for k, v in purged['exchange'].items()
                       if v[0] and not purged['plain'].get(k, (0,))[0])
        if extra:
            out.append('exchange: classes that left objects the exchange '
                       'could not delete (and the plain cluster could):')
            for key in extra:
                out.append('   %s: %s' % (key, purged['exchange'][key][1]))
    out.append('')
    out.append(format_table(results))
    failed_runs = [name for name, run in runs.items()
                   if run.error or not results.get(name)]
    if args.baseline_ids is not None and not results.get('exchange') and \
            'exchange' not in failed_runs:
        failed_runs.append('exchange')  # --report-only without results
    plain = results.get('plain')
    if args.baseline_ids is not None:
        plain = ratchet.baseline_results(args.baseline_ids)
        out.append('plain: %d tests pass in %s' % (
            len(plain), args.baseline))
    if 'exchange' in results and plain:
        exchange = results['exchange']
        diff = differences(plain, exchange)
        if args.k or args.tests:  # compare only what both selected
            diff = [d for d in diff if d[1] != 'not run']
        passed = sum(1 for r in exchange.values() if r[1] == 'passed')
        failed = len(diff)
        out.append('')
        out.append(format_differences(diff))
        if args.known_diffs is not None:
            comparison = ratchet.compare(diff, exchange, set(plain),
                                         args.known_diffs)
            failed = len(comparison.new)
            out.append('')
            out.append(ratchet.format_comparison(comparison, args.known))
    else:
        only = results.get('exchange') or results.get('plain') or {}
        if 'exchange' in results:
            say('no plain results to compare with: counting every exchange '
                'failure')
        passed = sum(1 for r in only.values() if r[1] == 'passed')
        failed = sum(1 for r in only.values()
                     if r[1] in ('failed', 'error'))
    text = '\n'.join(out) + '\n'
    os.makedirs(args.workdir, exist_ok=True)
    with open(os.path.join(args.workdir, 'report.txt'), 'w') as fp:
        fp.write(text + 'conformance: %d passed, %d failed\n'
                 % (passed, failed))
    sys.stdout.write(text)
    if failed_runs:
        say('no usable results from: %s' % ', '.join(failed_runs))
    print('conformance: %d passed, %d failed' % (passed, failed), flush=True)
    if failed_runs and not args.allow_differences:
        return 2
    return 0 if failed == 0 or args.allow_differences else 1


if __name__ == '__main__':
    sys.exit(main())
