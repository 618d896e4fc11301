//! The JSON encoder: Python values to JSON text exactly as CPython 3.11
//! writes them (`Lib/json/encoder.py` `_make_iterencode`, and
//! `Modules/_json.c` `c_make_encoder` for one-shot encoding without an
//! indent): key conversion, `sort_keys`, separators and indentation,
//! `ensure_ascii` escapes with surrogate pairs, `float.__repr__`,
//! NaN/Infinity, `default=` for other objects and circular-reference
//! detection. Chunks are produced where `iterencode` would yield them.

use std::rc::Rc;

use crate::value::{PyResult, Unwind, Value};
use crate::vm::{ExcType, Vm};

/// What an encoder was configured with.
pub struct EncoderOptions {
    pub skipkeys: bool,
    pub ensure_ascii: bool,
    pub check_circular: bool,
    pub allow_nan: bool,
    pub sort_keys: bool,
    /// The indent string (an int indent already turned into spaces).
    pub indent: Option<String>,
    pub item_separator: String,
    pub key_separator: String,
    /// `default(o)` for objects JSON cannot represent; None raises the
    /// TypeError of `JSONEncoder.default` directly.
    pub default: Option<Value>,
    /// Encoding as `c_make_encoder` does (one-shot, no indent): its
    /// messages differ slightly from the Python encoder's.
    pub c_encoder: bool,
}

/// Where encoded text goes: one string, or the chunks `iterencode` yields.
pub enum Output {
    Joined(String),
    Chunks(Vec<String>),
}

impl Output {
    fn push(&mut self, s: String) {
        match self {
            Output::Joined(out) => out.push_str(&s),
            Output::Chunks(chunks) => chunks.push(s),
        }
    }
}

