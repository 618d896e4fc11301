//! The `json` module, natively: `dumps`/`loads` with CPython 3.11's
//! exact output and errors (encoder in [`encoder`], decoder in
//! [`decoder`]), `JSONEncoder` and `JSONDecoder` classes that programs may
//! subclass (a `default` method, a custom `encode`), `JSONDecodeError`
//! with `msg`/`doc`/`pos`/`lineno`/`colno`, and the `json.encoder` /
//! `json.decoder` submodules. `dump` and `load` need files, which the
//! simulated world does not have.

pub mod decoder;
pub mod encoder;

use std::rc::Rc;

use self::decoder::{skip_ws, DecoderOptions, ScanError, Scanner};
use self::encoder::{encode_string, Encoder, EncoderOptions, Output};
use super::support::{arg, closure, exception_class, Sig};
use crate::builtins::{add_methods, new_module};
use crate::value::{Args, Class, Layout, Module, PyResult, PyStr, Unwind, Value};
use crate::vm::{ExcType, Vm};

/// The classes one `json` module instance made.
struct JsonClasses {
    encoder: Rc<Class>,
    decoder: Rc<Class>,
    error: Rc<Class>,
}

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("json");
    let error = exception_class(vm, "JSONDecodeError", "json.decoder", ExcType::ValueError);
    add_methods(&error, "JSONDecodeError", &[("__init__", error_init)]);
    let encoder_class = plain_class(vm, "JSONEncoder", "json.encoder")?;
    add_methods(
        &encoder_class,
        "JSONEncoder",
        &[
            ("__init__", encoder_init),
            ("default", encoder_default),
            ("encode", encoder_encode),
            ("iterencode", encoder_iterencode),
        ],
    );
    {
        let mut dict = encoder_class.dict.borrow_mut();
        dict.set("item_separator", Value::str(", "));
        dict.set("key_separator", Value::str(": "));
    }
    let decoder_class = plain_class(vm, "JSONDecoder", "json.decoder")?;
    let classes = Rc::new(JsonClasses {
        encoder: encoder_class.clone(),
        decoder: decoder_class.clone(),
        error: error.clone(),
    });
    let decode = {
        let classes = classes.clone();
        closure(
            "decode",
            Rc::new(move |vm: &mut Vm, args: &mut Args| decoder_decode(vm, &classes, args)),
        )
    };
    let raw_decode = {
        let classes = classes.clone();
        closure(
            "raw_decode",
            Rc::new(move |vm: &mut Vm, args: &mut Args| decoder_raw_decode(vm, &classes, args)),
        )
    };
    add_methods(&decoder_class, "JSONDecoder", &[("__init__", decoder_init)]);
    {
        let mut dict = decoder_class.dict.borrow_mut();
        dict.set("decode", super::support::with_owner(decode, "JSONDecoder"));
        dict.set(
            "raw_decode",
            super::support::with_owner(raw_decode, "JSONDecoder"),
        );
    }
    let functions: &[(&str, JsonFn)] = &[
        ("dumps", dumps),
        ("loads", loads),
        ("dump", dump),
        ("load", load),
    ];
    {
        let mut dict = module.dict.borrow_mut();
        for (name, f) in functions {
            let f = *f;
            let classes = classes.clone();
            dict.set(
                name,
                closure(
                    name,
                    Rc::new(move |vm: &mut Vm, args: &mut Args| f(vm, &classes, args)),
                ),
            );
        }
        dict.set("JSONEncoder", Value::Class(encoder_class.clone()));
        dict.set("JSONDecoder", Value::Class(decoder_class.clone()));
        dict.set("JSONDecodeError", Value::Class(error.clone()));
    }
    let encoder_module = new_module("json.encoder");
    encoder_module
        .dict
        .borrow_mut()
        .set("JSONEncoder", Value::Class(encoder_class));
    let decoder_module = new_module("json.decoder");
    {
        let mut dict = decoder_module.dict.borrow_mut();
        dict.set("JSONDecoder", Value::Class(decoder_class));
        dict.set("JSONDecodeError", Value::Class(error));
    }
    {
        let mut dict = module.dict.borrow_mut();
        dict.set("encoder", Value::Module(encoder_module.clone()));
        dict.set("decoder", Value::Module(decoder_module.clone()));
    }
    vm.modules
        .set("json.encoder", Value::Module(encoder_module));
    vm.modules
        .set("json.decoder", Value::Module(decoder_module));
    Ok(module)
}

