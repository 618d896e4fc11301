//! The built-in classes, `type(x)` for every value, and class creation
//! with CPython's C3 method resolution order.
//!
//! Built-in classes are made once per [`Vm`](super::Vm) and never change
//! afterwards; their methods are native functions in their dicts
//! (installed by [`crate::builtins`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::ExcType;
use crate::value::{Class, ClassDict, GenKind, IdCounter, IterState, Layout, PyStr, Value};

/// The iterator classes of the built-in containers, by the name CPython
/// gives them (`type(iter([]))` is `list_iterator`).
pub const ITERATOR_CLASSES: &[&str] = &[
    "list_iterator",
    "tuple_iterator",
    "range_iterator",
    "str_ascii_iterator",
    "str_iterator",
    "dict_keyiterator",
    "dict_valueiterator",
    "dict_itemiterator",
    "set_iterator",
    "list_reverseiterator",
    "reversed",
    "enumerate",
    "zip",
    "map",
    "filter",
    "callable_iterator",
    "iterator",
    "bytes_iterator",
];

/// Other native classes without a field of their own.
const OTHER_CLASSES: &[&str] = &[
    "bytearray",
    "mappingproxy",
    "method_descriptor",
    "wrapper_descriptor",
    "dict_keys",
    "dict_values",
    "dict_items",
    "cell",
    "code",
    "property",
    "staticmethod",
    "classmethod",
    "super",
    "builtin_function_or_method",
    "method",
    "module",
    "generator",
    "coroutine",
    "async_generator",
    "function",
    "NoneType",
    "NotImplementedType",
    "ellipsis",
    "slice",
    "range",
    "coroutine_wrapper",
    "async_generator_asend",
    "async_generator_athrow",
    "anext_awaitable",
    "GenericAlias",
    "traceback",
];

pub struct BuiltinTypes {
    pub object: Rc<Class>,
    pub type_: Rc<Class>,
    pub int: Rc<Class>,
    pub bool_: Rc<Class>,
    pub float: Rc<Class>,
    pub str_: Rc<Class>,
    pub bytes: Rc<Class>,
    pub list: Rc<Class>,
    pub tuple: Rc<Class>,
    pub dict: Rc<Class>,
    pub set: Rc<Class>,
    pub frozenset: Rc<Class>,
    exceptions: Vec<Rc<Class>>,
    /// Every other built-in class, by name. `class_of` looks here for
    /// most values, so lookups are hashed; the map is never iterated.
    named: HashMap<&'static str, Rc<Class>>,
}

/// A new class object. `bases` must be non-empty except for `object`.
pub fn new_class(
    ids: &IdCounter,
    name: &str,
    module: &str,
    bases: Vec<Rc<Class>>,
    layout: Layout,
    builtin: bool,
) -> Result<Rc<Class>, String> {
    let mro_tail = c3_linearize(&bases)?;
    Ok(Rc::new(Class {
        name: RefCell::new(Rc::new(PyStr::new(name))),
        qualname: RefCell::new(Rc::new(PyStr::new(name))),
        module: Rc::new(PyStr::new(module)),
        bases: RefCell::new(bases),
        mro_tail: RefCell::new(mro_tail),
        dict: ClassDict::default(),
        layout,
        builtin,
        id: ids.next(),
        hooks: Default::default(),
        creation: Default::default(),
        instance_attributes: Default::default(),
    }))
}

/// The MRO of a new class without the class itself: CPython's C3 merge
/// (Objects/typeobject.c `mro_implementation`).
pub fn c3_linearize(bases: &[Rc<Class>]) -> Result<Vec<Rc<Class>>, String> {
    let mut sequences: Vec<Vec<Rc<Class>>> = bases.iter().map(|b| b.mro()).collect();
    sequences.push(bases.to_vec());
    let mut result: Vec<Rc<Class>> = Vec::new();
    loop {
        sequences.retain(|s| !s.is_empty());
        if sequences.is_empty() {
            return Ok(result);
        }
        let candidate = sequences.iter().map(|s| s[0].clone()).find(|head| {
            sequences
                .iter()
                .all(|s| !s[1..].iter().any(|c| Rc::ptr_eq(c, head)))
        });
        let Some(head) = candidate else {
            let names: Vec<String> = bases
                .iter()
                .map(|b| b.name().as_str().to_string())
                .collect();
            return Err(format!(
                "Cannot create a consistent method resolution\norder (MRO) for bases {}",
                names.join(", ")
            ));
        };
        for s in sequences.iter_mut() {
            if Rc::ptr_eq(&s[0], &head) {
                s.remove(0);
            }
        }
        result.push(head);
    }
}

