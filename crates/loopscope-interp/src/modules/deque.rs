//! `collections.deque`: a native class over a `VecDeque`, with CPython's
//! methods, bounded length (`maxlen`), rotation, `deque([1, 2],
//! maxlen=3)` reprs, comparisons, `+`/`*`, and iterators that detect
//! mutation ("deque mutated during iteration").

use std::collections::VecDeque;
use std::rc::Rc;

use super::support::{add_slots, getter, join_reprs, repr_guarded};
use crate::builtins::{native_class, native_object, with_native};
use crate::bytecode::CmpOp;
use crate::value::{Args, Class, CustomIter, IterState, PyResult, Value};
use crate::vm::protocols::native_iter;
use crate::vm::{ExcType, Vm};

/// A deque's state.
pub struct DequeData {
    pub items: VecDeque<Value>,
    pub maxlen: Option<usize>,
    /// Bumped by every mutation; iterators compare it.
    pub state: u64,
}

impl DequeData {
    fn push_back(&mut self, v: Value) {
        self.state += 1;
        if self.maxlen == Some(0) {
            return;
        }
        self.items.push_back(v);
        if let Some(max) = self.maxlen {
            while self.items.len() > max {
                self.items.pop_front();
            }
        }
    }

    fn push_front(&mut self, v: Value) {
        self.state += 1;
        if self.maxlen == Some(0) {
            return;
        }
        self.items.push_front(v);
        if let Some(max) = self.maxlen {
            while self.items.len() > max {
                self.items.pop_back();
            }
        }
    }

    fn rotate(&mut self, n: i64) {
        self.state += 1;
        let len = self.items.len();
        if len <= 1 {
            return;
        }
        let n = n.rem_euclid(len as i64) as usize;
        self.items.rotate_right(n);
    }
}

pub fn make_class(vm: &mut Vm) -> Rc<Class> {
    let class = native_class(
        vm,
        "deque",
        "collections",
        "deque",
        &[
            ("__new__", deque_new),
            ("append", append),
            ("appendleft", appendleft),
            ("pop", pop),
            ("popleft", popleft),
            ("extend", extend),
            ("extendleft", extendleft),
            ("rotate", rotate),
            ("clear", clear),
            ("copy", copy),
            ("__copy__", copy),
            ("count", count),
            ("index", index),
            ("insert", insert),
            ("remove", remove),
            ("reverse", reverse),
            ("__len__", len),
            ("__iter__", iter),
            ("__reversed__", reversed),
            ("__getitem__", getitem),
            ("__setitem__", setitem),
            ("__delitem__", delitem),
            ("__contains__", contains),
            ("__repr__", repr),
            ("__eq__", eq),
            ("__ne__", ne),
            ("__lt__", lt),
            ("__le__", le),
            ("__gt__", gt),
            ("__ge__", ge),
            ("__iadd__", iadd),
            ("__imul__", imul),
        ],
    );
    let slots = super::support::slot_class(vm);
    add_slots(
        vm,
        &slots,
        &class,
        "deque",
        &[("__add__", add), ("__mul__", mul), ("__rmul__", mul)],
    );
    let mut dict = class.dict.borrow_mut();
    dict.set("__module__", Value::str("collections"));
    // CPython names the type by its tp_name here.
    dict.set(
        "__hash__",
        crate::builtins::method("__hash__", "deque", unhashable),
    );
    dict.set("maxlen", getter(vm, "maxlen", maxlen));
    drop(dict);
    class
}

fn unhashable(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Err(vm.type_error("unhashable type: 'collections.deque'"))
}

/// Runs `f` on the deque behind a receiver.
fn with_deque<R>(
    vm: &mut Vm,
    this: &Value,
    name: &str,
    f: impl FnOnce(&mut DequeData) -> R,
) -> PyResult<R> {
    match with_native::<DequeData, _>(this, f) {
        Some(r) => Ok(r),
        None => {
            let t = vm.type_name(this);
            Err(vm.type_error(format!(
                "descriptor '{name}' for 'collections.deque' objects doesn't apply to a '{t}' object"
            )))
        }
    }
}

