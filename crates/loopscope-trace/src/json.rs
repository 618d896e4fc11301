//! The trace as JSON (`docs/trace.md`): one object per event, keys in a
//! fixed order, floats as Python's `repr` would write them, so identical
//! traces give identical bytes.
//!
//! The writer works on bytes (`Vec<u8>`): digits and ASCII pieces are
//! appended without a UTF-8 check, and every `&str` it copies is already
//! UTF-8, so the document is too.

use crate::{Actor, Event, EventKind, FutureRole, GeneratorEnd, Settlement, Stream, Trace};
use std::fmt::Write;

/// The whole trace as one JSON document.
pub fn to_json(trace: &Trace) -> String {
    let mut out = Vec::with_capacity(64 + trace.events.len() * 160);
    // Never flushed: the document grows in `out`.
    let _ = write_document(trace, &mut out, usize::MAX, &mut |_| Ok(()));
    // Made of `&str` pieces and ASCII: the lossy branch never runs.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The same document as [`to_json`], written to `sink` in chunks of about
/// 64 KB instead of one `String` the size of the trace (a 10,000-task run
/// writes 34 MB). Wrap a file in a `BufWriter` or not: the chunks are large.
pub fn write_json(trace: &Trace, sink: &mut impl std::io::Write) -> std::io::Result<()> {
    const CHUNK: usize = 64 * 1024;
    let mut buffer = Vec::with_capacity(CHUNK + 4096);
    write_document(trace, &mut buffer, CHUNK, &mut |chunk| {
        sink.write_all(chunk)
    })
}

/// Writes the document into `out`, handing it to `flush` (and emptying it)
/// whenever it holds `chunk` bytes or more, and at the end.
fn write_document(
    trace: &Trace,
    out: &mut Vec<u8>,
    chunk: usize,
    flush: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    out.extend_from_slice(b"{\"version\": ");
    integer(out, u64::from(trace.version));
    out.extend_from_slice(b", \"seed\": ");
    integer(out, trace.seed);
    out.extend_from_slice(b", \"verdict\": ");
    match &trace.verdict {
        Some(v) => {
            out.extend_from_slice(b"{\"status\": ");
            string_into(out, &v.status);
            out.extend_from_slice(b", \"error\": ");
            optional_string(out, v.error.as_deref());
            out.extend_from_slice(b", \"time\": ");
            number_into(out, v.time);
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b", \"events\": [");
    let mut numbers = Numbers::default();
    for (i, event) in trace.events.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n  " } else { b",\n  " });
        write_event(out, event, &mut numbers);
        if out.len() >= chunk {
            flush(out)?;
            out.clear();
        }
    }
    out.extend_from_slice(b"\n]}\n");
    flush(out)?;
    if chunk != usize::MAX {
        out.clear();
    }
    Ok(())
}

/// The last number written in one place and its text: runs of events
/// share the virtual time, and timers set in one iteration their `when`,
/// so each is formatted once per run of them.
#[derive(Default)]
struct LastNumber {
    bits: Option<u64>,
    text: String,
}

impl LastNumber {
    fn write(&mut self, out: &mut Vec<u8>, value: f64) {
        let bits = value.to_bits();
        if self.bits != Some(bits) {
            self.text.clear();
            number(&mut self.text, value);
            self.bits = Some(bits);
        }
        out.extend_from_slice(self.text.as_bytes());
    }
}

/// The events' times, and their other floats (`when`, `until`, ...).
#[derive(Default)]
struct Numbers {
    time: LastNumber,
    other: LastNumber,
}

fn write_event(out: &mut Vec<u8>, event: &Event, numbers: &mut Numbers) {
    out.extend_from_slice(b"{\"step\": ");
    integer(out, event.step);
    out.extend_from_slice(b", \"time\": ");
    numbers.time.write(out, event.time);
    out.extend_from_slice(b", \"iteration\": ");
    integer(out, event.iteration);
    out.extend_from_slice(b", \"kind\": ");
    let mut fields = Fields {
        out,
        floats: &mut numbers.other,
    };
    match &event.kind {
        EventKind::LoopCreated { event_loop } => {
            fields.kind("loop_created").id("loop", *event_loop);
        }
        EventKind::Iteration { event_loop, ready } => {
            fields
                .kind("iteration")
                .id("loop", *event_loop)
                .int("ready", *ready as u64);
        }
        EventKind::CallbackScheduled { handle, callback } => {
            fields
                .kind("callback_scheduled")
                .id("handle", *handle)
                .text("callback", callback);
        }
        EventKind::CallbackRun { handle, callback } => {
            fields
                .kind("callback_run")
                .id("handle", *handle)
                .text("callback", callback);
        }
        EventKind::TimerSet {
            handle,
            when,
            callback,
        } => {
            fields
                .kind("timer_set")
                .id("handle", *handle)
                .float("when", *when)
                .text("callback", callback);
        }
        EventKind::TimerCancelled { handle } => {
            fields.kind("timer_cancelled").id("handle", *handle);
        }
        EventKind::TimerFired { handle } => {
            fields.kind("timer_fired").id("handle", *handle);
        }
        EventKind::FutureCreated { future } => {
            fields.kind("future_created").id("future", *future);
        }
        EventKind::FutureRole { future, role } => {
            fields.kind("future_role").id("future", *future).role(role);
        }
        EventKind::FutureSettled { future, settlement } => {
            fields
                .kind("future_settled")
                .id("future", *future)
                .settlement(settlement);
        }
        EventKind::TaskCreated {
            task,
            name,
            coroutine,
            parent,
            line,
        } => {
            fields
                .kind("task_created")
                .id("task", *task)
                .text("name", name)
                .text("coroutine", coroutine)
                .optional_id("parent", *parent)
                .int("line", u64::from(*line));
        }
        EventKind::TaskRenamed { task, name } => {
            fields
                .kind("task_renamed")
                .id("task", *task)
                .text("name", name);
        }
        EventKind::TaskResumed { task, thrown } => {
            fields
                .kind("task_resumed")
                .id("task", *task)
                .optional_text("thrown", thrown.as_deref());
        }
        EventKind::TaskSuspended {
            task,
            line,
            awaiting,
        } => {
            fields
                .kind("task_suspended")
                .id("task", *task)
                .int("line", u64::from(*line))
                .optional_id("awaiting", *awaiting);
        }
        EventKind::TaskFinished { task, settlement } => {
            fields
                .kind("task_finished")
                .id("task", *task)
                .settlement(settlement);
        }
        EventKind::CancelRequested { task, message } => {
            fields
                .kind("cancel_requested")
                .id("task", *task)
                .optional_text("message", message.as_deref());
        }
        EventKind::PrimitiveCreated { object, kind } => {
            fields
                .kind("primitive_created")
                .id("object", *object)
                .text("primitive", kind);
        }
        EventKind::JobSubmitted {
            job,
            function,
            future,
        } => {
            fields
                .kind("job_submitted")
                .id("job", *job)
                .text("function", function)
                .id("future", *future);
        }
        EventKind::JobRunning { job } => {
            fields.kind("job_running").id("job", *job);
        }
        EventKind::JobSleeping { job, until } => {
            fields
                .kind("job_sleeping")
                .id("job", *job)
                .float("until", *until);
        }
        EventKind::JobFinished { job, settlement } => {
            fields
                .kind("job_finished")
                .id("job", *job)
                .settlement(settlement);
        }
        EventKind::JobDropped { job } => {
            fields.kind("job_dropped").id("job", *job);
        }
        EventKind::BlockingSleep { seconds } => {
            fields.kind("blocking_sleep").float("seconds", *seconds);
        }
        EventKind::Output {
            stream,
            text,
            actor,
        } => {
            let stream = match stream {
                Stream::Stdout => "stdout",
                Stream::Stderr => "stderr",
            };
            fields
                .kind("output")
                .text("stream", stream)
                .text("text", text)
                .actor(*actor);
        }
        EventKind::GeneratorCreated {
            generator,
            kind,
            name,
            line,
        } => {
            fields
                .kind("generator_created")
                .id("generator", *generator)
                .text("generator_kind", kind)
                .text("name", name)
                .int("line", u64::from(*line));
        }
        EventKind::GeneratorResumed {
            generator,
            how,
            value,
            by,
        } => {
            fields
                .kind("generator_resumed")
                .id("generator", *generator)
                .text("how", how)
                .optional_text("value", value.as_deref())
                .resumer(*by);
        }
        EventKind::GeneratorYielded {
            generator,
            value,
            delegated,
            line,
        } => {
            fields
                .kind("generator_yielded")
                .id("generator", *generator)
                .text("value", value)
                .boolean("delegated", *delegated)
                .int("line", u64::from(*line));
        }
        EventKind::GeneratorFinished {
            generator,
            end,
            line,
        } => {
            fields
                .kind("generator_finished")
                .id("generator", *generator);
            match end {
                GeneratorEnd::Returned(repr) => {
                    fields.text("outcome", "returned").text("value", repr)
                }
                GeneratorEnd::Raised(text) => {
                    fields.text("outcome", "exception").text("value", text)
                }
                GeneratorEnd::Closed => fields.text("outcome", "closed"),
            };
            fields.int("line", u64::from(*line));
        }
        EventKind::NetworkRequest {
            method,
            url,
            status,
            duration,
            actor,
        } => {
            fields
                .kind("network_request")
                .text("method", method)
                .text("url", url)
                .int("status", (*status).max(0) as u64)
                .float("duration", *duration)
                .actor(*actor);
        }
        EventKind::Warning {
            category,
            message,
            line,
        } => {
            fields
                .kind("warning")
                .text("category", category)
                .text("message", message)
                .int("line", u64::from(*line));
        }
    }
    out.push(b'}');
}

/// Writes the `kind` string and the event's own fields after it.
struct Fields<'a> {
    out: &'a mut Vec<u8>,
    floats: &'a mut LastNumber,
}

