//! GOST R 34.10 signature verification (2001 and 2012 alike; only the curve and the hash
//! length differ), on the byte layout of the national CA: the key is x‖y and the signature
//! r‖s, every number little-endian, and the digest read as a little-endian integer.

use crypto_bigint::Uint;

use super::curve::Curve;
use super::field::uint_from_le;
use super::fp::FieldElement;
use super::point::Affine;
use super::scalar::combine;

/// The public key Q from x‖y (each `curve.len` bytes, little-endian): both coordinates
/// below p and the point on the curve, else `None`.
pub fn public_key<const L: usize, F: FieldElement<L>>(
    curve: &Curve<L, F>,
    xy: &[u8],
) -> Option<Affine<L, F>> {
    if xy.len() != 2 * curve.len {
        return None;
    }
    let (x, y) = xy.split_at(curve.len);
    let point = Affine {
        x: curve.p.element(&uint_from_le(x)?)?,
        y: curve.p.element(&uint_from_le(y)?)?,
    };
    curve.contains(&point).then_some(point)
}

/// The digest as the standard's e: the little-endian integer mod q, and 1 if that is 0.
pub fn digest_scalar<const L: usize, F: FieldElement<L>>(
    curve: &Curve<L, F>,
    digest: &[u8],
) -> Option<Uint<L>> {
    let e = curve.q.rem(&uint_from_le(digest)?);
    Some(if e == Uint::ZERO { Uint::ONE } else { e })
}

/// GOST R 34.10 verification of `signature` (r‖s, each `curve.len` bytes, little-endian)
/// over `digest` with key `q_point`:
/// 0 < r, s < q; v = e⁻¹; z1 = s·v; z2 = −r·v (mod q); C = z1·P + z2·Q; accept iff
/// C.x mod q = r.
pub fn verify<const L: usize, F: FieldElement<L>>(
    curve: &Curve<L, F>,
    q_point: &Affine<L, F>,
    digest: &[u8],
    signature: &[u8],
) -> bool {
    verify_inner(curve, q_point, digest, signature).unwrap_or(false)
}

fn verify_inner<const L: usize, F: FieldElement<L>>(
    curve: &Curve<L, F>,
    q_point: &Affine<L, F>,
    digest: &[u8],
    signature: &[u8],
) -> Option<bool> {
    if signature.len() != 2 * curve.len {
        return Some(false);
    }
    let (r_bytes, s_bytes) = signature.split_at(curve.len);
    let (r, s) = (uint_from_le::<L>(r_bytes)?, uint_from_le::<L>(s_bytes)?);
    if r == Uint::ZERO || s == Uint::ZERO {
        return Some(false);
    }
    // `element` refuses r, s ≥ q instead of reducing them.
    let (r_mod, s_mod) = (curve.q.element(&r)?, curve.q.element(&s)?);
    let e = curve.q.element(&digest_scalar(curve, digest)?)?;
    let v = curve.q.invert(&e)?;
    let z1 = s_mod.mul(&v).retrieve();
    let z2 = r_mod.neg().mul(&v).retrieve();
    let c = combine(curve, &z1, &z2, q_point);
    // R = C.x mod q = r: C.x is one of r, r + q, r + 2q, … below p. Comparing in projective
    // form (Jacobian X = x·Z², or the Edwards form's x) spares the inversion of Z.
    let mut candidate = r;
    loop {
        match curve.p.element(&candidate) {
            Some(x) if c.has_x(curve, &x) => return Some(true),
            Some(_) => {}
            None => return Some(false),
        }
        let (next, carry) = candidate.adc(&curve.q.value, crypto_bigint::Limb::ZERO);
        if carry != crypto_bigint::Limb::ZERO {
            return Some(false);
        }
        candidate = next;
    }
}
