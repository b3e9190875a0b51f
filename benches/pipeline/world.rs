//! One run's world: a database and broker names of its own (suffixed with the run id, so
//! that nothing collides with tests other engineers run on the same services), the
//! topology declared as the worker declares it, and two quorum queues of the bench's bound
//! to the decisions and status exchanges, read by [`Receipts`]. Dropped at the end of its
//! phase, and on every failure by [`Registry::clean`].

use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context as _;
use lapin::options::{
    ConfirmSelectOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{Channel, Connection};
use tokio_postgres::NoTls;
use trp_worker::broker::topology::DeliveryLimit;
use trp_worker::broker::{topology, Names};

use crate::receipts::Receipts;

/// PostgreSQL of scripts/services.sh, without a database name.
const PG: &str = "postgres://postgres@127.0.0.1:5432";
pub const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";

pub async fn admin() -> anyhow::Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(ADMIN_URL, NoTls)
        .await
        .with_context(|| {
            format!("PostgreSQL is not reachable at {ADMIN_URL} (bash scripts/services.sh)")
        })?;
    tokio::spawn(connection);
    Ok(client)
}

/// The broker nodes every connection of the run (its own and the workers') goes to, set
/// once by [`use_brokers`]; the single broker of scripts/services.sh unless set.
static BROKERS: OnceLock<Vec<String>> = OnceLock::new();

/// Sends the whole run to `urls`, tried in order (a cluster's nodes). Call before any
/// connection; a second call is an error. (The chaos run's `--cluster`; the bench itself
/// runs on the single broker.)
#[allow(dead_code)]
pub fn use_brokers(urls: Vec<String>) -> anyhow::Result<()> {
    BROKERS
        .set(urls)
        .map_err(|_| anyhow::anyhow!("the brokers are set once, before any connection"))
}

/// The broker nodes of the run.
pub fn brokers() -> &'static [String] {
    BROKERS.get_or_init(|| vec![AMQP_URL.to_owned()])
}

pub async fn broker() -> anyhow::Result<Connection> {
    trp_worker::broker::connect(brokers(), "trp-worker bench")
        .await
        .with_context(|| match brokers() {
            [single] if single == AMQP_URL => {
                "RabbitMQ is not reachable at 127.0.0.1:5672 (bash scripts/services.sh)".to_owned()
            }
            nodes => format!("none of the {} broker nodes answers", nodes.len()),
        })
}

/// A world to remove: its database, its names and the queues declared.
type Leftover = (String, Names, Vec<String>);

/// What to remove on the way out, whatever happens: databases and broker names.
#[derive(Clone, Default)]
pub struct Registry {
    worlds: Arc<Mutex<Vec<Leftover>>>,
}

impl Registry {
    fn add(&self, world: &World) {
        let entry = (world.database.clone(), world.names.clone(), world.queues());
        self.worlds.lock().expect("not poisoned").push(entry);
    }

    fn forget(&self, database: &str) {
        self.worlds
            .lock()
            .expect("not poisoned")
            .retain(|(d, _, _)| d != database);
    }

    /// Removes every world not yet dropped (after a failure or an interrupt).
    pub async fn clean(&self) {
        let worlds = std::mem::take(&mut *self.worlds.lock().expect("not poisoned"));
        for (database, names, queues) in worlds {
            let _ = remove(&database, &names, &queues).await;
        }
    }
}

async fn remove(database: &str, names: &Names, queues: &[String]) -> anyhow::Result<()> {
    let connection = broker().await?;
    let channel = connection.create_channel().await?;
    for queue in queues {
        let _ = channel
            .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
            .await;
    }
    for exchange in [
        &names.applications_exchange,
        &names.decisions_exchange,
        &names.status_exchange,
    ] {
        let _ = channel
            .exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
            .await;
    }
    let _ = connection.close(200, "bench done".into()).await;
    admin()
        .await?
        .batch_execute(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .await?;
    Ok(())
}

pub struct World {
    pub database: String,
    pub url: String,
    pub names: Names,
    pub decisions: String,
    pub status: String,
    pub receipts: Receipts,
    /// A connection of the bench's own, with a channel in confirm mode to publish on.
    pub connection: Connection,
    pub channel: Channel,
    registry: Registry,
}

fn quorum() -> FieldTable {
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    arguments
}

impl World {
    /// A fresh database `trp_bench_<run>_<label>` and names `bench<run><label>.*`.
    pub async fn create(run: &str, label: &str, registry: &Registry) -> anyhow::Result<Self> {
        let database = format!("trp_bench_{run}_{label}");
        let admin = admin().await?;
        admin
            .batch_execute(&format!("CREATE DATABASE {database}"))
            .await
            .with_context(|| format!("creating database {database}"))?;
        if std::env::var_os("TRP_BENCH_LOG_STATEMENTS").is_some() {
            // A diagnosis (docs/performance.md): every statement's duration in the server log.
            let set = format!("ALTER DATABASE {database} SET log_min_duration_statement = 0");
            admin.batch_execute(&set).await?;
        }
        let prefix = format!("bench{run}{label}");
        let names = Names::with_prefix(&prefix);
        let connection = broker().await?;
        let channel = connection.create_channel().await?;
        let world = World {
            url: format!("{PG}/{database}"),
            database,
            decisions: format!("{prefix}.bench.decisions"),
            status: format!("{prefix}.bench.status"),
            names,
            receipts: Receipts::default(),
            channel: connection.create_channel().await?,
            connection,
            registry: registry.clone(),
        };
        registry.add(&world);
        topology::declare(&channel, &world.names, DeliveryLimit::Declared(10)).await?;
        for (queue, exchange) in [
            (&world.decisions, &world.names.decisions_exchange),
            (&world.status, &world.names.status_exchange),
        ] {
            channel
                .queue_declare(
                    queue.as_str().into(),
                    QueueDeclareOptions::durable(),
                    quorum(),
                )
                .await?;
            channel
                .queue_bind(
                    queue.as_str().into(),
                    exchange.as_str().into(),
                    "#".into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
        }
        world
            .channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        let reader = world.connection.create_channel().await?;
        world
            .receipts
            .consume(&reader, &world.decisions, &world.status)
            .await?;
        Ok(world)
    }

    fn queues(&self) -> Vec<String> {
        vec![
            self.names.work_queue.clone(),
            self.names.dead_letter_queue.clone(),
            self.decisions.clone(),
            self.status.clone(),
        ]
    }

    /// Messages ready in the work queue (not those delivered and unacknowledged).
    pub async fn work_ready(&self) -> anyhow::Result<u32> {
        let passive = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let channel = self.connection.create_channel().await?;
        let q = channel
            .queue_declare(
                self.names.work_queue.as_str().into(),
                passive,
                FieldTable::default(),
            )
            .await?;
        let _ = channel.close(200, "OK".into()).await;
        Ok(q.message_count())
    }

    /// Deletes the queues and exchanges and drops the database.
    pub async fn drop(self) -> anyhow::Result<()> {
        let _ = self.connection.close(200, "bench done".into()).await;
        self.registry.forget(&self.database);
        remove(&self.database, &self.names, &self.queues()).await
    }
}
