//! The `statistics` module for int, bool and float data, computed as
//! CPython 3.11's Lib/statistics.py computes it: sums of exact fractions
//! (`_sum`, `_ss`), results converted to the data's type (an int mean
//! stays an int when it is whole), `stdev` through the correctly rounded
//! `_float_sqrt_of_frac`, and the same errors (`StatisticsError`).
//!
//! `Fraction` and `Decimal` data are not offered (Loopscope has neither
//! module): such data raises the unsupported status.

use std::rc::Rc;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::support::{raise, real, sort_by_keys, Sig};
use crate::builtins::{add_functions, new_module};
use crate::bytecode::BinOp;
use crate::value::{Args, Class, Module, PyResult, Value};
use crate::vm::{ExcType, Vm};

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("statistics");
    add_functions(
        &module,
        &[
            ("mean", mean),
            ("fmean", fmean),
            ("geometric_mean", geometric_mean),
            ("harmonic_mean", harmonic_mean),
            ("median", median),
            ("median_low", median_low),
            ("median_high", median_high),
            ("median_grouped", median_grouped),
            ("mode", mode),
            ("multimode", multimode),
            ("quantiles", quantiles),
            ("variance", variance),
            ("pvariance", pvariance),
            ("stdev", stdev),
            ("pstdev", pstdev),
            ("covariance", covariance),
            ("correlation", correlation),
            ("linear_regression", linear_regression),
        ],
    );
    let error =
        super::support::exception_class(vm, "StatisticsError", "statistics", ExcType::ValueError);
    let mut lr_args = Args::new(vec![
        Value::str("LinearRegression"),
        Value::tuple(vec![Value::str("slope"), Value::str("intercept")]),
    ]);
    lr_args.keywords.push((
        Rc::new(crate::value::PyStr::new("module")),
        Value::str("statistics"),
    ));
    let lr = super::namedtuple::namedtuple(vm, &mut lr_args)?;
    let mut dict = module.dict.borrow_mut();
    dict.set("StatisticsError", Value::Class(error));
    dict.set("LinearRegression", lr);
    drop(dict);
    Ok(module)
}

fn statistics_error(vm: &mut Vm, message: &str) -> crate::value::Unwind {
    let class = module_class(vm, "StatisticsError");
    match class {
        Some(c) => raise(vm, &c, message),
        None => vm.error(ExcType::ValueError, message),
    }
}

fn module_class(vm: &Vm, name: &str) -> Option<Rc<Class>> {
    match vm.modules.get("statistics") {
        Some(Value::Module(m)) => match m.dict.borrow().get(name) {
            Some(Value::Class(c)) => Some(c.clone()),
            _ => None,
        },
        _ => None,
    }
}

// ----------------------------------------------------------------- fractions

/// An exact rational number (numerator, positive denominator, lowest
/// terms), as `fractions.Fraction` keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct Ratio {
    pub num: BigInt,
    pub den: BigInt,
}

impl Ratio {
    pub fn new(num: BigInt, den: BigInt) -> Ratio {
        let (num, den) = if den.is_negative() {
            (-num, -den)
        } else {
            (num, den)
        };
        let g = num.gcd(&den);
        if g.is_zero() || g.is_one() {
            return Ratio { num, den };
        }
        Ratio {
            num: num / &g,
            den: den / g,
        }
    }

    pub fn int(n: BigInt) -> Ratio {
        Ratio {
            num: n,
            den: BigInt::one(),
        }
    }

    pub fn add(&self, other: &Ratio) -> Ratio {
        Ratio::new(
            &self.num * &other.den + &other.num * &self.den,
            &self.den * &other.den,
        )
    }

    pub fn sub(&self, other: &Ratio) -> Ratio {
        Ratio::new(
            &self.num * &other.den - &other.num * &self.den,
            &self.den * &other.den,
        )
    }

    pub fn mul(&self, other: &Ratio) -> Ratio {
        Ratio::new(&self.num * &other.num, &self.den * &other.den)
    }

