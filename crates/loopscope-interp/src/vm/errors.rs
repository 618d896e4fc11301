//! Exceptions as values: making them, raising with implicit chaining,
//! matching `except` clauses, exception groups and `except*`, the special
//! exceptions (StopIteration's value, SystemExit's code) and CPython's
//! traceback text.

use std::rc::Rc;

use super::exceptions::{CAUSE_SEPARATOR, CONTEXT_SEPARATOR};
use super::traceback_text::{self, FrameLine, Style};
use super::{ExcType, Vm};
use crate::value::{Class, ExceptionData, Instance, Payload, PyResult, Unwind, Value};

impl Vm {
    /// A new instance of an exception class with these arguments (what
    /// `BaseException.__new__` makes).
    pub fn new_exception(&mut self, class: &Rc<Class>, args: Vec<Value>) -> Value {
        Value::Instance(Rc::new(Instance {
            class: std::cell::RefCell::new(class.clone()),
            dict: Default::default(),
            dict_object: Default::default(),
            payload: Payload::Exception(ExceptionData::new(Value::tuple(args))),
            id: self.ids.next(),
            finalizer: self.finalizer_for(class),
        }))
    }

    /// Is `value` an instance of the built-in exception class `kind`?
    pub fn is_exception(&self, value: &Value, kind: ExcType) -> bool {
        self.class_of(value)
            .is_subclass_of(&self.types.exception(kind))
    }

    fn is_exception_class(&self, class: &Rc<Class>) -> bool {
        class.is_subclass_of(&self.types.exception(ExcType::BaseException))
    }

    /// What `raise X` raises: an exception instance, or an instance made by
    /// calling an exception class with no arguments.
    pub fn make_raisable(&mut self, value: Value) -> PyResult<Value> {
        match &value {
            Value::Class(class) if self.is_exception_class(class) => {
                let exc = self.call(&value, Vec::new())?;
                if exc.as_exception().is_none() {
                    let name = self.type_name(&exc);
                    return Err(self.type_error(format!(
                        "calling {} should have returned an instance of BaseException, not {name}",
                        class.name().as_str()
                    )));
                }
                Ok(exc)
            }
            _ if value.as_exception().is_some() => Ok(value),
            _ => Err(self.type_error("exceptions must derive from BaseException")),
        }
    }

    /// Sets `__context__` of an exception being raised to the exception
    /// being handled, breaking cycles as CPython's `_PyErr_SetObject` does.
    pub fn set_context(&mut self, exc: &Value) {
        let Some(handled) = self.exc_stack.last().cloned() else {
            return;
        };
        if handled.is(exc) {
            return;
        }
        // Walk the context chain of the handled exception: if `exc` is
        // already in it, cut the chain there.
        let mut cursor = handled.clone();
        while let Some(data) = cursor.as_exception() {
            let next = data.context.borrow().clone();
            if next.is_none() {
                break;
            }
            if next.is(exc) {
                if let Some(data) = cursor.as_exception() {
                    *data.context.borrow_mut() = Value::None;
                }
                break;
            }
            cursor = next;
        }
        if let Some(data) = exc.as_exception() {
            *data.context.borrow_mut() = handled;
        }
    }

