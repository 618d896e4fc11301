//! Building the site: `trunk build --release --offline` into `dist/`, with
//! the pinned tools on trunk's PATH, and a check (from trunk's own log) that
//! it used them rather than fetching its own.

use crate::process::{self, command};
use crate::workspace;

/// The tools trunk runs; each must be the installed binary.
const TRUNK_TOOLS: [&str; 2] = ["wasm-bindgen", "wasm-opt"];

/// Builds the release site into `dist/`. Expects [`crate::tools::ensure`]
/// to have run.
pub fn build_release() -> crate::Result {
    // Trunk builds offline (Trunk.toml): fetch the crates first.
    process::run(process::cargo().arg("fetch"))?;
    let mut tools_used = Vec::new();
    process::run_reading_lines(
        command("trunk")
            // Trunk reports at debug level which tool binary it picked.
            .args(["--log", "info,trunk::tools=debug"])
            .args(["--color", "never", "build", "--release", "--offline"])
            // Trunk takes only true/false here and fails on NO_COLOR=1.
            .env_remove("NO_COLOR"),
        |line| {
            if let Some(tool) = installed_tool_in(line) {
                tools_used.push(tool);
            }
        },
    )?;
    for tool in TRUNK_TOOLS {
        if !tools_used.contains(&tool) {
            return Err(format!(
                "trunk did not report using the installed {tool}; see its log above"
            )
            .into());
        }
    }
    println!(
        "Built {} with the installed {}",
        workspace::dist_dir().display(),
        TRUNK_TOOLS.join(" and ")
    );
    Ok(())
}

/// Which of [`TRUNK_TOOLS`] a trunk log line says it runs from the system
/// (e.g. `... using system installed binary: /root/.cargo/bin/wasm-bindgen
/// detected_version=0.2.130 ...`).
fn installed_tool_in(line: &str) -> Option<&'static str> {
    let (_, rest) = line.split_once("using system installed binary: ")?;
    let path = rest.split_whitespace().next()?;
    let file_name = path.rsplit('/').next()?;
    TRUNK_TOOLS.into_iter().find(|tool| *tool == file_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_trunks_report_of_an_installed_tool() {
        let line = "2026-11-24T12:40:58Z DEBUG get_info: using system installed binary: \
                    /root/.cargo/bin/wasm-bindgen detected_version=0.2.130 app=WasmBindgen";
        assert_eq!(installed_tool_in(line), Some("wasm-bindgen"));
        let line = "DEBUG get:get_info: using system installed binary: \
                    /work/main/node_modules/.bin/wasm-opt detected_version=version_132";
        assert_eq!(installed_tool_in(line), Some("wasm-opt"));
    }

    #[test]
    fn ignores_other_lines_and_other_tools() {
        assert_eq!(installed_tool_in("INFO downloading wasm-opt"), None);
        assert_eq!(
            installed_tool_in("using system installed binary: /usr/bin/sass detected_version=1"),
            None
        );
    }
}
