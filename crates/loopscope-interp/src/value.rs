//! Python values: one enum, cheap to clone, with the objects behind it.
//!
//! Immediate values (`None`, `bool`, small `int`, `float`) live inline; every
//! other object is reference counted (`Rc`), so dropping the last reference
//! frees it at once, as CPython's reference counting does — which is what
//! lets a coroutine that was never awaited warn at the moment it is dropped.
//! Reference cycles are not collected; runs are short and bounded.
//!
//! Invariant: an `int` that fits in `i64` is always `Value::Int`; `BigInt`
//! holds only values outside that range (see [`Value::from_bigint`]).

pub mod attrs;
pub mod dict;
pub mod hash;
pub mod method_cache;
pub mod set;
pub mod string;
pub mod trashcan;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use crate::bytecode::Code;
use crate::vm::frame::Frame;
use crate::vm::Vm;
pub use attrs::AttrMap;
pub use dict::PyDict;
pub use method_cache::ClassDict;
pub use set::PySet;
pub use string::PyStr;

/// Everything that can raise gives a `PyResult`.
pub type PyResult<T> = Result<T, Unwind>;

/// Why the interpreter stops executing normally: a Python exception that
/// `try` can catch, or a halt of the whole run that nothing in the program
/// can catch and that runs no `finally` (the real program never got past
/// that point).
#[derive(Clone)]
pub enum Unwind {
    Exception(Value),
    Halt(Halt),
}

/// The reasons a run ends that are not Python exceptions.
#[derive(Clone, Debug, PartialEq)]
pub enum Halt {
    /// The instruction budget ran out: the program computes forever.
    Hang,
    /// The virtual clock would pass the time limit.
    TimeLimit,
    /// Nothing is ready, no timer and no thread job: a real run would wait
    /// for ever.
    IdleForever,
    /// The program uses something Loopscope does not offer; the message
    /// names it and the line.
    Unsupported { message: String, line: u32 },
    /// `sys.exit()` / `SystemExit` reached the top with this exit code text
    /// (None for success).
    Exit(Option<String>),
    /// The host parked the running call stack (a simulated thread blocked
    /// in `time.sleep`); the frames travel with the halt so the host can
    /// resume them later with [`Vm::resume_parked`].
    Park(Parked),
}

/// A call stack taken off the native stack, innermost frame first.
///
/// A stack can be resumed only if every frame was suspended in a plain
/// call of the next one (a `CALL` of a Python function, or of the native
/// that parked): then the value that resumes a frame is the result of
/// that call. Anything else between two frames (a native calling back
/// into Python, a generator) makes the stack unresumable.
#[derive(Clone)]
pub struct Parked(Rc<RefCell<ParkedStack>>);

struct ParkedStack {
    frames: Vec<Frame>,
    /// Frames whose pending call leads straight to the frame before them.
    links: usize,
    /// Natives the park came out of before reaching the first frame.
    natives: usize,
    resumable: bool,
}

impl Parked {
    /// A new park, raised by the native that blocks.
    pub fn new() -> Parked {
        Parked(Rc::new(RefCell::new(ParkedStack {
            frames: Vec::new(),
            links: 0,
            natives: 0,
            resumable: true,
        })))
    }

    /// A frame executing a call instruction sees the park come out of its
    /// callee; `direct` says whether that callee is what parked or the
    /// Python function whose frame was pushed last.
    pub(crate) fn link_call(&self, direct: bool) {
        let mut stack = self.0.borrow_mut();
        if direct || (stack.frames.is_empty() && stack.natives == 1) {
            stack.links += 1;
        }
    }

    /// The park came out of a native function.
    pub(crate) fn native_returned(&self) {
        let mut stack = self.0.borrow_mut();
        if stack.frames.is_empty() {
            stack.natives += 1;
        }
    }

    /// A frame the park passed through leaves the native stack.
    pub(crate) fn push_frame(&self, frame: Frame) {
        let mut stack = self.0.borrow_mut();
        stack.frames.push(frame);
        if stack.frames.len() != stack.links {
            stack.resumable = false;
        }
    }

