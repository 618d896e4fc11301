//! The built-in exception classes and CPython's traceback format.
//!
//! The hierarchy is CPython 3.11's (Lib/test/exception_hierarchy.txt),
//! restricted to the classes a program in the simulated world can meet.
//! The separators between chained exceptions are here too; the frames of
//! a traceback are drawn by `traceback_text`.

/// The built-in exception classes, parents before children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExcType {
    BaseException,
    BaseExceptionGroup,
    GeneratorExit,
    KeyboardInterrupt,
    SystemExit,
    Exception,
    ArithmeticError,
    FloatingPointError,
    OverflowError,
    ZeroDivisionError,
    AssertionError,
    AttributeError,
    BufferError,
    EOFError,
    ExceptionGroup,
    ImportError,
    ModuleNotFoundError,
    LookupError,
    IndexError,
    KeyError,
    MemoryError,
    NameError,
    UnboundLocalError,
    OSError,
    BlockingIOError,
    ChildProcessError,
    ConnectionError,
    BrokenPipeError,
    ConnectionAbortedError,
    ConnectionRefusedError,
    ConnectionResetError,
    FileExistsError,
    FileNotFoundError,
    InterruptedError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
    ProcessLookupError,
    TimeoutError,
    ReferenceError,
    RuntimeError,
    NotImplementedError,
    RecursionError,
    StopAsyncIteration,
    StopIteration,
    SyntaxError,
    IndentationError,
    SystemError,
    TabError,
    TypeError,
    ValueError,
    UnicodeError,
    UnicodeDecodeError,
    UnicodeEncodeError,
    UnicodeTranslateError,
    Warning,
    DeprecationWarning,
    PendingDeprecationWarning,
    RuntimeWarning,
    SyntaxWarning,
    UserWarning,
    FutureWarning,
    ImportWarning,
    UnicodeWarning,
    BytesWarning,
    ResourceWarning,
    EncodingWarning,
}

