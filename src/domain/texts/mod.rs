//! The texts the applicant reads: status events, SMS and e-mail, in Kazakh, Russian and
//! English. Pure: values in, strings out; no I/O, no clock.
//!
//! Where things live: `reasons.rs` explains every reason code (long for e-mail, short for
//! SMS and status); `kk.rs`, `ru.rs`, `en.rs` fill in the phrase table of `phrases.rs`;
//! `sms.rs` and `email.rs` compose those phrases and know nothing of any one language.
//! No text carries personal data: only the application number, the permit number and dates.

#[cfg(test)]
mod consistency_tests;
mod dates;
mod email;
mod en;
mod kk;
mod phrases;
mod reasons;
mod ru;
#[cfg(test)]
pub(crate) mod samples;
mod sms;
mod specifics;
mod specifics_words;
#[cfg(test)]
mod tests;

pub use email::{email, EmailText};
pub use sms::{sms, SMS_MAX_CHARS};

use crate::domain::ids::{ApplicationId, Language};
use crate::domain::reason::{Reason, ReasonCode};

/// What the applicant is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice<'a> {
    /// The application was taken in; the decision comes by `due_at` (18:00 Astana time).
    Received { due_at: time::OffsetDateTime },
    /// A permit was issued.
    Approved {
        permit_number: &'a str,
        valid_from: time::Date,
        valid_until: time::Date,
    },
    /// The application was refused for these reasons, as the decision has them (code,
    /// ground and detail), in the order the checks gave them.
    Refused { reasons: &'a [Reason] },
}

impl Notice<'_> {
    /// The `state` of `trp.status.v1`.
    pub fn state(&self) -> &'static str {
        match self {
            Notice::Received { .. } => "received",
            Notice::Approved { .. } => "approved",
            Notice::Refused { .. } => "refused",
        }
    }
}

/// One text in each language: the `text` object of `trp.status.v1`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Localized {
    pub kk: String,
    pub ru: String,
    pub en: String,
}

/// The `text` of `trp.status.v1`, shown in the personal account's history: the outcome in a
/// sentence or two and, when refused, every reason as a short phrase and how to appeal.
pub fn status_text(application_id: &ApplicationId, notice: &Notice) -> Localized {
    let [kk, ru, en] = Language::ALL.map(|language| status_in(language, application_id, notice));
    Localized { kk, ru, en }
}

fn status_in(language: Language, application_id: &ApplicationId, notice: &Notice) -> String {
    let p = phrases::of(language);
    let outcome = (p.outcome)(application_id.as_ref(), notice);
    match notice {
        Notice::Refused { reasons } if !reasons.is_empty() => {
            let list: Vec<&str> = codes_once(reasons)
                .into_iter()
                .map(|code| reasons::short(language, code))
                .collect();
            format!(
                "{outcome} {}{}. {}",
                p.reasons_label,
                list.join("; "),
                p.appeal
            )
        }
        Notice::Refused { .. } => format!("{outcome} {}", p.appeal),
        Notice::Received { .. } | Notice::Approved { .. } => outcome,
    }
}

/// The codes of `reasons`, each once, in order: a code found twice (two dates wrong, two
/// documents missing) is one short phrase; the e-mail gives each reason in full.
pub(crate) fn codes_once(reasons: &[Reason]) -> Vec<ReasonCode> {
    let mut codes: Vec<ReasonCode> = Vec::with_capacity(reasons.len());
    for reason in reasons {
        if !codes.contains(&reason.code) {
            codes.push(reason.code);
        }
    }
    codes
}

/// One reason as the e-mail gives it: what exactly went wrong (from its detail, where the
/// detail says which date, document or limit), what to do, and its legal ground.
pub fn reason_in_full(language: Language, reason: &Reason) -> String {
    reasons::in_full(language, reason)
}

/// A reason code in plain words: what went wrong and what the person can do about it.
pub fn reason_text(language: Language, code: ReasonCode) -> &'static str {
    reasons::long(language, code)
}

/// A reason code as a short phrase of a few words, as the SMS and the status history give it.
pub fn reason_phrase(language: Language, code: ReasonCode) -> &'static str {
    reasons::short(language, code)
}
