//! The replay model on real traces: every lecture program, run natively by
//! the runtime, replays to the end with its console equal to its stdout,
//! every task finished, and any moment equal whether reached by a jump or
//! step by step.

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use loopscope_interp::verdict::RunOptions;
use loopscope_trace::{Actor, Stream};
use loopscope_web::i18n::Lang;
use loopscope_web::replay::{Replay, TaskState};

fn run(source: String) -> loopscope_runtime::RunResult {
    // Python calls recurse on the native stack: run on a big one.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || loopscope_runtime::run_program(&source, &RunOptions::default()))
        .expect("spawn")
        .join()
        .expect("the run finished")
}

#[test]
fn every_lecture_trace_replays_to_its_output() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lecture");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("the lecture corpus")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "py"))
        .collect();
    names.sort();
    assert!(names.len() >= 29);
    for path in names {
        let result = run(std::fs::read_to_string(&path).expect("UTF-8"));
        let replay = Replay::new(result.trace);
        let name = path.display();

        let mut console = String::new();
        for line in replay
            .catalog
            .output
            .iter()
            .filter(|l| l.stream == Stream::Stdout)
        {
            console.push_str(&line.text);
            console.push('\n');
        }
        assert_eq!(
            console.trim_end(),
            result.verdict.stdout.trim_end(),
            "{name}"
        );

        let end = replay.state_at(replay.len());
        if result.verdict.status == "completed" {
            for (position, task) in replay.catalog.visible_tasks() {
                assert!(
                    matches!(end.task_state(position), Some(TaskState::Done(_))),
                    "{name}: {} is {:?} at the end",
                    task.name,
                    end.task_state(position)
                );
            }
        }

        let mut walking = replay.state_at(0);
        for index in 0..=replay.len() {
            replay.advance(&mut walking, index);
            if index % 37 == 0 {
                assert!(walking == replay.state_at(index), "{name}: moment {index}");
            }
        }
    }
}

#[test]
fn a_thread_job_is_named_in_the_interface_language() {
    let source = "import asyncio\n\ndef work():\n    print('in a thread')\n\nasync def main():\n    await asyncio.to_thread(work)\n\nasyncio.run(main())\n";
    let result = run(source.to_string());
    let replay = Replay::new(result.trace);
    let line = replay
        .catalog
        .output
        .iter()
        .find(|line| line.text.contains("in a thread"))
        .expect("the thread's output");
    assert_eq!(
        replay.catalog.actor_name(line.actor, Lang::En),
        "thread work"
    );
    assert_eq!(
        replay.catalog.actor_name(line.actor, Lang::Ru),
        "поток work"
    );
}

#[test]
fn output_inside_a_plain_generator_is_tagged_with_the_generator() {
    let source = "def counter(n):\n    for i in range(n):\n        print('counting', i)\n        yield i\n\n\nprint('before')\nfor value in counter(2):\n    print('got', value)\n";
    let result = run(source.to_string());
    assert_eq!(
        result.verdict.stdout,
        "before\ncounting 0\ngot 0\ncounting 1\ngot 1\n"
    );
    let replay = Replay::new(result.trace);
    let catalog = &replay.catalog;
    let generator = catalog.generators.first().expect("the generator").id;
    let tags: Vec<(&str, Actor)> = catalog
        .output
        .iter()
        .map(|line| (line.text.as_str(), line.actor))
        .collect();
    assert_eq!(
        tags,
        [
            ("before", Actor::Main),
            ("counting 0", Actor::Generator(generator)),
            ("got 0", Actor::Main),
            ("counting 1", Actor::Generator(generator)),
            ("got 1", Actor::Main),
        ]
    );
    assert_eq!(
        catalog.actor_name(Actor::Generator(generator), Lang::En),
        catalog.actor_name(tags[1].1, Lang::En)
    );
}
