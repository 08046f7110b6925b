#!/usr/bin/env bash
# Install ocx_swift and start an exchange over local landlord clusters:
# three real single-node Swift clusters (three landlords) and the OCX
# proxy in front. Prints the endpoint and credentials as KEY=value lines.
#
#   ./quickstart.sh [ocx-aio start options, e.g. --clusters 4 --port 8080]
set -euo pipefail
cd "$(dirname "$0")"

. tools/setup-env.sh ""

exec ocx-aio start "$@"
