//! A throwaway certificate authority and server certificate for the FTPS
//! tests, made with the `openssl` command at test time.

use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

pub struct TestPki {
    dir: TempDir,
    /// The CA certificate, PEM: what a client must trust.
    pub ca_pem: String,
}

fn openssl(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| format!("openssl is not installed: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl TestPki {
    /// A CA and a certificate it signed for `localhost` and 127.0.0.1.
    pub fn generate() -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let d = dir.path();
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend([
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=ftp-client test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        openssl(d, &ca)?;
        let mut csr = vec!["req"];
        csr.extend(ec);
        csr.extend(["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
        openssl(d, &csr)?;
        std::fs::write(
            d.join("ext.cnf"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .map_err(|e| e.to_string())?;
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-days",
                "2",
                "-extfile",
                "ext.cnf",
            ],
        )?;
        // Some servers want certificate and key in one file.
        let both = [std::fs::read(d.join("server.pem")), std::fs::read(d.join("server.key"))];
        let [Ok(cert), Ok(key)] = both else {
            return Err("reading the server certificate".into());
        };
        std::fs::write(d.join("combined.pem"), [cert, key].concat()).map_err(|e| e.to_string())?;
        let ca_pem = std::fs::read_to_string(d.join("ca.pem")).map_err(|e| e.to_string())?;
        Ok(Self { dir, ca_pem })
    }

    pub fn cert(&self) -> PathBuf {
        self.dir.path().join("server.pem")
    }

    pub fn key(&self) -> PathBuf {
        self.dir.path().join("server.key")
    }

    /// Certificate and key in one PEM file.
    pub fn combined(&self) -> PathBuf {
        self.dir.path().join("combined.pem")
    }

    /// The CA certificate's file, for a server that checks client
    /// certificates against it.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Client certificates, made once and kept in the directory: one this
    /// CA signed, one another CA signed, and one this CA signed that
    /// expired in 2020.
    pub fn client_identities(&self) -> Result<ClientIdentities, String> {
        let d = self.dir.path();
        if !d.join("client-good.pem").exists() {
            make_client_identities(d)?;
        }
        let read = |name: &str| std::fs::read_to_string(d.join(name)).map_err(|e| format!("{name}: {e}"));
        let identity = |name: &str| -> Result<(String, String), String> {
            Ok((
                read(&format!("client-{name}.pem"))?,
                read(&format!("client-{name}.key"))?,
            ))
        };
        Ok(ClientIdentities {
            good: identity("good")?,
            unknown: identity("unknown")?,
            expired: identity("expired")?,
        })
    }
}

/// Client certificates and their keys, PEM: `(chain, key)`.
pub struct ClientIdentities {
    pub good: (String, String),
    pub unknown: (String, String),
    pub expired: (String, String),
}

fn make_client_identities(d: &Path) -> Result<(), String> {
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    for name in ["good", "unknown", "expired"] {
        let mut csr = vec!["req"];
        csr.extend(ec);
        let (key, out, subject) = (
            format!("client-{name}.key"),
            format!("client-{name}.csr"),
            format!("/CN=ftp-client test client {name}"),
        );
        csr.extend(["-keyout", &key, "-out", &out, "-subj", &subject]);
        openssl(d, &csr)?;
    }
    std::fs::write(
        d.join("client.cnf"),
        "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n",
    )
    .map_err(|e| e.to_string())?;
    let sign = |csr: &str, ca: &str, ca_key: &str, out: &str| {
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                csr,
                "-CA",
                ca,
                "-CAkey",
                ca_key,
                "-CAcreateserial",
                "-out",
                out,
                "-days",
                "2",
                "-extfile",
                "client.cnf",
            ],
        )
    };
    sign("client-good.csr", "ca.pem", "ca.key", "client-good.pem")?;
    // Another CA, which the server does not trust.
    let mut other = vec!["req", "-x509"];
    other.extend(ec);
    other.extend([
        "-keyout",
        "other-ca.key",
        "-out",
        "other-ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=another CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
    ]);
    openssl(d, &other)?;
    sign(
        "client-unknown.csr",
        "other-ca.pem",
        "other-ca.key",
        "client-unknown.pem",
    )?;
    // `openssl ca` can date a certificate in the past.
    std::fs::write(d.join("index.txt"), "").map_err(|e| e.to_string())?;
    std::fs::write(d.join("serial"), "1000\n").map_err(|e| e.to_string())?;
    std::fs::write(
        d.join("ca.cnf"),
        "[ca]\ndefault_ca=here\n[here]\ndir=.\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\n\
         default_md=sha256\npolicy=any\n[any]\ncommonName=supplied\n[client]\nextendedKeyUsage=clientAuth\n",
    )
    .map_err(|e| e.to_string())?;
    openssl(
        d,
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-cert",
            "ca.pem",
            "-keyfile",
            "ca.key",
            "-in",
            "client-expired.csr",
            "-out",
            "client-expired.pem",
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20200102000000Z",
            "-extensions",
            "client",
            "-notext",
        ],
    )
}
