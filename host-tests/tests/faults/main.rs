//! Fault injection: a scripted server does what real servers will not do on
//! demand. Every case asserts the exact typed error (or the correct result),
//! that nothing hangs past its deadline, that the host never traps, and
//! whether the session survives or reports closed. One module a fault class;
//! the cases that move file data run on both data paths (`paths::BOTH`).

#[path = "../common/mod.rs"]
mod common;
mod support;

mod control;
mod conversation;
mod cve;
mod deadlines;
mod hostile;
mod integrity;
mod keepalive;
mod listings;
mod login;
mod misuse;
mod passive;
mod refusals;
mod replies;
mod tls;
mod transfers;
