//! The SMS sender against a real HTTP server (wiremock) and the real PostgreSQL: the
//! contract's request, retries with one idempotency key, permanent refusals, the maximum
//! age, and a sender killed mid-send.

use crate::support;

use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use support::notify::{count, make_due, only_one, recorded, row, sms_sender, TOKEN};
use trp_worker::notify::sender::StepOutcome;
use trp_worker::telemetry::Metrics;

fn done(sent: usize, retried: usize, failed: usize) -> StepOutcome {
    StepOutcome::Done {
        sent,
        retried,
        failed,
    }
}

async fn gateway(status: u16, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sms"))
        .respond_with(ResponseTemplate::new(status))
        .expect(times)
        .mount(&server)
        .await;
    server
}

fn keys(requests: &[wiremock::Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            r.headers
                .get("Idempotency-Key")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn an_sms_is_sent_once_as_the_contract_says() {
    let (db, _) = recorded().await;
    let id = only_one(&db, "sms").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sms"))
        .and(header("Authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("Idempotency-Key", id.to_string().as_str()))
        .and(header("Content-Type", "application/json"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    let metrics = Metrics::new();
    let sender = sms_sender(&db, &format!("{}/sms", server.uri()), 5, &metrics);

    assert_eq!(sender.step().await.unwrap(), done(1, 0, 0));
    assert_eq!(sender.step().await.unwrap(), StepOutcome::EmptyQueue);
    make_due(&db).await;
    assert_eq!(sender.step().await.unwrap(), StepOutcome::EmptyQueue);

    let requests = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    let text = body["text"].as_str().unwrap();
    assert_eq!(
        body,
        json!({"to": "+77011234567", "text": text, "reference": id.to_string()})
    );
    assert!(
        text.contains("TRP-N-1") && text.chars().count() <= 335,
        "{text}"
    );
    assert_eq!(row(&db, id).await, ("sent".into(), 1, None));
    assert_eq!(count(&metrics, "sms", "sent"), 1);
    db.drop().await;
}

#[tokio::test]
async fn three_503s_then_200_deliver_once_under_one_key() {
    let (db, _) = recorded().await;
    let id = only_one(&db, "sms").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(3)
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let metrics = Metrics::new();
    let sender = sms_sender(&db, &format!("{}/sms", server.uri()), 5, &metrics);

    for attempt in 1..=3 {
        assert_eq!(sender.step().await.unwrap(), done(0, 1, 0));
        let (state, attempts, error) = row(&db, id).await;
        assert_eq!((state.as_str(), attempts), ("pending", attempt));
        assert_eq!(error.as_deref(), Some("sms: gateway answered 503"));
        // Not due before its backoff (at least half the first delay, 2.5 s)...
        assert_eq!(sender.step().await.unwrap(), StepOutcome::EmptyQueue);
        // ...and due once the clock is moved past it.
        make_due(&db).await;
    }
    assert_eq!(sender.step().await.unwrap(), done(1, 0, 0));
    assert_eq!(row(&db, id).await, ("sent".into(), 4, None));

    let keys = keys(&server.received_requests().await.unwrap());
    assert_eq!(keys, vec![id.to_string(); 4], "one key on every attempt");
    assert_eq!(count(&metrics, "sms", "retry"), 3);
    assert_eq!(count(&metrics, "sms", "sent"), 1);
    db.drop().await;
}

#[tokio::test]
async fn the_backoff_grows_between_attempts() {
    let (db, _) = recorded().await;
    let id = only_one(&db, "sms").await;
    let server = gateway(500, 2).await;
    let sender = sms_sender(&db, &format!("{}/sms", server.uri()), 5, &Metrics::new());
    let mut delays = Vec::new();
    for _ in 0..2 {
        sender.step().await.unwrap();
        let secs: f64 = db
            .client()
            .await
            .query_one(
                "SELECT extract(epoch FROM next_attempt_at - now())::float8 FROM notifications
                 WHERE id = $1",
                &[&id],
            )
            .await
            .unwrap()
            .get(0);
        delays.push(secs);
        make_due(&db).await;
    }
    // retry_base_s = 5: the first delay is within [2.5, 5] s, the second within [5, 10] s.
    assert!((2.0..=5.5).contains(&delays[0]), "{delays:?}");
    assert!((4.5..=10.5).contains(&delays[1]), "{delays:?}");
    db.drop().await;
}

#[tokio::test]
async fn a_400_fails_for_good_and_is_not_retried() {
    let (db, _) = recorded().await;
    let id = only_one(&db, "sms").await;
    let server = gateway(400, 1).await;
    let metrics = Metrics::new();
    let sender = sms_sender(&db, &format!("{}/sms", server.uri()), 5, &metrics);

    assert_eq!(sender.step().await.unwrap(), done(0, 0, 1));
    // Even due, a failed row is never claimed again.
    db.exec("UPDATE notifications SET next_attempt_at = now()")
        .await;
    assert_eq!(sender.step().await.unwrap(), StepOutcome::EmptyQueue);
    assert_eq!(
        row(&db, id).await,
        ("failed".into(), 1, Some("sms: gateway answered 400".into()))
    );
    assert_eq!(count(&metrics, "sms", "failed"), 1);
    assert_eq!(count(&metrics, "sms", "retry"), 0);
    db.drop().await;
}

#[tokio::test]
async fn a_refused_connection_and_a_timeout_are_retried() {
    let (db, _) = recorded().await;
    let id = only_one(&db, "sms").await;
    let port = support::notify::closed_port().await;
    let metrics = Metrics::new();
    let refused = sms_sender(&db, &format!("http://127.0.0.1:{port}/sms"), 5, &metrics);
    assert_eq!(refused.step().await.unwrap(), done(0, 1, 0));
    assert_eq!(
        row(&db, id).await.2.as_deref(),
        Some("sms: connection failed")
    );

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    make_due(&db).await;
    let slow = sms_sender(&db, &format!("{}/sms", server.uri()), 1, &metrics);
    assert_eq!(slow.step().await.unwrap(), done(0, 1, 0));
    assert_eq!(row(&db, id).await.2.as_deref(), Some("sms: timed out"));
    assert_eq!(count(&metrics, "sms", "retry"), 2);
    db.drop().await;
}

#[tokio::test]
async fn past_its_maximum_age_a_notification_fails_for_good_unsent() {
    let (db, _) = recorded().await;
    let id = only_one(&db, "sms").await;
    let server = gateway(503, 1).await;
    let metrics = Metrics::new();
    let sender = sms_sender(&db, &format!("{}/sms", server.uri()), 5, &metrics);
    assert_eq!(sender.step().await.unwrap(), done(0, 1, 0));
    // Three days later (max_age_h = 72), still not delivered.
    db.exec(
        "UPDATE notifications SET created_at = now() - interval '72 hours 1 second',
             next_attempt_at = now()",
    )
    .await;
    assert_eq!(sender.step().await.unwrap(), done(0, 0, 1));

    let (state, attempts, error) = row(&db, id).await;
    assert_eq!((state.as_str(), attempts), ("failed", 1));
    let error = error.unwrap();
    assert!(
        error.starts_with("expired: not delivered within 72 h (1 attempts;")
            && error.ends_with("last error: sms: gateway answered 503)"),
        "{error}"
    );
    assert_eq!(count(&metrics, "sms", "failed"), 1);
    let explained = trp_worker::store::explain::load(&db.pool, "TRP-N-1")
        .await
        .unwrap()
        .unwrap();
    let n = &explained.notifications[0];
    assert_eq!((n.channel.as_str(), n.state.as_str()), ("sms", "failed"));
    assert_eq!(n.last_error.as_deref(), Some(error.as_str()));
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_killed_mid_send_loses_nothing() {
    let (db, _) = recorded().await;
    let id = only_one(&db, "sms").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(60)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let metrics = Metrics::new();
    let sender = sms_sender(&db, &format!("{}/sms", server.uri()), 30, &metrics);
    let dying = sender.clone();
    let task = tokio::spawn(async move { dying.step().await });
    while server.received_requests().await.unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The process dies between sending and recording: nothing is written.
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    assert_eq!(row(&db, id).await, ("pending".into(), 0, None));

    // While the lease lasts, nobody else takes it...
    assert_eq!(sender.step().await.unwrap(), StepOutcome::EmptyQueue);
    // ...and once it is over, the next sender does, under the same key.
    db.exec("UPDATE notifications SET next_attempt_at = now()")
        .await;
    assert_eq!(sender.step().await.unwrap(), done(1, 0, 0));
    assert_eq!(row(&db, id).await, ("sent".into(), 1, None));
    let keys = keys(&server.received_requests().await.unwrap());
    assert_eq!(keys, vec![id.to_string(); 2]);
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_share_the_work_without_sending_twice() {
    let (db, _) = recorded().await;
    // Sixty SMS rows: copies of the two recorded ones under new ids and kinds kept unique.
    db.exec("DELETE FROM notifications WHERE channel = 'email'")
        .await;
    db.exec(
        "ALTER TABLE notifications DROP CONSTRAINT notifications_application_id_kind_channel_key;
         INSERT INTO notifications (id, application_id, kind, channel, address, language,
             body_text, next_attempt_at)
         SELECT gen_random_uuid(), application_id, kind, channel, address, language, body_text,
             next_attempt_at
         FROM notifications, generate_series(1, 29)",
    )
    .await;
    let server = gateway(200, 60).await;
    let metrics = Metrics::new();
    let url = format!("{}/sms", server.uri());
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let sender = sms_sender(&db, &url, 5, &metrics);
        tasks.push(tokio::spawn(async move {
            while sender.step().await.unwrap() != StepOutcome::EmptyQueue {}
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // On the raw list: a notification sent twice shows up twice.
    let keys = keys(&server.received_requests().await.unwrap());
    let ids: Vec<String> = db
        .client()
        .await
        .query("SELECT id::text FROM notifications", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids.len(), 60);
    assert_eq!(keys.len(), 60, "sixty requests for sixty notifications");
    for id in &ids {
        let sent = keys.iter().filter(|k| *k == id).count();
        assert_eq!(sent, 1, "notification {id} sent {sent} times, not once");
    }
    assert_eq!(
        db.count("SELECT count(*) FROM notifications WHERE state = 'sent'")
            .await,
        60
    );
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_the_send_in_progress_finish_and_record() {
    let (db, _) = recorded().await;
    let id = only_one(&db, "sms").await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(800)))
        .expect(1)
        .mount(&server)
        .await;
    let metrics = Metrics::new();
    let sender = sms_sender(&db, &format!("{}/sms", server.uri()), 5, &metrics);
    let shutdown = tokio_util::sync::CancellationToken::new();
    // Nothing from memory: this row is found by the scan (its lease is over).
    let (_, fresh) = tokio::sync::mpsc::channel(1);
    let running = tokio::spawn(sender.run(fresh, shutdown.clone()));
    while server.received_requests().await.unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("stops after the round in progress")
        .unwrap();
    assert_eq!(row(&db, id).await, ("sent".into(), 1, None));
    db.drop().await;
}
