//! The `datetime` module, natively: `date`, `time`, `datetime`,
//! `timedelta`, `tzinfo` and `timezone`, following CPython 3.11's
//! Modules/_datetimemodule.c (range checks, messages, reprs, arithmetic
//! and comparison rules) and Lib/_strptime.py for `strptime`.
//!
//! The world is the simulated one of SEMANTICS.md §2: the local time zone
//! is UTC, and `datetime.now()`, `today()`, `utcnow()` and `date.today()`
//! read the virtual clock, `1756720800.0 + host.now()`, exactly as the
//! oracle's `EPOCH + timedelta(seconds=loop.time())` computes them.
//!
//! Every method is a closure over [`Classes`], so results can be made of
//! the module's own classes whatever the program rebinds. Results keep
//! the class of the receiver (`type(self)`) where CPython does, calling a
//! Python subclass as CPython's `new_date_subclass_ex` does.

mod calendar;
mod clock;
mod date;
mod delta;
mod moment;
mod strptime;
mod zone;

use std::rc::Rc;

use num_traits::ToPrimitive;

use super::support::{closure, getter, index_big, with_owner};
use crate::builtins::{native_object, new_module, with_native};
use crate::bytecode::CmpOp;
use crate::value::{Args, Class, Layout, Module, PyResult, Unwind, Value};
use crate::vm::{ExcType, Vm};

pub use calendar::{MAX_YEAR, MIN_YEAR};
pub use clock::Clock;
pub use date::Ymd;
pub use delta::Delta;
pub use moment::Moment;
pub use zone::Zone;

/// The module's classes and singletons, shared by every method.
pub struct Classes {
    pub date: Rc<Class>,
    pub time: Rc<Class>,
    pub datetime: Rc<Class>,
    pub timedelta: Rc<Class>,
    pub tzinfo: Rc<Class>,
    pub timezone: Rc<Class>,
    pub iso_calendar: Rc<Class>,
    /// `timezone.utc`.
    pub utc: Value,
}

/// What every native method of the module closes over.
pub type Dt = Rc<Classes>;

/// A native method of the module.
pub type DtFn = fn(&mut Vm, &Dt, &mut Args) -> PyResult<Value>;

/// The state of a plain `tzinfo` instance (the abstract base, or a
/// Python subclass of it).
pub struct TzInfoBase;

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    // CPython's datetime imports time; struct_time comes from it.
    vm.import_module("time", &Value::None, &Value::Int(0))?;
    let module = new_module("datetime");
    let new_class = |vm: &mut Vm, name: &str, base: Option<&Rc<Class>>| {
        let base = base.cloned().unwrap_or_else(|| vm.types.object.clone());
        match crate::vm::types::new_class(
            &vm.ids,
            name,
            "datetime",
            vec![base],
            Layout::Special,
            false,
        ) {
            Ok(c) => {
                c.dict
                    .borrow_mut()
                    .set("__module__", Value::str("datetime"));
                Ok(c)
            }
            Err(message) => Err(vm.type_error(message)),
        }
    };
    let date = new_class(vm, "date", None)?;
    let datetime = new_class(vm, "datetime", Some(&date))?;
    let time = new_class(vm, "time", None)?;
    let timedelta = new_class(vm, "timedelta", None)?;
    let tzinfo = new_class(vm, "tzinfo", None)?;
    let timezone = new_class(vm, "timezone", Some(&tzinfo))?;
    let fields: Vec<String> = ["year", "week", "weekday"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let iso_calendar = super::namedtuple::tuple_class(vm, "IsoCalendarDate", "datetime", &fields)?;
    let utc = native_object(
        vm,
        &timezone,
        Zone {
            offset: Delta::ZERO,
            name: None,
        },
    );
    let dt: Dt = Rc::new(Classes {
        date,
        time,
        datetime,
        timedelta,
        tzinfo,
        timezone,
        iso_calendar,
        utc,
    });
    delta::install(vm, &dt)?;
    date::install(vm, &dt)?;
    clock::install(vm, &dt)?;
    moment::install(vm, &dt)?;
    zone::install(vm, &dt)?;
    install_methods(
        vm,
        &dt,
        &dt.iso_calendar,
        "IsoCalendarDate",
        &[("__repr__", iso_calendar_repr)],
    );
    let mut dict = module.dict.borrow_mut();
    for class in [
        &dt.date,
        &dt.time,
        &dt.datetime,
        &dt.timedelta,
        &dt.tzinfo,
        &dt.timezone,
    ] {
        dict.set(class.name().as_str(), Value::Class(class.clone()));
    }
    dict.set("MINYEAR", Value::Int(MIN_YEAR));
    dict.set("MAXYEAR", Value::Int(MAX_YEAR));
    dict.set("UTC", dt.utc.clone());
    drop(dict);
    Ok(module)
}

