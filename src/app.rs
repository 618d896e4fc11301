//! The page: the editor, the gallery, Run/Stop/Share and progress, the
//! verdict, the playback controls, the loop view and the timeline
//! (canvases), the console and the task table; in embed mode
//! (`?embed=1`) without the header, telling the parent page its height.
//!
//! State lives in one reducer ([`Model`]); effects do what touches the
//! outside: the worker (`runner.rs`), the editor (`editor.rs`), the
//! canvases (`draw.rs`), the animation frames and the keyboard.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use loopscope_trace::{Settlement, Stream};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement, KeyboardEvent};
use yew::prelude::*;

use loopscope_link::View;

use crate::decimal::{fixed3, trimmed};
use crate::draw::{self, task_colour_property};
use crate::editor::CodeEditor;
use crate::gallery;
use crate::i18n::{Lang, T};
use crate::layout::{self, Axis, TokenKey};
use crate::replay::{GeneratorState, Playhead, Replay, State, TaskState};
use crate::runner::{Runner, WorkerMessage};
use crate::startup::{Problem, Startup};
pub use crate::startup::{SPEEDS, SPEED_NAMES};

/// How often the text panels follow the playback while it plays: the
/// canvases redraw every frame, a table of a thousand tasks cannot.
pub const PANEL_EVERY_SECONDS: f64 = 0.25;

/// The text views that follow the playhead: each is rebuilt on its own
/// frame while playing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Console,
    Tasks,
    Events,
    /// The canvases' text descriptions (their `aria-label`s).
    Summaries,
}

impl Panel {
    pub const COUNT: usize = 4;
}

/// How often the editor's task lines follow the playback while it plays:
/// CodeMirror's update costs a frame's worth of work each time.
pub const EDITOR_LINES_EVERY_SECONDS: f64 = 1.0;

/// Where running stands.
#[derive(Clone, Debug, PartialEq)]
pub enum RunPhase {
    /// Nothing asked yet.
    Idle,
    /// Sent to the worker; `steps` so far (0 while it loads).
    Running {
        steps: f64,
        events: f64,
        /// The virtual clock the run has reached.
        time: f64,
    },
    Stopped,
    /// The worker could not run (it failed to load, or crashed).
    Failed(String),
    Finished,
}

/// The page's state.
#[derive(Clone)]
pub struct Model {
    pub phase: RunPhase,
    /// The replay on show: the last run that produced events.
    pub replay: Option<Rc<Replay>>,
    /// The replay's trace in the binary codec, as the worker sent it (the
    /// worker writes the exports from it).
    pub trace_bytes: Rc<[u8]>,
    /// Bumped for each new replay (the views cache by it).
    pub generation: u64,
    /// The CLI's `--json` verdict of the last finished run.
    pub verdict: Option<String>,
    /// Which run (counting Run presses) the verdict is of.
    pub verdict_run: u64,
    pub error_text: Option<String>,
    /// `(line, column, message)` to mark in the editor.
    pub error_mark: Option<(u32, u32, String)>,
    pub head: Playhead,
    /// The moment each text panel ([`Panel`]) shows: the head's, but while
    /// playing updated only every [`PANEL_EVERY_SECONDS`], one panel at a
    /// time in turn, so that no single frame rebuilds them all.
    pub panel_indexes: [usize; Panel::COUNT],
    panel_clock: f64,
    /// The panel the next refresh while playing updates.
    next_panel: usize,
    /// The moment the editor's task lines show: the head's, but while
    /// playing updated only every [`EDITOR_LINES_EVERY_SECONDS`].
    pub editor_index: usize,
    editor_clock: f64,
    pub playing: bool,
    pub speed: f64,
    pub seed: u64,
    pub axis: Axis,
    /// Bumped when a run is asked for (the effect reads the editor).
    pub run_requests: u64,
    /// Bumped when Stop is pressed (the effect restarts the worker).
    pub stop_requests: u64,
    /// Bumped when the window changes size or scheme.
    pub resizes: u64,
    /// The worker has loaded the interpreter (a run asked for before is
    /// queued and says so).
    pub runner_ready: bool,
    /// The program line of the last frame of the run's traceback, if it
    /// ended with an uncaught exception.
    pub error_frame: Option<u32>,
    /// A program line a traceback link asked the editor to show, and how
    /// many times one was asked (the same line twice shows it twice).
    pub shown_line: Option<(u32, u64)>,
    /// Which canvases show.
    pub view: View,
    /// The interface's language (and the gallery's titles and notes').
    pub lang: Lang,
    /// The gallery example in the editor (its note shows), if any.
    pub example: Option<&'static str>,
    /// Why the address could not be opened as asked.
    pub problem: Option<Problem>,
    /// `?embed=1`: no header, a compact page for an iframe.
    pub embed: bool,
    /// The last share link made.
    pub share_link: Option<String>,
    /// Bumped when the keyboard help is asked for (the effect opens it).
    pub help_requests: u64,
    /// `prefers-reduced-motion: reduce`: no tokens travelling, and a run
    /// shows its end instead of playing by itself.
    pub reduced_motion: bool,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            phase: RunPhase::Idle,
            replay: None,
            trace_bytes: Rc::from(Vec::new()),
            generation: 0,
            verdict: None,
            verdict_run: 0,
            error_text: None,
            error_mark: None,
            head: Playhead {
                index: 0,
                time: 0.0,
                carry: 0.0,
            },
            panel_indexes: [0; Panel::COUNT],
            panel_clock: 0.0,
            next_panel: 0,
            editor_index: 0,
            editor_clock: 0.0,
            playing: false,
            speed: 1.0,
            seed: 0,
            axis: Axis::Time,
            run_requests: 0,
            stop_requests: 0,
            resizes: 0,
            runner_ready: false,
            shown_line: None,
            error_frame: None,
            view: View::Both,
            lang: Lang::En,
            example: None,
            problem: None,
            embed: false,
            share_link: None,
            help_requests: 0,
            reduced_motion: false,
        }
    }
}

impl Model {
    /// The model the page opens with (see `startup.rs`).
    pub fn starting(start: &Startup) -> Model {
        Model {
            seed: start.seed,
            speed: start.speed,
            view: start.view,
            lang: start.lang,
            example: start.example.map(|example| example.id),
            problem: start.problem.clone(),
            embed: start.embed,
            ..Model::default()
        }
    }
}

impl PartialEq for Model {
    fn eq(&self, other: &Self) -> bool {
        self.phase == other.phase
            && self.generation == other.generation
            && self.verdict == other.verdict
            && self.head == other.head
            && self.panel_indexes == other.panel_indexes
            && self.editor_index == other.editor_index
            && self.playing == other.playing
            && self.speed == other.speed
            && self.seed == other.seed
            && self.axis == other.axis
            && self.run_requests == other.run_requests
            && self.stop_requests == other.stop_requests
            && self.resizes == other.resizes
            && self.error_mark == other.error_mark
            && self.runner_ready == other.runner_ready
            && self.shown_line == other.shown_line
            && self.view == other.view
            && self.lang == other.lang
            && self.example == other.example
            && self.problem == other.problem
            && self.share_link == other.share_link
            && self.help_requests == other.help_requests
    }
}

