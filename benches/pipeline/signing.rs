//! Signatures for the load, made once per run: RSA and P-256 CMS by `openssl cms -sign` with
//! the committed test PKI, GOST 2015-512 CMS by a GOST test PKI built here (its root,
//! intermediate and CRL written as files for the worker's trust store), and OTP attestations
//! with a fresh key. Documents do not hold the application id, so one signature serves
//! every envelope of its document.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use base64::Engine as _;
use hmac::Mac;
use serde_json::{json, Value};
use time::macros::datetime;
use trp_worker::checks::signature::eds::{verify, EdsInput};
use trp_worker::checks::signature::gost::algorithms::Kind;
use trp_worker::checks::signature::TrustStore;
use trp_worker::domain::ids::Sha256;

use crate::gost_cms;
use crate::gost_pki::{self, certificate, crl, name, Key, Profile};

/// The applicant of the contract's sample, whom every test certificate names.
const IIN: &str = "900517310006";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// How an application of the mix is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signer {
    Gost,
    Rsa,
    P256,
    Otp,
}

impl Signer {
    pub const ALL: [Signer; 4] = [Self::Gost, Self::Rsa, Self::P256, Self::Otp];
    /// The mix over ten consecutive applications: four GOST, two RSA, one P-256, three OTP.
    pub const CYCLE: [Signer; 10] = [
        Self::Gost,
        Self::Rsa,
        Self::Otp,
        Self::Gost,
        Self::P256,
        Self::Otp,
        Self::Gost,
        Self::Rsa,
        Self::Otp,
        Self::Gost,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Gost => "gost",
            Self::Rsa => "rsa",
            Self::P256 => "p256",
            Self::Otp => "otp",
        }
    }
}

/// The trust anchors and CRLs the worker is configured with, and what signs.
pub struct Signing {
    pub anchors: Vec<PathBuf>,
    pub crls: Vec<PathBuf>,
    pub otp_key: Vec<u8>,
    gost_cert: Vec<u8>,
    gost_key: Key,
    dir: PathBuf,
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pki")
        .join(name)
}

impl Signing {
    /// Builds the GOST PKI (root and intermediate GOST 2015-512, as the national CA's
    /// default) and writes its files into `dir`, beside the committed RSA PKI's.
    pub fn new(dir: &Path) -> anyhow::Result<Self> {
        let root_key = Key::new(Kind::Gost2015_512, "bench root");
        let root_name = name("BENCH GOST ROOT", None);
        let root = certificate(
            1,
            &root_name,
            &root_key,
            (&root_name, &root_key),
            &Profile::ca(),
        );
        let ca_key = Key::new(Kind::Gost2015_512, "bench ca");
        let ca_name = name("BENCH GOST CA", None);
        let ca = certificate(
            2,
            &ca_name,
            &ca_key,
            (&root_name, &root_key),
            &Profile::ca(),
        );
        let gost_key = Key::new(Kind::Gost2015_512, "bench person");
        let person = name("BENCH PERSON", Some(&format!("IIN{IIN}")));
        let gost_cert = certificate(
            10,
            &person,
            &gost_key,
            (&ca_name, &ca_key),
            &Profile::person(),
        );
        let write = |file: &str, bytes: &[u8]| -> anyhow::Result<PathBuf> {
            let path = dir.join(file);
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
            Ok(path)
        };
        let anchors = vec![
            fixture("root.pem"),
            fixture("intermediate.pem"),
            write("gost-root.pem", &gost_pki::pem(&root))?,
            write("gost-ca.pem", &gost_pki::pem(&ca))?,
        ];
        // Every CA on a path has a CRL (else the worker waits for one); each lists a serial
        // no bench certificate has: present, and not revoking.
        let crls = vec![
            fixture("intermediate.crl"),
            fixture("root.crl"),
            write("gost-ca.crl", &crl((&ca_name, &ca_key), &[99]))?,
            write("gost-root.crl", &crl((&root_name, &root_key), &[99]))?,
        ];
        let mut otp_key = vec![0u8; 32];
        rand::RngExt::fill(&mut rand::rng(), otp_key.as_mut_slice());
        Ok(Self {
            anchors,
            crls,
            otp_key,
            gost_cert,
            gost_key,
            dir: dir.to_owned(),
        })
    }

