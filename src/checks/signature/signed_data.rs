//! Reads a CMS `SignedData` (RFC 5652) into what the verifier needs: the one signer, its
//! certificate, the other certificates it carries and the attached content, if any.
//! DER first; BER (indefinite lengths) through [`super::ber`] only when DER fails.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{CertificateSet, SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier as Oid, OctetString};
use der::{Decode, Encode};
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::Certificate;

use super::ber;

pub const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");

/// A SignedData with exactly one signer whose certificate it carries.
#[derive(Debug)]
pub struct Signed {
    pub signer: SignerInfo,
    pub signer_cert: Certificate,
    pub signer_cert_der: Vec<u8>,
    /// Every other certificate in the SignedData (possible intermediates), DER.
    pub other_certs: Vec<Vec<u8>>,
    /// The encapsulated content's type (must be id-data, checked by the caller).
    pub content_type: Oid,
    /// The attached content; `None` for a detached signature.
    pub content: Option<Vec<u8>>,
}

/// Why a CMS cannot be read; every one is `signature.invalid`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the signature is not a CMS structure (neither DER nor BER): {0}")]
    Encoding(String),
    #[error("the CMS is not SignedData")]
    NotSignedData,
    #[error("the SignedData has no signer")]
    NoSigner,
    #[error("the SignedData has {0} signers; one is expected")]
    ManySigners(usize),
    #[error("the attached content is not an OCTET STRING")]
    ContentNotOctets,
    #[error("the signer's certificate is not in the SignedData")]
    SignerCertMissing,
}

pub fn parse(bytes: &[u8]) -> Result<Signed, ParseError> {
    let info = content_info(bytes)?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(ParseError::NotSignedData);
    }
    let data: SignedData = info
        .content
        .decode_as()
        .map_err(|e| ParseError::Encoding(e.to_string()))?;
    let mut signers = data.signer_infos.0.into_vec();
    let signer = match signers.len() {
        0 => return Err(ParseError::NoSigner),
        1 => signers.remove(0),
        n => return Err(ParseError::ManySigners(n)),
    };
    let content = match &data.encap_content_info.econtent {
        None => None,
        Some(any) => Some(
            any.decode_as::<OctetString>()
                .map_err(|_| ParseError::ContentNotOctets)?
                .into_bytes(),
        ),
    };
    let mut certs = certificates(data.certificates);
    let index = certs
        .iter()
        .position(|c| identifies(&signer.sid, c))
        .ok_or(ParseError::SignerCertMissing)?;
    let signer_cert = certs.remove(index);
    Ok(Signed {
        signer_cert_der: der_of(&signer_cert)?,
        other_certs: certs.iter().map(der_of).collect::<Result<_, _>>()?,
        signer,
        signer_cert,
        content_type: data.encap_content_info.econtent_type,
        content,
    })
}

/// The X.509 certificates of the SignedData; other certificate formats are ignored.
fn certificates(set: Option<CertificateSet>) -> Vec<Certificate> {
    set.map(|set| set.0.into_vec())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(cert) => Some(cert),
            CertificateChoices::Other(_) => None,
        })
        .collect()
}

fn der_of(cert: &Certificate) -> Result<Vec<u8>, ParseError> {
    cert.to_der()
        .map_err(|e| ParseError::Encoding(e.to_string()))
}

fn content_info(bytes: &[u8]) -> Result<ContentInfo, ParseError> {
    match ContentInfo::from_der(bytes) {
        Ok(info) => Ok(info),
        Err(der_error) => {
            // Signing tools that stream write BER; normalise and try once more.
            let der = ber::to_der(bytes)
                .map_err(|e| ParseError::Encoding(format!("{der_error}; as BER: {e}")))?;
            ContentInfo::from_der(&der).map_err(|e| ParseError::Encoding(e.to_string()))
        }
    }
}

fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    let tbs = &cert.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            ias.issuer == tbs.issuer && ias.serial_number == tbs.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            matches!(tbs.get::<SubjectKeyIdentifier>(), Ok(Some((_, own))) if own == *ski)
        }
    }
}
