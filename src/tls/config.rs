//! The rustls client configuration for a session, and what a rustls error
//! means to a caller.

use rustls::crypto::ring::default_provider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{CertificateError, CipherSuite, ClientConfig, RootCertStore};
use std::sync::Arc;

use crate::error::TlsFailure;

impl From<rustls::Error> for TlsFailure {
    fn from(e: rustls::Error) -> Self {
        let text = e.to_string();
        match e {
            rustls::Error::InvalidCertificate(cert) => match cert {
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                    TlsFailure::NameMismatch(text)
                }
                CertificateError::Expired
                | CertificateError::ExpiredContext { .. }
                | CertificateError::NotValidYet
                | CertificateError::NotValidYetContext { .. } => TlsFailure::Expired(text),
                _ => TlsFailure::UntrustedCertificate(text),
            },
            _ => TlsFailure::Handshake(text),
        }
    }
}

/// One configuration per session: the control connection and every data
/// connection share it, so its session cache lets data connections resume
/// the control connection's TLS session (vsftpd's `require_ssl_reuse`).
/// TLS 1.2 only unless `tls13`: a TLS 1.2 session resumes any number of
/// times, while TLS 1.3 resumption spends one-use tickets that proftpd
/// does not replace after an upload.
pub fn client_config(ca_bundle: Option<&str>, tls13: bool) -> Result<Arc<ClientConfig>, String> {
    let roots = match ca_bundle {
        None => RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
        Some(pem) => {
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let cert = cert.map_err(|e| format!("ca-bundle: {e}"))?;
                roots.add(cert).map_err(|e| format!("ca-bundle: {e}"))?;
            }
            if roots.is_empty() {
                return Err("ca-bundle holds no certificate".into());
            }
            roots
        }
    };
    let mut provider = default_provider();
    // Without AES instructions in wasm, ChaCha20-Poly1305 is the faster
    // cipher in software; offer it first (servers that honour the client's
    // order pick it).
    provider.cipher_suites.sort_by_key(|suite| {
        !matches!(
            suite.suite(),
            CipherSuite::TLS13_CHACHA20_POLY1305_SHA256
                | CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
                | CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
        )
    });
    let versions: &[&rustls::SupportedProtocolVersion] = if tls13 {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS12]
    };
    let config = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(versions)
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The name to verify: a DNS name or an IP address (brackets allowed).
pub fn server_name(name: &str) -> Result<ServerName<'static>, String> {
    let bare = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
    ServerName::try_from(bare.to_string()).map_err(|e| format!("server name {name:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_roots_and_names() {
        assert!(client_config(None, false).is_ok());
        assert!(server_name("ftp.example.com").is_ok());
        assert!(matches!(server_name("127.0.0.1"), Ok(ServerName::IpAddress(_))));
        assert!(matches!(server_name("[::1]"), Ok(ServerName::IpAddress(_))));
        assert!(server_name("bad name!").is_err());
    }

    #[test]
    fn chacha20_is_offered_first() {
        let config = client_config(None, true).unwrap();
        let first = config.crypto_provider().cipher_suites[0].suite();
        assert_eq!(first, CipherSuite::TLS13_CHACHA20_POLY1305_SHA256);
    }

    #[test]
    fn bad_bundles_are_refused() {
        assert!(client_config(Some("not pem at all"), false)
            .unwrap_err()
            .contains("no certificate"));
        let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(client_config(Some(garbage), false).is_err());
    }

    #[test]
    fn errors_are_classified() {
        let e = |c| TlsFailure::from(rustls::Error::InvalidCertificate(c));
        assert!(matches!(
            e(CertificateError::UnknownIssuer),
            TlsFailure::UntrustedCertificate(_)
        ));
        assert!(matches!(
            e(CertificateError::BadSignature),
            TlsFailure::UntrustedCertificate(_)
        ));
        assert!(matches!(
            e(CertificateError::NotValidForName),
            TlsFailure::NameMismatch(_)
        ));
        assert!(matches!(e(CertificateError::Expired), TlsFailure::Expired(_)));
        assert!(matches!(e(CertificateError::NotValidYet), TlsFailure::Expired(_)));
        assert!(matches!(
            TlsFailure::from(rustls::Error::HandshakeNotComplete),
            TlsFailure::Handshake(_)
        ));
    }
}
