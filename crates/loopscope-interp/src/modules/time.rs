//! The `time` module on the simulated clock (SEMANTICS.md §2): `time()` is
//! `1756720800.0 + loop.time()`, `monotonic()`/`perf_counter()` are the
//! loop's clock, `sleep()` moves it (through the host), and the calendar
//! functions (`gmtime`, `localtime`, `strftime`, `ctime`, `mktime`) work
//! in UTC with the C locale, as the oracle's `TZ=UTC` CPython does.

use std::rc::Rc;

use num_traits::ToPrimitive;

use super::namedtuple::{new_tuple_instance, tuple_class, tuple_items};
use super::support::{closure, getter};
use crate::builtins::{add_functions, new_module};
use crate::value::{Args, Class, Module, PyResult, Unwind, Value};
use crate::vm::{ExcType, Vm};

/// The wall clock at virtual time 0 (2025-09-01 10:00:00 UTC).
pub const EPOCH: f64 = 1_756_720_800.0;

const FIELDS: [&str; 9] = [
    "tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min", "tm_sec", "tm_wday", "tm_yday", "tm_isdst",
];

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("time");
    add_functions(
        &module,
        &[
            ("time", time),
            ("time_ns", time_ns),
            ("monotonic", monotonic),
            ("monotonic_ns", monotonic_ns),
            ("perf_counter", monotonic),
            ("perf_counter_ns", monotonic_ns),
            ("sleep", sleep),
            ("gmtime", gmtime),
            ("localtime", gmtime),
            ("mktime", mktime),
            ("strftime", strftime),
            ("ctime", ctime),
            ("asctime", asctime),
        ],
    );
    let class = struct_time_class(vm)?;
    let mut dict = module.dict.borrow_mut();
    dict.set("struct_time", Value::Class(class));
    dict.set("timezone", Value::Int(0));
    dict.set("altzone", Value::Int(0));
    dict.set("daylight", Value::Int(0));
    dict.set(
        "tzname",
        Value::tuple(vec![Value::str("UTC"), Value::str("UTC")]),
    );
    drop(dict);
    Ok(module)
}

fn struct_time_class(vm: &mut Vm) -> PyResult<Rc<Class>> {
    let fields: Vec<String> = FIELDS.iter().map(|f| f.to_string()).collect();
    let class = tuple_class(vm, "struct_time", "time", &fields)?;
    let new = closure(
        "__new__",
        Rc::new(|vm: &mut Vm, args: &mut Args| {
            let a = vm.parse_args("struct_time", args, &["cls", "sequence"], 2)?;
            let Some(Value::Class(cls)) = a[0].clone() else {
                return Err(vm.type_error("struct_time.__new__(X): X is not a type object"));
            };
            let items = vm.collect(a[1].as_ref().unwrap_or(&Value::None))?;
            if items.len() < 9 {
                return Err(vm.type_error(format!(
                    "time.struct_time() takes an at least 9-sequence ({}-sequence given)",
                    items.len()
                )));
            }
            if items.len() > 11 {
                return Err(vm.type_error(format!(
                    "time.struct_time() takes an at most 11-sequence ({}-sequence given)",
                    items.len()
                )));
            }
            Ok(new_tuple_instance(
                vm,
                &cls,
                items.into_iter().take(9).collect(),
            ))
        }),
    );
    let repr = super::namedtuple::as_method(closure(
        "__repr__",
        Rc::new(|vm: &mut Vm, args: &mut Args| {
            let this = vm.receiver("__repr__", args)?;
            let items = tuple_items(&this).unwrap_or_default();
            let mut parts = Vec::with_capacity(9);
            for (f, v) in FIELDS.iter().zip(items.iter()) {
                parts.push(format!("{f}={}", vm.repr_of(v)?));
            }
            Ok(Value::string(format!(
                "time.struct_time({})",
                parts.join(", ")
            )))
        }),
    ));
    let zone = getter(vm, "tm_zone", |_vm, _args| Ok(Value::str("UTC")));
    let gmtoff = getter(vm, "tm_gmtoff", |_vm, _args| Ok(Value::Int(0)));
    let mut dict = class.dict.borrow_mut();
    dict.set("__new__", new);
    dict.set("__repr__", repr);
    dict.set("tm_zone", zone);
    dict.set("tm_gmtoff", gmtoff);
    dict.set("n_fields", Value::Int(11));
    dict.set("n_sequence_fields", Value::Int(9));
    drop(dict);
    Ok(class)
}

