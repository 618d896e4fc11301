//! The methods of `str` with CPython 3.11's semantics and error messages:
//! case changes, predicates, padding, stripping, `translate`/`maketrans`,
//! plus the argument-parsing helpers these methods share with `bytes`.
//! Searching and splitting live in `strings/search.rs`, `str.format` in
//! `strings/format.rs`, encodings in `strings/codecs.rs`.
//!
//! Indices are code points, as in Python; Unicode properties Rust's `char`
//! lacks come from tables generated from CPython (`strings/unicode_tables.rs`).

pub mod codecs;
pub mod format;
pub mod search;
pub mod unicode_tables;

use std::rc::Rc;

use super::{add_methods, function, native_object};
use crate::text;
use crate::value::{Args, NativeFnPtr, PyResult, PyStr, Value};
use crate::vm::{ExcType, Vm};
use unicode_tables as tables;

pub fn install(vm: &mut Vm) {
    let methods: &[(&str, NativeFnPtr)] = &[
        ("upper", upper),
        ("lower", lower),
        ("casefold", casefold),
        ("title", title),
        ("capitalize", capitalize),
        ("swapcase", swapcase),
        ("strip", strip),
        ("lstrip", lstrip),
        ("rstrip", rstrip),
        ("isdigit", isdigit),
        ("isalpha", isalpha),
        ("isalnum", isalnum),
        ("isspace", isspace),
        ("isupper", isupper),
        ("islower", islower),
        ("istitle", istitle),
        ("isidentifier", isidentifier),
        ("isnumeric", isnumeric),
        ("isdecimal", isdecimal),
        ("isascii", isascii),
        ("isprintable", isprintable),
        ("center", center),
        ("ljust", ljust),
        ("rjust", rjust),
        ("zfill", zfill),
        ("expandtabs", expandtabs),
        ("translate", translate),
        ("encode", codecs::str_encode),
        ("format", format::format),
        ("format_map", format::format_map),
        ("__format__", dunder_format),
        ("__str__", dunder_str),
        ("__repr__", dunder_repr),
    ];
    add_methods(&vm.types.str_, "str", methods);
    search::install(vm);
    let staticmethod = vm.types.named("staticmethod");
    let maketrans = native_object(vm, &staticmethod, function("maketrans", maketrans));
    vm.types.str_.dict.borrow_mut().set("maketrans", maketrans);
}

// ------------------------------------------------------------ arguments

/// The receiver of a method of `owner` ("str", "bytes"): the first
/// positional argument, which must be an instance of the class (or of a
/// subclass, whose built-in value is returned).
pub(crate) fn receiver_of(
    vm: &mut Vm,
    owner: &str,
    name: &str,
    args: &mut Args,
) -> PyResult<Value> {
    if args.positional.is_empty() {
        return Err(vm.type_error(format!("unbound method {owner}.{name}() needs an argument")));
    }
    let value = args.positional.remove(0);
    let inner = value.unwrap_builtin();
    let fits = match owner {
        "str" => matches!(inner, Value::Str(_)),
        "bytes" => matches!(inner, Value::Bytes(_)),
        _ => false,
    };
    if !fits {
        let t = vm.type_name(&value);
        return Err(vm.type_error(format!(
            "descriptor '{name}' for '{owner}' objects doesn't apply to a '{t}' object"
        )));
    }
    Ok(inner)
}

