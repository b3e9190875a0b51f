//! GOST 34.311-95 (GOST R 34.11-94 with the test S-box and H0 = 0), the hash of GOST
//! 34.310-2004 signatures, written for speed: the `gost94` crate computes the same digest
//! (it stays the reference of the tests here) but looks the S-box up a nibble at a time
//! and moves the whole block for each of the 74 ψ steps of a compression, which made the
//! hash cost as much as the elliptic-curve work. Here the S-box and the rotation by 11 are
//! four byte-indexed tables built at compile time (GOST 28147's usual form), and ψ runs
//! over 16-bit words as a shift register: n steps append n words, each the XOR of six.
//!
//! Byte order as the crate's: words little-endian, the digest's bytes as the crate gives
//! them.

type Block = [u8; 32];

/// The test parameters' S-box (GOST R 34.11-94 appendix A; RFC 5831 7.2).
const S_BOX: [[u8; 16]; 8] = [
    [4, 10, 9, 2, 13, 8, 0, 14, 6, 11, 1, 12, 7, 15, 5, 3],
    [14, 11, 4, 12, 6, 13, 15, 10, 2, 3, 8, 1, 0, 7, 5, 9],
    [5, 8, 1, 13, 10, 3, 4, 2, 14, 15, 12, 7, 6, 0, 9, 11],
    [7, 13, 10, 1, 0, 8, 9, 15, 14, 4, 6, 12, 11, 2, 5, 3],
    [6, 12, 7, 1, 5, 15, 13, 8, 4, 10, 9, 14, 0, 3, 11, 2],
    [4, 11, 10, 0, 7, 2, 1, 13, 3, 6, 8, 5, 9, 12, 15, 14],
    [13, 11, 4, 1, 3, 15, 5, 9, 0, 10, 14, 7, 6, 8, 2, 12],
    [1, 15, 13, 0, 5, 7, 10, 4, 9, 2, 3, 14, 6, 11, 8, 12],
];

/// `TABLES[j][b]`: byte j of a word, b, through S-boxes 2j and 2j + 1, in place, rotated
/// left by 11: the round function is the XOR of four lookups.
static TABLES: [[u32; 256]; 4] = tables();

const fn tables() -> [[u32; 256]; 4] {
    let mut t = [[0u32; 256]; 4];
    let mut j = 0;
    while j < 4 {
        let mut b = 0;
        while b < 256 {
            let low = S_BOX[2 * j][b & 15] as u32;
            let high = S_BOX[2 * j + 1][b >> 4] as u32;
            t[j][b] = ((high << 4 | low) << (8 * j)).rotate_left(11);
            b += 1;
        }
        j += 1;
    }
    t
}

#[inline(always)]
fn round(x: u32) -> u32 {
    let [b0, b1, b2, b3] = x.to_le_bytes();
    TABLES[0][b0 as usize]
        ^ TABLES[1][b1 as usize]
        ^ TABLES[2][b2 as usize]
        ^ TABLES[3][b3 as usize]
}

fn word(bytes: &[u8], i: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&bytes[4 * i..4 * i + 4]);
    u32::from_le_bytes(w)
}

/// GOST 28147-89 encryption of the 8 bytes at `block` under `key` (32 rounds).
fn encrypt(block: &mut [u8], key: &Block) {
    let k: [u32; 8] = std::array::from_fn(|i| word(key, i));
    let (mut a, mut b) = (word(block, 0), word(block, 1));
    for i in (0..24).map(|i| i % 8).chain((0..8).rev()) {
        let t = b ^ round(a.wrapping_add(k[i]));
        b = a;
        a = t;
    }
    block[..4].copy_from_slice(&b.to_le_bytes());
    block[4..8].copy_from_slice(&a.to_le_bytes());
}

fn xor(a: &Block, b: &Block) -> Block {
    std::array::from_fn(|i| a[i] ^ b[i])
}

/// A(x): the block shifted down 8 bytes, the top 8 the XOR of the lowest two.
fn a(x: &Block) -> Block {
    std::array::from_fn(|i| {
        if i < 24 {
            x[i + 8]
        } else {
            x[i - 24] ^ x[i - 16]
        }
    })
}

