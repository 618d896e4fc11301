//! The `functools` module: `reduce`, `partial`, `wraps`/`update_wrapper`,
//! `lru_cache`/`cache` (hits, misses and LRU eviction counted as CPython
//! counts them), `total_ordering`, `cmp_to_key`, `cached_property` and
//! `singledispatch`.

use std::cell::RefCell;
use std::rc::Rc;

use super::support::{closure, set_attribute, with_owner, Sig};
use crate::builtins::{add_functions, native_class, native_object, new_module, with_native};
use crate::bytecode::CmpOp;
use crate::value::{Args, Class, Module, PyDict, PyResult, PyStr, Unwind, Value};
use crate::vm::{ExcType, Vm};

const WRAPPER_ASSIGNMENTS: [&str; 5] = [
    "__module__",
    "__name__",
    "__qualname__",
    "__annotations__",
    "__doc__",
];

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("functools");
    add_functions(
        &module,
        &[
            ("reduce", reduce),
            ("update_wrapper", update_wrapper),
            ("wraps", wraps),
            ("lru_cache", lru_cache),
            ("cache", cache),
            ("total_ordering", total_ordering),
            ("cmp_to_key", cmp_to_key),
            ("singledispatch", singledispatch),
        ],
    );
    let partial = native_class(
        vm,
        "partial",
        "functools",
        "partial",
        &[
            ("__new__", partial_new),
            ("__call__", partial_call),
            ("__repr__", partial_repr),
            ("__copy__", partial_copy),
        ],
    );
    {
        let mut dict = partial.dict.borrow_mut();
        dict.set("__module__", Value::str("functools"));
        dict.set("func", super::support::getter(vm, "func", partial_func));
        dict.set("args", super::support::getter(vm, "args", partial_args));
        dict.set(
            "keywords",
            super::support::getter(vm, "keywords", partial_keywords),
        );
    }
    let lru = native_class(
        vm,
        "_lru_cache_wrapper",
        "functools",
        "_lru_cache_wrapper",
        &[
            ("__call__", lru_call),
            ("__get__", method_get),
            ("cache_info", lru_cache_info),
            ("cache_clear", lru_cache_clear),
            ("cache_parameters", lru_cache_parameters),
        ],
    );
    lru.dict
        .borrow_mut()
        .set("__module__", Value::str("functools"));
    let key_wrapper = native_class(
        vm,
        "KeyWrapper",
        "functools",
        "KeyWrapper",
        &[
            ("__call__", key_call),
            ("__lt__", key_lt),
            ("__le__", key_le),
            ("__eq__", key_eq),
            ("__ne__", key_ne),
            ("__gt__", key_gt),
            ("__ge__", key_ge),
        ],
    );
    key_wrapper.dict.borrow_mut().set("__hash__", Value::None);
    let cached = native_class(
        vm,
        "cached_property",
        "functools",
        "cached_property",
        &[
            ("__new__", cached_new),
            ("__get__", cached_get),
            ("__set_name__", cached_set_name),
        ],
    );
    let dispatcher = native_class(
        vm,
        "singledispatch",
        "functools",
        "singledispatch",
        &[
            ("__call__", dispatch_call),
            ("__get__", method_get),
            ("register", dispatch_register),
            ("dispatch", dispatch_dispatch),
        ],
    );
    dispatcher.dict.borrow_mut().set(
        "registry",
        super::support::getter(vm, "registry", dispatch_registry),
    );
    let mut info_args = Args::new(vec![
        Value::str("CacheInfo"),
        Value::list(
            ["hits", "misses", "maxsize", "currsize"]
                .iter()
                .map(|s| Value::str(s))
                .collect(),
        ),
    ]);
    info_args
        .keywords
        .push((Rc::new(PyStr::new("module")), Value::str("functools")));
    let info = super::namedtuple::namedtuple(vm, &mut info_args)?;
    let mut dict = module.dict.borrow_mut();
    dict.set("partial", Value::Class(partial));
    dict.set("_lru_cache_wrapper", Value::Class(lru));
    dict.set("KeyWrapper", Value::Class(key_wrapper));
    dict.set("cached_property", Value::Class(cached));
    dict.set("_singledispatch", Value::Class(dispatcher));
    dict.set("_CacheInfo", info);
    dict.set(
        "WRAPPER_ASSIGNMENTS",
        Value::tuple(WRAPPER_ASSIGNMENTS.iter().map(|s| Value::str(s)).collect()),
    );
    dict.set(
        "WRAPPER_UPDATES",
        Value::tuple(vec![Value::str("__dict__")]),
    );
    drop(dict);
    Ok(module)
}

