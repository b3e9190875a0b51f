//! The base field GF(p) of a curve, one element type per kind of prime. Every NCA curve
//! has a pseudo-Mersenne prime p = 2^n − c (tc26-512-A: 2^512 − 569; CryptoPro-A and
//! tc26-256-A: 2^256 − 617): [`Pm`] holds only the limbs, its prime is in the type (const
//! generics, nothing to copy or branch on), and its products reduce by multiplying the high
//! half by c (HAC 14.47) in the fixed-width, unrolled arithmetic of [`super::pm`]. Any other
//! prime (the standards' example curves) uses [`Mont`], Montgomery form (`crypto-bigint`'s
//! `montgomery_reduction`), whose element carries its modulus.
//!
//! Every element is fully reduced, so equality is equality of values.

use std::fmt::Debug;

use crypto_bigint::modular::{montgomery_reduction, MontyForm, MontyParams};
use crypto_bigint::{Limb, Odd, Uint, Word};

use super::pm;

/// An element of GF(p) for the primes of one kind: the arithmetic the curve formulas use,
/// and how elements are made from integers below p and read back.
pub trait FieldElement<const L: usize>: Copy + PartialEq + Eq + Debug + Send + Sync {
    /// What making an element needs beyond its type (nothing for [`Pm`]).
    type Context: Copy + Debug + Send + Sync;
    /// The context for prime `p`; `None` if this element type cannot serve `p`.
    fn context(p: &Uint<L>) -> Option<Self::Context>;
    /// `n` (below p) as an element.
    fn from_reduced(context: &Self::Context, n: &Uint<L>) -> Self;
    /// The integer this element is (below p).
    fn retrieve(&self) -> Uint<L>;
    fn mul(&self, rhs: &Self) -> Self;
    fn square(&self) -> Self;
    fn add(&self, rhs: &Self) -> Self;
    fn sub(&self, rhs: &Self) -> Self;
    fn neg(&self) -> Self;
    fn is_zero(&self) -> bool;
    #[inline]
    fn double(&self) -> Self {
        self.add(self)
    }
}

/// GF(2^(w·L) − C), w the limb width: the limbs of the residue, little-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pm<const L: usize, const C: Word>([Word; L]);

/// GF(2^512 − 569), the field of tc26-512-A.
pub type Fp512 = Pm<8, 569>;
/// GF(2^256 − 617), the field of tc26-256-A and CryptoPro-A.
pub type Fp256 = Pm<4, 617>;

impl<const L: usize, const C: Word> FieldElement<L> for Pm<L, C> {
    type Context = ();

    fn context(p: &Uint<L>) -> Option<()> {
        let c = Uint::<L>::ZERO.wrapping_sub(p);
        (pm::serves(L, C) && c == Uint::from_word(C)).then_some(())
    }

    #[inline]
    fn from_reduced(_: &(), n: &Uint<L>) -> Self {
        Self(n.to_words())
    }

    #[inline]
    fn retrieve(&self) -> Uint<L> {
        Uint::from_words(self.0)
    }

    #[inline]
    fn mul(&self, rhs: &Self) -> Self {
        Self(pm::mul(&self.0, &rhs.0, C))
    }

    #[inline]
    fn square(&self) -> Self {
        Self(pm::square(&self.0, C))
    }

    #[inline]
    fn add(&self, rhs: &Self) -> Self {
        Self(pm::add(&self.0, &rhs.0, C))
    }

    #[inline]
    fn sub(&self, rhs: &Self) -> Self {
        Self(pm::sub(&self.0, &rhs.0, C))
    }

    #[inline]
    fn neg(&self) -> Self {
        Self(pm::sub(&[0; L], &self.0, C))
    }

    #[inline]
    fn is_zero(&self) -> bool {
        self.0 == [0; L]
    }
}

/// GF(p) for any odd p, in Montgomery form: the value is x·R mod p.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mont<const L: usize> {
    value: Uint<L>,
    p: Odd<Uint<L>>,
    /// −p⁻¹ mod 2^64 (2^32 on 32-bit targets).
    inv: Limb,
}

/// The modulus, −p⁻¹ and R² mod p (to enter Montgomery form).
#[derive(Debug, Clone, Copy)]
pub struct MontContext<const L: usize> {
    p: Odd<Uint<L>>,
    inv: Limb,
    r2: Uint<L>,
}

impl<const L: usize> FieldElement<L> for Mont<L> {
    type Context = MontContext<L>;

