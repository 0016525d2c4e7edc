//! Success means the whole file: a download that ends short of (or past)
//! the size the server announced, or a server that ignored REST, is a
//! `partial` error on both data paths, never a success.

use crate::support::*;

const VSFTPD_150: &str = "150 Opening BINARY mode data connection for f (10928 bytes).\r\n";

#[test]
fn short_file_then_226_is_partial() {
    on_both_paths(
        Limits::quick(),
        || retr(Some("213 10928\r\n"), VSFTPD_150, pattern(44), true, "226 done\r\n"),
        |d, _| {
            match d.download("f", 0) {
                Err(HostError::Partial { expected, received }) => assert_eq!((expected, received), (10928, 44)),
                other => panic!("{:?}: {other:?}", d.path()),
            }
            in_step(d);
        },
    );
}

#[test]
fn more_than_announced_is_partial_and_the_session_recovers() {
    on_both_paths(
        Limits::quick(),
        || retr(None, "150 here (44 bytes)\r\n", pattern(100_000), true, "226 done\r\n"),
        |d, _| {
            match d.download("f", 0) {
                Err(HostError::Partial { expected, received }) => {
                    assert_eq!(expected, 44);
                    assert!(received > 44, "{received}");
                }
                other => panic!("{:?}: {other:?}", d.path()),
            }
            in_step(d);
        },
    );
}

#[test]
fn exactly_the_announced_size_succeeds() {
    on_both_paths(
        Limits::quick(),
        || retr(None, VSFTPD_150, pattern(10928), true, "226 done\r\n"),
        |d, _| assert_eq!(d.download("f", 0).unwrap(), pattern(10928), "{:?}", d.path()),
    );
}

#[test]
fn an_empty_file_announced_as_zero_bytes() {
    on_both_paths(
        Limits::quick(),
        || retr(None, "150 Opening (0 bytes)\r\n", Vec::new(), true, "226 done\r\n"),
        |d, _| assert!(d.download("f", 0).unwrap().is_empty(), "{:?}", d.path()),
    );
}

#[test]
fn no_announced_size_takes_what_arrives() {
    on_both_paths(
        Limits::quick(),
        || {
            retr(
                None,
                "150 Accepted data connection\r\n",
                pattern(5000),
                true,
                "226 done\r\n",
            )
        },
        |d, _| assert_eq!(d.download("f", 0).unwrap().len(), 5000, "{:?}", d.path()),
    );
}

#[test]
fn resume_where_rest_is_honoured() {
    on_both_paths(
        Limits::quick(),
        || retr(Some("213 1024\r\n"), "150 go\r\n", pattern(1024), true, "226 done\r\n"),
        |d, server| {
            assert_eq!(d.download("f", 400).unwrap(), pattern(1024)[400..], "{:?}", d.path());
            let sent = server.commands();
            assert!(sent.contains(&"SIZE f".to_string()) && sent.contains(&"REST 400".to_string()));
        },
    );
}

/// The server answers REST with 350 and sends the file from byte 0 anyway:
/// 1 024 bytes where 624 remained. Before, this was a success that doubled
/// the first 400 bytes of the local file.
#[test]
fn resume_where_rest_is_ignored_is_partial() {
    on_both_paths(
        Limits::quick(),
        || retr(Some("213 1024\r\n"), "150 go\r\n", pattern(1024), false, "226 done\r\n"),
        |d, _| {
            match d.download("f", 400) {
                Err(HostError::Partial { expected, received }) => {
                    assert_eq!(expected, 624);
                    assert!(received > 624, "{received}");
                }
                other => panic!("{:?}: {other:?}", d.path()),
            }
            in_step(d);
        },
    );
}

/// `213 file: 213, Size =51` is no size: the resume goes on unchecked.
#[test]
fn resume_with_a_garbage_size_reply_is_unchecked() {
    on_both_paths(
        Limits::quick(),
        || {
            retr(
                Some("213 file: 213, Size =51\r\n"),
                "150 go\r\n",
                pattern(1024),
                true,
                "226 done\r\n",
            )
        },
        |d, _| assert_eq!(d.download("f", 1000).unwrap().len(), 24, "{:?}", d.path()),
    );
}

#[test]
fn resume_past_the_end_is_refused_before_rest() {
    on_both_paths(
        Limits::quick(),
        || retr(Some("213 100\r\n"), "150 go\r\n", pattern(100), true, "226 done\r\n"),
        |d, server| {
            assert!(
                matches!(d.download("f", 500), Err(HostError::InvalidInput(_))),
                "{:?}",
                d.path()
            );
            assert!(!server.commands().iter().any(|c| c.starts_with("REST")));
            in_step(d);
        },
    );
}

/// Short data that the server itself reports as failed: its reply wins.
#[test]
fn short_file_then_426_is_the_servers_error() {
    on_both_paths(
        Limits::quick(),
        || retr(None, VSFTPD_150, pattern(44), true, "426 connection lost\r\n"),
        |d, _| {
            match d.download("f", 0) {
                Err(HostError::Transient(r)) => assert_eq!(r.code, 426),
                other => panic!("{:?}: {other:?}", d.path()),
            }
            in_step(d);
        },
    );
}
