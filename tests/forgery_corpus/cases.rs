//! The table: every forgery of the corpus as the envelope the portal would publish, the
//! trust store it meets and the outcome it must get. docs/reliability.md lists the same.

use base64::Engine as _;
use serde_json::{json, Value};
use trp_worker::checks::signature::TrustStore;
use trp_worker::domain::dead_letter::DeadLetterReason::{self, NotJson, TooLarge};
use trp_worker::domain::reason::ReasonCode::{self, *};

use crate::edit;
use crate::gost::GostPki;
use crate::openssl_pki::OpensslPki;
use crate::support::{document, read, to_indefinite_ber, trust, IIN};

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
    pub expect: Outcome,
}

/// Another person's IIN (valid check digit).
pub const OTHER_IIN: &str = "870412300015";

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

/// `cms` with its signer's certificate grown by an extension of `size` bytes.
fn huge_certificate(cms: &[u8], size: usize) -> Vec<u8> {
    edit::signer_certificate(cms, |cert| {
        let extensions = cert.tbs_certificate.extensions.get_or_insert_with(Vec::new);
        extensions.push(edit::huge_extension(size));
    })
}

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";
const GOST_2015_512: &str = "1.2.398.3.10.1.1.2.3.2";
const STREEBOG_512: &str = "1.2.398.3.10.1.3.3";
const GOST_2015_512_KEY: &str = "1.2.398.3.10.1.1.2.2";
/// id-aa-signingCertificateV2: an attribute type a forger might add.
const CADES_V2: &str = "1.2.840.113549.1.9.16.2.47";

/// One kind of certificate forgery: its code, the committed RSA fixture of it (if any),
/// the corpus CA's leaves and the GOST leaf that are of that kind.
type Row<'a> = (Forgery, ReasonCode, Option<&'a str>, &'a [&'a str], &'a str);

pub struct Corpus {
    fixtures: TrustStore,
    openssl: OpensslPki,
    openssl_trust: TrustStore,
    gost: GostPki,
}

/// Collects cases: `add(forgery, name, body, store, expect)`, the applicant's IIN the
/// sample's unless `other_person`.
struct Table(Vec<Case>);

impl Table {
    fn add(
        &mut self,
        forgery: Forgery,
        name: &str,
        body: (&[u8], &[u8]),
        store: Store,
        expect: Outcome,
    ) {
        self.add_for(forgery, name, body, store, IIN, expect);
    }

    fn add_for(
        &mut self,
        forgery: Forgery,
        name: &str,
        (document, cms): (&[u8], &[u8]),
        store: Store,
        applicant_iin: &'static str,
        expect: Outcome,
    ) {
        let id = format!("TRP-CORPUS-{}", self.0.len());
        let body = serde_json::to_vec(&envelope(&id, document, cms)).unwrap();
        self.0.push(Case {
            forgery,
            name: name.to_owned(),
            body,
            store,
            applicant_iin,
            expect,
        });
    }
}

fn refused(codes: &[ReasonCode]) -> Outcome {
    Outcome::Refused(codes.to_vec())
}

