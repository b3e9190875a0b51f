//! The forger's edits of a good CMS SignedData, made on the parsed structure with the
//! `cms`/`x509-cert` types and encoded back to DER, and the hostile encodings (deep
//! nesting) built byte by byte.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{Any, ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Decode, Encode};
use trp_worker::checks::signature::ber::push_length;
use x509_cert::attr::Attribute;
use x509_cert::ext::Extension;
use x509_cert::Certificate;

pub const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");

/// `cms` with `edit` applied to its SignedData.
pub fn signed_data(cms: &[u8], edit: impl FnOnce(&mut SignedData)) -> Vec<u8> {
    let mut info = ContentInfo::from_der(cms).expect("a DER CMS to edit");
    let mut data: SignedData = info.content.decode_as().unwrap();
    edit(&mut data);
    info.content = Any::encode_from(&data).unwrap();
    info.to_der().unwrap()
}

/// `cms` with `edit` applied to its one signer.
pub fn signer(cms: &[u8], edit: impl FnOnce(&mut SignerInfo)) -> Vec<u8> {
    signed_data(cms, |data| {
        let mut signers = data.signer_infos.0.clone().into_vec();
        edit(&mut signers[0]);
        data.signer_infos.0 = SetOfVec::try_from(signers).unwrap();
    })
}

/// The signer's signatureAlgorithm (and, when given, digestAlgorithm) rewritten to
/// another family's OIDs; the signature value stays as it was.
pub fn algorithms(cms: &[u8], signature: &str, digest: Option<&str>) -> Vec<u8> {
    signer(cms, |s| {
        s.signature_algorithm.oid = Oid::new_unwrap(signature);
        s.signature_algorithm.parameters = None;
        if let Some(digest) = digest {
            s.digest_alg.oid = Oid::new_unwrap(digest);
            s.digest_alg.parameters = None;
        }
    })
}

/// The signature value rearranged by `rearrange` (the GOST byte orders).
pub fn signature_value(cms: &[u8], rearrange: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    signer(cms, |s| {
        s.signature = OctetString::new(rearrange(s.signature.as_bytes())).unwrap();
    })
}

/// `r‖s` as `s‖r`: the halves swapped, each in its own byte order.
pub fn halves_swapped(value: &[u8]) -> Vec<u8> {
    let (r, s) = value.split_at(value.len() / 2);
    [s, r].concat()
}

/// The whole value reversed: big-endian `s‖r` where little-endian `r‖s` is expected.
pub fn reversed(value: &[u8]) -> Vec<u8> {
    value.iter().rev().copied().collect()
}

/// Each half reversed in place: big-endian `r‖s`.
pub fn halves_reversed(value: &[u8]) -> Vec<u8> {
    let (r, s) = value.split_at(value.len() / 2);
    [reversed(r), reversed(s)].concat()
}

/// One bit of the signed messageDigest attribute flipped; the signature left as it was.
pub fn message_digest_flipped(cms: &[u8]) -> Vec<u8> {
    signer(cms, |s| {
        let attrs = s.signed_attrs.as_ref().expect("signed attributes").clone();
        let attrs: Vec<Attribute> = attrs
            .into_vec()
            .into_iter()
            .map(|mut attr| {
                if attr.oid == MESSAGE_DIGEST {
                    let value: OctetString = attr.values.get(0).unwrap().decode_as().unwrap();
                    let mut digest = value.into_bytes();
                    digest[0] ^= 0x01;
                    let value = Any::encode_from(&OctetString::new(digest).unwrap()).unwrap();
                    attr.values = SetOfVec::try_from(vec![value]).unwrap();
                }
                attr
            })
            .collect();
        s.signed_attrs = Some(SetOfVec::try_from(attrs).unwrap());
    })
}

/// One more signed attribute of type `oid` holding `value` (DER of any one value).
pub fn signed_attribute_added(cms: &[u8], oid: &str, value: &[u8]) -> Vec<u8> {
    signer(cms, |s| {
        let mut attrs = s
            .signed_attrs
            .clone()
            .expect("signed attributes")
            .into_vec();
        attrs.push(Attribute {
            oid: Oid::new_unwrap(oid),
            values: SetOfVec::try_from(vec![Any::from_der(value).unwrap()]).unwrap(),
        });
        s.signed_attrs = Some(SetOfVec::try_from(attrs).unwrap());
    })
}

/// The attached content replaced by `content`; the signature left as it was.
pub fn attached_content(cms: &[u8], content: &[u8]) -> Vec<u8> {
    signed_data(cms, |data| {
        let octets = OctetString::new(content).unwrap();
        data.encap_content_info.econtent = Some(Any::encode_from(&octets).unwrap());
    })
}

/// The signer's certificate as the SignedData carries it, with `edit` applied and its
/// issuer's signature left as it was.
pub fn signer_certificate(cms: &[u8], edit: impl FnOnce(&mut Certificate)) -> Vec<u8> {
    signed_data(cms, |data| {
        let signer = data.signer_infos.0.get(0).unwrap();
        let SignerIdentifier::IssuerAndSerialNumber(sid) = &signer.sid else {
            panic!("the corpus's signers are named by issuer and serial number");
        };
        let sid = sid.clone();
        let set = data.certificates.as_ref().expect("certificates").0.clone();
        let mut edit = Some(edit);
        let certs: Vec<CertificateChoices> = set
            .into_vec()
            .into_iter()
            .map(|choice| match choice {
                CertificateChoices::Certificate(mut cert)
                    if cert.tbs_certificate.serial_number == sid.serial_number
                        && cert.tbs_certificate.issuer == sid.issuer =>
                {
                    (edit.take().expect("one signer certificate"))(&mut cert);
                    CertificateChoices::Certificate(cert)
                }
                other => other,
            })
            .collect();
        assert!(
            edit.is_none(),
            "the signer's certificate is in the SignedData"
        );
        data.certificates = Some(cms::signed_data::CertificateSet(
            SetOfVec::try_from(certs).unwrap(),
        ));
    })
}

/// A non-critical private extension of `size` bytes (an OCTET STRING of zeros).
pub fn huge_extension(size: usize) -> Extension {
    Extension {
        extn_id: Oid::new_unwrap("1.3.6.1.4.1.99999.1"),
        critical: false,
        extn_value: OctetString::new(vec![0u8; size]).unwrap(),
    }
}

/// `depth` SEQUENCEs, each holding the next, the innermost empty; definite lengths (DER).
/// Each holds only the next, so the encoding is the headers, outermost first.
pub fn nested_definite(depth: usize) -> Vec<u8> {
    let mut headers: Vec<Vec<u8>> = Vec::with_capacity(depth);
    let mut inner = 0;
    for _ in 0..depth {
        let mut header = vec![0x30];
        push_length(&mut header, inner);
        inner += header.len();
        headers.push(header);
    }
    headers.into_iter().rev().flatten().collect()
}

/// `depth` SEQUENCEs with indefinite lengths, each holding the next: BER as a streaming
/// tool writes it, closed by as many end-of-contents markers.
pub fn nested_indefinite(depth: usize) -> Vec<u8> {
    [[0x30, 0x80].repeat(depth), [0x00, 0x00].repeat(depth)].concat()
}
