//! A test PKI with the national CA's GOST OIDs, built in the test: certificates, a CRL and CMS
//! signatures, DER assembled with the `x509-cert`/`cms`/`der` types and signed with the
//! library's TEST-ONLY signer (`gost::test_signer`: openssl has no KZ GOST).
//!
//! Signing with the verifier's own arithmetic is no proof of that arithmetic: the verifier is
//! proven independently by the standards' examples and the real NCA certificates. What this
//! PKI proves is the wiring: KZ identifiers through webpki and the CMS path, end to end.
#![allow(dead_code)]

use der::asn1::{Any, BitString, ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Decode, Encode, Tag};
use streebog::{Digest as _, Streebog512};
use time::OffsetDateTime;
use trp_worker::checks::signature::gost::algorithms::Kind;
use trp_worker::checks::signature::gost::test_signer;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::pkix::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::{AsExtension, Extension};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

const EMAIL_PROTECTION: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.4");
/// NCA's role OID for an individual, carried in person certificates' EKU.
const NCA_ROLE_PERSON: Oid = Oid::new_unwrap("1.2.398.3.3.4.1.1");

/// The KZ OIDs of one algorithm: (signature, key, parameter set, hash as the key parameters
/// name it), and the key length. For GOST 2004 NCA names the hash 1.2.398.3.10.1.3.1.1.0
/// in keys and 1.2.398.3.10.1.3.1 as a CMS digest algorithm.
pub fn oids(kind: Kind) -> (Oid, Oid, Oid, Oid, usize) {
    let o = Oid::new_unwrap;
    match kind {
        Kind::Gost2015_512 => (
            o("1.2.398.3.10.1.1.2.3.2"),
            o("1.2.398.3.10.1.1.2.2"),
            o("1.2.398.3.10.1.1.2.2.1"),
            o("1.2.398.3.10.1.3.3"),
            64,
        ),
        Kind::Gost2015_256 => (
            o("1.2.398.3.10.1.1.2.3.1"),
            o("1.2.398.3.10.1.1.2.1"),
            o("1.2.398.3.10.1.1.2.1.1"),
            o("1.2.398.3.10.1.3.2"),
            32,
        ),
        Kind::Gost2004 => (
            o("1.2.398.3.10.1.1.1.2"),
            o("1.2.398.3.10.1.1.1.1"),
            o("1.2.398.3.10.1.1.1.1.1"),
            o("1.2.398.3.10.1.3.1.1.0"),
            32,
        ),
    }
}

/// A key pair of the test PKI: the private key is derived from a label (it protects nothing).
#[derive(Clone)]
pub struct Key {
    pub kind: Kind,
    pub d: Vec<u8>,
}

impl Key {
    pub fn new(kind: Kind, label: &str) -> Self {
        Self {
            kind,
            d: below_q(kind, label.as_bytes()),
        }
    }

    /// Signs with a deterministic nonce (a hash of key and message): reproducible tests.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let k = below_q(self.kind, &[self.d.as_slice(), message].concat());
        test_signer::sign(self.kind, &self.d, &k, message).expect("the test signer signs")
    }

    pub fn spki(&self) -> SubjectPublicKeyInfoOwned {
        let (_, key, set, hash, _) = oids(self.kind);
        let params = [set.to_der().unwrap(), hash.to_der().unwrap()].concat();
        let mut seq = vec![0x30, params.len() as u8];
        seq.extend(params);
        let public = test_signer::public_key(self.kind, &self.d).expect("a public key");
        SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: key,
                parameters: Some(Any::from_der(&seq).unwrap()),
            },
            subject_public_key: BitString::from_bytes(&public).unwrap(),
        }
    }

    /// The signature AlgorithmIdentifier as NCA writes it: OID + NULL.
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: oids(self.kind).0,
            parameters: Some(Any::null()),
        }
    }
}

/// A number of the kind's length below q: a hash with the most significant byte set to 1.
fn below_q(kind: Kind, seed: &[u8]) -> Vec<u8> {
    let len = oids(kind).4;
    let mut n = Streebog512::digest(seed)[..len].to_vec();
    n[len - 1] = 1;
    n
}

pub fn name(cn: &str, serial_number: Option<&str>) -> Name {
    let atv = |oid: &str, tag: Tag, value: &str| {
        let value = Any::new(tag, value.as_bytes()).unwrap();
        let set = SetOfVec::try_from(vec![AttributeTypeAndValue {
            oid: Oid::new_unwrap(oid),
            value,
        }])
        .unwrap();
        RelativeDistinguishedName(set)
    };
    let mut rdns = vec![
        atv("2.5.4.6", Tag::PrintableString, "KZ"),
        atv("2.5.4.3", Tag::Utf8String, cn),
    ];
    if let Some(serial) = serial_number {
        rdns.push(atv("2.5.4.5", Tag::PrintableString, serial));
    }
    RdnSequence(rdns)
}

