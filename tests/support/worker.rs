//! A whole worker on its own database and broker names, for the pipeline tests: started in
//! process through `worker::start` (the path `main` takes), with helpers to sign and submit
//! applications as the portal does and to read what the worker published.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use hmac::Mac;
use lapin::types::FieldTable;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use trp_worker::config::{self, Settings};
use trp_worker::worker::{self, Loaded, Running};

use super::amqp::{self, TestBroker};
use super::db::TestDb;
use super::pki::pki;

pub const OTP_KEY: &[u8] = b"portal attestation key for tests";

/// One test's world: database, broker names, queues bound to what the worker publishes.
pub struct World {
    pub db: TestDb,
    pub broker: TestBroker,
    pub decisions: String,
    pub status: String,
    seen: tokio::sync::Mutex<HashMap<String, Vec<Value>>>,
}

/// The settings a worker of `world` runs with: the shipped defaults and these overrides,
/// exactly as the environment would give them.
pub fn env_for(db_url: &str, names: &trp_worker::broker::Names) -> Vec<(String, String)> {
    let anchors = format!(
        "{},{}",
        pki("root.pem").display(),
        pki("intermediate.pem").display()
    );
    let pairs = [
        ("TRP__DATABASE__URL", db_url.to_owned()),
        ("TRP__DATABASE__POOL_SIZE", "8".into()),
        ("TRP__AMQP__URL", amqp::url()),
        (
            "TRP__AMQP__APPLICATIONS_EXCHANGE",
            names.applications_exchange.clone(),
        ),
        ("TRP__AMQP__WORK_QUEUE", names.work_queue.clone()),
        (
            "TRP__AMQP__DEAD_LETTER_QUEUE",
            names.dead_letter_queue.clone(),
        ),
        (
            "TRP__AMQP__DECISIONS_EXCHANGE",
            names.decisions_exchange.clone(),
        ),
        ("TRP__AMQP__STATUS_EXCHANGE", names.status_exchange.clone()),
        ("TRP__HTTP__PORT", "0".into()),
        ("TRP__SIGNATURE__TRUST_ANCHORS", anchors),
        (
            "TRP__SIGNATURE__CRLS",
            format!(
                "{},{}",
                pki("intermediate.crl").display(),
                pki("root.crl").display()
            ),
        ),
        (
            "TRP__SIGNATURE__OTP_KEY",
            base64::engine::general_purpose::STANDARD.encode(OTP_KEY),
        ),
        ("TRP__BATCH__MAX_WAIT_MS", "2".into()),
        ("TRP__SHUTDOWN__GRACE_S", "20".into()),
        ("TRP__LOG__FILTER", "warn".into()),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

pub fn settings(env: &[(String, String)]) -> Settings {
    let defaults = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/default.toml");
    config::load_from(&defaults, env).expect("test settings")
}

impl World {
    pub async fn new() -> Self {
        Self::with_limit(10).await
    }

    /// A world whose work queue is declared with the delivery limit `limit`: a worker of it
    /// must run with `TRP__AMQP__DELIVERY_LIMIT` = `limit`, or the broker refuses its
    /// declaration.
    pub async fn with_limit(limit: u32) -> Self {
        let limit = trp_worker::broker::topology::DeliveryLimit::Declared(limit);
        let broker = TestBroker::with_limit(limit).await;
        Self::with_broker(broker, FieldTable::default()).await
    }

    /// A world on `broker`, its decisions and status queues declared with `arguments`
    /// (quorum queues on a cluster, so that they outlive a node).
    pub async fn with_broker(mut broker: TestBroker, arguments: FieldTable) -> Self {
        let db = TestDb::migrated().await;
        super::db::seed_sample_registries(&db).await;
        let decisions = broker
            .bind_queue_with(
                &broker.names.decisions_exchange.clone(),
                "#",
                arguments.clone(),
            )
            .await;
        let status = broker
            .bind_queue_with(&broker.names.status_exchange.clone(), "#", arguments)
            .await;
        Self {
            db,
            broker,
            decisions,
            status,
            seen: Default::default(),
        }
    }

    pub fn env(&self) -> Vec<(String, String)> {
        env_for(&self.db.url, &self.broker.names)
    }

    /// Starts one worker replica in this process.
    pub async fn start(&self) -> Replica {
        self.start_with(&[]).await
    }

    /// This world's settings with `extra` laid over them, each replacing its key.
    pub fn env_with(&self, extra: &[(&str, String)]) -> Vec<(String, String)> {
        let mut env = self.env();
        env.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        env
    }

    /// Starts a replica with `extra` settings laid over this world's (e.g. the SMS gateway).
    pub async fn start_with(&self, extra: &[(&str, String)]) -> Replica {
        let settings = settings(&self.env_with(extra));
        let loaded = Loaded::from_settings(&settings).expect("files load");
        let shutdown = CancellationToken::new();
        let running = worker::start(settings, loaded, shutdown.clone())
            .await
            .expect("worker starts");
        Replica { shutdown, running }
    }

    /// Publishes an envelope as the portal does (message_id property = the body's).
    pub async fn submit(&self, envelope: &Value) {
        let id = envelope["message_id"].as_str().unwrap_or("none").to_owned();
        self.broker
            .submit(&serde_json::to_vec(envelope).unwrap(), &id)
            .await;
    }

    /// Every message published so far to `queue`, by application id.
    async fn drain(&self, queue: &str) {
        let mut seen = self.seen.lock().await;
        while let Some(got) = self.broker.take(queue).await {
            let body: Value = serde_json::from_slice(&got.delivery.data).expect("JSON");
            let key = format!("{queue}/{}", body["application_id"].as_str().unwrap_or(""));
            seen.entry(key).or_default().push(body);
        }
    }

    /// The messages for `application_id` on `queue`, once there are at least `n` (60 s at most).
    pub async fn wait_for(&self, queue: &str, application_id: &str, n: usize) -> Vec<Value> {
        let key = format!("{queue}/{application_id}");
        let found = amqp::eventually(Duration::from_secs(60), || async {
            self.drain(queue).await;
            self.seen.lock().await.get(&key).map_or(0, Vec::len) >= n
        })
        .await;
        let got = self
            .seen
            .lock()
            .await
            .get(&key)
            .cloned()
            .unwrap_or_default();
        assert!(
            found,
            "{application_id}: {} of {n} messages on {queue}",
            got.len()
        );
        got
    }

    pub async fn decision(&self, application_id: &str) -> Value {
        let decisions = self.decisions.clone();
        self.wait_for(&decisions, application_id, 1).await.remove(0)
    }

    pub async fn cleanup(self) {
        self.broker.cleanup().await;
        self.db.drop().await;
    }
}

/// A running replica.
pub struct Replica {
    pub shutdown: CancellationToken,
    pub running: Running,
}

impl Replica {
    /// Stops it the way SIGTERM does, and waits for it to finish.
    pub async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(30), self.running.done)
            .await
            .expect("stops within the grace period")
            .expect("the worker task ends cleanly")
            .expect("the worker did not stop by itself");
    }
}

