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

"""Start, stop and report on an ``ocx-aio`` set (used by the CLI and tests)."""

import fcntl
import os
import shutil
import signal
import time

from ocx_swift.aio import layout as layout_mod, ports, procs, storage
from ocx_swift.aio.cluster import Cluster
from ocx_swift.aio.exchange import Exchange
from ocx_swift.aio.layout import ENV_FILE, Layout

DEFAULT_CLUSTERS = 3
DEFAULT_LANDLORDS = 3
DEFAULT_TIMEOUT = 60.0
DEFAULT_UPDATER_INTERVAL = 30
POLL = 0.2
LOG_TAIL = 20


class AioError(Exception):
    """A set could not be started; the message says why."""


class AlreadyRunning(AioError):
    pass


def default_root():
    """``$OCX_AIO_DIR``, else ``~/.ocx-aio``."""
    return os.path.abspath(os.environ.get('OCX_AIO_DIR') or
                           os.path.expanduser('~/.ocx-aio'))


def start(root, n_clusters=None, n_landlords=None, port=None,
          storage_choice='auto', timeout=DEFAULT_TIMEOUT,
          updater_interval=DEFAULT_UPDATER_INTERVAL, exchange=True,
          say=lambda msg: None, tls=None):
    """Start a set in ``root`` (reusing its saved layout, if any).

    :param n_clusters: clusters to create (default 3; for an existing
        ``root``, None or the saved number)
    :param n_landlords: landlords to assign them to, round robin
    :param port: the exchange's port (default: free one)
    :param storage_choice: ``auto``, ``disk`` or ``tmpfs`` (see
        :func:`~ocx_swift.aio.storage.choose`)
    :param timeout: seconds to wait for every server to answer
    :param updater_interval: container-updater interval; 0 runs none
    :param exchange: False to start the landlord clusters only
    :param say: called with progress and warning messages (for stderr)
    :param tls: True to serve every proxy over TLS with certificates of a
        CA made for the set (a new set only; None or the saved choice for
        an existing ``root``)
    :returns: the ``(KEY, value)`` pairs describing the set
    :raises AlreadyRunning: if processes of ``root`` are running
    :raises AioError: if a server did not come up (all are stopped again)
    """
    root = os.path.abspath(root)
    os.makedirs(root, exist_ok=True)
    with _locked(root):
        running = procs.alive(root)
        if running:
            raise AlreadyRunning(
                '%s is already running (%d of %d processes up; '
                '`ocx-aio stop --dir %s` stops them)' % (
                    root, len(running), len(procs.pid_files(root)), root))
        layout = _layout(root, n_clusters, n_landlords, port,
                         storage_choice, say, tls)
        parts = [Cluster(layout, c, updater_interval, landlord=exchange)
                 for c in layout.clusters]
        if exchange:
            parts.append(Exchange(layout, updater_interval))
        services = [s for part in parts for s in part.services()]
        _check_ports(layout, exchange)
        for part in parts:
            part.write_files()
        began = time.monotonic()
        try:
            _launch(root, services, timeout)
        except BaseException:
            procs.stop(root)
            raise
        say('%d processes up in %.1fs' % (len(services),
                                          time.monotonic() - began))
        pairs = env_pairs(layout, exchange)
        layout_mod.write_private(os.path.join(root, ENV_FILE),
                                 layout_mod.format_env(pairs))
        return pairs


def add_cluster(root, landlord=None, timeout=DEFAULT_TIMEOUT,
                updater_interval=DEFAULT_UPDATER_INTERVAL,
                say=lambda msg: None):
    """Start one more landlord cluster in a running set.

    The cluster (``c<N+1>``) is made and started like those of
    :func:`start`, and its credentials go into the exchange's
    ``ocx-clusters.conf``; the ring is not touched (the OCX proxy serves
    the cluster once a ring names it: it re-reads the cluster config when
    the ring changes). ``status`` then lists it.

    :param landlord: its landlord (default: the next one, round robin)
    :returns: the new cluster's ``(KEY, value)`` pairs
    :raises AioError: if the set is not running, or the cluster did not
        come up (its processes are stopped again, the set is unchanged)
    """
    root = os.path.abspath(root)
    pairs, message = status(root)
    if pairs is None:
        raise AioError('%s: start the set first' % message)
    with _locked(root):
        old = Layout.load(root)
        layout, cluster = old.with_new_cluster(landlord)
        part = Cluster(layout, cluster, updater_interval, landlord=True)
        busy = ports.busy_ports(cluster.ports.values())
        if busy:
            raise AioError('port(s) in use on %s: %s' % (
                ports.LOOPBACK, ', '.join(map(str, busy))))
        part.write_files()
        services = part.services()
        began = time.monotonic()
        try:
            _launch(root, services, timeout)
        except BaseException:
            procs.stop(root, names=[s.name for s in services])
            raise
        say('%s (%s) up in %.1fs' % (cluster.name, cluster.landlord,
                                     time.monotonic() - began))
        layout.save()
        _register(root, layout, dict(pairs))
        return layout_mod.cluster_env(cluster)


