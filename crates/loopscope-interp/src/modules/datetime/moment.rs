//! `datetime.datetime`: a date and a time of day with an optional tzinfo.
//! The virtual clock (`now`, `today`, `utcnow`), timestamps in the UTC
//! world, `combine`, `fromisoformat`, `strptime`, time zone conversion
//! (`astimezone`), and the arithmetic and comparison rules of aware and
//! naive datetimes (CPython `datetime_subtract`, `datetime_richcompare`).

use std::rc::Rc;

use num_bigint::BigInt;

use super::calendar::MAX_ORDINAL;
use super::clock::{clock_of, iso_tzinfo, parse_iso_time, timespec_arg, Clock};
use super::date::{civil_of_seconds, is_plain_date, parse_iso_date, timestamp_parts, ymd_of, Ymd};
use super::delta::{delta_of, delta_value, new_delta, Delta};
use super::{
    c_int_or, call_offset, call_tzname, check_tzinfo, compare_other, format_offset,
    install_classmethods, install_comparisons, install_getters, install_limits, install_methods,
    install_new, not_handled, tm_of, CSig, Dt,
};
use crate::builtins::{native_object, with_native};
use crate::bytecode::CmpOp;
use crate::value::{Args, Class, PyResult, Value};
use crate::vm::{ExcType, Vm};

const US_PER_DAY: i128 = 86_400_000_000;

/// A datetime's state.
#[derive(Clone)]
pub struct Moment {
    pub date: Ymd,
    pub time: Clock,
}

impl Moment {
    /// Microseconds since 0001-01-01 00:00 (local, ignoring tzinfo).
    pub fn micros(&self) -> i128 {
        i128::from(self.date.ordinal() - 1) * US_PER_DAY
            + i128::from(self.time.seconds_of_day()) * 1_000_000
            + i128::from(self.time.micro)
    }

    /// The moment at a microsecond count, with a tzinfo; None out of range.
    pub fn from_micros(us: i128, tz: Value) -> Option<Moment> {
        let days = us.div_euclid(US_PER_DAY);
        let rest = us.rem_euclid(US_PER_DAY);
        let ordinal = i64::try_from(days + 1).ok()?;
        if !(1..=MAX_ORDINAL).contains(&ordinal) {
            return None;
        }
        let seconds = (rest / 1_000_000) as i64;
        Some(Moment {
            date: Ymd::from_ordinal(ordinal),
            time: Clock {
                hour: seconds / 3600,
                minute: seconds % 3600 / 60,
                second: seconds % 60,
                micro: (rest % 1_000_000) as i64,
                tz,
                fold: 0,
            },
        })
    }

    /// The fields CPython's `memcmp` of the datetime data orders by.
    pub fn key(&self) -> (Ymd, (i64, i64, i64, i64)) {
        (self.date, self.time.key())
    }
}

/// The state of a datetime value.
pub fn moment_of(v: &Value) -> Option<Moment> {
    with_native::<Moment, _>(v, |m| m.clone())
}

/// `m` moved by `us` microseconds, fold reset, or CPython's OverflowError.
pub fn shifted(vm: &mut Vm, m: &Moment, us: i128) -> PyResult<Moment> {
    match Moment::from_micros(m.micros() + us, m.time.tz.clone()) {
        Some(new) => Ok(new),
        None => Err(vm.error(ExcType::OverflowError, "date value out of range")),
    }
}

