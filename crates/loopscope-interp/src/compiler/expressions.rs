//! Code generation for expressions.

use num_bigint::BigInt;
use num_traits::Num;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use super::scope::{Access, ScopeKind};
use super::{CompileResult, Compiler};
use crate::bytecode::{AwaitContext, BinOp, CmpOp, Op, UnaryOp};
use crate::syntax::SourceError;
use crate::value::Value;

impl<'a> Compiler<'a> {
    pub(super) fn binop(op: ast::Operator) -> BinOp {
        match op {
            ast::Operator::Add => BinOp::Add,
            ast::Operator::Sub => BinOp::Sub,
            ast::Operator::Mult => BinOp::Mul,
            ast::Operator::MatMult => BinOp::MatMul,
            ast::Operator::Div => BinOp::TrueDiv,
            ast::Operator::Mod => BinOp::Mod,
            ast::Operator::Pow => BinOp::Pow,
            ast::Operator::LShift => BinOp::LShift,
            ast::Operator::RShift => BinOp::RShift,
            ast::Operator::BitOr => BinOp::Or,
            ast::Operator::BitXor => BinOp::Xor,
            ast::Operator::BitAnd => BinOp::And,
            ast::Operator::FloorDiv => BinOp::FloorDiv,
        }
    }

    pub(super) fn compile_expr(&mut self, expr: &'a Expr) -> CompileResult {
        self.enter(expr.range())?;
        let result = self.compile_expr_inner(expr);
        self.leave();
        result
    }

    pub(super) fn compile_slice_or_expr(&mut self, expr: &'a Expr) -> CompileResult {
        match expr {
            Expr::Slice(slice) => {
                for part in [&slice.lower, &slice.upper] {
                    match part {
                        Some(e) => self.compile_expr(e)?,
                        None => self.emit_const(Value::None),
                    }
                }
                match &slice.step {
                    Some(step) => {
                        self.compile_expr(step)?;
                        self.emit(Op::BuildSlice(3));
                    }
                    None => {
                        self.emit(Op::BuildSlice(2));
                    }
                }
                Ok(())
            }
            other => self.compile_expr(other),
        }
    }

