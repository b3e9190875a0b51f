//! The national CA's (NCA RK) signature algorithms, verified natively: GOST 34.10-2015
//! (GOST R 34.10-2012) with 512- and 256-bit keys and Streebog, and GOST 34.310-2004 (GOST R
//! 34.10-2001 on CryptoPro-A) with GOST 34.311-95. They enter the worker through
//! [`algorithms`], as `SignatureVerificationAlgorithm`s like webpki's RSA and ECDSA.

pub mod algorithms;
pub mod curve;
pub mod edwards;
pub mod field;
pub mod fp;
pub mod gost34311;
pub mod hash;
pub mod pm;
pub mod point;
pub mod scalar;
#[cfg(any(test, feature = "testkit"))]
pub mod test_signer;
pub mod verify;

#[cfg(test)]
mod vectors;
