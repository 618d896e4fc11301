//! Constructors of the built-in classes (`int("12")`, `list(x)`,
//! `property(f)`, `super()`...), `object` and `type` methods, exception
//! construction, and `class` statements (`__build_class__`).

use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::Num;

use super::{add_methods, native_object, with_native};
use crate::value::{
    Args, Class, ExceptionData, Instance, IterState, Layout, Module, Payload, PyDict, PyRange,
    PyResult, PySet, PySlice, PyStr, SetObj, Value,
};
use crate::vm::attributes::PropertyData;
use crate::vm::protocols::native_iter;
use crate::vm::{ExcType, Vm};

pub fn install(vm: &mut Vm) {
    let t = &vm.types;
    add_methods(
        &t.object,
        "object",
        &[
            ("__new__", object_new),
            ("__init__", object_init),
            ("__repr__", object_repr),
            ("__str__", object_str),
            ("__eq__", object_eq),
            ("__ne__", object_ne),
            ("__hash__", object_hash),
            ("__setattr__", object_setattr),
            ("__getattribute__", object_getattribute),
            ("__delattr__", object_delattr),
            ("__format__", object_format),
            ("__init_subclass__", object_init_subclass),
        ],
    );
    add_methods(
        &t.type_,
        "type",
        &[("mro", type_mro), ("__subclasses__", type_subclasses)],
    );
    add_methods(&t.int, "int", &[("__new__", int_new)]);
    add_methods(&t.bool_, "bool", &[("__new__", bool_new)]);
    add_methods(&t.float, "float", &[("__new__", float_new)]);
    add_methods(&t.str_, "str", &[("__new__", str_new)]);
    add_methods(&t.bytes, "bytes", &[("__new__", bytes_new)]);
    add_methods(&t.tuple, "tuple", &[("__new__", tuple_new)]);
    add_methods(&t.frozenset, "frozenset", &[("__new__", frozenset_new)]);
    add_methods(
        &t.list,
        "list",
        &[("__new__", list_new), ("__init__", list_init)],
    );
    add_methods(
        &t.dict,
        "dict",
        &[("__new__", dict_new), ("__init__", dict_init)],
    );
    add_methods(
        &t.set,
        "set",
        &[("__new__", set_new), ("__init__", set_init)],
    );
    let named: &[(&str, &'static str, crate::value::NativeFnPtr)] = &[
        ("range", "range", range_new),
        ("slice", "slice", slice_new),
        ("enumerate", "enumerate", enumerate_new),
        ("zip", "zip", zip_new),
        ("map", "map", map_new),
        ("filter", "filter", filter_new),
        ("reversed", "reversed", reversed_new),
        ("property", "property", property_new),
        ("staticmethod", "staticmethod", staticmethod_new),
        ("classmethod", "classmethod", classmethod_new),
        ("super", "super", super_new),
    ];
    for (class, owner, f) in named {
        add_methods(&t.named(class), owner, &[("__new__", *f)]);
    }
    add_methods(
        &t.named("property"),
        "property",
        &[
            ("getter", property_getter),
            ("setter", property_setter),
            ("deleter", property_deleter),
        ],
    );
    let iterator_methods: &[(&str, crate::value::NativeFnPtr)] =
        &[("__iter__", iter_self), ("__next__", iter_next)];
    for name in crate::vm::types::ITERATOR_CLASSES {
        add_methods(&t.named(name), name, iterator_methods);
    }
    let base = t.exception(ExcType::BaseException);
    add_methods(
        &base,
        "BaseException",
        &[
            ("__new__", exception_new),
            ("__init__", exception_init),
            ("__str__", exception_str),
            ("__repr__", exception_repr),
            ("with_traceback", exception_with_traceback),
            ("add_note", exception_add_note),
        ],
    );
    add_methods(
        &t.named("GenericAlias"),
        "GenericAlias",
        &[("__repr__", generic_alias_repr)],
    );
    let group = t.exception(ExcType::BaseExceptionGroup);
    add_methods(
        &group,
        "BaseExceptionGroup",
        &[
            ("__new__", exception_group_new),
            ("__init__", object_init_ignore),
            ("split", exception_group_split),
            ("subgroup", exception_group_subgroup),
            ("derive", exception_group_derive),
        ],
    );
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

/// The instance `__new__` makes for a class of a built-in layout.
fn new_instance(vm: &Vm, class: &Rc<Class>, payload: Payload) -> Value {
    Value::Instance(Rc::new(Instance {
        class: std::cell::RefCell::new(class.clone()),
        dict: std::cell::RefCell::new(crate::value::AttrMap::with_capacity(
            class.instance_attributes.get() as usize,
        )),
        dict_object: Default::default(),
        payload,
        id: vm.ids.next(),
        finalizer: vm.finalizer_for(class),
    }))
}

/// The nearest built-in class in the MRO: what layout instances get.
fn builtin_base(class: &Rc<Class>) -> Layout {
    let special = |l: &Layout| *l != Layout::Object && *l != Layout::Special;
    if special(&class.layout) {
        return class.layout;
    }
    class
        .mro_tail
        .borrow()
        .iter()
        .map(|c| c.layout)
        .find(special)
        .unwrap_or(Layout::Object)
}

/// [`is_object_method`] for an interned name (no hashing of text).
fn is_object_slot(vm: &Vm, class: &Rc<Class>, name: &Rc<PyStr>) -> bool {
    match (
        class.lookup_name(name),
        vm.types.object.dict.borrow().get_name(name),
    ) {
        (Some(found), Some(base)) => found.is(base),
        _ => false,
    }
}

fn is_object_method(vm: &Vm, class: &Rc<Class>, name: &str) -> bool {
    match (class.lookup(name), vm.types.object.dict.borrow().get(name)) {
        (Some(found), Some(base)) => found.is(base),
        _ => false,
    }
}

// ----------------------------------------------------------------- object

fn object_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "object")?;
    let has_arguments = !args.positional.is_empty() || !args.keywords.is_empty();
    instantiate(vm, &class, has_arguments)
}

