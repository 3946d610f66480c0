//! Build script: compiles the lalrpop grammar in `grammar/` and embeds every
//! `stdlib/*.aspy` module into the binary (see `src/stdlib/embedded.rs`).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // `use_cargo_dir_conventions` sets the input dir to `src/`, so the
    // grammar dir must be set after it.
    lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .set_in_dir("grammar")
        .emit_rerun_directives(true)
        .process()
        .expect("lalrpop grammar failed to compile");
    split_fallible_reductions();
    embed_stdlib();
}

/// Moves the fallible reductions of the generated parser out of its
/// reduction dispatcher.
///
/// lalrpop's parser calls one function, `__reduce`, for every reduction: a
/// `match` on the production. Most arms call a function of their own, but
/// the arms of fallible actions (`=>?`) are written inline, because they
/// return early on error. LLVM gives their hundreds of locals separate
/// stack slots, so the dispatcher's frame was 62 KB and every reduction
/// (about 1.5 per token) probed its 16 pages and evicted a cache set. Here
/// each such arm becomes a function of its own (`__reduce_fallibleN`,
/// returning the error instead of `Some(Err(e))`), and the dispatcher
/// frame is small. An arm whose text is not the expected shape is left as
/// it is, so a different lalrpop output only loses the speed-up.
///
/// lalrpop rewrites the file only when the grammar changes, so a file
/// already rewritten is left alone.
fn split_fallible_reductions() {
    const MARK: &str = "fn __reduce_fallible";
    let path = Path::new(&std::env::var("OUT_DIR").unwrap()).join("aspy.rs");
    let code = std::fs::read_to_string(&path).expect("generated parser");
    if code.contains(MARK) {
        return;
    }
    if let Some(code) = rewrite_dispatcher(&code) {
        std::fs::write(&path, code).expect("write generated parser");
    }
}

/// The generated parser with the dispatcher's fallible arms moved out, or
/// `None` when the dispatcher is not found.
fn rewrite_dispatcher(code: &str) -> Option<String> {
    const ARM_END: &str = "            }";
    const ERR_RETURN: &str = "Err(e) => return Some(Err(e)),";
    let start = code.find("    fn __reduce<")?;
    let end =
        start + code[start..].find("\n        None\n    }\n")? + "\n        None\n    }\n".len();
    let dispatcher = &code[start..end];
    // `-> Option<Result<Top,ERROR>>`: the error type for the new functions.
    let ret = dispatcher.find("-> Option<Result<")? + "-> Option<Result<".len();
    let ret_end = ret + dispatcher[ret..].find(">>>\n")? + 1;
    let error_type = dispatcher[ret..ret_end].split_once(',')?.1;
    let mut new_dispatcher = String::with_capacity(dispatcher.len());
    let mut functions = String::new();
    let mut lines = dispatcher.lines().peekable();
    while let Some(line) = lines.next() {
        new_dispatcher.push_str(line);
        new_dispatcher.push('\n');
        let Some(n) = line
            .strip_prefix("            ")
            .and_then(|l| l.strip_suffix(" => {"))
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let mut body = Vec::new();
        while let Some(l) = lines.next_if(|l| *l != ARM_END) {
            body.push(l);
        }
        let fallible = body.iter().filter(|l| l.contains(ERR_RETURN)).count() == 1
            && !body.iter().any(|l| l.contains("return Some(Ok"))
            && body.last().is_some_and(|l| l.trim_start().starts_with('('));
        if !fallible {
            for l in body {
                new_dispatcher.push_str(l);
                new_dispatcher.push('\n');
            }
            continue;
        }
        new_dispatcher.push_str(&format!(
            "                match __reduce_fallible{n}(src, __symbols) {{\n                    Ok(r) => r,\n                    Err(e) => return Some(Err(e)),\n                }}\n"
        ));
        functions.push_str(&format!(
            "    #[inline(never)]\n    fn __reduce_fallible{n}<'s>(\n        src: &'s str,\n        __symbols: &mut alloc::vec::Vec<(usize,__Symbol<>,usize)>,\n    ) -> Result<(usize, usize), {error_type}>\n    {{\n"
        ));
        let (last, rest) = body.split_last()?;
        for l in rest {
            let l = l.replace(ERR_RETURN, "Err(e) => return Err(e),");
            functions.push_str(l.strip_prefix("    ").unwrap_or(&l));
            functions.push('\n');
        }
        functions.push_str(&format!("            Ok({})\n    }}\n", last.trim()));
    }
    Some(format!(
        "{}{new_dispatcher}{functions}{}",
        &code[..start],
        &code[end..]
    ))
}

/// Writes `$OUT_DIR/stdlib_embedded.rs`: a static table of (module name, source).
fn embed_stdlib() {
    println!("cargo:rerun-if-changed=stdlib");
    let out = std::env::var("OUT_DIR").unwrap();
    let mut entries: Vec<(String, String)> = Vec::new();
    collect(Path::new("stdlib"), "", &mut entries);
    entries.sort();
    let mut code = String::from("pub static EMBEDDED: &[(&str, &str)] = &[\n");
    for (name, path) in &entries {
        println!("cargo:rerun-if-changed={path}");
        let abs = std::fs::canonicalize(path).unwrap();
        writeln!(code, "    ({name:?}, include_str!({:?})),", abs.display()).unwrap();
    }
    code.push_str("];\n");
    std::fs::write(Path::new(&out).join("stdlib_embedded.rs"), code).unwrap();
}

fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in rd.flatten() {
        let path = entry.path();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            collect(&path, &format!("{prefix}{stem}."), out);
        } else if path.extension().is_some_and(|e| e == "aspy") {
            let name = if stem == "__init__" {
                prefix.trim_end_matches('.').to_string()
            } else {
                format!("{prefix}{stem}")
            };
            out.push((name, path.to_string_lossy().to_string()));
        }
    }
}
