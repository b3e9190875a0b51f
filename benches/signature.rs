//! Verifications per second of the EDS branch (detached, with signed attributes): the whole
//! path, parse, signer signature, chain with CRLs, key usage and IIN. Criterion's `thrpt`
//! line is verifications per second.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use time::macros::datetime;
use trp_worker::checks::signature::eds::{verify, EdsInput};
use trp_worker::checks::signature::TrustStore;

fn pki(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pki")
        .join(name)
}

fn bench(c: &mut Criterion) {
    let trust = TrustStore::load(
        &[pki("root.pem"), pki("intermediate.pem")],
        &[pki("intermediate.crl")],
    )
    .expect("test PKI loads");
    let document = std::fs::read(pki("document.json")).expect("document");
    let mut group = c.benchmark_group("eds_verify");
    group.throughput(Throughput::Elements(1));
    for (name, fixture) in [
        ("rsa2048", "rsa-detached.p7s"),
        ("p256", "p256-detached.p7s"),
    ] {
        let cms = std::fs::read(pki(fixture)).expect("fixture");
        let input = EdsInput {
            cms: &cms,
            document: &document,
            submitted_at: datetime!(2026-11-24 10:15 +5),
            applicant_iin: Some("900517310006"),
        };
        assert!(verify(&input, &trust).is_empty(), "{name} verifies");
        group.bench_function(name, |b| b.iter(|| verify(&input, &trust)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
