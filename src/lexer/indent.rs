//! The layer between the logos automaton and the parser: turns physical
//! lines into logical lines and indentation into `Indent`/`Dedent` tokens.
//!
//! State: the indentation stack (column with tabs to multiples of 8, plus
//! the "alternate" column with tabs counted as 1 that CPython uses to detect
//! ambiguous tab use), the stack of open brackets (newlines inside brackets
//! are ignored), and a queue of pending tokens (the `Dedent`s and the real
//! token that a line start produces).
//!
//! Invariants, as in CPython's tokenizer: blank and comment-only lines
//! produce nothing; the stream ends with `Newline` (when the last logical
//! line is not empty) and one `Dedent` per open indentation level; at most
//! 200 nested brackets and 99 indentation levels. It also bounds how deeply
//! the AST can nest (see [`MAX_NESTING`]), so that nothing downstream (the
//! checks, the compiler, dropping the tree) can overflow the stack.

use super::token::{invalid_character, RawError, Token};
use crate::diagnostics::CompileError;
use crate::span::Span;
use std::collections::VecDeque;

/// What is being lexed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LexMode {
    /// A module: logical lines, indentation.
    File,
    /// One expression (`eval`): newlines end it, indentation is ignored.
    Eval,
    /// The inside of brackets (an f-string's expression): no newlines.
    Nested,
}

/// Most nested brackets, as CPython's tokenizer (`MAXLEVEL`).
pub const MAX_BRACKETS: usize = 200;
/// Most indentation levels, as CPython's tokenizer (`MAXINDENT`).
pub const MAX_INDENT: usize = 100;
/// Bound on the operators, brackets and keywords that can nest inside one
/// another in one expression, and on `elif` chains (each `elif` nests one
/// `If` in the previous one). CPython itself gives up near 3,000 levels
/// ("RecursionError: maximum recursion depth exceeded during compilation");
/// aspy refuses a little earlier, with a located error, and the bound keeps
/// every recursive walk of the AST well within the main thread's stack.
pub const MAX_NESTING: u32 = 1000;

/// A spanned token, as the parser wants it.
pub type Spanned = (usize, Token, usize);

/// One item of the token stream. The error is boxed so that an item is 32
/// bytes, a token and its span: items are moved through the stream's
/// layers and into the parser for every token, and errors are rare.
pub type LexItem = Result<Spanned, Box<CompileError>>;

const _: () = assert!(std::mem::size_of::<Option<LexItem>>() == 32);

#[derive(Clone, Copy)]
struct IndentLevel {
    col: usize,
    alt: usize,
    /// `elif`s in a row at this level (each nests one level deeper).
    elifs: u32,
}

/// One level of the nesting estimate: a bracket, a `lambda` parameter
/// list, or the logical line itself.
#[derive(Clone, Copy, Default)]
struct NestLevel {
    cur: u32,
    max: u32,
    lambda: bool,
}

/// The token stream of one source text.
pub struct Tokens<'a> {
    raw: logos::Lexer<'a, Token>,
    src: &'a str,
    /// Added to every offset (the text may be a piece of a larger file).
    base: usize,
    mode: LexMode,
    pending: VecDeque<Spanned>,
    indents: Vec<IndentLevel>,
    elifs_total: u32,
    brackets: Vec<(u8, usize)>,
    nest: Vec<NestLevel>,
    /// No token yet on the current logical line.
    at_line_start: bool,
    /// Offset where the current physical line starts.
    line_start: usize,
    done: bool,
}

impl<'a> Tokens<'a> {
    /// Tokens of `src`, whose first byte is at offset `base` of the file.
    pub fn new(src: &'a str, base: usize, mode: LexMode) -> Self {
        let mut raw = logos::Lexer::new(src);
        let mut line_start = 0;
        if src.starts_with('\u{feff}') {
            raw.bump(3);
            line_start = 3;
        }
        Tokens {
            raw,
            src,
            base,
            mode,
            pending: VecDeque::new(),
            indents: vec![IndentLevel {
                col: 0,
                alt: 0,
                elifs: 0,
            }],
            elifs_total: 0,
            brackets: Vec::new(),
            nest: vec![NestLevel::default()],
            at_line_start: true,
            line_start,
            done: false,
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + start, self.base + end)
    }

