//! Native library code: the builtins, the built-in types' constructors and
//! methods, formatting, and importing. Modules written in aspy itself live
//! in the top-level `stdlib/` folder and are embedded by `build.rs`.

pub mod args;
pub mod big_range;
pub mod builtins;
pub mod builtins_introspect;
pub mod builtins_numeric;
pub mod builtins_text;
pub mod bytearray_methods;
pub mod bytes_methods;
pub mod bytes_operators;
pub mod bytes_search;
pub mod descriptors;
pub mod dict_methods;
pub mod dict_views;
pub mod exc_group;
pub mod exc_oserror;
pub mod exc_traceback;
pub mod exceptions;
pub mod float_methods;
pub mod format;
pub mod functions;
pub mod gen_methods;
pub mod generic_alias;
pub mod import;
pub mod iterator_methods;
pub mod list_methods;
pub mod metaclass;
pub mod method_args;
pub mod modules;
pub mod number_dunders;
pub mod number_methods;
pub mod percent_format;
pub mod range_methods;
pub mod set_methods;
pub mod sorting;
pub mod special_attrs;
pub mod str_case;
pub mod str_format;
pub mod str_methods;
pub mod str_search;
pub mod text_codecs;
pub mod timsort;
pub mod tuple_methods;
pub mod types_core;
pub mod unicode;
pub mod union_type;

/// Modules written in aspy, embedded at build time: (name, source).
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/stdlib_embedded.rs"));
}
