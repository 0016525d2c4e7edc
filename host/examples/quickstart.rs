//! Upload, list and download with `ftp-host`.
//!
//! `cargo run -p ftp-host --example quickstart -- ftp://user:pass@host:port/dir/`
//! works in that directory; with no URL it starts an in-process server.

use ftp_host::{Client, FtpUrl};
use std::io::{self, Read, Write};

pub fn run(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let url: FtpUrl = url.parse()?;
    let dir = url.path.clone();
    let client = Client::new()?;
    let mut session = client.connect(url)?;
    println!("{}", session.welcome());
    if !dir.is_empty() {
        session.cwd(&dir)?;
    }

    let mut upload = session.store("quickstart.txt")?;
    for i in 1..=3 {
        writeln!(upload, "line {i} from the quickstart example")?;
    }
    println!("store: {}", upload.finish()?);

    for entry in session.list(None)? {
        println!("{:?}\t{:>8}\t{}", entry.kind, entry.size.unwrap_or(0), entry.name);
    }

    let mut download = session.retrieve("quickstart.txt")?;
    let mut text = String::new();
    download.read_to_string(&mut text)?;
    println!("retrieve: {}", download.finish()?);
    io::stdout().write_all(text.as_bytes())?;
    assert_eq!(text.lines().count(), 3);

    session.delete("quickstart.txt")?;
    println!("quit: {}", session.quit()?);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::args().nth(1) {
        Some(url) => run(&url),
        None => {
            let server = ftp_test_server::TestServer::start()?;
            run(&server.url("/"))
        }
    }
}
