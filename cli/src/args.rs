//! The command line, declared for clap (which also writes `--help`).
// These doc comments are `--help` text, where `[DEST]` is an optional
// argument, not a link.
#![allow(rustdoc::broken_intra_doc_links)]

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

const EXIT_STATUS: &str = "\
Exit status (curl's numbers where curl has one):
   0  success
   1  any other failure
   2  bad command line or .netrc
   3  malformed URL
   6  the host name did not resolve
   7  could not connect, or the address is not granted
   8  the server broke the protocol
   9  the server refused the request (5xx), or denied access to the file
  18  partial file: fewer (or more) bytes than the server announced
  23  could not write a local file
  26  could not read a local file
  28  a deadline passed
  35  TLS failed (handshake, or AUTH TLS refused)
  36  cannot resume: the target is already larger than the source
  56  the connection failed after it was made
  60  the server's certificate is not trusted, not for this name, or expired
  67  login refused
  70  the server is out of storage (452, 552)
  75  temporary failure (4xx): try again later
  78  the remote file does not exist

URLs are ftp://[user[:password]@]host[:port]/path (ftps:// for implicit
TLS, port 990). The path is relative to the login directory; start it with
%2F for an absolute one. Credentials come from --user, else the URL, else
~/.netrc (or $NETRC), else anonymous.";

/// FTP and FTPS from the command line, run by a sandboxed WebAssembly
/// component that may reach the server named in the URL and nothing else.
#[derive(Parser)]
#[command(name = "wftp", version, after_help = EXIT_STATUS)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct Global {
    /// Log in as USER (with PASSWORD), overriding the URL and .netrc;
    /// without PASSWORD (nor one in .netrc), it is asked for on a terminal.
    #[arg(short, long, value_name = "USER[:PASSWORD]", global = true)]
    pub user: Option<String>,
    /// Read credentials from this file instead of ~/.netrc (or $NETRC).
    #[arg(long, value_name = "FILE", global = true, conflicts_with = "no_netrc")]
    pub netrc_file: Option<PathBuf>,
    /// Do not read .netrc.
    #[arg(long, global = true)]
    pub no_netrc: bool,
    /// Use explicit FTPS (AUTH TLS) for ftp:// URLs; ftps:// is implicit TLS.
    #[arg(long, global = true)]
    pub tls: bool,
    /// Trust the PEM certificates in FILE instead of the bundled roots.
    #[arg(long, value_name = "FILE", global = true)]
    pub cacert: Option<PathBuf>,
    /// Connect through this proxy: socks5://[USER:PASSWORD@]HOST[:PORT]
    /// (socks5h:// too) or http://[USER:PASSWORD@]HOST[:PORT] (CONNECT);
    /// every connection, control and data, goes through it. Without it,
    /// ftp_proxy (ftps_proxy) or all_proxy name one, as for curl.
    #[arg(long, value_name = "URL", global = true)]
    pub proxy: Option<String>,
    /// Hosts to reach directly, whatever --proxy or the environment says:
    /// names separated by commas (each also matches the names below it),
    /// or * for all; no_proxy otherwise.
    #[arg(long, value_name = "HOSTS", global = true)]
    pub noproxy: Option<String>,
    /// Present the client certificate in FILE (PEM: the certificate, then
    /// any intermediates; its key too, unless --key names another file) to
    /// a server that asks for one (curl's --cert).
    #[arg(long, value_name = "FILE", global = true)]
    pub cert: Option<PathBuf>,
    /// The private key of --cert (PEM), when it is not in that file.
    #[arg(long, value_name = "FILE", global = true, requires = "cert")]
    pub key: Option<PathBuf>,
    /// Give up when connecting, a reply or the data stalls this long
    /// (default: 30 s to connect, 30 s for each reply, 60 s for data that
    /// stops moving).
    #[arg(long, value_name = "SECONDS", global = true)]
    pub timeout: Option<u64>,
    /// Give up on a transfer that takes longer than this in all (and bound
    /// connecting and each reply by it too).
    #[arg(short = 'm', long, value_name = "SECONDS", global = true)]
    pub max_time: Option<u64>,
    /// Give up on a transfer slower than BYTES a second for --speed-time.
    #[arg(short = 'Y', long, value_name = "BYTES", global = true)]
    pub speed_limit: Option<u64>,
    /// The window for --speed-limit (default 30 seconds).
    #[arg(short = 'y', long, value_name = "SECONDS", global = true, requires = "speed_limit")]
    pub speed_time: Option<u64>,
    /// Hold the whole run to this rate, all its transfers and sessions
    /// together, in bytes a second (with k, m or g for KiB, MiB, GiB: `500k`).
    #[arg(long, value_name = "RATE", global = true, value_parser = parse_rate)]
    pub limit_rate: Option<u64>,
    /// While a transfer runs, send NOOP on the control connection every
    /// SECONDS, so a NAT box or firewall that drops idle connections keeps
    /// it through a long transfer.
    #[arg(long, value_name = "SECONDS", global = true)]
    pub noop_interval: Option<u64>,
    /// The server's passive ports, the only ones besides its control port
    /// the component may connect to (default: 1024-65535).
    #[arg(long, value_name = "FIRST-LAST", global = true, value_parser = parse_ports)]
    pub passive_ports: Option<(u16, u16)>,
    /// After login, end TLS on the control connection (CCC) so a NAT
    /// firewall can follow it; data stays encrypted. Runs the build with
    /// TLS inside the component, which can hand the connection back.
    #[arg(long, global = true)]
    pub ccc: bool,
    /// How names map to bytes: latin1 for a server whose file names are
    /// not UTF-8, so each name listed can be fetched, renamed or deleted.
    #[arg(long, value_enum, default_value_t = Encoding::Utf8, global = true)]
    pub encoding: Encoding,
    /// Connect from this local address, IP or IP:PORT (data connections
    /// use its IP); the component is granted that binding only.
    #[arg(long, visible_alias = "interface", value_name = "IP[:PORT]", global = true, value_parser = parse_source)]
    pub source_address: Option<SocketAddr>,
    /// Run this build of the ftp-client component instead of the embedded
    /// one (which leaves TLS to wftp's rustls through wasi:tls).
    #[arg(long, value_name = "FILE.wasm", global = true)]
    pub component: Option<PathBuf>,
    /// Show no progress bars.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print the conversation with the server to stderr: each command
    /// (passwords masked) and each reply.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Print results as JSON, one object per line on stdout (listings,
    /// plans, each file's outcome, a summary, and the error that ended a
    /// failed run); see docs/cli.md for the fields.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Encoding {
    #[value(name = "utf8", alias = "utf-8")]
    Utf8,
    #[value(name = "latin1", alias = "latin-1", alias = "iso-8859-1")]
    Latin1,
}

