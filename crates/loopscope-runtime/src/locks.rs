//! `async with semaphore:` natively: `Semaphore.__aenter__` and
//! `__aexit__` (locks.py's `_ContextManagerMixin`, with `acquire`,
//! `locked`, `_waiter`, `_get_loop` and `release` inlined) return native
//! awaitables instead of coroutines, as CPython 3.11 runs them in Python
//! (asyncio/locks.py).
//!
//! The awaitable keeps the footprint of the coroutines it stands for
//! (ARCHITECTURE.md, "Native asyncio keeps the Python's footprint"): it
//! takes the object id of the `__aenter__` coroutine, spends the ids of
//! the `acquire` coroutine, of `locked()`'s generator expression and of
//! the `FutureIter` where the Python made them, and does its work when it
//! is awaited, not when it is made, so the trace hooks see the same
//! events in the same order. `async with` awaits it at once, so nobody
//! can tell it from a coroutine; a subclass that overrides any of the
//! methods inlined here gets the Python coroutines instead.

use std::rc::Rc;

use loopscope_interp::builtins::{add_methods, native_object, with_native};
use loopscope_interp::bytecode::{BinOp, CmpOp};
use loopscope_interp::modules::deque::DequeData;
use loopscope_interp::value::string::intern;
use loopscope_interp::value::{Args, Class, PyResult, PyStr, Unwind, Value};
use loopscope_interp::vm::generators::Delegated;
use loopscope_interp::vm::{ExcType, Vm};

use crate::futures::{await_step, get, is_cancelled, refs, set, Awaited};
use crate::world::{internal_error, world};

/// What the native `__aenter__`/`__aexit__` need from locks.py, handed
/// over by `install_semaphore`.
pub struct SemaphoreRefs {
    /// The methods as locks.py defines them: a class whose lookups find
    /// other ones runs the Python.
    acquire: Value,
    release: Value,
    locked: Value,
    waiter: Value,
    get_loop: Value,
    wake_up_next: Value,
    /// `_ContextManagerMixin.__aenter__` and `__aexit__`, for those classes.
    python_aenter: Value,
    python_aexit: Value,
    /// `collections.deque`.
    deque: Value,
    /// The class of the awaitables.
    awaitable: Rc<Class>,
}

struct Names {
    acquire: Rc<PyStr>,
    release: Rc<PyStr>,
    locked: Rc<PyStr>,
    waiter: Rc<PyStr>,
    get_loop: Rc<PyStr>,
    wake_up_next: Rc<PyStr>,
    value: Rc<PyStr>,
    waiters: Rc<PyStr>,
    loop_: Rc<PyStr>,
    create_future: Rc<PyStr>,
}

thread_local! {
    static NAMES: Rc<Names> = Rc::new(Names {
        acquire: intern("acquire"),
        release: intern("release"),
        locked: intern("locked"),
        waiter: intern("_waiter"),
        get_loop: intern("_get_loop"),
        wake_up_next: intern("_wake_up_next"),
        value: intern("_value"),
        waiters: intern("_waiters"),
        loop_: intern("_loop"),
        create_future: intern("create_future"),
    });
}

fn names() -> Rc<Names> {
    NAMES.with(Rc::clone)
}

/// Where the awaitables' class takes its id (see futures.rs's
/// `RUNTIME_CLASS_IDS`: far above any a run reaches, next to FutureIter's).
const AWAITABLE_CLASS_ID: u64 = crate::futures::RUNTIME_CLASS_IDS + 1024;

