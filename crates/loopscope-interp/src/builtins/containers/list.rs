//! `list` methods and the special methods user subclasses reach through
//! `super()` (`super().__setitem__(i, v)`). Every method works on a plain
//! list and on an instance of a `list` subclass alike (`Value::as_list`).

use std::cell::RefCell;

use super::args;
use crate::builtins::add_methods;
use crate::bytecode::{BinOp, CmpOp};
use crate::value::{Args, CustomIter, IterState, PyList, PyResult, PySlice, Unwind, Value};
use crate::vm::protocols::native_iter;
use crate::vm::{ExcType, Vm};

pub fn install(vm: &mut Vm) {
    let list = vm.types.list.clone();
    add_methods(
        &list,
        "list",
        &[
            ("append", append),
            ("extend", extend),
            ("insert", insert),
            ("remove", remove),
            ("pop", pop),
            ("clear", clear),
            ("index", index),
            ("count", count),
            ("sort", sort),
            ("reverse", reverse),
            ("copy", copy),
            ("__getitem__", getitem),
            ("__setitem__", setitem),
            ("__delitem__", delitem),
            ("__len__", len),
            ("__contains__", contains),
            ("__iter__", iter),
            ("__reversed__", reversed),
            ("__add__", add),
            ("__iadd__", iadd),
            ("__mul__", mul),
            ("__rmul__", mul_reflected),
            ("__imul__", imul),
            ("__eq__", eq),
            ("__ne__", ne),
            ("__lt__", lt),
            ("__le__", le),
            ("__gt__", gt),
            ("__ge__", ge),
        ],
    );
    // Lists are unhashable, subclasses included.
    list.dict.borrow_mut().set("__hash__", Value::None);
}

fn is_list(v: &Value) -> bool {
    v.as_list().is_some()
}

fn this(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Value> {
    args::receiver(vm, args, "list", name, is_list)
}

/// The items of a receiver already checked by [`this`] (a shared empty
/// list, never reached in practice, stands in for anything else).
fn items(v: &Value) -> &PyList {
    thread_local! {
        static EMPTY: &'static PyList = Box::leak(Box::new(RefCell::new(Vec::new())));
    }
    match v.as_list() {
        Some(l) => l,
        None => EMPTY.with(|e| *e),
    }
}

/// A list index made non-negative and checked (`list index out of
/// range`); `what` is `"list"` or `"list assignment"`.
pub fn item_index(vm: &mut Vm, key: &Value, len: usize, what: &str) -> PyResult<usize> {
    let i = match key {
        Value::Int(i) => *i,
        Value::Bool(b) => *b as i64,
        Value::BigInt(_) => {
            return Err(vm.error(
                ExcType::IndexError,
                "cannot fit 'int' into an index-sized integer",
            ))
        }
        _ => {
            if vm.class_of(key).lookup("__index__").is_some() {
                vm.to_index(key)?
            } else {
                let t = vm.type_name(key);
                return Err(
                    vm.type_error(format!("list indices must be integers or slices, not {t}"))
                );
            }
        }
    };
    let adjusted = if i < 0 { i + len as i64 } else { i };
    if adjusted < 0 || adjusted >= len as i64 {
        return Err(vm.error(ExcType::IndexError, format!("{what} index out of range")));
    }
    Ok(adjusted as usize)
}

/// `l[key]` on a list's items.
pub fn get(vm: &mut Vm, l: &PyList, key: &Value) -> PyResult<Value> {
    if let Value::Slice(s) = key {
        let len = l.borrow().len();
        let b = vm.slice_bounds(s, len)?;
        let list = l.borrow();
        return Ok(Value::list(
            b.indices().filter_map(|i| list.get(i).cloned()).collect(),
        ));
    }
    let len = l.borrow().len();
    let i = item_index(vm, key, len, "list")?;
    Ok(l.borrow().get(i).cloned().unwrap_or(Value::None))
}

/// `l[key] = value` on a list's items; `owner` is the list itself (so
/// `a[:] = a` copies first).
pub fn set(vm: &mut Vm, owner: &Value, key: &Value, value: Value) -> PyResult<()> {
    let l = items(owner);
    let Value::Slice(s) = key else {
        let len = l.borrow().len();
        let i = item_index(vm, key, len, "list assignment")?;
        if let Some(slot) = l.borrow_mut().get_mut(i) {
            *slot = value;
        }
        return Ok(());
    };
    let new_items = if value.is(owner) {
        l.borrow().clone()
    } else {
        match vm.collect(&value) {
            Ok(items) => items,
            Err(Unwind::Exception(exc)) if vm.is_exception(&exc, ExcType::TypeError) => {
                return Err(vm.type_error("can only assign an iterable"));
            }
            Err(e) => return Err(e),
        }
    };
    assign_slice(vm, l, s, new_items)
}

fn assign_slice(vm: &mut Vm, l: &PyList, s: &PySlice, new_items: Vec<Value>) -> PyResult<()> {
    let len = l.borrow().len();
    let b = vm.slice_bounds(s, len)?;
    if b.step == 1 {
        let start = b.start.clamp(0, len as i64) as usize;
        let stop = b.stop.max(b.start).clamp(0, len as i64) as usize;
        l.borrow_mut().splice(start..stop, new_items);
        return Ok(());
    }
    if new_items.len() != b.len {
        return Err(vm.error(
            ExcType::ValueError,
            format!(
                "attempt to assign sequence of size {} to extended slice of size {}",
                new_items.len(),
                b.len
            ),
        ));
    }
    let mut list = l.borrow_mut();
    for (i, item) in b.indices().zip(new_items) {
        if let Some(slot) = list.get_mut(i) {
            *slot = item;
        }
    }
    Ok(())
}

/// `del l[key]` on a list's items.
pub fn delete(vm: &mut Vm, l: &PyList, key: &Value) -> PyResult<()> {
    if let Value::Slice(s) = key {
        let len = l.borrow().len();
        let b = vm.slice_bounds(s, len)?;
        let mut remove: Vec<usize> = b.indices().collect();
        remove.sort_unstable();
        let mut list = l.borrow_mut();
        for i in remove.into_iter().rev() {
            if i < list.len() {
                list.remove(i);
            }
        }
        return Ok(());
    }
    let len = l.borrow().len();
    let i = item_index(vm, key, len, "list assignment")?;
    let mut list = l.borrow_mut();
    if i < list.len() {
        list.remove(i);
    }
    Ok(())
}

/// Equality as `==` on list items: identity first.
fn same(vm: &mut Vm, a: &Value, b: &Value) -> PyResult<bool> {
    Ok(a.is(b) || vm.values_equal(a, b)?)
}

/// Position of the first item equal to `x` in `start..stop`, reading the
/// list afresh at each step (comparisons may change it).
fn find(vm: &mut Vm, l: &PyList, x: &Value, start: usize, stop: usize) -> PyResult<Option<usize>> {
    let mut i = start;
    loop {
        let item = {
            let list = l.borrow();
            if i >= stop.min(list.len()) {
                return Ok(None);
            }
            list[i].clone()
        };
        if same(vm, &item, x)? {
            return Ok(Some(i));
        }
        i += 1;
    }
}

fn append(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "append")?;
    let x = args::one(vm, args, "list", "append")?;
    items(&this).borrow_mut().push(x);
    Ok(Value::None)
}

