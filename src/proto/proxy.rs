//! The proxy handshakes, apart from any I/O: SOCKS5 (RFC 1928, with RFC
//! 1929's user and password) and HTTP CONNECT (RFC 9110 §9.3.6, with Basic
//! auth). A handshake says what to send and how much it wants to read next,
//! never more than its reply holds: the server's first bytes may follow the
//! proxy's reply at once, and they are the tunnel's, not the handshake's.

use std::net::{IpAddr, SocketAddr};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    Socks5,
    HttpConnect,
}

/// Where the tunnel goes: an address, or a name the proxy resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Addr(SocketAddr),
    Name(String, u16),
}

impl Target {
    /// `host:port` as HTTP writes it (IPv6 in brackets).
    fn authority(&self) -> String {
        match self {
            Target::Addr(addr) => addr.to_string(),
            Target::Name(name, port) => format!("{name}:{port}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProxyError {
    /// The proxy would not take the credentials (or wanted some).
    #[error("the proxy refused the credentials: {0}")]
    Denied(String),
    /// The proxy could not or would not reach the target.
    #[error("the proxy could not connect: {0}")]
    Refused(String),
    /// The proxy's reply broke its protocol.
    #[error("the proxy's reply is malformed: {0}")]
    Malformed(String),
    /// What the caller asked for cannot be said in the protocol.
    #[error("{0}")]
    Invalid(String),
}

/// The most an HTTP proxy's reply headers may take.
const MAX_HTTP_REPLY: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// SOCKS5: the method selection (2 bytes) is due.
    Methods,
    /// SOCKS5: the user/password reply (2 bytes).
    Auth,
    /// SOCKS5: the reply's first four bytes, then (a bound name's length
    /// first, where it is a name) the rest, which is set aside.
    ReplyHead,
    ReplyNameLength,
    ReplyRest(usize),
    /// HTTP: the status line and headers, up to an empty line.
    Headers,
    Done,
}

pub struct Handshake {
    target: Target,
    credentials: Option<(String, String)>,
    stage: Stage,
    outgoing: Option<Vec<u8>>,
    /// What has arrived of the reply being read.
    incoming: Vec<u8>,
}

impl Handshake {
    /// A handshake to `target`, checked before anything is sent.
    pub fn new(kind: ProxyKind, target: Target, credentials: Option<(String, String)>) -> Result<Self, ProxyError> {
        let check = |what: &str, text: &str, limit: usize| {
            if text.len() > limit || text.bytes().any(|b| b.is_ascii_control()) {
                Err(ProxyError::Invalid(format!(
                    "the proxy {what} must be at most {limit} bytes without control characters"
                )))
            } else {
                Ok(())
            }
        };
        if let Target::Name(name, _) = &target {
            check("target name", name, 255)?;
            if name.is_empty() || name.contains(' ') {
                return Err(ProxyError::Invalid(format!("{name:?} is not a host name")));
            }
        }
        if let Some((user, password)) = &credentials {
            check("user", user, 255)?;
            check("password", password, 255)?;
            if kind == ProxyKind::HttpConnect && user.contains(':') {
                return Err(ProxyError::Invalid("an HTTP proxy user may not contain ':'".into()));
            }
        }
        let mut handshake = Self {
            target,
            credentials,
            stage: Stage::Methods,
            outgoing: None,
            incoming: Vec::new(),
        };
        handshake.outgoing = Some(match kind {
            ProxyKind::Socks5 => {
                let methods: &[u8] = if handshake.credentials.is_some() {
                    &[0x00, 0x02]
                } else {
                    &[0x00]
                };
                [&[0x05, methods.len() as u8][..], methods].concat()
            }
            ProxyKind::HttpConnect => {
                handshake.stage = Stage::Headers;
                handshake.http_request()
            }
        });
        Ok(handshake)
    }

    /// Bytes to send now, if any.
    pub fn to_send(&mut self) -> Option<Vec<u8>> {
        self.outgoing.take()
    }

    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// The most that may be read next without reading past the reply.
    pub fn want(&self) -> usize {
        match self.stage {
            Stage::Methods | Stage::Auth => 2 - self.incoming.len(),
            Stage::ReplyHead => 4 - self.incoming.len(),
            Stage::ReplyNameLength => 1 - self.incoming.len(),
            Stage::ReplyRest(n) => n - self.incoming.len(),
            // Enough to complete "\r\n\r\n", no more.
            Stage::Headers if self.incoming.ends_with(b"\r\n\r\n") => 0,
            Stage::Headers => {
                let tail = ["\r\n\r", "\r\n", "\r"]
                    .iter()
                    .find(|t| self.incoming.ends_with(t.as_bytes()))
                    .map_or(0, |t| t.len());
                4 - tail
            }
            Stage::Done => 0,
        }
    }

    /// Takes what arrived (at most `want()` bytes).
    pub fn received(&mut self, bytes: &[u8]) -> Result<(), ProxyError> {
        if bytes.len() > self.want() {
            return Err(ProxyError::Invalid("read past the proxy's reply".into()));
        }
        self.incoming.extend_from_slice(bytes);
        if self.incoming.len() > MAX_HTTP_REPLY {
            return Err(ProxyError::Malformed(format!(
                "reply headers over {MAX_HTTP_REPLY} bytes"
            )));
        }
        if self.want() > 0 {
            return Ok(());
        }
        let reply = std::mem::take(&mut self.incoming);
        match self.stage {
            Stage::Methods => self.methods(&reply),
            Stage::Auth => {
                if reply != [0x01, 0x00] {
                    return Err(ProxyError::Denied(
                        "the SOCKS5 proxy refused the user and password".into(),
                    ));
                }
                self.request();
                Ok(())
            }
            Stage::ReplyHead => self.reply_head(&reply),
            Stage::ReplyNameLength => {
                self.stage = Stage::ReplyRest(usize::from(reply[0]) + 2);
                Ok(())
            }
            Stage::ReplyRest(_) => {
                self.stage = Stage::Done;
                Ok(())
            }
            Stage::Headers => self.http_reply(&reply),
            Stage::Done => Ok(()),
        }
    }

    fn methods(&mut self, reply: &[u8]) -> Result<(), ProxyError> {
        match (reply, &self.credentials) {
            ([0x05, 0x00], _) => self.request(),
            ([0x05, 0x02], Some((user, password))) => {
                self.stage = Stage::Auth;
                self.outgoing = Some(
                    [
                        &[0x01, user.len() as u8][..],
                        user.as_bytes(),
                        &[password.len() as u8],
                        password.as_bytes(),
                    ]
                    .concat(),
                );
            }
            ([0x05, 0xFF], None) => {
                return Err(ProxyError::Denied("the SOCKS5 proxy wants credentials".into()));
            }
            ([0x05, 0xFF], Some(_)) => {
                return Err(ProxyError::Denied(
                    "the SOCKS5 proxy takes none of the methods offered".into(),
                ));
            }
            (other, _) => return Err(ProxyError::Malformed(format!("SOCKS5 method selection {other:02x?}"))),
        }
        Ok(())
    }

    /// The SOCKS5 CONNECT request.
    fn request(&mut self) {
        let mut request = vec![0x05, 0x01, 0x00];
        let port = match &self.target {
            Target::Addr(addr) => {
                match addr.ip() {
                    IpAddr::V4(v4) => {
                        request.push(0x01);
                        request.extend_from_slice(&v4.octets());
                    }
                    IpAddr::V6(v6) => {
                        request.push(0x04);
                        request.extend_from_slice(&v6.octets());
                    }
                }
                addr.port()
            }
            Target::Name(name, port) => {
                request.push(0x03);
                request.push(name.len() as u8);
                request.extend_from_slice(name.as_bytes());
                *port
            }
        };
        request.extend_from_slice(&port.to_be_bytes());
        self.stage = Stage::ReplyHead;
        self.outgoing = Some(request);
    }

    fn reply_head(&mut self, head: &[u8]) -> Result<(), ProxyError> {
        let [version, status, _, kind] = head else {
            return Err(ProxyError::Malformed("short SOCKS5 reply".into()));
        };
        if *version != 0x05 {
            return Err(ProxyError::Malformed(format!("SOCKS5 reply of version {version}")));
        }
        if *status != 0x00 {
            return Err(match status {
                0x02 => ProxyError::Denied(format!(
                    "{} is not allowed by the proxy's rules",
                    self.target.authority()
                )),
                _ => ProxyError::Refused(format!("{}: {}", self.target.authority(), socks5_status(*status))),
            });
        }
        // The bound address, then its port: read and set aside.
        self.stage = match kind {
            0x01 => Stage::ReplyRest(4 + 2),
            0x04 => Stage::ReplyRest(16 + 2),
            0x03 => Stage::ReplyNameLength,
            other => return Err(ProxyError::Malformed(format!("SOCKS5 address type {other}"))),
        };
        Ok(())
    }

    fn http_request(&self) -> Vec<u8> {
        let authority = self.target.authority();
        let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if let Some((user, password)) = &self.credentials {
            request.push_str(&format!(
                "Proxy-Authorization: Basic {}\r\n",
                base64(format!("{user}:{password}").as_bytes())
            ));
        }
        request.push_str("\r\n");
        request.into_bytes()
    }

    fn http_reply(&mut self, reply: &[u8]) -> Result<(), ProxyError> {
        let text = String::from_utf8_lossy(reply);
        let status_line = text.lines().next().unwrap_or_default();
        let mut words = status_line.split_whitespace();
        let (version, code) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
        if !version.starts_with("HTTP/1.") {
            return Err(ProxyError::Malformed(format!("{status_line:?}")));
        }
        match code.parse::<u16>() {
            Ok(200..=299) => {
                self.stage = Stage::Done;
                Ok(())
            }
            // 407 by the standard; tinyproxy answers 401.
            Ok(401 | 407) => Err(ProxyError::Denied(status_line.to_string())),
            Ok(_) => Err(ProxyError::Refused(format!(
                "{}: {status_line}",
                self.target.authority()
            ))),
            Err(_) => Err(ProxyError::Malformed(format!("{status_line:?}"))),
        }
    }
}

fn socks5_status(status: u8) -> &'static str {
    match status {
        0x01 => "general SOCKS server failure",
        0x03 => "network unreachable",
        0x04 => "host unreachable",
        0x05 => "connection refused",
        0x06 => "TTL expired",
        0x07 => "command not supported",
        0x08 => "address type not supported",
        _ => "unknown failure",
    }
}

/// Standard base64 with padding (RFC 4648 §4), for Basic auth.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    /// Runs `handshake` against a proxy that answers each message it is
    /// sent with the next of `replies`, read no more than `want()` at a
    /// time; what was sent, and how it ended.
    fn converse(mut handshake: Handshake, replies: &[&[u8]]) -> (Vec<Vec<u8>>, Result<(), ProxyError>) {
        let mut sent = Vec::new();
        for reply in replies {
            if let Some(bytes) = handshake.to_send() {
                sent.push(bytes);
            }
            let mut reply = *reply;
            while !reply.is_empty() && !handshake.is_done() {
                let n = handshake.want().min(reply.len());
                if let Err(e) = handshake.received(&reply[..n]) {
                    return (sent, Err(e));
                }
                reply = &reply[n..];
            }
        }
        if let Some(bytes) = handshake.to_send() {
            sent.push(bytes);
        }
        let end = if handshake.is_done() {
            Ok(())
        } else {
            Err(ProxyError::Malformed("unfinished".into()))
        };
        (sent, end)
    }

