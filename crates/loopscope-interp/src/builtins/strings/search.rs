//! `str` methods that search and cut: `find`/`rfind`/`index`/`rindex`/
//! `count`, `startswith`/`endswith`, `split`/`rsplit`/`splitlines`,
//! `partition`/`rpartition`, `replace`, `join`, `removeprefix`/
//! `removesuffix`. Start/end arguments are code point indices clipped
//! the way CPython's `ADJUST_INDICES` does.

use std::rc::Rc;

use super::{check_len, keywords, one_arg, positional, receiver, ssize, str_arg, varargs};
use crate::builtins::add_methods;
use crate::text;
use crate::value::{Args, NativeFnPtr, PyResult, PyStr, Unwind, Value};
use crate::vm::{ExcType, Vm};

pub fn install(vm: &mut Vm) {
    let methods: &[(&str, NativeFnPtr)] = &[
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
        ("replace", replace),
        ("join", join),
        ("removeprefix", removeprefix),
        ("removesuffix", removesuffix),
    ];
    add_methods(&vm.types.str_, "str", methods);
}

/// A start/end argument: None for the default, ints (big ones saturate)
/// or objects with `__index__` (CPython `_PyEval_SliceIndex`).
pub(crate) fn slice_arg(vm: &mut Vm, v: Option<&Value>, default: i64) -> PyResult<i64> {
    let Some(v) = v else {
        return Ok(default);
    };
    match v.unwrap_builtin() {
        Value::None => Ok(default),
        Value::Int(i) => Ok(i),
        Value::Bool(b) => Ok(b as i64),
        Value::BigInt(b) => Ok(if b.sign() == num_bigint::Sign::Minus {
            i64::MIN
        } else {
            i64::MAX
        }),
        _ => {
            if vm.class_of(v).lookup("__index__").is_some() {
                return vm.to_index(v);
            }
            Err(vm.type_error("slice indices must be integers or None or have an __index__ method"))
        }
    }
}

/// CPython's `ADJUST_INDICES`: negative indices count from the end, then
/// both are clipped to `0..=len` (start may stay beyond the end).
pub(crate) fn adjust(start: i64, end: i64, len: usize) -> (i64, i64) {
    let len = len as i64;
    let end = if end > len {
        len
    } else if end < 0 {
        (end.saturating_add(len)).max(0)
    } else {
        end
    };
    let start = if start < 0 {
        (start.saturating_add(len)).max(0)
    } else {
        start
    };
    (start, end)
}

/// Code point index → byte offset, for an index known to be in range.
fn byte_at(s: &PyStr, index: i64) -> usize {
    s.byte_offset(usize::try_from(index).unwrap_or(0))
}

fn char_count(s: &str) -> i64 {
    s.chars().count() as i64
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Forward,
    Backward,
}

/// The index of `sub` in `s[start:end]` (CPython `any_find_slice`).
fn find_in(s: &PyStr, sub: &PyStr, start: i64, end: i64, direction: Direction) -> i64 {
    let (start, end) = adjust(start, end, s.char_len());
    if end - start < sub.char_len() as i64 {
        return -1;
    }
    let (b0, b1) = (byte_at(s, start), byte_at(s, end));
    let hay = s.as_str().get(b0..b1).unwrap_or("");
    let found = match direction {
        Direction::Forward => hay.find(sub.as_str()),
        Direction::Backward => hay.rfind(sub.as_str()),
    };
    match found {
        Some(b) => start + char_count(hay.get(..b).unwrap_or("")),
        None => -1,
    }
}

/// `(sub, start, end)` of the find family.
fn find_args(
    vm: &mut Vm,
    name: &str,
    args: &mut Args,
) -> PyResult<(Rc<PyStr>, Rc<PyStr>, i64, i64)> {
    let s = receiver(vm, name, args)?;
    let a = varargs(vm, &format!("str.{name}"), args, 1, 3)?;
    let sub = match a.first() {
        Some(v) => str_arg(vm, v, "")?,
        None => return Err(vm.type_error(format!("{name}() takes at least 1 argument (0 given)"))),
    };
    let start = slice_arg(vm, a.get(1), 0)?;
    let end = slice_arg(vm, a.get(2), i64::MAX)?;
    Ok((s, sub, start, end))
}

