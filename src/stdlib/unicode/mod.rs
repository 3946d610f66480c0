//! Python's Unicode character properties for `str` methods.
//!
//! The predicates and the case mappings Rust's standard library does not
//! provide (title case, case folding) come from `tables.rs`, generated from
//! CPython 3.11 itself by `gen_tables.py`, so `isalpha`, `isnumeric`,
//! `isprintable`, `title`, `casefold`, ... agree with CPython character for
//! character. Upper and lower case use Rust's mappings (the same as
//! CPython's for every character assigned in Unicode 14). Every function has
//! an ASCII fast path.

mod tables;

/// Binary search of an inclusive range table.
fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

fn in_map(table: &'static [(u32, &'static str)], c: char) -> Option<&'static str> {
    let c = c as u32;
    table
        .binary_search_by_key(&c, |&(k, _)| k)
        .ok()
        .map(|i| table[i].1)
}

/// `c.isalpha()`.
pub fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        in_table(tables::ALPHA, c)
    }
}

/// Does `c` take two columns on a terminal (East Asian Width W or F)?
/// Tracebacks line their carets up by this width, as CPython does.
pub fn is_wide(c: char) -> bool {
    !c.is_ascii() && in_table(tables::WIDE, c)
}

/// `c.isdecimal()`.
pub fn is_decimal(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        in_table(tables::DECIMAL, c)
    }
}

/// `c.isdigit()`.
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        in_table(tables::DIGIT, c)
    }
}

/// `c.isnumeric()`.
pub fn is_numeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        in_table(tables::NUMERIC, c)
    }
}

/// `c.isalnum()`.
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_alpha(c) || is_numeric(c)
    }
}

/// `c.isspace()` (also the separators of `str.split()` and `strip()`).
pub fn is_space(c: char) -> bool {
    if c.is_ascii() {
        matches!(
            c,
            ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\x1c'..='\x1f'
        )
    } else {
        in_table(tables::SPACE, c)
    }
}

/// `c.isprintable()` (and whether `repr` shows `c` unescaped).
pub fn is_printable(c: char) -> bool {
    if c.is_ascii() {
        (' '..='~').contains(&c)
    } else {
        in_table(tables::PRINTABLE, c)
    }
}

/// Uppercase letter (Python's `Py_UNICODE_ISUPPER`).
pub fn is_upper(c: char) -> bool {
    c.is_uppercase()
}

/// Lowercase letter (Python's `Py_UNICODE_ISLOWER`).
pub fn is_lower(c: char) -> bool {
    c.is_lowercase()
}

/// Titlecase letter (category Lt).
pub fn is_title(c: char) -> bool {
    !c.is_ascii() && in_table(tables::TITLECASE, c)
}

/// Has case (upper, lower or title).
pub fn is_cased(c: char) -> bool {
    c.is_uppercase() || c.is_lowercase() || is_title(c)
}

/// Appends the title case of `c` (one or more characters).
pub fn push_title(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_uppercase());
    } else if let Some(s) = in_map(tables::TITLE_MAP, c) {
        out.push_str(s);
    } else {
        out.extend(c.to_uppercase());
    }
}

/// Appends the case folding of `c` (one or more characters).
pub fn push_fold(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if let Some(s) = in_map(tables::FOLD_MAP, c) {
        out.push_str(s);
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Can start an identifier (`_` or XID_Start).
pub fn is_id_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

/// Can continue an identifier (XID_Continue).
pub fn is_id_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
}
