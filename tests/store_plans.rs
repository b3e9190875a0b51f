//! Every statement the relay and the senders run over and over reads an index that matches
//! it, so that its cost follows the backlog, not the history: checked on tables holding
//! thousands of sent rows and a few pending ones, with PostgreSQL's own plans.

use crate::support;

use support::db::TestDb;
use trp_worker::store::{notifications, outbox};

/// 10,000 decided applications, every message and notification of theirs sent, and a few
/// of each still pending; then fresh statistics, as autovacuum would have them.
const HISTORY: &str = "
    INSERT INTO applications (application_id, message_id, document_sha256, document,
        signature_method, submitted_at, received_at)
    SELECT 'H-' || g, gen_random_uuid(), sha256(g::text::bytea), '\\x00', 'otp', now(), now()
    FROM generate_series(1, 10000) g;
    INSERT INTO outbox (message_id, application_id, destination, routing_key, type,
        \"timestamp\", body, sent_at)
    SELECT gen_random_uuid(), 'H-' || g, 'status', 'status.received', 'trp.status.v1', now(),
        '\\x00', CASE WHEN g > 20 THEN now() END
    FROM generate_series(1, 10000) g, generate_series(1, 3);
    INSERT INTO notifications (id, application_id, kind, channel, address, language,
        subject, body_text, next_attempt_at, state, sent_at)
    SELECT gen_random_uuid(), 'H-' || g, k, c, 'x', 'ru',
        CASE WHEN c = 'email' THEN 's' END, 'x', now(),
        CASE WHEN g > 20 THEN 'sent' ELSE 'pending' END, now()
    FROM generate_series(1, 10000) g, unnest(ARRAY['received', 'decision']) k,
        unnest(ARRAY['sms', 'email']) c;
    ANALYZE;";

/// The plan of `sql` run with `arguments` (typed as `types`), as text lines.
async fn plan(db: &TestDb, name: &str, types: &str, sql: &str, arguments: &str) -> String {
    let client = db.client().await;
    let explain = if types.is_empty() {
        format!("EXPLAIN {sql}")
    } else {
        client
            .batch_execute(&format!("PREPARE {name}({types}) AS {sql}"))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        format!("EXPLAIN EXECUTE {name}({arguments})")
    };
    let rows = client.query(explain.as_str(), &[]).await.unwrap();
    rows.iter()
        .map(|r| r.get::<_, String>(0))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_no_seq_scan(name: &str, plan: &str) {
    for table in ["outbox", "notifications", "applications"] {
        assert!(
            !plan.contains(&format!("Seq Scan on {table}")),
            "{name} reads all of {table}:\n{plan}"
        );
    }
}

#[tokio::test]
async fn the_hot_statements_read_their_indexes() {
    let db = TestDb::migrated().await;
    db.exec(HISTORY).await;
    let uuids = "ARRAY[gen_random_uuid(), gen_random_uuid()]";
    let cases = [
        ("outbox_claim", "bigint, float8", outbox::CLAIM, "256, 30"),
        (
            "outbox_sent",
            "bigint[]",
            outbox::MARK_SENT,
            "ARRAY[1, 2, 3]",
        ),
        ("backlog", "", outbox::BACKLOG, ""),
        (
            "notifications_claim",
            "text, bigint, float8, float8",
            notifications::CLAIM,
            "'sms', 16, 40, 259200",
        ),
        (
            "notifications_record",
            "uuid[], text[], int[], float8[], text[]",
            notifications::RECORD,
            &format!(
                "{uuids}, ARRAY['sent', 'pending'], ARRAY[1, 1], ARRAY[0, 5], ARRAY[NULL, 'x']"
            ),
        ),
    ];
    for (name, types, sql, arguments) in cases {
        assert_no_seq_scan(name, &plan(&db, name, types, sql, arguments).await);
    }
    db.drop().await;
}
