//! `random`: CPython's Mersenne Twister, bit for bit.
//!
//! Follows CPython 3.11 Modules/_randommodule.c (`init_genrand`,
//! `init_by_array`, `genrand_uint32`, `random_seed` for int seeds,
//! `random_random`'s 53-bit float, `getrandbits`) and Lib/random.py
//! (`_randbelow_with_getrandbits`), so a seeded program draws exactly the
//! numbers CPython draws.

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::Zero;

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// The generator state (`RandomObject`).
#[derive(Clone)]
pub struct MersenneTwister {
    state: [u32; N],
    index: usize,
}

impl MersenneTwister {
    /// A generator seeded as `random.seed(seed)` seeds it for an int.
    pub fn from_int_seed(seed: &BigInt) -> Self {
        let mut generator = MersenneTwister {
            state: [0; N],
            index: N + 1,
        };
        generator.seed_int(seed);
        generator
    }

    /// `random_seed` for an int: the absolute value's 32-bit words, least
    /// significant first (at least one word), through `init_by_array`.
    pub fn seed_int(&mut self, seed: &BigInt) {
        let magnitude: BigUint = seed.magnitude().clone();
        let mut key = magnitude.to_u32_digits();
        if key.is_empty() {
            key.push(0);
        }
        self.init_by_array(&key);
    }

