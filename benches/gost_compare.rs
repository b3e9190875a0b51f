//! Issue 11's comparison: GOST verifications per second, ours against OpenSSL's gost-engine,
//! in one run on one machine, hash included on both sides (a 3,000-byte message; Streebog
//! for 2015, GOST 34.311-95 for 34.310-2004). Run through `scripts/bench-gost`, which builds
//! the C reference (`benches/gost_engine.c`) and passes it as `--engine`:
//!
//!   gost_compare --engine PATH [--ms 1000] [--rounds 3] [--only 2015-512] [--ours-only]
//!
//! Each round measures every algorithm ours then theirs, `--ms` of CPU time each, so that
//! load on the shared machine falls on both alike; the table gives the median round. Rates
//! are per second of the measuring thread's CPU time (`/proc/thread-self/schedstat` here,
//! `CLOCK_THREAD_CPUTIME_ID` in C): time spent waiting for a core is not counted, which
//! keeps the figures steady on a busy machine; on an idle one it is wall time. `--ours-only`
//! loops on our verifier alone (the profiling target: `perf record -g` on this binary).

use std::process::Command;
use std::time::{Duration, Instant};

use trp_worker::checks::signature::gost::algorithms::Kind;
use trp_worker::checks::signature::gost::test_signer;

const MESSAGE_LEN: usize = 3000;

/// The algorithms, as the C reference names them.
const ALGORITHMS: [(&str, Kind); 3] = [
    ("2015-512", Kind::Gost2015_512),
    ("2015-256", Kind::Gost2015_256),
    ("2004", Kind::Gost2004),
];

struct Options {
    engine: Option<String>,
    ms: u64,
    rounds: usize,
    only: Option<String>,
}

fn options() -> Options {
    let mut options = Options {
        engine: None,
        ms: 1000,
        rounds: 3,
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--engine" => options.engine = args.next(),
            "--ms" => options.ms = args.next().and_then(|v| v.parse().ok()).unwrap_or(1000),
            "--rounds" => options.rounds = args.next().and_then(|v| v.parse().ok()).unwrap_or(3),
            "--only" => options.only = args.next(),
            "--ours-only" => options.engine = None,
            _ => {} // `cargo bench` passes --bench
        }
    }
    options
}

/// The message both sides verify: the bytes the C reference writes.
fn message() -> Vec<u8> {
    (0..MESSAGE_LEN).map(|i| (i * 7 + 1) as u8).collect()
}

/// A key (SPKI subjectPublicKey) and a signature of `kind` over `message`.
fn signed(kind: Kind, message: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let len = if kind == Kind::Gost2015_512 { 64 } else { 32 };
    let d: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(37) ^ 0x5a)
        .collect();
    let mut d = d;
    d[len - 1] = 0x1f; // below q on every curve
    let mut k = d.clone();
    k[0] ^= 0xff;
    let key = test_signer::public_key(kind, &d).expect("a public key");
    let signature = test_signer::sign(kind, &d, &k, message).expect("a signature");
    (key, signature)
}

/// This thread's CPU time, or the wall clock where the kernel does not say.
struct CpuClock(Instant);

impl CpuClock {
    fn start() -> Self {
        Self(Instant::now())
    }

    fn thread_ns() -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        stat.split_whitespace().next()?.parse().ok()
    }

    /// Seconds of CPU time since `since` (a `thread_ns` reading).
    fn elapsed(&self, since: Option<u64>) -> f64 {
        match (since, Self::thread_ns()) {
            (Some(a), Some(b)) => b.saturating_sub(a) as f64 / 1e9,
            _ => self.0.elapsed().as_secs_f64(),
        }
    }
}

/// Runs `f` for `ms` milliseconds of CPU time; calls per CPU second.
fn rate(ms: u64, mut f: impl FnMut()) -> f64 {
    let budget = Duration::from_millis(ms).as_secs_f64();
    let (clock, since) = (CpuClock::start(), CpuClock::thread_ns());
    let mut count = 0u64;
    loop {
        f();
        count += 1;
        let elapsed = clock.elapsed(since);
        if elapsed >= budget {
            return count as f64 / elapsed;
        }
    }
}

/// Our verifications per second for `ms` milliseconds.
fn ours(kind: Kind, key: &[u8], message: &[u8], signature: &[u8], ms: u64) -> f64 {
    rate(ms, || {
        assert!(
            kind.verify(key, message, signature),
            "our verification failed"
        );
    })
}

/// Microseconds of our message hash alone, over `ms` milliseconds.
fn hash_us(kind: Kind, message: &[u8], ms: u64) -> f64 {
    1e6 / rate(ms, || {
        std::hint::black_box(kind.hash().digest(std::hint::black_box(message)));
    })
}

/// gost-engine's verifications per second, from the C reference; `None` if it fails (the
/// engine lacks the algorithm): its stderr is shown.
fn theirs(engine: &str, name: &str, ms: u64) -> Option<f64> {
    let output = Command::new(engine)
        .args([name, &ms.to_string()])
        .output()
        .ok()?;
    if !output.status.success() {
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        return None;
    }
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn main() {
    let options = options();
    let message = message();
    let rows: Vec<_> = ALGORITHMS
        .iter()
        .filter(|(name, _)| options.only.as_deref().is_none_or(|only| only == *name))
        .map(|&(name, kind)| (name, kind, signed(kind, &message)))
        .collect();
    let load_before = load_average();
    let mut results = vec![(Vec::new(), Vec::new()); rows.len()];
    for _ in 0..options.rounds.max(1) {
        for ((name, kind, (key, signature)), (ours_rates, theirs_rates)) in
            rows.iter().zip(results.iter_mut())
        {
            ours_rates.push(ours(*kind, key, &message, signature, options.ms));
            if let Some(rate) = options
                .engine
                .as_deref()
                .and_then(|e| theirs(e, name, options.ms))
            {
                theirs_rates.push(rate);
            }
        }
    }
    println!(
        "load average before: {load_before}; after: {}",
        load_average()
    );
    println!(
        "{} rounds of {} ms of CPU time each, median round; per second of CPU time; {MESSAGE_LEN}-byte message, hash included\n",
        options.rounds, options.ms
    );
    println!("| algorithm | ours (verifications/s) | gost-engine (verifications/s) | ratio |");
    println!("|---|---|---|---|");
    for ((name, _, _), (ours_rates, theirs_rates)) in rows.iter().zip(results.iter_mut()) {
        let ours = median(ours_rates).unwrap_or(0.0);
        match median(theirs_rates) {
            Some(theirs) => println!(
                "| {name} | {ours:.0} | {theirs:.0} | {:.2} ({}) |",
                ours / theirs,
                if ours >= 1.5 * theirs {
                    "goal 1.5 met"
                } else {
                    "goal 1.5 not met"
                }
            ),
            None => println!("| {name} | {ours:.0} | not measured | |"),
        }
    }
    println!("\n| algorithm | our hash of the message (µs) | share of our verification |");
    println!("|---|---|---|");
    for ((name, kind, _), (ours_rates, _)) in rows.iter().zip(results.iter_mut()) {
        let us = hash_us(*kind, &message, options.ms / 4 + 1);
        let verification_us = 1e6 / median(ours_rates).unwrap_or(f64::INFINITY);
        println!(
            "| {name} | {us:.1} | {:.0} % |",
            100.0 * us / verification_us
        );
    }
}
