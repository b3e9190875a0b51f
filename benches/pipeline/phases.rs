//! The run, phase by phase, each with a deadline: set-up (signatures, sinks), the floor,
//! one replica (then latency at half its rate), two replicas, and one replica over a
//! history; everything removed on every way out (children killed on drop, databases and
//! broker names by the [`Registry`]). A failure is one line naming its phase.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};

use crate::drain::{Drain, Latency};
use crate::load::Mix;
use crate::report::{self, Machine, Results};
use crate::runs;
use crate::signing::Signing;
use crate::sinks::Sinks;
use crate::world::{self, Registry};
use crate::Args;

pub const ALL: [&str; 4] = ["floor", "one", "two", "history"];

pub fn parse(list: &str) -> Result<Vec<String>, String> {
    let phases: Vec<String> = list.split(',').map(|p| p.trim().to_owned()).collect();
    match phases.iter().find(|p| !ALL.contains(&p.as_str())) {
        Some(bad) => Err(format!("unknown phase {bad:?} (known: {})", ALL.join(","))),
        None => Ok(phases),
    }
}

/// What every phase shares.
pub struct Bench {
    pub args: Args,
    /// Eight hex digits naming this run's databases and broker names.
    pub run: String,
    pub dir: PathBuf,
    pub registry: Registry,
    pub sinks: Sinks,
    pub signing: Signing,
    pub mix: Mix,
    pub sms_token: String,
    pub prefetch: u16,
    started: Instant,
}

impl Bench {
    /// A progress line on stderr, with the time since the start.
    pub fn say(&self, what: impl std::fmt::Display) {
        eprintln!(
            "bench [{:6.1} s] {what}",
            self.started.elapsed().as_secs_f64()
        );
    }

    /// A drain's deadline: 30 s, plus N at the slowest acceptable rate.
    pub fn drain_limit(&self, rate_factor: f64) -> Duration {
        let seconds = 30.0 + self.args.n as f64 / (self.args.min_rate * rate_factor);
        Duration::from_secs_f64(seconds)
    }
}

/// Runs `phase` within `limit`; either failure names the phase.
pub async fn within<T>(
    phase: &str,
    limit: Duration,
    work: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    match tokio::time::timeout(limit, work).await {
        Ok(result) => result.with_context(|| format!("phase '{phase}'")),
        Err(_) => Err(anyhow!(
            "phase '{phase}': timed out after {} s",
            limit.as_secs()
        )),
    }
}

pub async fn run(args: Args) -> ExitCode {
    let (before, started) = (Machine::now(), Instant::now());
    let registry = Registry::default();
    let mut results = Results::default();
    let outcome = tokio::select! {
        outcome = all(args.clone(), registry.clone(), &mut results) => outcome,
        signal = interrupted() => Err(anyhow!("interrupted by {signal}; cleaning up")),
    };
    // Children are killed as their handles drop with the phases; databases and names here.
    registry.clean().await;
    results.elapsed = started.elapsed();
    let measured = results.floor.is_some() || results.one.is_some();
    match outcome {
        Ok(()) => {
            report::print(&args, &before, &Machine::now(), &results);
            if let (false, Some(dir)) = (args.keep, &results.dir) {
                let _ = std::fs::remove_dir_all(dir);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if measured {
                println!("\n(partial: the run failed; what was measured before the failure)");
                report::print(&args, &before, &Machine::now(), &results);
            }
            let logs = results
                .dir
                .as_ref()
                .map_or(String::new(), |d| format!(" (logs: {})", d.display()));
            eprintln!("bench: FAILED: {e:#}{logs}");
            ExitCode::FAILURE
        }
    }
}

async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    }
}

async fn all(args: Args, registry: Registry, results: &mut Results) -> anyhow::Result<()> {
    let bench = within(
        "set-up",
        Duration::from_secs(120),
        setup(args, registry, Instant::now()),
    )
    .await?;
    let wants = |p: &str| bench.args.phases.iter().any(|w| w == p);
    results.n = bench.args.n;
    results.envelope_bytes = bench.mix.mean_size();
    results.prefetch = bench.prefetch;
    results.dir = Some(bench.dir.clone());
    if wants("floor") {
        results.floor = Some(runs::floor(&bench).await?);
    }
    if wants("one") {
        let (one, latency): (Drain, Latency) = runs::one_and_latency(&bench).await?;
        results.one = Some(one);
        results.latency = Some(latency);
    }
    if wants("two") {
        results.two = Some(runs::replicas(&bench, "two", 2).await?);
    }
    if wants("history") {
        results.history = Some(runs::history(&bench).await?);
    }
    bench.say("done");
    Ok(())
}

async fn setup(args: Args, registry: Registry, started: Instant) -> anyhow::Result<Bench> {
    if !args.worker.is_file() {
        bail!(
            "no worker binary at {} (cargo build --release --bin trp-worker)",
            args.worker.display()
        );
    }
    world::admin().await?;
    world::broker().await?.close(200, "checked".into()).await?;
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/pipeline-bench")
        .join(&run);
    std::fs::create_dir_all(&dir)?;
    let signing = Signing::new(&dir)?;
    let mix = Mix::new(&signing)?;
    let defaults = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config/default.toml");
    let settings = trp_worker::config::load_from(&defaults, &[])?;
    let bench = Bench {
        sinks: Sinks::start().await?,
        sms_token: format!("bench-{}", uuid::Uuid::new_v4().simple()),
        prefetch: settings.amqp.prefetch,
        args,
        run,
        dir,
        registry,
        signing,
        mix,
        started,
    };
    bench.say(format_args!(
        "run {} in {}; signatures made and verified; sinks on :{} (SMS) and :{} (SMTP)",
        bench.run,
        bench.dir.display(),
        bench.sinks.sms_port,
        bench.sinks.smtp_port
    ));
    Ok(bench)
}
