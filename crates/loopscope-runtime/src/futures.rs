//! The hot methods of asyncio's `Future` and `Task`, in Rust, as CPython
//! runs them in C (`Modules/_asynciomodule.c`, the `_asyncio` module).
//!
//! `Future` and `Task` stay Python classes (`python/asyncio/futures.py`,
//! `tasks.py`): their state lives in the same instance attributes
//! (`_state`, `_result`, `_callbacks`, `_must_cancel`, ...), so subclasses
//! written in Python, `repr`, `__del__` and everything else that reads
//! them work unchanged. What moves here are the methods every await runs
//! through — `done`, `result`, `set_result`, `add_done_callback`,
//! `Task.task_step`, ... — put into the classes' dicts as native methods by
//! `_loopscope.install_future` / `install_task`. Each does what the Python
//! it replaces did, in the same order, with the same trace hooks: the
//! trace differs only in its `step` counts (interpreter instructions the
//! asyncio code no longer executes), and objects get the same ids.

use std::rc::Rc;

use loopscope_interp::builtins::{add_methods, native_object, with_native};
use loopscope_interp::bytecode::{BinOp, CmpOp};
use loopscope_interp::modules::deque::DequeData;
use loopscope_interp::value::attrs::AttrMap;
use loopscope_interp::value::string::intern;
use loopscope_interp::value::{Args, Class, GenKind, PyDict, PyResult, PyStr, Unwind, Value};
use loopscope_interp::value::{IdCounter, Instance, Layout, Payload};
use loopscope_interp::vm::types::new_class;
use loopscope_interp::vm::{ExcType, Vm};
use loopscope_trace::{EventKind, Settlement};

use crate::natives::{object_id, record_settled, safe_repr};
use crate::world::{internal_error, world};

/// What the native methods need from asyncio's Python side, handed over
/// by `install_future` and `install_task`.
#[derive(Clone)]
pub struct AsyncioRefs {
    pub cancelled_error: Rc<Class>,
    pub invalid_state_error: Value,
    /// `events._get_event_loop`.
    pub get_event_loop: Value,
    /// `tasks._current_tasks`: the running task of each loop.
    pub current_tasks: Option<Rc<PyDict>>,
    /// `tasks._all_tasks`: unfinished tasks by `id()`.
    pub all_tasks: Option<Rc<PyDict>>,
    /// The `id` builtin.
    pub id: Value,
    /// The class of what `Future.__await__()` returns.
    pub future_iter: Option<Rc<Class>>,
    /// `Future` and `Task`.
    pub future_class: Value,
    pub task_class: Value,
    /// `QueueEmpty` and `QueueFull`.
    pub queue_empty: Option<Value>,
    pub queue_full: Option<Value>,
    /// What the native `async with semaphore:` needs (locks.rs).
    pub semaphore: Option<Rc<crate::locks::SemaphoreRefs>>,
    /// Tasks named so far (`Task-N`), shared by the copies of these refs.
    pub task_count: Rc<std::cell::Cell<u64>>,
}

/// Interned attribute names, made once per thread.
struct Names {
    /// `__hash__`.
    hash: Rc<PyStr>,
    state: Rc<PyStr>,
    result: Rc<PyStr>,
    exception: Rc<PyStr>,
    exception_tb: Rc<PyStr>,
    loop_: Rc<PyStr>,
    callbacks: Rc<PyStr>,
    cancel_message: Rc<PyStr>,
    cancelled_exc: Rc<PyStr>,
    log_traceback: Rc<PyStr>,
    blocking: Rc<PyStr>,
    call_soon: Rc<PyStr>,
    context: Rc<PyStr>,
    msg: Rc<PyStr>,
    with_traceback: Rc<PyStr>,
    traceback: Rc<PyStr>,
    must_cancel: Rc<PyStr>,
    coro: Rc<PyStr>,
    fut_waiter: Rc<PyStr>,
    task_context: Rc<PyStr>,
    task_step: Rc<PyStr>,
    task_wakeup: Rc<PyStr>,
    add_done_callback: Rc<PyStr>,
    cancel: Rc<PyStr>,
    get_loop: Rc<PyStr>,
    send: Rc<PyStr>,
    throw: Rc<PyStr>,
    done: Rc<PyStr>,
    name: Rc<PyStr>,
    num_cancels_requested: Rc<PyStr>,
    log_destroy_pending: Rc<PyStr>,
    waiters: Rc<PyStr>,
    value: Rc<PyStr>,
    set_result: Rc<PyStr>,
    cancelled_method: Rc<PyStr>,
    done_method: Rc<PyStr>,
    exception_method: Rc<PyStr>,
    cancelled: Value,
    finished: Value,
}

thread_local! {
    static NAMES: Rc<Names> = Rc::new(Names {
        hash: intern("__hash__"),
        state: intern("_state"),
        result: intern("_result"),
        exception: intern("_exception"),
        exception_tb: intern("_exception_tb"),
        loop_: intern("_loop"),
        callbacks: intern("_callbacks"),
        cancel_message: intern("_cancel_message"),
        cancelled_exc: intern("_cancelled_exc"),
        log_traceback: intern("_log_traceback"),
        blocking: intern("_asyncio_future_blocking"),
        call_soon: intern("call_soon"),
        context: intern("context"),
        msg: intern("msg"),
        with_traceback: intern("with_traceback"),
        traceback: intern("__traceback__"),
        must_cancel: intern("_must_cancel"),
        coro: intern("_coro"),
        fut_waiter: intern("_fut_waiter"),
        task_context: intern("_context"),
        task_step: intern("task_step"),
        task_wakeup: intern("task_wakeup"),
        add_done_callback: intern("add_done_callback"),
        cancel: intern("cancel"),
        get_loop: intern("get_loop"),
        send: intern("send"),
        throw: intern("throw"),
        done: intern("done"),
        name: intern("_name"),
        num_cancels_requested: intern("_num_cancels_requested"),
        log_destroy_pending: intern("_log_destroy_pending"),
        waiters: intern("_waiters"),
        value: intern("_value"),
        set_result: intern("set_result"),
        cancelled_method: intern("cancelled"),
        done_method: intern("done"),
        exception_method: intern("exception"),
        cancelled: Value::Str(intern("CANCELLED")),
        finished: Value::Str(intern("FINISHED")),
    });
}

fn names() -> Rc<Names> {
    NAMES.with(Rc::clone)
}

/// `(Future, Task)`, once asyncio's tasks are installed.
pub fn classes(vm: &mut Vm) -> PyResult<(Value, Value)> {
    let refs = refs(vm)?;
    if refs.task_class.is_none() {
        return Err(internal_error(vm, "asyncio's tasks are not installed"));
    }
    Ok((refs.future_class.clone(), refs.task_class.clone()))
}

pub(crate) fn refs(vm: &mut Vm) -> PyResult<Rc<AsyncioRefs>> {
    match world(vm)?.asyncio.clone() {
        Some(refs) => Ok(refs),
        None => Err(internal_error(vm, "asyncio's futures are not installed")),
    }
}

/// Reads an attribute asyncio keeps on its objects: from the instance's
/// own dict when it is there (asyncio's private names are plain data,
/// never descriptors, so this is what the attribute protocol would find,
/// without its class lookups); else the class's default (`_state =
/// _PENDING`, `_result = None`, ... in futures.py) when it is a plain
/// value no descriptor protocol applies to and the class reads attributes
/// the standard way; else by the attribute protocol.
#[inline]
pub(crate) fn get(vm: &mut Vm, object: &Value, name: &Rc<PyStr>) -> PyResult<Value> {
    if let Value::Instance(instance) = object {
        if instance.dict_object.borrow().is_none() {
            if let Some(value) = dict_get(&instance.dict.borrow(), name) {
                return Ok(value.clone());
            }
            let class = instance.class.borrow().clone();
            if class.hooks().standard_getattribute {
                if let Some(
                    value @ (Value::None | Value::Bool(_) | Value::Int(_) | Value::Str(_)),
                ) = class.lookup_name(name)
                {
                    return Ok(value);
                }
            }
        }
    }
    vm.get_attr(object, name)
}

/// Sets an attribute asyncio keeps on its objects: straight into the
/// instance's dict when its class has the standard `__setattr__`, else by
/// the attribute protocol.
#[inline]
pub(crate) fn set(vm: &mut Vm, object: &Value, name: &Rc<PyStr>, value: Value) -> PyResult<()> {
    if let Value::Instance(instance) = object {
        if instance.dict_object.borrow().is_none()
            && instance.class.borrow().hooks().standard_setattr
        {
            let mut dict = instance.dict.borrow_mut();
            let value = match hint(name) {
                Some(at) => match dict.replace_at_if_named(at, name, value) {
                    Ok(_old) => return Ok(()),
                    Err(value) => value,
                },
                None => value,
            };
            let before = dict.len();
            dict.insert(name.clone(), value);
            if dict.len() > before {
                remember(name, before);
            }
            return Ok(());
        }
    }
    vm.set_attr(object, name, value)
}

const HINT_SLOTS: usize = 256;

thread_local! {
    /// Where a name was last found in an instance's dict, by the name's
    /// address: asyncio makes its objects with their attributes in one
    /// order, so the next object of a kind usually holds the name at the
    /// same position. Only a hint: the key there is checked.
    static HINTS: [std::cell::Cell<(usize, usize)>; HINT_SLOTS] =
        const { [const { std::cell::Cell::new((0, 0)) }; HINT_SLOTS] };
}

