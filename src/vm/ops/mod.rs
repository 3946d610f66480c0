//! Operations on values used by the dispatch loop and the built-ins:
//! arithmetic (`arith`), bytes and bytearray (`bytes_ops`), hashing/equality/truth (`hashing`), rich comparison
//! (`compare`), dicts and sets (`collections`), sequences and subscripts
//! (`seq_ops`), iteration (`iter`), text conversion (`text`) and the
//! exception/context-manager/await/import helpers (`misc`).

pub mod arith;
pub mod bytes_ops;
pub mod collections;
pub mod compare;
pub mod hashing;
pub mod iter;
pub mod misc;
pub mod seq_ops;
pub mod set_ops;
pub mod text;
