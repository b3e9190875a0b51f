//! E-mail over SMTP (contract section 7): plain on loopback, STARTTLS or implicit TLS as
//! configured (the server's certificate checked against `smtp.tls_ca_file`, or the system's
//! roots); `From` configured, `To` the applicant, the stored subject, text with an HTML
//! alternative, and `Message-ID: <notification id@trp.egov.kz>`, the same on every retry.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, TlsParameters};
use lettre::transport::smtp::response::Category;
use lettre::Message;
use secrecy::{ExposeSecret, SecretString};

use super::outcome::Outcome;
use super::smtp::{self, Connector, Lease, Security, SmtpFailure};
use crate::config::{Smtp as SmtpSettings, SmtpTls};
use crate::store::notifications::Notification;

/// The longest one SMTP conversation may take (connect, greet, send).
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The domain of every `Message-ID` the worker makes.
pub const MESSAGE_ID_DOMAIN: &str = "trp.egov.kz";

/// Connections kept open to the mail server, unless told otherwise: one per send the
/// sender makes at once (`notifications.batch`).
pub const POOL_SIZE: u32 = 16;

/// The mail server as configured, through a pool of up to `pool_size` connections kept
/// open between sends ([`smtp`]: sockets with `TCP_NODELAY`; a connection is tested with
/// `NOOP` before reuse and closed after any failure, so a server that comes back is reached
/// on the next attempt). The pool is made at the first send.
#[derive(Clone)]
pub struct Mailer {
    host: String,
    port: u16,
    tls: SmtpTls,
    /// Empty: the system's roots.
    tls_ca_file: PathBuf,
    from: String,
    username: String,
    password: Option<SecretString>,
    pool_size: u32,
    pool: Arc<OnceLock<Option<smtp::Pool>>>,
}

impl Mailer {
    pub fn new(settings: &SmtpSettings) -> Self {
        Self {
            host: settings.host.clone(),
            port: settings.port,
            tls: settings.tls,
            tls_ca_file: settings.tls_ca_file.clone(),
            from: settings.from.clone(),
            username: settings.username.clone(),
            password: settings.password.clone(),
            pool_size: POOL_SIZE,
            pool: Arc::default(),
        }
    }

    /// The same mail server, keeping up to `size` connections open.
    pub fn with_pool_size(mut self, size: u32) -> Self {
        self.pool_size = size.max(1);
        self.pool = Arc::default();
        self
    }

    /// One attempt to hand `n` to the mail server.
    pub async fn send(&self, n: &Notification) -> Outcome {
        let from = match self.from.parse::<Mailbox>() {
            Ok(from) => from,
            // Every notification would fail alike: a setting to fix, not a message to drop.
            Err(_) => return Outcome::retry("smtp: smtp.from is not a valid address"),
        };
        let message = match message(n, from) {
            Ok(message) => message,
            Err(outcome) => return outcome,
        };
        let Some(pool) = self.pool.get_or_init(|| self.pool().ok()) else {
            return Outcome::retry("smtp: cannot set up TLS for smtp.host");
        };
        let mut lease = match Lease::get(pool).await {
            Ok(lease) => lease,
            Err(e) => return judge_failure(&e),
        };
        let Some(conn) = lease.conn() else {
            return Outcome::retry("smtp: connection failed");
        };
        match conn.send(message.envelope(), &message.formatted()).await {
            Ok(_) => {
                lease.done();
                Outcome::Sent
            }
            Err(e) => judge(&e),
        }
    }

    fn pool(&self) -> Result<smtp::Pool, String> {
        let security = match self.tls {
            SmtpTls::None => Security::Plain,
            SmtpTls::Starttls => {
                Security::Starttls(self.tls_parameters().map_err(|e| e.to_string())?)
            }
            SmtpTls::Tls => {
                let (connector, name) = smtp::implicit_tls(&self.host, self.ca_pem().as_deref())?;
                Security::Implicit(connector, name)
            }
        };
        let credentials = (!self.username.is_empty()).then(|| {
            Credentials::new(
                self.username.clone(),
                self.password
                    .as_ref()
                    .map(|p| p.expose_secret().to_owned())
                    .unwrap_or_default(),
            )
        });
        let connector = Connector {
            host: self.host.clone(),
            port: self.port,
            security,
            credentials,
            timeout: TIMEOUT,
        };
        let size = usize::try_from(self.pool_size).unwrap_or(1);
        smtp::Pool::builder(connector)
            .max_size(size)
            .build()
            .map_err(|e| e.to_string())
    }

    /// `smtp.tls_ca_file`'s certificates, or `None` for the system's roots. Checked at
    /// start; a file gone since yields no roots, and every send fails alike.
    fn ca_pem(&self) -> Option<Vec<u8>> {
        if self.tls_ca_file.as_os_str().is_empty() {
            return None;
        }
        Some(std::fs::read(&self.tls_ca_file).unwrap_or_default())
    }

