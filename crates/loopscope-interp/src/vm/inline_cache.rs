//! Per-instruction inline caches for `LoadAttr`, `StoreAttr`, `LoadMethod`
//! and `LoadGlobal`, after CPython 3.11's specializing adaptive
//! interpreter (Python/specialize.c: `LOAD_ATTR_INSTANCE_VALUE`,
//! `LOAD_ATTR_MODULE`, `STORE_ATTR_INSTANCE_VALUE`,
//! `LOAD_METHOD_WITH_VALUES`, `LOAD_GLOBAL_MODULE`/`LOAD_GLOBAL_BUILTIN`).
//!
//! Each such instruction of a code object has a [`Site`] of a few entries
//! (one per class, e.g. a `Future` and a `Task` method reading
//! `self._state`).
//! When no entry fits, the instruction takes the general path and records,
//! if the case is a simple one, the facts that made it simple (pushing out
//! the older entry); later runs check those facts and skip the general
//! path. A case that is not simple makes the site wait a while before it
//! tries again (CPython's adaptive backoff, simplified).
//!
//! Caches are invisible: a hit gives exactly what the general path would,
//! and runs no code the general path would have run. The facts are:
//! - *the class*, compared by identity (a `Weak` keeps its address from
//!   being reused while the entry lives), and *the class generation*
//!   (`value::method_cache`), which moves on at every change of any class
//!   namespace: while it holds, every MRO lookup gives the same answer, so
//!   `__getattribute__`/`__setattr__` are still `object`'s and the name is
//!   still no data descriptor (a property, a class with `__set__`);
//! - for a plain value (no descriptor) found on the class of an instance
//!   that does not shadow it, nothing more: the value is looked up again
//!   on a hit (through the class lookup cache), never held;
//! - for attributes stored on instances, *the position* in the instance's
//!   `AttrMap`, checked on every hit by comparing the key found there
//!   (instances have no shared keys as in CPython; the check is one
//!   pointer comparison for interned names), and that the instance never
//!   handed out a `__dict__` (whose dict then holds the attributes);
//! - for module attributes and globals, *the layout version* of the
//!   namespace (`AttrMap::layout`, CPython's dict keys version), which
//!   moves on whenever a key is added or removed: an equal version means
//!   the same keys at the same positions, so the value is read at the
//!   remembered position and a name found in builtins is still not
//!   shadowed by a global.
//!
//! Entries never keep an object alive (they hold `Weak`s and numbers), so
//! caching cannot delay a `__del__`.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use super::exec::discard;
use super::Vm;
use crate::bytecode::{Code, Op};
use crate::value::method_cache;
use crate::value::{Builtin, Class, Function, Instance, Payload, PyResult, PyStr, Value};

/// No cache for this instruction.
const NONE: u32 = u32::MAX;

/// Misses a site that could not be specialized waits before trying again.
const COOLDOWN: u8 = 32;

/// Entries per site (a `Future`, a `Task` and a `_GatheringFuture`
/// reading `self._state` through the same instruction).
const WAYS: usize = 4;

/// The caches of one code object: one site per cacheable instruction.
#[derive(Default)]
pub struct InlineCaches {
    /// For each instruction, the index of its site, or [`NONE`].
    slot_of: Box<[u32]>,
    sites: Box<[Site]>,
}

/// The cache of one instruction.
#[derive(Default)]
pub struct Site {
    /// The most recent entry first.
    ways: [RefCell<Entry>; WAYS],
    /// Misses left before specializing is tried again.
    cooling: Cell<u8>,
}

impl InlineCaches {
    /// Empty caches for the instructions of a code object.
    pub fn for_ops(ops: &[Op]) -> InlineCaches {
        let mut count = 0u32;
        let slot_of = ops
            .iter()
            .map(|op| match op {
                Op::LoadAttr(_)
                | Op::StoreAttr(_)
                | Op::LoadMethod(_)
                | Op::LoadGlobal(_)
                | Op::StoreGlobal(_)
                | Op::LoadName(_)
                | Op::StoreName(_) => {
                    count += 1;
                    count - 1
                }
                _ => NONE,
            })
            .collect();
        let sites = (0..count).map(|_| Site::default()).collect();
        InlineCaches { slot_of, sites }
    }

