//! `cargo xtask bench`: measurements of the site and of the runtime. Each
//! benchmark is an entry in [`BENCHMARKS`]; `cargo xtask bench` runs them
//! all, `cargo xtask bench NAME...` only those named.

pub mod first_visit;
pub mod hostile;
pub mod versus_cpython;

use crate::{site, tools};

/// One measurement.
pub struct Benchmark {
    pub name: &'static str,
    pub about: &'static str,
    /// Does it measure the site built in `dist/`?
    pub needs_site: bool,
    /// Measures and prints a report.
    pub run: fn() -> crate::Result,
}

pub const BENCHMARKS: &[Benchmark] = &[
    Benchmark {
        name: "first-visit",
        about: "gzip size of what a first visit downloads (HTML, JS, wasm, CSS)",
        needs_site: true,
        run: first_visit::report,
    },
    Benchmark {
        name: "playback",
        about: "page load until a program can be run, and frame times playing a 1,000-task trace (headless Chromium)",
        needs_site: true,
        run: playback,
    },
    Benchmark {
        name: "hostile",
        about: "time each hostile program (tests/hostile) takes to reach its verdict",
        needs_site: false,
        run: hostile::report,
    },
    Benchmark {
        name: "interpreter",
        about: "loopscope against CPython under the oracle on CPU-bound programs",
        needs_site: false,
        run: versus_cpython::interpreter,
    },
    Benchmark {
        name: "scheduler",
        about: "loopscope (trace recorded) against CPython under the oracle on scheduler-heavy programs",
        needs_site: false,
        run: versus_cpython::scheduler,
    },
];

/// `tests/e2e/bench_playback.mjs` on the built site.
fn playback() -> crate::Result {
    crate::process::run(crate::process::command("node").arg("tests/e2e/bench_playback.mjs"))
}

/// Runs the benchmarks named in `args` (all when there are none).
pub fn run(args: &[String]) -> crate::Result {
    let chosen = choose(args)?;
    if chosen.iter().any(|b| b.needs_site) {
        tools::ensure(tools::Toolset::Site)?;
        println!("==> Building the site (release)");
        site::build_release()?;
    }
    for benchmark in chosen {
        println!("\n==> Benchmark {}: {}", benchmark.name, benchmark.about);
        (benchmark.run)()?;
    }
    Ok(())
}

fn choose(args: &[String]) -> crate::Result<Vec<&'static Benchmark>> {
    if args.is_empty() {
        return Ok(BENCHMARKS.iter().collect());
    }
    args.iter()
        .map(|name| {
            BENCHMARKS
                .iter()
                .find(|benchmark| benchmark.name == name)
                .ok_or_else(|| {
                    let known: Vec<_> = BENCHMARKS.iter().map(|b| b.name).collect();
                    format!(
                        "unknown benchmark `{name}`; there are: {}",
                        known.join(", ")
                    )
                    .into()
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_program_compared_with_cpython_exists() {
        let dir = crate::workspace::root().join("xtask/bench-programs");
        for name in versus_cpython::INTERPRETER
            .iter()
            .chain(versus_cpython::SCHEDULER)
        {
            assert!(dir.join(name).is_file(), "missing {name}");
        }
    }

    #[test]
    fn no_names_choose_every_benchmark_and_unknown_names_are_refused() {
        assert_eq!(choose(&[]).unwrap().len(), BENCHMARKS.len());
        let named = choose(&["first-visit".to_string()]).unwrap();
        assert_eq!(named[0].name, "first-visit");
        let error = choose(&["speed".to_string()]).err().unwrap().to_string();
        assert!(error.contains("unknown benchmark `speed`"), "{error}");
    }
}
