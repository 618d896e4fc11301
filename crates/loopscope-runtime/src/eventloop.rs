//! The hot paths of the event loop in Rust: `Handle` and `TimerHandle`
//! (CPython asyncio/events.py), and the loop's `call_soon`, `call_at`,
//! `call_later`, `time`, `_check_closed` and `_run_once` (CPython
//! asyncio/base_events.py).
//!
//! As in `futures.rs`, the classes stay Python (`python/asyncio/events.py`)
//! and keep their state in the same instance attributes (`_callback`,
//! `_when`, `_ready`, `_scheduled`, ...); `_loopscope.install_loop` puts
//! these methods into their dicts. They do what the Python did, in the
//! same order, with the same trace hooks. The timer heap is CPython's
//! heapq algorithm run on the loop's `_scheduled` list with the handles'
//! `(when, scheduling order)` keys, so its order is the one `heapq` and
//! `TimerHandle.__lt__` gave.

use std::rc::Rc;

use loopscope_interp::builtins::add_methods;
use loopscope_interp::bytecode::{BinOp, CmpOp};
use loopscope_interp::modules::deque::DequeData;
use loopscope_interp::value::string::intern;
use loopscope_interp::value::{Args, PyDict, PyResult, PyStr, Unwind, Value};
use loopscope_interp::vm::{ExcType, Vm};
use loopscope_trace::EventKind;

use crate::futures::{get, set};
use crate::natives::{callable_name, object_id};
use crate::world::{internal_error, world};

/// What the native loop needs from events.py, handed over by
/// `install_loop`.
pub struct LoopRefs {
    handle_class: Value,
    timer_class: Value,
    /// `events._check_callback` (debug mode only).
    check_callback: Value,
    /// `format_helpers._format_callback_source`.
    format_callback_source: Value,
}

struct Names {
    context: Rc<PyStr>,
    loop_: Rc<PyStr>,
    callback: Rc<PyStr>,
    args: Rc<PyStr>,
    cancelled: Rc<PyStr>,
    repr: Rc<PyStr>,
    when: Rc<PyStr>,
    scheduled: Rc<PyStr>,
    seq: Rc<PyStr>,
    closed: Rc<PyStr>,
    debug: Rc<PyStr>,
    ready: Rc<PyStr>,
    timer_seq: Rc<PyStr>,
    timer_cancelled_count: Rc<PyStr>,
    stopping: Rc<PyStr>,
    select: Rc<PyStr>,
    call_exception_handler: Rc<PyStr>,
    call_soon: Rc<PyStr>,
    create_future: Rc<PyStr>,
    call_later: Rc<PyStr>,
    task_factory: Rc<PyStr>,
    create_task_by_factory: Rc<PyStr>,
    loop_arg: Rc<PyStr>,
    name_arg: Rc<PyStr>,
    context_arg: Rc<PyStr>,
}

thread_local! {
    static NAMES: Rc<Names> = Rc::new(Names {
        context: intern("_context"),
        loop_: intern("_loop"),
        callback: intern("_callback"),
        args: intern("_args"),
        cancelled: intern("_cancelled"),
        repr: intern("_repr"),
        when: intern("_when"),
        scheduled: intern("_scheduled"),
        seq: intern("_seq"),
        closed: intern("_closed"),
        debug: intern("_debug"),
        ready: intern("_ready"),
        timer_seq: intern("_timer_seq"),
        timer_cancelled_count: intern("_timer_cancelled_count"),
        stopping: intern("_stopping"),
        select: intern("_select"),
        call_exception_handler: intern("call_exception_handler"),
        call_soon: intern("call_soon"),
        create_future: intern("create_future"),
        call_later: intern("call_later"),
        task_factory: intern("_task_factory"),
        create_task_by_factory: intern("_create_task_by_factory"),
        loop_arg: intern("loop"),
        name_arg: intern("name"),
        context_arg: intern("context"),
    });
}

fn names() -> Rc<Names> {
    NAMES.with(Rc::clone)
}

fn refs(vm: &mut Vm) -> PyResult<Rc<LoopRefs>> {
    match world(vm)?.event_loop.clone() {
        Some(refs) => Ok(refs),
        None => Err(internal_error(vm, "the event loop is not installed")),
    }
}

/// The owner named by the loop's native methods.
const LOOP_OWNER: &str = "_UnixSelectorEventLoop";

/// CPython base_events: a sweep of the timer heap happens only past these.
const MIN_SCHEDULED_TIMER_HANDLES: usize = 100;
const MIN_CANCELLED_TIMER_HANDLES_FRACTION: f64 = 0.5;
/// time.get_clock_info('monotonic').resolution on Linux.
const CLOCK_RESOLUTION: f64 = 1e-09;