    fn compile_expr_inner(&mut self, expr: &'a Expr) -> CompileResult {
        match expr {
            Expr::BoolOp(b) => {
                let mut jumps = Vec::new();
                for (i, value) in b.values.iter().enumerate() {
                    self.compile_expr(value)?;
                    if i + 1 < b.values.len() {
                        let jump = match b.op {
                            ast::BoolOp::And => Op::JumpIfFalseOrPop(0),
                            ast::BoolOp::Or => Op::JumpIfTrueOrPop(0),
                        };
                        jumps.push(self.emit(jump));
                    }
                }
                for jump in jumps {
                    self.patch(jump);
                }
            }
            Expr::Named(named) => {
                self.compile_expr(&named.value)?;
                self.emit(Op::Dup);
                self.compile_store(&named.target)?;
            }
            Expr::BinOp(b) => {
                self.compile_expr(&b.left)?;
                self.compile_expr(&b.right)?;
                self.set_location(b.range);
                self.emit(Op::Binary(Self::binop(b.op)));
            }
            Expr::UnaryOp(u) => {
                self.compile_expr(&u.operand)?;
                self.set_location(u.range);
                let op = match u.op {
                    ast::UnaryOp::Invert => UnaryOp::Invert,
                    ast::UnaryOp::Not => UnaryOp::Not,
                    ast::UnaryOp::UAdd => UnaryOp::Pos,
                    ast::UnaryOp::USub => UnaryOp::Neg,
                };
                self.emit(Op::Unary(op));
            }
            Expr::Lambda(lambda) => {
                let flags = match &lambda.parameters {
                    Some(parameters) => self.compile_parameter_values(parameters, false)?,
                    None => 0,
                };
                let scope = self.scope_for(lambda);
                let qualname = self.child_qualname("<lambda>");
                let (line, _) = self.index.position(lambda.range.start().into());
                self.push_unit(scope, qualname, line);
                self.set_signature(lambda.parameters.as_deref());
                self.set_location(lambda.body.range());
                if let Err(e) = self.compile_expr(&lambda.body) {
                    self.units.pop();
                    return Err(e);
                }
                self.emit(Op::Return);
                let code = self.pop_unit();
                self.set_location(lambda.range);
                self.make_closure(code, flags);
            }
            Expr::If(i) => {
                self.compile_expr(&i.test)?;
                let else_jump = self.emit(Op::PopJumpIfFalse(0));
                self.compile_expr(&i.body)?;
                let end = self.emit(Op::Jump(0));
                self.patch(else_jump);
                self.compile_expr(&i.orelse)?;
                self.patch(end);
            }
            Expr::Dict(d) => {
                let simple = d.items.iter().all(|item| item.key.is_some());
                if simple && d.items.len() < 256 {
                    for item in &d.items {
                        self.compile_expr(item.key.as_ref().expect("simple dict"))?;
                        self.compile_expr(&item.value)?;
                    }
                    self.emit(Op::BuildMap(d.items.len() as u32));
                } else {
                    self.emit(Op::BuildMap(0));
                    for item in &d.items {
                        match &item.key {
                            Some(key) => {
                                self.compile_expr(key)?;
                                self.compile_expr(&item.value)?;
                                self.emit(Op::MapAdd(1));
                            }
                            None => {
                                self.compile_expr(&item.value)?;
                                self.emit(Op::DictUpdate(1));
                            }
                        }
                    }
                }
            }
            Expr::Set(s) => self.compile_sequence(&s.elts, Sequence::Set)?,
            Expr::List(l) => self.compile_sequence(&l.elts, Sequence::List)?,
            Expr::Tuple(t) => self.compile_sequence(&t.elts, Sequence::Tuple)?,
            Expr::ListComp(c) => {
                self.compile_comprehension(c.range, &c.generators, Comprehension::List(&c.elt))?
            }
            Expr::SetComp(c) => {
                self.compile_comprehension(c.range, &c.generators, Comprehension::Set(&c.elt))?
            }
            Expr::Generator(c) => self.compile_comprehension(
                c.range,
                &c.generators,
                Comprehension::Generator(&c.elt),
            )?,
            Expr::DictComp(c) => {
                let Some(key) = &c.key else {
                    return Err(self.error(
                        c.range,
                        "dict unpacking cannot be used in dict comprehension",
                    ));
                };
                self.compile_comprehension(
                    c.range,
                    &c.generators,
                    Comprehension::Dict(key, &c.value),
                )?
            }
            Expr::Await(a) => {
                self.compile_expr(&a.value)?;
                self.set_location(a.range);
                self.emit(Op::GetAwaitable(AwaitContext::Await));
                self.emit_const(Value::None);
                self.emit(Op::YieldFrom);
            }
            Expr::Yield(y) => {
                match &y.value {
                    Some(value) => self.compile_expr(value)?,
                    None => self.emit_const(Value::None),
                }
                self.set_location(y.range);
                self.emit(Op::YieldValue);
            }
            Expr::YieldFrom(y) => {
                self.compile_expr(&y.value)?;
                self.set_location(y.range);
                self.emit(Op::GetYieldFromIter);
                self.emit_const(Value::None);
                self.emit(Op::YieldFrom);
            }
            Expr::Compare(c) => self.compile_compare(c)?,
            Expr::Call(call) => self.compile_call(call)?,
            Expr::FString(f) => self.compile_fstring(f)?,
            Expr::TString(t) => return Err(self.error(t.range, "invalid syntax")),
            Expr::StringLiteral(s) => self.emit_const(Value::str(s.value.to_str())),
            Expr::BytesLiteral(b) => {
                let bytes: Vec<u8> = b
                    .value
                    .iter()
                    .flat_map(|part| part.value.iter().copied())
                    .collect();
                self.emit_const(Value::bytes(bytes));
            }
            Expr::NumberLiteral(n) => {
                let value = self.number(&n.value, n.range)?;
                self.emit_const(value);
            }
            Expr::BooleanLiteral(b) => self.emit_const(Value::Bool(b.value)),
            Expr::NoneLiteral(_) => self.emit_const(Value::None),
            Expr::EllipsisLiteral(_) => self.emit_const(Value::Ellipsis),
            Expr::Attribute(attr) => {
                self.compile_expr(&attr.value)?;
                self.set_location(attr.range);
                let i = self.name_index(attr.attr.id.as_str());
                self.emit(Op::LoadAttr(i));
            }
            Expr::Subscript(sub) => {
                self.compile_expr(&sub.value)?;
                self.compile_slice_or_expr(&sub.slice)?;
                self.set_location(sub.range);
                self.emit(Op::Subscript);
            }
            Expr::Starred(s) => {
                return Err(self.error(s.range, "can't use starred expression here"))
            }
            Expr::Name(name) => {
                self.set_location(name.range);
                self.load_name(name.id.as_str());
            }
            // A bare slice only appears inside a subscript's tuple.
            Expr::Slice(_) => self.compile_slice_or_expr(expr)?,
            Expr::IpyEscapeCommand(c) => return Err(self.error(c.range, "invalid syntax")),
        }
        Ok(())
    }

