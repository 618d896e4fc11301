//! The JSON decoder: CPython 3.11's C scanner (`Modules/_json.c`
//! `scan_once_unicode`, `_parse_object_unicode`, `_parse_array_unicode`,
//! `scanstring_unicode`, `_match_number_unicode`) step by step, so that
//! every `JSONDecodeError` has CPython's message and position, with the
//! hooks of `json.loads` (`object_hook`, `object_pairs_hook`,
//! `parse_float`, `parse_int`, `parse_constant`) and `strict`.
//!
//! Positions are code point indices, as in CPython.

use crate::value::{PyResult, Unwind, Value};
use crate::vm::{ExcType, Vm};

/// How a decoder was configured (None: the built-in behaviour).
#[derive(Default)]
pub struct DecoderOptions {
    pub object_hook: Option<Value>,
    pub object_pairs_hook: Option<Value>,
    pub parse_float: Option<Value>,
    pub parse_int: Option<Value>,
    pub parse_constant: Option<Value>,
    pub strict: bool,
}

/// Why scanning stopped.
pub enum ScanError {
    /// `StopIteration(idx)`: no value starts here ("Expecting value").
    NoValue(usize),
    /// A `JSONDecodeError(msg, doc, pos)`.
    Decode(&'static str, usize),
    /// A Python exception (from a hook) or a halt.
    Python(Unwind),
}

impl From<Unwind> for ScanError {
    fn from(u: Unwind) -> Self {
        ScanError::Python(u)
    }
}

type Scan<T> = Result<T, ScanError>;

pub struct Scanner<'a> {
    text: &'a [char],
    opts: &'a DecoderOptions,
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The index after any JSON whitespace from `idx` (`WHITESPACE.match`).
pub fn skip_ws(text: &[char], mut idx: usize) -> usize {
    while text.get(idx).is_some_and(|&c| is_ws(c)) {
        idx += 1;
    }
    idx
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a [char], opts: &'a DecoderOptions) -> Self {
        Scanner { text, opts }
    }

    fn at(&self, i: usize) -> Option<char> {
        self.text.get(i).copied()
    }

    fn len(&self) -> usize {
        self.text.len()
    }

    /// Does `word` appear at `idx` (with room for it)?
    fn word_at(&self, idx: usize, word: &str) -> bool {
        let n = word.chars().count();
        idx + n <= self.len()
            && word
                .chars()
                .enumerate()
                .all(|(i, c)| self.at(idx + i) == Some(c))
    }

    /// `scan_once_unicode`: the value starting at `idx` and the index
    /// after it.
    pub fn scan_once(&self, vm: &mut Vm, idx: usize) -> Scan<(Value, usize)> {
        let Some(c) = self.at(idx) else {
            return Err(ScanError::NoValue(idx));
        };
        match c {
            '"' => {
                return self
                    .scan_string(idx + 1)
                    .map(|(s, end)| (Value::string(s), end))
            }
            '{' => {
                self.enter(vm, "object")?;
                let r = self.parse_object(vm, idx + 1);
                vm.depth -= 1;
                return r;
            }
            '[' => {
                self.enter(vm, "array")?;
                let r = self.parse_array(vm, idx + 1);
                vm.depth -= 1;
                return r;
            }
            'n' if self.word_at(idx, "null") => return Ok((Value::None, idx + 4)),
            't' if self.word_at(idx, "true") => return Ok((Value::Bool(true), idx + 4)),
            'f' if self.word_at(idx, "false") => return Ok((Value::Bool(false), idx + 5)),
            'N' if self.word_at(idx, "NaN") => return self.constant(vm, "NaN", idx + 3),
            'I' if self.word_at(idx, "Infinity") => return self.constant(vm, "Infinity", idx + 8),
            '-' if self.word_at(idx, "-Infinity") => {
                return self.constant(vm, "-Infinity", idx + 9)
            }
            _ => {}
        }
        self.match_number(vm, idx)
    }