impl BuiltinTypes {
    pub fn new(ids: &IdCounter) -> BuiltinTypes {
        let class = |name: &str, bases: Vec<Rc<Class>>, layout: Layout| {
            new_class(ids, name, "builtins", bases, layout, true)
                .expect("built-in class hierarchy is consistent")
        };
        let object = class("object", Vec::new(), Layout::Object);
        let type_ = class("type", vec![object.clone()], Layout::Special);
        let int = class("int", vec![object.clone()], Layout::Int);
        let bool_ = class("bool", vec![int.clone()], Layout::Special);
        let float = class("float", vec![object.clone()], Layout::Float);
        let str_ = class("str", vec![object.clone()], Layout::Str);
        let bytes = class("bytes", vec![object.clone()], Layout::Special);
        let list = class("list", vec![object.clone()], Layout::List);
        let tuple = class("tuple", vec![object.clone()], Layout::Tuple);
        let dict = class("dict", vec![object.clone()], Layout::Dict);
        let set = class("set", vec![object.clone()], Layout::Set);
        let frozenset = class("frozenset", vec![object.clone()], Layout::Set);
        let mut exceptions: Vec<Rc<Class>> = Vec::with_capacity(ExcType::ALL.len());
        for (kind, name, parent) in ExcType::ALL {
            let mut bases = vec![match parent {
                Some(p) => exceptions[p.index()].clone(),
                None => object.clone(),
            }];
            // CPython: class ExceptionGroup(BaseExceptionGroup, Exception).
            if *kind == ExcType::ExceptionGroup {
                bases.push(exceptions[ExcType::Exception.index()].clone());
            }
            exceptions.push(class(name, bases, Layout::Exception));
        }
        let mut named = HashMap::new();
        for name in ITERATOR_CLASSES.iter().chain(OTHER_CLASSES) {
            named.insert(*name, class(name, vec![object.clone()], Layout::Special));
        }
        BuiltinTypes {
            object,
            type_,
            int,
            bool_,
            float,
            str_,
            bytes,
            list,
            tuple,
            dict,
            set,
            frozenset,
            exceptions,
            named,
        }
    }

    /// A built-in class by its CPython name (`"property"`, `"list_iterator"`).
    pub fn named(&self, name: &str) -> Rc<Class> {
        self.named
            .get(name)
            .cloned()
            .unwrap_or_else(|| self.object.clone())
    }

    pub fn exception(&self, kind: ExcType) -> Rc<Class> {
        self.exceptions[kind.index()].clone()
    }

    /// Every built-in exception class, parents first.
    pub fn all_exceptions(&self) -> impl Iterator<Item = (ExcType, &Rc<Class>)> {
        ExcType::ALL
            .iter()
            .map(|(kind, _, _)| *kind)
            .zip(self.exceptions.iter())
    }

    /// `type(value)`.
    pub fn class_of(&self, value: &Value) -> Rc<Class> {
        match value {
            Value::None => self.named("NoneType"),
            Value::NotImplemented => self.named("NotImplementedType"),
            Value::Ellipsis => self.named("ellipsis"),
            Value::Bool(_) => self.bool_.clone(),
            Value::Int(_) | Value::BigInt(_) => self.int.clone(),
            Value::Float(_) => self.float.clone(),
            Value::Str(_) => self.str_.clone(),
            Value::Bytes(_) => self.bytes.clone(),
            Value::List(_) => self.list.clone(),
            Value::Tuple(_) => self.tuple.clone(),
            Value::Dict(_) => self.dict.clone(),
            Value::Set(_) => self.set.clone(),
            Value::FrozenSet(_) => self.frozenset.clone(),
            Value::Range(_) => self.named("range"),
            Value::Slice(_) => self.named("slice"),
            Value::Function(_) => self.named("function"),
            Value::BoundMethod(_) => self.named("method"),
            Value::Builtin(b) => self.named(builtin_kind(b)),
            Value::Class(_) => self.type_.clone(),
            Value::Instance(i) => i.class.borrow().clone(),
            Value::Module(_) => self.named("module"),
            Value::Generator(g) => self.named(match g.kind {
                GenKind::Generator => "generator",
                GenKind::Coroutine => "coroutine",
                GenKind::AsyncGenerator => "async_generator",
            }),
            Value::Iterator(it) => self.named(iterator_class_name(&it.state.borrow())),
            Value::Native(n) => n.class.clone(),
            Value::Code(_) => self.named("code"),
        }
    }
}

