//! The DER a time-stamp token carries beside its CMS: the `TSTInfo` (RFC 3161, 2.4.2) and
//! the TSA's ESS signing-certificate attribute, v1 (RFC 2634, SHA-1) or v2 (RFC 5816).
//! Read with `der`'s reader; only the fields the check uses are kept, the rest is skipped
//! whole. Every malformed input is an error, never a panic.

use der::asn1::{Any, ObjectIdentifier as Oid, OctetString};
use der::{Encode, Reader, SliceReader, Tag, Tagged};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use x509_cert::spki::AlgorithmIdentifierOwned;

/// id-ct-TSTInfo: the content type of a time-stamp token's SignedData.
pub const ID_CT_TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// id-aa-signingCertificate (ESSCertID, SHA-1).
pub const ID_SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// id-aa-signingCertificateV2 (ESSCertIDv2, RFC 5816).
pub const ID_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");

/// What the check uses of a `TSTInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TstInfo {
    pub imprint_algorithm: Oid,
    pub imprint: Vec<u8>,
    pub gen_time: OffsetDateTime,
}

/// Reads a DER `TSTInfo`: version 1, policy, messageImprint, serialNumber, genTime, then
/// the optional fields (accuracy, ordering, nonce, tsa, extensions), skipped.
pub fn parse(bytes: &[u8]) -> Result<TstInfo, String> {
    let mut reader = SliceReader::new(bytes).map_err(|e| e.to_string())?;
    let info = reader
        .sequence(|r| {
            let version: u8 = r.decode()?;
            let _policy: Oid = r.decode()?;
            let (imprint_algorithm, imprint) = r.sequence(|r| {
                let algorithm: AlgorithmIdentifierOwned = r.decode()?;
                let hashed: OctetString = r.decode()?;
                Ok((algorithm.oid, hashed.into_bytes()))
            })?;
            let _serial: der::asn1::Int = r.decode()?;
            let gen_time: Any = r.decode()?;
            while !r.is_finished() {
                r.tlv_bytes()?;
            }
            Ok((version, imprint_algorithm, imprint, gen_time))
        })
        .and_then(|info| reader.finish(info))
        .map_err(|e| format!("the TSTInfo is not DER: {e}"))?;
    let (version, imprint_algorithm, imprint, gen_time) = info;
    if version != 1 {
        return Err(format!("the TSTInfo has version {version}; 1 is expected"));
    }
    if gen_time.tag() != Tag::GeneralizedTime {
        return Err("the TSTInfo's genTime is not a GeneralizedTime".into());
    }
    let gen_time = generalized_time(gen_time.value())
        .ok_or("the TSTInfo's genTime is not YYYYMMDDHHMMSS[.f]Z")?;
    Ok(TstInfo {
        imprint_algorithm,
        imprint,
        gen_time,
    })
}

/// `YYYYMMDDHHMMSS[.fraction]Z` (RFC 3161 allows a fraction; `der`'s GeneralizedTime does
/// not, so it is read here).
fn generalized_time(text: &[u8]) -> Option<OffsetDateTime> {
    let text = std::str::from_utf8(text).ok()?.strip_suffix('Z')?;
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |range: std::ops::Range<usize>| whole.get(range)?.parse::<u32>().ok();
    let nanos = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            let digits: String = f.chars().chain(std::iter::repeat('0')).take(9).collect();
            digits.parse().ok()?
        }
        Some(_) => return None,
    };
    let year = i32::try_from(n(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?;
    let date = Date::from_calendar_date(year, month, u8::try_from(n(6..8)?).ok()?).ok()?;
    let [h, m, s] = [n(8..10)?, n(10..12)?, n(12..14)?].map(|v| u8::try_from(v).unwrap_or(99));
    let time = Time::from_hms_nano(h, m, s, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// The certificate hash the TSA's signing-certificate attribute names first (the TSA's
/// own, RFC 5035 5.4), and the digest it is made with: `None` for SHA-1 (v1), otherwise
/// v2's hashAlgorithm (SHA-256 when absent).
pub struct EssCertId {
    pub algorithm: Option<Oid>,
    pub hash: Vec<u8>,
}

/// Reads the first ESSCertID(v2) of a SigningCertificate(V2) attribute value.
pub fn ess_cert_id(value: &Any, v2: bool) -> Result<EssCertId, String> {
    let der = value.to_der().map_err(|e| e.to_string())?;
    let mut reader = SliceReader::new(&der).map_err(|e| e.to_string())?;
    let bad = |e: der::Error| format!("the TSA's signing-certificate attribute is malformed: {e}");
    let id = reader
        .sequence(|r| {
            let first = r.sequence(|certs| {
                let id = certs.sequence(|id| {
                    let algorithm = if v2 && id.peek_tag()? == Tag::Sequence {
                        Some(id.decode::<AlgorithmIdentifierOwned>()?.oid)
                    } else {
                        None
                    };
                    let hash: OctetString = id.decode()?;
                    while !id.is_finished() {
                        id.tlv_bytes()?;
                    }
                    Ok(EssCertId {
                        algorithm: algorithm.or(v2.then_some(SHA256)),
                        hash: hash.into_bytes(),
                    })
                })?;
                while !certs.is_finished() {
                    certs.tlv_bytes()?;
                }
                Ok(id)
            })?;
            while !r.is_finished() {
                r.tlv_bytes()?;
            }
            Ok(first)
        })
        .and_then(|id| reader.finish(id))
        .map_err(bad)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn gen_time_reads_whole_seconds_and_fractions() {
        assert_eq!(
            generalized_time(b"20261124050000Z"),
            Some(datetime!(2026-11-24 05:00 UTC))
        );
        assert_eq!(
            generalized_time(b"20261124050000.25Z"),
            Some(datetime!(2026-11-24 05:00:00.25 UTC))
        );
        for bad in [
            &b"20261124050000"[..],
            b"2026112405000Z",
            b"20261324050000Z",
            b"20261124050000.Z",
            b"20261124056100Z",
            b"2026112405000aZ",
        ] {
            assert_eq!(
                generalized_time(bad),
                None,
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn hostile_bytes_are_errors_not_panics() {
        for bytes in [
            &[][..],
            &[0x30],
            &[0x30, 0x80],
            &[0x30, 0x03, 0x02, 0x01, 0x01],
        ] {
            assert!(parse(bytes).is_err());
        }
    }
}
