//! The methods of `bytes` with CPython 3.11's semantics and messages:
//! `decode`, `hex`/`fromhex`, searching (`find`, `count`, `startswith`...),
//! splitting and joining, stripping, `replace`, padding, ASCII case
//! changes and predicates. Bytes are ASCII-only for every text notion
//! (case, whitespace, digits), as in CPython.

use std::rc::Rc;

use super::strings::search::{adjust, slice_arg};
use super::strings::{
    check_len, codecs, keywords, no_args, one_arg, positional, receiver_of, ssize, varargs,
};
use super::{add_methods, function, native_object};
use crate::value::{Args, NativeFnPtr, PyBytes, PyResult, Unwind, Value};
use crate::vm::{ExcType, Vm};

pub fn install(vm: &mut Vm) {
    let methods: &[(&str, NativeFnPtr)] = &[
        ("decode", decode),
        ("hex", hex),
        ("find", find),
        ("rfind", rfind),
        ("index", index),
        ("rindex", rindex),
        ("count", count),
        ("startswith", startswith),
        ("endswith", endswith),
        ("split", split),
        ("rsplit", rsplit),
        ("splitlines", splitlines),
        ("partition", partition),
        ("rpartition", rpartition),
        ("join", join),
        ("replace", replace),
        ("strip", strip),
        ("lstrip", lstrip),
        ("rstrip", rstrip),
        ("removeprefix", removeprefix),
        ("removesuffix", removesuffix),
        ("upper", upper),
        ("lower", lower),
        ("swapcase", swapcase),
        ("capitalize", capitalize),
        ("title", title),
        ("isdigit", isdigit),
        ("isalpha", isalpha),
        ("isalnum", isalnum),
        ("isspace", isspace),
        ("isupper", isupper),
        ("islower", islower),
        ("istitle", istitle),
        ("isascii", isascii),
        ("center", center),
        ("ljust", ljust),
        ("rjust", rjust),
        ("zfill", zfill),
    ];
    add_methods(&vm.types.bytes, "bytes", methods);
    let staticmethod = vm.types.named("staticmethod");
    let fromhex = native_object(vm, &staticmethod, function("fromhex", fromhex));
    vm.types.bytes.dict.borrow_mut().set("fromhex", fromhex);
}

// ------------------------------------------------------------ arguments

fn receiver(vm: &mut Vm, name: &str, args: &mut Args) -> PyResult<Rc<PyBytes>> {
    match receiver_of(vm, "bytes", name, args)? {
        Value::Bytes(b) => Ok(b),
        _ => Err(vm.type_error(format!("descriptor '{name}' needs a bytes object"))),
    }
}

/// A bytes-like argument (`a bytes-like object is required, not 'str'`).
fn bytes_arg(vm: &mut Vm, v: &Value) -> PyResult<Rc<PyBytes>> {
    match v.unwrap_builtin() {
        Value::Bytes(b) => Ok(b),
        other if super::bytearray::bytearray_data(&other).is_some() => Ok(Rc::new(PyBytes {
            data: super::bytearray::bytearray_data(&other).unwrap_or_default(),
        })),
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(format!("a bytes-like object is required, not '{t}'")))
        }
    }
}

