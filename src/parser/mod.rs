//! The parser: tokens to AST, then every compile-time check.
//!
//! The grammar (`grammar/aspy.lalrpop`, built by `build.rs`) has a single
//! entry point switched by a synthetic start token; this module feeds it
//! the lexer's lazy token stream, turns lalrpop's errors into CPython's
//! wording ([`errors`]), and runs the checks of [`validate`], so that a
//! successful [`parse_module`] means the module is valid for the compiler.
//!
//! One token rewrite happens here: `with (a as b, c as d):` (the
//! parenthesized form of several with-items) loses its outer parentheses
//! when the `(` ... `)` is directly followed by `:` and holds no
//! comprehension, walrus or yield, which is exactly when CPython's grammar
//! reads it as a list of items. An LR(1) grammar cannot tell that form
//! from a parenthesized expression without seeing past the `)`.

mod declarations;
mod errors;
pub mod fstring;
pub mod nodes;
pub mod validate;

use crate::ast::{Expr, Module};
use crate::diagnostics::CompileError;
use crate::lexer::{self, LexItem, LexMode, Token, Tokens};
use crate::span::{SourceFile, Span};
use nodes::Top;
use std::collections::VecDeque;

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        unused_parens,
        unused_imports,
        dead_code
    )]
    grammar,
    "/aspy.rs"
);

/// How a module will be run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseMode {
    /// A script file or `-c` string.
    File,
    /// One REPL entry: top-level `await`, `async for`, `async with` allowed.
    Repl,
}

type Item = LexItem;

/// Parses and checks a whole module.
pub fn parse_module(src: &SourceFile, mode: ParseMode) -> Result<Module, CompileError> {
    module(src, mode).map_err(errors::add_help)
}

fn module(src: &SourceFile, mode: ParseMode) -> Result<Module, CompileError> {
    let text = src.text.as_str();
    lexer::check_null_bytes(text)?;
    let tokens = Tokens::new(text, 0, LexMode::File);
    let body = match run(text, Token::StartModule, tokens, None, Where::File)? {
        Top::Module(body) => body,
        Top::Expr(_) => Vec::new(),
    };
    let ctx = match mode {
        ParseMode::File => validate::Context::File,
        ParseMode::Repl => validate::Context::Repl,
    };
    validate::check_module(&body, ctx)?;
    Ok(Module {
        body,
        span: Span::new(0, text.len()),
    })
}

/// Parses and checks a single expression (as `eval` does).
pub fn parse_expression(src: &SourceFile) -> Result<Expr, CompileError> {
    expression(src).map_err(errors::add_help)
}

fn expression(src: &SourceFile) -> Result<Expr, CompileError> {
    let text = src.text.as_str();
    lexer::check_null_bytes(text)?;
    let tokens = Tokens::new(text, 0, LexMode::Eval);
    let expr = match run(text, Token::StartExpr, tokens, None, Where::Eval)? {
        Top::Expr(e) => e,
        Top::Module(_) => return Err(CompileError::syntax("invalid syntax", Span::new(0, 0))),
    };
    validate::check_expression(&expr)?;
    Ok(expr)
}

/// Parses the expression of an f-string field: `src[span]`, read as if
/// it were in parentheses (as CPython 3.11 does).
pub(crate) fn parse_fstring_expr(src: &str, span: Span) -> Result<Expr, CompileError> {
    let (start, end) = (span.start as usize, span.end as usize);
    let tokens = Tokens::new(&src[start..end], start, LexMode::Nested);
    match run(
        src,
        Token::StartExpr,
        tokens,
        Some((start, end)),
        Where::FString(span),
    )? {
        Top::Expr(e) => Ok(e),
        Top::Module(_) => Err(CompileError::syntax("f-string: invalid syntax", span)),
    }
}

/// Where a parse happens, for error wording.
#[derive(Clone, Copy)]
enum Where {
    File,
    Eval,
    FString(Span),
}

fn run(
    text: &str,
    start: Token,
    tokens: Tokens<'_>,
    parens: Option<(usize, usize)>,
    place: Where,
) -> Result<Top, CompileError> {
    let mut stream = WithParens::new(tokens);
    stream.buf.push_back(Ok((0, start, 0)));
    if let Some((s, e)) = parens {
        stream.buf.push_back(Ok((s, Token::LPar, s)));
        stream.tail = Some(Ok((e, Token::RPar, e)));
    }
    grammar::TopParser::new()
        .parse(text, stream)
        .map_err(|e| errors::explain(text, e, place))
}

/// The token stream with `with (items):` unwrapped (see the module doc),
/// after the start token (and the opening parenthesis of an f-string
/// field) and before the field's closing parenthesis: one adapter, so
/// that each token is moved once between the lexer and the parser.
struct WithParens<I: Iterator<Item = Item>> {
    inner: I,
    /// Tokens to give before reading `inner` again.
    buf: VecDeque<Item>,
    /// The token after the last of `inner`.
    tail: Option<Item>,
}

impl<I: Iterator<Item = Item>> WithParens<I> {
    fn new(inner: I) -> Self {
        WithParens {
            inner,
            buf: VecDeque::new(),
            tail: None,
        }
    }

    /// After `with`: if a `(` follows, buffers the group and the token after
    /// it, and unwraps the group when it is a list of with-items.
    fn after_with(&mut self) {
        let Some(next) = self.inner.next() else {
            return;
        };
        let is_paren = matches!(next, Ok((_, Token::LPar, _)));
        self.buf.push_back(next);
        if !is_paren {
            return;
        }
        let mut depth = 1;
        let mut plain = true;
        while depth > 0 {
            let Some(item) = self.inner.next() else {
                return;
            };
            match &item {
                Err(_) => {
                    self.buf.push_back(item);
                    return;
                }
                Ok((_, t, _)) => {
                    if t.is_open_bracket() {
                        depth += 1;
                    } else if t.is_close_bracket() {
                        depth -= 1;
                    } else if depth == 1
                        && matches!(
                            t,
                            Token::For | Token::Async | Token::ColonEqual | Token::Yield
                        )
                    {
                        plain = false;
                    }
                }
            }
            self.buf.push_back(item);
        }
        let Some(after) = self.inner.next() else {
            return;
        };
        let colon = matches!(after, Ok((_, Token::Colon, _)));
        self.buf.push_back(after);
        // buf: `(` content... `)` after
        let n = self.buf.len();
        let empty = n == 3;
        let starts_star = matches!(self.buf.get(1), Some(Ok((_, Token::Star, _))));
        if colon && plain && !empty && !starts_star {
            self.buf.remove(n - 2);
            if matches!(self.buf.get(n - 3), Some(Ok((_, Token::Comma, _)))) {
                self.buf.remove(n - 3);
            }
            self.buf.pop_front();
        }
    }
}

impl<I: Iterator<Item = Item>> Iterator for WithParens<I> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        if let Some(x) = self.buf.pop_front() {
            return Some(x);
        }
        let Some(item) = self.inner.next() else {
            return self.tail.take();
        };
        if matches!(item, Ok((_, Token::With, _))) {
            self.after_with();
        }
        Some(item)
    }
}
