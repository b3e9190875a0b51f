//! The measured runs: the floor (a child process of this binary), one replica followed by
//! the latency phase at half its rate, two replicas, and one replica over a history; each
//! on a fresh world, removed at its end.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use tokio::process::Command;

use crate::drain::{drain_workers, progress, queue, stop_all, wait_for, workers, Drain, Latency};
use crate::floor;
use crate::history::{self, SEEDS};
use crate::load::{self, Published};
use crate::phases::{within, Bench};
use crate::processes::{self, Watch};
use crate::receipts::percentile;
use crate::workers::Replica;
use crate::world::{World, AMQP_URL};

/// Output sizes of the floor: those of the worker's decision and status messages for the
/// load's documents (the report's "mean message sizes" of a worker run: 500 and 805 bytes).
const FLOOR_DECISION_BYTES: usize = 500;
const FLOOR_STATUS_BYTES: usize = 800;

pub async fn floor(b: &Bench) -> anyhow::Result<Drain> {
    let world = within(
        "floor: set-up",
        Duration::from_secs(60),
        World::create(&b.run, "floor", &b.registry),
    )
    .await?;
    let n = b.args.n;
    let expected = queue(b, &world, &format!("F{}", b.run), n, "floor: queue").await?;
    let config = floor::Config {
        amqp: AMQP_URL.to_owned(),
        database: world.url.clone(),
        work_queue: world.names.work_queue.clone(),
        decisions: world.names.decisions_exchange.clone(),
        status: world.names.status_exchange.clone(),
        prefetch: b.prefetch,
        batch: usize::from(b.prefetch / 2).clamp(1, 100),
        decision_bytes: FLOOR_DECISION_BYTES,
        status_bytes: FLOOR_STATUS_BYTES,
    };
    let log_path = b.dir.join("floor.log");
    let log = std::fs::File::create(&log_path)?;
    let watch = Watch::new(&world.database)?;
    let window = watch.window();
    let mut child = Command::new(std::env::current_exe()?)
        .args(config.to_args())
        .stdin(Stdio::piped())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().context("the floor has a pid")?;
    watch.add_worker(pid);
    let alive = || match child.try_wait()? {
        Some(status) => bail!(
            "the floor exited early ({status}); log: {}",
            log_path.display()
        ),
        None => Ok(()),
    };
    wait_for("floor: drain", b.drain_limit(2.0), alive, || {
        progress(b, &world, n, false)
    })
    .await?;
    let cpu = window.finish();
    let rss = processes::peak_rss_mib(pid).into_iter().collect();
    drop(child.stdin.take());
    let mut notes = Vec::new();
    match tokio::time::timeout(Duration::from_secs(30), child.wait()).await {
        Ok(Ok(status)) if status.success() => {}
        _ => notes.push(format!(
            "the floor did not stop cleanly; log: {}",
            log_path.display()
        )),
    }
    let (rate, span) = world.receipts.rate();
    let check = world.receipts.check(&expected);
    b.say(format_args!("floor: {rate:.0} messages/s"));
    world.drop().await?;
    Ok(Drain {
        rate,
        span,
        cpu,
        rss,
        check,
        notes,
        ..Drain::default()
    })
}

/// One replica on a fresh world: the drain, then latency at half its rate.
pub async fn one_and_latency(b: &Bench) -> anyhow::Result<(Drain, Latency)> {
    let world = within("one replica: set-up", Duration::from_secs(60), async {
        let world = World::create(&b.run, "one", &b.registry).await?;
        workers(b, &world).prepare().await?;
        Ok(world)
    })
    .await?;
    let expected = queue(
        b,
        &world,
        &format!("A{}", b.run),
        b.args.n,
        "one replica: queue",
    )
    .await?;
    let (mut drain, mut running) =
        drain_workers(b, &world, &expected, ("one", 1), "one replica: drain").await?;
    let latency = latency(b, &world, drain.rate, &mut running).await?;
    drain.rss = stop_all(&mut running, &mut drain.notes).await;
    world.drop().await?;
    Ok((drain, latency))
}

