#!/usr/bin/env bash
# Transpiles the ftp-client component with jco and runs demo.mjs under
# Node.js against an FTP server; then packs the npm package and tests it as
# a user gets it: installed from the tarball into a project of its own, its
# types checked by TypeScript, and a round trip against the same server.
#
#   compose/node/run.sh HOST PORT USER PASSWORD
set -euo pipefail
cd "$(dirname "$0")"
[ $# -eq 4 ] || { echo "usage: $0 HOST PORT USER PASSWORD" >&2; exit 2; }
(cd ../.. && cargo build --quiet --target wasm32-wasip2 --profile guest --target-dir target/guest -p ftp-client)
[ -d node_modules ] || npm ci --no-audit --no-fund --silent
npm run --silent transpile
node demo.mjs "$@"

consumer=$(mktemp -d)
trap 'rm -rf "$consumer"' EXIT
tarball=$(npm pack --silent --pack-destination "$consumer" | tail -1)
cp test/package.test.mjs test/types.ts "$consumer/"
cd "$consumer"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "./$tarball" typescript@5
npx tsc --noEmit --strict --target esnext --lib esnext --module nodenext --moduleResolution nodenext types.ts
FTP_SERVER="$*" node --test package.test.mjs
echo "node: $tarball installed, its types check, and its round trip passed"
