//! `OSError(errno, strerror[, filename[, winerror[, filename2]]])`
//! (CPython Objects/exceptions.c `OSError_new`, `oserror_parse_args`):
//! `OSError` itself called with a known errno makes the matching subclass
//! (`OSError(2, ...)` is a `FileNotFoundError`), and a filename is kept
//! apart from `args`, which then hold only errno and strerror.

use std::rc::Rc;

use crate::value::{Class, Value};
use crate::vm::{ExcType, Vm};

/// The subclass CPython's errno map picks (Linux errno values).
fn subclass_for_errno(errno: i64) -> Option<ExcType> {
    Some(match errno {
        11 | 114 | 115 => ExcType::BlockingIOError,
        10 => ExcType::ChildProcessError,
        32 | 108 => ExcType::BrokenPipeError,
        103 => ExcType::ConnectionAbortedError,
        111 => ExcType::ConnectionRefusedError,
        104 => ExcType::ConnectionResetError,
        17 => ExcType::FileExistsError,
        2 => ExcType::FileNotFoundError,
        21 => ExcType::IsADirectoryError,
        20 => ExcType::NotADirectoryError,
        4 => ExcType::InterruptedError,
        1 | 13 => ExcType::PermissionError,
        3 => ExcType::ProcessLookupError,
        110 => ExcType::TimeoutError,
        _ => return None,
    })
}

/// Does CPython parse these arguments as (errno, strerror, ...)?
pub fn has_errno_arguments(args: &[Value]) -> bool {
    (2..=5).contains(&args.len())
}

/// The exception a call of an OSError class with `args` makes.
pub fn new_os_error(vm: &mut Vm, class: &Rc<Class>, args: Vec<Value>) -> Value {
    let mut class = class.clone();
    if has_errno_arguments(&args) && Rc::ptr_eq(&class, &vm.types.exception(ExcType::OSError)) {
        if let Some(Value::Int(errno)) = args.first().map(Value::unwrap_builtin) {
            if let Some(kind) = subclass_for_errno(errno) {
                class = vm.types.exception(kind);
            }
        }
    }
    let (kept, filenames) = split_arguments(args);
    let exc = vm.new_exception(&class, kept);
    store_filenames(vm, &exc, filenames);
    exc
}

/// `OSError.__init__`: the arguments `args` keeps.
pub fn init_os_error(vm: &mut Vm, exc: &Value, args: Vec<Value>) {
    let (kept, filenames) = split_arguments(args);
    if let Some(data) = exc.as_exception() {
        *data.args.borrow_mut() = Value::tuple(kept);
    }
    store_filenames(vm, exc, filenames);
}

/// With a filename (not None), `args` keeps only errno and strerror; the
/// filename and filename2 are returned apart.
fn split_arguments(args: Vec<Value>) -> (Vec<Value>, Option<(Value, Value)>) {
    if !has_errno_arguments(&args) {
        return (args, None);
    }
    let filename = args.get(2).cloned().unwrap_or(Value::None);
    if filename.is_none() {
        return (args, None);
    }
    let filename2 = args.get(4).cloned().unwrap_or(Value::None);
    let kept = args.into_iter().take(2).collect();
    (kept, Some((filename, filename2)))
}

fn store_filenames(vm: &mut Vm, exc: &Value, filenames: Option<(Value, Value)>) {
    let (Some((filename, filename2)), Value::Instance(instance)) = (filenames, exc) else {
        return;
    };
    let name = vm.intern("filename");
    vm.set_instance_attribute(instance, &name, filename);
    if !filename2.is_none() {
        let name = vm.intern("filename2");
        vm.set_instance_attribute(instance, &name, filename2);
    }
}

/// `errno`, `strerror`, `filename`, `filename2` of an OSError whose
/// instance dict does not hold them.
pub fn os_error_attribute(args: &[Value], name: &str) -> Option<Value> {
    let index = match name {
        "errno" => 0,
        "strerror" => 1,
        "filename" => 2,
        "filename2" => 4,
        _ => return None,
    };
    if !has_errno_arguments(args) {
        return Some(Value::None);
    }
    Some(args.get(index).cloned().unwrap_or(Value::None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_picks_cpythons_subclass() {
        assert_eq!(subclass_for_errno(2), Some(ExcType::FileNotFoundError));
        assert_eq!(subclass_for_errno(13), Some(ExcType::PermissionError));
        assert_eq!(subclass_for_errno(32), Some(ExcType::BrokenPipeError));
        assert_eq!(subclass_for_errno(999), None);
    }

    #[test]
    fn a_filename_leaves_args() {
        let args = vec![Value::Int(2), Value::str("gone"), Value::str("a.txt")];
        let (kept, filenames) = split_arguments(args);
        assert_eq!(kept.len(), 2);
        assert!(matches!(filenames, Some((Value::Str(_), Value::None))));
        let (kept, filenames) = split_arguments(vec![Value::Int(2), Value::str("x"), Value::None]);
        assert_eq!(kept.len(), 3);
        assert!(filenames.is_none());
    }
}
