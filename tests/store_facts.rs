//! Registry facts read before the checks, `explain`, and which store errors are transient.

mod support;

use serde_json::json;

use support::db::{context, document, envelope, prepare, seed_sample_registries, TestDb};
use support::{calendar, rules};
use trp_worker::domain::envelope::Envelope;
use trp_worker::domain::request::ERequest;
use trp_worker::domain::sample;
use trp_worker::store::commit::record_batch;
use trp_worker::store::{self, explain, facts, migrate};

fn otp_envelope() -> Envelope {
    let body = sample::envelope(
        "TRP-OTP-1",
        &document(|_| {}),
        json!({
            "method": "otp",
            "otp_id": "5d1c8a9e-2b7f-4c3a-8f6e-1a2b3c4d5e6f",
            "phone": "+77011234567",
            "issued_at": "2026-11-24T10:13:10+05:00",
            "confirmed_at": "2026-11-24T10:14:02+05:00",
            "mac": "AAAA"
        }),
    );
    Envelope::parse(&serde_json::to_vec(&body).unwrap(), 1 << 20).unwrap()
}

#[tokio::test]
async fn facts_come_from_the_registries() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let digest = trp_worker::domain::ids::Sha256::digest(b"photo");
    db.exec(&format!(
        "INSERT INTO reg_invalid_documents (kind, number, sha256) VALUES
           ('passport', ' fa1234567', NULL),
           ('passport', 'ZZ0000000', NULL),
           ('photo', NULL, '\\x{}'),
           ('kinship_proof', 'FA1234567', NULL)",
        digest.to_hex()
    ))
    .await;
    let c = db.client().await;

    let otp = otp_envelope();
    let request = ERequest::parse(&otp.document).unwrap();
    let f = facts::load(&c, &otp, Some(&request)).await.unwrap();
    assert_eq!(f.phone_holder_iin.as_deref(), Some("900517310006"));
    assert_eq!(f.fingerprint.as_ref().unwrap().record, "FP-2026-7731902");
    assert_eq!(f.household_permits_held, 0);
    let mut kinds: Vec<&str> = f
        .invalid_documents
        .iter()
        .map(|d| d.kind.as_str())
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        ["passport", "photo"],
        "only listed kinds, only shared numbers or digests"
    );
    assert_eq!(
        f.invalid_documents
            .iter()
            .find(|d| d.kind == "photo")
            .unwrap()
            .sha256,
        Some(digest)
    );

    let eds = envelope("TRP-EDS-1", b"not json");
    let f = facts::load(&c, &eds, None).await.unwrap();
    assert_eq!(f, Default::default());
    db.drop().await;
}

#[tokio::test]
async fn explain_shows_the_decision_and_notification_states() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let (rules, calendar) = (rules(), calendar());
    let item = prepare(&db, "TRP-EX-1", &document(|_| {}), Vec::new()).await;
    record_batch(&db.pool, &[item], &context(&rules, &calendar))
        .await
        .unwrap();
    let found = explain::load(&db.pool, "TRP-EX-1").await.unwrap().unwrap();
    let decision = found.decision.as_ref().unwrap();
    assert_eq!(decision.outcome, "approved");
    assert_eq!(decision.checks.as_array().unwrap().len(), 3);
    assert_eq!(found.notifications.len(), 4);
    assert!(found.notifications.iter().all(|n| n.state == "pending"));
    let text = serde_json::to_string(&found).unwrap();
    assert!(!text.contains("+77011234567") && !text.contains("900517310006"));
    assert!(explain::load(&db.pool, "TRP-NONE").await.unwrap().is_none());
    db.drop().await;
}

#[tokio::test]
async fn a_refused_connection_is_transient_and_a_broken_constraint_is_not() {
    let nowhere = store::pool("postgres://postgres@127.0.0.1:1/none", 1).unwrap();
    let err = migrate::migrate(&nowhere).await.unwrap_err();
    assert!(err.is_transient(), "{err}");

    assert!(store::pool("not a url", 1).is_err());

    let db = TestDb::migrated().await;
    let err = db
        .client()
        .await
        .execute(
            "INSERT INTO reg_invalid_documents (kind) VALUES ('passport')",
            &[],
        )
        .await
        .map_err(store::StoreError::from)
        .unwrap_err();
    assert!(!err.is_transient(), "{err}");
    assert!(err.to_string().contains("23514"), "{err}");
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlock_is_transient() {
    let db = TestDb::migrated().await;
    let (mut a, mut b) = (db.client().await, db.client().await);
    let (ta, tb) = (
        a.transaction().await.unwrap(),
        b.transaction().await.unwrap(),
    );
    let lock = "SELECT pg_advisory_xact_lock($1)";
    ta.execute(lock, &[&1i64]).await.unwrap();
    tb.execute(lock, &[&2i64]).await.unwrap();
    let (ra, rb) = tokio::join!(ta.execute(lock, &[&2i64]), tb.execute(lock, &[&1i64]));
    let err = ra
        .err()
        .or(rb.err())
        .expect("one of them is chosen as the victim");
    let err = store::StoreError::from(err);
    assert!(err.is_transient(), "{err}");
    assert!(err.to_string().contains("40P01"), "{err}");
    drop((ta, tb));
    drop((a, b));
    db.drop().await;
}
