// The ftp-client component from Node.js: `jco transpile` turns it into an
// ES module whose wasi imports preview2-shim implements, TCP included.
//
//   npm ci && npm run transpile && node demo.mjs HOST PORT [USER PASSWORD]
//
// Uploads, lists, downloads (through the component and through the
// handed-over data stream), checks both by SHA-256, shows a typed error,
// and cleans up. Exits non-zero on any mismatch.

import { createHash } from 'node:crypto';
import { client } from './generated/ftp-client/ftp_client.js';

const [host, port, user, password] = process.argv.slice(2);
if (!host || !port) {
  console.error('usage: node demo.mjs HOST PORT [USER PASSWORD]');
  process.exit(2);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const show = (step, value) => console.log(`  ${step.padEnd(28)} -> ${typeof value === 'object' ? JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? Number(v) : v)) : value}`);

const options = {
  connectTimeoutMs: 10000,
  replyTimeoutMs: 10000,
  dataTimeoutMs: 10000,
  transferTimeoutMs: undefined,
  lowSpeed: undefined,
  trustPasvHost: false,
  maxLineLength: undefined,
  tls: undefined,
  encoding: undefined,
  sourceAddress: undefined,
  keepAliveMs: undefined,
  proxy: undefined,
};

const session = client.Session.connect(host, Number(port), options);
show('welcome', session.welcome());
show('login', session.login(user, password, undefined));
const dir = `node-demo-${process.pid}`;
show('mkd', session.mkd(dir));
show('cwd', session.cwd(dir));

// 4 MiB of pseudo-random bytes, written in 64 KiB chunks.
const data = new Uint8Array(4 << 20);
for (let i = 0, x = 2463534242; i < data.length; i++) {
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  data[i] = x & 0xff;
}
const upload = session.store('data.bin', 'replace');
for (let at = 0; at < data.length; at += 1 << 16) upload.write(data.subarray(at, at + (1 << 16)));
show('store data.bin (4 MiB)', upload.finish());
upload[Symbol.dispose]();

show('size', session.size('data.bin'));
show('list', session.list(undefined).map((e) => `${e.kind} ${e.size} ${e.name}`));

// Download through the component, chunk by chunk.
const viaRead = [];
const download = session.retrieve('data.bin', 0n);
for (let chunk; (chunk = download.read(1 << 20)) !== undefined;) viaRead.push(chunk);
show('retrieve (read)', download.finish());
download[Symbol.dispose]();

// Download by taking over the data connection's own stream.
const viaStream = [];
const direct = session.retrieve('data.bin', 0n);
const stream = direct.dataStream();
for (;;) {
  try {
    const chunk = stream.blockingRead(1n << 20n);
    viaStream.push(chunk);
    // The transfer holds the stream to its deadlines and announced size.
    direct.progress(BigInt(chunk.length));
  } catch (e) {
    // preview2-shim throws the stream-error variant itself.
    if ((e.payload ?? e)?.tag === 'closed') break;
    throw e;
  }
}
stream[Symbol.dispose]();
show('retrieve (data-stream)', direct.finish());
direct[Symbol.dispose]();

const sent = sha256(data);
const results = { read: sha256(Buffer.concat(viaRead)), 'data-stream': sha256(Buffer.concat(viaStream)) };
console.log(`  sha256 sent               ${sent}`);
for (const [how, digest] of Object.entries(results)) console.log(`  sha256 via ${how.padEnd(14)} ${digest}`);
const ok = Object.values(results).every((d) => d === sent);

// Errors are thrown with the WIT variant as their payload.
try {
  session.size('missing.bin');
  console.log('  size missing.bin             -> no error?');
} catch (e) {
  show('size missing.bin (error)', e.payload);
}

show('delete', session.delete('data.bin'));
show('cdup', session.cdup());
show('rmd', session.rmd(dir));
show('quit', session.quit());
session[Symbol.dispose]();

if (!ok) {
  console.error('MISMATCH: a download differs from the upload');
  process.exit(1);
}
console.log('node: all downloads verified');
