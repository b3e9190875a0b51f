//! `run(settings, shutdown)`: wires the consumer, the batcher, the outbox relay and HTTP
//! together, reconnects to the broker with backoff, and stops on one shutdown token —
//! the same path for `main` and for the tests.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::broker::names::Names;
use crate::broker::publisher::Publisher;
use crate::broker::{self, BrokerError, Consumed};
use crate::checks::signature::OtpSettings;
use crate::config::{ConfigError, Settings};
use crate::http::{self, Health};
use crate::pipeline::batcher;
use crate::pipeline::deferred::{self, Deferrals, Release};
use crate::pipeline::dispatch::{self, Dispatch};
use crate::pipeline::handler::{Committer, Handler};
use crate::pipeline::relay::Relay;
use crate::reload::{watch, Files, Reloader};
use crate::retry::Backoff;
use crate::store;
use crate::store::commit::Leases;
use crate::store::StoreError;
use crate::telemetry::Metrics;

/// Reconnecting to the broker or the database: from a fraction of a second to half a minute.
const RECONNECT: Backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));

/// Batches one replica commits concurrently: while one waits for PostgreSQL's flush, the
/// next fills. Transactions of one replica order their locks as those of two replicas do
/// (ids, then BINs), so they cannot deadlock.
const COMMITS_AT_ONCE: usize = 4;

/// Everything loaded from files at start: a bad file stops start-up (exit 2). The trust
/// store, rules and calendar are reloaded later without a restart ([`crate::reload`]).
pub struct Loaded {
    pub files: Arc<Files>,
    pub otp: Arc<OtpSettings>,
}

impl Loaded {
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        Ok(Self {
            files: Arc::new(Files::load(settings)?),
            otp: Arc::new(settings.signature.otp(true)?),
        })
    }
}

pub fn names(settings: &Settings) -> Names {
    let a = &settings.amqp;
    Names {
        applications_exchange: a.applications_exchange.clone(),
        work_queue: a.work_queue.clone(),
        dead_letter_queue: a.dead_letter_queue.clone(),
        decisions_exchange: a.decisions_exchange.clone(),
        status_exchange: a.status_exchange.clone(),
        submitted_key: a.submitted_routing_key.clone(),
        decision_key_prefix: a.decision_routing_prefix.clone(),
        status_key_prefix: a.status_routing_prefix.clone(),
    }
}

/// A running worker: its HTTP address and the task to await after cancelling `shutdown`.
/// The task also ends by itself, with an error, when the worker cannot go on.
pub struct Running {
    pub http_addr: SocketAddr,
    pub metrics: Metrics,
    pub health: Health,
    /// What SIGHUP calls: reads the trust anchors, CRLs, rules and calendar again.
    pub reloader: Reloader,
    pub done: tokio::task::JoinHandle<Result<(), Fatal>>,
}

/// Why a worker stopped by itself, before any shutdown was asked.
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    /// Something an operator must change first (a queue declared with other arguments):
    /// the process exits 2.
    #[error("{0}")]
    Configuration(String),
    /// A background task (a sender, the relay, a batcher) ended while the worker ran,
    /// which is a bug: the process exits 1 rather than run on without it.
    #[error("{0}")]
    Task(String),
}

