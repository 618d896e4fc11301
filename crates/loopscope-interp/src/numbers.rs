//! Numbers as CPython computes and prints them: `int` promotion to big
//! integers, floor division and modulo with Python's signs, `float` repr
//! (shortest round-trip digits, CPython's switch to exponent notation).

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{FromPrimitive, Signed, ToPrimitive, Zero};

/// CPython 3.11's default limit on int <-> decimal string conversion
/// (`sys.int_info.default_max_str_digits`).
pub const MAX_INT_DIGITS: usize = 4300;

/// Is the integer equal to the float, exactly (as CPython compares)?
pub fn int_eq_float(i: i64, f: f64) -> bool {
    if !f.is_finite() || f.fract() != 0.0 {
        return false;
    }
    if f.abs() < 9.0e15 {
        return i as f64 == f;
    }
    float_to_bigint(f).is_some_and(|b| b == BigInt::from(i))
}

/// The integer value of an integral finite float.
pub fn float_to_bigint(f: f64) -> Option<BigInt> {
    if !f.is_finite() {
        return None;
    }
    BigInt::from_f64(f.trunc())
}

/// Converts to float, or `None` if the magnitude overflows ("int too large
/// to convert to float").
pub fn bigint_to_f64(b: &BigInt) -> Option<f64> {
    let f = b.to_f64()?;
    if f.is_finite() {
        Some(f)
    } else {
        None
    }
}

/// Python's floor division for machine ints; `None` on overflow
/// (`i64::MIN // -1`). The divisor must be non-zero.
pub fn floor_div_i64(a: i64, b: i64) -> Option<i64> {
    let q = a.checked_div(b)?;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        Some(q - 1)
    } else {
        Some(q)
    }
}

/// Python's modulo (result has the divisor's sign). Divisor non-zero.
pub fn mod_i64(a: i64, b: i64) -> i64 {
    let r = a.wrapping_rem(b);
    if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    }
}

pub fn floor_div_big(a: &BigInt, b: &BigInt) -> BigInt {
    a.div_floor(b)
}

pub fn mod_big(a: &BigInt, b: &BigInt) -> BigInt {
    a.mod_floor(b)
}

/// Python's float modulo: `math.fmod` adjusted to the divisor's sign.
pub fn mod_f64(a: f64, b: f64) -> f64 {
    let m = a % b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m + b
        } else {
            m
        }
    } else {
        // Zero takes the divisor's sign.
        0.0f64.copysign(b)
    }
}

/// Python's float floor division (CPython `float_floor_div` via divmod).
pub fn floor_div_f64(a: f64, b: f64) -> f64 {
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div != 0.0 {
        let floor = div.floor();
        if div - floor > 0.5 {
            floor + 1.0
        } else {
            floor
        }
    } else {
        0.0f64.copysign(a / b)
    }
}

/// The shortest digits that round-trip and the decimal exponent `e` such
/// that the value is `0.DIGITS * 10**e` (CPython's `decpt`).
fn shortest_digits(f: f64) -> (String, i32) {
    let shortest = format!("{:e}", f.abs());
    // Among the shortest strings that read back as `f`, CPython's dtoa.c
    // (mode 0) takes the one nearest to `f`'s exact value, ties to even:
    // 0.1 * 2**53 is 900719925474099.25 and prints as ...099.2. Rust's
    // shortest digits may be the other neighbour; the same number of
    // digits correctly rounded (Rust's exact mode rounds ties to even) is
    // the nearest, and is taken when it reads back as `f` too.
    let length = shortest.split_once('e').map_or(0, |(mantissa, _)| {
        mantissa.bytes().filter(u8::is_ascii_digit).count()
    });
    let nearest = format!("{:.*e}", length.saturating_sub(1), f.abs());
    let formatted = if nearest != shortest && nearest.parse::<f64>() == Ok(f.abs()) {
        nearest
    } else {
        shortest
    };
    let (mantissa, exponent) = formatted.split_once('e').unwrap_or((&formatted, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() {
        "0".to_string()
    } else {
        digits.to_string()
    };
    (digits, exponent + 1)
}

/// Lays digits out in fixed notation with the point at `decpt`.
fn fixed_layout(digits: &str, decpt: i32) -> String {
    if decpt <= 0 {
        format!("0.{}{}", "0".repeat((-decpt) as usize), digits)
    } else if decpt as usize >= digits.len() {
        format!("{}{}", digits, "0".repeat(decpt as usize - digits.len()))
    } else {
        format!(
            "{}.{}",
            &digits[..decpt as usize],
            &digits[decpt as usize..]
        )
    }
}

/// `repr(float)` / `str(float)`: CPython's `float_repr`
/// (`PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0)`).
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0.0");
    }
    let (digits, decpt) = shortest_digits(f);
    // CPython switches to exponent notation when decpt <= -4 or decpt > 16.
    if decpt <= -4 || decpt > 16 {
        let mut mantissa = digits[..1].to_string();
        if digits.len() > 1 {
            mantissa.push('.');
            mantissa.push_str(&digits[1..]);
        }
        let exponent = decpt - 1;
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exp_sign}{:02}", exponent.abs())
    } else {
        let mut body = fixed_layout(&digits, decpt);
        if !body.contains('.') {
            body.push_str(".0");
        }
        format!("{sign}{body}")
    }
}

