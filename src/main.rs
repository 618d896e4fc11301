//! The site's entry point: renders the app into the page's body.

fn main() {
    let body = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.body());
    match body {
        Some(body) => {
            loopscope_web::mount(body.into());
        }
        None => {
            web_sys::console::error_1(&"Loopscope: the page has no <body> to render into".into())
        }
    }
}
