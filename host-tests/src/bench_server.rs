//! A minimal FTP source/sink for throughput benchmarks: it serves RETR of
//! `<n>.bin` as n bytes from memory, swallows STOR, and serves a LIST or
//! MLSD of `<n>` generated lines, so the server is never the bottleneck.
//! Any user and password are accepted; each connection gets its own thread.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

pub struct BenchServer {
    addr: SocketAddr,
}

const BLOCK: usize = 1 << 20;

fn reply(w: &mut TcpStream, text: &str) -> std::io::Result<()> {
    w.write_all(text.as_bytes())
}

/// The listing bodies: `count` lines in Unix LIST or MLSD form.
pub fn listing(count: usize, machine: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(count * 80);
    for i in 0..count {
        let line = if machine {
            format!(
                "type=file;size={};modify=20261124103000;perm=adfrw;unix.mode=0644; file-{i:06}.dat\r\n",
                i * 7
            )
        } else {
            format!(
                "-rw-r--r--    1 1000     1000     {:>10} Nov 24 10:30 file-{i:06}.dat\r\n",
                i * 7
            )
        };
        out.extend_from_slice(line.as_bytes());
    }
    out
}

/// Ends a download's data connection so that the client, not this server,
/// closes last: the TIME_WAIT then falls on the client's side, where loopback
/// connects may reuse it, instead of holding one of this server's passive
/// ports for a minute (tens of thousands of transfers would exhaust them).
fn end_data(mut data: TcpStream) {
    let _ = data.shutdown(Shutdown::Write);
    std::thread::spawn(move || {
        let _ = data.set_read_timeout(Some(Duration::from_secs(10)));
        let mut sink = [0u8; 64];
        while matches!(data.read(&mut sink), Ok(n) if n > 0) {}
    });
}

fn serve(stream: TcpStream) -> std::io::Result<()> {
    // Replies are small writes that must not wait for delayed ACKs.
    stream.set_nodelay(true)?;
    let mut w = stream.try_clone()?;
    let mut r = BufReader::new(stream);
    reply(&mut w, "220 bench\r\n")?;
    let mut passive: Option<TcpListener> = None;
    let block = vec![0x5au8; BLOCK];
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end();
        let (verb, arg) = cmd.split_once(' ').unwrap_or((cmd, ""));
        match verb.to_ascii_uppercase().as_str() {
            "USER" => reply(&mut w, "331 ok\r\n")?,
            "PASS" => reply(&mut w, "230 ok\r\n")?,
            "FEAT" => reply(
                &mut w,
                "211-Features:\r\n MLST type*;size*;modify*;\r\n SIZE\r\n211 End\r\n",
            )?,
            "TYPE" | "NOOP" | "OPTS" | "MODE" | "STRU" => reply(&mut w, "200 ok\r\n")?,
            "SYST" => reply(&mut w, "215 UNIX Type: L8\r\n")?,
            "PWD" => reply(&mut w, "257 \"/\"\r\n")?,
            "EPSV" | "PASV" => {
                let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
                let port = l.local_addr()?.port();
                passive = Some(l);
                if verb.eq_ignore_ascii_case("EPSV") {
                    reply(&mut w, &format!("229 Entering Extended Passive Mode (|||{port}|)\r\n"))?;
                } else {
                    reply(
                        &mut w,
                        &format!(
                            "227 Entering Passive Mode (127,0,0,1,{},{})\r\n",
                            port >> 8,
                            port & 0xff
                        ),
                    )?;
                }
            }
            "SIZE" => match arg.trim_end_matches(".bin").parse::<u64>() {
                Ok(n) => reply(&mut w, &format!("213 {n}\r\n"))?,
                Err(_) => reply(&mut w, "550 no\r\n")?,
            },
            "RETR" | "LIST" | "MLSD" | "NLST" => {
                let Some(l) = passive.take() else {
                    reply(&mut w, "425 use EPSV first\r\n")?;
                    continue;
                };
                reply(&mut w, "150 sending\r\n")?;
                let (mut data, _) = l.accept()?;
                if verb.eq_ignore_ascii_case("RETR") {
                    let mut left = arg.trim_end_matches(".bin").parse::<u64>().unwrap_or(0);
                    while left > 0 {
                        let n = left.min(BLOCK as u64) as usize;
                        data.write_all(&block[..n])?;
                        left -= n as u64;
                    }
                } else {
                    let count = arg.parse::<usize>().unwrap_or(10);
                    data.write_all(&listing(count, verb.eq_ignore_ascii_case("MLSD")))?;
                }
                end_data(data);
                reply(&mut w, "226 done\r\n")?;
            }
            "STOR" | "APPE" => {
                let Some(l) = passive.take() else {
                    reply(&mut w, "425 use EPSV first\r\n")?;
                    continue;
                };
                reply(&mut w, "150 send\r\n")?;
                let (mut data, _) = l.accept()?;
                let mut buf = vec![0u8; BLOCK];
                let mut total = 0u64;
                loop {
                    let n = data.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    total += n as u64;
                }
                reply(&mut w, &format!("226 received {total}\r\n"))?;
            }
            "QUIT" => {
                reply(&mut w, "221 bye\r\n")?;
                return Ok(());
            }
            _ => reply(&mut w, "502 not here\r\n")?,
        }
    }
}

impl BenchServer {
    pub fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || serve(stream));
            }
        });
        Ok(Self { addr })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Loopback, any port: passive ports are chosen by the OS.
    pub fn grant(&self) -> crate::NetworkPolicy {
        crate::NetworkPolicy::default().allow(self.addr.ip(), 1..=u16::MAX)
    }
}
