//! Code generation for statements.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::scope::ScopeKind;
use super::{CompileResult, Compiler, FrameBlock};
use crate::bytecode::{make_function, AwaitContext, Op};
use crate::value::Value;

/// Where an unwinding jump goes.
enum Exit {
    Return,
    Break,
    Continue,
}

impl<'a> Compiler<'a> {
    pub(super) fn compile_stmt(&mut self, stmt: &'a Stmt) -> CompileResult {
        self.enter(stmt.range())?;
        self.set_location(stmt.range());
        let result = self.compile_stmt_inner(stmt);
        self.leave();
        result
    }

    fn compile_body(&mut self, body: &'a [Stmt]) -> CompileResult {
        for stmt in body {
            self.compile_stmt(stmt)?;
        }
        Ok(())
    }

    fn compile_stmt_inner(&mut self, stmt: &'a Stmt) -> CompileResult {
        match stmt {
            Stmt::Expr(e) => {
                self.compile_expr(&e.value)?;
                self.emit(Op::Pop);
            }
            Stmt::Assign(assign) => {
                self.compile_expr(&assign.value)?;
                let count = assign.targets.len();
                for (i, target) in assign.targets.iter().enumerate() {
                    if i + 1 < count {
                        self.emit(Op::Dup);
                    }
                    self.compile_store(target)?;
                }
            }
            Stmt::AugAssign(aug) => self.compile_aug_assign(aug)?,
            Stmt::AnnAssign(ann) => self.compile_ann_assign(ann)?,
            Stmt::Pass(_) => {
                self.emit(Op::Nop);
            }
            Stmt::If(if_stmt) => self.compile_if(if_stmt)?,
            Stmt::While(w) => self.compile_while(w)?,
            Stmt::For(f) => {
                if f.is_async {
                    self.compile_async_for(f)?
                } else {
                    self.compile_for(f)?
                }
            }
            Stmt::Break(_) => self.compile_exit(Exit::Break, stmt.range())?,
            Stmt::Continue(_) => self.compile_exit(Exit::Continue, stmt.range())?,
            Stmt::Return(ret) => {
                let scope = &self.tree.scopes[self.unit_ref().scope];
                if ret.value.is_some() && scope.is_async && scope.is_generator {
                    return Err(self.error(ret.range, "'return' with value in async generator"));
                }
                match &ret.value {
                    Some(value) => self.compile_expr(value)?,
                    None => self.emit_const(Value::None),
                }
                self.compile_exit(Exit::Return, ret.range)?;
            }
            Stmt::FunctionDef(def) => self.compile_function_def(def)?,
            Stmt::ClassDef(class) => self.compile_class_def(class)?,
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    self.compile_delete(target)?;
                }
            }
            Stmt::Raise(raise) => {
                let mut count = 0;
                if let Some(exc) = &raise.exc {
                    self.compile_expr(exc)?;
                    count = 1;
                    if let Some(cause) = &raise.cause {
                        self.compile_expr(cause)?;
                        count = 2;
                    }
                }
                self.set_location(raise.range);
                self.emit(Op::Raise(count));
            }
            Stmt::Try(try_stmt) => {
                if try_stmt.finalbody.is_empty() {
                    self.compile_try_except(
                        &try_stmt.body,
                        &try_stmt.handlers,
                        &try_stmt.orelse,
                        try_stmt.is_star,
                    )?;
                } else {
                    self.compile_try_finally(try_stmt)?;
                }
            }
            Stmt::With(with) => self.compile_with(with, 0)?,
            Stmt::Assert(assert) => {
                self.compile_expr(&assert.test)?;
                let jump = self.emit(Op::PopJumpIfTrue(0));
                self.set_location(last_comparison(&assert.test).unwrap_or(assert.range));
                self.emit(Op::LoadAssertionError);
                if let Some(msg) = &assert.msg {
                    self.compile_expr(msg)?;
                    self.emit(Op::Call(1));
                }
                self.emit(Op::Raise(1));
                self.patch(jump);
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let name = alias.name.id.as_str();
                    self.emit_const(Value::Int(0));
                    match &alias.asname {
                        Some(asname) => {
                            // `import a.b as c` binds the leaf module.
                            self.emit_const(Value::Bool(name.contains('.')));
                            let i = self.name_index(name);
                            self.emit(Op::ImportName(i));
                            self.store_name(asname.id.as_str());
                        }
                        None => {
                            self.emit_const(Value::None);
                            let i = self.name_index(name);
                            self.emit(Op::ImportName(i));
                            self.store_name(name.split('.').next().unwrap_or(name));
                        }
                    }
                }
            }
            Stmt::ImportFrom(import) => {
                let module = import
                    .module
                    .as_ref()
                    .map(|m| m.id.to_string())
                    .unwrap_or_default();
                self.emit_const(Value::Int(import.level as i64));
                let names: Vec<Value> = import
                    .names
                    .iter()
                    .map(|a| Value::str(a.name.id.as_str()))
                    .collect();
                self.emit_const(Value::tuple(names));
                let i = self.name_index(&module);
                self.emit(Op::ImportName(i));
                if import.names.len() == 1 && import.names[0].name.id.as_str() == "*" {
                    self.emit(Op::ImportStar);
                } else {
                    for alias in &import.names {
                        let i = self.name_index(alias.name.id.as_str());
                        self.emit(Op::ImportFrom(i));
                        let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                        self.store_name(bound.id.as_str());
                    }
                    self.emit(Op::Pop);
                }
            }
            Stmt::Global(_) | Stmt::Nonlocal(_) => {}
            Stmt::Match(m) => return Err(self.unsupported(m.range, "the match statement")),
            Stmt::TypeAlias(t) => return Err(self.error(t.range, "invalid syntax")),
            Stmt::IpyEscapeCommand(c) => return Err(self.error(c.range, "invalid syntax")),
        }
        Ok(())
    }

    // ----------------------------------------------------------- assignment

    /// Stores the value on top of the stack into a target.
    pub(super) fn compile_store(&mut self, target: &'a Expr) -> CompileResult {
        match target {
            Expr::Name(name) => self.store_name(name.id.as_str()),
            Expr::Attribute(attr) => {
                self.compile_expr(&attr.value)?;
                self.set_location(attr.range);
                let i = self.name_index(attr.attr.id.as_str());
                self.emit(Op::StoreAttr(i));
            }
            Expr::Subscript(sub) => {
                self.compile_expr(&sub.value)?;
                self.compile_slice_or_expr(&sub.slice)?;
                self.set_location(sub.range);
                self.emit(Op::StoreSubscript);
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                self.compile_unpack(elts, target.range())?;
                for element in elts {
                    match element {
                        Expr::Starred(starred) => self.compile_store(&starred.value)?,
                        other => self.compile_store(other)?,
                    }
                }
            }
            Expr::Starred(s) => {
                return Err(self.error(
                    s.range,
                    "starred assignment target must be in a list or tuple",
                ))
            }
            other => return Err(self.error(other.range(), "cannot assign to expression")),
        }
        Ok(())
    }

    fn compile_unpack(&mut self, elements: &[Expr], range: TextRange) -> CompileResult {
        let star = elements.iter().position(|e| matches!(e, Expr::Starred(_)));
        self.set_location(range);
        match star {
            None => {
                self.emit(Op::UnpackSequence(elements.len() as u32));
            }
            Some(position) => {
                if elements
                    .iter()
                    .filter(|e| matches!(e, Expr::Starred(_)))
                    .count()
                    > 1
                {
                    return Err(self.error(range, "multiple starred expressions in assignment"));
                }
                let after = elements.len() - position - 1;
                self.emit(Op::UnpackEx(position as u32, after as u32));
            }
        }
        Ok(())
    }

    fn compile_delete(&mut self, target: &'a Expr) -> CompileResult {
        match target {
            Expr::Name(name) => self.delete_name(name.id.as_str()),
            Expr::Attribute(attr) => {
                self.compile_expr(&attr.value)?;
                let i = self.name_index(attr.attr.id.as_str());
                self.set_location(attr.range);
                self.emit(Op::DeleteAttr(i));
            }
            Expr::Subscript(sub) => {
                self.compile_expr(&sub.value)?;
                self.compile_slice_or_expr(&sub.slice)?;
                self.set_location(sub.range);
                self.emit(Op::DeleteSubscript);
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for element in elts {
                    self.compile_delete(element)?;
                }
            }
            other => return Err(self.error(other.range(), "cannot delete expression")),
        }
        Ok(())
    }

    fn compile_aug_assign(&mut self, aug: &'a ast::StmtAugAssign) -> CompileResult {
        let op = Self::binop(aug.op);
        match aug.target.as_ref() {
            Expr::Name(name) => {
                self.load_name(name.id.as_str());
                self.compile_expr(&aug.value)?;
                self.set_location(aug.range);
                self.emit(Op::InPlace(op));
                self.store_name(name.id.as_str());
            }
            // CPython compiler.c `compiler_augassign`: the target's load and
            // store are at the target, the operation at the statement.
            Expr::Attribute(attr) => {
                self.compile_expr(&attr.value)?;
                self.emit(Op::Dup);
                let i = self.name_index(attr.attr.id.as_str());
                self.set_location(attr.range);
                self.emit(Op::LoadAttr(i));
                self.compile_expr(&aug.value)?;
                self.set_location(aug.range);
                self.emit(Op::InPlace(op));
                self.emit(Op::Rot2);
                self.set_location(attr.range);
                self.emit(Op::StoreAttr(i));
            }
            Expr::Subscript(sub) => {
                self.compile_expr(&sub.value)?;
                self.compile_slice_or_expr(&sub.slice)?;
                self.emit(Op::DupTwo);
                self.set_location(sub.range);
                self.emit(Op::Subscript);
                self.compile_expr(&aug.value)?;
                self.set_location(aug.range);
                self.emit(Op::InPlace(op));
                self.emit(Op::Rot3);
                self.set_location(sub.range);
                self.emit(Op::StoreSubscript);
            }
            other => {
                return Err(self.error(
                    other.range(),
                    "'expression' is an illegal expression for augmented assignment",
                ))
            }
        }
        Ok(())
    }

    fn compile_ann_assign(&mut self, ann: &'a ast::StmtAnnAssign) -> CompileResult {
        if let Some(value) = &ann.value {
            self.compile_expr(value)?;
            self.compile_store(&ann.target)?;
        }
        let kind = self.scope_kind();
        if matches!(kind, ScopeKind::Module | ScopeKind::Class) {
            if let (Expr::Name(name), true) = (ann.target.as_ref(), ann.simple) {
                self.compile_expr(&ann.annotation)?;
                let i = self.name_index("__annotations__");
                self.emit(Op::LoadName(i));
                self.emit_const(Value::str(name.id.as_str()));
                self.emit(Op::StoreSubscript);
            } else {
                self.compile_expr(&ann.annotation)?;
                self.emit(Op::Pop);
            }
        }
        Ok(())
    }

    // ----------------------------------------------------------- control flow

    fn compile_if(&mut self, if_stmt: &'a ast::StmtIf) -> CompileResult {
        let mut end_jumps = Vec::new();
        self.compile_expr(&if_stmt.test)?;
        let mut next = self.emit(Op::PopJumpIfFalse(0));
        self.compile_body(&if_stmt.body)?;
        for clause in &if_stmt.elif_else_clauses {
            end_jumps.push(self.emit(Op::Jump(0)));
            self.patch(next);
            match &clause.test {
                Some(test) => {
                    self.set_location(test.range());
                    self.compile_expr(test)?;
                    next = self.emit(Op::PopJumpIfFalse(0));
                    self.compile_body(&clause.body)?;
                }
                None => {
                    self.compile_body(&clause.body)?;
                    next = usize::MAX;
                }
            }
        }
        if next != usize::MAX {
            self.patch(next);
        }
        for jump in end_jumps {
            self.patch(jump);
        }
        Ok(())
    }

    fn compile_while(&mut self, w: &'a ast::StmtWhile) -> CompileResult {
        let start = self.here();
        self.compile_expr(&w.test)?;
        let exit = self.emit(Op::PopJumpIfFalse(0));
        self.unit().blocks.push(FrameBlock::WhileLoop {
            start,
            breaks: Vec::new(),
        });
        self.compile_body(&w.body)?;
        self.set_location(w.test.range());
        self.emit(Op::Jump(start));
        let Some(FrameBlock::WhileLoop { breaks, .. }) = self.unit().blocks.pop() else {
            unreachable!("loop block")
        };
        self.patch(exit);
        self.compile_body(&w.orelse)?;
        for b in breaks {
            self.patch(b);
        }
        Ok(())
    }

    fn compile_for(&mut self, f: &'a ast::StmtFor) -> CompileResult {
        self.compile_expr(&f.iter)?;
        // CPython compiler.c `compiler_for`: GET_ITER and FOR_ITER are at
        // the statement.
        self.set_location(f.range);
        self.emit(Op::GetIter);
        let start = self.here();
        let for_iter = self.emit(Op::ForIter(0));
        self.compile_store(&f.target)?;
        self.unit().blocks.push(FrameBlock::ForLoop {
            start,
            breaks: Vec::new(),
        });
        self.compile_body(&f.body)?;
        self.set_location(f.target.range());
        self.emit(Op::Jump(start));
        let Some(FrameBlock::ForLoop { breaks, .. }) = self.unit().blocks.pop() else {
            unreachable!("loop block")
        };
        self.patch(for_iter);
        self.compile_body(&f.orelse)?;
        for b in breaks {
            self.patch(b);
        }
        Ok(())
    }

    fn compile_async_for(&mut self, f: &'a ast::StmtFor) -> CompileResult {
        self.compile_expr(&f.iter)?;
        self.set_location(f.range);
        self.emit(Op::GetAIter);
        let start = self.here();
        let setup = self.emit(Op::SetupExcept(0));
        self.emit(Op::GetANext);
        self.emit_const(Value::None);
        self.emit(Op::YieldFrom);
        self.emit(Op::PopBlock);
        self.compile_store(&f.target)?;
        self.unit().blocks.push(FrameBlock::AsyncForLoop {
            start,
            breaks: Vec::new(),
        });
        self.compile_body(&f.body)?;
        self.emit(Op::Jump(start));
        let Some(FrameBlock::AsyncForLoop { breaks, .. }) = self.unit().blocks.pop() else {
            unreachable!("loop block")
        };
        self.patch(setup);
        self.set_location(f.range);
        self.emit(Op::EndAsyncFor);
        self.compile_body(&f.orelse)?;
        for b in breaks {
            self.patch(b);
        }
        Ok(())
    }

    /// `return`, `break` and `continue`: unwind the frame blocks up to the
    /// target, then jump (or return).
    fn compile_exit(&mut self, exit: Exit, range: TextRange) -> CompileResult {
        let preserve_top = matches!(exit, Exit::Return);
        let mut i = self.unit_ref().blocks.len();
        while i > 0 {
            i -= 1;
            let block = self.unit_ref().blocks[i].clone();
            let is_loop = matches!(
                block,
                FrameBlock::WhileLoop { .. }
                    | FrameBlock::ForLoop { .. }
                    | FrameBlock::AsyncForLoop { .. }
            );
            if is_loop && !preserve_top {
                // The innermost loop is the target of break/continue.
                match exit {
                    Exit::Continue => {
                        let start = match block {
                            FrameBlock::WhileLoop { start, .. }
                            | FrameBlock::ForLoop { start, .. }
                            | FrameBlock::AsyncForLoop { start, .. } => start,
                            _ => unreachable!("loop block"),
                        };
                        self.emit(Op::Jump(start));
                    }
                    _ => {
                        if !matches!(block, FrameBlock::WhileLoop { .. }) {
                            self.emit(Op::Pop);
                        }
                        let jump = self.emit(Op::Jump(0));
                        match &mut self.unit().blocks[i] {
                            FrameBlock::WhileLoop { breaks, .. }
                            | FrameBlock::ForLoop { breaks, .. }
                            | FrameBlock::AsyncForLoop { breaks, .. } => breaks.push(jump),
                            _ => unreachable!("loop block"),
                        }
                    }
                }
                return Ok(());
            }
            self.unwind_block(i, &block, preserve_top, range)?;
        }
        match exit {
            Exit::Return => {
                self.set_location(range);
                self.emit(Op::Return);
                Ok(())
            }
            Exit::Break => Err(self.error(range, "'break' outside loop")),
            Exit::Continue => Err(self.error(range, "'continue' not properly in loop")),
        }
    }

    /// Emits what leaving one frame block takes.
    fn unwind_block(
        &mut self,
        index: usize,
        block: &FrameBlock<'a>,
        preserve_top: bool,
        range: TextRange,
    ) -> CompileResult {
        match block {
            FrameBlock::WhileLoop { .. } => {}
            FrameBlock::ForLoop { .. } | FrameBlock::AsyncForLoop { .. } => {
                if preserve_top {
                    self.emit(Op::Rot2);
                }
                self.emit(Op::Pop);
            }
            FrameBlock::TryExcept => {
                self.emit(Op::PopBlock);
            }
            FrameBlock::TryFinally { body } => {
                self.emit(Op::PopBlock);
                // The finally body runs as if outside this try.
                let saved = self.unit().blocks.split_off(index);
                let result = self.compile_body(body);
                let mut saved = saved;
                self.unit().blocks.append(&mut saved);
                result?;
                self.set_location(range);
            }
            FrameBlock::FinallyEnd | FrameBlock::ExceptHandler => {
                if preserve_top {
                    self.emit(Op::Rot2);
                }
                self.emit(Op::Pop);
                self.emit(Op::PopExcept);
            }
            FrameBlock::HandlerCleanup { name } => {
                self.emit(Op::PopBlock);
                if let Some(name) = name {
                    self.emit_const(Value::None);
                    self.store_name(name);
                    self.delete_name(name);
                }
            }
            FrameBlock::With { is_async } => {
                self.emit(Op::PopBlock);
                if preserve_top {
                    self.emit(Op::Rot2);
                }
                self.emit_const(Value::None);
                self.emit(Op::Dup);
                self.emit(Op::Dup);
                self.emit(Op::Call(3));
                if *is_async {
                    self.emit(Op::GetAwaitable(AwaitContext::AsyncWithExit));
                    self.emit_const(Value::None);
                    self.emit(Op::YieldFrom);
                }
                self.emit(Op::Pop);
            }
        }
        Ok(())
    }

    // ----------------------------------------------------------- try

    fn compile_try_except(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [ast::ExceptHandler],
        orelse: &'a [Stmt],
        is_star: bool,
    ) -> CompileResult {
        let setup = self.emit(Op::SetupExcept(0));
        self.unit().blocks.push(FrameBlock::TryExcept);
        self.compile_body(body)?;
        self.unit().blocks.pop();
        self.emit(Op::PopBlock);
        let to_else = self.emit(Op::Jump(0));
        self.patch(setup);
        // A handled exception continues after the `else` clause.
        let handled = if is_star {
            self.compile_star_handlers(handlers)?
        } else {
            self.compile_handlers(handlers)?
        };
        self.patch(to_else);
        self.compile_body(orelse)?;
        for jump in handled {
            self.patch(jump);
        }
        Ok(())
    }

    /// The handlers of a try statement; on entry the exception is on top
    /// of the stack and an except-handler block is pushed. Returns the
    /// jumps taken after a handler ran, to patch past the `else` clause.
    fn compile_handlers(
        &mut self,
        handlers: &'a [ast::ExceptHandler],
    ) -> CompileResult<Vec<usize>> {
        let mut end_jumps = Vec::new();
        for (position, handler) in handlers.iter().enumerate() {
            let ast::ExceptHandler::ExceptHandler(h) = handler;
            self.set_location(h.range);
            let next = match &h.type_ {
                Some(type_) => {
                    self.emit(Op::Dup);
                    self.compile_expr(type_)?;
                    Some(self.emit(Op::JumpIfNotExcMatch(0)))
                }
                None => {
                    if position + 1 != handlers.len() {
                        return Err(self.error(h.range, "default 'except:' must be last"));
                    }
                    None
                }
            };
            match &h.name {
                Some(name) => {
                    let name = name.id.to_string();
                    self.emit(Op::Dup);
                    self.store_name(&name);
                    let cleanup = self.emit(Op::SetupFinally(0));
                    self.unit().blocks.push(FrameBlock::ExceptHandler);
                    self.unit().blocks.push(FrameBlock::HandlerCleanup {
                        name: Some(name.clone()),
                    });
                    self.compile_body(&h.body)?;
                    self.unit().blocks.pop();
                    self.unit().blocks.pop();
                    self.emit(Op::PopBlock);
                    self.emit(Op::PopExcept);
                    self.emit(Op::Pop);
                    self.emit_const(Value::None);
                    self.store_name(&name);
                    self.delete_name(&name);
                    end_jumps.push(self.emit(Op::Jump(0)));
                    // An exception inside the handler body: clear the name
                    // and let it propagate.
                    self.patch(cleanup);
                    self.emit_const(Value::None);
                    self.store_name(&name);
                    self.delete_name(&name);
                    self.emit(Op::Reraise);
                }
                None => {
                    self.unit().blocks.push(FrameBlock::ExceptHandler);
                    self.compile_body(&h.body)?;
                    self.unit().blocks.pop();
                    self.emit(Op::PopExcept);
                    self.emit(Op::Pop);
                    end_jumps.push(self.emit(Op::Jump(0)));
                }
            }
            if let Some(next) = next {
                self.patch(next);
            }
        }
        // No handler matched.
        self.emit(Op::Reraise);
        Ok(end_jumps)
    }

    fn compile_try_finally(&mut self, t: &'a ast::StmtTry) -> CompileResult {
        let setup = self.emit(Op::SetupFinally(0));
        self.unit()
            .blocks
            .push(FrameBlock::TryFinally { body: &t.finalbody });
        if t.handlers.is_empty() {
            self.compile_body(&t.body)?;
        } else {
            self.compile_try_except(&t.body, &t.handlers, &t.orelse, t.is_star)?;
        }
        self.unit().blocks.pop();
        self.emit(Op::PopBlock);
        self.compile_body(&t.finalbody)?;
        let end = self.emit(Op::Jump(0));
        self.patch(setup);
        self.unit().blocks.push(FrameBlock::FinallyEnd);
        self.compile_body(&t.finalbody)?;
        self.unit().blocks.pop();
        self.emit(Op::Reraise);
        self.patch(end);
        Ok(())
    }

    /// The clauses of `try ... except* ...` (PEP 654). On entry the
    /// exception is on the stack as `[orig]`; each clause works on
    /// `[orig, rest, raised]`, where `rest` is what no clause matched yet and
    /// `raised` lists what the clauses raised. At the end
    /// `PrepReraiseStar` combines them into what to raise, if anything.
    fn compile_star_handlers(
        &mut self,
        handlers: &'a [ast::ExceptHandler],
    ) -> CompileResult<Vec<usize>> {
        self.emit(Op::Dup);
        self.emit(Op::BuildList(0));
        for handler in handlers {
            let ast::ExceptHandler::ExceptHandler(h) = handler;
            self.set_location(h.range);
            let Some(type_) = &h.type_ else {
                return Err(self.error(h.range, "expected one or more exception types"));
            };
            if let Some(range) = find_flow_exit(&h.body, false) {
                return Err(self.error(
                    range,
                    "'break', 'continue' and 'return' cannot appear in an except* block",
                ));
            }
            // [orig, rest, raised] -> [orig, raised, rest, type] -> [orig, raised, rest', match]
            self.emit(Op::Rot2);
            self.compile_expr(type_)?;
            self.emit(Op::CheckEgMatch);
            self.emit(Op::Dup);
            self.emit_const(Value::None);
            self.emit(Op::Is(false));
            let no_match = self.emit(Op::PopJumpIfTrue(0));
            match &h.name {
                Some(name) => self.store_name(name.id.as_str()),
                None => {
                    self.emit(Op::Pop);
                }
            }
            // [orig, raised, rest']
            let body_setup = self.emit(Op::SetupExcept(0));
            self.unit().blocks.push(FrameBlock::TryExcept);
            self.compile_body(&h.body)?;
            self.unit().blocks.pop();
            self.emit(Op::PopBlock);
            self.clear_handler_name(h);
            let ok = self.emit(Op::Jump(0));
            // The clause raised: [orig, raised, rest', exc]; keep exc in raised.
            self.patch(body_setup);
            self.emit(Op::ListAppend(2));
            self.emit(Op::PopExcept);
            self.clear_handler_name(h);
            let raised = self.emit(Op::Jump(0));
            // No match: [orig, raised, rest', None]
            self.patch(no_match);
            self.emit(Op::Pop);
            self.patch(ok);
            self.patch(raised);
            // [orig, raised, rest'] -> [orig, rest', raised]
            self.emit(Op::Rot2);
        }
        // [orig, rest, raised] -> [orig, result]
        self.emit(Op::PrepReraiseStar);
        self.emit(Op::Dup);
        self.emit_const(Value::None);
        self.emit(Op::Is(false));
        let nothing = self.emit(Op::PopJumpIfTrue(0));
        self.emit(Op::Rot2);
        self.emit(Op::Pop);
        self.emit(Op::Reraise);
        self.patch(nothing);
        self.emit(Op::Pop);
        self.emit(Op::PopExcept);
        self.emit(Op::Pop);
        Ok(vec![self.emit(Op::Jump(0))])
    }

    fn clear_handler_name(&mut self, h: &'a ast::ExceptHandlerExceptHandler) {
        if let Some(name) = &h.name {
            self.emit_const(Value::None);
            self.store_name(name.id.as_str());
            self.delete_name(name.id.as_str());
        }
    }

    // ----------------------------------------------------------- with

    fn compile_with(&mut self, with: &'a ast::StmtWith, item_index: usize) -> CompileResult {
        let Some(item) = with.items.get(item_index) else {
            return self.compile_body(&with.body);
        };
        self.compile_expr(&item.context_expr)?;
        // CPython compiler.c `compiler_with`: entering and leaving are at the
        // statement.
        self.set_location(with.range);
        let setup = if with.is_async {
            self.emit(Op::BeforeAsyncWith);
            self.emit(Op::GetAwaitable(AwaitContext::AsyncWithEnter));
            self.emit_const(Value::None);
            self.emit(Op::YieldFrom);
            self.emit(Op::SetupAsyncWith(0))
        } else {
            self.emit(Op::SetupWith(0))
        };
        match &item.optional_vars {
            Some(vars) => self.compile_store(vars)?,
            None => {
                self.emit(Op::Pop);
            }
        }
        self.unit().blocks.push(FrameBlock::With {
            is_async: with.is_async,
        });
        self.compile_with(with, item_index + 1)?;
        self.unit().blocks.pop();
        self.set_location(with.range);
        self.emit(Op::PopBlock);
        self.emit_const(Value::None);
        self.emit(Op::Dup);
        self.emit(Op::Dup);
        self.emit(Op::Call(3));
        if with.is_async {
            self.emit(Op::GetAwaitable(AwaitContext::AsyncWithExit));
            self.emit_const(Value::None);
            self.emit(Op::YieldFrom);
        }
        self.emit(Op::Pop);
        let end = self.emit(Op::Jump(0));
        self.patch(setup);
        self.emit(Op::WithExceptStart);
        if with.is_async {
            self.emit(Op::GetAwaitable(AwaitContext::AsyncWithExit));
            self.emit_const(Value::None);
            self.emit(Op::YieldFrom);
        }
        let suppress = self.emit(Op::PopJumpIfTrue(0));
        self.emit(Op::Reraise);
        self.patch(suppress);
        self.emit(Op::Pop);
        self.emit(Op::PopExcept);
        self.emit(Op::Pop);
        self.patch(end);
        Ok(())
    }

    // ----------------------------------------------------------- definitions

    /// Pushes defaults / keyword defaults / annotations for a function and
    /// returns the `MakeFunction` flags they need.
    pub(super) fn compile_parameter_values(
        &mut self,
        parameters: &'a ast::Parameters,
        annotations: bool,
    ) -> Result<u8, crate::syntax::SourceError> {
        let mut flags = 0;
        let positional: Vec<&ast::ParameterWithDefault> = parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .collect();
        let defaults: Vec<&Expr> = positional
            .iter()
            .filter_map(|p| p.default.as_deref())
            .collect();
        if !defaults.is_empty() {
            for d in &defaults {
                self.compile_expr(d)?;
            }
            self.emit(Op::BuildTuple(defaults.len() as u32));
            flags |= make_function::DEFAULTS;
        }
        let kwdefaults: Vec<&ast::ParameterWithDefault> = parameters
            .kwonlyargs
            .iter()
            .filter(|p| p.default.is_some())
            .collect();
        if !kwdefaults.is_empty() {
            for p in &kwdefaults {
                self.emit_const(Value::str(p.parameter.name.id.as_str()));
                self.compile_expr(p.default.as_deref().expect("filtered"))?;
            }
            self.emit(Op::BuildMap(kwdefaults.len() as u32));
            flags |= make_function::KWDEFAULTS;
        }
        if annotations {
            let mut count = 0;
            let all = parameters
                .posonlyargs
                .iter()
                .chain(&parameters.args)
                .map(|p| &p.parameter)
                .chain(parameters.vararg.as_deref())
                .chain(parameters.kwonlyargs.iter().map(|p| &p.parameter))
                .chain(parameters.kwarg.as_deref());
            for p in all {
                if let Some(annotation) = &p.annotation {
                    self.emit_const(Value::str(p.name.id.as_str()));
                    self.compile_expr(annotation)?;
                    count += 1;
                }
            }
            if count > 0 {
                self.emit(Op::BuildMap(count));
                flags |= make_function::ANNOTATIONS;
            }
        }
        Ok(flags)
    }

    pub(super) fn set_signature(&mut self, parameters: Option<&ast::Parameters>) {
        let Some(p) = parameters else { return };
        let unit = self.unit();
        unit.posonlyargcount = p.posonlyargs.len() as u32;
        unit.argcount = (p.posonlyargs.len() + p.args.len()) as u32;
        unit.kwonlyargcount = p.kwonlyargs.len() as u32;
        unit.flags.varargs = p.vararg.is_some();
        unit.flags.varkeywords = p.kwarg.is_some();
    }

    fn compile_function_def(&mut self, def: &'a ast::StmtFunctionDef) -> CompileResult {
        for decorator in &def.decorator_list {
            self.set_location(decorator.range);
            self.compile_expr(&decorator.expression)?;
        }
        self.set_location(def.range);
        let mut flags = self.compile_parameter_values(&def.parameters, true)?;
        if let Some(returns) = &def.returns {
            // Return annotations join the parameter annotations.
            if flags & make_function::ANNOTATIONS == 0 {
                self.emit_const(Value::str("return"));
                self.compile_expr(returns)?;
                self.emit(Op::BuildMap(1));
                flags |= make_function::ANNOTATIONS;
            } else {
                self.emit_const(Value::str("return"));
                self.compile_expr(returns)?;
                self.emit(Op::BuildMap(1));
                self.emit(Op::DictUpdate(1));
            }
        }
        let scope = self.scope_for(def);
        let qualname = self.child_qualname(def.name.id.as_str());
        let (line, _) = self.index.position(def.range.start().into());
        self.push_unit(scope, qualname, line);
        self.set_signature(Some(&def.parameters));
        self.set_location(def.range);
        let body_result = self.compile_body_with_docstring(&def.body, false);
        let code = match body_result {
            Ok(()) => {
                self.emit_const(Value::None);
                self.emit(Op::Return);
                self.pop_unit()
            }
            Err(e) => {
                self.units.pop();
                return Err(e);
            }
        };
        self.set_location(def.range);
        self.make_closure(code, flags);
        for decorator in def.decorator_list.iter().rev() {
            // CPython: a decorator's call is at its expression, not its `@`.
            self.set_location(decorator.expression.range());
            self.emit(Op::Call(1));
        }
        self.store_name(def.name.id.as_str());
        Ok(())
    }

    fn compile_class_def(&mut self, class: &'a ast::StmtClassDef) -> CompileResult {
        for decorator in &class.decorator_list {
            self.compile_expr(&decorator.expression)?;
        }
        self.set_location(class.range);
        self.emit(Op::LoadBuildClass);
        let scope = self.scope_for(class);
        let qualname = self.child_qualname(class.name.id.as_str());
        let (line, _) = self.index.position(class.range.start().into());
        self.push_unit(scope, qualname.clone(), line);
        self.set_location(class.range);
        let module_name = self.name_index("__name__");
        self.emit(Op::LoadName(module_name));
        self.store_name("__module__");
        self.emit_const(Value::string(qualname));
        self.store_name("__qualname__");
        if body_has_annotations(&class.body) {
            self.emit(Op::SetupAnnotations);
        }
        let body_result = self.compile_body_with_docstring(&class.body, true);
        if let Err(e) = body_result {
            self.units.pop();
            return Err(e);
        }
        if self.tree.scopes[scope].needs_class_cell {
            let i = self.deref_index("__class__");
            self.emit(Op::LoadClosure(i));
            self.emit(Op::Dup);
            self.store_name("__classcell__");
        } else {
            self.emit_const(Value::None);
        }
        self.emit(Op::Return);
        let code = self.pop_unit();
        self.set_location(class.range);
        self.make_closure(code, 0);
        self.emit_const(Value::str(class.name.id.as_str()));
        match &class.arguments {
            Some(arguments) => self.compile_call_arguments(arguments, 2, class.range)?,
            None => {
                self.emit(Op::Call(2));
            }
        }
        for decorator in class.decorator_list.iter().rev() {
            self.set_location(decorator.expression.range());
            self.emit(Op::Call(1));
        }
        self.store_name(class.name.id.as_str());
        Ok(())
    }
}

