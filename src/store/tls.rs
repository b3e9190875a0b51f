//! TLS to PostgreSQL through rustls (`database.tls`), with the crypto provider lettre
//! already brings (aws-lc-rs). `require` encrypts but checks no certificate, as libpq's
//! `sslmode=require` does; `verify-full` checks the server's chain against the configured
//! CA and its name (or IP address) against the host connected to.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::StoreError;

/// How the worker talks to PostgreSQL.
#[derive(Debug, Clone)]
pub enum Tls {
    /// Plain TCP: only where the network between the two is trusted (loopback, a pod).
    Disable,
    /// Encrypted, the server's certificate unchecked: proof against listening, not against
    /// a server that pretends to be the database.
    Require,
    /// Encrypted, the server's certificate checked against these roots and the host name.
    VerifyFull { roots: Vec<CertificateDer<'static>> },
}

/// The process's rustls provider if one was installed, else aws-lc-rs (as lettre does):
/// the provider of the TLS the worker sets up itself (PostgreSQL, implicit TLS to the mail server).
pub(crate) fn provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
}

/// The connector for `tls`; `None` for [`Tls::Disable`].
pub(super) fn connector(tls: &Tls) -> Result<Option<MakeRustlsConnect>, StoreError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Config(format!("database.tls: {e}")))?;
    let config = match tls {
        Tls::Disable => return Ok(None),
        Tls::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth(),
        Tls::VerifyFull { roots } => {
            let mut store = RootCertStore::empty();
            for root in roots {
                store.add(root.clone()).map_err(|e| {
                    StoreError::Config(format!("database.tls_ca_file: not a CA certificate: {e}"))
                })?;
            }
            builder.with_root_certificates(store).with_no_client_auth()
        }
    };
    Ok(Some(MakeRustlsConnect::new(config)))
}

/// Accepts any certificate, but still checks that the server holds its key (the handshake
/// signature), so the session is encrypted to whoever answered.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
