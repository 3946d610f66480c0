//! Generators, coroutines and async generators.
//!
//! All three are a suspended frame plus a state. While not running, the
//! generator owns its [`Frame`] and the values of its stack slice; while
//! running, both live on the fiber that resumed it (see `vm/frame.rs`).

use crate::bytecode::CodeKind;
use crate::vm::frame::Frame;
use crate::vm::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenState {
    /// Created, not yet started.
    Created,
    /// Paused at a yield (or at a `Send` while delegating).
    Suspended,
    /// On some fiber's frame stack right now.
    Running,
    Finished,
}

pub struct Generator {
    pub kind: CodeKind,
    pub state: GenState,
    /// The saved frame (None while running or finished).
    pub frame: Option<Frame>,
    /// The saved slots and operand stack of the frame.
    pub stack: Vec<Value>,
    /// The saved "exception being handled" of the generator.
    pub handled: Value,
    pub name: Value,
    pub qualname: Value,
    /// For async generators: whether `aclose`/finalisation is pending, etc.
    pub flags: u32,
}

impl Generator {
    pub fn trace(&self, f: &mut dyn FnMut(Value)) {
        if let Some(fr) = &self.frame {
            fr.trace(f);
        }
        self.stack.iter().for_each(|&v| f(v));
        f(self.handled);
        f(self.name);
        f(self.qualname);
    }
}