/// P(y): the byte transposition out[i + 4k] = y[8i + k].
fn p(y: &Block) -> Block {
    std::array::from_fn(|i| y[8 * (i % 4) + i / 4])
}

/// ψ^n over the block's 16-bit words: word 15 of ψ(y) is y0 ⊕ y1 ⊕ y2 ⊕ y3 ⊕ y12 ⊕ y15,
/// the others y shifted down one.
fn psi(block: &Block, n: usize) -> Block {
    let mut w = [0u16; 16 + 61];
    for (i, word) in w.iter_mut().take(16).enumerate() {
        *word = u16::from_le_bytes([block[2 * i], block[2 * i + 1]]);
    }
    for i in 0..n {
        w[i + 16] = w[i] ^ w[i + 1] ^ w[i + 2] ^ w[i + 3] ^ w[i + 12] ^ w[i + 15];
    }
    let mut out = [0u8; 32];
    for (i, pair) in out.chunks_exact_mut(2).enumerate() {
        pair.copy_from_slice(&w[n + i].to_le_bytes());
    }
    out
}

const C3: Block = [
    0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00,
    0x00, 0xff, 0xff, 0x00, 0xff, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0xff,
];

/// The step function: h under m.
fn f(h: &mut Block, m: &Block) {
    let mut s = *h;
    let (mut u, mut v) = (*h, *m);
    for i in 0..4 {
        if i > 0 {
            u = a(&u);
            if i == 2 {
                u = xor(&u, &C3);
            }
            v = a(&a(&v));
        }
        encrypt(&mut s[8 * i..8 * i + 8], &p(&xor(&u, &v)));
    }
    let mixed = xor(&psi(&s, 12), m);
    *h = psi(&xor(h, &psi(&mixed, 1)), 61);
}

/// Adds `block` (little-endian) to the 256-bit `sum`.
fn add(sum: &mut [u64; 4], block: &Block) {
    let mut carry = 0u128;
    for (i, limb) in sum.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&block[8 * i..8 * i + 8]);
        let t = u128::from(*limb) + u128::from(u64::from_le_bytes(w)) + carry;
        *limb = t as u64;
        carry = t >> 64;
    }
}

fn bytes(n: &[u64; 4]) -> Block {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(n) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

/// The GOST 34.311-95 digest of `data`.
pub fn digest(data: &[u8]) -> [u8; 32] {
    let (mut h, mut sigma) = ([0u8; 32], [0u64; 4]);
    let length_bits = (data.len() as u128) * 8;
    let mut chunks = data.chunks_exact(32);
    for chunk in chunks.by_ref() {
        let mut m = [0u8; 32];
        m.copy_from_slice(chunk);
        f(&mut h, &m);
        add(&mut sigma, &m);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut m = [0u8; 32];
        m[..rest.len()].copy_from_slice(rest);
        f(&mut h, &m);
        add(&mut sigma, &m);
    }
    let length = [length_bits as u64, (length_bits >> 64) as u64, 0, 0];
    f(&mut h, &bytes(&length));
    f(&mut h, &bytes(&sigma));
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use gost94::{Digest as _, Gost94Test};
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    /// GOST R 34.11-94 examples 1 and 2 with the test parameters (RFC 5831 7.3).
    #[test]
    fn the_standard_examples() {
        assert_eq!(
            hex::encode(digest(b"This is message, length=32 bytes")),
            "b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa"
        );
        assert_eq!(
            hex::encode(digest(
                b"Suppose the original message has length = 50 bytes"
            )),
            "471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208"
        );
    }

    /// The same digest as the `gost94` crate for every length from 0 to 200 and random
    /// contents, and for a 3,000-byte message.
    #[test]
    fn agrees_with_the_gost94_crate() {
        let mut rng = StdRng::seed_from_u64(34311);
        for len in (0..=200).chain([3000]) {
            let mut data = vec![0u8; len];
            rng.fill(data.as_mut_slice());
            assert_eq!(
                digest(&data).as_slice(),
                Gost94Test::digest(&data).as_slice(),
                "length {len}"
            );
        }
    }
}