fn hint_slot(name: &Rc<PyStr>) -> (usize, usize) {
    let address = Rc::as_ptr(name) as usize;
    (
        address,
        ((address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize % HINT_SLOTS,
    )
}

/// The remembered position of `name`, if any.
#[inline]
fn hint(name: &Rc<PyStr>) -> Option<usize> {
    let (address, slot) = hint_slot(name);
    HINTS.with(|hints| match hints.get(slot).map(std::cell::Cell::get) {
        Some((known, at)) if known == address => Some(at),
        _ => None,
    })
}

#[inline]
fn remember(name: &Rc<PyStr>, at: usize) {
    let (address, slot) = hint_slot(name);
    HINTS.with(|hints| {
        if let Some(cell) = hints.get(slot) {
            cell.set((address, at));
        }
    });
}

/// `dict[name]` of an instance dict, trying the remembered position first.
#[inline]
pub(crate) fn dict_get<'a>(dict: &'a AttrMap, name: &Rc<PyStr>) -> Option<&'a Value> {
    if let Some(at) = hint(name) {
        if let Some(value) = dict.value_at_if_named(at, name) {
            return Some(value);
        }
    }
    let at = dict.position_of_name(name)?;
    remember(name, at);
    dict.value_at(at)
}

/// A future's `_state` (futures.py `_PENDING`, `_CANCELLED`, `_FINISHED`).
#[derive(Clone, Copy, PartialEq)]
enum State {
    Pending,
    Cancelled,
    Finished,
    /// Something a program stored there itself.
    Other,
}

fn state(vm: &mut Vm, n: &Names, future: &Value) -> PyResult<State> {
    Ok(match get(vm, future, &n.state)? {
        Value::Str(s) => match s.as_str() {
            "PENDING" => State::Pending,
            "CANCELLED" => State::Cancelled,
            "FINISHED" => State::Finished,
            _ => State::Other,
        },
        _ => State::Other,
    })
}

/// `raise exc` of Python code: the exception being handled becomes its
/// `__context__`.
pub(crate) fn raise(vm: &mut Vm, exc: Value) -> Unwind {
    vm.set_context(&exc);
    Unwind::Exception(exc)
}

/// `raise InvalidStateError(message)`.
fn invalid_state(vm: &mut Vm, refs: &AsyncioRefs, message: &str) -> Unwind {
    match vm.call(&refs.invalid_state_error, vec![Value::str(message)]) {
        Ok(exc) => raise(vm, exc),
        Err(error) => error,
    }
}

/// The receiver of a method taking no other argument (`name` qualified,
/// as CPython's C methods word their errors).
fn receiver_only(vm: &mut Vm, name: &str, args: &mut Args) -> PyResult<Value> {
    if args.positional.is_empty() {
        return Err(vm.type_error(format!("unbound method {name}() needs an argument")));
    }
    let this = args.positional.remove(0);
    vm.no_args(name, args, 0)?;
    Ok(this)
}

/// `(receiver, positional..., keyword values by name)` of a method whose
/// signature is `(self, <positional names>, *, <keyword names>)`, every
/// parameter after `required` positionals optional; errors as CPython
/// words them for a Python function named `qualname`.
fn bind(
    vm: &mut Vm,
    qualname: &str,
    args: &mut Args,
    positional: &[&str],
    required: usize,
    keyword_only: &[&str],
) -> PyResult<(Value, Vec<Option<Value>>)> {
    let this = vm.receiver(qualname, args)?;
    let given = args.positional.len();
    if given > positional.len() {
        let takes = positional.len() + 1;
        let plural = if takes == 1 { "" } else { "s" };
        return Err(vm.type_error(format!(
            "{qualname}() takes {takes} positional argument{plural} but {} were given",
            given + 1
        )));
    }
    let mut values: Vec<Option<Value>> = std::mem::take(&mut args.positional)
        .into_iter()
        .map(Some)
        .collect();
    values.resize(positional.len() + keyword_only.len(), None);
    for (key, value) in std::mem::take(&mut args.keywords) {
        let slot = positional
            .iter()
            .chain(keyword_only.iter())
            .position(|name| *name == key.as_str());
        match slot {
            Some(i) if values[i].is_none() => values[i] = Some(value),
            Some(_) => {
                return Err(vm.type_error(format!(
                    "{qualname}() got multiple values for argument '{}'",
                    key.as_str()
                )))
            }
            None => {
                return Err(vm.type_error(format!(
                    "{qualname}() got an unexpected keyword argument '{}'",
                    key.as_str()
                )))
            }
        }
    }
    if let Some(missing) = (0..required).find(|&i| values[i].is_none()) {
        return Err(vm.type_error(format!(
            "{qualname}() missing 1 required positional argument: '{}'",
            positional[missing]
        )));
    }
    Ok((this, values))
}

/// `loop.call_soon(callback, *args, context=context)`.
fn call_soon(
    vm: &mut Vm,
    n: &Names,
    event_loop: &Value,
    callback: Value,
    mut args: Vec<Value>,
    context: Value,
) -> PyResult<Value> {
    if crate::eventloop::has_native_call_soon(vm, event_loop) {
        return crate::eventloop::call_soon(vm, event_loop, callback, args, context);
    }
    let method = vm.get_attr(event_loop, &n.call_soon)?;
    args.insert(0, callback);
    vm.call_with(&method, args, vec![(n.context.clone(), context)])
}

/// A new instance of one of asyncio's classes, made directly when the
/// class is instantiated the standard way (`object.__new__`, and the
/// native `__init__` of `owner`, which the caller then runs): what calling
/// the class would make, with the same id, without the generic call's
/// argument binding, and with room for its attributes. None when the
/// class is instantiated some other way (the caller then calls it).
pub(crate) fn new_instance(vm: &Vm, class: &Value, owner: &str, capacity: usize) -> Option<Value> {
    let Value::Class(class) = class else {
        return None;
    };
    let standard = INSTANCE_NAMES.with(|(new, init)| {
        matches!(class.lookup_name(new), Some(Value::Builtin(b)) if b.owner == Some("object"))
            && matches!(
                class.lookup_name(init),
                Some(Value::Builtin(b)) if b.owner == Some(owner) && b.name.as_str() == "__init__"
            )
    });
    if !standard {
        return None;
    }
    Some(Value::Instance(Rc::new(Instance {
        class: std::cell::RefCell::new(class.clone()),
        dict: std::cell::RefCell::new(AttrMap::with_capacity(capacity)),
        dict_object: Default::default(),
        payload: Payload::None,
        id: vm.ids.next(),
        finalizer: vm.finalizer_for(class),
    })))
}

thread_local! {
    static INSTANCE_NAMES: (Rc<PyStr>, Rc<PyStr>) = (intern("__new__"), intern("__init__"));
}

/// `Future(loop=event_loop)`.
pub(crate) fn new_future(vm: &mut Vm, event_loop: Value) -> PyResult<Value> {
    let class = refs(vm)?.future_class.clone();
    if let Some(future) = new_instance(vm, &class, "Future", 8) {
        init_future(vm, &future, event_loop)?;
        return Ok(future);
    }
    vm.call_with(&class, Vec::new(), vec![(intern("loop"), event_loop)])
}

// ---------------------------------------------------------------- Future

/// `_loopscope.install_future(Future, CancelledError, InvalidStateError,
/// _get_event_loop)`: puts the native methods into `Future`.
pub fn install_future(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args(
        "install_future",
        args,
        &[
            "cls",
            "cancelled_error",
            "invalid_state_error",
            "get_event_loop",
        ],
        4,
    )?;
    let (Some(Value::Class(class)), Some(Value::Class(cancelled_error))) = (&a[0], &a[1]) else {
        return Err(internal_error(vm, "install_future needs classes"));
    };
    let refs = AsyncioRefs {
        cancelled_error: cancelled_error.clone(),
        invalid_state_error: a[2].clone().unwrap_or(Value::None),
        get_event_loop: a[3].clone().unwrap_or(Value::None),
        current_tasks: None,
        all_tasks: None,
        id: Value::None,
        future_iter: None,
        task_count: Default::default(),
        future_class: Value::Class(class.clone()),
        task_class: Value::None,
        queue_empty: None,
        queue_full: None,
        semaphore: None,
    };
    world(vm)?.asyncio = Some(Rc::new(refs));
    add_methods(
        class,
        "Future",
        &[
            ("__init__", future_init),
            ("done", future_done),
            ("cancelled", future_cancelled),
            ("get_loop", future_get_loop),
            ("result", future_result),
            ("exception", future_exception),
            ("_make_cancelled_error", future_make_cancelled_error),
            ("cancel", future_cancel),
            ("add_done_callback", future_add_done_callback),
            ("set_result", future_set_result),
            ("set_exception", future_set_exception),
        ],
    );
    Ok(Value::None)
}

/// CPython `future_init`: `Future(*, loop=None)`.
fn future_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    if args.positional.len() > 1 {
        // CPython's Argument Clinic wording for `Future(*, loop=None)`.
        return Err(vm.type_error("Future() takes no positional arguments"));
    }
    let (this, a) = bind(vm, "Future.__init__", args, &[], 0, &["loop"])?;
    init_future(
        vm,
        &this,
        a.into_iter().next().flatten().unwrap_or(Value::None),
    )?;
    Ok(Value::None)
}

fn init_future(vm: &mut Vm, this: &Value, event_loop: Value) -> PyResult<()> {
    let n = names();
    let event_loop = if event_loop.is_none() {
        let get_event_loop = refs(vm)?.get_event_loop.clone();
        vm.call(&get_event_loop, Vec::new())?
    } else {
        event_loop
    };
    set(vm, this, &n.loop_, event_loop)?;
    set(vm, this, &n.callbacks, Value::list(Vec::new()))?;
    let future = object_id(this);
    world(vm)?.record(EventKind::FutureCreated { future });
    Ok(())
}

fn future_done(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Future.done", args)?;
    Ok(Value::Bool(state(vm, &names(), &this)? != State::Pending))
}

fn future_cancelled(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Future.cancelled", args)?;
    Ok(Value::Bool(state(vm, &names(), &this)? == State::Cancelled))
}

fn future_get_loop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Future.get_loop", args)?;
    let event_loop = get(vm, &this, &names().loop_)?;
    if event_loop.is_none() {
        return Err(vm.error(ExcType::RuntimeError, "Future object is not initialized."));
    }
    Ok(event_loop)
}

