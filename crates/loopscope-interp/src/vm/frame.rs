//! A frame: one activation of a code object, with its own value stack,
//! locals, cells and block stack. Generators keep theirs on the heap
//! between resumptions.

use std::rc::Rc;

use crate::bytecode::Code;
use crate::value::{CellObj, Module, Value};

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
        let locals = vec![None; code.varnames.len()];
        Frame {
            stack: Vec::with_capacity(8),
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
