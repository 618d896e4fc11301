//! Generators, coroutines and async generators: resuming a suspended
//! frame with `send`/`throw`/`close`, delegation through `yield from` and
//! `await`, and the awaitable protocol.
//!
//! Follows CPython 3.11 Objects/genobject.c: `gen_send_ex2` (can't send
//! non-None to a just-started generator; exhausted generators raise
//! StopIteration), `_gen_throw` (a throw is first passed to the delegate
//! of a `yield from`), `gen_close` (GeneratorExit; "generator ignored
//! GeneratorExit"), and PEP 479 (StopIteration escaping a generator
//! becomes RuntimeError).

use std::rc::Rc;

use super::exec::{FrameExit, Resume};
use super::{ExcType, Vm};
use crate::bytecode::AwaitContext;
use crate::value::{GenKind, GenState, Generator, PyResult, Unwind, Value};

/// How a generator is resumed ([`GeneratorEvent::Resumed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResumeHow {
    /// `next()`, `__next__`, a `for` loop.
    Next,
    Send,
    Throw,
    Close,
}

/// How a generator ended ([`GeneratorEvent::Finished`]).
pub enum GeneratorEnd<'a> {
    Returned(&'a Value),
    Raised(&'a Value),
    /// `close()` (or a thrown `GeneratorExit`) ended it.
    Closed,
    /// The run halted inside it.
    Halted,
}

/// What happens to a generator, coroutine or async generator, for an
/// embedder that records it ([`Vm::generator_hook`]). The hook must not
/// run Python code.
pub enum GeneratorEvent<'a> {
    /// Made by calling its function (not yet running).
    Created(&'a Rc<Generator>),
    /// Its frame is about to run. `value` is what was sent or thrown (None
    /// for `next`/`close`); `delegated` when the resume is a step of a
    /// `yield from`/`await` of the generator that runs now.
    Resumed {
        generator: &'a Rc<Generator>,
        how: ResumeHow,
        value: &'a Value,
        delegated: bool,
    },
    /// Suspended at `line`, giving `value`; `delegated` when the value
    /// came up from a `yield from`/`await` delegate.
    Yielded {
        generator: &'a Rc<Generator>,
        value: &'a Value,
        delegated: bool,
        line: u32,
    },
    /// Its frame ended at `line`.
    Finished {
        generator: &'a Rc<Generator>,
        end: GeneratorEnd<'a>,
        line: u32,
    },
}

/// [`Vm::generator_hook`]: called at each [`GeneratorEvent`].
pub type GeneratorHook = fn(&mut Vm, GeneratorEvent<'_>);

/// [`Vm::delegate_hook`]: steps a delegate that is not a generator by
/// sending it a value, or answers None to leave it to `__next__`/`send`.
pub type DelegateHook = fn(&mut Vm, &Value, &Value) -> Option<PyResult<Delegated>>;

/// What a delegate did with a value sent or thrown into it.
pub enum Delegated {
    Yielded(Value),
    Returned(Value),
}

/// What resuming a generator gave.
pub enum GenOutcome {
    /// Suspended with this value. `delegated` as in [`FrameExit::Yield`].
    Yielded(Value, bool),
    Returned(Value),
}

impl Vm {
    /// Resumes a generator, coroutine or async generator.
    pub fn resume(&mut self, generator: &Rc<Generator>, resume: Resume) -> PyResult<GenOutcome> {
        self.resume_as(generator, resume, None, false)
    }

    /// Tells the generator hook, if any.
    #[inline]
    fn generator_event(&mut self, event: GeneratorEvent<'_>) {
        if let Some(hook) = self.generator_hook {
            hook(self, event);
        }
    }

    /// [`Vm::resume`], saying how for the generator hook (`how` None:
    /// guessed from `resume`) and whether it is a delegation step.
    fn resume_as(
        &mut self,
        generator: &Rc<Generator>,
        resume: Resume,
        how: Option<ResumeHow>,
        delegated: bool,
    ) -> PyResult<GenOutcome> {
        let noun = match generator.kind {
            GenKind::Generator => "generator",
            GenKind::Coroutine => "coroutine",
            GenKind::AsyncGenerator => "async generator",
        };
        match generator.state.get() {
            GenState::Running => {
                return Err(self.error(ExcType::ValueError, format!("{noun} already executing")));
            }
            GenState::Finished => {
                return match resume {
                    Resume::Throw(exc) => Err(Unwind::Exception(exc)),
                    _ if generator.kind == GenKind::Coroutine => Err(self.error(
                        ExcType::RuntimeError,
                        "cannot reuse already awaited coroutine",
                    )),
                    // CPython gen_send_ex2: an exhausted async generator
                    // answers StopAsyncIteration.
                    _ if generator.kind == GenKind::AsyncGenerator => {
                        let class = self.types.exception(ExcType::StopAsyncIteration);
                        Err(Unwind::Exception(self.new_exception(&class, Vec::new())))
                    }
                    _ => Err(Unwind::Exception(self.stop_iteration(Value::None))),
                };
            }
            GenState::Created => {
                if let Resume::Send(value) = &resume {
                    if !value.is_none() {
                        return Err(self.type_error(format!(
                            "can't send non-None value to a just-started {noun}"
                        )));
                    }
                }
            }
            GenState::Suspended => {}
        }
        let Some(mut frame) = generator.frame.borrow_mut().take() else {
            return Err(self.error(ExcType::ValueError, format!("{noun} already executing")));
        };
        let resume = match (generator.state.get(), resume) {
            (GenState::Created, Resume::Send(_)) => Resume::Start,
            (_, other) => other,
        };
        let hooked = self.generator_hook.is_some();
        let how = if hooked {
            let how = how.unwrap_or_else(|| self.resume_how(&resume));
            let value = match &resume {
                Resume::Send(v) | Resume::Throw(v) => v.clone(),
                Resume::Start => Value::None,
            };
            self.generator_event(GeneratorEvent::Resumed {
                generator,
                how,
                value: &value,
                delegated,
            });
            how
        } else {
            ResumeHow::Next
        };
        generator.state.set(GenState::Running);
        let result = self.run_frame(&mut frame, resume);
        let line = if hooked { frame.line() } else { 0 };
        match result {
            Ok(FrameExit::Yield(value, delegated)) => {
                generator.state.set(GenState::Suspended);
                *generator.frame.borrow_mut() = Some(frame);
                self.generator_event(GeneratorEvent::Yielded {
                    generator,
                    value: &value,
                    delegated,
                    line,
                });
                Ok(GenOutcome::Yielded(value, delegated))
            }
            Ok(FrameExit::Return(value)) => {
                generator.state.set(GenState::Finished);
                let end = if how == ResumeHow::Close {
                    GeneratorEnd::Closed
                } else {
                    GeneratorEnd::Returned(&value)
                };
                self.generator_event(GeneratorEvent::Finished {
                    generator,
                    end,
                    line,
                });
                Ok(GenOutcome::Returned(value))
            }
            Err(Unwind::Exception(exc)) => {
                generator.state.set(GenState::Finished);
                let exc = self.pep479(generator.kind, exc);
                if hooked {
                    let end = if how == ResumeHow::Close
                        && self.is_exception(&exc, ExcType::GeneratorExit)
                    {
                        GeneratorEnd::Closed
                    } else {
                        GeneratorEnd::Raised(&exc)
                    };
                    self.generator_event(GeneratorEvent::Finished {
                        generator,
                        end,
                        line,
                    });
                }
                Err(Unwind::Exception(exc))
            }
            Err(halt) => {
                generator.state.set(GenState::Finished);
                self.generator_event(GeneratorEvent::Finished {
                    generator,
                    end: GeneratorEnd::Halted,
                    line,
                });
                Err(halt)
            }
        }
    }

    /// How a resume looks when the caller did not say: `next` for a
    /// start or `None` sent, `close` for a thrown `GeneratorExit`.
    fn resume_how(&self, resume: &Resume) -> ResumeHow {
        match resume {
            Resume::Start => ResumeHow::Next,
            Resume::Send(v) if v.is_none() => ResumeHow::Next,
            Resume::Send(_) => ResumeHow::Send,
            Resume::Throw(exc) if self.is_exception(exc, ExcType::GeneratorExit) => {
                ResumeHow::Close
            }
            Resume::Throw(_) => ResumeHow::Throw,
        }
    }

    /// A resume that ends a generator that never ran (`throw`/`close`
    /// before the first `next`), told to the hook as one.
    fn finish_unstarted(&mut self, generator: &Rc<Generator>, how: ResumeHow, exc: &Value) {
        if self.generator_hook.is_none() {
            return;
        }
        let line = generator.code.first_line;
        self.generator_event(GeneratorEvent::Resumed {
            generator,
            how,
            value: exc,
            delegated: false,
        });
        let end = match how {
            ResumeHow::Close => GeneratorEnd::Closed,
            _ => GeneratorEnd::Raised(exc),
        };
        self.generator_event(GeneratorEvent::Finished {
            generator,
            end,
            line,
        });
    }

    /// PEP 479: StopIteration (StopAsyncIteration in async generators)
    /// escaping the frame becomes a RuntimeError whose cause it is.
    fn pep479(&mut self, kind: GenKind, exc: Value) -> Value {
        let class = self.class_of(&exc);
        let (escaping, message) = match kind {
            GenKind::Generator => (ExcType::StopIteration, "generator raised StopIteration"),
            GenKind::Coroutine => (ExcType::StopIteration, "coroutine raised StopIteration"),
            GenKind::AsyncGenerator => {
                if class.is_subclass_of(&self.types.exception(ExcType::StopAsyncIteration)) {
                    (
                        ExcType::StopAsyncIteration,
                        "async generator raised StopAsyncIteration",
                    )
                } else {
                    (
                        ExcType::StopIteration,
                        "async generator raised StopIteration",
                    )
                }
            }
        };
        if !class.is_subclass_of(&self.types.exception(escaping)) {
            return exc;
        }
        let Unwind::Exception(replacement) = self.error(ExcType::RuntimeError, message) else {
            return exc;
        };
        if let Some(data) = replacement.as_exception() {
            *data.cause.borrow_mut() = exc.clone();
            *data.context.borrow_mut() = exc;
            data.suppress_context.set(true);
        }
        replacement
    }

    /// `gen.send(value)` as the Python method: a return becomes
    /// `StopIteration(value)`.
    pub fn generator_send(&mut self, generator: &Rc<Generator>, value: Value) -> PyResult<Value> {
        match self.resume_as(generator, Resume::Send(value), Some(ResumeHow::Send), false)? {
            GenOutcome::Yielded(v, _) => Ok(v),
            GenOutcome::Returned(v) => Err(Unwind::Exception(self.stop_iteration(v))),
        }
    }

    /// `next(gen)`: `send(None)`, told to the generator hook as `next`.
    pub fn generator_next(&mut self, generator: &Rc<Generator>) -> PyResult<Value> {
        match self.resume_as(
            generator,
            Resume::Send(Value::None),
            Some(ResumeHow::Next),
            false,
        )? {
            GenOutcome::Yielded(v, _) => Ok(v),
            GenOutcome::Returned(v) => Err(Unwind::Exception(self.stop_iteration(v))),
        }
    }

    /// `gen.throw(exc)`.
    pub fn generator_throw(&mut self, generator: &Rc<Generator>, exc: Value) -> PyResult<Value> {
        let exc = self.make_raisable(exc)?;
        if generator.state.get() == GenState::Created {
            // The frame never ran: the exception is raised "at" its start.
            generator.state.set(GenState::Finished);
            generator.frame.borrow_mut().take();
            self.finish_unstarted(generator, ResumeHow::Throw, &exc);
            return Err(Unwind::Exception(exc));
        }
        match self.resume_as(generator, Resume::Throw(exc), Some(ResumeHow::Throw), false)? {
            GenOutcome::Yielded(v, _) => Ok(v),
            GenOutcome::Returned(v) => Err(Unwind::Exception(self.stop_iteration(v))),
        }
    }

    /// `gen.close()`.
    pub fn generator_close(&mut self, generator: &Rc<Generator>) -> PyResult<()> {
        match generator.state.get() {
            GenState::Created | GenState::Finished => {
                let unstarted = generator.state.get() == GenState::Created;
                generator.state.set(GenState::Finished);
                generator.frame.borrow_mut().take();
                if unstarted {
                    self.finish_unstarted(generator, ResumeHow::Close, &Value::None);
                }
                return Ok(());
            }
            _ => {}
        }
        let class = self.types.exception(ExcType::GeneratorExit);
        let exit = self.new_exception(&class, Vec::new());
        match self.resume_as(
            generator,
            Resume::Throw(exit),
            Some(ResumeHow::Close),
            false,
        ) {
            Ok(GenOutcome::Yielded(..)) => {
                let noun = match generator.kind {
                    GenKind::Generator => "generator",
                    GenKind::Coroutine => "coroutine",
                    GenKind::AsyncGenerator => "async generator",
                };
                Err(self.error(
                    ExcType::RuntimeError,
                    format!("{noun} ignored GeneratorExit"),
                ))
            }
            Ok(GenOutcome::Returned(_)) => Ok(()),
            Err(Unwind::Exception(exc)) => {
                let class = self.class_of(&exc);
                if class.is_subclass_of(&self.types.exception(ExcType::GeneratorExit))
                    || class.is_subclass_of(&self.types.exception(ExcType::StopIteration))
                {
                    Ok(())
                } else {
                    Err(Unwind::Exception(exc))
                }
            }
            Err(halt) => Err(halt),
        }
    }

    /// One step of `yield from` / `await`: send a value into the delegate.
    pub fn send_to_delegate(&mut self, delegate: &Value, value: Value) -> PyResult<Delegated> {
        if let Value::Generator(g) = delegate {
            // CPython gen_send_ex2: an exhausted generator answers a send
            // with a plain return of None, which `yield from` / `await`
            // (of a `types.coroutine` generator) takes as its value.
            if g.kind == GenKind::Generator && g.state.get() == GenState::Finished {
                return Ok(Delegated::Returned(Value::None));
            }
            return Ok(match self.resume_as(g, Resume::Send(value), None, true)? {
                GenOutcome::Yielded(v, _) => Delegated::Yielded(v),
                GenOutcome::Returned(v) => Delegated::Returned(v),
            });
        }
        if let Some(hook) = self.delegate_hook {
            if let Some(stepped) = hook(self, delegate, &value) {
                return stepped;
            }
        }
        let result = if value.is_none() {
            // `__next__` itself, so a StopIteration keeps its value.
            let Some(next) = self.class_of(delegate).lookup("__next__") else {
                let t = self.type_name(delegate);
                return Err(self.type_error(format!("'{t}' object is not an iterator")));
            };
            self.call(&next, vec![delegate.clone()]).map(Ok)
        } else {
            let send = self.get_attr(delegate, &self.intern("send"))?;
            self.call(&send, vec![value]).map(Ok)
        };
        self.delegate_result(result)
    }

    /// A throw passed on to the delegate of a frame suspended in
    /// `yield from` (CPython `_gen_throw`).
    pub fn throw_to_delegate(&mut self, delegate: &Value, exc: Value) -> PyResult<Delegated> {
        let is_exit = self
            .class_of(&exc)
            .is_subclass_of(&self.types.exception(ExcType::GeneratorExit));
        if let Value::Generator(g) = delegate {
            if is_exit {
                self.generator_close(g)?;
                return Err(Unwind::Exception(exc));
            }
            return Ok(match self.resume_as(g, Resume::Throw(exc), None, true) {
                Ok(GenOutcome::Yielded(v, _)) => Delegated::Yielded(v),
                Ok(GenOutcome::Returned(v)) => Delegated::Returned(v),
                Err(e) => return Err(e),
            });
        }
        if is_exit {
            if let Ok(close) = self.get_attr(delegate, &self.intern("close")) {
                self.call(&close, Vec::new())?;
            }
            return Err(Unwind::Exception(exc));
        }
        let throw = match self.get_attr(delegate, &self.intern("throw")) {
            Ok(t) => t,
            Err(_) => return Err(Unwind::Exception(exc)),
        };
        let result = self.call(&throw, vec![exc]).map(Ok);
        self.delegate_result(result)
    }

    /// Interprets a delegate's answer: a value is a yield; StopIteration
    /// is its return value.
    fn delegate_result(&mut self, result: PyResult<Result<Value, ()>>) -> PyResult<Delegated> {
        match result {
            Ok(Ok(v)) => Ok(Delegated::Yielded(v)),
            Ok(Err(())) => Ok(Delegated::Returned(Value::None)),
            Err(Unwind::Exception(exc)) => {
                if self
                    .class_of(&exc)
                    .is_subclass_of(&self.types.exception(ExcType::StopIteration))
                {
                    Ok(Delegated::Returned(self.stop_iteration_value(&exc)))
                } else {
                    Err(Unwind::Exception(exc))
                }
            }
            Err(halt) => Err(halt),
        }
    }

    /// The object an `await` drives (CPython `_PyCoro_GetAwaitableIter`).
    pub fn get_awaitable(&mut self, value: &Value, context: AwaitContext) -> PyResult<Value> {
        if let Value::Generator(g) = value {
            match g.kind {
                GenKind::Coroutine => {
                    // CPython ceval GET_AWAITABLE: `_PyGen_yf(coro) != NULL`.
                    if g.suspended_in_yield_from() {
                        return Err(
                            self.error(ExcType::RuntimeError, "coroutine is being awaited already")
                        );
                    }
                    return Ok(value.clone());
                }
                GenKind::Generator if g.iterable_coroutine.get() => return Ok(value.clone()),
                _ => {}
            }
        }
        let class = self.class_of(value);
        let Some(await_method) = class.lookup("__await__") else {
            let type_name = class.name().as_str().to_string();
            let message = match context {
                AwaitContext::Await => format!("object {type_name} can't be used in 'await' expression"),
                AwaitContext::AsyncWithEnter => format!(
                    "'async with' received an object from __aenter__ that does not implement __await__: {type_name}"
                ),
                AwaitContext::AsyncWithExit => format!(
                    "'async with' received an object from __aexit__ that does not implement __await__: {type_name}"
                ),
            };
            return Err(self.type_error(message));
        };
        let iterator = self.call(&await_method, vec![value.clone()])?;
        if let Value::Generator(g) = &iterator {
            if g.kind == GenKind::Coroutine {
                return Err(self.type_error("__await__() returned a coroutine"));
            }
            return Ok(iterator);
        }
        if self.class_of(&iterator).lookup("__next__").is_none() {
            let name = self.type_name(&iterator);
            return Err(self.type_error(format!(
                "__await__() returned non-iterator of type '{name}'"
            )));
        }
        Ok(iterator)
    }
}

impl Generator {
    /// Suspended inside `yield from`/`await` (CPython `_PyGen_yf`).
    pub fn suspended_in_yield_from(&self) -> bool {
        if self.state.get() != GenState::Suspended {
            return false;
        }
        self.frame
            .borrow()
            .as_ref()
            .is_some_and(|f| matches!(f.code.ops.get(f.ip), Some(crate::bytecode::Op::YieldFrom)))
    }
}
