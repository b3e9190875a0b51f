//! The invariants of delivery: every outbox row published and received with its bytes,
//! every notification sent (or failed for good with a reason) and taken by its sink under
//! its own key, nothing left in the work queue, and exactly the designed dead letters.

use std::collections::{HashMap, HashSet};

use lapin::options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use serde_json::Value;

use crate::checks::Report;
use crate::mix::Published;
use crate::receipts::{Destination, Receipts};
use crate::sinks::Sinks;
use crate::world::{self, World};

/// Every outbox row published and received with its bytes; every message received is an
/// outbox row's; repeats only with the same message id and bytes; one decision message per
/// decided application.
pub async fn messages(
    r: &mut Report,
    db: &tokio_postgres::Client,
    receipts: &Receipts,
) -> anyhow::Result<()> {
    let rows = db
        .query(
            "SELECT message_id::text, destination, body, sent_at IS NOT NULL, application_id \
             FROM outbox",
            &[],
        )
        .await?;
    let decided: i64 = db
        .query_one("SELECT count(*) FROM decisions", &[])
        .await?
        .get(0);
    let inner = receipts.inner.lock().expect("not poisoned");
    let (mut unsent, mut missing, mut altered) = (0, 0, 0);
    let mut outbox = HashSet::new();
    let mut per_application: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let id: String = row.get(0);
        let destination = match row.get::<_, &str>(1) {
            "decisions" => Destination::Decisions,
            _ => Destination::Status,
        };
        let body: Vec<u8> = row.get(2);
        unsent += usize::from(!row.get::<_, bool>(3));
        if destination == Destination::Decisions {
            *per_application.entry(row.get(4)).or_default() += 1;
        }
        match inner.messages.get(&(destination, id.clone())) {
            None => missing += 1,
            Some(got) => altered += usize::from(got.bytes != body),
        }
        outbox.insert((destination, id));
    }
    let mut received = [0usize; 2];
    let (mut repeats, mut differing, mut unknown) = (0, 0, 0);
    for ((destination, id), got) in &inner.messages {
        received[usize::from(*destination == Destination::Status)] += 1;
        repeats += (got.copies - 1) as usize;
        differing += got.differing as usize;
        unknown += usize::from(!outbox.contains(&(*destination, id.clone())));
    }
    let twice = per_application.values().filter(|c| **c > 1).count();
    r.count("outbox rows", rows.len());
    r.count("outbox rows unsent", unsent);
    r.count("decision messages received (distinct)", received[0]);
    r.count("status messages received (distinct)", received[1]);
    r.count("messages repeated (same id, same bytes)", repeats);
    r.count("messages repeated with other bytes", differing);
    r.count("outbox rows never received", missing);
    r.count("received bytes differ from the outbox row", altered);
    r.count("messages received that no outbox row holds", unknown);
    r.count("applications with two decision messages", twice);
    r.require(unsent + missing == 0, || {
        format!("{unsent} outbox rows unsent, {missing} never received")
    });
    r.require(differing + altered == 0, || {
        format!("{differing} repeats with other bytes, {altered} differ from the outbox")
    });
    r.require(unknown == 0, || {
        format!("{unknown} messages nobody recorded")
    });
    r.require(twice == 0, || {
        format!("{twice} applications with two decisions")
    });
    // One decision message per decided application, counted from the messages themselves.
    let mut by_application: HashMap<String, usize> = HashMap::new();
    for ((destination, _), got) in &inner.messages {
        if *destination == Destination::Decisions {
            let body: Value = serde_json::from_slice(&got.bytes).unwrap_or(Value::Null);
            let id = body["application_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            *by_application.entry(id).or_default() += 1;
        }
    }
    let over = by_application.values().filter(|c| **c > 1).count();
    r.count("applications with two decision messages received", over);
    r.require(over == 0 && by_application.len() as i64 == decided, || {
        format!(
            "{} applications have decision messages, {decided} decisions; {over} have two",
            by_application.len()
        )
    });
    Ok(())
}