/// An envelope with a detached CMS signature made by `openssl cms -sign` with the test PKI's
/// leaf `leaf` (e.g. "leaf-rsa"), over `document`.
pub fn eds_envelope(application_id: &str, document: &[u8], leaf: &str) -> Value {
    let (cert, key) = (pki(&format!("{leaf}.pem")), pki(&format!("{leaf}.key")));
    eds_envelope_by(application_id, document, &cert, &key)
}

/// [`eds_envelope`], signed with the certificate and key in the files `cert` and `key`.
pub fn eds_envelope_by(application_id: &str, document: &[u8], cert: &Path, key: &Path) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("document.json");
    std::fs::write(&input, document).unwrap();
    let cms = super::openssl::cms_sign(&input, cert, key, &[]);
    let cms = base64::engine::general_purpose::STANDARD.encode(cms);
    trp_worker::domain::sample::envelope(
        application_id,
        document,
        json!({"method": "eds", "cms": cms}),
    )
}

/// An envelope signed by SMS one-time password, attested with the test OTP key.
pub fn otp_envelope(application_id: &str, document: &[u8]) -> Value {
    let (otp_id, phone) = ("5d1c8a9e-2b7f-4c3a-8f6e-1a2b3c4d5e6f", "+77011234567");
    let (issued, confirmed) = ("2026-11-24T10:13:10+05:00", "2026-11-24T10:14:02+05:00");
    let digest = trp_worker::domain::ids::Sha256::digest(document).to_hex();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(OTP_KEY).unwrap();
    mac.update(format!("{otp_id}\n{phone}\n{issued}\n{confirmed}\n{digest}").as_bytes());
    let mac = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let signature = json!({"method": "otp", "otp_id": otp_id, "phone": phone,
                           "issued_at": issued, "confirmed_at": confirmed, "mac": mac});
    trp_worker::domain::sample::envelope(application_id, document, signature)
}

/// A GET on the worker's HTTP port; the whole response, or empty when nothing answers.
pub async fn http_get(port: u16, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
        return String::new();
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let _ = stream.write_all(request.as_bytes()).await;
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response).await;
    response
}

/// A loopback port nothing listens on now (the system's choice), for a worker's HTTP server.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real binary, `trp-worker run`, configured by `env` alone (the shipped defaults under
/// it), its stdout and stderr both written to `log`.
pub fn spawn_binary(env: &[(String, String)], log: &Path) -> std::process::Child {
    let file = std::fs::File::create(log).unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_trp-worker"))
        .arg("run")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .envs(env.iter().cloned())
        .stdin(std::process::Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .expect("the binary starts")
}

/// Sends the signal `name` (`TERM`, `HUP`) to `child`, as an operator's `kill` does.
pub fn signal(child: &std::process::Child, name: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{name}");
}
