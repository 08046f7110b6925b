#!/usr/bin/env bash
# Install ocx_swift with what its tests need, check README.rst renders
# (as PyPI renders setup.py's long_description) and flake8, then run every
# test: unit tests (seconds), then functional tests against real local landlord
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

. tools/setup-env.sh test

readme_html=$(mktemp)
trap 'rm -f "$readme_html"' EXIT
python3 -W ignore::UserWarning -m readme_renderer README.rst -o "$readme_html"
python3 -m flake8 ocx_swift tests bench conformance

python3 -bb -m pytest tests/unit "$@"
python3 -m pytest tests/functional "$@"
if [ $# -eq 0 ] && [ -z "${OCX_SKIP_CONFORMANCE:-}" ]; then
    python3 conformance/run_conformance.py --ci
fi
