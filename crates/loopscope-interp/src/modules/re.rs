//! The `re` module, natively: a backtracking engine with the syntax and
//! semantics of CPython 3.11's `sre` (parser in [`parser`], code in
//! [`compiler`], matcher in [`engine`]), and the module's Python surface
//! — `compile`, `match`, `search`, `sub`, `split`, `findall`, ... — with
//! `re.Pattern` and `re.Match` objects (in [`objects`]).
//!
//! Strings are matched as sequences of code points, so every index is the
//! one Python reports. `bytes` patterns and subjects work too (each byte a
//! code point, ASCII classes). Matching counts against the run's step
//! budget: catastrophic backtracking ends the run as a hang.

pub mod chars;
pub mod compiler;
pub mod engine;
pub mod flags;
pub mod objects;
pub mod parser;
pub mod regexflag;
pub mod template;

use std::cell::RefCell;
use std::rc::Rc;

use self::flags::*;
use self::parser::ParseError;
use super::support::{arg, closure, exception_class, Sig};
use crate::builtins::{native_class, native_object, new_module};
use crate::value::{Args, Class, Halt, Module, PyResult, Unwind, Value};
use crate::vm::{ExcType, Vm};

/// A compiled pattern, shared by its `Pattern` object and its matches.
pub struct Compiled {
    /// The pattern as given (`str` or `bytes`).
    pub pattern: Value,
    pub flags: u32,
    /// Capturing groups, not counting group 0 (`Pattern.groups`).
    pub groups: usize,
    pub names: Vec<(String, usize)>,
    pub program: compiler::Program,
    /// A `str` pattern (else `bytes`).
    pub is_text: bool,
}

/// The classes of one `re` module instance.
pub struct ReClasses {
    pub pattern: Rc<Class>,
    pub match_: Rc<Class>,
    pub error: Rc<Class>,
    pub iterator: Rc<Class>,
    pub mappingproxy: Rc<Class>,
}

/// The module's state: its classes and the compile cache.
struct ReModule {
    classes: Rc<ReClasses>,
    /// CPython `re._cache`: (is_text, pattern text, flags) to the
    /// `Pattern` object, oldest first.
    cache: RefCell<Vec<(CacheKey, Value)>>,
}

/// A cache key: a str pattern (else bytes), its text, the flags.
type CacheKey = (bool, String, u32);

/// A module function with the module's state.
type ReFn = fn(&mut Vm, &Rc<ReModule>, &mut Args) -> PyResult<Value>;

