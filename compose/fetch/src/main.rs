//! `ftp-fetch HOST PORT PATH [USER PASSWORD]`: lists PATH's directory on
//! stderr and writes the file to stdout. It has no FTP code of its own: it
//! imports `wftp:client/client`, which `wac plug` fills with the ftp-client
//! component, so the composed command runs anywhere `wasi:cli` and
//! `wasi:sockets` do (`wasmtime run -S inherit-network ...`).

wit_bindgen::generate!({
    path: "../../wit",
    world: "wftp:client/imports",
    // wasi:tls (imported by another world of the package) is
    // `@unstable(feature = tls)`; the package must parse.
    features: ["tls"],
    // The data stream the client hands over is the `wasi` crate's type.
    with: {
        "wasi:io/error@0.2.12": wasi::io::error,
        "wasi:io/poll@0.2.12": wasi::io::poll,
        "wasi:io/streams@0.2.12": wasi::io::streams,
    },
});

use std::io::Write;
use std::process::ExitCode;
use wasi::io::streams::StreamError;
use wftp::client::client::{Retrieve, Session};
use wftp::client::types::{ConnectOptions, EntryKind, Error};

fn describe(e: &Error) -> String {
    match e {
        Error::Transient(r) | Error::Permanent(r) | Error::Unexpected(r) => format!("{} {}", r.code, r.text),
        other => format!("{other:?}"),
    }
}

/// Copies the download to stdout: from the data connection's own stream
/// where the client hands it over, else chunk by chunk through the client.
fn copy_out(download: &Retrieve) -> Result<u64, String> {
    let mut out = std::io::stdout().lock();
    let mut total = 0u64;
    match download.data_stream() {
        Ok(stream) => loop {
            match stream.blocking_read(1 << 16) {
                Ok(bytes) => {
                    out.write_all(&bytes).map_err(|e| e.to_string())?;
                    total += bytes.len() as u64;
                    // The transfer holds the stream to its deadlines and
                    // to the size the server announced.
                    download.progress(bytes.len() as u64).map_err(|e| describe(&e))?;
                }
                Err(StreamError::Closed) => break,
                Err(StreamError::LastOperationFailed(e)) => return Err(e.to_debug_string()),
            }
        },
        Err(Error::InvalidInput(_)) => {
            while let Some(bytes) = download.read(1 << 16).map_err(|e| describe(&e))? {
                out.write_all(&bytes).map_err(|e| e.to_string())?;
                total += bytes.len() as u64;
            }
        }
        Err(e) => return Err(describe(&e)),
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(total)
}

fn run(args: &[String]) -> Result<(), String> {
    let [host, port, path, login @ ..] = args else {
        return Err("usage: ftp-fetch HOST PORT PATH [USER PASSWORD]".into());
    };
    let port: u16 = port.parse().map_err(|_| format!("bad port {port}"))?;
    let options = ConnectOptions {
        connect_timeout_ms: Some(10_000),
        reply_timeout_ms: Some(10_000),
        data_timeout_ms: Some(10_000),
        transfer_timeout_ms: None,
        low_speed: None,
        trust_pasv_host: false,
        max_line_length: None,
        tls: None,
        encoding: None,
        source_address: None,
        keep_alive_ms: None,
        proxy: None,
    };
    let session = Session::connect(host, port, &options).map_err(|e| describe(&e))?;
    eprintln!("{} {}", session.welcome().code, session.welcome().text);
    let (user, password) = match login {
        [user, password] => (Some(user.as_str()), Some(password.as_str())),
        _ => (None, None),
    };
    session.login(user, password, None).map_err(|e| describe(&e))?;

    let dir = path.rsplit_once('/').map(|(d, _)| d).filter(|d| !d.is_empty());
    for entry in session.list(dir).map_err(|e| describe(&e))? {
        let kind = if entry.kind == EntryKind::Directory {
            "dir "
        } else {
            "file"
        };
        eprintln!("{kind} {:>10} {}", entry.size.unwrap_or(0), entry.name);
    }
    let download = session.retrieve(path, 0).map_err(|e| describe(&e))?;
    let total = copy_out(&download)?;
    let reply = download.finish().map_err(|e| describe(&e))?;
    eprintln!("{} {} ({total} bytes)", reply.code, reply.text);
    drop(download);
    session.quit().map_err(|e| describe(&e))?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ftp-fetch: {e}");
            ExitCode::FAILURE
        }
    }
}
