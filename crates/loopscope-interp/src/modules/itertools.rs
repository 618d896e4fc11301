//! The `itertools` module: every tool is a native iterator class
//! (`type(itertools.count())` is `<class 'itertools.count'>`) that works
//! lazily, drawing from its inputs exactly when CPython 3.11's
//! Modules/itertoolsmodule.c draws (which matters when the inputs print or
//! are shared), with its argument errors and the `count(5, 2)` /
//! `repeat('x', 2)` reprs.

use std::cell::RefCell;
use std::rc::Rc;

use super::support::{iterator_class, iterator_object, NativeIterator};
use crate::builtins::{function, native_object, new_module};
use crate::bytecode::BinOp;
use crate::value::{Args, Class, Module, PyResult, Value};
use crate::vm::{ExcType, Vm};

const CLASSES: &[(&str, crate::value::NativeFnPtr)] = &[
    ("count", count_new),
    ("cycle", cycle_new),
    ("repeat", repeat_new),
    ("accumulate", accumulate_new),
    ("chain", chain_new),
    ("compress", compress_new),
    ("dropwhile", dropwhile_new),
    ("takewhile", takewhile_new),
    ("filterfalse", filterfalse_new),
    ("groupby", groupby_new),
    ("islice", islice_new),
    ("pairwise", pairwise_new),
    ("starmap", starmap_new),
    ("zip_longest", zip_longest_new),
    ("product", product_new),
    ("permutations", permutations_new),
    ("combinations", combinations_new),
    ("combinations_with_replacement", cwr_new),
    ("_tee", tee_new_direct),
    ("_grouper", grouper_new_direct),
];

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("itertools");
    for (name, new) in CLASSES {
        let class = iterator_class(vm, name, "itertools");
        class
            .dict
            .borrow_mut()
            .set("__new__", function("__new__", *new));
        if *name == "chain" {
            let from_iterable = native_object(
                vm,
                &vm.types.named("classmethod"),
                function("from_iterable", chain_from_iterable),
            );
            class.dict.borrow_mut().set("from_iterable", from_iterable);
        }
        module.dict.borrow_mut().set(name, Value::Class(class));
    }
    crate::builtins::add_functions(&module, &[("tee", tee)]);
    Ok(module)
}

/// The class passed to `__new__` (first positional argument).
fn cls_arg(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Rc<Class>> {
    match args.positional.first() {
        Some(Value::Class(c)) => {
            let c = c.clone();
            args.positional.remove(0);
            Ok(c)
        }
        _ => Err(vm.type_error(format!("{name}.__new__(X): X is not a type object"))),
    }
}

/// An itertools class by name (for objects made internally).
fn class_named(vm: &mut Vm, name: &str) -> PyResult<Rc<Class>> {
    if let Some(Value::Module(m)) = vm.modules.get("itertools").cloned() {
        if let Some(Value::Class(c)) = m.dict.borrow().get(name).cloned() {
            return Ok(c);
        }
    }
    Err(vm.type_error(format!("itertools.{name} is missing")))
}

fn no_keywords(vm: &mut Vm, name: &str, args: &Args) -> PyResult<()> {
    if !args.keywords.is_empty() {
        return Err(vm.type_error(format!("{name}() takes no keyword arguments")));
    }
    Ok(())
}

/// `name expected N arguments, got M` style checks of C functions.
fn positional_count(vm: &mut Vm, name: &str, args: &Args, min: usize, max: usize) -> PyResult<()> {
    let n = args.positional.len();
    if n < min {
        let plural = if min == 1 { "" } else { "s" };
        let what = if min == max {
            format!("{min} argument{plural}")
        } else {
            format!("at least {min} argument{plural}")
        };
        return Err(vm.type_error(format!("{name} expected {what}, got {n}")));
    }
    if n > max {
        let plural = if max == 1 { "" } else { "s" };
        let what = if min == max {
            format!("{max} argument{plural}")
        } else {
            format!("at most {max} argument{plural}")
        };
        return Err(vm.type_error(format!("{name} expected {what}, got {n}")));
    }
    Ok(())
}

fn is_number(v: &Value) -> bool {
    matches!(
        v.unwrap_builtin(),
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) | Value::Float(_)
    )
}

