//! `get --retry` and `put --retry`: a file whose transfer failed on a
//! transient error is tried again and taken up where it stopped: a
//! download from the bytes its last try kept (REST, where FEAT says REST
//! STREAM), an upload from the server's SIZE (APPE) once the server had
//! taken data. A failed run leaves no temporary file.

mod common;

use common::{bytes, Env};
use host_tests::scripted::{ordinary, Ctx, Flow, ScriptedServer};
use std::sync::{Arc, Mutex};

const FEAT: &str = "211-Features:\r\n REST STREAM\r\n SIZE\r\n211 End\r\n";

/// A server whose first RETR sends `cut` bytes then fails with 426; REST
/// is honoured.
fn cutting_server(data: Vec<u8>, cut: usize, cuts: usize) -> ScriptedServer {
    let mut left = cuts;
    let mut rest = 0;
    ScriptedServer::start(b"220 scripted\r\n", move |line, ctx: &mut Ctx| {
        match line {
            "FEAT" => ctx.send(FEAT),
            l if l.starts_with("SIZE") => ctx.send(format!("213 {}\r\n", data.len())),
            l if l.starts_with("REST ") => {
                rest = l[5..].parse().unwrap();
                ctx.send("350 restarting\r\n");
            }
            l if l.starts_with("RETR") && left > 0 => {
                left -= 1;
                ctx.send("150 here it comes\r\n");
                ctx.data_write(&data[rest..cut.max(rest)]);
                ctx.data_close();
                ctx.send("426 connection lost, transfer aborted\r\n");
                rest = 0;
            }
            l if l.starts_with("RETR") => {
                ctx.transfer(&data[rest..]);
                rest = 0;
            }
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    })
}

fn partials(env: &Env) -> usize {
    std::fs::read_dir(env.home_dir())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".wftp-"))
        .count()
}

#[test]
fn a_download_cut_short_is_taken_up_where_it_stopped() {
    let data = bytes(100_000, 7);
    let server = cutting_server(data.clone(), 60_000, 1);
    let env = Env::new();
    let url = format!("ftp://u:p@{}/big.bin", server.addr());
    env.ok(&["get", "--retry", "2", &url, "big.bin"]);
    assert_eq!(std::fs::read(env.path("big.bin")).unwrap(), data);
    let rests: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("REST"))
        .collect();
    assert_eq!(rests, ["REST 60000"]);
    assert_eq!(partials(&env), 0);

    // Without --retry the run fails (75) and leaves nothing behind.
    let server = cutting_server(data, 60_000, 1);
    let url = format!("ftp://u:p@{}/other.bin", server.addr());
    env.fails(&["get", &url, "other.bin"], 75);
    assert!(!env.path("other.bin").exists());
    assert_eq!(partials(&env), 0);
}

#[test]
fn an_upload_the_server_failed_is_finished_by_appending() {
    let data = bytes(100_000, 8);
    let held = Arc::new(Mutex::new(Vec::new()));
    let on_server = held.clone();
    let mut failed = false;
    let server = ScriptedServer::start(b"220 scripted\r\n", move |line, ctx: &mut Ctx| {
        let mut stored = on_server.lock().unwrap();
        match line {
            "FEAT" => ctx.send(FEAT),
            "SIZE up.bin" if stored.is_empty() => ctx.send("550 no such file\r\n"),
            "SIZE up.bin" => ctx.send(format!("213 {}\r\n", stored.len())),
            "STOR up.bin" => {
                ctx.send("150 send it\r\n");
                *stored = ctx.data_read_all();
                if !failed {
                    failed = true;
                    stored.truncate(30_000);
                    ctx.send("451 local error: disk hiccup\r\n");
                } else {
                    ctx.send("226 stored\r\n");
                }
            }
            "APPE up.bin" => {
                ctx.send("150 send the rest\r\n");
                let more = ctx.data_read_all();
                stored.extend_from_slice(&more);
                ctx.send("226 appended\r\n");
            }
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    });
    let env = Env::new();
    std::fs::write(env.path("up.bin"), &data).unwrap();
    env.ok(&[
        "put",
        "--retry",
        "1",
        "up.bin",
        &format!("ftp://u:p@{}/up.bin", server.addr()),
    ]);
    assert_eq!(*held.lock().unwrap(), data);
    assert!(
        server.commands().iter().any(|c| c == "APPE up.bin"),
        "{:?}",
        server.commands()
    );
}
