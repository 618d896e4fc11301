//! Calling: Python functions (binding arguments to parameters with
//! CPython's error messages), bound methods, native functions, classes
//! (`__new__` then `__init__`) and objects with `__call__`.

use std::rc::Rc;

use super::exec::{FrameExit, Resume};
use super::frame::Frame;
use super::{ExcType, Vm};
use crate::value::{
    Args, BoundMethod, Builtin, CellObj, Class, Function, GenState, Generator, Halt, NativeFn,
    PyResult, PyStr, Unwind, Value,
};

/// Keyword arguments of a call, in the order written.
pub type Keywords = Vec<(Rc<PyStr>, Value)>;

impl Vm {
    /// The positional arguments of `f(*x)`: the items of `x`, or CPython's
    /// `check_args_iterable` TypeError naming the callee.
    pub fn star_arguments(&mut self, callee: &Value, iterable: &Value) -> PyResult<Vec<Value>> {
        match self.collect(iterable) {
            Err(error) if self.is_not_iterable_error(&error, iterable) => {
                let name = self.function_str(callee);
                let t = self.type_name(iterable);
                Err(self.type_error(format!(
                    "{name} argument after * must be an iterable, not {t}"
                )))
            }
            other => other,
        }
    }

    /// The items of `*x` in a display or a call with other arguments, or
    /// CPython's LIST_EXTEND TypeError.
    pub fn starred_items(&mut self, iterable: &Value) -> PyResult<Vec<Value>> {
        match self.collect(iterable) {
            Err(error) if self.is_not_iterable_error(&error, iterable) => {
                let t = self.type_name(iterable);
                Err(self.type_error(format!("Value after * must be an iterable, not {t}")))
            }
            other => other,
        }
    }

    /// Did iterating `value` fail because it is no iterable at all (a
    /// TypeError, and its type has neither `__iter__` nor `__getitem__`)?
    fn is_not_iterable_error(&self, error: &Unwind, value: &Value) -> bool {
        let Unwind::Exception(exc) = error else {
            return false;
        };
        if !self.is_exception(exc, ExcType::TypeError) {
            return false;
        }
        let class = self.class_of(value);
        class.lookup("__iter__").is_none() && class.lookup("__getitem__").is_none()
    }

    /// How CPython names a callable in messages (`_PyObject_FunctionStr`):
    /// `__main__.f()`, `print()`, `list.append()`.
    pub fn function_str(&mut self, callee: &Value) -> String {
        let qualname = self.intern("__qualname__");
        let Ok(qualname) = self.get_attr(callee, &qualname) else {
            return self.str_of(callee).unwrap_or_default();
        };
        let qualname = self.str_of(&qualname).unwrap_or_default();
        let module_name = self.intern("__module__");
        let module = self.get_attr(callee, &module_name).unwrap_or(Value::None);
        match module {
            Value::Str(m) if m.as_str() != "builtins" => format!("{}.{qualname}()", m.as_str()),
            _ => format!("{qualname}()"),
        }
    }

    /// Calls any callable with positional and keyword arguments.
    pub fn call_with(
        &mut self,
        callee: &Value,
        args: Vec<Value>,
        kwargs: Keywords,
    ) -> PyResult<Value> {
        match callee {
            Value::Function(f) => self.call_function(f, args, kwargs),
            Value::BoundMethod(m) => {
                let mut all = self.take_arg_vec();
                all.push(m.receiver.clone());
                let mut args = args;
                all.append(&mut args);
                self.recycle_arg_vec(args);
                let function = m.function.clone();
                self.call_with(&function, all, kwargs)
            }
            Value::Builtin(b) => self.call_builtin(b, args, kwargs),
            Value::Class(class) => self.call_class(class, args, kwargs),
            _ => {
                let class = self.class_of(callee);
                match class.lookup("__call__") {
                    Some(method) => {
                        let mut all = Vec::with_capacity(args.len() + 1);
                        all.push(callee.clone());
                        all.extend(args);
                        self.call_with(&method, all, kwargs)
                    }
                    None => Err(self.type_error(format!(
                        "'{}' object is not callable",
                        class.name().as_str()
                    ))),
                }
            }
        }
    }

