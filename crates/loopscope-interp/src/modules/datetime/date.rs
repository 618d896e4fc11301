//! `datetime.date`: construction with CPython's range checks, the
//! alternate constructors (`today` on the virtual clock, `fromtimestamp`,
//! `fromordinal`, `fromisoformat`, `fromisocalendar`), formatting,
//! calendar queries and date ± timedelta arithmetic (whole days only, as
//! CPython's `add_date_timedelta`).

use std::rc::Rc;

use super::calendar::{self, MAX_ORDINAL};
use super::delta::{delta_of, new_delta, Delta};
use super::{
    c_int, c_int_or, compare_other, install_classmethods, install_comparisons, install_getters,
    install_limits, install_methods, install_new, not_handled, tm_of, CSig, Dt,
};
use crate::builtins::{native_object, with_native};
use crate::bytecode::CmpOp;
use crate::value::{Args, Class, PyResult, Value};
use crate::vm::{ExcType, Vm};

/// A date's fields (the state of `date` objects).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ymd {
    pub year: i64,
    pub month: i64,
    pub day: i64,
}

impl Ymd {
    /// `date.min` and `date.max`.
    pub const FIRST: Ymd = Ymd {
        year: 1,
        month: 1,
        day: 1,
    };
    pub const LAST: Ymd = Ymd {
        year: 9999,
        month: 12,
        day: 31,
    };

    pub fn ordinal(&self) -> i64 {
        calendar::ymd_to_ord(self.year, self.month, self.day)
    }

    pub fn from_ordinal(ordinal: i64) -> Ymd {
        let (year, month, day) = calendar::ord_to_ymd(ordinal);
        Ymd { year, month, day }
    }

    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    pub fn weekday(&self) -> i64 {
        calendar::weekday(self.year, self.month, self.day)
    }

    /// `ctime()` of this date at a time of day.
    pub fn ctime(&self, hour: i64, minute: i64, second: i64) -> String {
        let day = calendar::DAY_NAMES[self.weekday() as usize % 7];
        let month = calendar::MONTH_NAMES[(self.month - 1).clamp(0, 11) as usize];
        format!(
            "{} {} {:2} {hour:02}:{minute:02}:{second:02} {:04}",
            &day[..3],
            &month[..3],
            self.day,
            self.year
        )
    }
}

/// The date part of a date or datetime value.
pub fn ymd_of(v: &Value) -> Option<Ymd> {
    if let Some(d) = with_native::<Ymd, _>(v, |d| *d) {
        return Some(d);
    }
    super::moment::moment_of(v).map(|m| m.date)
}

/// Is this a date that is not a datetime?
pub fn is_plain_date(v: &Value) -> bool {
    with_native::<Ymd, _>(v, |_| ()).is_some()
}

/// Checks the fields and makes a date of class `cls` (calling a Python
/// subclass with the fields, as CPython's `new_date_subclass_ex` does).
pub fn new_date(vm: &mut Vm, dt: &Dt, cls: &Rc<Class>, d: Ymd) -> PyResult<Value> {
    if let Err(message) = calendar::check_date(d.year, d.month, d.day) {
        return Err(vm.error(ExcType::ValueError, message));
    }
    if Rc::ptr_eq(cls, &dt.date) {
        return Ok(native_object(vm, cls, d));
    }
    if Rc::ptr_eq(cls, &dt.datetime) {
        let m = super::moment::Moment {
            date: d,
            time: super::clock::Clock::midnight(),
        };
        return Ok(native_object(vm, cls, m));
    }
    vm.call(
        &Value::Class(cls.clone()),
        vec![Value::Int(d.year), Value::Int(d.month), Value::Int(d.day)],
    )
}

/// The date `days` after `d`, or CPython's OverflowError.
fn shift(vm: &mut Vm, d: Ymd, days: i64) -> PyResult<Ymd> {
    let ordinal = d.ordinal() + days;
    if !(1..=MAX_ORDINAL).contains(&ordinal) {
        return Err(vm.error(ExcType::OverflowError, "date value out of range"));
    }
    Ok(Ymd::from_ordinal(ordinal))
}