impl Fields<'_> {
    /// The kinds are this file's own literals, lower case and underscores:
    /// quoted without the escape scan.
    fn kind(&mut self, kind: &str) -> &mut Self {
        self.out.push(b'"');
        self.out.extend_from_slice(kind.as_bytes());
        self.out.push(b'"');
        self
    }

    fn key(&mut self, key: &str) {
        self.out.extend_from_slice(b", \"");
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    fn id(&mut self, key: &str, id: u64) -> &mut Self {
        self.key(key);
        integer(self.out, id);
        self
    }

    fn optional_id(&mut self, key: &str, id: Option<u64>) -> &mut Self {
        self.key(key);
        match id {
            Some(id) => integer(self.out, id),
            None => self.out.extend_from_slice(b"null"),
        }
        self
    }

    fn int(&mut self, key: &str, value: u64) -> &mut Self {
        self.id(key, value)
    }

    fn float(&mut self, key: &str, value: f64) -> &mut Self {
        self.key(key);
        self.floats.write(self.out, value);
        self
    }

    fn text(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key);
        string_into(self.out, value);
        self
    }

    fn optional_text(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        self.key(key);
        optional_string(self.out, value);
        self
    }

    fn settlement(&mut self, settlement: &Settlement) -> &mut Self {
        match settlement {
            Settlement::Result(repr) => self.text("outcome", "result").text("value", repr),
            Settlement::Exception(text) => self.text("outcome", "exception").text("value", text),
            Settlement::Cancelled => self.text("outcome", "cancelled"),
        }
    }

    fn role(&mut self, role: &FutureRole) -> &mut Self {
        self.text("role", &role.kind);
        self.key("targets");
        self.out.push(b'[');
        for (i, target) in role.targets.iter().enumerate() {
            if i > 0 {
                self.out.extend_from_slice(b", ");
            }
            integer(self.out, *target);
        }
        self.out.push(b']');
        self.optional_text("detail", role.detail.as_deref())
    }

    fn actor(&mut self, actor: Actor) -> &mut Self {
        self.who("actor", "actor_id", actor)
    }

    fn resumer(&mut self, actor: Actor) -> &mut Self {
        self.who("by", "by_id", actor)
    }

    /// `"actor": "task", "actor_id": 12` (no id for `main`).
    fn who(&mut self, key: &str, id_key: &str, actor: Actor) -> &mut Self {
        match actor {
            Actor::Main => self.text(key, "main"),
            Actor::Task(id) => self.text(key, "task").id(id_key, id),
            Actor::Job(id) => self.text(key, "job").id(id_key, id),
            Actor::Generator(id) => self.text(key, "generator").id(id_key, id),
        }
    }

    fn boolean(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }
}