/// Whether `value` is `object.__new__` itself.
pub(crate) fn is_object_new(vm: &Vm, value: &Value) -> bool {
    match vm.types.object.dict.borrow().get_name(&vm.names.new) {
        Some(base) => value.is(base),
        None => false,
    }
}

/// `object.__new__(class, ...)`: a new instance of `class`;
/// `has_arguments` says whether the call passed any beyond the class.
pub(crate) fn instantiate(vm: &mut Vm, class: &Rc<Class>, has_arguments: bool) -> PyResult<Value> {
    let init = vm.names.init.clone();
    let init_is_object = has_arguments && is_object_slot(vm, class, &init);
    instantiate_checked(vm, class, init_is_object)
}

/// Whether `value` is `object.__init__` itself.
pub(crate) fn is_object_init(vm: &Vm, value: &Value) -> bool {
    match vm.types.object.dict.borrow().get_name(&vm.names.init) {
        Some(base) => value.is(base),
        None => false,
    }
}

/// [`instantiate`] once the caller knows whether arguments were passed to
/// a class whose `__init__` is `object.__init__` (`init_is_object`: the
/// "takes no arguments" error).
pub(crate) fn instantiate_checked(
    vm: &mut Vm,
    class: &Rc<Class>,
    init_is_object: bool,
) -> PyResult<Value> {
    let class = class.clone();
    if init_is_object {
        let name = class.name().as_str().to_string();
        return Err(vm.type_error(format!("{name}() takes no arguments")));
    }
    if class.builtin && class.layout == Layout::Special {
        let name = class.name().as_str().to_string();
        return Err(vm.type_error(format!("cannot create '{name}' instances")));
    }
    let payload = match builtin_base(&class) {
        Layout::Exception => Payload::Exception(ExceptionData::new(Value::tuple(Vec::new()))),
        Layout::List => Payload::List(Default::default()),
        Layout::Dict => Payload::Dict(PyDict::new()),
        Layout::Set => Payload::Set(SetObj {
            table: Default::default(),
        }),
        _ => Payload::None,
    };
    Ok(new_instance(vm, &class, payload))
}

fn object_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("__init__", args)?;
    if !args.positional.is_empty() || !args.keywords.is_empty() {
        let class = vm.class_of(&receiver);
        if is_object_method(vm, &class, "__new__") || !is_object_method(vm, &class, "__init__") {
            if is_object_method(vm, &class, "__init__") {
                let name = class.name().as_str().to_string();
                return Err(vm.type_error(format!("{name}() takes no arguments")));
            }
            return Err(vm.type_error(
                "object.__init__() takes exactly one argument (the instance to initialize)",
            ));
        }
    }
    Ok(Value::None)
}

fn object_init_ignore(_vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Ok(Value::None)
}

fn object_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("__repr__", args)?;
    let class = vm.class_of(&receiver);
    let id = match &receiver {
        Value::Instance(i) => i.id,
        Value::Native(n) => n.id,
        _ => 0,
    };
    let module = match class.dict.borrow().get("__module__") {
        Some(Value::Str(s)) => s.as_str().to_string(),
        _ => class.module.as_str().to_string(),
    };
    Ok(Value::string(format!(
        "<{module}.{} object at {}>",
        class.qualname.borrow().as_str(),
        crate::vm::repr::fake_address(id)
    )))
}

fn object_str(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("__str__", args)?;
    vm.repr_of(&receiver).map(Value::string)
}

fn object_eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("__eq__", args, &["self", "other"], 2)?;
    let (x, y) = (
        a[0].clone().unwrap_or(Value::None),
        a[1].clone().unwrap_or(Value::None),
    );
    Ok(if x.is(&y) {
        Value::Bool(true)
    } else {
        Value::NotImplemented
    })
}

fn object_ne(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("__ne__", args, &["self", "other"], 2)?;
    let (x, y) = (
        a[0].clone().unwrap_or(Value::None),
        a[1].clone().unwrap_or(Value::None),
    );
    let eq = vm.compare(crate::bytecode::CmpOp::Eq, &x, &y)?;
    if matches!(eq, Value::NotImplemented) {
        return Ok(eq);
    }
    Ok(Value::Bool(!vm.truthy(&eq)?))
}

fn object_hash(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("__hash__", args)?;
    let id = match &receiver {
        Value::Instance(i) => i.id,
        Value::Native(n) => n.id,
        _ => return vm.hash_value(&receiver).map(Value::Int),
    };
    Ok(Value::Int((id as i64).wrapping_mul(1_000_003) >> 1))
}

fn object_setattr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("__setattr__", args, &["self", "name", "value"], 3)?;
    let [Some(obj), Some(name), Some(value)] = [a[0].clone(), a[1].clone(), a[2].clone()] else {
        return Ok(Value::None);
    };
    let name = vm.expect_str(&name, "attribute name")?;
    vm.generic_set_attr(&obj, &name, value)?;
    Ok(Value::None)
}

fn object_getattribute(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("__getattribute__", args, &["self", "name"], 2)?;
    let [Some(obj), Some(name)] = [a[0].clone(), a[1].clone()] else {
        return Ok(Value::None);
    };
    let name = vm.expect_str(&name, "attribute name")?;
    let class = vm.class_of(&obj);
    vm.generic_get_attr(&obj, &class, &name)
}

fn object_delattr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("__delattr__", args, &["self", "name"], 2)?;
    let [Some(obj), Some(name)] = [a[0].clone(), a[1].clone()] else {
        return Ok(Value::None);
    };
    let name = vm.expect_str(&name, "attribute name")?;
    let removed = match &obj {
        Value::Instance(i) => vm.remove_instance_attribute(i, name.as_str())?,
        _ => None,
    };
    match removed {
        Some(_) => Ok(Value::None),
        None => Err(vm.no_attribute(&obj, name.as_str())),
    }
}

fn object_format(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("__format__", args, &["self", "format_spec"], 2)?;
    let obj = a[0].clone().unwrap_or(Value::None);
    let spec = a[1].clone().unwrap_or(Value::None);
    let spec = vm.expect_str(&spec, "format_spec")?;
    if !spec.as_str().is_empty() {
        let t = vm.type_name(&obj);
        return Err(vm.type_error(format!(
            "unsupported format string passed to {t}.__format__"
        )));
    }
    vm.str_of(&obj).map(Value::string)
}