/// Checks the fields and makes a datetime of class `cls` (a Python
/// subclass is called with the fields).
pub fn new_datetime(vm: &mut Vm, dt: &Dt, cls: &Rc<Class>, m: Moment) -> PyResult<Value> {
    if let Err(message) = super::calendar::check_date(m.date.year, m.date.month, m.date.day) {
        return Err(vm.error(ExcType::ValueError, message));
    }
    let t = &m.time;
    if let Err(message) = super::calendar::check_time(t.hour, t.minute, t.second, t.micro, t.fold) {
        return Err(vm.error(ExcType::ValueError, message));
    }
    check_tzinfo(vm, dt, &t.tz)?;
    if Rc::ptr_eq(cls, &dt.datetime) {
        return Ok(native_object(vm, cls, m));
    }
    let mut kwargs = Vec::new();
    if t.fold != 0 {
        kwargs.push((vm.intern("fold"), Value::Int(t.fold)));
    }
    vm.call_with(
        &Value::Class(cls.clone()),
        vec![
            Value::Int(m.date.year),
            Value::Int(m.date.month),
            Value::Int(m.date.day),
            Value::Int(t.hour),
            Value::Int(t.minute),
            Value::Int(t.second),
            Value::Int(t.micro),
            t.tz.clone(),
        ],
        kwargs,
    )
}

pub fn install(vm: &mut Vm, dt: &Dt) -> PyResult<()> {
    let class = dt.datetime.clone();
    install_new(vm, dt, &class, datetime_new);
    install_methods(
        vm,
        dt,
        &class,
        "datetime",
        &[
            ("__repr__", repr),
            ("__str__", str_),
            ("isoformat", isoformat),
            ("__format__", format),
            ("strftime", strftime),
            ("ctime", ctime),
            ("timetuple", timetuple),
            ("utctimetuple", utctimetuple),
            ("timestamp", timestamp),
            ("date", date),
            ("time", time),
            ("timetz", timetz),
            ("replace", replace),
            ("astimezone", astimezone),
            ("utcoffset", utcoffset),
            ("dst", dst),
            ("tzname", tzname),
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
    install_comparisons(&class, "datetime", {
        let dt = dt.clone();
        move |vm: &mut Vm, args: &mut Args, op| compare(vm, &dt, args, op)
    });
    install_classmethods(
        vm,
        dt,
        &class,
        &[
            ("now", now),
            ("utcnow", utcnow),
            ("today", today),
            ("fromtimestamp", fromtimestamp),
            ("utcfromtimestamp", utcfromtimestamp),
            ("combine", combine),
            ("fromisoformat", fromisoformat),
            ("strptime", strptime),
        ],
    );
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
    let min = Moment {
        date: Ymd::FIRST,
        time: Clock::midnight(),
    };
    let max = Moment {
        date: Ymd::LAST,
        time: Clock::last(),
    };
    let (min, max) = (
        native_object(vm, &class, min),
        native_object(vm, &class, max),
    );
    install_limits(vm, dt, &class, min, max, Some(Delta::MICROSECOND));
    Ok(())
}

const FIELDS: &[&str] = &[
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "microsecond",
    "tzinfo",
    "fold",
];

fn datetime_new(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("datetime.__new__(X): X is not a type object")),
    };
    args.positional.remove(0);
    let sig = CSig {
        fname: None,
        names: FIELDS,
        required: 3,
        positional: 8,
    };
    let a = sig.bind(vm, args)?;
    let m = Moment {
        date: Ymd {
            year: c_int_or(vm, &a[0], 0)?,
            month: c_int_or(vm, &a[1], 0)?,
            day: c_int_or(vm, &a[2], 0)?,
        },
        time: Clock {
            hour: c_int_or(vm, &a[3], 0)?,
            minute: c_int_or(vm, &a[4], 0)?,
            second: c_int_or(vm, &a[5], 0)?,
            micro: c_int_or(vm, &a[6], 0)?,
            tz: a[7].clone().unwrap_or(Value::None),
            fold: c_int_or(vm, &a[8], 0)?,
        },
    };
    if let Err(message) = super::calendar::check_date(m.date.year, m.date.month, m.date.day) {
        return Err(vm.error(ExcType::ValueError, message));
    }
    let t = &m.time;
    if let Err(message) = super::calendar::check_time(t.hour, t.minute, t.second, t.micro, t.fold) {
        return Err(vm.error(ExcType::ValueError, message));
    }
    check_tzinfo(vm, dt, &t.tz)?;
    Ok(native_object(vm, &cls, m))
}