    fn number(&self, number: &ast::Number, range: TextRange) -> Result<Value, SourceError> {
        Ok(match number {
            ast::Number::Int(int) => match int.as_i64() {
                Some(small) => Value::Int(small),
                None => {
                    let text = int.to_string().replace('_', "");
                    let lower = text.to_ascii_lowercase();
                    let (digits, radix) = if let Some(rest) = lower.strip_prefix("0x") {
                        (rest.to_string(), 16)
                    } else if let Some(rest) = lower.strip_prefix("0o") {
                        (rest.to_string(), 8)
                    } else if let Some(rest) = lower.strip_prefix("0b") {
                        (rest.to_string(), 2)
                    } else {
                        (lower, 10)
                    };
                    if digits.len() > crate::numbers::MAX_INT_DIGITS && radix == 10 {
                        let (line, column) = self.index.position(range.start().into());
                        return Err(SourceError::new(
                            crate::syntax::SourceErrorKind::SyntaxError,
                            format!(
                                "Exceeds the limit ({} digits) for integer string conversion: value has {} digits; use sys.set_int_max_str_digits() to increase the limit - Consider hexadecimal for huge integer literals to avoid decimal conversion limits.",
                                crate::numbers::MAX_INT_DIGITS,
                                digits.len()
                            ),
                            line,
                            column,
                        ));
                    }
                    let big = BigInt::from_str_radix(&digits, radix)
                        .map_err(|_| self.error(range, "invalid syntax"))?;
                    Value::from_bigint(big)
                }
            },
            ast::Number::Float(f) => Value::Float(*f),
            ast::Number::Complex { .. } => return Err(self.unsupported(range, "complex numbers")),
        })
    }

    fn compile_sequence(&mut self, elements: &'a [Expr], kind: Sequence) -> CompileResult {
        let has_star = elements.iter().any(|e| matches!(e, Expr::Starred(_)));
        if !has_star {
            if kind == Sequence::Tuple {
                if let Some(constant) = constant_tuple(elements) {
                    self.emit_const(constant);
                    return Ok(());
                }
            }
            for element in elements {
                self.compile_expr(element)?;
            }
            let n = elements.len() as u32;
            self.emit(match kind {
                Sequence::List => Op::BuildList(n),
                Sequence::Tuple => Op::BuildTuple(n),
                Sequence::Set => Op::BuildSet(n),
            });
            return Ok(());
        }
        self.emit(if kind == Sequence::Set {
            Op::BuildSet(0)
        } else {
            Op::BuildList(0)
        });
        for element in elements {
            match element {
                Expr::Starred(s) => {
                    self.compile_expr(&s.value)?;
                    self.emit(if kind == Sequence::Set {
                        Op::SetUpdate(1)
                    } else {
                        Op::ListExtend(1)
                    });
                }
                other => {
                    self.compile_expr(other)?;
                    self.emit(if kind == Sequence::Set {
                        Op::SetAdd(1)
                    } else {
                        Op::ListAppend(1)
                    });
                }
            }
        }
        if kind == Sequence::Tuple {
            self.emit(Op::ListToTuple);
        }
        Ok(())
    }

