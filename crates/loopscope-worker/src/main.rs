//! The Web Worker that runs programs, so the page never freezes.
//!
//! Protocol (structured-clone messages):
//! - worker → page `{kind: "ready"}` once its wasm is loaded (messages sent
//!   before that would be lost);
//! - page → worker `[source, seed]` to run a program;
//! - worker → page `{kind: "progress", steps, events, time}` now and then
//!   while it runs;
//! - worker → page `{kind: "done", verdict, trace, errorLine, errorColumn}`:
//!   `verdict` is the CLI's `--json` text, `trace` a `Uint8Array` in the
//!   trace crate's binary codec (transferred, not copied), and the error's
//!   place in the source when the program did not parse or used something
//!   unsupported (0 when unknown), and `heapBytes`, the heap the worker
//!   still holds (the page replaces a worker that holds too much);
//! - page → worker `{kind: "export", format, trace}` to write a trace (a
//!   `Uint8Array` in the binary codec, the page's copy) as text: `format`
//!   `"json"` is the CLI's `--trace`, `"chrome-trace"` its `--chrome-trace`;
//!   worker → page `{kind: "exported", format, text}`, or `{kind:
//!   "export-failed", error}`. The writers live here, not in the page's
//!   wasm, which a first visit downloads.
//!
//! Stopping a run is the page's business: it terminates this worker and
//! starts a fresh one.

/// Counts the heap in use, so a runaway program meets the memory limit
/// instead of the wasm memory's end (which would kill the worker).
#[global_allocator]
static ALLOCATOR: loopscope_interp::memory::CountingAllocator =
    loopscope_interp::memory::CountingAllocator;

#[cfg(target_arch = "wasm32")]
mod worker {
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    fn object(fields: &[(&str, JsValue)]) -> JsValue {
        let object = js_sys::Object::new();
        for (key, value) in fields {
            // Setting a property on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
        }
        object.into()
    }

    fn field(object: &JsValue, key: &str) -> JsValue {
        js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    pub fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let handler_scope = scope.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            if js_sys::Array::is_array(&data) {
                run(&handler_scope, &data);
            } else if field(&data, "kind").as_string().as_deref() == Some("export") {
                export(&handler_scope, &data);
            }
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // The handler lives as long as the worker.
        on_message.forget();
        let _ = scope.post_message(&object(&[("kind", "ready".into())]));
    }

    /// Writes the page's trace as text (see the protocol above).
    fn export(scope: &DedicatedWorkerGlobalScope, request: &JsValue) {
        let format = field(request, "format").as_string().unwrap_or_default();
        let trace = field(request, "trace")
            .dyn_into::<js_sys::Uint8Array>()
            .map(|array| array.to_vec())
            .unwrap_or_default();
        let message = match crate::export_trace(&format, &trace) {
            Ok(text) => object(&[
                ("kind", "exported".into()),
                ("format", format.into()),
                ("text", text.into()),
            ]),
            Err(error) => object(&[("kind", "export-failed".into()), ("error", error.into())]),
        };
        let _ = scope.post_message(&message);
    }

    fn run(scope: &DedicatedWorkerGlobalScope, request: &JsValue) {
        let request: &js_sys::Array = request.unchecked_ref();
        let source = request.get(0).as_string().unwrap_or_default();
        let seed = request.get(1).as_f64().unwrap_or(0.0).max(0.0) as u64;
        let options = crate::browser_options(seed);
        let progress_scope = scope.clone();
        let hook: loopscope_runtime::world::ProgressHook = Box::new(move |progress| {
            let _ = progress_scope.post_message(&object(&[
                ("kind", "progress".into()),
                ("steps", (progress.steps as f64).into()),
                ("events", (progress.events as f64).into()),
                ("time", progress.time.into()),
            ]));
        });
        let result = loopscope_runtime::run_program_with_progress(&source, &options, Some(hook));
        let (error_line, error_column) = crate::error_place(&source, &result.verdict);
        let bytes = loopscope_trace::codec::encode(&result.trace);
        let verdict = result.verdict.to_json();
        drop(result);
        let trace = js_sys::Uint8Array::from(bytes.as_slice());
        drop(bytes);
        // What the run left behind (the VM and its trace are gone): the
        // page replaces a worker that holds too much.
        let heap_bytes = loopscope_interp::memory::bytes_in_use() as f64;
        let message = object(&[
            ("kind", "done".into()),
            ("verdict", verdict.into()),
            ("trace", trace.clone().into()),
            ("errorLine", error_line.into()),
            ("errorColumn", error_column.into()),
            ("heapBytes", heap_bytes.into()),
        ]);
        let transfer = js_sys::Array::of1(&trace.buffer());
        if scope
            .post_message_with_transfer(&message, &transfer)
            .is_err()
        {
            let _ = scope.post_message(&message);
        }
    }
}

