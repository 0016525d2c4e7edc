//! A scripted fake FTP server for what real servers will not do on demand:
//! faults, malformed replies, stalls. It records every byte the client sends
//! on the control connection, answers each command line through a script,
//! and offers the script a passive data connection to misuse at will.

use socket2::SockRef;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What happens after the script handled a line.
pub enum Flow {
    /// Read the next command.
    Next,
    /// Close the control connection.
    Close,
    /// Reset the control connection (RST instead of FIN).
    Reset,
}

/// The script's view of the connection.
pub struct Ctx {
    control: TcpStream,
    listener: Option<TcpListener>,
    data: Option<TcpStream>,
    peers: Arc<Mutex<Vec<SocketAddr>>>,
}

impl Ctx {
    /// Sends bytes on the control connection as they are.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        let _ = self.control.write_all(bytes.as_ref());
        let _ = self.control.flush();
    }

    /// Opens a passive listener on 127.0.0.1 and returns its port.
    pub fn passive(&mut self) -> u16 {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a passive port");
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        self.listener = Some(listener);
        self.data = None;
        port
    }

    /// The data connection, accepted on first use (the client connects
    /// before it sends the transfer command).
    pub fn data(&mut self) -> Option<&mut TcpStream> {
        if self.data.is_none() {
            let listener = self.listener.take()?;
            let (stream, peer) = listener.accept().ok()?;
            self.peers.lock().expect("peers lock").push(peer);
            self.data = Some(stream);
        }
        self.data.as_mut()
    }

    /// A whole transfer as a server makes one: 150, `bytes` on the data
    /// connection, its close, then 226.
    pub fn transfer(&mut self, bytes: &[u8]) {
        self.send("150 here it comes\r\n");
        self.data_write(bytes);
        self.data_close();
        self.send("226 done\r\n");
    }

    pub fn data_write(&mut self, bytes: &[u8]) {
        if let Some(d) = self.data() {
            let _ = d.write_all(bytes);
        }
    }

    /// Reads the data connection to its end (an upload).
    pub fn data_read_all(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(d) = self.data() {
            let _ = d.read_to_end(&mut out);
        }
        out
    }

    /// Reads an upload to its end (or a reset) `chunk` bytes at a time,
    /// pausing `pause_ms` after each; returns how many bytes arrived.
    pub fn data_read_slowly(&mut self, chunk: usize, pause_ms: u64) -> usize {
        let mut buf = vec![0u8; chunk];
        let mut got = 0;
        while let Some(d) = self.data() {
            match d.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got += n,
            }
            std::thread::sleep(Duration::from_millis(pause_ms));
        }
        got
    }

    /// Reads some upload bytes, then resets the data connection.
    pub fn data_read_some_then_reset(&mut self, n: usize) {
        if let Some(d) = self.data() {
            let mut buf = vec![0u8; n];
            let _ = d.read_exact(&mut buf);
        }
        self.data_reset();
    }

    pub fn data_close(&mut self) {
        if self.data().is_some() {
            self.data = None;
        }
    }

    /// Closes the data connection with RST.
    pub fn data_reset(&mut self) {
        if let Some(d) = self.data() {
            let _ = SockRef::from(&*d).set_linger(Some(Duration::ZERO));
        }
        self.data = None;
    }

    /// The control connection itself, for a script that answers commands
    /// while a transfer runs (the loop reads no line until the script
    /// returns).
    pub fn control(&self) -> &TcpStream {
        &self.control
    }

    pub fn sleep_ms(&self, ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
    }
}

/// Answers the commands every script needs the ordinary way, so a case
/// overrides only what it is about.
pub fn ordinary(line: &str, ctx: &mut Ctx) -> Flow {
    let verb = line.split(' ').next().unwrap_or_default().to_ascii_uppercase();
    match verb.as_str() {
        "USER" => ctx.send("331 password please\r\n"),
        "PASS" => ctx.send("230 logged in\r\n"),
        "FEAT" => ctx.send("211-Features:\r\n SIZE\r\n211 End\r\n"),
        "TYPE" | "NOOP" | "OPTS" => ctx.send("200 ok\r\n"),
        "PWD" => ctx.send("257 \"/\" is the current directory\r\n"),
        "CWD" => ctx.send("250 ok\r\n"),
        "EPSV" => {
            let port = ctx.passive();
            ctx.send(format!("229 Entering Extended Passive Mode (|||{port}|)\r\n"));
        }
        "PASV" => {
            let port = ctx.passive();
            ctx.send(format!(
                "227 Entering Passive Mode (127,0,0,1,{},{})\r\n",
                port >> 8,
                port & 0xff
            ));
        }
        "ABOR" => {
            ctx.data = None;
            ctx.send("225 no transfer to abort\r\n");
        }
        "QUIT" => {
            ctx.send("221 bye\r\n");
            return Flow::Close;
        }
        _ => ctx.send("502 not implemented\r\n"),
    }
    Flow::Next
}

