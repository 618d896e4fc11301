//! `re.Pattern` and `re.Match` objects: the methods of CPython's
//! `Modules/_sre/sre.c` (`pattern_match`, `pattern_findall`,
//! `pattern_subx`, `pattern_split`, `match_group`, ...) with their
//! argument handling, empty-match rules and reprs.

use std::rc::Rc;

use super::engine::{MatchResult, Matcher, Mode};
use super::template::{parse_template, Piece, TemplateError};
use super::{charge, parse_error, re_class, step_limit, text_of, Compiled, ReClasses};
use crate::builtins::with_native;
use crate::modules::support::{getter, iterator_object, NativeIterator};
use crate::value::{Args, Class, PyResult, Unwind, Value};
use crate::vm::{ExcType, Vm};

/// The state of a `re.Pattern` object.
pub struct PatternData {
    pub compiled: Rc<Compiled>,
    pub classes: Rc<ReClasses>,
}

/// What the matches of one call share: the pattern, the subject and
/// the bounds searched.
#[derive(Clone)]
struct Source {
    pattern: Value,
    compiled: Rc<Compiled>,
    classes: Rc<ReClasses>,
    string: Value,
    text: Rc<Vec<char>>,
    pos: usize,
    endpos: usize,
}

/// The state of a `re.Match` object.
pub struct MatchData {
    compiled: Rc<Compiled>,
    classes: Rc<ReClasses>,
    pattern: Value,
    string: Value,
    text: Rc<Vec<char>>,
    result: MatchResult,
    pos: usize,
    endpos: usize,
}

pub fn pattern_class(vm: &Vm) -> Rc<Class> {
    let class = re_class(
        vm,
        "Pattern",
        &[
            ("match", pattern_match),
            ("fullmatch", pattern_fullmatch),
            ("search", pattern_search),
            ("findall", pattern_findall),
            ("finditer", pattern_finditer),
            ("sub", pattern_sub),
            ("subn", pattern_subn),
            ("split", pattern_split),
            ("__repr__", pattern_repr),
            ("__eq__", pattern_eq),
            ("__hash__", pattern_hash),
            ("__copy__", same_object),
            ("__deepcopy__", same_object),
        ],
    );
    let properties = [
        ("pattern", getter(vm, "pattern", pattern_pattern)),
        ("flags", getter(vm, "flags", pattern_flags)),
        ("groups", getter(vm, "groups", pattern_groups)),
        ("groupindex", getter(vm, "groupindex", pattern_groupindex)),
    ];
    let mut dict = class.dict.borrow_mut();
    for (name, value) in properties {
        dict.set(name, value);
    }
    drop(dict);
    class
}

pub fn match_class(vm: &Vm) -> Rc<Class> {
    let class = re_class(
        vm,
        "Match",
        &[
            ("group", match_group),
            ("groups", match_groups),
            ("groupdict", match_groupdict),
            ("start", match_start),
            ("end", match_end),
            ("span", match_span),
            ("expand", match_expand),
            ("__getitem__", match_getitem),
            ("__repr__", match_repr),
            ("__copy__", same_object),
            ("__deepcopy__", same_object),
        ],
    );
    let properties = [
        ("string", getter(vm, "string", match_string)),
        ("re", getter(vm, "re", match_re)),
        ("pos", getter(vm, "pos", match_pos)),
        ("endpos", getter(vm, "endpos", match_endpos)),
        ("lastindex", getter(vm, "lastindex", match_lastindex)),
        ("lastgroup", getter(vm, "lastgroup", match_lastgroup)),
        ("regs", getter(vm, "regs", match_regs)),
    ];
    let mut dict = class.dict.borrow_mut();
    for (name, value) in properties {
        dict.set(name, value);
    }
    drop(dict);
    class
}

pub fn is_pattern(v: &Value) -> bool {
    with_native::<PatternData, _>(v, |_| ()).is_some()
}

pub fn new_pattern(vm: &Vm, classes: &Rc<ReClasses>, compiled: Rc<Compiled>) -> Value {
    super::new_object(
        vm,
        &classes.pattern,
        PatternData {
            compiled,
            classes: classes.clone(),
        },
    )
}

