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
}
