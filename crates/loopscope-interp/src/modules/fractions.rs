//! The `fractions` module: `Fraction` as a native class over exact big
//! rationals, following CPython 3.11's Lib/fractions.py — construction
//! from ints, floats, strings and pairs, arithmetic that stays exact with
//! ints and Fractions and falls back to float with floats, comparisons
//! and hashes consistent with ints and floats, `limit_denominator`,
//! rounding, and the `Fraction(1, 2)` / `1/2` reprs.

use std::rc::Rc;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::statistics::{int_true_divide, Ratio};
use super::support::{add_slots, index_big, Sig};
use crate::builtins::{add_methods, function, native_object, new_module, with_native};
use crate::bytecode::{BinOp, CmpOp};
use crate::value::{Args, Class, Layout, Module, PyResult, Value};
use crate::vm::{ExcType, Vm};

/// A Fraction's value, always in lowest terms with a positive denominator.
pub struct FractionData {
    pub num: BigInt,
    pub den: BigInt,
}

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("fractions");
    let class = match crate::vm::types::new_class(
        &vm.ids,
        "Fraction",
        "fractions",
        vec![vm.types.object.clone()],
        Layout::Special,
        false,
    ) {
        Ok(c) => c,
        Err(message) => return Err(vm.type_error(message)),
    };
    add_methods(
        &class,
        "Fraction",
        &[
            ("__new__", fraction_new),
            ("__repr__", repr),
            ("__str__", str_),
            ("__hash__", hash),
            ("__eq__", eq),
            ("__lt__", lt),
            ("__le__", le),
            ("__gt__", gt),
            ("__ge__", ge),
            ("__bool__", bool_),
            ("__neg__", neg),
            ("__pos__", pos),
            ("__abs__", abs),
            ("__int__", trunc),
            ("__trunc__", trunc),
            ("__floor__", floor),
            ("__ceil__", ceil),
            ("__float__", float),
            ("__round__", round),
            ("__copy__", copy),
            ("__deepcopy__", copy),
            ("as_integer_ratio", as_integer_ratio),
            ("limit_denominator", limit_denominator),
        ],
    );
    let slots = super::support::slot_class(vm);
    add_slots(
        vm,
        &slots,
        &class,
        "Fraction",
        &[
            ("__add__", add),
            ("__radd__", radd),
            ("__sub__", sub),
            ("__rsub__", rsub),
            ("__mul__", mul),
            ("__rmul__", rmul),
            ("__truediv__", truediv),
            ("__rtruediv__", rtruediv),
            ("__floordiv__", floordiv),
            ("__rfloordiv__", rfloordiv),
            ("__mod__", mod_),
            ("__rmod__", rmod),
            ("__divmod__", divmod),
            ("__rdivmod__", rdivmod),
            ("__pow__", pow),
            ("__rpow__", rpow),
        ],
    );
    let from_float = native_object(
        vm,
        &vm.types.named("classmethod"),
        function("from_float", from_float),
    );
    {
        let mut dict = class.dict.borrow_mut();
        dict.set("__module__", Value::str("fractions"));
        dict.set("from_float", from_float);
        dict.set(
            "numerator",
            super::support::getter(vm, "numerator", numerator),
        );
        dict.set(
            "denominator",
            super::support::getter(vm, "denominator", denominator),
        );
    }
    module
        .dict
        .borrow_mut()
        .set("Fraction", Value::Class(class));
    Ok(module)
}

/// The `fractions.Fraction` class (after `import fractions`).
fn fraction_class(vm: &mut Vm) -> PyResult<Rc<Class>> {
    if let Some(Value::Module(m)) = vm.modules.get("fractions").cloned() {
        if let Some(Value::Class(c)) = m.dict.borrow().get("Fraction").cloned() {
            return Ok(c);
        }
    }
    Err(vm.type_error("fractions.Fraction is missing"))
}