    /// The server's certificate must name `smtp.host` and chain to `smtp.tls_ca_file` (only
    /// that CA) or, when none is given, to a root the system trusts.
    fn tls_parameters(&self) -> Result<TlsParameters, lettre::transport::smtp::Error> {
        let builder = TlsParameters::builder(self.host.clone());
        let Some(pem) = self.ca_pem() else {
            return builder.build();
        };
        builder
            .certificate_store(CertificateStore::None)
            .add_root_certificate(Certificate::from_pem(&pem)?)
            .build()
    }
}

/// The message for `n`: an address the server would not take is the notification's own
/// fault, so it fails for good.
fn message(n: &Notification, from: Mailbox) -> Result<Message, Outcome> {
    let to = n
        .address
        .parse::<Mailbox>()
        .map_err(|_| Outcome::failed("smtp: the recipient address is not valid"))?;
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(n.subject.clone().unwrap_or_default())
        .message_id(Some(message_id(n)));
    let built = match &n.body_html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            n.body_text.clone(),
            html.clone(),
        )),
        None => builder.singlepart(SinglePart::plain(n.body_text.clone())),
    };
    built.map_err(|_| Outcome::failed("smtp: the message could not be built"))
}

/// `<notification id@trp.egov.kz>`: unique per notification, the same on every retry.
pub fn message_id(n: &Notification) -> String {
    format!("<{}@{MESSAGE_ID_DOMAIN}>", n.id)
}

/// A 5xx answer is permanent, except 53x (authentication, TLS required): that is the
/// configuration's fault and the same for every message. 4xx, timeouts and connections
/// that fail retry. The server's text is left out: it may quote the recipient.
fn judge(e: &lettre::transport::smtp::Error) -> Outcome {
    match e.status() {
        Some(code) if e.is_permanent() && code.category != Category::Unspecified3 => {
            Outcome::failed(format!("smtp: server answered {code}"))
        }
        Some(code) => Outcome::retry(format!("smtp: server answered {code}")),
        None if e.is_timeout() => Outcome::retry("smtp: timed out"),
        None if e.is_tls() => Outcome::retry("smtp: TLS failed"),
        None => match tls_failure(e) {
            Some(why) => Outcome::retry(format!("smtp: TLS failed: {why}")),
            None => Outcome::retry("smtp: connection failed"),
        },
    }
}

/// A connection that could not be had: TLS named when the handshake failed.
fn judge_failure(e: &SmtpFailure) -> Outcome {
    match e {
        SmtpFailure::Smtp(e) => judge(e),
        SmtpFailure::Timeout => Outcome::retry("smtp: timed out"),
        SmtpFailure::Connect(io) => match tls_failure(io) {
            Some(why) => Outcome::retry(format!("smtp: TLS failed: {why}")),
            None => Outcome::retry("smtp: connection failed"),
        },
    }
}

/// The TLS handshake's own error (a certificate the configured roots do not vouch for, a
/// name that does not match), which lettre reports as a failed connection.
fn tls_failure<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(e);
    while let Some(e) = next {
        let tls = e.downcast_ref::<rustls::Error>().or_else(|| {
            e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if tls.is_some() {
            return tls;
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::request::Channel;

    fn notification(address: &str, html: Option<&str>) -> Notification {
        Notification {
            id: uuid::Uuid::nil(),
            application_id: "TRP-1".into(),
            kind: "decision".into(),
            channel: Channel::Email,
            address: address.into(),
            subject: Some("Заявление TRP-1".into()),
            body_text: "Текст".into(),
            body_html: html.map(str::to_owned),
            attempts: 0,
            last_error: None,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            expired: false,
        }
    }

    fn from() -> Mailbox {
        "TRP e-Gov <noreply@trp.egov.kz>".parse().unwrap()
    }

    #[test]
    fn the_message_carries_its_id_and_both_parts() {
        let n = notification("a@example.org", Some("<p>Текст</p>"));
        let bytes = message(&n, from()).unwrap().formatted();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Message-ID: <00000000-0000-0000-0000-000000000000@trp.egov.kz>"));
        assert!(text.contains("multipart/alternative"), "{text}");
        assert!(
            text.contains("text/plain") && text.contains("text/html"),
            "{text}"
        );
    }

    #[test]
    fn without_html_it_is_plain_text_and_a_bad_address_fails_for_good() {
        let bytes = message(&notification("a@example.org", None), from())
            .unwrap()
            .formatted();
        assert!(!String::from_utf8_lossy(&bytes).contains("multipart"));
        for bad in ["", "no at sign", "a@b@c", "a@example.org\r\nBcc: x@y.z"] {
            let outcome = message(&notification(bad, None), from()).unwrap_err();
            assert_eq!(outcome.label(), "failed", "{bad:?}");
        }
    }
}
