//! A compact binary form of a [`Trace`], for moving a trace between a Web
//! Worker and the page (or anywhere bytes are cheaper than JSON).
//!
//! Layout (all integers LEB128 varints unless said otherwise):
//!
//! ```text
//! magic "LSTB" · codec version · trace version · seed · verdict? · event count · events
//! event = length · tag (u8) · flags (u8) · step delta · [time f64 LE] · [iteration delta] · fields
//! ```
//!
//! - Strings are interned: a varint `n`; `n < table.len()` names a string
//!   already seen, `n == table.len()` is followed by a new one (length +
//!   UTF-8), which joins the table. Callback names and coroutine names
//!   repeat thousands of times in a scheduler-heavy run.
//! - `step` is stored as the difference from the previous event's (steps
//!   never go down); `time` only when it changed (flag bit 0); `iteration`
//!   as a difference, only when it changed (flag bit 1).
//! - Each event is preceded by its length in bytes, so a reader meets an
//!   event kind it does not know (a trace from a newer writer) by skipping
//!   it, as `docs/trace.md` asks of readers.
//!
//! [`decode`] never panics: malformed bytes give a [`DecodeError`].

use crate::{
    Actor, Event, EventKind, FutureRole, GeneratorEnd, Settlement, Stream, Trace, Verdict,
};

/// The first bytes of an encoded trace.
pub const MAGIC: &[u8; 4] = b"LSTB";
/// Version of this binary layout; bumped when the layout changes.
pub const CODEC_VERSION: u64 = 1;

/// Why bytes could not be read as a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot decode the trace: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

/// The trace in the compact binary form.
pub fn encode(trace: &Trace) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.out.extend_from_slice(MAGIC);
    writer.uint(CODEC_VERSION);
    writer.uint(u64::from(trace.version));
    writer.uint(trace.seed);
    match &trace.verdict {
        None => writer.byte(0),
        Some(verdict) => {
            writer.byte(1);
            writer.text(&verdict.status);
            writer.optional_text(verdict.error.as_deref());
            writer.float(verdict.time);
        }
    }
    writer.uint(trace.events.len() as u64);
    let mut previous = Event {
        step: 0,
        time: 0.0,
        iteration: 0,
        kind: EventKind::BlockingSleep { seconds: 0.0 },
    };
    let mut body = Vec::new();
    for event in &trace.events {
        // Write the event into its own buffer (sharing the string table)
        // to know its length, then append length and body.
        body.clear();
        std::mem::swap(&mut writer.out, &mut body);
        writer.event(event, &previous);
        std::mem::swap(&mut writer.out, &mut body);
        writer.uint(body.len() as u64);
        writer.out.extend_from_slice(&body);
        previous.step = event.step;
        previous.time = event.time;
        previous.iteration = event.iteration;
    }
    writer.out
}

/// Reads a trace written by [`encode`].
pub fn decode(bytes: &[u8]) -> Result<Trace, DecodeError> {
    let mut reader = Reader {
        bytes,
        at: 0,
        strings: Vec::new(),
    };
    if reader.take(4)? != MAGIC {
        return Err(DecodeError("not a Loopscope trace".into()));
    }
    let codec = reader.uint()?;
    if codec != CODEC_VERSION {
        return Err(DecodeError(format!(
            "codec version {codec}, this reader knows {CODEC_VERSION}"
        )));
    }
    let version = u32::try_from(reader.uint()?).map_err(|_| reader.error("trace version"))?;
    let seed = reader.uint()?;
    let verdict = match reader.byte()? {
        0 => None,
        1 => Some(Verdict {
            status: reader.text()?,
            error: reader.optional_text()?,
            time: reader.float()?,
        }),
        other => return Err(reader.error(&format!("verdict marker {other}"))),
    };
    let count = reader.uint()?;
    // Each event takes at least 4 bytes: never reserve more than the input allows.
    let mut events = Vec::with_capacity((count as usize).min(bytes.len() / 4));
    let (mut step, mut time, mut iteration) = (0u64, 0.0f64, 0u64);
    for _ in 0..count {
        let length = reader.length()?;
        let end = reader.at + length;
        let tag = reader.byte()?;
        let flags = reader.byte()?;
        step = step
            .checked_add(reader.uint()?)
            .ok_or_else(|| reader.error("step"))?;
        if flags & 1 != 0 {
            time = reader.float()?;
        }
        if flags & 2 != 0 {
            iteration = iteration
                .checked_add(reader.uint()?)
                .ok_or_else(|| reader.error("iteration"))?;
        }
        match reader.kind(tag)? {
            Some(kind) => {
                if reader.at != end {
                    return Err(reader.error("event length"));
                }
                events.push(Event {
                    step,
                    time,
                    iteration,
                    kind,
                });
            }
            // A kind from a newer writer: skip it. Its strings are lost to
            // the table, so a newer writer must not intern inside them.
            None => reader.at = end,
        }
    }
    if reader.at != bytes.len() {
        return Err(reader.error("trailing bytes"));
    }
    Ok(Trace {
        version,
        seed,
        events,
        verdict,
    })
}

