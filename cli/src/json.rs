//! `--json`: one JSON object per line on stdout, for programs. Every record
//! has a `type`; the fields of each are listed in docs/cli.md.

use crate::failure::Failure;
use ftp_host::tree::{Action, Outcome, Plan, Report, Skipped, Why};
use ftp_host::{Entry, EntryKind, FileDone, Timestamp};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

/// Prints one record as a line.
pub fn print(record: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{record}");
}

fn time(t: Timestamp) -> String {
    humantime::format_rfc3339_seconds(SystemTime::from(t)).to_string()
}

fn kind(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "file",
        EntryKind::Directory => "dir",
        EntryKind::Link => "link",
        EntryKind::Other => "other",
        EntryKind::Unparsed => "unparsed",
    }
}

/// Leaves out the fields that are null, so a record holds what is known.
fn known(record: Value) -> Value {
    match record {
        Value::Object(map) => Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect::<Map<_, _>>()),
        other => other,
    }
}

/// `ls`: one listed entry.
pub fn entry(e: &Entry) -> Value {
    known(json!({
        "type": "entry",
        "name": e.name,
        "kind": kind(e.kind),
        "size": e.size,
        "modified": e.modified.map(time),
        "mode": e.unix_mode,
        "permissions": e.permissions,
        "link": e.link_target,
        "facts": (!e.facts.is_empty()).then(|| {
            e.facts.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect::<Map<_, _>>()
        }),
        "raw": e.raw,
    }))
}

/// `get`/`put`: how one file went.
pub fn file_result(verb: &str, remote: &str, local: Option<&Path>, done: &FileDone) -> Value {
    known(json!({
        "type": "result",
        "action": verb,
        "path": remote,
        "local": local.map(|p| p.display().to_string()),
        "outcome": "done",
        "size": done.size,
        "resumed_from": done.resumed_from,
        "already_complete": done.already_complete,
        "size_checked": done.size_checked,
    }))
}

fn action_name(action: &Action, up: bool) -> &'static str {
    match action {
        Action::MakeDir(_) => "mkdir",
        Action::Copy { .. } if up => "send",
        Action::Copy { .. } => "fetch",
        Action::Delete { .. } => "delete",
        Action::Conflict(_) => "conflict",
    }
}

pub fn why(why: Why) -> &'static str {
    match why {
        Why::Missing => "missing",
        Why::SizeDiffers => "size-differs",
        Why::Newer => "newer",
    }
}

/// A mirror's plan: one record per action, then one per skipped entry.
pub fn plan(plan: &Plan) -> Vec<Value> {
    let up = plan.direction == ftp_host::tree::Direction::Up;
    let actions = plan.actions.iter().map(|action| {
        let (size, reason) = match action {
            Action::Copy { item, why: w } => (item.size, Some(why(*w))),
            _ => (None, None),
        };
        known(json!({
            "type": "plan",
            "action": action_name(action, up),
            "path": action.path(),
            "size": size,
            "why": reason,
            "dir": matches!(action, Action::Delete { dir: true, .. }).then_some(true),
        }))
    });
    actions.chain(plan.skipped.iter().map(skipped)).collect()
}

pub fn skipped(s: &Skipped) -> Value {
    json!({"type": "skipped", "path": s.path, "reason": s.reason.describe()})
}

/// A mirror's outcome: one record per action, then the summary.
pub fn report(report: &Report, seconds: f64) -> Vec<Value> {
    let up = report.plan.direction == ftp_host::tree::Direction::Up;
    let mut records: Vec<Value> = report
        .outcomes
        .iter()
        .map(|(action, outcome)| {
            let (outcome_name, size, error) = match outcome {
                Outcome::Done(size) => ("done", matches!(action, Action::Copy { .. }).then_some(*size), None),
                Outcome::LeftAlone => ("left-alone", None, None),
                Outcome::NotStarted => ("not-started", None, None),
                Outcome::Failed(e) => ("failed", None, Some(error_fields(&Failure::from_ref(e)))),
            };
            known(json!({
                "type": "result",
                "action": action_name(action, up),
                "path": action.path(),
                "outcome": outcome_name,
                "size": size,
                "error": error,
            }))
        })
        .collect();
    let (copied, bytes) = report.copied();
    records.push(json!({
        "type": "summary",
        "direction": report.plan.direction.name(),
        "copied": copied,
        "bytes": bytes,
        "up_to_date": report.plan.up_to_date,
        "dirs_made": report.dirs_made(),
        "deleted": report.deleted(),
        "conflicts": report.conflicts(),
        "failed": report.failures().count(),
        "skipped": report.plan.skipped.len(),
        "seconds": (seconds * 1000.0).round() / 1000.0,
    }));
    records
}

fn error_fields(f: &Failure) -> Value {
    known(json!({
        "exit": f.code,
        "kind": f.kind.map(|k| k.name()),
        "reply": f.reply_code(),
        "message": f.message,
    }))
}

/// The record a failed command prints last.
pub fn error(f: &Failure) -> Value {
    let mut record = error_fields(f);
    if let Value::Object(map) = &mut record {
        map.insert("type".into(), "error".into());
    }
    record
}
