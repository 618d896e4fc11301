//! Operators: arithmetic with CPython's numeric tower (int → arbitrary
//! precision, float), sequence concatenation and repetition, set and dict
//! operators, rich comparison, truth value, equality and hashing.
//!
//! Built-in values take native fast paths. Instances go through their
//! special methods with CPython's rules (Objects/abstract.c
//! `binary_op1`: the right operand's reflected method goes first when its
//! type is a subclass of the left's; `NotImplemented` passes the turn).

use std::rc::Rc;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

use super::{ExcType, Vm};
use crate::bytecode::{BinOp, CmpOp, UnaryOp};
use crate::numbers;
use crate::value::hash::{hash_tuple, native_eq, native_hash};
use crate::value::{PyResult, Value};

/// Largest integer result, in bits, before `MemoryError` (an int of
/// 2**26 bits has about 20 million digits).
pub const MAX_INT_BITS: u64 = 1 << 26;

/// Largest sequence built by `*` repetition, in items.
pub const MAX_SEQUENCE_ITEMS: usize = 50_000_000;

/// A numeric operand.
enum Num {
    Int(BigInt),
    Small(i64),
    Float(f64),
}

fn as_num(v: &Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::Small(*b as i64)),
        Value::Int(i) => Some(Num::Small(*i)),
        Value::BigInt(b) => Some(Num::Int((**b).clone())),
        Value::Float(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

pub fn to_bigint(v: &Value) -> Option<BigInt> {
    match v {
        Value::Bool(b) => Some(BigInt::from(*b as i64)),
        Value::Int(i) => Some(BigInt::from(*i)),
        Value::BigInt(b) => Some((**b).clone()),
        _ => None,
    }
}

fn is_int(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::BigInt(_) | Value::Bool(_))
}

impl Vm {
    fn int_to_float(&mut self, b: &BigInt) -> PyResult<f64> {
        numbers::bigint_to_f64(b)
            .ok_or_else(|| self.error(ExcType::OverflowError, "int too large to convert to float"))
    }

    fn num_to_float(&mut self, n: &Num) -> PyResult<f64> {
        match n {
            Num::Small(i) => Ok(*i as f64),
            Num::Int(b) => self.int_to_float(b),
            Num::Float(f) => Ok(*f),
        }
    }

    fn check_int_size(&mut self, bits: u64) -> PyResult<()> {
        if bits > MAX_INT_BITS {
            return Err(self.error(ExcType::MemoryError, ""));
        }
        Ok(())
    }

    /// Arithmetic on two numbers, or None when either is not a number.
    fn numeric_op(&mut self, op: BinOp, a: &Value, b: &Value) -> PyResult<Option<Value>> {
        // bool & bool stays a bool (CPython bool_and/bool_or/bool_xor).
        if let (Value::Bool(x), Value::Bool(y)) = (a, b) {
            match op {
                BinOp::And => return Ok(Some(Value::Bool(*x & *y))),
                BinOp::Or => return Ok(Some(Value::Bool(*x | *y))),
                BinOp::Xor => return Ok(Some(Value::Bool(*x ^ *y))),
                _ => {}
            }
        }
        // Fast path: two small ints.
        if let (Value::Int(x), Value::Int(y)) = (a, b) {
            let (x, y) = (*x, *y);
            let fast = match op {
                BinOp::Add => x.checked_add(y).map(Value::Int),
                BinOp::Sub => x.checked_sub(y).map(Value::Int),
                BinOp::Mul => x.checked_mul(y).map(Value::Int),
                BinOp::FloorDiv if y != 0 => numbers::floor_div_i64(x, y).map(Value::Int),
                BinOp::Mod if y != 0 => Some(Value::Int(numbers::mod_i64(x, y))),
                BinOp::And => Some(Value::Int(x & y)),
                BinOp::Or => Some(Value::Int(x | y)),
                BinOp::Xor => Some(Value::Int(x ^ y)),
                _ => None,
            };
            if fast.is_some() {
                return Ok(fast);
            }
        }
        let (Some(x), Some(y)) = (as_num(a), as_num(b)) else {
            return Ok(None);
        };
        let both_int = !matches!(x, Num::Float(_)) && !matches!(y, Num::Float(_));
        if !both_int
            && matches!(
                op,
                BinOp::LShift | BinOp::RShift | BinOp::And | BinOp::Or | BinOp::Xor | BinOp::MatMul
            )
        {
            return Ok(None);
        }
        if both_int {
            let x = match x {
                Num::Small(i) => BigInt::from(i),
                Num::Int(b) => b,
                Num::Float(_) => unreachable!("checked above"),
            };
            let y = match y {
                Num::Small(i) => BigInt::from(i),
                Num::Int(b) => b,
                Num::Float(_) => unreachable!("checked above"),
            };
            return self.int_op(op, &x, &y).map(Some);
        }
        let x = self.num_to_float(&x)?;
        let y = self.num_to_float(&y)?;
        self.float_op(op, x, y).map(Some)
    }

