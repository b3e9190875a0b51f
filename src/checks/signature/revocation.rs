//! Whether a chain's revocation status can be known: every CA on the signer's path must
//! have a configured CRL (unless `signature.allow_missing_crls`), and none of those CRLs may
//! be past its `nextUpdate`. webpki judges the CRLs' entries; this module judges whether
//! they are there and fresh, so that an application is not decided on a stale CRL
//! (contract section 8; `docs/signatures.md`, "Revocation policy").

use std::collections::HashSet;
use std::sync::Arc;

use der::{Decode, Encode};
use time::OffsetDateTime;
use x509_cert::crl::CertificateList;
use x509_cert::name::Name;
use x509_cert::Certificate;

/// The longest path walked from a leaf to a root; webpki allows no longer.
const MAX_DEPTH: usize = 8;

/// What to do about a CA on a signer's path that has no configured CRL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MissingCrls {
    /// Its certificates' revocation status is unknown: the application waits
    /// (`signature.allow_missing_crls = false`, the default).
    #[default]
    Wait,
    /// Its certificates are taken as not revoked (`signature.allow_missing_crls = true`).
    Allow,
}

/// A CA whose CRL an application's revocation status waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlGap {
    /// The CA's distinguished name (RFC 4514): never personal data.
    pub issuer: String,
    /// `None`: no CRL of this CA is configured. `Some`: its CRL's `nextUpdate`, passed.
    pub next_update: Option<OffsetDateTime>,
}

impl std::fmt::Display for CrlGap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.next_update {
            None => write!(f, "no CRL is configured for {}", self.issuer),
            Some(at) => write!(
                f,
                "the CRL of {} is stale (nextUpdate {})",
                self.issuer,
                crate::domain::instant::rfc3339(at)
            ),
        }
    }
}

/// One configured CRL: who issued it and until when it is current.
#[derive(Debug, Clone)]
pub struct CrlInfo {
    /// The issuer's name, DER: what a certificate's issuer is compared with.
    issuer_der: Vec<u8>,
    pub issuer: String,
    /// `None` when the CRL has no `nextUpdate` (never stale).
    pub next_update: Option<OffsetDateTime>,
    /// The serial numbers it lists (DER INTEGER contents) and their revocation dates: a
    /// time-stamped signature is judged by them (`super::timestamp`).
    revoked: Vec<(Vec<u8>, OffsetDateTime)>,
}

impl CrlInfo {
    /// Reads the issuer and `nextUpdate` of a DER CRL.
    pub fn parse(der: &[u8]) -> Result<Self, der::Error> {
        let crl = CertificateList::from_der(der)?;
        let tbs = crl.tbs_cert_list;
        let revoked = tbs
            .revoked_certificates
            .iter()
            .flatten()
            .map(|r| {
                (
                    r.serial_number.as_bytes().to_vec(),
                    instant(r.revocation_date),
                )
            })
            .collect();
        Ok(Self {
            issuer_der: tbs.issuer.to_der()?,
            issuer: tbs.issuer.to_string(),
            next_update: tbs.next_update.map(instant),
            revoked,
        })
    }

    fn stale_at(&self, now: OffsetDateTime) -> bool {
        self.next_update.is_some_and(|next| next < now)
    }
}

