//! The virtual machine: runs code objects, calls functions, raises and
//! catches exceptions, and resumes generators and coroutines.
//!
//! Invariants:
//! * The VM knows nothing of an event loop. Everything outside the
//!   program (output, the clock, `time.sleep`) goes through [`Host`].
//! * Python-to-Python calls recurse on the native stack, bounded by the
//!   recursion limit (`RecursionError`); native code calling back into
//!   Python counts against the same limit.
//! * Every executed instruction counts against the step budget; running
//!   out ends the run with [`Halt::Hang`], which no `try` can catch.

pub mod attributes;
pub mod call;
pub mod errors;
pub mod exceptions;
pub mod exec;
pub mod frame;
pub mod generators;
pub mod identity;
pub mod imports;
pub mod inline_cache;
pub mod ops;
pub mod protocols;
pub mod repr;
pub mod traceback_text;
pub mod types;

use std::rc::Rc;

use crate::bytecode::Code;
use crate::value::{
    Args, AttrMap, Builtin, CellObj, Class, Finalizable, Function, GenKind, Halt, IdCounter,
    Module, NativeFn, PyResult, PyStr, Unwind, Value,
};
pub use exceptions::ExcType;
use frame::Frame;
pub use types::BuiltinTypes;

/// Which output stream a write goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// What the program's world provides: output, a clock, blocking sleep.
pub trait Host {
    /// Output of the program; `step` is the instruction count at the write.
    fn write(&mut self, stream: Stream, text: &str, step: u64);
    /// Everything written so far (stdout, stderr), taken out.
    fn take_output(&mut self) -> (String, String);
    /// Seconds on the monotonic clock (`loop.time()`, `time.monotonic()`).
    fn now(&self) -> f64;
    /// `time.sleep(seconds)`. A host that simulates threads may answer
    /// [`Halt::Park`] to take the calling thread's stack off the machine.
    fn sleep(&mut self, seconds: f64) -> Result<(), Halt>;
    /// The host itself, for embedders whose natives need their own state.
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
    /// The VM is going away: drop every program value the host holds, while
    /// the VM can still take what that drop sets free (see `impl Drop for
    /// Vm`).
    fn release(&mut self) {}
    /// Asked now and then while the program runs (every
    /// [`LIMIT_CHECK_EVERY_STEPS`] instructions): a limit of the host's own
    /// that the run has passed ends it with this halt.
    fn check_limits(&mut self) -> Option<Halt> {
        None
    }
    /// A warning was issued (its text goes to stderr through
    /// [`Host::write`] as well): `category` is its class
    /// (`RuntimeWarning`), `line` the program line it is about.
    fn warning(&mut self, _category: &str, _message: &str, _line: u32, _step: u64) {}
}

/// A world with no event loop: output is collected, `time.sleep` moves a
/// virtual clock (the simulated world's rules without asyncio).
#[derive(Default)]
pub struct RecordingHost {
    pub stdout: String,
    pub stderr: String,
    pub clock: f64,
    pub max_time: Option<f64>,
}

impl Host for RecordingHost {
    fn write(&mut self, stream: Stream, text: &str, _step: u64) {
        match stream {
            Stream::Stdout => self.stdout.push_str(text),
            Stream::Stderr => self.stderr.push_str(text),
        }
    }

    fn take_output(&mut self) -> (String, String) {
        (
            std::mem::take(&mut self.stdout),
            std::mem::take(&mut self.stderr),
        )
    }

    fn now(&self) -> f64 {
        self.clock
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }

    fn sleep(&mut self, seconds: f64) -> Result<(), Halt> {
        let target = self.clock + seconds.max(0.0);
        if let Some(limit) = self.max_time {
            if target > limit {
                self.clock = limit;
                return Err(Halt::TimeLimit);
            }
        }
        self.clock = target;
        Ok(())
    }
}

/// The highest recursion limit a program may set: deeper Python
/// recursion would overflow the native stack the interpreter runs on.
pub const MAX_RECURSION_LIMIT: u32 = 3000;

