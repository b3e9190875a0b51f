//! The faults: kill -9 of a replica (and starting it again), a restart of RabbitMQ and of
//! PostgreSQL (stopped, left down a few seconds, started again by scripts/services.sh; on
//! the cluster, RabbitMQ's restart is the work queue's leader node stopped and started,
//! then another node restarted), and the sinks' windows. The schedule is laid over the
//! run's fault window of S seconds by [`window`].

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use tokio::process::Command;

use crate::receipts::Receipts;
use crate::replicas::{settled, Replicas};
use crate::sinks::Sinks;
use crate::world::World;
use crate::{say, Args};

/// What happens when, as fractions of the fault window.
pub struct Schedule {
    pub sms_503: (f64, f64),
    pub rabbitmq_restart: f64,
    /// How long the cluster's leader node stays down (`--cluster`).
    pub leader_down: f64,
    /// When a node that does not lead the work queue is restarted (`--cluster`): the
    /// single broker's restart, on the cluster, after the leader's stop.
    pub follower_restart: f64,
    pub mail_down: (f64, f64),
    pub postgres_restart: f64,
}

pub const SCHEDULE: Schedule = Schedule {
    sms_503: (0.10, 0.35),
    rabbitmq_restart: 0.30,
    leader_down: 0.15,
    follower_restart: 0.45,
    mail_down: (0.45, 0.70),
    postgres_restart: 0.60,
};

/// How long a restarted service stays down before it is started again.
pub const DOWN: Duration = Duration::from_secs(3);

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