    #[inline]
    fn site(&self, ip: usize) -> Option<&Site> {
        let slot = *self.slot_of.get(ip)?;
        self.sites.get(slot as usize)
    }

    /// Records what a miss found: a new entry first, or (when the case
    /// was not a simple one) a cooldown.
    fn record(&self, ip: usize, entry: Option<Entry>) {
        let Some(site) = self.site(ip) else {
            return;
        };
        let Some(entry) = entry else {
            site.cooling.set(COOLDOWN);
            return;
        };
        // Each entry moves one way down; the last one is forgotten.
        let mut carried = entry;
        for way in &site.ways {
            match way.try_borrow_mut() {
                Ok(mut current) => carried = std::mem::replace(&mut *current, carried),
                Err(_) => return,
            }
        }
        drop(carried);
    }

    /// Whether a miss at this instruction should try to specialize: not
    /// while cooling down (which counts down instead).
    fn should_specialize(&self, ip: usize) -> bool {
        let Some(site) = self.site(ip) else {
            return false;
        };
        match site.cooling.get() {
            0 => true,
            n => {
                site.cooling.set(n - 1);
                false
            }
        }
    }
}

/// What one instruction remembers about one case.
#[derive(Default)]
pub enum Entry {
    #[default]
    Empty,
    /// `LoadAttr`/`StoreAttr`: the attribute is in the instance's own
    /// attribute map, at `position` the last time.
    InstanceValue {
        class: Weak<Class>,
        generation: u64,
        position: u32,
    },
    /// `LoadAttr`: a plain value (no descriptor) found on the class, which
    /// the instance does not shadow (CPython 3.12's `LOAD_ATTR_CLASS`
    /// idea for instances).
    ClassValue { class: Weak<Class>, generation: u64 },
    /// `LoadAttr`: a Python function found on the class, which the
    /// instance does not shadow, bound to it.
    BoundMethod {
        class: Weak<Class>,
        generation: u64,
        function: Weak<Function>,
    },
    /// `LoadAttr`/`LoadMethod` on a class object: a function or plain
    /// value found along its MRO (`type_getattro` gives either as it is),
    /// looked up again on a hit.
    ClassAttribute { class: Weak<Class>, generation: u64 },
    /// `LoadAttr`/`LoadMethod`: a module's attribute, at `position` of a
    /// namespace of this layout.
    ModuleValue {
        generation: u64,
        layout: u64,
        position: u32,
    },
    /// `LoadMethod`: a Python function found on the class, called with the
    /// object (when the object does not shadow it).
    InstanceMethod {
        class: Weak<Class>,
        generation: u64,
        function: Weak<Function>,
    },
    /// `LoadMethod`: a built-in method found on the class of the object.
    BuiltinMethod {
        class: Weak<Class>,
        generation: u64,
        method: Weak<Builtin>,
    },
    /// `LoadGlobal`: in the globals, at `position` of this layout.
    Global { layout: u64, position: u32 },
    /// `LoadGlobal`: not in the globals (of this layout), in the builtins
    /// at `position` of that layout.
    Builtin {
        globals: u64,
        builtins: u64,
        position: u32,
    },
}

