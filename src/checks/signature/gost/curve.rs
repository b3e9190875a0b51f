//! The curves: the national CA's three (RFC 7836 tc26-512-A and tc26-256-A, RFC 4357
//! CryptoPro-A) and the two test curves of the standards' signature examples (GOST R
//! 34.10-2012 appendix A / RFC 7091, GOST R 34.10-2001 / RFC 5832), all as short Weierstrass
//! curves y² = x³ + ax + b over GF(p) with a generator of prime order q.

use std::sync::LazyLock;

use crypto_bigint::{U256, U512};

use super::edwards::{Edwards, EdwardsParams};
use super::field::{uint_from_be_hex, Modulus};
use super::fp::{FieldElement, Fp256, Fp512, PrimeField};
use super::point::Affine;
use super::scalar::{generator_table, G_WINDOW};

/// A curve as the standards print it: big-endian hex.
pub struct Params {
    pub name: &'static str,
    pub p: &'static str,
    pub a: &'static str,
    pub b: &'static str,
    pub q: &'static str,
    pub x: &'static str,
    pub y: &'static str,
    /// The twisted Edwards form, for a curve that has one (tc26-256-A).
    pub edwards: Option<EdwardsParams>,
}

/// A curve ready for arithmetic; `len` is the byte length of a coordinate, of r and of s.
#[derive(Debug)]
pub struct Curve<const L: usize, F: FieldElement<L>> {
    pub name: &'static str,
    pub p: PrimeField<L, F>,
    pub q: Modulus<L>,
    pub a: F,
    pub b: F,
    pub g: Affine<L, F>,
    /// G, 3G, 5G, …: the generator's odd multiples for its wNAF digits.
    pub g_table: Vec<Affine<L, F>>,
    /// The Edwards form, where the curve has one: the verifier computes there.
    pub edwards: Option<Edwards<L, F>>,
    /// a = −3 (mod p): the cheaper doubling applies.
    pub a_is_minus_3: bool,
    pub len: usize,
}

impl<const L: usize, F: FieldElement<L>> Curve<L, F> {
    /// `None` if a number does not parse or fit, a modulus is even, or the generator is not
    /// on the curve: constants that fail here are a typo, caught by the unit tests.
    pub fn new(params: &Params, len: usize) -> Option<Self> {
        let int = |hex: &str| uint_from_be_hex::<L>(hex);
        let p = PrimeField::<L, F>::new(int(params.p)?)?;
        let q = Modulus::new(int(params.q)?)?;
        let a = p.element(&int(params.a)?)?;
        let three = p.element(&crypto_bigint::Uint::from_u8(3))?;
        let mut curve = Self {
            name: params.name,
            a_is_minus_3: a.add(&three) == p.zero(),
            a,
            b: p.element(&int(params.b)?)?,
            g: Affine {
                x: p.element(&int(params.x)?)?,
                y: p.element(&int(params.y)?)?,
            },
            g_table: Vec::new(),
            edwards: None,
            p,
            q,
            len,
        };
        if !curve.contains(&curve.g) {
            return None;
        }
        curve.g_table = generator_table(&curve);
        if curve.g_table.len() != 1 << (G_WINDOW - 2) {
            return None;
        }
        if let Some(edwards) = &params.edwards {
            curve.edwards = Some(Edwards::new(&curve.p, edwards, &curve.g_table)?);
        }
        Some(curve)
    }

    /// y² = x³ + ax + b.
    pub fn contains(&self, point: &Affine<L, F>) -> bool {
        let (x, y) = (&point.x, &point.y);
        let rhs = x.square().mul(x).add(&self.a.mul(x)).add(&self.b);
        y.square() == rhs
    }
}

/// id-tc26-gost-3410-12-512-paramSetA (RFC 7836 A.1): KZ parameter set 1.2.398.3.10.1.1.2.2.1.
pub const TC26_512_A: Params = Params {
    name: "id-tc26-gost-3410-12-512-paramSetA",
    p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
    a: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
    b: "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
    q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
    x: "3",
    y: "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
    edwards: None,
};

