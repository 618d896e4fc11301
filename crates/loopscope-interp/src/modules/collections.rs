//! The `collections` module: `deque` ([`super::deque`]), `Counter`
//! ([`super::counter`]), `namedtuple` ([`super::namedtuple`]), and here
//! `defaultdict` and `OrderedDict` (dict subclasses whose instances are
//! dict-layout instances) and `ChainMap` (a native mapping over a list of
//! mappings), with CPython 3.11's reprs and errors.

use std::rc::Rc;

use super::support::{getter, join_reprs, repr_guarded, Sig};
use crate::builtins::{
    add_functions, add_methods, function, native_class, native_object, new_module, with_native,
};
use crate::value::{Args, Class, Layout, Module, PyDict, PyResult, PyStr, Unwind, Value};
use crate::vm::{ExcType, Vm};

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("collections");
    let deque = super::deque::make_class(vm);
    let counter = super::counter::make_class(vm)?;
    let defaultdict = make_defaultdict(vm)?;
    let ordered = make_ordereddict(vm)?;
    let chainmap = make_chainmap(vm);
    add_functions(&module, &[("namedtuple", super::namedtuple::namedtuple)]);
    let mut dict = module.dict.borrow_mut();
    dict.set("deque", Value::Class(deque));
    dict.set("Counter", Value::Class(counter));
    dict.set("defaultdict", Value::Class(defaultdict));
    dict.set("OrderedDict", Value::Class(ordered));
    dict.set("ChainMap", Value::Class(chainmap));
    drop(dict);
    Ok(module)
}

fn dict_subclass(vm: &mut Vm, name: &str) -> PyResult<Rc<Class>> {
    let class = match crate::vm::types::new_class(
        &vm.ids,
        name,
        "collections",
        vec![vm.types.dict.clone()],
        Layout::Dict,
        false,
    ) {
        Ok(c) => c,
        Err(message) => return Err(vm.type_error(message)),
    };
    let mut dict = class.dict.borrow_mut();
    dict.set("__module__", Value::str("collections"));
    dict.set("__hash__", Value::None);
    drop(dict);
    Ok(class)
}

/// `callable(v)`.
pub fn is_callable(vm: &Vm, v: &Value) -> bool {
    match v {
        Value::Function(_) | Value::BoundMethod(_) | Value::Builtin(_) | Value::Class(_) => true,
        other => vm.class_of(other).lookup("__call__").is_some(),
    }
}

/// Runs `dict.__init__(this, *args, **kwargs)`.
fn dict_init(
    vm: &mut Vm,
    this: &Value,
    args: Vec<Value>,
    kwargs: Vec<(Rc<PyStr>, Value)>,
) -> PyResult<()> {
    let init = vm.types.dict.dict.borrow().get("__init__").cloned();
    if let Some(init) = init {
        let mut all = vec![this.clone()];
        all.extend(args);
        vm.call_with(&init, all, kwargs)?;
    }
    Ok(())
}

/// The `dict` repr of a dict-layout instance's items.
fn dict_body(vm: &mut Vm, this: &Value) -> PyResult<String> {
    let items = this.as_dict().map(|d| d.items()).unwrap_or_default();
    let mut parts = Vec::with_capacity(items.len());
    for (k, v) in &items {
        parts.push(format!("{}: {}", vm.repr_of(k)?, vm.repr_of(v)?));
    }
    Ok(format!("{{{}}}", parts.join(", ")))
}

// ----------------------------------------------------------------- defaultdict

fn make_defaultdict(vm: &mut Vm) -> PyResult<Rc<Class>> {
    let class = dict_subclass(vm, "defaultdict")?;
    add_methods(
        &class,
        "defaultdict",
        &[
            ("__init__", dd_init),
            ("__missing__", dd_missing),
            ("__repr__", dd_repr),
            ("copy", dd_copy),
            ("__copy__", dd_copy),
        ],
    );
    Ok(class)
}

fn factory_of(this: &Value) -> Value {
    match this {
        Value::Instance(i) => i
            .dict
            .borrow()
            .get("default_factory")
            .cloned()
            .unwrap_or(Value::None),
        _ => Value::None,
    }
}

fn dd_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__init__", args)?;
    let mut positional = std::mem::take(&mut args.positional);
    let factory = if positional.is_empty() {
        Value::None
    } else {
        positional.remove(0)
    };
    if !factory.is_none() && !is_callable(vm, &factory) {
        return Err(vm.type_error("first argument must be callable or None"));
    }
    if let Value::Instance(i) = &this {
        i.dict.borrow_mut().set("default_factory", factory);
    }
    let kwargs = std::mem::take(&mut args.keywords);
    dict_init(vm, &this, positional, kwargs)?;
    Ok(Value::None)
}

