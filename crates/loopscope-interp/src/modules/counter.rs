//! `collections.Counter`: a `dict` subclass (instances are dict-layout
//! instances) whose methods follow Lib/collections/__init__.py — missing
//! keys count 0, `most_common` sorts stably by count, arithmetic keeps only
//! positive counts, equality treats missing as zero.

use std::rc::Rc;

use super::support::{add_slots, arg, repr_guarded, sort_by_keys, Sig};
use crate::builtins::{function, native_object};
use crate::bytecode::{BinOp, CmpOp};
use crate::value::{Args, Class, Layout, PyResult, Value};
use crate::vm::{ExcType, Vm};

pub fn make_class(vm: &mut Vm) -> PyResult<Rc<Class>> {
    let class = match crate::vm::types::new_class(
        &vm.ids,
        "Counter",
        "collections",
        vec![vm.types.dict.clone()],
        Layout::Dict,
        false,
    ) {
        Ok(c) => c,
        Err(message) => return Err(vm.type_error(message)),
    };
    crate::builtins::add_methods(
        &class,
        "Counter",
        &[
            ("__init__", init),
            ("__missing__", missing),
            ("__delitem__", delitem),
            ("__repr__", repr),
            ("__eq__", eq),
            ("__le__", le),
            ("__lt__", lt),
            ("__ge__", ge),
            ("__gt__", gt),
            ("__pos__", pos),
            ("__neg__", neg),
            ("__iadd__", iadd),
            ("__isub__", isub),
            ("__ior__", ior),
            ("__iand__", iand),
            ("most_common", most_common),
            ("elements", elements),
            ("update", update),
            ("subtract", subtract),
            ("total", total),
            ("copy", copy),
        ],
    );
    let slots = super::support::slot_class(vm);
    add_slots(
        vm,
        &slots,
        &class,
        "Counter",
        &[
            ("__add__", add),
            ("__sub__", sub),
            ("__or__", or),
            ("__and__", and),
        ],
    );
    let fromkeys = native_object(
        vm,
        &vm.types.named("classmethod"),
        function("fromkeys", fromkeys),
    );
    let mut dict = class.dict.borrow_mut();
    dict.set("__module__", Value::str("collections"));
    dict.set("__hash__", Value::None);
    dict.set("fromkeys", fromkeys);
    drop(dict);
    Ok(class)
}

/// The `collections.Counter` class among the receiver's bases.
fn counter_class(vm: &Vm, v: &Value) -> Option<Rc<Class>> {
    vm.class_of(v)
        .mro()
        .into_iter()
        .find(|c| c.name().as_str() == "Counter" && c.module.as_str() == "collections")
}

fn is_counter(vm: &Vm, v: &Value) -> bool {
    counter_class(vm, v).is_some() && v.as_dict().is_some()
}

fn new_counter(vm: &mut Vm, like: &Value) -> PyResult<Value> {
    match counter_class(vm, like) {
        Some(class) => vm.call(&Value::Class(class), Vec::new()),
        None => Err(vm.type_error("expected a Counter")),
    }
}

fn items_of(vm: &mut Vm, v: &Value) -> PyResult<Vec<(Value, Value)>> {
    if let Some(d) = v.as_dict() {
        return Ok(d.items());
    }
    let items = vm.get_attr(v, &Rc::new(crate::value::PyStr::new("items")))?;
    let items = vm.call(&items, Vec::new())?;
    let mut out = Vec::new();
    for pair in vm.collect(&items)? {
        let kv = vm.unpack(&pair, 2)?;
        out.push((kv[0].clone(), kv[1].clone()));
    }
    Ok(out)
}

fn is_mapping(vm: &Vm, v: &Value) -> bool {
    v.as_dict().is_some() || vm.class_of(v).name().as_str() == "ChainMap"
}

/// `self.get(elem, 0)` without calling `__missing__`.
fn get_or_zero(vm: &mut Vm, this: &Value, key: &Value) -> PyResult<Value> {
    match this.as_dict() {
        Some(d) => Ok(d.get(vm, key)?.unwrap_or(Value::Int(0))),
        None => Ok(Value::Int(0)),
    }
}

fn greater(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    let r = vm.compare(CmpOp::Gt, a, b)?;
    vm.truthy(&r)
}

fn less(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    let r = vm.compare(CmpOp::Lt, a, b)?;
    vm.truthy(&r)
}

fn init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__init__", args)?;
    let kwds = std::mem::take(&mut args.keywords);
    let a = Sig {
        name: "Counter.__init__",
        params: &["iterable"],
        required: 0,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    update_impl(vm, &this, &arg(&a, 0), kwds)?;
    Ok(Value::None)
}

