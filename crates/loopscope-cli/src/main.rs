//! `loopscope`: runs a Python program in the simulated world and prints
//! its verdict. The only code of the project that touches files.
//!
//!     loopscope run PROGRAM.py|- [--json] [--seed N] [--max-time SECONDS] [--trace OUT.json] [--chrome-trace OUT.json] [--trace-bin OUT.bin] [--filename NAME] [--stats]
//!     loopscope dis PROGRAM.py

use std::process::ExitCode;

use std::io::{Read, Write};

use loopscope_interp::memory::CountingAllocator;
use loopscope_interp::verdict::{RunOptions, Verdict};
use loopscope_runtime::run_program;

/// Counts the heap in use, so a runaway program meets the memory limit.
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The interpreter recurses on the native stack for Python calls; give
/// it room for the deepest recursion the limits allow.
const STACK_BYTES: usize = 512 << 20;

const USAGE: &str = "usage: loopscope run PROGRAM.py|- [--json] [--seed N] [--max-time SECONDS] [--trace OUT.json] [--chrome-trace OUT.json] [--trace-bin OUT.bin] [--filename NAME] [--stats]\n       loopscope dis PROGRAM.py";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || command(&args));
    match worker.map(|w| w.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("loopscope: the interpreter stopped unexpectedly");
            ExitCode::from(70)
        }
    }
}