/// CPython `re._MAXCACHE`.
const MAX_CACHE: usize = 512;

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("re");
    let error = exception_class(vm, "error", "re", ExcType::Exception);
    crate::builtins::add_methods(&error, "error", &[("__init__", error_init)]);
    let pattern = objects::pattern_class(vm);
    let match_ = objects::match_class(vm);
    let iterator = super::support::iterator_class(vm, "callable_iterator", "builtins");
    let mappingproxy = objects::mappingproxy_class(vm)?;
    let regexflag = regexflag::regexflag_class(vm)?;
    let classes = Rc::new(ReClasses {
        pattern: pattern.clone(),
        match_: match_.clone(),
        error: error.clone(),
        iterator,
        mappingproxy,
    });
    let state = Rc::new(ReModule {
        classes,
        cache: RefCell::new(Vec::new()),
    });
    let functions: &[(&str, ReFn)] = &[
        ("compile", re_compile),
        ("match", re_match),
        ("fullmatch", re_fullmatch),
        ("search", re_search),
        ("sub", re_sub),
        ("subn", re_subn),
        ("split", re_split),
        ("findall", re_findall),
        ("finditer", re_finditer),
        ("purge", re_purge),
    ];
    {
        let mut dict = module.dict.borrow_mut();
        for (name, f) in functions {
            let f = *f;
            let state = state.clone();
            dict.set(
                name,
                closure(
                    name,
                    Rc::new(move |vm: &mut Vm, args: &mut Args| f(vm, &state, args)),
                ),
            );
        }
        dict.set("escape", crate::builtins::function("escape", re_escape));
        dict.set("error", Value::Class(error));
        dict.set("Pattern", Value::Class(pattern));
        dict.set("Match", Value::Class(match_));
        dict.set("RegexFlag", Value::Class(regexflag.clone()));
        for (name, value) in [
            ("NOFLAG", 0),
            ("A", FLAG_ASCII),
            ("ASCII", FLAG_ASCII),
            ("I", FLAG_IGNORECASE),
            ("IGNORECASE", FLAG_IGNORECASE),
            ("L", FLAG_LOCALE),
            ("LOCALE", FLAG_LOCALE),
            ("M", FLAG_MULTILINE),
            ("MULTILINE", FLAG_MULTILINE),
            ("S", FLAG_DOTALL),
            ("DOTALL", FLAG_DOTALL),
            ("U", FLAG_UNICODE),
            ("UNICODE", FLAG_UNICODE),
            ("X", FLAG_VERBOSE),
            ("VERBOSE", FLAG_VERBOSE),
            ("T", FLAG_TEMPLATE),
            ("TEMPLATE", FLAG_TEMPLATE),
            ("DEBUG", FLAG_DEBUG),
        ] {
            let flag = regexflag::new_flag(vm, &regexflag, i64::from(value))?;
            dict.set(name, flag);
        }
    }
    Ok(module)
}

