//! z1·P + z2·Q, the cost of a verification: one chain of doublings shared by both scalars
//! (interleaved width-w NAF, signed odd digits, so a subtraction costs what an addition
//! does and a table holds half the points of an unsigned window). The generator P is
//! fixed, so its odd multiples are computed once per curve, affine (for the cheaper mixed
//! addition) and with a wide window; Q's are computed per call with a narrower one.

use crypto_bigint::{Uint, Word};

use super::curve::Curve;
use super::edwards::Extended;
use super::fp::FieldElement;
use super::point::{Affine, Jacobian};

/// wNAF width for the generator: its table (2^(w−2) affine points: P, 3P, …, (2^(w−1) − 1)P)
/// is built once per curve; a digit every w + 1 bits on average.
pub const G_WINDOW: u32 = 9;
/// wNAF width for the public key: 2^(w−2) Jacobian points per verification.
pub const Q_WINDOW: u32 = 5;

/// The odd multiples P, 3P, …, (2^(w−1) − 1)P.
fn odd_multiples<const L: usize, F: FieldElement<L>>(
    curve: &Curve<L, F>,
    p: &Jacobian<L, F>,
    w: u32,
) -> Vec<Jacobian<L, F>> {
    let twice = p.double(curve);
    let mut table = vec![*p];
    for _ in 1..(1usize << (w - 2)) {
        let last = table.last().copied().unwrap_or(*p);
        table.push(last.add(curve, &twice));
    }
    table
}

/// The generator's odd multiples in affine form; a point at infinity (impossible for a
/// generator of prime order) would end the table early, and `mul_add` then adds nothing
/// for that digit: a wrong result, never a panic, and the tests check the table.
pub fn generator_table<const L: usize, F: FieldElement<L>>(
    curve: &Curve<L, F>,
) -> Vec<Affine<L, F>> {
    odd_multiples(curve, &Jacobian::from_affine(curve, &curve.g), G_WINDOW)
        .iter()
        .map_while(|p| p.to_affine(curve))
        .collect()
}

/// `w` bits of k from bit `pos` (bits past the top are 0), for w below the word width.
fn bits_at<const L: usize>(k: &Uint<L>, pos: u32, w: u32) -> i32 {
    let words = k.as_words();
    let (index, shift) = ((pos / Word::BITS) as usize, pos % Word::BITS);
    let low = words.get(index).map_or(0, |&word| word >> shift);
    let high = match (shift, words.get(index + 1)) {
        (0, _) | (_, None) => 0,
        (_, Some(&word)) => word << (Word::BITS - shift),
    };
    ((low | high) & ((1 << w) - 1)) as i32
}

