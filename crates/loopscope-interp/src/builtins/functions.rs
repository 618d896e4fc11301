//! The built-in functions: `print`, `len`, `sorted`, `isinstance`, ...
//! with CPython's argument rules and error messages.

use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

use super::{add_functions, function};
use crate::bytecode::BinOp;
use crate::value::{Args, IterState, PyResult, PyStr, Unwind, Value};
use crate::vm::ops::to_bigint;
use crate::vm::protocols::native_iter;
use crate::vm::{ExcType, Stream, Vm};

pub fn install(vm: &mut Vm) {
    let module = vm.builtins.clone();
    add_functions(
        &module,
        &[
            ("print", print),
            ("len", len),
            ("repr", repr),
            ("ascii", ascii),
            ("isinstance", isinstance),
            ("issubclass", issubclass),
            ("hasattr", hasattr),
            ("getattr", getattr),
            ("setattr", setattr),
            ("delattr", delattr),
            ("callable", callable),
            ("id", id),
            ("hash", hash),
            ("abs", abs),
            ("min", min),
            ("max", max),
            ("sum", sum),
            ("sorted", sorted),
            ("iter", iter),
            ("next", next),
            ("aiter", aiter),
            ("anext", anext),
            ("any", any),
            ("all", all),
            ("round", round),
            ("divmod", divmod),
            ("pow", pow),
            ("chr", chr),
            ("ord", ord),
            ("format", format),
            ("bin", bin),
            ("oct", oct),
            ("hex", hex),
            ("vars", vars),
            ("dir", dir),
            ("globals", globals),
            ("locals", locals),
            ("input", input),
            ("open", open),
            ("eval", eval),
            ("exec", exec),
            ("compile", compile),
            ("breakpoint", breakpoint),
            ("__import__", import),
            ("exit", exit),
            ("quit", exit),
        ],
    );
    let _ = function;
}

fn one_arg(vm: &mut Vm, fname: &str, args: &mut Args) -> PyResult<Value> {
    if !args.keywords.is_empty() {
        return Err(vm.type_error(format!("{fname}() takes no keyword arguments")));
    }
    if args.positional.len() != 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!("{fname}() takes exactly one argument ({n} given)")));
    }
    Ok(args.positional.pop().unwrap_or(Value::None))
}

fn print(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let sep = args.take_keyword("sep").unwrap_or(Value::None);
    let end = args.take_keyword("end").unwrap_or(Value::None);
    let file = args.take_keyword("file").unwrap_or(Value::None);
    let _flush = args.take_keyword("flush");
    if let Some((k, _)) = args.keywords.first() {
        let k = k.as_str().to_string();
        return Err(vm.type_error(format!("'{k}' is an invalid keyword argument for print()")));
    }
    let sep = match &sep {
        Value::None => " ".to_string(),
        Value::Str(s) => s.as_str().to_string(),
        other => {
            let t = vm.type_name(other);
            return Err(vm.type_error(format!("sep must be None or a string, not {t}")));
        }
    };
    let end = match &end {
        Value::None => "\n".to_string(),
        Value::Str(s) => s.as_str().to_string(),
        other => {
            let t = vm.type_name(other);
            return Err(vm.type_error(format!("end must be None or a string, not {t}")));
        }
    };
    let mut text = String::new();
    for (i, v) in std::mem::take(&mut args.positional).iter().enumerate() {
        if i > 0 {
            text.push_str(&sep);
        }
        text.push_str(&vm.str_of(v)?);
    }
    text.push_str(&end);
    crate::modules::sys::write_to(vm, &file, Stream::Stdout, text)?;
    Ok(Value::None)
}

fn len(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "len", args)?;
    vm.len_of(&v).map(|n| Value::Int(n as i64))
}

fn repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "repr", args)?;
    vm.repr_of(&v).map(Value::string)
}

fn ascii(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "ascii", args)?;
    let r = vm.repr_of(&v)?;
    Ok(Value::string(super::ascii_of(&r)))
}