fn this(vm: &mut Vm, args: &mut Args, method: &str) -> PyResult<(Value, Moment)> {
    super::receiver_data::<Moment>(vm, args, method, "datetime.datetime")
}

fn repr(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "__repr__")?;
    let prefix = super::type_prefix(&vm.class_of(&this), "datetime");
    let (d, t) = (&m.date, &m.time);
    let mut s = format!(
        "{prefix}({}, {}, {}, {}, {}",
        d.year, d.month, d.day, t.hour, t.minute
    );
    if t.micro != 0 {
        s.push_str(&format!(", {}, {}", t.second, t.micro));
    } else if t.second != 0 {
        s.push_str(&format!(", {}", t.second));
    }
    if t.fold != 0 {
        s.push_str(&format!(", fold={}", t.fold));
    }
    if !t.tz.is_none() {
        s.push_str(&format!(", tzinfo={}", vm.repr_of(&t.tz)?));
    }
    s.push(')');
    Ok(Value::string(s))
}

fn iso_text(
    vm: &mut Vm,
    dt: &Dt,
    this: &Value,
    m: &Moment,
    sep: &str,
    timespec: &str,
) -> PyResult<String> {
    let Some(time) = m.time.iso(timespec) else {
        return Err(vm.error(ExcType::ValueError, "Unknown timespec value"));
    };
    let offset = call_offset(vm, dt, &m.time.tz, "utcoffset", this.clone())?;
    Ok(format!(
        "{}{sep}{time}{}",
        m.date.iso(),
        format_offset(offset, ":")
    ))
}

fn str_(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "__str__")?;
    iso_text(vm, dt, &this, &m, " ", "auto").map(Value::string)
}

fn isoformat(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "isoformat")?;
    let sig = CSig {
        fname: Some("isoformat"),
        names: &["sep", "timespec"],
        required: 0,
        positional: 2,
    };
    let a = sig.bind(vm, args)?;
    let sep = match &a[0] {
        None => "T".to_string(),
        Some(v) => match v.unwrap_builtin() {
            Value::Str(s) if s.as_str().chars().count() == 1 => s.as_str().to_string(),
            _ => {
                let t = vm.type_name(v);
                return Err(vm.type_error(format!(
                    "isoformat() argument 1 must be a unicode character, not {t}"
                )));
            }
        },
    };
    let timespec = timespec_arg(vm, &a[1])?;
    iso_text(vm, dt, &this, &m, &sep, &timespec).map(Value::string)
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
    let (this, m) = this(vm, args, "strftime")?;
    let fmt = super::format_arg(vm, args, "strftime")?;
    let t = &m.time;
    let tm = tm_of(m.date, t.hour, t.minute, t.second);
    let text = super::strftime(vm, dt, &this, &fmt, &tm, t.micro, &t.tz)?;
    Ok(Value::string(text))
}

fn ctime(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, m) = this(vm, args, "ctime")?;
    Ok(Value::string(m.date.ctime(
        m.time.hour,
        m.time.minute,
        m.time.second,
    )))
}

fn timetuple(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "timetuple")?;
    let isdst = match call_offset(vm, dt, &m.time.tz, "dst", this)? {
        None => -1,
        Some(d) => i64::from(d != Delta::ZERO),
    };
    let t = &m.time;
    crate::modules::time::struct_time(vm, &tm_of(m.date, t.hour, t.minute, t.second), isdst)
}

fn utctimetuple(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "utctimetuple")?;
    let utc = match call_offset(vm, dt, &m.time.tz, "utcoffset", this)? {
        None => m,
        Some(off) => shifted(vm, &m, -off.total_micros())?,
    };
    let t = &utc.time;
    crate::modules::time::struct_time(vm, &tm_of(utc.date, t.hour, t.minute, t.second), 0)
}

