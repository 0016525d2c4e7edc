//! FEAT replies (RFC 2389): one feature per indented line, a name and
//! optional parameters.

use super::reply::Reply;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    /// Upper-cased feature name (`MLST`, `UTF8`, `REST`...).
    pub name: String,
    /// Whatever follows the name (`type*;size*;modify*;` for MLST, `STREAM` for REST).
    pub params: String,
}

/// The features a 211 reply lists; the first and last lines are framing.
pub fn parse_feat(reply: &Reply) -> Vec<Feature> {
    let lines = &reply.lines;
    if lines.len() < 3 {
        return Vec::new();
    }
    lines[1..lines.len() - 1]
        .iter()
        .filter_map(|line| {
            let line = line.trim();
            let (name, params) = line.split_once(' ').unwrap_or((line, ""));
            (!name.is_empty()).then(|| Feature {
                name: name.to_ascii_uppercase(),
                params: params.trim().to_string(),
            })
        })
        .collect()
}

pub fn has(features: &[Feature], name: &str) -> bool {
    features.iter().any(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vsftpd_style_feat() {
        let reply = Reply {
            code: 211,
            lines: [
                "Features:",
                " EPRT",
                " EPSV",
                " MDTM",
                " PASV",
                " REST STREAM",
                " SIZE",
                " TVFS",
                " UTF8",
                "End",
            ]
            .map(String::from)
            .to_vec(),
        };
        let f = parse_feat(&reply);
        assert_eq!(f.len(), 8);
        assert!(has(&f, "UTF8") && has(&f, "MDTM"));
        assert_eq!(
            f[4],
            Feature {
                name: "REST".into(),
                params: "STREAM".into()
            }
        );
    }

    #[test]
    fn mlst_params_and_single_line_reply() {
        let reply = Reply {
            code: 211,
            lines: ["Extensions supported:", " MLST type*;size*;modify*;", "END"]
                .map(String::from)
                .to_vec(),
        };
        assert_eq!(parse_feat(&reply)[0].params, "type*;size*;modify*;");
        let none = Reply {
            code: 211,
            lines: vec!["no features".into()],
        };
        assert!(parse_feat(&none).is_empty());
    }
}
