//! What a session knows, as types whose impossible combinations cannot be
//! written: the phase (idle, in a transfer, closed), the control
//! connection's security (plain, pending, secured, cleared, each with the
//! data connections' protection where it means something), and what the
//! server has shown, with the one transition that follows every command.

use crate::proto::feat::Feature;
use crate::proto::hash::Algorithm;
use crate::proto::reply::{Class, Reply};

/// Where the session is between operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Idle,
    /// A transfer's data connection is the driver's; its final reply is
    /// still to come, unless it came first (`early_final`: 226 without
    /// 150). A listing made from inside its directory goes back `home`.
    /// `noops`: keep-alive NOOPs sent meanwhile and not yet answered
    /// (servers answer them at once or only once the transfer ends).
    Transfer {
        early_final: Option<Reply>,
        home: Option<String>,
        noops: u32,
    },
    /// Nothing more is sent. `by` is the 421 that ended it, if one did.
    Closed {
        by: Option<Reply>,
    },
}

/// How explicit and implicit FTPS differ: when TLS starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// `AUTH TLS` once greeted.
    Explicit,
    /// TLS from the first byte.
    Implicit,
}

/// Whether data connections are TLS too (PROT P) or clear (PROT C).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataProtection {
    Clear,
    Private,
}

/// The control connection's security. Data protection exists only where
/// TLS was negotiated, so "private data on a plain session" cannot be said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlSecurity {
    /// No TLS: none asked for, or AUTH TLS refused where plaintext is allowed.
    Plain,
    /// TLS asked for and not yet on: `data` is what PROT will ask for.
    Pending {
        mode: TlsMode,
        allow_plaintext: bool,
        data: DataProtection,
    },
    Secured {
        mode: TlsMode,
        data: DataProtection,
    },
    /// CCC ended the control connection's TLS; data keeps its protection.
    Cleared {
        mode: TlsMode,
        data: DataProtection,
    },
}

impl ControlSecurity {
    /// The protection data connections get now.
    pub fn data(self) -> DataProtection {
        match self {
            ControlSecurity::Secured { data, .. } | ControlSecurity::Cleared { data, .. } => data,
            ControlSecurity::Plain | ControlSecurity::Pending { .. } => DataProtection::Clear,
        }
    }

    /// How TLS was asked for, once it is on (or was, before CCC).
    pub fn mode(self) -> Option<TlsMode> {
        match self {
            ControlSecurity::Secured { mode, .. } | ControlSecurity::Cleared { mode, .. } => Some(mode),
            ControlSecurity::Plain | ControlSecurity::Pending { .. } => None,
        }
    }

    /// After PROT was accepted: the new protection, where TLS is on.
    fn with_data(self, new: DataProtection) -> Self {
        match self {
            ControlSecurity::Secured { mode, .. } => ControlSecurity::Secured { mode, data: new },
            ControlSecurity::Cleared { mode, .. } => ControlSecurity::Cleared { mode, data: new },
            other => other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferType {
    Binary,
    Ascii,
}

impl TransferType {
    pub fn code(self) -> &'static str {
        match self {
            TransferType::Binary => "I",
            TransferType::Ascii => "A",
        }
    }

    /// The type a `TYPE` argument selects (`A`, `A N`, `I`, `L 8`).
    fn from_argument(arg: &str) -> Option<Self> {
        let mut words = arg.split_whitespace();
        match (words.next()?.to_ascii_uppercase().as_str(), words.next()) {
            ("A", None | Some("N" | "n")) => Some(TransferType::Ascii),
            ("I", None) | ("L", Some("8")) => Some(TransferType::Binary),
            _ => None,
        }
    }
}

/// What the server has shown about passive modes so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passive {
    TryEpsv,
    PasvOnly,
}

/// What the session has learnt of the server, and the type it wants.
#[derive(Debug, Clone)]
pub struct Server {
    pub passive: Passive,
    pub wanted_type: TransferType,
    /// The server's type, when known: servers start in ASCII.
    pub server_type: Option<TransferType>,
    /// FEAT's answer, once asked since the last login.
    pub features: Option<Vec<Feature>>,
    /// The algorithm `OPTS HASH` selected; none: as FEAT says.
    pub hash_selected: Option<Algorithm>,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            passive: Passive::TryEpsv,
            wanted_type: TransferType::Binary,
            server_type: None,
            features: None,
            hash_selected: None,
        }
    }
}

/// A command line's verb (upper-cased) and argument.
pub fn split_line(line: &str) -> (String, &str) {
    let line = line.trim_end_matches(['\r', '\n']);
    let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
    (verb.to_ascii_uppercase(), arg)
}

/// The one transition after every command the session sends, whoever asked
/// for it (a typed call or a raw line): what the server's reply to `line`
/// changes in what the session knows.
pub fn after_command(server: &mut Server, security: &mut ControlSecurity, line: &str, reply: &Reply) {
    let (verb, arg) = split_line(line);
    let accepted = reply.class() == Class::Completion;
    match verb.as_str() {
        // A new login (or none): the server's state starts over.
        "REIN" | "USER" => {
            server.server_type = None;
            server.features = None;
            server.hash_selected = None;
        }
        // FEAT may differ once logged in, and a selection is the login's.
        "PASS" | "ACCT" => {
            server.features = None;
            server.hash_selected = None;
        }
        "TYPE" => server.server_type = TransferType::from_argument(arg).filter(|_| accepted),
        "OPTS" => {
            let (option, value) = split_line(arg);
            if option == "HASH" && !value.is_empty() && accepted {
                server.hash_selected = Algorithm::from_hash_name(value.trim());
            }
        }
        "PROT" if accepted => match arg.trim().to_ascii_uppercase().as_str() {
            "P" => *security = security.with_data(DataProtection::Private),
            "C" => *security = security.with_data(DataProtection::Clear),
            _ => {}
        },
        _ => {}
    }
}
