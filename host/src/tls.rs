//! The host's TLS for the component's `wasi:tls` import: rustls, trusting
//! the session's CA bundle (or the bundled web roots), with one client
//! configuration per session so data connections resume the control
//! connection's TLS session (vsftpd's `require_ssl_reuse`, ProFTPD's
//! `TLSOptions` without `NoSessionReuseRequired`).

use crate::bindings::TlsVersion;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use wasmtime_wasi_tls::{TlsProvider, TlsStream, TlsTransport, WasiTlsCtx, WasiTlsCtxBuilder};

/// rustls client configurations as a wasi:tls provider: TLS 1.2 only, and
/// TLS 1.3 with 1.2. Which one a connection gets is `tls13`; in the
/// automatic mode it starts false and turns true (for good) when a
/// handshake fails for a reason other than the certificate, so the
/// component's second connection, after its first failed, gets TLS 1.3,
/// and so do that session's data connections.
struct Trusting {
    tls12: Arc<ClientConfig>,
    tls13: Arc<ClientConfig>,
    use_tls13: Arc<AtomicBool>,
    automatic: bool,
}

impl TlsProvider for Trusting {
    fn connect(
        &self,
        server_name: String,
        transport: Box<dyn TlsTransport>,
    ) -> Pin<Box<dyn Future<Output = Result<Box<dyn TlsStream>, wasmtime_wasi_tls::Error>> + Send>> {
        let config = if self.use_tls13.load(Ordering::SeqCst) {
            Arc::clone(&self.tls13)
        } else {
            Arc::clone(&self.tls12)
        };
        let step_up = self.automatic.then(|| Arc::clone(&self.use_tls13));
        Box::pin(async move {
            let name =
                ServerName::try_from(server_name).map_err(|_| wasmtime_wasi_tls::Error::msg("invalid server name"))?;
            let stream = tokio_rustls::TlsConnector::from(config)
                .connect(name, transport)
                .await
                .map_err(|e| match e.downcast::<rustls::Error>() {
                    Ok(e) => {
                        if let Some(flag) = step_up.filter(|_| !matches!(e, rustls::Error::InvalidCertificate(_))) {
                            flag.store(true, Ordering::SeqCst);
                        }
                        wasmtime_wasi_tls::Error::msg(e.to_string())
                    }
                    Err(e) => wasmtime_wasi_tls::Error::msg(e),
                })?;
            Ok(Box::new(stream) as Box<dyn TlsStream>)
        })
    }
}

/// A client certificate chain and its private key from PEM, each checked
/// to be there.
fn client_identity(
    identity: &crate::ClientIdentity,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
    let chain = CertificateDer::pem_slice_iter(identity.certificate_chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("client identity certificate: {e}"))?;
    if chain.is_empty() {
        return Err("the client identity holds no certificate".into());
    }
    let key = PrivateKeyDer::from_pem_slice(identity.private_key_pem.as_bytes())
        .map_err(|e| format!("the client identity holds no private key: {e}"))?;
    Ok((chain, key))
}

/// A wasi:tls context trusting the certificates in `ca_pem` (PEM), or the
/// bundled web roots when `None`, in `version` (`None`: automatic),
/// presenting `identity` where a server asks for a client certificate.
pub(crate) fn context(
    ca_pem: Option<&str>,
    version: Option<TlsVersion>,
    identity: Option<&crate::ClientIdentity>,
) -> Result<WasiTlsCtx, String> {
    let roots = match ca_pem {
        None => RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
        Some(pem) => {
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let cert = cert.map_err(|e| format!("CA bundle: {e}"))?;
                roots.add(cert).map_err(|e| format!("CA bundle: {e}"))?;
            }
            if roots.is_empty() {
                return Err("the CA bundle holds no certificate".into());
            }
            roots
        }
    };
    let identity = identity.map(client_identity).transpose()?;
    let config = |versions: &[&'static rustls::SupportedProtocolVersion]| {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots.clone());
        let config = match &identity {
            None => builder.with_no_client_auth(),
            Some((chain, key)) => {
                builder
                    .with_client_auth_cert(chain.clone(), key.clone_key())
                    .map_err(|e| match e {
                        rustls::Error::InconsistentKeys(_) => {
                            "client identity: the private key is not the certificate's".to_string()
                        }
                        other => format!("client identity: {other}"),
                    })?
            }
        };
        Ok::<_, String>(Arc::new(config))
    };
    Ok(WasiTlsCtxBuilder::new()
        .provider(Box::new(Trusting {
            tls12: config(&[&rustls::version::TLS12])?,
            tls13: config(&[&rustls::version::TLS13, &rustls::version::TLS12])?,
            use_tls13: Arc::new(AtomicBool::new(version == Some(TlsVersion::Tls13))),
            automatic: version.is_none(),
        }))
        .build())
}