/// Python's recursion limit in the browser, and the most
/// `sys.setrecursionlimit` may set there. Each Python call recurses on
/// V8's native stack (about 1 MB for a worker, not adjustable by a page),
/// which the interpreter's frames fill after roughly 450–550 levels of plain
/// recursion and 300–350 levels through `__repr__` (measured in headless
/// Chromium 2026-11, release build). 300 (and the 50 native calls allowed
/// beyond it) keeps every measured pattern inside the stack, so deep
/// recursion ends as `RecursionError` rather than killing the worker; the
/// CLI keeps CPython's 1,000.
pub const BROWSER_RECURSION_LIMIT: u32 = 300;

/// The options of a run in the browser.
pub fn browser_options(seed: u64) -> loopscope_interp::verdict::RunOptions {
    let mut options = loopscope_interp::verdict::RunOptions {
        seed,
        ..Default::default()
    };
    options.limits.recursion_limit = BROWSER_RECURSION_LIMIT;
    options.limits.max_recursion_limit = BROWSER_RECURSION_LIMIT;
    options
}

/// Where in the source the run's error is, as (line, column), both
/// 1-based, 0 when the verdict names no place: a syntax error's position
/// (the parser tells it again), or the line of an unsupported construct.
pub fn error_place(source: &str, verdict: &loopscope_interp::verdict::Verdict) -> (u32, u32) {
    let Some(error) = verdict.error.as_deref() else {
        return (0, 0);
    };
    match verdict.status {
        "error"
            if ["SyntaxError", "IndentationError", "TabError"]
                .iter()
                .any(|kind| error.starts_with(kind)) =>
        {
            match loopscope_interp::syntax::parse_module(source) {
                Err(error) => (error.line, error.column),
                Ok(_) => (0, 0),
            }
        }
        "unsupported" => {
            let line = error
                .strip_prefix("line ")
                .and_then(|rest| rest.split(':').next())
                .and_then(|line| line.parse().ok())
                .unwrap_or(0);
            (line, 0)
        }
        _ => (0, 0),
    }
}

/// `trace` (the binary codec) written as text in `format`: `"json"` (the
/// CLI's `--trace`) or `"chrome-trace"` (its `--chrome-trace`), with the
/// trace crate's own writers, so the page's downloads are the CLI's bytes.
pub fn export_trace(format: &str, trace: &[u8]) -> Result<String, String> {
    let write: fn(&loopscope_trace::Trace) -> String = match format {
        "json" => loopscope_trace::to_json,
        "chrome-trace" => loopscope_trace::to_chrome_trace,
        _ => return Err(format!("unknown export format {format:?}")),
    };
    let trace = loopscope_trace::codec::decode(trace)
        .map_err(|error| format!("cannot decode the trace: {error}"))?;
    Ok(write(&trace))
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    worker::start();
}

#[cfg(test)]
mod tests {
    use super::*;
    use loopscope_interp::verdict::Verdict;

    fn verdict(status: &'static str, error: &str) -> Verdict {
        Verdict {
            stdout: String::new(),
            stderr: String::new(),
            status,
            error: Some(error.to_string()),
            time: 0.0,
        }
    }

    #[test]
    fn a_syntax_error_is_placed_where_the_parser_says() {
        let source = "x = 1\ny = = 2\n";
        let place = error_place(source, &verdict("error", "SyntaxError: invalid syntax"));
        assert_eq!(place.0, 2);
        assert!(place.1 > 0);
    }

    #[test]
    fn an_unsupported_construct_is_placed_at_its_line() {
        let place = error_place("", &verdict("unsupported", "line 7: import os"));
        assert_eq!(place, (7, 0));
    }

    #[test]
    fn the_browser_caps_the_recursion_limit() {
        let options = browser_options(7);
        assert_eq!(options.seed, 7);
        let source = "import sys\nsys.setrecursionlimit(5000)\nprint(sys.getrecursionlimit())\n\
                      def f(n):\n    return f(n + 1)\nf(0)\n";
        let result = loopscope_runtime::run_program(source, &options);
        assert_eq!(result.verdict.stdout, "300\n");
        assert_eq!(
            result.verdict.error.as_deref(),
            Some("RecursionError: maximum recursion depth exceeded")
        );
    }

    #[test]
    fn exports_write_what_the_cli_writes() {
        let source = "import asyncio\n\nasync def main():\n    print('hi')\n    \
                      await asyncio.sleep(1)\n\nasyncio.run(main())\n";
        let result = loopscope_runtime::run_program(source, &browser_options(0));
        let bytes = loopscope_trace::codec::encode(&result.trace);
        assert_eq!(
            export_trace("json", &bytes),
            Ok(loopscope_trace::to_json(&result.trace))
        );
        assert_eq!(
            export_trace("chrome-trace", &bytes),
            Ok(loopscope_trace::to_chrome_trace(&result.trace))
        );
        assert!(export_trace("png", &bytes).is_err());
        assert!(export_trace("json", &bytes[..bytes.len() / 2]).is_err());
    }

    #[test]
    fn other_errors_have_no_place() {
        assert_eq!(error_place("", &verdict("error", "ValueError: x")), (0, 0));
        let completed = Verdict {
            error: None,
            ..verdict("completed", "")
        };
        assert_eq!(error_place("", &completed), (0, 0));
    }
}