/// `_loopscope.install_loop(loop_class, Handle, TimerHandle,
/// _check_callback, _format_callback_source)`.
pub fn install_loop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args(
        "install_loop",
        args,
        &[
            "loop_class",
            "handle_class",
            "timer_class",
            "check_callback",
            "format_callback_source",
        ],
        5,
    )?;
    let [Some(Value::Class(loop_class)), Some(Value::Class(handle_class)), Some(Value::Class(timer_class)), Some(check_callback), Some(format_callback_source)] =
        <[Option<Value>; 5]>::try_from(a).unwrap_or_default()
    else {
        return Err(internal_error(
            vm,
            "install_loop needs three classes and two functions",
        ));
    };
    add_methods(
        &handle_class,
        "Handle",
        &[
            ("__init__", handle_init),
            ("cancel", handle_cancel),
            ("cancelled", handle_cancelled),
            ("_run", handle_run),
        ],
    );
    add_methods(
        &timer_class,
        "TimerHandle",
        &[
            ("__init__", timer_init),
            ("cancel", timer_cancel),
            ("when", timer_when),
            ("__lt__", timer_lt),
            ("__le__", timer_le),
            ("__gt__", timer_gt),
            ("__ge__", timer_ge),
        ],
    );
    add_methods(
        &loop_class,
        LOOP_OWNER,
        &[
            ("_check_closed", loop_check_closed),
            ("time", loop_time),
            ("call_soon", loop_call_soon),
            ("call_later", loop_call_later),
            ("call_at", loop_call_at),
            ("_timer_handle_cancelled", loop_timer_handle_cancelled),
            ("_run_once", loop_run_once),
            ("create_future", loop_create_future),
            ("create_task", loop_create_task),
        ],
    );
    world(vm)?.event_loop = Some(Rc::new(LoopRefs {
        handle_class: Value::Class(handle_class),
        timer_class: Value::Class(timer_class),
        check_callback,
        format_callback_source,
    }));
    Ok(Value::None)
}

/// The arguments of a `(self, <positional>, *args, <keyword_only>)` call.
struct VarArgs {
    this: Value,
    positional: Vec<Value>,
    extra: Vec<Value>,
    keywords: Vec<Option<Value>>,
}