fn object_init_subclass(_vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Ok(Value::None)
}

fn type_mro(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("mro", args)?;
    match receiver {
        Value::Class(c) => Ok(Value::list(c.mro().into_iter().map(Value::Class).collect())),
        _ => Err(vm.type_error("descriptor 'mro' requires a 'type' object")),
    }
}

fn type_subclasses(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = vm.receiver("__subclasses__", args)?;
    Err(vm.unsupported("type.__subclasses__()"))
}

// ----------------------------------------------------------------- numbers

/// Parses an int literal the way `int(str, base)` does.
pub fn parse_int(text: &str, base: u32) -> Option<BigInt> {
    let trimmed = text.trim_matches(|c: char| crate::text::is_space(c));
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let (base, digits) = if base == 0 || base == 16 || base == 8 || base == 2 {
        let lower = digits.to_ascii_lowercase();
        let prefixed = |p: &str, b: u32| lower.starts_with(p) && (base == 0 || base == b);
        if prefixed("0x", 16) {
            (16, &digits[2..])
        } else if prefixed("0o", 8) {
            (8, &digits[2..])
        } else if prefixed("0b", 2) {
            (2, &digits[2..])
        } else if base == 0 {
            if digits.len() > 1
                && digits.starts_with('0')
                && digits.chars().any(|c| c != '0' && c != '_')
            {
                return None;
            }
            (10, digits)
        } else {
            (base, digits)
        }
    } else {
        (base, digits)
    };
    let digits = digits
        .strip_prefix('_')
        .filter(|_| base != 10)
        .unwrap_or(digits);
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if !clean.chars().all(|c| c.is_ascii_alphanumeric()) {
        // Unicode decimal digits (e.g. Arabic-Indic) are accepted by CPython.
        let converted: Option<String> = clean
            .chars()
            .map(|c| {
                c.to_digit(10)
                    .map(|d| char::from(b'0' + d as u8))
                    .or_else(|| unicode_digit(c))
            })
            .collect();
        let converted = converted?;
        let value = BigInt::from_str_radix(&converted, base).ok()?;
        return Some(if negative { -value } else { value });
    }
    let value = BigInt::from_str_radix(&clean, base).ok()?;
    Some(if negative { -value } else { value })
}

fn unicode_digit(c: char) -> Option<char> {
    let code = c as u32;
    for zero in [0x660u32, 0x6f0, 0x966, 0x9e6, 0xff10] {
        if (zero..zero + 10).contains(&code) {
            return Some(char::from(b'0' + (code - zero) as u8));
        }
    }
    None
}

fn wrap_value(vm: &Vm, class: &Rc<Class>, base: &Rc<Class>, value: Value) -> Value {
    if Rc::ptr_eq(class, base) {
        value
    } else {
        new_instance(vm, class, Payload::Value(std::cell::RefCell::new(value)))
    }
}

fn int_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "int")?;
    let a = vm.parse_args("int", args, &["x", "base"], 0)?;
    let value = match (&a[0], &a[1]) {
        (None, None) => Value::Int(0),
        (None, Some(_)) => return Err(vm.type_error("int() missing string argument")),
        (Some(x), None) => int_from(vm, x)?,
        (Some(x), Some(base)) => {
            let base_value = vm.to_index(base)?;
            if base_value != 0 && !(2..=36).contains(&base_value) {
                return Err(vm.error(
                    ExcType::ValueError,
                    "int() base must be >= 2 and <= 36, or 0",
                ));
            }
            let text = match x.unwrap_builtin() {
                Value::Str(s) => s.as_str().to_string(),
                Value::Bytes(b) => String::from_utf8_lossy(&b.data).to_string(),
                _ => return Err(vm.type_error("int() can't convert non-string with explicit base")),
            };
            match parse_int(&text, base_value as u32) {
                Some(v) => Value::from_bigint(v),
                None => {
                    let repr = crate::vm::repr::str_repr(&text);
                    return Err(vm.error(
                        ExcType::ValueError,
                        format!("invalid literal for int() with base {base_value}: {repr}"),
                    ));
                }
            }
        }
    };
    let int = vm.types.int.clone();
    Ok(wrap_value(vm, &class, &int, value))
}

/// `int(x)` for one argument.
pub fn int_from(vm: &mut Vm, x: &Value) -> PyResult<Value> {
    Ok(match x {
        Value::Int(_) | Value::BigInt(_) => x.clone(),
        Value::Bool(b) => Value::Int(*b as i64),
        Value::Float(f) => {
            if f.is_nan() {
                return Err(vm.error(ExcType::ValueError, "cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(vm.error(
                    ExcType::OverflowError,
                    "cannot convert float infinity to integer",
                ));
            }
            Value::from_bigint(crate::numbers::float_to_bigint(f.trunc()).unwrap_or_default())
        }
        Value::Str(s) => {
            if s.as_str().len() > crate::numbers::MAX_INT_DIGITS + 2
                && s.as_str().chars().filter(|c| c.is_ascii_digit()).count()
                    > crate::numbers::MAX_INT_DIGITS
            {
                return Err(vm.error(
                    ExcType::ValueError,
                    format!(
                        "Exceeds the limit ({} digits) for integer string conversion: value has {} digits; use sys.set_int_max_str_digits() to increase the limit",
                        crate::numbers::MAX_INT_DIGITS,
                        s.as_str().chars().filter(|c| c.is_ascii_digit()).count()
                    ),
                ));
            }
            match parse_int(s.as_str(), 10) {
                Some(v) => Value::from_bigint(v),
                None => {
                    let repr = crate::vm::repr::str_repr(s.as_str());
                    return Err(vm.error(
                        ExcType::ValueError,
                        format!("invalid literal for int() with base 10: {repr}"),
                    ));
                }
            }
        }
        _ => {
            for name in ["__int__", "__index__", "__trunc__"] {
                if let Some(r) = vm.call_special(x, name, Vec::new())? {
                    return Ok(r);
                }
            }
            if let Some(inner) = x.builtin_payload() {
                return int_from(vm, &inner);
            }
            let t = vm.type_name(x);
            return Err(vm.type_error(format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{t}'"
            )));
        }
    })
}

