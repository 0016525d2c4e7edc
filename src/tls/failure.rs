//! The host's TLS failures (text only, from wasi:tls) classified the way
//! the WIT `tls-error` reports them.

use crate::error::TlsFailure;

impl TlsFailure {
    /// Classifies a failure the host's TLS reports only as text (wasi:tls
    /// gives an `io-error`; wasmtime's provider writes rustls's error).
    pub fn from_host(text: String) -> Self {
        if let Some(refused) = TlsFailure::client_certificate_refused(&text) {
            return refused;
        }
        let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
        if has(&["NotValidForName", "not valid for name"]) {
            TlsFailure::NameMismatch(text)
        } else if has(&["Expired", "NotValidYet", "expired", "not valid yet"]) {
            TlsFailure::Expired(text)
        } else if has(&["certificate", "Certificate", "UnknownIssuer", "BadSignature"]) {
            TlsFailure::UntrustedCertificate(text)
        } else {
            TlsFailure::Handshake(text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_texts_are_classified() {
        let f = |t: &str| TlsFailure::from_host(t.into());
        // rustls's Display for its certificate errors, as wasmtime passes them.
        assert!(matches!(
            f("invalid peer certificate: UnknownIssuer"),
            TlsFailure::UntrustedCertificate(_)
        ));
        assert!(matches!(
            f("invalid peer certificate: certificate not valid for name \"x\"; certificate is only valid for ..."),
            TlsFailure::NameMismatch(_)
        ));
        assert!(matches!(
            f("invalid peer certificate: certificate expired: verification time 1, but certificate is not valid after 0"),
            TlsFailure::Expired(_)
        ));
        assert!(matches!(
            f("received fatal alert: HandshakeFailure"),
            TlsFailure::Handshake(_)
        ));
        // The server's word on this client's certificate.
        for alert in ["UnknownCA", "CertificateExpired", "CertificateRequired"] {
            match f(&format!("received fatal alert: {alert}")) {
                TlsFailure::Handshake(m) => assert!(m.contains("refused this client's certificate"), "{m}"),
                other => panic!("{alert}: {other:?}"),
            }
        }
    }
}
