//! Character predicates and case mappings as the regular expression
//! engine sees them (CPython `Modules/_sre/sre.c`): `\d \w \s` in their
//! Unicode and ASCII forms, the simple case mappings `sre_lower_unicode`
//! and `sre_upper_unicode` (the first character of the full mapping, as
//! `_PyUnicode_ToLowercase` returns for extended cases), and the extra
//! case-insensitive equivalences of `Lib/re/_casefix.py`.

use super::parser::Category;

/// `\d`.
pub fn is_digit(c: char, unicode: bool) -> bool {
    if unicode {
        crate::builtins::strings::is_decimal(c)
    } else {
        c.is_ascii_digit()
    }
}

/// `\s`.
pub fn is_space(c: char, unicode: bool) -> bool {
    if unicode {
        crate::text::is_space(c)
    } else {
        matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
    }
}

/// `\w` (and the word characters of `\b`).
pub fn is_word(c: char, unicode: bool) -> bool {
    if unicode {
        c == '_' || crate::builtins::strings::is_alnum(c)
    } else {
        c == '_' || c.is_ascii_alphanumeric()
    }
}

pub fn in_category(cat: Category, c: char, unicode: bool) -> bool {
    match cat {
        Category::Digit => is_digit(c, unicode),
        Category::NotDigit => !is_digit(c, unicode),
        Category::Space => is_space(c, unicode),
        Category::NotSpace => !is_space(c, unicode),
        Category::Word => is_word(c, unicode),
        Category::NotWord => !is_word(c, unicode),
    }
}

/// `sre_lower_unicode` / `sre_lower_ascii`.
pub fn lower(c: char, unicode: bool) -> char {
    if unicode {
        if c.is_ascii() {
            c.to_ascii_lowercase()
        } else {
            c.to_lowercase().next().unwrap_or(c)
        }
    } else {
        c.to_ascii_lowercase()
    }
}

/// `sre_upper_unicode` / `sre_upper_ascii`.
pub fn upper(c: char, unicode: bool) -> char {
    if unicode {
        if c.is_ascii() {
            c.to_ascii_uppercase()
        } else {
            c.to_uppercase().next().unwrap_or(c)
        }
    } else {
        c.to_ascii_uppercase()
    }
}

/// `_sre.unicode_iscased` / `_sre.ascii_iscased`.
pub fn is_cased(c: char, unicode: bool) -> bool {
    c != lower(c, unicode) || c != upper(c, unicode)
}

/// `_EXTRA_CASES`: lowercase characters with the same uppercase as
/// another lowercase character.
const EXTRA_CASES: &[(u32, &[u32])] = &[
    (0x0069, &[0x0131]),
    (0x0073, &[0x017f]),
    (0x00b5, &[0x03bc]),
    (0x0131, &[0x0069]),
    (0x017f, &[0x0073]),
    (0x0345, &[0x03b9, 0x1fbe]),
    (0x0390, &[0x1fd3]),
    (0x03b0, &[0x1fe3]),
    (0x03b2, &[0x03d0]),
    (0x03b5, &[0x03f5]),
    (0x03b8, &[0x03d1]),
    (0x03b9, &[0x0345, 0x1fbe]),
    (0x03ba, &[0x03f0]),
    (0x03bc, &[0x00b5]),
    (0x03c0, &[0x03d6]),
    (0x03c1, &[0x03f1]),
    (0x03c2, &[0x03c3]),
    (0x03c3, &[0x03c2]),
    (0x03c6, &[0x03d5]),
    (0x03d0, &[0x03b2]),
    (0x03d1, &[0x03b8]),
    (0x03d5, &[0x03c6]),
    (0x03d6, &[0x03c0]),
    (0x03f0, &[0x03ba]),
    (0x03f1, &[0x03c1]),
    (0x03f5, &[0x03b5]),
    (0x0432, &[0x1c80]),
    (0x0434, &[0x1c81]),
    (0x043e, &[0x1c82]),
    (0x0441, &[0x1c83]),
    (0x0442, &[0x1c84, 0x1c85]),
    (0x044a, &[0x1c86]),
    (0x0463, &[0x1c87]),
    (0x1c80, &[0x0432]),
    (0x1c81, &[0x0434]),
    (0x1c82, &[0x043e]),
    (0x1c83, &[0x0441]),
    (0x1c84, &[0x0442, 0x1c85]),
    (0x1c85, &[0x0442, 0x1c84]),
    (0x1c86, &[0x044a]),
    (0x1c87, &[0x0463]),
    (0x1c88, &[0xa64b]),
    (0x1e61, &[0x1e9b]),
    (0x1e9b, &[0x1e61]),
    (0x1fbe, &[0x0345, 0x03b9]),
    (0x1fd3, &[0x0390]),
    (0x1fe3, &[0x03b0]),
    (0xa64b, &[0x1c88]),
    (0xfb05, &[0xfb06]),
    (0xfb06, &[0xfb05]),
];

/// The extra lowercase equivalents of a lowercase character.
pub fn extra_cases(lowered: char) -> impl Iterator<Item = char> {
    let code = lowered as u32;
    let found = EXTRA_CASES
        .binary_search_by_key(&code, |(k, _)| *k)
        .ok()
        .and_then(|i| EXTRA_CASES.get(i))
        .map(|(_, v)| *v)
        .unwrap_or(&[]);
    found.iter().filter_map(|&c| char::from_u32(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_mappings_follow_sre() {
        assert_eq!(lower('İ', true), 'i');
        assert_eq!(upper('ß', true), 'S');
        assert!(is_cased('ß', true));
        assert!(!is_cased('1', true));
        assert_eq!(lower('Д', true), 'д');
        assert_eq!(lower('Д', false), 'Д');
        assert_eq!(extra_cases('в').collect::<Vec<_>>(), vec!['\u{1c80}']);
    }

    #[test]
    fn categories() {
        assert!(is_word('ё', true));
        assert!(!is_word('ё', false));
        assert!(is_digit('٣', true));
        assert!(is_space('\u{1c}', true));
    }
}