// ----------------------------------------------------------------- count

struct Count {
    next: Value,
    step: Value,
}

impl NativeIterator for Count {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let current = self.next.clone();
        self.next = vm.binary_op(BinOp::Add, &current, &self.step)?;
        Ok(Some(current))
    }

    fn repr_parts(&self) -> Option<(&'static str, Vec<Value>)> {
        if matches!(self.step, Value::Int(1)) {
            Some(("count", vec![self.next.clone()]))
        } else {
            Some(("count", vec![self.next.clone(), self.step.clone()]))
        }
    }
}

fn count_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "count")?;
    let a = vm.parse_args("count", args, &["start", "step"], 0)?;
    let start = a[0].clone().unwrap_or(Value::Int(0));
    let step = a[1].clone().unwrap_or(Value::Int(1));
    if !is_number(&start) || !is_number(&step) {
        return Err(vm.type_error("a number is required"));
    }
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Count { next: start, step }),
    ))
}

// ----------------------------------------------------------------- cycle

struct Cycle {
    it: Option<Value>,
    saved: Vec<Value>,
    index: usize,
}

impl NativeIterator for Cycle {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        if let Some(it) = &self.it {
            let it = it.clone();
            if let Some(v) = vm.next_value(&it)? {
                self.saved.push(v.clone());
                return Ok(Some(v));
            }
            self.it = None;
        }
        if self.saved.is_empty() {
            return Ok(None);
        }
        let v = self.saved[self.index % self.saved.len()].clone();
        self.index = (self.index + 1) % self.saved.len();
        Ok(Some(v))
    }
}

fn cycle_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "cycle")?;
    no_keywords(vm, "cycle", args)?;
    positional_count(vm, "cycle", args, 1, 1)?;
    let it = vm.get_iter(&args.positional[0])?;
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Cycle {
            it: Some(it),
            saved: Vec::new(),
            index: 0,
        }),
    ))
}

// ----------------------------------------------------------------- repeat

struct Repeat {
    object: Value,
    remaining: Option<i64>,
}

impl NativeIterator for Repeat {
    fn next(&mut self, _vm: &mut Vm) -> PyResult<Option<Value>> {
        match &mut self.remaining {
            None => Ok(Some(self.object.clone())),
            Some(0) => Ok(None),
            Some(n) => {
                *n -= 1;
                Ok(Some(self.object.clone()))
            }
        }
    }

    fn repr_parts(&self) -> Option<(&'static str, Vec<Value>)> {
        Some(match self.remaining {
            None => ("repeat", vec![self.object.clone()]),
            Some(n) => ("repeat", vec![self.object.clone(), Value::Int(n)]),
        })
    }
}

fn repeat_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "repeat")?;
    let a = vm.parse_args("repeat", args, &["object", "times"], 1)?;
    let object = a[0].clone().unwrap_or(Value::None);
    let remaining = match &a[1] {
        None => None,
        Some(t) => Some(vm.expect_int(t)?.max(0)),
    };
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Repeat { object, remaining }),
    ))
}

// ----------------------------------------------------------------- accumulate

struct Accumulate {
    it: Value,
    func: Value,
    total: Option<Value>,
    initial: Option<Value>,
}

impl NativeIterator for Accumulate {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        if let Some(initial) = self.initial.take() {
            self.total = Some(initial.clone());
            return Ok(Some(initial));
        }
        let it = self.it.clone();
        let Some(v) = vm.next_value(&it)? else {
            return Ok(None);
        };
        let next = match self.total.take() {
            None => v,
            Some(total) => {
                if self.func.is_none() {
                    vm.binary_op(BinOp::Add, &total, &v)?
                } else {
                    let f = self.func.clone();
                    vm.call(&f, vec![total, v])?
                }
            }
        };
        self.total = Some(next.clone());
        Ok(Some(next))
    }
}

