//! `%`-formatting of strings (`"%5.2f" % x`), following CPython's
//! `PyUnicode_Format`: flags, width, precision, `*`, `%(key)s`, and its
//! error messages.

use crate::format_spec::{format_float, format_int, format_str, FormatSpec};
use crate::value::{PyResult, Value};
use crate::vm::{ExcType, Vm};

/// `template % values`.
pub fn format(vm: &mut Vm, template: &str, values: &Value) -> PyResult<String> {
    let (items, mapping): (Vec<Value>, Option<Value>) = match values {
        Value::Tuple(t) => (t.items.clone(), None),
        other
            if other.as_dict().is_some()
                || (matches!(other, Value::Instance(_))
                    && vm.class_of(other).lookup("__getitem__").is_some()
                    && !matches!(other.unwrap_builtin(), Value::Tuple(_))) =>
        {
            (vec![other.clone()], Some(other.clone()))
        }
        other => (vec![other.clone()], None),
    };
    let chars: Vec<char> = template.chars().collect();
    let mut out = String::with_capacity(template.len());
    let mut next_arg = 0usize;
    let mut used_mapping = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if i >= chars.len() {
            return Err(vm.error(ExcType::ValueError, "incomplete format"));
        }
        // %(key)
        let mut keyed: Option<Value> = None;
        if chars[i] == '(' {
            let Some(map) = &mapping else {
                return Err(vm.type_error("format requires a mapping"));
            };
            let mut depth = 1;
            let key_start = i + 1;
            i += 1;
            while i < chars.len() && depth > 0 {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return Err(vm.error(ExcType::ValueError, "incomplete format key"));
            }
            let key: String = chars[key_start..i - 1].iter().collect();
            let map = map.clone();
            keyed = Some(vm.get_item(&map, &Value::string(key))?);
            used_mapping = true;
        }
        let mut minus = false;
        let mut plus = false;
        let mut space = false;
        let mut alternate = false;
        let mut zero = false;
        while i < chars.len() {
            match chars[i] {
                '-' => minus = true,
                '+' => plus = true,
                ' ' => space = true,
                '#' => alternate = true,
                '0' => zero = true,
                _ => break,
            }
            i += 1;
        }
        let mut take_arg = |vm: &mut Vm| -> PyResult<Value> {
            if let Some(v) = keyed.take() {
                return Ok(v);
            }
            if mapping.is_some() && used_mapping {
                return Err(vm.type_error("format requires a mapping"));
            }
            match items.get(next_arg) {
                Some(v) => {
                    next_arg += 1;
                    Ok(v.clone())
                }
                None => Err(vm.type_error("not enough arguments for format string")),
            }
        };
        let mut width: Option<usize> = None;
        if i < chars.len() && chars[i] == '*' {
            let w = take_arg(vm)?;
            let w = vm.expect_int(&w)?;
            if w < 0 {
                minus = true;
            }
            width = Some(w.unsigned_abs() as usize);
            i += 1;
        } else {
            let mut digits = String::new();
            while i < chars.len() && chars[i].is_ascii_digit() {
                digits.push(chars[i]);
                i += 1;
            }
            if !digits.is_empty() {
                width = digits.parse().ok();
            }
        }
        let mut precision: Option<usize> = None;
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            if i < chars.len() && chars[i] == '*' {
                let p = take_arg(vm)?;
                precision = Some(vm.expect_int(&p)?.max(0) as usize);
                i += 1;
            } else {
                let mut digits = String::new();
                while i < chars.len() && chars[i].is_ascii_digit() {
                    digits.push(chars[i]);
                    i += 1;
                }
                precision = Some(digits.parse().unwrap_or(0));
            }
        }
        // Length modifiers are accepted and ignored.
        while i < chars.len() && matches!(chars[i], 'h' | 'l' | 'L') {
            i += 1;
        }
        if i >= chars.len() {
            return Err(vm.error(ExcType::ValueError, "incomplete format"));
        }
        let conversion = chars[i];
        i += 1;
        if conversion == '%' {
            out.push('%');
            continue;
        }
        let arg = take_arg(vm)?;
        let mut spec = FormatSpec::default();
        if minus {
            spec.align = Some('<');
        } else if matches!(conversion, 's' | 'r' | 'a' | 'c') {
            // %-formatting right-aligns text, unlike format().
            spec.align = Some('>');
        } else if zero && !matches!(conversion, 's' | 'r' | 'a' | 'c') {
            spec.align = Some('=');
            spec.fill = Some('0');
        }
        if plus {
            spec.sign = Some('+');
        } else if space {
            spec.sign = Some(' ');
        }
        spec.width = width;
        let text = match conversion {
            's' | 'r' | 'a' => {
                let s = match conversion {
                    's' => vm.str_of(&arg)?,
                    'r' => vm.repr_of(&arg)?,
                    _ => super::ascii_of(&vm.repr_of(&arg)?),
                };
                spec.precision = precision;
                spec.sign = None;
                format_str(&s, &spec).map_err(|m| vm.error(ExcType::ValueError, m))?
            }
            'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                let n = match arg.unwrap_builtin() {
                    Value::Float(f) if matches!(conversion, 'd' | 'i' | 'u') => {
                        super::classes::int_from(vm, &Value::Float(f))?
                    }
                    v @ (Value::Int(_) | Value::BigInt(_) | Value::Bool(_)) => v,
                    _ => {
                        if let Some(r) = vm.call_special(&arg, "__index__", Vec::new())? {
                            r
                        } else {
                            let t = vm.type_name(&arg);
                            let what = if matches!(conversion, 'd' | 'i' | 'u') {
                                format!("%{conversion} format: a real number is required, not {t}")
                            } else {
                                format!("%{conversion} format: an integer is required, not {t}")
                            };
                            return Err(vm.type_error(what));
                        }
                    }
                };
                let big = crate::vm::ops::to_bigint(&n).unwrap_or_default();
                spec.alternate = alternate && conversion != 'd';
                spec.kind = Some(match conversion {
                    'x' => 'x',
                    'X' => 'X',
                    'o' => 'o',
                    _ => 'd',
                });
                let mut text =
                    format_int(&big, &spec).map_err(|m| vm.error(ExcType::ValueError, m))?;
                if let Some(p) = precision {
                    text = pad_digits(&text, p);
                }
                text
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let f = vm.expect_f64(&arg, "must be real number").map_err(|_| {
                    let t = vm.type_name(&arg);
                    vm.type_error(format!("must be real number, not {t}"))
                })?;
                spec.alternate = alternate;
                spec.precision = Some(precision.unwrap_or(6));
                spec.kind = Some(conversion);
                format_float(f, &spec).map_err(|m| vm.error(ExcType::ValueError, m))?
            }
            'c' => {
                let c = match &arg {
                    Value::Str(s) if s.char_len() == 1 => s.as_str().to_string(),
                    Value::Int(n) => match u32::try_from(*n).ok().and_then(char::from_u32) {
                        Some(c) => c.to_string(),
                        None => {
                            return Err(
                                vm.error(ExcType::OverflowError, "%c arg not in range(0x110000)")
                            )
                        }
                    },
                    _ => return Err(vm.type_error("%c requires int or char")),
                };
                spec.sign = None;
                format_str(&c, &spec).map_err(|m| vm.error(ExcType::ValueError, m))?
            }
            other => {
                let index = start + (i - start) - 1;
                return Err(vm.error(
                    ExcType::ValueError,
                    format!(
                        "unsupported format character '{other}' (0x{:x}) at index {index}",
                        other as u32
                    ),
                ));
            }
        };
        out.push_str(&text);
    }
    if mapping.is_none() && next_arg < items.len() {
        return Err(vm.type_error("not all arguments converted during string formatting"));
    }
    Ok(out)
}

/// `%.5d`: the precision is a minimum number of digits.
fn pad_digits(text: &str, digits: usize) -> String {
    let trimmed = text.trim_start();
    let leading = &text[..text.len() - trimmed.len()];
    let (sign, rest) = match trimmed.chars().next() {
        Some(c @ ('-' | '+' | ' ')) => (c.to_string(), &trimmed[1..]),
        _ => (String::new(), trimmed),
    };
    let (prefix, number) = if rest.len() > 2
        && (rest.starts_with("0x") || rest.starts_with("0X") || rest.starts_with("0o"))
    {
        rest.split_at(2)
    } else {
        ("", rest)
    };
    let count = number
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if count >= digits {
        return text.to_string();
    }
    let zeros = "0".repeat(digits - count);
    let body = format!("{sign}{prefix}{zeros}{number}");
    let width = text.chars().count();
    if body.chars().count() >= width || leading.is_empty() {
        body
    } else {
        format!("{}{body}", " ".repeat(width - body.chars().count()))
    }
}
