//! `datetime.timedelta`: a normalised (days, seconds, microseconds)
//! triple with CPython's constructor (exact accumulation of int parts,
//! float leftovers rounded half to even: `delta_new`/`accum`), reprs,
//! and arithmetic (`*`/`/` by floats through `as_integer_ratio`, rounded
//! half to even; `//`, `%`, `divmod` on microseconds).

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

use super::{
    compare_other, install_comparisons, install_getters, install_limits, install_methods,
    install_new, not_handled, receiver_data, CSig, Dt,
};
use crate::builtins::{native_object, with_native};
use crate::bytecode::CmpOp;
use crate::modules::statistics::{float_ratio_pub, int_true_divide};
use crate::value::{Args, PyResult, Unwind, Value};
use crate::vm::{ExcType, Vm};

const US_PER_SECOND: i128 = 1_000_000;
const US_PER_DAY: i128 = 86_400 * US_PER_SECOND;
/// `timedelta.max.days`.
pub const MAX_DELTA_DAYS: i64 = 999_999_999;

/// A timedelta: `0 <= seconds < 86400`, `0 <= micros < 10**6`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delta {
    pub days: i64,
    pub seconds: i64,
    pub micros: i64,
}

impl Delta {
    pub const ZERO: Delta = Delta {
        days: 0,
        seconds: 0,
        micros: 0,
    };
    pub const MICROSECOND: Delta = Delta {
        days: 0,
        seconds: 0,
        micros: 1,
    };
    pub const DAY: Delta = Delta {
        days: 1,
        seconds: 0,
        micros: 0,
    };

    pub fn total_micros(&self) -> i128 {
        i128::from(self.days) * US_PER_DAY
            + i128::from(self.seconds) * US_PER_SECOND
            + i128::from(self.micros)
    }

    /// Normalises a microsecond count; Err with CPython's OverflowError
    /// message when the days fall outside ±999999999.
    pub fn from_micros(us: i128) -> Result<Delta, String> {
        let days = us.div_euclid(US_PER_DAY);
        let rest = us.rem_euclid(US_PER_DAY);
        if days.abs() > i128::from(MAX_DELTA_DAYS) {
            if i32::try_from(days).is_err() {
                return Err("Python int too large to convert to C int".to_string());
            }
            return Err(format!(
                "days={days}; must have magnitude <= {MAX_DELTA_DAYS}"
            ));
        }
        Ok(Delta {
            days: days as i64,
            seconds: (rest / US_PER_SECOND) as i64,
            micros: (rest % US_PER_SECOND) as i64,
        })
    }

    /// A value in range for sure (a difference of two dates).
    pub fn from_micros_unchecked(us: i128) -> Delta {
        Delta::from_micros(us).unwrap_or(Delta::ZERO)
    }

    /// `-self` where it cannot overflow (an offset under a day).
    pub fn negated_unchecked(&self) -> Delta {
        Delta::from_micros_unchecked(-self.total_micros())
    }

    /// Strictly between -24h and 24h (a valid UTC offset).
    pub fn is_valid_offset(&self) -> bool {
        let us = self.total_micros();
        us > -US_PER_DAY && us < US_PER_DAY
    }

    /// `str(td)`.
    pub fn to_text(&self) -> String {
        let (mm, ss) = (self.seconds / 60, self.seconds % 60);
        let (hh, mm) = (mm / 60, mm % 60);
        let mut s = String::new();
        if self.days != 0 {
            let plural = if self.days.abs() != 1 { "s" } else { "" };
            s.push_str(&format!("{} day{plural}, ", self.days));
        }
        s.push_str(&format!("{hh}:{mm:02}:{ss:02}"));
        if self.micros != 0 {
            s.push_str(&format!(".{:06}", self.micros));
        }
        s
    }