fn accumulate_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "accumulate")?;
    let a = vm.parse_args("accumulate", args, &["iterable", "func", "initial"], 1)?;
    let it = vm.get_iter(a[0].as_ref().unwrap_or(&Value::None))?;
    let func = a[1].clone().unwrap_or(Value::None);
    let initial = a[2].clone().filter(|v| !v.is_none());
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Accumulate {
            it,
            func,
            total: None,
            initial,
        }),
    ))
}

// ----------------------------------------------------------------- chain

struct Chain {
    /// The iterator over the iterables.
    source: Option<Value>,
    active: Option<Value>,
}

impl NativeIterator for Chain {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        loop {
            if let Some(active) = self.active.clone() {
                if let Some(v) = vm.next_value(&active)? {
                    return Ok(Some(v));
                }
                self.active = None;
            }
            let Some(source) = self.source.clone() else {
                return Ok(None);
            };
            match vm.next_value(&source)? {
                Some(iterable) => self.active = Some(vm.get_iter(&iterable)?),
                None => {
                    self.source = None;
                    return Ok(None);
                }
            }
        }
    }
}

fn chain_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "chain")?;
    no_keywords(vm, "chain", args)?;
    let iterables = Value::tuple(std::mem::take(&mut args.positional));
    let source = vm.get_iter(&iterables)?;
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Chain {
            source: Some(source),
            active: None,
        }),
    ))
}

fn chain_from_iterable(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "chain")?;
    no_keywords(vm, "from_iterable", args)?;
    if args.positional.len() != 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!(
            "chain.from_iterable() takes exactly one argument ({n} given)"
        )));
    }
    let source = vm.get_iter(&args.positional[0])?;
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Chain {
            source: Some(source),
            active: None,
        }),
    ))
}

// ----------------------------------------------------------------- filters

struct Compress {
    data: Value,
    selectors: Value,
}

impl NativeIterator for Compress {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        loop {
            let (data, selectors) = (self.data.clone(), self.selectors.clone());
            let Some(d) = vm.next_value(&data)? else {
                return Ok(None);
            };
            let Some(s) = vm.next_value(&selectors)? else {
                return Ok(None);
            };
            if vm.truthy(&s)? {
                return Ok(Some(d));
            }
        }
    }
}

fn compress_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "compress")?;
    let a = vm.parse_args("compress", args, &["data", "selectors"], 2)?;
    let data = vm.get_iter(a[0].as_ref().unwrap_or(&Value::None))?;
    let selectors = vm.get_iter(a[1].as_ref().unwrap_or(&Value::None))?;
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Compress { data, selectors }),
    ))
}

#[derive(Clone, Copy, PartialEq)]
enum PredicateKind {
    DropWhile,
    TakeWhile,
    FilterFalse,
}

struct Predicated {
    kind: PredicateKind,
    predicate: Value,
    it: Value,
    /// dropwhile: done dropping; takewhile: stopped.
    flag: bool,
}

impl NativeIterator for Predicated {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        loop {
            if self.kind == PredicateKind::TakeWhile && self.flag {
                return Ok(None);
            }
            let it = self.it.clone();
            let Some(v) = vm.next_value(&it)? else {
                return Ok(None);
            };
            if self.kind == PredicateKind::DropWhile && self.flag {
                return Ok(Some(v));
            }
            let verdict = if self.kind == PredicateKind::FilterFalse && self.predicate.is_none() {
                vm.truthy(&v)?
            } else {
                let p = self.predicate.clone();
                let r = vm.call(&p, vec![v.clone()])?;
                vm.truthy(&r)?
            };
            match self.kind {
                PredicateKind::DropWhile => {
                    if !verdict {
                        self.flag = true;
                        return Ok(Some(v));
                    }
                }
                PredicateKind::TakeWhile => {
                    if verdict {
                        return Ok(Some(v));
                    }
                    self.flag = true;
                    return Ok(None);
                }
                PredicateKind::FilterFalse => {
                    if !verdict {
                        return Ok(Some(v));
                    }
                }
            }
        }
    }
}