    fn err_syntax(&mut self, msg: impl Into<String>, start: usize, end: usize) -> CompileError {
        self.done = true;
        CompileError::syntax(msg, self.span(start, end))
    }

    /// Measures the indentation of the line starting at `self.line_start`
    /// up to `upto`: (column, alternate column).
    fn measure(&self, upto: usize) -> (usize, usize) {
        let (mut col, mut alt) = (0, 0);
        for &b in &self.src.as_bytes()[self.line_start..upto] {
            match b {
                b' ' => {
                    col += 1;
                    alt += 1;
                }
                b'\t' => {
                    col = (col / 8 + 1) * 8;
                    alt += 1;
                }
                b'\x0c' => {
                    col = 0;
                    alt = 0;
                }
                _ => break,
            }
        }
        (col, alt)
    }

    /// The first token of a logical line: emits Indent/Dedent as needed.
    fn line_start_tokens(&mut self, start: usize, first: &Token) -> Result<(), CompileError> {
        let (col, alt) = self.measure(start);
        let top = *self.indents.last().unwrap_or(&IndentLevel {
            col: 0,
            alt: 0,
            elifs: 0,
        });
        let tab_error = |s: &Self| {
            CompileError::tab(
                "inconsistent use of tabs and spaces in indentation",
                s.span(s.line_start, start),
            )
        };
        if col == top.col {
            if alt != top.alt {
                self.done = true;
                return Err(tab_error(self));
            }
        } else if col > top.col {
            if self.indents.len() >= MAX_INDENT {
                self.done = true;
                return Err(CompileError::indentation(
                    "too many levels of indentation",
                    self.span(self.line_start, start),
                ));
            }
            if alt <= top.alt {
                self.done = true;
                return Err(tab_error(self));
            }
            self.indents.push(IndentLevel { col, alt, elifs: 0 });
            self.pending.push_back((
                self.base + self.line_start,
                Token::Indent,
                self.base + start,
            ));
        } else {
            while self.indents.len() > 1 && col < self.indents.last().map_or(0, |l| l.col) {
                if let Some(l) = self.indents.pop() {
                    self.elifs_total -= l.elifs;
                }
                self.pending
                    .push_back((self.base + start, Token::Dedent, self.base + start));
            }
            let top = *self.indents.last().unwrap_or(&IndentLevel {
                col: 0,
                alt: 0,
                elifs: 0,
            });
            if col != top.col {
                self.done = true;
                return Err(CompileError::indentation(
                    "unindent does not match any outer indentation level",
                    self.span(self.line_start, start),
                ));
            }
            if alt != top.alt {
                self.done = true;
                return Err(tab_error(self));
            }
        }
        // Track elif chains at this level.
        if let Some(level) = self.indents.last_mut() {
            if *first == Token::Elif {
                level.elifs += 1;
                self.elifs_total += 1;
                if self.elifs_total > MAX_NESTING {
                    let end = start + 4;
                    return Err(self.err_syntax(
                        format!(
                            "aspy does not support more than {MAX_NESTING} nested elif branches"
                        ),
                        start,
                        end,
                    ));
                }
            } else {
                self.elifs_total -= level.elifs;
                level.elifs = 0;
            }
        }
        Ok(())
    }