type JsonFn = fn(&mut Vm, &Rc<JsonClasses>, &mut Args) -> PyResult<Value>;

/// A class programs can subclass (instances are plain objects).
fn plain_class(vm: &mut Vm, name: &str, module: &str) -> PyResult<Rc<Class>> {
    let class = crate::vm::types::new_class(
        &vm.ids,
        name,
        module,
        vec![vm.types.object.clone()],
        Layout::Object,
        false,
    )
    .map_err(|message| vm.type_error(message))?;
    class
        .dict
        .borrow_mut()
        .set("__module__", Value::str(module));
    Ok(class)
}

fn name(s: &str) -> Rc<PyStr> {
    Rc::new(PyStr::new(s))
}

// ------------------------------------------------------------ errors

/// `JSONDecodeError.__init__(msg, doc, pos)`: the message gains
/// `: line L column C (char P)`.
fn error_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__init__", args)?;
    let a = Sig {
        name: "JSONDecodeError.__init__",
        params: &["msg", "doc", "pos"],
        required: 3,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let (msg, doc, pos) = (arg(&a, 0), arg(&a, 1), arg(&a, 2));
    let p = vm.to_index(&pos)?;
    let text: Vec<char> = match doc.unwrap_builtin() {
        Value::Str(s) => s.as_str().chars().collect(),
        _ => Vec::new(),
    };
    let upto = usize::try_from(p).unwrap_or(0).min(text.len());
    let before = text.get(..upto).unwrap_or(&[]);
    let lineno = before.iter().filter(|&&c| c == '\n').count() + 1;
    let colno = match before.iter().rposition(|&c| c == '\n') {
        Some(i) => upto - i,
        None => upto + 1,
    };
    let m = vm.str_of(&msg)?;
    let full = format!("{m}: line {lineno} column {colno} (char {p})");
    if let Some(data) = this.as_exception() {
        *data.args.borrow_mut() = Value::tuple(vec![Value::string(full)]);
    }
    for (attr, value) in [
        ("msg", msg),
        ("doc", doc),
        ("pos", pos),
        ("lineno", Value::Int(lineno as i64)),
        ("colno", Value::Int(colno as i64)),
    ] {
        vm.set_attr(&this, &name(attr), value)?;
    }
    Ok(Value::None)
}

fn decode_error(vm: &mut Vm, classes: &JsonClasses, msg: &str, doc: &Value, pos: usize) -> Unwind {
    let args = vec![Value::str(msg), doc.clone(), Value::Int(pos as i64)];
    match vm.call(&Value::Class(classes.error.clone()), args) {
        Ok(exc) => Unwind::Exception(exc),
        Err(e) => e,
    }
}

// ------------------------------------------------------------ encoding

/// `' ' * indent` for an int indent, the string itself for a str.
fn indent_text(vm: &mut Vm, indent: &Value) -> PyResult<Option<String>> {
    Ok(match indent.unwrap_builtin() {
        Value::None => None,
        Value::Str(s) => Some(s.as_str().to_string()),
        Value::Int(n) => Some(" ".repeat(usize::try_from(n).unwrap_or(0))),
        Value::Bool(b) => Some(" ".repeat(usize::from(b))),
        _ => {
            let t = vm.type_name(indent);
            return Err(vm.type_error(format!("can't multiply sequence by non-int of type '{t}'")));
        }
    })
}

fn separator_text(vm: &mut Vm, v: &Value) -> PyResult<String> {
    match v.unwrap_builtin() {
        Value::Str(s) => Ok(s.as_str().to_string()),
        _ => {
            let t = vm.type_name(v);
            Err(vm.type_error(format!("make_encoder() argument 6 must be str, not {t}")))
        }
    }
}

