//! Export: the trace as JSON (what the CLI's `--trace` writes), in the
//! Trace Event Format (the CLI's `--chrome-trace`, to open in Perfetto),
//! the timeline canvas as PNG, and the run's output copied to the
//! clipboard. Both traces come from the trace crate's own writers, so the
//! page and the CLI write the same bytes for the same run; the worker runs
//! them (`Runner::export`, from the binary trace the page holds), so the
//! page's wasm does not carry them.
//!
//! Files are downloaded through a `blob:` URL and a link with `download`
//! (which also works from `file://`, for the single-file build). The browser
//! objects are reached through `js_sys::Reflect`, so the page needs no more
//! `web-sys` features.

use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use loopscope_trace::{EventKind, Trace};

pub use crate::runner::TraceFormat;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::app::ReplayRef;
use crate::i18n::{Lang, T};

/// The downloaded files' names.
pub const TRACE_FILE: &str = "loopscope-trace.json";
pub const CHROME_TRACE_FILE: &str = "loopscope-chrome-trace.json";
pub const TIMELINE_FILE: &str = "loopscope-timeline.png";

/// How long "Copied" shows on the copy button.
const COPIED_MILLISECONDS: i32 = 2000;

/// How long a download's `blob:` URL lives (the browser has read it long before).
const BLOB_URL_MILLISECONDS: i32 = 60_000;

/// Everything the run wrote, stdout and stderr interleaved as they came:
/// what the console shows once playback reaches the end.
pub fn output_text(trace: &Trace) -> String {
    trace
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::Output { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct ExportProps {
    /// The replay on show (nothing to export without one).
    pub replay: Option<ReplayRef>,
    /// The timeline canvas (absent when the view hides it).
    pub timeline: NodeRef,
    /// Whether the view shows the timeline.
    pub has_timeline: bool,
    /// The interface's language.
    pub lang: Lang,
    /// Asks the worker for the replay's trace as text ([`save_trace`]
    /// downloads it when it comes).
    pub on_export: Callback<TraceFormat>,
}

/// The export buttons.
#[function_component(Export)]
pub fn export(props: &ExportProps) -> Html {
    let copied = use_state(|| false);
    let trace = props.replay.as_ref().map(|replay| Rc::clone(&replay.0));
    let on_trace = props.on_export.reform(|_: MouseEvent| TraceFormat::Json);
    let on_chrome_trace = props
        .on_export
        .reform(|_: MouseEvent| TraceFormat::ChromeTrace);
    let on_png = {
        let timeline = props.timeline.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(canvas) = timeline.cast::<web_sys::HtmlCanvasElement>() {
                download_canvas(&canvas, TIMELINE_FILE);
            }
        })
    };
    let on_copy = {
        let trace = trace.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(replay) = &trace {
                let copied = copied.clone();
                copy_text(
                    &output_text(&replay.trace),
                    Box::new(move || {
                        copied.set(true);
                        let reset = copied.clone();
                        after(COPIED_MILLISECONDS, move || reset.set(false));
                    }),
                );
            }
        })
    };
    let none = trace.is_none();
    let t = |text: T| props.lang.t(text);
    html! {
        <div class="export" role="group" aria-label={t(T::Export)}>
            <button type="button" class="secondary" data-testid="export-trace" disabled={none}
                onclick={on_trace} title={t(T::TraceJsonTitle)}>{ t(T::TraceJson) }</button>
            <button type="button" class="secondary" data-testid="export-chrome-trace" disabled={none}
                onclick={on_chrome_trace} title={t(T::PerfettoTraceTitle)}>
                { t(T::PerfettoTrace) }</button>
            <button type="button" class="secondary" data-testid="export-png"
                disabled={none || !props.has_timeline} onclick={on_png}
                title={t(T::TimelinePngTitle)}>{ t(T::TimelinePng) }</button>
            <button type="button" class="secondary" data-testid="copy-output" disabled={none}
                onclick={on_copy} title={t(T::CopyOutputTitle)}>
                { if *copied { t(T::Copied) } else { t(T::CopyOutput) } }</button>
        </div>
    }
}

/// Runs `then` after `milliseconds`.
fn after(milliseconds: i32, then: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let callback = Closure::once_into_js(then);
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.unchecked_ref(),
            milliseconds,
        );
    }
}