fn update_impl(
    vm: &mut Vm,
    this: &Value,
    iterable: &Value,
    kwds: Vec<(Rc<crate::value::PyStr>, Value)>,
) -> PyResult<()> {
    if !iterable.is_none() {
        if is_mapping(vm, iterable) {
            let empty = this.as_dict().map(|d| d.is_empty()).unwrap_or(true);
            for (k, count) in items_of(vm, iterable)? {
                let value = if empty {
                    count
                } else {
                    let current = get_or_zero(vm, this, &k)?;
                    vm.binary_op(BinOp::Add, &count, &current)?
                };
                vm.set_item(this, k, value)?;
            }
        } else {
            let it = vm.get_iter(iterable)?;
            while let Some(elem) = vm.next_value(&it)? {
                let current = get_or_zero(vm, this, &elem)?;
                let value = vm.binary_op(BinOp::Add, &current, &Value::Int(1))?;
                vm.set_item(this, elem, value)?;
            }
        }
    }
    if !kwds.is_empty() {
        let pairs = kwds.into_iter().map(|(k, v)| (Value::Str(k), v)).collect();
        let mapping = vm.new_dict(pairs)?;
        update_impl(vm, this, &mapping, Vec::new())?;
    }
    Ok(())
}

fn update(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("update", args)?;
    let kwds = std::mem::take(&mut args.keywords);
    let a = Sig {
        name: "Counter.update",
        params: &["iterable"],
        required: 0,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    update_impl(vm, &this, &arg(&a, 0), kwds)?;
    Ok(Value::None)
}

fn subtract(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("subtract", args)?;
    let kwds = std::mem::take(&mut args.keywords);
    let a = Sig {
        name: "Counter.subtract",
        params: &["iterable"],
        required: 0,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let iterable = arg(&a, 0);
    if !iterable.is_none() {
        if is_mapping(vm, &iterable) {
            for (k, count) in items_of(vm, &iterable)? {
                let current = get_or_zero(vm, &this, &k)?;
                let value = vm.binary_op(BinOp::Sub, &current, &count)?;
                vm.set_item(&this, k, value)?;
            }
        } else {
            let it = vm.get_iter(&iterable)?;
            while let Some(elem) = vm.next_value(&it)? {
                let current = get_or_zero(vm, &this, &elem)?;
                let value = vm.binary_op(BinOp::Sub, &current, &Value::Int(1))?;
                vm.set_item(&this, elem, value)?;
            }
        }
    }
    if !kwds.is_empty() {
        let pairs = kwds.into_iter().map(|(k, v)| (Value::Str(k), v)).collect();
        let mapping = vm.new_dict(pairs)?;
        for (k, count) in items_of(vm, &mapping)? {
            let current = get_or_zero(vm, &this, &k)?;
            let value = vm.binary_op(BinOp::Sub, &current, &count)?;
            vm.set_item(&this, k, value)?;
        }
    }
    Ok(Value::None)
}

fn missing(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _this = vm.receiver("__missing__", args)?;
    Ok(Value::Int(0))
}

fn delitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__delitem__", args)?;
    let key = args.positional.first().cloned().unwrap_or(Value::None);
    if let Some(d) = this.as_dict() {
        d.remove(vm, &key)?;
    }
    Ok(Value::None)
}

fn fromkeys(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Err(vm.error(
        ExcType::NotImplementedError,
        "Counter.fromkeys() is undefined.  Use Counter(iterable) instead.",
    ))
}

/// `(elem, count)` pairs sorted by count, largest first, ties in
/// insertion order (`sorted(..., key=itemgetter(1), reverse=True)`).
fn sorted_items(vm: &mut Vm, this: &Value) -> PyResult<Vec<Value>> {
    let pairs = items_of(vm, this)?;
    let keys = pairs.iter().map(|(_, v)| v.clone()).collect();
    let items = pairs
        .into_iter()
        .map(|(k, v)| Value::tuple(vec![k, v]))
        .collect();
    sort_by_keys(vm, items, keys, true)
}

fn most_common(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("most_common", args)?;
    let a = Sig {
        name: "Counter.most_common",
        params: &["n"],
        required: 0,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let mut pairs = sorted_items(vm, &this)?;
    if let Some(n) = a[0].clone().filter(|n| !n.is_none()) {
        let n = vm.to_index(&n)?;
        pairs.truncate(n.max(0) as usize);
    }
    Ok(Value::list(pairs))
}

fn elements(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("elements", args)?;
    vm.no_args("Counter.elements", args, 0)?;
    let mut out = Vec::new();
    for (k, count) in items_of(vm, &this)? {
        let n = match count {
            Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => vm.to_index(&count)?,
            other => {
                let t = vm.type_name(&other);
                return Err(
                    vm.type_error(format!("'{t}' object cannot be interpreted as an integer"))
                );
            }
        };
        for _ in 0..n.max(0) {
            out.push(k.clone());
        }
        vm.check_size(out.len())?;
    }
    vm.get_iter(&Value::list(out))
}

fn total(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("total", args)?;
    vm.no_args("Counter.total", args, 0)?;
    let mut sum = Value::Int(0);
    for (_, v) in items_of(vm, &this)? {
        sum = vm.binary_op(BinOp::Add, &sum, &v)?;
    }
    Ok(sum)
}

fn copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("copy", args)?;
    vm.no_args("Counter.copy", args, 0)?;
    let class = vm.class_of(&this);
    vm.call(&Value::Class(class), vec![this])
}

fn repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let name = vm.class_of(&this).name().as_str().to_string();
    let empty = this.as_dict().map(|d| d.is_empty()).unwrap_or(true);
    if empty {
        return Ok(Value::string(format!("{name}()")));
    }
    let text = repr_guarded(vm, &this, "...", |vm| {
        let pairs: Vec<(Value, Value)> = match sorted_items(vm, &this) {
            Ok(pairs) => pairs
                .into_iter()
                .filter_map(|p| match p {
                    Value::Tuple(t) if t.items.len() == 2 => {
                        Some((t.items[0].clone(), t.items[1].clone()))
                    }
                    _ => None,
                })
                .collect(),
            Err(crate::value::Unwind::Exception(e)) if vm.is_exception(&e, ExcType::TypeError) => {
                items_of(vm, &this)?
            }
            Err(e) => return Err(e),
        };
        let mut parts = Vec::with_capacity(pairs.len());
        for (k, v) in &pairs {
            parts.push(format!("{}: {}", vm.repr_of(k)?, vm.repr_of(v)?));
        }
        Ok(format!("{name}({{{}}})", parts.join(", ")))
    })?;
    Ok(Value::string(text))
}

