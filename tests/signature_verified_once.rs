//! The intermediates' and CRLs' signatures verified once, at load
//! (`checks::signature::verified_once`): a configured intermediate whose signature the
//! store remembers still gets every other check on every chain (validity at
//! `submitted_at`, revocation by the root's CRL), and an intermediate carried only in the
//! CMS still chains the ordinary way. Built with the GOST test PKI (`support::gost_pki`),
//! which can make an expired or revoked CA.

use crate::support;

use support::gost_cms::{cms, CmsOptions};
use support::gost_pki::{self, certificate, crl, name, Key, Profile};
use support::*;
use time::macros::datetime;
use trp_worker::checks::signature::gost::algorithms::Kind;
use trp_worker::checks::signature::TrustStore;
use trp_worker::domain::reason::ReasonCode::{self, *};

const INTERMEDIATE_SERIAL: u8 = 2;

/// A root, an intermediate made with `profile` (serial 2), a person leaf under it, and the
/// CMS signature of the sample document by that leaf carrying `extra` certificates.
struct Chain {
    root: Vec<u8>,
    intermediate: Vec<u8>,
    signature: Vec<u8>,
}

fn chain(intermediate_profile: &Profile, carry_intermediate: bool) -> Chain {
    let root_key = Key::new(Kind::Gost2015_512, "root");
    let root_name = name("TEST ROOT", None);
    let root = certificate(
        1,
        &root_name,
        &root_key,
        (&root_name, &root_key),
        &Profile::ca(),
    );
    let ca_key = Key::new(Kind::Gost2015_512, "intermediate");
    let ca_name = name("TEST INTERMEDIATE", None);
    let intermediate = certificate(
        INTERMEDIATE_SERIAL,
        &ca_name,
        &ca_key,
        (&root_name, &root_key),
        intermediate_profile,
    );
    let leaf_key = Key::new(Kind::Gost2015_256, "leaf");
    let person = name("TEST APPLICANT", Some(&format!("IIN{IIN}")));
    let leaf = certificate(
        10,
        &person,
        &leaf_key,
        (&ca_name, &ca_key),
        &Profile::person(),
    );
    let options = CmsOptions {
        extra_certs: if carry_intermediate {
            vec![intermediate.clone()]
        } else {
            Vec::new()
        },
        ..CmsOptions::default()
    };
    let signature = cms(&leaf, &leaf_key, &document(), &options);
    Chain {
        root,
        intermediate,
        signature,
    }
}

/// The root's CRL, revoking `serials`.
fn root_crl(serials: &[u8]) -> Vec<u8> {
    let key = Key::new(Kind::Gost2015_512, "root");
    crl((&name("TEST ROOT", None), &key), serials)
}

/// The intermediate's CRL, revoking nothing the tests use.
fn intermediate_crl() -> Vec<u8> {
    let key = Key::new(Kind::Gost2015_512, "intermediate");
    crl((&name("TEST INTERMEDIATE", None), &key), &[99])
}

fn store(certs: &[&[u8]], crls: Vec<Vec<u8>>) -> TrustStore {
    let certs: Vec<(String, Vec<u8>)> = certs
        .iter()
        .enumerate()
        .map(|(i, der)| (format!("ca{i}.pem"), gost_pki::pem(der)))
        .collect();
    let crls: Vec<(String, Vec<u8>)> = crls
        .into_iter()
        .enumerate()
        .map(|(i, der)| (format!("{i}.crl"), der))
        .collect();
    TrustStore::from_pem_and_crls(&certs, &crls).expect("the trust store loads")
}

fn configured(chain: &Chain, crls: Vec<Vec<u8>>) -> TrustStore {
    store(&[&chain.root, &chain.intermediate], crls)
}

fn codes_at(chain: &Chain, trust: &TrustStore, at: time::OffsetDateTime) -> Vec<ReasonCode> {
    codes(&failures_at(
        &chain.signature,
        &document(),
        trust,
        at,
        Some(IIN),
    ))
}

