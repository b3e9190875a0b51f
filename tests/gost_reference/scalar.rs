//! z1·P + z2·Q, the cost of a verification: one chain of doublings shared by both scalars
//! (interleaved sliding windows), additions only at the windows' odd values. The generator
//! P is fixed, so its odd multiples are computed once per curve (affine, for the cheaper
//! mixed addition) with a wide window; Q's are computed per call with a narrower one.

use crypto_bigint::Uint;

use super::curve::Curve;
use super::point::{Affine, Jacobian};

/// Window width for the generator: its table (2^(w−1) affine points) is built once.
pub const G_WINDOW: u32 = 7;
/// Window width for the public key: 2^(w−1) Jacobian points per verification.
const Q_WINDOW: u32 = 5;

/// The odd multiples P, 3P, …, (2^w − 1)P.
fn odd_multiples<const L: usize>(curve: &Curve<L>, p: &Jacobian<L>, w: u32) -> Vec<Jacobian<L>> {
    let twice = p.double(curve);
    let mut table = vec![*p];
    for _ in 1..(1usize << (w - 1)) {
        let last = table.last().copied().unwrap_or(*p);
        table.push(last.add(curve, &twice));
    }
    table
}

/// The generator's odd multiples in affine form; a point at infinity (impossible for a
/// generator of prime order) would end the table early, and `mul_add` then adds nothing
/// for that window: a wrong result, never a panic, and the tests check the table.
pub fn generator_table<const L: usize>(curve: &Curve<L>) -> Vec<Affine<L>> {
    odd_multiples(curve, &Jacobian::from_affine(curve, &curve.g), G_WINDOW)
        .iter()
        .map_while(|p| p.to_affine(curve))
        .collect()
}

/// Sliding-window digits: `digits[i]` is the odd value of the window whose lowest bit is
/// bit i of `k`, or 0.
fn windows<const L: usize>(k: &Uint<L>, w: u32) -> Vec<u32> {
    let bits = k.bits_vartime();
    let mut digits = vec![0u32; bits as usize];
    let mut i = bits;
    while i > 0 {
        let top = i - 1;
        if !k.bit_vartime(top) {
            i = top;
            continue;
        }
        let mut low = top.saturating_sub(w - 1);
        while !k.bit_vartime(low) {
            low += 1;
        }
        let value = (low..=top)
            .rev()
            .fold(0u32, |v, b| (v << 1) | u32::from(k.bit_vartime(b)));
        if let Some(d) = digits.get_mut(low as usize) {
            *d = value;
        }
        i = low;
    }
    digits
}

/// The table index of digit i (value d: (d − 1)/2), or `None` for no window there.
fn entry(digits: &[u32], i: usize) -> Option<usize> {
    digits
        .get(i)
        .filter(|&&d| d != 0)
        .map(|&d| (d / 2) as usize)
}

/// z1·G + z2·Q, G the curve's generator.
pub fn mul_add<const L: usize>(
    curve: &Curve<L>,
    z1: &Uint<L>,
    z2: &Uint<L>,
    q: &Affine<L>,
) -> Jacobian<L> {
    let q_table = odd_multiples(curve, &Jacobian::from_affine(curve, q), Q_WINDOW);
    let (d1, d2) = (windows(z1, G_WINDOW), windows(z2, Q_WINDOW));
    let mut acc = Jacobian::infinity(curve);
    for i in (0..d1.len().max(d2.len())).rev() {
        acc = acc.double(curve);
        if let Some(p) = entry(&d1, i).and_then(|j| curve.g_table.get(j)) {
            acc = acc.add_affine(curve, p);
        }
        if let Some(p) = entry(&d2, i).and_then(|j| q_table.get(j)) {
            acc = acc.add(curve, p);
        }
    }
    acc
}
