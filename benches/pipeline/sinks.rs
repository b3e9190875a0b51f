//! Local sinks that answer at once, so that the notification path is measured without a
//! slow peer: an SMS gateway (200 to every `POST /sms`) and a minimal SMTP server over tokio
//! (220, 250, 354, 250, 221). Each counts what it took, and the distinct
//! `Idempotency-Key`s and `Message-ID`s, to show duplicates.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use tokio::net::{TcpListener, TcpStream};

use crate::smtp_sink;

/// What the sinks took since the last [`Sinks::reset`].
#[derive(Default)]
struct Taken {
    sms: usize,
    mail: usize,
    sms_keys: HashSet<String>,
    mail_ids: HashSet<String>,
    first: Option<Instant>,
    last: Option<Instant>,
}

/// A summary of what the sinks took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Count {
    pub sms: usize,
    pub mail: usize,
    /// Messages taken more than once (the same key or Message-ID).
    pub duplicates: usize,
    pub first: Option<Instant>,
    pub last: Option<Instant>,
}

#[derive(Clone, Default)]
pub struct Sinks {
    taken: Arc<Mutex<Taken>>,
    pub sms_port: u16,
    pub smtp_port: u16,
}

impl Sinks {
    /// Starts both sinks on loopback, on ports the system picks.
    pub async fn start() -> anyhow::Result<Self> {
        let mut sinks = Sinks::default();
        let sms = TcpListener::bind("127.0.0.1:0").await?;
        let smtp = TcpListener::bind("127.0.0.1:0").await?;
        sinks.sms_port = sms.local_addr()?.port();
        sinks.smtp_port = smtp.local_addr()?.port();
        let router = Router::new()
            .route("/sms", post(take_sms))
            .with_state(sinks.taken.clone());
        tokio::spawn(async move { axum::serve(sms, router).await });
        let taken = sinks.taken.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = smtp.accept().await {
                tokio::spawn(smtp_session(stream, taken.clone()));
            }
        });
        Ok(sinks)
    }

    pub fn reset(&self) {
        *self.taken.lock().expect("not poisoned") = Taken::default();
    }

    pub fn count(&self) -> Count {
        let t = self.taken.lock().expect("not poisoned");
        Count {
            sms: t.sms,
            mail: t.mail,
            duplicates: (t.sms - t.sms_keys.len()) + (t.mail - t.mail_ids.len()),
            first: t.first,
            last: t.last,
        }
    }
}

fn took(t: &mut Taken) {
    let now = Instant::now();
    t.first.get_or_insert(now);
    t.last = Some(now);
}

async fn take_sms(State(taken): State<Arc<Mutex<Taken>>>, headers: HeaderMap) -> StatusCode {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut t = taken.lock().expect("not poisoned");
    t.sms += 1;
    t.sms_keys.insert(key);
    took(&mut t);
    StatusCode::OK
}

/// One SMTP conversation ([`smtp_sink::session`]): each message counts, and its Message-ID.
async fn smtp_session(stream: TcpStream, taken: Arc<Mutex<Taken>>) -> std::io::Result<()> {
    smtp_sink::session(stream, "bench-sink", |id| {
        let mut t = taken.lock().expect("not poisoned");
        t.mail += 1;
        t.mail_ids.insert(id);
        took(&mut t);
    })
    .await
}
