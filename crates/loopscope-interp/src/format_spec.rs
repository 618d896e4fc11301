//! The format specification mini-language (`format(x, spec)`, f-string
//! fields, `str.format`) for `float`, `int` and `str`, as CPython 3.11
//! implements it in Python/formatter_unicode.c: parsing
//! (`parse_internal_render_format_spec`), padding and alignment, signs,
//! `,`/`_` grouping, `#` alternate forms, and the presentation types.
//!
//! Errors carry CPython's `ValueError` message text.

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use crate::numbers::float_repr;

/// A parsed `[[fill]align][sign][#][0][width][grouping][.precision][type]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormatSpec {
    pub fill: Option<char>,
    pub align: Option<char>,
    pub sign: Option<char>,
    pub alternate: bool,
    pub zero_pad: bool,
    pub width: Option<usize>,
    pub grouping: Option<char>,
    pub precision: Option<usize>,
    pub kind: Option<char>,
}

impl FormatSpec {
    pub fn parse(spec: &str) -> Result<FormatSpec, String> {
        let chars: Vec<char> = spec.chars().collect();
        let mut i = 0;
        let mut out = FormatSpec::default();
        let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
        if chars.len() >= 2 && is_align(chars[1]) {
            out.fill = Some(chars[0]);
            out.align = Some(chars[1]);
            i = 2;
        } else if !chars.is_empty() && is_align(chars[0]) {
            out.align = Some(chars[0]);
            i = 1;
        }
        if let Some(&c @ ('+' | '-' | ' ')) = chars.get(i) {
            out.sign = Some(c);
            i += 1;
        }
        if chars.get(i) == Some(&'#') {
            out.alternate = true;
            i += 1;
        }
        if chars.get(i) == Some(&'0') {
            out.zero_pad = true;
            i += 1;
        }
        let start = i;
        while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        if i > start {
            let digits: String = chars[start..i].iter().collect();
            out.width = Some(
                digits
                    .parse()
                    .map_err(|_| "Too many decimal digits in format string".to_string())?,
            );
        }
        if let Some(&c @ (',' | '_')) = chars.get(i) {
            out.grouping = Some(c);
            i += 1;
            if let Some(&(',' | '_')) = chars.get(i) {
                return Err("Cannot specify both ',' and '_'.".into());
            }
        }
        if chars.get(i) == Some(&'.') {
            i += 1;
            let start = i;
            while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
                i += 1;
            }
            if i == start {
                return Err("Format specifier missing precision".into());
            }
            let digits: String = chars[start..i].iter().collect();
            out.precision = Some(
                digits
                    .parse()
                    .map_err(|_| "Too many decimal digits in format string".to_string())?,
            );
        }
        if i + 1 < chars.len() {
            return Err("Invalid format specifier".into());
        }
        out.kind = chars.get(i).copied();
        if out.zero_pad && out.fill.is_none() {
            out.fill = Some('0');
            if out.align.is_none() {
                out.align = Some('=');
            }
        }
        if let (Some(g), Some(k)) = (out.grouping, out.kind) {
            let allowed = match g {
                ',' => matches!(k, 'd' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%'),
                _ => matches!(
                    k,
                    'd' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' | 'b' | 'o' | 'x' | 'X'
                ),
            };
            if !allowed {
                return Err(format!("Cannot specify '{g}' with '{k}'."));
            }
        }
        Ok(out)
    }
}

fn unknown(kind: char, type_name: &str) -> String {
    format!("Unknown format code '{kind}' for object of type '{type_name}'")
}

