//! Real proxies from Debian for the tests, on loopback: microsocks for
//! SOCKS5 and tinyproxy for HTTP CONNECT, each with or without
//! credentials, started by the test and stopped when dropped.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RealProxy {
    pub addr: SocketAddr,
    child: Child,
    _dir: tempfile::TempDir,
}

impl RealProxy {
    /// Stops the proxy now (a proxy that dies mid-transfer).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RealProxy {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn start(mut command: Command, port: u16, dir: tempfile::TempDir, name: &str) -> Result<RealProxy, String> {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{name} is not installed (apt-get install {name}): {e}"))?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut proxy = RealProxy { addr, child, _dir: dir };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = proxy.child.try_wait() {
            return Err(format!("{name} exited with {status}"));
        }
        if TcpStream::connect(addr).is_ok() {
            return Ok(proxy);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    proxy.kill();
    Err(format!("{name} did not listen within 10 s"))
}

/// microsocks on loopback, asking for `credentials` if given.
pub fn socks5(credentials: Option<(&str, &str)>) -> Result<RealProxy, String> {
    let port = free_port()?;
    let mut command = Command::new("microsocks");
    command.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
    if let Some((user, password)) = credentials {
        command.args(["-u", user, "-P", password]);
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    start(command, port, dir, "microsocks")
}

/// tinyproxy on loopback, CONNECT to any port, asking for Basic
/// `credentials` if given.
pub fn http_connect(credentials: Option<(&str, &str)>) -> Result<RealProxy, String> {
    let port = free_port()?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let conf = dir.path().join("tinyproxy.conf");
    // No ConnectPort line: CONNECT to every port (FTP's and passive ones).
    let mut text = format!(
        "User nobody\nGroup nogroup\nPort {port}\nListen 127.0.0.1\nTimeout 600\nMaxClients 100\n\
         Allow 127.0.0.1\nLogLevel Critical\nPidFile \"{}\"\n",
        dir.path().join("pid").display()
    );
    if let Some((user, password)) = credentials {
        text.push_str(&format!("BasicAuth {user} {password}\n"));
    }
    std::fs::write(&conf, text).map_err(|e| e.to_string())?;
    let mut command = Command::new("tinyproxy");
    command.arg("-d").arg("-c").arg(&conf);
    start(command, port, dir, "tinyproxy")
}
