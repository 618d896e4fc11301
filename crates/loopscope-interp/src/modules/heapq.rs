//! The `heapq` module with CPython's exact sift algorithms (so a heap's
//! list layout matches CPython's after every push and pop), `nlargest` /
//! `nsmallest` (same results as `sorted(...)[:n]`, ties in input order)
//! and a lazy `merge`.

use std::rc::Rc;

use super::support::{iterator_class, iterator_object, sort_by_keys, NativeIterator, Sig};
use crate::builtins::{add_functions, new_module};
use crate::value::{Args, Module, PyList, PyResult, Value};
use crate::vm::{ExcType, Vm};

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("heapq");
    add_functions(
        &module,
        &[
            ("heappush", heappush),
            ("heappop", heappop),
            ("heapify", heapify),
            ("heapreplace", heapreplace),
            ("heappushpop", heappushpop),
            ("nlargest", nlargest),
            ("nsmallest", nsmallest),
            ("merge", merge),
            ("_heapify_max", heapify_max),
            ("_heappop_max", heappop_max),
            ("_heapreplace_max", heapreplace_max),
        ],
    );
    let class = iterator_class(vm, "generator", "heapq");
    module
        .dict
        .borrow_mut()
        .set("_merge_iterator", Value::Class(class));
    Ok(module)
}

/// The list behind a heap argument; `name` is the function and `single`
/// tells whether it takes only the heap (for Argument Clinic's message).
fn heap_arg<'a>(vm: &mut Vm, v: &'a Value, name: &str, single: bool) -> PyResult<&'a PyList> {
    match v {
        Value::List(l) => Ok(l),
        other => match other.as_list() {
            Some(l) => Ok(l),
            None => {
                let t = vm.type_name(other);
                let which = if single { "argument" } else { "argument 1" };
                Err(vm.type_error(format!("{name}() {which} must be list, not {t}")))
            }
        },
    }
}

fn exactly(vm: &mut Vm, name: &str, args: &mut Args, n: usize) -> PyResult<Vec<Value>> {
    if !args.keywords.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    let given = args.positional.len();
    if given != n {
        if n == 1 {
            return Err(vm.type_error(format!(
                "{name}() takes exactly one argument ({given} given)"
            )));
        }
        return Err(vm.type_error(format!("{name} expected {n} arguments, got {given}")));
    }
    Ok(std::mem::take(&mut args.positional))
}

fn get(vm: &mut Vm, heap: &PyList, i: usize) -> PyResult<Value> {
    match heap.borrow().get(i) {
        Some(v) => Ok(v.clone()),
        None => Err(vm.error(ExcType::RuntimeError, "list changed size during iteration")),
    }
}

fn set(vm: &mut Vm, heap: &PyList, i: usize, v: Value) -> PyResult<()> {
    match heap.borrow_mut().get_mut(i) {
        Some(slot) => {
            *slot = v;
            Ok(())
        }
        None => Err(vm.error(ExcType::RuntimeError, "list changed size during iteration")),
    }
}

/// `a < b`, or `b < a` for the max-heap variants.
fn before(vm: &mut Vm, a: &Value, b: &Value, max: bool) -> PyResult<bool> {
    if max {
        vm.less_than(b, a)
    } else {
        vm.less_than(a, b)
    }
}

fn siftdown(vm: &mut Vm, heap: &PyList, start: usize, mut pos: usize, max: bool) -> PyResult<()> {
    let newitem = get(vm, heap, pos)?;
    while pos > start {
        let parentpos = (pos - 1) >> 1;
        let parent = get(vm, heap, parentpos)?;
        if before(vm, &newitem, &parent, max)? {
            set(vm, heap, pos, parent)?;
            pos = parentpos;
            continue;
        }
        break;
    }
    set(vm, heap, pos, newitem)
}

