//! Turning lalrpop's "unexpected token" into CPython 3.11's wording.
//!
//! CPython's PEG parser has dedicated rules for common mistakes ("expected
//! ':'", "Perhaps you forgot a comma?", "expected an indented block after
//! 'if' statement on line 3", ...). Here the same messages are recovered
//! from the failing token, the tokens that precede it on its logical line
//! (re-lexed: this is the error path) and the set of tokens the grammar
//! expected. Constructs outside aspy's subset that CPython parses (`match`,
//! `type X = ...`, PEP 695 type parameters) are recognised here too and
//! reported as unsupported. The fallback is CPython's "invalid syntax",
//! which, as in CPython, gives way to an error the tokenizer finds later in
//! the file (an unterminated string, an unclosed bracket).

use super::Where;
use crate::diagnostics::CompileError;
use crate::lexer::{LexMode, Spanned, Token, Tokens};
use crate::span::Span;
use lalrpop_util::ParseError;

pub(super) fn explain(
    text: &str,
    e: ParseError<usize, Token, Box<CompileError>>,
    place: Where,
) -> CompileError {
    let err = match e {
        ParseError::User { error } => return *error,
        ParseError::InvalidToken { location } => {
            CompileError::syntax("invalid syntax", Span::new(location, location))
        }
        ParseError::ExtraToken { token: (l, _, r) } => {
            CompileError::syntax("invalid syntax", Span::new(l, r))
        }
        ParseError::UnrecognizedEof { location, expected } => {
            unexpected(text, None, location, &expected, place)
        }
        ParseError::UnrecognizedToken {
            token: (l, t, r),
            expected,
        } => unexpected(text, Some(t), l, &expected, place).with_span_default(Span::new(l, r)),
    };
    match place {
        Where::FString(_) if !err.message.starts_with("f-string") => CompileError {
            message: format!("f-string: {}", err.message),
            ..err
        },
        _ => err,
    }
}

trait SpanDefault {
    fn with_span_default(self, span: Span) -> Self;
}

impl SpanDefault for CompileError {
    /// Errors built without a span (empty at 0) take the token's.
    fn with_span_default(mut self, span: Span) -> Self {
        if self.span == Span::default() {
            self.span = span;
        }
        self
    }
}

fn has(expected: &[String], name: &str) -> bool {
    expected.iter().any(|e| e == name)
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

/// True for a token that can end an expression.
fn ends_expr(t: &Token) -> bool {
    matches!(
        t,
        Token::Name(_)
            | Token::Number(_)
            | Token::Str(_)
            | Token::RPar
            | Token::RSqb
            | Token::RBrace
            | Token::True
            | Token::False
            | Token::None
            | Token::Ellipsis
    )
}

/// True for a token that can start an expression.
fn starts_expr(t: &Token) -> bool {
    matches!(
        t,
        Token::Name(_)
            | Token::Number(_)
            | Token::Str(_)
            | Token::LPar
            | Token::LSqb
            | Token::LBrace
            | Token::True
            | Token::False
            | Token::None
            | Token::Ellipsis
            | Token::Not
            | Token::Lambda
            | Token::Await
            | Token::Tilde
    )
}

/// The tokens of the logical line that contains offset `at`, up to it.
fn line_tokens(text: &str, at: usize, place: Where) -> Vec<Spanned> {
    let (src, base, mode) = match place {
        Where::FString(span) => (
            &text[span.start as usize..span.end as usize],
            span.start as usize,
            LexMode::Nested,
        ),
        Where::Eval => (text, 0, LexMode::Eval),
        Where::File => (text, 0, LexMode::File),
    };
    let mut line = Vec::new();
    for item in Tokens::new(src, base, mode) {
        let Ok(tok) = item else { break };
        if tok.0 >= at && !(tok.0 == at && tok.2 == at && matches!(tok.1, Token::Dedent)) {
            break;
        }
        match tok.1 {
            Token::Newline | Token::Indent | Token::Dedent => line.clear(),
            _ => line.push(tok),
        }
    }
    line
}

/// The header line (before the last `Newline` ahead of `at`) whose block
/// is missing.
fn header_before(text: &str, at: usize) -> Option<(Token, usize)> {
    let mut current: Vec<Spanned> = Vec::new();
    let mut last_line: Vec<Spanned> = Vec::new();
    for item in Tokens::new(text, 0, LexMode::File) {
        let Ok(tok) = item else { break };
        if tok.0 >= at && !matches!(tok.1, Token::Newline) {
            break;
        }
        match tok.1 {
            Token::Newline => last_line = std::mem::take(&mut current),
            Token::Indent | Token::Dedent => current.clear(),
            _ => current.push(tok),
        }
    }
    let mut toks = last_line.into_iter();
    let (start, first, _) = toks.next()?;
    let first = match first {
        Token::Async => toks.next().map(|t| t.1)?,
        t => t,
    };
    Some((first, start))
}

fn block_owner(t: &Token) -> Option<&'static str> {
    Some(match t {
        Token::If => "'if' statement",
        Token::Elif => "'elif' statement",
        Token::Else => "'else' statement",
        Token::While => "'while' statement",
        Token::For => "'for' statement",
        Token::With => "'with' statement",
        Token::Try => "'try' statement",
        Token::Except => "'except' statement",
        Token::Finally => "'finally' statement",
        Token::Def => "function definition",
        Token::Class => "class definition",
        _ => return None,
    })
}