fn dd_missing(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__missing__", args)?;
    if args.positional.len() != 1 {
        let n = args.positional.len();
        return Err(vm.type_error(format!(
            "defaultdict.__missing__() takes exactly one argument ({n} given)"
        )));
    }
    let key = args.positional.remove(0);
    let factory = factory_of(&this);
    if factory.is_none() {
        return Err(vm.key_error(&key));
    }
    let value = vm.call(&factory, Vec::new())?;
    vm.set_item(&this, key, value.clone())?;
    Ok(value)
}

fn dd_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let name = vm.class_of(&this).name().as_str().to_string();
    let factory = factory_of(&this);
    let text = repr_guarded(vm, &this, "...", |vm| {
        let f = if factory.is_none() {
            "None".to_string()
        } else {
            repr_guarded(vm, &factory, "...", |vm| vm.repr_of(&factory))?
        };
        let body = dict_body(vm, &this)?;
        Ok(format!("{name}({f}, {body})"))
    })?;
    Ok(Value::string(text))
}

fn dd_copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("copy", args)?;
    vm.no_args("defaultdict.copy", args, 0)?;
    let class = vm.class_of(&this);
    let factory = factory_of(&this);
    vm.call(&Value::Class(class), vec![factory, this])
}

// ----------------------------------------------------------------- OrderedDict

fn make_ordereddict(vm: &mut Vm) -> PyResult<Rc<Class>> {
    let class = dict_subclass(vm, "OrderedDict")?;
    add_methods(
        &class,
        "OrderedDict",
        &[
            ("__repr__", od_repr),
            ("__eq__", od_eq),
            ("__reversed__", od_reversed),
            ("move_to_end", od_move_to_end),
            ("popitem", od_popitem),
            ("copy", od_copy),
            ("__copy__", od_copy),
        ],
    );
    let fromkeys = native_object(
        vm,
        &vm.types.named("classmethod"),
        function("fromkeys", od_fromkeys),
    );
    class.dict.borrow_mut().set("fromkeys", fromkeys);
    Ok(class)
}

fn od_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let name = vm.class_of(&this).name().as_str().to_string();
    let items = this.as_dict().map(|d| d.items()).unwrap_or_default();
    if items.is_empty() {
        return Ok(Value::string(format!("{name}()")));
    }
    let text = repr_guarded(vm, &this, "...", |vm| {
        let pairs: Vec<Value> = items
            .into_iter()
            .map(|(k, v)| Value::tuple(vec![k, v]))
            .collect();
        let body = join_reprs(vm, &pairs)?;
        Ok(format!("{name}([{body}])"))
    })?;
    Ok(Value::string(text))
}

fn is_ordered(vm: &Vm, v: &Value) -> bool {
    v.as_dict().is_some()
        && vm
            .class_of(v)
            .mro()
            .iter()
            .any(|c| c.name().as_str() == "OrderedDict" && c.module.as_str() == "collections")
}

fn od_eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__eq__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    if !is_ordered(vm, &other) {
        return Ok(Value::NotImplemented);
    }
    let a = this.as_dict().map(|d| d.items()).unwrap_or_default();
    let b = other.as_dict().map(|d| d.items()).unwrap_or_default();
    if a.len() != b.len() {
        return Ok(Value::Bool(false));
    }
    for ((ka, va), (kb, vb)) in a.iter().zip(b.iter()) {
        if !(ka.is(kb) || vm.values_equal(ka, kb)?) {
            return Ok(Value::Bool(false));
        }
        if !(va.is(vb) || vm.values_equal(va, vb)?) {
            return Ok(Value::Bool(false));
        }
    }
    Ok(Value::Bool(true))
}

fn od_reversed(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__reversed__", args)?;
    let mut keys = this.as_dict().map(|d| d.keys()).unwrap_or_default();
    keys.reverse();
    vm.get_iter(&Value::list(keys))
}

