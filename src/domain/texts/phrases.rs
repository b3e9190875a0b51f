//! The phrase table a language fills in, so that the composers (`status_text`, `sms`,
//! `email`) stay language-blind. One table per language: `kk.rs`, `ru.rs`, `en.rs`.

use super::Notice;
use crate::domain::ids::Language;

/// Everything one language says, apart from the reasons (those are in `reasons.rs`).
/// Sentences end with their full stop; the composers only join them with spaces.
pub(super) struct Phrases {
    pub language: Language,
    /// Names the application and the outcome; for `received` also the deadline, for
    /// `approved` the permit number and its validity. Opens the status text and the SMS.
    pub outcome: fn(id: &str, notice: &Notice<'_>) -> String,
    /// Introduces the list of short reasons, e.g. `"Reasons: "`.
    pub reasons_label: &'static str,
    /// Says "and N more" when the SMS cannot list every reason, and where to read them.
    pub more: fn(hidden: usize) -> String,
    /// How to appeal or re-apply, in general words.
    pub appeal: &'static str,
    /// Where to read more: the personal account at egov.kz.
    pub details: &'static str,
    /// Labels the application number at the top of the e-mail's HTML, e.g. `"Application No."`.
    pub application_label: &'static str,
    /// The e-mail's subject.
    pub subject: fn(id: &str, notice: &Notice<'_>) -> String,
    pub greeting: &'static str,
    /// The e-mail's first paragraph: the application and the outcome, addressed to the reader.
    pub lead: fn(id: &str, notice: &Notice<'_>) -> String,
    /// Labelled values under the lead: the deadline, or the permit number and validity.
    pub facts: fn(notice: &Notice<'_>) -> Vec<(&'static str, String)>,
    /// Heads the e-mail's list of reasons.
    pub reasons_heading: &'static str,
    /// The e-mail's last paragraph before the footer: what happens next, how to appeal.
    pub next_steps: fn(notice: &Notice<'_>) -> &'static str,
    pub footer: &'static str,
}

/// The table of a language.
pub(super) fn of(language: Language) -> &'static Phrases {
    match language {
        Language::Kk => &super::kk::PHRASES,
        Language::Ru => &super::ru::PHRASES,
        Language::En => &super::en::PHRASES,
    }
}