async fn run(what: &str, command: &mut Command) -> anyhow::Result<()> {
    let out = command
        .output()
        .await
        .with_context(|| format!("running {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Starts whatever of PostgreSQL and RabbitMQ is down (scripts/services.sh, idempotent).
pub async fn services_up() -> anyhow::Result<()> {
    run(
        "scripts/services.sh",
        Command::new("bash")
            .arg("scripts/services.sh")
            .current_dir(root()),
    )
    .await
}

fn as_root(args: &[&str]) -> Command {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut command = Command::new(if root { args[0] } else { "sudo" });
    command.args(if root { &args[1..] } else { args });
    command
}

/// Restarts RabbitMQ: `full`, the node (`rabbitmqctl stop`, then scripts/services.sh starts
/// it: about 40 s here, most of it the node's start); else the application inside the node
/// (`rabbitmqctl stop_app` / `start_app`: about 4 s), which clients see the same way:
/// connections closed, the port refusing, queues recovered from disk. Down [`DOWN`] between.
pub async fn restart_rabbitmq(full: bool) -> anyhow::Result<()> {
    let stop = if full { "stop" } else { "stop_app" };
    run(
        "rabbitmqctl stop",
        &mut as_root(&["rabbitmqctl", "-q", stop]),
    )
    .await?;
    tokio::time::sleep(DOWN).await;
    if full {
        return services_up().await;
    }
    run(
        "rabbitmqctl start_app",
        &mut as_root(&["rabbitmqctl", "-q", "start_app"]),
    )
    .await
}

/// Stops PostgreSQL (fast: sessions cut), waits [`DOWN`], starts it again.
pub async fn restart_postgres() -> anyhow::Result<()> {
    let services = std::env::var("TRP_SERVICES_DIR").unwrap_or("/var/tmp/trp-services".into());
    let bin = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL is installed under /usr/lib/postgresql")?
        .flatten()
        .map(|e| e.path().join("bin"))
        .max_by_key(|p| {
            let version = p
                .parent()
                .and_then(|v| v.file_name())
                .map(|v| v.to_string_lossy().into_owned());
            version.and_then(|v| v.parse::<u32>().ok()).unwrap_or(0)
        })
        .context("a PostgreSQL version directory")?;
    let stop = format!("{}/pg_ctl -D '{services}/pg' -m fast stop", bin.display());
    run(
        "pg_ctl stop",
        &mut as_root(&["su", "postgres", "-s", "/bin/sh", "-c", &stop]),
    )
    .await?;
    tokio::time::sleep(DOWN).await;
    let start = format!(
        "{}/pg_ctl -D '{services}/pg' -l '{services}/pg/server.log' -w -t 60 start",
        bin.display()
    );
    let started = run(
        "pg_ctl start",
        &mut as_root(&["su", "postgres", "-s", "/bin/sh", "-c", &start]),
    )
    .await;
    // scripts/services.sh knows how to start a cluster pg_ctl alone cannot (stale TLS files).
    match started {
        Ok(()) => Ok(()),
        Err(_) => services_up().await,
    }
}

/// The nodes of scripts/cluster.sh, by AMQP port.
pub const CLUSTER: [u16; 3] = [5681, 5682, 5683];

/// Runs `bash scripts/cluster.sh args...`; its standard output, trimmed. Its questions and
/// `stop` run at a raised priority (`nice -n -10`, where allowed): RabbitMQ's CLI boots an
/// Erlang VM per call, and beside three busy replicas on two cores one question took over
/// a minute at the default priority. Never `start`, whose node would keep the priority.
pub async fn cluster(args: &[&str]) -> anyhow::Result<String> {
    let mut command = if args.first() == Some(&"start") {
        Command::new("bash")
    } else {
        let mut nice = Command::new("nice");
        nice.args(["-n", "-10", "bash"]);
        nice
    };
    let out = command
        .arg("scripts/cluster.sh")
        .args(args)
        .current_dir(root())
        .output()
        .await
        .context("running scripts/cluster.sh")?;
    if !out.status.success() {
        bail!(
            "scripts/cluster.sh {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The run's fault of the broker.
pub enum BrokerFault {
    /// The single broker restarted: the node (`full`) or its application.
    Restart { full: bool },
    /// scripts/cluster.sh's node leading the work queue stopped, left down `down`, and
    /// started again; the two others carry on with a new leader elected among them. Then,
    /// at `follower_at`, a node that does not lead it is restarted.
    Leader {
        work_queue: String,
        down: Duration,
        follower_at: Duration,
    },
}

/// The node leading the work queue, stopped and started again.
pub struct LeaderStop {
    pub stopped: String,
    /// The leader elected while it was down.
    pub new_leader: String,
    /// From the stop's start until the node had started again and joined.
    pub down: Duration,
}

/// Which faults happened.
pub struct Done {
    /// RabbitMQ's restarts, or on the cluster its nodes' stops and restarts.
    pub rabbitmq: usize,
    pub postgres: usize,
    pub leader: Option<LeaderStop>,
    /// The node restarted that did not lead the work queue (`--cluster`).
    pub follower: Option<String>,
}

/// Stops the node leading `work_queue`, learns the new leader, and starts the node again
/// `down` after the stop began (or at once, if stopping took longer); scripts/cluster.sh
/// waits until it has joined, which takes a node 15 to 25 s here.
async fn stop_leader(work_queue: &str, down: Duration) -> anyhow::Result<LeaderStop> {
    let asked = Instant::now();
    let stopped = cluster(&["leader", work_queue]).await?;
    say(format_args!(
        "{stopped} leads the work queue (asked in {:.1} s); stopping it",
        asked.elapsed().as_secs_f64()
    ));
    let began = Instant::now();
    cluster(&["stop", &stopped]).await?;
    say(format_args!(
        "{stopped} is stopped (in {:.1} s)",
        began.elapsed().as_secs_f64()
    ));
    // The two left elect a leader within a few seconds; a bounded wait for it (from the
    // stop's end: a node stopping under load takes a minute and more).
    let stopped_at = Instant::now();
    let mut new_leader = String::new();
    while stopped_at.elapsed() < Duration::from_secs(20) {
        match cluster(&["leader", work_queue]).await {
            Ok(node) if node != stopped && !node.is_empty() => {
                new_leader = node;
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
    say(format_args!(
        "new leader of the work queue: {} (asked for {:.1} s)",
        if new_leader.is_empty() {
            "none"
        } else {
            &new_leader
        },
        stopped_at.elapsed().as_secs_f64()
    ));
    tokio::time::sleep_until((began + down).into()).await;
    cluster(&["start", &stopped]).await?;
    let down = began.elapsed();
    Ok(LeaderStop {
        stopped,
        new_leader,
        down,
    })
}

/// Restarts a node of the cluster that neither leads `work_queue` now nor is `avoid` (the
/// node stopped before, so that the fault reaches another one), left down [`DOWN`]; its
/// name. The replicas connected to it go to another node; its member of the quorum queue
/// catches up when it is back.
async fn restart_follower(work_queue: &str, avoid: &str) -> anyhow::Result<String> {
    let leader = cluster(&["leader", work_queue]).await?;
    let members = cluster(&["members", work_queue]).await?;
    let followers: Vec<&str> = members
        .split_whitespace()
        .filter(|m| *m != leader)
        .collect();
    let Some(node) = followers
        .iter()
        .find(|m| **m != avoid)
        .or(followers.first())
        .map(|m| m.to_string())
    else {
        bail!("the work queue has no member besides its leader {leader}: {members}");
    };
    say(format_args!(
        "{node} does not lead the work queue ({leader} does); restarting it"
    ));
    cluster(&["stop", &node]).await?;
    tokio::time::sleep(DOWN).await;
    cluster(&["start", &node]).await?;
    Ok(node)
}

/// The fault window: kills every few seconds, the sinks' windows and the restarts on the
/// schedule of [`faults::SCHEDULE`].
pub async fn window(
    args: &Args,
    replicas: &mut Replicas<'_>,
    sinks: &Sinks,
    world: &World,
    receipts: &Receipts,
) -> anyhow::Result<Done> {
    let s = SCHEDULE;
    let window = Duration::from_secs(args.seconds);
    let at = |f: f64| window.mul_f64(f);
    let start = Instant::now();
    let kill_every = Duration::from_secs(if args.seconds <= 60 { 3 } else { 5 });
    let mut next_kill = kill_every;
    let (mut sms_down, mut mail_down) = (false, false);
    let broker = if args.cluster {
        BrokerFault::Leader {
            work_queue: world.names.work_queue.clone(),
            down: at(s.leader_down).max(DOWN),
            follower_at: at(s.follower_restart),
        }
    } else {
        BrokerFault::Restart {
            full: args.full_rabbitmq_restart,
        }
    };
    // One after the other, so that scripts/services.sh never starts the other service.
    let restarts = tokio::spawn(restarts(
        at(s.rabbitmq_restart),
        at(s.postgres_restart),
        broker,
    ));
    // The window lasts at least until both restarts are over.
    while start.elapsed() < window || !restarts.is_finished() {
        let t = start.elapsed();
        replicas.revive()?;
        if t >= next_kill {
            replicas.kill_one().await?;
            next_kill += kill_every;
        }
        let want_sms_down = t >= at(s.sms_503.0) && t < at(s.sms_503.1);
        if want_sms_down != sms_down {
            sinks.sms_down(want_sms_down);
            sms_down = want_sms_down;
            say(format_args!(
                "{:>5.1} s: SMS gateway {}",
                t.as_secs_f64(),
                if sms_down {
                    "answers 503"
                } else {
                    "answers again"
                }
            ));
        }
        let want_mail_down = t >= at(s.mail_down.0) && t < at(s.mail_down.1);
        if want_mail_down != mail_down {
            if want_mail_down {
                sinks.mail_stop();
            } else {
                sinks.mail_start().await?;
            }
            mail_down = want_mail_down;
            say(format_args!(
                "{:>5.1} s: mail server {}",
                t.as_secs_f64(),
                if mail_down { "down" } else { "up" }
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let done = restarts.await??;
    sinks.sms_down(false);
    sinks.mail_start().await?;
    let (_, progress) = settled(world, receipts, args.n).await;
    say(format_args!(
        "faults over after {:.1} s: {progress}",
        start.elapsed().as_secs_f64()
    ));
    Ok(done)
}

/// RabbitMQ restarted at `rabbitmq` (on the cluster: the work queue's leader node stopped
/// and started, then another node restarted), then PostgreSQL at `postgres`; each fault at
/// once if the one before ended later. The times are from now.
async fn restarts(
    rabbitmq: Duration,
    postgres: Duration,
    broker: BrokerFault,
) -> anyhow::Result<Done> {
    let start = Instant::now();
    let mut done = Done {
        rabbitmq: 0,
        postgres: 0,
        leader: None,
        follower: None,
    };
    tokio::time::sleep_until((start + rabbitmq).into()).await;
    match broker {
        BrokerFault::Restart { full } => {
            say(format_args!(
                "{:>5.1} s: restarting RabbitMQ",
                start.elapsed().as_secs_f64()
            ));
            restart_rabbitmq(full).await?;
            done.rabbitmq += 1;
        }
        BrokerFault::Leader {
            work_queue,
            down,
            follower_at,
        } => {
            say(format_args!(
                "{:>5.1} s: stopping the cluster node leading the work queue",
                start.elapsed().as_secs_f64()
            ));
            let stop = stop_leader(&work_queue, down).await?;
            done.rabbitmq += 1;
            say(format_args!(
                "{:>5.1} s: {} is back",
                start.elapsed().as_secs_f64(),
                stop.stopped
            ));
            tokio::time::sleep_until((start + follower_at).into()).await;
            say(format_args!(
                "{:>5.1} s: restarting a cluster node that does not lead the work queue",
                start.elapsed().as_secs_f64()
            ));
            let follower = restart_follower(&work_queue, &stop.stopped).await?;
            done.rabbitmq += 1;
            done.leader = Some(stop);
            done.follower = Some(follower);
        }
    }
    let node = done.follower.as_deref().unwrap_or("RabbitMQ");
    say(format_args!(
        "{:>5.1} s: {node} is back",
        start.elapsed().as_secs_f64()
    ));
    tokio::time::sleep_until((start + postgres).into()).await;
    say(format_args!(
        "{:>5.1} s: restarting PostgreSQL",
        start.elapsed().as_secs_f64()
    ));
    restart_postgres().await?;
    done.postgres += 1;
    say(format_args!(
        "{:>5.1} s: PostgreSQL is back",
        start.elapsed().as_secs_f64()
    ));
    Ok(done)
}