/// `isinstance(value, class_or_tuple)` with CPython's checks.
pub fn is_instance(vm: &mut Vm, value: &Value, spec: &Value) -> PyResult<bool> {
    match spec {
        Value::Class(c) => {
            if let Some(check) = c.lookup("__instancecheck__") {
                if !matches!(check, Value::Builtin(_)) {
                    let r = vm.call(&check, vec![spec.clone(), value.clone()])?;
                    return vm.truthy(&r);
                }
            }
            Ok(vm.class_of(value).is_subclass_of(c))
        }
        Value::Tuple(t) => {
            for item in t.items.clone() {
                if is_instance(vm, value, &item)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => {
            // CPython PyObject_IsInstance: any object whose type defines
            // __instancecheck__ (typing's `List`).
            if let Value::Instance(_) = spec {
                if let Some(check) = vm.class_of(spec).lookup("__instancecheck__") {
                    let r = vm.call(&check, vec![spec.clone(), value.clone()])?;
                    return vm.truthy(&r);
                }
            }
            Err(vm.type_error("isinstance() arg 2 must be a type, a tuple of types, or a union"))
        }
    }
}

fn isinstance(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("isinstance", args, &["obj", "class_or_tuple"], 2)?;
    let (v, spec) = (
        a[0].clone().unwrap_or(Value::None),
        a[1].clone().unwrap_or(Value::None),
    );
    is_instance(vm, &v, &spec).map(Value::Bool)
}

fn issubclass(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("issubclass", args, &["cls", "class_or_tuple"], 2)?;
    let (v, spec) = (
        a[0].clone().unwrap_or(Value::None),
        a[1].clone().unwrap_or(Value::None),
    );
    let Value::Class(c) = v else {
        return Err(vm.type_error("issubclass() arg 1 must be a class"));
    };
    fn check(vm: &mut Vm, c: &Rc<crate::value::Class>, spec: &Value) -> PyResult<bool> {
        match spec {
            Value::Class(s) => Ok(c.is_subclass_of(s)),
            Value::Tuple(t) => {
                for item in t.items.clone() {
                    if check(vm, c, &item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => {
                if let Value::Instance(_) = spec {
                    if let Some(check) = vm.class_of(spec).lookup("__subclasscheck__") {
                        let r = vm.call(&check, vec![spec.clone(), Value::Class(c.clone())])?;
                        return vm.truthy(&r);
                    }
                }
                Err(vm.type_error(
                    "issubclass() arg 2 must be a class, a tuple of classes, or a union",
                ))
            }
        }
    }
    check(vm, &c, &spec).map(Value::Bool)
}

fn attr_name(vm: &mut Vm, v: &Value) -> PyResult<Rc<PyStr>> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        other => {
            let t = vm.type_name(other);
            Err(vm.type_error(format!("attribute name must be string, not '{t}'")))
        }
    }
}

fn hasattr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("hasattr", args, &["obj", "name"], 2)?;
    let obj = a[0].clone().unwrap_or(Value::None);
    let name = attr_name(vm, a[1].as_ref().unwrap_or(&Value::None))?;
    Ok(Value::Bool(vm.get_attr_opt(&obj, name.as_str())?.is_some()))
}

fn getattr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    if args.positional.len() < 2 {
        let n = args.positional.len();
        return Err(vm.type_error(format!("getattr expected at least 2 arguments, got {n}")));
    }
    let obj = args.positional[0].clone();
    let name = attr_name(vm, &args.positional[1].clone())?;
    match args.positional.get(2).cloned() {
        Some(default) => Ok(vm.get_attr_opt(&obj, name.as_str())?.unwrap_or(default)),
        None => vm.get_attr(&obj, &name),
    }
}

fn setattr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("setattr", args, &["obj", "name", "value"], 3)?;
    let obj = a[0].clone().unwrap_or(Value::None);
    let name = attr_name(vm, a[1].as_ref().unwrap_or(&Value::None))?;
    vm.set_attr(&obj, &name, a[2].clone().unwrap_or(Value::None))?;
    Ok(Value::None)
}

fn delattr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("delattr", args, &["obj", "name"], 2)?;
    let obj = a[0].clone().unwrap_or(Value::None);
    let name = attr_name(vm, a[1].as_ref().unwrap_or(&Value::None))?;
    vm.del_attr(&obj, &name)?;
    Ok(Value::None)
}

