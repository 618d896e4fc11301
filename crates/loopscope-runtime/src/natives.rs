//! `_loopscope`: what the runtime's asyncio (Python, in `python/`) needs
//! from the world — the virtual clock, the thread pools, introspection of
//! coroutines — and the hooks through which it records the trace.
//!
//! The hooks never call the program's own code (no user `__repr__`), so
//! recording cannot change what the program does.

use std::rc::Rc;

use loopscope_interp::builtins::{add_functions, new_module};
use loopscope_interp::value::{
    Args, GenKind, GenState, Generator, Halt, Module, PyResult, Unwind, Value,
};
use loopscope_interp::vm::Vm;
use loopscope_trace::{Actor, EventKind, FutureRole, Settlement};

use crate::world::{internal_error, world};

/// Makes the `_loopscope` module.
pub fn make(_vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("_loopscope");
    add_functions(
        &module,
        &[
            ("time", time),
            ("advance_to", advance_to),
            ("idle_forever", idle_forever),
            ("jobs_run_due", jobs_run_due),
            ("jobs_next_wake", jobs_next_wake),
            ("in_thread_job", in_thread_job),
            ("submit_job", submit_job),
            ("drop_job", drop_job),
            ("format_exception", format_exception),
            ("is_coroutine", is_coroutine),
            ("is_coroutine_function", is_coroutine_function),
            ("is_generator", is_generator),
            ("is_awaitable", is_awaitable),
            ("describe_coroutine", describe_coroutine),
            ("loop_created", loop_created),
            ("iteration", iteration),
            ("callback_scheduled", callback_scheduled),
            ("callback_run", callback_run),
            ("timer_set", timer_set),
            ("timer_cancelled", timer_cancelled),
            ("timer_fired", timer_fired),
            ("future_created", future_created),
            ("future_settled", future_settled),
            ("describe", describe),
            ("task_created", task_created),
            ("task_renamed", task_renamed),
            ("cancel_requested", cancel_requested),
            ("task_resumed", task_resumed),
            ("task_left", task_left),
            ("task_suspended", task_suspended),
            ("primitive_created", primitive_created),
            ("unsupported", unsupported),
            ("function_source", function_source),
            ("network_method", network_method),
            ("future_del", future_del),
            ("install_future", crate::futures::install_future),
            ("install_task", crate::futures::install_task),
            ("install_loop", crate::eventloop::install_loop),
            ("install_waking", crate::futures::install_waking),
            ("install_future_iter", crate::futures::install_future_iter),
            ("get_running_loop", crate::eventloop::get_running_loop),
            (
                "get_running_loop_or_none",
                crate::eventloop::get_running_loop_or_none,
            ),
            ("set_running_loop", crate::eventloop::set_running_loop),
            ("sleep_timer", crate::eventloop::sleep_timer),
            ("install_queue", crate::futures::install_queue),
            ("install_semaphore", crate::locks::install_semaphore),
        ],
    );
    Ok(module)
}

fn arg(args: &Args, i: usize) -> Value {
    args.positional.get(i).cloned().unwrap_or(Value::None)
}

/// The sequential id of an object (0 for values without identity).
pub fn object_id(value: &Value) -> u64 {
    match value {
        Value::Instance(i) => i.id,
        Value::Native(n) => n.id,
        Value::Generator(g) => g.id,
        Value::Class(c) => c.id,
        _ => 0,
    }
}

/// `repr` of values whose repr cannot run program code; other objects
/// are described by their class (`<Order object>`).
pub fn safe_repr(vm: &mut Vm, value: &Value) -> String {
    if is_plain(value, 0) {
        if let Ok(text) = vm.repr_of(value) {
            return text;
        }
    }
    if value.as_exception().is_some() {
        return vm.exception_summary(value);
    }
    format!("<{} object>", vm.type_name(value))
}