thread_local! {
    /// Shipped Python modules, compiled once per thread: code objects are
    /// immutable, so every VM the thread makes (each run of the web worker,
    /// each conformance fixture) shares them instead of parsing asyncio's
    /// few thousand lines again. Keyed by name, checked against the source.
    static SHIPPED_CODE: RefCell<std::collections::HashMap<String, (String, Rc<Code>)>> =
        RefCell::new(std::collections::HashMap::new());
}

/// The code of shipped module `name` (filename `<frozen name>`).
fn compiled_shipped_module(
    name: &str,
    source: &str,
) -> Result<Rc<Code>, crate::syntax::SourceError> {
    let cached = SHIPPED_CODE.with(|cache| {
        cache
            .borrow()
            .get(name)
            .filter(|(text, _)| text == source)
            .map(|(_, code)| code.clone())
    });
    if let Some(code) = cached {
        return Ok(code);
    }
    let code = crate::compiler::compile_module(source, &format!("<frozen {name}>"))?;
    SHIPPED_CODE.with(|cache| {
        cache
            .borrow_mut()
            .insert(name.to_string(), (source.to_string(), code.clone()))
    });
    Ok(code)
}

/// A finished VM leaves nothing behind: its modules' namespaces (and the
/// classes in them) are emptied, which breaks the cycles that reference
/// counting alone cannot free (a function refers to its module's globals,
/// which refer to the function; a method using `super()` refers to its
/// class through a cell). Without this every run would leak its modules,
/// ~350 KB for one importing asyncio, and the web worker runs many
/// programs in one instance. No Python code runs here: finalizers of what
/// this drops are queued on a queue no one will run.
impl Drop for Vm {
    fn drop(&mut self) {
        let mut modules: Vec<Rc<Module>> = vec![self.main.clone()];
        for (_, value) in self.modules.iter() {
            if let Value::Module(module) = value {
                modules.push(module.clone());
            }
        }
        for module in modules {
            let namespace = std::mem::take(&mut *module.dict.borrow_mut());
            for value in namespace.into_values() {
                if let Value::Class(class) = &value {
                    if !class.builtin {
                        let members = std::mem::take(&mut *class.dict.borrow_mut());
                        drop(members);
                        // `__init__`'s `__class__` cell points back here.
                        let creation = class.creation.borrow_mut().take();
                        drop(creation);
                    }
                }
            }
        }
        self.modules = AttrMap::new();
        self.host.release();
        // Objects with a finalizer hold the queue they are put on when
        // dropped: empty it (nothing runs now), until dropping stops
        // queueing more.
        loop {
            let queued = std::mem::take(&mut *self.finalizers.borrow_mut());
            if queued.is_empty() {
                break;
            }
            drop(queued);
        }
    }
}

/// Instructions between two checks of the limits that are not checked
/// where they are spent (memory in total, the host's own).
pub const LIMIT_CHECK_EVERY_STEPS: u64 = 1 << 16;

/// Bounds on a run.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Instructions before the run is declared a hang.
    pub max_steps: u64,
    /// Python recursion limit (`sys.getrecursionlimit()`).
    pub recursion_limit: u32,
    /// The most `sys.setrecursionlimit` may set: what the native stack the
    /// interpreter runs on can take (smaller in the browser, see
    /// `crates/loopscope-worker`).
    pub max_recursion_limit: u32,
    /// Bytes of output (stdout and stderr together) before the run ends.
    pub max_output: usize,
    /// Bytes of heap the process may hold (see [`crate::memory`]; only
    /// enforced where the counting allocator is installed).
    pub max_memory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 200_000_000,
            recursion_limit: 1000,
            max_recursion_limit: MAX_RECURSION_LIMIT,
            max_output: 4 << 20,
            max_memory: 512 << 20,
        }
    }
}

