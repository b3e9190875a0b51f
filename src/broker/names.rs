//! The names of contract section 1: exchanges, queues and routing keys, the contract's by
//! default and every one configurable.

use crate::domain::messages::Outgoing;

/// The routing key the portal publishes with, and the work queue's binding key, by default.
pub const SUBMITTED_KEY: &str = "application.submitted";

/// Exchange, queue and routing-key names, the contract's by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub applications_exchange: String,
    pub work_queue: String,
    pub dead_letter_queue: String,
    pub decisions_exchange: String,
    pub status_exchange: String,
    /// The work queue's binding key (`application.submitted`).
    pub submitted_key: String,
    /// The first segment of a decision's routing key (`decision`, as in `decision.approved`).
    pub decision_key_prefix: String,
    /// The first segment of a status event's routing key (`status`, as in `status.received`).
    pub status_key_prefix: String,
}

impl Default for Names {
    fn default() -> Self {
        Self::with_prefix("trp")
    }
}

impl Names {
    /// The contract's names under another first segment, so that tests (one prefix each)
    /// share a broker without seeing each other's messages. `with_prefix("trp")` is the
    /// default. Routing keys stay the contract's.
    pub fn with_prefix(prefix: &str) -> Self {
        Self {
            applications_exchange: format!("{prefix}.applications"),
            work_queue: format!("{prefix}.applications.submitted"),
            dead_letter_queue: format!("{prefix}.applications.dead"),
            decisions_exchange: format!("{prefix}.decisions"),
            status_exchange: format!("{prefix}.status"),
            submitted_key: SUBMITTED_KEY.to_owned(),
            decision_key_prefix: "decision".to_owned(),
            status_key_prefix: "status".to_owned(),
        }
    }

    /// The routing key `msg` is published with. Messages carry (and the outbox stores) the
    /// contract's key, `decision.<outcome>` or `status.<state>`; its first segment is
    /// replaced by the configured one here, so that a renamed key applies to every message
    /// published from then on, those already waiting in the outbox included.
    pub fn routing_key(&self, msg: &Outgoing) -> String {
        use crate::domain::messages::Destination;
        let prefix = match msg.destination {
            Destination::Decisions => &self.decision_key_prefix,
            Destination::Status => &self.status_key_prefix,
        };
        match msg.routing_key.split_once('.') {
            Some((_, rest)) => format!("{prefix}.{rest}"),
            None => msg.routing_key.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::messages::Destination;

    #[test]
    fn default_is_the_contract() {
        let n = Names::default();
        assert_eq!(n.applications_exchange, "trp.applications");
        assert_eq!(n.work_queue, "trp.applications.submitted");
        assert_eq!(n.dead_letter_queue, "trp.applications.dead");
        assert_eq!(n.decisions_exchange, "trp.decisions");
        assert_eq!(n.status_exchange, "trp.status");
        assert_eq!(n.submitted_key, "application.submitted");
    }

    fn outgoing(destination: Destination, key: &str) -> Outgoing {
        Outgoing {
            message_id: uuid::Uuid::nil(),
            destination,
            routing_key: key.to_owned(),
            schema: "s",
            timestamp: time::OffsetDateTime::UNIX_EPOCH,
            body: Vec::new(),
        }
    }

    #[test]
    fn routing_keys_keep_the_contract_by_default_and_rename_their_first_segment() {
        let mut n = Names::default();
        let decision = outgoing(Destination::Decisions, "decision.approved");
        let status = outgoing(Destination::Status, "status.received");
        assert_eq!(n.routing_key(&decision), "decision.approved");
        assert_eq!(n.routing_key(&status), "status.received");
        n.decision_key_prefix = "trp.decision".into();
        n.status_key_prefix = "pa.status".into();
        assert_eq!(n.routing_key(&decision), "trp.decision.approved");
        assert_eq!(n.routing_key(&status), "pa.status.received");
    }
}
