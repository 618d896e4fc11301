//! The trace in the Trace Event Format (the JSON that Perfetto and
//! `chrome://tracing` open): one track per task and per thread job, the
//! virtual clock as the time axis. Waiting is drawn as slices named by
//! what the task waits for; running steps, prints and endings as instants
//! (a step takes no virtual time).

use std::collections::BTreeMap;

use crate::json::{number, string};
use crate::{Actor, EventKind, Settlement, Trace};

/// Track of events that belong to no task (timers, the main program).
const MAIN_TRACK: u64 = 0;

/// The trace as a Trace Event Format document.
pub fn to_chrome_trace(trace: &Trace) -> String {
    let mut writer = Writer::default();
    writer.metadata(MAIN_TRACK, "main program");
    // What each future stands for, to name the waits.
    let mut roles: BTreeMap<u64, String> = BTreeMap::new();
    let mut task_names: BTreeMap<u64, String> = BTreeMap::new();
    // Open waits: task → (since, what).
    let mut waits: BTreeMap<u64, (f64, String)> = BTreeMap::new();
    for event in &trace.events {
        let t = event.time;
        match &event.kind {
            EventKind::FutureRole { future, role } => {
                let name = match &role.detail {
                    Some(detail) => format!("{} {detail}", role.kind),
                    None => role.kind.clone(),
                };
                roles.insert(*future, name);
            }
            EventKind::TaskCreated {
                task,
                name,
                coroutine,
                ..
            } => {
                task_names.insert(*task, name.clone());
                writer.metadata(*task, &format!("{name} {coroutine}"));
                writer.instant(*task, t, "created", event.step);
            }
            EventKind::TaskRenamed { task, name } => {
                writer.metadata(*task, name);
            }
            EventKind::TaskResumed { task, thrown } => {
                if let Some((since, what)) = waits.remove(task) {
                    writer.slice(*task, since, t, &what);
                }
                let name = match thrown {
                    Some(exc) => format!("resumed with {exc}"),
                    None => "runs".to_string(),
                };
                writer.instant(*task, t, &name, event.step);
            }
            EventKind::TaskSuspended { task, awaiting, .. } => {
                let what = match awaiting {
                    Some(future) => match (roles.get(future), task_names.get(future)) {
                        (_, Some(name)) => format!("await {name}"),
                        (Some(role), None) => role.clone(),
                        (None, None) => "await future".to_string(),
                    },
                    None => "ready (yielded)".to_string(),
                };
                waits.insert(*task, (t, what));
            }
            EventKind::TaskFinished { task, settlement } => {
                let name = match settlement {
                    Settlement::Result(value) => format!("returned {value}"),
                    Settlement::Exception(text) => format!("raised {text}"),
                    Settlement::Cancelled => "cancelled".to_string(),
                };
                writer.instant(*task, t, &name, event.step);
            }
            EventKind::CancelRequested { task, .. } => {
                writer.instant(*task, t, "cancel requested", event.step);
            }
            EventKind::JobSubmitted { job, function, .. } => {
                writer.metadata(*job, &format!("thread job {function}()"));
                waits.insert(*job, (t, "waiting for a worker".to_string()));
            }
            EventKind::JobRunning { job } => {
                if let Some((since, what)) = waits.remove(job) {
                    writer.slice(*job, since, t, &what);
                }
                writer.instant(*job, t, "runs", event.step);
            }
            EventKind::JobSleeping { job, until } => {
                waits.insert(*job, (t, format!("time.sleep until {until}")));
            }
            EventKind::JobFinished { job, .. } => {
                writer.instant(*job, t, "finished", event.step);
            }
            EventKind::BlockingSleep { seconds } => {
                writer.slice(MAIN_TRACK, t, t + seconds, "time.sleep blocks the loop");
            }
            EventKind::TimerFired { .. } => {
                writer.instant(MAIN_TRACK, t, "timer fired", event.step);
            }
            EventKind::Output { text, actor, .. } => {
                let track = match actor {
                    Actor::Main => MAIN_TRACK,
                    Actor::Task(id) | Actor::Job(id) | Actor::Generator(id) => *id,
                };
                let line: String = text.trim_end().chars().take(80).collect();
                if !line.is_empty() {
                    writer.instant(track, t, &format!("print: {line}"), event.step);
                }
            }
            _ => {}
        }
    }
    let end = trace.verdict.as_ref().map_or(0.0, |v| v.time);
    for (track, (since, what)) in waits {
        writer.slice(track, since, end.max(since), &what);
    }
    writer.finish()
}

