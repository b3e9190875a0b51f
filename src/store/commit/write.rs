//! The rows a batch's decisions cause (permits, decisions, outbox messages, notifications),
//! gathered in memory while the batch is decided and then written with one statement per
//! table, sent together (tokio-postgres pipelines them).

mod insert;

use deadpool_postgres::Transaction;
use serde_json::Value;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{json, Context, Prepared, Written};
use crate::checks::Facts;
use crate::domain::decision::Decision;
use crate::domain::instant::KZ_OFFSET;
use crate::domain::messages::{self, Outgoing};
use crate::domain::request::{salvage_contacts, Channel};
use crate::domain::texts::{self, Notice};
use crate::store::notifications::Notification;
use crate::store::outbox::OutboxRow;
use crate::store::StoreError;

/// `count` new permit numbers, `TRP-<year of the decision at +05:00>-<8 digits>`, from the
/// one sequence (never reused, whatever the year).
pub(super) async fn permit_numbers(
    tx: &Transaction<'_>,
    count: usize,
    decided_at: OffsetDateTime,
) -> Result<std::vec::IntoIter<String>, StoreError> {
    if count == 0 {
        return Ok(Vec::new().into_iter());
    }
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let rows = tx
        .query(
            "SELECT nextval('permit_number_seq') FROM generate_series(1, $1::bigint)",
            &[&count],
        )
        .await?;
    let year = decided_at.to_offset(KZ_OFFSET).year();
    let numbers: Vec<String> = rows
        .iter()
        .map(|r| format!("TRP-{year}-{:08}", r.get::<_, i64>(0)))
        .collect();
    Ok(numbers.into_iter())
}

#[derive(Default)]
struct Permits {
    number: Vec<String>,
    application_id: Vec<String>,
    subspecies: Vec<&'static str>,
    holder_iin: Vec<String>,
    employer_bin: Vec<Option<String>>,
    household: Vec<bool>,
    valid_from: Vec<Date>,
    valid_until: Vec<Date>,
    issued_at: Vec<OffsetDateTime>,
}

#[derive(Default)]
struct Decisions {
    application_id: Vec<String>,
    outcome: Vec<&'static str>,
    decided_at: Vec<OffsetDateTime>,
    due_at: Vec<OffsetDateTime>,
    reasons: Vec<Value>,
    checks: Vec<Value>,
    facts: Vec<Value>,
    permit_number: Vec<Option<String>>,
}

/// Everything a batch writes besides the applications, column by column.
#[derive(Default)]
pub(super) struct Rows {
    permits: Permits,
    decisions: Decisions,
    outbox: Vec<OutboxRow>,
    notifications: Vec<Notification>,
    languages: Vec<&'static str>,
}

impl Rows {
    /// Adds what the decision on `item` causes: its permit (approved), the decision, three
    /// messages (`status.received`, the decision, `status.<outcome>`) and the notifications.
    pub(super) fn add(
        &mut self,
        item: &Prepared,
        decision: &Decision,
        permit_number: Option<&str>,
        facts: &Facts,
        ctx: &Context<'_>,
    ) -> Result<(), StoreError> {
        let id = item.envelope.application_id.as_ref();
        if let (Some(grant), Ok(request), Some(number)) =
            (&decision.permit, &item.document, permit_number)
        {
            let p = &mut self.permits;
            let employer = request.employer.as_ref();
            p.number.push(number.to_owned());
            p.application_id.push(id.to_owned());
            p.subspecies.push(grant.subspecies.as_str());
            p.holder_iin.push(request.applicant.iin.raw().to_owned());
            p.employer_bin.push(employer.map(|e| e.bin.as_string()));
            p.household.push(employer.is_some_and(|e| e.household));
            p.valid_from.push(grant.valid_from);
            p.valid_until.push(grant.valid_until);
            p.issued_at.push(decision.decided_at);
        }
        let d = &mut self.decisions;
        d.application_id.push(id.to_owned());
        d.outcome.push(decision.outcome.as_str());
        d.decided_at.push(decision.decided_at);
        d.due_at.push(decision.due_at);
        d.reasons.push(
            serde_json::to_value(&decision.reasons)
                .map_err(|e| StoreError::Unexpected(format!("reasons as JSON: {e}")))?,
        );
        d.checks.push(json::checks(&decision.checks));
        d.facts.push(json::facts(facts));
        d.permit_number.push(permit_number.map(str::to_owned));
        self.add_messages(item, decision, permit_number);
        self.add_notifications(item, decision, permit_number, ctx);
        Ok(())
    }

    fn add_messages(&mut self, item: &Prepared, decision: &Decision, number: Option<&str>) {
        let id = &item.envelope.application_id;
        let decided = messages::decision_notice(decision, number);
        let received = Notice::Received {
            due_at: decision.due_at,
        };
        let messages = [
            messages::status(id, &received, item.received_at, Uuid::new_v4()),
            messages::decision(id, decision, number, Uuid::new_v4()),
            messages::status(id, &decided, decision.decided_at, Uuid::new_v4()),
        ];
        self.outbox
            .extend(messages.into_iter().map(|m: Outgoing| OutboxRow {
                id: 0,
                message_id: m.message_id,
                application_id: id.as_ref().to_owned(),
                destination: m.destination,
                routing_key: m.routing_key,
                schema: m.schema.to_owned(),
                timestamp: m.timestamp,
                body: m.body,
            }));
    }

    /// One notification per channel the applicant chose, for `received` and for the
    /// decision, with the texts rendered now in the applicant's language. A document that
    /// cannot be read is notified where its language and contacts can still be read.
    fn add_notifications(
        &mut self,
        item: &Prepared,
        decision: &Decision,
        number: Option<&str>,
        ctx: &Context<'_>,
    ) {
        let (language, contacts) = match &item.document {
            Ok(r) => (r.language, r.applicant.contacts.clone()),
            Err(_) => match salvage_contacts(&item.envelope.document) {
                Some(found) => found,
                None => return,
            },
        };
        let id = &item.envelope.application_id;
        let decided = messages::decision_notice(decision, number);
        let received = Notice::Received {
            due_at: decision.due_at,
        };
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
                self.languages.push(language.as_str());
                self.notifications.push(Notification {
                    id: Uuid::new_v4(),
                    application_id: id.as_ref().to_owned(),
                    kind: kind.to_owned(),
                    channel,
                    address,
                    subject,
                    body_text: text,
                    body_html: html,
                    attempts: 0,
                    last_error: None,
                    created_at: ctx.now,
                    expired: false,
                });
            }
        }
    }

    /// Writes every row, one statement per table, under the leases of `ctx`; returns the
    /// outbox messages (with their ids) and the notifications as stored.
    pub(super) async fn insert(
        self,
        tx: &Transaction<'_>,
        ctx: &Context<'_>,
    ) -> Result<Written, StoreError> {
        let statements = insert::prepare(tx).await?;
        // Each execute is sent when first polled, and `try_join!` polls in this order.
        let (_, _, ids, _) = tokio::try_join!(
            self.insert_permits(tx, &statements[..]),
            self.insert_decisions(tx, &statements[..], ctx),
            self.insert_outbox(tx, &statements[..], ctx),
            self.insert_notifications(tx, &statements[..], ctx),
        )?;
        let mut outbox = self.outbox;
        for row in &mut outbox {
            row.id = *ids.get(&row.message_id).ok_or_else(|| {
                StoreError::Unexpected("an outbox row came back without its id".into())
            })?;
        }
        Ok(Written {
            outbox,
            notifications: self.notifications,
        })
    }
}
