//! FTPS against real servers with a CA made at test time: explicit and
//! implicit TLS, data connections that must resume the control connection's
//! session (vsftpd `require_ssl_reuse=YES`, proftpd mod_tls's default), and
//! the failures: wrong CA, wrong name, no TLS under the strict policy. Each
//! runs on both builds: TLS by the host (wasi:tls) and inside the component.

mod common;

use host_tests::conformance;
use host_tests::interop::{self, Kind, ServerTls};
use host_tests::pki::TestPki;
use host_tests::ServerGrant;
use host_tests::{
    default_options, Client, ConnectOptions, Error, Security, StoreMode, TestServer, TlsError, TlsOptions,
};
use std::time::Instant;

fn tls(mode: Security, ca: &str) -> ConnectOptions {
    let mut o = default_options();
    o.tls = Some(TlsOptions {
        mode,
        ca_bundle: Some(ca.to_string()),
        server_name: None,
        allow_plaintext: false,
        clear_data: false,
        version: None,
        client_identity: None,
    });
    o
}

/// Starts the server, or returns None (skipped) where it is not installed
/// and not required.
fn server(kind: Kind, pki: &TestPki, implicit: bool) -> Option<interop::RealServer> {
    match interop::start_with(
        kind,
        Some(ServerTls {
            pki,
            implicit,
            client_certs: false,
        }),
    ) {
        Ok(s) => Some(s),
        Err(reason) if !interop::required() => {
            println!("skipped {} with TLS: {reason}", kind.name());
            None
        }
        Err(reason) => panic!("{} with TLS is required but: {reason}", kind.name()),
    }
}

/// A client of `runtime` logged in to `server` over explicit TLS.
fn tls_session(
    runtime: &host_tests::Runtime,
    server: &interop::RealServer,
    pki: &TestPki,
) -> (Client, host_tests::SessionHandle) {
    let mut c = Client::new(runtime, server.grant()).unwrap();
    let s = c
        .connect("127.0.0.1", server.addr.port(), &tls(Security::Explicit, &pki.ca_pem))
        .unwrap();
    c.login(s, Some(interop::USER), Some(interop::PASSWORD)).unwrap();
    (c, s)
}

/// Logs in over TLS and moves `size` bytes each way, verified by sha256,
/// with each build of the component.
fn secure_round_trip(kind: Kind, implicit: bool, size: usize) {
    let pki = TestPki::generate().unwrap();
    let Some(server) = server(kind, &pki, implicit) else {
        return;
    };
    for (flavour, runtime) in common::flavours() {
        round_trip_with(runtime, flavour, &server, &pki, implicit, size);
    }
}

fn round_trip_with(
    runtime: &host_tests::Runtime,
    flavour: &str,
    server: &interop::RealServer,
    pki: &TestPki,
    implicit: bool,
    size: usize,
) {
    let kind = server.kind;
    let mode = if implicit {
        Security::Implicit
    } else {
        Security::Explicit
    };
    let mut c = Client::new(runtime, server.grant()).unwrap();
    let s = c
        .connect("127.0.0.1", server.addr.port(), &tls(mode, &pki.ca_pem))
        .unwrap_or_else(|e| panic!("{flavour}: {e}"));
    assert_eq!(c.security(s).unwrap(), mode);
    c.login(s, Some(interop::USER), Some(interop::PASSWORD)).unwrap();
    let dir = format!(
        "ftps-{}-{implicit}-{}-{}",
        kind.name(),
        flavour.len(),
        std::process::id()
    );
    c.mkd(s, &dir).unwrap();
    c.cwd(s, &dir).unwrap();
    let data = common::random_bytes(size, 99);
    let start = Instant::now();
    c.put(s, "secret.bin", StoreMode::Replace, &data, 1 << 20).unwrap();
    let up = start.elapsed();
    let start = Instant::now();
    let back = c.get(s, "secret.bin", 0, 1 << 20).unwrap();
    let down = start.elapsed();
    assert_eq!(common::sha256(&back), common::sha256(&data));
    let on_disk = std::fs::read(std::path::Path::new(interop::USER_HOME).join(&dir).join("secret.bin")).unwrap();
    assert_eq!(common::sha256(&on_disk), common::sha256(&data));
    let names: Vec<String> = c.list(s, None).unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["secret.bin"]);
    // The same listing streamed, over its own TLS data connection.
    let listing = c.open_listing(s, None).unwrap();
    let streamed: Vec<String> = c
        .next_batch(listing, 10)
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(streamed, names, "{flavour}");
    assert_eq!(c.next_batch(listing, 10).unwrap(), None, "{flavour}");
    c.drop_resource(listing).unwrap();
    // Several data connections, each resuming the session.
    for _ in 0..3 {
        assert!(c.nlst(s, None).unwrap().contains(&"secret.bin".to_string()));
    }
    c.delete(s, "secret.bin").unwrap();
    c.cdup(s).unwrap();
    c.rmd(s, &dir).unwrap();
    c.quit(s).unwrap();
    let mib = size as f64 / f64::from(1 << 20);
    println!(
        "{} {} ({flavour}): {size} B up {:.0} MiB/s, down {:.0} MiB/s",
        kind.name(),
        if implicit { "implicit" } else { "explicit" },
        mib / up.as_secs_f64(),
        mib / down.as_secs_f64()
    );
}