fn bool_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "bool")?;
    let a = vm.parse_args("bool", args, &["x"], 0)?;
    match &a[0] {
        None => Ok(Value::Bool(false)),
        Some(x) => vm.truthy(x).map(Value::Bool),
    }
}

/// Parses a float the way `float(str)` does.
pub fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim_matches(|c: char| crate::text::is_space(c));
    let lower = t.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        return lower.replace("infinity", "inf").parse::<f64>().ok();
    }
    if t.is_empty() || t.contains("__") || t.starts_with('_') || t.ends_with('_') {
        return None;
    }
    let clean: String = t.chars().filter(|c| *c != '_').collect();
    if clean
        .chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')))
    {
        return None;
    }
    clean.parse::<f64>().ok()
}

fn float_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "float")?;
    let a = vm.parse_args("float", args, &["x"], 0)?;
    let value = match &a[0] {
        None => Value::Float(0.0),
        Some(x) => Value::Float(float_from(vm, x)?),
    };
    let float = vm.types.float.clone();
    Ok(wrap_value(vm, &class, &float, value))
}

pub fn float_from(vm: &mut Vm, x: &Value) -> PyResult<f64> {
    match x.unwrap_builtin() {
        Value::Str(s) => parse_float(s.as_str()).ok_or_else(|| {
            let repr = crate::vm::repr::str_repr(s.as_str());
            vm.error(
                ExcType::ValueError,
                format!("could not convert string to float: {repr}"),
            )
        }),
        Value::Float(f) => Ok(f),
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => {
            vm.expect_f64(&x.unwrap_builtin(), "float() argument")
        }
        _ => {
            if let Some(r) = vm.call_special(x, "__float__", Vec::new())? {
                return vm.expect_f64(&r, "float() argument");
            }
            if let Some(r) = vm.call_special(x, "__index__", Vec::new())? {
                return vm.expect_f64(&r, "float() argument");
            }
            let t = vm.type_name(x);
            Err(vm.type_error(format!(
                "float() argument must be a string or a real number, not '{t}'"
            )))
        }
    }
}

fn str_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "str")?;
    let a = vm.parse_args("str", args, &["object", "encoding", "errors"], 0)?;
    let value = match (&a[0], &a[1]) {
        (None, _) => Value::str(""),
        (Some(Value::Bytes(b)), Some(_)) => match String::from_utf8(b.data.clone()) {
            Ok(s) => Value::string(s),
            Err(_) => return Err(vm.error(ExcType::ValueError, "invalid utf-8 in bytes")),
        },
        (Some(x), _) => Value::string(vm.str_of(x)?),
    };
    let str_ = vm.types.str_.clone();
    Ok(wrap_value(vm, &class, &str_, value))
}

fn bytes_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "bytes")?;
    let a = vm.parse_args("bytes", args, &["source", "encoding", "errors"], 0)?;
    Ok(match &a[0] {
        None => Value::bytes(Vec::new()),
        Some(Value::Str(s)) => {
            if a[1].is_none() {
                return Err(vm.type_error("string argument without an encoding"));
            }
            Value::bytes(s.as_str().as_bytes().to_vec())
        }
        Some(Value::Int(n)) => {
            if *n < 0 {
                return Err(vm.error(ExcType::ValueError, "negative count"));
            }
            vm.check_size(*n as usize)?;
            Value::bytes(vec![0; *n as usize])
        }
        Some(other) => {
            let items = vm.collect(other)?;
            let mut data = Vec::with_capacity(items.len());
            for item in items {
                let b = vm.to_index(&item)?;
                if !(0..256).contains(&b) {
                    return Err(vm.error(ExcType::ValueError, "bytes must be in range(0, 256)"));
                }
                data.push(b as u8);
            }
            Value::bytes(data)
        }
    })
}

fn tuple_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "tuple")?;
    let a = vm.parse_args("tuple", args, &["iterable"], 0)?;
    let items = match &a[0] {
        None => Vec::new(),
        Some(x) => vm.collect(x)?,
    };
    let tuple = vm.types.tuple.clone();
    Ok(wrap_value(vm, &class, &tuple, Value::tuple(items)))
}

fn frozenset_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "frozenset")?;
    let a = vm.parse_args("frozenset", args, &["iterable"], 0)?;
    let items = match &a[0] {
        None => Vec::new(),
        Some(x) => vm.collect(x)?,
    };
    let set = vm.new_set(items)?;
    let Value::Set(obj) = set else {
        return Ok(Value::None);
    };
    let frozen = Value::FrozenSet(obj);
    if Rc::ptr_eq(&class, &vm.types.frozenset) {
        return Ok(frozen);
    }
    let table = frozen
        .as_set()
        .map(|s| s.table.borrow().clone())
        .unwrap_or_default();
    Ok(new_instance(
        vm,
        &class,
        Payload::Set(SetObj {
            table: std::cell::RefCell::new(table),
        }),
    ))
}

fn list_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "list")?;
    if Rc::ptr_eq(&class, &vm.types.list) {
        return Ok(Value::list(Vec::new()));
    }
    Ok(new_instance(vm, &class, Payload::List(Default::default())))
}

fn list_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("list", args)?;
    let a = vm.parse_args("list", args, &["iterable"], 0)?;
    let items = match &a[0] {
        None => Vec::new(),
        Some(x) => vm.collect(x)?,
    };
    if let Some(list) = receiver.as_list() {
        *list.borrow_mut() = items;
    }
    Ok(Value::None)
}

fn dict_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "dict")?;
    if Rc::ptr_eq(&class, &vm.types.dict) {
        return Ok(Value::Dict(Rc::new(PyDict::new())));
    }
    Ok(new_instance(vm, &class, Payload::Dict(PyDict::new())))
}

fn dict_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("dict", args)?;
    if args.positional.len() > 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!("dict expected at most 1 argument, got {n}")));
    }
    if let Some(source) = args.positional.first().cloned() {
        vm.dict_update(&receiver, &source, false)?;
    }
    for (k, v) in std::mem::take(&mut args.keywords) {
        if let Some(d) = receiver.as_dict() {
            d.set(vm, Value::Str(k), v)?;
        }
    }
    Ok(Value::None)
}

