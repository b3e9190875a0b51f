//! Each registry's CSV rows (`trp-worker import`): the first byte picks the registry, the
//! rest is the file; every row is validated or the file is refused with a named line and
//! column, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trp_worker::store::registries::{validate, Registry};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let registry = Registry::ALL[usize::from(pick) % Registry::ALL.len()];
    let _ = validate(registry, file);
});
