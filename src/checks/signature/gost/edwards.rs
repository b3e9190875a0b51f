//! tc26-256-A in the twisted Edwards form it was designed in (RFC 7836 A.2:
//! e·u² + v² = 1 + d·u²·v² with e = 1), for a cheaper z1·P + z2·Q: extended coordinates
//! (u = X/Z, v = Y/Z, T = X·Y/Z; Hisil, Wong, Carter, Dawson 2008) double in 4M + 4S (3M + 4S
//! when the next step is another doubling, which needs no T) and add in 9M (8M with an affine
//! point), where the Weierstrass form's general `a` costs 1M + 8S + 1M and 11M + 5S (7M + 4S).
//! d is not a square mod p and e = 1 is, so the addition law is complete: no exceptional case,
//! doubling and the neutral element (0, 1) included.
//!
//! The maps between the forms (RFC 7836), with s = (e − d)/4 and t = (e + d)/6:
//! (x, y) ↦ (u, v) = ((x − t)/y, (x − t − s)/(x − t + s)), and x = s(1 + v)/(1 − v) + t.
//! A Weierstrass point with y = 0 or x − t + s = 0 has no image here; the caller then keeps
//! the Weierstrass arithmetic.

use crypto_bigint::Uint;

use super::field::uint_from_be_hex;
use super::fp::{FieldElement, PrimeField};
use super::point::Affine;
use super::scalar::{entry, wnaf, G_WINDOW, Q_WINDOW};

/// The twisted Edwards form as the standard prints it (big-endian hex; e = 1).
#[derive(Debug, Clone, Copy)]
pub struct EdwardsParams {
    pub d: &'static str,
    /// The generator (u, v).
    pub u: &'static str,
    pub v: &'static str,
}

/// A point in extended coordinates; `t` is stale after a doubling that was told no
/// addition follows.
#[derive(Debug, Clone, Copy)]
pub struct Extended<F> {
    x: F,
    y: F,
    z: F,
    t: F,
}

/// A point ready to be added: X, Y, Z (`None` for Z = 1) and d·T.
#[derive(Debug, Clone, Copy)]
struct Cached<F> {
    x: F,
    y: F,
    z: Option<F>,
    dt: F,
}

impl<F: Copy> Cached<F> {
    /// The point, or its negation −(u, v) = (−u, v).
    fn signed<const L: usize>(&self, negative: bool) -> Self
    where
        F: FieldElement<L>,
    {
        if negative {
            Self {
                x: self.x.neg(),
                dt: self.dt.neg(),
                ..*self
            }
        } else {
            *self
        }
    }
}

impl<F> Extended<F> {
    /// 2P (dbl-2008-hwcd with a = 1); T only if `with_t`.
    #[inline]
    fn double<const L: usize>(&self, with_t: bool) -> Self
    where
        F: FieldElement<L>,
    {
        let a = self.x.square();
        let b = self.y.square();
        let c = self.z.square().double();
        let e = self.x.add(&self.y).square().sub(&a).sub(&b);
        let g = a.add(&b);
        let f = g.sub(&c);
        let h = a.sub(&b);
        Self {
            x: e.mul(&f),
            y: g.mul(&h),
            z: f.mul(&g),
            t: if with_t { e.mul(&h) } else { self.t },
        }
    }

    /// P + Q (add-2008-hwcd with a = 1, d·T2 precomputed; Z2 = 1 saves a product).
    #[inline]
    fn add<const L: usize>(&self, other: &Cached<F>) -> Self
    where
        F: FieldElement<L>,
    {
        let a = self.x.mul(&other.x);
        let b = self.y.mul(&other.y);
        let c = self.t.mul(&other.dt);
        let d = other.z.as_ref().map_or(self.z, |z| self.z.mul(z));
        let e = self
            .x
            .add(&self.y)
            .mul(&other.x.add(&other.y))
            .sub(&a)
            .sub(&b);
        let f = d.sub(&c);
        let g = d.add(&c);
        let h = b.sub(&a);
        Self {
            x: e.mul(&f),
            y: g.mul(&h),
            z: f.mul(&g),
            t: e.mul(&h),
        }
    }
}

/// The Edwards form of one curve: d, the maps' s and t, and the generator's odd multiples.
#[derive(Debug)]
pub struct Edwards<const L: usize, F: FieldElement<L>> {
    one: F,
    d: F,
    s: F,
    t: F,
    g_table: Vec<Cached<F>>,
}

