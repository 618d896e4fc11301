//! The bytecode: one opcode table ([`Op`]), code objects, and a
//! disassembler (`loopscope dis`).
//!
//! A stack machine close to CPython 3.10's (block stack for `try`/`with`,
//! `YIELD_FROM` that re-executes itself while the delegate yields), which
//! keeps the compiler simple and makes each suspension point one
//! instruction.

use std::fmt::Write as _;
use std::rc::Rc;

use crate::value::{PyStr, Value};

/// Binary operators (also used in place, `+=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    MatMul,
    TrueDiv,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    And,
    Or,
    Xor,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::MatMul => "@",
            BinOp::TrueDiv => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::LShift => "<<",
            BinOp::RShift => ">>",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
        }
    }

    /// The dunder and its reflected twin, e.g. `__add__`, `__radd__`.
    pub fn dunders(self) -> (&'static str, &'static str, &'static str) {
        match self {
            BinOp::Add => ("__add__", "__radd__", "__iadd__"),
            BinOp::Sub => ("__sub__", "__rsub__", "__isub__"),
            BinOp::Mul => ("__mul__", "__rmul__", "__imul__"),
            BinOp::MatMul => ("__matmul__", "__rmatmul__", "__imatmul__"),
            BinOp::TrueDiv => ("__truediv__", "__rtruediv__", "__itruediv__"),
            BinOp::FloorDiv => ("__floordiv__", "__rfloordiv__", "__ifloordiv__"),
            BinOp::Mod => ("__mod__", "__rmod__", "__imod__"),
            BinOp::Pow => ("__pow__", "__rpow__", "__ipow__"),
            BinOp::LShift => ("__lshift__", "__rlshift__", "__ilshift__"),
            BinOp::RShift => ("__rshift__", "__rrshift__", "__irshift__"),
            BinOp::And => ("__and__", "__rand__", "__iand__"),
            BinOp::Or => ("__or__", "__ror__", "__ior__"),
            BinOp::Xor => ("__xor__", "__rxor__", "__ixor__"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
    Invert,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Eq,
    Ne,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    pub fn dunder(self) -> &'static str {
        match self {
            CmpOp::Lt => "__lt__",
            CmpOp::Le => "__le__",
            CmpOp::Eq => "__eq__",
            CmpOp::Ne => "__ne__",
            CmpOp::Gt => "__gt__",
            CmpOp::Ge => "__ge__",
        }
    }

    /// The operator with its operands swapped (`a < b` is `b > a`).
    pub fn swapped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Eq => CmpOp::Eq,
            CmpOp::Ne => CmpOp::Ne,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
        }
    }
}

/// What `GetAwaitable` is awaiting for, for CPython's error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AwaitContext {
    Await,
    AsyncWithEnter,
    AsyncWithExit,
}

/// `MakeFunction` flags, as in CPython.
pub mod make_function {
    pub const DEFAULTS: u8 = 1;
    pub const KWDEFAULTS: u8 = 2;
    pub const ANNOTATIONS: u8 = 4;
    pub const CLOSURE: u8 = 8;
}