fn extend_with(vm: &mut Vm, this: &Value, iterable: &Value) -> PyResult<()> {
    let new_items = if iterable.is(this) {
        items(this).borrow().clone()
    } else {
        vm.collect(iterable)?
    };
    items(this).borrow_mut().extend(new_items);
    Ok(())
}

fn extend(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "extend")?;
    let iterable = args::one(vm, args, "list", "extend")?;
    extend_with(vm, &this, &iterable)?;
    Ok(Value::None)
}

fn insert(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "insert")?;
    let a = args::between(vm, args, "list", "insert", 2, 2)?;
    let (Some(index), Some(x)) = (a.first(), a.get(1)) else {
        return Ok(Value::None);
    };
    let i = args::clamp_index_strict(vm, index)?;
    let l = items(&this);
    let len = l.borrow().len() as i64;
    let at = if i < 0 { (i + len).max(0) } else { i.min(len) };
    l.borrow_mut().insert(at as usize, x.clone());
    Ok(Value::None)
}

fn remove(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "remove")?;
    let x = args::one(vm, args, "list", "remove")?;
    let l = items(&this);
    match find(vm, l, &x, 0, usize::MAX)? {
        Some(i) => {
            let mut list = l.borrow_mut();
            if i < list.len() {
                list.remove(i);
            }
            Ok(Value::None)
        }
        None => Err(vm.error(ExcType::ValueError, "list.remove(x): x not in list")),
    }
}

fn pop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "pop")?;
    let a = args::between(vm, args, "list", "pop", 0, 1)?;
    let index = match a.first() {
        Some(v) => args::clamp_index_strict(vm, v)?,
        None => -1,
    };
    let l = items(&this);
    let len = l.borrow().len() as i64;
    if len == 0 {
        return Err(vm.error(ExcType::IndexError, "pop from empty list"));
    }
    let i = if index < 0 { index + len } else { index };
    if i < 0 || i >= len {
        return Err(vm.error(ExcType::IndexError, "pop index out of range"));
    }
    let popped = l.borrow_mut().remove(i as usize);
    Ok(popped)
}

