//! Faults on TLS data connections, from a small implicit-FTPS server made
//! with rustls: a data connection that ends without close_notify is a
//! truncation (not an end, even with a 226 after it), and a TLS transfer
//! that stalls ends at its deadline, on both front ends and with both
//! builds (with the host's TLS, `ftp-host` is handed the decrypted stream;
//! with TLS in the component, it reads it in chunks).

use crate::support::*;
use host_tests::pki::TestPki;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::Arc;

type Tls = StreamOwned<ServerConnection, TcpStream>;

/// What the server does with a RETR's data connection, once secured.
#[derive(Clone, Copy)]
enum Data {
    /// Half the announced bytes, then a TCP close with no close_notify.
    Truncate,
    /// Some bytes, then silence with the connection open.
    Stall,
    /// All of it, close_notify, then 226: the control case.
    Whole,
}

const SIZE: usize = 100_000;

fn config(pki: &TestPki) -> Arc<ServerConfig> {
    let certs = CertificateDer::pem_file_iter(pki.cert())
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(pki.key()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    Arc::new(config)
}

fn secure(config: &Arc<ServerConfig>, tcp: TcpStream) -> Tls {
    StreamOwned::new(ServerConnection::new(config.clone()).unwrap(), tcp)
}

fn send(tls: &mut Tls, text: &str) {
    let _ = tls.write_all(text.as_bytes());
    let _ = tls.flush();
}

fn read_line(tls: &mut Tls) -> Option<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\r\n") {
        match tls.read(&mut byte) {
            Ok(1) => line.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&line[..line.len() - 2]).into_owned())
}

/// An implicit-FTPS server for one session, which `session` runs from
/// the banner on (with the TLS configuration, for data connections);
/// returns its port.
fn tls_server(pki: &TestPki, session: impl FnOnce(Tls, &Arc<ServerConfig>) + Send + 'static) -> u16 {
    let config = config(pki);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let Ok((tcp, _)) = listener.accept() else { return };
        let mut control = secure(&config, tcp);
        send(&mut control, "220 tls scripted\r\n");
        session(control, &config);
    });
    port
}

/// An implicit-FTPS server for one session; returns its port.
fn serve(pki: &TestPki, data: Data) -> u16 {
    tls_server(pki, move |mut control, config| {
        let mut passive: Option<TcpListener> = None;
        while let Some(line) = read_line(&mut control) {
            let verb = line.split(' ').next().unwrap_or_default().to_string();
            match verb.as_str() {
                "USER" => send(&mut control, "331 password\r\n"),
                "PASS" => send(&mut control, "230 in\r\n"),
                "FEAT" => send(&mut control, "211-Features:\r\n SIZE\r\n211 End\r\n"),
                "PWD" => send(&mut control, "257 \"/\"\r\n"),
                "EPSV" => {
                    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
                    let p = l.local_addr().unwrap().port();
                    passive = Some(l);
                    send(
                        &mut control,
                        &format!("229 Entering Extended Passive Mode (|||{p}|)\r\n"),
                    );
                }
                "RETR" => {
                    send(
                        &mut control,
                        &format!("150 Opening BINARY mode data connection ({SIZE} bytes)\r\n"),
                    );
                    let Some(Ok((tcp, _))) = passive.take().map(|l| l.accept()) else {
                        return;
                    };
                    let mut d = secure(config, tcp);
                    match data {
                        Data::Truncate => {
                            let _ = d.write_all(&pattern(SIZE / 2));
                            let _ = d.flush();
                            let _ = d.sock.shutdown(Shutdown::Both);
                            send(&mut control, "226 Transfer complete\r\n");
                        }
                        Data::Stall => {
                            let _ = d.write_all(&pattern(1000));
                            let _ = d.flush();
                            std::thread::sleep(Duration::from_millis(STALL_MS));
                        }
                        Data::Whole => {
                            let _ = d.write_all(&pattern(SIZE));
                            d.conn.send_close_notify();
                            let _ = d.flush();
                            drop(d);
                            send(&mut control, "226 Transfer complete\r\n");
                        }
                    }
                }
                "QUIT" => {
                    send(&mut control, "221 bye\r\n");
                    return;
                }
                "ABOR" => send(&mut control, "225 ok\r\n"),
                _ => send(&mut control, "200 ok\r\n"),
            }
        }
    })
}

fn on_both_tls(data: Data, case: impl Fn(&mut dyn Driver)) {
    let pki = TestPki::generate().unwrap();
    // A handshake in the component is real work: on a loaded machine the
    // connect and each reply get 5 s; the data deadline these cases are
    // about stays 1 s.
    let limits = Limits {
        implicit_tls_ca: Some(pki.ca_pem.clone()),
        connect_ms: 5_000,
        reply_ms: 5_000,
        ..Limits::quick()
    };
    for (flavour, runtime) in common::flavours() {
        for path in BOTH {
            let port = serve(&pki, data);
            let mut driver = paths::connect(runtime, path, port, limits.clone())
                .unwrap_or_else(|e| panic!("{flavour}, {path:?}: connect over TLS: {e}"));
            let start = Instant::now();
            case(&mut *driver);
            assert!(
                start.elapsed() < HANG,
                "{flavour}, {path:?}: took {:?}",
                start.elapsed()
            );
        }
    }
}

#[test]
fn a_whole_tls_download_succeeds() {
    on_both_tls(Data::Whole, |d| {
        assert_eq!(d.download("f", 0).unwrap(), pattern(SIZE), "{:?}", d.path())
    });
}

