//! The trace: everything that happened in one run, as plain data.
//!
//! The runtime records it while the program runs; every view (the CLI's
//! `--trace`, the Trace Event Format export, the visualizer) reads only
//! this. Events are in the order they happened; each carries the step
//! counter of the interpreter, the virtual time and the loop iteration.
//! Objects (tasks, futures, timers, callbacks, primitives, thread jobs) are
//! named by the interpreter's sequential object ids, so the same program
//! and seed give the same trace, byte for byte. The JSON form is described
//! in `docs/trace.md`.

mod chrome;
pub mod codec;
mod json;

pub use chrome::to_chrome_trace;
pub use json::{to_json, write_json};

/// Version of the trace format; bumped on incompatible changes.
pub const TRACE_VERSION: u32 = 1;

/// An object of the run, by its sequential id.
pub type ObjectId = u64;

/// A whole run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    pub version: u32,
    pub seed: u64,
    pub events: Vec<Event>,
    /// How the run ended (set once it has).
    pub verdict: Option<Verdict>,
}

/// How a run ended, in the oracle's terms (`SEMANTICS.md` §6).
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub status: String,
    pub error: Option<String>,
    pub time: f64,
}

/// One thing that happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Interpreter instructions executed before it.
    pub step: u64,
    /// The virtual clock (`loop.time()`).
    pub time: f64,
    /// Loop iterations started so far (0 before the first).
    pub iteration: u64,
    pub kind: EventKind,
}

/// Which stream a write went to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Who was running when something happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The main program, outside any task.
    Main,
    Task(ObjectId),
    /// A simulated thread job.
    Job(ObjectId),
    /// A generator's frame (only as what resumed another generator: a
    /// `yield from`, or `next()` in its body).
    Generator(ObjectId),
}

/// How a generator ended.
#[derive(Clone, Debug, PartialEq)]
pub enum GeneratorEnd {
    /// `repr` of the returned value.
    Returned(String),
    /// The exception's last traceback line.
    Raised(String),
    /// `close()` ended it.
    Closed,
}

/// How a task or future ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Settlement {
    /// `repr` of the result.
    Result(String),
    /// The exception's last traceback line (`ValueError: bad`).
    Exception(String),
    Cancelled,
}

/// What a future stands for, when asyncio made it for a purpose.
#[derive(Clone, Debug, PartialEq)]
pub struct FutureRole {
    /// `sleep`, `gather`, `wait`, `wait_for`, `shield`, `lock`, `event`,
    /// `condition`, `semaphore`, `barrier`, `queue_get`, `queue_put`,
    /// `taskgroup`, `thread_job`, `cancel_and_wait`, `network`.
    pub kind: String,
    /// Objects it concerns: the awaited children of a gather, the lock a
    /// waiter waits on, the job of a thread future...
    pub targets: Vec<ObjectId>,
    /// Free text: the delay of a sleep, the URL of a request.
    pub detail: Option<String>,
}

/// What happened.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    /// An event loop was made.
    LoopCreated {
        event_loop: ObjectId,
    },
    /// A loop iteration starts running its ready callbacks (after the
    /// clock moved to the next due event).
    Iteration {
        event_loop: ObjectId,
        ready: usize,
    },
    /// A callback joined the ready queue (`call_soon`).
    CallbackScheduled {
        handle: ObjectId,
        callback: String,
    },
    /// A ready callback runs.
    CallbackRun {
        handle: ObjectId,
        callback: String,
    },
    /// A timer was set for `when` (`call_at`/`call_later`).
    TimerSet {
        handle: ObjectId,
        when: f64,
        callback: String,
    },
    TimerCancelled {
        handle: ObjectId,
    },
    /// A timer came due and its callback joined the ready queue.
    TimerFired {
        handle: ObjectId,
    },
    FutureCreated {
        future: ObjectId,
    },
    FutureRole {
        future: ObjectId,
        role: FutureRole,
    },
    FutureSettled {
        future: ObjectId,
        settlement: Settlement,
    },
    TaskCreated {
        task: ObjectId,
        name: String,
        /// `main()`: the coroutine's qualified name.
        coroutine: String,
        /// The task that created it, if any.
        parent: Option<ObjectId>,
        /// The line of the program that created it.
        line: u32,
    },
    TaskRenamed {
        task: ObjectId,
        name: String,
    },
    /// A task step begins; `thrown` is the exception thrown in, if any.
    TaskResumed {
        task: ObjectId,
        thrown: Option<String>,
    },
    /// A task step ended with the coroutine suspended at `line`, waiting
    /// on `awaiting` (None for a bare yield: it steps again next
    /// iteration).
    TaskSuspended {
        task: ObjectId,
        line: u32,
        awaiting: Option<ObjectId>,
    },
    TaskFinished {
        task: ObjectId,
        settlement: Settlement,
    },
    /// `task.cancel(msg)` was called.
    CancelRequested {
        task: ObjectId,
        message: Option<String>,
    },
    /// A lock, event, condition, semaphore, barrier, queue or task group.
    PrimitiveCreated {
        object: ObjectId,
        kind: String,
    },
    /// A call was handed to the thread pool (`to_thread`,
    /// `run_in_executor`); `future` receives its outcome.
    JobSubmitted {
        job: ObjectId,
        function: String,
        future: ObjectId,
    },
    /// A job starts or continues on a worker thread.
    JobRunning {
        job: ObjectId,
    },
    /// A job sleeps until `until` (`time.sleep` in the thread).
    JobSleeping {
        job: ObjectId,
        until: f64,
    },
    JobFinished {
        job: ObjectId,
        settlement: Settlement,
    },
    /// The future of a job that had not started was cancelled: it never runs.
    JobDropped {
        job: ObjectId,
    },
    /// `time.sleep` on the loop's thread: nothing else runs meanwhile.
    BlockingSleep {
        seconds: f64,
    },
    /// The program wrote text.
    Output {
        stream: Stream,
        text: String,
        actor: Actor,
    },
    /// A generator (`generator`, `async_generator`, or a `coroutine`
    /// driven by hand) was made by the program at `line`.
    GeneratorCreated {
        generator: ObjectId,
        /// `generator`, `coroutine` or `async_generator`.
        kind: String,
        /// Its qualified name.
        name: String,
        line: u32,
    },
    /// A generator's frame runs again: `how` is `next`, `send`, `throw`
    /// or `close`; `value` what was sent (repr) or thrown (last traceback
    /// line); `by` who resumed it.
    GeneratorResumed {
        generator: ObjectId,
        how: String,
        value: Option<String>,
        by: Actor,
    },
    /// The generator suspended at `line` giving `value` (repr);
    /// `delegated` when the value came up from a `yield from`/`await`.
    GeneratorYielded {
        generator: ObjectId,
        value: String,
        delegated: bool,
        line: u32,
    },
    /// The generator's frame ended at `line`.
    GeneratorFinished {
        generator: ObjectId,
        end: GeneratorEnd,
        line: u32,
    },
    /// A simulated HTTP client sent a request; the host answers `status`
    /// after `duration` seconds; `actor` waits for it.
    NetworkRequest {
        method: String,
        url: String,
        status: i64,
        duration: f64,
        actor: Actor,
    },
    /// A warning was issued (and printed on stderr): `category` is its
    /// class (`RuntimeWarning`), `line` the program line it is about.
    Warning {
        category: String,
        message: String,
        line: u32,
    },
}
