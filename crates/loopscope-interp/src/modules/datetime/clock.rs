//! `datetime.time`: a time of day with an optional tzinfo and fold, its
//! reprs and `isoformat` timespecs, `strftime` (on 1900-01-01, as CPython
//! formats it), `fromisoformat` (CPython's `parse_isoformat_time`, which
//! `datetime.fromisoformat` shares) and comparisons of aware times.

use std::rc::Rc;

use super::date::{digits, Ymd};
use super::delta::{new_delta, Delta};
use super::{
    c_int_or, call_offset, call_tzname, check_tzinfo, compare_other, format_offset,
    install_classmethods, install_comparisons, install_getters, install_limits, install_methods,
    install_new, tm_of, CSig, Dt,
};
use crate::builtins::{native_object, with_native};
use crate::bytecode::CmpOp;
use crate::value::{Args, Class, PyResult, Value};
use crate::vm::{ExcType, Vm};

/// A time of day (the state of `time` objects, and the time part of a
/// datetime).
#[derive(Clone)]
pub struct Clock {
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub micro: i64,
    pub tz: Value,
    pub fold: i64,
}

impl Clock {
    /// `time.max`: 23:59:59.999999.
    pub fn last() -> Clock {
        Clock {
            hour: 23,
            minute: 59,
            second: 59,
            micro: 999_999,
            tz: Value::None,
            fold: 0,
        }
    }

    pub fn midnight() -> Clock {
        Clock {
            hour: 0,
            minute: 0,
            second: 0,
            micro: 0,
            tz: Value::None,
            fold: 0,
        }
    }

    /// The fields as CPython's `memcmp` of the time data orders them.
    pub fn key(&self) -> (i64, i64, i64, i64) {
        (self.hour, self.minute, self.second, self.micro)
    }

    pub fn seconds_of_day(&self) -> i64 {
        self.hour * 3600 + self.minute * 60 + self.second
    }

    /// `HH:MM:SS[.ffffff]` by timespec, or None for an unknown one.
    pub fn iso(&self, timespec: &str) -> Option<String> {
        let (h, m, s, us) = (self.hour, self.minute, self.second, self.micro);
        let spec = if timespec == "auto" {
            if us != 0 {
                "microseconds"
            } else {
                "seconds"
            }
        } else {
            timespec
        };
        Some(match spec {
            "hours" => format!("{h:02}"),
            "minutes" => format!("{h:02}:{m:02}"),
            "seconds" => format!("{h:02}:{m:02}:{s:02}"),
            "milliseconds" => format!("{h:02}:{m:02}:{s:02}.{:03}", us / 1000),
            "microseconds" => format!("{h:02}:{m:02}:{s:02}.{us:06}"),
            _ => return None,
        })
    }
}

/// The state of a `time` value.
pub fn clock_of(v: &Value) -> Option<Clock> {
    with_native::<Clock, _>(v, |c| c.clone())
}

/// Checks the fields and makes a time of class `cls`.
pub fn new_time(vm: &mut Vm, dt: &Dt, cls: &Rc<Class>, c: Clock) -> PyResult<Value> {
    if let Err(message) = super::calendar::check_time(c.hour, c.minute, c.second, c.micro, c.fold) {
        return Err(vm.error(ExcType::ValueError, message));
    }
    check_tzinfo(vm, dt, &c.tz)?;
    if Rc::ptr_eq(cls, &dt.time) {
        return Ok(native_object(vm, cls, c));
    }
    let mut kwargs = Vec::new();
    if c.fold != 0 {
        kwargs.push((vm.intern("fold"), Value::Int(c.fold)));
    }
    vm.call_with(
        &Value::Class(cls.clone()),
        vec![
            Value::Int(c.hour),
            Value::Int(c.minute),
            Value::Int(c.second),
            Value::Int(c.micro),
            c.tz,
        ],
        kwargs,
    )
}

pub fn install(vm: &mut Vm, dt: &Dt) -> PyResult<()> {
    let class = dt.time.clone();
    install_new(vm, dt, &class, time_new);
    install_methods(
        vm,
        dt,
        &class,
        "time",
        &[
            ("__repr__", repr),
            ("__str__", str_),
            ("isoformat", isoformat),
            ("__format__", format),
            ("strftime", strftime),
            ("utcoffset", utcoffset),
            ("dst", dst),
            ("tzname", tzname),
            ("replace", replace),
            ("__hash__", hash),
            ("__bool__", bool_),
            ("__copy__", copy),
            ("__deepcopy__", copy),
            ("__reduce__", reduce),
        ],
    );
    install_comparisons(&class, "time", {
        let dt = dt.clone();
        move |vm: &mut Vm, args: &mut Args, op| compare(vm, &dt, args, op)
    });
    install_classmethods(vm, dt, &class, &[("fromisoformat", fromisoformat)]);
    install_getters(
        vm,
        &class,
        &[
            ("hour", get_hour),
            ("minute", get_minute),
            ("second", get_second),
            ("microsecond", get_micro),
            ("tzinfo", get_tzinfo),
            ("fold", get_fold),
        ],
    );
    let (min, max) = (
        native_object(vm, &class, Clock::midnight()),
        native_object(vm, &class, Clock::last()),
    );
    install_limits(vm, dt, &class, min, max, Some(Delta::MICROSECOND));
    Ok(())
}