fn siftup(vm: &mut Vm, heap: &PyList, mut pos: usize, max: bool) -> PyResult<()> {
    let endpos = heap.borrow().len();
    let startpos = pos;
    let newitem = get(vm, heap, pos)?;
    let mut childpos = 2 * pos + 1;
    while childpos < endpos {
        let rightpos = childpos + 1;
        if rightpos < endpos {
            let left = get(vm, heap, childpos)?;
            let right = get(vm, heap, rightpos)?;
            if !before(vm, &left, &right, max)? {
                childpos = rightpos;
            }
        }
        let child = get(vm, heap, childpos)?;
        set(vm, heap, pos, child)?;
        pos = childpos;
        childpos = 2 * pos + 1;
    }
    set(vm, heap, pos, newitem)?;
    siftdown(vm, heap, startpos, pos, max)
}

fn heappush(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "heappush", args, 2)?;
    let heap = heap_arg(vm, &a[0], "heappush", false)?;
    heap.borrow_mut().push(a[1].clone());
    let last = heap.borrow().len() - 1;
    siftdown(vm, heap, 0, last, false)?;
    Ok(Value::None)
}

fn pop_impl(vm: &mut Vm, heap_value: &Value, max: bool) -> PyResult<Value> {
    let name = if max { "_heappop_max" } else { "heappop" };
    let heap = heap_arg(vm, heap_value, name, true)?;
    let last = heap.borrow_mut().pop();
    let Some(last) = last else {
        return Err(vm.error(ExcType::IndexError, "index out of range"));
    };
    if heap.borrow().is_empty() {
        return Ok(last);
    }
    let first = get(vm, heap, 0)?;
    set(vm, heap, 0, last)?;
    siftup(vm, heap, 0, max)?;
    Ok(first)
}

fn heappop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "heappop", args, 1)?;
    pop_impl(vm, &a[0], false)
}

fn heappop_max(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "_heappop_max", args, 1)?;
    pop_impl(vm, &a[0], true)
}

fn heapify_impl(vm: &mut Vm, heap_value: &Value, max: bool) -> PyResult<()> {
    let name = if max { "_heapify_max" } else { "heapify" };
    let heap = heap_arg(vm, heap_value, name, true)?;
    let n = heap.borrow().len();
    for i in (0..n / 2).rev() {
        siftup(vm, heap, i, max)?;
    }
    Ok(())
}

fn heapify(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "heapify", args, 1)?;
    heapify_impl(vm, &a[0], false)?;
    Ok(Value::None)
}

fn heapify_max(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "_heapify_max", args, 1)?;
    heapify_impl(vm, &a[0], true)?;
    Ok(Value::None)
}

fn replace_impl(vm: &mut Vm, heap_value: &Value, item: Value, max: bool) -> PyResult<Value> {
    let name = if max {
        "_heapreplace_max"
    } else {
        "heapreplace"
    };
    let heap = heap_arg(vm, heap_value, name, false)?;
    if heap.borrow().is_empty() {
        return Err(vm.error(ExcType::IndexError, "index out of range"));
    }
    let first = get(vm, heap, 0)?;
    set(vm, heap, 0, item)?;
    siftup(vm, heap, 0, max)?;
    Ok(first)
}

fn heapreplace(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "heapreplace", args, 2)?;
    replace_impl(vm, &a[0], a[1].clone(), false)
}

fn heapreplace_max(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "_heapreplace_max", args, 2)?;
    replace_impl(vm, &a[0], a[1].clone(), true)
}

fn heappushpop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = exactly(vm, "heappushpop", args, 2)?;
    let heap = heap_arg(vm, &a[0], "heappushpop", false)?;
    let item = a[1].clone();
    if heap.borrow().is_empty() {
        return Ok(item);
    }
    let top = get(vm, heap, 0)?;
    if !vm.less_than(&top, &item)? {
        return Ok(item);
    }
    set(vm, heap, 0, item)?;
    siftup(vm, heap, 0, false)?;
    Ok(top)
}