fn find(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, sub, start, end) = find_args(vm, "find", args)?;
    Ok(Value::Int(find_in(
        &s,
        &sub,
        start,
        end,
        Direction::Forward,
    )))
}

fn rfind(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, sub, start, end) = find_args(vm, "rfind", args)?;
    Ok(Value::Int(find_in(
        &s,
        &sub,
        start,
        end,
        Direction::Backward,
    )))
}

fn index(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, sub, start, end) = find_args(vm, "index", args)?;
    match find_in(&s, &sub, start, end, Direction::Forward) {
        -1 => Err(vm.error(ExcType::ValueError, "substring not found")),
        i => Ok(Value::Int(i)),
    }
}

fn rindex(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, sub, start, end) = find_args(vm, "rindex", args)?;
    match find_in(&s, &sub, start, end, Direction::Backward) {
        -1 => Err(vm.error(ExcType::ValueError, "substring not found")),
        i => Ok(Value::Int(i)),
    }
}

fn count(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (s, sub, start, end) = find_args(vm, "count", args)?;
    let (start, end) = adjust(start, end, s.char_len());
    if end - start < sub.char_len() as i64 {
        return Ok(Value::Int(0));
    }
    if sub.char_len() == 0 {
        return Ok(Value::Int(end - start + 1));
    }
    let hay = s
        .as_str()
        .get(byte_at(&s, start)..byte_at(&s, end))
        .unwrap_or("");
    Ok(Value::Int(hay.matches(sub.as_str()).count() as i64))
}

/// Does `s[start:end]` start (or end) with `sub` (CPython `tailmatch`)?
fn tail_match(s: &PyStr, sub: &PyStr, start: i64, end: i64, direction: Direction) -> bool {
    let (start, end) = adjust(start, end, s.char_len());
    let sub_len = sub.char_len() as i64;
    let end = end - sub_len;
    if end < start {
        return false;
    }
    if sub_len == 0 {
        return true;
    }
    let at = if direction == Direction::Forward {
        start
    } else {
        end
    };
    let b0 = byte_at(s, at);
    let b1 = byte_at(s, at + sub_len);
    s.as_str().get(b0..b1) == Some(sub.as_str())
}

fn starts_or_ends(
    vm: &mut Vm,
    args: &mut Args,
    name: &str,
    direction: Direction,
) -> PyResult<Value> {
    let s = receiver(vm, name, args)?;
    let a = varargs(vm, &format!("str.{name}"), args, 1, 3)?;
    let Some(prefix) = a.first() else {
        return Err(vm.type_error(format!("{name}() takes at least 1 argument (0 given)")));
    };
    let start = slice_arg(vm, a.get(1), 0)?;
    let end = slice_arg(vm, a.get(2), i64::MAX)?;
    if let Value::Tuple(t) = prefix.unwrap_builtin() {
        for item in &t.items {
            let Value::Str(sub) = item.unwrap_builtin() else {
                let t = vm.type_name(item);
                return Err(
                    vm.type_error(format!("tuple for {name} must only contain str, not {t}"))
                );
            };
            if tail_match(&s, &sub, start, end, direction) {
                return Ok(Value::Bool(true));
            }
        }
        return Ok(Value::Bool(false));
    }
    let Value::Str(sub) = prefix.unwrap_builtin() else {
        let t = vm.type_name(prefix);
        return Err(vm.type_error(format!(
            "{name} first arg must be str or a tuple of str, not {t}"
        )));
    };
    Ok(Value::Bool(tail_match(&s, &sub, start, end, direction)))
}

fn startswith(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    starts_or_ends(vm, args, "startswith", Direction::Forward)
}

