//! The settings of the connections to PostgreSQL and to the mail server: their timeouts
//! and TLS, and the checks that keep personal data off the wire in clear.

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::ConfigError;
use crate::store::pool::{Options, Tls};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub url: String,
    pub pool_size: usize,
    /// Making one connection (TCP, TLS, start-up), in seconds.
    pub connect_timeout_s: u32,
    /// The server cancels a statement that runs longer (SQLSTATE 57014, retried).
    pub statement_timeout_ms: u32,
    /// The server gives up waiting for a lock after this long (SQLSTATE 55P03, retried).
    pub lock_timeout_ms: u32,
    /// Waiting for a free connection of the pool when all are in use.
    pub pool_wait_timeout_ms: u32,
    pub tls: DatabaseTls,
    /// PEM roots the server's certificate must chain to under `verify-full`.
    pub tls_ca_file: PathBuf,
    /// From `TRP__DATABASE__PASSWORD` only.
    pub password: Option<SecretString>,
}

/// `database.tls`: as libpq's `sslmode` of the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatabaseTls {
    Disable,
    Require,
    VerifyFull,
}

impl Database {
    /// What a pool of `size` connections needs: the configured timeouts and TLS (the CA
    /// file read). The pool itself is built by the caller (`worker::database_pool`), so
    /// that this room builds values, not connections.
    pub fn pool_options(&self, size: usize) -> Result<Options, ConfigError> {
        Ok(Options {
            size,
            connect_timeout: Duration::from_secs(self.connect_timeout_s.into()),
            statement_timeout: Duration::from_millis(self.statement_timeout_ms.into()),
            lock_timeout: Duration::from_millis(self.lock_timeout_ms.into()),
            wait_timeout: Duration::from_millis(self.pool_wait_timeout_ms.into()),
            tls: self.tls_roots()?,
        })
    }

    /// The password, from the environment (`TRP__DATABASE__PASSWORD`).
    pub fn password(&self) -> Option<&str> {
        self.password.as_ref().map(|p| p.expose_secret())
    }

    /// The TLS mode, with the CA file read for `verify-full`.
    pub(super) fn tls_roots(&self) -> Result<Tls, ConfigError> {
        match self.tls {
            DatabaseTls::Disable => return Ok(Tls::Disable),
            DatabaseTls::Require => return Ok(Tls::Require),
            DatabaseTls::VerifyFull => {}
        }
        let file = &self.tls_ca_file;
        if file.as_os_str().is_empty() {
            return Err(ConfigError(
                "database.tls_ca_file: required when database.tls is verify-full".into(),
            ));
        }
        let roots = read_pem_certificates(file, "database.tls_ca_file")?;
        Ok(Tls::VerifyFull { roots })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// `tls = none` toward a host that is not loopback is refused unless this is true.
    pub allow_plaintext_remote: bool,
    /// PEM roots the server's certificate must chain to (`starttls`, `tls`); empty: the
    /// system's roots.
    pub tls_ca_file: PathBuf,
    pub from: String,
    pub username: String,
    /// From `TRP__SMTP__PASSWORD` only.
    pub password: Option<SecretString>,
}

impl Smtp {
    /// Mail in clear (the applicant's name, address and decision) may only go to this
    /// machine, unless the operator says otherwise in so many words; a CA file must hold a
    /// certificate.
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        if self.tls == SmtpTls::None && !self.allow_plaintext_remote && !is_loopback(&self.host) {
            return Err(ConfigError(format!(
                "smtp.tls is none but smtp.host {} is not loopback: use starttls or tls, \
                 or set smtp.allow_plaintext_remote = true",
                self.host
            )));
        }
        if !self.tls_ca_file.as_os_str().is_empty() {
            read_pem_certificates(&self.tls_ca_file, "smtp.tls_ca_file")?;
        }
        Ok(())
    }
}

/// The certificates of a PEM file named by `setting`; none is an error naming it.
fn read_pem_certificates(
    file: &Path,
    setting: &str,
) -> Result<Vec<rustls_pki_types::CertificateDer<'static>>, ConfigError> {
    use rustls_pki_types::pem::PemObject as _;
    let certificates = rustls_pki_types::CertificateDer::pem_file_iter(file)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| ConfigError(format!("{setting}: {}: {e}", file.display())))?;
    if certificates.is_empty() {
        return Err(ConfigError(format!(
            "{setting}: {}: no PEM certificate in it",
            file.display()
        )));
    }
    Ok(certificates)
}

/// `localhost` or a loopback address (127.0.0.0/8, ::1).
fn is_loopback(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
