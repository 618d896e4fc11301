//! `dict` methods and special methods, for dicts and instances of `dict`
//! subclasses (`__missing__` included). `keys()`, `values()` and
//! `items()` return live view objects (see `views.rs`).

use std::rc::Rc;

use super::{args, views};
use crate::builtins::add_methods;
use crate::bytecode::CmpOp;
use crate::value::{Args, CustomIter, DictIterKind, IterState, PyDict, PyResult, Value};
use crate::vm::protocols::native_iter;
use crate::vm::{ExcType, Vm};

pub fn install(vm: &mut Vm) {
    let dict = vm.types.dict.clone();
    add_methods(
        &dict,
        "dict",
        &[
            ("keys", keys),
            ("values", values),
            ("items", items),
            ("get", get),
            ("setdefault", setdefault),
            ("pop", pop),
            ("popitem", popitem),
            ("update", update),
            ("clear", clear),
            ("copy", copy),
            ("__getitem__", getitem),
            ("__setitem__", setitem),
            ("__delitem__", delitem),
            ("__contains__", contains),
            ("__len__", len),
            ("__iter__", iter),
            ("__reversed__", reversed),
            ("__or__", or),
            ("__ror__", or_reflected),
            ("__ior__", ior),
            ("__eq__", eq),
            ("__ne__", ne),
        ],
    );
    let fromkeys = args::classmethod(vm, "fromkeys", "dict", fromkeys);
    let mut d = dict.dict.borrow_mut();
    d.set("fromkeys", fromkeys);
    // Dicts are unhashable, subclasses included.
    d.set("__hash__", Value::None);
}

fn is_dict(v: &Value) -> bool {
    v.as_dict().is_some()
}

fn this(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Value> {
    args::receiver(vm, args, "dict", name, is_dict)
}

/// The table of a receiver already checked by [`this`].
pub fn table(v: &Value) -> &PyDict {
    thread_local! {
        static EMPTY: &'static PyDict = Box::leak(Box::new(PyDict::new()));
    }
    match v.as_dict() {
        Some(d) => d,
        None => EMPTY.with(|e| *e),
    }
}

/// Iterates a dict subclass instance (whose table is not behind an `Rc`),
/// with CPython's check that the size did not change.
pub struct DictIter {
    pub owner: Value,
    pub position: usize,
    pub len: usize,
    pub kind: DictIterKind,
}

impl CustomIter for DictIter {
    fn type_name(&self) -> &'static str {
        match self.kind {
            DictIterKind::Keys => "dict_keyiterator",
            DictIterKind::Values => "dict_valueiterator",
            DictIterKind::Items => "dict_itemiterator",
        }
    }

    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let d = table(&self.owner);
        if d.len() != self.len {
            self.len = usize::MAX;
            return Err(vm.error(
                ExcType::RuntimeError,
                "dictionary changed size during iteration",
            ));
        }
        match d.entry_from(self.position) {
            Some((next, k, v)) => {
                self.position = next;
                Ok(Some(match self.kind {
                    DictIterKind::Keys => k,
                    DictIterKind::Values => v,
                    DictIterKind::Items => Value::tuple(vec![k, v]),
                }))
            }
            None => {
                self.position = usize::MAX;
                Ok(None)
            }
        }
    }
}

/// An iterator over a dict's keys, values or items.
pub fn dict_iter(owner: &Value, kind: DictIterKind) -> Value {
    match owner {
        Value::Dict(d) => native_iter(IterState::DictKeys {
            dict: d.clone(),
            index: 0,
            len: d.len(),
            kind,
        }),
        _ => native_iter(IterState::Custom(Box::new(DictIter {
            owner: owner.clone(),
            position: 0,
            len: table(owner).len(),
            kind,
        }))),
    }
}

/// Iterates a snapshot backwards (`reversed(d)`), named as CPython's.
struct ReverseIter {
    items: Vec<Value>,
    kind: DictIterKind,
}

