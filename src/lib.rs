//! Loopscope in the browser: the Yew app that runs a program in a Web
//! Worker and plays back its trace.
//!
//! [`App`] is the page; [`mount`] renders it into any element, so the page
//! can be embedded or tested. `src/main.rs` mounts it into the body.
//!
//! Layers: [`replay`] (the state at any moment of a trace), [`layout`]
//! (the geometry the canvases draw), [`gallery`] (the examples) and
//! [`startup`] (what the address asks for) are plain Rust, tested natively; the
//! rest is the only code that touches the DOM.

pub mod app;
pub mod decimal;
pub mod draw;
pub mod editor;
pub mod embed;
pub mod export;
pub mod gallery;
pub mod i18n;
pub mod layout;
pub mod replay;
pub mod runner;
pub mod startup;

pub use app::App;

/// Renders the app into `root`, replacing nothing already there; the handle
/// can destroy it again.
pub fn mount(root: web_sys::Element) -> yew::AppHandle<App> {
    yew::Renderer::<App>::with_root(root).render()
}