    fn int_op(&mut self, op: BinOp, x: &BigInt, y: &BigInt) -> PyResult<Value> {
        Ok(match op {
            BinOp::Add => Value::from_bigint(x + y),
            BinOp::Sub => Value::from_bigint(x - y),
            BinOp::Mul => {
                self.check_int_size(x.bits() + y.bits())?;
                Value::from_bigint(x * y)
            }
            BinOp::TrueDiv => {
                if y.is_zero() {
                    return Err(self.error(ExcType::ZeroDivisionError, "division by zero"));
                }
                match (x.to_f64(), y.to_f64()) {
                    (Some(fx), Some(fy)) if fx.abs() < 9.0e15 && fy.abs() < 9.0e15 => {
                        Value::Float(fx / fy)
                    }
                    _ => Value::Float(self.big_true_div(x, y)?),
                }
            }
            BinOp::FloorDiv => {
                if y.is_zero() {
                    return Err(self.error(
                        ExcType::ZeroDivisionError,
                        "integer division or modulo by zero",
                    ));
                }
                Value::from_bigint(numbers::floor_div_big(x, y))
            }
            BinOp::Mod => {
                if y.is_zero() {
                    return Err(self.error(ExcType::ZeroDivisionError, "integer modulo by zero"));
                }
                Value::from_bigint(numbers::mod_big(x, y))
            }
            BinOp::Pow => {
                if y.is_negative() {
                    if x.is_zero() {
                        return Err(self.error(
                            ExcType::ZeroDivisionError,
                            "0.0 cannot be raised to a negative power",
                        ));
                    }
                    let fx = self.int_to_float(x)?;
                    let fy = self.int_to_float(y)?;
                    return self.float_op(BinOp::Pow, fx, fy);
                }
                let exponent = y.to_u64().unwrap_or(u64::MAX);
                let magnitude = x.abs();
                if magnitude <= BigInt::from(1) {
                    // 0, 1, -1 to any power.
                    if x.is_zero() {
                        return Ok(Value::Int(if y.is_zero() { 1 } else { 0 }));
                    }
                    if x.is_negative() && exponent % 2 == 1 {
                        return Ok(Value::Int(-1));
                    }
                    return Ok(Value::Int(1));
                }
                let bits = (x.bits() as u128).saturating_mul(exponent as u128);
                if bits > MAX_INT_BITS as u128 {
                    return Err(self.error(ExcType::MemoryError, ""));
                }
                Value::from_bigint(num_traits::pow(x.clone(), exponent as usize))
            }
            BinOp::LShift => {
                if y.is_negative() {
                    return Err(self.error(ExcType::ValueError, "negative shift count"));
                }
                let shift = y.to_u64().unwrap_or(u64::MAX);
                if x.is_zero() {
                    return Ok(Value::Int(0));
                }
                self.check_int_size(x.bits().saturating_add(shift))?;
                Value::from_bigint(x << shift as usize)
            }
            BinOp::RShift => {
                if y.is_negative() {
                    return Err(self.error(ExcType::ValueError, "negative shift count"));
                }
                match y.to_u64() {
                    Some(shift) if shift < x.bits() + 1 => Value::from_bigint(x >> shift as usize),
                    _ => Value::Int(if x.is_negative() { -1 } else { 0 }),
                }
            }
            BinOp::And => Value::from_bigint(x & y),
            BinOp::Or => Value::from_bigint(x | y),
            BinOp::Xor => Value::from_bigint(x ^ y),
            BinOp::MatMul => {
                return Err(self.unsupported_operands(op, &Value::Int(0), &Value::Int(0), false))
            }
        })
    }

    /// Correctly rounded division of big integers.
    fn big_true_div(&mut self, x: &BigInt, y: &BigInt) -> PyResult<f64> {
        // Scale so the quotient has 64+ significant bits, then convert.
        let shift = (y.bits() as i64 - x.bits() as i64 + 66).max(0) as usize;
        let scaled = (x.abs() << shift) / y.abs();
        let magnitude = match numbers::bigint_to_f64(&scaled) {
            Some(f) => f * 2f64.powi(-(shift as i32)),
            None => {
                return Err(self.error(
                    ExcType::OverflowError,
                    "integer division result too large for a float",
                ))
            }
        };
        if magnitude.is_infinite() {
            return Err(self.error(
                ExcType::OverflowError,
                "integer division result too large for a float",
            ));
        }
        Ok(if x.is_negative() != y.is_negative() {
            -magnitude
        } else {
            magnitude
        })
    }