/// The `(item_separator, key_separator)` pair of a `separators=` value.
fn separators_of(vm: &mut Vm, v: &Value) -> PyResult<(String, String)> {
    let parts = vm.unpack(v, 2)?;
    let item = separator_text(vm, &parts[0])?;
    let key = separator_text(vm, &parts[1])?;
    Ok((item, key))
}

/// Runs the encoder over `obj`.
fn run_encoder(vm: &mut Vm, obj: &Value, opts: &EncoderOptions, chunks: bool) -> PyResult<Output> {
    let mut encoder = Encoder::new(opts, chunks);
    encoder.encode(vm, obj, 0)?;
    Ok(encoder.finish())
}

fn joined(output: Output) -> String {
    match output {
        Output::Joined(s) => s,
        Output::Chunks(c) => c.concat(),
    }
}

/// Takes out of `args` the keywords not in `known` (they go on to `cls`,
/// as CPython's `**kw`), leaving the known ones to bind.
fn take_other_keywords(args: &mut Args, known: &[&str]) -> crate::vm::call::Keywords {
    let (kept, other) = std::mem::take(&mut args.keywords)
        .into_iter()
        .partition(|(k, _)| known.contains(&k.as_str()));
    args.keywords = kept;
    other
}

/// `json.dumps(obj, *, skipkeys=False, ensure_ascii=True,
/// check_circular=True, allow_nan=True, cls=None, indent=None,
/// separators=None, default=None, sort_keys=False, **kw)`.
fn dumps(vm: &mut Vm, _classes: &Rc<JsonClasses>, args: &mut Args) -> PyResult<Value> {
    const KWONLY: &[&str] = &[
        "skipkeys",
        "ensure_ascii",
        "check_circular",
        "allow_nan",
        "cls",
        "indent",
        "separators",
        "default",
        "sort_keys",
    ];
    let extra = take_other_keywords(args, KWONLY);
    let a = Sig {
        name: "dumps",
        params: &["obj"],
        required: 1,
        kwonly: KWONLY,
        method: false,
    }
    .bind(vm, args)?;
    let obj = arg(&a, 0);
    let given = |i: usize| a.get(1 + i).cloned().flatten();
    let cls = given(4).filter(|v| !v.is_none());
    if cls.is_some() || !extra.is_empty() {
        let cls = cls.unwrap_or_else(|| Value::Class(_classes.encoder.clone()));
        let mut kwargs: Vec<(Rc<PyStr>, Value)> = Vec::new();
        for (i, key) in KWONLY.iter().enumerate() {
            if *key == "cls" {
                continue;
            }
            let value = given(i).unwrap_or_else(|| default_of(key));
            kwargs.push((name(key), value));
        }
        kwargs.extend(extra);
        let encoder = vm.call_with(&cls, Vec::new(), kwargs)?;
        let encode = vm.get_attr(&encoder, &name("encode"))?;
        return vm.call(&encode, vec![obj]);
    }
    let flag = |vm: &mut Vm, i: usize, default: bool| -> PyResult<bool> {
        match given(i) {
            Some(v) => vm.truthy(&v),
            None => Ok(default),
        }
    };
    let skipkeys = flag(vm, 0, false)?;
    let ensure_ascii = flag(vm, 1, true)?;
    let check_circular = flag(vm, 2, true)?;
    let allow_nan = flag(vm, 3, true)?;
    let sort_keys = flag(vm, 8, false)?;
    let indent = match given(5) {
        Some(v) => indent_text(vm, &v)?,
        None => None,
    };
    let (mut item_separator, key_separator) = match given(6).filter(|v| !v.is_none()) {
        Some(v) => separators_of(vm, &v)?,
        None => (", ".to_string(), ": ".to_string()),
    };
    if given(6).filter(|v| !v.is_none()).is_none() && indent.is_some() {
        item_separator = ",".to_string();
    }
    let default = given(7).filter(|v| !v.is_none());
    let opts = EncoderOptions {
        skipkeys,
        ensure_ascii,
        check_circular,
        allow_nan,
        sort_keys,
        c_encoder: indent.is_none(),
        indent,
        item_separator,
        key_separator,
        default,
    };
    if let Value::Str(s) = obj.unwrap_builtin() {
        return Ok(Value::string(encode_string(s.as_str(), opts.ensure_ascii)));
    }
    let out = run_encoder(vm, &obj, &opts, false)?;
    Ok(Value::string(joined(out)))
}

