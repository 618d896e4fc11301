//! `str`: UTF-8 text indexed by code point, with its hash cached.

use std::cell::Cell;

pub struct PyStr {
    text: Box<str>,
    /// Number of code points; equals the byte length for ASCII text.
    chars: usize,
    hash: Cell<Option<i64>>,
}

impl PyStr {
    pub fn new(s: &str) -> Self {
        PyStr {
            chars: s.chars().count(),
            text: s.into(),
            hash: Cell::new(None),
        }
    }

    pub fn from_string(s: String) -> Self {
        PyStr {
            chars: s.chars().count(),
            text: s.into_boxed_str(),
            hash: Cell::new(None),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length in code points, as `len()` counts.
    pub fn char_len(&self) -> usize {
        self.chars
    }

    pub fn is_ascii(&self) -> bool {
        self.chars == self.text.len()
    }

    /// The code point at a (non-negative, in range) index.
    pub fn char_at(&self, index: usize) -> Option<char> {
        if self.is_ascii() {
            self.text.as_bytes().get(index).map(|&b| b as char)
        } else {
            self.text.chars().nth(index)
        }
    }

    /// Byte offset of a code point index (clamped to the end).
    pub fn byte_offset(&self, index: usize) -> usize {
        if self.is_ascii() {
            index.min(self.text.len())
        } else {
            self.text
                .char_indices()
                .nth(index)
                .map(|(b, _)| b)
                .unwrap_or(self.text.len())
        }
    }

    /// A deterministic hash (CPython randomises str hashes per process, so
    /// no program can depend on their values): FNV-1a folded into Python's
    /// hash range.
    pub fn hash(&self) -> i64 {
        if let Some(h) = self.hash.get() {
            return h;
        }
        let mut h: u64 = 0xcbf29ce484222325;
        for b in self.text.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        let mut h = (h >> 1) as i64;
        if h == -1 {
            h = -2;
        }
        self.hash.set(Some(h));
        h
    }
}

impl std::fmt::Debug for PyStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", &*self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_by_code_point() {
        let s = PyStr::new("привет");
        assert_eq!(s.char_len(), 6);
        assert_eq!(s.char_at(1), Some('р'));
        assert_eq!(s.byte_offset(2), 4);
        assert!(!s.is_ascii());
        assert_eq!(PyStr::new("abc").char_at(2), Some('c'));
    }

    #[test]
    fn hash_is_stable_and_never_minus_one() {
        assert_eq!(PyStr::new("x").hash(), PyStr::new("x").hash());
        assert_ne!(PyStr::new("x").hash(), -1);
    }
}
