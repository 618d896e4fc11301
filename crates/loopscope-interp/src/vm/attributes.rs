//! Attribute access: `obj.name`, `obj.name = v`, `del obj.name`.
//!
//! Follows CPython's `PyObject_GenericGetAttr` (Objects/object.c): a data
//! descriptor found on the type wins over the instance dict, which wins
//! over other class attributes; functions found on the type bind to the
//! instance; `__getattr__` is the last resort. Class attribute lookup
//! follows `type_getattro` (descriptors bind to `None` and the class).

use std::rc::Rc;

use super::{ExcType, Vm};
use crate::value::{Class, GenKind, GenState, Instance, PyDict, PyResult, PyStr, Unwind, Value};

/// The state of a `property` object.
pub struct PropertyData {
    pub fget: Value,
    pub fset: Value,
    pub fdel: Value,
    pub doc: Value,
}

/// An attribute stored on an instance itself: in the dict `__dict__`
/// handed out, if it was, else in the attribute map.
pub fn instance_attribute(instance: &Instance, name: &str) -> Option<Value> {
    if let Some(dict) = instance.dict_object.borrow().as_ref() {
        if let Some(value) = dict.get_str(name) {
            return Some(value);
        }
    }
    instance.dict.borrow().get(name).cloned()
}

/// [`instance_attribute`] for a name held as a `PyStr` (the fast path).
#[inline]
fn instance_attribute_named(instance: &Instance, name: &PyStr) -> Option<Value> {
    if let Some(dict) = instance.dict_object.borrow().as_ref() {
        if let Some(value) = dict.get_str(name.as_str()) {
            return Some(value);
        }
    }
    instance.dict.borrow().get_name(name).cloned()
}

/// The attributes stored on an instance, in order (string keys only: a
/// key put in `__dict__` by hand that is not a string names nothing).
pub fn instance_attributes(instance: &Instance) -> Vec<(Rc<PyStr>, Value)> {
    let mut all: Vec<(Rc<PyStr>, Value)> = Vec::new();
    if let Some(dict) = instance.dict_object.borrow().as_ref() {
        for (key, value) in dict.items() {
            if let Value::Str(name) = key {
                all.push((name, value));
            }
        }
    }
    all.extend(instance.dict.borrow().iter().cloned());
    all
}

impl Vm {
    /// `obj.__dict__` of an instance: one `dict` for the object's life,
    /// which from then on holds its attributes (CPython's instance dict).
    pub fn instance_dict(&mut self, instance: &Instance) -> Rc<PyDict> {
        if let Some(dict) = instance.dict_object.borrow().as_ref() {
            return dict.clone();
        }
        let dict = Rc::new(PyDict::new());
        let entries = std::mem::take(&mut *instance.dict.borrow_mut());
        for (name, value) in entries.iter() {
            dict.set_str(self, name.as_str(), value.clone());
        }
        *instance.dict_object.borrow_mut() = Some(dict.clone());
        dict
    }

    /// Stores an attribute on an instance itself.
    pub fn set_instance_attribute(&mut self, instance: &Instance, name: &Rc<PyStr>, value: Value) {
        let dict = instance.dict_object.borrow().clone();
        match dict {
            Some(dict) => dict.set_str(self, name.as_str(), value),
            None => instance.dict.borrow_mut().insert(name.clone(), value),
        }
    }

    /// Removes an attribute stored on an instance itself.
    pub fn remove_instance_attribute(
        &mut self,
        instance: &Instance,
        name: &str,
    ) -> PyResult<Option<Value>> {
        let dict = instance.dict_object.borrow().clone();
        if let Some(dict) = dict {
            if let Some(value) = dict.remove(self, &Value::str(name))? {
                return Ok(Some(value));
            }
        }
        Ok(instance.dict.borrow_mut().remove(name))
    }

