//! `cargo xtask`: Loopscope's own commands (std only).
//!
//! Each command first installs the tools it needs and lacks, so a fresh
//! machine needs nothing but Rust (via rustup), Node.js and apt.

mod bench;
mod fuzz;
mod lint;
mod process;
mod server;
mod single_file;
mod site;
mod test_suite;
mod tools;
mod workspace;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

/// Every fallible step reports a message for a person.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "\
Usage: cargo xtask <command> [options]

Commands:
  serve [--port N] [--base PATH] [--no-build] [--dir DIR]
          Build the site (release) into dist/ and serve it at
          http://127.0.0.1:8080/ (--port 0 picks a free port; --base serves
          it under a sub-path such as /course/week9/loopscope/; --no-build
          serves dist/ as it is; --dir serves another built copy, no build)
  test    Run every test: native, wasm in headless Chromium, end-to-end
          against the release site, and the first-visit size budget
  build   Build the site (release) into dist/
  dist [--single-file] [--out PATH] [--no-build]
          Build the site into dist/; with --single-file also write it as one
          self-contained HTML file that works opened from disk (file://, no
          server), by default dist-single/loopscope.html (--no-build uses
          dist/ as it is)
  bench [NAME...]
          Run the benchmarks (all, or those named): first-visit (the site's
          size), playback, hostile (time to each hostile verdict),
          interpreter and scheduler (loopscope against CPython)
  fuzz [TARGET...] [--runs N]
          Run the cargo fuzz targets (run_program, trace_codec), seeded from
          the project's programs, N executions each (default 1,000,000)
  lint    cargo fmt --check, and clippy -D warnings (native and wasm)
  help    Show this text

Each command first installs whatever tools it needs and lacks.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result {
    let Some((command, options)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(());
    };
    match command.as_str() {
        "serve" => serve(&ServeOptions::parse(options)?),
        "test" => {
            no_options(command, options)?;
            test_suite::run()
        }
        "build" => {
            no_options(command, options)?;
            tools::ensure(tools::Toolset::Site)?;
            site::build_release()
        }
        "dist" => dist(&DistOptions::parse(options)?),
        "bench" => bench::run(options),
        "fuzz" => fuzz::run(options),
        "lint" => {
            no_options(command, options)?;
            lint::run()
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}").into()),
    }
}

fn no_options(command: &str, options: &[String]) -> Result {
    match options.first() {
        None => Ok(()),
        Some(option) => Err(format!("`{command}` takes no option `{option}`\n\n{USAGE}").into()),
    }
}

/// `cargo xtask serve`'s options.
#[derive(Debug, PartialEq, Eq)]
struct ServeOptions {
    port: u16,
    base: String,
    build: bool,
    /// A directory to serve instead of dist/ (never built).
    dir: Option<PathBuf>,
}

impl ServeOptions {
    fn parse(options: &[String]) -> Result<ServeOptions> {
        let mut parsed = ServeOptions {
            port: 8080,
            base: "/".to_string(),
            build: true,
            dir: None,
        };
        let mut options = options.iter();
        while let Some(option) = options.next() {
            let mut value = |name: &str| {
                options
                    .next()
                    .ok_or_else(|| format!("`{name}` needs a value\n\n{USAGE}"))
            };
            match option.as_str() {
                "--port" => {
                    let port = value("--port")?;
                    parsed.port = port
                        .parse()
                        .map_err(|_| format!("`--port {port}` is not a port number"))?;
                }
                "--base" => parsed.base = server::normalize_base(value("--base")?),
                "--no-build" => parsed.build = false,
                "--dir" => {
                    parsed.dir = Some(PathBuf::from(value("--dir")?));
                    parsed.build = false;
                }
                other => return Err(format!("`serve` has no option `{other}`\n\n{USAGE}").into()),
            }
        }
        Ok(parsed)
    }
}

/// `cargo xtask dist`'s options.
#[derive(Debug, Default, PartialEq, Eq)]
struct DistOptions {
    single_file: bool,
    out: Option<String>,
    no_build: bool,
}