/// The Unix epoch in the microseconds of [`Moment::micros`].
const EPOCH_MICROS: i128 = 719_162 * US_PER_DAY;

fn timestamp(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "timestamp")?;
    if m.time.tz.is_none() {
        // Naive: local time, which is UTC here (CPython `local_to_seconds`).
        let seconds =
            (m.micros() - i128::from(m.time.micro)) / 1_000_000 - EPOCH_MICROS / 1_000_000;
        return Ok(Value::Float(seconds as f64 + m.time.micro as f64 / 1e6));
    }
    let Some(off) = call_offset(vm, dt, &m.time.tz, "utcoffset", this)? else {
        return Err(vm.type_error("can't subtract offset-naive and offset-aware datetimes"));
    };
    let us = m.micros() - off.total_micros() - EPOCH_MICROS;
    Ok(Value::Float(crate::modules::statistics::int_true_divide(
        &BigInt::from(us),
        &BigInt::from(1_000_000),
    )))
}

fn date(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, m) = this(vm, args, "date")?;
    Ok(native_object(vm, &dt.date, m.date))
}

fn time(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, m) = this(vm, args, "time")?;
    let mut c = m.time;
    c.tz = Value::None;
    Ok(native_object(vm, &dt.time, c))
}

fn timetz(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, m) = this(vm, args, "timetz")?;
    Ok(native_object(vm, &dt.time, m.time))
}

fn replace(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "replace")?;
    let sig = CSig {
        fname: Some("replace"),
        names: FIELDS,
        required: 0,
        positional: 8,
    };
    let a = sig.bind(vm, args)?;
    let new = Moment {
        date: Ymd {
            year: c_int_or(vm, &a[0], m.date.year)?,
            month: c_int_or(vm, &a[1], m.date.month)?,
            day: c_int_or(vm, &a[2], m.date.day)?,
        },
        time: Clock {
            hour: c_int_or(vm, &a[3], m.time.hour)?,
            minute: c_int_or(vm, &a[4], m.time.minute)?,
            second: c_int_or(vm, &a[5], m.time.second)?,
            micro: c_int_or(vm, &a[6], m.time.micro)?,
            tz: a[7].clone().unwrap_or(m.time.tz),
            fold: c_int_or(vm, &a[8], m.time.fold)?,
        },
    };
    let cls = vm.class_of(&this);
    new_datetime(vm, dt, &cls, new)
}

/// The local time zone of the simulated world: UTC, named "UTC"
/// (`timezone(timedelta(0), 'UTC')`, as `astimezone()` shows it).
fn local_zone(vm: &mut Vm, dt: &Dt) -> PyResult<Value> {
    super::zone::new_zone(vm, dt, Delta::ZERO, Some("UTC".to_string()))
}

/// `dt.astimezone(tz)` (CPython `datetime_astimezone`).
pub fn astimezone_of(vm: &mut Vm, dt: &Dt, this: &Value, m: &Moment, tz: Value) -> PyResult<Value> {
    let mut own = m.time.tz.clone();
    let mut offset = None;
    if !own.is_none() {
        if own.is(&tz) {
            return Ok(this.clone());
        }
        offset = call_offset(vm, dt, &own, "utcoffset", this.clone())?;
    }
    if offset.is_none() {
        own = local_zone(vm, dt)?;
        if own.is(&tz) {
            return Ok(this.clone());
        }
        offset = Some(Delta::ZERO);
    }
    let offset = offset.unwrap_or(Delta::ZERO);
    let mut utc = shifted(vm, m, -offset.total_micros())?;
    let target = if tz.is_none() {
        local_zone(vm, dt)?
    } else {
        tz
    };
    utc.time.tz = target.clone();
    let cls = vm.class_of(this);
    let attached = new_datetime(vm, dt, &cls, utc)?;
    let fromutc = vm.get_attr(&target, &vm.intern("fromutc"))?;
    vm.call(&fromutc, vec![attached])
}

