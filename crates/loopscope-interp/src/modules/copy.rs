//! The `copy` module: `copy` and `deepcopy` of the built-in containers,
//! instances of classes (their `__dict__` and built-in part: list, dict,
//! set or tuple subclasses such as `Counter` and named tuples), deques,
//! and objects defining `__copy__` / `__deepcopy__`; `deepcopy` keeps
//! shared and recursive references shared, as its memo does in CPython.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::deque::DequeData;
use crate::builtins::{add_functions, new_module, with_native};
use crate::value::{AttrMap, Instance, Payload, PyDict, PyResult, SetObj, Unwind, Value};
use crate::vm::{ExcType, Vm};

pub fn make(vm: &mut Vm) -> PyResult<Rc<crate::value::Module>> {
    let module = new_module("copy");
    add_functions(&module, &[("copy", copy), ("deepcopy", deepcopy)]);
    let error = super::support::exception_class(vm, "Error", "copy", ExcType::Exception);
    module
        .dict
        .borrow_mut()
        .set("Error", Value::Class(error.clone()));
    module.dict.borrow_mut().set("error", Value::Class(error));
    Ok(module)
}

/// Values `copy` and `deepcopy` return as they are.
fn is_atomic(v: &Value) -> bool {
    matches!(
        v,
        Value::None
            | Value::NotImplemented
            | Value::Ellipsis
            | Value::Bool(_)
            | Value::Int(_)
            | Value::BigInt(_)
            | Value::Float(_)
            | Value::Str(_)
            | Value::Bytes(_)
            | Value::Range(_)
            | Value::Slice(_)
            | Value::Function(_)
            | Value::Builtin(_)
            | Value::Class(_)
            | Value::Code(_)
    )
}

fn cannot_pickle(vm: &mut Vm, v: &Value) -> Unwind {
    let t = vm.type_name(v);
    vm.type_error(format!("cannot pickle '{t}' object"))
}

fn new_instance(vm: &Vm, i: &Instance, dict: AttrMap, payload: Payload) -> Value {
    Value::Instance(Rc::new(Instance {
        class: RefCell::new(i.class.borrow().clone()),
        dict: RefCell::new(dict),
        dict_object: Default::default(),
        payload,
        id: vm.ids.next(),
        finalizer: vm.finalizer_for(&i.class.borrow()),
    }))
}

/// `copy.copy(x)`.
pub fn shallow(vm: &mut Vm, x: &Value) -> PyResult<Value> {
    if is_atomic(x) {
        return Ok(x.clone());
    }
    match x {
        Value::Tuple(_) | Value::FrozenSet(_) => return Ok(x.clone()),
        Value::List(l) => return Ok(Value::list(l.borrow().clone())),
        Value::Dict(d) => return Ok(Value::Dict(Rc::new(d.copy()))),
        Value::Set(s) => {
            let table = s.table.borrow().clone();
            return Ok(Value::Set(Rc::new(SetObj {
                table: RefCell::new(table),
            })));
        }
        _ => {}
    }
    if let Some(r) = vm.call_special(x, "__copy__", Vec::new())? {
        return Ok(r);
    }
    match x {
        Value::Instance(i) => {
            if x.as_exception().is_some() {
                return Err(vm.unsupported("copy.copy() of an exception"));
            }
            let payload = match &i.payload {
                Payload::None => Payload::None,
                Payload::List(l) => Payload::List(RefCell::new(l.borrow().clone())),
                Payload::Dict(d) => Payload::Dict(d.copy()),
                Payload::Set(s) => Payload::Set(SetObj {
                    table: RefCell::new(s.table.borrow().clone()),
                }),
                Payload::Value(v) => Payload::Value(RefCell::new(v.borrow().clone())),
                Payload::Exception(_) => return Err(vm.unsupported("copy.copy() of an exception")),
            };
            let mut dict = AttrMap::new();
            for (name, value) in crate::vm::attributes::instance_attributes(i) {
                dict.insert(name, value);
            }
            Ok(new_instance(vm, i, dict, payload))
        }
        Value::Module(_) | Value::Generator(_) | Value::Native(_) => Err(cannot_pickle(vm, x)),
        _ => Err(vm.unsupported(format!("copy.copy() of a '{}' object", vm.type_name(x)))),
    }
}

