//! A small PKI made at test time with the openssl command line, for the tests that need
//! CRLs of their own: fresh or stale (`nextUpdate` in the past), revoking a leaf or not.
//! Root and intermediate (P-256), two person leaves with the sample IIN; the CRL files
//! the worker reads live in the same temporary directory and are rewritten by the tests.

use std::path::PathBuf;

use serde_json::Value;
use time::{Duration, OffsetDateTime};

use super::openssl::{CaDir, KeyType};

const EXT: &str = "[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
";

pub const ROOT_DN: &str = "CN=RELOAD TEST ROOT,C=KZ";
pub const INTERMEDIATE_DN: &str = "CN=RELOAD TEST INTERMEDIATE,C=KZ";

pub struct TestCa {
    ca: CaDir,
}

impl TestCa {
    /// Makes the CAs and the leaves `leaf-a` and `leaf-b`; no CRL is written yet.
    pub fn new() -> Self {
        let ca = CaDir::new(EXT);
        let (root, intermediate) = (
            "/C=KZ/CN=RELOAD TEST ROOT",
            "/C=KZ/CN=RELOAD TEST INTERMEDIATE",
        );
        ca.root("root", KeyType::P256, root, "ca_ext");
        ca.sub_ca(
            "root",
            "intermediate",
            KeyType::P256,
            intermediate,
            "ca_ext",
        );
        for leaf in ["leaf-a", "leaf-b"] {
            let subject = "/C=KZ/CN=TEST APPLICANT/serialNumber=IIN900517310006";
            ca.leaf("intermediate", leaf, KeyType::P256, subject, "leaf_ext");
        }
        Self { ca }
    }

    /// [`Self::new`] with both CAs' CRLs written, current for a month: every CA on the
    /// leaves' path has a fresh CRL, none revokes anything yet.
    pub fn with_fresh_crls() -> Self {
        let ca = Self::new();
        ca.write_crl("root", a_month_from_now());
        ca.write_crl("intermediate", a_month_from_now());
        ca
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.ca.path(name)
    }

    /// `signature.trust_anchors`, comma-separated.
    pub fn anchors(&self) -> String {
        format!(
            "{},{}",
            self.path("root.pem").display(),
            self.path("intermediate.pem").display()
        )
    }

    /// Writes the CRL of `ca` ("root" or "intermediate") to `<ca>.crl`, current until
    /// `next_update` (issued a day before it, or an hour ago if that is earlier). Written
    /// to a new file and renamed over the old one, as an operator's tools do.
    pub fn write_crl(&self, ca: &str, next_update: OffsetDateTime) {
        let last =
            (next_update - Duration::days(1)).min(OffsetDateTime::now_utc() - Duration::hours(1));
        let tmp = format!("{ca}.crl.new");
        self.ca.crl(ca, last, next_update, &tmp);
        std::fs::rename(self.path(&tmp), self.path(&format!("{ca}.crl"))).unwrap();
    }

    /// Lists `leaf` as revoked in the intermediate's database: the next intermediate CRL
    /// written names it.
    pub fn revoke(&self, leaf: &str) {
        self.ca.revoke("intermediate", leaf);
    }

    /// Revokes `leaf` and publishes it: the intermediate's CRL written again, current for
    /// a month, as the CA does when it revokes a certificate.
    pub fn revoke_and_publish(&self, leaf: &str) {
        self.revoke(leaf);
        self.write_crl("intermediate", a_month_from_now());
    }

    /// An envelope signed with `leaf`, as the portal sends it.
    pub fn envelope(&self, application_id: &str, document: &[u8], leaf: &str) -> Value {
        super::worker::eds_envelope_by(
            application_id,
            document,
            &self.path(&format!("{leaf}.pem")),
            &self.path(&format!("{leaf}.key")),
        )
    }
}

fn a_month_from_now() -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::days(30)
}
