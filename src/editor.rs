//! The code editor, as Rust sees it: CodeMirror 6 behind the tiny JS API
//! of `www/editor/editor.js` (`window.loopscopeEditor`), bundled into the
//! site at build time.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// One editor instance (the object `loopscopeEditor.create` returns).
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

    /// Colours each given line in its task's colour (replacing the last ones).
    pub fn mark_lines(&self, lines: &[TaskLine]) {
        let array = js_sys::Array::new();
        for (line, colour, label) in lines {
            let entry = js_sys::Array::of3(
                &JsValue::from(*line),
                &JsValue::from(*colour as u32),
                &JsValue::from_str(label),
            );
            array.push(&entry);
        }
        self.mark_lines_raw(&array);
    }
}
