//! Registry facts read before the checks (for one application and for a batch), `explain`,
//! and which store errors are transient.

use crate::support;

use serde_json::json;

use support::db::{context, document, envelope, prepare, seed_sample_registries, TestDb};
use support::pg_proxy::PgProxy;
use support::{calendar, rules, set};
use trp_worker::domain::envelope::Envelope;
use trp_worker::domain::ids::Sha256;
use trp_worker::domain::request::ERequest;
use trp_worker::domain::sample;
use trp_worker::store::commit::record_batch;
use trp_worker::store::facts::{load_many, Keys};
use trp_worker::store::{self, explain, facts, migrate};

fn otp_envelope() -> Envelope {
    otp_envelope_for("TRP-OTP-1", &document(|_| {}), "+77011234567")
}

fn otp_envelope_for(id: &str, document: &[u8], phone: &str) -> Envelope {
    let body = sample::envelope(
        id,
        document,
        json!({
            "method": "otp",
            "otp_id": "5d1c8a9e-2b7f-4c3a-8f6e-1a2b3c4d5e6f",
            "phone": phone,
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

/// Registry rows the varied batch hits, and misses, in several ways.
async fn seed_varied_registries(db: &TestDb) {
    seed_sample_registries(db).await;
    db.exec(&format!(
        "INSERT INTO reg_invalid_documents (kind, number, sha256) VALUES
           ('passport', ' fa1234567', NULL),
           ('passport', 'TB1234567	', NULL),
           ('photo', NULL, '\\x{}'),
           ('employment_contract', 'ED-77 ', NULL),
           ('kinship_proof', 'FA1234567', NULL),
           ('humanitarian_grounds', 'ß-1', NULL)",
        Sha256::digest(b"stolen photo").to_hex()
    ))
    .await;
}

/// OTP and EDS; registered and unknown phones and IINs; documents that hit the registry by
/// number (odd case, spaces) and by digest; a kind only one application lists with a number
/// others list too; a malformed digest; malformed documents; one application twice.
fn varied_batch() -> Vec<Envelope> {
    let sample = document(|_| {});
    let eds = |id: &str, change: &dyn Fn(&mut serde_json::Value)| envelope(id, &document(change));
    let b1 = otp_envelope_for("B-1", &sample, "+77011234567");
    vec![
        b1.clone(),
        otp_envelope_for(
            "B-2",
            &document(|v| set(v, "applicant/iin", json!("900517310007"))),
            "+77019999999",
        ),
        eds("B-3", &|v| {
            set(v, "applicant/passport/number", json!(" fa1234567 "));
        }),
        eds("B-4", &|v| {
            set(v, "applicant/passport/number", json!("TB1234567"));
            set(v, "documents/0/number", json!("tb1234567"));
            set(v, "documents/2/number", json!(" ed-77 "));
        }),
        eds("B-5", &|v| {
            set(v, "applicant/passport/number", json!("QQ1"));
            let digest = Sha256::digest(b"stolen photo").to_hex();
            set(v, "documents/1/sha256", json!(digest));
        }),
        eds("B-6", &|v| {
            let kinship = json!({"kind": "kinship_proof", "number": "FA1234567", "sha256": "zz"});
            v["documents"].as_array_mut().unwrap().push(kinship);
        }),
        eds("B-7", &|v| {
            let grounds = json!({"kind": "humanitarian_grounds", "number": "ß-1"});
            v["documents"].as_array_mut().unwrap().push(grounds);
            set(v, "applicant/iin", json!("9005173100 6"));
        }),
        otp_envelope_for("B-8", b"not json", "+77011234567"),
        envelope("B-9", b"{\"service\": \"trp\"}"),
        b1,
    ]
}

#[tokio::test]
async fn a_batch_reads_for_each_application_what_it_reads_alone() {
    let db = TestDb::migrated().await;
    seed_varied_registries(&db).await;
    let c = db.client().await;
    let batch = varied_batch();
    let requests: Vec<_> = batch.iter().map(|e| ERequest::parse(&e.document)).collect();
    let keys: Vec<Keys> = batch
        .iter()
        .zip(&requests)
        .map(|(e, r)| Keys::of(e, r.as_ref().ok()))
        .collect();
    let many = load_many(&c, &keys).await.unwrap();
    assert_eq!(many.len(), batch.len());
    for ((e, r), got) in batch.iter().zip(&requests).zip(&many) {
        let alone = facts::load(&c, e, r.as_ref().ok()).await.unwrap();
        assert!(
            *got == alone,
            "{}: the batch and the lone read differ",
            e.application_id
        );
    }
    // Not vacuous: the batch found phones, fingerprints and registry rows, each where due.
    let kinds = |i: usize| -> Vec<&str> {
        many[i]
            .invalid_documents
            .iter()
            .map(|d| d.kind.as_str())
            .collect()
    };
    assert!(many[0].phone_holder_iin.is_some() && many[0].fingerprint.is_some());
    assert!(many[1].phone_holder_iin.is_none() && many[1].fingerprint.is_none());
    assert_eq!(kinds(0), ["employment_contract", "passport"]);
    assert_eq!(
        kinds(3),
        ["employment_contract"],
        "a tab is not trimmed by btrim"
    );
    assert_eq!(kinds(4), ["employment_contract", "passport", "photo"]);
    assert_eq!(
        kinds(5),
        ["employment_contract", "kinship_proof", "passport"]
    );
    assert!(many[7].phone_holder_iin.is_some() && many[7].fingerprint.is_none());
    assert_eq!(many[8], Default::default());
    db.drop().await;
}

#[tokio::test]
async fn a_batch_costs_one_query_per_registry() {
    let db = TestDb::migrated().await;
    seed_varied_registries(&db).await;
    let proxy = PgProxy::start(&db.url).await;
    let pool = proxy.pool(1);
    let c = pool.get().await.unwrap();
    let batch = varied_batch();
    let requests: Vec<_> = batch.iter().map(|e| ERequest::parse(&e.document)).collect();
    let keys: Vec<Keys> = batch
        .iter()
        .zip(&requests)
        .map(|(e, r)| Keys::of(e, r.as_ref().ok()))
        .collect();

    proxy.reset();
    load_many(&c, &keys).await.unwrap();
    assert_eq!(
        proxy.executes(),
        3,
        "one per registry for {} applications",
        keys.len()
    );
    assert_eq!(proxy.parses(), 3);
    proxy.reset();
    load_many(&c, &keys).await.unwrap();
    assert_eq!(
        (proxy.executes(), proxy.parses()),
        (3, 0),
        "prepared once per connection"
    );
    let eds_only: Vec<Keys> = batch[2..7].iter().map(|e| Keys::of(e, None)).collect();
    proxy.reset();
    load_many(&c, &eds_only).await.unwrap();
    assert_eq!(
        proxy.executes(),
        0,
        "no registry is asked what nobody needs"
    );

    // The count is of real statements: read one by one, the same applications cost one
    // query per phone (4) and two per readable document (8).
    proxy.reset();
    for (e, r) in batch.iter().zip(&requests) {
        facts::load(&c, e, r.as_ref().ok()).await.unwrap();
    }
    assert_eq!(proxy.executes(), 4 + 2 * 8);
    drop(c);
    pool.close();
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
