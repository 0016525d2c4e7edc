//! The conversation stays in step: replies in an order the protocol does not
//! promise (a transfer finished without 150, a stray 200, late 226s after an
//! abort, ABOR answered with 200) are resynchronised by the rules in
//! `proto::conversation`, and raw commands that would change state the
//! session keeps are refused. A later command never gets an earlier reply.

use crate::support::*;

fn answer(verb: &'static str, reply: &'static str) -> impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static {
    move |line, ctx| {
        if line.split(' ').next() == Some(verb) {
            ctx.send(reply);
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    }
}

/// Some servers send a small file and 226 with no 150 before it.
#[test]
fn a_transfer_completed_without_150_delivers_its_data() {
    on_both_paths(
        Limits::quick(),
        || retr(None, "226 Transfer complete (5 bytes)\r\n", b"hello".to_vec(), true, ""),
        |d, _| {
            assert_eq!(d.download("f", 0).unwrap(), b"hello", "{:?}", d.path());
            in_step(d);
        },
    );
}

/// ftplib's rule: a 2xx before the 150 is a stray reply, read past once.
#[test]
fn a_stray_200_before_150_is_skipped() {
    on_both_paths(
        Limits::quick(),
        || {
            retr(
                None,
                "200 PORT ok, whatever\r\n150 go\r\n",
                b"data".to_vec(),
                true,
                "226 done\r\n",
            )
        },
        |d, _| {
            assert_eq!(d.download("f", 0).unwrap(), b"data", "{:?}", d.path());
            in_step(d);
        },
    );
}

/// A 226 that arrives after the abort's sentinel is a late transfer reply:
/// the next command skips it and gets its own answer.
#[test]
fn a_late_226_after_the_abort_is_not_the_next_commands_reply() {
    let (_server, mut c, s) = holding_download(&[
        ("ABOR", "225 abort ok\r\n"),
        ("PWD", "257 \"/\" here\r\n226 late transfer reply\r\n"),
    ]);
    read_then_abort(&mut c, s).unwrap();
    assert_eq!(c.noop(s).unwrap().code, 200);
    assert_eq!(c.noop(s).unwrap().code, 200);
}

/// ABOR answered with 200 (not a transfer code) is read past on the way to
/// the sentinel's 257, so it is not left for the next command.
#[test]
fn abor_answered_with_200_leaves_the_conversation_in_step() {
    let (_server, mut c, s) = holding_download(&[
        ("ABOR", "200 ABOR command successful\r\n"),
        ("SYST", "215 UNIX Type: L8\r\n"),
    ]);
    read_then_abort(&mut c, s).unwrap();
    assert_eq!(c.system(s).unwrap(), "UNIX Type: L8");
}

/// A reply nobody asked for, already waiting when a command goes out.
#[test]
fn an_unsolicited_transfer_reply_is_skipped() {
    let (_server, mut c, s) = logged_in(answer("NOOP", "226 stale\r\n200 fresh\r\n"));
    let reply = c.noop(s).unwrap();
    assert_eq!((reply.code, reply.text.as_str()), (200, "fresh"));
}

/// No sentinel answer within the reply deadline: the abort fails and the
/// session closes rather than guess where it is.
#[test]
fn an_abort_whose_sentinel_is_never_answered_closes() {
    let (_server, mut c, s) = holding_download(&[("PWD", "")]);
    assert!(read_then_abort(&mut c, s).is_err());
    is_closed_after(&mut c, s);
}

#[test]
fn raw_commands_that_change_kept_state_are_refused() {
    let (server, mut c, s) = logged_in(ordinary);
    for line in [
        "REST 100",
        "MODE B",
        "STRU R",
        "PROT C",
        "PBSZ 0",
        "AUTH TLS",
        "CCC",
        "RETR f",
        "STOR f",
        "LIST",
        "PASV",
        "EPSV",
        "PORT 1,2,3,4,5,6",
        "ABOR",
    ] {
        match c.command(s, line).unwrap_err().ftp() {
            Error::InvalidInput(m) => assert!(!m.is_empty()),
            e => panic!("{line}: {e:?}"),
        }
    }
    assert!(!server
        .commands()
        .iter()
        .any(|l| l.starts_with("REST") || l.starts_with("MODE")));
    still_usable(&mut c, s);
}

/// TYPE sent raw is tracked: the next binary transfer sets TYPE I again.
#[test]
fn a_raw_type_is_tracked() {
    on_both_paths(
        Limits::quick(),
        || retr(None, "150 go\r\n", b"x".to_vec(), true, "226 done\r\n"),
        |d, server| {
            assert_eq!(d.command("TYPE A").unwrap().code, 200);
            d.download("f", 0).unwrap();
            let sent = server.commands();
            let last_type = sent.iter().rev().find(|l| l.starts_with("TYPE")).cloned();
            assert_eq!(last_type.as_deref(), Some("TYPE I"), "{:?}: {sent:?}", d.path());
        },
    );
}

/// A 421 in place of the 150: the server is going away; typed, then closed.
#[test]
fn a_421_to_the_transfer_command_closes() {
    on_both_paths(
        Limits::quick(),
        || answer("RETR", "421 shutting down\r\n"),
        |d, _| {
            match d.download("f", 0) {
                Err(HostError::Transient(r)) => assert_eq!(r.code, 421),
                other => panic!("{:?}: {other:?}", d.path()),
            }
            closed(d);
        },
    );
}

/// EPSV refused, PASV used, on both data paths.
#[test]
fn downloads_fall_back_from_epsv_to_pasv() {
    on_both_paths(
        Limits::quick(),
        || {
            let mut file = retr(None, "150 go\r\n", b"pasv data".to_vec(), true, "226 done\r\n");
            move |line: &str, ctx: &mut Ctx| {
                if line == "EPSV" {
                    ctx.send("502 EPSV not implemented\r\n");
                    Flow::Next
                } else {
                    file(line, ctx)
                }
            }
        },
        |d, server| {
            assert_eq!(d.download("f", 0).unwrap(), b"pasv data", "{:?}", d.path());
            assert!(server.commands().contains(&"PASV".to_string()));
        },
    );
}

/// ftplib's `mlsd(path, facts)`: OPTS MLST names the facts first, the
/// entries come as sent (`cdir`/`pdir` kept, which `list` drops), and a
/// fact that would extend the command is refused before anything is sent.
#[test]
fn mlsd_asks_for_facts_and_keeps_every_entry() {
    let (server, mut c, s) = logged_in(|line, ctx| match line.split(' ').next().unwrap_or_default() {
        "FEAT" => {
            ctx.send("211-Features:\r\n MLST type*;size*;modify;\r\n211 End\r\n");
            Flow::Next
        }
        "OPTS" => {
            ctx.send("200 MLST OPTS type;size;\r\n");
            Flow::Next
        }
        "MLSD" => {
            ctx.send("150 listing\r\n");
            ctx.data_write(b"type=cdir; /pub\r\ntype=pdir; /\r\ntype=file;size=3; a.txt\r\n");
            ctx.data_close();
            ctx.send("226 done\r\n");
            Flow::Next
        }
        _ => ordinary(line, ctx),
    });
    let facts = vec!["type".to_string(), "size".to_string()];
    let entries = c.mlsd(s, Some("pub"), &facts).unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["/pub", "/", "a.txt"]);
    assert_eq!(entries[2].size, Some(3));
    assert!(server.commands().contains(&"OPTS MLST type;size;".to_string()));
    assert_eq!(c.list(s, Some("pub")).unwrap().len(), 1, "list drops cdir and pdir");

    let sent = server.commands().len();
    let bad = vec!["size;type=dir".to_string()];
    assert!(matches!(
        c.mlsd(s, None, &bad).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert_eq!(server.commands().len(), sent, "nothing sent");
}

/// CPython's `test_rename`: RNFR answered with 200 instead of 350 is an
/// error, and RNTO is never sent after it.
#[test]
fn rnfr_answered_with_200_is_unexpected_and_rnto_is_not_sent() {
    let (server, mut c, s) = logged_in(answer("RNFR", "200 sure\r\n"));
    match c.rename(s, "a", "b").unwrap_err().ftp() {
        Error::Unexpected(r) => assert_eq!(r.code, 200),
        e => panic!("{e:?}"),
    }
    assert!(!server.commands().iter().any(|l| l.starts_with("RNTO")));
    still_usable(&mut c, s);
}

/// A server whose FEAT lists only the older X commands gets XSHA256 (its
/// digest checked for length and case), not HASH; one that lists no
/// digest at all is `invalid-input` with nothing sent; a digest of the
/// wrong length is a protocol error and the session goes on.
#[test]
fn digests_by_the_x_commands_feat_lists() {
    use host_tests::HashAlgorithm;
    let sha = "A948904F2F0F479B8F8197694B30184B0D2ED1C1CD2A1EC0FB85D299A192A447";
    let (server, mut c, s) = logged_in(move |line, ctx| {
        match line {
            "FEAT" => ctx.send("211-Features:\r\n XSHA256\r\n XMD5\r\n211 End\r\n"),
            "XSHA256 f.bin" => ctx.send(format!("250 {sha}\r\n")),
            "XMD5 f.bin" => ctx.send("250 ABCD\r\n"),
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    });
    let got = c.hash(s, "f.bin", None).unwrap();
    assert_eq!(
        (got.algorithm, got.hex),
        (HashAlgorithm::Sha256, sha.to_ascii_lowercase())
    );
    assert!(!server
        .commands()
        .iter()
        .any(|l| l.starts_with("HASH") || l.starts_with("OPTS HASH")));
    assert!(matches!(
        c.hash(s, "f.bin", Some(HashAlgorithm::Md5)).unwrap_err().ftp(),
        Error::Protocol(_)
    ));
    still_usable(&mut c, s);
    let before = server.commands().len();
    assert!(matches!(
        c.hash(s, "f.bin", Some(HashAlgorithm::Sha512)).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert_eq!(
        server.commands().len(),
        before,
        "sent something for an algorithm not offered"
    );
}
