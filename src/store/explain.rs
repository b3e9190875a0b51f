//! `trp-worker explain <application_id>`: the stored decision, its checks and reasons, and
//! the notifications with their delivery state. Addresses are not loaded: the operator
//! sees channels and states, not personal data.

use deadpool_postgres::Pool;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::StoreError;

/// What the store knows of one application.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub application_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub decision: Option<StoredDecision>,
    pub notifications: Vec<NotificationState>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoredDecision {
    pub outcome: String,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    pub permit_number: Option<String>,
    pub reasons: Value,
    pub checks: Value,
    pub rules_version: String,
    pub calendar_version: String,
    pub trust_version: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotificationState {
    pub kind: String,
    pub channel: String,
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
}

/// The application's record, or `None` when it was never taken in.
pub async fn load(pool: &Pool, application_id: &str) -> Result<Option<Explanation>, StoreError> {
    let client = pool.get().await?;
    let Some(app) = client
        .query_opt(
            "SELECT submitted_at, received_at FROM applications WHERE application_id = $1",
            &[&application_id],
        )
        .await?
    else {
        return Ok(None);
    };
    let decision = client
        .query_opt(
            "SELECT outcome, decided_at, due_at, permit_number, reasons, checks,
                    rules_version, calendar_version, trust_version
             FROM decisions WHERE application_id = $1",
            &[&application_id],
        )
        .await?
        .map(|r| StoredDecision {
            outcome: r.get(0),
            decided_at: r.get(1),
            due_at: r.get(2),
            permit_number: r.get(3),
            reasons: r.get(4),
            checks: r.get(5),
            rules_version: r.get(6),
            calendar_version: r.get(7),
            trust_version: r.get(8),
        });
    let notifications = client
        .query(
            "SELECT kind, channel, state, attempts, last_error, sent_at FROM notifications
             WHERE application_id = $1 ORDER BY kind DESC, channel DESC",
            &[&application_id],
        )
        .await?
        .iter()
        .map(|r| NotificationState {
            kind: r.get(0),
            channel: r.get(1),
            state: r.get(2),
            attempts: r.get(3),
            last_error: r.get(4),
            sent_at: r.get(5),
        })
        .collect();
    Ok(Some(Explanation {
        application_id: application_id.to_owned(),
        submitted_at: app.get(0),
        received_at: app.get(1),
        decision,
        notifications,
    }))
}
