//! Points of a short Weierstrass curve: affine points for inputs, Jacobian coordinates
//! (x = X/Z², y = Y/Z³) for the arithmetic, so that no step needs a field inversion.
//! Formulas from the Explicit-Formulas Database for a general `a` (dbl-2007-bl,
//! add-2007-bl, madd-2007-bl), with the exceptional cases (doubling through addition,
//! P + (−P), the point at infinity) handled by branches: verification is public data, so
//! variable time is fine.

use crypto_bigint::Uint;

use super::curve::Curve;
use super::fp::FieldElement;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine<const L: usize, F: FieldElement<L>> {
    pub x: F,
    pub y: F,
}

impl<const L: usize, F: FieldElement<L>> Affine<L, F> {
    /// −P: (x, −y).
    pub fn neg(&self) -> Self {
        Self {
            x: self.x,
            y: self.y.neg(),
        }
    }
}

/// Z = 0 is the point at infinity.
#[derive(Debug, Clone, Copy)]
pub struct Jacobian<const L: usize, F: FieldElement<L>> {
    x: F,
    y: F,
    z: F,
}

impl<const L: usize, F: FieldElement<L>> Jacobian<L, F> {
    pub fn infinity(curve: &Curve<L, F>) -> Self {
        let one = curve.p.one();
        Self {
            x: one,
            y: one,
            z: curve.p.zero(),
        }
    }

    pub fn from_affine(curve: &Curve<L, F>, p: &Affine<L, F>) -> Self {
        Self {
            x: p.x,
            y: p.y,
            z: curve.p.one(),
        }
    }

    /// −P: (X, −Y, Z).
    pub fn neg(&self) -> Self {
        Self {
            y: self.y.neg(),
            ..*self
        }
    }

    pub fn is_infinity(&self) -> bool {
        self.z.is_zero()
    }

    /// 2P (dbl-2007-bl; dbl-2001-b when a = −3, two multiplications fewer). A point with
    /// y = 0 doubles to Z = 0, the point at infinity.
    pub fn double(&self, curve: &Curve<L, F>) -> Self {
        if self.is_infinity() {
            return *self;
        }
        if curve.a_is_minus_3 {
            return self.double_a_minus_3();
        }
        let xx = self.x.square();
        let yy = self.y.square();
        let yyyy = yy.square();
        let zz = self.z.square();
        let s = self.x.add(&yy).square().sub(&xx).sub(&yyyy).double();
        let m = xx.double().add(&xx).add(&curve.a.mul(&zz.square()));
        let x3 = m.square().sub(&s.double());
        let yyyy8 = yyyy.double().double().double();
        Self {
            y: m.mul(&s.sub(&x3)).sub(&yyyy8),
            z: self.y.add(&self.z).square().sub(&yy).sub(&zz),
            x: x3,
        }
    }

    /// dbl-2001-b: 3M + 5S, for the curves with a = −3 (tc26-512-A, CryptoPro-A).
    fn double_a_minus_3(&self) -> Self {
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x.mul(&gamma);
        let t = self.x.sub(&delta).mul(&self.x.add(&delta));
        let alpha = t.double().add(&t);
        let beta4 = beta.double().double();
        let x3 = alpha.square().sub(&beta4.double());
        let gamma2_8 = gamma.square().double().double().double();
        Self {
            z: self.y.add(&self.z).square().sub(&gamma).sub(&delta),
            y: alpha.mul(&beta4.sub(&x3)).sub(&gamma2_8),
            x: x3,
        }
    }

    /// Whether the affine x of this point is `x` (an integer below p): X = x·Z², with no
    /// inversion.
    pub fn has_x(&self, x: &F) -> bool {
        !self.is_infinity() && self.x == x.mul(&self.z.square())
    }

