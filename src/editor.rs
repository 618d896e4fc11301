//! The code editor, as Rust sees it: CodeMirror 6 behind the tiny JS API
//! of `www/editor/editor.js` (`window.loopscopeEditor`), bundled into the
//! site at build time.

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