pub struct Vm {
    pub types: BuiltinTypes,
    pub builtins: Rc<Module>,
    pub main: Rc<Module>,
    /// Imported modules by name (`sys.modules`).
    pub modules: AttrMap,
    pub host: Box<dyn Host>,
    pub limits: Limits,
    pub steps: u64,
    /// The step count at which [`Vm::tick`] next checks the limits.
    next_limit_check: u64,
    /// Heap in use when the VM was made: the memory limit counts what
    /// the run adds (an embedder may hold memory of its own, or of runs
    /// before).
    memory_baseline: usize,
    pub depth: u32,
    /// Exceptions currently being handled, innermost last.
    pub exc_stack: Vec<Value>,
    pub ids: IdCounter,
    /// Sequential identities of objects without an id of their own.
    pub identities: identity::IdentityTable,
    /// The program's source, for tracebacks.
    pub source: Rc<str>,
    pub filename: Rc<str>,
    /// Containers whose repr is being built (for `[...]`).
    pub repr_guard: Vec<usize>,
    /// Bytes written so far.
    pub output_bytes: usize,
    /// The seed `random` starts from (SEMANTICS.md §4: 0 unless chosen).
    pub random_seed: u64,
    /// Dropped generators whose `finally` must still run.
    pub finalizers: crate::value::Finalizers,
    /// Modules added by the embedder (the runtime's `asyncio`), consulted
    /// before the interpreter's own.
    pub registered_modules: Vec<(&'static str, ModuleSource)>,
    /// Takes over `time.sleep` when set: an embedder whose world goes on
    /// while the program sleeps (simulated threads) needs the VM for it.
    pub sleep_handler: Option<fn(&mut Vm, f64) -> PyResult<()>>,
    /// The frames running now, outermost first, each with the position of
    /// the call it is making (for [`Vm::current_program_line`]).
    pub call_sites: Vec<CallSite>,
    /// Told what generators do (made, resumed, yielded, finished) when
    /// set: an embedder records it. None costs one test per resume.
    pub generator_hook: Option<generators::GeneratorHook>,
    /// Steps a native delegate of `yield from` / `await` when set and it
    /// answers: an embedder's native awaitables can then return a value
    /// without raising `StopIteration`, as a generator does.
    pub delegate_hook: Option<generators::DelegateHook>,
    /// Interned special names the attribute protocol looks up on every access.
    pub names: SpecialNames,
    /// Emptied argument vectors of finished calls, reused by the next
    /// calls (see [`Vm::take_arg_vec`]).
    spare_args: Vec<Vec<Value>>,
    /// Buffers of finished call frames, for the next calls.
    frame_buffers: frame::FrameBuffers,
}

/// How many spare argument vectors are kept, and the largest kept.
const SPARE_ARGS: usize = 32;
const SPARE_ARGS_CAPACITY: usize = 16;

/// Special method names, interned once so hot lookups hash nothing.
pub struct SpecialNames {
    pub getattribute: Rc<PyStr>,
    pub getattr: Rc<PyStr>,
    pub setattr: Rc<PyStr>,
    pub get: Rc<PyStr>,
    pub set: Rc<PyStr>,
    pub delete: Rc<PyStr>,
    pub new: Rc<PyStr>,
    pub init: Rc<PyStr>,
}

impl SpecialNames {
    fn new() -> Self {
        use crate::value::string::intern;
        SpecialNames {
            getattribute: intern("__getattribute__"),
            getattr: intern("__getattr__"),
            setattr: intern("__setattr__"),
            get: intern("__get__"),
            set: intern("__set__"),
            delete: intern("__delete__"),
            new: intern("__new__"),
            init: intern("__init__"),
        }
    }
}

/// A running frame's code and the instruction after its current call.
pub struct CallSite {
    pub code: Rc<Code>,
    pub ip: usize,
}

/// How a module is made the first time it is imported.
#[derive(Clone, Copy)]
pub enum ModuleSource {
    /// Built by native code.
    Native(fn(&mut Vm) -> PyResult<Rc<Module>>),
    /// Python source shipped inside Loopscope, run as the module's body.
    /// Its frames are hidden from tracebacks, like CPython's frozen modules.
    Python(&'static str),
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Completed,
    /// An exception escaped: the last line of its traceback.
    Error(String),
    Halted(Halt),
}

impl Vm {
    pub fn new(host: Box<dyn Host>) -> Vm {
        let ids = IdCounter::default();
        let types = BuiltinTypes::new(&ids);
        let builtins = Rc::new(Module {
            name: Rc::new(PyStr::new("builtins")),
            dict: Default::default(),
        });
        let main = Rc::new(Module {
            name: Rc::new(PyStr::new("__main__")),
            dict: Default::default(),
        });
        let mut vm = Vm {
            types,
            builtins,
            main,
            modules: AttrMap::new(),
            host,
            limits: Limits::default(),
            steps: 0,
            next_limit_check: 0,
            memory_baseline: crate::memory::bytes_in_use(),
            depth: 0,
            exc_stack: Vec::new(),
            ids,
            identities: Default::default(),
            source: "".into(),
            filename: "main.py".into(),
            repr_guard: Vec::new(),
            output_bytes: 0,
            random_seed: 0,
            finalizers: Default::default(),
            registered_modules: Vec::new(),
            sleep_handler: None,
            call_sites: Vec::new(),
            names: SpecialNames::new(),
            generator_hook: None,
            delegate_hook: None,
            spare_args: Vec::new(),
            frame_buffers: frame::FrameBuffers::default(),
        };
        crate::builtins::install(&mut vm);
        vm
    }

