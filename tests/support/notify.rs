//! For the notification tests: a recorded application whose notification rows the senders
//! can claim, senders pointed at a wiremock gateway or at MailDev, and MailDev's inbox read
//! through its REST API, filtered by the test's own recipient.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::Value;
use uuid::Uuid;

use trp_worker::config::{Notifications, Sms, Smtp, SmtpTls};
use trp_worker::notify::email::Mailer;
use trp_worker::notify::sender::{Peer, Policy, Sender};
use trp_worker::notify::sms::SmsGateway;
use trp_worker::store::commit::record_batch;
use trp_worker::telemetry::{Metrics, NotificationLabels};

use super::db::{context, document, prepare, seed_sample_registries, TestDb};

pub const TOKEN: &str = "test-sms-token";
pub const MAILDEV_SMTP: u16 = 1025;
const MAILDEV_API: &str = "http://127.0.0.1:1080/api/email";

/// The shipped notification settings.
pub fn policy_settings() -> Notifications {
    Notifications {
        max_age_h: 72,
        retry_base_s: 5,
        retry_max_s: 900,
        batch: 16,
    }
}

/// A database holding one decided application (`TRP-N-1`) and its four notification rows,
/// every e-mail row addressed to a recipient of this test's own.
pub async fn recorded() -> (TestDb, String) {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let (rules, calendar) = (super::rules(), super::calendar());
    let item = prepare(&db, "TRP-N-1", &document(|_| {}), Vec::new()).await;
    record_batch(&db.pool, &[item], &context(&rules, &calendar))
        .await
        .expect("recorded");
    let address = unique_address();
    db.client()
        .await
        .execute(
            "UPDATE notifications SET address = $1 WHERE channel = 'email'",
            &[&address],
        )
        .await
        .unwrap();
    (db, address)
}

pub fn unique_address() -> String {
    format!("n-{}@example.org", Uuid::new_v4().simple())
}

/// Keeps only the decision's notification on `channel`; returns its id.
pub async fn only_one(db: &TestDb, channel: &str) -> Uuid {
    let client = db.client().await;
    client
        .execute(
            "DELETE FROM notifications WHERE NOT (channel = $1 AND kind = 'decision')",
            &[&channel],
        )
        .await
        .unwrap();
    client
        .query_one("SELECT id FROM notifications", &[])
        .await
        .unwrap()
        .get(0)
}

/// `state`, `attempts`, `last_error` of notification `id`.
pub async fn row(db: &TestDb, id: Uuid) -> (String, i32, Option<String>) {
    let r = db
        .client()
        .await
        .query_one(
            "SELECT state, attempts, last_error FROM notifications WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    (r.get(0), r.get(1), r.get(2))
}

/// Moves the clock for the retry schedule: every pending row is due now.
pub async fn make_due(db: &TestDb) {
    db.exec("UPDATE notifications SET next_attempt_at = now() WHERE state = 'pending'")
        .await;
}

pub fn sms_sender(db: &TestDb, url: &str, timeout_s: u32, metrics: &Metrics) -> Sender {
    let settings = Sms {
        url: url.to_owned(),
        timeout_s,
        token: Some(SecretString::from(TOKEN)),
    };
    let gateway = SmsGateway::new(&settings).expect("client");
    let peer = Peer::Sms(gateway, SmsGateway::timeout_of(&settings));
    sender(db, peer, metrics)
}

/// The mail settings of the tests: plain SMTP to 127.0.0.1:`port`.
pub fn smtp_settings(port: u16) -> Smtp {
    Smtp {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        allow_plaintext_remote: false,
        tls_ca_file: PathBuf::new(),
        from: "TRP e-Gov <noreply@trp.egov.kz>".into(),
        username: String::new(),
        password: None,
    }
}

pub fn email_sender(db: &TestDb, port: u16, metrics: &Metrics) -> Sender {
    email_sender_with(db, &smtp_settings(port), metrics)
}

pub fn email_sender_with(db: &TestDb, settings: &Smtp, metrics: &Metrics) -> Sender {
    sender(db, Peer::Email(Mailer::new(settings)), metrics)
}

fn sender(db: &TestDb, peer: Peer, metrics: &Metrics) -> Sender {
    Sender {
        pool: db.pool.clone(),
        policy: Policy::new(&policy_settings(), peer.timeout()),
        peer,
        metrics: metrics.clone(),
    }
}

pub fn count(metrics: &Metrics, channel: &'static str, result: &'static str) -> u64 {
    metrics
        .notifications
        .get_or_create(&NotificationLabels { channel, result })
        .get()
}

/// A port on loopback where nothing listens.
pub async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// The messages MailDev holds for `address`.
pub async fn inbox(address: &str) -> Vec<Value> {
    inbox_at(MAILDEV_API, address).await
}

/// The messages the MailDev whose REST API is `api` holds for `address`.
pub async fn inbox_at(api: &str, address: &str) -> Vec<Value> {
    let all: Vec<Value> = reqwest::get(api)
        .await
        .expect("MailDev answers (run scripts/services.sh)")
        .json()
        .await
        .expect("MailDev's list is JSON");
    all.into_iter()
        .filter(|m| {
            m["to"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|to| to["address"] == address)
        })
        .collect()
}

/// The messages for `address` once there are `n` (10 s at most).
pub async fn inbox_of(address: &str, n: usize) -> Vec<Value> {
    inbox_of_at(MAILDEV_API, address, n).await
}

/// Likewise, in the MailDev whose REST API is `api`.
pub async fn inbox_of_at(api: &str, address: &str, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let got = inbox_at(api, address).await;
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    inbox_at(api, address).await
}
