//! `ftp://` and `ftps://` URLs (RFC 1738 §3.2, as curl reads them):
//! `ftp://[user[:password]@]host[:port][/path][;type=a|i]`.

use crate::options::{IntoOptions, Options, Tls};
use crate::{Error, Result};
use percent_encoding::percent_decode_str;
use std::str::FromStr;

/// A parsed FTP URL: how to connect, and the path it names.
#[derive(Debug, Clone, PartialEq)]
pub struct FtpUrl {
    pub options: Options,
    /// The path, percent-decoded, relative to the login directory as in
    /// RFC 1738 (`ftp://host/dir/file` is `dir/file`); `%2F` at its start
    /// makes it absolute (`ftp://host/%2Fetc/motd` is `/etc/motd`). Empty
    /// when the URL names no path.
    pub path: String,
    /// `;type=a` asked for an ASCII transfer (`;type=i`, the default, binary).
    pub ascii: bool,
}

impl FromStr for FtpUrl {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        // Messages show the URL without its password.
        if !text.contains("://") {
            let guess = redact(&format!("ftp://{text}"));
            let given = guess.trim_start_matches("ftp://");
            return Err(Error::Url(format!("{given} is not a URL: did you mean {guess}?")));
        }
        let s = &redact(text);
        let url = url::Url::parse(text).map_err(|e| Error::Url(format!("{s}: {e}")))?;
        let (tls, default_port) = match url.scheme() {
            "ftp" => (None, 21),
            "ftps" => (Some(Tls::implicit()), 990),
            other => return Err(Error::Url(format!("{s}: the scheme must be ftp or ftps, not {other}"))),
        };
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::Url(format!("{s}: FTP URLs take no query or fragment")));
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) if !d.is_empty() => d.to_string(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            _ => return Err(Error::Url(format!("{s}: no host"))),
        };
        let mut options = Options::new(host).port(url.port().unwrap_or(default_port));
        options.tls = tls;
        if !url.username().is_empty() {
            options.user = Some(decode(url.username())?);
        }
        options.password = url
            .password()
            .map(|p| decode(p).map_err(|_| Error::Url(format!("{s}: the password's percent-encoding is not UTF-8"))))
            .transpose()?;

        let raw = url.path().strip_prefix('/').unwrap_or(url.path());
        let (raw, ascii) = match raw.rsplit_once(";type=") {
            Some((p, "a" | "A")) => (p, true),
            Some((p, "i" | "I")) => (p, false),
            Some((_, t)) => return Err(Error::Url(format!("{s}: unknown ;type={t} (a or i)"))),
            None => (raw, false),
        };
        Ok(FtpUrl {
            options,
            path: decode(raw)?,
            ascii,
        })
    }
}

/// The URL with any password in it replaced by `****`, for messages and
/// logs: `ftp://bob:hunter2@host/` becomes `ftp://bob:****@host/`. Text that
/// is no URL at all is returned as it is.
pub fn redact(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let authority_end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    let Some(at) = url[start..authority_end].rfind('@').map(|i| start + i) else {
        return url.to_string();
    };
    match url[start..at].find(':').map(|i| start + i) {
        Some(colon) => format!("{}:****{}", &url[..colon], &url[at..]),
        None => url.to_string(),
    }
}

pub(crate) fn decode(s: &str) -> Result<String> {
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| Error::Url(format!("{s}: percent-encoding that is not UTF-8")))
}

impl IntoOptions for &str {
    fn into_options(self) -> Result<Options> {
        Ok(self.parse::<FtpUrl>()?.options)
    }
}

impl IntoOptions for &String {
    fn into_options(self) -> Result<Options> {
        self.as_str().into_options()
    }
}

impl IntoOptions for FtpUrl {
    fn into_options(self) -> Result<Options> {
        Ok(self.options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("ftp://bob:hunter2@h:21/x"), "ftp://bob:****@h:21/x");
        assert_eq!(redact("ftp://b:p@ss@h/x@y"), "ftp://b:****@h/x@y");
        assert_eq!(redact("ftp://bob@h/x"), "ftp://bob@h/x");
        assert_eq!(redact("ftp://h/a:b@c"), "ftp://h/a:b@c");
        assert_eq!(redact("not a url"), "not a url");
        for bad in [
            "ftp://u:secret@127.0.0.1:99999/x",
            "ftp://u:secret@h/x?q",
            "http://u:secret@h/x",
            "ftp://u:secret%ff@h/x",
            "ftp://u:secret@h/x;type=z",
        ] {
            let e = bad.parse::<FtpUrl>().unwrap_err().to_string();
            assert!(!e.contains("secret"), "{e}");
            assert!(e.contains("****"), "{e}");
        }
        let o: Options = "ftp://u:secret@h/".parse::<FtpUrl>().unwrap().options;
        assert!(!format!("{o:?}").contains("secret"));
    }

    fn parse(s: &str) -> FtpUrl {
        s.parse().unwrap()
    }

    #[test]
    fn reads_every_part() {
        let u = parse("ftp://alice:p%40ss%3Aword@files.example.com:2121/pub/a%20b.txt");
        assert_eq!(u.options.host, "files.example.com");
        assert_eq!(u.options.port, 2121);
        assert_eq!(u.options.user.as_deref(), Some("alice"));
        assert_eq!(u.options.password.as_deref(), Some("p@ss:word"));
        assert_eq!(u.options.tls, None);
        assert_eq!(u.path, "pub/a b.txt");
        assert!(!u.ascii);
    }

    #[test]
    fn defaults_ports_and_anonymous() {
        let u = parse("ftp://example.com");
        assert_eq!(
            (u.options.port, u.options.user.clone(), u.path.as_str()),
            (21, None, "")
        );
        let u = parse("ftps://example.com/");
        assert_eq!(u.options.port, 990);
        assert_eq!(u.options.tls, Some(Tls::implicit()));
        assert_eq!(u.path, "");
    }

    #[test]
    fn addresses_and_absolute_paths() {
        let u = parse("ftp://[::1]:21/%2Fetc/motd");
        assert_eq!(u.options.host, "::1");
        assert_eq!(u.path, "/etc/motd");
        assert_eq!(parse("ftp://127.0.0.1/dir/").path, "dir/");
    }

    #[test]
    fn type_code() {
        let u = parse("ftp://h/readme.txt;type=a");
        assert_eq!((u.path.as_str(), u.ascii), ("readme.txt", true));
        assert!(!parse("ftp://h/x;type=i").ascii);
        assert!("ftp://h/x;type=e".parse::<FtpUrl>().is_err());
    }

    #[test]
    fn refuses_what_is_not_an_ftp_url() {
        for bad in [
            "http://example.com/",
            "ftp://",
            "ftp://:21/",
            "ftp://h/x?y=1",
            "ftp://h/x#frag",
            "not a url",
            "ftp://h/%FF",
            "ftp://h:99999/",
        ] {
            assert!(matches!(bad.parse::<FtpUrl>(), Err(Error::Url(_))), "{bad}");
        }
    }

    #[test]
    fn a_url_without_a_scheme_gets_a_suggestion() {
        match "user:secret@files.example.com/x".parse::<FtpUrl>() {
            Err(Error::Url(m)) => assert_eq!(
                m,
                "user:****@files.example.com/x is not a URL: did you mean ftp://user:****@files.example.com/x?"
            ),
            other => panic!("{other:?}"),
        }
    }
}
