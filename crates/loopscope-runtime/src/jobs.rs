//! Simulated thread pools (SEMANTICS.md §3, the oracle's `VPool`/`VJob`).
//!
//! Each executor is a pool with a fixed number of workers; calls beyond
//! that wait in FIFO order. Jobs run only while the loop's thread waits
//! for events: then every job that can run does, one after another in
//! submission order, each until it returns or calls `time.sleep`, which
//! parks its call stack ([`Halt::Park`]) until the clock reaches its
//! wake-up time. A finished job hands its outcome to the loop through the
//! `deliver` callable its future's loop gave (one `call_soon`).

use std::collections::VecDeque;
use std::rc::Rc;

use loopscope_interp::value::{Halt, Parked, PyResult, PyStr, Unwind, Value};
use loopscope_interp::vm::Vm;
use loopscope_trace::{Actor, EventKind, Settlement};

use crate::world::world;

/// One call handed to a pool.
pub struct Job {
    /// Trace id.
    pub id: u64,
    function: Value,
    args: Vec<Value>,
    kwargs: Vec<(Rc<PyStr>, Value)>,
    /// Called with `(ok, value)` when the job ends.
    deliver: Value,
    state: JobState,
    /// Virtual time it sleeps until.
    wake: Option<f64>,
}

enum JobState {
    Waiting,
    Started(Option<Parked>),
    Done,
    Dropped,
}

/// A pool of workers (one per executor).
struct Pool {
    key: i64,
    workers: usize,
    pending: VecDeque<usize>,
    running: Vec<usize>,
}

/// All pools of the run, in the order they were first used.
#[derive(Default)]
pub struct Jobs {
    jobs: Vec<Job>,
    pools: Vec<Pool>,
}

impl Jobs {
    /// Adds a job to the pool `key` (made with `workers` workers on first
    /// use) and returns its index.
    #[allow(clippy::too_many_arguments)]
    pub fn submit(
        &mut self,
        id: u64,
        key: i64,
        workers: usize,
        function: Value,
        args: Vec<Value>,
        kwargs: Vec<(Rc<PyStr>, Value)>,
        deliver: Value,
    ) -> usize {
        let index = self.jobs.len();
        self.jobs.push(Job {
            id,
            function,
            args,
            kwargs,
            deliver,
            state: JobState::Waiting,
            wake: None,
        });
        let pool = match self.pools.iter().position(|p| p.key == key) {
            Some(i) => i,
            None => {
                self.pools.push(Pool {
                    key,
                    workers: workers.max(1),
                    pending: VecDeque::new(),
                    running: Vec::new(),
                });
                self.pools.len() - 1
            }
        };
        self.pools[pool].pending.push_back(index);
        index
    }

    /// The future of a job was cancelled: a job still waiting for a
    /// worker never runs. Returns its trace id if it was dropped.
    pub fn drop_waiting(&mut self, index: usize) -> Option<u64> {
        for pool in &mut self.pools {
            if let Some(at) = pool.pending.iter().position(|&j| j == index) {
                pool.pending.remove(at);
                let job = self.jobs.get_mut(index)?;
                job.state = JobState::Dropped;
                job.deliver = Value::None;
                job.function = Value::None;
                job.args.clear();
                job.kwargs.clear();
                return Some(job.id);
            }
        }
        None
    }

    /// The earliest wake-up time of a sleeping job.
    pub fn next_wake(&self) -> Option<f64> {
        self.pools
            .iter()
            .flat_map(|p| p.running.iter())
            .filter_map(|&j| self.jobs.get(j).and_then(|job| job.wake))
            .fold(None, |min: Option<f64>, w| {
                Some(min.map_or(w, |m| m.min(w)))
            })
    }

    /// Jobs of pool `p` that can run now, after filling free workers
    /// (the oracle's `VPool.runnable`).
    fn runnable(&mut self, p: usize, now: f64) -> Vec<usize> {
        let Some(pool) = self.pools.get_mut(p) else {
            return Vec::new();
        };
        while pool.running.len() < pool.workers {
            match pool.pending.pop_front() {
                Some(j) => pool.running.push(j),
                None => break,
            }
        }
        pool.running
            .iter()
            .copied()
            .filter(|&j| {
                self.jobs
                    .get(j)
                    .is_some_and(|job| job.wake.is_none_or(|w| w <= now))
            })
            .collect()
    }
}

