//! The simulated world of `SEMANTICS.md` on top of the interpreter:
//! asyncio on a virtual clock, simulated threads and network, and the
//! trace of everything that happens.
//!
//! asyncio itself is Python (`python/asyncio/`), written for Loopscope after
//! CPython 3.11's algorithms and run by the interpreter like the program;
//! its frames are hidden from tracebacks as CPython's frozen modules are.
//! What only the world can do — the clock, the thread pools, the network,
//! recording the trace — is native (`_loopscope`, `_simnet`), and so are
//! the hot paths of `Future`, `Task` and the loop (`futures`, `eventloop`),
//! as CPython runs `Future` and `Task` in C.
//!
//! Invariant: the runtime does no I/O and reads no real clock; the same
//! program and seed give byte-identical traces.

pub mod eventloop;
pub mod futures;
pub mod generators;
pub mod jobs;
pub mod locks;
pub mod natives;
pub mod network;
pub mod world;

use loopscope_interp::verdict::{verdict_of, RunOptions, Verdict};
use loopscope_interp::vm::{ModuleSource, Vm};
use loopscope_trace::Trace;

use crate::world::World;

/// Modules of the simulated world, by import name. The network clients
/// are the conformance oracle's own reference modules
/// (`tools/conformance/fakemods/`), run on our native `_simnet`: what the
/// oracle runs is what Loopscope runs. Each gets a short tail
/// (`python/network/`) that tells the trace the method of its requests.
const MODULES: &[(&str, ModuleSource)] = &[
    ("_loopscope", ModuleSource::Native(natives::make)),
    ("_simnet", ModuleSource::Native(network::make)),
    (
        "asyncio",
        ModuleSource::Python(include_str!("python/asyncio/__init__.py")),
    ),
    (
        "asyncio.exceptions",
        ModuleSource::Python(include_str!("python/asyncio/exceptions.py")),
    ),
    (
        "asyncio.coroutines",
        ModuleSource::Python(include_str!("python/asyncio/coroutines.py")),
    ),
    (
        "asyncio.events",
        ModuleSource::Python(include_str!("python/asyncio/events.py")),
    ),
    (
        "asyncio.format_helpers",
        ModuleSource::Python(include_str!("python/asyncio/format_helpers.py")),
    ),
    (
        "asyncio.futures",
        ModuleSource::Python(include_str!("python/asyncio/futures.py")),
    ),
    (
        "asyncio.tasks",
        ModuleSource::Python(include_str!("python/asyncio/tasks.py")),
    ),
    (
        "asyncio.locks",
        ModuleSource::Python(include_str!("python/asyncio/locks.py")),
    ),
    (
        "asyncio.queues",
        ModuleSource::Python(include_str!("python/asyncio/queues.py")),
    ),
    (
        "asyncio.timeouts",
        ModuleSource::Python(include_str!("python/asyncio/timeouts.py")),
    ),
    (
        "asyncio.taskgroups",
        ModuleSource::Python(include_str!("python/asyncio/taskgroups.py")),
    ),
    (
        "asyncio.runners",
        ModuleSource::Python(include_str!("python/asyncio/runners.py")),
    ),
    (
        "asyncio.threads",
        ModuleSource::Python(include_str!("python/asyncio/threads.py")),
    ),
    (
        "concurrent",
        ModuleSource::Python(include_str!("python/concurrent.py")),
    ),
    (
        "concurrent.futures",
        ModuleSource::Python(include_str!("python/concurrent_futures.py")),
    ),
    (
        "aiohttp",
        ModuleSource::Python(concat!(
            include_str!("../../../tools/conformance/fakemods/aiohttp.py"),
            include_str!("python/network/aiohttp_trace.py")
        )),
    ),
    (
        "httpx",
        ModuleSource::Python(concat!(
            include_str!("../../../tools/conformance/fakemods/httpx.py"),
            include_str!("python/network/httpx_trace.py")
        )),
    ),
    (
        "requests",
        ModuleSource::Python(concat!(
            include_str!("../../../tools/conformance/fakemods/requests.py"),
            include_str!("python/network/requests_trace.py")
        )),
    ),
];

/// What a run gives: the verdict (as the oracle states it) and the trace.
pub struct RunResult {
    pub verdict: Verdict,
    pub trace: Trace,
}

/// A VM living in the simulated world.
pub fn new_vm(options: &RunOptions) -> Vm {
    let world = World::new(options.max_time, options.seed);
    let mut vm = Vm::new(Box::new(world));
    vm.limits = options.limits.clone();
    vm.random_seed = options.seed;
    vm.filename = options.filename.as_str().into();
    vm.sleep_handler = Some(world::sleep);
    vm.generator_hook = Some(generators::hook);
    for (name, source) in MODULES {
        vm.register_module(name, *source);
    }
    vm
}

/// Runs a program as `python3 program.py` would run in the simulated world.
pub fn run_program(source: &str, options: &RunOptions) -> RunResult {
    run_program_with_progress(source, options, None)
}

/// [`run_program`], telling `progress` now and then how far the run has
/// got (see [`world::ProgressHook`]).
pub fn run_program_with_progress(
    source: &str,
    options: &RunOptions,
    progress: Option<world::ProgressHook>,
) -> RunResult {
    let mut vm = new_vm(options);
    if let Some(world) = vm.host.as_any_mut().downcast_mut::<World>() {
        world.progress = progress;
    }
    let outcome = vm.run_main(source);
    let (stdout, stderr, time) = vm.take_output();
    let verdict = verdict_of(outcome, stdout, stderr, time);
    let mut trace = match vm.host.as_any_mut().downcast_mut::<World>() {
        Some(world) => std::mem::take(&mut world.trace),
        None => Trace::default(),
    };
    trace.verdict = Some(loopscope_trace::Verdict {
        status: verdict.status.to_string(),
        error: verdict.error.clone(),
        time: verdict.time,
    });
    RunResult { verdict, trace }
}
