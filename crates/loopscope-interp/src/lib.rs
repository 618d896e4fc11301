//! Loopscope's interpreter for a subset of Python 3.11.
//!
//! Source text goes through [`syntax`] (parsing with `ruff_python_parser`,
//! guarded against nesting the browser's fixed stack cannot take). The
//! interpreter knows nothing of the event loop: hosts drive coroutines and
//! generators through their `send`/`throw` protocol.

pub mod format_spec;
pub mod memory;
pub mod modules;
pub mod numbers;
pub mod syntax;
pub mod text;

pub mod builtins;
pub mod bytecode;
pub mod compiler;
pub mod value;
pub mod verdict;
pub mod vm;
