//! The invariants, checked after the run from the database, from every decision and status
//! message consumed, from what the sinks took and from the dead-letter queue. Each check
//! prints its counts; any violation turns the verdict.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use tokio_postgres::NoTls;

use crate::deliveries;
use crate::mix::{Plan, Published};
use crate::receipts::{Destination, Receipts};
use crate::sinks::Sinks;
use crate::world::World;

/// The household quota of config/rules.toml.
const QUOTA: i64 = 5;

/// Counts and violations, in the order printed.
#[derive(Default)]
pub struct Report {
    pub lines: Vec<(String, String)>,
    pub violations: Vec<String>,
}

impl Report {
    pub fn count(&mut self, name: &str, value: impl std::fmt::Display) {
        self.lines.push((name.to_owned(), value.to_string()));
    }

    pub fn require(&mut self, ok: bool, violation: impl FnOnce() -> String) {
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
    deliveries::messages(&mut r, &db, receipts).await?;
    permits(&mut r, &db, receipts).await?;
    deliveries::notifications(&mut r, &db, sinks).await?;
    deliveries::queues(&mut r, world, published).await?;
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
