//! Running source text: parse, compile, load into the VM and execute a
//! module body; rendering of uncaught exceptions and compile errors.

use crate::compiler::{compile_module, CompileMode};
use crate::parser::{parse_module, ParseMode};
use crate::span::SourceFile;
use crate::vm::exceptions::ExcKind;
use crate::vm::frame::{Frame, FrameMode};
use crate::vm::interp::Exit;
use crate::vm::object::Object;
use crate::vm::value::Value;
use crate::vm::{PyErr, PyResult, Vm};

/// Compiles `src` and runs it as the body of module `name`, which is
/// registered in `sys.modules` first (so circular imports see it).
/// `package` says whether the module is a package (an `__init__` file): its
/// `__package__` is then its own name, else its parent's (what relative
/// imports inside it resolve against).
pub fn exec_module_source(
    vm: &mut Vm,
    name: &str,
    filename: &str,
    src: &str,
    package: bool,
) -> PyResult<Value> {
    let file = SourceFile::new(filename, src);
    let module_ast = match parse_module(&file, ParseMode::File) {
        Ok(m) => m,
        Err(e) => return Err(syntax_error(vm, &file, &e)),
    };
    let code = match compile_module(&module_ast, file.clone(), CompileMode::File) {
        Ok(c) => c,
        Err(e) => return Err(syntax_error(vm, &file, &e)),
    };
    let module = crate::stdlib::import::new_module(vm, name)?;
    let Value::Obj(mr) = module else {
        unreachable!()
    };
    let Object::Module(m) = vm.heap.get(mr) else {
        unreachable!()
    };
    let globals = m.dict;
    let file_key = Value::Obj(vm.intern("__file__"));
    let file_v = vm.new_str(filename);
    vm.dict_set(Value::Obj(globals), file_key, file_v)?;
    let builtins_key = Value::Obj(vm.intern("__builtins__"));
    let b = Value::Obj(vm.builtins);
    vm.dict_set(Value::Obj(globals), builtins_key, b)?;
    let parent = if package {
        name
    } else {
        name.rsplit_once('.').map_or("", |(p, _)| p)
    };
    let package_key = Value::Obj(vm.intern("__package__"));
    let package_v = vm.new_str(parent);
    vm.dict_set(Value::Obj(globals), package_key, package_v)?;
    run_module_code(vm, &code, globals, module)?;
    Ok(module)
}

/// The SyntaxError (or IndentationError, TabError) an import raises for a
/// module that does not compile, located as CPython's parser locates it:
/// 1-based line and character columns, and the source line.
fn syntax_error(vm: &mut Vm, file: &SourceFile, e: &crate::diagnostics::CompileError) -> PyErr {
    let kind = match e.kind {
        crate::diagnostics::ErrorKind::Syntax => ExcKind::SyntaxError,
        crate::diagnostics::ErrorKind::Indentation => ExcKind::IndentationError,
        crate::diagnostics::ErrorKind::Tab => ExcKind::TabError,
    };
    let (line, col) = file.line_col(e.span.start);
    let (end_line, end_col) = file.line_col(e.span.end.max(e.span.start));
    let text = format!("{}\n", file.line_text(line));
    let location = crate::stdlib::exceptions::SyntaxLocation {
        filename: &file.name,
        line,
        col,
        end_line,
        end_col,
        text: &text,
    };
    vm.new_syntax_error(kind, &e.message, location)
}

/// Runs a compiled module body in `globals` and waits for it to finish.
pub fn run_module_code(
    vm: &mut Vm,
    code: &std::rc::Rc<crate::bytecode::Code>,
    globals: crate::vm::ObjRef,
    keep_alive: Value,
) -> PyResult<()> {
    let vcode = vm.load_code(code);
    let ret_sp = vm.fiber.stack.len();
    vm.fiber.stack.push(keep_alive);
    let base = vm.fiber.stack.len();
    vm.fiber.stack.resize(base + code.nslots(), Value::Unbound);
    vm.fiber.frames.push(Frame {
        code: vcode,
        ip: 0,
        base: base as u32,
        ret_sp: ret_sp as u32,
        globals,
        locals: Value::Obj(globals),
        mode: FrameMode::Native,
        generator: None,
    });
    let stop = vm.fiber.frames.len() - 1;
    match vm.run_nested(stop)? {
        Exit::Return(_) | Exit::Yield(_) | Exit::Suspend(_) => Ok(()),
    }
}

/// Exit status meaning "die by SIGINT", as CPython does after printing an
/// uncaught KeyboardInterrupt (a negative status is a signal number).
pub const EXIT_BY_SIGINT: i32 = -2;