pub enum Action {
    Run,
    Stop,
    Worker(WorkerMessage),
    TogglePlay,
    /// Wall seconds since the last animation frame.
    Tick(f64),
    Seek(usize),
    Step(i64),
    Home,
    End,
    Speed(f64),
    Seed(u64),
    NewSeed,
    ToggleAxis,
    Resized,
    /// Show this program line in the editor (a traceback's link).
    ShowLine(u32),
    View(View),
    /// A gallery example was put into the editor.
    Example(&'static str),
    /// "Share" made this link.
    Shared(String),
    DismissProblem,
    /// The language switch.
    Lang(Lang),
    /// Open the keyboard help.
    Help,
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut model = (*self).clone();
        let len = model.replay.as_ref().map_or(0, |r| r.len());
        let seek = |model: &mut Model, index: usize| {
            if let Some(replay) = &model.replay {
                model.head = Playhead::at(replay, index);
            }
        };
        match action {
            Action::Run => {
                model.run_requests += 1;
                model.phase = RunPhase::Running {
                    steps: 0.0,
                    events: 0.0,
                    time: 0.0,
                };
                model.playing = false;
            }
            Action::Stop => {
                if matches!(model.phase, RunPhase::Running { .. }) {
                    model.stop_requests += 1;
                    model.phase = RunPhase::Stopped;
                    model.runner_ready = false;
                }
            }
            Action::Worker(message) => match message {
                WorkerMessage::Ready => model.runner_ready = true,
                WorkerMessage::Progress {
                    steps,
                    events,
                    time,
                } => {
                    if !matches!(model.phase, RunPhase::Running { .. }) {
                        return self;
                    }
                    model.phase = RunPhase::Running {
                        steps,
                        events,
                        time,
                    };
                }
                // Downloaded where the worker's message arrives (start_runner).
                WorkerMessage::Exported { .. } => return self,
                WorkerMessage::Failed(text) => {
                    model.phase = RunPhase::Failed(text);
                    model.stop_requests += 1;
                    model.runner_ready = false;
                }
                WorkerMessage::Done {
                    verdict,
                    trace,
                    error_line,
                    error_column,
                    heap_bytes,
                } => {
                    if !matches!(model.phase, RunPhase::Running { .. }) {
                        return self;
                    }
                    model.phase = RunPhase::Finished;
                    // Memory programs' reference cycles left in the worker
                    // stays there: past a point, a fresh worker takes over
                    // (as Stop does), before the next run needs it.
                    if heap_bytes > RECYCLE_WORKER_ABOVE_BYTES {
                        model.stop_requests += 1;
                        model.runner_ready = false;
                    }
                    let (_, error) = verdict_summary(&verdict, model.lang);
                    model.verdict = Some(verdict);
                    model.verdict_run = model.run_requests;
                    model.error_frame = None;
                    model.error_text = error.clone();
                    model.error_mark = match (error, error_line) {
                        (Some(message), line) if line > 0 => Some((line, error_column, message)),
                        _ => None,
                    };
                    // A program that never ran (it did not parse) keeps the
                    // last trace on show.
                    let never_ran = model.error_text.as_deref().is_some_and(|error| {
                        ["SyntaxError", "IndentationError", "TabError"]
                            .iter()
                            .any(|kind| error.starts_with(kind))
                    });
                    match loopscope_trace::codec::decode(&trace) {
                        Ok(decoded) if !never_ran || model.replay.is_none() => {
                            let replay = Replay::new(decoded);
                            model.error_frame = model
                                .error_text
                                .as_ref()
                                .and_then(|_| last_traceback_frame(&replay));
                            // Work that takes no virtual time (a plain
                            // generator program) is all at 0 s: use steps.
                            if replay.end_time() == 0.0 && !replay.is_empty() {
                                model.axis = Axis::Step;
                            }
                            model.head = Playhead::at(&replay, 0);
                            // Reduced motion: the end, at once.
                            if model.reduced_motion {
                                model.head = Playhead {
                                    index: replay.len(),
                                    time: replay.end_time(),
                                    carry: 0.0,
                                };
                            }
                            model.replay = Some(Rc::new(replay));
                            model.trace_bytes = Rc::from(trace);
                            model.generation += 1;
                            model.playing = !model.reduced_motion;
                        }
                        Ok(_) => {}
                        Err(error) => model.error_text = Some(error.to_string()),
                    }
                }
            },
            Action::TogglePlay => {
                if let Some(replay) = &model.replay {
                    if !model.playing && model.head.at_end(replay) {
                        model.head = Playhead::at(replay, 0);
                    }
                    model.playing = !model.playing;
                }
            }
            Action::Tick(seconds) => {
                let Some(replay) = model.replay.clone() else {
                    return self;
                };
                if !model.playing {
                    return self;
                }
                model.head = model.head.advance(&replay, seconds, model.speed);
                if model.head.at_end(&replay) {
                    model.playing = false;
                }
                model.panel_clock += seconds;
                if !model.playing {
                    model.panel_clock = 0.0;
                    model.panel_indexes = [model.head.index; Panel::COUNT];
                } else if model.panel_clock >= PANEL_EVERY_SECONDS / Panel::COUNT as f64 {
                    model.panel_clock = 0.0;
                    model.panel_indexes[model.next_panel] = model.head.index;
                    model.next_panel = (model.next_panel + 1) % Panel::COUNT;
                }
                model.editor_clock += seconds;
                if model.editor_clock >= EDITOR_LINES_EVERY_SECONDS || !model.playing {
                    model.editor_clock = 0.0;
                    model.editor_index = model.head.index;
                }
                return Rc::new(model);
            }
            Action::Seek(index) => {
                model.playing = false;
                seek(&mut model, index);
            }
            Action::Step(by) => {
                model.playing = false;
                let index = (model.head.index as i64 + by).clamp(0, len as i64) as usize;
                seek(&mut model, index);
            }
            Action::Home => {
                model.playing = false;
                seek(&mut model, 0);
            }
            Action::End => {
                model.playing = false;
                if let Some(replay) = &model.replay {
                    model.head = Playhead {
                        index: replay.len(),
                        time: replay.end_time(),
                        carry: 0.0,
                    };
                }
            }
            Action::Speed(speed) => model.speed = speed,
            Action::Seed(seed) => model.seed = seed,
            Action::NewSeed => model.seed = (js_sys::Math::random() * 1e9) as u64,
            Action::ToggleAxis => {
                model.axis = match model.axis {
                    Axis::Time => Axis::Step,
                    Axis::Step => Axis::Time,
                }
            }
            Action::Resized => model.resizes += 1,
            Action::ShowLine(line) => {
                let asked = model.shown_line.map_or(0, |(_, count)| count);
                model.shown_line = Some((line, asked + 1));
                return Rc::new(model);
            }
            Action::View(view) => {
                model.view = view;
                model.resizes += 1;
            }
            Action::Example(id) => {
                model.example = Some(id);
                model.problem = None;
                model.share_link = None;
            }
            Action::Shared(link) => model.share_link = Some(link),
            Action::DismissProblem => model.problem = None,
            Action::Lang(lang) => {
                model.lang = lang;
                // The canvases' labels change: paint them again.
                model.resizes += 1;
            }
            Action::Help => model.help_requests += 1,
        }
        model.panel_indexes = [model.head.index; Panel::COUNT];
        model.editor_index = model.head.index;
        Rc::new(model)
    }
}

/// The verdict's status in words (in `lang`), and its error line if any.
fn verdict_summary(verdict: &str, lang: Lang) -> (String, Option<String>) {
    let field = |key: &str| -> Option<String> {
        let start = verdict.find(&format!("\"{key}\": "))? + key.len() + 4;
        let rest = &verdict[start..];
        if rest.starts_with("null") {
            return None;
        }
        let rest = rest.strip_prefix('"')?;
        // The JSON string up to its closing quote (escapes kept simple).
        let mut out = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(out),
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    other => out.push(other),
                },
                c => out.push(c),
            }
        }
        None
    };
    let status = field("status").unwrap_or_else(|| "?".to_string());
    let time = verdict
        .rsplit("\"time\": ")
        .next()
        .map(|t| t.trim_end_matches('}').to_string())
        .unwrap_or_default();
    (friendly_status(lang, &status, &time), field("error"))
}