/// The `sub` argument of the find family: bytes or one byte as an int.
fn sub_arg(vm: &mut Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Some(data) = super::bytearray::bytearray_data(v) {
        return Ok(data);
    }
    match v.unwrap_builtin() {
        Value::Bytes(b) => Ok(b.data.clone()),
        Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => match ssize(vm, v) {
            Ok(i) if (0..256).contains(&i) => Ok(vec![i as u8]),
            _ => Err(vm.error(ExcType::ValueError, "byte must be in range(0, 256)")),
        },
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(format!(
                "argument should be integer or bytes-like object, not '{t}'"
            )))
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

// ------------------------------------------------------------ searching

pub fn find_sub(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn rfind_sub(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(hay.len());
    }
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Non-overlapping occurrences (of a non-empty needle).
fn count_sub(hay: &[u8], needle: &[u8]) -> usize {
    let mut count = 0;
    let mut rest = hay;
    while let Some(i) = find_sub(rest, needle) {
        count += 1;
        rest = rest.get(i + needle.len()..).unwrap_or(&[]);
    }
    count
}

fn window(data: &[u8], start: i64, end: i64) -> &[u8] {
    let (s, e) = (
        usize::try_from(start).unwrap_or(0),
        usize::try_from(end).unwrap_or(0),
    );
    data.get(s..e).unwrap_or(&[])
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Forward,
    Backward,
}

fn find_args(
    vm: &mut Vm,
    name: &str,
    args: &mut Args,
) -> PyResult<(Rc<PyBytes>, Vec<u8>, i64, i64)> {
    let b = receiver(vm, name, args)?;
    let a = varargs(vm, &format!("bytes.{name}"), args, 1, 3)?;
    let sub = match a.first() {
        Some(v) => sub_arg(vm, v)?,
        None => Vec::new(),
    };
    let start = slice_arg(vm, a.get(1), 0)?;
    let end = slice_arg(vm, a.get(2), i64::MAX)?;
    Ok((b, sub, start, end))
}

fn find_in(data: &[u8], sub: &[u8], start: i64, end: i64, direction: Direction) -> i64 {
    let (start, end) = adjust(start, end, data.len());
    if end - start < sub.len() as i64 {
        return -1;
    }
    let hay = window(data, start, end);
    let found = match direction {
        Direction::Forward => find_sub(hay, sub),
        Direction::Backward => rfind_sub(hay, sub),
    };
    found.map_or(-1, |i| start + i as i64)
}

fn find(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (b, sub, start, end) = find_args(vm, "find", args)?;
    Ok(Value::Int(find_in(
        &b.data,
        &sub,
        start,
        end,
        Direction::Forward,
    )))
}

fn rfind(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (b, sub, start, end) = find_args(vm, "rfind", args)?;
    Ok(Value::Int(find_in(
        &b.data,
        &sub,
        start,
        end,
        Direction::Backward,
    )))
}

fn index(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (b, sub, start, end) = find_args(vm, "index", args)?;
    match find_in(&b.data, &sub, start, end, Direction::Forward) {
        -1 => Err(vm.error(ExcType::ValueError, "subsection not found")),
        i => Ok(Value::Int(i)),
    }
}

fn rindex(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (b, sub, start, end) = find_args(vm, "rindex", args)?;
    match find_in(&b.data, &sub, start, end, Direction::Backward) {
        -1 => Err(vm.error(ExcType::ValueError, "subsection not found")),
        i => Ok(Value::Int(i)),
    }
}

fn count(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (b, sub, start, end) = find_args(vm, "count", args)?;
    let (start, end) = adjust(start, end, b.data.len());
    if end - start < sub.len() as i64 {
        return Ok(Value::Int(0));
    }
    if sub.is_empty() {
        return Ok(Value::Int(end - start + 1));
    }
    Ok(Value::Int(
        count_sub(window(&b.data, start, end), &sub) as i64
    ))
}

fn tail_match(data: &[u8], sub: &[u8], start: i64, end: i64, direction: Direction) -> bool {
    let (start, end) = adjust(start, end, data.len());
    let end = end - sub.len() as i64;
    if end < start {
        return false;
    }
    let at = if direction == Direction::Forward {
        start
    } else {
        end
    };
    window(data, at, at + sub.len() as i64) == sub
}

fn starts_or_ends(
    vm: &mut Vm,
    args: &mut Args,
    name: &str,
    direction: Direction,
) -> PyResult<Value> {
    let b = receiver(vm, name, args)?;
    let a = varargs(vm, &format!("bytes.{name}"), args, 1, 3)?;
    let Some(prefix) = a.first() else {
        return Ok(Value::Bool(false));
    };
    let start = slice_arg(vm, a.get(1), 0)?;
    let end = slice_arg(vm, a.get(2), i64::MAX)?;
    match prefix.unwrap_builtin() {
        Value::Tuple(t) => {
            for item in &t.items {
                let sub = bytes_arg(vm, item)?;
                if tail_match(&b.data, &sub.data, start, end, direction) {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(false))
        }
        Value::Bytes(sub) => Ok(Value::Bool(tail_match(
            &b.data, &sub.data, start, end, direction,
        ))),
        _ => {
            let t = vm.type_name(prefix);
            Err(vm.type_error(format!(
                "{name} first arg must be bytes or a tuple of bytes, not {t}"
            )))
        }
    }
}

fn startswith(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    starts_or_ends(vm, args, "startswith", Direction::Forward)
}

fn endswith(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    starts_or_ends(vm, args, "endswith", Direction::Backward)
}

// ------------------------------------------------------------ splitting

fn bytes_list(parts: Vec<&[u8]>) -> Value {
    Value::list(
        parts
            .into_iter()
            .map(|p| Value::bytes(p.to_vec()))
            .collect(),
    )
}

fn split_whitespace(data: &[u8], maxsplit: Option<usize>, direction: Direction) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    match direction {
        Direction::Forward => {
            let mut i = 0;
            loop {
                while data.get(i).is_some_and(|&b| is_space(b)) {
                    i += 1;
                }
                if i >= data.len() {
                    break;
                }
                if maxsplit.is_some_and(|m| parts.len() >= m) {
                    parts.push(data.get(i..).unwrap_or(&[]));
                    break;
                }
                let start = i;
                while data.get(i).is_some_and(|&b| !is_space(b)) {
                    i += 1;
                }
                parts.push(data.get(start..i).unwrap_or(&[]));
            }
        }
        Direction::Backward => {
            let mut end = data.len();
            loop {
                while end > 0 && data.get(end - 1).is_some_and(|&b| is_space(b)) {
                    end -= 1;
                }
                if end == 0 {
                    break;
                }
                if maxsplit.is_some_and(|m| parts.len() >= m) {
                    parts.push(data.get(..end).unwrap_or(&[]));
                    break;
                }
                let mut start = end;
                while start > 0 && data.get(start - 1).is_some_and(|&b| !is_space(b)) {
                    start -= 1;
                }
                parts.push(data.get(start..end).unwrap_or(&[]));
                end = start;
            }
            parts.reverse();
        }
    }
    parts
}

fn split_on<'a>(
    data: &'a [u8],
    sep: &[u8],
    maxsplit: Option<usize>,
    direction: Direction,
) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while maxsplit.is_none_or(|m| parts.len() < m) {
        let found = match direction {
            Direction::Forward => find_sub(rest, sep),
            Direction::Backward => rfind_sub(rest, sep),
        };
        let Some(i) = found else {
            break;
        };
        let (before, after) = (
            rest.get(..i).unwrap_or(&[]),
            rest.get(i + sep.len()..).unwrap_or(&[]),
        );
        if direction == Direction::Forward {
            parts.push(before);
            rest = after;
        } else {
            parts.push(after);
            rest = before;
        }
    }
    parts.push(rest);
    if direction == Direction::Backward {
        parts.reverse();
    }
    parts
}