fn callable(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "callable", args)?;
    Ok(Value::Bool(match &v {
        Value::Function(_) | Value::BoundMethod(_) | Value::Builtin(_) | Value::Class(_) => true,
        other => vm.class_of(other).lookup("__call__").is_some(),
    }))
}

fn id(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "id", args)?;
    let n = match &v {
        Value::Int(i) => (*i as u64).wrapping_mul(32).wrapping_add(9_000_000),
        other => vm.identity(other).unwrap_or(0),
    };
    Ok(Value::Int((140_000_000_000_000u64 + n * 48) as i64))
}

fn hash(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "hash", args)?;
    vm.hash_value(&v).map(Value::Int)
}

fn abs(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "abs", args)?;
    Ok(match &v {
        Value::Int(i) => match i.checked_abs() {
            Some(a) => Value::Int(a),
            None => Value::from_bigint(BigInt::from(*i).abs()),
        },
        Value::Bool(b) => Value::Int(*b as i64),
        Value::BigInt(b) => Value::from_bigint(b.abs()),
        Value::Float(f) => Value::Float(f.abs()),
        other => match vm.call_special(other, "__abs__", Vec::new())? {
            Some(r) => r,
            None => {
                if let Some(inner) = other.builtin_payload() {
                    let mut a = Args::new(vec![inner]);
                    return abs(vm, &mut a);
                }
                let t = vm.type_name(other);
                return Err(vm.type_error(format!("bad operand type for abs(): '{t}'")));
            }
        },
    })
}

/// `min`/`max`: one iterable or several arguments, `key=`, `default=`.
fn extreme(vm: &mut Vm, args: &mut Args, name: &str, want_less: bool) -> PyResult<Value> {
    let key = args.take_keyword("key").unwrap_or(Value::None);
    let default = args.take_keyword("default");
    if let Some((k, _)) = args.keywords.first() {
        let k = k.as_str().to_string();
        return Err(vm.type_error(format!("{name}() got an unexpected keyword argument '{k}'")));
    }
    let items = match args.positional.len() {
        0 => return Err(vm.type_error(format!("{name} expected at least 1 argument, got 0"))),
        1 => {
            let v = args.positional[0].clone();
            vm.collect(&v)?
        }
        _ => {
            if default.is_some() {
                return Err(vm.type_error(format!(
                    "Cannot specify a default for {name}() with multiple positional arguments"
                )));
            }
            args.positional.clone()
        }
    };
    if items.is_empty() {
        return match default {
            Some(d) => Ok(d),
            None => Err(vm.error(
                ExcType::ValueError,
                format!("{name}() arg is an empty sequence"),
            )),
        };
    }
    let mut best = items[0].clone();
    let mut best_key = if key.is_none() {
        best.clone()
    } else {
        vm.call(&key, vec![best.clone()])?
    };
    for item in items.into_iter().skip(1) {
        let k = if key.is_none() {
            item.clone()
        } else {
            vm.call(&key, vec![item.clone()])?
        };
        // CPython min_max: `item < best` for min, `item > best` for max.
        let op = if want_less {
            crate::bytecode::CmpOp::Lt
        } else {
            crate::bytecode::CmpOp::Gt
        };
        let r = vm.compare(op, &k, &best_key)?;
        let better = vm.truthy(&r)?;
        if better {
            best = item;
            best_key = k;
        }
    }
    Ok(best)
}

fn min(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    extreme(vm, args, "min", true)
}

fn max(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    extreme(vm, args, "max", false)
}