    fn init_genrand(&mut self, seed: u32) {
        self.state[0] = seed;
        for i in 1..N {
            let previous = self.state[i - 1];
            self.state[i] = 1_812_433_253u32
                .wrapping_mul(previous ^ (previous >> 30))
                .wrapping_add(i as u32);
        }
        self.index = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        let mut k = N.max(key.len());
        while k > 0 {
            let previous = self.state[i - 1];
            self.state[i] = (self.state[i] ^ (previous ^ (previous >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.state[0] = self.state[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
            k -= 1;
        }
        k = N - 1;
        while k > 0 {
            let previous = self.state[i - 1];
            self.state[i] = (self.state[i]
                ^ (previous ^ (previous >> 30)).wrapping_mul(1_566_083_941))
            .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.state[0] = self.state[N - 1];
                i = 1;
            }
            k -= 1;
        }
        self.state[0] = 0x8000_0000;
        self.index = N;
    }

    /// `genrand_uint32`: the next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            for k in 0..N {
                let y = (self.state[k] & UPPER_MASK) | (self.state[(k + 1) % N] & LOWER_MASK);
                let mut next = self.state[(k + M) % N] ^ (y >> 1);
                if y & 1 != 0 {
                    next ^= MATRIX_A;
                }
                self.state[k] = next;
            }
            self.index = 0;
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random.random()`: a float in [0, 1) with 53 random bits.
    pub fn random(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `random.getrandbits(k)`: words filled least significant first, the
    /// last one shifted down to the bits still wanted.
    pub fn getrandbits(&mut self, bits: u64) -> BigInt {
        if bits == 0 {
            return BigInt::zero();
        }
        if bits <= 32 {
            return BigInt::from(self.next_u32() >> (32 - bits));
        }
        let words = ((bits - 1) / 32 + 1) as usize;
        let mut digits = Vec::with_capacity(words);
        let mut remaining = bits;
        for _ in 0..words {
            let mut r = self.next_u32();
            if remaining < 32 {
                r >>= 32 - remaining;
            }
            digits.push(r);
            remaining = remaining.saturating_sub(32);
        }
        BigInt::from_biguint(Sign::Plus, BigUint::new(digits))
    }

    /// `Random._randbelow_with_getrandbits(n)` for `n > 0`: a uniform int in
    /// `[0, n)` by rejection sampling.
    pub fn randbelow(&mut self, n: &BigInt) -> BigInt {
        let bits = n.bits();
        loop {
            let r = self.getrandbits(bits);
            if &r < n {
                return r;
            }
        }
    }

    /// `randbelow` for machine-sized bounds (`choice`, `shuffle`, `randint`
    /// on small ranges), drawing exactly the same bits.
    pub fn randbelow_u64(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let bits = 64 - n.leading_zeros();
        loop {
            let r = self.getrandbits_u64(bits);
            if r < n {
                return r;
            }
        }
    }

    /// `getrandbits(k)` for `1 <= k <= 64`, without a big integer.
    fn getrandbits_u64(&mut self, bits: u32) -> u64 {
        if bits <= 32 {
            return u64::from(self.next_u32() >> (32 - bits));
        }
        let low = u64::from(self.next_u32());
        let high = u64::from(self.next_u32() >> (64 - bits));
        (high << 32) | low
    }

    /// The state as `getstate()` shows it: 624 words, then the position.
    pub fn state_words(&self) -> Vec<u64> {
        let mut words: Vec<u64> = self.state.iter().map(|w| u64::from(*w)).collect();
        words.push(self.index as u64);
        words
    }

    /// A generator from `state_words()` output; None for a malformed state
    /// (CPython: `ValueError: invalid state` / `state vector is the wrong
    /// size`).
    pub fn from_state_words(words: &[u64]) -> Option<Self> {
        if words.len() != N + 1 {
            return None;
        }
        let mut state = [0u32; N];
        for (slot, word) in state.iter_mut().zip(words) {
            *slot = u32::try_from(*word).ok()?;
        }
        let index = usize::try_from(words[N]).ok().filter(|i| *i <= N)?;
        Some(MersenneTwister { state, index })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by CPython 3.11 (`random.Random(seed)`).
    #[test]
    fn random_matches_cpython() {
        let mut r = MersenneTwister::from_int_seed(&BigInt::from(0));
        assert_eq!(r.random(), 0.8444218515250481);
        assert_eq!(r.random(), 0.7579544029403025);
        assert_eq!(r.random(), 0.420571580830845);
    }

    #[test]
    fn big_and_negative_seeds_match_cpython() {
        let seed = BigInt::from(2).pow(100) + 7;
        assert_eq!(
            MersenneTwister::from_int_seed(&seed).random(),
            0.41604161323913513
        );
        // Negative seeds use the absolute value.
        assert_eq!(
            MersenneTwister::from_int_seed(&BigInt::from(-5)).random(),
            0.6229016948897019
        );
    }

    #[test]
    fn getrandbits_matches_cpython() {
        let mut r = MersenneTwister::from_int_seed(&BigInt::from(42));
        let words: Vec<BigInt> = (0..3).map(|_| r.getrandbits(32)).collect();
        assert_eq!(
            words,
            [
                BigInt::from(2746317213u32),
                BigInt::from(478163327u32),
                BigInt::from(107420369u32)
            ]
        );
        assert_eq!(
            r.getrandbits(70),
            "281774556622676705531".parse::<BigInt>().unwrap()
        );
        assert_eq!(r.getrandbits(5), BigInt::from(7));
    }

    #[test]
    fn small_randbelow_draws_the_same_bits_as_the_big_one() {
        let mut small = MersenneTwister::from_int_seed(&BigInt::from(3));
        let mut big = small.clone();
        for n in [
            1u64,
            2,
            3,
            7,
            1 << 32,
            (1 << 32) + 5,
            u64::MAX / 3,
            u64::MAX,
        ] {
            let expected = big.randbelow(&BigInt::from(n));
            assert_eq!(BigInt::from(small.randbelow_u64(n)), expected);
        }
    }

    #[test]
    fn state_round_trips() {
        let mut r = MersenneTwister::from_int_seed(&BigInt::from(9));
        r.random();
        let words = r.state_words();
        let mut copy = MersenneTwister::from_state_words(&words).unwrap();
        assert_eq!(copy.random(), r.random());
        assert!(MersenneTwister::from_state_words(&words[1..]).is_none());
    }

    #[test]
    fn randbelow_matches_cpython() {
        // random.seed(0); [random.randint(1, 6) for _ in range(10)]
        let mut r = MersenneTwister::from_int_seed(&BigInt::from(0));
        let rolls: Vec<u64> = (0..10).map(|_| 1 + r.randbelow_u64(6)).collect();
        assert_eq!(rolls, [4, 4, 1, 3, 5, 4, 4, 3, 4, 3]);
        let mut r = MersenneTwister::from_int_seed(&BigInt::from(0));
        assert_eq!(
            r.randbelow(&BigInt::from(10u64).pow(20)),
            "7758176404715800194".parse::<BigInt>().unwrap()
        );
    }
}