    fn enter(&self, vm: &mut Vm, what: &str) -> Scan<()> {
        match vm.enter_native() {
            Ok(()) => Ok(()),
            Err(Unwind::Exception(_)) => Err(ScanError::Python(vm.error(
                ExcType::RecursionError,
                format!("maximum recursion depth exceeded while decoding a JSON {what} from a unicode string"),
            ))),
            Err(e) => Err(e.into()),
        }
    }

    fn constant(&self, vm: &mut Vm, name: &str, end: usize) -> Scan<(Value, usize)> {
        let value = match &self.opts.parse_constant {
            Some(f) => vm.call(f, vec![Value::str(name)])?,
            None => Value::Float(match name {
                "NaN" => f64::NAN,
                "Infinity" => f64::INFINITY,
                _ => f64::NEG_INFINITY,
            }),
        };
        Ok((value, end))
    }

    /// `_parse_object_unicode` (`idx` is after the `{`).
    fn parse_object(&self, vm: &mut Vm, mut idx: usize) -> Scan<(Value, usize)> {
        let mut pairs: Vec<(Value, Value)> = Vec::new();
        idx = skip_ws(self.text, idx);
        if self.at(idx) != Some('}') {
            loop {
                if self.at(idx) != Some('"') {
                    return Err(ScanError::Decode(
                        "Expecting property name enclosed in double quotes",
                        idx,
                    ));
                }
                let (key, next) = self.scan_string(idx + 1)?;
                idx = skip_ws(self.text, next);
                if self.at(idx) != Some(':') {
                    return Err(ScanError::Decode("Expecting ':' delimiter", idx));
                }
                idx = skip_ws(self.text, idx + 1);
                let (value, next) = self.scan_once(vm, idx)?;
                pairs.push((Value::string(key), value));
                idx = skip_ws(self.text, next);
                if self.at(idx) == Some('}') {
                    break;
                }
                if self.at(idx) != Some(',') {
                    return Err(ScanError::Decode("Expecting ',' delimiter", idx));
                }
                idx = skip_ws(self.text, idx + 1);
            }
        }
        let end = idx + 1;
        if let Some(hook) = &self.opts.object_pairs_hook {
            let list = Value::list(
                pairs
                    .into_iter()
                    .map(|(k, v)| Value::tuple(vec![k, v]))
                    .collect(),
            );
            return Ok((vm.call(hook, vec![list])?, end));
        }
        let mut dict = vm.new_dict(pairs)?;
        if let Some(hook) = &self.opts.object_hook {
            dict = vm.call(hook, vec![dict])?;
        }
        Ok((dict, end))
    }

    /// `_parse_array_unicode` (`idx` is after the `[`).
    fn parse_array(&self, vm: &mut Vm, mut idx: usize) -> Scan<(Value, usize)> {
        let mut items = Vec::new();
        idx = skip_ws(self.text, idx);
        if self.at(idx) != Some(']') {
            loop {
                let (value, next) = self.scan_once(vm, idx)?;
                items.push(value);
                idx = skip_ws(self.text, next);
                if self.at(idx) == Some(']') {
                    break;
                }
                if self.at(idx) != Some(',') {
                    return Err(ScanError::Decode("Expecting ',' delimiter", idx));
                }
                idx = skip_ws(self.text, idx + 1);
            }
        }
        Ok((Value::list(items), idx + 1))
    }

