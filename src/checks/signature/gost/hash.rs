//! The national CA's hash functions: Streebog as the RustCrypto crate computes it, GOST
//! 34.311-95 by [`super::gost34311`] (the `gost94` crate's digest, several times faster).
//! Their output bytes are the digest in the order the KZ signature reads as a little-endian
//! integer.

use streebog::{Digest as _, Streebog256, Streebog512};

use super::gost34311;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GostHash {
    /// GOST 34.11-2015 (Streebog, GOST R 34.11-2012), 512-bit output: OID 1.2.398.3.10.1.3.3.
    Streebog512,
    /// The same with 256-bit output: OID 1.2.398.3.10.1.3.2.
    Streebog256,
    /// GOST 34.311-95, that is GOST R 34.11-94 with the TEST S-box and H0 = 0 (not the
    /// CryptoPro S-box): OID 1.2.398.3.10.1.3.1.
    Gost34311,
}

impl GostHash {
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Streebog512 => Streebog512::digest(data).to_vec(),
            Self::Streebog256 => Streebog256::digest(data).to_vec(),
            Self::Gost34311 => gost34311::digest(data).to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GOST R 34.11-2012 example M1 (RFC 6986 10.1), whose digests the standard prints as
    /// numbers; the crates give their bytes least significant first.
    #[test]
    fn streebog_on_the_standard_example() {
        let m1 = b"012345678901234567890123456789012345678901234567890123456789012";
        let mut h512 = GostHash::Streebog512.digest(m1);
        h512.reverse();
        assert_eq!(hex::encode(h512), "486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b");
        let mut h256 = GostHash::Streebog256.digest(m1);
        h256.reverse();
        assert_eq!(
            hex::encode(h256),
            "00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d"
        );
    }

    /// GOST R 34.11-94 with the test parameters, example 1 of the standard (RFC 5831 7.3.1).
    #[test]
    fn gost94_test_parameters_on_the_standard_example() {
        let h = GostHash::Gost34311.digest(b"This is message, length=32 bytes");
        assert_eq!(
            hex::encode(h),
            "b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa"
        );
    }
}