pub fn install(vm: &mut Vm, dt: &Dt) -> PyResult<()> {
    let class = dt.date.clone();
    install_new(vm, dt, &class, date_new);
    install_methods(
        vm,
        dt,
        &class,
        "date",
        &[
            ("__repr__", repr),
            ("__str__", isoformat),
            ("isoformat", isoformat),
            ("__format__", format),
            ("strftime", strftime),
            ("ctime", ctime),
            ("timetuple", timetuple),
            ("toordinal", toordinal),
            ("weekday", weekday),
            ("isoweekday", isoweekday),
            ("isocalendar", isocalendar),
            ("replace", replace),
            ("__hash__", hash),
            ("__add__", add),
            ("__radd__", radd),
            ("__sub__", sub),
            ("__rsub__", rsub),
            ("__copy__", copy),
            ("__deepcopy__", copy),
            ("__reduce__", reduce),
        ],
    );
    install_comparisons(&class, "date", {
        let dt = dt.clone();
        move |vm: &mut Vm, args: &mut Args, op| compare(vm, &dt, args, op)
    });
    install_classmethods(
        vm,
        dt,
        &class,
        &[
            ("today", today),
            ("fromtimestamp", fromtimestamp),
            ("fromordinal", fromordinal),
            ("fromisoformat", fromisoformat),
            ("fromisocalendar", fromisocalendar),
        ],
    );
    install_getters(
        vm,
        &class,
        &[("year", get_year), ("month", get_month), ("day", get_day)],
    );
    let (min, max) = (
        native_object(vm, &class, Ymd::FIRST),
        native_object(vm, &class, Ymd::LAST),
    );
    install_limits(vm, dt, &class, min, max, Some(Delta::DAY));
    Ok(())
}

fn first_class(vm: &mut Vm, args: &mut Args, what: &str) -> PyResult<Rc<Class>> {
    match args.positional.first() {
        Some(Value::Class(c)) => {
            let c = c.clone();
            args.positional.remove(0);
            Ok(c)
        }
        _ => Err(vm.type_error(format!("{what}.__new__(X): X is not a type object"))),
    }
}

fn date_new(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = first_class(vm, args, "date")?;
    let sig = CSig {
        fname: None,
        names: &["year", "month", "day"],
        required: 3,
        positional: 3,
    };
    let a = sig.bind(vm, args)?;
    let mut n = [0i64; 3];
    for (slot, v) in n.iter_mut().zip(a.iter()) {
        *slot = c_int_or(vm, v, 0)?;
    }
    let d = Ymd {
        year: n[0],
        month: n[1],
        day: n[2],
    };
    if let Err(message) = calendar::check_date(d.year, d.month, d.day) {
        return Err(vm.error(ExcType::ValueError, message));
    }
    Ok(native_object(vm, &cls, d))
}

/// The receiver's date (a date or datetime).
fn this(vm: &mut Vm, args: &mut Args, method: &str) -> PyResult<(Value, Ymd)> {
    let this = vm.receiver(method, args)?;
    match ymd_of(&this) {
        Some(d) => Ok((this, d)),
        None => {
            let t = super::tp_name(vm, &this);
            Err(vm.type_error(format!(
                "descriptor '{method}' for 'datetime.date' objects doesn't apply to a '{t}' object"
            )))
        }
    }
}

fn repr(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d) = this(vm, args, "__repr__")?;
    let prefix = super::type_prefix(&vm.class_of(&this), "date");
    Ok(Value::string(format!(
        "{prefix}({}, {}, {})",
        d.year, d.month, d.day
    )))
}

fn isoformat(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "isoformat")?;
    vm.no_args("isoformat", args, 0)?;
    Ok(Value::string(d.iso()))
}

fn format(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (receiver, _) = this(vm, args, "__format__")?;
    let fmt = super::format_arg(vm, args, "__format__")?;
    if fmt.is_empty() {
        return vm.str_of(&receiver).map(Value::string);
    }
    let method = vm.get_attr(&receiver, &vm.intern("strftime"))?;
    vm.call(&method, vec![Value::string(fmt)])
}