/// A functools class by name (for objects made by functions).
fn class_named(vm: &mut Vm, name: &str) -> PyResult<Rc<Class>> {
    if let Some(Value::Module(m)) = vm.modules.get("functools").cloned() {
        if let Some(Value::Class(c)) = m.dict.borrow().get(name).cloned() {
            return Ok(c);
        }
    }
    Err(vm.type_error(format!("functools.{name} is missing")))
}

/// `__get__` of callables that act as methods: bind to the instance.
fn method_get(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__get__", args)?;
    let instance = args.positional.first().cloned().unwrap_or(Value::None);
    if instance.is_none() {
        return Ok(this);
    }
    Ok(vm.bind(this, instance))
}

// ----------------------------------------------------------------- reduce

fn reduce(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    if !args.keywords.is_empty() {
        return Err(vm.type_error("reduce() takes no keyword arguments"));
    }
    let n = args.positional.len();
    if n < 2 {
        return Err(vm.type_error(format!("reduce expected at least 2 arguments, got {n}")));
    }
    if n > 3 {
        return Err(vm.type_error(format!("reduce expected at most 3 arguments, got {n}")));
    }
    let func = args.positional[0].clone();
    let it = match vm.get_iter(&args.positional[1]) {
        Ok(it) => it,
        Err(Unwind::Exception(e)) if vm.is_exception(&e, ExcType::TypeError) => {
            return Err(vm.type_error("reduce() arg 2 must support iteration"));
        }
        Err(e) => return Err(e),
    };
    let mut acc = args.positional.get(2).cloned();
    while let Some(v) = vm.next_value(&it)? {
        acc = Some(match acc {
            None => v,
            Some(a) => vm.call(&func, vec![a, v])?,
        });
    }
    acc.ok_or_else(|| vm.type_error("reduce() of empty iterable with no initial value"))
}

// ----------------------------------------------------------------- partial

/// A partial's (func, args, keywords).
type PartialParts = (Value, Vec<Value>, Vec<(Rc<PyStr>, Value)>);

/// Implementations by class, in registration order.
type Registry = Rc<RefCell<Vec<(Rc<Class>, Value)>>>;

/// An lru wrapper's (func, maxsize, typed, cache, kwd_mark).
type LruParts = (Value, Option<usize>, bool, Rc<PyDict>, Value);

struct Partial {
    func: Value,
    args: Vec<Value>,
    keywords: Vec<(Rc<PyStr>, Value)>,
}

fn is_callable(vm: &Vm, v: &Value) -> bool {
    super::collections::is_callable(vm, v)
}

fn partial_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("partial.__new__(X): X is not a type object")),
    };
    args.positional.remove(0);
    if args.positional.is_empty() {
        return Err(vm.type_error("type 'partial' takes at least one argument"));
    }
    let mut func = args.positional.remove(0);
    if !is_callable(vm, &func) {
        return Err(vm.type_error("the first argument must be callable"));
    }
    let mut call_args = std::mem::take(&mut args.positional);
    let mut keywords = std::mem::take(&mut args.keywords);
    let exact_partial = matches!(&func, Value::Native(n) if Rc::ptr_eq(&n.class, &class) && class.name().as_str() == "partial");
    if exact_partial {
        if let Some((inner_func, inner_args, inner_kw)) = with_native::<Partial, _>(&func, |p| {
            (p.func.clone(), p.args.clone(), p.keywords.clone())
        }) {
            let mut merged_args = inner_args;
            merged_args.extend(call_args);
            call_args = merged_args;
            let mut merged_kw = inner_kw;
            for (k, v) in keywords {
                match merged_kw
                    .iter_mut()
                    .find(|(mk, _)| mk.as_str() == k.as_str())
                {
                    Some(slot) => slot.1 = v,
                    None => merged_kw.push((k, v)),
                }
            }
            keywords = merged_kw;
            func = inner_func;
        }
    }
    Ok(native_object(
        vm,
        &class,
        Partial {
            func,
            args: call_args,
            keywords,
        },
    ))
}