    /// Compiles and runs a program as `__main__`, printing an uncaught
    /// exception's traceback to stderr as CPython does.
    pub fn run_main(&mut self, source: &str) -> Outcome {
        self.source = source.into();
        let code = match crate::compiler::compile_module(source, &self.filename) {
            Ok(code) => code,
            Err(error) => return self.report_source_error(&error),
        };
        // The names a script's `__main__` has when run as the oracle runs
        // it (runpy.run_path: `__package__` is '', `__builtins__` last);
        // `__loader__` is left out (its repr is an address).
        {
            let mut globals = self.main.dict.borrow_mut();
            globals.set("__name__", Value::str("__main__"));
            globals.set("__doc__", Value::None);
            globals.set("__package__", Value::str(""));
            globals.set("__spec__", Value::None);
            globals.set("__file__", Value::str(&self.filename));
            globals.set("__cached__", Value::None);
            globals.set("__builtins__", Value::Module(self.builtins.clone()));
        }
        let main = self.main.clone();
        let result = self.run_code(code, main.clone(), Some(main));
        let outcome = self.finish(result.map(|_| ()));
        if matches!(outcome, Outcome::Completed | Outcome::Error(_)) {
            self.tear_down_main();
        }
        outcome
    }

    /// Interpreter shutdown: the main module's names are set to `None`,
    /// those starting with a single underscore first, then the others but
    /// `__builtins__`, so generators still suspended in `try`/`with` run
    /// their cleanup and finalizers run in a predictable order (CPython
    /// moduleobject.c `_PyModule_ClearDict`, which replaces rather than
    /// deletes "to avoid rehashing": each name costs O(1) here too).
    fn tear_down_main(&mut self) {
        let names = self.main.dict.borrow().keys();
        let single_underscore = |name: &str| name.starts_with('_') && !name.starts_with("__");
        let passes: [&dyn Fn(&str) -> bool; 2] = [&|name| single_underscore(name), &|name| {
            !single_underscore(name) && name != "__builtins__"
        }];
        for clears in passes {
            for name in names.iter().filter(|name| clears(name.as_str())) {
                let old = {
                    let mut globals = self.main.dict.borrow_mut();
                    match globals.get_name(name) {
                        None | Some(Value::None) => continue,
                        Some(_) => {}
                    }
                    globals.replace(name, Value::None)
                };
                drop(old);
                if self.run_finalizers().is_err() {
                    return;
                }
            }
        }
    }