    /// Updates the nesting estimate with one token; errors when too deep.
    fn nest(&mut self, tok: &Token, start: usize, end: usize) -> Result<(), CompileError> {
        use Token::*;
        let add = match tok {
            LPar | LSqb | LBrace => {
                self.nest.push(NestLevel::default());
                return Ok(());
            }
            RPar | RSqb | RBrace => {
                // Pop up to and including the bracket's level.
                let mut inner = 0;
                while self.nest.len() > 1 {
                    let l = self.nest.pop().unwrap_or_default();
                    inner = inner.max(l.cur.max(l.max)) + 2;
                    if !l.lambda {
                        break;
                    }
                }
                inner
            }
            Lambda => {
                self.nest.push(NestLevel {
                    lambda: true,
                    ..NestLevel::default()
                });
                return Ok(());
            }
            Colon if self.nest.last().is_some_and(|l| l.lambda) && self.nest.len() > 1 => {
                let l = self.nest.pop().unwrap_or_default();
                l.cur.max(l.max) + 2
            }
            Comma | Assign | Semi | Newline | PlusEqual | MinusEqual | StarEqual | SlashEqual
            | DoubleSlashEqual | PercentEqual | DoubleStarEqual | AtEqual | LShiftEqual
            | RShiftEqual | AmperEqual | VBarEqual | CaretEqual => {
                if let Some(l) = self.nest.last_mut() {
                    l.max = l.max.max(l.cur);
                    l.cur = 0;
                }
                return Ok(());
            }
            Name(_) | Number(_) | Str(_) | None | True | False | Ellipsis | Colon => return Ok(()),
            _ => 1,
        };
        if let Some(l) = self.nest.last_mut() {
            l.cur += add;
            if l.cur > MAX_NESTING {
                return Err(self.err_syntax(
                    format!("aspy does not support expressions nested more than {MAX_NESTING} levels deep"),
                    start,
                    end,
                ));
            }
        }
        Ok(())
    }

    /// Handles a bracket token: depth limit and matching.
    fn bracket(&mut self, tok: &Token, start: usize) -> Result<(), CompileError> {
        let c = match tok {
            Token::LPar => b'(',
            Token::LSqb => b'[',
            Token::LBrace => b'{',
            Token::RPar => b')',
            Token::RSqb => b']',
            _ => b'}',
        };
        if tok.is_open_bracket() {
            if self.brackets.len() >= MAX_BRACKETS {
                return Err(self.err_syntax("too many nested parentheses", start, start + 1));
            }
            self.brackets.push((c, start));
            return Ok(());
        }
        let Some((open, open_pos)) = self.brackets.pop() else {
            return Err(self.err_syntax(format!("unmatched '{}'", c as char), start, start + 1));
        };
        let want = match open {
            b'(' => b')',
            b'[' => b']',
            _ => b'}',
        };
        if c != want {
            let line = |p: usize| {
                self.src.as_bytes()[..p]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
            };
            let msg = if line(open_pos) != line(start) {
                let abs_line = self.base_line() + line(open_pos) + 1;
                format!(
                    "closing parenthesis '{}' does not match opening parenthesis '{}' on line {abs_line}",
                    c as char, open as char
                )
            } else {
                format!(
                    "closing parenthesis '{}' does not match opening parenthesis '{}'",
                    c as char, open as char
                )
            };
            return Err(self.err_syntax(msg, start, start + 1));
        }
        Ok(())
    }

    /// Line offset of this text within its file (0 for a whole file; f-string
    /// pieces are single-line in practice, so 0 is a fine approximation).
    fn base_line(&self) -> usize {
        0
    }

    /// The end of input: a final newline, dedents, or an unclosed bracket.
    fn finish(&mut self) -> Option<LexItem> {
        self.done = true;
        let end = self.src.len();
        if let Some(&(c, pos)) = self.brackets.last() {
            return Some(Err(Box::new(CompileError::syntax(
                format!("'{}' was never closed", c as char),
                self.span(pos, pos + 1),
            ))));
        }
        let end_abs = self.base + end;
        if self.mode == LexMode::File {
            if !self.at_line_start {
                self.pending.push_back((end_abs, Token::Newline, end_abs));
            }
            for _ in 1..self.indents.len() {
                self.pending.push_back((end_abs, Token::Dedent, end_abs));
            }
            self.indents.truncate(1);
        } else if self.mode == LexMode::Eval && !self.at_line_start {
            self.pending.push_back((end_abs, Token::Newline, end_abs));
        }
        self.pending.pop_front().map(Ok)
    }

