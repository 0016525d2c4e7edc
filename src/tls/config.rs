//! The rustls client configuration for a session, and what a rustls error
//! means to a caller.

use rustls::crypto::ring::default_provider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{CertificateError, CipherSuite, ClientConfig, RootCertStore};
use std::sync::Arc;

use crate::error::TlsFailure;

impl From<rustls::Error> for TlsFailure {
    fn from(e: rustls::Error) -> Self {
        let text = e.to_string();
        if let Some(refused) = TlsFailure::client_certificate_refused(&text) {
            return refused;
        }
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
/// does not replace after an upload. `identity` (a PEM certificate chain
/// and its key) is sent to a server that asks for a client certificate.
pub fn client_config(
    ca_bundle: Option<&str>,
    tls13: bool,
    identity: Option<(&str, &str)>,
) -> Result<Arc<ClientConfig>, String> {
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
    let builder = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(versions)
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots);
    let config = match identity {
        None => builder.with_no_client_auth(),
        Some((chain, key)) => {
            let (chain, key) = client_identity(chain, key)?;
            builder.with_client_auth_cert(chain, key).map_err(|e| match e {
                rustls::Error::InconsistentKeys(_) => {
                    "client-identity: the private key is not the certificate's".to_string()
                }
                other => format!("client-identity: {other}"),
            })?
        }
    };
    Ok(Arc::new(config))
}

/// A client certificate chain and its private key from PEM, each checked
/// to be there.
pub fn client_identity(
    chain: &str,
    key: &str,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let chain = CertificateDer::pem_slice_iter(chain.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("client-identity certificate: {e}"))?;
    if chain.is_empty() {
        return Err("client-identity holds no certificate".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
        .map_err(|e| format!("client-identity holds no private key: {e}"))?;
    Ok((chain, key))
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
        assert!(client_config(None, false, None).is_ok());
        assert!(server_name("ftp.example.com").is_ok());
        assert!(matches!(server_name("127.0.0.1"), Ok(ServerName::IpAddress(_))));
        assert!(matches!(server_name("[::1]"), Ok(ServerName::IpAddress(_))));
        assert!(server_name("bad name!").is_err());
    }

    #[test]
    fn chacha20_is_offered_first() {
        let config = client_config(None, true, None).unwrap();
        let first = config.crypto_provider().cipher_suites[0].suite();
        assert_eq!(first, CipherSuite::TLS13_CHACHA20_POLY1305_SHA256);
    }

    #[test]
    fn bad_bundles_are_refused() {
        assert!(client_config(Some("not pem at all"), false, None)
            .unwrap_err()
            .contains("no certificate"));
        let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(client_config(Some(garbage), false, None).is_err());
    }

    /// A self-signed client certificate with its key, and a key of another.
    const CLIENT_PEM: &str = include_str!("testdata/client.pem");
    const CLIENT_KEY: &str = include_str!("testdata/client.key");
    const OTHER_KEY: &str = include_str!("testdata/other.key");

    #[test]
    fn a_client_identity_is_checked_whole() {
        assert!(client_config(None, true, Some((CLIENT_PEM, CLIENT_KEY))).is_ok());
        let refused = |chain, key| client_config(None, true, Some((chain, key))).unwrap_err();
        assert!(refused(CLIENT_PEM, OTHER_KEY).contains("not the certificate's"));
        assert!(refused(CLIENT_KEY, CLIENT_KEY).contains("no certificate"));
        assert!(refused(CLIENT_PEM, CLIENT_PEM).contains("no private key"));
        assert!(refused(CLIENT_PEM, "").contains("no private key"));
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