    pub fn get_attr(&mut self, obj: &Value, name: &Rc<PyStr>) -> PyResult<Value> {
        if let Value::Class(class) = obj {
            return self.class_get_attr(class, name);
        }
        if let Value::Native(n) = obj {
            let target = n
                .data
                .borrow()
                .downcast_ref::<crate::builtins::classes::SuperData>()
                .map(|s| (s.start_after.clone(), s.receiver.clone()));
            if let Some(target) = target {
                return match crate::builtins::classes::super_get_attr(self, target, name.as_str())?
                {
                    Some(v) => Ok(v),
                    None => Err(self.error(
                        ExcType::AttributeError,
                        format!("'super' object has no attribute '{}'", name.as_str()),
                    )),
                };
            }
        }
        let class = self.class_of(obj);
        if class.hooks().standard_getattribute {
            let result = self.generic_get_attr(obj, &class, name);
            return self.after_getattribute(obj, &class, name, result);
        }
        if let Some(custom) = class.lookup_name(&self.names.getattribute) {
            if !matches!(custom, Value::Builtin(_)) {
                let result = self.call(&custom, vec![obj.clone(), Value::Str(name.clone())]);
                return self.after_getattribute(obj, &class, name, result);
            }
        }
        let result = self.generic_get_attr(obj, &class, name);
        self.after_getattribute(obj, &class, name, result)
    }

    /// The plain function `instance.name` would bind, when that is what it
    /// is: found on the class as a Python function, not shadowed by the
    /// instance's own attribute, and the class keeps the standard
    /// `__getattribute__` (CPython LOAD_METHOD's condition).
    #[inline]
    pub(crate) fn unbound_method(
        &mut self,
        instance: &Instance,
        name: &Rc<PyStr>,
    ) -> Option<Value> {
        let class = instance.class.borrow().clone();
        let found = class.lookup_name(name)?;
        if !matches!(found, Value::Function(_)) {
            return None;
        }
        if !class.hooks().standard_getattribute {
            return None;
        }
        if instance_attribute_named(instance, name).is_some() {
            return None;
        }
        Some(found)
    }

    /// Falls back to `__getattr__` when lookup raised `AttributeError`.
    fn after_getattribute(
        &mut self,
        obj: &Value,
        class: &Rc<Class>,
        name: &Rc<PyStr>,
        result: PyResult<Value>,
    ) -> PyResult<Value> {
        match result {
            Err(Unwind::Exception(exc)) if self.is_exception(&exc, ExcType::AttributeError) => {
                match class.lookup_name(&self.names.getattr) {
                    Some(getattr) => {
                        self.call(&getattr, vec![obj.clone(), Value::Str(name.clone())])
                    }
                    None => Err(Unwind::Exception(exc)),
                }
            }
            other => other,
        }
    }

    /// `object.__getattribute__`.
    pub fn generic_get_attr(
        &mut self,
        obj: &Value,
        class: &Rc<Class>,
        name: &Rc<PyStr>,
    ) -> PyResult<Value> {
        let key = name.as_str();
        let descriptor = class.lookup_name(name);
        if let Some(d) = &descriptor {
            if self.is_data_descriptor(d) {
                return self.descriptor_get(d, obj.clone(), Value::Class(class.clone()));
            }
        }
        if let Some(v) = self.own_attribute(obj, name) {
            return Ok(v);
        }
        if let Some(d) = descriptor {
            return self.descriptor_get(&d, obj.clone(), Value::Class(class.clone()));
        }
        if let Some(v) = self.native_attribute(obj, key)? {
            return Ok(v);
        }
        Err(self.no_attribute(obj, key))
    }

    /// The AttributeError CPython raises for a missing attribute.
    pub fn no_attribute(&mut self, obj: &Value, name: &str) -> Unwind {
        let message = match obj {
            Value::Module(m) => format!("module '{}' has no attribute '{name}'", m.name.as_str()),
            Value::Class(c) => format!(
                "type object '{}' has no attribute '{name}'",
                c.name().as_str()
            ),
            _ => format!("'{}' object has no attribute '{name}'", self.type_name(obj)),
        };
        self.error(ExcType::AttributeError, message)
    }

    /// An attribute stored on the object itself (its `__dict__`).
    fn own_attribute(&self, obj: &Value, name: &PyStr) -> Option<Value> {
        match obj {
            Value::Instance(i) => instance_attribute_named(i, name),
            Value::Module(m) => m.dict.borrow().get_name(name).cloned(),
            Value::Function(f) => f.dict.borrow().get_name(name).cloned(),
            Value::Native(n) => n.dict.borrow().get_name(name).cloned(),
            _ => None,
        }
    }

