//! The table: every forgery of the corpus as the envelope the portal would publish, the
//! trust store it meets and the outcome it must get. The cases themselves are in
//! `signed_bytes`, `certificates` and `encodings`; docs/reliability.md lists them.

use base64::Engine as _;
use serde_json::{json, Value};
use trp_worker::checks::signature::TrustStore;
use trp_worker::domain::dead_letter::DeadLetterReason;
use trp_worker::domain::reason::ReasonCode;

use super::edit;
use super::gost::GostPki;
use super::openssl_pki::OpensslPki;
use crate::support::{document, read, trust, IIN};

/// The kinds of forgery issue 16 names, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgery {
    TamperedDocument,
    TamperedSignedAttributes,
    AttachedContentDiffers,
    AnotherPersonsCertificate,
    Expired,
    NotYetValid,
    Revoked,
    UntrustedRoot,
    ImpostorIntermediate,
    WrongKeyUsage,
    WrongExtendedKeyUsage,
    AlgorithmSwapped,
    GostByteOrder,
    Truncated,
    DeeplyNested,
    Oversize,
}

impl Forgery {
    pub const ALL: [Forgery; 16] = [
        Self::TamperedDocument,
        Self::TamperedSignedAttributes,
        Self::AttachedContentDiffers,
        Self::AnotherPersonsCertificate,
        Self::Expired,
        Self::NotYetValid,
        Self::Revoked,
        Self::UntrustedRoot,
        Self::ImpostorIntermediate,
        Self::WrongKeyUsage,
        Self::WrongExtendedKeyUsage,
        Self::AlgorithmSwapped,
        Self::GostByteOrder,
        Self::Truncated,
        Self::DeeplyNested,
        Self::Oversize,
    ];
}

/// What the worker does with an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    /// Refused with exactly these signature codes, in this order.
    Refused(Vec<ReasonCode>),
    /// No decision: the envelope goes to the dead-letter queue with this reason.
    DeadLetter(DeadLetterReason),
    /// Undecided, waiting for CRLs (never expected in the corpus).
    Waits,
}

/// The trust store a case meets: the committed PKI, the openssl corpus CA, the GOST CAs.
#[derive(Debug, Clone, Copy)]
pub enum Store {
    Fixtures,
    Openssl,
    Gost,
}

pub struct Case {
    pub forgery: Forgery,
    pub name: String,
    /// The envelope, as the message body.
    pub body: Vec<u8>,
    pub store: Store,
    /// The IIN the e-request states.
    pub applicant_iin: &'static str,
    /// What it must get; [`Outcome::Approved`] until a case says otherwise, which the
    /// corpus test refuses.
    pub expect: Outcome,
}

impl Case {
    pub fn refused(&mut self, codes: &[ReasonCode]) {
        self.expect = Outcome::Refused(codes.to_vec());
    }

    pub fn dead_lettered(&mut self, reason: DeadLetterReason) {
        self.expect = Outcome::DeadLetter(reason);
    }

    /// The e-request states `iin` as the applicant's.
    pub fn applicant(&mut self, iin: &'static str) -> &mut Self {
        self.applicant_iin = iin;
        self
    }
}

/// Another person's IIN (valid check digit).
pub const OTHER_IIN: &str = "870412300015";

/// Cases of one kind at a time: `t.kind(Forgery::X)`, then
/// `t.case(name, document, cms, store).refused(&[codes])`.
pub struct Table {
    pub cases: Vec<Case>,
    forgery: Forgery,
}

impl Table {
    pub fn kind(&mut self, forgery: Forgery) {
        self.forgery = forgery;
    }

    /// A case of the current kind: `document` submitted with the signature `cms`.
    pub fn case(&mut self, name: &str, document: &[u8], cms: &[u8], store: Store) -> &mut Case {
        let id = format!("TRP-CORPUS-{}", self.cases.len());
        let body = serde_json::to_vec(&envelope(&id, document, cms)).unwrap();
        self.body(name, body, store)
    }

