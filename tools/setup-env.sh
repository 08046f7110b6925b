# Sourced by quickstart.sh and run_tests.sh (from the checkout's root):
# memcached from the distribution, then a virtualenv of the project's own
# (stock Debian/Ubuntu Pythons refuse system-wide pip installs, PEP 668),
# activated, with ocx_swift installed in it.
#
#   . tools/setup-env.sh [EXTRA]     # EXTRA: pip extra, e.g. test

if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
need_apt=()
command -v memcached >/dev/null 2>&1 || need_apt+=(memcached)
python3 -c 'import ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}"
fi

venv="${OCX_VENV:-$PWD/.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
. "$venv/bin/activate"
python3 -m pip install -q --upgrade pip
python3 -m pip install -q -e ".${1:+[$1]}"
