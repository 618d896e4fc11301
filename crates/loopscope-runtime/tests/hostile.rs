//! Hostile programs: whatever a student pastes, the run ends with a clear
//! verdict, quickly, and the process survives.
//!
//! Each `tests/hostile/NAME.py` says on its second line what must happen:
//! `# expect: STATUS` or `# expect: STATUS: ERROR` (the verdict's status
//! and error, exactly; `line *` stands for any line, for limits that trip
//! wherever the program happens to be). These are Loopscope's own rules for input CPython
//! would run differently or not at all (its limits, the closed world), so
//! they are written by hand, unlike the conformance fixtures' verdicts.
//! Programs too big to keep as files are generated here.
//!
//! The memory limit needs the counting allocator, installed here as it is
//! in the CLI and the web worker.

use std::path::{Path, PathBuf};

use loopscope_interp::memory::CountingAllocator;
use loopscope_interp::verdict::RunOptions;
use loopscope_runtime::run_program;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The memory count is the whole process's: one run at a time, or one
/// program's memory would count against another's limit.
static ONE_RUN_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/hostile")
}

/// The verdict a program must end with, as `STATUS` or `STATUS: ERROR`.
fn expectation(source: &str) -> Option<String> {
    source
        .lines()
        .find_map(|line| line.strip_prefix("# expect: "))
        .map(str::to_string)
}

/// How a run ended, in the corpus' notation.
fn outcome(source: &str) -> String {
    let verdict = run_program(source, &RunOptions::default()).verdict;
    match verdict.error {
        Some(error) => format!("{}: {error}", verdict.status),
        None => verdict.status.to_string(),
    }
}

/// Does a verdict meet an expectation (where `line *` matches any line)?
fn matches(got: &str, want: &str) -> bool {
    match want
        .split_once("line *")
        .map(|(before, after)| (format!("{before}line "), after))
    {
        Some((before, after)) => got
            .strip_prefix(before.as_str())
            .map(|rest| rest.trim_start_matches(|c: char| c.is_ascii_digit()))
            .is_some_and(|rest| rest == after),
        None => got == want,
    }
}

/// Runs on a big stack, as the CLI does (Python calls recurse natively),
/// alone.
fn on_big_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let _alone = ONE_RUN_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(work)
        .expect("spawn a thread")
        .join()
        .expect("the run finished without a panic")
}

#[test]
fn every_hostile_program_ends_with_its_verdict() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/hostile exists")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "py"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 30, "the hostile corpus is missing");
    let failures = on_big_stack(move || {
        let mut failures = Vec::new();
        for path in paths {
            let source = std::fs::read_to_string(&path).expect("corpus files are UTF-8");
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let Some(want) = expectation(&source) else {
                failures.push(format!("{name:?}: no `# expect:` line"));
                continue;
            };
            let got = outcome(&source);
            if !matches(&got, &want) {
                failures.push(format!("{name:?}: got `{got}`, expected `{want}`"));
            }
        }
        failures
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Programs generated at test time: (what, source, expected verdict).
fn generated() -> Vec<(&'static str, String, &'static str)> {
    let many_lines: String = (0..200_000).map(|i| format!("x{i} = {i}\n")).collect();
    vec![
        (
            "200,000 lines",
            format!("{many_lines}print(x199999)\n"),
            "completed",
        ),
        (
            "5,000 nested parentheses",
            format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000)),
            "error: SyntaxError: too many nested parentheses",
        ),
        (
            "5,000 nested brackets",
            format!("x = {}{}\n", "[".repeat(5000), "]".repeat(5000)),
            "error: SyntaxError: too many nested parentheses",
        ),
        (
            "400 nested blocks",
            (0..400)
                .map(|depth| format!("{}if True:\n", " ".repeat(depth)))
                .chain(std::iter::once(format!("{}pass\n", " ".repeat(400))))
                .collect(),
            "error: IndentationError: too many levels of indentation",
        ),
        (
            "100,000 unary minuses",
            format!("x = {}1\n", "-".repeat(100_000)),
            "error: RecursionError: maximum recursion depth exceeded during compilation",
        ),
        (
            "100,000 additions",
            format!("x = {}\n", vec!["1"; 100_000].join("+")),
            "error: RecursionError: maximum recursion depth exceeded during compilation",
        ),
        (
            "a null byte",
            "x = 1\n\0\n".to_string(),
            "error: SyntaxError: source code string cannot contain null bytes",
        ),
        (
            "a 5 MB string literal",
            format!("x = \"{}\"\nprint(len(x))\n", "a".repeat(5_000_000)),
            "completed",
        ),
    ]
}

#[test]
fn generated_hostile_programs_end_with_their_verdict() {
    let failures = on_big_stack(|| {
        let mut failures = Vec::new();
        for (what, source, want) in generated() {
            let got = outcome(&source);
            if got != want {
                failures.push(format!("{what}: got `{got}`, expected `{want}`"));
            }
        }
        failures
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs a program many times in one thread, as the web worker does: what
/// a finished run leaves behind (its modules' reference cycles) must not
/// pile up.
#[test]
fn finished_runs_leave_no_memory_behind() {
    let grown = on_big_stack(|| {
        let source = "import asyncio\n\nasync def main():\n    await asyncio.gather(asyncio.sleep(1), asyncio.sleep(2))\n\nasyncio.run(main())\n";
        let run = || drop(run_program(source, &RunOptions::default()));
        // The first run fills the per-thread caches (compiled modules,
        // interned names).
        run();
        let before = loopscope_interp::memory::bytes_in_use();
        for _ in 0..20 {
            run();
        }
        loopscope_interp::memory::bytes_in_use().saturating_sub(before)
    });
    // One run used to leave ~350 KB of asyncio's modules behind.
    assert!(grown < 100_000, "20 runs left {grown} bytes behind");
}
