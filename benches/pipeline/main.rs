//! The pipeline benchmark (`bash scripts/bench`): the floor, then the release worker end to
//! end with one and two replicas, latency at half load and a drain over five-times-fuller
//! tables, against the local services, measured in one run and printed as one table.
//! How to read it: docs/performance.md, "The pipeline benchmark".

mod dbstats;
mod drain;
mod floor;
#[path = "../../tests/support/gost_cms.rs"]
mod gost_cms;
#[path = "../../tests/support/gost_pki.rs"]
mod gost_pki;
mod history;
mod load;
mod phases;
mod processes;
mod receipts;
mod report;
mod runs;
mod signing;
mod sinks;
mod smtp_sink;
mod workers;
mod world;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
usage: bash scripts/bench [--n N] [--quick] [--min-rate R] [--latency-s S] [--phases LIST] [--keep]

Measures, in one run, against PostgreSQL and RabbitMQ on loopback (scripts/services.sh):
  floor      the least work any correct worker must do per message (consume with the
             worker's prefetch, one transaction per batch, three confirmed publishes, ack)
  one        the release worker, one replica, draining N applications already queued
             (40 % GOST 2015-512 EDS, 20 % RSA EDS, 10 % P-256 EDS, 30 % OTP; 10 % refused),
             then p50/p99 latency at half that rate for --latency-s seconds
  two        the same N with two replicas (fresh database and queues)
  history    one replica over tables already holding 4 x N decided applications
and prints one Markdown table: rates and their ratio to the floor, notifications, CPU per
decision (worker, broker, database), peak RSS, and a correctness check.

  --n N          applications per drain (default 20000; --quick: 500)
  --quick        smoke test: N = 500, 5 s of latency; about a minute once built
  --min-rate R   a drain slower than R decisions/s fails its deadline (default 60)
  --latency-s S  length of the latency phase (default 12)
  --phases LIST  comma-separated subset of floor,one,two,history (default all)
  --keep         keep the run directory (worker logs, PKI files) after a successful run

How long: the default run takes about 10 minutes on a quiet 2-core machine (three drains
of 20000, each until its last e-mail, which the SMTP client's write pattern holds to about
256/s per replica: docs/performance.md; the floor, 12 s of latency, the history fill), plus
the first release build. Every phase has a deadline (a drain gets 30 s + N / min-rate); a
run that misses one stops with exit 1 and one line naming the phase, so no run lasts much
over 25 minutes.
Exit 0: measured (goals are printed, never asserted); 1: a phase failed; 2: bad usage.";

/// What the command line asks for.
#[derive(Debug, Clone)]
pub struct Args {
    pub n: usize,
    pub quick: bool,
    pub min_rate: f64,
    pub latency: Duration,
    pub phases: Vec<String>,
    pub keep: bool,
    /// The release worker (`TRP_BENCH_WORKER`, default target/release/trp-worker).
    pub worker: PathBuf,
    /// The command as typed, for the report (`TRP_BENCH_COMMAND`, set by scripts/bench).
    pub command: String,
}

impl Args {
    fn parse(raw: &[String]) -> Result<Self, String> {
        let quick = raw.iter().any(|a| a == "--quick");
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut args = Args {
            n: if quick { 500 } else { 20_000 },
            quick,
            min_rate: 60.0,
            latency: Duration::from_secs(if quick { 5 } else { 12 }),
            phases: phases::ALL.iter().map(|p| (*p).to_owned()).collect(),
            keep: false,
            worker: std::env::var_os("TRP_BENCH_WORKER")
                .map_or_else(|| root.join("target/release/trp-worker"), PathBuf::from),
            command: std::env::var("TRP_BENCH_COMMAND")
                .unwrap_or_else(|_| format!("cargo bench --bench pipeline -- {}", raw.join(" "))),
        };
        let mut it = raw.iter();
        while let Some(flag) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--quick" => {}
                "--keep" => args.keep = true,
                "--n" => args.n = number(flag, value()?)?,
                "--min-rate" => args.min_rate = number(flag, value()?)?,
                "--latency-s" => args.latency = Duration::from_secs(number(flag, value()?)?),
                "--phases" => args.phases = phases::parse(value()?)?,
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if args.n < 10 || args.min_rate <= 0.0 {
            return Err("--n must be at least 10 and --min-rate positive".into());
        }
        Ok(args)
    }
}

fn number<T: std::str::FromStr>(flag: &str, raw: &str) -> Result<T, String> {
    raw.parse()
        .map_err(|_| format!("{flag}: {raw:?} is not a number"))
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench` to every bench target.
    let raw: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if raw.first().map(String::as_str) == Some(floor::CHILD) {
        return floor::child_main(&raw[1..]);
    }
    let args = match Args::parse(&raw) {
        Ok(args) => args,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("bench: {why}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(if why.is_empty() { 0 } else { 2 });
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(phases::run(args))
}