/// The CancelledError to raise; the saved one is used only once (CPython
/// `_asyncio_Future__make_cancelled_error_impl`).
fn make_cancelled_error(vm: &mut Vm, n: &Names, this: &Value) -> PyResult<Value> {
    let saved = get(vm, this, &n.cancelled_exc)?;
    if !saved.is_none() {
        set(vm, this, &n.cancelled_exc, Value::None)?;
        return Ok(saved);
    }
    let message = get(vm, this, &n.cancel_message)?;
    let class = Value::Class(refs(vm)?.cancelled_error.clone());
    let exc = if message.is_none() {
        vm.call(&class, Vec::new())?
    } else {
        vm.call(&class, vec![message])?
    };
    // (futures.py then sets `exc.__context__` to the saved exception,
    // which is None here.)
    set(vm, this, &n.cancelled_exc, Value::None)?;
    Ok(exc)
}

fn future_make_cancelled_error(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Future._make_cancelled_error", args)?;
    make_cancelled_error(vm, &names(), &this)
}

/// What `result()` and `exception()` check first: a cancelled future
/// raises its `CancelledError`, a pending one `InvalidStateError(not_set)`;
/// a finished one counts as retrieved (`_log_traceback = False`).
fn expect_finished(vm: &mut Vm, n: &Names, this: &Value, not_set: &str) -> PyResult<()> {
    match state(vm, n, this)? {
        State::Cancelled => {
            let exc = make_cancelled_error(vm, n, this)?;
            return Err(raise(vm, exc));
        }
        State::Finished => {}
        State::Pending | State::Other => {
            let refs = refs(vm)?;
            return Err(invalid_state(vm, &refs, not_set));
        }
    }
    set(vm, this, &n.log_traceback, Value::Bool(false))?;
    Ok(())
}

/// CPython `_asyncio_Future_result_impl`.
pub(crate) fn future_result(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Future.result", args)?;
    let n = names();
    expect_finished(vm, &n, &this, "Result is not set.")?;
    let exception = get(vm, &this, &n.exception)?;
    if !exception.is_none() {
        let traceback = get(vm, &this, &n.exception_tb)?;
        let with_traceback = get(vm, &exception, &n.with_traceback)?;
        let exc = vm.call(&with_traceback, vec![traceback])?;
        return Err(raise(vm, exc));
    }
    get(vm, &this, &n.result)
}

/// CPython `_asyncio_Future_exception_impl`.
fn future_exception(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Future.exception", args)?;
    let n = names();
    expect_finished(vm, &n, &this, "Exception is not set.")?;
    get(vm, &this, &n.exception)
}

/// CPython `future_schedule_callbacks`: every callback through the loop's
/// `call_soon`, in registration order; the list is emptied first.
fn schedule_callbacks(vm: &mut Vm, n: &Names, this: &Value) -> PyResult<()> {
    let callbacks = match get(vm, this, &n.callbacks)? {
        Value::List(list) => std::mem::take(&mut *list.borrow_mut()),
        _ => return Err(internal_error(vm, "a future's _callbacks is not a list")),
    };
    for entry in callbacks {
        let (callback, context) = match &entry {
            Value::Tuple(t) if t.items.len() == 2 => (t.items[0].clone(), t.items[1].clone()),
            _ => {
                return Err(internal_error(
                    vm,
                    "a future's callback entry is not a pair",
                ))
            }
        };
        let event_loop = get(vm, this, &n.loop_)?;
        call_soon(vm, n, &event_loop, callback, vec![this.clone()], context)?;
    }
    Ok(())
}

/// CPython `future_cancel`: `Future.cancel(self, msg=None)`.
fn future_cancel(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind(vm, "Future.cancel", args, &["msg"], 0, &[])?;
    let message = a.into_iter().next().flatten().unwrap_or(Value::None);
    Ok(Value::Bool(cancel_future(vm, &this, message)?))
}

fn cancel_future(vm: &mut Vm, this: &Value, message: Value) -> PyResult<bool> {
    let n = names();
    set(vm, this, &n.log_traceback, Value::Bool(false))?;
    if state(vm, &n, this)? != State::Pending {
        return Ok(false);
    }
    set(vm, this, &n.state, n.cancelled.clone())?;
    set(vm, this, &n.cancel_message, message)?;
    record_settled(vm, object_id(this), Settlement::Cancelled)?;
    schedule_callbacks(vm, &n, this)?;
    Ok(true)
}

/// CPython `_asyncio_Future_add_done_callback_impl`.
fn future_add_done_callback(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind(
        vm,
        "Future.add_done_callback",
        args,
        &["fn"],
        1,
        &["context"],
    )?;
    let mut a = a.into_iter();
    let callback = a.next().flatten().unwrap_or(Value::None);
    let context = a.next().flatten().unwrap_or(Value::None);
    add_done_callback(vm, &names(), &this, callback, context)?;
    Ok(Value::None)
}

fn add_done_callback(
    vm: &mut Vm,
    n: &Names,
    this: &Value,
    callback: Value,
    context: Value,
) -> PyResult<()> {
    if state(vm, n, this)? != State::Pending {
        let event_loop = get(vm, this, &n.loop_)?;
        call_soon(vm, n, &event_loop, callback, vec![this.clone()], context)?;
        return Ok(());
    }
    let entry = Value::tuple(vec![callback, context]);
    match get(vm, this, &n.callbacks)? {
        Value::List(list) => list.borrow_mut().push(entry),
        other => {
            let append = vm.get_attr(&other, &intern("append"))?;
            vm.call(&append, vec![entry])?;
        }
    }
    Ok(())
}

/// CPython `_asyncio_Future_set_result`.
fn future_set_result(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind(vm, "Future.set_result", args, &["result"], 1, &[])?;
    let result = a.into_iter().next().flatten().unwrap_or(Value::None);
    set_result(vm, &this, result)?;
    Ok(Value::None)
}

fn set_result(vm: &mut Vm, this: &Value, result: Value) -> PyResult<()> {
    let n = names();
    if state(vm, &n, this)? != State::Pending {
        // CPython's C Future (_asyncio) says only this.
        let refs = refs(vm)?;
        return Err(invalid_state(vm, &refs, "invalid state"));
    }
    set(vm, this, &n.result, result.clone())?;
    set(vm, this, &n.state, n.finished.clone())?;
    let settlement = Settlement::Result(safe_repr(vm, &result));
    record_settled(vm, object_id(this), settlement)?;
    schedule_callbacks(vm, &n, this)
}

/// CPython `_asyncio_Future_set_exception`.
fn future_set_exception(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind(vm, "Future.set_exception", args, &["exception"], 1, &[])?;
    let exception = a.into_iter().next().flatten().unwrap_or(Value::None);
    set_exception(vm, &this, exception)?;
    Ok(Value::None)
}

fn set_exception(vm: &mut Vm, this: &Value, exception: Value) -> PyResult<()> {
    let n = names();
    if state(vm, &n, this)? != State::Pending {
        // CPython's C Future (_asyncio) says only this.
        let refs = refs(vm)?;
        return Err(invalid_state(vm, &refs, "invalid state"));
    }
    let exception = match &exception {
        Value::Class(_) => vm.call(&exception, Vec::new())?,
        _ => exception,
    };
    let stop_iteration = vm.types.exception(ExcType::StopIteration);
    if Rc::ptr_eq(&vm.class_of(&exception), &stop_iteration) {
        let exc = match vm.error(
            ExcType::TypeError,
            "StopIteration interacts badly with generators and cannot be raised into a Future",
        ) {
            Unwind::Exception(exc) => exc,
            other => return Err(other),
        };
        return Err(raise(vm, exc));
    }
    let traceback = get(vm, &exception, &n.traceback)?;
    set(vm, this, &n.exception, exception.clone())?;
    set(vm, this, &n.exception_tb, traceback)?;
    set(vm, this, &n.state, n.finished.clone())?;
    let settlement = Settlement::Exception(vm.exception_summary(&exception));
    record_settled(vm, object_id(this), settlement)?;
    schedule_callbacks(vm, &n, this)?;
    set(vm, this, &n.log_traceback, Value::Bool(true))
}

// ---------------------------------------------------------------- Task

/// `_loopscope.install_task(Task, _current_tasks, _all_tasks, id)`: puts the
/// native methods into `Task` (after `install_future`).
pub fn install_task(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args(
        "install_task",
        args,
        &["cls", "current_tasks", "all_tasks", "id"],
        4,
    )?;
    let (Some(Value::Class(class)), Some(Value::Dict(current)), Some(Value::Dict(all))) =
        (&a[0], &a[1], &a[2])
    else {
        return Err(internal_error(
            vm,
            "install_task needs a class and two dicts",
        ));
    };
    let mut refs = (*refs(vm)?).clone();
    refs.current_tasks = Some(current.clone());
    refs.all_tasks = Some(all.clone());
    refs.id = a[3].clone().unwrap_or(Value::None);
    refs.task_class = Value::Class(class.clone());
    world(vm)?.asyncio = Some(Rc::new(refs));
    add_methods(
        class,
        "Task",
        &[
            ("__init__", task_init),
            ("task_step", task_step),
            ("task_wakeup", task_wakeup),
        ],
    );
    Ok(Value::None)
}

/// `Task(coro, *, loop=None, name=None, context=None)` (CPython
/// `_asyncio_Task___init___impl`, with tasks.py's trace hook).
fn task_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind(
        vm,
        "Task.__init__",
        args,
        &["coro"],
        1,
        &["loop", "name", "context"],
    )?;
    let [coro, event_loop, name, context] = <[Option<Value>; 4]>::try_from(a).unwrap_or_default();
    init_task(
        vm,
        &this,
        coro.unwrap_or(Value::None),
        event_loop,
        name,
        context,
    )?;
    Ok(Value::None)
}

