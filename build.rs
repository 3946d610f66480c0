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
    embed_stdlib();
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
