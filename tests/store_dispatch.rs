//! What a batch writes is leased to the replica that committed it: returned from the commit
//! with the ids it was stored under, sent from memory, and found by the scans of every
//! replica only once its lease has run out. Results are recorded per round in one statement.

use crate::support;

use std::time::Duration;

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use support::db::{context, document, prepare, seed_sample_registries, TestDb};
use support::notify::{row, sms_sender};
use support::{calendar, rules};
use trp_worker::domain::request::Channel;
use trp_worker::notify::sender::StepOutcome;
use trp_worker::store::commit::{commit_batch, Committed, Leases};
use trp_worker::store::notifications::{self, record_all, Record};
use trp_worker::store::outbox;
use trp_worker::telemetry::Metrics;

const LEASES: Leases = Leases {
    outbox: Duration::from_secs(30),
    notifications: Duration::from_secs(60),
};

/// Two approved applications committed under `leases`.
async fn committed(leases: Leases) -> (TestDb, Committed) {
    let db = TestDb::migrated().await;
    seed_sample_registries(&db).await;
    let (rules, calendar) = (rules(), calendar());
    let doc = document(|_| {});
    let items = vec![
        prepare(&db, "TRP-D-1", &doc, Vec::new()).await,
        prepare(&db, "TRP-D-2", &doc, Vec::new()).await,
    ];
    let ctx = trp_worker::store::commit::Context {
        leases,
        ..context(&rules, &calendar)
    };
    let committed = commit_batch(&db.pool, &items, &ctx)
        .await
        .expect("committed");
    (db, committed)
}

async fn claim_sms(db: &TestDb) -> Vec<notifications::Notification> {
    let hour = Duration::from_secs(3600);
    notifications::claim(&db.pool, Channel::Sms, 100, Duration::from_secs(60), hour)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_batch_is_returned_as_stored_and_scanned_only_after_its_lease() {
    let (db, committed) = committed(LEASES).await;
    let written = &committed.written;
    // Three messages and four notifications (SMS and e-mail, received and decision) each.
    assert_eq!(written.outbox.len(), 6);
    assert_eq!(written.notifications.len(), 8);

    // While the lease lasts, no scan takes them.
    let lease = Duration::from_secs(30);
    assert!(outbox::claim(&db.pool, 100, lease)
        .await
        .unwrap()
        .is_empty());
    assert!(claim_sms(&db).await.is_empty());

    // Once it has run out, a scan finds exactly what the commit returned.
    db.exec(
        "UPDATE outbox SET claimed_until = now() - interval '1 second';
         UPDATE notifications SET next_attempt_at = now();",
    )
    .await;
    let mut scanned = outbox::claim(&db.pool, 100, lease).await.unwrap();
    let mut returned = written.outbox.clone();
    scanned.sort_by_key(|r| r.id);
    returned.sort_by_key(|r| r.id);
    assert_eq!(scanned, returned, "same ids, message ids and bytes");
    let mut sms: Vec<_> = claim_sms(&db).await.into_iter().map(|n| n.id).collect();
    let mut fresh: Vec<_> = written
        .notifications
        .iter()
        .filter(|n| n.channel == Channel::Sms)
        .map(|n| n.id)
        .collect();
    sms.sort();
    fresh.sort();
    assert_eq!(sms, fresh);
    db.drop().await;
}

#[tokio::test]
async fn without_a_lease_the_next_scan_takes_them_at_once() {
    let (db, _) = committed(Leases::default()).await;
    let claimed = outbox::claim(&db.pool, 100, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 6);
    assert_eq!(claim_sms(&db).await.len(), 4);
    db.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_notifications_are_sent_once_and_recorded() {
    let (db, committed) = committed(LEASES).await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .expect(4)
        .mount(&server)
        .await;
    let metrics = Metrics::new();
    let sender = sms_sender(&db, &format!("{}/sms", server.uri()), 5, &metrics);
    let sms: Vec<_> = committed
        .written
        .notifications
        .into_iter()
        .filter(|n| n.channel == Channel::Sms)
        .collect();
    let done = sender.send_fresh(&sms).await.unwrap();
    assert_eq!(
        done,
        StepOutcome::Done {
            sent: 4,
            retried: 0,
            failed: 0
        }
    );
    for n in &sms {
        assert_eq!(row(&db, n.id).await, ("sent".into(), 1, None));
    }
    // Sent rows are never scanned again, even once the lease would be over.
    db.exec("UPDATE notifications SET next_attempt_at = now()")
        .await;
    assert_eq!(sender.step().await.unwrap(), StepOutcome::EmptyQueue);
    db.drop().await;
}

#[tokio::test]
async fn one_statement_records_every_kind_of_result() {
    let (db, committed) = committed(Leases::default()).await;
    let ids: Vec<_> = committed
        .written
        .notifications
        .iter()
        .map(|n| n.id)
        .collect();
    let results = [
        (ids[0], Record::Sent),
        (
            ids[1],
            Record::Retry {
                after: Duration::from_secs(120),
                error: "sms: 503",
            },
        ),
        (ids[2], Record::Failed { error: "sms: 400" }),
        (ids[3], Record::Expired { error: "expired" }),
    ];
    assert_eq!(record_all(&db.pool, &results).await.unwrap(), 4);
    assert_eq!(row(&db, ids[0]).await, ("sent".into(), 1, None));
    assert_eq!(
        row(&db, ids[1]).await,
        ("pending".into(), 1, Some("sms: 503".into()))
    );
    assert_eq!(
        row(&db, ids[2]).await,
        ("failed".into(), 1, Some("sms: 400".into()))
    );
    assert_eq!(
        row(&db, ids[3]).await,
        ("failed".into(), 0, Some("expired".into()))
    );
    let due = db
        .count(&format!(
            "SELECT count(*) FROM notifications WHERE id = '{}'
               AND next_attempt_at > now() + interval '100 seconds'",
            ids[1]
        ))
        .await;
    assert_eq!(due, 1, "the retry is due after its delay");
    // A late result never undoes one recorded before.
    let late = [(ids[0], Record::Failed { error: "late" })];
    assert_eq!(record_all(&db.pool, &late).await.unwrap(), 0);
    assert_eq!(row(&db, ids[0]).await, ("sent".into(), 1, None));
    db.drop().await;
}
