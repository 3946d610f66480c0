//! Compile-time diagnostics: the one error type of the front end and the
//! compiler, and its rendering.
//!
//! A [`CompileError`] is what the lexer, the parser, the compile-time checks
//! and the compiler return: a kind (printed as `SyntaxError`,
//! `IndentationError` or `TabError`, as CPython does), a message, the span it
//! is about and an optional help line. [`CompileError::render`] turns it into
//! a miette report (file, line:column, the source line, a label under the
//! span, the help) followed by one last line that is exactly what CPython
//! prints as the last line of stderr, e.g. `SyntaxError: expected ':'`.
//!
//! Rendering is deterministic: a fixed width and a colourless theme, so the
//! text is the same on a terminal, in a pipe and in snapshot tests.

use crate::span::{SourceFile, Span};
use std::fmt;

/// The Python exception class a compile error is reported as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `SyntaxError`.
    Syntax,
    /// `IndentationError` (a subclass of `SyntaxError` in Python).
    Indentation,
    /// `TabError` (a subclass of `IndentationError`).
    Tab,
}

impl ErrorKind {
    /// The exception class name, as printed by CPython.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "SyntaxError",
            ErrorKind::Indentation => "IndentationError",
            ErrorKind::Tab => "TabError",
        }
    }
}

/// An error found before the program runs: syntax, indentation, an
/// unsupported construct, or a compile-time check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    pub kind: ErrorKind,
    /// The message exactly as CPython words it (without the class name).
    pub message: String,
    /// The source the error is about (may be empty: a point).
    pub span: Span,
    /// An extra hint shown under the report; never part of the last line.
    pub help: Option<String>,
}

/// Result of a front-end stage.
pub type CompileResult<T> = Result<T, CompileError>;

impl CompileError {
    /// A `SyntaxError` with `msg` at `span`.
    #[cold]
    pub fn syntax(msg: impl Into<String>, span: Span) -> Self {
        CompileError {
            kind: ErrorKind::Syntax,
            message: msg.into(),
            span,
            help: None,
        }
    }

    /// An `IndentationError` with `msg` at `span`.
    #[cold]
    pub fn indentation(msg: impl Into<String>, span: Span) -> Self {
        CompileError {
            kind: ErrorKind::Indentation,
            message: msg.into(),
            span,
            help: None,
        }
    }

    /// A `TabError` with `msg` at `span`.
    #[cold]
    pub fn tab(msg: impl Into<String>, span: Span) -> Self {
        CompileError {
            kind: ErrorKind::Tab,
            message: msg.into(),
            span,
            help: None,
        }
    }

    /// A `SyntaxError` for a construct outside aspy's subset:
    /// `aspy does not support <construct>`.
    #[cold]
    pub fn unsupported(construct: impl fmt::Display, span: Span) -> Self {
        CompileError::syntax(format!("aspy does not support {construct}"), span)
    }

    /// The same error with a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same error with its span moved right by `offset` bytes (for
    /// errors found while parsing a piece of a larger text).
    pub fn shifted(mut self, offset: u32) -> Self {
        self.span = self.span.shifted(offset);
        self
    }

    /// The last line CPython prints for this error, e.g.
    /// `SyntaxError: expected ':'`.
    pub fn last_line(&self) -> String {
        format!("{}: {}", self.kind.name(), self.message)
    }

    /// The full report: a miette rendering of the error in `src`, then the
    /// CPython-style last line. Ends with a newline.
    pub fn render(&self, src: &SourceFile) -> String {
        let mut out = String::new();
        let report = Report::new(self, src);
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(100)
                .with_links(false);
        if handler.render_report(&mut out, &report).is_err() {
            out.clear();
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&self.last_line());
        out.push('\n');
        out
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for CompileError {}

/// The adapter miette renders: the error plus the source it points into.
struct Report<'a> {
    err: &'a CompileError,
    source: miette::NamedSource<String>,
    label: String,
    span: miette::SourceSpan,
}

impl<'a> Report<'a> {
    fn new(err: &'a CompileError, src: &SourceFile) -> Self {
        let len = src.text.len();
        let start = (err.span.start as usize).min(len);
        let end = (err.span.end as usize).clamp(start, len);
        // Labels point at what the message is about; an IndentationError
        // reads better with the short form of the message under the line.
        let label = match err.message.split_once(" (detected at") {
            Some((head, _)) => head.to_string(),
            None => err.message.clone(),
        };
        Report {
            err,
            source: miette::NamedSource::new(src.name.clone(), src.text.clone()),
            label,
            span: (start, end - start).into(),
        }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.err, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.err.kind.name(), self.err.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some(self.label.clone()), self.span),
        )))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.err
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_ends_with_cpython_line() {
        let src = SourceFile::new("t.aspy", "if x\n    pass\n");
        let err = CompileError::syntax("expected ':'", Span::new(4, 4));
        let text = err.render(&src);
        assert!(text.ends_with("SyntaxError: expected ':'\n"), "{text}");
        assert!(text.contains("t.aspy:1:5"), "{text}");
        assert!(text.contains("if x"), "{text}");
    }

    #[test]
    fn kinds_print_as_python_classes() {
        let e = CompileError::tab(
            "inconsistent use of tabs and spaces in indentation",
            Span::default(),
        );
        assert_eq!(
            e.last_line(),
            "TabError: inconsistent use of tabs and spaces in indentation"
        );
        let e = CompileError::unsupported("match statements", Span::default());
        assert_eq!(
            e.to_string(),
            "SyntaxError: aspy does not support match statements"
        );
    }
}
