//! `bytearray`: a mutable sequence of bytes (CPython
//! Objects/bytearrayobject.c), the common subset: construction, indexing
//! and slicing (also assignment and deletion), `append`, `extend`, `pop`,
//! `insert`, `remove`, `clear`, `copy`, `reverse`, `+`, `*`, `+=`,
//! comparisons, iteration, and every reading method of `bytes`, which are
//! run on a copy of the contents: what they return as bytes comes back as
//! a bytearray, as CPython's do.

use std::rc::Rc;

use num_traits::ToPrimitive;

use super::{add_methods, native_object, with_native};
use crate::value::{Args, Builtin, IterState, NativeFn, NativeIter, PyResult, PyStr, Value};
use crate::vm::{ExcType, Vm};

/// The contents of a bytearray object.
pub struct ByteArray(pub Vec<u8>);

/// `bytes` methods a bytearray offers by running them on its contents;
/// the second item says whether bytes in the result become bytearrays.
const BYTES_METHODS: &[(&str, bool)] = &[
    ("decode", false),
    ("hex", false),
    ("find", false),
    ("rfind", false),
    ("index", false),
    ("rindex", false),
    ("count", false),
    ("startswith", false),
    ("endswith", false),
    ("isdigit", false),
    ("isalpha", false),
    ("isalnum", false),
    ("isspace", false),
    ("isupper", false),
    ("islower", false),
    ("istitle", false),
    ("isascii", false),
    ("split", true),
    ("rsplit", true),
    ("splitlines", true),
    ("partition", true),
    ("rpartition", true),
    ("join", true),
    ("replace", true),
    ("strip", true),
    ("lstrip", true),
    ("rstrip", true),
    ("removeprefix", true),
    ("removesuffix", true),
    ("upper", true),
    ("lower", true),
    ("swapcase", true),
    ("capitalize", true),
    ("title", true),
    ("center", true),
    ("ljust", true),
    ("rjust", true),
    ("zfill", true),
];

pub fn install(vm: &mut Vm) {
    let class = vm.types.named("bytearray");
    add_methods(
        &class,
        "bytearray",
        &[
            ("__new__", bytearray_new),
            ("__repr__", repr),
            ("__str__", repr),
            ("__len__", len),
            ("__iter__", iter),
            ("__contains__", contains),
            ("__getitem__", getitem),
            ("__setitem__", setitem),
            ("__delitem__", delitem),
            ("__add__", add),
            ("__radd__", radd),
            ("__iadd__", iadd),
            ("__mul__", mul),
            ("__rmul__", mul),
            ("__imul__", imul),
            ("__eq__", eq),
            ("__ne__", ne),
            ("__lt__", lt),
            ("__le__", le),
            ("__gt__", gt),
            ("__ge__", ge),
            ("append", append),
            ("extend", extend),
            ("pop", pop),
            ("insert", insert),
            ("remove", remove),
            ("clear", clear),
            ("copy", copy),
            ("reverse", reverse),
        ],
    );
    for (name, _) in BYTES_METHODS {
        let forwarded = Value::Builtin(Rc::new(Builtin {
            name: Rc::new(PyStr::new(name)),
            owner: Some("bytearray"),
            func: NativeFn::Closure(Rc::new(move |vm, args| forward_to_bytes(vm, args, name))),
            receiver: None,
        }));
        class.dict.borrow_mut().set(name, forwarded);
    }
    class.dict.borrow_mut().set("__hash__", Value::None);
}

/// A new bytearray object holding `data`.
pub fn new_bytearray(vm: &Vm, data: Vec<u8>) -> Value {
    let class = vm.types.named("bytearray");
    native_object(vm, &class, ByteArray(data))
}

/// The contents of a bytearray value, copied.
pub fn bytearray_data(value: &Value) -> Option<Vec<u8>> {
    with_native::<ByteArray, _>(value, |b| b.0.clone())
}

/// The bytes of a bytes-like value (bytes or bytearray).
pub fn bytes_like(value: &Value) -> Option<Vec<u8>> {
    match value.unwrap_builtin() {
        Value::Bytes(b) => Some(b.data.clone()),
        other => bytearray_data(&other),
    }
}

