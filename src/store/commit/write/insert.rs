//! One statement per table for a whole batch: `INSERT ... SELECT FROM unnest(...)` of the
//! columns [`Rows`] gathered. Outbox messages and notifications carry the leases of the
//! batch's [`Context`]: the committing replica's, until they run out.

use std::collections::HashMap;

use deadpool_postgres::Transaction;
use tokio_postgres::Statement;
use uuid::Uuid;

use super::Rows;
use crate::store::commit::Context;
use crate::store::StoreError;

/// The permits of the batch's approvals.
const PERMITS: &str = "INSERT INTO permits (number, application_id, subspecies, holder_iin,
                     employer_bin, household, valid_from, valid_until, issued_at)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],
                     $5::text[], $6::bool[], $7::date[], $8::date[], $9::timestamptz[])";

/// One decision per new application; the versions are the batch's.
const DECISIONS: &str =
    "INSERT INTO decisions (application_id, outcome, decided_at, due_at, reasons,
                     checks, facts, permit_number, rules_version, calendar_version,
                     trust_version)
                 SELECT d.*, $9::text, $10::text, $11::text
                 FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[],
                     $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::text[]) AS d";

/// The messages, leased to the committing replica ($8 seconds; none when 0).
const OUTBOX: &str = "INSERT INTO outbox (message_id, application_id, destination, routing_key, type,
                     \"timestamp\", body, claimed_until)
                 SELECT o.*, CASE WHEN $8::float8 > 0 THEN now() + make_interval(secs => $8::float8) END
                 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $6::timestamptz[], $7::bytea[]) AS o
                 RETURNING message_id, id";

/// The notifications, leased to the committing replica for $10 seconds.
const NOTIFICATIONS: &str = "INSERT INTO notifications (id, application_id, kind, channel, address,
                     language, subject, body_text, body_html, next_attempt_at)
                 SELECT n.*, now() + make_interval(secs => $10::float8)
                 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $6::text[], $7::text[], $8::text[], $9::text[]) AS n";

/// Prepares the four statements (from the connection's cache after the first batch), so
/// that the inserts that follow are sent in order, in one pipeline: a permit before the
/// decision that names it.
pub(super) async fn prepare(tx: &Transaction<'_>) -> Result<Vec<Statement>, StoreError> {
    let (p, d, o, n) = tokio::try_join!(
        tx.prepare_cached(PERMITS),
        tx.prepare_cached(DECISIONS),
        tx.prepare_cached(OUTBOX),
        tx.prepare_cached(NOTIFICATIONS),
    )?;
    Ok(vec![p, d, o, n])
}

impl Rows {
    pub(super) async fn insert_permits(
        &self,
        tx: &Transaction<'_>,
        statements: &[Statement],
    ) -> Result<(), StoreError> {
        let p = &self.permits;
        if p.number.is_empty() {
            return Ok(());
        }
        let statement = &statements[0];
        tx.execute(
            statement,
            &[
                &p.number,
                &p.application_id,
                &p.subspecies,
                &p.holder_iin,
                &p.employer_bin,
                &p.household,
                &p.valid_from,
                &p.valid_until,
                &p.issued_at,
            ],
        )
        .await?;
        Ok(())
    }

    pub(super) async fn insert_decisions(
        &self,
        tx: &Transaction<'_>,
        statements: &[Statement],
        ctx: &Context<'_>,
    ) -> Result<(), StoreError> {
        let d = &self.decisions;
        if d.application_id.is_empty() {
            return Ok(());
        }
        let statement = &statements[1];
        tx.execute(
            statement,
            &[
                &d.application_id,
                &d.outcome,
                &d.decided_at,
                &d.due_at,
                &d.reasons,
                &d.checks,
                &d.facts,
                &d.permit_number,
                &ctx.rules.version,
                &ctx.calendar.version(),
                &ctx.trust_version,
            ],
        )
        .await?;
        Ok(())
    }

    /// Returns the id given to each message, by `message_id`.
    pub(super) async fn insert_outbox(
        &self,
        tx: &Transaction<'_>,
        statements: &[Statement],
        ctx: &Context<'_>,
    ) -> Result<HashMap<Uuid, i64>, StoreError> {
        if self.outbox.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = &self.outbox;
        let message_ids: Vec<Uuid> = rows.iter().map(|r| r.message_id).collect();
        let applications: Vec<&str> = rows.iter().map(|r| r.application_id.as_str()).collect();
        let destinations: Vec<&str> = rows.iter().map(|r| r.destination.as_str()).collect();
        let keys: Vec<&str> = rows.iter().map(|r| r.routing_key.as_str()).collect();
        let types: Vec<&str> = rows.iter().map(|r| r.schema.as_str()).collect();
        let timestamps: Vec<_> = rows.iter().map(|r| r.timestamp).collect();
        let bodies: Vec<&[u8]> = rows.iter().map(|r| r.body.as_slice()).collect();
        let statement = &statements[2];
        let lease = ctx.leases.outbox.as_secs_f64();
        let returned = tx
            .query(
                statement,
                &[
                    &message_ids,
                    &applications,
                    &destinations,
                    &keys,
                    &types,
                    &timestamps,
                    &bodies,
                    &lease,
                ],
            )
            .await?;
        Ok(returned.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    pub(super) async fn insert_notifications(
        &self,
        tx: &Transaction<'_>,
        statements: &[Statement],
        ctx: &Context<'_>,
    ) -> Result<(), StoreError> {
        if self.notifications.is_empty() {
            return Ok(());
        }
        let rows = &self.notifications;
        let ids: Vec<Uuid> = rows.iter().map(|n| n.id).collect();
        let applications: Vec<&str> = rows.iter().map(|n| n.application_id.as_str()).collect();
        let kinds: Vec<&str> = rows.iter().map(|n| n.kind.as_str()).collect();
        let channels: Vec<&str> = rows.iter().map(|n| n.channel.as_str()).collect();
        let addresses: Vec<&str> = rows.iter().map(|n| n.address.as_str()).collect();
        let subjects: Vec<Option<&str>> = rows.iter().map(|n| n.subject.as_deref()).collect();
        let texts: Vec<&str> = rows.iter().map(|n| n.body_text.as_str()).collect();
        let htmls: Vec<Option<&str>> = rows.iter().map(|n| n.body_html.as_deref()).collect();
        let statement = &statements[3];
        let lease = ctx.leases.notifications.as_secs_f64();
        tx.execute(
            statement,
            &[
                &ids,
                &applications,
                &kinds,
                &channels,
                &addresses,
                &self.languages,
                &subjects,
                &texts,
                &htmls,
                &lease,
            ],
        )
        .await?;
        Ok(())
    }
}