    /// Turns the result of running the program into an outcome, writing the
    /// traceback of an uncaught exception.
    pub fn finish(&mut self, result: PyResult<()>) -> Outcome {
        match result {
            Ok(()) => Outcome::Completed,
            Err(Unwind::Halt(Halt::Exit(code))) => match code {
                None => Outcome::Completed,
                Some(text) => Outcome::Error(text),
            },
            Err(Unwind::Halt(halt)) => Outcome::Halted(halt),
            Err(Unwind::Exception(exc)) => {
                if let Some(exit) = self.system_exit_code(&exc) {
                    return match exit {
                        None => Outcome::Completed,
                        Some(text) => {
                            self.host
                                .write(Stream::Stderr, &format!("{text}\n"), self.steps);
                            Outcome::Error(format!("SystemExit: {text}"))
                        }
                    };
                }
                let text = self.format_traceback(&exc);
                self.host.write(Stream::Stderr, &text, self.steps);
                Outcome::Error(self.exception_summary(&exc))
            }
        }
    }

    fn report_source_error(&mut self, error: &crate::syntax::SourceError) -> Outcome {
        use crate::syntax::SourceErrorKind;
        if error.kind == SourceErrorKind::Unsupported {
            return Outcome::Halted(Halt::Unsupported {
                message: error.message.clone(),
                line: error.line,
            });
        }
        let index = crate::syntax::LineIndex::new(&self.source);
        let text = index.line_text(error.line).to_string();
        let trimmed = text.trim_start();
        let offset = error.column as usize
            - (text.chars().count() - trimmed.chars().count()).min(error.column as usize - 1);
        let message = format!(
            "  File \"{}\", line {}\n    {}\n    {}^\n{}\n",
            self.filename,
            error.line,
            trimmed,
            " ".repeat(offset.saturating_sub(1)),
            error.summary()
        );
        self.host.write(Stream::Stderr, &message, self.steps);
        Outcome::Error(error.summary())
    }

    /// Makes `name` importable (`import name`), replacing any module the
    /// interpreter has by that name.
    pub fn register_module(&mut self, name: &'static str, source: ModuleSource) {
        self.registered_modules.retain(|(n, _)| *n != name);
        self.registered_modules.push((name, source));
    }

    /// Runs shipped Python source as module `name`. The module is in
    /// `sys.modules` while its body runs, so modules may import each other.
    pub fn exec_source_module(&mut self, name: &str, source: &str) -> PyResult<Rc<Module>> {
        let code = compiled_shipped_module(name, source).map_err(|error| {
            self.error(
                ExcType::SystemError,
                format!("built-in module {name} does not compile: {}", error.message),
            )
        })?;
        let module = crate::builtins::new_module(name);
        module
            .dict
            .borrow_mut()
            .set("__builtins__", Value::Module(self.builtins.clone()));
        self.modules.set(name, Value::Module(module.clone()));
        if let Err(error) = self.run_code(code, module.clone(), Some(module.clone())) {
            self.modules.remove(name);
            return Err(error);
        }
        Ok(module)
    }

    /// The line of the program (not of Loopscope's own Python modules)
    /// being executed: the innermost call site in the program's file.
    pub fn current_program_line(&self) -> u32 {
        self.call_sites
            .iter()
            .rev()
            .find(|site| !site.code.filename.starts_with('<'))
            .map(|site| site.code.line_of(site.ip.saturating_sub(1)))
            .unwrap_or(0)
    }

    /// Runs a module or class body code object.
    pub fn run_code(
        &mut self,
        code: Rc<Code>,
        globals: Rc<Module>,
        namespace: Option<Rc<Module>>,
    ) -> PyResult<Value> {
        let mut frame = Frame::new(code, globals, namespace);
        match self.run_frame(&mut frame, exec::Resume::Start)? {
            exec::FrameExit::Return(value) => Ok(value),
            exec::FrameExit::Yield(..) => {
                Err(self.error(ExcType::SystemError, "module body yielded"))
            }
        }
    }

    // ----------------------------------------------------------- errors

    /// A new exception of a built-in type with one message argument.
    pub fn error(&mut self, kind: ExcType, message: impl Into<String>) -> Unwind {
        let class = self.types.exception(kind);
        let exc = self.new_exception(&class, vec![Value::string(message.into())]);
        Unwind::Exception(exc)
    }

