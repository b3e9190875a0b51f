//! What came back: every decision message received on the bench's queue (its receipt
//! time, outcome and reasons) and a count of status events; from them the rate from the
//! first decision to the last, the correctness check, and latencies from publish to
//! decision.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use lapin::options::BasicConsumeOptions;
use lapin::types::FieldTable;
use lapin::Channel;
use serde_json::Value;

use crate::load::Expected;

/// One application's decisions as received.
#[derive(Debug, Clone)]
struct Seen {
    at: Instant,
    copies: u32,
    /// approved; or refused for `eligibility.term` alone (as the load plans refusals).
    approved: bool,
    refused_for_term: bool,
}

#[derive(Default)]
struct Inner {
    seen: HashMap<String, Seen>,
    first: Option<Instant>,
    last: Option<Instant>,
}

/// The receipts of one world; cheap to clone into the consumer tasks.
#[derive(Clone, Default)]
pub struct Receipts {
    inner: Arc<Mutex<Inner>>,
    statuses: Arc<AtomicUsize>,
    /// Bytes of every decision and status message received, for their mean sizes.
    bytes: Arc<[AtomicUsize; 3]>,
}

/// The correctness check of a drain.
#[derive(Debug, Clone, Copy, Default)]
pub struct Check {
    pub missing: usize,
    pub duplicates: usize,
    /// Decided otherwise than planned (approved instead of refused for the term, or the
    /// other way round, or refused for another reason).
    pub wrong: usize,
    pub statuses: usize,
    /// Mean body sizes of the decision and status messages, bytes.
    pub decision_bytes: usize,
    pub status_bytes: usize,
}

impl Receipts {
    /// Consumes `decisions` and `status` (no acknowledgements: the bench is a fast
    /// reader) until the channel closes.
    pub async fn consume(
        &self,
        channel: &Channel,
        decisions: &str,
        status: &str,
    ) -> anyhow::Result<()> {
        let options = BasicConsumeOptions {
            no_ack: true,
            ..BasicConsumeOptions::default()
        };
        let mut decided = channel
            .basic_consume(
                decisions.into(),
                "bench-decisions".into(),
                options,
                FieldTable::default(),
            )
            .await?;
        let mut statuses = channel
            .basic_consume(
                status.into(),
                "bench-status".into(),
                options,
                FieldTable::default(),
            )
            .await?;
        let me = self.clone();
        tokio::spawn(async move {
            while let Some(Ok(delivery)) = decided.next().await {
                me.record(&delivery.data, Instant::now());
                me.bytes[0].fetch_add(delivery.data.len(), Ordering::Relaxed);
                me.bytes[1].fetch_add(1, Ordering::Relaxed);
            }
        });
        let me = self.clone();
        tokio::spawn(async move {
            while let Some(Ok(delivery)) = statuses.next().await {
                me.statuses.fetch_add(1, Ordering::Relaxed);
                me.bytes[2].fetch_add(delivery.data.len(), Ordering::Relaxed);
            }
        });
        Ok(())
    }

    fn record(&self, body: &[u8], at: Instant) {
        let Ok(d) = serde_json::from_slice::<Value>(body) else {
            return;
        };
        let id = d["application_id"].as_str().unwrap_or_default().to_owned();
        let codes: Vec<&str> = d["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["code"].as_str())
            .collect();
        let approved = d["outcome"] == "approved" && codes.is_empty();
        let refused_for_term = d["outcome"] == "refused" && codes == ["eligibility.term"];
        let mut inner = self.inner.lock().expect("not poisoned");
        inner.first.get_or_insert(at);
        inner.last = Some(at);
        inner
            .seen
            .entry(id)
            .and_modify(|s| s.copies += 1)
            .or_insert(Seen {
                at,
                copies: 1,
                approved,
                refused_for_term,
            });
    }

    /// Forgets what came back so far (a new drain on the same queues).
    pub fn reset(&self) {
        *self.inner.lock().expect("not poisoned") = Inner::default();
        self.statuses.store(0, Ordering::Relaxed);
        self.bytes
            .iter()
            .for_each(|b| b.store(0, Ordering::Relaxed));
    }

    /// Distinct applications decided so far.
    pub fn decided(&self) -> usize {
        self.inner.lock().expect("not poisoned").seen.len()
    }

    /// Decisions per second from the first decision received to the last, and that span.
    pub fn rate(&self) -> (f64, Duration) {
        let inner = self.inner.lock().expect("not poisoned");
        match (inner.first, inner.last) {
            (Some(first), Some(last)) if last > first => {
                let span = last - first;
                ((inner.seen.len() - 1) as f64 / span.as_secs_f64(), span)
            }
            _ => (0.0, Duration::ZERO),
        }
    }

    pub fn first(&self) -> Option<Instant> {
        self.inner.lock().expect("not poisoned").first
    }

    /// Compares what came back with `expected` (id → to be refused).
    pub fn check(&self, expected: &Expected) -> Check {
        let inner = self.inner.lock().expect("not poisoned");
        let mut check = Check {
            statuses: self.statuses.load(Ordering::Relaxed),
            decision_bytes: mean(&self.bytes[0], &self.bytes[1]),
            status_bytes: mean(&self.bytes[2], &self.statuses),
            ..Check::default()
        };
        for (id, refused) in expected {
            match inner.seen.get(id) {
                None => check.missing += 1,
                Some(s) => {
                    check.duplicates += (s.copies - 1) as usize;
                    let as_planned = if *refused {
                        s.refused_for_term
                    } else {
                        s.approved
                    };
                    check.wrong += usize::from(!as_planned);
                }
            }
        }
        check
    }

    /// Latencies from `published` to the decision's receipt, sorted.
    pub fn latencies(&self, published: &HashMap<String, Instant>) -> Vec<Duration> {
        let inner = self.inner.lock().expect("not poisoned");
        let mut all: Vec<Duration> = published
            .iter()
            .filter_map(|(id, at)| Some(inner.seen.get(id)?.at.saturating_duration_since(*at)))
            .collect();
        all.sort_unstable();
        all
    }
}

fn mean(total: &AtomicUsize, count: &AtomicUsize) -> usize {
    total.load(Ordering::Relaxed) / count.load(Ordering::Relaxed).max(1)
}

/// The `p`-th percentile (0–100) of sorted `values`, nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
