//! Scope analysis (CPython's symtable): for every function, class,
//! lambda and comprehension, which names are local, which live in cells,
//! which come from an enclosing function, and which are global.
//!
//! Rules follow CPython 3.11 Python/symtable.c: a name bound anywhere in a
//! function is local to it unless declared `global`/`nonlocal`; a free name
//! resolves to the nearest enclosing *function* scope that binds it (class
//! bodies are skipped); otherwise it is global. Functions that mention
//! `super` or `__class__` inside a class get the implicit `__class__` cell.

use std::collections::{HashMap, HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::TextRange;

use crate::syntax::{LineIndex, SourceError, SourceErrorKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    Function,
    Lambda,
    Comprehension,
}

impl ScopeKind {
    fn is_function_like(self) -> bool {
        matches!(
            self,
            ScopeKind::Function | ScopeKind::Lambda | ScopeKind::Comprehension
        )
    }
}

/// How the code generator reaches a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A fast local of a function.
    Fast,
    /// A cell or free variable (closure).
    Deref,
    /// Declared or implicitly global from a function.
    Global,
    /// Module and class bodies: the namespace.
    Name,
    /// A class body reading a free variable: namespace, then the cell.
    ClassDeref,
}

#[derive(Debug)]
pub struct Scope {
    pub kind: ScopeKind,
    pub name: String,
    pub params: Vec<String>,
    /// Names bound in this scope, in order of first binding.
    pub bound: Vec<String>,
    bound_set: HashSet<String>,
    pub globals: HashSet<String>,
    pub nonlocals: HashSet<String>,
    /// Names read in this scope, in order of first use.
    pub used: Vec<String>,
    used_set: HashSet<String>,
    pub children: Vec<usize>,
    pub parent: Option<usize>,
    pub is_generator: bool,
    pub is_async: bool,
    pub has_await: bool,
    /// Cell variables, in a stable order.
    pub cells: Vec<String>,
    /// Free variables, in a stable order.
    pub frees: Vec<String>,
    /// The class body provides the `__class__` cell.
    pub needs_class_cell: bool,
}

impl Scope {
    fn new(kind: ScopeKind, name: &str, parent: Option<usize>) -> Self {
        Scope {
            kind,
            name: name.to_string(),
            params: Vec::new(),
            bound: Vec::new(),
            bound_set: HashSet::new(),
            globals: HashSet::new(),
            nonlocals: HashSet::new(),
            used: Vec::new(),
            used_set: HashSet::new(),
            children: Vec::new(),
            parent,
            is_generator: false,
            is_async: false,
            has_await: false,
            cells: Vec::new(),
            frees: Vec::new(),
            needs_class_cell: false,
        }
    }

    fn bind(&mut self, name: &str) {
        if self.bound_set.insert(name.to_string()) {
            self.bound.push(name.to_string());
        }
    }

    fn use_name(&mut self, name: &str) {
        if self.used_set.insert(name.to_string()) {
            self.used.push(name.to_string());
        }
    }

    /// Bound here as a local (not declared global or nonlocal).
    pub fn binds_locally(&self, name: &str) -> bool {
        self.bound_set.contains(name)
            && !self.globals.contains(name)
            && !self.nonlocals.contains(name)
    }

    /// How the code of this scope reaches `name`.
    pub fn access(&self, name: &str) -> Access {
        if self.globals.contains(name) {
            return Access::Global;
        }
        let is_cell = self.cells.iter().any(|c| c == name);
        let is_free = self.frees.iter().any(|c| c == name);
        match self.kind {
            ScopeKind::Module => Access::Name,
            ScopeKind::Class => {
                if is_free && !self.bound_set.contains(name) {
                    Access::ClassDeref
                } else if is_free && self.nonlocals.contains(name) {
                    Access::Deref
                } else {
                    Access::Name
                }
            }
            _ => {
                if is_cell || is_free {
                    Access::Deref
                } else if self.bound_set.contains(name) {
                    Access::Fast
                } else {
                    Access::Global
                }
            }
        }
    }
}

/// All scopes of a module; scope 0 is the module. Child scopes are found
/// by the source range of the node that opens them.
pub struct ScopeTree {
    pub scopes: Vec<Scope>,
    by_range: HashMap<(u32, u32), usize>,
}

impl ScopeTree {
    pub fn scope_of(&self, range: TextRange) -> Option<usize> {
        self.by_range
            .get(&(range.start().into(), range.end().into()))
            .copied()
    }
}

struct Builder<'a> {
    scopes: Vec<Scope>,
    by_range: HashMap<(u32, u32), usize>,
    current: usize,
    /// Loop nesting in the current scope, for `break`/`continue` checks.
    loops: Vec<u32>,
    index: &'a LineIndex<'a>,
    error: Option<SourceError>,
}

