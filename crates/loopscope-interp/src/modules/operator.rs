//! The `operator` module: the operators as functions (with their
//! `__add__`-style aliases) and the `itemgetter`, `attrgetter` and
//! `methodcaller` callables, with CPython 3.11's reprs and errors.

use std::rc::Rc;

use crate::builtins::{function, native_class, native_object, new_module, with_native};
use crate::bytecode::{BinOp, CmpOp, UnaryOp};
use crate::value::{Args, Module, PyResult, PyStr, Value};
use crate::vm::{ExcType, Vm};

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("operator");
    let functions: &[(&str, crate::value::NativeFnPtr, bool)] = &[
        ("add", add, true),
        ("sub", sub, true),
        ("mul", mul, true),
        ("matmul", matmul, true),
        ("truediv", truediv, true),
        ("floordiv", floordiv, true),
        ("mod", mod_, true),
        ("pow", pow, true),
        ("lshift", lshift, true),
        ("rshift", rshift, true),
        ("and_", and_, true),
        ("or_", or_, true),
        ("xor", xor, true),
        ("iadd", iadd, true),
        ("isub", isub, true),
        ("imul", imul, true),
        ("imatmul", imatmul, true),
        ("itruediv", itruediv, true),
        ("ifloordiv", ifloordiv, true),
        ("imod", imod, true),
        ("ipow", ipow, true),
        ("ilshift", ilshift, true),
        ("irshift", irshift, true),
        ("iand", iand, true),
        ("ior", ior, true),
        ("ixor", ixor, true),
        ("iconcat", iconcat, true),
        ("eq", eq, true),
        ("ne", ne, true),
        ("lt", lt, true),
        ("le", le, true),
        ("gt", gt, true),
        ("ge", ge, true),
        ("neg", neg, true),
        ("pos", pos, true),
        ("abs", abs, true),
        ("invert", invert, true),
        ("inv", invert, false),
        ("not_", not_, true),
        ("truth", truth, false),
        ("is_", is_, false),
        ("is_not", is_not, false),
        ("index", index, true),
        ("concat", concat, true),
        ("contains", contains, true),
        ("countOf", count_of, false),
        ("indexOf", index_of, false),
        ("getitem", getitem, true),
        ("setitem", setitem, true),
        ("delitem", delitem, true),
        ("length_hint", length_hint, false),
    ];
    {
        let mut dict = module.dict.borrow_mut();
        for (name, f, dunder) in functions {
            let value = function(name, *f);
            dict.set(name, value.clone());
            if *dunder {
                let bare = name.trim_end_matches('_');
                dict.set(&format!("__{bare}__"), value);
            }
        }
        dict.set("__inv__", function("inv", invert));
    }
    let itemgetter = native_class(
        vm,
        "itemgetter",
        "operator",
        "itemgetter",
        &[
            ("__new__", itemgetter_new),
            ("__call__", itemgetter_call),
            ("__repr__", getter_repr),
        ],
    );
    let attrgetter = native_class(
        vm,
        "attrgetter",
        "operator",
        "attrgetter",
        &[
            ("__new__", attrgetter_new),
            ("__call__", attrgetter_call),
            ("__repr__", getter_repr),
        ],
    );
    let methodcaller = native_class(
        vm,
        "methodcaller",
        "operator",
        "methodcaller",
        &[
            ("__new__", methodcaller_new),
            ("__call__", methodcaller_call),
            ("__repr__", methodcaller_repr),
        ],
    );
    let mut dict = module.dict.borrow_mut();
    for class in [itemgetter, attrgetter, methodcaller] {
        class
            .dict
            .borrow_mut()
            .set("__module__", Value::str("operator"));
        dict.insert(class.name(), Value::Class(class));
    }
    drop(dict);
    Ok(module)
}

fn exactly(vm: &mut Vm, name: &str, args: &mut Args, n: usize) -> PyResult<Vec<Value>> {
    if !args.keywords.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    let given = args.positional.len();
    if given != n {
        if n == 1 {
            return Err(vm.type_error(format!(
                "_operator.{name}() takes exactly one argument ({given} given)"
            )));
        }
        return Err(vm.type_error(format!("{name} expected {n} arguments, got {given}")));
    }
    Ok(std::mem::take(&mut args.positional))
}