    /// Division; None when `other` is zero.
    pub fn div(&self, other: &Ratio) -> Option<Ratio> {
        if other.num.is_zero() {
            return None;
        }
        Some(Ratio::new(&self.num * &other.den, &self.den * &other.num))
    }

    /// `float(fraction)`: `num / den` correctly rounded.
    pub fn to_f64(&self) -> f64 {
        int_true_divide(&self.num, &self.den)
    }
}

/// `a / b` for ints, correctly rounded like CPython's `long_true_divide`
/// (b > 0). Infinite when the quotient is out of the float range.
pub fn int_true_divide(a: &BigInt, b: &BigInt) -> f64 {
    if a.is_zero() {
        return 0.0;
    }
    let negative = a.is_negative() != b.is_negative();
    let (a, b) = (a.abs(), b.abs());
    let limit = BigInt::from(1u64 << 53);
    let value = if a <= limit && b <= limit {
        a.to_f64().unwrap_or(0.0) / b.to_f64().unwrap_or(1.0)
    } else {
        // Scale so the integer quotient has 55 to 57 bits, keep a sticky
        // bit for the remainder, round once when converting.
        let shift = a.bits() as i64 - b.bits() as i64 - 55;
        let (n, d) = if shift >= 0 {
            (a.clone(), b.clone() << shift as u64)
        } else {
            (a.clone() << (-shift) as u64, b.clone())
        };
        let (q, r) = n.div_rem(&d);
        let mut q = q.to_u64().unwrap_or(u64::MAX);
        if !r.is_zero() {
            q |= 1;
        }
        let shift = shift.clamp(-5000, 5000);
        super::math::ldexp(q as f64, shift)
    };
    if negative {
        -value
    } else {
        value
    }
}

/// A data point as an exact ratio, or the float itself for infinities and
/// NaNs (`_exact_ratio`'s `(x, None)`).
enum Exact {
    Ratio(Ratio),
    Special(f64),
}

/// The type a data point brings to the result's type, in `_coerce`'s
/// order: ints give way to Fractions, both to floats.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Kind {
    Int,
    Fraction,
    Float,
}

fn exact(vm: &mut Vm, v: &Value) -> PyResult<(Exact, Kind)> {
    match v.unwrap_builtin() {
        Value::Int(i) => Ok((Exact::Ratio(Ratio::int(BigInt::from(i))), Kind::Int)),
        Value::Bool(b) => Ok((
            Exact::Ratio(Ratio::int(BigInt::from(u8::from(b)))),
            Kind::Int,
        )),
        Value::BigInt(b) => Ok((Exact::Ratio(Ratio::int((*b).clone())), Kind::Int)),
        Value::Float(f) => {
            if !f.is_finite() {
                return Ok((Exact::Special(f), Kind::Float));
            }
            Ok((Exact::Ratio(float_ratio(f)), Kind::Float))
        }
        Value::Native(_) if super::fractions::fraction_value(v).is_some() => {
            let r = super::fractions::fraction_value(v).unwrap_or(Ratio::int(BigInt::zero()));
            Ok((Exact::Ratio(r), Kind::Fraction))
        }
        Value::Instance(_) | Value::Native(_) => {
            let t = vm.type_name(v);
            Err(vm.unsupported(format!("statistics on '{t}' data")))
        }
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(format!("can't convert type '{t}' to numerator/denominator")))
        }
    }
}

/// `float.as_integer_ratio()` of a finite float.
pub fn float_ratio_pub(f: f64) -> Ratio {
    float_ratio(f)
}

fn float_ratio(f: f64) -> Ratio {
    if f == 0.0 {
        return Ratio::int(BigInt::zero());
    }
    let (m, e) = super::math::frexp(f);
    // m * 2**53 is an integer; the value is that times 2**(e - 53).
    let mantissa = (m * 9_007_199_254_740_992.0) as i64;
    let exponent = e - 53;
    let num = BigInt::from(mantissa);
    if exponent >= 0 {
        Ratio::int(num << exponent as u64)
    } else {
        Ratio::new(num, BigInt::one() << (-exponent) as u64)
    }
}