#[test]
fn vsftpd_explicit_with_session_reuse_required() {
    secure_round_trip(Kind::Vsftpd, false, 64 << 20);
}

#[test]
fn vsftpd_implicit() {
    secure_round_trip(Kind::Vsftpd, true, 1 << 20);
}

#[test]
fn pure_ftpd_explicit() {
    secure_round_trip(Kind::PureFtpd, false, 8 << 20);
}

#[test]
fn proftpd_explicit_with_session_reuse_required() {
    secure_round_trip(Kind::Proftpd, false, 8 << 20);
}

/// The errors connecting with `options` gives, from each build.
fn tls_failure(options: impl Fn(&TestPki) -> ConnectOptions) -> Option<Vec<Error>> {
    let pki = TestPki::generate().unwrap();
    let server = server(Kind::Vsftpd, &pki, false)?;
    let errors: Vec<Error> = common::flavours()
        .into_iter()
        .map(|(_, runtime)| {
            let mut c = Client::new(runtime, server.grant()).unwrap();
            c.connect("127.0.0.1", server.addr.port(), &options(&pki))
                .unwrap_err()
                .ftp()
        })
        .collect();
    Some(errors)
}

#[test]
fn wrong_ca_is_an_untrusted_certificate() {
    let other = TestPki::generate().unwrap();
    let Some(errors) = tls_failure(|_| tls(Security::Explicit, &other.ca_pem)) else {
        return;
    };
    for e in errors {
        assert!(matches!(e, Error::Tls(TlsError::UntrustedCertificate(_))), "{e:?}");
    }
}

#[test]
fn default_roots_do_not_trust_a_private_ca() {
    let Some(errors) = tls_failure(|_| {
        let mut o = tls(Security::Explicit, "");
        if let Some(t) = o.tls.as_mut() {
            t.ca_bundle = None;
        }
        o
    }) else {
        return;
    };
    for e in errors {
        assert!(matches!(e, Error::Tls(TlsError::UntrustedCertificate(_))), "{e:?}");
    }
}

#[test]
fn wrong_name_is_a_name_mismatch() {
    let Some(errors) = tls_failure(|pki| {
        let mut o = tls(Security::Explicit, &pki.ca_pem);
        if let Some(t) = o.tls.as_mut() {
            t.server_name = Some("ftp.example.com".into());
        }
        o
    }) else {
        return;
    };
    for e in errors {
        assert!(matches!(e, Error::Tls(TlsError::NameMismatch(_))), "{e:?}");
    }
}

#[test]
fn server_without_tls_is_refused_under_the_strict_policy() {
    let pki = TestPki::generate().unwrap();
    let server = TestServer::start().unwrap();
    let mut c = Client::new(common::runtime(), server.grant()).unwrap();
    match c
        .connect("127.0.0.1", server.addr().port(), &tls(Security::Explicit, &pki.ca_pem))
        .unwrap_err()
        .ftp()
    {
        Error::Tls(TlsError::Refused(reply)) => assert_eq!(reply.code / 100, 5),
        e => panic!("{e:?}"),
    }
    // Allowed to fall back, the session carries on in plain text and says so.
    let mut o = tls(Security::Explicit, &pki.ca_pem);
    if let Some(t) = o.tls.as_mut() {
        t.allow_plaintext = true;
    }
    let s = c.connect("127.0.0.1", server.addr().port(), &o).unwrap();
    assert_eq!(c.security(s).unwrap(), Security::None);
    c.login(s, None, None).unwrap();
}