#[derive(Subcommand)]
pub enum Command {
    /// List a directory (the login directory if the URL has no path).
    Ls {
        url: String,
        /// Long format: kind and permissions, size, modification time, name.
        #[arg(short, long)]
        long: bool,
    },
    /// Download files over one session: URL... [DEST]. A URL whose last
    /// part is a glob ('ftp://host/pub/*.bin', quoted) means every file it
    /// matches there.
    Get {
        /// The URLs, then optionally DEST: a file (for one URL), a
        /// directory, or - for stdout (default: the remote names, here).
        #[arg(required = true, value_name = "URL... [DEST]")]
        args: Vec<String>,
        /// Resume: append to DEST from its current size (REST).
        #[arg(short = 'c', long = "continue")]
        resume: bool,
        /// A whole directory: `get -r URL [DIR]` is `mirror URL DIR` (DIR
        /// defaults to the URL's last part).
        #[arg(short, long, conflicts_with_all = ["resume", "ascii"])]
        recursive: bool,
        /// One large file over N sessions at once, each fetching its own
        /// part (REST at its offset), checked against SIZE as a whole.
        #[arg(long, value_name = "N", conflicts_with_all = ["resume", "ascii", "recursive"],
              value_parser = clap::value_parser!(u16).range(2..=32))]
        segments: Option<u16>,
        /// Transfer in ASCII mode, converting line endings.
        #[arg(long)]
        ascii: bool,
        /// Try a file again (on a fresh session, waiting 0.5 s, 1 s, 2 s...)
        /// after a 4xx, a lost connection or a deadline, up to N times,
        /// taking up where the last try stopped (REST) where the server can.
        #[arg(long, value_name = "N", default_value_t = 0)]
        retry: u32,
    },
    /// Upload files over one session (- for stdin); a URL ending in / gets
    /// each file's own name (and must, for several files).
    Put {
        #[arg(required = true, value_name = "FILE")]
        sources: Vec<PathBuf>,
        url: String,
        /// Resume: send only what the remote file lacks (SIZE, then APPE).
        #[arg(short = 'c', long = "continue")]
        resume: bool,
        /// Write the remote file from byte BYTES on, sending the local file
        /// from there too (REST, then STOR: ftplib's `rest=`).
        #[arg(long, value_name = "BYTES", conflicts_with = "resume")]
        offset: Option<u64>,
        /// A whole directory: `put -r DIR URL` is `mirror DIR URL`.
        #[arg(short, long, conflicts_with_all = ["resume", "offset", "ascii"])]
        recursive: bool,
        /// Transfer in ASCII mode, converting line endings.
        #[arg(long)]
        ascii: bool,
        /// Try a file again (on a fresh session, waiting 0.5 s, 1 s, 2 s...)
        /// after a 4xx, a lost connection or a deadline, up to N times;
        /// once the server has taken data, a try sends only what it lacks
        /// (SIZE, then APPE). Not for stdin.
        #[arg(long, value_name = "N", default_value_t = 0)]
        retry: u32,
    },
    /// Print files to stdout, one after another.
    Cat {
        #[arg(required = true)]
        urls: Vec<String>,
    },
    /// Delete files, or whole trees with -r.
    Rm {
        #[arg(required = true)]
        urls: Vec<String>,
        /// Delete directories and everything below them.
        #[arg(short, long)]
        recursive: bool,
    },
    /// Create a directory.
    Mkdir {
        url: String,
        /// Create missing parents too; an existing directory is no error.
        #[arg(short, long)]
        parents: bool,
    },
    /// Make DEST a copy of SRC, one a URL and the other a local directory
    /// (down: URL DIR; up: DIR URL): copy what is missing, of another
    /// size, or newer at SRC (by more than a second); with --delete,
    /// remove what SRC no longer has. A run cut short is finished by the
    /// next. Names that are not plain are skipped and reported; nothing is
    /// written outside DEST, and local links are not followed.
    Mirror {
        #[arg(value_name = "SRC")]
        source: String,
        #[arg(value_name = "DEST")]
        dest: String,
        /// Remove files and directories at DEST that SRC does not have.
        #[arg(long)]
        delete: bool,
        /// Copy only files DEST lacks; never replace one.
        #[arg(long, conflicts_with = "newer")]
        only_missing: bool,
        /// Replace a file at DEST only when SRC's is newer (lftp's
        /// --only-newer): a DEST file that is newer, or of another size but
        /// no older, is left alone.
        #[arg(long, alias = "only-newer")]
        newer: bool,
        /// Only files whose name or relative path matches GLOB (repeatable).
        #[arg(long, value_name = "GLOB")]
        include: Vec<String>,
        /// Never files or directories matching GLOB (repeatable).
        #[arg(long, value_name = "GLOB")]
        exclude: Vec<String>,
        /// Print the plan (mkdir, fetch or send and why, delete) and change
        /// nothing.
        #[arg(long)]
        dry_run: bool,
        /// Check each copy against the server's SHA-256 (or SHA-512) where
        /// it offers one (HASH, XSHA256); the size is checked regardless.
        #[arg(long)]
        verify: bool,
        /// Keep what this run learned of the server's tree in FILE, and
        /// trust it next time for directories whose listed time has not
        /// changed (see docs/cli.md: a file rewritten in place under the
        /// same name is then missed).
        #[arg(long, value_name = "FILE")]
        journal: Option<PathBuf>,
        /// Take a LIST server's times as UTC rather than learning its time
        /// zone from one file's MDTM (see docs/cli.md).
        #[arg(long)]
        no_zone_inference: bool,
        /// Try a file again (on a fresh session, waiting 0.5 s, 1 s, 2 s...)
        /// after a 4xx, a lost connection or a deadline, up to N times.
        #[arg(long, value_name = "N", default_value_t = 0)]
        retry: u32,
        /// Copy over up to N sessions at once (default 1).
        #[arg(short = 'P', long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
        parallel: u16,
    },
    /// The server's digest of a file (HASH, or XSHA256 and its kin); with
    /// FILE, also the local file's, and exit 1 if they differ.
    Hash { url: String, file: Option<PathBuf> },
    /// Copy a file from one server straight to another (FXP, ftplib's
    /// ftpcp): the second server connects to the first and the bytes never
    /// pass through here. Many servers refuse it; data must be clear.
    Copy {
        /// The file to copy.
        from: String,
        /// Where to put it; a URL ending in / keeps the file's name.
        to: String,
    },
    /// Rename or move a file or directory on the server; a bare NEWNAME
    /// renames it in its own directory, as mv and lftp do.
    Mv {
        url: String,
        /// The new name, or a path (relative to the login directory, or
        /// absolute) on the same server.
        #[arg(value_name = "NEWNAME")]
        to: String,
    },
}

