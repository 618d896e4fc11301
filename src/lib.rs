//! Loopscope in the browser: the Yew app around the interpreter.
//!
//! [`App`] is the page; [`mount`] renders it into any element, so the page
//! can be embedded or tested. `src/main.rs` mounts it into the body.

pub mod app;
pub mod chart;
pub mod outline;

pub use app::App;

/// Renders the app into `root`, replacing nothing already there; the handle
/// can destroy it again.
pub fn mount(root: web_sys::Element) -> yew::AppHandle<App> {
    yew::Renderer::<App>::with_root(root).render()
}
