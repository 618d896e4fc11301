//! Methods of generators, coroutines and async generators, and the
//! awaitables an async generator's `__anext__`/`asend`/`athrow`/`aclose`
//! return (CPython Objects/genobject.c `async_gen_asend_send`,
//! `async_gen_athrow_send`, `async_gen_unwrap_value`).

use std::rc::Rc;

use super::{add_methods, native_object};
use crate::value::{Args, GenKind, Generator, PyResult, Unwind, Value};
use crate::vm::exec::Resume;
use crate::vm::generators::GenOutcome;
use crate::vm::{ExcType, Vm};

pub fn install(vm: &mut Vm) {
    let t = &vm.types;
    add_methods(
        &t.named("generator"),
        "generator",
        &[
            ("__iter__", gen_iter),
            ("__next__", gen_next),
            ("send", gen_send),
            ("throw", gen_throw),
            ("close", gen_close),
        ],
    );
    add_methods(
        &t.named("coroutine"),
        "coroutine",
        &[
            ("send", gen_send),
            ("throw", gen_throw),
            ("close", gen_close),
            ("__await__", coro_await),
        ],
    );
    add_methods(
        &t.named("coroutine_wrapper"),
        "coroutine_wrapper",
        &[
            ("__iter__", gen_iter),
            ("__next__", wrapper_next),
            ("send", wrapper_send),
            ("throw", wrapper_throw),
            ("close", wrapper_close),
        ],
    );
    add_methods(
        &t.named("async_generator"),
        "async_generator",
        &[
            ("__aiter__", gen_iter),
            ("__anext__", agen_anext),
            ("asend", agen_asend),
            ("athrow", agen_athrow),
            ("aclose", agen_aclose),
        ],
    );
    let awaitable_methods: &[(&str, crate::value::NativeFnPtr)] = &[
        ("__await__", gen_iter),
        ("__iter__", gen_iter),
        ("__next__", awaitable_next),
        ("send", awaitable_send),
        ("throw", awaitable_throw),
        ("close", awaitable_close),
    ];
    add_methods(
        &t.named("async_generator_asend"),
        "async_generator_asend",
        awaitable_methods,
    );
    add_methods(
        &t.named("async_generator_athrow"),
        "async_generator_athrow",
        awaitable_methods,
    );
    add_methods(
        &t.named("anext_awaitable"),
        "anext_awaitable",
        &[
            ("__await__", gen_iter),
            ("__iter__", gen_iter),
            ("__next__", anext_default_next),
            ("send", anext_default_send),
            ("throw", anext_default_throw),
            ("close", anext_default_close),
        ],
    );
}

/// `anext(iterator, default)`: awaits `iterator.__anext__()`, and gives
/// `default` when it raises StopAsyncIteration (CPython anextawaitable).
struct AnextDefault {
    iterator: Value,
    /// The awaitable of `__anext__()`, made on the first step.
    awaitable: Option<Value>,
    default: Value,
}

pub fn anext_with_default(vm: &mut Vm, iterator: Value, default: Value) -> Value {
    let class = vm.types.named("anext_awaitable");
    native_object(
        vm,
        &class,
        AnextDefault {
            iterator,
            awaitable: None,
            default,
        },
    )
}

