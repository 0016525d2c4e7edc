//! A NAT box or firewall in front of a server, as users meet them: it
//! forwards one TCP connection and forgets it (both sides closed) once
//! nothing has crossed it for `idle`, the way such boxes drop the idle
//! control connection of a long transfer.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Middlebox {
    addr: SocketAddr,
    dropped: Arc<AtomicBool>,
}

impl Middlebox {
    /// Listens on loopback; forwards the first connection to `to`.
    pub fn start(to: SocketAddr, idle: Duration) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the middlebox");
        let addr = listener.local_addr().expect("local address");
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = dropped.clone();
        std::thread::spawn(move || {
            let Ok((client, _)) = listener.accept() else { return };
            let Ok(server) = TcpStream::connect(to) else { return };
            let last = Arc::new(Mutex::new(Instant::now()));
            for (from, into) in [(&client, &server), (&server, &client)] {
                let (Ok(from), Ok(into)) = (from.try_clone(), into.try_clone()) else {
                    return;
                };
                let last = last.clone();
                std::thread::spawn(move || pump(from, into, &last));
            }
            loop {
                std::thread::sleep(Duration::from_millis(20));
                if last.lock().expect("activity lock").elapsed() > idle {
                    flag.store(true, Ordering::SeqCst);
                    let _ = client.shutdown(Shutdown::Both);
                    let _ = server.shutdown(Shutdown::Both);
                    return;
                }
            }
        });
        Self { addr, dropped }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Whether it has forgotten the connection.
    pub fn dropped(&self) -> bool {
        self.dropped.load(Ordering::SeqCst)
    }
}

/// Copies `from` into `into`, noting when bytes last crossed.
fn pump(mut from: TcpStream, mut into: TcpStream, last: &Mutex<Instant>) {
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || into.write_all(&buf[..n]).is_err() {
            break;
        }
        *last.lock().expect("activity lock") = Instant::now();
    }
    let _ = into.shutdown(Shutdown::Write);
}
