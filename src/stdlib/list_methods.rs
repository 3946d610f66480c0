//! Methods of the built-in type(s) named by this file, installed into their
//! class namespaces.

use crate::vm::Vm;

pub fn install(_vm: &mut Vm) {}
