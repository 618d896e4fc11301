//! `str`: UTF-8 text indexed by code point, with its hash cached; and the
//! interned names of code and of built-in namespaces.
//!
//! Interning (CPython `sys.intern`, applied as CPython applies it to
//! identifiers): every name a compiled program uses and every name a
//! built-in namespace defines is one shared `PyStr` per thread, marked
//! `interned`. Two interned strings are equal exactly when they are the same
//! object, so attribute lookup compares pointers instead of bytes (see
//! `value::attrs`).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

pub struct PyStr {
    text: Box<str>,
    /// Number of code points; equals the byte length for ASCII text.
    chars: usize,
    hash: Cell<Option<i64>>,
    /// This is the thread's one interned copy of its text.
    interned: bool,
}

thread_local! {
    /// The interned names. Only names reach it (identifiers in compiled code,
    /// names built-in namespaces define), so it stays as small as the
    /// programs run in this thread.
    static INTERNED: RefCell<HashMap<Box<str>, Rc<PyStr>>> = RefCell::new(HashMap::new());
}

/// The interned `PyStr` for a name.
pub fn intern(name: &str) -> Rc<PyStr> {
    INTERNED.with(|table| {
        let mut table = table.borrow_mut();
        if let Some(existing) = table.get(name) {
            return existing.clone();
        }
        let mut fresh = PyStr::new(name);
        fresh.interned = true;
        let fresh = Rc::new(fresh);
        table.insert(name.into(), fresh.clone());
        fresh
    })
}

/// The interned `PyStr` for a name, if it has been interned.
pub fn interned(name: &str) -> Option<Rc<PyStr>> {
    INTERNED.with(|table| table.borrow().get(name).cloned())
}

/// The hash `PyStr::hash` gives a text (FNV-1a folded into Python's hash
/// range), for lookups by `&str`.
pub fn str_hash(text: &str) -> i64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    let h = (h >> 1) as i64;
    if h == -1 {
        -2
    } else {
        h
    }
}

impl PyStr {
    pub fn new(s: &str) -> Self {
        PyStr {
            chars: s.chars().count(),
            text: s.into(),
            hash: Cell::new(None),
            interned: false,
        }
    }

    pub fn from_string(s: String) -> Self {
        PyStr {
            chars: s.chars().count(),
            text: s.into_boxed_str(),
            hash: Cell::new(None),
            interned: false,
        }
    }

    pub fn is_interned(&self) -> bool {
        self.interned
    }

    /// Whether two strings are equal. Two distinct interned strings never
    /// are, which settles most attribute-name comparisons without reading
    /// the text.
    #[inline]
    pub fn same_text(&self, other: &PyStr) -> bool {
        std::ptr::eq(self, other)
            || (!(self.interned && other.interned)
                && self.text.len() == other.text.len()
                && self.text == other.text)
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
        let h = str_hash(&self.text);
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
        assert_eq!(PyStr::new("abc").hash(), str_hash("abc"));
    }

    #[test]
    fn interned_names_are_shared_and_compare_by_identity() {
        let a = intern("norm1");
        let b = intern("norm1");
        assert!(Rc::ptr_eq(&a, &b));
        assert!(a.same_text(&b));
        assert!(!a.same_text(&intern("norm2")));
        // A string made at run time still equals the interned name.
        assert!(PyStr::new("norm1").same_text(&a));
        assert!(a.same_text(&PyStr::new("norm1")));
        assert!(!a.same_text(&PyStr::new("norm")));
    }
}