    /// The arguments of the repr: `days=1, seconds=5` or `0`.
    pub fn repr_args(&self) -> String {
        let mut parts = Vec::new();
        if self.days != 0 {
            parts.push(format!("days={}", self.days));
        }
        if self.seconds != 0 {
            parts.push(format!("seconds={}", self.seconds));
        }
        if self.micros != 0 {
            parts.push(format!("microseconds={}", self.micros));
        }
        if parts.is_empty() {
            "0".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// The Delta inside a timedelta (or subclass) value.
pub fn delta_of(v: &Value) -> Option<Delta> {
    with_native::<Delta, _>(v, |d| *d)
}

/// A new `datetime.timedelta` (arithmetic never keeps subclasses).
pub fn new_delta(vm: &Vm, dt: &Dt, d: Delta) -> Value {
    native_object(vm, &dt.timedelta, d)
}

/// A timedelta of a microsecond count, or CPython's OverflowError.
pub fn delta_value(vm: &mut Vm, dt: &Dt, us: i128) -> PyResult<Value> {
    match Delta::from_micros(us) {
        Ok(d) => Ok(new_delta(vm, dt, d)),
        Err(message) => Err(vm.error(ExcType::OverflowError, message)),
    }
}

fn delta_of_big(vm: &mut Vm, dt: &Dt, us: &BigInt) -> PyResult<Value> {
    match us.to_i128() {
        Some(us) => delta_value(vm, dt, us),
        None => Err(vm.error(
            ExcType::OverflowError,
            "Python int too large to convert to C int",
        )),
    }
}

pub fn install(vm: &mut Vm, dt: &Dt) -> PyResult<()> {
    let class = dt.timedelta.clone();
    install_new(vm, dt, &class, delta_new);
    install_methods(
        vm,
        dt,
        &class,
        "timedelta",
        &[
            ("__repr__", repr),
            ("__str__", str_),
            ("__hash__", hash),
            ("__bool__", bool_),
            ("__neg__", neg),
            ("__pos__", pos),
            ("__abs__", abs),
            ("__add__", add),
            ("__radd__", radd),
            ("__sub__", sub),
            ("__rsub__", rsub),
            ("__mul__", mul),
            ("__rmul__", rmul),
            ("__truediv__", truediv),
            ("__floordiv__", floordiv),
            ("__mod__", mod_),
            ("__divmod__", divmod),
            ("total_seconds", total_seconds),
            ("__copy__", copy),
            ("__deepcopy__", copy),
            ("__reduce__", reduce),
        ],
    );
    // The comparison needs its operator: one closure per dunder.
    install_comparisons(&class, "timedelta", {
        let dt = dt.clone();
        move |vm: &mut Vm, args: &mut Args, op| compare_op(vm, &dt, args, op)
    });
    install_getters(
        vm,
        &class,
        &[
            ("days", get_days),
            ("seconds", get_seconds),
            ("microseconds", get_micros),
        ],
    );
    let min = Delta {
        days: -MAX_DELTA_DAYS,
        seconds: 0,
        micros: 0,
    };
    let max = Delta {
        days: MAX_DELTA_DAYS,
        seconds: 86_399,
        micros: 999_999,
    };
    let (min, max) = (new_delta(vm, dt, min), new_delta(vm, dt, max));
    install_limits(vm, dt, &class, min, max, Some(Delta::MICROSECOND));
    Ok(())
}

// ----------------------------------------------------------------- construction

/// One component of the constructor: `num * factor` microseconds added
/// exactly for ints; for floats the integer part exactly and the fraction
/// into `leftover` (CPython `accum`).
fn accumulate(
    vm: &mut Vm,
    tag: &str,
    sofar: BigInt,
    num: &Value,
    factor: i64,
    leftover: &mut f64,
) -> PyResult<BigInt> {
    let factor_big = BigInt::from(factor);
    match num.unwrap_builtin() {
        Value::Int(i) => return Ok(sofar + BigInt::from(i) * factor_big),
        Value::Bool(b) => return Ok(sofar + BigInt::from(i64::from(b)) * factor_big),
        Value::BigInt(b) => return Ok(sofar + (*b).clone() * factor_big),
        Value::Float(f) => {
            let int_part = f.trunc();
            let frac = f - int_part;
            let Some(int_big) = crate::numbers::float_to_bigint(int_part) else {
                return Err(if f.is_nan() {
                    vm.error(ExcType::ValueError, "cannot convert float NaN to integer")
                } else {
                    vm.error(
                        ExcType::OverflowError,
                        "cannot convert float infinity to integer",
                    )
                });
            };
            let sum = sofar + int_big * &factor_big;
            if frac == 0.0 {
                return Ok(sum);
            }
            let scaled = factor as f64 * frac;
            let scaled_int = scaled.trunc();
            let scaled_frac = scaled - scaled_int;
            *leftover += scaled_frac;
            let extra = crate::numbers::float_to_bigint(scaled_int).unwrap_or_default();
            return Ok(sum + extra);
        }
        _ => {}
    }
    let t = super::tp_name(vm, num);
    Err(vm.type_error(format!(
        "unsupported type for timedelta {tag} component: {t}"
    )))
}

fn delta_new(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("timedelta.__new__(X): X is not a type object")),
    };
    args.positional.remove(0);
    const NAMES: &[&str] = &[
        "days",
        "seconds",
        "microseconds",
        "milliseconds",
        "minutes",
        "hours",
        "weeks",
    ];
    let sig = CSig {
        fname: Some("__new__"),
        names: NAMES,
        required: 0,
        positional: 7,
    };
    let a = sig.bind(vm, args)?;
    // CPython's order: us, ms, seconds, minutes, hours, days, weeks.
    let order: [(usize, &str, i64); 7] = [
        (2, "microseconds", 1),
        (3, "milliseconds", 1000),
        (1, "seconds", 1_000_000),
        (4, "minutes", 60_000_000),
        (5, "hours", 3_600_000_000),
        (0, "days", 86_400_000_000),
        (6, "weeks", 604_800_000_000),
    ];
    let mut total = BigInt::zero();
    let mut leftover = 0.0f64;
    for (index, tag, factor) in order {
        if let Some(v) = &a[index] {
            total = accumulate(vm, tag, total, v, factor, &mut leftover)?;
        }
    }
    if leftover != 0.0 {
        // Round to the nearest microsecond, ties to even (of the total).
        let mut whole = leftover.round();
        if (whole - leftover).abs() == 0.5 {
            let odd = if total.is_odd() { 1.0 } else { 0.0 };
            whole = 2.0 * ((leftover + odd) * 0.5).round() - odd;
        }
        total += crate::numbers::float_to_bigint(whole).unwrap_or_default();
    }
    let Some(us) = total.to_i128() else {
        return Err(vm.error(
            ExcType::OverflowError,
            "Python int too large to convert to C int",
        ));
    };
    let d = match Delta::from_micros(us) {
        Ok(d) => d,
        Err(message) => return Err(vm.error(ExcType::OverflowError, message)),
    };
    Ok(native_object(vm, &cls, d))
}

/// `timedelta(seconds=x)` for a float, as the constructor rounds it (the
/// oracle's `EPOCH + timedelta(seconds=loop.time())`).
pub fn micros_of_seconds(seconds: f64) -> i128 {
    let int_part = seconds.trunc();
    let frac = seconds - int_part;
    let mut total = int_part as i128 * US_PER_SECOND;
    if frac == 0.0 {
        return total;
    }
    let scaled = 1e6 * frac;
    let scaled_int = scaled.trunc();
    total += scaled_int as i128;
    let leftover = scaled - scaled_int;
    let mut whole = leftover.round();
    if (whole - leftover).abs() == 0.5 {
        let odd = if total.rem_euclid(2) == 1 { 1.0 } else { 0.0 };
        whole = 2.0 * ((leftover + odd) * 0.5).round() - odd;
    }
    total + whole as i128
}

// ----------------------------------------------------------------- methods

fn this(vm: &mut Vm, args: &mut Args, method: &str) -> PyResult<(Value, Delta)> {
    receiver_data::<Delta>(vm, args, method, "datetime.timedelta")
}

fn repr(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d) = this(vm, args, "__repr__")?;
    let class = vm.class_of(&this);
    let prefix = super::type_prefix(&class, "timedelta");
    Ok(Value::string(format!("{prefix}({})", d.repr_args())))
}