/// Inserts `separator` every `every` digits from the right.
fn group_digits(digits: &str, separator: char, every: usize) -> String {
    let count = digits.chars().count();
    let mut out = String::with_capacity(count + count / every);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (count - i).is_multiple_of(every) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// Pads `sign + prefix + body` to the width: `=` puts the fill between
/// sign/prefix and digits.
fn pad(spec: &FormatSpec, sign: &str, prefix: &str, body: &str, default_align: char) -> String {
    let fill = spec.fill.unwrap_or(' ');
    let align = spec.align.unwrap_or(default_align);
    let len = sign.chars().count() + prefix.chars().count() + body.chars().count();
    let width = spec.width.unwrap_or(0);
    if len >= width {
        return format!("{sign}{prefix}{body}");
    }
    let padding = width - len;
    let fills = |n: usize| fill.to_string().repeat(n);
    match align {
        '<' => format!("{sign}{prefix}{body}{}", fills(padding)),
        '^' => format!(
            "{}{sign}{prefix}{body}{}",
            fills(padding / 2),
            fills(padding - padding / 2)
        ),
        '=' => format!("{sign}{prefix}{}{body}", fills(padding)),
        _ => format!("{}{sign}{prefix}{body}", fills(padding)),
    }
}

fn sign_text(negative: bool, spec: &FormatSpec) -> &'static str {
    match (negative, spec.sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    }
}

/// Zero padding with grouping: CPython pads the digits themselves so the
/// separators continue into the padding.
fn grouped_with_zero_fill(
    spec: &FormatSpec,
    sign: &str,
    prefix: &str,
    digits: &str,
    every: usize,
) -> Option<String> {
    let separator = spec.grouping?;
    if !(spec.zero_pad && spec.fill == Some('0') && spec.align == Some('=')) {
        return None;
    }
    let width = spec
        .width
        .unwrap_or(0)
        .saturating_sub(sign.len() + prefix.len());
    let mut padded = digits.to_string();
    loop {
        let grouped = group_digits(&padded, separator, every);
        if grouped.chars().count() >= width {
            return Some(format!("{sign}{prefix}{grouped}"));
        }
        padded.insert(0, '0');
    }
}

/// `format(int, spec)`.
pub fn format_int(value: &BigInt, spec: &FormatSpec) -> Result<String, String> {
    let kind = spec.kind.unwrap_or('d');
    match kind {
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => {
            let f = value
                .to_f64()
                .ok_or_else(|| "int too large to convert to float".to_string())?;
            return format_float(f, spec);
        }
        'd' | 'n' | 'b' | 'o' | 'x' | 'X' | 'c' => {}
        other => return Err(unknown(other, "int")),
    }
    if spec.precision.is_some() {
        return Err("Precision not allowed in integer format specifier".into());
    }
    if kind == 'c' {
        if spec.sign.is_some() {
            return Err("Sign not allowed with integer format specifier 'c'".into());
        }
        let code = value
            .to_u32()
            .and_then(char::from_u32)
            .ok_or_else(|| "%c arg not in range(0x110000)".to_string())?;
        return Ok(pad(spec, "", "", &code.to_string(), '<'));
    }
    let magnitude = value.abs();
    let (digits, prefix, every) = match kind {
        'b' => (magnitude.to_str_radix(2), "0b", 4),
        'o' => (magnitude.to_str_radix(8), "0o", 4),
        'x' => (magnitude.to_str_radix(16), "0x", 4),
        'X' => (magnitude.to_str_radix(16).to_uppercase(), "0X", 4),
        _ => (magnitude.to_string(), "", 3),
    };
    let prefix = if spec.alternate { prefix } else { "" };
    let sign = sign_text(value.is_negative(), spec);
    if let Some(text) = grouped_with_zero_fill(spec, sign, prefix, &digits, every) {
        return Ok(text);
    }
    let body = match spec.grouping {
        Some(separator) => group_digits(&digits, separator, every),
        None => digits,
    };
    Ok(pad(spec, sign, prefix, &body, '>'))
}

