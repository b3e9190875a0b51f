//! The one retry policy: exponential backoff with jitter, a pure function of the attempt
//! number and a random source (river's `retrypolicy`). Used for notification retries (the
//! state lives in PostgreSQL as `next_attempt_at`) and for reconnecting to the broker and
//! the database. Ours rather than a crate's: it is ten lines, and `backoff` is unmaintained.

use std::time::Duration;

use rand::{Rng, RngExt};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The delay ceiling of the first retry.
    pub base: Duration,
    /// No delay is longer than this.
    pub max: Duration,
}

impl Backoff {
    pub const fn new(base: Duration, max: Duration) -> Self {
        Self { base, max }
    }

    /// The delay before retry number `attempt` (0 for the first retry): the ceiling
    /// `min(max, base * 2^attempt)`, of which half is fixed and half drawn at random, so that
    /// replicas that failed together do not retry together, and no retry comes at once.
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        let ceiling = self.base.saturating_mul(factor).min(self.max);
        let half = ceiling / 2;
        let jitter_nanos = rng.random_range(0..=half.as_nanos().min(u128::from(u64::MAX)) as u64);
        half + Duration::from_nanos(jitter_nanos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    const POLICY: Backoff = Backoff::new(Duration::from_secs(5), Duration::from_secs(900));

    #[test]
    fn grows_then_stays_at_the_ceiling() {
        let mut rng = StdRng::seed_from_u64(7);
        let d0 = POLICY.delay(0, &mut rng);
        assert!(
            d0 >= Duration::from_millis(2500) && d0 <= Duration::from_secs(5),
            "{d0:?}"
        );
        let d3 = POLICY.delay(3, &mut rng);
        assert!(
            d3 >= Duration::from_secs(20) && d3 <= Duration::from_secs(40),
            "{d3:?}"
        );
        let d40 = POLICY.delay(40, &mut rng);
        assert!(
            d40 >= Duration::from_secs(450) && d40 <= Duration::from_secs(900),
            "{d40:?}"
        );
    }

    #[test]
    fn jitter_spreads_replicas() {
        let mut rng = StdRng::seed_from_u64(1);
        let delays: std::collections::BTreeSet<_> =
            (0..20).map(|_| POLICY.delay(4, &mut rng)).collect();
        assert!(delays.len() > 15, "delays barely differ: {delays:?}");
    }

    proptest! {
        #[test]
        fn always_within_half_and_whole_ceiling(attempt in 0u32..200, seed: u64, base_ms in 1u64..10_000, max_s in 1u64..10_000) {
            let policy = Backoff::new(Duration::from_millis(base_ms), Duration::from_secs(max_s));
            let d = policy.delay(attempt, &mut StdRng::seed_from_u64(seed));
            let ceiling = policy.base.saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX)).min(policy.max);
            prop_assert!(d <= ceiling && d >= ceiling / 2);
        }
    }
}