fn time_new(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("time.__new__(X): X is not a type object")),
    };
    args.positional.remove(0);
    let sig = CSig {
        fname: None,
        names: &["hour", "minute", "second", "microsecond", "tzinfo", "fold"],
        required: 0,
        positional: 5,
    };
    let a = sig.bind(vm, args)?;
    let c = Clock {
        hour: c_int_or(vm, &a[0], 0)?,
        minute: c_int_or(vm, &a[1], 0)?,
        second: c_int_or(vm, &a[2], 0)?,
        micro: c_int_or(vm, &a[3], 0)?,
        tz: a[4].clone().unwrap_or(Value::None),
        fold: c_int_or(vm, &a[5], 0)?,
    };
    if let Err(message) = super::calendar::check_time(c.hour, c.minute, c.second, c.micro, c.fold) {
        return Err(vm.error(ExcType::ValueError, message));
    }
    check_tzinfo(vm, dt, &c.tz)?;
    Ok(native_object(vm, &cls, c))
}

fn this(vm: &mut Vm, args: &mut Args, method: &str) -> PyResult<(Value, Clock)> {
    super::receiver_data::<Clock>(vm, args, method, "datetime.time")
}

fn repr(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, c) = this(vm, args, "__repr__")?;
    let prefix = super::type_prefix(&vm.class_of(&this), "time");
    let mut s = if c.micro != 0 {
        format!(
            "{prefix}({}, {}, {}, {}",
            c.hour, c.minute, c.second, c.micro
        )
    } else if c.second != 0 {
        format!("{prefix}({}, {}, {}", c.hour, c.minute, c.second)
    } else {
        format!("{prefix}({}, {}", c.hour, c.minute)
    };
    if !c.tz.is_none() {
        s.push_str(&format!(", tzinfo={}", vm.repr_of(&c.tz)?));
    }
    if c.fold != 0 {
        s.push_str(&format!(", fold={}", c.fold));
    }
    s.push(')');
    Ok(Value::string(s))
}

fn iso_text(vm: &mut Vm, dt: &Dt, c: &Clock, timespec: &str) -> PyResult<String> {
    let Some(mut s) = c.iso(timespec) else {
        return Err(vm.error(ExcType::ValueError, "Unknown timespec value"));
    };
    let offset = call_offset(vm, dt, &c.tz, "utcoffset", Value::None)?;
    s.push_str(&format_offset(offset, ":"));
    Ok(s)
}

fn str_(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, c) = this(vm, args, "__str__")?;
    iso_text(vm, dt, &c, "auto").map(Value::string)
}

/// The `timespec` argument of `isoformat`.
pub fn timespec_arg(vm: &mut Vm, v: &Option<Value>) -> PyResult<String> {
    match v {
        None => Ok("auto".to_string()),
        Some(v) => match v.unwrap_builtin() {
            Value::Str(s) => Ok(s.as_str().to_string()),
            _ => {
                let t = vm.type_name(v);
                Err(vm.type_error(format!("isoformat() argument 1 must be str, not {t}")))
            }
        },
    }
}

fn isoformat(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, c) = this(vm, args, "isoformat")?;
    let sig = CSig {
        fname: Some("isoformat"),
        names: &["timespec"],
        required: 0,
        positional: 1,
    };
    let a = sig.bind(vm, args)?;
    let timespec = timespec_arg(vm, &a[0])?;
    iso_text(vm, dt, &c, &timespec).map(Value::string)
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
    let (this, c) = this(vm, args, "strftime")?;
    let fmt = super::format_arg(vm, args, "strftime")?;
    // CPython formats a time as 1900-01-01 at that time.
    let day = Ymd {
        year: 1900,
        month: 1,
        day: 1,
    };
    let tm = tm_of(day, c.hour, c.minute, c.second);
    let text = super::strftime(vm, dt, &this, &fmt, &tm, c.micro, &c.tz)?;
    Ok(Value::string(text))
}

fn offset_value(vm: &mut Vm, dt: &Dt, offset: Option<Delta>) -> Value {
    match offset {
        Some(d) => new_delta(vm, dt, d),
        None => Value::None,
    }
}

fn utcoffset(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, c) = this(vm, args, "utcoffset")?;
    let offset = call_offset(vm, dt, &c.tz, "utcoffset", Value::None)?;
    Ok(offset_value(vm, dt, offset))
}