/// Binds the arguments of `(self, <positional>, *args, <keyword_only>)`
/// methods.
fn bind_varargs(
    vm: &mut Vm,
    qualname: &str,
    args: &mut Args,
    positional: &[&str],
    keyword_only: &[&str],
) -> PyResult<VarArgs> {
    let this = vm.receiver(qualname, args)?;
    let mut given = std::mem::take(&mut args.positional);
    if given.len() < positional.len() {
        let missing = &positional[given.len()..];
        let listed = match missing {
            [one] => format!("'{one}'"),
            [init @ .., last] => format!(
                "{} and '{last}'",
                init.iter()
                    .map(|name| format!("'{name}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            [] => String::new(),
        };
        let count = missing.len();
        let plural = if count == 1 { "" } else { "s" };
        return Err(vm.type_error(format!(
            "{qualname}() missing {count} required positional argument{plural}: {listed}"
        )));
    }
    let extra = given.split_off(positional.len());
    let mut keywords = vec![None; keyword_only.len()];
    for (key, value) in std::mem::take(&mut args.keywords) {
        match keyword_only.iter().position(|name| *name == key.as_str()) {
            Some(i) => keywords[i] = Some(value),
            None => {
                return Err(vm.type_error(format!(
                    "{qualname}() got an unexpected keyword argument '{}'",
                    key.as_str()
                )))
            }
        }
    }
    Ok(VarArgs {
        this,
        positional: given,
        extra,
        keywords,
    })
}

/// `(receiver, values)` of `(self, <names>)` methods, the last `optional`
/// of them defaulting to None.
fn bind_fixed(
    vm: &mut Vm,
    qualname: &str,
    args: &mut Args,
    params: &[&str],
    optional: usize,
) -> PyResult<(Value, Vec<Value>)> {
    let this = vm.receiver(qualname, args)?;
    let a = vm.parse_args(qualname, args, params, params.len() - optional)?;
    Ok((
        this,
        a.into_iter().map(|v| v.unwrap_or(Value::None)).collect(),
    ))
}

// ---------------------------------------------------------------- Handle

fn init_handle(
    vm: &mut Vm,
    n: &Names,
    this: &Value,
    callback: Value,
    args: Value,
    event_loop: Value,
    context: Value,
) -> PyResult<()> {
    set(vm, this, &n.context, context)?;
    set(vm, this, &n.loop_, event_loop)?;
    set(vm, this, &n.callback, callback)?;
    set(vm, this, &n.args, args)?;
    set(vm, this, &n.cancelled, Value::Bool(false))?;
    set(vm, this, &n.repr, Value::None)
}

/// `Handle(callback, args, loop, context=None)`.
fn handle_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind_fixed(
        vm,
        "Handle.__init__",
        args,
        &["callback", "args", "loop", "context"],
        1,
    )?;
    let [callback, call_args, event_loop, context] =
        <[Value; 4]>::try_from(a).map_err(|_| internal_error(vm, "Handle.__init__"))?;
    init_handle(
        vm,
        &names(),
        &this,
        callback,
        call_args,
        event_loop,
        context,
    )?;
    Ok(Value::None)
}

fn cancel_handle(vm: &mut Vm, n: &Names, this: &Value) -> PyResult<()> {
    let cancelled = get(vm, this, &n.cancelled)?;
    if !vm.truthy(&cancelled)? {
        set(vm, this, &n.cancelled, Value::Bool(true))?;
        set(vm, this, &n.callback, Value::None)?;
        set(vm, this, &n.args, Value::None)?;
    }
    Ok(())
}

fn handle_cancel(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("cancel", args)?;
    vm.no_args("cancel", args, 0)?;
    cancel_handle(vm, &names(), &this)?;
    Ok(Value::None)
}

fn handle_cancelled(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("cancelled", args)?;
    vm.no_args("cancelled", args, 0)?;
    get(vm, &this, &names().cancelled)
}

/// CPython events.Handle._run: an exception goes to the loop's exception
/// handler; the loop goes on.
fn run_handle(vm: &mut Vm, n: &Names, this: &Value) -> PyResult<()> {
    let callback = get(vm, this, &n.callback)?;
    let call_args = match get(vm, this, &n.args)? {
        Value::Tuple(t) => t.items.clone(),
        other => vm.collect(&other)?,
    };
    let outcome = match (is_set_result_unless_cancelled(&callback), &call_args[..]) {
        (true, [future, result]) => {
            crate::futures::set_result_unless_cancelled(vm, future, result.clone())
        }
        (false, [child]) if crate::futures::gather_done_callback_fast(vm, &callback, child)? => {
            Ok(())
        }
        _ => vm.call(&callback, call_args).map(drop),
    };
    let exc = match outcome {
        Ok(_) => return Ok(()),
        Err(Unwind::Exception(exc)) => exc,
        Err(halt) => return Err(halt),
    };
    if vm.is_exception(&exc, ExcType::SystemExit)
        || vm.is_exception(&exc, ExcType::KeyboardInterrupt)
    {
        return Err(Unwind::Exception(exc));
    }
    // `except BaseException as exc:` — handled while the handler runs.
    vm.exc_stack.push(exc.clone());
    let reported = report_callback_error(vm, n, this, exc);
    vm.exc_stack.pop();
    reported
}

/// Is `callback` futures.py's `_set_result_unless_cancelled` (a function
/// whose code is that one: code objects cannot be swapped), which
/// `run_handle` runs natively, with the same effects?
fn is_set_result_unless_cancelled(callback: &Value) -> bool {
    match callback {
        Value::Function(f) => {
            f.code.qualname.as_str() == "_set_result_unless_cancelled"
                && &*f.code.filename == "<frozen asyncio.futures>"
        }
        _ => false,
    }
}

fn report_callback_error(vm: &mut Vm, n: &Names, this: &Value, exc: Value) -> PyResult<()> {
    let format = refs(vm)?.format_callback_source.clone();
    let callback = get(vm, this, &n.callback)?;
    let call_args = get(vm, this, &n.args)?;
    let source = vm.call(&format, vec![callback, call_args])?;
    let source = vm.str_of(&source)?;
    let context = PyDict::new();
    context.set_str(
        vm,
        "message",
        Value::string(format!("Exception in callback {source}")),
    );
    context.set_str(vm, "exception", exc);
    context.set_str(vm, "handle", this.clone());
    let event_loop = get(vm, this, &n.loop_)?;
    let handler = vm.get_attr(&event_loop, &n.call_exception_handler)?;
    vm.call(&handler, vec![Value::Dict(Rc::new(context))])?;
    Ok(())
}

fn handle_run(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("_run", args)?;
    vm.no_args("_run", args, 0)?;
    run_handle(vm, &names(), &this)?;
    Ok(Value::None)
}

// ---------------------------------------------------------------- TimerHandle

/// `TimerHandle(when, callback, args, loop, context=None)`.
fn timer_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind_fixed(
        vm,
        "TimerHandle.__init__",
        args,
        &["when", "callback", "args", "loop", "context"],
        1,
    )?;
    let [when, callback, call_args, event_loop, context] =
        <[Value; 5]>::try_from(a).map_err(|_| internal_error(vm, "TimerHandle.__init__"))?;
    let n = names();
    // The Python __init__ this replaces made a `super()` object, which took
    // an object id: one is spent here too, so that every object keeps the
    // id it had (ids order sets of futures, and name objects in the trace).
    vm.ids.next();
    init_handle(vm, &n, &this, callback, call_args, event_loop, context)?;
    set(vm, &this, &n.when, when)?;
    set(vm, &this, &n.scheduled, Value::Bool(false))?;
    set(vm, &this, &n.seq, Value::Int(0))?;
    Ok(Value::None)
}

fn timer_cancel(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("cancel", args)?;
    vm.no_args("cancel", args, 0)?;
    let n = names();
    let cancelled = get(vm, &this, &n.cancelled)?;
    if !vm.truthy(&cancelled)? {
        let event_loop = get(vm, &this, &n.loop_)?;
        timer_handle_cancelled(vm, &n, &event_loop, &this)?;
        let handle = object_id(&this);
        world(vm)?.record(EventKind::TimerCancelled { handle });
    }
    // The id of the Python version's `super()` object (see timer_init).
    vm.ids.next();
    cancel_handle(vm, &n, &this)?;
    Ok(Value::None)
}

fn timer_when(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("when", args)?;
    vm.no_args("when", args, 0)?;
    get(vm, &this, &names().when)
}

/// `(self._when, self._seq) <op> (other._when, other._seq)` for two
/// TimerHandles, else NotImplemented.
fn timer_compare(vm: &mut Vm, args: &mut Args, op: CmpOp) -> PyResult<Value> {
    let this = vm.receiver("__lt__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    let timer_class = match &refs(vm)?.timer_class {
        Value::Class(c) => c.clone(),
        _ => return Ok(Value::NotImplemented),
    };
    if !vm.class_of(&other).is_subclass_of(&timer_class) {
        return Ok(Value::NotImplemented);
    }
    let n = names();
    let mine = Value::tuple(vec![get(vm, &this, &n.when)?, get(vm, &this, &n.seq)?]);
    let theirs = Value::tuple(vec![get(vm, &other, &n.when)?, get(vm, &other, &n.seq)?]);
    vm.compare(op, &mine, &theirs)
}

fn timer_lt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    timer_compare(vm, args, CmpOp::Lt)
}