/// `global[name]`, or undefined.
fn global_property(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Calls `object.method(argument)`.
fn call_method(object: &JsValue, method: &str, argument: &JsValue) -> Result<JsValue, JsValue> {
    Reflect::get(object, &JsValue::from_str(method))?
        .dyn_into::<Function>()?
        .call1(object, argument)
}

/// Downloads a trace the worker wrote in `format` (a JS string).
pub fn save_trace(format: TraceFormat, text: &JsValue) {
    let name = match format {
        TraceFormat::Json => TRACE_FILE,
        TraceFormat::ChromeTrace => CHROME_TRACE_FILE,
    };
    download_text(name, "application/json", text);
}

/// Downloads `text` (a JS string) as a file called `name`.
fn download_text(name: &str, mime: &str, text: &JsValue) {
    let made = (|| -> Result<JsValue, JsValue> {
        let constructor = global_property("Blob").dyn_into::<Function>()?;
        let options = Object::new();
        Reflect::set(&options, &"type".into(), &JsValue::from_str(mime))?;
        let parts = Array::of1(text);
        Reflect::construct(&constructor, &Array::of2(&parts, &options))
    })();
    match made {
        Ok(blob) => download_blob(&blob, name),
        Err(error) => web_sys::console::error_2(&"Loopscope: cannot export".into(), &error),
    }
}

/// Downloads a canvas's picture as a PNG file called `name`.
fn download_canvas(canvas: &web_sys::HtmlCanvasElement, name: &str) {
    let name = name.to_string();
    let on_blob = Closure::once_into_js(move |blob: JsValue| {
        if !blob.is_null() && !blob.is_undefined() {
            download_blob(&blob, &name);
        }
    });
    let asked = Reflect::get(canvas, &"toBlob".into())
        .and_then(|to_blob| to_blob.dyn_into::<Function>())
        .and_then(|to_blob| to_blob.call2(canvas, &on_blob, &"image/png".into()));
    if let Err(error) = asked {
        web_sys::console::error_2(&"Loopscope: cannot save the timeline".into(), &error);
    }
}

/// Saves `blob` through a temporary `blob:` URL and a link with `download`.
fn download_blob(blob: &JsValue, name: &str) {
    let url_api = global_property("URL");
    let Some(url) = call_method(&url_api, "createObjectURL", blob)
        .ok()
        .and_then(|url| url.as_string())
    else {
        return;
    };
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    if let Ok(link) = document.create_element("a") {
        let _ = link.set_attribute("href", &url);
        let _ = link.set_attribute("download", name);
        if let Some(link) = link.dyn_ref::<web_sys::HtmlElement>() {
            link.click();
        }
    }
    after(BLOB_URL_MILLISECONDS, move || {
        let _ = call_method(&url_api, "revokeObjectURL", &JsValue::from_str(&url));
    });
}

/// Puts `text` on the clipboard (`navigator.clipboard`, else the old
/// `execCommand('copy')` from a hidden text area) and calls `done` if it did.
fn copy_text(text: &str, done: Box<dyn FnOnce()>) {
    let clipboard = Reflect::get(&global_property("navigator"), &"clipboard".into())
        .ok()
        .filter(|clipboard| clipboard.is_object());
    let written = clipboard
        .and_then(|clipboard| call_method(&clipboard, "writeText", &JsValue::from_str(text)).ok())
        .and_then(|promise| promise.dyn_into::<js_sys::Promise>().ok());
    match written {
        Some(promise) => {
            let text = text.to_string();
            let done = Rc::new(std::cell::RefCell::new(Some(done)));
            let on_written = {
                let done = Rc::clone(&done);
                Closure::once(move |_: JsValue| {
                    if let Some(done) = done.borrow_mut().take() {
                        done();
                    }
                })
            };
            // Refused (no permission, no focus): try the old way.
            let on_refused = Closure::once(move |_: JsValue| {
                if copy_with_text_area(&text) {
                    if let Some(done) = done.borrow_mut().take() {
                        done();
                    }
                }
            });
            let _ = promise.then2(&on_written, &on_refused);
            on_written.forget();
            on_refused.forget();
        }
        None => {
            if copy_with_text_area(text) {
                done();
            }
        }
    }
}

/// `document.execCommand('copy')` on a hidden text area holding `text`.
fn copy_with_text_area(text: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return false;
    };
    let (Ok(area), Some(body)) = (document.create_element("textarea"), document.body()) else {
        return false;
    };
    let Ok(area) = area.dyn_into::<web_sys::HtmlTextAreaElement>() else {
        return false;
    };
    area.set_value(text);
    let _ = area.set_attribute("readonly", "");
    let _ = area.set_attribute("style", "position:fixed;opacity:0;left:-9999px");
    if body.append_child(&area).is_err() {
        return false;
    }
    area.select();
    let copied = Reflect::get(&document, &"execCommand".into())
        .and_then(|exec| exec.dyn_into::<Function>())
        .and_then(|exec| exec.call1(&document, &"copy".into()))
        .is_ok_and(|result| result.as_bool() == Some(true));
    area.remove();
    copied
}

#[cfg(test)]
mod tests {
    use super::*;
    use loopscope_trace::{Actor, Event, Stream};

    #[test]
    fn the_output_is_every_write_in_order_on_both_streams() {
        let output = |stream, text: &str| Event {
            step: 0,
            time: 0.0,
            iteration: 0,
            kind: EventKind::Output {
                stream,
                text: text.to_string(),
                actor: Actor::Main,
            },
        };
        let trace = Trace {
            events: vec![
                output(Stream::Stdout, "one\ntw"),
                output(Stream::Stderr, "o\nTraceback\n"),
                output(Stream::Stdout, "три\n"),
            ],
            ..Trace::default()
        };
        assert_eq!(output_text(&trace), "one\ntwo\nTraceback\nтри\n");
        assert_eq!(output_text(&Trace::default()), "");
    }
}
