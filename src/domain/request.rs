//! The e-request document (contract section 3): the signed bytes parsed once into typed
//! values. A document that does not parse, or lacks a field, is a `documents.malformed`
//! failure with a one-line detail that names the field and never echoes its value.
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
use super::reader::{Obj, ReadError};
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

impl ERequest {
    /// Parses the signed document bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, Failure> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            Failure::new(
                ReasonCode::DocumentsMalformed,
                format!("the document is not JSON: {e}"),
            )
        })?;
        let root = Obj::root(&value).map_err(malformed)?;
        Self::from_root(&root).map_err(malformed)
    }

    fn from_root(root: &Obj) -> Result<Self, ReadError> {
        if root.str("service")? != "trp" {
            return Err(root.invalid("service", "is not trp"));
        }
        let permit = root.obj("permit")?;
        let documents = root.objs("documents")?;
        Ok(Self {
            subspecies: root.parse("subspecies", Subspecies::parse)?,
            language: root.parse("language", Language::parse)?,
            applicant: applicant(&root.obj("applicant")?)?,
            permit: PermitTerm {
                from: permit.date("from")?,
                until: permit.date("until")?,
            },
            fingerprint_record: match root.opt_obj("biometrics")? {
                Some(b) => b.opt_str("fingerprint_record")?.map(str::to_owned),
                None => None,
            },
            employer: root
                .opt_obj("employer")?
                .map(|o| employer(&o))
                .transpose()?,
            host: root.opt_obj("host")?.map(|o| host(&o)).transpose()?,
            institution: root
                .opt_obj("institution")?
                .map(|o| institution(&o))
                .transpose()?,
            documents: documents
                .into_iter()
                .map(document)
                .collect::<Result<_, _>>()?,
        })
    }
}

fn malformed(e: ReadError) -> Failure {
    Failure::new(ReasonCode::DocumentsMalformed, e.to_string())
}

fn applicant(o: &Obj) -> Result<Applicant, ReadError> {
    let passport = o.obj("passport")?;
    Ok(Applicant {
        iin: ClaimedIin::new(o.str("iin")?),
        surname: o.non_empty("surname")?.to_owned(),
        given_name: o.non_empty("given_name")?.to_owned(),
        patronymic: o.opt_str("patronymic")?.map(str::to_owned),
        birth_date: o.date("birth_date")?,
        sex: o.parse("sex", |s| match s {
            "male" => Ok(Sex::Male),
            "female" => Ok(Sex::Female),
            _ => Err("is not male or female"),
        })?,
        citizenship: o.parse("citizenship", Citizenship::parse)?,
        passport: Passport {
            number: passport.non_empty("number")?.to_owned(),
            country: passport.parse("country", Citizenship::parse)?,
            issued_on: passport.date("issued_on")?,
            expires_on: passport.date("expires_on")?,
        },
        contacts: contacts(&o.obj("contacts")?)?,
    })
}

/// The contacts object: every listed channel needs its address.
pub(crate) fn contacts(o: &Obj) -> Result<Contacts, ReadError> {
    let phone = o.opt_parse("phone", Phone::parse)?;
    let email = o.opt_parse("email", Email::parse)?;
    let mut channels = Vec::new();
    for item in o.arr("channels")? {
        let channel = match item.as_str() {
            Some("sms") => Channel::Sms,
            Some("email") => Channel::Email,
            _ => return Err(o.invalid("channels", "lists something other than sms or email")),
        };
        let address_given = match channel {
            Channel::Sms => phone.is_some(),
            Channel::Email => email.is_some(),
        };
        if !address_given {
            return Err(o.invalid("channels", "names a channel without its address"));
        }
        if !channels.contains(&channel) {
            channels.push(channel);
        }
    }
    Ok(Contacts {
        phone,
        email,
        channels,
    })
}

fn employer(o: &Obj) -> Result<Employer, ReadError> {
    Ok(Employer {
        bin: o.parse("bin", Bin::parse)?,
        name: o.non_empty("name")?.to_owned(),
        household: o.bool("household")?,
        contract: match o.opt_obj("contract")? {
            Some(c) => Some(Contract {
                number: c.non_empty("number")?.to_owned(),
                signed_on: c.date("signed_on")?,
                valid_until: c.date("valid_until")?,
            }),
            None => None,
        },
    })
}

fn host(o: &Obj) -> Result<Host, ReadError> {
    Ok(Host {
        iin: o.parse("iin", Iin::parse)?,
        relation: o.non_empty("relation")?.to_owned(),
    })
}

fn institution(o: &Obj) -> Result<Institution, ReadError> {
    Ok(Institution {
        bin: o.parse("bin", Bin::parse)?,
        name: o.non_empty("name")?.to_owned(),
    })
}

fn document(item: Obj) -> Result<DocumentEntry, ReadError> {
    Ok(DocumentEntry {
        kind: item.non_empty("kind")?.to_owned(),
        number: item.opt_str("number")?.map(str::to_owned),
        sha256: match item.opt_str("sha256") {
            Ok(Some(s)) => Sha256::parse(s),
            Ok(None) => Err(ValueError("is missing")),
            Err(_) => Err(ValueError("is not a string")),
        },
    })
}

/// The language and contacts of a document that does not parse as a whole, where those
/// parts can still be read: the applicant can then still be told of the refusal.
pub fn salvage_contacts(bytes: &[u8]) -> Option<(Language, Contacts)> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let root = Obj::root(&value).ok()?;
    let language = root.parse("language", Language::parse).ok()?;
    let applicant = root.obj("applicant").ok()?;
    let contacts = contacts(&applicant.obj("contacts").ok()?).ok()?;
    Some((language, contacts))
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
