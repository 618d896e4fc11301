//! `traceback`: printing and formatting exceptions and the call stack the
//! way CPython 3.11's Lib/traceback.py does (its printer differs from the
//! interpreter's in small ways, see `vm::traceback_text::Style`).
//!
//! The functions programs call are here: `print_exc`, `format_exc`,
//! `print_exception`, `format_exception`, `format_exception_only`,
//! `print_tb`, `format_tb`, `print_stack`, `format_stack`. The ones that
//! hand out frame objects and summaries (`extract_tb`, `walk_stack`,
//! `TracebackException`, ...) end the run as `unsupported`: the VM has no
//! frame objects to give.

use std::rc::Rc;

use super::support::{arg, closure, Sig};
use crate::builtins::{add_functions, new_module, with_native};
use crate::syntax::LineIndex;
use crate::value::{Args, Module, PyResult, TraceEntry, Value};
use crate::vm::errors::{TracebackData, TracebackOptions};
use crate::vm::traceback_text::{self, FrameLine, Style};
use crate::vm::{ExcType, Stream, Vm};

/// What Lib/traceback.py has that Loopscope does not.
const UNSUPPORTED: &[&str] = &[
    "extract_tb",
    "extract_stack",
    "walk_tb",
    "walk_stack",
    "format_list",
    "print_list",
    "print_last",
    "clear_frames",
    "TracebackException",
    "StackSummary",
    "FrameSummary",
];

pub fn make(_vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("traceback");
    add_functions(
        &module,
        &[
            ("print_exc", print_exc),
            ("format_exc", format_exc),
            ("print_exception", print_exception),
            ("format_exception", format_exception),
            ("format_exception_only", format_exception_only),
            ("print_tb", print_tb),
            ("format_tb", format_tb),
            ("print_stack", print_stack),
            ("format_stack", format_stack),
        ],
    );
    let mut dict = module.dict.borrow_mut();
    for name in UNSUPPORTED {
        let what = format!("traceback.{name} (Loopscope has no frame objects to give)");
        dict.set(
            name,
            closure(
                name,
                Rc::new(move |vm: &mut Vm, _: &mut Args| Err(vm.unsupported(what.clone()))),
            ),
        );
    }
    drop(dict);
    Ok(module)
}

/// CPython traceback.py `print_exc(limit=None, file=None, chain=True)`.
fn print_exc(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let bound = sig("print_exc", &["limit", "file", "chain"], 0).bind(vm, args)?;
    let options = module_options(vm, &arg(&bound, 0), bound.get(2).cloned().flatten())?;
    let parts = handled_exception_parts(vm, options);
    write(vm, &arg(&bound, 1), parts)
}

/// CPython traceback.py `format_exc(limit=None, chain=True)`.
fn format_exc(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let bound = sig("format_exc", &["limit", "chain"], 0).bind(vm, args)?;
    let options = module_options(vm, &arg(&bound, 0), bound.get(1).cloned().flatten())?;
    Ok(Value::string(handled_exception_parts(vm, options).concat()))
}

/// CPython traceback.py `print_exception(exc, /, value, tb, limit=None,
/// file=None, chain=True)`.
fn print_exception(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let bound = sig(
        "print_exception",
        &["exc", "value", "tb", "limit", "file", "chain"],
        1,
    )
    .bind(vm, args)?;
    let exc = exception_argument(vm, &bound)?;
    let options = module_options(vm, &arg(&bound, 3), bound.get(5).cloned().flatten())?;
    let parts = exception_parts(vm, &exc, options);
    write(vm, &arg(&bound, 4), parts)
}

/// CPython traceback.py `format_exception(exc, /, value, tb, limit=None,
/// chain=True)`: a list of strings, each ending with a newline.
fn format_exception(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let bound = sig(
        "format_exception",
        &["exc", "value", "tb", "limit", "chain"],
        1,
    )
    .bind(vm, args)?;
    let exc = exception_argument(vm, &bound)?;
    let options = module_options(vm, &arg(&bound, 3), bound.get(4).cloned().flatten())?;
    Ok(string_list(exception_parts(vm, &exc, options)))
}