fn set_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "set")?;
    if Rc::ptr_eq(&class, &vm.types.set) {
        return Ok(Value::Set(Rc::new(SetObj {
            table: std::cell::RefCell::new(PySet::new()),
        })));
    }
    Ok(new_instance(
        vm,
        &class,
        Payload::Set(SetObj {
            table: Default::default(),
        }),
    ))
}

fn set_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("set", args)?;
    let a = vm.parse_args("set", args, &["iterable"], 0)?;
    if let Some(obj) = receiver.as_set() {
        obj.table.borrow_mut().clear();
    }
    if let Some(x) = &a[0] {
        for item in vm.collect(x)? {
            vm.set_add(&receiver, item)?;
        }
    }
    Ok(Value::None)
}

// ----------------------------------------------------------------- ranges, iterators

fn range_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "range")?;
    if !args.keywords.is_empty() {
        return Err(vm.type_error("range() takes no keyword arguments"));
    }
    let mut ints = Vec::new();
    for v in std::mem::take(&mut args.positional) {
        let i = match &v {
            Value::Int(_) | Value::BigInt(_) => v.clone(),
            Value::Bool(b) => Value::Int(*b as i64),
            _ => {
                if let Some(r) = vm.call_special(&v, "__index__", Vec::new())? {
                    r
                } else {
                    let t = vm.type_name(&v);
                    return Err(
                        vm.type_error(format!("'{t}' object cannot be interpreted as an integer"))
                    );
                }
            }
        };
        ints.push(i);
    }
    let (start, stop, step) = match ints.len() {
        1 => (Value::Int(0), ints[0].clone(), Value::Int(1)),
        2 => (ints[0].clone(), ints[1].clone(), Value::Int(1)),
        3 => (ints[0].clone(), ints[1].clone(), ints[2].clone()),
        0 => return Err(vm.type_error("range expected at least 1 argument, got 0")),
        n => return Err(vm.type_error(format!("range expected at most 3 arguments, got {n}"))),
    };
    if matches!(step, Value::Int(0)) {
        return Err(vm.error(ExcType::ValueError, "range() arg 3 must not be zero"));
    }
    Ok(Value::Range(Rc::new(PyRange { start, stop, step })))
}

fn slice_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "slice")?;
    let p = std::mem::take(&mut args.positional);
    let (start, stop, step) = match p.len() {
        1 => (Value::None, p[0].clone(), Value::None),
        2 => (p[0].clone(), p[1].clone(), Value::None),
        3 => (p[0].clone(), p[1].clone(), p[2].clone()),
        n => return Err(vm.type_error(format!("slice expected at least 1 argument, got {n}"))),
    };
    Ok(Value::Slice(Rc::new(PySlice { start, stop, step })))
}

fn enumerate_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "enumerate")?;
    let a = vm.parse_args("enumerate", args, &["iterable", "start"], 1)?;
    let inner = vm.get_iter(a[0].as_ref().unwrap_or(&Value::None))?;
    let count = a[1].clone().unwrap_or(Value::Int(0));
    Ok(native_iter(IterState::Enumerate { inner, count }))
}

fn zip_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "zip")?;
    let strict = match args.take_keyword("strict") {
        Some(v) => vm.truthy(&v)?,
        None => false,
    };
    if let Some((k, _)) = args.keywords.first() {
        let k = k.as_str().to_string();
        return Err(vm.type_error(format!("zip() got an unexpected keyword argument '{k}'")));
    }
    let mut iters = Vec::new();
    for (i, v) in std::mem::take(&mut args.positional).iter().enumerate() {
        match vm.get_iter(v) {
            Ok(it) => iters.push(it),
            Err(_) => {
                let t = vm.type_name(v);
                let _ = t;
                return Err(
                    vm.type_error(format!("zip argument #{} must support iteration", i + 1))
                );
            }
        }
    }
    Ok(native_iter(IterState::Zip { iters, strict }))
}

fn map_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "map")?;
    if args.positional.len() < 2 {
        return Err(vm.type_error("map() must have at least two arguments."));
    }
    let func = args.positional.remove(0);
    let mut iters = Vec::new();
    for v in std::mem::take(&mut args.positional) {
        iters.push(vm.get_iter(&v)?);
    }
    Ok(native_iter(IterState::Map { func, iters }))
}

fn filter_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "filter")?;
    let a = vm.parse_args("filter", args, &["function", "iterable"], 2)?;
    let func = a[0].clone().unwrap_or(Value::None);
    let inner = vm.get_iter(a[1].as_ref().unwrap_or(&Value::None))?;
    Ok(native_iter(IterState::Filter { func, inner }))
}

fn reversed_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "reversed")?;
    let a = vm.parse_args("reversed", args, &["sequence"], 1)?;
    let seq = a[0].clone().unwrap_or(Value::None);
    if let Some(r) = vm.call_special(&seq, "__reversed__", Vec::new())? {
        return Ok(r);
    }
    match &seq {
        Value::List(_) | Value::Tuple(_) | Value::Str(_) | Value::Range(_) | Value::Bytes(_) => {
            let items = match &seq {
                Value::List(_) => seq.clone(),
                _ => Value::tuple(vm.collect(&seq)?),
            };
            let index = vm.len_of(&items)?;
            Ok(native_iter(IterState::Reversed { seq: items, index }))
        }
        Value::Dict(d) => {
            let mut keys = d.keys();
            keys.reverse();
            Ok(native_iter(IterState::Items {
                items: keys,
                index: 0,
            }))
        }
        _ => {
            let class = vm.class_of(&seq);
            if class.lookup("__getitem__").is_some() && class.lookup("__len__").is_some() {
                let index = vm.len_of(&seq)?;
                return Ok(native_iter(IterState::Reversed { seq, index }));
            }
            let t = class.name().as_str().to_string();
            Err(vm.type_error(format!("'{t}' object is not reversible")))
        }
    }
}

fn iter_self(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    vm.receiver("__iter__", args)
}