    /// `scanstring_unicode`: the string whose opening quote is just
    /// before `end`, and the index after its closing quote.
    pub fn scan_string(&self, end: usize) -> Scan<(String, usize)> {
        let begin = end.saturating_sub(1);
        let len = self.len();
        let mut out = String::new();
        let mut end = end;
        loop {
            // Find the end of the string or the next escape.
            let mut next = end;
            let mut found = None;
            while next < len {
                let d = self.at(next).unwrap_or('\0');
                if d == '"' || d == '\\' {
                    found = Some(d);
                    break;
                }
                if (d as u32) <= 0x1f && self.opts.strict {
                    return Err(ScanError::Decode("Invalid control character at", next));
                }
                next += 1;
            }
            let Some(c) = found else {
                return Err(ScanError::Decode("Unterminated string starting at", begin));
            };
            out.extend(self.text.get(end..next).unwrap_or(&[]).iter());
            next += 1;
            if c == '"' {
                return Ok((out, next));
            }
            if next == len {
                return Err(ScanError::Decode("Unterminated string starting at", begin));
            }
            let c = self.at(next).unwrap_or('\0');
            if c != 'u' {
                end = next + 1;
                let ch = match c {
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    'b' => '\x08',
                    'f' => '\x0c',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    _ => return Err(ScanError::Decode("Invalid \\escape", end - 2)),
                };
                out.push(ch);
                continue;
            }
            next += 1;
            end = next + 4;
            if end >= len {
                return Err(ScanError::Decode("Invalid \\uXXXX escape", next - 1));
            }
            let mut code = self
                .hex4(next)
                .ok_or(ScanError::Decode("Invalid \\uXXXX escape", end - 5))?;
            if (0xd800..=0xdbff).contains(&code)
                && end + 6 < len
                && self.at(end) == Some('\\')
                && self.at(end + 1) == Some('u')
            {
                let low = self
                    .hex4(end + 2)
                    .ok_or(ScanError::Decode("Invalid \\uXXXX escape", end + 1))?;
                if (0xdc00..=0xdfff).contains(&low) {
                    code = 0x10000 + (((code - 0xd800) << 10) | (low - 0xdc00));
                    end += 6;
                }
            }
            // A lone surrogate cannot live in our strings.
            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let mut value = 0;
        for i in 0..4 {
            let digit = self.at(at + i)?.to_digit(16)?;
            value = value * 16 + digit;
        }
        Some(value)
    }

    /// `_match_number_unicode`.
    fn match_number(&self, vm: &mut Vm, start: usize) -> Scan<(Value, usize)> {
        let len = self.len();
        let digit = |i: usize| self.at(i).is_some_and(|c| c.is_ascii_digit());
        let mut idx = start;
        if self.at(idx) == Some('-') {
            idx += 1;
            if idx >= len {
                return Err(ScanError::NoValue(start));
            }
        }
        match self.at(idx) {
            Some('1'..='9') => {
                idx += 1;
                while digit(idx) {
                    idx += 1;
                }
            }
            Some('0') => idx += 1,
            _ => return Err(ScanError::NoValue(start)),
        }
        let mut is_float = false;
        if idx + 1 < len && self.at(idx) == Some('.') && digit(idx + 1) {
            is_float = true;
            idx += 2;
            while digit(idx) {
                idx += 1;
            }
        }
        if idx + 1 < len && matches!(self.at(idx), Some('e' | 'E')) {
            let e_start = idx;
            idx += 1;
            if idx + 1 < len && matches!(self.at(idx), Some('-' | '+')) {
                idx += 1;
            }
            while digit(idx) {
                idx += 1;
            }
            if digit(idx - 1) {
                is_float = true;
            } else {
                idx = e_start;
            }
        }
        let text: String = self.text.get(start..idx).unwrap_or(&[]).iter().collect();
        let custom = if is_float {
            &self.opts.parse_float
        } else {
            &self.opts.parse_int
        };
        let value = match custom {
            Some(f) => vm.call(f, vec![Value::string(text)])?,
            None if is_float => Value::Float(text.parse::<f64>().unwrap_or(f64::NAN)),
            None => parse_int(vm, &text)?,
        };
        Ok((value, idx))
    }
}

/// `int(text)` for the digits of a JSON integer.
fn parse_int(vm: &mut Vm, text: &str) -> PyResult<Value> {
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    let digits = text.trim_start_matches('-').len();
    if digits > crate::numbers::MAX_INT_DIGITS {
        return Err(vm.error(
            ExcType::ValueError,
            format!(
                "Exceeds the limit ({} digits) for integer string conversion: value has {digits} digits; use sys.set_int_max_str_digits() to increase the limit",
                crate::numbers::MAX_INT_DIGITS
            ),
        ));
    }
    match crate::builtins::classes::parse_int(text, 10) {
        Some(b) => Ok(Value::from_bigint(b)),
        None => Err(vm.error(
            ExcType::ValueError,
            "invalid literal for int() with base 10",
        )),
    }
}
