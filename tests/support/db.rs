//! A fresh PostgreSQL database per test, so that tests run in parallel. The admin
//! connection is `TRP_TEST_DATABASE_URL` (default: the local `postgres` database).

use deadpool_postgres::Pool;
use serde_json::Value;
use time::macros::datetime;
use tokio_postgres::NoTls;

use trp_worker::checks::Facts;
use trp_worker::domain::envelope::Envelope;
use trp_worker::domain::reason::Failure;
use trp_worker::domain::request::ERequest;
use trp_worker::domain::sample;
use trp_worker::store::commit::Prepared;
use trp_worker::store::{self, facts, migrate};

pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn admin_url() -> String {
    std::env::var("TRP_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// A database of its own, dropped by [`TestDb::drop`], or when the value is dropped (a
/// failed test included).
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub pool: Pool,
    dropped: bool,
}

async fn admin() -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&admin_url(), NoTls)
        .await
        .expect("the test PostgreSQL is reachable (run scripts/services.sh)");
    tokio::spawn(connection);
    client
}

impl TestDb {
    /// An empty database.
    pub async fn empty() -> TestDb {
        let name = format!("trp_test_{}", uuid::Uuid::new_v4().simple());
        admin()
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
        let url = url_with_db(&admin_url(), &name);
        let pool = store::pool(&url, 16).expect("pool");
        TestDb {
            name,
            url,
            pool,
            dropped: false,
        }
    }

    /// A database with every migration applied.
    pub async fn migrated() -> TestDb {
        let db = Self::empty().await;
        migrate::migrate(&db.pool).await.expect("migrate");
        db
    }

    pub async fn client(&self) -> deadpool_postgres::Object {
        self.pool.get().await.expect("connection")
    }

    pub async fn count(&self, sql: &str) -> i64 {
        self.client()
            .await
            .query_one(sql, &[])
            .await
            .expect(sql)
            .get(0)
    }

    pub async fn exec(&self, sql: &str) {
        self.client().await.batch_execute(sql).await.expect(sql);
    }

    pub async fn drop(self) {
        self.pool.close();
        let _ = admin()
            .await
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await;
    }
}

/// `url` with its database name replaced (the path after the authority).
fn url_with_db(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|j| start + j))
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..authority_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// The sample registries under which the sample application is approved: the
/// applicant's fingerprints and phone.
pub async fn seed_sample_registries(db: &TestDb) {
    db.exec(
        "INSERT INTO reg_biometrics VALUES ('900517310006', 'FP-2026-7731902', '2026-10-01');
         INSERT INTO reg_mobile_citizens VALUES ('+77011234567', '900517310006');",
    )
    .await;
}

/// An EDS envelope around `document` (the signature itself is judged by the caller's
/// `signature` failures).
pub fn envelope(application_id: &str, document: &[u8]) -> Envelope {
    let body = sample::envelope(
        application_id,
        document,
        serde_json::json!({"method": "eds", "cms": "MA=="}),
    );
    Envelope::parse(&serde_json::to_vec(&body).unwrap(), 1 << 20).expect("envelope")
}

/// The sample request's bytes after `change`.
pub fn document(change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut v = sample::request();
    change(&mut v);
    serde_json::to_vec(&v).unwrap()
}

/// A prepared item for `document` with facts read from the database.
pub async fn prepare(
    db: &TestDb,
    application_id: &str,
    document: &[u8],
    signature: Vec<Failure>,
) -> Prepared {
    let envelope = envelope(application_id, document);
    prepare_envelope(db, envelope, signature).await
}

pub async fn prepare_envelope(
    db: &TestDb,
    envelope: Envelope,
    signature: Vec<Failure>,
) -> Prepared {
    let document = ERequest::parse(&envelope.document);
    let facts: Facts = facts::load(&db.client().await, &envelope, document.as_ref().ok())
        .await
        .expect("facts");
    Prepared {
        envelope,
        document,
        signature,
        signing_time: None,
        facts,
        received_at: datetime!(2026-11-24 10:15:00.120 +5),
    }
}

/// The decision context of the tests: shipped rules and calendar, decided at 10:15:00.412.
pub fn context<'a>(
    rules: &'a trp_worker::domain::rules::Rules,
    calendar: &'a trp_worker::domain::calendar::Calendar,
) -> trp_worker::store::commit::Context<'a> {
    trp_worker::store::commit::Context {
        rules,
        calendar,
        trust_version: Some("test-trust-1"),
        now: datetime!(2026-11-24 10:15:00.412 +5),
        // No replica holds what these batches write: the scans take it at once.
        leases: trp_worker::store::commit::Leases::default(),
    }
}
