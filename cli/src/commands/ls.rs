//! `ls`: a directory's entries, by name or in long form.

use super::several::Sessions;
use crate::args::Global;
use crate::failure::{visible, write_error, Outcome};
use crate::target::Target;
use ftp_host::{Client, Entry, EntryKind};
use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

pub fn ls(client: &Client, global: &Global, url: &str, long: bool) -> Outcome {
    let target = Target::parse(url, global)?;
    let mut sessions = Sessions::new(global);
    let mut entries = sessions
        .get(client, &target.options, false, global)?
        .list(target.dir())?;
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    // One write per line would be one system call per entry.
    let mut out = io::BufWriter::new(io::stdout().lock());
    for entry in &entries {
        if global.json {
            writeln!(out, "{}", crate::json::entry(entry)).map_err(write_error(Path::new("stdout")))?;
            continue;
        }
        // A line no parser understood is shown as the server sent it.
        let line = match entry.kind {
            EntryKind::Unparsed => entry.raw.clone(),
            _ if long => long_line(entry),
            _ => entry.name.clone(),
        };
        writeln!(out, "{}", visible(&line)).map_err(write_error(Path::new("stdout")))?;
    }
    out.flush().map_err(write_error(Path::new("stdout")))?;
    sessions.close(global)
}

/// `drwxr-xr-x        4096 2026-11-25T16:57:00Z name -> target`.
fn long_line(e: &Entry) -> String {
    let kind = match e.kind {
        EntryKind::Directory => 'd',
        EntryKind::Link => 'l',
        EntryKind::File => '-',
        EntryKind::Other | EntryKind::Unparsed => '?',
    };
    let mode = e.unix_mode.map_or_else(|| "?????????".to_string(), rwx);
    let size = e.size.map_or_else(|| "-".to_string(), |s| s.to_string());
    let time = e.modified.map_or_else(
        || "-".to_string(),
        |t| humantime::format_rfc3339_seconds(SystemTime::from(t)).to_string(),
    );
    let link = e.link_target.as_ref().map(|t| format!(" -> {t}")).unwrap_or_default();
    format!("{kind}{mode} {size:>12} {time:<20} {}{link}", e.name)
}

fn rwx(mode: u32) -> String {
    (0..9)
        .map(|i| {
            let bit = 0o400 >> i;
            match (mode & bit != 0, i % 3) {
                (false, _) => '-',
                (true, 0) => 'r',
                (true, 1) => 'w',
                (true, _) => 'x',
            }
        })
        .collect()
}