fn sum(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("sum", args, &["iterable", "start"], 1)?;
    let mut total = a[1].clone().unwrap_or(Value::Int(0));
    match &total {
        Value::Str(_) => {
            return Err(vm.type_error("sum() can't sum strings [use ''.join(seq) instead]"))
        }
        Value::Bytes(_) => {
            return Err(vm.type_error("sum() can't sum bytes [use b''.join(seq) instead]"))
        }
        _ => {}
    }
    let iterable = a[0].clone().unwrap_or(Value::None);
    if let (Value::Range(range), Value::Int(start)) = (&iterable, &total) {
        if let Some(sum) = sum_of_range(vm, range, *start)? {
            return Ok(sum);
        }
    }
    let it = vm.get_iter(&iterable)?;
    // CPython sums floats with extended precision? No: plain addition in
    // order (Python/bltinmodule.c builtin_sum_impl), so do the same.
    while let Some(item) = vm.next_value(&it)? {
        // CPython builtin_sum_impl keeps a run of small ints in a C long;
        // adding them in place gives the same sum without the protocol.
        total = match (&total, &item) {
            (Value::Int(a), Value::Int(b)) => match a.checked_add(*b) {
                Some(sum) => Value::Int(sum),
                None => vm.binary_op(BinOp::Add, &total, &item)?,
            },
            _ => vm.binary_op(BinOp::Add, &total, &item)?,
        };
    }
    Ok(total)
}

/// `sum(range(...))` over machine ints, from a machine int: the closed
/// form, its items counted against the step budget as if taken one by
/// one (so a range too long to sum ends as a hang at once). `None` when
/// the arithmetic would not fit in 128 bits.
fn sum_of_range(vm: &mut Vm, range: &crate::value::PyRange, total: i64) -> PyResult<Option<Value>> {
    let (Value::Int(first), Value::Int(stop), Value::Int(step)) =
        (&range.start, &range.stop, &range.step)
    else {
        return Ok(None);
    };
    let (first, stop, step) = (i128::from(*first), i128::from(*stop), i128::from(*step));
    let count = match step {
        0 => return Ok(None),
        s if s > 0 && stop > first => (stop - first + s - 1) / s,
        s if s < 0 && first > stop => (first - stop - s - 1) / -s,
        _ => 0,
    };
    vm.count_native_steps(u64::try_from(count).unwrap_or(u64::MAX))?;
    let sum = count
        .checked_mul(count - 1)
        .map(|pairs| pairs / 2)
        .and_then(|pairs| pairs.checked_mul(step))
        .and_then(|steps| count.checked_mul(first)?.checked_add(steps))
        .and_then(|items| items.checked_add(i128::from(total)));
    Ok(sum.map(|sum| match i64::try_from(sum) {
        Ok(small) => Value::Int(small),
        Err(_) => Value::from_bigint(BigInt::from(sum)),
    }))
}

/// Sorts values in place, stably, with CPython's `<`-only comparisons;
/// `key` (None for none) is called once per item, in order.
pub fn sort_values(
    vm: &mut Vm,
    items: &mut Vec<Value>,
    key: &Value,
    reverse: bool,
) -> PyResult<()> {
    let keys: Vec<Value> = if key.is_none() {
        items.clone()
    } else {
        let mut keys = Vec::with_capacity(items.len());
        for item in items.iter() {
            keys.push(vm.call(key, vec![item.clone()])?);
        }
        keys
    };
    *items = sort_by_keys(vm, std::mem::take(items), keys, reverse)?;
    Ok(())
}

/// Sorts `items` by `keys` (one per item) as CPython's `list.sort` does:
/// for `reverse`, the order is reversed, sorted stably and reversed back,
/// so equal items keep their order and `__lt__` sees CPython's calls.
pub fn sort_by_keys(
    vm: &mut Vm,
    items: Vec<Value>,
    keys: Vec<Value>,
    reverse: bool,
) -> PyResult<Vec<Value>> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    if reverse {
        order.reverse();
    }
    let mut error: Option<Unwind> = None;
    timsort_order(&mut order, &mut |a, b| {
        if error.is_some() {
            return false;
        }
        match vm.less_than(&keys[a], &keys[b]) {
            Ok(r) => r,
            Err(e) => {
                error = Some(e);
                false
            }
        }
    });
    if let Some(e) = error {
        return Err(e);
    }
    if reverse {
        order.reverse();
    }
    Ok(order.into_iter().map(|i| items[i].clone()).collect())
}

