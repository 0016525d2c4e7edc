//! Hostile listings: names that climb out of the tree (`x/..`, `../x`),
//! carry a slash or control characters, are refused by every recursive
//! operation on both data paths: reported by `walk`, never followed, and
//! `remove-tree` deletes nothing in a directory that lists one. And paths a
//! server would split at spaces are listed from inside, curl's way.

use crate::support::*;

/// An MLSD server whose `target` directory lists `entries` (one fact line
/// each) and whose `target/sub` lists `sub`; DELE and RMD succeed.
fn tree(entries: &'static str, sub: &'static str) -> impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static {
    move |line, ctx| {
        let (verb, arg) = line.split_once(' ').unwrap_or((line, ""));
        match verb {
            "FEAT" => ctx.send("211-Features:\r\n MLST type*;size*;\r\n211 End\r\n"),
            "MLSD" => {
                ctx.send("150 listing\r\n");
                ctx.data_write(if arg.ends_with("/sub") { sub } else { entries }.as_bytes());
                ctx.data_close();
                ctx.send("226 done\r\n");
            }
            "DELE" | "RMD" => ctx.send("250 gone\r\n"),
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    }
}

/// Every DELE and RMD the server was sent.
fn deletions(server: &ScriptedServer) -> Vec<String> {
    server
        .commands()
        .into_iter()
        .filter(|c| c.starts_with("DELE") || c.starts_with("RMD"))
        .collect()
}

#[test]
fn remove_tree_refuses_a_name_that_climbs_out() {
    on_both_paths(
        Limits::quick(),
        || {
            tree(
                "type=file;size=1; a.txt\r\ntype=dir; x/..\r\ntype=file;size=1; ../precious\r\n",
                "",
            )
        },
        |d, server| {
            match d.remove_tree("/target") {
                Err(HostError::Protocol(m)) => assert!(m.contains("not one plain file name"), "{m}"),
                other => panic!("{:?}: {other:?}", d.path()),
            }
            assert_eq!(deletions(server), Vec::<String>::new(), "{:?}", d.path());
            in_step(d);
        },
    );
}

#[test]
fn remove_tree_refuses_control_characters_and_backslashes() {
    for entries in [
        "type=file;size=1; a\x1b[2Jb\r\n",
        "type=file;size=1; ..\\..\\win\r\n",
        "type=dir; .\\\r\n",
    ] {
        on_both_paths(
            Limits::quick(),
            || tree(entries, ""),
            |d, server| {
                assert!(
                    matches!(d.remove_tree("/target"), Err(HostError::Protocol(_))),
                    "{entries:?}"
                );
                assert!(deletions(server).is_empty(), "{entries:?}");
            },
        );
    }
}

/// A hostile name deeper down stops the removal there; nothing named by a
/// path outside `/target` is ever sent.
#[test]
fn remove_tree_never_reaches_outside_through_a_deeper_directory() {
    on_both_paths(
        Limits::quick(),
        || tree("type=dir; sub\r\n", "type=file;size=1; ok\r\ntype=dir; ../../etc\r\n"),
        |d, server| {
            assert!(matches!(d.remove_tree("/target"), Err(HostError::Protocol(_))));
            for c in deletions(server) {
                assert!(!c.contains(".."), "{:?}: {c}", d.path());
            }
        },
    );
}

#[test]
fn walk_reports_refused_names_and_does_not_follow_them() {
    on_both_paths(
        Limits::quick(),
        || {
            tree(
                "type=file;size=1; a.txt\r\ntype=dir; x/..\r\ntype=dir; sub\r\ntype=file;size=2; b\x07.txt\r\n",
                "type=file;size=3; c\r\n",
            )
        },
        |d, server| {
            let walked = d.walk("/target").unwrap();
            let names: Vec<&str> = walked.entries.iter().map(|e| e.name.as_str()).collect();
            assert_eq!(names, ["a.txt", "sub", "sub/c"], "{:?}", d.path());
            let refused: Vec<&str> = walked.refused.iter().map(|e| e.name.as_str()).collect();
            assert_eq!(refused, ["b\x07.txt", "x/.."], "{:?}", d.path());
            let listed: Vec<String> = server
                .commands()
                .into_iter()
                .filter(|c| c.starts_with("MLSD"))
                .collect();
            assert_eq!(listed, ["MLSD /target", "MLSD /target/sub"]);
        },
    );
}

/// A LIST server: CWD into a directory, then LIST it bare, then back.
fn list_server(cwd_reply: &'static str, body: &'static str) -> impl FnMut(&str, &mut Ctx) -> Flow + Send + 'static {
    move |line, ctx| {
        let verb = line.split(' ').next().unwrap_or_default();
        match verb {
            "CWD" if line != "CWD /" => ctx.send(cwd_reply),
            "LIST" | "NLST" => {
                ctx.send("150 listing\r\n");
                ctx.data_write(body.as_bytes());
                ctx.data_close();
                ctx.send("226 done\r\n");
            }
            _ => return ordinary(line, ctx),
        }
        Flow::Next
    }
}