    pub(crate) fn is_data_descriptor(&self, value: &Value) -> bool {
        match value {
            Value::Native(n) => n.class.builtin && n.class.name().as_str() == "property",
            Value::Instance(i) => {
                let class = i.class.borrow();
                class.lookup_name(&self.names.set).is_some()
                    || class.lookup_name(&self.names.delete).is_some()
            }
            _ => false,
        }
    }

    /// `descr.__get__(instance, owner)`; `instance` is None for class access.
    pub fn descriptor_get(
        &mut self,
        descr: &Value,
        instance: Value,
        owner: Value,
    ) -> PyResult<Value> {
        match descr {
            Value::Function(_) => Ok(if instance.is_none() {
                descr.clone()
            } else {
                self.bind(descr.clone(), instance)
            }),
            Value::Builtin(b) if b.receiver.is_none() && b.owner.is_some() => {
                Ok(if instance.is_none() {
                    descr.clone()
                } else {
                    self.bind(descr.clone(), instance)
                })
            }
            Value::Native(n) => {
                let class_name = n.class.name();
                match class_name.as_str() {
                    "property" if n.class.builtin => {
                        if instance.is_none() {
                            return Ok(descr.clone());
                        }
                        let fget = n
                            .data
                            .borrow()
                            .downcast_ref::<PropertyData>()
                            .map(|p| p.fget.clone())
                            .unwrap_or(Value::None);
                        if fget.is_none() {
                            let name = self.property_name(descr);
                            let owner_name = self.type_name(&instance);
                            return Err(self.error(
                                ExcType::AttributeError,
                                format!("property '{name}' of '{owner_name}' object has no getter"),
                            ));
                        }
                        self.call(&fget, vec![instance])
                    }
                    "staticmethod" if n.class.builtin => Ok(self.unwrap_static(descr)),
                    "classmethod" if n.class.builtin => {
                        let inner = n
                            .data
                            .borrow()
                            .downcast_ref::<Value>()
                            .cloned()
                            .unwrap_or(Value::None);
                        let owner = if owner.is_none() {
                            Value::Class(self.class_of(&instance))
                        } else {
                            owner
                        };
                        Ok(self.bind(inner, owner))
                    }
                    _ => self.user_descriptor_get(descr, instance, owner),
                }
            }
            Value::Instance(_) => self.user_descriptor_get(descr, instance, owner),
            _ => Ok(descr.clone()),
        }
    }

    fn user_descriptor_get(
        &mut self,
        descr: &Value,
        instance: Value,
        owner: Value,
    ) -> PyResult<Value> {
        let class = self.class_of(descr);
        match class.lookup("__get__") {
            Some(get) => self.call(&get, vec![descr.clone(), instance, owner]),
            None => Ok(descr.clone()),
        }
    }

    /// The name a property reports in errors: its getter's `__name__`.
    fn property_name(&mut self, descr: &Value) -> String {
        let Value::Native(n) = descr else {
            return "?".into();
        };
        let fget = n
            .data
            .borrow()
            .downcast_ref::<PropertyData>()
            .map(|p| p.fget.clone());
        match fget {
            Some(Value::Function(f)) => f.name.borrow().as_str().to_string(),
            _ => "?".into(),
        }
    }

    /// Attribute lookup on a class object (`type_getattro`).
    fn class_get_attr(&mut self, class: &Rc<Class>, name: &Rc<PyStr>) -> PyResult<Value> {
        let key = name.as_str();
        if let Some(v) = self.class_special_attribute(class, key) {
            return Ok(v);
        }
        if let Some(found) = class.lookup(key) {
            return self.descriptor_get(&found, Value::None, Value::Class(class.clone()));
        }
        // Methods of `type` itself (`C.mro()`).
        if let Some(found) = self.types.type_.lookup(key) {
            if matches!(found, Value::Builtin(_)) {
                return Ok(self.bind(found, Value::Class(class.clone())));
            }
        }
        Err(self.no_attribute(&Value::Class(class.clone()), key))
    }

