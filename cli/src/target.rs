//! What a URL on the command line means: the server, the path on it, and
//! the credentials and TLS settings that go with it.

use crate::args::{Encoding, Global};
use crate::failure::{read_error, Failure, Outcome};
use ftp_host::{FtpUrl, LowSpeed, NameEncoding, Options, RateLimit, Tls};
use netrc::Netrc;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

pub struct Target {
    pub options: Options,
    /// The path on the server, relative to the login directory unless it
    /// starts with `/`; empty for the login directory itself.
    pub path: String,
    /// `;type=a` in the URL.
    pub ascii: bool,
}

impl Target {
    pub fn parse(url: &str, global: &Global) -> Outcome<Self> {
        let FtpUrl {
            mut options,
            path,
            ascii,
        } = url.parse().map_err(|e| Failure::new(3, e))?;
        if let Some(user) = &global.user {
            let (user, password) = match user.split_once(':') {
                Some((u, p)) => (u, Some(p.to_string())),
                None => (user.as_str(), None),
            };
            options.user = Some(user.to_string());
            options.password = password;
        }
        if !global.no_netrc && options.password.is_none() {
            if let Some(netrc) = load_netrc(global.netrc_file.as_deref())? {
                fill_from_netrc(&mut options, &netrc);
            }
        }
        if let (Some(user), None, true) = (&options.user, &options.password, global.user.is_some()) {
            options.password = ask_password(user, &options.host)?;
        }
        if global.tls && options.tls.is_none() {
            options.tls = Some(Tls::explicit());
        }
        let scheme = if url.get(..6).is_some_and(|s| s.eq_ignore_ascii_case("ftps:/")) {
            "ftps"
        } else {
            "ftp"
        };
        options.proxy = crate::proxy::for_host(global, scheme, &options.host)?;
        if let Some(file) = &global.cacert {
            let pem = std::fs::read_to_string(file).map_err(read_error(file))?;
            let tls = options
                .tls
                .as_mut()
                .ok_or_else(|| Failure::usage("--cacert needs --tls or an ftps:// URL"))?;
            tls.ca_pem = Some(pem);
        }
        if let Some(file) = &global.cert {
            let chain = std::fs::read_to_string(file).map_err(read_error(file))?;
            let key = match &global.key {
                Some(key) => std::fs::read_to_string(key).map_err(read_error(key))?,
                None => chain.clone(),
            };
            let tls = options
                .tls
                .take()
                .ok_or_else(|| Failure::usage("--cert needs --tls or an ftps:// URL"))?;
            options.tls = Some(tls.client_identity(chain, key));
        }
        if let Some(seconds) = global.timeout {
            if seconds == 0 {
                return Err(Failure::usage("--timeout must be at least 1 second"));
            }
            options = options.timeout(Duration::from_secs(seconds));
        }
        if let Some(seconds) = global.max_time {
            if seconds == 0 {
                return Err(Failure::usage("--max-time must be at least 1 second"));
            }
            let limit = Duration::from_secs(seconds);
            options.transfer_timeout = Some(limit);
            for deadline in [&mut options.connect_timeout, &mut options.reply_timeout] {
                *deadline = Some(deadline.map_or(limit, |d| d.min(limit)));
            }
        }
        if let Some(bytes_per_second) = global.speed_limit {
            let window = Duration::from_secs(global.speed_time.unwrap_or(30).max(1));
            options.low_speed = Some(LowSpeed {
                bytes_per_second,
                window,
            });
        }
        options.trace = global.verbose;
        options.encoding = match global.encoding {
            Encoding::Utf8 => NameEncoding::Utf8,
            Encoding::Latin1 => NameEncoding::Latin1,
        };
        options.source_address = global.source_address;
        if let Some(seconds) = global.noop_interval {
            if seconds == 0 {
                return Err(Failure::usage("--noop-interval must be at least 1 second"));
            }
            options.keep_alive = Some(Duration::from_secs(seconds));
        }
        if global.ccc && options.tls.is_none() {
            return Err(Failure::usage("--ccc needs --tls or an ftps:// URL"));
        }
        if let Some((first, last)) = global.passive_ports {
            options.passive_ports = first..=last;
        }
        options.rate_limit = global.limit_rate.map(run_rate_limit);
        crate::failure::note_waits(&options);
        Ok(Self { options, path, ascii })
    }