/// Does a module or class body annotate names (needs `__annotations__`)?
pub(super) fn body_has_annotations(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::AnnAssign(_) => true,
        Stmt::If(s) => {
            body_has_annotations(&s.body)
                || s.elif_else_clauses
                    .iter()
                    .any(|c| body_has_annotations(&c.body))
        }
        Stmt::For(s) => body_has_annotations(&s.body) || body_has_annotations(&s.orelse),
        Stmt::While(s) => body_has_annotations(&s.body) || body_has_annotations(&s.orelse),
        Stmt::With(s) => body_has_annotations(&s.body),
        Stmt::Try(s) => {
            body_has_annotations(&s.body)
                || body_has_annotations(&s.orelse)
                || body_has_annotations(&s.finalbody)
                || s.handlers.iter().any(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    body_has_annotations(&h.body)
                })
        }
        _ => false,
    })
}

/// The first `return`, or `break`/`continue` leaving the block, in a body
/// (not looking into nested functions and classes).
fn find_flow_exit(body: &[Stmt], in_loop: bool) -> Option<TextRange> {
    for stmt in body {
        let found = match stmt {
            Stmt::Return(r) => Some(r.range),
            Stmt::Break(b) if !in_loop => Some(b.range),
            Stmt::Continue(c) if !in_loop => Some(c.range),
            Stmt::If(s) => find_flow_exit(&s.body, in_loop).or_else(|| {
                s.elif_else_clauses
                    .iter()
                    .find_map(|c| find_flow_exit(&c.body, in_loop))
            }),
            Stmt::For(s) => {
                find_flow_exit(&s.body, true).or_else(|| find_flow_exit(&s.orelse, in_loop))
            }
            Stmt::While(s) => {
                find_flow_exit(&s.body, true).or_else(|| find_flow_exit(&s.orelse, in_loop))
            }
            Stmt::With(s) => find_flow_exit(&s.body, in_loop),
            Stmt::Try(s) => find_flow_exit(&s.body, in_loop)
                .or_else(|| find_flow_exit(&s.orelse, in_loop))
                .or_else(|| find_flow_exit(&s.finalbody, in_loop))
                .or_else(|| {
                    s.handlers.iter().find_map(|h| {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        find_flow_exit(&h.body, in_loop)
                    })
                }),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Where CPython 3.11 places an `assert`'s raise: at the last comparison
/// its condition tests (through `not`, `and`, `or`), which is where
/// compiler.c `compiler_jump_if` leaves the location; else at the statement.
fn last_comparison(test: &Expr) -> Option<TextRange> {
    match test {
        Expr::Compare(compare) => Some(compare.range),
        Expr::UnaryOp(ast::ExprUnaryOp {
            op: ast::UnaryOp::Not,
            operand,
            ..
        }) => last_comparison(operand),
        Expr::BoolOp(boolean) => boolean.values.iter().rev().find_map(last_comparison),
        _ => None,
    }
}