/// Starts the worker: binds HTTP (port 0 picks a free one), then migrates, connects and
/// consumes in the background until `shutdown` is cancelled.
pub async fn start(
    settings: Settings,
    loaded: Loaded,
    shutdown: CancellationToken,
) -> anyhow::Result<Running> {
    let metrics = Metrics::new();
    let health = Health::default();
    let listener = TcpListener::bind(("0.0.0.0", settings.http.port)).await?;
    let http_addr = listener.local_addr()?;
    let pool = database_pool(&settings.database, settings.database.pool_size)?;
    let tracker = TaskTracker::new();
    let http_stop = CancellationToken::new();
    tracker.spawn(http::serve(
        listener,
        metrics.clone(),
        health.clone(),
        http_stop.clone(),
    ));
    // Cancelled by `shutdown`, or when the worker stops by itself.
    let stop = shutdown.child_token();
    tracker.spawn(database_health(pool.clone(), health.clone(), stop.clone()));
    let reloader = Reloader::new(loaded.files.clone(), metrics.clone());
    tracker.spawn(watch::run(
        reloader.clone(),
        watch::Hangup::register(),
        settings.reload.poll(),
        stop.clone(),
    ));
    let main = Main {
        settings,
        loaded,
        pool,
        metrics: metrics.clone(),
        health: health.clone(),
        reloaded: reloader.reloaded(),
    };
    let done = tokio::spawn(async move {
        let ended = main.run(stop.clone()).await;
        stop.cancel();
        http_stop.cancel();
        tracker.close();
        tracker.wait().await;
        ended
    });
    Ok(Running {
        http_addr,
        metrics,
        health,
        reloader,
        done,
    })
}

struct Main {
    settings: Settings,
    loaded: Loaded,
    pool: deadpool_postgres::Pool,
    metrics: Metrics,
    health: Health,
    /// Woken after each successful reload, to release deferred applications.
    reloaded: Arc<tokio::sync::Notify>,
}

impl Main {
    async fn run(self, shutdown: CancellationToken) -> Result<(), Fatal> {
        // Cancelled by `shutdown`, or by the worker itself when it cannot go on.
        let stop = shutdown.child_token();
        if !self.migrate(&stop).await? {
            return Ok(());
        }
        let senders = crate::notify::senders(&self.settings, &self.pool, &self.metrics);
        let leases = Leases {
            outbox: Duration::from_secs(self.settings.outbox.lease_s.into()),
            notifications: senders
                .iter()
                .map(|s| s.policy.lease)
                .max()
                .unwrap_or_default(),
        };
        let (dispatch, outbox_queue, queues) = dispatch::channel(leases);
        let tasks = Watched::default();
        tasks.watch(
            "the notification senders",
            crate::notify::spawn(senders, queues, &stop),
            &stop,
        );
        tasks.watch(
            "the backlog gauge",
            tokio::spawn(watch_backlog(
                self.pool.clone(),
                self.metrics.clone(),
                stop.clone(),
            )),
            &stop,
        );
        tasks.watch(
            "the release of deferred applications",
            tokio::spawn(deferred::run(
                Release {
                    pool: self.pool.clone(),
                    files: self.loaded.files.clone(),
                    broker_urls: self.settings.amqp.url.clone(),
                    work_queue: self.settings.amqp.work_queue.clone(),
                    metrics: self.metrics.clone(),
                },
                self.reloaded.clone(),
                stop.clone(),
            )),
            &stop,
        );
        let (committer, batch_task) = self.committer(dispatch, leases);
        let (gather, gather_task) =
            crate::pipeline::prepare::spawn(self.pool.clone(), &self.settings.batch);
        let handler = Handler {
            gather,
            signatures: crate::pipeline::verify::SignaturePool::per_core(),
            files: self.loaded.files.clone(),
            otp: self.loaded.otp.clone(),
            deferrals: Deferrals {
                pool: self.pool.clone(),
                metrics: self.metrics.clone(),
                retry: self.settings.amqp.retry(),
            },
            max_message_bytes: self.settings.amqp.max_message_bytes,
            clock_skew: Duration::from_secs(self.settings.signature.clock_skew_s.into()),
            committer,
            metrics: self.metrics.clone(),
            retry: self.settings.amqp.retry(),
        };
        // The batchers end only once every handler is dropped, after the consumer stops.
        let batchers = tokio::spawn(async move {
            let (committed, gathered) = tokio::join!(batch_task, gather_task);
            committed.and(gathered)
        });
        let relay = Relay::new(
            self.pool.clone(),
            names(&self.settings),
            i64::from(self.settings.outbox.batch),
            leases.outbox,
            outbox_queue,
        );
        let mut reconnect = Reconnect::default();
        while !stop.is_cancelled() {
            let session = AssertUnwindSafe(self.session(&handler, &relay, &stop)).catch_unwind();
            match session.await {
                Ok(Ok(())) => break,
                Ok(Err(e @ BrokerError::QueueArguments { .. })) => {
                    tasks.fail(Fatal::Configuration(e.to_string()), &stop);
                    break;
                }
                Ok(Err(e)) => {
                    self.health.set_broker(false);
                    self.health.set_consuming(false);
                    let log = |retry_in_ms: u64| tracing::warn!(error = %e, retry_in_ms, "broker session ended; reconnecting");
                    reconnect.wait(&stop, log).await;
                }
                Err(_) => {
                    tasks.fail(
                        Fatal::Task("the consumer or the relay panicked".into()),
                        &stop,
                    );
                    break;
                }
            }
        }
        self.health.set_consuming(false);
        drop(handler);
        if let Ok(Err(e)) = batchers.await {
            if e.is_panic() {
                tasks.fail(Fatal::Task("a batcher panicked".into()), &stop);
            }
        }
        stop.cancel();
        let fatal = tasks.wait().await;
        tracing::info!("stopped");
        fatal.map_or(Ok(()), Err)
    }

