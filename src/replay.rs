//! The replay model: from a [`Trace`], the state of the simulated world at
//! any moment. Pure Rust, no DOM: every view (loop view, timeline, console,
//! task table, code panel) only reads it.
//!
//! A *moment* is an event index `i` in `0..=len`: the events `0..i` have
//! happened. [`Replay::state_at`] starts from the nearest checkpoint at or
//! before `i` (one every [`Replay::checkpoint_every`] events, at most about
//! [`MAX_CHECKPOINTS`] of them) and applies the few events after it, so a
//! jump anywhere costs at most one checkpoint interval, never a replay
//! from the start.
//!
//! What never changes during a run (task names and colours, the role of
//! each future, which task a callback handle or timer belongs to, the
//! output lines, the marks on the scrubber, the timeline's segments) is
//! worked out once, from the whole trace, in [`Catalog`].
//!
//! Event kinds this model does not know are ignored (a newer trace may
//! carry more kinds).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::rc::Rc;

use loopscope_trace::{
    Actor, Event, EventKind, FutureRole, GeneratorEnd, ObjectId, Settlement, Stream, Trace,
};

use crate::i18n::{Lang, T};

/// The most checkpoints a replay keeps; more events mean sparser ones.
pub const MAX_CHECKPOINTS: usize = 256;
/// The densest checkpoint spacing, in events.
const MIN_CHECKPOINT_EVERY: usize = 64;

/// A task's state at one moment.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskState {
    /// Made, its first step not scheduled yet.
    Created,
    /// Its step is in the ready queue.
    Ready,
    Running,
    /// Suspended, waiting for `awaiting` (a future), or for the next
    /// iteration (`None`: a bare yield such as `sleep(0)`).
    Waiting {
        awaiting: Option<ObjectId>,
    },
    Done(Settlement),
}

impl TaskState {
    /// One word for the table and the legend.
    pub fn label(&self) -> &'static str {
        match self {
            TaskState::Created => "created",
            TaskState::Ready => "ready",
            TaskState::Running => "running",
            TaskState::Waiting { .. } => "waiting",
            TaskState::Done(Settlement::Result(_)) => "done",
            TaskState::Done(Settlement::Exception(_)) => "failed",
            TaskState::Done(Settlement::Cancelled) => "cancelled",
        }
    }

    /// The coarse state the timeline draws.
    pub fn phase(&self) -> Phase {
        match self {
            TaskState::Created | TaskState::Ready => Phase::Ready,
            TaskState::Running => Phase::Running,
            TaskState::Waiting { .. } => Phase::Waiting,
            TaskState::Done(_) => Phase::Done,
        }
    }
}

/// What a timeline lane shows for a stretch of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Ready,
    Running,
    Waiting,
    Done,
}

/// A task as the whole trace knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskInfo {
    pub id: ObjectId,
    /// The last name it was given.
    pub name: String,
    /// `main()`: the coroutine's qualified name.
    pub coroutine: String,
    pub parent: Option<ObjectId>,
    /// The program line that created it.
    pub line: u32,
    /// The event that created it.
    pub created_at: usize,
    /// asyncio's own housekeeping (`shutdown_asyncgens()` at the end of
    /// `asyncio.run`): not shown.
    pub internal: bool,
    /// Its colour, the same in every view: an index into the palette.
    pub colour: usize,
}

/// A thread job as the whole trace knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct JobInfo {
    pub id: ObjectId,
    pub function: String,
    /// The future that receives its outcome.
    pub future: ObjectId,
    pub submitted_at: usize,
}

/// A thread job's state at one moment.
#[derive(Clone, Debug, PartialEq)]
pub enum JobState {
    /// In the pool's queue, no worker yet.
    Queued,
    Running,
    Sleeping {
        until: f64,
    },
    Done(Settlement),
    /// Cancelled before a worker took it: it never runs.
    Dropped,
}

/// One line (or the unfinished end of one) the program wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputLine {
    /// The event that wrote it: the console jumps there on a click.
    pub event: usize,
    pub stream: Stream,
    pub actor: Actor,
    /// Without its newline.
    pub text: String,
}

/// Something worth a mark on the scrubber or the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// Output on stdout.
    Print,
    /// Output on stderr, a task or job that raised.
    Error,
    /// A cancellation requested, or a task that ended cancelled.
    Cancel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub event: usize,
    pub kind: MarkKind,
    /// The task or job concerned, if any.
    pub actor: Actor,
}

/// A task awaiting another (directly, or through a gather/wait/shield of
/// it), drawn as a link between lanes at the moment it starts waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwaitLink {
    pub event: usize,
    pub waiter: ObjectId,
    pub awaited: ObjectId,
}

/// A stretch of one lane in one phase, from event `start` up to (not
/// including) event `end`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    pub phase: Phase,
}

/// A generator (or hand-driven coroutine) of the program, as the whole
/// trace knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratorInfo {
    pub id: ObjectId,
    /// `generator`, `async_generator` or `coroutine`.
    pub kind: String,
    /// The function's qualified name.
    pub name: String,
    /// The program line that made it.
    pub line: u32,
    pub created_at: usize,
    /// Its colour: the palette after the tasks'.
    pub colour: usize,
}

/// A generator's state at one moment.
#[derive(Clone, Debug, PartialEq)]
pub enum GeneratorState {
    /// Made, never run.
    Created,
    Running,
    /// Suspended at `line` after yielding `value` (repr).
    Suspended {
        line: u32,
        value: String,
    },
    Finished(GeneratorEnd),
}

impl GeneratorState {
    pub fn label(&self) -> &'static str {
        match self {
            GeneratorState::Created => "created",
            GeneratorState::Running => "running",
            GeneratorState::Suspended { .. } => "suspended",
            GeneratorState::Finished(GeneratorEnd::Returned(_)) => "returned",
            GeneratorState::Finished(GeneratorEnd::Raised(_)) => "raised",
            GeneratorState::Finished(GeneratorEnd::Closed) => "closed",
        }
    }
}

/// Which way a value passes between a generator and its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Passing {
    /// Into the generator: `next`, `send`, `throw`, `close`.
    In,
    /// Out of it: a `yield`, its return value, the exception it raised, or
    /// its end by `close`.
    Out,
}

/// A value passing between a generator and whoever resumed it.
#[derive(Clone, Debug, PartialEq)]
pub struct Exchange {
    pub event: usize,
    pub generator: ObjectId,
    /// Who resumed it (and gets what comes out).
    pub caller: Actor,
    pub passing: Passing,
    /// `next`, `send`, `throw`, `close`; `yield`, `return`, `raise`,
    /// `closed`.
    pub how: String,
    /// The repr passed (or the exception's line); empty for `next`, `close`.
    pub value: String,
}

impl Exchange {
    /// `send(1)`, `next()`, `throw(ValueError: x)`, `yield None`,
    /// `return 3`, `raise ValueError: x`, `closed`.
    pub fn describe(&self) -> String {
        match (self.passing, self.how.as_str()) {
            (Passing::In, "next") => "next()".to_string(),
            (Passing::In, "close") => "close()".to_string(),
            (Passing::In, how) => format!("{how}({})", self.value),
            (Passing::Out, "closed") => "closed".to_string(),
            (Passing::Out, how) => format!("{how} {}", self.value),
        }
    }
}

/// An HTTP request a simulated client sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub event: usize,
    /// The virtual time it was sent at; the answer comes `duration` later.
    pub time: f64,
    pub method: String,
    pub url: String,
    pub status: i64,
    pub duration: f64,
    /// Who waits for it.
    pub actor: Actor,
}

impl Request {
    /// `GET /delay/1`: the method and the URL's path.
    pub fn short(&self) -> String {
        let path = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, rest)| {
                rest.find('/').map_or("/", |slash| &rest[slash..])
            });
        format!("{} {path}", self.method)
    }

    /// Whether the answer is still on its way at virtual time `time` of
    /// moment `index`.
    pub fn in_flight(&self, index: usize, time: f64) -> bool {
        self.event < index && time < self.time + self.duration
    }
}