fn strftime(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d) = this(vm, args, "strftime")?;
    let fmt = super::format_arg(vm, args, "strftime")?;
    let tm = tm_of(d, 0, 0, 0);
    let text = super::strftime(vm, dt, &this, &fmt, &tm, 0, &Value::None)?;
    Ok(Value::string(text))
}

fn ctime(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "ctime")?;
    Ok(Value::string(d.ctime(0, 0, 0)))
}

fn timetuple(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "timetuple")?;
    crate::modules::time::struct_time(vm, &tm_of(d, 0, 0, 0), -1)
}

fn toordinal(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "toordinal")?;
    Ok(Value::Int(d.ordinal()))
}

fn weekday(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "weekday")?;
    Ok(Value::Int(d.weekday()))
}

fn isoweekday(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "isoweekday")?;
    Ok(Value::Int(d.weekday() + 1))
}

fn isocalendar(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "isocalendar")?;
    let (year, week, day) = calendar::iso_calendar(d.year, d.month, d.day);
    Ok(crate::modules::namedtuple::new_tuple_instance(
        vm,
        &dt.iso_calendar,
        vec![Value::Int(year), Value::Int(week), Value::Int(day)],
    ))
}

fn replace(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d) = this(vm, args, "replace")?;
    let sig = CSig {
        fname: Some("replace"),
        names: &["year", "month", "day"],
        required: 0,
        positional: 3,
    };
    let a = sig.bind(vm, args)?;
    let new = Ymd {
        year: c_int_or(vm, &a[0], d.year)?,
        month: c_int_or(vm, &a[1], d.month)?,
        day: c_int_or(vm, &a[2], d.day)?,
    };
    let cls = vm.class_of(&this);
    new_date(vm, dt, &cls, new)
}

fn hash(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, d) = this(vm, args, "__hash__")?;
    super::hash_ints(vm, &[d.year, d.month, d.day])
}

fn copy(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    vm.receiver("__copy__", args)
}

fn reduce(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d) = this(vm, args, "__reduce__")?;
    let class = vm.class_of(&this);
    Ok(Value::tuple(vec![
        Value::Class(class),
        Value::tuple(vec![
            Value::Int(d.year),
            Value::Int(d.month),
            Value::Int(d.day),
        ]),
    ]))
}

/// `date + timedelta` and `timedelta + date` (CPython `date_add`): only
/// the days of the timedelta count.
fn add(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    add_either(vm, dt, args, false)
}

fn radd(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    add_either(vm, dt, args, true)
}

fn add_either(vm: &mut Vm, dt: &Dt, args: &mut Args, reflected: bool) -> PyResult<Value> {
    let (this, d) = this(vm, args, "__add__")?;
    let other = super::one_arg(vm, args, "__add__")?;
    if let Some(delta) = delta_of(&other) {
        let new = shift(vm, d, delta.days)?;
        let cls = vm.class_of(&this);
        return new_date(vm, dt, &cls, new);
    }
    not_handled(vm, "+", &this, &other, reflected)
}

fn sub(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, d) = this(vm, args, "__sub__")?;
    let other = super::one_arg(vm, args, "__sub__")?;
    if let Some(delta) = delta_of(&other) {
        let new = shift(vm, d, -delta.days)?;
        let cls = vm.class_of(&this);
        return new_date(vm, dt, &cls, new);
    }
    if is_plain_date(&other) {
        if let Some(o) = ymd_of(&other) {
            return Ok(new_delta(
                vm,
                dt,
                Delta::from_micros_unchecked(
                    i128::from(d.ordinal() - o.ordinal()) * 86_400_000_000,
                ),
            ));
        }
    }
    if super::moment::moment_of(&other).is_some() {
        return Err(super::unsupported(vm, "-", &this, &other));
    }
    not_handled(vm, "-", &this, &other, false)
}

fn rsub(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, _) = this(vm, args, "__rsub__")?;
    let other = super::one_arg(vm, args, "__rsub__")?;
    not_handled(vm, "-", &this, &other, true)
}

fn compare(vm: &mut Vm, _dt: &Dt, args: &mut Args, op: CmpOp) -> PyResult<Value> {
    let (this, d) = this(vm, args, "__eq__")?;
    let other = super::one_arg(vm, args, "__eq__")?;
    if is_plain_date(&other) {
        if let Some(o) = ymd_of(&other) {
            return Ok(Value::Bool(crate::vm::ops::ordering_satisfies(
                op,
                d.cmp(&o),
            )));
        }
    }
    compare_other(vm, op, &this, &other)
}