    pub fn call_builtin(
        &mut self,
        builtin: &Builtin,
        mut args: Vec<Value>,
        kwargs: Keywords,
    ) -> PyResult<Value> {
        if let Some(receiver) = &builtin.receiver {
            args.insert(0, receiver.clone());
        }
        let mut native_args = Args {
            positional: args,
            keywords: kwargs,
        };
        self.enter_native()?;
        let result = match &builtin.func {
            NativeFn::Plain(f) => f(self, &mut native_args),
            NativeFn::Closure(f) => f.clone()(self, &mut native_args),
        };
        self.depth -= 1;
        self.recycle_arg_vec(std::mem::take(&mut native_args.positional));
        if let Err(Unwind::Halt(Halt::Park(parked))) = &result {
            parked.native_returned();
        }
        result
    }

    /// Counts a native call against the recursion limit (CPython's
    /// `Py_EnterRecursiveCall` in C code that can call back into Python).
    pub fn enter_native(&mut self) -> PyResult<()> {
        self.depth += 1;
        if self.depth > self.limits.recursion_limit + 50 {
            self.depth -= 1;
            return Err(self.error(ExcType::RecursionError, "maximum recursion depth exceeded"));
        }
        Ok(())
    }

    /// The Python `__init__` that calling `class` runs on an instance made
    /// by `object.__new__`, as [`Vm::creation_of`] knows it (without
    /// cloning the whole record); `None` for any other way of making one.
    #[inline]
    pub(super) fn plain_python_init(&mut self, class: &Rc<Class>) -> Option<Rc<Function>> {
        let now = crate::value::method_cache::generation();
        if let Some((known_at, creation)) = &*class.creation.borrow() {
            if *known_at == now {
                return match &creation.init {
                    Some(Value::Function(init)) if creation.object_new => Some(init.clone()),
                    _ => None,
                };
            }
        }
        match self.creation_of(class) {
            crate::value::Creation {
                object_new: true,
                init: Some(Value::Function(init)),
            } => Some(init),
            _ => None,
        }
    }

    /// What calling `class` finds for `__new__` and `__init__`, looked up
    /// again only after some class namespace changed.
    pub(super) fn creation_of(&mut self, class: &Rc<Class>) -> crate::value::Creation {
        let now = crate::value::method_cache::generation();
        if let Some((known_at, creation)) = &*class.creation.borrow() {
            if *known_at == now {
                return creation.clone();
            }
        }
        let new = class
            .lookup_name(&self.names.new)
            .unwrap_or_else(|| self.types.object.lookup("__new__").unwrap_or(Value::None));
        let creation = crate::value::Creation {
            object_new: crate::builtins::classes::is_object_new(self, &new),
            init: class.lookup_name(&self.names.init),
        };
        *class.creation.borrow_mut() = Some((now, creation.clone()));
        creation
    }

    /// `cls(*args, **kwargs)`: `type.__call__`.
    fn call_class(
        &mut self,
        class: &Rc<Class>,
        args: Vec<Value>,
        kwargs: Keywords,
    ) -> PyResult<Value> {
        if Rc::ptr_eq(class, &self.types.type_) {
            if args.len() == 1 && kwargs.is_empty() {
                return Ok(Value::Class(self.class_of(&args[0])));
            }
            if args.len() == 3 {
                return crate::builtins::classes::type_new(self, args, kwargs);
            }
            return Err(self.type_error("type() takes 1 or 3 arguments"));
        }
        let creation = self.creation_of(class);
        let (instance, init) = if creation.object_new {
            // `object.__new__` called directly: no argument lists to build,
            // and the instance is of the class itself, whose `__init__` is
            // known (making the instance runs no Python code).
            let has_arguments = !args.is_empty() || !kwargs.is_empty();
            let init = creation.init;
            // CPython object_new: arguments are an error when `__init__`
            // is object's own (a Python function never is).
            let init_is_object = has_arguments
                && match &init {
                    Some(Value::Function(_)) | None => false,
                    Some(found) => crate::builtins::classes::is_object_init(self, found),
                };
            self.enter_native()?;
            let made = crate::builtins::classes::instantiate_checked(self, class, init_is_object);
            self.depth -= 1;
            (made?, init)
        } else {
            let new = class
                .lookup_name(&self.names.new)
                .unwrap_or_else(|| self.types.object.lookup("__new__").unwrap_or(Value::None));
            let mut new_args = Vec::with_capacity(args.len() + 1);
            new_args.push(Value::Class(class.clone()));
            new_args.extend(args.iter().cloned());
            let new = self.unwrap_static(&new);
            let made = self.call_with(&new, new_args, kwargs.clone())?;
            // CPython type_call: __init__ runs only if __new__ returned an
            // instance of the class.
            let made_class = self.class_of(&made);
            if !made_class.is_subclass_of(class) {
                return Ok(made);
            }
            let init = made_class.lookup_name(&self.names.init);
            (made, init)
        };
        if let Some(Value::Function(function)) = &init {
            if kwargs.is_empty() && Vm::is_simple_call(function, args.len() + 1) {
                // The common `__init__(self, a, b)`: its frame takes the
                // instance and the arguments directly.
                let mut args = args;
                let frame = self.frame_with_receiver(
                    function.code.clone(),
                    function.globals.clone(),
                    instance.clone(),
                    &mut args,
                    0,
                );
                self.recycle_arg_vec(args);
                let result = self.start_function(function, frame)?;
                return self.init_result(instance, result);
            }
        }
        if let Some(init) = init {
            let mut init_args = self.take_arg_vec();
            init_args.push(instance.clone());
            let mut args = args;
            init_args.append(&mut args);
            self.recycle_arg_vec(args);
            let result = self.call_with(&init, init_args, kwargs)?;
            return self.init_result(instance, result);
        }
        Ok(instance)
    }