/// The work of `Task.__init__` on a new task (see [`task_init`]).
pub(crate) fn init_task(
    vm: &mut Vm,
    this: &Value,
    coro: Value,
    event_loop: Option<Value>,
    name: Option<Value>,
    context: Option<Value>,
) -> PyResult<()> {
    let this = this.clone();
    let n = names();
    // The Python __init__ this replaces called `super().__init__`: its
    // `super()` object took an object id, which is spent here too so that
    // every object keeps the id it had.
    vm.ids.next();
    init_future(vm, &this, event_loop.unwrap_or(Value::None))?;
    if !crate::natives::is_coroutine_value(vm, &coro) {
        set(vm, &this, &n.log_destroy_pending, Value::Bool(false))?;
        let coro = vm.repr_of(&coro)?;
        let exc = match vm.error(
            ExcType::TypeError,
            format!("a coroutine was expected, got {coro}"),
        ) {
            Unwind::Exception(exc) => exc,
            other => return Err(other),
        };
        return Err(raise(vm, exc));
    }
    let name = match name {
        None | Some(Value::None) => {
            let refs = refs(vm)?;
            let count = refs.task_count.get() + 1;
            refs.task_count.set(count);
            format!("Task-{count}")
        }
        Some(name) => vm.str_of(&name)?,
    };
    let context = context.unwrap_or(Value::None);
    set(vm, &this, &n.name, Value::string(name.clone()))?;
    set(vm, &this, &n.num_cancels_requested, Value::Int(0))?;
    set(vm, &this, &n.must_cancel, Value::Bool(false))?;
    set(vm, &this, &n.fut_waiter, Value::None)?;
    set(vm, &this, &n.coro, coro.clone())?;
    set(vm, &this, &n.task_context, context.clone())?;
    crate::natives::record_task_created(vm, &this, &coro, name)?;
    let event_loop = get(vm, &this, &n.loop_)?;
    let step = vm.get_attr(&this, &n.task_step)?;
    let context = get(vm, &this, &n.task_context)?;
    call_soon(vm, &n, &event_loop, step, Vec::new(), context)?;
    // tasks.py _register_task.
    let refs = refs(vm)?;
    if let Some(all) = &refs.all_tasks {
        let key = python_id(vm, &refs, &this)?;
        all.set(vm, key, this)?;
    }
    Ok(())
}

/// `Task.task_step(self, exc=None)` (CPython `task_step`).
fn task_step(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind(vm, "Task.task_step", args, &["exc"], 0, &[])?;
    let exc = a.into_iter().next().flatten().unwrap_or(Value::None);
    step(vm, &this, exc)?;
    Ok(Value::None)
}

/// `Task.task_wakeup(self, future)`: the awaited future is done; step
/// again, throwing in its exception (CPython `task_wakeup_impl`).
fn task_wakeup(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind(vm, "Task.task_wakeup", args, &["future"], 1, &[])?;
    let future = a.into_iter().next().flatten().unwrap_or(Value::None);
    let result = vm.get_attr(&future, &intern("result"))?;
    match vm.call(&result, Vec::new()) {
        Ok(_) => step(vm, &this, Value::None)?,
        Err(Unwind::Exception(exc)) => step(vm, &this, exc)?,
        Err(halt) => return Err(halt),
    }
    Ok(Value::None)
}

fn current_tasks(vm: &mut Vm, refs: &AsyncioRefs) -> PyResult<Rc<PyDict>> {
    match &refs.current_tasks {
        Some(dict) => Ok(dict.clone()),
        None => Err(internal_error(vm, "asyncio's tasks are not installed")),
    }
}

/// The event loop's hash for `_current_tasks`, computed once for both
/// operations of `_enter_task` or `_leave_task` when its class hashes it
/// natively (object's `__hash__`: no Python runs, so nobody can count the
/// calls); None when a Python `__hash__` must run for each, as in tasks.py.
fn native_loop_hash(vm: &mut Vm, event_loop: &Value) -> PyResult<Option<i64>> {
    let native = match event_loop {
        Value::Instance(instance) => {
            let name = &names().hash;
            let hash = instance.class.borrow().lookup_name(name);
            hash.is_some_and(|hash| {
                vm.types
                    .object
                    .dict
                    .borrow()
                    .get_name(name)
                    .is_some_and(|object_hash| object_hash.is(&hash))
            })
        }
        _ => false,
    };
    if native {
        vm.hash_value(event_loop).map(Some)
    } else {
        Ok(None)
    }
}

/// tasks.py `_enter_task`.
fn enter_task(vm: &mut Vm, refs: &AsyncioRefs, event_loop: &Value, task: &Value) -> PyResult<()> {
    let tasks = current_tasks(vm, refs)?;
    let hash = native_loop_hash(vm, event_loop)?;
    let current = match hash {
        Some(hash) => tasks.get_hashed(vm, event_loop, hash)?,
        None => tasks.get(vm, event_loop)?,
    };
    if let Some(current) = current {
        if !current.is_none() {
            let task = vm.repr_of(task)?;
            let current = vm.repr_of(&current)?;
            return Err(vm.error(
                ExcType::RuntimeError,
                format!(
                    "Cannot enter into task {task} while another task {current} is being executed."
                ),
            ));
        }
    }
    match hash {
        Some(hash) => tasks.set_hashed(vm, event_loop.clone(), hash, task.clone()),
        None => tasks.set(vm, event_loop.clone(), task.clone()),
    }
}

/// tasks.py `_leave_task`.
fn leave_task(vm: &mut Vm, refs: &AsyncioRefs, event_loop: &Value, task: &Value) -> PyResult<()> {
    let tasks = current_tasks(vm, refs)?;
    let hash = native_loop_hash(vm, event_loop)?;
    let current = match hash {
        Some(hash) => tasks.get_hashed(vm, event_loop, hash)?,
        None => tasks.get(vm, event_loop)?,
    }
    .unwrap_or(Value::None);
    if !current.is(task) {
        let task = vm.repr_of(task)?;
        let current = vm.repr_of(&current)?;
        return Err(vm.error(
            ExcType::RuntimeError,
            format!("Leaving task {task} does not match the current task {current}."),
        ));
    }
    match hash {
        Some(hash) => tasks.remove_hashed(vm, event_loop, hash)?,
        None => tasks.remove(vm, event_loop)?,
    };
    Ok(())
}

/// `id(task)`, by the `id` builtin (the key of `_all_tasks`).
fn python_id(vm: &mut Vm, refs: &AsyncioRefs, value: &Value) -> PyResult<Value> {
    vm.call(&refs.id, vec![value.clone()])
}

/// One step: run the coroutine to its next suspension (CPython
/// `task_step_impl`, as tasks.py wrote it for Loopscope with its trace
/// hooks).
fn step(vm: &mut Vm, this: &Value, exc: Value) -> PyResult<()> {
    let n = names();
    let refs = refs(vm)?;
    if state(vm, &n, this)? != State::Pending {
        let task = vm.repr_of(this)?;
        let exc = vm.repr_of(&exc)?;
        return Err(invalid_state(
            vm,
            &refs,
            &format!("_step(): already done: {task}, {exc}"),
        ));
    }
    let mut exc = exc;
    let must_cancel = get(vm, this, &n.must_cancel)?;
    if vm.truthy(&must_cancel)? {
        if !vm.class_of(&exc).is_subclass_of(&refs.cancelled_error) {
            exc = make_cancelled_error(vm, &n, this)?;
        }
        set(vm, this, &n.must_cancel, Value::Bool(false))?;
    }
    let coro = get(vm, this, &n.coro)?;
    set(vm, this, &n.fut_waiter, Value::None)?;
    let event_loop = get(vm, this, &n.loop_)?;
    enter_task(vm, &refs, &event_loop, this)?;
    let outcome = step_body(vm, &n, &refs, this, &coro, exc);
    if let Err(Unwind::Halt(_)) = outcome {
        return outcome;
    }
    // finally:
    let event_loop = get(vm, this, &n.loop_)?;
    leave_task(vm, &refs, &event_loop, this)?;
    if state(vm, &n, this)? != State::Pending {
        // CPython's _all_tasks is a WeakSet: it never keeps a task alive,
        // so a finished task goes (and its finalizer runs) when the
        // program drops it.
        if let Some(all) = &refs.all_tasks {
            let key = python_id(vm, &refs, this)?;
            all.remove(vm, &key)?;
        }
    }
    outcome
}