fn clear(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "clear")?;
    args::none(vm, args, "list", "clear")?;
    // Take the items out before dropping them: the list is not borrowed
    // while they go.
    let mut old = std::mem::take(&mut *items(&this).borrow_mut());
    // CPython list_clear drops the items last to first (what `__del__`
    // methods print shows it).
    while old.pop().is_some() {}
    Ok(Value::None)
}

fn index(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "index")?;
    let a = args::between(vm, args, "list", "index", 1, 3)?;
    let x = a.first().cloned().unwrap_or(Value::None);
    let l = items(&this);
    let len = l.borrow().len();
    let (start, stop) = args::search_bounds(vm, a.get(1), a.get(2), len)?;
    match find(vm, l, &x, start, stop)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => {
            let r = vm.repr_of(&x)?;
            Err(vm.error(ExcType::ValueError, format!("{r} is not in list")))
        }
    }
}

fn count(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "count")?;
    let x = args::one(vm, args, "list", "count")?;
    let l = items(&this);
    let mut n = 0;
    let mut i = 0;
    loop {
        let item = match l.borrow().get(i) {
            Some(v) => v.clone(),
            None => break,
        };
        if same(vm, &item, &x)? {
            n += 1;
        }
        i += 1;
    }
    Ok(Value::Int(n))
}

/// CPython's `list.sort`: keys computed once, in order, then the shared
/// stable sort (`sorted` uses the same).
fn sorted_items(vm: &mut Vm, items: &[Value], key: &Value, reverse: bool) -> PyResult<Vec<Value>> {
    let mut sorted = items.to_vec();
    crate::builtins::functions::sort_values(vm, &mut sorted, key, reverse)?;
    Ok(sorted)
}

fn sort(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "sort")?;
    if !args.positional.is_empty() {
        return Err(vm.type_error("sort() takes no positional arguments"));
    }
    let mut key = Value::None;
    let mut reverse = false;
    for (name, value) in std::mem::take(&mut args.keywords) {
        match name.as_str() {
            "key" => key = value,
            "reverse" => reverse = vm.expect_int(&value)? != 0,
            other => {
                return Err(vm.type_error(format!(
                    "'{other}' is an invalid keyword argument for sort()"
                )))
            }
        }
    }
    let l = items(&this);
    // CPython empties the list while sorting and complains if it was
    // changed meanwhile (by a key function or `__lt__`).
    let original = std::mem::take(&mut *l.borrow_mut());
    let result = sorted_items(vm, &original, &key, reverse);
    let modified = !l.borrow().is_empty();
    let result = result.map(|sorted| *l.borrow_mut() = sorted);
    if result.is_err() {
        *l.borrow_mut() = original;
    }
    result?;
    if modified {
        return Err(vm.error(ExcType::ValueError, "list modified during sort"));
    }
    Ok(Value::None)
}

fn reverse(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "reverse")?;
    args::none(vm, args, "list", "reverse")?;
    items(&this).borrow_mut().reverse();
    Ok(Value::None)
}

fn copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "copy")?;
    args::none(vm, args, "list", "copy")?;
    let copied = items(&this).borrow().clone();
    Ok(Value::list(copied))
}

// ------------------------------------------------------------------ dunders

fn getitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__getitem__")?;
    let key = args::one(vm, args, "list", "__getitem__")?;
    get(vm, items(&this), &key)
}

fn setitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__setitem__")?;
    let mut a = args::slot(vm, args, "__setitem__", 2)?.into_iter();
    let key = a.next().unwrap_or(Value::None);
    let value = a.next().unwrap_or(Value::None);
    set(vm, &this, &key, value)?;
    Ok(Value::None)
}

fn delitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__delitem__")?;
    let key = args::slot_one(vm, args, "__delitem__")?;
    delete(vm, items(&this), &key)?;
    Ok(Value::None)
}

fn len(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__len__")?;
    args::slot(vm, args, "__len__", 0)?;
    let n = items(&this).borrow().len();
    Ok(Value::Int(n as i64))
}

fn contains(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__contains__")?;
    let x = args::slot_one(vm, args, "__contains__")?;
    let found = find(vm, items(&this), &x, 0, usize::MAX)?;
    Ok(Value::Bool(found.is_some()))
}