/// A new `Fraction` of an exact ratio (normalised).
pub fn new_fraction(vm: &mut Vm, value: Ratio) -> PyResult<Value> {
    let class = fraction_class(vm)?;
    Ok(make_fraction(vm, &class, value))
}

fn make_fraction(vm: &Vm, class: &Rc<Class>, value: Ratio) -> Value {
    native_object(
        vm,
        class,
        FractionData {
            num: value.num,
            den: value.den,
        },
    )
}

/// The exact value of a Fraction object.
pub fn fraction_value(v: &Value) -> Option<Ratio> {
    with_native::<FractionData, _>(v, |f| Ratio {
        num: f.num.clone(),
        den: f.den.clone(),
    })
}

/// A rational operand (int, bool or Fraction) as an exact ratio.
fn rational(v: &Value) -> Option<Ratio> {
    match v.unwrap_builtin() {
        Value::Int(i) => Some(Ratio::int(BigInt::from(i))),
        Value::Bool(b) => Some(Ratio::int(BigInt::from(u8::from(b)))),
        Value::BigInt(b) => Some(Ratio::int((*b).clone())),
        other => fraction_value(&other).or_else(|| fraction_value(v)),
    }
}

fn this_value(vm: &mut Vm, this: &Value) -> PyResult<Ratio> {
    match fraction_value(this) {
        Some(r) => Ok(r),
        None => {
            let t = vm.type_name(this);
            Err(vm.type_error(format!(
                "descriptor requires a 'Fraction' object but received '{t}'"
            )))
        }
    }
}

fn zero_division(vm: &mut Vm, num: &BigInt) -> crate::value::Unwind {
    vm.error(ExcType::ZeroDivisionError, format!("Fraction({num}, 0)"))
}

// ----------------------------------------------------------------- construction

/// Parses `_RATIONAL_FORMAT`: `[sign] digits [/ digits]` or
/// `[sign] [digits] [.digits] [e[sign]digits]`, underscores between
/// digits, surrounding whitespace.
fn parse(text: &str) -> Option<Ratio> {
    let s = text.trim_matches(|c: char| crate::text::is_space(c));
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    /// Reads digits with single underscores between them.
    fn digits(s: &str) -> (String, &str) {
        let mut out = String::new();
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit() {
                out.push(bytes[i] as char);
                i += 1;
            } else if bytes[i] == b'_'
                && !out.is_empty()
                && bytes.get(i + 1).is_some_and(|c| c.is_ascii_digit())
            {
                i += 1;
            } else {
                break;
            }
        }
        (out, &s[i..])
    }
    let starts_ok = s.as_bytes().first().is_some_and(|c| c.is_ascii_digit())
        || (s.starts_with('.') && s.as_bytes().get(1).is_some_and(|c| c.is_ascii_digit()));
    if !starts_ok {
        return None;
    }
    let (num_digits, rest) = digits(s);
    let mut num: BigInt = if num_digits.is_empty() {
        BigInt::zero()
    } else {
        num_digits.parse().ok()?
    };
    let mut den = BigInt::one();
    let trimmed = rest.trim_start_matches(|c: char| crate::text::is_space(c));
    if let Some(after) = trimmed.strip_prefix('/') {
        let after = after.trim_start_matches(|c: char| crate::text::is_space(c));
        let (den_digits, rest) = digits(after);
        if den_digits.is_empty() || !rest.is_empty() {
            return None;
        }
        den = den_digits.parse().ok()?;
    } else {
        let mut rest = rest;
        if let Some(after) = rest.strip_prefix('.') {
            let (decimal, r) = digits(after);
            if !decimal.is_empty() {
                let scale = BigInt::from(10).pow(decimal.len() as u32);
                num = num * &scale + decimal.parse::<BigInt>().ok()?;
                den *= scale;
            }
            rest = r;
        }
        if let Some(after) = rest.strip_prefix(['e', 'E']) {
            let (exp_negative, after) = match after.as_bytes().first() {
                Some(b'-') => (true, &after[1..]),
                Some(b'+') => (false, &after[1..]),
                _ => (false, after),
            };
            let (exp_digits, r) = digits(after);
            if exp_digits.is_empty() {
                return None;
            }
            let exp: u32 = exp_digits.parse().ok().filter(|e| *e < 100_000)?;
            if exp_negative {
                den *= BigInt::from(10).pow(exp);
            } else {
                num *= BigInt::from(10).pow(exp);
            }
            rest = r;
        }
        if !rest.is_empty() {
            return None;
        }
    }
    if negative {
        num = -num;
    }
    Some(Ratio { num, den })
}

