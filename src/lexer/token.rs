//! The token type: a logos automaton for the raw tokens of one physical
//! line, plus the synthetic tokens the indentation layer adds (`Newline`
//! outside brackets, `Indent`, `Dedent`) and the start tokens the parser
//! glue puts in front to pick a grammar entry point.
//!
//! Invariants: whitespace, comments and backslash continuations never become
//! tokens; names are checked against Python's identifier rules
//! (XID_Start/XID_Continue) here; numbers and strings carry their decoded
//! values, so the parser never looks at source text again. The type stays
//! small (16 bytes): names are thin shared strings, big payloads are boxed.

use super::strings::{self, StrToken};
use crate::span::Span;
use logos::{Lexer, Logos};

/// Why the raw lexer stopped; turned into a located error by the lexer.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum RawError {
    /// A character no token starts with.
    #[default]
    Invalid,
    /// A complete error with its message and span.
    Error(Box<crate::diagnostics::CompileError>),
}

impl RawError {
    fn at(err: crate::diagnostics::CompileError) -> RawError {
        RawError::Error(Box::new(err))
    }
}

/// A token of aspy source.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = RawError)]
#[logos(extras = super::names::Names)]
#[logos(skip r"[ \t\x0C]+")]
#[logos(skip(r"#[^\r\n]*", allow_greedy = true))]
#[logos(skip r"\\(\r\n|\r|\n)")]
pub enum Token {
    // ---- synthetic tokens (never produced by the logos automaton)
    /// First token of a module (parser entry point).
    StartModule,
    /// First token of a single expression (parser entry point).
    StartExpr,
    /// End of a logical line.
    #[regex(r"\r\n|\r|\n")]
    Newline,
    /// Indentation increased.
    Indent,
    /// Indentation decreased by one level.
    Dedent,

    // ---- literals and names
    /// An identifier (keywords are their own tokens).
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", lex_ascii_name)]
    #[regex(r"[^\x00-\x7F]", lex_unicode_name)]
    Name(crate::ast::Name),
    /// A string, bytes or f-string literal.
    #[regex(r#"([rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?["']"#, lex_string)]
    Str(Box<StrToken>),
    /// A number literal, decoded.
    #[regex(r"[0-9]", lex_number)]
    #[regex(r"\.[0-9]", lex_number)]
    Number(NumberValue),

    // ---- keywords
    #[token("False")]
    False,
    #[token("None")]
    None,
    #[token("True")]
    True,
    #[token("and")]
    And,
    #[token("as")]
    As,
    #[token("assert")]
    Assert,
    #[token("async")]
    Async,
    #[token("await")]
    Await,
    #[token("break")]
    Break,
    #[token("class")]
    Class,
    #[token("continue")]
    Continue,
    #[token("def")]
    Def,
    #[token("del")]
    Del,
    #[token("elif")]
    Elif,
    #[token("else")]
    Else,
    #[token("except")]
    Except,
    #[token("finally")]
    Finally,
    #[token("for")]
    For,
    #[token("from")]
    From,
    #[token("global")]
    Global,
    #[token("if")]
    If,
    #[token("import")]
    Import,
    #[token("in")]
    In,
    #[token("is")]
    Is,
    #[token("lambda")]
    Lambda,
    #[token("nonlocal")]
    Nonlocal,
    #[token("not")]
    Not,
    #[token("or")]
    Or,
    #[token("pass")]
    Pass,
    #[token("raise")]
    Raise,
    #[token("return")]
    Return,
    #[token("try")]
    Try,
    #[token("while")]
    While,
    #[token("with")]
    With,
    #[token("yield")]
    Yield,

    // ---- brackets and punctuation
    #[token("(")]
    LPar,
    #[token(")")]
    RPar,
    #[token("[")]
    LSqb,
    #[token("]")]
    RSqb,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token(";")]
    Semi,
    #[token(".")]
    Dot,
    #[token("...")]
    Ellipsis,
    #[token("->")]
    Arrow,
    #[token("=")]
    Assign,
    #[token(":=")]
    ColonEqual,
    #[token("!")]
    Bang,

    // ---- operators
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("//")]
    DoubleSlash,
    #[token("%")]
    Percent,
    #[token("**")]
    DoubleStar,
    #[token("@")]
    At,
    #[token("<<")]
    LShift,
    #[token(">>")]
    RShift,
    #[token("&")]
    Amper,
    #[token("|")]
    VBar,
    #[token("^")]
    Caret,
    #[token("~")]
    Tilde,
    #[token("<")]
    Less,
    #[token(">")]
    Greater,
    #[token("<=")]
    LessEqual,
    #[token(">=")]
    GreaterEqual,
    #[token("==")]
    EqEqual,
    #[token("!=")]
    NotEqual,

    // ---- augmented assignment
    #[token("+=")]
    PlusEqual,
    #[token("-=")]
    MinusEqual,
    #[token("*=")]
    StarEqual,
    #[token("/=")]
    SlashEqual,
    #[token("//=")]
    DoubleSlashEqual,
    #[token("%=")]
    PercentEqual,
    #[token("**=")]
    DoubleStarEqual,
    #[token("@=")]
    AtEqual,
    #[token("<<=")]
    LShiftEqual,
    #[token(">>=")]
    RShiftEqual,
    #[token("&=")]
    AmperEqual,
    #[token("|=")]
    VBarEqual,
    #[token("^=")]
    CaretEqual,

    /// A backslash not followed by a newline.
    #[token("\\")]
    Backslash,
}

