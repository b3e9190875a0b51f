//! The heart of the store: one transaction records a batch of applications with everything
//! their decisions cause (intake, the household quota under the employer's lock, the
//! decision, the permit, outbox messages and notification rows). The caller acknowledges
//! the deliveries only after this returns `Ok`.

mod intake;
mod json;
mod quota;
mod write;

use deadpool_postgres::{Pool, Transaction};
use time::OffsetDateTime;

use super::StoreError;
use crate::checks::{self, Facts};
use crate::domain::calendar::Calendar;
use crate::domain::decision::{decide, Outcome};
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
    },
    /// The application was taken in before with the same document: nothing was written.
    Duplicate,
    /// The application was taken in before with another document: nothing was written, the
    /// first decision stands (the caller dead-letters the message with reason `conflict`).
    Conflict,
}

/// Records `items` in one transaction and returns what became of each, in order. On `Err`
/// nothing was written; retry the whole batch when [`StoreError::is_transient`].
///
/// Deadlock freedom between replicas: every transaction first takes in its applications in
/// the order of their ids, then takes the household employers' locks in the order of their
/// BINs, and only then decides.
pub async fn record_batch(
    pool: &Pool,
    items: &[Prepared],
    ctx: &Context<'_>,
) -> Result<Vec<Recorded>, StoreError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let taken = intake::take_in(&tx, items).await?;
    quota::lock_employers(&tx, items.iter().zip(&taken).filter_map(new_request)).await?;
    let mut recorded = Vec::with_capacity(items.len());
    for (item, taken) in items.iter().zip(taken) {
        recorded.push(match taken {
            Intake::New => decide_one(&tx, item, ctx).await?,
            Intake::Duplicate => Recorded::Duplicate,
            Intake::Conflict => Recorded::Conflict,
        });
    }
    tx.commit().await?;
    Ok(recorded)
}

fn new_request<'a>((item, taken): (&'a Prepared, &Intake)) -> Option<&'a ERequest> {
    match taken {
        Intake::New => item.document.as_ref().ok(),
        Intake::Duplicate | Intake::Conflict => None,
    }
}

/// Decides one newly taken-in application and writes what the decision causes.
async fn decide_one(
    tx: &Transaction<'_>,
    item: &Prepared,
    ctx: &Context<'_>,
) -> Result<Recorded, StoreError> {
    let request = item.document.as_ref();
    let submitted_on = item.envelope.submitted_at.kz_date();
    let mut facts = item.facts.clone();
    if let Some(bin) = request.ok().and_then(quota::household_employer) {
        // Counts this transaction's own earlier approvals too: their permits are inserted.
        facts.household_permits_held = quota::held(tx, bin, submitted_on).await?;
    }
    let reports = checks::run(
        item.signature.clone(),
        request,
        submitted_on,
        &facts,
        ctx.rules,
    );
    let decision = decide(
        request,
        reports,
        item.envelope.submitted_at(),
        ctx.now,
        ctx.calendar,
    )?;
    let permit_number = match (&decision.permit, request) {
        (Some(grant), Ok(request)) => {
            Some(write::permit(tx, item, request, grant, decision.decided_at).await?)
        }
        _ => None,
    };
    let number = permit_number.as_deref();
    write::decision(tx, item, &decision, number, &facts, ctx).await?;
    write::outbox(tx, item, &decision, number).await?;
    write::notifications(tx, item, &decision, number).await?;
    Ok(Recorded::Decided {
        outcome: decision.outcome,
        permit_number,
        codes: decision.reasons.iter().map(|r| r.code).collect(),
    })
}