/// `float.as_integer_ratio()` (finite floats).
fn float_ratio(vm: &mut Vm, f: f64) -> PyResult<Ratio> {
    if f.is_nan() {
        return Err(vm.error(ExcType::ValueError, "cannot convert NaN to integer ratio"));
    }
    if f.is_infinite() {
        return Err(vm.error(
            ExcType::OverflowError,
            "cannot convert Infinity to integer ratio",
        ));
    }
    let r = Ratio::new(BigInt::zero(), BigInt::one());
    let exact = super::statistics::float_ratio_pub(f);
    Ok(if exact.num.is_zero() { r } else { exact })
}

fn fraction_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("Fraction.__new__(X): X is not a type object")),
    };
    args.positional.remove(0);
    args.take_keyword("_normalize");
    let a = Sig {
        name: "Fraction.__new__",
        params: &["numerator", "denominator"],
        required: 0,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let numerator = a[0].clone().unwrap_or(Value::Int(0));
    let value = match a[1].clone().filter(|d| !d.is_none()) {
        None => match numerator.unwrap_builtin() {
            Value::Float(f) => float_ratio(vm, f)?,
            Value::Str(s) => match parse(s.as_str()) {
                Some(r) => {
                    if r.den.is_zero() {
                        return Err(zero_division(vm, &r.num));
                    }
                    Ratio::new(r.num, r.den)
                }
                None => {
                    let r = crate::vm::repr::str_repr(s.as_str());
                    return Err(vm.error(
                        ExcType::ValueError,
                        format!("Invalid literal for Fraction: {r}"),
                    ));
                }
            },
            _ => match rational(&numerator) {
                Some(r) => r,
                None => {
                    return Err(vm.type_error("argument should be a string or a Rational instance"))
                }
            },
        },
        Some(denominator) => {
            let (Some(n), Some(d)) = (rational(&numerator), rational(&denominator)) else {
                return Err(vm.type_error("both arguments should be Rational instances"));
            };
            let top = &n.num * &d.den;
            let bottom = &d.num * &n.den;
            if bottom.is_zero() {
                return Err(zero_division(vm, &top));
            }
            Ratio::new(top, bottom)
        }
    };
    Ok(make_fraction(vm, &class, value))
}

fn from_float(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("from_float", args, &["cls", "f"], 2)?;
    let Some(Value::Class(class)) = a[0].clone() else {
        return Err(vm.type_error("from_float() needs a class"));
    };
    let f = a[1].clone().unwrap_or(Value::None);
    let value = match f.unwrap_builtin() {
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => {
            rational(&f).unwrap_or(Ratio::int(BigInt::zero()))
        }
        Value::Float(x) => float_ratio(vm, x)?,
        _ => {
            let r = vm.repr_of(&f)?;
            let t = vm.type_name(&f);
            let name = class.name().as_str().to_string();
            return Err(vm.type_error(format!(
                "{name}.from_float() only takes floats, not {r} ({t})"
            )));
        }
    };
    Ok(make_fraction(vm, &class, value))
}

// ----------------------------------------------------------------- reprs, hash

fn repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let v = this_value(vm, &this)?;
    let name = vm.class_of(&this).name().as_str().to_string();
    Ok(Value::string(format!("{name}({}, {})", v.num, v.den)))
}