fn is_plain(value: &Value, depth: u32) -> bool {
    if depth > 3 {
        return false;
    }
    match value {
        Value::None
        | Value::Bool(_)
        | Value::Int(_)
        | Value::BigInt(_)
        | Value::Float(_)
        | Value::Str(_)
        | Value::Bytes(_)
        | Value::Range(_) => true,
        Value::List(items) => {
            let items = items.borrow();
            items.len() <= 64 && items.iter().all(|v| is_plain(v, depth + 1))
        }
        Value::Tuple(t) => t.items.len() <= 64 && t.items.iter().all(|v| is_plain(v, depth + 1)),
        Value::Dict(d) => {
            let items = d.items();
            items.len() <= 64
                && items
                    .iter()
                    .all(|(k, v)| is_plain(k, depth + 1) && is_plain(v, depth + 1))
        }
        _ => false,
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Str(s) => Some(s.as_str().to_string()),
        _ => None,
    }
}

/// A callable's name as asyncio's reprs show it (`Task.task_step`): its
/// `__qualname__`, read from the object itself so that recording never
/// runs the program's code (a `__getattr__` would); other callables are
/// named by their type.
pub(crate) fn callable_name(vm: &mut Vm, callable: &Value) -> String {
    let function = match callable {
        Value::BoundMethod(m) => &m.function,
        other => other,
    };
    match function {
        Value::Function(f) => f.qualname.borrow().as_str().to_string(),
        Value::Builtin(b) => match b.owner {
            Some(owner) => {
                // `owner.name`, built without the formatting machinery
                // (this runs for every callback scheduled).
                let name = b.name.as_str();
                let mut text = String::with_capacity(owner.len() + 1 + name.len());
                text.push_str(owner);
                text.push('.');
                text.push_str(name);
                text
            }
            None => b.name.as_str().to_string(),
        },
        Value::Class(c) => c.qualname.borrow().as_str().to_string(),
        _ => vm.type_name(callable),
    }
}

// ---------------------------------------------------------------- clock, pools

fn time(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Ok(Value::Float(world(vm)?.clock))
}

fn advance_to(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let t = vm.expect_f64(&arg(args, 0), "time")?;
    world(vm)?.advance_to(t).map_err(Unwind::Halt)?;
    Ok(Value::None)
}

/// Ends the run as `unsupported` with the message given.
fn unsupported(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let message = text_of(&arg(args, 0)).unwrap_or_default();
    Err(vm.unsupported(message))
}

fn idle_forever(_vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Err(Unwind::Halt(Halt::IdleForever))
}

fn jobs_run_due(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    crate::jobs::run_due(vm).map(Value::Bool)
}

/// Is a thread job running now? Its code runs in a worker thread, which
/// has no running event loop.
fn in_thread_job(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Ok(Value::Bool(world(vm)?.running_job.is_some()))
}

fn jobs_next_wake(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    Ok(world(vm)?
        .jobs
        .next_wake()
        .map_or(Value::None, Value::Float))
}

/// `submit_job(pool, workers, function, args, kwargs, deliver, future)`.
fn submit_job(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let pool = vm.expect_int(&arg(args, 0))?;
    let workers = vm.expect_int(&arg(args, 1))?.max(1) as usize;
    let function = arg(args, 2);
    let call_args = match arg(args, 3) {
        Value::Tuple(t) => t.items.clone(),
        other => vm.collect(&other)?,
    };
    let mut kwargs = Vec::new();
    if let Some(d) = arg(args, 4).as_dict() {
        for (k, v) in d.items() {
            if let Value::Str(s) = k {
                kwargs.push((s, v));
            }
        }
    }
    let deliver = arg(args, 5);
    let future = object_id(&arg(args, 6));
    let function_name = callable_name(vm, &function);
    let id = vm.ids.next();
    let w = world(vm)?;
    let index = w
        .jobs
        .submit(id, pool, workers, function, call_args, kwargs, deliver);
    w.record(EventKind::JobSubmitted {
        job: id,
        function: function_name,
        future,
    });
    Ok(Value::Int(index as i64))
}