fn line_of(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

fn name_is(t: &Token, s: &str) -> bool {
    matches!(t, Token::Name(n) if &**n == s)
}

/// The error for an unexpected token `tok` (None: end of input) at `l`.
fn unexpected(
    text: &str,
    tok: Option<Token>,
    l: usize,
    expected: &[String],
    place: Where,
) -> CompileError {
    let tok_span = match &tok {
        Some(_) => Span::default(),
        None => Span::new(l, l),
    };
    if matches!(tok, Some(Token::Indent)) {
        return CompileError::indentation("unexpected indent", tok_span);
    }
    if has(expected, "Indent") && matches!(place, Where::File) {
        if let Some((first, start)) = header_before(text, l) {
            if let Some(what) = block_owner(&first) {
                let line = line_of(text, start);
                return CompileError::indentation(
                    format!("expected an indented block after {what} on line {line}"),
                    tok_span,
                );
            }
        }
    }
    let line = line_tokens(text, l, place);
    let first = line.first().map(|t| &t.1);
    let prev = line.last().map(|t| &t.1);
    let line_start = line.first().map_or(l, |t| t.0);

    // Constructs outside the subset that CPython would parse.
    if let Some(first) = first {
        let line_end_colon = logical_line_ends_with_colon(text, l, place);
        if name_is(first, "match")
            && (line.len() == 1 || line_end_colon)
            && !matches!(tok, Some(Token::Assign))
        {
            return CompileError::unsupported(
                "match statements",
                Span::new(line_start, line_start + 5),
            );
        }
        if name_is(first, "type") && line.len() == 1 && matches!(tok, Some(Token::Name(_))) {
            return CompileError::unsupported(
                "type aliases (the type statement)",
                Span::new(line_start, line_start + 4),
            );
        }
    }
    if matches!(tok, Some(Token::LSqb)) && line.len() >= 2 {
        let n = line.len();
        if matches!(line[n - 1].1, Token::Name(_))
            && matches!(line[n - 2].1, Token::Def | Token::Class)
        {
            return CompileError::unsupported(
                "type parameters (PEP 695 generics)",
                Span::new(l, l + 1),
            );
        }
    }

    let depth_brackets = open_brackets(&line);
    let in_brackets = !depth_brackets.is_empty() || matches!(place, Where::FString(_));
    if matches!(tok, Some(Token::Assign)) {
        let cond_stmt = matches!(first, Some(Token::If | Token::Elif | Token::While))
            && depth_brackets.is_empty();
        let in_display =
            matches!(depth_brackets.last(), Some(Token::LSqb | Token::LBrace)) || in_group(&line);
        if cond_stmt || in_display {
            return CompileError::syntax(
                "invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
                tok_span,
            );
        }
    }
    if has(expected, &quoted(":")) && !has(expected, &quoted(","))
        || has(expected, &quoted(":")) && matches!(tok, Some(Token::Newline))
    {
        let forced = matches!(prev, Some(Token::Else | Token::Try | Token::Finally))
            || matches!(first, Some(Token::Def)) && depth_brackets.is_empty();
        let header = matches!(
            first,
            Some(
                Token::If
                    | Token::Elif
                    | Token::While
                    | Token::For
                    | Token::With
                    | Token::Class
                    | Token::Def
                    | Token::Async
                    | Token::Except
                    | Token::Try
                    | Token::Else
                    | Token::Finally
            )
        );
        if header && (matches!(tok, Some(Token::Newline)) || forced) {
            return CompileError::syntax("expected ':'", tok_span);
        }
    }
    if has(expected, &quoted("("))
        && line.len() >= 2
        && matches!(line[line.len() - 2].1, Token::Def)
    {
        return CompileError::syntax("expected '('", tok_span);
    }
    if let (Some(f), Some(t)) = (first, &tok) {
        if line.len() == 1 && (name_is(f, "print") || name_is(f, "exec")) && starts_expr(t) {
            let Token::Name(n) = f else { unreachable!() };
            let end = logical_line_end(text, l);
            return CompileError::syntax(
                format!("Missing parentheses in call to '{n}'. Did you mean {n}(...)?"),
                Span::new(line_start, end),
            );
        }
    }
    if let Some(e) = parameter_mistake(&line, tok.as_ref(), prev, tok_span) {
        return e;
    }
    if matches!(tok, Some(Token::ColonEqual)) {
        let what = match prev {
            Some(Token::True) => Some("True"),
            Some(Token::False) => Some("False"),
            Some(Token::None) => Some("None"),
            _ => None,
        };
        if let Some(what) = what {
            return CompileError::syntax(
                format!("cannot use assignment expressions with {what}"),
                tok_span,
            );
        }
    }
    if matches!(tok, Some(Token::For))
        && matches!(depth_brackets.last(), Some(Token::LSqb | Token::LBrace))
        && comma_at_innermost(&line)
    {
        return CompileError::syntax(
            "did you forget parentheses around the comprehension target?",
            tok_span,
        );
    }
    if matches!(tok, Some(Token::Newline | Token::Semi))
        && matches!(prev, Some(Token::Comma))
        && matches!(first, Some(Token::From))
        && depth_brackets.is_empty()
        && line.iter().any(|t| matches!(t.1, Token::Import))
    {
        return CompileError::syntax(
            "trailing comma not allowed without surrounding parentheses",
            tok_span,
        );
    }
    if has(expected, &quoted("else"))
        && !matches!(tok, Some(Token::Colon))
        && line.iter().skip(1).any(|t| matches!(t.1, Token::If))
    {
        let start = line
            .iter()
            .find(|t| !matches!(t.1, Token::Name(_) | Token::Assign))
            .map_or(line_start, |_| line_start);
        return CompileError::syntax("expected 'else' after 'if' expression", Span::new(start, l));
    }
    if has(expected, &quoted("except")) && has(expected, &quoted("finally")) {
        return CompileError::syntax("expected 'except' or 'finally' block", tok_span);
    }
    if let (Some(p), Some(t)) = (prev, &tok) {
        let in_params = in_def_params(&line);
        let in_comprehension = line.iter().any(|t| matches!(t.1, Token::For));
        let legacy = matches!(p, Token::Name(_)) && matches!(t, Token::Str(_));
        if in_brackets
            && ends_expr(p)
            && starts_expr(t)
            && !in_params
            && !in_comprehension
            && !legacy
        {
            let start = line.last().map_or(l, |x| x.0);
            return CompileError::syntax(
                "invalid syntax. Perhaps you forgot a comma?",
                Span::new(expr_start(&line).unwrap_or(start), l + 1),
            );
        }
    }
    // Generic: a tokenizer error later in the file takes precedence.
    if matches!(place, Where::File) {
        if let Some(Err(e)) = Tokens::new(text, 0, LexMode::File).find(|r| r.is_err()) {
            return *e;
        }
    }
    CompileError::syntax("invalid syntax", tok_span)
}

/// The brackets open at the end of `line` (innermost last).
fn open_brackets(line: &[Spanned]) -> Vec<Token> {
    let mut stack = Vec::new();
    for (_, t, _) in line {
        if t.is_open_bracket() {
            stack.push(t.clone());
        } else if t.is_close_bracket() {
            stack.pop();
        }
    }
    stack
}

/// Start of the last expression-ish run of tokens before the error (for
/// the span of "Perhaps you forgot a comma?").
fn expr_start(line: &[Spanned]) -> Option<usize> {
    let mut depth = 0i32;
    let mut start = None;
    for (l, t, _) in line.iter().rev() {
        if t.is_close_bracket() {
            depth += 1;
        } else if t.is_open_bracket() {
            if depth == 0 {
                break;
            }
            depth -= 1;
        } else if depth == 0 && matches!(t, Token::Comma | Token::Colon | Token::Assign) {
            break;
        }
        start = Some(*l);
    }
    start
}

/// True when the innermost open bracket is a `def`'s parameter list.
fn in_def_params(line: &[Spanned]) -> bool {
    let mut stack: Vec<usize> = Vec::new();
    for (i, (_, t, _)) in line.iter().enumerate() {
        if t.is_open_bracket() {
            stack.push(i);
        } else if t.is_close_bracket() {
            stack.pop();
        }
    }
    match stack.last() {
        Some(&i) if i >= 2 => {
            matches!(line[i - 2].1, Token::Def) && matches!(line[i].1, Token::LPar)
        }
        _ => false,
    }
}

/// Byte offset of the end of the logical line containing `at`.
fn logical_line_end(text: &str, at: usize) -> usize {
    for item in Tokens::new(text, 0, LexMode::File) {
        match item {
            Ok((l, Token::Newline, _)) if l >= at => return l,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    text.len()
}

/// True when the logical line containing `at` ends with `:`.
fn logical_line_ends_with_colon(text: &str, at: usize, place: Where) -> bool {
    if !matches!(place, Where::File) {
        return false;
    }
    let mut prev: Option<Token> = None;
    for item in Tokens::new(text, 0, LexMode::File) {
        match item {
            Ok((l, Token::Newline, _)) if l >= at => return matches!(prev, Some(Token::Colon)),
            Ok((_, t, _)) => prev = Some(t),
            Err(_) => break,
        }
    }
    false
}

/// Adds a help line to the errors where a hint helps.
pub(super) fn add_help(e: CompileError) -> CompileError {
    if e.help.is_some() {
        return e;
    }
    let m = e.message.as_str();
    let help = if m == "expected ':'" {
        "a compound statement's header ends with ':'"
    } else if m.ends_with("Perhaps you forgot a comma?") {
        "separate the items with ','"
    } else if m.starts_with("unterminated string literal") {
        "close the string with the quote it starts with, on the same line"
    } else if m.starts_with("unterminated triple-quoted") {
        "close the string with the same three quotes"
    } else if m.ends_with("was never closed") {
        "add the matching closing bracket"
    } else if m.starts_with("inconsistent use of tabs") {
        "indent with spaces only (tabs count as up to 8 columns)"
    } else if m.starts_with("unindent does not match") {
        "dedent to the column of an enclosing block"
    } else if m.starts_with("expected an indented block") {
        "indent the body of the block (4 spaces by convention)"
    } else if m == "unexpected indent" {
        "this line is indented more than the block it belongs to"
    } else if m == "'await' outside async function" || m.ends_with("outside async function") {
        "declare the enclosing function with 'async def'"
    } else if m.starts_with("invalid character") || m.starts_with("invalid non-printable") {
        "outside strings and comments, code is made of ASCII punctuation and identifiers"
    } else if m.contains("Maybe you meant '==' or ':=' instead of '='?") {
        "use '==' to compare, ':=' to assign inside an expression"
    } else if m.starts_with("aspy does not support") {
        "aspy runs a subset of Python 3.11; this construct is outside it"
    } else {
        return e;
    };
    e.with_help(help)
}

/// True when the innermost open bracket is a parenthesized group (not a
/// call, not a `def`'s parameters).
fn in_group(line: &[Spanned]) -> bool {
    let mut stack: Vec<usize> = Vec::new();
    for (i, (_, t, _)) in line.iter().enumerate() {
        if t.is_open_bracket() {
            stack.push(i);
        } else if t.is_close_bracket() {
            stack.pop();
        }
    }
    match stack.last() {
        Some(&i) if matches!(line[i].1, Token::LPar) => i == 0 || !ends_expr(&line[i - 1].1),
        _ => false,
    }
}

/// True when a comma appears directly inside the innermost open bracket.
fn comma_at_innermost(line: &[Spanned]) -> bool {
    let mut depth = 0i32;
    for (_, t, _) in line.iter().rev() {
        if t.is_close_bracket() {
            depth += 1;
        } else if t.is_open_bracket() {
            if depth == 0 {
                return false;
            }
            depth -= 1;
        } else if depth == 0 && matches!(t, Token::Comma) {
            return true;
        }
    }
    false
}

/// True inside a `lambda`'s parameter list.
fn in_lambda_params(line: &[Spanned]) -> bool {
    let mut open = 0;
    for (_, t, _) in line {
        match t {
            Token::Lambda => open += 1,
            Token::Colon if open > 0 => open -= 1,
            _ => {}
        }
    }
    open > 0
}

/// CPython's messages for malformed parameter lists.
fn parameter_mistake(
    line: &[Spanned],
    tok: Option<&Token>,
    prev: Option<&Token>,
    span: Span,
) -> Option<CompileError> {
    if !in_def_params(line) && !in_lambda_params(line) {
        return None;
    }
    let tok = tok?;
    if matches!(tok, Token::Star) && matches!(prev, Some(Token::Slash)) {
        return Some(CompileError::syntax("expected comma between / and *", span));
    }
    if matches!(tok, Token::Comma | Token::RPar | Token::Colon)
        && matches!(prev, Some(Token::Assign))
    {
        return Some(CompileError::syntax(
            "expected default value expression",
            span,
        ));
    }
    if matches!(tok, Token::Assign) {
        // The current item: back to the last `,` or `(` at this depth.
        let mut depth = 0i32;
        let mut item_start = None;
        for (i, (_, t, _)) in line.iter().enumerate().rev() {
            if t.is_close_bracket() {
                depth += 1;
            } else if t.is_open_bracket() {
                if depth == 0 {
                    item_start = Some(i + 1);
                    break;
                }
                depth -= 1;
            } else if depth == 0 && matches!(t, Token::Comma | Token::Lambda) {
                item_start = Some(i + 1);
                break;
            }
        }
        if let Some(i) = item_start {
            if matches!(line.get(i).map(|t| &t.1), Some(Token::Star)) {
                return Some(CompileError::syntax(
                    "var-positional argument cannot have default value",
                    span,
                ));
            }
        }
    }
    None
}