    /// Can [`Vm::resume_parked`] continue this stack?
    pub fn is_resumable(&self) -> bool {
        let stack = self.0.borrow();
        stack.resumable && !stack.frames.is_empty()
    }

    /// Did the park come straight out of the one native that was called,
    /// with no Python frame in between (a thread job that *is*
    /// `time.sleep`)? Resuming it means that native returns `None`.
    pub fn is_bare_native(&self) -> bool {
        let stack = self.0.borrow();
        stack.frames.is_empty() && stack.natives == 1
    }

    /// The frames, innermost first, leaving the park empty.
    pub(crate) fn take_frames(&self) -> Vec<Frame> {
        let mut stack = self.0.borrow_mut();
        stack.links = 0;
        std::mem::take(&mut stack.frames)
    }

    /// Frames that were waiting on this park's frames continue to wait on
    /// the new park (resumed stack parked again).
    pub(crate) fn extend_outer(&self, outer: impl Iterator<Item = Frame>) {
        let mut stack = self.0.borrow_mut();
        for frame in outer {
            stack.frames.push(frame);
            stack.links += 1;
        }
    }
}

impl Default for Parked {
    fn default() -> Self {
        Parked::new()
    }
}

impl std::fmt::Debug for Parked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Parked({} frames)", self.0.borrow().frames.len())
    }
}

impl PartialEq for Parked {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Clone)]
pub enum Value {
    None,
    NotImplemented,
    Ellipsis,
    Bool(bool),
    Int(i64),
    BigInt(Rc<BigInt>),
    Float(f64),
    Str(Rc<PyStr>),
    Bytes(Rc<PyBytes>),
    List(Rc<PyList>),
    Tuple(Rc<PyTuple>),
    Dict(Rc<PyDict>),
    Set(Rc<SetObj>),
    FrozenSet(Rc<SetObj>),
    Range(Rc<PyRange>),
    Slice(Rc<PySlice>),
    Function(Rc<Function>),
    BoundMethod(Rc<BoundMethod>),
    Builtin(Rc<Builtin>),
    Class(Rc<Class>),
    Instance(Rc<Instance>),
    Module(Rc<Module>),
    Generator(Rc<Generator>),
    Iterator(Rc<NativeIter>),
    Native(Rc<NativeObj>),
    /// A compiled code object (constants of their parent code).
    Code(Rc<Code>),
}

impl Value {
    /// Whether dropping the value can drop no other Python object (no
    /// containers, instances or finalizers behind it).
    #[inline]
    pub fn owns_no_objects(&self) -> bool {
        matches!(
            self,
            Value::None
                | Value::NotImplemented
                | Value::Ellipsis
                | Value::Bool(_)
                | Value::Int(_)
                | Value::BigInt(_)
                | Value::Float(_)
                | Value::Str(_)
                | Value::Bytes(_)
        )
    }
}

pub type PyList = RefCell<Vec<Value>>;

pub struct PyTuple {
    pub items: Vec<Value>,
}

impl Drop for PyTuple {
    /// CPython tupledealloc drops the items last to first (what `__del__`
    /// methods print shows it).
    fn drop(&mut self) {
        trashcan::dispose(
            &mut self.items,
            |items| while items.pop().is_some() {},
            |items| {
                let mut parked = std::mem::take(items);
                parked.reverse();
                parked
            },
        );
    }
}

pub struct PyBytes {
    pub data: Vec<u8>,
}

/// A `set` or `frozenset`: the table behind `RefCell` even for frozensets,
/// which simply never mutate it after construction.
pub struct SetObj {
    pub table: RefCell<PySet>,
}

#[derive(Clone)]
pub struct PyRange {
    pub start: Value,
    pub stop: Value,
    pub step: Value,
}

pub struct PySlice {
    pub start: Value,
    pub stop: Value,
    pub step: Value,
}

/// A cell for a variable shared between a function and its closures.
pub struct CellObj {
    pub value: RefCell<Option<Value>>,
}

