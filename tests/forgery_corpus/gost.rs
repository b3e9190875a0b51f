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

impl GostPki {
    /// Leaves `good`, `other-person` (another IIN), `expired` (2023-2025), `not-yet`
    /// (2027-2029), `keyenc`, `clientauth` (EKU clientAuth only), `revoked` (in the CRL),
    /// `rogue` (under a root configured nowhere) and `impostor` (under an intermediate
    /// with the real one's name and key identifier, issued by a root with the real root's)
    /// and `huge-extension` (a 600 kB extension, signed by the CA).
    pub fn new() -> Self {
        let root_key = Key::new(Kind::Gost2015_512, "corpus root");
        let root_name = name("TEST NCA GOST ROOT", None);
        let root = (&root_name, &root_key);
        let root_cert = certificate(1, &root_name, &root_key, root, &Profile::ca());
        let ca_key = Key::new(Kind::Gost2015_512, "corpus intermediate");
        let ca_name = name("TEST NCA GOST 2022", None);
        let ca = (&ca_name, &ca_key);
        let ca_cert = certificate(2, &ca_name, &ca_key, root, &Profile::ca());
        // The impostors take the real CAs' serial numbers, so the key identifiers
        // (`gost_pki` derives them from the serial) are the real ones too.
        let fake_root_key = Key::new(Kind::Gost2015_512, "impostor root");
        let fake_root = (&root_name, &fake_root_key);
        let fake_ca_key = Key::new(Kind::Gost2015_512, "impostor intermediate");
        let fake_ca = (&ca_name, &fake_ca_key);
        let impostors = vec![
            certificate(2, &ca_name, &fake_ca_key, fake_root, &Profile::ca()),
            certificate(1, &root_name, &fake_root_key, fake_root, &Profile::ca()),
        ];
        let rogue_key = Key::new(Kind::Gost2015_512, "rogue root");
        let rogue_name = name("ROGUE ROOT", None);
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
            ("rogue", 50, &applicant, person(), (&rogue_name, &rogue_key)),
            ("impostor", 60, &applicant, person(), fake_ca),
            ("huge-extension", 70, &applicant, person(), ca),
        ];
        let mut leaves = HashMap::new();
        for (label, serial, subject, profile, issuer) in table {
            let key = Key::new(Kind::Gost2015_512, label);
            let mut cert = certificate(serial, subject, &key, issuer, &profile);
            if label == "clientauth" {
                cert = resign(&cert, issuer.1, |c| {
                    let eku = ExtendedKeyUsage(vec![CLIENT_AUTH]).to_der().unwrap();
                    for ext in c.tbs_certificate.extensions.iter_mut().flatten() {
                        if ext.extn_id == EXTENDED_KEY_USAGE {
                            ext.extn_value = der::asn1::OctetString::new(eku.clone()).unwrap();
                        }
                    }
                });
            }
            if label == "huge-extension" {
                cert = resign(&cert, issuer.1, |c| {
                    let extensions = c.tbs_certificate.extensions.get_or_insert_with(Vec::new);
                    extensions.push(crate::edit::huge_extension(600_000));
                });
            }
            leaves.insert(label, (cert, key));
        }
        let trust = TrustStore::from_pem_and_crls(
            &[
                ("root.pem".into(), gost_pki::pem(&root_cert)),
                ("intermediate.pem".into(), gost_pki::pem(&ca_cert)),
            ],
            &[
                ("intermediate.crl".into(), crl(ca, &[REVOKED_SERIAL])),
                ("root.crl".into(), crl(root, &[])),
            ],
        )
        .expect("the GOST trust store loads");
        Self {
            trust,
            leaves,
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

/// `der` with `edit` applied to the certificate, signed again by `issuer`.
fn resign(der: &[u8], issuer: &Key, edit: impl FnOnce(&mut Certificate)) -> Vec<u8> {
    let mut cert = Certificate::from_der(der).unwrap();
    edit(&mut cert);
    let signature = issuer.sign(&cert.tbs_certificate.to_der().unwrap());
    cert.signature = BitString::from_bytes(&signature).unwrap();
    cert.to_der().unwrap()
}
