//! `collections.namedtuple` and the tuple classes with named fields it
//! shares with `time.struct_time`: a class whose instances are tuples
//! (`Layout::Tuple`), with one read-only property per field, `_fields`,
//! `_field_defaults`, `_make`, `_replace`, `_asdict` and the
//! `Point(x=1, y=2)` repr, as Lib/collections/__init__.py builds them.

use std::cell::RefCell;
use std::rc::Rc;

use super::support::{closure, property, Sig};
use crate::builtins::native_object;
use crate::value::{Args, Class, Instance, Layout, Payload, PyResult, Value};
use crate::vm::{ExcType, Vm};

/// A new instance of a tuple class holding `items`.
pub fn new_tuple_instance(vm: &Vm, class: &Rc<Class>, items: Vec<Value>) -> Value {
    Value::Instance(Rc::new(Instance {
        class: RefCell::new(class.clone()),
        dict: Default::default(),
        dict_object: Default::default(),
        payload: Payload::Value(RefCell::new(Value::tuple(items))),
        id: vm.ids.next(),
        finalizer: vm.finalizer_for(class),
    }))
}

/// The items of a tuple or of an instance of a tuple subclass.
pub fn tuple_items(v: &Value) -> Option<Vec<Value>> {
    match v.unwrap_builtin() {
        Value::Tuple(t) => Some(t.items.clone()),
        _ => None,
    }
}

