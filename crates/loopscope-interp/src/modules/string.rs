//! The `string` module: its constants, `capwords`, and `Template` with
//! `$name` / `${name}` / `$$` substitution and CPython's errors.

use std::rc::Rc;

use super::support::{getter, Sig};
use crate::builtins::{add_functions, native_class, native_object, new_module, with_native};
use crate::value::{Args, Module, PyResult, PyStr, Unwind, Value};
use crate::vm::{ExcType, Vm};

const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";
const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
const WHITESPACE: &str = " \t\n\r\x0b\x0c";

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("string");
    add_functions(&module, &[("capwords", capwords)]);
    let template = native_class(
        vm,
        "Template",
        "string",
        "Template",
        &[
            ("__new__", template_new),
            ("substitute", substitute),
            ("safe_substitute", safe_substitute),
            ("get_identifiers", get_identifiers),
            ("is_valid", is_valid),
        ],
    );
    {
        let mut dict = template.dict.borrow_mut();
        dict.set("__module__", Value::str("string"));
        dict.set("delimiter", Value::str("$"));
        dict.set("template", getter(vm, "template", template_text));
    }
    let mut dict = module.dict.borrow_mut();
    let letters = format!("{LOWER}{UPPER}");
    dict.set("ascii_lowercase", Value::str(LOWER));
    dict.set("ascii_uppercase", Value::str(UPPER));
    dict.set("ascii_letters", Value::string(letters.clone()));
    dict.set("digits", Value::str(DIGITS));
    dict.set("hexdigits", Value::str("0123456789abcdefABCDEF"));
    dict.set("octdigits", Value::str("01234567"));
    dict.set("punctuation", Value::str(PUNCTUATION));
    dict.set("whitespace", Value::str(WHITESPACE));
    dict.set(
        "printable",
        Value::string(format!("{DIGITS}{letters}{PUNCTUATION}{WHITESPACE}")),
    );
    dict.set("Template", Value::Class(template));
    drop(dict);
    Ok(module)
}

/// `str.capitalize` of one word.
fn capitalize(word: &str) -> String {
    crate::text::capitalize(word)
}

fn capwords(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = Sig {
        name: "capwords",
        params: &["s", "sep"],
        required: 1,
        kwonly: &[],
        method: false,
    }
    .bind(vm, args)?;
    let s = vm.expect_str(a[0].as_ref().unwrap_or(&Value::None), "capwords() argument")?;
    let sep = match &a[1] {
        None | Some(Value::None) => None,
        Some(v) => Some(vm.expect_str(v, "sep")?),
    };
    let text = match &sep {
        None => crate::text::split_whitespace(s.as_str(), None)
            .into_iter()
            .map(capitalize)
            .collect::<Vec<_>>()
            .join(" "),
        Some(sep) => {
            if sep.as_str().is_empty() {
                return Err(vm.error(ExcType::ValueError, "empty separator"));
            }
            crate::text::split_on(s.as_str(), sep.as_str(), None)
                .into_iter()
                .map(capitalize)
                .collect::<Vec<_>>()
                .join(sep.as_str())
        }
    };
    Ok(Value::string(text))
}

// ----------------------------------------------------------------- Template

struct Template {
    text: Rc<PyStr>,
}

fn template_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("Template.__new__(X): X is not a type object")),
    };
    args.positional.remove(0);
    let a = Sig {
        name: "Template.__init__",
        params: &["template"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let text = vm.expect_str(a[0].as_ref().unwrap_or(&Value::None), "template")?;
    Ok(native_object(vm, &class, Template { text }))
}

fn text_of(vm: &mut Vm, this: &Value) -> PyResult<Rc<PyStr>> {
    match with_native::<Template, _>(this, |t| t.text.clone()) {
        Some(t) => Ok(t),
        None => Err(vm.type_error("descriptor requires a 'string.Template' object")),
    }
}

fn template_text(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("template", args)?;
    text_of(vm, &this).map(Value::Str)
}

/// One piece of a template.
enum Piece<'a> {
    Text(&'a str),
    /// `$$`.
    Escaped,
    /// `$name` or `${name}`, with the whole placeholder text.
    Name(&'a str, &'a str),
    /// A `$` not followed by a valid placeholder, at this byte offset.
    Invalid(usize),
}

fn is_id_start(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphabetic()
}

fn is_id_char(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphanumeric()
}

/// Splits a template as `Template.pattern` matches it.
fn parse(text: &str) -> Vec<Piece<'_>> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        if start < i {
            pieces.push(Piece::Text(&text[start..i]));
        }
        let rest = &bytes[i + 1..];
        if rest.first() == Some(&b'$') {
            pieces.push(Piece::Escaped);
            i += 2;
        } else if rest.first().is_some_and(|c| is_id_start(*c)) {
            let len = rest.iter().take_while(|c| is_id_char(**c)).count();
            pieces.push(Piece::Name(
                &text[i + 1..i + 1 + len],
                &text[i..i + 1 + len],
            ));
            i += 1 + len;
        } else if rest.first() == Some(&b'{') && rest.get(1).is_some_and(|c| is_id_start(*c)) {
            let len = rest[1..].iter().take_while(|c| is_id_char(**c)).count();
            if rest.get(1 + len) == Some(&b'}') {
                pieces.push(Piece::Name(
                    &text[i + 2..i + 2 + len],
                    &text[i..i + 3 + len],
                ));
                i += 3 + len;
            } else {
                pieces.push(Piece::Invalid(i));
                i += 1;
            }
        } else {
            pieces.push(Piece::Invalid(i));
            i += 1;
        }
        start = i;
    }
    if start < bytes.len() {
        pieces.push(Piece::Text(&text[start..]));
    }
    pieces
}