fn dst(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, c) = this(vm, args, "dst")?;
    let offset = call_offset(vm, dt, &c.tz, "dst", Value::None)?;
    Ok(offset_value(vm, dt, offset))
}

fn tzname(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, c) = this(vm, args, "tzname")?;
    Ok(match call_tzname(vm, dt, &c.tz, Value::None)? {
        Some(name) => Value::string(name),
        None => Value::None,
    })
}

fn replace(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, c) = this(vm, args, "replace")?;
    let sig = CSig {
        fname: Some("replace"),
        names: &["hour", "minute", "second", "microsecond", "tzinfo", "fold"],
        required: 0,
        positional: 5,
    };
    let a = sig.bind(vm, args)?;
    let new = Clock {
        hour: c_int_or(vm, &a[0], c.hour)?,
        minute: c_int_or(vm, &a[1], c.minute)?,
        second: c_int_or(vm, &a[2], c.second)?,
        micro: c_int_or(vm, &a[3], c.micro)?,
        tz: a[4].clone().unwrap_or(c.tz),
        fold: c_int_or(vm, &a[5], c.fold)?,
    };
    let cls = vm.class_of(&this);
    new_time(vm, dt, &cls, new)
}

fn hash(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, c) = this(vm, args, "__hash__")?;
    let offset = call_offset(vm, dt, &c.tz, "utcoffset", Value::None)?;
    match offset {
        None => super::hash_ints(vm, &[c.hour, c.minute, c.second, c.micro]),
        Some(off) => {
            let seconds = c.seconds_of_day() - off.days * 86_400 - off.seconds;
            super::hash_ints(vm, &[seconds, c.micro - off.micros])
        }
    }
}

fn bool_(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    this(vm, args, "__bool__")?;
    Ok(Value::Bool(true))
}

fn copy(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    vm.receiver("__copy__", args)
}

fn reduce(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, c) = this(vm, args, "__reduce__")?;
    let class = vm.class_of(&this);
    let mut fields = vec![
        Value::Int(c.hour),
        Value::Int(c.minute),
        Value::Int(c.second),
        Value::Int(c.micro),
    ];
    if !c.tz.is_none() {
        fields.push(c.tz);
    }
    Ok(Value::tuple(vec![
        Value::Class(class),
        Value::tuple(fields),
    ]))
}

fn compare(vm: &mut Vm, dt: &Dt, args: &mut Args, op: CmpOp) -> PyResult<Value> {
    let (this, c) = this(vm, args, "__eq__")?;
    let other = super::one_arg(vm, args, "__eq__")?;
    let Some(o) = clock_of(&other) else {
        return compare_other(vm, op, &this, &other);
    };
    let satisfies = |o: std::cmp::Ordering| Value::Bool(crate::vm::ops::ordering_satisfies(op, o));
    if c.tz.is(&o.tz) {
        return Ok(satisfies(c.key().cmp(&o.key())));
    }
    let off1 = call_offset(vm, dt, &c.tz, "utcoffset", Value::None)?;
    let off2 = call_offset(vm, dt, &o.tz, "utcoffset", Value::None)?;
    match (off1, off2) {
        (a, b) if a == b => Ok(satisfies(c.key().cmp(&o.key()))),
        (Some(a), Some(b)) => {
            let s1 = c.seconds_of_day() - a.days * 86_400 - a.seconds;
            let s2 = o.seconds_of_day() - b.days * 86_400 - b.seconds;
            Ok(satisfies((s1, c.micro).cmp(&(s2, o.micro))))
        }
        _ => match op {
            CmpOp::Eq => Ok(Value::Bool(false)),
            CmpOp::Ne => Ok(Value::Bool(true)),
            _ => Err(vm.type_error("can't compare offset-naive and offset-aware times")),
        },
    }
}

// ----------------------------------------------------------------- fromisoformat

/// What CPython's `parse_isoformat_time` found: the fields and, when the
/// string has an offset, the offset in seconds and microseconds.
pub struct IsoTime {
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub micro: i64,
    pub offset: Option<(i64, i64)>,
}

