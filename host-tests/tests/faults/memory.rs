//! A listing small enough to arrive but whose parsed entries would not fit
//! the instance's memory: a typed error before parsing, not a trap halfway
//! (the memory the entries need is reserved, and given back, first).

use crate::support::*;

#[test]
fn a_listing_whose_entries_exceed_memory_is_a_typed_error() {
    let limits = Limits {
        memory: 40 << 20,
        reply_ms: 5_000,
        data_ms: 5_000,
        ..Limits::quick()
    };
    on_both_paths(
        limits,
        || {
            |line: &str, ctx: &mut Ctx| {
                if line.starts_with("LIST") {
                    ctx.send("150 listing\r\n");
                    let mut body = Vec::new();
                    for i in 0..280_000 {
                        body.extend_from_slice(format!("-rw-r--r-- 1 u g 1 Jan  1  2024 n{i:07}\r\n").as_bytes());
                    }
                    ctx.data_write(&body);
                    ctx.data_close();
                    ctx.send("226 done\r\n");
                    Flow::Next
                } else {
                    ordinary(line, ctx)
                }
            }
        },
        |d, _| {
            match d.list(None) {
                Err(HostError::Protocol(m)) => assert!(m.contains("memory"), "{m}"),
                other => panic!("{:?}: {:?}", d.path(), other.map(|v| v.len())),
            }
            in_step(d);
            // A listing that fits is still parsed on the same instance.
        },
    );
}
