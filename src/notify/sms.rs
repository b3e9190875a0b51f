//! SMS through the gateway of contract section 7: `POST {sms.url}` with a Bearer token, the
//! notification id as `Idempotency-Key` and `reference` (the same on every retry, so the
//! gateway can drop a repeat), and the gateway's answer mapped onto an [`Outcome`].

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::outcome::Outcome;
use crate::config::Sms as SmsSettings;
use crate::store::notifications::Notification;

/// The gateway client: one connection pool, a timeout on every request.
#[derive(Clone)]
pub struct SmsGateway {
    client: reqwest::Client,
    url: String,
    token: Option<SecretString>,
}

#[derive(Serialize)]
struct Body<'a> {
    to: &'a str,
    text: &'a str,
    reference: String,
}

impl SmsGateway {
    /// A client for `settings`; fails only when the TLS backend cannot start.
    pub fn new(settings: &SmsSettings) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(Self::timeout_of(settings))
            // A redirect would turn the POST into a GET elsewhere: take 3xx as an answer.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            client,
            url: settings.url.clone(),
            token: settings.token.clone(),
        })
    }

    /// The longest one request may take.
    pub fn timeout_of(settings: &SmsSettings) -> Duration {
        Duration::from_secs(settings.timeout_s.into())
    }

    /// One attempt to hand `n` to the gateway.
    pub async fn send(&self, n: &Notification) -> Outcome {
        let Some(token) = &self.token else {
            // Without a token every request would be refused (401, failed for good): keep
            // the notifications until the operator sets it.
            return Outcome::retry("sms: sms.token is not set (TRP__SMS__TOKEN)");
        };
        let id = n.id.to_string();
        let body = Body {
            to: &n.address,
            text: &n.body_text,
            reference: id.clone(),
        };
        let sent = self
            .client
            .post(&self.url)
            .bearer_auth(token.expose_secret())
            .header("Idempotency-Key", &id)
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(response) => judge(response.status()),
            Err(e) => transport_error(&e),
        }
    }
}

/// 2xx sent; 429 and 5xx retry; other 4xx failed for good (contract section 7). 1xx and 3xx
/// mean a gateway that is not the one configured: retry, so the operator can fix the URL.
pub fn judge(status: StatusCode) -> Outcome {
    let why = format!("sms: gateway answered {}", status.as_u16());
    if status.is_success() {
        Outcome::Sent
    } else if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        Outcome::retry(why)
    } else if status.is_client_error() {
        Outcome::failed(why)
    } else {
        Outcome::retry(why)
    }
}

/// A request that got no answer: timeouts and refused connections retry, and so does every
/// other transport failure (the message may not have reached the gateway at all). The URL
/// is left out of the reason: it may carry a credential.
fn transport_error(e: &reqwest::Error) -> Outcome {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_builder() {
        "request could not be built (check sms.url)"
    } else {
        "request failed"
    };
    Outcome::retry(format!("sms: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_onto_the_contract() {
        for (code, label) in [
            (200, "sent"),
            (202, "sent"),
            (429, "retry"),
            (500, "retry"),
            (503, "retry"),
            (400, "failed"),
            (401, "failed"),
            (404, "failed"),
            (422, "failed"),
            (301, "retry"),
        ] {
            let status = StatusCode::from_u16(code).unwrap();
            assert_eq!(judge(status).label(), label, "{code}");
        }
    }
}
