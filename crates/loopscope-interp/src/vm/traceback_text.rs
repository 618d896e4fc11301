//! How CPython 3.11 draws the frames of a traceback: the
//! `File "main.py", line N, in f` line, the source line, the carets under
//! the expression that failed, and a recursion's repeated frames folded
//! into `[Previous line repeated N more times]`.
//!
//! Two printers exist in CPython and they differ in small ways, so both are
//! here as [`Style`]s: the interpreter's own (Python/traceback.c
//! `tb_displayline`, used for an uncaught exception) and the `traceback`
//! module's (Lib/traceback.py `StackSummary.format_frame_summary`).

use ruff_python_ast::{Expr, Mod, Stmt};
use ruff_python_parser::{Mode, ParseOptions};
use ruff_text_size::Ranged;

use crate::syntax::LineIndex;

/// Which of CPython's two traceback printers to follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Python/traceback.c: the source line keeps its trailing spaces.
    Interpreter,
    /// Lib/traceback.py: the source line is stripped at both ends.
    Module,
}

/// One frame of a traceback.
pub struct FrameLine<'a> {
    pub filename: &'a str,
    pub line: u32,
    pub function: &'a str,
    /// Byte range in the source of the expression the frame was running,
    /// if known (an empty range is unknown).
    pub range: (u32, u32),
}

/// CPython's `TB_RECURSIVE_CUTOFF` (traceback.c) and `_RECURSIVE_CUTOFF`
/// (traceback.py): the same frame shown this many times in a row, then
/// counted.
const RECURSIVE_CUTOFF: usize = 3;

/// The traceback block of one exception, without its last line: the
/// header, then one piece per frame, outermost first (what
/// `traceback.format_exception` returns for them); nothing without frames.
pub fn traceback_parts(frames: &[FrameLine], index: &LineIndex, style: Style) -> Vec<String> {
    if frames.is_empty() {
        return Vec::new();
    }
    let mut parts = vec!["Traceback (most recent call last):\n".to_string()];
    parts.extend(stack_parts(frames, index, style));
    parts
}

/// One piece per frame (what `traceback.format_stack` returns), with a
/// recursion's repeats folded as CPython folds them.
pub fn stack_parts(frames: &[FrameLine], index: &LineIndex, style: Style) -> Vec<String> {
    let mut parts = Vec::new();
    let mut repeats = 0usize;
    let mut last: Option<(&str, u32, &str)> = None;
    for frame in frames {
        let key = (frame.filename, frame.line, frame.function);
        if last != Some(key) {
            parts.extend(repeated_line(repeats));
            last = Some(key);
            repeats = 0;
        }
        repeats += 1;
        if repeats <= RECURSIVE_CUTOFF {
            let mut text = String::new();
            push_frame(&mut text, frame, index, style);
            parts.push(text);
        }
    }
    parts.extend(repeated_line(repeats));
    parts
}

/// Keeps the frames traceback.py's `limit` keeps: the first `limit`, or
/// the last `-limit` when it is negative.
pub fn apply_limit<T>(frames: &mut Vec<T>, limit: Option<i64>) {
    match limit {
        None => {}
        Some(limit) if limit >= 0 => frames.truncate(limit as usize),
        Some(limit) => {
            let keep = limit.unsigned_abs() as usize;
            if frames.len() > keep {
                frames.drain(..frames.len() - keep);
            }
        }
    }
}

/// CPython traceback.c `tb_print_line_repeated`.
fn repeated_line(repeats: usize) -> Option<String> {
    let more = repeats
        .checked_sub(RECURSIVE_CUTOFF)
        .filter(|&more| more > 0)?;
    let plural = if more > 1 { "s" } else { "" };
    Some(format!(
        "  [Previous line repeated {more} more time{plural}]\n"
    ))
}

fn push_frame(out: &mut String, frame: &FrameLine, index: &LineIndex, style: Style) {
    out.push_str(&format!(
        "  File \"{}\", line {}, in {}\n",
        frame.filename, frame.line, frame.function
    ));
    let raw = index.line_text(frame.line);
    let shown = match style {
        // traceback.c display_source_line_with_margin: the indentation
        // (spaces, tabs, form feeds) goes, the rest stays.
        Style::Interpreter => raw.trim_start_matches([' ', '\t', '\x0c']),
        Style::Module => raw.trim(),
    };
    if shown.is_empty() {
        return;
    }
    out.push_str("    ");
    out.push_str(shown);
    out.push('\n');
    if let Some(carets) = caret_line(frame, raw, shown, index, style) {
        out.push_str(&carets);
        out.push('\n');
    }
}

