//! The SMS: the outcome, and for a refusal as many short reasons as fit in one text of at
//! most [`SMS_MAX_CHARS`] characters; the rest are counted ("and N more") and pointed to the
//! e-mail and the personal account.

use super::phrases::{self, Phrases};
use super::{reasons, Notice};
use crate::domain::ids::{ApplicationId, Language};
use crate::domain::reason::ReasonCode;

/// The longest SMS text the gateway takes (contract section 7), counted in characters: five
/// concatenated UCS-2 parts of 67, as Cyrillic text is always sent in UCS-2.
pub const SMS_MAX_CHARS: usize = 335;

/// The SMS text in `language`; never longer than [`SMS_MAX_CHARS`] characters.
pub fn sms(language: Language, application_id: &ApplicationId, notice: &Notice) -> String {
    let p = phrases::of(language);
    let id = application_id.as_ref();
    let text = match notice {
        Notice::Refused { reasons } => refused(p, id, notice, &super::codes_once(reasons)).0,
        Notice::Received { .. } | Notice::Approved { .. } => {
            format!("{} {}", (p.outcome)(id, notice), p.details)
        }
    };
    clamp(text)
}

/// The refusal SMS and how many reasons it lists in words (the others are counted). Tries
/// every reason first, then one fewer at a time, until the text fits.
fn refused(p: &Phrases, id: &str, notice: &Notice, codes: &[ReasonCode]) -> (String, usize) {
    let head = (p.outcome)(id, notice);
    let words: Vec<&str> = codes
        .iter()
        .map(|&code| reasons::short(p.language, code))
        .collect();
    (0..=words.len())
        .rev()
        .map(|listed| (compose(p, &head, &words, listed), listed))
        .find(|(text, _)| fits(text))
        // Unreachable with a 64-character id (a test shows it); `clamp` still caps it.
        .unwrap_or_else(|| (compose(p, &head, &words, 0), 0))
}

/// `head`, the first `listed` reasons, "and N more" for the rest, then how to appeal. The
/// pointer to the personal account is left out when "and N more" already gives it.
fn compose(p: &Phrases, head: &str, words: &[&str], listed: usize) -> String {
    if words.is_empty() {
        return format!("{head} {} {}", p.appeal, p.details);
    }
    let hidden = words.len().saturating_sub(listed);
    let mut list = words
        .iter()
        .take(listed)
        .copied()
        .collect::<Vec<_>>()
        .join("; ");
    if hidden == 0 {
        return format!(
            "{head} {}{list}. {} {}",
            p.reasons_label, p.appeal, p.details
        );
    }
    if listed > 0 {
        list.push_str("; ");
    }
    list.push_str(&(p.more)(hidden));
    format!("{head} {}{list}. {}", p.reasons_label, p.appeal)
}

fn fits(text: &str) -> bool {
    text.chars().count() <= SMS_MAX_CHARS
}

/// The last guard: only an absurdly long permit number could make a text this long, and a
/// cut text still beats a notification the gateway rejects for good.
fn clamp(text: String) -> String {
    if fits(&text) {
        text
    } else {
        text.chars().take(SMS_MAX_CHARS).collect()
    }
}

#[cfg(test)]
#[path = "sms_tests.rs"]
mod tests;