fn str_(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "__str__")?;
    Ok(Value::string(d.to_text()))
}

fn hash(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "__hash__")?;
    super::hash_ints(vm, &[d.days, d.seconds, d.micros])
}

fn bool_(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "__bool__")?;
    Ok(Value::Bool(d != Delta::ZERO))
}

fn neg(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "__neg__")?;
    delta_value(vm, dt, -d.total_micros())
}

fn pos(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "__pos__")?;
    Ok(new_delta(vm, dt, d))
}

fn abs(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "__abs__")?;
    delta_value(vm, dt, d.total_micros().abs())
}

fn copy(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, _) = this(vm, args, "__copy__")?;
    Ok(this)
}

fn reduce(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d) = this(vm, args, "__reduce__")?;
    let class = vm.class_of(&this);
    Ok(Value::tuple(vec![
        Value::Class(class),
        Value::tuple(vec![
            Value::Int(d.days),
            Value::Int(d.seconds),
            Value::Int(d.micros),
        ]),
    ]))
}

fn binary_args(vm: &mut Vm, args: &mut Args, method: &str) -> PyResult<(Value, Delta, Value)> {
    let (this, d) = this(vm, args, method)?;
    let other = super::one_arg(vm, args, method)?;
    Ok((this, d, other))
}

fn add(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    add_either(vm, dt, args, false)
}

fn radd(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    add_either(vm, dt, args, true)
}