/// The instruction set. Operand meanings: `u32` indexes the code's
/// constants, names, locals or cells as the name says; jump targets are
/// instruction indices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Nop,
    Pop,
    /// Duplicate the top of the stack.
    Dup,
    /// Duplicate the two top items, keeping their order.
    DupTwo,
    /// Swap the two top items.
    Rot2,
    /// Lift the second and third items one up, move the top down to third.
    Rot3,
    Rot4,
    LoadConst(u32),
    LoadFast(u32),
    StoreFast(u32),
    DeleteFast(u32),
    LoadDeref(u32),
    StoreDeref(u32),
    DeleteDeref(u32),
    /// A class body reading a free variable: its namespace first.
    LoadClassDeref(u32),
    /// Push the cell itself (to build a closure).
    LoadClosure(u32),
    LoadGlobal(u32),
    StoreGlobal(u32),
    DeleteGlobal(u32),
    LoadName(u32),
    StoreName(u32),
    DeleteName(u32),
    LoadAttr(u32),
    StoreAttr(u32),
    DeleteAttr(u32),
    /// Push `method, self` (or `NULL-marker, bound`) for `CallMethod`.
    LoadMethod(u32),
    CallMethod(u32),
    Subscript,
    StoreSubscript,
    DeleteSubscript,
    Binary(BinOp),
    InPlace(BinOp),
    Unary(UnaryOp),
    Compare(CmpOp),
    /// `is` (false) / `is not` (true).
    Is(bool),
    /// `in` (false) / `not in` (true).
    In(bool),
    Jump(u32),
    PopJumpIfFalse(u32),
    PopJumpIfTrue(u32),
    JumpIfFalseOrPop(u32),
    JumpIfTrueOrPop(u32),
    GetIter,
    /// Next item of the iterator on top, or pop it and jump when done.
    ForIter(u32),
    BuildTuple(u32),
    BuildList(u32),
    BuildSet(u32),
    BuildMap(u32),
    BuildSlice(u32),
    BuildString(u32),
    /// f-string field: conversion (0 none, b's', b'r', b'a'), with a spec on top.
    FormatValue(u8, bool),
    ListAppend(u32),
    SetAdd(u32),
    MapAdd(u32),
    ListExtend(u32),
    SetUpdate(u32),
    DictUpdate(u32),
    /// Like `DictUpdate`, but duplicate keys are an error (`f(**a, **b)`).
    DictMerge(u32),
    ListToTuple,
    UnpackSequence(u32),
    /// Starred unpacking: counts before and after the star.
    UnpackEx(u32, u32),
    MakeFunction(u8),
    Call(u32),
    /// Call with keyword names in a tuple on top of the stack.
    CallKw(u32),
    /// Call with a positional tuple and (flag) a keyword dict.
    CallEx(bool),
    Return,
    YieldValue,
    /// Send the top into the iterator below it; suspend while it yields.
    YieldFrom,
    GetYieldFromIter,
    GetAwaitable(AwaitContext),
    GetAIter,
    GetANext,
    /// End of `async for`: the exception on top is StopAsyncIteration?
    EndAsyncFor,
    /// Push an exception block whose handler is at the target.
    SetupExcept(u32),
    /// Push a `finally` block whose handler is at the target.
    SetupFinally(u32),
    /// Enter a context manager: push its `__exit__`, a block, and the
    /// result of `__enter__`.
    SetupWith(u32),
    /// Push `__aexit__` and the awaitable of `__aenter__()`.
    BeforeAsyncWith,
    /// Push the block of an `async with` once `__aenter__` is awaited.
    SetupAsyncWith(u32),
    PopBlock,
    /// Leave an `except` handler: restore the exception being handled.
    PopExcept,
    /// `raise` with 0, 1 or 2 (`from`) operands.
    Raise(u8),
    /// Re-raise the exception on top of the stack (end of a handler).
    Reraise,
    /// Pop a class (tuple) and test the exception below it; jump if no match.
    JumpIfNotExcMatch(u32),
    /// `except*`: split the group on top by the type above it: push the
    /// rest and the match (None when no match).
    CheckEgMatch,
    /// After `except*` handlers: combine what was raised and re-raised.
    PrepReraiseStar,
    /// Call `__exit__(type, value, tb)` with the exception on top.
    WithExceptStart,
    LoadAssertionError,
    LoadBuildClass,
    ImportName(u32),
    ImportFrom(u32),
    ImportStar,
    SetupAnnotations,
}

/// Code object flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CodeFlags {
    pub varargs: bool,
    pub varkeywords: bool,
    pub generator: bool,
    pub coroutine: bool,
    pub async_generator: bool,
    /// Module and class bodies: names go through the namespace.
    pub uses_names: bool,
}

/// A compiled function, module or class body.
pub struct Code {
    pub name: Rc<PyStr>,
    pub qualname: Rc<PyStr>,
    pub filename: Rc<str>,
    pub first_line: u32,
    pub ops: Vec<Op>,
    /// Line of each instruction.
    pub lines: Vec<u32>,
    /// Source byte range of each instruction (for traceback carets).
    pub ranges: Vec<(u32, u32)>,
    pub consts: Vec<Value>,
    pub names: Vec<Rc<PyStr>>,
    /// Local variable names; the parameters come first.
    pub varnames: Vec<Rc<PyStr>>,
    /// Cells owned by this code, then free variables from outside.
    pub cellvars: Vec<Rc<PyStr>>,
    pub freevars: Vec<Rc<PyStr>>,
    /// For each cell variable that is also a parameter, its local index.
    pub cell_params: Vec<(u32, u32)>,
    pub argcount: u32,
    pub posonlyargcount: u32,
    pub kwonlyargcount: u32,
    pub flags: CodeFlags,
    pub max_stack: u32,
    pub doc: Option<Rc<PyStr>>,
    /// The inline caches of its attribute and global instructions.
    pub caches: crate::vm::inline_cache::InlineCaches,
}

impl Code {
    pub fn line_of(&self, ip: usize) -> u32 {
        self.lines.get(ip).copied().unwrap_or(self.first_line)
    }

    /// Name of a cell or free variable by its deref index.
    pub fn deref_name(&self, index: u32) -> &str {
        let i = index as usize;
        if i < self.cellvars.len() {
            self.cellvars[i].as_str()
        } else {
            self.freevars
                .get(i - self.cellvars.len())
                .map(|s| s.as_str())
                .unwrap_or("?")
        }
    }

    /// A readable listing, nested code objects after their parent.
    pub fn disassemble(&self) -> String {
        let mut out = String::new();
        self.disassemble_into(&mut out);
        out
    }

