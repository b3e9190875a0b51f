//! The messages the worker publishes (contract sections 5 and 6): `trp.decision.v1` to the
//! decisions exchange and `trp.status.v1` to the status exchange. Built once, stored in the
//! outbox as bytes, and published from there as they are, so that a message that goes out
//! twice carries the same `message_id` and the same bytes.

use serde::Serialize;
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use super::decision::{Decision, Outcome};
use super::ids::ApplicationId;
use super::instant::KZ_OFFSET;
use super::texts::{self, Notice};

pub const DECISION_SCHEMA: &str = "trp.decision.v1";
pub const STATUS_SCHEMA: &str = "trp.status.v1";

/// Which exchange a message goes to; the names are configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Destination {
    Decisions,
    Status,
}

impl Destination {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Decisions => "decisions",
            Self::Status => "status",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "decisions" => Some(Self::Decisions),
            "status" => Some(Self::Status),
            _ => None,
        }
    }
}

/// One message ready to publish: AMQP `message_id`, `type` and `timestamp` come from here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub message_id: Uuid,
    pub destination: Destination,
    pub routing_key: String,
    /// The schema name, sent as the AMQP `type`.
    pub schema: &'static str,
    pub timestamp: OffsetDateTime,
    pub body: Vec<u8>,
}

/// An instant as the contract writes it: RFC 3339 in Kazakhstan's offset.
pub fn kz_rfc3339(at: OffsetDateTime) -> String {
    let local = at.checked_to_offset(KZ_OFFSET).unwrap_or(at);
    local
        .format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

#[derive(Serialize)]
struct PermitBody<'a> {
    number: &'a str,
    subspecies: &'static str,
    valid_from: String,
    valid_until: String,
}

/// `trp.decision.v1`. `permit_number` is the number the store gave an approval.
pub fn decision(
    application_id: &ApplicationId,
    decision: &Decision,
    permit_number: Option<&str>,
    message_id: Uuid,
) -> Outgoing {
    let permit = decision
        .permit
        .zip(permit_number)
        .map(|(p, number)| PermitBody {
            number,
            subspecies: p.subspecies.as_str(),
            valid_from: p.valid_from.to_string(),
            valid_until: p.valid_until.to_string(),
        });
    let checks: Vec<_> = decision
        .checks
        .iter()
        .map(|c| json!({ "name": c.name.as_str(), "passed": c.passed() }))
        .collect();
    let reasons: Vec<_> = decision
        .reasons
        .iter()
        .map(|r| {
            json!({ "code": r.code.as_str(), "ground": r.ground.as_str(),
                    "basis": r.basis, "detail": r.detail })
        })
        .collect();
    let body = json!({
        "schema": DECISION_SCHEMA,
        "message_id": message_id.to_string(),
        "application_id": application_id.as_ref(),
        "outcome": decision.outcome.as_str(),
        "decided_at": kz_rfc3339(decision.decided_at),
        "due_at": kz_rfc3339(decision.due_at),
        "permit": permit,
        "reasons": reasons,
        "checks": checks,
    });
    Outgoing {
        message_id,
        destination: Destination::Decisions,
        routing_key: format!("decision.{}", decision.outcome.as_str()),
        schema: DECISION_SCHEMA,
        timestamp: decision.decided_at,
        body: serde_json::to_vec(&body).unwrap_or_default(),
    }
}

/// `trp.status.v1` for `notice` (received, approved or refused), at `at`.
pub fn status(
    application_id: &ApplicationId,
    notice: &Notice,
    at: OffsetDateTime,
    message_id: Uuid,
) -> Outgoing {
    let state = notice.state();
    let body = json!({
        "schema": STATUS_SCHEMA,
        "message_id": message_id.to_string(),
        "application_id": application_id.as_ref(),
        "state": state,
        "at": kz_rfc3339(at),
        "text": texts::status_text(application_id, notice),
    });
    Outgoing {
        message_id,
        destination: Destination::Status,
        routing_key: format!("status.{state}"),
        schema: STATUS_SCHEMA,
        timestamp: at,
        body: serde_json::to_vec(&body).unwrap_or_default(),
    }
}

/// The notice that tells the applicant of `decision`: every reason as the decision has it
/// (code, ground, detail), in order; the texts name a code found twice once in the SMS.
pub fn decision_notice<'a>(decision: &'a Decision, permit_number: Option<&'a str>) -> Notice<'a> {
    match (decision.outcome, decision.permit) {
        (Outcome::Approved, Some(p)) => {
            debug_assert!(permit_number.is_some(), "an approval has its permit number");
            Notice::Approved {
                permit_number: permit_number.unwrap_or_default(),
                valid_from: p.valid_from,
                valid_until: p.valid_until,
            }
        }
        _ => Notice::Refused {
            reasons: &decision.reasons,
        },
    }
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;