fn drop_job(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let index = vm.expect_int(&arg(args, 0))?.max(0) as usize;
    let w = world(vm)?;
    if let Some(job) = w.jobs.drop_waiting(index) {
        w.record(EventKind::JobDropped { job });
    }
    Ok(Value::None)
}

// ---------------------------------------------------------------- introspection

fn format_exception(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let exc = arg(args, 0);
    Ok(Value::string(vm.format_traceback(&exc)))
}

/// asyncio.iscoroutine: native coroutines, generators (CPython 3.11's
/// `_COROUTINE_TYPES` include `types.GeneratorType`) and objects with the
/// `collections.abc.Coroutine` methods.
fn is_coroutine(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let value = arg(args, 0);
    Ok(Value::Bool(is_coroutine_value(vm, &value)))
}

/// [`is_coroutine`] for Rust callers.
pub(crate) fn is_coroutine_value(vm: &mut Vm, value: &Value) -> bool {
    match value {
        Value::Generator(g) => g.kind != GenKind::AsyncGenerator,
        Value::Instance(_) => {
            let class = vm.class_of(value);
            ["send", "throw", "close", "__await__"]
                .iter()
                .all(|name| class.lookup(name).is_some())
        }
        _ => false,
    }
}

fn is_coroutine_function(_vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let value = arg(args, 0);
    let function = match &value {
        Value::BoundMethod(m) => m.function.clone(),
        other => other.clone(),
    };
    Ok(Value::Bool(match &function {
        Value::Function(f) => f.code.flags.coroutine,
        _ => false,
    }))
}

fn is_generator(_vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    Ok(Value::Bool(matches!(
        arg(args, 0),
        Value::Generator(g) if g.kind == GenKind::Generator
    )))
}

/// inspect.isawaitable.
fn is_awaitable(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let value = arg(args, 0);
    Ok(Value::Bool(match &value {
        Value::Generator(g) => g.kind == GenKind::Coroutine || g.iterable_coroutine.get(),
        _ => vm.class_of(&value).lookup("__await__").is_some(),
    }))
}

/// The line a suspended coroutine chain waits at: the innermost frame in
/// the program's own file.
pub fn suspended_line(generator: &Rc<Generator>) -> Option<u32> {
    let mut line = None;
    let mut current = Some(generator.clone());
    // A delegation chain is as deep as the awaits; the bound only guards
    // against a cycle.
    for _ in 0..10_000 {
        let Some(g) = current else { break };
        if let Some(frame) = g.frame.borrow().as_ref() {
            if !frame.code.filename.starts_with('<') {
                line = Some(frame.line());
            }
        }
        current = match &*g.delegate.borrow() {
            Some(Value::Generator(inner)) => Some(inner.clone()),
            _ => None,
        };
    }
    line
}

/// `(filename, first line)` of a Python function, else None (CPython
/// format_helpers._get_function_source: `inspect.isfunction`, so a bound
/// method has no source).
fn function_source(_vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let function = arg(args, 0);
    Ok(match &function {
        Value::Function(f) => Value::Tuple(Rc::new(loopscope_interp::value::PyTuple {
            items: vec![
                Value::string(f.code.filename.to_string()),
                Value::Int(i64::from(f.code.first_line)),
            ],
        })),
        _ => Value::None,
    })
}