const ONE_FILE: &str = "-rw-r--r-- 1 u g 5 Jan  1  2024 a file.txt\r\n";

#[test]
fn a_path_with_spaces_is_listed_from_inside() {
    on_both_paths(
        Limits::quick(),
        || list_server("250 ok\r\n", ONE_FILE),
        |d, server| {
            let names: Vec<String> = d.list(Some("sub dir")).unwrap().into_iter().map(|e| e.name).collect();
            assert_eq!(names, ["a file.txt"]);
            let sent = server.commands();
            let tail: Vec<&str> = sent.iter().map(String::as_str).skip_while(|c| *c != "PWD").collect();
            assert!(
                tail.contains(&"CWD sub dir") && tail.contains(&"LIST") && tail.contains(&"CWD /"),
                "{sent:?}"
            );
        },
    );
}

#[test]
fn nlst_of_a_path_with_spaces_or_a_dash_is_listed_from_inside() {
    for path in ["sub dir", "-rf"] {
        on_both_paths(
            Limits::quick(),
            || list_server("250 ok\r\n", "a file.txt\r\n"),
            |d, server| {
                assert_eq!(d.nlst(Some(path)).unwrap(), ["a file.txt"]);
                assert!(server.commands().contains(&format!("CWD {path}")), "{path}");
                assert!(server.commands().contains(&"NLST".to_string()), "{path}");
            },
        );
    }
}

/// inetutils ftpd's way: CWD refuses a missing directory, LIST of it says so
/// inside a 226 listing. The refusal is the answer.
#[test]
fn a_missing_directory_is_an_error_even_when_list_says_so_as_data() {
    on_both_paths(
        Limits::quick(),
        || {
            list_server(
                "550 missing: No such file or directory.\r\n",
                "missing: No such file or directory\r\n",
            )
        },
        |d, _| {
            assert!(
                matches!(d.list(Some("missing")), Err(HostError::Permanent(r)) if r.code == 550),
                "{:?}",
                d.path()
            );
            in_step(d);
        },
    );
}

/// CWD refuses a file; LIST of the file itself is its one entry.
#[test]
fn a_file_is_listed_directly_when_cwd_refuses_it() {
    on_both_paths(
        Limits::quick(),
        || list_server("550 not a directory\r\n", ONE_FILE),
        |d, server| {
            assert_eq!(d.list(Some("a.txt")).unwrap().len(), 1, "{:?}", d.path());
            assert!(server.commands().contains(&"LIST a.txt".to_string()));
        },
    );
}

/// A name a server would split, refused by CWD, is never sent to LIST.
#[test]
fn a_spaced_path_cwd_refuses_is_not_sent_to_list() {
    on_both_paths(
        Limits::quick(),
        || list_server("550 no such directory\r\n", ONE_FILE),
        |d, server| {
            assert!(matches!(d.list(Some("no dir")), Err(HostError::Permanent(_))));
            assert!(
                !server.commands().iter().any(|c| c.starts_with("LIST")),
                "{:?}",
                d.path()
            );
        },
    );
}