/// The value `dumps` passes for a keyword the caller left out.
fn default_of(key: &str) -> Value {
    match key {
        "ensure_ascii" | "check_circular" | "allow_nan" => Value::Bool(true),
        "skipkeys" | "sort_keys" => Value::Bool(false),
        _ => Value::None,
    }
}

fn dump(vm: &mut Vm, _classes: &Rc<JsonClasses>, _args: &mut Args) -> PyResult<Value> {
    Err(vm.unsupported(
        "json.dump() writes to a file; the simulated world has no files (use json.dumps())",
    ))
}

fn load(vm: &mut Vm, _classes: &Rc<JsonClasses>, _args: &mut Args) -> PyResult<Value> {
    Err(vm.unsupported(
        "json.load() reads a file; the simulated world has no files (use json.loads())",
    ))
}

/// `JSONEncoder.__init__(self, *, skipkeys=False, ensure_ascii=True,
/// check_circular=True, allow_nan=True, sort_keys=False, indent=None,
/// separators=None, default=None)`.
fn encoder_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__init__", args)?;
    const KWONLY: &[&str] = &[
        "skipkeys",
        "ensure_ascii",
        "check_circular",
        "allow_nan",
        "sort_keys",
        "indent",
        "separators",
        "default",
    ];
    let a = Sig {
        name: "JSONEncoder.__init__",
        params: &[],
        required: 0,
        kwonly: KWONLY,
        method: true,
    }
    .bind(vm, args)?;
    let get = |i: usize, default: Value| a.get(i).cloned().flatten().unwrap_or(default);
    let settings = [
        ("skipkeys", get(0, Value::Bool(false))),
        ("ensure_ascii", get(1, Value::Bool(true))),
        ("check_circular", get(2, Value::Bool(true))),
        ("allow_nan", get(3, Value::Bool(true))),
        ("sort_keys", get(4, Value::Bool(false))),
        ("indent", get(5, Value::None)),
    ];
    for (attr, value) in settings {
        vm.set_attr(&this, &name(attr), value)?;
    }
    let separators = get(6, Value::None);
    let indent = get(5, Value::None);
    if !separators.is_none() {
        let parts = vm.unpack(&separators, 2)?;
        vm.set_attr(&this, &name("item_separator"), parts[0].clone())?;
        vm.set_attr(&this, &name("key_separator"), parts[1].clone())?;
    } else if !indent.is_none() {
        vm.set_attr(&this, &name("item_separator"), Value::str(","))?;
    }
    let default = get(7, Value::None);
    if !default.is_none() {
        vm.set_attr(&this, &name("default"), default)?;
    }
    Ok(Value::None)
}