    pub fn trust_store(&self) -> anyhow::Result<TrustStore> {
        trp_worker::files::trust_store(&self.anchors, &self.crls)
            .context("the bench trust store loads")
    }

    /// `document` signed by `signer`; an EDS signature is checked against `trust` first
    /// ([`check_eds`]).
    pub fn sign(
        &self,
        signer: Signer,
        trust: &TrustStore,
        document: &[u8],
    ) -> anyhow::Result<Value> {
        let signature = match signer {
            Signer::Gost => self.gost(document),
            Signer::Rsa => self.openssl("leaf-rsa", document)?,
            Signer::P256 => self.openssl("leaf-p256", document)?,
            Signer::Otp => self.otp(document),
        };
        check_eds(trust, document, &signature)
            .with_context(|| format!("{} signature", signer.label()))?;
        Ok(signature)
    }

    /// A detached GOST 2015-512 CMS over `document`, with signed attributes.
    pub fn gost(&self, document: &[u8]) -> Value {
        let options = gost_cms::CmsOptions::default();
        let der = gost_cms::cms(&self.gost_cert, &self.gost_key, document, &options);
        json!({"method": "eds", "cms": B64.encode(der)})
    }

    /// A detached CMS with signed attributes by the committed test PKI's `leaf`
    /// (`leaf-rsa`, `leaf-p256`), made by the openssl command line.
    pub fn openssl(&self, leaf: &str, document: &[u8]) -> anyhow::Result<Value> {
        let input = self
            .dir
            .join(format!("{leaf}-{}.json", Sha256::digest(document).to_hex()));
        std::fs::write(&input, document)?;
        let out = std::process::Command::new("openssl")
            .args([
                "cms", "-sign", "-binary", "-outform", "DER", "-md", "sha256",
            ])
            .arg("-signer")
            .arg(fixture(&format!("{leaf}.pem")))
            .arg("-inkey")
            .arg(fixture(&format!("{leaf}.key")))
            .arg("-in")
            .arg(&input)
            .output()
            .context("running openssl (scripts/services.sh installs it)")?;
        if !out.status.success() {
            bail!(
                "openssl cms -sign: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(json!({"method": "eds", "cms": B64.encode(out.stdout)}))
    }

    /// The portal's OTP attestation of `document`, confirmed before the sample's
    /// `submitted_at`, for the sample applicant's phone.
    pub fn otp(&self, document: &[u8]) -> Value {
        let (otp_id, phone) = ("5d1c8a9e-2b7f-4c3a-8f6e-1a2b3c4d5e6f", "+77011234567");
        let (issued, confirmed) = ("2026-11-24T10:13:10+05:00", "2026-11-24T10:14:02+05:00");
        let digest = Sha256::digest(document).to_hex();
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.otp_key)
            .expect("HMAC takes any key length");
        mac.update(format!("{otp_id}\n{phone}\n{issued}\n{confirmed}\n{digest}").as_bytes());
        json!({"method": "otp", "otp_id": otp_id, "phone": phone, "issued_at": issued,
               "confirmed_at": confirmed, "mac": B64.encode(mac.finalize().into_bytes())})
    }
}

/// Fails unless the EDS `signature` verifies for `document` under `trust` at the sample
/// instant: a bench whose signatures the worker refuses would measure the wrong thing.
pub fn check_eds(trust: &TrustStore, document: &[u8], signature: &Value) -> anyhow::Result<()> {
    let Some(cms) = signature["cms"].as_str() else {
        return Ok(());
    };
    let cms = B64.decode(cms)?;
    let input = EdsInput {
        cms: &cms,
        document,
        submitted_at: datetime!(2026-11-24 10:15 +5),
        applicant_iin: Some(IIN),
    };
    let failures = verify(&input, trust);
    if !failures.is_empty() {
        bail!("a bench signature does not verify: {failures:?}");
    }
    Ok(())
}