/// Runs every job that is due now, pool by pool, in submission order,
/// until none is (the oracle's `pools_run_due`). Returns whether any ran.
pub fn run_due(vm: &mut Vm) -> PyResult<bool> {
    let mut ran = false;
    let pool_count = world(vm)?.jobs.pools.len();
    for p in 0..pool_count {
        loop {
            let w = world(vm)?;
            let now = w.clock;
            let due = w.jobs.runnable(p, now);
            if due.is_empty() {
                break;
            }
            for j in due {
                step(vm, j)?;
                ran = true;
                let w = world(vm)?;
                if matches!(
                    w.jobs.jobs.get(j).map(|job| &job.state),
                    Some(JobState::Done)
                ) {
                    if let Some(pool) = w.jobs.pools.get_mut(p) {
                        pool.running.retain(|&r| r != j);
                    }
                }
            }
        }
    }
    Ok(ran)
}

/// Runs one job until it returns or sleeps.
fn step(vm: &mut Vm, j: usize) -> PyResult<()> {
    let w = world(vm)?;
    let Some(job) = w.jobs.jobs.get_mut(j) else {
        return Ok(());
    };
    job.wake = None;
    let id = job.id;
    let start = match &mut job.state {
        JobState::Waiting => {
            job.state = JobState::Started(None);
            Some((
                job.function.clone(),
                std::mem::take(&mut job.args),
                std::mem::take(&mut job.kwargs),
            ))
        }
        _ => None,
    };
    let parked = match &mut job.state {
        JobState::Started(parked) => parked.take(),
        _ => None,
    };
    w.running_job = Some(j);
    w.park_until = None;
    w.actors.push(Actor::Job(id));
    w.record(EventKind::JobRunning { job: id });
    let outcome = match (start, parked) {
        (Some((function, args, kwargs)), _) => vm.call_with(&function, args, kwargs),
        // The job is a parking native itself (`to_thread(time.sleep, 1)`):
        // waking up is its return.
        (None, Some(parked)) if parked.is_bare_native() => Ok(Value::None),
        (None, Some(parked)) => vm.resume_parked(&parked, Value::None),
        (None, None) => return Ok(()),
    };
    let w = world(vm)?;
    w.running_job = None;
    w.actors.pop();
    let result = match outcome {
        Ok(value) => (true, value),
        Err(Unwind::Exception(exc)) => (false, exc),
        Err(Unwind::Halt(Halt::Park(parked))) => {
            if !parked.is_resumable() && !parked.is_bare_native() {
                return Err(vm.unsupported(
                    "time.sleep() in a thread is simulated only when called from plain \
                     Python functions (not from inside a generator, a class constructor \
                     or a callback of a built-in)",
                ));
            }
            let until = w.park_until.take().unwrap_or(w.clock);
            if let Some(job) = w.jobs.jobs.get_mut(j) {
                job.state = JobState::Started(Some(parked));
                job.wake = Some(until);
            }
            w.record(EventKind::JobSleeping { job: id, until });
            return Ok(());
        }
        Err(halt) => return Err(halt),
    };
    let (ok, value) = result;
    let settlement = if ok {
        Settlement::Result(crate::natives::safe_repr(vm, &value))
    } else {
        Settlement::Exception(vm.exception_summary(&value))
    };
    let w = world(vm)?;
    w.record(EventKind::JobFinished {
        job: id,
        settlement,
    });
    let deliver = match w.jobs.jobs.get_mut(j) {
        Some(job) => {
            job.state = JobState::Done;
            job.function = Value::None;
            std::mem::replace(&mut job.deliver, Value::None)
        }
        None => Value::None,
    };
    vm.call(&deliver, vec![Value::Bool(ok), value])?;
    Ok(())
}