impl CellObj {
    pub fn new(value: Option<Value>) -> Rc<CellObj> {
        Rc::new(CellObj {
            value: RefCell::new(value),
        })
    }
}

pub struct Function {
    pub code: Rc<Code>,
    pub globals: Rc<Module>,
    pub name: RefCell<Rc<PyStr>>,
    pub qualname: RefCell<Rc<PyStr>>,
    pub defaults: RefCell<Vec<Value>>,
    pub kwdefaults: RefCell<Vec<(Rc<PyStr>, Value)>>,
    pub closure: Vec<Rc<CellObj>>,
    pub dict: RefCell<AttrMap>,
    pub doc: RefCell<Value>,
    pub annotations: RefCell<Value>,
    /// Set by `types.coroutine` on a generator function: the generators it
    /// makes are awaitable (CPython sets `CO_ITERABLE_COROUTINE` on a copy
    /// of the function's code; ours is shared, so the function carries it).
    pub iterable_coroutine: Cell<bool>,
}

pub struct BoundMethod {
    pub receiver: Value,
    pub function: Value,
}

/// A function implemented in Rust. Methods of built-in types take the
/// receiver as their first positional argument.
pub struct Builtin {
    pub name: Rc<PyStr>,
    /// The class that defines it, for methods (`list.append`).
    pub owner: Option<&'static str>,
    pub func: NativeFn,
    /// Bound receiver, for built-in methods reached through an instance
    /// outside the LOAD_METHOD fast path.
    pub receiver: Option<Value>,
}

pub type NativeFnPtr = fn(&mut Vm, &mut Args) -> PyResult<Value>;

/// A native function that captures state (`functools.partial`-like
/// helpers made by modules).
pub type NativeClosure = Rc<dyn Fn(&mut Vm, &mut Args) -> PyResult<Value>>;

#[derive(Clone)]
pub enum NativeFn {
    Plain(NativeFnPtr),
    Closure(NativeClosure),
}

/// Arguments of a call to a native function.
#[derive(Default)]
pub struct Args {
    pub positional: Vec<Value>,
    pub keywords: Vec<(Rc<PyStr>, Value)>,
}

impl Args {
    pub fn new(positional: Vec<Value>) -> Self {
        Args {
            positional,
            keywords: Vec::new(),
        }
    }

    /// Removes and returns a keyword argument.
    pub fn take_keyword(&mut self, name: &str) -> Option<Value> {
        let index = self.keywords.iter().position(|(k, _)| k.as_str() == name)?;
        Some(self.keywords.remove(index).1)
    }
}

/// The built-in type a class's instances are laid out as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Object,
    Exception,
    List,
    Dict,
    Tuple,
    Int,
    Float,
    Str,
    Set,
    /// Types whose instances are not `Instance`s (functions, modules, ...)
    /// and cannot be subclassed.
    Special,
}

pub struct Class {
    pub name: RefCell<Rc<PyStr>>,
    pub qualname: RefCell<Rc<PyStr>>,
    pub module: Rc<PyStr>,
    pub bases: RefCell<Vec<Rc<Class>>>,
    /// Method resolution order without the class itself (it comes first).
    pub mro_tail: RefCell<Vec<Rc<Class>>>,
    pub dict: ClassDict,
    pub layout: Layout,
    /// Built-in classes are immutable and print as `<class 'int'>`.
    pub builtin: bool,
    /// Sequential id, used for `repr` addresses and `hash`.
    pub id: u64,
    /// What the class's namespaces say about its hooks, as of a class
    /// generation (see [`Class::hooks`]).
    pub hooks: Cell<(u64, ClassHooks)>,
    /// How calling the class makes an instance, as of a class generation
    /// (kept by `Vm::creation_of`).
    pub creation: RefCell<Option<(u64, Creation)>>,
    /// How many attributes the last instance `__init__` made had: new
    /// instances get room for as many (CPython sizes instance values by
    /// the class's shared keys).
    pub instance_attributes: Cell<u8>,
}