    fn disassemble_into(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "Disassembly of <code {}> (line {}):",
            self.qualname.as_str(),
            self.first_line
        );
        let mut last_line = 0;
        for (ip, op) in self.ops.iter().enumerate() {
            let line = self.lines[ip];
            let line_col = if line != last_line {
                format!("{line:>4}")
            } else {
                "    ".to_string()
            };
            last_line = line;
            let _ = writeln!(out, "{line_col} {ip:>6} {}", self.describe(op));
        }
        for constant in &self.consts {
            if let Value::Code(code) = constant {
                out.push('\n');
                code.disassemble_into(out);
            }
        }
    }

    fn describe(&self, op: &Op) -> String {
        let name = |i: &u32| {
            self.names
                .get(*i as usize)
                .map(|s| s.as_str().to_string())
                .unwrap_or_default()
        };
        let local = |i: &u32| {
            self.varnames
                .get(*i as usize)
                .map(|s| s.as_str().to_string())
                .unwrap_or_default()
        };
        let constant = |i: &u32| match self.consts.get(*i as usize) {
            Some(Value::Str(s)) => format!("{:?}", s.as_str()),
            Some(Value::Int(n)) => n.to_string(),
            Some(Value::Float(f)) => crate::numbers::float_repr(*f),
            Some(Value::None) => "None".into(),
            Some(Value::Bool(b)) => {
                if *b {
                    "True".into()
                } else {
                    "False".into()
                }
            }
            Some(Value::Code(code)) => format!("<code {}>", code.qualname.as_str()),
            Some(Value::Tuple(t)) => format!("<tuple of {}>", t.items.len()),
            Some(_) => "<constant>".into(),
            None => "?".into(),
        };
        let mnemonic = format!("{op:?}");
        let mnemonic = mnemonic.split('(').next().unwrap_or("").to_string();
        let argument = match op {
            Op::LoadConst(i) => constant(i),
            Op::LoadFast(i) | Op::StoreFast(i) | Op::DeleteFast(i) => local(i),
            Op::LoadDeref(i)
            | Op::StoreDeref(i)
            | Op::DeleteDeref(i)
            | Op::LoadClassDeref(i)
            | Op::LoadClosure(i) => self.deref_name(*i).to_string(),
            Op::LoadGlobal(i)
            | Op::StoreGlobal(i)
            | Op::DeleteGlobal(i)
            | Op::LoadName(i)
            | Op::StoreName(i)
            | Op::DeleteName(i)
            | Op::LoadAttr(i)
            | Op::StoreAttr(i)
            | Op::DeleteAttr(i)
            | Op::LoadMethod(i)
            | Op::ImportName(i)
            | Op::ImportFrom(i) => name(i),
            Op::Binary(b) | Op::InPlace(b) => b.symbol().to_string(),
            Op::Compare(c) => c.symbol().to_string(),
            Op::Unary(u) => format!("{u:?}"),
            Op::Jump(t)
            | Op::PopJumpIfFalse(t)
            | Op::PopJumpIfTrue(t)
            | Op::JumpIfFalseOrPop(t)
            | Op::JumpIfTrueOrPop(t)
            | Op::ForIter(t)
            | Op::SetupExcept(t)
            | Op::SetupFinally(t)
            | Op::SetupWith(t)
            | Op::SetupAsyncWith(t)
            | Op::JumpIfNotExcMatch(t) => format!("to {t}"),
            Op::Is(negated) => {
                if *negated {
                    "is not".into()
                } else {
                    "is".into()
                }
            }
            Op::In(negated) => {
                if *negated {
                    "not in".into()
                } else {
                    "in".into()
                }
            }
            Op::UnpackEx(a, b) => format!("{a}, {b}"),
            Op::FormatValue(conversion, spec) => {
                let conversion = if *conversion == 0 {
                    String::new()
                } else {
                    format!("!{}", *conversion as char)
                };
                format!("{conversion}{}", if *spec { " with spec" } else { "" })
            }
            Op::GetAwaitable(context) => format!("{context:?}"),
            Op::BuildTuple(n)
            | Op::BuildList(n)
            | Op::BuildSet(n)
            | Op::BuildMap(n)
            | Op::BuildSlice(n)
            | Op::BuildString(n)
            | Op::ListAppend(n)
            | Op::SetAdd(n)
            | Op::MapAdd(n)
            | Op::ListExtend(n)
            | Op::SetUpdate(n)
            | Op::DictUpdate(n)
            | Op::DictMerge(n)
            | Op::UnpackSequence(n)
            | Op::Call(n)
            | Op::CallKw(n)
            | Op::CallMethod(n) => n.to_string(),
            Op::MakeFunction(flags) => format!("flags {flags}"),
            Op::CallEx(kw) => {
                if *kw {
                    "with keywords".into()
                } else {
                    String::new()
                }
            }
            Op::Raise(n) => n.to_string(),
            _ => String::new(),
        };
        if argument.is_empty() {
            mnemonic
        } else {
            format!("{mnemonic:<20} {argument}")
        }
    }
}