fn str_(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__str__", args)?;
    let v = this_value(vm, &this)?;
    Ok(Value::string(if v.den.is_one() {
        v.num.to_string()
    } else {
        format!("{}/{}", v.num, v.den)
    }))
}

/// Python's hash of a rational: consistent with ints and floats.
pub fn rational_hash(num: &BigInt, den: &BigInt) -> i64 {
    let modulus = BigInt::from((1i64 << 61) - 1);
    let hash = match den.modpow(&(&modulus - 2), &modulus) {
        inverse if !(den % &modulus).is_zero() => {
            let h = (num.abs() % &modulus) * inverse % &modulus;
            h.to_i64().unwrap_or(0)
        }
        _ => 314_159,
    };
    let result = if num.is_negative() { -hash } else { hash };
    if result == -1 {
        -2
    } else {
        result
    }
}

fn hash(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__hash__", args)?;
    let v = this_value(vm, &this)?;
    Ok(Value::Int(rational_hash(&v.num, &v.den)))
}

fn as_integer_ratio(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("as_integer_ratio", args)?;
    let v = this_value(vm, &this)?;
    Ok(Value::tuple(vec![
        Value::from_bigint(v.num),
        Value::from_bigint(v.den),
    ]))
}

fn numerator(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("numerator", args)?;
    Ok(Value::from_bigint(this_value(vm, &this)?.num))
}

fn denominator(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("denominator", args)?;
    Ok(Value::from_bigint(this_value(vm, &this)?.den))
}

fn copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    vm.receiver("__copy__", args)
}

// ----------------------------------------------------------------- comparisons

/// The float's exact ratio, or None for infinities and NaN.
fn finite_float(v: &Value) -> Option<Option<Ratio>> {
    match v.unwrap_builtin() {
        Value::Float(f) => Some(if f.is_finite() {
            Some(super::statistics::float_ratio_pub(f))
        } else {
            None
        }),
        _ => None,
    }
}

fn eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__eq__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    let a = this_value(vm, &this)?;
    if let Some(b) = rational(&other) {
        return Ok(Value::Bool(a == b));
    }
    match finite_float(&other) {
        Some(Some(b)) => Ok(Value::Bool(a == b)),
        Some(None) => Ok(Value::Bool(false)),
        None => Ok(Value::NotImplemented),
    }
}

fn richcmp(vm: &mut Vm, args: &mut Args, op: CmpOp) -> PyResult<Value> {
    let this = vm.receiver("__lt__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    let a = this_value(vm, &this)?;
    let b = match rational(&other) {
        Some(b) => b,
        None => match finite_float(&other) {
            Some(Some(b)) => b,
            Some(None) => {
                return vm.compare(op, &Value::Float(0.0), &other.unwrap_builtin());
            }
            None => return Ok(Value::NotImplemented),
        },
    };
    let left = &a.num * &b.den;
    let right = &a.den * &b.num;
    Ok(Value::Bool(match op {
        CmpOp::Lt => left < right,
        CmpOp::Le => left <= right,
        CmpOp::Gt => left > right,
        CmpOp::Ge => left >= right,
        CmpOp::Eq => left == right,
        CmpOp::Ne => left != right,
    }))
}

fn lt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    richcmp(vm, args, CmpOp::Lt)
}
fn le(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    richcmp(vm, args, CmpOp::Le)
}
fn gt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    richcmp(vm, args, CmpOp::Gt)
}
fn ge(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    richcmp(vm, args, CmpOp::Ge)
}

fn bool_(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__bool__", args)?;
    Ok(Value::Bool(!this_value(vm, &this)?.num.is_zero()))
}

// ----------------------------------------------------------------- unary

fn unary(vm: &mut Vm, args: &mut Args, f: fn(Ratio) -> Ratio) -> PyResult<Value> {
    let this = vm.receiver("__neg__", args)?;
    let v = this_value(vm, &this)?;
    new_fraction(vm, f(v))
}