    fn float_op(&mut self, op: BinOp, x: f64, y: f64) -> PyResult<Value> {
        Ok(Value::Float(match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x * y,
            BinOp::TrueDiv => {
                if y == 0.0 {
                    return Err(self.error(ExcType::ZeroDivisionError, "float division by zero"));
                }
                x / y
            }
            BinOp::FloorDiv => {
                if y == 0.0 {
                    return Err(
                        self.error(ExcType::ZeroDivisionError, "float floor division by zero")
                    );
                }
                numbers::floor_div_f64(x, y)
            }
            BinOp::Mod => {
                if y == 0.0 {
                    return Err(self.error(ExcType::ZeroDivisionError, "float modulo"));
                }
                numbers::mod_f64(x, y)
            }
            BinOp::Pow => {
                if x == 0.0 && y < 0.0 {
                    return Err(self.error(
                        ExcType::ZeroDivisionError,
                        "0.0 cannot be raised to a negative power",
                    ));
                }
                if x < 0.0 && y.fract() != 0.0 && y.is_finite() {
                    return Err(self
                        .unsupported("complex numbers (a negative number to a fractional power)"));
                }
                let result = x.powf(y);
                if result.is_infinite() && x.is_finite() && y.is_finite() {
                    return Err(self.error(
                        ExcType::OverflowError,
                        "(34, 'Numerical result out of range')",
                    ));
                }
                result
            }
            _ => {
                return Err(self.unsupported_operands(
                    op,
                    &Value::Float(x),
                    &Value::Float(y),
                    false,
                ));
            }
        }))
    }

    /// CPython's TypeError for operands no method handles; augmented
    /// assignment names its own operator (`+=`).
    fn unsupported_operands(
        &mut self,
        op: BinOp,
        a: &Value,
        b: &Value,
        augmented: bool,
    ) -> crate::value::Unwind {
        let (ta, tb) = (self.type_name(a), self.type_name(b));
        let symbol = if augmented {
            format!("{}=", op.symbol())
        } else if op == BinOp::Pow {
            "** or pow()".to_string()
        } else {
            op.symbol().to_string()
        };
        self.type_error(format!(
            "unsupported operand type(s) for {symbol}: '{ta}' and '{tb}'"
        ))
    }

    /// Operators on built-in non-numeric values (sequences, sets, dicts,
    /// `str %`). None when the operand types do not combine natively.
    fn container_op(&mut self, op: BinOp, a: &Value, b: &Value) -> PyResult<Option<Value>> {
        use Value::*;
        Ok(Some(match (op, a, b) {
            (BinOp::Add, Str(x), Str(y)) => {
                let mut s = String::with_capacity(x.as_str().len() + y.as_str().len());
                s.push_str(x.as_str());
                s.push_str(y.as_str());
                self.check_size(s.len())?;
                Value::string(s)
            }
            (BinOp::Add, List(x), List(y)) => {
                let mut items = x.borrow().clone();
                items.extend(y.borrow().iter().cloned());
                Value::list(items)
            }
            (BinOp::Add, Tuple(x), Tuple(y)) => {
                let mut items = x.items.clone();
                items.extend(y.items.iter().cloned());
                Value::tuple(items)
            }
            (BinOp::Add, Bytes(x), Bytes(y)) => {
                let mut data = x.data.clone();
                data.extend_from_slice(&y.data);
                Value::bytes(data)
            }
            (BinOp::Add, Bytes(_), _) if !matches!(b, Instance(_) | Native(_)) => {
                // CPython bytes_concat: any buffer joins; others are named.
                let tb = self.type_name(b);
                return Err(self.type_error(format!("can't concat {tb} to bytes")));
            }
            (BinOp::Add, Str(_), _) | (BinOp::Add, List(_), _) | (BinOp::Add, Tuple(_), _)
                if !matches!(b, Instance(_)) =>
            {
                let (ta, tb) = (self.type_name(a), self.type_name(b));
                return Err(
                    self.type_error(format!("can only concatenate {ta} (not \"{tb}\") to {ta}"))
                );
            }
            (BinOp::Mul, Str(_) | List(_) | Tuple(_) | Bytes(_), _) if is_int(b) => {
                return self.repeat(a, b).map(Some)
            }
            (BinOp::Mul, _, Str(_) | List(_) | Tuple(_) | Bytes(_)) if is_int(a) => {
                return self.repeat(b, a).map(Some)
            }
            (
                BinOp::Mul,
                Str(_) | List(_) | Tuple(_) | Bytes(_),
                Float(_) | Str(_) | List(_) | Tuple(_),
            )
            | (BinOp::Mul, Float(_), Str(_) | List(_) | Tuple(_) | Bytes(_)) => {
                let other = if is_sequence(a) { b } else { a };
                let name = self.type_name(other);
                return Err(self.type_error(format!(
                    "can't multiply sequence by non-int of type '{name}'"
                )));
            }
            (BinOp::Mod, Str(format), _) => {
                let text = crate::builtins::percent::format(self, format.as_str(), b)?;
                Value::string(text)
            }
            (
                BinOp::Or | BinOp::And | BinOp::Sub | BinOp::Xor,
                Set(_) | FrozenSet(_),
                Set(_) | FrozenSet(_),
            ) => {
                return crate::builtins::sets::operator(self, op, a, b).map(Some);
            }
            (BinOp::Or, Dict(x), Dict(y)) => {
                let merged = Rc::new(x.copy());
                for (k, v) in y.items() {
                    merged.set(self, k, v)?;
                }
                Value::Dict(merged)
            }
            _ => return Ok(Option::None),
        }))
    }

    /// Guards the size of a string or sequence being built.
    pub fn check_size(&mut self, items: usize) -> PyResult<()> {
        if items > MAX_SEQUENCE_ITEMS * 4 {
            return Err(self.error(ExcType::MemoryError, ""));
        }
        Ok(())
    }

    /// `seq * n`.
    fn repeat(&mut self, seq: &Value, count: &Value) -> PyResult<Value> {
        let n = match count {
            Value::Bool(b) => *b as i64,
            Value::Int(i) => *i,
            Value::BigInt(b) if b.is_negative() => 0,
            _ => {
                let name = self.type_name(seq);
                return Err(self.error(
                    ExcType::OverflowError,
                    format!("cannot fit 'int' into an index-sized integer (repeating a {name})"),
                ));
            }
        };
        let n = n.max(0) as usize;
        let len = match seq {
            Value::Str(s) => s.as_str().len(),
            Value::List(l) => l.borrow().len(),
            Value::Tuple(t) => t.items.len(),
            Value::Bytes(b) => b.data.len(),
            _ => 0,
        };
        if len.saturating_mul(n) > MAX_SEQUENCE_ITEMS {
            return Err(self.error(ExcType::MemoryError, ""));
        }
        Ok(match seq {
            Value::Str(s) => Value::string(s.as_str().repeat(n)),
            Value::Bytes(b) => Value::bytes(b.data.repeat(n)),
            Value::List(l) => {
                let items = l.borrow();
                let mut out = Vec::with_capacity(items.len() * n);
                for _ in 0..n {
                    out.extend(items.iter().cloned());
                }
                Value::list(out)
            }
            Value::Tuple(t) => {
                let mut out = Vec::with_capacity(t.items.len() * n);
                for _ in 0..n {
                    out.extend(t.items.iter().cloned());
                }
                Value::tuple(out)
            }
            _ => Value::None,
        })
    }

    /// `a <op> b`.
    pub fn binary_op(&mut self, op: BinOp, a: &Value, b: &Value) -> PyResult<Value> {
        self.binary_op_as(op, a, b, false)
    }

    /// `a <op> b`, or the fallback of `a <op>= b` when `augmented`.
    fn binary_op_as(
        &mut self,
        op: BinOp,
        a: &Value,
        b: &Value,
        augmented: bool,
    ) -> PyResult<Value> {
        let user = matches!(a, Value::Instance(_) | Value::Native(_))
            || matches!(b, Value::Instance(_) | Value::Native(_));
        if !user {
            if let Some(v) = self.numeric_op(op, a, b)? {
                return Ok(v);
            }
            if let Some(v) = self.container_op(op, a, b)? {
                return Ok(v);
            }
            return Err(self.unsupported_operands(op, a, b, augmented));
        }
        let (name, reflected, _) = op.dunders();
        if let Some(v) = self.dispatch_binary(a, b, name, reflected)? {
            return Ok(v);
        }
        // Instances of subclasses of built-in types fall back to the value.
        let (ua, ub) = (a.unwrap_builtin(), b.unwrap_builtin());
        if !matches!(ua, Value::Instance(_) | Value::Native(_))
            && !matches!(ub, Value::Instance(_) | Value::Native(_))
        {
            if let Some(v) = self.numeric_op(op, &ua, &ub)? {
                return Ok(v);
            }
            if let Some(v) = self.container_op(op, &ua, &ub)? {
                return Ok(v);
            }
        }
        Err(self.unsupported_operands(op, a, b, augmented))
    }

    /// Tries `a.__op__(b)` and `b.__rop__(a)` in CPython's order; None
    /// when both return `NotImplemented` or do not exist.
    fn dispatch_binary(
        &mut self,
        a: &Value,
        b: &Value,
        name: &str,
        reflected: &str,
    ) -> PyResult<Option<Value>> {
        let class_a = self.class_of(a);
        let class_b = self.class_of(b);
        let method_a = class_a.lookup(name);
        let same_type = Rc::ptr_eq(&class_a, &class_b);
        let method_b = if same_type {
            None
        } else {
            class_b.lookup(reflected)
        };
        let mut b_first = false;
        if let Some(mb) = &method_b {
            if class_b.is_subclass_of(&class_a) {
                // Only if the subclass overrides the reflected method.
                let inherited = class_a.lookup(reflected);
                b_first = inherited.map(|m| !m.is(mb)).unwrap_or(true);
            }
        }
        if b_first {
            if let Some(mb) = &method_b {
                let r = self.call(mb, vec![b.clone(), a.clone()])?;
                if !matches!(r, Value::NotImplemented) {
                    return Ok(Some(r));
                }
            }
        }
        if let Some(ma) = method_a {
            let r = self.call(&ma, vec![a.clone(), b.clone()])?;
            if !matches!(r, Value::NotImplemented) {
                return Ok(Some(r));
            }
        }
        if !b_first {
            if let Some(mb) = method_b {
                let r = self.call(&mb, vec![b.clone(), a.clone()])?;
                if !matches!(r, Value::NotImplemented) {
                    return Ok(Some(r));
                }
            }
        }
        Ok(None)
    }

    /// `a <op>= b`: the in-place method first, then the binary operator.
    pub fn inplace_op(&mut self, op: BinOp, a: &Value, b: &Value) -> PyResult<Value> {
        match (op, a) {
            (BinOp::Add, Value::List(list)) => {
                let items = self.collect(b)?;
                list.borrow_mut().extend(items);
                return Ok(a.clone());
            }
            (BinOp::Mul, Value::List(list)) if is_int(b) => {
                let repeated = self.repeat(a, b)?;
                if let Value::List(new) = repeated {
                    let items = std::mem::take(&mut *new.borrow_mut());
                    *list.borrow_mut() = items;
                }
                return Ok(a.clone());
            }
            (BinOp::Or | BinOp::And | BinOp::Sub | BinOp::Xor, Value::Set(_))
                if b.as_set().is_some() =>
            {
                crate::builtins::sets::inplace_operator(self, op, a, b)?;
                return Ok(a.clone());
            }
            (BinOp::Or, Value::Dict(d)) => {
                self.dict_update(&Value::Dict(d.clone()), b, false)?;
                return Ok(a.clone());
            }
            _ => {}
        }
        if let Value::Instance(_) | Value::Native(_) = a {
            let (_, _, inplace) = op.dunders();
            if let Some(method) = self.class_of(a).lookup(inplace) {
                let r = self.call(&method, vec![a.clone(), b.clone()])?;
                if !matches!(r, Value::NotImplemented) {
                    return Ok(r);
                }
            }
            if let (BinOp::Add, Some(list)) = (op, a.as_list()) {
                let items = self.collect(b)?;
                list.borrow_mut().extend(items);
                return Ok(a.clone());
            }
        }
        self.binary_op_as(op, a, b, true)
    }

    pub fn unary_op(&mut self, op: UnaryOp, v: &Value) -> PyResult<Value> {
        match (op, v) {
            (UnaryOp::Neg, Value::Int(i)) => Ok(match i.checked_neg() {
                Some(n) => Value::Int(n),
                None => Value::from_bigint(-BigInt::from(*i)),
            }),
            (UnaryOp::Neg, Value::Bool(b)) => Ok(Value::Int(-(*b as i64))),
            (UnaryOp::Neg, Value::BigInt(b)) => Ok(Value::from_bigint(-(**b).clone())),
            (UnaryOp::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
            (UnaryOp::Pos, Value::Int(_) | Value::BigInt(_) | Value::Float(_)) => Ok(v.clone()),
            (UnaryOp::Pos, Value::Bool(b)) => Ok(Value::Int(*b as i64)),
            (UnaryOp::Invert, Value::Int(i)) => Ok(Value::Int(!i)),
            (UnaryOp::Invert, Value::Bool(b)) => Ok(Value::Int(!(*b as i64))),
            (UnaryOp::Invert, Value::BigInt(b)) => Ok(Value::from_bigint(-(**b).clone() - 1)),
            (UnaryOp::Not, _) => Ok(Value::Bool(!self.truthy(v)?)),
            _ => {
                let name = match op {
                    UnaryOp::Neg => "__neg__",
                    UnaryOp::Pos => "__pos__",
                    UnaryOp::Invert => "__invert__",
                    UnaryOp::Not => unreachable!("handled above"),
                };
                if let Some(r) = self.call_special(v, name, Vec::new())? {
                    return Ok(r);
                }
                if let Some(inner) = v.builtin_payload() {
                    return self.unary_op(op, &inner);
                }
                let symbol = match op {
                    UnaryOp::Neg => "unary -",
                    UnaryOp::Pos => "unary +",
                    _ => "unary ~",
                };
                let t = self.type_name(v);
                Err(self.type_error(format!("bad operand type for {symbol}: '{t}'")))
            }
        }
    }

    // ----------------------------------------------------------- truth

    pub fn truthy(&mut self, v: &Value) -> PyResult<bool> {
        Ok(match v {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::BigInt(_) => true,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.as_str().is_empty(),
            Value::Bytes(b) => !b.data.is_empty(),
            Value::List(l) => !l.borrow().is_empty(),
            Value::Tuple(t) => !t.items.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            Value::Set(s) | Value::FrozenSet(s) => !s.table.borrow().is_empty(),
            Value::Range(_) => self.len_of(v)? > 0,
            Value::Instance(_) | Value::Native(_) => {
                if let Some(r) = self.call_special(v, "__bool__", Vec::new())? {
                    return match r {
                        Value::Bool(b) => Ok(b),
                        other => {
                            let t = self.type_name(&other);
                            Err(self
                                .type_error(format!("__bool__ should return bool, returned {t}")))
                        }
                    };
                }
                if self.class_of(v).lookup("__len__").is_some() {
                    return Ok(self.len_of(v)? > 0);
                }
                match v.unwrap_builtin() {
                    Value::Instance(_) | Value::Native(_) => {
                        if let Some(list) = v.as_list() {
                            return Ok(!list.borrow().is_empty());
                        }
                        if let Some(dict) = v.as_dict() {
                            return Ok(!dict.is_empty());
                        }
                        if let Some(set) = v.as_set() {
                            return Ok(!set.table.borrow().is_empty());
                        }
                        true
                    }
                    inner => return self.truthy(&inner),
                }
            }
            _ => true,
        })
    }

    // ----------------------------------------------------------- compare

    /// Equality (`==`), as a bool.
    pub fn values_equal(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        if let Some(eq) = native_eq(a, b) {
            return Ok(eq);
        }
        let r = self.compare(CmpOp::Eq, a, b)?;
        self.truthy(&r)
    }

    /// `a <op> b` for the six rich comparisons.
    pub fn compare(&mut self, op: CmpOp, a: &Value, b: &Value) -> PyResult<Value> {
        let user = matches!(a, Value::Instance(_) | Value::Native(_))
            || matches!(b, Value::Instance(_) | Value::Native(_));
        if !user {
            if let Some(result) = self.native_compare(op, a, b)? {
                return Ok(Value::Bool(result));
            }
        } else {
            let (name, reflected) = (op.dunder(), op.swapped().dunder());
            let class_a = self.class_of(a);
            let class_b = self.class_of(b);
            let b_first = !Rc::ptr_eq(&class_a, &class_b)
                && class_b.is_subclass_of(&class_a)
                && class_b.lookup(reflected).is_some();
            let order: [(&Value, &Value, &str); 2] = if b_first {
                [(b, a, reflected), (a, b, name)]
            } else {
                [(a, b, name), (b, a, reflected)]
            };
            for (x, y, method) in order {
                let class = self.class_of(x);
                if let Some(m) = class.lookup(method) {
                    let r = self.call(&m, vec![x.clone(), y.clone()])?;
                    if !matches!(r, Value::NotImplemented) {
                        return Ok(r);
                    }
                }
            }
            let (ua, ub) = (a.unwrap_builtin(), b.unwrap_builtin());
            if !matches!(ua, Value::Instance(_) | Value::Native(_))
                && !matches!(ub, Value::Instance(_) | Value::Native(_))
            {
                if let Some(result) = self.native_compare(op, &ua, &ub)? {
                    return Ok(Value::Bool(result));
                }
            } else if let (Some(x), Some(y)) = (a.as_list(), b.as_list()) {
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                return self.compare_sequences(op, &x, &y).map(Value::Bool);
            } else if let (Some(_), Some(_)) = (a.as_dict(), b.as_dict()) {
                if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    let eq = self.dicts_equal(a, b)?;
                    return Ok(Value::Bool(eq == (op == CmpOp::Eq)));
                }
            }
        }
        match op {
            CmpOp::Eq => Ok(Value::Bool(a.is(b))),
            CmpOp::Ne => Ok(Value::Bool(!a.is(b))),
            _ => {
                let (ta, tb) = (self.type_name(a), self.type_name(b));
                Err(self.type_error(format!(
                    "'{}' not supported between instances of '{ta}' and '{tb}'",
                    op.symbol()
                )))
            }
        }
    }

    fn dicts_equal(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        let (Some(x), Some(y)) = (a.as_dict(), b.as_dict()) else {
            return Ok(false);
        };
        if x.len() != y.len() {
            return Ok(false);
        }
        for (k, v) in x.items() {
            match y.get(self, &k)? {
                Some(other) => {
                    if !v.is(&other) && !self.values_equal(&v, &other)? {
                        return Ok(false);
                    }
                }
                None => return Ok(false),
            }
        }
        Ok(true)
    }

    /// Comparison of built-in values; None when the types do not compare.
    fn native_compare(&mut self, op: CmpOp, a: &Value, b: &Value) -> PyResult<Option<bool>> {
        use std::cmp::Ordering;
        use Value::*;
        let ordering: Option<Ordering> = match (a, b) {
            (Int(x), Int(y)) => Some(x.cmp(y)),
            (Float(x), Float(y)) => {
                return Ok(Some(match op {
                    CmpOp::Lt => x < y,
                    CmpOp::Le => x <= y,
                    CmpOp::Eq => x == y,
                    CmpOp::Ne => x != y,
                    CmpOp::Gt => x > y,
                    CmpOp::Ge => x >= y,
                }))
            }
            (Int(_) | BigInt(_) | Bool(_) | Float(_), Int(_) | BigInt(_) | Bool(_) | Float(_)) => {
                return Ok(Some(compare_numbers(op, a, b)));
            }
            (Str(x), Str(y)) => Some(x.as_str().cmp(y.as_str())),
            (Bytes(x), Bytes(y)) => Some(x.data.cmp(&y.data)),
            (List(x), List(y)) => {
                let (x, y) = (x.borrow().clone(), y.borrow().clone());
                return self.compare_sequences(op, &x, &y).map(Some);
            }
            (Tuple(x), Tuple(y)) => {
                let (x, y) = (x.items.clone(), y.items.clone());
                return self.compare_sequences(op, &x, &y).map(Some);
            }
            (Set(_) | FrozenSet(_), Set(_) | FrozenSet(_)) => {
                return crate::builtins::sets::compare(self, op, a, b).map(Some);
            }
            (Dict(_), Dict(_)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                let eq = self.dicts_equal(a, b)?;
                return Ok(Some(eq == (op == CmpOp::Eq)));
            }
            (Range(x), Range(y)) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                let eq = ranges_equal(x, y);
                return Ok(Some(eq == (op == CmpOp::Eq)));
            }
            (Slice(x), Slice(y)) => {
                // CPython slice_richcompare: as (start, stop, step) tuples.
                let x = [x.start.clone(), x.stop.clone(), x.step.clone()];
                let y = [y.start.clone(), y.stop.clone(), y.step.clone()];
                return self.compare_sequences(op, &x, &y).map(Some);
            }
            _ => match op {
                CmpOp::Eq | CmpOp::Ne => {
                    let eq = native_eq(a, b).unwrap_or_else(|| a.is(b));
                    return Ok(Some(eq == (op == CmpOp::Eq)));
                }
                _ => Option::None,
            },
        };
        Ok(ordering.map(|o| ordering_satisfies(op, o)))
    }

    /// Lexicographic comparison (CPython `list_richcompare`): the first
    /// unequal pair decides, identity counting as equality.
    fn compare_sequences(&mut self, op: CmpOp, x: &[Value], y: &[Value]) -> PyResult<bool> {
        if matches!(op, CmpOp::Eq | CmpOp::Ne) && x.len() != y.len() {
            return Ok(op == CmpOp::Ne);
        }
        for (p, q) in x.iter().zip(y) {
            if p.is(q) {
                continue;
            }
            if !self.values_equal(p, q)? {
                return match op {
                    CmpOp::Eq => Ok(false),
                    CmpOp::Ne => Ok(true),
                    _ => {
                        let r = self.compare(op, p, q)?;
                        self.truthy(&r)
                    }
                };
            }
        }
        Ok(ordering_satisfies(op, x.len().cmp(&y.len())))
    }

    /// `a < b` as a bool, for sorting, `min` and `max`.
    pub fn less_than(&mut self, a: &Value, b: &Value) -> PyResult<bool> {
        if let (Value::Int(x), Value::Int(y)) = (a, b) {
            return Ok(x < y);
        }
        if let (Value::Str(x), Value::Str(y)) = (a, b) {
            return Ok(x.as_str() < y.as_str());
        }
        let r = self.compare(CmpOp::Lt, a, b)?;
        self.truthy(&r)
    }

    // ----------------------------------------------------------- hashing

    pub fn hash_value(&mut self, v: &Value) -> PyResult<i64> {
        if let Some(h) = native_hash(v) {
            return Ok(h);
        }
        match v {
            Value::Tuple(t) => {
                let mut hashes = Vec::with_capacity(t.items.len());
                for item in &t.items {
                    hashes.push(self.hash_value(item)?);
                }
                Ok(hash_tuple(&hashes))
            }
            Value::FrozenSet(s) => Ok(s.table.borrow().frozen_hash()),
            Value::List(_) | Value::Dict(_) | Value::Set(_) | Value::Slice(_) => {
                let t = self.type_name(v);
                Err(self.type_error(format!("unhashable type: '{t}'")))
            }
            Value::Instance(i) => {
                let class = i.class.borrow().clone();
                let (hash_name, eq_name) = HASH_NAMES.with(Clone::clone);
                match class.lookup_name(&hash_name) {
                    Some(Value::None) => {
                        let t = class.name().as_str().to_string();
                        Err(self.type_error(format!("unhashable type: '{t}'")))
                    }
                    Some(method) if !self.is_object_hash(&method) => {
                        let r = self.call(&method, vec![v.clone()])?;
                        match r {
                            Value::Int(i) => Ok(if i == -1 { -2 } else { i }),
                            Value::Bool(b) => Ok(b as i64),
                            Value::BigInt(b) => Ok(crate::value::hash::hash_bigint(&b)),
                            _ => Err(self.type_error("__hash__ method should return an integer")),
                        }
                    }
                    _ => {
                        if class
                            .lookup_name(&eq_name)
                            .is_some_and(|m| !matches!(m, Value::Builtin(_)))
                        {
                            let t = class.name().as_str().to_string();
                            return Err(self.type_error(format!("unhashable type: '{t}'")));
                        }
                        match v.unwrap_builtin() {
                            Value::Instance(_) => Ok(identity_hash(i.id)),
                            inner => self.hash_value(&inner),
                        }
                    }
                }
            }
            Value::Native(n) => {
                if let Some(method) = n.class.lookup("__hash__") {
                    if method.is_none() {
                        let t = n.class.name().as_str().to_string();
                        return Err(self.type_error(format!("unhashable type: '{t}'")));
                    }
                    let r = self.call(&method, vec![v.clone()])?;
                    if let Value::Int(i) = r {
                        return Ok(i);
                    }
                }
                Ok(identity_hash(n.id))
            }
            Value::Class(c) => Ok(identity_hash(c.id)),
            Value::Generator(g) => Ok(identity_hash(g.id)),
            Value::Range(_) => {
                let items = self.collect(v)?;
                let mut hashes = Vec::new();
                for item in &items {
                    hashes.push(self.hash_value(item)?);
                }
                Ok(hash_tuple(&hashes))
            }
            other => Ok(self.identity(other).map(identity_hash).unwrap_or(0)),
        }
    }
}

