//! One application that can never be committed does not hold back those that shared its
//! batch: they are committed one by one.

use crate::support;

use serde_json::json;

use support::db::{context, document, prepare_envelope, seed_sample_registries, TestDb};
use support::{calendar, rules};
use trp_worker::domain::envelope::Envelope;
use trp_worker::domain::sample;
use trp_worker::pipeline::commit::commit;
use trp_worker::store::commit::Recorded;

fn envelope_at(id: &str, submitted_at: &str) -> Envelope {
    let mut body = sample::envelope(
        id,
        &document(|_| {}),
        json!({"method": "eds", "cms": "MA=="}),
    );
    body["submitted_at"] = json!(submitted_at);
    Envelope::parse(&serde_json::to_vec(&body).unwrap(), 1 << 20).unwrap()
}

#[tokio::test]
async fn a_poisoned_item_fails_alone() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let (rules, calendar) = (rules(), calendar());
    let ctx = context(&rules, &calendar);
    let items = vec![
        prepare_envelope(
            &db,
            envelope_at("TRP-OK-1", "2026-11-24T10:15:00+05:00"),
            vec![],
        )
        .await,
        // No calendar is configured for 2031: its due date cannot be computed.
        prepare_envelope(
            &db,
            envelope_at("TRP-BAD", "2031-11-24T10:15:00+05:00"),
            vec![],
        )
        .await,
        prepare_envelope(
            &db,
            envelope_at("TRP-OK-2", "2026-11-24T10:15:00+05:00"),
            vec![],
        )
        .await,
    ];
    let (results, written) = commit(&db.pool, &items, &ctx)
        .await
        .expect("not a transient failure");
    assert_eq!(results.len(), 3);
    assert!(
        matches!(results[0], Ok(Recorded::Decided { .. })),
        "{:?}",
        results[0]
    );
    let bad = results[1].as_ref().expect_err("the 2031 application fails");
    assert!(!bad.is_transient());
    assert!(
        matches!(results[2], Ok(Recorded::Decided { .. })),
        "{:?}",
        results[2]
    );
    assert_eq!(db.count("SELECT count(*) FROM decisions").await, 2);
    // What the two committed items wrote, to publish and send, and nothing of the third.
    assert_eq!(written.outbox.len(), 6);
    assert!(written.outbox.iter().all(|m| m.application_id != "TRP-BAD"));
    assert_eq!(db.count("SELECT count(*) FROM outbox").await, 6);
    db.drop().await;
}
