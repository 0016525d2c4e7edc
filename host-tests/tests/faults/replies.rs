//! Replies as they really arrive: control characters and NUL in the text
//! (kept as received, lossy UTF-8 for the rest; the CLI makes them visible
//! when it prints), and a reply dripped a byte at a time inside its deadline.

use crate::support::*;

fn noop_answers(reply: &'static [u8]) -> (ScriptedServer, Client, SessionHandle) {
    logged_in(move |line, ctx| {
        if line == "NOOP" {
            ctx.send(reply);
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    })
}

#[test]
fn escape_sequences_in_a_reply_are_kept_as_text() {
    let (_server, mut c, s) = noop_answers(b"200 \x1b[2J\x1b]0;title\x07ok\r\n");
    let reply = c.noop(s).unwrap();
    assert_eq!(reply.text, "\x1b[2J\x1b]0;title\x07ok");
    assert_eq!(c.pwd(s).unwrap(), "/", "still in step");
}

#[test]
fn nul_in_a_reply_is_kept_and_the_reply_still_ends_at_crlf() {
    let (_server, mut c, s) = noop_answers(b"200 a\0b\r\n");
    assert_eq!(c.noop(s).unwrap().text, "a\0b");
    assert_eq!(c.pwd(s).unwrap(), "/");
}

#[test]
fn a_lone_cr_inside_a_reply_does_not_end_it() {
    let (_server, mut c, s) = noop_answers(b"200 one\rtwo\r\n");
    assert_eq!(c.noop(s).unwrap().code, 200);
    assert_eq!(c.pwd(s).unwrap(), "/");
}

#[test]
fn a_reply_dripped_a_byte_at_a_time_within_the_deadline() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line == "NOOP" {
            for b in b"200-first\r\n more\r\n200 done\r\n" {
                ctx.send([*b]);
                ctx.sleep_ms(20);
            }
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let reply = timed(|| c.noop(s)).unwrap();
    assert_eq!((reply.code, reply.text.as_str()), (200, "first\n more\ndone"));
}

/// Each byte arrives in time, but the reply as a whole takes longer than
/// its deadline: the deadline is for the reply, not for each byte. (The
/// drip lasts 10 s, so a per-byte deadline could not pass for a whole-reply
/// one, even `SLACK` late.)
#[test]
fn a_reply_dripped_past_its_deadline_times_out() {
    let (_server, mut c, s) = logged_in(|line, ctx| {
        if line == "NOOP" {
            for _ in 0..100 {
                ctx.send("2");
                ctx.sleep_ms(100);
            }
            Flow::Next
        } else {
            ordinary(line, ctx)
        }
    });
    let start = Instant::now();
    assert!(matches!(c.noop(s).unwrap_err().ftp(), Error::Timeout(_)));
    assert_ended_at(start.elapsed(), Duration::from_secs(1), "a dripped reply");
}