// ----------------------------------------------------------------- class methods

fn class_arg(vm: &mut Vm, args: &mut Args, method: &str) -> PyResult<Rc<Class>> {
    match args.positional.first() {
        Some(Value::Class(c)) => {
            let c = c.clone();
            args.positional.remove(0);
            Ok(c)
        }
        _ => Err(vm.type_error(format!("descriptor '{method}' needs a type"))),
    }
}

/// The virtual wall clock as microseconds since 0001-01-01 00:00, the
/// scale of [`super::Moment::micros`] (the
/// oracle's `EPOCH + timedelta(seconds=loop.time())`).
pub fn now_micros(vm: &Vm) -> i128 {
    let epoch = Ymd {
        year: 2025,
        month: 9,
        day: 1,
    };
    let base = i128::from(epoch.ordinal() - 1) * 86_400_000_000 + 10 * 3_600_000_000;
    base + super::delta::micros_of_seconds(vm.host.now())
}

fn today(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "today")?;
    vm.no_args("today", args, 0)?;
    let days = now_micros(vm).div_euclid(86_400_000_000) as i64;
    new_date(vm, dt, &cls, Ymd::from_ordinal(days + 1))
}

/// A POSIX timestamp argument as whole seconds and microseconds, rounded
/// as CPython's `_PyTime_ObjectToTimeval` with `round`.
pub fn timestamp_parts(vm: &mut Vm, v: &Value, half_even: bool) -> PyResult<(i64, i64)> {
    let out_of_range = |vm: &mut Vm| {
        vm.error(
            ExcType::OverflowError,
            "timestamp out of range for platform time_t",
        )
    };
    match v.unwrap_builtin() {
        Value::Float(f) => {
            if f.is_nan() {
                return Err(vm.error(ExcType::ValueError, "Invalid value NaN (not a number)"));
            }
            let int_part = f.trunc();
            let mut frac = (f - int_part) * 1e6;
            frac = if half_even {
                crate::numbers::round_half_even(frac)
            } else {
                frac.floor()
            };
            let mut secs = int_part;
            if frac >= 1e6 {
                frac -= 1e6;
                secs += 1.0;
            } else if frac < 0.0 {
                frac += 1e6;
                secs -= 1.0;
            }
            if !(-9.2e18..9.2e18).contains(&secs) {
                return Err(out_of_range(vm));
            }
            Ok((secs as i64, frac as i64))
        }
        Value::Int(i) => Ok((i, 0)),
        Value::Bool(b) => Ok((i64::from(b), 0)),
        Value::BigInt(_) => Err(out_of_range(vm)),
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(format!("'{t}' object cannot be interpreted as an integer")))
        }
    }
}

/// The UTC date and time of a timestamp in whole seconds, or CPython's
/// errors for years outside 1..=9999.
pub fn civil_of_seconds(vm: &mut Vm, seconds: i64) -> PyResult<(Ymd, i64)> {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let ordinal = days + 719_163;
    if !(1..=MAX_ORDINAL).contains(&ordinal) {
        let year = if ordinal < 1 {
            calendar::ord_to_ymd(ordinal.max(-400_000_000)).0
        } else {
            calendar::ord_to_ymd(ordinal.min(4_000_000_000)).0
        };
        if i32::try_from(year - 1900).is_err() {
            return Err(vm.error(
                ExcType::OverflowError,
                "timestamp out of range for platform time_t",
            ));
        }
        return Err(vm.error(ExcType::ValueError, format!("year {year} is out of range")));
    }
    Ok((Ymd::from_ordinal(ordinal), rest))
}

fn fromtimestamp(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "fromtimestamp")?;
    let t = super::one_arg(vm, args, "fromtimestamp")?;
    // CPython date_fromtimestamp rounds toward minus infinity.
    let (seconds, _) = timestamp_parts(vm, &t, false)?;
    let (d, _) = civil_of_seconds(vm, seconds)?;
    new_date(vm, dt, &cls, d)
}

