//! CPython's hash functions for numbers, tuples and frozensets, and the
//! equality used by dict and set lookups.
//!
//! Set iteration order depends on hashes, so these follow CPython bit for
//! bit (Python/pyhash.c `_Py_HashDouble`, Objects/longobject.c `long_hash`,
//! Objects/tupleobject.c `tuplehash`, Objects/setobject.c
//! `frozenset_hash`). String hashes are randomised per process in CPython,
//! so ours only need to be deterministic.

use num_bigint::{BigInt, Sign};
use num_traits::ToPrimitive;

use super::Value;

/// `_PyHASH_BITS` on 64-bit builds.
const HASH_BITS: u32 = 61;
/// `_PyHASH_MODULUS` = 2**61 - 1.
pub const HASH_MODULUS: u64 = (1u64 << HASH_BITS) - 1;
/// `_PyHASH_INF`.
const HASH_INF: i64 = 314159;

fn fix_minus_one(h: i64) -> i64 {
    if h == -1 {
        -2
    } else {
        h
    }
}

/// `hash(int)` for a machine integer.
pub fn hash_i64(x: i64) -> i64 {
    let magnitude = x.unsigned_abs() % HASH_MODULUS;
    let h = if x < 0 {
        -(magnitude as i64)
    } else {
        magnitude as i64
    };
    fix_minus_one(h)
}

/// `hash(int)` for a big integer: the value modulo 2**61 - 1, signed.
pub fn hash_bigint(x: &BigInt) -> i64 {
    let (sign, magnitude) = (x.sign(), x.magnitude());
    let modulus = num_bigint::BigUint::from(HASH_MODULUS);
    let rem = (magnitude % modulus).to_u64().unwrap_or(0) as i64;
    fix_minus_one(if sign == Sign::Minus { -rem } else { rem })
}

/// `frexp`: mantissa in [0.5, 1) and exponent, for finite non-zero input.
fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 || !v.is_finite() {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    if exponent == 0 {
        // Subnormal: scale up first.
        let (m, e) = frexp(v * 2f64.powi(64));
        return (m, e - 64);
    }
    let mantissa_bits = (bits & !(0x7ffu64 << 52)) | (1022u64 << 52);
    (f64::from_bits(mantissa_bits), exponent - 1022)
}

/// `hash(float)`, CPython's `_Py_HashDouble` (NaN hashes by identity in
/// CPython; we answer 0).
pub fn hash_f64(v: f64) -> i64 {
    if v.is_infinite() {
        return if v > 0.0 { HASH_INF } else { -HASH_INF };
    }
    if v.is_nan() {
        return 0;
    }
    let (mut m, mut e) = frexp(v);
    let mut sign: i64 = 1;
    if m < 0.0 {
        sign = -1;
        m = -m;
    }
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & HASH_MODULUS) | (x >> (HASH_BITS - 28));
        m *= 268435456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= HASH_MODULUS {
            x -= HASH_MODULUS;
        }
    }
    let e = if e >= 0 {
        e as u32 % HASH_BITS
    } else {
        HASH_BITS - 1 - ((-1 - e) as u32 % HASH_BITS)
    };
    x = ((x << e) & HASH_MODULUS) | (x >> (HASH_BITS - e));
    fix_minus_one((x as i64).wrapping_mul(sign))
}