/// Iterates a list subclass instance live, as CPython's list iterator
/// does (it never calls an overridden `__getitem__`).
struct ListIter {
    list: Value,
    /// Next position; for a reverse iterator, one past it.
    index: usize,
    reverse: bool,
}

impl CustomIter for ListIter {
    fn type_name(&self) -> &'static str {
        if self.reverse {
            "list_reverseiterator"
        } else {
            "list_iterator"
        }
    }

    fn next(&mut self, _vm: &mut Vm) -> PyResult<Option<Value>> {
        let list = items(&self.list).borrow();
        if self.reverse {
            if self.index == 0 || self.index > list.len() {
                self.index = 0;
                return Ok(None);
            }
            self.index -= 1;
            Ok(list.get(self.index).cloned())
        } else {
            let item = list.get(self.index).cloned();
            if item.is_some() {
                self.index += 1;
            }
            Ok(item)
        }
    }
}

/// `iter(l)` for a list or a subclass instance.
pub fn list_iter(this: &Value) -> Value {
    match this {
        Value::List(_) => native_iter(IterState::Seq {
            seq: this.clone(),
            index: 0,
        }),
        _ => native_iter(IterState::Custom(Box::new(ListIter {
            list: this.clone(),
            index: 0,
            reverse: false,
        }))),
    }
}

fn iter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__iter__")?;
    args::slot(vm, args, "__iter__", 0)?;
    Ok(list_iter(&this))
}

fn reversed(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__reversed__")?;
    args::none(vm, args, "list", "__reversed__")?;
    let len = items(&this).borrow().len();
    Ok(match &this {
        Value::List(_) => native_iter(IterState::Reversed {
            seq: this.clone(),
            index: len,
        }),
        _ => native_iter(IterState::Custom(Box::new(ListIter {
            list: this.clone(),
            index: len,
            reverse: true,
        }))),
    })
}

fn add(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__add__")?;
    let other = args::slot_one(vm, args, "__add__")?;
    let Some(o) = other.as_list() else {
        let t = vm.type_name(&other);
        return Err(vm.type_error(format!("can only concatenate list (not \"{t}\") to list")));
    };
    let mut joined = items(&this).borrow().clone();
    joined.extend(o.borrow().iter().cloned());
    Ok(Value::list(joined))
}

fn iadd(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__iadd__")?;
    let other = args::slot_one(vm, args, "__iadd__")?;
    extend_with(vm, &this, &other)?;
    Ok(this)
}

/// A repeat count (`l * n`): CPython's index conversion errors.
fn repeat_count(vm: &mut Vm, n: &Value) -> PyResult<i64> {
    match n {
        Value::BigInt(_) => Err(vm.error(
            ExcType::OverflowError,
            "cannot fit 'int' into an index-sized integer",
        )),
        _ => vm.expect_int(n),
    }
}

fn repeated(vm: &mut Vm, this: &Value, n: &Value) -> PyResult<Vec<Value>> {
    let n = repeat_count(vm, n)?;
    let snapshot = Value::list(items(this).borrow().clone());
    match vm.binary_op(BinOp::Mul, &snapshot, &Value::Int(n))? {
        Value::List(l) => Ok(std::mem::take(&mut *l.borrow_mut())),
        _ => Ok(Vec::new()),
    }
}

fn mul(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__mul__")?;
    let n = args::slot_one(vm, args, "__mul__")?;
    repeated(vm, &this, &n).map(Value::list)
}

fn mul_reflected(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__rmul__")?;
    let n = args::slot_one(vm, args, "__rmul__")?;
    repeated(vm, &this, &n).map(Value::list)
}

fn imul(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = this(vm, args, "__imul__")?;
    let n = args::slot_one(vm, args, "__imul__")?;
    let new_items = repeated(vm, &this, &n)?;
    *items(&this).borrow_mut() = new_items;
    Ok(this)
}

fn compare(vm: &mut Vm, args: &mut Args, name: &str, op: CmpOp) -> PyResult<Value> {
    let this = this(vm, args, name)?;
    let other = args::slot_one(vm, args, name)?;
    let Some(o) = other.as_list() else {
        return Ok(Value::NotImplemented);
    };
    let a = Value::list(items(&this).borrow().clone());
    let b = Value::list(o.borrow().clone());
    vm.compare(op, &a, &b)
}

fn eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__eq__", CmpOp::Eq)
}

fn ne(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__ne__", CmpOp::Ne)
}

fn lt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__lt__", CmpOp::Lt)
}

fn le(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__le__", CmpOp::Le)
}

fn gt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__gt__", CmpOp::Gt)
}

fn ge(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    compare(vm, args, "__ge__", CmpOp::Ge)
}
