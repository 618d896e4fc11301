//! The app in a real browser (headless Chromium, via wasm-bindgen-test): it
//! is mounted into a fresh element, a program is put in the editor, Run is
//! clicked, and the result text and the canvas's pixels are read back.
//!
//! Run with `cargo xtask test`, or by hand with
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p loopscope-web`.

#![cfg(target_arch = "wasm32")]

use std::collections::BTreeSet;

use gloo_timers::future::TimeoutFuture;
use loopscope_web::{mount, App};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{
    CanvasRenderingContext2d, Document, Element, HtmlCanvasElement, HtmlElement,
    HtmlTextAreaElement,
};

wasm_bindgen_test_configure!(run_in_browser);

/// The page's own stylesheet: it holds the colours the chart paints with.
const STYLESHEET: &str = include_str!("../www/style.css");

/// How often, 20 ms apart, to look for something the page should show.
const ATTEMPTS: u32 = 250;

type Rgb = (u8, u8, u8);

/// One mounted app inside its own element.
struct MountedApp {
    root: Element,
    handle: Option<yew::AppHandle<App>>,
}

impl MountedApp {
    async fn new() -> MountedApp {
        let document = document();
        install_stylesheet(&document);
        let root = document
            .create_element("div")
            .expect("create a root element");
        root.set_attribute("style", "width: 720px")
            .expect("size the root");
        document
            .body()
            .expect("the test page has a body")
            .append_child(&root)
            .expect("attach the root");
        let handle = Some(mount(root.clone()));
        let app = MountedApp { root, handle };
        wait_until("the app renders its Run button", || {
            app.find("run").is_some()
        })
        .await;
        app
    }

    fn find(&self, test_id: &str) -> Option<Element> {
        self.root
            .query_selector(&format!("[data-testid={test_id}]"))
            .ok()
            .flatten()
    }

    fn element<T: JsCast>(&self, test_id: &str) -> T {
        self.find(test_id)
            .unwrap_or_else(|| panic!("no element with data-testid={test_id}"))
            .dyn_into::<T>()
            .unwrap_or_else(|_| panic!("data-testid={test_id} has another element type"))
    }

    fn result_text(&self) -> String {
        self.element::<HtmlElement>("result").inner_text()
    }

    /// Types `program` into the editor, clicks Run and returns the result
    /// text once the page has replaced the previous one.
    async fn run(&self, program: &str) -> String {
        let before = self.result_text();
        self.element::<HtmlTextAreaElement>("editor")
            .set_value(program);
        self.element::<HtmlElement>("run").click();
        wait_until("the result text changes after Run", || {
            self.result_text() != before
        })
        .await;
        self.result_text()
    }

    /// The colours the stylesheet gives the three statement kinds, resolved
    /// through a probe element (computed colours read `rgb(r, g, b)`).
    fn palette(&self) -> [Rgb; 3] {
        let probe = document().create_element("span").expect("create a probe");
        self.root.append_child(&probe).expect("attach the probe");
        let color = |property: &str| {
            probe
                .set_attribute("style", &format!("color: var({property})"))
                .expect("style the probe");
            let computed = web_sys::window()
                .expect("window")
                .get_computed_style(&probe)
                .expect("computed style")
                .expect("the probe has a style")
                .get_property_value("color")
                .expect("read the colour");
            parse_rgb(&computed)
                .unwrap_or_else(|| panic!("{property} computes to {computed:?}, not rgb()"))
        };
        let palette = [
            color("--kind-function"),
            color("--kind-class"),
            color("--kind-other"),
        ];
        probe.remove();
        palette
    }

    /// Every fully opaque colour on the canvas.
    fn canvas_colors(&self) -> BTreeSet<Rgb> {
        let canvas = self.element::<HtmlCanvasElement>("canvas");
        let context: CanvasRenderingContext2d = canvas
            .get_context("2d")
            .expect("get a context")
            .expect("a 2d context")
            .dyn_into()
            .expect("a CanvasRenderingContext2d");
        let (width, height) = (canvas.width(), canvas.height());
        assert!(width > 0 && height > 0, "the canvas has no pixels");
        let pixels = context
            .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
            .expect("read the canvas")
            .data();
        pixels
            .chunks_exact(4)
            .filter(|pixel| pixel[3] == 255)
            .map(|pixel| (pixel[0], pixel[1], pixel[2]))
            .collect()
    }

    /// The statement-kind colours painted on the canvas, as
    /// [function, class, other] flags.
    fn kinds_drawn(&self) -> [bool; 3] {
        let colors = self.canvas_colors();
        self.palette().map(|color| colors.contains(&color))
    }
}

impl Drop for MountedApp {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
        self.root.remove();
    }
}

fn document() -> Document {
    web_sys::window()
        .and_then(|window| window.document())
        .expect("the test runs in a page")
}

fn install_stylesheet(document: &Document) {
    const ID: &str = "loopscope-stylesheet";
    if document.get_element_by_id(ID).is_some() {
        return;
    }
    let style = document.create_element("style").expect("create <style>");
    style.set_id(ID);
    style.set_text_content(Some(STYLESHEET));
    document
        .head()
        .expect("the test page has a head")
        .append_child(&style)
        .expect("attach the stylesheet");
}

/// `rgb(47, 111, 223)` as (47, 111, 223).
fn parse_rgb(text: &str) -> Option<Rgb> {
    let inside = text.strip_prefix("rgb(")?.strip_suffix(')')?;
    let mut channels = inside
        .split(',')
        .map(|channel| channel.trim().parse::<u8>().ok());
    let rgb = (channels.next()??, channels.next()??, channels.next()??);
    channels.next().is_none().then_some(rgb)
}

/// Lets the page render until `condition` holds; fails the test if it never
/// does.
async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..ATTEMPTS {
        if condition() {
            return;
        }
        TimeoutFuture::new(20).await;
    }
    panic!("gave up waiting until {what}");
}

#[wasm_bindgen_test]
async fn run_counts_statements_and_draws_one_bar_colour_per_kind() {
    let app = MountedApp::new().await;
    assert_eq!(app.result_text(), "Press Run to parse the program.");
    assert_eq!(app.kinds_drawn(), [false, false, false], "drawn before Run");

    let program = "async def main():\n    pass\n\n\nclass Box:\n    size = 1\n    \
                   weight = 2\n\n\nmain()\n";
    assert_eq!(app.run(program).await, "3 statements");
    wait_until("the canvas shows bars", || app.kinds_drawn() != [false; 3]).await;
    assert_eq!(app.kinds_drawn(), [true, true, true]);

    assert_eq!(app.run("import asyncio\nx = 1\n").await, "2 statements");
    wait_until("the canvas redraws", || !app.kinds_drawn()[0]).await;
    assert_eq!(app.kinds_drawn(), [false, false, true]);
}

#[wasm_bindgen_test]
async fn a_syntax_error_is_reported_with_its_line_and_clears_the_chart() {
    let app = MountedApp::new().await;
    assert_eq!(app.run("def f():\n    return 1\n").await, "1 statement");
    wait_until("the canvas shows a bar", || app.kinds_drawn()[0]).await;

    let result = app.run("x = 1\ny = = 2\n").await;
    assert!(
        result.starts_with("SyntaxError: invalid syntax (line 2, column "),
        "unexpected result: {result}"
    );
    let class = app.element::<Element>("result").class_name();
    assert!(class.contains("result-error"), "result class: {class}");
    wait_until("the canvas clears", || app.kinds_drawn() == [false; 3]).await;
}