fn iso_calendar_repr(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let items = super::namedtuple::tuple_items(&this).unwrap_or_default();
    let mut parts = Vec::new();
    for (name, v) in ["year", "week", "weekday"].iter().zip(items.iter()) {
        parts.push(format!("{name}={}", vm.repr_of(v)?));
    }
    let class = vm.class_of(&this);
    let prefix = type_prefix(&class, "IsoCalendarDate");
    Ok(Value::string(format!("{prefix}({})", parts.join(", "))))
}

// ----------------------------------------------------------------- installing

/// A native method value closing over the classes.
fn method_value(dt: &Dt, name: &str, owner: &'static str, f: DtFn) -> Value {
    let dt = dt.clone();
    with_owner(
        closure(
            name,
            Rc::new(move |vm: &mut Vm, args: &mut Args| f(vm, &dt, args)),
        ),
        owner,
    )
}

/// Puts native methods in a class's dict.
pub fn install_methods(
    _vm: &Vm,
    dt: &Dt,
    class: &Rc<Class>,
    owner: &'static str,
    methods: &[(&str, DtFn)],
) {
    let mut dict = class.dict.borrow_mut();
    for (name, f) in methods {
        dict.set(name, method_value(dt, name, owner, *f));
    }
}

/// Puts class methods (`date.today`) in a class's dict.
pub fn install_classmethods(vm: &Vm, dt: &Dt, class: &Rc<Class>, methods: &[(&str, DtFn)]) {
    let mut dict = class.dict.borrow_mut();
    for (name, f) in methods {
        let dt = dt.clone();
        let f = *f;
        let function = closure(
            name,
            Rc::new(move |vm: &mut Vm, args: &mut Args| f(vm, &dt, args)),
        );
        dict.set(
            name,
            native_object(vm, &vm.types.named("classmethod"), function),
        );
    }
}

/// Puts `__new__` (a static method, as CPython's `tp_new` appears) in a
/// class's dict.
pub fn install_new(vm: &Vm, dt: &Dt, class: &Rc<Class>, f: DtFn) {
    let dt = dt.clone();
    let function = closure(
        "__new__",
        Rc::new(move |vm: &mut Vm, args: &mut Args| f(vm, &dt, args)),
    );
    class.dict.borrow_mut().set(
        "__new__",
        native_object(vm, &vm.types.named("staticmethod"), function),
    );
}

/// The six rich comparisons, each calling `compare` with its operator.
pub fn install_comparisons(
    class: &Rc<Class>,
    owner: &'static str,
    compare: impl Fn(&mut Vm, &mut Args, CmpOp) -> PyResult<Value> + Clone + 'static,
) {
    let mut dict = class.dict.borrow_mut();
    for (name, op) in COMPARISONS {
        let compare = compare.clone();
        let f = closure(
            name,
            Rc::new(move |vm: &mut Vm, args: &mut Args| compare(vm, args, op)),
        );
        dict.set(name, with_owner(f, owner));
    }
}

/// A class's `min`, `max` and (where it has one) `resolution`.
pub fn install_limits(
    vm: &Vm,
    dt: &Dt,
    class: &Rc<Class>,
    min: Value,
    max: Value,
    resolution: Option<Delta>,
) {
    let resolution = resolution.map(|r| delta::new_delta(vm, dt, r));
    let mut dict = class.dict.borrow_mut();
    dict.set("min", min);
    dict.set("max", max);
    if let Some(resolution) = resolution {
        dict.set("resolution", resolution);
    }
}

