//! The main job on an embedded default: starts an FTP server on loopback,
//! then drives the component through a whole session with `ftp-host`'s API
//! (login, upload, listing, download with verification, rename, delete,
//! quit), printing each step.
//!
//! `ftp-demo` alone uses the embedded server; `ftp-demo ftp://user:pass@host:port/`
//! runs the same session against another server, granted that server only.

use ftp_host::{Client, FtpUrl, Reply, Session};
use ftp_test_server::TestServer;
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::time::Instant;

fn show(step: &str, reply: &Reply) {
    println!("  {step:<30} -> {reply}");
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// 8 MiB of deterministic, incompressible-looking bytes.
fn payload() -> Vec<u8> {
    (0..8u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

fn run(session: &mut Session) -> Result<(), Box<dyn std::error::Error>> {
    show("welcome", session.welcome());
    println!("  {:<30} -> {}", "pwd", session.pwd()?);
    println!("  {:<30} -> {}", "mkdir demo", session.mkdir("demo")?);
    show("cwd demo", &session.cwd("demo")?);

    let data = payload();
    let sent = Sha256::digest(&data);
    let t = Instant::now();
    let mut upload = session.store("payload.bin")?;
    io::copy(&mut data.as_slice(), &mut upload)?;
    let reply = upload.finish()?;
    let up = t.elapsed();
    show(&format!("store payload.bin ({} MiB)", data.len() >> 20), &reply);
    println!("  {:<30} -> {}", "size payload.bin", session.size("payload.bin")?);

    let mut upload = session.store("hello.txt")?;
    upload.write_all(b"hello from a wasm component\n")?;
    upload.finish()?;
    println!("  {:<30} -> {:?}", "nlst", session.nlst(None)?);
    for entry in session.list(None)? {
        println!(
            "  {:<30} -> {:?} {} bytes",
            format!("list: {}", entry.name),
            entry.kind,
            entry.size.unwrap_or(0)
        );
    }

    let t = Instant::now();
    let mut download = session.retrieve("payload.bin")?;
    let mut hasher = Sha256::new();
    let mut received = 0u64;
    let mut buf = vec![0; 1 << 16];
    loop {
        let n = download.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        received += n as u64;
    }
    show("retrieve payload.bin", &download.finish()?);
    let down = t.elapsed();
    let got = hasher.finalize();
    println!("  {:<30} -> {received} bytes", "received");
    println!("  sha256 sent     {}", hex(&sent));
    println!("  sha256 received {}", hex(&got));
    if sent != got {
        return Err("the downloaded file differs from the uploaded one".into());
    }
    let mib = data.len() as f64 / f64::from(1 << 20);
    println!(
        "  verified; upload {:.0} MiB/s, download {:.0} MiB/s",
        mib / up.as_secs_f64(),
        mib / down.as_secs_f64()
    );

    show(
        "rename hello.txt greeting.txt",
        &session.rename("hello.txt", "greeting.txt")?,
    );
    show("delete payload.bin", &session.delete("payload.bin")?);
    show("delete greeting.txt", &session.delete("greeting.txt")?);
    show("cdup", &session.cdup()?);
    show("rmdir demo", &session.rmdir("demo")?);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let embedded;
    let url = match std::env::args().nth(1) {
        Some(url) => url,
        None => {
            embedded = TestServer::start()?;
            println!(
                "embedded FTP server (libunftp) on {} serving {}",
                embedded.addr(),
                embedded.root().display()
            );
            embedded.url("/")
        }
    };
    let target: FtpUrl = url.parse()?;

    let t = Instant::now();
    let client = Client::new()?;
    println!(
        "component loaded in {:?} (compiled once, then cached on disk)",
        t.elapsed()
    );
    let t = Instant::now();
    let mut session = client.connect(target)?;
    println!(
        "connected to {} and logged in, in {:?}; the instance may reach that address only",
        session.peer_addr(),
        t.elapsed()
    );
    run(&mut session)?;
    show("quit", &session.quit()?);
    println!("session complete in {:?}", started.elapsed());
    Ok(())
}
