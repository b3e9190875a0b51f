//! Test helpers: the contract's sample request, changed one field at a time, and the facts
//! and rules under which it is approved.

use serde_json::Value;
use time::macros::date;
use time::Date;

use super::facts::Facts;
use crate::domain::request::ERequest;
use crate::domain::rules::Rules;
use crate::domain::sample;

/// The shipped rules, read from the file an operator edits.
pub fn rules() -> Rules {
    Rules::parse(include_str!("../../config/rules.toml")).expect("shipped rules parse")
}

/// The sample's submission date (2026-11-24 in Kazakhstan).
pub const SUBMITTED_ON: Date = date!(2026 - 11 - 24);

/// Facts under which the sample is approved.
pub fn facts() -> Facts {
    Facts::sample()
}

/// The sample with `change` applied to its JSON, parsed.
pub fn request_with(change: impl FnOnce(&mut Value)) -> ERequest {
    let mut v = sample::request();
    change(&mut v);
    ERequest::parse(&serde_json::to_vec(&v).expect("json")).expect("still parses")
}

pub fn request() -> ERequest {
    request_with(|_| {})
}

pub use crate::domain::sample::{remove, set};