/// `re.error.__init__(msg, pattern=None, pos=None)` (CPython
/// `re._constants.error`): the message gains `at position N` and, for
/// multi-line patterns, `(line L, column C)`.
fn error_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__init__", args)?;
    let a = Sig {
        name: "error.__init__",
        params: &["msg", "pattern", "pos"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let msg = arg(&a, 0);
    let pattern = arg(&a, 1);
    let pos = arg(&a, 2);
    let mut text = vm.str_of(&msg)?;
    let mut lineno = Value::None;
    let mut colno = Value::None;
    if !pattern.is_none() && !pos.is_none() {
        let p = vm.to_index(&pos)?;
        text = format!("{text} at position {p}");
        let chars: Vec<char> = match pattern.unwrap_builtin() {
            Value::Str(s) => s.as_str().chars().collect(),
            Value::Bytes(b) => b.data.iter().map(|&x| char::from(x)).collect(),
            _ => Vec::new(),
        };
        let upto = usize::try_from(p).unwrap_or(0).min(chars.len());
        let before = chars.get(..upto).unwrap_or(&[]);
        let line = before.iter().filter(|&&c| c == '\n').count() + 1;
        let col = match before.iter().rposition(|&c| c == '\n') {
            Some(i) => upto - i,
            None => upto + 1,
        };
        lineno = Value::Int(line as i64);
        colno = Value::Int(col as i64);
        if chars.contains(&'\n') {
            text = format!("{text} (line {line}, column {col})");
        }
    }
    if let Some(data) = this.as_exception() {
        *data.args.borrow_mut() = Value::tuple(vec![Value::string(text)]);
    }
    for (name, value) in [
        ("msg", msg),
        ("pattern", pattern),
        ("pos", pos),
        ("lineno", lineno),
        ("colno", colno),
    ] {
        super::support::set_attribute(vm, &this, name, value)?;
    }
    Ok(Value::None)
}

/// Raises `re.error(msg, pattern, pos)`.
pub fn raise_error(
    vm: &mut Vm,
    classes: &ReClasses,
    msg: &str,
    pattern: &Value,
    pos: Option<usize>,
) -> Unwind {
    let args = match pos {
        Some(p) => vec![Value::str(msg), pattern.clone(), Value::Int(p as i64)],
        None => vec![Value::str(msg)],
    };
    match vm.call(&Value::Class(classes.error.clone()), args) {
        Ok(exc) => Unwind::Exception(exc),
        Err(e) => e,
    }
}

/// Turns a parse error into the exception CPython raises.
pub fn parse_error(vm: &mut Vm, classes: &ReClasses, error: ParseError, pattern: &Value) -> Unwind {
    match error {
        ParseError::Re { msg, pos } => raise_error(vm, classes, &msg, pattern, pos),
        ParseError::Overflow(msg) => vm.error(ExcType::OverflowError, msg),
        ParseError::Value(msg) => vm.error(ExcType::ValueError, msg),
        ParseError::Recursion => {
            vm.error(ExcType::RecursionError, "maximum recursion depth exceeded")
        }
    }
}

/// The code points of a `str` or `bytes` pattern or subject, and whether
/// it is text.
pub fn text_of(value: &Value) -> Option<(Vec<char>, bool)> {
    match value.unwrap_builtin() {
        Value::Str(s) => Some((s.as_str().chars().collect(), true)),
        Value::Bytes(b) => Some((b.data.iter().map(|&x| char::from(x)).collect(), false)),
        _ => None,
    }
}

/// The steps a match may still take before the run's budget is spent.
pub fn step_limit(vm: &Vm) -> u64 {
    vm.limits.max_steps.saturating_sub(vm.steps)
}

/// Adds a matcher's steps to the run's count; an exhausted budget is the
/// run's hang.
pub fn charge<T>(vm: &mut Vm, steps: u64, result: Result<T, engine::Exhausted>) -> PyResult<T> {
    vm.steps = vm.steps.saturating_add(steps);
    match result {
        Ok(v) => Ok(v),
        Err(engine::Exhausted) => Err(Unwind::Halt(Halt::Hang)),
    }
}

/// The flags argument as an int.
fn flags_arg(vm: &mut Vm, flags: &Value) -> PyResult<u32> {
    match flags.unwrap_builtin() {
        Value::Int(i) => Ok(i as u32),
        Value::Bool(b) => Ok(u32::from(b)),
        _ => {
            let t = vm.type_name(flags);
            Err(vm.type_error(format!(
                "unsupported operand type(s) for &: '{t}' and 'RegexFlag'"
            )))
        }
    }
}

/// CPython `re._compile`: a `Pattern` object from a pattern and flags,
/// through the cache.
fn compile_pattern(
    vm: &mut Vm,
    state: &ReModule,
    pattern: &Value,
    flags: &Value,
) -> PyResult<Value> {
    if objects::is_pattern(pattern) {
        let nonzero = match flags.unwrap_builtin() {
            Value::Int(i) => i != 0,
            Value::Bool(b) => b,
            other => vm.truthy(&other)?,
        };
        if nonzero {
            return Err(vm.error(
                ExcType::ValueError,
                "cannot process flags argument with a compiled pattern",
            ));
        }
        return Ok(pattern.clone());
    }
    let Some((chars, is_text)) = text_of(pattern) else {
        if !matches!(flags.unwrap_builtin(), Value::Int(_) | Value::Bool(_)) {
            flags_arg(vm, flags)?;
        }
        return Err(vm.type_error("first argument must be string or compiled pattern"));
    };
    let flags = flags_arg(vm, flags)?;
    let key_text: String = chars.iter().collect();
    let key = (is_text, key_text, flags);
    if let Some((_, cached)) = state.cache.borrow().iter().find(|(k, _)| *k == key) {
        return Ok(cached.clone());
    }
    let compiled = compile_chars(&chars, flags, is_text)
        .map_err(|e| parse_error(vm, &state.classes, e, pattern))?;
    let compiled = Compiled {
        pattern: pattern.clone(),
        ..compiled
    };
    let value = objects::new_pattern(vm, &state.classes, Rc::new(compiled));
    if flags & FLAG_DEBUG == 0 {
        let mut cache = state.cache.borrow_mut();
        if cache.len() >= MAX_CACHE {
            cache.remove(0);
        }
        cache.push((key, value.clone()));
    }
    Ok(value)
}

/// Parses and compiles a pattern's code points.
pub fn compile_chars(chars: &[char], flags: u32, is_text: bool) -> Result<Compiled, ParseError> {
    let parsed = parser::parse(chars, flags, is_text)?;
    let program = compiler::compile(&parsed.nodes, parsed.flags, &parsed.groupwidths)?;
    Ok(Compiled {
        pattern: Value::None,
        flags: parsed.flags,
        groups: parsed.groups.saturating_sub(1),
        names: parsed.names,
        program,
        is_text,
    })
}

/// Binds a module function's arguments the way its Python definition does.
fn bind(
    vm: &mut Vm,
    name: &str,
    params: &[&str],
    required: usize,
    args: &mut Args,
) -> PyResult<Vec<Option<Value>>> {
    Sig {
        name,
        params,
        required,
        kwonly: &[],
        method: false,
    }
    .bind(vm, args)
}

fn flags_of(a: &[Option<Value>], i: usize) -> Value {
    a.get(i).cloned().flatten().unwrap_or(Value::Int(0))
}

fn re_compile(vm: &mut Vm, state: &Rc<ReModule>, args: &mut Args) -> PyResult<Value> {
    let a = bind(vm, "compile", &["pattern", "flags"], 1, args)?;
    compile_pattern(vm, state, &arg(&a, 0), &flags_of(&a, 1))
}

/// `re.X(pattern, string, ..., flags)`: compiles, then calls the Pattern
/// method with the remaining arguments.
fn delegate(
    vm: &mut Vm,
    state: &Rc<ReModule>,
    args: &mut Args,
    name: &str,
    params: &[&str],
    required: usize,
    method: fn(&mut Vm, &mut Args) -> PyResult<Value>,
) -> PyResult<Value> {
    let a = bind(vm, name, params, required, args)?;
    let flags_index = params.len() - 1;
    let pattern = compile_pattern(vm, state, &arg(&a, 0), &flags_of(&a, flags_index))?;
    let mut positional = vec![pattern];
    for v in a.iter().take(flags_index).skip(1) {
        positional.push(v.clone().unwrap_or(Value::Int(0)));
    }
    method(vm, &mut Args::new(positional))
}

fn re_match(vm: &mut Vm, state: &Rc<ReModule>, args: &mut Args) -> PyResult<Value> {
    delegate(
        vm,
        state,
        args,
        "match",
        &["pattern", "string", "flags"],
        2,
        objects::pattern_match,
    )
}

fn re_fullmatch(vm: &mut Vm, state: &Rc<ReModule>, args: &mut Args) -> PyResult<Value> {
    delegate(
        vm,
        state,
        args,
        "fullmatch",
        &["pattern", "string", "flags"],
        2,
        objects::pattern_fullmatch,
    )
}

fn re_search(vm: &mut Vm, state: &Rc<ReModule>, args: &mut Args) -> PyResult<Value> {
    delegate(
        vm,
        state,
        args,
        "search",
        &["pattern", "string", "flags"],
        2,
        objects::pattern_search,
    )
}

fn re_sub(vm: &mut Vm, state: &Rc<ReModule>, args: &mut Args) -> PyResult<Value> {
    delegate(
        vm,
        state,
        args,
        "sub",
        &["pattern", "repl", "string", "count", "flags"],
        3,
        objects::pattern_sub,
    )
}

fn re_subn(vm: &mut Vm, state: &Rc<ReModule>, args: &mut Args) -> PyResult<Value> {
    delegate(
        vm,
        state,
        args,
        "subn",
        &["pattern", "repl", "string", "count", "flags"],
        3,
        objects::pattern_subn,
    )
}

fn re_split(vm: &mut Vm, state: &Rc<ReModule>, args: &mut Args) -> PyResult<Value> {
    delegate(
        vm,
        state,
        args,
        "split",
        &["pattern", "string", "maxsplit", "flags"],
        2,
        objects::pattern_split,
    )
}

fn re_findall(vm: &mut Vm, state: &Rc<ReModule>, args: &mut Args) -> PyResult<Value> {
    delegate(
        vm,
        state,
        args,
        "findall",
        &["pattern", "string", "flags"],
        2,
        objects::pattern_findall,
    )
}

fn re_finditer(vm: &mut Vm, state: &Rc<ReModule>, args: &mut Args) -> PyResult<Value> {
    delegate(
        vm,
        state,
        args,
        "finditer",
        &["pattern", "string", "flags"],
        2,
        objects::pattern_finditer,
    )
}

fn re_purge(vm: &mut Vm, state: &Rc<ReModule>, args: &mut Args) -> PyResult<Value> {
    bind(vm, "purge", &[], 0, args)?;
    state.cache.borrow_mut().clear();
    Ok(Value::None)
}

/// `re.escape`: backslashes before the characters CPython's
/// `_special_chars_map` lists.
fn re_escape(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = bind(vm, "escape", &["pattern"], 1, args)?;
    let pattern = arg(&a, 0);
    const SPECIAL: &str = "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c";
    let escape = |c: char, out: &mut String| {
        if SPECIAL.contains(c) {
            out.push('\\');
        }
        out.push(c);
    };
    match pattern.unwrap_builtin() {
        Value::Str(s) => {
            let mut out = String::with_capacity(s.as_str().len());
            for c in s.as_str().chars() {
                escape(c, &mut out);
            }
            Ok(Value::string(out))
        }
        Value::Bytes(b) => {
            let mut out = Vec::with_capacity(b.data.len());
            for &x in &b.data {
                if SPECIAL.contains(char::from(x)) {
                    out.push(b'\\');
                }
                out.push(x);
            }
            Ok(Value::bytes(out))
        }
        _ => {
            let t = vm.type_name(&pattern);
            Err(vm.type_error(format!(
                "decoding to str: need a bytes-like object, {t} found"
            )))
        }
    }
}

/// A native object of one of the module's classes.
pub fn new_object<T: 'static>(vm: &Vm, class: &Rc<Class>, data: T) -> Value {
    native_object(vm, class, data)
}

