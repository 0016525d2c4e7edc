//! Proxies, real ones from Debian that each test starts: microsocks for
//! SOCKS5 and tinyproxy for HTTP CONNECT, with and without credentials,
//! on both builds through `ftp-host`. A session through a proxy is granted
//! the proxy's address alone, so a round trip that works proves that the
//! control connection and every data connection went through it: a
//! connection straight to the server would be refused by the grant.

mod common;

use ftp_host::{Error, Options, Proxy, ProxyKind, Session};
use host_tests::interop::{self, Kind, ServerTls};
use host_tests::pki::TestPki;
use host_tests::proxies::{self, RealProxy};
use host_tests::timing::{clocked, SLACK};
use host_tests::TestServer;
use std::io::{Read, Write};
use std::time::Duration;

/// Starts a proxy, or says it skipped where none is installed and the
/// interop suite is not required.
fn proxy(started: Result<RealProxy, String>) -> Option<RealProxy> {
    match started {
        Ok(p) => Some(p),
        Err(reason) if !interop::required() => {
            println!("skipped: {reason}");
            None
        }
        Err(reason) => panic!("the proxies are required (FTP_INTEROP_REQUIRED=1) but: {reason}"),
    }
}

fn through(mut options: Options, proxy: &RealProxy, kind: ProxyKind, credentials: Option<(&str, &str)>) -> Options {
    options.proxy = Some(Proxy {
        kind,
        host: proxy.addr.ip().to_string(),
        port: proxy.addr.port(),
        user: credentials.map(|(u, _)| u.to_string()),
        password: credentials.map(|(_, p)| p.to_string()),
    });
    options
}

/// Up, down (compared), listed and deleted: three data connections.
fn round_trip(s: &mut Session, what: &str) {
    let name = format!("proxied-{}-{}.bin", what.len(), std::process::id());
    let data = common::random_bytes(3 << 20, 11);
    let mut up = s.store(&name).unwrap_or_else(|e| panic!("{what}: {e}"));
    up.write_all(&data).unwrap();
    up.finish().unwrap_or_else(|e| panic!("{what}: {e}"));
    let mut down = s.retrieve(&name).unwrap();
    let mut back = Vec::new();
    down.read_to_end(&mut back).unwrap();
    down.finish().unwrap();
    assert_eq!(common::sha256(&back), common::sha256(&data), "{what}");
    let names: Vec<String> = s.list(None).unwrap().into_iter().map(|e| e.name).collect();
    assert!(names.contains(&name), "{what}: {names:?}");
    s.delete(&name).unwrap();
}

#[test]
fn socks5_and_http_connect_carry_every_connection() {
    let server = TestServer::start().unwrap();
    let (Some(socks), Some(http)) = (proxy(proxies::socks5(None)), proxy(proxies::http_connect(None))) else {
        return;
    };
    for (flavour, runtime) in common::flavours() {
        for (proxy, kind) in [(&socks, ProxyKind::Socks5), (&http, ProxyKind::HttpConnect)] {
            let what = format!("{flavour}, {kind:?}");
            let options = through(
                server.url("/").parse::<ftp_host::FtpUrl>().unwrap().options,
                proxy,
                kind,
                None,
            );
            let mut s = runtime.connect(options).unwrap_or_else(|e| panic!("{what}: {e}"));
            round_trip(&mut s, &what);
        }
    }
}

/// The proxy resolves the server's name: the component has no name
/// lookups and no grant but the proxy's.
#[test]
fn the_proxy_resolves_the_servers_name() {
    let server = TestServer::start().unwrap();
    let Some(socks) = proxy(proxies::socks5(None)) else {
        return;
    };
    let url = format!("ftp://alice:wonderland@localhost:{}/", server.addr().port());
    for (flavour, runtime) in common::flavours() {
        let options = through(
            url.parse::<ftp_host::FtpUrl>().unwrap().options,
            &socks,
            ProxyKind::Socks5,
            None,
        );
        let mut s = runtime.connect(options).unwrap_or_else(|e| panic!("{flavour}: {e}"));
        round_trip(&mut s, flavour);
    }
}