#[test]
fn a_bad_ca_bundle_is_invalid_input() {
    let server = TestServer::start().unwrap();
    for (flavour, runtime) in common::flavours() {
        let mut c = Client::new(runtime, server.grant()).unwrap();
        let e = c
            .connect("127.0.0.1", server.addr().port(), &tls(Security::Explicit, "garbage"))
            .unwrap_err()
            .ftp();
        assert!(matches!(e, Error::InvalidInput(_)), "{flavour}: {e:?}");
    }
}

/// `ftp-host`'s `Read`/`Write` over FTPS: with the host's TLS a download's
/// data stream is handed over (file data never enters the component), with
/// TLS in the component it is read in chunks; uploads go through the
/// component on both; all against proftpd (which
/// requires session reuse on data connections), reached by a host name
/// that the certificate is checked against.
#[test]
fn ftp_host_streams_over_tls() {
    use std::io::{Read, Write};
    let pki = TestPki::generate().unwrap();
    let Some(server) = server(Kind::Proftpd, &pki, false) else {
        return;
    };
    for (flavour, runtime) in common::flavours() {
        let url = format!(
            "ftp://{}:{}@localhost:{}/",
            interop::USER,
            interop::PASSWORD,
            server.addr.port()
        );
        let mut options = url.parse::<ftp_host::FtpUrl>().unwrap().options;
        options.tls = Some(ftp_host::Tls::explicit().ca_pem(pki.ca_pem.clone()));
        let mut s = runtime.connect(options).unwrap();
        assert_eq!(s.security().unwrap(), Security::Explicit);

        let name = format!("host-tls-{}-{}.bin", flavour.len(), std::process::id());
        let data = common::random_bytes(3 << 20, 7);
        let mut up = s.store(&name).unwrap();
        // A TLS upload goes through the component, whose close puts the
        // close_notify out before the FIN (a download is handed over).
        assert!(!up.is_direct(), "{flavour}");
        for part in data.chunks(10_000) {
            up.write_all(part).unwrap();
        }
        up.finish().unwrap_or_else(|e| panic!("{flavour}: {e}"));
        let mut down = s.retrieve(&name).unwrap();
        assert_eq!(down.is_direct(), runtime.host_tls(), "{flavour}");
        // Held to the size proftpd's 150 announces, over TLS too.
        assert_eq!(down.expected_size().unwrap(), Some(data.len() as u64));
        let mut back = Vec::new();
        down.read_to_end(&mut back).unwrap();
        down.finish().unwrap_or_else(|e| panic!("{flavour}: {e}"));
        assert_eq!(common::sha256(&back), common::sha256(&data), "{flavour}");
        // A resumed download over TLS is held to SIZE minus the offset.
        let mut rest = s.retrieve_from(&name, 1000).unwrap();
        assert_eq!(rest.expected_size().unwrap(), Some(data.len() as u64 - 1000));
        let mut tail = Vec::new();
        rest.read_to_end(&mut tail).unwrap();
        rest.finish().unwrap();
        assert_eq!(tail, data[1000..], "{flavour}");
        s.delete(&name).unwrap();
        s.quit().unwrap();
    }
}

/// `ftp-host`'s tree jobs over FTPS: a tree up and back down over a pool
/// of three sessions to vsftpd (each data connection must resume its
/// session's TLS), with progress totals, a retry budget and the journal,
/// on both builds (the host's TLS hands downloads over; TLS in the
/// component reads them in chunks).
#[test]
fn tree_jobs_over_tls() {
    use ftp_host::tree::Mirror;
    let pki = TestPki::generate().unwrap();
    let Some(server) = server(Kind::Vsftpd, &pki, false) else {
        return;
    };
    for (flavour, runtime) in common::flavours() {
        let url = format!(
            "ftp://{}:{}@localhost:{}/",
            interop::USER,
            interop::PASSWORD,
            server.addr.port()
        );
        let mut options = url.parse::<ftp_host::FtpUrl>().unwrap().options;
        options.tls = Some(ftp_host::Tls::explicit().ca_pem(pki.ca_pem.clone()));
        let pool = ftp_host::Pool::new(runtime, options, 3);
        let local = tempfile::tempdir().unwrap();
        let mut sent = 0u64;
        for i in 0..12 {
            let dir = local.path().join(format!("d{}", i % 3));
            std::fs::create_dir_all(&dir).unwrap();
            let data = common::random_bytes(i * 40_000, i as u64);
            sent += data.len() as u64;
            std::fs::write(dir.join(format!("f {i}.bin")), data).unwrap();
        }
        let remote = format!("tree-tls-{}-{}", flavour.len(), std::process::id());
        let up = pool.job().retries(2).upload_tree(local.path(), &remote).unwrap();
        assert_eq!(up.copied(), (12, sent), "{flavour}");
        let back = tempfile::tempdir().unwrap();
        let journal = back.path().join("journal");
        let job = pool.job().retries(2);
        let down = job
            .mirror(&Mirror::down(&remote, back.path().join("copy")).journal(&journal))
            .unwrap();
        assert_eq!(down.copied(), (12, sent), "{flavour}");
        assert_eq!(job.totals().bytes_done, sent, "{flavour}");
        for i in 0..12 {
            let name = format!("d{}/f {i}.bin", i % 3);
            let (a, b) = (local.path().join(&name), back.path().join("copy").join(&name));
            assert_eq!(
                common::sha256(&std::fs::read(a).unwrap()),
                common::sha256(&std::fs::read(b).unwrap()),
                "{flavour}: {name}"
            );
        }
        assert!(std::fs::metadata(&journal).unwrap().len() > 0);
        let again = pool
            .job()
            .plan(&Mirror::down(&remote, back.path().join("copy")))
            .unwrap();
        assert!(again.actions.is_empty(), "{flavour}: {:?}", again.actions);
        pool.get().unwrap().remove_tree(&remote).unwrap();
    }
}

