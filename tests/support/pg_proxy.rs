//! A TCP proxy in front of the test PostgreSQL that counts what its clients ask of the
//! server, read from the wire protocol itself: `Execute` messages (statements run) and
//! `Parse` messages (statements prepared). An honest count of queries, whatever the code
//! under test believes it sends.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use deadpool_postgres::{Manager, Pool};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_postgres::config::Host;
use tokio_postgres::NoTls;

/// The protocol's request codes of an SSL or GSSAPI encryption request.
const ENCRYPTION_REQUESTS: [u32; 2] = [80_877_103, 80_877_104];

#[derive(Default)]
struct Counts {
    executes: AtomicU64,
    parses: AtomicU64,
}

/// A running proxy to the database of `url`; ends with the test's runtime.
pub struct PgProxy {
    counts: Arc<Counts>,
    config: tokio_postgres::Config,
}

impl PgProxy {
    pub async fn start(url: &str) -> PgProxy {
        let upstream_config = tokio_postgres::Config::from_str(url).expect("database url");
        let upstream = upstream(&upstream_config);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let counts = Arc::new(Counts::default());
        let shared = counts.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (counts, upstream) = (shared.clone(), upstream.clone());
                tokio::spawn(async move {
                    let server = TcpStream::connect(&upstream).await.expect("PostgreSQL");
                    let _ = (client.set_nodelay(true), server.set_nodelay(true));
                    relay(client, server, counts).await;
                });
            }
        });
        let config = upstream_config;
        let mut proxied = tokio_postgres::Config::new();
        proxied.host("127.0.0.1").port(port);
        if let Some(user) = config.get_user() {
            proxied.user(user);
        }
        if let Some(db) = config.get_dbname() {
            proxied.dbname(db);
        }
        if let Some(password) = config.get_password() {
            proxied.password(password);
        }
        PgProxy {
            counts,
            config: proxied,
        }
    }

    /// A pool whose connections go through the proxy.
    pub fn pool(&self, size: usize) -> Pool {
        let manager = Manager::new(self.config.clone(), NoTls);
        Pool::builder(manager).max_size(size).build().unwrap()
    }

    /// Statements run since the last reset.
    pub fn executes(&self) -> u64 {
        self.counts.executes.load(Ordering::SeqCst)
    }

    /// Statements prepared since the last reset.
    pub fn parses(&self) -> u64 {
        self.counts.parses.load(Ordering::SeqCst)
    }

    pub fn reset(&self) {
        self.counts.executes.store(0, Ordering::SeqCst);
        self.counts.parses.store(0, Ordering::SeqCst);
    }
}

fn upstream(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}")
}

/// Server to client as it comes; client to server message by message, counted.
async fn relay(client: TcpStream, server: TcpStream, counts: Arc<Counts>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    tokio::spawn(async move {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
        let _ = client_write.shutdown().await;
    });
    if forward_startup(&mut client_read, &mut server_write)
        .await
        .is_none()
    {
        return;
    }
    while let Some(kind) = forward_message(&mut client_read, &mut server_write).await {
        match kind {
            b'E' => counts.executes.fetch_add(1, Ordering::SeqCst),
            b'P' => counts.parses.fetch_add(1, Ordering::SeqCst),
            _ => 0,
        };
    }
    let _ = server_write.shutdown().await;
}

/// The untyped start-up message (after any encryption request, which the server refuses).
async fn forward_startup(
    from: &mut (impl AsyncReadExt + Unpin),
    to: &mut (impl AsyncWriteExt + Unpin),
) -> Option<()> {
    loop {
        let len = from.read_u32().await.ok()?;
        let mut body = vec![0; usize::try_from(len).ok()?.checked_sub(4)?];
        from.read_exact(&mut body).await.ok()?;
        to.write_u32(len).await.ok()?;
        to.write_all(&body).await.ok()?;
        let code = u32::from_be_bytes(body.get(..4)?.try_into().ok()?);
        if !ENCRYPTION_REQUESTS.contains(&code) {
            return Some(());
        }
    }
}

/// One typed message; its type byte.
async fn forward_message(
    from: &mut (impl AsyncReadExt + Unpin),
    to: &mut (impl AsyncWriteExt + Unpin),
) -> Option<u8> {
    let kind = from.read_u8().await.ok()?;
    let len = from.read_u32().await.ok()?;
    let mut body = vec![0; usize::try_from(len).ok()?.checked_sub(4)?];
    from.read_exact(&mut body).await.ok()?;
    to.write_u8(kind).await.ok()?;
    to.write_u32(len).await.ok()?;
    to.write_all(&body).await.ok()?;
    Some(kind)
}