/// Builds the scope tree of a module and resolves every name.
pub fn analyze(module: &ast::ModModule, index: &LineIndex) -> Result<ScopeTree, SourceError> {
    let mut builder = Builder {
        scopes: vec![Scope::new(ScopeKind::Module, "<module>", None)],
        by_range: HashMap::new(),
        current: 0,
        loops: vec![0],
        index,
        error: None,
    };
    builder.visit_body(&module.body);
    if let Some(error) = builder.error {
        return Err(error);
    }
    let mut tree = ScopeTree {
        scopes: builder.scopes,
        by_range: builder.by_range,
    };
    resolve(&mut tree, index)?;
    Ok(tree)
}

impl<'a> Builder<'a> {
    fn fail(&mut self, range: TextRange, message: impl Into<String>) {
        if self.error.is_none() {
            let (line, column) = self.index.position(range.start().into());
            self.error = Some(SourceError::new(
                SourceErrorKind::SyntaxError,
                message,
                line,
                column,
            ));
        }
    }

    fn scope(&mut self) -> &mut Scope {
        &mut self.scopes[self.current]
    }

    fn push_scope(&mut self, kind: ScopeKind, name: &str, range: TextRange) -> usize {
        let id = self.scopes.len();
        self.scopes.push(Scope::new(kind, name, Some(self.current)));
        self.scopes[self.current].children.push(id);
        self.by_range
            .insert((range.start().into(), range.end().into()), id);
        let parent = self.current;
        self.current = id;
        self.loops.push(0);
        parent
    }

    fn pop_scope(&mut self, parent: usize) {
        self.current = parent;
        self.loops.pop();
    }

    fn bind_name(&mut self, name: &str, _range: TextRange) {
        self.scope().bind(name);
    }

    /// Binds the names of an assignment target, visiting the expressions
    /// inside it (subscripts, attributes) as uses.
    fn bind_target(&mut self, target: &'a Expr) {
        match target {
            Expr::Name(name) => self.bind_name(name.id.as_str(), name.range),
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.bind_target(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.bind_target(e)),
            Expr::Starred(s) => self.bind_target(&s.value),
            other => self.visit_expr(other),
        }
    }

    fn visit_parameters_defaults(&mut self, parameters: &'a ast::Parameters) {
        for p in parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .chain(&parameters.kwonlyargs)
        {
            if let Some(default) = &p.default {
                self.visit_expr(default);
            }
        }
        for p in parameters.iter_non_variadic_params() {
            if let Some(annotation) = &p.parameter.annotation {
                self.visit_expr(annotation);
            }
        }
    }

    fn bind_parameters(&mut self, parameters: &ast::Parameters) {
        let mut names: Vec<(String, TextRange)> = Vec::new();
        for p in parameters.posonlyargs.iter().chain(&parameters.args) {
            names.push((p.parameter.name.id.to_string(), p.parameter.name.range));
        }
        for p in &parameters.kwonlyargs {
            names.push((p.parameter.name.id.to_string(), p.parameter.name.range));
        }
        if let Some(v) = &parameters.vararg {
            names.push((v.name.id.to_string(), v.name.range));
        }
        if let Some(k) = &parameters.kwarg {
            names.push((k.name.id.to_string(), k.name.range));
        }
        for (name, range) in names {
            if self.scope().params.contains(&name) {
                self.fail(
                    range,
                    format!("duplicate argument '{name}' in function definition"),
                );
            }
            self.scope().params.push(name.clone());
            self.scope().bind(&name);
        }
    }