    /// The path, or `None` for the login directory.
    pub fn dir(&self) -> Option<&str> {
        Some(self.path.as_str()).filter(|p| !p.is_empty())
    }
}

/// The run's one rate limit, which every session of every URL shares.
fn run_rate_limit(bytes_per_second: u64) -> RateLimit {
    static LIMIT: OnceLock<RateLimit> = OnceLock::new();
    LIMIT.get_or_init(|| RateLimit::new(bytes_per_second)).clone()
}

/// `--user NAME` with no password anywhere: asked for on the terminal
/// (once a run, as curl does), or none when there is no terminal to ask.
fn ask_password(user: &str, host: &str) -> Outcome<Option<String>> {
    static GIVEN: OnceLock<String> = OnceLock::new();
    if let Some(password) = GIVEN.get() {
        return Ok(Some(password.clone()));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let password = rpassword::prompt_password(format!("Password for {user} on {host}: "))
        .map_err(|e| Failure::new(2, format!("reading the password: {e}")))?;
    Ok(Some(GIVEN.get_or_init(|| password).clone()))
}

/// The named file, which must exist, or `$NETRC`/`~/.netrc` if there is one.
fn load_netrc(file: Option<&Path>) -> Outcome<Option<Netrc>> {
    let Some(path) = file.map(Path::to_path_buf).or_else(Netrc::get_file) else {
        return Ok(None);
    };
    Netrc::from_file(&path)
        .map(Some)
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}

/// The `machine` entry for the host (else `default`): its login and
/// password if the URL named no user, its password if it named the same one.
fn fill_from_netrc(options: &mut Options, netrc: &Netrc) {
    let Some(entry) = netrc.hosts.get(&options.host).or_else(|| netrc.hosts.get("default")) else {
        return;
    };
    match &options.user {
        None if !entry.login.is_empty() => options.user = Some(entry.login.clone()),
        Some(user) if *user == entry.login => {}
        _ => return,
    }
    options.password = Some(entry.password.clone());
    if !entry.account.is_empty() {
        options.account = Some(entry.account.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn netrc(text: &str) -> Netrc {
        text.parse().unwrap()
    }

    fn options(url: &str) -> Options {
        url.parse::<FtpUrl>().unwrap().options
    }

    #[test]
    fn netrc_supplies_what_the_url_lacks() {
        let n = netrc(
            "machine files.example login bob password hunter2 account acct\ndefault login anonymous password me@",
        );
        let mut o = options("ftp://files.example/");
        fill_from_netrc(&mut o, &n);
        assert_eq!(
            (o.user.as_deref(), o.password.as_deref()),
            (Some("bob"), Some("hunter2"))
        );
        assert_eq!(o.account.as_deref(), Some("acct"));

        let mut o = options("ftp://bob@files.example/");
        fill_from_netrc(&mut o, &n);
        assert_eq!(o.password.as_deref(), Some("hunter2"));

        let mut o = options("ftp://carol@files.example/");
        fill_from_netrc(&mut o, &n);
        assert_eq!(o.password, None, "another user's password is never sent");

        let mut o = options("ftp://elsewhere.example/");
        fill_from_netrc(&mut o, &n);
        assert_eq!(
            (o.user.as_deref(), o.password.as_deref()),
            (Some("anonymous"), Some("me@"))
        );
    }

    #[test]
    fn dirs() {
        let t = |path: &str| Target {
            options: Options::new("h"),
            path: path.into(),
            ascii: false,
        };
        assert_eq!(t("").dir(), None);
        assert_eq!(t("pub").dir(), Some("pub"));
    }
}