impl<const L: usize, F: FieldElement<L>> Edwards<L, F> {
    /// From the standard's parameters and the Weierstrass generator's odd multiples (G, 3G,
    /// …); `None` if a constant does not parse or the two generators do not correspond.
    pub fn new(
        p: &PrimeField<L, F>,
        params: &EdwardsParams,
        g_table: &[Affine<L, F>],
    ) -> Option<Self> {
        let int = |hex: &str| p.element(&uint_from_be_hex::<L>(hex)?);
        let (one, d) = (p.one(), int(params.d)?);
        let small = |n: u8| p.element(&Uint::from_u8(n));
        let s = one.sub(&d).mul(&p.invert(&small(4)?)?);
        let t = one.add(&d).mul(&p.invert(&small(6)?)?);
        let mut edwards = Self {
            one,
            d,
            s,
            t,
            g_table: Vec::new(),
        };
        let points: Vec<Extended<F>> = g_table
            .iter()
            .map(|w| edwards.image(w))
            .collect::<Option<_>>()?;
        let z_inverses = batch_invert(p, &points.iter().map(|e| e.z).collect::<Vec<_>>())?;
        edwards.g_table = points
            .iter()
            .zip(z_inverses)
            .map(|(e, z_inv)| {
                let (x, y) = (e.x.mul(&z_inv), e.y.mul(&z_inv));
                Cached {
                    x,
                    y,
                    z: None,
                    dt: d.mul(&x).mul(&y),
                }
            })
            .collect();
        let g = edwards.g_table.first()?;
        (g.x == int(params.u)? && g.y == int(params.v)?).then_some(edwards)
    }

    /// The Edwards image of (x, y): (X : Y : Z : T) = (x'(x' + s) : (x' − s)y : y(x' + s) : x'(x' − s)), x' = x − t,
    /// whose u = x'/y and v = (x' − s)/(x' + s); `None` where Z = 0.
    fn image(&self, w: &Affine<L, F>) -> Option<Extended<F>> {
        let x = w.x.sub(&self.t);
        let (plus, minus) = (x.add(&self.s), x.sub(&self.s));
        let z = w.y.mul(&plus);
        (!z.is_zero()).then(|| Extended {
            x: x.mul(&plus),
            y: minus.mul(&w.y),
            z,
            t: x.mul(&minus),
        })
    }

    fn cached(&self, p: &Extended<F>) -> Cached<F> {
        Cached {
            x: p.x,
            y: p.y,
            z: Some(p.z),
            dt: self.d.mul(&p.t),
        }
    }

    /// z1·G + z2·Q by interleaved wNAF (as [`super::scalar::mul_add`]); `None` if Q has no
    /// Edwards image.
    pub fn mul_add(&self, z1: &Uint<L>, z2: &Uint<L>, q: &Affine<L, F>) -> Option<Extended<F>> {
        let q = self.image(q)?;
        let twice = self.cached(&q.double(true));
        let mut q_table = vec![self.cached(&q)];
        let mut last = q;
        for _ in 1..(1usize << (Q_WINDOW - 2)) {
            last = last.add(&twice);
            q_table.push(self.cached(&last));
        }
        let (d1, d2) = (wnaf(z1, G_WINDOW), wnaf(z2, Q_WINDOW));
        let zero = self.one.sub(&self.one);
        let mut acc = Extended {
            x: zero,
            y: self.one,
            z: self.one,
            t: zero,
        };
        for i in (0..d1.len().max(d2.len())).rev() {
            let (g, q) = (entry(&d1, i), entry(&d2, i));
            acc = acc.double(g.is_some() || q.is_some());
            if let Some(p) = g.and_then(|(j, negative)| Some(self.g_table.get(j)?.signed(negative)))
            {
                acc = acc.add(&p);
            }
            if let Some(p) = q.and_then(|(j, negative)| Some(q_table.get(j)?.signed(negative))) {
                acc = acc.add(&p);
            }
        }
        Some(acc)
    }

    /// Whether the Weierstrass x of `p` is `x`: x = s(Z + Y)/(Z − Y) + t, compared without
    /// an inversion; the neutral element (Z = Y) has none.
    pub fn has_x(&self, p: &Extended<F>, x: &F) -> bool {
        let denominator = p.z.sub(&p.y);
        !denominator.is_zero() && x.sub(&self.t).mul(&denominator) == self.s.mul(&p.z.add(&p.y))
    }
}

