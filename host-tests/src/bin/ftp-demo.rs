//! The main job on an embedded default: starts an FTP server on loopback,
//! then drives the component through a whole session (login, upload,
//! listing, download with verification, rename, delete, quit), printing it.
//!
//! `ftp-demo` alone uses the embedded server; `ftp-demo HOST PORT [USER PASS]`
//! runs the same session against another server (granted that address only).

use host_tests::{default_options, Client, Failure, Grant, Reply, Runtime, StoreMode, TestServer};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

fn show(step: &str, reply: &Reply) {
    println!("  {step:<28} -> {} {}", reply.code, reply.text.replace('\n', " | "));
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let embedded;
    let (addr, user, password, grant) = match args.as_slice() {
        [] => {
            embedded = TestServer::start()?;
            println!(
                "embedded FTP server (libunftp) on {} serving {}",
                embedded.addr(),
                embedded.root().display()
            );
            let grant = embedded.grant();
            (
                embedded.addr(),
                host_tests::server::USER.to_string(),
                host_tests::server::PASSWORD.to_string(),
                grant,
            )
        }
        [host, port, rest @ ..] => {
            let ip: IpAddr = host
                .parse()
                .map_err(|_| format!("HOST must be an IP address, got {host}"))?;
            let addr = SocketAddr::new(ip, port.parse()?);
            let user = rest.first().cloned().unwrap_or_else(|| "anonymous".into());
            let password = rest.get(1).cloned().unwrap_or_default();
            (addr, user, password, Grant::default().allow(ip, 1..=u16::MAX))
        }
        _ => return Err("usage: ftp-demo [HOST PORT [USER PASSWORD]]".into()),
    };

    let started = Instant::now();
    let runtime = Runtime::load()?;
    println!(
        "component {} compiled in {:?}",
        host_tests::runtime::COMPONENT_PATH,
        started.elapsed()
    );
    let mut c = Client::new(&runtime, grant)?;

    let run = |c: &mut Client| -> Result<(), Failure> {
        let s = c.connect(&addr.ip().to_string(), addr.port(), &default_options())?;
        show("connect (welcome)", &c.welcome(s)?);
        show(&format!("login {user}"), &c.login(s, Some(&user), Some(&password))?);
        println!("  {:<28} -> {}", "pwd", c.pwd(s)?);
        println!("  {:<28} -> {}", "mkd demo", c.mkd(s, "demo")?);
        show("cwd demo", &c.cwd(s, "demo")?);

        let data: Vec<u8> = (0..8u32 << 20)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let sent = Sha256::digest(&data);
        let t = Instant::now();
        let reply = c.put(s, "payload.bin", StoreMode::Replace, &data, 1 << 20)?;
        let up = t.elapsed();
        show(&format!("store payload.bin ({} MiB)", data.len() >> 20), &reply);
        println!("  {:<28} -> {}", "size payload.bin", c.size(s, "payload.bin")?);
        c.put(
            s,
            "hello.txt",
            StoreMode::Replace,
            b"hello from a wasm component\n",
            1024,
        )?;
        println!("  {:<28} -> {:?}", "nlst", c.nlst(s, None)?);

        let t = Instant::now();
        let back = c.get(s, "payload.bin", 0, 1 << 20)?;
        let down = t.elapsed();
        let got = Sha256::digest(&back);
        println!("  {:<28} -> {} bytes", "retrieve payload.bin", back.len());
        println!("  sha256 sent     {}", hex(&sent));
        println!("  sha256 received {}", hex(&got));
        if sent != got {
            eprintln!("MISMATCH: the downloaded file differs from the uploaded one");
            std::process::exit(1);
        }
        let mib = data.len() as f64 / f64::from(1 << 20);
        println!(
            "  verified; upload {:.0} MiB/s, download {:.0} MiB/s",
            mib / up.as_secs_f64(),
            mib / down.as_secs_f64()
        );

        show(
            "rename hello.txt greeting.txt",
            &c.rename(s, "hello.txt", "greeting.txt")?,
        );
        show("delete payload.bin", &c.delete(s, "payload.bin")?);
        show("delete greeting.txt", &c.delete(s, "greeting.txt")?);
        show("cdup", &c.cdup(s)?);
        show("rmd demo", &c.rmd(s, "demo")?);
        show("quit", &c.quit(s)?);
        Ok(())
    };
    run(&mut c)?;
    println!("session complete in {:?}", started.elapsed());
    Ok(())
}
