//! CMS SignedData by the GOST test PKI's keys (`gost_pki`), DER assembled with the `cms`
//! types; the signature made by the library's TEST-ONLY signer.
#![allow(dead_code)]

use cms::content_info::ContentInfo;
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Decode, Encode};
use trp_worker::checks::signature::gost::algorithms::Kind;
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use super::gost_pki::{oids, Key};

const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");

/// How to make a CMS signature.
#[derive(Clone, Default)]
pub struct CmsOptions {
    pub attached: bool,
    pub no_signed_attributes: bool,
    /// The messageDigest attribute's value instead of the document's GOST hash.
    pub message_digest: Option<Vec<u8>>,
    /// Other certificates to carry (intermediates).
    pub extra_certs: Vec<Vec<u8>>,
    /// A signingTime signed attribute with this value.
    pub signing_time: Option<x509_cert::time::Time>,
}

/// A CMS SignedData over `document` by `key` with certificate `cert` (DER).
pub fn cms(cert_der: &[u8], key: &Key, document: &[u8], options: &CmsOptions) -> Vec<u8> {
    let cert = Certificate::from_der(cert_der).unwrap();
    let (sig_oid, _, _, hash_oid, _) = oids(key.kind);
    let hash_oid = match key.kind {
        Kind::Gost2004 => Oid::new_unwrap("1.2.398.3.10.1.3.1"),
        _ => hash_oid,
    };
    let digest = options
        .message_digest
        .clone()
        .unwrap_or_else(|| key.kind.hash().digest(document));
    let attr = |oid: Oid, value: Any| Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).unwrap(),
    };
    let signed_attrs = (!options.no_signed_attributes).then(|| {
        let mut attrs = vec![
            attr(CONTENT_TYPE, Any::from(&ID_DATA)),
            attr(
                MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(digest).unwrap()).unwrap(),
            ),
        ];
        if let Some(at) = &options.signing_time {
            attrs.push(attr(SIGNING_TIME, Any::encode_from(at).unwrap()));
        }
        SetOfVec::try_from(attrs).unwrap()
    });
    let signature = match &signed_attrs {
        Some(attrs) => key.sign(&attrs.to_der().unwrap()),
        None => key.sign(document),
    };
    let digest_alg = AlgorithmIdentifierOwned {
        oid: hash_oid,
        parameters: None,
    };
    let signer = SignerInfo {
        version: cms::content_info::CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(cms::cert::IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs,
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: sig_oid,
            parameters: None,
        },
        signature: OctetString::new(signature).unwrap(),
        unsigned_attrs: None,
    };
    let mut certs = vec![cms::cert::CertificateChoices::Certificate(cert)];
    for extra in &options.extra_certs {
        certs.push(cms::cert::CertificateChoices::Certificate(
            Certificate::from_der(extra).unwrap(),
        ));
    }
    let signed = SignedData {
        version: cms::content_info::CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![digest_alg]).unwrap(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: options
                .attached
                .then(|| Any::encode_from(&OctetString::new(document).unwrap()).unwrap()),
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).unwrap())),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).unwrap()),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed).unwrap(),
    }
    .to_der()
    .unwrap()
}