fn partial_parts(vm: &mut Vm, this: &Value) -> PyResult<PartialParts> {
    match with_native::<Partial, _>(this, |p| {
        (p.func.clone(), p.args.clone(), p.keywords.clone())
    }) {
        Some(parts) => Ok(parts),
        None => Err(vm.type_error("descriptor requires a 'functools.partial' object")),
    }
}

fn partial_call(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__call__", args)?;
    let (func, mut call_args, mut keywords) = partial_parts(vm, &this)?;
    call_args.extend(std::mem::take(&mut args.positional));
    for (k, v) in std::mem::take(&mut args.keywords) {
        match keywords
            .iter_mut()
            .find(|(mk, _)| mk.as_str() == k.as_str())
        {
            Some(slot) => slot.1 = v,
            None => keywords.push((k, v)),
        }
    }
    vm.call_with(&func, call_args, keywords)
}

fn partial_repr(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__repr__", args)?;
    let (func, call_args, keywords) = partial_parts(vm, &this)?;
    let class = vm.class_of(&this);
    let qualname = class.qualname.borrow().as_str().to_string();
    let module = class.module.as_str().to_string();
    let text = super::support::repr_guarded(vm, &this, "...", |vm| {
        let mut parts = vec![vm.repr_of(&func)?];
        for a in &call_args {
            parts.push(vm.repr_of(a)?);
        }
        for (k, v) in &keywords {
            parts.push(format!("{}={}", k.as_str(), vm.repr_of(v)?));
        }
        Ok(format!("{module}.{qualname}({})", parts.join(", ")))
    })?;
    Ok(Value::string(text))
}

fn partial_copy(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__copy__", args)?;
    let (func, args, keywords) = partial_parts(vm, &this)?;
    let class = vm.class_of(&this);
    Ok(native_object(
        vm,
        &class,
        Partial {
            func,
            args,
            keywords,
        },
    ))
}

fn partial_func(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("func", args)?;
    Ok(partial_parts(vm, &this)?.0)
}

fn partial_args(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("args", args)?;
    Ok(Value::tuple(partial_parts(vm, &this)?.1))
}

fn partial_keywords(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("keywords", args)?;
    let keywords = partial_parts(vm, &this)?.2;
    let pairs = keywords
        .into_iter()
        .map(|(k, v)| (Value::Str(k), v))
        .collect();
    vm.new_dict(pairs)
}

// ----------------------------------------------------------------- wraps

/// `update_wrapper(wrapper, wrapped)` with the default assignments.
pub fn update_wrapper_impl(vm: &mut Vm, wrapper: &Value, wrapped: &Value) -> PyResult<()> {
    for name in WRAPPER_ASSIGNMENTS {
        if let Some(v) = vm.get_attr_opt(wrapped, name)? {
            set_attribute(vm, wrapper, name, v)?;
        }
    }
    let entries: Vec<(Rc<PyStr>, Value)> = match wrapped {
        Value::Function(f) => f.dict.borrow().iter().cloned().collect(),
        Value::Native(n) => n.dict.borrow().iter().cloned().collect(),
        Value::Instance(i) => crate::vm::attributes::instance_attributes(i),
        _ => Vec::new(),
    };
    for (k, v) in entries {
        set_attribute(vm, wrapper, k.as_str(), v)?;
    }
    set_attribute(vm, wrapper, "__wrapped__", wrapped.clone())
}