fn astimezone(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "astimezone")?;
    let sig = CSig {
        fname: Some("astimezone"),
        names: &["tz"],
        required: 0,
        positional: 1,
    };
    let a = sig.bind(vm, args)?;
    let tz = a[0].clone().unwrap_or(Value::None);
    check_tzinfo(vm, dt, &tz)?;
    astimezone_of(vm, dt, &this, &m, tz)
}

fn offset_value(vm: &mut Vm, dt: &Dt, offset: Option<Delta>) -> Value {
    match offset {
        Some(d) => new_delta(vm, dt, d),
        None => Value::None,
    }
}

fn utcoffset(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "utcoffset")?;
    let offset = call_offset(vm, dt, &m.time.tz, "utcoffset", this)?;
    Ok(offset_value(vm, dt, offset))
}

fn dst(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "dst")?;
    let offset = call_offset(vm, dt, &m.time.tz, "dst", this)?;
    Ok(offset_value(vm, dt, offset))
}

fn tzname(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "tzname")?;
    Ok(match call_tzname(vm, dt, &m.time.tz, this)? {
        Some(name) => Value::string(name),
        None => Value::None,
    })
}

fn hash(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "__hash__")?;
    let (d, t) = (&m.date, &m.time);
    match call_offset(vm, dt, &t.tz, "utcoffset", this)? {
        None => super::hash_ints(
            vm,
            &[d.year, d.month, d.day, t.hour, t.minute, t.second, t.micro],
        ),
        Some(off) => {
            let utc = Delta::from_micros_unchecked(m.micros() - off.total_micros());
            super::hash_ints(vm, &[utc.days, utc.seconds, utc.micros])
        }
    }
}

fn copy(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    vm.receiver("__copy__", args)
}

fn reduce(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "__reduce__")?;
    let class = vm.class_of(&this);
    let (d, t) = (&m.date, &m.time);
    let mut fields = vec![
        Value::Int(d.year),
        Value::Int(d.month),
        Value::Int(d.day),
        Value::Int(t.hour),
        Value::Int(t.minute),
        Value::Int(t.second),
        Value::Int(t.micro),
    ];
    if !t.tz.is_none() {
        fields.push(t.tz.clone());
    }
    Ok(Value::tuple(vec![
        Value::Class(class),
        Value::tuple(fields),
    ]))
}

fn add_delta(vm: &mut Vm, dt: &Dt, this: &Value, m: &Moment, us: i128) -> PyResult<Value> {
    let new = shifted(vm, m, us)?;
    let cls = vm.class_of(this);
    new_datetime(vm, dt, &cls, new)
}

fn add(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "__add__")?;
    let other = super::one_arg(vm, args, "__add__")?;
    match delta_of(&other) {
        Some(d) => add_delta(vm, dt, &this, &m, d.total_micros()),
        None => not_handled(vm, "+", &this, &other, false),
    }
}

fn radd(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "__radd__")?;
    let other = super::one_arg(vm, args, "__radd__")?;
    match delta_of(&other) {
        Some(d) => add_delta(vm, dt, &this, &m, d.total_micros()),
        None => not_handled(vm, "+", &this, &other, true),
    }
}

/// What [`offsets`] finds: both offsets, or Err(()) for naive with aware.
type Offsets = Result<(Option<Delta>, Option<Delta>), ()>;

/// The UTC offsets two datetimes are compared or subtracted with: none
/// when they share their tzinfo object (CPython compares their fields
/// then), Err(()) when one is naive and the other aware.
fn offsets(vm: &mut Vm, dt: &Dt, a: (&Value, &Moment), b: (&Value, &Moment)) -> PyResult<Offsets> {
    if a.1.time.tz.is(&b.1.time.tz) {
        return Ok(Ok((None, None)));
    }
    let off1 = call_offset(vm, dt, &a.1.time.tz, "utcoffset", a.0.clone())?;
    let off2 = call_offset(vm, dt, &b.1.time.tz, "utcoffset", b.0.clone())?;
    if off1.is_some() != off2.is_some() {
        return Ok(Err(()));
    }
    Ok(Ok((off1, off2)))
}