    /// The instance, once `__init__` returned `None` (CPython type_call).
    pub(super) fn init_result(&mut self, instance: Value, result: Value) -> PyResult<Value> {
        if !result.is_none() {
            return Err(self.type_error(format!(
                "__init__() should return None, not '{}'",
                self.type_name(&result)
            )));
        }
        Ok(instance)
    }

    /// `staticmethod(f)` stored in a class dict: the function inside.
    pub fn unwrap_static(&self, value: &Value) -> Value {
        if let Value::Native(n) = value {
            if Rc::ptr_eq(&n.class, &self.types.named("staticmethod")) {
                if let Some(inner) = n.data.borrow().downcast_ref::<Value>() {
                    return inner.clone();
                }
            }
        }
        value.clone()
    }

    /// Calls a Python function: binds the arguments, then runs its frame,
    /// or returns a new generator/coroutine for generator functions.
    pub fn call_function(
        &mut self,
        function: &Rc<Function>,
        args: Vec<Value>,
        kwargs: Keywords,
    ) -> PyResult<Value> {
        let frame = self.bind_arguments(function, args, kwargs)?;
        self.start_function(function, frame)
    }

    /// Whether a call passing `nargs` positional arguments and nothing else
    /// binds them straight to the first locals: exactly the positional
    /// parameters, no keyword-only, `*args`, `**kwargs` or cells (the
    /// fast path of CPython's `_PyEval_MakeFrameVector`).
    #[inline]
    pub(super) fn is_simple_call(function: &Function, nargs: usize) -> bool {
        let code = &function.code;
        nargs == code.argcount as usize
            && code.kwonlyargcount == 0
            && !code.flags.varargs
            && !code.flags.varkeywords
            && code.cellvars.is_empty()
            && function.closure.is_empty()
    }

    /// The frame of a [simple call](Self::is_simple_call) whose arguments
    /// are the values of `stack` from `at` on (moved out of it).
    #[inline]
    pub(super) fn simple_call_frame(
        &mut self,
        function: &Rc<Function>,
        stack: &mut Vec<Value>,
        at: usize,
    ) -> Frame {
        self.frame_with_arguments(
            function.code.clone(),
            function.globals.clone(),
            stack.drain(at..),
        )
    }

