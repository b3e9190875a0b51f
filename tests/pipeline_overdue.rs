//! The service-term watch through the worker (contract section 8): a decision made after its
//! `due_at` counts in `trp_decisions_overdue_total`, one made in time does not.

use crate::support;

use serde_json::json;
use time::format_description::well_known::Rfc3339;

use support::db::document;
use support::worker::{http_get, otp_envelope, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_past_its_due_time_counts_as_overdue_and_one_in_time_does_not() {
    let world = World::new().await;
    let replica = world.start().await;
    // The sample's submitted_at (2026-11-24T10:15:00+05:00) lies days back: its one
    // working day ended long ago.
    let late = otp_envelope("TRP-OVERDUE-LATE", &document(|_| {}));
    let mut in_time = otp_envelope("TRP-OVERDUE-IN-TIME", &document(|_| {}));
    let now = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+5))
        .format(&Rfc3339)
        .unwrap();
    in_time["submitted_at"] = json!(now);
    world.submit(&late).await;
    world.submit(&in_time).await;

    let late = world.decision("TRP-OVERDUE-LATE").await;
    let in_time = world.decision("TRP-OVERDUE-IN-TIME").await;
    let overdue = |d: &serde_json::Value| {
        let at = |k: &str| time::OffsetDateTime::parse(d[k].as_str().unwrap(), &Rfc3339).unwrap();
        at("decided_at") > at("due_at")
    };
    assert!(overdue(&late), "{late}");
    assert!(!overdue(&in_time), "{in_time}");

    let metrics = http_get(replica.running.http_addr.port(), "/metrics").await;
    assert!(
        metrics.contains("\ntrp_decisions_overdue_total 1\n"),
        "{metrics}"
    );
    replica.stop().await;
    world.cleanup().await;
}
