//! Snapshot tests of every text a person reads, per language and notice, and the checks
//! that hold for all of them. Snapshots live in `snapshots/`; see `docs/texts.md`.

use std::fmt::Write as _;

use time::macros::{date, datetime};

use super::*;
use crate::domain::reason::Reason;

const TWO: &[ReasonCode] = &[
    ReasonCode::DocumentsPassportExpires,
    ReasonCode::EligibilityFingerprintsMissing,
];
const THREE: &[ReasonCode] = &[
    ReasonCode::SignatureOtpExpired,
    ReasonCode::DocumentsMissing,
    ReasonCode::EligibilityHouseholdQuota,
];

fn id() -> ApplicationId {
    ApplicationId::parse("TRP-2026-000123").expect("valid id")
}

static TWO_REASONS: std::sync::LazyLock<Vec<Reason>> =
    std::sync::LazyLock::new(|| samples::reasons(TWO));
static THREE_REASONS: std::sync::LazyLock<Vec<Reason>> =
    std::sync::LazyLock::new(|| samples::reasons(THREE));
static ALL_REASONS: std::sync::LazyLock<Vec<Reason>> =
    std::sync::LazyLock::new(|| samples::reasons(ReasonCode::ALL));

fn notices() -> [(&'static str, Notice<'static>); 5] {
    [
        (
            "received",
            Notice::Received {
                // Given in UTC on purpose: the texts must show 18:00 Astana time.
                due_at: datetime!(2026-11-25 13:00 UTC),
            },
        ),
        (
            "approved",
            Notice::Approved {
                permit_number: "TRP-P-2026-004521",
                valid_from: date!(2026 - 12 - 01),
                valid_until: date!(2027 - 11 - 30),
            },
        ),
        (
            "refused_two",
            Notice::Refused {
                reasons: &TWO_REASONS,
            },
        ),
        (
            "refused_three",
            Notice::Refused {
                reasons: &THREE_REASONS,
            },
        ),
        (
            "refused_all",
            Notice::Refused {
                reasons: &ALL_REASONS,
            },
        ),
    ]
}

fn status_in(language: Language, notice: &Notice) -> String {
    let all = status_text(&id(), notice);
    match language {
        Language::Kk => all.kk,
        Language::Ru => all.ru,
        Language::En => all.en,
    }
}

/// Everything one person reads for one notice, in one file a reviewer can read top to bottom.
fn everything(language: Language, notice: &Notice) -> String {
    let sms = sms(language, &id(), notice);
    let mail = email(language, &id(), notice);
    let mut out = String::new();
    let _ = writeln!(out, "=== status ===\n{}\n", status_in(language, notice));
    let _ = writeln!(out, "=== sms ({} chars) ===\n{sms}\n", sms.chars().count());
    let _ = writeln!(out, "=== e-mail subject ===\n{}\n", mail.subject);
    let _ = writeln!(out, "=== e-mail text ===\n{}", mail.text);
    let _ = write!(out, "=== e-mail html ===\n{}", mail.html);
    out
}

#[test]
fn snapshots_per_language_and_notice() {
    for language in Language::ALL {
        for (name, notice) in notices() {
            let snapshot = format!("{}_{name}", language.as_str());
            insta::assert_snapshot!(snapshot, everything(language, &notice));
        }
    }
}

#[test]
fn status_event_text_has_the_contract_shape() {
    let (_, notice) = &notices()[2];
    insta::assert_json_snapshot!("status_refused_two", status_text(&id(), notice));
}

/// Words that say the outcome; one of them must be in every text.
fn outcome_words(language: Language, notice: &Notice) -> &'static [&'static str] {
    match (language, notice) {
        (Language::Kk, Notice::Received { .. }) => &["қабылдан"],
        (Language::Kk, Notice::Approved { .. }) => &["берілді"],
        (Language::Kk, Notice::Refused { .. }) => &["бас тарт"],
        (Language::Ru, Notice::Received { .. }) => &["принята"],
        (Language::Ru, Notice::Approved { .. }) => &["выдано", "одобрена"],
        (Language::Ru, Notice::Refused { .. }) => &["отказано", "отклонена"],
        (Language::En, Notice::Received { .. }) => &["received"],
        (Language::En, Notice::Approved { .. }) => &["granted", "approved"],
        (Language::En, Notice::Refused { .. }) => &["refused"],
    }
}