/// The inverses of `values` with one inversion (Montgomery's trick); `None` if one is 0.
fn batch_invert<const L: usize, F: FieldElement<L>>(
    p: &PrimeField<L, F>,
    values: &[F],
) -> Option<Vec<F>> {
    let mut prefix = Vec::with_capacity(values.len());
    let mut acc = p.one();
    for v in values {
        prefix.push(acc);
        acc = acc.mul(v);
    }
    let mut inv = p.invert(&acc)?;
    let mut out = vec![acc; values.len()];
    for (i, v) in values.iter().enumerate().rev() {
        out[i] = inv.mul(&prefix[i]);
        inv = inv.mul(v);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::signature::gost::curve::{CURVE_TC26_256_A, L256};
    use crate::checks::signature::gost::point::mul;
    use crate::checks::signature::gost::scalar::{combine, mul_add, Combination};

    /// The Edwards computation gives the Weierstrass one's x, and only that x.
    #[test]
    fn edwards_and_weierstrass_agree_on_tc26_256_a() {
        let curve = CURVE_TC26_256_A.as_ref().unwrap();
        let edwards = curve
            .edwards
            .as_ref()
            .expect("tc26-256-A has its Edwards form");
        // Scalars over all four limbs.
        let big = |k: u64| {
            Uint::<L256>::from_words([
                k.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                k ^ 0xdead_beef_cafe_f00d,
                k.rotate_left(29),
                k >> 3,
            ])
        };
        for (i, (k, z1, z2)) in [
            (7u64, 1u64, 1u64),
            (123_456, 0, 99),
            (98_765, 5, 0),
            (31, 2, 3),
        ]
        .into_iter()
        .chain((1..12).map(|n| (n * 7919, n * 104_729, n * 1_299_709)))
        .enumerate()
        {
            let q = mul(curve, &big(k), &curve.g).to_affine(curve).unwrap();
            let (z1, z2) = (big(z1), big(z2));
            let weierstrass = mul_add(curve, &z1, &z2, &q);
            let sum = edwards.mul_add(&z1, &z2, &q).unwrap();
            match weierstrass.to_affine(curve) {
                Some(w) => {
                    assert!(edwards.has_x(&sum, &w.x), "{i}");
                    assert!(!edwards.has_x(&sum, &w.x.add(&curve.p.one())), "{i}");
                }
                None => assert!(!edwards.has_x(&sum, &curve.p.zero()), "{i}"),
            }
            assert!(matches!(
                combine(curve, &z1, &z2, &q),
                Combination::Edwards(_)
            ));
        }
    }

    /// (t, 0), the point of order 2, has no Edwards image under the map: the Weierstrass
    /// arithmetic takes it.
    #[test]
    fn a_point_without_an_edwards_image_stays_weierstrass() {
        let curve = CURVE_TC26_256_A.as_ref().unwrap();
        let edwards = curve.edwards.as_ref().unwrap();
        let two_torsion = Affine {
            x: edwards.t,
            y: curve.p.zero(),
        };
        assert!(curve.contains(&two_torsion));
        assert!(edwards
            .mul_add(&Uint::ONE, &Uint::ONE, &two_torsion)
            .is_none());
        let sum = combine(curve, &Uint::ONE, &Uint::ONE, &two_torsion);
        assert!(matches!(sum, Combination::Weierstrass(_)));
        let expected = mul_add(curve, &Uint::ONE, &Uint::ONE, &two_torsion)
            .to_affine(curve)
            .unwrap();
        assert!(sum.has_x(curve, &expected.x));
    }

    #[test]
    fn d_is_not_a_square_so_the_addition_law_is_complete() {
        let curve = CURVE_TC26_256_A.as_ref().unwrap();
        let edwards = curve.edwards.as_ref().unwrap();
        // Euler's criterion: d^((p−1)/2) = −1.
        let e = curve.p.value.shr_vartime(1);
        let mut acc = curve.p.one();
        for i in (0..e.bits_vartime()).rev() {
            acc = acc.square();
            if e.bit_vartime(i) {
                acc = acc.mul(&edwards.d);
            }
        }
        assert_eq!(acc, curve.p.one().neg());
    }
}
