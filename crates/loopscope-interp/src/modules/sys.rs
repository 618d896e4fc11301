//! `sys`: the parts a program in the simulated world can use (streams,
//! `exit`, limits, `version_info`).

use std::rc::Rc;

use crate::builtins::{add_functions, add_methods, native_class, native_object, new_module};
use crate::value::{Args, Module, PyResult, Unwind, Value};
use crate::vm::{ExcType, Stream, Vm};

pub fn make(vm: &mut Vm) -> Rc<Module> {
    let module = new_module("sys");
    add_functions(
        &module,
        &[
            ("exit", exit),
            ("getrecursionlimit", getrecursionlimit),
            ("setrecursionlimit", setrecursionlimit),
            ("get_int_max_str_digits", get_int_max_str_digits),
            ("getsizeof", getsizeof),
            ("exc_info", exc_info),
            ("exception", exception),
        ],
    );
    let stream_class = native_class(vm, "TextIOWrapper", "_io", "TextIOWrapper", &[]);
    add_methods(
        &stream_class,
        "TextIOWrapper",
        &[("write", stream_write), ("flush", stream_flush)],
    );
    let stdout = native_object(vm, &stream_class, Stream::Stdout);
    let stderr = native_object(vm, &stream_class, Stream::Stderr);
    let mut dict = module.dict.borrow_mut();
    dict.set("stdout", stdout.clone());
    dict.set("stderr", stderr.clone());
    dict.set("__stdout__", stdout);
    dict.set("__stderr__", stderr);
    dict.set("maxsize", Value::Int(i64::MAX));
    dict.set("platform", Value::str("linux"));
    dict.set("byteorder", Value::str("little"));
    dict.set("version", Value::str("3.11.7 (Loopscope simulation)"));
    dict.set("argv", Value::list(vec![Value::str("main.py")]));
    drop(dict);
    add_struct_sequences(vm, &module);
    module
}

/// `version_info`, `float_info`, `int_info` (struct sequences), and
/// `modules` holding the modules imported so far.
fn add_struct_sequences(vm: &mut Vm, module: &Rc<Module>) {
    let sequences: [(&str, &[&str], Vec<Value>); 3] = [
        (
            "version_info",
            &["major", "minor", "micro", "releaselevel", "serial"],
            vec![
                Value::Int(3),
                Value::Int(11),
                Value::Int(7),
                Value::str("final"),
                Value::Int(0),
            ],
        ),
        (
            "float_info",
            &[
                "max",
                "max_exp",
                "max_10_exp",
                "min",
                "min_exp",
                "min_10_exp",
                "dig",
                "mant_dig",
                "epsilon",
                "radix",
                "rounds",
            ],
            vec![
                Value::Float(f64::MAX),
                Value::Int(1024),
                Value::Int(308),
                Value::Float(f64::MIN_POSITIVE),
                Value::Int(-1021),
                Value::Int(-307),
                Value::Int(15),
                Value::Int(53),
                Value::Float(f64::EPSILON),
                Value::Int(2),
                Value::Int(1),
            ],
        ),
        (
            "int_info",
            &[
                "bits_per_digit",
                "sizeof_digit",
                "default_max_str_digits",
                "str_digits_check_threshold",
            ],
            vec![
                Value::Int(30),
                Value::Int(4),
                Value::Int(crate::numbers::MAX_INT_DIGITS as i64),
                Value::Int(640),
            ],
        ),
    ];
    for (name, fields, values) in sequences {
        if let Ok(class) = super::namedtuple::struct_sequence(vm, name, "sys", fields) {
            let value = super::namedtuple::new_tuple_instance(vm, &class, values);
            module.dict.borrow_mut().set(name, value);
        }
    }
    let modules = crate::value::PyDict::new();
    let mut entries: Vec<(String, Value)> = vec![
        ("builtins".into(), Value::Module(vm.builtins.clone())),
        ("__main__".into(), Value::Module(vm.main.clone())),
        ("sys".into(), Value::Module(module.clone())),
    ];
    for (name, value) in vm.modules.iter() {
        entries.push((name.as_str().to_string(), value.clone()));
    }
    for (name, value) in entries {
        modules.set_str(vm, &name, value);
    }
    let mut dict = module.dict.borrow_mut();
    dict.set("modules", Value::Dict(Rc::new(modules)));
    dict.set("maxunicode", Value::Int(0x10ffff));
    dict.set("hexversion", Value::Int(0x030b07f0));
}