fn timer_le(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    timer_compare(vm, args, CmpOp::Le)
}

fn timer_gt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    timer_compare(vm, args, CmpOp::Gt)
}

fn timer_ge(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    timer_compare(vm, args, CmpOp::Ge)
}

// ---------------------------------------------------------------- the timer heap

/// A timer's heap key `(when, seq)` read straight from its attributes,
/// when both are plain numbers (`when` as a float: exact for the times
/// a run reaches).
fn heap_key(n: &Names, handle: &Value) -> Option<(f64, i64)> {
    let Value::Instance(instance) = handle else {
        return None;
    };
    if instance.dict_object.borrow().is_some() {
        return None;
    }
    let dict = instance.dict.borrow();
    let when = match crate::futures::dict_get(&dict, &n.when)? {
        Value::Float(f) => *f,
        Value::Int(i) => *i as f64,
        _ => return None,
    };
    let seq = match crate::futures::dict_get(&dict, &n.seq)? {
        Value::Int(i) => *i,
        _ => return None,
    };
    Some((when, seq))
}

/// `a < b` on heap keys as Python compares the tuples.
fn key_less(a: (f64, i64), b: (f64, i64)) -> bool {
    if a.0 == b.0 {
        a.1 < b.1
    } else {
        a.0 < b.0
    }
}

/// The loop's `_scheduled` list with every entry's key, or None when an
/// entry is not a plain timer (the generic path then compares through
/// `__lt__`).
struct Heap {
    list: Rc<loopscope_interp::value::PyList>,
}

impl Heap {
    fn of(vm: &mut Vm, n: &Names, event_loop: &Value) -> PyResult<Heap> {
        match get(vm, event_loop, &n.scheduled)? {
            Value::List(list) => Ok(Heap { list }),
            _ => Err(internal_error(vm, "the loop's _scheduled is not a list")),
        }
    }

    fn len(&self) -> usize {
        self.list.borrow().len()
    }

    fn first(&self) -> Option<Value> {
        self.list.borrow().first().cloned()
    }

    /// `a < b` for two entries (`TimerHandle.__lt__`).
    fn less(vm: &mut Vm, n: &Names, a: &Value, b: &Value) -> PyResult<bool> {
        match (heap_key(n, a), heap_key(n, b)) {
            (Some(x), Some(y)) => Ok(key_less(x, y)),
            _ => vm.less_than(a, b),
        }
    }

    fn at(&self, vm: &mut Vm, i: usize) -> PyResult<Value> {
        match self.list.borrow().get(i) {
            Some(v) => Ok(v.clone()),
            None => Err(internal_error(vm, "the timer heap changed while in use")),
        }
    }

    fn put(&self, i: usize, value: Value) {
        if let Some(slot) = self.list.borrow_mut().get_mut(i) {
            *slot = value;
        }
    }

    /// CPython heapq._siftdown.
    /// The moving item's key is read once, and again after any comparison
    /// through `__lt__` (which could have changed it).
    fn sift_down(&self, vm: &mut Vm, n: &Names, start: usize, mut pos: usize) -> PyResult<()> {
        let item = self.at(vm, pos)?;
        let mut item_key = heap_key(n, &item);
        while pos > start {
            let parent_pos = (pos - 1) >> 1;
            let parent = self.at(vm, parent_pos)?;
            let less = match (item_key, heap_key(n, &parent)) {
                (Some(x), Some(y)) => key_less(x, y),
                _ => {
                    let less = vm.less_than(&item, &parent)?;
                    item_key = heap_key(n, &item);
                    less
                }
            };
            if less {
                self.put(pos, parent);
                pos = parent_pos;
                continue;
            }
            break;
        }
        self.put(pos, item);
        Ok(())
    }

