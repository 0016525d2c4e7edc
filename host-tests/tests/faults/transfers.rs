//! Data connections that fail: resets, stalls, early closes, refusals, aborts.

use crate::support::*;

#[test]
fn data_reset_mid_retrieve() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n");
            ctx.data_write(&[7u8; 100_000]);
            ctx.sleep_ms(100);
            ctx.data_reset();
            ctx.send("426 connection reset\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.retrieve(s, "f", 0).unwrap();
    let mut got = 0;
    let err = loop {
        match timed(|| c.read(t, 65536)) {
            Ok(Some(b)) => got += b.len(),
            Ok(None) => panic!("a reset connection must not look like a clean end"),
            Err(e) => break e.ftp(),
        }
    };
    assert!(matches!(err, Error::Io(_)), "{err:?} after {got} bytes");
    still_usable(&mut c, s);
}

#[test]
fn data_reset_mid_store() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            ctx.send("150 send it\r\n");
            ctx.data_read_some_then_reset(10_000);
            ctx.send("426 aborted\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.store(s, "f", StoreMode::Replace).unwrap();
    let chunk = vec![1u8; 1 << 20];
    let err = (0..64)
        .find_map(|_| timed(|| c.write(t, &chunk)).err())
        .expect("writes into a reset connection fail");
    assert!(matches!(err.ftp(), Error::Io(_)));
    still_usable(&mut c, s);
}

/// A server that sends bytes the client never reads (as TLS servers send
/// session tickets) and reads the upload slowly: closing the data
/// connection before the final reply would reset it, and the kernel would
/// drop what the server had not yet received.
#[test]
fn upload_is_whole_when_the_server_sent_unread_bytes() {
    const SIZE: usize = 16 << 20;
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            ctx.send("150 send it\r\n");
            ctx.data_write(b"unsolicited");
            let got = ctx.data_read_slowly(256 << 10, 20);
            let code = if got == SIZE { 226 } else { 426 };
            ctx.send(format!("{code} received {got} bytes\r\n"));
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let reply = timed(|| c.put(s, "f", StoreMode::Replace, &vec![3u8; SIZE], 1 << 20)).unwrap();
    assert_eq!((reply.code, reply.text.as_str()), (226, "received 16777216 bytes"));
    still_usable(&mut c, s);
}

#[test]
fn final_reply_before_the_data_ends() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n226 already done\r\n");
            ctx.sleep_ms(100);
            ctx.data_write(&[9u8; 300_000]);
            ctx.data_close();
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let data = c.get(s, "f", 0, 65536).unwrap();
    assert_eq!(data, vec![9u8; 300_000]);
    still_usable(&mut c, s);
}

#[test]
fn data_ending_without_a_final_reply() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n");
            ctx.data_write(b"partial");
            ctx.data_close();
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    match timed(|| c.get(s, "f", 0, 1024)).unwrap_err().ftp() {
        Error::Timeout(what) => assert_eq!(what, "reply"),
        e => panic!("{e:?}"),
    }
    is_closed_after(&mut c, s);
    assert!(server.wait_client_closed(SETTLE));
}

#[test]
fn error_replies_after_a_transfer() {
    for (reply, code, permanent) in [
        ("426 connection closed; transfer aborted\r\n", 426, false),
        ("451 local error\r\n", 451, false),
        // libunftp's way of saying the file is missing: 150, then 550.
        ("550 no such file\r\n", 550, true),
    ] {
        let (_server, mut c, s) = logged_in(serve_file(b"data", reply));
        match (c.get(s, "f", 0, 1024).unwrap_err().ftp(), permanent) {
            (Error::Transient(r), false) | (Error::Permanent(r), true) => assert_eq!(r.code, code),
            (e, _) => panic!("{reply:?}: {e:?}"),
        }
        still_usable(&mut c, s);
    }
}

