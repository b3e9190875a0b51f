//! The e-request as it stands on the wire, read by serde: one struct per JSON object, and a
//! field type per kind of value whose errors name what is wrong without the value (`is not
//! a date YYYY-MM-DD`, never the date it found). Unknown fields are ignored, as
//! docs/contract.md promises the portal (so no `deny_unknown_fields`).
//! `serde_path_to_error` adds where (`applicant.passport.expires_on`); [`detail`] turns
//! serde's own messages (a missing field, a wrong JSON type, an unknown field) into the
//! same one-line form, so that no message echoes a value.

use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;
use time::Date;

use super::super::citizenship::Citizenship;
use super::super::ids::{Email, Language, Phone, Sha256, ValueError};
use super::super::iin::{Bin, Iin, Sex};
use super::super::instant::parse_date;
use super::super::rules::Subspecies;
use super::Channel;

/// The JSON value at hand; `null` is absent.
fn value<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
    Value::deserialize(d)
}

/// A string parsed by `parse`; every error is one of ours, without the value.
fn parsed<'de, D, T, E>(d: D, parse: impl FnOnce(&str) -> Result<T, E>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: fmt::Display,
{
    match value(d)? {
        Value::String(s) => parse(&s).map_err(de::Error::custom),
        Value::Null => Err(de::Error::custom("is missing")),
        _ => Err(de::Error::custom("is not a string")),
    }
}

/// A value of the e-request that reads itself from a string (or, for `bool`, a JSON
/// boolean); `Option<Field<T>>` is the same value where it may be absent or `null`.
pub struct Field<T>(pub T);

/// How each kind of field reads its string.
pub trait FromField: Sized {
    fn from_field(s: &str) -> Result<Self, String>;
}

impl<'de, T: FromField> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(d, T::from_field).map(Field)
    }
}

fn shown<T, E: fmt::Display>(r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| e.to_string())
}

impl FromField for String {
    fn from_field(s: &str) -> Result<Self, String> {
        Ok(s.to_owned())
    }
}

/// A name, a number: a string with something in it besides white space.
pub struct NonEmpty(pub String);

impl<'de> Deserialize<'de> for NonEmpty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        parsed(d, |s| {
            if s.trim().is_empty() {
                Err("is empty")
            } else {
                Ok(NonEmpty(s.to_owned()))
            }
        })
    }
}

impl FromField for Date {
    fn from_field(s: &str) -> Result<Self, String> {
        parse_date(s).ok_or_else(|| "is not a date YYYY-MM-DD".to_owned())
    }
}

impl FromField for Subspecies {
    fn from_field(s: &str) -> Result<Self, String> {
        shown(Subspecies::parse(s))
    }
}

impl FromField for Language {
    fn from_field(s: &str) -> Result<Self, String> {
        shown(Language::parse(s))
    }
}

impl FromField for Citizenship {
    fn from_field(s: &str) -> Result<Self, String> {
        shown(Citizenship::parse(s))
    }
}

impl FromField for Phone {
    fn from_field(s: &str) -> Result<Self, String> {
        shown(Phone::parse(s))
    }
}

impl FromField for Email {
    fn from_field(s: &str) -> Result<Self, String> {
        shown(Email::parse(s))
    }
}

impl FromField for Bin {
    fn from_field(s: &str) -> Result<Self, String> {
        shown(Bin::parse(s))
    }
}

impl FromField for Iin {
    fn from_field(s: &str) -> Result<Self, String> {
        shown(Iin::parse(s))
    }
}

impl FromField for Sex {
    fn from_field(s: &str) -> Result<Self, String> {
        match s {
            "male" => Ok(Sex::Male),
            "female" => Ok(Sex::Female),
            _ => Err("is not male or female".to_owned()),
        }
    }
}

/// `service`: always `trp` for this worker.
pub struct Service;

impl FromField for Service {
    fn from_field(s: &str) -> Result<Self, String> {
        match s {
            "trp" => Ok(Service),
            _ => Err("is not trp".to_owned()),
        }
    }
}

/// A JSON boolean.
pub struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match value(d)? {
            Value::Bool(b) => Ok(Flag(b)),
            Value::Null => Err(de::Error::custom("is missing")),
            _ => Err(de::Error::custom("is not true or false")),
        }
    }
}

/// A listed document's digest, kept even when it is not a well-formed SHA-256: its failure
/// has a code of its own (`documents.invalid_digest`), not `documents.malformed`.
pub struct Digest(pub Result<Sha256, ValueError>);

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Digest(match value(d)? {
            Value::String(s) => Sha256::parse(&s),
            Value::Null => Err(ValueError("is missing")),
            _ => Err(ValueError("is not a string")),
        }))
    }
}

impl Default for Digest {
    fn default() -> Self {
        Digest(Err(ValueError("is missing")))
    }
}

/// `contacts.channels`: each `sms` or `email`, in order, a repeat dropped.
pub struct Channels(pub Vec<Channel>);

