//! Cases where the encoding was forged: algorithm identifiers swapped between RSA, ECDSA
//! and GOST, a GOST signature in another byte order, truncated and deeply nested DER and
//! BER, oversize inputs.

use trp_worker::domain::dead_letter::DeadLetterReason::{NotJson, TooLarge};
use trp_worker::domain::reason::ReasonCode::*;

use super::cases::{huge_certificate, nested_json_envelope, Corpus, Forgery::*, Store, Table};
use super::edit;
use super::signed_bytes::CADES_V2;
use crate::support::{document, read, to_indefinite_ber};

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";
const GOST_2015_512: &str = "1.2.398.3.10.1.1.2.3.2";
const GOST_2015_512_KEY: &str = "1.2.398.3.10.1.1.2.2";
const STREEBOG_512: &str = "1.2.398.3.10.1.3.3";
const GOST_2015_256: &str = "1.2.398.3.10.1.1.2.3.1";
const STREEBOG_256: &str = "1.2.398.3.10.1.3.2";
const GOST_2004: &str = "1.2.398.3.10.1.1.1.2";
const GOST_34311: &str = "1.2.398.3.10.1.3.1";

impl Corpus {
    /// The signer's signatureAlgorithm (and digestAlgorithm) rewritten to another
    /// family's; and a certificate's key relabelled.
    pub fn swapped_algorithms(&self, t: &mut Table) {
        t.kind(AlgorithmSwapped);
        let doc = document();
        let (fx, gs) = (Store::Fixtures, Store::Gost);
        let (rsa, p256) = (read("rsa-detached.p7s"), read("p256-detached.p7s"));
        let gost = self.gost.detached("good", &doc);
        for (name, cms, store, signature, digest) in [
            ("RSA as ECDSA", &rsa, fx, ECDSA_WITH_SHA256, None),
            ("RSA as GOST", &rsa, fx, GOST_2015_512, Some(STREEBOG_512)),
            (
                "RSA, Streebog digest",
                &rsa,
                fx,
                SHA256_WITH_RSA,
                Some(STREEBOG_512),
            ),
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
                "GOST 512 as GOST 256",
                &gost,
                gs,
                GOST_2015_256,
                Some(STREEBOG_256),
            ),
            (
                "GOST 2015 as GOST 2004",
                &gost,
                gs,
                GOST_2004,
                Some(GOST_34311),
            ),
            (
                "GOST, SHA-256 digest",
                &gost,
                gs,
                GOST_2015_512,
                Some(SHA256),
            ),
        ] {
            let forged = edit::algorithms(cms, signature, digest);
            t.case(name, &doc, &forged, store)
                .refused(&[SignatureInvalid]);
        }
        self.relabelled_key(t);
    }

    /// The certificate's key relabelled as a GOST key: the CA's signature over the
    /// certificate breaks too.
    fn relabelled_key(&self, t: &mut Table) {
        let relabelled = edit::signer_certificate(&read("p256-detached.p7s"), |cert| {
            let spki = &mut cert.tbs_certificate.subject_public_key_info.algorithm;
            spki.oid = der::asn1::ObjectIdentifier::new_unwrap(GOST_2015_512_KEY);
        });
        t.case(
            "P-256 key relabelled GOST",
            &document(),
            &relabelled,
            Store::Fixtures,
        )
        .refused(&[SignatureInvalid, SignatureUntrusted]);
    }

    /// The GOST signature value (r‖s, little-endian, as NCA writes it) rearranged.
    pub fn gost_byte_orders(&self, t: &mut Table) {
        t.kind(GostByteOrder);
        let doc = document();
        let gost = self.gost.detached("good", &doc);
        for (name, rearrange) in [
            (
                "s‖r (r and s swapped)",
                edit::halves_swapped as fn(&[u8]) -> Vec<u8>,
            ),
            ("big-endian s‖r (all reversed)", edit::reversed),
            ("big-endian r‖s (halves reversed)", edit::halves_reversed),
        ] {
            let forged = edit::signature_value(&gost, rearrange);
            t.case(name, &doc, &forged, Store::Gost)
                .refused(&[SignatureInvalid]);
        }
    }

    pub fn truncated(&self, t: &mut Table) {
        t.kind(Truncated);
        let doc = document();
        let (fx, gs) = (Store::Fixtures, Store::Gost);
        let (rsa, p256) = (read("rsa-detached.p7s"), read("p256-detached.p7s"));
        let gost = self.gost.detached("good", &doc);
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
            t.case(name, &doc, cms, store).refused(&[SignatureInvalid]);
        }
    }

    /// Thousands of levels, as the whole CMS, inside a signed attribute, in BER, and in
    /// the envelope's JSON: refused, never a stack overflow.
    pub fn deeply_nested(&self, t: &mut Table) {
        t.kind(DeeplyNested);
        let doc = document();
        let fx = Store::Fixtures;
        let rsa = read("rsa-detached.p7s");
        let nested = edit::nested_definite(10_000);
        let inside = edit::signed_attribute_added(&rsa, CADES_V2, &nested);
        let inside_ber = to_indefinite_ber(&edit::signed_attribute_added(
            &rsa,
            CADES_V2,
            &edit::nested_definite(200),
        ));
        for (name, cms) in [
            ("10,000 SEQUENCEs, DER", nested.clone()),
            ("100,000 SEQUENCEs, BER", edit::nested_indefinite(100_000)),
            ("10,000 SEQUENCEs in a signed attribute", inside),
            ("200 SEQUENCEs in a signed attribute, BER", inside_ber),
        ] {
            t.case(name, &doc, &cms, fx).refused(&[SignatureInvalid]);
        }
        let body = nested_json_envelope("TRP-CORPUS-JSON", &doc);
        t.body("100,000 nested JSON arrays as the signature", body, fx)
            .dead_lettered(NotJson);
    }

    /// Over the envelope's size limit: dead-lettered before any check; under it, a
    /// certificate too big for the chain check: untrusted.
    pub fn oversize(&self, t: &mut Table) {
        t.kind(Oversize);
        let doc = document();
        let (fx, gs) = (Store::Fixtures, Store::Gost);
        let p256 = read("p256-detached.p7s");
        t.case(
            "P-256 certificate, 4 MiB extension",
            &doc,
            &huge_certificate(&p256, 4 << 20),
            fx,
        )
        .dead_lettered(TooLarge);
        let content = vec![b' '; 8 << 20];
        let attached = edit::attached_content(&read("rsa-attached.p7s"), &content);
        t.case("RSA, 8 MiB attached content", &content, &attached, fx)
            .dead_lettered(TooLarge);
        let huge_doc = [&doc[..], &vec![b' '; 2 << 20]].concat();
        t.case(
            "a document of 2 MiB",
            &huge_doc,
            &read("rsa-detached.p7s"),
            fx,
        )
        .dead_lettered(TooLarge);
        t.case(
            "P-256 certificate, 600 kB extension",
            &doc,
            &huge_certificate(&p256, 600_000),
            fx,
        )
        .refused(&[SignatureUntrusted]);
        let gost = huge_certificate(&self.gost.detached("good", &doc), 600_000);
        t.case("GOST certificate, 600 kB extension", &doc, &gost, gs)
            .refused(&[SignatureUntrusted]);
        // Signed so by the CA: still more than the chain check reads (64 KiB).
        let gost = self.gost.detached("huge-extension", &doc);
        t.case(
            "GOST certificate, 600 kB extension, signed by the CA",
            &doc,
            &gost,
            gs,
        )
        .refused(&[SignatureUntrusted]);
    }
}
