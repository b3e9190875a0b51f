//! Connections to the mail server, pooled (`deadpool`) and made on sockets of our own with
//! `TCP_NODELAY`. lettre 0.11.23 leaves Nagle's algorithm on: the closing `.` of every
//! message, written after the body, waits for the server's delayed ACK (40 ms on Linux), so
//! one connection carried about 16 messages a second (docs/performance.md). lettre has
//! merged the fix (its pull request 1159) but not released it; once a release sets
//! `TCP_NODELAY` itself, this module can go back to lettre's own pool.
//!
//! The SMTP conversation stays lettre's ([`AsyncSmtpConnection`]: greeting, EHLO, STARTTLS,
//! AUTH, the message, NOOP). Implicit TLS is made here with tokio-rustls, against the same
//! roots as STARTTLS: `smtp.tls_ca_file` only, or the system's.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use deadpool::managed::{self, Object, RecycleError, RecycleResult};
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// How a connection is secured.
#[derive(Clone)]
pub enum Security {
    Plain,
    /// `STARTTLS` after the greeting, required: a server that does not offer it gets
    /// nothing.
    Starttls(TlsParameters),
    /// TLS from the first byte.
    Implicit(TlsConnector, ServerName<'static>),
}

/// Why no connection could be had or used.
#[derive(Debug, thiserror::Error)]
pub enum SmtpFailure {
    /// TCP or the implicit TLS handshake (a rustls error inside, when it is TLS).
    #[error("connect: {0}")]
    Connect(#[source] std::io::Error),
    #[error("timed out")]
    Timeout,
    /// What lettre reports: an answer of the server, STARTTLS, a broken connection.
    #[error(transparent)]
    Smtp(#[from] lettre::transport::smtp::Error),
}

/// Makes and checks connections for the pool.
pub struct Connector {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<Credentials>,
    /// The longest a connection may take to be ready (connect, greet, TLS, AUTH).
    pub timeout: Duration,
}

/// Without the credentials.
impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector")
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

pub type Pool = managed::Pool<Connector>;

/// The implicit-TLS stream, as lettre takes a stream of ours.
#[derive(Debug)]
struct Tls(TlsStream<TcpStream>);

impl tokio::io::AsyncRead for Tls {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Tls {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl AsyncTokioStream for Tls {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl Connector {
    /// The socket a connection is made on: `TCP_NODELAY`, so that each write leaves at once.
    pub async fn socket(&self) -> std::io::Result<TcpStream> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port)).await?;
        tcp.set_nodelay(true)?;
        Ok(tcp)
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SmtpFailure> {
        let tcp = self.socket().await.map_err(SmtpFailure::Connect)?;
        let hello = ClientId::default();
        let stream: Box<dyn AsyncTokioStream> = match &self.security {
            Security::Implicit(connector, name) => Box::new(Tls(connector
                .connect(name.clone(), tcp)
                .await
                .map_err(SmtpFailure::Connect)?)),
            Security::Plain | Security::Starttls(_) => Box::new(tcp),
        };
        let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &hello).await?;
        if let Security::Starttls(parameters) = &self.security {
            conn.starttls(parameters.clone(), &hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        Ok(conn)
    }
}

impl managed::Manager for Connector {
    type Type = AsyncSmtpConnection;
    type Error = SmtpFailure;

    async fn create(&self) -> Result<AsyncSmtpConnection, SmtpFailure> {
        tokio::time::timeout(self.timeout, self.connect())
            .await
            .map_err(|_| SmtpFailure::Timeout)?
    }

    /// A connection is reused only when it answers `NOOP` (a server may close an idle one).
    async fn recycle(
        &self,
        conn: &mut AsyncSmtpConnection,
        _: &managed::Metrics,
    ) -> RecycleResult<SmtpFailure> {
        let alive = !conn.has_broken()
            && tokio::time::timeout(self.timeout, conn.test_connected())
                .await
                .unwrap_or(false);
        if alive {
            Ok(())
        } else {
            Err(RecycleError::message(
                "the mail server closed the connection",
            ))
        }
    }
}

/// A pooled connection that goes back to the pool only when [`Lease::done`] says its
/// conversation ended cleanly. Dropped otherwise (an error, a send cut off by its timeout),
/// it is closed: a conversation stopped halfway would answer the next one out of step.
pub struct Lease(Option<Object<Connector>>);

impl Lease {
    pub async fn get(pool: &Pool) -> Result<Self, SmtpFailure> {
        match pool.get().await {
            Ok(conn) => Ok(Self(Some(conn))),
            Err(managed::PoolError::Backend(e)) => Err(e),
            Err(managed::PoolError::Timeout(_)) => Err(SmtpFailure::Timeout),
            // No timeouts or hooks are configured and the pool is never closed.
            Err(e) => Err(SmtpFailure::Connect(std::io::Error::other(e.to_string()))),
        }
    }

    pub fn conn(&mut self) -> Option<&mut AsyncSmtpConnection> {
        self.0.as_deref_mut()
    }

    /// Returns the connection to the pool.
    pub fn done(mut self) {
        drop(self.0.take());
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            drop(Object::take(conn));
        }
    }
}

/// The implicit-TLS connector for `host`: its certificate must chain to `ca_pem` (only
/// those certificates) or, when `None`, to a root the system trusts.
pub fn implicit_tls(
    host: &str,
    ca_pem: Option<&[u8]>,
) -> Result<(TlsConnector, ServerName<'static>), String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    use rustls_platform_verifier::BuilderVerifierExt;

    let builder = rustls::ClientConfig::builder_with_provider(crate::store::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let config = match ca_pem {
        Some(pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| format!("smtp.tls_ca_file: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("smtp.tls_ca_file: {e}"))?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        None => builder
            .with_platform_verifier()
            .map_err(|e| e.to_string())?
            .with_no_client_auth(),
    };
    let name = ServerName::try_from(host.to_owned()).map_err(|e| format!("smtp.host: {e}"))?;
    Ok((TlsConnector::from(Arc::new(config)), name))
}
