//! `_loopscope_codegen`: lets Loopscope's own Python modules define
//! functions from generated source, as CPython's `dataclasses` does with
//! `exec` (`_create_fn`). The generated `__init__` is then a real Python
//! function, so the VM's argument binding gives CPython's exact
//! TypeErrors (`missing 1 required positional argument: 'y'`).
//!
//! Not a general `exec` for programs: the code gets a filename starting
//! with `<`, so its frames are hidden from tracebacks like the frames of
//! Loopscope's Python modules, and it runs in a fresh namespace.

use std::rc::Rc;

use crate::builtins::{add_functions, new_module};
use crate::value::{Args, Module, PyDict, PyResult, Value};
use crate::vm::{ExcType, Vm};

pub fn make(_vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("_loopscope_codegen");
    add_functions(&module, &[("define", define)]);
    Ok(module)
}

/// `define(source, filename)`: runs `source` as the body of a fresh
/// module and returns the names it defined, as a dict.
fn define(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("define", args, &["source", "filename"], 2)?;
    let source = match &a[0] {
        Some(v) => vm.expect_str(v, "source")?,
        None => return Ok(Value::None),
    };
    let filename = match &a[1] {
        Some(v) => vm.expect_str(v, "filename")?,
        None => return Ok(Value::None),
    };
    if !filename.as_str().starts_with('<') {
        return Err(vm.error(
            ExcType::ValueError,
            "generated code needs a filename in angle brackets",
        ));
    }
    let code =
        crate::compiler::compile_module(source.as_str(), filename.as_str()).map_err(|error| {
            vm.error(
                ExcType::SystemError,
                format!("generated code does not compile: {}", error.message),
            )
        })?;
    let namespace = new_module(filename.as_str());
    namespace
        .dict
        .borrow_mut()
        .set("__builtins__", Value::Module(vm.builtins.clone()));
    vm.run_code(code, namespace.clone(), Some(namespace.clone()))?;
    let defined = PyDict::new();
    let entries: Vec<_> = namespace.dict.borrow().iter().cloned().collect();
    for (name, value) in entries {
        if matches!(name.as_str(), "__builtins__" | "__name__") {
            continue;
        }
        defined.set(vm, Value::Str(name), value)?;
    }
    Ok(Value::Dict(Rc::new(defined)))
}
