//! `str.format`, `str.format_map` and `str.__format__`.
//!
//! The template is scanned once, as CPython 3.11's `unicode_format.h` does:
//! literal text (with `{{`/`}}` escapes), then each replacement field
//! `{name!conv:spec}`. The field name is an argument (auto-numbered,
//! numbered or keyword) followed by `.attr` and `[key]` lookups; a spec may
//! itself contain fields, expanded first (at most two levels deep). Values
//! are rendered by `format::format_value`.

use super::builtins::add_method;
use super::method_args::{check, Arity};
use super::str_methods::this;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm, cls: ObjRef) {
    add_method(vm, cls, "format", format);
    add_method(vm, cls, "format_map", format_map);
    add_method(vm, cls, "__format__", dunder_format);
}

/// Where field values come from, and the auto-numbering state.
struct Source<'a> {
    args: &'a [Value],
    /// Keyword arguments (`format`) ...
    kwargs: &'a [(Value, Value)],
    /// ... or a mapping (`format_map`).
    mapping: Option<Value>,
    /// Next automatic field number; None once manual numbering was used.
    auto: Option<usize>,
    /// Whether any field used automatic numbering.
    used_auto: bool,
}

fn format(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "format")?;
    let mut src = Source {
        args: &args[1..],
        kwargs: kw,
        mapping: None,
        auto: Some(0),
        used_auto: false,
    };
    let t: Vec<char> = vm.str_of(recv).chars().collect();
    let out = render(vm, &t, &mut src, 2)?;
    Ok(vm.new_str(out))
}

fn format_map(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "format_map")?;
    check(vm, "str", "format_map", &args[1..], kw, Arity::One)?;
    let mut src = Source {
        args: &[],
        kwargs: &[],
        mapping: Some(args[1]),
        auto: Some(0),
        used_auto: false,
    };
    let t: Vec<char> = vm.str_of(recv).chars().collect();
    let out = render(vm, &t, &mut src, 2)?;
    Ok(vm.new_str(out))
}

fn dunder_format(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let recv = this(vm, args, "__format__")?;
    check(vm, "str", "__format__", &args[1..], kw, Arity::One)?;
    let Some(spec) = vm.as_str(args[1]).map(str::to_string) else {
        let msg = format!(
            "__format__() argument must be str, not {}",
            vm.type_name(args[1])
        );
        return Err(vm.type_error(msg));
    };
    super::format::format_value(vm, recv, &spec)
}

