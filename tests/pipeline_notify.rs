//! End to end: an application approved by the worker yields, on each channel it lists, a
//! notification of receipt and one of the decision, delivered to a real HTTP gateway
//! (wiremock) and a real SMTP server (MailDev), each once.

use crate::support;

use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use support::db::document;
use support::notify::{inbox_of, unique_address, MAILDEV_SMTP, TOKEN};
use support::set;
use support::worker::{otp_envelope, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_reaches_the_applicant_by_sms_and_email() {
    let world = World::new().await;
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sms"))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&gateway)
        .await;
    let replica = world
        .start_with(&[
            ("TRP__SMS__URL", format!("{}/sms", gateway.uri())),
            ("TRP__SMS__TOKEN", TOKEN.to_owned()),
            ("TRP__SMTP__HOST", "127.0.0.1".to_owned()),
            ("TRP__SMTP__PORT", MAILDEV_SMTP.to_string()),
            ("TRP__SMTP__TLS", "none".to_owned()),
        ])
        .await;
    let address = unique_address();
    let doc = document(|v| set(v, "applicant/contacts/email", json!(address)));
    world.submit(&otp_envelope("TRP-NE-1", &doc)).await;
    assert_eq!(world.decision("TRP-NE-1").await["outcome"], "approved");

    let sent = "SELECT count(*) FROM notifications WHERE state = 'sent'";
    let delivered = support::amqp::eventually(Duration::from_secs(60), || async {
        world.db.count(sent).await == 4
    });
    assert!(delivered.await, "received and decision, by SMS and e-mail");

    let requests = gateway.received_requests().await.unwrap();
    let bodies: Vec<Value> = requests
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    for (request, body) in requests.iter().zip(&bodies) {
        assert_eq!(body["to"], "+77011234567");
        assert_eq!(
            request.headers["Idempotency-Key"].to_str().unwrap(),
            body["reference"]
        );
        assert!(body["text"].as_str().unwrap().contains("TRP-NE-1"));
    }
    assert_ne!(bodies[0]["reference"], bodies[1]["reference"]);

    let mail = inbox_of(&address, 2).await;
    assert_eq!(mail.len(), 2, "two e-mails, each once");
    for m in &mail {
        assert!(m["subject"].as_str().unwrap().contains("TRP-NE-1"), "{m}");
    }
    let explained = trp_worker::store::explain::load(&world.db.pool, "TRP-NE-1")
        .await
        .unwrap()
        .unwrap();
    assert!(explained
        .notifications
        .iter()
        .all(|n| n.state == "sent" && n.attempts == 1));
    let metrics_url = format!("http://{}/metrics", replica.running.http_addr);
    let counted = support::amqp::eventually(Duration::from_secs(30), || async {
        let m = reqwest::get(&metrics_url)
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        m.contains("trp_notifications_total{channel=\"sms\",result=\"sent\"} 2")
            && m.contains("trp_notifications_total{channel=\"email\",result=\"sent\"} 2")
            && m.lines().any(|l| l == "trp_outbox_backlog 0")
    });
    assert!(counted.await, "sends counted, backlog drained");
    replica.stop().await;
    world.cleanup().await;
}
