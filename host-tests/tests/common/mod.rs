//! Shared set-up for the integration tests: one compiled component per test
//! binary, and a logged-in session against a fresh in-process server.

#![allow(dead_code)]

use host_tests::{default_options, Client, Runtime, ServerGrant, SessionHandle, TestServer};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The default build: FTPS by the host's TLS (wasi:tls).
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new().expect("load the component"))
}

/// The self-contained build: FTPS by rustls inside the component.
pub fn self_contained() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Runtime::builder()
            .component(ftp_host::SELF_CONTAINED_COMPONENT.to_vec())
            .build()
            .expect("load the self-contained component")
    })
}

/// Both builds, for the tests of what TLS touches.
pub fn flavours() -> [(&'static str, &'static Runtime); 2] {
    [("host TLS", runtime()), ("TLS in the component", self_contained())]
}

/// A server, a client granted exactly that server, and a session logged in as
/// the test user.
pub fn logged_in() -> (TestServer, Client, SessionHandle) {
    let server = TestServer::start().expect("start the server");
    let mut client = Client::new(runtime(), server.grant()).expect("instantiate");
    let s = client
        .connect("127.0.0.1", server.addr().port(), &default_options())
        .expect("connect");
    client
        .login(s, Some(ftp_test_server::USER), Some(ftp_test_server::PASSWORD))
        .expect("login");
    (server, client, s)
}

pub fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    use rand::{RngCore, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut v = vec![0u8; len];
    rng.fill_bytes(&mut v);
    v
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}