    fn comprehension(
        &mut self,
        range: TextRange,
        name: &str,
        generators: &'a [ast::Comprehension],
        elements: &[&'a Expr],
    ) {
        // The first iterable is evaluated in the enclosing scope.
        if let Some(first) = generators.first() {
            self.visit_expr(&first.iter);
        }
        let is_generator_expression = name == "<genexpr>";
        let parent_is_async = self.scopes[self.current].is_async;
        let parent = self.push_scope(ScopeKind::Comprehension, name, range);
        self.scope().params.push(".0".to_string());
        self.scope().bind(".0");
        for (i, generator) in generators.iter().enumerate() {
            if i > 0 {
                self.visit_expr(&generator.iter);
            }
            self.bind_target(&generator.target);
            for condition in &generator.ifs {
                self.visit_expr(condition);
            }
            if generator.is_async {
                self.scope().is_async = true;
            }
        }
        for element in elements {
            self.visit_expr(element);
        }
        if is_generator_expression {
            self.scope().is_generator = true;
        }
        let is_async = self.scopes[self.current].is_async || self.scopes[self.current].has_await;
        if is_async && !is_generator_expression {
            self.scope().is_async = true;
            if !parent_is_async {
                self.fail(
                    range,
                    "asynchronous comprehension outside of an asynchronous function",
                );
            }
        }
        if is_async && is_generator_expression {
            self.scope().is_async = true;
        }
        self.pop_scope(parent);
    }
}

impl<'a> Visitor<'a> for Builder<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.error.is_some() {
            return;
        }
        match stmt {
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                self.visit_parameters_defaults(&def.parameters);
                if let Some(returns) = &def.returns {
                    self.visit_expr(returns);
                }
                self.bind_name(def.name.id.as_str(), def.name.range);
                let parent = self.push_scope(ScopeKind::Function, def.name.id.as_str(), def.range);
                self.scope().is_async = def.is_async;
                self.bind_parameters(&def.parameters);
                self.visit_body(&def.body);
                self.pop_scope(parent);
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_expr(&decorator.expression);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                self.bind_name(class.name.id.as_str(), class.name.range);
                let parent = self.push_scope(ScopeKind::Class, class.name.id.as_str(), class.range);
                self.visit_body(&class.body);
                self.pop_scope(parent);
            }
            Stmt::Return(ret) => {
                if !self.scopes[self.current].kind.is_function_like() {
                    self.fail(ret.range, "'return' outside function");
                }
                if let Some(value) = &ret.value {
                    self.visit_expr(value);
                }
            }
            Stmt::Global(global) => {
                for name in &global.names {
                    let n = name.id.as_str();
                    let scope = &self.scopes[self.current];
                    if scope.used_set.contains(n) {
                        self.fail(
                            name.range,
                            format!("name '{n}' is used prior to global declaration"),
                        );
                    } else if scope.bound_set.contains(n) {
                        self.fail(
                            name.range,
                            format!("name '{n}' is assigned to before global declaration"),
                        );
                    } else if scope.params.iter().any(|p| p == n) {
                        self.fail(name.range, format!("name '{n}' is parameter and global"));
                    }
                    self.scope().globals.insert(n.to_string());
                }
            }
            Stmt::Nonlocal(nonlocal) => {
                if self.scopes[self.current].kind == ScopeKind::Module {
                    self.fail(
                        nonlocal.range,
                        "nonlocal declaration not allowed at module level",
                    );
                }
                for name in &nonlocal.names {
                    let n = name.id.as_str();
                    let scope = &self.scopes[self.current];
                    if scope.used_set.contains(n) {
                        self.fail(
                            name.range,
                            format!("name '{n}' is used prior to nonlocal declaration"),
                        );
                    } else if scope.bound_set.contains(n) {
                        self.fail(
                            name.range,
                            format!("name '{n}' is assigned to before nonlocal declaration"),
                        );
                    } else if scope.params.iter().any(|p| p == n) {
                        self.fail(name.range, format!("name '{n}' is parameter and nonlocal"));
                    }
                    self.scope().nonlocals.insert(n.to_string());
                }
            }
            Stmt::Assign(assign) => {
                self.visit_expr(&assign.value);
                for target in &assign.targets {
                    self.bind_target(target);
                }
            }
            Stmt::AugAssign(aug) => {
                self.visit_expr(&aug.value);
                if let Expr::Name(name) = aug.target.as_ref() {
                    self.scope().use_name(name.id.as_str());
                }
                self.bind_target(&aug.target);
            }
            Stmt::AnnAssign(ann) => {
                if let Some(value) = &ann.value {
                    self.visit_expr(value);
                }
                if self.scopes[self.current].kind != ScopeKind::Function || !ann.simple {
                    self.visit_expr(&ann.annotation);
                }
                if ann.value.is_some() || !matches!(ann.target.as_ref(), Expr::Name(_)) {
                    self.bind_target(&ann.target);
                } else if let Expr::Name(name) = ann.target.as_ref() {
                    // `x: int` alone still makes x local in a function.
                    self.bind_name(name.id.as_str(), name.range);
                }
            }
            Stmt::For(for_stmt) => {
                if for_stmt.is_async && !self.scopes[self.current].is_async {
                    self.fail(for_stmt.range, "'async for' outside async function");
                }
                self.visit_expr(&for_stmt.iter);
                self.bind_target(&for_stmt.target);
                *self.loops.last_mut().expect("loop stack") += 1;
                self.visit_body(&for_stmt.body);
                *self.loops.last_mut().expect("loop stack") -= 1;
                self.visit_body(&for_stmt.orelse);
            }
            Stmt::While(while_stmt) => {
                self.visit_expr(&while_stmt.test);
                *self.loops.last_mut().expect("loop stack") += 1;
                self.visit_body(&while_stmt.body);
                *self.loops.last_mut().expect("loop stack") -= 1;
                self.visit_body(&while_stmt.orelse);
            }
            Stmt::Break(b) => {
                if *self.loops.last().expect("loop stack") == 0 {
                    self.fail(b.range, "'break' outside loop");
                }
            }
            Stmt::Continue(c) => {
                if *self.loops.last().expect("loop stack") == 0 {
                    self.fail(c.range, "'continue' not properly in loop");
                }
            }
            Stmt::With(with) => {
                if with.is_async && !self.scopes[self.current].is_async {
                    self.fail(with.range, "'async with' outside async function");
                }
                for item in &with.items {
                    self.visit_expr(&item.context_expr);
                    if let Some(vars) = &item.optional_vars {
                        self.bind_target(vars);
                    }
                }
                self.visit_body(&with.body);
            }
            Stmt::Try(try_stmt) => {
                self.visit_body(&try_stmt.body);
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    if let Some(t) = &h.type_ {
                        self.visit_expr(t);
                    }
                    if let Some(name) = &h.name {
                        self.bind_name(name.id.as_str(), name.range);
                    }
                    self.visit_body(&h.body);
                }
                self.visit_body(&try_stmt.orelse);
                self.visit_body(&try_stmt.finalbody);
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let bound = match &alias.asname {
                        Some(asname) => asname.id.to_string(),
                        None => alias.name.id.split('.').next().unwrap_or("").to_string(),
                    };
                    self.bind_name(&bound, alias.range);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    if alias.name.id.as_str() == "*" {
                        if self.scopes[self.current].kind != ScopeKind::Module {
                            self.fail(import.range, "import * only allowed at module level");
                        }
                        continue;
                    }
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).id.to_string();
                    self.bind_name(&bound, alias.range);
                }
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    self.bind_target(target);
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.error.is_some() {
            return;
        }
        match expr {
            Expr::Name(name) => match name.ctx {
                ast::ExprContext::Load => {
                    let n = name.id.as_str();
                    self.scope().use_name(n);
                    if n == "super" {
                        self.scope().use_name("__class__");
                    }
                }
                _ => self.bind_name(name.id.as_str(), name.range),
            },
            Expr::Named(named) => {
                self.visit_expr(&named.value);
                // The target binds in the nearest non-comprehension scope.
                let mut target_scope = self.current;
                while self.scopes[target_scope].kind == ScopeKind::Comprehension {
                    target_scope = self.scopes[target_scope].parent.unwrap_or(0);
                }
                if let Expr::Name(name) = named.target.as_ref() {
                    if self.scopes[target_scope].kind == ScopeKind::Class
                        && target_scope != self.current
                    {
                        self.fail(named.range, "assignment expression within a comprehension cannot be used in a class body");
                    }
                    self.scopes[target_scope].bind(name.id.as_str());
                    if target_scope != self.current {
                        // Visible to the comprehension as a free variable
                        // (or a global at module level).
                        if self.scopes[target_scope].kind == ScopeKind::Module {
                            self.scope().globals.insert(name.id.to_string());
                        } else {
                            self.scope().nonlocals.insert(name.id.to_string());
                        }
                        self.scope().bind(name.id.as_str());
                    }
                }
            }
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    self.visit_parameters_defaults(parameters);
                }
                let parent = self.push_scope(ScopeKind::Lambda, "<lambda>", lambda.range);
                if let Some(parameters) = &lambda.parameters {
                    self.bind_parameters(parameters);
                }
                self.visit_expr(&lambda.body);
                self.pop_scope(parent);
            }
            Expr::ListComp(c) => {
                self.comprehension(c.range, "<listcomp>", &c.generators, &[&c.elt])
            }
            Expr::SetComp(c) => self.comprehension(c.range, "<setcomp>", &c.generators, &[&c.elt]),
            Expr::Generator(c) => {
                self.comprehension(c.range, "<genexpr>", &c.generators, &[&c.elt])
            }
            Expr::DictComp(c) => match &c.key {
                Some(key) => {
                    self.comprehension(c.range, "<dictcomp>", &c.generators, &[key, &c.value])
                }
                None => self.comprehension(c.range, "<dictcomp>", &c.generators, &[&c.value]),
            },
            Expr::Yield(y) => {
                self.check_yield(y.range);
                if let Some(value) = &y.value {
                    self.visit_expr(value);
                }
            }
            Expr::YieldFrom(y) => {
                self.check_yield(y.range);
                if self.scopes[self.current].is_async {
                    self.fail(y.range, "'yield from' inside async function");
                }
                self.visit_expr(&y.value);
            }
            Expr::Await(a) => {
                let scope = &self.scopes[self.current];
                match scope.kind {
                    ScopeKind::Module | ScopeKind::Class | ScopeKind::Lambda => {
                        self.fail(a.range, "'await' outside function")
                    }
                    ScopeKind::Function if !scope.is_async => {
                        self.fail(a.range, "'await' outside async function")
                    }
                    ScopeKind::Comprehension => {
                        // Allowed when the enclosing function is async.
                        let mut outer = scope.parent;
                        while let Some(o) = outer {
                            if self.scopes[o].kind != ScopeKind::Comprehension {
                                break;
                            }
                            outer = self.scopes[o].parent;
                        }
                        if outer.is_some_and(|o| !self.scopes[o].is_async) {
                            self.fail(
                                a.range,
                                "asynchronous comprehension outside of an asynchronous function",
                            );
                        }
                    }
                    _ => {}
                }
                self.scope().has_await = true;
                self.visit_expr(&a.value);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

impl Builder<'_> {
    fn check_yield(&mut self, range: TextRange) {
        let scope = &self.scopes[self.current];
        match scope.kind {
            ScopeKind::Module | ScopeKind::Class => self.fail(range, "'yield' outside function"),
            ScopeKind::Comprehension if scope.name != "<genexpr>" => {
                let what = match scope.name.as_str() {
                    "<listcomp>" => "list comprehension",
                    "<setcomp>" => "set comprehension",
                    _ => "dict comprehension",
                };
                self.fail(range, format!("'yield' inside {what}"))
            }
            ScopeKind::Comprehension => self.fail(range, "'yield' inside generator expression"),
            _ => self.scope().is_generator = true,
        }
    }
}