/// CPython runs its whole `TestFTPClass` again over TLS; ours runs the
/// whole conformance scenario (login, every command, transfers both ways in
/// both types, resume, listings, tree operations, errors, abort, quit) over
/// explicit TLS against vsftpd, pure-ftpd and proftpd, on both builds.
/// proftpd's mod_tls ends the whole session when a TLS download is cut
/// short ("panic: SSL_ERROR_SYSCALL ... Broken pipe" in its TLS log), so
/// there an abort is checked to end in `closed`, and the quit after it too.
#[test]
fn the_conformance_scenario_over_tls() {
    let pki = TestPki::generate().unwrap();
    for kind in [Kind::Vsftpd, Kind::PureFtpd, Kind::Proftpd] {
        let Some(server) = server(kind, &pki, false) else {
            continue;
        };
        for (flavour, runtime) in common::flavours() {
            let name = format!("{} over TLS ({flavour})", kind.name());
            let mut options = tls(Security::Explicit, &pki.ca_pem);
            // proftpd's ending of the session shows as a reply deadline.
            options.reply_timeout_ms = Some(12_000);
            let target = conformance::Target {
                name: format!("{}-tls-{}", kind.name(), flavour.len()),
                addr: server.addr,
                grant: server.grant(),
                user: interop::USER.into(),
                password: interop::PASSWORD.into(),
                user_home: interop::USER_HOME.into(),
                // vsftpd refuses anonymous sessions over TLS by default.
                anon_dir: None,
                options,
            };
            let steps = conformance::run(runtime, &target);
            let report = conformance::report(&name, &steps);
            println!("{report}");
            assert_eq!(steps.len(), conformance::STEPS.len(), "stopped early:\n{report}");
            for step in &steps {
                match (&step.outcome, kind, step.name) {
                    (Err(e), Kind::Proftpd, "abort" | "quit") => assert!(e.contains("Closed"), "{report}"),
                    (outcome, _, _) => assert!(outcome.is_ok(), "{report}"),
                }
            }
        }
    }
}

/// Every data connection must resume the control connection's session. With
/// TLS 1.3 each resumption spends a one-use ticket: proftpd gives none back
/// on an upload (so the session settles on TLS 1.2, which resumes any number
/// of times), and vsftpd (TLS 1.3 here: its TLS 1.2 has no suite rustls
/// speaks) gives them on the upload's connection, where they must be read
/// before it is dropped. Eight uploads in a row, on both builds.
#[test]
fn many_uploads_in_one_session_keep_resuming() {
    let pki = TestPki::generate().unwrap();
    for kind in [Kind::Vsftpd, Kind::Proftpd] {
        let Some(server) = server(kind, &pki, false) else {
            continue;
        };
        for (flavour, runtime) in common::flavours() {
            let (mut c, s) = tls_session(runtime, &server, &pki);
            let name = format!("uploads-{}-{}.bin", flavour.len(), std::process::id());
            for round in 0..8 {
                c.put(s, &name, StoreMode::Replace, &[round; 100], 100)
                    .unwrap_or_else(|e| panic!("{} ({flavour}), upload {round}: {e}", kind.name()));
            }
            c.delete(s, &name).unwrap();
        }
    }
}

