// Code as a user writes it, checked by `tsc --strict` against index.d.ts.
import { connect, Pool, Cancel, FtpError, type Entry, type MirrorReport } from 'ftp-client';

export async function fetch(url: string): Promise<number> {
  const session = await connect(url, { timeout: 10, tls: 'explicit' });
  const size: number = await session.size('big.bin');
  for await (const entry of session.listing('pub')) {
    const e: Entry = entry;
    console.log(e.name, e.kind, e.size ?? 0);
  }
  const download = await session.openRead('big.bin');
  for (let chunk = await download.read(); chunk !== null; chunk = await download.read()) {
    console.log(chunk.length);
  }
  await download.finish();
  const again = await session.openRead('big.bin');
  const buffer = Buffer.alloc(1 << 20);
  let total = 0;
  for (let n = await again.readInto(buffer); n > 0; n = await again.readInto(buffer)) total += n;
  await again.finish();
  await session.quit();
  return size + total;
}

export async function mirror(url: string): Promise<number> {
  const cancel = new Cancel();
  const report: MirrorReport = await new Pool(url, 4, { rateLimit: 10 << 20 }).mirror('down', 'pub', 'copy', {
    delete: true,
    progress: (e) => console.log(e.event, e.bytesDone),
    cancel,
  });
  return report.copied;
}

export function kind(e: unknown): string {
  return e instanceof FtpError ? `${e.kind} ${e.replyCode ?? ''}` : 'other';
}