    fn compile_compare(&mut self, c: &'a ast::ExprCompare) -> CompileResult {
        self.compile_expr(&c.left)?;
        let count = c.ops.len();
        let mut cleanups = Vec::new();
        for (i, (op, right)) in c.ops.iter().zip(c.comparators.iter()).enumerate() {
            self.compile_expr(right)?;
            let last = i + 1 == count;
            if !last {
                self.emit(Op::Dup);
                self.emit(Op::Rot3);
            }
            self.set_location(c.range);
            self.emit(compare_op(*op));
            if !last {
                cleanups.push(self.emit(Op::JumpIfFalseOrPop(0)));
            }
        }
        if !cleanups.is_empty() {
            let end = self.emit(Op::Jump(0));
            for jump in cleanups {
                self.patch(jump);
            }
            self.emit(Op::Rot2);
            self.emit(Op::Pop);
            self.patch(end);
        }
        Ok(())
    }

    fn compile_call(&mut self, call: &'a ast::ExprCall) -> CompileResult {
        let arguments = &call.arguments;
        let simple = !arguments.args.iter().any(|a| matches!(a, Expr::Starred(_)))
            && arguments.keywords.iter().all(|k| k.arg.is_some());
        // Zero-argument super(): pass the class cell and the first argument
        // explicitly (what CPython 3.11 finds by inspecting the frame).
        if let Expr::Name(name) = call.func.as_ref() {
            if name.id.as_str() == "super"
                && arguments.args.is_empty()
                && arguments.keywords.is_empty()
            {
                if let Some(()) =
                    self.compile_zero_arg_super(ruff_text_size::Ranged::range(call))?
                {
                    return Ok(());
                }
            }
        }
        if let (Expr::Attribute(attr), true) =
            (call.func.as_ref(), simple && arguments.keywords.is_empty())
        {
            self.compile_expr(&attr.value)?;
            self.set_location(attr.range);
            let i = self.name_index(attr.attr.id.as_str());
            self.emit(Op::LoadMethod(i));
            for arg in arguments.args.iter() {
                self.compile_expr(arg)?;
            }
            self.set_location(call_range(call));
            self.emit(Op::CallMethod(arguments.args.len() as u32));
            return Ok(());
        }
        self.compile_expr(&call.func)?;
        self.compile_call_arguments(arguments, 0, call_range(call))?;
        Ok(())
    }

    /// Emits the arguments and the call instruction; `already` positional
    /// arguments are on the stack above the callee (class definitions).
    /// The call instruction is at `call` (CPython: the whole call
    /// expression, or the class statement).
    pub(super) fn compile_call_arguments(
        &mut self,
        arguments: &'a ast::Arguments,
        already: u32,
        call: TextRange,
    ) -> CompileResult {
        let range = arguments.range;
        let simple = !arguments.args.iter().any(|a| matches!(a, Expr::Starred(_)))
            && arguments.keywords.iter().all(|k| k.arg.is_some());
        if simple {
            for arg in arguments.args.iter() {
                self.compile_expr(arg)?;
            }
            let positional = already + arguments.args.len() as u32;
            if arguments.keywords.is_empty() {
                self.set_location(call);
                self.emit(Op::Call(positional));
            } else {
                let mut names = Vec::new();
                for keyword in &arguments.keywords {
                    let name = keyword.arg.as_ref().expect("simple call").id.to_string();
                    if names.contains(&name) {
                        return Err(
                            self.error(keyword.range, format!("keyword argument repeated: {name}"))
                        );
                    }
                    self.compile_expr(&keyword.value)?;
                    names.push(name);
                }
                let count = positional + names.len() as u32;
                self.emit_const(Value::tuple(names.into_iter().map(Value::string).collect()));
                self.set_location(call);
                self.emit(Op::CallKw(count));
            }
            return Ok(());
        }
        // General form: a tuple of positionals and a dict of keywords.
        // A lone `*x` goes to the call as it is, as in CPython, whose
        // CALL_FUNCTION_EX then names the callee if `x` is not iterable.
        let lone_star = match &arguments.args[..] {
            [Expr::Starred(s)] if already == 0 => Some(&s.value),
            _ => None,
        };
        if let Some(value) = lone_star {
            self.compile_expr(value)?;
        } else {
            self.compile_positional_list(arguments, already, range)?;
        }
        let has_keywords = !arguments.keywords.is_empty();
        if has_keywords {
            self.emit(Op::BuildMap(0));
            for keyword in &arguments.keywords {
                match &keyword.arg {
                    Some(name) => {
                        self.emit_const(Value::str(name.id.as_str()));
                        self.compile_expr(&keyword.value)?;
                        self.emit(Op::MapAdd(1));
                    }
                    None => {
                        self.compile_expr(&keyword.value)?;
                        self.emit(Op::DictMerge(1));
                    }
                }
            }
        }
        self.set_location(call);
        self.emit(Op::CallEx(has_keywords));
        Ok(())
    }