/// `coro=<...>` of a task's repr (CPython coroutines._format_coroutine).
fn describe_coroutine(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let value = arg(args, 0);
    let Value::Generator(g) = &value else {
        return Ok(Value::string(format!("{}()", callable_name(vm, &value))));
    };
    let name = g.qualname.borrow().clone();
    let name = name.as_str();
    let text = match g.state.get() {
        GenState::Finished => format!(
            "{name}() done, defined at {}:{}",
            g.code.filename, g.code.first_line
        ),
        GenState::Running => format!("{name}() running"),
        GenState::Created | GenState::Suspended => {
            let frame = g.frame.borrow();
            match frame.as_ref() {
                Some(frame) => format!(
                    "{name}() running at {}:{}",
                    frame.code.filename,
                    if g.state.get() == GenState::Created {
                        frame.code.first_line
                    } else {
                        frame.line()
                    }
                ),
                None => format!("{name}()"),
            }
        }
    };
    Ok(Value::string(text))
}

// ---------------------------------------------------------------- trace hooks

fn loop_created(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let id = object_id(&arg(args, 0));
    world(vm)?.record(EventKind::LoopCreated { event_loop: id });
    Ok(Value::Int(id as i64))
}

/// `iteration(loop, ready)`: an iteration starts running `ready` callbacks.
fn iteration(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let id = object_id(&arg(args, 0));
    let ready = vm.expect_int(&arg(args, 1))?.max(0) as usize;
    let w = world(vm)?;
    w.iteration += 1;
    w.record(EventKind::Iteration {
        event_loop: id,
        ready,
    });
    Ok(Value::None)
}

fn callback_scheduled(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let handle = object_id(&arg(args, 0));
    let callback = callable_name(vm, &arg(args, 1));
    world(vm)?.record(EventKind::CallbackScheduled { handle, callback });
    Ok(Value::None)
}

fn callback_run(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let handle = object_id(&arg(args, 0));
    let callback = callable_name(vm, &arg(args, 1));
    world(vm)?.record(EventKind::CallbackRun { handle, callback });
    Ok(Value::None)
}

/// `timer_set(handle, when, callback)`.
fn timer_set(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let handle = object_id(&arg(args, 0));
    let when = vm.expect_f64(&arg(args, 1), "when")?;
    let callback = callable_name(vm, &arg(args, 2));
    world(vm)?.record(EventKind::TimerSet {
        handle,
        when,
        callback,
    });
    Ok(Value::None)
}

fn timer_cancelled(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let handle = object_id(&arg(args, 0));
    world(vm)?.record(EventKind::TimerCancelled { handle });
    Ok(Value::None)
}

fn timer_fired(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let handle = object_id(&arg(args, 0));
    world(vm)?.record(EventKind::TimerFired { handle });
    Ok(Value::None)
}

fn future_created(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let future = object_id(&arg(args, 0));
    world(vm)?.record(EventKind::FutureCreated { future });
    Ok(Value::None)
}

/// `future_settled(future, how, value)` with how `result`, `exception`
/// or `cancelled`; a task's settlement is recorded as its end.
fn future_settled(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let future = object_id(&arg(args, 0));
    let how = text_of(&arg(args, 1)).unwrap_or_default();
    let value = arg(args, 2);
    let settlement = match how.as_str() {
        "result" => Settlement::Result(safe_repr(vm, &value)),
        "exception" => Settlement::Exception(vm.exception_summary(&value)),
        "cancelled" => Settlement::Cancelled,
        _ => return Err(internal_error(vm, "unknown settlement")),
    };
    record_settled(vm, future, settlement)?;
    Ok(Value::None)
}

/// Records how a future settled; a task's settlement is its end.
pub fn record_settled(vm: &mut Vm, future: u64, settlement: Settlement) -> PyResult<()> {
    let w = world(vm)?;
    if w.tasks.contains(&future) {
        w.record(EventKind::TaskFinished {
            task: future,
            settlement,
        });
    } else {
        w.record(EventKind::FutureSettled { future, settlement });
    }
    Ok(())
}

thread_local! {
    /// The last float a future's description showed, and its `str`: sleeps
    /// are described by their delay, usually the same one over and over.
    static LAST_FLOAT_TEXT: std::cell::RefCell<Option<(u64, String)>> =
        const { std::cell::RefCell::new(None) };
}