    fn raw_error(&mut self, e: RawError, start: usize, end: usize) -> CompileError {
        self.done = true;
        match e {
            RawError::Error(e) => e.shifted(self.base as u32),
            RawError::Invalid => {
                let c = self.src[start..].chars().next().unwrap_or('\0');
                if c.is_ascii() && !c.is_ascii_control() {
                    // `$`, `?`, `` ` ``: CPython's parser rejects the token.
                    return CompileError::syntax("invalid syntax", self.span(start, start + 1));
                }
                invalid_character(c, self.span(start, end.max(start + c.len_utf8())))
            }
        }
    }

    fn next_token(&mut self) -> Option<LexItem> {
        loop {
            if let Some(t) = self.pending.pop_front() {
                return Some(Ok(t));
            }
            if self.done {
                return None;
            }
            let Some(res) = self.raw.next() else {
                return self.finish();
            };
            let r = self.raw.span();
            let (start, end) = (r.start, r.end);
            let tok = match res {
                Ok(t) => t,
                Err(e) => return Some(Err(Box::new(self.raw_error(e, start, end)))),
            };
            match tok {
                Token::Newline => {
                    let _ = self.nest(&Token::Newline, start, end);
                    if self.mode == LexMode::Nested || !self.brackets.is_empty() {
                        continue;
                    }
                    self.line_start = end;
                    if self.at_line_start {
                        continue;
                    }
                    self.at_line_start = true;
                    return Some(Ok((self.base + start, Token::Newline, self.base + end)));
                }
                Token::Backslash => {
                    let msg = if end == self.src.len() {
                        "unexpected EOF while parsing"
                    } else {
                        "unexpected character after line continuation character"
                    };
                    return Some(Err(Box::new(self.err_syntax(msg, start, end))));
                }
                _ => {}
            }
            if self.at_line_start {
                self.at_line_start = false;
                if self.mode == LexMode::File && self.brackets.is_empty() {
                    if let Err(e) = self.line_start_tokens(start, &tok) {
                        self.done = true;
                        return Some(Err(Box::new(e)));
                    }
                }
            }
            // Operands (most tokens) neither nest nor close anything.
            let mut tok = tok;
            match &mut tok {
                Token::Name(_) | Token::Number(_) => {}
                Token::Str(s) => {
                    if self.base != 0 {
                        if let super::StrToken::FString(pieces) = s.as_mut() {
                            super::strings::shift_pieces(pieces, self.base as u32);
                        }
                    }
                }
                _ => {
                    if tok.is_open_bracket() || tok.is_close_bracket() {
                        if let Err(e) = self.bracket(&tok, start) {
                            return Some(Err(Box::new(e)));
                        }
                    }
                    if let Err(e) = self.nest(&tok, start, end) {
                        return Some(Err(Box::new(e)));
                    }
                }
            }
            let item = (self.base + start, tok, self.base + end);
            if self.pending.is_empty() {
                return Some(Ok(item));
            }
            self.pending.push_back(item);
        }
    }
}

