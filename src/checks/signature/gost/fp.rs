//! The base field GF(p) of a curve. Every NCA curve has a pseudo-Mersenne prime
//! p = 2^n − c (tc26-512-A: 2^512 − 569; CryptoPro-A and tc26-256-A: 2^256 − 617), whose
//! products reduce by multiplying the high half by c (HAC 14.47), in the fixed-width,
//! unrolled arithmetic of [`super::pm`]. Any other prime (the standards' example curves)
//! uses Montgomery form (`crypto-bigint`'s `montgomery_reduction`).
//!
//! An element carries its modulus and reduction (no table of parameters), so that points
//! stay small to copy; every element is fully reduced, so equality is equality of values.

use crypto_bigint::modular::{montgomery_reduction, MontyForm, MontyParams};
use crypto_bigint::{Limb, Odd, Uint, Word};

use super::pm;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reduction {
    /// p = 2^n − c, c below 2^(w/2) and at most eight limbs: the value is the residue
    /// itself.
    PseudoMersenne(Word),
    /// The value is x·R mod p; the limb is −p⁻¹ mod 2^64 (2^32 on 32-bit targets).
    Montgomery(Limb),
}

/// An element of GF(p).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fe<const L: usize> {
    value: Uint<L>,
    p: Odd<Uint<L>>,
    reduction: Reduction,
}

impl<const L: usize> Fe<L> {
    #[inline]
    pub fn mul(&self, rhs: &Self) -> Self {
        let value = match self.reduction {
            Reduction::PseudoMersenne(c) => {
                Uint::from_words(pm::mul(self.value.as_words(), rhs.value.as_words(), c))
            }
            Reduction::Montgomery(inv) => {
                montgomery_reduction(&self.value.split_mul(&rhs.value), &self.p, inv)
            }
        };
        Self { value, ..*self }
    }

    #[inline]
    pub fn square(&self) -> Self {
        let value = match self.reduction {
            Reduction::PseudoMersenne(c) => Uint::from_words(pm::square(self.value.as_words(), c)),
            Reduction::Montgomery(inv) => {
                montgomery_reduction(&self.value.square_wide(), &self.p, inv)
            }
        };
        Self { value, ..*self }
    }

    #[inline]
    pub fn add(&self, rhs: &Self) -> Self {
        let value = match self.reduction {
            Reduction::PseudoMersenne(c) => {
                Uint::from_words(pm::add(self.value.as_words(), rhs.value.as_words(), c))
            }
            Reduction::Montgomery(_) => self.value.add_mod(&rhs.value, &self.p),
        };
        Self { value, ..*self }
    }

    #[inline]
    pub fn sub(&self, rhs: &Self) -> Self {
        let value = match self.reduction {
            Reduction::PseudoMersenne(c) => {
                Uint::from_words(pm::sub(self.value.as_words(), rhs.value.as_words(), c))
            }
            Reduction::Montgomery(_) => self.value.sub_mod(&rhs.value, &self.p),
        };
        Self { value, ..*self }
    }

    #[inline]
    pub fn double(&self) -> Self {
        self.add(self)
    }

    #[inline]
    pub fn neg(&self) -> Self {
        let value = match self.reduction {
            Reduction::PseudoMersenne(c) => {
                Uint::from_words(pm::sub(&[0; L], self.value.as_words(), c))
            }
            Reduction::Montgomery(_) => self.value.neg_mod(&self.p),
        };
        Self { value, ..*self }
    }

    #[inline]
    pub fn is_zero(&self) -> bool {
        self.value == Uint::ZERO
    }

    /// The integer this element is (below p).
    pub fn retrieve(&self) -> Uint<L> {
        match self.reduction {
            Reduction::PseudoMersenne(_) => self.value,
            Reduction::Montgomery(inv) => {
                montgomery_reduction(&(self.value, Uint::ZERO), &self.p, inv)
            }
        }
    }
}

/// GF(p) for one prime: makes elements from integers.
#[derive(Debug, Clone, Copy)]
pub struct PrimeField<const L: usize> {
    pub value: Uint<L>,
    p: Odd<Uint<L>>,
    reduction: Reduction,
    /// R² mod p, to enter Montgomery form (unused for a pseudo-Mersenne prime).
    r2: Uint<L>,
}

