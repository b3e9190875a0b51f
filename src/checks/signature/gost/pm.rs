//! Fixed-width arithmetic modulo a pseudo-Mersenne prime p = 2^(w·L) − c, c below 2^(w/2)
//! (w the limb width: 64 on the targets we run on), the national CA's primes: 2^512 − 569
//! (eight limbs) and 2^256 − 617 (four). Limbs little-endian; every input and output below
//! p. The loops run over a constant L, so the compiler unrolls them into straight-line code
//! of double-width (`u128`) products; the reduction folds the high half in with one
//! multiplication by c per limb (2^(w·L) ≡ c), then the last carry, then at most one
//! subtraction of p.
//!
//! Variable time (branches on carries): verification handles public data only.

use crypto_bigint::{WideWord, Word};

const W: u32 = Word::BITS;
/// The widest prime these functions take: 2L limbs of product in a fixed buffer.
pub const MAX_LIMBS: usize = 8;

#[inline(always)]
fn mac(acc: Word, a: Word, b: Word, carry: Word) -> (Word, Word) {
    let t = WideWord::from(acc) + WideWord::from(a) * WideWord::from(b) + WideWord::from(carry);
    (t as Word, (t >> W) as Word)
}

#[inline(always)]
fn adc(a: Word, b: Word, carry: Word) -> (Word, Word) {
    let t = WideWord::from(a) + WideWord::from(b) + WideWord::from(carry);
    (t as Word, (t >> W) as Word)
}

#[inline(always)]
fn sbb(a: Word, b: Word, borrow: Word) -> (Word, Word) {
    let t = WideWord::from(a)
        .wrapping_sub(WideWord::from(b))
        .wrapping_sub(WideWord::from(borrow));
    (t as Word, ((t >> W) as Word) & 1)
}

/// a + small, and the carry out of the top limb.
#[inline(always)]
fn add_small<const L: usize>(a: &[Word; L], small: Word) -> ([Word; L], bool) {
    let mut r = *a;
    let mut carry = small;
    for limb in r.iter_mut() {
        if carry == 0 {
            break;
        }
        (*limb, carry) = adc(*limb, carry, 0);
    }
    (r, carry != 0)
}

/// a − small, for a ≥ small.
#[inline(always)]
fn sub_small<const L: usize>(a: &[Word; L], small: Word) -> [Word; L] {
    let mut r = *a;
    let mut borrow = small;
    for limb in r.iter_mut() {
        if borrow == 0 {
            break;
        }
        (*limb, borrow) = sbb(*limb, borrow, 0);
    }
    r
}

/// The value below p of a value below 2^(w·L): it is ≥ p exactly when adding c carries.
#[inline(always)]
fn canonical<const L: usize>(a: [Word; L], c: Word) -> [Word; L] {
    match add_small(&a, c) {
        (reduced, true) => reduced,
        (_, false) => a,
    }
}

/// The 2L-limb product in `t` (low limbs first) modulo p.
#[inline(always)]
fn reduce<const L: usize>(t: &[Word; 2 * MAX_LIMBS], c: Word) -> [Word; L] {
    let mut r = [0 as Word; L];
    let mut carry = 0;
    for (i, limb) in r.iter_mut().enumerate() {
        (*limb, carry) = mac(t[i], t[i + L], c, carry);
    }
    // carry ≤ c, so carry·c < 2^w; a second carry leaves r below c², and c more cannot carry.
    let (r, again) = add_small(&r, carry * c);
    let r = if again { add_small(&r, c).0 } else { r };
    canonical(r, c)
}

/// a·b mod p.
#[inline]
pub fn mul<const L: usize>(a: &[Word; L], b: &[Word; L], c: Word) -> [Word; L] {
    let mut t = [0 as Word; 2 * MAX_LIMBS];
    for i in 0..L {
        let mut carry = 0;
        for j in 0..L {
            (t[i + j], carry) = mac(t[i + j], a[i], b[j], carry);
        }
        t[i + L] = carry;
    }
    reduce(&t, c)
}