fn iter_next(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let it = vm.receiver("__next__", args)?;
    match vm.next_value(&it)? {
        Some(v) => Ok(v),
        None => Err(crate::value::Unwind::Exception(
            vm.stop_iteration(Value::None),
        )),
    }
}

// ----------------------------------------------------------------- descriptors

fn property_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "property")?;
    let a = vm.parse_args("property", args, &["fget", "fset", "fdel", "doc"], 0)?;
    let get = |i: usize| a[i].clone().unwrap_or(Value::None);
    let class = vm.types.named("property");
    Ok(native_object(
        vm,
        &class,
        PropertyData {
            fget: get(0),
            fset: get(1),
            fdel: get(2),
            doc: get(3),
        },
    ))
}

fn property_copy(vm: &mut Vm, args: &mut Args, which: usize) -> PyResult<Value> {
    let a = vm.parse_args("setter", args, &["self", "func"], 2)?;
    let this = a[0].clone().unwrap_or(Value::None);
    let func = a[1].clone().unwrap_or(Value::None);
    let data = with_native::<PropertyData, _>(&this, |p| {
        [
            p.fget.clone(),
            p.fset.clone(),
            p.fdel.clone(),
            p.doc.clone(),
        ]
    });
    let Some(mut parts) = data else {
        return Err(vm.type_error("descriptor requires a 'property' object"));
    };
    parts[which] = func;
    let class = vm.types.named("property");
    let [fget, fset, fdel, doc] = parts;
    Ok(native_object(
        vm,
        &class,
        PropertyData {
            fget,
            fset,
            fdel,
            doc,
        },
    ))
}

fn property_getter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    property_copy(vm, args, 0)
}

fn property_setter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    property_copy(vm, args, 1)
}

fn property_deleter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    property_copy(vm, args, 2)
}

fn staticmethod_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "staticmethod")?;
    let a = vm.parse_args("staticmethod", args, &["function"], 1)?;
    let class = vm.types.named("staticmethod");
    Ok(native_object(
        vm,
        &class,
        a[0].clone().unwrap_or(Value::None),
    ))
}

fn classmethod_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "classmethod")?;
    let a = vm.parse_args("classmethod", args, &["function"], 1)?;
    let class = vm.types.named("classmethod");
    Ok(native_object(
        vm,
        &class,
        a[0].clone().unwrap_or(Value::None),
    ))
}

/// The state of a `super` object: where to start looking, and for whom.
pub struct SuperData {
    pub start_after: Rc<Class>,
    pub receiver: Value,
}

fn super_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = first_class(vm, args, "super")?;
    let a = vm.parse_args("super", args, &["type", "object"], 0)?;
    let (Some(Value::Class(start)), Some(receiver)) = (a[0].clone(), a[1].clone()) else {
        return Err(vm.error(ExcType::RuntimeError, "super(): no arguments"));
    };
    let ok = match &receiver {
        Value::Class(c) => c.is_subclass_of(&start),
        other => vm.class_of(other).is_subclass_of(&start),
    };
    if !ok {
        return Err(vm.type_error("super(type, obj): obj must be an instance or subtype of type"));
    }
    let class = vm.types.named("super");
    Ok(native_object(
        vm,
        &class,
        SuperData {
            start_after: start,
            receiver,
        },
    ))
}

/// Attribute lookup through a `super` object.
pub fn super_get_attr(
    vm: &mut Vm,
    data: (Rc<Class>, Value),
    name: &str,
) -> PyResult<Option<Value>> {
    let (start, receiver) = data;
    let owner = match &receiver {
        Value::Class(c) => c.clone(),
        other => vm.class_of(other),
    };
    let mro = owner.mro();
    let position = mro
        .iter()
        .position(|c| Rc::ptr_eq(c, &start))
        .unwrap_or(mro.len());
    for class in mro.iter().skip(position + 1) {
        let found = class.dict.borrow().get(name).cloned();
        if let Some(found) = found {
            let instance = match &receiver {
                Value::Class(_) => Value::None,
                other => other.clone(),
            };
            // CPython super_getattro: binds with obj (or None) and the type.
            if let (Value::None, Value::Native(n)) = (&instance, &found) {
                if n.class.name().as_str() == "classmethod" {
                    return vm
                        .descriptor_get(&found, Value::None, Value::Class(owner))
                        .map(Some);
                }
            }
            if instance.is_none() {
                return vm
                    .descriptor_get(&found, Value::None, Value::Class(owner))
                    .map(Some);
            }
            return vm
                .descriptor_get(&found, instance, Value::Class(owner))
                .map(Some);
        }
    }
    Ok(None)
}

// ----------------------------------------------------------------- exceptions

fn exception_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "BaseException")?;
    let positional = std::mem::take(&mut args.positional);
    if class.is_subclass_of(&vm.types.exception(ExcType::OSError)) {
        return Ok(super::os_error::new_os_error(vm, &class, positional));
    }
    let exc = vm.new_exception(&class, positional);
    Ok(exc)
}

fn exception_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("__init__", args)?;
    if vm.is_exception(&receiver, ExcType::OSError) {
        let positional = std::mem::take(&mut args.positional);
        super::os_error::init_os_error(vm, &receiver, positional);
        return Ok(Value::None);
    }
    if let Some(data) = receiver.as_exception() {
        *data.args.borrow_mut() = Value::tuple(std::mem::take(&mut args.positional));
    }
    Ok(Value::None)
}

fn exception_str(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("__str__", args)?;
    vm.exception_str(&receiver).map(Value::string)
}

fn exception_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("__repr__", args)?;
    vm.exception_repr(&receiver).map(Value::string)
}

fn exception_with_traceback(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let receiver = vm.receiver("with_traceback", args)?;
    Ok(receiver)
}

fn exception_add_note(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("add_note", args, &["self", "note"], 2)?;
    let exc = a[0].clone().unwrap_or(Value::None);
    let note = a[1].clone().unwrap_or(Value::None);
    if !matches!(note, Value::Str(_)) {
        let t = vm.type_name(&note);
        return Err(vm.type_error(format!("note must be a str, not '{t}'")));
    }
    if let Value::Instance(i) = &exc {
        let existing = crate::vm::attributes::instance_attribute(i, "__notes__");
        match existing {
            Some(Value::List(l)) => l.borrow_mut().push(note),
            _ => {
                let name = vm.intern("__notes__");
                vm.set_instance_attribute(i, &name, Value::list(vec![note]));
            }
        }
    }
    Ok(Value::None)
}

