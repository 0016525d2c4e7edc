#!/usr/bin/env bash
# Installs the Python package from this checkout into a fresh virtual
# environment (pip builds the abi3 wheel with maturin; the component is
# compiled into it), runs its tests there against pyftpdlib, and checks a
# typed consumer with mypy --strict. The wheel is built in the dev profile
# (dependencies optimised, as for cargo test), sharing cargo test's builds;
# the benchmark builds the release one.
#
#   python/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/python-venv
rm -rf "$venv"
python3 -m venv "$venv"
MATURIN_PEP517_ARGS="--profile dev" "$venv/bin/pip" install --quiet --disable-pip-version-check "./python[test]"
(cd python/tests && "../../$venv/bin/python" -m unittest -v test_client test_dask 2>&1)
"$venv/bin/python" -m mypy --strict python/tests/typed_consumer.py
echo "python: the wheel installed into a clean venv, its tests passed, its types check"
