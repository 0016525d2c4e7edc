#!/usr/bin/env bash
# Composes ftp-fetch (a wasi:cli command importing wftp:client/client) with
# the ftp-client component by `wac plug`, then runs the result under
# `wasmtime run` against an FTP server, fetching FILE and checking it
# against LOCAL_COPY. Needs wac and wasmtime on PATH (.ci/run installs them).
#
#   compose/run.sh HOST PORT USER PASSWORD FILE LOCAL_COPY
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 6 ] || { echo "usage: $0 HOST PORT USER PASSWORD FILE LOCAL_COPY" >&2; exit 2; }
host=$1 port=$2 user=$3 password=$4 file=$5 expected=$6

guest=target/guest/wasm32-wasip2/guest
cargo build --quiet --target wasm32-wasip2 --profile guest --target-dir target/guest -p ftp-client -p ftp-fetch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wac plug "$guest/ftp-fetch.wasm" --plug "$guest/ftp_client.wasm" -o "$work/fetch.wasm"
echo "compose: wac plug -> fetch.wasm ($(stat -c %s "$work/fetch.wasm") bytes)"

# Without a network grant the command must fail: the composition adds no
# authority of its own.
if wasmtime run "$work/fetch.wasm" "$host" "$port" "$file" "$user" "$password" >/dev/null 2>"$work/denied.txt"; then
    echo "compose: ran without a network grant" >&2
    exit 1
fi
echo "compose: without -S inherit-network: $(tail -1 "$work/denied.txt")"

wasmtime run -S inherit-network "$work/fetch.wasm" "$host" "$port" "$file" "$user" "$password" \
    >"$work/fetched" 2>"$work/log.txt"
sed 's/^/compose:   /' "$work/log.txt"
cmp "$work/fetched" "$expected"
echo "compose: wasmtime run -S inherit-network fetched $file: $(stat -c %s "$work/fetched") bytes, identical"
