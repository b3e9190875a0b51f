//! The worker end to end on the real RabbitMQ and PostgreSQL: an approval signed by the test
//! PKI, a refusal on each ground, every envelope error, a duplicate and a conflict.

use crate::support;

use serde_json::{json, Value};

use support::amqp::header;
use support::db::document;
use support::set;
use support::worker::{eds_envelope, http_get, otp_envelope, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_eds_signed_application_is_approved_end_to_end() {
    let world = World::new().await;
    let replica = world.start().await;
    let doc = document(|_| {});
    world
        .submit(&eds_envelope("TRP-E2E-1", &doc, "leaf-rsa"))
        .await;

    let d = world.decision("TRP-E2E-1").await;
    assert_eq!(d["schema"], "trp.decision.v1");
    assert_eq!(d["outcome"], "approved", "{d}");
    assert_eq!(d["reasons"], json!([]));
    assert_eq!(d["due_at"], "2026-11-25T18:00:00+05:00");
    let number = d["permit"]["number"].as_str().unwrap();
    assert!(number.starts_with("TRP-") && number.len() == 17, "{number}");
    assert_eq!(d["permit"]["valid_until"], "2027-11-30");
    let status = world.wait_for(&world.status.clone(), "TRP-E2E-1", 2).await;
    let states: Vec<&str> = status
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert!(
        states.contains(&"received") && states.contains(&"approved"),
        "{states:?}"
    );
    assert_eq!(world.db.count("SELECT count(*) FROM permits").await, 1);
    let unsent = "SELECT count(*) FROM outbox WHERE sent_at IS NULL";
    let all_sent = support::amqp::eventually(std::time::Duration::from_secs(30), || async {
        world.db.count(unsent).await == 0
    });
    assert!(
        all_sent.await,
        "every outbox row is marked sent after its confirm"
    );

    let metrics = http_get(replica.running.http_addr.port(), "/metrics").await;
    assert!(
        metrics.contains("trp_decisions_total{outcome=\"approved\"} 1"),
        "{metrics}"
    );
    assert!(http_get(replica.running.http_addr.port(), "/readyz")
        .await
        .starts_with("HTTP/1.1 200"));
    replica.stop().await;
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_ground_of_refusal() {
    let world = World::new().await;
    world
        .db
        .exec("INSERT INTO reg_permits VALUES ('P-1','111111111111','180240012342',true,'2026-01-01','2027-12-31'),
                ('P-2','111111111112','180240012342',true,'2026-01-01','2027-12-31'),
                ('P-3','111111111113','180240012342',true,'2026-01-01','2027-12-31'),
                ('P-4','111111111114','180240012342',true,'2026-01-01','2027-12-31'),
                ('P-5','111111111115','180240012342',true,'2026-01-01','2027-12-31')")
        .await;
    let replica = world.start().await;
    let cases: [(&str, Value, &str, &str); 4] = [
        // unreliable_data: signed by a certificate of a CA nobody configured.
        (
            "TRP-G-1",
            eds_envelope("TRP-G-1", &document(|_| {}), "leaf-rogue"),
            "signature.untrusted",
            "unreliable_data",
        ),
        // non_compliance: a permit that starts before the submission date.
        (
            "TRP-G-2",
            otp_envelope(
                "TRP-G-2",
                &document(|v| set(v, "permit/from", json!("2026-11-01"))),
            ),
            "eligibility.term",
            "non_compliance",
        ),
        // household_quota: the employer holds five household permits already.
        (
            "TRP-G-3",
            otp_envelope(
                "TRP-G-3",
                &document(|v| set(v, "employer/household", json!(true))),
            ),
            "eligibility.household_quota",
            "household_quota",
        ),
        // The document is not JSON: refused, so that the applicant hears back.
        (
            "TRP-G-4",
            otp_envelope("TRP-G-4", b"not json"),
            "documents.malformed",
            "non_compliance",
        ),
    ];
    for (_, envelope, _, _) in &cases {
        world.submit(envelope).await;
    }
    for (id, _, code, ground) in cases {
        let d = world.decision(id).await;
        assert_eq!(d["outcome"], "refused", "{id}: {d}");
        assert_eq!(d["permit"], Value::Null);
        let reasons = d["reasons"].as_array().unwrap();
        assert_eq!(reasons.len(), 1, "{id}: {d}");
        assert_eq!(reasons[0]["code"], code, "{id}");
        assert_eq!(reasons[0]["ground"], ground, "{id}");
    }
    assert_eq!(world.db.count("SELECT count(*) FROM permits").await, 0);
    replica.stop().await;
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_envelope_error_is_dead_lettered_with_its_reason_and_body() {
    let world = World::new().await;
    let replica = world.start().await;
    let good = serde_json::to_vec(&otp_envelope("TRP-D-0", &document(|_| {}))).unwrap();
    let mut cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not json at all".to_vec(), "envelope.not_json"),
        (
            with(&good, |v| {
                v["schema"] = json!("trp.application.submitted.v9")
            }),
            "envelope.schema",
        ),
        (
            with(&good, |v| {
                v.as_object_mut().unwrap().remove("application_id");
            }),
            "envelope.missing_field",
        ),
        (
            with(&good, |v| v["application_id"] = json!("TRP 1/2")),
            "envelope.invalid_field",
        ),
        (
            with(&good, |v| v["signature"]["method"] = json!("fax")),
            "envelope.invalid_field",
        ),
        (
            with(&good, |v| v["document"] = json!("%%%")),
            "envelope.base64",
        ),
    ];
    let mut huge = good.clone();
    huge.splice(
        1..1,
        format!("\"pad\":\"{}\",", "x".repeat(1 << 20)).into_bytes(),
    );
    cases.push((huge, "envelope.too_large"));
    for (i, (body, _)) in cases.iter().enumerate() {
        world.broker.submit(body, &format!("m-{i}")).await;
    }
    let dlq = world.broker.names.dead_letter_queue.clone();
    let arrived = support::amqp::eventually(std::time::Duration::from_secs(60), || async {
        world.broker.ready(&dlq).await as usize >= cases.len()
    })
    .await;
    assert!(arrived, "every bad envelope reaches the dead-letter queue");
    let mut found = Vec::new();
    while let Some(got) = world.broker.take(&dlq).await {
        let reason = header(&got.delivery.properties, "x-trp-reason").expect("x-trp-reason");
        let error = header(&got.delivery.properties, "x-trp-error").expect("x-trp-error");
        assert!(!error.is_empty() && !error.contains('\n'));
        found.push((got.delivery.data.clone(), reason));
    }
    for (body, reason) in &cases {
        assert!(
            found.iter().any(|(b, r)| b == body && r == reason),
            "{reason}: body intact"
        );
    }
    assert_eq!(world.db.count("SELECT count(*) FROM decisions").await, 0);
    let metrics = http_get(replica.running.http_addr.port(), "/metrics").await;
    assert!(
        metrics.contains("trp_dead_letters_total{reason=\"envelope.base64\"} 1"),
        "{metrics}"
    );
    replica.stop().await;
    world.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_is_dropped_and_a_conflict_dead_lettered() {
    let world = World::new().await;
    let replica = world.start().await;
    let first = otp_envelope("TRP-C-1", &document(|_| {}));
    world.submit(&first).await;
    let d = world.decision("TRP-C-1").await;
    assert_eq!(d["outcome"], "approved");
    // The same application again (the portal re-published it): acknowledged, counted.
    world.submit(&first).await;
    // The same id with another document: a conflict.
    let other = otp_envelope("TRP-C-1", &document(|v| set(v, "language", json!("en"))));
    world.submit(&other).await;
    let dlq = world.broker.names.dead_letter_queue.clone();
    let port = replica.running.http_addr.port();
    let settled = support::amqp::eventually(std::time::Duration::from_secs(60), || async {
        let m = http_get(port, "/metrics").await;
        world.broker.ready(&dlq).await == 1 && m.contains("trp_duplicates_total 1")
    })
    .await;
    assert!(settled, "one conflict dead-lettered, one duplicate counted");
    let got = world.broker.take(&dlq).await.unwrap();
    assert_eq!(
        header(&got.delivery.properties, "x-trp-reason").as_deref(),
        Some("conflict")
    );
    assert_eq!(world.db.count("SELECT count(*) FROM decisions").await, 1);
    let language: String = world
        .db
        .client()
        .await
        .query_one(
            "SELECT language FROM applications WHERE application_id = 'TRP-C-1'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(language, "ru", "the first decision stays");
    replica.stop().await;
    world.cleanup().await;
}

fn with(body: &[u8], change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(body).unwrap();
    change(&mut v);
    serde_json::to_vec(&v).unwrap()
}