fn copy(vm: &mut Vm, args: &mut crate::value::Args) -> PyResult<Value> {
    let a = vm.parse_args("copy", args, &["x"], 1)?;
    shallow(vm, a[0].as_ref().unwrap_or(&Value::None))
}

/// `deepcopy`'s memo: copies by the address of the original.
struct Memo {
    copies: HashMap<usize, Value>,
    /// Originals kept alive so their addresses stay unique.
    keep: Vec<Value>,
}

impl Memo {
    fn get(&self, x: &Value) -> Option<Value> {
        x.object_address()
            .and_then(|a| self.copies.get(&a).cloned())
    }

    fn put(&mut self, x: &Value, y: &Value) {
        if let Some(a) = x.object_address() {
            self.copies.insert(a, y.clone());
            self.keep.push(x.clone());
        }
    }
}

fn deep(vm: &mut Vm, x: &Value, memo: &mut Memo) -> PyResult<Value> {
    if is_atomic(x) {
        return Ok(x.clone());
    }
    if let Some(y) = memo.get(x) {
        return Ok(y);
    }
    vm.enter_native()?;
    let result = deep_inner(vm, x, memo);
    vm.depth -= 1;
    result
}

fn deep_items(vm: &mut Vm, items: &[Value], memo: &mut Memo) -> PyResult<Vec<Value>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(deep(vm, item, memo)?);
    }
    Ok(out)
}

fn deep_dict_into(vm: &mut Vm, source: &PyDict, target: &PyDict, memo: &mut Memo) -> PyResult<()> {
    for (k, v) in source.items() {
        let k = deep(vm, &k, memo)?;
        let v = deep(vm, &v, memo)?;
        target.set(vm, k, v)?;
    }
    Ok(())
}

