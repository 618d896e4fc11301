//! The dict views `dict_keys`, `dict_values` and `dict_items`: live,
//! iterable windows on a dict. Keys and items views are set-like
//! (`&`, `|`, `-`, `^` give sets; comparisons are subset tests), as in
//! CPython's Objects/dictobject.c.

use std::rc::Rc;

use super::args;
use super::dict::{dict_iter, dict_reversed, table};
use crate::builtins::{native_object, with_native};
use crate::bytecode::{BinOp, CmpOp};
use crate::value::{Args, DictIterKind, PyResult, Value};
use crate::vm::Vm;

/// The state of a view object: the dict (or dict subclass instance) it
/// looks at, and which part.
pub struct DictView {
    pub dict: Value,
    pub kind: DictIterKind,
}

/// A new view of `dict`.
pub fn new_view(vm: &Vm, dict: Value, kind: DictIterKind) -> Value {
    let class = vm.types.named(class_name(kind));
    native_object(vm, &class, DictView { dict, kind })
}

fn class_name(kind: DictIterKind) -> &'static str {
    match kind {
        DictIterKind::Keys => "dict_keys",
        DictIterKind::Values => "dict_values",
        DictIterKind::Items => "dict_items",
    }
}

fn view_of(v: &Value) -> Option<(Value, DictIterKind)> {
    with_native::<DictView, _>(v, |d| (d.dict.clone(), d.kind))
}

fn is_keys(v: &Value) -> bool {
    matches!(view_of(v), Some((_, DictIterKind::Keys)))
}

fn is_values(v: &Value) -> bool {
    matches!(view_of(v), Some((_, DictIterKind::Values)))
}

fn is_items(v: &Value) -> bool {
    matches!(view_of(v), Some((_, DictIterKind::Items)))
}

/// Is `v` a set-like view (keys or items)?
fn is_set_view(v: &Value) -> bool {
    is_keys(v) || is_items(v)
}

/// A view method: gets the view, its dict and its kind.
type ViewFn = fn(&mut Vm, &Value, &Value, DictIterKind, &mut Args) -> PyResult<Value>;