macro_rules! binary {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
            let a = exactly(vm, stringify!($name).trim_end_matches('_'), args, 2)?;
            vm.binary_op($op, &a[0], &a[1])
        }
    };
}

macro_rules! inplace {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
            let a = exactly(vm, stringify!($name), args, 2)?;
            vm.inplace_op($op, &a[0], &a[1])
        }
    };
}

macro_rules! comparison {
    ($name:ident, $op:expr) => {
        fn $name(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
            let a = exactly(vm, stringify!($name), args, 2)?;
            vm.compare($op, &a[0], &a[1])
        }
    };
}

binary!(add, BinOp::Add);
binary!(sub, BinOp::Sub);
binary!(mul, BinOp::Mul);
binary!(matmul, BinOp::MatMul);
binary!(truediv, BinOp::TrueDiv);
binary!(floordiv, BinOp::FloorDiv);
binary!(mod_, BinOp::Mod);
binary!(pow, BinOp::Pow);
binary!(lshift, BinOp::LShift);
binary!(rshift, BinOp::RShift);
binary!(and_, BinOp::And);
binary!(or_, BinOp::Or);
binary!(xor, BinOp::Xor);
inplace!(iadd, BinOp::Add);
inplace!(isub, BinOp::Sub);
inplace!(imul, BinOp::Mul);
inplace!(imatmul, BinOp::MatMul);
inplace!(itruediv, BinOp::TrueDiv);
inplace!(ifloordiv, BinOp::FloorDiv);
inplace!(imod, BinOp::Mod);
inplace!(ipow, BinOp::Pow);
inplace!(ilshift, BinOp::LShift);
inplace!(irshift, BinOp::RShift);
inplace!(iand, BinOp::And);
inplace!(ior, BinOp::Or);
inplace!(ixor, BinOp::Xor);
comparison!(eq, CmpOp::Eq);
comparison!(ne, CmpOp::Ne);
comparison!(lt, CmpOp::Lt);
comparison!(le, CmpOp::Le);
comparison!(gt, CmpOp::Gt);
comparison!(ge, CmpOp::Ge);

fn neg(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "neg", args, 1)?;
    vm.unary_op(UnaryOp::Neg, &a[0])
}

fn pos(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "pos", args, 1)?;
    vm.unary_op(UnaryOp::Pos, &a[0])
}

fn invert(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "invert", args, 1)?;
    vm.unary_op(UnaryOp::Invert, &a[0])
}

fn abs(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "abs", args, 1)?;
    let builtin = vm.builtins.dict.borrow().get("abs").cloned();
    match builtin {
        Some(f) => vm.call(&f, a),
        None => Err(vm.type_error("abs() is missing")),
    }
}

fn not_(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "not_", args, 1)?;
    Ok(Value::Bool(!vm.truthy(&a[0])?))
}

fn truth(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "truth", args, 1)?;
    Ok(Value::Bool(vm.truthy(&a[0])?))
}

fn is_(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "is_", args, 2)?;
    Ok(Value::Bool(a[0].is(&a[1])))
}

fn is_not(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "is_not", args, 2)?;
    Ok(Value::Bool(!a[0].is(&a[1])))
}

fn index(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "index", args, 1)?;
    super::support::index_big(vm, &a[0]).map(Value::from_bigint)
}

fn is_sequence(vm: &Vm, v: &Value) -> bool {
    match v {
        Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_) => true,
        Value::Dict(_) | Value::Set(_) | Value::FrozenSet(_) => false,
        other => {
            other.as_list().is_some()
                || matches!(other.unwrap_builtin(), Value::Str(_) | Value::Tuple(_))
                || vm.class_of(other).lookup("__getitem__").is_some()
        }
    }
}

fn concat(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "concat", args, 2)?;
    if !is_sequence(vm, &a[0]) {
        let t = vm.type_name(&a[0]);
        return Err(vm.type_error(format!("'{t}' object can't be concatenated")));
    }
    vm.binary_op(BinOp::Add, &a[0], &a[1])
}

fn iconcat(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "iconcat", args, 2)?;
    if !is_sequence(vm, &a[0]) {
        let t = vm.type_name(&a[0]);
        return Err(vm.type_error(format!("'{t}' object can't be concatenated")));
    }
    vm.inplace_op(BinOp::Add, &a[0], &a[1])
}

fn contains(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "contains", args, 2)?;
    vm.contains(&a[0], &a[1]).map(Value::Bool)
}