    /// CPython heapq._siftup.
    fn sift_up(&self, vm: &mut Vm, n: &Names, mut pos: usize) -> PyResult<()> {
        let end = self.len();
        let start = pos;
        let item = self.at(vm, pos)?;
        let mut child = 2 * pos + 1;
        while child < end {
            let right = child + 1;
            if right < end {
                let (c, r) = (self.at(vm, child)?, self.at(vm, right)?);
                if !Self::less(vm, n, &c, &r)? {
                    child = right;
                }
            }
            let moved = self.at(vm, child)?;
            self.put(pos, moved);
            pos = child;
            child = 2 * pos + 1;
        }
        self.put(pos, item);
        self.sift_down(vm, n, start, pos)
    }

    /// CPython heapq.heappush.
    fn push(&self, vm: &mut Vm, n: &Names, item: Value) -> PyResult<()> {
        self.list.borrow_mut().push(item);
        let last = self.len() - 1;
        self.sift_down(vm, n, 0, last)
    }

    /// CPython heapq.heappop.
    fn pop(&self, vm: &mut Vm, n: &Names) -> PyResult<Value> {
        let last = self.list.borrow_mut().pop();
        let Some(last) = last else {
            return Err(vm.error(ExcType::IndexError, "index out of range"));
        };
        if self.len() == 0 {
            return Ok(last);
        }
        let first = self.at(vm, 0)?;
        self.put(0, last);
        self.sift_up(vm, n, 0)?;
        Ok(first)
    }

