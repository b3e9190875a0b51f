//! `certificate verify`, `signature check` and `timestamp verify`: the trust anchors, TSA
//! anchors, CRLs and OTP settings come from the configuration (`signature.*`, see
//! `config/default.toml`).

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
use crate::checks::signature::timestamp::{verify_token, TSA_ANCHORS_SETTING};
use crate::checks::signature::{check, CrlGap, OtpSettings, SignatureInput, TrustStore, Verdict};
use crate::checks::Facts;
use crate::domain::envelope::{Envelope, SignatureClaim};
use crate::domain::instant::{rfc3339, Instant};
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
    let verdict = verify_certificate(&trust, &der, at, OffsetDateTime::now_utc());
    report(out, &verdict)
}

/// The chain at `at` and the leaf's key usage: what `signature.*` code, if any, it earns,
/// and the CAs whose CRL is missing or stale `now` (then the certificate's revocation
/// status cannot be decided). A CA certificate (an NCA root or intermediate) is checked
/// as a CA instead: its path to a configured root and validity at `at` (`ca_path`); key
/// usage is a signer's matter, and CRLs are not consulted.
pub fn verify_certificate(
    trust: &TrustStore,
    der: &[u8],
    at: OffsetDateTime,
    now: OffsetDateTime,
) -> Verdict {
    let failure = |e: &webpki::Error| crate::checks::signature::certificate::chain_failure(e);
    let chain = match trust.verify_chain(&CertificateDer::from(der), &[], unix_time(at)) {
        Ok(()) => None,
        Err(webpki::Error::CaUsedAsEndEntity) => {
            let failures = verify_ca(trust, der, unix_time(at))
                .err()
                .map(|e| failure(&e));
            return Verdict::decided(failures.into_iter().collect());
        }
        Err(e) => Some(failure(&e)),
    };
    let parsed = <x509_cert::Certificate as der::Decode>::from_der(der);
    let waiting_for: Vec<CrlGap> = match &parsed {
        Ok(leaf) => trust.crl_gaps(leaf, &[], now),
        Err(_) => Vec::new(),
    };
    let failure = chain.or_else(|| match &parsed {
        Ok(parsed) => check_key_usage(parsed),
        Err(_) => Some(Failure::new(
            ReasonCode::SignatureInvalid,
            "not a certificate",
        )),
    });
    Verdict {
        failures: failure.into_iter().collect(),
        waiting_for,
        timestamp: None,
    }
}

