//! `mappingproxy`: the read-only view `Class.__dict__` returns (CPython
//! Objects/descrobject.c). Ours wraps a copy of the class's namespace
//! taken when `__dict__` is read; reading methods are forwarded to that
//! dict, and there is no way to change it.

use std::rc::Rc;

use super::{add_methods, native_object, with_native};
use crate::value::{Args, PyResult, PyStr, Value};
use crate::vm::Vm;

pub fn install(vm: &mut Vm) {
    let class = vm.types.named("mappingproxy");
    add_methods(
        &class,
        "mappingproxy",
        &[
            ("__getitem__", getitem),
            ("__contains__", contains),
            ("__iter__", iter),
            ("__len__", len),
            ("__repr__", repr),
            ("__str__", str),
            ("__eq__", eq),
            ("keys", keys),
            ("values", values),
            ("items", items),
            ("get", get),
            ("copy", copy),
        ],
    );
}

/// The dict a mappingproxy shows.
struct Proxied(Value);

/// A new mappingproxy over `mapping`.
pub fn new_mappingproxy(vm: &Vm, mapping: Value) -> Value {
    let class = vm.types.named("mappingproxy");
    native_object(vm, &class, Proxied(mapping))
}

/// Calls the method `name` of the proxied dict with the other arguments.
fn forward(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Value> {
    let receiver = vm.receiver(name, args)?;
    let Some(mapping) = with_native::<Proxied, _>(&receiver, |p| p.0.clone()) else {
        let t = vm.type_name(&receiver);
        return Err(vm.type_error(format!(
            "descriptor '{name}' for 'mappingproxy' objects doesn't apply to a '{t}' object"
        )));
    };
    let method = vm.get_attr(&mapping, &Rc::new(PyStr::new(name)))?;
    let positional = std::mem::take(&mut args.positional);
    let keywords = std::mem::take(&mut args.keywords);
    vm.call_with(&method, positional, keywords)
}

fn getitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    forward(vm, args, "__getitem__")
}

fn contains(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    forward(vm, args, "__contains__")
}

fn iter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    forward(vm, args, "__iter__")
}

fn len(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    forward(vm, args, "__len__")
}

/// CPython mappingproxy_repr: `mappingproxy({...})`.
fn repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let inner = forward(vm, args, "__repr__")?;
    let text = vm.str_of(&inner)?;
    Ok(Value::string(format!("mappingproxy({text})")))
}

fn str(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    forward(vm, args, "__str__")
}

fn eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    forward(vm, args, "__eq__")
}

fn keys(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    forward(vm, args, "keys")
}

fn values(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    forward(vm, args, "values")
}

fn items(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    forward(vm, args, "items")
}

fn get(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    forward(vm, args, "get")
}

fn copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    forward(vm, args, "copy")
}
