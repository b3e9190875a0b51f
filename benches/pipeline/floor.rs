//! The floor: the least work any correct worker must do per message, run as a child process
//! of the bench (so its CPU is its own). It consumes the work queue with manual acks and the
//! worker's prefetch; commits each batch's message rows (id, message id, body) in one
//! PostgreSQL transaction; then publishes, persistent and confirmed, one decision-like and
//! two status-like messages per application (the sizes of the worker's), and acks. A batch
//! closes at `batch` messages or 5 ms after its first (as the worker's `batch.max_wait_ms`);
//! with acks after commit a batch can never exceed the prefetch, so the bench sets `batch` to
//! half the prefetch (two batches in flight). Runs until its standard input closes.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context as _};
use futures_util::StreamExt;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The first argument that makes the bench binary run as the floor.
pub const CHILD: &str = "floor-child";

/// What the floor is told, as `key=value` arguments.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub amqp: String,
    pub database: String,
    pub work_queue: String,
    pub decisions: String,
    pub status: String,
    pub prefetch: u16,
    pub batch: usize,
    pub decision_bytes: usize,
    pub status_bytes: usize,
}

impl Config {
    pub fn to_args(&self) -> Vec<String> {
        vec![
            CHILD.to_owned(),
            format!("amqp={}", self.amqp),
            format!("database={}", self.database),
            format!("work_queue={}", self.work_queue),
            format!("decisions={}", self.decisions),
            format!("status={}", self.status),
            format!("prefetch={}", self.prefetch),
            format!("batch={}", self.batch),
            format!("decision_bytes={}", self.decision_bytes),
            format!("status_bytes={}", self.status_bytes),
        ]
    }

    fn parse(args: &[String]) -> anyhow::Result<Self> {
        let mut c = Config::default();
        for arg in args {
            let (key, value) = arg.split_once('=').context("key=value")?;
            match key {
                "amqp" => c.amqp = value.to_owned(),
                "database" => c.database = value.to_owned(),
                "work_queue" => c.work_queue = value.to_owned(),
                "decisions" => c.decisions = value.to_owned(),
                "status" => c.status = value.to_owned(),
                "prefetch" => c.prefetch = value.parse()?,
                "batch" => c.batch = value.parse()?,
                "decision_bytes" => c.decision_bytes = value.parse()?,
                "status_bytes" => c.status_bytes = value.parse()?,
                _ => bail!("unknown floor setting {key}"),
            }
        }
        Ok(c)
    }
}

pub fn child_main(args: &[String]) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let outcome = Config::parse(args).and_then(|c| runtime.block_on(run(c)));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floor: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Cancelled when standard input closes: the bench ended or went away.
fn stop_on_stdin_eof() -> CancellationToken {
    let stop = CancellationToken::new();
    let token = stop.clone();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        token.cancel();
    });
    stop
}

struct Floor {
    config: Config,
    pool: deadpool_postgres::Pool,
    publish: Channel,
}

async fn run(config: Config) -> anyhow::Result<()> {
    let stop = stop_on_stdin_eof();
    let pool = trp_worker::store::pool(&config.database, 4).context("database pool")?;
    pool.get()
        .await?
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS floor_messages (
                 application_id text PRIMARY KEY, message_id uuid NOT NULL, body bytea NOT NULL)",
        )
        .await?;
    let connection = Connection::connect(&config.amqp, ConnectionProperties::default()).await?;
    let consume = connection.create_channel().await?;
    consume
        .basic_qos(config.prefetch, BasicQosOptions::default())
        .await?;
    let mut consumer = consume
        .basic_consume(
            config.work_queue.as_str().into(),
            "floor".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let publish = connection.create_channel().await?;
    publish
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let floor = std::sync::Arc::new(Floor {
        config,
        pool,
        publish,
    });
    let tracker = TaskTracker::new();
    let failed = CancellationToken::new();
    loop {
        let first = tokio::select! {
            () = stop.cancelled() => break,
            () = failed.cancelled() => bail!("a batch failed"),
            next = consumer.next() => next.context("the consumer was cancelled")??,
        };
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + Duration::from_millis(5);
        while batch.len() < floor.config.batch {
            match tokio::time::timeout_at(deadline, consumer.next()).await {
                Ok(Some(next)) => batch.push(next?),
                Ok(None) | Err(_) => break,
            }
        }
        let (floor, failed) = (floor.clone(), failed.clone());
        tracker.spawn(async move {
            if let Err(e) = floor.process(batch).await {
                eprintln!("floor: {e:#}");
                failed.cancel();
            }
        });
    }
    tracker.close();
    tracker.wait().await;
    let _ = connection.close(200, "floor done".into()).await;
    Ok(())
}

impl Floor {
    /// One transaction for the batch, three confirmed publishes per message, then the acks.
    async fn process(&self, batch: Vec<Delivery>) -> anyhow::Result<()> {
        let mut ids = Vec::with_capacity(batch.len());
        let mut message_ids = Vec::with_capacity(batch.len());
        let mut bodies = Vec::with_capacity(batch.len());
        for d in &batch {
            let head: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&d.data)?;
            ids.push(
                head["application_id"]
                    .as_str()
                    .context("application_id")?
                    .to_owned(),
            );
            let message_id = d.properties.message_id().as_ref().context("message_id")?;
            message_ids.push(uuid::Uuid::parse_str(message_id.as_str())?);
            bodies.push(d.data.clone());
        }
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO floor_messages
             SELECT * FROM unnest($1::text[], $2::uuid[], $3::bytea[])",
            &[&ids, &message_ids, &bodies],
        )
        .await?;
        tx.commit().await?;
        drop(client);
        let c = &self.config;
        let mut confirms = Vec::with_capacity(3 * batch.len());
        for id in &ids {
            for (exchange, key, size) in [
                (&c.status, "status.received", c.status_bytes),
                (&c.decisions, "decision.approved", c.decision_bytes),
                (&c.status, "status.approved", c.status_bytes),
            ] {
                let message_id = uuid::Uuid::new_v4().to_string();
                let body = padded(id, &message_id, key, size);
                let properties = BasicProperties::default()
                    .with_delivery_mode(2)
                    .with_content_type("application/json".into())
                    .with_message_id(message_id.as_str().into())
                    .with_type("bench.floor.v1".into())
                    .with_timestamp(time::OffsetDateTime::now_utc().unix_timestamp() as u64);
                let options = BasicPublishOptions::default();
                let confirm = self
                    .publish
                    .basic_publish(
                        exchange.as_str().into(),
                        key.into(),
                        options,
                        &body,
                        properties,
                    )
                    .await?;
                confirms.push(confirm);
            }
        }
        for confirm in confirms {
            if !confirm.await?.is_ack() {
                bail!("the broker refused a publish");
            }
        }
        for d in batch {
            d.acker.ack(BasicAckOptions::default()).await?;
        }
        Ok(())
    }
}

/// A JSON message of about `size` bytes that names its application, as a decision does.
fn padded(application_id: &str, message_id: &str, key: &str, size: usize) -> Vec<u8> {
    let head = format!(
        r#"{{"schema":"bench.floor.v1","message_id":"{message_id}","application_id":"{application_id}","outcome":"approved","key":"{key}","pad":""#
    );
    let pad = size.saturating_sub(head.len() + 2);
    let mut body = head.into_bytes();
    body.resize(body.len() + pad, b'x');
    body.extend_from_slice(b"\"}");
    body
}
