#!/usr/bin/env bash
# Install ocx_swift and start an exchange over local landlord clusters:
# three real single-node Swift clusters (three landlords) and the OCX
# proxy in front. Prints the endpoint and credentials as KEY=value lines.
#
#   ./quickstart.sh [ocx-aio start options, e.g. --clusters 4 --port 8080]
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v memcached >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q memcached
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
python3 -m pip install -q -e .

exec ocx-aio start "$@"