/// CPython's list.sort for short lists (Objects/listobject.c: `count_run`
/// then `binarysort`), so user `__lt__` methods see the same comparisons
/// in the same order; longer lists are merge sorted (same result, since
/// both are stable).
fn timsort_order(v: &mut Vec<usize>, less: &mut dyn FnMut(usize, usize) -> bool) {
    const MIN_MERGE: usize = 64;
    let n = v.len();
    if n < 2 {
        return;
    }
    if n >= MIN_MERGE {
        merge_sort(v, less);
        return;
    }
    // count_run: a strictly descending run is reversed in place.
    let mut run = 2;
    if less(v[1], v[0]) {
        while run < n && less(v[run], v[run - 1]) {
            run += 1;
        }
        v[..run].reverse();
    } else {
        while run < n && !less(v[run], v[run - 1]) {
            run += 1;
        }
    }
    // binarysort the rest into the run.
    for start in run..n {
        let pivot = v[start];
        let (mut l, mut r) = (0, start);
        while l < r {
            let p = l + ((r - l) >> 1);
            if less(pivot, v[p]) {
                r = p;
            } else {
                l = p + 1;
            }
        }
        v.copy_within(l..start, l + 1);
        v[l] = pivot;
    }
}

/// A stable merge sort driven by a fallible "less than".
fn merge_sort(v: &mut Vec<usize>, less: &mut dyn FnMut(usize, usize) -> bool) {
    if v.len() <= 1 {
        return;
    }
    // Insertion sort for short runs keeps comparisons few, like timsort.
    if v.len() <= 16 {
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && less(v[j], v[j - 1]) {
                v.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    let mut right = v.split_off(v.len() / 2);
    merge_sort(v, less);
    merge_sort(&mut right, less);
    let left = std::mem::take(v);
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if less(right[j], left[i]) {
            v.push(right[j]);
            j += 1;
        } else {
            v.push(left[i]);
            i += 1;
        }
    }
    v.extend_from_slice(&left[i..]);
    v.extend_from_slice(&right[j..]);
}

fn sorted(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let key = args.take_keyword("key").unwrap_or(Value::None);
    let reverse = match args.take_keyword("reverse") {
        Some(v) => vm.truthy(&v)?,
        None => false,
    };
    if args.positional.len() != 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!("sorted expected 1 argument, got {n}")));
    }
    if let Some((k, _)) = args.keywords.first() {
        let k = k.as_str().to_string();
        return Err(vm.type_error(format!("sort() got an unexpected keyword argument '{k}'")));
    }
    let iterable = args.positional[0].clone();
    let mut items = vm.collect(&iterable)?;
    sort_values(vm, &mut items, &key, reverse)?;
    Ok(Value::list(items))
}

fn iter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    match args.positional.len() {
        1 => {
            let v = args.positional[0].clone();
            vm.get_iter(&v)
        }
        2 => {
            let func = args.positional[0].clone();
            let sentinel = args.positional[1].clone();
            if !matches!(
                func,
                Value::Function(_) | Value::BoundMethod(_) | Value::Builtin(_) | Value::Class(_)
            ) {
                return Err(vm.type_error("iter(v, w): v must be callable"));
            }
            Ok(native_iter(IterState::CallIter { func, sentinel }))
        }
        n => Err(vm.type_error(format!("iter expected at most 2 arguments, got {n}"))),
    }
}

fn next(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (it, default) = match args.positional.len() {
        1 => (args.positional[0].clone(), None),
        2 => (args.positional[0].clone(), Some(args.positional[1].clone())),
        n => return Err(vm.type_error(format!("next expected at least 1 argument, got {n}"))),
    };
    if !vm.is_iterator(&it) {
        let t = vm.type_name(&it);
        return Err(vm.type_error(format!("'{t}' object is not an iterator")));
    }
    match default {
        None => {
            // Keep the iterator's own StopIteration (with its value).
            match &it {
                Value::Generator(g) => vm.generator_next(g),
                Value::Iterator(_) => match vm.next_value(&it)? {
                    Some(v) => Ok(v),
                    None => Err(Unwind::Exception(vm.stop_iteration(Value::None))),
                },
                _ => {
                    let method = vm.class_of(&it).lookup("__next__").unwrap_or(Value::None);
                    vm.call(&method, vec![it.clone()])
                }
            }
        }
        Some(d) => Ok(vm.next_value(&it)?.unwrap_or(d)),
    }
}

