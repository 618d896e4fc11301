//! `cargo xtask lint`: formatting and clippy, natively for the workspace and
//! for the wasm target on the web app and its worker (their browser-only
//! code and tests).

use crate::process;
use crate::tools::{self, WASM_TARGET};

pub fn run() -> crate::Result {
    tools::ensure(tools::Toolset::Lint)?;
    let checks: [(&str, &[&str]); 3] = [
        ("formatting", &["fmt", "--all", "--check"]),
        (
            "clippy (native, workspace)",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
        (
            "clippy (wasm, loopscope-web and loopscope-worker)",
            &[
                "clippy",
                "--package",
                "loopscope-web",
                "--package",
                "loopscope-worker",
                "--target",
                WASM_TARGET,
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
    ];
    let mut failed = Vec::new();
    for (name, args) in checks {
        println!("==> Lint: {name}");
        if let Err(error) = process::run(process::cargo().args(args)) {
            println!("{name} failed: {error}\n");
            failed.push(name);
        } else {
            println!("{name}: ok\n");
        }
    }
    if failed.is_empty() {
        println!("Lint: all checks passed");
        Ok(())
    } else {
        Err(format!("lint failed: {}", failed.join(", ")).into())
    }
}