/// `_sum`: (result kind, exact total or special float, count).
struct Sum {
    kind: Kind,
    total: Exact,
    count: usize,
}

fn exact_sum(vm: &mut Vm, items: &[Value]) -> PyResult<Sum> {
    let mut kind = Kind::Int;
    let mut total = Ratio::int(BigInt::zero());
    let mut special: Option<f64> = None;
    for item in items {
        let (e, k) = exact(vm, item)?;
        if k > kind {
            kind = k;
        }
        match e {
            Exact::Ratio(r) => total = total.add(&r),
            Exact::Special(f) => special = Some(special.unwrap_or(0.0) + f),
        }
    }
    Ok(Sum {
        kind,
        total: match special {
            Some(f) => Exact::Special(f),
            None => Exact::Ratio(total),
        },
        count: items.len(),
    })
}

/// `_convert(value, T)`.
fn convert(vm: &mut Vm, value: &Ratio, kind: Kind) -> PyResult<Value> {
    match kind {
        Kind::Int if value.den.is_one() => Ok(Value::from_bigint(value.num.clone())),
        Kind::Fraction => super::fractions::new_fraction(vm, value.clone()),
        _ => Ok(Value::Float(value.to_f64())),
    }
}

fn data_arg(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Vec<Value>> {
    let a = vm.parse_args(name, args, &["data"], 1)?;
    vm.collect(a[0].as_ref().unwrap_or(&Value::None))
}

// ----------------------------------------------------------------- means

fn mean(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let data = data_arg(vm, args, "mean")?;
    let sum = exact_sum(vm, &data)?;
    if sum.count < 1 {
        return Err(statistics_error(
            vm,
            "mean requires at least one data point",
        ));
    }
    match sum.total {
        Exact::Special(f) => Ok(Value::Float(f / sum.count as f64)),
        Exact::Ratio(r) => {
            let n = Ratio::int(BigInt::from(sum.count));
            let m = r.div(&n).unwrap_or(r);
            convert(vm, &m, sum.kind)
        }
    }
}

fn floats(vm: &mut Vm, items: &[Value]) -> PyResult<Vec<f64>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(real(vm, item)?);
    }
    Ok(out)
}

fn fsum(vm: &mut Vm, values: &[f64]) -> PyResult<f64> {
    super::math::fsum_floats(values).map_err(|(kind, message)| vm.error(kind, message))
}

fn fmean_values(vm: &mut Vm, data: &[Value], weights: Option<&Value>) -> PyResult<f64> {
    let values = floats(vm, data)?;
    let Some(weights) = weights.filter(|w| !w.is_none()) else {
        let total = fsum(vm, &values)?;
        if values.is_empty() {
            return Err(statistics_error(
                vm,
                "fmean requires at least one data point",
            ));
        }
        return Ok(total / values.len() as f64);
    };
    let weights = vm.collect(weights)?;
    let mut products = Vec::with_capacity(data.len().min(weights.len()));
    for (x, w) in data.iter().zip(weights.iter()) {
        let p = vm.binary_op(BinOp::Mul, x, w)?;
        products.push(real(vm, &p)?);
    }
    let num = fsum(vm, &products)?;
    if data.len() != weights.len() {
        return Err(statistics_error(
            vm,
            "data and weights must be the same length",
        ));
    }
    let weight_values = floats(vm, &weights)?;
    let den = fsum(vm, &weight_values)?;
    if den == 0.0 {
        return Err(statistics_error(vm, "sum of weights must be non-zero"));
    }
    Ok(num / den)
}

fn fmean(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("fmean", args, &["data", "weights"], 1)?;
    let data = vm.collect(a[0].as_ref().unwrap_or(&Value::None))?;
    fmean_values(vm, &data, a[1].as_ref()).map(Value::Float)
}