#[test]
fn stalled_data_connection_hits_the_data_deadline() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n");
            ctx.data_write(b"a little");
            Flow::Next
        } else if line == "ABOR" {
            ctx.send("426 aborted\r\n226 abort done\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.retrieve(s, "f", 0).unwrap();
    assert_eq!(c.read(t, 100).unwrap().unwrap(), b"a little");
    let start = Instant::now();
    match c.read(t, 100).unwrap_err().ftp() {
        Error::Timeout(what) => assert_eq!(what, "data"),
        e => panic!("{e:?}"),
    }
    // The 1 s data deadline; a stalled server is not asked to abort (which
    // would only stall again): the session closes instead.
    assert_ended_at(start.elapsed(), Duration::from_secs(1), "a stalled read");
    is_closed_after(&mut c, s);
    assert!(!server.conversation().contains(&"ABOR".to_string()));
}

#[test]
fn abor_answered_with_426_then_226() {
    let (_server, mut c, s) = holding_download(&[("ABOR", "426 transfer aborted\r\n226 abort successful\r\n")]);
    read_then_abort(&mut c, s).unwrap();
    still_usable(&mut c, s);
    assert_eq!(c.pwd(s).unwrap(), "/", "the next reply is PWD's own");
}

#[test]
fn abor_answered_with_225_alone() {
    // ordinary answers ABOR with a lone 225.
    let (_server, mut c, s) = holding_download(&[]);
    read_then_abort(&mut c, s).unwrap();
    still_usable(&mut c, s);
}

#[test]
fn transfer_reply_arriving_late_after_abor() {
    // libunftp's order: ABOR's 226, the sentinel's 257, then the transfer's 426.
    let (_server, mut c, s) = holding_download(&[("ABOR", "226 abort ok\r\n"), ("PWD", "257 \"/\"\r\n426 late\r\n")]);
    read_then_abort(&mut c, s).unwrap();
    still_usable(&mut c, s);
}

#[test]
fn retr_refused_outright() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("550 no access\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    assert!(matches!(c.retrieve(s, "f", 0).unwrap_err().ftp(), Error::Permanent(_)));
    still_usable(&mut c, s);
}

#[test]
fn rest_refused() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("REST") {
            ctx.send("502 no restarts\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    match c.retrieve(s, "f", 100).unwrap_err().ftp() {
        Error::Permanent(r) => assert_eq!(r.code, 502),
        e => panic!("{e:?}"),
    }
    assert!(!server.commands().iter().any(|l| l.starts_with("RETR")));
    still_usable(&mut c, s);
}

/// A non-1xx 2xx to a transfer command that does not end a transfer (200)
/// is ftplib's stray reply, skipped once; a second one is unexpected.
#[test]
fn two_stray_2xx_replies_instead_of_150_are_unexpected() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            ctx.send("200 what transfer?\r\n200 still none\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    match c.store(s, "f", StoreMode::Replace).unwrap_err().ftp() {
        Error::Unexpected(r) => assert_eq!(r.code, 200),
        e => panic!("{e:?}"),
    }
    still_usable(&mut c, s);
}

#[test]
fn upload_reaches_the_server_intact() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            accept_upload(ctx)
        } else {
            ordinary(line, ctx)
        }
    });
    let reply = c.put(s, "f", StoreMode::Replace, &vec![5u8; 777_777], 100_000).unwrap();
    assert_eq!(reply.text, "got 777777");
    assert!(server.commands().contains(&"TYPE I".to_string()));
}

/// ftplib's `storbinary(..., rest=N)`: REST N goes right before STOR, and
/// the data is the rest of the file.
#[test]
fn an_upload_at_an_offset_sends_rest_then_stor() {
    let script = || {
        |line: &str, ctx: &mut Ctx| {
            if line.starts_with("REST") {
                ctx.send("350 restarting\r\n");
                Flow::Next
            } else if line.starts_with("STOR") {
                accept_upload(ctx)
            } else {
                ordinary(line, ctx)
            }
        }
    };
    on_both_paths(Limits::quick(), script, |d, server| {
        let reply = d.upload_at("f", &[7u8; 5000], 12_345).unwrap();
        assert_eq!(reply.text, "got 5000", "{:?}", d.path());
        let sent = server.commands();
        let rest = sent.iter().position(|c| c == "REST 12345").expect("REST sent");
        assert_eq!(sent[rest + 1], "STOR f", "{:?}: {sent:?}", d.path());
    });
}

/// An offset is for binary STOR only: in ASCII mode it is refused before
/// anything is sent, and the session carries on.
#[test]
fn an_ascii_upload_at_an_offset_is_refused() {
    let (server, mut c, s) = logged_in(ordinary);
    c.set_transfer_type(s, TransferType::Ascii).unwrap();
    assert!(matches!(
        c.store_at(s, "f", 10).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert!(!server.commands().iter().any(|l| l.starts_with("REST")));
    still_usable(&mut c, s);
}
