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
    /// When retention blanked its personal data (`null`: kept). The decision, reasons,
    /// versions, permit and delivery states stay.
    #[serde(with = "time::serde::rfc3339::option")]
    pub purged_at: Option<OffsetDateTime>,
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
            "SELECT submitted_at, received_at, purged_at FROM applications WHERE application_id = $1",
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
        purged_at: app.get(2),
        decision,
        notifications,
    }))
}

/// The time a signature check judged the signer's certificate at, and its source.
fn write_signing_time(time: &Value, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let (Some(at), Some(source)) = (time["at"].as_str(), time["source"].as_str()) else {
        return Ok(());
    };
    match time["tsa"].as_str() {
        Some(tsa) if source == "timestamp" => writeln!(
            out,
            "    signing time {at} (genTime of a time-stamp token by TSA \"{tsa}\")"
        ),
        _ => writeln!(out, "    signing time {at} ({source}: no time-stamp token)"),
    }
}

/// The explanation as an operator reads it in a terminal.
pub fn write_text(e: &Explanation, out: &mut impl std::io::Write) -> std::io::Result<()> {
    use crate::domain::messages::kz_rfc3339;
    writeln!(out, "application {}", e.application_id)?;
    writeln!(out, "  submitted  {}", kz_rfc3339(e.submitted_at))?;
    writeln!(out, "  received   {}", kz_rfc3339(e.received_at))?;
    if let Some(at) = e.purged_at {
        writeln!(
            out,
            "  purged     {} (retention: document, signature, notification addresses and texts, registry facts)",
            kz_rfc3339(at)
        )?;
    }
    let Some(d) = &e.decision else {
        writeln!(out, "  no decision recorded")?;
        return Ok(());
    };
    writeln!(out, "decision {}", d.outcome)?;
    writeln!(out, "  decided    {}", kz_rfc3339(d.decided_at))?;
    writeln!(out, "  due        {}", kz_rfc3339(d.due_at))?;
    if let Some(number) = &d.permit_number {
        writeln!(out, "  permit     {number}")?;
    }
    let trust = d.trust_version.as_deref().unwrap_or("-");
    writeln!(
        out,
        "  versions   rules {}, calendar {}, trust {trust}",
        d.rules_version, d.calendar_version
    )?;
    writeln!(out, "checks")?;
    for check in d.checks.as_array().into_iter().flatten() {
        let passed = check["passed"].as_bool().unwrap_or(false);
        let name = check["name"].as_str().unwrap_or("?");
        writeln!(
            out,
            "  {name:<12} {}",
            if passed { "passed" } else { "failed" }
        )?;
        write_signing_time(&check["signing_time"], out)?;
    }
    let reasons = d.reasons.as_array().map(Vec::as_slice).unwrap_or_default();
    if !reasons.is_empty() {
        writeln!(out, "reasons")?;
    }
    for r in reasons {
        let field = |k: &str| r[k].as_str().unwrap_or("").to_owned();
        writeln!(
            out,
            "  {} ({}): {}",
            field("code"),
            field("ground"),
            field("detail")
        )?;
        writeln!(out, "    basis: {}", field("basis"))?;
    }
    writeln!(out, "notifications")?;
    for n in &e.notifications {
        let sent = n.sent_at.map(kz_rfc3339).unwrap_or_else(|| "-".into());
        let error = n.last_error.as_deref().unwrap_or("");
        writeln!(
            out,
            "  {:<9} {:<6} {:<8} attempts {} sent {sent} {error}",
            n.kind, n.channel, n.state, n.attempts
        )?;
    }
    Ok(())
}
