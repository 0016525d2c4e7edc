'use strict';
// ftp-client for Node.js. Every call returns a Promise whose work runs on
// libuv's thread pool (the event loop never waits on the network);
// downloads and uploads are also Node streams; failures are FtpError with
// `kind` and `replyCode`.

const { Readable, Writable } = require('node:stream');
const native = require('./ftp-client.node');

/** A failure of the library: `kind` names it, `replyCode` is the server's. */
class FtpError extends Error {
  constructor(kind, replyCode, message) {
    super(message);
    this.name = 'FtpError';
    this.kind = kind;
    this.replyCode = replyCode;
  }
}

/** The native error's reason carries kind, code and message as JSON. */
function typed(error) {
  if (error && typeof error.message === 'string' && error.message.startsWith('{"')) {
    try {
      const parsed = JSON.parse(error.message);
      if (parsed.ftp) return new FtpError(parsed.kind, parsed.code ?? null, parsed.message);
    } catch (_) {
      // Not one of ours: as it came.
    }
  }
  return error;
}

async function call(promise) {
  try {
    return await promise;
  } catch (error) {
    throw typed(error);
  }
}

const CHUNK = 1 << 20;

class Download {
  constructor(inner) {
    this._inner = inner;
  }
  /** `max` bytes (1 MiB by default), fewer only at the end; `null` after it. */
  read(max = CHUNK) {
    return call(this._inner.read(max));
  }
  /** Fills `buffer` (a Buffer you reuse: no allocation per chunk; leave it
   * alone until the Promise settles); the
   * bytes read, fewer than its length only at the end, 0 after it. */
  readInto(buffer) {
    return call(this._inner.readInto(buffer));
  }
  expectedSize() {
    return call(this._inner.expectedSize());
  }
  /** Reads to the end and checks the server's final reply. */
  finish() {
    return call(this._inner.finish());
  }
  abort() {
    return call(this._inner.abort());
  }
  /** A Readable of the file; the final reply is checked at its end. It
   * reads a chunk ahead, so the network and the consumer (a file being
   * written, say) work at once. */
  stream() {
    const self = this;
    return Readable.from(
      (async function* chunks() {
        let done = false;
        try {
          for (;;) {
            // A fresh chunk each time (the consumer keeps it), filled in place.
            const chunk = Buffer.allocUnsafe(CHUNK);
            const n = await self.readInto(chunk);
            if (n === 0) break;
            yield n === CHUNK ? chunk : chunk.subarray(0, n);
          }
          done = true;
          await self.finish();
        } finally {
          if (!done) await self.abort().catch(() => {});
        }
      })(),
      { objectMode: false, highWaterMark: 2 * CHUNK },
    );
  }
}

class Upload {
  constructor(inner) {
    this._inner = inner;
  }
  write(data) {
    return call(this._inner.write(Buffer.isBuffer(data) ? data : Buffer.from(data)));
  }
  /** Sends the rest, closes the data connection, checks the final reply. */
  finish() {
    return call(this._inner.finish());
  }
  abort() {
    return call(this._inner.abort());
  }
  /** A Writable into the file; its end finishes the upload (and fails if the server does). */
  stream() {
    const self = this;
    return new Writable({
      write(chunk, _encoding, done) {
        self.write(chunk).then(() => done(), done);
      },
      final(done) {
        self.finish().then(() => done(), done);
      },
      destroy(error, done) {
        if (error) self.abort().catch(() => {}).finally(() => done(error));
        else done();
      },
    });
  }
}

class Session {
  constructor(inner) {
    this._inner = inner;
    this.welcome = inner.welcome;
  }
  command(line) { return call(this._inner.command(line)); }
  noop() { return call(this._inner.noop()); }
  pwd() { return call(this._inner.pwd()); }
  cwd(path) { return call(this._inner.cwd(path)); }
  mkdir(path) { return call(this._inner.mkdir(path)); }
  mkdirAll(path) { return call(this._inner.mkdirAll(path)); }
  rmdir(path) { return call(this._inner.rmdir(path)); }
  removeTree(path) { return call(this._inner.removeTree(path)); }
  delete(path) { return call(this._inner.delete(path)); }
  rename(from, to) { return call(this._inner.rename(from, to)); }
  size(path) { return call(this._inner.size(path)); }
  nlst(path) { return call(this._inner.nlst(path)); }
  list(path) { return call(this._inner.list(path)); }
  system() { return call(this._inner.system()); }
  setTransferType(type) { return call(this._inner.setTransferType(type === 'ascii')); }
  /** A download of `path` from byte `offset`. */
  async openRead(path, offset = 0) {
    return new Download(await call(this._inner.openRead(path, offset)));
  }
  /** An upload to `path`: replacing it, appending, or from byte `offset`. */
  async openWrite(path, { append = false, offset = 0 } = {}) {
    return new Upload(await call(this._inner.openWrite(path, append, offset)));
  }
  /** The entries of a directory, as they arrive. */
  async *listing(path) {
    const listing = await call(this._inner.openListing(path));
    for (let batch = await call(listing.nextBatch(1024)); batch.length > 0; batch = await call(listing.nextBatch(1024))) {
      yield* batch;
    }
  }
  quit() { return call(this._inner.quit()); }
  close() { return call(this._inner.close()); }
}

/** Connects and logs in: `await connect('ftp://user:pass@host/', { timeout: 10 })`. */
async function connect(url, options) {
  return new Session(await call(native.connect(url, options)));
}

class Pool {
  constructor(url, size = 4, options) {
    this._inner = new native.Pool(url, size, options);
  }
  download(remote, local, { progress, cancel } = {}) {
    return call(this._inner.download(remote, local, progress, cancel?._inner));
  }
  upload(local, remote, { progress, cancel } = {}) {
    return call(this._inner.upload(local, remote, progress, cancel?._inner));
  }
  mirror(direction, remote, local, { progress, cancel, ...options } = {}) {
    return call(this._inner.mirror(direction, remote, local, options, progress, cancel?._inner));
  }
}

class Cancel {
  constructor() {
    this._inner = new native.Cancel();
  }
  cancel() { this._inner.cancel(); }
  get cancelled() { return this._inner.cancelled; }
}

module.exports = { connect, Session, Download, Upload, Pool, Cancel, FtpError };
