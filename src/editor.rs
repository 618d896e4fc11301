//! The code editor, as Rust sees it: CodeMirror 6 behind the tiny JS API
//! of `www/editor/editor.js` (`window.loopscopeEditor`), bundled into the
//! site at build time.
//!
//! CodeMirror is not needed for the first paint: the page opens with the
//! program in a plain `<textarea>` ([`CodeEditor::Plain`], Run and
//! Ctrl/Cmd+Enter work at once), fetches the editor script once it has
//! painted ([`load_after_first_paint`]), and then puts CodeMirror in its
//! place with whatever the textarea holds by then ([`CodeEditor::Rich`]).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// One editor instance (the object `loopscopeEditor.create` returns).
    #[derive(Clone)]
    pub type Editor;

    #[wasm_bindgen(js_namespace = loopscopeEditor, js_name = create, catch)]
    fn create_editor(
        parent: &web_sys::Element,
        text: &str,
        on_run: &js_sys::Function,
    ) -> Result<Editor, JsValue>;

    #[wasm_bindgen(method, js_name = getText)]
    pub fn text(this: &Editor) -> String;

    #[wasm_bindgen(method, js_name = setText)]
    pub fn set_text(this: &Editor, text: &str);

    #[wasm_bindgen(method, js_name = markError)]
    pub fn mark_error(this: &Editor, line: u32, column: u32, message: &str);

    #[wasm_bindgen(method, js_name = clearError)]
    pub fn clear_error(this: &Editor);

    /// Scrolls to `line`, puts the cursor there and marks it (until the
    /// next run or the next text).
    #[wasm_bindgen(method, js_name = showLine)]
    pub fn show_line(this: &Editor, line: u32);

    #[wasm_bindgen(method, js_name = markLines)]
    fn mark_lines_raw(this: &Editor, lines: &js_sys::Array);
}

/// The editor script, beside the page (copied by trunk, not hashed).
const EDITOR_SCRIPT: &str = "./editor.js";

/// The editor on the page: a plain textarea until CodeMirror has loaded.
pub enum CodeEditor {
    Plain {
        textarea: web_sys::HtmlTextAreaElement,
        _on_key: Closure<dyn FnMut(web_sys::KeyboardEvent)>,
    },
    Rich(Editor),
}

impl CodeEditor {
    /// A textarea holding `text` in `parent`; Ctrl/Cmd+Enter calls `on_run`,
    /// Tab indents by 4 spaces.
    pub fn plain(
        parent: &web_sys::Element,
        text: &str,
        on_run: js_sys::Function,
    ) -> Option<CodeEditor> {
        let document = web_sys::window()?.document()?;
        let textarea: web_sys::HtmlTextAreaElement =
            document.create_element("textarea").ok()?.dyn_into().ok()?;
        textarea.set_class_name("editor-plain");
        textarea.set_value(text);
        let _ = textarea.set_attribute("spellcheck", "false");
        // Named by the page's #editor-label, in the page's language.
        let _ = textarea.set_attribute("aria-labelledby", "editor-label");
        let target = textarea.clone();
        let on_key = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
            move |event: web_sys::KeyboardEvent| {
                if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
                    event.prevent_default();
                    let _ = on_run.call0(&JsValue::NULL);
                } else if event.key() == "Tab" && !event.shift_key() {
                    event.prevent_default();
                    let _ = target.set_range_text("    ");
                    if let Ok(Some(at)) = target.selection_end() {
                        let _ = target.set_selection_range(at + 4, at + 4);
                    }
                }
            },
        );
        let _ =
            textarea.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        parent.append_child(&textarea).ok()?;
        Some(CodeEditor::Plain {
            textarea,
            _on_key: on_key,
        })
    }

    /// Puts CodeMirror in the textarea's place, with the textarea's text.
    /// Stays as it is if the editor cannot be made.
    pub fn upgrade(&mut self, parent: &web_sys::Element, on_run: &js_sys::Function) {
        let CodeEditor::Plain { textarea, .. } = self else {
            return;
        };
        if let Some(editor) = Editor::open(parent, &textarea.value(), on_run) {
            textarea.remove();
            *self = CodeEditor::Rich(editor);
        }
    }

    pub fn text(&self) -> String {
        match self {
            CodeEditor::Plain { textarea, .. } => textarea.value(),
            CodeEditor::Rich(editor) => editor.text(),
        }
    }

    pub fn set_text(&self, text: &str) {
        match self {
            CodeEditor::Plain { textarea, .. } => textarea.set_value(text),
            CodeEditor::Rich(editor) => editor.set_text(text),
        }
    }

    pub fn mark_error(&self, line: u32, column: u32, message: &str) {
        match self {
            CodeEditor::Plain { .. } => self.show_line(line),
            CodeEditor::Rich(editor) => editor.mark_error(line, column, message),
        }
    }

    pub fn clear_error(&self) {
        if let CodeEditor::Rich(editor) = self {
            editor.clear_error();
        }
    }

    pub fn mark_lines_after_frame(&self, lines: &[TaskLine]) {
        if let CodeEditor::Rich(editor) = self {
            editor.mark_lines_after_frame(lines);
        }
    }

    /// Scrolls to `line` and puts the cursor there (and marks it, in
    /// CodeMirror).
    pub fn show_line(&self, line: u32) {
        match self {
            CodeEditor::Plain { textarea, .. } => {
                let text = textarea.value();
                let start: usize = text
                    .split_inclusive('\n')
                    .take(line.saturating_sub(1) as usize)
                    .map(|l| l.encode_utf16().count())
                    .sum();
                let at = start as u32;
                let _ = textarea.focus();
                let _ = textarea.set_selection_range(at, at);
            }
            CodeEditor::Rich(editor) => editor.show_line(line),
        }
    }
}

