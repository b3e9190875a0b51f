//! The names of contract section 1: exchanges and queues are configuration, the binding
//! key is not.

/// The routing key the portal publishes with, and the work queue's binding key.
pub const SUBMITTED_KEY: &str = "application.submitted";

/// Exchange and queue names, the contract's by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub applications_exchange: String,
    pub work_queue: String,
    pub dead_letter_queue: String,
    pub decisions_exchange: String,
    pub status_exchange: String,
}

impl Default for Names {
    fn default() -> Self {
        Self::with_prefix("trp")
    }
}

impl Names {
    /// The contract's names under another first segment, so that tests (one prefix each)
    /// share a broker without seeing each other's messages. `with_prefix("trp")` is the
    /// default.
    pub fn with_prefix(prefix: &str) -> Self {
        Self {
            applications_exchange: format!("{prefix}.applications"),
            work_queue: format!("{prefix}.applications.submitted"),
            dead_letter_queue: format!("{prefix}.applications.dead"),
            decisions_exchange: format!("{prefix}.decisions"),
            status_exchange: format!("{prefix}.status"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_contract() {
        let n = Names::default();
        assert_eq!(n.applications_exchange, "trp.applications");
        assert_eq!(n.work_queue, "trp.applications.submitted");
        assert_eq!(n.dead_letter_queue, "trp.applications.dead");
        assert_eq!(n.decisions_exchange, "trp.decisions");
        assert_eq!(n.status_exchange, "trp.status");
    }
}
