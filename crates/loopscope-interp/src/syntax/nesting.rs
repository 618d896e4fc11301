//! Refuses source nested deeper than a fixed stack can parse.
//!
//! `ruff_python_parser` is a recursive-descent parser, and so are our
//! compiler and the syntax tree's destructor. Natively the parser grows its
//! stack (`stacker`), but in the browser the stack is fixed, and overflowing
//! it kills the page. So before parsing we scan the text once, cheaply, and
//! refuse what CPython itself refuses, with CPython's messages:
//!
//! * more than [`MAX_BRACKETS`] nested brackets: CPython's tokenizer says
//!   `SyntaxError: too many nested parentheses` (its `MAXLEVEL` is 200);
//! * more than [`MAX_INDENT`] indentation levels: `IndentationError: too many
//!   levels of indentation` (its `MAXINDENT` is 100);
//! * a logical line with more than [`MAX_OPERATORS`] operators, each of which
//!   can add a level to the tree (`1+1+...`, `----x`, `not not ...`): CPython
//!   3.11 gives up near 3,000 levels with `RecursionError: maximum recursion
//!   depth exceeded during compilation`; we give up at 1,000, which no
//!   hand-written program reaches, and say the same.

use super::{SourceError, SourceErrorKind};

/// CPython's tokenizer `MAXLEVEL`.
pub const MAX_BRACKETS: usize = 200;
/// CPython's tokenizer `MAXINDENT`.
pub const MAX_INDENT: usize = 100;
/// Operators in one logical line before we refuse it as too deep.
pub const MAX_OPERATORS: usize = 1000;

/// Checks the source against the three limits above.
pub fn check(source: &str) -> Result<(), SourceError> {
    let index = super::LineIndex::new(source);
    let error_at = |kind, message: &str, at: usize| {
        let (line, column) = index.position(at);
        Err(SourceError::new(kind, message, line, column))
    };
    let mut scanner = Scanner::new(source);
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    while let Some(token) = scanner.next_token() {
        match token {
            Token::Open(_, at) => {
                depth += 1;
                if depth > MAX_BRACKETS {
                    return error_at(
                        SourceErrorKind::SyntaxError,
                        "too many nested parentheses",
                        at,
                    );
                }
            }
            Token::Close(_) => depth = depth.saturating_sub(1),
            Token::Operator(at) => {
                operators += 1;
                if operators > MAX_OPERATORS {
                    return error_at(
                        SourceErrorKind::RecursionError,
                        "maximum recursion depth exceeded during compilation",
                        at,
                    );
                }
            }
            Token::LineStart { indent, at } if depth == 0 => {
                operators = 0;
                while indents.last().is_some_and(|&top| top > indent) {
                    indents.pop();
                }
                if indent > indents.last().copied().unwrap_or(0) {
                    indents.push(indent);
                    if indents.len() > MAX_INDENT - 1 {
                        return error_at(
                            SourceErrorKind::IndentationError,
                            "too many levels of indentation",
                            at,
                        );
                    }
                }
            }
            Token::LineStart { .. } => {}
        }
    }
    Ok(())
}

/// What the scanner reports; everything else (names, numbers, strings,
/// comments) it steps over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// `(`, `[` or `{` at a byte offset.
    Open(char, usize),
    Close(char),
    /// An operator or keyword that can nest an expression, at a byte offset.
    Operator(usize),
    /// The first non-blank character of a physical line that holds code:
    /// its indentation width (tabs to multiples of 8, as CPython) and offset.
    LineStart {
        indent: usize,
        at: usize,
    },
}

/// A single pass over the source that knows just enough of Python's lexical
/// rules (strings with prefixes and triple quotes, comments, continuation
/// lines) not to mistake a bracket inside a string for a real one.
pub struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    at_line_start: bool,
    continued: bool,
}

impl<'a> Scanner<'a> {
    pub fn new(source: &'a str) -> Self {
        Scanner {
            bytes: source.as_bytes(),
            pos: 0,
            at_line_start: true,
            continued: false,
        }
    }