fn now(vm: &Vm) -> f64 {
    vm.host.now()
}

fn no_args(vm: &mut Vm, name: &str, args: &Args) -> PyResult<()> {
    if !args.positional.is_empty() || !args.keywords.is_empty() {
        let n = args.positional.len() + args.keywords.len();
        return Err(vm.type_error(format!("{name}() takes no arguments ({n} given)")));
    }
    Ok(())
}

fn time(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    no_args(vm, "time", args)?;
    Ok(Value::Float(EPOCH + now(vm)))
}

/// `int(seconds * 1e9)`, as the oracle computes the `_ns` clocks.
fn nanoseconds(seconds: f64) -> Value {
    let ns = seconds * 1e9;
    match crate::numbers::float_to_bigint(ns) {
        Some(n) => Value::from_bigint(n),
        None => Value::Int(0),
    }
}

fn time_ns(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    no_args(vm, "time_ns", args)?;
    Ok(nanoseconds(EPOCH + now(vm)))
}

fn monotonic(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    no_args(vm, "monotonic", args)?;
    Ok(Value::Float(now(vm)))
}

fn monotonic_ns(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    no_args(vm, "monotonic_ns", args)?;
    Ok(nanoseconds(now(vm)))
}

/// `time.sleep(secs)`: the clock moves `max(0.0, secs)` forward (the
/// oracle's rule; a NaN sleeps 0).
fn sleep(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    if args.positional.len() != 1 || !args.keywords.is_empty() {
        if args.positional.is_empty() && args.keywords.is_empty() {
            return Err(vm.type_error("sleep() takes exactly one argument (0 given)"));
        }
        let n = args.positional.len() + args.keywords.len();
        return Err(vm.type_error(format!("sleep() takes exactly one argument ({n} given)")));
    }
    let secs = args.positional[0].clone();
    let seconds = match &secs {
        Value::Float(f) => *f,
        Value::Int(i) => *i as f64,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::BigInt(b) => b.to_f64().unwrap_or(f64::INFINITY),
        other => match other.unwrap_builtin() {
            Value::Float(f) => f,
            Value::Int(i) => i as f64,
            _ => {
                let t = vm.type_name(other);
                return Err(vm.type_error(format!(
                    "'>' not supported between instances of '{t}' and 'float'"
                )));
            }
        },
    };
    let seconds = if seconds > 0.0 { seconds } else { 0.0 };
    if let Some(handler) = vm.sleep_handler {
        handler(vm, seconds)?;
        return Ok(Value::None);
    }
    match vm.host.sleep(seconds) {
        Ok(()) => Ok(Value::None),
        Err(halt) => Err(Unwind::Halt(halt)),
    }
}

// ----------------------------------------------------------------- calendar

/// A broken-down UTC time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tm {
    pub year: i64,
    /// 1..=12
    pub mon: i64,
    pub mday: i64,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    /// Monday = 0 (Python's convention).
    pub wday: i64,
    /// 1..=366
    pub yday: i64,
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// `gmtime(seconds)`.
pub fn tm_from_seconds(seconds: i64) -> Tm {
    let days = seconds.div_euclid(86_400);
    let rem = seconds.rem_euclid(86_400);
    let (year, mon, mday) = civil_from_days(days);
    Tm {
        year,
        mon,
        mday,
        hour: rem / 3600,
        min: rem % 3600 / 60,
        sec: rem % 60,
        wday: (days + 3).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1) + 1,
    }
}