fn this(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Value> {
    let receiver = vm.receiver(name, args)?;
    if bytearray_data(&receiver).is_none() {
        let t = vm.type_name(&receiver);
        return Err(vm.type_error(format!(
            "descriptor '{name}' requires a 'bytearray' object but received a '{t}'"
        )));
    }
    Ok(receiver)
}

fn data_of(value: &Value) -> Vec<u8> {
    bytearray_data(value).unwrap_or_default()
}

fn update(value: &Value, f: impl FnOnce(&mut Vec<u8>)) {
    with_native::<ByteArray, _>(value, |b| f(&mut b.0));
}

/// One positional argument.
fn one(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Value> {
    if args.positional.len() != 1 || !args.keywords.is_empty() {
        let n = args.positional.len();
        return Err(vm.type_error(format!(
            "bytearray.{name}() takes exactly one argument ({n} given)"
        )));
    }
    Ok(args.positional.remove(0))
}

/// An int in range(0, 256), as CPython's `_getbytevalue` checks it.
fn byte_value(vm: &mut Vm, value: &Value) -> PyResult<u8> {
    let n = vm.expect_int(value)?;
    u8::try_from(n).map_err(|_| vm.error(ExcType::ValueError, "byte must be in range(0, 256)"))
}

/// The bytes of an iterable of ints or a bytes-like object.
fn bytes_from(vm: &mut Vm, value: &Value) -> PyResult<Vec<u8>> {
    if let Some(data) = bytes_like(value) {
        return Ok(data);
    }
    if let Value::Str(_) = value {
        return Err(vm.type_error("can't extend bytearray with str"));
    }
    let items = vm.collect(value)?;
    let mut data = Vec::with_capacity(items.len());
    for item in items {
        data.push(byte_value(vm, &item)?);
    }
    Ok(data)
}

fn bytearray_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    if !matches!(args.positional.first(), Some(Value::Class(_))) {
        return Err(vm.type_error("bytearray.__new__(X): X is not a type object"));
    }
    args.positional.remove(0);
    let a = vm.parse_args("bytearray", args, &["source", "encoding", "errors"], 0)?;
    let data = match &a[0] {
        None => Vec::new(),
        Some(Value::Str(s)) => {
            if a[1].is_none() {
                return Err(vm.type_error("string argument without an encoding"));
            }
            let encode = vm.get_attr(&Value::Str(s.clone()), &Rc::new(PyStr::new("encode")))?;
            let options = a[1..].iter().flatten().cloned().collect();
            let encoded = vm.call(&encode, options)?;
            bytes_like(&encoded).unwrap_or_default()
        }
        Some(source @ (Value::Int(_) | Value::BigInt(_) | Value::Bool(_))) => {
            let n = vm.expect_int(source)?;
            if n < 0 {
                return Err(vm.error(ExcType::ValueError, "negative count"));
            }
            vm.check_size(n as usize)?;
            vec![0; n as usize]
        }
        Some(source) => {
            if a[1].is_some() {
                return Err(vm.type_error("encoding without a string argument"));
            }
            bytes_from(vm, source)?
        }
    };
    Ok(new_bytearray(vm, data))
}

/// `bytearray(b'...')`.
fn repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__repr__")?;
    let inner = vm.repr_of(&Value::bytes(data_of(&this)))?;
    Ok(Value::string(format!("bytearray({inner})")))
}

fn len(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__len__")?;
    Ok(Value::Int(data_of(&this).len() as i64))
}

fn iter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__iter__")?;
    let items = data_of(&this)
        .into_iter()
        .map(|b| Value::Int(i64::from(b)))
        .collect();
    Ok(Value::Iterator(Rc::new(NativeIter {
        state: std::cell::RefCell::new(IterState::Items { items, index: 0 }),
    })))
}

fn contains(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__contains__")?;
    let item = one(vm, args, "__contains__")?;
    let data = data_of(&this);
    if let Some(needle) = bytes_like(&item) {
        return Ok(Value::Bool(
            super::bytes::find_sub(&data, &needle).is_some(),
        ));
    }
    let byte = byte_value(vm, &item)?;
    Ok(Value::Bool(data.contains(&byte)))
}

/// A sequence index made non-negative and checked (`bytearray index out
/// of range`).
fn position(vm: &mut Vm, key: &Value, len: usize) -> PyResult<usize> {
    let i = match key {
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => vm.to_index(key)?,
        _ if vm.class_of(key).lookup("__index__").is_some() => vm.to_index(key)?,
        _ => {
            let t = vm.type_name(key);
            return Err(vm.type_error(format!(
                "bytearray indices must be integers or slices, not {t}"
            )));
        }
    };
    let adjusted = if i < 0 { i + len as i64 } else { i };
    if adjusted < 0 || adjusted >= len as i64 {
        return Err(vm.error(ExcType::IndexError, "bytearray index out of range"));
    }
    Ok(adjusted as usize)
}

fn getitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__getitem__")?;
    let key = one(vm, args, "__getitem__")?;
    let data = data_of(&this);
    if let Value::Slice(s) = &key {
        let bounds = vm.slice_bounds(s, data.len())?;
        let picked = bounds
            .indices()
            .filter_map(|i| data.get(i).copied())
            .collect();
        return Ok(new_bytearray(vm, picked));
    }
    let i = position(vm, &key, data.len())?;
    Ok(Value::Int(i64::from(data[i])))
}