fn dead(reason: DeadLetterReason) -> Outcome {
    Outcome::DeadLetter(reason)
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
        let mut t = Table(Vec::new());
        let (rsa, p256) = (read("rsa-detached.p7s"), read("p256-detached.p7s"));
        let approved = || Outcome::Approved;
        let f = Forgery::TamperedDocument;
        t.add(
            f,
            "RSA, committed",
            (&doc, &rsa),
            Store::Fixtures,
            approved(),
        );
        t.add(
            f,
            "P-256, committed",
            (&doc, &p256),
            Store::Fixtures,
            approved(),
        );
        let attached = read("p256-attached.p7s");
        t.add(
            f,
            "P-256 attached",
            (&doc, &attached),
            Store::Fixtures,
            approved(),
        );
        let good = self.openssl.sign("p256-good", &doc, &[]);
        t.add(
            f,
            "P-256, corpus CA",
            (&doc, &good),
            Store::Openssl,
            approved(),
        );
        let gost = self.gost.detached("good", &doc);
        t.add(f, "GOST 2015-512", (&doc, &gost), Store::Gost, approved());
        t.0
    }

    /// Every forgery and the outcome it must get.
    pub fn cases(&self) -> Vec<Case> {
        let mut t = Table(Vec::new());
        self.documents_and_attributes(&mut t);
        self.certificates(&mut t);
        self.encodings(&mut t);
        t.0
    }

    /// Signed bytes that are not the submitted ones.
    fn documents_and_attributes(&self, t: &mut Table) {
        use Forgery::*;
        let (doc, other) = (document(), read("other.json"));
        let (fx, gs) = (Store::Fixtures, Store::Gost);
        let invalid = || refused(&[SignatureInvalid]);
        let gost = self.gost.detached("good", &doc);
        for (name, cms, store) in [
            ("RSA", read("rsa-detached.p7s"), fx),
            (
                "RSA without signed attributes",
                read("rsa-detached-noattr.p7s"),
                fx,
            ),
            ("P-256", read("p256-detached.p7s"), fx),
            ("GOST 2015-512", gost.clone(), gs),
        ] {
            t.add(TamperedDocument, name, (&other, &cms), store, invalid());
        }
        for (name, cms, store) in [
            ("RSA messageDigest", read("rsa-detached.p7s"), fx),
            ("P-256 messageDigest", read("p256-detached.p7s"), fx),
            ("GOST 2015-512 messageDigest", gost.clone(), gs),
        ] {
            let forged = edit::message_digest_flipped(&cms);
            t.add(
                TamperedSignedAttributes,
                name,
                (&doc, &forged),
                store,
                invalid(),
            );
        }
        // An attribute added after signing (an empty SEQUENCE under a CAdES OID).
        let added =
            edit::signed_attribute_added(&read("rsa-detached.p7s"), CADES_V2, &[0x30, 0x00]);
        t.add(
            TamperedSignedAttributes,
            "RSA, an attribute added",
            (&doc, &added),
            fx,
            invalid(),
        );

        let f = AttachedContentDiffers;
        let signed_other = read("rsa-attached-other.p7s");
        t.add(
            f,
            "RSA, signed over other content",
            (&doc, &signed_other),
            fx,
            invalid(),
        );
        let swapped = edit::attached_content(&read("rsa-attached.p7s"), &other);
        t.add(f, "RSA, content replaced", (&doc, &swapped), fx, invalid());
        let swapped = edit::attached_content(&read("p256-attached.p7s"), &other);
        t.add(
            f,
            "P-256, content replaced",
            (&doc, &swapped),
            fx,
            invalid(),
        );
        t.add(
            f,
            "P-256, content and document replaced",
            (&other, &swapped),
            fx,
            invalid(),
        );
        let attached = gost::attached(&self.gost, &doc);
        let swapped = edit::attached_content(&attached, &other);
        t.add(
            f,
            "GOST 2015-512, content replaced",
            (&doc, &swapped),
            gs,
            invalid(),
        );

        let f = AnotherPersonsCertificate;
        let mismatch = || refused(&[SignatureSignerMismatch]);
        for (name, cms) in [("RSA", "rsa-detached.p7s"), ("P-256", "p256-detached.p7s")] {
            t.add_for(f, name, (&doc, &read(cms)), fx, OTHER_IIN, mismatch());
        }
        let other_person = self.gost.detached("other-person", &doc);
        t.add(f, "GOST 2015-512", (&doc, &other_person), gs, mismatch());
    }

    /// Certificates that must not be trusted for this signature.
    fn certificates(&self, t: &mut Table) {
        use Forgery::*;
        let doc = document();
        let (fx, os, gs) = (Store::Fixtures, Store::Openssl, Store::Gost);
        let rows: [Row; 7] = [
            (
                Expired,
                SignatureExpired,
                Some("expired-detached.p7s"),
                &["p256-expired"],
                "expired",
            ),
            (
                NotYetValid,
                SignatureExpired,
                None,
                &["rsa-not-yet", "p256-not-yet"],
                "not-yet",
            ),
            (
                Revoked,
                SignatureRevoked,
                Some("revoked-detached.p7s"),
                &["p256-revoked"],
                "revoked",
            ),
            (
                UntrustedRoot,
                SignatureUntrusted,
                Some("rogue-detached.p7s"),
                &["p256-rogue"],
                "rogue",
            ),
            (
                WrongKeyUsage,
                SignatureKeyUsage,
                Some("keyenc-detached.p7s"),
                &["p256-keyenc"],
                "keyenc",
            ),
            (
                WrongExtendedKeyUsage,
                SignatureKeyUsage,
                Some("clientauth-detached.p7s"),
                &["p256-clientauth"],
                "clientauth",
            ),
            (
                ImpostorIntermediate,
                SignatureUntrusted,
                None,
                &[],
                "impostor",
            ),
        ];
        for (forgery, code, committed, corpus_leaves, gost_leaf) in rows {
            let expect = || refused(&[code]);
            if let Some(fixture) = committed {
                let name = format!("RSA, {fixture}");
                t.add(forgery, &name, (&doc, &read(fixture)), fx, expect());
            }
            for leaf in corpus_leaves {
                let cms = self.openssl.sign(leaf, &doc, &[]);
                t.add(
                    forgery,
                    &format!("{leaf}, corpus CA"),
                    (&doc, &cms),
                    os,
                    expect(),
                );
            }
            let cms = self.gost.detached(gost_leaf, &doc);
            let name = format!("GOST 2015-512, {gost_leaf}");
            t.add(forgery, &name, (&doc, &cms), gs, expect());
        }
        // The impostor chain names the committed root and intermediate (and their key
        // identifiers); it meets the committed trust store.
        let untrusted = || refused(&[SignatureUntrusted]);
        for (leaf, carry) in [
            ("impostor-rsa", &["impostor", "impostor-root"][..]),
            ("impostor-p256", &["impostor", "impostor-root"][..]),
            ("impostor-rsa", &["impostor"][..]),
        ] {
            let cms = self.openssl.sign(leaf, &doc, carry);
            let name = format!("{leaf} carrying {}", carry.join(" and "));
            t.add(ImpostorIntermediate, &name, (&doc, &cms), fx, untrusted());
        }
    }

    /// Signatures whose encoding or algorithm identifiers were rewritten.
    fn encodings(&self, t: &mut Table) {
        use Forgery::*;
        let doc = document();
        let (fx, gs) = (Store::Fixtures, Store::Gost);
        let invalid = || refused(&[SignatureInvalid]);
        let (rsa, p256) = (read("rsa-detached.p7s"), read("p256-detached.p7s"));
        let gost = self.gost.detached("good", &doc);
        for (name, cms, store, signature, digest) in [
            ("RSA as ECDSA", &rsa, fx, ECDSA_WITH_SHA256, None),
            ("RSA as GOST", &rsa, fx, GOST_2015_512, Some(STREEBOG_512)),
            ("P-256 as RSA", &p256, fx, SHA256_WITH_RSA, None),
            (
                "P-256 as GOST",
                &p256,
                fx,
                GOST_2015_512,
                Some(STREEBOG_512),
            ),
            ("GOST as RSA", &gost, gs, SHA256_WITH_RSA, Some(SHA256)),
            ("GOST as ECDSA", &gost, gs, ECDSA_WITH_SHA256, Some(SHA256)),
            (
                "GOST with the SHA-256 digest",
                &gost,
                gs,
                GOST_2015_512,
                Some(SHA256),
            ),
            (
                "RSA with the Streebog digest",
                &rsa,
                fx,
                SHA256_WITH_RSA,
                Some(STREEBOG_512),
            ),
        ] {
            let forged = edit::algorithms(cms, signature, digest);
            t.add(AlgorithmSwapped, name, (&doc, &forged), store, invalid());
        }
        // The certificate's key relabelled as a GOST key: the CA's signature over it breaks
        // too.
        let relabelled = edit::signer_certificate(&p256, |cert| {
            let spki = &mut cert.tbs_certificate.subject_public_key_info.algorithm;
            spki.oid = der::asn1::ObjectIdentifier::new_unwrap(GOST_2015_512_KEY);
        });
        let both = refused(&[SignatureInvalid, SignatureUntrusted]);
        let name = "P-256 key relabelled as GOST in the certificate";
        t.add(AlgorithmSwapped, name, (&doc, &relabelled), fx, both);
        for (name, rearrange) in [
            (
                "r and s swapped",
                edit::halves_swapped as fn(&[u8]) -> Vec<u8>,
            ),
            ("big-endian s‖r (all bytes reversed)", edit::reversed),
            ("big-endian r‖s (each half reversed)", edit::halves_reversed),
        ] {
            let forged = edit::signature_value(&gost, rearrange);
            t.add(GostByteOrder, name, (&doc, &forged), gs, invalid());
        }
        let ber = to_indefinite_ber(&rsa);
        for (name, cms, store) in [
            ("RSA, half", &rsa[..rsa.len() / 2], fx),
            ("RSA, one byte short", &rsa[..rsa.len() - 1], fx),
            ("P-256, one byte short", &p256[..p256.len() - 1], fx),
            ("GOST, one byte short", &gost[..gost.len() - 1], gs),
            (
                "RSA as BER, last end-of-contents cut",
                &ber[..ber.len() - 2],
                fx,
            ),
            ("empty", &[][..], fx),
        ] {
            t.add(Truncated, name, (&doc, cms), store, invalid());
        }
        let nested = edit::nested_definite(10_000);
        t.add(
            DeeplyNested,
            "10,000 SEQUENCEs, DER",
            (&doc, &nested),
            fx,
            invalid(),
        );
        let indefinite = edit::nested_indefinite(100_000);
        t.add(
            DeeplyNested,
            "100,000 SEQUENCEs, BER",
            (&doc, &indefinite),
            fx,
            invalid(),
        );
        let inside = edit::signed_attribute_added(&rsa, CADES_V2, &nested);
        t.add(
            DeeplyNested,
            "10,000 SEQUENCEs in a signed attribute",
            (&doc, &inside),
            fx,
            invalid(),
        );
        let inside_ber = to_indefinite_ber(&edit::signed_attribute_added(
            &rsa,
            CADES_V2,
            &edit::nested_definite(200),
        ));
        t.add(
            DeeplyNested,
            "200 SEQUENCEs in a signed attribute, BER",
            (&doc, &inside_ber),
            fx,
            invalid(),
        );
        self.oversize(t, &json_bomb());
    }

    fn oversize(&self, t: &mut Table, json_bomb: &[u8]) {
        use Forgery::*;
        let doc = document();
        let (fx, gs) = (Store::Fixtures, Store::Gost);
        t.0.push(Case {
            forgery: DeeplyNested,
            name: "100,000 nested JSON arrays as the signature".into(),
            body: json_bomb.to_vec(),
            store: fx,
            applicant_iin: IIN,
            expect: dead(NotJson),
        });
        let p256 = read("p256-detached.p7s");
        let big = huge_certificate(&p256, 4 << 20);
        t.add(
            Oversize,
            "P-256 certificate with a 4 MiB extension",
            (&doc, &big),
            fx,
            dead(TooLarge),
        );
        let under = huge_certificate(&p256, 600_000);
        let untrusted = refused(&[SignatureUntrusted]);
        t.add(
            Oversize,
            "P-256 certificate with a 600 kB extension",
            (&doc, &under),
            fx,
            untrusted.clone(),
        );
        let gost = huge_certificate(&self.gost.detached("good", &doc), 600_000);
        t.add(
            Oversize,
            "GOST certificate with a 600 kB extension",
            (&doc, &gost),
            gs,
            untrusted,
        );
        let content = vec![b' '; 8 << 20];
        let attached = edit::attached_content(&read("rsa-attached.p7s"), &content);
        t.add(
            Oversize,
            "RSA attached content of 8 MiB",
            (&content, &attached),
            fx,
            dead(TooLarge),
        );
        let huge_doc = [&doc[..], &vec![b' '; 2 << 20]].concat();
        t.add(
            Oversize,
            "a document of 2 MiB",
            (&huge_doc, &read("rsa-detached.p7s")),
            fx,
            dead(TooLarge),
        );
    }
}

/// An envelope whose signature is 100,000 nested JSON arrays.
fn json_bomb() -> Vec<u8> {
    let mut body = envelope("TRP-CORPUS-JSON", &document(), b"0");
    body["signature"] = json!("SIGNATURE");
    let text = serde_json::to_string(&body).unwrap();
    let bomb = ["[".repeat(100_000), "]".repeat(100_000)].concat();
    text.replace("\"SIGNATURE\"", &bomb).into_bytes()
}

mod gost {
    //! GOST shapes the table needs beyond a detached signature.
    use crate::gost::GostPki;
    use crate::support::gost_cms::CmsOptions;

    pub fn attached(pki: &GostPki, document: &[u8]) -> Vec<u8> {
        let options = CmsOptions {
            attached: true,
            ..CmsOptions::default()
        };
        pki.sign("good", document, &options)
    }
}