    fn addr() -> Target {
        Target::Addr(SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7)), 21))
    }

    #[test]
    fn socks5_without_and_with_a_password() {
        let h = Handshake::new(ProxyKind::Socks5, addr(), None).unwrap();
        let (sent, end) = converse(h, &[&[5, 0], &[5, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x90]]);
        assert_eq!(end, Ok(()));
        assert_eq!(sent, [vec![5, 1, 0], vec![5, 1, 0, 1, 10, 0, 0, 7, 0, 21]]);

        let creds = Some(("alice".to_string(), "pw".to_string()));
        let h = Handshake::new(ProxyKind::Socks5, Target::Name("ftp.example".into(), 990), creds).unwrap();
        let (sent, end) = converse(h, &[&[5, 2], &[1, 0], &[5, 0, 0, 3, 4, b'p', b'r', b'x', b'y', 0, 1]]);
        assert_eq!(end, Ok(()));
        assert_eq!(sent[0], [5, 2, 0, 2]);
        assert_eq!(sent[1], [&[1, 5][..], b"alice", &[2], b"pw"].concat());
        assert_eq!(sent[2], [&[5, 1, 0, 3, 11][..], b"ftp.example", &[3, 0xde]].concat());
    }

    /// Credentials, the proxy's replies, and what the failure must be.
    type Case<'a> = (Option<(String, String)>, Vec<&'a [u8]>, fn(&ProxyError) -> bool);

    #[test]
    fn socks5_refusals_are_typed() {
        let creds = || Some(("alice".to_string(), "bad".to_string()));
        let cases: Vec<Case<'_>> = vec![
            (None, vec![&[5, 0xff]], |e| matches!(e, ProxyError::Denied(_))),
            (creds(), vec![&[5, 2], &[1, 1]], |e| matches!(e, ProxyError::Denied(_))),
            (
                None,
                vec![&[5, 0], &[5, 5, 0, 1]],
                |e| matches!(e, ProxyError::Refused(m) if m.contains("refused")),
            ),
            (None, vec![&[5, 0], &[5, 2, 0, 1]], |e| {
                matches!(e, ProxyError::Denied(_))
            }),
            (None, vec![&[4, 0]], |e| matches!(e, ProxyError::Malformed(_))),
            (None, vec![&[5, 0], &[5, 0, 0, 9]], |e| {
                matches!(e, ProxyError::Malformed(_))
            }),
        ];
        for (credentials, replies, want) in cases {
            let h = Handshake::new(ProxyKind::Socks5, addr(), credentials).unwrap();
            let (_, end) = converse(h, &replies);
            assert!(end.as_ref().is_err_and(want), "{replies:?}: {end:?}");
        }
    }

    #[test]
    fn http_connect_with_basic_auth_and_no_more_read_than_its_reply() {
        let creds = Some(("Aladdin".to_string(), "open sesame".to_string()));
        let mut h = Handshake::new(ProxyKind::HttpConnect, addr(), creds).unwrap();
        let request = String::from_utf8(h.to_send().unwrap()).unwrap();
        assert_eq!(
            request,
            "CONNECT 10.0.0.7:21 HTTP/1.1\r\nHost: 10.0.0.7:21\r\nProxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"
        );
        // The server's banner follows the proxy's reply in the same bytes.
        let arrived = b"HTTP/1.1 200 Connection established\r\nProxy-Agent: test\r\n\r\n220 hello\r\n";
        let mut taken = 0;
        while !h.is_done() {
            let n = h.want();
            assert!(n > 0);
            h.received(&arrived[taken..taken + n]).unwrap();
            taken += n;
        }
        assert_eq!(
            &arrived[taken..],
            b"220 hello\r\n",
            "the tunnel's bytes are left unread"
        );
    }

    #[test]
    fn http_refusals_are_typed() {
        for (reply, want) in [
            ("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", "denied"),
            ("HTTP/1.0 401 Unauthorized\r\n\r\n", "denied"),
            ("HTTP/1.0 403 Forbidden\r\n\r\n", "refused"),
            ("SSH-2.0-OpenSSH\r\n\r\n", "malformed"),
        ] {
            let h = Handshake::new(ProxyKind::HttpConnect, addr(), None).unwrap();
            let (_, end) = converse(h, &[reply.as_bytes()]);
            let got = match end {
                Err(ProxyError::Denied(_)) => "denied",
                Err(ProxyError::Refused(_)) => "refused",
                Err(ProxyError::Malformed(_)) => "malformed",
                other => panic!("{reply:?}: {other:?}"),
            };
            assert_eq!(got, want, "{reply:?}");
        }
        // Endless headers are cut off.
        let mut h = Handshake::new(ProxyKind::HttpConnect, addr(), None).unwrap();
        h.to_send();
        let mut result = Ok(());
        for _ in 0..MAX_HTTP_REPLY * 2 {
            result = h.received(&b"x"[..h.want().min(1)]);
            if result.is_err() {
                break;
            }
        }
        assert!(matches!(result, Err(ProxyError::Malformed(_))));
    }

    #[test]
    fn what_cannot_be_said_is_refused() {
        let long = "x".repeat(256);
        assert!(Handshake::new(ProxyKind::Socks5, Target::Name(long, 21), None).is_err());
        let creds = Some(("a:b".to_string(), "p".to_string()));
        assert!(Handshake::new(ProxyKind::HttpConnect, addr(), creds).is_err());
        let creds = Some(("a".to_string(), "p\r\nX: y".to_string()));
        assert!(Handshake::new(ProxyKind::HttpConnect, addr(), creds).is_err());
        assert!(Handshake::new(ProxyKind::HttpConnect, Target::Name("a b".into(), 21), None).is_err());
    }

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