fn optional_string(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(s) => string_into(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// A JSON string literal (non-ASCII kept as UTF-8).
fn string_into(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    // Most strings (kinds, names, reprs of numbers) need no escape at all.
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    // Runs of characters that need no escape are copied whole; the
    // escaped ones are ASCII, so the byte offsets are character bounds.
    let mut start = 0;
    for (i, byte) in s.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.extend_from_slice(s.as_bytes().get(start..i).unwrap_or_default());
        if escape.is_empty() {
            let mut text = String::new();
            let _ = write!(text, "\\u{byte:04x}");
            out.extend_from_slice(text.as_bytes());
        } else {
            out.extend_from_slice(escape.as_bytes());
        }
        start = i + 1;
    }
    out.extend_from_slice(s.as_bytes().get(start..).unwrap_or_default());
    out.push(b'"');
}

/// An integer, written without an intermediate `String` or the
/// formatting machinery (every event has several): small ones (ids,
/// iterations, counts) digit by digit into the output, two at a time.
fn integer(out: &mut Vec<u8>, mut value: u64) {
    if value < 10 {
        out.push(b'0' + value as u8);
        return;
    }
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while value >= 100 {
        let pair = (value % 100) as usize * 2;
        value /= 100;
        start -= 2;
        digits[start] = PAIRS[pair];
        digits[start + 1] = PAIRS[pair + 1];
    }
    if value >= 10 {
        let pair = value as usize * 2;
        start -= 2;
        digits[start] = PAIRS[pair];
        digits[start + 1] = PAIRS[pair + 1];
    } else {
        start -= 1;
        digits[start] = b'0' + value as u8;
    }
    out.extend_from_slice(digits.get(start..).unwrap_or_default());
}

/// A float the way Python's `repr` writes it (`1.0`, `0.30000000000000004`),
/// which is also valid JSON for finite values.
pub(crate) fn number(out: &mut String, value: f64) {
    if !value.is_finite() {
        out.push_str("null");
    } else if value == value.trunc() && value.abs() < 1e16 {
        let _ = write!(out, "{value:.1}");
    } else {
        let _ = write!(out, "{value:?}");
    }
}

/// [`number`] into the byte buffer.
fn number_into(out: &mut Vec<u8>, value: f64) {
    let mut text = String::new();
    number(&mut text, value);
    out.extend_from_slice(text.as_bytes());
}

/// [`string_into`] for a `String` (the Chrome trace's writer).
pub(crate) fn string(out: &mut String, s: &str) {
    let mut bytes = Vec::with_capacity(s.len() + 2);
    string_into(&mut bytes, s);
    out.push_str(&String::from_utf8_lossy(&bytes));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Event, Trace, Verdict, TRACE_VERSION};

    #[test]
    fn integers_as_display_writes_them() {
        let mut values = vec![0, 9, 10, 99, 100, 101, 999, 1000, u64::MAX, u64::MAX - 1];
        values.extend((0..64).map(|shift| 1u64 << shift));
        values.extend((1..20).map(|power| 10u64.pow(power) - 1));
        for value in values {
            let mut out = b"x".to_vec();
            integer(&mut out, value);
            assert_eq!(out, format!("x{value}").into_bytes());
        }
    }

    #[test]
    fn writes_events_in_order_with_fixed_keys() {
        let trace = Trace {
            version: TRACE_VERSION,
            seed: 0,
            events: vec![
                Event {
                    step: 3,
                    time: 0.0,
                    iteration: 0,
                    kind: EventKind::TaskCreated {
                        task: 7,
                        name: "Task-1".into(),
                        coroutine: "main()".into(),
                        parent: None,
                        line: 9,
                    },
                },
                Event {
                    step: 10,
                    time: 0.30000000000000004,
                    iteration: 2,
                    kind: EventKind::Output {
                        stream: Stream::Stdout,
                        text: "привет \"x\"\n".into(),
                        actor: Actor::Task(7),
                    },
                },
            ],
            verdict: Some(Verdict {
                status: "completed".into(),
                error: None,
                time: 1.0,
            }),
        };
        let json = to_json(&trace);
        assert!(json.starts_with(
            "{\"version\": 1, \"seed\": 0, \"verdict\": {\"status\": \"completed\", \"error\": null, \"time\": 1.0}"
        ));
        assert!(json.contains("{\"step\": 3, \"time\": 0.0, \"iteration\": 0, \"kind\": \"task_created\", \"task\": 7, \"name\": \"Task-1\", \"coroutine\": \"main()\", \"parent\": null, \"line\": 9}"));
        assert!(json.contains("\"time\": 0.30000000000000004"));
        for (value, text) in [
            (0, "0"),
            (7, "7"),
            (10, "10"),
            (99, "99"),
            (100, "100"),
            (12345, "12345"),
            (u64::MAX, "18446744073709551615"),
        ] {
            let mut out = Vec::new();
            integer(&mut out, value);
            assert_eq!(out, text.as_bytes());
        }
        let mut streamed = Vec::new();
        write_json(&trace, &mut streamed).unwrap();
        assert_eq!(streamed, json.as_bytes());
        assert!(json
            .contains("\"text\": \"привет \\\"x\\\"\\n\", \"actor\": \"task\", \"actor_id\": 7}"));
    }
}
