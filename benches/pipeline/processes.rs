//! Where the CPU goes: utime + stime from /proc of the worker processes (or the floor), the
//! broker (every process of the `rabbitmq` user: beam.smp and its helpers), the database
//! (every process of the `postgres` user, in three parts: the backends of the bench's own
//! database, PostgreSQL's shared background processes, and other databases' backends, which
//! are other people's tests on a shared machine) and this bench process, sampled through a
//! window so that processes that exit are counted up to their last sample. Also peak RSS
//! (VmHWM), and stopping child processes.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::process::Child;

/// What a process counts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    Worker,
    Broker,
    /// Backends (and autovacuum workers) of the bench's own database.
    Database,
    /// The postmaster, WAL writer, checkpointer, background writer, launchers.
    DatabaseShared,
    /// Backends of other databases: not ours, shown apart.
    DatabaseOthers,
    Bench,
}

/// CPU seconds per group over a window, and how many counted processes exited in it.
#[derive(Debug, Clone, Default)]
pub struct Cpu {
    pub seconds: HashMap<Group, f64>,
    pub exited: usize,
}

impl Cpu {
    pub fn of(&self, group: Group) -> f64 {
        self.seconds.get(&group).copied().unwrap_or(0.0)
    }
}

/// Which processes to count: the workers' pids are set once they are spawned.
#[derive(Clone)]
pub struct Watch {
    database: String,
    workers: Arc<Mutex<Vec<u32>>>,
    uids: (u32, u32),
    tick: f64,
}

/// A process, by pid and start time (so that a reused pid is another process).
type Key = (u32, u64);

fn uid_of(user: &str) -> Option<u32> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        (f.next() == Some(user)).then(|| f.nth(1)?.parse().ok())?
    })
}

impl Watch {
    pub fn new(database: &str) -> anyhow::Result<Self> {
        let tick = std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0);
        let rabbitmq = uid_of("rabbitmq").ok_or_else(|| anyhow::anyhow!("no rabbitmq user"))?;
        let postgres = uid_of("postgres").ok_or_else(|| anyhow::anyhow!("no postgres user"))?;
        Ok(Self {
            database: database.to_owned(),
            workers: Arc::default(),
            uids: (rabbitmq, postgres),
            tick,
        })
    }

    pub fn add_worker(&self, pid: u32) {
        self.workers.lock().expect("not poisoned").push(pid);
    }

    fn group(&self, pid: u32, uid: u32) -> Option<Group> {
        if self.workers.lock().expect("not poisoned").contains(&pid) {
            return Some(Group::Worker);
        }
        if pid == std::process::id() {
            return Some(Group::Bench);
        }
        if uid == self.uids.0 {
            return Some(Group::Broker);
        }
        if uid != self.uids.1 {
            return None;
        }
        // The process title: "postgres: <user> <database> <client> <state>" for a backend,
        // "postgres: autovacuum worker <database>", "postgres: checkpointer", ...
        let title = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let title = String::from_utf8_lossy(&title).replace('\0', " ");
        let mine = title.split_whitespace().any(|w| w == self.database);
        let a_backend = title.starts_with("postgres: postgres ")
            || title.starts_with("postgres: autovacuum worker")
            || title.starts_with("postgres: parallel worker");
        Some(match (mine, a_backend) {
            (true, _) => Group::Database,
            (false, false) => Group::DatabaseShared,
            (false, true) => Group::DatabaseOthers,
        })
    }

    /// Every counted process now: its group and CPU ticks.
    fn snapshot(&self) -> HashMap<Key, (Group, u64)> {
        let mut found = HashMap::new();
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return found;
        };
        for entry in dir.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            let Ok(uid) = entry.metadata().map(|m| m.uid()) else {
                continue;
            };
            let Some(group) = self.group(pid, uid) else {
                continue;
            };
            if let Some((start, ticks)) = stat(pid) {
                found.insert((pid, start), (group, ticks));
            }
        }
        found
    }

    /// Starts a window: samples every half second until [`Window::finish`].
    pub fn window(&self) -> Window {
        let base = self.snapshot();
        let latest = Arc::new(Mutex::new(base.clone()));
        let (watch, seen) = (self.clone(), latest.clone());
        let sampler = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let now = tokio::task::block_in_place(|| watch.snapshot());
                seen.lock().expect("not poisoned").extend(now);
            }
        });
        Window {
            watch: self.clone(),
            base,
            latest,
            sampler,
        }
    }
}

/// (start time, utime + stime) from /proc/<pid>/stat, whose second field may hold spaces.
fn stat(pid: u32) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3, utime 14, stime 15, starttime 22 (1-based).
    let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
    Some((field(22)?, field(14)? + field(15)?))
}

pub struct Window {
    watch: Watch,
    base: HashMap<Key, (Group, u64)>,
    latest: Arc<Mutex<HashMap<Key, (Group, u64)>>>,
    sampler: tokio::task::JoinHandle<()>,
}

impl Window {
    /// Ends the window: CPU per group since it started (a process started in it counts
    /// whole).
    pub fn finish(self) -> Cpu {
        self.sampler.abort();
        let last = self.watch.snapshot();
        let mut latest = self.latest.lock().expect("not poisoned").clone();
        let exited = latest
            .iter()
            .filter(|(k, (g, _))| *g != Group::DatabaseOthers && !last.contains_key(k))
            .count();
        latest.extend(last);
        let mut cpu = Cpu {
            exited,
            ..Cpu::default()
        };
        for (key, (group, ticks)) in latest {
            let before = self.base.get(&key).map_or(0, |b| b.1);
            *cpu.seconds.entry(group).or_default() +=
                ticks.saturating_sub(before) as f64 / self.watch.tick;
        }
        cpu
    }
}

/// The peak resident set of `pid` (VmHWM) in MiB.
pub fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Stops a child the way an operator does: SIGTERM, then (after `grace`) SIGKILL.
/// Returns whether it exited by itself with status 0.
pub async fn stop(child: &mut Child, grace: Duration) -> bool {
    if let Some(pid) = child.id() {
        let _ = tokio::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await;
    }
    match tokio::time::timeout(grace, child.wait()).await {
        Ok(Ok(status)) => status.success(),
        _ => {
            let _ = child.kill().await;
            false
        }
    }
}
