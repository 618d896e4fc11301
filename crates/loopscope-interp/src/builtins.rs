//! The `builtins` module: built-in functions, the built-in classes'
//! constructors and methods, and the helpers native code uses to take
//! arguments and register functions.

pub mod bytearray;
pub mod bytes;
pub mod classes;
pub mod containers;
pub mod docstrings;
pub mod functions;
pub mod generators;
pub mod mappingproxy;
pub mod numbers;
pub mod os_error;
pub mod percent;
pub mod sets;
pub mod strings;

use std::rc::Rc;

use crate::value::{
    Args, Builtin, Class, Module, NativeFn, NativeFnPtr, NativeObj, PyResult, PyStr, Value,
};
use crate::vm::{ExcType, Vm};

pub use classes::build_class;

/// Fills the `builtins` module and the built-in classes' dicts.
pub fn install(vm: &mut Vm) {
    classes::install(vm);
    functions::install(vm);
    sets::install(vm);
    generators::install(vm);
    containers::install(vm);
    numbers::install(vm);
    strings::install(vm);
    bytes::install(vm);
    bytearray::install(vm);
    mappingproxy::install(vm);
    let module = vm.builtins.clone();
    let mut dict = module.dict.borrow_mut();
    let types = &vm.types;
    for class in [
        &types.object,
        &types.type_,
        &types.int,
        &types.bool_,
        &types.float,
        &types.str_,
        &types.bytes,
        &types.list,
        &types.tuple,
        &types.dict,
        &types.set,
        &types.frozenset,
    ] {
        dict.insert(class.name(), Value::Class(class.clone()));
    }
    for name in [
        "bytearray",
        "range",
        "slice",
        "enumerate",
        "zip",
        "map",
        "filter",
        "reversed",
        "property",
        "staticmethod",
        "classmethod",
        "super",
    ] {
        dict.set(name, Value::Class(types.named(name)));
    }
    for (_, class) in types.all_exceptions() {
        dict.insert(class.name(), Value::Class(class.clone()));
    }
    // CPython keeps the pre-3.3 names as aliases of OSError.
    let os_error = Value::Class(types.exception(ExcType::OSError));
    dict.set("IOError", os_error.clone());
    dict.set("EnvironmentError", os_error);
    dict.set("None", Value::None);
    dict.set("Ellipsis", Value::Ellipsis);
    dict.set("NotImplemented", Value::NotImplemented);
    dict.set("__name__", Value::str("builtins"));
    dict.set("__debug__", Value::Bool(true));
}

/// A native function value.
pub fn function(name: &str, f: NativeFnPtr) -> Value {
    Value::Builtin(Rc::new(Builtin {
        name: Rc::new(PyStr::new(name)),
        owner: None,
        func: NativeFn::Plain(f),
        receiver: None,
    }))
}

/// A native method of a class: called with the receiver first.
pub fn method(name: &str, owner: &'static str, f: NativeFnPtr) -> Value {
    Value::Builtin(Rc::new(Builtin {
        name: Rc::new(PyStr::new(name)),
        owner: Some(owner),
        func: NativeFn::Plain(f),
        receiver: None,
    }))
}

/// Puts native methods in a class's dict.
pub fn add_methods(class: &Rc<Class>, owner: &'static str, methods: &[(&str, NativeFnPtr)]) {
    let mut dict = class.dict.borrow_mut();
    for (name, f) in methods {
        dict.set(name, method(name, owner, *f));
    }
}

/// Puts native functions in a module's dict.
pub fn add_functions(module: &Module, functions: &[(&str, NativeFnPtr)]) {
    let mut dict = module.dict.borrow_mut();
    for (name, f) in functions {
        dict.set(name, function(name, *f));
    }
}

/// A new empty module object.
pub fn new_module(name: &str) -> Rc<Module> {
    let module = Rc::new(Module {
        name: Rc::new(PyStr::new(name)),
        dict: Default::default(),
    });
    module.dict.borrow_mut().set("__name__", Value::str(name));
    module
}

/// A native class of a module (`collections.deque`) with its methods.
pub fn native_class(
    vm: &Vm,
    name: &str,
    module: &str,
    owner: &'static str,
    methods: &[(&str, NativeFnPtr)],
) -> Rc<Class> {
    let class = crate::vm::types::new_class(
        &vm.ids,
        name,
        module,
        vec![vm.types.object.clone()],
        crate::value::Layout::Special,
        true,
    )
    .expect("a class with the single base object is consistent");
    add_methods(&class, owner, methods);
    class
}

/// A new native object of a native class.
pub fn native_object<T: 'static>(vm: &Vm, class: &Rc<Class>, data: T) -> Value {
    Value::Native(Rc::new(NativeObj {
        class: class.clone(),
        data: std::cell::RefCell::new(Box::new(data)),
        dict: Default::default(),
        id: vm.ids.next(),
    }))
}

/// Runs `f` on the native state of `value` if it is a `T`.
pub fn with_native<T: 'static, R>(value: &Value, f: impl FnOnce(&mut T) -> R) -> Option<R> {
    match value {
        Value::Native(n) => {
            let mut data = n.data.borrow_mut();
            data.downcast_mut::<T>().map(f)
        }
        _ => None,
    }
}