/// Renders a template; `depth` limits nested fields in specs.
fn render(vm: &mut Vm, t: &[char], src: &mut Source, depth: u32) -> PyResult<String> {
    if depth == 0 {
        return Err(vm.value_error("Max string recursion exceeded"));
    }
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    while i < t.len() {
        let c = t[i];
        i += 1;
        match c {
            '{' if t.get(i) == Some(&'{') => {
                out.push('{');
                i += 1;
            }
            '}' if t.get(i) == Some(&'}') => {
                out.push('}');
                i += 1;
            }
            '}' => return Err(vm.value_error("Single '}' encountered in format string")),
            '{' if i == t.len() => {
                return Err(vm.value_error("Single '{' encountered in format string"))
            }
            '{' => {
                let (field, next) = parse_field(vm, t, i)?;
                i = next;
                let text = render_field(vm, t, &field, src, depth)?;
                out.push_str(&text);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// A replacement field's parts, as index ranges into the template.
struct Field {
    name: (usize, usize),
    conversion: Option<char>,
    spec: (usize, usize),
    spec_has_fields: bool,
}

/// Parses a field whose text starts at `t[i]` (after the `{`); returns the
/// field and the index after its closing `}`.
fn parse_field(vm: &mut Vm, t: &[char], mut i: usize) -> PyResult<(Field, usize)> {
    let start = i;
    let end_name = loop {
        let Some(&c) = t.get(i) else {
            return Err(vm.value_error("expected '}' before end of string"));
        };
        match c {
            '{' => return Err(vm.value_error("unexpected '{' in field name")),
            '[' => {
                while i < t.len() && t[i] != ']' {
                    i += 1;
                }
                if i < t.len() {
                    i += 1;
                }
            }
            '}' | ':' | '!' => break i,
            _ => i += 1,
        }
    };
    let mut field = Field {
        name: (start, end_name),
        conversion: None,
        spec: (0, 0),
        spec_has_fields: false,
    };
    let mut c = t[i];
    i += 1;
    if c == '!' {
        let Some(&conv) = t.get(i) else {
            return Err(vm.value_error("end of string while looking for conversion specifier"));
        };
        field.conversion = Some(conv);
        i += 1;
        let Some(&next) = t.get(i) else {
            return Err(vm.value_error("unmatched '{' in format spec"));
        };
        i += 1;
        if next != '}' && next != ':' {
            return Err(vm.value_error("expected ':' after conversion specifier"));
        }
        c = next;
    }
    if c == ':' {
        let spec_start = i;
        let mut depth = 1;
        loop {
            let Some(&ch) = t.get(i) else {
                return Err(vm.value_error("unmatched '{' in format spec"));
            };
            i += 1;
            match ch {
                '{' => {
                    field.spec_has_fields = true;
                    depth += 1;
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        field.spec = (spec_start, i - 1);
    }
    Ok((field, i))
}

/// Looks a field's value up, converts and formats it.
fn render_field(
    vm: &mut Vm,
    t: &[char],
    field: &Field,
    src: &mut Source,
    depth: u32,
) -> PyResult<String> {
    let name = &t[field.name.0..field.name.1];
    let base = vm.temp_roots.len();
    let r = lookup_and_format(vm, t, name, field, src, depth);
    vm.temp_roots.truncate(base);
    r
}

fn lookup_and_format(
    vm: &mut Vm,
    t: &[char],
    name: &[char],
    field: &Field,
    src: &mut Source,
    depth: u32,
) -> PyResult<String> {
    let mut obj = first_object(vm, name, src)?;
    vm.temp_roots.push(obj);
    let rest_at = name
        .iter()
        .position(|&c| c == '.' || c == '[')
        .unwrap_or(name.len());
    let mut i = rest_at;
    while i < name.len() {
        if name[i] == '.' {
            let start = i + 1;
            let mut j = start;
            while j < name.len() && name[j] != '.' && name[j] != '[' {
                j += 1;
            }
            if j == start {
                return Err(vm.value_error("Empty attribute in format string"));
            }
            let attr: String = name[start..j].iter().collect();
            let attr = Value::Obj(vm.intern(&attr));
            obj = vm.get_attr(obj, attr)?;
            i = j;
        } else if name[i] == '[' {
            let start = i + 1;
            let Some(close) = name[start..].iter().position(|&c| c == ']') else {
                return Err(vm.value_error("Missing ']' in format string"));
            };
            let j = start + close;
            if j == start {
                return Err(vm.value_error("Empty attribute in format string"));
            }
            let key_text: String = name[start..j].iter().collect();
            let key = match parse_index(&key_text) {
                Some(n) => Value::Int(n as i64),
                None => vm.new_str(key_text),
            };
            vm.temp_roots.push(key);
            obj = vm.get_item(obj, key)?;
            i = j + 1;
            if i < name.len() && name[i] != '.' && name[i] != '[' {
                return Err(
                    vm.value_error("Only '.' or '[' may follow ']' in format field specifier")
                );
            }
        } else {
            return Err(vm.value_error("Only '.' or '[' may follow ']' in format field specifier"));
        }
        vm.temp_roots.push(obj);
    }
    let obj = match field.conversion {
        None => obj,
        Some('s') => vm.to_str_value(obj)?,
        Some('r') => {
            let s = vm.repr_value(obj)?;
            vm.new_str(s)
        }
        Some('a') => {
            let s = super::format::ascii_escape(&vm.repr_value(obj)?);
            vm.new_str(s)
        }
        Some(c) => {
            return Err(vm.value_error(format!("Unknown conversion specifier {c}")));
        }
    };
    vm.temp_roots.push(obj);
    let spec_chars = &t[field.spec.0..field.spec.1];
    let spec = if field.spec_has_fields {
        render(vm, spec_chars, src, depth - 1)?
    } else {
        spec_chars.iter().collect()
    };
    let r = super::format::format_value(vm, obj, &spec)?;
    Ok(vm.str_of(r).to_string())
}

/// A field-name part that is all decimal digits, as a number.
fn parse_index(s: &str) -> Option<usize> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The argument a field name starts with (before any `.` or `[`).
fn first_object(vm: &mut Vm, name: &[char], src: &mut Source) -> PyResult<Value> {
    let end = name
        .iter()
        .position(|&c| c == '.' || c == '[')
        .unwrap_or(name.len());
    let first: String = name[..end].iter().collect();
    if first.is_empty() {
        let Some(n) = src.auto else {
            return Err(vm.value_error(
                "cannot switch from manual field specification to automatic field numbering",
            ));
        };
        src.auto = Some(n + 1);
        src.used_auto = true;
        return positional(vm, src, n);
    }
    if let Some(n) = parse_index(&first) {
        if src.used_auto {
            return Err(vm.value_error(
                "cannot switch from automatic field numbering to manual field specification",
            ));
        }
        src.auto = None;
        return positional(vm, src, n);
    }
    if let Some(m) = src.mapping {
        let key = vm.new_str(first);
        vm.temp_roots.push(key);
        return vm.get_item(m, key);
    }
    let found = src
        .kwargs
        .iter()
        .find(|(k, _)| vm.str_of(*k) == first)
        .map(|&(_, v)| v);
    match found {
        Some(v) => Ok(v),
        None => {
            let key = vm.new_str(first);
            Err(vm.key_error(key))
        }
    }
}

fn positional(vm: &mut Vm, src: &Source, n: usize) -> PyResult<Value> {
    if src.mapping.is_some() {
        return Err(vm.value_error("Format string contains positional fields"));
    }
    match src.args.get(n) {
        Some(&v) => Ok(v),
        None => Err(vm.new_error(
            crate::vm::exceptions::ExcKind::IndexError,
            format!("Replacement index {n} out of range for positional args tuple"),
        )),
    }
}