fn geometric_mean(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let data = data_arg(vm, args, "geometric_mean")?;
    let message = "geometric mean requires a non-empty dataset containing positive numbers";
    let mut logs = Vec::with_capacity(data.len());
    for x in &data {
        match super::math::log_of(vm, x) {
            Ok(l) => logs.push(Value::Float(l)),
            Err(crate::value::Unwind::Exception(e)) if vm.is_exception(&e, ExcType::ValueError) => {
                return Err(statistics_error(vm, message))
            }
            Err(e) => return Err(e),
        }
    }
    match fmean_values(vm, &logs, None) {
        Ok(m) => Ok(Value::Float(m.exp())),
        Err(crate::value::Unwind::Exception(e)) if vm.is_exception(&e, ExcType::ValueError) => {
            Err(statistics_error(vm, message))
        }
        Err(e) => Err(e),
    }
}

fn is_negative(vm: &mut Vm, v: &Value) -> PyResult<bool> {
    vm.less_than(v, &Value::Int(0))
}

fn harmonic_mean(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("harmonic_mean", args, &["data", "weights"], 1)?;
    let data = vm.collect(a[0].as_ref().unwrap_or(&Value::None))?;
    let errmsg = "harmonic mean does not support negative values";
    let n = data.len();
    let weights = a[1].clone().filter(|w| !w.is_none());
    if n < 1 {
        return Err(statistics_error(
            vm,
            "harmonic_mean requires at least one data point",
        ));
    }
    if n == 1 && weights.is_none() {
        let x = data[0].clone();
        if !matches!(
            x.unwrap_builtin(),
            Value::Int(_) | Value::BigInt(_) | Value::Bool(_) | Value::Float(_)
        ) {
            return Err(vm.type_error("unsupported type"));
        }
        if is_negative(vm, &x)? {
            return Err(statistics_error(vm, errmsg));
        }
        return Ok(x);
    }
    let (weights, sum_weights) = match weights {
        None => (vec![Value::Int(1); n], Ratio::int(BigInt::from(n))),
        Some(w) => {
            let w = vm.collect(&w)?;
            if w.len() != n {
                return Err(statistics_error(
                    vm,
                    "Number of weights does not match data size",
                ));
            }
            for x in &w {
                if is_negative(vm, x)? {
                    return Err(statistics_error(vm, errmsg));
                }
            }
            let s = exact_sum(vm, &w)?;
            match s.total {
                Exact::Ratio(r) => (w, r),
                Exact::Special(_) => {
                    return Err(vm.unsupported("harmonic_mean with infinite weights"))
                }
            }
        }
    };
    let mut terms = Vec::with_capacity(n);
    for (w, x) in weights.iter().zip(data.iter()) {
        if is_negative(vm, x)? {
            return Err(statistics_error(vm, errmsg));
        }
        if vm.truthy(w)? {
            match vm.binary_op(BinOp::TrueDiv, w, x) {
                Ok(t) => terms.push(t),
                Err(crate::value::Unwind::Exception(e))
                    if vm.is_exception(&e, ExcType::ZeroDivisionError) =>
                {
                    return Ok(Value::Int(0))
                }
                Err(e) => return Err(e),
            }
        } else {
            terms.push(Value::Int(0));
        }
    }
    let sum = exact_sum(vm, &terms)?;
    let total = match sum.total {
        Exact::Ratio(r) => r,
        Exact::Special(f) => return Ok(Value::Float(sum_weights.to_f64() / f)),
    };
    if !total.num.is_positive() {
        return Err(statistics_error(vm, "Weighted sum must be positive"));
    }
    let result = sum_weights.div(&total).unwrap_or(total);
    convert(vm, &result, sum.kind)
}

// ----------------------------------------------------------------- medians