/// The verdict's status for a person: what happened, in a few words (the
/// exact verdict stays in the `verdict` element).
fn friendly_status(lang: Lang, status: &str, time: &str) -> String {
    let text = match status {
        "completed" => T::Completed,
        "error" => T::Failed,
        "idle-forever" => T::IdleForever,
        "time-limit" => T::TimeLimit,
        "hang" => T::Hang,
        "unsupported" => T::Unsupported,
        other => return lang.fill(T::OtherStatus, &[&other, &time]),
    };
    lang.fill(text, &[&time])
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let start = use_memo((), |_| startup_from_address());
    let model = {
        let start = start.clone();
        use_reducer(move || Model {
            reduced_motion: prefers_reduced_motion(),
            ..Model::starting(&start)
        })
    };
    let help_dialog = use_node_ref();
    let loop_canvas = use_node_ref();
    let timeline_canvas = use_node_ref();
    // The editor is made in the first render, not in an effect after it:
    // Yew may hand the browser a style, layout and paint between a render
    // and its effects, and the program must be editable and runnable from
    // the first paint. Its host element is the page's (rendered as a
    // reference), its contents the editor's (CodeMirror replaces them).
    let on_run = {
        let dispatcher = model.dispatcher();
        use_memo((), move |_| {
            Closure::<dyn Fn()>::new(move || dispatcher.dispatch(Action::Run))
        })
    };
    let editor_host = use_memo((), |_| crate::editor::host_element());
    let editor: Rc<RefCell<Option<CodeEditor>>> = {
        let (host, start, on_run) = (editor_host.clone(), start.clone(), on_run.clone());
        use_mut_ref(move || {
            let on_run = on_run.as_ref().as_ref().unchecked_ref::<js_sys::Function>();
            host.as_ref()
                .as_ref()
                .and_then(|host| CodeEditor::plain(host, &start.program, on_run.clone()))
        })
    };
    let runner: Rc<RefCell<Option<Runner>>> = use_mut_ref(|| None);
    let view_cache: Rc<RefCell<ViewCache>> = use_mut_ref(ViewCache::default);

    // Mount: CodeMirror in the plain editor's place once the page has
    // painted, the worker (it starts fetching the VM now that the page has
    // painted), the keyboard and resize listeners.
    {
        let editor = editor.clone();
        let editor_host = editor_host.clone();
        let on_run = on_run.clone();
        let runner = runner.clone();
        let dispatcher = model.dispatcher();
        let loop_canvas = loop_canvas.clone();
        let timeline_canvas = timeline_canvas.clone();
        let start = start.clone();
        use_effect_with((), move |_| {
            let listeners = Listeners::install(dispatcher.clone());
            for canvas in [&loop_canvas, &timeline_canvas] {
                if let Some(canvas) = canvas.cast::<web_sys::Element>() {
                    listeners.watch_width(&canvas);
                }
            }
            let resize_reporter = start
                .embed
                .then(crate::embed::ResizeReporter::install)
                .flatten();
            let on_run_function: js_sys::Function = (*on_run)
                .as_ref()
                .unchecked_ref::<js_sys::Function>()
                .clone();
            if let Some(host) = editor_host.as_ref().clone() {
                // CodeMirror takes the textarea's place once it has loaded.
                let editor = editor.clone();
                crate::editor::load_after_first_paint(move || {
                    if let Some(editor) = editor.borrow_mut().as_mut() {
                        editor.upgrade(&host, &on_run_function);
                    }
                });
            }
            *runner.borrow_mut() = start_runner(dispatcher.clone());
            if start.autoplay {
                dispatcher.dispatch(Action::Run);
            }
            move || {
                drop(listeners);
                drop(resize_reporter);
            }
        });
    }

    // Run: read the editor, send the program to the worker.
    {
        let editor = editor.clone();
        let runner = runner.clone();
        let seed = model.seed;
        use_effect_with(model.run_requests, move |requests| {
            if *requests > 0 {
                if let (Some(editor), Some(runner)) = (&*editor.borrow(), &*runner.borrow()) {
                    editor.clear_error();
                    runner.run(&editor.text(), seed);
                }
            }
        });
    }

    // Stop: end the worker, start a fresh one.
    {
        let runner = runner.clone();
        let dispatcher = model.dispatcher();
        use_effect_with(model.stop_requests, move |requests| {
            if *requests > 0 {
                if let Some(old) = runner.borrow_mut().take() {
                    old.terminate();
                }
                *runner.borrow_mut() = start_runner(dispatcher);
            }
        });
    }

    // The error mark in the editor.
    {
        let editor = editor.clone();
        use_effect_with(model.error_mark.clone(), move |mark| {
            if let Some(editor) = &*editor.borrow() {
                match mark {
                    Some((line, column, message)) => editor.mark_error(*line, *column, message),
                    None => editor.clear_error(),
                }
            }
        });
    }

    // The page's language: `<html lang>` (screen readers, hyphenation).
    use_effect_with(model.lang, |lang| set_document_lang(*lang));

    // The keyboard help: a modal `<dialog>` (it keeps the focus inside,
    // Esc closes it).
    {
        let help_dialog = help_dialog.clone();
        use_effect_with(model.help_requests, move |requests| {
            if *requests > 0 {
                if let Some(dialog) = help_dialog.cast::<web_sys::Element>() {
                    if !dialog.has_attribute("open") {
                        call_method(&dialog, "showModal");
                    }
                }
            }
        });
    }

    // A traceback's link: the editor shows the line.
    {
        let editor = editor.clone();
        use_effect_with(model.shown_line, move |shown| {
            if let (Some((line, _)), Some(editor)) = (shown, &*editor.borrow()) {
                editor.show_line(*line);
            }
        });
    }

    // Playing: one action per animation frame.
    {
        let dispatcher = model.dispatcher();
        use_effect_with(model.playing, move |playing| {
            let frames = playing.then(|| AnimationFrames::start(dispatcher));
            move || drop(frames)
        });
    }

    // Draw the moment: canvases and the tasks' lines in the editor.
    {
        let editor = editor.clone();
        let loop_canvas = loop_canvas.clone();
        let timeline_canvas = timeline_canvas.clone();
        let view_cache = view_cache.clone();
        let replay = model.replay.clone();
        let (lang, reduced_motion) = (model.lang, model.reduced_motion);
        let key = (
            model.generation,
            model.head.index,
            model.head.time.to_bits(),
            model.axis,
            model.resizes,
            model.playing,
            model.editor_index,
        );
        use_effect_with(
            key,
            move |&(generation, index, time_bits, axis, view, playing, editor_index)| {
                if let Some(replay) = replay {
                    let mut cache = view_cache.borrow_mut();
                    let cache = &mut *cache;
                    cache.advance(&replay, generation, index);
                    let Some(state) = &cache.state else {
                        return;
                    };
                    cache.loop_painter.lang = lang;
                    cache.timeline_painter.lang = lang;
                    if let Some(canvas) = loop_canvas.cast::<HtmlCanvasElement>() {
                        let width = cache.loop_painter.surface.width(&canvas, view);
                        if cache.loop_layout_of != Some((generation, index, view)) {
                            cache.loop_layout = layout::loop_view_in(&replay, state, width, lang);
                            cache.loop_layout_of = Some((generation, index, view));
                        }
                        // Reduced motion: tokens jump to their places.
                        let travel = playing && !reduced_motion;
                        move_tokens(&mut cache.positions, &cache.loop_layout, travel);
                        if let Err(error) = cache.loop_painter.paint(
                            &canvas,
                            &cache.loop_layout,
                            &cache.positions,
                            view,
                        ) {
                            web_sys::console::error_2(&"Loopscope: loop view".into(), &error);
                        }
                    }
                    if let Some(canvas) = timeline_canvas.cast::<HtmlCanvasElement>() {
                        if let Err(error) = cache.timeline_painter.paint(
                            &canvas,
                            &replay,
                            generation,
                            axis,
                            view,
                            index,
                            f64::from_bits(time_bits),
                        ) {
                            web_sys::console::error_2(&"Loopscope: timeline".into(), &error);
                        }
                    }
                    // Once a second while playing, at once otherwise.
                    if cache.lines_of != Some((generation, editor_index, lang)) {
                        let relabel = cache.lines_of.is_some_and(|(.., shown)| shown != lang);
                        cache.lines_of = Some((generation, editor_index, lang));
                        let lines = task_line_keys(&replay, state);
                        if lines != cache.lines || relabel {
                            if let Some(editor) = &*editor.borrow() {
                                let lines = task_lines(&replay, &lines, lang);
                                editor.mark_lines_after_frame(&lines);
                            }
                            cache.lines = lines;
                        }
                    }
                }
            },
        );
    }

    let dispatch = |make: fn() -> Action| {
        let dispatcher = model.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(make()))
    };
    // Export: the worker writes the trace's text (the page's wasm has no
    // writers); its answer is downloaded in start_runner's listener.
    let on_export = {
        let runner = runner.clone();
        let trace_bytes = model.trace_bytes.clone();
        Callback::from(move |format| {
            if let Some(runner) = &*runner.borrow() {
                runner.export(format, &trace_bytes);
            }
        })
    };
    let on_scrub = {
        let dispatcher = model.dispatcher();
        Callback::from(move |event: InputEvent| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                dispatcher.dispatch(Action::Seek(input.value().parse().unwrap_or(0)));
            }
        })
    };
    let on_speed = {
        let dispatcher = model.dispatcher();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                let chosen = usize::try_from(select.selected_index()).ok();
                let speed = chosen.and_then(|index| SPEEDS.get(index));
                dispatcher.dispatch(Action::Speed(speed.copied().unwrap_or(1.0)));
            }
        })
    };
    let on_seed = {
        let dispatcher = model.dispatcher();
        Callback::from(move |event: Event| {
            if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                dispatcher.dispatch(Action::Seed(input.value().parse().unwrap_or(0)));
            }
        })
    };
    let on_example = {
        let editor = editor.clone();
        let dispatcher = model.dispatcher();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                let chosen = gallery::example(&select.value());
                if let (Some(editor), Some(example)) = (&*editor.borrow(), chosen) {
                    editor.set_text(example.source);
                    dispatcher.dispatch(Action::Example(example.id));
                    show_example_in_address(example.id);
                }
                select.set_value("");
            }
        })
    };
    let on_view = {
        let dispatcher = model.dispatcher();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                if let Some(view) = View::parse(&select.value()) {
                    dispatcher.dispatch(Action::View(view));
                }
            }
        })
    };
    let on_share = {
        let editor = editor.clone();
        let dispatcher = model.dispatcher();
        let (seed, view) = (model.seed, model.view);
        Callback::from(move |_: MouseEvent| {
            if let Some(editor) = &*editor.borrow() {
                let hash = loopscope_link::share_hash(&editor.text(), seed, view);
                if let Some(link) = share_in_address(&hash) {
                    dispatcher.dispatch(Action::Shared(link));
                }
            }
        })
    };
    let lang = model.lang;
    let t = |text: T| lang.t(text);
    let example_note = model
        .example
        .and_then(gallery::example)
        .map(|example| (example.title.get(lang), example.watch.get(lang)));
    let on_lang = {
        let dispatcher = model.dispatcher();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                if let Some(lang) = Lang::parse(&select.value()) {
                    store_lang(lang);
                    dispatcher.dispatch(Action::Lang(lang));
                }
            }
        })
    };
    let close_help = {
        let help_dialog = help_dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(dialog) = help_dialog.cast::<web_sys::Element>() {
                call_method(&dialog, "close");
            }
        })
    };

    let show_error_line = |line: u32| {
        let dispatcher = model.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::ShowLine(line)))
    };
    let running = matches!(model.phase, RunPhase::Running { .. });
    let progress = match &model.phase {
        RunPhase::Idle => t(T::Idle).to_string(),
        RunPhase::Running { .. } if !model.runner_ready => t(T::Loading).to_string(),
        RunPhase::Running { steps, .. } if *steps == 0.0 => t(T::Running).to_string(),
        RunPhase::Running {
            steps,
            events,
            time,
        } => lang.fill(
            T::RunningProgress,
            &[&grouped(*steps), &grouped(*events), &fixed3(*time)],
        ),
        RunPhase::Stopped => t(T::Stopped).to_string(),
        RunPhase::Failed(text) if text.is_empty() => lang.t(T::WorkerStopped).to_string(),
        RunPhase::Failed(text) => lang.fill(T::RunnerFailed, &[text]),
        RunPhase::Finished => model
            .verdict
            .as_deref()
            .map(|verdict| verdict_summary(verdict, lang).0)
            .unwrap_or_default(),
    };
    let len = model.replay.as_ref().map_or(0, |r| r.len());
    let summaries = {
        let replay = model.replay.clone();
        use_memo(
            (
                model.generation,
                model.panel_indexes[Panel::Summaries as usize],
                lang,
            ),
            move |&(_, index, lang)| canvas_summaries(replay.as_deref(), index, lang),
        )
    };
    let (loop_summary, timeline_summary) = (*summaries).clone();
    let view_name = |view: View| match view {
        View::Both => t(T::ViewBoth),
        View::Loop => t(T::ViewLoop),
        View::Timeline => t(T::ViewTimeline),
    };

    html! {
        <>
            if !model.embed {
                <header class="masthead">
                    <h1>{ "Loopscope" }</h1>
                    <p class="tagline">{ t(T::Tagline) }</p>
                </header>
            }
            if let Some(problem) = &model.problem {
                <div class="link-problem" role="alert" data-testid="link-error">
                    <span>{ problem.text(lang) }</span>
                    <button type="button" class="secondary" onclick={dispatch(|| Action::DismissProblem)}
                        aria-label={t(T::Dismiss)}>{ "×" }</button>
                </div>
            }
            <main class={classes!("workbench", model.embed.then_some("embed"))}>
                <section class="editor-pane" aria-label={t(T::Program)}>
                    <div class="toolbar" data-runs={model.run_requests.to_string()}
                        data-worker={if model.runner_ready { "ready" } else { "loading" }}>
                        <button type="button" data-testid="run" onclick={dispatch(|| Action::Run)}
                            disabled={running} title={t(T::RunTitle)}>{ t(T::Run) }</button>
                        <button type="button" data-testid="stop" class="secondary"
                            onclick={dispatch(|| Action::Stop)} disabled={!running}>{ t(T::Stop) }</button>
                        <select data-testid="examples" aria-label={t(T::Examples)} onchange={on_example}>
                            <option value="" selected=true>{ t(T::ExamplesPick) }</option>
                            { for gallery::SECTIONS.iter().map(|section| html! {
                                <optgroup label={section.title.get(lang)}>
                                    { for gallery::in_section(section.id).map(|example| html! {
                                        <option value={example.id} data-file={example.file}>{ example.title.get(lang) }</option>
                                    }) }
                                </optgroup>
                            }) }
                        </select>
                        <button type="button" class="secondary" data-testid="share" onclick={on_share}
                            title={t(T::ShareTitle)}>{ t(T::Share) }</button>
                        <label class="seed">{ t(T::Seed) }{ " " }
                            <input type="number" min="0" value={model.seed.to_string()} onchange={on_seed}
                                aria-label={t(T::SeedLabel)} />
                        </label>
                        <button type="button" class="secondary" onclick={dispatch(|| Action::NewSeed)}>
                            { t(T::NewSeed) }</button>
                        <span class="toolbar-end">
                            <select data-testid="lang" aria-label={t(T::Language)} onchange={on_lang}>
                                { for [Lang::En, Lang::Ru].iter().map(|&option| html! {
                                    <option value={option.tag()} lang={option.tag()}
                                        selected={option == lang}>{ option.name() }</option>
                                }) }
                            </select>
                            <button type="button" class="secondary help-button" data-testid="help"
                                onclick={dispatch(|| Action::Help)} aria-label={t(T::Help)}
                                title={format!("{} (?)", t(T::Help))}>{ "?" }</button>
                        </span>
                    </div>
                    if let Some(link) = &model.share_link {
                        <label class="share-link">{ t(T::Link) }{ " " }
                            <input type="text" readonly=true data-testid="share-link" value={link.clone()}
                                onfocus={Callback::from(|event: FocusEvent| {
                                    if let Some(input) = event.target_dyn_into::<HtmlInputElement>() {
                                        input.select();
                                    }
                                })} />
                        </label>
                    }
                    if let Some((title, watch)) = example_note {
                        <aside class="example-note" data-testid="example-note" lang={lang.tag()}>
                            <strong>{ title }</strong>{ " — " }{ watch }
                        </aside>
                    }
                    // The editor's accessible name (CodeMirror and the
                    // textarea point here with aria-labelledby).
                    <span id="editor-label" hidden=true>{ t(T::EditorLabel) }</span>
                    { editor_host.as_ref().clone().map_or_else(Html::default, |host| Html::VRef(host.into())) }
                    <output class={classes!("status", model.error_text.is_some().then_some("status-error"))}
                        data-testid="status" role="status" aria-live="polite">
                        { progress }
                        if let Some(error) = &model.error_text {
                            <span class="error-text">{ format!(" — {error}") }</span>
                        }
                        if let (Some(line), RunPhase::Finished) = (model.error_frame, &model.phase) {
                            { " " }
                            <button type="button" class="code-link" data-testid="error-line"
                                onclick={show_error_line(line)} title={t(T::ShowLine)}>
                                { lang.fill(T::LineN, &[&line]) }</button>
                        }
                    </output>
                    if let Some(verdict) = &model.verdict {
                        <details class="verdict-details">
                            <summary>{ t(T::VerdictSummary) }</summary>
                            <pre class="verdict" data-testid="verdict" data-run={model.verdict_run.to_string()}>{ verdict }</pre>
                        </details>
                    }
                </section>
                <section class="view-pane" aria-label={t(T::EventLoop)}>
                    <div class="playback">
                        <button type="button" data-testid="step-back" title={t(T::StepBack)}
                            aria-label={t(T::StepBack)}
                            onclick={dispatch(|| Action::Step(-1))} disabled={len == 0}>{ "◀" }</button>
                        <button type="button" data-testid="play" title={t(T::PlayPause)}
                            onclick={dispatch(|| Action::TogglePlay)} disabled={len == 0}>
                            { if model.playing { t(T::Pause) } else { t(T::Play) } }</button>
                        <button type="button" data-testid="step-forward" title={t(T::StepForward)}
                            aria-label={t(T::StepForward)}
                            onclick={dispatch(|| Action::Step(1))} disabled={len == 0}>{ "▶" }</button>
                        <select aria-label={t(T::Speed)} onchange={on_speed} data-testid="speed">
                            { for SPEEDS.iter().zip(SPEED_NAMES).map(|(&speed, name)| html! {
                                <option value={name} selected={speed == model.speed}>
                                    { format!("{name}×") }</option>
                            }) }
                        </select>
                        <button type="button" class="secondary" onclick={dispatch(|| Action::ToggleAxis)}
                            data-testid="axis">
                            { match model.axis { Axis::Time => t(T::TimeAxis), Axis::Step => t(T::StepAxis) } }</button>
                        <select aria-label={t(T::View)} onchange={on_view} data-testid="view">
                            { for [View::Both, View::Loop, View::Timeline].iter().map(|&view| html! {
                                <option value={view.as_str()} selected={view == model.view}>
                                    { view_name(view) }</option>
                            }) }
                        </select>
                        <span class="position" data-testid="position">
                            { format!("{} / {}", model.head.index, len) }</span>
                    </div>
                    <crate::export::Export replay={model.replay.clone().map(ReplayRef)}
                        timeline={timeline_canvas.clone()} has_timeline={model.view.shows_timeline()}
                        lang={lang} on_export={on_export} />
                    <div class="scrubber">
                        <input type="range" data-testid="scrubber" aria-label={t(T::Moment)} min="0"
                            max={len.to_string()} value={scrubber_value(model.head.index, len, model.playing).to_string()} oninput={on_scrub}
                            disabled={len == 0} />
                        <div class="scrubber-marks" aria-hidden="true">
                            <ScrubberMarks replay={model.replay.clone().map(ReplayRef)} />
                        </div>
                    </div>
                    if model.view.shows_loop() {
                        <canvas ref={loop_canvas.clone()} class="loop-view" data-testid="loop-view" role="img"
                            aria-label={loop_summary} />
                    }
                    if model.view.shows_timeline() {
                        <canvas ref={timeline_canvas.clone()} class="timeline" data-testid="timeline" role="img"
                            aria-label={timeline_summary} />
                    }
                </section>
                <section class="console-pane" aria-labelledby="console-title">
                    <h2 class="pane-title" id="console-title">{ t(T::Console) }</h2>
                    <Console replay={model.replay.clone().map(ReplayRef)} index={model.panel_indexes[Panel::Console as usize]}
                        dispatcher={model.dispatcher()} lang={lang} />
                </section>
                <section class="tasks-pane" aria-labelledby="tasks-title">
                    <h2 class="pane-title" id="tasks-title">{ t(T::Tasks) }</h2>
                    <TaskTable replay={model.replay.clone().map(ReplayRef)} index={model.panel_indexes[Panel::Tasks as usize]}
                        lang={lang} />
                    <EventTable replay={model.replay.clone().map(ReplayRef)} index={model.panel_indexes[Panel::Events as usize]}
                        lang={lang} dispatcher={model.dispatcher()} />
                </section>
            </main>
            <dialog ref={help_dialog} class="help" data-testid="help-dialog" aria-labelledby="help-title"
                onkeydown={Callback::from(trap_tab)}>
                <h2 id="help-title">{ t(T::Help) }</h2>
                <table class="shortcuts">
                    <tbody>
                        { for [
                            (t(T::KeySpace), T::HelpPlay),
                            ("← →", T::HelpStep),
                            ("Home End", T::HelpEnds),
                            ("Ctrl+Enter, ⌘+Enter", T::HelpRun),
                            ("?", T::HelpHelp),
                            (t(T::KeyEscTab), T::HelpEditor),
                            ("Esc", T::HelpEsc),
                        ].iter().map(|&(keys, what)| html! {
                            <tr><th scope="row"><kbd>{ keys }</kbd></th><td>{ t(what) }</td></tr>
                        }) }
                    </tbody>
                </table>
                <p class="help-note">{ t(T::HelpNote) }</p>
                <button type="button" data-testid="help-close" onclick={close_help} autofocus=true>
                    { t(T::Close) }</button>
            </dialog>
        </>
    }
}