/// CPython `parse_hh_mm_ss_ff` over `bytes[start..end]`: Err for a
/// malformed string, Ok(true) when characters follow the time.
fn parse_hh_mm_ss_ff(bytes: &[u8], start: usize, end: usize) -> Result<([i64; 4], bool), ()> {
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let mut vals = [0i64; 4];
    let mut p = start;
    let mut has_separator = true;
    for (i, slot) in vals.iter_mut().take(3).enumerate() {
        *slot = digits(bytes, p, 2).ok_or(())?;
        p += 2;
        let c = at(p);
        p += 1;
        if i == 0 {
            has_separator = c == b':';
        }
        if p >= end {
            return Ok((vals, c != 0));
        } else if has_separator && c == b':' {
            continue;
        } else if c == b'.' || c == b',' {
            break;
        } else if !has_separator {
            p -= 1;
        } else {
            return Err(());
        }
    }
    let remains = end.saturating_sub(p);
    let to_parse = remains.min(6);
    if to_parse == 0 {
        return Err(());
    }
    let mut micro = digits(bytes, p, to_parse).ok_or(())?;
    p += to_parse;
    const CORRECTION: [i64; 5] = [100_000, 10_000, 1000, 100, 10];
    if to_parse < 6 {
        micro *= CORRECTION[to_parse - 1];
    }
    vals[3] = micro;
    while at(p).is_ascii_digit() {
        p += 1;
    }
    Ok((vals, at(p) != 0))
}

/// CPython `parse_isoformat_time`.
pub fn parse_iso_time(bytes: &[u8], start: usize) -> Option<IsoTime> {
    let end = bytes.len();
    let mut tz_pos = start;
    loop {
        if matches!(bytes.get(tz_pos), Some(b'Z' | b'+' | b'-')) {
            break;
        }
        tz_pos += 1;
        if tz_pos >= end {
            tz_pos = end.max(start);
            break;
        }
    }
    let (vals, more) = parse_hh_mm_ss_ff(bytes, start, tz_pos).ok()?;
    let mut out = IsoTime {
        hour: vals[0],
        minute: vals[1],
        second: vals[2],
        micro: vals[3],
        offset: None,
    };
    if tz_pos >= end {
        return if more { None } else { Some(out) };
    }
    if bytes.get(tz_pos) == Some(&b'Z') {
        if tz_pos + 1 != end {
            return None;
        }
        out.offset = Some((0, 0));
        return Some(out);
    }
    let sign = if bytes.get(tz_pos) == Some(&b'-') {
        -1
    } else {
        1
    };
    let (tz, more) = parse_hh_mm_ss_ff(bytes, tz_pos + 1, end).ok()?;
    if more {
        return None;
    }
    out.offset = Some((sign * (tz[0] * 3600 + tz[1] * 60 + tz[2]), sign * tz[3]));
    Some(out)
}

/// The tzinfo of a parsed offset (`tzinfo_from_isoformat_results`): UTC
/// for a zero offset in seconds.
pub fn iso_tzinfo(vm: &mut Vm, dt: &Dt, offset: Option<(i64, i64)>) -> PyResult<Value> {
    let Some((seconds, micros)) = offset else {
        return Ok(Value::None);
    };
    if seconds == 0 {
        return Ok(dt.utc.clone());
    }
    let us = i128::from(seconds) * 1_000_000 + i128::from(micros);
    let delta = Delta::from_micros_unchecked(us);
    super::zone::new_zone(vm, dt, delta, None)
}

fn fromisoformat(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("descriptor 'fromisoformat' needs a type")),
    };
    args.positional.remove(0);
    let v = super::one_arg(vm, args, "fromisoformat")?;
    let text = match v.unwrap_builtin() {
        Value::Str(s) => s.as_str().to_string(),
        _ => return Err(vm.type_error("fromisoformat: argument must be str")),
    };
    let bytes = text.as_bytes();
    let start = usize::from(bytes.first() == Some(&b'T'));
    let Some(parsed) = parse_iso_time(bytes, start) else {
        return Err(super::date::invalid_iso(vm, &text));
    };
    let tz = iso_tzinfo(vm, dt, parsed.offset)?;
    let c = Clock {
        hour: parsed.hour,
        minute: parsed.minute,
        second: parsed.second,
        micro: parsed.micro,
        tz,
        fold: 0,
    };
    new_time(vm, dt, &cls, c)
}

fn get_hour(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("hour", args)?;
    Ok(Value::Int(time_part(&this).map(|c| c.hour).unwrap_or(0)))
}

fn get_minute(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("minute", args)?;
    Ok(Value::Int(time_part(&this).map(|c| c.minute).unwrap_or(0)))
}

fn get_second(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("second", args)?;
    Ok(Value::Int(time_part(&this).map(|c| c.second).unwrap_or(0)))
}

fn get_micro(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("microsecond", args)?;
    Ok(Value::Int(time_part(&this).map(|c| c.micro).unwrap_or(0)))
}

fn get_tzinfo(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("tzinfo", args)?;
    Ok(time_part(&this).map(|c| c.tz).unwrap_or(Value::None))
}

fn get_fold(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("fold", args)?;
    Ok(Value::Int(time_part(&this).map(|c| c.fold).unwrap_or(0)))
}

/// The time of day of a time or datetime value (the getters are shared).
pub fn time_part(v: &Value) -> Option<Clock> {
    clock_of(v).or_else(|| super::moment::moment_of(v).map(|m| m.time))
}
