//! The SMS length rule over the reason table: every combination of reasons that can occur
//! fits in [`SMS_MAX_CHARS`], and every reason is named or counted.

use super::*;
use crate::domain::reason::{CheckName, Reason};
use crate::domain::texts::samples;
use proptest::prelude::*;
use time::macros::{date, datetime};

fn long_id() -> ApplicationId {
    ApplicationId::parse(&"W".repeat(64)).expect("64 characters of A-Z")
}

fn usual_id() -> ApplicationId {
    ApplicationId::parse("TRP-2026-000123").expect("valid id")
}

fn any_notice(reasons: &[Reason], which: u8) -> Notice<'_> {
    match which {
        0 => Notice::Received {
            due_at: datetime!(2026-11-25 18:00 +05:00),
        },
        1 => Notice::Approved {
            permit_number: "KZ-TRP-2026-00000000000000000123",
            valid_from: date!(2026 - 12 - 01),
            valid_until: date!(2029 - 11 - 30),
        },
        _ => Notice::Refused { reasons },
    }
}

/// The SMS for `reasons` fits, names the application, and names or counts every code.
fn check(language: Language, id: &ApplicationId, reasons: &[Reason]) {
    let notice = Notice::Refused { reasons };
    let text = sms(language, id, &notice);
    assert!(
        fits(&text),
        "{language:?}: {} chars: {text}",
        text.chars().count()
    );
    assert!(text.contains(id.as_ref()), "{language:?}: {text}");
    let codes = super::super::codes_once(reasons);
    let p = phrases::of(language);
    let (full, listed) = refused(p, id.as_ref(), &notice, &codes);
    assert_eq!(full, text, "no clamping was needed");
    for &code in codes.iter().take(listed) {
        assert!(
            text.contains(reasons::short(language, code)),
            "{code}: {text}"
        );
    }
    let hidden = codes.len() - listed;
    if hidden > 0 {
        assert!(text.contains(&(p.more)(hidden)), "{language:?}: {text}");
    }
    assert!(text.contains("egov.kz"), "{language:?}: {text}");
}

/// Every set of codes of at most three, every set with one code from each check (all three
/// checks failing at once), every set of all codes but one, and all of them; each code with
/// its longest detail, and every code that can come twice (two details) doubled.
fn combinations() -> Vec<Vec<ReasonCode>> {
    let all = ReasonCode::ALL;
    let mut sets: Vec<Vec<ReasonCode>> = vec![all.to_vec()];
    for (i, &a) in all.iter().enumerate() {
        sets.push(vec![a]);
        sets.push(all.iter().copied().filter(|&c| c != a).collect());
        for (j, &b) in all.iter().enumerate().skip(i + 1) {
            sets.push(vec![a, b]);
            for &c in all.iter().skip(j + 1) {
                sets.push(vec![a, b, c]);
            }
        }
    }
    let by_check = |check| all.iter().copied().filter(move |c| c.check() == check);
    for s in by_check(CheckName::Signature) {
        for d in by_check(CheckName::Documents) {
            for e in by_check(CheckName::Eligibility) {
                sets.push(vec![s, d, e]);
            }
        }
        // One signature failure with every failure of the other two checks.
        let mut many = vec![s];
        many.extend(by_check(CheckName::Documents));
        many.extend(by_check(CheckName::Eligibility));
        sets.push(many);
    }
    sets
}

#[test]
fn every_combination_of_reasons_fits_in_every_language() {
    let sets = combinations();
    assert!(sets.len() > 1500, "{}", sets.len());
    for codes in &sets {
        let reasons = samples::reasons(codes);
        // Codes that can be found twice (two documents, two dates) carry every detail.
        let doubled: Vec<Reason> = samples::every_reason()
            .into_iter()
            .filter(|r| codes.contains(&r.code))
            .collect();
        for language in Language::ALL {
            for id in [long_id(), usual_id()] {
                check(language, &id, &reasons);
                check(language, &id, &doubled);
            }
        }
    }
}

#[test]
fn every_reason_at_once_fits_with_the_longest_id() {
    let all = samples::every_reason();
    for language in Language::ALL {
        let notice = Notice::Refused { reasons: &all };
        let p = phrases::of(language);
        let (text, listed) = refused(p, long_id().as_ref(), &notice, ReasonCode::ALL);
        assert!(fits(&text), "{language:?}");
        assert!(listed > 0, "{language:?}: {text}");
        check(language, &long_id(), &all);
    }
}

#[test]
fn any_single_reason_is_listed_in_words_with_the_longest_id() {
    for language in Language::ALL {
        let p = phrases::of(language);
        for code in ReasonCode::ALL.chunks(1) {
            let reasons = samples::reasons(code);
            let notice = Notice::Refused { reasons: &reasons };
            let (text, listed) = refused(p, long_id().as_ref(), &notice, code);
            assert_eq!(listed, 1, "{language:?}: {text}");
        }
    }
}

#[test]
fn a_code_found_twice_is_one_phrase() {
    let twice = samples::every_reason()
        .into_iter()
        .filter(|r| r.code == ReasonCode::EligibilityTerm)
        .collect::<Vec<_>>();
    assert!(twice.len() > 1);
    let text = sms(
        Language::En,
        &usual_id(),
        &Notice::Refused { reasons: &twice },
    );
    let phrase = reasons::short(Language::En, ReasonCode::EligibilityTerm);
    assert_eq!(text.matches(phrase).count(), 1, "{text}");
}

proptest! {
    #[test]
    fn fits_and_accounts_for_every_reason(
        picks in proptest::sample::subsequence(samples::every_reason(), 0..=30),
        language in proptest::sample::select(Language::ALL.to_vec()),
        which in 0u8..3,
        id_len in 1usize..=64,
    ) {
        let id = ApplicationId::parse(&"A".repeat(id_len)).expect("valid id");
        let notice = any_notice(&picks, which);
        let text = sms(language, &id, &notice);
        prop_assert!(text.chars().count() <= SMS_MAX_CHARS, "{}", text);
        prop_assert!(text.contains(id.as_ref()));
        if let Notice::Refused { reasons } = notice {
            if !reasons.is_empty() {
                check(language, &id, reasons);
            }
        }
    }
}