fn neg(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    unary(vm, args, |r| Ratio {
        num: -r.num,
        den: r.den,
    })
}

fn pos(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    unary(vm, args, |r| r)
}

fn abs(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    unary(vm, args, |r| Ratio {
        num: r.num.abs(),
        den: r.den,
    })
}

fn trunc(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__trunc__", args)?;
    let v = this_value(vm, &this)?;
    let q = if v.num.is_negative() {
        -((-&v.num).div_floor(&v.den))
    } else {
        v.num.div_floor(&v.den)
    };
    Ok(Value::from_bigint(q))
}

fn floor(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__floor__", args)?;
    let v = this_value(vm, &this)?;
    Ok(Value::from_bigint(v.num.div_floor(&v.den)))
}

fn ceil(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__ceil__", args)?;
    let v = this_value(vm, &this)?;
    Ok(Value::from_bigint(-((-&v.num).div_floor(&v.den))))
}

fn to_float(vm: &mut Vm, v: &Ratio) -> PyResult<f64> {
    let f = int_true_divide(&v.num, &v.den);
    if f.is_infinite() {
        return Err(vm.error(
            ExcType::OverflowError,
            "integer division result too large for a float",
        ));
    }
    Ok(f)
}

fn float(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__float__", args)?;
    let v = this_value(vm, &this)?;
    to_float(vm, &v).map(Value::Float)
}

/// Round half to even of a ratio, to an int.
fn round_half_even(v: &Ratio) -> BigInt {
    let (floor, remainder) = v.num.div_mod_floor(&v.den);
    let twice = remainder * 2;
    if twice < v.den {
        floor
    } else if twice > v.den || floor.is_odd() {
        floor + 1
    } else {
        floor
    }
}

fn round(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__round__", args)?;
    let a = vm.parse_args("__round__", args, &["ndigits"], 0)?;
    let v = this_value(vm, &this)?;
    let Some(ndigits) = a[0].clone().filter(|n| !n.is_none()) else {
        return Ok(Value::from_bigint(round_half_even(&v)));
    };
    let n = vm.to_index(&ndigits)?;
    if n.unsigned_abs() > 10_000 {
        return Err(vm.unsupported("Fraction.__round__ with more than 10000 digits"));
    }
    let shift = BigInt::from(10).pow(n.unsigned_abs() as u32);
    let result = if n > 0 {
        let scaled = Ratio::new(&v.num * &shift, v.den.clone());
        Ratio::new(round_half_even(&scaled), shift)
    } else {
        let scaled = Ratio::new(v.num.clone(), &v.den * &shift);
        Ratio::int(round_half_even(&scaled) * shift)
    };
    new_fraction(vm, result)
}

fn limit_denominator(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("limit_denominator", args)?;
    let a = vm.parse_args("limit_denominator", args, &["max_denominator"], 0)?;
    let max = match &a[0] {
        Some(v) => index_big(vm, v)?,
        None => BigInt::from(1_000_000),
    };
    if max < BigInt::one() {
        return Err(vm.error(ExcType::ValueError, "max_denominator should be at least 1"));
    }
    let v = this_value(vm, &this)?;
    if v.den <= max {
        return new_fraction(vm, v);
    }
    let (mut p0, mut q0, mut p1, mut q1) =
        (BigInt::zero(), BigInt::one(), BigInt::one(), BigInt::zero());
    let (mut n, mut d) = (v.num.clone(), v.den.clone());
    loop {
        let a = n.div_floor(&d);
        let q2 = &q0 + &a * &q1;
        if q2 > max {
            break;
        }
        let p2 = &p0 + &a * &p1;
        p0 = std::mem::replace(&mut p1, p2);
        q0 = std::mem::replace(&mut q1, q2);
        let r = &n - &a * &d;
        n = std::mem::replace(&mut d, r);
    }
    let k = (&max - &q0).div_floor(&q1);
    let bound1 = Ratio::new(&p0 + &k * &p1, &q0 + &k * &q1);
    let bound2 = Ratio::new(p1, q1);
    let d1 = bound1.sub(&v);
    let d2 = bound2.sub(&v);
    let abs = |r: &Ratio| Ratio {
        num: r.num.abs(),
        den: r.den.clone(),
    };
    let (a1, a2) = (abs(&d1), abs(&d2));
    let closer2 = &a2.num * &a1.den <= &a1.num * &a2.den;
    new_fraction(vm, if closer2 { bound2 } else { bound1 })
}