/// Second pass: decide cells and free variables.
fn resolve(tree: &mut ScopeTree, index: &LineIndex) -> Result<(), SourceError> {
    // Nonlocal declarations must find a binding in an enclosing function.
    for id in 0..tree.scopes.len() {
        let mut names: Vec<String> = tree.scopes[id].nonlocals.iter().cloned().collect();
        names.sort();
        for name in names {
            if find_binding(tree, id, &name).is_none() {
                let _ = index;
                return Err(SourceError::new(
                    SourceErrorKind::SyntaxError,
                    format!("no binding for nonlocal '{name}' found"),
                    1,
                    1,
                ));
            }
        }
    }
    for id in 0..tree.scopes.len() {
        let scope = &tree.scopes[id];
        let mut candidates: Vec<String> = Vec::new();
        for name in scope.used.iter().chain(scope.bound.iter()) {
            let free_here = if scope.nonlocals.contains(name) {
                true
            } else {
                !scope.globals.contains(name)
                    && !scope.bound_set.contains(name)
                    && scope.kind != ScopeKind::Module
            };
            if free_here && !candidates.contains(name) {
                candidates.push(name.clone());
            }
        }
        for name in candidates {
            if let Some(owner) = find_binding(tree, id, &name) {
                mark_free_path(tree, id, owner, &name);
            }
        }
    }
    Ok(())
}

