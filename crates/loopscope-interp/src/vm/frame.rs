//! A frame: one activation of a code object, with its own value stack,
//! locals, cells and block stack. Generators keep theirs on the heap
//! between resumptions.

use std::rc::Rc;

use crate::bytecode::Code;
use crate::value::{CellObj, Module, Value};

/// Emptied value stacks and locals of finished call frames, reused by the
/// next calls so that a call allocates nothing for them. The VM owns one
/// ([`Vm::frame_with_arguments`] takes from it, [`Vm::release_frame`]
/// gives back); frames that end elsewhere (generators', parked ones) just
/// drop their buffers.
///
/// [`Vm::frame_with_arguments`]: crate::vm::Vm::frame_with_arguments
/// [`Vm::release_frame`]: crate::vm::Vm::release_frame
#[derive(Default)]
pub struct FrameBuffers {
    stacks: Vec<Vec<Value>>,
    locals: Vec<Vec<Option<Value>>>,
}

/// How many spare buffers of each kind are kept, and the largest kept.
const SPARE_COUNT: usize = 64;
const SPARE_CAPACITY: usize = 256;

impl FrameBuffers {
    /// Keeps a frame's buffers, emptied, for a later frame. The values
    /// are dropped before the buffers are kept: dropping one can drop
    /// other frames.
    pub fn keep(&mut self, frame: &mut Frame) {
        let mut stack = std::mem::take(&mut frame.stack);
        stack.clear();
        let mut locals = std::mem::take(&mut frame.locals);
        locals.clear();
        let capacity = stack.capacity();
        if capacity > 0 && capacity <= SPARE_CAPACITY && self.stacks.len() < SPARE_COUNT {
            self.stacks.push(stack);
        }
        let capacity = locals.capacity();
        if capacity > 0 && capacity <= SPARE_CAPACITY && self.locals.len() < SPARE_COUNT {
            self.locals.push(locals);
        }
    }

    /// A spare value stack and locals vector (new ones when none is kept).
    #[inline]
    pub fn take(&mut self) -> (Vec<Value>, Vec<Option<Value>>) {
        let stack = self.stacks.pop().unwrap_or_else(|| Vec::with_capacity(8));
        (stack, self.locals.pop().unwrap_or_default())
    }
}

/// An entry of the block stack.
#[derive(Clone, Copy, Debug)]
pub enum Block {
    /// `try`/`finally`/`with`: on an exception, truncate the stack to
    /// `level`, push the exception and jump to `handler`.
    Handler { handler: u32, level: u32 },
    /// Inside a handler: leaving it restores the previously handled
    /// exception.
    ExceptHandler { level: u32 },
}

pub struct Frame {
    pub code: Rc<Code>,
    pub ip: usize,
    pub stack: Vec<Value>,
    pub locals: Vec<Option<Value>>,
    /// Cell variables, then free variables.
    pub cells: Vec<Rc<CellObj>>,
    pub blocks: Vec<Block>,
    pub globals: Rc<Module>,
    /// The namespace of module and class bodies (`LOAD_NAME`).
    pub namespace: Option<Rc<Module>>,
    /// Exceptions being handled inside this frame when it was suspended
    /// (a generator suspended in an `except` block keeps its own).
    pub saved_exceptions: Vec<Value>,
    /// The next error must not add a traceback entry (a re-raise).
    pub reraising: bool,
}

impl Frame {
    /// A frame with new buffers and no argument bound (module and class
    /// bodies, placeholders).
    pub fn new(code: Rc<Code>, globals: Rc<Module>, namespace: Option<Rc<Module>>) -> Frame {
        Frame::with_buffers(
            code,
            globals,
            namespace,
            std::iter::empty(),
            (Vec::with_capacity(8), Vec::new()),
        )
    }

    /// A frame on the given (empty) buffers whose first locals are
    /// `arguments` (a simple call's parameters), the others unbound.
    #[inline]
    pub fn with_buffers(
        code: Rc<Code>,
        globals: Rc<Module>,
        namespace: Option<Rc<Module>>,
        arguments: impl Iterator<Item = Value>,
        (stack, mut locals): (Vec<Value>, Vec<Option<Value>>),
    ) -> Frame {
        let count = code.varnames.len();
        locals.extend(arguments.take(count).map(Some));
        // A loop of pushes: `resize` is an out-of-line call per frame.
        while locals.len() < count {
            locals.push(None);
        }
        Frame {
            stack,
            locals,
            cells: Vec::new(),
            blocks: Vec::new(),
            ip: 0,
            code,
            globals,
            namespace,
            saved_exceptions: Vec::new(),
            reraising: false,
        }
    }

    /// Whether names are looked up in the globals first (a module body,
    /// or code with no namespace of its own), not in a class body's.
    #[inline]
    pub fn namespace_is_globals(&self) -> bool {
        self.namespace
            .as_ref()
            .is_none_or(|namespace| Rc::ptr_eq(namespace, &self.globals))
    }

    /// The line the frame is at (of the instruction last started).
    pub fn line(&self) -> u32 {
        self.code.line_of(self.ip.saturating_sub(1))
    }

    /// Byte range of the instruction last started.
    pub fn range(&self) -> (u32, u32) {
        self.code
            .ranges
            .get(self.ip.saturating_sub(1))
            .copied()
            .unwrap_or((0, 0))
    }

    /// Number of except-handler blocks: exceptions this frame handles.
    pub fn handler_depth(&self) -> usize {
        self.blocks
            .iter()
            .filter(|b| matches!(b, Block::ExceptHandler { .. }))
            .count()
    }
}