impl Vm {
    /// Is this `object.__hash__` (identity hashing)?
    fn is_object_hash(&self, method: &Value) -> bool {
        let hash_name = HASH_NAMES.with(|(hash_name, _)| hash_name.clone());
        self.types
            .object
            .dict
            .borrow()
            .get_name(&hash_name)
            .is_some_and(|h| h.is(method))
    }
}

thread_local! {
    /// `__hash__` and `__eq__`, interned once: instances are hashed often
    /// (dict keys), and interned names look up without hashing their text.
    static HASH_NAMES: (Rc<crate::value::PyStr>, Rc<crate::value::PyStr>) = (
        crate::value::string::intern("__hash__"),
        crate::value::string::intern("__eq__"),
    );
}

/// CPython's default hash is derived from the address; ours from the
/// sequential id, so it is stable across runs.
fn identity_hash(id: u64) -> i64 {
    (id as i64).wrapping_mul(1_000_003) >> 1
}

fn is_sequence(v: &Value) -> bool {
    matches!(
        v,
        Value::Str(_) | Value::List(_) | Value::Tuple(_) | Value::Bytes(_)
    )
}

/// Does an ordering satisfy a comparison (`Less` satisfies `<`, `<=`, `!=`)?
pub fn ordering_satisfies(op: CmpOp, o: std::cmp::Ordering) -> bool {
    match op {
        CmpOp::Lt => o.is_lt(),
        CmpOp::Le => o.is_le(),
        CmpOp::Eq => o.is_eq(),
        CmpOp::Ne => o.is_ne(),
        CmpOp::Gt => o.is_gt(),
        CmpOp::Ge => o.is_ge(),
    }
}

