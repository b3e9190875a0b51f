//! TEST ONLY: a GOST R 34.10 signer, so that tests can build GOST certificates, CRLs and CMS
//! signatures (openssl has no KZ GOST). The worker never signs and never calls this.
//! It is variable-time and takes the nonce from the caller: never use it with a real key.
//!
//! Signing with the verifier's own arithmetic proves nothing about that arithmetic; the
//! verifier is proven independently by the standards' examples (whose r and s this signer
//! also reproduces) and by the real NCA certificates (`tests/signature_gost.rs`).

use crypto_bigint::Uint;
use der::asn1::OctetStringRef;
use der::Encode;

use super::algorithms::Kind;
use super::curve::{Curve, CURVE_CRYPTOPRO_A, CURVE_TC26_256_A, CURVE_TC26_512_A};
use super::field::{uint_from_le, uint_to_le};
use super::fp::FieldElement;
use super::point::mul;
use super::verify::digest_scalar;

/// (r, s) over `digest` with private key `d` and nonce `k`: C = k·P, r = C.x mod q,
/// s = (r·d + k·e) mod q. `None` if d or k is out of range or r or s comes out 0.
pub fn sign_digest<const L: usize, F: FieldElement<L>>(
    curve: &Curve<L, F>,
    d: &Uint<L>,
    k: &Uint<L>,
    digest: &[u8],
) -> Option<(Uint<L>, Uint<L>)> {
    let (d_mod, k_mod) = (curve.q.element(d)?, curve.q.element(k)?);
    let c = mul(curve, k, &curve.g).to_affine(curve)?;
    let r = curve.q.rem(&c.x.retrieve());
    let e = curve.q.element(&digest_scalar(curve, digest)?)?;
    let s = curve
        .q
        .reduce(&r)
        .mul(&d_mod)
        .add(&k_mod.mul(&e))
        .retrieve();
    (r != Uint::ZERO && s != Uint::ZERO).then_some((r, s))
}

/// The SPKI subjectPublicKey for private key `d` (little-endian): DER OCTET STRING of x‖y.
pub fn public_key(kind: Kind, d: &[u8]) -> Option<Vec<u8>> {
    fn on<const L: usize, F: FieldElement<L>>(curve: &Curve<L, F>, d: &[u8]) -> Option<Vec<u8>> {
        let q = mul(curve, &uint_from_le(d)?, &curve.g).to_affine(curve)?;
        let mut xy = uint_to_le(&q.x.retrieve(), curve.len)?;
        xy.extend(uint_to_le(&q.y.retrieve(), curve.len)?);
        OctetStringRef::new(&xy).ok()?.to_der().ok()
    }
    match kind {
        Kind::Gost2015_512 => on(CURVE_TC26_512_A.as_ref()?, d),
        Kind::Gost2015_256 => on(CURVE_TC26_256_A.as_ref()?, d),
        Kind::Gost2004 => on(CURVE_CRYPTOPRO_A.as_ref()?, d),
    }
}

/// The signature value (r‖s, little-endian) over `message`, hashed with the kind's hash.
pub fn sign(kind: Kind, d: &[u8], k: &[u8], message: &[u8]) -> Option<Vec<u8>> {
    fn on<const L: usize, F: FieldElement<L>>(
        curve: &Curve<L, F>,
        d: &[u8],
        k: &[u8],
        digest: &[u8],
    ) -> Option<Vec<u8>> {
        let (r, s) = sign_digest(curve, &uint_from_le(d)?, &uint_from_le(k)?, digest)?;
        let mut out = uint_to_le(&r, curve.len)?;
        out.extend(uint_to_le(&s, curve.len)?);
        Some(out)
    }
    let digest = kind.hash().digest(message);
    match kind {
        Kind::Gost2015_512 => on(CURVE_TC26_512_A.as_ref()?, d, k, &digest),
        Kind::Gost2015_256 => on(CURVE_TC26_256_A.as_ref()?, d, k, &digest),
        Kind::Gost2004 => on(CURVE_CRYPTOPRO_A.as_ref()?, d, k, &digest),
    }
}