/// A native class of the `re` module.
pub fn re_class(
    vm: &Vm,
    name: &'static str,
    methods: &[(&str, crate::value::NativeFnPtr)],
) -> Rc<Class> {
    let class = native_class(vm, name, "re", name, methods);
    class.dict.borrow_mut().set("__module__", Value::str("re"));
    class
}

#[cfg(test)]
mod tests {
    use crate::verdict::{run_program, RunOptions};

    fn run(source: &str, max_steps: u64) -> crate::verdict::Verdict {
        let mut options = RunOptions::default();
        options.limits.max_steps = max_steps;
        run_program(source, &options)
    }

    #[test]
    fn catastrophic_backtracking_is_a_hang_no_try_catches() {
        let v = run(
            "import re\nprint('start')\ntry:\n    re.match(r'(a*)*b', 'a' * 40)\nexcept BaseException:\n    print('caught')\n",
            2_000_000,
        );
        assert_eq!(v.status, "hang");
        assert_eq!(v.stdout, "start\n");
    }

    #[test]
    fn matching_counts_steps_against_the_budget() {
        let v = run(
            "import re\nfor _ in range(3):\n    print(len(re.findall(r'\\w+', 'слово ' * 20000)))\n",
            200_000_000,
        );
        assert_eq!(v.status, "completed");
        assert_eq!(v.stdout, "20000\n20000\n20000\n");
        let v = run(
            "import re\nprint(len(re.findall(r'\\w+', 'слово ' * 200000)))\n",
            100_000,
        );
        assert_eq!(v.status, "hang");
    }
}
