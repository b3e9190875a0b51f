//! The invariants, checked after the run from the database, from every decision and status
//! message consumed, from what the sinks took and from the dead-letter queue. Each check
//! prints its counts; any violation turns the verdict.

use std::collections::{HashMap, HashSet};

use lapin::options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use serde_json::Value;
use tokio_postgres::NoTls;

use crate::mix::{Plan, Published};
use crate::receipts::{Destination, Receipts};
use crate::sinks::Sinks;
use crate::world::{self, World};

/// The household quota of config/rules.toml.
const QUOTA: i64 = 5;

/// Counts and violations, in the order printed.
#[derive(Default)]
pub struct Report {
    pub lines: Vec<(String, String)>,
    pub violations: Vec<String>,
}

impl Report {
    fn count(&mut self, name: &str, value: impl std::fmt::Display) {
        self.lines.push((name.to_owned(), value.to_string()));
    }

    fn require(&mut self, ok: bool, violation: impl FnOnce() -> String) {
        if !ok {
            self.violations.push(violation());
        }
    }
}

pub async fn database(url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// Every invariant.
pub async fn all(
    world: &World,
    published: &Published,
    receipts: &Receipts,
    sinks: &Sinks,
) -> anyhow::Result<Report> {
    let mut r = Report::default();
    let db = database(&world.url).await?;
    decisions(&mut r, &db, published).await?;
    messages(&mut r, &db, receipts).await?;
    permits(&mut r, &db, receipts).await?;
    notifications(&mut r, &db, sinks).await?;
    queues(&mut r, world, published).await?;
    Ok(r)
}

/// Each application exactly one decision, as planned; household approvals at most the
/// quota per employer, exactly min(quota, applications).
async fn decisions(
    r: &mut Report,
    db: &tokio_postgres::Client,
    published: &Published,
) -> anyhow::Result<()> {
    let rows = db
        .query(
            "SELECT a.application_id, d.outcome, d.reasons \
             FROM applications a LEFT JOIN decisions d USING (application_id)",
            &[],
        )
        .await?;
    let (mut undecided, mut unexpected, mut wrong) = (0, 0, 0);
    let mut household: HashMap<usize, (i64, i64)> = HashMap::new();
    let mut outcomes: HashMap<&str, usize> = HashMap::new();
    let mut recorded = HashSet::new();
    for row in &rows {
        let id: String = row.get(0);
        let outcome: Option<String> = row.get(1);
        let reasons: Option<Value> = row.get(2);
        recorded.insert(id.clone());
        let Some(plan) = published.plans.get(&id) else {
            unexpected += 1;
            continue;
        };
        let Some(outcome) = outcome else {
            undecided += 1;
            continue;
        };
        let codes: Vec<String> = reasons
            .as_ref()
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| x["code"].as_str().map(str::to_owned))
            .collect();
        let approved = outcome == "approved" && codes.is_empty();
        let refused_for = |code: &str| outcome == "refused" && codes == [code];
        *outcomes
            .entry(if approved { "approved" } else { "refused" })
            .or_default() += 1;
        let as_planned = match plan {
            Plan::Approved => approved,
            Plan::RefusedTerm => refused_for("eligibility.term"),
            Plan::Household(e) => {
                let h = household.entry(*e).or_default();
                h.0 += 1;
                h.1 += i64::from(approved);
                approved || refused_for("eligibility.household_quota")
            }
        };
        wrong += usize::from(!as_planned);
    }
    let missing = published
        .plans
        .keys()
        .filter(|id| !recorded.contains(*id))
        .count();
    r.count("applications published", published.plans.len());
    r.count("applications recorded", rows.len() - unexpected);
    r.count(
        "decisions approved",
        outcomes.get("approved").copied().unwrap_or(0),
    );
    r.count(
        "decisions refused",
        outcomes.get("refused").copied().unwrap_or(0),
    );
    r.count("applications never recorded", missing);
    r.count("applications without a decision", undecided);
    r.count("decisions not as planned", wrong);
    r.require(missing + undecided == 0, || {
        format!("{missing} applications never recorded, {undecided} without a decision")
    });
    r.require(unexpected == 0, || {
        format!("{unexpected} applications nobody sent")
    });
    r.require(wrong == 0, || format!("{wrong} decisions not as planned"));
    let mut employers: Vec<_> = household.into_iter().collect();
    employers.sort_unstable();
    for (e, (applied, approved)) in employers {
        r.count(
            &format!("household employer {e}: applications / approved"),
            format!("{applied} / {approved}"),
        );
        r.require(approved == applied.min(QUOTA), || {
            format!("household employer {e}: {approved} approved of {applied} (quota {QUOTA})")
        });
    }
    Ok(())
}

/// Every outbox row published and received with its bytes; every message received is an
/// outbox row's; repeats only with the same message id and bytes; one decision message per
/// decided application.
async fn messages(
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

/// No permit number twice (database and messages); no employer over the household quota at
/// any time.
async fn permits(
    r: &mut Report,
    db: &tokio_postgres::Client,
    receipts: &Receipts,
) -> anyhow::Result<()> {
    let row = db
        .query_one(
            "SELECT count(*), count(DISTINCT number), \
                    (SELECT count(*) FROM decisions WHERE outcome = 'approved') FROM permits",
            &[],
        )
        .await?;
    let (permits, distinct, approved): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    let mut numbers: HashMap<String, HashSet<String>> = HashMap::new();
    for ((destination, _), got) in &receipts.inner.lock().expect("not poisoned").messages {
        if *destination != Destination::Decisions {
            continue;
        }
        let body: Value = serde_json::from_slice(&got.bytes).unwrap_or(Value::Null);
        if let Some(number) = body["permit"]["number"].as_str() {
            let id = body["application_id"].as_str().unwrap_or_default();
            numbers
                .entry(number.to_owned())
                .or_default()
                .insert(id.to_owned());
        }
    }
    let shared = numbers.values().filter(|a| a.len() > 1).count();
    // The most valid household permits any employer held on any day: counted on each day
    // a permit of the employer starts (the count only rises on such a day).
    let peak: i64 = db
        .query_one(
            "SELECT coalesce(max(held), 0) FROM ( \
               SELECT (SELECT count(*) FROM permits q \
                       WHERE q.household AND q.employer_bin = p.employer_bin \
                         AND q.valid_from <= p.valid_from AND q.valid_until >= p.valid_from) \
                      AS held \
               FROM permits p WHERE p.household) t",
            &[],
        )
        .await?
        .get(0);
    r.count("permits", permits);
    r.count("permit numbers in decision messages", numbers.len());
    r.count(
        "permit numbers held by two applications",
        shared + (permits - distinct) as usize,
    );
    r.count("most household permits one employer held at once", peak);
    r.require(permits == distinct && shared == 0 && permits == approved, || {
        format!("{permits} permits, {distinct} numbers, {approved} approvals, {shared} shared in messages")
    });
    r.require(peak <= QUOTA, || {
        format!("an employer held {peak} valid household permits (quota {QUOTA})")
    });
    Ok(())
}

/// Every notification sent, or failed for good with a reason; the sinks took each sent one
/// under its own key, and nothing under a key the database does not hold as sent.
async fn notifications(
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
async fn queues(r: &mut Report, world: &World, published: &Published) -> anyhow::Result<()> {
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
