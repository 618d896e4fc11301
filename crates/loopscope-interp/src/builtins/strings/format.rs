//! `str.format` and `str.format_map`: the replacement-field grammar of
//! CPython 3.11 (Objects/stringlib/unicode_format.h) — literal text with
//! `{{`/`}}` escapes, fields `{name.attr[key]!conv:spec}` with automatic or
//! manual numbering, and format specs that hold nested fields — with the
//! same ValueError/IndexError/KeyError messages.

use std::rc::Rc;

use super::{one_arg, receiver, unicode_tables::decimal_value};
use crate::builtins::ascii_of;
use crate::value::{Args, PyResult, PyStr, Value};
use crate::vm::{ExcType, Vm};

/// Where field values come from.
struct Source {
    /// Positional arguments; `None` for `format_map`, which has none.
    positional: Option<Vec<Value>>,
    named: Named,
}

enum Named {
    Keywords(Vec<(Rc<PyStr>, Value)>),
    Mapping(Value),
}

/// CPython's `AutoNumber`: fields are numbered automatically (`{}`) or
/// manually (`{0}`), never both.
#[derive(Default)]
struct AutoNumber {
    state: Option<Numbering>,
    next: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Numbering {
    Auto,
    Manual,
}

/// A parsed replacement field: ranges into the format string's chars.
struct Field {
    name: (usize, usize),
    conversion: Option<char>,
    spec: (usize, usize),
    spec_has_fields: bool,
}

pub fn format(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "format", args)?;
    let source = Source {
        positional: Some(std::mem::take(&mut args.positional)),
        named: Named::Keywords(std::mem::take(&mut args.keywords)),
    };
    let chars: Vec<char> = s.as_str().chars().collect();
    let out = render(vm, &chars, &source, 2, &mut AutoNumber::default())?;
    Ok(Value::string(out))
}

pub fn format_map(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "format_map", args)?;
    let mapping = one_arg(vm, "str.format_map", args)?;
    let source = Source {
        positional: None,
        named: Named::Mapping(mapping),
    };
    let chars: Vec<char> = s.as_str().chars().collect();
    let out = render(vm, &chars, &source, 2, &mut AutoNumber::default())?;
    Ok(Value::string(out))
}

fn value_error(vm: &mut Vm, message: &str) -> crate::value::Unwind {
    vm.error(ExcType::ValueError, message)
}

/// CPython `build_string`: the literal text and the rendered fields.
fn render(
    vm: &mut Vm,
    chars: &[char],
    source: &Source,
    depth: u32,
    auto: &mut AutoNumber,
) -> PyResult<String> {
    if depth == 0 {
        return Err(value_error(vm, "Max string recursion exceeded"));
    }
    let mut out = String::new();
    let mut pos = 0;
    let n = chars.len();
    while pos < n {
        // Literal text up to the first brace (MarkupIterator_next).
        let start = pos;
        let mut brace = None;
        while let Some(&c) = chars.get(pos) {
            pos += 1;
            if c == '{' || c == '}' {
                brace = Some(c);
                break;
            }
        }
        let at_end = pos >= n;
        let mut len = pos - start;
        let mut markup = brace.is_some();
        let next = chars.get(pos).copied();
        if brace == Some('}') && (at_end || next != Some('}')) {
            return Err(value_error(vm, "Single '}' encountered in format string"));
        }
        if at_end && brace == Some('{') {
            return Err(value_error(vm, "Single '{' encountered in format string"));
        }
        if markup {
            if next == brace {
                // An escaped brace: keep one, no field follows.
                pos += 1;
                markup = false;
            } else {
                len -= 1;
            }
        }
        out.extend(chars.iter().skip(start).take(len));
        if !markup {
            continue;
        }
        let field = parse_field(vm, chars, &mut pos)?;
        let name = slice(chars, field.name);
        let mut value = field_value(vm, name, source, auto)?;
        if let Some(conversion) = field.conversion {
            value = convert(vm, &value, conversion)?;
        }
        let spec = slice(chars, field.spec);
        let spec = if field.spec_has_fields {
            render(vm, spec, source, depth - 1, auto)?
        } else {
            spec.iter().collect()
        };
        out.push_str(&vm.format_value(&value, &spec)?);
        vm.check_size(out.len())?;
    }
    Ok(out)
}

fn slice(chars: &[char], (start, end): (usize, usize)) -> &[char] {
    chars.get(start..end).unwrap_or(&[])
}

/// CPython `parse_field`: the field after its `{`, through its `}`.
fn parse_field(vm: &mut Vm, chars: &[char], pos: &mut usize) -> PyResult<Field> {
    let name_start = *pos;
    let mut last = None;
    while let Some(&c) = chars.get(*pos) {
        *pos += 1;
        match c {
            '{' => return Err(value_error(vm, "unexpected '{' in field name")),
            '[' => {
                while chars.get(*pos).is_some_and(|&c| c != ']') {
                    *pos += 1;
                }
                last = Some(c);
                continue;
            }
            '}' | ':' | '!' => {
                last = Some(c);
                break;
            }
            _ => {
                last = Some(c);
                continue;
            }
        }
    }
    let mut field = Field {
        name: (name_start, pos.saturating_sub(1).max(name_start)),
        conversion: None,
        spec: (0, 0),
        spec_has_fields: false,
    };
    match last {
        Some('!') | Some(':') => {
            if last == Some('!') {
                let Some(&conversion) = chars.get(*pos) else {
                    return Err(value_error(
                        vm,
                        "end of string while looking for conversion specifier",
                    ));
                };
                *pos += 1;
                field.conversion = Some(conversion);
                if let Some(&c) = chars.get(*pos) {
                    *pos += 1;
                    if c == '}' {
                        return Ok(field);
                    }
                    if c != ':' {
                        return Err(value_error(vm, "expected ':' after conversion specifier"));
                    }
                }
            }
            let spec_start = *pos;
            let mut count = 1;
            while let Some(&c) = chars.get(*pos) {
                *pos += 1;
                match c {
                    '{' => {
                        field.spec_has_fields = true;
                        count += 1;
                    }
                    '}' => {
                        count -= 1;
                        if count == 0 {
                            field.spec = (spec_start, *pos - 1);
                            return Ok(field);
                        }
                    }
                    _ => {}
                }
            }
            Err(value_error(vm, "unmatched '{' in format spec"))
        }
        Some('}') => Ok(field),
        _ => Err(value_error(vm, "expected '}' before end of string")),
    }
}