fn od_move_to_end(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("move_to_end", args)?;
    let a = vm.parse_args("move_to_end", args, &["key", "last"], 1)?;
    let key = a[0].clone().unwrap_or(Value::None);
    let last = match &a[1] {
        Some(v) => vm.truthy(v)?,
        None => true,
    };
    let Some(d) = this.as_dict() else {
        return Err(vm.type_error("move_to_end() needs an OrderedDict"));
    };
    let Some(value) = d.get(vm, &key)? else {
        return Err(vm.key_error(&key));
    };
    if last {
        d.remove(vm, &key)?;
        d.set(vm, key, value)?;
    } else {
        let items = d.items();
        d.clear();
        d.set(vm, key.clone(), value)?;
        for (k, v) in items {
            if k.is(&key) || vm.values_equal(&k, &key)? {
                continue;
            }
            d.set(vm, k, v)?;
        }
    }
    Ok(Value::None)
}

fn od_popitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("popitem", args)?;
    let a = vm.parse_args("popitem", args, &["last"], 0)?;
    let last = match &a[0] {
        Some(v) => vm.truthy(v)?,
        None => true,
    };
    let Some(d) = this.as_dict() else {
        return Err(vm.type_error("popitem() needs an OrderedDict"));
    };
    let item = if last {
        d.pop_last()
    } else {
        match d.items().into_iter().next() {
            Some((k, v)) => {
                d.remove(vm, &k)?;
                Some((k, v))
            }
            None => None,
        }
    };
    match item {
        Some((k, v)) => Ok(Value::tuple(vec![k, v])),
        None => Err(vm.key_error(&Value::str("dictionary is empty"))),
    }
}

fn od_copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("copy", args)?;
    vm.no_args("OrderedDict.copy", args, 0)?;
    let class = vm.class_of(&this);
    vm.call(&Value::Class(class), vec![this])
}

fn od_fromkeys(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = Sig {
        name: "fromkeys",
        params: &["cls", "iterable", "value"],
        required: 2,
        kwonly: &[],
        method: false,
    }
    .bind(vm, args)?;
    let class = a[0].clone().unwrap_or(Value::None);
    let value = a[2].clone().unwrap_or(Value::None);
    let result = vm.call(&class, Vec::new())?;
    let keys = vm.collect(a[1].as_ref().unwrap_or(&Value::None))?;
    for k in keys {
        vm.set_item(&result, k, value.clone())?;
    }
    Ok(result)
}

// ----------------------------------------------------------------- ChainMap

/// A ChainMap's state: the list of mappings (`maps`).
struct ChainMapData {
    maps: Value,
}

fn make_chainmap(vm: &mut Vm) -> Rc<Class> {
    let class = native_class(
        vm,
        "ChainMap",
        "collections",
        "ChainMap",
        &[
            ("__new__", cm_new),
            ("__getitem__", cm_getitem),
            ("__missing__", cm_missing),
            ("get", cm_get),
            ("__len__", cm_len),
            ("__iter__", cm_iter),
            ("__contains__", cm_contains),
            ("__bool__", cm_bool),
            ("__repr__", cm_repr),
            ("__setitem__", cm_setitem),
            ("__delitem__", cm_delitem),
            ("__eq__", cm_eq),
            ("pop", cm_pop),
            ("popitem", cm_popitem),
            ("clear", cm_clear),
            ("copy", cm_copy),
            ("__copy__", cm_copy),
            ("new_child", cm_new_child),
            ("keys", cm_keys),
            ("items", cm_items),
            ("values", cm_values),
        ],
    );
    let mut dict = class.dict.borrow_mut();
    dict.set("__module__", Value::str("collections"));
    dict.set("__hash__", Value::None);
    dict.set("parents", getter(vm, "parents", cm_parents));
    drop(dict);
    let maps = super::support::property(
        vm,
        function("maps", cm_maps_get),
        function("maps", cm_maps_set),
        Value::None,
    );
    class.dict.borrow_mut().set("maps", maps);
    class
}

fn maps_of(vm: &mut Vm, this: &Value) -> PyResult<Vec<Value>> {
    let maps = with_native::<ChainMapData, _>(this, |d| d.maps.clone());
    match maps {
        Some(list) => vm.collect(&list),
        None => Err(vm.type_error("descriptor requires a 'ChainMap' object")),
    }
}

fn new_chainmap(vm: &Vm, class: &Rc<Class>, maps: Vec<Value>) -> Value {
    native_object(
        vm,
        class,
        ChainMapData {
            maps: Value::list(maps),
        },
    )
}

fn cm_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("ChainMap.__new__(X): X is not a type object")),
    };
    args.positional.remove(0);
    let mut maps = std::mem::take(&mut args.positional);
    if maps.is_empty() {
        maps.push(Value::Dict(Rc::new(PyDict::new())));
    }
    Ok(new_chainmap(vm, &class, maps))
}

