//! The app's components in a real browser (headless Chromium, via
//! wasm-bindgen-test): the page mounts with every test hook; the canvases
//! paint a replay, sharp at the device pixel ratio, tokens where the loop
//! view places them. The worker and the editor script are not part of this
//! test page: the end-to-end tests (`tests/e2e/`) run them on the built site.
//!
//! Run with `cargo xtask test`, or by hand with
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p loopscope-web`.

#![cfg(target_arch = "wasm32")]

use std::collections::HashMap;

use gloo_timers::future::TimeoutFuture;
use loopscope_trace::{Actor, Event, EventKind, Settlement, Stream, Trace, Verdict};
use loopscope_web::layout::{self, Axis};
use loopscope_web::replay::Replay;
use loopscope_web::{draw, mount, App};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{CanvasRenderingContext2d, Document, Element, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The page's own stylesheet: it holds the colours the canvases paint with.
const STYLESHEET: &str = include_str!("../www/style.css");

/// The hooks automated tests rely on (issue 5), kept from now on.
const TEST_IDS: [&str; 12] = [
    "editor",
    "run",
    "stop",
    "play",
    "step-forward",
    "step-back",
    "scrubber",
    "console",
    "loop-view",
    "timeline",
    "task-table",
    "examples",
];

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

/// A fresh element of `width` CSS pixels in the body.
fn container(width: u32) -> Element {
    let document = document();
    install_stylesheet(&document);
    let root = document.create_element("div").expect("create a root");
    root.set_attribute("style", &format!("width: {width}px"))
        .expect("size the root");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("attach the root");
    root
}

fn canvas_in(root: &Element) -> HtmlCanvasElement {
    let canvas: HtmlCanvasElement = document()
        .create_element("canvas")
        .expect("create a canvas")
        .dyn_into()
        .expect("a canvas");
    root.append_child(&canvas).expect("attach the canvas");
    canvas
}

/// Pixels that differ from the top-left one (the background).
fn inked(canvas: &HtmlCanvasElement) -> usize {
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .expect("a context")
        .expect("a 2d context")
        .dyn_into()
        .expect("2d");
    let data = context
        .get_image_data(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        )
        .expect("read the canvas")
        .data();
    let background = [data[0], data[1], data[2]];
    data.chunks_exact(4)
        .filter(|pixel| pixel[..3] != background)
        .count()
}

/// Two tasks: one sleeps, the other prints and is cancelled.
fn trace() -> Trace {
    use EventKind::*;
    let s = |t: &str| t.to_string();
    let kinds = vec![
        (
            0.0,
            TaskCreated {
                task: 1,
                name: s("Task-1"),
                coroutine: s("main()"),
                parent: None,
                line: 9,
            },
        ),
        (
            0.0,
            CallbackScheduled {
                handle: 10,
                callback: s("Task.task_step"),
            },
        ),
        (
            0.0,
            CallbackRun {
                handle: 10,
                callback: s("Task.task_step"),
            },
        ),
        (
            0.0,
            TaskResumed {
                task: 1,
                thrown: None,
            },
        ),
        (
            0.0,
            TaskCreated {
                task: 2,
                name: s("Task-2"),
                coroutine: s("work()"),
                parent: Some(1),
                line: 5,
            },
        ),
        (
            0.0,
            CallbackScheduled {
                handle: 12,
                callback: s("Task.task_step"),
            },
        ),
        (
            0.0,
            TimerSet {
                handle: 11,
                when: 1.0,
                callback: s("_set_result_unless_cancelled"),
            },
        ),
        (
            0.0,
            TaskSuspended {
                task: 1,
                line: 7,
                awaiting: Some(60),
            },
        ),
        (
            0.0,
            CallbackRun {
                handle: 12,
                callback: s("Task.task_step"),
            },
        ),
        (
            0.0,
            TaskResumed {
                task: 2,
                thrown: None,
            },
        ),
        (
            0.0,
            Output {
                stream: Stream::Stdout,
                text: s("hi\n"),
                actor: Actor::Task(2),
            },
        ),
        (
            0.0,
            TaskSuspended {
                task: 2,
                line: 3,
                awaiting: None,
            },
        ),
        (
            0.5,
            CancelRequested {
                task: 2,
                message: None,
            },
        ),
        (
            1.0,
            TaskFinished {
                task: 2,
                settlement: Settlement::Cancelled,
            },
        ),
    ];
    Trace {
        version: 1,
        seed: 0,
        events: kinds
            .into_iter()
            .enumerate()
            .map(|(i, (time, kind))| Event {
                step: i as u64,
                time,
                iteration: 0,
                kind,
            })
            .collect(),
        verdict: Some(Verdict {
            status: s("completed"),
            error: None,
            time: 1.0,
        }),
    }
}

async fn settle() {
    TimeoutFuture::new(30).await;
}

#[wasm_bindgen_test]
async fn the_page_mounts_with_every_test_hook_and_nothing_to_play_yet() {
    let root = container(1000);
    let handle = mount(root.clone());
    for _ in 0..100 {
        if root
            .query_selector("[data-testid=run]")
            .ok()
            .flatten()
            .is_some()
        {
            break;
        }
        settle().await;
    }
    for id in TEST_IDS {
        assert!(
            root.query_selector(&format!("[data-testid={id}]"))
                .ok()
                .flatten()
                .is_some(),
            "no data-testid={id}"
        );
    }
    // Before any run: no verdict, playback disabled.
    assert!(root
        .query_selector("[data-testid=verdict]")
        .unwrap()
        .is_none());
    let play = root.query_selector("[data-testid=play]").unwrap().unwrap();
    assert!(play.has_attribute("disabled"));
    let _: &yew::AppHandle<App> = &handle;
    handle.destroy();
    root.remove();
}

#[wasm_bindgen_test]
async fn the_loop_view_paints_tokens_where_the_layout_puts_them() {
    let root = container(480);
    let canvas = canvas_in(&root);
    let replay = Replay::new(trace());
    let state = replay.state_at(8);
    let layout = layout::loop_view(&replay, &state, draw::css_width(&canvas));
    draw::loop_view(&canvas, &layout, &HashMap::new()).expect("draws");
    let ratio = web_sys::window().unwrap().device_pixel_ratio();
    assert_eq!(f64::from(canvas.width()), (480.0 * ratio).round());
    assert_eq!(
        f64::from(canvas.height()),
        (layout.height.ceil() * ratio).round()
    );
    assert!(inked(&canvas) > 500, "the loop view is blank");
    // The ready queue's token (Task-2) is painted in Task-2's colour.
    let token = layout
        .tokens
        .iter()
        .find(|t| t.key == layout::TokenKey::Task(2))
        .expect("Task-2 is in the ready queue");
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let pixel = context
        .get_image_data(
            (token.x * ratio).round(),
            (token.y * ratio).round(),
            1.0,
            1.0,
        )
        .unwrap()
        .data();
    let probe = document().create_element("span").unwrap();
    root.append_child(&probe).unwrap();
    probe
        .set_attribute("style", "color: var(--task-1)")
        .unwrap();
    let expected = web_sys::window()
        .unwrap()
        .get_computed_style(&probe)
        .unwrap()
        .unwrap()
        .get_property_value("color")
        .unwrap();
    assert_eq!(
        format!("rgb({}, {}, {})", pixel[0], pixel[1], pixel[2]),
        expected,
        "Task-2's token"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn the_timeline_paints_lanes_on_both_axes() {
    let root = container(600);
    let canvas = canvas_in(&root);
    let replay = Replay::new(trace());
    for axis in [Axis::Time, Axis::Step] {
        let layout = layout::timeline(&replay, axis, replay.len(), 1.0, draw::css_width(&canvas));
        assert_eq!(layout.lanes.len(), 2);
        draw::timeline(&canvas, &layout).expect("draws");
        assert!(inked(&canvas) > 300, "the timeline is blank on {axis:?}");
    }
    root.remove();
}

/// Pixels of the plot (right of the lane labels) that differ from the
/// background.
fn inked_plot(canvas: &HtmlCanvasElement, from_x: u32) -> usize {
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .expect("a context")
        .expect("a 2d context")
        .dyn_into()
        .expect("2d");
    let (width, height) = (canvas.width(), canvas.height());
    let data = context
        .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
        .expect("read the canvas")
        .data();
    let background = [data[0], data[1], data[2]];
    data.chunks_exact(4)
        .enumerate()
        .filter(|(k, pixel)| (*k as u32 % width) >= from_x && pixel[..3] != background)
        .count()
}

#[wasm_bindgen_test]
async fn the_timeline_painter_reveals_its_cached_picture_up_to_the_cursor() {
    let root = container(600);
    let canvas = canvas_in(&root);
    let replay = Replay::new(trace());
    let mut painter = draw::TimelinePainter::default();
    let plot_left =
        (layout::LABEL_WIDTH * web_sys::window().unwrap().device_pixel_ratio()) as u32 + 2;
    let mut inked_at = Vec::new();
    // The cursor's own 2 px column is inked at every moment; the lanes'
    // bars grow behind it.
    for index in [0, replay.len() / 2, replay.len()] {
        let time = replay.time_at(index);
        painter
            .paint(&canvas, &replay, 1, Axis::Step, 0, index, time)
            .expect("paints");
        inked_at.push(inked_plot(&canvas, plot_left));
    }
    assert!(
        inked_at[0] < inked_at[1] && inked_at[1] < inked_at[2],
        "{inked_at:?}"
    );
    // Back to the start: the same picture as the first time.
    painter
        .paint(&canvas, &replay, 1, Axis::Step, 0, 0, 0.0)
        .expect("paints");
    assert_eq!(inked_plot(&canvas, plot_left), inked_at[0]);
    // The same picture as the painter that draws everything at once.
    let whole = canvas_in(&root);
    let layout = layout::timeline(
        &replay,
        Axis::Step,
        replay.len(),
        1.0,
        draw::css_width(&whole),
    );
    draw::timeline(&whole, &layout).expect("draws");
    assert_eq!(
        (whole.width(), whole.height()),
        (canvas.width(), canvas.height())
    );
    root.remove();
}