    pub fn type_error(&mut self, message: impl Into<String>) -> Unwind {
        self.error(ExcType::TypeError, message)
    }

    /// `Unsupported` halt for something the interpreter does not offer; the
    /// frame that sees it fills in its line.
    pub fn unsupported(&mut self, what: impl Into<String>) -> Unwind {
        Unwind::Halt(Halt::Unsupported {
            message: what.into(),
            line: 0,
        })
    }

    // ----------------------------------------------------------- helpers

    /// The program's output so far and the clock: (stdout, stderr, time).
    pub fn take_output(&mut self) -> (String, String, f64) {
        let (stdout, stderr) = self.host.take_output();
        (stdout, stderr, self.host.now())
    }

    /// Writes program output, within the output budget.
    pub fn write_output(&mut self, stream: Stream, text: &str) -> PyResult<()> {
        self.output_bytes += text.len();
        if self.output_bytes > self.limits.max_output {
            return Err(Unwind::Halt(Halt::Unsupported {
                message: format!(
                    "the program printed more than {} MB of output",
                    self.limits.max_output >> 20
                ),
                line: 0,
            }));
        }
        self.host.write(stream, text, self.steps);
        Ok(())
    }

    pub fn intern(&self, s: &str) -> Rc<PyStr> {
        Rc::new(PyStr::new(s))
    }

    /// Makes a built-in function value.
    pub fn builtin(&self, name: &str, func: crate::value::NativeFnPtr) -> Value {
        Value::Builtin(Rc::new(Builtin {
            name: self.intern(name),
            owner: None,
            func: NativeFn::Plain(func),
            receiver: None,
        }))
    }

    /// Counts one instruction against the budget.
    #[inline]
    pub fn tick(&mut self) -> PyResult<()> {
        self.count_native_step()?;
        if !self.finalizers.borrow().is_empty() {
            self.run_finalizers()?;
        }
        Ok(())
    }

    /// Counts one step against the budget: an instruction (through
    /// [`Vm::tick`]) or an item a native loop takes; it runs no
    /// finalizers, which wait for the next instruction.
    #[inline]
    pub fn count_native_step(&mut self) -> PyResult<()> {
        self.count_native_steps(1)
    }

    /// Counts `n` steps at once: the items of a native loop that skips
    /// taking them one by one (`sum` of a range).
    #[inline]
    pub fn count_native_steps(&mut self, n: u64) -> PyResult<()> {
        self.steps = self.steps.saturating_add(n);
        if self.steps >= self.next_limit_check {
            self.check_limits()?;
        }
        Ok(())
    }

    /// The limits other than the per-object ones, checked every
    /// [`LIMIT_CHECK_EVERY_STEPS`] instructions and at the last step of the
    /// budget: the budget itself (`hang`), the memory the process holds,
    /// and the host's own limits.
    #[cold]
    fn check_limits(&mut self) -> PyResult<()> {
        if self.steps > self.limits.max_steps {
            return Err(Unwind::Halt(Halt::Hang));
        }
        self.next_limit_check = self
            .steps
            .saturating_add(LIMIT_CHECK_EVERY_STEPS)
            .min(self.limits.max_steps.saturating_add(1));
        let used = crate::memory::bytes_in_use().saturating_sub(self.memory_baseline);
        if used > self.limits.max_memory {
            return Err(Unwind::Halt(Halt::Unsupported {
                message: format!(
                    "the program used more than {} MB of memory",
                    self.limits.max_memory >> 20
                ),
                line: 0,
            }));
        }
        match self.host.check_limits() {
            Some(halt) => Err(Unwind::Halt(halt)),
            None => Ok(()),
        }
    }

    /// The finalizer queue for a new instance of `class`, if the class
    /// or a base defines `__del__` (CPython calls `tp_finalize` only for
    /// such types).
    #[inline]
    pub fn finalizer_for(&self, class: &Rc<Class>) -> Option<crate::value::Finalizers> {
        if class.hooks().finalizer {
            Some(self.finalizers.clone())
        } else {
            None
        }
    }