fn update_wrapper(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = Sig {
        name: "update_wrapper",
        params: &["wrapper", "wrapped", "assigned", "updated"],
        required: 2,
        kwonly: &[],
        method: false,
    }
    .bind(vm, args)?;
    let wrapper = a[0].clone().unwrap_or(Value::None);
    let wrapped = a[1].clone().unwrap_or(Value::None);
    update_wrapper_impl(vm, &wrapper, &wrapped)?;
    Ok(wrapper)
}

fn wraps(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = Sig {
        name: "wraps",
        params: &["wrapped", "assigned", "updated"],
        required: 1,
        kwonly: &[],
        method: false,
    }
    .bind(vm, args)?;
    let wrapped = a[0].clone().unwrap_or(Value::None);
    Ok(closure(
        "update_wrapper",
        Rc::new(move |vm: &mut Vm, args: &mut Args| {
            let a = vm.parse_args("update_wrapper", args, &["wrapper"], 1)?;
            let wrapper = a[0].clone().unwrap_or(Value::None);
            update_wrapper_impl(vm, &wrapper, &wrapped)?;
            Ok(wrapper)
        }),
    ))
}

// ----------------------------------------------------------------- lru_cache

/// An `lru_cache` wrapper's state. The cache dict keeps LRU order: the
/// oldest entry first.
struct LruCache {
    func: Value,
    maxsize: Option<usize>,
    typed: bool,
    cache: Rc<PyDict>,
    hits: i64,
    misses: i64,
    /// Separates positional from keyword arguments in keys.
    kwd_mark: Value,
}

fn make_lru(vm: &mut Vm, func: Value, maxsize: Option<usize>, typed: bool) -> PyResult<Value> {
    let class = class_named(vm, "_lru_cache_wrapper")?;
    let kwd_mark = native_object(vm, &vm.types.object, ());
    let wrapper = native_object(
        vm,
        &class,
        LruCache {
            func: func.clone(),
            maxsize,
            typed,
            cache: Rc::new(PyDict::new()),
            hits: 0,
            misses: 0,
            kwd_mark,
        },
    );
    update_wrapper_impl(vm, &wrapper, &func)?;
    Ok(wrapper)
}

