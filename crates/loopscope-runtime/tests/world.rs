//! The simulated world beyond stdout: stderr warnings, the trace's
//! determinism and content, and the limits of simulated threads.

use std::path::{Path, PathBuf};

use loopscope_interp::verdict::RunOptions;
use loopscope_runtime::{run_program, RunResult};
use loopscope_trace::{to_json, Actor, EventKind, GeneratorEnd};

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

/// stdout and stderr as they interleaved (`python3 -u main.py 2>&1`),
/// from the trace's output events.
fn interleaved(result: &RunResult) -> String {
    result
        .trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Output { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_task_exception_never_retrieved_is_logged_when_the_task_goes() {
    // Expected text: CPython 3.11 `python3 -u main.py 2>&1`.
    let result = run(
        "import asyncio\n\nasync def fail():\n    raise ValueError(\"boom\")\n\n\
         async def main():\n    t = asyncio.create_task(fail())\n    await asyncio.sleep(0.1)\n    \
         print(\"main done\")\n\nasyncio.run(main())\nprint(\"after run\")\n",
    );
    assert_eq!(
        interleaved(&result),
        "main done\n\
         Task exception was never retrieved\n\
         future: <Task finished name='Task-2' coro=<fail() done, defined at main.py:3> exception=ValueError('boom')>\n\
         Traceback (most recent call last):\n  \
         File \"main.py\", line 4, in fail\n    \
         raise ValueError(\"boom\")\n\
         ValueError: boom\n\
         after run\n"
    );
}

#[test]
fn a_future_exception_never_raised_is_logged_without_a_traceback() {
    // Expected text: CPython 3.11 `python3 -u main.py 2>&1`.
    let result = run(
        "import asyncio\n\nclass Boom(Exception):\n    pass\n\nasync def main():\n    \
         loop = asyncio.get_running_loop()\n    fut = loop.create_future()\n    \
         fut.set_exception(Boom(\"lost\"))\n    print(\"set\")\n    fut = None\n    \
         print(\"dropped\")\n\nasyncio.run(main())\n",
    );
    assert_eq!(
        interleaved(&result),
        "set\n\
         Future exception was never retrieved\n\
         future: <Future finished exception=Boom('lost')>\n\
         Boom: lost\n\
         dropped\n"
    );
}

#[test]
fn an_exception_in_del_is_printed_as_ignored() {
    let result = run(
        "class A:\n    def __del__(self):\n        raise KeyError(\"x\")\n\n\
         a = A()\na = None\nprint(\"after\")\n",
    );
    let text = interleaved(&result);
    // CPython: `Exception ignored in: <function A.__del__ at 0x7f9c9a105bc0>`.
    assert!(
        text.starts_with("Exception ignored in: <function A.__del__ at 0x"),
        "{text}"
    );
    assert!(
        text.ends_with(
            ">\nTraceback (most recent call last):\n  \
             File \"main.py\", line 3, in __del__\n    \
             raise KeyError(\"x\")\n\
             KeyError: 'x'\n\
             after\n"
        ),
        "{text}"
    );
}

/// The generator events of a run, as short text lines.
fn generator_events(result: &RunResult) -> Vec<String> {
    let by = |actor: &Actor| match actor {
        Actor::Main => "main".to_string(),
        Actor::Task(id) => format!("task {id}"),
        Actor::Job(id) => format!("job {id}"),
        Actor::Generator(id) => format!("generator {id}"),
    };
    result
        .trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::GeneratorCreated {
                generator,
                kind,
                name,
                line,
            } => Some(format!("created {generator} {kind} {name} line {line}")),
            EventKind::GeneratorResumed {
                generator,
                how,
                value,
                by: who,
            } => Some(format!(
                "resumed {generator} {how} {} by {}",
                value.as_deref().unwrap_or("-"),
                by(who)
            )),
            EventKind::GeneratorYielded {
                generator,
                value,
                delegated,
                line,
            } => Some(format!(
                "yielded {generator} {value}{} line {line}",
                if *delegated { " delegated" } else { "" }
            )),
            EventKind::GeneratorFinished {
                generator,
                end,
                line,
            } => Some(match end {
                GeneratorEnd::Returned(v) => {
                    format!("finished {generator} returned {v} line {line}")
                }
                GeneratorEnd::Raised(v) => format!("finished {generator} raised {v} line {line}"),
                GeneratorEnd::Closed => format!("finished {generator} closed line {line}"),
            }),
            _ => None,
        })
        .collect()
}

