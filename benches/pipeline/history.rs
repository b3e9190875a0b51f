//! History for item 5 (cost does not grow with history): tables already holding `4 × N`
//! decided applications before a drain. The worker first decides a small seed load (one
//! cycle of the mix, so real rows of every table, as the current schema and code write
//! them); fast SQL then copies those rows under new ids, `INSERT ... SELECT ... FROM
//! generate_series`, every message sent and every notification sent.

use anyhow::Context as _;
use tokio_postgres::NoTls;

/// Applications the worker decides first, whose rows the history copies.
pub const SEEDS: usize = 100;

/// The statements, run in order; `$1` is the number of copies of each seed. Copies are
/// named `H<copy>-<seed id>`; permit numbers come from the worker's own sequence.
const FILL: [&str; 5] = [
    "INSERT INTO applications (application_id, message_id, document_sha256, document,
         signature_method, submitted_at, received_at, subspecies, language)
     SELECT 'H' || g || '-' || a.application_id, gen_random_uuid(), a.document_sha256,
            a.document, a.signature_method, a.submitted_at - make_interval(days => g % 700),
            a.received_at - make_interval(days => g % 700), a.subspecies, a.language
     FROM applications a CROSS JOIN generate_series(1, $1::int) g",
    "INSERT INTO permits (number, application_id, subspecies, holder_iin, employer_bin,
         household, valid_from, valid_until, issued_at)
     SELECT 'TRP-2026-' || lpad(nextval('permit_number_seq')::text, 8, '0'),
            'H' || g || '-' || p.application_id, p.subspecies, p.holder_iin, p.employer_bin,
            p.household, p.valid_from, p.valid_until, p.issued_at
     FROM permits p CROSS JOIN generate_series(1, $1::int) g",
    "INSERT INTO decisions (application_id, outcome, decided_at, due_at, reasons, checks,
         rules_version, calendar_version, trust_version, facts, permit_number)
     SELECT 'H' || g || '-' || d.application_id, d.outcome, d.decided_at, d.due_at, d.reasons,
            d.checks, d.rules_version, d.calendar_version, d.trust_version, d.facts, p.number
     FROM decisions d CROSS JOIN generate_series(1, $1::int) g
     LEFT JOIN permits p ON p.application_id = 'H' || g || '-' || d.application_id",
    "INSERT INTO outbox (message_id, application_id, destination, routing_key, type,
         \"timestamp\", body, created_at, claimed_until, sent_at)
     SELECT gen_random_uuid(), 'H' || g || '-' || o.application_id, o.destination,
            o.routing_key, o.type, o.\"timestamp\", o.body, o.created_at, NULL,
            coalesce(o.sent_at, now())
     FROM outbox o CROSS JOIN generate_series(1, $1::int) g",
    "INSERT INTO notifications (id, application_id, kind, channel, address, language, subject,
         body_text, body_html, state, attempts, next_attempt_at, last_error, created_at,
         sent_at)
     SELECT gen_random_uuid(), 'H' || g || '-' || n.application_id, n.kind, n.channel,
            n.address, n.language, n.subject, n.body_text, n.body_html, 'sent',
            greatest(n.attempts, 1), n.next_attempt_at, NULL, n.created_at,
            coalesce(n.sent_at, now())
     FROM notifications n CROSS JOIN generate_series(1, $1::int) g",
];

/// What the tables hold after the fill.
#[derive(Debug, Clone, Copy)]
pub struct Filled {
    pub applications: i64,
    pub outbox: i64,
    pub notifications: i64,
    pub megabytes: f64,
}

/// Copies the seed rows in `url`'s database until it holds about `target` applications,
/// then vacuums and analyses the tables and checkpoints, as a database with this history
/// would have been long before: none of that (autovacuum would start it, for the inserts)
/// lands inside the drain.
pub async fn fill(url: &str, target: usize) -> anyhow::Result<Filled> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    let seeds: i64 = client
        .query_one("SELECT count(*) FROM applications", &[])
        .await?
        .get(0);
    anyhow::ensure!(seeds > 0, "no seed applications to copy");
    let copies = i32::try_from(target.div_ceil(seeds as usize))?;
    for statement in FILL {
        let table = statement.split_whitespace().nth(2).unwrap_or("?");
        client
            .execute(statement, &[&copies])
            .await
            .with_context(|| format!("filling {table}"))?;
    }
    // One statement each: VACUUM may not share a query string with another.
    for statement in [
        "VACUUM (ANALYZE) applications, permits, decisions, outbox, notifications",
        "CHECKPOINT",
    ] {
        client.batch_execute(statement).await?;
    }
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM applications), (SELECT count(*) FROM outbox),
                    (SELECT count(*) FROM notifications),
                    pg_database_size(current_database())::float8 / 1048576",
            &[],
        )
        .await?;
    Ok(Filled {
        applications: row.get(0),
        outbox: row.get(1),
        notifications: row.get(2),
        megabytes: row.get(3),
    })
}
