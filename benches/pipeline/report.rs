//! The report: the date, the machine, the command, and one Markdown table with every
//! figure beside its ratio to the floor and its goal (printed, never asserted), ready to
//! paste into docs/performance.md.

use std::fmt::Write as _;
use std::time::Duration;

use crate::drain::{Drain, Latency};
use crate::processes::Group;
use crate::Args;

#[derive(Debug, Default)]
pub struct Results {
    pub n: usize,
    pub envelope_bytes: usize,
    pub prefetch: u16,
    pub floor: Option<Drain>,
    pub one: Option<Drain>,
    pub latency: Option<Latency>,
    pub two: Option<Drain>,
    pub history: Option<Drain>,
    pub elapsed: Duration,
    /// The run directory (worker logs, PKI files).
    pub dir: Option<std::path::PathBuf>,
}

/// When and where: date, CPUs, CPU model, load average.
pub struct Machine {
    pub date: String,
    pub cpus: usize,
    pub model: String,
    pub load: String,
}

impl Machine {
    pub fn now() -> Self {
        let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map_or("unknown", |(_, m)| m.trim())
            .to_owned();
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        Self {
            date: time::OffsetDateTime::now_utc()
                .format(&format)
                .unwrap_or_default(),
            cpus: std::thread::available_parallelism().map_or(0, usize::from),
            model,
            load: load
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**not met**"
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// CPU ms per decision of some groups, over `n` decisions.
fn cpu(d: &Drain, groups: &[Group], n: usize) -> String {
    let seconds: f64 = groups.iter().map(|g| d.cpu.of(*g)).sum();
    format!("{:.2}", seconds * 1000.0 / n as f64)
}

/// The database: the bench database's backends and the shared background processes.
const DATABASE: &[Group] = &[Group::Database, Group::DatabaseShared];

fn row(out: &mut String, name: &str, d: &Drain, n: usize, (ratio, goal): (String, String)) {
    let notified = d.notified.map_or("–".to_owned(), |x| {
        format!(
            "{:.1} s ({:.0}/s)",
            x.last_after.as_secs_f64(),
            x.per_second
        )
    });
    let rss: Vec<String> = d.rss.iter().map(|r| format!("{r:.0}")).collect();
    let c = &d.check;
    let mut check = format!("{} missing, {} duplicate", c.missing, c.duplicates);
    if d.replicas > 0 {
        let _ = write!(
            check,
            ", {} not as planned, {} status events",
            c.wrong, c.statuses
        );
        if let Some(x) = d.notified {
            let _ = write!(check, ", {} duplicate notifications", x.duplicates);
        }
    }
    let _ = writeln!(
        out,
        "| {name} | **{:.0}** | {ratio} | {goal} | {:.1} s | {notified} | {} | {} | {} | {} | {} | {check} |",
        d.rate,
        d.span.as_secs_f64(),
        cpu(d, &[Group::Worker], n),
        cpu(d, &[Group::Broker], n),
        cpu(d, DATABASE, n),
        cpu(d, &[Group::Bench], n),
        rss.join(", "),
    );
}

fn rss_ok(d: &Drain) -> bool {
    d.rss.iter().all(|r| *r < 100.0)
}

pub fn print(args: &Args, before: &Machine, after: &Machine, r: &Results) {
    let mut out = String::new();
    let n = r.n;
    let _ = writeln!(out, "\n## Pipeline benchmark, {}\n", before.date);
    let _ = writeln!(out, "- command: `{}`", args.command);
    let _ = writeln!(
        out,
        "- machine: {} CPUs, {}; load average (1, 5, 15 min) {} at the start, {} at the end",
        before.cpus, before.model, before.load, after.load
    );
    let _ = writeln!(
        out,
        "- load: N = {n} per drain, mean envelope {} bytes; 40 % GOST 2015-512 EDS, 20 % RSA EDS, \
         10 % P-256 EDS, 30 % OTP; 10 % refused (`eligibility.term`); worker at its defaults \
         (prefetch {})",
        r.envelope_bytes, r.prefetch
    );
    let _ = writeln!(out, "- the run took {:.0} s\n", r.elapsed.as_secs_f64());
    let _ = writeln!(
        out,
        "| run | decisions/s | ratio to the floor | goal | first to last decision | last notification after the first decision (notifications/s) | CPU ms/decision: worker | broker | database | bench | peak RSS MiB | check |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    let floor = r.floor.as_ref().map(|f| f.rate);
    let ratio = |rate: f64| floor.map_or("–".to_owned(), |f| format!("{:.2}", rate / f));
    if let Some(f) = &r.floor {
        let name = "floor (messages/s)";
        row(&mut out, name, f, n, ("1".into(), "–".into()));
    }
    if let Some(one) = &r.one {
        let goal = floor.map_or("≥ 0.8 × floor: no floor run".to_owned(), |f| {
            format!("≥ 0.8 × floor: {}", met(one.rate >= 0.8 * f))
        });
        let goal = format!("{goal}; RSS < 100 MiB: {}", met(rss_ok(one)));
        row(
            &mut out,
            "worker, 1 replica",
            one,
            n,
            (ratio(one.rate), goal),
        );
    }
    if let Some(l) = &r.latency {
        let _ = writeln!(
            out,
            "| latency, 1 replica, {} applications at {:.0}/s (half its rate) | p50 **{}**, p99 **{}**, max {} | – | p99 < 100 ms: {} | | | | | | | | |",
            l.count,
            l.rate,
            ms(l.p50),
            ms(l.p99),
            ms(l.max),
            met(l.p99 < Duration::from_millis(100)),
        );
    }
    let one_rate = r.one.as_ref().map(|o| o.rate);
    if let Some(two) = &r.two {
        let (versus, goal) = match one_rate {
            Some(one) => (
                format!(" ({:.2} × one)", two.rate / one),
                format!("≥ 1.6 × one: {}", met(two.rate >= 1.6 * one)),
            ),
            None => (String::new(), "≥ 1.6 × one: no one-replica run".into()),
        };
        let goal = format!("{goal}; RSS < 100 MiB: {}", met(rss_ok(two)));
        row(
            &mut out,
            "worker, 2 replicas",
            two,
            n,
            (format!("{}{versus}", ratio(two.rate)), goal),
        );
    }
    if let Some(h) = &r.history {
        let before = h.history.map_or(0, |f| f.applications);
        let name =
            format!("worker, 1 replica, {before} applications decided before (≈ 5 × fuller)");
        let (versus, goal) = match one_rate {
            Some(one) => (
                format!(" ({:.2} × empty tables)", h.rate / one),
                format!("as fast as empty (≥ 0.9 ×): {}", met(h.rate >= 0.9 * one)),
            ),
            None => (String::new(), "no one-replica run to compare".into()),
        };
        row(
            &mut out,
            &name,
            h,
            n,
            (format!("{}{versus}", ratio(h.rate)), goal),
        );
    }
    let _ = writeln!(out);
    let cores = after.cpus.max(1) as f64;
    for (name, d) in [
        ("floor", &r.floor),
        ("1 replica", &r.one),
        ("2 replicas", &r.two),
        ("history", &r.history),
    ] {
        let Some(d) = d else { continue };
        for note in &d.notes {
            let _ = writeln!(out, "- {name}: {note}");
        }
        let _ = writeln!(
            out,
            "- {name}: database CPU ms/decision: {} own backends + {} shared background processes; \
             other databases' backends (other people's tests, not counted): {}",
            cpu(d, &[Group::Database], n),
            cpu(d, &[Group::DatabaseShared], n),
            cpu(d, &[Group::DatabaseOthers], n),
        );
        let _ = writeln!(
            out,
            "- {name}: mean message sizes: decision {} bytes, status {} bytes",
            d.check.decision_bytes, d.check.status_bytes
        );
        let total: f64 = d
            .cpu
            .seconds
            .iter()
            .filter(|(g, _)| **g != Group::DatabaseOthers)
            .map(|(_, s)| s)
            .sum();
        let per = total * 1000.0 / n as f64;
        let _ = writeln!(
            out,
            "- {name}: all counted CPU {per:.2} ms per decision: at most {:.0}/s on {cores} CPUs if nothing else ran",
            cores * 1000.0 / per
        );
        if d.cpu.exited > 0 {
            let _ = writeln!(out, "- {name}: {} counted processes exited during the drain (counted to their last sample)", d.cpu.exited);
        }
        if let Some(f) = d.history {
            let _ = writeln!(
                out,
                "- {name}: before the drain {} applications, {} outbox rows (sent), {} notifications (sent), database {:.0} MB",
                f.applications, f.outbox, f.notifications, f.megabytes
            );
        }
    }
    println!("{out}");
}