fn exception_group_split(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("split", args, &["self", "condition"], 2)?;
    let (Some(group), Some(condition)) = (a[0].clone(), a[1].clone()) else {
        return Ok(Value::None);
    };
    let (matched, rest) = vm.exception_group_split(&group, &condition)?;
    Ok(Value::tuple(vec![matched, rest]))
}

fn exception_group_subgroup(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("subgroup", args, &["self", "condition"], 2)?;
    let (Some(group), Some(condition)) = (a[0].clone(), a[1].clone()) else {
        return Ok(Value::None);
    };
    let (matched, _) = vm.exception_group_split(&group, &condition)?;
    Ok(matched)
}

fn exception_group_derive(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("derive", args, &["self", "excs"], 2)?;
    let (Some(group), Some(members)) = (a[0].clone(), a[1].clone()) else {
        return Ok(Value::None);
    };
    vm.exception_group_derive(&group, members)
}

fn exception_group_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "BaseExceptionGroup")?;
    let a = vm.parse_args("BaseExceptionGroup", args, &["message", "exceptions"], 2)?;
    let message = a[0].clone().unwrap_or(Value::None);
    if !matches!(message, Value::Str(_)) {
        let t = vm.type_name(&message);
        return Err(vm.type_error(format!("argument 1 must be str, not {t}")));
    }
    let members_value = a[1].clone().unwrap_or(Value::None);
    if !matches!(members_value, Value::List(_) | Value::Tuple(_)) {
        return Err(vm.type_error("second argument (exceptions) must be a sequence"));
    }
    let members = vm.collect(&members_value)?;
    if members.is_empty() {
        return Err(vm.error(
            ExcType::ValueError,
            "second argument (exceptions) must be a non-empty sequence",
        ));
    }
    for (i, m) in members.iter().enumerate() {
        if m.as_exception().is_none() {
            return Err(vm.error(
                ExcType::ValueError,
                format!("Item {i} of second argument (exceptions) is not an exception"),
            ));
        }
    }
    let all_exceptions = members
        .iter()
        .all(|m| vm.is_exception(m, ExcType::Exception));
    let base_group = vm.types.exception(ExcType::BaseExceptionGroup);
    let group = vm.types.exception(ExcType::ExceptionGroup);
    let class = if Rc::ptr_eq(&class, &base_group) && all_exceptions {
        group
    } else {
        if class.is_subclass_of(&group) && !all_exceptions {
            return Err(vm.type_error("Cannot nest BaseExceptions in an ExceptionGroup"));
        }
        class
    };
    // args keep the sequence as given; `.exceptions` is always a tuple.
    Ok(vm.new_exception(&class, vec![message, members_value]))
}

// ----------------------------------------------------------------- classes

/// Built-in types CPython lets programs subclass (they have
/// `Py_TPFLAGS_BASETYPE`) but whose instances here are special values
/// that a subclass could not carry: subclassing them is unsupported, not
/// the `TypeError` CPython gives for its final types (`bool`, `range`, ...).
const SUBCLASSABLE_SPECIAL_TYPES: &[&str] = &[
    "type",
    "property",
    "staticmethod",
    "classmethod",
    "super",
    "enumerate",
    "zip",
    "map",
    "filter",
    "reversed",
    "bytearray",
    "complex",
];

/// `__build_class__(body, name, *bases, metaclass=None, **kwds)`.
pub fn build_class(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    if args.positional.len() < 2 {
        return Err(vm.type_error("__build_class__: not enough arguments"));
    }
    let body = args.positional.remove(0);
    let name = args.positional.remove(0);
    let name = vm.expect_str(&name, "__build_class__ name")?;
    let bases_values = std::mem::take(&mut args.positional);
    if let Some(meta) = args.take_keyword("metaclass") {
        let is_abc = matches!(&meta, Value::Class(c) if c.name().as_str() == "ABCMeta");
        if !is_abc && !matches!(&meta, Value::Class(c) if Rc::ptr_eq(c, &vm.types.type_)) {
            return Err(vm.unsupported("custom metaclasses"));
        }
    }
    let mut bases = Vec::new();
    for b in &bases_values {
        match b {
            Value::Class(c) => {
                if c.builtin && c.layout == Layout::Special && !Rc::ptr_eq(c, &vm.types.object) {
                    let n = c.name().as_str().to_string();
                    if SUBCLASSABLE_SPECIAL_TYPES.contains(&n.as_str()) {
                        return Err(
                            vm.unsupported(format!("subclasses of the built-in type '{n}'"))
                        );
                    }
                    return Err(vm.type_error(format!("type '{n}' is not an acceptable base type")));
                }
                bases.push(c.clone())
            }
            other => {
                if let Some(r) = vm.get_attr_opt(other, "__mro_entries__")? {
                    let entries = vm.call(&r, vec![Value::tuple(bases_values.clone())])?;
                    for e in vm.collect(&entries)? {
                        if let Value::Class(c) = e {
                            bases.push(c);
                        }
                    }
                    continue;
                }
                return Err(vm.type_error("bases must be types"));
            }
        }
    }
    let Value::Function(body_fn) = body else {
        return Err(vm.type_error("__build_class__: func must be a function"));
    };
    let namespace = Rc::new(Module {
        name: name.clone(),
        dict: Default::default(),
    });
    let module_name = body_fn
        .globals
        .dict
        .borrow()
        .get("__name__")
        .cloned()
        .unwrap_or(Value::str("__main__"));
    namespace.dict.borrow_mut().set("__module__", module_name);
    let cell = vm.run_class_body(&body_fn, namespace.clone())?;
    let class = make_class(vm, name.as_str(), bases, &namespace)?;
    if let Some(cell) = cell {
        *cell.value.borrow_mut() = Some(Value::Class(class.clone()));
    }
    let class_value = Value::Class(class.clone());
    // __set_name__ and __init_subclass__ (PEP 487).
    let entries: Vec<(Rc<PyStr>, Value)> = class.dict.borrow().iter().cloned().collect();
    for (key, value) in entries {
        if matches!(value, Value::Instance(_)) {
            if let Some(set_name) = vm.class_of(&value).lookup("__set_name__") {
                vm.call(
                    &set_name,
                    vec![value.clone(), class_value.clone(), Value::Str(key)],
                )?;
            }
        }
    }
    let kwargs = std::mem::take(&mut args.keywords);
    let parent_hook = class
        .mro_tail
        .borrow()
        .iter()
        .find_map(|c| c.dict.borrow().get("__init_subclass__").cloned());
    if let Some(hook) = parent_hook {
        let hook = match &hook {
            Value::Function(_) => vm.bind(hook.clone(), class_value.clone()),
            Value::Native(_) => vm.descriptor_get(&hook, Value::None, class_value.clone())?,
            _ => vm.bind(hook.clone(), class_value.clone()),
        };
        vm.call_with(&hook, Vec::new(), kwargs)?;
    }
    Ok(class_value)
}

