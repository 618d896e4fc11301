//! From source text to a syntax tree, or to a `SyntaxError` with its line.
//!
//! Parsing is `ruff_python_parser`'s (pinned `=0.0.10`). Two things are ours:
//!
//! * [`nesting`] refuses, before the parser sees it, source nested deeper
//!   than the parser, the compiler and the tree's destructor can recurse
//!   through on a fixed stack (the browser's stack cannot grow). The limits
//!   and messages are CPython's where CPython has one.
//! * [`SourceError`] turns the parser's errors into the `SyntaxError` /
//!   `IndentationError` that CPython 3.11 would raise, with its message where
//!   we know it, and marks what the parser cannot decode for us (`\N{...}`)
//!   as unsupported rather than wrong.

pub mod nesting;

use ruff_python_ast::{ModModule, PythonVersion};
use ruff_python_parser::{
    LexicalErrorType, Mode, ParseErrorType, ParseOptions, Parsed, UnsupportedSyntaxError,
};

/// The exception class CPython would raise for a bad source text, or
/// `Unsupported` when the text is valid Python that Loopscope cannot run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceErrorKind {
    SyntaxError,
    IndentationError,
    /// CPython raises this while compiling source nested too deeply.
    RecursionError,
    /// Valid Python outside what Loopscope supports.
    Unsupported,
}

impl SourceErrorKind {
    /// The Python class name, as the last line of a traceback shows it.
    pub fn class_name(self) -> &'static str {
        match self {
            SourceErrorKind::SyntaxError => "SyntaxError",
            SourceErrorKind::IndentationError => "IndentationError",
            SourceErrorKind::RecursionError => "RecursionError",
            SourceErrorKind::Unsupported => "Unsupported",
        }
    }
}

/// A problem found in the source before anything runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub kind: SourceErrorKind,
    pub message: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters as CPython counts `offset`.
    pub column: u32,
}

impl SourceError {
    pub fn new(kind: SourceErrorKind, message: impl Into<String>, line: u32, column: u32) -> Self {
        SourceError {
            kind,
            message: message.into(),
            line,
            column,
        }
    }

    /// The last line CPython's traceback would print, e.g.
    /// `SyntaxError: invalid syntax`.
    pub fn summary(&self) -> String {
        format!("{}: {}", self.kind.class_name(), self.message)
    }
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (line {}, column {})",
            self.summary(),
            self.line,
            self.column
        )
    }
}

