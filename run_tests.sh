#!/usr/bin/env bash
# Install ocx_swift with what its tests need, then run every test:
# unit tests (seconds), then functional tests against real local landlord
# clusters started once by ocx-aio.
#
#   ./run_tests.sh              # everything
#   ./run_tests.sh -k listing   # extra arguments go to both pytest runs
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v memcached >/dev/null 2>&1 || need_apt+=(memcached)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

python3 -m pip install -q -e '.[test]'

python3 -bb -m pytest tests/unit "$@"
python3 -m pytest tests/functional "$@"
