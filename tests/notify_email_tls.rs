//! E-mail over TLS to real SMTP servers holding a certificate the test makes (its CA given
//! as `smtp.tls_ca_file`): implicit TLS to a MailDev of the test's own
//! (`--incoming-secure`), STARTTLS to an `smtp-server` (MailDev's own library) that refuses
//! mail before STARTTLS; and a server whose certificate another CA signed gets nothing.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use support::notify::{
    closed_port, email_sender_with, inbox_of_at, make_due, only_one, recorded, row, smtp_settings,
};
use support::smtp_node::{maildev, node_smtp};
use support::tls::{make_server_pki, other_ca};
use trp_worker::config::{Smtp, SmtpTls};
use trp_worker::notify::sender::StepOutcome;
use trp_worker::telemetry::Metrics;

/// Implicit TLS: a MailDev of this test's own; returns it with its SMTP port and REST API.
async fn maildev_tls(cert: &Path, key: &Path, mail: &Path) -> (Child, u16, String) {
    let (smtp, web) = (closed_port().await, closed_port().await);
    let child = Command::new(maildev())
        .args([
            "--ip",
            "127.0.0.1",
            "--web-ip",
            "127.0.0.1",
            "--incoming-secure",
        ])
        .arg("--smtp")
        .arg(smtp.to_string())
        .arg("--web")
        .arg(web.to_string())
        .arg("--incoming-cert")
        .arg(cert)
        .arg("--incoming-key")
        .arg(key)
        .arg("--mail-directory")
        .arg(mail)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("maildev starts");
    let api = format!("http://127.0.0.1:{web}/api/email");
    for _ in 0..300 {
        if reqwest::get(&api)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (child, smtp, api);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("MailDev with --incoming-secure did not answer on {api}");
}

/// STARTTLS: `tests/support/smtp_starttls.js` writing what it takes to `mail`; returns it
/// with its port.
async fn starttls_server(cert: &Path, key: &Path, mail: &Path) -> (Child, u16) {
    node_smtp(
        "smtp_starttls.js",
        &[cert.as_os_str(), key.as_os_str(), mail.as_os_str()],
    )
    .await
}

fn tls_settings(port: u16, tls: SmtpTls, ca: PathBuf) -> Smtp {
    Smtp {
        tls,
        tls_ca_file: ca,
        ..smtp_settings(port)
    }
}

#[tokio::test]
async fn implicit_tls_delivers_to_a_server_the_configured_ca_vouches_for() {
    let dir = tempfile::tempdir().unwrap();
    let pki = make_server_pki(dir.path());
    let (_maildev, port, api) =
        maildev_tls(&pki.cert(), &pki.key(), &dir.path().join("mail")).await;
    let (db, address) = recorded().await;
    let id = only_one(&db, "email").await;
    let settings = tls_settings(port, SmtpTls::Tls, pki.ca());
    let sender = email_sender_with(&db, &settings, &Metrics::new());

    assert!(matches!(
        sender.step().await.unwrap(),
        StepOutcome::Done { sent: 1, .. }
    ));
    assert_eq!(row(&db, id).await, ("sent".into(), 1, None));
    let mail = inbox_of_at(&api, &address, 1).await;
    assert_eq!(mail.len(), 1, "delivered once");
    assert_eq!(
        mail[0]["headers"]["message-id"],
        format!("<{id}@trp.egov.kz>")
    );
    db.drop().await;
}

#[tokio::test]
async fn starttls_delivers_to_a_server_that_refuses_plain_mail() {
    let dir = tempfile::tempdir().unwrap();
    let pki = make_server_pki(dir.path());
    let mail = dir.path().join("mail");
    std::fs::create_dir(&mail).unwrap();
    let (_server, port) = starttls_server(&pki.cert(), &pki.key(), &mail).await;
    let (db, address) = recorded().await;
    let id = only_one(&db, "email").await;
    // Plain SMTP is refused (530): what arrives below came through STARTTLS.
    let plain = email_sender_with(&db, &smtp_settings(port), &Metrics::new());
    assert!(matches!(
        plain.step().await.unwrap(),
        StepOutcome::Done { retried: 1, .. }
    ));
    make_due(&db).await;
    let settings = tls_settings(port, SmtpTls::Starttls, pki.ca());
    let sender = email_sender_with(&db, &settings, &Metrics::new());

    assert!(matches!(
        sender.step().await.unwrap(),
        StepOutcome::Done { sent: 1, .. }
    ));
    assert_eq!(row(&db, id).await, ("sent".into(), 2, None));
    let received = std::fs::read_to_string(mail.join("1.eml")).expect("one message taken");
    assert!(
        received.contains(&format!("Message-ID: <{id}@trp.egov.kz>")),
        "{received}"
    );
    assert!(received.contains(&address), "{received}");
    assert_eq!(std::fs::read_dir(&mail).unwrap().count(), 1);
    db.drop().await;
}

#[tokio::test]
async fn a_server_certificate_from_another_ca_gets_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let pki = make_server_pki(dir.path());
    let other = tempfile::tempdir().unwrap();
    let mail = dir.path().join("mail");
    std::fs::create_dir(&mail).unwrap();
    let (_server, port) = starttls_server(&pki.cert(), &pki.key(), &mail).await;
    let (db, _) = recorded().await;
    let id = only_one(&db, "email").await;
    let settings = tls_settings(port, SmtpTls::Starttls, other_ca(other.path()));
    let sender = email_sender_with(&db, &settings, &Metrics::new());

    assert!(matches!(
        sender.step().await.unwrap(),
        StepOutcome::Done { retried: 1, .. }
    ));
    let (state, attempts, error) = row(&db, id).await;
    assert_eq!((state.as_str(), attempts), ("pending", 1));
    let error = error.unwrap_or_default();
    assert!(error.starts_with("smtp: TLS failed: "), "{error}");
    assert!(error.contains("UnknownIssuer"), "{error}");
    assert_eq!(std::fs::read_dir(&mail).unwrap().count(), 0);
    db.drop().await;
}