fn command(args: &[String]) -> ExitCode {
    let Some((name, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match name.as_str() {
        "run" => run(rest),
        "dis" => dis(rest),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// A program file's text, or why it has none.
enum Program {
    Text(String),
    /// Not UTF-8: what `python3 FILE` says about it (no encoding
    /// declarations are honoured: the course's programs are UTF-8).
    NotUtf8(String),
}

fn read_program(path: &str) -> Result<Program, ExitCode> {
    let bytes = if path == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map(|_| bytes)
    } else {
        std::fs::read(path)
    }
    .map_err(|e| {
        eprintln!("loopscope: cannot read {path}: {e}");
        ExitCode::from(66)
    })?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => Program::Text(text),
        Err(error) => {
            let bytes = error.as_bytes();
            let at = error.utf8_error().valid_up_to();
            let byte = bytes.get(at).copied().unwrap_or(0);
            let line = 1 + bytes.iter().take(at).filter(|&&b| b == b'\n').count();
            // CPython tokenizer.c `decoding_fgets`, which names the file
            // by its absolute path.
            let file = absolute_path(path);
            Program::NotUtf8(format!(
                "SyntaxError: Non-UTF-8 code starting with '\\x{byte:02x}' in file {file} on line {line}, but no encoding declared; see https://peps.python.org/pep-0263/ for details"
            ))
        }
    })
}

fn run(args: &[String]) -> ExitCode {
    let mut options = RunOptions::default();
    let mut json = false;
    let mut path = None;
    let mut trace_path = None;
    let mut chrome_path = None;
    let mut binary_path = None;
    let mut shown_name = None;
    let mut stats = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--json" => json = true,
            "--stats" => stats = true,
            "--trace" | "--chrome-trace" | "--trace-bin" => {
                let Some(value) = args.get(i + 1) else {
                    eprintln!("loopscope: {} needs a file name", args[i]);
                    return ExitCode::from(2);
                };
                match args[i].as_str() {
                    "--trace" => trace_path = Some(value.clone()),
                    "--chrome-trace" => chrome_path = Some(value.clone()),
                    _ => binary_path = Some(value.clone()),
                }
                i += 1;
            }
            "--filename" => {
                // The name tracebacks show instead of the file's absolute
                // path (the web worker's runs say `main.py`).
                let Some(value) = args.get(i + 1) else {
                    eprintln!("loopscope: --filename needs a name");
                    return ExitCode::from(2);
                };
                shown_name = Some(value.clone());
                i += 1;
            }
            "--seed" | "--max-time" => {
                let Some(value) = args.get(i + 1) else {
                    eprintln!("loopscope: {} needs a value", args[i]);
                    return ExitCode::from(2);
                };
                let ok = if args[i] == "--seed" {
                    value.parse().map(|v| options.seed = v).is_ok()
                } else {
                    value.parse().map(|v| options.max_time = v).is_ok()
                };
                if !ok {
                    eprintln!("loopscope: bad value for {}: {value}", args[i]);
                    return ExitCode::from(2);
                }
                i += 1;
            }
            other if path.is_none() => path = Some(other.to_string()),
            other => {
                eprintln!("loopscope: unexpected argument {other}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
        i += 1;
    }
    let Some(path) = path else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let source = match read_program(&path) {
        Ok(Program::Text(s)) => s,
        Ok(Program::NotUtf8(error)) => {
            let verdict = Verdict {
                stdout: String::new(),
                stderr: format!("{error}\n"),
                status: "error",
                error: Some(error),
                time: 0.0,
            };
            print_verdict(&verdict, json);
            return ExitCode::SUCCESS;
        }
        Err(code) => return code,
    };
    // As python3 does, tracebacks name the program by its absolute path.
    options.filename = shown_name.unwrap_or_else(|| absolute_path(&path));
    let result = run_program(&source, &options);
    // The JSON trace streams to its file (a 10,000-task run writes 34 MB:
    // no String of that size); the stats count the bytes as they go.
    let mut trace_json_bytes = 0;
    if let Some(path) = &trace_path {
        let written = std::fs::File::create(path).and_then(|file| {
            let mut sink = CountingWriter {
                inner: std::io::BufWriter::with_capacity(1 << 16, file),
                count: 0,
            };
            loopscope_trace::write_json(&result.trace, &mut sink)?;
            sink.inner.flush()?;
            Ok(sink.count)
        });
        match written {
            Ok(count) => trace_json_bytes = count,
            Err(e) => {
                eprintln!("loopscope: cannot write {path}: {e}");
                return ExitCode::from(73);
            }
        }
    } else if stats && binary_path.is_none() {
        let mut sink = CountingWriter {
            inner: std::io::sink(),
            count: 0,
        };
        let _ = loopscope_trace::write_json(&result.trace, &mut sink);
        trace_json_bytes = sink.count;
    }
    let chrome_json = chrome_path
        .as_ref()
        .map(|_| loopscope_trace::to_chrome_trace(&result.trace).into_bytes());
    let binary = binary_path
        .as_ref()
        .map(|_| loopscope_trace::codec::encode(&result.trace));
    for (path, bytes) in [(&chrome_path, &chrome_json), (&binary_path, &binary)] {
        if let (Some(path), Some(bytes)) = (path, bytes) {
            if let Err(e) = std::fs::write(path, bytes) {
                eprintln!("loopscope: cannot write {path}: {e}");
                return ExitCode::from(73);
            }
        }
    }
    if stats {
        // For `cargo xtask bench`: the trace's size and the peak memory.
        eprintln!(
            "loopscope stats: events={} {} peak_rss_kb={}",
            result.trace.events.len(),
            match &binary {
                Some(bytes) => format!("trace_bin_bytes={}", bytes.len()),
                None => format!("trace_json_bytes={trace_json_bytes}"),
            },
            peak_rss_kb().map_or("unknown".to_string(), |kb| kb.to_string())
        );
    }
    print_verdict(&result.verdict, json);
    // The process ends here: freeing the trace event by event (260,000 for
    // a 10,000-task run, a String in most) would only cost time.
    std::mem::forget(result);
    ExitCode::SUCCESS
}

/// A writer that counts the bytes it passes on.
struct CountingWriter<W> {
    inner: W,
    count: usize,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.count += written;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The program's name as python3 shows it: its absolute path.
fn absolute_path(path: &str) -> String {
    if path == "-" {
        return "<stdin>".to_string();
    }
    std::path::absolute(path)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_string())
}

/// The verdict as JSON, or the program's output and how it ended. A
/// reader that has gone (`loopscope run p.py | head`) is not an error.
fn print_verdict(verdict: &Verdict, json: bool) {
    if json {
        write_out(&format!("{}\n", verdict.to_json()));
    } else {
        write_out(&verdict.stdout);
        let mut err = verdict.stderr.clone();
        if verdict.status != "completed" && verdict.status != "error" {
            err.push_str(&format!(
                "[{}{}]\n",
                verdict.status,
                verdict
                    .error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ));
        }
        let _ = std::io::stderr().lock().write_all(err.as_bytes());
    }
}

/// Writes to the standard output, ignoring a closed pipe (`print!` would
/// panic on it).
fn write_out(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// The process's peak resident memory (Linux `VmHWM`), in KB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn dis(args: &[String]) -> ExitCode {
    let [path] = args else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let source = match read_program(path) {
        Ok(Program::Text(s)) => s,
        Ok(Program::NotUtf8(error)) => {
            eprintln!("{error}");
            return ExitCode::from(65);
        }
        Err(code) => return code,
    };
    match loopscope_interp::compiler::compile_module(&source, "main.py") {
        Ok(code) => {
            write_out(&code.disassemble());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", e.summary());
            ExitCode::from(1)
        }
    }
}
