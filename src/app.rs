//! The page: an editor holding a Python program, a Run button that parses it
//! in the browser, the outcome in words, and a chart of its statements.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::chart;
use crate::outline::{ParseOutcome, StatementKind, StatementSpan};

/// The program the editor opens with.
pub const DEFAULT_PROGRAM: &str = r#"import asyncio


async def say_after(delay, what):
    await asyncio.sleep(delay)
    print(what)


class Clock:
    def __init__(self):
        self.ticks = 0


async def main():
    await asyncio.gather(
        say_after(1, "hello"),
        say_after(2, "world"),
    )


asyncio.run(main())
"#;

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let editor = use_node_ref();
    let canvas = use_node_ref();
    let outcome = use_state(|| ParseOutcome::NotRun);

    let on_run = {
        let editor = editor.clone();
        let outcome = outcome.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(textarea) = editor.cast::<HtmlTextAreaElement>() {
                outcome.set(ParseOutcome::of_source(&textarea.value()));
            }
        })
    };

    {
        let canvas = canvas.clone();
        use_effect_with((*outcome).clone(), move |outcome| {
            let spans = outcome.spans().to_vec();
            redraw(&canvas, &spans);
            RedrawOnViewChange::install(canvas, spans)
        });
    }

    let result_class = match *outcome {
        ParseOutcome::Failed(_) => "result result-error",
        ParseOutcome::NotRun | ParseOutcome::Parsed(_) => "result",
    };

    html! {
        <>
            <header class="masthead">
                <h1>{ "Loopscope" }</h1>
                <p class="tagline">{ "Watch a Python asyncio program run on its event loop." }</p>
            </header>
            <main class="workbench">
                <section class="editor-pane" aria-label="Program">
                    <label class="pane-title" for="program">{ "Python program" }</label>
                    <textarea
                        id="program"
                        ref={editor}
                        data-testid="editor"
                        spellcheck="false"
                        autocapitalize="off"
                        autocomplete="off"
                        defaultvalue={DEFAULT_PROGRAM}
                    />
                    <div class="actions">
                        <button type="button" data-testid="run" onclick={on_run}>{ "Run" }</button>
                        <output class={result_class} data-testid="result" role="status" aria-live="polite">
                            { outcome.message() }
                        </output>
                    </div>
                </section>
                <section class="chart-pane" aria-label="Statements">
                    <h2 class="pane-title">{ "Top-level statements" }</h2>
                    <canvas
                        ref={canvas}
                        data-testid="canvas"
                        role="img"
                        aria-label={chart::describe(outcome.spans())}
                    />
                    <ul class="legend">
                        { for StatementKind::ALL.iter().map(|&kind| legend_entry(kind)) }
                    </ul>
                    <p class="chart-note">{ "Bar height: lines the statement spans." }</p>
                </section>
            </main>
        </>
    }
}

fn legend_entry(kind: StatementKind) -> Html {
    let swatch_style = format!("background: var({})", kind.color_property());
    html! {
        <li>
            <span class="swatch" style={swatch_style}></span>
            { kind.label() }
        </li>
    }
}

/// Draws the chart if the canvas is mounted; a failure is logged, never a
/// panic (a panic would stop the whole page).
fn redraw(canvas: &NodeRef, spans: &[StatementSpan]) {
    if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
        if let Err(error) = chart::draw(&canvas, spans) {
            web_sys::console::error_2(&"Loopscope could not draw the chart:".into(), &error);
        }
    }
}

/// Redraws the chart when the window is resized or zoomed (which changes the
/// device pixel ratio) and when the colour scheme flips between light and
/// dark. Dropping it removes the listeners.
struct RedrawOnViewChange {
    listener: Closure<dyn Fn()>,
    window: Option<web_sys::Window>,
    scheme: Option<web_sys::MediaQueryList>,
}

impl RedrawOnViewChange {
    fn install(canvas: NodeRef, spans: Vec<StatementSpan>) -> impl FnOnce() {
        let listener = Closure::<dyn Fn()>::new(move || redraw(&canvas, &spans));
        let window = web_sys::window();
        let scheme = window
            .as_ref()
            .and_then(|window| window.match_media("(prefers-color-scheme: dark)").ok())
            .flatten();
        let callback = listener.as_ref().unchecked_ref();
        if let Some(window) = &window {
            // Adding a listener only fails for a non-callable callback.
            let _ = window.add_event_listener_with_callback("resize", callback);
        }
        if let Some(scheme) = &scheme {
            let _ = scheme.add_event_listener_with_callback("change", callback);
        }
        let installed = RedrawOnViewChange {
            listener,
            window,
            scheme,
        };
        move || drop(installed)
    }
}

impl Drop for RedrawOnViewChange {
    fn drop(&mut self) {
        let callback = self.listener.as_ref().unchecked_ref();
        if let Some(window) = &self.window {
            let _ = window.remove_event_listener_with_callback("resize", callback);
        }
        if let Some(scheme) = &self.scheme {
            let _ = scheme.remove_event_listener_with_callback("change", callback);
        }
    }
}
