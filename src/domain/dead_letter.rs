//! Why a message goes to the dead-letter queue: the `x-trp-reason` codes of contract
//! section 9, and the one-line `x-trp-error` that goes with them.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadLetterReason {
    NotJson,
    Schema,
    MissingField,
    InvalidField,
    Base64,
    TooLarge,
    Conflict,
    /// Processing failed `amqp.delivery_limit` times (contract section 1).
    DeliveryLimit,
}

impl DeadLetterReason {
    pub const ALL: [DeadLetterReason; 8] = [
        Self::NotJson,
        Self::Schema,
        Self::MissingField,
        Self::InvalidField,
        Self::Base64,
        Self::TooLarge,
        Self::Conflict,
        Self::DeliveryLimit,
    ];

    /// The `x-trp-reason` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotJson => "envelope.not_json",
            Self::Schema => "envelope.schema",
            Self::MissingField => "envelope.missing_field",
            Self::InvalidField => "envelope.invalid_field",
            Self::Base64 => "envelope.base64",
            Self::TooLarge => "envelope.too_large",
            Self::Conflict => "conflict",
            Self::DeliveryLimit => "delivery_limit",
        }
    }
}

impl fmt::Display for DeadLetterReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An envelope that cannot be read: its reason and a one-line detail that names the field
/// but never echoes its value (which may be personal data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct EnvelopeError {
    pub reason: DeadLetterReason,
    pub detail: String,
}

impl EnvelopeError {
    pub fn new(reason: DeadLetterReason, detail: impl Into<String>) -> Self {
        let detail: String = detail.into();
        // One line, as a header value should be.
        let detail = detail.replace(['\r', '\n'], " ");
        Self { reason, detail }
    }
}