pub struct ScriptedServer {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<u8>>>,
    peers: Arc<Mutex<Vec<SocketAddr>>>,
    client_closed: Arc<AtomicBool>,
}

impl ScriptedServer {
    /// Accepts one control connection, sends `banner`, then hands each line
    /// (without CRLF) to `script`.
    pub fn start(banner: &[u8], script: impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static) -> Self {
        Self::start_with(Some(banner.to_vec()), script)
    }

    /// Like `start`, but `None` sends no banner at all.
    pub fn start_with(
        banner: Option<Vec<u8>>,
        mut script: impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static,
    ) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the control port");
        let addr = listener.local_addr().expect("local address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let client_closed = Arc::new(AtomicBool::new(false));
        let peers = Arc::new(Mutex::new(Vec::new()));
        let (log, closed, seen) = (received.clone(), client_closed.clone(), peers.clone());
        std::thread::spawn(move || {
            let Ok((stream, peer)) = listener.accept() else { return };
            let Ok(reader) = stream.try_clone() else { return };
            seen.lock().expect("peers lock").push(peer);
            let mut ctx = Ctx {
                control: stream,
                listener: None,
                data: None,
                peers: seen,
            };
            if let Some(banner) = banner {
                ctx.send(banner);
            }
            let mut reader = BufReader::new(reader);
            let mut line = Vec::new();
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => {
                        closed.store(true, Ordering::SeqCst);
                        return;
                    }
                    Ok(_) => {}
                }
                log.lock().expect("log lock").extend_from_slice(&line);
                let text = String::from_utf8_lossy(&line)
                    .trim_end_matches(['\r', '\n'])
                    .to_string();
                match script(&text, &mut ctx) {
                    Flow::Next => {}
                    Flow::Close => {
                        // Half-close, then watch for the client closing its side.
                        let _ = ctx.control.shutdown(std::net::Shutdown::Write);
                        let mut sink = Vec::new();
                        let _ = reader.read_to_end(&mut sink);
                        closed.store(true, Ordering::SeqCst);
                        return;
                    }
                    Flow::Reset => {
                        let _ = SockRef::from(&ctx.control).set_linger(Some(Duration::ZERO));
                        return;
                    }
                }
            }
        });
        Self {
            addr,
            received,
            peers,
            client_closed,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every byte the client has sent so far.
    pub fn received(&self) -> Vec<u8> {
        self.received.lock().expect("log lock").clone()
    }

    /// Where the client connected from: the control connection, then each
    /// data connection accepted.
    pub fn peers(&self) -> Vec<SocketAddr> {
        self.peers.lock().expect("peers lock").clone()
    }

    /// The command lines received so far.
    pub fn commands(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.received())
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Waits up to `timeout` for the client to close the control connection.
    pub fn wait_client_closed(&self, timeout: Duration) -> bool {
        let end = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < end {
            if self.client_closed.load(Ordering::SeqCst) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.client_closed.load(Ordering::SeqCst)
    }

    /// Every command line the client sent, once it has closed the control
    /// connection (within [`SETTLE`](crate::timing::SETTLE)): what a client
    /// sends without waiting for the reply (QUIT from a drop, a command
    /// before a process exits) may still be in flight until then, so a
    /// check of the whole conversation reads it here.
    pub fn conversation(&self) -> Vec<String> {
        assert!(
            self.wait_client_closed(crate::timing::SETTLE),
            "the client never closed the control connection; sent so far: {:?}",
            self.commands()
        );
        self.commands()
    }

    /// Loopback, any port: the script's passive ports are chosen by the OS.
    pub fn grant(&self) -> crate::NetworkPolicy {
        crate::NetworkPolicy::default().allow(self.addr.ip(), 1..=u16::MAX)
    }
}