/// The `str` receiver of a `str` method.
pub(crate) fn receiver(vm: &mut Vm, name: &str, args: &mut Args) -> PyResult<Rc<PyStr>> {
    match receiver_of(vm, "str", name, args)? {
        Value::Str(s) => Ok(s),
        _ => Err(vm.type_error(format!("descriptor '{name}' needs a str"))),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn no_keywords(vm: &mut Vm, qualname: &str, args: &Args) -> PyResult<()> {
    if args.keywords.is_empty() {
        Ok(())
    } else {
        Err(vm.type_error(format!("{qualname}() takes no keyword arguments")))
    }
}

/// A method without arguments (`str.upper()`), after the receiver.
pub(crate) fn no_args(vm: &mut Vm, qualname: &str, args: &Args) -> PyResult<()> {
    no_keywords(vm, qualname, args)?;
    let given = args.positional.len();
    if given > 0 {
        return Err(vm.type_error(format!("{qualname}() takes no arguments ({given} given)")));
    }
    Ok(())
}

/// A method of exactly one positional argument (`str.join(iterable)`).
pub(crate) fn one_arg(vm: &mut Vm, qualname: &str, args: &mut Args) -> PyResult<Value> {
    no_keywords(vm, qualname, args)?;
    let given = args.positional.len();
    if given != 1 {
        return Err(vm.type_error(format!(
            "{qualname}() takes exactly one argument ({given} given)"
        )));
    }
    Ok(args.positional.remove(0))
}

/// Positional-only arguments checked the way Argument Clinic does
/// (`strip expected at most 1 argument, got 2`).
pub(crate) fn positional(
    vm: &mut Vm,
    qualname: &str,
    args: &mut Args,
    min: usize,
    max: usize,
) -> PyResult<Vec<Value>> {
    no_keywords(vm, qualname, args)?;
    let name = qualname.rsplit('.').next().unwrap_or(qualname);
    let given = args.positional.len();
    if given < min || given > max {
        let (bound, n) = if min == max {
            ("", min)
        } else if given < min {
            ("at least ", min)
        } else {
            ("at most ", max)
        };
        return Err(vm.type_error(format!(
            "{name} expected {bound}{n} argument{}, got {given}",
            plural(n)
        )));
    }
    Ok(std::mem::take(&mut args.positional))
}

/// Positional arguments checked the way `PyArg_ParseTuple` does
/// (`find() takes at least 1 argument (0 given)`).
pub(crate) fn varargs(
    vm: &mut Vm,
    qualname: &str,
    args: &mut Args,
    min: usize,
    max: usize,
) -> PyResult<Vec<Value>> {
    no_keywords(vm, qualname, args)?;
    let name = qualname.rsplit('.').next().unwrap_or(qualname);
    let given = args.positional.len();
    if given < min || given > max {
        let (bound, n) = if min == max {
            ("exactly", min)
        } else if given < min {
            ("at least", min)
        } else {
            ("at most", max)
        };
        return Err(vm.type_error(format!(
            "{name}() takes {bound} {n} argument{} ({given} given)",
            plural(n)
        )));
    }
    Ok(std::mem::take(&mut args.positional))
}

/// Optional arguments that may also be given by keyword, checked the way
/// Argument Clinic's `_PyArg_UnpackKeywords` does.
pub(crate) fn keywords(
    vm: &mut Vm,
    name: &str,
    args: &mut Args,
    names: &[&str],
) -> PyResult<Vec<Option<Value>>> {
    let given = args.positional.len() + args.keywords.len();
    if given > names.len() {
        let keyword = if args.positional.is_empty() {
            "keyword "
        } else {
            ""
        };
        return Err(vm.type_error(format!(
            "{name}() takes at most {} {keyword}argument{} ({given} given)",
            names.len(),
            plural(names.len())
        )));
    }
    let mut out: Vec<Option<Value>> = std::mem::take(&mut args.positional)
        .into_iter()
        .map(Some)
        .collect();
    out.resize(names.len(), None);
    for (key, value) in std::mem::take(&mut args.keywords) {
        let Some(index) = names.iter().position(|n| *n == key.as_str()) else {
            return Err(vm.type_error(format!(
                "'{}' is an invalid keyword argument for {name}()",
                key.as_str()
            )));
        };
        match out.get_mut(index) {
            Some(slot @ None) => *slot = Some(value),
            _ => {
                return Err(vm.type_error(format!(
                    "argument for {name}() given by name ('{}') and position ({})",
                    key.as_str(),
                    index + 1
                )))
            }
        }
    }
    Ok(out)
}

/// A `Py_ssize_t` argument: an int (or `__index__`), with CPython's
/// OverflowError for ints beyond 64 bits.
pub(crate) fn ssize(vm: &mut Vm, v: &Value) -> PyResult<i64> {
    match v.unwrap_builtin() {
        Value::Int(i) => Ok(i),
        Value::Bool(b) => Ok(b as i64),
        Value::BigInt(_) => Err(vm.error(
            ExcType::OverflowError,
            "Python int too large to convert to C ssize_t",
        )),
        Value::Float(_) if !matches!(v, Value::Instance(_)) => {
            Err(vm.type_error("'float' object cannot be interpreted as an integer"))
        }
        _ => vm.to_index(v),
    }
}

/// A `str` argument (or str subclass instance) as CPython's
/// `must be str, not int` check.
pub(crate) fn str_arg(vm: &mut Vm, v: &Value, message_prefix: &str) -> PyResult<Rc<PyStr>> {
    match v.unwrap_builtin() {
        Value::Str(s) => Ok(s),
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(format!("{message_prefix}must be str, not {t}")))
        }
    }
}

