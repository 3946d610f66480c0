//! Number literals: decimal, hexadecimal, octal and binary integers (with
//! `_` separators, any size) and floats, with CPython 3.11's error messages.
//!
//! A literal directly followed by a name character is an error ("invalid
//! decimal literal"), except before the keywords CPython still tolerates
//! there (`1if x else y`, `0x1for`), which only warn in 3.11. Imaginary
//! literals are refused: aspy has no complex numbers.

use super::token::{is_id_continue, NumberValue};
use crate::diagnostics::CompileError;
use crate::span::Span;
use num_bigint::BigInt;

/// Scans the number starting at `start` (a digit, or `.` then a digit).
/// Returns the end offset and the value.
pub fn scan_number(src: &str, start: usize) -> Result<(usize, NumberValue), CompileError> {
    let b = src.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    if at(start) == b'0' && matches!(at(start + 1) | 0x20, b'x' | b'o' | b'b') {
        return scan_radix(src, start);
    }
    let mut i = start;
    let int_end;
    let mut is_float = false;
    if at(i) != b'.' {
        i = digits(src, i, "decimal")?;
        int_end = i;
    } else {
        int_end = i;
    }
    if at(i) == b'.' {
        is_float = true;
        i += 1;
        if at(i).is_ascii_digit() {
            i = digits(src, i, "decimal")?;
        }
    }
    if at(i) | 0x20 == b'e' {
        let mut j = i + 1;
        if matches!(at(j), b'+' | b'-') {
            j += 1;
        }
        if at(j).is_ascii_digit() {
            i = digits(src, j, "decimal")?;
            is_float = true;
        } else if !keyword_follows(&src[i..]) {
            return Err(invalid(src, start, i, "decimal"));
        }
    }
    if at(i) | 0x20 == b'j' {
        return Err(CompileError::unsupported(
            "complex numbers",
            Span::new(start, i + 1),
        ));
    }
    end_check(src, start, i, "decimal")?;
    let text = &src[start..i];
    if is_float {
        let clean: String = text.chars().filter(|&c| c != '_').collect();
        let v: f64 = clean.parse().unwrap_or(f64::INFINITY);
        return Ok((i, NumberValue::Float(v)));
    }
    let digits_text = &src[start..int_end];
    if digits_text.len() > 1
        && digits_text.starts_with('0')
        && digits_text.bytes().any(|c| c != b'0' && c != b'_')
    {
        return Err(CompileError::syntax(
            "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
            Span::new(start, int_end),
        ));
    }
    Ok((i, int_value(digits_text, 10)))
}

/// Parses validated digits (underscores allowed) in `radix`.
fn int_value(text: &str, radix: u32) -> NumberValue {
    let clean: String;
    let t = if text.contains('_') {
        clean = text.chars().filter(|&c| c != '_').collect();
        &clean
    } else {
        text
    };
    match u64::from_str_radix(t, radix) {
        Ok(v) => NumberValue::Int(v),
        Err(_) => NumberValue::BigInt(Box::new(
            BigInt::parse_bytes(t.as_bytes(), radix).unwrap_or_default(),
        )),
    }
}

/// Scans `[0-9](_?[0-9])*` from `i`; returns the end.
fn digits(src: &str, mut i: usize, kind: &str) -> Result<usize, CompileError> {
    let b = src.as_bytes();
    loop {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i < b.len() && b[i] == b'_' {
            if i + 1 < b.len() && b[i + 1].is_ascii_digit() {
                i += 1;
                continue;
            }
            return Err(CompileError::syntax(
                format!("invalid {kind} literal"),
                Span::new(i, i + 1),
            ));
        }
        return Ok(i);
    }
}

fn scan_radix(src: &str, start: usize) -> Result<(usize, NumberValue), CompileError> {
    let b = src.as_bytes();
    let (radix, kind) = match b[start + 1] | 0x20 {
        b'x' => (16, "hexadecimal"),
        b'o' => (8, "octal"),
        _ => (2, "binary"),
    };
    let ok = |c: u8| (c as char).is_digit(radix);
    let mut i = start + 2;
    let mut any = false;
    loop {
        if i < b.len() && b[i] == b'_' {
            i += 1;
        }
        if i < b.len() && ok(b[i]) {
            while i < b.len() && ok(b[i]) {
                i += 1;
            }
            any = true;
            if i < b.len() && b[i] == b'_' {
                continue;
            }
            break;
        }
        if i < b.len() && b[i].is_ascii_digit() {
            return Err(CompileError::syntax(
                format!("invalid digit '{}' in {kind} literal", b[i] as char),
                Span::new(i, i + 1),
            ));
        }
        if b[i - 1] == b'_' || !any {
            return Err(invalid(src, start, i, kind));
        }
        break;
    }
    if i < b.len() && b[i].is_ascii_digit() {
        return Err(CompileError::syntax(
            format!("invalid digit '{}' in {kind} literal", b[i] as char),
            Span::new(i, i + 1),
        ));
    }
    end_check(src, start, i, kind)?;
    Ok((i, int_value(&src[start + 2..i], radix)))
}