/// Dunder methods CPython implements as type slots: reached through the
/// class they are `wrapper_descriptor`s (`<slot wrapper ...>`).
#[rustfmt::skip]
const SLOT_METHODS: &[&str] = &[
    "__repr__", "__str__", "__hash__", "__call__", "__getattribute__", "__getattr__",
    "__setattr__", "__delattr__", "__lt__", "__le__", "__eq__", "__ne__", "__gt__", "__ge__",
    "__iter__", "__next__", "__get__", "__set__", "__delete__", "__init__", "__del__",
    "__await__", "__aiter__", "__anext__", "__len__", "__getitem__", "__setitem__",
    "__delitem__", "__contains__", "__add__", "__radd__", "__iadd__", "__sub__", "__rsub__",
    "__isub__", "__mul__", "__rmul__", "__imul__", "__mod__", "__rmod__", "__imod__",
    "__divmod__", "__rdivmod__", "__pow__", "__rpow__", "__ipow__", "__neg__", "__pos__",
    "__abs__", "__bool__", "__invert__", "__lshift__", "__rlshift__", "__ilshift__",
    "__rshift__", "__rrshift__", "__irshift__", "__and__", "__rand__", "__iand__", "__xor__",
    "__rxor__", "__ixor__", "__or__", "__ror__", "__ior__", "__int__", "__float__",
    "__floordiv__", "__rfloordiv__", "__ifloordiv__", "__truediv__", "__rtruediv__",
    "__itruediv__", "__index__", "__matmul__", "__rmatmul__", "__imatmul__",
];

/// The type of a native function value: a method reached through its
/// class (`str.upper`) is a `method_descriptor` (a slot dunder a
/// `wrapper_descriptor`); functions and bound methods are
/// `builtin_function_or_method`.
pub fn builtin_kind(b: &crate::value::Builtin) -> &'static str {
    if b.owner.is_none() || b.receiver.is_some() {
        return "builtin_function_or_method";
    }
    let name = b.name.as_str();
    if name == "__new__" {
        "builtin_function_or_method"
    } else if SLOT_METHODS.contains(&name) {
        "wrapper_descriptor"
    } else {
        "method_descriptor"
    }
}

/// The CPython class name of a native iterator.
pub fn iterator_class_name(state: &IterState) -> &'static str {
    match state {
        IterState::Seq { seq, .. } => match seq {
            Value::Tuple(_) => "tuple_iterator",
            Value::Bytes(_) => "bytes_iterator",
            _ => "list_iterator",
        },
        IterState::Range { .. } | IterState::BigRange { .. } => "range_iterator",
        IterState::Str { s, .. } => {
            if s.is_ascii() {
                "str_ascii_iterator"
            } else {
                "str_iterator"
            }
        }
        IterState::DictKeys { kind, .. } => match kind {
            crate::value::DictIterKind::Keys => "dict_keyiterator",
            crate::value::DictIterKind::Values => "dict_valueiterator",
            crate::value::DictIterKind::Items => "dict_itemiterator",
        },
        IterState::Set { .. } => "set_iterator",
        IterState::Reversed { seq, .. } => match seq {
            Value::List(_) => "list_reverseiterator",
            _ => "reversed",
        },
        IterState::Enumerate { .. } => "enumerate",
        IterState::Zip { .. } => "zip",
        IterState::Map { .. } => "map",
        IterState::Filter { .. } => "filter",
        IterState::CallIter { .. } => "callable_iterator",
        IterState::Items { .. } | IterState::Exhausted => "iterator",
        IterState::Custom(_) => "iterator",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(classes: &[Rc<Class>]) -> Vec<String> {
        classes
            .iter()
            .map(|c| c.name().as_str().to_string())
            .collect()
    }

    #[test]
    fn diamond_follows_c3() {
        let ids = IdCounter::default();
        let object = new_class(&ids, "object", "m", vec![], Layout::Object, true).unwrap();
        let a = new_class(&ids, "A", "m", vec![object.clone()], Layout::Object, false).unwrap();
        let b = new_class(&ids, "B", "m", vec![a.clone()], Layout::Object, false).unwrap();
        let c = new_class(&ids, "C", "m", vec![a.clone()], Layout::Object, false).unwrap();
        let d = new_class(&ids, "D", "m", vec![b, c], Layout::Object, false).unwrap();
        assert_eq!(names(&d.mro()), ["D", "B", "C", "A", "object"]);
    }

    #[test]
    fn inconsistent_order_is_refused_with_cpythons_message() {
        let ids = IdCounter::default();
        let object = new_class(&ids, "object", "m", vec![], Layout::Object, true).unwrap();
        let a = new_class(&ids, "A", "m", vec![object.clone()], Layout::Object, false).unwrap();
        let b = new_class(&ids, "B", "m", vec![a.clone()], Layout::Object, false).unwrap();
        let error = new_class(&ids, "C", "m", vec![a, b], Layout::Object, false).err();
        assert_eq!(
            error.as_deref(),
            Some("Cannot create a consistent method resolution\norder (MRO) for bases A, B")
        );
    }

    #[test]
    fn exception_group_has_two_bases() {
        let types = BuiltinTypes::new(&IdCounter::default());
        let group = types.exception(ExcType::ExceptionGroup);
        assert_eq!(
            names(&group.mro()),
            [
                "ExceptionGroup",
                "BaseExceptionGroup",
                "Exception",
                "BaseException",
                "object"
            ]
        );
    }
}