/// The scrubber's value at moment `index` of `len`: while playing, only a
/// thousandth of the run at a time (a scrubber is narrower than a thousand
/// pixels, so its thumb is where it would be), since each new value lays
/// the slider out again; paused, the moment itself.
fn scrubber_value(index: usize, len: usize, playing: bool) -> usize {
    let step = if playing { (len / 1000).max(1) } else { 1 };
    index - index % step
}

/// What the canvases show at moment `index`, in words (their aria-labels).
fn canvas_summaries(replay: Option<&Replay>, index: usize, lang: Lang) -> (String, String) {
    let Some(replay) = replay else {
        return (
            lang.t(T::LoopEmpty).to_string(),
            lang.fill(T::TimelineSummary, &[&0, &0, &0]),
        );
    };
    let catalog = &replay.catalog;
    let state = replay.state_at(index);
    let running = match state.running {
        Some(loopscope_trace::Actor::Task(id)) => {
            catalog.actor_name(loopscope_trace::Actor::Task(id), lang)
        }
        _ => lang.t(T::Nothing).to_string(),
    };
    let (mut waiting, mut done) = (0, 0);
    for (position, _) in catalog.visible_tasks() {
        match state.task_state(position) {
            Some(TaskState::Waiting { .. }) => waiting += 1,
            Some(TaskState::Done(_)) => done += 1,
            _ => {}
        }
    }
    let time = fixed3(state.time);
    let loop_summary = lang.fill(
        T::LoopSummary,
        &[
            &time,
            &running,
            &state.ready.len(),
            &state.timer_count(),
            &waiting,
            &done,
        ],
    );
    let lanes = catalog.visible_tasks().count() + catalog.jobs.len() + catalog.generators.len();
    let timeline_summary = lang.fill(T::TimelineSummary, &[&lanes, &index, &replay.len()]);
    (loop_summary, timeline_summary)
}

/// Keeps Tab and Shift+Tab inside the dialog the key was pressed in: from
/// its last control to its first and back (a modal `<dialog>` would let
/// the focus out to the browser's own controls).
fn trap_tab(event: KeyboardEvent) {
    if event.key() != "Tab" {
        return;
    }
    let Some(dialog) = event
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let Ok(controls) = dialog.query_selector_all("button, [href], input, select, [tabindex]")
    else {
        return;
    };
    let controls: Vec<web_sys::HtmlElement> = (0..controls.length())
        .filter_map(|k| controls.get(k)?.dyn_into().ok())
        .collect();
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let at = controls.iter().position(|control| {
        active
            .as_ref()
            .is_some_and(|a| a.is_same_node(Some(control)))
    });
    let count = controls.len();
    if count == 0 {
        return;
    }
    let next = match (at, event.shift_key()) {
        (Some(at), false) => (at + 1) % count,
        (Some(at), true) => (at + count - 1) % count,
        (None, false) => 0,
        (None, true) => count - 1,
    };
    event.prevent_default();
    if let Some(control) = controls.get(next) {
        let _ = control.focus();
    }
}

/// Calls `element.name()` (a `<dialog>`'s `showModal` or `close`).
fn call_method(element: &web_sys::Element, name: &str) {
    if let Ok(method) =
        js_sys::Reflect::get(element, &name.into()).and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = method.call0(element);
    }
}

/// `prefers-reduced-motion: reduce`.
fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|query| query.matches())
}

/// Where the language switch remembers its choice.
const LANG_KEY: &str = "loopscope.lang";

/// `window.localStorage`, where the page may use it: a sandboxed iframe or
/// a page opened from `file://` may refuse (reading it throws).
fn local_storage() -> Option<JsValue> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &"localStorage".into())
        .ok()
        .filter(|storage| storage.is_object())
}

/// `storage.name(args...)`, or nothing if it throws.
fn storage_call(name: &str, args: &[&str]) -> Option<JsValue> {
    let storage = local_storage()?;
    let method = js_sys::Reflect::get(&storage, &name.into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let args: js_sys::Array = args.iter().map(|arg| JsValue::from_str(arg)).collect();
    method.apply(&storage, &args).ok()
}

/// The language the switch chose last time, if it was remembered.
fn stored_lang() -> Option<Lang> {
    storage_call("getItem", &[LANG_KEY])?
        .as_string()
        .and_then(|tag| Lang::parse(&tag))
}

fn store_lang(lang: Lang) {
    let _ = storage_call("setItem", &[LANG_KEY, lang.tag()]);
}

/// The page's start from its address, and the language remembered by the
/// switch or else the browser's (`?lang=` wins over both).
fn startup_from_address() -> Startup {
    let window = web_sys::window();
    let location = window.as_ref().map(|w| w.location());
    let search = location
        .as_ref()
        .and_then(|l| l.search().ok())
        .unwrap_or_default();
    let hash = location
        .as_ref()
        .and_then(|l| l.hash().ok())
        .unwrap_or_default();
    let preferred = stored_lang().unwrap_or_else(|| {
        let languages: Vec<String> = window
            .as_ref()
            .and_then(|w| js_sys::Reflect::get(w, &"navigator".into()).ok())
            .and_then(|navigator| js_sys::Reflect::get(&navigator, &"languages".into()).ok())
            .filter(|languages| languages.is_object())
            .map(|languages| {
                js_sys::Array::from(&languages)
                    .iter()
                    .filter_map(|tag| tag.as_string())
                    .collect()
            })
            .unwrap_or_default();
        Lang::from_preferences(&languages)
    });
    crate::startup::startup(&search, &hash, preferred.tag())
}

fn set_document_lang(lang: Lang) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", lang.tag());
    }
}