/// What never changes during the run, worked out once from the trace.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// In creation order.
    pub tasks: Vec<TaskInfo>,
    task_index: HashMap<ObjectId, usize>,
    pub jobs: Vec<JobInfo>,
    job_index: HashMap<ObjectId, usize>,
    /// What each future asyncio made stands for.
    pub roles: HashMap<ObjectId, FutureRole>,
    /// `(object, kind)` of each primitive, in creation order.
    pub primitives: Vec<(ObjectId, String)>,
    /// The task a ready callback steps or wakes up.
    pub handle_task: HashMap<ObjectId, ObjectId>,
    /// The task that was running when a timer was set (whom it wakes).
    pub timer_task: HashMap<ObjectId, ObjectId>,
    /// Which job a future is the outcome of.
    pub future_job: HashMap<ObjectId, ObjectId>,
    pub output: Vec<OutputLine>,
    pub marks: Vec<Mark>,
    pub links: Vec<AwaitLink>,
    /// Per task (by index in `tasks`), its stretches in each phase.
    pub task_segments: Vec<Vec<Segment>>,
    /// Per job (by index in `jobs`), its stretches.
    pub job_segments: Vec<Vec<Segment>>,
    /// Per task, `(event, line)` each time it suspended: the code panel's
    /// "current line" of a task.
    pub task_lines: Vec<Vec<(usize, u32)>>,
    /// The program's generators, in creation order.
    pub generators: Vec<GeneratorInfo>,
    generator_index: HashMap<ObjectId, usize>,
    /// Per generator, its stretches: ready (made, not started), running,
    /// waiting (suspended), done.
    pub generator_segments: Vec<Vec<Segment>>,
    /// Every value passed into or out of a generator, in order.
    pub exchanges: Vec<Exchange>,
    /// Whether the main program resumed a generator (it gets a lane).
    pub main_drives_generators: bool,
    /// Whether an event loop ran at all (a plain generator program has none).
    pub has_event_loop: bool,
    /// Every HTTP request sent, in order.
    pub requests: Vec<Request>,
    /// The main program's stretches when it drives generators: running, or
    /// waiting while a generator it resumed runs.
    pub main_segments: Vec<Segment>,
}

impl Catalog {
    pub fn task(&self, id: ObjectId) -> Option<&TaskInfo> {
        self.task_index.get(&id).map(|&i| &self.tasks[i])
    }

    pub fn task_position(&self, id: ObjectId) -> Option<usize> {
        self.task_index.get(&id).copied()
    }

    pub fn job(&self, id: ObjectId) -> Option<&JobInfo> {
        self.job_index.get(&id).map(|&i| &self.jobs[i])
    }

    pub fn job_position(&self, id: ObjectId) -> Option<usize> {
        self.job_index.get(&id).copied()
    }

    pub fn generator(&self, id: ObjectId) -> Option<&GeneratorInfo> {
        self.generator_index.get(&id).map(|&i| &self.generators[i])
    }

    pub fn generator_position(&self, id: ObjectId) -> Option<usize> {
        self.generator_index.get(&id).copied()
    }

    /// How many exchanges happened before moment `index`.
    pub fn exchanges_before(&self, index: usize) -> usize {
        self.exchanges
            .partition_point(|exchange| exchange.event < index)
    }

    /// The tasks the views show (not asyncio's housekeeping).
    pub fn visible_tasks(&self) -> impl Iterator<Item = (usize, &TaskInfo)> {
        self.tasks.iter().enumerate().filter(|(_, t)| !t.internal)
    }

    /// How many output lines were written before moment `index`.
    pub fn output_before(&self, index: usize) -> usize {
        self.output.partition_point(|line| line.event < index)
    }

    /// A short name for who did something: `main`, a task's name, `thread
    /// f` (in `lang`); the program's own names stay as they are.
    pub fn actor_name(&self, actor: Actor, lang: Lang) -> String {
        match actor {
            Actor::Main => "main".to_string(),
            Actor::Task(id) => self
                .task(id)
                .map(|t| t.name.clone())
                .unwrap_or_else(|| format!("task {id}")),
            Actor::Job(id) => self
                .job(id)
                .map(|j| lang.fill(T::ThreadOf, &[&j.function]))
                .unwrap_or_else(|| format!("job {id}")),
            Actor::Generator(id) => self
                .generator(id)
                .map(|g| g.name.clone())
                .unwrap_or_else(|| format!("generator {id}")),
        }
    }

    /// A task's colour index; main and jobs get their own.
    pub fn actor_colour(&self, actor: Actor) -> Option<usize> {
        match actor {
            Actor::Task(id) => self.task(id).map(|t| t.colour),
            Actor::Generator(id) => self.generator(id).map(|g| g.colour),
            Actor::Main | Actor::Job(_) => None,
        }
    }

    /// The line task `position` was last suspended at before moment `index`.
    pub fn task_line_at(&self, position: usize, index: usize) -> Option<u32> {
        let lines = self.task_lines.get(position)?;
        let before = lines.partition_point(|&(event, _)| event < index);
        before.checked_sub(1).map(|i| lines[i].1)
    }

    /// The tasks a future stands for: itself if it is a task, the children
    /// of a gather/wait/shield, the task a `wait_for` wraps.
    pub fn awaited_tasks(&self, future: ObjectId) -> Vec<ObjectId> {
        if self.task_index.contains_key(&future) {
            return vec![future];
        }
        match self.roles.get(&future) {
            Some(role)
                if matches!(
                    role.kind.as_str(),
                    "gather" | "wait" | "wait_for" | "shield" | "cancel_and_wait"
                ) =>
            {
                role.targets
                    .iter()
                    .flat_map(|&target| self.awaited_tasks_shallow(target))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    fn awaited_tasks_shallow(&self, future: ObjectId) -> Vec<ObjectId> {
        if self.task_index.contains_key(&future) {
            vec![future]
        } else {
            Vec::new()
        }
    }

    /// Words for what a future is: `sleep 1`, `Semaphore`, `gather`, `Task-2`.
    pub fn describe_future(&self, future: ObjectId) -> String {
        self.describe_future_in(future, Lang::En)
    }

    /// [`Catalog::describe_future`], its words in `lang`.
    pub fn describe_future_in(&self, future: ObjectId, lang: Lang) -> String {
        if let Some(task) = self.task(future) {
            return task.name.clone();
        }
        if let Some(&job) = self.future_job.get(&future) {
            let function = self.job(job).map_or("?", |j| &j.function);
            return lang.fill(T::ThreadOf, &[&function]);
        }
        match self.roles.get(&future) {
            Some(role) => match (&role.detail, role.kind.as_str()) {
                (Some(detail), "sleep") => format!("sleep({detail})"),
                (_, "gather") | (_, "wait") => {
                    // A gather of a thousand tasks names the first few.
                    const NAMED: usize = 3;
                    let mut names: Vec<String> = role
                        .targets
                        .iter()
                        .take(NAMED)
                        .map(|&t| {
                            self.task(t)
                                .map(|t| t.name.clone())
                                .unwrap_or_else(|| "future".into())
                        })
                        .collect();
                    if role.targets.len() > NAMED {
                        names.push(lang.fill(T::InAll, &[&role.targets.len()]));
                    }
                    format!("{}({})", role.kind, names.join(", "))
                }
                (Some(detail), kind) => format!("{kind} {detail}"),
                (None, kind) => kind.replace('_', " "),
            },
            None => lang.t(T::AFuture).to_string(),
        }
    }
}

/// A callback in the ready queue.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadyCallback {
    pub handle: ObjectId,
    /// `Task.task_step`, `_set_result_unless_cancelled`...
    pub callback: Rc<str>,
    /// The task it steps or wakes, if any.
    pub task: Option<ObjectId>,
}

/// A timer set and not yet fired or cancelled.
#[derive(Clone, Debug, PartialEq)]
pub struct Timer {
    pub handle: ObjectId,
    pub when: f64,
    pub callback: Rc<str>,
    /// The task that set it (the one a sleep wakes).
    pub task: Option<ObjectId>,
}

/// The world at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// Events applied: the moment this state is at.
    pub index: usize,
    pub time: f64,
    pub step: u64,
    pub iteration: u64,
    /// Who runs on the loop's thread now.
    pub running: Option<Actor>,
    /// Per task, by position in [`Catalog::tasks`]; `None` before it exists.
    pub tasks: Vec<Option<TaskState>>,
    /// Per task: a cancellation was requested and not yet delivered.
    pub cancelling: Vec<bool>,
    /// The ready queue, first to run first.
    pub ready: VecDeque<ReadyCallback>,
    /// Pending timers by `(deadline bits, handle)`: deadline order, ties in
    /// the order they were set (handles are sequential).
    timers: BTreeMap<(u64, ObjectId), Timer>,
    timer_keys: HashMap<ObjectId, (u64, ObjectId)>,
    /// Per job, by position in [`Catalog::jobs`]; `None` before submitted.
    pub jobs: Vec<Option<JobState>>,
    /// The main program is blocked in `time.sleep` (until this time).
    pub blocked_until: Option<f64>,
    /// Per generator, by position in [`Catalog::generators`].
    pub generators: Vec<Option<GeneratorState>>,
    /// The generators running now, outermost first (one resumes another
    /// through `yield from`, `await` or `next()` in its body).
    pub generator_stack: Vec<ObjectId>,
}

impl State {
    fn new(catalog: &Catalog) -> State {
        State {
            index: 0,
            time: 0.0,
            step: 0,
            iteration: 0,
            running: None,
            tasks: vec![None; catalog.tasks.len()],
            cancelling: vec![false; catalog.tasks.len()],
            ready: VecDeque::new(),
            timers: BTreeMap::new(),
            timer_keys: HashMap::new(),
            jobs: vec![None; catalog.jobs.len()],
            blocked_until: None,
            generators: vec![None; catalog.generators.len()],
            generator_stack: Vec::new(),
        }
    }