/// `str(f)`, remembered for the next description of the same float.
fn float_text(vm: &mut Vm, f: f64) -> PyResult<String> {
    let bits = f.to_bits();
    let known = LAST_FLOAT_TEXT.with(|last| match &*last.borrow() {
        Some((b, text)) if *b == bits => Some(text.clone()),
        _ => None,
    });
    if let Some(text) = known {
        return Ok(text);
    }
    let text = vm.str_of(&Value::Float(f))?;
    LAST_FLOAT_TEXT.with(|last| *last.borrow_mut() = Some((bits, text.clone())));
    Ok(text)
}

/// `describe(future, kind, *about)`: what a future asyncio made stands
/// for; objects among `about` become its targets, numbers and strings its
/// detail.
pub(crate) fn describe(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let future = arg(args, 0);
    let kind = text_of(&arg(args, 1)).unwrap_or_default();
    let values: Vec<Value> = args.positional.iter().skip(2).cloned().collect();
    describe_values(vm, &future, &kind, &values)?;
    Ok(Value::None)
}

/// [`describe`] with its arguments as Rust values (the native `sleep`
/// describes every sleep's future).
pub(crate) fn describe_values(
    vm: &mut Vm,
    future: &Value,
    kind: &str,
    values: &[Value],
) -> PyResult<()> {
    let future = object_id(future);
    let mut targets = Vec::new();
    let mut details = Vec::new();
    for value in values {
        match value {
            Value::List(items) => {
                let items = items.borrow().clone();
                targets.extend(items.iter().map(object_id).filter(|&id| id != 0));
            }
            Value::Float(f) => details.push(float_text(vm, *f)?),
            Value::Int(_) | Value::Str(_) | Value::Bool(_) => {
                details.push(vm.str_of(value)?);
            }
            other => {
                let id = object_id(other);
                if id != 0 {
                    targets.push(id);
                }
            }
        }
    }
    let mut detail = if details.is_empty() {
        None
    } else {
        Some(details.join(" "))
    };
    let mut kind = kind.to_string();
    let w = world(vm)?;
    if kind == "sleep" {
        // The sleep a simulated async client takes right after sending a
        // request is the wait for its response.
        let actor = w.actor();
        if let Some((waiting, request)) = w.pending_request.take() {
            if waiting == actor {
                kind = "network".to_string();
                detail = Some(request);
            }
        }
    }
    w.record(EventKind::FutureRole {
        future,
        role: FutureRole {
            kind,
            targets,
            detail,
        },
    });
    Ok(())
}

/// `task_created(task, coro, name)`.
fn task_created(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let name = text_of(&arg(args, 2)).unwrap_or_default();
    record_task_created(vm, &arg(args, 0), &arg(args, 1), name)?;
    Ok(Value::None)
}

/// Records a new task: its name, coroutine, parent task and line.
pub(crate) fn record_task_created(
    vm: &mut Vm,
    task: &Value,
    coro: &Value,
    name: String,
) -> PyResult<()> {
    let task = object_id(task);
    let coroutine = match coro {
        Value::Generator(g) => format!("{}()", g.qualname.borrow().as_str()),
        other => format!("<{}>", vm.type_name(other)),
    };
    let line = vm.current_program_line();
    let w = world(vm)?;
    let parent = match w.actor() {
        Actor::Task(id) => Some(id),
        _ => None,
    };
    w.tasks.insert(task);
    w.record(EventKind::TaskCreated {
        task,
        name,
        coroutine,
        parent,
        line,
    });
    Ok(())
}

fn task_renamed(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let task = object_id(&arg(args, 0));
    let name = text_of(&arg(args, 1)).unwrap_or_default();
    world(vm)?.record(EventKind::TaskRenamed { task, name });
    Ok(Value::None)
}