impl CustomIter for ReverseIter {
    fn type_name(&self) -> &'static str {
        match self.kind {
            DictIterKind::Keys => "dict_reversekeyiterator",
            DictIterKind::Values => "dict_reversevalueiterator",
            DictIterKind::Items => "dict_reverseitemiterator",
        }
    }

    fn next(&mut self, _vm: &mut Vm) -> PyResult<Option<Value>> {
        Ok(self.items.pop())
    }
}

/// `reversed()` over a dict's keys, values or items.
pub fn dict_reversed(owner: &Value, kind: DictIterKind) -> Value {
    let d = table(owner);
    let items = match kind {
        DictIterKind::Keys => d.keys(),
        DictIterKind::Values => d.values(),
        DictIterKind::Items => d
            .items()
            .into_iter()
            .map(|(k, v)| Value::tuple(vec![k, v]))
            .collect(),
    };
    native_iter(IterState::Custom(Box::new(ReverseIter { items, kind })))
}

fn keys(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "keys")?;
    args::none(vm, args, "dict", "keys")?;
    Ok(views::new_view(vm, this, DictIterKind::Keys))
}

fn values(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "values")?;
    args::none(vm, args, "dict", "values")?;
    Ok(views::new_view(vm, this, DictIterKind::Values))
}

fn items(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "items")?;
    args::none(vm, args, "dict", "items")?;
    Ok(views::new_view(vm, this, DictIterKind::Items))
}

fn get(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "get")?;
    let mut a = args::between(vm, args, "dict", "get", 1, 2)?.into_iter();
    let key = a.next().unwrap_or(Value::None);
    let default = a.next().unwrap_or(Value::None);
    Ok(table(&this).get(vm, &key)?.unwrap_or(default))
}

fn setdefault(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "setdefault")?;
    let mut a = args::between(vm, args, "dict", "setdefault", 1, 2)?.into_iter();
    let key = a.next().unwrap_or(Value::None);
    let default = a.next().unwrap_or(Value::None);
    let d = table(&this);
    let hash = vm.hash_value(&key)?;
    if let Some(v) = d.get_hashed(vm, &key, hash)? {
        return Ok(v);
    }
    d.set_hashed(vm, key, hash, default.clone())?;
    Ok(default)
}

fn pop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "pop")?;
    let a = args::between(vm, args, "dict", "pop", 1, 2)?;
    let key = a.first().cloned().unwrap_or(Value::None);
    let d = table(&this);
    // CPython answers an empty dict without hashing the key.
    if d.is_empty() {
        return match a.get(1) {
            Some(default) => Ok(default.clone()),
            None => Err(vm.key_error(&key)),
        };
    }
    match d.remove(vm, &key)? {
        Some(v) => Ok(v),
        None => match a.get(1) {
            Some(default) => Ok(default.clone()),
            None => Err(vm.key_error(&key)),
        },
    }
}

fn popitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "popitem")?;
    args::none(vm, args, "dict", "popitem")?;
    table(&this).check_writable(vm)?;
    match table(&this).pop_last() {
        Some((k, v)) => Ok(Value::tuple(vec![k, v])),
        None => Err(vm.key_error(&Value::str("popitem(): dictionary is empty"))),
    }
}

/// `d.update(other, **kwargs)`.
pub fn update_from(vm: &mut Vm, this: &Value, args: &mut Args, name: &str) -> PyResult<()> {
    if args.positional.len() > 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!("{name} expected at most 1 argument, got {n}")));
    }
    if let Some(source) = args.positional.pop() {
        vm.dict_update(this, &source, false)?;
    }
    for (k, v) in std::mem::take(&mut args.keywords) {
        table(this).set(vm, Value::Str(k), v)?;
    }
    Ok(())
}

fn update(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "update")?;
    update_from(vm, &this, args, "update")?;
    Ok(Value::None)
}

fn clear(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "clear")?;
    args::none(vm, args, "dict", "clear")?;
    table(&this).check_writable(vm)?;
    table(&this).clear();
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "copy")?;
    args::none(vm, args, "dict", "copy")?;
    Ok(Value::Dict(Rc::new(table(&this).copy())))
}

