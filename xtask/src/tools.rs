//! The idempotent "ensure tools" step: finds what each command needs and
//! installs only what is missing, saying what it does. On a fresh machine the
//! first run installs everything (trunk and wasm-bindgen-cli compile from
//! source: that is most of the ~20 minutes); later runs only check.

use std::fs;
use std::path::Path;

use crate::process::{self, command, output_of};
use crate::workspace;

/// The cargo-fuzz release `cargo xtask fuzz` installs.
pub const CARGO_FUZZ_VERSION: &str = "0.12.0";

/// The trunk release we build with (newer ones need a newer rustc).
pub const TRUNK_VERSION: &str = "0.21.14";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// What a command needs installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Toolset {
    /// rustfmt, clippy and the wasm target.
    Lint,
    /// The wasm target, trunk, wasm-bindgen and wasm-opt: enough to build
    /// the site.
    Site,
    /// The site's tools, plus wasm-bindgen-test-runner, Chromium and
    /// chromedriver, for every test.
    Tests,
    /// cargo-fuzz (libFuzzer's C++ is built by its crate with the system's
    /// C++ compiler).
    Fuzz,
}

/// Installs whatever `toolset` needs and is missing.
pub fn ensure(toolset: Toolset) -> crate::Result {
    println!("==> Checking tools");
    ensure_wasm_target()?;
    match toolset {
        Toolset::Lint => ensure_rust_components()?,
        Toolset::Site => ensure_site_tools()?,
        Toolset::Tests => {
            ensure_site_tools()?;
            ensure_browser()?;
        }
        Toolset::Fuzz => ensure_cargo_fuzz()?,
    }
    println!();
    Ok(())
}

fn ensure_site_tools() -> crate::Result {
    ensure_trunk()?;
    ensure_wasm_bindgen()?;
    ensure_npm_packages()
}

fn ensure_wasm_target() -> crate::Result {
    let installed = output_of(command("rustup").args(["target", "list", "--installed"]))
        .ok_or("cannot run `rustup`: Loopscope needs a rustup-managed toolchain")?;
    if installed.lines().any(|target| target.trim() == WASM_TARGET) {
        println!("ok: rust target {WASM_TARGET}");
        return Ok(());
    }
    println!("installing: rust target {WASM_TARGET}");
    process::run(command("rustup").args(["target", "add", WASM_TARGET]))
}

fn ensure_rust_components() -> crate::Result {
    for (component, subcommand) in [("rustfmt", "fmt"), ("clippy", "clippy")] {
        if output_of(process::cargo().args([subcommand, "--version"])).is_some() {
            println!("ok: {component}");
        } else {
            println!("installing: {component}");
            process::run(command("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

fn ensure_cargo_fuzz() -> crate::Result {
    let wanted = format!("cargo-fuzz {CARGO_FUZZ_VERSION}");
    if output_of(process::cargo().args(["fuzz", "--version"])).as_deref() == Some(wanted.as_str()) {
        println!("ok: {wanted}");
        return Ok(());
    }
    println!("installing: {wanted} (compiles from source, a few minutes)");
    process::run(process::cargo().args([
        "install",
        "--locked",
        "cargo-fuzz",
        "--version",
        CARGO_FUZZ_VERSION,
    ]))
}

fn ensure_trunk() -> crate::Result {
    let wanted = format!("trunk {TRUNK_VERSION}");
    if output_of(command("trunk").arg("--version")).as_deref() == Some(wanted.as_str()) {
        println!("ok: {wanted}");
        return Ok(());
    }
    println!("installing: {wanted} (compiles from source, several minutes)");
    process::run(process::cargo().args([
        "install",
        "--locked",
        "trunk",
        "--version",
        TRUNK_VERSION,
    ]))
}

/// wasm-bindgen-cli must match the `wasm-bindgen` crate exactly. It is
/// installed without `--locked`: its own lock file names a crate version
/// the registry no longer has.
fn ensure_wasm_bindgen() -> crate::Result {
    let version = workspace::wasm_bindgen_version()?;
    let has = |binary: &str| {
        output_of(command(binary).arg("--version"))
            .is_some_and(|text| text.split_whitespace().nth(1) == Some(version.as_str()))
    };
    if has("wasm-bindgen") && has("wasm-bindgen-test-runner") {
        println!("ok: wasm-bindgen {version} and wasm-bindgen-test-runner {version}");
        return Ok(());
    }
    println!("installing: wasm-bindgen-cli {version} (compiles from source, several minutes)");
    process::run(process::cargo().args([
        "install",
        "--force",
        "wasm-bindgen-cli",
        "--version",
        &version,
    ]))
}

/// `npm ci` when node_modules is missing or older than package-lock.json:
/// wasm-opt (binaryen) and playwright-core.
fn ensure_npm_packages() -> crate::Result {
    let root = workspace::root();
    if output_of(command("npm").arg("--version")).is_none() {
        return Err("npm is missing: install Node.js 20 or newer (with npm)".into());
    }
    let lock = root.join("package-lock.json");
    let installed_lock = root.join("node_modules").join(".package-lock.json");
    if is_newer_or_same(&installed_lock, &lock) {
        println!("ok: npm packages (node_modules is up to date with package-lock.json)");
        return Ok(());
    }
    println!("installing: npm packages from package-lock.json (wasm-opt, playwright-core)");
    process::run(command("npm").args(["ci", "--no-audit", "--no-fund"]))
}

fn is_newer_or_same(path: &Path, than: &Path) -> bool {
    let modified = |path: &Path| fs::metadata(path).and_then(|meta| meta.modified()).ok();
    match (modified(path), modified(than)) {
        (Some(path), Some(than)) => path >= than,
        _ => false,
    }
}

fn ensure_browser() -> crate::Result {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        println!("ok: {CHROMIUM} and {CHROMEDRIVER}");
        return Ok(());
    }
    println!("installing: chromium and chromium-driver (apt-get)");
    let as_root = output_of(command("id").arg("-u")).as_deref() == Some("0");
    let apt_get = |args: &[&str]| {
        let mut apt = if as_root {
            command("apt-get")
        } else {
            let mut sudo = command("sudo");
            sudo.args(["-n", "apt-get"]);
            sudo
        };
        apt.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        process::run(&mut apt)
    };
    apt_get(&["update"])?;
    apt_get(&["install", "-y", "chromium", "chromium-driver"])?;
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        Ok(())
    } else {
        Err(
            format!("apt-get installed chromium but {CHROMIUM} or {CHROMEDRIVER} is missing")
                .into(),
        )
    }
}