fn setitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__setitem__")?;
    if args.positional.len() != 2 {
        return Err(vm.type_error("expected 2 arguments"));
    }
    let value = args.positional.remove(1);
    let key = args.positional.remove(0);
    let mut data = data_of(&this);
    if let Value::Slice(s) = &key {
        let new = match bytes_like(&value) {
            Some(bytes) => bytes,
            None if matches!(value, Value::Int(_) | Value::BigInt(_) | Value::Bool(_)) => {
                return Err(vm.type_error(
                    "can assign only bytes, buffers, or iterables of ints in range(0, 256)",
                ))
            }
            None => bytes_from(vm, &value)?,
        };
        let bounds = vm.slice_bounds(s, data.len())?;
        if bounds.step == 1 {
            let len = data.len() as i64;
            let start = bounds.start.clamp(0, len) as usize;
            let stop = bounds.stop.max(bounds.start).clamp(0, len) as usize;
            data.splice(start..stop, new);
        } else {
            let places: Vec<usize> = bounds.indices().collect();
            if places.len() != new.len() {
                return Err(vm.error(
                    ExcType::ValueError,
                    format!(
                        "attempt to assign bytes of size {} to extended slice of size {}",
                        new.len(),
                        places.len()
                    ),
                ));
            }
            for (at, byte) in places.into_iter().zip(new) {
                if let Some(slot) = data.get_mut(at) {
                    *slot = byte;
                }
            }
        }
        update(&this, |d| *d = data);
        return Ok(Value::None);
    }
    let i = position(vm, &key, data.len())?;
    let byte = byte_value(vm, &value)?;
    update(&this, |d| {
        if let Some(slot) = d.get_mut(i) {
            *slot = byte;
        }
    });
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__delitem__")?;
    let key = one(vm, args, "__delitem__")?;
    let data = data_of(&this);
    if let Value::Slice(s) = &key {
        let bounds = vm.slice_bounds(s, data.len())?;
        let gone: Vec<usize> = bounds.indices().collect();
        let kept = data
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !gone.contains(i))
            .map(|(_, b)| b)
            .collect();
        update(&this, |d| *d = kept);
        return Ok(Value::None);
    }
    let i = position(vm, &key, data.len())?;
    update(&this, |d| {
        d.remove(i);
    });
    Ok(Value::None)
}

fn add(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__add__")?;
    let other = one(vm, args, "__add__")?;
    let Some(extra) = bytes_like(&other) else {
        let t = vm.type_name(&other);
        return Err(vm.type_error(format!("can't concat {t} to bytearray")));
    };
    let mut data = data_of(&this);
    data.extend(extra);
    Ok(new_bytearray(vm, data))
}

/// `bytes + bytearray` is bytes (CPython's bytes concatenation takes any
/// buffer).
fn radd(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__radd__")?;
    let other = one(vm, args, "__radd__")?;
    let Some(mut data) = bytes_like(&other) else {
        return Ok(Value::NotImplemented);
    };
    data.extend(data_of(&this));
    Ok(Value::bytes(data))
}

fn iadd(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__iadd__")?;
    let other = one(vm, args, "__iadd__")?;
    let Some(extra) = bytes_like(&other) else {
        let t = vm.type_name(&other);
        return Err(vm.type_error(format!("can't concat {t} to bytearray")));
    };
    update(&this, |d| d.extend(extra));
    Ok(this)
}

fn repeat_count(vm: &mut Vm, count: &Value, len: usize) -> PyResult<Option<usize>> {
    if !matches!(count, Value::Int(_) | Value::BigInt(_) | Value::Bool(_)) {
        return Ok(None);
    }
    let n = match count {
        Value::BigInt(b) => b.to_i64().unwrap_or(i64::MAX),
        _ => vm.to_index(count)?,
    };
    let n = n.max(0) as usize;
    vm.check_size(n.saturating_mul(len))?;
    Ok(Some(n))
}

fn mul(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__mul__")?;
    let count = one(vm, args, "__mul__")?;
    let data = data_of(&this);
    match repeat_count(vm, &count, data.len())? {
        Some(n) => Ok(new_bytearray(vm, data.repeat(n))),
        None => Ok(Value::NotImplemented),
    }
}

fn imul(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__imul__")?;
    let count = one(vm, args, "__imul__")?;
    let data = data_of(&this);
    match repeat_count(vm, &count, data.len())? {
        Some(n) => {
            update(&this, |d| *d = data.repeat(n));
            Ok(this)
        }
        None => Ok(Value::NotImplemented),
    }
}