#[test]
fn a_tls_data_connection_without_close_notify_is_a_truncation() {
    on_both_tls(Data::Truncate, |d| match d.download("f", 0) {
        Err(HostError::Network(m)) => assert!(m.contains("close_notify"), "{:?}: {m}", d.path()),
        other => panic!("{:?}: {:?}", d.path(), other.map(|v| v.len())),
    });
}

#[test]
fn a_stalled_tls_download_ends_at_the_data_deadline() {
    on_both_tls(Data::Stall, |d| {
        let start = Instant::now();
        match d.download("f", 0) {
            Err(HostError::Timeout(w)) => assert_eq!(w, "data", "{:?}", d.path()),
            other => panic!("{:?}: {:?}", d.path(), other.map(|v| v.len())),
        }
        assert_ended_at(start.elapsed(), Duration::from_secs(1), &format!("{:?}", d.path()));
        closed(d);
    });
}

/// How the server ends TLS after its reply to CCC.
#[derive(Clone, Copy)]
enum Ccc {
    /// close_notify both ways, then the conversation goes on in the clear.
    Clean,
    /// Plain text straight after the reply, with no close_notify.
    NoCloseNotify,
}

/// Reads TLS records one at a time, exactly, until the client's
/// close_notify: its plain text may follow in the same segment, and a
/// buffered read would take that into TLS too (seen under load: the
/// PWD after CCC went unanswered). The socket, at the first plain byte.
fn until_close_notify(tls: Tls) -> TcpStream {
    let (mut conn, mut sock) = tls.into_parts();
    loop {
        let mut header = [0u8; 5];
        if sock.read_exact(&mut header).is_err() {
            return sock;
        }
        let mut record = header.to_vec();
        record.resize(5 + usize::from(u16::from_be_bytes([header[3], header[4]])), 0);
        if sock.read_exact(&mut record[5..]).is_err() || conn.read_tls(&mut &record[..]).is_err() {
            return sock;
        }
        match conn.process_new_packets() {
            Ok(state) if !state.peer_has_closed() => {}
            _ => return sock,
        }
    }
}

/// An implicit-FTPS server that takes CCC (as CPython's test server does)
/// and answers PWD with where the command arrived: `/clear` once TLS ended.
fn serve_ccc(pki: &TestPki, how: Ccc) -> u16 {
    tls_server(pki, move |mut control, _| {
        while let Some(line) = read_line(&mut control) {
            match line.split(' ').next().unwrap_or_default() {
                "USER" => send(&mut control, "331 password\r\n"),
                "PASS" => send(&mut control, "230 in\r\n"),
                "FEAT" => send(&mut control, "211 no features\r\n"),
                "CCC" => break,
                _ => send(&mut control, "200 ok\r\n"),
            }
        }
        send(&mut control, "200 Reverting back to clear-text\r\n");
        let mut tcp = match how {
            Ccc::Clean => {
                control.conn.send_close_notify();
                let _ = control.flush();
                until_close_notify(control)
            }
            Ccc::NoCloseNotify => {
                let mut tcp = control.sock;
                let _ = tcp.write_all(b"200 plain text where TLS should be\r\n");
                tcp
            }
        };
        let mut reader = std::io::BufReader::new(tcp.try_clone().unwrap());
        let mut line = String::new();
        while std::io::BufRead::read_line(&mut reader, &mut line).unwrap_or(0) > 0 {
            let reply = match line.trim_end() {
                "PWD" => "257 \"/clear\"\r\n",
                "QUIT" => "221 bye\r\n",
                _ => "200 ok\r\n",
            };
            let _ = tcp.write_all(reply.as_bytes());
            line.clear();
        }
    })
}

/// ftplib's `ccc`, with TLS in the component: after a clean close_notify
/// both ways the conversation goes on in plain text; a server that skips
/// its close_notify leaves the connection out of step, so the session
/// closes rather than read plain text as TLS.
#[test]
fn ccc_ends_tls_cleanly_or_closes_the_session() {
    let pki = TestPki::generate().unwrap();
    // No deadline is under test here: the TLS handshake and login in the
    // component get room for a loaded machine.
    let mut options = quick();
    options.connect_timeout_ms = Some(5_000);
    options.reply_timeout_ms = Some(5_000);
    options.tls = Some(host_tests::TlsOptions {
        mode: host_tests::Security::Implicit,
        ca_bundle: Some(pki.ca_pem.clone()),
        server_name: None,
        allow_plaintext: false,
        clear_data: false,
        version: None,
        client_identity: None,
    });
    for how in [Ccc::Clean, Ccc::NoCloseNotify] {
        let port = serve_ccc(&pki, how);
        let grant = host_tests::NetworkPolicy::default().allow(Ipv4Addr::LOCALHOST.into(), port..=port);
        let mut c = Client::new(common::self_contained(), grant).unwrap();
        let s = c.connect("127.0.0.1", port, &options).unwrap();
        c.login(s, Some("u"), Some("p")).unwrap();
        let ccc = timed(|| c.clear_command_channel(s));
        match how {
            Ccc::Clean => {
                assert_eq!(ccc.unwrap().code, 200);
                assert_eq!(c.pwd(s).unwrap(), "/clear");
                assert_eq!(c.noop(s).unwrap().code, 200);
                assert_eq!(c.quit(s).unwrap().code, 221);
            }
            Ccc::NoCloseNotify => {
                assert!(ccc.is_err());
                is_closed_after(&mut c, s);
            }
        }
    }
}