/// The `try` of [`step`]: resume the coroutine and act on what it did.
fn step_body(
    vm: &mut Vm,
    n: &Names,
    refs: &AsyncioRefs,
    this: &Value,
    coro: &Value,
    exc: Value,
) -> PyResult<()> {
    let task = object_id(this);
    let thrown = if exc.is_none() {
        None
    } else {
        Some(vm.exception_summary(&exc))
    };
    let w = world(vm)?;
    w.actors.push(loopscope_trace::Actor::Task(task));
    w.record(EventKind::TaskResumed { task, thrown });
    let resumed = match coro {
        Value::Generator(g) if exc.is_none() => vm.generator_send(g, Value::None),
        Value::Generator(g) => vm.generator_throw(g, exc),
        _ => {
            if exc.is_none() {
                let send = get(vm, coro, &n.send)?;
                vm.call(&send, vec![Value::None])
            } else {
                let throw = get(vm, coro, &n.throw)?;
                vm.call(&throw, vec![exc])
            }
        }
    };
    // What the coroutine dropped is finalized before the step goes on, as
    // the next instruction of a Python step would have done.
    if !matches!(resumed, Err(Unwind::Halt(_))) {
        vm.run_finalizers()?;
    }
    let result = match resumed {
        Ok(result) => result,
        Err(Unwind::Exception(error)) => {
            world(vm)?.actors.pop();
            let class = vm.class_of(&error);
            if class.is_subclass_of(&vm.types.exception(ExcType::StopIteration)) {
                let must_cancel = get(vm, this, &n.must_cancel)?;
                if vm.truthy(&must_cancel)? {
                    set(vm, this, &n.must_cancel, Value::Bool(false))?;
                    let message = get(vm, this, &n.cancel_message)?;
                    cancel_future(vm, this, message)?;
                } else {
                    let value = vm.stop_iteration_value(&error);
                    set_result(vm, this, value)?;
                }
            } else if class.is_subclass_of(&refs.cancelled_error) {
                set(vm, this, &n.cancelled_exc, error)?;
                cancel_future(vm, this, Value::None)?;
            } else if class.is_subclass_of(&vm.types.exception(ExcType::KeyboardInterrupt))
                || class.is_subclass_of(&vm.types.exception(ExcType::SystemExit))
            {
                set_exception(vm, this, error.clone())?;
                return Err(Unwind::Exception(error));
            } else {
                set_exception(vm, this, error)?;
            }
            return Ok(());
        }
        Err(halt) => return Err(halt),
    };
    // The step ended at a suspension.
    crate::natives::record_task_suspended(vm, task, coro, &result)?;
    // getattr(result, '_asyncio_future_blocking', None)
    let blocking = match get(vm, &result, &n.blocking) {
        Ok(value) => value,
        Err(Unwind::Exception(exc)) if vm.is_exception(&exc, ExcType::AttributeError) => {
            Value::None
        }
        Err(other) => return Err(other),
    };
    if !blocking.is_none() {
        let their_loop = get_loop_of(vm, n, &result)?;
        let event_loop = get(vm, this, &n.loop_)?;
        if !their_loop.is(&event_loop) {
            let task = vm.repr_of(this)?;
            let future = vm.repr_of(&result)?;
            let message = format!("Task {task} got Future {future} attached to a different loop");
            return reschedule_with_error(vm, n, this, message);
        }
        if vm.truthy(&blocking)? {
            if result.is(this) {
                let task = vm.repr_of(this)?;
                let message = format!("Task cannot await on itself: {task}");
                return reschedule_with_error(vm, n, this, message);
            }
            set(vm, &result, &n.blocking, Value::Bool(false))?;
            let wakeup = get(vm, this, &n.task_wakeup)?;
            let context = get(vm, this, &n.task_context)?;
            if is_native_method_of(vm, &result, &n.add_done_callback, "Future") {
                add_done_callback(vm, n, &result, wakeup, context)?;
            } else {
                let add = get(vm, &result, &n.add_done_callback)?;
                vm.call_with(&add, vec![wakeup], vec![(n.context.clone(), context)])?;
            }
            set(vm, this, &n.fut_waiter, result)?;
            let must_cancel = get(vm, this, &n.must_cancel)?;
            if vm.truthy(&must_cancel)? {
                let waiter = get(vm, this, &n.fut_waiter)?;
                let cancel = get(vm, &waiter, &n.cancel)?;
                let message = get(vm, this, &n.cancel_message)?;
                let cancelled =
                    vm.call_with(&cancel, Vec::new(), vec![(n.msg.clone(), message)])?;
                if vm.truthy(&cancelled)? {
                    set(vm, this, &n.must_cancel, Value::Bool(false))?;
                }
            }
            return Ok(());
        }
        let task = vm.repr_of(this)?;
        let future = vm.repr_of(&result)?;
        let message = format!("yield was used instead of yield from in task {task} with {future}");
        return reschedule_with_error(vm, n, this, message);
    }
    if result.is_none() {
        let event_loop = get(vm, this, &n.loop_)?;
        let step = get(vm, this, &n.task_step)?;
        let context = get(vm, this, &n.task_context)?;
        call_soon(vm, n, &event_loop, step, Vec::new(), context)?;
        return Ok(());
    }
    let message = if matches!(&result, Value::Generator(g) if g.kind == GenKind::Generator) {
        let task = vm.repr_of(this)?;
        let yielded = vm.repr_of(&result)?;
        format!("yield was used instead of yield from for generator in task {task} with {yielded}")
    } else {
        let yielded = vm.repr_of(&result)?;
        format!("Task got bad yield: {yielded}")
    };
    reschedule_with_error(vm, n, this, message)
}

/// `self._loop.call_soon(self.task_step, RuntimeError(message),
/// context=self._context)`.
fn reschedule_with_error(vm: &mut Vm, n: &Names, this: &Value, message: String) -> PyResult<()> {
    let new_exc = match vm.error(ExcType::RuntimeError, message) {
        Unwind::Exception(exc) => exc,
        other => return Err(other),
    };
    let event_loop = get(vm, this, &n.loop_)?;
    let step = get(vm, this, &n.task_step)?;
    let context = get(vm, this, &n.task_context)?;
    call_soon(vm, n, &event_loop, step, vec![new_exc], context)?;
    Ok(())
}

/// futures.py `_get_loop`: `fut.get_loop()`, else `fut._loop`.
fn get_loop_of(vm: &mut Vm, n: &Names, future: &Value) -> PyResult<Value> {
    // A plain Future or Task: its `_loop`, as CPython's C reads `fut_loop`.
    if let (Value::Instance(instance), Some(refs)) = (future, world(vm)?.asyncio.clone()) {
        let class = instance.class.borrow().clone();
        let plain = [&refs.future_class, &refs.task_class]
            .iter()
            .any(|c| matches!(c, Value::Class(c) if Rc::ptr_eq(c, &class)));
        if plain {
            let event_loop = get(vm, future, &n.loop_)?;
            if !event_loop.is_none() {
                return Ok(event_loop);
            }
        }
    }
    match vm.get_attr_opt(future, n.get_loop.as_str())? {
        Some(get_loop) => vm.call(&get_loop, Vec::new()),
        None => get(vm, future, &n.loop_),
    }
}

// ---------------------------------------------------------------- waking waiters

/// `future.done()`: read straight from `_state` when its class has the
/// native `done`, else by calling its own.
fn is_done(vm: &mut Vm, n: &Names, future: &Value) -> PyResult<bool> {
    // A plain Future (nearly every waiter) has the native method: only the
    // classes of other objects are looked at.
    let plain = match (future, world(vm)?.asyncio.as_ref()) {
        (Value::Instance(instance), Some(refs)) => matches!(
            &refs.future_class,
            Value::Class(class) if Rc::ptr_eq(class, &instance.class.borrow())
        ),
        _ => false,
    };
    let native = plain
        || matches!(
            vm.class_of(future).lookup_name(&n.done),
            Some(Value::Builtin(b)) if b.owner == Some("Future") && b.name.as_str() == "done"
        );
    if native {
        return Ok(state(vm, n, future)? != State::Pending);
    }
    let done = vm.get_attr(future, &n.done)?;
    let done = vm.call(&done, Vec::new())?;
    vm.truthy(&done)
}

/// `future.cancelled()`: read straight from `_state` for a plain
/// `Future`, else by calling its own method.
pub(crate) fn is_cancelled(vm: &mut Vm, future: &Value) -> PyResult<bool> {
    let n = names();
    let plain = match (future, world(vm)?.asyncio.as_ref()) {
        (Value::Instance(instance), Some(refs)) => matches!(
            &refs.future_class,
            Value::Class(class) if Rc::ptr_eq(class, &instance.class.borrow())
        ),
        _ => false,
    };
    if plain {
        return Ok(state(vm, &n, future)? == State::Cancelled);
    }
    let cancelled = vm.get_attr(future, &intern("cancelled"))?;
    let cancelled = vm.call(&cancelled, Vec::new())?;
    vm.truthy(&cancelled)
}

/// What one step of `await future` gave inside a native awaitable.
pub(crate) enum Awaited {
    /// The future is pending: yield it to the task (it now blocks).
    Yield(Value),
    /// The future is done: its result.
    Return(Value),
}

/// One step of `await future` (CPython `FutureIter_iternext`), for the
/// native awaitables that stand for asyncio's coroutines.
pub(crate) fn await_step(vm: &mut Vm, future: &Value) -> PyResult<Awaited> {
    let n = names();
    if state(vm, &n, future)? == State::Pending {
        let blocking = get(vm, future, &n.blocking)?;
        if !vm.truthy(&blocking)? {
            set(vm, future, &n.blocking, Value::Bool(true))?;
            return Ok(Awaited::Yield(future.clone()));
        }
        let exc = match vm.error(ExcType::RuntimeError, "await wasn't used with future") {
            Unwind::Exception(exc) => exc,
            other => return Err(other),
        };
        return Err(raise(vm, exc));
    }
    let mut args = Args::new(vec![future.clone()]);
    future_result(vm, &mut args).map(Awaited::Return)
}

/// `future.set_result(value)`, by the future's own method.
/// futures.py's `_set_result_unless_cancelled(fut, result)` (which every
/// `sleep` timer calls), run natively for a handle whose callback is that
/// function: `fut.cancelled()`, then `fut.set_result(result)`, each as the
/// method call when the future's class overrides it.
pub(crate) fn set_result_unless_cancelled(
    vm: &mut Vm,
    future: &Value,
    result: Value,
) -> PyResult<()> {
    let n = names();
    let cancelled = if is_native_method_of(vm, future, &n.cancelled_method, "Future") {
        state(vm, &n, future)? == State::Cancelled
    } else {
        let answer = call_method(vm, future, &n.cancelled_method, Vec::new())?;
        vm.truthy(&answer)?
    };
    if cancelled {
        return Ok(());
    }
    call_set_result(vm, future, result)
}

