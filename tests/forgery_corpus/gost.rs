//! The corpus's GOST 34.10-2015 (512-bit) certificates, made in the test with
//! `support::gost_pki` as the national CA issues them: a root and an intermediate with a
//! CRL each, the leaves each kind needs, a rogue root, and an impostor chain that carries
//! the real CAs' names and key identifiers with keys of its own.

use std::collections::HashMap;

use der::asn1::{BitString, ObjectIdentifier as Oid};
use der::{Decode, Encode};
use trp_worker::checks::signature::gost::algorithms::Kind;
use trp_worker::checks::signature::TrustStore;
use x509_cert::ext::pkix::ExtendedKeyUsage;
use x509_cert::Certificate;

use crate::support::gost_cms::{cms, CmsOptions};
use crate::support::gost_pki::{self, certificate, crl, name, Key, Profile};
use crate::support::IIN;
use x509_cert::name::Name;

const REVOKED_SERIAL: u8 = 40;
const CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");
const EXTENDED_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");

pub struct GostPki {
    pub trust: TrustStore,
    /// Leaf certificate and key by name; see [`GostPki::new`].
    leaves: HashMap<&'static str, (Vec<u8>, Key)>,
    /// The impostor CAs a forged signature carries along.
    impostors: Vec<Vec<u8>>,
}

/// A CA of the test: its name and key.
struct Ca {
    name: Name,
    key: Key,
}

impl Ca {
    fn new(cn: &str, label: &str) -> Self {
        Self {
            name: name(cn, None),
            key: Key::new(Kind::Gost2015_512, label),
        }
    }

    fn issuer(&self) -> (&Name, &Key) {
        (&self.name, &self.key)
    }

    /// Its CA certificate, with serial `serial`, issued by `by`.
    fn certificate(&self, serial: u8, by: &Ca) -> Vec<u8> {
        certificate(serial, &self.name, &self.key, by.issuer(), &Profile::ca())
    }
}

impl GostPki {
    /// Leaves `good`, `other-person` (another IIN), `expired` (2023-2025), `not-yet`
    /// (2027-2029), `keyenc`, `clientauth` (EKU clientAuth only), `revoked` (in the CRL),
    /// `rogue` (under a root configured nowhere), `impostor` (under an intermediate
    /// with the real one's name and key identifier, issued by a root with the real root's)
    /// and `huge-extension` (a 600 kB extension, signed by the CA).
    pub fn new() -> Self {
        let root = Ca::new("TEST NCA GOST ROOT", "corpus root");
        let ca = Ca::new("TEST NCA GOST 2022", "corpus intermediate");
        // The impostors take the real CAs' names and serial numbers, so their key
        // identifiers (`gost_pki` derives them from the serial) are the real ones too.
        let fake_root = Ca::new("TEST NCA GOST ROOT", "impostor root");
        let fake_ca = Ca::new("TEST NCA GOST 2022", "impostor intermediate");
        let impostors = vec![
            fake_ca.certificate(2, &fake_root),
            fake_root.certificate(1, &fake_root),
        ];
        let rogue = Ca::new("ROGUE ROOT", "rogue root");
        let trust = TrustStore::from_pem_and_crls(
            &[
                (
                    "root.pem".into(),
                    gost_pki::pem(&root.certificate(1, &root)),
                ),
                (
                    "intermediate.pem".into(),
                    gost_pki::pem(&ca.certificate(2, &root)),
                ),
            ],
            &[
                (
                    "intermediate.crl".into(),
                    crl(ca.issuer(), &[REVOKED_SERIAL]),
                ),
                ("root.crl".into(), crl(root.issuer(), &[])),
            ],
        )
        .expect("the GOST trust store loads");
        Self {
            trust,
            leaves: leaves(&ca, &rogue, &fake_ca),
            impostors,
        }
    }

    /// A CMS over `document` by `leaf` with `options`; the impostor's carries its CAs.
    pub fn sign(&self, leaf: &str, document: &[u8], options: &CmsOptions) -> Vec<u8> {
        let (cert, key) = &self.leaves[leaf];
        let mut options = options.clone();
        if leaf == "impostor" {
            options.extra_certs.extend(self.impostors.iter().cloned());
        }
        cms(cert, key, document, &options)
    }

    /// A detached CMS with signed attributes over `document` by `leaf`.
    pub fn detached(&self, leaf: &str, document: &[u8]) -> Vec<u8> {
        self.sign(leaf, document, &CmsOptions::default())
    }
}

/// The leaves of [`GostPki::new`]: issued by `ca` but for `rogue` and `impostor`.
fn leaves(ca: &Ca, rogue: &Ca, impostor: &Ca) -> HashMap<&'static str, (Vec<u8>, Key)> {
    let applicant = name("KARIMOV AZIZ", Some(&format!("IIN{IIN}")));
    let other = name("OTHER", Some("IIN870412300015"));
    let person = Profile::person;
    let dated = |from_year, until_year| Profile {
        from_year,
        until_year,
        ..person()
    };
    let keyenc = Profile {
        usages: x509_cert::ext::pkix::KeyUsages::KeyEncipherment,
        ..person()
    };
    let table = [
        ("good", 10, &applicant, person(), ca),
        ("other-person", 11, &other, person(), ca),
        ("expired", 20, &applicant, dated(2023, 2025), ca),
        ("not-yet", 21, &applicant, dated(2027, 2029), ca),
        ("keyenc", 30, &applicant, keyenc, ca),
        ("clientauth", 31, &applicant, person(), ca),
        ("revoked", REVOKED_SERIAL, &applicant, person(), ca),
        ("rogue", 50, &applicant, person(), rogue),
        ("impostor", 60, &applicant, person(), impostor),
        ("huge-extension", 70, &applicant, person(), ca),
    ];
    let mut leaves = HashMap::new();
    for (label, serial, subject, profile, issuer) in table {
        let key = Key::new(Kind::Gost2015_512, label);
        let cert = certificate(serial, subject, &key, issuer.issuer(), &profile);
        leaves.insert(label, (edited(label, cert, &issuer.key), key));
    }
    leaves
}

/// What the profile cannot say, written into the certificate and signed again by its CA:
/// `clientauth`'s EKU (clientAuth only), `huge-extension`'s 600 kB extension.
fn edited(label: &str, cert: Vec<u8>, issuer: &Key) -> Vec<u8> {
    match label {
        "clientauth" => resign(&cert, issuer, |c| {
            let eku = ExtendedKeyUsage(vec![CLIENT_AUTH]).to_der().unwrap();
            for ext in c.tbs_certificate.extensions.iter_mut().flatten() {
                if ext.extn_id == EXTENDED_KEY_USAGE {
                    ext.extn_value = der::asn1::OctetString::new(eku.clone()).unwrap();
                }
            }
        }),
        "huge-extension" => resign(&cert, issuer, |c| {
            let extensions = c.tbs_certificate.extensions.get_or_insert_with(Vec::new);
            extensions.push(super::edit::huge_extension(600_000));
        }),
        _ => cert,
    }
}

/// `der` with `edit` applied to the certificate, signed again by `issuer`.
fn resign(der: &[u8], issuer: &Key, edit: impl FnOnce(&mut Certificate)) -> Vec<u8> {
    let mut cert = Certificate::from_der(der).unwrap();
    edit(&mut cert);
    let signature = issuer.sign(&cert.tbs_certificate.to_der().unwrap());
    cert.signature = BitString::from_bytes(&signature).unwrap();
    cert.to_der().unwrap()
}