/// a² mod p: each cross product once, doubled, then the squares of the limbs.
#[inline]
pub fn square<const L: usize>(a: &[Word; L], c: Word) -> [Word; L] {
    let mut t = [0 as Word; 2 * MAX_LIMBS];
    for i in 0..L {
        let mut carry = 0;
        for j in (i + 1)..L {
            (t[i + j], carry) = mac(t[i + j], a[i], a[j], carry);
        }
        t[i + L] = carry;
    }
    let mut top = 0;
    for limb in t.iter_mut().take(2 * L) {
        let v = *limb;
        *limb = (v << 1) | top;
        top = v >> (W - 1);
    }
    let mut carry = 0;
    for i in 0..L {
        let sq = WideWord::from(a[i]) * WideWord::from(a[i]);
        (t[2 * i], carry) = adc(t[2 * i], sq as Word, carry);
        (t[2 * i + 1], carry) = adc(t[2 * i + 1], (sq >> W) as Word, carry);
    }
    reduce(&t, c)
}

/// a + b mod p: a carry out means a + b − 2^(w·L), and + c makes it a + b − p (below p).
#[inline]
pub fn add<const L: usize>(a: &[Word; L], b: &[Word; L], c: Word) -> [Word; L] {
    let mut r = [0 as Word; L];
    let mut carry = 0;
    for i in 0..L {
        (r[i], carry) = adc(a[i], b[i], carry);
    }
    if carry != 0 {
        add_small(&r, c).0
    } else {
        canonical(r, c)
    }
}

/// a − b mod p: a borrow means a − b + 2^(w·L), and − c makes it a − b + p (above c).
#[inline]
pub fn sub<const L: usize>(a: &[Word; L], b: &[Word; L], c: Word) -> [Word; L] {
    let mut r = [0 as Word; L];
    let mut borrow = 0;
    for i in 0..L {
        (r[i], borrow) = sbb(a[i], b[i], borrow);
    }
    if borrow != 0 {
        sub_small(&r, c)
    } else {
        r
    }
}

/// Whether p = 2^(w·L) − c is a prime these functions serve.
pub const fn serves(limbs: usize, c: Word) -> bool {
    limbs <= MAX_LIMBS && c != 0 && c < (1 << (W / 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::modular::{MontyForm, MontyParams};
    use crypto_bigint::{Odd, Uint};
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    /// Values that stress the carries: 0, 1, p − 1, p − c, 2^(w·L−1), all-ones limbs below
    /// the top, then random ones (some with the top limbs all ones).
    fn samples<const L: usize>(c: Word, rng: &mut StdRng) -> Vec<[Word; L]> {
        let p = Uint::<L>::ZERO.wrapping_sub(&Uint::from_word(c));
        let mut fixed = vec![
            Uint::<L>::ZERO,
            Uint::ONE,
            p.wrapping_sub(&Uint::ONE),
            p.wrapping_sub(&Uint::from_word(c)),
            Uint::ONE.shl_vartime(Uint::<L>::BITS - 1),
            Uint::MAX.shr_vartime(Word::BITS),
        ];
        for _ in 0..400 {
            let mut words = [0 as Word; L];
            rng.fill(&mut words[..]);
            if rng.random_bool(0.3) {
                words[L / 2..].fill(Word::MAX);
            }
            let n = Uint::from_words(words);
            fixed.push(if n >= p { n.wrapping_sub(&p) } else { n });
        }
        fixed.into_iter().map(|n| n.to_words()).collect()
    }

    /// Every operation agrees with `crypto-bigint`'s Montgomery arithmetic on all pairs.
    fn agrees<const L: usize>(c: Word) {
        let mut rng = StdRng::seed_from_u64(c);
        let p = Uint::<L>::ZERO.wrapping_sub(&Uint::from_word(c));
        let params = MontyParams::new_vartime(Odd::new(p).unwrap());
        let values = samples::<L>(c, &mut rng);
        let monty = |w: &[Word; L]| MontyForm::new(&Uint::from_words(*w), params);
        for a in &values {
            let ma = monty(a);
            assert_eq!(Uint::from_words(square(a, c)), ma.square().retrieve());
            for b in values.iter().step_by(7) {
                let mb = monty(b);
                assert_eq!(Uint::from_words(mul(a, b, c)), ma.mul(&mb).retrieve());
                assert_eq!(Uint::from_words(add(a, b, c)), ma.add(&mb).retrieve());
                assert_eq!(Uint::from_words(sub(a, b, c)), ma.sub(&mb).retrieve());
            }
        }
    }

    #[test]
    fn the_nca_primes_agree_with_crypto_bigint() {
        agrees::<8>(569);
        agrees::<4>(617);
        assert!(serves(8, 569) && serves(4, 617));
        assert!(!serves(9, 569) && !serves(4, 0) && !serves(4, 1 << 40));
    }
}