fn same_object(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__copy__", args)?;
    Ok(this)
}

// ------------------------------------------------------------ helpers

/// The receiver of a Pattern method with its state.
fn pattern_receiver(
    vm: &mut Vm,
    fname: &str,
    args: &mut Args,
) -> PyResult<(Value, Rc<Compiled>, Rc<ReClasses>)> {
    let this = vm.receiver(fname, args)?;
    match with_native::<PatternData, _>(&this, |d| (d.compiled.clone(), d.classes.clone())) {
        Some((compiled, classes)) => Ok((this, compiled, classes)),
        None => {
            let t = vm.type_name(&this);
            Err(vm.type_error(format!(
                "descriptor '{fname}' for 're.Pattern' objects doesn't apply to a '{t}' object"
            )))
        }
    }
}

/// The subject's code points, checked against the pattern's kind.
fn subject(vm: &mut Vm, compiled: &Compiled, string: &Value) -> PyResult<Rc<Vec<char>>> {
    match text_of(string) {
        Some((chars, is_text)) => {
            if is_text && !compiled.is_text {
                return Err(vm.type_error("cannot use a bytes pattern on a string-like object"));
            }
            if !is_text && compiled.is_text {
                return Err(vm.type_error("cannot use a string pattern on a bytes-like object"));
            }
            Ok(Rc::new(chars))
        }
        None => {
            let t = vm.type_name(string);
            Err(vm.type_error(format!("expected string or bytes-like object, got '{t}'")))
        }
    }
}

/// `pos`/`endpos` clamped to the string as sre's `state_init` does.
fn bounds(
    vm: &mut Vm,
    pos: Option<&Value>,
    endpos: Option<&Value>,
    len: usize,
) -> PyResult<(usize, usize)> {
    let clamp = |i: i64| -> usize {
        if i < 0 {
            0
        } else {
            usize::try_from(i).unwrap_or(usize::MAX).min(len)
        }
    };
    let start = match pos {
        Some(v) => clamp(vm.to_index(v)?),
        None => 0,
    };
    let end = match endpos {
        Some(v) => clamp(vm.to_index(v)?),
        None => len,
    };
    Ok((start, end))
}

/// A `str` or `bytes` slice of the subject.
fn slice(text: &[char], a: usize, b: usize, is_text: bool) -> Value {
    let part = text.get(a..b.max(a)).unwrap_or(&[]);
    if is_text {
        Value::string(part.iter().collect())
    } else {
        Value::bytes(part.iter().map(|&c| c as u32 as u8).collect())
    }
}

