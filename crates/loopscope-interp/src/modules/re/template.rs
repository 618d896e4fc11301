//! Replacement templates of `sub`, `subn` and `Match.expand`: `\1`,
//! `\g<name>`, `\g<0>`, octal and character escapes, parsed as CPython
//! 3.11 `re._parser.parse_template` does (same errors and positions).

use super::parser::{
    is_digit, is_identifier, is_octdigit, parse_python_int, py_repr, simple_escape, ParseError,
    Tokenizer, MAXGROUPS,
};

/// A piece of a parsed template.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Literal(String),
    Group(usize),
}

/// Why a template does not parse.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplateError {
    Parse(ParseError),
    /// `IndexError: unknown group name 'x'`.
    UnknownName(String),
}

impl From<ParseError> for TemplateError {
    fn from(e: ParseError) -> Self {
        TemplateError::Parse(e)
    }
}

/// Parses `template` for a pattern with `groups` groups (not counting
/// group 0) and these named groups.
pub fn parse_template(
    template: &[char],
    is_text: bool,
    groups: usize,
    names: &[(String, usize)],
) -> Result<Vec<Piece>, TemplateError> {
    let mut s = Tokenizer::new(template, is_text)?;
    let mut pieces: Vec<Piece> = Vec::new();
    let mut literal = String::new();
    let add_group = |pieces: &mut Vec<Piece>,
                     literal: &mut String,
                     s: &Tokenizer,
                     index: usize,
                     offset: usize|
     -> Result<(), TemplateError> {
        if index > groups {
            return Err(s
                .error(format!("invalid group reference {index}"), offset)
                .into());
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(literal)));
        }
        pieces.push(Piece::Group(index));
        Ok(())
    };
    while let Some(this) = s.get()? {
        let Some(c) = this.second else {
            literal.push(this.first);
            continue;
        };
        if c == 'g' {
            if !s.matches('<')? {
                return Err(s.error("missing <", 0).into());
            }
            let name = s.getuntil('>', "group name")?;
            let len = name.chars().count();
            let index;
            if is_identifier(&name) {
                s.checkgroupname(&name, 1)?;
                match names.iter().find(|(n, _)| *n == name) {
                    Some((_, g)) => index = *g,
                    None => {
                        return Err(TemplateError::UnknownName(format!(
                            "unknown group name {}",
                            py_repr(&name)
                        )))
                    }
                }
            } else {
                let Some(value) = parse_python_int(&name) else {
                    return Err(s
                        .error(
                            format!("bad character in group name {}", py_repr(&name)),
                            len + 1,
                        )
                        .into());
                };
                if value >= MAXGROUPS as u64 {
                    return Err(s
                        .error(format!("invalid group reference {value}"), len + 1)
                        .into());
                }
                index = value as usize;
            }
            add_group(&mut pieces, &mut literal, &s, index, len + 1)?;
        } else if c == '0' {
            let mut digits = String::from("0");
            if s.next_in(is_octdigit) {
                if let Some(t) = s.get()? {
                    digits.push(t.first);
                }
                if s.next_in(is_octdigit) {
                    if let Some(t) = s.get()? {
                        digits.push(t.first);
                    }
                }
            }
            let value = u32::from_str_radix(&digits, 8).unwrap_or(0) & 0xff;
            literal.push(char::from_u32(value).unwrap_or('\0'));
        } else if is_digit(c) {
            let mut text = format!("\\{c}");
            let mut is_octal = false;
            if s.next_in(is_digit) {
                if let Some(t) = s.get()? {
                    text.push(t.first);
                }
                let second = text.chars().nth(2).unwrap_or('x');
                if is_octdigit(c) && is_octdigit(second) && s.next_in(is_octdigit) {
                    if let Some(t) = s.get()? {
                        text.push(t.first);
                    }
                    is_octal = true;
                    let value = u32::from_str_radix(&text[1..], 8).unwrap_or(0);
                    if value > 0o377 {
                        return Err(s
                            .error(
                                format!("octal escape value {text} outside of range 0-0o377"),
                                text.len(),
                            )
                            .into());
                    }
                    literal.push(char::from_u32(value).unwrap_or('\0'));
                }
            }
            if !is_octal {
                let index: usize = text[1..].parse().unwrap_or(0);
                add_group(&mut pieces, &mut literal, &s, index, text.len() - 1)?;
            }
        } else if let Some(ch) = simple_escape(c) {
            literal.push(ch);
        } else if c.is_ascii_alphabetic() {
            return Err(s.error(format!("bad escape \\{c}"), 2).into());
        } else {
            literal.push('\\');
            literal.push(c);
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str, groups: usize) -> Result<Vec<Piece>, TemplateError> {
        let chars: Vec<char> = t.chars().collect();
        parse_template(&chars, true, groups, &[("name".into(), 1)])
    }

    #[test]
    fn pieces() {
        assert_eq!(
            parse(r"\2.\1-\g<name>\n\-", 2),
            Ok(vec![
                Piece::Group(2),
                Piece::Literal(".".into()),
                Piece::Group(1),
                Piece::Literal("-".into()),
                Piece::Group(1),
                Piece::Literal("\n\\-".into()),
            ])
        );
        assert_eq!(
            parse(r"\2", 1),
            Err(TemplateError::Parse(ParseError::Re {
                msg: "invalid group reference 2".into(),
                pos: Some(1)
            }))
        );
        assert_eq!(
            parse(r"\g<x>", 1),
            Err(TemplateError::UnknownName("unknown group name 'x'".into()))
        );
    }
}
