//! Starting the tools: every command runs in the repository's root with the
//! tools' PATH, is echoed before it runs, and fails loudly.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;

use crate::workspace;

/// A command for `program`, run from the repository root with
/// [`workspace::tool_path`] as its PATH.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(workspace::root())
        .env("PATH", workspace::tool_path());
    command
}

/// A cargo command (the cargo that runs us).
pub fn cargo() -> Command {
    command(workspace::cargo())
}

/// The command line as a person would type it.
pub fn describe(command: &Command) -> String {
    let program = command.get_program().to_string_lossy();
    let program = if program.ends_with("/cargo") || program == "cargo" {
        "cargo".into()
    } else {
        program
    };
    let mut words = vec![program.into_owned()];
    words.extend(
        command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned()),
    );
    words.join(" ")
}

/// Runs `command` with its output going straight to ours; an error unless
/// it exits successfully.
pub fn run(command: &mut Command) -> crate::Result {
    println!("$ {}", describe(command));
    let status = command
        .status()
        .map_err(|error| format!("cannot start `{}`: {error}", describe(command)))?;
    succeeded(command, status)
}

/// Runs `command`, printing each line of its output (stdout and stderr) as
/// it comes and handing it to `on_line` as well.
pub fn run_reading_lines(command: &mut Command, mut on_line: impl FnMut(&str)) -> crate::Result {
    println!("$ {}", describe(command));
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot start `{}`: {error}", describe(command)))?;
    let (sender, lines) = mpsc::channel::<(bool, String)>();
    let readers = [
        child
            .stdout
            .take()
            .map(|out| forward_lines(out, false, sender.clone())),
        child
            .stderr
            .take()
            .map(|err| forward_lines(err, true, sender)),
    ];
    for (is_stderr, line) in lines {
        if is_stderr {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
        on_line(&line);
    }
    for reader in readers.into_iter().flatten() {
        let _ = reader.join();
    }
    let status = child
        .wait()
        .map_err(|error| format!("lost `{}`: {error}", describe(command)))?;
    succeeded(command, status)
}

fn forward_lines(
    stream: impl Read + Send + 'static,
    is_stderr: bool,
    sender: mpsc::Sender<(bool, String)>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buffer = Vec::new();
        while let Ok(read) = reader.read_until(b'\n', &mut buffer) {
            if read == 0 {
                break;
            }
            let line = String::from_utf8_lossy(&buffer);
            let line = line.trim_end_matches(['\n', '\r']).to_string();
            buffer.clear();
            if sender.send((is_stderr, line)).is_err() {
                break;
            }
        }
    })
}

/// What `command` prints on stdout, trimmed, if it starts and succeeds.
pub fn output_of(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn succeeded(command: &Command, status: ExitStatus) -> crate::Result {
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)).into())
    }
}
