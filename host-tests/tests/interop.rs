//! The shared conformance scenario against real servers: vsftpd, pure-ftpd,
//! proftpd, pyftpdlib and the in-process libunftp server. A server missing
//! from this machine is skipped with the reason, unless FTP_INTEROP_REQUIRED=1
//! (as in CI), which turns a skip into a failure.

mod common;

use host_tests::conformance::{self, Target};
use host_tests::interop::{self, Kind};
use host_tests::ServerGrant;
use host_tests::TestServer;
use std::path::PathBuf;

fn assert_all_pass(name: &str, steps: &[conformance::Step]) {
    let report = conformance::report(name, steps);
    println!("{report}");
    assert_eq!(
        steps.len(),
        conformance::STEPS.len(),
        "scenario stopped early:\n{report}"
    );
    assert!(steps.iter().all(|s| s.outcome.is_ok()), "{report}");
}

fn real(kind: Kind) {
    let server = match interop::start(kind) {
        Ok(server) => server,
        Err(reason) if !interop::required() => {
            println!("skipped {}: {reason}", kind.name());
            return;
        }
        Err(reason) => panic!("{} is required (FTP_INTEROP_REQUIRED=1) but: {reason}", kind.name()),
    };
    let target = Target {
        name: kind.name().to_string(),
        addr: server.addr,
        grant: server.grant(),
        user: interop::USER.into(),
        password: interop::PASSWORD.into(),
        user_home: PathBuf::from(interop::USER_HOME),
        anon_dir: Some(PathBuf::from(interop::ANON_DIR)),
    };
    let steps = conformance::run(common::runtime(), &target);
    assert_all_pass(kind.name(), &steps);
}

#[test]
fn vsftpd() {
    real(Kind::Vsftpd);
}

#[test]
fn pure_ftpd() {
    real(Kind::PureFtpd);
}

#[test]
fn proftpd() {
    real(Kind::Proftpd);
}

#[test]
fn pyftpdlib() {
    real(Kind::Pyftpdlib);
}

#[test]
fn in_process_libunftp() {
    let server = TestServer::start().unwrap();
    let target = Target {
        name: "libunftp".into(),
        addr: server.addr(),
        grant: server.grant(),
        user: ftp_test_server::USER.into(),
        password: ftp_test_server::PASSWORD.into(),
        user_home: server.root().to_path_buf(),
        anon_dir: None,
    };
    let steps = conformance::run(common::runtime(), &target);
    assert_all_pass("libunftp", &steps);
}
