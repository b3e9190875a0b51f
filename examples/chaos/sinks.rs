//! The SMS gateway and mail server of the chaos run, with their faults: the gateway answers
//! 503 while [`Sinks::sms_down`] is set, and the SMTP server is down (its port closed:
//! connections refused) between [`Sinks::mail_stop`] and [`Sinks::mail_start`]. Each
//! records every `Idempotency-Key` and `Message-ID` it took and how often, so that a
//! notification taken twice (a repeat the key lets the real peer drop) or under two keys
//! shows.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::smtp_sink;

/// What the sinks took: per key or Message-ID, how many times.
#[derive(Default)]
pub struct Taken {
    pub sms: HashMap<String, u32>,
    pub mail: HashMap<String, u32>,
}

#[derive(Clone, Default)]
pub struct Sinks {
    pub taken: Arc<Mutex<Taken>>,
    pub sms_port: u16,
    pub smtp_port: u16,
    sms_down: Arc<AtomicBool>,
    /// SMS answered 503 during the window.
    pub sms_refused: Arc<AtomicUsize>,
    mail: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Sinks {
    pub async fn start() -> anyhow::Result<Self> {
        let mut sinks = Sinks::default();
        let sms = TcpListener::bind("127.0.0.1:0").await?;
        sinks.sms_port = sms.local_addr()?.port();
        let router = Router::new()
            .route("/sms", post(take_sms))
            .with_state(sinks.clone());
        tokio::spawn(async move { axum::serve(sms, router).await });
        let smtp = TcpListener::bind("127.0.0.1:0").await?;
        sinks.smtp_port = smtp.local_addr()?.port();
        sinks.serve_mail(smtp);
        Ok(sinks)
    }

    fn serve_mail(&self, smtp: TcpListener) {
        let taken = self.taken.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = smtp.accept().await {
                tokio::spawn(smtp_session(stream, taken.clone()));
            }
        });
        *self.mail.lock().expect("not poisoned") = Some(task);
    }

    pub fn sms_down(&self, down: bool) {
        self.sms_down.store(down, Ordering::SeqCst);
    }

    /// Closes the SMTP port (sessions under way finish).
    pub fn mail_stop(&self) {
        if let Some(task) = self.mail.lock().expect("not poisoned").take() {
            task.abort();
        }
    }

    /// Opens the SMTP port again, on the same port number.
    pub async fn mail_start(&self) -> anyhow::Result<()> {
        if self.mail.lock().expect("not poisoned").is_some() {
            return Ok(());
        }
        let mut tries = 0;
        let smtp = loop {
            match TcpListener::bind(("127.0.0.1", self.smtp_port)).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        self.serve_mail(smtp);
        Ok(())
    }
}

async fn take_sms(State(sinks): State<Sinks>, headers: HeaderMap) -> StatusCode {
    if sinks.sms_down.load(Ordering::SeqCst) {
        sinks.sms_refused.fetch_add(1, Ordering::Relaxed);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    *sinks
        .taken
        .lock()
        .expect("not poisoned")
        .sms
        .entry(key)
        .or_default() += 1;
    StatusCode::OK
}

/// One SMTP conversation (the bench's, [`smtp_sink::session`]): each message counts by its
/// Message-ID.
async fn smtp_session(stream: TcpStream, taken: Arc<Mutex<Taken>>) -> std::io::Result<()> {
    smtp_sink::session(stream, "chaos-sink", |id| {
        *taken
            .lock()
            .expect("not poisoned")
            .mail
            .entry(id)
            .or_default() += 1;
    })
    .await
}
