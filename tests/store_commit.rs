//! `record_batch` against a real PostgreSQL: the approval with everything it causes,
//! duplicates and conflicts, and refusals recorded with their reasons.

use crate::support;

use serde_json::{json, Value};

use support::db::{context, document, prepare, seed_sample_registries, TestDb};
use support::{calendar, rules, set};
use trp_worker::domain::decision::Outcome;
use trp_worker::domain::reason::{Failure, ReasonCode};
use trp_worker::store::commit::{record_batch, Recorded};

fn is_permit_number(s: &str) -> bool {
    let digits = s.strip_prefix("TRP-2026-").unwrap_or_default();
    digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit())
}

#[tokio::test]
async fn the_sample_is_approved_with_permit_outbox_and_notifications() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let (rules, calendar) = (rules(), calendar());
    let item = prepare(&db, "TRP-2026-000123", &document(|_| {}), Vec::new()).await;
    let got = record_batch(&db.pool, &[item], &context(&rules, &calendar))
        .await
        .expect("recorded");
    let [Recorded::Decided {
        outcome: Outcome::Approved,
        permit_number: Some(number),
        codes,
        overdue: false,
    }] = got.as_slice()
    else {
        panic!("expected an approval, got {got:?}");
    };
    assert!(is_permit_number(number), "{number}");
    assert!(codes.is_empty(), "{codes:?}");
    let c = db.client().await;
    let row = c
        .query_one(
            "SELECT d.outcome, d.permit_number, d.rules_version, d.trust_version, d.facts,
                    p.holder_iin, p.household
             FROM decisions d JOIN permits p ON p.number = d.permit_number",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "approved");
    assert_eq!(&row.get::<_, String>(1), number);
    assert_eq!(row.get::<_, String>(2), rules.version);
    assert_eq!(
        row.get::<_, Option<String>>(3).as_deref(),
        Some("test-trust-1")
    );
    let facts: Value = row.get(4);
    assert_eq!(facts["fingerprint"]["record"], "FP-2026-7731902");
    assert!(!row.get::<_, bool>(6));

    let outbox = c
        .query(
            "SELECT routing_key, type, body FROM outbox ORDER BY id",
            &[],
        )
        .await
        .unwrap();
    let keys: Vec<String> = outbox.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        keys,
        ["status.received", "decision.approved", "status.approved"]
    );
    let decision: Value = serde_json::from_slice(&outbox[1].get::<_, Vec<u8>>(2)).unwrap();
    assert_eq!(decision["permit"]["number"], json!(number));
    assert_eq!(decision["due_at"], "2026-11-25T18:00:00+05:00");
    let received: Value = serde_json::from_slice(&outbox[0].get::<_, Vec<u8>>(2)).unwrap();
    assert_eq!(received["at"], "2026-11-24T10:15:00.12+05:00");

    let notes = c
        .query(
            "SELECT kind, channel, address, language, subject IS NOT NULL, body_text, state
             FROM notifications ORDER BY kind DESC, channel DESC",
            &[],
        )
        .await
        .unwrap();
    let summary: Vec<(String, String, String)> = notes
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        summary,
        [
            ("received".into(), "sms".into(), "+77011234567".into()),
            (
                "received".into(),
                "email".into(),
                "aziz.karimov@example.org".into()
            ),
            ("decision".into(), "sms".into(), "+77011234567".into()),
            (
                "decision".into(),
                "email".into(),
                "aziz.karimov@example.org".into()
            ),
        ]
    );
    for r in &notes {
        assert_eq!(r.get::<_, String>(3), "ru");
        assert_eq!(r.get::<_, bool>(4), r.get::<_, String>(1) == "email");
        assert!(r.get::<_, String>(5).contains("TRP-2026-000123"));
        assert_eq!(r.get::<_, String>(6), "pending");
    }
    assert!(notes[2].get::<_, String>(5).contains(number.as_str()));
    assert_eq!(
        trp_worker::store::outbox::backlog(&db.pool).await.unwrap(),
        7
    );
    db.drop().await;
}

#[tokio::test]
async fn a_second_delivery_is_a_duplicate_and_another_document_a_conflict() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let (rules, calendar) = (rules(), calendar());
    let ctx = context(&rules, &calendar);
    let first = document(|_| {});
    let other = document(|v| set(v, "language", json!("en")));
    let item = prepare(&db, "TRP-1", &first, Vec::new()).await;
    let got = record_batch(&db.pool, std::slice::from_ref(&item), &ctx)
        .await
        .unwrap();
    assert!(matches!(
        got[0],
        Recorded::Decided {
            outcome: Outcome::Approved,
            ..
        }
    ));

    let again = prepare(&db, "TRP-1", &first, Vec::new()).await;
    let conflict = prepare(&db, "TRP-1", &other, Vec::new()).await;
    let c = db.client().await;
    let known = |e| trp_worker::store::seen::known(&c, e);
    assert_eq!(
        known(&again.envelope).await.unwrap(),
        Some(Recorded::Duplicate)
    );
    assert_eq!(
        known(&conflict.envelope).await.unwrap(),
        Some(Recorded::Conflict)
    );
    let fresh = support::db::envelope("TRP-2", &first);
    assert_eq!(known(&fresh).await.unwrap(), None);
    let got = record_batch(&db.pool, &[again, conflict], &ctx)
        .await
        .unwrap();
    assert_eq!(got, [Recorded::Duplicate, Recorded::Conflict]);
    assert_eq!(db.count("SELECT count(*) FROM decisions").await, 1);
    assert_eq!(db.count("SELECT count(*) FROM outbox").await, 3);
    assert_eq!(
        db.count("SELECT count(*) FROM notifications WHERE language = 'ru'")
            .await,
        4
    );
    assert_eq!(db.count("SELECT count(*) FROM notifications").await, 4);
    db.drop().await;
}