/// Reports an uncaught exception as CPython's `sys.excepthook` and
/// `Py_RunMain` do, and returns the process exit status: SystemExit prints
/// nothing for an integer or None code (the status is the code), else the
/// code's str and status 1; KeyboardInterrupt prints its traceback and the
/// process then dies by SIGINT ([`EXIT_BY_SIGINT`]); anything else prints
/// its traceback, status 1.
pub fn report_uncaught(vm: &mut Vm, err: PyErr) -> i32 {
    vm.flush_stdout();
    let exc = err.0;
    vm.temp_roots.push(exc);
    let status = if vm.exc_matches(exc, ExcKind::SystemExit) {
        system_exit_status(vm, exc)
    } else {
        let text = vm.format_exception(exc);
        eprint!("{text}");
        if vm.class_of(exc) == vm.types.exc(ExcKind::KeyboardInterrupt) {
            EXIT_BY_SIGINT
        } else {
            1
        }
    };
    vm.temp_roots.pop();
    status
}

/// CPython's `_Py_HandleSystemExit`; the status is what the process
/// reports (the code's low 8 bits).
fn system_exit_status(vm: &mut Vm, exc: Value) -> i32 {
    let code = crate::stdlib::exceptions::get_attr(vm, exc, "code")
        .ok()
        .flatten()
        .unwrap_or(Value::None);
    match code {
        Value::None => 0,
        Value::Int(i) => i as i32 & 0xff,
        Value::Bool(b) => b as i32,
        Value::Obj(r) if matches!(vm.heap.get(r), Object::BigInt(_)) => 0xff,
        other => {
            let s = vm.str_value(other).unwrap_or_default();
            eprintln!("{s}");
            1
        }
    }
}

/// Runs a script as `__main__` in a fresh VM and returns the exit status.
/// Compile errors are rendered as diagnostics on stderr (status 1).
pub fn run_script(src: &SourceFile, config: crate::vm::Config) -> i32 {
    run_script_keeping_vm(src, config).0
}

/// [`run_script`], then the end of the process with its status, without
/// tearing the VM down first: the operating system reclaims the memory at
/// once, where freeing a big heap object by object (and the allocator
/// returning its pages) takes milliseconds. Output is flushed first; a
/// negative status (death by a signal, see [`EXIT_BY_SIGINT`]) raises
/// that signal. For a host that ends right after the script, like the
/// `aspy` command.
pub fn run_script_and_exit(src: &SourceFile, config: crate::vm::Config) -> ! {
    let (status, vm) = run_script_keeping_vm(src, config);
    std::mem::forget(vm);
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let _ = std::io::Write::flush(&mut std::io::stderr());
    // SAFETY: plain libc calls that end the process; nothing runs after.
    unsafe {
        if status < 0 {
            libc::signal(-status, libc::SIG_DFL);
            libc::raise(-status);
            libc::_exit(128 - status)
        }
        libc::_exit(status & 0xff)
    }
}

/// The work of [`run_script`], returning the VM too (None when the script
/// did not compile).
fn run_script_keeping_vm(src: &SourceFile, config: crate::vm::Config) -> (i32, Option<Vm>) {
    let module_ast = match parse_module(src, ParseMode::File) {
        Ok(m) => m,
        Err(e) => {
            eprint!("{}", e.render(src));
            return (1, None);
        }
    };
    let code = match compile_module(
        &module_ast,
        SourceFile::new(src.name.clone(), src.text.clone()),
        CompileMode::File,
    ) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{}", e.render(src));
            return (1, None);
        }
    };
    let mut vm = Vm::new(config);
    let result = (|| -> PyResult<()> {
        let module = crate::stdlib::import::new_module(&mut vm, "__main__")?;
        let Value::Obj(mr) = module else {
            unreachable!()
        };
        let Object::Module(m) = vm.heap.get(mr) else {
            unreachable!()
        };
        let globals = m.dict;
        let file_key = Value::Obj(vm.intern("__file__"));
        let file_v = vm.new_str(&*src.name);
        vm.dict_set(Value::Obj(globals), file_key, file_v)?;
        run_module_code(&mut vm, &code, globals, module)
    })();
    let status = match result {
        Ok(()) => {
            vm.report_unawaited_at_exit(true);
            0
        }
        Err(e) => {
            // Coroutines dropped unawaited and tasks dropped with their
            // exception unretrieved are reported before the traceback, as
            // CPython reports them when they are dropped.
            vm.temp_roots.push(e.0);
            vm.collect_dropped();
            vm.temp_roots.pop();
            let status = report_uncaught(&mut vm, e);
            vm.report_unawaited_at_exit(false);
            status
        }
    };
    // Shutdown: report futures whose exception nobody retrieved, as
    // CPython's finalisation does.
    vm.finalize_watched_at_exit();
    vm.flush_stdout();
    (status, Some(vm))
}
