//! The GOST verifier as it was before issue 11 (commit eaf60f5: `crypto-bigint` arithmetic,
//! `mul_mod_special` for the NCA primes, Montgomery otherwise), kept unchanged as the
//! independent reference of `tests/gost_differential.rs`. Its unit tests stayed behind; the
//! known-answer tests proved it when it was the verifier. Plus a signer on its arithmetic,
//! so that the differential test's keys and signatures owe nothing to the new code.
// Kept as it was: its unused items and its `to_affine(&self)` stay.
#![allow(dead_code, clippy::wrong_self_convention)]

pub mod curve;
pub mod field;
pub mod fp;
pub mod point;
pub mod scalar;
pub mod verify;

use crypto_bigint::Uint;

use curve::Curve;
use field::{uint_from_le, uint_to_le};

/// x‖y (little-endian) of d·G; `None` for d out of range.
pub fn public_key<const L: usize>(curve: &Curve<L>, d: &[u8]) -> Option<Vec<u8>> {
    let d = uint_from_le::<L>(d)?;
    if d == Uint::ZERO || d >= curve.q.value {
        return None;
    }
    let q = point::mul(curve, &d, &curve.g).to_affine(curve)?;
    let mut xy = uint_to_le(&q.x.retrieve(), curve.len)?;
    xy.extend(uint_to_le(&q.y.retrieve(), curve.len)?);
    Some(xy)
}

/// r = (k·G).x mod q for the nonce k; `None` if k is out of range or r is 0.
pub fn nonce<const L: usize>(curve: &Curve<L>, k: &[u8]) -> Option<Uint<L>> {
    let k = uint_from_le::<L>(k)?;
    curve.q.element(&k)?;
    let c = point::mul(curve, &k, &curve.g).to_affine(curve)?;
    let r = curve.q.rem(&c.x.retrieve());
    (r != Uint::ZERO).then_some(r)
}

/// r‖s over `digest` with key d, nonce k and its r (GOST R 34.10: s = r·d + k·e mod q);
/// `None` if an input is out of range or s is 0. One nonce serves several messages here
/// (fatal for a real key, harmless for a test: e, and so z1 and z2, still differ).
pub fn sign<const L: usize>(
    curve: &Curve<L>,
    d: &[u8],
    (k, r): (&[u8], &Uint<L>),
    digest: &[u8],
) -> Option<Vec<u8>> {
    let (d, k) = (uint_from_le::<L>(d)?, uint_from_le::<L>(k)?);
    let (d_mod, k_mod) = (curve.q.element(&d)?, curve.q.element(&k)?);
    let e = curve.q.element(&verify::digest_scalar(curve, digest)?)?;
    let s = curve.q.reduce(r).mul(&d_mod).add(&k_mod.mul(&e)).retrieve();
    if s == Uint::ZERO {
        return None;
    }
    let mut out = uint_to_le(r, curve.len)?;
    out.extend(uint_to_le(&s, curve.len)?);
    Some(out)
}

/// The reference's verdict on (x‖y, digest, r‖s).
pub fn verify<const L: usize>(
    curve: &Curve<L>,
    xy: &[u8],
    digest: &[u8],
    signature: &[u8],
) -> bool {
    verify::public_key(curve, xy).is_some_and(|q| verify::verify(curve, &q, digest, signature))
}
