//! How long each program of `tests/hostile/` takes to reach its verdict
//! under the release CLI: the "ends in under a few seconds" promise of the
//! hostile corpus, measured (the test suite checks the verdicts, never
//! the times).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{process, workspace};

pub fn report() -> crate::Result {
    println!("==> Building loopscope (release)");
    process::run(process::cargo().args(["build", "--release", "-p", "loopscope-cli"]))?;
    let loopscope = workspace::target_dir().join("release/loopscope");
    let mut programs: Vec<PathBuf> = std::fs::read_dir(workspace::root().join("tests/hostile"))?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "py"))
        .collect();
    programs.sort();
    println!("\n{:<30} {:>9}  verdict", "program", "time");
    let mut slowest = (0.0f64, String::new());
    for program in &programs {
        let name = program
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let start = Instant::now();
        let output = Command::new(&loopscope)
            .arg("run")
            .arg("--json")
            .arg(program)
            .stderr(Stdio::null())
            .output()?;
        let seconds = start.elapsed().as_secs_f64();
        let verdict = String::from_utf8_lossy(&output.stdout);
        let status = verdict
            .split("\"status\": \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("no verdict");
        println!("{name:<30} {seconds:>7.2} s  {status}");
        if seconds > slowest.0 {
            slowest = (seconds, name);
        }
    }
    println!(
        "\n{} programs; slowest: {} in {:.2} s",
        programs.len(),
        slowest.1,
        slowest.0
    );
    Ok(())
}