fn predicated(vm: &mut Vm, args: &mut Args, name: &str, kind: PredicateKind) -> PyResult<Value> {
    let class = cls_arg(vm, args, name)?;
    no_keywords(vm, name, args)?;
    positional_count(vm, name, args, 2, 2)?;
    let predicate = args.positional[0].clone();
    let it = vm.get_iter(&args.positional[1])?;
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Predicated {
            kind,
            predicate,
            it,
            flag: false,
        }),
    ))
}

fn dropwhile_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicated(vm, args, "dropwhile", PredicateKind::DropWhile)
}

fn takewhile_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicated(vm, args, "takewhile", PredicateKind::TakeWhile)
}

fn filterfalse_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicated(vm, args, "filterfalse", PredicateKind::FilterFalse)
}

// ----------------------------------------------------------------- groupby

/// The state a groupby object shares with its groups.
struct GroupbyState {
    it: Value,
    keyfunc: Value,
    tgtkey: Option<Value>,
    currkey: Option<Value>,
    currvalue: Option<Value>,
    /// The id of the group allowed to advance (0: none).
    current_grouper: u64,
    next_id: u64,
}

type SharedGroupby = Rc<RefCell<GroupbyState>>;

/// `groupby_step`: reads the next value and its key; false at the end.
fn groupby_step(vm: &mut Vm, state: &SharedGroupby) -> PyResult<bool> {
    let (it, keyfunc) = {
        let s = state.borrow();
        (s.it.clone(), s.keyfunc.clone())
    };
    let Some(value) = vm.next_value(&it)? else {
        return Ok(false);
    };
    let key = if keyfunc.is_none() {
        value.clone()
    } else {
        vm.call(&keyfunc, vec![value.clone()])?
    };
    let mut s = state.borrow_mut();
    s.currvalue = Some(value);
    s.currkey = Some(key);
    Ok(true)
}

struct Groupby {
    state: SharedGroupby,
}

impl NativeIterator for Groupby {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        self.state.borrow_mut().current_grouper = 0;
        loop {
            let (currkey, tgtkey) = {
                let s = self.state.borrow();
                (s.currkey.clone(), s.tgtkey.clone())
            };
            match (currkey, tgtkey) {
                (None, _) => {}
                (Some(_), None) => break,
                (Some(curr), Some(tgt)) => {
                    if !(tgt.is(&curr) || vm.values_equal(&tgt, &curr)?) {
                        break;
                    }
                }
            }
            if !groupby_step(vm, &self.state)? {
                return Ok(None);
            }
        }
        let (key, id) = {
            let mut s = self.state.borrow_mut();
            let key = s.currkey.clone().unwrap_or(Value::None);
            s.tgtkey = Some(key.clone());
            s.next_id += 1;
            s.current_grouper = s.next_id;
            (key, s.next_id)
        };
        let class = class_named(vm, "_grouper")?;
        let grouper = iterator_object(
            vm,
            &class,
            Box::new(Grouper {
                state: self.state.clone(),
                tgtkey: key.clone(),
                id,
            }),
        );
        Ok(Some(Value::tuple(vec![key, grouper])))
    }
}

struct Grouper {
    state: SharedGroupby,
    tgtkey: Value,
    id: u64,
}

impl NativeIterator for Grouper {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        if self.state.borrow().current_grouper != self.id {
            return Ok(None);
        }
        if self.state.borrow().currvalue.is_none() && !groupby_step(vm, &self.state)? {
            return Ok(None);
        }
        let currkey = self.state.borrow().currkey.clone().unwrap_or(Value::None);
        let tgt = self.tgtkey.clone();
        if !(tgt.is(&currkey) || vm.values_equal(&tgt, &currkey)?) {
            return Ok(None);
        }
        let mut s = self.state.borrow_mut();
        let value = s.currvalue.take();
        s.currkey = None;
        Ok(value)
    }
}

fn groupby_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "groupby")?;
    let a = vm.parse_args("groupby", args, &["iterable", "key"], 1)?;
    let it = vm.get_iter(a[0].as_ref().unwrap_or(&Value::None))?;
    let keyfunc = a[1].clone().unwrap_or(Value::None);
    let state = Rc::new(RefCell::new(GroupbyState {
        it,
        keyfunc,
        tgtkey: None,
        currkey: None,
        currvalue: None,
        current_grouper: 0,
        next_id: 0,
    }));
    Ok(iterator_object(vm, &class, Box::new(Groupby { state })))
}

