//! `repr()`, `str()` and `format()` of every value, as CPython 3.11 writes
//! them, including recursive containers (`[[...]]`).
//!
//! Default reprs show an address (`<__main__.A object at 0x7f...>`);
//! ours is made from the object's sequential id, so it is the same in
//! every run.

use std::rc::Rc;

use super::{ExcType, Vm};
use crate::format_spec::{format_float, format_int, format_str, FormatSpec};
use crate::numbers;
use crate::value::{GenKind, PyResult, Value};

/// The address shown in default reprs.
pub fn fake_address(id: u64) -> String {
    format!("0x7f{:010x}", 0x1000_0000 + id * 0x30)
}

/// CPython's `repr` of a str: single quotes unless the text has a single
/// quote and no double quote; escapes for non-printable characters.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let code = c as u32;
                if code < 0x100 {
                    out.push_str(&format!("\\x{code:02x}"));
                } else if code < 0x10000 {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable` for one character (CPython's Unicode
/// tables, see `builtins/strings`).
pub fn is_printable(c: char) -> bool {
    crate::builtins::strings::is_printable(c)
}

/// CPython's `repr` of bytes.
pub fn bytes_repr(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from("b");
    out.push(quote);
    for &b in data {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b if b as char == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(quote);
    out
}

impl Vm {
    /// The decimal text of an int, refusing more digits than CPython's
    /// default `sys.set_int_max_str_digits` allows.
    pub fn int_to_string(&mut self, b: &num_bigint::BigInt) -> PyResult<String> {
        if numbers::too_many_digits(b) {
            return Err(self.error(
                ExcType::ValueError,
                format!(
                    "Exceeds the limit ({} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit",
                    numbers::MAX_INT_DIGITS
                ),
            ));
        }
        Ok(b.to_string())
    }

    /// Enters a container repr: None if the container is already being
    /// printed further up (CPython `Py_ReprEnter`).
    fn repr_enter(&mut self, v: &Value) -> PyResult<Option<usize>> {
        let address = v.object_address().unwrap_or(0);
        if self.repr_guard.contains(&address) {
            return Ok(None);
        }
        self.enter_native()?;
        self.repr_guard.push(address);
        Ok(Some(address))
    }

    fn repr_leave(&mut self) {
        self.repr_guard.pop();
        self.depth -= 1;
    }

    fn repr_items(&mut self, items: &[Value]) -> PyResult<Vec<String>> {
        let mut parts = Vec::with_capacity(items.len());
        for item in items {
            parts.push(self.repr_of(item)?);
        }
        Ok(parts)
    }

    /// `repr(v)`.
    pub fn repr_of(&mut self, v: &Value) -> PyResult<String> {
        Ok(match v {
            Value::None => "None".into(),
            Value::NotImplemented => "NotImplemented".into(),
            Value::Ellipsis => "Ellipsis".into(),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::Int(i) => i.to_string(),
            Value::BigInt(b) => {
                let b = b.clone();
                self.int_to_string(&b)?
            }
            Value::Float(f) => numbers::float_repr(*f),
            Value::Str(s) => str_repr(s.as_str()),
            Value::Bytes(b) => bytes_repr(&b.data),
            Value::List(l) => {
                let Some(_) = self.repr_enter(v)? else {
                    return Ok("[...]".into());
                };
                let items = l.borrow().clone();
                let parts = self.repr_items(&items);
                self.repr_leave();
                format!("[{}]", parts?.join(", "))
            }
            Value::Tuple(t) => {
                if t.items.is_empty() {
                    return Ok("()".into());
                }
                let Some(_) = self.repr_enter(v)? else {
                    return Ok("(...)".into());
                };
                let parts = self.repr_items(&t.items);
                self.repr_leave();
                let parts = parts?;
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            Value::Dict(d) => {
                let Some(_) = self.repr_enter(v)? else {
                    return Ok("{...}".into());
                };
                let result = self.dict_repr_body(&d.items());
                self.repr_leave();
                result?
            }
            Value::Set(s) | Value::FrozenSet(s) => {
                let frozen = matches!(v, Value::FrozenSet(_));
                let items = s.table.borrow().keys();
                let name = if frozen { "frozenset" } else { "set" };
                if items.is_empty() {
                    return Ok(format!("{name}()"));
                }
                let Some(_) = self.repr_enter(v)? else {
                    return Ok(format!("{name}(...)"));
                };
                let parts = self.repr_items(&items);
                self.repr_leave();
                let body = format!("{{{}}}", parts?.join(", "));
                if frozen {
                    format!("frozenset({body})")
                } else {
                    body
                }
            }
            Value::Range(r) => {
                let start = self.repr_of(&r.start)?;
                let stop = self.repr_of(&r.stop)?;
                if matches!(r.step, Value::Int(1)) {
                    format!("range({start}, {stop})")
                } else {
                    let step = self.repr_of(&r.step)?;
                    format!("range({start}, {stop}, {step})")
                }
            }
            Value::Slice(s) => {
                let (a, b, c) = (s.start.clone(), s.stop.clone(), s.step.clone());
                format!(
                    "slice({}, {}, {})",
                    self.repr_of(&a)?,
                    self.repr_of(&b)?,
                    self.repr_of(&c)?
                )
            }
            Value::Function(f) => {
                let id = self.identity(v).unwrap_or(0);
                format!(
                    "<function {} at {}>",
                    f.qualname.borrow().as_str(),
                    fake_address(id)
                )
            }
            Value::BoundMethod(m) => {
                let name = match &m.function {
                    Value::Function(f) => f.qualname.borrow().as_str().to_string(),
                    Value::Builtin(b) => b.name.as_str().to_string(),
                    other => self.repr_of(other)?,
                };
                let receiver = m.receiver.clone();
                let receiver = self.repr_of(&receiver)?;
                format!("<bound method {name} of {receiver}>")
            }
            Value::Builtin(b) => match &b.receiver {
                Some(receiver) => {
                    let type_name = match receiver {
                        Value::Class(c) => {
                            let r = c.name().as_str().to_string();
                            return Ok(format!(
                                "<built-in method {} of type object at {}>",
                                b.name.as_str(),
                                fake_address(c.id)
                            )
                            .replace("type object", &format!("type object '{r}'"))
                            .replace(&format!("type object '{r}' at"), "type object at"));
                        }
                        other => self.type_name(other),
                    };
                    let receiver = receiver.clone();
                    let id = self.identity(&receiver).unwrap_or(0);
                    format!(
                        "<built-in method {} of {type_name} object at {}>",
                        b.name.as_str(),
                        fake_address(id)
                    )
                }
                None => match b.owner {
                    Some(owner) if super::types::builtin_kind(b) == "wrapper_descriptor" => {
                        format!("<slot wrapper '{}' of '{owner}' objects>", b.name.as_str())
                    }
                    Some(owner) => format!("<method '{}' of '{owner}' objects>", b.name.as_str()),
                    None => format!("<built-in function {}>", b.name.as_str()),
                },
            },
            Value::Class(c) => {
                let module = match c.dict.borrow().get("__module__") {
                    Some(Value::Str(s)) => s.as_str().to_string(),
                    _ => c.module.as_str().to_string(),
                };
                let qualname = c.qualname.borrow().as_str().to_string();
                if module == "builtins" {
                    format!("<class '{qualname}'>")
                } else {
                    format!("<class '{module}.{qualname}'>")
                }
            }
            Value::Module(m) => {
                let name = m.name.as_str();
                if name == "__main__" {
                    "<module '__main__' from 'main.py'>".to_string()
                } else {
                    format!("<module '{name}' (built-in)>")
                }
            }
            Value::Generator(g) => {
                let noun = match g.kind {
                    GenKind::Generator => "generator",
                    GenKind::Coroutine => "coroutine",
                    GenKind::AsyncGenerator => "async_generator",
                };
                format!(
                    "<{noun} object {} at {}>",
                    g.qualname.borrow().as_str(),
                    fake_address(g.id)
                )
            }
            Value::Iterator(it) => {
                let name = super::types::iterator_class_name(&it.state.borrow());
                let name = match &*it.state.borrow() {
                    crate::value::IterState::Custom(c) => c.type_name(),
                    _ => name,
                };
                format!(
                    "<{name} object at {}>",
                    fake_address(self.identity(v).unwrap_or(0))
                )
            }
            Value::Code(c) => format!(
                "<code object {} at {}, file \"{}\", line {}>",
                c.name.as_str(),
                fake_address(self.identity(v).unwrap_or(0)),
                c.filename,
                c.first_line
            ),
            Value::Instance(_) | Value::Native(_) => return self.instance_repr(v),
        })
    }

    fn dict_repr_body(&mut self, items: &[(Value, Value)]) -> PyResult<String> {
        let mut parts = Vec::with_capacity(items.len());
        for (k, val) in items {
            let k = self.repr_of(k)?;
            let val = self.repr_of(val)?;
            parts.push(format!("{k}: {val}"));
        }
        Ok(format!("{{{}}}", parts.join(", ")))
    }

    fn instance_repr(&mut self, v: &Value) -> PyResult<String> {
        let class = self.class_of(v);
        if let Some(method) = class.lookup("__repr__") {
            // The built-in types' own reprs are written natively below.
            let native = matches!(&method, Value::Builtin(b) if is_core_owner(b.owner));
            if !native {
                self.enter_native()?;
                let r = self.call(&method, vec![v.clone()]);
                self.depth -= 1;
                return match r? {
                    Value::Str(s) => Ok(s.as_str().to_string()),
                    other => {
                        let t = self.type_name(&other);
                        Err(self.type_error(format!("__repr__ returned non-string (type {t})")))
                    }
                };
            }
        }
        if v.as_exception().is_some() {
            return self.exception_repr(v);
        }
        if let Some(l) = v.as_list() {
            let list = Value::List(Rc::new(std::cell::RefCell::new(l.borrow().clone())));
            return self.repr_of(&list);
        }
        if let Some(d) = v.as_dict() {
            let Some(_) = self.repr_enter(v)? else {
                return Ok("{...}".into());
            };
            let result = self.dict_repr_body(&d.items());
            self.repr_leave();
            return result;
        }
        if let Some(s) = v.as_set() {
            let items = s.table.borrow().keys();
            let name = class.name().as_str().to_string();
            if items.is_empty() {
                return Ok(format!("{name}()"));
            }
            let parts = self.repr_items(&items)?;
            return Ok(format!("{name}({{{}}})", parts.join(", ")));
        }
        if let Some(inner) = v.builtin_payload() {
            return self.repr_of(&inner);
        }
        let module = match class.dict.borrow().get("__module__") {
            Some(Value::Str(s)) => s.as_str().to_string(),
            _ => class.module.as_str().to_string(),
        };
        let id = self.identity(v).unwrap_or(0);
        let qualname = class.qualname.borrow().as_str().to_string();
        Ok(if module == "builtins" {
            format!("<{qualname} object at {}>", fake_address(id))
        } else {
            format!("<{module}.{qualname} object at {}>", fake_address(id))
        })
    }

    /// `str(v)`.
    pub fn str_of(&mut self, v: &Value) -> PyResult<String> {
        match v {
            Value::Str(s) => Ok(s.as_str().to_string()),
            Value::Instance(_) | Value::Native(_) => {
                let class = self.class_of(v);
                if let Some(method) = class.lookup("__str__") {
                    let native = matches!(&method, Value::Builtin(b) if is_core_owner(b.owner));
                    if !native {
                        self.enter_native()?;
                        let r = self.call(&method, vec![v.clone()]);
                        self.depth -= 1;
                        return match r? {
                            Value::Str(s) => Ok(s.as_str().to_string()),
                            other => {
                                let t = self.type_name(&other);
                                Err(self
                                    .type_error(format!("__str__ returned non-string (type {t})")))
                            }
                        };
                    }
                }
                if v.as_exception().is_some() {
                    return self.exception_str(v);
                }
                if let Value::Str(s) = v.unwrap_builtin() {
                    return Ok(s.as_str().to_string());
                }
                self.repr_of(v)
            }
            _ => self.repr_of(v),
        }
    }

    /// `format(v, spec)`.
    pub fn format_value(&mut self, v: &Value, spec: &str) -> PyResult<String> {
        if let Value::Instance(_) | Value::Native(_) = v {
            let class = self.class_of(v);
            if let Some(method) = class.lookup("__format__") {
                // Native objects may define their own (`date.__format__`).
                let own_native = matches!(v, Value::Native(_))
                    && !self
                        .types
                        .object
                        .dict
                        .borrow()
                        .get("__format__")
                        .is_some_and(|f| f.is(&method));
                if !matches!(method, Value::Builtin(_)) || own_native {
                    let r = self.call(&method, vec![v.clone(), Value::str(spec)])?;
                    return match r {
                        Value::Str(s) => Ok(s.as_str().to_string()),
                        other => {
                            let t = self.type_name(&other);
                            Err(self.type_error(format!("__format__ must return a str, not {t}")))
                        }
                    };
                }
            }
            let payload = v.builtin_payload();
            if let (Some(inner), false) = (payload, spec.is_empty()) {
                return self.format_value(&inner, spec);
            }
            if spec.is_empty() {
                return self.str_of(v);
            }
            let t = class.name().as_str().to_string();
            return Err(self.type_error(format!(
                "unsupported format string passed to {t}.__format__"
            )));
        }
        if spec.is_empty() {
            return self.str_of(v);
        }
        let parsed = match FormatSpec::parse(spec) {
            Ok(p) => p,
            Err(message) => return Err(self.error(ExcType::ValueError, message)),
        };
        let result = match v {
            Value::Bool(b) => format_int(&(*b as i64).into(), &parsed),
            Value::Int(i) => format_int(&(*i).into(), &parsed),
            Value::BigInt(b) => format_int(b, &parsed),
            Value::Float(f) => format_float(*f, &parsed),
            Value::Str(s) => format_str(s.as_str(), &parsed),
            _ => {
                let t = self.type_name(v);
                return Err(self.type_error(format!(
                    "unsupported format string passed to {t}.__format__"
                )));
            }
        };
        result.map_err(|message| self.error(ExcType::ValueError, message))
    }
}

/// Classes whose `__repr__`/`__str__` the VM writes natively (calling
/// their method objects would come back here).
fn is_core_owner(owner: Option<&'static str>) -> bool {
    matches!(
        owner,
        Some(
            "object"
                | "list"
                | "dict"
                | "set"
                | "frozenset"
                | "tuple"
                | "int"
                | "float"
                | "str"
                | "bool"
                | "bytes"
                | "BaseException"
                | "BaseExceptionGroup"
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_repr_picks_quotes_like_cpython() {
        assert_eq!(str_repr("abc"), "'abc'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("both ' and \""), "'both \\' and \"'");
        assert_eq!(str_repr("tab\there\n"), "'tab\\there\\n'");
        assert_eq!(str_repr("\u{0}\u{7f}é"), "'\\x00\\x7fé'");
        assert_eq!(str_repr("привет"), "'привет'");
    }

    #[test]
    fn bytes_repr_escapes_like_cpython() {
        assert_eq!(bytes_repr(b"ab\x00\xff'"), "b\"ab\\x00\\xff'\"");
        assert_eq!(bytes_repr(b"hi\n"), "b'hi\\n'");
    }
}
