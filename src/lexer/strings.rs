//! String, bytes and f-string literals: finding where a literal ends,
//! decoding escapes, and splitting f-strings into literal text and fields.
//!
//! Everything follows CPython 3.11: invalid escapes such as `\d` are kept
//! verbatim, `\` + newline joins lines, CRLF inside a literal reads as `\n`,
//! bytes literals accept ASCII characters only. An f-string is split here
//! into [`FPiece`]s whose expression parts are spans into the file; the
//! parser parses those spans (it owns the grammar), so every span of a
//! nested expression points into the real file. `\N{...}` escapes use
//! the unicode_names2 table.

use crate::diagnostics::CompileError;
use crate::span::Span;

/// The decoded value of one string-like literal token.
#[derive(Clone, Debug, PartialEq)]
pub enum StrToken {
    /// `'...'`, `r'...'`, `u'...'`.
    Str(String),
    /// `b'...'`, `rb'...'`.
    Bytes(Vec<u8>),
    /// `f'...'`, `rf'...'`.
    FString(Vec<FPiece>),
}

/// A piece of an f-string, before its expressions are parsed.
#[derive(Clone, Debug, PartialEq)]
pub enum FPiece {
    /// Literal text, escapes decoded, `{{`/`}}` undoubled.
    Literal(String),
    /// A replacement field `{expr=!c:spec}`.
    Field(Box<FField>),
}

/// One replacement field of an f-string.
#[derive(Clone, Debug, PartialEq)]
pub struct FField {
    /// The expression's source (absolute span into the file).
    pub expr: Span,
    /// For `{x=}`: the text `x=` with its whitespace.
    pub debug_text: Option<String>,
    /// `s`, `r` or `a`.
    pub conversion: Option<char>,
    /// The format spec after `:`, itself a list of pieces.
    pub spec: Option<Vec<FPiece>>,
    /// The whole field, braces included.
    pub span: Span,
}

/// Moves every span in `pieces` right by `offset` (for literals lexed
/// from a piece of a larger file).
pub fn shift_pieces(pieces: &mut [FPiece], offset: u32) {
    for p in pieces {
        if let FPiece::Field(f) = p {
            f.expr = f.expr.shifted(offset);
            f.span = f.span.shifted(offset);
            if let Some(spec) = &mut f.spec {
                shift_pieces(spec, offset);
            }
        }
    }
}