fn is_deque(v: &Value) -> bool {
    with_native::<DequeData, _>(v, |_| ()).is_some()
}

fn snapshot(vm: &mut Vm, this: &Value) -> PyResult<Vec<Value>> {
    with_deque(vm, this, "deque", |d| d.items.iter().cloned().collect())
}

/// The single argument of a `METH_O` method.
fn one_arg(vm: &mut Vm, name: &str, args: &mut Args) -> PyResult<Value> {
    if !args.keywords.is_empty() {
        return Err(vm.type_error(format!("deque.{name}() takes no keyword arguments")));
    }
    if args.positional.len() != 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!(
            "deque.{name}() takes exactly one argument ({n} given)"
        )));
    }
    Ok(args.positional.remove(0))
}

fn new_deque(vm: &Vm, class: &Rc<Class>, items: VecDeque<Value>, maxlen: Option<usize>) -> Value {
    native_object(
        vm,
        class,
        DequeData {
            items,
            maxlen,
            state: 0,
        },
    )
}

fn deque_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("deque.__new__(X): X is not a type object")),
    };
    args.positional.remove(0);
    let a = vm.parse_args("deque", args, &["iterable", "maxlen"], 0)?;
    let maxlen = match &a[1] {
        None | Some(Value::None) => None,
        Some(v @ (Value::Int(_) | Value::BigInt(_) | Value::Bool(_))) => {
            let n = vm.to_index(v)?;
            if n < 0 {
                return Err(vm.error(ExcType::ValueError, "maxlen must be non-negative"));
            }
            Some(n as usize)
        }
        Some(_) => return Err(vm.type_error("an integer is required")),
    };
    let this = new_deque(vm, &class, VecDeque::new(), maxlen);
    if let Some(iterable) = &a[0] {
        let items = vm.collect(iterable)?;
        with_deque(vm, &this, "deque", |d| {
            for item in items {
                d.push_back(item);
            }
        })?;
    }
    Ok(this)
}

fn maxlen(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("maxlen", args)?;
    let m = with_deque(vm, &this, "maxlen", |d| d.maxlen)?;
    Ok(m.map(|m| Value::Int(m as i64)).unwrap_or(Value::None))
}

fn append(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("append", args)?;
    let v = one_arg(vm, "append", args)?;
    with_deque(vm, &this, "append", |d| d.push_back(v))?;
    Ok(Value::None)
}

fn appendleft(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("appendleft", args)?;
    let v = one_arg(vm, "appendleft", args)?;
    with_deque(vm, &this, "appendleft", |d| d.push_front(v))?;
    Ok(Value::None)
}

fn pop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("pop", args)?;
    vm.no_args("deque.pop", args, 0)?;
    let v = with_deque(vm, &this, "pop", |d| {
        d.state += 1;
        d.items.pop_back()
    })?;
    v.ok_or_else(|| vm.error(ExcType::IndexError, "pop from an empty deque"))
}

fn popleft(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("popleft", args)?;
    vm.no_args("deque.popleft", args, 0)?;
    let v = with_deque(vm, &this, "popleft", |d| {
        d.state += 1;
        d.items.pop_front()
    })?;
    v.ok_or_else(|| vm.error(ExcType::IndexError, "pop from an empty deque"))
}

fn extend(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("extend", args)?;
    let iterable = one_arg(vm, "extend", args)?;
    let items = vm.collect(&iterable)?;
    with_deque(vm, &this, "extend", |d| {
        for item in items {
            d.push_back(item);
        }
    })?;
    Ok(Value::None)
}

fn extendleft(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("extendleft", args)?;
    let iterable = one_arg(vm, "extendleft", args)?;
    let items = vm.collect(&iterable)?;
    with_deque(vm, &this, "extendleft", |d| {
        for item in items {
            d.push_front(item);
        }
    })?;
    Ok(Value::None)
}

fn rotate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("rotate", args)?;
    let a = vm.parse_args("rotate", args, &["n"], 0)?;
    let n = match &a[0] {
        Some(v) => vm.expect_int(v)?,
        None => 1,
    };
    with_deque(vm, &this, "rotate", |d| d.rotate(n))?;
    Ok(Value::None)
}