#[test]
fn every_text_names_the_application_and_the_outcome() {
    for language in Language::ALL {
        for (_, notice) in notices() {
            let mail = email(language, &id(), &notice);
            let texts = [
                status_in(language, &notice),
                sms(language, &id(), &notice),
                mail.subject,
                mail.text,
                mail.html,
            ];
            let outcome = outcome_words(language, &notice);
            for text in &texts {
                assert!(text.contains("TRP-2026-000123"), "{language:?}: {text}");
                assert!(
                    outcome.iter().any(|w| text.contains(w)),
                    "{language:?}: {text}"
                );
                if let Notice::Approved { permit_number, .. } = notice {
                    assert!(text.contains(permit_number) || text == &texts[2]);
                }
            }
        }
    }
}

#[test]
fn received_shows_the_deadline_on_astana_time() {
    let (_, notice) = &notices()[0];
    let status = status_text(&id(), notice);
    assert!(status.kk.contains("25.11.2026 18:00"), "{}", status.kk);
    assert!(status.ru.contains("25.11.2026 18:00"), "{}", status.ru);
    assert!(
        status.en.contains("25 November 2026, 18:00"),
        "{}",
        status.en
    );
}

#[test]
fn refusals_give_every_reason_in_words_never_as_a_code() {
    let all = samples::every_reason();
    let notice = Notice::Refused { reasons: &all };
    for language in Language::ALL {
        let status = status_in(language, &notice);
        let mail = email(language, &id(), &notice);
        for reason in &all {
            assert!(mail.text.contains(&reason_in_full(language, reason)));
        }
        for &code in ReasonCode::ALL {
            assert!(status.contains(reason_phrase(language, code)), "{code}");
            for text in [
                &status,
                &mail.text,
                &mail.html,
                &sms(language, &id(), &notice),
            ] {
                assert!(!text.contains(code.as_str()), "{language:?} shows {code}");
            }
        }
    }
}

#[test]
fn kazakh_texts_are_in_kazakh_letters() {
    let kazakh = |s: &str| s.chars().any(|c| "әғқңөұүһі".contains(c));
    for (_, notice) in notices() {
        let mail = email(Language::Kk, &id(), &notice);
        for text in [
            status_in(Language::Kk, &notice),
            sms(Language::Kk, &id(), &notice),
        ] {
            assert!(kazakh(&text), "{text}");
        }
        assert!(kazakh(&mail.subject) && kazakh(&mail.text) && kazakh(&mail.html));
    }
}

#[test]
fn states_match_the_contract() {
    let states = notices().map(|(_, notice)| notice.state());
    assert_eq!(states[..3], ["received", "approved", "refused"]);
}

/// For one language, every reason the checks can give (each code with each detail it can
/// carry): the e-mail's paragraph, the short phrase, and the SMS of a refusal for it alone.
fn every_reason_in(language: Language) -> String {
    let mut out = String::new();
    for reason in samples::every_reason() {
        let alone = std::slice::from_ref(&reason);
        let sms = sms(language, &id(), &Notice::Refused { reasons: alone });
        let _ = writeln!(out, "=== {} | {} ===", reason.code, reason.detail);
        let _ = writeln!(out, "e-mail: {}", reason_in_full(language, &reason));
        let _ = writeln!(out, "phrase: {}", reason_phrase(language, reason.code));
        let _ = writeln!(out, "sms ({} chars): {sms}\n", sms.chars().count());
    }
    out
}

#[test]
fn snapshots_of_every_reason_per_language() {
    for language in Language::ALL {
        let snapshot = format!("{}_every_reason", language.as_str());
        insta::assert_snapshot!(snapshot, every_reason_in(language));
    }
}
