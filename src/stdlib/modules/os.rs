//! A small `os` module: what scripts commonly use (environment, process
//! id, current directory, `os.path` string functions and existence
//! checks). `os.environ` is a plain dict snapshot taken at import.
//! `os.path` is CPython's `posixpath`: registered under both names.

use super::args::{exactly_one, positional};
use super::NativeModule;
use crate::stdlib::builtins::check_args;
use crate::vm::exceptions::ExcKind;
use crate::vm::value::Value;
use crate::vm::{PyResult, Vm};

/// Builds `os` (and `os.path`).
pub fn init(vm: &mut Vm) -> PyResult<Value> {
    let m = NativeModule::new(vm, "os")?;
    m.def_all(
        vm,
        &[
            ("getenv", getenv),
            ("getpid", getpid),
            ("getcwd", getcwd),
            ("cpu_count", cpu_count),
            ("listdir", listdir),
        ],
    );
    for (name, text) in [
        ("name", "posix"),
        ("sep", "/"),
        ("altsep", ""),
        ("linesep", "\n"),
        ("pathsep", ":"),
        ("curdir", "."),
        ("pardir", ".."),
        ("extsep", "."),
        ("devnull", "/dev/null"),
    ] {
        let v = if name == "altsep" {
            Value::None
        } else {
            vm.new_str(text)
        };
        m.set(vm, name, v);
    }
    let environ = vm.new_dict();
    for (k, v) in std::env::vars_os() {
        let k = vm.new_str(k.to_string_lossy());
        let v = vm.new_str(v.to_string_lossy());
        vm.dict_set(environ, k, v)?;
    }
    m.set(vm, "environ", environ);
    let path = init_posixpath(vm)?;
    m.set(vm, "path", path);
    Ok(m.module)
}

/// `import os.path`: the `path` attribute of `os`.
pub fn init_path(vm: &mut Vm) -> PyResult<Value> {
    let os = crate::stdlib::import::import_module(vm, "os")?;
    vm.get_attr_str(os, "path")
}

fn init_posixpath(vm: &mut Vm) -> PyResult<Value> {
    let p = NativeModule::new(vm, "posixpath")?;
    p.def_all(
        vm,
        &[
            ("join", join),
            ("basename", basename),
            ("dirname", dirname),
            ("split", split),
            ("splitext", splitext),
            ("normpath", normpath),
            ("abspath", abspath),
            ("isabs", isabs),
            ("exists", exists),
            ("isfile", isfile),
            ("isdir", isdir),
        ],
    );
    let sep = vm.new_str("/");
    p.set(vm, "sep", sep);
    let key = vm.new_str("os.path");
    let modules = Value::Obj(vm.modules);
    vm.dict_set(modules, key, p.module)?;
    Ok(p.module)
}

// ---- os -------------------------------------------------------------------------

fn getenv(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = super::args::Signature {
        owner: "",
        name: "getenv",
        params: &["key", "default"],
        required: 1,
        kwonly: &[],
    }
    .bind(vm, args, kw)?;
    let key = s[0].unwrap_or(Value::None);
    let default = s[1].unwrap_or(Value::None);
    let Some(name) = vm.as_str(key) else {
        let msg = format!("str expected, not {}", vm.type_name(key));
        return Err(vm.type_error(msg));
    };
    match std::env::var_os(name) {
        Some(v) => Ok(vm.new_str(v.to_string_lossy())),
        None => Ok(default),
    }
}

fn getpid(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "getpid", args, kw, 0, 0)?;
    Ok(Value::Int(std::process::id() as i64))
}

fn cwd(vm: &mut Vm) -> PyResult<String> {
    match std::env::current_dir() {
        Ok(p) => Ok(p.to_string_lossy().into_owned()),
        Err(e) => Err(vm.new_error(ExcKind::OSError, e.to_string())),
    }
}

fn getcwd(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "getcwd", args, kw, 0, 0)?;
    let d = cwd(vm)?;
    Ok(vm.new_str(d))
}

fn cpu_count(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    check_args(vm, "cpu_count", args, kw, 0, 0)?;
    Ok(match std::thread::available_parallelism() {
        Ok(n) => Value::Int(n.get() as i64),
        Err(_) => Value::None,
    })
}

fn listdir(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    positional(vm, "os", "listdir", args, kw, 0, 1)?;
    let dir = match args.first() {
        Some(&v) => path_arg(vm, v)?,
        None => ".".to_string(),
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) => return Err(os_error(vm, &e, &dir)),
    };
    let mut names = Vec::new();
    for e in entries.flatten() {
        names.push(vm.new_str(e.file_name().to_string_lossy()));
    }
    Ok(vm.new_list(names))
}

/// CPython's OSError text: "[Errno 2] No such file or directory: 'x'",
/// as the matching subclass.
fn os_error(vm: &mut Vm, e: &std::io::Error, path: &str) -> crate::vm::PyErr {
    let kind = match e.kind() {
        std::io::ErrorKind::NotFound => ExcKind::FileNotFoundError,
        std::io::ErrorKind::PermissionDenied => ExcKind::PermissionError,
        _ if e.raw_os_error() == Some(libc::ENOTDIR) => ExcKind::NotADirectoryError,
        _ => ExcKind::OSError,
    };
    let errno = e.raw_os_error().unwrap_or(0);
    // SAFETY: strerror returns a pointer to a static NUL-terminated message.
    let text = unsafe { std::ffi::CStr::from_ptr(libc::strerror(errno)) }
        .to_string_lossy()
        .into_owned();
    let shown = crate::vm::ops::text::str_repr(path);
    vm.new_error(kind, format!("[Errno {errno}] {text}: {shown}"))
}

// ---- os.path --------------------------------------------------------------------

