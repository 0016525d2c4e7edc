//! Running `wftp` as a user runs it: a scratch home, the binary, its output
//! and exit status.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

/// A scratch home directory (so no real ~/.netrc is read) and the shared
/// cache of compiled component code.
pub struct Env {
    home: TempDir,
}

impl Env {
    pub fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub fn home_dir(&self) -> &Path {
        self.home.path()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wftp"));
        cmd.args(args)
            .env("HOME", self.home.path())
            .env("XDG_CACHE_HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"))
            .env_remove("NETRC")
            .current_dir(self.home.path());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().unwrap();
        println!(
            "$ wftp {}\n{}{}[exit {:?}]",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            out.status.code()
        );
        out
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "wftp {args:?} failed");
        String::from_utf8(out.stdout).unwrap()
    }

    /// Like `fails`, and how long the run took, with the component's
    /// compiled code already cached (so the time is wftp's, not the
    /// compiler's).
    pub fn timed_fails(&self, args: &[&str], code: i32) -> (String, std::time::Duration) {
        warm_cache();
        let start = std::time::Instant::now();
        let said = self.fails(args, code);
        (said, start.elapsed())
    }

    /// Runs and expects this exit status; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(code), "wftp {args:?}");
        String::from_utf8(out.stderr).unwrap()
    }
}

pub fn bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).rotate_left(u32::from(seed)) as u8)
        .collect()
}

/// Runs wftp once, so the component is compiled into the shared code
/// cache before anything is timed: a cold compile takes seconds, and more
/// on a loaded machine. (The connection is refused at once: nothing
/// listens on port 1.)
pub fn warm_cache() {
    static WARM: std::sync::Once = std::sync::Once::new();
    WARM.call_once(|| {
        Env::new().run(&["--no-netrc", "ls", "ftp://127.0.0.1:1/"]);
    });
}
