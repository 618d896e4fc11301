//! The instruction loop.
//!
//! [`Vm::run_frame`] executes a frame until it returns or yields. An error
//! inside an instruction unwinds the frame's block stack to the nearest
//! handler (CPython 3.10's scheme): the value stack is cut back to the
//! block's level, the exception is pushed, and the handler runs. A frame
//! suspended at `YieldFrom` re-executes that instruction when resumed, so a
//! delegating generator or an `await` chain resumes where it left off.

use std::rc::Rc;

use super::frame::{Block, Frame};
use super::{ExcType, Vm};
use crate::bytecode::{make_function, BinOp, CmpOp, Op, UnaryOp};
use crate::value::{CellObj, Function, GenKind, Halt, PyResult, PyStr, TraceEntry, Unwind, Value};

/// How a frame is (re)entered.
pub enum Resume {
    Start,
    /// The value of the `yield` expression it is suspended at.
    Send(Value),
    /// An exception raised at the point of suspension.
    Throw(Value),
}

/// How a frame left.
pub enum FrameExit {
    Return(Value),
    /// Suspended. `delegated` is true when the value came from a
    /// `yield from`/`await` delegate rather than the frame's own `yield`
    /// (an async generator tells its own yields from awaits this way).
    Yield(Value, bool),
}

/// What the instruction loop hands back to the unwinding loop.
enum Step {
    Exit(FrameExit),
}

impl Vm {
    /// Runs a frame until it returns, yields, or an exception escapes it.
    pub fn run_frame(&mut self, frame: &mut Frame, resume: Resume) -> PyResult<FrameExit> {
        self.depth += 1;
        if self.depth > self.limits.recursion_limit {
            self.depth -= 1;
            return Err(self.error(ExcType::RecursionError, "maximum recursion depth exceeded"));
        }
        self.call_sites.push(super::CallSite {
            code: frame.code.clone(),
            ip: frame.ip,
        });
        // A resumed generator takes back the exceptions it was handling.
        let saved = std::mem::take(&mut frame.saved_exceptions);
        let base = self.exc_stack.len();
        if !saved.is_empty() {
            self.exc_stack.extend(saved);
        }
        let mut pending = match resume {
            Resume::Start => None,
            Resume::Send(value) => {
                frame.stack.push(value);
                None
            }
            Resume::Throw(exc) => Some(exc),
        };
        let result = loop {
            // What `throw()` brings in keeps its `__context__` (CPython
            // genobject.c `_gen_throw` restores it as it is).
            let mut thrown: Option<Value> = None;
            let outcome = match pending.take() {
                Some(exc) => {
                    thrown = Some(exc.clone());
                    self.throw_into(frame, exc)
                }
                None => self.execute(frame),
            };
            match outcome {
                Ok(Step::Exit(exit)) => break Ok(exit),
                // The line is the program's: frames of Loopscope's own
                // modules (`<frozen ...>`, hidden from tracebacks too) leave
                // it to the program's frame that called them.
                Err(Unwind::Halt(Halt::Unsupported { message, line: 0 }))
                    if !frame.code.filename.starts_with('<') =>
                {
                    break Err(Unwind::Halt(Halt::Unsupported {
                        message,
                        line: frame.line(),
                    }))
                }
                Err(Unwind::Halt(halt)) => break Err(Unwind::Halt(halt)),
                Err(Unwind::Exception(exc)) => {
                    if !std::mem::take(&mut frame.reraising) {
                        // CPython `_PyErr_SetObject`: an exception raised
                        // while another is handled has it as `__context__`,
                        // whether `raise` or an operation raised it.
                        let arising_here = exc
                            .as_exception()
                            .is_some_and(|data| data.traceback.borrow().is_empty());
                        if arising_here && !thrown.as_ref().is_some_and(|t| t.is(&exc)) {
                            self.set_context(&exc);
                        }
                        self.add_traceback(&exc, frame);
                    }
                    if !self.unwind_to_handler(frame, exc.clone()) {
                        break Err(Unwind::Exception(exc));
                    }
                }
            }
        };
        // Suspending keeps the frame's handled exceptions with the frame.
        let suspended = matches!(
            &result,
            Ok(FrameExit::Yield(..)) | Err(Unwind::Halt(Halt::Park(_)))
        );
        if suspended {
            frame.saved_exceptions = self.exc_stack.split_off(base.min(self.exc_stack.len()));
        } else {
            self.exc_stack.truncate(base);
        }
        self.depth -= 1;
        self.call_sites.pop();
        if let Err(Unwind::Halt(Halt::Park(parked))) = &result {
            let placeholder = Frame::new(frame.code.clone(), frame.globals.clone(), None);
            parked.push_frame(std::mem::replace(frame, placeholder));
        }
        result
    }

    /// A call of a Python function whose arguments are the stack's values
    /// from `at` on, below them the function: when the arguments are
    /// exactly its positional parameters they go straight into the new
    /// frame's locals, with no argument vector (callee and arguments are
    /// popped before the call, as the general path pops them). `None`
    /// when the callee or the call is not that simple.
    #[inline]
    fn call_python_from_stack(&mut self, frame: &mut Frame, at: usize) -> PyResult<Option<Value>> {
        let function = match at.checked_sub(1).and_then(|c| frame.stack.get(c)) {
            Some(Value::Function(f)) if Vm::is_simple_call(f, frame.stack.len() - at) => f.clone(),
            _ => return Ok(None),
        };
        let callee_frame = self.simple_call_frame(&function, &mut frame.stack, at);
        frame.stack.pop();
        self.note_call_site(frame.ip);
        match self.start_function(&function, callee_frame) {
            Ok(v) => Ok(Some(v)),
            Err(error) => {
                if let Unwind::Halt(Halt::Park(parked)) = &error {
                    parked.link_call(true);
                }
                Err(error)
            }
        }
    }