fn deep_inner(vm: &mut Vm, x: &Value, memo: &mut Memo) -> PyResult<Value> {
    match x {
        Value::List(l) => {
            let y = Value::list(Vec::new());
            memo.put(x, &y);
            let items = l.borrow().clone();
            let copied = deep_items(vm, &items, memo)?;
            if let Value::List(new) = &y {
                *new.borrow_mut() = copied;
            }
            return Ok(y);
        }
        Value::Tuple(t) => {
            let copied = deep_items(vm, &t.items, memo)?;
            if let Some(y) = memo.get(x) {
                return Ok(y);
            }
            let same = copied.iter().zip(t.items.iter()).all(|(a, b)| a.is(b));
            let y = if same {
                x.clone()
            } else {
                Value::tuple(copied)
            };
            memo.put(x, &y);
            return Ok(y);
        }
        Value::Dict(d) => {
            let new = Rc::new(PyDict::new());
            let y = Value::Dict(new.clone());
            memo.put(x, &y);
            deep_dict_into(vm, d, &new, memo)?;
            return Ok(y);
        }
        Value::Set(s) | Value::FrozenSet(s) => {
            let items = s.table.borrow().keys();
            let copied = deep_items(vm, &items, memo)?;
            let y = vm.new_set(copied)?;
            let y = match (x, y) {
                (Value::FrozenSet(_), Value::Set(obj)) => Value::FrozenSet(obj),
                (_, y) => y,
            };
            memo.put(x, &y);
            return Ok(y);
        }
        _ => {}
    }
    let class = vm.class_of(x);
    if let Some(method) = class.lookup("__deepcopy__") {
        let memo_dict = Value::Dict(Rc::new(PyDict::new()));
        let bound = vm.descriptor_get(&method, x.clone(), Value::Class(class))?;
        let y = vm.call(&bound, vec![memo_dict])?;
        memo.put(x, &y);
        return Ok(y);
    }
    match x {
        Value::Instance(i) => {
            if x.as_exception().is_some() {
                return Err(vm.unsupported("copy.deepcopy() of an exception"));
            }
            if let Payload::Value(v) = &i.payload {
                // Tuple, int, str... subclasses: rebuilt from a copied value.
                let inner = v.borrow().clone();
                let copied = deep(vm, &inner, memo)?;
                let y = new_instance(vm, i, AttrMap::new(), Payload::Value(RefCell::new(copied)));
                memo.put(x, &y);
                copy_attrs(vm, i, &y, memo)?;
                return Ok(y);
            }
            let payload = match &i.payload {
                Payload::List(_) => Payload::List(RefCell::new(Vec::new())),
                Payload::Dict(_) => Payload::Dict(PyDict::new()),
                Payload::Set(_) => Payload::Set(SetObj {
                    table: Default::default(),
                }),
                _ => Payload::None,
            };
            let y = new_instance(vm, i, AttrMap::new(), payload);
            memo.put(x, &y);
            match (&i.payload, &y) {
                (Payload::List(l), Value::Instance(yi)) => {
                    let items = l.borrow().clone();
                    let copied = deep_items(vm, &items, memo)?;
                    if let Payload::List(new) = &yi.payload {
                        *new.borrow_mut() = copied;
                    }
                }
                (Payload::Dict(d), Value::Instance(yi)) => {
                    if let Payload::Dict(new) = &yi.payload {
                        deep_dict_into(vm, d, new, memo)?;
                    }
                }
                (Payload::Set(s), Value::Instance(_)) => {
                    let items = s.table.borrow().keys();
                    let copied = deep_items(vm, &items, memo)?;
                    for item in copied {
                        vm.set_add(&y, item)?;
                    }
                }
                _ => {}
            }
            copy_attrs(vm, i, &y, memo)?;
            Ok(y)
        }
        Value::Native(n) => {
            let deque = with_native::<DequeData, _>(x, |d| {
                (d.items.iter().cloned().collect::<Vec<_>>(), d.maxlen)
            });
            if let Some((items, maxlen)) = deque {
                let copied = deep_items(vm, &items, memo)?;
                let class = n.class.clone();
                let maxlen = maxlen.map(|m| Value::Int(m as i64)).unwrap_or(Value::None);
                let y = vm.call(&Value::Class(class), vec![Value::list(copied), maxlen])?;
                memo.put(x, &y);
                return Ok(y);
            }
            if let Some(r) = vm.call_special(x, "__copy__", Vec::new())? {
                return Ok(r);
            }
            Err(cannot_pickle(vm, x))
        }
        Value::Module(_) | Value::Generator(_) => Err(cannot_pickle(vm, x)),
        _ => Err(vm.unsupported(format!("copy.deepcopy() of a '{}' object", vm.type_name(x)))),
    }
}

/// Deep-copies an instance's `__dict__` into the copy.
fn copy_attrs(vm: &mut Vm, source: &Instance, y: &Value, memo: &mut Memo) -> PyResult<()> {
    let entries = crate::vm::attributes::instance_attributes(source);
    for (k, v) in entries {
        let v = deep(vm, &v, memo)?;
        if let Value::Instance(yi) = y {
            vm.set_instance_attribute(yi, &k, v);
        }
    }
    Ok(())
}

fn deepcopy(vm: &mut Vm, args: &mut crate::value::Args) -> PyResult<Value> {
    let a = vm.parse_args("deepcopy", args, &["x", "memo"], 1)?;
    let mut memo = Memo {
        copies: HashMap::new(),
        keep: Vec::new(),
    };
    deep(vm, a[0].as_ref().unwrap_or(&Value::None), &mut memo)
}
