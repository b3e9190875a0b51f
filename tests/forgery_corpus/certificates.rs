//! Cases where the signer's certificate must not be trusted for this signature: expired,
//! not yet valid, revoked, under an unconfigured root, of the wrong key usage or extended
//! key usage, or under an impostor intermediate that carries a real CA's name.

use trp_worker::domain::reason::ReasonCode::{self, *};

use super::cases::{Corpus, Forgery, Forgery::*, Store, Table};
use crate::support::{document, read};

/// One kind of certificate forgery: its code, the committed RSA fixture of it (if any),
/// the corpus CA's leaves and the GOST leaf of that kind.
struct Row {
    forgery: Forgery,
    code: ReasonCode,
    committed: Option<&'static str>,
    corpus_leaves: &'static [&'static str],
    gost_leaf: &'static str,
}

const ROWS: [Row; 6] = [
    Row {
        forgery: Expired,
        code: SignatureExpired,
        committed: Some("expired-detached.p7s"),
        corpus_leaves: &["p256-expired"],
        gost_leaf: "expired",
    },
    Row {
        forgery: NotYetValid,
        code: SignatureExpired,
        committed: None,
        corpus_leaves: &["rsa-not-yet", "p256-not-yet"],
        gost_leaf: "not-yet",
    },
    Row {
        forgery: Revoked,
        code: SignatureRevoked,
        committed: Some("revoked-detached.p7s"),
        corpus_leaves: &["p256-revoked"],
        gost_leaf: "revoked",
    },
    Row {
        forgery: UntrustedRoot,
        code: SignatureUntrusted,
        committed: Some("rogue-detached.p7s"),
        corpus_leaves: &["p256-rogue"],
        gost_leaf: "rogue",
    },
    Row {
        forgery: WrongKeyUsage,
        code: SignatureKeyUsage,
        committed: Some("keyenc-detached.p7s"),
        corpus_leaves: &["p256-keyenc"],
        gost_leaf: "keyenc",
    },
    Row {
        forgery: WrongExtendedKeyUsage,
        code: SignatureKeyUsage,
        committed: Some("clientauth-detached.p7s"),
        corpus_leaves: &["p256-clientauth"],
        gost_leaf: "clientauth",
    },
];

impl Corpus {
    /// Each kind of [`ROWS`] for every family that has a certificate of it.
    pub fn certificates_of_each_kind(&self, t: &mut Table) {
        let doc = document();
        for row in ROWS {
            t.kind(row.forgery);
            if let Some(fixture) = row.committed {
                t.case(fixture, &doc, &read(fixture), Store::Fixtures)
                    .refused(&[row.code]);
            }
            for leaf in row.corpus_leaves {
                let cms = self.openssl.sign(leaf, &doc, &[]);
                t.case(&format!("{leaf}, corpus CA"), &doc, &cms, Store::Openssl)
                    .refused(&[row.code]);
            }
            let cms = self.gost.detached(row.gost_leaf, &doc);
            let name = format!("GOST 2015-512, {}", row.gost_leaf);
            t.case(&name, &doc, &cms, Store::Gost).refused(&[row.code]);
        }
    }

    /// Leaves under an intermediate with the real one's name and key identifier (issued
    /// by a root with the real root's), carried in the signature, meeting the real CAs.
    pub fn impostor_intermediates(&self, t: &mut Table) {
        t.kind(ImpostorIntermediate);
        let doc = document();
        for (leaf, carry) in [
            ("impostor-rsa", &["impostor", "impostor-root"][..]),
            ("impostor-p256", &["impostor", "impostor-root"][..]),
            ("impostor-rsa", &["impostor"][..]),
        ] {
            let cms = self.openssl.sign(leaf, &doc, carry);
            let name = format!("{leaf} carrying {}", carry.join(" and "));
            t.case(&name, &doc, &cms, Store::Fixtures)
                .refused(&[SignatureUntrusted]);
        }
        let cms = self.gost.detached("impostor", &doc);
        t.case("GOST 2015-512 carrying both", &doc, &cms, Store::Gost)
            .refused(&[SignatureUntrusted]);
    }
}
