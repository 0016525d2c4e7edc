//! Mirror a directory both ways over a pool of sessions, with progress.
//!
//! `cargo run -p ftp-host --example mirror -- ftp://host/pub/ DIR` makes DIR
//! a copy of the server's directory (four sessions, three retries, a line
//! per file); with no arguments it does so against an in-process server,
//! then sends a changed tree back up with deletions, after a dry run.

use ftp_host::tree::{Action, Mirror, Report, Rules};
use ftp_host::{Client, Event, FtpUrl, Pool, Totals};
use std::path::Path;

/// A pool of four sessions to the URL's server, and the directory it names.
fn pool(url: &str) -> Result<(Pool, String), Box<dyn std::error::Error>> {
    let url: FtpUrl = url.parse()?;
    Ok((Pool::new(&Client::new()?, url.options, 4), url.path))
}

/// Prints each file as it lands, with the run's totals.
fn show(event: &Event, totals: &Totals) {
    if let Event::Finished { path, result } = event {
        let done = match result {
            Ok(size) => format!("{size} bytes"),
            Err(e) => format!("failed: {e}"),
        };
        println!("{path}: {done} ({}/{} files)", totals.files_done, totals.files_total);
    }
}

/// The server's directory into `dir`.
pub fn download(url: &str, dir: &Path) -> Result<Report, Box<dyn std::error::Error>> {
    let (pool, remote) = pool(url)?;
    Ok(pool.job().observe(show).retries(3).download_tree(&remote, dir)?)
}

/// `dir` onto the server, deleting there what `dir` no longer has: first
/// the plan, then the run.
pub fn upload_with_delete(dir: &Path, url: &str) -> Result<(Vec<Action>, Report), Box<dyn std::error::Error>> {
    let (pool, remote) = pool(url)?;
    let mut rules = Rules::default().exclude("*.tmp")?;
    rules.delete = true;
    let mirror = Mirror::up(dir, &remote).rules(rules);
    let job = pool.job().observe(show);
    let plan = job.plan(&mirror)?.actions;
    Ok((plan, job.mirror(&mirror)?))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [url, dir] = args.as_slice() {
        let report = download(url, Path::new(dir))?;
        println!("{:?} copied", report.copied());
        return Ok(());
    }
    let server = ftp_test_server::TestServer::start()?;
    std::fs::create_dir_all(server.root().join("site/docs"))?;
    std::fs::write(server.root().join("site/docs/readme.txt"), "read me")?;
    std::fs::write(server.root().join("site/index.html"), "<h1>hi</h1>")?;
    let local = tempfile::tempdir()?;
    download(&server.url("/site/"), local.path())?;
    std::fs::remove_file(local.path().join("index.html"))?;
    std::fs::write(local.path().join("docs/new.txt"), "new")?;
    let (plan, _) = upload_with_delete(local.path(), &server.url("/site/"))?;
    println!("{plan:?}");
    Ok(())
}
