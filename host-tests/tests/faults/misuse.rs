//! What a caller may get wrong: bad arguments, calls while a transfer is open, CR/LF injection.

use crate::support::*;

#[test]
fn calls_after_quit_are_closed() {
    let (server, mut c, s) = logged_in(ordinary);
    c.quit(s).unwrap();
    for e in [
        c.noop(s).unwrap_err().ftp(),
        c.pwd(s).unwrap_err().ftp(),
        c.retrieve(s, "f", 0).unwrap_err().ftp(),
        c.quit(s).unwrap_err().ftp(),
    ] {
        assert!(matches!(e, Error::Closed), "{e:?}");
    }
    assert!(server.wait_client_closed(SETTLE));
}

#[test]
fn second_transfer_while_one_is_open() {
    let (_server, mut c, s) = logged_in(serve_file(b"0123456789", "226 ok\r\n"));
    let t = c.retrieve(s, "f", 0).unwrap();
    assert!(matches!(
        c.retrieve(s, "g", 0).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert!(matches!(c.list(s, None).unwrap_err().ftp(), Error::InvalidInput(_)));
    assert_eq!(c.read(t, 100).unwrap().unwrap(), b"0123456789");
    c.finish_retrieve(t).unwrap();
    still_usable(&mut c, s);
}

#[test]
fn dropping_an_unfinished_retrieve() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("RETR") {
            ctx.send("150 go\r\n");
            ctx.data_write(&[1u8; 5000]);
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.retrieve(s, "f", 0).unwrap();
    c.read(t, 10).unwrap();
    timed(|| c.drop_resource(t)).unwrap();
    still_usable(&mut c, s);
    assert!(server.commands().contains(&"ABOR".to_string()));
}

#[test]
fn dropping_an_unfinished_store() {
    let (server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            accept_upload(ctx)
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.store(s, "f", StoreMode::Replace).unwrap();
    c.write(t, b"partial").unwrap();
    timed(|| c.drop_resource(t)).unwrap();
    still_usable(&mut c, s);
    assert!(server.commands().contains(&"ABOR".to_string()));
}

#[test]
fn finished_transfers_refuse_further_use() {
    let (_server, mut c, s) = logged_in(serve_file(b"x", "226 ok\r\n"));
    let t = c.retrieve(s, "f", 0).unwrap();
    c.finish_retrieve(t).unwrap();
    assert!(matches!(c.read(t, 1).unwrap_err().ftp(), Error::InvalidInput(_)));
    assert!(matches!(
        c.finish_retrieve(t).unwrap_err().ftp(),
        Error::InvalidInput(_)
    ));
    assert!(matches!(c.abort_retrieve(t).unwrap_err().ftp(), Error::InvalidInput(_)));
    still_usable(&mut c, s);
}

#[test]
fn aborted_store_refuses_writes() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line.starts_with("STOR") {
            ctx.send("150 send\r\n");
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let t = c.store(s, "f", StoreMode::Replace).unwrap();
    c.abort_store(t).unwrap();
    assert!(matches!(c.write(t, b"x").unwrap_err().ftp(), Error::InvalidInput(_)));
    assert!(matches!(c.abort_store(t).unwrap_err().ftp(), Error::InvalidInput(_)));
    still_usable(&mut c, s);
}