fn add_either(vm: &mut Vm, dt: &Dt, args: &mut Args, reflected: bool) -> PyResult<Value> {
    let (this, d, other) = binary_args(vm, args, "__add__")?;
    if let Some(o) = delta_of(&other) {
        return delta_value(vm, dt, d.total_micros() + o.total_micros());
    }
    // date + timedelta is the date's business (its __radd__).
    if super::date::ymd_of(&other).is_some() {
        return Ok(Value::NotImplemented);
    }
    not_handled(vm, "+", &this, &other, reflected)
}

fn sub(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d, other) = binary_args(vm, args, "__sub__")?;
    if let Some(o) = delta_of(&other) {
        return delta_value(vm, dt, d.total_micros() - o.total_micros());
    }
    not_handled(vm, "-", &this, &other, false)
}

fn rsub(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d, other) = binary_args(vm, args, "__rsub__")?;
    if let Some(o) = delta_of(&other) {
        return delta_value(vm, dt, o.total_micros() - d.total_micros());
    }
    not_handled(vm, "-", &this, &other, true)
}

/// Integer operand of `*`, `/`, `//` (ints and bools, not floats).
fn int_operand(v: &Value) -> Option<BigInt> {
    match v.unwrap_builtin() {
        Value::Int(i) => Some(BigInt::from(i)),
        Value::Bool(b) => Some(BigInt::from(i64::from(b))),
        Value::BigInt(b) => Some((*b).clone()),
        _ => None,
    }
}

fn float_operand(v: &Value) -> Option<f64> {
    match v.unwrap_builtin() {
        Value::Float(f) => Some(f),
        _ => None,
    }
}

/// `n / d` rounded half to even (CPython `_PyLong_DivideAndRound`); d != 0.
fn divide_nearest(n: &BigInt, d: &BigInt) -> BigInt {
    let (n, d) = if d.is_negative() {
        (-n, -d)
    } else {
        (n.clone(), d.clone())
    };
    let (q, r) = n.div_mod_floor(&d);
    let twice = &r * 2;
    if twice > d || (twice == d && q.is_odd()) {
        q + 1
    } else {
        q
    }
}

/// `float.as_integer_ratio()` with CPython's errors for inf and nan.
fn ratio_of(vm: &mut Vm, f: f64) -> PyResult<(BigInt, BigInt)> {
    if f.is_nan() {
        return Err(vm.error(ExcType::ValueError, "cannot convert NaN to integer ratio"));
    }
    if f.is_infinite() {
        return Err(vm.error(
            ExcType::OverflowError,
            "cannot convert Infinity to integer ratio",
        ));
    }
    let r = float_ratio_pub(f);
    Ok((r.num, r.den))
}

fn zero_division(vm: &mut Vm, message: &str) -> Unwind {
    vm.error(ExcType::ZeroDivisionError, message)
}

fn multiply(
    vm: &mut Vm,
    dt: &Dt,
    this: &Value,
    d: Delta,
    other: &Value,
    reflected: bool,
) -> PyResult<Value> {
    let us = BigInt::from(d.total_micros());
    if let Some(n) = int_operand(other) {
        return delta_of_big(vm, dt, &(us * n));
    }
    if let Some(f) = float_operand(other) {
        let (num, den) = ratio_of(vm, f)?;
        return delta_of_big(vm, dt, &divide_nearest(&(us * num), &den));
    }
    not_handled(vm, "*", this, other, reflected)
}

fn mul(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d, other) = binary_args(vm, args, "__mul__")?;
    multiply(vm, dt, &this, d, &other, false)
}

fn rmul(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d, other) = binary_args(vm, args, "__rmul__")?;
    multiply(vm, dt, &this, d, &other, true)
}

fn truediv(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d, other) = binary_args(vm, args, "__truediv__")?;
    let us = BigInt::from(d.total_micros());
    if let Some(o) = delta_of(&other) {
        let den = BigInt::from(o.total_micros());
        if den.is_zero() {
            return Err(zero_division(vm, "division by zero"));
        }
        return Ok(Value::Float(int_true_divide(&us, &den)));
    }
    if let Some(n) = int_operand(&other) {
        if n.is_zero() {
            return Err(zero_division(vm, "integer division or modulo by zero"));
        }
        return delta_of_big(vm, dt, &divide_nearest(&us, &n));
    }
    if let Some(f) = float_operand(&other) {
        let (num, den) = ratio_of(vm, f)?;
        if num.is_zero() {
            return Err(zero_division(vm, "integer division or modulo by zero"));
        }
        return delta_of_big(vm, dt, &divide_nearest(&(us * den), &num));
    }
    not_handled(vm, "/", &this, &other, false)
}