def _register(root, layout, env):
    """Write the exchange's cluster config and the saved KEY=value lines
    for ``layout`` (policy lines stay those the exchange started with)."""
    exchange = Exchange(layout)
    if os.path.exists(exchange.cluster_conf_path):
        exchange.write_cluster_conf()
    policies = [(k, v) for k, v in env.items() if k.startswith('POLICY_')]
    pairs = [(k, v) for k, v in env_pairs(layout, 'OCX_AUTH_URL' in env)
             if not k.startswith('POLICY_')] + policies
    layout_mod.write_private(os.path.join(root, ENV_FILE),
                             layout_mod.format_env(pairs))


def env_pairs(layout, exchange=True):
    pairs = layout.env()
    if not exchange:
        pairs = [(k, v) for k, v in pairs
                 if k in ('OCX_DIR', 'OCX_CA_FILE') or
                 k.startswith('CLUSTER_')]
    return pairs


def status(root):
    """Return the saved ``(KEY, value)`` pairs if every process runs, but
    for clusters stopped on purpose (:func:`stop_cluster`).

    :returns: ``(pairs or None, message)``; the message names clusters
        stopped or paused
    """
    root = os.path.abspath(root)
    recorded = procs.pid_files(root)
    running = procs.alive(root)
    if not recorded:
        return None, '%s is not running' % root
    if len(running) < len(recorded):
        down = sorted(set(recorded) - set(running))
        return None, '%s is not running: %s down' % (root, ', '.join(down))
    try:
        with open(os.path.join(root, ENV_FILE)) as fp:
            env = layout_mod.parse_env(fp.read())
    except FileNotFoundError:
        return None, '%s is starting' % root
    notes = ['%s stopped' % name for name in sorted(stopped_clusters(root))]
    notes += ['%s paused' % name for name in paused_clusters(root)]
    return list(env.items()), '%s is running%s' % (
        root, ''.join('; ' + n for n in notes))


# -- one cluster at a time (operators trying failures; probe tests) -------


def _cluster_layout(root, name):
    layout = Layout.load(os.path.abspath(root))
    if layout is None:
        raise AioError('%s holds no set' % root)
    for cluster in layout.clusters:
        if cluster.name == name:
            return layout, cluster
    raise AioError('no cluster %r in %s (clusters: %s)' % (
        name, root, ', '.join(c.name for c in layout.clusters)))


def _cluster_names(root, name):
    """The set's running process names that belong to cluster ``name``."""
    return sorted(n for n in procs.alive(root) if n.startswith(name + '-'))


def _stopped_path(root, name):
    return os.path.join(root, 'run', '%s.stopped' % name)


def stopped_clusters(root):
    """Names of the clusters :func:`stop_cluster` stopped."""
    run_dir = os.path.join(os.path.abspath(root), 'run')
    try:
        return [e[:-len('.stopped')] for e in os.listdir(run_dir)
                if e.endswith('.stopped')]
    except FileNotFoundError:
        return []


def paused_clusters(root):
    """Names of the clusters with a paused (SIGSTOP) process."""
    paused = set()
    for name, pid in procs.alive(os.path.abspath(root)).items():
        if procs.is_paused(pid):
            paused.add(name.split('-', 1)[0])
    return sorted(paused)


def stop_cluster(root, name, timeout=10.0):
    """Stop every process of one cluster (its data stays); the set keeps
    running and ``status`` names it stopped.

    :returns: the names of the processes stopped
    :raises AioError: for an unknown cluster, or one not running
    """
    root = os.path.abspath(root)
    _cluster_layout(root, name)
    names = _cluster_names(root, name)
    if not names:
        raise AioError('cluster %s is not running' % name)
    resume_cluster(root, name)  # a paused process cannot take SIGTERM
    stopped = procs.stop(root, names=names, timeout=timeout)
    layout_mod.write_private(_stopped_path(root, name), '\n'.join(names))
    return stopped


def start_cluster(root, name, timeout=DEFAULT_TIMEOUT):
    """Start again the processes :func:`stop_cluster` stopped.

    :returns: the names of the processes started
    :raises AioError: for an unknown cluster, one not stopped, or one whose
        servers did not come up
    """
    root = os.path.abspath(root)
    layout, cluster = _cluster_layout(root, name)
    try:
        with open(_stopped_path(root, name)) as fp:
            names = fp.read().split()
    except FileNotFoundError:
        raise AioError('cluster %s was not stopped with stop-cluster'
                       % name)
    updaters = any(n.endswith('-updater') for n in names)
    part = Cluster(layout, cluster, 1 if updaters else 0, landlord=True)
    services = [s for s in part.services() if s.name in names]
    _launch(root, services, timeout)
    os.unlink(_stopped_path(root, name))
    return [s.name for s in services]