/// Read-only attributes with native getters.
pub fn install_getters(vm: &Vm, class: &Rc<Class>, getters: &[(&str, crate::value::NativeFnPtr)]) {
    let mut dict = class.dict.borrow_mut();
    for (name, f) in getters {
        dict.set(name, getter(vm, name, *f));
    }
}

// ----------------------------------------------------------------- naming

/// How a class names itself in reprs and messages: CPython's `tp_name`,
/// `datetime.date` for the module's own classes, the bare name for Python
/// subclasses.
pub fn type_prefix(class: &Rc<Class>, base_name: &str) -> String {
    if class.module.as_str() == "datetime" && class.name().as_str() == base_name {
        format!("datetime.{base_name}")
    } else {
        class.name().as_str().to_string()
    }
}

/// `tp_name` of any value's class: `datetime.X` for the module's classes.
pub fn tp_name(vm: &Vm, v: &Value) -> String {
    let class = vm.class_of(v);
    let name = class.name().as_str().to_string();
    if class.module.as_str() == "datetime"
        && matches!(
            name.as_str(),
            "date" | "time" | "datetime" | "timedelta" | "tzinfo" | "timezone"
        )
    {
        format!("datetime.{name}")
    } else {
        name
    }
}

/// Values of built-in types (and the module's own classes), whose reflected operators never handle a
/// datetime operand: a datetime operator can raise CPython's message
/// (naming `datetime.date` by its `tp_name`) itself instead of leaving
/// the fallback to the VM.
pub fn is_plain(vm: &Vm, v: &Value) -> bool {
    !matches!(v, Value::Instance(_) | Value::Native(_)) || tp_name(vm, v).starts_with("datetime.")
}

/// `unsupported operand type(s) for +: 'datetime.date' and 'int'`.
pub fn unsupported(vm: &mut Vm, symbol: &str, a: &Value, b: &Value) -> Unwind {
    let (ta, tb) = (tp_name(vm, a), tp_name(vm, b));
    vm.type_error(format!(
        "unsupported operand type(s) for {symbol}: '{ta}' and '{tb}'"
    ))
}

/// What a binary operator of the module gives for an operand it does not
/// handle: CPython's TypeError for built-in operands (nothing else could
/// answer), `NotImplemented` otherwise. `reflected` says the receiver is
/// the right operand.
pub fn not_handled(
    vm: &mut Vm,
    symbol: &str,
    this: &Value,
    other: &Value,
    reflected: bool,
) -> PyResult<Value> {
    if is_plain(vm, other) {
        return Err(if reflected {
            unsupported(vm, symbol, other, this)
        } else {
            unsupported(vm, symbol, this, other)
        });
    }
    Ok(Value::NotImplemented)
}

/// The comparison operators, by dunder.
pub const COMPARISONS: [(&str, CmpOp); 6] = [
    ("__eq__", CmpOp::Eq),
    ("__ne__", CmpOp::Ne),
    ("__lt__", CmpOp::Lt),
    ("__le__", CmpOp::Le),
    ("__gt__", CmpOp::Gt),
    ("__ge__", CmpOp::Ge),
];

pub fn cmp_symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Eq => "==",
        CmpOp::Ne => "!=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
    }
}

/// The answer of a comparison with an operand of another type: `==` is
/// False, `!=` True, an ordering is CPython's TypeError for built-in
/// operands and `NotImplemented` for others.
pub fn compare_other(vm: &mut Vm, op: CmpOp, this: &Value, other: &Value) -> PyResult<Value> {
    if !is_plain(vm, other) {
        return Ok(Value::NotImplemented);
    }
    match op {
        CmpOp::Eq => Ok(Value::Bool(false)),
        CmpOp::Ne => Ok(Value::Bool(true)),
        _ => {
            let (ta, tb) = (tp_name(vm, this), tp_name(vm, other));
            Err(vm.type_error(format!(
                "'{}' not supported between instances of '{ta}' and '{tb}'",
                cmp_symbol(op)
            )))
        }
    }
}

/// The comparison op of a rich-comparison dunder.
pub fn cmp_op_of(name: &str) -> CmpOp {
    COMPARISONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, op)| *op)
        .unwrap_or(CmpOp::Eq)
}

// ----------------------------------------------------------------- arguments

