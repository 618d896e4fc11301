//! Loopscope against CPython on the programs of `xtask/bench-programs/`:
//! each runs under `loopscope run` (release build, with the trace
//! recorded and encoded as the worker sends it to the page, `--trace-bin`)
//! and under CPython with the conformance oracle, side by side; the report
//! gives both wall times, their ratio, whether the verdicts agree, and the
//! trace's size and peak memory. (The JSON export of a 10,000-task trace
//! is 34 MB, and writing it costs a fifth more time again: it is what a
//! download does, not what a run does.)

use std::process::Command;
use std::time::{Duration, Instant};

use crate::{process, workspace};

/// CPU-bound programs: the interpreter alone.
pub const INTERPRETER: &[&str] = &[
    "fib_recursive.py",
    "range_arithmetic.py",
    "string_building.py",
    "dict_list_work.py",
    "cpu_loop.py",
];

/// Scheduler-heavy programs: the runtime.
pub const SCHEDULER: &[&str] = &[
    "semaphore_10000_tasks.py",
    "queue_20000_items.py",
    "cpu_loop.py",
];

/// Best of this many runs of each side.
const RUNS: usize = 3;

pub fn interpreter() -> crate::Result {
    report(INTERPRETER)
}

pub fn scheduler() -> crate::Result {
    report(SCHEDULER)
}

fn report(programs: &[&str]) -> crate::Result {
    println!("==> Building loopscope (release)");
    process::run(process::cargo().args(["build", "--release", "-p", "loopscope-cli"]))?;
    let root = workspace::root();
    let loopscope = workspace::target_dir().join("release/loopscope");
    let oracle = root.join("tools/conformance/oracle.py");
    let trace_file = std::env::temp_dir().join("loopscope-bench-trace.bin");
    let python = real_python()?;
    println!("CPython: {}", python.display());
    println!(
        "\n{:<28} {:>12} {:>12} {:>8}  notes",
        "program", "loopscope", "CPython", "ratio"
    );
    for name in programs {
        let program = root.join("xtask/bench-programs").join(name);
        let mut ours = Command::new(&loopscope);
        ours.arg("run")
            .arg("--json")
            .arg("--stats")
            .arg("--trace-bin")
            .arg(&trace_file)
            .arg(&program);
        let mut theirs = Command::new(&python);
        theirs.arg(&oracle).arg(&program);
        let (our_time, our_out) = best_of(&mut ours)?;
        let (their_time, their_out) = best_of(&mut theirs)?;
        let ratio = their_time.as_secs_f64() / our_time.as_secs_f64().max(1e-9);
        let agree = if our_out.stdout.trim() == their_out.stdout.trim() {
            "same verdict"
        } else {
            "VERDICTS DIFFER"
        };
        let stats = our_out
            .stderr
            .lines()
            .find_map(|l| l.strip_prefix("loopscope stats: "))
            .unwrap_or("no stats")
            .to_string();
        println!(
            "{:<28} {:>10.3} s {:>10.3} s {:>7.2}x  {agree}; {stats}",
            name,
            our_time.as_secs_f64(),
            their_time.as_secs_f64(),
            ratio
        );
    }
    println!("\nratio = CPython time / loopscope time: above 1 means loopscope is faster.");
    let _ = std::fs::remove_file(&trace_file);
    Ok(())
}

/// The interpreter `python3` runs, by its own path: a version manager's
/// `python3` may be a script that starts it (pyenv's shim adds about
/// 140 ms to every run), which is not CPython's time.
fn real_python() -> crate::Result<std::path::PathBuf> {
    let output = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() || path.is_empty() {
        return Err("python3 does not say where its interpreter is".into());
    }
    Ok(path.into())
}

struct Output {
    stdout: String,
    stderr: String,
}

/// The shortest wall time of [`RUNS`] runs, and the output of the last.
fn best_of(command: &mut Command) -> crate::Result<(Duration, Output)> {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let output = command
            .output()
            .map_err(|e| format!("cannot run {}: {e}", process::describe(command)))?;
        best = best.min(start.elapsed());
        if !output.status.success() {
            return Err(format!("{} failed", process::describe(command)).into());
        }
        last = Some(Output {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    let last = last.ok_or("no run")?;
    Ok((best, last))
}
