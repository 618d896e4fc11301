//! The page's side of the Web Worker that runs programs
//! (`crates/loopscope-worker`): start it, send it a program, hear its
//! progress and its result, stop it. Stopping terminates the worker (a
//! program in `while True: pass` never yields) and starts a fresh one.
//!
//! The worker also writes the exported traces (JSON, Trace Event Format)
//! from the binary trace the page holds: it links the trace crate's writers
//! anyway, and the page's wasm, downloaded on a first visit, need not.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

/// The worker's loader script, beside the page (trunk's `data-loader-shim`).
const WORKER_SCRIPT: &str = "./loopscope-worker_loader.js";

/// Where the single-file build (`cargo xtask dist --single-file`) puts the
/// `blob:` URL of its inlined worker: a page opened from `file://` may not
/// start a worker from a file.
const INLINED_WORKER_URL: &str = "loopscopeWorkerUrl";

/// The worker's script: the inlined one if the page has it, else the file.
fn worker_script() -> String {
    web_sys::window()
        .and_then(|window| {
            js_sys::Reflect::get(&window, &JsValue::from_str(INLINED_WORKER_URL)).ok()
        })
        .and_then(|url| url.as_string())
        .unwrap_or_else(|| WORKER_SCRIPT.to_string())
}

/// What the worker says.
#[derive(Clone, Debug)]
pub enum WorkerMessage {
    /// Its wasm is loaded.
    Ready,
    Progress {
        steps: f64,
        events: f64,
        time: f64,
    },
    Done {
        /// The CLI's `--json` verdict.
        verdict: String,
        /// The trace in the binary codec.
        trace: Vec<u8>,
        /// Where the error is in the source (1-based, 0: unknown).
        error_line: u32,
        error_column: u32,
        /// Heap the worker still holds after the run (what programs'
        /// reference cycles left behind: there is no cycle collector).
        heap_bytes: f64,
    },
    /// The text of a trace asked for with [`Runner::export`] (a JS string,
    /// handed on to the download as it is).
    Exported {
        format: TraceFormat,
        text: JsValue,
    },
    /// The worker failed to load or crashed: the browser's message, or
    /// nothing when it gave none.
    Failed(String),
}

/// The text formats the worker writes a trace in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    /// The CLI's `--trace`.
    Json,
    /// The CLI's `--chrome-trace` (the Trace Event Format, for Perfetto).
    ChromeTrace,
}

impl TraceFormat {
    /// The name in the worker's protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            TraceFormat::Json => "json",
            TraceFormat::ChromeTrace => "chrome-trace",
        }
    }

    pub fn parse(name: &str) -> Option<TraceFormat> {
        [TraceFormat::Json, TraceFormat::ChromeTrace]
            .into_iter()
            .find(|format| format.as_str() == name)
    }
}

/// A worker and the requests waiting for it to be ready.
pub struct Runner {
    worker: Worker,
    ready: Rc<RefCell<bool>>,
    /// The run asked for before the worker was ready.
    pending: Rc<RefCell<Option<JsValue>>>,
    /// The exports asked for before the worker was ready.
    pending_exports: Rc<RefCell<Vec<JsValue>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

fn field(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

impl Runner {
    /// Starts a worker (it begins fetching the VM's wasm at once); its
    /// messages go to `listener`.
    pub fn start(listener: Rc<dyn Fn(WorkerMessage)>) -> Result<Runner, JsValue> {
        let worker = Worker::new(&worker_script())?;
        let ready = Rc::new(RefCell::new(false));
        let pending: Rc<RefCell<Option<JsValue>>> = Rc::new(RefCell::new(None));
        let pending_exports: Rc<RefCell<Vec<JsValue>>> = Rc::new(RefCell::new(Vec::new()));
        let on_message = {
            let ready = ready.clone();
            let pending = pending.clone();
            let pending_exports = pending_exports.clone();
            let worker = worker.clone();
            let listener = listener.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                let message = match field(&data, "kind").as_string().as_deref() {
                    Some("ready") => {
                        *ready.borrow_mut() = true;
                        for request in pending_exports.borrow_mut().drain(..) {
                            let _ = worker.post_message(&request);
                        }
                        if let Some(request) = pending.borrow_mut().take() {
                            let _ = worker.post_message(&request);
                        }
                        WorkerMessage::Ready
                    }
                    Some("progress") => WorkerMessage::Progress {
                        steps: field(&data, "steps").as_f64().unwrap_or(0.0),
                        events: field(&data, "events").as_f64().unwrap_or(0.0),
                        time: field(&data, "time").as_f64().unwrap_or(0.0),
                    },
                    Some("done") => {
                        let trace = field(&data, "trace")
                            .dyn_into::<js_sys::Uint8Array>()
                            .map(|array| array.to_vec())
                            .unwrap_or_default();
                        WorkerMessage::Done {
                            verdict: field(&data, "verdict").as_string().unwrap_or_default(),
                            trace,
                            error_line: field(&data, "errorLine").as_f64().unwrap_or(0.0) as u32,
                            error_column: field(&data, "errorColumn").as_f64().unwrap_or(0.0)
                                as u32,
                            heap_bytes: field(&data, "heapBytes").as_f64().unwrap_or(0.0),
                        }
                    }
                    Some("exported") => {
                        let format = field(&data, "format").as_string();
                        let Some(format) = format.as_deref().and_then(TraceFormat::parse) else {
                            return;
                        };
                        WorkerMessage::Exported {
                            format,
                            text: field(&data, "text"),
                        }
                    }
                    Some("export-failed") => {
                        web_sys::console::error_2(
                            &"Loopscope: cannot export".into(),
                            &field(&data, "error"),
                        );
                        return;
                    }
                    _ => return,
                };
                listener(message);
            })
        };
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            // Empty when the browser gives no message: the page says so
            // in its own words.
            let text = field(&event, "message").as_string().unwrap_or_default();
            event.prevent_default();
            listener(WorkerMessage::Failed(text));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Runner {
            worker,
            ready,
            pending,
            pending_exports,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Runs `source` with `seed` (as soon as the worker is ready).
    pub fn run(&self, source: &str, seed: u64) {
        let request: JsValue =
            js_sys::Array::of2(&JsValue::from_str(source), &JsValue::from(seed as f64)).into();
        if *self.ready.borrow() {
            let _ = self.worker.post_message(&request);
        } else {
            *self.pending.borrow_mut() = Some(request);
        }
    }

    /// Asks the worker for `trace` (in the binary codec) as text in
    /// `format`; the text comes back as [`WorkerMessage::Exported`] (after
    /// the run in progress, if any).
    pub fn export(&self, format: TraceFormat, trace: &[u8]) {
        let request = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&request, &"kind".into(), &"export".into());
        let _ = js_sys::Reflect::set(&request, &"format".into(), &format.as_str().into());
        let _ = js_sys::Reflect::set(
            &request,
            &"trace".into(),
            &js_sys::Uint8Array::from(trace).into(),
        );
        if *self.ready.borrow() {
            let _ = self.worker.post_message(&request);
        } else {
            self.pending_exports.borrow_mut().push(request.into());
        }
    }

    /// Ends the worker at once, whatever it is doing.
    pub fn terminate(&self) {
        self.worker.terminate();
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