/// The nearest enclosing function-like scope (or, for `__class__`, class)
/// that binds `name` locally.
fn find_binding(tree: &ScopeTree, from: usize, name: &str) -> Option<usize> {
    let mut current = tree.scopes[from].parent;
    while let Some(id) = current {
        let scope = &tree.scopes[id];
        if scope.kind == ScopeKind::Class && name == "__class__" {
            return Some(id);
        }
        if scope.kind.is_function_like() {
            if scope.globals.contains(name) {
                return None;
            }
            if scope.binds_locally(name) {
                return Some(id);
            }
        }
        if scope.kind == ScopeKind::Module {
            return None;
        }
        current = scope.parent;
    }
    None
}

fn mark_free_path(tree: &mut ScopeTree, from: usize, owner: usize, name: &str) {
    {
        let owner_scope = &mut tree.scopes[owner];
        if owner_scope.kind == ScopeKind::Class {
            owner_scope.needs_class_cell = true;
        }
        if !owner_scope.cells.iter().any(|c| c == name) {
            owner_scope.cells.push(name.to_string());
        }
    }
    let mut current = Some(from);
    while let Some(id) = current {
        if id == owner {
            break;
        }
        let scope = &mut tree.scopes[id];
        if !scope.frees.iter().any(|c| c == name) {
            scope.frees.push(name.to_string());
        }
        current = scope.parent;
    }
}
