//! From syntax tree to bytecode.
//!
//! [`compile_module`] parses (via [`crate::syntax`]), runs the scope
//! analysis ([`scope`]) and generates one [`Code`] per module, function,
//! lambda, comprehension and class body. Statements are in
//! [`statements`], expressions in [`expressions`].
//!
//! Invariants:
//! * Every instruction carries the line (and source range) of the node
//!   that produced it: tracebacks and the visualizer's "current line" rely
//!   on it.
//! * `return`, `break` and `continue` unwind the enclosing blocks at
//!   compile time (the "frame blocks" stack), inlining `finally` bodies and
//!   `__exit__` calls as CPython 3.10+ does, so the VM never has to.
//! * Recursion over the tree is bounded by [`MAX_DEPTH`]; deeper trees are
//!   refused with CPython's `RecursionError` message (the syntax guard
//!   already keeps trees shallower than this).

pub mod expressions;
pub mod scope;
pub mod statements;

use std::collections::HashMap;
use std::rc::Rc;

use ruff_python_ast::{self as ast};
use ruff_text_size::{Ranged, TextRange};

use crate::bytecode::{Code, CodeFlags, Op};
use crate::syntax::{self, LineIndex, SourceError, SourceErrorKind};
use crate::value::{PyStr, Value};
use scope::{Access, ScopeKind, ScopeTree};

/// Deepest nesting of expressions/statements the compiler recurses into.
pub const MAX_DEPTH: u32 = 1500;

/// Compiles a whole program (the `__main__` module).
pub fn compile_module(source: &str, filename: &str) -> Result<Rc<Code>, SourceError> {
    let parsed = syntax::parse_module(source)?;
    let index = LineIndex::new(source);
    let module = parsed.syntax();
    let tree = scope::analyze(module, &index)?;
    let mut compiler = Compiler {
        index,
        tree,
        filename: filename.into(),
        units: Vec::new(),
        depth: 0,
    };
    compiler.push_unit(0, "<module>".to_string(), 1);
    if statements::body_has_annotations(&module.body) {
        compiler.emit(Op::SetupAnnotations);
    }
    compiler.compile_body_with_docstring(&module.body, true)?;
    compiler.emit_const(Value::None);
    compiler.emit(Op::Return);
    let code = compiler.pop_unit();
    Ok(code)
}

/// A block the code generator is inside of, for unwinding on `return`,
/// `break` and `continue`.
#[derive(Clone)]
enum FrameBlock<'a> {
    /// A `while` loop: `continue` jumps to `start`; `break` jumps are
    /// collected to be patched to the loop's end.
    WhileLoop { start: u32, breaks: Vec<usize> },
    /// A `for` loop: its iterator is on the stack.
    ForLoop { start: u32, breaks: Vec<usize> },
    /// Inside `try:` of a try/except (`SetupExcept` active).
    TryExcept,
    /// Inside `try:` of a try/finally: the `finally` body to inline.
    TryFinally { body: &'a [ast::Stmt] },
    /// Inside the exceptional `finally` handler: the exception is on the
    /// stack, an except-handler block is pushed.
    FinallyEnd,
    /// Inside an `except` body: the exception is on the stack.
    ExceptHandler,
    /// Inside `except E as name:`: a `finally`-like block clears `name`.
    HandlerCleanup { name: Option<String> },
    /// Inside `with`/`async with`: `__exit__` is on the stack.
    With { is_async: bool },
    /// `async for`: the async iterator is on the stack.
    AsyncForLoop { start: u32, breaks: Vec<usize> },
}

/// The code object being generated.
struct Unit<'a> {
    scope: usize,
    qualname: String,
    first_line: u32,
    ops: Vec<Op>,
    lines: Vec<u32>,
    ranges: Vec<(u32, u32)>,
    consts: Vec<Value>,
    /// Where each simple constant already in `consts` is.
    const_index: HashMap<SimpleConst, u32>,
    names: Vec<Rc<PyStr>>,
    name_index: HashMap<String, u32>,
    varnames: Vec<Rc<PyStr>>,
    var_index: HashMap<String, u32>,
    cellvars: Vec<Rc<PyStr>>,
    freevars: Vec<Rc<PyStr>>,
    blocks: Vec<FrameBlock<'a>>,
    line: u32,
    range: (u32, u32),
    argcount: u32,
    posonlyargcount: u32,
    kwonlyargcount: u32,
    flags: CodeFlags,
    doc: Option<Rc<PyStr>>,
}

pub(crate) struct Compiler<'a> {
    index: LineIndex<'a>,
    tree: ScopeTree,
    filename: Rc<str>,
    units: Vec<Unit<'a>>,
    depth: u32,
}