pub fn install(vm: &mut Vm) {
    let common: &[(&'static str, ViewFn)] = &[
        ("__iter__", iter),
        ("__len__", len),
        ("__repr__", repr),
        ("__reversed__", reversed),
    ];
    let set_like: &[(&'static str, ViewFn)] = &[
        ("__contains__", contains),
        ("isdisjoint", isdisjoint),
        ("__and__", and),
        ("__rand__", and_reflected),
        ("__or__", or),
        ("__ror__", or_reflected),
        ("__sub__", sub),
        ("__rsub__", sub_reflected),
        ("__xor__", xor),
        ("__rxor__", xor_reflected),
        ("__eq__", eq),
        ("__ne__", ne),
        ("__lt__", lt),
        ("__le__", le),
        ("__gt__", gt),
        ("__ge__", ge),
    ];
    for kind in [
        DictIterKind::Keys,
        DictIterKind::Values,
        DictIterKind::Items,
    ] {
        let owner = class_name(kind);
        let accepts: fn(&Value) -> bool = match kind {
            DictIterKind::Keys => is_keys,
            DictIterKind::Values => is_values,
            DictIterKind::Items => is_items,
        };
        let class = vm.types.named(owner);
        let mut methods: Vec<(&'static str, ViewFn)> = common.to_vec();
        if kind != DictIterKind::Values {
            methods.extend_from_slice(set_like);
        }
        let mut dict = class.dict.borrow_mut();
        for (name, f) in methods {
            let method = args::closure_method(
                name,
                owner,
                Rc::new(move |vm: &mut Vm, args: &mut Args| {
                    let view = args::receiver(vm, args, owner, name, accepts)?;
                    let Some((dict, kind)) = view_of(&view) else {
                        return Ok(Value::None);
                    };
                    f(vm, &view, &dict, kind, args)
                }),
            );
            dict.set(name, method);
        }
        if kind != DictIterKind::Values {
            // Set-like views define `__eq__`, so they are unhashable.
            dict.set("__hash__", Value::None);
        }
    }
}

fn iter(
    vm: &mut Vm,
    _view: &Value,
    dict: &Value,
    kind: DictIterKind,
    a: &mut Args,
) -> PyResult<Value> {
    args::slot(vm, a, "__iter__", 0)?;
    Ok(dict_iter(dict, kind))
}

fn len(
    vm: &mut Vm,
    _view: &Value,
    dict: &Value,
    _kind: DictIterKind,
    a: &mut Args,
) -> PyResult<Value> {
    args::slot(vm, a, "__len__", 0)?;
    Ok(Value::Int(table(dict).len() as i64))
}

fn reversed(
    vm: &mut Vm,
    _view: &Value,
    dict: &Value,
    kind: DictIterKind,
    a: &mut Args,
) -> PyResult<Value> {
    args::none(vm, a, class_name(kind), "__reversed__")?;
    Ok(dict_reversed(dict, kind))
}

/// The view's items as a list value, in dict order.
fn snapshot(dict: &Value, kind: DictIterKind) -> Vec<Value> {
    let d = table(dict);
    match kind {
        DictIterKind::Keys => d.keys(),
        DictIterKind::Values => d.values(),
        DictIterKind::Items => d
            .items()
            .into_iter()
            .map(|(k, v)| Value::tuple(vec![k, v]))
            .collect(),
    }
}

fn repr(
    vm: &mut Vm,
    view: &Value,
    dict: &Value,
    kind: DictIterKind,
    a: &mut Args,
) -> PyResult<Value> {
    args::slot(vm, a, "__repr__", 0)?;
    let name = class_name(kind);
    let address = view.object_address().unwrap_or(0);
    if vm.repr_guard.contains(&address) {
        return Ok(Value::str("..."));
    }
    vm.enter_native()?;
    vm.repr_guard.push(address);
    let body = vm.repr_of(&Value::list(snapshot(dict, kind)));
    vm.repr_guard.pop();
    vm.depth -= 1;
    Ok(Value::string(format!("{name}({})", body?)))
}

/// `x in view` for keys and items views.
fn view_contains(vm: &mut Vm, dict: &Value, kind: DictIterKind, x: &Value) -> PyResult<bool> {
    let d = table(dict);
    if kind == DictIterKind::Keys {
        return d.contains(vm, x);
    }
    let pair = match x {
        Value::Tuple(t) if t.items.len() == 2 => t.clone(),
        _ => match x.builtin_payload() {
            Some(Value::Tuple(t)) if t.items.len() == 2 => t,
            _ => return Ok(false),
        },
    };
    match d.get(vm, &pair.items[0])? {
        Some(found) => Ok(found.is(&pair.items[1]) || vm.values_equal(&found, &pair.items[1])?),
        None => Ok(false),
    }
}

fn contains(
    vm: &mut Vm,
    _view: &Value,
    dict: &Value,
    kind: DictIterKind,
    a: &mut Args,
) -> PyResult<Value> {
    let x = args::slot_one(vm, a, "__contains__")?;
    view_contains(vm, dict, kind, &x).map(Value::Bool)
}

/// The size of a set or set-like view, if `v` is one.
fn set_like_len(vm: &mut Vm, v: &Value) -> PyResult<Option<usize>> {
    if v.as_set().is_some() || is_set_view(v) {
        return vm.len_of(v).map(Some);
    }
    Ok(None)
}

fn isdisjoint(
    vm: &mut Vm,
    _view: &Value,
    dict: &Value,
    kind: DictIterKind,
    a: &mut Args,
) -> PyResult<Value> {
    let other = args::one(vm, a, class_name(kind), "isdisjoint")?;
    let own_len = table(dict).len();
    // CPython iterates the smaller side when both have a size.
    if let Some(other_len) = set_like_len(vm, &other)? {
        if other_len > own_len {
            for item in snapshot(dict, kind) {
                if vm.contains(&other, &item)? {
                    return Ok(Value::Bool(false));
                }
            }
            return Ok(Value::Bool(true));
        }
    }
    let it = vm.get_iter(&other)?;
    while let Some(item) = vm.next_value(&it)? {
        if view_contains(vm, dict, kind, &item)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

/// A set of the items of any iterable.
fn to_set(vm: &mut Vm, v: &Value) -> PyResult<Value> {
    let items = vm.collect(v)?;
    vm.new_set(items)
}

/// `view <op> other`, or reflected `other <op> view`: a new set.
fn set_operator(
    vm: &mut Vm,
    _view: &Value,
    dict: &Value,
    kind: DictIterKind,
    a: &mut Args,
    op: BinOp,
    reflected: bool,
) -> PyResult<Value> {
    let name = match (op, reflected) {
        (BinOp::And, false) => "__and__",
        (BinOp::And, true) => "__rand__",
        (BinOp::Or, false) => "__or__",
        (BinOp::Or, true) => "__ror__",
        (BinOp::Sub, false) => "__sub__",
        (BinOp::Sub, true) => "__rsub__",
        (_, false) => "__xor__",
        (_, true) => "__rxor__",
    };
    let other = args::slot_one(vm, a, name)?;
    let own = vm.new_set(snapshot(dict, kind))?;
    if reflected {
        let left = to_set(vm, &other)?;
        crate::builtins::sets::operator(vm, op, &left, &own)
    } else {
        crate::builtins::sets::operator(vm, op, &own, &other)
    }
}

fn and(vm: &mut Vm, v: &Value, d: &Value, k: DictIterKind, a: &mut Args) -> PyResult<Value> {
    set_operator(vm, v, d, k, a, BinOp::And, false)
}

fn and_reflected(
    vm: &mut Vm,
    v: &Value,
    d: &Value,
    k: DictIterKind,
    a: &mut Args,
) -> PyResult<Value> {
    set_operator(vm, v, d, k, a, BinOp::And, true)
}

fn or(vm: &mut Vm, v: &Value, d: &Value, k: DictIterKind, a: &mut Args) -> PyResult<Value> {
    set_operator(vm, v, d, k, a, BinOp::Or, false)
}

fn or_reflected(
    vm: &mut Vm,
    v: &Value,
    d: &Value,
    k: DictIterKind,
    a: &mut Args,
) -> PyResult<Value> {
    set_operator(vm, v, d, k, a, BinOp::Or, true)
}

fn sub(vm: &mut Vm, v: &Value, d: &Value, k: DictIterKind, a: &mut Args) -> PyResult<Value> {
    set_operator(vm, v, d, k, a, BinOp::Sub, false)
}

fn sub_reflected(
    vm: &mut Vm,
    v: &Value,
    d: &Value,
    k: DictIterKind,
    a: &mut Args,
) -> PyResult<Value> {
    set_operator(vm, v, d, k, a, BinOp::Sub, true)
}

fn xor(vm: &mut Vm, v: &Value, d: &Value, k: DictIterKind, a: &mut Args) -> PyResult<Value> {
    set_operator(vm, v, d, k, a, BinOp::Xor, false)
}

fn xor_reflected(
    vm: &mut Vm,
    v: &Value,
    d: &Value,
    k: DictIterKind,
    a: &mut Args,
) -> PyResult<Value> {
    set_operator(vm, v, d, k, a, BinOp::Xor, true)
}

/// Is every item of `a` in `b`?
fn all_contained_in(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    let it = vm.get_iter(a)?;
    while let Some(item) = vm.next_value(&it)? {
        if !vm.contains(b, &item)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// CPython `dictview_richcompare`: set comparisons against sets and
/// set-like views.
fn compare(vm: &mut Vm, view: &Value, a: &mut Args, op: CmpOp) -> PyResult<Value> {
    let name = match op {
        CmpOp::Eq => "__eq__",
        CmpOp::Ne => "__ne__",
        CmpOp::Lt => "__lt__",
        CmpOp::Le => "__le__",
        CmpOp::Gt => "__gt__",
        CmpOp::Ge => "__ge__",
    };
    let other = args::slot_one(vm, a, name)?;
    let Some(other_len) = set_like_len(vm, &other)? else {
        return Ok(Value::NotImplemented);
    };
    let own_len = vm.len_of(view)?;
    let result = match op {
        CmpOp::Eq | CmpOp::Ne => {
            let equal = own_len == other_len && all_contained_in(vm, view, &other)?;
            equal == (op == CmpOp::Eq)
        }
        CmpOp::Lt => own_len < other_len && all_contained_in(vm, view, &other)?,
        CmpOp::Le => own_len <= other_len && all_contained_in(vm, view, &other)?,
        CmpOp::Gt => own_len > other_len && all_contained_in(vm, &other, view)?,
        CmpOp::Ge => own_len >= other_len && all_contained_in(vm, &other, view)?,
    };
    Ok(Value::Bool(result))
}

fn eq(vm: &mut Vm, v: &Value, _d: &Value, _k: DictIterKind, a: &mut Args) -> PyResult<Value> {
    compare(vm, v, a, CmpOp::Eq)
}

fn ne(vm: &mut Vm, v: &Value, _d: &Value, _k: DictIterKind, a: &mut Args) -> PyResult<Value> {
    compare(vm, v, a, CmpOp::Ne)
}

fn lt(vm: &mut Vm, v: &Value, _d: &Value, _k: DictIterKind, a: &mut Args) -> PyResult<Value> {
    compare(vm, v, a, CmpOp::Lt)
}

fn le(vm: &mut Vm, v: &Value, _d: &Value, _k: DictIterKind, a: &mut Args) -> PyResult<Value> {
    compare(vm, v, a, CmpOp::Le)
}

fn gt(vm: &mut Vm, v: &Value, _d: &Value, _k: DictIterKind, a: &mut Args) -> PyResult<Value> {
    compare(vm, v, a, CmpOp::Gt)
}

fn ge(vm: &mut Vm, v: &Value, _d: &Value, _k: DictIterKind, a: &mut Args) -> PyResult<Value> {
    compare(vm, v, a, CmpOp::Ge)
}