fn count_of(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "countOf", args, 2)?;
    let it = vm.get_iter(&a[0])?;
    let mut n = 0;
    while let Some(v) = vm.next_value(&it)? {
        if v.is(&a[1]) || vm.values_equal(&v, &a[1])? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn index_of(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "indexOf", args, 2)?;
    let it = vm.get_iter(&a[0])?;
    let mut i = 0;
    while let Some(v) = vm.next_value(&it)? {
        if v.is(&a[1]) || vm.values_equal(&v, &a[1])? {
            return Ok(Value::Int(i));
        }
        i += 1;
    }
    Err(vm.error(ExcType::ValueError, "sequence.index(x): x not in sequence"))
}

fn getitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "getitem", args, 2)?;
    vm.get_item(&a[0], &a[1])
}

fn setitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "setitem", args, 3)?;
    vm.set_item(&a[0], a[1].clone(), a[2].clone())?;
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "delitem", args, 2)?;
    vm.del_item(&a[0], &a[1])?;
    Ok(Value::None)
}

fn length_hint(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("length_hint", args, &["obj", "default"], 1)?;
    let obj = a[0].clone().unwrap_or(Value::None);
    let default = a[1].clone().unwrap_or(Value::Int(0));
    match vm.len_of(&obj) {
        Ok(n) => return Ok(Value::Int(n as i64)),
        Err(crate::value::Unwind::Exception(e)) if vm.is_exception(&e, ExcType::TypeError) => {}
        Err(e) => return Err(e),
    }
    if let Value::Iterator(it) = &obj {
        use crate::value::IterState;
        let remaining = match &*it.state.borrow() {
            IterState::Seq { seq, index } => match seq {
                Value::List(l) => Some(l.borrow().len().saturating_sub(*index)),
                Value::Tuple(t) => Some(t.items.len().saturating_sub(*index)),
                Value::Bytes(b) => Some(b.data.len().saturating_sub(*index)),
                _ => None,
            },
            IterState::Range { next, stop, step } => {
                let (next, stop, step) = (*next as i128, *stop as i128, *step as i128);
                let n = if step > 0 && next < stop {
                    (stop - next - 1) / step + 1
                } else if step < 0 && next > stop {
                    (next - stop - 1) / -step + 1
                } else {
                    0
                };
                usize::try_from(n).ok()
            }
            IterState::Items { items, index } => Some(items.len().saturating_sub(*index)),
            IterState::Exhausted => Some(0),
            _ => None,
        };
        if let Some(n) = remaining {
            return Ok(Value::Int(n as i64));
        }
    }
    if let Some(hint) = vm.call_special(&obj, "__length_hint__", Vec::new())? {
        if !matches!(hint, Value::NotImplemented) {
            return Ok(hint);
        }
    }
    Ok(default)
}

// ----------------------------------------------------------------- getters

/// The state of an `itemgetter` / `attrgetter`.
struct Getter {
    /// The class name shown in the repr.
    kind: &'static str,
    items: Vec<Value>,
}

fn first_class(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Rc<crate::value::Class>> {
    match args.positional.first() {
        Some(Value::Class(c)) => {
            let c = c.clone();
            args.positional.remove(0);
            Ok(c)
        }
        _ => Err(vm.type_error(format!("{name}.__new__(X): X is not a type object"))),
    }
}

fn itemgetter_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "itemgetter")?;
    if !args.keywords.is_empty() {
        return Err(vm.type_error("itemgetter() takes no keyword arguments"));
    }
    if args.positional.is_empty() {
        return Err(vm.type_error("itemgetter expected 1 argument, got 0"));
    }
    let items = std::mem::take(&mut args.positional);
    Ok(native_object(
        vm,
        &class,
        Getter {
            kind: "itemgetter",
            items,
        },
    ))
}

fn getter_items(vm: &mut Vm, this: &Value) -> PyResult<(&'static str, Vec<Value>)> {
    match with_native::<Getter, _>(this, |g| (g.kind, g.items.clone())) {
        Some(r) => Ok(r),
        None => Err(vm.type_error("descriptor '__call__' needs a getter object")),
    }
}