fn empty(is_text: bool) -> Value {
    if is_text {
        Value::str("")
    } else {
        Value::bytes(Vec::new())
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Match,
    FullMatch,
    Search,
}

fn new_match(vm: &Vm, source: &Source, result: MatchResult) -> Value {
    super::new_object(
        vm,
        &source.classes.match_,
        MatchData {
            compiled: source.compiled.clone(),
            classes: source.classes.clone(),
            pattern: source.pattern.clone(),
            string: source.string.clone(),
            text: source.text.clone(),
            result,
            pos: source.pos,
            endpos: source.endpos,
        },
    )
}

fn single_match(vm: &mut Vm, args: &mut Args, fname: &str, kind: Kind) -> PyResult<Value> {
    let (this, compiled, classes) = pattern_receiver(vm, fname, args)?;
    let a = vm.parse_args(fname, args, &["string", "pos", "endpos"], 1)?;
    let string = a[0].clone().unwrap_or(Value::None);
    let text = subject(vm, &compiled, &string)?;
    let (pos, endpos) = bounds(vm, a[1].as_ref(), a[2].as_ref(), text.len())?;
    let limit = step_limit(vm);
    let mut m = Matcher::new(&compiled.program, &text, endpos, compiled.groups + 1, limit);
    let r = match kind {
        Kind::Match => m.match_at(pos, Mode::default()),
        Kind::FullMatch => m.match_at(
            pos,
            Mode {
                match_all: true,
                must_advance: false,
            },
        ),
        Kind::Search => m.search(pos, false),
    };
    let steps = m.steps;
    let found = charge(vm, steps, r)?;
    Ok(match found {
        Some(result) => {
            let source = Source {
                pattern: this,
                compiled,
                classes,
                string,
                text,
                pos,
                endpos,
            };
            new_match(vm, &source, result)
        }
        None => Value::None,
    })
}

pub fn pattern_match(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    single_match(vm, args, "match", Kind::Match)
}

pub fn pattern_fullmatch(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    single_match(vm, args, "fullmatch", Kind::FullMatch)
}

pub fn pattern_search(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    single_match(vm, args, "search", Kind::Search)
}

/// Successive non-overlapping matches (sre's loop in `findall`,
/// `finditer`, `sub` and `split`): after an empty match the next one must
/// not be empty at the same place.
struct Scan {
    pos: usize,
    must_advance: bool,
    done: bool,
}

impl Scan {
    fn new(pos: usize) -> Self {
        Scan {
            pos,
            must_advance: false,
            done: false,
        }
    }

    fn next(
        &mut self,
        vm: &mut Vm,
        compiled: &Compiled,
        text: &[char],
        endpos: usize,
    ) -> PyResult<Option<MatchResult>> {
        if self.done || self.pos > endpos {
            self.done = true;
            return Ok(None);
        }
        let limit = step_limit(vm);
        let mut m = Matcher::new(&compiled.program, text, endpos, compiled.groups + 1, limit);
        let r = m.search(self.pos, self.must_advance);
        let steps = m.steps;
        let found = charge(vm, steps, r)?;
        match &found {
            Some(result) => {
                self.must_advance = result.end == result.start;
                self.pos = result.end;
            }
            None => self.done = true,
        }
        Ok(found)
    }
}

/// Group `g` of a result as a value (`default` when it did not match).
fn group_value(
    text: &[char],
    result: &MatchResult,
    g: usize,
    is_text: bool,
    default: &Value,
) -> Value {
    match result.span(g) {
        Some((a, b)) => slice(text, a, b, is_text),
        None => default.clone(),
    }
}

pub fn pattern_findall(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, compiled, _) = pattern_receiver(vm, "findall", args)?;
    let a = vm.parse_args("findall", args, &["string", "pos", "endpos"], 1)?;
    let string = a[0].clone().unwrap_or(Value::None);
    let text = subject(vm, &compiled, &string)?;
    let (pos, endpos) = bounds(vm, a[1].as_ref(), a[2].as_ref(), text.len())?;
    let is_text = compiled.is_text;
    let empty = empty(is_text);
    let mut scan = Scan::new(pos);
    let mut out = Vec::new();
    while let Some(result) = scan.next(vm, &compiled, &text, endpos)? {
        let item = match compiled.groups {
            0 => slice(&text, result.start, result.end, is_text),
            1 => group_value(&text, &result, 1, is_text, &empty),
            n => Value::tuple(
                (1..=n)
                    .map(|g| group_value(&text, &result, g, is_text, &empty))
                    .collect(),
            ),
        };
        out.push(item);
    }
    Ok(Value::list(out))
}

/// The iterator `finditer` returns.
struct MatchIter {
    source: Source,
    scan: Scan,
}

impl NativeIterator for MatchIter {
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>> {
        let source = &self.source;
        match self
            .scan
            .next(vm, &source.compiled, &source.text, source.endpos)?
        {
            Some(result) => Ok(Some(new_match(vm, source, result))),
            None => Ok(None),
        }
    }
}

pub fn pattern_finditer(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, compiled, classes) = pattern_receiver(vm, "finditer", args)?;
    let a = vm.parse_args("finditer", args, &["string", "pos", "endpos"], 1)?;
    let string = a[0].clone().unwrap_or(Value::None);
    let text = subject(vm, &compiled, &string)?;
    let (pos, endpos) = bounds(vm, a[1].as_ref(), a[2].as_ref(), text.len())?;
    let iterator = classes.iterator.clone();
    let state = MatchIter {
        source: Source {
            pattern: this,
            compiled,
            classes,
            string,
            text,
            pos,
            endpos,
        },
        scan: Scan::new(pos),
    };
    Ok(iterator_object(vm, &iterator, Box::new(state)))
}

