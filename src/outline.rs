//! The shape of a parsed program: its top-level statements, what kind each
//! one is and which lines it spans. Pure Rust, so it is tested natively.

use loopscope_interp::syntax::{parse_module, LineIndex, SourceError};
use ruff_python_ast::Stmt;
use ruff_text_size::Ranged;

/// What a top-level statement is, as far as the chart cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatementKind {
    /// `def` or `async def`, decorators included.
    Function,
    /// `class`, decorators included.
    Class,
    /// Anything else: imports, assignments, calls, loops...
    Other,
}

impl StatementKind {
    /// Every kind, in the order the legend lists them.
    pub const ALL: [StatementKind; 3] = [
        StatementKind::Function,
        StatementKind::Class,
        StatementKind::Other,
    ];

    /// The legend's words for the kind.
    pub fn label(self) -> &'static str {
        match self {
            StatementKind::Function => "function definition",
            StatementKind::Class => "class definition",
            StatementKind::Other => "other statement",
        }
    }

    /// The CSS custom property holding the kind's colour (see `www/style.css`).
    pub fn color_property(self) -> &'static str {
        match self {
            StatementKind::Function => "--kind-function",
            StatementKind::Class => "--kind-class",
            StatementKind::Other => "--kind-other",
        }
    }
}

/// One top-level statement: its kind and the 1-based lines it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatementSpan {
    pub kind: StatementKind,
    pub first_line: u32,
    pub last_line: u32,
}

impl StatementSpan {
    /// How many lines the statement spans, at least one.
    pub fn line_count(&self) -> u32 {
        self.last_line.saturating_sub(self.first_line) + 1
    }
}

/// What the Run button last produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseOutcome {
    /// Run has not been pressed yet.
    NotRun,
    /// The program parsed: its top-level statements in source order.
    Parsed(Vec<StatementSpan>),
    /// The program did not parse.
    Failed(SourceError),
}

impl ParseOutcome {
    /// Parses `source` and outlines its top-level statements.
    pub fn of_source(source: &str) -> ParseOutcome {
        match outline(source) {
            Ok(spans) => ParseOutcome::Parsed(spans),
            Err(error) => ParseOutcome::Failed(error),
        }
    }

    /// The sentence the page shows for the outcome.
    pub fn message(&self) -> String {
        match self {
            ParseOutcome::NotRun => "Press Run to parse the program.".to_string(),
            ParseOutcome::Parsed(spans) if spans.len() == 1 => "1 statement".to_string(),
            ParseOutcome::Parsed(spans) => format!("{} statements", spans.len()),
            ParseOutcome::Failed(error) => format!(
                "{} (line {}, column {})",
                error.summary(),
                error.line,
                error.column
            ),
        }
    }

    /// The statements to draw: none unless the program parsed.
    pub fn spans(&self) -> &[StatementSpan] {
        match self {
            ParseOutcome::Parsed(spans) => spans,
            ParseOutcome::NotRun | ParseOutcome::Failed(_) => &[],
        }
    }
}

/// Parses `source` and returns one span per top-level statement.
pub fn outline(source: &str) -> Result<Vec<StatementSpan>, SourceError> {
    let parsed = parse_module(source)?;
    let index = LineIndex::new(source);
    let spans = parsed
        .syntax()
        .body
        .iter()
        .map(|statement| {
            let range = statement.range();
            let (first_line, _) = index.position(range.start().into());
            let (last_line, _) = index.position(range.end().into());
            StatementSpan {
                kind: kind_of(statement),
                first_line,
                last_line,
            }
        })
        .collect();
    Ok(spans)
}

fn kind_of(statement: &Stmt) -> StatementKind {
    match statement {
        Stmt::FunctionDef(_) => StatementKind::Function,
        Stmt::ClassDef(_) => StatementKind::Class,
        _ => StatementKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loopscope_interp::syntax::SourceErrorKind;

    #[test]
    fn classifies_each_top_level_statement_and_its_lines() {
        let source = "import asyncio\n\n\
                      async def main():\n    await asyncio.sleep(1)\n    return 2\n\n\
                      class Box:\n    pass\n\n\
                      asyncio.run(main())\n";
        let spans = outline(source).expect("parses");
        let summary: Vec<_> = spans
            .iter()
            .map(|s| (s.kind, s.first_line, s.last_line))
            .collect();
        assert_eq!(
            summary,
            vec![
                (StatementKind::Other, 1, 1),
                (StatementKind::Function, 3, 5),
                (StatementKind::Class, 7, 8),
                (StatementKind::Other, 10, 10),
            ]
        );
        assert_eq!(spans[1].line_count(), 3);
    }

    #[test]
    fn a_decorated_definition_starts_at_its_decorator() {
        let spans = outline("@decorate\ndef f():\n    pass\n").expect("parses");
        assert_eq!(spans[0].kind, StatementKind::Function);
        assert_eq!((spans[0].first_line, spans[0].last_line), (1, 3));
    }

    #[test]
    fn a_multi_line_expression_spans_all_its_lines() {
        let spans = outline("total = sum([\n    1,\n    2,\n])\n").expect("parses");
        assert_eq!(spans[0].line_count(), 4);
    }

    #[test]
    fn messages_count_statements_or_quote_the_error_and_its_place() {
        assert_eq!(ParseOutcome::of_source("x = 1\n").message(), "1 statement");
        assert_eq!(
            ParseOutcome::of_source("x = 1\ny = 2\n").message(),
            "2 statements"
        );
        let failed = ParseOutcome::of_source("x = 1\ny = = 2\n");
        let ParseOutcome::Failed(error) = &failed else {
            panic!("expected a syntax error, got {failed:?}");
        };
        assert_eq!(error.kind, SourceErrorKind::SyntaxError);
        assert_eq!(
            failed.message(),
            format!(
                "SyntaxError: invalid syntax (line 2, column {})",
                error.column
            )
        );
        assert!(failed.spans().is_empty());
    }

    #[test]
    fn an_empty_program_has_no_statements() {
        assert_eq!(ParseOutcome::of_source("").message(), "0 statements");
        assert_eq!(
            ParseOutcome::of_source("# only a comment\n").spans(),
            &[][..]
        );
    }
}
