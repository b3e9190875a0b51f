//! `trp-worker retention purge` through the binary: a dry run changes nothing; `--apply`
//! blanks exactly the applications past their term with nothing left to send, keeps the
//! audit trail, and is idempotent; `explain` still works and says what was purged.

use crate::support;

use std::process::{Command, Output};

use support::db::{context, document, prepare, seed_sample_registries, TestDb};
use support::{calendar, rules};
use trp_worker::store::commit::record_batch;

fn worker(args: &[&str], db_url: &str) -> Output {
    let anchors = format!(
        "{},{}",
        support::pki("root.pem").display(),
        support::pki("intermediate.pem").display()
    );
    let crls = format!(
        "{},{}",
        support::pki("intermediate.crl").display(),
        support::pki("root.crl").display()
    );
    Command::new(env!("CARGO_BIN_EXE_trp-worker"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TRP__DATABASE__URL", db_url)
        .env("TRP__SIGNATURE__TRUST_ANCHORS", anchors)
        .env("TRP__SIGNATURE__CRLS", crls)
        .env("TRP__LOG__FILTER", "warn")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Everything about the applications that retention must not touch, and what it blanks,
/// in one comparable text.
async fn snapshot(db: &TestDb) -> Vec<String> {
    let rows = db
        .client()
        .await
        .query(
            "SELECT a.application_id, a.document_sha256, a.document IS NULL, a.signature IS NULL,
                    a.purged_at IS NULL, d.outcome, d.reasons::text, d.checks::text,
                    d.rules_version, d.calendar_version, d.trust_version, d.permit_number,
                    d.due_at::text, d.facts::text,
                    (SELECT string_agg(n.state || n.address || n.body_text, ',' ORDER BY n.id)
                     FROM notifications n WHERE n.application_id = a.application_id)
             FROM applications a JOIN decisions d USING (application_id)
             ORDER BY a.application_id",
            &[],
        )
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            let digest: Vec<u8> = r.get(1);
            format!(
                "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{:?}|{:?}|{}|{}|{:?}",
                r.get::<_, String>(0),
                hex::encode(digest),
                r.get::<_, bool>(2),
                r.get::<_, bool>(3),
                r.get::<_, bool>(4),
                r.get::<_, String>(5),
                r.get::<_, String>(6),
                r.get::<_, String>(7),
                r.get::<_, String>(8),
                r.get::<_, String>(9),
                r.get::<_, Option<String>>(10),
                r.get::<_, Option<String>>(11),
                r.get::<_, String>(12),
                r.get::<_, String>(13),
                r.get::<_, Option<String>>(14),
            )
        })
        .collect()
}

/// Four applications: two decided on 2026-11-24 with everything sent (one approved, one
/// refused), one decided then with an SMS still pending, one decided now.
async fn world() -> TestDb {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let (rules, calendar) = (rules(), calendar());
    let old = context(&rules, &calendar);
    let refused = document(|v| v["permit"]["from"] = serde_json::json!("2026-01-01"));
    let items = [
        prepare(&db, "TRP-OLD-OK", &document(|_| {}), Vec::new()).await,
        prepare(&db, "TRP-OLD-NO", &refused, Vec::new()).await,
        prepare(&db, "TRP-OLD-PENDING", &document(|_| {}), Vec::new()).await,
    ];
    record_batch(&db.pool, &items, &old).await.unwrap();
    let recent = trp_worker::store::commit::Context {
        now: time::OffsetDateTime::now_utc(),
        ..old
    };
    let item = prepare(&db, "TRP-NEW", &document(|_| {}), Vec::new()).await;
    record_batch(&db.pool, &[item], &recent).await.unwrap();
    db.exec(
        "UPDATE outbox SET sent_at = now();
         UPDATE notifications SET state = 'sent', sent_at = now()
         WHERE NOT (application_id = 'TRP-OLD-PENDING' AND channel = 'sms')",
    )
    .await;
    // A row taken in but not decided: never purged, whatever its age.
    db.exec(
        "INSERT INTO applications (application_id, message_id, document_sha256, document,
             signature_method, submitted_at, received_at)
         VALUES ('TRP-UNDECIDED', gen_random_uuid(), sha256('x'::bytea), 'x', 'otp',
                 '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    )
    .await;
    db
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_counts_and_changes_nothing() {
    let db = world().await;
    let before = snapshot(&db).await;
    let out = worker(&["retention", "purge", "--older-than", "2"], &db.url);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stdout(&out).starts_with("would purge (dry run; --apply to purge): 2 application(s)"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains(", 8 notification(s)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(snapshot(&db).await, before);
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_blanks_exactly_the_old_ones_keeps_the_audit_trail_and_is_idempotent() {
    let db = world().await;
    let before = snapshot(&db).await;
    let out = worker(
        &["retention", "purge", "--older-than", "2", "--apply"],
        &db.url,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        stdout(&out).starts_with("purged: 2 application(s)"),
        "{}",
        stdout(&out)
    );
    let after = snapshot(&db).await;
    let purged = ["TRP-OLD-NO", "TRP-OLD-OK"];
    for (was, now) in before.iter().zip(&after) {
        let id = was.split('|').next().unwrap();
        if !purged.contains(&id) {
            assert_eq!(was, now, "{id} untouched");
            continue;
        }
        let (was, now): (Vec<&str>, Vec<&str>) =
            (was.split('|').collect(), now.split('|').collect());
        // Kept: id, digest, outcome, reasons, checks, versions, permit, due_at.
        for kept in [0, 1, 5, 6, 7, 8, 9, 10, 11, 12] {
            assert_eq!(was[kept], now[kept], "{id}: column {kept} kept");
        }
        assert_eq!(
            &now[2..5],
            ["true", "true", "false"],
            "{id}: document, signature blanked, purged_at set"
        );
        assert!(
            now[13].contains("\"purged\": true") && !now[13].contains("FP-2026"),
            "{id}: {}",
            now[13]
        );
        assert!(
            !now[14].contains("77011234567") && !now[14].contains('@'),
            "{id}: {}",
            now[14]
        );
        assert!(
            now[14].starts_with("Some(\"sent"),
            "{id}: delivery states kept: {}",
            now[14]
        );
    }
    let undecided =
        "SELECT count(*) FROM applications WHERE purged_at IS NULL AND document IS NOT NULL";
    assert_eq!(
        db.count(undecided).await,
        3,
        "the pending, the new and the undecided one keep theirs"
    );
    let permits = db.count("SELECT count(*) FROM permits WHERE application_id = 'TRP-OLD-OK'");
    assert_eq!(permits.await, 1, "the permit stays");

    let out = worker(&["explain", "TRP-OLD-OK"], &db.url);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    assert!(
        text.contains("purged") && text.contains("decision approved"),
        "{text}"
    );
    let out = worker(&["explain", "TRP-OLD-OK", "--json"], &db.url);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["purged_at"].is_string(), "{json}");
    assert_eq!(json["decision"]["outcome"], "approved");
    let out = worker(&["explain", "TRP-OLD-OK", "--replay"], &db.url);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot be replayed: its envelope was purged"),
        "{err}"
    );

    let again = worker(
        &["retention", "purge", "--older-than", "2", "--apply"],
        &db.url,
    );
    assert!(
        stdout(&again).starts_with("purged: 0 application(s)"),
        "{}",
        stdout(&again)
    );
    assert_eq!(snapshot(&db).await, after, "a second run changes nothing");
    db.drop().await;
}