#[test]
fn the_trace_follows_a_generator_driven_by_next_send_and_close() {
    let source = std::fs::read_to_string(repo_root().join("tests/lecture/01_gen_calc_history.py"))
        .expect("lecture program");
    let result = run(&source);
    let events = generator_events(&result);
    let id = match &result.trace.events.iter().find_map(|e| match &e.kind {
        EventKind::GeneratorCreated { generator, .. } => Some(*generator),
        _ => None,
    }) {
        Some(id) => *id,
        None => panic!("no generator_created in {events:?}"),
    };
    let expected: Vec<String> = [
        "created {id} generator calc line 12",
        "resumed {id} next - by main",
        "yielded {id} None line 4",
        "resumed {id} send 1 by main",
        "yielded {id} None line 4",
        "resumed {id} send 100 by main",
        "yielded {id} None line 4",
        "resumed {id} send 666 by main",
        "yielded {id} None line 4",
        "resumed {id} send 'h' by main",
        "yielded {id} None line 4",
        "resumed {id} close - by main",
        "finished {id} closed line 4",
    ]
    .iter()
    .map(|line| line.replace("{id}", &id.to_string()))
    .collect();
    assert_eq!(events, expected);
}

#[test]
fn the_trace_names_who_resumes_a_generator() {
    let result = run("def inner():\n    x = yield 1\n    return x * 2\n\n\
         def outer():\n    r = yield from inner()\n    yield r\n\n\
         o = outer()\nprint(next(o), o.send(5))\n\n\
         async def sub():\n    return 7\n\n\
         async def top():\n    return await sub() + 1\n\n\
         try:\n    top().send(None)\nexcept StopIteration as e:\n    print(e.value)\n");
    assert_eq!(result.verdict.stdout, "1 10\n8\n");
    let events = generator_events(&result);
    // Ids are sequential: strip them to the order of appearance.
    let mut ids: Vec<String> = Vec::new();
    let renamed: Vec<String> = events
        .iter()
        .map(|line| {
            line.split(' ')
                .map(|word| {
                    if word.chars().all(|c| c.is_ascii_digit()) && word.len() >= 3 {
                        let n = match ids.iter().position(|i| i == word) {
                            Some(n) => n,
                            None => {
                                ids.push(word.to_string());
                                ids.len() - 1
                            }
                        };
                        format!("#{n}")
                    } else {
                        word.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        renamed,
        vec![
            "created #0 generator outer line 9",
            "resumed #0 next - by main",
            "created #1 generator inner line 6",
            "resumed #1 next - by generator #0",
            "yielded #1 1 line 2",
            "yielded #0 1 delegated line 6",
            "resumed #0 send 5 by main",
            "resumed #1 send 5 by generator #0",
            "finished #1 returned 10 line 3",
            "yielded #0 10 line 7",
            // A coroutine driven by hand appears at its first resume.
            "created #2 coroutine top line 19",
            "resumed #2 send None by main",
            "created #3 coroutine sub line 16",
            "resumed #3 next - by generator #2",
            "finished #3 returned 7 line 13",
            "finished #2 returned 8 line 16",
        ]
    );
}

#[test]
fn coroutines_stepped_by_tasks_are_task_events_not_generator_events() {
    let result = run(
        "import asyncio\n\nasync def sub():\n    await asyncio.sleep(0.1)\n    return 1\n\n\
         async def main():\n    print(await sub())\n\nasyncio.run(main())\n",
    );
    assert_eq!(result.verdict.stdout, "1\n");
    assert_eq!(generator_events(&result), Vec::<String>::new());
}

#[test]
fn a_never_awaited_coroutine_is_a_warning_event() {
    let result = run("async def work():\n    pass\n\nwork()\nprint('after')\n");
    let warnings: Vec<(&str, &str, u32)> = result
        .trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Warning {
                category,
                message,
                line,
            } => Some((category.as_str(), message.as_str(), *line)),
            _ => None,
        })
        .collect();
    assert_eq!(
        warnings,
        vec![("RuntimeWarning", "coroutine 'work' was never awaited", 4)]
    );
}

#[test]
fn the_trace_names_network_requests_and_their_waits() {
    let result = run("import asyncio, aiohttp, requests\n\n\
         async def main():\n    async with aiohttp.ClientSession() as s:\n        \
         async with s.post('https://httpbin.org/delay/1') as r:\n            print(r.status)\n    \
         print(await asyncio.to_thread(lambda: requests.get('https://h.org/status/404').status_code))\n\n\
         asyncio.run(main())\n");
    assert_eq!(result.verdict.stdout, "200\n404\n");
    let events = &result.trace.events;
    let requests: Vec<(&str, &str, i64, f64, &str)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::NetworkRequest {
                method,
                url,
                status,
                duration,
                actor,
            } => Some((
                method.as_str(),
                url.as_str(),
                *status,
                *duration,
                match actor {
                    Actor::Task(_) => "task",
                    Actor::Job(_) => "job",
                    _ => "other",
                },
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        requests,
        vec![
            ("POST", "https://httpbin.org/delay/1", 200, 1.0, "task"),
            ("GET", "https://h.org/status/404", 404, 0.2, "job"),
        ]
    );
    let roles: Vec<(&str, Option<&str>)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::FutureRole { role, .. } if role.kind == "network" => {
                Some((role.kind.as_str(), role.detail.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        roles,
        vec![("network", Some("POST https://httpbin.org/delay/1"))]
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
