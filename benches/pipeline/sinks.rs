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
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

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

/// One SMTP conversation: every command is answered at once; a message counts when its
/// data ends. Nothing of it is kept but its Message-ID. Lines are read as bytes: the data
/// need not be UTF-8.
async fn smtp_session(stream: TcpStream, taken: Arc<Mutex<Taken>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 bench-sink ESMTP\r\n").await?;
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
        let answer: &[u8] = match verb.as_slice() {
            b"EHLO" | b"HELO" => b"250 bench-sink\r\n",
            b"MAIL" | b"RCPT" | b"RSET" | b"NOOP" => b"250 OK\r\n",
            b"DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let id = read_data(&mut lines).await?;
                let mut t = taken.lock().expect("not poisoned");
                t.mail += 1;
                t.mail_ids.insert(id);
                took(&mut t);
                b"250 OK queued\r\n"
            }
            b"QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 not implemented\r\n",
        };
        write.write_all(answer).await?;
    }
}

/// Reads a message's data up to the line holding a single dot; returns its Message-ID.
async fn read_data(
    lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<String> {
    const HEADER: &[u8] = b"message-id:";
    let mut id = String::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = lines.read_until(b'\n', &mut line).await?;
        if read == 0 || line == b".\r\n" || line == b".\n" {
            return Ok(id);
        }
        let named = line.get(..HEADER.len()).map(<[u8]>::to_ascii_lowercase);
        if id.is_empty() && named.as_deref() == Some(HEADER) {
            id = String::from_utf8_lossy(&line[HEADER.len()..])
                .trim()
                .to_owned();
        }
    }
}
