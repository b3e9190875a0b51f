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
        Notice::Refused { reasons } => refused(p, id, notice, reasons).0,
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
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    fn long_id() -> ApplicationId {
        ApplicationId::parse(&"W".repeat(64)).expect("64 characters of A-Z")
    }

    fn any_notice(codes: &[ReasonCode], which: u8) -> Notice<'_> {
        match which {
            0 => Notice::Received {
                due_at: datetime!(2026-11-25 18:00 +05:00),
            },
            1 => Notice::Approved {
                permit_number: "KZ-TRP-2026-00000000000000000123",
                valid_from: date!(2026 - 12 - 01),
                valid_until: date!(2029 - 11 - 30),
            },
            _ => Notice::Refused { reasons: codes },
        }
    }

    #[test]
    fn every_reason_at_once_fits_with_the_longest_id() {
        for language in Language::ALL {
            let notice = Notice::Refused {
                reasons: ReasonCode::ALL,
            };
            let p = phrases::of(language);
            let (text, listed) = refused(p, long_id().as_ref(), &notice, ReasonCode::ALL);
            assert!(fits(&text), "{language:?}");
            assert!(listed > 0, "{language:?}: {text}");
            let text = sms(language, &long_id(), &notice);
            assert!(
                text.chars().count() <= SMS_MAX_CHARS,
                "{language:?}: {text}"
            );
            assert!(text.contains("egov.kz"), "{language:?}: {text}");
        }
    }

    #[test]
    fn any_single_reason_is_listed_in_words_with_the_longest_id() {
        for language in Language::ALL {
            let p = phrases::of(language);
            for code in ReasonCode::ALL.chunks(1) {
                let notice = Notice::Refused { reasons: code };
                let (text, listed) = refused(p, long_id().as_ref(), &notice, code);
                assert_eq!(listed, 1, "{language:?}: {text}");
            }
        }
    }

    proptest! {
        #[test]
        fn fits_and_accounts_for_every_reason(
            picks in proptest::sample::subsequence(ReasonCode::ALL, 0..=ReasonCode::ALL.len()),
            language in proptest::sample::select(Language::ALL.to_vec()),
            which in 0u8..3,
            id_len in 1usize..=64,
        ) {
            let id = ApplicationId::parse(&"A".repeat(id_len)).expect("valid id");
            let notice = any_notice(&picks, which);
            let text = sms(language, &id, &notice);
            prop_assert!(text.chars().count() <= SMS_MAX_CHARS, "{}", text);
            prop_assert!(text.contains(id.as_ref()));
            if let Notice::Refused { reasons: codes } = notice {
                let p = phrases::of(language);
                let (full, listed) = refused(p, id.as_ref(), &notice, codes);
                prop_assert_eq!(&full, &text, "no clamping was needed");
                for &code in codes.iter().take(listed) {
                    prop_assert!(text.contains(reasons::short(language, code)));
                }
                let hidden = codes.len() - listed;
                if hidden > 0 {
                    prop_assert!(text.contains(&(p.more)(hidden)), "{}", text);
                }
            }
        }
    }
}