/// The address's query with `key` set to `value` (or removed).
fn query_with(search: &str, key: &str, value: Option<&str>) -> String {
    let mut parts: Vec<String> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty() && part.split('=').next() != Some(key))
        .map(str::to_string)
        .collect();
    if let Some(value) = value {
        parts.push(format!("{key}={value}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// `?example=<id>` in the address (no reload), so reloading or copying
/// it opens the example again; a share link in the hash would win, so it goes.
fn show_example_in_address(id: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let search = location.search().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    let url = format!("{path}{}", query_with(&search, "example", Some(id)));
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Puts a share link's hash into the address (no reload), copies the link
/// to the clipboard where the browser allows, and returns it.
fn share_in_address(hash: &str) -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let search = location.search().unwrap_or_default();
    let search = query_with(&search, "example", None);
    let path = location.pathname().ok()?;
    let url = format!("{path}{search}{hash}");
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
    let link = location.href().ok()?;
    // navigator.clipboard.writeText(link), where there is a clipboard.
    let clipboard = js_sys::Reflect::get(&window, &"navigator".into())
        .and_then(|navigator| js_sys::Reflect::get(&navigator, &"clipboard".into()))
        .ok()
        .filter(|clipboard| clipboard.is_object());
    if let Some(clipboard) = clipboard {
        if let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
        {
            // A refused permission rejects the promise: the link still shows.
            if let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(&link)) {
                if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
                    let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
                    let _ = promise.catch(&ignore);
                    ignore.forget();
                }
            }
        }
    }
    Some(link)
}

fn grouped(value: f64) -> String {
    let digits = format!("{}", value.max(0.0) as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Heap left in the worker after a run beyond which it is replaced.
const RECYCLE_WORKER_ABOVE_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

fn start_runner(dispatcher: UseReducerDispatcher<Model>) -> Option<Runner> {
    let listener: Rc<dyn Fn(WorkerMessage)> = Rc::new(move |message| match message {
        WorkerMessage::Exported { format, text } => crate::export::save_trace(format, &text),
        message => dispatcher.dispatch(Action::Worker(message)),
    });
    match Runner::start(listener) {
        Ok(runner) => Some(runner),
        Err(error) => {
            web_sys::console::error_2(&"Loopscope: cannot start the worker".into(), &error);
            None
        }
    }
}

fn colour_style(colour: Option<usize>) -> String {
    match colour {
        Some(colour) => format!("--tag: var({})", task_colour_property(colour)),
        None => "--tag: var(--neutral-token)".to_string(),
    }
}

/// A replay as a property: equal when it is the same replay.
#[derive(Clone)]
pub struct ReplayRef(pub Rc<Replay>);

impl PartialEq for ReplayRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Properties, PartialEq)]
struct ConsoleProps {
    replay: Option<ReplayRef>,
    index: usize,
    dispatcher: UseReducerDispatcher<Model>,
    lang: Lang,
}

/// The console: what was written before the moment, a line per line; a
/// polite live region (a screen reader reads new lines when it can), and
/// focusable so it scrolls from the keyboard.
#[function_component(Console)]
fn console(props: &ConsoleProps) -> Html {
    html! {
        <ol class="console" data-testid="console" aria-live="polite" aria-labelledby="console-title"
            tabindex="0">
            { for props.replay.iter().flat_map(|r| console_lines(&r.0, props.index, &props.dispatcher, props.lang)) }
        </ol>
    }
}

#[derive(Properties, PartialEq)]
struct TaskTableProps {
    replay: Option<ReplayRef>,
    index: usize,
    lang: Lang,
}

/// The task table at the moment.
#[function_component(TaskTable)]
fn task_table(props: &TaskTableProps) -> Html {
    let lang = props.lang;
    let t = |text: T| lang.t(text);
    let replay = props.replay.as_ref().map(|r| &*r.0);
    let state = replay.map(|replay| replay.state_at(props.index));
    let shown = replay.zip(state.as_ref());
    let rows = shown
        .iter()
        .flat_map(|&(replay, state)| task_rows(replay, state, lang));
    let generators = shown
        .filter(|(replay, _)| !replay.catalog.generators.is_empty())
        .map(|(replay, state)| generator_rows(replay, state, lang));
    html! {
        <>
            <table class="tasks" data-testid="task-table">
                <thead><tr>
                    <th>{ t(T::ColTask) }</th><th>{ t(T::ColState) }</th><th>{ t(T::ColWaitsFor) }</th>
                    <th>{ t(T::ColLine) }</th><th>{ t(T::ColResult) }</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            if let Some(generators) = generators {
                <table class="tasks generators" data-testid="generator-table">
                    <thead><tr>
                        <th>{ t(T::ColGenerator) }</th><th>{ t(T::ColState) }</th><th>{ t(T::ColLine) }</th>
                        <th>{ t(T::ColLastIn) }</th><th>{ t(T::ColLastOut) }</th>
                    </tr></thead>
                    <tbody>{ for generators }</tbody>
                </table>
            }
        </>
    }
}

/// A row per generator: its state, the line it is suspended at, the last
/// value passed in (`send(1)`) and out (`yield None`, `return 3`).
fn generator_rows(replay: &Replay, state: &State, lang: Lang) -> Vec<Html> {
    let catalog = &replay.catalog;
    let passed = &catalog.exchanges[..catalog.exchanges_before(state.index)];
    catalog
        .generators
        .iter()
        .enumerate()
        .take(MAX_TASK_ROWS)
        .filter_map(|(position, generator)| {
            let generator_state = state.generator_state(position)?;
            let last = |passing: crate::replay::Passing| {
                passed
                    .iter()
                    .rev()
                    .find(|e| e.generator == generator.id && e.passing == passing)
                    .map(|e| e.describe())
                    .unwrap_or_default()
            };
            let line = match generator_state {
                crate::replay::GeneratorState::Suspended { line, .. } => line.to_string(),
                _ => String::new(),
            };
            Some(html! {
                <tr key={generator.id} style={colour_style(Some(generator.colour))}>
                    <td><span class="tag">{ &generator.name }</span>
                        <span class="coroutine">{ format!(" {}", generator.kind) }</span></td>
                    <td class={format!("state state-{}", generator_state.label())}>
                        { lang.t(generator_state_text(generator_state)) }</td>
                    <td>{ line }</td>
                    <td class="value-in">{ last(crate::replay::Passing::In) }</td>
                    <td class="value-out result">{ last(crate::replay::Passing::Out) }</td>
                </tr>
            })
        })
        .collect()
}

/// The program line of the innermost frame of the last traceback the run
/// wrote on stderr.
fn last_traceback_frame(replay: &Replay) -> Option<u32> {
    replay
        .catalog
        .output
        .iter()
        .rev()
        .filter(|line| line.stream == Stream::Stderr)
        .find_map(|line| traceback_line(&line.text))
        .map(|(_, _, number)| number)
}

/// In a traceback's `  File "main.py", line 5, in f`, where `line 5` is
/// (byte range) and the line number. Frames of other files never show
/// (the standard library's are hidden from tracebacks), so every such line
/// is in the program.
pub fn traceback_line(text: &str) -> Option<(usize, usize, u32)> {
    let rest = text.trim_start().strip_prefix("File \"")?;
    let quote = rest.find("\", line ")?;
    let start = text.len() - rest.len() + quote + 3;
    let digits = text[start + 5..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len() - start - 5);
    let end = start + 5 + digits;
    let number = text[start + 5..end].parse().ok()?;
    Some((start, end, number))
}

/// The most console lines shown: the last ones before the moment (a
/// program that prints a million lines must not make a million elements).
pub const MAX_CONSOLE_LINES: usize = 500;

fn console_lines(
    replay: &Replay,
    index: usize,
    dispatcher: &UseReducerDispatcher<Model>,
    lang: Lang,
) -> Vec<Html> {
    let catalog = &replay.catalog;
    let shown = catalog.output_before(index);
    let first = shown.saturating_sub(MAX_CONSOLE_LINES);
    let earlier = (first > 0).then(|| {
        html! {
            <li key="earlier" class="line more">{ lang.fill(T::EarlierLines, &[&first]) }</li>
        }
    });
    earlier
        .into_iter()
        .chain(catalog.output[first..shown].iter().enumerate().map(|(offset, line)| {
            let event = line.event;
            let class = match line.stream {
                Stream::Stdout => "line",
                Stream::Stderr => "line line-stderr",
            };
            let onclick = {
                let dispatcher = dispatcher.clone();
                Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::Seek(event + 1)))
            };
            // `  File "main.py", line 5, in f`: the line is a link to the editor.
            let text = match traceback_line(&line.text) {
                Some((start, end, number)) => {
                    let show = {
                        let dispatcher = dispatcher.clone();
                        Callback::from(move |event: MouseEvent| {
                            event.stop_propagation();
                            dispatcher.dispatch(Action::ShowLine(number));
                        })
                    };
                    html! {
                        <span class="text">
                            { &line.text[..start] }
                            <button type="button" class="code-link" onclick={show}
                                title={lang.t(T::ShowLine)}>{ &line.text[start..end] }</button>
                            { &line.text[end..] }
                        </span>
                    }
                }
                None => html! { <span class="text">{ &line.text }</span> },
            };
            html! {
                <li key={first + offset} class={class} style={colour_style(catalog.actor_colour(line.actor))}
                    onclick={onclick} title={lang.t(T::JumpHere)}>
                    <span class="tag">{ catalog.actor_name(line.actor, lang) }</span>
                    { text }
                </li>
            }
        }))
        .collect()
}

#[derive(Properties, PartialEq)]
struct ScrubberMarksProps {
    replay: Option<ReplayRef>,
}

