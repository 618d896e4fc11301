//! Loopscope's replacement for the `unicode_names2` crate.
//!
//! `ruff_python_parser` calls [`character`] only to decode `\N{NAME}` escapes
//! in string literals. The real crate carries the whole Unicode name table,
//! about 400 KB of gzip-compressed wasm, more than half of the site's budget,
//! for an escape that course programs practically never use. This stand-in
//! knows no names: every `\N{...}` fails to decode, the parser reports a
//! `UnicodeError`, and `loopscope-interp` turns that into the run status
//! `unsupported` with a message telling the student to type the character
//! itself. See ARCHITECTURE.md, "Paying for the parser".

/// Looks up a character by its Unicode name. This stand-in has no table, so it
/// always answers `None`.
pub fn character(_name: &str) -> Option<char> {
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn knows_no_names() {
        assert_eq!(super::character("LATIN SMALL LETTER A"), None);
    }
}