/// The line of `^` (and `~`) under the failing expression, or None where
/// CPython shows none: the position is unknown, or the expression is the
/// whole line and has no operator or subscript to point at.
fn caret_line(
    frame: &FrameLine,
    raw: &str,
    shown: &str,
    index: &LineIndex,
    style: Style,
) -> Option<String> {
    let (start, end) = (frame.range.0 as usize, frame.range.1 as usize);
    if end <= start {
        return None;
    }
    let line_start = index.line_start(frame.line)?;
    let start_byte = start.checked_sub(line_start)?;
    if start_byte > raw.len() || !raw.is_char_boundary(start_byte) {
        return None;
    }
    let start_char = char_count(&raw[..start_byte]);
    let end_byte = end - line_start;
    let one_line = end_byte <= raw.len() && raw.is_char_boundary(end_byte);
    let (end_char, anchors) = if one_line {
        let segment = &raw[start_byte..end_byte];
        let anchors = anchors_of(segment).map(|anchors| match style {
            // traceback.c uses the parser's byte offsets as they are.
            Style::Interpreter => anchors,
            // traceback.py `_byte_offset_to_character_offset`.
            Style::Module => Anchors {
                left_end: char_count(segment.get(..anchors.left_end).unwrap_or(segment)),
                right_start: char_count(segment.get(..anchors.right_start).unwrap_or(segment)),
            },
        });
        (char_count(&raw[..end_byte]), anchors)
    } else {
        // A multi-line expression: up to the line's last visible character.
        (char_count(raw.trim_end()), None)
    };
    let span = end_char.saturating_sub(start_char);
    let shown_chars = char_count(shown);
    let visible = match style {
        // traceback.c: "Elide indicators if primary char spans the frame line".
        Style::Interpreter => span != shown_chars || anchors.is_some(),
        Style::Module => span < shown_chars || anchors.is_some_and(|a| a.right_start > a.left_end),
    };
    if !visible {
        return None;
    }
    // The source line is printed after four spaces, without what was
    // stripped from its start (and, in traceback.py, from its end: its
    // carets drift left when the line has trailing spaces, as CPython's do).
    let stripped = char_count(raw) - shown_chars;
    let mut text = " ".repeat(4 + start_char.saturating_sub(stripped));
    for position in 0..span {
        let secondary = anchors.is_some_and(|a| a.left_end <= position && position < a.right_start);
        text.push(match (anchors, secondary) {
            (None, _) => '^',
            (Some(_), true) => '^',
            (Some(_), false) => '~',
        });
    }
    Some(text)
}

/// Where an operator or a subscript's brackets sit in the failing
/// expression: `~` before `left_end` and from `right_start`, `^` between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Anchors {
    left_end: usize,
    right_start: usize,
}

/// CPython traceback.c `extract_anchors_from_expr`: the segment parsed on
/// its own; a binary operation points at its operator, a subscript at its
/// brackets. Offsets are bytes of `segment`.
fn anchors_of(segment: &str) -> Option<Anchors> {
    let options = ParseOptions::from(Mode::Module);
    let parsed = ruff_python_parser::parse(segment, options).ok()?;
    let Mod::Module(module) = parsed.syntax() else {
        return None;
    };
    let [Stmt::Expr(statement)] = module.body.as_slice() else {
        return None;
    };
    let bytes = segment.as_bytes();
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\x0c' | b'\n' | b'\r' | b'\x0b');
    match &*statement.value {
        Expr::BinOp(operation) => {
            let from: usize = operation.left.end().into();
            let to: usize = operation.right.start().into();
            let mut anchors = None;
            let mut i = from;
            while i < to {
                let byte = *bytes.get(i)?;
                if is_space(byte) {
                    i += 1;
                    continue;
                }
                // A two-character operator (`//`, `**`, `<<`) gets two carets.
                let wide = i + 1 < to && !is_space(*bytes.get(i + 1)?);
                anchors = Some(Anchors {
                    left_end: i,
                    right_start: i + 1 + usize::from(wide),
                });
                // `(a) + b`: the closing parenthesis is not the operator.
                if i + 1 < to && byte == b')' {
                    i += 1;
                    continue;
                }
                break;
            }
            anchors
        }
        Expr::Subscript(subscript) => {
            let mut left: usize = subscript.value.end().into();
            let mut right: usize = usize::from(subscript.slice.end()) + 1;
            while left < bytes.len() && bytes[left] != b'[' {
                left += 1;
            }
            while right < bytes.len() && bytes[right] != b']' {
                right += 1;
            }
            if right < bytes.len() {
                right += 1;
            }
            Some(Anchors {
                left_end: left,
                right_start: right,
            })
        }
        _ => None,
    }
}