    /// The positional arguments of a call with `*` as one tuple.
    fn compile_positional_list(
        &mut self,
        arguments: &'a ast::Arguments,
        already: u32,
        range: TextRange,
    ) -> CompileResult {
        self.emit(Op::BuildList(already));
        if already > 0 {
            // The already pushed values sit below the callee: not used.
            return Err(self.unsupported(range, "unpacking in class bases"));
        }
        for arg in arguments.args.iter() {
            match arg {
                Expr::Starred(s) => {
                    self.compile_expr(&s.value)?;
                    self.emit(Op::ListExtend(1));
                }
                other => {
                    self.compile_expr(other)?;
                    self.emit(Op::ListAppend(1));
                }
            }
        }
        self.emit(Op::ListToTuple);
        Ok(())
    }

    /// `super()` inside a method: `super(__class__, <first argument>)`.
    fn compile_zero_arg_super(&mut self, range: TextRange) -> Result<Option<()>, SourceError> {
        if self.access("super") != Access::Global {
            return Ok(None);
        }
        let scope = &self.tree.scopes[self.unit_ref().scope];
        if !matches!(scope.kind, ScopeKind::Function | ScopeKind::Lambda) {
            return Ok(None);
        }
        let Some(first) = scope.params.first().cloned() else {
            return Ok(None);
        };
        if !scope.frees.iter().any(|f| f == "__class__") {
            return Ok(None);
        }
        self.set_location(range);
        self.load_name("super");
        let i = self.deref_index("__class__");
        self.emit(Op::LoadDeref(i));
        self.load_name(&first);
        self.emit(Op::Call(2));
        Ok(Some(()))
    }

    fn compile_fstring(&mut self, f: &'a ast::ExprFString) -> CompileResult {
        let mut parts = 0u32;
        for part in f.value.iter() {
            match part {
                ast::FStringPart::Literal(literal) => {
                    if !literal.value.is_empty() {
                        self.emit_const(Value::str(&literal.value));
                        parts += 1;
                    }
                }
                ast::FStringPart::FString(fstring) => {
                    parts += self.compile_interpolated_elements(&fstring.elements)?;
                }
            }
        }
        match parts {
            0 => self.emit_const(Value::str("")),
            1 => {}
            n => {
                self.emit(Op::BuildString(n));
            }
        }
        Ok(())
    }

