//! The simulated world's state as the interpreter's [`Host`]: the virtual
//! clock (SEMANTICS.md §1–2), the program's output, the thread pools
//! (§3) and the trace being recorded.
//!
//! Invariant: nothing here reads a real clock or does I/O.

use std::any::Any;

use loopscope_interp::value::{Halt, Parked, PyResult, Unwind};
use loopscope_interp::vm::{ExcType, Host, Stream, Vm};
use loopscope_trace::{Actor, Event, EventKind, Trace, TRACE_VERSION};

use crate::jobs::Jobs;

/// Everything outside the program.
pub struct World {
    pub stdout: String,
    pub stderr: String,
    /// `loop.time()`: seconds since the start of the run.
    pub clock: f64,
    /// The clock may not pass this (status `time-limit`).
    pub max_time: f64,
    pub jobs: Jobs,
    pub trace: Trace,
    /// Loop iterations started so far.
    pub iteration: u64,
    /// The interpreter's step counter as last seen.
    pub step: u64,
    /// Who runs now; the innermost last.
    pub actors: Vec<Actor>,
    /// Set while a thread job runs: its `time.sleep` parks the job.
    pub running_job: Option<usize>,
    /// When the job that just parked wants to wake up.
    pub park_until: Option<f64>,
    /// Ids of the futures that are tasks.
    pub tasks: std::collections::BTreeSet<u64>,
    /// Generators whose frames run now, innermost last.
    pub generators: Vec<crate::generators::RunningGenerator>,
    /// Coroutines driven by hand that were announced in the trace.
    pub hand_driven: std::collections::BTreeSet<u64>,
    /// The method of the request a simulated client is about to send.
    pub request_method: Option<String>,
    /// A request just sent (`METHOD url`) and who waits for it: the next
    /// sleep of that actor is the wait for its response.
    pub pending_request: Option<(Actor, String)>,
    /// Told how far the run has got, now and then (see [`Progress`]).
    pub progress: Option<ProgressHook>,
    /// What the native methods of `Future` and `Task` need from asyncio
    /// (see `futures.rs`), once asyncio is imported.
    pub asyncio: Option<std::rc::Rc<crate::futures::AsyncioRefs>>,
    /// What the native event loop needs from events.py (`eventloop.rs`).
    pub event_loop: Option<std::rc::Rc<crate::eventloop::LoopRefs>>,
    /// The running event loop (`asyncio.get_running_loop()`), or None.
    pub running_loop: loopscope_interp::value::Value,
    /// What `Semaphore._wake_up_next` last found done at the front of a
    /// waiter deque (see `futures.rs`).
    pub wake_hint: Option<crate::futures::WakeHint>,
    /// The step count at which to tell `progress` next.
    next_progress: u64,
}

/// How far a run has got, as told to a [`ProgressHook`] while it runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Interpreter instructions executed so far.
    pub steps: u64,
    /// Trace events recorded so far.
    pub events: usize,
    /// The virtual clock.
    pub time: f64,
}

/// Called while a run goes on, at most once per [`PROGRESS_EVERY_STEPS`]
/// instructions, when an event is recorded (an embedder such as the web
/// worker posts it to the page). It only observes: it cannot change the run.
pub type ProgressHook = Box<dyn FnMut(Progress)>;

/// Trace events a run may record before it ends (status `unsupported`):
/// about 80,000 tasks' worth, more than a page can show or a browser tab
/// hold comfortably.
pub const MAX_TRACE_EVENTS: usize = 2_000_000;

/// Tasks a run may create before it ends (status `unsupported`).
pub const MAX_TASKS: usize = 20_000;

/// Instructions between two calls of the progress hook.
pub const PROGRESS_EVERY_STEPS: u64 = 1_000_000;

impl World {
    pub fn new(max_time: f64, seed: u64) -> World {
        World {
            stdout: String::new(),
            stderr: String::new(),
            clock: 0.0,
            max_time,
            jobs: Jobs::default(),
            trace: Trace {
                version: TRACE_VERSION,
                seed,
                events: Vec::new(),
                verdict: None,
            },
            iteration: 0,
            step: 0,
            actors: Vec::new(),
            running_job: None,
            park_until: None,
            tasks: Default::default(),
            generators: Vec::new(),
            hand_driven: Default::default(),
            request_method: None,
            pending_request: None,
            progress: None,
            asyncio: None,
            event_loop: None,
            running_loop: loopscope_interp::value::Value::None,
            wake_hint: None,
            next_progress: PROGRESS_EVERY_STEPS,
        }
    }