/// The marks under the scrubber: rendered once per replay, not per frame.
#[function_component(ScrubberMarks)]
fn scrubber_marks_component(props: &ScrubberMarksProps) -> Html {
    let marks = props
        .replay
        .iter()
        .flat_map(|replay| scrubber_marks(&replay.0));
    html! { <>{ for marks }</> }
}

/// The most marks under the scrubber: one per 0.1 % of its length and kind.
const MAX_SCRUBBER_MARKS: usize = 3000;

fn scrubber_marks(replay: &Replay) -> Vec<Html> {
    let len = replay.len().max(1) as f64;
    // Marks closer than a thousandth of the run share one place.
    let mut last: Option<(u64, crate::replay::MarkKind)> = None;
    replay
        .catalog
        .marks
        .iter()
        .filter(|mark| {
            let place = (1000.0 * (mark.event as f64 + 1.0) / len) as u64;
            let seen = last == Some((place, mark.kind));
            last = Some((place, mark.kind));
            !seen
        })
        .take(MAX_SCRUBBER_MARKS)
        .map(|mark| {
            let class = match mark.kind {
                crate::replay::MarkKind::Print => "mark mark-print",
                crate::replay::MarkKind::Error => "mark mark-error",
                crate::replay::MarkKind::Cancel => "mark mark-cancel",
            };
            let left = 100.0 * (mark.event as f64 + 1.0) / len;
            html! { <span class={class} style={format!("left: {}%", fixed3(left))}></span> }
        })
        .collect()
}

/// The most rows the task table shows: the running, ready and waiting
/// tasks first, then the finished ones; the rest are counted.
pub const MAX_TASK_ROWS: usize = 50;

fn task_rows(replay: &Replay, state: &State, lang: Lang) -> Vec<Html> {
    let catalog = &replay.catalog;
    let order = |task_state: &TaskState| match task_state {
        TaskState::Running => 0,
        TaskState::Ready => 1,
        TaskState::Waiting { .. } => 2,
        TaskState::Created => 3,
        TaskState::Done(_) => 4,
    };
    let mut existing: Vec<(usize, usize)> = catalog
        .visible_tasks()
        .filter_map(|(position, _)| Some((order(state.task_state(position)?), position)))
        .collect();
    // A stable sort keeps creation order within each group.
    existing.sort_by_key(|&(rank, _)| rank);
    let hidden = existing.len().saturating_sub(MAX_TASK_ROWS);
    existing.truncate(MAX_TASK_ROWS);
    let mut rows: Vec<Html> = existing
        .into_iter()
        .filter_map(|(_, position)| Some((position, catalog.tasks.get(position)?)))
        .filter_map(|(position, task)| {
            let task_state = state.task_state(position)?;
            let waits = match task_state {
                TaskState::Waiting { awaiting: Some(f) } => catalog.describe_future_in(*f, lang),
                TaskState::Waiting { awaiting: None } => lang.t(T::NextIteration).to_string(),
                _ => String::new(),
            };
            let result = match task_state {
                TaskState::Done(Settlement::Result(value)) => value.clone(),
                TaskState::Done(Settlement::Exception(error)) => error.clone(),
                TaskState::Done(Settlement::Cancelled) => "CancelledError".to_string(),
                _ => String::new(),
            };
            let line = catalog
                .task_line_at(position, state.index)
                .map(|l| l.to_string())
                .unwrap_or_default();
            let cancelling = state.cancelling.get(position).copied().unwrap_or(false);
            let word = lang.t(task_state_text(task_state));
            let label = if cancelling {
                lang.fill(T::Cancelling, &[&word])
            } else {
                word.to_string()
            };
            Some(html! {
                <tr key={task.id} style={colour_style(Some(task.colour))}>
                    <td><span class="tag">{ &task.name }</span>
                        <span class="coroutine">{ format!(" {}", task.coroutine) }</span></td>
                    <td class={format!("state state-{}", task_state.label())}>{ label }</td>
                    <td>{ waits }</td>
                    <td>{ line }</td>
                    <td class="result">{ result }</td>
                </tr>
            })
        })
        .collect();
    if hidden > 0 {
        rows.push(html! {
            <tr key="more"><td colspan="5" class="more">{ lang.fill(T::MoreTasks, &[&hidden]) }</td></tr>
        });
    }
    rows
}

/// A line the editor colours: the first unfinished task (or suspended
/// generator) at it — `(line, is a generator, its position, its state,
/// how many more are at the same line)`.
type LineKey = (u32, bool, usize, T, usize);

/// The line each unfinished task is at (or suspended at), and each
/// suspended generator's, one entry per line (a thousand tasks at one
/// `await` colour one line), cheap to compare from one moment to the next.
fn task_line_keys(replay: &Replay, state: &State) -> Vec<LineKey> {
    let catalog = &replay.catalog;
    let mut keys: Vec<LineKey> = Vec::new();
    let mut add = |line: u32, generator: bool, position: usize, label: T| match keys
        .iter_mut()
        .find(|key| key.0 == line)
    {
        Some(key) => key.4 += 1,
        None => keys.push((line, generator, position, label, 0)),
    };
    for (position, _) in catalog.visible_tasks() {
        let Some(task_state) = state.task_state(position) else {
            continue;
        };
        if matches!(task_state, TaskState::Done(_)) {
            continue;
        }
        if let Some(line) = catalog.task_line_at(position, state.index) {
            add(line, false, position, task_state_text(task_state));
        }
    }
    for (position, generator) in state.generators.iter().enumerate() {
        if let Some(GeneratorState::Suspended { line, .. }) = generator {
            add(*line, true, position, T::Suspended);
        }
    }
    keys
}

/// The editor's task lines, in each task's colour, with its name and state.
fn task_lines(replay: &Replay, keys: &[LineKey], lang: Lang) -> Vec<crate::editor::TaskLine> {
    let catalog = &replay.catalog;
    keys.iter()
        .filter_map(|&(line, generator, position, state, others)| {
            let (name, colour) = if generator {
                let generator = catalog.generators.get(position)?;
                (&generator.name, generator.colour)
            } else {
                let task = catalog.tasks.get(position)?;
                (&task.name, task.colour)
            };
            let label = format!("{name}: {}", lang.t(state));
            let label = match others {
                0 => label,
                _ => lang.fill(T::AndMore, &[&label, &others]),
            };
            Some((line, colour, label))
        })
        .collect()
}

/// A task's state, in words.
fn task_state_text(state: &TaskState) -> T {
    match state {
        TaskState::Created => T::Created,
        TaskState::Ready => T::Ready,
        TaskState::Running => T::RunningState,
        TaskState::Waiting { .. } => T::Waiting,
        TaskState::Done(Settlement::Result(_)) => T::Done,
        TaskState::Done(Settlement::Exception(_)) => T::FailedState,
        TaskState::Done(Settlement::Cancelled) => T::Cancelled,
    }
}

/// A generator's state, in words.
fn generator_state_text(state: &GeneratorState) -> T {
    use loopscope_trace::GeneratorEnd;
    match state {
        GeneratorState::Created => T::GenCreated,
        GeneratorState::Running => T::RunningState,
        GeneratorState::Suspended { .. } => T::Suspended,
        GeneratorState::Finished(GeneratorEnd::Returned(_)) => T::Returned,
        GeneratorState::Finished(GeneratorEnd::Raised(_)) => T::Raised,
        GeneratorState::Finished(GeneratorEnd::Closed) => T::Closed,
    }
}

#[derive(Properties, PartialEq)]
struct EventTableProps {
    replay: Option<ReplayRef>,
    index: usize,
    lang: Lang,
    dispatcher: UseReducerDispatcher<Model>,
}

/// How many events the text view lists on either side of the moment.
pub const EVENT_ROWS_AROUND: usize = 40;

/// The trace as text, for screen readers and for reading: a table of the
/// events around the moment (time, who, what happened), the current one
/// marked `aria-current`; each row's number jumps there. Folded away
/// until opened (its rows are made only then).
#[function_component(EventTable)]
fn event_table(props: &EventTableProps) -> Html {
    let open = use_state(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |event: Event| {
            if let Some(details) = event.target_dyn_into::<web_sys::Element>() {
                open.set(details.has_attribute("open"));
            }
        })
    };
    let lang = props.lang;
    let t = |text: T| lang.t(text);
    let body = match (&props.replay, *open) {
        (Some(replay), true) => {
            let replay = &replay.0;
            let len = replay.len();
            // The moment shows the state after `index` events: the current
            // event is the last one played.
            let current = props.index.checked_sub(1);
            let from = props.index.saturating_sub(EVENT_ROWS_AROUND);
            let to = (props.index + EVENT_ROWS_AROUND).min(len);
            let shown = replay.trace.events.get(from..to).unwrap_or(&[]);
            let rows = shown.iter().enumerate().map(|(offset, event)| {
                let number = from + offset;
                let (who, what) = describe_event(replay, number, event, lang);
                let seek = {
                    let dispatcher = props.dispatcher.clone();
                    Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::Seek(number + 1)))
                };
                let now = current == Some(number);
                html! {
                    <tr key={number} aria-current={now.then_some("step")} class={classes!(now.then_some("now"))}>
                        <td><button type="button" class="code-link" onclick={seek}
                            title={t(T::JumpHere)}>{ number + 1 }</button></td>
                        <td>{ fixed3(event.time) }</td>
                        <td>{ who }</td>
                        <td>{ what }{ if now { format!(" ({})", t(T::Now)) } else { String::new() } }</td>
                    </tr>
                }
            });
            html! {
                <>
                    <p class="events-range">{ lang.fill(T::EventsShown, &[&(from + 1), &to, &len]) }</p>
                    <table class="tasks events" data-testid="event-table">
                        <thead><tr>
                            <th>{ "#" }</th><th>{ t(T::ColTime) }</th><th>{ t(T::ColWho) }</th>
                            <th>{ t(T::ColWhat) }</th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </>
            }
        }
        (None, true) => html! { <p>{ t(T::NoEvents) }</p> },
        (_, false) => Html::default(),
    };
    html! {
        <details class="events-pane" data-testid="events" {ontoggle}>
            <summary>{ t(T::Events) }</summary>
            { body }
        </details>
    }
}

