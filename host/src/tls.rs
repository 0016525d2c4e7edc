//! The host's TLS for the component's `wasi:tls` import: rustls, trusting
//! the session's CA bundle (or the bundled web roots), with one client
//! configuration per session so data connections resume the control
//! connection's TLS session (vsftpd's `require_ssl_reuse`, ProFTPD's
//! `TLSOptions` without `NoSessionReuseRequired`).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use wasmtime_wasi_tls::{TlsProvider, TlsStream, TlsTransport, WasiTlsCtx, WasiTlsCtxBuilder};

/// A rustls client configuration as a wasi:tls provider.
struct Trusting {
    config: Arc<ClientConfig>,
}

impl TlsProvider for Trusting {
    fn connect(
        &self,
        server_name: String,
        transport: Box<dyn TlsTransport>,
    ) -> Pin<Box<dyn Future<Output = Result<Box<dyn TlsStream>, wasmtime_wasi_tls::Error>> + Send>> {
        let config = Arc::clone(&self.config);
        Box::pin(async move {
            let name =
                ServerName::try_from(server_name).map_err(|_| wasmtime_wasi_tls::Error::msg("invalid server name"))?;
            let stream = tokio_rustls::TlsConnector::from(config)
                .connect(name, transport)
                .await
                .map_err(|e| match e.downcast::<rustls::Error>() {
                    Ok(e) => wasmtime_wasi_tls::Error::msg(e.to_string()),
                    Err(e) => wasmtime_wasi_tls::Error::msg(e),
                })?;
            Ok(Box::new(stream) as Box<dyn TlsStream>)
        })
    }
}

/// A wasi:tls context trusting the certificates in `ca_pem` (PEM), or the
/// bundled web roots when `None`.
pub(crate) fn context(ca_pem: Option<&str>) -> Result<WasiTlsCtx, String> {
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
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(WasiTlsCtxBuilder::new()
        .provider(Box::new(Trusting {
            config: Arc::new(config),
        }))
        .build())
}
