//! The e-request (the envelope's document): any bytes read to a request or a
//! `documents.malformed` failure, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trp_worker::domain::request::ERequest;

fuzz_target!(|data: &[u8]| {
    let _ = ERequest::parse(data);
});
