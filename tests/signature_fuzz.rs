//! No input makes the EDS verifier panic: arbitrary bytes, and random mutations of a good
//! CMS (DER and BER).

use crate::support;

use proptest::prelude::*;
use support::*;

fn mutate(mut cms: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, byte, kind) in edits {
        if cms.is_empty() {
            break;
        }
        let at = at % cms.len();
        match kind % 4 {
            0 => cms[at] ^= byte.max(1),
            1 => cms.truncate(at),
            2 => cms.insert(at, byte),
            _ => {
                cms.remove(at);
            }
        }
    }
    cms
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_do_not_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let found = failures(&bytes, &document(), &trust());
        prop_assert!(!found.is_empty());
    }

    #[test]
    fn mutated_signatures_do_not_panic(
        which in 0usize..4,
        as_ber in any::<bool>(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6),
    ) {
        let good = ["rsa-detached.p7s", "p256-attached.p7s", "rsa-ber-stream.p7s", "rsa-detached-noattr.p7s"];
        let mut cms = read(good[which]);
        if as_ber {
            cms = to_indefinite_ber(&cms);
        }
        let _ = failures(&mutate(cms, &edits), &document(), &trust());
    }
}
