//! The e-request document (contract section 3): the signed bytes parsed once into typed
//! values, by serde (`wire`: one struct per object, unknown fields ignored) with
//! `serde_path_to_error`. A document that does not parse, or lacks a field, is a
//! `documents.malformed` failure with a one-line detail that names the field
//! (`applicant.passport.expires_on is not a date YYYY-MM-DD`) and never echoes its value.
//!
//! Two values are kept even when not well-formed, because their failure has a code of its
//! own: the applicant's IIN (`eligibility.iin_invalid`) and each listed document's digest
//! (`documents.invalid_digest`). Parts a subspecies may need (`employer`, `host`,
//! `institution`, the employment contract) are optional here; the documents check reports
//! them as `documents.missing` by the rules.

use std::fmt;

use serde_json::Value;
use time::Date;

use super::citizenship::Citizenship;
use super::ids::{Email, Language, Phone, Sha256, ValueError};
use super::iin::{Bin, Iin, NumberError, Sex};
use super::reason::{Failure, ReasonCode};
use super::rules::Subspecies;

#[derive(Debug, Clone)]
pub struct ERequest {
    pub subspecies: Subspecies,
    pub language: Language,
    pub applicant: Applicant,
    pub permit: PermitTerm,
    /// The fingerprint record the portal names, if any.
    pub fingerprint_record: Option<String>,
    pub employer: Option<Employer>,
    pub host: Option<Host>,
    pub institution: Option<Institution>,
    pub documents: Vec<DocumentEntry>,
}

/// The applicant. `Debug` shows none of the personal data.
#[derive(Clone)]
pub struct Applicant {
    pub iin: ClaimedIin,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub birth_date: Date,
    pub sex: Sex,
    pub citizenship: Citizenship,
    pub passport: Passport,
    pub contacts: Contacts,
}

impl fmt::Debug for Applicant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Applicant")
            .field("citizenship", &self.citizenship)
            .finish_non_exhaustive()
    }
}

/// The IIN as the applicant wrote it, with the verdict of [`Iin::parse`].
#[derive(Clone)]
pub struct ClaimedIin {
    raw: String,
    parsed: Result<Iin, NumberError>,
}

impl ClaimedIin {
    pub fn new(raw: &str) -> Self {
        Self {
            raw: raw.to_owned(),
            parsed: Iin::parse(raw),
        }
    }

    /// The string as written: compared with the signer's certificate and used for
    /// registry look-ups.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    pub fn parsed(&self) -> Result<&Iin, NumberError> {
        self.parsed.as_ref().map_err(|e| *e)
    }
}

impl fmt::Debug for ClaimedIin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClaimedIin(****, valid: {})", self.parsed.is_ok())
    }
}

#[derive(Clone)]
pub struct Passport {
    pub number: String,
    pub country: Citizenship,
    pub issued_on: Date,
    pub expires_on: Date,
}

impl fmt::Debug for Passport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Passport")
            .field("country", &self.country)
            .field("expires_on", &self.expires_on)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }
}

/// How to reach the applicant. Every listed channel has its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contacts {
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub channels: Vec<Channel>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermitTerm {
    pub from: Date,
    pub until: Date,
}

#[derive(Debug, Clone)]
pub struct Employer {
    pub bin: Bin,
    pub name: String,
    pub household: bool,
    pub contract: Option<Contract>,
}

#[derive(Debug, Clone)]
pub struct Contract {
    pub number: String,
    pub signed_on: Date,
    pub valid_until: Date,
}

/// The inviting relative for family reunification: another person, so `Debug` hides them.
#[derive(Clone)]
pub struct Host {
    pub iin: Iin,
    pub relation: String,
}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Host").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct Institution {
    pub bin: Bin,
    pub name: String,
}

/// One entry of `documents`. `Debug` hides the number (a passport number is personal data).
#[derive(Clone)]
pub struct DocumentEntry {
    pub kind: String,
    pub number: Option<String>,
    /// The digest, or why it is not a well-formed SHA-256 (missing included).
    pub sha256: Result<Sha256, ValueError>,
}