    /// Applies pending migrations, retrying while the database is unreachable. `Ok(false)`
    /// when `shutdown` comes first; a failure no retry can cure (an edited migration, a
    /// database that refuses the schema) is fatal: the worker never takes work on a schema
    /// it cannot trust.
    async fn migrate(&self, shutdown: &CancellationToken) -> Result<bool, Fatal> {
        let mut reconnect = Reconnect::default();
        loop {
            match store::migrate::migrate(&self.pool).await {
                Ok(applied) => {
                    tracing::info!(applied = applied.len(), "migrations applied");
                    return Ok(true);
                }
                Err(e) if !e.is_transient() => {
                    tracing::error!(error = %e, "cannot migrate; stopping");
                    return Err(Fatal::Configuration(format!("migrations: {e}")));
                }
                Err(e) => {
                    let log = |retry_in_ms: u64| tracing::warn!(error = %e, retry_in_ms, "cannot migrate yet");
                    if !reconnect.wait(shutdown, log).await {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// The batcher: commits each batch, then hands what it wrote to `dispatch`.
    fn committer(
        &self,
        dispatch: Dispatch,
        leases: Leases,
    ) -> (Committer, tokio::task::JoinHandle<()>) {
        let pool = self.pool.clone();
        let max_wait = Duration::from_millis(self.settings.batch.max_wait_ms.into());
        batcher::spawn_concurrent(
            usize::from(self.settings.batch.max_size),
            max_wait,
            COMMITS_AT_ONCE,
            move |items| {
                let (pool, dispatch) = (pool.clone(), dispatch.clone());
                let count = items.len();
                let commit = async move {
                    let now = time::OffsetDateTime::now_utc();
                    let began = tokio::time::Instant::now();
                    // Each item is decided under the snapshot its signature was checked under.
                    let (results, written) =
                        crate::pipeline::commit::commit_checked(&pool, items, now, leases).await?;
                    dispatch.send(written, began);
                    Ok(results)
                };
                // A panic (a bug) fails this batch's items, not the batching task: each
                // delivery is retried with backoff, and the batches behind it go on.
                async move {
                    AssertUnwindSafe(commit)
                        .catch_unwind()
                        .await
                        .unwrap_or_else(|_| {
                            tracing::error!(
                                items = count,
                                "a commit panicked; its deliveries will be retried"
                            );
                            let lost =
                                Arc::new(StoreError::Unexpected("the commit panicked".into()));
                            Ok(vec![Err(lost); count])
                        })
                }
            },
        )
    }

    /// One connection to the broker: declare, relay and consume until shutdown (Ok) or a
    /// failure of the connection (Err, the caller reconnects).
    async fn session(
        &self,
        handler: &Handler,
        relay: &Relay,
        shutdown: &CancellationToken,
    ) -> Result<(), BrokerError> {
        let amqp = &self.settings.amqp;
        let names = names(&self.settings);
        // Named for its work queue, so an operator (or a test) can tell replicas' queues apart.
        let connection_name = format!("trp-worker {}", names.work_queue);
        let connection = broker::connect::connect(&amqp.url, &connection_name).await?;
        self.health.set_broker(true);
        let channel = connection.create_channel().await?;
        broker::topology::declare(&channel, &names, amqp.delivery_limit()).await?;
        let publisher = Publisher::new(connection.create_channel().await?).await?;
        let session = shutdown.child_token();
        let relay_stop = CancellationToken::new();
        let consuming = {
            let handler = handler.clone();
            let (session, relay_stop) = (session.clone(), relay_stop.clone());
            let (health, pool) = (self.health.clone(), self.pool.clone());
            let flow = broker::Flow {
                prefetch: amqp.prefetch,
                max_in_flight: amqp.max_in_flight.into(),
                delivery_limit: amqp.delivery_limit,
                dead_letters: self.metrics.dead_letters.clone(),
            };
            async move {
                let on_delivery = move |d| {
                    let handler = handler.clone();
                    async move { handler.handle(d).await }
                };
                let result = loop {
                    health.set_consuming(true);
                    let consumed = broker::consumer::consume(
                        channel.clone(),
                        &names,
                        flow.clone(),
                        on_delivery.clone(),
                        session.clone(),
                    )
                    .await;
                    health.set_consuming(false);
                    match consumed {
                        Ok(Consumed::Paused) => {
                            if !database_answers(&pool, &health, &session).await {
                                break Ok(());
                            }
                            tracing::info!("the database answers again; consuming");
                        }
                        Ok(Consumed::Stopped) => break Ok(()),
                        Err(e) => break Err(e),
                    }
                };
                relay_stop.cancel();
                result
            }
        };
        let relaying = async {
            let result = relay.run(&publisher, relay_stop.clone()).await;
            if result.is_err() {
                session.cancel();
            }
            result
        };
        let (consumed, relayed) = tokio::join!(consuming, relaying);
        let _ = connection.close(200, "shutting down".into()).await;
        consumed?;
        relayed
    }
}

/// How often `trp_outbox_backlog` is refreshed.
const BACKLOG_EVERY: Duration = Duration::from_secs(10);

/// Keeps `trp_outbox_backlog` current: two counts over the partial indexes of unsent rows,
/// every [`BACKLOG_EVERY`], not on every scrape.
async fn watch_backlog(
    pool: deadpool_postgres::Pool,
    metrics: Metrics,
    shutdown: CancellationToken,
) {
    loop {
        match store::outbox::backlog(&pool).await {
            Ok(n) => {
                metrics.outbox_backlog.set(n);
            }
            Err(e) => tracing::debug!(error = %e, "backlog not counted"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(BACKLOG_EVERY) => {}
        }
    }
}

/// The one reconnect loop's wait: after each failure, the next [`RECONNECT`] backoff
/// (exponential, with jitter), cut short by `stop`.
#[derive(Default)]
struct Reconnect {
    attempt: u32,
}

impl Reconnect {
    /// Logs the failure through `log` (given the wait in ms as `retry_in_ms`), then waits;
    /// false when `stop` came first.
    async fn wait(&mut self, stop: &CancellationToken, log: impl FnOnce(u64)) -> bool {
        let after = RECONNECT.delay(self.attempt, &mut rand::rng());
        log(u64::try_from(after.as_millis()).unwrap_or(u64::MAX));
        self.attempt = self.attempt.saturating_add(1);
        tokio::select! {
            _ = stop.cancelled() => false,
            _ = tokio::time::sleep(after) => true,
        }
    }
}

/// Waits until the database answers a query (checked every [`DATABASE_PROBE`]); false if
/// `stop` comes first.
async fn database_answers(
    pool: &deadpool_postgres::Pool,
    health: &Health,
    stop: &CancellationToken,
) -> bool {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return false,
            _ = tokio::time::sleep(DATABASE_PROBE) => {}
        }
        if answers(pool).await {
            health.set_database(true);
            return true;
        }
    }
}

/// Whether the database answers a query now.
async fn answers(pool: &deadpool_postgres::Pool) -> bool {
    match pool.get().await {
        Ok(client) => client.simple_query("SELECT 1").await.is_ok(),
        Err(_) => false,
    }
}

/// How often a paused consumer asks whether the database answers again.
const DATABASE_PROBE: Duration = Duration::from_secs(1);

/// Background tasks the worker cannot run without: the first that ends before the worker
/// stops (a panic, or a loop that returned) stops the worker with [`Fatal::Task`].
#[derive(Default, Clone)]
struct Watched {
    fatal: Arc<std::sync::Mutex<Option<Fatal>>>,
    tracker: TaskTracker,
}

impl Watched {
    fn watch(
        &self,
        name: &'static str,
        task: tokio::task::JoinHandle<()>,
        stop: &CancellationToken,
    ) {
        let (watched, stop) = (self.clone(), stop.clone());
        self.tracker.spawn(async move {
            let ended = task.await;
            if stop.is_cancelled() && ended.is_ok() {
                return;
            }
            let how = match ended {
                Err(e) if e.is_panic() => "panicked",
                _ => "ended",
            };
            watched.fail(
                Fatal::Task(format!("{name} {how} while the worker ran")),
                &stop,
            );
        });
    }

    /// Records the first fatal error, logs it, and stops the worker.
    fn fail(&self, fatal: Fatal, stop: &CancellationToken) {
        tracing::error!(error = %fatal, "the worker cannot go on; stopping");
        let mut slot = self.fatal.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(fatal);
        stop.cancel();
    }

    /// Waits for every watched task; the first fatal error, if any.
    async fn wait(self) -> Option<Fatal> {
        self.tracker.close();
        self.tracker.wait().await;
        let mut slot = self.fatal.lock().unwrap_or_else(|p| p.into_inner());
        slot.take()
    }
}

/// Keeps `/readyz`'s database flag true while the database answers.
async fn database_health(
    pool: deadpool_postgres::Pool,
    health: Health,
    shutdown: CancellationToken,
) {
    loop {
        health.set_database(answers(&pool).await);
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}

/// A pool of `size` connections to PostgreSQL as `database.*` configures it.
pub fn database_pool(
    database: &crate::config::Database,
    size: usize,
) -> Result<deadpool_postgres::Pool, ConfigError> {
    let options = database.pool_options(size)?;
    crate::store::pool::build(&database.url, database.password(), &options).map_err(|e| match e {
        // Its message starts with the setting's name.
        crate::store::StoreError::Config(message) => ConfigError(message),
        other => ConfigError(format!("database.url: {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_background_task_that_panics_stops_the_worker_with_an_error() {
        let stop = CancellationToken::new();
        let tasks = Watched::default();
        tasks.watch("a sender", tokio::spawn(async {}), &stop);
        tasks.watch("the relay", tokio::spawn(async { panic!("a bug") }), &stop);
        tokio::time::timeout(Duration::from_secs(5), stop.cancelled())
            .await
            .expect("the worker is told to stop");
        let fatal = tasks.wait().await.expect("a fatal error");
        let message = fatal.to_string();
        assert!(matches!(fatal, Fatal::Task(_)), "{message}");
        assert!(
            message.contains("the relay panicked") || message.contains("a sender ended"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn tasks_that_end_after_the_stop_are_no_error() {
        let stop = CancellationToken::new();
        let tasks = Watched::default();
        let token = stop.clone();
        tasks.watch(
            "a sender",
            tokio::spawn(async move { token.cancelled().await }),
            &stop,
        );
        stop.cancel();
        assert!(tasks.wait().await.is_none());
    }
}