mod tag {
    pub const LOOP_CREATED: u8 = 1;
    pub const ITERATION: u8 = 2;
    pub const CALLBACK_SCHEDULED: u8 = 3;
    pub const CALLBACK_RUN: u8 = 4;
    pub const TIMER_SET: u8 = 5;
    pub const TIMER_CANCELLED: u8 = 6;
    pub const TIMER_FIRED: u8 = 7;
    pub const FUTURE_CREATED: u8 = 8;
    pub const FUTURE_ROLE: u8 = 9;
    pub const FUTURE_SETTLED: u8 = 10;
    pub const TASK_CREATED: u8 = 11;
    pub const TASK_RENAMED: u8 = 12;
    pub const TASK_RESUMED: u8 = 13;
    pub const TASK_SUSPENDED: u8 = 14;
    pub const TASK_FINISHED: u8 = 15;
    pub const CANCEL_REQUESTED: u8 = 16;
    pub const PRIMITIVE_CREATED: u8 = 17;
    pub const JOB_SUBMITTED: u8 = 18;
    pub const JOB_RUNNING: u8 = 19;
    pub const JOB_SLEEPING: u8 = 20;
    pub const JOB_FINISHED: u8 = 21;
    pub const JOB_DROPPED: u8 = 22;
    pub const BLOCKING_SLEEP: u8 = 23;
    pub const OUTPUT: u8 = 24;
    pub const GENERATOR_CREATED: u8 = 25;
    pub const GENERATOR_RESUMED: u8 = 26;
    pub const GENERATOR_YIELDED: u8 = 27;
    pub const GENERATOR_FINISHED: u8 = 28;
    pub const NETWORK_REQUEST: u8 = 29;
    pub const WARNING: u8 = 30;
}

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    strings: std::collections::HashMap<String, u64>,
    next_string: u64,
}

impl Writer {
    fn byte(&mut self, value: u8) {
        self.out.push(value);
    }

