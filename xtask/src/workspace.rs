//! Where things are in the repository, and the versions it pins: the
//! `wasm-bindgen` version in `Cargo.lock` and the tools `Trunk.toml` names.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

/// The repository's root: the directory above `xtask/`.
pub fn root() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}

/// Where cargo puts build output (`CARGO_TARGET_DIR`, else `target/`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root().join(dir),
        _ => root().join("target"),
    }
}

/// Where the built site goes (Trunk.toml's `dist`).
pub fn dist_dir() -> PathBuf {
    root().join("dist")
}

/// The cargo that runs us (cargo sets `CARGO`), else the one on the PATH.
pub fn cargo() -> OsString {
    env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Where `cargo install` puts binaries: `$CARGO_HOME/bin`, by default
/// `~/.cargo/bin`.
pub fn cargo_install_bin_dir() -> PathBuf {
    let cargo_home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    cargo_home.join("bin")
}

/// The PATH every tool we start gets: npm's `node_modules/.bin` (wasm-opt)
/// and cargo's install directory (trunk, wasm-bindgen) before the usual one,
/// so trunk finds the pinned tools and never reaches for a download.
pub fn tool_path() -> OsString {
    let mut dirs = vec![
        root().join("node_modules").join(".bin"),
        cargo_install_bin_dir(),
    ];
    if let Some(path) = env::var_os("PATH") {
        dirs.extend(env::split_paths(&path));
    }
    env::join_paths(dirs).unwrap_or_else(|_| env::var_os("PATH").unwrap_or_default())
}

/// The one version of `package` that `Cargo.lock` holds.
pub fn locked_version(lock: &str, package: &str) -> Result<String, String> {
    let mut versions = Vec::new();
    for entry in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            entry.lines().find_map(|line| {
                let (name, value) = line.split_once('=')?;
                (name.trim() == key).then(|| value.trim().trim_matches('"').to_string())
            })
        };
        if field("name").as_deref() == Some(package) {
            if let Some(version) = field("version") {
                versions.push(version);
            }
        }
    }
    match versions.as_slice() {
        [version] => Ok(version.clone()),
        [] => Err(format!("Cargo.lock has no `{package}` package")),
        _ => Err(format!(
            "Cargo.lock has several `{package}` versions ({}); it must have one",
            versions.join(", ")
        )),
    }
}

/// The value of `key` in the `[tools]` table of a Trunk.toml.
pub fn trunk_tool_pin(trunk_toml: &str, key: &str) -> Option<String> {
    let mut in_tools = false;
    for line in trunk_toml.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_tools = line == "[tools]";
        } else if in_tools {
            if let Some((name, value)) = line.split_once('=') {
                if name.trim() == key {
                    return Some(value.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    None
}

/// The `wasm-bindgen` version of Cargo.lock, after checking that Trunk.toml
/// pins the same one (trunk would otherwise want to download its own).
pub fn wasm_bindgen_version() -> crate::Result<String> {
    let lock = fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|error| format!("cannot read Cargo.lock: {error}"))?;
    let version = locked_version(&lock, "wasm-bindgen")?;
    let trunk_toml = fs::read_to_string(root().join("Trunk.toml"))
        .map_err(|error| format!("cannot read Trunk.toml: {error}"))?;
    match trunk_tool_pin(&trunk_toml, "wasm_bindgen") {
        Some(pinned) if pinned == version => Ok(version),
        Some(pinned) => Err(format!(
            "Trunk.toml pins wasm_bindgen = \"{pinned}\" but Cargo.lock has wasm-bindgen \
             {version}: make them the same"
        )
        .into()),
        None => Err("Trunk.toml has no `wasm_bindgen` in its [tools] table".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "wasm-bindgen-macro",
]

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.131"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "yew"
version = "0.23.0"
"#;

    #[test]
    fn finds_the_locked_version_of_a_package_by_its_exact_name() {
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen").as_deref(),
            Ok("0.2.130")
        );
        assert_eq!(
            locked_version(LOCK, "wasm-bindgen-macro").as_deref(),
            Ok("0.2.131")
        );
    }

    #[test]
    fn a_missing_or_duplicated_package_is_an_error() {
        assert!(locked_version(LOCK, "trunk").is_err());
        let twice = format!("{LOCK}\n[[package]]\nname = \"yew\"\nversion = \"0.22.0\"\n");
        let error = locked_version(&twice, "yew").unwrap_err();
        assert!(error.contains("0.23.0, 0.22.0"), "{error}");
    }

    #[test]
    fn reads_tool_pins_only_from_the_tools_table() {
        let trunk_toml = "[build]\nwasm_bindgen = \"nope\"\n\n[tools]\n# pinned\n\
                          wasm_bindgen = \"0.2.130\" # exact\nwasm_opt = \"version_132\"\n";
        assert_eq!(
            trunk_tool_pin(trunk_toml, "wasm_bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            trunk_tool_pin(trunk_toml, "wasm_opt").as_deref(),
            Some("version_132")
        );
        assert_eq!(trunk_tool_pin(trunk_toml, "sass"), None);
    }

    #[test]
    fn the_repository_pins_agree() {
        // The real files: Trunk.toml must pin Cargo.lock's wasm-bindgen.
        wasm_bindgen_version().expect("Trunk.toml and Cargo.lock agree");
    }
}