fn endswith(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    starts_or_ends(vm, args, "endswith", Direction::Backward)
}

fn str_list(parts: Vec<&str>) -> Value {
    Value::list(parts.into_iter().map(Value::str).collect())
}

fn split_impl(vm: &mut Vm, args: &mut Args, name: &str, direction: Direction) -> PyResult<Value> {
    let s = receiver(vm, name, args)?;
    let a = keywords(vm, name, args, &["sep", "maxsplit"])?;
    let sep = match a.first().and_then(|v| v.as_ref()) {
        None => None,
        Some(v) => match v.unwrap_builtin() {
            Value::None => None,
            Value::Str(sep) => Some(sep),
            _ => {
                let t = vm.type_name(v);
                return Err(vm.type_error(format!("must be str or None, not {t}")));
            }
        },
    };
    let maxsplit = match a.get(1).and_then(|v| v.as_ref()) {
        Some(v) => ssize(vm, v)?,
        None => -1,
    };
    let maxsplit = usize::try_from(maxsplit).ok();
    let text = s.as_str();
    let parts = match (&sep, direction) {
        (None, Direction::Forward) => text::split_whitespace(text, maxsplit),
        (None, Direction::Backward) => text::rsplit_whitespace(text, maxsplit),
        (Some(sep), _) if sep.as_str().is_empty() => {
            return Err(vm.error(ExcType::ValueError, "empty separator"))
        }
        (Some(sep), Direction::Forward) => text::split_on(text, sep.as_str(), maxsplit),
        (Some(sep), Direction::Backward) => text::rsplit_on(text, sep.as_str(), maxsplit),
    };
    Ok(str_list(parts))
}

fn split(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    split_impl(vm, args, "split", Direction::Forward)
}

fn rsplit(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    split_impl(vm, args, "rsplit", Direction::Backward)
}

fn splitlines(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "splitlines", args)?;
    let a = keywords(vm, "splitlines", args, &["keepends"])?;
    let keep = match a.first().and_then(|v| v.as_ref()) {
        Some(v) => ssize(vm, v)? != 0,
        None => false,
    };
    Ok(str_list(text::splitlines(s.as_str(), keep)))
}

fn partition_impl(
    vm: &mut Vm,
    args: &mut Args,
    name: &str,
    direction: Direction,
) -> PyResult<Value> {
    let s = receiver(vm, name, args)?;
    let sep = one_arg(vm, &format!("str.{name}"), args)?;
    let sep = str_arg(vm, &sep, "")?;
    if sep.as_str().is_empty() {
        return Err(vm.error(ExcType::ValueError, "empty separator"));
    }
    let text = s.as_str();
    let found = match direction {
        Direction::Forward => text.find(sep.as_str()),
        Direction::Backward => text.rfind(sep.as_str()),
    };
    let parts = match found {
        Some(b) => vec![
            Value::str(text.get(..b).unwrap_or("")),
            Value::Str(sep.clone()),
            Value::str(text.get(b + sep.as_str().len()..).unwrap_or("")),
        ],
        None if direction == Direction::Forward => {
            vec![Value::Str(s.clone()), Value::str(""), Value::str("")]
        }
        None => vec![Value::str(""), Value::str(""), Value::Str(s.clone())],
    };
    Ok(Value::tuple(parts))
}

fn partition(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    partition_impl(vm, args, "partition", Direction::Forward)
}

fn rpartition(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    partition_impl(vm, args, "rpartition", Direction::Backward)
}

