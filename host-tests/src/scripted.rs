//! A scripted fake FTP server for what real servers will not do on demand:
//! it records every byte the client sends and answers each command line with
//! whatever the script returns.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// What the script does in answer to one command line.
pub enum Action {
    /// Send these bytes.
    Send(Vec<u8>),
    /// Close the control connection.
    Close,
}

pub struct ScriptedServer {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<u8>>>,
    thread: Option<JoinHandle<()>>,
}

impl ScriptedServer {
    /// Accepts one control connection, sends `banner`, then answers each line
    /// (without CRLF) with `script(line)`.
    pub fn start(banner: &[u8], mut script: impl FnMut(&str) -> Action + Send + 'static) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let banner = banner.to_vec();
        let thread = std::thread::spawn(move || {
            let Ok((stream, _)) = listener.accept() else { return };
            let mut writer = match stream.try_clone() {
                Ok(w) => w,
                Err(_) => return,
            };
            if writer.write_all(&banner).is_err() {
                return;
            }
            let mut reader = BufReader::new(stream);
            let mut line = Vec::new();
            while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                log.lock().expect("log lock").extend_from_slice(&line);
                let text = String::from_utf8_lossy(&line)
                    .trim_end_matches(['\r', '\n'])
                    .to_string();
                line.clear();
                match script(&text) {
                    Action::Send(bytes) => {
                        if writer.write_all(&bytes).is_err() {
                            return;
                        }
                    }
                    Action::Close => return,
                }
            }
        });
        Ok(Self {
            addr,
            received,
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every byte the client has sent so far.
    pub fn received(&self) -> Vec<u8> {
        self.received.lock().expect("log lock").clone()
    }

    /// A grant for the control port only.
    pub fn grant(&self) -> crate::Grant {
        crate::Grant::ftp_server(self.addr, self.addr.port()..=self.addr.port())
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        // The thread ends when the client's connection closes; don't wait on
        // a client that is still connected.
        if let Some(t) = self.thread.take() {
            if t.is_finished() {
                let _ = t.join();
            }
        }
    }
}