fn grouper_new_direct(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Err(vm.type_error("cannot create 'itertools._grouper' instances"))
}

// ----------------------------------------------------------------- islice

struct Islice {
    it: Option<Value>,
    next: u64,
    stop: Option<u64>,
    step: u64,
    count: u64,
}

impl NativeIterator for Islice {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let Some(it) = self.it.clone() else {
            return Ok(None);
        };
        while self.count < self.next {
            if vm.next_value(&it)?.is_none() {
                self.it = None;
                return Ok(None);
            }
            self.count += 1;
        }
        if let Some(stop) = self.stop {
            if self.count >= stop {
                self.it = None;
                return Ok(None);
            }
        }
        let Some(item) = vm.next_value(&it)? else {
            self.it = None;
            return Ok(None);
        };
        self.count += 1;
        let old = self.next;
        self.next = self.next.saturating_add(self.step);
        if let Some(stop) = self.stop {
            if self.next < old || self.next > stop {
                self.next = stop;
            }
        }
        Ok(Some(item))
    }
}

fn islice_index(vm: &mut Vm, v: &Value, message: &str) -> PyResult<Option<u64>> {
    if v.is_none() {
        return Ok(None);
    }
    let ok = matches!(v, Value::Int(_) | Value::BigInt(_) | Value::Bool(_))
        || vm.class_of(v).lookup("__index__").is_some();
    if !ok {
        return Err(vm.error(ExcType::ValueError, message));
    }
    let n = super::support::index_big(vm, v)?;
    match num_traits::ToPrimitive::to_i64(&n) {
        Some(n) if n >= 0 => Ok(Some(n as u64)),
        _ => Err(vm.error(ExcType::ValueError, message)),
    }
}

fn islice_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "islice")?;
    no_keywords(vm, "islice", args)?;
    positional_count(vm, "islice", args, 2, 4)?;
    let a = std::mem::take(&mut args.positional);
    let stop_message =
        "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.";
    let index_message = "Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.";
    let (start, stop, step) = if a.len() == 2 {
        (0, islice_index(vm, &a[1], stop_message)?, 1)
    } else {
        let start = islice_index(vm, &a[1], index_message)?.unwrap_or(0);
        let stop = islice_index(vm, &a[2], index_message)?;
        let step = match a.get(3) {
            None | Some(Value::None) => 1,
            Some(s) => {
                let message = "Step for islice() must be a positive integer or None.";
                match islice_index(vm, s, message) {
                    Ok(Some(s)) if s > 0 => s,
                    Ok(_) => return Err(vm.error(ExcType::ValueError, message)),
                    Err(e) => return Err(e),
                }
            }
        };
        (start, stop, step)
    };
    let it = vm.get_iter(&a[0])?;
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Islice {
            it: Some(it),
            next: start,
            stop,
            step,
            count: 0,
        }),
    ))
}

// ----------------------------------------------------------------- pairwise, starmap

struct Pairwise {
    it: Option<Value>,
    old: Option<Value>,
}

impl NativeIterator for Pairwise {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let Some(it) = self.it.clone() else {
            return Ok(None);
        };
        if self.old.is_none() {
            match vm.next_value(&it)? {
                Some(v) => self.old = Some(v),
                None => {
                    self.it = None;
                    return Ok(None);
                }
            }
        }
        match vm.next_value(&it)? {
            Some(new) => {
                let old = self.old.replace(new.clone()).unwrap_or(Value::None);
                Ok(Some(Value::tuple(vec![old, new])))
            }
            None => {
                self.it = None;
                self.old = None;
                Ok(None)
            }
        }
    }
}

fn pairwise_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "pairwise")?;
    no_keywords(vm, "pairwise", args)?;
    positional_count(vm, "pairwise", args, 1, 1)?;
    let it = vm.get_iter(&args.positional[0])?;
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Pairwise {
            it: Some(it),
            old: None,
        }),
    ))
}

