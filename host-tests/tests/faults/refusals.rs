//! Each command step refused: the error is the server's reply, typed by
//! class (4xx transient, 5xx permanent), and the session stays usable. The
//! transfer commands run on both data paths.

use crate::support::*;

fn refuse(verb: &'static str, reply: &'static str) -> impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static {
    move |line, ctx| {
        if line.split(' ').next() == Some(verb) {
            ctx.send(reply);
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    }
}

/// The download fails with `code`, typed, and the session carries on.
fn download_refused(verb: &'static str, reply: &'static str, code: u16) {
    on_both_paths(
        Limits::quick(),
        || refuse(verb, reply),
        |d, _| {
            match d.download("f", 0) {
                Err(HostError::Transient(r)) if code < 500 => assert_eq!(r.code, code),
                Err(HostError::Permanent(r)) if code >= 500 => assert_eq!(r.code, code),
                other => panic!("{:?}: {verb} {reply:?}: {other:?}", d.path()),
            }
            in_step(d);
        },
    );
}

fn upload_refused(verb: &'static str, mode: StoreMode, reply: &'static str, code: u16) {
    on_both_paths(
        Limits::quick(),
        || refuse(verb, reply),
        |d, _| {
            match d.upload("f", b"data", mode) {
                Err(HostError::Transient(r)) if code < 500 => assert_eq!(r.code, code),
                Err(HostError::Permanent(r)) if code >= 500 => assert_eq!(r.code, code),
                other => panic!("{:?}: {verb} {reply:?}: {other:?}", d.path()),
            }
            in_step(d);
        },
    );
}

#[test]
fn type_refused_before_a_download() {
    download_refused("TYPE", "504 TYPE I not implemented\r\n", 504);
}

#[test]
fn retr_cannot_open_the_data_connection() {
    download_refused("RETR", "425 Can't open data connection\r\n", 425);
}

#[test]
fn retr_file_busy() {
    download_refused("RETR", "450 file busy\r\n", 450);
}

#[test]
fn retr_no_such_file() {
    download_refused("RETR", "550 No such file\r\n", 550);
}

#[test]
fn rest_refused_on_a_resume() {
    on_both_paths(
        Limits::quick(),
        || refuse("REST", "502 REST not implemented\r\n"),
        |d, _| {
            assert!(
                matches!(d.download("f", 10), Err(HostError::Permanent(r)) if r.code == 502),
                "{:?}",
                d.path()
            );
            in_step(d);
        },
    );
}

#[test]
fn stor_insufficient_storage_for_now() {
    upload_refused("STOR", StoreMode::Replace, "452 Insufficient storage\r\n", 452);
}

#[test]
fn stor_quota_exceeded() {
    upload_refused("STOR", StoreMode::Replace, "552 Exceeded storage allocation\r\n", 552);
}

#[test]
fn stor_name_not_allowed() {
    upload_refused("STOR", StoreMode::Replace, "553 File name not allowed\r\n", 553);
}

#[test]
fn appe_refused() {
    upload_refused("APPE", StoreMode::Append, "550 Permission denied\r\n", 550);
}

#[test]
fn type_refused_before_an_upload() {
    upload_refused(
        "TYPE",
        StoreMode::Replace,
        "504-not today\r\n504 TYPE I refused\r\n",
        504,
    );
}

/// One plain command, sent through the harness.
type Call = fn(&mut Client, SessionHandle) -> Result<(), Error>;

/// Plain commands refused, each typed and each leaving the session usable.
#[test]
fn plain_commands_refused() {
    let cases: [(&str, &str, u16, Call); 6] = [
        ("CWD", "550 No such directory\r\n", 550, |c, s| {
            c.cwd(s, "d").map(drop).map_err(|f| f.ftp())
        }),
        ("MKD", "550 Create directory operation failed\r\n", 550, |c, s| {
            c.mkd(s, "d").map(drop).map_err(|f| f.ftp())
        }),
        ("DELE", "450 file in use\r\n", 450, |c, s| {
            c.delete(s, "f").map(drop).map_err(|f| f.ftp())
        }),
        ("RNTO", "553 Rename refused\r\n", 553, |c, s| {
            c.rename(s, "a", "b").map(drop).map_err(|f| f.ftp())
        }),
        ("SIZE", "550 Could not get file size\r\n", 550, |c, s| {
            c.size(s, "f").map(drop).map_err(|f| f.ftp())
        }),
        ("RMD", "550 Directory not empty\r\n", 550, |c, s| {
            c.rmd(s, "d").map(drop).map_err(|f| f.ftp())
        }),
    ];
    for (verb, reply, code, call) in cases {
        let (_server, mut c, s) = logged_in(move |line, ctx| match line.split(' ').next() {
            Some("RNFR") => {
                ctx.send("350 ready\r\n");
                Flow::Next
            }
            Some(v) if v == verb => {
                ctx.send(reply);
                Flow::Next
            }
            _ => ordinary(line, ctx),
        });
        match call(&mut c, s) {
            Err(Error::Transient(r) | Error::Permanent(r)) => assert_eq!(r.code, code, "{verb}"),
            other => panic!("{verb}: {other:?}"),
        }
        still_usable(&mut c, s);
    }
}

/// `213 file: 213, Size =51` and friends are no size: a protocol error,
/// not a number read out of the text.
#[test]
fn size_replies_that_are_not_a_size() {
    for reply in [
        "213 file: 213, Size =51\r\n",
        "213 \r\n",
        "213 -5\r\n",
        "213 12 bytes\r\n",
        "213 99999999999999999999999\r\n",
    ] {
        let (_server, mut c, s) = logged_in(refuse("SIZE", reply));
        assert!(
            matches!(c.size(s, "f").unwrap_err().ftp(), Error::Protocol(_)),
            "{reply:?}"
        );
        still_usable(&mut c, s);
    }
}

#[test]
fn mdtm_replies_that_are_not_a_time() {
    for reply in ["213 yesterday\r\n", "213 2024\r\n", "213 20241399999999\r\n"] {
        let (_server, mut c, s) = logged_in(refuse("MDTM", reply));
        assert!(
            matches!(c.modified_time(s, "f").unwrap_err().ftp(), Error::Protocol(_)),
            "{reply:?}"
        );
        still_usable(&mut c, s);
    }
}