/// Compares with bytes or a bytearray; NotImplemented for anything else.
fn compare(
    vm: &mut Vm,
    args: &mut Args,
    name: &str,
    test: fn(std::cmp::Ordering) -> bool,
) -> PyResult<Value> {
    let this = this(vm, args, name)?;
    let other = one(vm, args, name)?;
    let Some(theirs) = bytes_like(&other) else {
        return Ok(Value::NotImplemented);
    };
    Ok(Value::Bool(test(data_of(&this).cmp(&theirs))))
}

fn eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__eq__", |o| o.is_eq())
}

fn ne(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__ne__", |o| o.is_ne())
}

fn lt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__lt__", |o| o.is_lt())
}

fn le(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__le__", |o| o.is_le())
}

fn gt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__gt__", |o| o.is_gt())
}

fn ge(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__ge__", |o| o.is_ge())
}

fn append(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "append")?;
    let item = one(vm, args, "append")?;
    let byte = byte_value(vm, &item)?;
    update(&this, |d| d.push(byte));
    Ok(Value::None)
}

fn extend(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "extend")?;
    let source = one(vm, args, "extend")?;
    let extra = bytes_from(vm, &source)?;
    update(&this, |d| d.extend(extra));
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "pop")?;
    let a = vm.parse_args("pop", args, &["index"], 0)?;
    let data = data_of(&this);
    if data.is_empty() {
        return Err(vm.error(ExcType::IndexError, "pop from empty bytearray"));
    }
    let index = match &a[0] {
        Some(v) => vm.to_index(v)?,
        None => -1,
    };
    let adjusted = if index < 0 {
        index + data.len() as i64
    } else {
        index
    };
    if adjusted < 0 || adjusted >= data.len() as i64 {
        return Err(vm.error(ExcType::IndexError, "pop index out of range"));
    }
    let byte = data[adjusted as usize];
    update(&this, |d| {
        d.remove(adjusted as usize);
    });
    Ok(Value::Int(i64::from(byte)))
}

fn insert(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "insert")?;
    let a = vm.parse_args("insert", args, &["index", "item"], 2)?;
    let (Some(index), Some(item)) = (a[0].clone(), a[1].clone()) else {
        return Ok(Value::None);
    };
    let index = vm.to_index(&index)?;
    let byte = byte_value(vm, &item)?;
    let len = data_of(&this).len() as i64;
    let at = if index < 0 {
        (index + len).max(0)
    } else {
        index.min(len)
    } as usize;
    update(&this, |d| d.insert(at, byte));
    Ok(Value::None)
}

fn remove(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "remove")?;
    let item = one(vm, args, "remove")?;
    let byte = byte_value(vm, &item)?;
    let Some(at) = data_of(&this).iter().position(|b| *b == byte) else {
        return Err(vm.error(ExcType::ValueError, "value not found in bytearray"));
    };
    update(&this, |d| {
        d.remove(at);
    });
    Ok(Value::None)
}

fn clear(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "clear")?;
    vm.no_args("bytearray.clear", args, 0)?;
    update(&this, Vec::clear);
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "copy")?;
    vm.no_args("bytearray.copy", args, 0)?;
    Ok(new_bytearray(vm, data_of(&this)))
}

fn reverse(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "reverse")?;
    vm.no_args("bytearray.reverse", args, 0)?;
    update(&this, |d| d.reverse());
    Ok(Value::None)
}

/// Runs the bytes method `name` on a copy of the contents; bytes in the
/// result (also inside a list or tuple) become bytearrays when CPython's
/// method returns bytearrays.
fn forward_to_bytes(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Value> {
    let this = this(vm, args, name)?;
    let Some(method) = vm.types.bytes.lookup(name) else {
        return Err(vm.no_attribute(&this, name));
    };
    let mut positional = vec![Value::bytes(data_of(&this))];
    for arg in std::mem::take(&mut args.positional) {
        positional.push(match bytearray_data(&arg) {
            Some(data) => Value::bytes(data),
            None => arg,
        });
    }
    let keywords = std::mem::take(&mut args.keywords);
    let result = vm.call_with(&method, positional, keywords)?;
    let converts = BYTES_METHODS
        .iter()
        .any(|(n, converts)| *n == name && *converts);
    if !converts {
        return Ok(result);
    }
    let convert = |vm: &Vm, v: Value| match v {
        Value::Bytes(b) => new_bytearray(vm, b.data.clone()),
        other => other,
    };
    Ok(match result {
        Value::Bytes(_) => convert(vm, result),
        Value::List(items) => {
            let converted = items
                .borrow()
                .iter()
                .cloned()
                .map(|v| convert(vm, v))
                .collect();
            Value::list(converted)
        }
        Value::Tuple(t) => Value::tuple(t.items.iter().cloned().map(|v| convert(vm, v)).collect()),
        other => other,
    })
}