/// tasks.py's `gather.<locals>._done_callback(fut)` for a child that is
/// not the last to finish, when nothing in it can run program code: the
/// outer future still pending, the child finished without an exception
/// (or `return_exceptions` true), `done`, `cancelled` and `exception`
/// this module's. Then all the callback does is `nfinished += 1`, which is
/// done here on its closure cell; `false` (nothing done) otherwise, and the
/// function is called.
pub(crate) fn gather_done_callback_fast(
    vm: &mut Vm,
    callback: &Value,
    child: &Value,
) -> PyResult<bool> {
    let Value::Function(f) = callback else {
        return Ok(false);
    };
    if f.code.qualname.as_str() != "gather.<locals>._done_callback"
        || &*f.code.filename != "<frozen asyncio.tasks>"
    {
        return Ok(false);
    }
    let cell = |name: &str| {
        f.code
            .freevars
            .iter()
            .position(|v| v.as_str() == name)
            .and_then(|at| f.closure.get(at))
    };
    let (Some(nfinished_cell), Some(nfuts), Some(outer), Some(return_exceptions)) = (
        cell("nfinished"),
        cell("nfuts"),
        cell("outer"),
        cell("return_exceptions"),
    ) else {
        return Ok(false);
    };
    let (Some(Value::Int(nfinished)), Some(Value::Int(nfuts))) = (
        nfinished_cell.value.borrow().clone(),
        nfuts.value.borrow().clone(),
    ) else {
        return Ok(false);
    };
    let Some(Value::Bool(return_exceptions)) = return_exceptions.value.borrow().clone() else {
        return Ok(false);
    };
    let Some(outer) = outer.value.borrow().clone() else {
        return Ok(false);
    };
    let Some(finished) = nfinished.checked_add(1) else {
        return Ok(false);
    };
    if finished >= nfuts || outer.is_none() {
        return Ok(false);
    }
    let n = names();
    if !is_native_method_of(vm, &outer, &n.done_method, "Future")
        || state(vm, &n, &outer)? != State::Pending
    {
        return Ok(false);
    }
    if !return_exceptions
        && (!is_native_method_of(vm, child, &n.cancelled_method, "Future")
            || !is_native_method_of(vm, child, &n.exception_method, "Future")
            || state(vm, &n, child)? != State::Finished
            || !get(vm, child, &n.exception)?.is_none())
    {
        return Ok(false);
    }
    *nfinished_cell.value.borrow_mut() = Some(Value::Int(finished));
    Ok(true)
}

fn call_set_result(vm: &mut Vm, future: &Value, value: Value) -> PyResult<()> {
    let name = names().set_result.clone();
    if is_native_method_of(vm, future, &name, "Future") {
        return set_result(vm, future, value);
    }
    let set_result = vm.get_attr(future, &name)?;
    vm.call(&set_result, vec![value])?;
    Ok(())
}

/// `bool(value)` for the deques of waiters and items: a deque's length is
/// read directly (ours cannot be subclassed, so no `__bool__` or `__len__`
/// of the program's own applies); anything else asks the VM.
pub(crate) fn deque_truthy(vm: &mut Vm, value: &Value) -> PyResult<bool> {
    match with_native::<DequeData, _>(value, |d| !d.items.is_empty()) {
        Some(nonempty) => Ok(nonempty),
        None => vm.truthy(value),
    }
}

/// `len(value)`, a deque's read directly as in [`deque_truthy`].
fn deque_len(vm: &mut Vm, value: &Value) -> PyResult<usize> {
    match with_native::<DequeData, _>(value, |d| d.items.len()) {
        Some(len) => Ok(len),
        None => vm.len_of(value),
    }
}

/// The waiter at `index` of a deque of waiters (a snapshot for other
/// iterables).
fn waiter_at(
    vm: &mut Vm,
    waiters: &Value,
    snapshot: &mut Option<Vec<Value>>,
    index: usize,
) -> PyResult<Option<Value>> {
    if snapshot.is_none() {
        if let Some(found) = with_native::<DequeData, _>(waiters, |d| d.items.get(index).cloned()) {
            return Ok(found);
        }
        *snapshot = Some(vm.collect(waiters)?);
    }
    Ok(snapshot
        .as_ref()
        .and_then(|items| items.get(index).cloned()))
}

/// `_loopscope.install_waking(Semaphore)`: locks.py's waiter scan
/// `Semaphore._wake_up_next`, which every release runs.
pub fn install_waking(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("install_waking", args, &["cls"], 1)?;
    let Some(Value::Class(class)) = &a[0] else {
        return Err(internal_error(vm, "install_waking needs a class"));
    };
    add_methods(
        class,
        "Semaphore",
        &[("_wake_up_next", semaphore_wake_up_next)],
    );
    Ok(Value::None)
}

/// CPython 3.11 locks.Semaphore._wake_up_next: the first waiter not yet
/// done (woken or cancelled) gets the slot.
pub(crate) fn semaphore_wake_up_next(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "_wake_up_next", args)?;
    let n = names();
    let waiters = get(vm, &this, &n.waiters)?;
    if !deque_truthy(vm, &waiters)? {
        return Ok(Value::None);
    }
    // Woken waiters stay at the front of the deque until their tasks run
    // (the next iteration), so when many slots free up in one iteration
    // each release would look at all the ones woken before it. The hint
    // remembers those: the same objects, found by identity, are still done.
    let (mut known_done, plain_class) = take_wake_hint(vm, &waiters)?;
    let mut index = known_done.len();
    let mut snapshot = None;
    while let Some(future) = waiter_at(vm, &waiters, &mut snapshot, index)? {
        index += 1;
        if !is_done(vm, &n, &future)? {
            world(vm)?.wake_hint = Some(WakeHint {
                waiters,
                known_done,
            });
            let value = get(vm, &this, &n.value)?;
            let value = vm.binary_op(BinOp::Sub, &value, &Value::Int(1))?;
            set(vm, &this, &n.value, value)?;
            call_set_result(vm, &future, Value::Bool(true))?;
            return Ok(Value::None);
        }
        // Only plain futures (whose state cannot go back to pending) that
        // will not report a lost exception when freed (the hint delays
        // that), and only a run of them from the front.
        if known_done.len() == index - 1
            && snapshot.is_none()
            && is_instance_of(&future, &plain_class)
            && !logs_traceback(&future)
        {
            known_done.push(future);
        }
    }
    world(vm)?.wake_hint = Some(WakeHint {
        waiters,
        known_done,
    });
    Ok(Value::None)
}

/// The waiters at the front of a semaphore's deque that a
/// `_wake_up_next` found done: plain `Future`s, kept alive here so that
/// none of them can be replaced by a new object at the same address.
pub struct WakeHint {
    waiters: Value,
    known_done: Vec<Value>,
}

fn is_instance_of(value: &Value, class: &Option<Rc<Class>>) -> bool {
    match (value, class) {
        (Value::Instance(instance), Some(class)) => Rc::ptr_eq(class, &instance.class.borrow()),
        _ => false,
    }
}

/// Whether a future's `_log_traceback` is set in its own dict (its
/// `__del__` would then report the exception nobody retrieved).
fn logs_traceback(future: &Value) -> bool {
    match future {
        Value::Instance(instance) => {
            instance.dict_object.borrow().is_some()
                || !matches!(
                    instance.dict.borrow().get("_log_traceback"),
                    None | Some(Value::Bool(false))
                )
        }
        _ => true,
    }
}

fn same_object(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Instance(a), Value::Instance(b)) => Rc::ptr_eq(a, b),
        _ => false,
    }
}

/// The waiters still known done at the front of `waiters` (the hint's,
/// as far as the deque still starts with the same objects), and the plain
/// `Future` class.
fn take_wake_hint(vm: &mut Vm, waiters: &Value) -> PyResult<(Vec<Value>, Option<Rc<Class>>)> {
    let world = world(vm)?;
    let plain_class = match world.asyncio.as_ref().map(|refs| &refs.future_class) {
        Some(Value::Class(class)) => Some(class.clone()),
        _ => None,
    };
    let mut known_done = match world.wake_hint.take() {
        Some(hint) if same_deque(&hint.waiters, waiters) => hint.known_done,
        _ => return Ok((Vec::new(), plain_class)),
    };
    let still = with_native::<DequeData, _>(waiters, |d| {
        known_done
            .iter()
            .zip(d.items.iter())
            .take_while(|(known, item)| same_object(known, item))
            .count()
    })
    .unwrap_or(0);
    known_done.truncate(still);
    Ok((known_done, plain_class))
}

fn same_deque(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Instance(a), Value::Instance(b)) => Rc::ptr_eq(a, b),
        (Value::Native(a), Value::Native(b)) => Rc::ptr_eq(a, b),
        _ => false,
    }
}

/// CPython queues.Queue._wakeup_next(waiters): wakes the first waiter
/// not yet done, dropping the ones before it.
fn queue_wakeup_next(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("_wakeup_next", args)?;
    let a = vm.parse_args("_wakeup_next", args, &["waiters"], 1)?;
    drop(this);
    let waiters = a.into_iter().next().flatten().unwrap_or(Value::None);
    let n = names();
    while deque_truthy(vm, &waiters)? {
        let popped = with_native::<DequeData, _>(&waiters, |d| {
            d.state += 1;
            d.items.pop_front()
        });
        let waiter = match popped {
            Some(Some(waiter)) => waiter,
            Some(None) => break,
            None => {
                let popleft = vm.get_attr(&waiters, &intern("popleft"))?;
                vm.call(&popleft, Vec::new())?
            }
        };
        if !is_done(vm, &n, &waiter)? {
            call_set_result(vm, &waiter, Value::None)?;
            break;
        }
    }
    Ok(Value::None)
}

// ---------------------------------------------------------------- awaiting

/// Where a [`FutureIter`] is: not yet yielded, yielded its future at
/// least once, or exhausted (CPython clears `it->future`).
#[derive(Clone, Copy, PartialEq)]
enum IterState {
    Created,
    Suspended,
    Finished,
}

/// What `Future.__await__()` returns (CPython `_asyncio.FutureIter`): it
/// yields the future itself (setting `_asyncio_future_blocking`, which
/// tells the Task to wait for it), then returns its result.
pub struct FutureIter {
    future: Value,
    state: IterState,
}

/// What one step of a [`FutureIter`] gave.
enum IterStep {
    Yield(Value),
    Return(Value),
}