/// The width-w NAF of k: `digits[i]` is 0 or odd, |digit| < 2^(w−1), Σ digits[i]·2^i = k,
/// and of any w consecutive digits at most one is not 0.
pub fn wnaf<const L: usize>(k: &Uint<L>, w: u32) -> Vec<i32> {
    let bits = k.bits_vartime();
    let mut digits = vec![0i32; (bits + w) as usize];
    let width = 1i32 << w;
    let (mut pos, mut carry) = (0u32, 0i32);
    while pos < bits || carry != 0 {
        let window = carry + bits_at(k, pos, w);
        if window & 1 == 0 {
            pos += 1;
            continue;
        }
        let digit = if window < width / 2 {
            carry = 0;
            window
        } else {
            carry = 1;
            window - width
        };
        if let Some(d) = digits.get_mut(pos as usize) {
            *d = digit;
        }
        pos += w;
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    digits
}

/// The table entry of digit i: (index of |d|·P, whether d is negative), or `None` for 0.
pub fn entry(digits: &[i32], i: usize) -> Option<(usize, bool)> {
    digits
        .get(i)
        .filter(|&&d| d != 0)
        .map(|&d| ((d.unsigned_abs() / 2) as usize, d < 0))
}

/// z1·G + z2·Q, G the curve's generator.
pub fn mul_add<const L: usize, F: FieldElement<L>>(
    curve: &Curve<L, F>,
    z1: &Uint<L>,
    z2: &Uint<L>,
    q: &Affine<L, F>,
) -> Jacobian<L, F> {
    let q_table = odd_multiples(curve, &Jacobian::from_affine(curve, q), Q_WINDOW);
    let (d1, d2) = (wnaf(z1, G_WINDOW), wnaf(z2, Q_WINDOW));
    let mut acc = Jacobian::infinity(curve);
    for i in (0..d1.len().max(d2.len())).rev() {
        acc = acc.double(curve);
        if let Some((j, negative)) = entry(&d1, i) {
            if let Some(p) = curve.g_table.get(j) {
                acc = acc.add_affine(curve, &if negative { p.neg() } else { *p });
            }
        }
        if let Some((j, negative)) = entry(&d2, i) {
            if let Some(p) = q_table.get(j) {
                acc = acc.add(curve, &if negative { p.neg() } else { *p });
            }
        }
    }
    acc
}

/// z1·G + z2·Q in the form it was computed in: the Edwards form where the curve has one
/// and Q maps into it, else Jacobian coordinates on the Weierstrass form.
#[derive(Debug)]
pub enum Combination<const L: usize, F: FieldElement<L>> {
    Weierstrass(Jacobian<L, F>),
    Edwards(Extended<F>),
}

impl<const L: usize, F: FieldElement<L>> Combination<L, F> {
    /// Whether the point's affine Weierstrass x is `x`; the point at infinity has none.
    pub fn has_x(&self, curve: &Curve<L, F>, x: &F) -> bool {
        match (self, &curve.edwards) {
            (Self::Weierstrass(p), _) => p.has_x(x),
            (Self::Edwards(p), Some(edwards)) => edwards.has_x(p, x),
            (Self::Edwards(_), None) => false,
        }
    }
}

/// z1·G + z2·Q, G the curve's generator, in the cheaper form available.
pub fn combine<const L: usize, F: FieldElement<L>>(
    curve: &Curve<L, F>,
    z1: &Uint<L>,
    z2: &Uint<L>,
    q: &Affine<L, F>,
) -> Combination<L, F> {
    match curve.edwards.as_ref().and_then(|e| e.mul_add(z1, z2, q)) {
        Some(sum) => Combination::Edwards(sum),
        None => Combination::Weierstrass(mul_add(curve, z1, z2, q)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wnaf_rebuilds_the_scalar() {
        for w in [2, 5, 9] {
            for k in [
                1u64,
                2,
                3,
                0b1011_0111_0001,
                u64::MAX,
                0x8000_0000_0000_0001,
                0x7fff_ffff_ffff_ffff,
            ] {
                let n = Uint::<4>::from_u64(k).shl_vartime(61);
                let digits = wnaf(&n, w);
                let back = digits
                    .iter()
                    .enumerate()
                    .fold(0i128, |acc, (i, &d)| acc + (i128::from(d) << i));
                assert_eq!(back, i128::from(k) << 61, "{k:#x}, w {w}");
                let bound = 1 << (w - 1);
                assert!(digits
                    .iter()
                    .all(|&d| d == 0 || (d % 2 != 0 && d.abs() < bound)));
                let dense = digits
                    .windows(w as usize)
                    .any(|run| run.iter().filter(|&&d| d != 0).count() > 1);
                assert!(!dense, "{k:#x}, w {w}");
            }
        }
        assert!(wnaf(&Uint::<4>::ZERO, 5).is_empty());
        // The top bit of the widest integer: the carry goes past it, and is kept.
        let top = Uint::<4>::MAX;
        let digits = wnaf(&top, 5);
        assert_eq!(digits.len(), 257);
        assert_eq!(digits.first(), Some(&-1));
        assert_eq!(digits.last(), Some(&1));
    }

    #[test]
    fn bits_across_words() {
        let n = Uint::<2>::from_words([0xF000_0000_0000_0000, 0b1011]);
        assert_eq!(bits_at(&n, 60, 8), 0b1011_1111);
        assert_eq!(bits_at(&n, 64, 5), 0b01011);
        assert_eq!(bits_at(&n, 126, 5), 0);
        assert_eq!(bits_at(&n, 500, 5), 0);
    }
}