fn lru_cache(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = Sig {
        name: "lru_cache",
        params: &["maxsize", "typed"],
        required: 0,
        kwonly: &[],
        method: false,
    }
    .bind(vm, args)?;
    let typed = match &a[1] {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    let first = a[0].clone().unwrap_or(Value::Int(128));
    let maxsize = match &first {
        Value::None => None,
        Value::Int(n) => Some((*n).max(0) as usize),
        Value::Bool(b) => Some(usize::from(*b)),
        other if is_callable(vm, other) && a[0].is_some() => {
            // @lru_cache without arguments: the function itself.
            return make_lru(vm, other.clone(), Some(128), typed);
        }
        _ => {
            return Err(
                vm.type_error("Expected first argument to be an integer, a callable, or None")
            )
        }
    };
    Ok(closure(
        "decorating_function",
        Rc::new(move |vm: &mut Vm, args: &mut Args| {
            let a = vm.parse_args("decorating_function", args, &["user_function"], 1)?;
            make_lru(vm, a[0].clone().unwrap_or(Value::None), maxsize, typed)
        }),
    ))
}

fn cache(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = Sig {
        name: "cache",
        params: &["user_function"],
        required: 1,
        kwonly: &[],
        method: false,
    }
    .bind(vm, args)?;
    make_lru(vm, a[0].clone().unwrap_or(Value::None), None, false)
}

fn lru_parts(vm: &mut Vm, this: &Value) -> PyResult<LruParts> {
    match with_native::<LruCache, _>(this, |c| {
        (
            c.func.clone(),
            c.maxsize,
            c.typed,
            c.cache.clone(),
            c.kwd_mark.clone(),
        )
    }) {
        Some(parts) => Ok(parts),
        None => Err(vm.type_error("descriptor requires a '_lru_cache_wrapper' object")),
    }
}

fn lru_call(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__call__", args)?;
    let (func, maxsize, typed, cache, kwd_mark) = lru_parts(vm, &this)?;
    let positional = std::mem::take(&mut args.positional);
    let keywords = std::mem::take(&mut args.keywords);
    let mut key_items = positional.clone();
    if !keywords.is_empty() {
        key_items.push(kwd_mark);
        for (k, v) in &keywords {
            key_items.push(Value::Str(k.clone()));
            key_items.push(v.clone());
        }
    }
    if typed {
        for v in &positional {
            key_items.push(Value::Class(vm.class_of(v)));
        }
        for (_, v) in &keywords {
            key_items.push(Value::Class(vm.class_of(v)));
        }
    }
    let key = Value::tuple(key_items);
    if maxsize == Some(0) {
        with_native::<LruCache, _>(&this, |c| c.misses += 1);
        return vm.call_with(&func, positional, keywords);
    }
    let hash = vm.hash_value(&key)?;
    if let Some(found) = cache.get_hashed(vm, &key, hash)? {
        with_native::<LruCache, _>(&this, |c| c.hits += 1);
        if maxsize.is_some() {
            cache.remove(vm, &key)?;
            cache.set_hashed(vm, key, hash, found.clone())?;
        }
        return Ok(found);
    }
    with_native::<LruCache, _>(&this, |c| c.misses += 1);
    let result = vm.call_with(&func, positional, keywords)?;
    if let Some(max) = maxsize {
        if cache.get_hashed(vm, &key, hash)?.is_some() {
            return Ok(result);
        }
        if cache.len() >= max {
            if let Some((oldest, _)) = cache.items().into_iter().next() {
                cache.remove(vm, &oldest)?;
            }
        }
    }
    cache.set_hashed(vm, key, hash, result.clone())?;
    Ok(result)
}

fn lru_cache_info(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("cache_info", args)?;
    vm.no_args("cache_info", args, 0)?;
    let Some((hits, misses, maxsize, size)) =
        with_native::<LruCache, _>(&this, |c| (c.hits, c.misses, c.maxsize, c.cache.len()))
    else {
        return Err(vm.type_error("descriptor requires a '_lru_cache_wrapper' object"));
    };
    let info = class_named(vm, "_CacheInfo")?;
    let maxsize = maxsize.map(|m| Value::Int(m as i64)).unwrap_or(Value::None);
    Ok(super::namedtuple::new_tuple_instance(
        vm,
        &info,
        vec![
            Value::Int(hits),
            Value::Int(misses),
            maxsize,
            Value::Int(size as i64),
        ],
    ))
}

fn lru_cache_clear(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("cache_clear", args)?;
    vm.no_args("cache_clear", args, 0)?;
    with_native::<LruCache, _>(&this, |c| {
        c.cache.clear();
        c.hits = 0;
        c.misses = 0;
    });
    Ok(Value::None)
}

fn lru_cache_parameters(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("cache_parameters", args)?;
    let (_, maxsize, typed, _, _) = lru_parts(vm, &this)?;
    let maxsize = maxsize.map(|m| Value::Int(m as i64)).unwrap_or(Value::None);
    vm.new_dict(vec![
        (Value::str("maxsize"), maxsize),
        (Value::str("typed"), Value::Bool(typed)),
    ])
}

// ----------------------------------------------------------------- total_ordering

const ORDERING: [&str; 4] = ["__lt__", "__le__", "__gt__", "__ge__"];

/// Derives one comparison from the root one, as `_gt_from_lt` and
/// friends do. `negate`: use `not op_result`; `combine`: `Some(true)` for
/// `op_result or self == other`, `Some(false)` for `op_result and self !=
/// other` (after the optional negation).
fn derived(root: &'static str, negate: bool, combine: Option<bool>) -> Value {
    closure(
        "derived",
        Rc::new(move |vm: &mut Vm, args: &mut Args| {
            let a = vm.parse_args("comparison", args, &["self", "other"], 2)?;
            let this = a[0].clone().unwrap_or(Value::None);
            let other = a[1].clone().unwrap_or(Value::None);
            let class = vm.class_of(&this);
            let Some(method) = class.lookup(root) else {
                return Ok(Value::NotImplemented);
            };
            let r = vm.call(&method, vec![this.clone(), other.clone()])?;
            if matches!(r, Value::NotImplemented) {
                return Ok(r);
            }
            let truth = vm.truthy(&r)?;
            let base = if negate { !truth } else { truth };
            match combine {
                None => Ok(Value::Bool(base)),
                Some(true) => {
                    if base {
                        return Ok(Value::Bool(true));
                    }
                    let eq = vm.compare(CmpOp::Eq, &this, &other)?;
                    Ok(Value::Bool(vm.truthy(&eq)?))
                }
                Some(false) => {
                    if !base {
                        return Ok(Value::Bool(false));
                    }
                    let ne = vm.compare(CmpOp::Ne, &this, &other)?;
                    Ok(Value::Bool(vm.truthy(&ne)?))
                }
            }
        }),
    )
}

fn total_ordering(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("total_ordering", args, &["cls"], 1)?;
    let cls = a[0].clone().unwrap_or(Value::None);
    let Value::Class(class) = &cls else {
        return Err(vm.type_error("total_ordering() needs a class"));
    };
    let object = vm.types.object.clone();
    let roots: Vec<&'static str> = ORDERING
        .iter()
        .copied()
        .filter(|op| match (class.lookup(op), object.lookup(op)) {
            (Some(mine), Some(base)) => !mine.is(&base),
            (Some(_), None) => true,
            _ => false,
        })
        .collect();
    // max(roots) by name: __lt__ > __le__ > __gt__ > __ge__.
    let Some(root) = roots.iter().copied().max() else {
        return Err(vm.error(
            ExcType::ValueError,
            "must define at least one ordering operation: < > <= >=",
        ));
    };
    let table: [(&str, bool, Option<bool>); 3] = match root {
        "__lt__" => [
            ("__gt__", true, Some(false)),
            ("__le__", false, Some(true)),
            ("__ge__", true, None),
        ],
        "__le__" => [
            ("__ge__", true, Some(true)),
            ("__lt__", false, Some(false)),
            ("__gt__", true, None),
        ],
        "__gt__" => [
            ("__lt__", true, Some(false)),
            ("__ge__", false, Some(true)),
            ("__le__", true, None),
        ],
        _ => [
            ("__le__", true, Some(true)),
            ("__gt__", false, Some(false)),
            ("__lt__", true, None),
        ],
    };
    for (name, negate, combine) in table {
        if !roots.contains(&name) {
            let f = with_owner(derived(root, negate, combine), "total_ordering");
            class.dict.borrow_mut().set(name, f);
        }
    }
    Ok(cls)
}

// ----------------------------------------------------------------- cmp_to_key

struct KeyWrapper {
    cmp: Value,
    obj: Option<Value>,
}

fn cmp_to_key(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("cmp_to_key", args, &["mycmp"], 1)?;
    let class = class_named(vm, "KeyWrapper")?;
    Ok(native_object(
        vm,
        &class,
        KeyWrapper {
            cmp: a[0].clone().unwrap_or(Value::None),
            obj: None,
        },
    ))
}

fn key_call(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__call__", args)?;
    let a = vm.parse_args("K", args, &["obj"], 1)?;
    let Some(cmp) = with_native::<KeyWrapper, _>(&this, |k| k.cmp.clone()) else {
        return Err(vm.type_error("KeyWrapper expected"));
    };
    let class = vm.class_of(&this);
    Ok(native_object(
        vm,
        &class,
        KeyWrapper {
            cmp,
            obj: a[0].clone(),
        },
    ))
}

fn key_compare(vm: &mut Vm, args: &mut Args, op: CmpOp) -> PyResult<Value> {
    let this = vm.receiver("__lt__", args)?;
    let other = args.positional.first().cloned().unwrap_or(Value::None);
    let mine = with_native::<KeyWrapper, _>(&this, |k| (k.cmp.clone(), k.obj.clone()));
    let theirs = with_native::<KeyWrapper, _>(&other, |k| k.obj.clone());
    let (Some((cmp, Some(x))), Some(Some(y))) = (mine, theirs) else {
        return Err(vm.type_error("other argument must be K instance"));
    };
    let r = vm.call(&cmp, vec![x, y])?;
    vm.compare(op, &r, &Value::Int(0))
}

fn key_lt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    key_compare(vm, args, CmpOp::Lt)
}
fn key_le(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    key_compare(vm, args, CmpOp::Le)
}
fn key_eq(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    key_compare(vm, args, CmpOp::Eq)
}
fn key_ne(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    key_compare(vm, args, CmpOp::Ne)
}
fn key_gt(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    key_compare(vm, args, CmpOp::Gt)
}
fn key_ge(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    key_compare(vm, args, CmpOp::Ge)
}

