//! Server-to-server copies (ftplib's `ftpcp`): two sessions, each its own
//! instance with its own one-server grant, steered so the source server's
//! passive port is handed to the target server; the bytes never reach
//! this process.

use crate::bindings::{Endpoint, GuestRelay, Reply};
use crate::error::flatten;
use crate::session::Session;
use crate::Result;
use wasmtime::component::ResourceAny;

/// Both servers' final replies to a finished copy.
#[derive(Debug, Clone)]
pub struct Copied {
    /// The source server's reply to RETR.
    pub source: Reply,
    /// The target server's reply to STOR.
    pub target: Reply,
}

impl Session {
    /// Copies `path` on this session's server to `target_path` on
    /// `target`'s server, directly between the two (FXP): the target
    /// connects to this server's passive port and stores what it sends.
    /// Opt-in by nature: many servers refuse a PORT naming another host,
    /// and data must be clear (PROT C) on both sessions. If either side
    /// fails, the other is aborted and both sessions stay usable.
    pub fn copy_to(&mut self, path: &str, target: &mut Session, target_path: &str) -> Result<Copied> {
        target.stats.forget(target_path);
        let source_at: Endpoint = self.call(|g, st, h| g.call_relay_listen(st, h))?;
        // RFC 959: the side that connects must be told before the listening
        // side starts sending, so STOR goes before RETR.
        let stored = target.call(|g, st, h| g.call_relay_store(st, h, target_path, &source_at))?;
        let sent = match self.call(|g, st, h| g.call_relay_retrieve(st, h, path)) {
            Ok(sent) => sent,
            Err(e) => {
                // The target is connected to the source's passive port and
                // waits for data that will not come; asking the source to
                // listen afresh makes it drop that connection, and only
                // then can the target take its ABOR.
                let _ = self.call(|g, st, h| g.call_relay_listen(st, h));
                target.abort_relay(stored)?;
                return Err(e);
            }
        };
        let source = match self.finish_relay(sent) {
            Ok(reply) => reply,
            Err(e) => {
                target.abort_relay(stored)?;
                return Err(e);
            }
        };
        let target = target.finish_relay(stored)?;
        Ok(Copied { source, target })
    }

    fn finish_relay(&mut self, relay: ResourceAny) -> Result<Reply> {
        let guest: GuestRelay<'_> = self.bindings.wftp_client_client().relay();
        let done = flatten(guest.call_finish(&mut self.store, relay));
        let _ = relay.resource_drop(&mut self.store);
        done
    }

    fn abort_relay(&mut self, relay: ResourceAny) -> Result<()> {
        let guest: GuestRelay<'_> = self.bindings.wftp_client_client().relay();
        let done = flatten(guest.call_abort(&mut self.store, relay));
        let _ = relay.resource_drop(&mut self.store);
        done
    }
}
