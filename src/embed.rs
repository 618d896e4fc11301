//! Embed mode (`?embed=1`): the page inside a course page's iframe tells
//! its parent how tall it is, `postMessage({type: "loopscope:resize",
//! height})`, each time its height changes, so the iframe can fit it.

use std::cell::Cell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The message's `type`.
pub const RESIZE_MESSAGE: &str = "loopscope:resize";

/// Watches the body's height while it lives.
pub struct ResizeReporter {
    observer: web_sys::ResizeObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl ResizeReporter {
    /// `None` outside a browser page (or without ResizeObserver).
    pub fn install() -> Option<ResizeReporter> {
        let window = web_sys::window()?;
        let body = window.document()?.body()?;
        let last_height = Cell::new(-1.0);
        let measured = body.clone();
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_: js_sys::Array| {
            let height = f64::from(measured.offset_height());
            if height != last_height.get() {
                last_height.set(height);
                post_height(height);
            }
        });
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(&body);
        Some(ResizeReporter {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for ResizeReporter {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Posts the height to the parent page (any origin: the height is no
/// secret, and a course page may live anywhere). A page that is not in a
/// frame is its own parent and gets the message too, which harms nothing.
fn post_height(height: f64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &RESIZE_MESSAGE.into());
    let _ = js_sys::Reflect::set(&message, &"height".into(), &JsValue::from_f64(height));
    let _ = parent.post_message(&message, "*");
}
