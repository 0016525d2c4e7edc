//! One conformance scenario, run unchanged against every server: each step
//! drives the component and checks the outcome against the server's disk.

use crate::{
    Client, ConnectOptions, EntryKind, Error, Failure, NetworkPolicy, Runtime, StoreMode, Timestamp, TransferType,
};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Where and how to reach a server, and where its files land on disk.
pub struct Target {
    pub name: String,
    pub addr: SocketAddr,
    pub grant: NetworkPolicy,
    pub user: String,
    pub password: String,
    /// The directory the user's login starts in, on this machine's disk.
    pub user_home: PathBuf,
    /// The anonymous root on disk, where anonymous login is offered.
    pub anon_dir: Option<PathBuf>,
    /// How every session connects (TLS or not, deadlines).
    pub options: ConnectOptions,
}

/// The outcome of one step: a short description of what was seen, or why it failed.
pub struct Step {
    pub name: &'static str,
    pub outcome: Result<String, String>,
}

type StepResult = Result<String, String>;

fn ftp<T>(r: Result<T, Failure>, what: &str) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {e}"))
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what())
    }
}

fn sha(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

fn pattern(len: usize, seed: u32) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed) >> 11) as u8)
        .collect()
}

/// The step names, in order: the matrix's columns.
pub const STEPS: &[&str] = &[
    "banner",
    "anonymous",
    "bad-password",
    "login",
    "feat-syst-help-stat",
    "mkd-cwd-pwd",
    "round-trips",
    "append",
    "resume",
    "size-mdtm-mfmt",
    "stou",
    "ascii",
    "list-vs-disk",
    "mlst",
    "tree-ops",
    "rename-delete",
    "errors",
    "abort",
    "quit",
];

pub fn run(runtime: &Runtime, target: &Target) -> Vec<Step> {
    let mut steps = Vec::new();
    let clients =
        Client::new(runtime, target.grant.clone()).and_then(|c| Ok((c, Client::new(runtime, target.grant.clone())?)));
    let (mut c, other) = match clients {
        Ok(clients) => clients,
        Err(e) => {
            steps.push(Step {
                name: "banner",
                outcome: Err(format!("instantiate: {e}")),
            });
            return steps;
        }
    };
    let mut scenario = Scenario {
        c: &mut c,
        other,
        t: target,
        run_dir: String::new(),
        disk: PathBuf::new(),
        remote_dir: String::new(),
    };
    scenario.run_all(&mut steps);
    steps
}

struct Scenario<'a> {
    c: &'a mut Client,
    /// Where the other sessions (anonymous, bad password) run.
    other: Client,
    t: &'a Target,
    /// The per-run directory name under the user's home.
    run_dir: String,
    /// That directory on disk.
    disk: PathBuf,
    /// That directory as the server names it (from PWD).
    remote_dir: String,
}