pub fn pattern_split(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, compiled, _) = pattern_receiver(vm, "split", args)?;
    let a = vm.parse_args("split", args, &["string", "maxsplit"], 1)?;
    let string = a[0].clone().unwrap_or(Value::None);
    let maxsplit = match &a[1] {
        Some(v) => vm.to_index(v)?,
        None => 0,
    };
    let text = subject(vm, &compiled, &string)?;
    let is_text = compiled.is_text;
    let mut out = Vec::new();
    let mut last = 0;
    let mut n: i64 = 0;
    let mut scan = Scan::new(0);
    while maxsplit == 0 || n < maxsplit {
        let Some(result) = scan.next(vm, &compiled, &text, text.len())? else {
            break;
        };
        out.push(slice(&text, last, result.start, is_text));
        for g in 1..=compiled.groups {
            out.push(group_value(&text, &result, g, is_text, &Value::None));
        }
        n += 1;
        last = result.end;
    }
    out.push(slice(&text, last, text.len(), is_text));
    Ok(Value::list(out))
}

/// What replaces each match in `sub`.
enum Replacement {
    Literal(Value),
    Template(Vec<Piece>),
    Call(Value),
}

/// Raises the error a template parse gave.
fn template_error(
    vm: &mut Vm,
    classes: &ReClasses,
    error: TemplateError,
    template: &Value,
) -> Unwind {
    match error {
        TemplateError::Parse(e) => parse_error(vm, classes, e, template),
        TemplateError::UnknownName(msg) => vm.error(ExcType::IndexError, msg),
    }
}

fn parse_replacement(
    vm: &mut Vm,
    compiled: &Compiled,
    classes: &ReClasses,
    repl: &Value,
) -> PyResult<Vec<Piece>> {
    let Some((chars, is_text)) = text_of(repl) else {
        let t = vm.type_name(repl);
        return Err(vm.type_error(format!(
            "decoding to str: need a bytes-like object, {t} found"
        )));
    };
    parse_template(&chars, is_text, compiled.groups, &compiled.names)
        .map_err(|e| template_error(vm, classes, e, repl))
}

/// Expands a parsed template for one match.
fn expand(pieces: &[Piece], text: &[char], result: &MatchResult, is_text: bool) -> Value {
    if is_text {
        let mut out = String::new();
        for piece in pieces {
            match piece {
                Piece::Literal(s) => out.push_str(s),
                Piece::Group(g) => {
                    if let Some((a, b)) = result.span(*g) {
                        out.extend(text.get(a..b).unwrap_or(&[]).iter());
                    }
                }
            }
        }
        Value::string(out)
    } else {
        let mut out = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Literal(s) => out.extend(s.chars().map(|c| c as u32 as u8)),
                Piece::Group(g) => {
                    if let Some((a, b)) = result.span(*g) {
                        out.extend(
                            text.get(a..b)
                                .unwrap_or(&[])
                                .iter()
                                .map(|&c| c as u32 as u8),
                        );
                    }
                }
            }
        }
        Value::bytes(out)
    }
}

/// The output of `sub`: pieces joined as `str.join`/`bytes.join` would,
/// with their type error for a wrong item.
struct Joined {
    is_text: bool,
    text: String,
    bytes: Vec<u8>,
    items: usize,
}

impl Joined {
    fn push_slice(&mut self, chars: &[char]) {
        if self.is_text {
            self.text.extend(chars.iter());
        } else {
            self.bytes.extend(chars.iter().map(|&c| c as u32 as u8));
        }
        self.items += 1;
    }