fn aiter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "aiter", args)?;
    vm.get_aiter(&v)
}

fn anext(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    if args.positional.len() == 2 && args.keywords.is_empty() {
        let default = args.positional.pop().unwrap_or(Value::None);
        let iterator = args.positional.pop().unwrap_or(Value::None);
        if vm.class_of(&iterator).lookup("__anext__").is_none()
            && !matches!(&iterator, Value::Generator(g) if g.kind == crate::value::GenKind::AsyncGenerator)
        {
            let t = vm.type_name(&iterator);
            return Err(vm.type_error(format!("'{t}' object is not an async iterator")));
        }
        return Ok(super::generators::anext_with_default(vm, iterator, default));
    }
    let v = one_arg(vm, "anext", args)?;
    vm.get_anext_awaitable(&v)
}

fn any(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "any", args)?;
    let it = vm.get_iter(&v)?;
    while let Some(item) = vm.next_value(&it)? {
        if vm.truthy(&item)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn all(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "all", args)?;
    let it = vm.get_iter(&v)?;
    while let Some(item) = vm.next_value(&it)? {
        if !vm.truthy(&item)? {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn round(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("round", args, &["number", "ndigits"], 1)?;
    let number = a[0].clone().unwrap_or(Value::None);
    let ndigits = a[1].clone().filter(|v| !v.is_none());
    match (&number, ndigits) {
        (Value::Float(f), None) => {
            if f.is_nan() {
                return Err(vm.error(ExcType::ValueError, "cannot convert float NaN to integer"));
            }
            if f.is_infinite() {
                return Err(vm.error(
                    ExcType::OverflowError,
                    "cannot convert float infinity to integer",
                ));
            }
            let r = crate::numbers::round_half_even(*f);
            Ok(Value::from_bigint(
                crate::numbers::float_to_bigint(r).unwrap_or_default(),
            ))
        }
        (Value::Float(f), Some(n)) => {
            let n = vm.to_index(&n)?;
            Ok(Value::Float(crate::numbers::round_float_digits(*f, n)))
        }
        (Value::Int(_) | Value::BigInt(_) | Value::Bool(_), None) => Ok(match number {
            Value::Bool(b) => Value::Int(b as i64),
            other => other,
        }),
        (Value::Int(_) | Value::BigInt(_) | Value::Bool(_), Some(n)) => {
            let n = vm.to_index(&n)?;
            if n >= 0 {
                return Ok(match number {
                    Value::Bool(b) => Value::Int(b as i64),
                    other => other,
                });
            }
            let x = to_bigint(&number).unwrap_or_default();
            let scale = num_traits::pow(BigInt::from(10), (-n).min(4000) as usize);
            let (q, r) = crate::vm::ops::int_divmod(&x, &scale);
            let twice = &r * 2;
            let q = if twice > scale || (twice == scale && (&q % 2) != BigInt::zero()) {
                q + 1
            } else {
                q
            };
            Ok(Value::from_bigint(q * scale))
        }
        _ => {
            let mut call_args = Vec::new();
            if let Some(n) = a[1].clone() {
                call_args.push(n);
            }
            match vm.call_special(&number, "__round__", call_args)? {
                Some(r) => Ok(r),
                None => {
                    let t = vm.type_name(&number);
                    Err(vm.type_error(format!("type {t} doesn't define __round__ method")))
                }
            }
        }
    }
}

fn divmod(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("divmod", args, &["x", "y"], 2)?;
    let (x, y) = (
        a[0].clone().unwrap_or(Value::None),
        a[1].clone().unwrap_or(Value::None),
    );
    if matches!((&x, &y), (Value::Instance(_), _) | (_, Value::Instance(_))) {
        if let Some(r) = vm.call_special(&x, "__divmod__", vec![y.clone()])? {
            if !matches!(r, Value::NotImplemented) {
                return Ok(r);
            }
        }
    }
    if matches!(x, Value::Float(_)) || matches!(y, Value::Float(_)) {
        let zero = matches!(y, Value::Float(f) if f == 0.0)
            || matches!(y, Value::Int(0) | Value::Bool(false));
        if zero {
            return Err(vm.error(ExcType::ZeroDivisionError, "float divmod()"));
        }
    }
    let q = vm.binary_op(BinOp::FloorDiv, &x, &y)?;
    let r = vm.binary_op(BinOp::Mod, &x, &y)?;
    Ok(Value::tuple(vec![q, r]))
}

fn pow(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("pow", args, &["base", "exp", "mod"], 2)?;
    let (base, exp) = (
        a[0].clone().unwrap_or(Value::None),
        a[1].clone().unwrap_or(Value::None),
    );
    match a[2].clone().filter(|m| !m.is_none()) {
        None => vm.binary_op(BinOp::Pow, &base, &exp),
        Some(m) => {
            let (Some(b), Some(e), Some(m)) = (to_bigint(&base), to_bigint(&exp), to_bigint(&m))
            else {
                return Err(vm.type_error(
                    "pow() 3rd argument not allowed unless all arguments are integers",
                ));
            };
            if m.is_zero() {
                return Err(vm.error(ExcType::ValueError, "pow() 3rd argument cannot be 0"));
            }
            if e.is_negative() {
                return Err(vm.unsupported("pow() with a negative exponent and a modulus"));
            }
            let r = b.modpow(&e, &m);
            let r = if !r.is_zero() && r.is_negative() != m.is_negative() {
                r + &m
            } else {
                r
            };
            Ok(Value::from_bigint(r))
        }
    }
}

fn chr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "chr", args)?;
    let code = vm.expect_int(&v)?;
    match u32::try_from(code).ok().and_then(char::from_u32) {
        Some(c) => Ok(Value::string(c.to_string())),
        None if (0..0x110000).contains(&code) => Err(vm.unsupported("lone surrogate characters")),
        None => Err(vm.error(ExcType::ValueError, "chr() arg not in range(0x110000)")),
    }
}

fn ord(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let v = one_arg(vm, "ord", args)?;
    match &v {
        Value::Str(s) => {
            let n = s.char_len();
            if n != 1 {
                return Err(vm.type_error(format!(
                    "ord() expected a character, but string of length {n} found"
                )));
            }
            Ok(Value::Int(
                s.as_str().chars().next().map(|c| c as i64).unwrap_or(0),
            ))
        }
        Value::Bytes(b) if b.data.len() == 1 => Ok(Value::Int(b.data[0] as i64)),
        other => {
            let t = vm.type_name(other);
            Err(vm.type_error(format!("ord() expected string of length 1, but {t} found")))
        }
    }
}

fn format(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("format", args, &["value", "format_spec"], 1)?;
    let v = a[0].clone().unwrap_or(Value::None);
    let spec = match &a[1] {
        None => String::new(),
        Some(s) => vm
            .expect_str(s, "format() argument 2")?
            .as_str()
            .to_string(),
    };
    vm.format_value(&v, &spec).map(Value::string)
}

fn radix(vm: &mut Vm, args: &mut Args, fname: &str, prefix: &str, base: u32) -> PyResult<Value> {
    let v = one_arg(vm, fname, args)?;
    let n = match to_bigint(&v) {
        Some(n) => n,
        None => {
            let i = vm.to_index(&v)?;
            BigInt::from(i)
        }
    };
    let digits = n.abs().to_str_radix(base);
    let sign = if n.is_negative() { "-" } else { "" };
    Ok(Value::string(format!("{sign}{prefix}{digits}")))
}

fn bin(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    radix(vm, args, "bin", "0b", 2)
}

fn oct(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    radix(vm, args, "oct", "0o", 8)
}

fn hex(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    radix(vm, args, "hex", "0x", 16)
}

fn vars(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    if args.positional.is_empty() {
        return Err(vm.unsupported("vars() without an argument"));
    }
    let v = one_arg(vm, "vars", args)?;
    match vm.get_attr_opt(&v, "__dict__")? {
        Some(d) => Ok(d),
        None => Err(vm.type_error("vars() argument must have __dict__ attribute")),
    }
}

fn dir(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    if args.positional.is_empty() {
        return Err(vm.unsupported("dir() without an argument"));
    }
    let v = one_arg(vm, "dir", args)?;
    let mut names: Vec<String> = Vec::new();
    let mut add = |map: &crate::value::AttrMap| {
        for k in map.keys() {
            names.push(k.as_str().to_string());
        }
    };
    match &v {
        Value::Instance(i) => {
            let mut own = crate::value::AttrMap::new();
            for (k, value) in crate::vm::attributes::instance_attributes(i) {
                own.insert(k, value);
            }
            add(&own)
        }
        Value::Module(m) => add(&m.dict.borrow()),
        _ => {}
    }
    let classes = match &v {
        Value::Class(c) => c.mro(),
        Value::Module(_) => Vec::new(),
        other => vm.class_of(other).mro(),
    };
    for c in classes {
        add(&c.dict.borrow());
    }
    names.sort();
    names.dedup();
    Ok(Value::list(names.into_iter().map(Value::string).collect()))
}

/// The module whose code is running: the program, or one of Loopscope's
/// own Python modules (compiled as `<frozen NAME>`).
fn running_module(vm: &Vm) -> Rc<crate::value::Module> {
    let frozen = vm.call_sites.last().and_then(|site| {
        site.code
            .filename
            .strip_prefix("<frozen ")
            .and_then(|rest| rest.strip_suffix('>'))
            .map(str::to_string)
    });
    if let Some(name) = frozen {
        if let Some(Value::Module(module)) = vm.modules.get(&name) {
            return module.clone();
        }
    }
    vm.main.clone()
}

/// `globals()`: the running module's names, as a dict. It is a copy taken
/// at the call (the module keeps its names in its own table): reading it
/// is exact, and changing it ends the run as `unsupported`, since the
/// program would expect its variables to change.
fn globals(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    vm.no_args("globals", args, 0)?;
    let module = running_module(vm);
    let entries: Vec<_> = module.dict.borrow().iter().cloned().collect();
    let dict = crate::value::PyDict::new();
    for (name, value) in entries {
        dict.set_str(vm, name.as_str(), value);
    }
    dict.mark_globals_copy();
    Ok(Value::Dict(Rc::new(dict)))
}

/// `locals()` at module level is `globals()`; a function's locals are not
/// reachable from a native call.
fn locals(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let at_module_level = vm
        .call_sites
        .last()
        .map(|site| site.code.name.as_str() == "<module>")
        .unwrap_or(true);
    if !at_module_level {
        return Err(vm.unsupported("locals() inside a function or class body"));
    }
    vm.no_args("locals", args, 0)?;
    globals(vm, args)
}

fn input(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    if let Some(prompt) = args.positional.first().cloned() {
        let text = vm.str_of(&prompt)?;
        vm.write_output(Stream::Stdout, &text)?;
    }
    Err(vm.unsupported("input(): a simulated program has no keyboard"))
}

fn open(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Err(vm.unsupported("open(): the simulated world has no files"))
}

fn eval(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Err(vm.unsupported("eval()"))
}

fn exec(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Err(vm.unsupported("exec()"))
}

fn compile(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Err(vm.unsupported("compile()"))
}

fn breakpoint(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Err(vm.unsupported("breakpoint(): there is no debugger in the simulation"))
}

fn import(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args(
        "__import__",
        args,
        &["name", "globals", "locals", "fromlist", "level"],
        1,
    )?;
    let name = vm.expect_str(
        a[0].as_ref().unwrap_or(&Value::None),
        "__import__() argument 1",
    )?;
    vm.import_module(name.as_str(), &Value::None, &Value::Int(0))
}

fn exit(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = vm.types.exception(ExcType::SystemExit);
    let positional = std::mem::take(&mut args.positional);
    Err(Unwind::Exception(vm.new_exception(&class, positional)))
}

/// Converts a Python int to `usize` for counts, or None if out of range.
pub fn to_count(v: &Value) -> Option<usize> {
    to_bigint(v)?.to_usize()
}