/// Refuses results too large to build (CPython would exhaust memory).
pub(crate) fn check_len(vm: &mut Vm, len: usize) -> PyResult<()> {
    vm.check_size(len)
}

// ---------------------------------------------------------------- case

fn upper(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "upper", args)?;
    no_args(vm, "str.upper", args)?;
    Ok(Value::string(s.as_str().to_uppercase()))
}

fn lower(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "lower", args)?;
    no_args(vm, "str.lower", args)?;
    Ok(Value::string(s.as_str().to_lowercase()))
}

/// Full case folding: lowercase, except the characters the folding table
/// maps elsewhere (`ß` → `ss`, final sigma → `σ`).
pub fn casefold_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match tables::CASEFOLD.binary_search_by(|(k, _)| k.cmp(&c)) {
            Ok(i) => out.push_str(tables::CASEFOLD.get(i).map_or("", |(_, v)| v)),
            Err(_) => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn casefold(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "casefold", args)?;
    no_args(vm, "str.casefold", args)?;
    Ok(Value::string(casefold_text(s.as_str())))
}

/// Titlecase characters (general category Lt).
pub fn is_titlecase(c: char) -> bool {
    matches!(c as u32,
        0x1c5 | 0x1c8 | 0x1cb | 0x1f2 | 0x1f88..=0x1f8f | 0x1f98..=0x1f9f
        | 0x1fa8..=0x1faf | 0x1fbc | 0x1fcc | 0x1ffc)
}

/// Cased characters (`_PyUnicode_IsCased`).
fn is_cased(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase() || is_titlecase(c)
}

/// The full titlecase mapping of one character.
fn push_titlecase(out: &mut String, c: char) {
    match tables::TITLECASE.binary_search_by(|(k, _)| k.cmp(&c)) {
        Ok(i) => out.push_str(tables::TITLECASE.get(i).map_or("", |(_, v)| v)),
        Err(_) => out.extend(c.to_uppercase()),
    }
}

/// The lowercase mapping of every character of `s` in context: a capital
/// sigma becomes `ς` at the end of a word, as CPython's `lower()` does.
fn lowercase_each(s: &str) -> Vec<String> {
    let lowered = s.to_lowercase();
    let mut lowered = lowered.chars();
    s.chars()
        .map(|c| {
            let n = if c == 'Σ' {
                1
            } else {
                c.to_lowercase().count()
            };
            lowered.by_ref().take(n).collect()
        })
        .collect()
}

pub fn title_text(s: &str) -> String {
    let lower = lowercase_each(s);
    let mut out = String::with_capacity(s.len());
    let mut previous_cased = false;
    for (c, low) in s.chars().zip(lower) {
        if previous_cased {
            out.push_str(&low);
        } else {
            push_titlecase(&mut out, c);
        }
        previous_cased = is_cased(c);
    }
    out
}

pub fn capitalize_text(s: &str) -> String {
    let lower = lowercase_each(s);
    let mut out = String::with_capacity(s.len());
    for (i, (c, low)) in s.chars().zip(lower).enumerate() {
        if i == 0 {
            push_titlecase(&mut out, c);
        } else {
            out.push_str(&low);
        }
    }
    out
}

pub fn swapcase_text(s: &str) -> String {
    let lower = lowercase_each(s);
    let mut out = String::with_capacity(s.len());
    for (c, low) in s.chars().zip(lower) {
        if c.is_uppercase() {
            out.push_str(&low);
        } else if c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn title(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "title", args)?;
    no_args(vm, "str.title", args)?;
    Ok(Value::string(title_text(s.as_str())))
}

fn capitalize(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "capitalize", args)?;
    no_args(vm, "str.capitalize", args)?;
    Ok(Value::string(capitalize_text(s.as_str())))
}

fn swapcase(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "swapcase", args)?;
    no_args(vm, "str.swapcase", args)?;
    Ok(Value::string(swapcase_text(s.as_str())))
}

// ------------------------------------------------------------ stripping

#[derive(Clone, Copy)]
enum Side {
    Both,
    Left,
    Right,
}

