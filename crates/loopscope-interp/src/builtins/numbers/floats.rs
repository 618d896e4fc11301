//! `float` methods: `is_integer`, `as_integer_ratio`, `hex`, `fromhex`,
//! `conjugate`, and the conversion and rounding special methods.

use std::rc::Rc;

use num_bigint::{BigInt, BigUint};
use num_traits::{One, ToPrimitive, Zero};

use super::arith::{call_builtin_function, is_float};
use super::ints::format_with;
use crate::builtins::add_methods;
use crate::builtins::containers::args;
use crate::value::{Args, PyResult, Value};
use crate::vm::{ExcType, Vm};

pub fn install(vm: &mut Vm) {
    let float = vm.types.float.clone();
    add_methods(
        &float,
        "float",
        &[
            ("is_integer", is_integer),
            ("as_integer_ratio", as_integer_ratio),
            ("hex", hex),
            ("conjugate", conjugate),
            ("__int__", int_),
            ("__float__", float_),
            ("__abs__", abs),
            ("__bool__", bool_),
            ("__hash__", hash),
            ("__repr__", repr),
            ("__format__", format),
            ("__trunc__", trunc),
            ("__floor__", floor),
            ("__ceil__", ceil),
            ("__round__", round),
        ],
    );
    let fromhex = args::classmethod(vm, "fromhex", "float", fromhex);
    float.dict.borrow_mut().set("fromhex", fromhex);
}

fn this(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<f64> {
    let v = args::receiver(vm, args, "float", name, is_float)?;
    Ok(match v.unwrap_builtin() {
        Value::Float(f) => f,
        _ => 0.0,
    })
}

fn this_alone(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<f64> {
    let f = this(vm, args, name)?;
    args::none(vm, args, "float", name)?;
    Ok(f)
}

fn this_slot(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<f64> {
    let f = this(vm, args, name)?;
    args::slot(vm, args, name, 0)?;
    Ok(f)
}

fn is_integer(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let f = this_alone(vm, args, "is_integer")?;
    Ok(Value::Bool(f.is_finite() && f.fract() == 0.0))
}

/// The exact value of a finite float as a reduced fraction.
pub fn integer_ratio(f: f64) -> (BigInt, BigInt) {
    if f == 0.0 || !f.is_finite() {
        return (BigInt::zero(), BigInt::one());
    }
    let bits = f.to_bits();
    let exponent_bits = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mut mantissa, mut exponent) = if exponent_bits == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), exponent_bits - 1075)
    };
    let zeros = mantissa.trailing_zeros() as i64;
    mantissa >>= zeros;
    exponent += zeros;
    let mut numerator = BigInt::from(mantissa);
    let mut denominator = BigInt::one();
    if exponent >= 0 {
        numerator <<= exponent as usize;
    } else {
        denominator <<= (-exponent) as usize;
    }
    if f < 0.0 {
        numerator = -numerator;
    }
    (numerator, denominator)
}

fn as_integer_ratio(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let f = this_alone(vm, args, "as_integer_ratio")?;
    if f.is_nan() {
        return Err(vm.error(ExcType::ValueError, "cannot convert NaN to integer ratio"));
    }
    if f.is_infinite() {
        return Err(vm.error(
            ExcType::OverflowError,
            "cannot convert Infinity to integer ratio",
        ));
    }
    let (n, d) = integer_ratio(f);
    Ok(Value::tuple(vec![
        Value::from_bigint(n),
        Value::from_bigint(d),
    ]))
}

/// `float.hex()`: `0x1.8000000000000p+1`.
pub fn float_hex(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0x0.0p+0");
    }
    let bits = f.to_bits();
    let exponent_bits = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1u64 << 52) - 1);
    let (lead, exponent) = if exponent_bits == 0 {
        (0, -1022)
    } else {
        (1, exponent_bits - 1023)
    };
    format!("{sign}0x{lead}.{fraction:013x}p{exponent:+}")
}

fn hex(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let f = this_alone(vm, args, "hex")?;
    Ok(Value::string(float_hex(f)))
}

/// Why a hexadecimal float string was refused.
#[derive(Debug, PartialEq)]
pub enum HexError {
    Invalid,
    Overflow,
}

