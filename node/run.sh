#!/usr/bin/env bash
# Builds the native addon, packs the npm package, installs the tarball into
# an empty project, type-checks a consumer with tsc --strict, and runs the
# tests against an FTP server. The addon is built in the dev profile
# (dependencies optimised, as for cargo test); the benchmark builds the
# release one.
#
#   node/run.sh HOST PORT USER PASSWORD
set -euo pipefail
cd "$(dirname "$0")"
[ $# -eq 4 ] || { echo "usage: $0 HOST PORT USER PASSWORD" >&2; exit 2; }
(cd .. && cargo build --quiet -p ftp-client-node)
cp ../target/debug/libftp_client_node.so ftp-client.node
consumer=$(mktemp -d)
trap 'rm -rf "$consumer"' EXIT
tarball=$(npm pack --silent --pack-destination "$consumer" | tail -1)
mkdir -p "$consumer/test"
cp test/client.test.mjs test/types.ts "$consumer/test/"
cd "$consumer"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "./$tarball" typescript@5 @types/node@20
npx tsc --noEmit --strict --target es2022 --lib es2022 --module nodenext --moduleResolution nodenext --types node test/types.ts
sed -i "s|'../index.js'|'ftp-client'|" test/client.test.mjs
FTP_SERVER="$*" node --test test/client.test.mjs
echo "node: $tarball installed, its types check, and its tests passed"