// ----------------------------------------------------------------- comparisons

/// `all(op(self[e], other[e]) for c in (self, other) for e in c)`.
fn all_counts(vm: &mut Vm, args: &mut Args, op: CmpOp) -> PyResult<Option<bool>> {
    let this = vm.receiver("__eq__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    if !is_counter(vm, &other) {
        return Ok(None);
    }
    let mut keys: Vec<Value> = this.as_dict().map(|d| d.keys()).unwrap_or_default();
    keys.extend(other.as_dict().map(|d| d.keys()).unwrap_or_default());
    for k in keys {
        let a = vm.get_item(&this, &k)?;
        let b = vm.get_item(&other, &k)?;
        let r = vm.compare(op, &a, &b)?;
        if !vm.truthy(&r)? {
            return Ok(Some(false));
        }
    }
    Ok(Some(true))
}

fn result(r: Option<bool>) -> Value {
    match r {
        Some(b) => Value::Bool(b),
        None => Value::NotImplemented,
    }
}

fn eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    all_counts(vm, args, CmpOp::Eq).map(result)
}

fn le(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    all_counts(vm, args, CmpOp::Le).map(result)
}

fn ge(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    all_counts(vm, args, CmpOp::Ge).map(result)
}

/// `self <= other and self != other` (and the `>` mirror).
fn strict(vm: &mut Vm, args: &mut Args, op: CmpOp) -> PyResult<Value> {
    let this = args.positional.first().cloned().unwrap_or(Value::None);
    let other = args.positional.get(1).cloned().unwrap_or(Value::None);
    let mut first = Args::new(vec![this.clone(), other.clone()]);
    let Some(partial) = all_counts(vm, &mut first, op)? else {
        return Ok(Value::NotImplemented);
    };
    if !partial {
        return Ok(Value::Bool(false));
    }
    let mut second = Args::new(vec![this, other]);
    let equal = all_counts(vm, &mut second, CmpOp::Eq)?.unwrap_or(false);
    Ok(Value::Bool(!equal))
}

fn lt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    strict(vm, args, CmpOp::Le)
}

fn gt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    strict(vm, args, CmpOp::Ge)
}

// ----------------------------------------------------------------- arithmetic

fn operands(vm: &mut Vm, args: &mut Args) -> PyResult<Option<(Value, Value)>> {
    let this = vm.receiver("__add__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    if !is_counter(vm, &other) {
        return Ok(None);
    }
    Ok(Some((this, other)))
}