    fn push_value(&mut self, vm: &mut Vm, v: &Value) -> PyResult<()> {
        match (v.unwrap_builtin(), self.is_text) {
            (Value::Str(s), true) => self.text.push_str(s.as_str()),
            (Value::Bytes(b), false) => self.bytes.extend_from_slice(&b.data),
            _ => {
                let t = vm.type_name(v);
                let n = self.items;
                return Err(vm.type_error(if self.is_text {
                    format!("sequence item {n}: expected str instance, {t} found")
                } else {
                    format!("sequence item {n}: expected a bytes-like object, {t} found")
                }));
            }
        }
        self.items += 1;
        Ok(())
    }

    fn finish(self) -> Value {
        if self.is_text {
            Value::string(self.text)
        } else {
            Value::bytes(self.bytes)
        }
    }
}

/// `callable(v)`.
fn is_callable(vm: &Vm, v: &Value) -> bool {
    match v {
        Value::Function(_) | Value::BoundMethod(_) | Value::Builtin(_) | Value::Class(_) => true,
        other => vm.class_of(other).lookup("__call__").is_some(),
    }
}

/// CPython `pattern_subx`.
fn subx(vm: &mut Vm, args: &mut Args, fname: &str) -> PyResult<(Value, i64)> {
    let (this, compiled, classes) = pattern_receiver(vm, fname, args)?;
    let a = vm.parse_args(fname, args, &["repl", "string", "count"], 2)?;
    let repl = a[0].clone().unwrap_or(Value::None);
    let string = a[1].clone().unwrap_or(Value::None);
    let count = match &a[2] {
        Some(v) => vm.to_index(v)?,
        None => 0,
    };
    let is_callable =
        !matches!(repl.unwrap_builtin(), Value::Str(_) | Value::Bytes(_)) && is_callable(vm, &repl);
    let replacement = if is_callable {
        Replacement::Call(repl.clone())
    } else {
        let literal = match repl.unwrap_builtin() {
            Value::Str(s) if !s.as_str().contains('\\') => Some(repl.clone()),
            Value::Bytes(b) if !b.data.contains(&b'\\') => Some(repl.clone()),
            _ => None,
        };
        match literal {
            Some(v) => Replacement::Literal(v),
            None => {
                let pieces = parse_replacement(vm, &compiled, &classes, &repl)?;
                match pieces.as_slice() {
                    [] => Replacement::Literal(empty(compiled.is_text)),
                    [Piece::Literal(s)] => Replacement::Literal(if compiled.is_text {
                        Value::str(s)
                    } else {
                        Value::bytes(s.chars().map(|c| c as u32 as u8).collect())
                    }),
                    _ => Replacement::Template(pieces),
                }
            }
        }
    };
    let text = subject(vm, &compiled, &string)?;
    let is_text = compiled.is_text;
    let mut out = Joined {
        is_text,
        text: String::new(),
        bytes: Vec::new(),
        items: 0,
    };
    let mut i = 0;
    let mut n: i64 = 0;
    let mut scan = Scan::new(0);
    while count == 0 || n < count {
        let Some(result) = scan.next(vm, &compiled, &text, text.len())? else {
            break;
        };
        let (b, e) = (result.start, result.end);
        if i < b {
            out.push_slice(text.get(i..b).unwrap_or(&[]));
        }
        match &replacement {
            Replacement::Literal(v) => out.push_value(vm, v)?,
            Replacement::Template(pieces) => {
                let v = expand(pieces, &text, &result, is_text);
                out.push_value(vm, &v)?;
            }
            Replacement::Call(f) => {
                let source = Source {
                    pattern: this.clone(),
                    compiled: compiled.clone(),
                    classes: classes.clone(),
                    string: string.clone(),
                    text: text.clone(),
                    pos: 0,
                    endpos: text.len(),
                };
                let m = new_match(vm, &source, result);
                let item = vm.call(f, vec![m])?;
                if !item.is_none() {
                    out.push_value(vm, &item)?;
                }
            }
        }
        i = e;
        n += 1;
    }
    if i < text.len() {
        out.push_slice(text.get(i..).unwrap_or(&[]));
    }
    Ok((out.finish(), n))
}