/// What `cls(...)` finds along the class's MRO, remembered so that making
/// an instance does not look `__new__` and `__init__` up each time.
#[derive(Clone)]
pub struct Creation {
    /// `__new__` is `object.__new__`.
    pub object_new: bool,
    /// `__init__` as the MRO finds it.
    pub init: Option<Value>,
}

/// Facts about a class's special methods that hot paths ask for.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct ClassHooks {
    /// `__getattribute__` is `object`'s own: attribute reads can skip
    /// looking for an override.
    pub standard_getattribute: bool,
    /// `__setattr__` is `object`'s own.
    pub standard_setattr: bool,
    /// It or a base defines `__del__` (CPython's `tp_finalize` slot, which
    /// assignments update in subclasses too): instances get a finalizer.
    pub finalizer: bool,
    /// Every class of its MRO but `object` declares `__slots__` without
    /// `__dict__`: instances have no dict, only the names declared.
    pub slots_only: bool,
}

impl Class {
    /// The class's [`ClassHooks`], recomputed only when some class
    /// namespace changed since last asked.
    #[inline]
    pub fn hooks(self: &Rc<Self>) -> ClassHooks {
        let now = method_cache::generation();
        let (known_at, hooks) = self.hooks.get();
        if known_at == now {
            return hooks;
        }
        self.hooks_now(now)
    }

    /// [`Class::hooks`] looked up again (out of line: the hot callers
    /// only compare generations).
    #[inline(never)]
    fn hooks_now(self: &Rc<Self>, now: u64) -> ClassHooks {
        let builtin = |name: &str| matches!(self.lookup(name), Some(Value::Builtin(_)));
        let hooks = ClassHooks {
            standard_getattribute: builtin("__getattribute__"),
            standard_setattr: builtin("__setattr__"),
            finalizer: self.lookup("__del__").is_some(),
            slots_only: self.mro().iter().all(|class| {
                if class.builtin {
                    return class.name().as_str() == "object";
                }
                let slots = class.dict.borrow().get("__slots__").cloned();
                slots
                    .and_then(|slots| slot_names(&slots))
                    .is_some_and(|names| names.iter().all(|n| n.as_str() != "__dict__"))
            }),
        };
        self.hooks.set((now, hooks));
        hooks
    }

    /// Does a class of the MRO declare `name` in its `__slots__`?
    pub fn declares_slot(self: &Rc<Self>, name: &str) -> bool {
        self.mro().iter().any(|class| {
            let slots = class.dict.borrow().get("__slots__").cloned();
            slots
                .and_then(|slots| slot_names(&slots))
                .is_some_and(|names| names.iter().any(|n| n.as_str() == name))
        })
    }

    /// The class itself followed by its method resolution order.
    pub fn mro(self: &Rc<Self>) -> Vec<Rc<Class>> {
        let mut all = vec![self.clone()];
        all.extend(self.mro_tail.borrow().iter().cloned());
        all
    }

    /// Looks a name up along the MRO, without descriptors (CPython
    /// `_PyType_Lookup`, cached the same way: see `value::method_cache`).
    pub fn lookup(self: &Rc<Self>, name: &str) -> Option<Value> {
        let hash = string::str_hash(name);
        method_cache::cached_lookup(self, name, hash, None, || self.walk_mro(|d| d.get(name)))
    }

    /// [`Self::lookup`] for a name the caller holds as a `PyStr` (cheaper:
    /// its hash is cached and interned names compare by identity).
    #[inline]
    pub fn lookup_name(self: &Rc<Self>, name: &Rc<PyStr>) -> Option<Value> {
        method_cache::cached_lookup(self, name.as_str(), name.hash(), Some(name), || {
            self.walk_mro(|d| d.get_name(name))
        })
    }

    fn walk_mro(self: &Rc<Self>, find: impl Fn(&AttrMap) -> Option<&Value>) -> Option<Value> {
        if let Some(v) = find(&self.dict.borrow()) {
            return Some(v.clone());
        }
        for class in self.mro_tail.borrow().iter() {
            if let Some(v) = find(&class.dict.borrow()) {
                return Some(v.clone());
            }
        }
        None
    }

