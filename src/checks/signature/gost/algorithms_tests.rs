//! The GOST identifiers, byte for byte, and malformed keys.

use der::asn1::{Null, ObjectIdentifier as Oid};
use der::Encode;

use super::*;

fn oid(s: &str) -> Vec<u8> {
    Oid::new_unwrap(s).to_der().unwrap()
}

fn key_id(key: &str, set: &str, hash: Option<&str>) -> Vec<u8> {
    let mut params = oid(set);
    params.extend(hash.map(oid).unwrap_or_default());
    let mut out = oid(key);
    out.push(0x30);
    out.push(u8::try_from(params.len()).unwrap());
    out.extend(params);
    out
}

/// The hand-written DER bytes are the `der` crate's encoding of the named OIDs.
#[test]
fn identifiers_are_the_der_of_the_oids() {
    let null = Null.to_der().unwrap();
    let rows: [(&GostAlgorithm, &str, &str, &str, &str); 3] = [
        (
            &GOST2015_512,
            "1.2.398.3.10.1.1.2.3.2",
            "1.2.398.3.10.1.1.2.2",
            "1.2.398.3.10.1.1.2.2.1",
            "1.2.398.3.10.1.3.3",
        ),
        (
            &GOST2015_256,
            "1.2.398.3.10.1.1.2.3.1",
            "1.2.398.3.10.1.1.2.1",
            "1.2.398.3.10.1.1.2.1.1",
            "1.2.398.3.10.1.3.2",
        ),
        (
            &GOST2004,
            "1.2.398.3.10.1.1.1.2",
            "1.2.398.3.10.1.1.1.1",
            "1.2.398.3.10.1.1.1.1.1",
            "1.2.398.3.10.1.3.1.1.0",
        ),
    ];
    for (alg, sig, key, set, hash) in rows {
        assert_eq!(alg.signature_id, [oid(sig), null.clone()].concat());
        assert_eq!(alg.key_id, key_id(key, set, Some(hash)));
    }
    for (alg, sig) in [
        (&GOST2015_512_BARE, "1.2.398.3.10.1.1.2.3.2"),
        (&GOST2015_256_BARE, "1.2.398.3.10.1.1.2.3.1"),
        (&GOST2004_BARE, "1.2.398.3.10.1.1.1.2"),
    ] {
        assert_eq!(alg.signature_id, oid(sig));
    }
    assert_eq!(
        GOST2015_512_NO_HASH.key_id,
        key_id("1.2.398.3.10.1.1.2.2", "1.2.398.3.10.1.1.2.2.1", None)
    );
    assert_eq!(
        GOST2004_NO_HASH.key_id,
        key_id("1.2.398.3.10.1.1.1.1", "1.2.398.3.10.1.1.1.1.1", None)
    );
}

#[test]
fn a_key_that_is_not_an_octet_string_is_refused_without_panic() {
    for kind in [Kind::Gost2015_512, Kind::Gost2015_256, Kind::Gost2004] {
        assert!(!kind.verify(&[], b"m", &[0; 64]));
        assert!(!kind.verify(&[0x04, 0x81], b"m", &[0; 128]));
        assert!(!kind.verify(&[0x03, 0x00], b"m", &[]));
    }
}
