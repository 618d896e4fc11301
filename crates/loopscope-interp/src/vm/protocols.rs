//! The object protocols the instruction loop relies on: iteration
//! (`iter`/`next`, unpacking), subscription (`x[i]`, slices), `len`,
//! membership (`in`), and building sets and dicts.

use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

use super::{ExcType, Vm};
use crate::value::{
    DictIterKind, IterState, NativeIter, PyDict, PyResult, PySet, PySlice, SetObj, Unwind, Value,
};

/// Resolved slice bounds for a sequence of a given length.
#[derive(Clone, Copy, Debug)]
pub struct SliceBounds {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
    pub len: usize,
}

impl SliceBounds {
    /// The selected indices, in order.
    pub fn indices(&self) -> impl Iterator<Item = usize> {
        let s = *self;
        (0..s.len).map(move |k| (s.start + k as i64 * s.step) as usize)
    }
}

pub fn native_iter(state: IterState) -> Value {
    Value::Iterator(Rc::new(NativeIter {
        state: std::cell::RefCell::new(state),
    }))
}

impl Vm {
    // ----------------------------------------------------------- iteration

    /// `iter(v)`.
    pub fn get_iter(&mut self, v: &Value) -> PyResult<Value> {
        let state = match v {
            Value::List(_) | Value::Tuple(_) | Value::Bytes(_) => IterState::Seq {
                seq: v.clone(),
                index: 0,
            },
            Value::Str(s) => IterState::Str {
                s: s.clone(),
                byte: 0,
            },
            Value::Range(r) => match (&r.start, &r.stop, &r.step) {
                (Value::Int(start), Value::Int(stop), Value::Int(step)) => IterState::Range {
                    next: *start,
                    stop: *stop,
                    step: *step,
                },
                _ => IterState::BigRange {
                    next: super::ops::to_bigint(&r.start).unwrap_or_default(),
                    stop: super::ops::to_bigint(&r.stop).unwrap_or_default(),
                    step: super::ops::to_bigint(&r.step).unwrap_or_default(),
                },
            },
            Value::Dict(d) => IterState::DictKeys {
                dict: d.clone(),
                index: 0,
                len: d.len(),
                kind: DictIterKind::Keys,
            },
            Value::Set(_) | Value::FrozenSet(_) => IterState::Set {
                set: v.clone(),
                index: 0,
                len: v.as_set().map(|s| s.table.borrow().len()).unwrap_or(0),
            },
            Value::Iterator(_) => return Ok(v.clone()),
            Value::Generator(g) if g.kind == crate::value::GenKind::Generator => {
                return Ok(v.clone())
            }
            _ => {
                let class = self.class_of(v);
                if let Some(method) = class.lookup("__iter__") {
                    if method.is_none() {
                        let t = class.name().as_str().to_string();
                        return Err(self.type_error(format!("'{t}' object is not iterable")));
                    }
                    let bound = self.descriptor_get(&method, v.clone(), Value::Class(class))?;
                    let it = self.call(&bound, Vec::new())?;
                    if !self.is_iterator(&it) {
                        let t = self.type_name(&it);
                        return Err(
                            self.type_error(format!("iter() returned non-iterator of type '{t}'"))
                        );
                    }
                    return Ok(it);
                }
                if class.lookup("__getitem__").is_some() {
                    return Ok(native_iter(IterState::Seq {
                        seq: v.clone(),
                        index: 0,
                    }));
                }
                if let Some(dict) = v.as_dict() {
                    let _ = dict;
                    return Ok(native_iter(IterState::Seq {
                        seq: Value::list(v.as_dict().map(|d| d.keys()).unwrap_or_default()),
                        index: 0,
                    }));
                }
                if let Some(inner) = v.builtin_payload() {
                    return self.get_iter(&inner);
                }
                let t = class.name().as_str().to_string();
                return Err(self.type_error(format!("'{t}' object is not iterable")));
            }
        };
        Ok(native_iter(state))
    }

    pub fn is_iterator(&self, v: &Value) -> bool {
        match v {
            Value::Iterator(_) => true,
            Value::Generator(g) => g.kind == crate::value::GenKind::Generator,
            _ => self.class_of(v).lookup("__next__").is_some(),
        }
    }

    /// `next(it)`: Some(value), or None when exhausted.
    ///
    /// Each item counts as one step of the budget: native loops (`sum`,
    /// `max`, `list`, `sorted`, ...) run no instructions of their own, and
    /// `sum(range(10**12))` must still end as a hang.
    pub fn next_value(&mut self, it: &Value) -> PyResult<Option<Value>> {
        self.count_native_step()?;
        self.next_item(it)
    }

