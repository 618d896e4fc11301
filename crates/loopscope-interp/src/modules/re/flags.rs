//! The `re` flag bits (CPython `Lib/re/_constants.py`, `SRE_FLAG_*`).

pub const FLAG_TEMPLATE: u32 = 1;
pub const FLAG_IGNORECASE: u32 = 2;
pub const FLAG_LOCALE: u32 = 4;
pub const FLAG_MULTILINE: u32 = 8;
pub const FLAG_DOTALL: u32 = 16;
pub const FLAG_UNICODE: u32 = 32;
pub const FLAG_VERBOSE: u32 = 64;
pub const FLAG_DEBUG: u32 = 128;
pub const FLAG_ASCII: u32 = 256;

/// `re.RegexFlag` members in the order CPython's `repr` lists them.
pub const FLAG_NAMES: &[(&str, u32)] = &[
    ("TEMPLATE", FLAG_TEMPLATE),
    ("IGNORECASE", FLAG_IGNORECASE),
    ("LOCALE", FLAG_LOCALE),
    ("MULTILINE", FLAG_MULTILINE),
    ("DOTALL", FLAG_DOTALL),
    ("UNICODE", FLAG_UNICODE),
    ("VERBOSE", FLAG_VERBOSE),
    ("DEBUG", FLAG_DEBUG),
    ("ASCII", FLAG_ASCII),
];
