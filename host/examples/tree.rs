//! Print a directory tree with sizes, like `tree -s`, from one recursive
//! `walk`.
//!
//! `cargo run -p ftp-host --example tree -- ftp://host/pub/`; with no URL it
//! starts an in-process server holding a few files.

use ftp_host::{Client, EntryKind, FtpUrl};

pub fn run(url: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let url: FtpUrl = url.parse()?;
    let root = if url.path.is_empty() {
        ".".to_string()
    } else {
        url.path.clone()
    };
    let mut session = Client::new()?.connect(url)?;
    let mut lines = vec![root.clone()];
    let walked = session.walk(&root)?;
    for refused in &walked.refused {
        eprintln!("skipped {:?}: not a plain file name", refused.name);
    }
    let mut entries = walked.entries;
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    for entry in entries {
        let depth = entry.name.matches('/').count();
        let name = entry.name.rsplit('/').next().unwrap_or(&entry.name);
        let line = match entry.kind {
            EntryKind::Directory => format!("{}{name}/", "    ".repeat(depth + 1)),
            _ => format!("{}{name} ({} bytes)", "    ".repeat(depth + 1), entry.size.unwrap_or(0)),
        };
        lines.push(line);
    }
    session.quit()?;
    for line in &lines {
        println!("{line}");
    }
    Ok(lines)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::args().nth(1) {
        Some(url) => run(&url).map(drop),
        None => {
            let server = ftp_test_server::TestServer::start()?;
            std::fs::create_dir_all(server.root().join("docs/guides"))?;
            std::fs::write(server.root().join("docs/readme.txt"), "read me")?;
            std::fs::write(server.root().join("docs/guides/ftp.md"), "# FTP")?;
            run(&server.url("/")).map(drop)
        }
    }
}
