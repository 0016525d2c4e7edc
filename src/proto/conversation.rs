//! The conversation's rules, apart from any I/O: which reply moves a login
//! on, when EPSV gives way to PASV, what the first reply to a transfer
//! command means, which late replies are skipped, and which raw commands
//! are refused. `session` asks these questions; the tables below answer them.

use super::reply::Reply;

/// What to send after a reply during login (USER, PASS, ACCT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginStep {
    SendPass,
    SendAccount,
    /// 2xx: logged in.
    Done,
    /// Anything else ends the login with this reply as the error.
    Fail,
}

/// The step after `code` answered `sent` (`USER`, `PASS` or `ACCT`). RFC 959
/// §5.4: USER may be answered 230 at once, or 331 (password) or 332
/// (account); PASS by 230, 202 or 332; ACCT by 230 or 202.
pub fn login_step(sent: &str, code: u16, have_account: bool) -> LoginStep {
    match (sent, code) {
        (_, 200..=299) => LoginStep::Done,
        ("USER", 331) => LoginStep::SendPass,
        ("USER" | "PASS", 332) if have_account => LoginStep::SendAccount,
        _ => LoginStep::Fail,
    }
}

/// Whether a failed EPSV should be retried as PASV: curl's rule, any 4xx or
/// 5xx answer (servers use 500, 501, 502, 504, 522, but also 425 or 550),
/// as long as the control connection is IPv4 (PASV speaks IPv4 only).
pub fn epsv_falls_back(code: u16, peer_is_v4: bool) -> bool {
    peer_is_v4 && (400..600).contains(&code)
}

/// What the first reply to a transfer command (RETR, STOR, LIST...) means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferStart {
    /// 1xx: the data flows; a final reply follows it.
    Open,
    /// 225, 226 or 250 straight away: some servers send the whole (often
    /// empty) file and the final reply without a 1xx. The data connection
    /// holds the data; no further reply is awaited.
    AlreadyDone,
    /// Another 2xx (a stray 200 some servers send before their 150):
    /// ftplib's rule is to read the next reply in its place, once.
    ReadNext,
    /// 421: the server is closing the connection.
    Closing,
    /// Any other reply refuses the transfer.
    Refused,
}

pub fn transfer_start(code: u16, already_skipped: bool) -> TransferStart {
    match code {
        100..=199 => TransferStart::Open,
        225 | 226 | 250 => TransferStart::AlreadyDone,
        200..=299 if !already_skipped => TransferStart::ReadNext,
        421 => TransferStart::Closing,
        _ => TransferStart::Refused,
    }
}

/// A reply that only ever ends a transfer (226, 225 "closing data
/// connection", 426 "transfer aborted"). One that arrives in answer to any
/// other command is a late reply to an earlier transfer or abort, so it is
/// skipped rather than taken as that command's answer.
pub fn is_late_transfer_reply(reply: &Reply) -> bool {
    matches!(reply.code, 225 | 226 | 426)
}

/// The sentinel sent after ABOR: PWD, whose 257 no ABOR or transfer reply
/// uses, so however many replies ABOR draws (none, 225, 226, 426 then 226,
/// or a stray 200) the 257 marks the point where the connection is in step.
pub const ABORT_SENTINEL: &[u8] = b"ABOR\r\nPWD\r\n";

/// Whether `reply` is the abort sentinel's answer.
pub fn ends_abort(reply: &Reply) -> bool {
    reply.code == 257
}

/// The most replies an abort reads before it gives up and closes: a late
/// transfer reply, ABOR's one or two, the sentinel's, and one to spare.
pub const ABORT_MAX_REPLIES: usize = 5;

/// Why the raw `command` call refuses a verb, if it does: verbs that open a
/// data connection have their own calls, and verbs that change state the
/// session keeps (restart offset, mode, structure, protection, TLS) would
/// leave that state wrong. TYPE, USER and REIN are tracked instead.
pub fn raw_verb_refusal(verb: &str) -> Option<&'static str> {
    let verb = verb.to_ascii_uppercase();
    Some(match verb.as_str() {
        "RETR" | "STOR" | "STOU" | "APPE" | "LIST" | "NLST" | "MLSD" => {
            "opens a data connection: use retrieve, store, list or nlst"
        }
        "PASV" | "EPSV" | "PORT" | "EPRT" | "LPSV" | "LPRT" => "data connections are the session's to open",
        "ABOR" => "ends a transfer: call abort on the retrieve or store",
        "REST" => "the restart offset is retrieve's offset argument",
        "MODE" | "STRU" => "the session transfers in stream mode and file structure only",
        "PROT" | "PBSZ" | "AUTH" | "CCC" => "TLS is set up by connect's tls options",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(code: u16) -> Reply {
        Reply {
            code,
            lines: vec![format!("{code} x")],
        }
    }

    #[test]
    fn login_steps() {
        use LoginStep::*;
        let table = [
            ("USER", 230, false, Done),
            ("USER", 331, false, SendPass),
            ("USER", 332, true, SendAccount),
            ("USER", 332, false, Fail),
            ("USER", 530, false, Fail),
            ("USER", 421, false, Fail),
            ("PASS", 230, false, Done),
            ("PASS", 202, false, Done),
            ("PASS", 332, true, SendAccount),
            ("PASS", 332, false, Fail),
            ("PASS", 430, false, Fail),
            ("PASS", 530, false, Fail),
            ("PASS", 331, false, Fail),
            ("ACCT", 230, true, Done),
            ("ACCT", 202, true, Done),
            ("ACCT", 532, true, Fail),
            ("ACCT", 332, true, Fail),
        ];
        for (sent, code, acct, want) in table {
            assert_eq!(login_step(sent, code, acct), want, "{sent} {code} {acct}");
        }
    }

    #[test]
    fn epsv_fallback() {
        for code in [500, 501, 502, 504, 522, 425, 550, 421] {
            assert!(epsv_falls_back(code, true), "{code}");
            assert!(!epsv_falls_back(code, false), "{code} on IPv6");
        }
        for code in [229, 200, 150, 331] {
            assert!(!epsv_falls_back(code, true), "{code}");
        }
    }

    #[test]
    fn transfer_starts() {
        use TransferStart::*;
        let table = [
            (150, false, Open),
            (125, false, Open),
            (226, false, AlreadyDone),
            (250, false, AlreadyDone),
            (225, true, AlreadyDone),
            (200, false, ReadNext),
            (200, true, Refused),
            (421, false, Closing),
            (425, false, Refused),
            (450, false, Refused),
            (550, false, Refused),
            (552, false, Refused),
        ];
        for (code, skipped, want) in table {
            assert_eq!(transfer_start(code, skipped), want, "{code} {skipped}");
        }
    }

    #[test]
    fn late_replies_and_the_sentinel() {
        for code in [225, 226, 426] {
            assert!(is_late_transfer_reply(&reply(code)));
            assert!(!ends_abort(&reply(code)));
        }
        for code in [200, 250, 257, 550, 421] {
            assert!(!is_late_transfer_reply(&reply(code)));
        }
        assert!(ends_abort(&reply(257)));
    }

    #[test]
    fn raw_verbs() {
        for verb in [
            "abor", "rest", "MODE", "stru", "PROT", "pbsz", "AUTH", "CCC", "RETR", "list", "PASV", "EPRT",
        ] {
            assert!(raw_verb_refusal(verb).is_some(), "{verb}");
        }
        for verb in ["NOOP", "SITE", "TYPE", "FEAT", "HELP", "STAT", "XPWD", "USER"] {
            assert_eq!(raw_verb_refusal(verb), None, "{verb}");
        }
    }
}