fn strip_impl(vm: &mut Vm, args: &mut Args, name: &str, side: Side) -> PyResult<Value> {
    let s = receiver(vm, name, args)?;
    let a = positional(vm, &format!("str.{name}"), args, 0, 1)?;
    let chars: Option<Rc<PyStr>> = match a.first() {
        None | Some(Value::None) => None,
        Some(v) => match v.unwrap_builtin() {
            Value::Str(c) => Some(c),
            _ => return Err(vm.type_error(format!("{name} arg must be None or str"))),
        },
    };
    let text = s.as_str();
    let result = match &chars {
        None => match side {
            Side::Both => text.trim_matches(text::is_space),
            Side::Left => text.trim_start_matches(text::is_space),
            Side::Right => text.trim_end_matches(text::is_space),
        },
        Some(set) => {
            let set = set.as_str();
            let in_set = |c: char| set.contains(c);
            match side {
                Side::Both => text.trim_matches(in_set),
                Side::Left => text.trim_start_matches(in_set),
                Side::Right => text.trim_end_matches(in_set),
            }
        }
    };
    Ok(Value::str(result))
}

fn strip(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    strip_impl(vm, args, "strip", Side::Both)
}

fn lstrip(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    strip_impl(vm, args, "lstrip", Side::Left)
}

fn rstrip(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    strip_impl(vm, args, "rstrip", Side::Right)
}

// ----------------------------------------------------------- predicates

pub fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        tables::in_table(tables::ALPHA, c)
    }
}

pub fn is_decimal(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        tables::in_table(tables::DECIMAL, c)
    }
}

pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        tables::in_table(tables::DIGIT, c)
    }
}

pub fn is_numeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        tables::in_table(tables::NUMERIC, c)
    }
}

pub fn is_alnum(c: char) -> bool {
    is_alpha(c) || is_numeric(c)
}

/// `str.isprintable` for one character.
pub fn is_printable(c: char) -> bool {
    if c.is_ascii() {
        (' '..='~').contains(&c)
    } else {
        tables::in_table(tables::PRINTABLE, c)
    }
}

/// `str.isidentifier`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) if tables::in_table(tables::XID_START, first) => {
            chars.all(|c| tables::in_table(tables::XID_CONTINUE, c))
        }
        _ => false,
    }
}

/// `str.istitle`: uppercase only after uncased characters, lowercase only
/// after cased ones, and at least one cased character.
pub fn is_title_text(s: &str) -> bool {
    let mut cased = false;
    let mut previous_cased = false;
    for c in s.chars() {
        if c.is_uppercase() || is_titlecase(c) {
            if previous_cased {
                return false;
            }
            previous_cased = true;
            cased = true;
        } else if c.is_lowercase() {
            if !previous_cased {
                return false;
            }
            previous_cased = true;
            cased = true;
        } else {
            previous_cased = false;
        }
    }
    cased
}

fn predicate(
    vm: &mut Vm,
    args: &mut Args,
    name: &str,
    test: impl Fn(&str) -> bool,
) -> PyResult<Value> {
    let s = receiver(vm, name, args)?;
    no_args(vm, &format!("str.{name}"), args)?;
    Ok(Value::Bool(test(s.as_str())))
}

/// Every character passes and there is at least one.
fn all_chars(s: &str, test: fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(test)
}

fn isdigit(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isdigit", |s| all_chars(s, is_digit))
}

fn isalpha(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isalpha", |s| all_chars(s, is_alpha))
}

fn isalnum(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isalnum", |s| all_chars(s, is_alnum))
}

fn isspace(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isspace", |s| all_chars(s, text::is_space))
}

fn isnumeric(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isnumeric", |s| all_chars(s, is_numeric))
}

fn isdecimal(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isdecimal", |s| all_chars(s, is_decimal))
}

fn isascii(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isascii", |s| s.is_ascii())
}

fn isprintable(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isprintable", |s| s.chars().all(is_printable))
}

fn isidentifier(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isidentifier", is_identifier)
}

fn istitle(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "istitle", is_title_text)
}

fn isupper(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isupper", |s| {
        let mut cased = false;
        for c in s.chars() {
            if c.is_lowercase() || is_titlecase(c) {
                return false;
            }
            cased |= c.is_uppercase();
        }
        cased
    })
}

