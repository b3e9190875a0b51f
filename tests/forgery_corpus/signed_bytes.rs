//! Cases where what was signed is not what was submitted, or not by the applicant: a
//! tampered document, tampered signed attributes, attached content that differs, another
//! person's certificate.

use trp_worker::domain::reason::ReasonCode::*;

use super::cases::{Corpus, Forgery::*, Store, Table, OTHER_IIN};
use super::edit;
use crate::support::gost_cms::CmsOptions;
use crate::support::{document, read};

/// id-aa-signingCertificateV2: an attribute type a forger might add.
pub const CADES_V2: &str = "1.2.840.113549.1.9.16.2.47";

impl Corpus {
    /// Good signatures over the committed document, submitted with another one.
    pub fn tampered_documents(&self, t: &mut Table) {
        t.kind(TamperedDocument);
        let (doc, other) = (document(), read("other.json"));
        for fixture in [
            "rsa-detached.p7s",
            "rsa-detached-noattr.p7s",
            "p256-detached.p7s",
        ] {
            let case = t.case(fixture, &other, &read(fixture), Store::Fixtures);
            case.refused(&[SignatureInvalid]);
        }
        let gost = self.gost.detached("good", &doc);
        let case = t.case("GOST 2015-512", &other, &gost, Store::Gost);
        case.refused(&[SignatureInvalid]);
    }

    /// The messageDigest attribute changed after signing, or an attribute added.
    pub fn tampered_signed_attributes(&self, t: &mut Table) {
        t.kind(TamperedSignedAttributes);
        let doc = document();
        for fixture in ["rsa-detached.p7s", "p256-detached.p7s"] {
            let forged = edit::message_digest_flipped(&read(fixture));
            let name = format!("{fixture}, messageDigest");
            t.case(&name, &doc, &forged, Store::Fixtures)
                .refused(&[SignatureInvalid]);
        }
        let forged = edit::message_digest_flipped(&self.gost.detached("good", &doc));
        t.case("GOST 2015-512, messageDigest", &doc, &forged, Store::Gost)
            .refused(&[SignatureInvalid]);
        let added = edit::signed_attribute_added(&read("rsa-detached.p7s"), CADES_V2, &[0x30, 0]);
        t.case("RSA, an attribute added", &doc, &added, Store::Fixtures)
            .refused(&[SignatureInvalid]);
    }

    /// Attached content other than the document: signed so, or replaced after signing
    /// (then also submitted as the document).
    pub fn attached_content_that_differs(&self, t: &mut Table) {
        t.kind(AttachedContentDiffers);
        let (doc, other) = (document(), read("other.json"));
        let fx = Store::Fixtures;
        let signed_other = read("rsa-attached-other.p7s");
        t.case("RSA, signed over other content", &doc, &signed_other, fx)
            .refused(&[SignatureInvalid]);
        for fixture in ["rsa-attached.p7s", "p256-attached.p7s"] {
            let swapped = edit::attached_content(&read(fixture), &other);
            let name = format!("{fixture}, content replaced");
            t.case(&name, &doc, &swapped, fx)
                .refused(&[SignatureInvalid]);
            let name = format!("{fixture}, content and document replaced");
            t.case(&name, &other, &swapped, fx)
                .refused(&[SignatureInvalid]);
        }
        let attached = CmsOptions {
            attached: true,
            ..CmsOptions::default()
        };
        let swapped = edit::attached_content(&self.gost.sign("good", &doc, &attached), &other);
        t.case(
            "GOST 2015-512, content replaced",
            &doc,
            &swapped,
            Store::Gost,
        )
        .refused(&[SignatureInvalid]);
    }

    /// A genuine signature by someone whose certificate names another IIN.
    pub fn another_persons_certificate(&self, t: &mut Table) {
        t.kind(AnotherPersonsCertificate);
        let doc = document();
        for fixture in ["rsa-detached.p7s", "p256-detached.p7s"] {
            let name = format!("{fixture}, the applicant {OTHER_IIN}");
            t.case(&name, &doc, &read(fixture), Store::Fixtures)
                .applicant(OTHER_IIN)
                .refused(&[SignatureSignerMismatch]);
        }
        let other_person = self.gost.detached("other-person", &doc);
        t.case(
            "GOST 2015-512, another IIN",
            &doc,
            &other_person,
            Store::Gost,
        )
        .refused(&[SignatureSignerMismatch]);
    }
}
