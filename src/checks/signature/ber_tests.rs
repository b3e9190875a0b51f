use super::*;
use proptest::prelude::*;

#[test]
fn der_passes_unchanged() {
    let der = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xaa];
    assert_eq!(to_der(&der), Ok(der.to_vec()));
}

#[test]
fn indefinite_lengths_become_definite() {
    // SEQUENCE (indefinite) { SEQUENCE (indefinite) { INTEGER 5 } }
    let ber = [0x30, 0x80, 0x30, 0x80, 0x02, 0x01, 0x05, 0, 0, 0, 0];
    assert_eq!(
        to_der(&ber),
        Ok(vec![0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05])
    );
}

#[test]
fn segmented_octet_strings_are_joined() {
    // [0] (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "c" } }
    let ber = [
        0xa0, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0, 0, 0,
    ];
    let der = [0xa0, 0x05, 0x04, 0x03, b'a', b'b', b'c'];
    assert_eq!(to_der(&ber), Ok(der.to_vec()));
}

#[test]
fn long_form_lengths_are_made_minimal() {
    let ber = [0x04, 0x82, 0x00, 0x01, 0xff];
    assert_eq!(to_der(&ber), Ok(vec![0x04, 0x01, 0xff]));
    let long = [vec![0x04, 0x81, 0x80], vec![7; 0x80]].concat();
    assert_eq!(to_der(&long), Ok(long.clone()));
}

#[test]
fn high_tag_numbers_are_kept() {
    let ber = [0xbf, 0x81, 0x00, 0x80, 0x05, 0x00, 0, 0];
    assert_eq!(to_der(&ber), Ok(vec![0xbf, 0x81, 0x00, 0x02, 0x05, 0x00]));
}

#[test]
fn malformed_input_is_an_error() {
    let cases: &[(&[u8], BerError)] = &[
        (&[], BerError::Truncated),
        (&[0x30, 0x80, 0x05, 0x00], BerError::Truncated),
        (&[0x30, 0x03, 0x05, 0x00], BerError::Truncated),
        (&[0x05, 0x00, 0x00], BerError::TrailingData),
        (&[0x04, 0x80, 0x00, 0x00], BerError::IndefinitePrimitive),
        (&[0x04, 0x85, 1, 1, 1, 1, 1], BerError::BadLength),
        (&[0x24, 0x03, 0x02, 0x01, 0x01], BerError::BadSegment),
    ];
    for (input, want) in cases {
        assert_eq!(to_der(input), Err(*want), "{input:02x?}");
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let mut ber = Vec::new();
    for _ in 0..100_000 {
        ber.extend([0x30, 0x80]);
    }
    assert_eq!(to_der(&ber), Err(BerError::TooDeep));
}

/// A random tree of values, to encode as BER with random length forms.
#[derive(Debug, Clone)]
enum Tree {
    Leaf(Vec<u8>),
    Node(Vec<Tree>),
    Octets(Vec<Vec<u8>>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = proptest::collection::vec(any::<u8>(), 0..40).prop_map(Tree::Leaf);
    leaf.prop_recursive(6, 64, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner, 0..5).prop_map(Tree::Node),
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 0..4)
                .prop_map(Tree::Octets),
        ]
    })
}

fn der(t: &Tree) -> Vec<u8> {
    let (identifier, content) = match t {
        Tree::Leaf(b) => (0x04, b.clone()),
        Tree::Node(c) => (0x30, c.iter().flat_map(der).collect()),
        Tree::Octets(s) => (0x04, s.concat()),
    };
    Value {
        identifier: vec![identifier],
        content,
    }
    .encode()
}

fn ber(t: &Tree, indefinite: &mut impl Iterator<Item = bool>) -> Vec<u8> {
    let (identifier, content) = match t {
        Tree::Leaf(b) => return der(&Tree::Leaf(b.clone())),
        Tree::Node(c) => (0x30, c.iter().flat_map(|c| ber(c, indefinite)).collect()),
        Tree::Octets(s) => (
            0x24,
            s.iter().flat_map(|s| der(&Tree::Leaf(s.clone()))).collect(),
        ),
    };
    if indefinite.next().unwrap_or(true) {
        [vec![identifier, 0x80], content, vec![0, 0]].concat()
    } else {
        Value {
            identifier: vec![identifier],
            content,
        }
        .encode()
    }
}

proptest! {
    #[test]
    fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = to_der(&bytes);
    }

    #[test]
    fn ber_of_a_tree_normalises_to_its_der(t in tree(), choices in proptest::collection::vec(any::<bool>(), 64)) {
        let encoded = ber(&t, &mut choices.into_iter());
        prop_assert_eq!(to_der(&encoded), Ok(der(&t)));
    }
}