#[test]
fn a_configured_intermediate_chains() {
    for carried in [false, true] {
        let chain = chain(&Profile::ca(), carried);
        let trust = configured(&chain, vec![root_crl(&[77]), intermediate_crl()]);
        assert_eq!(codes_at(&chain, &trust, SUBMITTED_AT), [], "{carried}");
    }
}

#[test]
fn an_intermediate_expired_at_submission_is_expired() {
    let until_2026 = Profile {
        until_year: 2026,
        ..Profile::ca()
    };
    let chain = chain(&until_2026, false);
    let trust = configured(&chain, vec![root_crl(&[77]), intermediate_crl()]);
    // The leaf is valid from 2026; the intermediate ends on 2026-01-01.
    assert_eq!(codes_at(&chain, &trust, SUBMITTED_AT), [SignatureExpired]);
}

#[test]
fn an_intermediate_not_yet_valid_at_submission_is_expired() {
    let from_2027 = Profile {
        from_year: 2027,
        ..Profile::ca()
    };
    let chain = chain(&from_2027, false);
    let trust = configured(&chain, vec![intermediate_crl()]);
    assert_eq!(codes_at(&chain, &trust, SUBMITTED_AT), [SignatureExpired]);
    let in_2027 = datetime!(2027-06-01 12:00 UTC);
    assert_eq!(codes_at(&chain, &trust, in_2027), []);
}

#[test]
fn an_intermediate_revoked_by_the_roots_crl_is_revoked() {
    let chain = chain(&Profile::ca(), false);
    let revoked = configured(
        &chain,
        vec![root_crl(&[INTERMEDIATE_SERIAL]), intermediate_crl()],
    );
    assert_eq!(codes_at(&chain, &revoked, SUBMITTED_AT), [SignatureRevoked]);
    // Revoked also when the CMS carries the intermediate besides the configured copy.
    let carried = self::chain(&Profile::ca(), true);
    let revoked = configured(
        &carried,
        vec![root_crl(&[INTERMEDIATE_SERIAL]), intermediate_crl()],
    );
    assert_eq!(
        codes_at(&carried, &revoked, SUBMITTED_AT),
        [SignatureRevoked]
    );
}

#[test]
fn an_intermediate_carried_only_in_the_cms_chains_the_ordinary_way() {
    let carried = chain(&Profile::ca(), true);
    let root_only = store(&[&carried.root], vec![root_crl(&[77]), intermediate_crl()]);
    assert_eq!(codes_at(&carried, &root_only, SUBMITTED_AT), []);
    // ... and is checked like a configured one: revoked by the root, expired.
    let revoked = store(&[&carried.root], vec![root_crl(&[INTERMEDIATE_SERIAL])]);
    assert_eq!(
        codes_at(&carried, &revoked, SUBMITTED_AT),
        [SignatureRevoked]
    );
    let until_2026 = Profile {
        until_year: 2026,
        ..Profile::ca()
    };
    let expired = chain(&until_2026, true);
    let root_only = store(&[&expired.root], vec![]);
    assert_eq!(
        codes_at(&expired, &root_only, SUBMITTED_AT),
        [SignatureExpired]
    );
    // Not carried and not configured: no chain.
    let bare = chain(&Profile::ca(), false);
    let root_only = store(&[&bare.root], vec![]);
    assert_eq!(
        codes_at(&bare, &root_only, SUBMITTED_AT),
        [SignatureUntrusted]
    );
}

#[test]
fn a_crl_signed_by_another_key_is_not_trusted() {
    // A CRL that names the intermediate as issuer but is signed by another key: the store
    // does not remember it, and webpki rejects the chain that consults it, as before.
    let chain = chain(&Profile::ca(), false);
    let forged = crl(
        (
            &name("TEST INTERMEDIATE", None),
            &Key::new(Kind::Gost2015_512, "not the intermediate"),
        ),
        &[99],
    );
    let trust = configured(&chain, vec![forged]);
    assert_eq!(codes_at(&chain, &trust, SUBMITTED_AT), [SignatureUntrusted]);
}