fn instant(t: x509_cert::time::Time) -> OffsetDateTime {
    let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// A CA certificate's names and serial: enough to walk from a leaf up to a root by issuer
/// names, and to find the CA in its issuer's CRL.
#[derive(Debug, Clone)]
struct Ca {
    subject: Vec<u8>,
    issuer: Name,
    serial: Vec<u8>,
}

/// The configured CAs and CRLs, and the policy for CAs without a CRL.
#[derive(Debug, Clone, Default)]
pub struct Revocation {
    roots: HashSet<Vec<u8>>,
    intermediates: Vec<Ca>,
    /// Shared by the stores of one snapshot ([`super::trust::Crls`]).
    crls: Arc<[CrlInfo]>,
    missing: MissingCrls,
}

impl Revocation {
    pub fn new(
        roots: &[Certificate],
        intermediates: &[Certificate],
        crls: Arc<[CrlInfo]>,
        missing: MissingCrls,
    ) -> Self {
        Self {
            roots: roots.iter().filter_map(|c| subject(c).ok()).collect(),
            intermediates: intermediates.iter().filter_map(|c| ca(c).ok()).collect(),
            crls,
            missing,
        }
    }

    pub fn missing(&self) -> MissingCrls {
        self.missing
    }

    pub fn crls(&self) -> &[CrlInfo] {
        &self.crls
    }

    /// The CAs on `leaf`'s path (through the configured intermediates and `extra`, those
    /// a signature carries) whose CRL is missing or stale at `now`. Empty when every one
    /// is fresh, and when the path does not reach a configured root (webpki refuses such
    /// a chain as untrusted: there is nothing to wait for).
    pub fn gaps(&self, leaf: &Certificate, extra: &[Vec<u8>], now: OffsetDateTime) -> Vec<CrlGap> {
        let carried: Vec<Ca> = extra
            .iter()
            .filter_map(|der| Certificate::from_der(der).ok())
            .filter_map(|c| ca(&c).ok())
            .collect();
        let mut gaps = Vec::new();
        let mut seen: Vec<Vec<u8>> = Vec::new();
        let mut issuer = leaf.tbs_certificate.issuer.clone();
        for _ in 0..MAX_DEPTH {
            let Ok(issuer_der) = issuer.to_der() else {
                return Vec::new();
            };
            if seen.contains(&issuer_der) {
                break;
            }
            let next = if self.roots.contains(&issuer_der) {
                None
            } else {
                let above = self.intermediates.iter().chain(&carried);
                match above.into_iter().find(|c| c.subject == issuer_der) {
                    Some(ca) => Some(ca.issuer.clone()),
                    None => return Vec::new(),
                }
            };
            gaps.extend(self.gap(&issuer_der, &issuer, now));
            seen.push(issuer_der);
            match next {
                Some(up) => issuer = up,
                None => break,
            }
        }
        gaps
    }

    /// The earliest revocation date the configured CRLs list for a certificate on `leaf`'s
    /// path (the leaf, then each CA above it through the configured intermediates and
    /// `extra`), or `None` when none is listed.
    pub fn earliest_revocation(
        &self,
        leaf: &Certificate,
        extra: &[Vec<u8>],
    ) -> Option<OffsetDateTime> {
        let carried: Vec<Ca> = extra
            .iter()
            .filter_map(|der| Certificate::from_der(der).ok())
            .filter_map(|c| ca(&c).ok())
            .collect();
        let mut serial = leaf.tbs_certificate.serial_number.as_bytes().to_vec();
        let mut issuer = leaf.tbs_certificate.issuer.clone();
        let mut earliest: Option<OffsetDateTime> = None;
        for _ in 0..MAX_DEPTH {
            let issuer_der = issuer.to_der().ok()?;
            let listed = self
                .crls
                .iter()
                .filter(|c| c.issuer_der == issuer_der)
                .flat_map(|c| &c.revoked)
                .filter(|(s, _)| *s == serial)
                .map(|(_, at)| *at);
            earliest = earliest.into_iter().chain(listed).min();
            if self.roots.contains(&issuer_der) {
                break;
            }
            let above = self.intermediates.iter().chain(&carried);
            let Some(ca) = above.into_iter().find(|c| c.subject == issuer_der) else {
                break;
            };
            serial = ca.serial.clone();
            issuer = ca.issuer.clone();
        }
        earliest
    }

    /// Whether the CA named `issuer` (as in [`CrlGap::issuer`]) has what a revocation
    /// check needs at `now`: a fresh CRL, or no CRL where that is allowed.
    pub fn is_current(&self, issuer: &str, now: OffsetDateTime) -> bool {
        let mut crls = self.crls.iter().filter(|c| c.issuer == issuer).peekable();
        if crls.peek().is_none() {
            return self.missing == MissingCrls::Allow;
        }
        crls.all(|c| !c.stale_at(now))
    }

    /// The CAs with configured CRLs, by name: those whose every CRL is fresh at `now`, and
    /// those with a stale one.
    pub fn issuers_at(&self, now: OffsetDateTime) -> (Vec<String>, Vec<String>) {
        let mut names: Vec<&str> = self.crls.iter().map(|c| c.issuer.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .map(str::to_owned)
            .partition(|name| self.is_current(name, now))
    }

    /// The gap of the CA named `name`, if any. Several CRLs of one CA: any stale one makes
    /// it stale, since webpki may consult any of them.
    fn gap(&self, name_der: &[u8], name: &Name, now: OffsetDateTime) -> Option<CrlGap> {
        let crls: Vec<&CrlInfo> = self
            .crls
            .iter()
            .filter(|c| c.issuer_der == name_der)
            .collect();
        if crls.is_empty() {
            return (self.missing == MissingCrls::Wait).then(|| CrlGap {
                issuer: name.to_string(),
                next_update: None,
            });
        }
        let stale = crls.iter().filter(|c| c.stale_at(now));
        stale
            .map(|c| c.next_update)
            .min()
            .map(|next_update| CrlGap {
                issuer: crls[0].issuer.clone(),
                next_update,
            })
    }
}

fn subject(cert: &Certificate) -> Result<Vec<u8>, der::Error> {
    cert.tbs_certificate.subject.to_der()
}

fn ca(cert: &Certificate) -> Result<Ca, der::Error> {
    Ok(Ca {
        subject: subject(cert)?,
        issuer: cert.tbs_certificate.issuer.clone(),
        serial: cert.tbs_certificate.serial_number.as_bytes().to_vec(),
    })
}
