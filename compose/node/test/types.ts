// Compiled with `tsc --noEmit` against the installed package: the types it
// ships describe the API (a wrong call here would fail the check).
import { client } from 'ftp-client-wasm';

export function firstName(host: string, port: number): string | undefined {
  const session: client.Session = client.Session.connect(host, port, { trustPasvHost: false });
  session.login('alice', 'wonderland', undefined);
  const entries = session.list(undefined);
  const size: bigint | undefined = entries[0]?.size;
  void size;
  return entries[0]?.name;
}