    fn class_special_attribute(&mut self, class: &Rc<Class>, name: &str) -> Option<Value> {
        Some(match name {
            "__name__" => Value::Str(class.name()),
            "__qualname__" => Value::Str(class.qualname.borrow().clone()),
            "__module__" => match class.dict.borrow().get("__module__") {
                Some(v) => v.clone(),
                None => Value::Str(class.module.clone()),
            },
            "__mro__" => Value::tuple(class.mro().into_iter().map(Value::Class).collect()),
            "__bases__" => Value::tuple(
                class
                    .bases
                    .borrow()
                    .iter()
                    .cloned()
                    .map(Value::Class)
                    .collect(),
            ),
            "__base__" => match class.bases.borrow().first() {
                Some(b) => Value::Class(b.clone()),
                None => Value::None,
            },
            "__class__" => Value::Class(self.types.type_.clone()),
            "__doc__" => match class.dict.borrow().get("__doc__") {
                Some(doc) => doc.clone(),
                None if class.builtin => {
                    crate::builtins::docstrings::class_doc(class.name().as_str())
                        .map(Value::str)
                        .unwrap_or(Value::None)
                }
                None => Value::None,
            },
            "__dict__" => {
                let dict = crate::value::PyDict::new();
                let entries: Vec<(Rc<PyStr>, Value)> =
                    class.dict.borrow().iter().cloned().collect();
                for (k, v) in entries {
                    dict.set_str(self, k.as_str(), v);
                }
                crate::builtins::mappingproxy::new_mappingproxy(self, Value::Dict(Rc::new(dict)))
            }
            _ => return None,
        })
    }