fn itemgetter_call(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__call__", args)?;
    if !args.keywords.is_empty() {
        return Err(vm.type_error("itemgetter() takes no keyword arguments"));
    }
    if args.positional.len() != 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!("itemgetter expected 1 argument, got {n}")));
    }
    let obj = args.positional.remove(0);
    let (_, items) = getter_items(vm, &this)?;
    if items.len() == 1 {
        return vm.get_item(&obj, &items[0]);
    }
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        out.push(vm.get_item(&obj, item)?);
    }
    Ok(Value::tuple(out))
}

fn attrgetter_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "attrgetter")?;
    if !args.keywords.is_empty() {
        return Err(vm.type_error("attrgetter() takes no keyword arguments"));
    }
    if args.positional.is_empty() {
        return Err(vm.type_error("attrgetter expected 1 argument, got 0"));
    }
    for item in &args.positional {
        if !matches!(item, Value::Str(_)) {
            return Err(vm.type_error("attribute name must be a string"));
        }
    }
    let items = std::mem::take(&mut args.positional);
    Ok(native_object(
        vm,
        &class,
        Getter {
            kind: "attrgetter",
            items,
        },
    ))
}

/// `getattr` along a dotted path.
fn dotted_attr(vm: &mut Vm, obj: &Value, path: &Value) -> PyResult<Value> {
    let Value::Str(path) = path else {
        return Err(vm.type_error("attribute name must be a string"));
    };
    let mut current = obj.clone();
    for part in path.as_str().split('.') {
        current = vm.get_attr(&current, &Rc::new(PyStr::new(part)))?;
    }
    Ok(current)
}

fn attrgetter_call(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__call__", args)?;
    if !args.keywords.is_empty() {
        return Err(vm.type_error("attrgetter() takes no keyword arguments"));
    }
    if args.positional.len() != 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!("attrgetter expected 1 argument, got {n}")));
    }
    let obj = args.positional.remove(0);
    let (_, items) = getter_items(vm, &this)?;
    if items.len() == 1 {
        return dotted_attr(vm, &obj, &items[0]);
    }
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        out.push(dotted_attr(vm, &obj, item)?);
    }
    Ok(Value::tuple(out))
}

fn getter_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let (kind, items) = getter_items(vm, &this)?;
    let body = super::support::join_reprs(vm, &items)?;
    Ok(Value::string(format!("operator.{kind}({body})")))
}

/// The state of a `methodcaller`.
struct MethodCaller {
    name: Rc<PyStr>,
    args: Vec<Value>,
    kwargs: Vec<(Rc<PyStr>, Value)>,
}

fn methodcaller_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = first_class(vm, args, "methodcaller")?;
    if args.positional.is_empty() {
        return Err(vm.type_error("methodcaller needs at least one argument, the method name"));
    }
    let name = match args.positional.remove(0) {
        Value::Str(s) => s,
        _ => return Err(vm.type_error("method name must be a string")),
    };
    Ok(native_object(
        vm,
        &class,
        MethodCaller {
            name,
            args: std::mem::take(&mut args.positional),
            kwargs: std::mem::take(&mut args.keywords),
        },
    ))
}

fn methodcaller_call(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__call__", args)?;
    if !args.keywords.is_empty() {
        return Err(vm.type_error("methodcaller() takes no keyword arguments"));
    }
    if args.positional.len() != 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!("methodcaller expected 1 argument, got {n}")));
    }
    let obj = args.positional.remove(0);
    let Some((name, call_args, kwargs)) = with_native::<MethodCaller, _>(&this, |m| {
        (m.name.clone(), m.args.clone(), m.kwargs.clone())
    }) else {
        return Err(vm.type_error("descriptor '__call__' needs a methodcaller"));
    };
    let method = vm.get_attr(&obj, &name)?;
    vm.call_with(&method, call_args, kwargs)
}

fn methodcaller_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let Some((name, call_args, kwargs)) = with_native::<MethodCaller, _>(&this, |m| {
        (m.name.clone(), m.args.clone(), m.kwargs.clone())
    }) else {
        return Ok(Value::str("operator.methodcaller(...)"));
    };
    let mut parts = vec![crate::vm::repr::str_repr(name.as_str())];
    for a in &call_args {
        parts.push(vm.repr_of(a)?);
    }
    for (k, v) in &kwargs {
        parts.push(format!("{}={}", k.as_str(), vm.repr_of(v)?));
    }
    Ok(Value::string(format!(
        "operator.methodcaller({})",
        parts.join(", ")
    )))
}
