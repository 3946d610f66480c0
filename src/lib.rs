//! aspy: an interpreter for a small Python-like async scripting language.
//!
//! The crate is a library first; the `aspy` binary is a thin client of it.
//! The pipeline runs source text through the lexer, the parser, the compiler
//! and the bytecode VM, with a mio event loop underneath for asyncio.

pub mod ast;
pub mod bytecode;
pub mod compiler;
pub mod diagnostics;
pub mod lexer;
pub mod parser;
pub mod run;
pub mod runtime;
pub mod span;
pub mod stdlib;
pub mod vm;