pub fn pattern_sub(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    subx(vm, args, "sub").map(|(s, _)| s)
}

pub fn pattern_subn(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    subx(vm, args, "subn").map(|(s, n)| Value::tuple(vec![s, Value::Int(n)]))
}

/// `repr()` limited to `n` characters (C's `%.<n>R`).
fn repr_limited(vm: &mut Vm, v: &Value, n: usize) -> PyResult<String> {
    let r = vm.repr_of(v)?;
    Ok(r.chars().take(n).collect())
}

fn pattern_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, compiled, _) = pattern_receiver(vm, "__repr__", args)?;
    let pattern = repr_limited(vm, &compiled.pattern, 200)?;
    let mut flags = compiled.flags;
    use super::flags::*;
    if compiled.is_text && flags & (FLAG_LOCALE | FLAG_UNICODE | FLAG_ASCII) == FLAG_UNICODE {
        flags &= !FLAG_UNICODE;
    }
    let mut names = Vec::new();
    for (name, value) in FLAG_NAMES {
        if flags & value != 0 {
            names.push(format!("re.{name}"));
            flags &= !value;
        }
    }
    if flags != 0 {
        names.push(format!("0x{flags:x}"));
    }
    Ok(Value::string(if names.is_empty() {
        format!("re.compile({pattern})")
    } else {
        format!("re.compile({pattern}, {})", names.join("|"))
    }))
}

fn pattern_eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, compiled, _) = pattern_receiver(vm, "__eq__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    let Some(theirs) = with_native::<PatternData, _>(&other, |d| d.compiled.clone()) else {
        return Ok(Value::NotImplemented);
    };
    if Rc::ptr_eq(&compiled, &theirs) {
        return Ok(Value::Bool(true));
    }
    let same = compiled.flags == theirs.flags
        && compiled.is_text == theirs.is_text
        && vm.values_equal(&compiled.pattern, &theirs.pattern)?;
    Ok(Value::Bool(same))
}

fn pattern_hash(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, compiled, _) = pattern_receiver(vm, "__hash__", args)?;
    let h = vm.hash_value(&compiled.pattern)?;
    Ok(Value::Int(h ^ i64::from(compiled.flags)))
}

fn pattern_pattern(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, compiled, _) = pattern_receiver(vm, "pattern", args)?;
    Ok(compiled.pattern.clone())
}

fn pattern_flags(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, compiled, _) = pattern_receiver(vm, "flags", args)?;
    Ok(Value::Int(i64::from(compiled.flags)))
}

fn pattern_groups(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, compiled, _) = pattern_receiver(vm, "groups", args)?;
    Ok(Value::Int(compiled.groups as i64))
}

/// `Pattern.groupindex`: a read-only `mappingproxy` of the named groups
/// (a plain empty dict when there are none, as in CPython).
fn pattern_groupindex(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (_, compiled, classes) = pattern_receiver(vm, "groupindex", args)?;
    if compiled.names.is_empty() {
        return vm.new_dict(Vec::new());
    }
    let proxy = vm.call(&Value::Class(classes.mappingproxy.clone()), Vec::new())?;
    if let Some(dict) = proxy.as_dict() {
        for (n, g) in &compiled.names {
            dict.set(vm, Value::str(n), Value::Int(*g as i64))?;
        }
    }
    Ok(proxy)
}

/// The `mappingproxy` class: a dict whose repr says so and which refuses
/// item assignment.
pub fn mappingproxy_class(vm: &mut Vm) -> PyResult<Rc<Class>> {
    let class = crate::vm::types::new_class(
        &vm.ids,
        "mappingproxy",
        "builtins",
        vec![vm.types.dict.clone()],
        crate::value::Layout::Dict,
        false,
    )
    .map_err(|message| vm.type_error(message))?;
    crate::builtins::add_methods(
        &class,
        "mappingproxy",
        &[
            ("__repr__", proxy_repr),
            ("__str__", proxy_str),
            ("__setitem__", proxy_setitem),
            ("__delitem__", proxy_setitem),
        ],
    );
    Ok(class)
}