    /// Runs the bound frame of a call to a Python function, or makes the
    /// generator/coroutine of a generator function.
    pub(super) fn start_function(
        &mut self,
        function: &Rc<Function>,
        mut frame: Frame,
    ) -> PyResult<Value> {
        if let Some(kind) = Vm::generator_kind(&function.code) {
            frame.namespace = None;
            let generator = Generator {
                kind,
                name: std::cell::RefCell::new(function.name.borrow().clone()),
                qualname: std::cell::RefCell::new(function.qualname.borrow().clone()),
                frame: std::cell::RefCell::new(Some(Box::new(frame))),
                state: std::cell::Cell::new(GenState::Created),
                delegate: std::cell::RefCell::new(None),
                closing: std::cell::Cell::new(false),
                iterable_coroutine: std::cell::Cell::new(function.iterable_coroutine.get()),
                id: self.ids.next(),
                code: function.code.clone(),
                finalizers: Some(self.finalizers.clone()),
            };
            let generator = Rc::new(generator);
            if let Some(hook) = self.generator_hook {
                hook(self, super::generators::GeneratorEvent::Created(&generator));
            }
            return Ok(Value::Generator(generator));
        }
        let result = self.run_frame(&mut frame, Resume::Start);
        self.release_frame(frame);
        match result? {
            FrameExit::Return(value) => Ok(value),
            FrameExit::Yield(..) => Err(self.error(ExcType::SystemError, "function yielded")),
        }
    }

    /// Makes the frame of a call: parameters bound as CPython's
    /// `_PyEval_MakeFrameVector` binds them, with its error messages.
    fn bind_arguments(
        &mut self,
        function: &Rc<Function>,
        mut args: Vec<Value>,
        kwargs: Keywords,
    ) -> PyResult<Frame> {
        let code = function.code.clone();
        let mut frame =
            self.frame_with_arguments(code.clone(), function.globals.clone(), std::iter::empty());
        let argcount = code.argcount as usize;
        // The common call: exactly the positional parameters, nothing else
        // to bind (no keywords, defaults, `*args`/`**kwargs`, cells).
        if kwargs.is_empty() && Vm::is_simple_call(function, args.len()) {
            for (slot, value) in frame.locals.iter_mut().zip(args.drain(..)) {
                *slot = Some(value);
            }
            self.recycle_arg_vec(args);
            return Ok(frame);
        }
        let posonly = code.posonlyargcount as usize;
        let kwonly = code.kwonlyargcount as usize;
        let total_named = argcount + kwonly;
        let qualname = function.qualname.borrow().clone();
        let fname = qualname.as_str();
        let given_positional = args.len();

        // Positional parameters, then *args.
        let extra = if args.len() > argcount {
            args.split_off(argcount)
        } else {
            Vec::new()
        };
        for (i, value) in args.into_iter().enumerate() {
            frame.locals[i] = Some(value);
        }
        let mut next_slot = total_named;
        if code.flags.varargs {
            frame.locals[next_slot] = Some(Value::tuple(extra));
            next_slot += 1;
        } else if !extra.is_empty() {
            let defaults = function.defaults.borrow().len();
            let kwonly_given = kwargs
                .iter()
                .filter(|(k, _)| {
                    code.varnames[argcount..total_named]
                        .iter()
                        .any(|v| v.as_str() == k.as_str())
                })
                .count();
            let takes = if defaults > 0 {
                format!("from {} to {}", argcount - defaults.min(argcount), argcount)
            } else {
                argcount.to_string()
            };
            let plural = if argcount == 1 && defaults == 0 {
                ""
            } else {
                "s"
            };
            let was = if given_positional == 1 { "was" } else { "were" };
            let message = if kwonly_given > 0 {
                let kw_plural = if kwonly_given == 1 { "" } else { "s" };
                format!(
                    "{fname}() takes {takes} positional argument{plural} but {given_positional} positional argument{} (and {kwonly_given} keyword-only argument{kw_plural}) were given",
                    if given_positional == 1 { "" } else { "s" }
                )
            } else {
                format!(
                    "{fname}() takes {takes} positional argument{plural} but {given_positional} {was} given"
                )
            };
            return Err(self.type_error(message));
        }

        // Keyword arguments.
        let varkw = if code.flags.varkeywords {
            Some(Rc::new(crate::value::PyDict::new()))
        } else {
            None
        };
        let mut posonly_as_keyword = Vec::new();
        for (name, value) in kwargs {
            let slot = code.varnames[..total_named]
                .iter()
                .position(|v| v.as_str() == name.as_str());
            match slot {
                Some(i) if i >= posonly => {
                    if frame.locals[i].is_some() {
                        return Err(self.type_error(format!(
                            "{fname}() got multiple values for argument '{}'",
                            name.as_str()
                        )));
                    }
                    frame.locals[i] = Some(value);
                }
                _ => match &varkw {
                    Some(dict) => {
                        if dict.get_str(name.as_str()).is_some() {
                            return Err(self.type_error(format!(
                                "{fname}() got multiple values for argument '{}'",
                                name.as_str()
                            )));
                        }
                        dict.set_str(self, name.as_str(), value);
                    }
                    None => {
                        if slot.is_some() {
                            posonly_as_keyword.push(name.as_str().to_string());
                            continue;
                        }
                        return Err(self.type_error(format!(
                            "{fname}() got an unexpected keyword argument '{}'",
                            name.as_str()
                        )));
                    }
                },
            }
        }
        if !posonly_as_keyword.is_empty() {
            return Err(self.type_error(format!(
                "{fname}() got some positional-only arguments passed as keyword arguments: '{}'",
                posonly_as_keyword.join(", ")
            )));
        }
        if let Some(dict) = varkw {
            frame.locals[next_slot] = Some(Value::Dict(dict));
        }

        // Defaults, then what is still missing.
        let defaults = function.defaults.borrow();
        let first_default = argcount - defaults.len().min(argcount);
        let mut missing = Vec::new();
        for i in 0..argcount {
            if frame.locals[i].is_none() {
                if i >= first_default {
                    frame.locals[i] = Some(defaults[i - first_default].clone());
                } else {
                    missing.push(code.varnames[i].as_str().to_string());
                }
            }
        }
        drop(defaults);
        if !missing.is_empty() {
            return Err(self.missing_arguments(fname, "positional", &missing));
        }
        let kwdefaults = function.kwdefaults.borrow();
        for i in argcount..total_named {
            if frame.locals[i].is_none() {
                let name = code.varnames[i].as_str();
                match kwdefaults.iter().find(|(k, _)| k.as_str() == name) {
                    Some((_, v)) => frame.locals[i] = Some(v.clone()),
                    None => missing.push(name.to_string()),
                }
            }
        }
        drop(kwdefaults);
        if !missing.is_empty() {
            return Err(self.missing_arguments(fname, "keyword-only", &missing));
        }

        // Cells: the code's own, then the closure's.
        let mut cells: Vec<Rc<CellObj>> =
            Vec::with_capacity(code.cellvars.len() + function.closure.len());
        for _ in &code.cellvars {
            cells.push(CellObj::new(None));
        }
        for (cell, local) in &code.cell_params {
            let value = frame.locals[*local as usize].clone();
            *cells[*cell as usize].value.borrow_mut() = value;
        }
        cells.extend(function.closure.iter().cloned());
        frame.cells = cells;
        Ok(frame)
    }