/// The 1-based line of byte offset `pos` in `src`.
fn line_at(src: &str, pos: usize) -> usize {
    1 + src.as_bytes()[..pos.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Scans the literal that starts at `start` in `src`; `head` is the length
/// of its prefix plus the opening quote. Returns the end offset of the
/// literal and its decoded value.
pub fn scan_string(
    src: &str,
    start: usize,
    head: usize,
) -> Result<(usize, StrToken), CompileError> {
    let bytes = src.as_bytes();
    let quote_pos = start + head - 1;
    let q = bytes[quote_pos];
    let mut raw = false;
    let mut is_bytes = false;
    let mut is_f = false;
    for &b in &bytes[start..quote_pos] {
        match b.to_ascii_lowercase() {
            b'r' => raw = true,
            b'b' => is_bytes = true,
            b'f' => is_f = true,
            _ => {}
        }
    }
    let triple =
        bytes.len() >= quote_pos + 3 && bytes[quote_pos + 1] == q && bytes[quote_pos + 2] == q;
    let content_start = if triple { quote_pos + 3 } else { quote_pos + 1 };
    let mut i = content_start;
    let content_end;
    loop {
        let Some(&b) = bytes.get(i) else {
            let last = src.len().saturating_sub(1);
            let (msg, line) = if triple {
                (
                    "unterminated triple-quoted string literal",
                    line_at(src, last),
                )
            } else {
                ("unterminated string literal", line_at(src, last))
            };
            return Err(CompileError::syntax(
                format!("{msg} (detected at line {line})"),
                Span::new(start, start),
            ));
        };
        match b {
            b'\\' => {
                i += 1;
                if bytes.get(i) == Some(&b'\r') && bytes.get(i + 1) == Some(&b'\n') {
                    i += 2;
                } else if i < bytes.len() {
                    i += 1;
                }
            }
            b'\n' | b'\r' if !triple => {
                return Err(CompileError::syntax(
                    format!(
                        "unterminated string literal (detected at line {})",
                        line_at(src, i)
                    ),
                    Span::new(start, start),
                ));
            }
            _ if b == q => {
                if !triple {
                    content_end = i;
                    i += 1;
                    break;
                }
                if bytes.get(i + 1) == Some(&q) && bytes.get(i + 2) == Some(&q) {
                    content_end = i;
                    i += 3;
                    break;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    let end = i;
    let value = if is_bytes {
        StrToken::Bytes(decode_bytes(
            src,
            start,
            content_start,
            content_end,
            raw,
            end,
        )?)
    } else if is_f {
        StrToken::FString(split_fstring(src, content_start, content_end, raw, 0)?)
    } else {
        StrToken::Str(decode_str(src, content_start, content_end, raw)?)
    };
    Ok((end, value))
}

/// Decodes the escapes of `src[from..to]` as a str literal (or copies it
/// when `raw`), normalizing line ends to `\n`.
pub fn decode_str(src: &str, from: usize, to: usize, raw: bool) -> Result<String, CompileError> {
    let text = &src[from..to];
    if !text.bytes().any(|b| b == b'\\' || b == b'\r') {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\r' {
            out.push('\n');
            i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            continue;
        }
        if c != b'\\' || raw {
            // Copy a run of ordinary characters at once (keeps UTF-8 whole).
            let run_end = b[i + 1..]
                .iter()
                .position(|&x| x == b'\r' || (x == b'\\' && !raw))
                .map_or(b.len(), |p| i + 1 + p);
            out.push_str(&text[i..run_end]);
            i = run_end;
            continue;
        }
        // A backslash escape.
        let Some(&e) = b.get(i + 1) else {
            out.push('\\');
            break;
        };
        match e {
            b'\n' => i += 2,
            b'\r' => i += if b.get(i + 2) == Some(&b'\n') { 3 } else { 2 },
            b'\\' | b'\'' | b'"' => {
                out.push(e as char);
                i += 2;
            }
            b'a' => push_esc(&mut out, &mut i, '\x07'),
            b'b' => push_esc(&mut out, &mut i, '\x08'),
            b'f' => push_esc(&mut out, &mut i, '\x0c'),
            b'n' => push_esc(&mut out, &mut i, '\n'),
            b'r' => push_esc(&mut out, &mut i, '\r'),
            b't' => push_esc(&mut out, &mut i, '\t'),
            b'v' => push_esc(&mut out, &mut i, '\x0b'),
            b'0'..=b'7' => {
                let (v, n) = octal(&b[i + 1..]);
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                i += 1 + n;
            }
            b'x' | b'u' | b'U' => {
                let (want, name) = match e {
                    b'x' => (2, "truncated \\xXX escape"),
                    b'u' => (4, "truncated \\uXXXX escape"),
                    _ => (8, "truncated \\UXXXXXXXX escape"),
                };
                let digits = &b[i + 2..];
                let n = digits
                    .iter()
                    .take(want)
                    .take_while(|d| d.is_ascii_hexdigit())
                    .count();
                let err = |msg: &str, last: usize| {
                    CompileError::syntax(
                        format!("(unicode error) 'unicodeescape' codec can't decode bytes in position {i}-{last}: {msg}"),
                        Span::new(from + i, from + last + 1),
                    )
                };
                if n < want {
                    return Err(err(name, i + 1 + n));
                }
                let v = u32::from_str_radix(&text[i + 2..i + 2 + want], 16).unwrap_or(u32::MAX);
                match char::from_u32(v) {
                    Some(ch) => out.push(ch),
                    // Lone surrogates cannot live in a Rust string.
                    None if (0xD800..0xE000).contains(&v) => {
                        return Err(CompileError::unsupported(
                            "surrogate code points in strings",
                            Span::new(from + i, from + i + 2 + want),
                        ))
                    }
                    None => return Err(err("illegal Unicode character", i + 1 + want)),
                }
                i += 2 + want;
            }
            b'N' => {
                let (ch, next) = named_escape(text, from, i)?;
                out.push(ch);
                i = next;
            }
            _ => {
                // Invalid escape: kept verbatim, as CPython does.
                out.push('\\');
                i += 1;
            }
        }
    }
    Ok(out)
}

/// `\N{NAME}` at `i` in `text` (which starts at `from` in the file):
/// the character and the offset after the escape.
fn named_escape(text: &str, from: usize, i: usize) -> Result<(char, usize), CompileError> {
    let err = |msg: &str, last: usize| {
        CompileError::syntax(
            format!("(unicode error) 'unicodeescape' codec can't decode bytes in position {i}-{last}: {msg}"),
            Span::new(from + i, from + last + 1),
        )
    };
    let rest = &text[i + 2..];
    if !rest.starts_with('{') {
        return Err(err("malformed \\N character escape", i + 1));
    }
    let Some(close) = rest.find('}') else {
        return Err(err("malformed \\N character escape", text.len() - 1));
    };
    let name = &rest[1..close];
    let last = i + 2 + close;
    match unicode_names2::character(name) {
        Some(c) if !name.is_empty() => Ok((c, last + 1)),
        _ => Err(err("unknown Unicode character name", last)),
    }
}

fn push_esc(out: &mut String, i: &mut usize, c: char) {
    out.push(c);
    *i += 2;
}

/// Up to three octal digits at the start of `b`: (value, digits used).
fn octal(b: &[u8]) -> (u32, usize) {
    let mut v = 0;
    let mut n = 0;
    while n < 3 && n < b.len() && (b'0'..=b'7').contains(&b[n]) {
        v = v * 8 + (b[n] - b'0') as u32;
        n += 1;
    }
    (v, n)
}

/// Decodes a bytes literal's content `src[from..to]`.
fn decode_bytes(
    src: &str,
    start: usize,
    from: usize,
    to: usize,
    raw: bool,
    end: usize,
) -> Result<Vec<u8>, CompileError> {
    let b = &src.as_bytes()[from..to];
    if !b.is_ascii() {
        return Err(CompileError::syntax(
            "bytes can only contain ASCII literal characters",
            Span::new(start, end),
        ));
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\r' {
            out.push(b'\n');
            i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            continue;
        }
        if c != b'\\' || raw {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&e) = b.get(i + 1) else {
            out.push(b'\\');
            break;
        };
        i += 2;
        match e {
            b'\n' => {}
            b'\r' => {
                if b.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let (v, n) = octal(&b[i - 1..]);
                out.push(v as u8);
                i += n - 1;
            }
            b'x' => {
                let ok =
                    b.len() >= i + 2 && b[i].is_ascii_hexdigit() && b[i + 1].is_ascii_hexdigit();
                if !ok {
                    return Err(CompileError::syntax(
                        format!("(value error) invalid \\x escape at position {}", i - 2),
                        Span::new(from + i - 2, from + i),
                    ));
                }
                let hex = std::str::from_utf8(&b[i..i + 2]).unwrap_or("0");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                i += 2;
            }
            _ => {
                out.push(b'\\');
                out.push(e);
            }
        }
    }
    Ok(out)
}

/// Splits the f-string content `src[from..to]` into literal pieces and
/// fields. `level` is 0 for the string itself and 1 inside a format spec.
pub fn split_fstring(
    src: &str,
    from: usize,
    to: usize,
    raw: bool,
    level: u32,
) -> Result<Vec<FPiece>, CompileError> {
    let mut pieces = Vec::new();
    let mut pos = from;
    while pos < to {
        let (lit_end, next) = find_literal(src, pos, to, raw, level)?;
        if lit_end > pos {
            let text = literal_text(src, pos, lit_end, raw)?;
            if !text.is_empty() {
                pieces.push(FPiece::Literal(text));
            }
        }
        match next {
            Next::End => break,
            Next::Literal(c, after) => {
                pieces.push(FPiece::Literal(c.to_string()));
                pos = after;
            }
            Next::Field(open) => {
                if level >= 2 {
                    return Err(CompileError::syntax(
                        "f-string: expressions nested too deeply",
                        Span::new(open, open + 1),
                    ));
                }
                let (field, after) = scan_field(src, open, to, raw, level)?;
                pieces.push(FPiece::Field(Box::new(field)));
                pos = after;
            }
        }
    }
    // Merge adjacent literals (`{{` produces its own piece).
    let mut merged: Vec<FPiece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        match (merged.last_mut(), p) {
            (Some(FPiece::Literal(a)), FPiece::Literal(b)) => a.push_str(&b),
            (_, p) => merged.push(p),
        }
    }
    Ok(merged)
}

enum Next {
    /// End of the text.
    End,
    /// A doubled brace standing for one character; scanning resumes after it.
    Literal(char, usize),
    /// A field starts at this `{`.
    Field(usize),
}

/// Finds where the literal text starting at `pos` ends.
fn find_literal(
    src: &str,
    pos: usize,
    to: usize,
    raw: bool,
    level: u32,
) -> Result<(usize, Next), CompileError> {
    let b = src.as_bytes();
    let mut i = pos;
    while i < to {
        let c = b[i];
        if c == b'\\' && !raw && i + 1 < to {
            let e = b[i + 1];
            if e == b'N' && i + 2 < to && b[i + 2] == b'{' {
                let close = src[i + 3..to].find('}').map_or(to, |p| i + 3 + p + 1);
                i = close;
                continue;
            }
            if e != b'{' && e != b'}' {
                i += 2;
                continue;
            }
            i += 1;
            continue;
        }
        if c == b'{' || c == b'}' {
            if level == 0 && i + 1 < to && b[i + 1] == c {
                return Ok((i, Next::Literal(c as char, i + 2)));
            }
            if c == b'{' {
                return Ok((i, Next::Field(i)));
            }
            if level == 0 {
                return Err(CompileError::syntax(
                    "f-string: single '}' is not allowed",
                    Span::new(i, i + 1),
                ));
            }
            // Inside a format spec, `}` is the end of the spec.
            return Ok((i, Next::End));
        }
        i += 1;
    }
    Ok((to, Next::End))
}

fn literal_text(src: &str, from: usize, to: usize, raw: bool) -> Result<String, CompileError> {
    decode_str(src, from, to, raw)
}

/// Scans a field starting at `open` (the `{`). Returns the field and the
/// offset just after its closing `}`.
fn scan_field(
    src: &str,
    open: usize,
    to: usize,
    raw: bool,
    level: u32,
) -> Result<(FField, usize), CompileError> {
    let b = src.as_bytes();
    let expr_start = open + 1;
    let mut i = expr_start;
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let expecting = |at: usize| CompileError::syntax("f-string: expecting '}'", Span::new(at, at));
    // Find the end of the expression.
    loop {
        if i >= to {
            return Err(expecting(to));
        }
        let c = b[i];
        match c {
            b'\\' => {
                return Err(CompileError::syntax(
                    "f-string expression part cannot include a backslash",
                    Span::new(i, i + 1),
                ))
            }
            b'#' => {
                return Err(CompileError::syntax(
                    "f-string expression part cannot include '#'",
                    Span::new(i, i + 1),
                ))
            }
            b'\'' | b'"' => {
                let triple = i + 2 < to && b[i + 1] == c && b[i + 2] == c;
                let qlen = if triple { 3 } else { 1 };
                let mut j = i + qlen;
                loop {
                    if j >= to {
                        return Err(CompileError::syntax(
                            "f-string: unterminated string",
                            Span::new(i, i + 1),
                        ));
                    }
                    if b[j] == b'\\' {
                        return Err(CompileError::syntax(
                            "f-string expression part cannot include a backslash",
                            Span::new(j, j + 1),
                        ));
                    }
                    if b[j] == c && (!triple || (j + 2 < to && b[j + 1] == c && b[j + 2] == c)) {
                        break;
                    }
                    j += 1;
                }
                i = j + qlen;
                continue;
            }
            b'(' | b'[' | b'{' => {
                if stack.len() >= 200 {
                    return Err(CompileError::syntax(
                        "f-string: too many nested parenthesis",
                        Span::new(i, i + 1),
                    ));
                }
                stack.push((c, i));
            }
            b')' | b']' | b'}' if !stack.is_empty() => {
                let (o, _) = stack.pop().unwrap_or((b'(', i));
                let want = match o {
                    b'(' => b')',
                    b'[' => b']',
                    _ => b'}',
                };
                if c != want {
                    return Err(CompileError::syntax(
                        format!(
                            "f-string: closing parenthesis '{}' does not match opening parenthesis '{}'",
                            c as char, o as char
                        ),
                        Span::new(i, i + 1),
                    ));
                }
            }
            b')' | b']' => {
                return Err(CompileError::syntax(
                    format!("f-string: unmatched '{}'", c as char),
                    Span::new(i, i + 1),
                ))
            }
            b'!' | b'=' | b'<' | b'>'
                if stack.is_empty() && b.get(i + 1) == Some(&b'=') && i + 1 < to =>
            {
                i += 2;
                continue;
            }
            b'<' | b'>' => {}
            b'!' | b':' | b'}' | b'=' if stack.is_empty() => break,
            _ => {}
        }
        i += 1;
    }
    let expr_end = i;
    if src[expr_start..expr_end]
        .trim_matches([' ', '\t', '\n', '\r', '\x0c'])
        .is_empty()
    {
        return Err(CompileError::syntax(
            "f-string: empty expression not allowed",
            Span::new(open, expr_end + 1),
        ));
    }
    let mut debug_text = None;
    if b[i] == b'=' {
        i += 1;
        while i < to && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') {
            i += 1;
        }
        debug_text = Some(src[expr_start..i].replace("\r\n", "\n"));
        if i >= to {
            return Err(expecting(to));
        }
    }
    let mut conversion = None;
    if b[i] == b'!' {
        let c = b.get(i + 1).copied().filter(|_| i + 1 < to);
        match c {
            Some(c @ (b's' | b'r' | b'a')) => conversion = Some(c as char),
            None => return Err(expecting(to)),
            Some(_) => {
                return Err(CompileError::syntax(
                    "f-string: invalid conversion character: expected 's', 'r', or 'a'",
                    Span::new(i, i + 2),
                ))
            }
        }
        i += 2;
        if i >= to {
            return Err(expecting(to));
        }
        if b[i] != b':' && b[i] != b'}' {
            return Err(expecting(i));
        }
    }
    let mut spec = None;
    if b[i] == b':' {
        let spec_start = i + 1;
        // The spec ends at the `}` that closes this field.
        let spec_pieces = split_fstring_spec(src, spec_start, to, raw, level + 1)?;
        spec = Some(spec_pieces.0);
        i = spec_pieces.1;
    }
    if i >= to || b[i] != b'}' {
        return Err(expecting(i.min(to)));
    }
    if debug_text.is_some() && conversion.is_none() && spec.is_none() {
        conversion = Some('r');
    }
    let field = FField {
        expr: Span::new(expr_start, expr_end),
        debug_text,
        conversion,
        spec,
        span: Span::new(open, i + 1),
    };
    Ok((field, i + 1))
}

/// Splits a format spec starting at `from`; returns its pieces and the
/// offset of the `}` that ends it.
fn split_fstring_spec(
    src: &str,
    from: usize,
    to: usize,
    raw: bool,
    level: u32,
) -> Result<(Vec<FPiece>, usize), CompileError> {
    let mut pieces = Vec::new();
    let mut pos = from;
    loop {
        let (lit_end, next) = find_literal(src, pos, to, raw, level)?;
        if lit_end > pos {
            let text = literal_text(src, pos, lit_end, raw)?;
            if !text.is_empty() {
                pieces.push(FPiece::Literal(text));
            }
        }
        match next {
            Next::End => return Ok((pieces, lit_end)),
            Next::Literal(c, after) => {
                pieces.push(FPiece::Literal(c.to_string()));
                pos = after;
            }
            Next::Field(open) => {
                if level >= 2 {
                    return Err(CompileError::syntax(
                        "f-string: expressions nested too deeply",
                        Span::new(open, open + 1),
                    ));
                }
                let (field, after) = scan_field(src, open, to, raw, level)?;
                pieces.push(FPiece::Field(Box::new(field)));
                pos = after;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(src: &str) -> Result<StrToken, CompileError> {
        let head = src.find(['\'', '"']).unwrap() + 1;
        scan_string(src, 0, head).map(|(end, t)| {
            assert_eq!(end, src.len(), "literal should span the whole input");
            t
        })
    }

    fn s(src: &str) -> String {
        match lit(src).unwrap() {
            StrToken::Str(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn escapes() {
        assert_eq!(s(r"'a\nb\tc\\'"), "a\nb\tc\\");
        assert_eq!(s(r"'\x41\u00e9\U0001F600'"), "Aé😀");
        assert_eq!(s(r"'\101\0\777'"), "A\0\u{1ff}");
        assert_eq!(s(r"'\d\8'"), "\\d\\8");
        assert_eq!(s("'a\\\nb'"), "ab");
        assert_eq!(s("'''a\r\nb'''"), "a\nb");
        assert_eq!(s(r"r'\n\''"), "\\n\\'");
        assert_eq!(s("'中文'"), "中文");
        assert_eq!(s("''"), "");
        assert_eq!(s("''''''"), "");
        assert_eq!(s(r#""it's""#), "it's");
    }

    #[test]
    fn escape_errors_match_cpython() {
        let e = lit(r"'ab\x4g'").unwrap_err();
        assert_eq!(
            e.message,
            "(unicode error) 'unicodeescape' codec can't decode bytes in position 2-4: truncated \\xXX escape"
        );
        let e = lit(r"'\U00110000'").unwrap_err();
        assert_eq!(
            e.message,
            "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: illegal Unicode character"
        );
        let e = lit(r"b'\x4'").unwrap_err();
        assert_eq!(e.message, "(value error) invalid \\x escape at position 0");
        assert_eq!(
            lit("b'é'").unwrap_err().message,
            "bytes can only contain ASCII literal characters"
        );
    }

    #[test]
    fn named_escapes() {
        assert_eq!(s(r"'\N{BULLET}\N{latin small letter a}'"), "\u{2022}a");
        let e = lit(r"'\N{foo}'").unwrap_err();
        assert_eq!(
            e.message,
            "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-6: unknown Unicode character name"
        );
        assert_eq!(f(r"f'\N{BULLET}{x}'").len(), 2);
    }

    #[test]
    fn bytes() {
        assert_eq!(
            lit(r"b'a\x00\777\u1234'").unwrap(),
            StrToken::Bytes(b"a\x00\xff\\u1234".to_vec())
        );
        assert_eq!(lit(r"Rb'\n'").unwrap(), StrToken::Bytes(b"\\n".to_vec()));
    }

    #[test]
    fn unterminated() {
        let e = lit("'abc\ndef'").unwrap_err();
        assert_eq!(
            e.message,
            "unterminated string literal (detected at line 1)"
        );
        let e = lit("'''abc\n\n").unwrap_err();
        assert_eq!(
            e.message,
            "unterminated triple-quoted string literal (detected at line 2)"
        );
    }

    fn f(src: &str) -> Vec<FPiece> {
        match lit(src).unwrap() {
            StrToken::FString(p) => p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fstring_split() {
        let p = f("f'a{x}b{{c}}'");
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], FPiece::Literal("a".into()));
        let FPiece::Field(fl) = &p[1] else { panic!() };
        assert_eq!(fl.expr, Span::new(4, 5));
        assert_eq!(p[2], FPiece::Literal("b{c}".into()));

        let p = f("f'{x = }'");
        let FPiece::Field(fl) = &p[0] else { panic!() };
        assert_eq!(fl.debug_text.as_deref(), Some("x = "));
        assert_eq!(fl.conversion, Some('r'));

        let p = f("f'{x=:>10}'");
        let FPiece::Field(fl) = &p[0] else { panic!() };
        assert_eq!(fl.conversion, None);
        assert_eq!(fl.spec, Some(vec![FPiece::Literal(">10".into())]));

        let p = f("f'{x:{w}.{p}f}'");
        let FPiece::Field(fl) = &p[0] else { panic!() };
        assert_eq!(fl.spec.as_ref().unwrap().len(), 4);

        let p = f("f'{a!r:>{w}}'");
        let FPiece::Field(fl) = &p[0] else { panic!() };
        assert_eq!(fl.conversion, Some('r'));

        let p = f(r#"f'{d["k"]} {a != b} {c:=1}'"#);
        assert_eq!(p.len(), 5);
        let FPiece::Field(fl) = &p[4] else { panic!() };
        assert_eq!(fl.spec, Some(vec![FPiece::Literal("=1".into())]));
    }

    #[test]
    fn fstring_errors() {
        let msg = |s: &str| lit(s).unwrap_err().message;
        assert_eq!(msg("f'{}'"), "f-string: empty expression not allowed");
        assert_eq!(msg("f'{ }'"), "f-string: empty expression not allowed");
        assert_eq!(msg("f'}'"), "f-string: single '}' is not allowed");
        assert_eq!(msg("f'{a'"), "f-string: expecting '}'");
        assert_eq!(
            msg("f'{a!x}'"),
            "f-string: invalid conversion character: expected 's', 'r', or 'a'"
        );
        assert_eq!(msg("f'{a!r }'"), "f-string: expecting '}'");
        assert_eq!(
            msg(r"f'{\'a\'}'"),
            "f-string expression part cannot include a backslash"
        );
        assert_eq!(
            msg("f'{a:{b:{c}}}'"),
            "f-string: expressions nested too deeply"
        );
        assert_eq!(msg("f'{#}'"), "f-string expression part cannot include '#'");
        assert_eq!(msg("f'{a)}'"), "f-string: unmatched ')'");
    }
}
