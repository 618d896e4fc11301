//! `cargo xtask test`: every test, in stages.
//!
//! 1. native tests: `cargo test --workspace` (the interpreter, xtask, the
//!    web app's pure logic);
//! 2. wasm tests: the web app's wasm-bindgen tests in headless Chromium;
//! 3. site build: the release site into `dist/`;
//! 4. end-to-end tests: `node --test tests/e2e/` against `dist/`;
//! 5. size budget: a first visit's gzip total against the budget.
//!
//! A failed stage does not stop the independent ones after it, so one run
//! shows every failure; the command fails if any stage did.

use std::fs;

use crate::bench::first_visit::{self, Kilobytes};
use crate::process;
use crate::tools::{self, CHROMEDRIVER, WASM_TARGET};
use crate::{site, workspace};

/// Where the wasm-bindgen tests' Chromium keeps its profile (webdriver.json's
/// `--user-data-dir`); emptied before each run.
const WASM_TEST_PROFILE_DIR: &str = "target/wasm-bindgen-test-chromium-profile";

/// Test counts read from the runners' closing lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
}

impl Tally {
    /// Adds the counts from one output line of cargo's test harness,
    /// wasm-bindgen-test-runner or node's test runner (TAP or spec).
    pub fn read_line(&mut self, line: &str) {
        if let Some(summary) = line.strip_prefix("test result: ") {
            for part in summary.split([';', '.']) {
                let mut words = part.split_whitespace();
                if let (Some(count), Some(word)) = (words.next(), words.next()) {
                    let Ok(count) = count.parse::<u64>() else {
                        continue;
                    };
                    match word {
                        "passed" => self.passed += count,
                        "failed" => self.failed += count,
                        _ => {}
                    }
                }
            }
            return;
        }
        let node_summary = line.strip_prefix("# ").or_else(|| line.strip_prefix("ℹ "));
        if let Some(summary) = node_summary {
            let mut words = summary.split_whitespace();
            if let (Some(word), Some(count), None) = (words.next(), words.next(), words.next()) {
                if let Ok(count) = count.parse::<u64>() {
                    match word {
                        "pass" => self.passed += count,
                        "fail" => self.failed += count,
                        _ => {}
                    }
                }
            }
        }
    }

    fn add(&mut self, other: Tally) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

enum Outcome {
    Passed(String),
    Failed(String),
    Skipped(String),
}

struct Stage {
    name: &'static str,
    outcome: Outcome,
}

pub fn run() -> crate::Result {
    tools::ensure(tools::Toolset::Tests)?;
    let mut stages = Vec::new();
    let mut total = Tally::default();

    let mut counted = |name: &'static str, result: crate::Result<Tally>| {
        let outcome = match result {
            Ok(tally) => {
                total.add(tally);
                Outcome::Passed(format!("{} passed, {} failed", tally.passed, tally.failed))
            }
            Err(error) => Outcome::Failed(error.to_string()),
        };
        Stage { name, outcome }
    };

    announce(1, "native tests: cargo test --workspace");
    stages.push(counted("native tests", native_tests()));

    announce(
        2,
        "wasm tests in headless Chromium: cargo test --target wasm32-unknown-unknown",
    );
    stages.push(counted("wasm tests", wasm_tests()));

    announce(3, "site build: trunk build --release into dist/");
    let built = site::build_release();
    let site_built = built.is_ok();
    stages.push(Stage {
        name: "site build",
        outcome: match built {
            Ok(()) => Outcome::Passed("dist/".to_string()),
            Err(error) => Outcome::Failed(error.to_string()),
        },
    });

    announce(4, "end-to-end tests: node --test tests/e2e/");
    let e2e = if site_built {
        counted("end-to-end tests", end_to_end_tests())
    } else {
        skipped("end-to-end tests")
    };
    stages.push(e2e);