    /// Attributes built-in objects compute rather than store.
    fn native_attribute(&mut self, obj: &Value, name: &str) -> PyResult<Option<Value>> {
        if name == "__class__" {
            return Ok(Some(Value::Class(self.class_of(obj))));
        }
        Ok(Some(match obj {
            Value::Function(f) => match name {
                "__name__" => Value::Str(f.name.borrow().clone()),
                "__qualname__" => Value::Str(f.qualname.borrow().clone()),
                "__doc__" => f.doc.borrow().clone(),
                "__module__" => f
                    .globals
                    .dict
                    .borrow()
                    .get("__name__")
                    .cloned()
                    .unwrap_or(Value::None),
                "__defaults__" => {
                    let d = f.defaults.borrow();
                    if d.is_empty() {
                        Value::None
                    } else {
                        Value::tuple(d.clone())
                    }
                }
                "__kwdefaults__" => {
                    let defaults = f.kwdefaults.borrow().clone();
                    if defaults.is_empty() {
                        Value::None
                    } else {
                        let dict = crate::value::PyDict::new();
                        for (k, v) in defaults {
                            dict.set_str(self, k.as_str(), v);
                        }
                        Value::Dict(Rc::new(dict))
                    }
                }
                "__annotations__" => {
                    let current = f.annotations.borrow().clone();
                    if current.is_none() {
                        let dict = Value::Dict(Rc::new(crate::value::PyDict::new()));
                        *f.annotations.borrow_mut() = dict.clone();
                        dict
                    } else {
                        current
                    }
                }
                "__dict__" => {
                    // `__module__` is kept with the other attributes but is
                    // a slot of CPython's function objects, not in `__dict__`.
                    let mut own = f.dict.borrow().clone();
                    own.remove("__module__");
                    self.attr_map_to_dict(&own)
                }
                "__code__" => Value::Code(f.code.clone()),
                "__globals__" => Value::Module(f.globals.clone()),
                "__closure__" => {
                    if f.closure.is_empty() {
                        Value::None
                    } else {
                        let class = self.types.named("cell");
                        let cells = f
                            .closure
                            .iter()
                            .map(|c| crate::builtins::native_object(self, &class, c.clone()))
                            .collect();
                        Value::tuple(cells)
                    }
                }
                _ => return Ok(None),
            },
            Value::BoundMethod(m) => match name {
                "__self__" => m.receiver.clone(),
                "__func__" => m.function.clone(),
                _ => {
                    let function = m.function.clone();
                    let key = Rc::new(PyStr::new(name));
                    return self.get_attr(&function, &key).map(Some).or(Ok(None));
                }
            },
            Value::Builtin(b) => match name {
                "__name__" => Value::Str(b.name.clone()),
                "__qualname__" => match b.owner {
                    Some(owner) => Value::string(format!("{owner}.{}", b.name.as_str())),
                    None => Value::Str(b.name.clone()),
                },
                "__self__" => b.receiver.clone().unwrap_or(Value::None),
                "__doc__" => match b.owner {
                    None => crate::builtins::docstrings::function_doc(b.name.as_str())
                        .map(Value::str)
                        .unwrap_or(Value::None),
                    Some(_) => Value::None,
                },
                "__module__" => Value::None,
                _ => return Ok(None),
            },
            Value::Module(m) => match name {
                "__dict__" => self.attr_map_to_dict(&m.dict.borrow().clone()),
                _ => return Ok(None),
            },
            Value::Instance(i) => {
                if name == "__dict__" {
                    return Ok(Some(Value::Dict(self.instance_dict(i))));
                }
                match obj.as_exception() {
                    Some(_) => return self.exception_attribute(obj, name),
                    None => return Ok(None),
                }
            }
            Value::Generator(g) => {
                let prefix = match g.kind {
                    GenKind::Generator => "gi_",
                    GenKind::Coroutine => "cr_",
                    GenKind::AsyncGenerator => "ag_",
                };
                match name {
                    "__name__" => Value::Str(g.name.borrow().clone()),
                    "__qualname__" => Value::Str(g.qualname.borrow().clone()),
                    _ => match name.strip_prefix(prefix) {
                        Some("running") => Value::Bool(g.state.get() == GenState::Running),
                        Some("suspended") => Value::Bool(g.state.get() == GenState::Suspended),
                        Some("frame") => {
                            if g.state.get() == GenState::Finished {
                                Value::None
                            } else {
                                Value::Generator(g.clone())
                            }
                        }
                        Some("yieldfrom") | Some("await") => {
                            g.delegate.borrow().clone().unwrap_or(Value::None)
                        }
                        _ => return Ok(None),
                    },
                }
            }
            Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => match name {
                "real" | "numerator" => match obj {
                    Value::Bool(b) => Value::Int(*b as i64),
                    other => other.clone(),
                },
                "imag" => Value::Int(0),
                "denominator" => Value::Int(1),
                _ => return Ok(None),
            },
            Value::Float(f) => match name {
                "real" => Value::Float(*f),
                "imag" => Value::Float(0.0),
                _ => return Ok(None),
            },
            Value::Native(_) => {
                if let Some(v) = self.property_or_cell_attribute(obj, name)? {
                    return Ok(Some(v));
                }
                match self.traceback_attribute(obj, name) {
                    Some(v) => v,
                    None => return Ok(None),
                }
            }
            Value::Range(r) => match name {
                "start" => r.start.clone(),
                "stop" => r.stop.clone(),
                "step" => r.step.clone(),
                _ => return Ok(None),
            },
            Value::Slice(s) => match name {
                "start" => s.start.clone(),
                "stop" => s.stop.clone(),
                "step" => s.step.clone(),
                _ => return Ok(None),
            },
            Value::Code(code) => return Ok(code_attribute(code, name)),
            _ => return Ok(None),
        }))
    }