impl Scenario<'_> {
    fn run_all(&mut self, steps: &mut Vec<Step>) {
        let port = self.t.addr.port();
        let host = self.t.addr.ip().to_string();
        let s = match self.c.connect(&host, port, &self.t.options) {
            Ok(s) => s,
            Err(e) => {
                steps.push(Step {
                    name: "banner",
                    outcome: Err(format!("connect: {e}")),
                });
                return;
            }
        };
        let mut record = |name: &'static str, outcome: StepResult| steps.push(Step { name, outcome });
        record("banner", self.banner(s));
        record("anonymous", self.anonymous());
        record("bad-password", self.bad_password());
        record("login", self.login(s));
        record("feat-syst-help-stat", self.feat_syst_help_stat(s));
        record("mkd-cwd-pwd", self.mkd_cwd_pwd(s));
        record("round-trips", self.round_trips(s));
        record("append", self.append(s));
        record("resume", self.resume(s));
        record("size-mdtm-mfmt", self.size_mdtm_mfmt(s));
        record("stou", self.stou(s));
        record("ascii", self.ascii(s));
        record("list-vs-disk", self.list_vs_disk(s));
        record("mlst", self.mlst(s));
        record("tree-ops", self.tree_ops(s));
        record("rename-delete", self.rename_delete(s));
        record("errors", self.errors(s));
        record("abort", self.abort(s));
        record("quit", self.quit(s));
    }

    fn banner(&mut self, s: crate::SessionHandle) -> StepResult {
        let w = ftp(self.c.welcome(s), "welcome")?;
        check(w.code == 220, || format!("welcome code {}", w.code))?;
        Ok(format!("220 {}", w.text.lines().next().unwrap_or_default()))
    }

    /// A second session, in an instance of its own as `ftp-host` gives
    /// each session (with the host's TLS, one instance's sessions to one
    /// server share its TLS session cache: see the FTPS notes).
    fn fresh_session(&mut self) -> Result<crate::SessionHandle, String> {
        let host = self.t.addr.ip().to_string();
        ftp(
            self.other.connect(&host, self.t.addr.port(), &self.t.options),
            "connect",
        )
    }

    fn anonymous(&mut self) -> StepResult {
        let Some(anon) = &self.t.anon_dir else {
            return Ok("not offered".into());
        };
        let name = format!("anon-{}.txt", self.t.name);
        let content = format!("anonymous download from {}\n", self.t.name);
        std::fs::write(anon.join(&name), &content).map_err(|e| e.to_string())?;
        let s = self.fresh_session()?;
        ftp(self.other.login(s, None, None), "anonymous login")?;
        let names = ftp(self.other.nlst(s, None), "nlst")?;
        check(names.iter().any(|n| n.trim_start_matches('/') == name), || {
            format!("{name} not in {names:?}")
        })?;
        let got = ftp(self.other.get(s, &name, 0, 4096), "anonymous retrieve")?;
        check(got == content.as_bytes(), || "anonymous download differs".into())?;
        let _ = self.other.quit(s);
        let _ = std::fs::remove_file(anon.join(&name));
        Ok("login, nlst, retrieve".into())
    }

    fn bad_password(&mut self) -> StepResult {
        let s = self.fresh_session()?;
        match self.other.login(s, Some(&self.t.user), Some("wrong password")) {
            Err(Failure::Ftp(Error::Permanent(r))) => {
                let _ = self.other.quit(s);
                Ok(format!("permanent {}", r.code))
            }
            other => Err(format!("expected a permanent error, got {other:?}")),
        }
    }

    fn login(&mut self, s: crate::SessionHandle) -> StepResult {
        let r = ftp(self.c.login(s, Some(&self.t.user), Some(&self.t.password)), "login")?;
        check(r.code == 230, || format!("login code {}", r.code))?;
        Ok("230".into())
    }

    fn feat_syst_help_stat(&mut self, s: crate::SessionHandle) -> StepResult {
        let features = ftp(self.c.features(s), "feat")?;
        let system = ftp(self.c.system(s), "syst")?;
        ftp(self.c.help(s, None), "help")?;
        ftp(self.c.status(s, None), "stat")?;
        ftp(self.c.noop(s), "noop")?;
        let names: Vec<&str> = features.iter().map(|f| f.name.as_str()).collect();
        Ok(format!("SYST {system:?}; FEAT {}", names.join(" ")))
    }

    fn mkd_cwd_pwd(&mut self, s: crate::SessionHandle) -> StepResult {
        let home = ftp(self.c.pwd(s), "pwd")?;
        self.run_dir = format!("interop-{}-{}", self.t.name, std::process::id());
        self.disk = self.t.user_home.join(&self.run_dir);
        let _ = std::fs::remove_dir_all(&self.disk);
        ftp(self.c.mkd(s, &self.run_dir), "mkd")?;
        check(self.disk.is_dir(), || {
            format!("{} not created on disk", self.disk.display())
        })?;
        ftp(self.c.cwd(s, &self.run_dir), "cwd")?;
        let pwd = ftp(self.c.pwd(s), "pwd")?;
        check(pwd.trim_end_matches('/').ends_with(&self.run_dir), || {
            format!("pwd {pwd}")
        })?;
        ftp(self.c.cdup(s), "cdup")?;
        let back = ftp(self.c.pwd(s), "pwd")?;
        check(back == home, || format!("cdup went to {back}, not {home}"))?;
        ftp(self.c.cwd(s, &self.run_dir), "cwd")?;
        self.remote_dir = pwd.trim_end_matches('/').to_string();
        Ok(format!("home {home}"))
    }

    fn on_disk(&self, name: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.disk.join(name)).map_err(|e| format!("{name} on disk: {e}"))
    }

    fn round_trips(&mut self, s: crate::SessionHandle) -> StepResult {
        for (len, chunk) in [(0usize, 1024usize), (1, 1), (1 << 20, 65536), (8 << 20, 1 << 20)] {
            let data = pattern(len, len as u32);
            let name = format!("rt-{len}.bin");
            ftp(self.c.put(s, &name, StoreMode::Replace, &data, chunk), "store")?;
            check(sha(&self.on_disk(&name)?) == sha(&data), || {
                format!("{name}: disk differs")
            })?;
            let back = ftp(self.c.get(s, &name, 0, chunk as u32), "retrieve")?;
            check(sha(&back) == sha(&data), || format!("{name}: download differs"))?;
        }
        Ok("0 B, 1 B, 1 MiB, 8 MiB sha256 equal".into())
    }

    fn append(&mut self, s: crate::SessionHandle) -> StepResult {
        let (a, b) = (pattern(3000, 1), pattern(5000, 2));
        ftp(self.c.put(s, "appe.bin", StoreMode::Replace, &a, 1000), "store")?;
        ftp(self.c.put(s, "appe.bin", StoreMode::Append, &b, 1000), "append")?;
        let expected = [a, b].concat();
        check(self.on_disk("appe.bin")? == expected, || {
            "appended file differs on disk".into()
        })?;
        Ok("APPE".into())
    }

    fn resume(&mut self, s: crate::SessionHandle) -> StepResult {
        let data = pattern(1 << 20, 3);
        ftp(self.c.put(s, "rest.bin", StoreMode::Replace, &data, 65536), "store")?;
        let tail = ftp(self.c.get(s, "rest.bin", 777_777, 65536), "retrieve with REST")?;
        check(tail == data[777_777..], || "resumed download differs".into())?;
        Ok("REST 777777".into())
    }

    fn size_mdtm_mfmt(&mut self, s: crate::SessionHandle) -> StepResult {
        let size = ftp(self.c.size(s, "rest.bin"), "size")?;
        check(size == 1 << 20, || format!("size {size}"))?;
        let when = Timestamp {
            seconds: 1_600_000_000,
            nanoseconds: 0,
        };
        // Absolute paths: libunftp resolves MFMT and MLST arguments from the root.
        let path = format!("{}/rest.bin", self.remote_dir);
        let offers_mfmt = ftp(self.c.features(s), "feat")?.iter().any(|f| f.name == "MFMT");
        let set = match self.c.set_modified_time(s, &path, when) {
            Ok(_) => true,
            // Servers without MFMT (nor the MDTM-set form) refuse it; that is
            // a correct, typed outcome.
            Err(Failure::Ftp(Error::Permanent(_))) if !offers_mfmt => false,
            Err(e) => return Err(format!("mfmt: {e}")),
        };
        let disk = std::fs::metadata(self.disk.join("rest.bin"))
            .and_then(|m| m.modified())
            .map_err(|e| e.to_string())?;
        let disk_secs = disk
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs() as i64;
        if set {
            check(disk_secs == when.seconds, || {
                format!("disk mtime {disk_secs}, wanted {}", when.seconds)
            })?;
        }
        let got = ftp(self.c.modified_time(s, &path), "mdtm")?;
        check(got.seconds == disk_secs, || {
            format!("MDTM said {}, disk {disk_secs}", got.seconds)
        })?;
        Ok(if set {
            "SIZE, MFMT/MDTM set, MDTM read"
        } else {
            "SIZE, MDTM read; setting times refused (not offered)"
        }
        .into())
    }

    fn stou(&mut self, s: crate::SessionHandle) -> StepResult {
        let before: Vec<PathBuf> = list_disk(&self.disk);
        let data = pattern(4321, 4);
        let t = ftp(self.c.store(s, "", StoreMode::Unique), "stou")?;
        ftp(self.c.write(t, &data), "write")?;
        ftp(self.c.finish_store(t), "finish")?;
        let reported = ftp(self.c.unique_name(t), "unique-name")?;
        ftp(self.c.drop_resource(t), "drop")?;
        let created: Vec<PathBuf> = list_disk(&self.disk)
            .into_iter()
            .filter(|p| !before.contains(p))
            .collect();
        check(created.len() == 1, || format!("STOU created {created:?}"))?;
        let content = std::fs::read(&created[0]).map_err(|e| e.to_string())?;
        check(content == data, || "STOU content differs".into())?;
        let disk_name = created[0]
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match reported {
            Some(name) => {
                check(name.trim_start_matches('/').ends_with(&disk_name), || {
                    format!("reported {name}, disk {disk_name}")
                })?;
                Ok(format!("name reported: {name}"))
            }
            None => Ok(format!("created {disk_name}; server reported no name")),
        }
    }

    fn ascii(&mut self, s: crate::SessionHandle) -> StepResult {
        let text = b"line one\nline two\n\nlast\n";
        ftp(self.c.set_transfer_type(s, TransferType::Ascii), "type a")?;
        ftp(self.c.put(s, "text.txt", StoreMode::Replace, text, 5), "store ascii")?;
        let back = ftp(self.c.get(s, "text.txt", 0, 7), "retrieve ascii");
        ftp(self.c.set_transfer_type(s, TransferType::Binary), "type i")?;
        check(back? == text, || "ASCII round trip differs".into())?;
        let disk = self.on_disk("text.txt")?;
        let form = if disk == text {
            "server stores LF"
        } else if disk == b"line one\r\nline two\r\n\r\nlast\r\n" {
            "server stores CRLF"
        } else {
            return Err(format!("disk holds {disk:?}"));
        };
        Ok(format!("round trip equal; {form}"))
    }

    fn list_vs_disk(&mut self, s: crate::SessionHandle) -> StepResult {
        std::fs::create_dir_all(self.disk.join("sub dir")).map_err(|e| e.to_string())?;
        std::fs::write(self.disk.join("with space.txt"), b"12345").map_err(|e| e.to_string())?;
        let entries = ftp(self.c.list(s, None), "list")?;
        let mut seen = Vec::new();
        for path in list_disk(&self.disk) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let meta = std::fs::metadata(&path).map_err(|e| e.to_string())?;
            let entry = entries
                .iter()
                .find(|e| e.name == name)
                .ok_or_else(|| format!("{name} missing from list"))?;
            let kind = if meta.is_dir() {
                EntryKind::Directory
            } else {
                EntryKind::File
            };
            check(entry.kind == kind, || {
                format!("{name}: kind {:?}, disk {kind:?}", entry.kind)
            })?;
            if kind == EntryKind::File {
                check(entry.size == Some(meta.len()), || {
                    format!("{name}: size {:?}, disk {}", entry.size, meta.len())
                })?;
            }
            check(entry.modified.is_some(), || format!("{name}: no modified time"))?;
            seen.push(name);
        }
        check(entries.len() == seen.len(), || {
            format!("list has extra entries: {entries:?}")
        })?;
        let machine = entries.iter().any(|e| !e.facts.is_empty());
        Ok(format!(
            "{} entries match ({})",
            seen.len(),
            if machine { "MLSD" } else { "LIST" }
        ))
    }

    fn mlst(&mut self, s: crate::SessionHandle) -> StepResult {
        let features = ftp(self.c.features(s), "feat")?;
        if !features.iter().any(|f| f.name == "MLST") {
            return Ok("not offered".into());
        }
        let e = ftp(self.c.stat_entry(s, &format!("{}/rest.bin", self.remote_dir)), "mlst")?;
        check(e.kind == EntryKind::File && e.size == Some(1 << 20), || {
            format!("{e:?}")
        })?;
        Ok(format!(
            "facts {}",
            e.facts.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(",")
        ))
    }

    fn tree_ops(&mut self, s: crate::SessionHandle) -> StepResult {
        ftp(self.c.make_dirs(s, "t/a/b"), "make-dirs")?;
        ftp(self.c.make_dirs(s, "t/a/b/c"), "make-dirs again")?;
        check(self.disk.join("t/a/b/c").is_dir(), || {
            "make-dirs missing on disk".into()
        })?;
        ftp(self.c.put(s, "t/a/f.txt", StoreMode::Replace, b"f", 1), "store")?;
        let walked: Vec<String> = ftp(self.c.walk(s, "t"), "walk")?
            .entries
            .into_iter()
            .map(|e| e.name)
            .collect();
        check(walked == ["a", "a/b", "a/b/c", "a/f.txt"], || {
            format!("walk gave {walked:?}")
        })?;
        ftp(self.c.remove_tree(s, "t"), "remove-tree")?;
        check(!self.disk.join("t").exists(), || "remove-tree left files".into())?;
        Ok("make-dirs, walk, remove-tree".into())
    }

    fn rename_delete(&mut self, s: crate::SessionHandle) -> StepResult {
        ftp(self.c.rename(s, "appe.bin", "renamed.bin"), "rename")?;
        check(
            self.disk.join("renamed.bin").exists() && !self.disk.join("appe.bin").exists(),
            || "rename not on disk".into(),
        )?;
        ftp(self.c.delete(s, "renamed.bin"), "delete")?;
        check(!self.disk.join("renamed.bin").exists(), || "delete not on disk".into())?;
        Ok("RNFR/RNTO, DELE".into())
    }

    fn errors(&mut self, s: crate::SessionHandle) -> StepResult {
        let mut seen = Vec::new();
        for (what, r) in [
            ("retrieve missing", self.c.get(s, "missing.bin", 0, 1024).map(drop)),
            ("cwd missing", self.c.cwd(s, "missing-dir").map(drop)),
            ("rmd missing", self.c.rmd(s, "missing-dir").map(drop)),
            ("size missing", self.c.size(s, "missing.bin").map(drop)),
        ] {
            match r {
                Err(Failure::Ftp(Error::Permanent(reply))) => seen.push(format!("{what} {}", reply.code)),
                other => return Err(format!("{what}: expected a permanent error, got {other:?}")),
            }
        }
        ftp(self.c.noop(s), "noop after errors")?;
        Ok(seen.join(", "))
    }

    fn abort(&mut self, s: crate::SessionHandle) -> StepResult {
        let t = ftp(self.c.retrieve(s, "rt-8388608.bin", 0), "retrieve")?;
        ftp(self.c.read(t, 65536), "read")?;
        ftp(self.c.abort_retrieve(t), "abort")?;
        ftp(self.c.drop_resource(t), "drop")?;
        ftp(self.c.noop(s), "noop after abort")?;
        let small = ftp(self.c.get(s, "rt-1.bin", 0, 16), "retrieve after abort")?;
        check(small.len() == 1, || "retrieve after abort differs".into())?;
        Ok("ABOR, session usable".into())
    }

    fn quit(&mut self, s: crate::SessionHandle) -> StepResult {
        let r = ftp(self.c.quit(s), "quit")?;
        let _ = std::fs::remove_dir_all(&self.disk);
        Ok(format!("{}", r.code))
    }
}

fn list_disk(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// Renders the steps of one server as a matrix row.
pub fn report(name: &str, steps: &[Step]) -> String {
    let mut out = format!("== {name}\n");
    for step in steps {
        let (mark, text) = match &step.outcome {
            Ok(t) => ("pass", t.as_str()),
            Err(e) => ("FAIL", e.as_str()),
        };
        out.push_str(&format!("  {mark}  {:<20} {text}\n", step.name));
    }
    out
}