/// The mapping placeholders are looked up in: the positional mapping,
/// keywords, or keywords over the mapping.
fn mapping_arg(
    vm: &mut Vm,
    args: &mut Args,
    name: &str,
) -> PyResult<(Option<Value>, Option<Value>)> {
    let kwargs = std::mem::take(&mut args.keywords);
    if args.positional.len() > 1 {
        let n = args.positional.len() + 1;
        return Err(vm.type_error(format!(
            "Template.{name}() takes from 1 to 2 positional arguments but {n} were given"
        )));
    }
    let mapping = args.positional.pop();
    let kws = if kwargs.is_empty() {
        None
    } else {
        let pairs = kwargs
            .into_iter()
            .map(|(k, v)| (Value::Str(k), v))
            .collect();
        Some(vm.new_dict(pairs)?)
    };
    Ok((mapping, kws))
}

fn lookup(vm: &mut Vm, mapping: &(Option<Value>, Option<Value>), name: &str) -> PyResult<Value> {
    let key = Value::str(name);
    if let Some(kws) = &mapping.1 {
        if let Some(d) = kws.as_dict() {
            if let Some(v) = d.get(vm, &key)? {
                return Ok(v);
            }
        }
    }
    match &mapping.0 {
        Some(m) => vm.get_item(m, &key),
        None => Err(vm.key_error(&key)),
    }
}

fn invalid_placeholder(vm: &mut Vm, text: &str, offset: usize) -> Unwind {
    // The position is where the (empty) `invalid` group starts: after `$`.
    let before = &text[..(offset + 1).min(text.len())];
    let lines = crate::text::splitlines(before, true);
    let (lineno, colno) = if lines.is_empty() {
        (1, 1)
    } else {
        let earlier: usize = lines[..lines.len() - 1]
            .iter()
            .map(|l| l.chars().count())
            .sum();
        (lines.len(), before.chars().count() - earlier)
    };
    vm.error(
        ExcType::ValueError,
        format!("Invalid placeholder in string: line {lineno}, col {colno}"),
    )
}

fn render(vm: &mut Vm, args: &mut Args, safe: bool) -> PyResult<Value> {
    let this = vm.receiver("substitute", args)?;
    let name = if safe {
        "safe_substitute"
    } else {
        "substitute"
    };
    let mapping = mapping_arg(vm, args, name)?;
    let text = text_of(vm, &this)?;
    let mut out = String::new();
    for piece in parse(text.as_str()) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Escaped => out.push('$'),
            Piece::Name(n, whole) => match lookup(vm, &mapping, n) {
                Ok(v) => out.push_str(&vm.str_of(&v)?),
                Err(Unwind::Exception(e)) if safe && vm.is_exception(&e, ExcType::KeyError) => {
                    out.push_str(whole)
                }
                Err(e) => return Err(e),
            },
            Piece::Invalid(offset) => {
                if safe {
                    out.push('$');
                } else {
                    return Err(invalid_placeholder(vm, text.as_str(), offset));
                }
            }
        }
    }
    Ok(Value::string(out))
}

fn substitute(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    render(vm, args, false)
}

fn safe_substitute(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    render(vm, args, true)
}

fn get_identifiers(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("get_identifiers", args)?;
    let text = text_of(vm, &this)?;
    let mut names: Vec<String> = Vec::new();
    for piece in parse(text.as_str()) {
        if let Piece::Name(n, _) = piece {
            if !names.iter().any(|m| m == n) {
                names.push(n.to_string());
            }
        }
    }
    Ok(Value::list(names.into_iter().map(Value::string).collect()))
}

fn is_valid(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("is_valid", args)?;
    let text = text_of(vm, &this)?;
    let valid = !parse(text.as_str())
        .iter()
        .any(|p| matches!(p, Piece::Invalid(_)));
    Ok(Value::Bool(valid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_placeholders() {
        let pieces = parse("$who likes ${what}, $$5 $ 1");
        let names: Vec<&str> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Name(n, _) => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["who", "what"]);
        assert!(pieces.iter().any(|p| matches!(p, Piece::Escaped)));
        assert!(pieces.iter().any(|p| matches!(p, Piece::Invalid(24))));
    }
}