    /// `fget`/`fset`/`fdel`/`__doc__`/`__isabstractmethod__` of a property;
    /// `__func__` of a staticmethod or classmethod; `cell_contents` of
    /// a closure cell (`f.__closure__[0]`).
    fn property_or_cell_attribute(&mut self, obj: &Value, name: &str) -> PyResult<Option<Value>> {
        let parts = crate::builtins::with_native::<PropertyData, _>(obj, |p| {
            [
                p.fget.clone(),
                p.fset.clone(),
                p.fdel.clone(),
                p.doc.clone(),
            ]
        });
        if let Some([fget, fset, fdel, doc]) = parts {
            return Ok(match name {
                "fget" => Some(fget),
                "fset" => Some(fset),
                "fdel" => Some(fdel),
                // CPython descrobject.c property_get___isabstractmethod__.
                "__isabstractmethod__" => {
                    let mut abstract_part = false;
                    for part in [fget, fset, fdel] {
                        abstract_part = abstract_part || self.is_abstract_method(&part)?;
                    }
                    Some(Value::Bool(abstract_part))
                }
                "__doc__" if doc.is_none() && !fget.is_none() => {
                    Some(self.get_attr_opt(&fget, "__doc__")?.unwrap_or(Value::None))
                }
                "__doc__" => Some(doc),
                _ => None,
            });
        }
        // staticmethod and classmethod objects: the function they wrap
        // (CPython funcobject.c cm_memberlist, sm_getsetlist).
        if let Value::Native(n) = obj {
            let wrapper = n.class.builtin
                && matches!(n.class.name().as_str(), "staticmethod" | "classmethod");
            let inner = n.data.borrow().downcast_ref::<Value>().cloned();
            if let (true, Some(inner)) = (wrapper, inner) {
                return Ok(match name {
                    "__func__" | "__wrapped__" => Some(inner),
                    "__isabstractmethod__" => Some(Value::Bool(self.is_abstract_method(&inner)?)),
                    _ => None,
                });
            }
        }
        let cell = crate::builtins::with_native::<Rc<crate::value::CellObj>, _>(obj, |c| {
            c.value.borrow().clone()
        });
        match (cell, name) {
            (Some(Some(v)), "cell_contents") => Ok(Some(v)),
            (Some(None), "cell_contents") => Err(self.error(ExcType::ValueError, "Cell is empty")),
            _ => Ok(None),
        }
    }

    /// `getattr(value, "__isabstractmethod__", False)` as a truth value.
    fn is_abstract_method(&mut self, value: &Value) -> PyResult<bool> {
        if value.is_none() {
            return Ok(false);
        }
        match self.get_attr_opt(value, "__isabstractmethod__")? {
            Some(flag) => self.truthy(&flag),
            None => Ok(false),
        }
    }

    fn attr_map_to_dict(&mut self, map: &crate::value::AttrMap) -> Value {
        let dict = crate::value::PyDict::new();
        for (k, v) in map.iter() {
            dict.set_str(self, k.as_str(), v.clone());
        }
        Value::Dict(Rc::new(dict))
    }

    pub fn set_attr(&mut self, obj: &Value, name: &Rc<PyStr>, value: Value) -> PyResult<()> {
        let class = self.class_of(obj);
        if class.hooks().standard_setattr {
            return self.generic_set_attr(obj, name, value);
        }
        if let Some(custom) = class.lookup_name(&self.names.setattr) {
            if !matches!(custom, Value::Builtin(_)) {
                self.call(&custom, vec![obj.clone(), Value::Str(name.clone()), value])?;
                return Ok(());
            }
        }
        self.generic_set_attr(obj, name, value)
    }

