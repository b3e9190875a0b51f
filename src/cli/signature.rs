//! `certificate verify` and `signature check`. Until the configuration module exists they
//! read `TRP__SIGNATURE__TRUST_ANCHORS`, `TRP__SIGNATURE__CRLS` (comma-separated paths),
//! `TRP__SIGNATURE__OTP_KEY` (base64) and `TRP__SIGNATURE__OTP_LIFETIME_S` from the
//! environment (docs/signatures.md).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;

use super::CliError;
use crate::checks::signature::ca_path::verify_ca;
use crate::checks::signature::certificate::{check_key_usage, unix_time};
use crate::checks::signature::{check, OtpKey, OtpSettings, SignatureInput, TrustStore};
use crate::checks::Facts;
use crate::domain::envelope::{Envelope, SignatureClaim};
use crate::domain::instant::Instant;
use crate::domain::reason::{Failure, ReasonCode};

#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
    /// Checks one certificate (PEM or DER) against the trust anchors and CRLs at an instant.
    Verify {
        cert: PathBuf,
        /// RFC 3339 instant to check validity at; default now.
        #[arg(long)]
        at: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SignatureCommand {
    /// Runs the signature check on an envelope file and prints what it found.
    Check { envelope: PathBuf },
}

/// Environment variable names, one per setting (the `TRP__SECTION__KEY` layering).
const ANCHORS_VAR: &str = "TRP__SIGNATURE__TRUST_ANCHORS";
const CRLS_VAR: &str = "TRP__SIGNATURE__CRLS";
const OTP_KEY_VAR: &str = "TRP__SIGNATURE__OTP_KEY";
const OTP_LIFETIME_VAR: &str = "TRP__SIGNATURE__OTP_LIFETIME_S";

pub fn certificate(cmd: CertificateCommand, out: &mut impl Write) -> Result<ExitCode, CliError> {
    let CertificateCommand::Verify { cert, at } = cmd;
    let at = match at {
        None => OffsetDateTime::now_utc(),
        Some(s) => Instant::parse(&s)
            .map_err(|e| CliError::Config(format!("--at {e}")))?
            .at(),
    };
    let trust = trust_store()?;
    let der = read_certificate(&cert)?;
    let failure = verify_certificate(&trust, &der, at);
    report(out, failure.as_slice())
}

/// The chain at `at` and the leaf's key usage: what `signature.*` code, if any, it earns.
/// A CA certificate (an NCA root or intermediate) is checked as a CA instead: its path to a
/// configured root and validity at `at` (`ca_path`); key usage is a signer's matter.
pub fn verify_certificate(trust: &TrustStore, der: &[u8], at: OffsetDateTime) -> Option<Failure> {
    let failure = |e: &webpki::Error| crate::checks::signature::certificate::chain_failure(e);
    let chain = match trust.verify_chain(&CertificateDer::from(der), &[], unix_time(at)) {
        Ok(()) => None,
        Err(webpki::Error::CaUsedAsEndEntity) => {
            return verify_ca(trust, der, unix_time(at))
                .err()
                .map(|e| failure(&e));
        }
        Err(e) => Some(failure(&e)),
    };
    chain.or_else(|| {
        use der::Decode;
        match x509_cert::Certificate::from_der(der) {
            Ok(parsed) => check_key_usage(&parsed),
            Err(_) => Some(Failure::new(
                ReasonCode::SignatureInvalid,
                "not a certificate",
            )),
        }
    })
}

pub fn signature(cmd: SignatureCommand, out: &mut impl Write) -> Result<ExitCode, CliError> {
    let SignatureCommand::Check { envelope } = cmd;
    let body = read(&envelope)?;
    let envelope = Envelope::parse(&body, usize::MAX)
        .map_err(|e| CliError::Failed(format!("{}: not an envelope: {e}", envelope.display())))?;
    let trust = trust_store()?;
    let otp = otp_settings(matches!(envelope.signature, SignatureClaim::Otp(_)))?;
    let iin = applicant_iin(&envelope.document);
    let facts = Facts::default();
    let input = SignatureInput {
        envelope: &envelope,
        applicant_iin: iin.as_deref(),
        facts: &facts,
    };
    // The mobile citizens registry lives in the database, which this command does not use.
    let mut failures = check(&input, &trust, &otp);
    if let SignatureClaim::Otp(_) = envelope.signature {
        failures.retain(|f| f.code != ReasonCode::SignaturePhoneNotRegistered);
        let _ = writeln!(
            out,
            "note: the phone's registration was not checked (registry not consulted)"
        );
    }
    report(out, &failures)
}

fn report(out: &mut impl Write, failures: &[Failure]) -> Result<ExitCode, CliError> {
    let write = |e: std::io::Error| CliError::Failed(format!("cannot write: {e}"));
    if failures.is_empty() {
        writeln!(out, "valid").map_err(write)?;
        return Ok(ExitCode::SUCCESS);
    }
    for f in failures {
        writeln!(out, "refused: {}: {}", f.code, f.detail).map_err(write)?;
    }
    Ok(ExitCode::from(1))
}

/// The e-request's `applicant.iin`, if the document is JSON that has one.
fn applicant_iin(document: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(document).ok()?;
    value.pointer("/applicant/iin")?.as_str().map(str::to_owned)
}

fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::Failed(format!("{}: {e}", path.display())))
}

fn read_certificate(path: &Path) -> Result<Vec<u8>, CliError> {
    let bytes = read(path)?;
    if !bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        return Ok(bytes);
    }
    CertificateDer::from_pem_slice(&bytes)
        .map(|c| c.as_ref().to_vec())
        .map_err(|e| CliError::Failed(format!("{}: bad PEM: {e}", path.display())))
}

fn paths(var: &str) -> Vec<PathBuf> {
    std::env::var(var)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect()
}

fn trust_store() -> Result<TrustStore, CliError> {
    let anchors = paths(ANCHORS_VAR);
    if anchors.is_empty() {
        return Err(CliError::Config(format!(
            "signature.trust_anchors: not set (set {ANCHORS_VAR} to comma-separated PEM files)"
        )));
    }
    TrustStore::load(&anchors, &paths(CRLS_VAR)).map_err(|e| CliError::Config(e.to_string()))
}

/// The OTP key is needed only for an OTP envelope; an EDS check never consults it.
fn otp_settings(needed: bool) -> Result<OtpSettings, CliError> {
    let lifetime = match std::env::var(OTP_LIFETIME_VAR) {
        Err(_) => OtpSettings::DEFAULT_LIFETIME,
        Ok(s) => s
            .trim()
            .parse::<u32>()
            .map(|n| time::Duration::seconds(i64::from(n)))
            .map_err(|_| {
                CliError::Config("signature.otp_lifetime_s: not a whole number of seconds".into())
            })?,
    };
    let key = match std::env::var(OTP_KEY_VAR) {
        Ok(s) => OtpKey::from_base64(&s).map_err(|e| CliError::Config(e.to_string()))?,
        Err(_) if !needed => OtpKey::new(Vec::new()),
        Err(_) => {
            return Err(CliError::Config(format!(
                "signature.otp_key: not set (set {OTP_KEY_VAR}, base64)"
            )))
        }
    };
    Ok(OtpSettings { key, lifetime })
}