/// One step of an `anext_awaitable`: `send` a value (None for
/// `__next__`) or `throw` an exception into the `__anext__()` awaitable.
fn anext_default_step(vm: &mut Vm, this: &Value, input: Resume) -> PyResult<Value> {
    let state = super::with_native::<AnextDefault, _>(this, |a| {
        (a.iterator.clone(), a.awaitable.clone(), a.default.clone())
    });
    let Some((iterator, awaitable, default)) = state else {
        return Err(vm.type_error("not an anext_awaitable"));
    };
    let awaitable = match awaitable {
        Some(a) => a,
        None => {
            let a = vm.get_anext_awaitable(&iterator)?;
            super::with_native::<AnextDefault, _>(this, |s| s.awaitable = Some(a.clone()));
            a
        }
    };
    let outcome = match input {
        Resume::Throw(exc) => vm.throw_to_delegate(&awaitable, exc),
        Resume::Send(value) => vm.send_to_delegate(&awaitable, value),
        Resume::Start => vm.send_to_delegate(&awaitable, Value::None),
    };
    match outcome {
        Ok(crate::vm::generators::Delegated::Yielded(v)) => Ok(v),
        Ok(crate::vm::generators::Delegated::Returned(v)) => {
            Err(Unwind::Exception(vm.stop_iteration(v)))
        }
        Err(Unwind::Exception(exc))
            if vm
                .class_of(&exc)
                .is_subclass_of(&vm.types.exception(ExcType::StopAsyncIteration)) =>
        {
            Err(Unwind::Exception(vm.stop_iteration(default)))
        }
        Err(other) => Err(other),
    }
}

fn anext_default_next(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__next__", args)?;
    anext_default_step(vm, &this, Resume::Start)
}

fn anext_default_send(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("send", args)?;
    let a = vm.parse_args("send", args, &["value"], 1)?;
    let value = a[0].clone().unwrap_or(Value::None);
    anext_default_step(vm, &this, Resume::Send(value))
}

fn anext_default_throw(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("throw", args)?;
    let exc = thrown_exception(vm, args, "throw")?;
    anext_default_step(vm, &this, Resume::Throw(exc))
}

fn anext_default_close(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("close", args)?;
    let awaitable = super::with_native::<AnextDefault, _>(&this, |a| a.awaitable.take()).flatten();
    if let Some(awaitable) = awaitable {
        if let Ok(close) = vm.get_attr(&awaitable, &vm.intern("close")) {
            vm.call(&close, Vec::new())?;
        }
    }
    Ok(Value::None)
}

fn generator_arg(vm: &mut Vm, name: &str, args: &mut Args) -> PyResult<Rc<Generator>> {
    match vm.receiver(name, args)? {
        Value::Generator(g) => Ok(g),
        other => {
            let t = vm.type_name(&other);
            Err(vm.type_error(format!(
                "descriptor '{name}' requires a 'generator' object but received a '{t}'"
            )))
        }
    }
}

fn gen_iter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    vm.receiver("__iter__", args)
}

fn gen_next(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = generator_arg(vm, "__next__", args)?;
    vm.generator_next(&g)
}

fn gen_send(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = generator_arg(vm, "send", args)?;
    let a = vm.parse_args("send", args, &["value"], 1)?;
    vm.generator_send(&g, a[0].clone().unwrap_or(Value::None))
}

