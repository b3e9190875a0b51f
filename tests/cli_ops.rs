//! The operators' commands through the binary: bad configuration exits 2 naming the
//! setting; `migrate`, `import` and `explain` against a database of the test's own.

use crate::support;

use std::process::{Command, Output};

use support::db::{context, document, prepare, seed_sample_registries, TestDb};
use support::{calendar, rules};
use trp_worker::store::commit::record_batch;

fn worker(args: &[&str], db_url: &str, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trp-worker"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TRP__DATABASE__URL", db_url)
        .env("TRP__LOG__FILTER", "warn")
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn run_refuses_bad_configuration_with_exit_2_naming_the_setting() {
    let url = "postgres://postgres@127.0.0.1:5432/none";
    let root = support::pki("root.pem").display().to_string();
    let no_crl: &[(&str, &str)] = &[
        ("TRP__SIGNATURE__TRUST_ANCHORS", &root),
        ("TRP__SIGNATURE__OTP_KEY", "a2V5"),
    ];
    let cases: [(&[(&str, &str)], &str); 12] = [
        (&[("TRP__AMQP__DELIVERY_LIMIT", "0")], "amqp.delivery_limit"),
        (&[("TRP__DATABASE__URL", "mysql://nope")], "database.url"),
        (&[("TRP__AMQP__PREFETCH", "many")], "TRP__AMQP__PREFETCH"),
        (&[("TRP__AMQP__PREFTCH", "1")], "TRP__AMQP__PREFTCH"),
        (&[("TRP__SMTP__TLS", "ssl")], "smtp.tls"),
        (
            &[("TRP__SMTP__HOST", "mail.example.org")],
            "smtp.tls is none",
        ),
        (
            &[("TRP__LOG__FILTER", "info,trp_worker=loud")],
            "log.filter",
        ),
        (
            &[("TRP__DATABASE__LOCK_TIMEOUT_MS", "0")],
            "database.lock_timeout_ms",
        ),
        (
            &[("TRP__DATABASE__TLS", "verify-full")],
            "database.tls_ca_file",
        ),
        (&[], "signature.trust_anchors"),
        // No CRL at all, and no setting that allows it.
        (no_crl, "signature.crls"),
        (&[("TRP__RELOAD__POLL_MS", "often")], "TRP__RELOAD__POLL_MS"),
    ];
    for (env, named) in cases {
        let out = worker(&["run"], url, env);
        assert_eq!(out.status.code(), Some(2), "{env:?}: {}", stderr(&out));
        assert!(stderr(&out).starts_with(named), "{env:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim_end().lines().count(), 1, "one line");
    }
    // Every command, not only run: a bad filter is never silently replaced by `info`.
    let out = worker(&["migrate"], url, &[("TRP__LOG__FILTER", "[")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("log.filter"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_then_import_a_registry() {
    let db = TestDb::empty().await;
    let out = worker(&["migrate"], &db.url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("biometrics.csv");
    std::fs::write(
        &good,
        "iin,fingerprint_record,registered_on\n900517310006,FP-1,2026-10-01\n",
    )
    .unwrap();
    let out = worker(
        &["import", "biometrics", good.to_str().unwrap()],
        &db.url,
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 row(s) loaded"), "{}", stdout(&out));

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "iin,fingerprint_record,registered_on\n900517310006,FP-2,2026-10-01\n900517310007,FP-3,2026-10-01\n",
    )
    .unwrap();
    let out = worker(
        &["import", "biometrics", bad.to_str().unwrap()],
        &db.url,
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("900517310007"),
        "no value in the message"
    );
    let record: String = db
        .client()
        .await
        .query_one("SELECT fingerprint_record FROM reg_biometrics", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(record, "FP-1", "nothing of the bad file loaded");

    // A file without its header: the message names the columns, not the first row.
    let headless = dir.path().join("headless.csv");
    std::fs::write(&headless, "900517310008,FP-4,2026-10-01\n").unwrap();
    let out = worker(
        &["import", "biometrics", headless.to_str().unwrap()],
        &db.url,
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the header must be `iin,fingerprint_record,registered_on`"),
        "{}",
        stderr(&out)
    );
    for value in ["900517310008", "FP-4", "2026-10-01"] {
        assert!(!stderr(&out).contains(value), "{}", stderr(&out));
    }

    let out = worker(
        &["import", "passports", good.to_str().unwrap()],
        &db.url,
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_prints_the_decision_checks_reasons_and_notifications() {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let (rules, calendar) = (rules(), calendar());
    let doc = document(|v| v["permit"]["from"] = serde_json::json!("2026-01-01"));
    let item = prepare(&db, "TRP-X-1", &doc, Vec::new()).await;
    record_batch(&db.pool, &[item], &context(&rules, &calendar))
        .await
        .unwrap();

    let out = worker(&["explain", "TRP-X-1"], &db.url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "decision refused",
        "eligibility  failed",
        "eligibility.term",
        "notifications",
        "sms",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(
        !text.contains("77011234567") && !text.contains("aziz"),
        "no personal data:\n{text}"
    );
    let out = worker(&["explain", "TRP-X-1", "--json"], &db.url, &[]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["decision"]["outcome"], "refused");
    let out = worker(&["explain", "TRP-NOPE"], &db.url, &[]);
    assert_eq!(out.status.code(), Some(1));
    db.drop().await;
}
