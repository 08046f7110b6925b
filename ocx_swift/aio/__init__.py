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

"""``ocx-aio``: real local landlord clusters plus an OCX proxy, all in one.

A new user's first step and the functional-test harness. ``ocx-aio start``
builds N independent single-node Swift clusters (each with its own
``swift.conf``, rings, devices, memcached, account/container/object servers
and proxy) and one OCX proxy-server in front of them, all on loopback ports
under one directory, and prints ``KEY=value`` lines describing them.

Modules: :mod:`.cli` (argument parsing), :mod:`.control` (start/stop/status),
:mod:`.layout` (the persisted ports, keys and hashes), :mod:`.conf` (config
text), :mod:`.rings`, :mod:`.storage`, :mod:`.ports`, :mod:`.procs`,
:mod:`.certs` (the CA and certificates of ``--tls``) and :mod:`.launch`
(the per-process Swift launcher).
"""