/// CPython 3.11 `tuplehash` (xxHash-based) over already computed item hashes.
pub fn hash_tuple(item_hashes: &[i64]) -> i64 {
    const PRIME_1: u64 = 11400714785074694791;
    const PRIME_2: u64 = 14029467366897019727;
    const PRIME_5: u64 = 2870177450012600261;
    let mut acc = PRIME_5;
    for &lane in item_hashes {
        acc = acc.wrapping_add((lane as u64).wrapping_mul(PRIME_2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(PRIME_1);
    }
    acc = acc.wrapping_add((item_hashes.len() as u64) ^ (PRIME_5 ^ 3527539));
    if acc == u64::MAX {
        return 1546275796;
    }
    acc as i64
}

/// CPython's `frozenset_hash` over the table's slot hashes (0 for empty
/// slots, -1 for dummies).
pub fn hash_frozenset(
    slot_hashes: impl Iterator<Item = i64>,
    empty: usize,
    dummies: usize,
    len: usize,
) -> i64 {
    fn shuffle(h: u64) -> u64 {
        ((h ^ 89869747) ^ (h << 16)).wrapping_mul(3644798167)
    }
    let mut hash: u64 = 0;
    for h in slot_hashes {
        hash ^= shuffle(h as u64);
    }
    if empty & 1 == 1 {
        hash ^= shuffle(0);
    }
    if dummies & 1 == 1 {
        hash ^= shuffle(u64::MAX);
    }
    hash ^= (len as u64 + 1).wrapping_mul(1927868237);
    hash ^= (hash >> 11) ^ (hash >> 25);
    hash = hash.wrapping_mul(69069).wrapping_add(907133923);
    if hash == u64::MAX {
        hash = 590923713;
    }
    hash as i64
}

/// The hash of values that need no Python code to hash; `None` for the
/// rest (instances, and containers holding them) and for unhashable values.
pub fn native_hash(v: &Value) -> Option<i64> {
    Some(match v {
        Value::None => 0x5f3759df,
        Value::Bool(b) => *b as i64,
        Value::Int(i) => hash_i64(*i),
        Value::BigInt(b) => hash_bigint(b),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.2e18 {
                hash_i64(*f as i64)
            } else {
                hash_f64(*f)
            }
        }
        Value::Str(s) => s.hash(),
        Value::Bytes(b) => {
            let mut h: u64 = 0x84222325cbf29ce4;
            for &byte in &b.data {
                h ^= byte as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
            fix_minus_one((h >> 1) as i64)
        }
        Value::Tuple(t) => {
            let mut hashes = Vec::with_capacity(t.items.len());
            for item in &t.items {
                hashes.push(native_hash(item)?);
            }
            hash_tuple(&hashes)
        }
        Value::Ellipsis => 0x1e11,
        Value::NotImplemented => 0x2e22,
        _ => return None,
    })
}

/// Numeric value as a float, for mixed int/float comparisons.
fn big_eq_float(b: &BigInt, f: f64) -> bool {
    if !f.is_finite() || f.fract() != 0.0 {
        return false;
    }
    crate::numbers::float_to_bigint(f).as_ref() == Some(b)
}

/// Equality of values that needs no Python code: `Some(answer)`, or
/// `None` when a `__eq__` must be consulted.
pub fn native_eq(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    Some(match (a, b) {
        (None, None) | (Ellipsis, Ellipsis) | (NotImplemented, NotImplemented) => true,
        (Bool(x), Bool(y)) => x == y,
        (Int(x), Int(y)) => x == y,
        (Bool(x), Int(y)) | (Int(y), Bool(x)) => (*x as i64) == *y,
        (Float(x), Float(y)) => x == y,
        (Int(x), Float(y)) | (Float(y), Int(x)) => crate::numbers::int_eq_float(*x, *y),
        (Bool(x), Float(y)) | (Float(y), Bool(x)) => (*x as i64 as f64) == *y,
        (BigInt(x), BigInt(y)) => x == y,
        (BigInt(_), Int(_) | Bool(_)) | (Int(_) | Bool(_), BigInt(_)) => false,
        (BigInt(x), Float(y)) | (Float(y), BigInt(x)) => big_eq_float(x, *y),
        (Str(x), Str(y)) => std::rc::Rc::ptr_eq(x, y) || x.as_str() == y.as_str(),
        (Bytes(x), Bytes(y)) => x.data == y.data,
        (Tuple(x), Tuple(y)) => {
            if x.items.len() != y.items.len() {
                return Some(false);
            }
            for (p, q) in x.items.iter().zip(&y.items) {
                if !p.is(q) && !native_eq(p, q)? {
                    return Some(false);
                }
            }
            true
        }
        (Instance(_) | Native(_), _) | (_, Instance(_) | Native(_)) => return Option::None,
        (List(_), List(_))
        | (Dict(_), Dict(_))
        | (Set(_) | FrozenSet(_), Set(_) | FrozenSet(_)) => return Option::None,
        (Tuple(_), _) | (_, Tuple(_)) => false,
        _ => a.is(b),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by CPython 3.11 on 64-bit Linux.
    #[test]
    fn int_hashes_match_cpython() {
        assert_eq!(hash_i64(-1), -2);
        assert_eq!(hash_i64(1 << 61), 1);
        assert_eq!(hash_i64(-(1 << 62)), -2);
        let big: BigInt = BigInt::from(2).pow(100);
        assert_eq!(hash_bigint(&big), 549755813888);
    }

    #[test]
    fn float_hashes_match_cpython() {
        assert_eq!(hash_f64(0.5), 1152921504606846976);
        assert_eq!(hash_f64(1.5), 1152921504606846977);
        assert_eq!(hash_f64(-0.1), -230584300921369408);
        assert_eq!(hash_f64(f64::INFINITY), 314159);
    }

    #[test]
    fn tuple_hashes_match_cpython() {
        assert_eq!(hash_tuple(&[]), 5740354900026072187);
        assert_eq!(
            hash_tuple(&[hash_i64(1), hash_i64(2)]),
            -3550055125485641917
        );
    }
}