/// `dict.fromkeys(iterable, value=None)`, called with the class first.
fn fromkeys(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("fromkeys() needs a class")),
    };
    args.positional.remove(0);
    let a = args::between(vm, args, "dict", "fromkeys", 1, 2)?;
    let iterable = a.first().cloned().unwrap_or(Value::None);
    let value = a.get(1).cloned().unwrap_or(Value::None);
    let result = if Rc::ptr_eq(&class, &vm.types.dict) {
        Value::Dict(Rc::new(PyDict::new()))
    } else {
        vm.call(&Value::Class(class), Vec::new())?
    };
    let keys = vm.collect(&iterable)?;
    for k in keys {
        match &result {
            Value::Dict(d) => d.set(vm, k, value.clone())?,
            other => vm.set_item(other, k, value.clone())?,
        }
    }
    Ok(result)
}

// ------------------------------------------------------------------ dunders

/// `d[key]`, with `__missing__` for subclasses.
pub fn lookup(vm: &mut Vm, this: &Value, key: &Value) -> PyResult<Value> {
    if let Some(v) = table(this).get(vm, key)? {
        return Ok(v);
    }
    if !matches!(this, Value::Dict(_)) {
        if let Some(missing) = vm.class_of(this).lookup("__missing__") {
            return vm.call(&missing, vec![this.clone(), key.clone()]);
        }
    }
    Err(vm.key_error(key))
}

fn getitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__getitem__")?;
    let key = args::one(vm, args, "dict", "__getitem__")?;
    lookup(vm, &this, &key)
}

fn setitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__setitem__")?;
    let mut a = args::slot(vm, args, "__setitem__", 2)?.into_iter();
    let key = a.next().unwrap_or(Value::None);
    let value = a.next().unwrap_or(Value::None);
    table(&this).set(vm, key, value)?;
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__delitem__")?;
    let key = args::slot_one(vm, args, "__delitem__")?;
    match table(&this).remove(vm, &key)? {
        Some(_) => Ok(Value::None),
        None => Err(vm.key_error(&key)),
    }
}

fn contains(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__contains__")?;
    let key = args::one(vm, args, "dict", "__contains__")?;
    table(&this).contains(vm, &key).map(Value::Bool)
}

fn len(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__len__")?;
    args::slot(vm, args, "__len__", 0)?;
    Ok(Value::Int(table(&this).len() as i64))
}

fn iter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__iter__")?;
    args::slot(vm, args, "__iter__", 0)?;
    Ok(dict_iter(&this, DictIterKind::Keys))
}

fn reversed(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__reversed__")?;
    args::none(vm, args, "dict", "__reversed__")?;
    Ok(dict_reversed(&this, DictIterKind::Keys))
}

/// A plain dict with `a`'s items updated by `b`'s.
fn merged(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<Value> {
    let result = Value::Dict(Rc::new(table(a).copy()));
    vm.dict_update(&result, b, false)?;
    Ok(result)
}

fn or(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__or__")?;
    let other = args::slot_one(vm, args, "__or__")?;
    if !is_dict(&other) {
        return Ok(Value::NotImplemented);
    }
    merged(vm, &this, &other)
}

fn or_reflected(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__ror__")?;
    let other = args::slot_one(vm, args, "__ror__")?;
    if !is_dict(&other) {
        return Ok(Value::NotImplemented);
    }
    merged(vm, &other, &this)
}

fn ior(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__ior__")?;
    let other = args::slot_one(vm, args, "__ior__")?;
    vm.dict_update(&this, &other, false)?;
    Ok(this)
}

fn compare(vm: &mut Vm, args: &mut Args, name: &str, op: CmpOp) -> PyResult<Value> {
    let this = this(vm, args, name)?;
    let other = args::slot_one(vm, args, name)?;
    if !is_dict(&other) {
        return Ok(Value::NotImplemented);
    }
    let a = Value::Dict(Rc::new(table(&this).copy()));
    let b = Value::Dict(Rc::new(table(&other).copy()));
    vm.compare(op, &a, &b)
}

fn eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__eq__", CmpOp::Eq)
}

fn ne(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__ne__", CmpOp::Ne)
}