fn clear(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("clear", args)?;
    vm.no_args("deque.clear", args, 0)?;
    with_deque(vm, &this, "clear", |d| {
        d.state += 1;
        d.items.clear();
    })?;
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("copy", args)?;
    vm.no_args("deque.copy", args, 0)?;
    let (items, maxlen) = with_deque(vm, &this, "copy", |d| (d.items.clone(), d.maxlen))?;
    let class = vm.class_of(&this);
    Ok(new_deque(vm, &class, items, maxlen))
}

fn count(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("count", args)?;
    let x = one_arg(vm, "count", args)?;
    let items = snapshot(vm, &this)?;
    let mut n = 0;
    for item in &items {
        if item.is(&x) || vm.values_equal(item, &x)? {
            n += 1;
        }
    }
    Ok(Value::Int(n))
}

fn clamp_index(i: i64, len: usize) -> usize {
    if i < 0 {
        (i + len as i64).max(0) as usize
    } else {
        (i as usize).min(len)
    }
}

fn index(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("index", args)?;
    if args.positional.is_empty() || args.positional.len() > 3 {
        let n = args.positional.len();
        return Err(vm.type_error(format!(
            "index expected at {} argument{}, got {n}",
            if n == 0 { "least 1" } else { "most 3" },
            if n == 0 { "" } else { "s" }
        )));
    }
    let x = args.positional[0].clone();
    let items = snapshot(vm, &this)?;
    let start = match args.positional.get(1) {
        Some(v) => clamp_index(vm.to_index(v)?, items.len()),
        None => 0,
    };
    let stop = match args.positional.get(2) {
        Some(v) => clamp_index(vm.to_index(v)?, items.len()),
        None => items.len(),
    };
    for (i, item) in items.iter().enumerate().take(stop).skip(start) {
        if item.is(&x) || vm.values_equal(item, &x)? {
            return Ok(Value::Int(i as i64));
        }
    }
    let r = vm.repr_of(&x)?;
    Err(vm.error(ExcType::ValueError, format!("{r} is not in deque")))
}

fn insert(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("insert", args)?;
    if args.positional.len() != 2 {
        let n = args.positional.len();
        return Err(vm.type_error(format!("insert expected 2 arguments, got {n}")));
    }
    let i = vm.to_index(&args.positional[0])?;
    let v = args.positional[1].clone();
    let full = with_deque(vm, &this, "insert", |d| {
        if d.maxlen == Some(d.items.len()) {
            return true;
        }
        let at = clamp_index(i, d.items.len());
        d.state += 1;
        d.items.insert(at, v);
        false
    })?;
    if full {
        return Err(vm.error(ExcType::IndexError, "deque already at its maximum size"));
    }
    Ok(Value::None)
}

fn remove(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("remove", args)?;
    let x = one_arg(vm, "remove", args)?;
    // Item by item, without copying the deque (asyncio's waiter queues
    // remove their head thousands of times); identity needs no `__eq__`
    // (CPython PyObject_RichCompareBool).
    let n = with_deque(vm, &this, "remove", |d| d.items.len())?;
    for i in 0..n {
        let Some(item) = with_deque(vm, &this, "remove", |d| d.items.get(i).cloned())? else {
            break;
        };
        let found = item.is(&x) || vm.values_equal(&item, &x)?;
        if with_deque(vm, &this, "remove", |d| d.items.len())? != n {
            return Err(vm.error(ExcType::IndexError, "deque mutated during remove()."));
        }
        if found {
            with_deque(vm, &this, "remove", |d| {
                d.state += 1;
                d.items.remove(i);
            })?;
            return Ok(Value::None);
        }
    }
    let r = vm.repr_of(&x)?;
    Err(vm.error(ExcType::ValueError, format!("{r} is not in deque")))
}

fn reverse(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("reverse", args)?;
    vm.no_args("deque.reverse", args, 0)?;
    with_deque(vm, &this, "reverse", |d| {
        d.state += 1;
        d.items.make_contiguous().reverse();
    })?;
    Ok(Value::None)
}