/// The plain dict repr of a dict-layout instance.
fn dict_repr(vm: &mut Vm, this: &Value) -> PyResult<String> {
    let copy = match this.as_dict() {
        Some(d) => d.copy(),
        None => crate::value::PyDict::new(),
    };
    vm.repr_of(&Value::Dict(Rc::new(copy)))
}

fn proxy_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let inner = dict_repr(vm, &this)?;
    Ok(Value::string(format!("mappingproxy({inner})")))
}

fn proxy_str(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__str__", args)?;
    dict_repr(vm, &this).map(Value::string)
}

fn proxy_setitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _ = vm.receiver("__setitem__", args)?;
    Err(vm.type_error("'mappingproxy' object does not support item assignment"))
}

// -------------------------------------------------------------- Match

fn match_receiver(vm: &mut Vm, fname: &str, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver(fname, args)?;
    if with_native::<MatchData, _>(&this, |_| ()).is_none() {
        let t = vm.type_name(&this);
        return Err(vm.type_error(format!(
            "descriptor '{fname}' for 're.Match' objects doesn't apply to a '{t}' object"
        )));
    }
    Ok(this)
}

/// Runs `f` on a Match object's state (known to be one).
fn with_match<R>(this: &Value, f: impl FnOnce(&MatchData) -> R) -> Option<R> {
    with_native::<MatchData, _>(this, |d| f(d))
}

/// CPython `match_getindex`: a group number or name to its index.
fn group_index(vm: &mut Vm, this: &Value, g: &Value) -> PyResult<usize> {
    let Some((groups, names)) = with_match(this, |d| (d.compiled.groups, d.compiled.names.clone()))
    else {
        return Err(vm.error(ExcType::IndexError, "no such group"));
    };
    let index: Option<i64> = match g.unwrap_builtin() {
        Value::Int(i) => Some(i),
        Value::Bool(b) => Some(i64::from(b)),
        Value::BigInt(_) => None,
        Value::Str(s) => names
            .iter()
            .find(|(n, _)| n == s.as_str())
            .map(|(_, i)| *i as i64),
        _ => {
            if vm.class_of(g).lookup("__index__").is_some() {
                Some(vm.to_index(g)?)
            } else {
                None
            }
        }
    };
    match index {
        Some(i) if i >= 0 && (i as usize) <= groups => Ok(i as usize),
        _ => Err(vm.error(ExcType::IndexError, "no such group")),
    }
}

/// The value of group `g` of a match (`default` when unmatched).
fn match_group_value(this: &Value, g: usize, default: &Value) -> Value {
    with_match(this, |d| {
        group_value(&d.text, &d.result, g, d.compiled.is_text, default)
    })
    .unwrap_or(Value::None)
}

fn match_group(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "group", args)?;
    if !args.keywords.is_empty() {
        return Err(vm.type_error("group() takes no keyword arguments"));
    }
    let requested = std::mem::take(&mut args.positional);
    match requested.as_slice() {
        [] => Ok(match_group_value(&this, 0, &Value::None)),
        [g] => {
            let i = group_index(vm, &this, g)?;
            Ok(match_group_value(&this, i, &Value::None))
        }
        many => {
            let mut out = Vec::with_capacity(many.len());
            for g in many {
                let i = group_index(vm, &this, g)?;
                out.push(match_group_value(&this, i, &Value::None));
            }
            Ok(Value::tuple(out))
        }
    }
}

fn match_getitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "__getitem__", args)?;
    let g = args.positional.first().cloned().unwrap_or(Value::None);
    let i = group_index(vm, &this, &g)?;
    Ok(match_group_value(&this, i, &Value::None))
}

fn match_groups(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "groups", args)?;
    let a = vm.parse_args("groups", args, &["default"], 0)?;
    let default = a[0].clone().unwrap_or(Value::None);
    let groups = with_match(&this, |d| d.compiled.groups).unwrap_or(0);
    Ok(Value::tuple(
        (1..=groups)
            .map(|g| match_group_value(&this, g, &default))
            .collect(),
    ))
}