/// Creates a class object from a finished namespace.
pub fn make_class(
    vm: &mut Vm,
    name: &str,
    mut bases: Vec<Rc<Class>>,
    namespace: &Module,
) -> PyResult<Rc<Class>> {
    if bases.is_empty() {
        bases.push(vm.types.object.clone());
    }
    let layouts: Vec<Layout> = bases
        .iter()
        .map(builtin_base)
        .filter(|l| *l != Layout::Object)
        .collect();
    if layouts.windows(2).any(|w| w[0] != w[1]) {
        return Err(vm.type_error("multiple bases have instance lay-out conflict"));
    }
    let layout = layouts.first().copied().unwrap_or(Layout::Object);
    let module = match namespace.dict.borrow().get("__module__") {
        Some(Value::Str(s)) => s.as_str().to_string(),
        _ => "__main__".to_string(),
    };
    let class = match crate::vm::types::new_class(&vm.ids, name, &module, bases, layout, false) {
        Ok(c) => c,
        Err(message) => return Err(vm.type_error(message)),
    };
    let entries: Vec<(Rc<PyStr>, Value)> = namespace.dict.borrow().iter().cloned().collect();
    {
        let mut dict = class.dict.borrow_mut();
        for (k, v) in entries {
            match k.as_str() {
                "__qualname__" => {
                    if let Value::Str(s) = &v {
                        *class.qualname.borrow_mut() = s.clone();
                    }
                }
                "__classcell__" => {}
                _ => dict.insert(k, v),
            }
        }
    }
    // __new__ and __init_subclass__ are implicitly static/class methods.
    let new = class.dict.borrow().get("__new__").cloned();
    if let Some(new @ Value::Function(_)) = new {
        let sm = vm.types.named("staticmethod");
        let wrapped = native_object(vm, &sm, new);
        class.dict.borrow_mut().set("__new__", wrapped);
    }
    let init_subclass = class.dict.borrow().get("__init_subclass__").cloned();
    if let Some(hook @ Value::Function(_)) = init_subclass {
        let cm = vm.types.named("classmethod");
        let wrapped = native_object(vm, &cm, hook);
        class.dict.borrow_mut().set("__init_subclass__", wrapped);
    }
    // A class that defines __eq__ without __hash__ is unhashable.
    let defines_eq = class.dict.borrow().contains("__eq__");
    if defines_eq && !class.dict.borrow().contains("__hash__") {
        class.dict.borrow_mut().set("__hash__", Value::None);
    }
    Ok(class)
}

/// `type(name, bases, dict)`.
pub fn type_new(
    vm: &mut Vm,
    args: Vec<Value>,
    _kwargs: Vec<(Rc<PyStr>, Value)>,
) -> PyResult<Value> {
    let name = vm.expect_str(&args[0], "type.__new__() argument 1")?;
    let bases: Vec<Rc<Class>> = vm
        .collect(&args[1])?
        .into_iter()
        .filter_map(|b| match b {
            Value::Class(c) => Some(c),
            _ => None,
        })
        .collect();
    let namespace = Module {
        name: name.clone(),
        dict: Default::default(),
    };
    namespace
        .dict
        .borrow_mut()
        .set("__module__", Value::str("__main__"));
    if let Some(d) = args[2].as_dict() {
        for (k, v) in d.items() {
            if let Value::Str(k) = k {
                namespace.dict.borrow_mut().insert(k, v);
            }
        }
    }
    make_class(vm, name.as_str(), bases, &namespace).map(Value::Class)
}

/// `list[int]` and friends: a value that prints as written.
pub fn generic_alias(vm: &mut Vm, origin: &Value, key: &Value) -> Value {
    let class = vm.types.named("GenericAlias");
    native_object(vm, &class, (origin.clone(), key.clone()))
}

/// How `typing` prints a type inside an alias: `int`, `__main__.Point`.
fn type_repr(vm: &mut Vm, v: &Value) -> PyResult<String> {
    match v {
        Value::Class(c) => {
            let module = match c.dict.borrow().get("__module__") {
                Some(Value::Str(s)) => s.as_str().to_string(),
                _ => c.module.as_str().to_string(),
            };
            let qualname = c.qualname.borrow().as_str().to_string();
            Ok(if module == "builtins" {
                qualname
            } else {
                format!("{module}.{qualname}")
            })
        }
        Value::Ellipsis => Ok("...".to_string()),
        other => vm.repr_of(other),
    }
}

/// `repr(list[int])` is `list[int]` (CPython Objects/genericaliasobject.c).
fn generic_alias_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let Some((origin, key)) = with_native::<(Value, Value), _>(&this, |p| p.clone()) else {
        return Err(vm.type_error("descriptor '__repr__' requires a 'types.GenericAlias' object"));
    };
    let mut text = type_repr(vm, &origin)?;
    text.push('[');
    let items = match &key {
        Value::Tuple(t) if !t.items.is_empty() => t.items.clone(),
        Value::Tuple(_) => {
            text.push_str("()]");
            return Ok(Value::string(text));
        }
        other => vec![other.clone()],
    };
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&type_repr(vm, item)?);
    }
    text.push(']');
    Ok(Value::string(text))
}
