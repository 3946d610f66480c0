//! Case conversion and character-class predicates of `str`: upper, lower,
//! title, capitalize, swapcase, casefold and the `is...` methods, with
//! Python's Unicode rules (see `unicode/`), including the Final_Sigma rule
//! of lower casing.

use super::builtins::add_method;
use super::method_args::{check, Arity};
use super::str_methods::this;
use super::unicode;
use crate::vm::object::NativeFn;
use crate::vm::value::{ObjRef, Value};
use crate::vm::{PyResult, Vm};

pub fn install(vm: &mut Vm, cls: ObjRef) {
    let methods: &[(&'static str, NativeFn)] = &[
        ("upper", upper),
        ("lower", lower),
        ("title", title),
        ("capitalize", capitalize),
        ("swapcase", swapcase),
        ("casefold", casefold),
        ("isdigit", isdigit),
        ("isalpha", isalpha),
        ("isspace", isspace),
        ("isalnum", isalnum),
        ("isupper", isupper),
        ("islower", islower),
        ("istitle", istitle),
        ("isidentifier", isidentifier),
        ("isnumeric", isnumeric),
        ("isdecimal", isdecimal),
        ("isascii", isascii),
        ("isprintable", isprintable),
    ];
    for &(name, f) in methods {
        add_method(vm, cls, name, f);
    }
}

/// Checks arguments and returns the receiver's text, for methods that take
/// no arguments.
fn noargs<'a>(vm: &'a mut Vm, args: &[Value], kw: &[(Value, Value)], m: &str) -> PyResult<&'a str> {
    let s = this(vm, args, m)?;
    check(vm, "str", m, &args[1..], kw, Arity::NoArgs)?;
    Ok(vm.str_of(s))
}

// ---- case conversion ----------------------------------------------------------

fn upper(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = noargs(vm, args, kw, "upper")?;
    let out = if s.is_ascii() {
        s.to_ascii_uppercase()
    } else {
        s.to_uppercase()
    };
    Ok(vm.new_str(out))
}

fn lower(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = noargs(vm, args, kw, "lower")?;
    let out = if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    };
    Ok(vm.new_str(out))
}

/// Lower case of the character at `chars[i]`, with the Final_Sigma rule
/// (capital sigma at the end of a word becomes 'ς').
fn push_lower_at(out: &mut String, chars: &[char], i: usize) {
    let c = chars[i];
    if c == 'Σ' {
        let cased_before = chars[..i]
            .iter()
            .rev()
            .find(|&&c| !is_case_ignorable(c))
            .is_some_and(|&c| unicode::is_cased(c));
        let cased_after = chars[i + 1..]
            .iter()
            .find(|&&c| !is_case_ignorable(c))
            .is_some_and(|&c| unicode::is_cased(c));
        out.push(if cased_before && !cased_after {
            'ς'
        } else {
            'σ'
        });
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Approximates Unicode's Case_Ignorable (apostrophes, periods, colons,
/// modifier letters and combining marks) for the Final_Sigma rule.
fn is_case_ignorable(c: char) -> bool {
    matches!(c, '\'' | '.' | ':' | '^' | '`' | '\u{b7}' | '\u{2019}')
        || ('\u{300}'..='\u{36f}').contains(&c)
        || ('\u{2b0}'..='\u{2ff}').contains(&c)
}

fn title(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = noargs(vm, args, kw, "title")?;
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut prev_cased = false;
    for (i, &c) in chars.iter().enumerate() {
        if prev_cased {
            push_lower_at(&mut out, &chars, i);
        } else {
            unicode::push_title(&mut out, c);
        }
        prev_cased = unicode::is_cased(c);
    }
    Ok(vm.new_str(out))
}

fn capitalize(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = noargs(vm, args, kw, "capitalize")?;
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 {
            unicode::push_title(&mut out, c);
        } else {
            push_lower_at(&mut out, &chars, i);
        }
    }
    Ok(vm.new_str(out))
}

fn swapcase(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = noargs(vm, args, kw, "swapcase")?;
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if unicode::is_upper(c) {
            push_lower_at(&mut out, &chars, i);
        } else if unicode::is_lower(c) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    Ok(vm.new_str(out))
}

fn casefold(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = noargs(vm, args, kw, "casefold")?;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        unicode::push_fold(&mut out, c);
    }
    Ok(vm.new_str(out))
}

// ---- predicates -----------------------------------------------------------------

/// True when the string is non-empty and every character satisfies `f`.
fn all_chars(s: &str, f: fn(char) -> bool) -> Value {
    Value::Bool(!s.is_empty() && s.chars().all(f))
}

fn isdigit(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isdigit").map(|s| all_chars(s, unicode::is_digit))
}

fn isalpha(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isalpha").map(|s| all_chars(s, unicode::is_alpha))
}

fn isspace(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isspace").map(|s| all_chars(s, unicode::is_space))
}

fn isalnum(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isalnum").map(|s| all_chars(s, unicode::is_alnum))
}

fn isnumeric(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isnumeric").map(|s| all_chars(s, unicode::is_numeric))
}

fn isdecimal(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isdecimal").map(|s| all_chars(s, unicode::is_decimal))
}

fn isascii(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isascii").map(|s| Value::Bool(s.is_ascii()))
}

fn isprintable(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    noargs(vm, args, kw, "isprintable").map(|s| Value::Bool(s.chars().all(unicode::is_printable)))
}

fn isupper(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = noargs(vm, args, kw, "isupper")?;
    let mut cased = false;
    for c in s.chars() {
        if unicode::is_lower(c) || unicode::is_title(c) {
            return Ok(Value::Bool(false));
        }
        cased |= unicode::is_upper(c);
    }
    Ok(Value::Bool(cased))
}

fn islower(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = noargs(vm, args, kw, "islower")?;
    let mut cased = false;
    for c in s.chars() {
        if unicode::is_upper(c) || unicode::is_title(c) {
            return Ok(Value::Bool(false));
        }
        cased |= unicode::is_lower(c);
    }
    Ok(Value::Bool(cased))
}

fn istitle(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = noargs(vm, args, kw, "istitle")?;
    let (mut cased, mut prev_cased) = (false, false);
    for c in s.chars() {
        if unicode::is_upper(c) || unicode::is_title(c) {
            if prev_cased {
                return Ok(Value::Bool(false));
            }
            prev_cased = true;
            cased = true;
        } else if unicode::is_lower(c) {
            if !prev_cased {
                return Ok(Value::Bool(false));
            }
            prev_cased = true;
            cased = true;
        } else {
            prev_cased = false;
        }
    }
    Ok(Value::Bool(cased))
}

fn isidentifier(vm: &mut Vm, args: &[Value], kw: &[(Value, Value)]) -> PyResult<Value> {
    let s = noargs(vm, args, kw, "isidentifier")?;
    let mut chars = s.chars();
    let ok = chars.next().is_some_and(unicode::is_id_start) && chars.all(unicode::is_id_continue);
    Ok(Value::Bool(ok))
}