/// Formats `|f|` (finite) with a presentation type and precision, before
/// sign, grouping and padding.
fn float_body(f: f64, kind: char, precision: Option<usize>, alternate: bool) -> String {
    let upper = kind.is_ascii_uppercase();
    // CPython keeps the '%' after inf and nan: format(inf, '%') == 'inf%'.
    let percent = if kind == '%' { "%" } else { "" };
    if f.is_infinite() {
        return format!("{}{percent}", if upper { "INF" } else { "inf" });
    }
    if f.is_nan() {
        return format!("{}{percent}", if upper { "NAN" } else { "nan" });
    }
    let body = match kind {
        'f' | 'F' => {
            let text = format!("{:.*}", precision.unwrap_or(6), f);
            if alternate && !text.contains('.') {
                format!("{text}.")
            } else {
                text
            }
        }
        'e' | 'E' => exponent_form(f, precision.unwrap_or(6), alternate),
        '%' => format!("{}%", float_body(f * 100.0, 'f', precision, alternate)),
        'g' | 'G' | 'n' => general_form(f, precision.unwrap_or(6).max(1), alternate, false),
        // No type: like 'g' with at least one digit after the point, and
        // repr when there is no precision.
        _ => match precision {
            None => float_repr(f),
            Some(p) => general_form(f, p.max(1), alternate, true),
        },
    };
    if upper {
        body.to_uppercase()
    } else {
        body
    }
}

/// `d.ddde+XX` with `precision` digits after the point.
fn exponent_form(f: f64, precision: usize, alternate: bool) -> String {
    let text = format!("{:.*e}", precision, f);
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let mantissa = if alternate && !mantissa.contains('.') {
        format!("{mantissa}.")
    } else {
        mantissa.to_string()
    };
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

/// The `g` presentation: fixed or exponent depending on the exponent after
/// rounding to `precision` significant digits; trailing zeros removed
/// unless `#`. `keep_point` (no type) keeps at least one decimal.
fn general_form(f: f64, precision: usize, alternate: bool, keep_point: bool) -> String {
    if f == 0.0 {
        let zero = if alternate {
            format!("{:.*}", precision - 1, 0.0)
        } else {
            "0".into()
        };
        return if keep_point && !zero.contains('.') {
            format!("{zero}.0")
        } else {
            zero
        };
    }
    let rounded = format!("{:.*e}", precision - 1, f);
    let exponent: i32 = rounded
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let use_exponent = exponent < -4 || exponent >= precision as i32;
    let mut text = if use_exponent {
        exponent_form(f, precision - 1, alternate)
    } else {
        let decimals = (precision as i32 - 1 - exponent).max(0) as usize;
        let text = format!("{:.*}", decimals, f);
        if alternate && !text.contains('.') {
            format!("{text}.")
        } else {
            text
        }
    };
    if !alternate {
        let (mantissa, exponent_part) = match text.find('e') {
            Some(at) => (text[..at].to_string(), text[at..].to_string()),
            None => (text.clone(), String::new()),
        };
        let mantissa = if mantissa.contains('.') {
            mantissa
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        } else {
            mantissa
        };
        text = format!("{mantissa}{exponent_part}");
    }
    if keep_point && !text.contains('.') && !text.contains('e') {
        text.push_str(".0");
    }
    text
}

/// `format(float, spec)`.
pub fn format_float(value: f64, spec: &FormatSpec) -> Result<String, String> {
    let kind = spec.kind.unwrap_or('\0');
    if !matches!(kind, '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%') {
        return Err(unknown(kind, "float"));
    }
    let negative = value.is_sign_negative() && !value.is_nan();
    let body = float_body(value.abs(), kind, spec.precision, spec.alternate);
    let sign = sign_text(negative, spec);
    // Grouping applies to the integer digits only.
    let (integer, rest) = match body.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => (body[..at].to_string(), body[at..].to_string()),
        None => (body.clone(), String::new()),
    };
    if let Some(separator) = spec.grouping {
        if let Some(text) = grouped_with_zero_fill(spec, sign, "", &integer, 3) {
            return Ok(format!("{text}{rest}"));
        }
        let grouped = group_digits(&integer, separator, 3);
        return Ok(pad(spec, sign, "", &format!("{grouped}{rest}"), '>'));
    }
    Ok(pad(spec, sign, "", &body, '>'))
}

