#!/usr/bin/env bash
# Install ocx_swift with what its tests need, then run every test:
# unit tests (seconds), then functional tests against real local landlord
# clusters started once by ocx-aio, then Swift's own functional suite
# through the exchange, compared with the committed plain-cluster baseline
# and known differences (conformance/README.rst).
#
#   ./run_tests.sh              # everything
#   ./run_tests.sh -k listing   # extra arguments go to both pytest runs
#                               # (and leave out the conformance suite)
#   OCX_SKIP_CONFORMANCE=1 ./run_tests.sh   # unit and functional only
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v memcached >/dev/null 2>&1 || need_apt+=(memcached)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

# a virtualenv of the project's own: stock Debian/Ubuntu Pythons refuse
# system-wide pip installs (PEP 668)
venv="${OCX_VENV:-$PWD/.venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" 2>/dev/null || {
        if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
        $SUDO apt-get update -q
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-venv
        rm -rf "$venv"; python3 -m venv "$venv"
    }
fi
. "$venv/bin/activate"
python3 -m pip install -q --upgrade pip
python3 -m pip install -q -e '.[test]'

python3 -bb -m pytest tests/unit "$@"
python3 -m pytest tests/functional "$@"
if [ $# -eq 0 ] && [ -z "${OCX_SKIP_CONFORMANCE:-}" ]; then
    python3 conformance/run_conformance.py --ci
fi
