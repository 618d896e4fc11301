//! `datetime.tzinfo` (the abstract base Python subclasses implement) and
//! `datetime.timezone` (fixed offsets, `timezone.utc`), after CPython's
//! `tzinfo_*` and `timezone_*` functions.

use super::delta::{delta_of, new_delta, Delta};
use super::moment::{moment_of, Moment};
use super::{
    install_comparisons, install_limits, install_methods, install_new, CSig, Dt, TzInfoBase,
};
use crate::builtins::{native_object, with_native};
use crate::bytecode::CmpOp;
use crate::value::{Args, PyResult, Value};
use crate::vm::{ExcType, Vm};

/// A fixed-offset time zone.
#[derive(Clone)]
pub struct Zone {
    pub offset: Delta,
    pub name: Option<String>,
}

impl Zone {
    /// `tzname()`: the name given, `UTC`, or `UTC±HH:MM[:SS[.ffffff]]`.
    pub fn name_text(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        if self.offset == Delta::ZERO {
            return "UTC".to_string();
        }
        format!("UTC{}", super::format_offset(Some(self.offset), ":"))
    }
}

/// A new timezone of an offset, checked as CPython's `new_timezone`
/// (a zero offset without a name is `timezone.utc` itself).
pub fn new_zone(vm: &mut Vm, dt: &Dt, offset: Delta, name: Option<String>) -> PyResult<Value> {
    if name.is_none() && offset == Delta::ZERO {
        return Ok(dt.utc.clone());
    }
    if !offset.is_valid_offset() {
        let r = format!("datetime.timedelta({})", offset.repr_args());
        return Err(vm.error(
            ExcType::ValueError,
            format!(
                "offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24), not {r}."
            ),
        ));
    }
    Ok(native_object(vm, &dt.timezone, Zone { offset, name }))
}

pub fn install(vm: &mut Vm, dt: &Dt) -> PyResult<()> {
    let base = dt.tzinfo.clone();
    install_new(vm, dt, &base, tzinfo_new);
    install_methods(
        vm,
        dt,
        &base,
        "tzinfo",
        &[
            ("utcoffset", abstract_utcoffset),
            ("dst", abstract_dst),
            ("tzname", abstract_tzname),
            ("fromutc", tzinfo_fromutc),
        ],
    );
    let class = dt.timezone.clone();
    install_new(vm, dt, &class, timezone_new);
    install_methods(
        vm,
        dt,
        &class,
        "timezone",
        &[
            ("__repr__", repr),
            ("__str__", str_),
            ("__hash__", hash),
            ("utcoffset", utcoffset),
            ("dst", dst),
            ("tzname", tzname),
            ("fromutc", timezone_fromutc),
            ("__copy__", copy),
            ("__deepcopy__", copy),
            ("__getinitargs__", getinitargs),
        ],
    );
    install_comparisons(&class, "timezone", compare);
    let hour =
        |h: i64, m: i64| Delta::from_micros_unchecked(i128::from(h * 3600 + m * 60) * 1_000_000);
    let min = native_object(
        vm,
        &class,
        Zone {
            offset: hour(-23, -59),
            name: None,
        },
    );
    let max = native_object(
        vm,
        &class,
        Zone {
            offset: hour(23, 59),
            name: None,
        },
    );
    class.dict.borrow_mut().set("utc", dt.utc.clone());
    install_limits(vm, dt, &class, min, max, None);
    Ok(())
}

fn tzinfo_new(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let cls = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("tzinfo.__new__(X): X is not a type object")),
    };
    Ok(native_object(vm, &cls, TzInfoBase))
}