fn len(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__len__", args)?;
    let n = with_deque(vm, &this, "__len__", |d| d.items.len())?;
    Ok(Value::Int(n as i64))
}

/// A deque iterator (forward or reverse).
struct DequeIter {
    deque: Value,
    index: usize,
    state: u64,
    reverse: bool,
}

impl CustomIter for DequeIter {
    fn type_name(&self) -> &'static str {
        if self.reverse {
            "_collections._deque_reverse_iterator"
        } else {
            "_collections._deque_iterator"
        }
    }

    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let (state, len) = with_deque(vm, &self.deque, "__next__", |d| (d.state, d.items.len()))?;
        if state != self.state {
            return Err(vm.error(ExcType::RuntimeError, "deque mutated during iteration"));
        }
        if self.index >= len {
            return Ok(None);
        }
        let position = if self.reverse {
            len - 1 - self.index
        } else {
            self.index
        };
        self.index += 1;
        with_deque(vm, &self.deque, "__next__", |d| {
            d.items.get(position).cloned()
        })
    }
}

fn make_iter(vm: &mut Vm, this: Value, reverse: bool) -> PyResult<Value> {
    let state = with_deque(vm, &this, "__iter__", |d| d.state)?;
    Ok(native_iter(IterState::Custom(Box::new(DequeIter {
        deque: this,
        index: 0,
        state,
        reverse,
    }))))
}

fn iter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__iter__", args)?;
    make_iter(vm, this, false)
}

fn reversed(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__reversed__", args)?;
    make_iter(vm, this, true)
}

/// The position of an index argument, or CPython's errors.
fn position(vm: &mut Vm, this: &Value, key: &Value) -> PyResult<usize> {
    let len = with_deque(vm, this, "__getitem__", |d| d.items.len())?;
    let i = match key {
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => vm.to_index(key)?,
        other if vm.class_of(other).lookup("__index__").is_some() => vm.to_index(other)?,
        other => {
            let t = vm.type_name(other);
            return Err(vm.type_error(format!("sequence index must be integer, not '{t}'")));
        }
    };
    let i = if i < 0 { i + len as i64 } else { i };
    if i < 0 || i as usize >= len {
        return Err(vm.error(ExcType::IndexError, "deque index out of range"));
    }
    Ok(i as usize)
}

fn getitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__getitem__", args)?;
    let key = one_arg(vm, "__getitem__", args)?;
    let i = position(vm, &this, &key)?;
    let v = with_deque(vm, &this, "__getitem__", |d| d.items.get(i).cloned())?;
    Ok(v.unwrap_or(Value::None))
}

fn setitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__setitem__", args)?;
    if args.positional.len() != 2 {
        return Err(vm.type_error("expected 2 arguments"));
    }
    let value = args.positional.remove(1);
    let key = args.positional.remove(0);
    let i = position(vm, &this, &key)?;
    with_deque(vm, &this, "__setitem__", |d| {
        if let Some(slot) = d.items.get_mut(i) {
            *slot = value;
        }
    })?;
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__delitem__", args)?;
    let key = one_arg(vm, "__delitem__", args)?;
    let i = position(vm, &this, &key)?;
    with_deque(vm, &this, "__delitem__", |d| {
        d.state += 1;
        d.items.remove(i);
    })?;
    Ok(Value::None)
}