/// `q * 2**e` for a `q` already rounded to a representable precision.
fn scale(q: f64, e: i64) -> f64 {
    if e < -1000 {
        q * 2f64.powi(-600) * 2f64.powi((e + 600) as i32)
    } else if e > 1000 {
        q * 2f64.powi(1000) * 2f64.powi((e - 1000) as i32)
    } else {
        q * 2f64.powi(e as i32)
    }
}

/// `m * 2**e` correctly rounded (half to even) to a float; None on
/// overflow.
fn round_to_float(m: &BigUint, e: i64) -> Option<f64> {
    if m.is_zero() {
        return Some(0.0);
    }
    let top = m.bits() as i64 - 1 + e;
    if top > 1023 {
        return None;
    }
    if top < -1080 {
        return Some(0.0);
    }
    let lsb = (top - 52).max(-1074);
    let shift = lsb - e;
    let q: u64 = if shift <= 0 {
        (m << ((-shift) as usize)).to_u64().unwrap_or(0)
    } else {
        let shift = shift as usize;
        let q = m >> shift;
        let rest = m - (&q << shift);
        let half = BigUint::one() << (shift - 1);
        let odd = (&q & BigUint::one()) == BigUint::one();
        let up = rest > half || (rest == half && odd);
        q.to_u64().unwrap_or(0) + up as u64
    };
    let value = scale(q as f64, lsb);
    if value.is_infinite() {
        None
    } else {
        Some(value)
    }
}

/// Parses `float.fromhex`'s argument (CPython `float_fromhex`).
pub fn parse_hex_float(text: &str) -> Result<f64, HexError> {
    let s = text.trim_matches(crate::text::is_space);
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let sign = if negative { -1.0 } else { 1.0 };
    let lower = rest.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Ok(sign * f64::INFINITY);
    }
    if lower == "nan" {
        return Ok(f64::NAN);
    }
    let body = lower.strip_prefix("0x").unwrap_or(&lower);
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut mantissa = BigUint::zero();
    let mut digits = 0usize;
    let mut fraction_digits = 0i64;
    let mut seen_point = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'.' && !seen_point {
            seen_point = true;
        } else if let Some(d) = (c as char).to_digit(16) {
            mantissa = (mantissa << 4usize) + BigUint::from(d);
            digits += 1;
            if seen_point {
                fraction_digits += 1;
            }
        } else {
            break;
        }
        i += 1;
    }
    if digits == 0 {
        return Err(HexError::Invalid);
    }
    let mut exponent: i64 = 0;
    if i < bytes.len() && bytes[i] == b'p' {
        i += 1;
        let mut exp_negative = false;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            exp_negative = bytes[i] == b'-';
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            exponent = exponent
                .saturating_mul(10)
                .saturating_add((bytes[i] - b'0') as i64)
                .min(1 << 40);
            i += 1;
        }
        if i == start {
            return Err(HexError::Invalid);
        }
        if exp_negative {
            exponent = -exponent;
        }
    }
    if i != bytes.len() {
        return Err(HexError::Invalid);
    }
    let e = exponent - 4 * fraction_digits;
    match round_to_float(&mantissa, e) {
        Some(v) => Ok(sign * v),
        None => Err(HexError::Overflow),
    }
}

/// `float.fromhex(s)`, called with the class first.
fn fromhex(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("fromhex() needs a class")),
    };
    args.positional.remove(0);
    let text = args::one(vm, args, "float", "fromhex")?;
    let Value::Str(text) = text.unwrap_builtin() else {
        return Err(vm.type_error("bad argument type for built-in operation"));
    };
    let value = match parse_hex_float(text.as_str()) {
        Ok(v) => Value::Float(v),
        Err(HexError::Invalid) => {
            return Err(vm.error(
                ExcType::ValueError,
                "invalid hexadecimal floating-point string",
            ))
        }
        Err(HexError::Overflow) => {
            return Err(vm.error(
                ExcType::OverflowError,
                "hexadecimal value too large to represent as a float",
            ))
        }
    };
    if Rc::ptr_eq(&class, &vm.types.float) {
        return Ok(value);
    }
    vm.call(&Value::Class(class), vec![value])
}

fn conjugate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    this_alone(vm, args, "conjugate").map(Value::Float)
}

