//! Parsing of the passive-mode replies: 229 (EPSV, RFC 2428) and 227 (PASV),
//! and the PORT/EPRT that points a second server at the first one's passive
//! port for a server-to-server copy (the client itself never listens).

use super::ProtocolError;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// `PORT h1,h2,h3,h4,p1,p2` for IPv4 (RFC 959), `EPRT |2|addr|port|` for
/// IPv6 (RFC 2428): the verb and its argument.
pub fn port_command(to: SocketAddr) -> (&'static str, String) {
    match to.ip() {
        IpAddr::V4(ip) => {
            let [a, b, c, d] = ip.octets();
            let port = to.port();
            ("PORT", format!("{a},{b},{c},{d},{},{}", port >> 8, port & 0xff))
        }
        IpAddr::V6(ip) => ("EPRT", format!("|2|{ip}|{}|", to.port())),
    }
}

/// The port of a `229 Entering Extended Passive Mode (|||port|)` reply. The
/// delimiter is whatever character follows `(`, as RFC 2428 allows.
pub fn parse_epsv(text: &str) -> Result<u16, ProtocolError> {
    let bad = || ProtocolError::MalformedPassive {
        verb: "EPSV",
        text: text.to_string(),
    };
    let open = text.find('(').ok_or_else(bad)?;
    let inner = &text[open + 1..];
    let close = inner.find(')').ok_or_else(bad)?;
    let inner = &inner[..close];
    let delim = inner.chars().next().ok_or_else(bad)?;
    if delim.is_ascii_digit() || delim.is_whitespace() {
        return Err(bad());
    }
    let parts: Vec<&str> = inner.split(delim).collect();
    match parts.as_slice() {
        ["", "", "", digits, ""] if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            match digits.parse::<u16>() {
                Ok(port) if port != 0 => Ok(port),
                _ => Err(bad()),
            }
        }
        _ => Err(bad()),
    }
}

/// The address and port of a `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`
/// reply. Like ftplib, the six numbers are found anywhere in the text, with
/// or without parentheses.
pub fn parse_pasv(text: &str) -> Result<(Ipv4Addr, u16), ProtocolError> {
    let bad = || ProtocolError::MalformedPassive {
        verb: "PASV",
        text: text.to_string(),
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            if let Some(found) = six_numbers(&text[i..]) {
                let mut octets = [0u8; 6];
                for (slot, n) in octets.iter_mut().zip(found) {
                    *slot = u8::try_from(n).map_err(|_| bad())?;
                }
                let port = u16::from(octets[4]) << 8 | u16::from(octets[5]);
                if port == 0 {
                    return Err(bad());
                }
                let ip = Ipv4Addr::new(octets[0], octets[1], octets[2], octets[3]);
                return Ok((ip, port));
            }
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    Err(bad())
}

/// `n,n,n,n,n,n` at the start of `s` (each n at most 3 digits, so an overlong
/// number is rejected instead of wrapping).
fn six_numbers(s: &str) -> Option<[u32; 6]> {
    let mut out = [0u32; 6];
    let mut rest = s.as_bytes();
    for (k, slot) in out.iter_mut().enumerate() {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 3 {
            return None;
        }
        *slot = rest[..digits].iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'));
        rest = &rest[digits..];
        if k < 5 {
            rest = rest.strip_prefix(b",")?;
        } else if rest.first().is_some_and(u8::is_ascii_digit) {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_commands_round_trip_with_pasv() {
        let to: SocketAddr = "192.0.2.7:50001".parse().unwrap();
        let (verb, arg) = port_command(to);
        assert_eq!((verb, arg.as_str()), ("PORT", "192,0,2,7,195,81"));
        assert_eq!(parse_pasv(&arg).unwrap(), (Ipv4Addr::new(192, 0, 2, 7), 50001));
        let (verb, arg) = port_command("[2001:db8::1]:21000".parse().unwrap());
        assert_eq!((verb, arg.as_str()), ("EPRT", "|2|2001:db8::1|21000|"));
    }

    #[test]
    fn epsv_standard_and_other_delimiters() {
        assert_eq!(parse_epsv("Entering Extended Passive Mode (|||6446|)"), Ok(6446));
        assert_eq!(parse_epsv("EPSV ok (!!!65535!)"), Ok(65535));
    }

    #[test]
    fn epsv_malformed() {
        for bad in [
            "no parens",
            "(|||0|)",
            "(|||65536|)",
            "(||1|2|)",
            "(|||abc|)",
            "(|||+12|)",
            "(|||12|",
            "()",
            "(1112)",
            "(|||-1|)",
        ] {
            assert!(parse_epsv(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pasv_standard_and_unparenthesised() {
        assert_eq!(
            parse_pasv("Entering Passive Mode (127,0,0,1,195,80)."),
            Ok((Ipv4Addr::new(127, 0, 0, 1), 195 * 256 + 80))
        );
        assert_eq!(
            parse_pasv("Entering Passive Mode 10,1,2,3,4,5"),
            Ok((Ipv4Addr::new(10, 1, 2, 3), 1029))
        );
    }

    #[test]
    fn pasv_skips_leading_numbers() {
        assert_eq!(
            parse_pasv("227 mode 1 on (192,168,1,2,0,21)"),
            Ok((Ipv4Addr::new(192, 168, 1, 2), 21))
        );
    }

    #[test]
    fn pasv_malformed_or_out_of_range() {
        for bad in [
            "Entering Passive Mode",
            "(127,0,0,1,195)",
            "(256,0,0,1,1,1)",
            "(127,0,0,1,1,256)",
            "(127,0,0,1,0,0)",
            "(1270,0,0,1,1,1)",
            "(127,0,0,1,1,1000)",
        ] {
            assert!(parse_pasv(bad).is_err(), "{bad}");
        }
    }
}
