//! The English phrase table (plain English).

use super::dates::{date, date_time};
use super::phrases::Phrases;
use super::Notice;
use crate::domain::ids::Language;

const EN: Language = Language::En;

pub(super) static PHRASES: Phrases = Phrases {
    language: EN,
    outcome,
    reasons_label: "Reasons: ",
    more: |hidden| format!("and {hidden} more: see your e-mail or personal account at egov.kz"),
    appeal: "You may file a complaint against the decision or apply again.",
    details: "Details: your personal account at egov.kz.",
    application_label: "Application No.",
    subject,
    greeting: "Dear applicant,",
    lead,
    facts,
    reasons_heading: "Reasons for refusal:",
    next_steps,
    footer: "This message was sent automatically; please do not reply to it.",
};

fn outcome(id: &str, notice: &Notice<'_>) -> String {
    match notice {
        Notice::Received { due_at } => format!(
            "Application {id} for a temporary residence permit has been received. \
             The decision will be made by {} (Astana time).",
            date_time(EN, *due_at)
        ),
        Notice::Approved {
            permit_number,
            valid_from,
            valid_until,
        } => format!(
            "Application {id}: temporary residence permit No. {permit_number} has been \
             granted, valid from {} to {}.",
            date(EN, *valid_from),
            date(EN, *valid_until)
        ),
        Notice::Refused { .. } => {
            format!("Application {id} for a temporary residence permit has been refused.")
        }
    }
}

fn subject(id: &str, notice: &Notice<'_>) -> String {
    format!(
        "Temporary residence permit: application {id} {}",
        notice.state()
    )
}

fn lead(id: &str, notice: &Notice<'_>) -> String {
    match notice {
        Notice::Received { .. } => format!(
            "Your application {id} for a temporary residence permit has been received and is \
             being considered."
        ),
        Notice::Approved { .. } => format!(
            "Your application {id} has been approved: you have been granted a temporary \
             residence permit."
        ),
        Notice::Refused { .. } => {
            format!("Your application {id} for a temporary residence permit has been refused.")
        }
    }
}

fn facts(notice: &Notice<'_>) -> Vec<(&'static str, String)> {
    match notice {
        Notice::Received { due_at } => vec![(
            "Decision due by",
            format!("{} (Astana time)", date_time(EN, *due_at)),
        )],
        Notice::Approved {
            permit_number,
            valid_from,
            valid_until,
        } => vec![
            ("Permit number", (*permit_number).to_owned()),
            (
                "Valid",
                format!(
                    "from {} to {}",
                    date(EN, *valid_from),
                    date(EN, *valid_until)
                ),
            ),
        ],
        Notice::Refused { .. } => Vec::new(),
    }
}

fn next_steps(notice: &Notice<'_>) -> &'static str {
    match notice {
        Notice::Received { .. } => {
            "We will let you know when the decision is made. You can follow your application \
             in your personal account at egov.kz."
        }
        Notice::Approved { .. } => {
            "What to do next: keep the permit number, as you will need it while you stay in \
             Kazakhstan. To stay longer, apply to extend the permit before it ends. The permit \
             is also shown in your personal account at egov.kz."
        }
        Notice::Refused { .. } => {
            "What you can do next: appeal against this decision, in writing or through \
             egov.kz, to the body that made it or to a higher body, or go to court; or apply \
             again once the reasons above have been dealt with. The decision is also shown in \
             your personal account at egov.kz."
        }
    }
}
