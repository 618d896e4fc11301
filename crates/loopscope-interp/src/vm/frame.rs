//! A frame: one activation of a code object, with its own value stack,
//! locals, cells and block stack. Generators keep theirs on the heap
//! between resumptions.

use std::cell::RefCell;
use std::rc::Rc;

use crate::bytecode::Code;
use crate::value::{CellObj, Module, Value};

thread_local! {
    /// Emptied value stacks and locals of finished frames, reused by the
    /// next calls: a call then allocates nothing for them. One pool for
    /// both, so that a call touches it once on entry and once on exit.
    static SPARE: RefCell<SpareBuffers> = const {
        RefCell::new(SpareBuffers {
            stacks: Vec::new(),
            locals: Vec::new(),
        })
    };
}

struct SpareBuffers {
    stacks: Vec<Vec<Value>>,
    locals: Vec<Vec<Option<Value>>>,
}

/// How many spare buffers of each kind are kept, and the largest kept.
const SPARE_COUNT: usize = 64;
const SPARE_CAPACITY: usize = 256;

impl Drop for Frame {
    fn drop(&mut self) {
        // Values are dropped before the pools are touched: dropping one can
        // drop another frame (a generator's), which comes here again.
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        let mut locals = std::mem::take(&mut self.locals);
        locals.clear();
        let keep_stack = stack.capacity() <= SPARE_CAPACITY;
        let keep_locals = locals.capacity() <= SPARE_CAPACITY;
        if !keep_stack && !keep_locals {
            return;
        }
        let _ = SPARE.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut() {
                if keep_stack && spare.stacks.len() < SPARE_COUNT {
                    spare.stacks.push(stack);
                }
                if keep_locals && spare.locals.len() < SPARE_COUNT {
                    spare.locals.push(locals);
                }
            }
        });
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
    pub fn new(code: Rc<Code>, globals: Rc<Module>, namespace: Option<Rc<Module>>) -> Frame {
        Frame::with_arguments(code, globals, namespace, std::iter::empty())
    }

    /// A frame whose first locals are `arguments` (a simple call's
    /// parameters), the others unbound.
    #[inline]
    pub fn with_arguments(
        code: Rc<Code>,
        globals: Rc<Module>,
        namespace: Option<Rc<Module>>,
        arguments: impl Iterator<Item = Value>,
    ) -> Frame {
        let (stack, locals) = SPARE
            .try_with(|spare| match spare.try_borrow_mut() {
                Ok(mut spare) => (spare.stacks.pop(), spare.locals.pop()),
                Err(_) => (None, None),
            })
            .unwrap_or((None, None));
        let stack = stack.unwrap_or_else(|| Vec::with_capacity(8));
        let mut locals = locals.unwrap_or_default();
        let count = code.varnames.len();
        locals.extend(arguments.take(count).map(Some));
        locals.resize(count, None);
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