/// A path argument (str only).
fn path_arg(vm: &mut Vm, v: Value) -> PyResult<String> {
    match vm.as_str(v) {
        Some(s) => Ok(s.to_string()),
        None => {
            let msg = format!(
                "expected str, bytes or os.PathLike object, not {}",
                vm.type_name(v)
            );
            Err(vm.type_error(msg))
        }
    }
}

/// A one-path function returning a string.
fn str_fn(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    f: fn(&str) -> String,
) -> PyResult<Value> {
    exactly_one(vm, "posixpath", name, args, kw)?;
    let p = path_arg(vm, args[0])?;
    Ok(vm.new_str(f(&p)))
}

fn join(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    if args.is_empty() {
        return Err(vm.type_error("join() missing 1 required positional argument: 'a'"));
    }
    check_args(vm, "join", &[], kw, 0, 0)?;
    let mut path = path_arg(vm, args[0])?;
    for &b in &args[1..] {
        let b = match vm.as_str(b) {
            Some(s) => s.to_string(),
            None => {
                let msg = format!(
                    "join() argument must be str, bytes, or os.PathLike object, not '{}'",
                    vm.type_name(b)
                );
                return Err(vm.type_error(msg));
            }
        };
        if b.starts_with('/') {
            path = b;
        } else if path.is_empty() || path.ends_with('/') {
            path.push_str(&b);
        } else {
            path.push('/');
            path.push_str(&b);
        }
    }
    Ok(vm.new_str(path))
}

/// The directory part: up to the last slash, trailing slashes removed
/// unless it is all slashes.
fn head_of(p: &str) -> &str {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    let head = &p[..i];
    if !head.is_empty() && head.chars().any(|c| c != '/') {
        head.trim_end_matches('/')
    } else {
        head
    }
}

fn tail_of(p: &str) -> &str {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    &p[i..]
}

fn basename(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    str_fn(vm, "basename", args, kw, |p| tail_of(p).to_string())
}

fn dirname(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    str_fn(vm, "dirname", args, kw, |p| head_of(p).to_string())
}

fn split(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    exactly_one(vm, "posixpath", "split", args, kw)?;
    let p = path_arg(vm, args[0])?;
    let head = vm.new_str(head_of(&p));
    let tail = vm.new_str(tail_of(&p));
    Ok(vm.new_tuple(vec![head, tail]))
}

/// (root, extension): the extension starts at the last dot of the last
/// component, unless that component is only leading dots before it.
fn split_ext(p: &str) -> (&str, &str) {
    let sep = p.rfind('/').map_or(-1, |i| i as i64);
    if let Some(dot) = p.rfind('.') {
        if dot as i64 > sep {
            let start = (sep + 1) as usize;
            if p[start..dot].bytes().any(|b| b != b'.') {
                return (&p[..dot], &p[dot..]);
            }
        }
    }
    (p, "")
}

fn splitext(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    exactly_one(vm, "posixpath", "splitext", args, kw)?;
    let p = path_arg(vm, args[0])?;
    let (root, ext) = split_ext(&p);
    let root = vm.new_str(root);
    let ext = vm.new_str(ext);
    Ok(vm.new_tuple(vec![root, ext]))
}

/// Collapses `.`, `..` and repeated slashes (POSIX keeps exactly two
/// leading slashes).
fn norm(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let initial = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut comps: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        if comp != ".." || (initial == 0 && comps.is_empty()) || comps.last() == Some(&"..") {
            comps.push(comp);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let out = "/".repeat(initial) + &comps.join("/");
    if out.is_empty() {
        ".".to_string()
    } else {
        out
    }
}

fn normpath(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    str_fn(vm, "normpath", args, kw, norm)
}

fn abspath(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    exactly_one(vm, "posixpath", "abspath", args, kw)?;
    let p = path_arg(vm, args[0])?;
    let full = if p.starts_with('/') {
        p
    } else {
        let d = cwd(vm)?;
        if d.ends_with('/') {
            d + &p
        } else {
            d + "/" + &p
        }
    };
    Ok(vm.new_str(norm(&full)))
}

fn isabs(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    exactly_one(vm, "posixpath", "isabs", args, kw)?;
    let p = path_arg(vm, args[0])?;
    Ok(Value::Bool(p.starts_with('/')))
}

/// A filesystem test on a path; invalid paths are simply false.
fn stat_test(
    vm: &mut Vm,
    name: &str,
    args: &[Value],
    kw: &[(Value, Value)],
    f: fn(&std::fs::Metadata) -> bool,
) -> PyResult<Value> {
    exactly_one(vm, "posixpath", name, args, kw)?;
    let p = path_arg(vm, args[0])?;
    Ok(Value::Bool(
        std::fs::metadata(&p).map(|m| f(&m)).unwrap_or(false),
    ))
}

fn exists(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    stat_test(vm, "exists", args, kw, |_| true)
}

fn isfile(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    stat_test(vm, "isfile", args, kw, |m| m.is_file())
}

fn isdir(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    stat_test(vm, "isdir", args, kw, |m| m.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_string_functions_match_posixpath() {
        assert_eq!(norm("a//b/./c/../d"), "a/b/d");
        assert_eq!(norm("//x"), "//x");
        assert_eq!(norm("///x/.."), "/");
        assert_eq!(norm("../a/.."), "..");
        assert_eq!(head_of("/a/b/"), "/a/b");
        assert_eq!(head_of("//"), "//");
        assert_eq!(split_ext("a/b.tar.gz"), ("a/b.tar", ".gz"));
        assert_eq!(split_ext(".bashrc"), (".bashrc", ""));
        assert_eq!(split_ext("a/..x"), ("a/..x", ""));
        assert_eq!(split_ext("a/.b.c"), ("a/.b", ".c"));
    }
}