    /// Finalizes what was dropped since the last instruction: closes
    /// suspended generators, calls `__del__`. An exception is reported and
    /// ignored, as CPython's `PyErr_WriteUnraisable` does.
    ///
    /// CPython finalizes an object the moment its count reaches zero, so
    /// objects dropped together go in drop order, and what a finalizer
    /// drops is finalized before the next one (depth first): each batch
    /// taken from the queue is a level of a stack, the newest on top.
    pub fn run_finalizers(&mut self) -> PyResult<()> {
        let mut batches: Vec<std::collections::VecDeque<Finalizable>> = Vec::new();
        loop {
            let fresh = std::mem::take(&mut *self.finalizers.borrow_mut());
            if !fresh.is_empty() {
                batches.push(fresh.into());
            }
            let Some(batch) = batches.last_mut() else {
                return Ok(());
            };
            let Some(item) = batch.pop_front() else {
                batches.pop();
                continue;
            };
            match item {
                Finalizable::Generator(dropped) => self.finalize_generator(dropped)?,
                Finalizable::Instance(object) => self.finalize_instance(object)?,
            }
        }
    }

    /// CPython `slot_tp_finalize`: calls `type(obj).__del__(obj)`; an
    /// exception prints `Exception ignored in: <function C.__del__ ...>`.
    fn finalize_instance(&mut self, object: Rc<crate::value::Instance>) -> PyResult<()> {
        let class = object.class.borrow().clone();
        let Some(del) = class.lookup("__del__") else {
            return Ok(());
        };
        let value = Value::Instance(object);
        match self.call(&del, vec![value]) {
            Ok(_) => Ok(()),
            Err(Unwind::Exception(exc)) => self.write_unraisable(&del, &exc),
            Err(halt) => Err(halt),
        }
    }

    /// CPython `PyErr_WriteUnraisable`: `Exception ignored in: <obj>` and
    /// the traceback, on stderr.
    pub fn write_unraisable(&mut self, object: &Value, exc: &Value) -> PyResult<()> {
        let what = self.repr_of(object)?;
        let text = self.format_traceback(exc);
        self.write_output(
            Stream::Stderr,
            &format!("Exception ignored in: {what}\n{text}"),
        )
    }

    /// Closes a generator dropped while suspended in `try`/`with`.
    fn finalize_generator(&mut self, dropped: crate::value::DroppedGenerator) -> PyResult<()> {
        if dropped.never_awaited {
            return self.warn_never_awaited(&dropped.qualname);
        }
        let generator = Rc::new(crate::value::Generator {
            code: dropped.frame.code.clone(),
            kind: dropped.kind,
            name: RefCell::new(dropped.name),
            qualname: RefCell::new(dropped.qualname),
            frame: RefCell::new(Some(dropped.frame)),
            state: std::cell::Cell::new(crate::value::GenState::Suspended),
            delegate: RefCell::new(None),
            closing: std::cell::Cell::new(false),
            iterable_coroutine: std::cell::Cell::new(false),
            id: dropped.id,
            finalizers: None,
        });
        match self.generator_close(&generator) {
            Ok(()) => Ok(()),
            Err(Unwind::Exception(exc)) => {
                self.write_unraisable(&Value::Generator(generator.clone()), &exc)
            }
            Err(halt) => Err(halt),
        }
    }

    /// The warning CPython's `_PyErr_WarnUnawaitedCoroutine` prints, at
    /// the line of the program running when the coroutine was dropped.
    fn warn_never_awaited(&mut self, qualname: &PyStr) -> PyResult<()> {
        let line = self.current_program_line();
        let source = self.source.clone();
        let index = crate::syntax::LineIndex::new(&source);
        let text = index.line_text(line).trim();
        let filename = self.filename.clone();
        let warning = format!("coroutine '{}' was never awaited", qualname.as_str());
        self.host
            .warning("RuntimeWarning", &warning, line, self.steps);
        let message = format!(
            "{filename}:{line}: RuntimeWarning: {warning}\n  {text}\n\
             RuntimeWarning: Enable tracemalloc to get the object allocation traceback\n",
        );
        self.write_output(Stream::Stderr, &message)
    }