/// `_loopscope.install_semaphore(Semaphore, aenter, aexit, deque)`.
pub fn install_semaphore(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args(
        "install_semaphore",
        args,
        &["cls", "aenter", "aexit", "deque"],
        4,
    )?;
    let [Some(Value::Class(class)), Some(python_aenter), Some(python_aexit), Some(deque)] =
        <[Option<Value>; 4]>::try_from(a).unwrap_or_default()
    else {
        return Err(internal_error(vm, "install_semaphore needs a class"));
    };
    let n = names();
    let method = |name: &Rc<PyStr>| class.lookup_name(name).unwrap_or(Value::None);
    let awaitable = crate::futures::runtime_class(vm, AWAITABLE_CLASS_ID, "coroutine")?;
    add_methods(
        &awaitable,
        "coroutine",
        &[
            ("__await__", awaitable_self),
            ("__iter__", awaitable_self),
            ("__next__", awaitable_next),
            ("send", awaitable_send),
            ("throw", awaitable_throw),
            ("close", awaitable_close),
        ],
    );
    let semaphore = SemaphoreRefs {
        acquire: method(&n.acquire),
        release: method(&n.release),
        locked: method(&n.locked),
        waiter: method(&n.waiter),
        get_loop: method(&n.get_loop),
        wake_up_next: method(&n.wake_up_next),
        python_aenter,
        python_aexit,
        deque,
        awaitable,
    };
    add_methods(
        &class,
        "Semaphore",
        &[
            ("__aenter__", semaphore_aenter),
            ("__aexit__", semaphore_aexit),
        ],
    );
    let mut refs = (*refs(vm)?).clone();
    refs.semaphore = Some(Rc::new(semaphore));
    world(vm)?.asyncio = Some(Rc::new(refs));
    Ok(Value::None)
}

fn semaphore_refs(vm: &mut Vm) -> PyResult<Rc<SemaphoreRefs>> {
    match refs(vm)?.semaphore.clone() {
        Some(refs) => Ok(refs),
        None => Err(internal_error(vm, "Semaphore is not installed")),
    }
}

/// Does `this`'s class find locks.py's own `name` (the one in `expected`)?
fn finds(vm: &Vm, this: &Value, name: &Rc<PyStr>, expected: &Value) -> bool {
    match (vm.class_of(this).lookup_name(name), expected) {
        (Some(Value::Function(found)), Value::Function(expected)) => Rc::ptr_eq(&found, expected),
        (Some(Value::Builtin(found)), Value::Builtin(expected)) => Rc::ptr_eq(&found, expected),
        _ => false,
    }
}

/// Where an awaitable is.
enum Await {
    /// `Semaphore.__aenter__()`, not yet awaited.
    Enter(Value),
    /// In `acquire`, waiting for `future` (the semaphore's waiter).
    Waiting {
        semaphore: Value,
        future: Value,
    },
    /// `Semaphore.__aexit__()`, not yet awaited: releases, by the
    /// semaphore's own `release` when `native` is false.
    Exit {
        semaphore: Value,
        native: bool,
    },
    Finished,
}

/// The awaitable standing for a coroutine: takes the coroutine's id.
fn awaitable(vm: &mut Vm, state: Await) -> PyResult<Value> {
    let class = semaphore_refs(vm)?.awaitable.clone();
    Ok(native_object(vm, &class, state))
}

/// `Semaphore.__aenter__(self)`.
fn semaphore_aenter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__aenter__", args)?;
    vm.no_args("__aenter__", args, 0)?;
    let refs = semaphore_refs(vm)?;
    let n = names();
    let native = finds(vm, &this, &n.acquire, &refs.acquire)
        && finds(vm, &this, &n.locked, &refs.locked)
        && finds(vm, &this, &n.waiter, &refs.waiter)
        && finds(vm, &this, &n.get_loop, &refs.get_loop)
        && finds(vm, &this, &n.wake_up_next, &refs.wake_up_next);
    if !native {
        return vm.call(&refs.python_aenter, vec![this]);
    }
    awaitable(vm, Await::Enter(this))
}

/// `Semaphore.__aexit__(self, exc_type, exc, tb)`.
fn semaphore_aexit(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__aexit__", args)?;
    let refs = semaphore_refs(vm)?;
    if args.positional.len() != 3 || !args.keywords.is_empty() {
        let mut all = std::mem::take(&mut args.positional);
        all.insert(0, this);
        let keywords = std::mem::take(&mut args.keywords);
        return vm.call_with(&refs.python_aexit, all, keywords);
    }
    let n = names();
    let native = finds(vm, &this, &n.release, &refs.release)
        && finds(vm, &this, &n.wake_up_next, &refs.wake_up_next);
    awaitable(
        vm,
        Await::Exit {
            semaphore: this,
            native,
        },
    )
}