    pub fn generator_state(&self, position: usize) -> Option<&GeneratorState> {
        self.generators.get(position).and_then(Option::as_ref)
    }

    fn set_generator(&mut self, catalog: &Catalog, generator: ObjectId, state: GeneratorState) {
        if let Some(slot) = catalog
            .generator_position(generator)
            .and_then(|p| self.generators.get_mut(p))
        {
            *slot = Some(state);
        }
    }

    /// Pending timers, soonest first.
    pub fn timers(&self) -> impl Iterator<Item = &Timer> {
        self.timers.values()
    }

    pub fn timer_count(&self) -> usize {
        self.timers.len()
    }

    pub fn task_state(&self, position: usize) -> Option<&TaskState> {
        self.tasks.get(position).and_then(Option::as_ref)
    }

    /// Tasks waiting on primitive `object` now (their awaited future is one
    /// of its waiters), in the order they appear in the catalog.
    pub fn waiters_of(&self, catalog: &Catalog, object: ObjectId) -> Vec<ObjectId> {
        catalog
            .tasks
            .iter()
            .enumerate()
            .filter_map(|(position, task)| match self.task_state(position) {
                Some(TaskState::Waiting {
                    awaiting: Some(future),
                }) => catalog
                    .roles
                    .get(future)
                    .filter(|role| role.targets.contains(&object))
                    .map(|_| task.id),
                _ => None,
            })
            .collect()
    }

    fn apply(&mut self, catalog: &Catalog, event: &Event) {
        self.index += 1;
        self.time = event.time;
        self.step = event.step;
        self.iteration = event.iteration;
        let task_at = |id: ObjectId| catalog.task_position(id);
        match &event.kind {
            EventKind::CallbackScheduled { handle, callback } => {
                let task = catalog.handle_task.get(handle).copied();
                if let Some(position) = task.and_then(task_at) {
                    if let Some(slot) = self.tasks.get_mut(position) {
                        if !matches!(slot, Some(TaskState::Done(_))) {
                            *slot = Some(TaskState::Ready);
                        }
                    }
                }
                self.ready.push_back(ReadyCallback {
                    handle: *handle,
                    callback: Rc::from(callback.as_str()),
                    task,
                });
            }
            EventKind::CallbackRun { handle, .. } => {
                if let Some(at) = self.ready.iter().position(|c| c.handle == *handle) {
                    self.ready.remove(at);
                }
                self.running = None;
            }
            EventKind::TimerSet {
                handle,
                when,
                callback,
            } => {
                let key = (when.max(0.0).to_bits(), *handle);
                self.timer_keys.insert(*handle, key);
                self.timers.insert(
                    key,
                    Timer {
                        handle: *handle,
                        when: *when,
                        callback: Rc::from(callback.as_str()),
                        task: catalog.timer_task.get(handle).copied(),
                    },
                );
            }
            EventKind::TimerCancelled { handle } => {
                if let Some(key) = self.timer_keys.remove(handle) {
                    self.timers.remove(&key);
                }
            }
            EventKind::TimerFired { handle } => {
                if let Some(key) = self.timer_keys.remove(handle) {
                    if let Some(timer) = self.timers.remove(&key) {
                        self.ready.push_back(ReadyCallback {
                            handle: *handle,
                            callback: timer.callback,
                            task: timer.task,
                        });
                    }
                }
            }
            EventKind::TaskCreated { task, .. } => {
                if let Some(slot) = task_at(*task).and_then(|p| self.tasks.get_mut(p)) {
                    *slot = Some(TaskState::Created);
                }
            }
            EventKind::TaskResumed { task, .. } => {
                if let Some(position) = task_at(*task) {
                    if let Some(slot) = self.tasks.get_mut(position) {
                        *slot = Some(TaskState::Running);
                    }
                    if let Some(flag) = self.cancelling.get_mut(position) {
                        *flag = false;
                    }
                }
                self.running = Some(Actor::Task(*task));
            }
            EventKind::TaskSuspended { task, awaiting, .. } => {
                if let Some(slot) = task_at(*task).and_then(|p| self.tasks.get_mut(p)) {
                    *slot = Some(match awaiting {
                        Some(_) => TaskState::Waiting {
                            awaiting: *awaiting,
                        },
                        None => TaskState::Ready,
                    });
                }
                self.running = None;
            }
            EventKind::TaskFinished { task, settlement } => {
                if let Some(position) = task_at(*task) {
                    if let Some(slot) = self.tasks.get_mut(position) {
                        *slot = Some(TaskState::Done(settlement.clone()));
                    }
                    if let Some(flag) = self.cancelling.get_mut(position) {
                        *flag = false;
                    }
                }
                if self.running == Some(Actor::Task(*task)) {
                    self.running = None;
                }
            }
            EventKind::CancelRequested { task, .. } => {
                if let Some(flag) = task_at(*task).and_then(|p| self.cancelling.get_mut(p)) {
                    *flag = true;
                }
            }
            EventKind::JobSubmitted { job, .. } => self.set_job(catalog, *job, JobState::Queued),
            EventKind::JobRunning { job } => self.set_job(catalog, *job, JobState::Running),
            EventKind::JobSleeping { job, until } => {
                self.set_job(catalog, *job, JobState::Sleeping { until: *until })
            }
            EventKind::JobFinished { job, settlement } => {
                self.set_job(catalog, *job, JobState::Done(settlement.clone()))
            }
            EventKind::JobDropped { job } => self.set_job(catalog, *job, JobState::Dropped),
            EventKind::BlockingSleep { seconds } => {
                self.blocked_until = Some(event.time + seconds);
            }
            EventKind::Iteration { .. } => {
                self.running = None;
            }
            EventKind::GeneratorCreated { generator, .. } => {
                self.set_generator(catalog, *generator, GeneratorState::Created)
            }
            EventKind::GeneratorResumed { generator, .. } => {
                self.set_generator(catalog, *generator, GeneratorState::Running);
                self.generator_stack.push(*generator);
            }
            EventKind::GeneratorYielded {
                generator,
                value,
                line,
                ..
            } => {
                self.set_generator(
                    catalog,
                    *generator,
                    GeneratorState::Suspended {
                        line: *line,
                        value: value.clone(),
                    },
                );
                self.leave_generator(*generator);
            }
            EventKind::GeneratorFinished { generator, end, .. } => {
                self.set_generator(catalog, *generator, GeneratorState::Finished(end.clone()));
                self.leave_generator(*generator);
            }
            // Nothing to change at this moment (the catalog knows these),
            // or a kind from a newer trace.
            _ => {}
        }
        if self.blocked_until.is_some_and(|until| event.time >= until)
            && !matches!(event.kind, EventKind::BlockingSleep { .. })
        {
            self.blocked_until = None;
        }
    }