/// Maps byte offsets of a source text to 1-based lines and character columns.
pub struct LineIndex<'a> {
    source: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            source,
            line_starts,
        }
    }

    /// 1-based (line, column) of a byte offset; offsets past the end map to
    /// the end.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.source.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let mut end = offset;
        while !self.source.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.source[start..end].chars().count();
        (line as u32 + 1, column as u32 + 1)
    }

    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The byte offset where a 1-based line starts.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts
            .get((line as usize).checked_sub(1)?)
            .copied()
    }

    /// The text of a 1-based line without its line break.
    pub fn line_text(&self, line: u32) -> &'a str {
        let index = (line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts.get(index) else {
            return "";
        };
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.source.len());
        self.source[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// Parses a whole module as Python 3.11 would, refusing what is nested too
/// deeply first.
pub fn parse_module(source: &str) -> Result<Parsed<ModModule>, SourceError> {
    // CPython's tokenizer refuses NUL before anything else (3.11.4+
    // `_PyTokenizer_FromString`: "source code string cannot contain null
    // bytes"); the place is the NUL's.
    if let Some(at) = source.find('\0') {
        let (line, column) = LineIndex::new(source).position(at);
        return Err(SourceError::new(
            SourceErrorKind::SyntaxError,
            "source code string cannot contain null bytes",
            line,
            column,
        ));
    }
    nesting::check(source)?;
    let options = ParseOptions::from(Mode::Module).with_target_version(PythonVersion::PY311);
    let index = LineIndex::new(source);
    let parsed = ruff_python_parser::parse(source, options).map_err(|error| {
        let start: usize = error.location.start().into();
        describe_parse_error(&error.error, start, &index)
    })?;
    if let Some(error) = parsed.unsupported_syntax_errors().first() {
        return Err(describe_newer_syntax(error, &index));
    }
    let parsed = parsed
        .try_into_module()
        .ok_or_else(|| SourceError::new(SourceErrorKind::SyntaxError, "invalid syntax", 1, 1))?;
    Ok(parsed)
}

fn describe_newer_syntax(error: &UnsupportedSyntaxError, index: &LineIndex) -> SourceError {
    let start: usize = error.range.start().into();
    let (line, column) = index.position(start);
    // CPython 3.11 has no grammar for these; its own message is usually
    // "invalid syntax".
    SourceError::new(SourceErrorKind::SyntaxError, "invalid syntax", line, column)
}

/// CPython's wording for the parser's error, as far as we know it; the
/// generic "invalid syntax" otherwise (what CPython says most often).
fn describe_parse_error(error: &ParseErrorType, start: usize, index: &LineIndex) -> SourceError {
    let (line, column) = index.position(start);
    let syntax =
        |message: &str| SourceError::new(SourceErrorKind::SyntaxError, message, line, column);
    match error {
        ParseErrorType::Lexical(LexicalErrorType::UnicodeError) => SourceError::new(
            SourceErrorKind::Unsupported,
            "\\N{...} escapes are not supported: type the character itself",
            line,
            column,
        ),
        ParseErrorType::Lexical(LexicalErrorType::IndentationError) => SourceError::new(
            SourceErrorKind::IndentationError,
            "unindent does not match any outer indentation level",
            line,
            column,
        ),
        ParseErrorType::UnexpectedIndentation => SourceError::new(
            SourceErrorKind::IndentationError,
            "unexpected indent",
            line,
            column,
        ),
        ParseErrorType::Lexical(LexicalErrorType::UnclosedStringError) => syntax(&format!(
            "unterminated string literal (detected at line {line})"
        )),
        ParseErrorType::Lexical(LexicalErrorType::Eof) => syntax("unexpected EOF while parsing"),
        ParseErrorType::ExpectedToken { expected, .. }
            if expected.to_string() == "`:`" || expected.to_string() == "':'" =>
        {
            syntax("expected ':'")
        }
        ParseErrorType::OtherError(message)
            if message.starts_with("Expected an indented block") =>
        {
            let header_line = header_line_before(index, line);
            let header = index.line_text(header_line);
            SourceError::new(
                SourceErrorKind::IndentationError,
                expected_block_message(header, header_line),
                line,
                column,
            )
        }
        _ => {
            if let Some(bracket) = unclosed_bracket(index.source) {
                let (line, column) = index.position(bracket.1);
                return SourceError::new(
                    SourceErrorKind::SyntaxError,
                    format!("'{}' was never closed", bracket.0),
                    line,
                    column,
                );
            }
            syntax("invalid syntax")
        }
    }
}

/// The nearest line above `line` that holds code: the block's header.
fn header_line_before(index: &LineIndex, line: u32) -> u32 {
    (1..line)
        .rev()
        .find(|&l| {
            let text = index.line_text(l).trim_start();
            !text.is_empty() && !text.starts_with('#')
        })
        .unwrap_or(1)
}

/// CPython: "expected an indented block after 'if' statement on line 3",
/// "... after function definition on line 1", "... after class definition on
/// line 1".
fn expected_block_message(header: &str, header_line: u32) -> String {
    let mut words = header
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty());
    let mut keyword = words.next().unwrap_or("");
    if keyword == "async" {
        keyword = words.next().unwrap_or("");
    }
    let what = match keyword {
        "if" | "elif" | "else" | "while" | "for" | "with" | "try" | "finally" => {
            format!("'{keyword}' statement")
        }
        "except" => "'except' statement".to_string(),
        "def" => "function definition".to_string(),
        "class" => "class definition".to_string(),
        _ => return "expected an indented block".to_string(),
    };
    format!("expected an indented block after {what} on line {header_line}")
}

/// The first bracket that is opened and never closed, with its byte offset
/// (CPython reports "'(' was never closed" at it).
fn unclosed_bracket(source: &str) -> Option<(char, usize)> {
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut scanner = nesting::Scanner::new(source);
    while let Some(token) = scanner.next_token() {
        match token {
            nesting::Token::Open(c, at) => stack.push((c, at)),
            nesting::Token::Close(_) => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(source: &str) -> SourceError {
        parse_module(source).expect_err("should not parse")
    }

    #[test]
    fn counts_statements_of_a_valid_module() {
        let parsed = parse_module("x = 1\nprint(x)\n").unwrap();
        assert_eq!(parsed.syntax().body.len(), 2);
    }

    #[test]
    fn reports_line_and_column_of_a_syntax_error() {
        let error = error_of("x = 1\ny = = 2\n");
        assert_eq!(error.kind, SourceErrorKind::SyntaxError);
        assert_eq!(error.message, "invalid syntax");
        assert_eq!(error.line, 2);
    }

    #[test]
    fn names_an_unclosed_bracket() {
        let error = error_of("print('a'\nx = 1\n");
        assert_eq!(error.message, "'(' was never closed");
        assert_eq!((error.line, error.column), (1, 6));
    }

    #[test]
    fn missing_block_is_an_indentation_error() {
        let error = error_of("if True:\nx = 1\n");
        assert_eq!(error.kind, SourceErrorKind::IndentationError);
        assert_eq!(
            error.message,
            "expected an indented block after 'if' statement on line 1"
        );
    }

    #[test]
    fn unicode_name_escapes_are_unsupported_not_wrong() {
        let error = error_of("s = '\\N{BULLET}'\n");
        assert_eq!(error.kind, SourceErrorKind::Unsupported);
        assert_eq!(error.line, 1);
    }

    #[test]
    fn python_3_12_syntax_is_refused() {
        let error = error_of("type X = int\n");
        assert_eq!(error.kind, SourceErrorKind::SyntaxError);
    }

    #[test]
    fn line_index_counts_characters_not_bytes() {
        let index = LineIndex::new("é = 1\nпривет = 2\n");
        assert_eq!(index.position("é = 1\nпривет".len()), (2, 7));
        assert_eq!(index.line_text(2), "привет = 2");
    }
}