/// The exception `throw(typ[, val])` raises.
fn thrown_exception(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Value> {
    if args.positional.is_empty() {
        return Err(vm.type_error(format!("{name} expected at least 1 argument, got 0")));
    }
    let typ = args.positional.remove(0);
    let val = if args.positional.is_empty() {
        Value::None
    } else {
        args.positional.remove(0)
    };
    match (&typ, &val) {
        (Value::Class(_), Value::None) => vm.make_raisable(typ),
        (Value::Class(_), v) if v.as_exception().is_some() => Ok(val),
        (Value::Class(_), v) => vm.call(&typ, vec![v.clone()]),
        (v, Value::None) if v.as_exception().is_some() => Ok(typ),
        (v, _) if v.as_exception().is_some() => {
            Err(vm.type_error("instance exception may not have a separate value"))
        }
        _ => {
            let t = vm.type_name(&typ);
            Err(vm.type_error(format!(
                "exceptions must be classes or instances deriving from BaseException, not {t}"
            )))
        }
    }
}

fn gen_throw(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = generator_arg(vm, "throw", args)?;
    let exc = thrown_exception(vm, args, "throw")?;
    vm.generator_throw(&g, exc)
}

fn gen_close(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = generator_arg(vm, "close", args)?;
    vm.generator_close(&g)?;
    Ok(Value::None)
}

/// `coro.__await__()`: a wrapper iterator over the coroutine.
fn coro_await(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = generator_arg(vm, "__await__", args)?;
    let class = vm.types.named("coroutine_wrapper");
    Ok(native_object(vm, &class, g))
}

fn wrapped(vm: &mut Vm, name: &str, args: &mut Args) -> PyResult<Rc<Generator>> {
    let this = vm.receiver(name, args)?;
    match super::with_native::<Rc<Generator>, _>(&this, |g| g.clone()) {
        Some(g) => Ok(g),
        None => Err(vm.type_error(format!(
            "descriptor '{name}' requires a 'coroutine_wrapper' object"
        ))),
    }
}

fn wrapper_next(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = wrapped(vm, "__next__", args)?;
    vm.generator_next(&g)
}

fn wrapper_send(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = wrapped(vm, "send", args)?;
    let a = vm.parse_args("send", args, &["value"], 1)?;
    vm.generator_send(&g, a[0].clone().unwrap_or(Value::None))
}

fn wrapper_throw(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = wrapped(vm, "throw", args)?;
    let exc = thrown_exception(vm, args, "throw")?;
    vm.generator_throw(&g, exc)
}

fn wrapper_close(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = wrapped(vm, "close", args)?;
    vm.generator_close(&g)?;
    Ok(Value::None)
}

// ----------------------------------------------------------------- async generators

/// What an async generator awaitable does when first driven.
enum Action {
    Send(Value),
    Throw(Value),
    Close,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AwaitableState {
    Init,
    Iter,
    Closed,
}

/// The state of an `asend`/`athrow`/`aclose` awaitable.
pub struct AgenAwaitable {
    generator: Rc<Generator>,
    action: Option<Action>,
    closing: bool,
    state: AwaitableState,
}

/// The awaitable of `agen.asend(value)` (and of `__anext__`).
pub fn asend(vm: &mut Vm, generator: &Rc<Generator>, value: Value) -> Value {
    let class = vm.types.named("async_generator_asend");
    native_object(
        vm,
        &class,
        AgenAwaitable {
            generator: generator.clone(),
            action: Some(Action::Send(value)),
            closing: false,
            state: AwaitableState::Init,
        },
    )
}

fn agen_arg(vm: &mut Vm, name: &str, args: &mut Args) -> PyResult<Rc<Generator>> {
    match vm.receiver(name, args)? {
        Value::Generator(g) if g.kind == GenKind::AsyncGenerator => Ok(g),
        other => {
            let t = vm.type_name(&other);
            Err(vm.type_error(format!(
                "descriptor '{name}' requires an 'async_generator' object but received a '{t}'"
            )))
        }
    }
}

fn agen_anext(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = agen_arg(vm, "__anext__", args)?;
    Ok(asend(vm, &g, Value::None))
}

fn agen_asend(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = agen_arg(vm, "asend", args)?;
    let a = vm.parse_args("asend", args, &["value"], 1)?;
    Ok(asend(vm, &g, a[0].clone().unwrap_or(Value::None)))
}

fn agen_athrow(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = agen_arg(vm, "athrow", args)?;
    let exc = thrown_exception(vm, args, "athrow")?;
    let class = vm.types.named("async_generator_athrow");
    Ok(native_object(
        vm,
        &class,
        AgenAwaitable {
            generator: g,
            action: Some(Action::Throw(exc)),
            closing: false,
            state: AwaitableState::Init,
        },
    ))
}

fn agen_aclose(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let g = agen_arg(vm, "aclose", args)?;
    let class = vm.types.named("async_generator_athrow");
    Ok(native_object(
        vm,
        &class,
        AgenAwaitable {
            generator: g,
            action: Some(Action::Close),
            closing: true,
            state: AwaitableState::Init,
        },
    ))
}

/// Steps an awaitable with what was sent or thrown into it.
fn drive(vm: &mut Vm, this: &Value, input: Resume) -> PyResult<Value> {
    let taken = super::with_native::<AgenAwaitable, _>(this, |a| {
        let action = a.action.take();
        let state = a.state;
        if a.state == AwaitableState::Init {
            a.state = AwaitableState::Iter;
        }
        (a.generator.clone(), action, a.closing, state)
    });
    let Some((generator, action, closing, state)) = taken else {
        return Err(vm.type_error("not an async generator awaitable"));
    };
    if state == AwaitableState::Closed {
        let message = if closing {
            "cannot reuse already awaited aclose()/athrow()"
        } else {
            "cannot reuse already awaited __anext__()/asend()"
        };
        return Err(vm.error(ExcType::RuntimeError, message));
    }
    let resume = match (state, action) {
        (AwaitableState::Init, Some(Action::Send(v))) => match input {
            Resume::Send(sent) if !sent.is_none() => Resume::Send(sent),
            Resume::Throw(e) => Resume::Throw(e),
            _ => Resume::Send(v),
        },
        (AwaitableState::Init, Some(Action::Throw(exc))) => Resume::Throw(exc),
        (AwaitableState::Init, Some(Action::Close)) => {
            let class = vm.types.exception(ExcType::GeneratorExit);
            Resume::Throw(vm.new_exception(&class, Vec::new()))
        }
        (_, _) => input,
    };
    // Closing or throwing into a generator that has not started or has
    // finished: CPython completes at once.
    if closing
        && matches!(
            generator.state.get(),
            crate::value::GenState::Created | crate::value::GenState::Finished
        )
        && state == AwaitableState::Init
    {
        generator.state.set(crate::value::GenState::Finished);
        generator.frame.borrow_mut().take();
        mark_closed(this);
        return Err(Unwind::Exception(vm.stop_iteration(Value::None)));
    }
    let outcome = vm.resume(&generator, resume);
    let result = unwrap_outcome(vm, outcome, closing);
    if result.is_err() {
        mark_closed(this);
    }
    result
}

fn mark_closed(this: &Value) {
    super::with_native::<AgenAwaitable, _>(this, |a| a.state = AwaitableState::Closed);
}

/// CPython `async_gen_unwrap_value`: the generator's own `yield` ends the
/// awaitable with StopIteration(value); a yield from an `await` inside
/// passes through; a return is StopAsyncIteration.
fn unwrap_outcome(vm: &mut Vm, outcome: PyResult<GenOutcome>, closing: bool) -> PyResult<Value> {
    match outcome {
        Ok(GenOutcome::Yielded(v, true)) => Ok(v),
        Ok(GenOutcome::Yielded(v, false)) => {
            if closing {
                return Err(vm.error(
                    ExcType::RuntimeError,
                    "async generator ignored GeneratorExit",
                ));
            }
            Err(Unwind::Exception(vm.stop_iteration(v)))
        }
        Ok(GenOutcome::Returned(_)) => {
            if closing {
                return Err(Unwind::Exception(vm.stop_iteration(Value::None)));
            }
            let class = vm.types.exception(ExcType::StopAsyncIteration);
            Err(Unwind::Exception(vm.new_exception(&class, Vec::new())))
        }
        Err(Unwind::Exception(exc)) => {
            if closing
                && (vm.is_exception(&exc, ExcType::StopAsyncIteration)
                    || vm.is_exception(&exc, ExcType::GeneratorExit))
            {
                return Err(Unwind::Exception(vm.stop_iteration(Value::None)));
            }
            Err(Unwind::Exception(exc))
        }
        Err(halt) => Err(halt),
    }
}

fn awaitable_next(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__next__", args)?;
    drive(vm, &this, Resume::Send(Value::None))
}

fn awaitable_send(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("send", args)?;
    let a = vm.parse_args("send", args, &["value"], 1)?;
    drive(vm, &this, Resume::Send(a[0].clone().unwrap_or(Value::None)))
}

fn awaitable_throw(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("throw", args)?;
    let exc = thrown_exception(vm, args, "throw")?;
    drive(vm, &this, Resume::Throw(exc))
}

fn awaitable_close(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("close", args)?;
    mark_closed(&this);
    Ok(Value::None)
}
