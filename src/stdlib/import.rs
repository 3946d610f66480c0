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
    // None until a module loaded from source says which package it is in
    // (`__main__` has none, so relative imports in it fail as in CPython).
    let key = Value::Obj(vm.intern("__package__"));
    vm.dict_set(Value::Obj(d), key, Value::None)?;
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
        let prefix = format!("{name}.");
        let package = crate::stdlib::embedded::EMBEDDED
            .iter()
            .any(|(n, _)| n.starts_with(&prefix));
        let shown = format!("<aspy stdlib {name}>");
        let m = crate::run::exec_module_source(vm, name, &shown, src, package)?;
        return bind_in_parent(vm, name, m);
    }
    let stem = name.replace('.', "/");
    let candidates = [
        (format!("{stem}.aspy"), false),
        (format!("{stem}/__init__.aspy"), true),
    ];
    let dirs = vm.config.path.clone();
    for dir in dirs {
        for (file, package) in &candidates {
            let path = std::path::Path::new(&dir).join(file);
            if let Ok(text) = std::fs::read_to_string(&path) {
                // Shown relative to the script's directory, as tracebacks name it.
                let shown = if dir == "." {
                    file.clone()
                } else {
                    path.to_string_lossy().to_string()
                };
                let m = crate::run::exec_module_source(vm, name, &shown, &text, *package)?;
                return bind_in_parent(vm, name, m);
            }
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

/// After `a.b` is imported, `a.b` is also an attribute of `a`, as in CPython.
fn bind_in_parent(vm: &mut Vm, name: &str, module: Value) -> PyResult<Value> {
    if let Some((parent, leaf)) = name.rsplit_once('.') {
        let key = vm.new_str(parent);
        if let Some(p) = vm.dict_get(Value::Obj(vm.modules), key)? {
            let leaf = Value::Obj(vm.intern(leaf));
            vm.set_attr(p, leaf, module)?;
        }
    }
    Ok(module)
}

/// The absolute name of a relative import (`name` with `level` leading
/// dots removed) made from a module whose `__package__` is `package`.
pub fn resolve_relative(vm: &mut Vm, name: &str, package: Option<&str>) -> PyResult<String> {
    let level = name.len() - name.trim_start_matches('.').len();
    let rest = &name[level..];
    let Some(package) = package.filter(|p| !p.is_empty()) else {
        return Err(vm.new_error(
            ExcKind::ImportError,
            "attempted relative import with no known parent package",
        ));
    };
    let mut base = package;
    for _ in 1..level {
        match base.rsplit_once('.') {
            Some((up, _)) => base = up,
            None => {
                return Err(vm.new_error(
                    ExcKind::ImportError,
                    "attempted relative import beyond top-level package",
                ))
            }
        }
    }
    Ok(if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}.{rest}")
    })
}
