//! `trp-worker retention purge`: blanks the personal data of applications whose term has
//! passed, keeping the audit trail (docs/operations.md, "Retention"). What goes: the
//! document and the envelope's signature, the notifications' addresses, texts and last
//! errors, and the decision's registry facts (reduced to what they meant: registered or not,
//! how many). What stays: the application row with its digest and instants, the decision,
//! its reasons, checks and versions, the permit, the outbox messages, the notifications'
//! delivery states. `purged_at` records when.
//!
//! Safe beside running replicas: an application is purged only when it is decided and none
//! of its notifications or outbox messages is still waiting to go; the work is done in
//! short transactions of at most [`BATCH`] applications, each locking only its own rows
//! (`FOR UPDATE SKIP LOCKED`: a row another transaction holds waits for the next run).

use deadpool_postgres::{GenericClient, Pool};
use time::OffsetDateTime;

use super::StoreError;

/// Applications per transaction.
pub const BATCH: i64 = 500;

/// What a purge found (dry run) or did (`--apply`). Counts only: no personal data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub applications: u64,
    pub notifications: u64,
}

/// The applications past their term: decided before `cutoff` (and submitted before it),
/// not purged yet, with nothing left to send.
const ELIGIBLE: &str = "
    FROM applications a JOIN decisions d USING (application_id)
    WHERE a.purged_at IS NULL AND a.submitted_at < $1 AND d.decided_at < $1
      AND NOT EXISTS (SELECT 1 FROM notifications n
                      WHERE n.application_id = a.application_id AND n.state = 'pending')
      AND NOT EXISTS (SELECT 1 FROM outbox o
                      WHERE o.application_id = a.application_id AND o.sent_at IS NULL)";

/// What [`purge`] would blank now, without changing anything.
pub async fn plan(pool: &Pool, cutoff: OffsetDateTime) -> Result<Counts, StoreError> {
    let client = pool.get().await?;
    let row = client
        .query_one(
            format!(
                "WITH e AS (SELECT a.application_id {ELIGIBLE})
                 SELECT (SELECT count(*) FROM e),
                        (SELECT count(*) FROM notifications n JOIN e USING (application_id))"
            )
            .as_str(),
            &[&cutoff],
        )
        .await?;
    Ok(counts(row.get(0), row.get(1)))
}

/// Blanks the personal data of every application past its term, [`BATCH`] at a time, each
/// batch in its own transaction; `now` is recorded as `purged_at`. Running it again purges
/// nothing more.
pub async fn purge(
    pool: &Pool,
    cutoff: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Counts, StoreError> {
    let mut total = Counts::default();
    loop {
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        let done = purge_batch(&tx, cutoff, now).await?;
        tx.commit().await?;
        total.applications += done.applications;
        total.notifications += done.notifications;
        if done.applications < BATCH as u64 {
            return Ok(total);
        }
    }
}

async fn purge_batch(
    tx: &impl GenericClient,
    cutoff: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Counts, StoreError> {
    let ids: Vec<String> = tx
        .query(
            format!(
                "SELECT a.application_id {ELIGIBLE}
                 ORDER BY a.submitted_at LIMIT $2 FOR UPDATE OF a SKIP LOCKED"
            )
            .as_str(),
            &[&cutoff, &BATCH],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if ids.is_empty() {
        return Ok(Counts::default());
    }
    let applications = tx
        .execute(
            "UPDATE applications SET document = NULL, signature = NULL, purged_at = $2
             WHERE application_id = ANY($1)",
            &[&ids, &now],
        )
        .await?;
    let notifications = tx
        .execute(
            "UPDATE notifications
             SET address = '', body_text = '', body_html = NULL, last_error = NULL,
                 subject = CASE WHEN subject IS NULL THEN NULL ELSE '' END
             WHERE application_id = ANY($1)",
            &[&ids],
        )
        .await?;
    tx.execute(
        "UPDATE decisions SET facts = jsonb_build_object(
             'purged', true,
             'fingerprint_registered', coalesce(facts->'fingerprint', 'null') <> 'null',
             'invalid_documents', jsonb_array_length(coalesce(facts->'invalid_documents', '[]')),
             'household_permits_held', facts->'household_permits_held')
         WHERE application_id = ANY($1)",
        &[&ids],
    )
    .await?;
    Ok(Counts {
        applications,
        notifications,
    })
}

fn counts(applications: i64, notifications: i64) -> Counts {
    Counts {
        applications: u64::try_from(applications).unwrap_or(0),
        notifications: u64::try_from(notifications).unwrap_or(0),
    }
}