    fn missing_arguments(
        &mut self,
        fname: &str,
        kind: &str,
        names: &[String],
    ) -> crate::value::Unwind {
        let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
        let list = match quoted.len() {
            1 => quoted[0].clone(),
            2 => format!("{} and {}", quoted[0], quoted[1]),
            n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
        };
        let plural = if names.len() == 1 { "" } else { "s" };
        self.type_error(format!(
            "{fname}() missing {} required {kind} argument{plural}: {list}",
            names.len()
        ))
    }

    /// Runs a class body with its namespace; returns the `__class__` cell
    /// the body hands back when methods use `super()` or `__class__`.
    pub fn run_class_body(
        &mut self,
        body: &Rc<Function>,
        namespace: Rc<crate::value::Module>,
    ) -> PyResult<Option<Rc<CellObj>>> {
        let code = body.code.clone();
        let mut frame = Frame::new(code.clone(), body.globals.clone(), Some(namespace));
        let mut cells: Vec<Rc<CellObj>> =
            code.cellvars.iter().map(|_| CellObj::new(None)).collect();
        cells.extend(body.closure.iter().cloned());
        frame.cells = cells;
        match self.run_frame(&mut frame, Resume::Start)? {
            FrameExit::Return(value) => Ok(super::exec::cell_of(&value)),
            FrameExit::Yield(..) => Err(self.error(ExcType::SystemError, "class body yielded")),
        }
    }

    /// Binds a function to a receiver (`obj.method`).
    pub fn bind(&self, function: Value, receiver: Value) -> Value {
        match function {
            Value::Builtin(b) if b.receiver.is_none() => Value::Builtin(Rc::new(Builtin {
                name: b.name.clone(),
                owner: b.owner,
                func: b.func.clone(),
                receiver: Some(receiver),
            })),
            other => Value::BoundMethod(Rc::new(BoundMethod {
                receiver,
                function: other,
            })),
        }
    }
}
