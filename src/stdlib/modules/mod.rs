//! Native library modules (written in Rust): looked up by name on import.

pub mod asyncio;
pub mod asyncio_future;
pub mod asyncio_loop;
pub mod asyncio_sync;
pub mod collections;
pub mod contextvars;
pub mod functools;
pub mod gc;
pub mod itertools;
mod itertools_comb;
mod itertools_filter;
mod itertools_group;
pub mod json;
mod json_decode;
pub mod operator;
pub mod support;

use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Creates and returns the native module `name`, or None if there is no
/// native module of that name.
pub fn load(vm: &mut Vm, name: &str) -> Option<PyResult<Value>> {
    match name {
        "_asyncio" => Some(asyncio::load(vm)),
        "contextvars" => Some(contextvars::load(vm)),
        "gc" => Some(gc::load(vm)),
        "_collections" => Some(collections::load(vm)),
        "_functools" => Some(functools::load(vm)),
        "itertools" => Some(itertools::load(vm)),
        "_json" => Some(json::load(vm)),
        "operator" => Some(operator::load(vm)),
        _ => None,
    }
}