fn cancel_requested(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let task = object_id(&arg(args, 0));
    let message = match arg(args, 1) {
        Value::None => None,
        other => Some(safe_repr(vm, &other)),
    };
    world(vm)?.record(EventKind::CancelRequested { task, message });
    Ok(Value::None)
}

/// `task_resumed(task, thrown)`: a step begins; the task runs.
fn task_resumed(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let task = object_id(&arg(args, 0));
    let thrown = match arg(args, 1) {
        Value::None => None,
        other => Some(vm.exception_summary(&other)),
    };
    let w = world(vm)?;
    w.actors.push(Actor::Task(task));
    w.record(EventKind::TaskResumed { task, thrown });
    Ok(Value::None)
}

/// The step ended with the coroutine finished (its settlement follows).
fn task_left(vm: &mut Vm, _args: &mut Args) -> PyResult<Value> {
    world(vm)?.actors.pop();
    Ok(Value::None)
}

/// `task_suspended(task, coro, yielded)`: the step ended at a suspension.
fn task_suspended(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    record_task_suspended(vm, object_id(&arg(args, 0)), &arg(args, 1), &arg(args, 2))?;
    Ok(Value::None)
}

/// A task's step ended with `coro` suspended, having yielded `yielded`
/// (what the task now waits for, if anything): the task stops running.
pub(crate) fn record_task_suspended(
    vm: &mut Vm,
    task: u64,
    coro: &Value,
    yielded: &Value,
) -> PyResult<()> {
    let line = match coro {
        Value::Generator(g) => suspended_line(g).unwrap_or(0),
        _ => 0,
    };
    let awaiting = match yielded {
        Value::None => None,
        other => Some(object_id(other)).filter(|&id| id != 0),
    };
    let w = world(vm)?;
    w.actors.pop();
    w.record(EventKind::TaskSuspended {
        task,
        line,
        awaiting,
    });
    Ok(())
}

fn primitive_created(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let object = object_id(&arg(args, 0));
    let kind = text_of(&arg(args, 1)).unwrap_or_default();
    world(vm)?.record(EventKind::PrimitiveCreated { object, kind });
    Ok(Value::None)
}

/// `network_method(method)`: the simulated client about to send a request
/// says its method (`_simnet.route` knows only the URL).
fn network_method(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let method = text_of(&arg(args, 0)).unwrap_or_default().to_uppercase();
    world(vm)?.request_method = Some(method);
    Ok(Value::None)
}

/// `Future.__del__`: calls `future._finalize()` only when there may be
/// something to report — an exception never retrieved (`_log_traceback`)
/// or a pending task (`_log_destroy_pending`) — so that the futures that
/// go quietly, nearly all of them, run no Python code.
fn future_del(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let future = arg(args, 0);
    if let Value::Instance(object) = &future {
        if object.dict_object.borrow().is_some() {
            // Its attributes live in a dict the program asked for.
            let finalize = vm.get_attr(&future, &vm.intern("_finalize"))?;
            return vm.call(&finalize, Vec::new());
        }
    }
    // Plain attributes, read without the attribute protocol: the object's
    // own dict, then its class (asyncio's defaults live there).
    let read = |name: &str| -> Value {
        match &future {
            Value::Instance(object) => {
                if let Some(value) = object.dict.borrow().get(name) {
                    return value.clone();
                }
                object.class.borrow().lookup(name).unwrap_or(Value::None)
            }
            _ => Value::None,
        }
    };
    let log_traceback = read("_log_traceback");
    let pending = matches!(read("_state"), Value::Str(state) if state.as_str() == "PENDING");
    let report = vm.truthy(&log_traceback)?
        || (pending && {
            let flag = read("_log_destroy_pending");
            vm.truthy(&flag)?
        });
    if !report {
        return Ok(Value::None);
    }
    let finalize = vm.get_attr(&future, &vm.intern("_finalize"))?;
    vm.call(&finalize, Vec::new())
}