fn difference(
    vm: &mut Vm,
    dt: &Dt,
    left: (&Value, &Moment),
    right: (&Value, &Moment),
) -> PyResult<Value> {
    let Ok((off1, off2)) = offsets(vm, dt, left, right)? else {
        return Err(vm.type_error("can't subtract offset-naive and offset-aware datetimes"));
    };
    let mut us = left.1.micros() - right.1.micros();
    if let (Some(a), Some(b)) = (off1, off2) {
        us -= a.total_micros() - b.total_micros();
    }
    delta_value(vm, dt, us)
}

fn sub(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, m) = this(vm, args, "__sub__")?;
    let other = super::one_arg(vm, args, "__sub__")?;
    if let Some(o) = moment_of(&other) {
        return difference(vm, dt, (&this, &m), (&other, &o));
    }
    if let Some(d) = delta_of(&other) {
        return add_delta(vm, dt, &this, &m, -d.total_micros());
    }
    if is_plain_date(&other) {
        return Err(super::unsupported(vm, "-", &this, &other));
    }
    not_handled(vm, "-", &this, &other, false)
}

fn rsub(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, _) = this(vm, args, "__rsub__")?;
    let other = super::one_arg(vm, args, "__rsub__")?;
    if ymd_of(&other).is_some() || delta_of(&other).is_some() {
        return Err(super::unsupported(vm, "-", &other, &this));
    }
    not_handled(vm, "-", &this, &other, true)
}

fn compare(vm: &mut Vm, dt: &Dt, args: &mut Args, op: CmpOp) -> PyResult<Value> {
    let (this, m) = this(vm, args, "__eq__")?;
    let other = super::one_arg(vm, args, "__eq__")?;
    let satisfies = |o: std::cmp::Ordering| Value::Bool(crate::vm::ops::ordering_satisfies(op, o));
    let Some(o) = moment_of(&other) else {
        if is_plain_date(&other) {
            return match op {
                CmpOp::Eq => Ok(Value::Bool(false)),
                CmpOp::Ne => Ok(Value::Bool(true)),
                _ => {
                    let (a, b) = (super::tp_name(vm, &this), super::tp_name(vm, &other));
                    Err(vm.type_error(format!("can't compare {a} to {b}")))
                }
            };
        }
        return compare_other(vm, op, &this, &other);
    };
    match offsets(vm, dt, (&this, &m), (&other, &o))? {
        Ok((a, b)) if a == b => Ok(satisfies(m.key().cmp(&o.key()))),
        Ok((Some(a), Some(b))) => {
            let x = m.micros() - a.total_micros();
            let y = o.micros() - b.total_micros();
            Ok(satisfies(x.cmp(&y)))
        }
        _ => match op {
            CmpOp::Eq => Ok(Value::Bool(false)),
            CmpOp::Ne => Ok(Value::Bool(true)),
            _ => Err(vm.type_error("can't compare offset-naive and offset-aware datetimes")),
        },
    }
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

/// The virtual wall clock as a naive datetime's state.
fn now_moment(vm: &Vm) -> Moment {
    let us = super::date::now_micros(vm);
    Moment::from_micros(us, Value::None).unwrap_or(Moment {
        date: Ymd {
            year: 9999,
            month: 12,
            day: 31,
        },
        time: Clock::midnight(),
    })
}

/// `datetime.now(tz)`: the oracle's `EPOCH + timedelta(seconds=t)`,
/// converted with `.replace(tzinfo=utc).astimezone(tz)` when tz is given.
fn now(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "now")?;
    let sig = CSig {
        fname: Some("now"),
        names: &["tz"],
        required: 0,
        positional: 1,
    };
    let a = sig.bind(vm, args)?;
    let tz = a[0].clone().unwrap_or(Value::None);
    check_tzinfo(vm, dt, &tz)?;
    let mut m = now_moment(vm);
    if tz.is_none() {
        return new_datetime(vm, dt, &cls, m);
    }
    m.time.tz = dt.utc.clone();
    let utc = new_datetime(vm, dt, &cls, m.clone())?;
    astimezone_of(vm, dt, &utc, &m, tz)
}