/// CPython `get_integer`: a field name made only of decimal digits.
fn integer(vm: &mut Vm, text: &[char]) -> PyResult<Option<usize>> {
    if text.is_empty() {
        return Ok(None);
    }
    let mut value: usize = 0;
    for &c in text {
        let Some(digit) = decimal_value(c) else {
            return Ok(None);
        };
        value = match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(digit as usize))
            .filter(|v| *v <= isize::MAX as usize)
        {
            Some(v) => v,
            None => return Err(value_error(vm, "Too many decimal digits in format string")),
        };
    }
    Ok(Some(value))
}

/// The object a field name designates: `first` from the arguments, then
/// each `.attr` / `[key]` (CPython `get_field_object`).
fn field_value(
    vm: &mut Vm,
    name: &[char],
    source: &Source,
    auto: &mut AutoNumber,
) -> PyResult<Value> {
    let first_len = name
        .iter()
        .position(|&c| c == '.' || c == '[')
        .unwrap_or(name.len());
    let (first, mut rest) = name.split_at(first_len);
    let mut index = integer(vm, first)?;
    let empty = first.is_empty();
    if empty || index.is_some() {
        let wanted = if empty {
            Numbering::Auto
        } else {
            Numbering::Manual
        };
        let state = *auto.state.get_or_insert(wanted);
        match (state, wanted) {
            (Numbering::Manual, Numbering::Auto) => {
                return Err(value_error(
                    vm,
                    "cannot switch from manual field specification to automatic field numbering",
                ))
            }
            (Numbering::Auto, Numbering::Manual) => {
                return Err(value_error(
                    vm,
                    "cannot switch from automatic field numbering to manual field specification",
                ))
            }
            _ => {}
        }
        if empty {
            index = Some(auto.next);
            auto.next += 1;
        }
    }
    let mut value = match index {
        None => {
            let key: String = first.iter().collect();
            match &source.named {
                Named::Keywords(pairs) => match pairs.iter().find(|(k, _)| k.as_str() == key) {
                    Some((_, v)) => v.clone(),
                    None => return Err(vm.key_error(&Value::string(key))),
                },
                Named::Mapping(mapping) => vm.get_item(mapping, &Value::string(key))?,
            }
        }
        Some(i) => {
            let Some(positional) = &source.positional else {
                return Err(value_error(vm, "Format string contains positional fields"));
            };
            match positional.get(i) {
                Some(v) => v.clone(),
                None => {
                    return Err(vm.error(
                        ExcType::IndexError,
                        format!("Replacement index {i} out of range for positional args tuple"),
                    ))
                }
            }
        }
    };
    // FieldNameIterator_next over the rest.
    while let Some((&kind, after)) = rest.split_first() {
        let (part, remaining) = match kind {
            '.' => {
                let end = after
                    .iter()
                    .position(|&c| c == '.' || c == '[')
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
            '[' => match after.iter().position(|&c| c == ']') {
                Some(end) => (&after[..end], &after[end + 1..]),
                None => return Err(value_error(vm, "Missing ']' in format string")),
            },
            _ => {
                return Err(value_error(
                    vm,
                    "Only '.' or '[' may follow ']' in format field specifier",
                ))
            }
        };
        if part.is_empty() {
            return Err(value_error(vm, "Empty attribute in format string"));
        }
        let text: String = part.iter().collect();
        value = if kind == '.' {
            let attr = vm.intern(&text);
            vm.get_attr(&value, &attr)?
        } else {
            let key = match integer(vm, part)? {
                Some(i) => Value::Int(i as i64),
                None => Value::string(text),
            };
            vm.get_item(&value, &key)?
        };
        rest = remaining;
    }
    Ok(value)
}

/// `!r`, `!s`, `!a`.
fn convert(vm: &mut Vm, value: &Value, conversion: char) -> PyResult<Value> {
    match conversion {
        'r' => Ok(Value::string(vm.repr_of(value)?)),
        's' => Ok(Value::string(vm.str_of(value)?)),
        'a' => {
            let repr = vm.repr_of(value)?;
            Ok(Value::string(ascii_of(&repr)))
        }
        c if (c as u32) > 32 && (c as u32) < 127 => Err(vm.error(
            ExcType::ValueError,
            format!("Unknown conversion specifier {c}"),
        )),
        c => Err(vm.error(
            ExcType::ValueError,
            format!("Unknown conversion specifier \\x{:x}", c as u32),
        )),
    }
}