/// The keywords CPython 3.11 accepts right after a number.
fn keyword_follows(rest: &str) -> bool {
    ["and", "else", "for", "if", "in", "is", "not", "or"]
        .iter()
        .any(|k| rest.starts_with(k) && !rest[k.len()..].chars().next().is_some_and(is_id_continue))
}

/// A number must not run into a name.
fn end_check(src: &str, start: usize, i: usize, kind: &str) -> Result<(), CompileError> {
    let rest = &src[i..];
    match rest.chars().next() {
        Some(c) if is_id_continue(c) && !keyword_follows(rest) => Err(invalid(src, start, i, kind)),
        _ => Ok(()),
    }
}

fn invalid(src: &str, start: usize, i: usize, kind: &str) -> CompileError {
    let _ = src;
    CompileError::syntax(
        format!("invalid {kind} literal"),
        Span::new(start, i.max(start + 1)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Result<NumberValue, String> {
        scan_number(s, 0)
            .map(|(end, v)| {
                assert_eq!(end, s.len(), "{s}");
                v
            })
            .map_err(|e| e.message)
    }

    #[test]
    fn integers() {
        assert_eq!(num("0"), Ok(NumberValue::Int(0)));
        assert_eq!(num("1_000"), Ok(NumberValue::Int(1000)));
        assert_eq!(num("0x_fF"), Ok(NumberValue::Int(255)));
        assert_eq!(num("0o17"), Ok(NumberValue::Int(15)));
        assert_eq!(num("0B1_0"), Ok(NumberValue::Int(2)));
        assert_eq!(num("00"), Ok(NumberValue::Int(0)));
        assert_eq!(num("18446744073709551615"), Ok(NumberValue::Int(u64::MAX)));
        let big = "18446744073709551616";
        assert_eq!(
            num(big),
            Ok(NumberValue::BigInt(Box::new(big.parse().unwrap())))
        );
        assert_eq!(
            num("0x1_0000_0000_0000_0000"),
            Ok(NumberValue::BigInt(Box::new(BigInt::from(u64::MAX) + 1)))
        );
    }

    #[test]
    fn floats() {
        assert_eq!(num("1.5"), Ok(NumberValue::Float(1.5)));
        assert_eq!(num("1."), Ok(NumberValue::Float(1.0)));
        assert_eq!(num(".5"), Ok(NumberValue::Float(0.5)));
        assert_eq!(num("1e10"), Ok(NumberValue::Float(1e10)));
        assert_eq!(num("1_000.5"), Ok(NumberValue::Float(1000.5)));
        assert_eq!(num("1.e-5"), Ok(NumberValue::Float(1e-5)));
        assert_eq!(num("1e400"), Ok(NumberValue::Float(f64::INFINITY)));
        assert_eq!(num("09.5"), Ok(NumberValue::Float(9.5)));
    }

    #[test]
    fn errors_match_cpython() {
        assert_eq!(num("1abc"), Err("invalid decimal literal".into()));
        assert_eq!(num("1_"), Err("invalid decimal literal".into()));
        assert_eq!(num("1__0"), Err("invalid decimal literal".into()));
        assert_eq!(num("1e"), Err("invalid decimal literal".into()));
        assert_eq!(num("0x"), Err("invalid hexadecimal literal".into()));
        assert_eq!(num("0xg"), Err("invalid hexadecimal literal".into()));
        assert_eq!(
            num("0b102"),
            Err("invalid digit '2' in binary literal".into())
        );
        assert_eq!(num("0o8"), Err("invalid digit '8' in octal literal".into()));
        assert_eq!(
            num("0123"),
            Err("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers".into())
        );
        assert_eq!(
            num("1j"),
            Err("aspy does not support complex numbers".into())
        );
    }

    #[test]
    fn keywords_may_follow() {
        assert_eq!(scan_number("1if x", 0).unwrap().0, 1);
        assert_eq!(scan_number("1or 2", 0).unwrap().0, 1);
        assert_eq!(scan_number("1else", 0).unwrap().0, 1);
        assert!(scan_number("1iff", 0).is_err());
    }
}