    fn uint(&mut self, mut value: u64) {
        loop {
            let low = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                self.out.push(low);
                return;
            }
            self.out.push(low | 0x80);
        }
    }

    fn float(&mut self, value: f64) {
        self.out.extend_from_slice(&value.to_le_bytes());
    }

    fn text(&mut self, value: &str) {
        if let Some(&index) = self.strings.get(value) {
            self.uint(index);
            return;
        }
        let index = self.next_string;
        self.next_string += 1;
        self.strings.insert(value.to_string(), index);
        self.uint(index);
        self.uint(value.len() as u64);
        self.out.extend_from_slice(value.as_bytes());
    }

    fn optional_text(&mut self, value: Option<&str>) {
        match value {
            None => self.byte(0),
            Some(value) => {
                self.byte(1);
                self.text(value);
            }
        }
    }

    fn optional_uint(&mut self, value: Option<u64>) {
        match value {
            None => self.byte(0),
            Some(value) => {
                self.byte(1);
                self.uint(value);
            }
        }
    }

    fn settlement(&mut self, settlement: &Settlement) {
        match settlement {
            Settlement::Result(value) => {
                self.byte(0);
                self.text(value);
            }
            Settlement::Exception(value) => {
                self.byte(1);
                self.text(value);
            }
            Settlement::Cancelled => self.byte(2),
        }
    }

    fn event(&mut self, event: &Event, previous: &Event) {
        let time_changed = event.time.to_bits() != previous.time.to_bits();
        let iteration_changed = event.iteration != previous.iteration;
        self.byte(kind_tag(&event.kind));
        self.byte(u8::from(time_changed) | (u8::from(iteration_changed) << 1));
        self.uint(event.step.saturating_sub(previous.step));
        if time_changed {
            self.float(event.time);
        }
        if iteration_changed {
            self.uint(event.iteration.saturating_sub(previous.iteration));
        }
        match &event.kind {
            EventKind::LoopCreated { event_loop } => self.uint(*event_loop),
            EventKind::Iteration { event_loop, ready } => {
                self.uint(*event_loop);
                self.uint(*ready as u64);
            }
            EventKind::CallbackScheduled { handle, callback }
            | EventKind::CallbackRun { handle, callback } => {
                self.uint(*handle);
                self.text(callback);
            }
            EventKind::TimerSet {
                handle,
                when,
                callback,
            } => {
                self.uint(*handle);
                self.float(*when);
                self.text(callback);
            }
            EventKind::TimerCancelled { handle } | EventKind::TimerFired { handle } => {
                self.uint(*handle)
            }
            EventKind::FutureCreated { future } => self.uint(*future),
            EventKind::FutureRole { future, role } => {
                self.uint(*future);
                self.text(&role.kind);
                self.uint(role.targets.len() as u64);
                for target in &role.targets {
                    self.uint(*target);
                }
                self.optional_text(role.detail.as_deref());
            }
            EventKind::FutureSettled { future, settlement } => {
                self.uint(*future);
                self.settlement(settlement);
            }
            EventKind::TaskCreated {
                task,
                name,
                coroutine,
                parent,
                line,
            } => {
                self.uint(*task);
                self.text(name);
                self.text(coroutine);
                self.optional_uint(*parent);
                self.uint(u64::from(*line));
            }
            EventKind::TaskRenamed { task, name } => {
                self.uint(*task);
                self.text(name);
            }
            EventKind::TaskResumed { task, thrown } => {
                self.uint(*task);
                self.optional_text(thrown.as_deref());
            }
            EventKind::TaskSuspended {
                task,
                line,
                awaiting,
            } => {
                self.uint(*task);
                self.uint(u64::from(*line));
                self.optional_uint(*awaiting);
            }
            EventKind::TaskFinished { task, settlement } => {
                self.uint(*task);
                self.settlement(settlement);
            }
            EventKind::CancelRequested { task, message } => {
                self.uint(*task);
                self.optional_text(message.as_deref());
            }
            EventKind::PrimitiveCreated { object, kind } => {
                self.uint(*object);
                self.text(kind);
            }
            EventKind::JobSubmitted {
                job,
                function,
                future,
            } => {
                self.uint(*job);
                self.text(function);
                self.uint(*future);
            }
            EventKind::JobRunning { job } | EventKind::JobDropped { job } => self.uint(*job),
            EventKind::JobSleeping { job, until } => {
                self.uint(*job);
                self.float(*until);
            }
            EventKind::JobFinished { job, settlement } => {
                self.uint(*job);
                self.settlement(settlement);
            }
            EventKind::BlockingSleep { seconds } => self.float(*seconds),
            EventKind::Output {
                stream,
                text,
                actor,
            } => {
                self.byte(match stream {
                    Stream::Stdout => 0,
                    Stream::Stderr => 1,
                });
                self.actor(actor);
                // Output is rarely repeated: not interned.
                self.uint(text.len() as u64);
                self.out.extend_from_slice(text.as_bytes());
            }
            EventKind::GeneratorCreated {
                generator,
                kind,
                name,
                line,
            } => {
                self.uint(*generator);
                self.text(kind);
                self.text(name);
                self.uint(u64::from(*line));
            }
            EventKind::GeneratorResumed {
                generator,
                how,
                value,
                by,
            } => {
                self.uint(*generator);
                self.text(how);
                self.optional_text(value.as_deref());
                self.actor(by);
            }
            EventKind::GeneratorYielded {
                generator,
                value,
                delegated,
                line,
            } => {
                self.uint(*generator);
                self.text(value);
                self.byte(u8::from(*delegated));
                self.uint(u64::from(*line));
            }
            EventKind::GeneratorFinished {
                generator,
                end,
                line,
            } => {
                self.uint(*generator);
                match end {
                    GeneratorEnd::Returned(value) => {
                        self.byte(0);
                        self.text(value);
                    }
                    GeneratorEnd::Raised(value) => {
                        self.byte(1);
                        self.text(value);
                    }
                    GeneratorEnd::Closed => self.byte(2),
                }
                self.uint(u64::from(*line));
            }
            EventKind::NetworkRequest {
                method,
                url,
                status,
                duration,
                actor,
            } => {
                self.text(method);
                self.text(url);
                // Zigzag: statuses are never negative, but nothing breaks if one is.
                self.uint(((*status << 1) ^ (*status >> 63)) as u64);
                self.float(*duration);
                self.actor(actor);
            }
            EventKind::Warning {
                category,
                message,
                line,
            } => {
                self.text(category);
                self.text(message);
                self.uint(u64::from(*line));
            }
        }
    }

    fn actor(&mut self, actor: &Actor) {
        let (code, id) = match actor {
            Actor::Main => (0, None),
            Actor::Task(id) => (1, Some(*id)),
            Actor::Job(id) => (2, Some(*id)),
            Actor::Generator(id) => (3, Some(*id)),
        };
        self.byte(code);
        if let Some(id) = id {
            self.uint(id);
        }
    }
}