impl DistOptions {
    fn parse(options: &[String]) -> Result<DistOptions> {
        let mut parsed = DistOptions::default();
        let mut options = options.iter();
        while let Some(option) = options.next() {
            match option.as_str() {
                "--single-file" => parsed.single_file = true,
                "--no-build" => parsed.no_build = true,
                "--out" => {
                    let out = options
                        .next()
                        .ok_or_else(|| format!("`--out` needs a value\n\n{USAGE}"))?;
                    parsed.out = Some(out.clone());
                }
                other => return Err(format!("`dist` has no option `{other}`\n\n{USAGE}").into()),
            }
        }
        if parsed.out.is_some() && !parsed.single_file {
            return Err("`--out` names the single file: add `--single-file`".into());
        }
        Ok(parsed)
    }
}

fn dist(options: &DistOptions) -> Result {
    if !options.no_build {
        tools::ensure(tools::Toolset::Site)?;
        site::build_release()?;
    }
    if options.single_file {
        single_file::write(
            &workspace::dist_dir(),
            &single_file::output_path(options.out.as_deref()),
        )?;
    }
    Ok(())
}

fn serve(options: &ServeOptions) -> Result {
    if options.build {
        tools::ensure(tools::Toolset::Site)?;
        site::build_release()?;
    }
    let dist = options.dir.clone().unwrap_or_else(workspace::dist_dir);
    if !dist.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: run `cargo xtask build` (or serve without --no-build)",
            dist.display()
        )
        .into());
    }
    let listener = TcpListener::bind(("127.0.0.1", options.port)).map_err(|error| {
        format!(
            "cannot listen on 127.0.0.1:{}: {error} (choose another with --port)",
            options.port
        )
    })?;
    let address = listener.local_addr()?;
    let site = server::StaticSite::new(dist.clone(), &options.base);
    println!(
        "Serving {} at http://{address}{} (Ctrl-C to stop)",
        dist.display(),
        site.base()
    );
    server::serve(listener, site);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(options: &[&str]) -> Result<ServeOptions> {
        let options: Vec<String> = options.iter().map(|option| option.to_string()).collect();
        ServeOptions::parse(&options)
    }

    #[test]
    fn serve_defaults_to_port_8080_at_the_root_after_a_build() {
        assert_eq!(
            parse(&[]).unwrap(),
            ServeOptions {
                port: 8080,
                base: "/".into(),
                build: true,
                dir: None
            }
        );
    }

    #[test]
    fn serve_reads_port_base_and_no_build() {
        assert_eq!(
            parse(&[
                "--port",
                "0",
                "--base",
                "course/week9/loopscope",
                "--no-build"
            ])
            .unwrap(),
            ServeOptions {
                port: 0,
                base: "/course/week9/loopscope/".into(),
                build: false,
                dir: None
            }
        );
        assert_eq!(
            parse(&["--dir", "/tmp/site"]).unwrap(),
            ServeOptions {
                port: 8080,
                base: "/".into(),
                build: false,
                dir: Some(PathBuf::from("/tmp/site"))
            }
        );
    }

    #[test]
    fn dist_reads_single_file_out_and_no_build() {
        let options: Vec<String> = ["--single-file", "--out", "x.html", "--no-build"]
            .iter()
            .map(|option| option.to_string())
            .collect();
        assert_eq!(
            DistOptions::parse(&options).unwrap(),
            DistOptions {
                single_file: true,
                out: Some("x.html".into()),
                no_build: true
            }
        );
        assert_eq!(DistOptions::parse(&[]).unwrap(), DistOptions::default());
        assert!(DistOptions::parse(&["--out".to_string(), "x.html".to_string()]).is_err());
        assert!(DistOptions::parse(&["--zip".to_string()]).is_err());
    }

    #[test]
    fn serve_refuses_bad_options() {
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "80000"]).is_err());
        assert!(parse(&["--verbose"]).is_err());
    }
}