// ----------------------------------------------------------------- arithmetic

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    DivMod,
}

impl Op {
    fn float_op(self) -> Option<BinOp> {
        Some(match self {
            Op::Add => BinOp::Add,
            Op::Sub => BinOp::Sub,
            Op::Mul => BinOp::Mul,
            Op::Div => BinOp::TrueDiv,
            Op::FloorDiv => BinOp::FloorDiv,
            Op::Mod => BinOp::Mod,
            Op::DivMod => return None,
        })
    }
}

/// The exact operation `a op b`.
fn exact_op(vm: &mut Vm, a: &Ratio, b: &Ratio, op: Op) -> PyResult<Value> {
    match op {
        Op::Add => new_fraction(vm, a.add(b)),
        Op::Sub => new_fraction(vm, a.sub(b)),
        Op::Mul => new_fraction(vm, a.mul(b)),
        Op::Div => match a.div(b) {
            Some(r) => new_fraction(vm, r),
            None => Err(zero_division(vm, &(&a.num * &b.den))),
        },
        Op::FloorDiv | Op::Mod | Op::DivMod => {
            let top = &a.num * &b.den;
            let bottom = &a.den * &b.num;
            if bottom.is_zero() {
                return Err(vm.error(
                    ExcType::ZeroDivisionError,
                    "integer division or modulo by zero",
                ));
            }
            let (div, rem) = top.div_mod_floor(&bottom);
            let modulo = Ratio::new(rem, &a.den * &b.den);
            match op {
                Op::FloorDiv => Ok(Value::from_bigint(div)),
                Op::Mod => new_fraction(vm, modulo),
                _ => {
                    let m = new_fraction(vm, modulo)?;
                    Ok(Value::tuple(vec![Value::from_bigint(div), m]))
                }
            }
        }
    }
}

/// `float(a) op b` (or the reverse) for float operands.
fn float_fallback(vm: &mut Vm, a: f64, b: f64, op: Op) -> PyResult<Value> {
    match op.float_op() {
        Some(bin) => vm.binary_op(bin, &Value::Float(a), &Value::Float(b)),
        None => {
            let divmod = vm.builtins.dict.borrow().get("divmod").cloned();
            match divmod {
                Some(f) => vm.call(&f, vec![Value::Float(a), Value::Float(b)]),
                None => Err(vm.type_error("divmod is missing")),
            }
        }
    }
}

