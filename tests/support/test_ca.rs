//! A small PKI made at test time with the openssl command line, for the tests that need
//! CRLs of their own: fresh or stale (`nextUpdate` in the past), revoking a leaf or not.
//! Root and intermediate (P-256), two person leaves with the sample IIN; the CRL files
//! the worker reads live in the same temporary directory and are rewritten by the tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use time::{Duration, OffsetDateTime};

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
    dir: tempfile::TempDir,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed: apt-get install -y openssl (or run scripts/services.sh)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `YYYYMMDDHHMMSSZ`, as `openssl ca` takes dates.
fn stamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

impl TestCa {
    /// Makes the CAs and the leaves `leaf-a` and `leaf-b`; no CRL is written yet.
    pub fn new() -> Self {
        let ca = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::write(ca.path("ext.cnf"), EXT).unwrap();
        ca.self_signed("root", "/C=KZ/CN=RELOAD TEST ROOT");
        ca.key("intermediate");
        ca.config("intermediate");
        ca.issue(
            "root",
            "intermediate",
            "/C=KZ/CN=RELOAD TEST INTERMEDIATE",
            "ca_ext",
        );
        for leaf in ["leaf-a", "leaf-b"] {
            ca.key(leaf);
            let subject = "/C=KZ/CN=TEST APPLICANT/serialNumber=IIN900517310006";
            ca.issue("intermediate", leaf, subject, "leaf_ext");
        }
        ca
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
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
        let (last, next) = (stamp(last), stamp(next_update));
        openssl(
            self.dir.path(),
            &[
                "ca",
                "-config",
                &format!("{ca}.cnf"),
                "-gencrl",
                "-crl_lastupdate",
                &last,
                "-crl_nextupdate",
                &next,
                "-out",
                &tmp,
            ],
        );
        std::fs::rename(self.path(&tmp), self.path(&format!("{ca}.crl"))).unwrap();
    }

    /// Lists `leaf` as revoked in the intermediate's database: the next intermediate CRL
    /// written names it.
    pub fn revoke(&self, leaf: &str) {
        let cert = format!("{leaf}.pem");
        openssl(
            self.dir.path(),
            &["ca", "-config", "intermediate.cnf", "-revoke", &cert],
        );
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

    fn key(&self, name: &str) {
        let key = format!("{name}.key");
        let args = ["genpkey", "-algorithm", "EC", "-pkeyopt"];
        openssl(
            self.dir.path(),
            &[&args[..], &["ec_paramgen_curve:P-256", "-out", &key]].concat(),
        );
    }

    fn config(&self, name: &str) {
        let db = self.path(&format!("{name}.db"));
        std::fs::create_dir_all(&db).unwrap();
        std::fs::write(db.join("index.txt"), "").unwrap();
        std::fs::write(db.join("serial"), "1000\n").unwrap();
        std::fs::write(db.join("crlnumber"), "1000\n").unwrap();
        let dir = self.dir.path().display();
        let config = format!(
            "[ca]\ndefault_ca = this\n[this]\ndir = {dir}/{name}.db\ndatabase = $dir/index.txt\n\
             serial = $dir/serial\ncrlnumber = $dir/crlnumber\nnew_certs_dir = $dir\n\
             certificate = {dir}/{name}.pem\nprivate_key = {dir}/{name}.key\ndefault_md = sha256\n\
             policy = any\nunique_subject = no\ncopy_extensions = none\ndefault_crl_days = 30\n\
             [any]\ncountryName = optional\ncommonName = optional\nserialNumber = optional\n"
        );
        std::fs::write(self.path(&format!("{name}.cnf")), config).unwrap();
    }

    fn self_signed(&self, name: &str, subject: &str) {
        self.key(name);
        self.config(name);
        self.sign(name, name, subject, "ca_ext");
    }

    fn issue(&self, ca: &str, name: &str, subject: &str, ext: &str) {
        self.sign(ca, name, subject, ext);
    }

    /// A request for `name`'s key with `subject`, signed by `ca` (itself when `ca` is
    /// `name`: a root) with the extensions `ext` of `ext.cnf`.
    fn sign(&self, ca: &str, name: &str, subject: &str, ext: &str) {
        let (key, csr, pem, cnf) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{ca}.cnf"),
        );
        openssl(
            self.dir.path(),
            &["req", "-new", "-key", &key, "-subj", subject, "-out", &csr],
        );
        let root: &[&str] = if ca == name {
            &["-selfsign", "-keyfile", &key]
        } else {
            &[]
        };
        let dates = [
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20450101000000Z",
        ];
        let rest = ["-extfile", "ext.cnf", "-extensions", ext, "-notext"];
        let head = ["ca", "-batch", "-config", &cnf];
        let io = ["-in", csr.as_str(), "-out", pem.as_str()];
        openssl(
            self.dir.path(),
            &[&head[..], root, &io, &dates, &rest].concat(),
        );
    }
}