    /// CPython heapq.heapify.
    fn heapify(&self, vm: &mut Vm, n: &Names) -> PyResult<()> {
        let len = self.len();
        for i in (0..len / 2).rev() {
            self.sift_up(vm, n, i)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- the loop

fn check_closed(vm: &mut Vm, n: &Names, this: &Value) -> PyResult<()> {
    let closed = get(vm, this, &n.closed)?;
    if vm.truthy(&closed)? {
        let exc = match vm.error(ExcType::RuntimeError, "Event loop is closed") {
            Unwind::Exception(exc) => exc,
            other => return Err(other),
        };
        vm.set_context(&exc);
        return Err(Unwind::Exception(exc));
    }
    Ok(())
}

fn loop_check_closed(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("_check_closed", args)?;
    vm.no_args("_check_closed", args, 0)?;
    check_closed(vm, &names(), &this)?;
    Ok(Value::None)
}

fn loop_time(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    vm.receiver("time", args)?;
    vm.no_args("time", args, 0)?;
    Ok(Value::Float(world(vm)?.clock))
}

/// Is `event_loop.<name>` this module's native method of that name (see
/// [`crate::futures::is_native_method_of`])?
fn is_native_method(vm: &Vm, event_loop: &Value, name: &Rc<PyStr>) -> bool {
    crate::futures::is_native_method_of(vm, event_loop, name, LOOP_OWNER)
}

/// Is `value`'s `call_soon` this module's (so a native caller may skip
/// the method call)?
pub fn has_native_call_soon(vm: &Vm, event_loop: &Value) -> bool {
    let n = names();
    match vm.class_of(event_loop).lookup_name(&n.call_soon) {
        Some(Value::Builtin(b)) => b.owner == Some(LOOP_OWNER) && b.name.as_str() == "call_soon",
        _ => false,
    }
}

/// CPython base_events.call_soon (the callback checked only in debug
/// mode: otherwise a bad one fails when it runs, in the exception
/// handler).
pub fn call_soon(
    vm: &mut Vm,
    this: &Value,
    callback: Value,
    args: Vec<Value>,
    context: Value,
) -> PyResult<Value> {
    let n = names();
    check_closed(vm, &n, this)?;
    let refs = refs(vm)?;
    let debug = get(vm, this, &n.debug)?;
    if vm.truthy(&debug)? {
        vm.call(
            &refs.check_callback,
            vec![callback.clone(), Value::str("call_soon")],
        )?;
    }
    let handle = match crate::futures::new_instance(vm, &refs.handle_class, "Handle", 6) {
        Some(handle) => {
            let args = Value::tuple(args);
            init_handle(
                vm,
                &n,
                &handle,
                callback.clone(),
                args,
                this.clone(),
                context,
            )?;
            handle
        }
        None => vm.call(
            &refs.handle_class,
            vec![callback.clone(), Value::tuple(args), this.clone(), context],
        )?,
    };
    match get(vm, this, &n.ready)? {
        ready @ Value::Native(_) => {
            let pushed = loopscope_interp::builtins::with_native::<DequeData, _>(&ready, |d| {
                d.state += 1;
                d.items.push_back(handle.clone());
            });
            if pushed.is_none() {
                return Err(internal_error(vm, "the loop's _ready is not a deque"));
            }
        }
        _ => return Err(internal_error(vm, "the loop's _ready is not a deque")),
    }
    let id = object_id(&handle);
    let callback = callable_name(vm, &callback);
    world(vm)?.record(EventKind::CallbackScheduled {
        handle: id,
        callback,
    });
    Ok(handle)
}

fn loop_call_soon(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let VarArgs {
        this,
        positional: mut given,
        extra,
        keywords,
    } = bind_varargs(vm, "call_soon", args, &["callback"], &["context"])?;
    let callback = given.pop().unwrap_or(Value::None);
    let context = keywords.into_iter().next().flatten().unwrap_or(Value::None);
    call_soon(vm, &this, callback, extra, context)
}

/// CPython base_events.call_at (no check of the callback: the oracle's
/// loop, VirtualLoop.call_at, never checks, and it is the reference).
fn call_at(
    vm: &mut Vm,
    this: &Value,
    when: Value,
    callback: Value,
    args: Vec<Value>,
    context: Value,
) -> PyResult<Value> {
    if when.is_none() {
        return Err(vm.type_error("when cannot be None"));
    }
    let n = names();
    check_closed(vm, &n, this)?;
    let timer_class = refs(vm)?.timer_class.clone();
    let timer = match crate::futures::new_instance(vm, &timer_class, "TimerHandle", 9) {
        Some(timer) => {
            // As timer_init.
            vm.ids.next();
            let args = Value::tuple(args);
            init_handle(
                vm,
                &n,
                &timer,
                callback.clone(),
                args,
                this.clone(),
                context,
            )?;
            set(vm, &timer, &n.when, when.clone())?;
            set(vm, &timer, &n.scheduled, Value::Bool(false))?;
            set(vm, &timer, &n.seq, Value::Int(0))?;
            timer
        }
        None => vm.call(
            &timer_class,
            vec![
                when.clone(),
                callback.clone(),
                Value::tuple(args),
                this.clone(),
                context,
            ],
        )?,
    };
    let seq = get(vm, this, &n.timer_seq)?;
    let seq = vm.binary_op(BinOp::Add, &seq, &Value::Int(1))?;
    set(vm, this, &n.timer_seq, seq.clone())?;
    set(vm, &timer, &n.seq, seq)?;
    Heap::of(vm, &n, this)?.push(vm, &n, timer.clone())?;
    set(vm, &timer, &n.scheduled, Value::Bool(true))?;
    let when = vm.expect_f64(&when, "when")?;
    let handle = object_id(&timer);
    let callback = callable_name(vm, &callback);
    world(vm)?.record(EventKind::TimerSet {
        handle,
        when,
        callback,
    });
    Ok(timer)
}

fn loop_call_at(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let VarArgs {
        this,
        positional: mut given,
        extra,
        keywords,
    } = bind_varargs(vm, "call_at", args, &["when", "callback"], &["context"])?;
    let callback = given.pop().unwrap_or(Value::None);
    let when = given.pop().unwrap_or(Value::None);
    let context = keywords.into_iter().next().flatten().unwrap_or(Value::None);
    call_at(vm, &this, when, callback, extra, context)
}

fn loop_call_later(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let VarArgs {
        this,
        positional: mut given,
        extra,
        keywords,
    } = bind_varargs(vm, "call_later", args, &["delay", "callback"], &["context"])?;
    let callback = given.pop().unwrap_or(Value::None);
    let delay = given.pop().unwrap_or(Value::None);
    let context = keywords.into_iter().next().flatten().unwrap_or(Value::None);
    call_later(vm, &this, delay, callback, extra, context)
}

/// CPython base_events.call_later.
fn call_later(
    vm: &mut Vm,
    this: &Value,
    delay: Value,
    callback: Value,
    args: Vec<Value>,
    context: Value,
) -> PyResult<Value> {
    if delay.is_none() {
        return Err(vm.type_error("delay must not be None"));
    }
    let now = Value::Float(world(vm)?.clock);
    let when = vm.binary_op(BinOp::Add, &now, &delay)?;
    call_at(vm, this, when, callback, args, context)
}

fn timer_handle_cancelled(vm: &mut Vm, n: &Names, this: &Value, handle: &Value) -> PyResult<()> {
    let scheduled = get(vm, handle, &n.scheduled)?;
    if vm.truthy(&scheduled)? {
        let count = get(vm, this, &n.timer_cancelled_count)?;
        let count = vm.binary_op(BinOp::Add, &count, &Value::Int(1))?;
        set(vm, this, &n.timer_cancelled_count, count)?;
    }
    Ok(())
}

fn loop_timer_handle_cancelled(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind_fixed(vm, "_timer_handle_cancelled", args, &["handle"], 0)?;
    let handle = a.into_iter().next().unwrap_or(Value::None);
    timer_handle_cancelled(vm, &names(), &this, &handle)?;
    Ok(Value::None)
}

fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Float(f) => Some(*f),
        Value::Int(i) => Some(*i as f64),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn int_of(vm: &mut Vm, value: &Value) -> PyResult<i64> {
    vm.expect_int(value)
}

/// One iteration (CPython BaseEventLoop._run_once): cancelled timers at
/// the head of the heap are dropped (or all of them, when they are most
/// of a big heap), the selector "waits" (`_select`: the virtual clock
/// jumps, due thread jobs run), timers due by then become ready, and
/// exactly the callbacks ready at that point run, in FIFO order.
fn loop_run_once(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("_run_once", args)?;
    vm.no_args("_run_once", args, 0)?;
    let n = names();
    let mut heap = Heap::of(vm, &n, &this)?;
    let sched_count = heap.len();
    let cancelled_count = get(vm, &this, &n.timer_cancelled_count)?;
    let cancelled_count = int_of(vm, &cancelled_count)?;
    if sched_count > MIN_SCHEDULED_TIMER_HANDLES
        && cancelled_count as f64 / sched_count as f64 > MIN_CANCELLED_TIMER_HANDLES_FRACTION
    {
        let handles = heap.list.borrow().clone();
        let mut kept = Vec::with_capacity(handles.len());
        for handle in handles {
            let cancelled = get(vm, &handle, &n.cancelled)?;
            if vm.truthy(&cancelled)? {
                set(vm, &handle, &n.scheduled, Value::Bool(false))?;
            } else {
                kept.push(handle);
            }
        }
        let kept = Rc::new(std::cell::RefCell::new(kept));
        heap = Heap { list: kept.clone() };
        heap.heapify(vm, &n)?;
        set(vm, &this, &n.scheduled, Value::List(kept))?;
        set(vm, &this, &n.timer_cancelled_count, Value::Int(0))?;
    } else {
        while let Some(first) = heap.first() {
            let cancelled = get(vm, &first, &n.cancelled)?;
            if !vm.truthy(&cancelled)? {
                break;
            }
            let count = get(vm, &this, &n.timer_cancelled_count)?;
            let count = vm.binary_op(BinOp::Sub, &count, &Value::Int(1))?;
            set(vm, &this, &n.timer_cancelled_count, count)?;
            let handle = heap.pop(vm, &n)?;
            set(vm, &handle, &n.scheduled, Value::Bool(false))?;
        }
    }
    let now = world(vm)?.clock;
    let ready = get(vm, &this, &n.ready)?;
    let ready_len =
        || loopscope_interp::builtins::with_native::<DequeData, _>(&ready, |d| d.items.len());
    let Some(waiting) = ready_len() else {
        return Err(internal_error(vm, "the loop's _ready is not a deque"));
    };
    let mut immediate = waiting > 0;
    if !immediate {
        let stopping = get(vm, &this, &n.stopping)?;
        immediate = vm.truthy(&stopping)?;
    }
    if !immediate {
        if let Some(first) = heap.first() {
            let when = get(vm, &first, &n.when)?;
            immediate = match as_f64(&when) {
                Some(when) => when - now <= 0.0,
                None => {
                    let delta = vm.binary_op(BinOp::Sub, &when, &Value::Float(now))?;
                    let due = vm.compare(CmpOp::Le, &delta, &Value::Int(0))?;
                    vm.truthy(&due)?
                }
            };
        }
    }
    let select = vm.get_attr(&this, &n.select)?;
    vm.call(&select, vec![Value::Bool(immediate)])?;

    let end_time = world(vm)?.clock + CLOCK_RESOLUTION;
    while let Some(first) = heap.first() {
        let when = get(vm, &first, &n.when)?;
        let due = match as_f64(&when) {
            // `not when >= end_time`, as Python compares (a NaN is due).
            Some(when) => !matches!(
                when.partial_cmp(&end_time),
                Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
            ),
            None => {
                let late = vm.compare(CmpOp::Ge, &when, &Value::Float(end_time))?;
                !vm.truthy(&late)?
            }
        };
        if !due {
            break;
        }
        let handle = heap.pop(vm, &n)?;
        set(vm, &handle, &n.scheduled, Value::Bool(false))?;
        let cancelled = get(vm, &handle, &n.cancelled)?;
        if !vm.truthy(&cancelled)? {
            let id = object_id(&handle);
            world(vm)?.record(EventKind::TimerFired { handle: id });
        }
        loopscope_interp::builtins::with_native::<DequeData, _>(&ready, |d| {
            d.state += 1;
            d.items.push_back(handle);
        });
    }

    let ntodo = ready_len().unwrap_or(0);
    let w = world(vm)?;
    w.iteration += 1;
    w.record(EventKind::Iteration {
        event_loop: object_id(&this),
        ready: ntodo,
    });
    for _ in 0..ntodo {
        let handle = loopscope_interp::builtins::with_native::<DequeData, _>(&ready, |d| {
            d.state += 1;
            d.items.pop_front()
        })
        .flatten();
        let Some(handle) = handle else {
            return Err(vm.error(ExcType::IndexError, "pop from an empty deque"));
        };
        let cancelled = get(vm, &handle, &n.cancelled)?;
        if vm.truthy(&cancelled)? {
            continue;
        }
        let callback = get(vm, &handle, &n.callback)?;
        let id = object_id(&handle);
        let callback = callable_name(vm, &callback);
        world(vm)?.record(EventKind::CallbackRun {
            handle: id,
            callback,
        });
        run_handle(vm, &n, &handle)?;
        // What the callback dropped, then the handle itself, is finalized
        // where the Python loop's next instructions would have done it.
        vm.run_finalizers()?;
        drop(handle);
        vm.run_finalizers()?;
    }
    Ok(Value::None)
}

// ---------------------------------------------------------------- futures, tasks

/// `loop.create_future()`: a Future of this loop.
fn loop_create_future(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("create_future", args)?;
    vm.no_args("create_future", args, 0)?;
    crate::futures::new_future(vm, this)
}

/// `loop.create_task(coro, *, name=None, context=None)` (CPython
/// base_events.create_task).
fn loop_create_task(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let VarArgs {
        this,
        positional: mut given,
        extra,
        keywords,
    } = bind_varargs(vm, "create_task", args, &["coro"], &["name", "context"])?;
    if !extra.is_empty() {
        return Err(vm.type_error(format!(
            "create_task() takes 2 positional arguments but {} were given",
            extra.len() + 2
        )));
    }
    let coro = given.pop().unwrap_or(Value::None);
    let [name, context] = <[Option<Value>; 2]>::try_from(keywords).unwrap_or_default();
    let (name, context) = (name.unwrap_or(Value::None), context.unwrap_or(Value::None));
    let n = names();
    check_closed(vm, &n, &this)?;
    let factory = get(vm, &this, &n.task_factory)?;
    if !factory.is_none() {
        let by_factory = vm.get_attr(&this, &n.create_task_by_factory)?;
        return vm.call(&by_factory, vec![coro, name, context]);
    }
    let task_class = crate::futures::classes(vm)?.1;
    if let Some(task) = crate::futures::new_instance(vm, &task_class, "Task", 16) {
        crate::futures::init_task(vm, &task, coro, Some(this), Some(name), Some(context))?;
        return Ok(task);
    }
    vm.call_with(
        &task_class,
        vec![coro],
        vec![
            (n.loop_arg.clone(), this),
            (n.name_arg.clone(), name),
            (n.context_arg.clone(), context),
        ],
    )
}

// ---------------------------------------------------------------- the running loop

/// The running loop as code running now sees it: none in a thread job.
fn running_loop(vm: &mut Vm) -> PyResult<Value> {
    let w = world(vm)?;
    if w.running_job.is_some() {
        return Ok(Value::None);
    }
    Ok(w.running_loop.clone())
}

/// `events._get_running_loop()`.
pub fn get_running_loop_or_none(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    vm.no_args("_get_running_loop", args, 0)?;
    running_loop(vm)
}

/// `events._set_running_loop(loop)`.
pub fn set_running_loop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("_set_running_loop", args, &["loop"], 1)?;
    world(vm)?.running_loop = a.into_iter().next().flatten().unwrap_or(Value::None);
    Ok(Value::None)
}

/// `asyncio.get_running_loop()`.
pub fn get_running_loop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    vm.no_args("get_running_loop", args, 0)?;
    let event_loop = running_loop(vm)?;
    if event_loop.is_none() {
        let exc = match vm.error(ExcType::RuntimeError, "no running event loop") {
            Unwind::Exception(exc) => exc,
            other => return Err(other),
        };
        vm.set_context(&exc);
        return Err(Unwind::Exception(exc));
    }
    Ok(event_loop)
}

// ---------------------------------------------------------------- sleep

/// `_loopscope.sleep_timer(delay, result, set_result_unless_cancelled)`:
/// the setup of tasks.py's `sleep` — the running loop's new future, the
/// timer that will settle it, the future described to the trace as the
/// sleep — as `(future, timer)`.
pub fn sleep_timer(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("sleep_timer", args, &["delay", "result", "callback"], 3)?;
    let [delay, result, callback] = <[Option<Value>; 3]>::try_from(a)
        .unwrap_or_default()
        .map(|v| v.unwrap_or(Value::None));
    let event_loop = get_running_loop(vm, &mut Args::new(Vec::new()))?;
    let n = names();
    let future = if is_native_method(vm, &event_loop, &n.create_future) {
        crate::futures::new_future(vm, event_loop.clone())?
    } else {
        let create_future = vm.get_attr(&event_loop, &n.create_future)?;
        vm.call(&create_future, Vec::new())?
    };
    let timer = if is_native_method(vm, &event_loop, &n.call_later) {
        call_later(
            vm,
            &event_loop,
            delay.clone(),
            callback,
            vec![future.clone(), result],
            Value::None,
        )?
    } else {
        let call_later = vm.get_attr(&event_loop, &n.call_later)?;
        vm.call(
            &call_later,
            vec![delay.clone(), callback, future.clone(), result],
        )?
    };
    crate::natives::describe_values(vm, &future, "sleep", std::slice::from_ref(&delay))?;
    Ok(Value::tuple(vec![future, timer]))
}