#[cfg(test)]
thread_local! {
    /// Hits so far, for tests that check the caches are used.
    static HITS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts a hit (in tests only).
#[inline(always)]
fn note_hit() {
    #[cfg(test)]
    HITS.with(|hits| hits.set(hits.get() + 1));
}

#[inline]
fn same_class(cached: &Weak<Class>, class: &Rc<Class>) -> bool {
    std::ptr::eq(cached.as_ptr(), Rc::as_ptr(class))
}

/// The attribute an instance holds itself under `name`, at the position a
/// cache remembered: only when its attributes are not in a `__dict__`.
#[inline]
fn own_value_at(instance: &Instance, position: u32, name: &PyStr) -> Option<Value> {
    if instance.dict_object.borrow().is_some() {
        return None;
    }
    instance
        .dict
        .borrow()
        .value_at_if_named(position as usize, name)
        .cloned()
}

/// Whether the instance holds no attribute `name` itself (so what its
/// class has under that name is what `instance.name` finds).
#[inline]
fn shadows_nothing(instance: &Instance, name: &PyStr) -> bool {
    instance.dict_object.borrow().is_none()
        && instance.dict.borrow().position_of_name(name).is_none()
}

/// A value found on a class that `descriptor_get` gives back as it is
/// (no function to bind, no `__get__` to call).
fn is_plain_class_value(value: &Value) -> bool {
    !matches!(
        value,
        Value::Function(_) | Value::Builtin(_) | Value::Native(_) | Value::Instance(_)
    )
}

/// A module's attribute at the remembered position of its layout.
#[inline]
fn module_value(module: &crate::value::Module, layout: u64, position: u32) -> Option<Value> {
    let dict = module.dict.borrow();
    if dict.layout() == layout {
        dict.value_at(position as usize).cloned()
    } else {
        None
    }
}

/// What a `LoadAttr` entry gives for `obj`, if it fits.
#[inline]
fn load_attr_hit(entry: &Entry, obj: &Value, name: &Rc<PyStr>) -> Option<Value> {
    match (entry, obj) {
        (
            Entry::BoundMethod {
                class,
                generation,
                function,
            },
            Value::Instance(instance),
        ) if *generation == method_cache::generation()
            && same_class(class, &instance.class.borrow())
            && shadows_nothing(instance, name) =>
        {
            let function = function.upgrade()?;
            Some(Value::BoundMethod(Rc::new(crate::value::BoundMethod {
                receiver: obj.clone(),
                function: Value::Function(function),
            })))
        }
        (Entry::ClassAttribute { .. }, Value::Class(_)) => class_attribute_hit(entry, obj, name),
        (
            Entry::InstanceValue {
                class,
                generation,
                position,
            },
            Value::Instance(instance),
        ) if *generation == method_cache::generation()
            && same_class(class, &instance.class.borrow()) =>
        {
            own_value_at(instance, *position, name)
        }
        (Entry::ClassValue { class, generation }, Value::Instance(instance))
            if *generation == method_cache::generation() =>
        {
            let class_now = instance.class.borrow().clone();
            if same_class(class, &class_now) && shadows_nothing(instance, name) {
                class_now.lookup_name(name)
            } else {
                None
            }
        }
        (
            Entry::ModuleValue {
                generation,
                layout,
                position,
            },
            Value::Module(module),
        ) if *generation == method_cache::generation() => module_value(module, *layout, *position),
        _ => None,
    }
}

/// What a `ClassAttribute` entry gives for a class object, if it fits.
#[inline]
fn class_attribute_hit(entry: &Entry, obj: &Value, name: &Rc<PyStr>) -> Option<Value> {
    match (entry, obj) {
        (Entry::ClassAttribute { class, generation }, Value::Class(target))
            if *generation == method_cache::generation() && same_class(class, target) =>
        {
            target.lookup_name(name)
        }
        _ => None,
    }
}

impl Vm {
    /// The class whose method `obj.name` would be, when the object holds
    /// no attribute `name` itself and its attributes follow
    /// `PyObject_GenericGetAttr` (not a `super` object).
    fn method_receiver_class(&self, obj: &Value, name: &PyStr) -> Option<Rc<Class>> {
        match obj {
            Value::Instance(instance) => {
                shadows_nothing(instance, name).then(|| instance.class.borrow().clone())
            }
            Value::Native(native) => {
                let is_super = native
                    .data
                    .borrow()
                    .downcast_ref::<crate::builtins::classes::SuperData>()
                    .is_some();
                let shadowed = native.dict.borrow().position_of_name(name).is_some();
                (!is_super && !shadowed).then(|| native.class.clone())
            }
            Value::Generator(_) => Some(self.class_of(obj)),
            other => self.plain_builtin_class(other).cloned(),
        }
    }

    /// Whether `obj` is of the remembered class and holds no attribute
    /// `name` itself (see [`Self::method_receiver_class`]).
    #[inline]
    fn receiver_fits(&self, class: &Weak<Class>, obj: &Value, name: &PyStr) -> bool {
        match obj {
            Value::Instance(instance) => {
                same_class(class, &instance.class.borrow()) && shadows_nothing(instance, name)
            }
            Value::Native(native) => {
                same_class(class, &native.class)
                    && native.dict.borrow().position_of_name(name).is_none()
            }
            Value::Generator(_) => same_class(class, &self.class_of(obj)),
            other => self
                .plain_builtin_class(other)
                .is_some_and(|c| same_class(class, c)),
        }
    }

    /// The facts for `cls.name` on a class object: a function or a plain
    /// value found along its MRO, and not one of the attributes
    /// `type_getattro` computes (all of them dunders).
    fn specialize_class_attribute(&self, obj: &Value, name: &Rc<PyStr>) -> Option<Entry> {
        let Value::Class(class) = obj else {
            return None;
        };
        if name.as_str().starts_with("__") {
            return None;
        }
        let generation = method_cache::generation();
        match class.lookup_name(name)? {
            Value::Function(_) => {}
            found if is_plain_class_value(&found) => {}
            _ => return None,
        }
        Some(Entry::ClassAttribute {
            class: Rc::downgrade(class),
            generation,
        })
    }

    /// The class of a built-in value whose class is one of the fields of
    /// [`super::BuiltinTypes`] and that holds no attributes of its own.
    #[inline]
    fn plain_builtin_class(&self, value: &Value) -> Option<&Rc<Class>> {
        let types = &self.types;
        Some(match value {
            Value::Int(_) | Value::BigInt(_) => &types.int,
            Value::Float(_) => &types.float,
            Value::Str(_) => &types.str_,
            Value::Bytes(_) => &types.bytes,
            Value::List(_) => &types.list,
            Value::Tuple(_) => &types.tuple,
            Value::Dict(_) => &types.dict,
            Value::Set(_) => &types.set,
            Value::FrozenSet(_) => &types.frozenset,
            _ => return None,
        })
    }

    /// `LOAD_ATTR` through the instruction's cache.
    pub(super) fn load_attr_cached(
        &mut self,
        code: &Code,
        ip: usize,
        obj: &Value,
        name: &Rc<PyStr>,
    ) -> PyResult<Value> {
        if let Some(site) = code.caches.site(ip) {
            for way in &site.ways {
                if let Some(value) = load_attr_hit(&way.borrow(), obj, name) {
                    note_hit();
                    return Ok(value);
                }
            }
        }
        if code.caches.should_specialize(ip) {
            let entry = self.specialize_load_attr(obj, name);
            code.caches.record(ip, entry);
        }
        self.get_attr(obj, name)
    }

    /// The facts that let a later `obj.name` skip the general path, if
    /// `PyObject_GenericGetAttr` would find it in the object's own
    /// namespace (no data descriptor on the class wins over it), or find a
    /// plain value on the class that the instance does not shadow.
    fn specialize_load_attr(&mut self, obj: &Value, name: &Rc<PyStr>) -> Option<Entry> {
        let generation = method_cache::generation();
        match obj {
            Value::Instance(instance) => {
                let class = instance.class.borrow().clone();
                if !self.plain_attribute_read(&class, name) {
                    return None;
                }
                if instance.dict_object.borrow().is_some() {
                    return None;
                }
                let position = instance.dict.borrow().position_of_name(name);
                match position {
                    Some(position) => Some(Entry::InstanceValue {
                        class: Rc::downgrade(&class),
                        generation,
                        position: u32::try_from(position).ok()?,
                    }),
                    None => match class.lookup_name(name) {
                        Some(found) if is_plain_class_value(&found) => Some(Entry::ClassValue {
                            class: Rc::downgrade(&class),
                            generation,
                        }),
                        Some(Value::Function(function)) => Some(Entry::BoundMethod {
                            class: Rc::downgrade(&class),
                            generation,
                            function: Rc::downgrade(&function),
                        }),
                        _ => None,
                    },
                }
            }
            Value::Module(module) => {
                let class = self.class_of(obj);
                if !self.plain_attribute_read(&class, name) {
                    return None;
                }
                let dict = module.dict.borrow();
                let position = dict.position_of_name(name)?;
                Some(Entry::ModuleValue {
                    generation,
                    layout: dict.layout(),
                    position: u32::try_from(position).ok()?,
                })
            }
            Value::Class(_) => self.specialize_class_attribute(obj, name),
            _ => None,
        }
    }

    /// Reading `name` from an object of `class` is `object.__getattribute__`
    /// and no data descriptor of the class takes it first.
    fn plain_attribute_read(&self, class: &Rc<Class>, name: &Rc<PyStr>) -> bool {
        if !class.hooks().standard_getattribute {
            return false;
        }
        match class.lookup_name(name) {
            Some(descriptor) => !self.is_data_descriptor(&descriptor),
            None => true,
        }
    }

    /// `STORE_ATTR` through the instruction's cache.
    pub(super) fn store_attr_cached(
        &mut self,
        code: &Code,
        ip: usize,
        obj: &Value,
        name: &Rc<PyStr>,
        value: Value,
    ) -> PyResult<()> {
        if let (Some(site), Value::Instance(instance)) = (code.caches.site(ip), obj) {
            let position = site.ways.iter().find_map(|way| match &*way.borrow() {
                Entry::InstanceValue {
                    class,
                    generation,
                    position,
                } if *generation == method_cache::generation()
                    && same_class(class, &instance.class.borrow()) =>
                {
                    Some(*position)
                }
                _ => None,
            });
            if let Some(position) = position {
                if instance.dict_object.borrow().is_none()
                    && !matches!(instance.payload, Payload::Exception(_))
                {
                    let replaced = instance.dict.borrow_mut().replace_at_if_named(
                        position as usize,
                        name,
                        value,
                    );
                    match replaced {
                        Ok(old) => {
                            note_hit();
                            drop(old);
                        }
                        Err(back) => {
                            // The key is elsewhere or new (a fresh
                            // instance in `__init__`): what
                            // `object.__setattr__` does after its checks.
                            instance.dict.borrow_mut().insert(name.clone(), back);
                        }
                    }
                    return Ok(());
                }
            }
        }
        let specialize = code.caches.should_specialize(ip);
        self.set_attr(obj, name, value)?;
        if specialize {
            let entry = self.specialize_store_attr(obj, name);
            code.caches.record(ip, entry);
        }
        Ok(())
    }

    /// The facts that let a later `obj.name = v` store straight into the
    /// instance's attribute map: `object.__setattr__`, no data descriptor,
    /// not an exception (whose special attributes are slots) and not
    /// `__dict__` itself.
    fn specialize_store_attr(&mut self, obj: &Value, name: &Rc<PyStr>) -> Option<Entry> {
        let Value::Instance(instance) = obj else {
            return None;
        };
        let generation = method_cache::generation();
        let class = instance.class.borrow().clone();
        if !class.hooks().standard_setattr
            || matches!(instance.payload, Payload::Exception(_))
            || name.as_str() == "__dict__"
            || instance.dict_object.borrow().is_some()
        {
            return None;
        }
        if let Some(descriptor) = class.lookup_name(name) {
            if self.is_data_descriptor(&descriptor) {
                return None;
            }
        }
        let position = instance.dict.borrow().position_of_name(name)?;
        Some(Entry::InstanceValue {
            class: Rc::downgrade(&class),
            generation,
            position: u32::try_from(position).ok()?,
        })
    }

    /// What a `LoadMethod` entry pushes for `obj`, if it fits: the method
    /// and whether it takes `obj` as its receiver (else `None` follows).
    #[inline]
    fn load_method_hit(
        &self,
        entry: &Entry,
        obj: &Value,
        name: &Rc<PyStr>,
    ) -> Option<(Value, bool)> {
        match entry {
            Entry::InstanceMethod {
                class,
                generation,
                function,
            } if *generation == method_cache::generation() => {
                if self.receiver_fits(class, obj, name) {
                    function.upgrade().map(|f| (Value::Function(f), true))
                } else {
                    None
                }
            }
            Entry::BuiltinMethod {
                class,
                generation,
                method,
            } if *generation == method_cache::generation() => {
                if self.receiver_fits(class, obj, name) {
                    method.upgrade().map(|m| (Value::Builtin(m), true))
                } else {
                    None
                }
            }
            // A module's function (`math.floor(x)`): pushed as it is,
            // with `None` for "no receiver" (CPython LOAD_METHOD_MODULE).
            Entry::ModuleValue {
                generation,
                layout,
                position,
            } if *generation == method_cache::generation() => match obj {
                Value::Module(module) => {
                    module_value(module, *layout, *position).map(|v| (v, false))
                }
                _ => None,
            },
            Entry::ClassAttribute { .. } => {
                let found = class_attribute_hit(entry, obj, name)?;
                Some((found, false))
            }
            _ => None,
        }
    }

    /// `LOAD_METHOD` through the instruction's cache: pushes what the
    /// general path pushes (the function and its receiver, or the bound
    /// value and `None`).
    pub(super) fn load_method_cached(
        &mut self,
        code: &Code,
        ip: usize,
        obj: Value,
        name: &Rc<PyStr>,
        stack: &mut Vec<Value>,
    ) -> PyResult<()> {
        if let Some(site) = code.caches.site(ip) {
            for way in &site.ways {
                let hit = self.load_method_hit(&way.borrow(), &obj, name);
                if let Some((method, with_receiver)) = hit {
                    note_hit();
                    stack.push(method);
                    stack.push(if with_receiver { obj } else { Value::None });
                    return Ok(());
                }
            }
        }
        if code.caches.should_specialize(ip) {
            let entry = match &obj {
                Value::Module(_) => self.specialize_load_attr(&obj, name),
                Value::Class(_) => self.specialize_class_attribute(&obj, name),
                _ => self.specialize_load_method(&obj, name),
            };
            let found = match &entry {
                Some(Entry::InstanceMethod { function, .. }) => {
                    function.upgrade().map(Value::Function)
                }
                Some(Entry::BuiltinMethod { method, .. }) => method.upgrade().map(Value::Builtin),
                _ => None,
            };
            code.caches.record(ip, entry);
            if let Some(method) = found {
                stack.push(method);
                stack.push(obj);
                return Ok(());
            }
        } else if let Value::Instance(instance) = &obj {
            if let Some(function) = self.unbound_method(instance, name) {
                stack.push(function);
                stack.push(obj);
                return Ok(());
            }
        }
        let v = self.get_attr(&obj, name)?;
        stack.push(v);
        stack.push(Value::None);
        Ok(())
    }

    /// CPython LOAD_METHOD's condition: the class keeps `object`'s
    /// `__getattribute__`, finds a method (a Python function, or a built-in
    /// method of a built-in class) under `name`, and the object holds no
    /// attribute of that name itself. Such a method is called with the
    /// object as its first argument instead of being bound.
    fn specialize_load_method(&mut self, obj: &Value, name: &Rc<PyStr>) -> Option<Entry> {
        let generation = method_cache::generation();
        let class = self.method_receiver_class(obj, name)?;
        if !class.hooks().standard_getattribute {
            return None;
        }
        match class.lookup_name(name)? {
            Value::Function(function) => Some(Entry::InstanceMethod {
                class: Rc::downgrade(&class),
                generation,
                function: Rc::downgrade(&function),
            }),
            // A method descriptor of a built-in class (what
            // `descriptor_get` binds); a plain built-in function stored
            // on a class does not bind.
            Value::Builtin(method) if method.receiver.is_none() && method.owner.is_some() => {
                Some(Entry::BuiltinMethod {
                    class: Rc::downgrade(&class),
                    generation,
                    method: Rc::downgrade(&method),
                })
            }
            _ => None,
        }
    }

    /// `LOAD_GLOBAL` through the instruction's cache (one entry: the
    /// globals of a code object are nearly always the same module).
    #[inline(never)]
    pub(super) fn load_global_cached(
        &mut self,
        code: &Code,
        ip: usize,
        globals: &crate::value::Module,
        name: &Rc<PyStr>,
    ) -> PyResult<Value> {
        // A small function for the hit (few registers to save); the miss
        // takes the general lookup out of line.
        if let Some(site) = code.caches.site(ip) {
            let hit = match &*site.ways[0].borrow() {
                Entry::Global { layout, position } => module_value(globals, *layout, *position),
                Entry::Builtin {
                    globals: globals_layout,
                    builtins,
                    position,
                } if globals.dict.borrow().layout() == *globals_layout => {
                    module_value(&self.builtins, *builtins, *position)
                }
                _ => None,
            };
            if let Some(value) = hit {
                note_hit();
                return Ok(value);
            }
        }
        self.load_global_missed(code, ip, globals, name)
    }

    /// `LOAD_GLOBAL` when the cache did not answer: the lookup in the
    /// globals, then builtins, remembered for the next time.
    #[inline(never)]
    fn load_global_missed(
        &mut self,
        code: &Code,
        ip: usize,
        globals: &crate::value::Module,
        name: &Rc<PyStr>,
    ) -> PyResult<Value> {
        let site = code.caches.site(ip);
        let (found, entry) = {
            let dict = globals.dict.borrow();
            match dict.position_of_name(name) {
                Some(position) => (
                    dict.value_at(position).cloned(),
                    u32::try_from(position).ok().map(|position| Entry::Global {
                        layout: dict.layout(),
                        position,
                    }),
                ),
                None => {
                    let builtins = self.builtins.dict.borrow();
                    match builtins.position_of_name(name) {
                        Some(position) => (
                            builtins.value_at(position).cloned(),
                            u32::try_from(position).ok().map(|position| Entry::Builtin {
                                globals: dict.layout(),
                                builtins: builtins.layout(),
                                position,
                            }),
                        ),
                        None => (None, None),
                    }
                }
            }
        };
        match found {
            Some(value) => {
                if let (Some(site), Some(entry)) = (site, entry) {
                    if let Ok(mut current) = site.ways[0].try_borrow_mut() {
                        *current = entry;
                    }
                }
                Ok(value)
            }
            None => Err(self.name_error(name.as_str())),
        }
    }

    /// `STORE_GLOBAL` (and `STORE_NAME` in a module body, whose namespace
    /// is its globals) through the instruction's cache: while the module's
    /// keys keep their layout, the value goes straight to its remembered
    /// position. The old value is dropped after the module is released:
    /// dropping it may run a `__del__` that reads the module.
    pub(super) fn store_global_cached(
        &mut self,
        code: &Code,
        ip: usize,
        globals: &crate::value::Module,
        name: &Rc<PyStr>,
        value: Value,
    ) {
        let site = code.caches.site(ip);
        let cached = site.and_then(|site| match &*site.ways[0].borrow() {
            Entry::Global { layout, position } => Some((*layout, *position)),
            _ => None,
        });
        let value = match cached {
            Some((layout, position)) => {
                let mut dict = globals.dict.borrow_mut();
                if dict.layout() == layout {
                    match dict.replace_at_if_named(position as usize, name, value) {
                        Ok(old) => {
                            drop(dict);
                            note_hit();
                            discard(old);
                            return;
                        }
                        Err(value) => value,
                    }
                } else {
                    value
                }
            }
            None => value,
        };
        let (old, entry) = {
            let mut dict = globals.dict.borrow_mut();
            let old = dict.replace(name, value.clone());
            if old.is_none() {
                dict.insert(name.clone(), value);
            }
            let entry = dict
                .position_of_name(name)
                .and_then(|position| u32::try_from(position).ok())
                .map(|position| Entry::Global {
                    layout: dict.layout(),
                    position,
                });
            (old, entry)
        };
        if let (Some(site), Some(entry)) = (site, entry) {
            if let Ok(mut current) = site.ways[0].try_borrow_mut() {
                *current = entry;
            }
        }
        if let Some(old) = old {
            discard(old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HITS;
    use crate::verdict::{run_program, RunOptions};

    #[test]
    fn a_loop_hits_every_kind_of_cache() {
        let source = "
import math
class P:
    def __init__(self, x):
        self.x = x
    def get(self):
        return self.x
def work():
    total = 0
    items = []
    for i in range(100):
        p = P(i)
        p.x = p.x + 1
        items.append(p.get())
        total += abs(-p.x) + math.floor(0.5)
    return total, len(items)
print(work())
";
        let before = HITS.with(|hits| hits.get());
        assert_eq!(run(source), "(5050, 100)\n");
        let hits = HITS.with(|hits| hits.get()) - before;
        // Per iteration: globals P, abs, math; attributes p.x (3 reads, 2
        // stores), math.floor; methods append, get.
        assert!(hits > 900, "only {hits} cache hits");
    }

    /// Runs a program; its stdout, or its error line.
    fn run(source: &str) -> String {
        let verdict = run_program(source, &RunOptions::default());
        match verdict.error {
            Some(error) => format!("{}error: {error}", verdict.stdout),
            None => verdict.stdout,
        }
    }

    #[test]
    fn class_attribute_assigned_after_first_use() {
        let source = "
class P:
    def __init__(self):
        self.x = 1
def get(o):
    return o.x
p = P()
print(get(p), get(p))
P.x = 2
print(get(p), get(P.__new__(P)))
";
        assert_eq!(run(source), "1 1\n1 2\n");
    }

    #[test]
    fn class_values_and_two_classes_at_one_site() {
        let source = "
class Future:
    _state = 'PENDING'
    def done(self):
        return self._state != 'PENDING'
class Task(Future):
    def __init__(self):
        self._coro = None
f, t = Future(), Task()
print([x.done() for x in (f, t, f, t)])
t._state = 'FINISHED'
print([x.done() for x in (f, t, f, t)])
Future._state = 'FINISHED'
print([x.done() for x in (f, t)])
del t._state
Future._state = property(lambda self: 'PENDING')
print([x.done() for x in (f, t)])
";
        let before = HITS.with(|hits| hits.get());
        assert_eq!(
            run(source),
            "[False, False, False, False]\n[False, True, False, True]\n[True, True]\n[False, False]\n"
        );
        assert!(HITS.with(|hits| hits.get()) - before >= 4);
    }

    #[test]
    fn property_added_later_wins_over_the_cached_instance_value() {
        let source = "
class P:
    pass
def get(o):
    return o.x
def put(o, v):
    o.x = v
p = P()
put(p, 1)
put(p, 2)
print(get(p), get(p))
P.x = property(lambda self: 'prop', lambda self, v: print('set', v))
print(get(p))
put(p, 3)
print(p.__dict__)
";
        assert_eq!(run(source), "2 2\nprop\nset 3\n{'x': 2}\n");
    }

    #[test]
    fn instance_attribute_shadowing_a_method() {
        let source = "
class P:
    def m(self):
        return 'method'
def call(o):
    return o.m()
p = P()
print(call(p), call(p))
p.m = lambda: 'own'
print(call(p))
del p.m
print(call(p))
P.m = lambda self: 'new method'
print(call(p))
";
        assert_eq!(run(source), "method method\nown\nmethod\nnew method\n");
    }

    #[test]
    fn deleted_attribute_is_missing_again() {
        let source = "
class P:
    pass
def get(o):
    return o.x
p = P()
p.x = 1
print(get(p), get(p))
del p.x
try:
    get(p)
except AttributeError as e:
    print(e)
p.y = 0
p.x = 5
print(get(p))
";
        assert_eq!(run(source), "1 1\n'P' object has no attribute 'x'\n5\n");
    }

    #[test]
    fn getattribute_and_setattr_defined_later() {
        let source = "
class P:
    pass
def get(o):
    return o.x
def put(o, v):
    o.x = v
p = P()
put(p, 1)
put(p, 2)
print(get(p), get(p))
P.__getattribute__ = lambda self, name: 'ga ' + name
P.__setattr__ = lambda self, name, v: print('sa', name, v)
print(get(p))
put(p, 3)
del P.__getattribute__
print(get(p))
";
        assert_eq!(run(source), "2 2\nga x\nsa x 3\n2\n");
    }

    #[test]
    fn global_rebinding_and_builtins_shadowed_later() {
        let source = "
def f():
    return g, len('ab')
g = 1
print(f(), f())
g = 2
print(f())
len = lambda s: 'mine'
print(f())
del len
print(f())
del g
try:
    f()
except NameError as e:
    print(e)
";
        assert_eq!(
            run(source),
            "(1, 2) (1, 2)\n(2, 2)\n(2, 'mine')\n(2, 2)\nname 'g' is not defined\n"
        );
    }

    #[test]
    fn module_attribute_changes() {
        let source = "
import math
def f():
    return math.pi
print(f() == f())
math.pi = 3
print(f())
del math.pi
try:
    f()
except AttributeError as e:
    print(e)
";
        assert_eq!(
            run(source),
            "True\n3\nmodule 'math' has no attribute 'pi'\n"
        );
    }

    #[test]
    fn builtin_methods_of_values_and_subclass_instances() {
        let source = "
def add(t, v):
    t.append(v)
    return t
class L(list):
    pass
l = L()
print(add([], 1), add([2], 3), add(l, 4))
l.append = lambda v: print('own', v)
add(l, 5)
try:
    add((), 1)
except AttributeError as e:
    print(e)
print(l)
";
        assert_eq!(
            run(source),
            "[1] [2, 3] [4]\nown 5\n'tuple' object has no attribute 'append'\n[4]\n"
        );
    }
}