struct Starmap {
    func: Value,
    it: Value,
}

impl NativeIterator for Starmap {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let it = self.it.clone();
        let Some(args) = vm.next_value(&it)? else {
            return Ok(None);
        };
        let args = match &args {
            Value::Tuple(t) => t.items.clone(),
            other => match vm.collect(other) {
                Ok(items) => items,
                Err(crate::value::Unwind::Exception(e))
                    if vm.is_exception(&e, ExcType::TypeError) =>
                {
                    let t = vm.type_name(other);
                    return Err(vm.type_error(format!("'{t}' object is not iterable")));
                }
                Err(e) => return Err(e),
            },
        };
        let f = self.func.clone();
        vm.call(&f, args).map(Some)
    }
}

fn starmap_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "starmap")?;
    no_keywords(vm, "starmap", args)?;
    positional_count(vm, "starmap", args, 2, 2)?;
    let func = args.positional[0].clone();
    let it = vm.get_iter(&args.positional[1])?;
    Ok(iterator_object(vm, &class, Box::new(Starmap { func, it })))
}

// ----------------------------------------------------------------- zip_longest

struct ZipLongest {
    iters: Vec<Option<Value>>,
    active: usize,
    fill: Value,
}

impl NativeIterator for ZipLongest {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        if self.iters.is_empty() || self.active == 0 {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(self.iters.len());
        for i in 0..self.iters.len() {
            let item = match self.iters[i].clone() {
                None => self.fill.clone(),
                Some(it) => match vm.next_value(&it)? {
                    Some(v) => v,
                    None => {
                        self.iters[i] = None;
                        self.active -= 1;
                        if self.active == 0 {
                            return Ok(None);
                        }
                        self.fill.clone()
                    }
                },
            };
            out.push(item);
        }
        Ok(Some(Value::tuple(out)))
    }
}

fn zip_longest_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "zip_longest")?;
    let fill = args.take_keyword("fillvalue").unwrap_or(Value::None);
    if let Some((k, _)) = args.keywords.first() {
        let k = k.as_str().to_string();
        return Err(vm.type_error(format!(
            "zip_longest() got an unexpected keyword argument '{k}'"
        )));
    }
    let mut iters = Vec::with_capacity(args.positional.len());
    for v in std::mem::take(&mut args.positional) {
        iters.push(Some(vm.get_iter(&v)?));
    }
    let active = iters.len();
    Ok(iterator_object(
        vm,
        &class,
        Box::new(ZipLongest {
            iters,
            active,
            fill,
        }),
    ))
}

// ----------------------------------------------------------------- combinatorics

/// Indices-driven combinatoric iterators (the algorithms of the docs'
/// pure-Python equivalents, which CPython's C code follows).
enum Combinatoric {
    Product {
        pools: Vec<Vec<Value>>,
        indices: Vec<usize>,
        first: bool,
    },
    Permutations {
        pool: Vec<Value>,
        r: usize,
        indices: Vec<usize>,
        cycles: Vec<usize>,
        first: bool,
    },
    Combinations {
        pool: Vec<Value>,
        r: usize,
        indices: Vec<usize>,
        first: bool,
        replacement: bool,
    },
}

struct Combo {
    state: Combinatoric,
    done: bool,
}

