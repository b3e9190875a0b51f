//! The rows a decision causes: the permit, the decision, the outbox messages and the
//! notifications. Statements of one kind are sent together (tokio-postgres pipelines them).

use deadpool_postgres::Transaction;
use futures_util::future::try_join_all;
use uuid::Uuid;

use super::{json, Context, Prepared};
use crate::domain::decision::{Decision, PermitGrant};
use crate::domain::instant::KZ_OFFSET;
use crate::domain::messages::{self, Outgoing};
use crate::domain::request::{salvage_contacts, Channel, ERequest};
use crate::domain::texts::{self, Notice};
use crate::store::StoreError;

/// Gives the approval its number (`TRP-<year of decision at +05:00>-<8 digits>`) and
/// records the permit, so that it counts for the household quota from now on.
pub(super) async fn permit(
    tx: &Transaction<'_>,
    item: &Prepared,
    request: &ERequest,
    grant: &PermitGrant,
    decided_at: time::OffsetDateTime,
) -> Result<String, StoreError> {
    let next: i64 = tx
        .query_one("SELECT nextval('permit_number_seq')", &[])
        .await?
        .get(0);
    let year = decided_at.to_offset(KZ_OFFSET).year();
    let number = format!("TRP-{year}-{next:08}");
    let employer = request.employer.as_ref();
    tx.execute(
        "INSERT INTO permits (number, application_id, subspecies, holder_iin, employer_bin,
             household, valid_from, valid_until, issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &number,
            &item.envelope.application_id.as_ref(),
            &grant.subspecies.as_str(),
            &request.applicant.iin.raw(),
            &employer.map(|e| e.bin.as_string()),
            &employer.is_some_and(|e| e.household),
            &grant.valid_from,
            &grant.valid_until,
            &decided_at,
        ],
    )
    .await?;
    Ok(number)
}

pub(super) async fn decision(
    tx: &Transaction<'_>,
    item: &Prepared,
    decision: &Decision,
    permit_number: Option<&str>,
    facts: &crate::checks::Facts,
    ctx: &Context<'_>,
) -> Result<(), StoreError> {
    let reasons = serde_json::to_value(&decision.reasons)
        .map_err(|e| StoreError::Unexpected(format!("reasons as JSON: {e}")))?;
    tx.execute(
        "INSERT INTO decisions (application_id, outcome, decided_at, due_at, reasons, checks,
             rules_version, calendar_version, trust_version, facts, permit_number)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &item.envelope.application_id.as_ref(),
            &decision.outcome.as_str(),
            &decision.decided_at,
            &decision.due_at,
            &reasons,
            &json::checks(&decision.checks),
            &ctx.rules.version,
            &ctx.calendar.version(),
            &ctx.trust_version,
            &json::facts(facts),
            &permit_number,
        ],
    )
    .await?;
    Ok(())
}

/// `status.received` (at intake), the decision, and `status.<outcome>` (at the decision).
pub(super) async fn outbox(
    tx: &Transaction<'_>,
    item: &Prepared,
    decision: &Decision,
    permit_number: Option<&str>,
) -> Result<(), StoreError> {
    let id = &item.envelope.application_id;
    let mut codes = Vec::new();
    let decided = messages::decision_notice(decision, permit_number, &mut codes);
    let received = Notice::Received {
        due_at: decision.due_at,
    };
    let messages = [
        messages::status(id, &received, item.received_at, Uuid::new_v4()),
        messages::decision(id, decision, permit_number, Uuid::new_v4()),
        messages::status(id, &decided, decision.decided_at, Uuid::new_v4()),
    ];
    let insert = tx
        .prepare_cached(
            "INSERT INTO outbox (message_id, application_id, destination, routing_key, type,
                 \"timestamp\", body)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    let app = id.as_ref();
    try_join_all(messages.iter().map(|m: &Outgoing| {
        let insert = &insert;
        async move {
            tx.execute(
                insert,
                &[
                    &m.message_id,
                    &app,
                    &m.destination.as_str(),
                    &m.routing_key,
                    &m.schema,
                    &m.timestamp,
                    &m.body,
                ],
            )
            .await
        }
    }))
    .await?;
    Ok(())
}

/// One notification row per channel the applicant chose, for `received` and for the
/// decision, with the texts rendered now in the applicant's language. A document that
/// cannot be read is notified where its language and contacts can still be read.
pub(super) async fn notifications(
    tx: &Transaction<'_>,
    item: &Prepared,
    decision: &Decision,
    permit_number: Option<&str>,
) -> Result<(), StoreError> {
    let (language, contacts) = match &item.document {
        Ok(r) => (r.language, r.applicant.contacts.clone()),
        Err(_) => match salvage_contacts(&item.envelope.document) {
            Some(found) => found,
            None => return Ok(()),
        },
    };
    let id = &item.envelope.application_id;
    let mut codes = Vec::new();
    let decided = messages::decision_notice(decision, permit_number, &mut codes);
    let received = Notice::Received {
        due_at: decision.due_at,
    };
    let mut rows = Vec::new();
    for (kind, notice) in [("received", &received), ("decision", &decided)] {
        for &channel in &contacts.channels {
            let (address, subject, text, html) = match channel {
                Channel::Sms => (
                    contacts.phone.as_ref().map(|p| p.as_ref().to_owned()),
                    None,
                    texts::sms(language, id, notice),
                    None,
                ),
                Channel::Email => {
                    let mail = texts::email(language, id, notice);
                    (
                        contacts.email.as_ref().map(|e| e.as_ref().to_owned()),
                        Some(mail.subject),
                        mail.text,
                        Some(mail.html),
                    )
                }
            };
            // Parsing guarantees an address for every listed channel.
            let Some(address) = address else { continue };
            rows.push((kind, channel, address, subject, text, html));
        }
    }
    let insert = tx
        .prepare_cached(
            "INSERT INTO notifications (id, application_id, kind, channel, address, language,
                 subject, body_text, body_html, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .await?;
    let (app, lang, at) = (id.as_ref(), language.as_str(), decision.decided_at);
    try_join_all(
        rows.iter()
            .map(|(kind, channel, address, subject, text, html)| {
                let insert = &insert;
                async move {
                    tx.execute(
                        insert,
                        &[
                            &Uuid::new_v4(),
                            &app,
                            kind,
                            &channel.as_str(),
                            address,
                            &lang,
                            subject,
                            text,
                            html,
                            &at,
                        ],
                    )
                    .await
                }
            }),
    )
    .await?;
    Ok(())
}