fn utcnow(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "utcnow")?;
    vm.no_args("utcnow", args, 0)?;
    let m = now_moment(vm);
    new_datetime(vm, dt, &cls, m)
}

fn today(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "today")?;
    vm.no_args("today", args, 0)?;
    let m = now_moment(vm);
    new_datetime(vm, dt, &cls, m)
}

/// The UTC datetime of a timestamp (rounded half to even to the
/// microsecond, as CPython's `datetime_from_timestamp`).
fn moment_of_timestamp(vm: &mut Vm, t: &Value) -> PyResult<Moment> {
    let (seconds, micro) = timestamp_parts(vm, t, true)?;
    let (date, rest) = civil_of_seconds(vm, seconds)?;
    Ok(Moment {
        date,
        time: Clock {
            hour: rest / 3600,
            minute: rest % 3600 / 60,
            second: rest % 60,
            micro,
            tz: Value::None,
            fold: 0,
        },
    })
}

fn fromtimestamp(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "fromtimestamp")?;
    let sig = CSig {
        fname: Some("fromtimestamp"),
        names: &["timestamp", "tz"],
        required: 1,
        positional: 2,
    };
    let a = sig.bind(vm, args)?;
    let tz = a[1].clone().unwrap_or(Value::None);
    check_tzinfo(vm, dt, &tz)?;
    let mut m = moment_of_timestamp(vm, a[0].as_ref().unwrap_or(&Value::None))?;
    if tz.is_none() {
        return new_datetime(vm, dt, &cls, m);
    }
    m.time.tz = tz.clone();
    let utc = new_datetime(vm, dt, &cls, m)?;
    let fromutc = vm.get_attr(&tz, &vm.intern("fromutc"))?;
    vm.call(&fromutc, vec![utc])
}

fn utcfromtimestamp(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "utcfromtimestamp")?;
    let t = super::one_arg(vm, args, "utcfromtimestamp")?;
    let m = moment_of_timestamp(vm, &t)?;
    new_datetime(vm, dt, &cls, m)
}

fn combine(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "combine")?;
    let sig = CSig {
        fname: Some("combine"),
        names: &["date", "time", "tzinfo"],
        required: 2,
        positional: 3,
    };
    let a = sig.bind(vm, args)?;
    let date_value = a[0].clone().unwrap_or(Value::None);
    let Some(date) = ymd_of(&date_value) else {
        let t = super::tp_name(vm, &date_value);
        return Err(vm.type_error(format!(
            "combine() argument 1 must be datetime.date, not {t}"
        )));
    };
    let time_value = a[1].clone().unwrap_or(Value::None);
    let Some(mut time) = clock_of(&time_value) else {
        let t = super::tp_name(vm, &time_value);
        return Err(vm.type_error(format!(
            "combine() argument 2 must be datetime.time, not {t}"
        )));
    };
    if let Some(tz) = &a[2] {
        time.tz = tz.clone();
    }
    new_datetime(vm, dt, &cls, Moment { date, time })
}

/// CPython `_find_isoformat_datetime_separator`.
fn iso_separator(bytes: &[u8]) -> usize {
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let len = bytes.len();
    if len == 7 {
        return 7;
    }
    if at(4) == b'-' {
        if at(5) == b'W' {
            if len < 8 {
                return usize::MAX;
            }
            if len > 8 && at(8) == b'-' {
                if len == 9 {
                    return usize::MAX;
                }
                if len > 10 && at(10).is_ascii_digit() {
                    return 8;
                }
                return 10;
            }
            return 8;
        }
        return 10;
    }
    if at(4) == b'W' {
        let mut idx = 7;
        while idx < len && at(idx).is_ascii_digit() {
            idx += 1;
        }
        if idx < 9 {
            return idx;
        }
        return if idx % 2 == 0 { 7 } else { 8 };
    }
    8
}