/// Every notification sent, or failed for good with a reason; the sinks took each sent one
/// under its own key, and nothing under a key the database does not hold as sent.
pub async fn notifications(
    r: &mut Report,
    db: &tokio_postgres::Client,
    sinks: &Sinks,
) -> anyhow::Result<()> {
    let rows = db
        .query(
            "SELECT id::text, channel, state, last_error IS NOT NULL FROM notifications",
            &[],
        )
        .await?;
    let taken = sinks.taken.lock().expect("not poisoned");
    let (mut pending, mut failed_without_reason, mut failed) = (0, 0, 0);
    let (mut sent_not_taken, mut sent) = (0, 0);
    let mut ids = HashSet::new();
    for row in &rows {
        let id: String = row.get(0);
        let channel: &str = row.get(1);
        let state: &str = row.get(2);
        let key = match channel {
            "sms" => id.clone(),
            _ => format!("<{id}@trp.egov.kz>"),
        };
        let took = if channel == "sms" {
            &taken.sms
        } else {
            &taken.mail
        };
        match state {
            "pending" => pending += 1,
            "failed" => {
                failed += 1;
                failed_without_reason += usize::from(!row.get::<_, bool>(3));
            }
            _ => {
                sent += 1;
                sent_not_taken += usize::from(!took.contains_key(&key));
            }
        }
        ids.insert(key);
    }
    let repeats: u32 = taken
        .sms
        .values()
        .chain(taken.mail.values())
        .map(|c| c - 1)
        .sum();
    let strangers = taken
        .sms
        .keys()
        .chain(taken.mail.keys())
        .filter(|k| !ids.contains(*k))
        .count();
    r.count("notifications", rows.len());
    r.count("notifications sent", sent);
    r.count("notifications failed for good", failed);
    r.count("notifications pending", pending);
    r.count("failed without a reason", failed_without_reason);
    r.count("SMS taken (distinct Idempotency-Key)", taken.sms.len());
    r.count("e-mails taken (distinct Message-ID)", taken.mail.len());
    r.count(
        "SMS answered 503",
        sinks.sms_refused.load(std::sync::atomic::Ordering::Relaxed),
    );
    r.count("repeats under the same key (a sink drops them)", repeats);
    r.count("sent but never taken", sent_not_taken);
    r.count("taken under a key no notification has", strangers);
    r.require(pending + failed_without_reason == 0, || {
        format!("{pending} notifications pending, {failed_without_reason} failed without a reason")
    });
    r.require(sent_not_taken + strangers == 0, || {
        format!("{sent_not_taken} sent but never taken, {strangers} taken under unknown keys")
    });
    Ok(())
}

/// Nothing left in the work queue; in the dead-letter queue exactly the designed ones.
pub async fn queues(r: &mut Report, world: &World, published: &Published) -> anyhow::Result<()> {
    let connection = world::broker().await?;
    let channel = connection.create_channel().await?;
    let passive = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let work = channel
        .queue_declare(
            world.names.work_queue.as_str().into(),
            passive,
            FieldTable::default(),
        )
        .await?
        .message_count();
    let mut dead: HashMap<Vec<u8>, usize> = HashMap::new();
    while let Some(message) = channel
        .basic_get(
            world.names.dead_letter_queue.as_str().into(),
            BasicGetOptions::default(),
        )
        .await?
    {
        *dead.entry(message.delivery.data.clone()).or_default() += 1;
        message
            .delivery
            .acker
            .ack(BasicAckOptions::default())
            .await?;
    }
    let designed: HashSet<&Vec<u8>> = published.poison.iter().collect();
    let undesigned = dead.keys().filter(|b| !designed.contains(b)).count();
    let absent = designed.iter().filter(|b| !dead.contains_key(**b)).count();
    let total: usize = dead.values().sum();
    let _ = connection.close(200, "chaos checks".into()).await;
    r.count("work queue messages left (replicas stopped)", work);
    r.count("designed dead letters published", designed.len());
    r.count("dead letters in the queue", total);
    r.count("dead letters not designed", undesigned);
    r.count("designed dead letters absent", absent);
    r.require(work == 0, || {
        format!("{work} messages left in the work queue")
    });
    r.require(undesigned + absent == 0, || {
        format!("{undesigned} dead letters not designed, {absent} designed ones absent")
    });
    Ok(())
}