fn cm_maps_get(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("maps", args)?;
    Ok(with_native::<ChainMapData, _>(&this, |d| d.maps.clone()).unwrap_or(Value::None))
}

fn cm_maps_set(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("maps", args)?;
    let value = args.positional.first().cloned().unwrap_or(Value::None);
    with_native::<ChainMapData, _>(&this, |d| d.maps = value);
    Ok(Value::None)
}

/// Looks a key up map by map; None when no map has it.
fn lookup(vm: &mut Vm, this: &Value, key: &Value) -> PyResult<Option<Value>> {
    for mapping in maps_of(vm, this)? {
        match vm.get_item(&mapping, key) {
            Ok(v) => return Ok(Some(v)),
            Err(Unwind::Exception(e)) if vm.is_exception(&e, ExcType::KeyError) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

fn one(vm: &mut Vm, name: &str, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args(name, args, &["key"], 1)?;
    Ok(a[0].clone().unwrap_or(Value::None))
}

fn cm_getitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__getitem__", args)?;
    let key = one(vm, "__getitem__", args)?;
    match lookup(vm, &this, &key)? {
        Some(v) => Ok(v),
        None => {
            let missing = vm.get_attr(&this, &Rc::new(PyStr::new("__missing__")))?;
            vm.call(&missing, vec![key])
        }
    }
}

fn cm_missing(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _this = vm.receiver("__missing__", args)?;
    let key = one(vm, "__missing__", args)?;
    Err(vm.key_error(&key))
}

fn cm_get(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("get", args)?;
    let a = vm.parse_args("get", args, &["key", "default"], 1)?;
    let key = a[0].clone().unwrap_or(Value::None);
    Ok(lookup(vm, &this, &key)?.unwrap_or_else(|| a[1].clone().unwrap_or(Value::None)))
}

/// The keys in iteration order: `dict.fromkeys` over the maps, last map
/// first.
fn merged_keys(vm: &mut Vm, this: &Value) -> PyResult<Vec<Value>> {
    let merged = PyDict::new();
    for mapping in maps_of(vm, this)?.into_iter().rev() {
        for k in vm.collect(&mapping)? {
            merged.set(vm, k, Value::None)?;
        }
    }
    Ok(merged.keys())
}

fn cm_len(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__len__", args)?;
    Ok(Value::Int(merged_keys(vm, &this)?.len() as i64))
}

fn cm_iter(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__iter__", args)?;
    let keys = merged_keys(vm, &this)?;
    vm.get_iter(&Value::list(keys))
}

fn cm_contains(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__contains__", args)?;
    let key = one(vm, "__contains__", args)?;
    for mapping in maps_of(vm, &this)? {
        if vm.contains(&mapping, &key)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn cm_bool(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__bool__", args)?;
    for mapping in maps_of(vm, &this)? {
        if vm.truthy(&mapping)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn cm_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let name = vm.class_of(&this).name().as_str().to_string();
    let maps = maps_of(vm, &this)?;
    let text = repr_guarded(vm, &this, "...", |vm| {
        Ok(format!("{name}({})", join_reprs(vm, &maps)?))
    })?;
    Ok(Value::string(text))
}

fn first_map(vm: &mut Vm, this: &Value) -> PyResult<Value> {
    match maps_of(vm, this)?.into_iter().next() {
        Some(m) => Ok(m),
        None => Err(vm.error(ExcType::IndexError, "list index out of range")),
    }
}

fn cm_setitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__setitem__", args)?;
    let a = vm.parse_args("__setitem__", args, &["key", "value"], 2)?;
    let first = first_map(vm, &this)?;
    vm.set_item(
        &first,
        a[0].clone().unwrap_or(Value::None),
        a[1].clone().unwrap_or(Value::None),
    )?;
    Ok(Value::None)
}

fn not_in_first(vm: &mut Vm, key: &Value) -> PyResult<Unwind> {
    let r = vm.repr_of(key)?;
    Ok(vm.key_error(&Value::string(format!(
        "Key not found in the first mapping: {r}"
    ))))
}

fn cm_delitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__delitem__", args)?;
    let key = one(vm, "__delitem__", args)?;
    let first = first_map(vm, &this)?;
    match vm.del_item(&first, &key) {
        Ok(()) => Ok(Value::None),
        Err(Unwind::Exception(e)) if vm.is_exception(&e, ExcType::KeyError) => {
            Err(not_in_first(vm, &key)?)
        }
        Err(e) => Err(e),
    }
}

fn cm_pop(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("pop", args)?;
    let a = vm.parse_args("pop", args, &["key", "default"], 1)?;
    let key = a[0].clone().unwrap_or(Value::None);
    let first = first_map(vm, &this)?;
    match vm.get_item(&first, &key) {
        Ok(v) => {
            vm.del_item(&first, &key)?;
            Ok(v)
        }
        Err(Unwind::Exception(e)) if vm.is_exception(&e, ExcType::KeyError) => match &a[1] {
            Some(default) => Ok(default.clone()),
            None => Err(not_in_first(vm, &key)?),
        },
        Err(e) => Err(e),
    }
}

fn cm_popitem(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("popitem", args)?;
    let first = first_map(vm, &this)?;
    let popped = first.as_dict().and_then(|d| d.pop_last());
    match popped {
        Some((k, v)) => Ok(Value::tuple(vec![k, v])),
        None => Err(vm.key_error(&Value::str("No keys found in the first mapping."))),
    }
}

fn cm_clear(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("clear", args)?;
    let first = first_map(vm, &this)?;
    if let Some(d) = first.as_dict() {
        d.clear();
    }
    Ok(Value::None)
}

fn cm_copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("copy", args)?;
    let mut maps = maps_of(vm, &this)?;
    if let Some(first) = maps.first_mut() {
        if let Some(d) = first.as_dict() {
            *first = Value::Dict(Rc::new(d.copy()));
        }
    }
    let class = vm.class_of(&this);
    Ok(new_chainmap(vm, &class, maps))
}

fn cm_new_child(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("new_child", args)?;
    let kwargs = std::mem::take(&mut args.keywords);
    let a = vm.parse_args("new_child", args, &["m"], 0)?;
    let child = match a[0].clone().filter(|m| !m.is_none()) {
        Some(m) => {
            if !kwargs.is_empty() {
                let pairs: Vec<(Value, Value)> = kwargs
                    .into_iter()
                    .map(|(k, v)| (Value::Str(k), v))
                    .collect();
                for (k, v) in pairs {
                    vm.set_item(&m, k, v)?;
                }
            }
            m
        }
        None => {
            let pairs = kwargs
                .into_iter()
                .map(|(k, v)| (Value::Str(k), v))
                .collect();
            vm.new_dict(pairs)?
        }
    };
    let mut maps = vec![child];
    maps.extend(maps_of(vm, &this)?);
    let class = vm.class_of(&this);
    Ok(new_chainmap(vm, &class, maps))
}

fn cm_parents(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("parents", args)?;
    let maps = maps_of(vm, &this)?;
    let rest = maps.into_iter().skip(1).collect::<Vec<_>>();
    let class = vm.class_of(&this);
    let rest = if rest.is_empty() {
        vec![Value::Dict(Rc::new(PyDict::new()))]
    } else {
        rest
    };
    Ok(new_chainmap(vm, &class, rest))
}

/// A dict holding the ChainMap's current view (for keys/items/values).
fn as_plain_dict(vm: &mut Vm, this: &Value) -> PyResult<Rc<PyDict>> {
    let keys = merged_keys(vm, this)?;
    let dict = PyDict::new();
    for k in keys {
        let v = lookup(vm, this, &k)?.unwrap_or(Value::None);
        dict.set(vm, k, v)?;
    }
    Ok(Rc::new(dict))
}

fn cm_keys(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("keys", args)?;
    let keys = merged_keys(vm, &this)?;
    Ok(Value::list(keys))
}

fn cm_items(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("items", args)?;
    let dict = as_plain_dict(vm, &this)?;
    Ok(Value::list(
        dict.items()
            .into_iter()
            .map(|(k, v)| Value::tuple(vec![k, v]))
            .collect(),
    ))
}

fn cm_values(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("values", args)?;
    let dict = as_plain_dict(vm, &this)?;
    Ok(Value::list(dict.values()))
}

fn cm_eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__eq__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    let mine = Value::Dict(as_plain_dict(vm, &this)?);
    let theirs = if other.as_dict().is_some() {
        other
    } else if with_native::<ChainMapData, _>(&other, |_| ()).is_some() {
        Value::Dict(as_plain_dict(vm, &other)?)
    } else {
        return Ok(Value::NotImplemented);
    };
    vm.values_equal(&mine, &theirs).map(Value::Bool)
}
