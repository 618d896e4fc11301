//! `_types`: the few primitives `types` (written in Python,
//! `python/types.py`) needs from the VM: what kind of code a function
//! has, the `types.coroutine` flag of generator functions (CPython's
//! `CO_ITERABLE_COROUTINE`), and `types.MethodType(func, obj)`.

use std::rc::Rc;

use crate::builtins::{add_functions, function, native_object, new_module};
use crate::value::{Args, BoundMethod, GenKind, Module, PyResult, Value};
use crate::vm::Vm;

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("_types");
    add_functions(
        &module,
        &[
            ("code_kind", code_kind),
            ("is_iterable_coroutine", is_iterable_coroutine),
            ("mark_iterable_coroutine", mark_iterable_coroutine),
        ],
    );
    // `types.MethodType` is the class of bound methods: calling it binds.
    let method_class = vm.types.named("method");
    if method_class.dict.borrow().get("__new__").is_none() {
        let new = native_object(
            vm,
            &vm.types.named("staticmethod"),
            function("__new__", method_new),
        );
        method_class.dict.borrow_mut().set("__new__", new);
    }
    Ok(module)
}

fn single(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Value> {
    let a = vm.parse_args(name, args, &["obj"], 1)?;
    Ok(a.into_iter().next().flatten().unwrap_or(Value::None))
}

/// "generator", "coroutine" or "async_generator" for a Python function
/// whose calls make one, "function" for other Python functions, None for
/// anything else.
fn code_kind(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = single(vm, args, "code_kind")?;
    let Value::Function(f) = v else {
        return Ok(Value::None);
    };
    Ok(Value::str(match Vm::generator_kind(&f.code) {
        Some(GenKind::Generator) => "generator",
        Some(GenKind::Coroutine) => "coroutine",
        Some(GenKind::AsyncGenerator) => "async_generator",
        None => "function",
    }))
}

/// Does a function (or a generator it made) carry the
/// `types.coroutine` flag?
fn is_iterable_coroutine(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = single(vm, args, "is_iterable_coroutine")?;
    Ok(Value::Bool(match &v {
        Value::Function(f) => f.iterable_coroutine.get(),
        Value::Generator(g) => g.iterable_coroutine.get(),
        _ => false,
    }))
}

/// Flags a generator function so `await` accepts its generators.
fn mark_iterable_coroutine(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = single(vm, args, "mark_iterable_coroutine")?;
    if let Value::Function(f) = &v {
        f.iterable_coroutine.set(true);
    }
    Ok(v)
}

/// `types.MethodType(func, obj)` (CPython `method_new`).
fn method_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    if !matches!(args.positional.first(), Some(Value::Class(_))) {
        return Err(vm.type_error("method.__new__(X): X is not a type object"));
    }
    args.positional.remove(0);
    if !args.keywords.is_empty() {
        return Err(vm.type_error("method() takes no keyword arguments"));
    }
    if args.positional.len() != 2 {
        let n = args.positional.len();
        return Err(vm.type_error(format!("method expected 2 arguments, got {n}")));
    }
    let receiver = args.positional.pop().unwrap_or(Value::None);
    let function = args.positional.pop().unwrap_or(Value::None);
    let callable = match &function {
        Value::Function(_) | Value::BoundMethod(_) | Value::Builtin(_) | Value::Class(_) => true,
        other => vm.class_of(other).lookup("__call__").is_some(),
    };
    if !callable {
        return Err(vm.type_error("first argument must be callable"));
    }
    if receiver.is_none() {
        return Err(vm.type_error("instance must not be None"));
    }
    Ok(Value::BoundMethod(Rc::new(BoundMethod {
        receiver,
        function,
    })))
}
