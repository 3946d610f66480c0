//! Adjacent string literals and f-strings: concatenation and the parsing
//! of f-string fields.
//!
//! The lexer has already decoded each literal and split f-strings into
//! literal text and fields whose expressions are spans into the file. Here
//! the pieces of adjacent literals are joined (`'a' f'{x}' 'b'`), mixing
//! bytes with str is refused as CPython does, and each field's expression
//! is parsed by a nested parse of its span, so all spans point into the
//! real file.

use crate::ast::{Constant, Conversion, Expr, ExprKind, FStringPart, Name};
use crate::diagnostics::CompileError;
use crate::lexer::token::KEYWORDS;
use crate::lexer::{FPiece, StrToken};
use crate::span::Span;

/// A single literal (the common case: no list of parts to join).
pub fn string(src: &str, l: usize, tok: StrToken, r: usize) -> Result<Expr, CompileError> {
    let span = Span::new(l, r);
    match tok {
        StrToken::Str(s) => Ok(Expr::new(ExprKind::Constant(Constant::Str(s)), span)),
        StrToken::Bytes(b) => Ok(Expr::new(ExprKind::Constant(Constant::Bytes(b)), span)),
        f @ StrToken::FString(_) => strings(src, vec![(l, Box::new(f), r)]),
    }
}

/// Joins adjacent literals `parts` (each with its span) into one expression.
pub fn strings(src: &str, parts: Vec<(usize, Box<StrToken>, usize)>) -> Result<Expr, CompileError> {
    let start = parts.first().map_or(0, |p| p.0);
    let end = parts.last().map_or(0, |p| p.2);
    let span = Span::new(start, end);
    let bytes = parts
        .iter()
        .filter(|p| matches!(*p.1, StrToken::Bytes(_)))
        .count();
    if bytes > 0 && bytes < parts.len() {
        return Err(CompileError::syntax(
            "cannot mix bytes and nonbytes literals",
            span,
        ));
    }
    if bytes > 0 {
        let mut out = Vec::new();
        for (_, p, _) in parts {
            if let StrToken::Bytes(b) = *p {
                out.extend_from_slice(&b);
            }
        }
        return Ok(Expr::new(ExprKind::Constant(Constant::Bytes(out)), span));
    }
    let any_f = parts.iter().any(|p| matches!(*p.1, StrToken::FString(_)));
    if !any_f {
        let mut iter = parts.into_iter();
        let mut out = match iter.next().map(|p| *p.1) {
            Some(StrToken::Str(s)) => s,
            _ => String::new(),
        };
        for (_, p, _) in iter {
            if let StrToken::Str(s) = *p {
                out.push_str(&s);
            }
        }
        return Ok(Expr::new(ExprKind::Constant(Constant::Str(out)), span));
    }
    let mut out: Vec<FStringPart> = Vec::new();
    for (_, p, _) in parts {
        match *p {
            StrToken::Str(s) => push_literal(&mut out, s),
            StrToken::FString(pieces) => {
                for piece in convert(src, pieces)? {
                    match piece {
                        FStringPart::Literal(s) => push_literal(&mut out, s),
                        f => out.push(f),
                    }
                }
            }
            StrToken::Bytes(_) => {}
        }
    }
    out.shrink_to_fit();
    Ok(Expr::new(ExprKind::FString(out), span))
}

fn push_literal(out: &mut Vec<FStringPart>, s: String) {
    if s.is_empty() {
        return;
    }
    if let Some(FStringPart::Literal(prev)) = out.last_mut() {
        prev.push_str(&s);
    } else {
        out.push(FStringPart::Literal(s));
    }
}

/// Turns lexer pieces into AST parts, parsing each field's expression.
fn convert(src: &str, pieces: Vec<FPiece>) -> Result<Vec<FStringPart>, CompileError> {
    let mut out = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match piece {
            FPiece::Literal(s) => out.push(FStringPart::Literal(s)),
            FPiece::Field(f) => {
                let value = match lone_name(src, f.expr) {
                    Some(name) => name,
                    None => super::parse_fstring_expr(src, f.expr)?,
                };
                let conversion = f.conversion.map(|c| match c {
                    's' => Conversion::Str,
                    'a' => Conversion::Ascii,
                    _ => Conversion::Repr,
                });
                let format_spec = match f.spec {
                    Some(spec) => Some(convert(src, spec)?),
                    None => None,
                };
                out.push(FStringPart::Formatted {
                    value: Box::new(value),
                    conversion,
                    format_spec,
                    debug_text: f.debug_text,
                });
            }
        }
    }
    Ok(out)
}

/// The expression of a field that is a lone ASCII identifier (`{name}`,
/// the most common field), made without running a parser on it: the
/// parser would give the same `Name` with the same span.
fn lone_name(src: &str, span: Span) -> Option<Expr> {
    let text = src.get(span.start as usize..span.end as usize)?;
    let name = text.trim_matches([' ', '\t']);
    let first = *name.as_bytes().first()?;
    let ident = (first.is_ascii_alphabetic() || first == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !ident || KEYWORDS.contains(&name) {
        return None;
    }
    let start = span.start as usize + (text.len() - text.trim_start_matches([' ', '\t']).len());
    let span = Span::new(start, start + name.len());
    Some(Expr::new(ExprKind::Name(Name::from(name)), span))
}