/// A C function's signature as `PyArg_ParseTupleAndKeywords` sees it.
pub struct CSig {
    /// None for the formats without `:name` (messages say "function").
    pub fname: Option<&'static str>,
    pub names: &'static [&'static str],
    /// Parameters before `|`.
    pub required: usize,
    /// Parameters before `$` (the rest are keyword-only).
    pub positional: usize,
}

impl CSig {
    fn who(&self) -> String {
        match self.fname {
            Some(f) => format!("{f}()"),
            None => "function".to_string(),
        }
    }

    /// Binds arguments with the checks and messages of CPython's
    /// `vgetargskeywords`.
    pub fn bind(&self, vm: &mut Vm, args: &mut Args) -> PyResult<Vec<Option<Value>>> {
        let nargs = args.positional.len();
        let nkw = args.keywords.len();
        let len = self.names.len();
        if nargs + nkw > len {
            return Err(vm.type_error(format!(
                "{} takes at most {len} {}argument{} ({} given)",
                self.who(),
                if nargs == 0 { "keyword " } else { "" },
                if len == 1 { "" } else { "s" },
                nargs + nkw
            )));
        }
        if nargs > self.positional {
            let max = self.positional;
            return Err(vm.type_error(format!(
                "{} takes {} {max} positional argument{} ({nargs} given)",
                self.who(),
                if self.required < max {
                    "at most"
                } else {
                    "exactly"
                },
                if max == 1 { "" } else { "s" },
            )));
        }
        let mut out: Vec<Option<Value>> = std::mem::take(&mut args.positional)
            .into_iter()
            .map(Some)
            .collect();
        out.resize(len, None);
        let keywords = std::mem::take(&mut args.keywords);
        let mut left = nkw;
        for i in nargs..len {
            if left > 0 {
                if let Some((_, v)) = keywords.iter().find(|(k, _)| k.as_str() == self.names[i]) {
                    out[i] = Some(v.clone());
                    left -= 1;
                    continue;
                }
            }
            if i < self.required {
                return Err(vm.type_error(format!(
                    "{} missing required argument '{}' (pos {})",
                    self.who(),
                    self.names[i],
                    i + 1
                )));
            }
            if left == 0 {
                return Ok(out);
            }
        }
        if left > 0 {
            for i in 0..nargs {
                if keywords.iter().any(|(k, _)| k.as_str() == self.names[i]) {
                    return Err(vm.type_error(format!(
                        "argument for {} given by name ('{}') and position ({})",
                        self.who(),
                        self.names[i],
                        i + 1
                    )));
                }
            }
            for (key, _) in &keywords {
                if !self.names.contains(&key.as_str()) {
                    return Err(vm.type_error(format!(
                        "'{}' is an invalid keyword argument for {}",
                        key.as_str(),
                        match self.fname {
                            Some(f) => format!("{f}()"),
                            None => "this function".to_string(),
                        }
                    )));
                }
            }
        }
        Ok(out)
    }
}

/// A C `int` argument (`PyArg_Parse` format `i`): through `__index__`,
/// with CPython's overflow messages.
pub fn c_int(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    if let Value::Float(_) = v {
        return Err(vm.type_error("'float' object cannot be interpreted as an integer"));
    }
    let big = index_big(vm, v)?;
    let Some(n) = big.to_i64() else {
        return Err(vm.error(
            ExcType::OverflowError,
            "Python int too large to convert to C long",
        ));
    };
    if n > i64::from(i32::MAX) {
        return Err(vm.error(
            ExcType::OverflowError,
            "signed integer is greater than maximum",
        ));
    }
    if n < i64::from(i32::MIN) {
        return Err(vm.error(
            ExcType::OverflowError,
            "signed integer is less than minimum",
        ));
    }
    Ok(n)
}

/// An optional C int argument with its default.
pub fn c_int_or(vm: &mut Vm, v: &Option<Value>, default: i64) -> PyResult<i64> {
    match v {
        Some(v) => c_int(vm, v),
        None => Ok(default),
    }
}