fn sorted_data(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Vec<Value>> {
    let data = data_arg(vm, args, name)?;
    let keys = data.clone();
    let sorted = sort_by_keys(vm, data, keys, false)?;
    if sorted.is_empty() {
        return Err(statistics_error(vm, "no median for empty data"));
    }
    Ok(sorted)
}

fn median(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let data = sorted_data(vm, args, "median")?;
    let n = data.len();
    if n % 2 == 1 {
        return Ok(data[n / 2].clone());
    }
    let sum = vm.binary_op(BinOp::Add, &data[n / 2 - 1], &data[n / 2])?;
    vm.binary_op(BinOp::TrueDiv, &sum, &Value::Int(2))
}

fn median_low(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let data = sorted_data(vm, args, "median_low")?;
    let n = data.len();
    Ok(if n % 2 == 1 {
        data[n / 2].clone()
    } else {
        data[n / 2 - 1].clone()
    })
}

fn median_high(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let data = sorted_data(vm, args, "median_high")?;
    Ok(data[data.len() / 2].clone())
}

fn median_grouped(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("median_grouped", args, &["data", "interval"], 1)?;
    let data = vm.collect(a[0].as_ref().unwrap_or(&Value::None))?;
    let keys = data.clone();
    let data = sort_by_keys(vm, data, keys, false)?;
    let n = data.len();
    if n == 0 {
        return Err(statistics_error(vm, "no median for empty data"));
    }
    let x = data[n / 2].clone();
    let mut i = 0;
    while i < n && vm.less_than(&data[i], &x)? {
        i += 1;
    }
    let mut j = i;
    while j < n && !vm.less_than(&x, &data[j])? {
        j += 1;
    }
    let interval = match &a[1] {
        Some(v) => real(vm, v)?,
        None => 1.0,
    };
    let x = real(vm, &x)?;
    let lower = x - interval / 2.0;
    let cf = i as f64;
    let f = (j - i) as f64;
    Ok(Value::Float(lower + interval * (n as f64 / 2.0 - cf) / f))
}

/// Counts of the data's values, in first-seen order.
fn counts(vm: &mut Vm, data: &[Value]) -> PyResult<Vec<(Value, i64)>> {
    let dict = crate::value::PyDict::new();
    for x in data {
        let current = match dict.get(vm, x)? {
            Some(Value::Int(n)) => n,
            _ => 0,
        };
        dict.set(vm, x.clone(), Value::Int(current + 1))?;
    }
    Ok(dict
        .items()
        .into_iter()
        .map(|(k, v)| (k, if let Value::Int(n) = v { n } else { 0 }))
        .collect())
}

fn mode(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let data = data_arg(vm, args, "mode")?;
    let counted = counts(vm, &data)?;
    let max = counted.iter().map(|(_, c)| *c).max();
    match max {
        Some(max) => Ok(counted
            .into_iter()
            .find(|(_, c)| *c == max)
            .map(|(v, _)| v)
            .unwrap_or(Value::None)),
        None => Err(statistics_error(vm, "no mode for empty data")),
    }
}

fn multimode(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let data = data_arg(vm, args, "multimode")?;
    let counted = counts(vm, &data)?;
    let max = counted.iter().map(|(_, c)| *c).max().unwrap_or(0);
    Ok(Value::list(
        counted
            .into_iter()
            .filter(|(_, c)| *c == max)
            .map(|(v, _)| v)
            .collect(),
    ))
}

fn quantiles(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = Sig {
        name: "quantiles",
        params: &["data"],
        required: 1,
        kwonly: &["n", "method"],
        method: false,
    }
    .bind(vm, args)?;
    let n = match &a[1] {
        Some(v) => vm.expect_int(v)?,
        None => 4,
    };
    let method = match &a[2] {
        Some(v) => vm.str_of(v)?,
        None => "exclusive".to_string(),
    };
    if n < 1 {
        return Err(statistics_error(vm, "n must be at least 1"));
    }
    let data = vm.collect(a[0].as_ref().unwrap_or(&Value::None))?;
    let keys = data.clone();
    let data = sort_by_keys(vm, data, keys, false)?;
    let ld = data.len() as i64;
    if ld < 2 {
        return Err(statistics_error(vm, "must have at least two data points"));
    }
    // (data[lo] * (n - delta) + data[lo + 1] * delta) / n
    let interpolate = |vm: &mut Vm, lo: usize, delta: i64| -> PyResult<Value> {
        let a = vm.binary_op(BinOp::Mul, &data[lo], &Value::Int(n - delta))?;
        let b = vm.binary_op(BinOp::Mul, &data[lo + 1], &Value::Int(delta))?;
        let s = vm.binary_op(BinOp::Add, &a, &b)?;
        vm.binary_op(BinOp::TrueDiv, &s, &Value::Int(n))
    };
    let mut result = Vec::new();
    match method.as_str() {
        "inclusive" => {
            let m = ld - 1;
            for i in 1..n {
                let (j, delta) = ((i * m).div_euclid(n), (i * m).rem_euclid(n));
                result.push(interpolate(vm, j as usize, delta)?);
            }
        }
        "exclusive" => {
            let m = ld + 1;
            for i in 1..n {
                let j = (i * m).div_euclid(n).clamp(1, ld - 1);
                let delta = i * m - j * n;
                result.push(interpolate(vm, (j - 1) as usize, delta)?);
            }
        }
        other => {
            let r = crate::vm::repr::str_repr(other);
            return Err(vm.error(ExcType::ValueError, format!("Unknown method: {r}")));
        }
    }
    Ok(Value::list(result))
}

// ----------------------------------------------------------------- spread

/// `_ss`: (kind, sum of squared deviations, count); the sum is a float
/// for infinite or NaN data.
fn sum_squares(vm: &mut Vm, data: &[Value], c: Option<&Value>) -> PyResult<(Kind, Exact, usize)> {
    if let Some(c) = c.filter(|c| !c.is_none()) {
        let mut squares = Vec::with_capacity(data.len());
        for x in data {
            let d = vm.binary_op(BinOp::Sub, x, c)?;
            squares.push(vm.binary_op(BinOp::Mul, &d, &d)?);
        }
        let s = exact_sum(vm, &squares)?;
        return Ok((s.kind, s.total, s.count));
    }
    let mut kind = Kind::Int;
    let mut sx = Ratio::int(BigInt::zero());
    let mut sxx = Ratio::int(BigInt::zero());
    let mut special: Option<f64> = None;
    for x in data {
        let (e, k) = exact(vm, x)?;
        if k > kind {
            kind = k;
        }
        match e {
            Exact::Ratio(r) => {
                sxx = sxx.add(&r.mul(&r));
                sx = sx.add(&r);
            }
            Exact::Special(f) => special = Some(special.unwrap_or(0.0) + f),
        }
    }
    let count = data.len();
    if let Some(f) = special {
        return Ok((kind, Exact::Special(f), count));
    }
    if count == 0 {
        return Ok((kind, Exact::Ratio(Ratio::int(BigInt::zero())), 0));
    }
    let n = Ratio::int(BigInt::from(count));
    let ssd = n.mul(&sxx).sub(&sx.mul(&sx)).div(&n).unwrap_or(sxx);
    Ok((kind, Exact::Ratio(ssd), count))
}

/// `_integer_sqrt_of_frac_rto`: isqrt(n / m) rounded to odd.
fn isqrt_frac_rto(n: &BigInt, m: &BigInt) -> BigInt {
    let a = (n / m).sqrt();
    let odd = &a * &a * m != *n;
    if odd {
        a | BigInt::one()
    } else {
        a
    }
}

/// `_float_sqrt_of_frac`: the correctly rounded float sqrt of n / m.
fn float_sqrt_of_frac(n: &BigInt, m: &BigInt) -> f64 {
    const SQRT_BIT_WIDTH: i64 = 2 * 53 + 3;
    let q = (n.bits() as i64 - m.bits() as i64 - SQRT_BIT_WIDTH).div_euclid(2);
    if q >= 0 {
        let numerator = isqrt_frac_rto(n, &(m << (2 * q) as u64)) << q as u64;
        int_true_divide(&numerator, &BigInt::one())
    } else {
        let numerator = isqrt_frac_rto(&(n << (-2 * q) as u64), m);
        let denominator = BigInt::one() << (-q) as u64;
        int_true_divide(&numerator, &denominator)
    }
}

fn spread_args(
    vm: &mut Vm,
    args: &mut Args,
    name: &str,
    center: &str,
) -> PyResult<(Vec<Value>, Option<Value>)> {
    let a = vm.parse_args(name, args, &["data", center], 1)?;
    let data = vm.collect(a[0].as_ref().unwrap_or(&Value::None))?;
    Ok((data, a[1].clone()))
}

/// Variance or standard deviation, sample (`ddof` 1) or population.
fn spread(vm: &mut Vm, args: &mut Args, name: &str, sample: bool, root: bool) -> PyResult<Value> {
    let center = if sample { "xbar" } else { "mu" };
    let (data, c) = spread_args(vm, args, name, center)?;
    let (kind, ss, n) = sum_squares(vm, &data, c.as_ref())?;
    let needed = if sample { 2 } else { 1 };
    if n < needed {
        let message = if sample {
            format!("{name} requires at least two data points")
        } else {
            format!("{name} requires at least one data point")
        };
        return Err(statistics_error(vm, &message));
    }
    let divisor = if sample { n - 1 } else { n };
    match ss {
        Exact::Special(f) => {
            if root {
                return Err(vm.error(
                    ExcType::AttributeError,
                    "'float' object has no attribute 'numerator'",
                ));
            }
            Ok(Value::Float(f / divisor as f64))
        }
        Exact::Ratio(r) => {
            let d = Ratio::int(BigInt::from(divisor));
            let mss = r.div(&d).unwrap_or(r);
            if root {
                Ok(Value::Float(float_sqrt_of_frac(&mss.num, &mss.den)))
            } else {
                convert(vm, &mss, kind)
            }
        }
    }
}

fn variance(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    spread(vm, args, "variance", true, false)
}

fn pvariance(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    spread(vm, args, "pvariance", false, false)
}

fn stdev(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    spread(vm, args, "stdev", true, true)
}

fn pstdev(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    spread(vm, args, "pstdev", false, true)
}

// ----------------------------------------------------------------- two variables

fn pair(vm: &mut Vm, args: &mut Args, name: &str, what: &str) -> PyResult<(Vec<f64>, Vec<f64>)> {
    if !args.keywords.is_empty() && name != "linear_regression" {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    if args.positional.len() != 2 {
        let n = args.positional.len();
        return Err(vm.type_error(format!(
            "{name}() takes 2 positional arguments but {n} were given"
        )));
    }
    let x = vm.collect(&args.positional[0])?;
    let y = vm.collect(&args.positional[1])?;
    if x.len() != y.len() {
        return Err(statistics_error(
            vm,
            &format!("{what} requires that both inputs have same number of data points"),
        ));
    }
    if x.len() < 2 {
        return Err(statistics_error(
            vm,
            &format!("{what} requires at least two data points"),
        ));
    }
    Ok((floats(vm, &x)?, floats(vm, &y)?))
}

fn deviations(vm: &mut Vm, x: &[f64], y: &[f64]) -> PyResult<(f64, f64, f64, f64, f64)> {
    let n = x.len() as f64;
    let xbar = fsum(vm, x)? / n;
    let ybar = fsum(vm, y)? / n;
    let products: Vec<f64> = x
        .iter()
        .zip(y.iter())
        .map(|(xi, yi)| (xi - xbar) * (yi - ybar))
        .collect();
    let sxy = fsum(vm, &products)?;
    let xs: Vec<f64> = x.iter().map(|xi| (xi - xbar) * (xi - xbar)).collect();
    let ys: Vec<f64> = y.iter().map(|yi| (yi - ybar) * (yi - ybar)).collect();
    let sxx = fsum(vm, &xs)?;
    let syy = fsum(vm, &ys)?;
    Ok((xbar, ybar, sxy, sxx, syy))
}

fn covariance(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (x, y) = pair(vm, args, "covariance", "covariance")?;
    let (_, _, sxy, _, _) = deviations(vm, &x, &y)?;
    Ok(Value::Float(sxy / (x.len() - 1) as f64))
}

fn correlation(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (x, y) = pair(vm, args, "correlation", "correlation")?;
    let (_, _, sxy, sxx, syy) = deviations(vm, &x, &y)?;
    let den = (sxx * syy).sqrt();
    if den == 0.0 {
        return Err(statistics_error(
            vm,
            "at least one of the inputs is constant",
        ));
    }
    Ok(Value::Float(sxy / den))
}

fn linear_regression(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let proportional = match args.take_keyword("proportional") {
        Some(v) => vm.truthy(&v)?,
        None => false,
    };
    if let Some((k, _)) = args.keywords.first() {
        let k = k.as_str().to_string();
        return Err(vm.type_error(format!(
            "linear_regression() got an unexpected keyword argument '{k}'"
        )));
    }
    let (x, y) = pair(vm, args, "linear_regression", "linear regression")?;
    let (slope, intercept) = if proportional {
        let xy: Vec<f64> = x.iter().zip(y.iter()).map(|(a, b)| a * b).collect();
        let xx: Vec<f64> = x.iter().map(|a| a * a).collect();
        let sxy = fsum(vm, &xy)?;
        let sxx = fsum(vm, &xx)?;
        if sxx == 0.0 {
            return Err(statistics_error(vm, "x is constant"));
        }
        (sxy / sxx, 0.0)
    } else {
        let (xbar, ybar, sxy, sxx, _) = deviations(vm, &x, &y)?;
        if sxx == 0.0 {
            return Err(statistics_error(vm, "x is constant"));
        }
        let slope = sxy / sxx;
        (slope, ybar - slope * xbar)
    };
    let class = module_class(vm, "LinearRegression");
    let Some(class) = class else {
        return Err(vm.type_error("statistics.LinearRegression is missing"));
    };
    Ok(super::namedtuple::new_tuple_instance(
        vm,
        &class,
        vec![Value::Float(slope), Value::Float(intercept)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_division_is_correctly_rounded() {
        let big = BigInt::from(10).pow(30);
        assert_eq!(int_true_divide(&(&big + 1), &BigInt::from(2)), 5e29);
        assert_eq!(
            int_true_divide(&BigInt::from(1), &BigInt::from(3)),
            1.0 / 3.0
        );
        let r = float_ratio(0.1)
            .add(&float_ratio(0.2))
            .add(&float_ratio(0.3));
        let mean = r.div(&Ratio::int(BigInt::from(3))).unwrap();
        assert_eq!(mean.to_f64(), 0.2);
    }

    #[test]
    fn float_sqrt_of_frac_matches_cpython() {
        // statistics.pstdev([2, 4, 4, 4, 5, 5, 7, 9]) == 2.0
        assert_eq!(float_sqrt_of_frac(&BigInt::from(4), &BigInt::from(1)), 2.0);
        // statistics.stdev(range(1, 11)) == 3.0276503540974917 (55/6)
        assert_eq!(
            float_sqrt_of_frac(&BigInt::from(55), &BigInt::from(6)),
            3.0276503540974917
        );
    }

    #[test]
    fn float_ratio_is_exact() {
        let r = float_ratio(1.5);
        assert_eq!((r.num, r.den), (BigInt::from(3), BigInt::from(2)));
        let r = float_ratio(-0.1);
        assert_eq!(r.den, BigInt::from(36028797018963968u64));
        assert_eq!(r.num, BigInt::from(-3602879701896397i64));
    }

    #[test]
    fn sign_of_ratio() {
        let r = Ratio::new(BigInt::from(2), BigInt::from(-4));
        assert_eq!((r.num, r.den), (BigInt::from(-1), BigInt::from(2)));
        assert!(BigInt::from(-1).is_negative());
    }
}
