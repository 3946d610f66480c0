//! Native library modules (written in Rust): looked up by name on import.

use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Creates and returns the native module `name`, or None if there is no
/// native module of that name.
pub fn load(_vm: &mut Vm, _name: &str) -> Option<PyResult<Value>> {
    None
}
