// Loopscope's code editor: CodeMirror 6, bundled at build time by esbuild
// (a Trunk pre-build hook, see Trunk.toml) into one classic script that
// defines `window.loopscopeEditor`. The Rust app calls this tiny API through
// wasm-bindgen (src/editor.rs); nothing else in the page knows CodeMirror.
//
//   const editor = loopscopeEditor.create(parent, text, onRun)
//   editor.getText() / editor.setText(text)
//   editor.markError(line, column, message) / editor.clearError()
//   editor.markLines([[line, colourIndex, label], ...])   // task colours
//   editor.showLine(line)   // scroll to a line, put the cursor there, mark it
//
// `parent.loopscopeEditor` is the same object, for tests.

import { EditorState, StateEffect, StateField, RangeSetBuilder } from '@codemirror/state';
import {
  EditorView, Decoration, keymap, lineNumbers, highlightActiveLine,
  highlightActiveLineGutter, drawSelection,
} from '@codemirror/view';
import {
  defaultKeymap, history, historyKeymap, indentWithTab,
} from '@codemirror/commands';
import {
  bracketMatching, indentOnInput, indentUnit, syntaxHighlighting, HighlightStyle,
} from '@codemirror/language';
import { python } from '@codemirror/lang-python';
import { tags } from '@lezer/highlight';

const setMarks = StateEffect.define();

// Decorations for the error and the tasks' lines, replaced as a whole.
const marks = StateField.define({
  create: () => Decoration.none,
  update(value, transaction) {
    value = value.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (effect.is(setMarks)) value = effect.value;
    }
    return value;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// Colours come from the page's stylesheet, so light and dark follow it.
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--code-keyword)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--code-string)' },
  { tag: tags.comment, color: 'var(--code-comment)', fontStyle: 'italic' },
  { tag: [tags.number, tags.bool, tags.null], color: 'var(--code-number)' },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)], color: 'var(--code-function)' },
  { tag: tags.definition(tags.variableName), color: 'var(--code-function)' },
  { tag: tags.className, color: 'var(--code-class)' },
]);

function lineAt(doc, line) {
  return doc.line(Math.min(Math.max(1, line), doc.lines));
}

function create(parent, text, onRun) {
  let errorMark = null; // { line, column, message }
  let taskLines = []; // [[line, colour, label], ...]
  let shownLine = 0; // a line a traceback link pointed at (0: none)

  const runKey = { key: 'Mod-Enter', run: () => { onRun(); return true; }, preventDefault: true };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        history(),
        indentOnInput(),
        indentUnit.of('    '),
        EditorState.tabSize.of(4),
        bracketMatching(),
        python(),
        syntaxHighlighting(highlight),
        marks,
        keymap.of([runKey, indentWithTab, ...defaultKeymap, ...historyKeymap]),
        // Named by the page's #editor-label, in the page's language.
        EditorView.contentAttributes.of({ 'aria-labelledby': 'editor-label', spellcheck: 'false' }),
      ],
    }),
  });

  function redraw() {
    const doc = view.state.doc;
    const ranges = [];
    for (const [line, colour, label] of taskLines) {
      if (line < 1 || line > doc.lines) continue;
      const at = doc.line(line).from;
      ranges.push([at, at, Decoration.line({
        attributes: { class: `cm-task-line cm-task-${colour % 8}`, title: label },
      })]);
    }
    if (shownLine >= 1 && shownLine <= doc.lines) {
      const at = doc.line(shownLine).from;
      ranges.push([at, at, Decoration.line({ attributes: { class: 'cm-shown-line' } })]);
    }
    if (errorMark) {
      const line = lineAt(doc, errorMark.line);
      ranges.push([line.from, line.from, Decoration.line({
        attributes: { class: 'cm-error-line', title: errorMark.message },
      })]);
      const from = Math.min(line.from + Math.max(0, errorMark.column - 1), line.to);
      const to = Math.min(from + 1, line.to);
      if (to > from) {
        ranges.push([from, to, Decoration.mark({
          attributes: { class: 'cm-error-mark', title: errorMark.message },
        })]);
      }
    }
    // A RangeSet wants its ranges sorted, line decorations before marks.
    ranges.sort((a, b) => a[0] - b[0] || (a[1] - a[0]) - (b[1] - b[0]));
    const builder = new RangeSetBuilder();
    let lastLineStart = -1;
    for (const [from, to, decoration] of ranges) {
      // One line decoration per line: the first task wins, the rest show in its title.
      if (from === to) {
        if (from === lastLineStart) continue;
        lastLineStart = from;
      }
      builder.add(from, to, decoration);
    }
    view.dispatch({ effects: setMarks.of(builder.finish()) });
  }

  const api = {
    getText: () => view.state.doc.toString(),
    setText(text) {
      shownLine = 0;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      redraw();
    },
    showLine(line) {
      const target = lineAt(view.state.doc, line);
      shownLine = target.number;
      redraw();
      view.dispatch({
        selection: { anchor: target.from },
        effects: EditorView.scrollIntoView(target.from, { y: 'center' }),
      });
      view.focus();
    },
    markError(line, column, message) {
      errorMark = { line, column, message };
      redraw();
    },
    clearError() {
      errorMark = null;
      shownLine = 0;
      redraw();
    },
    markLines(lines) {
      taskLines = lines;
      redraw();
    },
    focus: () => view.focus(),
  };
  parent.loopscopeEditor = api;
  return api;
}

window.loopscopeEditor = { create };