    /// `except <class_or_tuple>:` matching.
    pub fn exception_matches(&mut self, exc: &Value, class: &Value) -> PyResult<bool> {
        match class {
            Value::Class(c) if self.is_exception_class(c) => {
                Ok(self.class_of(exc).is_subclass_of(c))
            }
            Value::Tuple(t) => {
                for item in &t.items {
                    if self.exception_matches(exc, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(self.type_error(
                "catching classes that do not inherit from BaseException is not allowed",
            )),
        }
    }

    /// The exceptions of a group (`eg.exceptions`), or None for a plain
    /// exception.
    pub fn group_members(&self, exc: &Value) -> Option<Vec<Value>> {
        if !self.is_exception(exc, ExcType::BaseExceptionGroup) {
            return None;
        }
        let data = exc.as_exception()?;
        let args = data.args.borrow().clone();
        match args {
            Value::Tuple(t) => match t.items.get(1) {
                Some(Value::Tuple(members)) => Some(members.items.clone()),
                Some(Value::List(members)) => Some(members.borrow().clone()),
                _ => Some(Vec::new()),
            },
            _ => Some(Vec::new()),
        }
    }

    fn group_message(&self, exc: &Value) -> Value {
        exc.as_exception()
            .and_then(|d| match &*d.args.borrow() {
                Value::Tuple(t) => t.items.first().cloned(),
                _ => None,
            })
            .unwrap_or_else(|| Value::str(""))
    }

    /// Makes an exception group as `BaseExceptionGroup(message, members)`
    /// would: an `ExceptionGroup` when every member is an `Exception`.
    pub fn new_exception_group(&mut self, message: Value, members: Vec<Value>) -> Value {
        let all_exceptions = members
            .iter()
            .all(|m| self.is_exception(m, ExcType::Exception));
        let kind = if all_exceptions {
            ExcType::ExceptionGroup
        } else {
            ExcType::BaseExceptionGroup
        };
        let class = self.types.exception(kind);
        self.new_exception(&class, vec![message, Value::tuple(members)])
    }

    /// `eg.derive(members)` plus the metadata `split` copies over.
    fn derive_group(&mut self, original: &Value, members: Vec<Value>) -> PyResult<Value> {
        // A subclass's own `derive` makes the parts (CPython
        // `exceptiongroup_subset` calls the method).
        let own_derive = self
            .class_of(original)
            .lookup("derive")
            .filter(|d| !matches!(d, Value::Builtin(_)));
        let user_made = own_derive.is_some();
        let derived = match own_derive {
            Some(derive) => {
                let made = self.call(&derive, vec![original.clone(), Value::list(members)])?;
                if !self.is_exception(&made, ExcType::BaseExceptionGroup) {
                    return Err(
                        self.type_error("derive must return an instance of BaseExceptionGroup")
                    );
                }
                made
            }
            None => {
                let message = self.group_message(original);
                self.new_exception_group(message, members)
            }
        };
        // CPython derives with a list of members.
        if let (false, Some(data)) = (user_made, derived.as_exception()) {
            let args = data.args.borrow().clone();
            if let Value::Tuple(t) = args {
                let list = t.items.get(1).map(|m| match m {
                    Value::Tuple(inner) => Value::list(inner.items.clone()),
                    other => other.clone(),
                });
                *data.args.borrow_mut() = Value::tuple(vec![
                    t.items.first().cloned().unwrap_or(Value::None),
                    list.unwrap_or(Value::None),
                ]);
            }
        }
        if let (Some(from), Some(to)) = (original.as_exception(), derived.as_exception()) {
            *to.traceback.borrow_mut() = from.traceback.borrow().clone();
            *to.cause.borrow_mut() = from.cause.borrow().clone();
            *to.context.borrow_mut() = from.context.borrow().clone();
            to.suppress_context.set(from.suppress_context.get());
            to.split_from
                .set(from.split_from.get().max(instance_id(original)));
        }
        Ok(derived)
    }

    /// Splits an exception group by a predicate on leaves, keeping its
    /// nesting (CPython `exceptiongroup_split_recursive`).
    fn split_by(
        &mut self,
        exc: &Value,
        matches: &mut dyn FnMut(&mut Vm, &Value) -> PyResult<bool>,
    ) -> PyResult<(Option<Value>, Option<Value>)> {
        if matches(self, exc)? {
            return Ok((Some(exc.clone()), None));
        }
        let Some(members) = self.group_members(exc) else {
            return Ok((None, Some(exc.clone())));
        };
        let mut matched = Vec::new();
        let mut rest = Vec::new();
        for member in members {
            let (m, r) = self.split_by(&member, matches)?;
            matched.extend(m);
            rest.extend(r);
        }
        let matched = if matched.is_empty() {
            None
        } else {
            Some(self.derive_group(exc, matched)?)
        };
        let rest = if rest.is_empty() {
            None
        } else {
            Some(self.derive_group(exc, rest)?)
        };
        Ok((matched, rest))
    }

    /// `eg.split(condition)` (CPython `BaseExceptionGroup_split`): the
    /// condition is an exception type, a tuple of them, or a predicate.
    pub fn exception_group_split(
        &mut self,
        exc: &Value,
        condition: &Value,
    ) -> PyResult<(Value, Value)> {
        let is_type = |vm: &Vm, v: &Value| match v {
            Value::Class(c) => vm.is_exception_class(c),
            _ => false,
        };
        let by_type = is_type(self, condition)
            || matches!(condition, Value::Tuple(t) if t.items.iter().all(|i| is_type(self, i)));
        let callable = !matches!(condition, Value::Class(_) | Value::Tuple(_))
            && (matches!(
                condition,
                Value::Function(_) | Value::BoundMethod(_) | Value::Builtin(_)
            ) || self.class_of(condition).lookup("__call__").is_some());
        if !by_type && !callable {
            return Err(
                self.type_error("expected a function, exception type or tuple of exception types")
            );
        }
        let condition = condition.clone();
        let (matched, rest) = self.split_by(exc, &mut |vm, leaf| {
            if by_type {
                vm.exception_matches(leaf, &condition)
            } else {
                let verdict = vm.call(&condition, vec![leaf.clone()])?;
                vm.truthy(&verdict)
            }
        })?;
        Ok((matched.unwrap_or(Value::None), rest.unwrap_or(Value::None)))
    }

    /// `eg.derive(excs)`: a group with the same message and new members.
    pub fn exception_group_derive(&mut self, exc: &Value, members: Value) -> PyResult<Value> {
        let message = self.group_message(exc);
        let class = Value::Class(self.types.exception(ExcType::BaseExceptionGroup));
        self.call(&class, vec![message, members])
    }

    /// `except* T`: (the part that matches, the rest); None for nothing.
    pub fn split_exception_group(
        &mut self,
        exc: &Value,
        class: &Value,
    ) -> PyResult<(Value, Value)> {
        if exc.is_none() {
            return Ok((Value::None, Value::None));
        }
        if let Value::Class(c) = class {
            if c.is_subclass_of(&self.types.exception(ExcType::BaseExceptionGroup)) {
                return Err(self.type_error(
                    "catching ExceptionGroup with except* is not allowed. Use except instead.",
                ));
            }
        }
        // Validate the clause's type once, even for a plain exception.
        self.exception_matches(exc, class)?;
        if self.group_members(exc).is_none() {
            // A naked exception is wrapped in a group with an empty message
            // (CPython ceval `exception_group_match`).
            if self.exception_matches(exc, class)? {
                let wrapped = self.new_exception_group(Value::str(""), vec![exc.clone()]);
                if let (Some(from), Some(to)) = (exc.as_exception(), wrapped.as_exception()) {
                    *to.traceback.borrow_mut() = from.traceback.borrow().clone();
                    to.split_from.set(instance_id(exc));
                }
                return Ok((wrapped, Value::None));
            }
            return Ok((Value::None, exc.clone()));
        }
        let class = class.clone();
        let (matched, rest) =
            self.split_by(exc, &mut |vm, leaf| vm.exception_matches(leaf, &class))?;
        Ok((matched.unwrap_or(Value::None), rest.unwrap_or(Value::None)))
    }

    /// After the `except*` clauses: what to raise (CPython
    /// `_PyExc_PrepReraiseStar`). `raised` lists what the clauses raised.
    pub fn prep_reraise_star(
        &mut self,
        original: &Value,
        rest: &Value,
        raised: &Value,
    ) -> PyResult<Value> {
        let mut items: Vec<Value> = raised
            .as_list()
            .map(|l| l.borrow().clone())
            .unwrap_or_default();
        if !rest.is_none() {
            items.push(rest.clone());
        }
        if items.is_empty() {
            return Ok(Value::None);
        }
        if self.group_members(original).is_none() {
            // A naked exception: at most one thing can come out.
            let first = items[0].clone();
            if instance_id(&first) == instance_id(original)
                || first.as_exception().map(|d| d.split_from.get()) == Some(instance_id(original))
            {
                return Ok(original.clone());
            }
            return Ok(first);
        }
        let original_id = instance_id(original);
        let (reraised, new_raised): (Vec<Value>, Vec<Value>) = items.into_iter().partition(|e| {
            instance_id(e) == original_id
                || e.as_exception().map(|d| d.split_from.get()) == Some(original_id)
        });
        let mut leaves = Vec::new();
        for e in &reraised {
            self.collect_leaves(e, &mut leaves);
        }
        let (reraised_group, _) = self.split_by(original, &mut |vm, e| {
            Ok(vm.group_members(e).is_none() && leaves.iter().any(|l| l.is(e)))
        })?;
        let mut raised_list = new_raised;
        if raised_list.is_empty() {
            return Ok(reraised_group.unwrap_or(Value::None));
        }
        raised_list.extend(reraised_group);
        if raised_list.len() == 1 {
            return Ok(raised_list.remove(0));
        }
        Ok(self.new_exception_group(Value::str(""), raised_list))
    }

    fn collect_leaves(&self, exc: &Value, out: &mut Vec<Value>) {
        match self.group_members(exc) {
            Some(members) => {
                for m in &members {
                    self.collect_leaves(m, out);
                }
            }
            None => out.push(exc.clone()),
        }
    }

    /// `StopIteration(value)` as a generator's return makes it.
    pub fn stop_iteration(&mut self, value: Value) -> Value {
        let class = self.types.exception(ExcType::StopIteration);
        let args = if value.is_none() {
            Vec::new()
        } else {
            vec![value]
        };
        self.new_exception(&class, args)
    }

    /// `exc.value` of a StopIteration.
    pub fn stop_iteration_value(&mut self, exc: &Value) -> Value {
        if let Value::Instance(i) = exc {
            if let Some(v) = super::attributes::instance_attribute(i, "value") {
                return v;
            }
        }
        first_arg(exc).unwrap_or(Value::None)
    }

    pub fn name_error(&mut self, name: &str) -> Unwind {
        self.error(ExcType::NameError, format!("name '{name}' is not defined"))
    }

    /// For a `SystemExit`: `Some(None)` for a successful exit, `Some(text)`
    /// for a failing one (the code, or the message printed to stderr).
    pub fn system_exit_code(&mut self, exc: &Value) -> Option<Option<String>> {
        if !self.is_exception(exc, ExcType::SystemExit) {
            return None;
        }
        let code = match exc {
            Value::Instance(i) => super::attributes::instance_attribute(i, "code"),
            _ => None,
        }
        .or_else(|| first_arg(exc))
        .unwrap_or(Value::None);
        Some(match code {
            Value::None => None,
            Value::Int(0) => None,
            other => Some(self.str_of(&other).unwrap_or_default()),
        })
    }

    /// The class name as a traceback prints it: qualified by its module
    /// unless that is `builtins` or `__main__`.
    pub fn exception_type_name(&self, exc: &Value) -> String {
        let class = self.class_of(exc);
        let module = match class.dict.borrow().get("__module__") {
            Some(Value::Str(s)) => s.as_str().to_string(),
            _ => class.module.as_str().to_string(),
        };
        let qualname = class.qualname.borrow().as_str().to_string();
        if module == "builtins" || module == "__main__" {
            qualname
        } else {
            format!("{module}.{qualname}")
        }
    }

    /// The last line of a traceback: `ValueError: bad 2`.
    pub fn exception_summary(&mut self, exc: &Value) -> String {
        let name = self.exception_type_name(exc);
        let text = match self.str_of(exc) {
            Ok(text) => text,
            Err(_) => "<exception str() failed>".to_string(),
        };
        if text.is_empty() {
            name
        } else {
            format!("{name}: {text}")
        }
    }

    /// `str(exc)` for the built-in exception classes.
    pub fn exception_str(&mut self, exc: &Value) -> PyResult<String> {
        if self.is_exception(exc, ExcType::BaseExceptionGroup) {
            let message = self.group_message(exc);
            let count = self.group_members(exc).map(|m| m.len()).unwrap_or(0);
            let message = self.str_of(&message)?;
            let plural = if count == 1 { "" } else { "s" };
            return Ok(format!("{message} ({count} sub-exception{plural})"));
        }
        let args = exc
            .as_exception()
            .map(|d| d.args.borrow().clone())
            .unwrap_or(Value::None);
        let items = match &args {
            Value::Tuple(t) => t.items.clone(),
            _ => Vec::new(),
        };
        // CPython OSError_str: "[Errno 2] No such file: 'a.txt'".
        if self.is_exception(exc, ExcType::OSError)
            && crate::builtins::os_error::has_errno_arguments(&items)
        {
            let errno = self.str_of(&items[0])?;
            let text = self.str_of(&items[1])?;
            let filename = self.exception_own_attribute(exc, "filename");
            let filename2 = self.exception_own_attribute(exc, "filename2");
            match (filename, filename2) {
                (Some(first), Some(second)) => {
                    let first = self.repr_of(&first)?;
                    let second = self.repr_of(&second)?;
                    return Ok(format!("[Errno {errno}] {text}: {first} -> {second}"));
                }
                (Some(first), None) => {
                    let first = self.repr_of(&first)?;
                    return Ok(format!("[Errno {errno}] {text}: {first}"));
                }
                _ => return Ok(format!("[Errno {errno}] {text}")),
            }
        }
        match items.len() {
            0 => Ok(String::new()),
            1 if self.is_exception(exc, ExcType::KeyError) => self.repr_of(&items[0]),
            1 => self.str_of(&items[0]),
            _ => self.repr_of(&args),
        }
    }

    /// An attribute stored on the exception object itself (not None).
    fn exception_own_attribute(&self, exc: &Value, name: &str) -> Option<Value> {
        match exc {
            Value::Instance(i) => {
                super::attributes::instance_attribute(i, name).filter(|v| !v.is_none())
            }
            _ => None,
        }
    }

    /// `repr(exc)`: `ValueError('bad')`.
    pub fn exception_repr(&mut self, exc: &Value) -> PyResult<String> {
        let name = self.class_of(exc).name().as_str().to_string();
        let args = exc
            .as_exception()
            .map(|d| d.args.borrow().clone())
            .unwrap_or(Value::None);
        let items = match &args {
            Value::Tuple(t) => t.items.clone(),
            _ => Vec::new(),
        };
        let mut parts = Vec::with_capacity(items.len());
        for item in &items {
            parts.push(self.repr_of(item)?);
        }
        Ok(format!("{name}({})", parts.join(", ")))
    }

    /// Attributes of exception instances (`args`, `__cause__`, ...).
    pub fn exception_attribute(&mut self, exc: &Value, name: &str) -> PyResult<Option<Value>> {
        let Some(data) = exc.as_exception() else {
            return Ok(None);
        };
        Ok(Some(match name {
            "args" => data.args.borrow().clone(),
            "__cause__" => data.cause.borrow().clone(),
            "__context__" => data.context.borrow().clone(),
            "__suppress_context__" => Value::Bool(data.suppress_context.get()),
            "__traceback__" => self.traceback_object(exc),
            "value" if self.is_exception(exc, ExcType::StopIteration) => {
                first_arg(exc).unwrap_or(Value::None)
            }
            "value" if self.is_exception(exc, ExcType::StopAsyncIteration) => {
                first_arg(exc).unwrap_or(Value::None)
            }
            "code" if self.is_exception(exc, ExcType::SystemExit) => {
                let args = data.args.borrow().clone();
                match args {
                    Value::Tuple(t) if t.items.len() == 1 => t.items[0].clone(),
                    Value::Tuple(t) if t.items.is_empty() => Value::None,
                    other => other,
                }
            }
            "message" if self.is_exception(exc, ExcType::BaseExceptionGroup) => {
                self.group_message(exc)
            }
            "exceptions" if self.is_exception(exc, ExcType::BaseExceptionGroup) => {
                Value::tuple(self.group_members(exc).unwrap_or_default())
            }
            "name" if self.is_exception(exc, ExcType::ImportError) => Value::None,
            "errno" | "strerror" | "filename" | "filename2"
                if self.is_exception(exc, ExcType::OSError) =>
            {
                let args = match &*data.args.borrow() {
                    Value::Tuple(t) => t.items.clone(),
                    _ => Vec::new(),
                };
                match crate::builtins::os_error::os_error_attribute(&args, name) {
                    Some(value) => value,
                    None => return Ok(None),
                }
            }
            _ => return Ok(None),
        }))
    }

    /// `exc.__traceback__`: a `traceback` object over the frames the
    /// exception passed through (None before it was raised).
    pub fn traceback_object(&mut self, exc: &Value) -> Value {
        let entries = match exc.as_exception() {
            Some(data) => data.traceback.borrow().clone(),
            None => return Value::None,
        };
        self.traceback_from(entries)
    }

    fn traceback_from(&mut self, mut entries: Vec<crate::value::TraceEntry>) -> Value {
        if entries.is_empty() {
            return Value::None;
        }
        let class = self.types.named("traceback");
        let first = entries.remove(0);
        crate::builtins::native_object(
            self,
            &class,
            TracebackData {
                entry: first,
                rest: entries,
            },
        )
    }

    /// Attributes of traceback objects: `tb_lineno`, `tb_next`.
    pub fn traceback_attribute(&mut self, tb: &Value, name: &str) -> Option<Value> {
        let (line, rest) = crate::builtins::with_native::<TracebackData, _>(tb, |t| {
            (t.entry.line, t.rest.clone())
        })?;
        match name {
            "tb_lineno" => Some(Value::Int(line as i64)),
            "tb_next" => Some(self.traceback_from(rest)),
            _ => None,
        }
    }

    /// Stores the attributes exception objects keep natively; false for
    /// any other name (it goes to the instance dict).
    pub fn set_exception_attribute(&mut self, exc: &Value, name: &str, value: &Value) -> bool {
        let Some(data) = exc.as_exception() else {
            return false;
        };
        match name {
            "args" => {
                *data.args.borrow_mut() = match value {
                    Value::Tuple(_) => value.clone(),
                    other => Value::tuple(
                        other
                            .as_list()
                            .map(|l| l.borrow().clone())
                            .unwrap_or_else(|| vec![other.clone()]),
                    ),
                };
            }
            "__cause__" => {
                *data.cause.borrow_mut() = value.clone();
                data.suppress_context.set(true);
            }
            "__context__" => *data.context.borrow_mut() = value.clone(),
            "__suppress_context__" => data
                .suppress_context
                .set(matches!(value, Value::Bool(true))),
            "__traceback__" => {
                if value.is_none() {
                    data.traceback.borrow_mut().clear();
                } else if let Some(entries) =
                    crate::builtins::with_native::<TracebackData, _>(value, |t| {
                        let mut all = vec![t.entry.clone()];
                        all.extend(t.rest.iter().cloned());
                        all
                    })
                {
                    // `exc.__traceback__ = tb` (contextlib puts back the
                    // traceback an exception had before a generator saw it).
                    *data.traceback.borrow_mut() = entries;
                }
            }
            _ => return false,
        }
        true
    }

    /// The whole traceback text CPython prints for an uncaught exception,
    /// causes and contexts first.
    pub fn format_traceback(&mut self, exc: &Value) -> String {
        self.traceback_parts(exc, TracebackOptions::INTERPRETER)
            .concat()
    }

    /// A traceback as the pieces `traceback.format_exception` returns
    /// (each ends with a newline; a frame is one piece): with `chain`,
    /// the causes and contexts first, each followed by its separator.
    pub fn traceback_parts(&mut self, exc: &Value, options: TracebackOptions) -> Vec<String> {
        let mut chain: Vec<(Value, &'static str)> = Vec::new();
        let mut current = exc.clone();
        let mut seen: Vec<Value> = Vec::new();
        loop {
            if !options.chain || seen.iter().any(|s| s.is(&current)) {
                break;
            }
            seen.push(current.clone());
            let Some(data) = current.as_exception() else {
                break;
            };
            let cause = data.cause.borrow().clone();
            let context = data.context.borrow().clone();
            let (next, separator) = if !cause.is_none() {
                (cause, CAUSE_SEPARATOR)
            } else if !context.is_none() && !data.suppress_context.get() {
                (context, CONTEXT_SEPARATOR)
            } else {
                break;
            };
            chain.push((current.clone(), separator));
            current = next;
        }
        let mut parts = self.exception_parts(&current, options);
        for (exc, separator) in chain.into_iter().rev() {
            parts.push(separator.to_string());
            parts.extend(self.exception_parts(&exc, options));
        }
        parts
    }

    /// One exception without its chain: its frames and its last line, or
    /// a group's boxes line by line.
    fn exception_parts(&mut self, exc: &Value, options: TracebackOptions) -> Vec<String> {
        if self.group_members(exc).is_some() {
            return self
                .exception_lines(exc, true, options)
                .into_iter()
                .map(|line| line + "\n")
                .collect();
        }
        let mut parts = self.frame_parts(exc, options);
        parts.push(self.exception_summary(exc) + "\n");
        parts
    }

    /// The traceback block of one exception (no chain), as lines.
    fn exception_block(&mut self, exc: &Value, options: TracebackOptions) -> Vec<String> {
        let text = self.frame_parts(exc, options).concat();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines.push(self.exception_summary(exc));
        lines
    }

    /// The header and frames of an exception's traceback, one piece per
    /// frame; the frames of Loopscope's own Python modules are left out.
    fn frame_parts(&mut self, exc: &Value, options: TracebackOptions) -> Vec<String> {
        let Some(data) = exc.as_exception() else {
            return Vec::new();
        };
        let entries = data.traceback.borrow();
        let mut frames: Vec<FrameLine> = entries
            .iter()
            .filter(|e| !e.filename.starts_with('<'))
            .map(|e| FrameLine {
                filename: &e.filename,
                line: e.line,
                function: &e.function,
                range: e.range,
            })
            .collect();
        traceback_text::apply_limit(&mut frames, options.limit);
        let index = crate::syntax::LineIndex::new(&self.source);
        traceback_text::traceback_parts(&frames, &index, options.style)
    }

    /// Lines of one exception; a group draws its members in CPython
    /// 3.11's boxes (traceback.py `TracebackException.format`).
    fn exception_lines(
        &mut self,
        exc: &Value,
        top: bool,
        options: TracebackOptions,
    ) -> Vec<String> {
        let Some(members) = self.group_members(exc) else {
            return self.exception_block(exc, options);
        };
        let own = self.exception_block(exc, options);
        let mut lines = Vec::new();
        for (i, line) in own.into_iter().enumerate() {
            let line = if i == 0 && line.starts_with("Traceback") {
                line.replacen("Traceback", "Exception Group Traceback", 1)
            } else {
                line
            };
            let prefix = if i == 0 && top { "+ " } else { "| " };
            lines.push(format!("{prefix}{line}"));
        }
        let count = members.len();
        for (i, member) in members.iter().enumerate() {
            lines.push(if i == 0 {
                format!("+-+---------------- {} ----------------", i + 1)
            } else {
                format!("  +---------------- {} ----------------", i + 1)
            });
            for line in self.exception_lines(member, false, options) {
                lines.push(format!("  | {line}"));
            }
            if i + 1 == count {
                lines.push("  +------------------------------------".to_string());
            }
        }
        if top {
            lines.into_iter().map(|l| format!("  {l}")).collect()
        } else {
            lines
        }
    }
}

/// How a traceback is drawn.
#[derive(Clone, Copy, Debug)]
pub struct TracebackOptions {
    /// Which of CPython's printers to follow.
    pub style: Style,
    /// `traceback.py`'s `limit`: so many frames from the outermost, or
    /// from the innermost when negative; None for all.
    pub limit: Option<i64>,
    /// Causes and contexts too.
    pub chain: bool,
}

impl TracebackOptions {
    /// CPython's printer of an uncaught exception, which shows the
    /// innermost `sys.tracebacklimit` frames (1000 by default,
    /// Python/traceback.c `PyTraceBack_LIMIT`).
    pub const INTERPRETER: TracebackOptions = TracebackOptions {
        style: Style::Interpreter,
        limit: Some(-1000),
        chain: true,
    };
}

/// The state of a `traceback` object: one frame's entry and the frames
/// further in.
pub struct TracebackData {
    pub entry: crate::value::TraceEntry,
    pub rest: Vec<crate::value::TraceEntry>,
}

/// The first of an exception's arguments.
fn first_arg(exc: &Value) -> Option<Value> {
    let data = exc.as_exception()?;
    let args = data.args.borrow();
    match &*args {
        Value::Tuple(t) => t.items.first().cloned(),
        _ => None,
    }
}

fn instance_id(value: &Value) -> u64 {
    match value {
        Value::Instance(i) => i.id,
        _ => 0,
    }
}
