//! The three languages hold together: every phrase and every reason has words in every
//! language, no English is left in the Kazakh and Russian texts, and no placeholder is left
//! unfilled. Runs over every notice and every reason the checks can give.

use time::macros::{date, datetime};

use super::specifics::Kind;
use super::*;

/// ASCII words allowed in kk and ru: the portal, the SMS code, and (removed before the
/// check) the application and permit numbers. Words of three letters or fewer pass (e.g.
/// `kz`, `s`), since abbreviations of that length are not English sentences.
const ALLOWED_ASCII: &[&str] = &["egov", "SMS"];
const ID: &str = "TRP-2026-000123";
const PERMIT: &str = "TRP-P-2026-004521";

fn every_text(language: Language) -> Vec<String> {
    let id = ApplicationId::parse(ID).expect("valid id");
    let all = samples::every_reason();
    let notices = [
        Notice::Received {
            due_at: datetime!(2026-11-25 13:00 UTC),
        },
        Notice::Approved {
            permit_number: PERMIT,
            valid_from: date!(2026 - 12 - 01),
            valid_until: date!(2027 - 11 - 30),
        },
        Notice::Refused { reasons: &all },
        Notice::Refused { reasons: &[] },
    ];
    let mut texts = Vec::new();
    for notice in &notices {
        let status = status_text(&id, notice);
        texts.push(match language {
            Language::Kk => status.kk,
            Language::Ru => status.ru,
            Language::En => status.en,
        });
        texts.push(sms(language, &id, notice));
        let mail = email(language, &id, notice);
        texts.extend([mail.subject, mail.text]);
    }
    let p = phrases::of(language);
    for hidden in 1..=ReasonCode::ALL.len() {
        texts.push((p.more)(hidden));
    }
    for reason in &all {
        texts.push(reason_in_full(language, reason));
        texts.push(reason_phrase(language, reason.code).to_owned());
        texts.push(reason_text(language, reason.code).to_owned());
    }
    for kind in Kind::ALL {
        texts.push(specifics_words::kind(language, kind).to_owned());
    }
    texts
}

#[test]
fn every_key_has_words_in_every_language() {
    for language in Language::ALL {
        let p = phrases::of(language);
        for fixed in [
            p.reasons_label,
            p.application_label,
            p.appeal,
            p.details,
            p.greeting,
            p.reasons_heading,
            p.footer,
        ] {
            assert!(!fixed.trim().is_empty(), "{language:?}");
        }
        for text in every_text(language) {
            assert!(!text.trim().is_empty(), "{language:?}: an empty text");
        }
    }
    // The same keys give different words in different languages.
    let [kk, ru, en] = Language::ALL.map(every_text);
    assert_eq!(kk.len(), ru.len());
    assert_eq!(ru.len(), en.len());
    for i in 0..kk.len() {
        // Kind names may coincide (`паспорт`), sentences may not.
        if kk[i].contains(' ') {
            assert!(kk[i] != ru[i] && ru[i] != en[i], "{}", en[i]);
        }
    }
}

/// The ASCII words of `text` longer than three letters that are not allowed tokens.
fn english_words(text: &str) -> Vec<String> {
    let text = text.replace(ID, " ").replace(PERMIT, " ");
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() > 3 && !ALLOWED_ASCII.contains(w))
        .map(str::to_owned)
        .collect()
}

#[test]
fn no_english_is_left_in_kazakh_or_russian() {
    assert_eq!(
        english_words("Подробнее — egov.kz, № TRP-2026-000123"),
        Vec::<String>::new()
    );
    assert_eq!(english_words("Причины: permit term"), ["permit", "term"]);
    for language in [Language::Kk, Language::Ru] {
        for text in every_text(language) {
            let found = english_words(&text);
            assert!(found.is_empty(), "{language:?}: {found:?} in {text}");
        }
    }
}

#[test]
fn every_placeholder_is_filled() {
    for language in Language::ALL {
        for text in every_text(language) {
            for left in ["{", "}", "  ", " .", " ,", "..", "None", "Some("] {
                assert!(!text.contains(left), "{language:?}: {left:?} in {text}");
            }
        }
    }
}
