//! The corpus's RSA and P-256 certificates made at test time with the openssl command line
//! (`support::openssl::CaDir`), for the kinds the committed PKI (tests/pki/make.sh) has no
//! fixture of: not yet valid, and P-256 leaves that are expired, revoked, of the wrong key
//! usage or EKU, under an unconfigured root; and an impostor chain that carries the
//! committed CAs' names and key identifiers with keys of its own.

use std::path::PathBuf;

use der::Decode;
use rustls_pki_types::pem::PemObject as _;
use time::macros::datetime;
use trp_worker::checks::signature::TrustStore;
use x509_cert::ext::pkix::SubjectKeyIdentifier;

use crate::support::openssl::{self, CaDir, KeyType};
use crate::support::{pki, IIN};

/// The person every leaf names, as the committed PKI's leaves do.
fn applicant() -> String {
    format!("/C=KZ/CN=TEST APPLICANT/serialNumber=IIN{IIN}")
}

const LEAF_EXT: &str = "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection, 1.2.398.3.3.4.1.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
";

/// The sections of `ext.cnf`; the impostor CAs' key identifiers are those of the committed
/// root and intermediate.
fn extensions() -> String {
    let ca = "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n";
    format!(
        "[ca_ext]\n{ca}subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n\
         [impostor_root_ext]\n{ca}subjectKeyIdentifier = {root}\n\
         [impostor_ext]\n{ca}subjectKeyIdentifier = {intermediate}\n\
         authorityKeyIdentifier = keyid:always\n\
         [leaf_ext]\n{LEAF_EXT}\
         [keyenc_ext]\n{keyenc}\
         [clientauth_ext]\n{clientauth}",
        root = key_id("root.pem"),
        intermediate = key_id("intermediate.pem"),
        keyenc = LEAF_EXT.replace("digitalSignature, nonRepudiation", "keyEncipherment"),
        clientauth = LEAF_EXT.replace("emailProtection, 1.2.398.3.3.4.1.1", "clientAuth"),
    )
}

/// The subject key identifier of a committed certificate, as openssl's configuration
/// writes it (`A7:E3:...`).
fn key_id(name: &str) -> String {
    let der = rustls_pki_types::CertificateDer::from_pem_file(pki(name)).unwrap();
    key_id_of(&der)
}

fn key_id_of(der: &[u8]) -> String {
    let cert = x509_cert::Certificate::from_der(der).unwrap();
    let (_, ski) = cert
        .tbs_certificate
        .get::<SubjectKeyIdentifier>()
        .unwrap()
        .expect("a subject key identifier");
    let hex: Vec<String> = ski
        .0
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    hex.join(":")
}

/// The CAs and leaves. Under "corpus-ca" (P-256, under the RSA "corpus-root"): the leaves
/// `p256-good`, `rsa-not-yet`, `p256-not-yet`, `p256-expired`, `p256-revoked` (listed in
/// its CRL), `p256-keyenc`, `p256-clientauth`. Under "rogue-root" (configured nowhere):
/// `p256-rogue`. Under "impostor" (the committed intermediate's name and key identifier,
/// issued by "impostor-root", which has the committed root's): `impostor-rsa`,
/// `impostor-p256`.
pub struct OpensslPki {
    ca: CaDir,
}

impl OpensslPki {
    pub fn new() -> Self {
        let ca = CaDir::new(&extensions());
        corpus_ca(&ca);
        let subject = applicant();
        ca.root("rogue-root", KeyType::P256, "/C=KZ/CN=ROGUE ROOT", "ca_ext");
        let rogue = ("rogue-root", "p256-rogue");
        ca.leaf(rogue.0, rogue.1, KeyType::P256, &subject, "leaf_ext");
        impostors(&ca);
        Self { ca }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.ca.path(name)
    }

    /// The corpus CA's trust store: its root and CA, both CRLs.
    pub fn trust(&self) -> TrustStore {
        let file = |name: &str| (name.to_owned(), std::fs::read(self.path(name)).unwrap());
        TrustStore::from_pem_and_crls(
            &[file("corpus-root.pem"), file("corpus-ca.pem")],
            &[file("corpus-ca.crl"), file("corpus-root.crl")],
        )
        .expect("the corpus CA's trust store loads")
    }