    fn leave_generator(&mut self, generator: ObjectId) {
        if let Some(at) = self.generator_stack.iter().rposition(|&g| g == generator) {
            self.generator_stack.truncate(at);
        }
    }

    fn set_job(&mut self, catalog: &Catalog, job: ObjectId, state: JobState) {
        if let Some(slot) = catalog.job_position(job).and_then(|p| self.jobs.get_mut(p)) {
            *slot = Some(state);
        }
    }
}

/// A trace ready to be replayed.
pub struct Replay {
    pub trace: Trace,
    pub catalog: Catalog,
    checkpoints: Vec<State>,
    every: usize,
}

impl Replay {
    pub fn new(trace: Trace) -> Replay {
        let catalog = catalogue(&trace);
        let len = trace.events.len();
        let every = MIN_CHECKPOINT_EVERY.max(len.div_ceil(MAX_CHECKPOINTS));
        let mut state = State::new(&catalog);
        let mut checkpoints = vec![state.clone()];
        for (i, event) in trace.events.iter().enumerate() {
            state.apply(&catalog, event);
            if (i + 1) % every == 0 {
                checkpoints.push(state.clone());
            }
        }
        Replay {
            trace,
            catalog,
            checkpoints,
            every,
        }
    }

    /// Number of events; moments run from 0 to this.
    pub fn len(&self) -> usize {
        self.trace.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.trace.events.is_empty()
    }

    /// Events between two checkpoints.
    pub fn checkpoint_every(&self) -> usize {
        self.every
    }

    /// The world after the first `index` events (clamped to the trace).
    pub fn state_at(&self, index: usize) -> State {
        let index = index.min(self.len());
        let checkpoint = (index / self.every).min(self.checkpoints.len().saturating_sub(1));
        let mut state = match self.checkpoints.get(checkpoint) {
            Some(state) => state.clone(),
            None => State::new(&self.catalog),
        };
        self.advance(&mut state, index);
        state
    }

    /// Moves `state` forward to moment `index`; if `index` is behind it,
    /// starts again from the nearest checkpoint.
    pub fn advance(&self, state: &mut State, index: usize) {
        let index = index.min(self.len());
        if index < state.index {
            *state = self.state_at(index);
            return;
        }
        // A checkpoint nearer than the events in between: jump to it.
        let checkpoint = index / self.every;
        if checkpoint > state.index / self.every {
            if let Some(saved) = self.checkpoints.get(checkpoint) {
                *state = saved.clone();
            }
        }
        while state.index < index {
            match self.trace.events.get(state.index) {
                Some(event) => state.apply(&self.catalog, event),
                None => break,
            }
        }
    }

    /// The virtual time at moment `index` (that of the last event applied).
    pub fn time_at(&self, index: usize) -> f64 {
        index
            .checked_sub(1)
            .and_then(|i| self.trace.events.get(i))
            .map_or(0.0, |e| e.time)
    }

    /// The virtual time at the end of the run.
    pub fn end_time(&self) -> f64 {
        let last = self.trace.events.last().map_or(0.0, |e| e.time);
        self.trace
            .verdict
            .as_ref()
            .map_or(last, |v| v.time.max(last))
    }