fn parse_rate(s: &str) -> Result<u64, String> {
    let lower = s.trim().to_ascii_lowercase();
    let (digits, unit) = match lower.char_indices().last() {
        Some((i, 'k')) => (&lower[..i], 1 << 10),
        Some((i, 'm')) => (&lower[..i], 1 << 20),
        Some((i, 'g')) => (&lower[..i], 1 << 30),
        _ => (lower.as_str(), 1),
    };
    let n: u64 = digits.parse().map_err(|_| format!("{s} is not a rate like 500k"))?;
    match n.checked_mul(unit) {
        Some(rate) if rate > 0 => Ok(rate),
        _ => Err(format!("{s} is not a rate like 500k")),
    }
}

fn parse_source(s: &str) -> Result<SocketAddr, String> {
    s.parse::<SocketAddr>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(|ip| SocketAddr::new(ip, 0)))
        .map_err(|_| format!("{s} is not an IP address (or IP:PORT)"))
}

fn parse_ports(s: &str) -> Result<(u16, u16), String> {
    let (first, last) = s.split_once('-').ok_or("expected FIRST-LAST, like 50000-59999")?;
    let first: u16 = first.trim().parse().map_err(|e| format!("{first}: {e}"))?;
    let last: u16 = last.trim().parse().map_err(|e| format!("{last}: {e}"))?;
    if first > last {
        return Err(format!("{first} is above {last}"));
    }
    Ok((first, last))
}