    pub fn next_token(&mut self) -> Option<Token> {
        loop {
            if self.at_line_start {
                self.at_line_start = false;
                let continued = std::mem::take(&mut self.continued);
                let mut indent = 0;
                while let Some(&b) = self.bytes.get(self.pos) {
                    match b {
                        b' ' => indent += 1,
                        b'\t' => indent = (indent / 8 + 1) * 8,
                        b'\x0c' => indent = 0,
                        _ => break,
                    }
                    self.pos += 1;
                }
                match self.bytes.get(self.pos) {
                    None => return None,
                    Some(b'\n' | b'\r' | b'#') => {}
                    Some(_) if continued => {}
                    Some(_) => {
                        return Some(Token::LineStart {
                            indent,
                            at: self.pos,
                        })
                    }
                }
            }
            let &b = self.bytes.get(self.pos)?;
            let at = self.pos;
            self.pos += 1;
            match b {
                b'\n' => self.at_line_start = true,
                b'\\' if self.bytes.get(self.pos) == Some(&b'\n') => {
                    self.pos += 1;
                    self.at_line_start = true;
                    self.continued = true;
                }
                b'#' => {
                    while self.bytes.get(self.pos).is_some_and(|&c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                b'(' | b'[' | b'{' => return Some(Token::Open(b as char, at)),
                b')' | b']' | b'}' => return Some(Token::Close(b as char)),
                b'\'' | b'"' => self.skip_string(b),
                b'+' | b'-' | b'*' | b'/' | b'%' | b'~' | b'&' | b'|' | b'^' | b'<' | b'>'
                | b'@' => {
                    // `**`, `//`, `<<`, `>>`, `->` and augmented forms are one
                    // operator; `--x` is two.
                    let next = self.bytes.get(self.pos).copied();
                    if (next == Some(b) && matches!(b, b'*' | b'/' | b'<' | b'>'))
                        || (b == b'-' && next == Some(b'>'))
                    {
                        self.pos += 1;
                    }
                    if self.bytes.get(self.pos) == Some(&b'=') {
                        self.pos += 1;
                    }
                    return Some(Token::Operator(at));
                }
                c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                    let start = at;
                    while self
                        .bytes
                        .get(self.pos)
                        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80)
                    {
                        self.pos += 1;
                    }
                    let word = &self.bytes[start..self.pos];
                    if let Some(&quote @ (b'\'' | b'"')) = self.bytes.get(self.pos) {
                        if is_string_prefix(word) {
                            self.pos += 1;
                            self.skip_string(quote);
                            continue;
                        }
                    }
                    if matches!(
                        word,
                        b"not" | b"and" | b"or" | b"if" | b"lambda" | b"await" | b"yield"
                    ) {
                        return Some(Token::Operator(at));
                    }
                }
                _ => {}
            }
        }
    }

    /// Steps over a string whose opening quote was just consumed.
    fn skip_string(&mut self, quote: u8) {
        let triple = self.bytes.get(self.pos) == Some(&quote)
            && self.bytes.get(self.pos + 1) == Some(&quote);
        if triple {
            self.pos += 2;
        }
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => {
                    // In raw strings too, a backslash keeps the next quote in.
                    self.pos += 1;
                }
                b'\n' if !triple => {
                    // Unterminated: the parser will say so; end the string here.
                    self.at_line_start = true;
                    return;
                }
                b if b == quote => {
                    if !triple {
                        return;
                    }
                    if self.bytes.get(self.pos) == Some(&quote)
                        && self.bytes.get(self.pos + 1) == Some(&quote)
                    {
                        self.pos += 2;
                        return;
                    }
                }
                _ => {}
            }
        }
    }
}

fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2
        && word
            .iter()
            .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'f' | b'u'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(source: &str) -> Option<(SourceErrorKind, String)> {
        check(source).err().map(|e| (e.kind, e.message))
    }

    #[test]
    fn allows_what_cpython_allows() {
        let brackets = format!("x = {}1{}\n", "(".repeat(199), ")".repeat(199));
        assert_eq!(kind_of(&brackets), None);
        let indented: String = (0..99)
            .map(|i| format!("{}if 1:\n", " ".repeat(i)))
            .collect::<String>()
            + &" ".repeat(99)
            + "pass\n";
        assert_eq!(kind_of(&indented), None);
    }

    #[test]
    fn refuses_too_many_brackets_like_cpython() {
        let source = format!("x = {}1{}\n", "(".repeat(201), ")".repeat(201));
        assert_eq!(
            kind_of(&source),
            Some((
                SourceErrorKind::SyntaxError,
                "too many nested parentheses".into()
            ))
        );
    }

    #[test]
    fn refuses_too_deep_indentation_like_cpython() {
        let source: String = (0..100)
            .map(|i| format!("{}if 1:\n", " ".repeat(i)))
            .collect::<String>()
            + &" ".repeat(100)
            + "pass\n";
        assert_eq!(
            kind_of(&source),
            Some((
                SourceErrorKind::IndentationError,
                "too many levels of indentation".into()
            ))
        );
    }

    #[test]
    fn refuses_operator_chains() {
        let source = format!("x = {}1\n", "-".repeat(5000));
        assert_eq!(kind_of(&source).unwrap().0, SourceErrorKind::RecursionError);
        let source = format!("x = {}1\n", "1+".repeat(5000));
        assert_eq!(kind_of(&source).unwrap().0, SourceErrorKind::RecursionError);
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let source = format!(
            "s = '{}'  # {}\nt = \"\"\"{}\"\"\"\nu = rb'\\'{}'\n",
            "(".repeat(300),
            "[".repeat(300),
            "{".repeat(300),
            "(".repeat(300)
        );
        assert_eq!(kind_of(&source), None);
    }

    #[test]
    fn operators_are_counted_per_logical_line() {
        let source = "x = 1 + 2\n".repeat(2000);
        assert_eq!(kind_of(&source), None);
    }
}
