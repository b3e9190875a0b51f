//! Notifications to the applicant (contract section 7): a sender loop per channel sends
//! the rows recorded with each decision (from memory when this replica committed them,
//! else found by a scan), by SMS or e-mail, and records the outcome, with retries whose
//! state lives in PostgreSQL. See `docs/notifications.md`.

pub mod email;
pub mod outcome;
pub mod sender;
pub mod sms;
pub mod smtp;

use deadpool_postgres::Pool;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::Settings;
use crate::pipeline::dispatch::Queues;
use crate::telemetry::Metrics;
use email::Mailer;
use sender::{Peer, Policy, Sender};
use sms::SmsGateway;

/// The senders `settings` describe: SMS and e-mail.
pub fn senders(settings: &Settings, pool: &Pool, metrics: &Metrics) -> Vec<Sender> {
    let mailer = Mailer::new(&settings.smtp).with_pool_size(settings.notifications.batch.into());
    let mut peers = vec![Peer::Email(mailer)];
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

/// Runs `senders` in a task that ends once every loop has stopped: each after
/// `shutdown` and its round in progress, and once its queue in `queues` is closed.
pub fn spawn(
    senders: Vec<Sender>,
    mut queues: Queues,
    shutdown: &CancellationToken,
) -> JoinHandle<()> {
    let loops: Vec<_> = senders
        .into_iter()
        .map(|sender| {
            let fresh = queues.take(sender.peer.channel());
            sender.run(fresh, shutdown.clone())
        })
        .collect();
    tokio::spawn(async move {
        futures_util::future::join_all(loops).await;
    })
}