/// id-tc26-gost-3410-2012-256-paramSetA (RFC 7836 A.2), a twisted Edwards curve (e = 1, d, and
/// the generator (u, v) below), here in the Weierstrass form the RFC also gives: KZ parameter
/// set 1.2.398.3.10.1.1.2.1.1.
pub const TC26_256_A: Params = Params {
    name: "id-tc26-gost-3410-2012-256-paramSetA",
    p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
    a: "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
    b: "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
    q: "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
    x: "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
    y: "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
    edwards: Some(EdwardsParams {
        d: "0605F6B7C183FA81578BC39CFAD518132B9DF62897009AF7E522C32D6DC7BFFB",
        u: "0D",
        v: "60CA1E32AA475B348488C38FAB07649CE7EF8DBE87F22E81F92B2592DBA300E7",
    }),
};

/// id-GostR3410-2001-CryptoPro-A-ParamSet (RFC 4357 11.4): KZ GOST 34.310-2004 parameter set
/// 1.2.398.3.10.1.1.1.1.1.
pub const CRYPTOPRO_A: Params = Params {
    name: "id-GostR3410-2001-CryptoPro-A-ParamSet",
    p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
    a: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
    b: "A6",
    q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
    x: "1",
    y: "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
    edwards: None,
};

/// The 256-bit curve of the signature example (GOST R 34.10-2012 A.1, RFC 5832 7.1,
/// RFC 7091 A.1). Test only.
pub const EXAMPLE_256: Params = Params {
    name: "GOST R 34.10 example, 256 bit",
    p: "8000000000000000000000000000000000000000000000000000000000000431",
    a: "7",
    b: "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
    q: "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
    x: "2",
    y: "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
    edwards: None,
};

/// The 512-bit curve of the signature example (GOST R 34.10-2012 A.2, RFC 7091 A.2). Test only.
pub const EXAMPLE_512: Params = Params {
    name: "GOST R 34.10-2012 example, 512 bit",
    p: "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
    a: "7",
    b: "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC4361834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
    q: "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
    x: "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
    y: "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E",
    edwards: None,
};

pub const L512: usize = U512::LIMBS;
pub const L256: usize = U256::LIMBS;

/// Built once; `None` only if a constant above is wrong (the unit tests say not).
pub static CURVE_TC26_512_A: LazyLock<Option<Curve<L512, Fp512>>> =
    LazyLock::new(|| Curve::new(&TC26_512_A, 64));
pub static CURVE_TC26_256_A: LazyLock<Option<Curve<L256, Fp256>>> =
    LazyLock::new(|| Curve::new(&TC26_256_A, 32));
pub static CURVE_CRYPTOPRO_A: LazyLock<Option<Curve<L256, Fp256>>> =
    LazyLock::new(|| Curve::new(&CRYPTOPRO_A, 32));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::signature::gost::fp::Mont;

    #[test]
    fn every_curve_builds_with_its_generator_on_it() {
        assert!(CURVE_TC26_512_A.is_some());
        assert!(CURVE_TC26_256_A.is_some());
        assert!(CURVE_CRYPTOPRO_A.is_some());
        assert!(Curve::<L256, Mont<L256>>::new(&EXAMPLE_256, 32).is_some());
        assert!(Curve::<L512, Mont<L512>>::new(&EXAMPLE_512, 64).is_some());
        let a_minus_3 = |c: &Option<Curve<L512, Fp512>>| c.as_ref().map(|c| c.a_is_minus_3);
        assert_eq!(a_minus_3(&CURVE_TC26_512_A), Some(true));
        assert_eq!(
            CURVE_CRYPTOPRO_A.as_ref().map(|c| c.a_is_minus_3),
            Some(true)
        );
        assert_eq!(
            CURVE_TC26_256_A.as_ref().map(|c| c.a_is_minus_3),
            Some(false)
        );
    }

    #[test]
    fn a_wrong_generator_is_refused() {
        let bad = Params {
            y: "1",
            ..CRYPTOPRO_A
        };
        assert!(Curve::<L256, Fp256>::new(&bad, 32).is_none());
    }
}
