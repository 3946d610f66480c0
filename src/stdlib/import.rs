//! `import`: `sys.modules`, native modules, embedded aspy modules, and
//! `name.aspy` files in the script's directory.

use crate::vm::exceptions::ExcKind;
use crate::vm::object::{Dict, Module, Object};
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Creates an empty module object named `name` and registers it.
pub fn new_module(vm: &mut Vm, name: &str) -> PyResult<Value> {
    let d = vm.heap.alloc(Object::Dict(Box::new(Dict::new())));
    let name_v = vm.new_str(name);
    let m = vm.alloc(Object::Module(Box::new(Module {
        name: name_v,
        dict: d,
    })));
    let key = Value::Obj(vm.intern("__name__"));
    vm.dict_set(Value::Obj(d), key, name_v)?;
    let modules = Value::Obj(vm.modules);
    vm.dict_set(modules, name_v, m)?;
    Ok(m)
}

/// Imports a module by dotted name (the leaf module is returned).
pub fn import_module(vm: &mut Vm, name: &str) -> PyResult<Value> {
    let key = vm.new_str(name);
    if let Some(m) = vm.dict_get(Value::Obj(vm.modules), key)? {
        return Ok(m);
    }
    if let Some((parent, _)) = name.rsplit_once('.') {
        import_module(vm, parent)?;
    }
    if let Some(m) = crate::stdlib::modules::load(vm, name) {
        return m;
    }
    if let Some(src) = crate::stdlib::embedded::EMBEDDED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
    {
        return crate::run::exec_module_source(vm, name, &format!("<aspy stdlib {name}>"), src);
    }
    let file = format!("{}.aspy", name.replace('.', "/"));
    let dirs = vm.config.path.clone();
    for dir in dirs {
        let path = std::path::Path::new(&dir).join(&file);
        if let Ok(text) = std::fs::read_to_string(&path) {
            // Shown relative to the script's directory, as tracebacks name it.
            let shown = if dir == "." {
                file.clone()
            } else {
                path.to_string_lossy().to_string()
            };
            return crate::run::exec_module_source(vm, name, &shown, &text);
        }
    }
    let e = vm.new_error(
        ExcKind::ModuleNotFoundError,
        format!("No module named '{name}'"),
    );
    let n = vm.new_str(name);
    vm.set_exc_attr(e.0, "name", n);
    Err(e)
}