fn floordiv(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d, other) = binary_args(vm, args, "__floordiv__")?;
    let us = BigInt::from(d.total_micros());
    if let Some(o) = delta_of(&other) {
        let den = BigInt::from(o.total_micros());
        if den.is_zero() {
            return Err(zero_division(vm, "integer division or modulo by zero"));
        }
        return Ok(Value::from_bigint(us.div_floor(&den)));
    }
    if let Some(n) = int_operand(&other) {
        if n.is_zero() {
            return Err(zero_division(vm, "integer division or modulo by zero"));
        }
        return delta_of_big(vm, dt, &us.div_floor(&n));
    }
    not_handled(vm, "//", &this, &other, false)
}

fn mod_(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d, other) = binary_args(vm, args, "__mod__")?;
    if let Some(o) = delta_of(&other) {
        let den = o.total_micros();
        if den == 0 {
            return Err(zero_division(vm, "integer modulo by zero"));
        }
        let r = d.total_micros().rem_euclid(den);
        // Python's remainder takes the divisor's sign.
        let r = if den < 0 && r != 0 { r + den } else { r };
        return delta_value(vm, dt, r);
    }
    not_handled(vm, "%", &this, &other, false)
}

fn divmod(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d, other) = binary_args(vm, args, "__divmod__")?;
    if let Some(o) = delta_of(&other) {
        let (us, den) = (
            BigInt::from(d.total_micros()),
            BigInt::from(o.total_micros()),
        );
        if den.is_zero() {
            return Err(zero_division(vm, "integer division or modulo by zero"));
        }
        let (q, r) = us.div_mod_floor(&den);
        let rest = delta_of_big(vm, dt, &r)?;
        return Ok(Value::tuple(vec![Value::from_bigint(q), rest]));
    }
    not_handled(vm, "divmod()", &this, &other, false)
}

fn total_seconds(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "total_seconds")?;
    vm.no_args("total_seconds", args, 0)?;
    Ok(Value::Float(int_true_divide(
        &BigInt::from(d.total_micros()),
        &BigInt::from(US_PER_SECOND),
    )))
}

fn compare_op(vm: &mut Vm, _dt: &Dt, args: &mut Args, op: CmpOp) -> PyResult<Value> {
    let (this, d, other) = binary_args(vm, args, "__eq__")?;
    match delta_of(&other) {
        Some(o) => Ok(Value::Bool(crate::vm::ops::ordering_satisfies(
            op,
            d.total_micros().cmp(&o.total_micros()),
        ))),
        None => compare_other(vm, op, &this, &other),
    }
}

fn get_days(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("days", args)?;
    Ok(Value::Int(delta_of(&this).map(|d| d.days).unwrap_or(0)))
}

fn get_seconds(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("seconds", args)?;
    Ok(Value::Int(delta_of(&this).map(|d| d.seconds).unwrap_or(0)))
}

fn get_micros(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("microseconds", args)?;
    Ok(Value::Int(delta_of(&this).map(|d| d.micros).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_prints() {
        let d = Delta::from_micros(-1).unwrap_or(Delta::ZERO);
        assert_eq!((d.days, d.seconds, d.micros), (-1, 86_399, 999_999));
        assert_eq!(d.to_text(), "-1 day, 23:59:59.999999");
        let d = Delta::from_micros(90_061_000_001).unwrap_or(Delta::ZERO);
        assert_eq!(d.to_text(), "1 day, 1:01:01.000001");
        assert_eq!(d.repr_args(), "days=1, seconds=3661, microseconds=1");
        assert!(Delta::from_micros(1_000_000_000 * US_PER_DAY).is_err());
    }

    #[test]
    fn float_seconds_round_like_the_constructor() {
        assert_eq!(micros_of_seconds(0.30000000000000004), 300_000);
        assert_eq!(micros_of_seconds(90.25), 90_250_000);
        assert_eq!(micros_of_seconds(0.0000015), 2);
        assert_eq!(micros_of_seconds(0.0000025), 2);
    }

    #[test]
    fn rounds_half_to_even() {
        let n = |i: i64| BigInt::from(i);
        assert_eq!(divide_nearest(&n(5), &n(2)), n(2));
        assert_eq!(divide_nearest(&n(7), &n(2)), n(4));
        assert_eq!(divide_nearest(&n(-5), &n(2)), n(-2));
        assert_eq!(divide_nearest(&n(5), &n(-2)), n(-2));
    }
}
