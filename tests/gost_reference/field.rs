//! Integers and scalars for the GOST verifier: fixed-width `crypto-bigint` integers read
//! from the little-endian bytes the national CA writes, and arithmetic modulo the group
//! order q in Montgomery form (`MontyForm`). The base field GF(p) is in [`super::fp`].
//!
//! Verification handles only public data, so the variable-time operations here are fine.

use crypto_bigint::modular::{MontyForm, MontyParams};
use crypto_bigint::{Limb, NonZero, Odd, Uint, Word};

/// A residue modulo q, in Montgomery form.
pub type Scalar<const L: usize> = MontyForm<L>;

const WORD_BYTES: usize = Word::BITS as usize / 8;

/// The integer whose little-endian bytes are `bytes`, if it fits in `L` limbs. Shorter input
/// is zero-extended (a digest shorter than the modulus is still a number).
pub fn uint_from_le<const L: usize>(bytes: &[u8]) -> Option<Uint<L>> {
    if bytes.len() > L * WORD_BYTES {
        return None;
    }
    let mut words = [0 as Word; L];
    for (i, byte) in bytes.iter().enumerate() {
        let word = words.get_mut(i / WORD_BYTES)?;
        *word |= Word::from(*byte) << (8 * (i % WORD_BYTES));
    }
    Some(Uint::from_words(words))
}

/// The little-endian bytes of `n`, exactly `len` of them (higher bytes must be zero).
pub fn uint_to_le<const L: usize>(n: &Uint<L>, len: usize) -> Option<Vec<u8>> {
    let mut bytes: Vec<u8> = n.as_words().iter().flat_map(|w| w.to_le_bytes()).collect();
    if bytes.iter().skip(len).any(|&b| b != 0) {
        return None;
    }
    bytes.resize(len, 0);
    Some(bytes)
}

/// The integer written in big-endian hex (the standards' notation), any length that fits.
pub fn uint_from_be_hex<const L: usize>(hex_digits: &str) -> Option<Uint<L>> {
    let padded = if hex_digits.len() % 2 == 1 {
        format!("0{hex_digits}")
    } else {
        hex_digits.to_owned()
    };
    let mut bytes = hex::decode(padded).ok()?;
    bytes.reverse();
    uint_from_le(&bytes)
}

/// Parameters for arithmetic modulo an odd prime, with the prime kept for comparisons.
#[derive(Debug, Clone, Copy)]
pub struct Modulus<const L: usize> {
    pub params: MontyParams<L>,
    pub value: Uint<L>,
    nonzero: NonZero<Uint<L>>,
}

impl<const L: usize> Modulus<L> {
    /// `None` for an even modulus (never one of the curves' primes).
    pub fn new(value: Uint<L>) -> Option<Self> {
        let odd: Odd<Uint<L>> = Option::from(Odd::new(value))?;
        let nonzero: NonZero<Uint<L>> = Option::from(NonZero::new(value))?;
        Some(Self {
            params: MontyParams::new_vartime(odd),
            value,
            nonzero,
        })
    }

    /// `n` as a residue, if it is already reduced (`n < modulus`): coordinates and signature
    /// halves out of range are rejected, not reduced.
    pub fn element(&self, n: &Uint<L>) -> Option<Scalar<L>> {
        (n < &self.value).then(|| Scalar::new(n, self.params))
    }

    /// `n mod modulus`, as a residue.
    pub fn reduce(&self, n: &Uint<L>) -> Scalar<L> {
        Scalar::new(&n.rem_vartime(&self.nonzero), self.params)
    }

    /// `n mod modulus`, as an integer.
    pub fn rem(&self, n: &Uint<L>) -> Uint<L> {
        n.rem_vartime(&self.nonzero)
    }

    /// The inverse, by the binary extended Euclidean algorithm (variable time: the inputs
    /// are public); zero has none.
    pub fn invert(&self, x: &Scalar<L>) -> Option<Scalar<L>> {
        let inverse = inverse_vartime(&x.retrieve(), &self.value)?;
        self.element(&inverse)
    }
}

/// a⁻¹ mod m for odd m and 0 < a < m (HAC 14.61, binary form): halvings and
/// subtractions only, about 2·bits steps. `None` if a is 0 or shares a factor with m.
fn inverse_vartime<const L: usize>(a: &Uint<L>, m: &Uint<L>) -> Option<Uint<L>> {
    if a == &Uint::ZERO || a >= m || !m.bit_vartime(0) {
        return None;
    }
    let (mut u, mut v) = (*a, *m);
    let (mut x1, mut x2) = (Uint::ONE, Uint::ZERO);
    while u != Uint::ONE && v != Uint::ONE {
        if u == Uint::ZERO || v == Uint::ZERO {
            return None;
        }
        while !u.bit_vartime(0) {
            u = u.shr_vartime(1);
            x1 = half_mod(&x1, m);
        }
        while !v.bit_vartime(0) {
            v = v.shr_vartime(1);
            x2 = half_mod(&x2, m);
        }
        if u >= v {
            u = u.wrapping_sub(&v);
            x1 = x1.sub_mod(&x2, m);
        } else {
            v = v.wrapping_sub(&u);
            x2 = x2.sub_mod(&x1, m);
        }
    }
    Some(if u == Uint::ONE { x1 } else { x2 })
}

/// x/2 mod m for odd m and x < m: x/2, or (x + m)/2 with the carry as the top bit.
fn half_mod<const L: usize>(x: &Uint<L>, m: &Uint<L>) -> Uint<L> {
    if !x.bit_vartime(0) {
        return x.shr_vartime(1);
    }
    let (sum, carry) = x.adc(m, Limb::ZERO);
    let half = sum.shr_vartime(1);
    if carry == Limb::ZERO {
        half
    } else {
        half.bitor(&Uint::ONE.shl_vartime(Uint::<L>::BITS - 1))
    }
}
