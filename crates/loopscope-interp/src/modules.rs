//! Native implementations of the standard modules a course program uses,
//! following the simulated world of `tools/conformance/SEMANTICS.md`.
//!
//! Algorithms that can be checked against CPython on their own (the
//! Mersenne Twister) live apart from the VM; the VM binds them to Python
//! names. Modules that would reach outside the simulation (files,
//! processes, sockets) are refused with the `unsupported` status.

pub mod bisect;
pub mod codegen;
pub mod collections;
pub mod copy;
pub mod counter;
pub mod datetime;
pub mod deque;
pub mod fractions;
pub mod functools;
pub mod heapq;
pub mod itertools;
pub mod json;
pub mod math;
pub mod namedtuple;
pub mod operator;
pub mod random;
pub mod random_module;
pub mod re;
pub mod sha512;
pub mod statistics;
pub mod string;
pub mod support;
pub mod sys;
pub mod time;
pub mod traceback;
pub mod types_native;

use std::rc::Rc;

use crate::value::{Module, PyResult};
use crate::vm::Vm;

/// Every module [`load`] can make.
const AVAILABLE: &[&str] = &[
    "sys",
    "builtins",
    "random",
    "math",
    "collections",
    "time",
    "itertools",
    "operator",
    "functools",
    "heapq",
    "string",
    "copy",
    "statistics",
    "fractions",
    "_loopscope_codegen",
    "datetime",
    "_types",
    "re",
    "json",
    "traceback",
    "bisect",
];

/// Modules written in Python (`modules/python/*.py`), where the language
/// itself is the clearest way to say what they do.
const PYTHON_SOURCES: &[(&str, &str)] = &[
    ("abc", include_str!("modules/python/abc.py")),
    ("contextlib", include_str!("modules/python/contextlib.py")),
    ("dataclasses", include_str!("modules/python/dataclasses.py")),
    ("types", include_str!("modules/python/types.py")),
    ("typing", include_str!("modules/python/typing.py")),
];

/// Makes a module by name, or None if Loopscope has no such module.
pub fn load(vm: &mut Vm, name: &str) -> Option<PyResult<Rc<Module>>> {
    if let Some((_, source)) = PYTHON_SOURCES.iter().find(|(n, _)| *n == name) {
        return Some(vm.exec_source_module(name, source));
    }
    Some(match name {
        "sys" => Ok(sys::make(vm)),
        "builtins" => Ok(vm.builtins.clone()),
        "random" => random_module::make(vm),
        "math" => math::make(vm),
        "collections" => collections::make(vm),
        "time" => time::make(vm),
        "itertools" => itertools::make(vm),
        "operator" => operator::make(vm),
        "functools" => functools::make(vm),
        "heapq" => heapq::make(vm),
        "string" => string::make(vm),
        "copy" => copy::make(vm),
        "statistics" => statistics::make(vm),
        "fractions" => fractions::make(vm),
        "_loopscope_codegen" => codegen::make(vm),
        "re" => re::make(vm),
        "json" => json::make(vm),
        "datetime" => datetime::make(vm),
        "_types" => types_native::make(vm),
        "traceback" => traceback::make(vm),
        "bisect" => bisect::make(vm),
        _ => return None,
    })
}

/// Does [`load`] know this module?
pub fn exists(name: &str) -> bool {
    AVAILABLE.contains(&name) || PYTHON_SOURCES.iter().any(|(n, _)| *n == name)
}

/// Modules whose purpose is the world outside: files, processes, sockets.
pub fn is_outside_world(name: &str) -> bool {
    let top = name.split('.').next().unwrap_or(name);
    matches!(
        top,
        "os" | "subprocess"
            | "socket"
            | "shutil"
            | "pathlib"
            | "io"
            | "tempfile"
            | "glob"
            | "signal"
            | "ctypes"
            | "multiprocessing"
            | "threading"
            | "urllib"
            | "http"
            | "ssl"
            | "select"
            | "selectors"
            | "mmap"
            | "fcntl"
            | "pty"
            | "pwd"
            | "resource"
            | "webbrowser"
            | "sqlite3"
            | "pickle"
            | "shelve"
            | "fileinput"
            | "zipfile"
            | "tarfile"
    )
}

/// Other standard library modules (so an import of one reads as "not
/// available here", not as a typo).
pub fn is_standard_library(name: &str) -> bool {
    let top = name.split('.').next().unwrap_or(name);
    matches!(
        top,
        "abc"
            | "argparse"
            | "array"
            | "ast"
            | "asyncio"
            | "base64"
            | "binascii"
            | "bisect"
            | "calendar"
            | "cmath"
            | "codecs"
            | "collections"
            | "concurrent"
            | "contextlib"
            | "contextvars"
            | "copy"
            | "csv"
            | "dataclasses"
            | "datetime"
            | "decimal"
            | "difflib"
            | "dis"
            | "enum"
            | "fractions"
            | "functools"
            | "gc"
            | "hashlib"
            | "heapq"
            | "hmac"
            | "html"
            | "inspect"
            | "itertools"
            | "json"
            | "keyword"
            | "locale"
            | "logging"
            | "math"
            | "numbers"
            | "operator"
            | "platform"
            | "pprint"
            | "queue"
            | "random"
            | "re"
            | "sched"
            | "secrets"
            | "statistics"
            | "string"
            | "struct"
            | "textwrap"
            | "time"
            | "timeit"
            | "traceback"
            | "types"
            | "typing"
            | "unicodedata"
            | "unittest"
            | "uuid"
            | "warnings"
            | "weakref"
            | "zlib"
            | "aiohttp"
            | "httpx"
            | "requests"
    )
}