/// `round(x)` for floats: round half to even, as an integer value.
pub fn round_half_even(f: f64) -> f64 {
    let rounded = f.round();
    if (f - f.trunc()).abs() == 0.5 {
        2.0 * (f / 2.0).round()
    } else {
        rounded
    }
}

/// `round(x, ndigits)` for floats: CPython rounds through the correctly
/// rounded decimal string (`double_round`).
pub fn round_float_digits(f: f64, ndigits: i64) -> f64 {
    if !f.is_finite() || f == 0.0 {
        return f;
    }
    if ndigits > 323 {
        return f;
    }
    if ndigits < -308 {
        return 0.0f64.copysign(f);
    }
    if ndigits >= 0 {
        let text = format!("{:.*}", ndigits as usize, f);
        text.parse().unwrap_or(f)
    } else {
        let scale = 10f64.powi((-ndigits) as i32);
        let scaled = f / scale;
        let text = format!("{:.0}", scaled);
        let rounded: f64 = text.parse().unwrap_or(scaled);
        rounded * scale
    }
}

/// Does a big integer have too many decimal digits to convert to `str`?
pub fn too_many_digits(b: &BigInt) -> bool {
    // bits * log10(2) is a lower bound within one digit.
    let bits = b.bits();
    bits > (MAX_INT_DIGITS as u64) * 3322 / 1000 + 8 && b.abs().to_string().len() > MAX_INT_DIGITS
}

/// Is the value zero (for either representation)?
pub fn big_is_zero(b: &BigInt) -> bool {
    b.is_zero()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_cpython() {
        let cases = [
            (0.1 + 0.2, "0.30000000000000004"),
            (1e-5, "1e-05"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e300, "1.5e+300"),
            (0.0001, "0.0001"),
            (-0.0, "-0.0"),
            (2.0f64.sqrt(), "1.4142135623730951"),
            (1.0 / 3.0, "0.3333333333333333"),
            (100.0, "100.0"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (f64::INFINITY, "inf"),
            (5e-324, "5e-324"),
            // Exactly halfway between the shortest candidates: the even one.
            (0.1 * 9007199254740992.0, "900719925474099.2"),
        ];
        for (value, expected) in cases {
            assert_eq!(float_repr(value), expected, "repr of {value:e}");
        }
    }

    #[test]
    fn floor_division_and_modulo_follow_the_divisor() {
        assert_eq!(floor_div_i64(-7, 2), Some(-4));
        assert_eq!(mod_i64(-7, 2), 1);
        assert_eq!(mod_i64(7, -2), -1);
        assert_eq!(floor_div_i64(i64::MIN, -1), None);
        assert_eq!(mod_f64(-7.5, 2.0), 0.5);
        assert_eq!(floor_div_f64(-7.5, 2.0), -4.0);
        assert_eq!(mod_f64(-0.0, 5.0).to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn rounding_is_half_even_on_the_exact_value() {
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(3.5), 4.0);
        assert_eq!(round_half_even(-2.5), -2.0);
        assert_eq!(round_float_digits(2.675, 2), 2.67);
        assert_eq!(round_float_digits(0.125, 2), 0.12);
        assert_eq!(round_float_digits(1234.5, -2), 1200.0);
    }
}