    /// `object.__setattr__`.
    pub fn generic_set_attr(
        &mut self,
        obj: &Value,
        name: &Rc<PyStr>,
        value: Value,
    ) -> PyResult<()> {
        let key = name.as_str();
        if let Value::Class(class) = obj {
            if class.builtin {
                return Err(self.type_error(format!(
                    "cannot set '{key}' attribute of immutable type '{}'",
                    class.name().as_str()
                )));
            }
            match key {
                "__name__" => {
                    if let Value::Str(s) = &value {
                        *class.name.borrow_mut() = s.clone();
                    }
                }
                "__qualname__" => {
                    if let Value::Str(s) = &value {
                        *class.qualname.borrow_mut() = s.clone();
                    }
                }
                _ => {}
            }
            class.dict.borrow_mut().insert(name.clone(), value);
            return Ok(());
        }
        let class = self.class_of(obj);
        if let Some(descr) = class.lookup_name(name) {
            if self.is_data_descriptor(&descr) {
                return self.descriptor_set(&descr, obj, value);
            }
        }
        if obj.as_exception().is_some() && self.set_exception_attribute(obj, key, &value) {
            return Ok(());
        }
        match obj {
            Value::Instance(i) => {
                // CPython: an instance of a class with `__slots__` (and no
                // `__dict__` slot) has no dict to put another name in.
                if class.hooks().slots_only && !class.declares_slot(key) {
                    let type_name = class.name().as_str().to_string();
                    return Err(self.error(
                        ExcType::AttributeError,
                        format!("'{type_name}' object has no attribute '{key}'"),
                    ));
                }
                if key == "__dict__" {
                    // `obj.__dict__ = {...}`: the new dict holds the
                    // attributes from now on.
                    let Value::Dict(dict) = value else {
                        let t = self.type_name(&value);
                        return Err(self.type_error(format!(
                            "__dict__ must be set to a dictionary, not a '{t}'"
                        )));
                    };
                    *i.dict.borrow_mut() = Default::default();
                    *i.dict_object.borrow_mut() = Some(dict);
                    return Ok(());
                }
                self.set_instance_attribute(i, name, value);
                Ok(())
            }
            Value::Module(m) => {
                m.dict.borrow_mut().insert(name.clone(), value);
                Ok(())
            }
            Value::Function(f) => {
                match key {
                    "__name__" => {
                        if let Value::Str(s) = &value {
                            *f.name.borrow_mut() = s.clone();
                        }
                    }
                    "__qualname__" => {
                        if let Value::Str(s) = &value {
                            *f.qualname.borrow_mut() = s.clone();
                        }
                    }
                    "__doc__" => *f.doc.borrow_mut() = value,
                    "__defaults__" => {
                        *f.defaults.borrow_mut() = match value {
                            Value::Tuple(t) => t.items.clone(),
                            _ => Vec::new(),
                        }
                    }
                    "__annotations__" => *f.annotations.borrow_mut() = value,
                    "__kwdefaults__" => {
                        let mut defaults = Vec::new();
                        if let Some(d) = value.as_dict() {
                            for (k, v) in d.items() {
                                if let Value::Str(k) = k {
                                    defaults.push((k, v));
                                }
                            }
                        } else if !value.is_none() {
                            return Err(
                                self.type_error("__kwdefaults__ must be set to a dict object")
                            );
                        }
                        *f.kwdefaults.borrow_mut() = defaults;
                    }
                    _ => f.dict.borrow_mut().insert(name.clone(), value),
                }
                Ok(())
            }
            Value::Generator(g) if matches!(key, "__name__" | "__qualname__") => {
                let Value::Str(text) = value else {
                    return Err(self.type_error(format!("{key} must be set to a string object")));
                };
                if key == "__name__" {
                    *g.name.borrow_mut() = text;
                } else {
                    *g.qualname.borrow_mut() = text;
                }
                Ok(())
            }
            Value::Native(n) if !n.class.builtin => {
                n.dict.borrow_mut().insert(name.clone(), value);
                Ok(())
            }
            _ => {
                let type_name = self.type_name(obj);
                Err(self.error(
                    ExcType::AttributeError,
                    format!("'{type_name}' object has no attribute '{key}'"),
                ))
            }
        }
    }

    fn descriptor_set(&mut self, descr: &Value, obj: &Value, value: Value) -> PyResult<()> {
        if let Value::Native(n) = descr {
            let fset = n
                .data
                .borrow()
                .downcast_ref::<PropertyData>()
                .map(|p| p.fset.clone())
                .unwrap_or(Value::None);
            if fset.is_none() {
                let name = self.property_name(descr);
                let owner = self.type_name(obj);
                return Err(self.error(
                    ExcType::AttributeError,
                    format!("property '{name}' of '{owner}' object has no setter"),
                ));
            }
            self.call(&fset, vec![obj.clone(), value])?;
            return Ok(());
        }
        let class = self.class_of(descr);
        match class.lookup("__set__") {
            Some(set) => {
                self.call(&set, vec![descr.clone(), obj.clone(), value])?;
                Ok(())
            }
            None => {
                let type_name = self.type_name(obj);
                Err(self.error(
                    ExcType::AttributeError,
                    format!("'{type_name}' object attribute is read-only"),
                ))
            }
        }
    }