/// Who did an event, and what happened, in words.
fn describe_event(
    replay: &Replay,
    number: usize,
    event: &loopscope_trace::Event,
    lang: Lang,
) -> (String, String) {
    use loopscope_trace::{Actor, EventKind, GeneratorEnd};
    let catalog = &replay.catalog;
    let t = |text: T| lang.t(text).to_string();
    let fill = |text: T, args: &[&dyn std::fmt::Display]| lang.fill(text, args);
    let task = |id| catalog.actor_name(Actor::Task(id), lang);
    let job = |id| catalog.actor_name(Actor::Job(id), lang);
    let generator = |id| catalog.actor_name(Actor::Generator(id), lang);
    let the_loop = || t(T::TheLoop);
    let settled = |settlement: &Settlement| match settlement {
        Settlement::Result(value) => fill(T::EvFutureResult, &[value]),
        Settlement::Exception(error) => fill(T::EvFutureError, &[error]),
        Settlement::Cancelled => t(T::EvFutureCancelled),
    };
    let short = |text: &str| crate::layout::clip(text.trim_end(), 80);
    match &event.kind {
        EventKind::LoopCreated { .. } => (the_loop(), t(T::EvLoopCreated)),
        EventKind::Iteration { ready, .. } => {
            (the_loop(), fill(T::EvIteration, &[&event.iteration, ready]))
        }
        EventKind::CallbackScheduled { callback, .. } => {
            (the_loop(), fill(T::EvScheduled, &[callback]))
        }
        EventKind::CallbackRun { callback, .. } => {
            (the_loop(), fill(T::EvCallbackRun, &[callback]))
        }
        EventKind::TimerSet { when, callback, .. } => {
            (the_loop(), fill(T::EvTimerSet, &[&fixed3(*when), callback]))
        }
        EventKind::TimerCancelled { .. } => (the_loop(), t(T::EvTimerCancelled)),
        EventKind::TimerFired { .. } => (the_loop(), t(T::EvTimerFired)),
        EventKind::FutureCreated { .. } => (the_loop(), t(T::EvFutureCreated)),
        EventKind::FutureRole { role, .. } => {
            let what = match &role.detail {
                Some(detail) => format!("{} {}", role.kind, detail),
                None => role.kind.clone(),
            };
            (the_loop(), fill(T::EvFutureRole, &[&what]))
        }
        EventKind::FutureSettled { settlement, .. } => (the_loop(), settled(settlement)),
        EventKind::TaskCreated {
            task: id,
            coroutine,
            ..
        } => (task(*id), fill(T::EvTaskCreated, &[coroutine])),
        EventKind::TaskRenamed { task: id, name } => (task(*id), fill(T::EvRenamed, &[name])),
        EventKind::TaskResumed { task: id, thrown } => (
            task(*id),
            match thrown {
                Some(error) => fill(T::EvResumedThrown, &[error]),
                None => t(T::EvResumed),
            },
        ),
        EventKind::TaskSuspended {
            task: id,
            line,
            awaiting,
        } => {
            let what = awaiting
                .map(|future| catalog.describe_future_in(future, lang))
                .unwrap_or_else(|| t(T::NextIteration));
            (task(*id), fill(T::EvSuspended, &[line, &what]))
        }
        EventKind::TaskFinished {
            task: id,
            settlement,
        } => (
            task(*id),
            match settlement {
                Settlement::Result(value) => fill(T::EvReturns, &[value]),
                Settlement::Exception(error) => fill(T::EvFails, &[error]),
                Settlement::Cancelled => t(T::EvIsCancelled),
            },
        ),
        EventKind::CancelRequested { task: id, message } => {
            let asked = t(T::EvCancelAsked);
            let asked = match message {
                Some(message) => format!("{asked}: {message}"),
                None => asked,
            };
            (task(*id), asked)
        }
        EventKind::PrimitiveCreated { kind, .. } => (the_loop(), fill(T::EvPrimitive, &[kind])),
        EventKind::JobSubmitted {
            job: id, function, ..
        } => (job(*id), fill(T::EvJobSubmitted, &[function])),
        EventKind::JobRunning { job: id } => (job(*id), t(T::EvJobRunning)),
        EventKind::JobSleeping { job: id, until } => {
            (job(*id), fill(T::EvJobSleeping, &[&fixed3(*until)]))
        }
        EventKind::JobFinished {
            job: id,
            settlement,
        } => (job(*id), fill(T::EvJobDone, &[&settled(settlement)])),
        EventKind::JobDropped { job: id } => (job(*id), t(T::EvJobDropped)),
        EventKind::BlockingSleep { seconds } => {
            let who = running_name(replay, number, lang);
            (who, fill(T::EvBlocking, &[&trimmed(*seconds, 6)]))
        }
        EventKind::Output {
            stream,
            text,
            actor,
        } => {
            let what = match stream {
                Stream::Stdout => T::EvPrints,
                Stream::Stderr => T::EvStderr,
            };
            (
                catalog.actor_name(*actor, lang),
                fill(what, &[&short(text)]),
            )
        }
        EventKind::GeneratorCreated {
            generator: id,
            kind,
            name,
            ..
        } => (generator(*id), fill(T::EvGenCreated, &[kind, name])),
        EventKind::GeneratorResumed {
            generator: id,
            how,
            value,
            by,
        } => {
            let how = match value {
                Some(value) => format!("{how}({value})"),
                None => format!("{how}()"),
            };
            (
                generator(*id),
                fill(T::EvGenResumed, &[&catalog.actor_name(*by, lang), &how]),
            )
        }
        EventKind::GeneratorYielded {
            generator: id,
            value,
            line,
            ..
        } => (generator(*id), fill(T::EvGenYielded, &[value, line])),
        EventKind::GeneratorFinished {
            generator: id, end, ..
        } => (
            generator(*id),
            match end {
                GeneratorEnd::Returned(value) => fill(T::EvGenReturned, &[value]),
                GeneratorEnd::Raised(error) => fill(T::EvGenRaised, &[error]),
                GeneratorEnd::Closed => t(T::Closed),
            },
        ),
        EventKind::NetworkRequest {
            method,
            url,
            status,
            duration,
            actor,
        } => (
            catalog.actor_name(*actor, lang),
            fill(T::EvRequest, &[method, url, status, &fixed3(*duration)]),
        ),
        EventKind::Warning {
            category, message, ..
        } => (the_loop(), fill(T::EvWarning, &[category, message])),
    }
}

/// Who was running when event `number` happened (a blocking
/// `time.sleep` names no one itself).
fn running_name(replay: &Replay, number: usize, lang: Lang) -> String {
    match replay.state_at(number).running {
        Some(actor) => replay.catalog.actor_name(actor, lang),
        None => replay
            .catalog
            .actor_name(loopscope_trace::Actor::Main, lang),
    }
}

/// What the canvases show, kept between frames: the state on show
/// (advancing it is cheap), the loop view's layout and where each token is
/// drawn, the painters (sizes, colours, the timeline's offscreen picture).
#[derive(Default)]
struct ViewCache {
    generation: u64,
    state: Option<State>,
    loop_layout: layout::LoopLayout,
    /// `(generation, index, view)` the loop layout is of.
    loop_layout_of: Option<(u64, usize, u64)>,
    positions: HashMap<TokenKey, (f64, f64)>,
    loop_painter: draw::LoopPainter,
    timeline_painter: draw::TimelinePainter,
    /// The task lines last sent to the editor, and the moment (and
    /// language) they are of.
    lines: Vec<LineKey>,
    lines_of: Option<(u64, usize, Lang)>,
}

impl ViewCache {
    /// Brings the state on show to moment `index` of the replay `generation`.
    fn advance(&mut self, replay: &Replay, generation: u64, index: usize) {
        if self.generation != generation || self.state.is_none() {
            self.generation = generation;
            self.state = Some(replay.state_at(index));
            self.positions.clear();
            self.loop_layout_of = None;
        }
        if let Some(state) = &mut self.state {
            replay.advance(state, index);
        }
    }
}

/// Moves each token a step towards its place while playing (so one sees
/// it travel), or puts it there at once.
fn move_tokens(
    positions: &mut HashMap<TokenKey, (f64, f64)>,
    layout: &layout::LoopLayout,
    playing: bool,
) {
    {
        let mut next = HashMap::with_capacity(layout.tokens.len());
        for token in &layout.tokens {
            let target = (token.x, token.y);
            let shown = match positions.get(&token.key) {
                Some(&(x, y)) if playing => {
                    let (x, y) = (x + (target.0 - x) * 0.3, y + (target.1 - y) * 0.3);
                    // Close enough: there (and the painter can rest).
                    if (x - target.0).abs() < 0.5 && (y - target.1).abs() < 0.5 {
                        target
                    } else {
                        (x, y)
                    }
                }
                _ => target,
            };
            next.insert(token.key, shown);
        }
        *positions = next;
    }
}

/// `requestAnimationFrame` in a loop, dispatching [`Action::Tick`] with the
/// wall time since the last frame; dropping it stops the loop.
/// The frame callback, shared with itself so it can ask for the next frame.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

struct AnimationFrames {
    handle: Rc<RefCell<Option<i32>>>,
    _callback: FrameCallback,
}

impl AnimationFrames {
    fn start(dispatcher: UseReducerDispatcher<Model>) -> AnimationFrames {
        let handle = Rc::new(RefCell::new(None));
        let callback: FrameCallback = Rc::new(RefCell::new(None));
        let last = Rc::new(RefCell::new(None::<f64>));
        {
            let handle = handle.clone();
            let again = callback.clone();
            *callback.borrow_mut() = Some(Closure::new(move |now: f64| {
                let previous = last.borrow_mut().replace(now);
                if let Some(previous) = previous {
                    // A long pause (a hidden tab) does not jump ahead.
                    dispatcher.dispatch(Action::Tick(((now - previous) / 1000.0).min(0.1)));
                }
                if let (Some(window), Some(closure)) = (web_sys::window(), &*again.borrow()) {
                    *handle.borrow_mut() = window
                        .request_animation_frame(closure.as_ref().unchecked_ref())
                        .ok();
                }
            }));
        }
        if let (Some(window), Some(closure)) = (web_sys::window(), &*callback.borrow()) {
            *handle.borrow_mut() = window
                .request_animation_frame(closure.as_ref().unchecked_ref())
                .ok();
        }
        AnimationFrames {
            handle,
            _callback: callback,
        }
    }
}

impl Drop for AnimationFrames {
    fn drop(&mut self) {
        if let (Some(window), Some(handle)) = (web_sys::window(), self.handle.borrow_mut().take()) {
            let _ = window.cancel_animation_frame(handle);
        }
        // Break the closure's reference to itself.
        self._callback.borrow_mut().take();
    }
}

/// The keyboard (Space, ←/→, Home/End, `?` outside the editor, the fields
/// and the help dialog), window resizes and scheme changes.
struct Listeners {
    keys: Closure<dyn FnMut(KeyboardEvent)>,
    resize: Closure<dyn FnMut()>,
    scheme: Option<web_sys::MediaQueryList>,
    /// Watches the canvases' widths (a scrollbar appearing changes them
    /// without a window resize): the painters read widths only on resizes.
    canvases: Option<web_sys::ResizeObserver>,
    _canvas_resized: Closure<dyn FnMut(js_sys::Array)>,
}

