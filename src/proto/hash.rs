//! File digests a server computes (draft-bryan-ftpext-hash's `HASH`, and
//! the older `XSHA256`, `XSHA512`, `XSHA1`, `XMD5`, `XCRC`): which the
//! server offers, which to ask for, and what its replies say.

use super::ProtocolError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Sha256,
    Sha512,
    Sha1,
    Md5,
    Crc32,
}

/// Best first: the order an algorithm is picked in when the caller names
/// none.
pub const PREFERENCE: [Algorithm; 5] = [
    Algorithm::Sha256,
    Algorithm::Sha512,
    Algorithm::Sha1,
    Algorithm::Md5,
    Algorithm::Crc32,
];

impl Algorithm {
    /// The name HASH and `OPTS HASH` use.
    pub fn hash_name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha512 => "SHA-512",
            Algorithm::Sha1 => "SHA-1",
            Algorithm::Md5 => "MD5",
            Algorithm::Crc32 => "CRC32",
        }
    }

    /// The older command that computes it.
    pub fn x_command(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "XSHA256",
            Algorithm::Sha512 => "XSHA512",
            Algorithm::Sha1 => "XSHA1",
            Algorithm::Md5 => "XMD5",
            Algorithm::Crc32 => "XCRC",
        }
    }

    /// Hex digits in a digest.
    fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
            Algorithm::Sha1 => 40,
            Algorithm::Md5 => 32,
            Algorithm::Crc32 => 8,
        }
    }

    /// The algorithm HASH and `OPTS HASH` call `name`.
    pub fn from_hash_name(name: &str) -> Option<Self> {
        PREFERENCE
            .into_iter()
            .find(|a| a.hash_name().eq_ignore_ascii_case(name))
    }
}

/// What FEAT's `HASH CRC32;MD5;SHA-1*;SHA-256;` offers, and the one
/// selected now (marked `*`). Unknown names are left out.
pub fn hash_feature(params: &str) -> (Vec<Algorithm>, Option<Algorithm>) {
    let mut offered = Vec::new();
    let mut selected = None;
    for name in params.split(';').map(str::trim).filter(|n| !n.is_empty()) {
        let (name, star) = match name.strip_suffix('*') {
            Some(name) => (name, true),
            None => (name, false),
        };
        if let Some(algorithm) = Algorithm::from_hash_name(name) {
            offered.push(algorithm);
            if star {
                selected = Some(algorithm);
            }
        }
    }
    (offered, selected)
}

/// `wanted` if offered, else the best offered when nothing was wanted.
pub fn choose(offered: &[Algorithm], wanted: Option<Algorithm>) -> Option<Algorithm> {
    match wanted {
        Some(w) => offered.contains(&w).then_some(w),
        None => PREFERENCE.into_iter().find(|a| offered.contains(a)),
    }
}

/// A digest in lower-case hex, checked against the algorithm's length
/// (a CRC may come without its leading zeros).
fn digest(word: &str, algorithm: Algorithm) -> Option<String> {
    let hex = word.bytes().all(|b| b.is_ascii_hexdigit());
    let len = word.len();
    let fits = len == algorithm.hex_len() || (algorithm == Algorithm::Crc32 && (1..8).contains(&len));
    (hex && fits).then(|| format!("{:0>width$}", word.to_ascii_lowercase(), width = algorithm.hex_len()))
}

/// A 213 reply to HASH: its last line is `SHA-256 0-49 <hex> <path>`.
pub fn parse_hash(text: &str) -> Result<(Algorithm, String), ProtocolError> {
    let bad = || ProtocolError::MalformedValue {
        verb: "HASH",
        text: text.to_string(),
    };
    let last = text.lines().last().ok_or_else(bad)?;
    let mut words = last.split_whitespace();
    let algorithm = words.next().and_then(Algorithm::from_hash_name).ok_or_else(bad)?;
    let _range = words.next().ok_or_else(bad)?;
    let hex = words.next().and_then(|w| digest(w, algorithm)).ok_or_else(bad)?;
    Ok((algorithm, hex))
}

/// A reply to XSHA256 and its kin: the digest is the first word of the
/// last line (some servers add the path after it).
pub fn parse_x_digest(text: &str, algorithm: Algorithm) -> Result<String, ProtocolError> {
    text.lines()
        .last()
        .and_then(|line| line.split_whitespace().next())
        .and_then(|word| digest(word, algorithm))
        .ok_or_else(|| ProtocolError::MalformedValue {
            verb: algorithm.x_command(),
            text: text.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feat_lists_the_offered_and_the_selected() {
        let (offered, selected) = hash_feature("CRC32;MD5;SHA-1*;SHA-256;SHA-512;");
        assert_eq!(
            offered,
            [
                Algorithm::Crc32,
                Algorithm::Md5,
                Algorithm::Sha1,
                Algorithm::Sha256,
                Algorithm::Sha512
            ]
        );
        assert_eq!(selected, Some(Algorithm::Sha1));
        assert_eq!(hash_feature("BLAKE3;sha-256*").1, Some(Algorithm::Sha256));
        assert_eq!(choose(&offered, None), Some(Algorithm::Sha256));
        assert_eq!(choose(&offered, Some(Algorithm::Md5)), Some(Algorithm::Md5));
        assert_eq!(choose(&[Algorithm::Md5], Some(Algorithm::Sha256)), None);
    }

    #[test]
    fn replies_as_proftpd_sends_them() {
        let hash = "Computing SHA-1 digest\nSHA-1 0-12 22596363b3de40b06f981fb85d82312e8c0ed511 hashme.bin";
        assert_eq!(
            parse_hash(hash).unwrap(),
            (Algorithm::Sha1, "22596363b3de40b06f981fb85d82312e8c0ed511".into())
        );
        let x = "Computing SHA256 digest\nA948904F2F0F479B8F8197694B30184B0D2ED1C1CD2A1EC0FB85D299A192A447";
        assert_eq!(
            parse_x_digest(x, Algorithm::Sha256).unwrap(),
            "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
        );
        assert_eq!(
            parse_x_digest("Computing CRC32 digest\nAF083B2D", Algorithm::Crc32).unwrap(),
            "af083b2d"
        );
        assert_eq!(parse_x_digest("83B2D file.bin", Algorithm::Crc32).unwrap(), "00083b2d");
    }

    #[test]
    fn wrong_lengths_and_garbage_are_refused() {
        for bad in [
            "",
            "SHA-1 0-12",
            "SHA-1 0-12 xyz f",
            "MD9 0-1 abcd f",
            "SHA-256 0-1 abcd f",
        ] {
            assert!(parse_hash(bad).is_err(), "{bad:?}");
        }
        assert!(parse_x_digest("ABCD", Algorithm::Sha256).is_err());
        assert!(parse_x_digest("not hex at all", Algorithm::Md5).is_err());
    }
}