    pub fn del_attr(&mut self, obj: &Value, name: &Rc<PyStr>) -> PyResult<()> {
        let key = name.as_str();
        let class = self.class_of(obj);
        if let Some(custom) = class.lookup("__delattr__") {
            if !matches!(custom, Value::Builtin(_)) {
                self.call(&custom, vec![obj.clone(), Value::Str(name.clone())])?;
                return Ok(());
            }
        }
        if let Some(descr) = class.lookup(key) {
            if let Value::Native(n) = &descr {
                let fdel = n
                    .data
                    .borrow()
                    .downcast_ref::<PropertyData>()
                    .map(|p| p.fdel.clone());
                if let Some(fdel) = fdel {
                    if fdel.is_none() {
                        let pname = self.property_name(&descr);
                        let owner = self.type_name(obj);
                        return Err(self.error(
                            ExcType::AttributeError,
                            format!("property '{pname}' of '{owner}' object has no deleter"),
                        ));
                    }
                    self.call(&fdel, vec![obj.clone()])?;
                    return Ok(());
                }
            }
        }
        let removed = match obj {
            Value::Instance(i) => self.remove_instance_attribute(i, key)?,
            Value::Module(m) => m.dict.borrow_mut().remove(key),
            Value::Function(f) => f.dict.borrow_mut().remove(key),
            Value::Class(c) if !c.builtin => c.dict.borrow_mut().remove(key),
            _ => None,
        };
        match removed {
            Some(_) => Ok(()),
            None => Err(self.no_attribute(obj, key)),
        }
    }

    /// A special method looked up on the type (never the instance), bound
    /// to the object; `TypeError` naming the protocol when missing.
    pub fn special_method(&mut self, obj: &Value, name: &str, protocol: &str) -> PyResult<Value> {
        let class = self.class_of(obj);
        match class.lookup(name) {
            Some(method) => self.descriptor_get(&method, obj.clone(), Value::Class(class)),
            None => {
                let type_name = class.name().as_str().to_string();
                Err(self.type_error(format!("'{type_name}' object does not support {protocol}")))
            }
        }
    }

    /// Calls a special method if the type defines it: `None` otherwise.
    pub fn call_special(
        &mut self,
        obj: &Value,
        name: &str,
        args: Vec<Value>,
    ) -> PyResult<Option<Value>> {
        let class = self.class_of(obj);
        match class.lookup(name) {
            Some(method) => {
                let bound = self.descriptor_get(&method, obj.clone(), Value::Class(class))?;
                self.call(&bound, args).map(Some)
            }
            None => Ok(None),
        }
    }

    /// `getattr(obj, name, None)` without raising for a missing attribute.
    pub fn get_attr_opt(&mut self, obj: &Value, name: &str) -> PyResult<Option<Value>> {
        let key = Rc::new(PyStr::new(name));
        match self.get_attr(obj, &key) {
            Ok(v) => Ok(Some(v)),
            Err(Unwind::Exception(exc)) if self.is_exception(&exc, ExcType::AttributeError) => {
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }
}

/// The `co_*` attributes of a code object.
fn code_attribute(code: &crate::bytecode::Code, name: &str) -> Option<Value> {
    let names = |list: &[Rc<PyStr>]| Value::tuple(list.iter().cloned().map(Value::Str).collect());
    let count = |n: u32| Value::Int(i64::from(n));
    Some(match name {
        "co_name" => Value::Str(code.name.clone()),
        "co_qualname" => Value::Str(code.qualname.clone()),
        "co_filename" => Value::str(&code.filename),
        "co_firstlineno" => count(code.first_line),
        "co_argcount" => count(code.argcount),
        "co_posonlyargcount" => count(code.posonlyargcount),
        "co_kwonlyargcount" => count(code.kwonlyargcount),
        "co_nlocals" => Value::Int(code.varnames.len() as i64),
        "co_varnames" => names(&code.varnames),
        "co_cellvars" => names(&code.cellvars),
        "co_freevars" => names(&code.freevars),
        "co_names" => names(&code.names),
        _ => return None,
    })
}