    /// `cls(a, b)` with the arguments on the stack from `at` on, below
    /// them the class: when the class makes its instances with
    /// `object.__new__` and its `__init__` is a Python function the
    /// arguments [simply bind](Vm::is_simple_call) to, the instance and
    /// the arguments go straight into `__init__`'s frame (what
    /// `call_class` does, without an argument vector). `None` when the
    /// callee or the call is not that simple.
    #[inline]
    fn call_class_from_stack(&mut self, frame: &mut Frame, at: usize) -> PyResult<Option<Value>> {
        let class = match at.checked_sub(1).and_then(|c| frame.stack.get(c)) {
            Some(Value::Class(class)) if !Rc::ptr_eq(class, &self.types.type_) => class.clone(),
            _ => return Ok(None),
        };
        let function = match self.plain_python_init(&class) {
            Some(f) if Vm::is_simple_call(&f, frame.stack.len() - at + 1) => f,
            _ => return Ok(None),
        };
        self.note_call_site(frame.ip);
        // An `__init__` that is a Python function never makes arguments
        // an error in `object.__new__` (CPython object_new).
        self.enter_native()?;
        let made = crate::builtins::classes::instantiate_checked(self, &class, false);
        self.depth -= 1;
        let instance = made?;
        let init_frame = self.frame_with_receiver(
            function.code.clone(),
            function.globals.clone(),
            instance.clone(),
            &mut frame.stack,
            at,
        );
        frame.stack.pop();
        match self.start_function(&function, init_frame) {
            Ok(result) => {
                if let Value::Instance(made) = &instance {
                    // The next instances get room for as many attributes.
                    let count = made.dict.borrow().len();
                    class.instance_attributes.set(count.min(64) as u8);
                }
                self.init_result(instance, result).map(Some)
            }
            Err(error) => {
                if let Unwind::Halt(Halt::Park(parked)) = &error {
                    parked.link_call(false);
                }
                Err(error)
            }
        }
    }

    /// A call of a native function that is no bound method (`abs(x)`,
    /// `len(s)`) with positional arguments only, the stack's values from
    /// `at` on: `call_builtin`'s work without going through `call_with`.
    /// `None` when the callee is something else.
    #[inline]
    fn call_native_from_stack(&mut self, frame: &mut Frame, at: usize) -> PyResult<Option<Value>> {
        let native = match at.checked_sub(1).and_then(|c| frame.stack.get(c)) {
            Some(Value::Builtin(builtin)) if builtin.receiver.is_none() => match builtin.func {
                crate::value::NativeFn::Plain(native) => native,
                crate::value::NativeFn::Closure(_) => return Ok(None),
            },
            _ => return Ok(None),
        };
        let mut args = crate::value::Args::new(self.take_arg_vec());
        args.positional.extend(frame.stack.drain(at..));
        let callee = Self::pop(frame);
        self.note_call_site(frame.ip);
        self.enter_native()?;
        let result = native(self, &mut args);
        self.depth -= 1;
        self.recycle_arg_vec(std::mem::take(&mut args.positional));
        if let Err(Unwind::Halt(Halt::Park(parked))) = &result {
            parked.native_returned();
        }
        result.map(Some).map_err(|error| link_park(error, &callee))
    }

    /// Remembers where the innermost frame is calling from.
    #[inline]
    fn note_call_site(&mut self, ip: usize) {
        if let Some(site) = self.call_sites.last_mut() {
            site.ip = ip;
        }
    }

    /// Continues a call stack the host parked (see [`crate::value::Parked`]):
    /// the innermost frame receives `value` as the result of the call it
    /// parked in, and each frame's result (or exception) becomes the
    /// result of the pending call of the frame outside it. Returns what
    /// the outermost frame returns; parks again if a frame parks again.
    pub fn resume_parked(
        &mut self,
        parked: &crate::value::Parked,
        value: Value,
    ) -> PyResult<Value> {
        if !parked.is_resumable() {
            return Err(self.error(
                ExcType::SystemError,
                "the parked call stack cannot be resumed",
            ));
        }
        let mut frames = parked.take_frames().into_iter();
        let mut incoming: Result<Value, Value> = Ok(value);
        while let Some(mut frame) = frames.next() {
            let resume = match incoming {
                Ok(value) => Resume::Send(value),
                Err(exc) => Resume::Throw(exc),
            };
            incoming = match self.run_frame(&mut frame, resume) {
                Ok(FrameExit::Return(value)) => Ok(value),
                Ok(FrameExit::Yield(..)) => {
                    return Err(self.error(ExcType::SystemError, "a resumed call frame yielded"));
                }
                Err(Unwind::Exception(exc)) => Err(exc),
                Err(Unwind::Halt(Halt::Park(again))) => {
                    again.extend_outer(frames);
                    return Err(Unwind::Halt(Halt::Park(again)));
                }
                Err(halt) => return Err(halt),
            };
        }
        incoming.map_err(Unwind::Exception)
    }

    fn add_traceback(&mut self, exc: &Value, frame: &Frame) {
        if let Some(data) = exc.as_exception() {
            let entry = TraceEntry {
                filename: frame.code.filename.clone(),
                function: frame.code.name.as_str().into(),
                line: frame.line(),
                range: frame.range(),
            };
            data.traceback.borrow_mut().insert(0, entry);
        }
    }

    /// Pops blocks until a handler takes the exception; false if none does.
    fn unwind_to_handler(&mut self, frame: &mut Frame, exc: Value) -> bool {
        while let Some(block) = frame.blocks.pop() {
            match block {
                Block::ExceptHandler { .. } => {
                    self.exc_stack.pop();
                }
                Block::Handler { handler, level } => {
                    frame.stack.truncate(level as usize);
                    frame.blocks.push(Block::ExceptHandler { level });
                    self.exc_stack.push(exc.clone());
                    frame.stack.push(exc);
                    frame.ip = handler as usize;
                    return true;
                }
            }
        }
        false
    }

    /// Raises `exc` at the frame's suspension point; a frame suspended in
    /// `YieldFrom` first passes it to its delegate.
    fn throw_into(&mut self, frame: &mut Frame, exc: Value) -> PyResult<Step> {
        if frame.ip < frame.code.ops.len() && matches!(frame.code.ops[frame.ip], Op::YieldFrom) {
            if let Some(delegate) = frame.stack.last().cloned() {
                match self.throw_to_delegate(&delegate, exc)? {
                    super::generators::Delegated::Yielded(value) => {
                        return Ok(Step::Exit(FrameExit::Yield(value, true)));
                    }
                    super::generators::Delegated::Returned(value) => {
                        frame.stack.pop();
                        frame.stack.push(value);
                        frame.ip += 1;
                        return self.execute(frame);
                    }
                }
            }
        }
        Err(Unwind::Exception(exc))
    }

    // `unwrap_or(Value::None)` would build the default and run `Value`'s
    // drop glue on it at every pop, used or not.
    #[inline]
    fn pop(frame: &mut Frame) -> Value {
        match frame.stack.pop() {
            Some(value) => value,
            None => Value::None,
        }
    }

    #[inline]
    fn top(frame: &Frame) -> Value {
        match frame.stack.last() {
            Some(value) => value.clone(),
            None => Value::None,
        }
    }

