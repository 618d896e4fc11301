//! The `random` module: `random.Random` as a native class over the
//! Mersenne Twister of [`super::random`], and the module-level functions
//! bound to a hidden instance seeded with `vm.random_seed` at import
//! (SEMANTICS.md §4).
//!
//! Every method follows CPython 3.11's Lib/random.py step by step (which
//! draws it makes, in which order, with which float arithmetic), so a
//! seeded program prints the same numbers as CPython.

use std::rc::Rc;

use num_bigint::{BigInt, Sign};
use num_traits::{Signed, ToPrimitive};

use super::random::MersenneTwister;
use super::support::{arg, index_big, is_int, real, Sig};
use crate::builtins::{native_class, native_object, new_module, with_native};
use crate::bytecode::BinOp;
use crate::value::{Args, Module, PyResult, Value};
use crate::vm::{ExcType, Vm};

/// A `random.Random` instance's state.
pub struct RandomState {
    pub mt: MersenneTwister,
    pub gauss_next: Option<f64>,
}

const TWOPI: f64 = 2.0 * std::f64::consts::PI;
const LOG4: f64 = 1.386_294_361_119_890_6; // math.log(4.0)
const SG_MAGICCONST: f64 = 2.504_077_396_776_274; // 1.0 + math.log(4.5)

/// `4 * exp(-0.5) / sqrt(2.0)`, computed as CPython computes it.
fn nv_magicconst() -> f64 {
    4.0 * (-0.5f64).exp() / 2.0f64.sqrt()
}

pub fn make(vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("random");
    let class = native_class(vm, "Random", "random", "Random", METHODS);
    class
        .dict
        .borrow_mut()
        .set("__module__", Value::str("random"));
    class.dict.borrow_mut().set("VERSION", Value::Int(3));
    let seed = BigInt::from(vm.random_seed);
    let instance = native_object(
        vm,
        &class,
        RandomState {
            mt: MersenneTwister::from_int_seed(&seed),
            gauss_next: None,
        },
    );
    {
        let mut dict = module.dict.borrow_mut();
        dict.set("Random", Value::Class(class.clone()));
        dict.set("_inst", instance.clone());
        for (name, _) in METHODS.iter().filter(|(n, _)| !n.starts_with('_')) {
            if let Some(m) = class.dict.borrow().get(name).cloned() {
                dict.set(name, vm.bind(m, instance.clone()));
            }
        }
    }
    Ok(module)
}

const METHODS: &[(&str, crate::value::NativeFnPtr)] = &[
    ("__new__", random_new),
    ("seed", seed),
    ("random", random),
    ("getrandbits", getrandbits),
    ("randbytes", randbytes),
    ("getstate", getstate),
    ("setstate", setstate),
    ("randrange", randrange),
    ("randint", randint),
    ("choice", choice),
    ("shuffle", shuffle),
    ("sample", sample),
    ("choices", choices),
    ("uniform", uniform),
    ("triangular", triangular),
    ("normalvariate", normalvariate),
    ("gauss", gauss),
    ("lognormvariate", lognormvariate),
    ("expovariate", expovariate),
    ("vonmisesvariate", vonmisesvariate),
    ("gammavariate", gammavariate),
    ("betavariate", betavariate),
    ("paretovariate", paretovariate),
    ("weibullvariate", weibullvariate),
];

// ----------------------------------------------------------------- state

/// Runs `f` on the generator of a `Random` receiver.
fn with_rng<R>(
    vm: &mut Vm,
    this: &Value,
    name: &str,
    f: impl FnOnce(&mut RandomState) -> R,
) -> PyResult<R> {
    match with_native::<RandomState, _>(this, f) {
        Some(r) => Ok(r),
        None => {
            let t = vm.type_name(this);
            Err(vm.type_error(format!(
                "descriptor '{name}' for '_random.Random' objects doesn't apply to a '{t}' object"
            )))
        }
    }
}

fn next_float(vm: &mut Vm, this: &Value) -> PyResult<f64> {
    with_rng(vm, this, "random", |s| s.mt.random())
}