    pub fn new_function(
        &self,
        code: Rc<Code>,
        globals: Rc<Module>,
        qualname: Rc<PyStr>,
        closure: Vec<Rc<CellObj>>,
    ) -> Function {
        Function {
            name: RefCell::new(code.name.clone()),
            qualname: RefCell::new(qualname),
            doc: RefCell::new(code.doc.clone().map(Value::Str).unwrap_or(Value::None)),
            code,
            globals,
            defaults: RefCell::new(Vec::new()),
            kwdefaults: RefCell::new(Vec::new()),
            closure,
            dict: RefCell::new(AttrMap::new()),
            annotations: RefCell::new(Value::None),
            iterable_coroutine: std::cell::Cell::new(false),
        }
    }

    /// The kind of generator a code object makes when called, if any.
    pub fn generator_kind(code: &Code) -> Option<GenKind> {
        if code.flags.generator {
            Some(GenKind::Generator)
        } else if code.flags.coroutine {
            Some(GenKind::Coroutine)
        } else if code.flags.async_generator {
            Some(GenKind::AsyncGenerator)
        } else {
            None
        }
    }

    /// An empty vector for a call's arguments: a spare one when there is
    /// one, so most calls allocate nothing for their arguments.
    #[inline]
    pub fn take_arg_vec(&mut self) -> Vec<Value> {
        self.spare_args.pop().unwrap_or_default()
    }

    /// Gives an argument vector back once its values are moved out or no
    /// longer needed (they are dropped here).
    #[inline]
    pub fn recycle_arg_vec(&mut self, mut args: Vec<Value>) {
        args.clear();
        let capacity = args.capacity();
        if capacity > 0 && capacity <= SPARE_ARGS_CAPACITY && self.spare_args.len() < SPARE_ARGS {
            self.spare_args.push(args);
        }
    }

    /// A call's frame on spare buffers, its first locals `arguments`.
    #[inline]
    pub fn frame_with_arguments(
        &mut self,
        code: Rc<crate::bytecode::Code>,
        globals: Rc<Module>,
        arguments: impl Iterator<Item = Value>,
    ) -> frame::Frame {
        let buffers = self.frame_buffers.take();
        frame::Frame::with_buffers(code, globals, None, arguments, buffers)
    }

    /// A call's frame on spare buffers, its first local `receiver` and
    /// the next ones the values of `arguments` from `at` on (moved out):
    /// a method's frame, with no chained iterator to build it.
    #[inline]
    pub fn frame_with_receiver(
        &mut self,
        code: Rc<crate::bytecode::Code>,
        globals: Rc<Module>,
        receiver: Value,
        arguments: &mut Vec<Value>,
        at: usize,
    ) -> frame::Frame {
        let (stack, mut locals) = self.frame_buffers.take();
        let count = code.varnames.len();
        locals.reserve(count);
        locals.push(Some(receiver));
        locals.extend(arguments.drain(at.min(arguments.len())..).map(Some));
        while locals.len() < count {
            locals.push(None);
        }
        frame::Frame::with_buffers(code, globals, None, std::iter::empty(), (stack, locals))
    }

    /// Gives a finished call frame's buffers back for the next calls.
    #[inline]
    pub fn release_frame(&mut self, mut frame: frame::Frame) {
        self.frame_buffers.keep(&mut frame);
    }

    /// Calls any callable with positional arguments.
    pub fn call(&mut self, callee: &Value, args: Vec<Value>) -> PyResult<Value> {
        self.call_with(callee, args, Vec::new())
    }

    pub fn class_of(&self, value: &Value) -> Rc<Class> {
        self.types.class_of(value)
    }

    pub fn type_name(&self, value: &Value) -> String {
        self.class_of(value).name().as_str().to_string()
    }

    /// Builds the argument record for a native call.
    pub fn args(positional: Vec<Value>) -> Args {
        Args::new(positional)
    }
}

use std::cell::RefCell;