/// A tuple subclass with a read-only property per field (`_tuplegetter`),
/// no methods yet.
pub fn tuple_class(
    vm: &mut Vm,
    name: &str,
    module: &str,
    fields: &[String],
) -> PyResult<Rc<Class>> {
    let class = match crate::vm::types::new_class(
        &vm.ids,
        name,
        module,
        vec![vm.types.tuple.clone()],
        Layout::Tuple,
        false,
    ) {
        Ok(c) => c,
        Err(message) => return Err(vm.type_error(message)),
    };
    let cant_set = closure(
        "__set__",
        Rc::new(|vm: &mut Vm, _args: &mut Args| {
            Err(vm.error(ExcType::AttributeError, "can't set attribute"))
        }),
    );
    let cant_delete = closure(
        "__delete__",
        Rc::new(|vm: &mut Vm, _args: &mut Args| {
            Err(vm.error(ExcType::AttributeError, "can't delete attribute"))
        }),
    );
    let mut dict = class.dict.borrow_mut();
    dict.set("__module__", Value::str(module));
    for (index, field) in fields.iter().enumerate() {
        let get = closure(
            field,
            Rc::new(move |vm: &mut Vm, args: &mut Args| {
                let this = args.positional.first().cloned().unwrap_or(Value::None);
                match tuple_items(&this).and_then(|items| items.get(index).cloned()) {
                    Some(v) => Ok(v),
                    None => Err(vm.error(ExcType::IndexError, "tuple index out of range")),
                }
            }),
        );
        dict.set(
            field,
            property(vm, get, cant_set.clone(), cant_delete.clone()),
        );
    }
    dict.set(
        "_fields",
        Value::tuple(fields.iter().map(|f| Value::str(f)).collect()),
    );
    drop(dict);
    Ok(class)
}

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// `str.isidentifier()` (letters, digits, underscores; no leading digit).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// `namedtuple(typename, field_names, *, rename=False, defaults=None,
/// module=None)`.
pub fn namedtuple(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let a = Sig {
        name: "namedtuple",
        params: &["typename", "field_names"],
        required: 2,
        kwonly: &["rename", "defaults", "module"],
        method: false,
    }
    .bind(vm, args)?;
    let typename_value = a[0].clone().unwrap_or(Value::None);
    let typename = vm.str_of(&typename_value)?;
    let field_names = a[1].clone().unwrap_or(Value::None);
    let rename = match &a[2] {
        Some(v) => vm.truthy(v)?,
        None => false,
    };
    let mut fields: Vec<String> = match &field_names {
        Value::Str(s) => s
            .as_str()
            .replace(',', " ")
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        other => {
            let items = vm.collect(other)?;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(vm.str_of(&item)?);
            }
            out
        }
    };
    if rename {
        let mut seen: Vec<String> = Vec::new();
        for (index, name) in fields.iter_mut().enumerate() {
            if !is_identifier(name)
                || KEYWORDS.contains(&name.as_str())
                || name.starts_with('_')
                || seen.contains(name)
            {
                *name = format!("_{index}");
            }
            seen.push(name.clone());
        }
    }
    for name in std::iter::once(&typename).chain(fields.iter()) {
        if !is_identifier(name) {
            return Err(vm.error(
                ExcType::ValueError,
                format!(
                    "Type names and field names must be valid identifiers: {}",
                    crate::vm::repr::str_repr(name)
                ),
            ));
        }
        if KEYWORDS.contains(&name.as_str()) {
            return Err(vm.error(
                ExcType::ValueError,
                format!(
                    "Type names and field names cannot be a keyword: {}",
                    crate::vm::repr::str_repr(name)
                ),
            ));
        }
    }
    let mut seen: Vec<&String> = Vec::new();
    for name in &fields {
        if name.starts_with('_') && !rename {
            return Err(vm.error(
                ExcType::ValueError,
                format!(
                    "Field names cannot start with an underscore: {}",
                    crate::vm::repr::str_repr(name)
                ),
            ));
        }
        if seen.contains(&name) {
            return Err(vm.error(
                ExcType::ValueError,
                format!(
                    "Encountered duplicate field name: {}",
                    crate::vm::repr::str_repr(name)
                ),
            ));
        }
        seen.push(name);
    }
    let defaults: Vec<Value> = match &a[3] {
        Some(Value::None) | None => Vec::new(),
        Some(d) => vm.collect(d)?,
    };
    if defaults.len() > fields.len() {
        return Err(vm.type_error("Got more default values than field names"));
    }
    let module = match &a[4] {
        Some(Value::None) | None => "__main__".to_string(),
        Some(m) => vm.str_of(m)?,
    };
    let class = tuple_class(vm, &typename, &module, &fields)?;
    let fields = Rc::new(fields);
    let defaults = Rc::new(defaults);

    let field_defaults = crate::value::PyDict::new();
    let first_default = fields.len() - defaults.len();
    for (name, value) in fields[first_default..].iter().zip(defaults.iter()) {
        field_defaults.set(vm, Value::str(name), value.clone())?;
    }
    let doc = format!("{typename}({})", fields.join(", "));

    let new = {
        let fields = fields.clone();
        let defaults = defaults.clone();
        let qualname = format!("{typename}.__new__");
        closure(
            "__new__",
            Rc::new(move |vm: &mut Vm, args: &mut Args| {
                if args.positional.is_empty() {
                    return Err(vm.type_error(format!(
                        "{qualname}() missing 1 required positional argument: '_cls'"
                    )));
                }
                let cls = args.positional.remove(0);
                let Value::Class(cls) = cls else {
                    return Err(vm.type_error(format!("{qualname}(X): X is not a type object")));
                };
                let names: Vec<&str> = fields.iter().map(String::as_str).collect();
                let mut given = Args {
                    positional: std::mem::take(&mut args.positional),
                    keywords: std::mem::take(&mut args.keywords),
                };
                let sig = Sig {
                    name: &qualname,
                    params: &names,
                    required: fields.len() - defaults.len(),
                    kwonly: &[],
                    method: true,
                };
                let mut slots = sig.bind(vm, &mut given)?;
                let first_default = fields.len() - defaults.len();
                let mut missing = Vec::new();
                for (i, slot) in slots.iter_mut().enumerate() {
                    if slot.is_none() {
                        if i >= first_default {
                            *slot = Some(defaults[i - first_default].clone());
                        } else {
                            missing.push(format!("'{}'", fields[i]));
                        }
                    }
                }
                if !missing.is_empty() {
                    let list = match missing.len() {
                        1 => missing[0].clone(),
                        2 => format!("{} and {}", missing[0], missing[1]),
                        n => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
                    };
                    let plural = if missing.len() == 1 { "" } else { "s" };
                    return Err(vm.type_error(format!(
                        "{qualname}() missing {} required positional argument{plural}: {list}",
                        missing.len()
                    )));
                }
                let items = slots
                    .into_iter()
                    .map(|s| s.unwrap_or(Value::None))
                    .collect();
                Ok(new_tuple_instance(vm, &cls, items))
            }),
        )
    };

    let make = {
        let fields = fields.clone();
        closure(
            "_make",
            Rc::new(move |vm: &mut Vm, args: &mut Args| {
                let a = Sig {
                    name: "_make",
                    params: &["cls", "iterable"],
                    required: 2,
                    kwonly: &[],
                    method: false,
                }
                .bind(vm, args)?;
                let Some(Value::Class(cls)) = a[0].clone() else {
                    return Err(vm.type_error("_make() needs a class"));
                };
                let items = vm.collect(a[1].as_ref().unwrap_or(&Value::None))?;
                if items.len() != fields.len() {
                    return Err(vm.type_error(format!(
                        "Expected {} arguments, got {}",
                        fields.len(),
                        items.len()
                    )));
                }
                Ok(new_tuple_instance(vm, &cls, items))
            }),
        )
    };

    let replace = {
        let fields = fields.clone();
        closure(
            "_replace",
            Rc::new(move |vm: &mut Vm, args: &mut Args| {
                let this = vm.receiver("_replace", args)?;
                if !args.positional.is_empty() {
                    let n = args.positional.len() + 1;
                    return Err(vm.type_error(format!(
                        "_replace() takes 1 positional argument but {n} were given"
                    )));
                }
                let mut items = tuple_items(&this).unwrap_or_default();
                let mut unknown = Vec::new();
                for (key, value) in std::mem::take(&mut args.keywords) {
                    match fields.iter().position(|f| f == key.as_str()) {
                        Some(i) if i < items.len() => items[i] = value,
                        _ => unknown.push(Value::Str(key)),
                    }
                }
                if !unknown.is_empty() {
                    let list = vm.repr_of(&Value::list(unknown))?;
                    return Err(vm.error(
                        ExcType::ValueError,
                        format!("Got unexpected field names: {list}"),
                    ));
                }
                let class = vm.class_of(&this);
                Ok(new_tuple_instance(vm, &class, items))
            }),
        )
    };

    let asdict = {
        let fields = fields.clone();
        closure(
            "_asdict",
            Rc::new(move |vm: &mut Vm, args: &mut Args| {
                let this = vm.receiver("_asdict", args)?;
                vm.no_args("_asdict", args, 0)?;
                let items = tuple_items(&this).unwrap_or_default();
                let pairs = fields
                    .iter()
                    .zip(items)
                    .map(|(f, v)| (Value::str(f), v))
                    .collect();
                vm.new_dict(pairs)
            }),
        )
    };

    let repr = {
        let fields = fields.clone();
        closure(
            "__repr__",
            Rc::new(move |vm: &mut Vm, args: &mut Args| {
                let this = vm.receiver("__repr__", args)?;
                let items = tuple_items(&this).unwrap_or_default();
                let name = vm.class_of(&this).name().as_str().to_string();
                let mut parts = Vec::with_capacity(items.len());
                for (f, v) in fields.iter().zip(items.iter()) {
                    parts.push(format!("{f}={}", vm.repr_of(v)?));
                }
                Ok(Value::string(format!("{name}({})", parts.join(", "))))
            }),
        )
    };

    let getnewargs = closure(
        "__getnewargs__",
        Rc::new(|vm: &mut Vm, args: &mut Args| {
            let this = vm.receiver("__getnewargs__", args)?;
            Ok(Value::tuple(tuple_items(&this).unwrap_or_default()))
        }),
    );

    let make = native_object(vm, &vm.types.named("classmethod"), make);
    let mut dict = class.dict.borrow_mut();
    dict.set("__new__", new);
    dict.set("_make", make);
    dict.set("_replace", as_method(replace));
    dict.set("_asdict", as_method(asdict));
    dict.set("__repr__", as_method(repr));
    dict.set("__getnewargs__", as_method(getnewargs));
    dict.set("__doc__", Value::string(doc));
    dict.set("__slots__", Value::tuple(Vec::new()));
    dict.set("_field_defaults", Value::Dict(Rc::new(field_defaults)));
    dict.set(
        "__match_args__",
        Value::tuple(fields.iter().map(|f| Value::str(f)).collect()),
    );
    drop(dict);
    Ok(Value::Class(class))
}

/// A closure that binds to instances like a method.
pub fn as_method(f: Value) -> Value {
    super::support::with_owner(f, "namedtuple")
}

/// A struct sequence type (`sys.version_info`, `sys.float_info`): a tuple
/// class with named fields whose repr reads `module.name(field=value, ...)`.
pub fn struct_sequence(
    vm: &mut Vm,
    name: &str,
    module: &str,
    fields: &[&str],
) -> PyResult<Rc<Class>> {
    let owned: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    let class = tuple_class(vm, name, module, &owned)?;
    let title = format!("{module}.{name}");
    let names = Rc::new(owned);
    let repr = as_method(closure(
        "__repr__",
        Rc::new(move |vm: &mut Vm, args: &mut Args| {
            let this = vm.receiver("__repr__", args)?;
            let items = tuple_items(&this).unwrap_or_default();
            let mut parts = Vec::with_capacity(items.len());
            for (f, v) in names.iter().zip(items.iter()) {
                parts.push(format!("{f}={}", vm.repr_of(v)?));
            }
            Ok(Value::string(format!("{title}({})", parts.join(", "))))
        }),
    ));
    class.dict.borrow_mut().set("__repr__", repr);
    Ok(class)
}