fn char_count(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The traceback of one frame at `range_of` (the first occurrence of
    /// that text) in `source`'s line `line`.
    fn one_frame(source: &str, line: u32, range_of: &str, style: Style) -> String {
        let start = source
            .find(range_of)
            .expect("the expression is in the source");
        let frames = [FrameLine {
            filename: "main.py",
            line,
            function: "<module>",
            range: (start as u32, (start + range_of.len()) as u32),
        }];
        traceback_parts(&frames, &LineIndex::new(source), style).concat()
    }

    fn shown(source: &str, line: u32, range_of: &str) -> String {
        let text = one_frame(source, line, range_of, Style::Interpreter);
        text.lines().skip(2).collect::<Vec<_>>().join("\n")
    }

    // Expected texts below are CPython 3.11.7's, printed for the same lines.

    #[test]
    fn a_call_inside_a_line_is_underlined() {
        assert_eq!(shown("y = f()\n", 1, "f()"), "    y = f()\n        ^^^");
    }

    #[test]
    fn an_expression_that_is_the_whole_line_has_no_carets() {
        assert_eq!(shown("def f():\n    g().x\n", 2, "g().x"), "    g().x");
        assert_eq!(
            shown("raise ValueError(1)\n", 1, "raise ValueError(1)"),
            "    raise ValueError(1)"
        );
    }

    #[test]
    fn operators_and_subscripts_are_pointed_at_even_as_the_whole_line() {
        assert_eq!(
            shown("1 + \"a\"\n", 1, "1 + \"a\""),
            "    1 + \"a\"\n    ~~^~~~~"
        );
        assert_eq!(shown("x[3]\n", 1, "x[3]"), "    x[3]\n    ~^^^");
        assert_eq!(
            shown("    return 1 / 0\n", 1, "1 / 0"),
            "    return 1 / 0\n           ~~^~~"
        );
        assert_eq!(
            shown("c = (a) / (  b  )\n", 1, "(a) / (  b  )"),
            "    c = (a) / (  b  )\n        ~~~~^~~~~~~~~"
        );
        assert_eq!(
            shown("z = 1 // 0\n", 1, "1 // 0"),
            "    z = 1 // 0\n        ~~^^~~"
        );
        assert_eq!(
            shown("a = [[1]]; print(a[0][5])\n", 1, "a[0][5]"),
            "    a = [[1]]; print(a[0][5])\n                     ~~~~^^^"
        );
    }

    #[test]
    fn a_call_spanning_lines_is_underlined_to_the_end_of_its_first_line() {
        let source = "y = [0, f(1,\n  2)]\n";
        assert_eq!(
            shown(source, 1, "f(1,\n  2)"),
            "    y = [0, f(1,\n            ^^^^"
        );
        let source = "f(1,\n  2)\n";
        assert_eq!(shown(source, 1, "f(1,\n  2)"), "    f(1,");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(
            shown("s = \"héllo\"; t = s + 1\n", 1, "s + 1"),
            "    s = \"héllo\"; t = s + 1\n                     ~~^~~"
        );
    }

    #[test]
    fn the_two_printers_differ_on_trailing_spaces() {
        let source = "z = 1 // 0   \n";
        assert_eq!(
            shown(source, 1, "1 // 0"),
            "    z = 1 // 0   \n        ~~^^~~"
        );
        let module = one_frame(source, 1, "1 // 0", Style::Module);
        assert!(
            module.ends_with("    z = 1 // 0\n     ~~^^~~\n"),
            "{module}"
        );
    }

    #[test]
    fn recursion_folds_after_three_frames() {
        let source = "def f(n):\n    return f(n + 1)\n\nf(0)\n";
        let index = LineIndex::new(source);
        let call = source.find("f(n + 1)").unwrap() as u32;
        let mut frames = vec![FrameLine {
            filename: "main.py",
            line: 4,
            function: "<module>",
            range: (0, 0),
        }];
        for _ in 0..999 {
            frames.push(FrameLine {
                filename: "main.py",
                line: 2,
                function: "f",
                range: (call, call + 8),
            });
        }
        let text = traceback_parts(&frames, &index, Style::Interpreter).concat();
        let frame = "  File \"main.py\", line 2, in f\n    return f(n + 1)\n           ^^^^^^^^\n";
        assert_eq!(
            text,
            format!(
                "Traceback (most recent call last):\n  File \"main.py\", line 4, in <module>\n    f(0)\n{}  [Previous line repeated 996 more times]\n",
                frame.repeat(3)
            )
        );
        let mut limited: Vec<&FrameLine> = frames.iter().collect();
        apply_limit(&mut limited, Some(-2));
        assert_eq!(limited.len(), 2);
        apply_limit(&mut limited, Some(1));
        assert_eq!(limited.len(), 1);
        frames.truncate(5);
        assert!(traceback_parts(&frames, &index, Style::Interpreter)
            .concat()
            .ends_with("  [Previous line repeated 1 more time]\n"));
    }
}