impl NativeIterator for Combo {
    fn next(&mut self, _vm: &mut Vm) -> PyResult<Option<Value>> {
        if self.done {
            return Ok(None);
        }
        let result = match &mut self.state {
            Combinatoric::Product {
                pools,
                indices,
                first,
            } => {
                if *first {
                    *first = false;
                    if pools.iter().any(|p| p.is_empty()) {
                        None
                    } else {
                        Some(pools.iter().map(|p| p[0].clone()).collect::<Vec<_>>())
                    }
                } else {
                    // Odometer: advance the rightmost index that can move.
                    let mut i = pools.len();
                    let mut advanced = false;
                    while i > 0 {
                        i -= 1;
                        indices[i] += 1;
                        if indices[i] < pools[i].len() {
                            advanced = true;
                            break;
                        }
                        indices[i] = 0;
                    }
                    if advanced {
                        Some(
                            indices
                                .iter()
                                .zip(pools.iter())
                                .map(|(&i, p)| p[i].clone())
                                .collect(),
                        )
                    } else {
                        None
                    }
                }
            }
            Combinatoric::Permutations {
                pool,
                r,
                indices,
                cycles,
                first,
            } => {
                let n = pool.len();
                let r = *r;
                if *first {
                    *first = false;
                    if r > n {
                        None
                    } else {
                        Some(indices[..r].iter().map(|&i| pool[i].clone()).collect())
                    }
                } else {
                    let mut found = false;
                    let mut i = r;
                    while i > 0 {
                        i -= 1;
                        cycles[i] -= 1;
                        if cycles[i] == 0 {
                            let moved = indices.remove(i);
                            indices.push(moved);
                            cycles[i] = n - i;
                        } else {
                            let j = cycles[i];
                            indices.swap(i, n - j);
                            found = true;
                            break;
                        }
                    }
                    if found {
                        Some(indices[..r].iter().map(|&i| pool[i].clone()).collect())
                    } else {
                        None
                    }
                }
            }
            Combinatoric::Combinations {
                pool,
                r,
                indices,
                first,
                replacement,
            } => {
                let n = pool.len();
                let r = *r;
                if *first {
                    *first = false;
                    let possible = if *replacement {
                        n > 0 || r == 0
                    } else {
                        r <= n
                    };
                    if possible {
                        Some(indices.iter().map(|&i| pool[i].clone()).collect())
                    } else {
                        None
                    }
                } else if *replacement {
                    let mut found = None;
                    for i in (0..r).rev() {
                        if indices[i] != n - 1 {
                            found = Some(i);
                            break;
                        }
                    }
                    match found {
                        None => None,
                        Some(i) => {
                            let v = indices[i] + 1;
                            for slot in indices[i..].iter_mut() {
                                *slot = v;
                            }
                            Some(indices.iter().map(|&i| pool[i].clone()).collect())
                        }
                    }
                } else {
                    let mut found = None;
                    for i in (0..r).rev() {
                        if indices[i] != i + n - r {
                            found = Some(i);
                            break;
                        }
                    }
                    match found {
                        None => None,
                        Some(i) => {
                            indices[i] += 1;
                            for j in i + 1..r {
                                indices[j] = indices[j - 1] + 1;
                            }
                            Some(indices.iter().map(|&i| pool[i].clone()).collect())
                        }
                    }
                }
            }
        };
        match result {
            Some(items) => Ok(Some(Value::tuple(items))),
            None => {
                self.done = true;
                Ok(None)
            }
        }
    }
}

fn product_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "product")?;
    let repeat = match args.take_keyword("repeat") {
        Some(r) => vm.expect_int(&r)?,
        None => 1,
    };
    if let Some((k, _)) = args.keywords.first() {
        let k = k.as_str().to_string();
        return Err(vm.type_error(format!(
            "product() got an unexpected keyword argument '{k}'"
        )));
    }
    if repeat < 0 {
        return Err(vm.error(ExcType::ValueError, "repeat argument cannot be negative"));
    }
    let mut base = Vec::new();
    for v in std::mem::take(&mut args.positional) {
        base.push(vm.collect(&v)?);
    }
    let mut pools = Vec::new();
    for _ in 0..repeat {
        pools.extend(base.iter().cloned());
        vm.check_size(pools.len())?;
    }
    let indices = vec![0; pools.len()];
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Combo {
            state: Combinatoric::Product {
                pools,
                indices,
                first: true,
            },
            done: false,
        }),
    ))
}

fn r_arg(vm: &mut Vm, v: &Value) -> PyResult<usize> {
    let r = vm.expect_int(v)?;
    if r < 0 {
        return Err(vm.error(ExcType::ValueError, "r must be non-negative"));
    }
    Ok(r as usize)
}

