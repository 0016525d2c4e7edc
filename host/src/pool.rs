//! Sessions to one server shared by concurrent work: at most `cap` open at
//! once, each its own component instance with the same one-server grant.
//! A session handed back waits idle for the next taker; one idle past the
//! keep-alive is checked with NOOP before it is handed out (and replaced if
//! it died), one idle past the idle timeout is closed instead.

use crate::{Client, Options, Result, Session};
use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// What every new session of a pool does before its first use.
type Setup = Box<dyn Fn(&mut Session) -> Result<()> + Send + Sync>;

pub struct Pool {
    client: Client,
    options: Options,
    setup: Option<Setup>,
    cap: usize,
    keep_alive: Duration,
    idle_timeout: Duration,
    state: Mutex<State>,
    returned: Condvar,
}

struct State {
    idle: Vec<(Session, Instant)>,
    /// Sessions open: idle, or handed out.
    open: usize,
}

impl Pool {
    /// A pool of at most `cap` (at least 1) sessions made from `options`;
    /// a session idle for 30 s is checked before reuse, one idle for five
    /// minutes is closed.
    pub fn new(client: &Client, options: Options, cap: usize) -> Self {
        Self {
            client: client.clone(),
            options,
            setup: None,
            cap: cap.max(1),
            keep_alive: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(300),
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        }
    }

    /// Sets how long a session may sit idle before a NOOP checks it, and
    /// before it is closed rather than reused.
    pub fn with_idle_limits(mut self, keep_alive: Duration, idle_timeout: Duration) -> Self {
        self.keep_alive = keep_alive;
        self.idle_timeout = idle_timeout.max(keep_alive);
        self
    }

    /// Runs `setup` on each new session before it is handed out (a CWD, or
    /// CCC); a session whose setup fails is closed and the error returned.
    pub fn with_setup(mut self, setup: impl Fn(&mut Session) -> Result<()> + Send + Sync + 'static) -> Self {
        self.setup = Some(Box::new(setup));
        self
    }

    /// A session for one piece of work, back in the pool when dropped:
    /// an idle one if there is one, else a new one while fewer than `cap`
    /// are open, else the next one handed back.
    pub fn get(&self) -> Result<Pooled<'_>> {
        let mut state = self.lock();
        loop {
            while let Some((mut session, since)) = state.idle.pop() {
                let idle = since.elapsed();
                let alive = idle < self.keep_alive
                    || (idle < self.idle_timeout && session.noop().is_ok_and(|r| r.code / 100 == 2));
                if alive {
                    return Ok(self.pooled(session));
                }
                state.open -= 1;
                drop(session);
            }
            if state.open < self.cap {
                state.open += 1;
                drop(state);
                let opened = self.client.connect(self.options.clone()).and_then(|mut session| {
                    if let Some(setup) = &self.setup {
                        setup(&mut session)?;
                    }
                    Ok(session)
                });
                return match opened {
                    Ok(session) => Ok(self.pooled(session)),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.returned.notify_one();
                        Err(e)
                    }
                };
            }
            state = self.returned.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// How many sessions are open now (idle or handed out).
    pub fn open(&self) -> usize {
        self.lock().open
    }

    fn pooled(&self, session: Session) -> Pooled<'_> {
        Pooled {
            pool: self,
            session: Some(session),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A session lent by a [`Pool`]; it goes back when dropped, or is closed
/// with [`discard`](Self::discard) when the work left it unusable.
pub struct Pooled<'a> {
    pool: &'a Pool,
    session: Option<Session>,
}

impl Pooled<'_> {
    /// Closes the session instead of handing it back (say, after a
    /// failure that may have left it out of step); the pool opens a new
    /// one when next asked.
    pub fn discard(mut self) {
        if self.session.take().is_some() {
            self.pool.lock().open -= 1;
            self.pool.returned.notify_one();
        }
    }
}

impl Deref for Pooled<'_> {
    type Target = Session;

    fn deref(&self) -> &Session {
        self.session
            .as_ref()
            .expect("a pooled session is present until dropped")
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Session {
        self.session
            .as_mut()
            .expect("a pooled session is present until dropped")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            self.pool.lock().idle.push((session, Instant::now()));
            self.pool.returned.notify_one();
        }
    }
}
