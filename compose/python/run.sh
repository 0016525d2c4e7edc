#!/usr/bin/env bash
# Installs the Python package from this checkout into a fresh virtual
# environment under target/ (pip builds the wheel, which carries the
# component cargo builds), runs its tests against a pyftpdlib server, then
# demo.py against an FTP server.
#
#   compose/python/run.sh HOST PORT USER PASSWORD
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -eq 4 ] || { echo "usage: $0 HOST PORT USER PASSWORD" >&2; exit 2; }
venv=target/python-package-venv
rm -rf "$venv" compose/python/build compose/python/src/*.egg-info
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "./compose/python[test]"
# The wheel must carry the component: the installed copy is what runs.
"$venv/bin/python" -c 'import ftp_component, pathlib; p = pathlib.Path(ftp_component.__file__).with_name("ftp_client.wasm"); assert p.stat().st_size > 100_000, p'
(cd compose/python/tests && "../../../$venv/bin/python" -m unittest -v test_package 2>&1)
"$venv/bin/python" compose/python/demo.py "$@"