    /// A case of the current kind whose envelope is `body` as it stands.
    pub fn body(&mut self, name: &str, body: Vec<u8>, store: Store) -> &mut Case {
        self.cases.push(Case {
            forgery: self.forgery,
            name: format!("{:?}: {name}", self.forgery),
            body,
            store,
            applicant_iin: IIN,
            expect: Outcome::Approved,
        });
        self.cases.last_mut().unwrap()
    }
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An envelope for `document` signed (as the portal claims) with `cms`.
pub fn envelope(application_id: &str, document: &[u8], cms: &[u8]) -> Value {
    let signature = json!({"method": "eds", "cms": b64(cms)});
    trp_worker::domain::sample::envelope(application_id, document, signature)
}

/// An envelope for `document` whose CMS (a committed P-256 signature) carries a signer
/// certificate grown by a 4 MiB extension: over the 1 MiB limit.
pub fn oversize_envelope(application_id: &str, document: &[u8]) -> Value {
    let cms = huge_certificate(&read("p256-detached.p7s"), 4 << 20);
    envelope(application_id, document, &cms)
}

/// An envelope body for `document` whose `signature` is 100,000 nested JSON arrays.
pub fn nested_json_envelope(application_id: &str, document: &[u8]) -> Vec<u8> {
    let mut body = envelope(application_id, document, b"0");
    body["signature"] = json!("SIGNATURE");
    let arrays = ["[".repeat(100_000), "]".repeat(100_000)].concat();
    body.to_string()
        .replace("\"SIGNATURE\"", &arrays)
        .into_bytes()
}

/// `cms` with its signer's certificate grown by an extension of `size` bytes.
pub fn huge_certificate(cms: &[u8], size: usize) -> Vec<u8> {
    edit::signer_certificate(cms, |cert| {
        let extensions = cert.tbs_certificate.extensions.get_or_insert_with(Vec::new);
        extensions.push(edit::huge_extension(size));
    })
}

/// The committed PKI's trust store, the openssl corpus CA and the GOST CAs.
pub struct Corpus {
    fixtures: TrustStore,
    pub openssl: OpensslPki,
    openssl_trust: TrustStore,
    pub gost: GostPki,
}

impl Corpus {
    pub fn new() -> Self {
        let openssl = OpensslPki::new();
        Self {
            fixtures: trust(),
            openssl_trust: openssl.trust(),
            openssl,
            gost: GostPki::new(),
        }
    }

    pub fn trust(&self, store: Store) -> &TrustStore {
        match store {
            Store::Fixtures => &self.fixtures,
            Store::Openssl => &self.openssl_trust,
            Store::Gost => &self.gost.trust,
        }
    }

    /// The untouched signatures the forgeries start from: each must be approved.
    pub fn genuine(&self) -> Vec<Case> {
        let doc = document();
        let mut t = table();
        for fixture in ["rsa-detached.p7s", "p256-detached.p7s", "p256-attached.p7s"] {
            t.case(fixture, &doc, &read(fixture), Store::Fixtures);
        }
        let good = self.openssl.sign("p256-good", &doc, &[]);
        t.case("P-256, corpus CA", &doc, &good, Store::Openssl);
        let gost = self.gost.detached("good", &doc);
        t.case("GOST 2015-512", &doc, &gost, Store::Gost);
        t.cases
    }

    /// Every forgery and the outcome it must get.
    pub fn cases(&self) -> Vec<Case> {
        let mut t = table();
        self.tampered_documents(&mut t);
        self.tampered_signed_attributes(&mut t);
        self.attached_content_that_differs(&mut t);
        self.another_persons_certificate(&mut t);
        self.certificates_of_each_kind(&mut t);
        self.impostor_intermediates(&mut t);
        self.swapped_algorithms(&mut t);
        self.gost_byte_orders(&mut t);
        self.truncated(&mut t);
        self.deeply_nested(&mut t);
        self.oversize(&mut t);
        t.cases
    }
}

fn table() -> Table {
    Table {
        cases: Vec::new(),
        forgery: Forgery::TamperedDocument,
    }
}