    /// Pops `n` values, in push order.
    fn pop_n(frame: &mut Frame, n: usize) -> Vec<Value> {
        let at = frame.stack.len().saturating_sub(n);
        frame.stack.split_off(at)
    }

    fn execute(&mut self, frame: &mut Frame) -> PyResult<Step> {
        let code = frame.code.clone();
        loop {
            self.tick()?;
            let op = code.ops[frame.ip];
            frame.ip += 1;
            match op {
                Op::Nop => {}
                Op::Pop => {
                    if let Some(v) = frame.stack.pop() {
                        discard(v);
                    }
                }
                Op::Dup => {
                    let v = Self::top(frame);
                    frame.stack.push(v);
                }
                Op::DupTwo => {
                    let n = frame.stack.len();
                    let (a, b) = (frame.stack[n - 2].clone(), frame.stack[n - 1].clone());
                    frame.stack.push(a);
                    frame.stack.push(b);
                }
                Op::Rot2 => {
                    let n = frame.stack.len();
                    frame.stack.swap(n - 1, n - 2);
                }
                Op::Rot3 => {
                    let v = Self::pop(frame);
                    let n = frame.stack.len();
                    frame.stack.insert(n - 2, v);
                }
                Op::Rot4 => {
                    let v = Self::pop(frame);
                    let n = frame.stack.len();
                    frame.stack.insert(n - 3, v);
                }
                Op::LoadConst(i) => frame.stack.push(code.consts[i as usize].clone()),
                Op::LoadFast(i) => match &frame.locals[i as usize] {
                    Some(Value::Int(n)) => frame.stack.push(Value::Int(*n)),
                    Some(v) => frame.stack.push(v.clone()),
                    None => {
                        let name = code.varnames[i as usize].as_str().to_string();
                        return Err(self.error(
                            ExcType::UnboundLocalError,
                            format!("cannot access local variable '{name}' where it is not associated with a value"),
                        ));
                    }
                },
                Op::StoreFast(i) => {
                    let v = Self::pop(frame);
                    if let Some(old) = frame.locals[i as usize].replace(v) {
                        discard(old);
                    }
                }
                Op::DeleteFast(i) => {
                    if frame.locals[i as usize].take().is_none() {
                        let name = code.varnames[i as usize].as_str().to_string();
                        return Err(self.error(
                            ExcType::UnboundLocalError,
                            format!("cannot access local variable '{name}' where it is not associated with a value"),
                        ));
                    }
                }
                Op::LoadDeref(i) | Op::LoadClassDeref(i) => {
                    if let Op::LoadClassDeref(_) = op {
                        let name = code.deref_name(i);
                        if let Some(ns) = &frame.namespace {
                            if let Some(v) = ns.dict.borrow().get(name) {
                                frame.stack.push(v.clone());
                                continue;
                            }
                        }
                    }
                    let value = frame.cells[i as usize].value.borrow().clone();
                    match value {
                        Some(v) => frame.stack.push(v),
                        None => {
                            let name = code.deref_name(i).to_string();
                            let message = if (i as usize) < code.cellvars.len() {
                                format!("cannot access local variable '{name}' where it is not associated with a value")
                            } else {
                                format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope")
                            };
                            let kind = if (i as usize) < code.cellvars.len() {
                                ExcType::UnboundLocalError
                            } else {
                                ExcType::NameError
                            };
                            return Err(self.error(kind, message));
                        }
                    }
                }
                Op::StoreDeref(i) => {
                    let v = Self::pop(frame);
                    *frame.cells[i as usize].value.borrow_mut() = Some(v);
                }
                Op::DeleteDeref(i) => {
                    frame.cells[i as usize].value.borrow_mut().take();
                }
                Op::LoadClosure(i) => {
                    // Cells travel as a native object holding the cell.
                    frame
                        .stack
                        .push(self.cell_value(frame.cells[i as usize].clone()));
                }
                Op::LoadGlobal(i) => {
                    let name = &code.names[i as usize];
                    let value =
                        self.load_global_cached(&code, frame.ip - 1, &frame.globals, name)?;
                    frame.stack.push(value);
                }
                Op::StoreGlobal(i) => {
                    let v = Self::pop(frame);
                    let name = &code.names[i as usize];
                    self.store_global_cached(&code, frame.ip - 1, &frame.globals, name, v);
                }
                Op::DeleteGlobal(i) => {
                    let name = &code.names[i as usize];
                    if frame
                        .globals
                        .dict
                        .borrow_mut()
                        .remove(name.as_str())
                        .is_none()
                    {
                        return Err(self.name_error(name.as_str()));
                    }
                }
                Op::LoadName(i) if frame.namespace_is_globals() => {
                    // A module body: its namespace is its globals, so the
                    // lookup is LOAD_GLOBAL's, cache and all.
                    let name = &code.names[i as usize];
                    let value =
                        self.load_global_cached(&code, frame.ip - 1, &frame.globals, name)?;
                    frame.stack.push(value);
                }
                Op::StoreName(i) if frame.namespace_is_globals() => {
                    let v = Self::pop(frame);
                    let name = &code.names[i as usize];
                    self.store_global_cached(&code, frame.ip - 1, &frame.globals, name, v);
                }
                Op::LoadName(i) => {
                    let name = &code.names[i as usize];
                    let local = frame
                        .namespace
                        .as_ref()
                        .and_then(|ns| ns.dict.borrow().get_name(name).cloned());
                    let value = match local {
                        Some(v) => v,
                        None => {
                            let global = frame.globals.dict.borrow().get_name(name).cloned();
                            match global
                                .or_else(|| self.builtins.dict.borrow().get_name(name).cloned())
                            {
                                Some(v) => v,
                                None => return Err(self.name_error(name.as_str())),
                            }
                        }
                    };
                    frame.stack.push(value);
                }
                Op::StoreName(i) => {
                    let v = Self::pop(frame);
                    let ns = frame
                        .namespace
                        .clone()
                        .unwrap_or_else(|| frame.globals.clone());
                    ns.dict
                        .borrow_mut()
                        .insert(code.names[i as usize].clone(), v);
                }
                Op::DeleteName(i) => {
                    let name = &code.names[i as usize];
                    let ns = frame
                        .namespace
                        .clone()
                        .unwrap_or_else(|| frame.globals.clone());
                    if ns.dict.borrow_mut().remove(name.as_str()).is_none() {
                        return Err(self.name_error(name.as_str()));
                    }
                }
                Op::LoadAttr(i) => {
                    let obj = Self::pop(frame);
                    let v =
                        self.load_attr_cached(&code, frame.ip - 1, &obj, &code.names[i as usize])?;
                    frame.stack.push(v);
                }
                Op::StoreAttr(i) => {
                    let obj = Self::pop(frame);
                    let v = Self::pop(frame);
                    let name = &code.names[i as usize];
                    self.store_attr_cached(&code, frame.ip - 1, &obj, name, v)?;
                }
                Op::DeleteAttr(i) => {
                    let obj = Self::pop(frame);
                    self.del_attr(&obj, &code.names[i as usize])?;
                }
                Op::LoadMethod(i) => {
                    // CPython LOAD_METHOD: a plain function found on the
                    // class is pushed with its instance, unbound (no bound
                    // method is made); anything else is pushed as the
                    // attribute's value followed by `None`.
                    // The instruction's inline cache remembers which case
                    // it is (see `vm::inline_cache`).
                    let obj = Self::pop(frame);
                    let name = &code.names[i as usize];
                    self.load_method_cached(&code, frame.ip - 1, obj, name, &mut frame.stack)?;
                }
                Op::CallMethod(n) => {
                    // The receiver slot holds an instance (call the function
                    // with it first) or `None` (call the value as it is).
                    let n = n as usize;
                    let receiver_at = frame.stack.len().checked_sub(n + 1);
                    let receiver = receiver_at.and_then(|at| frame.stack.get(at));
                    if let (Some(at), Some(receiver)) = (receiver_at, receiver) {
                        if !receiver.is_none() {
                            if let Some(v) = self.call_python_from_stack(frame, at)? {
                                frame.stack.push(v);
                                continue;
                            }
                        }
                    }
                    let receiver = receiver_at.and_then(|at| frame.stack.get(at));
                    let mut args = self.take_arg_vec();
                    match (receiver_at, receiver) {
                        (Some(at), Some(receiver)) if !receiver.is_none() => {
                            args.extend(frame.stack.drain(at..));
                        }
                        _ => {
                            let at = frame.stack.len().saturating_sub(n);
                            args.extend(frame.stack.drain(at..));
                            frame.stack.pop();
                        }
                    };
                    let callee = Self::pop(frame);
                    self.note_call_site(frame.ip);
                    let v = self
                        .call_with(&callee, args, Vec::new())
                        .map_err(|e| link_park(e, &callee))?;
                    frame.stack.push(v);
                }
                Op::Subscript => {
                    let key = Self::pop(frame);
                    let obj = Self::pop(frame);
                    let v = self.get_item(&obj, &key)?;
                    frame.stack.push(v);
                }
                Op::StoreSubscript => {
                    let key = Self::pop(frame);
                    let obj = Self::pop(frame);
                    let v = Self::pop(frame);
                    self.set_item(&obj, key, v)?;
                }
                Op::DeleteSubscript => {
                    let key = Self::pop(frame);
                    let obj = Self::pop(frame);
                    self.del_item(&obj, &key)?;
                }
                Op::Binary(b) => {
                    if int_arithmetic_in_place(b, &mut frame.stack) {
                        continue;
                    }
                    let right = Self::pop(frame);
                    let left = Self::pop(frame);
                    let v = match small_arithmetic(b, &left, &right) {
                        Some(v) => v,
                        None => self.binary_op(b, &left, &right)?,
                    };
                    discard(left);
                    discard(right);
                    frame.stack.push(v);
                }
                Op::InPlace(b) => {
                    if int_arithmetic_in_place(b, &mut frame.stack) {
                        continue;
                    }
                    let right = Self::pop(frame);
                    let left = Self::pop(frame);
                    let v = match small_arithmetic(b, &left, &right) {
                        Some(v) => v,
                        None => self.inplace_op(b, &left, &right)?,
                    };
                    discard(left);
                    discard(right);
                    frame.stack.push(v);
                }
                Op::Unary(u) => {
                    let v = Self::pop(frame);
                    let r = match u {
                        UnaryOp::Not => Value::Bool(!self.truthy(&v)?),
                        other => self.unary_op(other, &v)?,
                    };
                    frame.stack.push(r);
                }
                Op::Compare(c) => {
                    let right = Self::pop(frame);
                    let left = Self::pop(frame);
                    let v = match (&left, &right) {
                        (Value::Int(a), Value::Int(b)) => Value::Bool(match c {
                            CmpOp::Lt => a < b,
                            CmpOp::Le => a <= b,
                            CmpOp::Eq => a == b,
                            CmpOp::Ne => a != b,
                            CmpOp::Gt => a > b,
                            CmpOp::Ge => a >= b,
                        }),
                        _ => self.compare(c, &left, &right)?,
                    };
                    discard(left);
                    discard(right);
                    frame.stack.push(v);
                }
                Op::Is(negated) => {
                    let right = Self::pop(frame);
                    let left = Self::pop(frame);
                    frame.stack.push(Value::Bool(left.is(&right) != negated));
                }
                Op::In(negated) => {
                    let container = Self::pop(frame);
                    let item = Self::pop(frame);
                    let found = self.contains(&container, &item)?;
                    frame.stack.push(Value::Bool(found != negated));
                }
                Op::Jump(t) => frame.ip = t as usize,
                Op::PopJumpIfFalse(t) => {
                    let v = Self::pop(frame);
                    let truth = match v {
                        Value::Bool(b) => b,
                        _ => self.truthy(&v)?,
                    };
                    discard(v);
                    if !truth {
                        frame.ip = t as usize;
                    }
                }
                Op::PopJumpIfTrue(t) => {
                    let v = Self::pop(frame);
                    let truth = match v {
                        Value::Bool(b) => b,
                        _ => self.truthy(&v)?,
                    };
                    discard(v);
                    if truth {
                        frame.ip = t as usize;
                    }
                }
                Op::JumpIfFalseOrPop(t) => {
                    let v = Self::top(frame);
                    if !self.truthy(&v)? {
                        frame.ip = t as usize;
                    } else {
                        frame.stack.pop();
                    }
                }
                Op::JumpIfTrueOrPop(t) => {
                    let v = Self::top(frame);
                    if self.truthy(&v)? {
                        frame.ip = t as usize;
                    } else {
                        frame.stack.pop();
                    }
                }
                Op::GetIter => {
                    let v = Self::pop(frame);
                    let it = self.get_iter(&v)?;
                    frame.stack.push(it);
                }
                Op::ForIter(t) => {
                    let in_place = match frame.stack.last() {
                        Some(Value::Iterator(native)) => super::protocols::next_in_place(native),
                        _ => None,
                    };
                    let item = match in_place {
                        Some(item) => item,
                        None => {
                            let it = Self::top(frame);
                            self.next_item(&it)?
                        }
                    };
                    match item {
                        Some(v) => frame.stack.push(v),
                        None => {
                            frame.stack.pop();
                            frame.ip = t as usize;
                        }
                    }
                }
                Op::BuildTuple(n) => {
                    let items = Self::pop_n(frame, n as usize);
                    frame.stack.push(Value::tuple(items));
                }
                Op::BuildList(n) => {
                    let items = Self::pop_n(frame, n as usize);
                    frame.stack.push(Value::list(items));
                }
                Op::BuildSet(n) => {
                    let items = Self::pop_n(frame, n as usize);
                    let set = self.new_set(items)?;
                    frame.stack.push(set);
                }
                Op::BuildMap(n) => {
                    let items = Self::pop_n(frame, 2 * n as usize);
                    let dict = crate::value::PyDict::new();
                    let mut it = items.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        dict.set(self, k, v)?;
                    }
                    frame.stack.push(Value::Dict(Rc::new(dict)));
                }
                Op::BuildSlice(n) => {
                    let step = if n == 3 {
                        Self::pop(frame)
                    } else {
                        Value::None
                    };
                    let stop = Self::pop(frame);
                    let start = Self::pop(frame);
                    frame
                        .stack
                        .push(Value::Slice(Rc::new(crate::value::PySlice {
                            start,
                            stop,
                            step,
                        })));
                }
                Op::BuildString(n) => {
                    let parts = Self::pop_n(frame, n as usize);
                    let mut s = String::new();
                    for p in &parts {
                        if let Value::Str(text) = p {
                            s.push_str(text.as_str());
                        }
                    }
                    frame.stack.push(Value::string(s));
                }
                Op::FormatValue(conversion, has_spec) => {
                    let spec = if has_spec {
                        Some(Self::pop(frame))
                    } else {
                        None
                    };
                    let value = Self::pop(frame);
                    let converted = match conversion {
                        b's' => Value::string(self.str_of(&value)?),
                        b'r' => Value::string(self.repr_of(&value)?),
                        b'a' => Value::string(crate::builtins::ascii_of(&self.repr_of(&value)?)),
                        _ => value,
                    };
                    let spec_text = match &spec {
                        Some(Value::Str(s)) => s.as_str().to_string(),
                        _ => String::new(),
                    };
                    let text = self.format_value(&converted, &spec_text)?;
                    frame.stack.push(Value::string(text));
                }
                Op::ListAppend(i) => {
                    let v = Self::pop(frame);
                    let at = frame.stack.len() - i as usize;
                    if let Some(list) = frame.stack[at].as_list() {
                        list.borrow_mut().push(v);
                    }
                }
                Op::SetAdd(i) => {
                    let v = Self::pop(frame);
                    let at = frame.stack.len() - i as usize;
                    let set = frame.stack[at].clone();
                    self.set_add(&set, v)?;
                }
                Op::MapAdd(i) => {
                    let v = Self::pop(frame);
                    let k = Self::pop(frame);
                    let at = frame.stack.len() - i as usize;
                    let dict = frame.stack[at].clone();
                    if let Some(d) = dict.as_dict() {
                        d.set(self, k, v)?;
                    }
                }
                Op::ListExtend(i) => {
                    let v = Self::pop(frame);
                    let items = self.starred_items(&v)?;
                    let at = frame.stack.len() - i as usize;
                    if let Some(list) = frame.stack[at].as_list() {
                        list.borrow_mut().extend(items);
                    }
                }
                Op::SetUpdate(i) => {
                    let v = Self::pop(frame);
                    let items = self.collect(&v)?;
                    let at = frame.stack.len() - i as usize;
                    let set = frame.stack[at].clone();
                    for item in items {
                        self.set_add(&set, item)?;
                    }
                }
                Op::DictUpdate(i) | Op::DictMerge(i) => {
                    let v = Self::pop(frame);
                    let at = frame.stack.len() - i as usize;
                    let target = frame.stack[at].clone();
                    let merge = matches!(op, Op::DictMerge(_));
                    if let Err(error) = self.dict_update(&target, &v, merge) {
                        // CPython format_kwargs_error names the callee:
                        // `__main__.f() got multiple values for ...`.
                        let callee = at.checked_sub(2).map(|c| frame.stack[c].clone());
                        return Err(self.name_callee_in_error(error, callee.as_ref()));
                    }
                }
                Op::ListToTuple => {
                    let v = Self::pop(frame);
                    let items = v.as_list().map(|l| l.borrow().clone()).unwrap_or_default();
                    frame.stack.push(Value::tuple(items));
                }
                Op::UnpackSequence(n) => {
                    let v = Self::pop(frame);
                    let items = self.unpack(&v, n as usize)?;
                    frame.stack.extend(items.into_iter().rev());
                }
                Op::UnpackEx(before, after) => {
                    let v = Self::pop(frame);
                    let items = self.collect(&v)?;
                    let (before, after) = (before as usize, after as usize);
                    if items.len() < before + after {
                        return Err(self.error(
                            ExcType::ValueError,
                            format!(
                                "not enough values to unpack (expected at least {}, got {})",
                                before + after,
                                items.len()
                            ),
                        ));
                    }
                    let mut items = items;
                    let tail = items.split_off(items.len() - after);
                    let middle = items.split_off(before);
                    for v in tail.into_iter().rev() {
                        frame.stack.push(v);
                    }
                    frame.stack.push(Value::list(middle));
                    for v in items.into_iter().rev() {
                        frame.stack.push(v);
                    }
                }
                Op::MakeFunction(flags) => {
                    let qualname = Self::pop(frame);
                    let code_value = Self::pop(frame);
                    let Value::Code(fcode) = code_value else {
                        return Err(self.error(ExcType::SystemError, "MakeFunction without code"));
                    };
                    let closure = if flags & make_function::CLOSURE != 0 {
                        let tuple = Self::pop(frame);
                        match tuple {
                            Value::Tuple(t) => t.items.iter().filter_map(cell_of).collect(),
                            _ => Vec::new(),
                        }
                    } else {
                        Vec::new()
                    };
                    let annotations = if flags & make_function::ANNOTATIONS != 0 {
                        Self::pop(frame)
                    } else {
                        Value::None
                    };
                    let kwdefaults = if flags & make_function::KWDEFAULTS != 0 {
                        Self::pop(frame)
                    } else {
                        Value::None
                    };
                    let defaults = if flags & make_function::DEFAULTS != 0 {
                        Self::pop(frame)
                    } else {
                        Value::None
                    };
                    let qualname = match qualname {
                        Value::Str(s) => s,
                        _ => fcode.qualname.clone(),
                    };
                    let function: Function =
                        self.new_function(fcode, frame.globals.clone(), qualname, closure);
                    if let Value::Tuple(t) = defaults {
                        *function.defaults.borrow_mut() = t.items.clone();
                    }
                    if let Value::Dict(d) = kwdefaults {
                        let items = d.items();
                        *function.kwdefaults.borrow_mut() = items
                            .into_iter()
                            .filter_map(|(k, v)| match k {
                                Value::Str(s) => Some((s, v)),
                                _ => None,
                            })
                            .collect();
                    }
                    *function.annotations.borrow_mut() = annotations;
                    if let Some(module) = frame.globals.dict.borrow().get("__name__") {
                        function.dict.borrow_mut().set("__module__", module.clone());
                    }
                    frame.stack.push(Value::Function(Rc::new(function)));
                }
                Op::Call(n) => {
                    let at = frame.stack.len().saturating_sub(n as usize);
                    if let Some(v) = self.call_python_from_stack(frame, at)? {
                        frame.stack.push(v);
                        continue;
                    }
                    if let Some(v) = self.call_class_from_stack(frame, at)? {
                        frame.stack.push(v);
                        continue;
                    }
                    if let Some(v) = self.call_native_from_stack(frame, at)? {
                        frame.stack.push(v);
                        continue;
                    }
                    let mut args = self.take_arg_vec();
                    args.extend(frame.stack.drain(at..));
                    let callee = Self::pop(frame);
                    self.note_call_site(frame.ip);
                    let v = self
                        .call_with(&callee, args, Vec::new())
                        .map_err(|e| link_park(e, &callee))?;
                    frame.stack.push(v);
                }
                Op::CallKw(n) => {
                    let names = Self::pop(frame);
                    let mut args = Self::pop_n(frame, n as usize);
                    let callee = Self::pop(frame);
                    let names: Vec<Rc<PyStr>> = match names {
                        Value::Tuple(t) => t
                            .items
                            .iter()
                            .filter_map(|v| match v {
                                Value::Str(s) => Some(s.clone()),
                                _ => None,
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    let values = args.split_off(args.len() - names.len());
                    let kwargs = names.into_iter().zip(values).collect();
                    self.note_call_site(frame.ip);
                    let v = self
                        .call_with(&callee, args, kwargs)
                        .map_err(|e| link_park(e, &callee))?;
                    frame.stack.push(v);
                }
                Op::CallEx(has_kwargs) => {
                    let kwargs = if has_kwargs {
                        Self::pop(frame)
                    } else {
                        Value::None
                    };
                    let args = Self::pop(frame);
                    let callee = Self::pop(frame);
                    let positional = match args {
                        Value::Tuple(t) => t.items.clone(),
                        other => self.star_arguments(&callee, &other)?,
                    };
                    let mut keywords = Vec::new();
                    if let Some(d) = kwargs.as_dict() {
                        for (k, v) in d.items() {
                            match k {
                                Value::Str(s) => keywords.push((s, v)),
                                _ => return Err(self.type_error("keywords must be strings")),
                            }
                        }
                    }
                    self.note_call_site(frame.ip);
                    let v = self
                        .call_with(&callee, positional, keywords)
                        .map_err(|e| link_park(e, &callee))?;
                    frame.stack.push(v);
                }
                Op::Return => {
                    let v = Self::pop(frame);
                    return Ok(Step::Exit(FrameExit::Return(v)));
                }
                Op::YieldValue => {
                    let v = Self::pop(frame);
                    return Ok(Step::Exit(FrameExit::Yield(v, false)));
                }
                Op::YieldFrom => {
                    let sent = Self::pop(frame);
                    let delegate = Self::top(frame);
                    match self.send_to_delegate(&delegate, sent)? {
                        super::generators::Delegated::Yielded(v) => {
                            // Re-execute this instruction when resumed.
                            frame.ip -= 1;
                            return Ok(Step::Exit(FrameExit::Yield(v, true)));
                        }
                        super::generators::Delegated::Returned(v) => {
                            frame.stack.pop();
                            frame.stack.push(v);
                        }
                    }
                }
                Op::GetYieldFromIter => {
                    let v = Self::pop(frame);
                    let it = match &v {
                        Value::Generator(g) if g.kind == GenKind::Coroutine => {
                            if !code.flags.coroutine && !code.flags.generator {
                                return Err(self.type_error("cannot 'yield from' a coroutine object in a non-coroutine generator"));
                            }
                            v.clone()
                        }
                        Value::Generator(g) if g.kind == GenKind::Generator => v.clone(),
                        _ => self.get_iter(&v)?,
                    };
                    frame.stack.push(it);
                }
                Op::GetAwaitable(context) => {
                    let v = Self::pop(frame);
                    let awaitable = self.get_awaitable(&v, context)?;
                    frame.stack.push(awaitable);
                }
                Op::GetAIter => {
                    let v = Self::pop(frame);
                    let it = self.get_aiter(&v)?;
                    frame.stack.push(it);
                }
                Op::GetANext => {
                    let it = Self::top(frame);
                    let awaitable = self.get_anext_awaitable(&it)?;
                    frame.stack.push(awaitable);
                }
                Op::EndAsyncFor => {
                    let exc = Self::pop(frame);
                    let stop = self.types.exception(ExcType::StopAsyncIteration);
                    if self.class_of(&exc).is_subclass_of(&stop) {
                        frame.blocks.pop();
                        self.exc_stack.pop();
                        frame.stack.pop();
                    } else {
                        frame.reraising = true;
                        return Err(Unwind::Exception(exc));
                    }
                }
                Op::SetupExcept(t) | Op::SetupFinally(t) => {
                    frame.blocks.push(Block::Handler {
                        handler: t,
                        level: frame.stack.len() as u32,
                    });
                }
                Op::SetupWith(t) => {
                    let manager = Self::pop(frame);
                    let exit =
                        self.special_method(&manager, "__exit__", "the context manager protocol")?;
                    let enter =
                        self.special_method(&manager, "__enter__", "the context manager protocol")?;
                    frame.stack.push(exit);
                    frame.blocks.push(Block::Handler {
                        handler: t,
                        level: frame.stack.len() as u32,
                    });
                    let entered = self.call(&enter, Vec::new())?;
                    frame.stack.push(entered);
                }
                Op::BeforeAsyncWith => {
                    let manager = Self::pop(frame);
                    let exit = self.special_method(
                        &manager,
                        "__aexit__",
                        "the asynchronous context manager protocol",
                    )?;
                    let enter = self.special_method(
                        &manager,
                        "__aenter__",
                        "the asynchronous context manager protocol",
                    )?;
                    frame.stack.push(exit);
                    let awaitable = self.call(&enter, Vec::new())?;
                    frame.stack.push(awaitable);
                }
                Op::SetupAsyncWith(t) => {
                    let level = frame.stack.len() as u32 - 1;
                    frame.blocks.push(Block::Handler { handler: t, level });
                }
                Op::PopBlock => {
                    frame.blocks.pop();
                }
                Op::PopExcept => {
                    if let Some(Block::ExceptHandler { .. }) = frame.blocks.last() {
                        frame.blocks.pop();
                        self.exc_stack.pop();
                    }
                }
                Op::Raise(n) => {
                    let exc = self.do_raise(frame, n)?;
                    return Err(exc);
                }
                Op::Reraise => {
                    let exc = Self::pop(frame);
                    frame.reraising = true;
                    return Err(Unwind::Exception(exc));
                }
                Op::JumpIfNotExcMatch(t) => {
                    let class = Self::pop(frame);
                    let exc = Self::pop(frame);
                    if !self.exception_matches(&exc, &class)? {
                        frame.ip = t as usize;
                    }
                }
                Op::CheckEgMatch => {
                    let class = Self::pop(frame);
                    let rest = Self::pop(frame);
                    let (matched, remaining) = self.split_exception_group(&rest, &class)?;
                    frame.stack.push(remaining);
                    frame.stack.push(matched);
                }
                Op::PrepReraiseStar => {
                    let raised = Self::pop(frame);
                    let rest = Self::pop(frame);
                    let original = Self::top(frame);
                    let result = self.prep_reraise_star(&original, &rest, &raised)?;
                    frame.stack.push(result);
                }
                Op::WithExceptStart => {
                    let exc = Self::top(frame);
                    let exit = frame.stack[frame.stack.len() - 2].clone();
                    let class = Value::Class(self.class_of(&exc));
                    let traceback = self.traceback_object(&exc);
                    let result = self.call(&exit, vec![class, exc, traceback])?;
                    frame.stack.push(result);
                }
                Op::LoadAssertionError => {
                    frame
                        .stack
                        .push(Value::Class(self.types.exception(ExcType::AssertionError)));
                }
                Op::LoadBuildClass => {
                    frame
                        .stack
                        .push(self.builtin("__build_class__", crate::builtins::build_class));
                }
                Op::ImportName(i) => {
                    let fromlist = Self::pop(frame);
                    let level = Self::pop(frame);
                    let module =
                        self.import_module(code.names[i as usize].as_str(), &fromlist, &level)?;
                    frame.stack.push(module);
                }
                Op::ImportFrom(i) => {
                    let module = Self::top(frame);
                    let v = self.import_from(&module, &code.names[i as usize])?;
                    frame.stack.push(v);
                }
                Op::ImportStar => {
                    let module = Self::pop(frame);
                    let ns = frame
                        .namespace
                        .clone()
                        .unwrap_or_else(|| frame.globals.clone());
                    self.import_star(&module, &ns)?;
                }
                Op::SetupAnnotations => {
                    let ns = frame
                        .namespace
                        .clone()
                        .unwrap_or_else(|| frame.globals.clone());
                    if !ns.dict.borrow().contains("__annotations__") {
                        ns.dict.borrow_mut().set(
                            "__annotations__",
                            Value::Dict(Rc::new(crate::value::PyDict::new())),
                        );
                    }
                }
            }
        }
    }

    fn do_raise(&mut self, frame: &mut Frame, n: u8) -> PyResult<Unwind> {
        match n {
            0 => match self.exc_stack.last().cloned() {
                Some(exc) => {
                    frame.reraising = true;
                    Ok(Unwind::Exception(exc))
                }
                None => Err(self.error(ExcType::RuntimeError, "No active exception to reraise")),
            },
            _ => {
                let cause = if n == 2 { Some(Self::pop(frame)) } else { None };
                let exc = Self::pop(frame);
                let exc = self.make_raisable(exc)?;
                if let Some(cause) = cause {
                    let cause = match cause {
                        Value::None => Value::None,
                        other => self.make_raisable(other).map_err(|_| {
                            self.type_error("exception causes must derive from BaseException")
                        })?,
                    };
                    if let Some(data) = exc.as_exception() {
                        *data.cause.borrow_mut() = cause;
                        data.suppress_context.set(true);
                    }
                }
                self.set_context(&exc);
                Ok(Unwind::Exception(exc))
            }
        }
    }
}

impl Vm {
    /// Prefixes a `**` merge error with the callee's name.
    fn name_callee_in_error(&mut self, error: Unwind, callee: Option<&Value>) -> Unwind {
        let Unwind::Exception(exc) = &error else {
            return error;
        };
        let (Some(callee), true) = (callee, self.is_exception(exc, ExcType::TypeError)) else {
            return error;
        };
        let text = self.exception_str(exc).unwrap_or_default();
        let name = match callee {
            Value::Function(f) => {
                let module = f
                    .globals
                    .dict
                    .borrow()
                    .get("__name__")
                    .and_then(|m| match m {
                        Value::Str(s) => Some(s.as_str().to_string()),
                        _ => None,
                    })
                    .unwrap_or_default();
                format!("{module}.{}", f.qualname.borrow().as_str())
            }
            Value::Builtin(b) => b.name.as_str().to_string(),
            Value::Class(c) => c.qualname.borrow().as_str().to_string(),
            _ => return error,
        };
        if text.starts_with("got multiple values") {
            return self.type_error(format!("{name}() {text}"));
        }
        if let Some(rest) = text.strip_prefix("argument after ** must be a mapping") {
            return self.type_error(format!(
                "{name}() argument after ** must be a mapping{rest}"
            ));
        }
        error
    }

    /// Wraps a cell so it can travel on the value stack to `MakeFunction`.
    fn cell_value(&self, cell: Rc<CellObj>) -> Value {
        Value::Native(Rc::new(crate::value::NativeObj {
            class: self.types.named("cell"),
            data: std::cell::RefCell::new(Box::new(cell)),
            dict: Default::default(),
            id: 0,
        }))
    }
}

pub(crate) fn cell_of(value: &Value) -> Option<Rc<CellObj>> {
    match value {
        Value::Native(n) => n.data.borrow().downcast_ref::<Rc<CellObj>>().cloned(),
        _ => None,
    }
}

/// Drops a value popped from the stack, skipping the out-of-line drop
/// glue of `Value` for the values that own nothing (the common results of
/// arithmetic and comparisons).
#[inline(always)]
pub(super) fn discard(value: Value) {
    match value {
        Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) => std::mem::forget(value),
        other => drop(other),
    }
}

/// Arithmetic on the two small ints on top of the stack, done where the
/// left one is (the right one popped): `small_arithmetic`'s int cases but
/// true division, without moving the operands out. False (the stack as
/// it was) when the operands are something else or the result needs the
/// general path.
#[inline(always)]
fn int_arithmetic_in_place(op: BinOp, stack: &mut Vec<Value>) -> bool {
    let [.., Value::Int(left), Value::Int(right)] = stack.as_mut_slice() else {
        return false;
    };
    let (a, b) = (*left, *right);
    let result = match op {
        BinOp::Add => a.checked_add(b),
        BinOp::Sub => a.checked_sub(b),
        BinOp::Mul => a.checked_mul(b),
        BinOp::Mod => a.checked_rem(b).map(|r| {
            if r != 0 && ((r < 0) != (b < 0)) {
                r + b
            } else {
                r
            }
        }),
        BinOp::And => Some(a & b),
        BinOp::Or => Some(a | b),
        BinOp::Xor => Some(a ^ b),
        _ => None,
    };
    match result {
        Some(result) => {
            *left = result;
            if let Some(right) = stack.pop() {
                discard(right);
            }
            true
        }
        None => false,
    }
}

/// The result of arithmetic on two small ints (or two floats) that needs
/// no object protocol: the common case, computed in place. `None` sends
/// everything else (overflow into big ints, division by zero, other
/// types) the general way. Python's semantics: floor division and modulo
/// round toward negative infinity (the remainder takes the divisor's sign).
#[inline]
fn small_arithmetic(op: BinOp, left: &Value, right: &Value) -> Option<Value> {
    match (left, right) {
        (Value::Int(a), Value::Int(b)) => {
            let (a, b) = (*a, *b);
            let result = match op {
                BinOp::Add => a.checked_add(b)?,
                BinOp::Sub => a.checked_sub(b)?,
                BinOp::Mul => a.checked_mul(b)?,
                BinOp::Mod => {
                    let r = a.checked_rem(b)?;
                    if r != 0 && ((r < 0) != (b < 0)) {
                        r + b
                    } else {
                        r
                    }
                }
                BinOp::FloorDiv => {
                    let q = a.checked_div(b)?;
                    if (a % b != 0) && ((a < 0) != (b < 0)) {
                        q - 1
                    } else {
                        q
                    }
                }
                BinOp::And => a & b,
                BinOp::Or => a | b,
                BinOp::Xor => a ^ b,
                // CPython longobject.c long_true_divide: "fast path for
                // a and b small (exactly representable in a double)".
                BinOp::TrueDiv if b != 0 => {
                    return Some(Value::Float(exact_double(a)? / exact_double(b)?));
                }
                _ => return None,
            };
            Some(Value::Int(result))
        }
        (Value::Float(a), Value::Float(b)) => float_arithmetic(op, *a, *b),
        // CPython floatobject.c CONVERT_TO_DOUBLE: an int operand becomes
        // a double first; exact for ints of at most 53 bits.
        (Value::Float(a), Value::Int(b)) => float_arithmetic(op, *a, exact_double(*b)?),
        (Value::Int(a), Value::Float(b)) => float_arithmetic(op, exact_double(*a)?, *b),
        _ => None,
    }
}

fn float_arithmetic(op: BinOp, a: f64, b: f64) -> Option<Value> {
    match op {
        BinOp::Add => Some(Value::Float(a + b)),
        BinOp::Sub => Some(Value::Float(a - b)),
        BinOp::Mul => Some(Value::Float(a * b)),
        BinOp::TrueDiv if b != 0.0 => Some(Value::Float(a / b)),
        _ => None,
    }
}

/// The int as a double when the conversion is exact (at most 53 bits).
#[inline]
fn exact_double(n: i64) -> Option<f64> {
    const EXACT: i64 = 1 << f64::MANTISSA_DIGITS;
    (-EXACT..=EXACT).contains(&n).then_some(n as f64)
}

/// A park coming out of a call instruction: the call links the calling
/// frame to the parked frames when the callee is a Python function (its
/// frame is the one pushed last) or is itself what parked.
fn link_park(error: Unwind, callee: &Value) -> Unwind {
    if let Unwind::Halt(Halt::Park(parked)) = &error {
        let python_function = match callee {
            Value::Function(_) => true,
            Value::BoundMethod(m) => matches!(m.function, Value::Function(_)),
            _ => false,
        };
        parked.link_call(python_function);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(op: BinOp, a: i64, b: i64) -> Option<i64> {
        match small_arithmetic(op, &Value::Int(a), &Value::Int(b)) {
            Some(Value::Int(v)) => Some(v),
            _ => None,
        }
    }

    #[test]
    fn small_int_arithmetic_rounds_like_python() {
        // Python: -7 // 2 == -4, -7 % 2 == 1, 7 % -2 == -1, 7 // -2 == -4.
        assert_eq!(int(BinOp::FloorDiv, -7, 2), Some(-4));
        assert_eq!(int(BinOp::Mod, -7, 2), Some(1));
        assert_eq!(int(BinOp::Mod, 7, -2), Some(-1));
        assert_eq!(int(BinOp::FloorDiv, 7, -2), Some(-4));
        assert_eq!(int(BinOp::FloorDiv, -8, 2), Some(-4));
        assert_eq!(int(BinOp::Mod, -8, 2), Some(0));
        assert_eq!(int(BinOp::And, 6, 3), Some(2));
    }

    #[test]
    fn leaves_overflow_and_zero_division_to_the_general_path() {
        assert_eq!(int(BinOp::Add, i64::MAX, 1), None);
        assert_eq!(int(BinOp::Mul, i64::MAX, 2), None);
        assert_eq!(int(BinOp::FloorDiv, i64::MIN, -1), None);
        assert_eq!(int(BinOp::Mod, 1, 0), None);
        assert_eq!(int(BinOp::FloorDiv, 1, 0), None);
        assert_eq!(int(BinOp::Pow, 2, 3), None);
        let zero = small_arithmetic(BinOp::TrueDiv, &Value::Float(1.0), &Value::Float(0.0));
        assert!(zero.is_none());
    }
}
