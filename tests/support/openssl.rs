//! The `openssl` command line, as every test that makes certificates, CRLs or CMS
//! signatures runs it: in a directory of its own, failing with openssl's own words, and with
//! the install command when openssl is missing. [`CaDir`] keeps the state of `openssl ca`
//! (keys, configurations, databases) for the test PKIs that issue and revoke
//! ([`super::test_ca`], [`super::tsa::RsaTsa`]).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use time::OffsetDateTime;

/// What a missing `openssl` fails with.
pub const INSTALL: &str =
    "openssl is not installed: apt-get install -y openssl (or run scripts/services.sh)";

/// Runs `openssl args` in `dir` and returns its standard output; panics with openssl's
/// words when it fails.
pub fn run<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect(INSTALL);
    assert!(
        out.status.success(),
        "openssl {}: {}",
        args.iter()
            .map(|a| a.as_ref().to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `openssl cms -sign` over the file `input` with the certificate and key in the files
/// `cert` and `key`, SHA-256, signed attributes on, DER, the certificate included;
/// `extra` adds options (`-nosmimecap`, `-nodetach`, ...). The SignedData, DER.
pub fn cms_sign(input: &Path, cert: &Path, key: &Path, extra: &[&str]) -> Vec<u8> {
    let sign = [
        "cms", "-sign", "-binary", "-md", "sha256", "-outform", "DER",
    ];
    let mut args: Vec<&OsStr> = sign.iter().map(OsStr::new).collect();
    args.extend([OsStr::new("-in"), input.as_os_str()]);
    args.extend([OsStr::new("-signer"), cert.as_os_str()]);
    args.extend([OsStr::new("-inkey"), key.as_os_str()]);
    args.extend(extra.iter().map(OsStr::new));
    let dir = input.parent().unwrap_or(Path::new("."));
    run(dir, &args)
}

/// `YYYYMMDDHHMMSSZ` in UTC: how `openssl ca` takes dates, and a GeneralizedTime's text.
pub fn utc_stamp(at: OffsetDateTime) -> String {
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

/// The validity of every certificate a [`CaDir`] issues unless told otherwise.
const ALWAYS: (&str, &str) = ("20200101000000Z", "20450101000000Z");

/// The key types the test PKIs use.
#[derive(Clone, Copy)]
pub enum KeyType {
    P256,
    Rsa,
}

/// A temporary directory of `openssl ca` state. For each CA `<ca>`: `<ca>.key`, `<ca>.pem`,
/// `<ca>.cnf` and its database `<ca>.db/`; for each certificate `<name>`: `<name>.key` and
/// `<name>.pem`. Extensions come from the sections of `ext.cnf`. Every certificate is valid
/// from 2020 to 2045, unless issued with [`CaDir::leaf_between`].
pub struct CaDir {
    dir: tempfile::TempDir,
}

impl CaDir {
    /// An empty directory with `ext` as `ext.cnf`.
    pub fn new(ext: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ext.cnf"), ext).unwrap();
        Self { dir }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `openssl args` in this directory.
    pub fn openssl<S: AsRef<OsStr>>(&self, args: &[S]) -> Vec<u8> {
        run(self.dir.path(), args)
    }

    /// A self-signed CA `name` with the extensions `ext`.
    pub fn root(&self, name: &str, key: KeyType, subject: &str, ext: &str) {
        self.key(name, key);
        self.config(name);
        self.sign(name, name, subject, ext, ALWAYS);
    }

    /// A CA `name` issued by `ca`, ready to issue in turn.
    pub fn sub_ca(&self, ca: &str, name: &str, key: KeyType, subject: &str, ext: &str) {
        self.key(name, key);
        self.config(name);
        self.sign(ca, name, subject, ext, ALWAYS);
    }

    /// A certificate `name` (not a CA) issued by `ca`.
    pub fn leaf(&self, ca: &str, name: &str, key: KeyType, subject: &str, ext: &str) {
        self.leaf_between(ca, name, key, subject, ext, ALWAYS);
    }

    /// [`Self::leaf`], valid only between `dates` (`YYYYMMDDHHMMSSZ`, as [`utc_stamp`]
    /// writes them): an expired or a not yet valid certificate.
    pub fn leaf_between(
        &self,
        ca: &str,
        name: &str,
        key: KeyType,
        subject: &str,
        ext: &str,
        dates: (&str, &str),
    ) {
        self.key(name, key);
        self.sign(ca, name, subject, ext, dates);
    }

    /// The CRL of `ca` written to `out`, issued at `last` and current until `next`.
    pub fn crl(&self, ca: &str, last: OffsetDateTime, next: OffsetDateTime, out: &str) {
        let (cnf, last, next) = (format!("{ca}.cnf"), utc_stamp(last), utc_stamp(next));
        self.openssl(&[
            "ca",
            "-config",
            &cnf,
            "-gencrl",
            "-crl_lastupdate",
            &last,
            "-crl_nextupdate",
            &next,
            "-out",
            out,
        ]);
    }

    /// Lists `name`'s certificate as revoked in `ca`'s database: `ca`'s next CRL names it.
    pub fn revoke(&self, ca: &str, name: &str) {
        let (cnf, cert) = (format!("{ca}.cnf"), format!("{name}.pem"));
        self.openssl(&["ca", "-config", &cnf, "-revoke", &cert]);
    }

    /// The DER of `<name>.pem`.
    pub fn der(&self, name: &str) -> Vec<u8> {
        use rustls_pki_types::pem::PemObject as _;
        let pem = self.path(&format!("{name}.pem"));
        rustls_pki_types::CertificateDer::from_pem_file(&pem)
            .unwrap_or_else(|e| panic!("{}: {e}", pem.display()))
            .to_vec()
    }

    fn key(&self, name: &str, key: KeyType) {
        let out = format!("{name}.key");
        let algorithm: &[&str] = match key {
            KeyType::P256 => &["EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            KeyType::Rsa => &["RSA"],
        };
        let args = [&["genpkey", "-algorithm"], algorithm, &["-out", &out]].concat();
        self.openssl(&args);
    }

    /// `<name>.cnf` and the database of CA `name`.
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

    /// A request for `name`'s key with `subject`, signed by `ca` (itself when `ca` is
    /// `name`: a root) with the extensions `ext` of `ext.cnf`, valid between `dates`.
    fn sign(&self, ca: &str, name: &str, subject: &str, ext: &str, dates: (&str, &str)) {
        let (key, csr, pem, cnf) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{ca}.cnf"),
        );
        self.openssl(&["req", "-new", "-key", &key, "-subj", subject, "-out", &csr]);
        let root: &[&str] = if ca == name {
            &["-selfsign", "-keyfile", &key]
        } else {
            &[]
        };
        let head = ["ca", "-batch", "-config", &cnf, "-in", &csr, "-out", &pem];
        let dates = ["-startdate", dates.0, "-enddate", dates.1];
        let rest = ["-extfile", "ext.cnf", "-extensions", ext, "-notext"];
        self.openssl(&[&head[..], root, &dates, &rest].concat());
    }
}