fn kind_tag(kind: &EventKind) -> u8 {
    match kind {
        EventKind::LoopCreated { .. } => tag::LOOP_CREATED,
        EventKind::Iteration { .. } => tag::ITERATION,
        EventKind::CallbackScheduled { .. } => tag::CALLBACK_SCHEDULED,
        EventKind::CallbackRun { .. } => tag::CALLBACK_RUN,
        EventKind::TimerSet { .. } => tag::TIMER_SET,
        EventKind::TimerCancelled { .. } => tag::TIMER_CANCELLED,
        EventKind::TimerFired { .. } => tag::TIMER_FIRED,
        EventKind::FutureCreated { .. } => tag::FUTURE_CREATED,
        EventKind::FutureRole { .. } => tag::FUTURE_ROLE,
        EventKind::FutureSettled { .. } => tag::FUTURE_SETTLED,
        EventKind::TaskCreated { .. } => tag::TASK_CREATED,
        EventKind::TaskRenamed { .. } => tag::TASK_RENAMED,
        EventKind::TaskResumed { .. } => tag::TASK_RESUMED,
        EventKind::TaskSuspended { .. } => tag::TASK_SUSPENDED,
        EventKind::TaskFinished { .. } => tag::TASK_FINISHED,
        EventKind::CancelRequested { .. } => tag::CANCEL_REQUESTED,
        EventKind::PrimitiveCreated { .. } => tag::PRIMITIVE_CREATED,
        EventKind::JobSubmitted { .. } => tag::JOB_SUBMITTED,
        EventKind::JobRunning { .. } => tag::JOB_RUNNING,
        EventKind::JobSleeping { .. } => tag::JOB_SLEEPING,
        EventKind::JobFinished { .. } => tag::JOB_FINISHED,
        EventKind::JobDropped { .. } => tag::JOB_DROPPED,
        EventKind::BlockingSleep { .. } => tag::BLOCKING_SLEEP,
        EventKind::Output { .. } => tag::OUTPUT,
        EventKind::GeneratorCreated { .. } => tag::GENERATOR_CREATED,
        EventKind::GeneratorResumed { .. } => tag::GENERATOR_RESUMED,
        EventKind::GeneratorYielded { .. } => tag::GENERATOR_YIELDED,
        EventKind::GeneratorFinished { .. } => tag::GENERATOR_FINISHED,
        EventKind::NetworkRequest { .. } => tag::NETWORK_REQUEST,
        EventKind::Warning { .. } => tag::WARNING,
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    strings: Vec<String>,
}

impl Reader<'_> {
    fn error(&self, what: &str) -> DecodeError {
        DecodeError(format!("bad {what} at byte {}", self.at))
    }

    fn take(&mut self, count: usize) -> Result<&[u8], DecodeError> {
        let end = self
            .at
            .checked_add(count)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| self.error("length (past the end)"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn uint(&mut self) -> Result<u64, DecodeError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.error("varint"))
    }

    /// A byte count that fits in what is left of the input.
    fn length(&mut self) -> Result<usize, DecodeError> {
        let length = self.uint()?;
        usize::try_from(length)
            .ok()
            .filter(|&length| length <= self.bytes.len() - self.at)
            .ok_or_else(|| self.error("length"))
    }

    fn float(&mut self) -> Result<f64, DecodeError> {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(self.take(8)?);
        Ok(f64::from_le_bytes(raw))
    }

    fn raw_text(&mut self) -> Result<String, DecodeError> {
        let length = self.length()?;
        let bytes = self.take(length)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| self.error("UTF-8"))
    }

    fn text(&mut self) -> Result<String, DecodeError> {
        let index = self.uint()?;
        let known = self.strings.len() as u64;
        if index < known {
            return Ok(self.strings[index as usize].clone());
        }
        if index > known {
            return Err(self.error("string index"));
        }
        let text = self.raw_text()?;
        self.strings.push(text.clone());
        Ok(text)
    }

    fn optional_text(&mut self) -> Result<Option<String>, DecodeError> {
        match self.byte()? {
            0 => Ok(None),
            1 => self.text().map(Some),
            _ => Err(self.error("optional marker")),
        }
    }

    fn optional_uint(&mut self) -> Result<Option<u64>, DecodeError> {
        match self.byte()? {
            0 => Ok(None),
            1 => self.uint().map(Some),
            _ => Err(self.error("optional marker")),
        }
    }

    fn small(&mut self) -> Result<u32, DecodeError> {
        u32::try_from(self.uint()?).map_err(|_| self.error("line"))
    }

    fn actor(&mut self) -> Result<Actor, DecodeError> {
        Ok(match self.byte()? {
            0 => Actor::Main,
            1 => Actor::Task(self.uint()?),
            2 => Actor::Job(self.uint()?),
            3 => Actor::Generator(self.uint()?),
            _ => return Err(self.error("actor")),
        })
    }

    fn settlement(&mut self) -> Result<Settlement, DecodeError> {
        match self.byte()? {
            0 => Ok(Settlement::Result(self.text()?)),
            1 => Ok(Settlement::Exception(self.text()?)),
            2 => Ok(Settlement::Cancelled),
            _ => Err(self.error("settlement")),
        }
    }

    /// The fields of an event of kind `tag`; `None` for a tag this reader
    /// does not know.
    fn kind(&mut self, tag: u8) -> Result<Option<EventKind>, DecodeError> {
        let kind = match tag {
            tag::LOOP_CREATED => EventKind::LoopCreated {
                event_loop: self.uint()?,
            },
            tag::ITERATION => EventKind::Iteration {
                event_loop: self.uint()?,
                ready: usize::try_from(self.uint()?).map_err(|_| self.error("ready"))?,
            },
            tag::CALLBACK_SCHEDULED => EventKind::CallbackScheduled {
                handle: self.uint()?,
                callback: self.text()?,
            },
            tag::CALLBACK_RUN => EventKind::CallbackRun {
                handle: self.uint()?,
                callback: self.text()?,
            },
            tag::TIMER_SET => EventKind::TimerSet {
                handle: self.uint()?,
                when: self.float()?,
                callback: self.text()?,
            },
            tag::TIMER_CANCELLED => EventKind::TimerCancelled {
                handle: self.uint()?,
            },
            tag::TIMER_FIRED => EventKind::TimerFired {
                handle: self.uint()?,
            },
            tag::FUTURE_CREATED => EventKind::FutureCreated {
                future: self.uint()?,
            },
            tag::FUTURE_ROLE => {
                let future = self.uint()?;
                let kind = self.text()?;
                let count = self.length()?;
                let mut targets = Vec::with_capacity(count);
                for _ in 0..count {
                    targets.push(self.uint()?);
                }
                let detail = self.optional_text()?;
                EventKind::FutureRole {
                    future,
                    role: FutureRole {
                        kind,
                        targets,
                        detail,
                    },
                }
            }
            tag::FUTURE_SETTLED => EventKind::FutureSettled {
                future: self.uint()?,
                settlement: self.settlement()?,
            },
            tag::TASK_CREATED => EventKind::TaskCreated {
                task: self.uint()?,
                name: self.text()?,
                coroutine: self.text()?,
                parent: self.optional_uint()?,
                line: self.small()?,
            },
            tag::TASK_RENAMED => EventKind::TaskRenamed {
                task: self.uint()?,
                name: self.text()?,
            },
            tag::TASK_RESUMED => EventKind::TaskResumed {
                task: self.uint()?,
                thrown: self.optional_text()?,
            },
            tag::TASK_SUSPENDED => EventKind::TaskSuspended {
                task: self.uint()?,
                line: self.small()?,
                awaiting: self.optional_uint()?,
            },
            tag::TASK_FINISHED => EventKind::TaskFinished {
                task: self.uint()?,
                settlement: self.settlement()?,
            },
            tag::CANCEL_REQUESTED => EventKind::CancelRequested {
                task: self.uint()?,
                message: self.optional_text()?,
            },
            tag::PRIMITIVE_CREATED => EventKind::PrimitiveCreated {
                object: self.uint()?,
                kind: self.text()?,
            },
            tag::JOB_SUBMITTED => EventKind::JobSubmitted {
                job: self.uint()?,
                function: self.text()?,
                future: self.uint()?,
            },
            tag::JOB_RUNNING => EventKind::JobRunning { job: self.uint()? },
            tag::JOB_SLEEPING => EventKind::JobSleeping {
                job: self.uint()?,
                until: self.float()?,
            },
            tag::JOB_FINISHED => EventKind::JobFinished {
                job: self.uint()?,
                settlement: self.settlement()?,
            },
            tag::JOB_DROPPED => EventKind::JobDropped { job: self.uint()? },
            tag::BLOCKING_SLEEP => EventKind::BlockingSleep {
                seconds: self.float()?,
            },
            tag::OUTPUT => {
                let stream = match self.byte()? {
                    0 => Stream::Stdout,
                    1 => Stream::Stderr,
                    _ => return Err(self.error("stream")),
                };
                let actor = self.actor()?;
                EventKind::Output {
                    stream,
                    actor,
                    text: self.raw_text()?,
                }
            }
            tag::GENERATOR_CREATED => EventKind::GeneratorCreated {
                generator: self.uint()?,
                kind: self.text()?,
                name: self.text()?,
                line: self.small()?,
            },
            tag::GENERATOR_RESUMED => EventKind::GeneratorResumed {
                generator: self.uint()?,
                how: self.text()?,
                value: self.optional_text()?,
                by: self.actor()?,
            },
            tag::GENERATOR_YIELDED => EventKind::GeneratorYielded {
                generator: self.uint()?,
                value: self.text()?,
                delegated: match self.byte()? {
                    0 => false,
                    1 => true,
                    _ => return Err(self.error("flag")),
                },
                line: self.small()?,
            },
            tag::GENERATOR_FINISHED => EventKind::GeneratorFinished {
                generator: self.uint()?,
                end: match self.byte()? {
                    0 => GeneratorEnd::Returned(self.text()?),
                    1 => GeneratorEnd::Raised(self.text()?),
                    2 => GeneratorEnd::Closed,
                    _ => return Err(self.error("generator end")),
                },
                line: self.small()?,
            },
            tag::NETWORK_REQUEST => EventKind::NetworkRequest {
                method: self.text()?,
                url: self.text()?,
                status: {
                    let zigzag = self.uint()?;
                    ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64)
                },
                duration: self.float()?,
                actor: self.actor()?,
            },
            tag::WARNING => EventKind::Warning {
                category: self.text()?,
                message: self.text()?,
                line: self.small()?,
            },
            _ => return Ok(None),
        };
        Ok(Some(kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(step: u64, time: f64, iteration: u64, kind: EventKind) -> Event {
        Event {
            step,
            time,
            iteration,
            kind,
        }
    }

    /// One event of every kind, with optional fields both set and unset.
    fn every_kind() -> Trace {
        let kinds = vec![
            EventKind::LoopCreated { event_loop: 7 },
            EventKind::Iteration {
                event_loop: 7,
                ready: 3,
            },
            EventKind::CallbackScheduled {
                handle: 9,
                callback: "Task.task_step".into(),
            },
            EventKind::CallbackRun {
                handle: 9,
                callback: "Task.task_step".into(),
            },
            EventKind::TimerSet {
                handle: 10,
                when: 1.5,
                callback: "futures._set_result_unless_cancelled".into(),
            },
            EventKind::TimerCancelled { handle: 10 },
            EventKind::TimerFired { handle: 11 },
            EventKind::FutureCreated { future: 12 },
            EventKind::FutureRole {
                future: 12,
                role: FutureRole {
                    kind: "gather".into(),
                    targets: vec![1, 2, 300_000],
                    detail: None,
                },
            },
            EventKind::FutureRole {
                future: 13,
                role: FutureRole {
                    kind: "sleep".into(),
                    targets: vec![],
                    detail: Some("0.5".into()),
                },
            },
            EventKind::FutureSettled {
                future: 12,
                settlement: Settlement::Result("[1, 2]".into()),
            },
            EventKind::FutureSettled {
                future: 13,
                settlement: Settlement::Cancelled,
            },
            EventKind::TaskCreated {
                task: 20,
                name: "Task-1".into(),
                coroutine: "main()".into(),
                parent: None,
                line: 12,
            },
            EventKind::TaskCreated {
                task: 21,
                name: "worker-é".into(),
                coroutine: "work()".into(),
                parent: Some(20),
                line: 4,
            },
            EventKind::TaskRenamed {
                task: 21,
                name: "renamed".into(),
            },
            EventKind::TaskResumed {
                task: 21,
                thrown: Some("CancelledError".into()),
            },
            EventKind::TaskResumed {
                task: 20,
                thrown: None,
            },
            EventKind::TaskSuspended {
                task: 20,
                line: 13,
                awaiting: Some(12),
            },
            EventKind::TaskSuspended {
                task: 21,
                line: 5,
                awaiting: None,
            },
            EventKind::TaskFinished {
                task: 21,
                settlement: Settlement::Exception("ValueError: bad".into()),
            },
            EventKind::CancelRequested {
                task: 20,
                message: Some("stop".into()),
            },
            EventKind::CancelRequested {
                task: 20,
                message: None,
            },
            EventKind::PrimitiveCreated {
                object: 30,
                kind: "semaphore".into(),
            },
            EventKind::JobSubmitted {
                job: 40,
                function: "blocking".into(),
                future: 41,
            },
            EventKind::JobRunning { job: 40 },
            EventKind::JobSleeping {
                job: 40,
                until: 2.25,
            },
            EventKind::JobFinished {
                job: 40,
                settlement: Settlement::Result("None".into()),
            },
            EventKind::JobDropped { job: 42 },
            EventKind::BlockingSleep { seconds: 0.1 },
            EventKind::Output {
                stream: Stream::Stdout,
                text: "hello\n".into(),
                actor: Actor::Task(20),
            },
            EventKind::Output {
                stream: Stream::Stderr,
                text: "Traceback ...\n".into(),
                actor: Actor::Main,
            },
            EventKind::Output {
                stream: Stream::Stdout,
                text: String::new(),
                actor: Actor::Job(40),
            },
            EventKind::GeneratorCreated {
                generator: 50,
                kind: "generator".into(),
                name: "averager".into(),
                line: 3,
            },
            EventKind::GeneratorResumed {
                generator: 50,
                how: "send".into(),
                value: Some("10".into()),
                by: Actor::Generator(51),
            },
            EventKind::GeneratorResumed {
                generator: 50,
                how: "next".into(),
                value: None,
                by: Actor::Main,
            },
            EventKind::GeneratorYielded {
                generator: 50,
                value: "10.0".into(),
                delegated: true,
                line: 7,
            },
            EventKind::GeneratorFinished {
                generator: 50,
                end: GeneratorEnd::Returned("None".into()),
                line: 9,
            },
            EventKind::GeneratorFinished {
                generator: 52,
                end: GeneratorEnd::Raised("ValueError: x".into()),
                line: 2,
            },
            EventKind::GeneratorFinished {
                generator: 53,
                end: GeneratorEnd::Closed,
                line: 4,
            },
            EventKind::NetworkRequest {
                method: "GET".into(),
                url: "https://httpbin.org/delay/1".into(),
                status: 200,
                duration: 1.0,
                actor: Actor::Task(20),
            },
            EventKind::Warning {
                category: "RuntimeWarning".into(),
                message: "coroutine 'main' was never awaited".into(),
                line: 12,
            },
        ];
        let events = kinds
            .into_iter()
            .enumerate()
            .map(|(i, kind)| event(i as u64 * 37, (i / 4) as f64 * 0.5, i as u64 / 3, kind))
            .collect();
        Trace {
            version: crate::TRACE_VERSION,
            seed: 12345,
            events,
            verdict: Some(Verdict {
                status: "error".into(),
                error: Some("ValueError: bad".into()),
                time: 2.0,
            }),
        }
    }

    #[test]
    fn every_event_kind_round_trips() {
        let trace = every_kind();
        let bytes = encode(&trace);
        assert_eq!(decode(&bytes), Ok(trace));
    }

    #[test]
    fn an_empty_trace_without_verdict_round_trips() {
        let trace = Trace::default();
        assert_eq!(decode(&encode(&trace)), Ok(trace));
    }

    #[test]
    fn repeated_names_are_interned_and_the_form_is_smaller_than_json() {
        let mut trace = Trace::default();
        for i in 0..1000u64 {
            trace.events.push(event(
                i * 5,
                0.0,
                i,
                EventKind::CallbackRun {
                    handle: i,
                    callback: "Task.task_step".into(),
                },
            ));
        }
        let bytes = encode(&trace);
        assert!(bytes.len() < 8 * 1000, "{} bytes", bytes.len());
        assert!(bytes.len() * 8 < crate::to_json(&trace).len());
        assert_eq!(decode(&bytes), Ok(trace));
    }

    #[test]
    fn malformed_bytes_are_errors_never_panics() {
        let bytes = encode(&every_kind());
        assert!(decode(b"").is_err());
        assert!(decode(b"JSON{}").is_err());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // Flip every byte in turn: decoding may succeed or fail, never panic.
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0xa5;
            let _ = decode(&damaged);
        }
        let mut huge_count = Vec::from(&MAGIC[..]);
        huge_count.extend_from_slice(&[1, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert!(decode(&huge_count).is_err());
    }

    #[test]
    fn an_unknown_event_kind_is_skipped() {
        let trace = every_kind();
        let mut bytes = encode(&Trace {
            events: trace.events[..1].to_vec(),
            ..trace.clone()
        });
        // Append by hand an event of an unknown kind (tag 200) with a body,
        // then patch the event count from 1 to 2.
        // The count, then the one event: length (4), tag, flags, step, loop id.
        let count_at = bytes.len() - 6;
        assert_eq!(bytes[count_at], 1);
        bytes[count_at] = 2;
        bytes.extend_from_slice(&[4, 200, 0, 0, 42]);
        let decoded = decode(&bytes).expect("decodes");
        assert_eq!(decoded.events, trace.events[..1].to_vec());
    }

    #[test]
    fn another_codec_version_is_refused_by_name() {
        let mut bytes = encode(&Trace::default());
        bytes[4] = 9;
        let error = decode(&bytes).unwrap_err();
        assert!(error.to_string().contains("codec version 9"), "{error}");
    }
}
