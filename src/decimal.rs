//! Seconds as the page shows them, `format!("{:.3}", value)` to the byte,
//! written without core's float formatting: `f64`'s `Display` links
//! Grisu, Dragon4 and their tables (about 10 KB of the page's wasm) for
//! what is, here, always a few decimals. The value's exact binary
//! expansion is rounded half to even, as core does.

/// The most decimals [`fixed`] writes.
pub const MAX_DECIMALS: usize = 9;

/// `value` with three decimals: exactly `format!("{value:.3}")`.
pub fn fixed3(value: f64) -> String {
    fixed(value, 3)
}

/// `value` with at most `decimals` decimals and no trailing zeros (nor a
/// trailing point): `0.5`, `2`, `0.125`.
pub fn trimmed(value: f64, decimals: usize) -> String {
    let text = fixed(value, decimals);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// `value` with `decimals` decimals (at most [`MAX_DECIMALS`]): exactly
/// `format!("{value:.decimals$}")`.
pub fn fixed(value: f64, decimals: usize) -> String {
    let decimals = decimals.min(MAX_DECIMALS);
    if value.is_nan() {
        return "NaN".to_string();
    }
    let sign = if value.is_sign_negative() { "-" } else { "" };
    if value.is_infinite() {
        return format!("{sign}inf");
    }
    let bits = value.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    // |value| = mantissa × 2^-shift.
    let (mantissa, shift) = match exponent {
        0 => (fraction, 1074),
        _ => (fraction | (1 << 52), 1075 - exponent),
    };
    let point = if decimals > 0 { "." } else { "" };
    if shift <= 0 {
        // An integer (at least 2^52): no fraction to round.
        let digits = integer_digits(mantissa, shift.unsigned_abs());
        return format!("{sign}{digits}{point}{:0<decimals$}", "");
    }
    let scale = 10u128.pow(decimals as u32);
    // Below 2^-47 the value is far from half a 10^-9: it rounds to 0.
    let units: u128 = if shift >= 100 {
        0
    } else {
        let scaled = u128::from(mantissa) * scale;
        let quotient = scaled >> shift;
        let remainder = scaled & ((1 << shift) - 1);
        let half = 1u128 << (shift - 1);
        if remainder > half || (remainder == half && quotient & 1 == 1) {
            quotient + 1
        } else {
            quotient
        }
    };
    let whole = units / scale;
    if decimals == 0 {
        return format!("{sign}{whole}");
    }
    format!("{sign}{whole}.{:0>decimals$}", units % scale)
}

/// The decimal digits of `mantissa × 2^doublings`.
fn integer_digits(mantissa: u64, doublings: u32) -> String {
    const BASE: u64 = 1_000_000_000;
    // Little-endian limbs in base 10^9.
    let mut limbs = vec![
        mantissa % BASE,
        mantissa / BASE % BASE,
        mantissa / BASE / BASE,
    ];
    for _ in 0..doublings {
        let mut carry = 0;
        for limb in &mut limbs {
            let doubled = *limb * 2 + carry;
            *limb = doubled % BASE;
            carry = doubled / BASE;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut text = String::new();
    for (index, limb) in limbs.iter().rev().enumerate() {
        if index == 0 {
            text.push_str(&limb.to_string());
        } else {
            text.push_str(&format!("{limb:09}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: f64) {
        assert_eq!(fixed3(value), format!("{value:.3}"), "{value:e}");
    }

    #[test]
    fn three_decimals_as_core_writes_them() {
        for value in [
            0.0,
            -0.0,
            1.0,
            0.1,
            0.25,
            1.5,
            2.0005,
            0.0005,
            0.0015,
            0.0625,
            0.1875,
            0.3125,
            -0.0001,
            -1.2345,
            999.9995,
            999.9994,
            1e-300,
            5e-324,
            123456.789,
            1e15,
            4503599627370496.0,
            9007199254740993.0,
            1e21,
            1.7976931348623157e308,
            -1e300,
            f64::MIN_POSITIVE,
        ] {
            check(value);
        }
        for index in 0..20_000u32 {
            check(f64::from(index) / 16.0);
            check(f64::from(index) / 1000.0);
            check(f64::from(index) * 0.001 + 0.0005);
            check(f64::from(index).powf(2.5) / 7.0);
            check(f64::from_bits(
                0x3f00_0000_0000_0000 + u64::from(index) * 0x0000_9e37_79b9_7f4a,
            ));
        }
        for decimals in 0..=MAX_DECIMALS {
            for value in [
                0.0,
                0.5,
                1.5,
                2.5,
                0.1,
                1.0 / 3.0,
                123.456789,
                1e-7,
                1e20,
                0.000_000_000_5,
            ] {
                assert_eq!(
                    fixed(value, decimals),
                    format!("{value:.decimals$}"),
                    "{value}"
                );
            }
        }
        assert_eq!(trimmed(0.5, 6), "0.5");
        assert_eq!(trimmed(2.0, 6), "2");
        assert_eq!(trimmed(0.0001, 6), "0.0001");
        assert_eq!(trimmed(1e20, 3), "100000000000000000000");
        assert_eq!(fixed3(f64::NAN), format!("{:.3}", f64::NAN));
        assert_eq!(fixed3(f64::INFINITY), format!("{:.3}", f64::INFINITY));
        assert_eq!(
            fixed3(f64::NEG_INFINITY),
            format!("{:.3}", f64::NEG_INFINITY)
        );
    }
}