    pub fn is_subclass_of(self: &Rc<Self>, other: &Rc<Class>) -> bool {
        Rc::ptr_eq(self, other) || self.mro_tail.borrow().iter().any(|c| Rc::ptr_eq(c, other))
    }

    pub fn name(&self) -> Rc<PyStr> {
        self.name.borrow().clone()
    }
}

pub struct Instance {
    pub class: RefCell<Rc<Class>>,
    pub dict: RefCell<AttrMap>,
    /// The `dict` that `obj.__dict__` handed out, once it was asked for:
    /// from then on the attributes live in it, so changing it changes the
    /// object (see `vm::attributes`, `instance_attribute`).
    pub dict_object: RefCell<Option<Rc<PyDict>>>,
    pub payload: Payload,
    pub id: u64,
    /// For instances of classes defining `__del__`: the queue the object
    /// goes to when its last reference is dropped, so the VM calls
    /// `__del__` at the next instruction (see [`Finalizable`]). Taken when
    /// the object is queued: `__del__` runs once per object, as PEP 442
    /// has it, even if it resurrects the object.
    pub finalizer: Option<Finalizers>,
}

impl Drop for Instance {
    /// The last reference went: an object with a finalizer is not freed
    /// but moved, with its identity, into a new `Rc` in the VM's queue
    /// (this `Drop` has no `&mut Vm` to call `__del__` with). The VM
    /// calls `__del__` at the next instruction and drops it for good.
    fn drop(&mut self) {
        let Some(queue) = self.finalizer.take() else {
            // Attributes that own no other objects (numbers, strings: the
            // common case) can neither recurse nor queue finalizers: they
            // are freed here, without the trashcan's bookkeeping.
            if self.dict_object.get_mut().is_none()
                && self.dict.get_mut().iter().all(|(_, v)| v.owns_no_objects())
            {
                drop(std::mem::take(self.dict.get_mut()));
                return;
            }
            // Its attributes go through the trashcan (chains of objects).
            let mut contents = (self.dict.get_mut(), self.dict_object.get_mut());
            trashcan::dispose(
                &mut contents,
                |(dict, dict_object)| {
                    drop(std::mem::take(*dict));
                    drop(dict_object.take());
                },
                |(dict, dict_object)| {
                    let mut owned = std::mem::take(*dict).into_values();
                    owned.extend(dict_object.take().map(Value::Dict));
                    owned
                },
            );
            return;
        };
        let resurrected = Instance {
            class: RefCell::new(self.class.get_mut().clone()),
            dict: RefCell::new(std::mem::take(self.dict.get_mut())),
            dict_object: RefCell::new(self.dict_object.get_mut().take()),
            payload: std::mem::replace(&mut self.payload, Payload::None),
            id: self.id,
            finalizer: None,
        };
        if let Ok(mut pending) = queue.try_borrow_mut() {
            pending.push(Finalizable::Instance(Rc::new(resurrected)));
        };
    }
}

/// The built-in part of an instance whose class derives from a built-in
/// type.
pub enum Payload {
    None,
    Exception(ExceptionData),
    List(PyList),
    Dict(PyDict),
    /// Immutable built-in values (tuple, int, float, str subclasses) keep
    /// their value, set once by `__new__`.
    Value(RefCell<Value>),
    Set(SetObj),
}

pub struct ExceptionData {
    pub args: RefCell<Value>,
    pub traceback: RefCell<Vec<TraceEntry>>,
    pub cause: RefCell<Value>,
    pub context: RefCell<Value>,
    pub suppress_context: Cell<bool>,
    /// For a group made by splitting another (`except*`): the id of the
    /// group it came from (0 for none), so re-raised parts are recognised.
    pub split_from: Cell<u64>,
}

impl ExceptionData {
    pub fn new(args: Value) -> Self {
        ExceptionData {
            args: RefCell::new(args),
            traceback: RefCell::new(Vec::new()),
            cause: RefCell::new(Value::None),
            context: RefCell::new(Value::None),
            suppress_context: Cell::new(false),
            split_from: Cell::new(0),
        }
    }
}