fn contains(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__contains__", args)?;
    let x = one_arg(vm, "__contains__", args)?;
    let items = snapshot(vm, &this)?;
    for item in &items {
        if item.is(&x) || vm.values_equal(item, &x)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let (items, maxlen) = with_deque(vm, &this, "__repr__", |d| {
        (d.items.iter().cloned().collect::<Vec<_>>(), d.maxlen)
    })?;
    let name = vm.class_of(&this).name().as_str().to_string();
    let text = repr_guarded(vm, &this, "[...]", |vm| {
        let body = join_reprs(vm, &items)?;
        Ok(match maxlen {
            Some(m) => format!("{name}([{body}], maxlen={m})"),
            None => format!("{name}([{body}])"),
        })
    })?;
    Ok(Value::string(text))
}

/// `deque_richcompare`: NotImplemented unless both are deques.
fn compare(vm: &mut Vm, args: &mut Args, op: CmpOp) -> PyResult<Value> {
    let this = vm.receiver("__eq__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    if !is_deque(&other) {
        return Ok(Value::NotImplemented);
    }
    let a = snapshot(vm, &this)?;
    let b = snapshot(vm, &other)?;
    if a.len() != b.len() && matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return Ok(Value::Bool(op == CmpOp::Ne));
    }
    for (x, y) in a.iter().zip(b.iter()) {
        if x.is(y) || vm.values_equal(x, y)? {
            continue;
        }
        return match op {
            CmpOp::Eq => Ok(Value::Bool(false)),
            CmpOp::Ne => Ok(Value::Bool(true)),
            _ => vm.compare(op, x, y),
        };
    }
    let (la, lb) = (a.len(), b.len());
    Ok(Value::Bool(match op {
        CmpOp::Lt => la < lb,
        CmpOp::Le => la <= lb,
        CmpOp::Eq => la == lb,
        CmpOp::Ne => la != lb,
        CmpOp::Gt => la > lb,
        CmpOp::Ge => la >= lb,
    }))
}

fn eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, CmpOp::Eq)
}
fn ne(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, CmpOp::Ne)
}
fn lt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, CmpOp::Lt)
}
fn le(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, CmpOp::Le)
}
fn gt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, CmpOp::Gt)
}
fn ge(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, CmpOp::Ge)
}

fn add(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__add__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    if !is_deque(&other) {
        let t = vm.type_name(&other);
        return Err(vm.type_error(format!("can only concatenate deque (not \"{t}\") to deque")));
    }
    let (mut items, maxlen) = with_deque(vm, &this, "__add__", |d| (d.items.clone(), d.maxlen))?;
    let extra = snapshot(vm, &other)?;
    let class = vm.class_of(&this);
    let result = new_deque(vm, &class, VecDeque::new(), maxlen);
    items.extend(extra);
    with_deque(vm, &result, "__add__", |d| {
        for item in items {
            d.push_back(item);
        }
    })?;
    Ok(result)
}

fn repeat(vm: &mut Vm, this: &Value, n: &Value) -> PyResult<Vec<Value>> {
    if !matches!(n, Value::Int(_) | Value::BigInt(_) | Value::Bool(_)) {
        let t = vm.type_name(n);
        return Err(vm.type_error(format!("can't multiply sequence by non-int of type '{t}'")));
    }
    let times = vm.to_index(n)?.max(0) as usize;
    let items = snapshot(vm, this)?;
    vm.check_size(items.len().saturating_mul(times))?;
    let mut out = Vec::with_capacity(items.len() * times);
    for _ in 0..times {
        out.extend(items.iter().cloned());
    }
    Ok(out)
}

fn mul(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__mul__", args)?;
    let n = args.positional.first().cloned().unwrap_or(Value::None);
    if !matches!(n, Value::Int(_) | Value::BigInt(_) | Value::Bool(_)) {
        return Ok(Value::NotImplemented);
    }
    let items = repeat(vm, &this, &n)?;
    let maxlen = with_deque(vm, &this, "__mul__", |d| d.maxlen)?;
    let class = vm.class_of(&this);
    let result = new_deque(vm, &class, VecDeque::new(), maxlen);
    with_deque(vm, &result, "__mul__", |d| {
        for item in items {
            d.push_back(item);
        }
    })?;
    Ok(result)
}

fn iadd(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__iadd__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    let items = vm.collect(&other)?;
    with_deque(vm, &this, "__iadd__", |d| {
        for item in items {
            d.push_back(item);
        }
    })?;
    Ok(this)
}

fn imul(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__imul__", args)?;
    let n = args.positional.first().cloned().unwrap_or(Value::None);
    let items = repeat(vm, &this, &n)?;
    with_deque(vm, &this, "__imul__", |d| {
        d.state += 1;
        d.items.clear();
        for item in items {
            d.push_back(item);
        }
    })?;
    Ok(this)
}