/// The receiver of a method, checked to hold `T`.
pub fn receiver_data<T: Clone + 'static>(
    vm: &mut Vm,
    args: &mut Args,
    method: &str,
    owner: &str,
) -> PyResult<(Value, T)> {
    let this = vm.receiver(method, args)?;
    match with_native::<T, _>(&this, |d| d.clone()) {
        Some(data) => Ok((this, data)),
        None => {
            let t = tp_name(vm, &this);
            Err(vm.type_error(format!(
                "descriptor '{method}' for '{owner}' objects doesn't apply to a '{t}' object"
            )))
        }
    }
}

/// The single argument of a one-argument method (after the receiver).
pub fn one_arg(vm: &mut Vm, args: &mut Args, method: &str) -> PyResult<Value> {
    if args.positional.len() != 1 || !args.keywords.is_empty() {
        let n = args.positional.len() + args.keywords.len();
        return Err(vm.type_error(format!("{method}() takes exactly one argument ({n} given)")));
    }
    Ok(args.positional.remove(0))
}

// ----------------------------------------------------------------- tzinfo

/// Is this None or a tzinfo instance? CPython's `check_tzinfo_subclass`.
pub fn check_tzinfo(vm: &mut Vm, dt: &Dt, tz: &Value) -> PyResult<()> {
    if tz.is_none() || vm.class_of(tz).is_subclass_of(&dt.tzinfo) {
        return Ok(());
    }
    let t = tp_name(vm, tz);
    Err(vm.type_error(format!(
        "tzinfo argument must be None or of a tzinfo subclass, not type '{t}'"
    )))
}

/// Is the class of `tz` exactly `timezone` (its methods cannot be
/// overridden), so its offset can be read directly?
fn plain_zone(dt: &Dt, vm: &Vm, tz: &Value) -> Option<Zone> {
    if !Rc::ptr_eq(&vm.class_of(tz), &dt.timezone) {
        return None;
    }
    with_native::<Zone, _>(tz, |z| z.clone())
}

/// `tz.utcoffset(arg)` or `tz.dst(arg)`, checked as CPython's
/// `call_tzinfo_method` checks it.
pub fn call_offset(
    vm: &mut Vm,
    dt: &Dt,
    tz: &Value,
    name: &str,
    arg: Value,
) -> PyResult<Option<Delta>> {
    if tz.is_none() {
        return Ok(None);
    }
    if let Some(zone) = plain_zone(dt, vm, tz) {
        return Ok(if name == "dst" {
            None
        } else {
            Some(zone.offset)
        });
    }
    let method = vm.get_attr(tz, &vm.intern(name))?;
    let result = vm.call(&method, vec![arg])?;
    if result.is_none() {
        return Ok(None);
    }
    let Some(offset) = delta::delta_of(&result) else {
        let t = tp_name(vm, &result);
        return Err(vm.type_error(format!(
            "tzinfo.{name}() must return None or timedelta, not '{t}'"
        )));
    };
    if !offset.is_valid_offset() {
        let r = vm.repr_of(&result)?;
        return Err(vm.error(
            ExcType::ValueError,
            format!(
                "offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not {r}."
            ),
        ));
    }
    Ok(Some(offset))
}

/// `tz.tzname(arg)`, checked as CPython's `call_tzname`.
pub fn call_tzname(vm: &mut Vm, dt: &Dt, tz: &Value, arg: Value) -> PyResult<Option<String>> {
    if tz.is_none() {
        return Ok(None);
    }
    if let Some(zone) = plain_zone(dt, vm, tz) {
        return Ok(Some(zone.name_text()));
    }
    let method = vm.get_attr(tz, &vm.intern("tzname"))?;
    let result = vm.call(&method, vec![arg])?;
    match &result {
        Value::None => Ok(None),
        Value::Str(s) => Ok(Some(s.as_str().to_string())),
        other => match other.unwrap_builtin() {
            Value::Str(s) => Ok(Some(s.as_str().to_string())),
            _ => {
                let t = tp_name(vm, &result);
                Err(vm.type_error(format!(
                    "tzinfo.tzname() must return None or a string, not '{t}'"
                )))
            }
        },
    }
}