    /// The first moment whose time is at least `time`.
    pub fn index_at_time(&self, time: f64) -> usize {
        self.trace.events.partition_point(|e| e.time < time)
    }
}

/// Works out the [`Catalog`] of a trace in one pass.
/// A generator handing control back to its caller (a `yield`, or its
/// end): its new phase, the caller running again, and the value passed.
struct GeneratorGivesBack {
    event: usize,
    generator: ObjectId,
    phase: Phase,
    how: &'static str,
    value: String,
}

impl GeneratorGivesBack {
    fn record(
        self,
        catalog: &mut Catalog,
        generator_changes: &mut [Vec<(usize, Phase)>],
        main_changes: &mut Vec<(usize, Phase)>,
        generator_callers: &HashMap<ObjectId, Actor>,
    ) {
        if let Some(&p) = catalog.generator_index.get(&self.generator) {
            if let Some(changes) = generator_changes.get_mut(p) {
                changes.push((self.event, self.phase));
            }
        }
        let caller = generator_callers
            .get(&self.generator)
            .copied()
            .unwrap_or(Actor::Main);
        if generator_callers.contains_key(&self.generator) && caller == Actor::Main {
            main_changes.push((self.event, Phase::Running));
        }
        catalog.exchanges.push(Exchange {
            event: self.event,
            generator: self.generator,
            caller,
            passing: Passing::Out,
            how: self.how.to_string(),
            value: self.value,
        });
    }
}

fn catalogue(trace: &Trace) -> Catalog {
    let mut catalog = Catalog::default();
    let events = &trace.events;
    let mut running: Option<ObjectId> = None;
    let mut last_run_handle: Option<ObjectId> = None;
    // Phase transitions, per task and per job: (event, phase).
    let mut task_changes: Vec<Vec<(usize, Phase)>> = Vec::new();
    let mut job_changes: Vec<Vec<(usize, Phase)>> = Vec::new();
    // The partial line each actor is writing, per stream.
    let mut partial: Vec<(Stream, Actor, usize, String)> = Vec::new();
    let mut generator_changes: Vec<Vec<(usize, Phase)>> = Vec::new();
    // Who resumed each running generator (it gets what comes out).
    let mut generator_callers: HashMap<ObjectId, Actor> = HashMap::new();
    let mut main_changes: Vec<(usize, Phase)> = vec![(0, Phase::Running)];
    // The generators running now, innermost last, each with the actor at
    // the bottom of its chain of callers (`Main` for a generator driven by
    // the program outside any event loop).
    let mut running_generators: Vec<(ObjectId, Actor)> = Vec::new();

    for (i, event) in events.iter().enumerate() {
        match &event.kind {
            EventKind::TaskCreated {
                task,
                name,
                coroutine,
                parent,
                line,
            } => {
                let internal = coroutine.starts_with("_UnixSelectorEventLoop.")
                    || coroutine.starts_with("BaseEventLoop.");
                let colour = catalog.tasks.iter().filter(|t| !t.internal).count();
                catalog.task_index.insert(*task, catalog.tasks.len());
                catalog.tasks.push(TaskInfo {
                    id: *task,
                    name: name.clone(),
                    coroutine: coroutine.clone(),
                    parent: *parent,
                    line: *line,
                    created_at: i,
                    internal,
                    colour,
                });
                task_changes.push(vec![(i, Phase::Ready)]);
                catalog.task_lines.push(vec![(i, *line)]);
            }
            EventKind::TaskRenamed { task, name } => {
                if let Some(&p) = catalog.task_index.get(task) {
                    catalog.tasks[p].name = name.clone();
                }
            }
            EventKind::CallbackRun { handle, .. } => last_run_handle = Some(*handle),
            EventKind::TaskResumed { task, .. } => {
                if let Some(handle) = last_run_handle.take() {
                    catalog.handle_task.insert(handle, *task);
                }
                running = Some(*task);
                if let Some(&p) = catalog.task_index.get(task) {
                    task_changes[p].push((i, Phase::Running));
                }
            }
            EventKind::TaskSuspended {
                task,
                line,
                awaiting,
            } => {
                running = None;
                if let Some(&p) = catalog.task_index.get(task) {
                    let phase = if awaiting.is_some() {
                        Phase::Waiting
                    } else {
                        Phase::Ready
                    };
                    task_changes[p].push((i, phase));
                    catalog.task_lines[p].push((i, *line));
                }
                if let Some(future) = awaiting {
                    for awaited in catalog.awaited_tasks(*future) {
                        catalog.links.push(AwaitLink {
                            event: i,
                            waiter: *task,
                            awaited,
                        });
                    }
                }
            }
            EventKind::TaskFinished { task, settlement } => {
                running = None;
                if let Some(&p) = catalog.task_index.get(task) {
                    task_changes[p].push((i, Phase::Done));
                }
                let kind = match settlement {
                    Settlement::Result(_) => None,
                    Settlement::Exception(_) => Some(MarkKind::Error),
                    Settlement::Cancelled => Some(MarkKind::Cancel),
                };
                if let Some(kind) = kind {
                    catalog.marks.push(Mark {
                        event: i,
                        kind,
                        actor: Actor::Task(*task),
                    });
                }
            }
            EventKind::CancelRequested { task, .. } => catalog.marks.push(Mark {
                event: i,
                kind: MarkKind::Cancel,
                actor: Actor::Task(*task),
            }),
            EventKind::TimerSet { handle, .. } => {
                if let Some(task) = running {
                    catalog.timer_task.insert(*handle, task);
                }
            }
            EventKind::FutureRole { future, role } => {
                catalog.roles.insert(*future, role.clone());
            }
            EventKind::PrimitiveCreated { object, kind } => {
                catalog.primitives.push((*object, kind.clone()));
            }
            EventKind::JobSubmitted {
                job,
                function,
                future,
            } => {
                catalog.job_index.insert(*job, catalog.jobs.len());
                catalog.jobs.push(JobInfo {
                    id: *job,
                    function: function.clone(),
                    future: *future,
                    submitted_at: i,
                });
                catalog.future_job.insert(*future, *job);
                job_changes.push(vec![(i, Phase::Ready)]);
            }
            EventKind::JobRunning { job } => {
                if let Some(&p) = catalog.job_index.get(job) {
                    job_changes[p].push((i, Phase::Running));
                }
            }
            EventKind::JobSleeping { job, .. } => {
                if let Some(&p) = catalog.job_index.get(job) {
                    job_changes[p].push((i, Phase::Waiting));
                }
            }
            EventKind::JobFinished { job, settlement } => {
                if let Some(&p) = catalog.job_index.get(job) {
                    job_changes[p].push((i, Phase::Done));
                }
                if matches!(settlement, Settlement::Exception(_)) {
                    catalog.marks.push(Mark {
                        event: i,
                        kind: MarkKind::Error,
                        actor: Actor::Job(*job),
                    });
                }
            }
            EventKind::JobDropped { job } => {
                if let Some(&p) = catalog.job_index.get(job) {
                    job_changes[p].push((i, Phase::Done));
                }
            }
            EventKind::Output {
                stream,
                text,
                actor,
            } => {
                let actor = &writer(&running_generators, *actor);
                catalog.marks.push(Mark {
                    event: i,
                    kind: match stream {
                        Stream::Stdout => MarkKind::Print,
                        Stream::Stderr => MarkKind::Error,
                    },
                    actor: *actor,
                });
                add_output(&mut catalog.output, &mut partial, i, *stream, *actor, text);
            }
            EventKind::LoopCreated { .. } => catalog.has_event_loop = true,
            EventKind::NetworkRequest {
                method,
                url,
                status,
                duration,
                actor,
            } => catalog.requests.push(Request {
                event: i,
                time: event.time,
                method: method.clone(),
                url: url.clone(),
                status: *status,
                duration: *duration,
                actor: *actor,
            }),
            EventKind::GeneratorCreated {
                generator,
                kind,
                name,
                line,
            } => {
                let visible_tasks = catalog.tasks.iter().filter(|t| !t.internal).count();
                catalog
                    .generator_index
                    .insert(*generator, catalog.generators.len());
                catalog.generators.push(GeneratorInfo {
                    id: *generator,
                    kind: kind.clone(),
                    name: name.clone(),
                    line: *line,
                    created_at: i,
                    colour: visible_tasks + catalog.generators.len(),
                });
                generator_changes.push(vec![(i, Phase::Ready)]);
            }
            EventKind::GeneratorResumed {
                generator,
                how,
                value,
                by,
            } => {
                if let Some(&p) = catalog.generator_index.get(generator) {
                    generator_changes[p].push((i, Phase::Running));
                }
                catalog.main_drives_generators |= *by == Actor::Main;
                if *by == Actor::Main {
                    main_changes.push((i, Phase::Waiting));
                }
                generator_callers.insert(*generator, *by);
                let root = match by {
                    Actor::Generator(caller) => running_generators
                        .iter()
                        .rev()
                        .find(|(id, _)| id == caller)
                        .map_or(*by, |&(_, root)| root),
                    other => *other,
                };
                running_generators.push((*generator, root));
                catalog.exchanges.push(Exchange {
                    event: i,
                    generator: *generator,
                    caller: *by,
                    passing: Passing::In,
                    how: how.clone(),
                    value: value.clone().unwrap_or_default(),
                });
            }
            EventKind::GeneratorYielded {
                generator, value, ..
            } => {
                leave_generator(&mut running_generators, *generator);
                let back = GeneratorGivesBack {
                    event: i,
                    generator: *generator,
                    phase: Phase::Waiting,
                    how: "yield",
                    value: value.clone(),
                };
                back.record(
                    &mut catalog,
                    &mut generator_changes,
                    &mut main_changes,
                    &generator_callers,
                );
            }
            EventKind::GeneratorFinished { generator, end, .. } => {
                leave_generator(&mut running_generators, *generator);
                let (how, value) = match end {
                    GeneratorEnd::Returned(value) => ("return", value.clone()),
                    GeneratorEnd::Raised(error) => ("raise", error.clone()),
                    GeneratorEnd::Closed => ("closed", String::new()),
                };
                if matches!(end, GeneratorEnd::Raised(_)) {
                    catalog.marks.push(Mark {
                        event: i,
                        kind: MarkKind::Error,
                        actor: Actor::Generator(*generator),
                    });
                }
                let back = GeneratorGivesBack {
                    event: i,
                    generator: *generator,
                    phase: Phase::Done,
                    how,
                    value,
                };
                back.record(
                    &mut catalog,
                    &mut generator_changes,
                    &mut main_changes,
                    &generator_callers,
                );
            }
            _ => {}
        }
    }
    for (stream, actor, event, text) in partial {
        catalog.output.push(OutputLine {
            event,
            stream,
            actor,
            text,
        });
    }
    catalog.output.sort_by_key(|line| line.event);
    let end = events.len();
    catalog.task_segments = task_changes
        .iter()
        .map(|changes| segments(changes, end))
        .collect();
    catalog.job_segments = job_changes
        .iter()
        .map(|changes| segments(changes, end))
        .collect();
    if catalog.main_drives_generators {
        // Changes at the same moment: the last one holds.
        let mut changes: Vec<(usize, Phase)> = Vec::with_capacity(main_changes.len());
        for change in main_changes {
            match changes.last_mut() {
                Some(last) if last.0 == change.0 => *last = change,
                _ => changes.push(change),
            }
        }
        catalog.main_segments = segments(&changes, end);
    }
    catalog.generator_segments = generator_changes
        .iter()
        .map(|changes| segments(changes, end))
        .collect();
    catalog
}

/// Who wrote output the trace says `actor` wrote: the innermost generator
/// running for the program outside any event loop (the runtime names the
/// frame's owner, `Main`, while a plain generator's body runs); otherwise
/// `actor` itself (output inside a task stays the task's).
fn writer(running_generators: &[(ObjectId, Actor)], actor: Actor) -> Actor {
    match running_generators.last() {
        Some(&(generator, Actor::Main)) if actor == Actor::Main => Actor::Generator(generator),
        _ => actor,
    }
}

/// A generator stopped running (it yielded, returned, raised or closed).
fn leave_generator(running_generators: &mut Vec<(ObjectId, Actor)>, generator: ObjectId) {
    if let Some(at) = running_generators
        .iter()
        .rposition(|&(id, _)| id == generator)
    {
        running_generators.truncate(at);
    }
}

/// Splits output into lines: a write without a newline waits for the rest
/// of its line from the same actor on the same stream.
fn add_output(
    output: &mut Vec<OutputLine>,
    partial: &mut Vec<(Stream, Actor, usize, String)>,
    event: usize,
    stream: Stream,
    actor: Actor,
    text: &str,
) {
    let mut rest = text;
    let pending = partial
        .iter()
        .position(|(s, a, _, _)| *s == stream && *a == actor);
    let (mut start, mut line) = match pending {
        Some(at) => {
            let (_, _, start, line) = partial.remove(at);
            (start, line)
        }
        None => (event, String::new()),
    };
    while let Some(newline) = rest.find('\n') {
        line.push_str(&rest[..newline]);
        output.push(OutputLine {
            event: start,
            stream,
            actor,
            text: std::mem::take(&mut line),
        });
        rest = &rest[newline + 1..];
        start = event;
    }
    if !rest.is_empty() || !line.is_empty() {
        line.push_str(rest);
        partial.push((stream, actor, start, line));
    }
}

/// Phase changes `(event, phase)` as segments ending at the next change
/// (the last one at `end`); a lane ends when its task is done.
fn segments(changes: &[(usize, Phase)], end: usize) -> Vec<Segment> {
    let mut out = Vec::new();
    for (k, &(start, phase)) in changes.iter().enumerate() {
        let stop = changes.get(k + 1).map_or(end, |&(next, _)| next);
        if phase == Phase::Done {
            out.push(Segment {
                start,
                end: start,
                phase,
            });
            break;
        }
        out.push(Segment {
            start,
            end: stop,
            phase,
        });
    }
    out
}

/// Where the playback is: a moment and the virtual time shown, which moves
/// smoothly through the gaps between events.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Playhead {
    pub index: usize,
    pub time: f64,
    /// Wall seconds not yet spent on the next instant event (frames are
    /// shorter than an event's turn at low speeds).
    pub carry: f64,
}

