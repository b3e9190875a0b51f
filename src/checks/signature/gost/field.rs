//! Integers and field elements for the GOST verifier: fixed-width `crypto-bigint` integers
//! read from the little-endian bytes the national CA writes, and arithmetic modulo a prime
//! in Montgomery form (`MontyForm`), for both the field (mod p) and the scalars (mod q).
//!
//! Verification handles only public data, so the variable-time operations here are fine.

use crypto_bigint::modular::{MontyForm, MontyParams};
use crypto_bigint::{NonZero, Odd, Uint, Word};

/// A residue modulo p or q, in Montgomery form.
pub type Fe<const L: usize> = MontyForm<L>;

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
    pub fn element(&self, n: &Uint<L>) -> Option<Fe<L>> {
        (n < &self.value).then(|| Fe::new(n, self.params))
    }

    /// `n mod modulus`, as a residue.
    pub fn reduce(&self, n: &Uint<L>) -> Fe<L> {
        Fe::new(&n.rem_vartime(&self.nonzero), self.params)
    }

    /// `n mod modulus`, as an integer.
    pub fn rem(&self, n: &Uint<L>) -> Uint<L> {
        n.rem_vartime(&self.nonzero)
    }

    /// The inverse by Fermat (x^(m-2)); zero has none. Cheap next to a scalar
    /// multiplication, and needs no extra trait bounds on `L`.
    pub fn invert(&self, x: &Fe<L>) -> Option<Fe<L>> {
        if is_zero(x) {
            return None;
        }
        Some(x.pow(&self.value.wrapping_sub(&Uint::from_u8(2))))
    }
}

/// Zero in Montgomery form is zero itself.
pub fn is_zero<const L: usize>(x: &Fe<L>) -> bool {
    x.as_montgomery() == &Uint::ZERO
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::U256;

    #[test]
    fn little_endian_round_trip_and_limits() {
        let bytes: Vec<u8> = (1..=32).collect();
        let n: U256 = uint_from_le(&bytes).unwrap();
        assert_eq!(uint_to_le(&n, 32).unwrap(), bytes);
        assert!(uint_from_le::<{ U256::LIMBS }>(&[0u8; 33]).is_none());
        assert!(uint_to_le(&n, 31).is_none());
        let short: U256 = uint_from_le(&[5]).unwrap();
        assert_eq!(short, U256::from_u8(5));
        assert_eq!(
            uint_from_be_hex::<{ U256::LIMBS }>("105"),
            Some(U256::from_u16(0x105))
        );
    }

    #[test]
    fn inverse_modulo_a_prime() {
        let m = Modulus::new(U256::from_u8(101)).unwrap();
        let x = m.element(&U256::from_u8(7)).unwrap();
        let inv = m.invert(&x).unwrap();
        assert_eq!(x.mul(&inv).retrieve(), U256::ONE);
        assert!(m.invert(&m.reduce(&U256::from_u8(101))).is_none());
        assert!(m.element(&U256::from_u8(101)).is_none());
        assert!(Modulus::new(U256::from_u8(100)).is_none());
    }
}
