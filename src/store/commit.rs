//! The heart of the store: one transaction records a batch of applications with everything
//! their decisions cause (intake, the household quota under the employer's lock, the
//! decision, the permit, outbox messages and notification rows). The caller acknowledges
//! the deliveries only after this returns `Ok`, and publishes and sends what the batch
//! wrote ([`Written`]) straight from memory.

mod intake;
pub(crate) mod json;
pub(crate) mod quota;
mod write;

use std::time::Duration;

use deadpool_postgres::{Pool, Transaction};
use time::OffsetDateTime;

use super::notifications::Notification;
use super::outbox::OutboxRow;
use super::StoreError;
use crate::checks::{self, Facts};
use crate::domain::calendar::Calendar;
use crate::domain::decision::{decide, Decision, Outcome, SigningTime};
use crate::domain::envelope::Envelope;
use crate::domain::reason::{Failure, ReasonCode};
use crate::domain::request::ERequest;
use crate::domain::rules::Rules;

use intake::Intake;

/// One application ready to be decided: parsed, its signature checked, its registry facts
/// read (see [`super::facts::load`]). `Debug` shows the ids only: the rest is personal data.
#[derive(Clone)]
pub struct Prepared {
    pub envelope: Envelope,
    pub document: Result<ERequest, Failure>,
    /// What the signature check found (empty: it passed).
    pub signature: Vec<Failure>,
    /// The time an EDS signer's certificate was judged at ([`SigningTime`]); `None` for
    /// an OTP.
    pub signing_time: Option<SigningTime>,
    pub facts: Facts,
    /// When the worker took the message in (the `received` status event's `at`).
    pub received_at: OffsetDateTime,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("application_id", &self.envelope.application_id)
            .field("message_id", &self.envelope.message_id)
            .finish_non_exhaustive()
    }
}

/// What a decision depends on besides the application: configuration and the clock.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub rules: &'a Rules,
    pub calendar: &'a Calendar,
    /// Which trust store the signature check used, if the caller knows it.
    pub trust_version: Option<&'a str>,
    /// The `decided_at` of every decision in the batch.
    pub now: OffsetDateTime,
    /// How long the committing replica holds what the batch causes, to publish and send it
    /// itself from memory (see [`Written`]).
    pub leases: Leases,
}

/// The leases written with a batch's outbox messages and notifications: until they run
/// out, only the replica that committed them publishes or sends them; after that the scans
/// of every replica take them up. Zero: no replica holds them, the next scan takes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Leases {
    pub outbox: Duration,
    pub notifications: Duration,
}

/// What one committed batch leaves to publish and send, exactly as stored (ids included),
/// so the committing replica needs no read to do it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Written {
    pub outbox: Vec<OutboxRow>,
    pub notifications: Vec<Notification>,
}

impl Written {
    pub fn is_empty(&self) -> bool {
        self.outbox.is_empty() && self.notifications.is_empty()
    }

    pub fn append(&mut self, other: Written) {
        self.outbox.extend(other.outbox);
        self.notifications.extend(other.notifications);
    }
}

/// A committed batch: one [`Recorded`] per item, in order, and what it left to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub recorded: Vec<Recorded>,
    pub written: Written,
}

/// What became of one item of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Decided now; an approval carries its permit number.
    Decided {
        outcome: Outcome,
        permit_number: Option<String>,
        /// The reason codes, in order (for `trp_check_failures_total{code}`).
        codes: Vec<ReasonCode>,
        /// Decided after its `due_at` (for `trp_decisions_overdue_total`).
        overdue: bool,
    },
    /// The application was taken in before with the same document: nothing was written.
    Duplicate,
    /// The application was taken in before with another document: nothing was written, the
    /// first decision stands (the caller dead-letters the message with reason `conflict`).
    Conflict,
}

/// Records `items` in one transaction and returns what became of each, in order. On `Err`
/// nothing was written; retry the whole batch when [`StoreError::is_transient`].
pub async fn record_batch(
    pool: &Pool,
    items: &[Prepared],
    ctx: &Context<'_>,
) -> Result<Vec<Recorded>, StoreError> {
    Ok(commit_batch(pool, items, ctx).await?.recorded)
}

