//! `str` methods whose rules differ from Rust's own: what counts as
//! whitespace and as a line boundary, word boundaries for `title`,
//! padding and tab expansion. Pure functions over `&str`, following
//! CPython 3.11 Objects/unicodeobject.c and Objects/stringlib.

/// `str.isspace` for one character (`Py_UNICODE_ISSPACE`): Unicode
/// White_Space plus the information separators U+001C..U+001F, which
/// CPython counts as whitespace and Rust does not.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Line boundaries of `str.splitlines` (`Py_UNICODE_ISLINEBREAK`).
pub fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{0b}'
            | '\u{0c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// `str.split()` / `str.split(None, maxsplit)`: runs of whitespace separate,
/// leading and trailing whitespace is dropped; after `maxsplit` splits the
/// rest is kept whole (with its trailing whitespace, as CPython does).
pub fn split_whitespace(s: &str, maxsplit: Option<usize>) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = s.trim_start_matches(is_space);
    while !rest.is_empty() {
        if maxsplit.is_some_and(|max| parts.len() >= max) {
            parts.push(rest);
            break;
        }
        let end = rest.find(is_space).unwrap_or(rest.len());
        parts.push(&rest[..end]);
        rest = rest[end..].trim_start_matches(is_space);
    }
    parts
}

/// `str.rsplit()` / `str.rsplit(None, maxsplit)`, splitting from the right.
pub fn rsplit_whitespace(s: &str, maxsplit: Option<usize>) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = s.trim_end_matches(is_space);
    while !rest.is_empty() {
        if maxsplit.is_some_and(|max| parts.len() >= max) {
            parts.push(rest);
            break;
        }
        let start = rest
            .rfind(is_space)
            .map(|i| i + rest[i..].chars().next().map_or(1, char::len_utf8))
            .unwrap_or(0);
        parts.push(&rest[start..]);
        rest = rest[..start].trim_end_matches(is_space);
    }
    parts.reverse();
    parts
}

/// `str.split(sep, maxsplit)` with a non-empty separator.
pub fn split_on<'a>(s: &'a str, separator: &str, maxsplit: Option<usize>) -> Vec<&'a str> {
    match maxsplit {
        Some(max) => s.splitn(max + 1, separator).collect(),
        None => s.split(separator).collect(),
    }
}

/// `str.rsplit(sep, maxsplit)` with a non-empty separator.
pub fn rsplit_on<'a>(s: &'a str, separator: &str, maxsplit: Option<usize>) -> Vec<&'a str> {
    let mut parts: Vec<&str> = match maxsplit {
        Some(max) => s.rsplitn(max + 1, separator).collect(),
        None => s.rsplit(separator).collect(),
    };
    parts.reverse();
    parts
}

/// `str.splitlines(keepends)`: `\r\n` is one boundary.
pub fn splitlines(s: &str, keep_ends: bool) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_line_break(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' {
            if let Some(&(_, '\n')) = chars.peek() {
                chars.next();
                end += 1;
            }
        }
        lines.push(if keep_ends {
            &s[start..end]
        } else {
            &s[start..i]
        });
        start = end;
    }
    if start < s.len() {
        lines.push(&s[start..]);
    }
    lines
}

/// `str.title()`: a cased character after an uncased one starts a word
/// (so "they're" becomes "They'Re", as in CPython).
pub fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous_cased = false;
    for c in s.chars() {
        if previous_cased {
            out.extend(c.to_lowercase());
        } else {
            out.push_str(&titlecase(c));
        }
        previous_cased = c.is_lowercase() || c.is_uppercase() || is_titlecase(c);
    }
    out
}

/// The titlecase mapping for the digraphs that have one; uppercase for
/// everything else.
fn titlecase(c: char) -> String {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => "ǅ".into(),
        'Ǉ' | 'ǈ' | 'ǉ' => "ǈ".into(),
        'Ǌ' | 'ǋ' | 'ǌ' => "ǋ".into(),
        'Ǳ' | 'ǲ' | 'ǳ' => "ǲ".into(),
        _ => c.to_uppercase().collect(),
    }
}

fn is_titlecase(c: char) -> bool {
    matches!(c, 'ǅ' | 'ǈ' | 'ǋ' | 'ǲ')
}

/// `str.capitalize()`: first character titlecased, the rest lowercased.
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => titlecase(first) + &chars.flat_map(char::to_lowercase).collect::<String>(),
        None => String::new(),
    }
}

/// `str.swapcase()`.
pub fn swapcase(s: &str) -> String {
    s.chars()
        .flat_map(|c| -> Vec<char> {
            if c.is_uppercase() {
                c.to_lowercase().collect()
            } else if c.is_lowercase() {
                c.to_uppercase().collect()
            } else {
                vec![c]
            }
        })
        .collect()
}