fn fromisoformat(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "fromisoformat")?;
    let v = super::one_arg(vm, args, "fromisoformat")?;
    let text = match v.unwrap_builtin() {
        Value::Str(s) => s.as_str().to_string(),
        _ => return Err(vm.type_error("fromisoformat: argument must be str")),
    };
    let bytes = text.as_bytes();
    let separator = iso_separator(bytes);
    let parsed = (|| {
        if separator == usize::MAX {
            return None;
        }
        let date_part = bytes.get(..separator.min(bytes.len()))?;
        let mut date_text = date_part.to_vec();
        // The C parser reads past the date as NUL bytes.
        date_text.resize(separator, 0);
        let date = parse_iso_date(std::str::from_utf8(&date_text).ok()?)?;
        if bytes.len() > separator {
            let time = parse_iso_time(bytes, separator + 1)?;
            return Some((date, Some(time)));
        }
        Some((date, None))
    })();
    let Some((date, time)) = parsed else {
        return Err(super::date::invalid_iso(vm, &text));
    };
    let mut clock = Clock::midnight();
    if let Some(t) = time {
        clock.hour = t.hour;
        clock.minute = t.minute;
        clock.second = t.second;
        clock.micro = t.micro;
        clock.tz = iso_tzinfo(vm, dt, t.offset)?;
    }
    new_datetime(vm, dt, &cls, Moment { date, time: clock })
}

fn strptime(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = class_arg(vm, args, "strptime")?;
    let sig = CSig {
        fname: Some("strptime"),
        names: &["date_string", "format"],
        required: 2,
        positional: 2,
    };
    let a = sig.bind(vm, args)?;
    let mut texts = Vec::with_capacity(2);
    for (i, v) in a.iter().enumerate() {
        let v = v.clone().unwrap_or(Value::None);
        match v.unwrap_builtin() {
            Value::Str(s) => texts.push(s.as_str().to_string()),
            _ => {
                let t = vm.type_name(&v);
                return Err(vm.type_error(format!(
                    "strptime() argument {} must be str, not {t}",
                    i + 1
                )));
            }
        }
    }
    let parsed = super::strptime::parse(vm, &texts[0], &texts[1])?;
    let tz = match parsed.offset {
        Some((seconds, micros)) => {
            let us = i128::from(seconds) * 1_000_000 + i128::from(micros);
            let delta = Delta::from_micros_unchecked(us);
            super::zone::new_zone(
                vm,
                dt,
                delta,
                parsed.zone_name.clone().filter(|n| !n.is_empty()),
            )?
        }
        None => Value::None,
    };
    let m = Moment {
        date: parsed.date,
        time: Clock {
            hour: parsed.hour,
            minute: parsed.minute,
            second: parsed.second,
            micro: parsed.micro,
            tz,
            fold: 0,
        },
    };
    new_datetime(vm, dt, &cls, m)
}

// ----------------------------------------------------------------- getters

fn time_part(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Clock> {
    let this = vm.receiver(name, args)?;
    Ok(moment_of(&this)
        .map(|m| m.time)
        .unwrap_or_else(Clock::midnight))
}

fn get_hour(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    Ok(Value::Int(time_part(vm, args, "hour")?.hour))
}

fn get_minute(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    Ok(Value::Int(time_part(vm, args, "minute")?.minute))
}

fn get_second(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    Ok(Value::Int(time_part(vm, args, "second")?.second))
}

fn get_micro(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    Ok(Value::Int(time_part(vm, args, "microsecond")?.micro))
}

fn get_tzinfo(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    Ok(time_part(vm, args, "tzinfo")?.tz)
}

fn get_fold(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    Ok(Value::Int(time_part(vm, args, "fold")?.fold))
}