/// `+HH:MM[:SS[.ffffff]]` with a separator (isoformat, str) or without
/// (`%z`); empty for None.
pub fn format_offset(offset: Option<Delta>, sep: &str) -> String {
    let Some(offset) = offset else {
        return String::new();
    };
    let (sign, off) = if offset.days < 0 {
        ('-', offset.negated_unchecked())
    } else {
        ('+', offset)
    };
    let total = off.days * 86_400 + off.seconds;
    let (hours, rest) = (total / 3600, total % 3600);
    let (minutes, seconds) = (rest / 60, rest % 60);
    let mut s = format!("{sign}{hours:02}{sep}{minutes:02}");
    if seconds != 0 || off.micros != 0 {
        s.push_str(&format!("{sep}{seconds:02}"));
        if off.micros != 0 {
            s.push_str(&format!(".{:06}", off.micros));
        }
    }
    s
}

// ----------------------------------------------------------------- strftime

/// `strftime` of a date, time or datetime: `%z`, `%Z` and `%f` are
/// replaced first (CPython `wrap_strftime`), the rest goes to the C
/// library's rules (`time.strftime`, here [`super::time::format_tm`]).
pub fn strftime(
    vm: &mut Vm,
    dt: &Dt,
    this: &Value,
    format: &str,
    tm: &super::time::Tm,
    micro: i64,
    tz: &Value,
) -> PyResult<String> {
    let mut out = String::with_capacity(format.len());
    let mut chars = format.chars();
    let mut zreplace: Option<String> = None;
    let mut big_zreplace: Option<String> = None;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => out.push('%'),
            Some('f') => out.push_str(&format!("{micro:06}")),
            Some('z') => {
                if zreplace.is_none() {
                    let offset = call_offset(vm, dt, tz, "utcoffset", this.clone())?;
                    zreplace = Some(format_offset(offset, ""));
                }
                out.push_str(zreplace.as_deref().unwrap_or(""));
            }
            Some('Z') => {
                if big_zreplace.is_none() {
                    let name = call_tzname(vm, dt, tz, this.clone())?;
                    big_zreplace = Some(name.unwrap_or_default().replace('%', "%%"));
                }
                out.push_str(big_zreplace.as_deref().unwrap_or(""));
            }
            Some(other) => {
                out.push('%');
                out.push(other);
            }
        }
    }
    let timestamp = (calendar::ymd_to_ord(tm.year, tm.mon, tm.mday) - 719_163) * 86_400
        + tm.hour * 3600
        + tm.min * 60
        + tm.sec;
    Ok(super::time::format_tm(&out, tm, timestamp))
}

/// The format argument of `strftime`/`__format__`.
pub fn format_arg(vm: &mut Vm, args: &mut Args, fname: &str) -> PyResult<String> {
    let sig = CSig {
        fname: Some(if fname == "strftime" {
            "strftime"
        } else {
            "__format__"
        }),
        names: &["format"],
        required: 1,
        positional: 1,
    };
    let a = sig.bind(vm, args)?;
    let v = a[0].clone().unwrap_or(Value::None);
    match v.unwrap_builtin() {
        Value::Str(s) => Ok(s.as_str().to_string()),
        _ => {
            let t = vm.type_name(&v);
            Err(vm.type_error(if fname == "strftime" {
                format!("strftime() argument 1 must be str, not {t}")
            } else {
                format!("__format__() argument 1 must be str, not {t}")
            }))
        }
    }
}

/// A broken-down time for `format_tm`.
pub fn tm_of(ymd: Ymd, hour: i64, minute: i64, second: i64) -> super::time::Tm {
    super::time::Tm {
        year: ymd.year,
        mon: ymd.month,
        mday: ymd.day,
        hour,
        min: minute,
        sec: second,
        wday: calendar::weekday(ymd.year, ymd.month, ymd.day),
        yday: calendar::day_of_year(ymd.year, ymd.month, ymd.day),
    }
}

/// The wall clock: seconds since the epoch (SEMANTICS.md §2).
pub fn wall_clock(vm: &Vm) -> f64 {
    super::time::EPOCH + vm.host.now()
}

/// A hash of a few integers, stable across runs (CPython hashes dates by
/// their bytes with a per-process key, so no program can rely on it).
pub fn hash_ints(vm: &mut Vm, parts: &[i64]) -> PyResult<Value> {
    let tuple = Value::tuple(parts.iter().map(|p| Value::Int(*p)).collect());
    vm.hash_value(&tuple).map(Value::Int)
}
