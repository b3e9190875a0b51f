//! The load: the mix of applications (40 % GOST 2015-512 EDS, 20 % RSA EDS, 10 % P-256 EDS,
//! 30 % OTP; one in ten refused for a permit term that starts before submission, spread
//! evenly over the four), and publishing it as the portal does: all at once with publisher
//! confirms before a drain, or at a steady rate for the latency phase.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::bail;
use lapin::options::BasicPublishOptions;
use lapin::{BasicProperties, Channel, PublisherConfirm};
use serde_json::{json, Value};
use trp_worker::domain::sample;

use crate::signing::Signing;

pub use crate::signing::Signer as Kind;

/// Application `i`'s signature kind, and whether it is to be refused: in every hundred,
/// the position `i % 10` whose tens digit equals it, so each kind has one in ten refused.
pub fn plan(i: usize) -> (Kind, bool) {
    (Kind::CYCLE[i % 10], (i / 10) % 10 == i % 10)
}

/// The routing key the portal publishes with.
const SUBMITTED: &str = "application.submitted";
/// Confirms awaited at once while publishing a drain's load.
const WINDOW: usize = 512;

/// Documents and their signatures, made once: per kind, an approving and a refused one.
pub struct Mix {
    signed: HashMap<(&'static str, bool), (Vec<u8>, Value)>,
}

impl Mix {
    /// Signs the two documents with each kind, and checks every EDS signature verifies.
    pub fn new(signing: &Signing) -> anyhow::Result<Self> {
        let trust = signing.trust_store()?;
        let mut signed = HashMap::new();
        for refused in [false, true] {
            let mut request = sample::request();
            if refused {
                // Starts before the submission date: refused with `eligibility.term`.
                request["permit"]["from"] = json!("2026-01-01");
            }
            let document = serde_json::to_vec(&request)?;
            for kind in Kind::ALL {
                let signature = signing.sign(kind, &trust, &document)?;
                signed.insert((kind.label(), refused), (document.clone(), signature));
            }
        }
        Ok(Self { signed })
    }

    /// Application `i` of a load whose ids start with `prefix`: its id, whether it is to be
    /// refused, its message id and its envelope's bytes.
    pub fn envelope(&self, prefix: &str, i: usize) -> Envelope {
        let (kind, refused) = plan(i);
        let (document, signature) = &self.signed[&(kind.label(), refused)];
        let application_id = format!("{prefix}-{i:07}");
        let body = sample::envelope(&application_id, document, signature.clone());
        let message_id = body["message_id"].as_str().unwrap_or_default().to_owned();
        Envelope {
            application_id,
            refused,
            message_id,
            bytes: serde_json::to_vec(&body).expect("JSON"),
        }
    }

    /// The mean size of an envelope over one cycle of the mix, in bytes.
    pub fn mean_size(&self) -> usize {
        (0..100)
            .map(|i| self.envelope("X", i).bytes.len())
            .sum::<usize>()
            / 100
    }
}

pub struct Envelope {
    pub application_id: String,
    pub refused: bool,
    pub message_id: String,
    pub bytes: Vec<u8>,
}

/// Which application ids to expect, each with whether it is to be refused.
pub type Expected = HashMap<String, bool>;

async fn send(channel: &Channel, exchange: &str, e: &Envelope) -> anyhow::Result<PublisherConfirm> {
    let properties = BasicProperties::default()
        .with_message_id(e.message_id.as_str().into())
        .with_content_type("application/json".into())
        .with_delivery_mode(2);
    Ok(channel
        .basic_publish(
            exchange.into(),
            SUBMITTED.into(),
            BasicPublishOptions::default(),
            &e.bytes,
            properties,
        )
        .await?)
}

async fn confirmed(confirm: PublisherConfirm) -> anyhow::Result<()> {
    if !confirm.await?.is_ack() {
        bail!("the broker refused an application (nack)");
    }
    Ok(())
}

/// Publishes applications `0..n` to `exchange` on a channel in confirm mode, at most
/// [`WINDOW`] unconfirmed at a time, and returns what to expect back.
pub async fn publish_all(
    channel: &Channel,
    exchange: &str,
    mix: &Mix,
    prefix: &str,
    n: usize,
) -> anyhow::Result<Expected> {
    let mut expected = Expected::with_capacity(n);
    let mut pending = std::collections::VecDeque::with_capacity(WINDOW);
    for i in 0..n {
        let e = mix.envelope(prefix, i);
        pending.push_back(send(channel, exchange, &e).await?);
        expected.insert(e.application_id, e.refused);
        if pending.len() >= WINDOW {
            confirmed(pending.pop_front().expect("not empty")).await?;
        }
    }
    for confirm in pending {
        confirmed(confirm).await?;
    }
    Ok(expected)
}

/// When each application of the latency phase was published.
pub type Published = Arc<Mutex<HashMap<String, Instant>>>;

/// Publishes `count` applications at `rate` per second, each at its own instant (start +
/// i / rate, so hiccups do not change the average), recording when each went out.
/// Confirms are awaited behind the publishing, so a slow confirm does not delay the next.
pub async fn publish_steady(
    channel: &Channel,
    exchange: &str,
    mix: &Mix,
    prefix: &str,
    (count, rate): (usize, f64),
    published: &Published,
) -> anyhow::Result<Expected> {
    let mut expected = Expected::with_capacity(count);
    let (confirms_tx, mut confirms_rx) = tokio::sync::mpsc::unbounded_channel();
    let waiter = tokio::spawn(async move {
        while let Some(confirm) = confirms_rx.recv().await {
            confirmed(confirm).await?;
        }
        anyhow::Ok(())
    });
    let start = tokio::time::Instant::now();
    for i in 0..count {
        let e = mix.envelope(prefix, i);
        tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / rate)).await;
        let at = Instant::now();
        let confirm = send(channel, exchange, &e).await?;
        published
            .lock()
            .expect("not poisoned")
            .insert(e.application_id.clone(), at);
        let _ = confirms_tx.send(confirm);
        expected.insert(e.application_id, e.refused);
    }
    drop(confirms_tx);
    waiter.await??;
    Ok(expected)
}
