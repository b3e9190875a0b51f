//! The e-mail sender against a real SMTP server (MailDev, started by
//! `scripts/services.sh`): what the applicant receives, and a mail server that is down and
//! then up. Each test reads only the mail of its own recipient, so tests run in parallel.

use crate::support;

use std::time::Duration;

use support::notify::{
    closed_port, count, email_sender, inbox, inbox_of, make_due, only_one, recorded, row,
    smtp_settings, unique_address, MAILDEV_SMTP,
};
use support::tcp_gate::TcpGate;
use time::OffsetDateTime;
use trp_worker::domain::request::Channel;
use trp_worker::notify::email::Mailer;
use trp_worker::notify::outcome::Outcome;
use trp_worker::notify::sender::StepOutcome;
use trp_worker::notify::smtp::{Connector, Security};
use trp_worker::store::notifications::Notification;
use trp_worker::telemetry::Metrics;
use uuid::Uuid;

#[tokio::test]
async fn an_email_arrives_with_subject_text_html_and_message_id() {
    let (db, address) = recorded().await;
    let id = only_one(&db, "email").await;
    let metrics = Metrics::new();
    let sender = email_sender(&db, MAILDEV_SMTP, &metrics);
    assert!(matches!(
        sender.step().await.unwrap(),
        StepOutcome::Done { sent: 1, .. }
    ));
    assert_eq!(row(&db, id).await, ("sent".into(), 1, None));

    let mail = inbox_of(&address, 1).await;
    assert_eq!(mail.len(), 1, "delivered once");
    let m = &mail[0];
    let subject = m["subject"].as_str().unwrap();
    assert!(subject.contains("TRP-N-1"), "{subject}");
    assert_eq!(m["from"][0]["address"], "noreply@trp.egov.kz");
    assert_eq!(
        m["headers"]["message-id"],
        format!("<{id}@trp.egov.kz>"),
        "{m}"
    );
    let (text, html) = (m["text"].as_str().unwrap(), m["html"].as_str().unwrap());
    assert!(text.contains("TRP-N-1") && !text.contains('<'), "{text}");
    assert!(html.contains("TRP-N-1") && html.contains('<'), "{html}");
    assert_eq!(count(&metrics, "email", "sent"), 1);
    db.drop().await;
}

#[tokio::test]
async fn a_mail_server_down_then_up_gets_the_mail_once() {
    let (db, address) = recorded().await;
    let id = only_one(&db, "email").await;
    let metrics = Metrics::new();
    let down = email_sender(&db, closed_port().await, &metrics);
    for attempt in 1..=2 {
        assert!(matches!(
            down.step().await.unwrap(),
            StepOutcome::Done { retried: 1, .. }
        ));
        let (state, attempts, error) = row(&db, id).await;
        assert_eq!((state.as_str(), attempts), ("pending", attempt));
        assert_eq!(error.as_deref(), Some("smtp: connection failed"));
        make_due(&db).await;
    }
    let up = email_sender(&db, MAILDEV_SMTP, &metrics);
    assert!(matches!(
        up.step().await.unwrap(),
        StepOutcome::Done { sent: 1, .. }
    ));
    make_due(&db).await;
    assert_eq!(up.step().await.unwrap(), StepOutcome::EmptyQueue);
    assert_eq!(row(&db, id).await, ("sent".into(), 3, None));
    let mail = inbox_of(&address, 1).await;
    assert_eq!(mail.len(), 1);
    assert_eq!(
        mail[0]["headers"]["message-id"],
        format!("<{id}@trp.egov.kz>")
    );
    assert_eq!(count(&metrics, "email", "retry"), 2);
    assert_eq!(count(&metrics, "email", "sent"), 1);
    db.drop().await;
}

#[tokio::test]
async fn a_recipient_the_server_refuses_fails_for_good() {
    // MailDev takes any recipient; an address lettre cannot even parse stands for a refusal
    // that no retry can cure.
    let (db, _) = recorded().await;
    let id = only_one(&db, "email").await;
    db.exec("UPDATE notifications SET address = 'not an address'")
        .await;
    let metrics = Metrics::new();
    let sender = email_sender(&db, MAILDEV_SMTP, &metrics);
    assert!(matches!(
        sender.step().await.unwrap(),
        StepOutcome::Done { failed: 1, .. }
    ));
    assert_eq!(
        row(&db, id).await,
        (
            "failed".into(),
            1,
            Some("smtp: the recipient address is not valid".into())
        )
    );
    assert!(inbox("not an address").await.is_empty());
    assert_eq!(count(&metrics, "email", "failed"), 1);
    db.drop().await;
}

/// An e-mail to `address`, as a sender would hold it.
fn email_to(address: &str, application_id: &str) -> Notification {
    Notification {
        id: Uuid::new_v4(),
        application_id: application_id.into(),
        kind: "decision".into(),
        channel: Channel::Email,
        address: address.into(),
        subject: Some(format!("Application {application_id}")),
        body_text: format!("Application {application_id}: decided."),
        body_html: None,
        attempts: 0,
        last_error: None,
        created_at: OffsetDateTime::now_utc(),
        expired: false,
    }
}

#[tokio::test]
async fn one_connection_carries_consecutive_mail_and_a_cut_one_is_replaced() {
    let gate = TcpGate::start(([127, 0, 0, 1], MAILDEV_SMTP).into()).await;
    let mailer = Mailer::new(&smtp_settings(gate.port)).with_pool_size(1);
    let address = unique_address();
    for i in 1..=3 {
        let n = email_to(&address, &format!("TRP-P-{i}"));
        assert_eq!(mailer.send(&n).await, Outcome::Sent);
    }
    assert_eq!(
        gate.accepted(),
        1,
        "three messages over one pooled connection"
    );

    // The server side goes away under the idle pooled connection (as a server that closes
    // idle clients does): the next send finds it dead and opens another.
    gate.shut();
    gate.open();
    let n = email_to(&address, "TRP-P-4");
    assert_eq!(mailer.send(&n).await, Outcome::Sent);
    assert_eq!(gate.accepted(), 2, "the cut connection was replaced, once");

    let mail = inbox_of(&address, 4).await;
    let mut subjects: Vec<_> = mail.iter().map(|m| m["subject"].to_string()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        (1..=4)
            .map(|i| format!("\"Application TRP-P-{i}\""))
            .collect::<Vec<_>>(),
        "each message delivered exactly once"
    );
}

/// lettre 0.11.23 leaves Nagle's algorithm on, which holds every message's closing `.` for
/// the server's delayed ACK (40 ms): the worker's connections are made on its own sockets.
#[tokio::test]
async fn connections_to_the_mail_server_are_made_with_tcp_nodelay() {
    let connector = Connector {
        host: "127.0.0.1".into(),
        port: MAILDEV_SMTP,
        security: Security::Plain,
        credentials: None,
        timeout: Duration::from_secs(5),
    };
    let socket = connector.socket().await.expect("MailDev answers");
    assert!(socket.nodelay().unwrap(), "TCP_NODELAY is set");
}
