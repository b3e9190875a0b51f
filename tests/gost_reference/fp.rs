//! The base field GF(p) of a curve. Every NCA curve has a pseudo-Mersenne prime
//! p = 2^n − c (tc26-512-A: 2^512 − 569; CryptoPro-A and tc26-256-A: 2^256 − 617), whose
//! products reduce by multiplying the high half by c (`crypto-bigint`'s `mul_mod_special`,
//! HAC 14.47): about twice as fast as Montgomery multiplication for 512 bits. Any other
//! prime (the standards' example curves) uses Montgomery form (`montgomery_reduction`).
//!
//! An element carries its modulus and reduction (no table of parameters), so that points
//! stay small to copy; every element is fully reduced, so equality is equality of values.

use crypto_bigint::modular::{montgomery_reduction, MontyForm, MontyParams};
use crypto_bigint::{Limb, Odd, Uint, Word};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reduction {
    /// p = 2^n − c: the value is the residue itself.
    PseudoMersenne(Limb),
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
    pub fn mul(&self, rhs: &Self) -> Self {
        let value = match self.reduction {
            Reduction::PseudoMersenne(c) => {
                canonical(self.value.mul_mod_special(&rhs.value, c), &self.p)
            }
            Reduction::Montgomery(inv) => {
                montgomery_reduction(&self.value.split_mul(&rhs.value), &self.p, inv)
            }
        };
        Self { value, ..*self }
    }

    pub fn square(&self) -> Self {
        self.mul(self)
    }

    pub fn add(&self, rhs: &Self) -> Self {
        let value = self.value.add_mod(&rhs.value, &self.p);
        Self { value, ..*self }
    }

    pub fn sub(&self, rhs: &Self) -> Self {
        let value = self.value.sub_mod(&rhs.value, &self.p);
        Self { value, ..*self }
    }

    pub fn double(&self) -> Self {
        self.add(self)
    }

    pub fn neg(&self) -> Self {
        let value = self.value.neg_mod(&self.p);
        Self { value, ..*self }
    }

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

/// HAC 14.47 leaves a value below 2^n; p ≤ it < 2^n is possible, so subtract p once.
fn canonical<const L: usize>(value: Uint<L>, p: &Odd<Uint<L>>) -> Uint<L> {
    if &value >= p.as_ref() {
        value.wrapping_sub(p)
    } else {
        value
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
        // 2^n − p, if it fits one limb (and p is above 2^(n−1)).
        let c = Uint::<L>::ZERO.wrapping_sub(&value);
        let reduction = match c.as_words().split_first() {
            Some((&low, rest)) if rest.iter().all(|&w| w == 0) && low != 0 => {
                Reduction::PseudoMersenne(Limb(low))
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