#[derive(Default)]
struct Writer {
    out: String,
    count: usize,
}

impl Writer {
    fn begin(&mut self) {
        self.out
            .push_str(if self.count == 0 { "\n  " } else { ",\n  " });
        self.count += 1;
    }

    fn metadata(&mut self, track: u64, name: &str) {
        self.begin();
        self.out.push_str(&format!(
            "{{\"ph\": \"M\", \"name\": \"thread_name\", \"pid\": 1, \"tid\": {track}, \"args\": {{\"name\": "
        ));
        string(&mut self.out, name);
        self.out.push_str("}}");
    }

    fn instant(&mut self, track: u64, time: f64, name: &str, step: u64) {
        self.begin();
        self.out
            .push_str("{\"ph\": \"i\", \"s\": \"t\", \"name\": ");
        string(&mut self.out, name);
        self.out
            .push_str(&format!(", \"pid\": 1, \"tid\": {track}, \"ts\": "));
        number(&mut self.out, micros(time));
        self.out
            .push_str(&format!(", \"args\": {{\"step\": {step}}}}}"));
    }

    fn slice(&mut self, track: u64, from: f64, to: f64, name: &str) {
        self.begin();
        self.out.push_str("{\"ph\": \"X\", \"name\": ");
        string(&mut self.out, name);
        self.out
            .push_str(&format!(", \"pid\": 1, \"tid\": {track}, \"ts\": "));
        number(&mut self.out, micros(from));
        self.out.push_str(", \"dur\": ");
        number(&mut self.out, micros(to - from));
        self.out.push('}');
    }

    fn finish(self) -> String {
        format!(
            "{{\"displayTimeUnit\": \"ms\", \"traceEvents\": [{}\n]}}\n",
            self.out
        )
    }
}

fn micros(seconds: f64) -> f64 {
    (seconds * 1e6).round()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Event, FutureRole, TRACE_VERSION};

    fn at(time: f64, step: u64, kind: EventKind) -> Event {
        Event {
            step,
            time,
            iteration: 0,
            kind,
        }
    }

    #[test]
    fn a_sleeping_task_gets_a_wait_slice_on_its_track() {
        let trace = Trace {
            version: TRACE_VERSION,
            seed: 0,
            events: vec![
                at(
                    0.0,
                    1,
                    EventKind::TaskCreated {
                        task: 5,
                        name: "Task-1".into(),
                        coroutine: "main()".into(),
                        parent: None,
                        line: 3,
                    },
                ),
                at(
                    0.0,
                    2,
                    EventKind::FutureRole {
                        future: 9,
                        role: FutureRole {
                            kind: "sleep".into(),
                            targets: vec![],
                            detail: Some("1.5".into()),
                        },
                    },
                ),
                at(
                    0.0,
                    3,
                    EventKind::TaskSuspended {
                        task: 5,
                        line: 4,
                        awaiting: Some(9),
                    },
                ),
                at(
                    1.5,
                    4,
                    EventKind::TaskResumed {
                        task: 5,
                        thrown: None,
                    },
                ),
            ],
            verdict: None,
        };
        let json = to_chrome_trace(&trace);
        assert!(json.contains("\"args\": {\"name\": \"Task-1 main()\"}"));
        assert!(json.contains(
            "{\"ph\": \"X\", \"name\": \"sleep 1.5\", \"pid\": 1, \"tid\": 5, \"ts\": 0.0, \"dur\": 1500000.0}"
        ));
    }
}