/// `encode_basestring_ascii` / `encode_basestring`: a JSON string literal.
pub fn encode_string(s: &str, ensure_ascii: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ensure_ascii && !(' '..='~').contains(&c) => {
                let n = c as u32;
                if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    let v = n - 0x10000;
                    let high = 0xd800 | ((v >> 10) & 0x3ff);
                    let low = 0xdc00 | (v & 0x3ff);
                    out.push_str(&format!("\\u{high:04x}\\u{low:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value JSON writes without recursion: its text, or None for
/// containers and other objects.
enum Simple {
    Text(String),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    Other,
}

pub struct Encoder<'a> {
    opts: &'a EncoderOptions,
    /// Addresses of the containers being encoded (`markers`).
    markers: Vec<usize>,
    out: Output,
}

impl<'a> Encoder<'a> {
    pub fn new(opts: &'a EncoderOptions, chunks: bool) -> Self {
        Encoder {
            opts,
            markers: Vec::new(),
            out: if chunks {
                Output::Chunks(Vec::new())
            } else {
                Output::Joined(String::new())
            },
        }
    }

    pub fn finish(self) -> Output {
        self.out
    }

    /// `floatstr`.
    fn float_text(&self, vm: &mut Vm, f: f64) -> PyResult<String> {
        let text = if f.is_nan() {
            "NaN"
        } else if f == f64::INFINITY {
            "Infinity"
        } else if f == f64::NEG_INFINITY {
            "-Infinity"
        } else {
            return Ok(crate::numbers::float_repr(f));
        };
        if !self.opts.allow_nan {
            let message = if self.opts.c_encoder {
                "Out of range float values are not JSON compliant".to_string()
            } else {
                format!(
                    "Out of range float values are not JSON compliant: {}",
                    crate::numbers::float_repr(f)
                )
            };
            return Err(vm.error(ExcType::ValueError, message));
        }
        Ok(text.to_string())
    }

    /// Classifies a value the way `_iterencode` tests it, in its order:
    /// str, None, True, False, int, float, list/tuple, dict.
    fn classify(&self, vm: &mut Vm, v: &Value) -> PyResult<Simple> {
        let inner = v.unwrap_builtin();
        Ok(match &inner {
            Value::Str(s) => Simple::Text(encode_string(s.as_str(), self.opts.ensure_ascii)),
            Value::None => Simple::Text("null".into()),
            Value::Bool(true) => Simple::Text("true".into()),
            Value::Bool(false) => Simple::Text("false".into()),
            Value::Int(i) => Simple::Text(i.to_string()),
            Value::BigInt(b) => Simple::Text(vm.int_to_string(b)?),
            Value::Float(f) => Simple::Text(self.float_text(vm, *f)?),
            Value::Tuple(t) => Simple::List(t.items.clone()),
            _ => {
                if let Some(list) = v.as_list() {
                    Simple::List(list.borrow().clone())
                } else if let Some(dict) = v.as_dict() {
                    Simple::Dict(dict.items())
                } else {
                    Simple::Other
                }
            }
        })
    }

    fn enter(&mut self, vm: &mut Vm) -> PyResult<()> {
        match vm.enter_native() {
            Ok(()) => Ok(()),
            Err(Unwind::Exception(e)) if self.opts.c_encoder => {
                let _ = e;
                Err(vm.error(
                    ExcType::RecursionError,
                    "maximum recursion depth exceeded while encoding a JSON object",
                ))
            }
            Err(e) => Err(e),
        }
    }

    fn mark(&mut self, vm: &mut Vm, v: &Value) -> PyResult<Option<usize>> {
        if !self.opts.check_circular {
            return Ok(None);
        }
        let id = identity(v);
        if self.markers.contains(&id) {
            return Err(vm.error(ExcType::ValueError, "Circular reference detected"));
        }
        self.markers.push(id);
        Ok(Some(id))
    }

    fn unmark(&mut self, id: Option<usize>) {
        if let Some(id) = id {
            if let Some(i) = self.markers.iter().rposition(|m| *m == id) {
                self.markers.remove(i);
            }
        }
    }

    /// `_iterencode(o, level)`.
    pub fn encode(&mut self, vm: &mut Vm, v: &Value, level: usize) -> PyResult<()> {
        match self.classify(vm, v)? {
            Simple::Text(t) => {
                self.out.push(t);
                Ok(())
            }
            Simple::List(items) => self.encode_list(vm, v, &items, level),
            Simple::Dict(items) => self.encode_dict(vm, v, items, level),
            Simple::Other => {
                let marker = self.mark(vm, v)?;
                let converted = self.call_default(vm, v)?;
                self.enter(vm)?;
                let result = self.encode(vm, &converted, level);
                vm.depth -= 1;
                result?;
                self.unmark(marker);
                Ok(())
            }
        }
    }

    fn call_default(&mut self, vm: &mut Vm, v: &Value) -> PyResult<Value> {
        match &self.opts.default {
            Some(f) => vm.call(f, vec![v.clone()]),
            None => Err(not_serializable(vm, v)),
        }
    }

    /// `_iterencode_list`.
    fn encode_list(
        &mut self,
        vm: &mut Vm,
        v: &Value,
        items: &[Value],
        level: usize,
    ) -> PyResult<()> {
        if items.is_empty() {
            self.out.push("[]".into());
            return Ok(());
        }
        let marker = self.mark(vm, v)?;
        self.enter(vm)?;
        let result = self.list_items(vm, items, level);
        vm.depth -= 1;
        result?;
        self.unmark(marker);
        Ok(())
    }

    fn list_items(&mut self, vm: &mut Vm, items: &[Value], level: usize) -> PyResult<()> {
        let mut buf = String::from("[");
        let (separator, newline_indent, level) = match &self.opts.indent {
            Some(indent) => {
                let level = level + 1;
                let newline = format!("\n{}", indent.repeat(level));
                buf.push_str(&newline);
                (
                    format!("{}{newline}", self.opts.item_separator),
                    Some(newline),
                    level,
                )
            }
            None => (self.opts.item_separator.clone(), None, level),
        };
        let mut first = true;
        for item in items {
            if first {
                first = false;
            } else {
                buf = separator.clone();
            }
            match self.classify(vm, item)? {
                Simple::Text(t) => {
                    buf.push_str(&t);
                    self.out.push(std::mem::take(&mut buf));
                }
                _ => {
                    self.out.push(std::mem::take(&mut buf));
                    self.encode(vm, item, level)?;
                }
            }
        }
        if newline_indent.is_some() {
            let indent = self.opts.indent.clone().unwrap_or_default();
            self.out.push(format!("\n{}", indent.repeat(level - 1)));
        }
        self.out.push("]".into());
        Ok(())
    }

    /// `_iterencode_dict`.
    fn encode_dict(
        &mut self,
        vm: &mut Vm,
        v: &Value,
        items: Vec<(Value, Value)>,
        level: usize,
    ) -> PyResult<()> {
        if items.is_empty() {
            self.out.push("{}".into());
            return Ok(());
        }
        let marker = self.mark(vm, v)?;
        self.enter(vm)?;
        let result = self.dict_items(vm, items, level);
        vm.depth -= 1;
        result?;
        self.unmark(marker);
        Ok(())
    }

    fn dict_items(
        &mut self,
        vm: &mut Vm,
        items: Vec<(Value, Value)>,
        level: usize,
    ) -> PyResult<()> {
        self.out.push("{".into());
        let (item_separator, newline_indent, level) = match &self.opts.indent {
            Some(indent) => {
                let level = level + 1;
                let newline = format!("\n{}", indent.repeat(level));
                self.out.push(newline.clone());
                (
                    format!("{}{newline}", self.opts.item_separator),
                    Some(newline),
                    level,
                )
            }
            None => (self.opts.item_separator.clone(), None, level),
        };
        let items = if self.opts.sort_keys {
            sorted_items(vm, items)?
        } else {
            items
        };
        let mut first = true;
        for (key, value) in items {
            let key_text = match self.key_text(vm, &key)? {
                Some(k) => k,
                None => continue,
            };
            if first {
                first = false;
            } else {
                self.out.push(item_separator.clone());
            }
            self.out
                .push(encode_string(&key_text, self.opts.ensure_ascii));
            self.out.push(self.opts.key_separator.clone());
            match self.classify(vm, &value)? {
                Simple::Text(t) => self.out.push(t),
                _ => self.encode(vm, &value, level)?,
            }
        }
        if newline_indent.is_some() {
            let indent = self.opts.indent.clone().unwrap_or_default();
            self.out.push(format!("\n{}", indent.repeat(level - 1)));
        }
        self.out.push("}".into());
        Ok(())
    }

    /// A dict key as the string JSON writes; None to skip it
    /// (`skipkeys`).
    fn key_text(&self, vm: &mut Vm, key: &Value) -> PyResult<Option<String>> {
        Ok(Some(match key.unwrap_builtin() {
            Value::Str(s) => s.as_str().to_string(),
            Value::Float(f) => self.float_text(vm, f)?,
            Value::Bool(true) => "true".into(),
            Value::Bool(false) => "false".into(),
            Value::None => "null".into(),
            Value::Int(i) => i.to_string(),
            Value::BigInt(b) => vm.int_to_string(&b)?,
            _ => {
                if self.opts.skipkeys {
                    return Ok(None);
                }
                let t = vm.type_name(key);
                return Err(vm.type_error(format!(
                    "keys must be str, int, float, bool or None, not {t}"
                )));
            }
        }))
    }
}

/// `sorted(dct.items())`: the (key, value) tuples compared as Python
/// compares them, with its TypeError for unorderable keys.
fn sorted_items(vm: &mut Vm, items: Vec<(Value, Value)>) -> PyResult<Vec<(Value, Value)>> {
    let tuples: Vec<Value> = items
        .into_iter()
        .map(|(k, v)| Value::tuple(vec![k, v]))
        .collect();
    let sorted = crate::modules::support::sort_by_keys(vm, tuples.clone(), tuples, false)?;
    Ok(sorted
        .into_iter()
        .filter_map(|t| match t {
            Value::Tuple(t) => match t.items.as_slice() {
                [k, v] => Some((k.clone(), v.clone())),
                _ => None,
            },
            _ => None,
        })
        .collect())
}

/// What `id()` distinguishes for circular-reference markers.
fn identity(v: &Value) -> usize {
    match v {
        Value::Instance(i) => Rc::as_ptr(i) as *const u8 as usize,
        other => other.object_address().unwrap_or(0),
    }
}

/// `JSONEncoder.default`'s TypeError.
pub fn not_serializable(vm: &mut Vm, v: &Value) -> Unwind {
    let t = vm.type_name(v);
    vm.type_error(format!("Object of type {t} is not JSON serializable"))
}