fn split_impl(vm: &mut Vm, args: &mut Args, name: &str, direction: Direction) -> PyResult<Value> {
    let b = receiver(vm, name, args)?;
    let a = keywords(vm, name, args, &["sep", "maxsplit"])?;
    let sep = match a.first().and_then(|v| v.as_ref()) {
        None | Some(Value::None) => None,
        Some(v) => Some(bytes_arg(vm, v)?),
    };
    let maxsplit = match a.get(1).and_then(|v| v.as_ref()) {
        Some(v) => ssize(vm, v)?,
        None => -1,
    };
    let maxsplit = usize::try_from(maxsplit).ok();
    let parts = match &sep {
        None => split_whitespace(&b.data, maxsplit, direction),
        Some(sep) if sep.data.is_empty() => {
            return Err(vm.error(ExcType::ValueError, "empty separator"))
        }
        Some(sep) => split_on(&b.data, &sep.data, maxsplit, direction),
    };
    Ok(bytes_list(parts))
}

fn split(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    split_impl(vm, args, "split", Direction::Forward)
}

fn rsplit(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    split_impl(vm, args, "rsplit", Direction::Backward)
}

fn splitlines(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let b = receiver(vm, "splitlines", args)?;
    let a = keywords(vm, "splitlines", args, &["keepends"])?;
    let keep = match a.first().and_then(|v| v.as_ref()) {
        Some(v) => ssize(vm, v)? != 0,
        None => false,
    };
    let data = &b.data;
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while let Some(&c) = data.get(i) {
        if c != b'\n' && c != b'\r' {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        if c == b'\r' && data.get(end) == Some(&b'\n') {
            end += 1;
        }
        parts.push(data.get(start..if keep { end } else { i }).unwrap_or(&[]));
        start = end;
        i = end;
    }
    if start < data.len() {
        parts.push(data.get(start..).unwrap_or(&[]));
    }
    Ok(bytes_list(parts))
}

fn partition_impl(
    vm: &mut Vm,
    args: &mut Args,
    name: &str,
    direction: Direction,
) -> PyResult<Value> {
    let b = receiver(vm, name, args)?;
    let sep = one_arg(vm, &format!("bytes.{name}"), args)?;
    let sep = bytes_arg(vm, &sep)?;
    if sep.data.is_empty() {
        return Err(vm.error(ExcType::ValueError, "empty separator"));
    }
    let data = &b.data;
    let found = match direction {
        Direction::Forward => find_sub(data, &sep.data),
        Direction::Backward => rfind_sub(data, &sep.data),
    };
    let empty = || Value::bytes(Vec::new());
    let parts = match found {
        Some(i) => vec![
            Value::bytes(data.get(..i).unwrap_or(&[]).to_vec()),
            Value::Bytes(sep.clone()),
            Value::bytes(data.get(i + sep.data.len()..).unwrap_or(&[]).to_vec()),
        ],
        None if direction == Direction::Forward => vec![Value::Bytes(b.clone()), empty(), empty()],
        None => vec![empty(), empty(), Value::Bytes(b.clone())],
    };
    Ok(Value::tuple(parts))
}

fn partition(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    partition_impl(vm, args, "partition", Direction::Forward)
}

fn rpartition(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    partition_impl(vm, args, "rpartition", Direction::Backward)
}

fn join(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let b = receiver(vm, "join", args)?;
    let iterable = one_arg(vm, "bytes.join", args)?;
    let iterator = match vm.get_iter(&iterable) {
        Ok(it) => it,
        Err(Unwind::Exception(e)) if vm.is_exception(&e, ExcType::TypeError) => {
            return Err(vm.type_error("can only join an iterable"))
        }
        Err(other) => return Err(other),
    };
    let mut out = Vec::new();
    let mut index = 0usize;
    while let Some(item) = vm.next_value(&iterator)? {
        let Some(part) = super::bytearray::bytes_like(&item) else {
            let t = vm.type_name(&item);
            return Err(vm.type_error(format!(
                "sequence item {index}: expected a bytes-like object, {t} found"
            )));
        };
        if index > 0 {
            out.extend_from_slice(&b.data);
        }
        out.extend_from_slice(&part);
        check_len(vm, out.len())?;
        index += 1;
    }
    Ok(Value::bytes(out))
}

fn replace(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let b = receiver(vm, "replace", args)?;
    let a = positional(vm, "bytes.replace", args, 2, 3)?;
    let (Some(old), Some(new)) = (a.first(), a.get(1)) else {
        return Err(vm.type_error("replace expected at least 2 arguments"));
    };
    let old = bytes_arg(vm, old)?;
    let new = bytes_arg(vm, new)?;
    let limit = match a.get(2) {
        Some(v) => usize::try_from(ssize(vm, v)?).ok(),
        None => None,
    };
    let (data, old, new) = (&b.data, &old.data, &new.data);
    let mut out = Vec::with_capacity(data.len());
    let mut done = 0;
    if old.is_empty() {
        for &byte in data.iter() {
            if limit.is_none_or(|l| done < l) {
                out.extend_from_slice(new);
                done += 1;
            }
            out.push(byte);
        }
        if limit.is_none_or(|l| done < l) {
            out.extend_from_slice(new);
        }
    } else {
        let mut rest = data.as_slice();
        while limit.is_none_or(|l| done < l) {
            let Some(i) = find_sub(rest, old) else {
                break;
            };
            out.extend_from_slice(rest.get(..i).unwrap_or(&[]));
            out.extend_from_slice(new);
            rest = rest.get(i + old.len()..).unwrap_or(&[]);
            done += 1;
            check_len(vm, out.len())?;
        }
        out.extend_from_slice(rest);
    }
    check_len(vm, out.len())?;
    Ok(Value::bytes(out))
}

#[derive(Clone, Copy)]
enum Side {
    Both,
    Left,
    Right,
}

fn strip_impl(vm: &mut Vm, args: &mut Args, name: &str, side: Side) -> PyResult<Value> {
    let b = receiver(vm, name, args)?;
    let a = positional(vm, &format!("bytes.{name}"), args, 0, 1)?;
    let set = match a.first() {
        None | Some(Value::None) => None,
        Some(v) => Some(bytes_arg(vm, v)?),
    };
    let strip = |c: &u8| match &set {
        None => is_space(*c),
        Some(set) => set.data.contains(c),
    };
    let data = &b.data;
    let mut start = 0;
    let mut end = data.len();
    if matches!(side, Side::Both | Side::Left) {
        while data.get(start).is_some_and(&strip) {
            start += 1;
        }
    }
    if matches!(side, Side::Both | Side::Right) {
        while end > start && data.get(end - 1).is_some_and(&strip) {
            end -= 1;
        }
    }
    Ok(Value::bytes(data.get(start..end).unwrap_or(&[]).to_vec()))
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

fn remove_affix(vm: &mut Vm, args: &mut Args, name: &str, prefix: bool) -> PyResult<Value> {
    let b = receiver(vm, name, args)?;
    let affix = one_arg(vm, &format!("bytes.{name}"), args)?;
    let affix = bytes_arg(vm, &affix)?;
    let stripped = if prefix {
        b.data.strip_prefix(affix.data.as_slice())
    } else {
        b.data.strip_suffix(affix.data.as_slice())
    };
    Ok(match stripped {
        Some(rest) if !affix.data.is_empty() => Value::bytes(rest.to_vec()),
        _ => Value::Bytes(b),
    })
}

fn removeprefix(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    remove_affix(vm, args, "removeprefix", true)
}

fn removesuffix(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    remove_affix(vm, args, "removesuffix", false)
}

// ------------------------------------------------------- case, predicates

fn map_bytes(vm: &mut Vm, args: &mut Args, name: &str, f: fn(&[u8]) -> Vec<u8>) -> PyResult<Value> {
    let b = receiver(vm, name, args)?;
    no_args(vm, &format!("bytes.{name}"), args)?;
    Ok(Value::bytes(f(&b.data)))
}

fn upper(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    map_bytes(vm, args, "upper", |d| d.to_ascii_uppercase())
}

fn lower(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    map_bytes(vm, args, "lower", |d| d.to_ascii_lowercase())
}

fn swapcase(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    map_bytes(vm, args, "swapcase", |d| {
        d.iter()
            .map(|&c| {
                if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect()
    })
}

fn capitalize(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    map_bytes(vm, args, "capitalize", |d| {
        d.iter()
            .enumerate()
            .map(|(i, &c)| {
                if i == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

fn title(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    map_bytes(vm, args, "title", |d| {
        let mut previous_cased = false;
        d.iter()
            .map(|&c| {
                let out = if previous_cased {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                };
                previous_cased = c.is_ascii_alphabetic();
                out
            })
            .collect()
    })
}

fn predicate(vm: &mut Vm, args: &mut Args, name: &str, test: fn(&[u8]) -> bool) -> PyResult<Value> {
    let b = receiver(vm, name, args)?;
    no_args(vm, &format!("bytes.{name}"), args)?;
    Ok(Value::Bool(test(&b.data)))
}

fn isdigit(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isdigit", |d| {
        !d.is_empty() && d.iter().all(u8::is_ascii_digit)
    })
}

fn isalpha(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isalpha", |d| {
        !d.is_empty() && d.iter().all(u8::is_ascii_alphabetic)
    })
}

fn isalnum(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isalnum", |d| {
        !d.is_empty() && d.iter().all(u8::is_ascii_alphanumeric)
    })
}

fn isspace(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isspace", |d| {
        !d.is_empty() && d.iter().all(|&c| is_space(c))
    })
}

fn isascii(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isascii", |d| d.is_ascii())
}

fn isupper(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "isupper", |d| {
        d.iter().any(u8::is_ascii_uppercase) && !d.iter().any(u8::is_ascii_lowercase)
    })
}