// ----------------------------------------------------------------- cached_property

struct CachedProperty {
    func: Value,
    attrname: Option<Rc<PyStr>>,
}

fn cached_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("cached_property.__new__(X): X is not a type object")),
    };
    args.positional.remove(0);
    let a = Sig {
        name: "cached_property.__init__",
        params: &["func"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let func = a[0].clone().unwrap_or(Value::None);
    let doc = vm.get_attr_opt(&func, "__doc__")?.unwrap_or(Value::None);
    let obj = native_object(
        vm,
        &class,
        CachedProperty {
            func,
            attrname: None,
        },
    );
    set_attribute(vm, &obj, "__doc__", doc)?;
    Ok(obj)
}

fn cached_set_name(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__set_name__", args)?;
    let a = vm.parse_args("__set_name__", args, &["owner", "name"], 2)?;
    let name = vm.expect_str(a[1].as_ref().unwrap_or(&Value::None), "name")?;
    with_native::<CachedProperty, _>(&this, |c| c.attrname = Some(name));
    Ok(Value::None)
}

fn cached_get(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__get__", args)?;
    let instance = args.positional.first().cloned().unwrap_or(Value::None);
    if instance.is_none() {
        return Ok(this);
    }
    let Some((func, attrname)) =
        with_native::<CachedProperty, _>(&this, |c| (c.func.clone(), c.attrname.clone()))
    else {
        return Ok(this);
    };
    let name = match attrname {
        Some(n) => n,
        None => match vm.get_attr_opt(&func, "__name__")? {
            Some(Value::Str(s)) => s,
            _ => {
                return Err(vm.type_error(
                    "Cannot use cached_property instance without calling __set_name__ on it.",
                ))
            }
        },
    };
    let Value::Instance(inst) = &instance else {
        let t = vm.type_name(&instance);
        return Err(vm.type_error(format!(
            "No '__dict__' attribute on '{t}' instance to cache '{}' property.",
            name.as_str()
        )));
    };
    if let Some(v) = crate::vm::attributes::instance_attribute(inst, name.as_str()) {
        return Ok(v);
    }
    let value = vm.call(&func, vec![instance.clone()])?;
    vm.set_instance_attribute(inst, &name, value.clone());
    Ok(value)
}

// ----------------------------------------------------------------- singledispatch

struct Dispatcher {
    default: Value,
    registry: Registry,
}

fn singledispatch(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = vm.parse_args("singledispatch", args, &["func"], 1)?;
    let func = a[0].clone().unwrap_or(Value::None);
    let class = class_named(vm, "_singledispatch")?;
    let object = vm.types.object.clone();
    let wrapper = native_object(
        vm,
        &class,
        Dispatcher {
            default: func.clone(),
            registry: Rc::new(RefCell::new(vec![(object, func.clone())])),
        },
    );
    update_wrapper_impl(vm, &wrapper, &func)?;
    Ok(wrapper)
}

fn registry_of(vm: &mut Vm, this: &Value) -> PyResult<Registry> {
    match with_native::<Dispatcher, _>(this, |d| d.registry.clone()) {
        Some(r) => Ok(r),
        None => Err(vm.type_error("singledispatch function expected")),
    }
}

/// The implementation for a class: the first class of its MRO that has
/// one registered.
fn dispatch_for(vm: &mut Vm, this: &Value, class: &Rc<Class>) -> PyResult<Value> {
    let registry = registry_of(vm, this)?;
    let registry = registry.borrow();
    for c in class.mro() {
        if let Some((_, f)) = registry.iter().find(|(k, _)| Rc::ptr_eq(k, &c)) {
            return Ok(f.clone());
        }
    }
    Ok(with_native::<Dispatcher, _>(this, |d| d.default.clone()).unwrap_or(Value::None))
}

fn dispatch_call(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__call__", args)?;
    let Some(first) = args.positional.first().cloned() else {
        let name = vm
            .get_attr_opt(&this, "__name__")?
            .map(|n| vm.str_of(&n))
            .transpose()?
            .unwrap_or_else(|| "singledispatch function".into());
        return Err(vm.type_error(format!("{name} requires at least 1 positional argument")));
    };
    let class = vm.class_of(&first);
    let f = dispatch_for(vm, &this, &class)?;
    vm.call_with(
        &f,
        std::mem::take(&mut args.positional),
        std::mem::take(&mut args.keywords),
    )
}

fn dispatch_dispatch(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("dispatch", args)?;
    let a = vm.parse_args("dispatch", args, &["cls"], 1)?;
    match a[0].clone() {
        Some(Value::Class(c)) => dispatch_for(vm, &this, &c),
        _ => Err(vm.type_error("dispatch() needs a class")),
    }
}

fn dispatch_register(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("register", args)?;
    let a = vm.parse_args("register", args, &["cls", "func"], 1)?;
    let cls = a[0].clone().unwrap_or(Value::None);
    let registry = registry_of(vm, &this)?;
    match (&cls, a[1].clone()) {
        (Value::Class(c), Some(func)) => {
            registry.borrow_mut().push((c.clone(), func.clone()));
            Ok(func)
        }
        (Value::Class(c), None) => {
            let c = c.clone();
            Ok(closure(
                "register",
                Rc::new(move |vm: &mut Vm, args: &mut Args| {
                    let a = vm.parse_args("register", args, &["func"], 1)?;
                    let func = a[0].clone().unwrap_or(Value::None);
                    registry.borrow_mut().push((c.clone(), func.clone()));
                    Ok(func)
                }),
            ))
        }
        (func, None) => {
            let annotations = vm
                .get_attr_opt(func, "__annotations__")?
                .unwrap_or(Value::None);
            let first = annotations.as_dict().and_then(|d| {
                d.items()
                    .into_iter()
                    .find(|(k, _)| !matches!(k, Value::Str(s) if s.as_str() == "return"))
                    .map(|(_, v)| v)
            });
            match first {
                Some(Value::Class(c)) => {
                    registry.borrow_mut().push((c, func.clone()));
                    Ok(func.clone())
                }
                Some(other) => {
                    let r = vm.repr_of(&other)?;
                    Err(vm.type_error(format!("Invalid annotation for 'x'. {r} is not a class.")))
                }
                None => {
                    let r = vm.repr_of(func)?;
                    Err(vm.type_error(format!(
                        "Invalid first argument to `register()`: {r}. Use either `@register(some_class)` or plain `@register` on an annotated function."
                    )))
                }
            }
        }
        (_, Some(_)) => Err(vm.type_error("register() expects a class as first argument")),
    }
}

fn dispatch_registry(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("registry", args)?;
    let registry = registry_of(vm, &this)?;
    let pairs: Vec<(Value, Value)> = registry
        .borrow()
        .iter()
        .map(|(c, f)| (Value::Class(c.clone()), f.clone()))
        .collect();
    vm.new_dict(pairs)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ordering_root_is_the_max_name() {
        let mut names = super::ORDERING.to_vec();
        names.sort();
        assert_eq!(names.last(), Some(&"__lt__"));
    }
}
