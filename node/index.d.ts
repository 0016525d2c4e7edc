/// <reference types="node" />
import type { Readable, Writable } from 'node:stream';

export interface Reply {
  code: number;
  text: string;
}

export interface Entry {
  name: string;
  kind: 'file' | 'dir' | 'link' | 'other' | 'unparsed';
  size?: number | null;
  /** Seconds since the Unix epoch. */
  modified?: number | null;
  permissions?: string | null;
  unixMode?: number | null;
  linkTarget?: string | null;
  raw: string;
}

export interface ConnectOptions {
  user?: string;
  password?: string;
  tls?: 'explicit' | 'implicit';
  caPem?: string;
  /** A client certificate chain, PEM (its key too, unless `clientKeyPem`). */
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Seconds, for connecting, each reply, and data that stops moving. */
  timeout?: number;
  transferTimeout?: number;
  passivePorts?: [number, number];
  encoding?: 'utf8' | 'latin1';
  trace?: boolean;
  /** Bytes a second for all the transfers of this session (or pool). */
  rateLimit?: number;
  /** Seconds between keep-alive NOOPs on the control connection while a transfer runs. */
  keepAlive?: number;
  /** Connect through this proxy: a `socks5://` or `http://` URL. */
  proxy?: string;
}

export declare class FtpError extends Error {
  /** ftp_host's ErrorKind name: `permanent`, `transient`, `timeout`, `access-denied`... */
  readonly kind: string;
  /** The server's reply code, when a reply caused the failure. */
  readonly replyCode: number | null;
}

export declare class Download {
  /** `max` bytes (1 MiB by default), fewer only at the end; `null` after it. */
  read(max?: number): Promise<Buffer | null>;
  /** Fills `buffer`: the bytes read, fewer than its length only at the end, 0 after it. */
  readInto(buffer: Buffer): Promise<number>;
  expectedSize(): Promise<number | null>;
  finish(): Promise<Reply>;
  abort(): Promise<void>;
  stream(): Readable;
}

export declare class Upload {
  write(data: Buffer | Uint8Array | string): Promise<void>;
  finish(): Promise<Reply>;
  abort(): Promise<void>;
  stream(): Writable;
}

export declare class Session {
  readonly welcome: Reply | null;
  command(line: string): Promise<Reply>;
  noop(): Promise<Reply>;
  pwd(): Promise<string>;
  cwd(path: string): Promise<Reply>;
  mkdir(path: string): Promise<string>;
  mkdirAll(path: string): Promise<void>;
  rmdir(path: string): Promise<Reply>;
  removeTree(path: string): Promise<void>;
  delete(path: string): Promise<Reply>;
  rename(from: string, to: string): Promise<Reply>;
  size(path: string): Promise<number>;
  nlst(path?: string): Promise<string[]>;
  list(path?: string): Promise<Entry[]>;
  system(): Promise<string>;
  setTransferType(type: 'binary' | 'ascii'): Promise<Reply>;
  openRead(path: string, offset?: number): Promise<Download>;
  openWrite(path: string, options?: { append?: boolean; offset?: number }): Promise<Upload>;
  listing(path?: string): AsyncGenerator<Entry, void, undefined>;
  quit(): Promise<Reply>;
  close(): Promise<void>;
}

export declare function connect(url: string, options?: ConnectOptions): Promise<Session>;

export interface ProgressEvent {
  event: 'listed' | 'planned' | 'started' | 'moved' | 'retrying' | 'finished' | 'trace' | 'other';
  path?: string | null;
  bytes?: number | null;
  size?: number | null;
  error?: string | null;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface FileDone {
  size: number;
  resumedFrom: number;
  alreadyComplete: boolean;
  sizeChecked: boolean;
}

export interface MirrorOptions {
  delete?: boolean;
  onlyMissing?: boolean;
  onlyNewer?: boolean;
  include?: string[];
  exclude?: string[];
  verify?: boolean;
  journal?: string;
  /** Learn a LIST server's time zone from its MDTM (default true). */
  inferTimeZone?: boolean;
  dryRun?: boolean;
  retries?: number;
}

export interface ActionOutcome {
  action: 'mkdir' | 'copy' | 'delete' | 'conflict';
  path: string;
  outcome: 'done' | 'left-alone' | 'not-started' | 'failed' | 'planned';
  size?: number | null;
  error?: string | null;
}

export interface MirrorReport {
  actions: ActionOutcome[];
  skipped: string[];
  upToDate: number;
  copied: number;
  bytes: number;
  failed: number;
}

export interface Watch {
  progress?: (event: ProgressEvent) => void;
  cancel?: Cancel;
}

export declare class Cancel {
  constructor();
  cancel(): void;
  readonly cancelled: boolean;
}

export declare class Pool {
  constructor(url: string, size?: number, options?: ConnectOptions);
  download(remote: string, local: string, watch?: Watch): Promise<FileDone>;
  upload(local: string, remote: string, watch?: Watch): Promise<FileDone>;
  mirror(direction: 'down' | 'up', remote: string, local: string, options?: MirrorOptions & Watch): Promise<MirrorReport>;
}
