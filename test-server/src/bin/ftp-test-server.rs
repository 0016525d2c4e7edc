//! Runs the in-process test server in the foreground, for the checks that
//! drive the client from outside Rust (the composed component under
//! `wasmtime run`, Node.js, Python). Prints one line with its URL, then
//! serves until killed.

use clap::Parser;
use ftp_test_server::{TestServer, PASSWORD, USER};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

/// The test FTP server (libunftp) on loopback.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Directory to serve (default: a new temporary directory).
    #[arg(long)]
    root: Option<PathBuf>,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let server = TestServer::start_at(SocketAddr::new(args.bind, args.port), args.root.as_deref())?;
    println!(
        "ftp://{USER}:{PASSWORD}@{}/ serving {}",
        server.addr(),
        server.root().display()
    );
    loop {
        std::thread::park();
    }
}