fn tm_value(vm: &mut Vm, tm: &Tm) -> PyResult<Value> {
    struct_time(vm, tm, 0)
}

/// A `time.struct_time` of a broken-down time (`datetime.timetuple()`
/// gives `tm_isdst=-1` for naive values).
pub fn struct_time(vm: &mut Vm, tm: &Tm, isdst: i64) -> PyResult<Value> {
    let class = match vm.modules.get("time").cloned() {
        Some(Value::Module(m)) => m.dict.borrow().get("struct_time").cloned(),
        _ => None,
    };
    let Some(Value::Class(class)) = class else {
        return Err(vm.type_error("time.struct_time is missing"));
    };
    let items = [
        tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec, tm.wday, tm.yday, isdst,
    ]
    .into_iter()
    .map(Value::Int)
    .collect();
    Ok(new_tuple_instance(vm, &class, items))
}

/// The seconds argument of `gmtime`/`ctime` (None: now), floored.
fn seconds_arg(vm: &mut Vm, v: Option<&Value>) -> PyResult<i64> {
    let range_error = |vm: &mut Vm| {
        vm.error(
            ExcType::OverflowError,
            "timestamp out of range for platform time_t",
        )
    };
    let seconds = match v {
        None | Some(Value::None) => (EPOCH + now(vm)).floor() as i64,
        Some(Value::Float(f)) => {
            if f.is_nan() {
                return Err(vm.error(ExcType::ValueError, "Invalid value NaN (not a number)"));
            }
            let floored = f.floor();
            if floored.abs() >= 9.2e18 {
                return Err(range_error(vm));
            }
            floored as i64
        }
        Some(other) => {
            let n = super::support::index_big(vm, other)?;
            match n.to_i64() {
                Some(i) => i,
                None => return Err(range_error(vm)),
            }
        }
    };
    // glibc's gmtime fails when the year does not fit a C int.
    let year = tm_from_seconds(seconds).year;
    if i32::try_from(year - 1900).is_err() {
        return Err(vm.error(
            ExcType::OSError,
            "[Errno 75] Value too large for defined data type",
        ));
    }
    Ok(seconds)
}

fn gmtime(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("gmtime", args, &["seconds"], 0)?;
    let seconds = seconds_arg(vm, a[0].as_ref())?;
    tm_value(vm, &tm_from_seconds(seconds))
}

/// A time tuple argument (struct_time or 9-tuple); None means now.
fn tm_arg(vm: &mut Vm, v: Option<&Value>) -> PyResult<Tm> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        let seconds = seconds_arg(vm, None)?;
        return Ok(tm_from_seconds(seconds));
    };
    let Some(items) = tuple_items(v) else {
        return Err(vm.type_error("Tuple or struct_time argument required"));
    };
    if items.len() != 9 {
        return Err(vm.type_error(format!(
            "function takes exactly 9 arguments ({} given)",
            items.len()
        )));
    }
    let mut n = [0i64; 9];
    for (slot, item) in n.iter_mut().zip(items.iter()) {
        let v = vm.expect_int(item)?;
        if i32::try_from(v).is_err() {
            return Err(vm.error(
                ExcType::OverflowError,
                "Python int too large to convert to C int",
            ));
        }
        *slot = v;
    }
    Ok(Tm {
        year: n[0],
        mon: n[1],
        mday: n[2],
        hour: n[3],
        min: n[4],
        sec: n[5],
        wday: n[6],
        yday: n[7],
    })
}

fn mktime(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("mktime", args, &["t"], 1)?;
    if a[0]
        .as_ref()
        .map(|v| tuple_items(v).is_none())
        .unwrap_or(true)
    {
        return Err(vm.type_error("Tuple or struct_time argument required"));
    }
    let tm = tm_arg(vm, a[0].as_ref())?;
    // mktime normalises out-of-range months and days.
    let months = tm.year * 12 + (tm.mon - 1);
    let (year, mon) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    let days = days_from_civil(year, mon, 1) + tm.mday - 1;
    let seconds = days * 86_400 + tm.hour * 3600 + tm.min * 60 + tm.sec;
    Ok(Value::Float(seconds as f64))
}

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn day_name(tm: &Tm) -> &'static str {
    DAYS[tm.wday.rem_euclid(7) as usize]
}

