//! The reads before the signature check, gathered for concurrent deliveries: one query per
//! registry per batch, a redelivered application answered from the database without its
//! signature check, and an item the database refuses failing alone.

use crate::support;

use std::time::Duration;

use serde_json::{json, Value};

use support::amqp::{eventually, header};
use support::db::{context, document, envelope, prepare, seed_sample_registries, TestDb};
use support::pg_proxy::PgProxy;
use support::worker::{eds_envelope, http_get, otp_envelope, World};
use support::{calendar, rules, set};
use trp_worker::config::Batch;
use trp_worker::domain::envelope::Envelope;
use trp_worker::domain::request::ERequest;
use trp_worker::pipeline::prepare::{self, Found, ItemResult, Lookup};
use trp_worker::store::commit::{record_batch, Recorded};
use trp_worker::store::facts;

fn parse(body: &Value) -> Envelope {
    Envelope::parse(&serde_json::to_vec(body).unwrap(), 1 << 20).unwrap()
}

fn lookup(e: &Envelope) -> Lookup {
    Lookup::of(e, ERequest::parse(&e.document).as_ref().ok())
}

/// The facts `facts::load` reads for `e` alone.
async fn alone(db: &TestDb, e: &Envelope) -> trp_worker::checks::Facts {
    let request = ERequest::parse(&e.document);
    facts::load(&db.client().await, e, request.as_ref().ok())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deliveries_share_one_read() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let (rules, calendar) = (rules(), calendar());
    let decided = prepare(&db, "P-DONE", &document(|_| {}), Vec::new()).await;
    record_batch(&db.pool, &[decided], &context(&rules, &calendar))
        .await
        .unwrap();

    let mut envelopes = vec![
        envelope("P-DONE", &document(|_| {})),
        envelope("P-DONE", &document(|v| set(v, "language", json!("en")))),
    ];
    for i in 0..10 {
        let doc = document(|v| set(v, "applicant/passport/number", json!(format!("N{i}"))));
        envelopes.push(match i % 2 {
            0 => parse(&otp_envelope(&format!("P-{i}"), &doc)),
            _ => envelope(&format!("P-{i}"), &doc),
        });
    }
    let proxy = PgProxy::start(&db.url).await;
    let batch = Batch {
        max_size: u16::try_from(envelopes.len()).unwrap(),
        max_wait_ms: 10_000,
    };
    let (gatherer, _task) = prepare::spawn(proxy.pool(2), &batch);
    let submitted = envelopes.iter().map(|e| gatherer.submit(lookup(e)));
    let results: Vec<ItemResult> = futures_util::future::join_all(submitted)
        .await
        .into_iter()
        .map(|r| r.expect("the gathering task runs"))
        .map(|r| r.expect("not a transient failure"))
        .collect();

    assert_eq!(
        proxy.executes(),
        4,
        "applications and three registries, once for twelve deliveries"
    );
    assert!(matches!(results[0], Ok(Found::Known(Recorded::Duplicate))));
    assert!(matches!(results[1], Ok(Found::Known(Recorded::Conflict))));
    for (e, result) in envelopes.iter().zip(&results).skip(2) {
        let Ok(Found::New(facts)) = result else {
            panic!("{}: new", e.application_id)
        };
        assert!(*facts == alone(&db, e).await, "{}", e.application_id);
        assert!(facts.fingerprint.is_some());
    }
    db.drop().await;
}

#[tokio::test]
async fn an_item_the_database_refuses_fails_alone() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    // PostgreSQL refuses a NUL in text: the lone read of this application fails too.
    let poisoned = envelope(
        "P-NUL",
        &document(|v| set(v, "applicant/passport/number", json!("FA\u{0}1"))),
    );
    let request = ERequest::parse(&poisoned.document).unwrap();
    let lone = facts::load(&db.client().await, &poisoned, Some(&request)).await;
    assert!(lone.is_err_and(|e| !e.is_transient()));

    let good = |id| envelope(id, &document(|_| {}));
    let items = [
        lookup(&good("P-1")),
        lookup(&poisoned),
        lookup(&good("P-2")),
    ];
    let results = prepare::gather(&db.pool, &items)
        .await
        .unwrap_or_else(|e| panic!("not a failure of the whole batch: {e}"));
    assert!(matches!(results[0], Ok(Found::New(_))));
    assert!(results[1].as_ref().is_err_and(|e| !e.is_transient()));
    assert!(matches!(results[2], Ok(Found::New(_))));
    db.drop().await;
}

/// The value of the metric line `name` (labels included) in a Prometheus text.
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_decided_application_is_not_checked_again() {
    let world = World::new().await;
    let replica = world.start().await;
    let port = replica.running.http_addr.port();
    let first = eds_envelope("TRP-RD-1", &document(|_| {}), "leaf-rsa");
    world.submit(&first).await;
    assert_eq!(world.decision("TRP-RD-1").await["outcome"], "approved");
    let checks = r#"trp_signature_checks_total{method="eds"}"#;
    let metrics = http_get(port, "/metrics").await;
    assert_eq!(metric(&metrics, checks), Some(1.0), "{metrics}");

    // The portal publishes it again, once signed by OTP (the same document: a duplicate
    // too), and once with another document (a conflict).
    world.submit(&first).await;
    let other = document(|v| set(v, "language", json!("en")));
    world
        .submit(&eds_envelope("TRP-RD-1", &other, "leaf-rsa"))
        .await;
    world
        .submit(&otp_envelope("TRP-RD-1", &document(|_| {})))
        .await;
    let dlq = world.broker.names.dead_letter_queue.clone();
    let settled = eventually(Duration::from_secs(60), || async {
        let m = http_get(port, "/metrics").await;
        world.broker.ready(&dlq).await == 1 && metric(&m, "trp_duplicates_total") == Some(2.0)
    })
    .await;
    assert!(
        settled,
        "two duplicates counted, one conflict dead-lettered"
    );
    while let Some(got) = world.broker.take(&dlq).await {
        let reason = header(&got.delivery.properties, "x-trp-reason");
        assert_eq!(reason.as_deref(), Some("conflict"));
    }
    let metrics = http_get(port, "/metrics").await;
    assert_eq!(
        metric(&metrics, checks),
        Some(1.0),
        "no EDS check after the first"
    );
    let otp = r#"trp_signature_checks_total{method="otp"}"#;
    assert_eq!(metric(&metrics, otp), None, "no OTP check at all");
    assert_eq!(world.db.count("SELECT count(*) FROM decisions").await, 1);
    replica.stop().await;
    world.cleanup().await;
}