fn abstract_method(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Value> {
    vm.receiver(name, args)?;
    Err(vm.error(
        ExcType::NotImplementedError,
        format!("a tzinfo subclass must implement {name}()"),
    ))
}

fn abstract_utcoffset(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    abstract_method(vm, args, "utcoffset")
}

fn abstract_dst(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    abstract_method(vm, args, "dst")
}

fn abstract_tzname(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    abstract_method(vm, args, "tzname")
}

/// `tzinfo.fromutc(dt)` for zones with a DST rule (CPython
/// `tzinfo_fromutc`).
fn tzinfo_fromutc(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("fromutc", args)?;
    let arg = super::one_arg(vm, args, "fromutc")?;
    let Some(m) = moment_of(&arg) else {
        return Err(vm.type_error("fromutc: argument must be a datetime"));
    };
    if !m.time.tz.is(&this) {
        return Err(vm.error(ExcType::ValueError, "fromutc: dt.tzinfo is not self"));
    }
    let Some(off) = super::call_offset(vm, dt, &this, "utcoffset", arg.clone())? else {
        return Err(vm.error(
            ExcType::ValueError,
            "fromutc: non-None utcoffset() result required",
        ));
    };
    let Some(dst) = super::call_offset(vm, dt, &this, "dst", arg.clone())? else {
        return Err(vm.error(
            ExcType::ValueError,
            "fromutc: non-None dst() result required",
        ));
    };
    let delta = off.total_micros() - dst.total_micros();
    let cls = vm.class_of(&arg);
    let shifted = super::moment::shifted(vm, &m, delta)?;
    let result = super::moment::new_datetime(vm, dt, &cls, shifted.clone())?;
    let Some(dst) = super::call_offset(vm, dt, &this, "dst", result.clone())? else {
        return Err(vm.error(
            ExcType::ValueError,
            "fromutc: tz.dst() gave inconsistent results; cannot convert",
        ));
    };
    if dst == Delta::ZERO {
        return Ok(result);
    }
    let again = super::moment::shifted(vm, &shifted, dst.total_micros())?;
    super::moment::new_datetime(vm, dt, &cls, again)
}

fn timezone_new(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    if matches!(args.positional.first(), Some(Value::Class(_))) {
        args.positional.remove(0);
    }
    let sig = CSig {
        fname: Some("timezone"),
        names: &["offset", "name"],
        required: 1,
        positional: 2,
    };
    let a = sig.bind(vm, args)?;
    let offset_value = a[0].clone().unwrap_or(Value::None);
    let Some(offset) = delta_of(&offset_value) else {
        let t = super::tp_name(vm, &offset_value);
        return Err(vm.type_error(format!(
            "timezone() argument 1 must be datetime.timedelta, not {t}"
        )));
    };
    let name = match &a[1] {
        None => None,
        Some(v) => match v.unwrap_builtin() {
            Value::Str(s) => Some(s.as_str().to_string()),
            _ => {
                let t = super::tp_name(vm, v);
                return Err(vm.type_error(format!("timezone() argument 2 must be str, not {t}")));
            }
        },
    };
    new_zone(vm, dt, offset, name)
}

fn this(vm: &mut Vm, args: &mut Args, method: &str) -> PyResult<(Value, Zone)> {
    super::receiver_data::<Zone>(vm, args, method, "datetime.timezone")
}

fn repr(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, z) = this(vm, args, "__repr__")?;
    if this.is(&dt.utc) {
        return Ok(Value::str("datetime.timezone.utc"));
    }
    let offset = format!("datetime.timedelta({})", z.offset.repr_args());
    Ok(Value::string(match &z.name {
        None => format!("datetime.timezone({offset})"),
        Some(name) => format!(
            "datetime.timezone({offset}, {})",
            crate::vm::repr::str_repr(name)
        ),
    }))
}

fn str_(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, z) = this(vm, args, "__str__")?;
    Ok(Value::string(z.name_text()))
}

fn hash(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, z) = this(vm, args, "__hash__")?;
    super::hash_ints(vm, &[z.offset.days, z.offset.seconds, z.offset.micros])
}

/// The `dt` argument of the timezone methods: a datetime or None.
fn dt_arg(vm: &mut Vm, args: &mut Args, method: &str) -> PyResult<Value> {
    let v = super::one_arg(vm, args, method)?;
    if v.is_none() || moment_of(&v).is_some() {
        return Ok(v);
    }
    let t = super::tp_name(vm, &v);
    Err(vm.type_error(format!(
        "{method}(dt) argument must be a datetime instance or None, not {t}"
    )))
}

fn utcoffset(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, z) = this(vm, args, "utcoffset")?;
    dt_arg(vm, args, "utcoffset")?;
    Ok(new_delta(vm, dt, z.offset))
}

fn dst(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    this(vm, args, "dst")?;
    dt_arg(vm, args, "dst")?;
    Ok(Value::None)
}

fn tzname(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, z) = this(vm, args, "tzname")?;
    dt_arg(vm, args, "tzname")?;
    Ok(Value::string(z.name_text()))
}

fn timezone_fromutc(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (this, z) = this(vm, args, "fromutc")?;
    let arg = super::one_arg(vm, args, "fromutc")?;
    let Some(m) = moment_of(&arg) else {
        return Err(vm.type_error("fromutc: argument must be a datetime"));
    };
    if !m.time.tz.is(&this) {
        return Err(vm.error(ExcType::ValueError, "fromutc: dt.tzinfo is not self"));
    }
    let cls = vm.class_of(&arg);
    let shifted: Moment = super::moment::shifted(vm, &m, z.offset.total_micros())?;
    super::moment::new_datetime(vm, dt, &cls, shifted)
}

fn copy(vm: &mut Vm, _dt: &Dt, args: &mut Args) -> PyResult<Value> {
    vm.receiver("__copy__", args)
}

fn getinitargs(vm: &mut Vm, dt: &Dt, args: &mut Args) -> PyResult<Value> {
    let (_, z) = this(vm, args, "__getinitargs__")?;
    let offset = new_delta(vm, dt, z.offset);
    Ok(Value::tuple(match z.name {
        Some(name) => vec![offset, Value::string(name)],
        None => vec![offset],
    }))
}

fn compare(vm: &mut Vm, args: &mut Args, op: CmpOp) -> PyResult<Value> {
    let this = vm.receiver("__eq__", args)?;
    let other = super::one_arg(vm, args, "__eq__")?;
    let mine = with_native::<Zone, _>(&this, |z| z.offset);
    let theirs = with_native::<Zone, _>(&other, |z| z.offset);
    match (mine, theirs, op) {
        (Some(a), Some(b), CmpOp::Eq) => Ok(Value::Bool(a == b)),
        (Some(a), Some(b), CmpOp::Ne) => Ok(Value::Bool(a != b)),
        // Zones do not order: CPython's fallback TypeError.
        (Some(_), Some(_), _) => {
            let t = super::tp_name(vm, &this);
            Err(vm.type_error(format!(
                "'{}' not supported between instances of '{t}' and '{t}'",
                super::cmp_symbol(op)
            )))
        }
        _ => super::compare_other(vm, op, &this, &other),
    }
}
