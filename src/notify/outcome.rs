//! What one send attempt came to, in river's words: done, retry later, or cancel for good.
//! Each sender maps its peer's answers onto these three; the loop records them.

/// The result of one attempt to deliver one notification. A `reason` is one line meant for
/// `explain` and the logs: it never holds an address, a text or a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The gateway or mail server took the message.
    Sent,
    /// Not now (the peer is down, busy or misconfigured): try again after the backoff, until
    /// the notification's maximum age.
    RetryLater { reason: String },
    /// The peer refused this message; trying again cannot help.
    FailedForGood { reason: String },
}

impl Outcome {
    pub fn retry(reason: impl Into<String>) -> Self {
        Self::RetryLater {
            reason: reason.into(),
        }
    }

    pub fn failed(reason: impl Into<String>) -> Self {
        Self::FailedForGood {
            reason: reason.into(),
        }
    }

    /// The `result` label of `trp_notifications_total`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::RetryLater { .. } => "retry",
            Self::FailedForGood { .. } => "failed",
        }
    }
}
