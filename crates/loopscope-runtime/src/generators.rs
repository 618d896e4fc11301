//! Generator events in the trace: the interpreter's generator hook
//! ([`Vm::generator_hook`]) as the world records it.
//!
//! What is recorded (`docs/trace.md`, "Generators"):
//! - generators and async generators of the program's own code: made,
//!   resumed (how, with what, by whom), yielded, finished;
//! - coroutines only when the program drives them by hand (`coro.send`,
//!   `throw`, `close` called from its own code, and what such a coroutine
//!   awaits in turn). Coroutines stepped by a Task are the task's events
//!   already (`task_resumed`, `task_suspended`); a hand-driven coroutine
//!   is announced (`generator_created`) at its first resume.
//! - Loopscope's own generators (asyncio's `Future.__await__`...) and
//!   generator expressions never.
//!
//! Reprs go through [`safe_repr`]: recording never runs program code.

use std::rc::Rc;

use loopscope_interp::value::{GenKind, Generator, Value};
use loopscope_interp::vm::generators::{GeneratorEnd, GeneratorEvent, ResumeHow};
use loopscope_interp::vm::Vm;
use loopscope_trace::{Actor, EventKind};

use crate::natives::safe_repr;
use crate::world::World;

/// A generator whose frame is running, innermost last.
#[derive(Clone, Copy)]
pub struct RunningGenerator {
    pub id: u64,
    /// Its events are recorded.
    pub traced: bool,
}

/// Is this a generator the program wrote as one (not Loopscope's own
/// `<frozen ...>` code, and not a generator expression, which is the
/// plumbing of one expression: `gather(*(job(n) for n in ...))` would
/// otherwise fill the trace with one event per item)?
fn is_program(generator: &Generator) -> bool {
    !generator.code.filename.starts_with('<') && generator.code.name.as_str() != "<genexpr>"
}

fn kind_name(kind: GenKind) -> &'static str {
    match kind {
        GenKind::Generator => "generator",
        GenKind::Coroutine => "coroutine",
        GenKind::AsyncGenerator => "async_generator",
    }
}

fn world_of(vm: &mut Vm) -> Option<&mut World> {
    let step = vm.steps;
    let world = vm.host.as_any_mut().downcast_mut::<World>()?;
    world.step = step;
    Some(world)
}

/// The hook the runtime installs on every VM it makes.
pub fn hook(vm: &mut Vm, event: GeneratorEvent<'_>) {
    match event {
        GeneratorEvent::Created(generator) => created(vm, generator),
        GeneratorEvent::Resumed {
            generator,
            how,
            value,
            delegated,
        } => resumed(vm, generator, how, value, delegated),
        GeneratorEvent::Yielded {
            generator,
            value,
            delegated,
            line,
        } => {
            if !leave(vm, generator) {
                return;
            }
            let value = safe_repr(vm, value);
            if let Some(w) = world_of(vm) {
                w.record(EventKind::GeneratorYielded {
                    generator: generator.id,
                    value,
                    delegated,
                    line,
                });
            }
        }
        GeneratorEvent::Finished {
            generator,
            end,
            line,
        } => {
            if !leave(vm, generator) {
                return;
            }
            let end = match end {
                GeneratorEnd::Returned(value) => {
                    loopscope_trace::GeneratorEnd::Returned(safe_repr(vm, value))
                }
                GeneratorEnd::Raised(exc) => {
                    loopscope_trace::GeneratorEnd::Raised(vm.exception_summary(exc))
                }
                GeneratorEnd::Closed => loopscope_trace::GeneratorEnd::Closed,
                GeneratorEnd::Halted => return,
            };
            if let Some(w) = world_of(vm) {
                w.record(EventKind::GeneratorFinished {
                    generator: generator.id,
                    end,
                    line,
                });
            }
        }
    }
}

fn created(vm: &mut Vm, generator: &Rc<Generator>) {
    if generator.kind == GenKind::Coroutine || !is_program(generator) {
        return;
    }
    let line = vm.current_program_line();
    let name = generator.qualname.borrow().as_str().to_string();
    if let Some(w) = world_of(vm) {
        w.record(EventKind::GeneratorCreated {
            generator: generator.id,
            kind: kind_name(generator.kind).to_string(),
            name,
            line,
        });
    }
}

fn resumed(vm: &mut Vm, generator: &Rc<Generator>, how: ResumeHow, value: &Value, delegated: bool) {
    let caller_is_program = vm
        .call_sites
        .last()
        .is_some_and(|site| !site.code.filename.starts_with('<'));
    let Some(w) = world_of(vm) else { return };
    let outer = w.generators.last().copied();
    let traced = is_program(generator)
        && match generator.kind {
            GenKind::Generator | GenKind::AsyncGenerator => true,
            GenKind::Coroutine if delegated => outer.is_some_and(|g| g.traced),
            GenKind::Coroutine => caller_is_program,
        };
    w.generators.push(RunningGenerator {
        id: generator.id,
        traced,
    });
    if !traced {
        return;
    }
    let by = match outer {
        Some(g) if g.traced => Actor::Generator(g.id),
        _ => w.actor(),
    };
    let announce = generator.kind == GenKind::Coroutine && w.hand_driven.insert(generator.id);
    let value = match how {
        ResumeHow::Next | ResumeHow::Close => None,
        ResumeHow::Send => Some(safe_repr(vm, value)),
        ResumeHow::Throw => Some(vm.exception_summary(value)),
    };
    let line = if announce {
        vm.current_program_line()
    } else {
        0
    };
    let name = generator.qualname.borrow().as_str().to_string();
    let Some(w) = world_of(vm) else { return };
    if announce {
        w.record(EventKind::GeneratorCreated {
            generator: generator.id,
            kind: kind_name(generator.kind).to_string(),
            name,
            line,
        });
    }
    let how = match how {
        ResumeHow::Next => "next",
        ResumeHow::Send => "send",
        ResumeHow::Throw => "throw",
        ResumeHow::Close => "close",
    };
    w.record(EventKind::GeneratorResumed {
        generator: generator.id,
        how: how.to_string(),
        value,
        by,
    });
}

/// The generator's frame stopped running: takes it off the stack of
/// running generators; says whether its events are recorded.
fn leave(vm: &mut Vm, generator: &Rc<Generator>) -> bool {
    let Some(w) = world_of(vm) else { return false };
    match w.generators.last() {
        Some(top) if top.id == generator.id => {
            let traced = top.traced;
            w.generators.pop();
            traced
        }
        _ => false,
    }
}