impl<'de> Deserialize<'de> for Channels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = match value(d)? {
            Value::Array(items) => items,
            Value::Null => return Err(de::Error::custom("is missing")),
            _ => return Err(de::Error::custom("is not a list")),
        };
        let mut channels = Vec::new();
        for item in items {
            let channel = match item.as_str() {
                Some("sms") => Channel::Sms,
                Some("email") => Channel::Email,
                _ => return Err(de::Error::custom("lists something other than sms or email")),
            };
            if !channels.contains(&channel) {
                channels.push(channel);
            }
        }
        Ok(Channels(channels))
    }
}

#[derive(Deserialize)]
pub struct Document {
    /// Checked (it must be `trp`), then not needed.
    #[serde(rename = "service")]
    pub _service: Field<Service>,
    pub subspecies: Field<Subspecies>,
    pub language: Field<Language>,
    /// Required, as are the other objects read as `Option` here: serde cannot tell a
    /// missing object from a `null` one, and both are "is missing" (`super::required`).
    pub applicant: Option<Applicant>,
    pub permit: Option<Permit>,
    #[serde(default)]
    pub biometrics: Option<Biometrics>,
    #[serde(default)]
    pub employer: Option<Employer>,
    #[serde(default)]
    pub host: Option<Host>,
    #[serde(default)]
    pub institution: Option<Institution>,
    pub documents: Option<Vec<DocumentEntry>>,
    // `payment` is null for this free service (contract section 3) and not read.
}

#[derive(Deserialize)]
pub struct Applicant {
    /// Kept as written, even when not a valid IIN: its failure is `eligibility.iin_invalid`.
    pub iin: Field<String>,
    pub surname: NonEmpty,
    pub given_name: NonEmpty,
    #[serde(default)]
    pub patronymic: Option<Field<String>>,
    pub birth_date: Field<Date>,
    pub sex: Field<Sex>,
    pub citizenship: Field<Citizenship>,
    pub passport: Option<Passport>,
    pub contacts: Option<Contacts>,
}

#[derive(Deserialize)]
pub struct Passport {
    pub number: NonEmpty,
    pub country: Field<Citizenship>,
    pub issued_on: Field<Date>,
    pub expires_on: Field<Date>,
}

#[derive(Deserialize)]
pub struct Contacts {
    #[serde(default)]
    pub phone: Option<Field<Phone>>,
    #[serde(default)]
    pub email: Option<Field<Email>>,
    pub channels: Channels,
}

#[derive(Deserialize)]
pub struct Permit {
    pub from: Field<Date>,
    pub until: Field<Date>,
}

#[derive(Deserialize)]
pub struct Biometrics {
    #[serde(default)]
    pub fingerprint_record: Option<Field<String>>,
}

#[derive(Deserialize)]
pub struct Employer {
    pub bin: Field<Bin>,
    pub name: NonEmpty,
    pub household: Flag,
    #[serde(default)]
    pub contract: Option<Contract>,
}

#[derive(Deserialize)]
pub struct Contract {
    pub number: NonEmpty,
    pub signed_on: Field<Date>,
    pub valid_until: Field<Date>,
}

#[derive(Deserialize)]
pub struct Host {
    pub iin: Field<Iin>,
    pub relation: NonEmpty,
}

#[derive(Deserialize)]
pub struct Institution {
    pub bin: Field<Bin>,
    pub name: NonEmpty,
}

#[derive(Deserialize)]
pub struct DocumentEntry {
    pub kind: NonEmpty,
    #[serde(default)]
    pub number: Option<Field<String>>,
    #[serde(default)]
    pub sha256: Digest,
}

/// What [`super::salvage_contacts`] reads of a document that does not parse as a whole:
/// the language and the contacts, whatever else is there or wrong.
#[derive(Deserialize)]
pub struct Salvage {
    pub language: Field<Language>,
    pub applicant: SalvageApplicant,
}

#[derive(Deserialize)]
pub struct SalvageApplicant {
    pub contacts: Contacts,
}

/// Reads `value` as a `T`; the error is one line, `path what`, that names the field and
/// never echoes a value.
pub fn read<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let path = e.path().to_string();
        detail(&path, &e.into_inner().to_string())
    })
}

/// Serde's message `message` about the value at `path`, in our words.
fn detail(path: &str, message: &str) -> String {
    let at = |field: &str| match path {
        "." => field.to_owned(),
        _ => format!("{path}.{field}"),
    };
    let here = if path == "." { "the document" } else { path };
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    if let Some(field) = quoted("missing field `") {
        return format!("{} is missing", at(&field));
    }
    if let Some(expected) = message
        .strip_prefix("invalid type: ")
        .and_then(|m| m.split_once(", expected ").map(|(_, e)| e))
    {
        let what = if expected.starts_with("struct") || expected.contains("map") {
            "is not an object"
        } else if expected.contains("sequence") {
            "is not a list"
        } else {
            "is not of its type"
        };
        return format!("{here} {what}");
    }
    // Our own messages (`is not a date YYYY-MM-DD`) and anything else: never a value of
    // the document, because no Deserialize of ours puts one in.
    if message.starts_with("invalid ") {
        return format!("{here} is not of its form");
    }
    format!("{here} {message}")
}