/// One step of the iterator, `value` sent in (CPython
/// `FutureIter_iternext` and `FutureIter_send`): a pending future is
/// yielded unless it already blocks (then the await was misused); a done
/// one ends the iteration with its result, read without calling a
/// subclass's `result`, as C reads `fut_result`.
fn iter_step(vm: &mut Vm, iter: &Value, value: &Value) -> PyResult<IterStep> {
    let Some((future, progress)) =
        with_native::<FutureIter, _>(iter, |i| (i.future.clone(), i.state))
    else {
        return Err(vm.type_error("a FutureIter was expected"));
    };
    let n = names();
    if progress == IterState::Finished {
        return Ok(IterStep::Return(Value::None));
    }
    if progress == IterState::Created && !value.is_none() {
        return Err(vm.type_error("can't send non-None value to a just-started generator"));
    }
    if state(vm, &n, &future)? == State::Pending {
        let blocking = get(vm, &future, &n.blocking)?;
        if !vm.truthy(&blocking)? {
            set(vm, &future, &n.blocking, Value::Bool(true))?;
            with_native::<FutureIter, _>(iter, |i| i.state = IterState::Suspended);
            return Ok(IterStep::Yield(future));
        }
        let exc = match vm.error(ExcType::RuntimeError, "await wasn't used with future") {
            Unwind::Exception(exc) => exc,
            other => return Err(other),
        };
        return Err(raise(vm, exc));
    }
    with_native::<FutureIter, _>(iter, |i| i.state = IterState::Finished);
    let mut args = Args::new(vec![future]);
    future_result(vm, &mut args).map(IterStep::Return)
}

/// [`Vm::delegate_hook`]: steps a FutureIter that an `await` drives,
/// returning the result as a generator would, without a StopIteration.
pub fn delegate_hook(
    vm: &mut Vm,
    delegate: &Value,
    value: &Value,
) -> Option<PyResult<loopscope_interp::vm::generators::Delegated>> {
    use loopscope_interp::vm::generators::Delegated;
    if with_native::<FutureIter, _>(delegate, |_| ()).is_none() {
        return crate::locks::delegate_hook(vm, delegate, value);
    }
    Some(iter_step(vm, delegate, value).map(|step| match step {
        IterStep::Yield(v) => Delegated::Yielded(v),
        IterStep::Return(v) => Delegated::Returned(v),
    }))
}

/// `Future.__await__()` / `__iter__()`.
fn future_await(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Future.__await__", args)?;
    let class = match world(vm)?.asyncio.as_ref().map(|r| r.future_iter.clone()) {
        Some(Some(class)) => class,
        _ => return Err(internal_error(vm, "FutureIter is not installed")),
    };
    Ok(native_object(
        vm,
        &class,
        FutureIter {
            future: this,
            state: IterState::Created,
        },
    ))
}

fn iter_self(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    receiver_only(vm, "__iter__", args)
}

fn iter_answer(vm: &mut Vm, step: PyResult<IterStep>) -> PyResult<Value> {
    match step? {
        IterStep::Yield(v) => Ok(v),
        IterStep::Return(v) => Err(Unwind::Exception(vm.stop_iteration(v))),
    }
}

fn iter_next(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "__next__", args)?;
    if with_native::<FutureIter, _>(&this, |i| i.state) == Some(IterState::Finished) {
        return Err(Unwind::Exception(vm.stop_iteration(Value::None)));
    }
    let step = iter_step(vm, &this, &Value::None);
    iter_answer(vm, step)
}

fn iter_send(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("send", args)?;
    let a = vm.parse_args("send", args, &["value"], 1)?;
    let value = a.into_iter().next().flatten().unwrap_or(Value::None);
    if with_native::<FutureIter, _>(&this, |i| i.state) == Some(IterState::Finished) {
        return Err(Unwind::Exception(vm.stop_iteration(Value::None)));
    }
    let step = iter_step(vm, &this, &value);
    iter_answer(vm, step)
}

/// The exception a native awaitable's `throw(exc)` or `throw(type,
/// value)` raises (CPython genobject.c `_gen_throw`'s normalisation: a
/// value already of the type is used as it is, else the type is called
/// with it).
pub(crate) fn thrown_exception(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let mut given = std::mem::take(&mut args.positional).into_iter();
    let Some(kind) = given.next() else {
        return Err(vm.type_error("throw expected at least 1 argument, got 0"));
    };
    match (kind, given.next()) {
        (Value::Class(class), Some(value)) if !value.is_none() => {
            if vm.class_of(&value).is_subclass_of(&class) {
                Ok(value)
            } else {
                vm.call(&Value::Class(class), vec![value])
            }
        }
        (kind, _) => vm.make_raisable(kind),
    }
}

/// `throw(exc)`: raised back.
fn iter_throw(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("throw", args)?;
    let exc = thrown_exception(vm, args)?;
    // (CPython FutureIter_throw raises it and leaves the iterator as it is.)
    drop(this);
    Err(Unwind::Exception(exc))
}

/// `close()`: the iterator is exhausted (CPython `FutureIter_close`). The
/// generator futures.py used before was closed by throwing a new
/// GeneratorExit into it, which took an object id: one is spent here too,
/// so that every object keeps the id it had.
fn iter_close(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "close", args)?;
    let state = with_native::<FutureIter, _>(&this, |i| {
        std::mem::replace(&mut i.state, IterState::Finished)
    });
    if state == Some(IterState::Suspended) {
        vm.ids.next();
    }
    Ok(Value::None)
}

/// Where the ids of classes the runtime makes start (far above any a run
/// reaches).
pub(crate) const RUNTIME_CLASS_IDS: u64 = 1 << 40;

/// A built-in class of the runtime's own (module `_asyncio`) whose id is
/// `id`, from the range of [`RUNTIME_CLASS_IDS`] that no program reaches.
pub(crate) fn runtime_class(vm: &mut Vm, id: u64, name: &str) -> PyResult<Rc<Class>> {
    new_class(
        &IdCounter::starting_at(id),
        name,
        "_asyncio",
        vec![vm.types.object.clone()],
        Layout::Special,
        true,
    )
    .map_err(|message| internal_error(vm, &message))
}

/// `_loopscope.install_future_iter(Future)`: `__await__` and `__iter__`
/// of `Future` make native iterators (after `install_future`).
pub fn install_future_iter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("install_future_iter", args, &["cls"], 1)?;
    let Some(Value::Class(future)) = &a[0] else {
        return Err(internal_error(vm, "install_future_iter needs a class"));
    };
    // The generator functions this replaces made no object, so the class
    // takes its id from a range of its own: every object of the program
    // keeps the id it had (ids order sets of futures, and name objects in
    // the trace).
    let iter_class = runtime_class(vm, RUNTIME_CLASS_IDS, "FutureIter")?;
    add_methods(
        &iter_class,
        "FutureIter",
        &[
            ("__iter__", iter_self),
            ("__next__", iter_next),
            ("send", iter_send),
            ("throw", iter_throw),
            ("close", iter_close),
        ],
    );
    add_methods(
        future,
        "Future",
        &[("__await__", future_await), ("__iter__", future_await)],
    );
    let mut refs = (*refs(vm)?).clone();
    refs.future_iter = Some(iter_class);
    world(vm)?.asyncio = Some(Rc::new(refs));
    vm.delegate_hook = Some(delegate_hook);
    Ok(Value::None)
}

// ---------------------------------------------------------------- Queue

/// Names and classes the native `Queue` methods use.
struct QueueNames {
    queue: Rc<PyStr>,
    maxsize: Rc<PyStr>,
    unfinished_tasks: Rc<PyStr>,
    finished: Rc<PyStr>,
    getters: Rc<PyStr>,
    putters: Rc<PyStr>,
    get: Rc<PyStr>,
    put: Rc<PyStr>,
    qsize: Rc<PyStr>,
    empty: Rc<PyStr>,
    full: Rc<PyStr>,
    wakeup_next: Rc<PyStr>,
    set: Rc<PyStr>,
    clear: Rc<PyStr>,
    append: Rc<PyStr>,
    popleft: Rc<PyStr>,
    value: Rc<PyStr>,
}

thread_local! {
    static QUEUE_NAMES: Rc<QueueNames> = Rc::new(QueueNames {
        queue: intern("_queue"),
        maxsize: intern("_maxsize"),
        unfinished_tasks: intern("_unfinished_tasks"),
        finished: intern("_finished"),
        getters: intern("_getters"),
        putters: intern("_putters"),
        get: intern("_get"),
        put: intern("_put"),
        qsize: intern("qsize"),
        empty: intern("empty"),
        full: intern("full"),
        wakeup_next: intern("_wakeup_next"),
        set: intern("set"),
        clear: intern("clear"),
        append: intern("append"),
        popleft: intern("popleft"),
        value: intern("_value"),
    });
}

/// The owner named by `Queue`'s native methods.
const QUEUE_OWNER: &str = "Queue";

/// The owner named by the native methods of `Event`.
const EVENT_OWNER: &str = "Event";

/// Is `name` of `this`'s class the native method of `Queue`? (Then it is
/// run directly; a subclass's own is called.)
fn is_native_queue_method(vm: &Vm, this: &Value, name: &Rc<PyStr>) -> bool {
    is_native_method_of(vm, this, name, QUEUE_OWNER)
}

/// Is `this.<name>` the native method of that name that `owner`'s class
/// got from this crate (no instance attribute shadows it, the class reads
/// attributes the standard way)? Then a native caller may run it directly
/// instead of calling the bound method.
pub(crate) fn is_native_method_of(vm: &Vm, this: &Value, name: &Rc<PyStr>, owner: &str) -> bool {
    if let Value::Instance(instance) = this {
        if instance.dict_object.borrow().is_some()
            || instance.dict.borrow().get_name(name).is_some()
        {
            return false;
        }
    }
    let class = vm.class_of(this);
    class.hooks().standard_getattribute
        && matches!(
            class.lookup_name(name),
            Some(Value::Builtin(b)) if b.owner == Some(owner) && b.name.as_str() == name.as_str()
        )
}

fn call_method(vm: &mut Vm, this: &Value, name: &Rc<PyStr>, args: Vec<Value>) -> PyResult<Value> {
    let method = vm.get_attr(this, name)?;
    vm.call(&method, args)
}