/// The decoded value of a number literal, before it becomes a token.
#[derive(Clone, Debug, PartialEq)]
pub enum NumberValue {
    Int(u64),
    BigInt(Box<num_bigint::BigInt>),
    Float(f64),
}

impl Token {
    /// True for `(`, `[`, `{`.
    pub fn is_open_bracket(&self) -> bool {
        matches!(self, Token::LPar | Token::LSqb | Token::LBrace)
    }

    /// True for `)`, `]`, `}`.
    pub fn is_close_bracket(&self) -> bool {
        matches!(self, Token::RPar | Token::RSqb | Token::RBrace)
    }

    /// True for tokens spelled like identifiers (keywords included).
    pub fn is_keyword(&self) -> bool {
        use Token::*;
        matches!(
            self,
            False
                | None
                | True
                | And
                | As
                | Assert
                | Async
                | Await
                | Break
                | Class
                | Continue
                | Def
                | Del
                | Elif
                | Else
                | Except
                | Finally
                | For
                | From
                | Global
                | If
                | Import
                | In
                | Is
                | Lambda
                | Nonlocal
                | Not
                | Or
                | Pass
                | Raise
                | Return
                | Try
                | While
                | With
                | Yield
        )
    }
}

/// The keywords, as spelled in source (the tokens of [`Token::is_keyword`]).
pub const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// True for a character that may start an identifier.
pub fn is_id_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

/// True for a character that may continue an identifier.
pub fn is_id_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
}

/// Length in bytes of the identifier characters at the start of `rest`.
fn id_continue_len(rest: &str) -> usize {
    rest.char_indices()
        .find(|&(_, c)| !is_id_continue(c))
        .map_or(rest.len(), |(i, _)| i)
}

fn lex_ascii_name(lex: &mut Lexer<'_, Token>) -> crate::ast::Name {
    let rest = lex.remainder();
    if rest.as_bytes().first().is_some_and(|b| !b.is_ascii()) {
        let n = id_continue_len(rest);
        lex.bump(n);
    }
    let text = lex.slice();
    lex.extras.intern(text)
}

fn lex_unicode_name(lex: &mut Lexer<'_, Token>) -> Result<crate::ast::Name, RawError> {
    let c = lex.slice().chars().next().unwrap_or('\0');
    if !is_id_start(c) {
        return Err(RawError::at(invalid_character(c, span_of(lex))));
    }
    let n = id_continue_len(lex.remainder());
    lex.bump(n);
    let text = lex.slice();
    Ok(lex.extras.intern(text))
}

/// CPython's error for a character that starts no token.
pub fn invalid_character(c: char, span: Span) -> crate::diagnostics::CompileError {
    let printable = !(c.is_control()
        || c.is_whitespace()
        || matches!(c as u32, 0xA0 | 0x2000..=0x200F | 0x2028..=0x202F | 0xFEFF));
    let msg = if printable {
        format!("invalid character '{c}' (U+{:04X})", c as u32)
    } else {
        format!("invalid non-printable character U+{:04X}", c as u32)
    };
    crate::diagnostics::CompileError::syntax(msg, span)
}

fn span_of(lex: &Lexer<'_, Token>) -> Span {
    let r = lex.span();
    Span::new(r.start, r.end)
}

fn lex_string(lex: &mut Lexer<'_, Token>) -> Result<Box<StrToken>, RawError> {
    let start = lex.span().start;
    let prefix_and_quote = lex.slice();
    match strings::scan_string(lex.source(), start, prefix_and_quote.len()) {
        Ok((end, tok)) => {
            lex.bump(end - lex.span().end);
            Ok(Box::new(tok))
        }
        Err(e) => Err(RawError::at(e)),
    }
}

fn lex_number(lex: &mut Lexer<'_, Token>) -> Result<NumberValue, RawError> {
    let start = lex.span().start;
    match super::numbers::scan_number(lex.source(), start) {
        Ok((end, value)) => {
            lex.bump(end - lex.span().end);
            Ok(value)
        }
        Err(e) => Err(RawError::at(e)),
    }
}