/// CPython traceback.py `format_exception_only(exc, /, value)`: the
/// exception's last line.
fn format_exception_only(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let bound = sig("format_exception_only", &["exc", "value"], 1).bind(vm, args)?;
    let exc = match bound.get(1).cloned().flatten() {
        Some(value) => value,
        None => arg(&bound, 0),
    };
    Ok(string_list(vec![summary_line(vm, &exc)]))
}

/// CPython traceback.py `print_tb(tb, limit=None, file=None)`.
fn print_tb(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let bound = sig("print_tb", &["tb", "limit", "file"], 1).bind(vm, args)?;
    let parts = traceback_object_parts(vm, &arg(&bound, 0), &arg(&bound, 1))?;
    write(vm, &arg(&bound, 2), parts)
}

/// CPython traceback.py `format_tb(tb, limit=None)`: one string per frame.
fn format_tb(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let bound = sig("format_tb", &["tb", "limit"], 1).bind(vm, args)?;
    let parts = traceback_object_parts(vm, &arg(&bound, 0), &arg(&bound, 1))?;
    Ok(string_list(parts))
}

/// CPython traceback.py `print_stack(f=None, limit=None, file=None)`.
fn print_stack(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let bound = sig("print_stack", &["f", "limit", "file"], 0).bind(vm, args)?;
    let parts = stack_parts(vm, &arg(&bound, 0), &arg(&bound, 1))?;
    write(vm, &arg(&bound, 2), parts)
}

/// CPython traceback.py `format_stack(f=None, limit=None)`.
fn format_stack(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let bound = sig("format_stack", &["f", "limit"], 0).bind(vm, args)?;
    let parts = stack_parts(vm, &arg(&bound, 0), &arg(&bound, 1))?;
    Ok(string_list(parts))
}

/// A function of Lib/traceback.py whose first `required` parameters
/// have no default.
fn sig<'a>(name: &'a str, params: &'a [&'a str], required: usize) -> Sig<'a> {
    Sig {
        name,
        params,
        required,
        kwonly: &[],
        method: false,
    }
}

/// The printer of Lib/traceback.py with the call's `limit` and `chain`.
fn module_options(vm: &mut Vm, limit: &Value, chain: Option<Value>) -> PyResult<TracebackOptions> {
    let limit = match limit {
        Value::None => None,
        other => Some(vm.expect_int(other)?),
    };
    let chain = match chain {
        Some(value) => vm.truthy(&value)?,
        None => true,
    };
    Ok(TracebackOptions {
        style: Style::Module,
        limit,
        chain,
    })
}

/// `format_exc()`'s pieces: the exception being handled, or
/// `NoneType: None` when there is none (what CPython prints then).
fn handled_exception_parts(vm: &mut Vm, options: TracebackOptions) -> Vec<String> {
    match vm.exc_stack.last().cloned() {
        Some(exc) => exception_parts(vm, &exc, options),
        None => vec!["NoneType: None\n".to_string()],
    }
}

/// CPython traceback.py `_parse_value_tb`: the exception to show, from
/// `(exc)` or the old `(type, value, tb)` form.
fn exception_argument(vm: &mut Vm, bound: &[Option<Value>]) -> PyResult<Value> {
    let value = bound.get(1).cloned().flatten();
    let tb = bound.get(2).cloned().flatten();
    match (value, tb) {
        (Some(value), Some(_)) => Ok(value),
        (None, None) => {
            let exc = arg(bound, 0);
            if exc.is_none() || exc.as_exception().is_some() {
                Ok(exc)
            } else {
                let name = vm.type_name(&exc);
                Err(vm.type_error(format!("Exception expected for value, {name} found")))
            }
        }
        _ => Err(vm.error(
            ExcType::ValueError,
            "Both or neither of value and tb must be given",
        )),
    }
}