fn islower(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "islower", |d| {
        d.iter().any(u8::is_ascii_lowercase) && !d.iter().any(u8::is_ascii_uppercase)
    })
}

fn istitle(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    predicate(vm, args, "istitle", |d| {
        let (mut cased, mut previous_cased) = (false, false);
        for &c in d {
            if c.is_ascii_uppercase() {
                if previous_cased {
                    return false;
                }
                previous_cased = true;
                cased = true;
            } else if c.is_ascii_lowercase() {
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
    })
}

// -------------------------------------------------------------- padding

fn pad_impl(vm: &mut Vm, args: &mut Args, name: &str) -> PyResult<Value> {
    let b = receiver(vm, name, args)?;
    let a = positional(vm, &format!("bytes.{name}"), args, 1, 2)?;
    let width = match a.first() {
        Some(w) => ssize(vm, w)?,
        None => 0,
    };
    let fill = match a.get(1) {
        None => b' ',
        Some(v) => match v.unwrap_builtin() {
            Value::Bytes(f) if f.data.len() == 1 => f.data.first().copied().unwrap_or(b' '),
            _ => {
                let t = vm.type_name(v);
                return Err(vm.type_error(format!(
                    "{name}() argument 2 must be a byte string of length 1, not {t}"
                )));
            }
        },
    };
    let width = usize::try_from(width).unwrap_or(0);
    let len = b.data.len();
    if width <= len {
        return Ok(Value::Bytes(b));
    }
    check_len(vm, width)?;
    let pad = width - len;
    let left = match name {
        "ljust" => 0,
        "rjust" => pad,
        _ => pad / 2 + (pad & width & 1),
    };
    let mut out = vec![fill; left];
    out.extend_from_slice(&b.data);
    out.resize(width, fill);
    Ok(Value::bytes(out))
}

fn center(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    pad_impl(vm, args, "center")
}

fn ljust(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    pad_impl(vm, args, "ljust")
}

fn rjust(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    pad_impl(vm, args, "rjust")
}

fn zfill(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let b = receiver(vm, "zfill", args)?;
    let width = one_arg(vm, "bytes.zfill", args)?;
    let width = usize::try_from(ssize(vm, &width)?).unwrap_or(0);
    let data = &b.data;
    if width <= data.len() {
        return Ok(Value::Bytes(b));
    }
    check_len(vm, width)?;
    let zeros = width - data.len();
    let mut out = Vec::with_capacity(width);
    let rest = match data.first() {
        Some(&sign @ (b'+' | b'-')) => {
            out.push(sign);
            data.get(1..).unwrap_or(&[])
        }
        _ => data.as_slice(),
    };
    out.extend(std::iter::repeat_n(b'0', zeros));
    out.extend_from_slice(rest);
    Ok(Value::bytes(out))
}

// ------------------------------------------------------ decode, hex

fn decode(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let b = receiver(vm, "decode", args)?;
    let (encoding, errors) = codecs::codec_args(vm, "decode", args)?;
    let text = codecs::decode(vm, &b.data, &encoding, &errors)?;
    Ok(Value::string(text))
}

/// `bytes.hex(sep=None, bytes_per_sep=1)`: groups counted from the right
/// for positive `bytes_per_sep`, from the left for negative.
fn hex(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let b = receiver(vm, "hex", args)?;
    let a = keywords(vm, "hex", args, &["sep", "bytes_per_sep"])?;
    let sep = match a.first().and_then(|v| v.as_ref()) {
        None => None,
        Some(v) => {
            let sep: Vec<char> = match v.unwrap_builtin() {
                Value::Str(s) => s.as_str().chars().collect(),
                Value::Bytes(s) => s.data.iter().map(|&c| c as char).collect(),
                _ => {
                    let t = vm.type_name(v);
                    return Err(vm.type_error(format!("object of type '{t}' has no len()")));
                }
            };
            match sep.as_slice() {
                [c] if c.is_ascii() => Some(*c),
                [_] => {
                    return Err(vm.error(ExcType::ValueError, "sep must be ASCII."));
                }
                _ => return Err(vm.error(ExcType::ValueError, "sep must be length 1.")),
            }
        }
    };
    let per = match a.get(1).and_then(|v| v.as_ref()) {
        Some(v) => ssize(vm, v)?,
        None => 1,
    };
    let data = &b.data;
    let mut out = String::with_capacity(data.len() * 3);
    let group = usize::try_from(per.unsigned_abs())
        .unwrap_or(usize::MAX)
        .max(1);
    for (i, byte) in data.iter().enumerate() {
        if let Some(sep) = sep {
            if i > 0 && per != 0 {
                let boundary = if per > 0 {
                    (data.len() - i) % group == 0
                } else {
                    i % group == 0
                };
                if boundary {
                    out.push(sep);
                }
            }
        }
        out.push_str(&format!("{byte:02x}"));
    }
    Ok(Value::string(out))
}

/// `bytes.fromhex(string)` (a static method here; CPython's is a class
/// method, which only differs for subclasses of bytes).
fn fromhex(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let arg = one_arg(vm, "bytes.fromhex", args)?;
    let Value::Str(s) = arg.unwrap_builtin() else {
        let t = vm.type_name(&arg);
        return Err(vm.type_error(format!("fromhex() argument must be str, not {t}")));
    };
    let chars: Vec<char> = s.as_str().chars().collect();
    let mut out = Vec::with_capacity(chars.len() / 2);
    let mut i = 0;
    let bad = |vm: &mut Vm, at: usize| {
        vm.error(
            ExcType::ValueError,
            format!("non-hexadecimal number found in fromhex() arg at position {at}"),
        )
    };
    while let Some(&c) = chars.get(i) {
        if c.is_ascii_whitespace() || c == '\x0b' {
            i += 1;
            continue;
        }
        let Some(high) = c.to_digit(16) else {
            return Err(bad(vm, i));
        };
        let Some(low) = chars.get(i + 1).and_then(|c| c.to_digit(16)) else {
            return Err(bad(vm, i + 1));
        };
        out.push((high * 16 + low) as u8);
        i += 2;
    }
    Ok(Value::bytes(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by CPython 3.11.
    #[test]
    fn splitting_matches_cpython() {
        assert_eq!(
            split_whitespace(b"  a  b ", None, Direction::Forward),
            [b"a".as_slice(), b"b"]
        );
        assert_eq!(
            split_whitespace(b"  a  b c ", Some(1), Direction::Backward),
            [b"  a  b".as_slice(), b"c"]
        );
        assert_eq!(
            split_on(b"a,b,,c", b",", Some(2), Direction::Forward),
            [b"a".as_slice(), b"b", b",c"]
        );
        assert_eq!(
            split_on(b"a,b,,c", b",", Some(1), Direction::Backward),
            [b"a,b,".as_slice(), b"c"]
        );
        assert_eq!(count_sub(b"aaaa", b"aa"), 2);
        assert_eq!(find_in(b"abc", b"", 10, i64::MAX, Direction::Backward), -1);
        assert!(tail_match(b"abc", b"bc", 0, i64::MAX, Direction::Backward));
    }
}