impl ExcType {
    /// Every built-in exception class with its parent, in creation order.
    pub const ALL: &'static [(ExcType, &'static str, Option<ExcType>)] = &[
        (ExcType::BaseException, "BaseException", None),
        (
            ExcType::BaseExceptionGroup,
            "BaseExceptionGroup",
            Some(ExcType::BaseException),
        ),
        (
            ExcType::GeneratorExit,
            "GeneratorExit",
            Some(ExcType::BaseException),
        ),
        (
            ExcType::KeyboardInterrupt,
            "KeyboardInterrupt",
            Some(ExcType::BaseException),
        ),
        (
            ExcType::SystemExit,
            "SystemExit",
            Some(ExcType::BaseException),
        ),
        (
            ExcType::Exception,
            "Exception",
            Some(ExcType::BaseException),
        ),
        (
            ExcType::ArithmeticError,
            "ArithmeticError",
            Some(ExcType::Exception),
        ),
        (
            ExcType::FloatingPointError,
            "FloatingPointError",
            Some(ExcType::ArithmeticError),
        ),
        (
            ExcType::OverflowError,
            "OverflowError",
            Some(ExcType::ArithmeticError),
        ),
        (
            ExcType::ZeroDivisionError,
            "ZeroDivisionError",
            Some(ExcType::ArithmeticError),
        ),
        (
            ExcType::AssertionError,
            "AssertionError",
            Some(ExcType::Exception),
        ),
        (
            ExcType::AttributeError,
            "AttributeError",
            Some(ExcType::Exception),
        ),
        (
            ExcType::BufferError,
            "BufferError",
            Some(ExcType::Exception),
        ),
        (ExcType::EOFError, "EOFError", Some(ExcType::Exception)),
        // ExceptionGroup derives from both BaseExceptionGroup and Exception;
        // the second base is added when the class is built.
        (
            ExcType::ExceptionGroup,
            "ExceptionGroup",
            Some(ExcType::BaseExceptionGroup),
        ),
        (
            ExcType::ImportError,
            "ImportError",
            Some(ExcType::Exception),
        ),
        (
            ExcType::ModuleNotFoundError,
            "ModuleNotFoundError",
            Some(ExcType::ImportError),
        ),
        (
            ExcType::LookupError,
            "LookupError",
            Some(ExcType::Exception),
        ),
        (
            ExcType::IndexError,
            "IndexError",
            Some(ExcType::LookupError),
        ),
        (ExcType::KeyError, "KeyError", Some(ExcType::LookupError)),
        (
            ExcType::MemoryError,
            "MemoryError",
            Some(ExcType::Exception),
        ),
        (ExcType::NameError, "NameError", Some(ExcType::Exception)),
        (
            ExcType::UnboundLocalError,
            "UnboundLocalError",
            Some(ExcType::NameError),
        ),
        (ExcType::OSError, "OSError", Some(ExcType::Exception)),
        (
            ExcType::BlockingIOError,
            "BlockingIOError",
            Some(ExcType::OSError),
        ),
        (
            ExcType::ChildProcessError,
            "ChildProcessError",
            Some(ExcType::OSError),
        ),
        (
            ExcType::ConnectionError,
            "ConnectionError",
            Some(ExcType::OSError),
        ),
        (
            ExcType::BrokenPipeError,
            "BrokenPipeError",
            Some(ExcType::ConnectionError),
        ),
        (
            ExcType::ConnectionAbortedError,
            "ConnectionAbortedError",
            Some(ExcType::ConnectionError),
        ),
        (
            ExcType::ConnectionRefusedError,
            "ConnectionRefusedError",
            Some(ExcType::ConnectionError),
        ),
        (
            ExcType::ConnectionResetError,
            "ConnectionResetError",
            Some(ExcType::ConnectionError),
        ),
        (
            ExcType::FileExistsError,
            "FileExistsError",
            Some(ExcType::OSError),
        ),
        (
            ExcType::FileNotFoundError,
            "FileNotFoundError",
            Some(ExcType::OSError),
        ),
        (
            ExcType::InterruptedError,
            "InterruptedError",
            Some(ExcType::OSError),
        ),
        (
            ExcType::IsADirectoryError,
            "IsADirectoryError",
            Some(ExcType::OSError),
        ),
        (
            ExcType::NotADirectoryError,
            "NotADirectoryError",
            Some(ExcType::OSError),
        ),
        (
            ExcType::PermissionError,
            "PermissionError",
            Some(ExcType::OSError),
        ),
        (
            ExcType::ProcessLookupError,
            "ProcessLookupError",
            Some(ExcType::OSError),
        ),
        (
            ExcType::TimeoutError,
            "TimeoutError",
            Some(ExcType::OSError),
        ),
        (
            ExcType::ReferenceError,
            "ReferenceError",
            Some(ExcType::Exception),
        ),
        (
            ExcType::RuntimeError,
            "RuntimeError",
            Some(ExcType::Exception),
        ),
        (
            ExcType::NotImplementedError,
            "NotImplementedError",
            Some(ExcType::RuntimeError),
        ),
        (
            ExcType::RecursionError,
            "RecursionError",
            Some(ExcType::RuntimeError),
        ),
        (
            ExcType::StopAsyncIteration,
            "StopAsyncIteration",
            Some(ExcType::Exception),
        ),
        (
            ExcType::StopIteration,
            "StopIteration",
            Some(ExcType::Exception),
        ),
        (
            ExcType::SyntaxError,
            "SyntaxError",
            Some(ExcType::Exception),
        ),
        (
            ExcType::IndentationError,
            "IndentationError",
            Some(ExcType::SyntaxError),
        ),
        (
            ExcType::SystemError,
            "SystemError",
            Some(ExcType::Exception),
        ),
        (
            ExcType::TabError,
            "TabError",
            Some(ExcType::IndentationError),
        ),
        (ExcType::TypeError, "TypeError", Some(ExcType::Exception)),
        (ExcType::ValueError, "ValueError", Some(ExcType::Exception)),
        (
            ExcType::UnicodeError,
            "UnicodeError",
            Some(ExcType::ValueError),
        ),
        (
            ExcType::UnicodeDecodeError,
            "UnicodeDecodeError",
            Some(ExcType::UnicodeError),
        ),
        (
            ExcType::UnicodeEncodeError,
            "UnicodeEncodeError",
            Some(ExcType::UnicodeError),
        ),
        (
            ExcType::UnicodeTranslateError,
            "UnicodeTranslateError",
            Some(ExcType::UnicodeError),
        ),
        (ExcType::Warning, "Warning", Some(ExcType::Exception)),
        (
            ExcType::DeprecationWarning,
            "DeprecationWarning",
            Some(ExcType::Warning),
        ),
        (
            ExcType::PendingDeprecationWarning,
            "PendingDeprecationWarning",
            Some(ExcType::Warning),
        ),
        (
            ExcType::RuntimeWarning,
            "RuntimeWarning",
            Some(ExcType::Warning),
        ),
        (
            ExcType::SyntaxWarning,
            "SyntaxWarning",
            Some(ExcType::Warning),
        ),
        (ExcType::UserWarning, "UserWarning", Some(ExcType::Warning)),
        (
            ExcType::FutureWarning,
            "FutureWarning",
            Some(ExcType::Warning),
        ),
        (
            ExcType::ImportWarning,
            "ImportWarning",
            Some(ExcType::Warning),
        ),
        (
            ExcType::UnicodeWarning,
            "UnicodeWarning",
            Some(ExcType::Warning),
        ),
        (
            ExcType::BytesWarning,
            "BytesWarning",
            Some(ExcType::Warning),
        ),
        (
            ExcType::ResourceWarning,
            "ResourceWarning",
            Some(ExcType::Warning),
        ),
        (
            ExcType::EncodingWarning,
            "EncodingWarning",
            Some(ExcType::Warning),
        ),
    ];

    /// Index of this class in [`ExcType::ALL`].
    pub fn index(self) -> usize {
        ExcType::ALL
            .iter()
            .position(|(t, _, _)| *t == self)
            .unwrap_or(0)
    }

    pub fn name(self) -> &'static str {
        ExcType::ALL[self.index()].1
    }
}

/// CPython's separators between chained exceptions in a traceback.
pub const CAUSE_SEPARATOR: &str =
    "\nThe above exception was the direct cause of the following exception:\n\n";
pub const CONTEXT_SEPARATOR: &str =
    "\nDuring handling of the above exception, another exception occurred:\n\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parent_comes_before_its_children() {
        for (position, (_, _, parent)) in ExcType::ALL.iter().enumerate() {
            if let Some(parent) = parent {
                assert!(parent.index() < position);
            }
        }
    }
}
