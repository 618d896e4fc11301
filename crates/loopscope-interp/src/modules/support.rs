//! Helpers the native standard-library modules share: binding arguments
//! the way a Python-level function binds them (CPython's pure-Python
//! modules report `Random.randint() missing 1 required positional
//! argument: 'b'`), read-only properties with native getters, operator
//! methods that the VM's binary-operator dispatch calls, closures as
//! functions, and module-level exception classes.

use std::rc::Rc;

use crate::builtins::{add_methods, method, native_class, native_object, with_native};
use crate::value::{
    Args, Builtin, Class, Layout, NativeClosure, NativeFn, NativeFnPtr, PyResult, PyStr, Value,
};
use crate::vm::attributes::PropertyData;
use crate::vm::{ExcType, Vm};

/// The signature of a function written in Python in CPython's library.
pub struct Sig<'a> {
    /// The name messages use (`Random.randint`).
    pub name: &'a str,
    /// Positional-or-keyword parameters, in order (not counting `self`).
    pub params: &'a [&'a str],
    /// How many of `params` have no default.
    pub required: usize,
    /// Keyword-only parameters (all optional).
    pub kwonly: &'a [&'a str],
    /// A method: `self` counts in "takes N positional arguments".
    pub method: bool,
}

impl Sig<'_> {
    /// Binds `args` (the receiver already taken out): one slot per
    /// parameter, then one per keyword-only parameter.
    pub fn bind(&self, vm: &mut Vm, args: &mut Args) -> PyResult<Vec<Option<Value>>> {
        let extra = usize::from(self.method);
        let given = args.positional.len();
        if given > self.params.len() {
            let max = self.params.len() + extra;
            let min = self.required + extra;
            let takes = if min == max {
                format!("{max} positional argument{}", plural(max))
            } else {
                format!("from {min} to {max} positional arguments")
            };
            let total = given + extra;
            let was = if total == 1 { "was" } else { "were" };
            return Err(vm.type_error(format!(
                "{}() takes {takes} but {total} {was} given",
                self.name
            )));
        }
        let mut out: Vec<Option<Value>> = std::mem::take(&mut args.positional)
            .into_iter()
            .map(Some)
            .collect();
        out.resize(self.params.len() + self.kwonly.len(), None);
        for (key, value) in std::mem::take(&mut args.keywords) {
            let position = self
                .params
                .iter()
                .chain(self.kwonly.iter())
                .position(|n| *n == key.as_str());
            match position {
                Some(i) if out[i].is_some() => {
                    return Err(vm.type_error(format!(
                        "{}() got multiple values for argument '{}'",
                        self.name,
                        key.as_str()
                    )))
                }
                Some(i) => out[i] = Some(value),
                None => {
                    return Err(vm.type_error(format!(
                        "{}() got an unexpected keyword argument '{}'",
                        self.name,
                        key.as_str()
                    )))
                }
            }
        }
        let missing: Vec<String> = (0..self.required)
            .filter(|i| out[*i].is_none())
            .map(|i| format!("'{}'", self.params[i]))
            .collect();
        if !missing.is_empty() {
            let list = match missing.len() {
                1 => missing[0].clone(),
                2 => format!("{} and {}", missing[0], missing[1]),
                n => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
            };
            return Err(vm.type_error(format!(
                "{}() missing {} required positional argument{}: {list}",
                self.name,
                missing.len(),
                plural(missing.len())
            )));
        }
        Ok(out)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The value in a bound slot, or `None` (Python's) when not given.
pub fn arg(bound: &[Option<Value>], i: usize) -> Value {
    bound.get(i).cloned().flatten().unwrap_or(Value::None)
}

/// A function value made from a Rust closure.
pub fn closure(name: &str, f: NativeClosure) -> Value {
    Value::Builtin(Rc::new(Builtin {
        name: Rc::new(PyStr::new(name)),
        owner: None,
        func: NativeFn::Closure(f),
        receiver: None,
    }))
}

/// A read-only property whose getter is a native function of the
/// instance: what CPython's member and getset descriptors look like.
pub fn getter(vm: &Vm, name: &str, f: NativeFnPtr) -> Value {
    native_object(
        vm,
        &vm.types.named("property"),
        PropertyData {
            fget: crate::builtins::function(name, f),
            fset: Value::None,
            fdel: Value::None,
            doc: Value::None,
        },
    )
}

/// A property with native getter and setter.
pub fn property(vm: &Vm, fget: Value, fset: Value, fdel: Value) -> Value {
    native_object(
        vm,
        &vm.types.named("property"),
        PropertyData {
            fget,
            fset,
            fdel,
            doc: Value::None,
        },
    )
}

/// The state of an operator method (`deque.__add__`): what CPython calls a
/// slot wrapper. Binary operators only dispatch to methods written in
/// Python or to these, so native classes register their operators here.
struct SlotWrapper {
    name: &'static str,
    owner: &'static str,
    func: NativeFnPtr,
}

/// The class of operator methods, one per module that needs it.
pub fn slot_class(vm: &Vm) -> Rc<Class> {
    let class = native_class(
        vm,
        "wrapper_descriptor",
        "builtins",
        "wrapper_descriptor",
        &[],
    );
    add_methods(
        &class,
        "wrapper_descriptor",
        &[("__call__", slot_call), ("__get__", slot_get)],
    );
    class
}

/// Puts operator methods in a class's dict as slot wrappers.
pub fn add_slots(
    vm: &Vm,
    slots: &Rc<Class>,
    class: &Rc<Class>,
    owner: &'static str,
    methods: &[(&'static str, NativeFnPtr)],
) {
    for (name, func) in methods {
        let wrapper = native_object(
            vm,
            slots,
            SlotWrapper {
                name,
                owner,
                func: *func,
            },
        );
        class.dict.borrow_mut().set(name, wrapper);
    }
}

fn slot_call(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__call__", args)?;
    let Some(func) = with_native::<SlotWrapper, _>(&this, |s| s.func) else {
        return Err(vm.type_error("descriptor '__call__' requires a 'wrapper_descriptor'"));
    };
    vm.enter_native()?;
    let result = func(vm, args);
    vm.depth -= 1;
    result
}

fn slot_get(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__get__", args)?;
    let instance = args.positional.first().cloned().unwrap_or(Value::None);
    if instance.is_none() {
        return Ok(this);
    }
    let Some((name, owner, func)) =
        with_native::<SlotWrapper, _>(&this, |s| (s.name, s.owner, s.func))
    else {
        return Ok(this);
    };
    Ok(vm.bind(method(name, owner, func), instance))
}

/// A new exception class of a module (`statistics.StatisticsError`).
pub fn exception_class(vm: &Vm, name: &str, module: &str, base: ExcType) -> Rc<Class> {
    let base = vm.types.exception(base);
    let class =
        crate::vm::types::new_class(&vm.ids, name, module, vec![base], Layout::Exception, false)
            .unwrap_or_else(|_| vm.types.exception(ExcType::Exception));
    class
        .dict
        .borrow_mut()
        .set("__module__", Value::str(module));
    class
}

/// Raises an instance of a module's exception class with a message.
pub fn raise(vm: &mut Vm, class: &Rc<Class>, message: impl Into<String>) -> crate::value::Unwind {
    let exc = vm.new_exception(class, vec![Value::string(message.into())]);
    crate::value::Unwind::Exception(exc)
}

/// A number as f64 for math-like functions: `TypeError: must be real
/// number, not str` otherwise.
pub fn real(vm: &mut Vm, v: &Value) -> PyResult<f64> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        Value::BigInt(b) => crate::numbers::bigint_to_f64(b)
            .ok_or_else(|| vm.error(ExcType::OverflowError, "int too large to convert to float")),
        _ => {
            if let Some(r) = vm.call_special(v, "__float__", Vec::new())? {
                if let Value::Float(f) = r {
                    return Ok(f);
                }
                let t = vm.type_name(v);
                let rt = vm.type_name(&r);
                return Err(vm.type_error(format!("{t}.__float__ returned non-float (type {rt})")));
            }
            let inner = v.unwrap_builtin();
            if matches!(inner, Value::Float(_) | Value::Int(_) | Value::BigInt(_)) {
                return real(vm, &inner);
            }
            if vm.class_of(v).lookup("__index__").is_some() {
                let i = vm
                    .call_special(v, "__index__", Vec::new())?
                    .unwrap_or(Value::None);
                return real(vm, &i);
            }
            let t = vm.type_name(v);
            Err(vm.type_error(format!("must be real number, not {t}")))
        }
    }
}

/// An exact int argument as a BigInt (via `__index__`), or the TypeError
/// CPython gives.
pub fn index_big(vm: &mut Vm, v: &Value) -> PyResult<num_bigint::BigInt> {
    match v {
        Value::Int(i) => Ok((*i).into()),
        Value::Bool(b) => Ok(i64::from(*b).into()),
        Value::BigInt(b) => Ok((**b).clone()),
        _ => {
            let inner = v.unwrap_builtin();
            if matches!(inner, Value::Int(_) | Value::BigInt(_)) {
                return index_big(vm, &inner);
            }
            if let Some(r) = vm.call_special(v, "__index__", Vec::new())? {
                if matches!(r, Value::Int(_) | Value::BigInt(_) | Value::Bool(_)) {
                    return index_big(vm, &r);
                }
            }
            let t = vm.type_name(v);
            Err(vm.type_error(format!("'{t}' object cannot be interpreted as an integer")))
        }
    }
}

/// Is this value a Python int (or bool)?
pub fn is_int(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::BigInt(_) | Value::Bool(_))
}

/// Builds a container's repr, or returns `placeholder` when the container
/// is already being printed further up (`deque([1, [...]])`).
pub fn repr_guarded(
    vm: &mut Vm,
    v: &Value,
    placeholder: &str,
    f: impl FnOnce(&mut Vm) -> PyResult<String>,
) -> PyResult<String> {
    let address = v.object_address().unwrap_or(0);
    if vm.repr_guard.contains(&address) {
        return Ok(placeholder.to_string());
    }
    vm.enter_native()?;
    vm.repr_guard.push(address);
    let result = f(vm);
    vm.repr_guard.pop();
    vm.depth -= 1;
    result
}

/// The reprs of values, joined with ", ".
pub fn join_reprs(vm: &mut Vm, items: &[Value]) -> PyResult<String> {
    let mut parts = Vec::with_capacity(items.len());
    for item in items {
        parts.push(vm.repr_of(item)?);
    }
    Ok(parts.join(", "))
}

/// Module code sorts with the built-in sort (`sorted`'s algorithm).
pub use crate::builtins::functions::sort_by_keys;

/// The state of a native iterator object (`itertools.count`, ...): what
/// `__next__` steps. Implementations may call back into Python: the state
/// is taken out of its object while it steps.
pub trait NativeIterator {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>>;

    /// For iterators whose repr shows their state (`count(5, 2)`): the
    /// name and the values to show. Must not call into the VM.
    fn repr_parts(&self) -> Option<(&'static str, Vec<Value>)> {
        None
    }
}

/// The slot a native iterator object keeps its state in (None while it is
/// stepping).
pub struct IterSlot(pub Option<Box<dyn NativeIterator>>);

/// A class of native iterator objects: `__iter__` returns the object,
/// `__next__` steps its state, `__repr__` shows `repr_parts` if any.
pub fn iterator_class(vm: &Vm, name: &str, module: &str) -> Rc<Class> {
    let class = native_class(
        vm,
        name,
        module,
        "iterator",
        &[
            ("__iter__", iter_self),
            ("__next__", iter_next),
            ("__repr__", iter_repr),
        ],
    );
    class
        .dict
        .borrow_mut()
        .set("__module__", Value::str(module));
    class
}

/// A new native iterator object of an iterator class.
pub fn iterator_object(vm: &Vm, class: &Rc<Class>, state: Box<dyn NativeIterator>) -> Value {
    native_object(vm, class, IterSlot(Some(state)))
}

fn iter_self(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    vm.receiver("__iter__", args)
}

/// Steps a native iterator object: `Ok(None)` when exhausted.
pub fn step_native(vm: &mut Vm, this: &Value) -> PyResult<Option<Value>> {
    let taken = with_native::<IterSlot, _>(this, |slot| slot.0.take());
    let Some(taken) = taken else {
        let t = vm.type_name(this);
        return Err(vm.type_error(format!("'{t}' object is not an iterator")));
    };
    let Some(mut state) = taken else {
        return Err(vm.error(ExcType::ValueError, "generator already executing"));
    };
    let result = state.next(vm);
    with_native::<IterSlot, _>(this, |slot| slot.0 = Some(state));
    result
}

fn iter_next(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__next__", args)?;
    match step_native(vm, &this)? {
        Some(v) => Ok(v),
        None => {
            let stop = vm.stop_iteration(Value::None);
            Err(crate::value::Unwind::Exception(stop))
        }
    }
}

fn iter_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let parts =
        with_native::<IterSlot, _>(&this, |slot| slot.0.as_ref().and_then(|s| s.repr_parts()))
            .flatten();
    match parts {
        Some((name, values)) => {
            let body = join_reprs(vm, &values)?;
            Ok(Value::string(format!("{name}({body})")))
        }
        None => {
            let class = vm.class_of(&this);
            let module = class.module.as_str().to_string();
            let id = match &this {
                Value::Native(n) => n.id,
                _ => 0,
            };
            Ok(Value::string(format!(
                "<{module}.{} object at {}>",
                class.name().as_str(),
                crate::vm::repr::fake_address(id)
            )))
        }
    }
}

/// A native function value that binds to instances like a method (an
/// owner makes the VM bind it on attribute access).
pub fn with_owner(f: Value, owner: &'static str) -> Value {
    match f {
        Value::Builtin(b) => Value::Builtin(Rc::new(Builtin {
            name: b.name.clone(),
            owner: Some(owner),
            func: b.func.clone(),
            receiver: None,
        })),
        other => other,
    }
}

/// `setattr(obj, name, value)`, also on native objects of built-in
/// classes (whose attribute dict modules fill, e.g. `functools.wraps`
/// on an `lru_cache` wrapper).
pub fn set_attribute(vm: &mut Vm, obj: &Value, name: &str, value: Value) -> PyResult<()> {
    if let Value::Native(n) = obj {
        n.dict.borrow_mut().set(name, value);
        return Ok(());
    }
    vm.set_attr(obj, &Rc::new(PyStr::new(name)), value)
}