    announce(5, "size budget: gzip size of a first visit");
    stages.push(if site_built {
        Stage {
            name: "size budget",
            outcome: match size_budget() {
                Ok(detail) => Outcome::Passed(detail),
                Err(error) => Outcome::Failed(error.to_string()),
            },
        }
    } else {
        skipped("size budget")
    });

    println!("\n==> Summary");
    let mut failures = Vec::new();
    for stage in &stages {
        let (status, detail) = match &stage.outcome {
            Outcome::Passed(detail) => ("ok", detail),
            Outcome::Failed(error) => {
                failures.push(stage.name);
                ("FAILED", error)
            }
            Outcome::Skipped(reason) => {
                failures.push(stage.name);
                ("skipped", reason)
            }
        };
        println!("  {:<18} {:<8} {}", stage.name, status, detail);
    }
    println!("Tests: {} passed, {} failed", total.passed, total.failed);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("not passed: {}", failures.join(", ")).into())
    }
}

fn announce(number: u32, what: &str) {
    println!("\n==> [{number}/5] {what}");
}

fn skipped(name: &'static str) -> Stage {
    Stage {
        name,
        outcome: Outcome::Skipped("the site build failed".to_string()),
    }
}

fn run_counting(command: &mut std::process::Command) -> crate::Result<Tally> {
    let mut tally = Tally::default();
    process::run_reading_lines(command, |line| tally.read_line(line))?;
    if tally.passed + tally.failed == 0 {
        return Err("no test ran".into());
    }
    Ok(tally)
}

fn native_tests() -> crate::Result<Tally> {
    run_counting(process::cargo().args(["test", "--workspace"]))
}

fn wasm_tests() -> crate::Result<Tally> {
    let profile = workspace::root().join(WASM_TEST_PROFILE_DIR);
    if profile.exists() {
        fs::remove_dir_all(&profile)
            .map_err(|error| format!("cannot empty {}: {error}", profile.display()))?;
    }
    run_counting(
        process::cargo()
            .args([
                "test",
                "--target",
                WASM_TARGET,
                "--package",
                "loopscope-web",
            ])
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("CHROMEDRIVER", CHROMEDRIVER),
    )
}

fn end_to_end_tests() -> crate::Result<Tally> {
    run_counting(process::command("node").args(["--test", "tests/e2e/"]))
}

fn size_budget() -> crate::Result<String> {
    let visit = first_visit::measure(&workspace::dist_dir())?;
    first_visit::print(&visit);
    visit.check_budget(first_visit::BUDGET_BYTES)?;
    Ok(format!(
        "{} of {} gzipped",
        Kilobytes(visit.total_gzip_bytes()),
        Kilobytes(first_visit::BUDGET_BYTES)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally_of(output: &str) -> Tally {
        let mut tally = Tally::default();
        output.lines().for_each(|line| tally.read_line(line));
        tally
    }

    #[test]
    fn adds_up_cargo_test_results() {
        let output = "running 3 tests\ntest a ... ok\n\
            test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
            test result: FAILED. 5 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out\n\
            test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(
            tally_of(output),
            Tally {
                passed: 8,
                failed: 2
            }
        );
    }

    #[test]
    fn reads_node_test_runner_summaries_in_tap_and_spec() {
        let tap =
            "# Subtest: loads\nok 1 - loads\n1..3\n# tests 3\n# suites 0\n# pass 2\n# fail 1\n";
        assert_eq!(
            tally_of(tap),
            Tally {
                passed: 2,
                failed: 1
            }
        );
        let spec = "✔ loads (120ms)\nℹ tests 4\nℹ pass 4\nℹ fail 0\nℹ cancelled 0\n";
        assert_eq!(
            tally_of(spec),
            Tally {
                passed: 4,
                failed: 0
            }
        );
    }

    #[test]
    fn ignores_lines_that_only_look_like_summaries() {
        let output = "    # pass 7\n# pass the salt please\nprint('test result: 9 passed')\n";
        assert_eq!(tally_of(output), Tally::default());
    }
}
