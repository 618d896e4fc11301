//! Conformance: every `.py` fixture under `tests/fixtures/` and
//! `tests/lecture/` runs in the simulated world and its verdict (stdout,
//! status, error line, virtual time) is compared with the one CPython 3.11
//! gave under the oracle (`<name>.expected.json`).
//!
//! The suite is a ratchet, like boa's conformance report: the fixtures
//! listed in `tests/fixtures/passing.txt` must pass; a fixture that starts
//! passing is reported so the list can grow
//! (`LOOPSCOPE_BLESS=1 cargo test -p loopscope-runtime --test conformance`).
//!
//! Determinism is checked on the way: the whole corpus runs twice, on two
//! threads at once, and every fixture's trace must come out byte-identical
//! (as JSON) both times.

use std::path::{Path, PathBuf};

use loopscope_interp::verdict::{RunOptions, Verdict};
use loopscope_runtime::run_program;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let root = repo_root().join("tests");
    for dir in ["fixtures", "lecture"] {
        collect(&root.join(dir), &mut out);
    }
    out.sort();
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "py")
            && path.with_extension("expected.json").exists()
        {
            out.push(path);
        }
    }
}

fn name_of(path: &Path) -> String {
    let root = repo_root().join("tests");
    path.strip_prefix(&root)
        .unwrap_or(path)
        .with_extension("")
        .to_string_lossy()
        .replace('\\', "/")
}

/// Compares a verdict with the oracle's; None when they agree.
fn mismatch(verdict: &Verdict, expected: &serde_json::Value) -> Option<String> {
    let want_stdout = expected["stdout"].as_str().unwrap_or_default();
    let want_status = expected["status"].as_str().unwrap_or_default();
    let want_error = expected["error"].as_str();
    let want_time = expected["time"].as_f64().unwrap_or(0.0);
    if verdict.status != want_status {
        return Some(format!(
            "status {} (error {:?}), expected {want_status} (error {want_error:?})",
            verdict.status, verdict.error
        ));
    }
    if verdict.stdout != want_stdout {
        let got: Vec<&str> = verdict.stdout.lines().collect();
        let want: Vec<&str> = want_stdout.lines().collect();
        let line = got
            .iter()
            .zip(&want)
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(want.len()));
        return Some(format!(
            "stdout differs at line {}: got {:?}, expected {:?}",
            line + 1,
            got.get(line),
            want.get(line)
        ));
    }
    if verdict.error.as_deref() != want_error {
        return Some(format!(
            "error {:?}, expected {want_error:?}",
            verdict.error
        ));
    }
    if (verdict.time - want_time).abs() > 1e-9 {
        return Some(format!("time {}, expected {want_time}", verdict.time));
    }
    None
}

/// One fixture's run: its name, how it differs from CPython (None when
/// it does not), and its trace as JSON.
type FixtureRun = (String, Option<String>, String);

#[test]
fn fixtures_match_cpython() {
    // Python calls recurse on the native stack: run on a big one.
    let spawn_run = |tell_failures: bool| {
        std::thread::Builder::new()
            .stack_size(512 << 20)
            .spawn(move || run_all(tell_failures))
            .expect("spawn a conformance thread")
    };
    let (first, second) = (spawn_run(true), spawn_run(false));
    let report = first.join().expect("the conformance run finished");
    let again = second.join().expect("the second run finished");
    let unstable: Vec<&String> = report
        .iter()
        .zip(&again)
        .filter(|((_, _, a), (_, _, b))| a != b)
        .map(|((name, _, _), _)| name)
        .collect();
    assert!(
        report.len() == again.len() && unstable.is_empty(),
        "traces differ between two runs of the same program: {unstable:?}"
    );
    let report: Vec<(String, Option<String>)> = report
        .into_iter()
        .map(|(name, problem, _)| (name, problem))
        .collect();
    let passing_path = repo_root().join("tests/fixtures/passing.txt");
    let listed: Vec<String> = std::fs::read_to_string(&passing_path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let passing: Vec<&String> = report
        .iter()
        .filter(|(_, m)| m.is_none())
        .map(|(n, _)| n)
        .collect();
    println!(
        "conformance: {} of {} fixtures match CPython",
        passing.len(),
        report.len()
    );
    if std::env::var_os("LOOPSCOPE_BLESS").is_some() {
        let mut text = String::from("# Fixtures that match CPython; kept by tests/conformance.rs (LOOPSCOPE_BLESS=1 to update).\n");
        for name in &passing {
            text.push_str(name);
            text.push('\n');
        }
        std::fs::write(&passing_path, text).expect("write passing.txt");
        return;
    }
    let mut regressions = Vec::new();
    for (name, problem) in &report {
        match problem {
            Some(problem) if listed.contains(name) => {
                regressions.push(format!("{name}: {problem}"))
            }
            None if !listed.contains(name) => println!("newly passing: {name}"),
            _ => {}
        }
    }
    for name in &listed {
        if !report.iter().any(|(n, _)| n == name) {
            regressions.push(format!("{name}: listed in passing.txt but missing"));
        }
    }
    assert!(
        regressions.is_empty(),
        "fixtures that used to pass now fail:\n{}",
        regressions.join("\n")
    );
}

/// Runs every fixture; with `tell_failures`, names each mismatch as it
/// comes when `LOOPSCOPE_VERBOSE` is set.
fn run_all(tell_failures: bool) -> Vec<FixtureRun> {
    let mut report = Vec::new();
    for path in fixtures() {
        let source = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("expected.json"))
                .expect("expected verdict"),
        )
        .expect("expected verdict is JSON");
        let result = run_program(&source, &RunOptions::default());
        let problem = mismatch(&result.verdict, &expected);
        if let Some(problem) = &problem {
            if tell_failures && std::env::var_os("LOOPSCOPE_VERBOSE").is_some() {
                println!("FAIL {}: {problem}", name_of(&path));
            }
        }
        report.push((
            name_of(&path),
            problem,
            loopscope_trace::to_json(&result.trace),
        ));
    }
    report
}
