//! The lexer: source text to tokens.
//!
//! Three layers: the logos automaton in [`token`] (one token at a time,
//! whitespace and comments skipped), the literal scanners in [`strings`] and
//! [`numbers`] (called from logos callbacks; they decode values) with the
//! name table of [`names`] (each identifier allocated once), and the
//! indentation layer in [`indent`] (logical lines, `Indent`/`Dedent`,
//! brackets). The stream is lazy: the parser pulls tokens, so the first
//! error in source order is the one reported, as in CPython.

pub mod indent;
pub mod names;
pub mod numbers;
pub mod strings;
pub mod token;

pub use indent::{LexItem, LexMode, Spanned, Tokens};
pub use strings::{FField, FPiece, StrToken};
pub use token::{NumberValue, Token};

use crate::diagnostics::CompileError;
use crate::span::Span;

/// All tokens of a module (debugging, `--dump tokens`, tests).
pub fn tokenize(src: &str) -> Result<Vec<(usize, Token, usize)>, CompileError> {
    check_null_bytes(src)?;
    Tokens::new(src, 0, LexMode::File)
        .map(|item| item.map_err(|e| *e))
        .collect()
}

/// CPython refuses source containing NUL bytes before tokenizing it.
pub fn check_null_bytes(src: &str) -> Result<(), CompileError> {
    match src.bytes().position(|b| b == 0) {
        Some(p) => Err(CompileError::syntax(
            "source code cannot contain null bytes",
            Span::new(p, p + 1),
        )),
        None => Ok(()),
    }
}

/// Decodes source bytes as UTF-8, as CPython does for a file without an
/// encoding declaration. On failure returns the lossily decoded text (for
/// rendering) and CPython's error, which names the file `name`.
pub fn decode_source(bytes: Vec<u8>, name: &str) -> Result<String, (String, CompileError)> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let pos = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = 1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count();
            let msg = format!(
                "Non-UTF-8 code starting with '\\x{:02x}' in file {name} on line {line}, but no encoding declared; see https://peps.python.org/pep-0263/ for details",
                bytes[pos]
            );
            let text = String::from_utf8_lossy(&bytes).into_owned();
            Err((text, CompileError::syntax(msg, Span::new(pos, pos + 1))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_values() {
        let toks = tokenize("x = 0x10 + 1.5 + 'a'\n").unwrap();
        let kinds: Vec<Token> = toks.into_iter().map(|t| t.1).collect();
        assert_eq!(kinds[0], Token::Name("x".into()));
        assert_eq!(kinds[2], Token::Number(NumberValue::Int(16)));
        assert_eq!(kinds[4], Token::Number(NumberValue::Float(1.5)));
        assert_eq!(kinds[6], Token::Str(Box::new(StrToken::Str("a".into()))));
    }

    #[test]
    fn keyword_list_matches_the_automaton() {
        for k in token::KEYWORDS {
            let toks = tokenize(k).unwrap();
            assert!(toks.len() == 2 && toks[0].1.is_keyword(), "{k}");
        }
    }

    #[test]
    fn unicode_names_and_text() {
        let toks = tokenize("\u{feff}名字 = '中文' # 注释\ncafé = 1\n").unwrap();
        assert_eq!(toks[0].1, Token::Name("名字".into()));
        assert_eq!(toks[0].0, 3);
        assert_eq!(toks[4].1, Token::Name("café".into()));
        let e = tokenize("x€ = 1").unwrap_err();
        assert_eq!(e.message, "invalid character '€' (U+20AC)");
        assert_eq!(e.span, Span::new(1, 4));
        let e = tokenize("a\u{a0}= 1").unwrap_err();
        assert_eq!(e.message, "invalid non-printable character U+00A0");
        assert_eq!(tokenize("$").unwrap_err().message, "invalid syntax");
    }

    #[test]
    fn null_bytes_and_bad_utf8() {
        assert_eq!(
            tokenize("x\0").unwrap_err().message,
            "source code cannot contain null bytes"
        );
        let (_, e) = decode_source(b"x = 1\n#\xe9\n".to_vec(), "t.aspy").unwrap_err();
        assert!(e
            .message
            .starts_with("Non-UTF-8 code starting with '\\xe9' in file t.aspy on line 2"));
    }
}