/// One line of a traceback: where a frame was when the exception passed.
#[derive(Clone, Debug)]
pub struct TraceEntry {
    pub filename: Rc<str>,
    pub function: Rc<str>,
    pub line: u32,
    /// Byte range of the failing expression in the source, for carets.
    pub range: (u32, u32),
}

pub struct Module {
    pub name: Rc<PyStr>,
    pub dict: RefCell<AttrMap>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenKind {
    Generator,
    Coroutine,
    AsyncGenerator,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenState {
    Created,
    Suspended,
    Running,
    Finished,
}

/// A generator, coroutine or async generator: a frame that suspends.
pub struct Generator {
    pub kind: GenKind,
    /// `__name__` and `__qualname__`, which a program may assign.
    pub name: RefCell<Rc<PyStr>>,
    pub qualname: RefCell<Rc<PyStr>>,
    pub frame: RefCell<Option<Box<Frame>>>,
    pub state: Cell<GenState>,
    /// The iterator a `yield from` / `await` currently delegates to.
    pub delegate: RefCell<Option<Value>>,
    /// For async generators: an `athrow`/`aclose` is running.
    pub closing: Cell<bool>,
    /// A generator made by a `types.coroutine` function: `await` accepts it
    /// (CPython's `CO_ITERABLE_COROUTINE`).
    pub iterable_coroutine: Cell<bool>,
    /// Sequential id (trace and `repr` addresses).
    pub id: u64,
    /// The code it runs (`gi_code`), still known once the frame is gone.
    pub code: Rc<Code>,
    /// Where a generator dropped while suspended in `try`/`with` leaves its
    /// frame, so the VM closes it as CPython's finalizer does.
    pub finalizers: Option<Finalizers>,
}

/// Objects whose last reference went and whose finalization the VM
/// still owes, in the order they were dropped.
pub type Finalizers = Rc<RefCell<Vec<Finalizable>>>;

/// What the VM finalizes at its next instruction.
pub enum Finalizable {
    /// A generator dropped while suspended with cleanup to run (or a
    /// coroutine never awaited).
    Generator(DroppedGenerator),
    /// An instance of a class with `__del__`, kept alive for the call.
    Instance(Rc<Instance>),
}

/// A generator that was dropped while suspended with cleanup to run.
pub struct DroppedGenerator {
    pub kind: GenKind,
    pub name: Rc<PyStr>,
    pub qualname: Rc<PyStr>,
    pub frame: Box<Frame>,
    pub id: u64,
    /// A coroutine that never started: nothing to close, but CPython warns
    /// (`RuntimeWarning: coroutine '...' was never awaited`).
    pub never_awaited: bool,
}

impl Drop for Generator {
    /// CPython `_PyGen_Finalize`: a generator collected while suspended
    /// inside `try`/`with` is closed, so its `finally` runs at once.
    fn drop(&mut self) {
        let Some(queue) = self.finalizers.take() else {
            return;
        };
        // CPython _PyGen_Finalize: a coroutine collected before it ever
        // ran warns that it was never awaited.
        if self.kind == GenKind::Coroutine && self.state.get() == GenState::Created {
            if let Some(frame) = self.frame.get_mut().take() {
                if let Ok(mut pending) = queue.try_borrow_mut() {
                    pending.push(Finalizable::Generator(DroppedGenerator {
                        kind: self.kind,
                        name: self.name.get_mut().clone(),
                        qualname: self.qualname.get_mut().clone(),
                        frame,
                        id: self.id,
                        never_awaited: true,
                    }));
                }
            }
            return;
        }
        if self.state.get() != GenState::Suspended {
            return;
        }
        let Some(frame) = self.frame.get_mut().take() else {
            return;
        };
        let has_cleanup = frame
            .blocks
            .iter()
            .any(|b| matches!(b, crate::vm::frame::Block::Handler { .. }));
        if !has_cleanup {
            return;
        }
        let dropped = DroppedGenerator {
            kind: self.kind,
            name: self.name.get_mut().clone(),
            qualname: self.qualname.get_mut().clone(),
            frame,
            id: self.id,
            never_awaited: false,
        };
        if let Ok(mut pending) = queue.try_borrow_mut() {
            pending.push(Finalizable::Generator(dropped));
        };
    }
}

/// Iterators implemented natively.
pub struct NativeIter {
    pub state: RefCell<IterState>,
}

pub enum IterState {
    Seq {
        seq: Value,
        index: usize,
    },
    Range {
        next: i64,
        stop: i64,
        step: i64,
    },
    BigRange {
        next: BigInt,
        stop: BigInt,
        step: BigInt,
    },
    Str {
        s: Rc<PyStr>,
        byte: usize,
    },
    DictKeys {
        dict: Rc<PyDict>,
        index: usize,
        len: usize,
        kind: DictIterKind,
    },
    Set {
        set: Value,
        index: usize,
        len: usize,
    },
    Reversed {
        seq: Value,
        index: usize,
    },
    Enumerate {
        inner: Value,
        count: Value,
    },
    Zip {
        iters: Vec<Value>,
        strict: bool,
    },
    Map {
        func: Value,
        iters: Vec<Value>,
    },
    Filter {
        func: Value,
        inner: Value,
    },
    CallIter {
        func: Value,
        sentinel: Value,
    },
    /// A native iterator over values computed eagerly (itertools results).
    Items {
        items: Vec<Value>,
        index: usize,
    },
    /// An iterator object implemented in Rust by a module.
    Custom(Box<dyn CustomIter>),
    Exhausted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DictIterKind {
    Keys,
    Values,
    Items,
}

/// A module's own native iterator (itertools and friends).
pub trait CustomIter {
    fn type_name(&self) -> &'static str;
    fn next(&mut self, vm: &mut Vm) -> PyResult<Option<Value>>;
}

/// An object implemented natively by a module or a host: its class carries
/// its methods, `data` its state.
pub struct NativeObj {
    pub class: Rc<Class>,
    pub data: RefCell<Box<dyn std::any::Any>>,
    pub dict: RefCell<AttrMap>,
    pub id: u64,
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::new(PyStr::new(s)))
    }

    pub fn string(s: String) -> Value {
        Value::Str(Rc::new(PyStr::from_string(s)))
    }

    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(PyTuple { items }))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(items)))
    }

    pub fn bytes(data: Vec<u8>) -> Value {
        Value::Bytes(Rc::new(PyBytes { data }))
    }

    /// Normalises a big integer: values that fit in `i64` become `Int`.
    pub fn from_bigint(n: BigInt) -> Value {
        match n.to_i64() {
            Some(small) => Value::Int(small),
            None => Value::BigInt(Rc::new(n)),
        }
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// Identity (`is`).
    pub fn is(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (None, None) | (NotImplemented, NotImplemented) | (Ellipsis, Ellipsis) => true,
            (Bool(a), Bool(b)) => a == b,
            // Small ints are cached in CPython (-5..=256); larger equal ints
            // made separately are distinct objects there. We cannot tell
            // them apart, so equal ints are identical.
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            _ => match (self.object_address(), other.object_address()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }

    /// The address of the heap object behind the value, if any.
    pub fn object_address(&self) -> Option<usize> {
        use Value::*;
        Some(match self {
            BigInt(x) => Rc::as_ptr(x) as *const u8 as usize,
            Str(x) => Rc::as_ptr(x) as *const u8 as usize,
            Bytes(x) => Rc::as_ptr(x) as *const u8 as usize,
            List(x) => Rc::as_ptr(x) as *const u8 as usize,
            Tuple(x) => Rc::as_ptr(x) as *const u8 as usize,
            Dict(x) => Rc::as_ptr(x) as *const u8 as usize,
            Set(x) | FrozenSet(x) => Rc::as_ptr(x) as *const u8 as usize,
            Range(x) => Rc::as_ptr(x) as *const u8 as usize,
            Slice(x) => Rc::as_ptr(x) as *const u8 as usize,
            Function(x) => Rc::as_ptr(x) as *const u8 as usize,
            BoundMethod(x) => Rc::as_ptr(x) as *const u8 as usize,
            Builtin(x) => Rc::as_ptr(x) as *const u8 as usize,
            Class(x) => Rc::as_ptr(x) as *const u8 as usize,
            Instance(x) => Rc::as_ptr(x) as *const u8 as usize,
            Module(x) => Rc::as_ptr(x) as *const u8 as usize,
            Generator(x) => Rc::as_ptr(x) as *const u8 as usize,
            Iterator(x) => Rc::as_ptr(x) as *const u8 as usize,
            Native(x) => Rc::as_ptr(x) as *const u8 as usize,
            Code(x) => Rc::as_ptr(x) as *const u8 as usize,
            _ => return Option::None,
        })
    }

    /// The list behind a `list` or an instance of a `list` subclass.
    pub fn as_list(&self) -> Option<&PyList> {
        match self {
            Value::List(l) => Some(l),
            Value::Instance(i) => match &i.payload {
                Payload::List(l) => Some(l),
                _ => None,
            },
            _ => None,
        }
    }

    /// The dict behind a `dict` or an instance of a `dict` subclass.
    pub fn as_dict(&self) -> Option<&PyDict> {
        match self {
            Value::Dict(d) => Some(d),
            Value::Instance(i) => match &i.payload {
                Payload::Dict(d) => Some(d),
                _ => None,
            },
            _ => None,
        }
    }

    /// The set table behind a set, frozenset or a subclass instance.
    pub fn as_set(&self) -> Option<&SetObj> {
        match self {
            Value::Set(s) | Value::FrozenSet(s) => Some(s),
            Value::Instance(i) => match &i.payload {
                Payload::Set(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// Exception data of an exception instance.
    pub fn as_exception(&self) -> Option<&ExceptionData> {
        match self {
            Value::Instance(i) => match &i.payload {
                Payload::Exception(e) => Some(e),
                _ => None,
            },
            _ => None,
        }
    }

    /// The built-in value inside an instance of a subclass of an
    /// immutable built-in (`class Celsius(float)`), if `self` is one.
    pub fn builtin_payload(&self) -> Option<Value> {
        if let Value::Instance(i) = self {
            if let Payload::Value(v) = &i.payload {
                return Some(v.borrow().clone());
            }
        }
        None
    }

    /// For instances of subclasses of immutable built-ins (int, str, tuple,
    /// float): the built-in value inside; otherwise the value itself.
    pub fn unwrap_builtin(&self) -> Value {
        if let Value::Instance(i) = self {
            if let Payload::Value(v) = &i.payload {
                return v.borrow().clone();
            }
        }
        self.clone()
    }
}

/// Hands out sequential ids for objects whose identity shows (ids in the
/// trace, addresses in default reprs): deterministic across runs.
#[derive(Default)]
pub struct IdCounter {
    next: Cell<u64>,
}

impl IdCounter {
    /// A counter whose first id is `first`: for objects an embedder makes
    /// that must not shift the ids of the program's objects.
    pub fn starting_at(first: u64) -> IdCounter {
        IdCounter {
            next: Cell::new(first.saturating_sub(1)),
        }
    }

    pub fn next(&self) -> u64 {
        let id = self.next.get() + 1;
        self.next.set(id);
        id
    }
}

/// The names a `__slots__` value declares: one string, or strings in a
/// tuple, list or dict (CPython type_new accepts any iterable; these are
/// the ones programs write). None for anything else.
pub fn slot_names(slots: &Value) -> Option<Vec<Rc<PyStr>>> {
    let strings = |items: &[Value]| -> Option<Vec<Rc<PyStr>>> {
        items
            .iter()
            .map(|item| match item {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    };
    match slots {
        Value::Str(s) => Some(vec![s.clone()]),
        Value::Tuple(t) => strings(&t.items),
        Value::List(l) => strings(&l.borrow()),
        Value::Dict(d) => strings(&d.keys()),
        _ => None,
    }
}
