#!/usr/bin/env bash
# Runs demo.py (the component through wasmtime-py) against an FTP server, in
# a virtual environment under target/ with requirements.txt installed.
#
#   python/run.sh HOST PORT USER PASSWORD
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 4 ] || { echo "usage: $0 HOST PORT USER PASSWORD" >&2; exit 2; }
cargo build --quiet --target wasm32-wasip2 --profile guest --target-dir target/guest -p ftp-client
venv=target/python-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r python/requirements.txt
"$venv/bin/python" python/demo.py target/guest/wasm32-wasip2/guest/ftp_client.wasm "$@"
