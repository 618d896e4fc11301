//! `cargo xtask fuzz [TARGET...] [--runs N]`: runs the cargo fuzz targets
//! of `fuzz/` (libFuzzer), each seeded from the project's own programs.
//!
//! - `run_program`: any bytes as a program, parse → compile → run; seeded
//!   with every `.py` of tests/fixtures, tests/lecture and tests/hostile.
//! - `trace_codec`: any bytes as a trace for the page to decode; seeded
//!   with the binary traces of the lecture programs (made by the CLI).
//! - `share_link`: any bytes as a page address (share link, `#code=`,
//!   query) and as a program to share; seeded with the lecture programs.
//!
//! Seeds and the corpus libFuzzer grows live in `target/fuzz-corpus/`;
//! crashes land in `fuzz/artifacts/TARGET/` (see fuzz/README.md for
//! turning one into a regression fixture). Our rustc is stable, so the
//! targets build without a sanitizer (`--sanitizer none`): libFuzzer still
//! catches panics, aborts and stack overflows, and the run fails on any.

use std::fs;
use std::path::{Path, PathBuf};

use crate::process::{self, command};
use crate::{tools, workspace};

/// The targets, in the order `cargo xtask fuzz` runs them.
const TARGETS: &[&str] = &["run_program", "trace_codec", "share_link"];

/// Executions per target unless `--runs` says otherwise.
const DEFAULT_RUNS: u64 = 1_000_000;

pub fn run(args: &[String]) -> crate::Result {
    let mut runs = DEFAULT_RUNS;
    let mut chosen = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--runs" => {
                runs = rest
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--runs needs a number of executions")?;
            }
            name if TARGETS.contains(&name) => chosen.push(name),
            other => {
                return Err(format!(
                    "unknown fuzz target or option `{other}` (targets: {})",
                    TARGETS.join(", ")
                )
                .into())
            }
        }
    }
    if chosen.is_empty() {
        chosen = TARGETS.to_vec();
    }
    tools::ensure(tools::Toolset::Fuzz)?;
    for target in chosen {
        let corpus = seed_corpus(target)?;
        println!("==> cargo fuzz run {target}: {runs} executions");
        process::run(
            process::cargo()
                .current_dir(workspace::root())
                .args(["fuzz", "run", "--sanitizer", "none", "--release", target])
                .arg(&corpus)
                .args([
                    "--",
                    &format!("-runs={runs}"),
                    "-timeout=60",
                    // No RSS ceiling: without a cycle collector, programs
                    // that build reference cycles leave them behind, a few
                    // KB per input, so a long session's RSS grows; each
                    // run's own memory is bounded by the VM's limit.
                    "-rss_limit_mb=0",
                    "-max_len=8192",
                    "-print_final_stats=1",
                ]),
        )?;
    }
    Ok(())
}

/// The corpus directory of `target`, with the project's seeds added.
fn seed_corpus(target: &str) -> crate::Result<PathBuf> {
    let corpus = workspace::target_dir().join("fuzz-corpus").join(target);
    fs::create_dir_all(&corpus)?;
    let root = workspace::root();
    let mut programs = Vec::new();
    for dir in ["tests/fixtures", "tests/lecture", "tests/hostile"] {
        collect_programs(&root.join(dir), &mut programs)?;
    }
    programs.sort();
    match target {
        "share_link" => {
            let lecture = programs
                .iter()
                .filter(|p| p.starts_with(root.join("tests/lecture")));
            for (n, program) in lecture.enumerate() {
                fs::copy(program, corpus.join(format!("seed-{n:04}.py")))?;
            }
        }
        "run_program" => {
            for (n, program) in programs.iter().enumerate() {
                fs::copy(program, corpus.join(format!("seed-{n:04}.py")))?;
            }
        }
        _ => {
            // Traces of the lecture's programs, as the worker sends them.
            println!("==> Building the CLI (release) to make seed traces");
            process::run(process::cargo().args(["build", "--release", "-p", "loopscope-cli"]))?;
            let cli = workspace::target_dir().join("release/loopscope");
            let lecture: Vec<&PathBuf> = programs
                .iter()
                .filter(|p| p.starts_with(root.join("tests/lecture")))
                .collect();
            for (n, program) in lecture.iter().enumerate() {
                let out = corpus.join(format!("seed-{n:04}.bin"));
                process::run(
                    command(&cli)
                        .arg("run")
                        .arg(program)
                        .arg("--trace-bin")
                        .arg(&out)
                        .stdout(std::process::Stdio::null())
                        .stderr(std::process::Stdio::null()),
                )?;
            }
        }
    }
    Ok(corpus)
}

fn collect_programs(dir: &Path, out: &mut Vec<PathBuf>) -> crate::Result {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_programs(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
    Ok(())
}
