//! Running a whole program and reporting how it ended, in the format of
//! the conformance oracle (`tools/conformance/oracle.py`):
//! `{"stdout": ..., "status": ..., "error": ..., "time": ...}`.

use crate::modules::json::encoder::encode_string;
use crate::value::Halt;
use crate::vm::{Limits, Outcome, RecordingHost, Vm};

/// How a run ended, as the oracle reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub stdout: String,
    pub stderr: String,
    /// `completed`, `error`, `idle-forever`, `time-limit`, `hang` or
    /// `unsupported`.
    pub status: &'static str,
    /// The last line of the traceback, or what is unsupported and where.
    pub error: Option<String>,
    /// The virtual clock at the end, in seconds.
    pub time: f64,
}

/// Options of a run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The program's file name, as tracebacks show it.
    pub filename: String,
    pub seed: u64,
    pub max_time: f64,
    pub limits: Limits,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            filename: "main.py".to_string(),
            seed: 0,
            max_time: 3600.0,
            limits: Limits::default(),
        }
    }
}

/// Runs a program without an event loop: plain code and generators.
pub fn run_program(source: &str, options: &RunOptions) -> Verdict {
    let host = RecordingHost {
        max_time: Some(options.max_time),
        ..RecordingHost::default()
    };
    let mut vm = Vm::new(Box::new(host));
    vm.limits = options.limits.clone();
    vm.random_seed = options.seed;
    vm.filename = options.filename.as_str().into();
    let outcome = vm.run_main(source);
    let (stdout, stderr, time) = vm.take_output();
    verdict_of(outcome, stdout, stderr, time)
}

/// Turns an outcome into the oracle's terms.
pub fn verdict_of(outcome: Outcome, stdout: String, stderr: String, time: f64) -> Verdict {
    let (status, error) = match outcome {
        Outcome::Completed => ("completed", None),
        Outcome::Error(line) => ("error", Some(line)),
        Outcome::Halted(halt) => match halt {
            Halt::Hang => ("hang", None),
            Halt::TimeLimit => ("time-limit", None),
            Halt::IdleForever => ("idle-forever", None),
            Halt::Unsupported { message, line } => {
                ("unsupported", Some(format!("line {line}: {message}")))
            }
            Halt::Exit(None) => ("completed", None),
            Halt::Exit(Some(code)) => ("error", Some(format!("SystemExit: {code}"))),
            Halt::Park(_) => (
                "unsupported",
                Some("time.sleep() outside a thread of the simulated world".to_string()),
            ),
        },
    };
    Verdict {
        stdout,
        stderr,
        status,
        error,
        time: (time * 1e9).round() / 1e9,
    }
}

impl Verdict {
    /// The oracle's JSON (one line, keys in its order; strings as
    /// `json.dumps(ensure_ascii=False)` writes them).
    pub fn to_json(&self) -> String {
        let error = match &self.error {
            Some(e) => encode_string(e, false),
            None => "null".to_string(),
        };
        format!(
            "{{\"stdout\": {}, \"status\": {}, \"error\": {}, \"time\": {}}}",
            encode_string(&self.stdout, false),
            encode_string(self.status, false),
            error,
            crate::numbers::float_repr(self.time)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_matches_pythons_dumps() {
        let v = Verdict {
            stdout: "a\"b\\\n\u{1}é".into(),
            stderr: String::new(),
            status: "completed",
            error: None,
            time: 3.0,
        };
        assert_eq!(
            v.to_json(),
            "{\"stdout\": \"a\\\"b\\\\\\n\\u0001é\", \"status\": \"completed\", \"error\": null, \"time\": 3.0}"
        );
    }
}