#[tokio::test]
async fn one_batch_with_one_id_twice_decides_the_first() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let (rules, calendar) = (rules(), calendar());
    let ctx = context(&rules, &calendar);
    let first = document(|_| {});
    let other = document(|v| set(v, "applicant/citizenship", json!("KAZ")));
    let items = [
        prepare(&db, "TRP-B", &other, Vec::new()).await,
        prepare(&db, "TRP-A", &first, Vec::new()).await,
        prepare(&db, "TRP-B", &other, Vec::new()).await,
        prepare(&db, "TRP-B", &first, Vec::new()).await,
    ];
    let got = record_batch(&db.pool, &items, &ctx).await.unwrap();
    assert!(matches!(
        got[0],
        Recorded::Decided {
            outcome: Outcome::Refused,
            ..
        }
    ));
    assert!(matches!(
        got[1],
        Recorded::Decided {
            outcome: Outcome::Approved,
            ..
        }
    ));
    assert_eq!(got[2..], [Recorded::Duplicate, Recorded::Conflict]);
    let outcome: String = db
        .client()
        .await
        .query_one(
            "SELECT outcome FROM decisions WHERE application_id = 'TRP-B'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(outcome, "refused");
    db.drop().await;
}

/// Records one application and returns the stored reason codes and notification count.
async fn refused_codes(db: &TestDb, id: &str, doc: &[u8], sig: Vec<Failure>) -> (Vec<String>, i64) {
    let (rules, calendar) = (rules(), calendar());
    let item = prepare(db, id, doc, sig).await;
    let got = record_batch(&db.pool, &[item], &context(&rules, &calendar))
        .await
        .unwrap();
    let [Recorded::Decided {
        outcome: Outcome::Refused,
        permit_number: None,
        codes,
        ..
    }] = got.as_slice()
    else {
        panic!("{id}: expected a refusal, got {got:?}");
    };
    assert!(!codes.is_empty(), "{id}: a refusal has its reasons");
    let c = db.client().await;
    let reasons: Value = c
        .query_one(
            "SELECT reasons FROM decisions WHERE application_id = $1",
            &[&id],
        )
        .await
        .unwrap()
        .get(0);
    let codes = reasons
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect();
    let notes: i64 = c
        .query_one(
            "SELECT count(*) FROM notifications WHERE application_id = $1",
            &[&id],
        )
        .await
        .unwrap()
        .get(0);
    let keys: Vec<String> = c
        .query(
            "SELECT routing_key FROM outbox WHERE application_id = $1 ORDER BY id",
            &[&id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        keys,
        ["status.received", "decision.refused", "status.refused"],
        "{id}"
    );
    (codes, notes)
}

/// Id, document, signature failures, expected codes, expected notification rows.
type Case = (&'static str, Vec<u8>, Vec<Failure>, Vec<&'static str>, i64);

#[tokio::test]
async fn each_failure_path_is_recorded_as_refused() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let sample = document(|_| {});
    let bad_signature = vec![Failure::new(ReasonCode::SignatureUntrusted, "no chain")];
    let cases: Vec<Case> = vec![
        (
            "SIG",
            sample.clone(),
            bad_signature,
            vec!["signature.untrusted"],
            4,
        ),
        (
            "NOTJSON",
            b"%PDF-1.7".to_vec(),
            vec![],
            vec!["documents.malformed"],
            0,
        ),
        (
            "SALVAGED",
            document(|v| set(v, "permit", json!("one year"))),
            vec![],
            vec!["documents.malformed"],
            4,
        ),
    ];
    for (id, doc, sig, expected, notes) in cases {
        let (codes, n) = refused_codes(&db, id, &doc, sig).await;
        assert_eq!(codes, expected, "{id}");
        assert_eq!(n, notes, "{id}");
    }
    // A registry hit: the passport listed as invalid (numbers compare ignoring case).
    db.exec("INSERT INTO reg_invalid_documents (kind, number) VALUES ('passport', 'fa1234567 ')")
        .await;
    let (codes, _) = refused_codes(&db, "INVALID", &sample, vec![]).await;
    assert_eq!(codes, ["documents.unreliable"]);
    // No fingerprint registration for the applicant.
    db.exec("DELETE FROM reg_invalid_documents; DELETE FROM reg_biometrics")
        .await;
    let (codes, _) = refused_codes(&db, "NOFP", &sample, vec![]).await;
    assert_eq!(codes, ["eligibility.fingerprints_missing"]);
    db.drop().await;
}

#[tokio::test]
async fn a_decision_made_after_its_due_time_is_overdue() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    // Submitted 2026-11-24 10:15, due the next working day at 18:00.
    let on_time = time::macros::datetime!(2026-11-25 18:00 +5);
    let late = time::macros::datetime!(2026-11-25 18:00:01 +5);
    assert!(!overdue_at(&db, "TRP-ON-TIME", on_time).await);
    assert!(overdue_at(&db, "TRP-LATE", late).await);
    db.drop().await;
}

async fn overdue_at(db: &TestDb, id: &str, now: time::OffsetDateTime) -> bool {
    let (rules, calendar) = (rules(), calendar());
    let mut ctx = context(&rules, &calendar);
    ctx.now = now;
    let item = prepare(db, id, &document(|_| {}), Vec::new()).await;
    match record_batch(&db.pool, &[item], &ctx)
        .await
        .unwrap()
        .as_slice()
    {
        [Recorded::Decided { overdue, .. }] => *overdue,
        other => panic!("{other:?}"),
    }
}
