//! Which proxy a URL goes through, as curl decides it: `--proxy`, else
//! the scheme's variable (`ftp_proxy`, `ftps_proxy`, either case), else
//! `all_proxy`/`ALL_PROXY`; none for a host `--noproxy` (or `no_proxy`/
//! `NO_PROXY`) names: a comma-separated list of names, each matching the
//! host or a name below it, or `*` for every host.

use crate::args::Global;
use crate::failure::{Failure, Outcome};
use ftp_host::Proxy;

/// The proxy for `host`, reached by a URL of `scheme`, if any.
pub fn for_host(global: &Global, scheme: &str, host: &str) -> Outcome<Option<Proxy>> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let no_proxy = global
        .noproxy
        .clone()
        .or_else(|| env("no_proxy"))
        .or_else(|| env("NO_PROXY"));
    if no_proxy.is_some_and(|list| exempt(&list, host)) {
        return Ok(None);
    }
    let lower = format!("{scheme}_proxy");
    let url = global
        .proxy
        .clone()
        .or_else(|| env(&lower))
        .or_else(|| env(&lower.to_ascii_uppercase()))
        .or_else(|| env("all_proxy"))
        .or_else(|| env("ALL_PROXY"));
    match url {
        // An empty --proxy "" means none, as in curl.
        Some(url) if !url.is_empty() => Proxy::from_url(&url).map(Some).map_err(Failure::usage),
        _ => Ok(None),
    }
}

/// Whether `list` (`*`, or names separated by commas) exempts `host`.
fn exempt(list: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    list.split(',').map(str::trim).filter(|n| !n.is_empty()).any(|name| {
        let name = name.trim_start_matches('.').to_ascii_lowercase();
        name == "*" || host == name || host.ends_with(&format!(".{name}"))
    })
}

#[cfg(test)]
mod tests {
    use super::exempt;

    #[test]
    fn no_proxy_matches_names_and_what_is_below_them() {
        assert!(exempt("*", "anything"));
        assert!(exempt("example.com", "example.com"));
        assert!(exempt("example.com", "ftp.example.com"));
        assert!(exempt("localhost, .example.com", "FTP.Example.com"));
        assert!(exempt("127.0.0.1", "127.0.0.1"));
        assert!(exempt("::1", "[::1]"));
        assert!(!exempt("example.com", "notexample.com"));
        assert!(!exempt("", "example.com"));
    }
}
