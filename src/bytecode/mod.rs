//! Bytecode: the instruction set, code objects and the disassembler.
//!
//! This is the contract between the compiler (which only writes it) and the
//! VM (which only reads it); neither knows the other.

pub mod code;
pub mod disasm;
pub mod opcode;

pub use code::{CaretAnchor, Code, CodeKind, Const, ExceptionEntry};
pub use opcode::{BinaryOp, CompareOp, Instr};