impl Vm {
    /// Binds the arguments of a native function to parameter names.
    /// Positional arguments fill `names` in order; keywords by name. The
    /// first `required` are mandatory. Errors read like CPython's.
    pub fn parse_args(
        &mut self,
        fname: &str,
        args: &mut Args,
        names: &[&str],
        required: usize,
    ) -> PyResult<Vec<Option<Value>>> {
        let given = args.positional.len();
        if given > names.len() {
            return Err(self.too_many_args(fname, names.len(), required, given));
        }
        let mut out: Vec<Option<Value>> = std::mem::take(&mut args.positional)
            .into_iter()
            .map(Some)
            .collect();
        out.resize(names.len(), None);
        for (key, value) in std::mem::take(&mut args.keywords) {
            match names.iter().position(|n| *n == key.as_str()) {
                Some(i) if out[i].is_none() => out[i] = Some(value),
                Some(_) => {
                    return Err(self.type_error(format!(
                        "argument for {fname}() given by name ('{}') and position ({})",
                        key.as_str(),
                        names.iter().position(|n| *n == key.as_str()).unwrap_or(0) + 1
                    )))
                }
                None => {
                    return Err(self.type_error(format!(
                        "{fname}() got an unexpected keyword argument '{}'",
                        key.as_str()
                    )))
                }
            }
        }
        for (i, slot) in out.iter().enumerate().take(required) {
            if slot.is_none() {
                if names.len() == 1 && required == 1 && given == 0 {
                    return Err(
                        self.type_error(format!("{fname}() takes exactly one argument (0 given)"))
                    );
                }
                return Err(self.type_error(format!(
                    "{fname}() missing required argument '{}' (pos {})",
                    names[i],
                    i + 1
                )));
            }
        }
        Ok(out)
    }

    fn too_many_args(
        &mut self,
        fname: &str,
        max: usize,
        required: usize,
        given: usize,
    ) -> crate::value::Unwind {
        let message = if max == 0 {
            format!("{fname}() takes no arguments ({given} given)")
        } else if max == required {
            if max == 1 {
                format!("{fname}() takes exactly one argument ({given} given)")
            } else {
                format!("{fname}() takes exactly {max} arguments ({given} given)")
            }
        } else {
            let plural = if max == 1 { "" } else { "s" };
            format!("{fname}() takes at most {max} argument{plural} ({given} given)")
        };
        self.type_error(message)
    }

    /// No arguments allowed beyond the receiver (`list.copy()`).
    pub fn no_args(&mut self, fname: &str, args: &Args, receiver: usize) -> PyResult<()> {
        let given = args.positional.len().saturating_sub(receiver);
        if given > 0 || !args.keywords.is_empty() {
            return Err(self.type_error(format!("{fname}() takes no arguments ({given} given)")));
        }
        Ok(())
    }

    /// The receiver of a native method (its first positional argument).
    pub fn receiver(&mut self, fname: &str, args: &mut Args) -> PyResult<Value> {
        if args.positional.is_empty() {
            return Err(self.type_error(format!("descriptor '{fname}' needs an argument")));
        }
        Ok(args.positional.remove(0))
    }

    /// A `str` argument, or the TypeError CPython gives.
    pub fn expect_str(&mut self, v: &Value, what: &str) -> PyResult<Rc<PyStr>> {
        match v {
            Value::Str(s) => Ok(s.clone()),
            other => match other.unwrap_builtin() {
                Value::Str(s) => Ok(s),
                _ => {
                    let t = self.type_name(v);
                    Err(self.type_error(format!("{what} must be str, not {t}")))
                }
            },
        }
    }

    /// An `int` argument as i64.
    pub fn expect_int(&mut self, v: &Value) -> PyResult<i64> {
        match v {
            Value::Float(_) => {
                Err(self.type_error("'float' object cannot be interpreted as an integer"))
            }
            _ => self.to_index(v),
        }
    }

    /// A number as f64 (`float(x)` for ints and floats).
    pub fn expect_f64(&mut self, v: &Value, what: &str) -> PyResult<f64> {
        match v {
            Value::Float(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            Value::Bool(b) => Ok(*b as i64 as f64),
            Value::BigInt(b) => crate::numbers::bigint_to_f64(b).ok_or_else(|| {
                self.error(ExcType::OverflowError, "int too large to convert to float")
            }),
            _ => {
                if let Some(r) = self.call_special(v, "__float__", Vec::new())? {
                    return self.expect_f64(&r, what);
                }
                let inner = v.unwrap_builtin();
                if matches!(inner, Value::Float(_) | Value::Int(_) | Value::BigInt(_)) {
                    return self.expect_f64(&inner, what);
                }
                let t = self.type_name(v);
                Err(self.type_error(format!("{what} must be real number, not {t}")))
            }
        }
    }
}

/// `ascii(x)` from `repr(x)`: non-ASCII characters escaped.
pub fn ascii_of(repr: &str) -> String {
    let mut out = String::with_capacity(repr.len());
    for c in repr.chars() {
        let code = c as u32;
        if code < 0x80 {
            out.push(c);
        } else if code < 0x100 {
            out.push_str(&format!("\\x{code:02x}"));
        } else if code < 0x10000 {
            out.push_str(&format!("\\u{code:04x}"));
        } else {
            out.push_str(&format!("\\U{code:08x}"));
        }
    }
    out
}