/// The element the editor lives in (`<div class="editor"
/// data-testid="editor">`), made before the page renders it, so the plain
/// editor is in it from the first render.
pub fn host_element() -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    let host = document.create_element("div").ok()?;
    host.set_class_name("editor");
    host.set_attribute("data-testid", "editor").ok()?;
    Some(host)
}

/// Whether the editor script has run (it defines `window.loopscopeEditor`).
fn script_loaded() -> bool {
    web_sys::window().is_some_and(|window| {
        js_sys::Reflect::has(&window, &JsValue::from_str("loopscopeEditor")).unwrap_or(false)
    })
}

/// Fetches and runs the editor script once the page has painted, then
/// calls `loaded` (at once if it is already there; never if it fails to
/// load: the textarea stays).
pub fn load_after_first_paint(loaded: impl FnOnce() + 'static) {
    if script_loaded() {
        loaded();
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let add_script = Closure::once_into_js(move || {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(script) = document.create_element("script") else {
            return;
        };
        let _ = script.set_attribute("src", EDITOR_SCRIPT);
        let on_load = Closure::once_into_js(loaded);
        let _ = script.add_event_listener_with_callback("load", on_load.unchecked_ref());
        if let Some(head) = document.head() {
            let _ = head.append_child(&script);
        }
    });
    // The next animation frame comes before that frame's paint; a timeout
    // from it runs after the paint.
    let after_paint = Closure::once_into_js(move || {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                add_script.unchecked_ref(),
                0,
            );
        }
    });
    let _ = window.request_animation_frame(after_paint.unchecked_ref());
}

/// A line to colour: `(line, colour index, label)`.
pub type TaskLine = (u32, usize, String);

impl Editor {
    /// Opens an editor inside `parent`; `on_run` is called on Ctrl/Cmd+Enter.
    /// `None` when the editor script is missing (it is logged).
    pub fn open(
        parent: &web_sys::Element,
        text: &str,
        on_run: &js_sys::Function,
    ) -> Option<Editor> {
        match create_editor(parent, text, on_run) {
            Ok(editor) => Some(editor),
            Err(error) => {
                web_sys::console::error_2(&"Loopscope: no code editor".into(), &error);
                None
            }
        }
    }

    /// [`Editor::mark_lines`] once the browser has painted the frame: the
    /// editor reads the page's layout when it updates, which costs little
    /// then and a whole layout of the page in the middle of a frame.
    pub fn mark_lines_after_frame(&self, lines: &[TaskLine]) {
        let array = lines_array(lines);
        let editor = self.clone();
        let later = Closure::once_into_js(move || editor.mark_lines_raw(&array));
        let scheduled = web_sys::window().map(|window| {
            window.set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 0)
        });
        if !matches!(scheduled, Some(Ok(_))) {
            self.mark_lines(lines);
        }
    }

    /// Colours each given line in its task's colour (replacing the last ones).
    pub fn mark_lines(&self, lines: &[TaskLine]) {
        self.mark_lines_raw(&lines_array(lines));
    }
}

fn lines_array(lines: &[TaskLine]) -> js_sys::Array {
    {
        let array = js_sys::Array::new();
        for (line, colour, label) in lines {
            let entry = js_sys::Array::of3(
                &JsValue::from(*line),
                &JsValue::from(*colour as u32),
                &JsValue::from_str(label),
            );
            array.push(&entry);
        }
        array
    }
}