/// `JSONEncoder.default(self, o)`: always a TypeError.
fn encoder_default(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let _this = vm.receiver("default", args)?;
    let a = Sig {
        name: "JSONEncoder.default",
        params: &["o"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    Err(encoder::not_serializable(vm, &arg(&a, 0)))
}

/// The options an encoder object carries in its attributes.
fn encoder_options(vm: &mut Vm, this: &Value, one_shot: bool) -> PyResult<EncoderOptions> {
    let flag = |vm: &mut Vm, attr: &str| -> PyResult<bool> {
        let v = vm.get_attr(this, &name(attr))?;
        vm.truthy(&v)
    };
    let skipkeys = flag(vm, "skipkeys")?;
    let ensure_ascii = flag(vm, "ensure_ascii")?;
    let check_circular = flag(vm, "check_circular")?;
    let allow_nan = flag(vm, "allow_nan")?;
    let sort_keys = flag(vm, "sort_keys")?;
    let indent_value = vm.get_attr(this, &name("indent"))?;
    let indent = indent_text(vm, &indent_value)?;
    let item = vm.get_attr(this, &name("item_separator"))?;
    let item_separator = separator_text(vm, &item)?;
    let key = vm.get_attr(this, &name("key_separator"))?;
    let key_separator = separator_text(vm, &key)?;
    let default = vm.get_attr(this, &name("default"))?;
    Ok(EncoderOptions {
        skipkeys,
        ensure_ascii,
        check_circular,
        allow_nan,
        sort_keys,
        c_encoder: one_shot && indent.is_none(),
        indent,
        item_separator,
        key_separator,
        default: Some(default),
    })
}

/// Is `method` of the receiver's class the base JSONEncoder one?
fn inherits(vm: &Vm, this: &Value, method: &str, base: crate::value::NativeFnPtr) -> bool {
    match vm.class_of(this).lookup(method) {
        Some(Value::Builtin(b)) => {
            matches!(b.func, crate::value::NativeFn::Plain(f) if f as usize == base as usize)
        }
        _ => false,
    }
}

/// `JSONEncoder.encode(self, o)`.
fn encoder_encode(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("encode", args)?;
    let a = Sig {
        name: "JSONEncoder.encode",
        params: &["o"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let obj = arg(&a, 0);
    if let Value::Str(s) = obj.unwrap_builtin() {
        let ascii = vm.get_attr(&this, &name("ensure_ascii"))?;
        let ascii = vm.truthy(&ascii)?;
        return Ok(Value::string(encode_string(s.as_str(), ascii)));
    }
    if !inherits(vm, &this, "iterencode", encoder_iterencode) {
        let iterencode = vm.get_attr(&this, &name("iterencode"))?;
        let chunks = vm.call_with(
            &iterencode,
            vec![obj],
            vec![(name("_one_shot"), Value::Bool(true))],
        )?;
        let parts = vm.collect(&chunks)?;
        let mut out = String::new();
        for (i, part) in parts.iter().enumerate() {
            match part.unwrap_builtin() {
                Value::Str(s) => out.push_str(s.as_str()),
                _ => {
                    let t = vm.type_name(part);
                    return Err(vm.type_error(format!(
                        "sequence item {i}: expected str instance, {t} found"
                    )));
                }
            }
        }
        return Ok(Value::string(out));
    }
    let opts = encoder_options(vm, &this, true)?;
    let out = run_encoder(vm, &obj, &opts, false)?;
    Ok(Value::string(joined(out)))
}

/// `JSONEncoder.iterencode(self, o, _one_shot=False)`: an iterator over
/// the chunks the Python encoder yields.
fn encoder_iterencode(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("iterencode", args)?;
    let a = Sig {
        name: "JSONEncoder.iterencode",
        params: &["o", "_one_shot"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let obj = arg(&a, 0);
    let one_shot = match a.get(1).cloned().flatten() {
        Some(v) => vm.truthy(&v)?,
        None => false,
    };
    let opts = encoder_options(vm, &this, one_shot)?;
    let chunks = match run_encoder(vm, &obj, &opts, !opts.c_encoder)? {
        Output::Chunks(c) => c,
        Output::Joined(s) => vec![s],
    };
    let list = Value::list(chunks.into_iter().map(Value::string).collect());
    if opts.c_encoder {
        return Ok(Value::tuple(match list {
            Value::List(l) => l.borrow().clone(),
            _ => Vec::new(),
        }));
    }
    vm.get_iter(&list)
}

// ------------------------------------------------------------ decoding

/// The document as code points: `str`, or UTF-8 `bytes` as `loads`
/// decodes them.
fn document(vm: &mut Vm, classes: &JsonClasses, s: &Value) -> PyResult<(Value, Vec<char>)> {
    match s.unwrap_builtin() {
        Value::Str(text) => {
            if text.as_str().starts_with('\u{feff}') {
                return Err(decode_error(
                    vm,
                    classes,
                    "Unexpected UTF-8 BOM (decode using utf-8-sig)",
                    s,
                    0,
                ));
            }
            Ok((s.clone(), text.as_str().chars().collect()))
        }
        Value::Bytes(b) => {
            let data = b.data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&b.data);
            let text = String::from_utf8_lossy(data).into_owned();
            let chars = text.chars().collect();
            Ok((Value::string(text), chars))
        }
        _ => {
            let t = vm.type_name(s);
            Err(vm.type_error(format!(
                "the JSON object must be str, bytes or bytearray, not {t}"
            )))
        }
    }
}

/// `raw_decode`: the value at `idx` and where it ends.
fn raw_decode(
    vm: &mut Vm,
    classes: &JsonClasses,
    opts: &DecoderOptions,
    doc: &Value,
    text: &[char],
    idx: usize,
) -> PyResult<(Value, usize)> {
    let scanner = Scanner::new(text, opts);
    match scanner.scan_once(vm, idx) {
        Ok(r) => Ok(r),
        Err(ScanError::NoValue(pos)) => Err(decode_error(vm, classes, "Expecting value", doc, pos)),
        Err(ScanError::Decode(msg, pos)) => Err(decode_error(vm, classes, msg, doc, pos)),
        Err(ScanError::Python(u)) => Err(u),
    }
}

/// `JSONDecoder.decode`: one value, surrounded only by whitespace.
fn decode_text(
    vm: &mut Vm,
    classes: &JsonClasses,
    opts: &DecoderOptions,
    doc: &Value,
    text: &[char],
) -> PyResult<Value> {
    let start = skip_ws(text, 0);
    let (value, end) = raw_decode(vm, classes, opts, doc, text, start)?;
    let end = skip_ws(text, end);
    if end != text.len() {
        return Err(decode_error(vm, classes, "Extra data", doc, end));
    }
    Ok(value)
}

/// A hook argument: None when absent or None.
fn hook(a: &[Option<Value>], i: usize) -> Option<Value> {
    a.get(i).cloned().flatten().filter(|v| !v.is_none())
}

/// `json.loads(s, *, cls=None, object_hook=None, parse_float=None,
/// parse_int=None, parse_constant=None, object_pairs_hook=None, **kw)`.
fn loads(vm: &mut Vm, classes: &Rc<JsonClasses>, args: &mut Args) -> PyResult<Value> {
    const KWONLY: &[&str] = &[
        "cls",
        "object_hook",
        "parse_float",
        "parse_int",
        "parse_constant",
        "object_pairs_hook",
    ];
    let extra = take_other_keywords(args, KWONLY);
    let a = Sig {
        name: "loads",
        params: &["s"],
        required: 1,
        kwonly: KWONLY,
        method: false,
    }
    .bind(vm, args)?;
    let (doc, text) = document(vm, classes, &arg(&a, 0))?;
    let cls = hook(&a, 1);
    if cls.is_some() || !extra.is_empty() {
        let cls = cls.unwrap_or_else(|| Value::Class(classes.decoder.clone()));
        let mut kwargs = extra;
        for (i, key) in KWONLY.iter().enumerate().skip(1) {
            if let Some(v) = hook(&a, 1 + i) {
                kwargs.push((name(key), v));
            }
        }
        let decoder = vm.call_with(&cls, Vec::new(), kwargs)?;
        let decode = vm.get_attr(&decoder, &name("decode"))?;
        return vm.call(&decode, vec![doc]);
    }
    let opts = DecoderOptions {
        object_hook: hook(&a, 2),
        parse_float: hook(&a, 3).filter(|f| !is_class(vm, f, "float")),
        parse_int: hook(&a, 4).filter(|f| !is_class(vm, f, "int")),
        parse_constant: hook(&a, 5),
        object_pairs_hook: hook(&a, 6),
        strict: true,
    };
    decode_text(vm, classes, &opts, &doc, &text)
}

/// Is `v` the built-in class `float` or `int`?
fn is_class(vm: &Vm, v: &Value, which: &str) -> bool {
    let class = if which == "float" {
        &vm.types.float
    } else {
        &vm.types.int
    };
    matches!(v, Value::Class(c) if Rc::ptr_eq(c, class))
}

/// `JSONDecoder.__init__(self, *, object_hook=None, parse_float=None,
/// parse_int=None, parse_constant=None, strict=True,
/// object_pairs_hook=None)`.
fn decoder_init(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("__init__", args)?;
    const KWONLY: &[&str] = &[
        "object_hook",
        "parse_float",
        "parse_int",
        "parse_constant",
        "strict",
        "object_pairs_hook",
    ];
    let a = Sig {
        name: "JSONDecoder.__init__",
        params: &[],
        required: 0,
        kwonly: KWONLY,
        method: true,
    }
    .bind(vm, args)?;
    let or = |i: usize, default: Value| hook(&a, i).unwrap_or(default);
    let settings = [
        ("object_hook", or(0, Value::None)),
        ("parse_float", or(1, Value::Class(vm.types.float.clone()))),
        ("parse_int", or(2, Value::Class(vm.types.int.clone()))),
        ("parse_constant", or(3, Value::None)),
        (
            "strict",
            a.get(4).cloned().flatten().unwrap_or(Value::Bool(true)),
        ),
        ("object_pairs_hook", or(5, Value::None)),
    ];
    for (attr, value) in settings {
        vm.set_attr(&this, &name(attr), value)?;
    }
    Ok(Value::None)
}

/// The options a decoder object carries in its attributes.
fn decoder_options(vm: &mut Vm, this: &Value) -> PyResult<DecoderOptions> {
    let get = |vm: &mut Vm, attr: &str| -> PyResult<Option<Value>> {
        Ok(vm.get_attr_opt(this, attr)?.filter(|v| !v.is_none()))
    };
    let object_hook = get(vm, "object_hook")?;
    let object_pairs_hook = get(vm, "object_pairs_hook")?;
    let parse_float = get(vm, "parse_float")?.filter(|f| !is_class(vm, f, "float"));
    let parse_int = get(vm, "parse_int")?.filter(|f| !is_class(vm, f, "int"));
    let parse_constant = get(vm, "parse_constant")?;
    let strict = match get(vm, "strict")? {
        Some(v) => vm.truthy(&v)?,
        None => true,
    };
    Ok(DecoderOptions {
        object_hook,
        object_pairs_hook,
        parse_float,
        parse_int,
        parse_constant,
        strict,
    })
}

/// A str argument of `decode`/`raw_decode` (what `WHITESPACE.match`
/// accepts).
fn str_document(vm: &mut Vm, s: &Value) -> PyResult<Vec<char>> {
    match s.unwrap_builtin() {
        Value::Str(text) => Ok(text.as_str().chars().collect()),
        _ => {
            let t = vm.type_name(s);
            Err(vm.type_error(format!("expected string or bytes-like object, got '{t}'")))
        }
    }
}

fn decoder_decode(vm: &mut Vm, classes: &JsonClasses, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("decode", args)?;
    let a = Sig {
        name: "JSONDecoder.decode",
        params: &["s"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let doc = arg(&a, 0);
    let text = str_document(vm, &doc)?;
    let opts = decoder_options(vm, &this)?;
    decode_text(vm, classes, &opts, &doc, &text)
}

fn decoder_raw_decode(vm: &mut Vm, classes: &JsonClasses, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("raw_decode", args)?;
    let a = Sig {
        name: "JSONDecoder.raw_decode",
        params: &["s", "idx"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let doc = arg(&a, 0);
    let text = str_document(vm, &doc)?;
    let idx = match a.get(1).cloned().flatten() {
        Some(v) => vm.to_index(&v)?,
        None => 0,
    };
    if idx < 0 {
        return Err(vm.error(ExcType::ValueError, "idx cannot be negative"));
    }
    let opts = decoder_options(vm, &this)?;
    let (value, end) = raw_decode(vm, classes, &opts, &doc, &text, idx as usize)?;
    Ok(Value::tuple(vec![value, Value::Int(end as i64)]))
}

#[cfg(test)]
mod tests {
    use super::encoder::encode_string;
    use crate::verdict::{run_program, RunOptions};

    #[test]
    fn string_escapes_follow_cpython() {
        assert_eq!(
            encode_string("a\"\\\n\u{1}é😀", true),
            "\"a\\\"\\\\\\n\\u0001\\u00e9\\ud83d\\ude00\""
        );
        assert_eq!(encode_string("\u{7f}é", false), "\"\u{7f}é\"");
        assert_eq!(encode_string("\u{7f}", true), "\"\\u007f\"");
    }

    #[test]
    fn dump_and_load_need_files() {
        let v = run_program(
            "import json\nprint(json.dumps([1]))\njson.dump([1], None)\n",
            &RunOptions::default(),
        );
        assert_eq!(v.status, "unsupported");
        assert_eq!(v.stdout, "[1]\n");
    }
}
