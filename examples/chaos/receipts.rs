//! Every decision and status message the chaos run consumed: per message id, its bytes and
//! how many copies came, and whether a copy differed. The consumer acknowledges each
//! delivery after recording it and reconnects (every second) whenever the broker goes
//! away, so a restart loses nothing it should see.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::Channel;

use crate::world;

/// Where a message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Destination {
    Decisions,
    Status,
}

/// One message id as received.
#[derive(Debug, Clone)]
pub struct Got {
    pub bytes: Vec<u8>,
    pub copies: u32,
    /// Copies whose bytes differ from the first.
    pub differing: u32,
}

#[derive(Default)]
pub struct Inner {
    pub messages: HashMap<(Destination, String), Got>,
}

#[derive(Clone, Default)]
pub struct Receipts {
    pub inner: Arc<Mutex<Inner>>,
    pub reconnects: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Receipts {
    /// Consumes `decisions` and `status` on connections of its own (the world's `channel`
    /// dies with the broker), until [`Receipts::stop`].
    pub async fn consume(
        &self,
        _channel: &Channel,
        decisions: &str,
        status: &str,
    ) -> anyhow::Result<()> {
        let (me, decisions, status) = (self.clone(), decisions.to_owned(), status.to_owned());
        tokio::spawn(async move {
            while !me.stop.load(Ordering::SeqCst) {
                let _ = me.session(&decisions, &status).await;
                if me.stop.load(Ordering::SeqCst) {
                    break;
                }
                me.reconnects.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        Ok(())
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    async fn session(&self, decisions: &str, status: &str) -> anyhow::Result<()> {
        let connection = world::broker().await?;
        let channel = connection.create_channel().await?;
        channel.basic_qos(256, BasicQosOptions::default()).await?;
        let mut streams = Vec::new();
        for (queue, destination) in [
            (decisions, Destination::Decisions),
            (status, Destination::Status),
        ] {
            let consumer = channel
                .basic_consume(
                    queue.into(),
                    format!("chaos-{destination:?}").as_str().into(),
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                )
                .await?;
            streams.push(consumer.map(move |d| (destination, d)));
        }
        let mut all = futures_util::stream::select_all(streams);
        while let Some((destination, delivery)) = all.next().await {
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            let delivery = delivery?;
            let id = delivery
                .properties
                .message_id()
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            self.record(destination, id, &delivery.data);
            delivery.acker.ack(BasicAckOptions::default()).await?;
        }
        let _ = connection.close(200, "chaos done".into()).await;
        Ok(())
    }

    fn record(&self, destination: Destination, id: String, bytes: &[u8]) {
        let mut inner = self.inner.lock().expect("not poisoned");
        inner
            .messages
            .entry((destination, id))
            .and_modify(|g| {
                g.copies += 1;
                g.differing += u32::from(g.bytes != bytes);
            })
            .or_insert_with(|| Got {
                bytes: bytes.to_vec(),
                copies: 1,
                differing: 0,
            });
    }

    /// Messages received so far (distinct ids).
    pub fn distinct(&self) -> usize {
        self.inner.lock().expect("not poisoned").messages.len()
    }
}