    /// A detached `openssl cms -sign` over `document` by `leaf`, carrying the certificates
    /// of `carry` (the CAs a signing tool sends along).
    pub fn sign(&self, leaf: &str, document: &[u8], carry: &[&str]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("document.json");
        std::fs::write(&input, document).unwrap();
        let bundle = dir.path().join("carry.pem");
        let pems: Vec<Vec<u8>> = carry
            .iter()
            .map(|ca| std::fs::read(self.path(&format!("{ca}.pem"))).unwrap())
            .collect();
        std::fs::write(&bundle, pems.concat()).unwrap();
        let (cert, key) = (
            self.path(&format!("{leaf}.pem")),
            self.path(&format!("{leaf}.key")),
        );
        let bundle = bundle.to_str().unwrap();
        let extra: &[&str] = if carry.is_empty() {
            &[]
        } else {
            &["-certfile", bundle]
        };
        openssl::cms_sign(&input, &cert, &key, extra)
    }
}

/// "corpus-root" (RSA), "corpus-ca" (P-256) with their CRLs, and its leaves.
fn corpus_ca(ca: &CaDir) {
    let (root, corpus_ca) = ("corpus-root", "corpus-ca");
    ca.root(root, KeyType::Rsa, "/C=KZ/CN=CORPUS ROOT", "ca_ext");
    ca.sub_ca(
        root,
        corpus_ca,
        KeyType::P256,
        "/C=KZ/CN=CORPUS CA",
        "ca_ext",
    );
    let subject = applicant();
    // Valid from after the submission (2026-11-24) on; ended before it.
    let not_yet = ("20270101000000Z", "20450101000000Z");
    let expired = ("20200101000000Z", "20251231235959Z");
    let leaves = [
        ("p256-good", KeyType::P256, "leaf_ext", None),
        ("rsa-not-yet", KeyType::Rsa, "leaf_ext", Some(not_yet)),
        ("p256-not-yet", KeyType::P256, "leaf_ext", Some(not_yet)),
        ("p256-expired", KeyType::P256, "leaf_ext", Some(expired)),
        ("p256-revoked", KeyType::P256, "leaf_ext", None),
        ("p256-keyenc", KeyType::P256, "keyenc_ext", None),
        ("p256-clientauth", KeyType::P256, "clientauth_ext", None),
    ];
    for (leaf, key, ext, dates) in leaves {
        match dates {
            Some(dates) => ca.leaf_between(corpus_ca, leaf, key, &subject, ext, dates),
            None => ca.leaf(corpus_ca, leaf, key, &subject, ext),
        }
    }
    ca.revoke(corpus_ca, "p256-revoked");
    let last = datetime!(2026-01-01 00:00 UTC);
    let next = datetime!(2045-01-01 00:00 UTC);
    ca.crl(corpus_ca, last, next, "corpus-ca.crl");
    ca.crl(root, last, next, "corpus-root.crl");
}

/// "impostor-root" and "impostor" with the committed CAs' names and key identifiers, RSA
/// as the real CAs are (so the real root's key is tried on the impostor's signature), and
/// the leaves `impostor-rsa` and `impostor-p256`.
fn impostors(ca: &CaDir) {
    let (real_root, real_ca) = ("/C=KZ/CN=TRP TEST ROOT", "/C=KZ/CN=TRP TEST INTERMEDIATE");
    let (root, impostor) = ("impostor-root", "impostor");
    ca.root(root, KeyType::Rsa, real_root, "impostor_root_ext");
    ca.sub_ca(root, impostor, KeyType::Rsa, real_ca, "impostor_ext");
    let subject = applicant();
    ca.leaf(impostor, "impostor-rsa", KeyType::Rsa, &subject, "leaf_ext");
    ca.leaf(
        impostor,
        "impostor-p256",
        KeyType::P256,
        &subject,
        "leaf_ext",
    );
    // They carry the real CAs' key identifiers, not only their names.
    assert_eq!(key_id_of(&ca.der(impostor)), key_id("intermediate.pem"));
    assert_eq!(key_id_of(&ca.der(root)), key_id("root.pem"));
}