def pause_cluster(root, name):
    """SIGSTOP every process of one cluster: it accepts connections and
    answers nothing, as a stalled cluster does.

    :returns: the names of the processes paused
    """
    return _signal_cluster(root, name, signal.SIGSTOP)


def resume_cluster(root, name):
    """SIGCONT every process of one cluster."""
    return _signal_cluster(root, name, signal.SIGCONT)


def _signal_cluster(root, name, signum):
    root = os.path.abspath(root)
    _cluster_layout(root, name)
    names = _cluster_names(root, name)
    if not names:
        raise AioError('cluster %s is not running' % name)
    procs.signal_names(root, names, signum)
    return names


def stop(root, timeout=10.0):
    """Stop exactly the processes started for ``root``.

    :returns: the names of the processes that were running
    """
    root = os.path.abspath(root)
    stopped = procs.stop(root, timeout=timeout)
    for path in [os.path.join(root, ENV_FILE)] + [
            _stopped_path(root, n) for n in stopped_clusters(root)]:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    return stopped


def wipe(root):
    """Stop the set and delete ``root`` and its storage (also on tmpfs)."""
    root = os.path.abspath(root)
    stop(root)
    layout = Layout.load(root)
    if layout is not None and layout.storage_kind == 'tmpfs':
        shutil.rmtree(layout.storage, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)


class _locked(object):
    """An exclusive lock on ``<root>/.lock`` (one ``start`` at a time)."""

    def __init__(self, root):
        self.path = os.path.join(root, '.lock')

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise AlreadyRunning('%s is being started' % os.path.dirname(
                self.path))

    def __exit__(self, *exc_info):
        os.close(self.fd)


def _layout(root, n_clusters, n_landlords, port, storage_choice, say,
            tls=None):
    saved = Layout.load(root)
    if saved is None:
        path, kind, warning = storage.choose(root, storage_choice or 'auto')
        if warning:
            say(warning)
        layout = Layout.new(root, n_clusters or DEFAULT_CLUSTERS,
                            n_landlords or DEFAULT_LANDLORDS, port, path, kind,
                            tls=bool(tls))
        layout.save()
    else:
        _check_same(saved, n_clusters, n_landlords, port, storage_choice,
                    tls)
        layout = saved
        if not os.path.isdir(layout.storage):
            say('storage %s is gone (tmpfs after a reboot?): clusters start '
                'empty' % layout.storage)
    os.makedirs(layout.storage, mode=0o700, exist_ok=True)
    say('storage: %s (%s)' % (layout.storage, layout.storage_kind))
    return layout


def _check_same(saved, n_clusters, n_landlords, port, storage_choice,
                tls=None):
    wanted = len(saved.clusters) if n_clusters is None else n_clusters
    landlords = len(saved.landlords) if n_landlords is None else min(
        n_landlords, wanted)
    kind = storage_choice if storage_choice in ('disk', 'tmpfs') else None
    if (wanted, landlords, port or saved.exchange.port,
            kind or saved.storage_kind, saved.tls if tls is None else tls) != (
            len(saved.clusters), len(saved.landlords), saved.exchange.port,
            saved.storage_kind, saved.tls):
        raise AioError(
            '%s already holds a set of %d clusters, %d landlords, port %d, '
            '%s storage, %s: start it without options, or use another --dir '
            '(or `ocx-aio wipe` it)' % (
                saved.root, len(saved.clusters), len(saved.landlords),
                saved.exchange.port, saved.storage_kind,
                'TLS' if saved.tls else 'no TLS'))


def _check_ports(layout, exchange):
    wanted = layout.all_ports()
    if not exchange:
        wanted = wanted[layout_mod.EXCHANGE_PORTS:]
    busy = ports.busy_ports(wanted)
    if busy:
        raise AioError('port(s) in use on %s: %s' % (
            ports.LOOPBACK, ', '.join(map(str, busy))))


def _launch(root, services, timeout):
    """Spawn every service, then wait (bounded) until each answers."""
    for service in services:
        procs.spawn(root, service.name, service.argv)
    pending = list(services)
    deadline = time.monotonic() + timeout
    while pending:
        running = procs.alive(root)
        for service in list(pending):
            if service.name not in running:
                raise AioError(_failure(root, service, 'exited'))
            if service.probe is None or service.probe():
                pending.remove(service)
        if pending and time.monotonic() > deadline:
            raise AioError('\n'.join(
                _failure(root, s, 'no answer after %gs (%s)' % (
                    timeout, s.probe.what)) for s in pending))
        if pending:
            time.sleep(POLL)


def _failure(root, service, why):
    log = procs.log_path(root, service.name)
    return '%s %s; last lines of %s:\n%s' % (
        service.name, why, log, procs.tail(log, LOG_TAIL))