fn islower(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "islower", |s| {
        let mut cased = false;
        for c in s.chars() {
            if c.is_uppercase() || is_titlecase(c) {
                return false;
            }
            cased |= c.is_lowercase();
        }
        cased
    })
}

// -------------------------------------------------------------- padding

/// The `fillchar` argument of `center`/`ljust`/`rjust`.
fn fill_char(vm: &mut Vm, v: Option<&Value>) -> PyResult<char> {
    let Some(v) = v else {
        return Ok(' ');
    };
    match v.unwrap_builtin() {
        Value::Str(s) => {
            let mut chars = s.as_str().chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(vm.type_error("The fill character must be exactly one character long")),
            }
        }
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(format!(
                "The fill character must be a unicode character, not {t}"
            )))
        }
    }
}

fn pad_impl(
    vm: &mut Vm,
    args: &mut Args,
    name: &str,
    pad: fn(&str, usize, char) -> String,
) -> PyResult<Value> {
    let s = receiver(vm, name, args)?;
    let a = positional(vm, &format!("str.{name}"), args, 1, 2)?;
    let width = match a.first() {
        Some(w) => ssize(vm, w)?,
        None => 0,
    };
    let fill = fill_char(vm, a.get(1))?;
    let width = usize::try_from(width).unwrap_or(0);
    if width <= s.char_len() {
        return Ok(Value::Str(s));
    }
    check_len(vm, width)?;
    Ok(Value::string(pad(s.as_str(), width, fill)))
}

fn center(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    pad_impl(vm, args, "center", text::center)
}

fn ljust(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    pad_impl(vm, args, "ljust", text::ljust)
}

fn rjust(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    pad_impl(vm, args, "rjust", text::rjust)
}

fn zfill(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "zfill", args)?;
    let width = one_arg(vm, "str.zfill", args)?;
    let width = usize::try_from(ssize(vm, &width)?).unwrap_or(0);
    if width <= s.char_len() {
        return Ok(Value::Str(s));
    }
    check_len(vm, width)?;
    Ok(Value::string(text::zfill(s.as_str(), width)))
}

fn expandtabs(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "expandtabs", args)?;
    let a = keywords(vm, "expandtabs", args, &["tabsize"])?;
    let tabsize = match a.first().and_then(|v| v.as_ref()) {
        Some(v) => ssize(vm, v)?,
        None => 8,
    };
    let tabs = s.as_str().matches('\t').count();
    let per_tab = usize::try_from(tabsize).unwrap_or(0);
    check_len(
        vm,
        tabs.saturating_mul(per_tab).saturating_add(s.char_len()),
    )?;
    Ok(Value::string(text::expandtabs(s.as_str(), tabsize)))
}

// ------------------------------------------------------------ translate

fn translate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "translate", args)?;
    let table = one_arg(vm, "str.translate", args)?;
    let mut out = String::with_capacity(s.as_str().len());
    for c in s.as_str().chars() {
        let mapped = match vm.get_item(&table, &Value::Int(c as i64)) {
            Ok(v) => v,
            Err(crate::value::Unwind::Exception(e))
                if vm.is_exception(&e, ExcType::LookupError) =>
            {
                out.push(c);
                continue;
            }
            Err(other) => return Err(other),
        };
        match mapped.unwrap_builtin() {
            Value::None => {}
            Value::Int(i) => match u32::try_from(i).ok().and_then(char::from_u32) {
                Some(m) => out.push(m),
                None => {
                    return Err(vm.error(
                        ExcType::ValueError,
                        "character mapping must be in range(0x110000)",
                    ))
                }
            },
            Value::BigInt(_) => {
                return Err(vm.error(
                    ExcType::ValueError,
                    "character mapping must be in range(0x110000)",
                ))
            }
            Value::Str(m) => out.push_str(m.as_str()),
            _ => return Err(vm.type_error("character mapping must return integer, None or str")),
        }
        check_len(vm, out.len())?;
    }
    Ok(Value::string(out))
}