fn replace(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "replace", args)?;
    let a = positional(vm, "str.replace", args, 2, 3)?;
    let mut strs = Vec::with_capacity(2);
    for (i, v) in a.iter().take(2).enumerate() {
        match v.unwrap_builtin() {
            Value::Str(x) => strs.push(x),
            _ => {
                let t = vm.type_name(v);
                return Err(
                    vm.type_error(format!("replace() argument {} must be str, not {t}", i + 1))
                );
            }
        }
    }
    let (Some(old), Some(new)) = (strs.first(), strs.get(1)) else {
        return Err(vm.type_error("replace expected at least 2 arguments"));
    };
    let limit = match a.get(2) {
        Some(v) => ssize(vm, v)?,
        None => -1,
    };
    let text = s.as_str();
    let (old, new) = (old.as_str(), new.as_str());
    let found = if old.is_empty() {
        s.char_len() + 1
    } else {
        text.matches(old).count()
    };
    let n = match usize::try_from(limit) {
        Ok(limit) => found.min(limit),
        Err(_) => found,
    };
    if n == 0 {
        return Ok(Value::Str(s));
    }
    let grown = n.saturating_mul(new.len());
    check_len(vm, text.len().saturating_add(grown))?;
    Ok(Value::string(text.replacen(old, new, n)))
}

fn join(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "join", args)?;
    let iterable = one_arg(vm, "str.join", args)?;
    let iterator = match vm.get_iter(&iterable) {
        Ok(it) => it,
        Err(Unwind::Exception(e)) if vm.is_exception(&e, ExcType::TypeError) => {
            return Err(vm.type_error("can only join an iterable"))
        }
        Err(other) => return Err(other),
    };
    let mut out = String::new();
    let mut index = 0usize;
    while let Some(item) = vm.next_value(&iterator)? {
        let Value::Str(part) = item.unwrap_builtin() else {
            let t = vm.type_name(&item);
            return Err(vm.type_error(format!(
                "sequence item {index}: expected str instance, {t} found"
            )));
        };
        if index > 0 {
            out.push_str(s.as_str());
        }
        out.push_str(part.as_str());
        check_len(vm, out.len())?;
        index += 1;
    }
    Ok(Value::string(out))
}

fn remove_affix(vm: &mut Vm, args: &mut Args, name: &str, direction: Direction) -> PyResult<Value> {
    let s = receiver(vm, name, args)?;
    let affix = one_arg(vm, &format!("str.{name}"), args)?;
    let Value::Str(affix) = affix.unwrap_builtin() else {
        let t = vm.type_name(&affix);
        return Err(vm.type_error(format!("{name}() argument must be str, not {t}")));
    };
    let text = s.as_str();
    let stripped = match direction {
        Direction::Forward => text.strip_prefix(affix.as_str()),
        Direction::Backward => text.strip_suffix(affix.as_str()),
    };
    Ok(match stripped {
        Some(rest) if !affix.as_str().is_empty() => Value::str(rest),
        _ => Value::Str(s),
    })
}

fn removeprefix(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    remove_affix(vm, args, "removeprefix", Direction::Forward)
}

fn removesuffix(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    remove_affix(vm, args, "removesuffix", Direction::Backward)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by CPython 3.11.
    #[test]
    fn find_clips_like_cpython() {
        let s = PyStr::new("привет мир");
        let sub = |t: &str| PyStr::new(t);
        assert_eq!(find_in(&s, &sub("мир"), 0, i64::MAX, Direction::Forward), 7);
        assert_eq!(find_in(&s, &sub("и"), 0, i64::MAX, Direction::Backward), 8);
        assert_eq!(find_in(&s, &sub("и"), -3, i64::MAX, Direction::Forward), 8);
        assert_eq!(find_in(&s, &sub(""), 10, i64::MAX, Direction::Forward), 10);
        assert_eq!(find_in(&s, &sub(""), 11, i64::MAX, Direction::Forward), -1);
        assert_eq!(find_in(&s, &sub(""), 0, i64::MAX, Direction::Backward), 10);
        assert!(tail_match(
            &s,
            &sub("прив"),
            0,
            i64::MAX,
            Direction::Forward
        ));
        assert!(tail_match(&s, &sub("ет"), 0, 6, Direction::Backward));
        assert!(!tail_match(
            &PyStr::new(""),
            &sub(""),
            1,
            i64::MAX,
            Direction::Forward
        ));
        assert_eq!(adjust(-100, -1, 5), (0, 4));
    }
}