#[test]
fn proxy_credentials_are_sent_and_their_refusal_is_access_denied() {
    let server = TestServer::start().unwrap();
    let good = ("proxyuser", "proxy-secret");
    let (Some(socks), Some(http)) = (
        proxy(proxies::socks5(Some(good))),
        proxy(proxies::http_connect(Some(good))),
    ) else {
        return;
    };
    for (flavour, runtime) in common::flavours() {
        for (proxy, kind) in [(&socks, ProxyKind::Socks5), (&http, ProxyKind::HttpConnect)] {
            let what = format!("{flavour}, {kind:?}");
            let base = || server.url("/").parse::<ftp_host::FtpUrl>().unwrap().options;
            let mut s = runtime
                .connect(through(base(), proxy, kind, Some(good)))
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            round_trip(&mut s, &what);
            for wrong in [Some(("proxyuser", "wrong")), None] {
                match runtime.connect(through(base(), proxy, kind, wrong)) {
                    Err(Error::AccessDenied(m)) => assert!(m.contains("proxy"), "{what}: {m}"),
                    other => panic!("{what}, {wrong:?}: {:?}", other.map(|_| ())),
                }
            }
        }
    }
}

/// FTPS inside the tunnel: TLS on the control connection and on every
/// data connection (each resuming the session, as vsftpd requires), on
/// both builds, through both kinds of proxy.
#[test]
fn ftps_goes_through_both_kinds() {
    let pki = TestPki::generate().unwrap();
    let tls = ServerTls {
        pki: &pki,
        implicit: false,
        client_certs: false,
    };
    let Some(server) = interop::start_or_skip(Kind::Vsftpd, Some(tls)) else {
        return;
    };
    let (Some(socks), Some(http)) = (proxy(proxies::socks5(None)), proxy(proxies::http_connect(None))) else {
        return;
    };
    let url = format!(
        "ftp://{}:{}@localhost:{}/",
        interop::USER,
        interop::PASSWORD,
        server.addr.port()
    );
    for (flavour, runtime) in common::flavours() {
        for (proxy, kind) in [(&socks, ProxyKind::Socks5), (&http, ProxyKind::HttpConnect)] {
            let what = format!("{flavour}, {kind:?}");
            let mut options = url.parse::<ftp_host::FtpUrl>().unwrap().options;
            options.tls = Some(ftp_host::Tls::explicit().ca_pem(pki.ca_pem.clone()));
            let mut s = runtime
                .connect(through(options, proxy, kind, None))
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(s.security().unwrap(), host_tests::Security::Explicit, "{what}");
            round_trip(&mut s, &what);
        }
    }
}

/// A proxy that is not there is a network error at once; one that dies
/// while a download runs ends it with a typed error within the data
/// deadline (plus the scheduler's slack), on both builds.
#[test]
fn a_proxy_that_refuses_or_dies_is_a_typed_error_within_the_deadline() {
    let server = TestServer::start().unwrap();
    let data = common::random_bytes(32 << 20, 5);
    std::fs::write(server.root().join("big.bin"), &data).unwrap();
    for (flavour, runtime) in common::flavours() {
        let Some(mut socks) = proxy(proxies::socks5(None)) else {
            return;
        };
        let mut options = server.url("/").parse::<ftp_host::FtpUrl>().unwrap().options;
        options = options.timeout(Duration::from_secs(2));
        let dead = through(options.clone(), &socks, ProxyKind::Socks5, None);
        let mut s = runtime
            .connect(through(options, &socks, ProxyKind::Socks5, None))
            .unwrap_or_else(|e| panic!("{flavour}: {e}"));
        let mut down = s.retrieve("big.bin").unwrap();
        let mut first = vec![0u8; 1 << 16];
        down.read_exact(&mut first).unwrap();
        socks.kill();
        let (ended, took) = clocked(|| {
            let mut rest = Vec::new();
            down.read_to_end(&mut rest)
                .and_then(|_| down.finish().map_err(std::io::Error::other))
        });
        assert!(ended.is_err(), "{flavour}: the download went on without its proxy");
        assert!(took < Duration::from_secs(2) + SLACK, "{flavour}: took {took:?}");
        drop(s);
        // The proxy is gone: connecting is refused at once, typed.
        let (refused, took) = clocked(|| runtime.connect(dead.clone()).map(|_| ()));
        assert!(matches!(refused, Err(Error::Network(_))), "{flavour}: {refused:?}");
        assert!(took < SLACK, "{flavour}: took {took:?}");
    }
}