    /// Pushes the pieces of an f-string (or of a nested format spec) and
    /// returns how many.
    fn compile_interpolated_elements(
        &mut self,
        elements: &'a ast::InterpolatedStringElements,
    ) -> Result<u32, SourceError> {
        let mut parts = 0;
        for element in elements.iter() {
            match element {
                ast::InterpolatedStringElement::Literal(literal) => {
                    if !literal.value.is_empty() {
                        self.emit_const(Value::str(&literal.value));
                        parts += 1;
                    }
                }
                ast::InterpolatedStringElement::Interpolation(field) => {
                    let mut conversion = match field.conversion {
                        ast::ConversionFlag::None => 0u8,
                        ast::ConversionFlag::Str => b's',
                        ast::ConversionFlag::Repr => b'r',
                        ast::ConversionFlag::Ascii => b'a',
                    };
                    if let Some(debug) = &field.debug_text {
                        let text = format!(
                            "{}{}{}",
                            debug.leading(),
                            self.source_of(field.expression.range()),
                            debug.trailing()
                        );
                        self.emit_const(Value::string(text));
                        parts += 1;
                        if conversion == 0 && field.format_spec.is_none() {
                            conversion = b'r';
                        }
                    }
                    self.compile_expr(&field.expression)?;
                    let has_spec = match &field.format_spec {
                        Some(spec) => {
                            let n = self.compile_interpolated_elements(&spec.elements)?;
                            match n {
                                0 => self.emit_const(Value::str("")),
                                1 => {}
                                n => {
                                    self.emit(Op::BuildString(n));
                                }
                            }
                            true
                        }
                        None => false,
                    };
                    self.set_location(field.range);
                    self.emit(Op::FormatValue(conversion, has_spec));
                    parts += 1;
                }
            }
        }
        Ok(parts)
    }

    fn source_of(&self, range: TextRange) -> String {
        let start: usize = range.start().into();
        let end: usize = range.end().into();
        self.index_source()
            .get(start..end)
            .unwrap_or("")
            .to_string()
    }

    fn index_source(&self) -> &str {
        self.index.source()
    }

    fn compile_comprehension(
        &mut self,
        range: TextRange,
        generators: &'a [ast::Comprehension],
        kind: Comprehension<'a>,
    ) -> CompileResult {
        let scope = self.scope_for(&RangeNode(range));
        let name = match kind {
            Comprehension::List(_) => "<listcomp>",
            Comprehension::Set(_) => "<setcomp>",
            Comprehension::Dict(..) => "<dictcomp>",
            Comprehension::Generator(_) => "<genexpr>",
        };
        let qualname = self.child_qualname(name);
        let (line, _) = self.index.position(range.start().into());
        let is_async_scope = self.tree.scopes[scope].is_async;
        self.push_unit(scope, qualname, line);
        self.unit().argcount = 1;
        self.set_location(range);
        let result = self.compile_comprehension_body(generators, &kind);
        if let Err(e) = result {
            self.units.pop();
            return Err(e);
        }
        let code = self.pop_unit();
        self.set_location(range);
        self.make_closure(code, 0);
        let first = &generators[0];
        self.compile_expr(&first.iter)?;
        self.set_location(range);
        self.emit(if first.is_async {
            Op::GetAIter
        } else {
            Op::GetIter
        });
        self.emit(Op::Call(1));
        if is_async_scope && !matches!(kind, Comprehension::Generator(_)) {
            self.emit(Op::GetAwaitable(AwaitContext::Await));
            self.emit_const(Value::None);
            self.emit(Op::YieldFrom);
        }
        Ok(())
    }

    fn compile_comprehension_body(
        &mut self,
        generators: &'a [ast::Comprehension],
        kind: &Comprehension<'a>,
    ) -> CompileResult {
        match kind {
            Comprehension::List(_) => {
                self.emit(Op::BuildList(0));
            }
            Comprehension::Set(_) => {
                self.emit(Op::BuildSet(0));
            }
            Comprehension::Dict(..) => {
                self.emit(Op::BuildMap(0));
            }
            Comprehension::Generator(_) => {}
        }
        self.compile_comprehension_loop(generators, 0, kind)?;
        if matches!(kind, Comprehension::Generator(_)) {
            self.emit_const(Value::None);
        }
        self.emit(Op::Return);
        Ok(())
    }

