//! The simulated world beyond stdout: stderr warnings, the trace's
//! determinism and content, and the limits of simulated threads.

use std::path::{Path, PathBuf};

use loopscope_interp::verdict::RunOptions;
use loopscope_runtime::{run_program, RunResult};
use loopscope_trace::{to_json, EventKind};

fn run(source: &str) -> RunResult {
    let source = source.to_string();
    // Python calls recurse on the native stack: run on a big one.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || run_program(&source, &RunOptions::default()))
        .expect("spawn")
        .join()
        .expect("the run finished")
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_coroutine_never_awaited_warns_on_stderr() {
    let result = run("async def work():\n    pass\n\nwork()\nprint('after')\n");
    assert_eq!(result.verdict.stdout, "after\n");
    assert_eq!(
        result.verdict.stderr,
        "main.py:4: RuntimeWarning: coroutine 'work' was never awaited\n  work()\n\
         RuntimeWarning: Enable tracemalloc to get the object allocation traceback\n"
    );
}

#[test]
fn the_same_program_gives_the_same_trace_bytes() {
    let dir = repo_root().join("tests/fixtures/asyncio");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "py") {
            let source = std::fs::read_to_string(&path).expect("UTF-8 fixture");
            let first = to_json(&run(&source).trace);
            let second = to_json(&run(&source).trace);
            assert!(first == second, "{} gave two traces", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} fixtures found");
}

#[test]
fn the_trace_follows_tasks_timers_and_output() {
    let result = run(
        "import asyncio\n\nasync def say(d, w):\n    await asyncio.sleep(d)\n    print(w)\n\n\
         async def main():\n    t = asyncio.create_task(say(1, 'a'))\n    await say(2, 'b')\n    await t\n\n\
         asyncio.run(main())\n",
    );
    assert_eq!(result.verdict.stdout, "a\nb\n");
    let events = &result.trace.events;
    let created: Vec<(&str, u32)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::TaskCreated {
                coroutine, line, ..
            } => Some((coroutine.as_str(), *line)),
            _ => None,
        })
        .collect();
    // asyncio.run's own shutdown steps are tasks too, as in CPython.
    assert_eq!(
        created,
        vec![
            ("main()", 12),
            ("say()", 8),
            ("_UnixSelectorEventLoop.shutdown_asyncgens()", 12),
            ("_UnixSelectorEventLoop.shutdown_default_executor()", 12)
        ]
    );
    let timers: Vec<f64> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::TimerSet { when, .. } => Some(*when),
            _ => None,
        })
        .collect();
    assert_eq!(timers, vec![2.0, 1.0]);
    let suspended_lines: Vec<u32> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::TaskSuspended { line, .. } => Some(*line),
            _ => None,
        })
        .collect();
    assert!(suspended_lines.contains(&4), "{suspended_lines:?}");
    let outputs: Vec<(f64, &str)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Output { text, .. } => Some((e.time, text.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(outputs, vec![(1.0, "a\n"), (2.0, "b\n")]);
    let verdict = result.trace.verdict.expect("verdict recorded");
    assert_eq!((verdict.status.as_str(), verdict.time), ("completed", 2.0));
}

#[test]
fn a_thread_sleeping_inside_a_generator_is_refused_clearly() {
    let result = run(
        "import asyncio, time\n\ndef gen():\n    time.sleep(1)\n    yield 1\n\n\
         def job():\n    return list(gen())\n\n\
         async def main():\n    print(await asyncio.to_thread(job))\n\nasyncio.run(main())\n",
    );
    assert_eq!(result.verdict.status, "unsupported");
    let error = result.verdict.error.unwrap_or_default();
    assert!(error.contains("time.sleep() in a thread"), "{error}");
}

#[test]
fn a_thread_sleeping_in_nested_calls_resumes_where_it_slept() {
    let result = run(
        "import asyncio, time\n\ndef inner(n):\n    time.sleep(n)\n    return n * 2\n\n\
         def job(n):\n    try:\n        return inner(n) + inner(1)\n    finally:\n        print('job done at', time.monotonic())\n\n\
         async def main():\n    print(await asyncio.gather(asyncio.to_thread(job, 2), asyncio.to_thread(job, 1)))\n\n\
         asyncio.run(main())\n",
    );
    assert_eq!(
        result.verdict.stdout,
        "job done at 2.0\njob done at 3.0\n[6, 4]\n"
    );
    assert_eq!(result.verdict.time, 3.0);
}

#[test]
fn progress_is_told_while_a_run_goes_on_and_never_changes_it() {
    let source = "import asyncio\n\nasync def spin(n):\n    total = 0\n    for i in range(n):\n        total += i\n        if i % 1000 == 0:\n            await asyncio.sleep(0)\n    return total\n\n\
                  async def main():\n    print(await asyncio.gather(spin(200000), spin(200000)))\n\nasyncio.run(main())\n";
    let plain = run(source);
    let owned = source.to_string();
    let (with_progress, progress) = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let told = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
            let sink = told.clone();
            let result = loopscope_runtime::run_program_with_progress(
                &owned,
                &RunOptions::default(),
                Some(Box::new(move |p| sink.borrow_mut().push(p))),
            );
            let progress: Vec<_> = told.borrow().clone();
            (result, progress)
        })
        .expect("spawn")
        .join()
        .expect("the run finished");
    assert_eq!(to_json(&plain.trace), to_json(&with_progress.trace));
    assert!(progress.len() >= 2, "told {} times", progress.len());
    for pair in progress.windows(2) {
        assert!(pair[1].steps >= pair[0].steps + loopscope_runtime::world::PROGRESS_EVERY_STEPS);
        assert!(pair[1].events > pair[0].events);
    }
}

#[test]
fn fixture_traces_survive_the_binary_codec() {
    let dir = repo_root().join("tests/fixtures/asyncio");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "py") {
            let source = std::fs::read_to_string(&path).expect("UTF-8 fixture");
            let trace = run(&source).trace;
            let bytes = loopscope_trace::codec::encode(&trace);
            let back = loopscope_trace::codec::decode(&bytes).expect("decodes");
            assert!(back == trace, "{} changed in the codec", path.display());
            assert!(bytes.len() * 4 < to_json(&trace).len() + 64);
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} fixtures found");
}