    fn context(p: &Uint<L>) -> Option<MontContext<L>> {
        let odd: Odd<Uint<L>> = Option::from(Odd::new(*p))?;
        let params = MontyParams::new_vartime(odd);
        let r = *MontyForm::one(params).as_montgomery();
        Some(MontContext {
            p: odd,
            inv: Limb(neg_inverse(p.as_words().first().copied()?)),
            r2: *MontyForm::new(&r, params).as_montgomery(),
        })
    }

    fn from_reduced(context: &MontContext<L>, n: &Uint<L>) -> Self {
        Self {
            value: montgomery_reduction(&n.split_mul(&context.r2), &context.p, context.inv),
            p: context.p,
            inv: context.inv,
        }
    }

    fn retrieve(&self) -> Uint<L> {
        montgomery_reduction(&(self.value, Uint::ZERO), &self.p, self.inv)
    }

    fn mul(&self, rhs: &Self) -> Self {
        let value = montgomery_reduction(&self.value.split_mul(&rhs.value), &self.p, self.inv);
        Self { value, ..*self }
    }

    fn square(&self) -> Self {
        let value = montgomery_reduction(&self.value.square_wide(), &self.p, self.inv);
        Self { value, ..*self }
    }

    fn add(&self, rhs: &Self) -> Self {
        let value = self.value.add_mod(&rhs.value, &self.p);
        Self { value, ..*self }
    }

    fn sub(&self, rhs: &Self) -> Self {
        let value = self.value.sub_mod(&rhs.value, &self.p);
        Self { value, ..*self }
    }

    fn neg(&self) -> Self {
        let value = self.value.neg_mod(&self.p);
        Self { value, ..*self }
    }

    fn is_zero(&self) -> bool {
        self.value == Uint::ZERO
    }
}

/// GF(p) for one prime: makes elements of type `F` from integers.
#[derive(Debug, Clone, Copy)]
pub struct PrimeField<const L: usize, F: FieldElement<L>> {
    pub value: Uint<L>,
    context: F::Context,
}

impl<const L: usize, F: FieldElement<L>> PrimeField<L, F> {
    /// `None` if `F` cannot serve `value` (an even modulus; for [`Pm`], another prime).
    pub fn new(value: Uint<L>) -> Option<Self> {
        Some(Self {
            value,
            context: F::context(&value)?,
        })
    }

    /// `n` as an element, if it is below p: coordinates out of range are refused.
    pub fn element(&self, n: &Uint<L>) -> Option<F> {
        (n < &self.value).then(|| F::from_reduced(&self.context, n))
    }

    pub fn zero(&self) -> F {
        F::from_reduced(&self.context, &Uint::ZERO)
    }

    pub fn one(&self) -> F {
        F::from_reduced(&self.context, &Uint::ONE)
    }

    /// x⁻¹ = x^(p−2) (Fermat), square and multiply; zero has none.
    pub fn invert(&self, x: &F) -> Option<F> {
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

    const P512: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7";
    const P256: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97";

    /// Both element types agree with `crypto-bigint`'s own `MontyForm` arithmetic.
    fn agrees<const L: usize, F: FieldElement<L>>(p_hex: &str) {
        let p = super::super::field::uint_from_be_hex::<L>(p_hex).unwrap();
        let field = PrimeField::<L, F>::new(p).unwrap();
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
    fn both_element_types_agree_with_crypto_bigint() {
        agrees::<{ U512::LIMBS }, Fp512>(P512);
        agrees::<{ U512::LIMBS }, Mont<{ U512::LIMBS }>>(P512);
        agrees::<{ U256::LIMBS }, Fp256>(P256);
        agrees::<{ U256::LIMBS }, Mont<{ U256::LIMBS }>>(P256);
        agrees::<{ U256::LIMBS }, Mont<{ U256::LIMBS }>>(
            "8000000000000000000000000000000000000000000000000000000000000431",
        );
        agrees::<{ U512::LIMBS }, Mont<{ U512::LIMBS }>>("4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373");
    }

    #[test]
    fn a_pseudo_mersenne_type_serves_only_its_prime() {
        let p256 = super::super::field::uint_from_be_hex::<{ U256::LIMBS }>(P256).unwrap();
        assert!(PrimeField::<{ U256::LIMBS }, Fp256>::new(p256).is_some());
        assert!(PrimeField::<{ U256::LIMBS }, Pm<4, 569>>::new(p256).is_none());
        assert!(
            PrimeField::<{ U256::LIMBS }, Fp256>::new(p256.wrapping_sub(&U256::from_u8(2)))
                .is_none()
        );
        assert!(
            PrimeField::<{ U256::LIMBS }, Mont<{ U256::LIMBS }>>::new(U256::from_u8(100)).is_none()
        );
    }
}