#[derive(Debug, Subcommand)]
pub enum TimestampCommand {
    /// Checks one RFC 3161 time-stamp token (DER or PEM) against the TSA anchors and CRLs.
    Verify {
        token: PathBuf,
        /// A file whose hash the token's message imprint must be.
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

/// Prints the TSA, `genTime`, the imprint's algorithm and the verdict: `valid` (exit 0),
/// or `refused: signature.invalid: ...` / `undecided: ...` lines (exit 1).
pub fn timestamp(cmd: TimestampCommand, out: &mut impl Write) -> Result<ExitCode, CliError> {
    let TimestampCommand::Verify { token, data } = cmd;
    let timestamps = crate::reload::Sources::of(&settings()?)
        .timestamps()
        .map_err(|e| CliError::Config(e.to_string()))?;
    let Some(tsa) = timestamps.tsa() else {
        return Err(CliError::Config(format!(
            "{TSA_ANCHORS_SETTING}: no file given (set TRP__SIGNATURE__TSA_TRUST_ANCHORS)"
        )));
    };
    let bytes = read_der_or_pem(&token)?;
    let data = data
        .map(|path| read(&path).map(|b| (path, b)))
        .transpose()?;
    let write = |e: std::io::Error| CliError::Failed(format!("cannot write: {e}"));
    let invalid = |detail: String| {
        let failure = Failure::new(ReasonCode::SignatureInvalid, detail);
        Verdict::decided(vec![failure])
    };
    let verdict = match verify_token(&bytes, Some(tsa), OffsetDateTime::now_utc()) {
        Err(e) => invalid(format!("the time-stamp token does not verify: {e}")),
        Ok((stamp, digest)) => {
            writeln!(out, "tsa: {}", stamp.tsa).map_err(write)?;
            writeln!(out, "genTime: {}", rfc3339(stamp.gen_time)).map_err(write)?;
            let imprint = hex::encode(&stamp.imprint);
            writeln!(out, "imprint: {} {imprint}", stamp.imprint_algorithm).map_err(write)?;
            let mut verdict = Verdict {
                waiting_for: stamp.waiting_for.clone(),
                ..Verdict::default()
            };
            if let Some((path, bytes)) = &data {
                let covers = stamp.covers(bytes, digest);
                let says = if covers { "is" } else { "is not" };
                writeln!(
                    out,
                    "data: the imprint {says} the hash of {}",
                    path.display()
                )
                .map_err(write)?;
                if !covers {
                    verdict = invalid(format!(
                        "the time-stamp token's imprint is not the hash of {}",
                        path.display()
                    ));
                }
            }
            verdict
        }
    };
    report(out, &verdict)
}

/// A DER file, or the first PEM block of a text file (any label: `PKCS7`, `CMS`, ...).
fn read_der_or_pem(path: &Path) -> Result<Vec<u8>, CliError> {
    use base64::Engine as _;
    let bytes = read(path)?;
    if !bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        return Ok(bytes);
    }
    let text = String::from_utf8_lossy(&bytes);
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .map(str::trim)
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|e| CliError::Failed(format!("{}: bad PEM: {e}", path.display())))
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
        now: OffsetDateTime::now_utc(),
    };
    // The mobile citizens registry lives in the database, which this command does not use.
    let mut verdict = check(&input, &trust, &otp);
    if let Some(stamp) = &verdict.timestamp {
        let _ = writeln!(
            out,
            "signing time: {} (genTime of a time-stamp token by TSA \"{}\")",
            rfc3339(stamp.gen_time),
            stamp.tsa
        );
    }
    if let SignatureClaim::Otp(_) = envelope.signature {
        verdict
            .failures
            .retain(|f| f.code != ReasonCode::SignaturePhoneNotRegistered);
        let _ = writeln!(
            out,
            "note: the phone's registration was not checked (registry not consulted)"
        );
    }
    report(out, &verdict)
}

/// `valid` (exit 0); else one `refused: <code>: <detail>` line per failure and one
/// `undecided: <why>` line per CA whose CRL the revocation status waits for (exit 1): the
/// worker would not decide such an application now, it would wait for a fresh CRL.
fn report(out: &mut impl Write, verdict: &Verdict) -> Result<ExitCode, CliError> {
    let write = |e: std::io::Error| CliError::Failed(format!("cannot write: {e}"));
    if verdict.failures.is_empty() && verdict.waiting_for.is_empty() {
        writeln!(out, "valid").map_err(write)?;
        return Ok(ExitCode::SUCCESS);
    }
    for f in &verdict.failures {
        writeln!(out, "refused: {}: {}", f.code, f.detail).map_err(write)?;
    }
    for gap in &verdict.waiting_for {
        writeln!(
            out,
            "undecided: the revocation status cannot be decided: {gap}"
        )
        .map_err(write)?;
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

fn settings() -> Result<crate::config::Settings, CliError> {
    crate::config::load().map_err(|e| CliError::Config(e.to_string()))
}

/// The trust store as the worker reads it (`reload::Sources`): anchors, TSAs and CRLs.
fn trust_store() -> Result<TrustStore, CliError> {
    crate::reload::Sources::of(&settings()?)
        .trust()
        .map_err(|e| CliError::Config(e.to_string()))
}

/// The OTP key is needed only for an OTP envelope; an EDS check never consults it.
fn otp_settings(needed: bool) -> Result<OtpSettings, CliError> {
    settings()?
        .signature
        .otp(needed)
        .map_err(|e| CliError::Config(e.to_string()))
}
