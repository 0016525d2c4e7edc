// The package as a user installs it (from its tarball, in a project of its
// own): its types check under TypeScript, and the transpiled component logs
// in to the server in FTP_URL's host and port, moves a file both ways
// (verified by SHA-256), lists, and throws a missing file as a typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { client } from 'ftp-client-wasm';

const [host, port, user, password] = process.env.FTP_SERVER.split(' ');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

test('the packaged component moves a file both ways', () => {
  const session = client.Session.connect(host, Number(port), { trustPasvHost: false });
  assert.equal(session.login(user, password, undefined).code, 230);
  const dir = `npm-package-${process.pid}`;
  session.mkd(dir);
  session.cwd(dir);
  const data = randomBytes(3 << 20);
  const upload = session.store('data.bin', 'replace');
  for (let at = 0; at < data.length; at += 1 << 20) upload.write(data.subarray(at, at + (1 << 20)));
  assert.equal(upload.finish().code, 226);
  assert.deepEqual(session.list(undefined).map((e) => e.name), ['data.bin']);
  const download = session.retrieve('data.bin', 0n);
  const parts = [];
  for (let chunk; (chunk = download.read(1 << 20)) !== undefined; ) parts.push(chunk);
  assert.equal(download.finish().code, 226);
  assert.equal(sha256(Buffer.concat(parts)), sha256(data));
  assert.throws(() => session.size('missing.bin'), (e) => e.payload?.tag === 'permanent' && e.payload.val.code === 550);
  session.delete('data.bin');
  session.cdup();
  session.rmd(dir);
  session.quit();
});
