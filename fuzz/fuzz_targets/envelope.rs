//! The envelope as the work queue delivers it: any bytes, under the shipped size limit,
//! parse to an envelope or a named error (a dead letter's reason), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trp_worker::domain::envelope::Envelope;

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = Envelope::parse(data, 1 << 20) {
        let _ = envelope.check_property_message_id(Some("fuzz"));
        let _ = envelope.submitted_at();
    }
});