fn month_name(tm: &Tm) -> &'static str {
    MONTHS[(tm.mon - 1).rem_euclid(12) as usize]
}

/// ISO 8601 week-based year and week number.
fn iso_week(tm: &Tm) -> (i64, i64) {
    let wday = tm.wday.rem_euclid(7); // Monday = 0
    let yday = tm.yday - 1; // 0-based
                            // The Thursday of this week decides the year.
    let thursday = yday - wday + 3;
    if thursday < 0 {
        let prev = tm.year - 1;
        let prev_len = if is_leap(prev) { 366 } else { 365 };
        let week = (thursday + prev_len) / 7 + 1;
        return (prev, week);
    }
    let len = if is_leap(tm.year) { 366 } else { 365 };
    if thursday >= len {
        return (tm.year + 1, 1);
    }
    (tm.year, thursday / 7 + 1)
}

/// `strftime` with glibc's C-locale directives, in UTC.
pub fn format_tm(fmt: &str, tm: &Tm, timestamp: i64) -> String {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // glibc flags: '-' no padding, '_' space padding, '0' zeros.
        let mut pad: Option<char> = None;
        while let Some(&flag) = chars.peek() {
            if flag == '-' || flag == '_' || flag == '0' {
                pad = Some(flag);
                chars.next();
            } else {
                break;
            }
        }
        let Some(d) = chars.next() else {
            out.push('%');
            break;
        };
        let num = |n: i64, width: usize, default: char| -> String {
            match pad.unwrap_or(default) {
                '-' => n.to_string(),
                '_' | ' ' => format!("{n:>width$}"),
                _ => format!("{n:0width$}"),
            }
        };
        let hour12 = if tm.hour % 12 == 0 { 12 } else { tm.hour % 12 };
        let sunday_wday = (tm.wday + 1).rem_euclid(7);
        match d {
            'a' => out.push_str(&day_name(tm)[..3]),
            'A' => out.push_str(day_name(tm)),
            'b' | 'h' => out.push_str(&month_name(tm)[..3]),
            'B' => out.push_str(month_name(tm)),
            'c' => out.push_str(&format_tm("%a %b %e %H:%M:%S %Y", tm, timestamp)),
            'C' => out.push_str(&num(tm.year.div_euclid(100), 2, '0')),
            'd' => out.push_str(&num(tm.mday, 2, '0')),
            'D' => out.push_str(&format_tm("%m/%d/%y", tm, timestamp)),
            'e' => out.push_str(&num(tm.mday, 2, '_')),
            'F' => out.push_str(&format_tm("%Y-%m-%d", tm, timestamp)),
            'G' => out.push_str(&iso_week(tm).0.to_string()),
            'g' => out.push_str(&num(iso_week(tm).0.rem_euclid(100), 2, '0')),
            'H' => out.push_str(&num(tm.hour, 2, '0')),
            'I' => out.push_str(&num(hour12, 2, '0')),
            'j' => out.push_str(&num(tm.yday, 3, '0')),
            'k' => out.push_str(&num(tm.hour, 2, '_')),
            'l' => out.push_str(&num(hour12, 2, '_')),
            'm' => out.push_str(&num(tm.mon, 2, '0')),
            'M' => out.push_str(&num(tm.min, 2, '0')),
            'n' => out.push('\n'),
            'p' => out.push_str(if tm.hour < 12 { "AM" } else { "PM" }),
            'P' => out.push_str(if tm.hour < 12 { "am" } else { "pm" }),
            'r' => out.push_str(&format_tm("%I:%M:%S %p", tm, timestamp)),
            'R' => out.push_str(&format_tm("%H:%M", tm, timestamp)),
            's' => out.push_str(&timestamp.to_string()),
            'S' => out.push_str(&num(tm.sec, 2, '0')),
            't' => out.push('\t'),
            'T' | 'X' => out.push_str(&format_tm("%H:%M:%S", tm, timestamp)),
            'u' => out.push_str(&(tm.wday.rem_euclid(7) + 1).to_string()),
            'U' => out.push_str(&num((tm.yday - 1 + 7 - sunday_wday) / 7, 2, '0')),
            'V' => out.push_str(&num(iso_week(tm).1, 2, '0')),
            'w' => out.push_str(&sunday_wday.to_string()),
            'W' => out.push_str(&num((tm.yday - 1 + 7 - tm.wday.rem_euclid(7)) / 7, 2, '0')),
            'x' => out.push_str(&format_tm("%m/%d/%y", tm, timestamp)),
            'y' => out.push_str(&num(tm.year.rem_euclid(100), 2, '0')),
            'Y' => out.push_str(&tm.year.to_string()),
            'z' => out.push_str("+0000"),
            'Z' => out.push_str("UTC"),
            '%' => out.push('%'),
            other => {
                out.push('%');
                out.push(other);
            }
        }
    }
    out
}

