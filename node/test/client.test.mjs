// ftp-client for Node.js against the FTP server in FTP_SERVER ("HOST PORT
// USER PASSWORD"): commands, both streams (checked by SHA-256), listings,
// typed errors, a pool's mirror with progress, and the event loop kept
// free while a transfer runs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import ftp from '../index.js';

const [host, port, user, password] = (process.env.FTP_SERVER ?? '').split(' ');
const url = `ftp://${user}:${password}@${host}:${port}/`;
const sha = (b) => createHash('sha256').update(b).digest('hex');
const payload = Buffer.alloc(8 << 20);
for (let i = 0; i < payload.length; i++) payload[i] = (i * 2654435761) >>> 13;

test('commands, streams both ways, listings', async () => {
  const s = await ftp.connect(url, { timeout: 30 });
  assert.equal(s.welcome.code, 220);
  const dir = `node-${process.pid}`;
  await s.mkdirAll(`${dir}/sub`);
  const up = await s.openWrite(`${dir}/sub/f.bin`);
  await pipeline(Readable.from([payload.subarray(0, 3 << 20), payload.subarray(3 << 20)]), up.stream());
  assert.equal(await s.size(`${dir}/sub/f.bin`), payload.length);
  const down = await s.openRead(`${dir}/sub/f.bin`);
  const chunks = [];
  for await (const chunk of down.stream()) chunks.push(chunk);
  assert.equal(sha(Buffer.concat(chunks)), sha(payload));
  // readInto fills one reused buffer: whole chunks until the last.
  const again = await s.openRead(`${dir}/sub/f.bin`);
  const buf = Buffer.alloc(3 << 20);
  const sizes = [];
  const hash = createHash('sha256');
  for (let n; (n = await again.readInto(buf)) > 0;) {
    sizes.push(n);
    hash.update(buf.subarray(0, n));
  }
  assert.deepEqual(sizes, [3 << 20, 3 << 20, 2 << 20]);
  assert.equal(hash.digest('hex'), sha(payload));
  assert.equal((await again.finish()).code, 226);
  const names = [];
  for await (const entry of s.listing(`${dir}/sub`)) names.push([entry.name, entry.kind, entry.size]);
  assert.deepEqual(names, [['f.bin', 'file', payload.length]]);
  await s.removeTree(dir);
  await s.quit();
});

test('errors are FtpError with kind and reply code', async () => {
  await assert.rejects(ftp.connect(url.replace(password, 'wrong')), (e) => {
    assert.ok(e instanceof ftp.FtpError, String(e));
    assert.equal(e.kind, 'permanent');
    assert.equal(e.replyCode, 530);
    return true;
  });
  const s = await ftp.connect(url);
  // Some servers refuse RETR at once, others after their 150: either way
  // the download fails, typed, by its end.
  const missing = async () => {
    const d = await s.openRead('missing.bin');
    while ((await d.read()) !== null);
    await d.finish();
  };
  await assert.rejects(missing, (e) => e.kind === 'permanent' && e.replyCode === 550);
  await assert.rejects(s.cwd('a\r\nDELE x'), (e) => e.kind === 'invalid-input');
  await s.close();
  // A passive port outside the grant is refused, typed.
  const narrow = await ftp.connect(url, { passivePorts: [1, 2], timeout: 5 });
  await assert.rejects(narrow.list(), (e) => e.kind === 'access-denied');
  await narrow.close();
});

test('a pool mirrors a tree up and back with progress', async () => {
  const local = mkdtempSync(join(tmpdir(), 'ftp-node-'));
  for (let i = 0; i < 12; i++) writeFileSync(join(local, `f ${i}.bin`), payload.subarray(0, i * 1000));
  const remote = `node-tree-${process.pid}`;
  const pool = new ftp.Pool(url, 2);
  const events = [];
  const up = await pool.mirror('up', remote, local, { progress: (e) => events.push(e.event) });
  assert.equal(up.copied, 12);
  assert.equal(up.failed, 0);
  const back = join(local, 'back');
  const down = await pool.mirror('down', remote, back);
  assert.equal(down.copied, 12);
  for (let i = 0; i < 12; i++) assert.equal(sha(readFileSync(join(back, `f ${i}.bin`))), sha(payload.subarray(0, i * 1000)));
  const plan = await pool.mirror('down', remote, back, { dryRun: true });
  assert.equal(plan.actions.filter((a) => a.action === 'copy').length, 0);
  assert.ok(events.filter((e) => e === 'finished').length === 12, events.join(' '));
  assert.ok(readdirSync(back).length === 12);
  const s = await ftp.connect(url);
  await s.removeTree(remote);
  await s.close();
});

test('the event loop keeps running while a transfer does', async () => {
  const s = await ftp.connect(url, { rateLimit: 8 << 20 });
  const up = await s.openWrite(`loop-${process.pid}.bin`);
  let ticks = 0;
  const timer = setInterval(() => { ticks += 1; }, 10);
  const started = Date.now();
  await pipeline(Readable.from([payload]), up.stream()); // ~1 s at 8 MiB/s
  clearInterval(timer);
  const expected = (Date.now() - started) / 10;
  await s.delete(`loop-${process.pid}.bin`);
  await s.close();
  // Blocked, the timer would get none; a loaded machine still gets most.
  assert.ok(ticks > expected / 4, `${ticks} ticks of ${expected}`);
});