impl Iterator for Tokens<'_> {
    type Item = LexItem;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_token()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Token::*;

    fn kinds(src: &str) -> Vec<Token> {
        Tokens::new(src, 0, LexMode::File)
            .map(|r| r.map(|t| t.1).map_err(|e| e.message))
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
    }

    fn err(src: &str) -> CompileError {
        *Tokens::new(src, 0, LexMode::File)
            .find_map(|r| r.err())
            .expect("an error")
    }

    fn name(s: &str) -> Token {
        Name(s.into())
    }

    #[test]
    fn blocks_and_blank_lines() {
        let src = "if x:\n    y\n\n  # comment\n    z\nw\n";
        assert_eq!(
            kinds(src),
            vec![
                If,
                name("x"),
                Colon,
                Newline,
                Indent,
                name("y"),
                Newline,
                name("z"),
                Newline,
                Dedent,
                name("w"),
                Newline
            ]
        );
    }

    #[test]
    fn final_line_without_newline_and_dedents_at_eof() {
        assert_eq!(
            kinds("if x:\n  if y:\n    z"),
            vec![
                If,
                name("x"),
                Colon,
                Newline,
                Indent,
                If,
                name("y"),
                Colon,
                Newline,
                Indent,
                name("z"),
                Newline,
                Dedent,
                Dedent
            ]
        );
        assert_eq!(kinds(""), vec![]);
        assert_eq!(kinds("# only a comment\n\n"), vec![]);
    }

    #[test]
    fn brackets_join_lines_and_continuations() {
        assert_eq!(
            kinds("(a,\n   b)\n"),
            vec![LPar, name("a"), Comma, name("b"), RPar, Newline]
        );
        assert_eq!(kinds("a = \\\n  1\n").len(), 4);
        assert_eq!(
            kinds("a\r\nb\r\n"),
            vec![name("a"), Newline, name("b"), Newline]
        );
    }

    #[test]
    fn tabs_count_to_multiples_of_eight() {
        // A tab and eight spaces are the same column, but ambiguous.
        assert_eq!(
            err("if x:\n\ty\n        z\n").kind,
            crate::diagnostics::ErrorKind::Tab
        );
        // Consistent tabs are fine.
        assert_eq!(kinds("if x:\n\ty\n\tz\n").len(), 10);
        // A form feed resets the column.
        assert_eq!(
            kinds("x\n\x0cy\n"),
            vec![name("x"), Newline, name("y"), Newline]
        );
    }

    #[test]
    fn indentation_errors() {
        assert_eq!(
            err("if 1:\n  x\n y\n").message,
            "unindent does not match any outer indentation level"
        );
        let mut deep = String::new();
        for i in 0..101 {
            deep.push_str(&" ".repeat(i));
            deep.push_str("if x:\n");
        }
        assert_eq!(err(&deep).message, "too many levels of indentation");
    }

    #[test]
    fn bracket_errors() {
        assert_eq!(err(")").message, "unmatched ')'");
        assert_eq!(
            err("(]").message,
            "closing parenthesis ']' does not match opening parenthesis '('"
        );
        assert_eq!(
            err("(\n]").message,
            "closing parenthesis ']' does not match opening parenthesis '(' on line 1"
        );
        assert_eq!(err("x = [1, 2").message, "'[' was never closed");
        assert_eq!(err(&"(".repeat(201)).message, "too many nested parentheses");
        assert_eq!(
            kinds(&format!("{}x{}", "(".repeat(200), ")".repeat(200))).len(),
            402
        );
    }

    #[test]
    fn nesting_bound() {
        let ok = format!("{}x\n", "-".repeat(900));
        assert!(Tokens::new(&ok, 0, LexMode::File).all(|r| r.is_ok()));
        let deep = format!("{}x\n", "-".repeat(100_000));
        assert!(err(&deep).message.contains("nested more than"));
        let add = format!("{}\n", vec!["a"; 100_000].join("+"));
        assert!(err(&add).message.contains("nested more than"));
        // Long flat displays are fine: commas reset the estimate.
        let flat = format!("x = [{}]\n", vec!["-1"; 100_000].join(", "));
        assert!(Tokens::new(&flat, 0, LexMode::File).all(|r| r.is_ok()));
        let lambdas = format!("{}x\n", "lambda a, b: ".repeat(2000));
        assert!(err(&lambdas).message.contains("nested more than"));
        let elifs = format!("if x: pass\n{}", "elif x: pass\n".repeat(2000));
        assert!(err(&elifs).message.contains("elif"));
    }
}
