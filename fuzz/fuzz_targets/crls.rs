//! The CRL loader (`signature.crls`, PEM or DER): any file is read or is a named error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trp_worker::checks::signature::revocation::CrlInfo;
use trp_worker::checks::signature::trust::Crls;

fuzz_target!(|data: &[u8]| {
    let _ = Crls::parse(&[("fuzz.crl".to_owned(), data.to_vec())]);
    let _ = CrlInfo::parse(data);
});