fn queue_qsize_of(vm: &mut Vm, q: &QueueNames, this: &Value) -> PyResult<usize> {
    if is_native_queue_method(vm, this, &q.qsize) {
        let items = get(vm, this, &q.queue)?;
        return deque_len(vm, &items);
    }
    let size = call_method(vm, this, &q.qsize, Vec::new())?;
    Ok(vm.expect_int(&size)?.max(0) as usize)
}

fn queue_empty_of(vm: &mut Vm, q: &QueueNames, this: &Value) -> PyResult<bool> {
    if is_native_queue_method(vm, this, &q.empty) {
        let items = get(vm, this, &q.queue)?;
        return Ok(!deque_truthy(vm, &items)?);
    }
    let empty = call_method(vm, this, &q.empty, Vec::new())?;
    vm.truthy(&empty)
}

fn queue_full_of(vm: &mut Vm, q: &QueueNames, this: &Value) -> PyResult<bool> {
    if !is_native_queue_method(vm, this, &q.full) {
        let full = call_method(vm, this, &q.full, Vec::new())?;
        return vm.truthy(&full);
    }
    let maxsize = get(vm, this, &q.maxsize)?;
    let unbounded = vm.compare(CmpOp::Le, &maxsize, &Value::Int(0))?;
    if vm.truthy(&unbounded)? {
        return Ok(false);
    }
    let size = Value::Int(queue_qsize_of(vm, q, this)? as i64);
    let full = vm.compare(CmpOp::Ge, &size, &maxsize)?;
    vm.truthy(&full)
}

/// `raise QueueEmpty` / `raise QueueFull`.
fn raise_class(vm: &mut Vm, class: &Value) -> Unwind {
    match vm.call(class, Vec::new()) {
        Ok(exc) => raise(vm, exc),
        Err(error) => error,
    }
}

fn queue_exception(vm: &mut Vm, name: &str) -> PyResult<Value> {
    let refs = refs(vm)?;
    let found = match name {
        "QueueEmpty" => refs.queue_empty.clone(),
        _ => refs.queue_full.clone(),
    };
    match found {
        Some(class) => Ok(class),
        None => Err(internal_error(vm, "asyncio's queues are not installed")),
    }
}

/// `self._wakeup_next(waiters)`.
fn queue_wake(vm: &mut Vm, q: &QueueNames, this: &Value, waiters: Value) -> PyResult<()> {
    if is_native_queue_method(vm, this, &q.wakeup_next) {
        let mut args = Args::new(vec![this.clone(), waiters]);
        queue_wakeup_next(vm, &mut args)?;
        return Ok(());
    }
    call_method(vm, this, &q.wakeup_next, vec![waiters])?;
    Ok(())
}

fn queue_qsize(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Queue.qsize", args)?;
    let q = QUEUE_NAMES.with(Rc::clone);
    let items = get(vm, &this, &q.queue)?;
    Ok(Value::Int(deque_len(vm, &items)? as i64))
}

fn queue_empty(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Queue.empty", args)?;
    let q = QUEUE_NAMES.with(Rc::clone);
    let items = get(vm, &this, &q.queue)?;
    Ok(Value::Bool(!deque_truthy(vm, &items)?))
}

fn queue_full(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Queue.full", args)?;
    let q = QUEUE_NAMES.with(Rc::clone);
    let maxsize = get(vm, &this, &q.maxsize)?;
    let unbounded = vm.compare(CmpOp::Le, &maxsize, &Value::Int(0))?;
    if vm.truthy(&unbounded)? {
        return Ok(Value::Bool(false));
    }
    let size = Value::Int(queue_qsize_of(vm, &q, &this)? as i64);
    vm.compare(CmpOp::Ge, &size, &maxsize)
}

/// CPython queues.Queue.put_nowait.
fn queue_put_nowait(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind(vm, "Queue.put_nowait", args, &["item"], 1, &[])?;
    let item = a.into_iter().next().flatten().unwrap_or(Value::None);
    let q = QUEUE_NAMES.with(Rc::clone);
    if queue_full_of(vm, &q, &this)? {
        let class = queue_exception(vm, "QueueFull")?;
        return Err(raise_class(vm, &class));
    }
    if is_native_queue_method(vm, &this, &q.put) {
        put_item(vm, &q, &this, item)?;
    } else {
        call_method(vm, &this, &q.put, vec![item])?;
    }
    let unfinished = get(vm, &this, &q.unfinished_tasks)?;
    let unfinished = vm.binary_op(BinOp::Add, &unfinished, &Value::Int(1))?;
    set(vm, &this, &q.unfinished_tasks, unfinished)?;
    let finished = get(vm, &this, &q.finished)?;
    if is_native_method_of(vm, &finished, &q.clear, EVENT_OWNER) {
        set(vm, &finished, &q.value, Value::Bool(false))?;
    } else {
        call_method(vm, &finished, &q.clear, Vec::new())?;
    }
    let getters = get(vm, &this, &q.getters)?;
    queue_wake(vm, &q, &this, getters)?;
    Ok(Value::None)
}

/// CPython queues.Queue.get_nowait.
fn queue_get_nowait(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Queue.get_nowait", args)?;
    let q = QUEUE_NAMES.with(Rc::clone);
    if queue_empty_of(vm, &q, &this)? {
        let class = queue_exception(vm, "QueueEmpty")?;
        return Err(raise_class(vm, &class));
    }
    let item = if is_native_queue_method(vm, &this, &q.get) {
        get_item(vm, &q, &this)?
    } else {
        call_method(vm, &this, &q.get, Vec::new())?
    };
    let putters = get(vm, &this, &q.putters)?;
    queue_wake(vm, &q, &this, putters)?;
    Ok(item)
}

/// Queue.\_put: `self._queue.append(item)`.
/// A plain deque (no `maxlen`) takes the item directly, as its `append`
/// would.
fn put_item(vm: &mut Vm, q: &QueueNames, this: &Value, item: Value) -> PyResult<()> {
    let items = get(vm, this, &q.queue)?;
    let mut item = Some(item);
    let appended = with_native::<DequeData, _>(&items, |d| {
        if d.maxlen.is_some() {
            return false;
        }
        d.state += 1;
        if let Some(item) = item.take() {
            d.items.push_back(item);
        }
        true
    });
    if appended != Some(true) {
        let item = item.unwrap_or(Value::None);
        call_method(vm, &items, &q.append, vec![item])?;
    }
    Ok(())
}

/// Queue.\_get: `return self._queue.popleft()`.
/// A deque gives up its first item directly, as its `popleft` would
/// (an empty one still raises through `popleft`).
fn get_item(vm: &mut Vm, q: &QueueNames, this: &Value) -> PyResult<Value> {
    let items = get(vm, this, &q.queue)?;
    let popped = with_native::<DequeData, _>(&items, |d| {
        let first = d.items.pop_front();
        if first.is_some() {
            d.state += 1;
        }
        first
    });
    match popped {
        Some(Some(item)) => Ok(item),
        _ => call_method(vm, &items, &q.popleft, Vec::new()),
    }
}

fn queue_put(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, a) = bind(vm, "Queue._put", args, &["item"], 1, &[])?;
    let item = a.into_iter().next().flatten().unwrap_or(Value::None);
    put_item(vm, &QUEUE_NAMES.with(Rc::clone), &this, item)?;
    Ok(Value::None)
}

fn queue_get(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Queue._get", args)?;
    get_item(vm, &QUEUE_NAMES.with(Rc::clone), &this)
}

/// locks.py Event.clear: `self._value = False`.
fn event_clear(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Event.clear", args)?;
    let q = QUEUE_NAMES.with(Rc::clone);
    set(vm, &this, &q.value, Value::Bool(false))?;
    Ok(Value::None)
}

/// CPython queues.Queue.task_done.
fn queue_task_done(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = receiver_only(vm, "Queue.task_done", args)?;
    let q = QUEUE_NAMES.with(Rc::clone);
    let unfinished = get(vm, &this, &q.unfinished_tasks)?;
    let none_left = vm.compare(CmpOp::Le, &unfinished, &Value::Int(0))?;
    if vm.truthy(&none_left)? {
        let exc = match vm.error(ExcType::ValueError, "task_done() called too many times") {
            Unwind::Exception(exc) => exc,
            other => return Err(other),
        };
        return Err(raise(vm, exc));
    }
    let unfinished = vm.binary_op(BinOp::Sub, &unfinished, &Value::Int(1))?;
    set(vm, &this, &q.unfinished_tasks, unfinished.clone())?;
    let zero = vm.compare(CmpOp::Eq, &unfinished, &Value::Int(0))?;
    if vm.truthy(&zero)? {
        let finished = get(vm, &this, &q.finished)?;
        call_method(vm, &finished, &q.set, Vec::new())?;
    }
    Ok(Value::None)
}

/// `_loopscope.install_queue(Queue, QueueEmpty, QueueFull, Event)`: the
/// methods every put and get runs (CPython asyncio/queues.py; `_get` and
/// `_put` are overridden in Python by PriorityQueue and LifoQueue), and
/// `Event.clear`, which every put runs.
pub fn install_queue(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("install_queue", args, &["cls", "empty", "full", "event"], 4)?;
    let [Some(Value::Class(class)), Some(empty), Some(full), Some(Value::Class(event))] =
        <[Option<Value>; 4]>::try_from(a).unwrap_or_default()
    else {
        return Err(internal_error(vm, "install_queue needs four classes"));
    };
    add_methods(&event, EVENT_OWNER, &[("clear", event_clear)]);
    add_methods(
        &class,
        QUEUE_OWNER,
        &[
            ("qsize", queue_qsize),
            ("empty", queue_empty),
            ("full", queue_full),
            ("put_nowait", queue_put_nowait),
            ("get_nowait", queue_get_nowait),
            ("task_done", queue_task_done),
            ("_wakeup_next", queue_wakeup_next),
            ("_put", queue_put),
            ("_get", queue_get),
        ],
    );
    let mut refs = (*refs(vm)?).clone();
    refs.queue_empty = Some(empty);
    refs.queue_full = Some(full);
    world(vm)?.asyncio = Some(Rc::new(refs));
    Ok(Value::None)
}