/// `format(str, spec)`.
pub fn format_str(value: &str, spec: &FormatSpec) -> Result<String, String> {
    match spec.kind {
        None | Some('s') => {}
        Some(other) => return Err(unknown(other, "str")),
    }
    if spec.sign.is_some() {
        return Err("Sign not allowed in string format specifier".into());
    }
    if spec.alternate {
        return Err("Alternate form (#) not allowed in string format specifier".into());
    }
    if spec.align == Some('=') {
        return Err("'=' alignment not allowed in string format specifier".into());
    }
    if let Some(g) = spec.grouping {
        return Err(format!("Cannot specify '{g}' with 's'."));
    }
    let text: String = match spec.precision {
        Some(p) => value.chars().take(p).collect(),
        None => value.to_string(),
    };
    Ok(pad(spec, "", "", &text, '<'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(value: f64, spec: &str) -> String {
        FormatSpec::parse(spec)
            .and_then(|s| format_float(value, &s))
            .unwrap_or_else(|e| format!("ValueError: {e}"))
    }

    fn int(value: i64, spec: &str) -> String {
        FormatSpec::parse(spec)
            .and_then(|s| format_int(&BigInt::from(value), &s))
            .unwrap_or_else(|e| format!("ValueError: {e}"))
    }

    fn string(value: &str, spec: &str) -> String {
        FormatSpec::parse(spec)
            .and_then(|s| format_str(value, &s))
            .unwrap_or_else(|e| format!("ValueError: {e}"))
    }

    // Expected strings printed by CPython 3.11's `format(value, spec)`.
    #[test]
    fn floats_match_cpython() {
        let cases: &[(f64, &str, &str)] = &[
            (1.23456, ".2f", "1.23"),
            (1.23456, "10.3f", "     1.235"),
            (1.23456, "<10.1f", "1.2       "),
            (1234567.891, ",.2f", "1,234,567.89"),
            (0.000123, ".3e", "1.230e-04"),
            (123456789.0, ".3g", "1.23e+08"),
            (0.0001234, "g", "0.0001234"),
            (1.0, "", "1.0"),
            (1e20, ".3", "1e+20"),
            (1.5, ".3", "1.5"),
            (0.25, ".1%", "25.0%"),
            (-0.0, ".1f", "-0.0"),
            (2.5, "+.0f", "+2"),
            (f64::INFINITY, "F", "INF"),
            (1e16, "g", "1e+16"),
            (100.0, "#.3g", "100."),
            (5.0, "08.2f", "00005.00"),
            (-5.0, "08.2f", "-0005.00"),
            (12.5, "^9.1f", "  12.5   "),
            (1234.5, "_.1f", "1_234.5"),
            (
                1.5,
                "x",
                "ValueError: Unknown format code 'x' for object of type 'float'",
            ),
        ];
        for (value, spec, expected) in cases {
            assert_eq!(float(*value, spec), *expected, "format({value}, {spec:?})");
        }
    }

    #[test]
    fn ints_match_cpython() {
        let cases: &[(i64, &str, &str)] = &[
            (255, "x", "ff"),
            (255, "#x", "0xff"),
            (255, "#X", "0XFF"),
            (255, "#b", "0b11111111"),
            (255, "o", "377"),
            (1234567, ",", "1,234,567"),
            (1234567, "_", "1_234_567"),
            (255, "08b", "11111111"),
            (-42, "+d", "-42"),
            (42, " d", " 42"),
            (42, "*^10", "****42****"),
            (65, "c", "A"),
            (12345678, "_x", "bc_614e"),
            (5, ".2f", "5.00"),
            (5, "e", "5.000000e+00"),
            (-7, "05", "-0007"),
            (1000, "%", "100000.000000%"),
            (
                1,
                "s",
                "ValueError: Unknown format code 's' for object of type 'int'",
            ),
        ];
        for (value, spec, expected) in cases {
            assert_eq!(int(*value, spec), *expected, "format({value}, {spec:?})");
        }
    }

    #[test]
    fn strings_match_cpython() {
        assert_eq!(string("abc", ">6"), "   abc");
        assert_eq!(string("abc", "*^7"), "**abc**");
        assert_eq!(string("abcdef", ".3"), "abc");
        assert_eq!(string("abc", ""), "abc");
        assert_eq!(
            string("a", "d"),
            "ValueError: Unknown format code 'd' for object of type 'str'"
        );
        assert_eq!(
            string("a", "+"),
            "ValueError: Sign not allowed in string format specifier"
        );
        assert_eq!(float(1.5, ",s"), "ValueError: Cannot specify ',' with 's'.");
    }
}