fn timestamp_of(tm: &Tm) -> i64 {
    days_from_civil(tm.year, tm.mon, tm.mday) * 86_400 + tm.hour * 3600 + tm.min * 60 + tm.sec
}

fn strftime(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("strftime", args, &["format", "t"], 1)?;
    let fmt = match &a[0] {
        Some(Value::Str(s)) => s.clone(),
        Some(other) => {
            let t = vm.type_name(other);
            return Err(vm.type_error(format!("strftime() argument 1 must be str, not {t}")));
        }
        None => return Err(vm.type_error("strftime() missing required argument 'format' (pos 1)")),
    };
    let tm = tm_arg(vm, a[1].as_ref())?;
    let ts = timestamp_of(&tm);
    Ok(Value::string(format_tm(fmt.as_str(), &tm, ts)))
}

fn ctime(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("ctime", args, &["seconds"], 0)?;
    let seconds = seconds_arg(vm, a[0].as_ref())?;
    let tm = tm_from_seconds(seconds);
    Ok(Value::string(format_tm(
        "%a %b %e %H:%M:%S %Y",
        &tm,
        seconds,
    )))
}

fn asctime(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("asctime", args, &["t"], 0)?;
    let tm = tm_arg(vm, a[0].as_ref())?;
    let ts = timestamp_of(&tm);
    Ok(Value::string(format_tm("%a %b %e %H:%M:%S %Y", &tm, ts)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_monday_first_of_september() {
        let tm = tm_from_seconds(EPOCH as i64);
        assert_eq!((tm.year, tm.mon, tm.mday, tm.hour), (2025, 9, 1, 10));
        assert_eq!((tm.wday, tm.yday), (0, 244));
        assert_eq!(
            format_tm("%a %b %e %H:%M:%S %Y|%j %U %W %V %G", &tm, 0),
            "Mon Sep  1 10:00:00 2025|244 35 35 36 2025"
        );
    }

    #[test]
    fn negative_times_and_round_trips() {
        let tm = tm_from_seconds(-2);
        assert_eq!(
            (tm.year, tm.mon, tm.mday, tm.sec, tm.wday, tm.yday),
            (1969, 12, 31, 58, 2, 365)
        );
        for days in [-800_000i64, -1, 0, 59, 10_957, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn iso_weeks_match_glibc() {
        // time.strftime("%V %G", time.gmtime(86400 * 400)) == "05 1971"
        let tm = tm_from_seconds(86_400 * 400);
        assert_eq!(format_tm("%j %U %W %V %G", &tm, 0), "036 05 05 05 1971");
        // 2009-12-06 (a Sunday): week 49 (%U), 48 (%W), ISO 49.
        let tm = tm_from_seconds(days_from_civil(2009, 12, 6) * 86_400);
        assert_eq!(format_tm("%U %W %V %G %u %w", &tm, 0), "49 48 49 2009 7 0");
    }
}
