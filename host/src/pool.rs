//! Sessions to one server shared by concurrent work: at most `cap` open at
//! once, each its own component instance with the same one-server grant.
//! A session handed back waits idle for the next taker. One not checked
//! for the keep-alive is sent NOOP before it is handed out (and replaced if
//! it died), or by [`Pool::tend`], which a shared pool runs on a thread of
//! its own, so servers' idle timers do not close it; one idle past the
//! idle timeout is closed instead.

use crate::{Client, Options, Result, Session};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
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
    idle: Vec<Idle>,
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
            while let Some(mut idle) = state.idle.pop() {
                if idle.alive(self.keep_alive, self.idle_timeout) {
                    return Ok(self.pooled(idle.session));
                }
                state.open -= 1;
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

    /// Sends NOOP on each idle session not checked for the keep-alive, and
    /// closes those that fail it or have been idle past the idle timeout.
    /// Sessions being checked are not handed out meanwhile.
    pub fn tend(&self) {
        let waiting = std::mem::take(&mut self.lock().idle);
        let mut kept = Vec::new();
        let mut closed = 0;
        for mut idle in waiting {
            if idle.alive(self.keep_alive, self.idle_timeout) {
                kept.push(idle);
            } else {
                closed += 1;
            }
        }
        let mut state = self.lock();
        state.open -= closed;
        state.idle.extend(kept);
        drop(state);
        self.returned.notify_all();
    }

    /// The pool, shared, with a thread that tends it every half keep-alive
    /// (at least every 100 ms) until the last `Arc` is dropped.
    pub fn shared(self) -> Arc<Self> {
        let every = (self.keep_alive / 2).max(Duration::from_millis(100));
        let pool = Arc::new(self);
        let tended: Weak<Self> = Arc::downgrade(&pool);
        std::thread::spawn(move || loop {
            std::thread::sleep(every);
            match tended.upgrade() {
                Some(pool) => pool.tend(),
                None => return,
            }
        });
        pool
    }

    /// The options every session of the pool is made from.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The most sessions open at once: how many a tree run uses.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Takes the idle sessions out of the pool, for the caller to close
    /// (say, with [`Session::quit`] to see the server's goodbye); the pool
    /// no longer counts them.
    pub fn drain(&self) -> Vec<Session> {
        let mut state = self.lock();
        let idle = std::mem::take(&mut state.idle);
        state.open -= idle.len();
        drop(state);
        self.returned.notify_all();
        idle.into_iter().map(|i| i.session).collect()
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

/// A session waiting for its next taker.
struct Idle {
    session: Session,
    /// When it was handed back.
    since: Instant,
    /// When it was last known alive: handed back, or answered NOOP.
    checked: Instant,
}

impl Idle {
    /// Whether it may still be handed out: not idle past `idle_timeout`,
    /// and checked within `keep_alive` or answering NOOP now.
    fn alive(&mut self, keep_alive: Duration, idle_timeout: Duration) -> bool {
        if self.since.elapsed() >= idle_timeout {
            return false;
        }
        if self.checked.elapsed() < keep_alive {
            return true;
        }
        let answered = self.session.noop().is_ok_and(|r| r.code / 100 == 2);
        self.checked = Instant::now();
        answered
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
            let now = Instant::now();
            self.pool.lock().idle.push(Idle {
                session,
                since: now,
                checked: now,
            });
            self.pool.returned.notify_one();
        }
    }
}