/// `Random._randbelow(n)` for `n > 0`.
fn randbelow(vm: &mut Vm, this: &Value, n: &BigInt) -> PyResult<BigInt> {
    match n.to_u64() {
        Some(small) => with_rng(vm, this, "random", |s| {
            BigInt::from(s.mt.randbelow_u64(small))
        }),
        None => with_rng(vm, this, "random", |s| s.mt.randbelow(n)),
    }
}

fn randbelow_usize(vm: &mut Vm, this: &Value, n: usize) -> PyResult<usize> {
    with_rng(vm, this, "random", |s| {
        s.mt.randbelow_u64(n as u64) as usize
    })
}

/// The int `random.seed(a)` seeds with (None when `a` is None).
fn seed_int(vm: &mut Vm, a: &Value, version: i64) -> PyResult<BigInt> {
    let text: Option<Vec<u8>> = match a {
        Value::Str(s) => Some(s.as_str().as_bytes().to_vec()),
        Value::Bytes(b) => Some(b.data.clone()),
        _ => None,
    };
    if let Some(data) = text {
        if version == 1 {
            // Lib/random.py's version 1 string hash (bytes read as latin-1).
            let chars: Vec<u64> = match a {
                Value::Str(s) => s.as_str().chars().map(|c| c as u64).collect(),
                _ => data.iter().map(|b| u64::from(*b)).collect(),
            };
            let mut x: u64 = chars.first().map(|c| c << 7).unwrap_or(0);
            for c in &chars {
                x = 1_000_003u64.wrapping_mul(x) ^ c;
            }
            x ^= chars.len() as u64;
            return Ok(BigInt::from(x));
        }
        if version == 2 {
            let mut all = data.clone();
            all.extend_from_slice(&super::sha512::sha512(&data));
            return Ok(BigInt::from_bytes_be(Sign::Plus, &all));
        }
    }
    match a {
        Value::None => Ok(BigInt::from(vm.random_seed)),
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => Ok(index_big(vm, a)?.abs()),
        Value::Float(_) | Value::Str(_) | Value::Bytes(_) => {
            let hash = vm.hash_value(a)?;
            Ok(BigInt::from(hash as u64))
        }
        _ => {
            if let Value::Int(_) | Value::BigInt(_) = a.unwrap_builtin() {
                return Ok(index_big(vm, &a.unwrap_builtin())?.abs());
            }
            Err(vm.type_error(
                "The only supported seed types are: None,\nint, float, str, bytes, and bytearray.",
            ))
        }
    }
}

fn random_new(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let class = match args.positional.first() {
        Some(Value::Class(c)) => c.clone(),
        _ => return Err(vm.type_error("Random.__new__(X): X is not a type object")),
    };
    args.positional.remove(0);
    args.keywords.clear();
    let x = args.positional.first().cloned().unwrap_or(Value::None);
    let seed = seed_int(vm, &x, 2)?;
    Ok(native_object(
        vm,
        &class,
        RandomState {
            mt: MersenneTwister::from_int_seed(&seed),
            gauss_next: None,
        },
    ))
}

