//! The GOST verifier against an independent reference (issue 11, item 3): the
//! implementation before the speed work (`tests/gost_reference/`, crypto-bigint
//! arithmetic), which also makes every key and signature here. Over thousands of random
//! keys and messages of the three NCA algorithms, valid signatures and damaged ones (a bit
//! flipped in r‖s, the message or the key; r or s replaced by 0, q, a random number or the
//! other half), the two verdicts never differ, and valid signatures verify. Seeded, so a
//! failure reproduces; the seed and the case are in the message.

#[path = "gost_reference/mod.rs"]
mod reference;

use der::asn1::OctetStringRef;
use der::Encode;
use gost94::Gost94Test;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use streebog::{Digest, Streebog256, Streebog512};
use trp_worker::checks::signature::gost::algorithms::Kind;

use reference::curve::{Curve, CURVE_CRYPTOPRO_A, CURVE_TC26_256_A, CURVE_TC26_512_A};

/// Nonces per key: each signs several messages (see `reference::sign`).
const NONCES: usize = 2;

/// The digest by the hash crates, as the reference reads it.
fn digest(kind: Kind, message: &[u8]) -> Vec<u8> {
    match kind {
        Kind::Gost2015_512 => Streebog512::digest(message).to_vec(),
        Kind::Gost2015_256 => Streebog256::digest(message).to_vec(),
        Kind::Gost2004 => Gost94Test::digest(message).to_vec(),
    }
}

/// Random bytes of a number below q (the top byte kept small), not zero.
fn below_q(rng: &mut StdRng, len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rng.fill(bytes.as_mut_slice());
    bytes[len - 1] &= 0x3f; // q > 2^(8·len − 2) on every NCA curve
    bytes[0] |= 1;
    bytes
}

/// One way to damage a signature, message or key (or none).
fn damage(rng: &mut StdRng, q: &[u8], xy: &mut [u8], message: &mut Vec<u8>, sig: &mut [u8]) {
    let half = sig.len() / 2;
    match rng.random_range(0..9) {
        0 => {
            let i = rng.random_range(0..sig.len() * 8);
            sig[i / 8] ^= 1 << (i % 8);
        }
        1 if !message.is_empty() => {
            let i = rng.random_range(0..message.len() * 8);
            message[i / 8] ^= 1 << (i % 8);
        }
        1 => message.push(0),
        2 => {
            let i = rng.random_range(0..xy.len() * 8);
            xy[i / 8] ^= 1 << (i % 8);
        }
        3 => sig[..half].fill(0),
        4 => sig[half..].copy_from_slice(q),
        5 => rng.fill(&mut sig[..half]),
        6 => {
            let (r, s) = sig.split_at_mut(half);
            r.swap_with_slice(s);
        }
        7 => sig[..half].copy_from_slice(q),
        _ => {}
    }
}

/// `keys` random keys, `messages` random messages (0 to 300 bytes) signed by each, half of
/// the signatures damaged; the reference verifies every damaged one and one intact in four.
fn run<const L: usize>(
    kind: Kind,
    curve: &Option<Curve<L>>,
    seed: u64,
    keys: usize,
    messages: usize,
) {
    let curve = curve.as_ref().expect("the reference curve builds");
    let q = reference::field::uint_to_le(&curve.q.value, curve.len).expect("q");
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut valid, mut damaged) = (0, 0);
    for key_no in 0..keys {
        let d = below_q(&mut rng, curve.len);
        let xy = reference::public_key(curve, &d).expect("a key");
        let nonces: Vec<_> = (0..NONCES)
            .filter_map(|_| {
                let k = below_q(&mut rng, curve.len);
                reference::nonce(curve, &k).map(|r| (k, r))
            })
            .collect();
        for message_no in 0..messages {
            let len = rng.random_range(0..300);
            let mut message = vec![0u8; len];
            rng.fill(message.as_mut_slice());
            let (k, r) = &nonces[message_no % nonces.len()];
            let Some(mut sig) = reference::sign(curve, &d, (k, r), &digest(kind, &message)) else {
                continue;
            };
            let mut xy = xy.clone();
            let intact = rng.random_bool(0.5);
            if !intact {
                damage(&mut rng, &q, &mut xy, &mut message, &mut sig);
            }
            let expected = if intact && message_no % 4 != 0 {
                true // the reference signed it
            } else {
                reference::verify(curve, &xy, &digest(kind, &message), &sig)
            };
            let key = OctetStringRef::new(&xy).unwrap().to_der().unwrap();
            let got = kind.verify(&key, &message, &sig);
            let case = format!("{kind:?}, seed {seed}, key {key_no}, message {message_no}");
            assert_eq!(got, expected, "verdicts differ: {case}");
            if intact {
                assert!(got, "a valid signature fails: {case}");
                valid += 1;
            } else {
                damaged += 1;
            }
        }
    }
    // Both kinds of case were run, many times.
    assert!(valid > keys * messages / 4 && damaged > keys * messages / 4);
}

// 600 + 1,000 + 1,000 messages under 260 keys: the reference's 512-bit arithmetic is the
// slow part in a debug build.
#[test]
fn gost2015_512_agrees_with_the_reference() {
    run(Kind::Gost2015_512, &CURVE_TC26_512_A, 512, 60, 10);
}

#[test]
fn gost2015_256_agrees_with_the_reference() {
    run(Kind::Gost2015_256, &CURVE_TC26_256_A, 256, 100, 10);
}

#[test]
fn gost2004_agrees_with_the_reference() {
    run(Kind::Gost2004, &CURVE_CRYPTOPRO_A, 2004, 100, 10);
}
