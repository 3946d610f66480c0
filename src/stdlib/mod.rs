//! Native library code: the builtins, the built-in types' constructors and
//! methods, formatting, and importing. Modules written in aspy itself live
//! in the top-level `stdlib/` folder and are embedded by `build.rs`.

pub mod builtins;
pub mod bytes_methods;
pub mod dict_methods;
pub mod format;
pub mod functions;
pub mod gen_methods;
pub mod import;
pub mod list_methods;
pub mod modules;
pub mod number_methods;
pub mod set_methods;
pub mod special_attrs;
pub mod str_methods;
pub mod types_core;

/// Modules written in aspy, embedded at build time: (name, source).
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/stdlib_embedded.rs"));
}