fn exception_parts(vm: &mut Vm, exc: &Value, options: TracebackOptions) -> Vec<String> {
    if exc.as_exception().is_none() {
        return vec![summary_line(vm, exc)];
    }
    vm.traceback_parts(exc, options)
}

/// CPython traceback.py `TracebackException.format_exception_only` for
/// one value (`NoneType: None` for None).
fn summary_line(vm: &mut Vm, exc: &Value) -> String {
    if exc.as_exception().is_some() {
        return vm.exception_summary(exc) + "\n";
    }
    let name = vm.type_name(exc);
    let text = vm
        .str_of(exc)
        .unwrap_or_else(|_| "<exception str() failed>".to_string());
    format!("{name}: {text}\n")
}

/// The frames of a `traceback` object (`exc.__traceback__`), as pieces.
fn traceback_object_parts(vm: &mut Vm, tb: &Value, limit: &Value) -> PyResult<Vec<String>> {
    if tb.is_none() {
        return Ok(Vec::new());
    }
    let Some(entries) = with_native::<TracebackData, _>(tb, |t| {
        let mut all = vec![t.entry.clone()];
        all.extend(t.rest.iter().cloned());
        all
    }) else {
        let name = vm.type_name(tb);
        return Err(vm.error(
            ExcType::AttributeError,
            format!("'{name}' object has no attribute 'tb_frame'"),
        ));
    };
    let options = module_options(vm, limit, None)?;
    let mut frames = program_frames(&entries);
    traceback_text::apply_limit(&mut frames, options.limit);
    let source = vm.source.clone();
    Ok(traceback_text::stack_parts(
        &frames,
        &LineIndex::new(&source),
        Style::Module,
    ))
}

/// The program's frames among `entries` (Loopscope's own modules' left out).
fn program_frames(entries: &[TraceEntry]) -> Vec<FrameLine<'_>> {
    entries
        .iter()
        .filter(|e| !e.filename.starts_with('<'))
        .map(|e| FrameLine {
            filename: &e.filename,
            line: e.line,
            function: &e.function,
            range: e.range,
        })
        .collect()
}

/// The frames running now, outermost first, as `extract_stack` sees them:
/// `limit` counts from the innermost, and no carets (a stack entry has no
/// columns in CPython 3.11).
fn stack_parts(vm: &mut Vm, frame: &Value, limit: &Value) -> PyResult<Vec<String>> {
    if !frame.is_none() {
        return Err(vm.unsupported("a frame object given to traceback (Loopscope has none)"));
    }
    let limit = module_options(vm, limit, None)?.limit;
    let entries: Vec<TraceEntry> = vm
        .call_sites
        .iter()
        .rev()
        .map(|site| TraceEntry {
            filename: site.code.filename.clone(),
            function: site.code.name.as_str().into(),
            line: site.code.line_of(site.ip.saturating_sub(1)),
            range: (0, 0),
        })
        .collect();
    let mut frames = program_frames(&entries);
    traceback_text::apply_limit(&mut frames, limit);
    frames.reverse();
    let source = vm.source.clone();
    Ok(traceback_text::stack_parts(
        &frames,
        &LineIndex::new(&source),
        Style::Module,
    ))
}

fn string_list(parts: Vec<String>) -> Value {
    Value::list(parts.into_iter().map(Value::string).collect())
}

/// Writes the pieces to `file=` (the standard error when None) and
/// returns None. An object of the program's own gets CPython's calls:
/// traceback.py prints each piece with `print(piece, file=file, end="")`,
/// which writes the piece, then the empty end.
fn write(vm: &mut Vm, file: &Value, parts: Vec<String>) -> PyResult<Value> {
    if file.is_none() || super::sys::stream_of(vm, file).is_some() {
        super::sys::write_to(vm, file, Stream::Stderr, parts.concat())?;
        return Ok(Value::None);
    }
    for part in parts {
        super::sys::write_to(vm, file, Stream::Stderr, part)?;
        super::sys::write_to(vm, file, Stream::Stderr, String::new())?;
    }
    Ok(Value::None)
}