fn match_groupdict(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "groupdict", args)?;
    let a = vm.parse_args("groupdict", args, &["default"], 0)?;
    let default = a[0].clone().unwrap_or(Value::None);
    let names = with_match(&this, |d| d.compiled.names.clone()).unwrap_or_default();
    let pairs = names
        .iter()
        .map(|(n, g)| (Value::str(n), match_group_value(&this, *g, &default)))
        .collect();
    vm.new_dict(pairs)
}

/// The span of the group named by the optional argument (-1s if unmatched).
fn span_arg(vm: &mut Vm, args: &mut Args, fname: &str) -> PyResult<(i64, i64)> {
    let this = match_receiver(vm, fname, args)?;
    let a = vm.parse_args(fname, args, &["group"], 0)?;
    let g = match &a[0] {
        Some(v) => group_index(vm, &this, v)?,
        None => 0,
    };
    let span = with_match(&this, |d| d.result.span(g)).flatten();
    Ok(match span {
        Some((s, e)) => (s as i64, e as i64),
        None => (-1, -1),
    })
}

fn match_start(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    span_arg(vm, args, "start").map(|(s, _)| Value::Int(s))
}

fn match_end(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    span_arg(vm, args, "end").map(|(_, e)| Value::Int(e))
}

fn match_span(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    span_arg(vm, args, "span").map(|(s, e)| Value::tuple(vec![Value::Int(s), Value::Int(e)]))
}

fn match_expand(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "expand", args)?;
    let a = vm.parse_args("expand", args, &["template"], 1)?;
    let template = a[0].clone().unwrap_or(Value::None);
    let Some((compiled, classes)) = with_match(&this, |d| (d.compiled.clone(), d.classes.clone()))
    else {
        return Ok(Value::None);
    };
    let pieces = parse_replacement(vm, &compiled, &classes, &template)?;
    Ok(with_match(&this, |d| {
        expand(&pieces, &d.text, &d.result, compiled.is_text)
    })
    .unwrap_or(Value::None))
}

fn match_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "__repr__", args)?;
    let Some((start, end)) = with_match(&this, |d| (d.result.start, d.result.end)) else {
        return Ok(Value::None);
    };
    let group0 = match_group_value(&this, 0, &Value::None);
    let shown = repr_limited(vm, &group0, 50)?;
    Ok(Value::string(format!(
        "<re.Match object; span=({start}, {end}), match={shown}>"
    )))
}

fn match_string(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "string", args)?;
    Ok(with_match(&this, |d| d.string.clone()).unwrap_or(Value::None))
}

fn match_re(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "re", args)?;
    Ok(with_match(&this, |d| d.pattern.clone()).unwrap_or(Value::None))
}

fn match_pos(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "pos", args)?;
    Ok(with_match(&this, |d| Value::Int(d.pos as i64)).unwrap_or(Value::None))
}

fn match_endpos(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "endpos", args)?;
    Ok(with_match(&this, |d| Value::Int(d.endpos as i64)).unwrap_or(Value::None))
}

fn match_lastindex(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "lastindex", args)?;
    Ok(with_match(&this, |d| d.result.lastindex)
        .flatten()
        .map_or(Value::None, |i| Value::Int(i as i64)))
}

fn match_lastgroup(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "lastgroup", args)?;
    Ok(with_match(&this, |d| {
        d.result.lastindex.and_then(|i| {
            d.compiled
                .names
                .iter()
                .find(|(_, g)| *g == i)
                .map(|(n, _)| Value::str(n))
        })
    })
    .flatten()
    .unwrap_or(Value::None))
}

fn match_regs(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = match_receiver(vm, "regs", args)?;
    Ok(with_match(&this, |d| {
        Value::tuple(
            (0..=d.compiled.groups)
                .map(|g| {
                    let (s, e) = d
                        .result
                        .span(g)
                        .map_or((-1, -1), |(s, e)| (s as i64, e as i64));
                    Value::tuple(vec![Value::Int(s), Value::Int(e)])
                })
                .collect(),
        )
    })
    .unwrap_or(Value::None))
}