type CompileResult<T = ()> = Result<T, SourceError>;

impl<'a> Compiler<'a> {
    /// The thread's one `PyStr` for a name (see `value::string::intern`).
    fn intern(&mut self, name: &str) -> Rc<PyStr> {
        crate::value::string::intern(name)
    }

    fn unit(&mut self) -> &mut Unit<'a> {
        self.units.last_mut().expect("a unit is being compiled")
    }

    fn unit_ref(&self) -> &Unit<'a> {
        self.units.last().expect("a unit is being compiled")
    }

    fn scope_kind(&self) -> ScopeKind {
        self.tree.scopes[self.unit_ref().scope].kind
    }

    fn push_unit(&mut self, scope: usize, qualname: String, first_line: u32) {
        let scope_info = &self.tree.scopes[scope];
        let mut cellvars: Vec<String> = scope_info.cells.clone();
        cellvars.sort();
        if scope_info.kind == ScopeKind::Class
            && scope_info.needs_class_cell
            && !cellvars.contains(&"__class__".to_string())
        {
            cellvars.push("__class__".to_string());
        }
        let freevars: Vec<String> = scope_info.frees.clone();
        let mut unit = Unit {
            scope,
            qualname,
            first_line,
            ops: Vec::new(),
            lines: Vec::new(),
            ranges: Vec::new(),
            consts: Vec::new(),
            const_index: HashMap::new(),
            names: Vec::new(),
            name_index: HashMap::new(),
            varnames: Vec::new(),
            var_index: HashMap::new(),
            cellvars: Vec::new(),
            freevars: Vec::new(),
            blocks: Vec::new(),
            line: first_line,
            range: (0, 0),
            argcount: 0,
            posonlyargcount: 0,
            kwonlyargcount: 0,
            flags: CodeFlags::default(),
            doc: None,
        };
        unit.flags.uses_names = matches!(scope_info.kind, ScopeKind::Module | ScopeKind::Class);
        unit.flags.generator = scope_info.is_generator && !scope_info.is_async;
        unit.flags.coroutine = scope_info.is_async
            && !scope_info.is_generator
            && scope_info.kind == ScopeKind::Function;
        unit.flags.async_generator = scope_info.is_async && scope_info.is_generator;
        if scope_info.kind == ScopeKind::Comprehension && scope_info.is_async {
            if scope_info.name == "<genexpr>" {
                unit.flags.async_generator = true;
                unit.flags.generator = false;
            } else {
                unit.flags.coroutine = true;
            }
        }
        let params = scope_info.params.clone();
        let bound = scope_info.bound.clone();
        for cell in &cellvars {
            unit.cellvars.push(self.intern(cell));
        }
        for free in &freevars {
            unit.freevars.push(self.intern(free));
        }
        self.units.push(unit);
        if scope_info_kind_is_function(&self.tree, scope) {
            for name in params {
                self.local_index(&name);
            }
            for name in bound {
                if self.tree.scopes[scope].access(&name) == Access::Fast {
                    self.local_index(&name);
                }
            }
        }
    }

    fn pop_unit(&mut self) -> Rc<Code> {
        let unit = self.units.pop().expect("a unit is being compiled");
        let scope = &self.tree.scopes[unit.scope];
        let name = match scope.kind {
            ScopeKind::Module => "<module>".to_string(),
            _ => scope.name.clone(),
        };
        // Parameters that are also cells are copied into their cells on entry.
        let mut cell_params = Vec::new();
        for (ci, cell) in unit.cellvars.iter().enumerate() {
            if let Some(&li) = unit.var_index.get(cell.as_str()) {
                if (li as usize) < scope.params.len() {
                    cell_params.push((ci as u32, li));
                }
            }
        }
        Rc::new(Code {
            name: self.intern(&name),
            qualname: self.intern(&unit.qualname),
            filename: self.filename.clone(),
            first_line: unit.first_line,
            max_stack: 0,
            caches: crate::vm::inline_cache::InlineCaches::for_ops(&unit.ops),
            ops: unit.ops,
            lines: unit.lines,
            ranges: unit.ranges,
            consts: unit.consts,
            names: unit.names,
            varnames: unit.varnames,
            cellvars: unit.cellvars,
            freevars: unit.freevars,
            cell_params,
            argcount: unit.argcount,
            posonlyargcount: unit.posonlyargcount,
            kwonlyargcount: unit.kwonlyargcount,
            flags: unit.flags,
            doc: unit.doc,
        })
    }

    // ----------------------------------------------------------- emitting

    fn emit(&mut self, op: Op) -> usize {
        let unit = self.unit();
        unit.ops.push(op);
        unit.lines.push(unit.line);
        unit.ranges.push(unit.range);
        unit.ops.len() - 1
    }

    fn here(&self) -> u32 {
        self.unit_ref().ops.len() as u32
    }

    /// Points the jump at `at` to the current position.
    fn patch(&mut self, at: usize) {
        let target = self.here();
        self.patch_to(at, target);
    }

    fn patch_to(&mut self, at: usize, target: u32) {
        let op = &mut self.unit().ops[at];
        *op = match *op {
            Op::Jump(_) => Op::Jump(target),
            Op::PopJumpIfFalse(_) => Op::PopJumpIfFalse(target),
            Op::PopJumpIfTrue(_) => Op::PopJumpIfTrue(target),
            Op::JumpIfFalseOrPop(_) => Op::JumpIfFalseOrPop(target),
            Op::JumpIfTrueOrPop(_) => Op::JumpIfTrueOrPop(target),
            Op::ForIter(_) => Op::ForIter(target),
            Op::SetupExcept(_) => Op::SetupExcept(target),
            Op::SetupFinally(_) => Op::SetupFinally(target),
            Op::SetupWith(_) => Op::SetupWith(target),
            Op::SetupAsyncWith(_) => Op::SetupAsyncWith(target),
            Op::JumpIfNotExcMatch(_) => Op::JumpIfNotExcMatch(target),
            other => other,
        };
    }

    fn add_const(&mut self, value: Value) -> u32 {
        let unit = self.unit();
        // Reuse equal simple constants (a map, so a 200,000-line program
        // compiles in linear time).
        let key = SimpleConst::of(&value);
        if let Some(&i) = key.as_ref().and_then(|key| unit.const_index.get(key)) {
            return i;
        }
        unit.consts.push(value);
        let i = (unit.consts.len() - 1) as u32;
        if let Some(key) = key {
            unit.const_index.insert(key, i);
        }
        i
    }

    fn emit_const(&mut self, value: Value) {
        let index = self.add_const(value);
        self.emit(Op::LoadConst(index));
    }

    fn name_index(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.unit_ref().name_index.get(name) {
            return i;
        }
        let interned = self.intern(name);
        let unit = self.unit();
        unit.names.push(interned);
        let i = (unit.names.len() - 1) as u32;
        unit.name_index.insert(name.to_string(), i);
        i
    }

    fn local_index(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.unit_ref().var_index.get(name) {
            return i;
        }
        let interned = self.intern(name);
        let unit = self.unit();
        unit.varnames.push(interned);
        let i = (unit.varnames.len() - 1) as u32;
        unit.var_index.insert(name.to_string(), i);
        i
    }

    fn deref_index(&self, name: &str) -> u32 {
        let unit = self.unit_ref();
        if let Some(i) = unit.cellvars.iter().position(|c| c.as_str() == name) {
            return i as u32;
        }
        let i = unit
            .freevars
            .iter()
            .position(|c| c.as_str() == name)
            .unwrap_or(0);
        (unit.cellvars.len() + i) as u32
    }

    /// Sets the line and range that the next instructions carry.
    fn set_location(&mut self, range: TextRange) {
        let (line, _) = self.index.position(range.start().into());
        let unit = self.unit();
        unit.line = line;
        unit.range = (range.start().into(), range.end().into());
    }

    fn error(&self, range: TextRange, message: impl Into<String>) -> SourceError {
        let (line, column) = self.index.position(range.start().into());
        SourceError::new(SourceErrorKind::SyntaxError, message, line, column)
    }

    fn unsupported(&self, range: TextRange, what: &str) -> SourceError {
        let (line, column) = self.index.position(range.start().into());
        SourceError::new(
            SourceErrorKind::Unsupported,
            format!("{what} is not supported"),
            line,
            column,
        )
    }

    fn enter(&mut self, range: TextRange) -> CompileResult {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let (line, column) = self.index.position(range.start().into());
            return Err(SourceError::new(
                SourceErrorKind::RecursionError,
                "maximum recursion depth exceeded during compilation",
                line,
                column,
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ----------------------------------------------------------- names

    fn access(&self, name: &str) -> Access {
        self.tree.scopes[self.unit_ref().scope].access(name)
    }

    fn load_name(&mut self, name: &str) {
        match self.access(name) {
            Access::Fast => {
                let i = self.local_index(name);
                self.emit(Op::LoadFast(i));
            }
            Access::Deref => {
                let i = self.deref_index(name);
                self.emit(Op::LoadDeref(i));
            }
            Access::ClassDeref => {
                let i = self.deref_index(name);
                self.emit(Op::LoadClassDeref(i));
            }
            Access::Global => {
                let i = self.name_index(name);
                self.emit(Op::LoadGlobal(i));
            }
            Access::Name => {
                let i = self.name_index(name);
                self.emit(Op::LoadName(i));
            }
        }
    }

    fn store_name(&mut self, name: &str) {
        match self.access(name) {
            Access::Fast => {
                let i = self.local_index(name);
                self.emit(Op::StoreFast(i));
            }
            Access::Deref | Access::ClassDeref => {
                let i = self.deref_index(name);
                self.emit(Op::StoreDeref(i));
            }
            Access::Global => {
                let i = self.name_index(name);
                self.emit(Op::StoreGlobal(i));
            }
            Access::Name => {
                let i = self.name_index(name);
                self.emit(Op::StoreName(i));
            }
        }
    }

    fn delete_name(&mut self, name: &str) {
        match self.access(name) {
            Access::Fast => {
                let i = self.local_index(name);
                self.emit(Op::DeleteFast(i));
            }
            Access::Deref | Access::ClassDeref => {
                let i = self.deref_index(name);
                self.emit(Op::DeleteDeref(i));
            }
            Access::Global => {
                let i = self.name_index(name);
                self.emit(Op::DeleteGlobal(i));
            }
            Access::Name => {
                let i = self.name_index(name);
                self.emit(Op::DeleteName(i));
            }
        }
    }

    // ----------------------------------------------------------- bodies

    fn compile_body_with_docstring(
        &mut self,
        body: &'a [ast::Stmt],
        store_doc: bool,
    ) -> CompileResult {
        let mut rest = body;
        if let Some(ast::Stmt::Expr(first)) = body.first() {
            if let ast::Expr::StringLiteral(s) = first.value.as_ref() {
                let doc = s.value.to_str().to_string();
                if store_doc {
                    self.set_location(first.range);
                    self.emit_const(Value::string(doc.clone()));
                    self.store_name("__doc__");
                }
                self.unit().doc = Some(Rc::new(PyStr::from_string(doc)));
                rest = &body[1..];
            }
        }
        for stmt in rest {
            self.compile_stmt(stmt)?;
        }
        Ok(())
    }

    /// Compiles a function-like body into its own code object and emits the
    /// instructions that make the function (defaults, closure) on the stack.
    fn make_closure(&mut self, code: Rc<Code>, mut flags: u8) {
        if !code.freevars.is_empty() {
            for free in code.freevars.clone().iter() {
                let i = self.deref_index(free.as_str());
                self.emit(Op::LoadClosure(i));
            }
            self.emit(Op::BuildTuple(code.freevars.len() as u32));
            flags |= crate::bytecode::make_function::CLOSURE;
        }
        self.emit_const(Value::Code(code.clone()));
        self.emit_const(Value::Str(code.qualname.clone()));
        self.emit(Op::MakeFunction(flags));
    }
}

fn scope_info_kind_is_function(tree: &ScopeTree, scope: usize) -> bool {
    matches!(
        tree.scopes[scope].kind,
        ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension
    )
}

/// Qualified name of a definition nested in the current unit.
fn nested_qualname(parent_qualname: &str, parent_kind: ScopeKind, name: &str) -> String {
    match parent_kind {
        ScopeKind::Module => name.to_string(),
        ScopeKind::Class => format!("{parent_qualname}.{name}"),
        _ => format!("{parent_qualname}.<locals>.{name}"),
    }
}

impl<'a> Compiler<'a> {
    fn child_qualname(&self, name: &str) -> String {
        nested_qualname(&self.unit_ref().qualname, self.scope_kind(), name)
    }

    fn scope_for(&self, node: &impl Ranged) -> usize {
        self.tree
            .scope_of(node.range())
            .expect("every scope-opening node was analysed")
    }
}

/// The identity of a constant the compiler shares between uses: equal
/// values of the same type (floats by their bits, so `0.0` and `-0.0`
/// stay apart, as CPython's `_PyCode_ConstantKey` keeps them).
#[derive(PartialEq, Eq, Hash)]
enum SimpleConst {
    None,
    Ellipsis,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(String),
}

impl SimpleConst {
    fn of(value: &Value) -> Option<SimpleConst> {
        Some(match value {
            Value::None => SimpleConst::None,
            Value::Ellipsis => SimpleConst::Ellipsis,
            Value::Bool(b) => SimpleConst::Bool(*b),
            Value::Int(i) => SimpleConst::Int(*i),
            Value::Float(f) => SimpleConst::Float(f.to_bits()),
            Value::Str(s) => SimpleConst::Str(s.as_str().to_string()),
            _ => return None,
        })
    }
}