    /// P + Q for Jacobian Q (add-2007-bl).
    pub fn add(&self, curve: &Curve<L, F>, other: &Self) -> Self {
        if self.is_infinity() {
            return *other;
        }
        if other.is_infinity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = other.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = other.x.mul(&z1z1);
        let s1 = self.y.mul(&other.z).mul(&z2z2);
        let s2 = other.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let r = s2.sub(&s1).double();
        if h.is_zero() {
            return if r.is_zero() {
                self.double(curve)
            } else {
                Self::infinity(curve)
            };
        }
        let i = h.double().square();
        let j = h.mul(&i);
        let v = u1.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        Self {
            y: r.mul(&v.sub(&x3)).sub(&s1.mul(&j).double()),
            z: self.z.add(&other.z).square().sub(&z1z1).sub(&z2z2).mul(&h),
            x: x3,
        }
    }

    /// P + Q for affine Q (madd-2007-bl): the cheaper addition used in the loops.
    pub fn add_affine(&self, curve: &Curve<L, F>, other: &Affine<L, F>) -> Self {
        if self.is_infinity() {
            return Self::from_affine(curve, other);
        }
        let z1z1 = self.z.square();
        let u2 = other.x.mul(&z1z1);
        let s2 = other.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let r = s2.sub(&self.y).double();
        if h.is_zero() {
            return if r.is_zero() {
                self.double(curve)
            } else {
                Self::infinity(curve)
            };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h.mul(&i);
        let v = self.x.mul(&i);
        let x3 = r.square().sub(&j).sub(&v.double());
        Self {
            y: r.mul(&v.sub(&x3)).sub(&self.y.mul(&j).double()),
            z: self.z.add(&h).square().sub(&z1z1).sub(&hh),
            x: x3,
        }
    }

    /// The affine point; `None` for the point at infinity.
    pub fn to_affine(&self, curve: &Curve<L, F>) -> Option<Affine<L, F>> {
        let zinv = curve.p.invert(&self.z)?;
        let zinv2 = zinv.square();
        Some(Affine {
            x: self.x.mul(&zinv2),
            y: self.y.mul(&zinv2).mul(&zinv),
        })
    }
}

/// k·P by double-and-add from the top bit (the test signer's only use).
pub fn mul<const L: usize, F: FieldElement<L>>(
    curve: &Curve<L, F>,
    k: &Uint<L>,
    p: &Affine<L, F>,
) -> Jacobian<L, F> {
    let mut acc = Jacobian::infinity(curve);
    for i in (0..k.bits_vartime()).rev() {
        acc = acc.double(curve);
        if k.bit_vartime(i) {
            acc = acc.add_affine(curve, p);
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::signature::gost::curve::{Curve, EXAMPLE_256, L256};
    use crate::checks::signature::gost::fp::Mont;
    use crate::checks::signature::gost::scalar::mul_add;

    #[test]
    fn group_laws_hold_on_small_multiples() {
        let curve = Curve::<L256, Mont<L256>>::new(&EXAMPLE_256, 32).unwrap();
        let g = curve.g;
        let n = |k: u64| {
            mul(&curve, &Uint::from_u64(k), &g)
                .to_affine(&curve)
                .unwrap()
        };
        let g2 = Jacobian::from_affine(&curve, &g)
            .double(&curve)
            .to_affine(&curve)
            .unwrap();
        assert_eq!(n(2), g2);
        let five = Jacobian::from_affine(&curve, &n(2))
            .add(&curve, &Jacobian::from_affine(&curve, &n(3)))
            .to_affine(&curve)
            .unwrap();
        assert_eq!(five, n(5));
        assert!(curve.contains(&five));
        let combined = mul_add(&curve, &Uint::from_u64(7), &Uint::from_u64(4), &n(3));
        assert_eq!(combined.to_affine(&curve).unwrap(), n(19));
        // q·G is the point at infinity; P + (−P) too.
        assert!(mul(&curve, &curve.q.value, &g).is_infinity());
        let minus_g = Affine {
            x: g.x,
            y: g.y.neg(),
        };
        assert!(Jacobian::from_affine(&curve, &g)
            .add_affine(&curve, &minus_g)
            .is_infinity());
        assert!(mul_add(&curve, &Uint::ONE, &Uint::ONE, &minus_g).is_infinity());
    }
}