/// [`record_batch`], also returning the outbox messages and notifications it wrote.
///
/// The round trips do not grow with the batch: one insert of the applications, one lock
/// per household employer and one count per household application, one reservation of
/// permit numbers, then one insert per table (pipelined), and the commit.
///
/// Deadlock freedom between replicas: every transaction first takes in its applications in
/// the order of their ids, then takes the household employers' locks in the order of their
/// BINs, and only then decides.
pub async fn commit_batch(
    pool: &Pool,
    items: &[Prepared],
    ctx: &Context<'_>,
) -> Result<Committed, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let taken = intake::take_in(&tx, items).await?;
    quota::lock_employers(&tx, items.iter().zip(&taken).filter_map(new_request)).await?;
    let mut household = quota::Pending::default();
    let mut decided = Vec::new();
    for (item, taken) in items.iter().zip(&taken) {
        if *taken == Intake::New {
            decided.push((item, decide_one(&tx, item, ctx, &mut household).await?));
        }
    }
    let approvals = decided.iter().filter(|(_, (d, _))| d.permit.is_some());
    let mut numbers = write::permit_numbers(&tx, approvals.count(), ctx.now).await?;
    let mut rows = write::Rows::default();
    let mut outcomes = Vec::with_capacity(decided.len());
    for (item, (decision, facts)) in &decided {
        let number = match &decision.permit {
            Some(_) => numbers.next(),
            None => None,
        };
        rows.add(item, decision, number.as_deref(), facts, ctx)?;
        outcomes.push(Recorded::Decided {
            outcome: decision.outcome,
            permit_number: number,
            codes: decision.reasons.iter().map(|r| r.code).collect(),
            overdue: decision.decided_at > decision.due_at,
        });
    }
    let written = rows.insert(&tx, ctx).await?;
    tx.commit().await?;
    let mut outcomes = outcomes.into_iter();
    let recorded = taken
        .into_iter()
        .map(|taken| match taken {
            Intake::New => outcomes.next().expect("one outcome per new item"),
            Intake::Duplicate => Recorded::Duplicate,
            Intake::Conflict => Recorded::Conflict,
        })
        .collect();
    Ok(Committed { recorded, written })
}

fn new_request<'a>((item, taken): (&'a Prepared, &Intake)) -> Option<&'a ERequest> {
    match taken {
        Intake::New => item.document.as_ref().ok(),
        Intake::Duplicate | Intake::Conflict => None,
    }
}

/// The checks and the decision of one application under `facts` (the household count
/// included) and `ctx`: what the commit records, and what `explain --replay` computes
/// again under today's files and registries. Pure.
pub fn judge(item: &Prepared, facts: &Facts, ctx: &Context<'_>) -> Result<Decision, StoreError> {
    let request = item.document.as_ref();
    let mut reports = checks::run(
        item.signature.clone(),
        request,
        item.envelope.submitted_at.kz_date(),
        facts,
        ctx.rules,
    );
    // The signature check's report records the time its chain was judged at.
    reports[0].signing_time = item.signing_time.clone();
    Ok(decide(
        request,
        reports,
        item.envelope.submitted_at(),
        ctx.now,
        ctx.calendar,
    )?)
}

/// Decides one newly taken-in application. A household application counts the permits
/// its employer holds in the database (under the employer's lock) and those this batch
/// approved before it.
async fn decide_one(
    tx: &Transaction<'_>,
    item: &Prepared,
    ctx: &Context<'_>,
    household: &mut quota::Pending,
) -> Result<(Decision, Facts), StoreError> {
    let request = item.document.as_ref();
    let submitted_on = item.envelope.submitted_at.kz_date();
    let mut facts = item.facts.clone();
    let employer = request.ok().and_then(quota::household_employer);
    if let Some(bin) = employer {
        let held = quota::held(tx, bin, submitted_on).await?;
        facts.household_permits_held = held.saturating_add(household.approved(bin));
    }
    let decision = judge(item, &facts, ctx)?;
    if let (Some(bin), Some(_)) = (employer, &decision.permit) {
        household.approve(bin);
    }
    Ok((decision, facts))
}
