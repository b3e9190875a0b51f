//! What a drain measures and how: N applications queued first (with confirms), then the
//! replicas started and watched until every decision and every notification is in, with
//! the CPU window open from their start to that moment; stopping them as an operator does.

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};

use crate::dbstats;
use crate::history::Filled;
use crate::load::{self, Expected};
use crate::phases::{within, Bench};
use crate::processes::{self, Cpu, Watch};
use crate::receipts::Check;
use crate::workers::{Replica, Workers};
use crate::world::World;

/// What one drain measured.
#[derive(Debug, Clone, Default)]
pub struct Drain {
    pub replicas: usize,
    /// Decisions per second from the first decision received to the last, and that span.
    pub rate: f64,
    pub span: Duration,
    pub notified: Option<Notified>,
    pub cpu: Cpu,
    /// Peak RSS of each worker process (the floor's for the floor), MiB.
    pub rss: Vec<f64>,
    pub check: Check,
    pub notes: Vec<String>,
    pub history: Option<Filled>,
}

/// The notifications of a drain as the sinks took them.
#[derive(Debug, Clone, Copy)]
pub struct Notified {
    /// From the first decision received to the last notification taken.
    pub last_after: Duration,
    pub per_second: f64,
    pub duplicates: usize,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Latency {
    pub rate: f64,
    pub count: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

pub fn workers<'a>(b: &'a Bench, world: &'a World) -> Workers<'a> {
    Workers {
        binary: &b.args.worker,
        world,
        signing: &b.signing,
        sinks: &b.sinks,
        logs: &b.dir,
        sms_token: &b.sms_token,
        extra: &[],
    }
}

/// Polls `done` every 100 ms until it holds; fails when `alive` does, or at `limit` with
/// the progress `done` reports.
pub async fn wait_for(
    phase: &str,
    limit: Duration,
    mut alive: impl FnMut() -> anyhow::Result<()>,
    mut done: impl FnMut() -> (bool, String),
) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        alive().with_context(|| format!("phase '{phase}'"))?;
        let (finished, progress) = done();
        if finished {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(
                "phase '{phase}': timed out after {} s: {progress}",
                limit.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Publishes `n` applications with confirms and checks the work queue holds them.
pub async fn queue(
    b: &Bench,
    world: &World,
    prefix: &str,
    n: usize,
    phase: &str,
) -> anyhow::Result<Expected> {
    let started = Instant::now();
    let exchange = &world.names.applications_exchange;
    let limit = Duration::from_secs_f64(30.0 + n as f64 / 500.0);
    let publish = load::publish_all(&world.channel, exchange, &b.mix, prefix, n);
    let expected = within(phase, limit, publish).await?;
    let ready = world.work_ready().await?;
    if ready as usize != n {
        bail!("phase '{phase}': the work queue holds {ready} applications, not {n}");
    }
    b.say(format_args!(
        "{phase}: {n} applications queued in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(expected)
}

/// Decisions, SMS and e-mails so far against what `n` applications make.
pub fn progress(b: &Bench, world: &World, n: usize, notifications: bool) -> (bool, String) {
    let decided = world.receipts.decided();
    let taken = b.sinks.count();
    let done = decided >= n && (!notifications || (taken.sms >= 2 * n && taken.mail >= 2 * n));
    let text = format!(
        "{decided} of {n} decisions, {} of {} SMS, {} of {} e-mails",
        taken.sms,
        2 * n,
        taken.mail,
        2 * n
    );
    (done, text)
}

/// Starts `replicas` workers on `world` and measures them until every decision and
/// notification of `expected` is in; returns them running.
pub async fn drain_workers(
    b: &Bench,
    world: &World,
    expected: &Expected,
    (label, replicas): (&str, usize),
    phase: &str,
) -> anyhow::Result<(Drain, Vec<Replica>)> {
    b.sinks.reset();
    world.receipts.reset();
    let stats = dbstats::snapshot(&world.url).await?;
    let watch = Watch::new(&world.database)?;
    let window = watch.window();
    let mut running = Vec::with_capacity(replicas);
    for index in 0..replicas {
        let replica = workers(b, world).spawn(label, index)?;
        watch.add_worker(replica.pid);
        running.push(replica);
    }
    let n = expected.len();
    let alive = || running.iter_mut().try_for_each(Replica::alive);
    wait_for(phase, b.drain_limit(1.0), alive, || {
        progress(b, world, n, true)
    })
    .await?;
    let cpu = window.finish();
    let (rate, span) = world.receipts.rate();
    let taken = b.sinks.count();
    let notified = match (world.receipts.first(), taken.first, taken.last) {
        (Some(decided), Some(first), Some(last)) => Some(Notified {
            last_after: last.saturating_duration_since(decided),
            per_second: (taken.sms + taken.mail) as f64 / (last - first).as_secs_f64().max(1e-3),
            duplicates: taken.duplicates,
        }),
        _ => None,
    };
    let mut notes = Vec::new();
    for (i, r) in running.iter().enumerate() {
        notes.push(format!("replica {i}: {}", r.counters().await));
    }
    // PostgreSQL publishes a backend's counters within a second or so.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = dbstats::snapshot(&world.url).await?;
    notes.push(dbstats::summary(&stats, &after, n));
    b.say(format_args!("{phase}: {rate:.0} decisions/s"));
    let drain = Drain {
        replicas,
        rate,
        span,
        notified,
        cpu,
        check: world.receipts.check(expected),
        notes,
        ..Drain::default()
    };
    Ok((drain, running))
}

/// Stops every replica (SIGTERM, the worker's grace), returning each one's peak RSS as it
/// stood just before.
pub async fn stop_all(running: &mut [Replica], notes: &mut Vec<String>) -> Vec<f64> {
    let mut rss = Vec::new();
    for (i, r) in running.iter_mut().enumerate() {
        rss.extend(processes::peak_rss_mib(r.pid));
        if !processes::stop(&mut r.child, Duration::from_secs(40)).await {
            notes.push(format!(
                "replica {i} did not exit 0 on SIGTERM; log: {}",
                r.log.display()
            ));
        }
    }
    rss
}