    /// [`Self::next_value`] for `ForIter`, whose instruction was counted.
    pub(crate) fn next_item(&mut self, it: &Value) -> PyResult<Option<Value>> {
        match it {
            Value::Iterator(native) => self.next_native(native),
            Value::Generator(g) if g.kind == crate::value::GenKind::Generator => {
                match self.generator_next(g) {
                    Ok(v) => Ok(Some(v)),
                    Err(Unwind::Exception(exc))
                        if self.is_exception(&exc, ExcType::StopIteration) =>
                    {
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
            _ => {
                let class = self.class_of(it);
                let Some(method) = class.lookup("__next__") else {
                    let t = class.name().as_str().to_string();
                    return Err(self.type_error(format!("'{t}' object is not an iterator")));
                };
                match self.call(&method, vec![it.clone()]) {
                    Ok(v) => Ok(Some(v)),
                    Err(Unwind::Exception(exc))
                        if self.is_exception(&exc, ExcType::StopIteration) =>
                    {
                        Ok(None)
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }

    fn next_native(&mut self, native: &Rc<NativeIter>) -> PyResult<Option<Value>> {
        if let Some(item) = next_in_place(native) {
            return Ok(item);
        }
        // Take the state out while stepping: a step may call back into
        // Python code that touches the same iterator.
        let mut state = std::mem::replace(&mut *native.state.borrow_mut(), IterState::Exhausted);
        let result = self.step_iter(&mut state);
        let finished = matches!(result, Ok(None));
        *native.state.borrow_mut() = if finished {
            IterState::Exhausted
        } else {
            state
        };
        result
    }

    fn step_iter(&mut self, state: &mut IterState) -> PyResult<Option<Value>> {
        match state {
            IterState::Seq { seq, index } => {
                let i = *index;
                let item = match seq {
                    Value::List(l) => l.borrow().get(i).cloned(),
                    Value::Tuple(t) => t.items.get(i).cloned(),
                    Value::Bytes(b) => b.data.get(i).map(|b| Value::Int(*b as i64)),
                    other => {
                        let seq = other.clone();
                        match self.get_item(&seq, &Value::Int(i as i64)) {
                            Ok(v) => Some(v),
                            Err(Unwind::Exception(exc))
                                if self.is_exception(&exc, ExcType::IndexError)
                                    || self.is_exception(&exc, ExcType::StopIteration) =>
                            {
                                None
                            }
                            Err(e) => return Err(e),
                        }
                    }
                };
                *index += 1;
                Ok(item)
            }
            IterState::Range { next, stop, step } => {
                if (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop) {
                    let v = *next;
                    match next.checked_add(*step) {
                        Some(n) => *next = n,
                        None => *next = *stop,
                    }
                    Ok(Some(Value::Int(v)))
                } else {
                    Ok(None)
                }
            }
            IterState::BigRange { next, stop, step } => {
                if (step.is_positive() && *next < *stop) || (step.is_negative() && *next > *stop) {
                    let v = next.clone();
                    *next += &*step;
                    Ok(Some(Value::from_bigint(v)))
                } else {
                    Ok(None)
                }
            }
            IterState::Str { s, byte } => {
                let text = s.as_str();
                match text[*byte..].chars().next() {
                    Some(c) => {
                        *byte += c.len_utf8();
                        let mut buf = [0u8; 4];
                        Ok(Some(Value::str(c.encode_utf8(&mut buf))))
                    }
                    None => Ok(None),
                }
            }
            IterState::DictKeys {
                dict,
                index,
                len,
                kind,
            } => {
                if dict.len() != *len {
                    *len = usize::MAX;
                    return Err(self.error(
                        ExcType::RuntimeError,
                        "dictionary changed size during iteration",
                    ));
                }
                match dict.entry_from(*index) {
                    Some((next, k, v)) => {
                        *index = next;
                        Ok(Some(match kind {
                            DictIterKind::Keys => k,
                            DictIterKind::Values => v,
                            DictIterKind::Items => Value::tuple(vec![k, v]),
                        }))
                    }
                    None => Ok(None),
                }
            }
            IterState::Set { set, index, len } => {
                let Some(table) = set.as_set() else {
                    return Ok(None);
                };
                let table = table.table.borrow();
                if table.len() != *len {
                    *len = usize::MAX;
                    drop(table);
                    return Err(
                        self.error(ExcType::RuntimeError, "Set changed size during iteration")
                    );
                }
                match table.entry_from(*index) {
                    Some((next, k)) => {
                        *index = next;
                        Ok(Some(k))
                    }
                    None => Ok(None),
                }
            }
            IterState::Reversed { seq, index } => {
                if *index == 0 {
                    return Ok(None);
                }
                *index -= 1;
                let i = *index;
                let item = match seq {
                    Value::List(l) => l.borrow().get(i).cloned(),
                    Value::Tuple(t) => t.items.get(i).cloned(),
                    other => {
                        let seq = other.clone();
                        Some(self.get_item(&seq, &Value::Int(i as i64))?)
                    }
                };
                if item.is_none() {
                    *index = 0;
                }
                Ok(item)
            }
            IterState::Enumerate { inner, count } => {
                let inner = inner.clone();
                match self.next_value(&inner)? {
                    Some(v) => {
                        let n = count.clone();
                        *count = self.binary_op(crate::bytecode::BinOp::Add, &n, &Value::Int(1))?;
                        Ok(Some(Value::tuple(vec![n, v])))
                    }
                    None => Ok(None),
                }
            }
            IterState::Zip { iters, strict } => {
                if iters.is_empty() {
                    return Ok(None);
                }
                let iters = iters.clone();
                let mut items = Vec::with_capacity(iters.len());
                for (i, it) in iters.iter().enumerate() {
                    match self.next_value(it)? {
                        Some(v) => items.push(v),
                        None => {
                            if *strict {
                                if let Some(error) = self.zip_strict_error(&iters, i) {
                                    return Err(error);
                                }
                            }
                            return Ok(None);
                        }
                    }
                }
                Ok(Some(Value::tuple(items)))
            }
            IterState::Map { func, iters } => {
                let (func, iters) = (func.clone(), iters.clone());
                let mut args = Vec::with_capacity(iters.len());
                for it in &iters {
                    match self.next_value(it)? {
                        Some(v) => args.push(v),
                        None => return Ok(None),
                    }
                }
                self.call(&func, args).map(Some)
            }
            IterState::Filter { func, inner } => {
                let (func, inner) = (func.clone(), inner.clone());
                loop {
                    let Some(v) = self.next_value(&inner)? else {
                        return Ok(None);
                    };
                    let keep = if func.is_none() {
                        self.truthy(&v)?
                    } else {
                        let r = self.call(&func, vec![v.clone()])?;
                        self.truthy(&r)?
                    };
                    if keep {
                        return Ok(Some(v));
                    }
                }
            }
            IterState::CallIter { func, sentinel } => {
                let (func, sentinel) = (func.clone(), sentinel.clone());
                let v = self.call(&func, Vec::new())?;
                if self.values_equal(&v, &sentinel)? {
                    return Ok(None);
                }
                Ok(Some(v))
            }
            IterState::Items { items, index } => {
                let item = items.get(*index).cloned();
                *index += 1;
                Ok(item)
            }
            IterState::Custom(custom) => custom.next(self),
            IterState::Exhausted => Ok(None),
        }
    }

    /// `zip(strict=True)`: the ValueError when the iterables' lengths
    /// differ (CPython zip_next), or None when all ended together.
    fn zip_strict_error(&mut self, iters: &[Value], stopped: usize) -> Option<Unwind> {
        if stopped > 0 {
            let plural = if stopped == 1 { " " } else { "s 1-" };
            return Some(self.error(
                ExcType::ValueError,
                format!(
                    "zip() argument {} is shorter than argument{plural}{}",
                    stopped + 1,
                    stopped
                ),
            ));
        }
        for (i, it) in iters.iter().enumerate().skip(1) {
            if let Ok(Some(_)) = self.next_value(it) {
                let plural = if i == 1 { " " } else { "s 1-" };
                return Some(self.error(
                    ExcType::ValueError,
                    format!(
                        "zip() argument {} is longer than argument{plural}{}",
                        i + 1,
                        i
                    ),
                ));
            }
        }
        None
    }

    /// Every item of an iterable, in order.
    pub fn collect(&mut self, v: &Value) -> PyResult<Vec<Value>> {
        match v {
            Value::List(l) => return Ok(l.borrow().clone()),
            Value::Tuple(t) => return Ok(t.items.clone()),
            Value::Dict(d) => return Ok(d.keys()),
            Value::Set(s) | Value::FrozenSet(s) => return Ok(s.table.borrow().keys()),
            _ => {}
        }
        let it = self.get_iter(v)?;
        let mut items = Vec::new();
        while let Some(item) = self.next_value(&it)? {
            items.push(item);
            if items.len() > super::ops::MAX_SEQUENCE_ITEMS {
                return Err(self.error(ExcType::MemoryError, ""));
            }
        }
        Ok(items)
    }

    /// `a, b = v`: exactly `n` items.
    pub fn unpack(&mut self, v: &Value, n: usize) -> PyResult<Vec<Value>> {
        if let Value::Tuple(t) = v {
            if t.items.len() == n {
                return Ok(t.items.clone());
            }
        }
        let it = match self.get_iter(v) {
            Ok(it) => it,
            Err(Unwind::Exception(exc)) if self.is_exception(&exc, ExcType::TypeError) => {
                let t = self.type_name(v);
                return Err(self.type_error(format!("cannot unpack non-iterable {t} object")));
            }
            Err(e) => return Err(e),
        };
        let mut items = Vec::with_capacity(n);
        while let Some(item) = self.next_value(&it)? {
            if items.len() == n {
                // CPython 3.11 `unpack_iterable` never says how many there
                // were (3.12 adds ", got N").
                return Err(self.error(
                    ExcType::ValueError,
                    format!("too many values to unpack (expected {n})"),
                ));
            }
            items.push(item);
        }
        if items.len() < n {
            return Err(self.error(
                ExcType::ValueError,
                format!(
                    "not enough values to unpack (expected {n}, got {})",
                    items.len()
                ),
            ));
        }
        Ok(items)
    }

    // ----------------------------------------------------------- len, in

    pub fn len_of(&mut self, v: &Value) -> PyResult<usize> {
        Ok(match v {
            Value::Str(s) => s.char_len(),
            Value::Bytes(b) => b.data.len(),
            Value::List(l) => l.borrow().len(),
            Value::Tuple(t) => t.items.len(),
            Value::Dict(d) => d.len(),
            Value::Set(s) | Value::FrozenSet(s) => s.table.borrow().len(),
            Value::Range(r) => {
                let (start, stop, step) = (
                    super::ops::to_bigint(&r.start).unwrap_or_default(),
                    super::ops::to_bigint(&r.stop).unwrap_or_default(),
                    super::ops::to_bigint(&r.step).unwrap_or_default(),
                );
                let n = range_len(&start, &stop, &step);
                match n.to_usize() {
                    Some(n) if n <= i64::MAX as usize => n,
                    _ => {
                        return Err(self.error(
                            ExcType::OverflowError,
                            "Python int too large to convert to C ssize_t",
                        ))
                    }
                }
            }
            _ => {
                let class = self.class_of(v);
                match class.lookup("__len__") {
                    Some(method) => {
                        let r = self.call(&method, vec![v.clone()])?;
                        match r {
                            Value::Int(i) if i >= 0 => i as usize,
                            Value::Bool(b) => b as usize,
                            Value::Int(_) => {
                                return Err(
                                    self.error(ExcType::ValueError, "__len__() should return >= 0")
                                )
                            }
                            other => {
                                let t = self.type_name(&other);
                                return Err(self.type_error(format!(
                                    "'{t}' object cannot be interpreted as an integer"
                                )));
                            }
                        }
                    }
                    None => {
                        if let Some(l) = v.as_list() {
                            return Ok(l.borrow().len());
                        }
                        if let Some(d) = v.as_dict() {
                            return Ok(d.len());
                        }
                        if let Some(s) = v.as_set() {
                            return Ok(s.table.borrow().len());
                        }
                        if let Some(inner) = v.builtin_payload() {
                            return self.len_of(&inner);
                        }
                        let t = class.name().as_str().to_string();
                        return Err(self.type_error(format!("object of type '{t}' has no len()")));
                    }
                }
            }
        })
    }

    /// `item in container`.
    pub fn contains(&mut self, container: &Value, item: &Value) -> PyResult<bool> {
        match container {
            Value::Str(s) => match item {
                Value::Str(sub) => Ok(s.as_str().contains(sub.as_str())),
                _ => {
                    let t = self.type_name(item);
                    Err(self.type_error(format!(
                        "'in <string>' requires string as left operand, not {t}"
                    )))
                }
            },
            Value::Bytes(b) => match item {
                Value::Int(i) => Ok(b.data.contains(&(*i as u8))),
                Value::Bytes(sub) => Ok(sub.data.is_empty()
                    || b.data.windows(sub.data.len()).any(|w| w == &sub.data[..])),
                _ => Err(self.type_error("a bytes-like object is required")),
            },
            Value::Dict(d) => d.contains(self, item),
            Value::Set(_) | Value::FrozenSet(_) => self.set_contains(container, item),
            Value::Range(r) => {
                if let (Some(x), Value::Int(_) | Value::BigInt(_) | Value::Bool(_)) =
                    (super::ops::to_bigint(item), item)
                {
                    let (start, stop, step) = (
                        super::ops::to_bigint(&r.start).unwrap_or_default(),
                        super::ops::to_bigint(&r.stop).unwrap_or_default(),
                        super::ops::to_bigint(&r.step).unwrap_or_default(),
                    );
                    let inside = if step.is_positive() {
                        x >= start && x < stop
                    } else {
                        x <= start && x > stop
                    };
                    return Ok(inside && ((&x - &start) % &step).is_zero());
                }
                let items = self.collect(container)?;
                self.sequence_contains(&items, item)
            }
            Value::List(l) => {
                let items = l.borrow().clone();
                self.sequence_contains(&items, item)
            }
            Value::Tuple(t) => {
                let items = t.items.clone();
                self.sequence_contains(&items, item)
            }
            _ => {
                if let Some(r) = self.call_special(container, "__contains__", vec![item.clone()])? {
                    return self.truthy(&r);
                }
                if let Some(d) = container.as_dict() {
                    return d.contains(self, item);
                }
                if container.as_set().is_some() {
                    return self.set_contains(container, item);
                }
                if let Some(l) = container.as_list() {
                    let items = l.borrow().clone();
                    return self.sequence_contains(&items, item);
                }
                if let Some(inner) = container.builtin_payload() {
                    return self.contains(&inner, item);
                }
                let class = self.class_of(container);
                if class.lookup("__iter__").is_some() || class.lookup("__getitem__").is_some() {
                    let it = self.get_iter(container)?;
                    while let Some(v) = self.next_value(&it)? {
                        if v.is(item) || self.values_equal(&v, item)? {
                            return Ok(true);
                        }
                    }
                    return Ok(false);
                }
                let t = class.name().as_str().to_string();
                Err(self.type_error(format!("argument of type '{t}' is not iterable")))
            }
        }
    }

    fn sequence_contains(&mut self, items: &[Value], item: &Value) -> PyResult<bool> {
        for v in items {
            if v.is(item) || self.values_equal(v, item)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn set_contains(&mut self, set: &Value, item: &Value) -> PyResult<bool> {
        let hash = self.set_key_hash(item)?;
        let Some(obj) = set.as_set() else {
            return Ok(false);
        };
        // The table is taken out while probing: comparing keys may run
        // Python code.
        let table = std::mem::take(&mut *obj.table.borrow_mut());
        let result = table.contains(self, item, hash);
        *obj.table.borrow_mut() = table;
        result
    }

    /// The hash of a set element; a `set` probed for is hashed as a
    /// frozenset (CPython `set_contains`).
    pub fn set_key_hash(&mut self, item: &Value) -> PyResult<i64> {
        if let Value::Set(s) = item {
            return Ok(s.table.borrow().frozen_hash());
        }
        self.hash_value(item)
    }

    // ----------------------------------------------------------- subscript

    /// An index as an `i64` (`__index__`).
    pub fn to_index(&mut self, v: &Value) -> PyResult<i64> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(*b as i64),
            Value::BigInt(_) => Err(self.error(
                ExcType::IndexError,
                "cannot fit 'int' into an index-sized integer",
            )),
            _ => {
                if let Some(r) = self.call_special(v, "__index__", Vec::new())? {
                    return self.to_index(&r);
                }
                let inner = v.unwrap_builtin();
                if matches!(inner, Value::Int(_) | Value::BigInt(_)) {
                    return self.to_index(&inner);
                }
                let t = self.type_name(v);
                Err(self.type_error(format!("'{t}' object cannot be interpreted as an integer")))
            }
        }
    }

    /// Resolves a slice against a length (CPython `PySlice_GetIndicesEx`).
    pub fn slice_bounds(&mut self, slice: &PySlice, len: usize) -> PyResult<SliceBounds> {
        let len = len as i64;
        let step = if slice.step.is_none() {
            1
        } else {
            self.slice_index(&slice.step)?
        };
        if step == 0 {
            return Err(self.error(ExcType::ValueError, "slice step cannot be zero"));
        }
        let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
        let clamp = |vm: &mut Vm, v: &Value, default: i64| -> PyResult<i64> {
            if v.is_none() {
                return Ok(default);
            }
            let mut i = vm.slice_index(v)?;
            if i < 0 {
                i += len;
                if i < lower {
                    i = lower;
                }
            } else if i > upper {
                i = upper;
            }
            Ok(i)
        };
        let start = clamp(self, &slice.start, if step < 0 { upper } else { lower })?;
        let stop = clamp(self, &slice.stop, if step < 0 { lower } else { upper })?;
        let count = if step < 0 {
            if stop < start {
                (start - stop - 1) / (-step) + 1
            } else {
                0
            }
        } else if start < stop {
            (stop - start - 1) / step + 1
        } else {
            0
        };
        Ok(SliceBounds {
            start,
            stop,
            step,
            len: count as usize,
        })
    }

    /// A slice bound: ints saturate (CPython `_PyEval_SliceIndex`).
    fn slice_index(&mut self, v: &Value) -> PyResult<i64> {
        match v {
            Value::BigInt(b) => Ok(if b.is_negative() {
                i64::MIN / 2
            } else {
                i64::MAX / 2
            }),
            Value::Int(_) | Value::Bool(_) => self.to_index(v),
            _ => {
                if self.class_of(v).lookup("__index__").is_some() {
                    return self.to_index(v);
                }
                Err(self.type_error(
                    "slice indices must be integers or None or have an __index__ method",
                ))
            }
        }
    }

    /// A sequence index made non-negative and checked against the length.
    fn seq_index(&mut self, key: &Value, len: usize, what: &str) -> PyResult<usize> {
        let i = match key {
            Value::Int(i) => *i,
            Value::Bool(b) => *b as i64,
            Value::BigInt(_) => {
                return Err(self.error(
                    ExcType::IndexError,
                    "cannot fit 'int' into an index-sized integer",
                ))
            }
            _ => {
                if self.class_of(key).lookup("__index__").is_some() {
                    self.to_index(key)?
                } else {
                    let t = self.type_name(key);
                    let kind = if what == "string" { "string" } else { what };
                    return Err(self.type_error(format!(
                        "{kind} indices must be integers or slices, not {t}"
                    )));
                }
            }
        };
        let adjusted = if i < 0 { i + len as i64 } else { i };
        if adjusted < 0 || adjusted >= len as i64 {
            return Err(self.error(ExcType::IndexError, format!("{what} index out of range")));
        }
        Ok(adjusted as usize)
    }

    /// `obj[key]`.
    pub fn get_item(&mut self, obj: &Value, key: &Value) -> PyResult<Value> {
        match obj {
            Value::List(l) => {
                if let Value::Slice(s) = key {
                    let items = l.borrow();
                    let len = items.len();
                    drop(items);
                    let b = self.slice_bounds(s, len)?;
                    let items = l.borrow();
                    return Ok(Value::list(b.indices().map(|i| items[i].clone()).collect()));
                }
                let len = l.borrow().len();
                let i = self.seq_index(key, len, "list")?;
                Ok(l.borrow()[i].clone())
            }
            Value::Tuple(t) => {
                if let Value::Slice(s) = key {
                    let b = self.slice_bounds(s, t.items.len())?;
                    return Ok(Value::tuple(
                        b.indices().map(|i| t.items[i].clone()).collect(),
                    ));
                }
                let i = self.seq_index(key, t.items.len(), "tuple")?;
                Ok(t.items[i].clone())
            }
            Value::Str(s) => {
                let chars: Vec<char>;
                if let Value::Slice(sl) = key {
                    let b = self.slice_bounds(sl, s.char_len())?;
                    if s.is_ascii() {
                        let bytes = s.as_str().as_bytes();
                        if b.step == 1 {
                            let start = b.start.max(0) as usize;
                            return Ok(Value::str(&s.as_str()[start..start + b.len]));
                        }
                        let out: String = b.indices().map(|i| bytes[i] as char).collect();
                        return Ok(Value::string(out));
                    }
                    chars = s.as_str().chars().collect();
                    let out: String = b.indices().map(|i| chars[i]).collect();
                    return Ok(Value::string(out));
                }
                let i = self.seq_index(key, s.char_len(), "string")?;
                let c = s.char_at(i).unwrap_or('\0');
                let mut buf = [0u8; 4];
                Ok(Value::str(c.encode_utf8(&mut buf)))
            }
            Value::Bytes(bytes) => {
                if let Value::Slice(sl) = key {
                    let b = self.slice_bounds(sl, bytes.data.len())?;
                    return Ok(Value::bytes(b.indices().map(|i| bytes.data[i]).collect()));
                }
                let i = self.seq_index(key, bytes.data.len(), "index")?;
                Ok(Value::Int(bytes.data[i] as i64))
            }
            Value::Range(r) => self.range_item(r, key),
            Value::Dict(d) => match d.get(self, key)? {
                Some(v) => Ok(v),
                None => Err(self.key_error(key)),
            },
            Value::Class(class) => {
                if let Some(method) = class.lookup("__class_getitem__") {
                    let bound = self.descriptor_get(&method, Value::None, obj.clone())?;
                    let bound = match bound {
                        Value::Function(_) => self.bind(bound, obj.clone()),
                        other => other,
                    };
                    return self.call(&bound, vec![key.clone()]);
                }
                if class.builtin {
                    return Ok(crate::builtins::classes::generic_alias(self, obj, key));
                }
                let name = class.name().as_str().to_string();
                Err(self.type_error(format!("type '{name}' is not subscriptable")))
            }
            _ => {
                let class = self.class_of(obj);
                if let Some(method) = class.lookup("__getitem__") {
                    return self.call(&method, vec![obj.clone(), key.clone()]);
                }
                if let Some(d) = obj.as_dict() {
                    if let Some(v) = d.get(self, key)? {
                        return Ok(v);
                    }
                    if let Some(missing) = class.lookup("__missing__") {
                        return self.call(&missing, vec![obj.clone(), key.clone()]);
                    }
                    return Err(self.key_error(key));
                }
                if let Some(l) = obj.as_list() {
                    let list = Value::List(Rc::new(std::cell::RefCell::new(l.borrow().clone())));
                    return self.get_item(&list, key);
                }
                if let Some(inner) = obj.builtin_payload() {
                    return self.get_item(&inner, key);
                }
                let t = class.name().as_str().to_string();
                Err(self.type_error(format!("'{t}' object is not subscriptable")))
            }
        }
    }

    pub fn key_error(&mut self, key: &Value) -> Unwind {
        let class = self.types.exception(ExcType::KeyError);
        Unwind::Exception(self.new_exception(&class, vec![key.clone()]))
    }

    /// `r[i]` and `r[a:b:c]` with arbitrary-precision bounds (CPython
    /// `range_item`, `compute_slice`).
    fn range_item(&mut self, r: &crate::value::PyRange, key: &Value) -> PyResult<Value> {
        let start = super::ops::to_bigint(&r.start).unwrap_or_default();
        let stop = super::ops::to_bigint(&r.stop).unwrap_or_default();
        let step = super::ops::to_bigint(&r.step).unwrap_or_default();
        let len = range_len(&start, &stop, &step);
        if let Value::Slice(s) = key {
            let (first, last, by) = crate::builtins::containers::ranges::indices(self, s, &len)?;
            return Ok(Value::Range(Rc::new(crate::value::PyRange {
                start: Value::from_bigint(&start + &step * first),
                stop: Value::from_bigint(&start + &step * last),
                step: Value::from_bigint(&step * by),
            })));
        }
        let index = match key {
            Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => {
                super::ops::to_bigint(key).unwrap_or_default()
            }
            _ if self.class_of(key).lookup("__index__").is_some() => {
                let Some(r) = self.call_special(key, "__index__", Vec::new())? else {
                    return Err(self.type_error("__index__ returned nothing"));
                };
                super::ops::to_bigint(&r.unwrap_builtin()).unwrap_or_default()
            }
            _ => {
                let t = self.type_name(key);
                return Err(
                    self.type_error(format!("range indices must be integers or slices, not {t}"))
                );
            }
        };
        let adjusted = if index.is_negative() {
            index + &len
        } else {
            index
        };
        if adjusted.is_negative() || adjusted >= len {
            return Err(self.error(ExcType::IndexError, "range object index out of range"));
        }
        Ok(Value::from_bigint(start + step * adjusted))
    }

    /// `obj[key] = value`.
    pub fn set_item(&mut self, obj: &Value, key: Value, value: Value) -> PyResult<()> {
        match obj {
            Value::List(l) => self.list_set_item(l, &key, value),
            Value::Dict(d) => d.set(self, key, value),
            _ => {
                let class = self.class_of(obj);
                if let Some(method) = class.lookup("__setitem__") {
                    self.call(&method, vec![obj.clone(), key, value])?;
                    return Ok(());
                }
                if let Some(d) = obj.as_dict() {
                    return d.set(self, key, value);
                }
                if let Value::Instance(i) = obj {
                    if let crate::value::Payload::List(l) = &i.payload {
                        let list = Rc::new(std::cell::RefCell::new(std::mem::take(
                            &mut *l.borrow_mut(),
                        )));
                        let result = self.list_set_item(&list, &key, value);
                        *l.borrow_mut() = std::mem::take(&mut *list.borrow_mut());
                        return result;
                    }
                }
                let t = class.name().as_str().to_string();
                Err(self.type_error(format!("'{t}' object does not support item assignment")))
            }
        }
    }

    fn list_set_item(
        &mut self,
        l: &Rc<crate::value::PyList>,
        key: &Value,
        value: Value,
    ) -> PyResult<()> {
        if let Value::Slice(s) = key {
            let items = match self.collect(&value) {
                Ok(items) => items,
                Err(Unwind::Exception(exc)) if self.is_exception(&exc, ExcType::TypeError) => {
                    return Err(self.type_error("can only assign an iterable"));
                }
                Err(e) => return Err(e),
            };
            let len = l.borrow().len();
            let b = self.slice_bounds(s, len)?;
            let mut list = l.borrow_mut();
            if b.step == 1 {
                let start = b.start.clamp(0, len as i64) as usize;
                let stop = (b.stop.max(b.start)).clamp(0, len as i64) as usize;
                list.splice(start..stop, items);
                return Ok(());
            }
            if items.len() != b.len {
                drop(list);
                return Err(self.error(
                    ExcType::ValueError,
                    format!(
                        "attempt to assign sequence of size {} to extended slice of size {}",
                        items.len(),
                        b.len
                    ),
                ));
            }
            for (i, item) in b.indices().zip(items) {
                list[i] = item;
            }
            return Ok(());
        }
        let len = l.borrow().len();
        let i = self.seq_index(key, len, "list assignment")?;
        l.borrow_mut()[i] = value;
        Ok(())
    }

    /// `del obj[key]`.
    pub fn del_item(&mut self, obj: &Value, key: &Value) -> PyResult<()> {
        match obj {
            Value::List(l) => {
                if let Value::Slice(s) = key {
                    let len = l.borrow().len();
                    let b = self.slice_bounds(s, len)?;
                    let mut remove: Vec<usize> = b.indices().collect();
                    remove.sort_unstable();
                    let mut list = l.borrow_mut();
                    for i in remove.into_iter().rev() {
                        list.remove(i);
                    }
                    return Ok(());
                }
                let len = l.borrow().len();
                let i = self.seq_index(key, len, "list assignment")?;
                l.borrow_mut().remove(i);
                Ok(())
            }
            Value::Dict(d) => match d.remove(self, key)? {
                Some(_) => Ok(()),
                None => Err(self.key_error(key)),
            },
            _ => {
                let class = self.class_of(obj);
                if let Some(method) = class.lookup("__delitem__") {
                    self.call(&method, vec![obj.clone(), key.clone()])?;
                    return Ok(());
                }
                if let Some(d) = obj.as_dict() {
                    return match d.remove(self, key)? {
                        Some(_) => Ok(()),
                        None => Err(self.key_error(key)),
                    };
                }
                let t = class.name().as_str().to_string();
                Err(self.type_error(format!("'{t}' object doesn't support item deletion")))
            }
        }
    }

    // ----------------------------------------------------------- sets, dicts

    pub fn new_set(&mut self, items: Vec<Value>) -> PyResult<Value> {
        let set = Value::Set(Rc::new(SetObj {
            table: std::cell::RefCell::new(PySet::new()),
        }));
        for item in items {
            self.set_add(&set, item)?;
        }
        Ok(set)
    }

    pub fn set_add(&mut self, set: &Value, item: Value) -> PyResult<()> {
        let hash = self.hash_value(&item)?;
        let Some(obj) = set.as_set() else {
            return Ok(());
        };
        // The table is taken out while adding: comparing keys may run
        // Python code that reads the set.
        let mut table = std::mem::take(&mut *obj.table.borrow_mut());
        let result = table.add(self, item, hash);
        *obj.table.borrow_mut() = table;
        result.map(|_| ())
    }

    /// `{**a}` / `dict.update`: merge a mapping or key/value pairs.
    /// `merge` rejects duplicate keys (`f(**a, **b)`).
    pub fn dict_update(&mut self, target: &Value, source: &Value, merge: bool) -> PyResult<()> {
        let Some(dict) = target.as_dict() else {
            return Ok(());
        };
        let pairs: Vec<(Value, Value)> = if let Some(src) = source.as_dict() {
            if matches!(source, Value::Dict(_))
                || self
                    .class_of(source)
                    .lookup("keys")
                    .is_none_or(|k| matches!(k, Value::Builtin(_)))
            {
                src.items()
            } else {
                self.mapping_items(source)?
            }
        } else if self.class_of(source).lookup("keys").is_some() {
            self.mapping_items(source)?
        } else {
            if merge {
                let t = self.type_name(source);
                return Err(
                    self.type_error(format!("argument after ** must be a mapping, not {t}"))
                );
            }
            let mut pairs = Vec::new();
            let items = self.collect(source)?;
            for (i, item) in items.into_iter().enumerate() {
                let pair = match self.collect(&item) {
                    Ok(p) => p,
                    Err(_) => {
                        return Err(self.type_error(format!(
                            "cannot convert dictionary update sequence element #{i} to a sequence"
                        )));
                    }
                };
                if pair.len() != 2 {
                    return Err(self.error(
                        ExcType::ValueError,
                        format!(
                            "dictionary update sequence element #{i} has length {}; 2 is required",
                            pair.len()
                        ),
                    ));
                }
                let mut pair = pair.into_iter();
                let k = pair.next().unwrap_or(Value::None);
                let v = pair.next().unwrap_or(Value::None);
                pairs.push((k, v));
            }
            pairs
        };
        for (k, v) in pairs {
            if merge && dict.contains(self, &k)? {
                let name = self.repr_of(&k)?;
                let name = name.trim_matches('\'').to_string();
                return Err(
                    self.type_error(format!("got multiple values for keyword argument '{name}'"))
                );
            }
            dict.set(self, k, v)?;
        }
        Ok(())
    }

    /// Key/value pairs of any mapping (`keys()` then `m[k]`).
    fn mapping_items(&mut self, source: &Value) -> PyResult<Vec<(Value, Value)>> {
        let keys_method = self.get_attr(source, &Rc::new(crate::value::PyStr::new("keys")))?;
        let keys = self.call(&keys_method, Vec::new())?;
        let keys = self.collect(&keys)?;
        let mut pairs = Vec::with_capacity(keys.len());
        for k in keys {
            let v = self.get_item(source, &k)?;
            pairs.push((k, v));
        }
        Ok(pairs)
    }

    /// A dict from key/value pairs.
    pub fn new_dict(&mut self, pairs: Vec<(Value, Value)>) -> PyResult<Value> {
        let dict = PyDict::new();
        for (k, v) in pairs {
            dict.set(self, k, v)?;
        }
        Ok(Value::Dict(Rc::new(dict)))
    }

    // ----------------------------------------------------------- async iteration

    /// `aiter(v)` for `async for`.
    pub fn get_aiter(&mut self, v: &Value) -> PyResult<Value> {
        if let Value::Generator(g) = v {
            if g.kind == crate::value::GenKind::AsyncGenerator {
                return Ok(v.clone());
            }
        }
        let class = self.class_of(v);
        match class.lookup("__aiter__") {
            Some(method) => {
                let it = self.call(&method, vec![v.clone()])?;
                let has_anext = matches!(&it, Value::Generator(g) if g.kind == crate::value::GenKind::AsyncGenerator)
                    || self.class_of(&it).lookup("__anext__").is_some();
                if !has_anext {
                    let t = self.type_name(&it);
                    return Err(self.type_error(format!(
                        "'async for' received an object from __aiter__ that does not implement __anext__: {t}"
                    )));
                }
                Ok(it)
            }
            None => {
                let t = class.name().as_str().to_string();
                Err(self.type_error(format!(
                    "'async for' requires an object with __aiter__ method, got {t}"
                )))
            }
        }
    }

    /// The awaitable of one `async for` step (`it.__anext__()`).
    pub fn get_anext_awaitable(&mut self, it: &Value) -> PyResult<Value> {
        if let Value::Generator(g) = it {
            if g.kind == crate::value::GenKind::AsyncGenerator {
                return Ok(crate::builtins::generators::asend(self, g, Value::None));
            }
        }
        let class = self.class_of(it);
        match class.lookup("__anext__") {
            Some(method) => {
                let awaitable = self.call(&method, vec![it.clone()])?;
                match self.get_awaitable(&awaitable, crate::bytecode::AwaitContext::Await) {
                    Ok(a) => Ok(a),
                    Err(_) => {
                        let t = self.type_name(&awaitable);
                        Err(self.type_error(format!(
                            "'async for' received an invalid object from __anext__: {t}"
                        )))
                    }
                }
            }
            None => {
                let t = class.name().as_str().to_string();
                Err(self.type_error(format!(
                    "'async for' requires an iterator with __anext__ method, got {t}"
                )))
            }
        }
    }
}

/// Number of items of `range(start, stop, step)`.
pub fn range_len(start: &BigInt, stop: &BigInt, step: &BigInt) -> BigInt {
    if step.is_positive() && start < stop {
        (stop - start - 1) / step + 1
    } else if step.is_negative() && start > stop {
        (start - stop - 1) / (-step) + 1
    } else {
        BigInt::zero()
    }
}

/// The next item of an iterator whose step runs no Python code (a range,
/// a list or a tuple), stepped where it is; `None` for the others, which
/// [`Vm::next_item`] steps with the state taken out. An exhausted
/// iterator stays exhausted (CPython's list iterator drops its list).
#[inline]
pub(crate) fn next_in_place(native: &NativeIter) -> Option<Option<Value>> {
    let mut state = native.state.try_borrow_mut().ok()?;
    let item = match &mut *state {
        IterState::Range { next, stop, step } => {
            if (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop) {
                let v = *next;
                *next = next.checked_add(*step).unwrap_or(*stop);
                return Some(Some(Value::Int(v)));
            }
            None
        }
        IterState::Seq {
            seq: Value::List(list),
            index,
        } => {
            let item = list.borrow().get(*index).cloned();
            if item.is_some() {
                *index += 1;
            }
            item
        }
        IterState::Seq {
            seq: Value::Tuple(tuple),
            index,
        } => {
            let item = tuple.items.get(*index).cloned();
            if item.is_some() {
                *index += 1;
            }
            item
        }
        _ => return None,
    };
    if item.is_none() {
        // The sequence is let go after the borrow ends: dropping it may
        // drop other objects.
        let finished = std::mem::replace(&mut *state, IterState::Exhausted);
        drop(state);
        drop(finished);
    }
    Some(item)
}