impl Listeners {
    fn install(dispatcher: UseReducerDispatcher<Model>) -> Listeners {
        let key_dispatcher = dispatcher.clone();
        let keys = Closure::<dyn FnMut(KeyboardEvent)>::new(move |event: KeyboardEvent| {
            let target = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            let in_field = target.as_ref().is_some_and(|element| {
                matches!(element.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                    || element
                        .closest(".cm-editor, dialog")
                        .ok()
                        .flatten()
                        .is_some()
            });
            // Space presses a focused button (or opens a summary) as usual.
            let on_control = target.as_ref().is_some_and(|element| {
                matches!(element.tag_name().as_str(), "BUTTON" | "SUMMARY" | "A")
            });
            if in_field || event.ctrl_key() || event.meta_key() || event.alt_key() {
                return;
            }
            let action = match event.key().as_str() {
                " " if on_control => return,
                " " => Action::TogglePlay,
                "?" => Action::Help,
                "ArrowRight" => Action::Step(1),
                "ArrowLeft" => Action::Step(-1),
                "Home" => Action::Home,
                "End" => Action::End,
                _ => return,
            };
            event.prevent_default();
            key_dispatcher.dispatch(action);
        });
        let widths: RefCell<Vec<(JsValue, f64)>> = RefCell::new(Vec::new());
        let width_dispatcher = dispatcher.clone();
        let canvas_resized =
            Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                let mut changed = false;
                let mut widths = widths.borrow_mut();
                for entry in entries.iter() {
                    let Ok(entry) = entry.dyn_into::<web_sys::ResizeObserverEntry>() else {
                        continue;
                    };
                    let target: JsValue = entry.target().into();
                    let width = entry.content_rect().width();
                    match widths
                        .iter_mut()
                        .find(|(known, _)| js_sys::Object::is(known, &target))
                    {
                        Some((_, known_width)) if *known_width == width => {}
                        Some((_, known_width)) => {
                            *known_width = width;
                            changed = true;
                        }
                        None => {
                            widths.push((target, width));
                            changed = true;
                        }
                    }
                }
                if changed {
                    width_dispatcher.dispatch(Action::Resized);
                }
            });
        let canvases = web_sys::ResizeObserver::new(canvas_resized.as_ref().unchecked_ref()).ok();
        let resize = Closure::<dyn FnMut()>::new(move || dispatcher.dispatch(Action::Resized));
        let window = web_sys::window();
        let scheme = window
            .as_ref()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok())
            .flatten();
        if let Some(window) = &window {
            let _ =
                window.add_event_listener_with_callback("keydown", keys.as_ref().unchecked_ref());
            let _ =
                window.add_event_listener_with_callback("resize", resize.as_ref().unchecked_ref());
        }
        if let Some(scheme) = &scheme {
            let _ =
                scheme.add_event_listener_with_callback("change", resize.as_ref().unchecked_ref());
        }
        Listeners {
            keys,
            resize,
            scheme,
            canvases,
            _canvas_resized: canvas_resized,
        }
    }

    /// Tells the painters (through [`Action::Resized`]) when `element`
    /// changes width.
    fn watch_width(&self, element: &web_sys::Element) {
        if let Some(observer) = &self.canvases {
            observer.observe(element);
        }
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        if let Some(observer) = &self.canvases {
            observer.disconnect();
        }
        if let Some(window) = web_sys::window() {
            let _ = window
                .remove_event_listener_with_callback("keydown", self.keys.as_ref().unchecked_ref());
            let _ = window.remove_event_listener_with_callback(
                "resize",
                self.resize.as_ref().unchecked_ref(),
            );
        }
        if let Some(scheme) = &self.scheme {
            let _ = scheme.remove_event_listener_with_callback(
                "change",
                self.resize.as_ref().unchecked_ref(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_reads_as_a_status_and_its_error() {
        let (status, error) = verdict_summary(
            "{\"stdout\": \"a\\n\", \"status\": \"error\", \"error\": \"ValueError: \\\"x\\\"\", \"time\": 2.5}",
            Lang::En,
        );
        assert_eq!(status, "✗ error · at 2.5 s");
        assert_eq!(error.as_deref(), Some("ValueError: \"x\""));
        let completed =
            "{\"stdout\": \"\", \"status\": \"completed\", \"error\": null, \"time\": 0.0}";
        let (status, error) = verdict_summary(completed, Lang::En);
        assert_eq!(status, "✓ completed · 0.0 s of virtual time");
        assert_eq!(error, None);
        let (status, _) = verdict_summary(completed, Lang::Ru);
        assert_eq!(status, "✓ завершена · 0.0 с виртуального времени");
    }

    fn trace(events: usize) -> Vec<u8> {
        let trace = loopscope_trace::Trace {
            version: 1,
            seed: 0,
            events: (0..events)
                .map(|i| loopscope_trace::Event {
                    step: i as u64,
                    time: i as f64 * 0.5,
                    iteration: 0,
                    kind: loopscope_trace::EventKind::Output {
                        stream: Stream::Stdout,
                        text: format!("{i}\n"),
                        actor: loopscope_trace::Actor::Main,
                    },
                })
                .collect(),
            verdict: None,
        };
        loopscope_trace::codec::encode(&trace)
    }

    fn finish(model: Rc<Model>, verdict: &str, events: usize, line: u32) -> Rc<Model> {
        model
            .reduce(Action::Run)
            .reduce(Action::Worker(WorkerMessage::Done {
                verdict: verdict.to_string(),
                trace: trace(events),
                error_line: line,
                error_column: 3,
                heap_bytes: 0.0,
            }))
    }

    const COMPLETED: &str =
        "{\"stdout\": \"\", \"status\": \"completed\", \"error\": null, \"time\": 2.0}";
    const SYNTAX: &str = "{\"stdout\": \"\", \"status\": \"error\", \"error\": \"SyntaxError: invalid syntax\", \"time\": 0.0}";

    #[test]
    fn a_finished_run_plays_its_trace_and_playback_moves_through_it() {
        let model = finish(Rc::new(Model::default()), COMPLETED, 5, 0);
        assert_eq!(model.phase, RunPhase::Finished);
        assert_eq!(model.verdict.as_deref(), Some(COMPLETED));
        assert_eq!(model.verdict_run, 1);
        assert!(model.playing);
        assert_eq!(model.replay.as_ref().map(|r| r.len()), Some(5));
        let model = model.reduce(Action::End);
        assert!(!model.playing);
        assert_eq!(model.head.index, 5);
        let model = model.reduce(Action::Step(-2)).reduce(Action::Step(1));
        assert_eq!(model.head.index, 4);
        assert_eq!(model.head.time, 1.5);
        let model = model.reduce(Action::Home).reduce(Action::Step(-1));
        assert_eq!(model.head.index, 0);
        let model = model.reduce(Action::Seek(99));
        assert_eq!(model.head.index, 5);
        // Play at the end starts again from the beginning.
        let model = model.reduce(Action::End).reduce(Action::TogglePlay);
        assert!(model.playing);
        assert_eq!(model.head.index, 0);
        let model = model.reduce(Action::Tick(0.1));
        assert!(model.head.index >= 1);
    }

    #[test]
    fn while_playing_the_panels_follow_one_at_a_time_and_all_when_paused() {
        // 200 events half a second apart: at 1x, a tick of 1/16 s moves
        // the head less than one event, so ticks of 0.5 s are used.
        let model = finish(Rc::new(Model::default()), COMPLETED, 200, 0);
        let model = model.reduce(Action::Home).reduce(Action::TogglePlay);
        assert!(model.playing);
        assert_eq!(model.panel_indexes, [0; Panel::COUNT]);
        let mut model = model;
        for turn in 0..Panel::COUNT {
            model = model.reduce(Action::Tick(0.5));
            let head = model.head.index;
            assert!(head > 0);
            // This tick's panel caught up; the ones after it still wait.
            assert_eq!(model.panel_indexes[turn], head);
            assert!(model.panel_indexes[turn + 1..].iter().all(|&i| i == 0));
        }
        let model = model.reduce(Action::TogglePlay);
        assert!(!model.playing);
        assert_eq!(model.panel_indexes, [model.head.index; Panel::COUNT]);
    }

    #[test]
    fn a_syntax_error_is_marked_and_keeps_the_last_trace() {
        let model = finish(Rc::new(Model::default()), COMPLETED, 5, 0);
        let model = finish(model, SYNTAX, 1, 4);
        assert_eq!(
            model.error_mark,
            Some((4, 3, "SyntaxError: invalid syntax".to_string()))
        );
        assert_eq!(model.replay.as_ref().map(|r| r.len()), Some(5));
        assert_eq!(model.verdict.as_deref(), Some(SYNTAX));
        let model = finish(model, COMPLETED, 2, 0);
        assert_eq!(model.error_mark, None);
        assert_eq!(model.replay.as_ref().map(|r| r.len()), Some(2));
    }

    #[test]
    fn stop_only_stops_a_running_program_and_late_messages_are_ignored() {
        let model = Rc::new(Model::default()).reduce(Action::Stop);
        assert_eq!(model.stop_requests, 0);
        let model = model.reduce(Action::Run).reduce(Action::Stop);
        assert_eq!(model.stop_requests, 1);
        assert_eq!(model.phase, RunPhase::Stopped);
        let model = model.reduce(Action::Worker(WorkerMessage::Progress {
            steps: 5.0,
            events: 1.0,
            time: 0.0,
        }));
        assert_eq!(model.phase, RunPhase::Stopped);
    }

    #[test]
    fn traceback_lines_name_their_program_line() {
        let text = "  File \"main.py\", line 12, in worker";
        let (start, end, line) = traceback_line(text).unwrap();
        assert_eq!((&text[start..end], line), ("line 12", 12));
        let text = "  File \"main.py\", line 7";
        let (start, end, line) = traceback_line(text).unwrap();
        assert_eq!((&text[start..end], line), ("line 7", 7));
        assert_eq!(traceback_line("Traceback (most recent call last):"), None);
        assert_eq!(traceback_line("    f(0)"), None);
        assert_eq!(traceback_line("  File \"x\", line x"), None);
    }

    #[test]
    fn the_scrubber_moves_by_thousandths_while_playing() {
        assert_eq!(scrubber_value(12_345, 28_692, true), 12_320);
        assert_eq!(scrubber_value(12_345, 28_692, false), 12_345);
        assert_eq!(scrubber_value(17, 300, true), 17);
        assert_eq!(scrubber_value(28_692, 28_692, true), 28_672);
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0.0), "0");
        assert_eq!(grouped(1234567.0), "1,234,567");
        assert_eq!(grouped(999.0), "999");
    }
}
