//! Notifications to the applicant (contract section 7): a sender loop per channel claims
//! the rows recorded with each decision, sends them by SMS or e-mail and records the
//! outcome, with retries whose state lives in PostgreSQL. See `docs/notifications.md`.

pub mod email;
pub mod outcome;
pub mod sender;
pub mod sms;

use deadpool_postgres::Pool;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::Settings;
use crate::telemetry::Metrics;
use email::Mailer;
use sender::{Peer, Policy, Sender};
use sms::SmsGateway;

/// The senders `settings` describe: SMS and e-mail.
pub fn senders(settings: &Settings, pool: &Pool, metrics: &Metrics) -> Vec<Sender> {
    let mut peers = vec![Peer::Email(Mailer::new(&settings.smtp))];
    match SmsGateway::new(&settings.sms) {
        Ok(gateway) => peers.push(Peer::Sms(gateway, SmsGateway::timeout_of(&settings.sms))),
        // Only when the TLS backend cannot start; the SMS rows wait, pending, in the backlog.
        Err(e) => tracing::error!(error = %e, "cannot start the SMS client; SMS not sent"),
    }
    peers
        .into_iter()
        .map(|peer| Sender {
            pool: pool.clone(),
            policy: Policy::new(&settings.notifications, peer.timeout()),
            peer,
            metrics: metrics.clone(),
        })
        .collect()
}

/// Runs one sender loop per channel in a task that ends once every loop has stopped at
/// `shutdown` (each after its round in progress).
pub fn spawn(
    settings: &Settings,
    pool: &Pool,
    metrics: &Metrics,
    shutdown: &CancellationToken,
) -> JoinHandle<()> {
    let loops: Vec<_> = senders(settings, pool, metrics)
        .into_iter()
        .map(|sender| sender.run(shutdown.clone()))
        .collect();
    tokio::spawn(async move {
        futures_util::future::join_all(loops).await;
    })
}