/// `str.center(width, fill)`. Where the padding is odd, CPython's `pad()`
/// in unicodeobject.c gives the extra fill to the left only when the width
/// is odd too: `left = pad / 2 + (pad & width & 1)`.
pub fn center(s: &str, width: usize, fill: char) -> String {
    let len = s.chars().count();
    if width <= len {
        return s.to_string();
    }
    let pad = width - len;
    let left = pad / 2 + (pad & width & 1);
    let fills = |n: usize| fill.to_string().repeat(n);
    format!("{}{s}{}", fills(left), fills(pad - left))
}

pub fn ljust(s: &str, width: usize, fill: char) -> String {
    let len = s.chars().count();
    format!("{s}{}", fill.to_string().repeat(width.saturating_sub(len)))
}

pub fn rjust(s: &str, width: usize, fill: char) -> String {
    let len = s.chars().count();
    format!("{}{s}", fill.to_string().repeat(width.saturating_sub(len)))
}

/// `str.zfill(width)`: zeros after a leading sign.
pub fn zfill(s: &str, width: usize) -> String {
    let len = s.chars().count();
    if width <= len {
        return s.to_string();
    }
    let zeros = "0".repeat(width - len);
    match s.chars().next() {
        Some(sign @ ('+' | '-')) => format!("{sign}{zeros}{}", &s[1..]),
        _ => format!("{zeros}{s}"),
    }
}

/// `str.expandtabs(tabsize)`: columns restart after `\n` and `\r`.
pub fn expandtabs(s: &str, tabsize: i64) -> String {
    let mut out = String::with_capacity(s.len());
    let mut column = 0usize;
    for c in s.chars() {
        match c {
            '\t' => {
                if tabsize > 0 {
                    let size = tabsize as usize;
                    let spaces = size - column % size;
                    out.push_str(&" ".repeat(spaces));
                    column += spaces;
                }
            }
            '\n' | '\r' => {
                out.push(c);
                column = 0;
            }
            _ => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by CPython 3.11.
    #[test]
    fn split_follows_python_whitespace_rules() {
        assert_eq!(split_whitespace("  a b\t\nc  ", None), ["a", "b", "c"]);
        assert_eq!(split_whitespace("  a b  c  ", Some(1)), ["a", "b  c  "]);
        assert_eq!(rsplit_whitespace("  a b  c  ", Some(1)), ["  a b", "c"]);
        assert_eq!(split_whitespace("a\u{1c}b", None), ["a", "b"]);
        assert_eq!(split_whitespace("a\u{a0}b", None), ["a", "b"]);
        assert!(split_whitespace("", None).is_empty());
        assert_eq!(split_on("a,b,,c", ",", None), ["a", "b", "", "c"]);
        assert_eq!(split_on("a,b,,c", ",", Some(2)), ["a", "b", ",c"]);
        assert_eq!(rsplit_on("a,b,,c", ",", Some(1)), ["a,b,", "c"]);
        assert_eq!(split_on("", ",", None), [""]);
    }

    #[test]
    fn splitlines_knows_every_boundary() {
        assert_eq!(
            splitlines("one\ntwo\r\nthree\rfour\u{b}five\u{1c}x\u{2028}y", false),
            ["one", "two", "three", "four", "five", "x", "y"]
        );
        assert_eq!(splitlines("a\nb\n", true), ["a\n", "b\n"]);
        assert!(splitlines("", false).is_empty());
    }

    #[test]
    fn case_changes_match_cpython() {
        assert_eq!(
            title("hello world it's o'neil 3rd-place"),
            "Hello World It'S O'Neil 3Rd-Place"
        );
        assert_eq!(capitalize("hELLO wORLD"), "Hello world");
        assert_eq!(swapcase("Hello ПРИВЕТ"), "hELLO привет");
        assert_eq!(title("ǅungla"), "ǅungla");
    }

    #[test]
    fn padding_matches_cpython() {
        assert_eq!(center("abc", 8, '*'), "**abc***");
        assert_eq!(center("abc", 6, ' '), " abc  ");
        assert_eq!(center("ab", 5, ' '), "  ab ");
        assert_eq!(zfill("-42", 6), "-00042");
        assert_eq!(zfill("+7", 4), "+007");
        assert_eq!(zfill("abc", 2), "abc");
        assert_eq!(
            expandtabs("a\tbc\td\n\tx", 8),
            "a       bc      d\n        x"
        );
        assert_eq!(expandtabs("a\tb", 4), "a   b");
        assert_eq!(expandtabs("ab\tc", 0), "abc");
    }
}