/// Exact comparison of mixed ints and floats (CPython `float_richcompare`).
fn compare_numbers(op: CmpOp, a: &Value, b: &Value) -> bool {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Float(x), other) => compare_float_int(*x, other),
        (other, Value::Float(y)) => compare_float_int(*y, other).map(|o| o.reverse()),
        _ => {
            let x = to_bigint(a).unwrap_or_default();
            let y = to_bigint(b).unwrap_or_default();
            Some(x.cmp(&y))
        }
    };
    match ordering {
        None => op == CmpOp::Ne,
        Some(o) => ordering_satisfies(op, o),
    }
}

/// Orders a float against an int exactly; None for NaN.
fn compare_float_int(f: f64, i: &Value) -> Option<std::cmp::Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Less
        });
    }
    let int = to_bigint(i)?;
    let floor = f.floor();
    let whole = numbers::float_to_bigint(floor)?;
    match whole.cmp(&int) {
        std::cmp::Ordering::Equal => Some(if f > floor {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }),
        other => Some(other),
    }
}

/// `divmod` helper shared with the builtins: Python floor semantics.
pub fn int_divmod(a: &BigInt, b: &BigInt) -> (BigInt, BigInt) {
    a.div_mod_floor(b)
}

/// CPython `range_equals`: equal lengths, and (if not empty) equal starts,
/// and (if longer than one) equal steps.
fn ranges_equal(x: &crate::value::PyRange, y: &crate::value::PyRange) -> bool {
    let bounds = |r: &crate::value::PyRange| {
        (
            to_bigint(&r.start).unwrap_or_default(),
            to_bigint(&r.stop).unwrap_or_default(),
            to_bigint(&r.step).unwrap_or_default(),
        )
    };
    let (x_start, x_stop, x_step) = bounds(x);
    let (y_start, y_stop, y_step) = bounds(y);
    let len = super::protocols::range_len(&x_start, &x_stop, &x_step);
    if len != super::protocols::range_len(&y_start, &y_stop, &y_step) {
        return false;
    }
    let one = num_bigint::BigInt::from(1);
    len.sign() == num_bigint::Sign::NoSign
        || (x_start == y_start && (len == one || x_step == y_step))
}