/// `nsmallest` / `nlargest`: `sorted(iterable, key=key, reverse=...)[:n]`.
fn select(vm: &mut Vm, args: &mut Args, name: &str, largest: bool) -> PyResult<Value> {
    let a = Sig {
        name,
        params: &["n", "iterable", "key"],
        required: 2,
        kwonly: &[],
        method: false,
    }
    .bind(vm, args)?;
    let n = vm.to_index(a[0].as_ref().unwrap_or(&Value::None))?;
    let items = vm.collect(a[1].as_ref().unwrap_or(&Value::None))?;
    if n <= 0 {
        return Ok(Value::list(Vec::new()));
    }
    let key = a[2].clone().unwrap_or(Value::None);
    let keys = if key.is_none() {
        items.clone()
    } else {
        let mut keys = Vec::with_capacity(items.len());
        for item in &items {
            keys.push(vm.call(&key, vec![item.clone()])?);
        }
        keys
    };
    let mut sorted = sort_by_keys(vm, items, keys, largest)?;
    sorted.truncate(n as usize);
    Ok(Value::list(sorted))
}

fn nsmallest(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    select(vm, args, "nsmallest", false)
}

fn nlargest(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    select(vm, args, "nlargest", true)
}

/// `heapq.merge`: repeatedly yields the smallest head (largest with
/// `reverse`), the earliest input winning ties.
struct Merge {
    iters: Vec<Value>,
    heads: Vec<Option<(Value, Value)>>,
    key: Value,
    reverse: bool,
    started: bool,
}

impl Merge {
    fn advance(&mut self, vm: &mut Vm, i: usize) -> PyResult<()> {
        let it = self.iters[i].clone();
        self.heads[i] = match vm.next_value(&it)? {
            Some(v) => {
                let k = if self.key.is_none() {
                    v.clone()
                } else {
                    let key = self.key.clone();
                    vm.call(&key, vec![v.clone()])?
                };
                Some((k, v))
            }
            None => None,
        };
        Ok(())
    }
}

impl NativeIterator for Merge {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        if !self.started {
            self.started = true;
            for i in 0..self.iters.len() {
                self.advance(vm, i)?;
            }
        }
        let mut best: Option<usize> = None;
        for i in 0..self.heads.len() {
            let Some((k, _)) = self.heads[i].clone() else {
                continue;
            };
            best = match best {
                None => Some(i),
                Some(b) => {
                    let bk = self.heads[b].clone().map(|(k, _)| k).unwrap_or(Value::None);
                    let better = if self.reverse {
                        vm.less_than(&bk, &k)?
                    } else {
                        vm.less_than(&k, &bk)?
                    };
                    Some(if better { i } else { b })
                }
            };
        }
        let Some(b) = best else {
            return Ok(None);
        };
        let value = self.heads[b].clone().map(|(_, v)| v);
        self.advance(vm, b)?;
        Ok(value)
    }
}

fn merge(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let key = args.take_keyword("key").unwrap_or(Value::None);
    let reverse = match args.take_keyword("reverse") {
        Some(v) => vm.truthy(&v)?,
        None => false,
    };
    if let Some((k, _)) = args.keywords.first() {
        let k = k.as_str().to_string();
        return Err(vm.type_error(format!("merge() got an unexpected keyword argument '{k}'")));
    }
    let mut iters = Vec::with_capacity(args.positional.len());
    for v in std::mem::take(&mut args.positional) {
        iters.push(vm.get_iter(&v)?);
    }
    let heads = vec![None; iters.len()];
    let class = match vm.modules.get("heapq").cloned() {
        Some(Value::Module(m)) => m.dict.borrow().get("_merge_iterator").cloned(),
        _ => None,
    };
    let Some(Value::Class(class)) = class else {
        return Err(vm.type_error("heapq is not initialised"));
    };
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Merge {
            iters,
            heads,
            key,
            reverse,
            started: false,
        }),
    ))
}
