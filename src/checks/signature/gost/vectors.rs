//! Known answers: the signature examples of GOST R 34.10-2012 appendix A (RFC 7091 A.1,
//! A.2; A.1 is also the GOST R 34.10-2001 example of RFC 5832 7.1), on the standards' test
//! curves. The standards print numbers big-endian; the digest e is given as a number.

use super::curve::{Curve, Params, EXAMPLE_256, EXAMPLE_512, L256, L512};
use super::field::{uint_from_be_hex, uint_to_le};
use super::fp::Mont;
use super::test_signer::sign_digest;
use super::verify::{public_key, verify};

struct Example {
    curve: Params,
    d: &'static str,
    qx: &'static str,
    qy: &'static str,
    e: &'static str,
    k: &'static str,
    r: &'static str,
    s: &'static str,
}

const A1: Example = Example {
    curve: EXAMPLE_256,
    d: "7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28",
    qx: "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
    qy: "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
    e: "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
    k: "77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3",
    r: "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
    s: "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
};

const A2: Example = Example {
    curve: EXAMPLE_512,
    d: "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4",
    qx: "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
    qy: "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
    e: "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
    k: "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1",
    r: "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
    s: "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A",
};

fn check<const L: usize>(ex: &Example, len: usize) {
    let curve = Curve::<L, Mont<L>>::new(&ex.curve, len).unwrap();
    let n = |hex: &str| uint_from_be_hex::<L>(hex).unwrap();
    let le = |hex: &str| uint_to_le(&n(hex), len).unwrap();
    // Q = d·P, in the KZ layout x‖y little-endian.
    let key = [le(ex.qx), le(ex.qy)].concat();
    let q = public_key(&curve, &key).expect("Q is on the curve");
    assert_eq!(
        super::point::mul(&curve, &n(ex.d), &curve.g).to_affine(&curve),
        Some(q)
    );
    let digest = le(ex.e);
    let (r, s) = sign_digest(&curve, &n(ex.d), &n(ex.k), &digest).unwrap();
    assert_eq!((r, s), (n(ex.r), n(ex.s)), "{}: r and s", ex.curve.name);
    let signature = [le(ex.r), le(ex.s)].concat();
    assert!(verify(&curve, &q, &digest, &signature), "{}", ex.curve.name);
    // Swapped halves, big-endian halves, a flipped bit, another digest: all refused.
    let swapped = [le(ex.s), le(ex.r)].concat();
    assert!(!verify(&curve, &q, &digest, &swapped));
    let mut reversed = signature.clone();
    reversed.reverse();
    assert!(!verify(&curve, &q, &digest, &reversed));
    let mut flipped = signature.clone();
    flipped[3] ^= 0x10;
    assert!(!verify(&curve, &q, &digest, &flipped));
    let mut other = digest.clone();
    other[0] ^= 1;
    assert!(!verify(&curve, &q, &other, &signature));
    // r = 0, s ≥ q, a short signature: refused, not reduced.
    let zero_r = [vec![0; len], le(ex.s)].concat();
    assert!(!verify(&curve, &q, &digest, &zero_r));
    let big_s = [le(ex.r), uint_to_le(&curve.q.value, len).unwrap()].concat();
    assert!(!verify(&curve, &q, &digest, &big_s));
    assert!(!verify(&curve, &q, &digest, &signature[1..]));
}

#[test]
fn gost_r_34_10_example_a1_256_bit() {
    check::<L256>(&A1, 32);
}

#[test]
fn gost_r_34_10_2012_example_a2_512_bit() {
    check::<L512>(&A2, 64);
}

#[test]
fn a_key_off_the_curve_or_out_of_range_is_refused() {
    let curve = Curve::<L256, Mont<L256>>::new(&EXAMPLE_256, 32).unwrap();
    let mut key = [
        uint_to_le(&uint_from_be_hex::<L256>(A1.qx).unwrap(), 32).unwrap(),
        uint_to_le(&uint_from_be_hex::<L256>(A1.qy).unwrap(), 32).unwrap(),
    ]
    .concat();
    key[40] ^= 1;
    assert!(public_key(&curve, &key).is_none());
    let p = uint_to_le(&curve.p.value, 32).unwrap();
    assert!(public_key(&curve, &[p.clone(), p].concat()).is_none());
    assert!(public_key(&curve, &key[1..]).is_none());
}