fn seed(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("seed", args)?;
    let a = Sig {
        name: "Random.seed",
        params: &["a", "version"],
        required: 0,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let version = match &a[1] {
        Some(v) => vm.to_index(v)?,
        None => 2,
    };
    let n = seed_int(vm, &arg(&a, 0), version)?;
    with_rng(vm, &this, "seed", |s| {
        s.mt.seed_int(&n);
        s.gauss_next = None;
    })?;
    Ok(Value::None)
}

fn random(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("random", args)?;
    if !args.positional.is_empty() || !args.keywords.is_empty() {
        let n = args.positional.len() + args.keywords.len();
        return Err(vm.type_error(format!("Random.random() takes no arguments ({n} given)")));
    }
    next_float(vm, &this).map(Value::Float)
}

fn getrandbits(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("getrandbits", args)?;
    if args.positional.len() != 1 || !args.keywords.is_empty() {
        if !args.keywords.is_empty() {
            return Err(vm.type_error("Random.getrandbits() takes no keyword arguments"));
        }
        let n = args.positional.len();
        return Err(vm.type_error(format!(
            "Random.getrandbits() takes exactly one argument ({n} given)"
        )));
    }
    let k = vm.expect_int(&args.positional[0])?;
    if k < 0 {
        return Err(vm.error(ExcType::ValueError, "number of bits must be non-negative"));
    }
    if k > 1 << 24 {
        return Err(vm.unsupported("random.getrandbits() of more than 16 million bits"));
    }
    let bits = with_rng(vm, &this, "getrandbits", |s| s.mt.getrandbits(k as u64))?;
    Ok(Value::from_bigint(bits))
}

fn randbytes(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("randbytes", args)?;
    let a = Sig {
        name: "Random.randbytes",
        params: &["n"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let n = vm.expect_int(&arg(&a, 0))?;
    if n < 0 {
        return Err(vm.error(ExcType::ValueError, "number of bits must be non-negative"));
    }
    if n > 1 << 21 {
        return Err(vm.unsupported("random.randbytes() of more than 2 MB"));
    }
    let bits = with_rng(vm, &this, "randbytes", |s| s.mt.getrandbits(n as u64 * 8))?;
    let mut data = bits.to_bytes_le().1;
    data.resize(n as usize, 0);
    Ok(Value::bytes(data))
}

fn getstate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("getstate", args)?;
    vm.no_args("Random.getstate", args, 0)?;
    let (words, gauss) = with_rng(vm, &this, "getstate", |s| {
        (s.mt.state_words(), s.gauss_next)
    })?;
    let words = words.into_iter().map(|w| Value::Int(w as i64)).collect();
    Ok(Value::tuple(vec![
        Value::Int(3),
        Value::tuple(words),
        gauss.map(Value::Float).unwrap_or(Value::None),
    ]))
}

fn setstate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("setstate", args)?;
    let a = Sig {
        name: "Random.setstate",
        params: &["state"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let state = arg(&a, 0);
    let version = vm.get_item(&state, &Value::Int(0))?;
    let version_number = match version {
        Value::Int(v) => v,
        _ => -1,
    };
    if version_number != 3 && version_number != 2 {
        let v = vm.str_of(&version)?;
        return Err(vm.error(
            ExcType::ValueError,
            format!("state with version {v} passed to Random.setstate() of version 3"),
        ));
    }
    let parts = vm.unpack(&state, 3)?;
    let gauss_next = match &parts[2] {
        Value::None => None,
        other => Some(real(vm, other)?),
    };
    let Value::Tuple(internal) = &parts[1] else {
        return Err(vm.type_error("state vector must be a tuple"));
    };
    let mut words = Vec::with_capacity(internal.items.len());
    for item in &internal.items {
        let n = index_big(vm, item)?;
        let n = if version_number == 2 {
            n % BigInt::from(1u64 << 32)
        } else {
            n
        };
        match n.to_u64() {
            Some(w) => words.push(w),
            None => {
                return Err(vm.error(
                    ExcType::OverflowError,
                    "Python int too large to convert to C unsigned long",
                ))
            }
        }
    }
    if words.len() != 625 {
        return Err(vm.error(ExcType::ValueError, "state vector is the wrong size"));
    }
    let Some(mt) = MersenneTwister::from_state_words(&words) else {
        return Err(vm.error(ExcType::ValueError, "invalid state"));
    };
    with_rng(vm, &this, "setstate", |s| {
        s.mt = mt;
        s.gauss_next = gauss_next;
    })?;
    Ok(Value::None)
}

// ----------------------------------------------------------------- ints

/// `_index(x)` with randrange's fallback for integral floats.
fn randrange_index(vm: &mut Vm, v: &Value, what: &str) -> PyResult<BigInt> {
    if is_int(v) || vm.class_of(v).lookup("__index__").is_some() {
        return index_big(vm, v);
    }
    let as_int = crate::builtins::classes::int_from(vm, v)?;
    let equal = vm.values_equal(&as_int, v)?;
    if !equal {
        return Err(vm.error(
            ExcType::ValueError,
            format!("non-integer {what} for randrange()"),
        ));
    }
    index_big(vm, &as_int)
}

fn randrange_impl(
    vm: &mut Vm,
    this: &Value,
    start: &Value,
    stop: &Value,
    step: Option<&Value>,
) -> PyResult<BigInt> {
    let istart = randrange_index(vm, start, "arg 1")?;
    if stop.is_none() {
        if step.is_some() {
            return Err(vm.type_error("Missing a non-None stop argument"));
        }
        if istart.is_positive() {
            return randbelow(vm, this, &istart);
        }
        return Err(vm.error(ExcType::ValueError, "empty range for randrange()"));
    }
    let istop = randrange_index(vm, stop, "stop")?;
    let width = &istop - &istart;
    let istep = match step {
        Some(s) => randrange_index(vm, s, "step")?,
        None => BigInt::from(1),
    };
    if istep == BigInt::from(1) {
        if width.is_positive() {
            return Ok(&istart + randbelow(vm, this, &width)?);
        }
        return Err(vm.error(
            ExcType::ValueError,
            format!("empty range for randrange() ({istart}, {istop}, {width})"),
        ));
    }
    let n = if istep.is_positive() {
        crate::numbers::floor_div_big(&(&width + &istep - 1), &istep)
    } else if istep.is_negative() {
        crate::numbers::floor_div_big(&(&width + &istep + 1), &istep)
    } else {
        return Err(vm.error(ExcType::ValueError, "zero step for randrange()"));
    };
    if !n.is_positive() {
        return Err(vm.error(ExcType::ValueError, "empty range for randrange()"));
    }
    Ok(istart + istep * randbelow(vm, this, &n)?)
}

fn randrange(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("randrange", args)?;
    let a = Sig {
        name: "Random.randrange",
        params: &["start", "stop", "step"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let r = randrange_impl(vm, &this, &arg(&a, 0), &arg(&a, 1), a[2].as_ref())?;
    Ok(Value::from_bigint(r))
}

fn randint(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("randint", args)?;
    let a = Sig {
        name: "Random.randint",
        params: &["a", "b"],
        required: 2,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let b1 = vm.binary_op(BinOp::Add, &arg(&a, 1), &Value::Int(1))?;
    let r = randrange_impl(vm, &this, &arg(&a, 0), &b1, None)?;
    Ok(Value::from_bigint(r))
}

// ----------------------------------------------------------------- sequences

fn choice(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("choice", args)?;
    let a = Sig {
        name: "Random.choice",
        params: &["seq"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let seq = arg(&a, 0);
    let n = vm.len_of(&seq)?;
    if n == 0 {
        return Err(vm.error(ExcType::IndexError, "Cannot choose from an empty sequence"));
    }
    let i = randbelow_usize(vm, &this, n)?;
    vm.get_item(&seq, &Value::Int(i as i64))
}

fn shuffle(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("shuffle", args)?;
    let a = Sig {
        name: "Random.shuffle",
        params: &["x"],
        required: 1,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let x = arg(&a, 0);
    let n = vm.len_of(&x)?;
    for i in (1..n).rev() {
        let j = randbelow_usize(vm, &this, i + 1)?;
        if let Value::List(list) = &x {
            let mut items = list.borrow_mut();
            if i < items.len() && j < items.len() {
                items.swap(i, j);
                continue;
            }
        }
        let (ki, kj) = (Value::Int(i as i64), Value::Int(j as i64));
        let xj = vm.get_item(&x, &kj)?;
        let xi = vm.get_item(&x, &ki)?;
        vm.set_item(&x, ki, xj)?;
        vm.set_item(&x, kj, xi)?;
    }
    Ok(Value::None)
}

fn is_sequence(v: &Value) -> bool {
    !(v.as_dict().is_some() || v.as_set().is_some())
}

fn sample(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("sample", args)?;
    let a = Sig {
        name: "Random.sample",
        params: &["population", "k"],
        required: 2,
        kwonly: &["counts"],
        method: true,
    }
    .bind(vm, args)?;
    let population = arg(&a, 0);
    if !is_sequence(&population) {
        return Err(
            vm.type_error("Population must be a sequence.  For dicts or sets, use sorted(d).")
        );
    }
    let n = vm.len_of(&population)?;
    let k_value = arg(&a, 1);
    if let Some(counts) = a[2].clone().filter(|c| !c.is_none()) {
        let counts = vm.collect(&counts)?;
        let mut cum: Vec<Value> = Vec::with_capacity(counts.len());
        for c in counts {
            let next = match cum.last() {
                Some(prev) => vm.binary_op(BinOp::Add, prev, &c)?,
                None => c,
            };
            cum.push(next);
        }
        if cum.len() != n {
            return Err(vm.error(
                ExcType::ValueError,
                "The number of counts does not match the population",
            ));
        }
        let total = cum.pop().unwrap_or(Value::Int(0));
        if !is_int(&total) {
            return Err(vm.type_error("Counts must be integers"));
        }
        let total_big = index_big(vm, &total)?;
        if !total_big.is_positive() {
            return Err(vm.error(
                ExcType::ValueError,
                "Total of counts must be greater than zero",
            ));
        }
        let range = Value::Range(Rc::new(crate::value::PyRange {
            start: Value::Int(0),
            stop: total,
            step: Value::Int(1),
        }));
        let selections = sample_impl(vm, &this, &range, &k_value)?;
        let mut out = Vec::with_capacity(selections.len());
        for s in selections {
            let i = bisect_right(vm, &cum, &s, 0, cum.len())?;
            out.push(vm.get_item(&population, &Value::Int(i as i64))?);
        }
        return Ok(Value::list(out));
    }
    sample_impl(vm, &this, &population, &k_value).map(Value::list)
}

fn sample_impl(vm: &mut Vm, this: &Value, population: &Value, k: &Value) -> PyResult<Vec<Value>> {
    let n = vm.len_of(population)?;
    let k = index_big(vm, k)?;
    let k = match k.to_usize() {
        Some(k) if k <= n => k,
        _ => {
            return Err(vm.error(
                ExcType::ValueError,
                "Sample larger than population or is negative",
            ))
        }
    };
    let mut result = Vec::with_capacity(k);
    let mut setsize = 21usize;
    if k > 5 {
        // 4 ** ceil(log(k * 3, 4)), with CPython's float logarithm.
        let exponent = ((k as f64 * 3.0).ln() / 4f64.ln()).ceil();
        setsize += 4f64.powf(exponent) as usize;
    }
    if n <= setsize {
        let mut pool = vm.collect(population)?;
        for i in 0..k {
            let j = randbelow_usize(vm, this, n - i)?;
            result.push(pool[j].clone());
            pool[j] = pool[n - i - 1].clone();
        }
    } else {
        let mut selected = std::collections::HashSet::new();
        for _ in 0..k {
            let mut j = randbelow_usize(vm, this, n)?;
            while selected.contains(&j) {
                j = randbelow_usize(vm, this, n)?;
            }
            selected.insert(j);
            result.push(vm.get_item(population, &Value::Int(j as i64))?);
        }
    }
    Ok(result)
}

/// `bisect.bisect_right(a, x, lo, hi)`.
fn bisect_right(
    vm: &mut Vm,
    a: &[Value],
    x: &Value,
    mut lo: usize,
    mut hi: usize,
) -> PyResult<usize> {
    while lo < hi {
        let mid = (lo + hi) / 2;
        if vm.less_than(x, &a[mid])? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo)
}

fn choices(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("choices", args)?;
    let a = Sig {
        name: "Random.choices",
        params: &["population", "weights"],
        required: 1,
        kwonly: &["cum_weights", "k"],
        method: true,
    }
    .bind(vm, args)?;
    let population = arg(&a, 0);
    let weights = arg(&a, 1);
    let cum_weights = arg(&a, 2);
    let k_value = a[3].clone().unwrap_or(Value::Int(1));
    let n = vm.len_of(&population)?;
    let k = vm.to_index(&k_value)?.max(0) as usize;
    if k > crate::vm::ops::MAX_SEQUENCE_ITEMS {
        return Err(vm.error(ExcType::MemoryError, ""));
    }
    let mut out = Vec::with_capacity(k);
    let cum: Vec<Value> = if cum_weights.is_none() {
        if weights.is_none() {
            let nf = n as f64;
            for _ in 0..k {
                let r = next_float(vm, &this)?;
                let i = (r * nf).floor() as i64;
                out.push(vm.get_item(&population, &Value::Int(i))?);
            }
            return Ok(Value::list(out));
        }
        let items = match vm.collect(&weights) {
            Ok(items) => items,
            Err(crate::value::Unwind::Exception(e)) if vm.is_exception(&e, ExcType::TypeError) => {
                if let Value::Int(k) = weights {
                    return Err(vm.type_error(format!(
                        "The number of choices must be a keyword argument: k={k}"
                    )));
                }
                return Err(crate::value::Unwind::Exception(e));
            }
            Err(e) => return Err(e),
        };
        let mut cum: Vec<Value> = Vec::with_capacity(items.len());
        for w in items {
            let next = match cum.last() {
                Some(prev) => vm.binary_op(BinOp::Add, prev, &w)?,
                None => w,
            };
            cum.push(next);
        }
        cum
    } else {
        if !weights.is_none() {
            return Err(vm.type_error("Cannot specify both weights and cumulative weights"));
        }
        vm.collect(&cum_weights)?
    };
    if cum.len() != n {
        return Err(vm.error(
            ExcType::ValueError,
            "The number of weights does not match the population",
        ));
    }
    let Some(last) = cum.last().cloned() else {
        return Err(vm.error(ExcType::IndexError, "list index out of range"));
    };
    let total_value = vm.binary_op(BinOp::Add, &last, &Value::Float(0.0))?;
    let total = real(vm, &total_value)?;
    if total <= 0.0 {
        return Err(vm.error(
            ExcType::ValueError,
            "Total of weights must be greater than zero",
        ));
    }
    if !total.is_finite() {
        return Err(vm.error(ExcType::ValueError, "Total of weights must be finite"));
    }
    let hi = n - 1;
    for _ in 0..k {
        let r = next_float(vm, &this)? * total;
        let i = bisect_right(vm, &cum, &Value::Float(r), 0, hi)?;
        out.push(vm.get_item(&population, &Value::Int(i as i64))?);
    }
    Ok(Value::list(out))
}

// ----------------------------------------------------------------- floats

/// `a + (b - a) * r` with Python's arithmetic on the given numbers.
fn lerp(vm: &mut Vm, a: &Value, b: &Value, r: f64) -> PyResult<Value> {
    let width = vm.binary_op(BinOp::Sub, b, a)?;
    let scaled = vm.binary_op(BinOp::Mul, &width, &Value::Float(r))?;
    vm.binary_op(BinOp::Add, a, &scaled)
}

fn uniform(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("uniform", args)?;
    let a = Sig {
        name: "Random.uniform",
        params: &["a", "b"],
        required: 2,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let r = next_float(vm, &this)?;
    lerp(vm, &arg(&a, 0), &arg(&a, 1), r)
}

fn triangular(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let this = vm.receiver("triangular", args)?;
    let a = Sig {
        name: "Random.triangular",
        params: &["low", "high", "mode"],
        required: 0,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let mut low = a[0].clone().unwrap_or(Value::Float(0.0));
    let mut high = a[1].clone().unwrap_or(Value::Float(1.0));
    let mode = arg(&a, 2);
    let mut u = next_float(vm, &this)?;
    let mut c = if mode.is_none() {
        Value::Float(0.5)
    } else {
        let num = vm.binary_op(BinOp::Sub, &mode, &low)?;
        let den = vm.binary_op(BinOp::Sub, &high, &low)?;
        match vm.binary_op(BinOp::TrueDiv, &num, &den) {
            Ok(c) => c,
            Err(crate::value::Unwind::Exception(e))
                if vm.is_exception(&e, ExcType::ZeroDivisionError) =>
            {
                return Ok(low)
            }
            Err(e) => return Err(e),
        }
    };
    if vm.less_than(&c, &Value::Float(u))? {
        u = 1.0 - u;
        c = vm.binary_op(BinOp::Sub, &Value::Float(1.0), &c)?;
        std::mem::swap(&mut low, &mut high);
    }
    let uc = vm.binary_op(BinOp::Mul, &Value::Float(u), &c)?;
    let root = real(vm, &uc)?.sqrt();
    lerp(vm, &low, &high, root)
}

fn float_params(
    vm: &mut Vm,
    args: &mut Args,
    name: &str,
    params: &[&str],
    required: usize,
    defaults: &[f64],
) -> PyResult<(Value, Vec<f64>)> {
    let this = vm.receiver(name, args)?;
    let qualname = format!("Random.{name}");
    let a = Sig {
        name: &qualname,
        params,
        required,
        kwonly: &[],
        method: true,
    }
    .bind(vm, args)?;
    let mut out = Vec::with_capacity(params.len());
    for (i, slot) in a.iter().enumerate() {
        out.push(match slot {
            Some(v) => real(vm, v)?,
            None => defaults.get(i - required).copied().unwrap_or(0.0),
        });
    }
    Ok((this, out))
}

fn normal(vm: &mut Vm, this: &Value, mu: f64, sigma: f64) -> PyResult<f64> {
    let magic = nv_magicconst();
    loop {
        let u1 = next_float(vm, this)?;
        let u2 = 1.0 - next_float(vm, this)?;
        let z = magic * (u1 - 0.5) / u2;
        let zz = z * z / 4.0;
        if zz <= -u2.ln() {
            return Ok(mu + z * sigma);
        }
    }
}

fn normalvariate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, p) = float_params(vm, args, "normalvariate", &["mu", "sigma"], 0, &[0.0, 1.0])?;
    normal(vm, &this, p[0], p[1]).map(Value::Float)
}

fn lognormvariate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, p) = float_params(vm, args, "lognormvariate", &["mu", "sigma"], 2, &[])?;
    normal(vm, &this, p[0], p[1]).map(|x| Value::Float(x.exp()))
}

fn gauss(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, p) = float_params(vm, args, "gauss", &["mu", "sigma"], 0, &[0.0, 1.0])?;
    let pending = with_rng(vm, &this, "gauss", |s| s.gauss_next.take())?;
    let z = match pending {
        Some(z) => z,
        None => {
            let x2pi = next_float(vm, &this)? * TWOPI;
            let g2rad = (-2.0 * (1.0 - next_float(vm, &this)?).ln()).sqrt();
            let next = x2pi.sin() * g2rad;
            with_rng(vm, &this, "gauss", |s| s.gauss_next = Some(next))?;
            x2pi.cos() * g2rad
        }
    };
    Ok(Value::Float(p[0] + z * p[1]))
}

fn expovariate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, p) = float_params(vm, args, "expovariate", &["lambd"], 1, &[])?;
    let u = next_float(vm, &this)?;
    if p[0] == 0.0 {
        return Err(vm.error(ExcType::ZeroDivisionError, "float division by zero"));
    }
    Ok(Value::Float(-(1.0 - u).ln() / p[0]))
}

fn vonmisesvariate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, p) = float_params(vm, args, "vonmisesvariate", &["mu", "kappa"], 2, &[])?;
    let (mu, kappa) = (p[0], p[1]);
    if kappa <= 1e-6 {
        return Ok(Value::Float(TWOPI * next_float(vm, &this)?));
    }
    let s = 0.5 / kappa;
    let r = s + (1.0 + s * s).sqrt();
    let z = loop {
        let u1 = next_float(vm, &this)?;
        let z = (std::f64::consts::PI * u1).cos();
        let d = z / (r + z);
        let u2 = next_float(vm, &this)?;
        if u2 < 1.0 - d * d || u2 <= (1.0 - d) * d.exp() {
            break z;
        }
    };
    let q = 1.0 / r;
    let f = (q + z) / (1.0 + q * z);
    let u3 = next_float(vm, &this)?;
    let theta = if u3 > 0.5 {
        crate::numbers::mod_f64(mu + f.acos(), TWOPI)
    } else {
        crate::numbers::mod_f64(mu - f.acos(), TWOPI)
    };
    Ok(Value::Float(theta))
}

fn gamma(vm: &mut Vm, this: &Value, alpha: f64, beta: f64) -> PyResult<f64> {
    if alpha <= 0.0 || beta <= 0.0 {
        return Err(vm.error(
            ExcType::ValueError,
            "gammavariate: alpha and beta must be > 0.0",
        ));
    }
    if alpha > 1.0 {
        let ainv = (2.0 * alpha - 1.0).sqrt();
        let bbb = alpha - LOG4;
        let ccc = alpha + ainv;
        loop {
            let u1 = next_float(vm, this)?;
            if !(1e-7 < u1 && u1 < 0.9999999) {
                continue;
            }
            let u2 = 1.0 - next_float(vm, this)?;
            let v = (u1 / (1.0 - u1)).ln() / ainv;
            let x = alpha * v.exp();
            let z = u1 * u1 * u2;
            let r = bbb + ccc * v - x;
            if r + SG_MAGICCONST - 4.5 * z >= 0.0 || r >= z.ln() {
                return Ok(x * beta);
            }
        }
    } else if alpha == 1.0 {
        Ok(-(1.0 - next_float(vm, this)?).ln() * beta)
    } else {
        let e = std::f64::consts::E;
        loop {
            let u = next_float(vm, this)?;
            let b = (e + alpha) / e;
            let p = b * u;
            let x = if p <= 1.0 {
                p.powf(1.0 / alpha)
            } else {
                -((b - p) / alpha).ln()
            };
            let u1 = next_float(vm, this)?;
            if p > 1.0 {
                if u1 <= x.powf(alpha - 1.0) {
                    return Ok(x * beta);
                }
            } else if u1 <= (-x).exp() {
                return Ok(x * beta);
            }
        }
    }
}

fn gammavariate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, p) = float_params(vm, args, "gammavariate", &["alpha", "beta"], 2, &[])?;
    gamma(vm, &this, p[0], p[1]).map(Value::Float)
}

fn betavariate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, p) = float_params(vm, args, "betavariate", &["alpha", "beta"], 2, &[])?;
    let y = gamma(vm, &this, p[0], 1.0)?;
    if y != 0.0 {
        let other = gamma(vm, &this, p[1], 1.0)?;
        return Ok(Value::Float(y / (y + other)));
    }
    Ok(Value::Float(0.0))
}

fn paretovariate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, p) = float_params(vm, args, "paretovariate", &["alpha"], 1, &[])?;
    let u = 1.0 - next_float(vm, &this)?;
    Ok(Value::Float(u.powf(-1.0 / p[0])))
}

fn weibullvariate(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let (this, p) = float_params(vm, args, "weibullvariate", &["alpha", "beta"], 2, &[])?;
    let u = 1.0 - next_float(vm, &this)?;
    Ok(Value::Float(p[0] * (-u.ln()).powf(1.0 / p[1])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_cpython() {
        // random.NV_MAGICCONST, random.LOG4, random.SG_MAGICCONST
        assert_eq!(nv_magicconst(), 1.7155277699214135);
        assert_eq!(LOG4, 4f64.ln());
        assert_eq!(SG_MAGICCONST, 1.0 + 4.5f64.ln());
    }
}