fn time(year: i32) -> Time {
    let t = OffsetDateTime::new_utc(
        time::Date::from_calendar_date(year, time::Month::January, 1).unwrap(),
        time::Time::MIDNIGHT,
    );
    let since = std::time::Duration::from_secs(t.unix_timestamp() as u64);
    Time::UtcTime(der::asn1::UtcTime::from_unix_duration(since).unwrap())
}

fn extension<E: AsExtension>(subject: &Name, value: &E) -> Extension {
    value.to_extension(subject, &[]).unwrap()
}

/// What a certificate of the test PKI is.
pub struct Profile {
    pub ca: bool,
    pub usages: KeyUsages,
    pub from_year: i32,
    pub until_year: i32,
    pub eku: bool,
}

impl Profile {
    pub fn ca() -> Self {
        Self {
            ca: true,
            usages: KeyUsages::KeyCertSign,
            from_year: 2020,
            until_year: 2045,
            eku: false,
        }
    }

    /// An NCA person signing certificate: digitalSignature + nonRepudiation, EKU
    /// emailProtection + the person role OID.
    pub fn person() -> Self {
        Self {
            ca: false,
            usages: KeyUsages::DigitalSignature,
            from_year: 2026,
            until_year: 2028,
            eku: true,
        }
    }
}

/// A certificate for `subject_key`, signed by `issuer` (name and key); self-signed if the
/// issuer is the subject.
pub fn certificate(
    serial: u8,
    subject: &Name,
    subject_key: &Key,
    issuer: (&Name, &Key),
    profile: &Profile,
) -> Vec<u8> {
    let mut usages = profile.usages.into();
    if profile.ca {
        usages |= KeyUsages::CRLSign;
    } else if profile.usages == KeyUsages::DigitalSignature {
        usages |= KeyUsages::NonRepudiation;
    }
    let spki = subject_key.spki();
    let mut extensions = vec![
        extension(subject, &KeyUsage(usages)),
        extension(
            subject,
            &SubjectKeyIdentifier(OctetString::new(vec![serial; 20]).unwrap()),
        ),
    ];
    if profile.ca {
        extensions.push(extension(
            subject,
            &BasicConstraints {
                ca: true,
                path_len_constraint: None,
            },
        ));
    }
    if profile.eku {
        extensions.push(extension(
            subject,
            &ExtendedKeyUsage(vec![EMAIL_PROTECTION, NCA_ROLE_PERSON]),
        ));
    }
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&[serial]).unwrap(),
        signature: issuer.1.signature_algorithm(),
        issuer: issuer.0.clone(),
        validity: Validity {
            not_before: time(profile.from_year),
            not_after: time(profile.until_year),
        },
        subject: subject.clone(),
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let signature = issuer.1.sign(&tbs.to_der().unwrap());
    Certificate {
        tbs_certificate: tbs,
        signature_algorithm: issuer.1.signature_algorithm(),
        signature: BitString::from_bytes(&signature).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// A CRL by `issuer` listing `revoked` serial numbers.
pub fn crl(issuer: (&Name, &Key), revoked: &[u8]) -> Vec<u8> {
    let entries = revoked
        .iter()
        .map(|&serial| RevokedCert {
            serial_number: SerialNumber::new(&[serial]).unwrap(),
            revocation_date: time(2026),
            crl_entry_extensions: None,
        })
        .collect();
    let crl_number = Extension {
        extn_id: Oid::new_unwrap("2.5.29.20"),
        critical: false,
        extn_value: OctetString::new(der::asn1::Uint::new(&[1]).unwrap().to_der().unwrap())
            .unwrap(),
    };
    let tbs = TbsCertList {
        version: Version::V2,
        signature: issuer.1.signature_algorithm(),
        issuer: issuer.0.clone(),
        this_update: time(2026),
        // Far ahead, so a worker that loads it does not find it stale.
        next_update: Some(time(2045)),
        revoked_certificates: Some(entries),
        crl_extensions: Some(vec![crl_number]),
    };
    let signature = issuer.1.sign(&tbs.to_der().unwrap());
    CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: issuer.1.signature_algorithm(),
        signature: BitString::from_bytes(&signature).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// PEM of a DER certificate, for the trust store.
pub fn pem(der: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out.into_bytes()
}