/// Events shown per second of wall time at 1× while virtual time stands
/// still (work that takes no virtual time must still be seen).
pub const EVENTS_PER_SECOND: f64 = 30.0;

impl Playhead {
    /// Plays `wall_seconds` of wall time at `speed`: a second of virtual
    /// time takes `1 / speed` seconds, each event at an unchanged time
    /// `1 / (EVENTS_PER_SECOND × speed)`. Stops at the end of the trace.
    pub fn advance(self, replay: &Replay, wall_seconds: f64, speed: f64) -> Playhead {
        let mut head = self;
        let speed = speed.max(0.01);
        let mut budget = wall_seconds.max(0.0) + head.carry;
        head.carry = 0.0;
        let per_event = 1.0 / (EVENTS_PER_SECOND * speed);
        while let Some(event) = replay.trace.events.get(head.index) {
            if event.time > head.time {
                let needed = (event.time - head.time) / speed;
                if needed > budget {
                    head.time += budget * speed;
                    return head;
                }
                budget -= needed;
                head.time = event.time;
            }
            if budget < per_event {
                head.carry = budget;
                return head;
            }
            budget -= per_event;
            head.index += 1;
            head.time = head.time.max(event.time);
        }
        // After the last event the clock may still run to the verdict's time.
        let end = replay.end_time();
        head.time = (head.time + budget * speed).min(end);
        head
    }

    pub fn at(replay: &Replay, index: usize) -> Playhead {
        let index = index.min(replay.len());
        Playhead {
            index,
            time: replay.time_at(index),
            carry: 0.0,
        }
    }