/// One step of an awaitable: `value` sent in, or `thrown` thrown in.
fn step(vm: &mut Vm, this: &Value, value: &Value, thrown: Option<Value>) -> PyResult<Delegated> {
    let Some(state) = with_native::<Await, _>(this, |s| std::mem::replace(s, Await::Finished))
    else {
        return Err(vm.type_error("a coroutine was expected"));
    };
    match state {
        Await::Finished => match thrown {
            Some(exc) => Err(Unwind::Exception(exc)),
            None => Err(vm.error(
                ExcType::RuntimeError,
                "cannot reuse already awaited coroutine",
            )),
        },
        Await::Enter(semaphore) | Await::Exit { semaphore, .. } if thrown.is_some() => {
            drop(semaphore);
            Err(Unwind::Exception(thrown.unwrap_or(Value::None)))
        }
        Await::Enter(_) | Await::Exit { .. } if !value.is_none() => {
            Err(vm.type_error("can't send non-None value to a just-started coroutine"))
        }
        Await::Enter(semaphore) => enter(vm, this, semaphore),
        Await::Exit { semaphore, native } => {
            if native {
                release(vm, &semaphore)?;
            } else {
                let release = vm.get_attr(&semaphore, &names().release)?;
                vm.call(&release, Vec::new())?;
            }
            Ok(Delegated::Returned(Value::None))
        }
        Await::Waiting { semaphore, future } => {
            let outcome = match thrown {
                Some(exc) => Err(Unwind::Exception(exc)),
                None => match await_step(vm, &future) {
                    Ok(Awaited::Yield(yielded)) => {
                        with_native::<Await, _>(this, |s| {
                            *s = Await::Waiting { semaphore, future }
                        });
                        return Ok(Delegated::Yielded(yielded));
                    }
                    Ok(Awaited::Return(result)) => Ok(result),
                    Err(error) => Err(error),
                },
            };
            after_wait(vm, &semaphore, &future, outcome)
        }
    }
}