fn binary(vm: &mut Vm, args: &mut Args, kind: BinOp) -> PyResult<Value> {
    let Some((this, other)) = operands(vm, args)? else {
        return Ok(Value::NotImplemented);
    };
    let out = new_counter(vm, &this)?;
    let zero = Value::Int(0);
    for (elem, count) in items_of(vm, &this)? {
        let other_count = vm.get_item(&other, &elem)?;
        let newcount = match kind {
            BinOp::Add => vm.binary_op(BinOp::Add, &count, &other_count)?,
            BinOp::Sub => vm.binary_op(BinOp::Sub, &count, &other_count)?,
            BinOp::Or => {
                if less(vm, &count, &other_count)? {
                    other_count
                } else {
                    count
                }
            }
            _ => {
                if less(vm, &count, &other_count)? {
                    count
                } else {
                    other_count
                }
            }
        };
        if greater(vm, &newcount, &zero)? {
            vm.set_item(&out, elem, newcount)?;
        }
    }
    if kind != BinOp::And {
        for (elem, count) in items_of(vm, &other)? {
            let in_self = this.as_dict().map(|d| d.contains(vm, &elem)).transpose()?;
            if in_self == Some(true) {
                continue;
            }
            if kind == BinOp::Sub {
                if less(vm, &count, &zero)? {
                    let negated = vm.binary_op(BinOp::Sub, &zero, &count)?;
                    vm.set_item(&out, elem, negated)?;
                }
            } else if greater(vm, &count, &zero)? {
                vm.set_item(&out, elem, count)?;
            }
        }
    }
    Ok(out)
}

fn add(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    binary(vm, args, BinOp::Add)
}

fn sub(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    binary(vm, args, BinOp::Sub)
}

fn or(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    binary(vm, args, BinOp::Or)
}

fn and(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    binary(vm, args, BinOp::And)
}

fn unary(vm: &mut Vm, args: &mut Args, negate: bool) -> PyResult<Value> {
    let this = vm.receiver("__pos__", args)?;
    let out = new_counter(vm, &this)?;
    let zero = Value::Int(0);
    for (elem, count) in items_of(vm, &this)? {
        if negate {
            if less(vm, &count, &zero)? {
                let negated = vm.binary_op(BinOp::Sub, &zero, &count)?;
                vm.set_item(&out, elem, negated)?;
            }
        } else if greater(vm, &count, &zero)? {
            vm.set_item(&out, elem, count)?;
        }
    }
    Ok(out)
}

fn pos(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    unary(vm, args, false)
}

fn neg(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    unary(vm, args, true)
}

/// Drops the items whose count is not positive (`_keep_positive`).
fn keep_positive(vm: &mut Vm, this: &Value) -> PyResult<()> {
    let zero = Value::Int(0);
    let mut drop_keys = Vec::new();
    for (elem, count) in items_of(vm, this)? {
        if !greater(vm, &count, &zero)? {
            drop_keys.push(elem);
        }
    }
    for k in drop_keys {
        vm.del_item(this, &k)?;
    }
    Ok(())
}

fn inplace(vm: &mut Vm, args: &mut Args, kind: BinOp) -> PyResult<Value> {
    let this = vm.receiver("__iadd__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    if !is_counter(vm, &other) {
        return Ok(Value::NotImplemented);
    }
    match kind {
        BinOp::Add | BinOp::Sub => {
            for (elem, count) in items_of(vm, &other)? {
                let current = vm.get_item(&this, &elem)?;
                let value = vm.binary_op(kind, &current, &count)?;
                vm.set_item(&this, elem, value)?;
            }
        }
        BinOp::Or => {
            for (elem, other_count) in items_of(vm, &other)? {
                let count = vm.get_item(&this, &elem)?;
                if greater(vm, &other_count, &count)? {
                    vm.set_item(&this, elem, other_count)?;
                }
            }
        }
        _ => {
            for (elem, count) in items_of(vm, &this)? {
                let other_count = vm.get_item(&other, &elem)?;
                if less(vm, &other_count, &count)? {
                    vm.set_item(&this, elem, other_count)?;
                }
            }
        }
    }
    keep_positive(vm, &this)?;
    Ok(this)
}

fn iadd(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    inplace(vm, args, BinOp::Add)
}

fn isub(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    inplace(vm, args, BinOp::Sub)
}

fn ior(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    inplace(vm, args, BinOp::Or)
}

fn iand(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    inplace(vm, args, BinOp::And)
}