    pub fn at_end(self, replay: &Replay) -> bool {
        self.index >= replay.len() && self.time >= replay.end_time()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loopscope_trace::{Event, Verdict};

    /// The trace of lecture 10 (two tasks sleeping 1 s and 2 s while main
    /// awaits them), trimmed of asyncio's closing housekeeping but one task.
    fn say_after() -> Trace {
        use EventKind::*;
        let mut events = Vec::new();
        let mut push = |time: f64, iteration: u64, kind: EventKind| {
            events.push(Event {
                step: events.len() as u64 * 10,
                time,
                iteration,
                kind,
            })
        };
        let s = |t: &str| t.to_string();
        push(0.0, 0, LoopCreated { event_loop: 250 });
        push(0.0, 0, FutureCreated { future: 252 });
        push(
            0.0,
            0,
            TaskCreated {
                task: 252,
                name: s("Task-1"),
                coroutine: s("main()"),
                parent: None,
                line: 25,
            },
        );
        push(
            0.0,
            0,
            CallbackScheduled {
                handle: 254,
                callback: s("Task.task_step"),
            },
        );
        push(
            0.0,
            1,
            Iteration {
                event_loop: 250,
                ready: 1,
            },
        );
        push(
            0.0,
            1,
            CallbackRun {
                handle: 254,
                callback: s("Task.task_step"),
            },
        );
        push(
            0.0,
            1,
            TaskResumed {
                task: 252,
                thrown: None,
            },
        ); // 6
        push(
            0.0,
            1,
            TaskCreated {
                task: 256,
                name: s("Task-2"),
                coroutine: s("say_after()"),
                parent: Some(252),
                line: 11,
            },
        );
        push(
            0.0,
            1,
            CallbackScheduled {
                handle: 258,
                callback: s("Task.task_step"),
            },
        );
        push(
            0.0,
            1,
            TaskCreated {
                task: 260,
                name: s("Task-3"),
                coroutine: s("say_after()"),
                parent: Some(252),
                line: 14,
            },
        );
        push(
            0.0,
            1,
            CallbackScheduled {
                handle: 262,
                callback: s("Task.task_step"),
            },
        ); // 10
        push(
            0.0,
            1,
            Output {
                stream: Stream::Stdout,
                text: s("started\n"),
                actor: Actor::Task(252),
            },
        );
        push(
            0.0,
            1,
            TaskSuspended {
                task: 252,
                line: 19,
                awaiting: Some(256),
            },
        ); // 12
        push(
            0.0,
            2,
            Iteration {
                event_loop: 250,
                ready: 2,
            },
        );
        push(
            0.0,
            2,
            CallbackRun {
                handle: 258,
                callback: s("Task.task_step"),
            },
        );
        push(
            0.0,
            2,
            TaskResumed {
                task: 256,
                thrown: None,
            },
        ); // 15
        push(
            0.0,
            2,
            TimerSet {
                handle: 266,
                when: 1.0,
                callback: s("_set_result_unless_cancelled"),
            },
        );
        push(
            0.0,
            2,
            FutureRole {
                future: 265,
                role: loopscope_trace::FutureRole {
                    kind: s("sleep"),
                    targets: vec![],
                    detail: Some(s("1")),
                },
            },
        );
        push(
            0.0,
            2,
            TaskSuspended {
                task: 256,
                line: 6,
                awaiting: Some(265),
            },
        ); // 18
        push(
            0.0,
            2,
            CallbackRun {
                handle: 262,
                callback: s("Task.task_step"),
            },
        );
        push(
            0.0,
            2,
            TaskResumed {
                task: 260,
                thrown: None,
            },
        ); // 20
        push(
            0.0,
            2,
            TimerSet {
                handle: 271,
                when: 2.0,
                callback: s("_set_result_unless_cancelled"),
            },
        );
        push(
            0.0,
            2,
            TaskSuspended {
                task: 260,
                line: 6,
                awaiting: Some(270),
            },
        ); // 22
        push(1.0, 2, TimerFired { handle: 266 }); // 23
        push(
            1.0,
            3,
            Iteration {
                event_loop: 250,
                ready: 1,
            },
        );
        push(
            1.0,
            3,
            CallbackRun {
                handle: 266,
                callback: s("_set_result_unless_cancelled"),
            },
        );
        push(
            1.0,
            3,
            CallbackScheduled {
                handle: 274,
                callback: s("Task.task_wakeup"),
            },
        ); // 26
        push(
            1.0,
            4,
            CallbackRun {
                handle: 274,
                callback: s("Task.task_wakeup"),
            },
        );
        push(
            1.0,
            4,
            TaskResumed {
                task: 256,
                thrown: None,
            },
        );
        push(
            1.0,
            4,
            Output {
                stream: Stream::Stdout,
                text: s("hel"),
                actor: Actor::Task(256),
            },
        );
        push(
            1.0,
            4,
            Output {
                stream: Stream::Stdout,
                text: s("lo\nbye\n"),
                actor: Actor::Task(256),
            },
        ); // 30
        push(
            1.0,
            4,
            TaskFinished {
                task: 256,
                settlement: Settlement::Result(s("None")),
            },
        ); // 31
        push(
            1.0,
            4,
            CancelRequested {
                task: 260,
                message: None,
            },
        ); // 32
        push(
            2.0,
            5,
            TaskCreated {
                task: 290,
                name: s("Task-4"),
                coroutine: s("_UnixSelectorEventLoop.shutdown_asyncgens()"),
                parent: None,
                line: 25,
            },
        );
        Trace {
            version: 1,
            seed: 0,
            events,
            verdict: Some(Verdict {
                status: s("completed"),
                error: None,
                time: 2.0,
            }),
        }
    }

    fn position(replay: &Replay, id: ObjectId) -> usize {
        replay.catalog.task_position(id).expect("known task")
    }

    #[test]
    fn tasks_go_from_created_to_ready_running_waiting_and_done() {
        let replay = Replay::new(say_after());
        let main = position(&replay, 252);
        let child = position(&replay, 256);
        assert_eq!(replay.state_at(0).task_state(main), None);
        assert_eq!(
            replay.state_at(3).task_state(main),
            Some(&TaskState::Created)
        );
        assert_eq!(replay.state_at(4).task_state(main), Some(&TaskState::Ready));
        let running = replay.state_at(7);
        assert_eq!(running.task_state(main), Some(&TaskState::Running));
        assert_eq!(running.running, Some(Actor::Task(252)));
        let waiting = replay.state_at(13);
        assert_eq!(
            waiting.task_state(main),
            Some(&TaskState::Waiting {
                awaiting: Some(256)
            })
        );
        assert_eq!(waiting.running, None);
        assert_eq!(waiting.task_state(child), Some(&TaskState::Ready));
        assert_eq!(
            replay.state_at(32).task_state(child),
            Some(&TaskState::Done(Settlement::Result("None".into())))
        );
    }

    #[test]
    fn the_ready_queue_is_a_fifo_of_callbacks_naming_their_tasks() {
        let replay = Replay::new(say_after());
        let state = replay.state_at(13);
        let queue: Vec<_> = state.ready.iter().map(|c| (c.handle, c.task)).collect();
        assert_eq!(queue, vec![(258, Some(256)), (262, Some(260))]);
        let state = replay.state_at(15);
        assert_eq!(state.ready.len(), 1);
        assert_eq!(state.ready[0].handle, 262);
        // A timer that fires joins the ready queue.
        let state = replay.state_at(24);
        assert_eq!(state.ready[0].handle, 266);
        assert_eq!(&*state.ready[0].callback, "_set_result_unless_cancelled");
        assert_eq!(state.ready[0].task, Some(256));
        // The wake-up callback is tied to the task it resumes.
        assert_eq!(replay.state_at(27).ready[0].task, Some(256));
    }

    #[test]
    fn timers_are_ordered_by_deadline_and_leave_when_they_fire() {
        let replay = Replay::new(say_after());
        let state = replay.state_at(23);
        let timers: Vec<_> = state.timers().map(|t| (t.when, t.task)).collect();
        assert_eq!(timers, vec![(1.0, Some(256)), (2.0, Some(260))]);
        let state = replay.state_at(24);
        let timers: Vec<_> = state.timers().map(|t| t.handle).collect();
        assert_eq!(timers, vec![271]);
        assert_eq!(state.time, 1.0);
        assert_eq!(state.iteration, 2);
    }

    #[test]
    fn output_is_split_into_lines_tagged_with_their_writer() {
        let replay = Replay::new(say_after());
        let lines: Vec<_> = replay
            .catalog
            .output
            .iter()
            .map(|l| (l.event, l.actor, l.text.as_str()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (11, Actor::Task(252), "started"),
                (29, Actor::Task(256), "hello"),
                (30, Actor::Task(256), "bye"),
            ]
        );
        assert_eq!(replay.catalog.output_before(11), 0);
        assert_eq!(replay.catalog.output_before(12), 1);
        assert_eq!(replay.catalog.output_before(31), 3);
        assert_eq!(
            replay.catalog.actor_name(Actor::Task(256), Lang::Ru),
            "Task-2"
        );
    }

    #[test]
    fn marks_links_lines_and_housekeeping_come_from_the_whole_trace() {
        let replay = Replay::new(say_after());
        let catalog = &replay.catalog;
        let kinds: Vec<_> = catalog.marks.iter().map(|m| (m.event, m.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (11, MarkKind::Print),
                (29, MarkKind::Print),
                (30, MarkKind::Print),
                (32, MarkKind::Cancel)
            ]
        );
        assert_eq!(
            catalog.links,
            vec![AwaitLink {
                event: 12,
                waiter: 252,
                awaited: 256
            }]
        );
        let child = position(&replay, 256);
        assert_eq!(catalog.task_line_at(child, 18), Some(11));
        assert_eq!(catalog.task_line_at(child, 19), Some(6));
        let visible: Vec<_> = catalog
            .visible_tasks()
            .map(|(_, t)| t.name.as_str())
            .collect();
        assert_eq!(visible, vec!["Task-1", "Task-2", "Task-3"]);
        let colours: Vec<_> = catalog.tasks.iter().map(|t| t.colour).collect();
        assert_eq!(&colours[..3], &[0, 1, 2]);
        assert_eq!(catalog.describe_future(265), "sleep(1)");
        assert_eq!(catalog.describe_future(256), "Task-2");
        assert!(replay.state_at(33).cancelling[position(&replay, 260)]);
        let segments = &catalog.task_segments[child];
        assert_eq!(segments.first().map(|s| s.phase), Some(Phase::Ready));
        assert_eq!(
            segments.last().map(|s| (s.start, s.phase)),
            Some((31, Phase::Done))
        );
        assert!(segments
            .iter()
            .any(|s| s.phase == Phase::Waiting && s.start == 18 && s.end == 28));
    }

    #[test]
    fn any_moment_equals_replaying_from_the_start_in_any_order() {
        // A long trace, so that checkpoints are sparse and many.
        let mut trace = say_after();
        let base = trace.events.clone();
        for round in 1..200u64 {
            for event in &base {
                let mut event = event.clone();
                event.time += round as f64 * 3.0;
                trace.events.push(event);
            }
        }
        let replay = Replay::new(trace);
        assert!(replay.checkpoints.len() <= MAX_CHECKPOINTS + 1);
        let mut fresh = State::new(&replay.catalog);
        let mut from_start = vec![fresh.clone()];
        for event in &replay.trace.events {
            fresh.apply(&replay.catalog, event);
            from_start.push(fresh.clone());
        }
        for index in (0..=replay.len()).step_by(97).chain([replay.len()]) {
            assert_eq!(replay.state_at(index), from_start[index], "moment {index}");
        }
        let mut walking = replay.state_at(5000);
        for index in [5001, 6500, 40, replay.len(), 0, 777] {
            replay.advance(&mut walking, index);
            assert_eq!(walking, from_start[index], "walked to {index}");
        }
        assert_eq!(replay.state_at(usize::MAX).index, replay.len());
    }

    #[test]
    fn unknown_kinds_and_unknown_ids_are_ignored() {
        let mut trace = say_after();
        trace.events.insert(
            3,
            Event {
                step: 0,
                time: 0.0,
                iteration: 0,
                kind: EventKind::TaskResumed {
                    task: 999,
                    thrown: None,
                },
            },
        );
        trace.events.push(Event {
            step: 0,
            time: 2.0,
            iteration: 0,
            kind: EventKind::JobRunning { job: 5 },
        });
        let replay = Replay::new(trace);
        let end = replay.state_at(replay.len());
        assert_eq!(end.index, replay.len());
    }

    #[test]
    fn playback_runs_virtual_time_at_speed_and_still_shows_instant_work() {
        let replay = Replay::new(say_after());
        let start = Playhead::at(&replay, 0);
        // One second at 1×: the 23 events at time 0 take 23/30 s, then
        // the clock moves 0.2333 s towards the timer at 1 s.
        let head = start.advance(&replay, 1.0, 1.0);
        assert_eq!(head.index, 23);
        assert!(
            (head.time - (1.0 - 23.0 / 30.0)).abs() < 1e-9,
            "{}",
            head.time
        );
        // At 8× the same second gets much further.
        let fast = start.advance(&replay, 1.0, 8.0);
        assert!(fast.index > 30, "{}", fast.index);
        // The end of the run, and no further.
        let end = start.advance(&replay, 100.0, 1.0);
        assert!(end.at_end(&replay));
        assert_eq!(end.index, replay.len());
        assert_eq!(end.time, 2.0);
        // Jumping places the clock at the moment's time.
        assert_eq!(Playhead::at(&replay, 26).time, 1.0);
        assert_eq!(replay.index_at_time(1.0), 23);
        // Frames shorter than an event's turn add up.
        let mut head = start;
        for _ in 0..60 {
            head = head.advance(&replay, 1.0 / 60.0, 1.0);
        }
        assert_eq!(head.index, 23);
    }

    /// Lecture 01's shape: main primes a generator, sends it a value, and
    /// closes it.
    fn calc() -> Trace {
        use EventKind::*;
        let s = |t: &str| t.to_string();
        let kinds = vec![
            GeneratorCreated {
                generator: 7,
                kind: s("generator"),
                name: s("calc"),
                line: 12,
            },
            GeneratorResumed {
                generator: 7,
                how: s("next"),
                value: None,
                by: Actor::Main,
            },
            GeneratorYielded {
                generator: 7,
                value: s("None"),
                delegated: false,
                line: 4,
            },
            GeneratorResumed {
                generator: 7,
                how: s("send"),
                value: Some(s("1")),
                by: Actor::Main,
            },
            Output {
                stream: Stream::Stdout,
                text: s("1\n"),
                actor: Actor::Main,
            },
            GeneratorYielded {
                generator: 7,
                value: s("None"),
                delegated: false,
                line: 4,
            },
            GeneratorResumed {
                generator: 7,
                how: s("close"),
                value: None,
                by: Actor::Main,
            },
            GeneratorFinished {
                generator: 7,
                end: GeneratorEnd::Closed,
                line: 4,
            },
        ];
        Trace {
            version: 1,
            seed: 0,
            events: kinds
                .into_iter()
                .enumerate()
                .map(|(i, kind)| Event {
                    step: i as u64,
                    time: 0.0,
                    iteration: 0,
                    kind,
                })
                .collect(),
            verdict: None,
        }
    }

    #[test]
    fn generators_have_states_lanes_and_the_values_passed() {
        let replay = Replay::new(calc());
        let catalog = &replay.catalog;
        assert_eq!(catalog.generators.len(), 1);
        assert_eq!(catalog.generators[0].name, "calc");
        let passed: Vec<String> = catalog.exchanges.iter().map(Exchange::describe).collect();
        assert_eq!(
            passed,
            [
                "next()",
                "yield None",
                "send(1)",
                "yield None",
                "close()",
                "closed"
            ]
        );
        assert!(catalog.main_drives_generators);
        assert_eq!(
            replay.state_at(1).generator_state(0),
            Some(&GeneratorState::Created)
        );
        let running = replay.state_at(4);
        assert_eq!(running.generator_state(0), Some(&GeneratorState::Running));
        assert_eq!(running.generator_stack, vec![7]);
        let suspended = replay.state_at(6);
        assert_eq!(
            suspended.generator_state(0),
            Some(&GeneratorState::Suspended {
                line: 4,
                value: "None".to_string()
            })
        );
        assert!(suspended.generator_stack.is_empty());
        assert_eq!(
            replay.state_at(8).generator_state(0),
            Some(&GeneratorState::Finished(GeneratorEnd::Closed))
        );
        // Main waits while the generator it resumed runs.
        let phases: Vec<(usize, Phase)> = catalog
            .main_segments
            .iter()
            .map(|segment| (segment.start, segment.phase))
            .collect();
        assert_eq!(
            phases,
            [
                (0, Phase::Running),
                (1, Phase::Waiting),
                (2, Phase::Running),
                (3, Phase::Waiting),
                (5, Phase::Running),
                (6, Phase::Waiting),
                (7, Phase::Running)
            ]
        );
    }

    #[test]
    fn output_inside_a_plain_generator_is_the_generators() {
        let replay = Replay::new(calc());
        let line = &replay.catalog.output[0];
        assert_eq!((line.text.as_str(), line.actor), ("1", Actor::Generator(7)));
        assert_eq!(replay.catalog.marks[0].actor, Actor::Generator(7));
        // Outside the generator, and inside a task, output stays its writer's.
        let running = [(7, Actor::Main)];
        assert_eq!(writer(&[], Actor::Main), Actor::Main);
        assert_eq!(writer(&running, Actor::Task(3)), Actor::Task(3));
        assert_eq!(
            writer(&[(7, Actor::Task(3))], Actor::Task(3)),
            Actor::Task(3)
        );
        let mut nested = vec![(7, Actor::Main), (8, Actor::Main)];
        assert_eq!(writer(&nested, Actor::Main), Actor::Generator(8));
        leave_generator(&mut nested, 8);
        assert_eq!(writer(&nested, Actor::Main), Actor::Generator(7));
    }

    #[test]
    fn requests_are_in_flight_until_their_answer_and_name_their_path() {
        let request = Request {
            event: 3,
            time: 1.0,
            method: "GET".to_string(),
            url: "https://httpbin.org/delay/2?x=1".to_string(),
            status: 200,
            duration: 2.0,
            actor: Actor::Main,
        };
        assert_eq!(request.short(), "GET /delay/2?x=1");
        assert!(!request.in_flight(3, 1.0), "not sent yet");
        assert!(request.in_flight(4, 1.0));
        assert!(request.in_flight(9, 2.999));
        assert!(!request.in_flight(9, 3.0), "answered");
        let bare = Request {
            url: "https://example.com".to_string(),
            ..request
        };
        assert_eq!(bare.short(), "GET /");
    }
}