    /// Appends an event stamped with the current step, time and iteration.
    pub fn record(&mut self, kind: EventKind) {
        self.trace.events.push(Event {
            step: self.step,
            time: self.clock,
            iteration: self.iteration,
            kind,
        });
        if self.step >= self.next_progress {
            self.next_progress = self.step + PROGRESS_EVERY_STEPS;
            let progress = Progress {
                steps: self.step,
                events: self.trace.events.len(),
                time: self.clock,
            };
            if let Some(hook) = self.progress.as_mut() {
                hook(progress);
            }
        }
    }

    pub fn actor(&self) -> Actor {
        self.actors.last().copied().unwrap_or(Actor::Main)
    }

    /// Moves the clock forward to `t`, or ends the run at the time limit
    /// (the oracle's `Clock.advance_to`).
    pub fn advance_to(&mut self, t: f64) -> Result<(), Halt> {
        if t > self.max_time {
            self.clock = self.max_time;
            return Err(Halt::TimeLimit);
        }
        if t > self.clock {
            self.clock = t;
        }
        Ok(())
    }
}

impl Host for World {
    fn write(&mut self, stream: Stream, text: &str, step: u64) {
        self.step = step;
        let (buffer, stream) = match stream {
            Stream::Stdout => (&mut self.stdout, loopscope_trace::Stream::Stdout),
            Stream::Stderr => (&mut self.stderr, loopscope_trace::Stream::Stderr),
        };
        buffer.push_str(text);
        let actor = self.actor();
        self.record(EventKind::Output {
            stream,
            text: text.to_string(),
            actor,
        });
    }

    fn take_output(&mut self) -> (String, String) {
        (
            std::mem::take(&mut self.stdout),
            std::mem::take(&mut self.stderr),
        )
    }

    fn now(&self) -> f64 {
        self.clock
    }

    fn sleep(&mut self, seconds: f64) -> Result<(), Halt> {
        // Only reached without the sleep handler (never in a run made by
        // this crate); the clock still moves.
        self.advance_to(self.clock + seconds.max(0.0))
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn release(&mut self) {
        self.running_loop = loopscope_interp::value::Value::None;
        self.asyncio = None;
        self.event_loop = None;
        self.wake_hint = None;
        self.jobs = Jobs::default();
    }

    fn check_limits(&mut self) -> Option<Halt> {
        let message = if self.trace.events.len() > MAX_TRACE_EVENTS {
            format!("the run recorded more than {MAX_TRACE_EVENTS} trace events")
        } else if self.tasks.len() > MAX_TASKS {
            format!("the program created more than {MAX_TASKS} tasks")
        } else {
            return None;
        };
        Some(Halt::Unsupported { message, line: 0 })
    }

    fn warning(&mut self, category: &str, message: &str, line: u32, step: u64) {
        self.step = step;
        self.record(EventKind::Warning {
            category: category.to_string(),
            message: message.to_string(),
            line,
        });
    }
}

/// The world of a VM made by this crate.
pub fn world(vm: &mut Vm) -> PyResult<&mut World> {
    let step = vm.steps;
    match vm.host.as_any_mut().downcast_mut::<World>() {
        Some(world) => {
            world.step = step;
            Ok(world)
        }
        None => Err(Unwind::Halt(Halt::Unsupported {
            message: "asyncio needs Loopscope's simulated world".into(),
            line: 0,
        })),
    }
}

/// `time.sleep(seconds)` (SEMANTICS.md §2–3): in a thread job it parks
/// the job until the clock reaches its wake-up time; on the loop's thread
/// it blocks the loop, the clock moving on while thread jobs due meanwhile
/// still run (the oracle's `v_sleep`).
pub fn sleep(vm: &mut Vm, seconds: f64) -> PyResult<()> {
    let w = world(vm)?;
    // A blocking client's wait for its response (`network_request` says so).
    w.pending_request = None;
    if w.running_job.is_some() {
        w.park_until = Some(w.clock + seconds.max(0.0));
        return Err(Unwind::Halt(Halt::Park(Parked::new())));
    }
    w.record(EventKind::BlockingSleep { seconds });
    let target = w.clock + seconds.max(0.0);
    loop {
        let w = world(vm)?;
        match w.jobs.next_wake() {
            Some(wake) if wake <= target => {
                w.advance_to(wake).map_err(Unwind::Halt)?;
                crate::jobs::run_due(vm)?;
            }
            _ => break,
        }
    }
    world(vm)?.advance_to(target).map_err(Unwind::Halt)
}

/// A SystemError for states the runtime's own Python code never makes.
pub fn internal_error(vm: &mut Vm, what: &str) -> Unwind {
    vm.error(ExcType::SystemError, format!("loopscope runtime: {what}"))
}