/// Publishes at half `rate_one` for the configured time into the running replica and
/// measures publish-to-decision latency.
async fn latency(
    b: &Bench,
    world: &World,
    rate_one: f64,
    running: &mut [Replica],
) -> anyhow::Result<Latency> {
    let phase = "latency at half load";
    let rate = (rate_one / 2.0).max(1.0);
    let count = ((rate * b.args.latency.as_secs_f64()).round() as usize).max(10);
    let published = Published::default();
    let exchange = &world.names.applications_exchange;
    let prefix = format!("L{}", b.run);
    let limit = b.args.latency * 2 + Duration::from_secs(30);
    let publish = load::publish_steady(
        &world.channel,
        exchange,
        &b.mix,
        &prefix,
        (count, rate),
        &published,
    );
    let expected = within(phase, limit, publish).await?;
    let alive = || running.iter_mut().try_for_each(Replica::alive);
    let done = || {
        let c = world.receipts.check(&expected);
        (
            c.missing == 0,
            format!("{} of {count} decided", count - c.missing),
        )
    };
    wait_for(phase, Duration::from_secs(30), alive, done).await?;
    let latencies = world
        .receipts
        .latencies(&published.lock().expect("not poisoned"));
    b.say(format_args!("{phase}: {count} applications at {rate:.0}/s"));
    Ok(Latency {
        rate,
        count,
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
        max: latencies.last().copied().unwrap_or_default(),
    })
}

/// `replicas` workers on a fresh world.
pub async fn replicas(b: &Bench, label: &str, replicas: usize) -> anyhow::Result<Drain> {
    let name = format!("{replicas} replicas");
    let world = within(&format!("{name}: set-up"), Duration::from_secs(60), async {
        let world = World::create(&b.run, label, &b.registry).await?;
        workers(b, &world).prepare().await?;
        Ok(world)
    })
    .await?;
    let expected = queue(
        b,
        &world,
        &format!("A{}", b.run),
        b.args.n,
        &format!("{name}: queue"),
    )
    .await?;
    let (mut drain, mut running) = drain_workers(
        b,
        &world,
        &expected,
        (label, replicas),
        &format!("{name}: drain"),
    )
    .await?;
    drain.rss = stop_all(&mut running, &mut drain.notes).await;
    world.drop().await?;
    Ok(drain)
}

/// One replica over tables that already hold 4 × N decided applications.
pub async fn history(b: &Bench) -> anyhow::Result<Drain> {
    let world = within("history: set-up", Duration::from_secs(60), async {
        let world = World::create(&b.run, "hist", &b.registry).await?;
        workers(b, &world).prepare().await?;
        Ok(world)
    })
    .await?;
    let seeds = queue(
        b,
        &world,
        &format!("S{}", b.run),
        SEEDS,
        "history: seed queue",
    )
    .await?;
    let (mut seed, mut running) =
        drain_workers(b, &world, &seeds, ("seed", 1), "history: seed drain").await?;
    stop_all(&mut running, &mut seed.notes).await;
    let n = b.args.n;
    let limit = Duration::from_secs_f64(60.0 + 4.0 * n as f64 / 1000.0);
    let started = Instant::now();
    let filled = within("history: fill", limit, history::fill(&world.url, 4 * n)).await?;
    b.say(format_args!(
        "history: {} applications, {} outbox rows, {} notifications, {:.0} MB, filled in {:.1} s",
        filled.applications,
        filled.outbox,
        filled.notifications,
        filled.megabytes,
        started.elapsed().as_secs_f64()
    ));
    let expected = queue(b, &world, &format!("A{}", b.run), n, "history: queue").await?;
    let (mut drain, mut running) =
        drain_workers(b, &world, &expected, ("history", 1), "history: drain").await?;
    drain.rss = stop_all(&mut running, &mut drain.notes).await;
    drain.history = Some(filled);
    world.drop().await?;
    Ok(drain)
}