/// ftplib's `ccc`, against proftpd (whose mod_tls takes CCC): with TLS in
/// the component the control connection goes on in plain text and the
/// data connections stay private (files move both ways, verified); with the
/// host's TLS it is refused before anything is sent and the session goes
/// on secured. Before TLS there is no CCC to send.
#[test]
fn ccc_clears_the_control_connection_only() {
    let pki = TestPki::generate().unwrap();
    let Some(server) = server(Kind::Proftpd, &pki, false) else {
        return;
    };
    let data = common::random_bytes(1 << 20, 6);
    for (flavour, runtime) in common::flavours() {
        let (mut c, s) = tls_session(runtime, &server, &pki);
        // Two servers cannot secure a connection between themselves.
        assert!(
            matches!(c.relay_listen(s).unwrap_err().ftp(), Error::InvalidInput(_)),
            "{flavour}"
        );
        c.set_trace(s, true).unwrap();
        let ccc = c.clear_command_channel(s);
        if std::ptr::eq(runtime, common::runtime()) {
            assert!(matches!(ccc.unwrap_err().ftp(), Error::InvalidInput(_)), "{flavour}");
            assert!(c.take_trace(s).unwrap().is_empty(), "{flavour}: CCC was sent");
        } else {
            assert_eq!(ccc.unwrap().code, 200, "{flavour}");
            // A second CCC has nothing left to clear.
            assert!(matches!(
                c.clear_command_channel(s).unwrap_err().ftp(),
                Error::InvalidInput(_)
            ));
        }
        let name = format!("ccc-{}-{}.bin", flavour.len(), std::process::id());
        c.put(s, &name, StoreMode::Replace, &data, 1 << 20).unwrap();
        assert_eq!(c.get(s, &name, 0, 1 << 20).unwrap(), data, "{flavour}");
        assert!(c.nlst(s, None).unwrap().contains(&name), "{flavour}");
        c.delete(s, &name).unwrap();
        assert_eq!(c.quit(s).unwrap().code, 221, "{flavour}");
    }
    let plain = TestServer::start().unwrap();
    let mut c = Client::new(common::self_contained(), plain.grant()).unwrap();
    let s = c.connect("127.0.0.1", plain.addr().port(), &default_options()).unwrap();
    assert!(matches!(
        c.clear_command_channel(s).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert_eq!(c.noop(s).unwrap().code, 200);
}

/// ftplib's `prot_c()`/`prot_p()` between transfers, and `clear-data` at
/// connect: pure-ftpd (which allows clear data) moves files both ways
/// under each; vsftpd (which forbids it) refuses the clear data connection
/// and the session goes on once private again; a session without TLS has
/// no PROT to set. Both builds.
#[test]
fn data_protection_switches_between_transfers() {
    let pki = TestPki::generate().unwrap();
    let (Some(pure), Some(vsftpd)) = (server(Kind::PureFtpd, &pki, false), server(Kind::Vsftpd, &pki, false)) else {
        return;
    };
    let data = common::random_bytes(1 << 20, 5);
    for (flavour, runtime) in common::flavours() {
        let (mut c, s) = tls_session(runtime, &pure, &pki);
        let name = format!("prot-{}-{}.bin", flavour.len(), std::process::id());
        for private in [false, true, false] {
            let reply = c.set_data_protection(s, private).unwrap();
            assert_eq!(reply.code / 100, 2, "{flavour}");
            c.put(s, &name, StoreMode::Replace, &data, 1 << 20).unwrap();
            assert_eq!(
                c.get(s, &name, 0, 1 << 20).unwrap(),
                data,
                "{flavour}, private {private}"
            );
        }
        c.delete(s, &name).unwrap();

        let mut clear = tls(Security::Explicit, &pki.ca_pem);
        if let Some(t) = clear.tls.as_mut() {
            t.clear_data = true;
        }
        let mut c = Client::new(runtime, pure.grant()).unwrap();
        let s = c.connect("127.0.0.1", pure.addr.port(), &clear).unwrap();
        c.login(s, Some(interop::USER), Some(interop::PASSWORD)).unwrap();
        c.put(s, &name, StoreMode::Replace, &data, 1 << 20).unwrap();
        assert_eq!(c.get(s, &name, 0, 1 << 20).unwrap(), data, "{flavour}, clear-data");
        c.delete(s, &name).unwrap();

        let (mut c, s) = tls_session(runtime, &vsftpd, &pki);
        // vsftpd takes PROT C, then refuses a clear data connection (522):
        // a typed refusal, and the session carries on once private again.
        c.set_data_protection(s, false).unwrap();
        match c.nlst(s, None).unwrap_err().ftp() {
            Error::Permanent(r) => assert_eq!(r.code, 522, "{flavour}"),
            e => panic!("{flavour}: {e:?}"),
        }
        c.set_data_protection(s, true).unwrap();
        c.nlst(s, None).unwrap();
    }
    let plain = TestServer::start().unwrap();
    let mut c = Client::new(common::runtime(), plain.grant()).unwrap();
    let s = c.connect("127.0.0.1", plain.addr().port(), &default_options()).unwrap();
    assert!(matches!(
        c.set_data_protection(s, true).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
}

/// Client certificates against vsftpd with `require_cert` and
/// `validate_cert`, on both builds through `ftp-host` (the host's TLS
/// presents it, or rustls in the component): the certificate the test CA
/// signed logs in and moves a file; one another CA signed, one that
/// expired in 2020, and none at all are refused by the server, each with
/// an error that names the certificate; a key that is not the
/// certificate's is refused before anything is sent; and a server that
/// asks for no certificate takes a session that offers one.
#[test]
fn client_certificates() {
    let pki = TestPki::generate().unwrap();
    let ids = pki.client_identities().unwrap();
    let start = |client_certs| {
        interop::start_with(
            Kind::Vsftpd,
            Some(ServerTls {
                pki: &pki,
                implicit: false,
                client_certs,
            }),
        )
    };
    let (demanding, relaxed) = match (start(true), start(false)) {
        (Ok(d), Ok(r)) => (d, r),
        (Err(reason), _) | (_, Err(reason)) if !interop::required() => {
            println!("skipped vsftpd with client certificates: {reason}");
            return;
        }
        (Err(reason), _) | (_, Err(reason)) => panic!("vsftpd with TLS is required but: {reason}"),
    };
    for (flavour, runtime) in common::flavours() {
        let connect = |server: &interop::RealServer, id: Option<(&str, &str)>| {
            let url = format!(
                "ftp://{}:{}@localhost:{}/",
                interop::USER,
                interop::PASSWORD,
                server.addr.port()
            );
            let mut options = url.parse::<ftp_host::FtpUrl>().unwrap().options;
            let mut tls = ftp_host::Tls::explicit().ca_pem(pki.ca_pem.clone());
            if let Some((chain, key)) = id {
                tls = tls.client_identity(chain, key);
            }
            options.tls = Some(tls);
            runtime.connect(options)
        };
        let good = (ids.good.0.as_str(), ids.good.1.as_str());
        let mut s = connect(&demanding, Some(good)).unwrap_or_else(|e| panic!("{flavour}: {e}"));
        let name = format!("client-cert-{}-{}.bin", flavour.len(), std::process::id());
        let data = common::random_bytes(100_000, 3);
        {
            use std::io::{Read, Write};
            let mut up = s.store(&name).unwrap();
            up.write_all(&data).unwrap();
            up.finish().unwrap_or_else(|e| panic!("{flavour}: {e}"));
            let mut down = s.retrieve(&name).unwrap();
            let mut back = Vec::new();
            down.read_to_end(&mut back).unwrap();
            down.finish().unwrap();
            assert_eq!(back, data, "{flavour}");
        }
        s.delete(&name).unwrap();
        drop(s);

        for (what, id) in [
            ("another CA's", Some((ids.unknown.0.as_str(), ids.unknown.1.as_str()))),
            ("an expired", Some((ids.expired.0.as_str(), ids.expired.1.as_str()))),
            ("no", None),
        ] {
            let e = connect(&demanding, id)
                .err()
                .unwrap_or_else(|| panic!("{flavour}: {what} certificate was taken"));
            let said = e.to_string().to_lowercase();
            assert!(
                matches!(e, ftp_host::Error::Tls(_) | ftp_host::Error::Network(_)) && said.contains("certificate"),
                "{flavour}, {what} certificate: {e:?}"
            );
        }
        let mismatched = (ids.good.0.as_str(), ids.unknown.1.as_str());
        match connect(&demanding, Some(mismatched)) {
            Err(ftp_host::Error::InvalidInput(m)) => assert!(m.contains("not the certificate's"), "{flavour}: {m}"),
            other => panic!("{flavour}: a key of another certificate: {:?}", other.map(|_| ())),
        }
        let mut s = connect(&relaxed, Some(good)).unwrap_or_else(|e| panic!("{flavour}: {e}"));
        s.noop().unwrap();
    }
}