impl fmt::Debug for DocumentEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DocumentEntry")
            .field("kind", &self.kind)
            .field("sha256_ok", &self.sha256.is_ok())
            .finish_non_exhaustive()
    }
}

mod wire;

impl ERequest {
    /// Parses the signed document bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, Failure> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            Failure::new(
                ReasonCode::DocumentsMalformed,
                format!("the document is not JSON: {e}"),
            )
        })?;
        if !value.is_object() {
            return Err(malformed("the document is not a JSON object".into()));
        }
        let document: wire::Document = wire::read(&value).map_err(malformed)?;
        Self::from_wire(document).map_err(malformed)
    }

    fn from_wire(d: wire::Document) -> Result<Self, String> {
        let a = required(d.applicant, "applicant")?;
        let passport = required(a.passport, "applicant.passport")?;
        let permit = required(d.permit, "permit")?;
        Ok(Self {
            subspecies: d.subspecies.0,
            language: d.language.0,
            applicant: Applicant {
                iin: ClaimedIin::new(&a.iin.0),
                surname: a.surname.0,
                given_name: a.given_name.0,
                patronymic: a.patronymic.map(|p| p.0),
                birth_date: a.birth_date.0,
                sex: a.sex.0,
                citizenship: a.citizenship.0,
                passport: Passport {
                    number: passport.number.0,
                    country: passport.country.0,
                    issued_on: passport.issued_on.0,
                    expires_on: passport.expires_on.0,
                },
                contacts: contacts(required(a.contacts, "applicant.contacts")?)?,
            },
            permit: PermitTerm {
                from: permit.from.0,
                until: permit.until.0,
            },
            fingerprint_record: d.biometrics.and_then(|b| b.fingerprint_record).map(|f| f.0),
            employer: d.employer.map(|e| Employer {
                bin: e.bin.0,
                name: e.name.0,
                household: e.household.0,
                contract: e.contract.map(|c| Contract {
                    number: c.number.0,
                    signed_on: c.signed_on.0,
                    valid_until: c.valid_until.0,
                }),
            }),
            host: d.host.map(|h| Host {
                iin: h.iin.0,
                relation: h.relation.0,
            }),
            institution: d.institution.map(|i| Institution {
                bin: i.bin.0,
                name: i.name.0,
            }),
            documents: required(d.documents, "documents")?
                .into_iter()
                .map(|e| DocumentEntry {
                    kind: e.kind.0,
                    number: e.number.map(|n| n.0),
                    sha256: e.sha256.0,
                })
                .collect(),
        })
    }
}

/// A part the document must have, absent or `null`.
fn required<T>(part: Option<T>, path: &str) -> Result<T, String> {
    part.ok_or_else(|| format!("{path} is missing"))
}

fn malformed(detail: String) -> Failure {
    Failure::new(ReasonCode::DocumentsMalformed, detail)
}

/// The contacts object: every listed channel needs its address.
fn contacts(c: wire::Contacts) -> Result<Contacts, String> {
    let (phone, email) = (c.phone.map(|p| p.0), c.email.map(|e| e.0));
    let unreachable = c.channels.0.iter().any(|channel| match channel {
        Channel::Sms => phone.is_none(),
        Channel::Email => email.is_none(),
    });
    if unreachable {
        return Err("applicant.contacts.channels names a channel without its address".into());
    }
    Ok(Contacts {
        phone,
        email,
        channels: c.channels.0,
    })
}

/// The language and contacts of a document that does not parse as a whole, where those
/// parts can still be read: the applicant can then still be told of the refusal.
pub fn salvage_contacts(bytes: &[u8]) -> Option<(Language, Contacts)> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let salvage: wire::Salvage = wire::read(&value).ok()?;
    Some((
        salvage.language.0,
        contacts(salvage.applicant.contacts).ok()?,
    ))
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