fn permutations_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "permutations")?;
    let a = vm.parse_args("permutations", args, &["iterable", "r"], 1)?;
    let pool = vm.collect(a[0].as_ref().unwrap_or(&Value::None))?;
    let n = pool.len();
    let r = match &a[1] {
        None | Some(Value::None) => n,
        Some(v) => r_arg(vm, v)?,
    };
    let indices: Vec<usize> = (0..n).collect();
    let cycles: Vec<usize> = (0..r.min(n)).map(|i| n - i).collect();
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Combo {
            state: Combinatoric::Permutations {
                pool,
                r,
                indices,
                cycles,
                first: true,
            },
            done: false,
        }),
    ))
}

fn combinations_common(
    vm: &mut Vm,
    args: &mut Args,
    name: &str,
    replacement: bool,
) -> PyResult<Value> {
    let class = cls_arg(vm, args, name)?;
    let a = vm.parse_args(name, args, &["iterable", "r"], 2)?;
    let pool = vm.collect(a[0].as_ref().unwrap_or(&Value::None))?;
    let r = r_arg(vm, a[1].as_ref().unwrap_or(&Value::None))?;
    let indices: Vec<usize> = if replacement {
        vec![0; r]
    } else {
        (0..r.min(pool.len())).collect()
    };
    Ok(iterator_object(
        vm,
        &class,
        Box::new(Combo {
            state: Combinatoric::Combinations {
                pool,
                r,
                indices,
                first: true,
                replacement,
            },
            done: false,
        }),
    ))
}

fn combinations_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    combinations_common(vm, args, "combinations", false)
}

fn cwr_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    combinations_common(vm, args, "combinations_with_replacement", true)
}

// ----------------------------------------------------------------- tee

/// Values read from the shared iterator, kept for the slower copies.
struct TeeData {
    it: Value,
    buffer: Vec<Value>,
    /// Position of `buffer[0]` in the stream.
    offset: usize,
    positions: Vec<usize>,
}

struct Tee {
    data: Rc<RefCell<TeeData>>,
    slot: usize,
}

impl NativeIterator for Tee {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let (position, offset, buffered, it) = {
            let d = self.data.borrow();
            (
                d.positions[self.slot],
                d.offset,
                d.buffer.len(),
                d.it.clone(),
            )
        };
        let value = if position - offset < buffered {
            self.data.borrow().buffer[position - offset].clone()
        } else {
            let Some(v) = vm.next_value(&it)? else {
                return Ok(None);
            };
            self.data.borrow_mut().buffer.push(v.clone());
            v
        };
        let mut d = self.data.borrow_mut();
        d.positions[self.slot] = position + 1;
        // Drop what every copy has read.
        let min = d.positions.iter().copied().min().unwrap_or(0);
        if min > d.offset {
            let drop_count = (min - d.offset).min(d.buffer.len());
            d.buffer.drain(..drop_count);
            d.offset += drop_count;
        }
        Ok(Some(value))
    }
}

fn tee(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    no_keywords(vm, "tee", args)?;
    positional_count(vm, "tee", args, 1, 2)?;
    let n = match args.positional.get(1) {
        Some(v) => vm.expect_int(v)?,
        None => 2,
    };
    if n < 0 {
        return Err(vm.error(ExcType::ValueError, "n must be >= 0"));
    }
    let it = vm.get_iter(&args.positional[0])?;
    let n = n as usize;
    let data = Rc::new(RefCell::new(TeeData {
        it,
        buffer: Vec::new(),
        offset: 0,
        positions: vec![0; n],
    }));
    let class = class_named(vm, "_tee")?;
    let copies = (0..n)
        .map(|slot| {
            iterator_object(
                vm,
                &class,
                Box::new(Tee {
                    data: data.clone(),
                    slot,
                }),
            )
        })
        .collect();
    Ok(Value::tuple(copies))
}

fn tee_new_direct(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = cls_arg(vm, args, "_tee")?;
    positional_count(vm, "_tee", args, 1, 1)?;
    let it = vm.get_iter(&args.positional[0])?;
    let data = Rc::new(RefCell::new(TeeData {
        it,
        buffer: Vec::new(),
        offset: 0,
        positions: vec![0],
    }));
    Ok(iterator_object(vm, &class, Box::new(Tee { data, slot: 0 })))
}
