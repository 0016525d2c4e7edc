#!/usr/bin/env bash
# Transpiles the ftp-client component with jco and runs demo.mjs under
# Node.js against an FTP server.
#
#   node/run.sh HOST PORT USER PASSWORD
set -euo pipefail
cd "$(dirname "$0")"
[ $# -eq 4 ] || { echo "usage: $0 HOST PORT USER PASSWORD" >&2; exit 2; }
(cd .. && cargo build --quiet --target wasm32-wasip2 --profile guest --target-dir target/guest -p ftp-client)
[ -d node_modules ] || npm ci --no-audit --no-fund --silent
npx jco transpile ../target/guest/wasm32-wasip2/guest/ftp_client.wasm -o generated/ftp-client --quiet
node demo.mjs "$@"