/// The stream a `sys.stdout`/`sys.stderr` object writes to.
pub fn stream_of(_vm: &Vm, file: &Value) -> Option<Stream> {
    crate::builtins::with_native::<Stream, _>(file, |s| *s)
}

/// Writes `text` where a `file=` argument says: the given stream, any
/// object with a `write` method, or `default` for None (what `print` and
/// `traceback.print_exc` do).
pub fn write_to(vm: &mut Vm, file: &Value, default: Stream, text: String) -> PyResult<()> {
    let stream = match file {
        Value::None => default,
        other => match stream_of(vm, other) {
            Some(stream) => stream,
            None => {
                let write = vm.get_attr(other, &Rc::new(crate::value::PyStr::new("write")))?;
                vm.call(&write, vec![Value::string(text)])?;
                return Ok(());
            }
        },
    };
    vm.write_output(stream, &text)
}

fn stream_write(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("write", args, &["self", "text"], 2)?;
    let this = a[0].clone().unwrap_or(Value::None);
    let text = a[1].clone().unwrap_or(Value::None);
    let Value::Str(s) = &text else {
        let t = vm.type_name(&text);
        return Err(vm.type_error(format!("write() argument must be str, not {t}")));
    };
    let stream = stream_of(vm, &this).unwrap_or(Stream::Stdout);
    vm.write_output(stream, s.as_str())?;
    Ok(Value::Int(s.char_len() as i64))
}

fn stream_flush(_vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Ok(Value::None)
}

fn exit(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("exit", args, &["status"], 0)?;
    let class = vm.types.exception(ExcType::SystemExit);
    let args = a[0].clone().map(|v| vec![v]).unwrap_or_default();
    Err(Unwind::Exception(vm.new_exception(&class, args)))
}

/// `sys.exc_info()`: the exception being handled as (type, value,
/// traceback), or three Nones.
fn exc_info(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    vm.no_args("exc_info", args, 0)?;
    let Some(exc) = vm.exc_stack.last().cloned() else {
        return Ok(Value::tuple(vec![Value::None, Value::None, Value::None]));
    };
    let class = Value::Class(vm.class_of(&exc));
    let traceback = vm.traceback_object(&exc);
    Ok(Value::tuple(vec![class, exc, traceback]))
}

/// `sys.exception()` (3.11): the exception being handled, or None.
fn exception(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    vm.no_args("exception", args, 0)?;
    Ok(vm.exc_stack.last().cloned().unwrap_or(Value::None))
}

fn getrecursionlimit(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Ok(Value::Int(vm.limits.recursion_limit as i64))
}

fn setrecursionlimit(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("setrecursionlimit", args, &["limit"], 1)?;
    let n = vm.expect_int(a[0].as_ref().unwrap_or(&Value::None))?;
    if n < 1 {
        return Err(vm.error(
            ExcType::ValueError,
            "recursion limit must be greater or equal than 1",
        ));
    }
    // The native stack bounds how deep the simulation can really go.
    vm.limits.recursion_limit = (n as u32).min(vm.limits.max_recursion_limit);
    Ok(Value::None)
}

fn get_int_max_str_digits(_vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Ok(Value::Int(crate::numbers::MAX_INT_DIGITS as i64))
}

fn getsizeof(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Err(vm.unsupported("sys.getsizeof(): object sizes are CPython's memory layout"))
}