    fn compile_comprehension_loop(
        &mut self,
        generators: &'a [ast::Comprehension],
        depth: usize,
        kind: &Comprehension<'a>,
    ) -> CompileResult {
        let generator = &generators[depth];
        if depth == 0 {
            let i = self.local_index(".0");
            self.emit(Op::LoadFast(i));
        } else {
            self.compile_expr(&generator.iter)?;
            self.emit(if generator.is_async {
                Op::GetAIter
            } else {
                Op::GetIter
            });
        }
        let start = self.here();
        let (exit_jump, async_setup) = if generator.is_async {
            let setup = self.emit(Op::SetupExcept(0));
            self.emit(Op::GetANext);
            self.emit_const(Value::None);
            self.emit(Op::YieldFrom);
            self.emit(Op::PopBlock);
            (None, Some(setup))
        } else {
            (Some(self.emit(Op::ForIter(0))), None)
        };
        self.compile_store(&generator.target)?;
        let mut skips = Vec::new();
        for condition in &generator.ifs {
            self.compile_expr(condition)?;
            skips.push(self.emit(Op::PopJumpIfFalse(0)));
        }
        if depth + 1 < generators.len() {
            self.compile_comprehension_loop(generators, depth + 1, kind)?;
        } else {
            // Each enclosing loop keeps its iterator on the stack.
            let below = (depth + 1) as u32 + 1;
            match kind {
                Comprehension::List(elt) => {
                    self.compile_expr(elt)?;
                    self.emit(Op::ListAppend(below));
                }
                Comprehension::Set(elt) => {
                    self.compile_expr(elt)?;
                    self.emit(Op::SetAdd(below));
                }
                Comprehension::Dict(key, value) => {
                    self.compile_expr(key)?;
                    self.compile_expr(value)?;
                    self.emit(Op::MapAdd(below));
                }
                Comprehension::Generator(elt) => {
                    self.compile_expr(elt)?;
                    self.emit(Op::YieldValue);
                    self.emit(Op::Pop);
                }
            }
        }
        for skip in skips {
            self.patch_to(skip, start);
        }
        self.emit(Op::Jump(start));
        if let Some(exit) = exit_jump {
            self.patch(exit);
        }
        if let Some(setup) = async_setup {
            self.patch(setup);
            self.emit(Op::EndAsyncFor);
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sequence {
    List,
    Tuple,
    Set,
}

enum Comprehension<'a> {
    List(&'a Expr),
    Set(&'a Expr),
    Dict(&'a Expr, &'a Expr),
    Generator(&'a Expr),
}

/// A node standing for a source range, to find the scope opened there.
struct RangeNode(TextRange);

impl Ranged for RangeNode {
    fn range(&self) -> TextRange {
        self.0
    }
}

fn compare_op(op: ast::CmpOp) -> Op {
    match op {
        ast::CmpOp::Eq => Op::Compare(CmpOp::Eq),
        ast::CmpOp::NotEq => Op::Compare(CmpOp::Ne),
        ast::CmpOp::Lt => Op::Compare(CmpOp::Lt),
        ast::CmpOp::LtE => Op::Compare(CmpOp::Le),
        ast::CmpOp::Gt => Op::Compare(CmpOp::Gt),
        ast::CmpOp::GtE => Op::Compare(CmpOp::Ge),
        ast::CmpOp::Is => Op::Is(false),
        ast::CmpOp::IsNot => Op::Is(true),
        ast::CmpOp::In => Op::In(false),
        ast::CmpOp::NotIn => Op::In(true),
    }
}

/// The range a call's errors are reported at: the whole call expression.
fn call_range(call: &ast::ExprCall) -> TextRange {
    call.range()
}

/// A tuple of literal constants becomes one constant.
fn constant_tuple(elements: &[Expr]) -> Option<Value> {
    let mut items = Vec::with_capacity(elements.len());
    for element in elements {
        items.push(match element {
            Expr::NumberLiteral(ast::ExprNumberLiteral {
                value: ast::Number::Int(i),
                ..
            }) => Value::Int(i.as_i64()?),
            Expr::NumberLiteral(ast::ExprNumberLiteral {
                value: ast::Number::Float(f),
                ..
            }) => Value::Float(*f),
            Expr::StringLiteral(s) => Value::str(s.value.to_str()),
            Expr::BooleanLiteral(b) => Value::Bool(b.value),
            Expr::NoneLiteral(_) => Value::None,
            _ => return None,
        });
    }
    Some(Value::tuple(items))
}