/// `int(f)` with CPython's errors for NaN and infinities.
fn to_int(vm: &mut Vm, f: f64) -> PyResult<Value> {
    crate::builtins::classes::int_from(vm, &Value::Float(f))
}

fn int_(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let f = this_slot(vm, args, "__int__")?;
    to_int(vm, f)
}

fn float_(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    this_slot(vm, args, "__float__").map(Value::Float)
}

fn abs(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    this_slot(vm, args, "__abs__").map(|f| Value::Float(f.abs()))
}

fn bool_(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    this_slot(vm, args, "__bool__").map(|f| Value::Bool(f != 0.0))
}

fn hash(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let f = this_slot(vm, args, "__hash__")?;
    vm.hash_value(&Value::Float(f)).map(Value::Int)
}

fn repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let f = this_slot(vm, args, "__repr__")?;
    Ok(Value::string(crate::numbers::float_repr(f)))
}

fn format(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let f = this(vm, args, "__format__")?;
    let spec = args::one(vm, args, "float", "__format__")?;
    format_with(vm, Value::Float(f), &spec)
}

fn trunc(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let f = this_alone(vm, args, "__trunc__")?;
    to_int(vm, f)
}

fn floor(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let f = this_alone(vm, args, "__floor__")?;
    to_int(vm, f.floor())
}

fn ceil(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let f = this_alone(vm, args, "__ceil__")?;
    to_int(vm, f.ceil())
}

fn round(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let f = this(vm, args, "__round__")?;
    let a = args::between(vm, args, "float", "__round__", 0, 1)?;
    let mut call = vec![Value::Float(f)];
    call.extend(a);
    call_builtin_function(vm, "round", call)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_matches_cpython() {
        assert_eq!(float_hex(1.0), "0x1.0000000000000p+0");
        assert_eq!(float_hex(0.1), "0x1.999999999999ap-4");
        assert_eq!(float_hex(-0.0), "-0x0.0p+0");
        assert_eq!(float_hex(5e-324), "0x0.0000000000001p-1022");
        assert_eq!(float_hex(2.5), "0x1.4000000000000p+1");
    }

    #[test]
    fn fromhex_rounds_half_to_even() {
        assert_eq!(parse_hex_float("0x1.8p1"), Ok(3.0));
        assert_eq!(parse_hex_float(" 0x1.ffffp10 "), Ok(2047.984375));
        assert_eq!(parse_hex_float("0xA.8"), Ok(10.5));
        assert_eq!(parse_hex_float("1.8"), Ok(1.5));
        assert_eq!(parse_hex_float("0x.8"), Ok(0.5));
        assert_eq!(
            parse_hex_float("0x1.0000000000000fp0"),
            Ok(1.0000000000000002)
        );
        assert_eq!(parse_hex_float("0x1.00000000000008p0"), Ok(1.0));
        assert_eq!(
            parse_hex_float("0x1.00000000000018p0"),
            Ok(1.0000000000000004)
        );
        assert_eq!(parse_hex_float("-0x1p-1074"), Ok(-5e-324));
        assert_eq!(parse_hex_float("0x1p-1075"), Ok(0.0));
        assert_eq!(parse_hex_float("0x1.1p-1075"), Ok(5e-324));
        assert_eq!(parse_hex_float("0x1p1024"), Err(HexError::Overflow));
        assert_eq!(
            parse_hex_float("0x1.fffffffffffff8p1023"),
            Err(HexError::Overflow)
        );
        assert_eq!(parse_hex_float("0x1.fffffffffffffp1023"), Ok(f64::MAX));
        assert_eq!(parse_hex_float("0x"), Err(HexError::Invalid));
        assert_eq!(parse_hex_float("0x1p"), Err(HexError::Invalid));
        assert_eq!(parse_hex_float("0x1.2.3"), Err(HexError::Invalid));
    }

    #[test]
    fn integer_ratio_is_exact() {
        assert_eq!(integer_ratio(2.5), (BigInt::from(5), BigInt::from(2)));
        assert_eq!(
            integer_ratio(0.1),
            (
                BigInt::from(3602879701896397u64),
                BigInt::from(36028797018963968u64)
            )
        );
        assert_eq!(integer_ratio(-0.0), (BigInt::zero(), BigInt::one()));
        assert_eq!(integer_ratio(-3.0), (BigInt::from(-3), BigInt::one()));
    }
}