impl<const L: usize> PrimeField<L> {
    /// `None` for an even modulus.
    pub fn new(value: Uint<L>) -> Option<Self> {
        let p: Odd<Uint<L>> = Option::from(Odd::new(value))?;
        // c = 2^n − p, if it is small enough for `pm`.
        let c = Uint::<L>::ZERO.wrapping_sub(&value);
        let reduction = match c.as_words().split_first() {
            Some((&low, rest)) if rest.iter().all(|&w| w == 0) && pm::serves(L, low) => {
                Reduction::PseudoMersenne(low)
            }
            _ => Reduction::Montgomery(Limb(neg_inverse(value.as_words().first().copied()?))),
        };
        let params = MontyParams::new_vartime(p);
        let r = *MontyForm::one(params).as_montgomery();
        let r2 = *MontyForm::new(&r, params).as_montgomery();
        Some(Self {
            value,
            p,
            reduction,
            r2,
        })
    }

    /// `n` as an element, if it is below p: coordinates out of range are refused.
    pub fn element(&self, n: &Uint<L>) -> Option<Fe<L>> {
        (n < &self.value).then(|| self.reduced(n))
    }

    fn reduced(&self, n: &Uint<L>) -> Fe<L> {
        let value = match self.reduction {
            Reduction::PseudoMersenne(_) => *n,
            Reduction::Montgomery(inv) => {
                montgomery_reduction(&n.split_mul(&self.r2), &self.p, inv)
            }
        };
        Fe {
            value,
            p: self.p,
            reduction: self.reduction,
        }
    }

    pub fn zero(&self) -> Fe<L> {
        self.reduced(&Uint::ZERO)
    }

    pub fn one(&self) -> Fe<L> {
        self.reduced(&Uint::ONE)
    }

    /// x⁻¹ = x^(p−2) (Fermat), square and multiply; zero has none.
    pub fn invert(&self, x: &Fe<L>) -> Option<Fe<L>> {
        if x.is_zero() {
            return None;
        }
        let e = self.value.wrapping_sub(&Uint::from_u8(2));
        let mut acc = self.one();
        for i in (0..e.bits_vartime()).rev() {
            acc = acc.square();
            if e.bit_vartime(i) {
                acc = acc.mul(x);
            }
        }
        Some(acc)
    }
}

/// −p⁻¹ mod 2^w for odd p (Newton's iteration doubles the correct bits each step).
fn neg_inverse(p0: Word) -> Word {
    let mut inv: Word = p0; // p0·p0 ≡ 1 mod 8: three bits right
    for _ in 0..6 {
        inv = inv.wrapping_mul((2 as Word).wrapping_sub(p0.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::{U256, U512};

    /// Both reductions agree with `crypto-bigint`'s own `MontyForm` arithmetic.
    fn agrees<const L: usize>(p_hex: &str, pseudo_mersenne: bool) {
        let p = super::super::field::uint_from_be_hex::<L>(p_hex).unwrap();
        let field = PrimeField::new(p).unwrap();
        assert_eq!(
            matches!(field.reduction, Reduction::PseudoMersenne(_)),
            pseudo_mersenne
        );
        let params = MontyParams::new_vartime(Odd::new(p).unwrap());
        let a = p.wrapping_sub(&Uint::from_u64(0x1234_5678_9abc));
        let b = Uint::<L>::from_u64(u64::MAX).wrapping_mul(&Uint::<L>::from_u64(977));
        let (fa, fb) = (field.element(&a).unwrap(), field.element(&b).unwrap());
        let (ma, mb) = (MontyForm::new(&a, params), MontyForm::new(&b, params));
        assert_eq!(fa.mul(&fb).retrieve(), ma.mul(&mb).retrieve());
        assert_eq!(fa.square().retrieve(), ma.square().retrieve());
        assert_eq!(fa.add(&fb).retrieve(), ma.add(&mb).retrieve());
        assert_eq!(fb.sub(&fa).retrieve(), mb.sub(&ma).retrieve());
        assert_eq!(fa.neg().retrieve(), ma.neg().retrieve());
        assert_eq!(fa.retrieve(), a);
        let inv = field.invert(&fa).unwrap();
        assert_eq!(inv.mul(&fa), field.one());
        assert!(field.invert(&field.zero()).is_none());
        assert!(field.element(&p).is_none());
    }

    #[test]
    fn both_reductions_agree_with_crypto_bigint() {
        let nines = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7";
        agrees::<{ U512::LIMBS }>(nines, true);
        agrees::<{ U256::LIMBS }>(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
            true,
        );
        agrees::<{ U256::LIMBS }>(
            "8000000000000000000000000000000000000000000000000000000000000431",
            false,
        );
        agrees::<{ U512::LIMBS }>("4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373", false);
    }
}