fn fromordinal(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "fromordinal")?;
    let v = super::one_arg(vm, args, "fromordinal")?;
    let ordinal = c_int(vm, &v)?;
    if ordinal < 1 {
        return Err(vm.error(ExcType::ValueError, "ordinal must be >= 1"));
    }
    new_date(vm, dt, &cls, Ymd::from_ordinal(ordinal))
}

/// CPython `parse_digits`: exactly `n` ASCII digits.
pub fn digits(bytes: &[u8], at: usize, n: usize) -> Option<i64> {
    let slice = bytes.get(at..at + n)?;
    let mut value = 0i64;
    for b in slice {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(value)
}

/// CPython `parse_isoformat_date`: `YYYY-MM-DD`, `YYYYMMDD`, `YYYY-Www`,
/// `YYYY-Www-D`, `YYYYWww`, `YYYYWwwD`.
pub fn parse_iso_date(text: &str) -> Option<Ymd> {
    let bytes = text.as_bytes();
    let year = digits(bytes, 0, 4)?;
    let mut p = 4;
    let dash = bytes.get(p) == Some(&b'-');
    if dash {
        p += 1;
    }
    if bytes.get(p) == Some(&b'W') {
        p += 1;
        let week = digits(bytes, p, 2)?;
        p += 2;
        let mut day = 1;
        if p < bytes.len() {
            if dash {
                if bytes.get(p) != Some(&b'-') {
                    return None;
                }
                p += 1;
            }
            day = digits(bytes, p, 1)?;
        }
        let (year, month, day) = calendar::iso_week_date(year, week, day).ok()?;
        return Some(Ymd { year, month, day });
    }
    let month = digits(bytes, p, 2)?;
    p += 2;
    if dash {
        if bytes.get(p) != Some(&b'-') {
            return None;
        }
        p += 1;
    }
    let day = digits(bytes, p, 2)?;
    Some(Ymd { year, month, day })
}

fn iso_arg(vm: &mut Vm, args: &mut Args) -> PyResult<String> {
    let v = super::one_arg(vm, args, "fromisoformat")?;
    match v.unwrap_builtin() {
        Value::Str(s) => Ok(s.as_str().to_string()),
        _ => Err(vm.type_error("fromisoformat: argument must be str")),
    }
}

/// `Invalid isoformat string: '...'`.
pub fn invalid_iso(vm: &mut Vm, text: &str) -> crate::value::Unwind {
    let r = crate::vm::repr::str_repr(text);
    vm.error(
        ExcType::ValueError,
        format!("Invalid isoformat string: {r}"),
    )
}

fn fromisoformat(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "fromisoformat")?;
    let text = iso_arg(vm, args)?;
    let len = text.chars().count();
    let parsed = if matches!(len, 7 | 8 | 10) && text.is_ascii() {
        parse_iso_date(&text)
    } else {
        None
    };
    match parsed {
        Some(d) => new_date(vm, dt, &cls, d),
        None => Err(invalid_iso(vm, &text)),
    }
}

fn fromisocalendar(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "fromisocalendar")?;
    let sig = CSig {
        fname: Some("fromisocalendar"),
        names: &["year", "week", "day"],
        required: 3,
        positional: 3,
    };
    let a = sig.bind(vm, args)?;
    let mut n = [0i64; 3];
    for (slot, v) in n.iter_mut().zip(a.iter()) {
        *slot = c_int_or(vm, v, 0)?;
    }
    match calendar::iso_to_ymd(n[0], n[1], n[2]) {
        Ok((year, month, day)) => new_date(vm, dt, &cls, Ymd { year, month, day }),
        Err(message) => Err(vm.error(ExcType::ValueError, message)),
    }
}

fn get_year(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("year", args)?;
    Ok(Value::Int(ymd_of(&this).map(|d| d.year).unwrap_or(0)))
}

fn get_month(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("month", args)?;
    Ok(Value::Int(ymd_of(&this).map(|d| d.month).unwrap_or(0)))
}

fn get_day(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("day", args)?;
    Ok(Value::Int(ymd_of(&this).map(|d| d.day).unwrap_or(0)))
}