/// `_value` as a plain int, when it is one.
fn small_int(value: &Value) -> Option<i64> {
    match value {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

/// `self._value += delta`.
fn add_to_value(vm: &mut Vm, semaphore: &Value, delta: i64) -> PyResult<()> {
    let n = names();
    let value = get(vm, semaphore, &n.value)?;
    let value = match small_int(&value).and_then(|v| v.checked_add(delta)) {
        Some(sum) => Value::Int(sum),
        None => vm.binary_op(BinOp::Add, &value, &Value::Int(delta))?,
    };
    set(vm, semaphore, &n.value, value)
}

/// `self._wake_up_next()` (the native one: checked by the caller).
fn wake_up_next(vm: &mut Vm, semaphore: &Value) -> PyResult<()> {
    let mut args = Args::new(vec![semaphore.clone()]);
    crate::futures::semaphore_wake_up_next(vm, &mut args)?;
    Ok(())
}

/// locks.py `Semaphore.release`.
fn release(vm: &mut Vm, semaphore: &Value) -> PyResult<()> {
    add_to_value(vm, semaphore, 1)?;
    wake_up_next(vm, semaphore)
}

/// locks.py `Semaphore.locked`: `self._value == 0 or any(not
/// w.cancelled() for w in (self._waiters or ()))`.
fn locked(vm: &mut Vm, semaphore: &Value) -> PyResult<bool> {
    let n = names();
    let value = get(vm, semaphore, &n.value)?;
    let zero = match small_int(&value) {
        Some(v) => v == 0,
        None => {
            let eq = vm.compare(CmpOp::Eq, &value, &Value::Int(0))?;
            vm.truthy(&eq)?
        }
    };
    if zero {
        return Ok(true);
    }
    let waiters = get(vm, semaphore, &n.waiters)?;
    let waiters = if crate::futures::deque_truthy(vm, &waiters)? {
        match with_native::<DequeData, _>(&waiters, |d| d.items.iter().cloned().collect()) {
            Some(items) => items,
            None => vm.collect(&waiters)?,
        }
    } else {
        Vec::new()
    };
    // The generator expression: its code's function object and the
    // generator each took an id.
    vm.ids.next();
    vm.ids.next();
    for waiter in waiters {
        if !is_cancelled(vm, &waiter)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// locks.py `_LoopBoundMixin._get_loop`.
fn get_loop(vm: &mut Vm, semaphore: &Value) -> PyResult<Value> {
    let n = names();
    let running = crate::eventloop::get_running_loop_or_none(vm, &mut Args::new(Vec::new()))?;
    let mine = get(vm, semaphore, &n.loop_)?;
    if mine.is_none() {
        set(vm, semaphore, &n.loop_, running.clone())?;
        return Ok(running);
    }
    if !running.is(&mine) {
        // The Python raises the error, with the semaphore's repr.
        let get_loop = vm.get_attr(semaphore, &n.get_loop)?;
        return vm.call(&get_loop, Vec::new());
    }
    Ok(running)
}

/// The first step of `__aenter__`: `await self.acquire()` up to its
/// first suspension (locks.py `Semaphore.acquire`).
fn enter(vm: &mut Vm, this: &Value, semaphore: Value) -> PyResult<Delegated> {
    let n = names();
    // The `acquire()` coroutine's object.
    vm.ids.next();
    if !locked(vm, &semaphore)? {
        add_to_value(vm, &semaphore, -1)?;
        return Ok(Delegated::Returned(Value::None));
    }
    let mut waiters = get(vm, &semaphore, &n.waiters)?;
    if waiters.is_none() {
        let deque = semaphore_refs(vm)?.deque.clone();
        waiters = vm.call(&deque, Vec::new())?;
        set(vm, &semaphore, &n.waiters, waiters.clone())?;
    }
    // self._waiter('semaphore')
    let event_loop = get_loop(vm, &semaphore)?;
    let create_future = vm.get_attr(&event_loop, &n.create_future)?;
    let future = vm.call(&create_future, Vec::new())?;
    let mut describe = Args::new(vec![
        future.clone(),
        Value::str("semaphore"),
        semaphore.clone(),
    ]);
    crate::natives::describe(vm, &mut describe)?;
    // self._waiters.append(fut)
    let appended = with_native::<DequeData, _>(&waiters, |d| {
        d.state += 1;
        d.items.push_back(future.clone());
    });
    if appended.is_none() {
        let append = vm.get_attr(&waiters, &intern("append"))?;
        vm.call(&append, vec![future.clone()])?;
    }
    // `await fut`: the FutureIter's object.
    vm.ids.next();
    let outcome = match await_step(vm, &future) {
        Ok(Awaited::Yield(yielded)) => {
            with_native::<Await, _>(this, |s| *s = Await::Waiting { semaphore, future });
            return Ok(Delegated::Yielded(yielded));
        }
        Ok(Awaited::Return(result)) => Ok(result),
        Err(error) => Err(error),
    };
    after_wait(vm, &semaphore, &future, outcome)
}

/// The rest of `acquire` once `await fut` is over: `finally:
/// self._waiters.remove(fut)`, then on a CancelledError give the slot on
/// unless the waiter itself was cancelled; else wake the next waiter if
/// slots are left.
fn after_wait(
    vm: &mut Vm,
    semaphore: &Value,
    future: &Value,
    outcome: PyResult<Value>,
) -> PyResult<Delegated> {
    let n = names();
    if let Err(Unwind::Halt(_)) = outcome {
        return outcome.map(Delegated::Returned);
    }
    let waiters = get(vm, semaphore, &n.waiters)?;
    let removed = with_native::<DequeData, _>(&waiters, |d| {
        let at = d.items.iter().position(|w| w.is(future))?;
        d.state += 1;
        d.items.remove(at)
    })
    .flatten();
    if removed.is_none() {
        let remove = vm.get_attr(&waiters, &intern("remove"))?;
        vm.call(&remove, vec![future.clone()])?;
    }
    drop(removed);
    match outcome {
        Ok(_) => {
            let value = get(vm, semaphore, &n.value)?;
            let positive = match small_int(&value) {
                Some(v) => v > 0,
                None => {
                    let gt = vm.compare(CmpOp::Gt, &value, &Value::Int(0))?;
                    vm.truthy(&gt)?
                }
            };
            if positive {
                wake_up_next(vm, semaphore)?;
            }
            Ok(Delegated::Returned(Value::None))
        }
        Err(Unwind::Exception(exc)) => {
            let cancelled_error = refs(vm)?.cancelled_error.clone();
            if vm.class_of(&exc).is_subclass_of(&cancelled_error) {
                // `except CancelledError:` — handled while it runs.
                vm.exc_stack.push(exc.clone());
                let gave_on = give_slot_on(vm, semaphore, future);
                vm.exc_stack.pop();
                gave_on?;
            }
            Err(Unwind::Exception(exc))
        }
        Err(halt) => Err(halt),
    }
}

/// `if not fut.cancelled(): self._value += 1; self._wake_up_next()`.
fn give_slot_on(vm: &mut Vm, semaphore: &Value, future: &Value) -> PyResult<()> {
    if !is_cancelled(vm, future)? {
        add_to_value(vm, semaphore, 1)?;
        wake_up_next(vm, semaphore)?;
    }
    Ok(())
}

/// [`Vm::delegate_hook`] for the awaitables: a value sent in.
pub fn delegate_hook(vm: &mut Vm, delegate: &Value, value: &Value) -> Option<PyResult<Delegated>> {
    with_native::<Await, _>(delegate, |_| ())?;
    Some(step(vm, delegate, value, None))
}

fn answer(vm: &mut Vm, stepped: PyResult<Delegated>) -> PyResult<Value> {
    match stepped? {
        Delegated::Yielded(v) => Ok(v),
        Delegated::Returned(v) => Err(Unwind::Exception(vm.stop_iteration(v))),
    }
}

fn awaitable_self(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__await__", args)?;
    vm.no_args("__await__", args, 0)?;
    Ok(this)
}

fn awaitable_next(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__next__", args)?;
    vm.no_args("__next__", args, 0)?;
    let stepped = step(vm, &this, &Value::None, None);
    answer(vm, stepped)
}

fn awaitable_send(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("send", args)?;
    let a = vm.parse_args("send", args, &["value"], 1)?;
    let value = a.into_iter().next().flatten().unwrap_or(Value::None);
    let stepped = step(vm, &this, &value, None);
    answer(vm, stepped)
}

/// `throw(exc)` / `throw(type, value)`: into `acquire` at its `await`.
fn awaitable_throw(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("throw", args)?;
    let exc = crate::futures::thrown_exception(vm, args)?;
    let stepped = step(vm, &this, &Value::None, Some(exc));
    answer(vm, stepped)
}

/// `close()`. Closing the Python coroutines waiting in `acquire` threw a
/// new GeneratorExit into `__aenter__` and one into `acquire`, and closed
/// the FutureIter (which spends an id, see futures.rs): three ids, then
/// the waiter leaves the deque.
fn awaitable_close(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("close", args)?;
    vm.no_args("close", args, 0)?;
    let state = with_native::<Await, _>(&this, |s| std::mem::replace(s, Await::Finished));
    if let Some(Await::Waiting { semaphore, future }) = state {
        for _ in 0..3 {
            vm.ids.next();
        }
        let n = names();
        let waiters = get(vm, &semaphore, &n.waiters)?;
        let removed = with_native::<DequeData, _>(&waiters, |d| {
            let at = d.items.iter().position(|w| w.is(&future))?;
            d.state += 1;
            d.items.remove(at)
        })
        .flatten();
        drop(removed);
    }
    Ok(Value::None)
}