fn arith(vm: &mut Vm, args: &mut Args, op: Op, reflected: bool) -> PyResult<Value> {
    let this = vm.receiver("__add__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    let me = this_value(vm, &this)?;
    if let Some(them) = rational(&other) {
        return if reflected {
            exact_op(vm, &them, &me, op)
        } else {
            exact_op(vm, &me, &them, op)
        };
    }
    if let Value::Float(f) = other.unwrap_builtin() {
        let mine = to_float(vm, &me)?;
        return if reflected {
            float_fallback(vm, f, mine, op)
        } else {
            float_fallback(vm, mine, f, op)
        };
    }
    Ok(Value::NotImplemented)
}

macro_rules! arithmetic {
    ($forward:ident, $reverse:ident, $op:expr) => {
        fn $forward(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
            arith(vm, args, $op, false)
        }
        fn $reverse(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
            arith(vm, args, $op, true)
        }
    };
}

arithmetic!(add, radd, Op::Add);
arithmetic!(sub, rsub, Op::Sub);
arithmetic!(mul, rmul, Op::Mul);
arithmetic!(truediv, rtruediv, Op::Div);
arithmetic!(floordiv, rfloordiv, Op::FloorDiv);
arithmetic!(mod_, rmod, Op::Mod);
arithmetic!(divmod, rdivmod, Op::DivMod);

/// `a ** n` for an int power.
fn int_power(vm: &mut Vm, a: &Ratio, power: &BigInt) -> PyResult<Value> {
    let Some(p) = power.abs().to_u32().filter(|p| *p <= 100_000) else {
        return Err(vm.unsupported("Fraction ** an exponent above 100000"));
    };
    if !power.is_negative() {
        return new_fraction(vm, Ratio::new(a.num.pow(p), a.den.pow(p)));
    }
    if a.num.is_zero() {
        return Err(zero_division(vm, &a.den.pow(p)));
    }
    new_fraction(vm, Ratio::new(a.den.pow(p), a.num.pow(p)))
}

fn pow(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__pow__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    if args.positional.len() > 1 && !args.positional[1].is_none() {
        return Ok(Value::NotImplemented);
    }
    let me = this_value(vm, &this)?;
    if let Some(b) = rational(&other) {
        if b.den.is_one() {
            return int_power(vm, &me, &b.num);
        }
        let x = to_float(vm, &me)?;
        let y = to_float(vm, &b)?;
        return vm.binary_op(BinOp::Pow, &Value::Float(x), &Value::Float(y));
    }
    if let Value::Float(_) = other.unwrap_builtin() {
        let x = to_float(vm, &me)?;
        return vm.binary_op(BinOp::Pow, &Value::Float(x), &other);
    }
    Ok(Value::NotImplemented)
}

fn rpow(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__rpow__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    let me = this_value(vm, &this)?;
    if me.den.is_one() && !me.num.is_negative() {
        return vm.binary_op(BinOp::Pow, &other, &Value::from_bigint(me.num));
    }
    if let Some(a) = rational(&other) {
        if me.den.is_one() {
            return int_power(vm, &a, &me.num);
        }
        let x = to_float(vm, &a)?;
        let y = to_float(vm, &me)?;
        return vm.binary_op(BinOp::Pow, &Value::Float(x), &Value::Float(y));
    }
    if me.den.is_one() {
        return vm.binary_op(BinOp::Pow, &other, &Value::from_bigint(me.num));
    }
    let y = to_float(vm, &me)?;
    vm.binary_op(BinOp::Pow, &other, &Value::Float(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cpython_literals() {
        let r = |s: &str| parse(s).map(|r| Ratio::new(r.num, r.den));
        assert_eq!(r(" 3/4 "), Some(Ratio::new(3.into(), 4.into())));
        assert_eq!(r("-1.5"), Some(Ratio::new((-3).into(), 2.into())));
        assert_eq!(r("1e-3"), Some(Ratio::new(1.into(), 1000.into())));
        assert_eq!(r(".5"), Some(Ratio::new(1.into(), 2.into())));
        assert_eq!(r("1_000"), Some(Ratio::int(1000.into())));
        assert_eq!(r("3 / 6"), Some(Ratio::new(1.into(), 2.into())));
        assert!(r("abc").is_none());
        assert!(r("1/").is_none());
        assert!(r("1__0").is_none());
        assert!(r("").is_none());
    }

    #[test]
    fn hashes_match_ints_and_floats() {
        // hash(Fraction(1, 2)) == hash(0.5); hash(Fraction(-7, 3)) == -1537228672809129299
        assert_eq!(
            rational_hash(&1.into(), &2.into()),
            crate::value::hash::hash_f64(0.5)
        );
        assert_eq!(rational_hash(&(-7).into(), &3.into()), -1537228672809129303);
        assert_eq!(rational_hash(&5.into(), &1.into()), 5);
    }
}