/// `str.maketrans(x[, y[, z]])` (a static method).
fn maketrans(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = positional(vm, "str.maketrans", args, 1, 3)?;
    let mut pairs = Vec::new();
    let (x, y, z) = (a.first(), a.get(1), a.get(2));
    for (i, v) in [(2, y), (3, z)] {
        if let Some(v) = v {
            if !matches!(v.unwrap_builtin(), Value::Str(_)) {
                let t = vm.type_name(v);
                return Err(vm.type_error(format!("maketrans() argument {i} must be str, not {t}")));
            }
        }
    }
    match (x, y) {
        (Some(x), None) => {
            let Some(dict) = x.as_dict() else {
                return Err(
                    vm.type_error("if you give only one argument to maketrans it must be a dict")
                );
            };
            for (key, value) in dict.items() {
                let key = match key.unwrap_builtin() {
                    Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => key,
                    Value::Str(k) => {
                        let mut chars = k.as_str().chars();
                        match (chars.next(), chars.next()) {
                            (Some(c), None) => Value::Int(c as i64),
                            _ => {
                                return Err(vm.error(
                                    ExcType::ValueError,
                                    "string keys in translate table must be of length 1",
                                ))
                            }
                        }
                    }
                    _ => {
                        return Err(
                            vm.type_error("keys in translate table must be strings or integers")
                        )
                    }
                };
                pairs.push((key, value));
            }
        }
        (Some(x), Some(y)) => {
            let Value::Str(x) = x.unwrap_builtin() else {
                return Err(vm.type_error(
                    "first maketrans argument must be a string if there is a second argument",
                ));
            };
            let Value::Str(y) = y.unwrap_builtin() else {
                return Err(vm.type_error("maketrans() argument 2 must be str"));
            };
            if x.char_len() != y.char_len() {
                return Err(vm.error(
                    ExcType::ValueError,
                    "the first two maketrans arguments must have equal length",
                ));
            }
            for (a, b) in x.as_str().chars().zip(y.as_str().chars()) {
                pairs.push((Value::Int(a as i64), Value::Int(b as i64)));
            }
            if let Some(z) = z {
                if let Value::Str(z) = z.unwrap_builtin() {
                    for c in z.as_str().chars() {
                        pairs.push((Value::Int(c as i64), Value::None));
                    }
                }
            }
        }
        _ => {}
    }
    vm.new_dict(pairs)
}

// -------------------------------------------------------------- dunders

fn dunder_format(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "__format__", args)?;
    let spec = one_arg(vm, "str.__format__", args)?;
    let Value::Str(spec) = spec.unwrap_builtin() else {
        let t = vm.type_name(&spec);
        return Err(vm.type_error(format!("__format__() argument must be str, not {t}")));
    };
    Ok(Value::string(
        vm.format_value(&Value::Str(s), spec.as_str())?,
    ))
}

fn dunder_str(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "__str__", args)?;
    no_args(vm, "str.__str__", args)?;
    Ok(Value::Str(s))
}

fn dunder_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "__repr__", args)?;
    no_args(vm, "str.__repr__", args)?;
    Ok(Value::string(crate::vm::repr::str_repr(s.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by CPython 3.11.
    #[test]
    fn case_mappings_match_cpython() {
        assert_eq!(title_text("ß straße"), "Ss Straße");
        assert_eq!(title_text("they're bill's"), "They'Re Bill'S");
        assert_eq!(title_text("ⓐⓑ ʰa"), "Ⓐⓑ ʰa");
        assert_eq!(capitalize_text("ΑΣ ΟΔΟΣ"), "Ας οδος");
        assert_eq!(swapcase_text("ΣΑΣ"), "σας");
        assert_eq!(swapcase_text("Hello ПРИВЕТ ß"), "hELLO привет SS");
        assert_eq!(casefold_text("Straße ΣΑΣ"), "strasse σασ");
        assert_eq!(capitalize_text(""), "");
    }

    #[test]
    fn predicates_match_cpython() {
        assert!(is_title_text("Hello World"));
        assert!(!is_title_text("Hello world"));
        assert!(!is_title_text("123"));
        assert!(is_title_text("ǅungla"));
        assert!(is_identifier("_ёжик1"));
        assert!(!is_identifier("1abc"));
        assert!(!is_identifier(""));
        assert!(is_digit('²') && !is_decimal('²') && is_numeric('²'));
        assert!(is_numeric('一') && !is_digit('一'));
        assert!(is_decimal('٣'));
        assert!(is_alpha('ж') && !is_alpha('\u{301}'));
        assert!(!is_printable('\u{a0}') && is_printable('ё') && !is_printable('\n'));
        assert_eq!(tables::decimal_value('٣'), Some(3));
        assert_eq!(tables::decimal_value('x'), None);
    }
}
