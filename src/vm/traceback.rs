//! Rendering of an uncaught exception exactly as CPython 3.11's default
//! `sys.excepthook` prints it (`Python/pythonrun.c` and
//! `Python/traceback.c`, whose structure this file follows):
//!
//! - the chain first: a cause (`raise ... from`) or, unless suppressed, a
//!   context, each printed before the exception it led to, with CPython's
//!   linking sentences; an exception already printed is not repeated;
//! - `Traceback (most recent call last):`, then per frame `File ..., line
//!   N, in name`, the source line without its indentation, and under it
//!   3.11's position carets: `^` under the failing expression, with `~`
//!   and `^` splitting binary operations and subscripts (see
//!   [`CaretAnchor`]), left out when they would underline the whole line;
//!   more than three repeats of the same frame line collapse into
//!   `[Previous line repeated N more times]`;
//! - a `SyntaxError` shows its own location and source text;
//! - the summary `module.Qualname: str(exc)` (`<exception str() failed>`
//!   if `__str__` raises), a `Did you mean` suggestion for NameError and
//!   AttributeError, then the notes of `add_note`;
//! - exception groups nest in the `+-+---- 1 ----` box, at most 15
//!   members wide and 10 groups deep.

use super::exceptions::ExcKind;
use super::object::{Object, TraceEntry};
use super::value::Value;
use super::Vm;
use crate::bytecode::CaretAnchor;

/// Frames repeating the same line print this many times before collapsing.
const TB_RECURSIVE_CUTOFF: usize = 3;
/// Only the innermost frames of a longer traceback are shown.
const TRACEBACK_LIMIT: usize = 1000;
const MAX_GROUP_WIDTH: usize = 15;
const MAX_GROUP_DEPTH: usize = 10;
/// How deep chains and groups are followed (CPython stops at its
/// recursion limit); keeps a pathological chain from exhausting the stack.
const MAX_NESTING: usize = 900;

const CAUSE_MESSAGE: &str =
    "The above exception was the direct cause of the following exception:\n";
const CONTEXT_MESSAGE: &str =
    "During handling of the above exception, another exception occurred:\n";

impl Vm {
    /// The text CPython prints on stderr for the uncaught exception `exc`.
    pub fn format_exception(&mut self, exc: Value) -> String {
        let mark = self.temp_roots.len();
        self.temp_roots.push(exc);
        let mut p = Printer::default();
        p.print_recursive(self, exc);
        self.temp_roots.truncate(mark);
        p.out
    }

    /// The traceback of `exc` alone, without the exceptions chained to it
    /// (what CPython's default unraisable hook prints).
    pub fn format_exception_alone(&mut self, exc: Value) -> String {
        let mark = self.temp_roots.len();
        self.temp_roots.push(exc);
        let mut p = Printer::default();
        p.exception(self, exc);
        self.temp_roots.truncate(mark);
        p.out
    }

    /// The last line of a traceback: `Type: message` (or just `Type`).
    pub fn exception_summary(&mut self, exc: Value) -> String {
        let mut p = Printer::default();
        p.message(self, exc, exc);
        p.out
    }
}

/// CPython's `exception_print_context`, plus the output.
#[derive(Default)]
struct Printer {
    out: String,
    /// Nesting depth inside exception-group boxes.
    group_depth: usize,
    /// The box of the innermost group still needs its closing line.
    need_close: bool,
    /// Exceptions already printed (or being printed), by identity.
    seen: Vec<Value>,
    nesting: usize,
}

impl Printer {
    fn margin(&self) -> &'static str {
        if self.group_depth > 0 {
            "| "
        } else {
            ""
        }
    }

    fn indent(&self) -> usize {
        2 * self.group_depth
    }

    fn write_indent(&mut self) {
        let n = self.indent();
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    fn write_indented_margin(&mut self) {
        self.write_indent();
        self.out.push_str(self.margin());
    }

    fn print_recursive(&mut self, vm: &mut Vm, exc: Value) {
        if self.nesting >= MAX_NESTING {
            return;
        }
        self.nesting += 1;
        self.cause_and_context(vm, exc);
        if vm.is_exception_group(exc) {
            self.group(vm, exc);
        } else {
            self.exception(vm, exc);
        }
        self.nesting -= 1;
    }

    fn cause_and_context(&mut self, vm: &mut Vm, exc: Value) {
        self.seen.push(exc);
        vm.temp_roots.push(exc);
        let Some(d) = vm.exc_data(exc) else { return };
        let (cause, context, suppress) = (d.cause, d.context, d.suppress_context);
        if !cause.is_none() {
            if !self.was_seen(cause) {
                self.chained(vm, cause, CAUSE_MESSAGE);
            }
            return;
        }
        if !suppress && !context.is_none() && !self.was_seen(context) {
            self.chained(vm, context, CONTEXT_MESSAGE);
        }
    }

    fn was_seen(&self, exc: Value) -> bool {
        self.seen.iter().any(|s| s.is(exc))
    }

    fn chained(&mut self, vm: &mut Vm, exc: Value, message: &str) {
        let need_close = self.need_close;
        self.print_recursive(vm, exc);
        self.need_close = need_close;
        self.write_indented_margin();
        self.out.push('\n');
        self.write_indented_margin();
        self.out.push_str(message);
        self.write_indented_margin();
        self.out.push('\n');
    }

    /// One exception: traceback, summary line, notes.
    fn exception(&mut self, vm: &mut Vm, exc: Value) {
        vm.flush_stdout();
        self.traceback(vm, exc);
        match self.syntax_error_location(vm, exc) {
            Some(msg) => self.message(vm, exc, msg),
            None => {
                self.message(vm, exc, exc);
                if let Some(s) = super::suggestions::offer(vm, exc) {
                    self.out.push_str(". Did you mean: '");
                    self.out.push_str(&s);
                    self.out.push_str("'?");
                }
                self.out.push('\n');
                self.notes(vm, exc);
                return;
            }
        }
        self.out.push('\n');
    }

    fn traceback(&mut self, vm: &mut Vm, exc: Value) {
        let entries: Vec<TraceEntry> = match vm.exc_data(exc) {
            Some(d) if !d.traceback.is_empty() => d.traceback.clone(),
            _ => return,
        };
        let (header, header_margin) = if vm.is_exception_group(exc) {
            let m = if self.group_depth == 1 {
                "+ "
            } else {
                self.margin()
            };
            ("Exception Group Traceback (most recent call last):\n", m)
        } else {
            ("Traceback (most recent call last):\n", self.margin())
        };
        self.write_indent();
        self.out.push_str(header_margin);
        self.out.push_str(header);
        // Entries are recorded innermost first; print outermost first.
        let shown = entries.len().min(TRACEBACK_LIMIT);
        let mut last: Option<(&str, usize, &str)> = None;
        let mut count = 0;
        for e in entries[..shown].iter().rev() {
            let line = e.code.line_of(e.ip as usize);
            let key = (e.code.source.name.as_str(), line, &*e.code.name);
            if last != Some(key) {
                if count > TB_RECURSIVE_CUTOFF {
                    self.line_repeated(count);
                }
                last = Some(key);
                count = 0;
            }
            count += 1;
            if count <= TB_RECURSIVE_CUTOFF {
                self.frame_line(e, line);
            }
        }
        if count > TB_RECURSIVE_CUTOFF {
            self.line_repeated(count);
        }
    }

    /// Written without the group margin, as CPython 3.11 does.
    fn line_repeated(&mut self, count: usize) {
        let n = count - TB_RECURSIVE_CUTOFF;
        let times = if n > 1 { "times" } else { "time" };
        self.out
            .push_str(&format!("  [Previous line repeated {n} more {times}]\n"));
    }

    /// `  File "f", line N, in name`, the source line and its carets.
    fn frame_line(&mut self, e: &TraceEntry, line: usize) {
        self.write_indented_margin();
        self.out.push_str(&format!(
            "  File \"{}\", line {line}, in {}\n",
            e.code.source.name, e.code.name
        ));
        let source = &e.code.source;
        if line == 0 || line > source.line_count() || !has_readable_source(&source.name) {
            return;
        }
        let text = source.line_text(line);
        let stripped = text
            .chars()
            .take_while(|c| matches!(c, ' ' | '\t' | '\x0c'))
            .count();
        self.write_indented_margin();
        self.out.push_str("    ");
        self.out.push_str(&text[stripped..]);
        self.out.push('\n');
        if let Some(carets) = carets(e, line, text, stripped) {
            self.write_indented_margin();
            self.out.push_str(&carets);
            self.out.push('\n');
        }
    }

    /// For a SyntaxError with a line number: prints its `File ..., line N`
    /// and source text, and returns its `msg` (the summary shows that
    /// instead of `str(exc)`). CPython's `print_exception_file_and_line`.
    fn syntax_error_location(&mut self, vm: &mut Vm, exc: Value) -> Option<Value> {
        if !vm.exc_matches(exc, ExcKind::SyntaxError) {
            return None;
        }
        let field = |vm: &Vm, i: usize| match vm.exc_field(exc, i) {
            Value::Unbound => Value::None,
            v => v,
        };
        let Value::Int(lineno) = field(vm, 2) else {
            return None;
        };
        let msg = field(vm, 0);
        let filename = match vm.as_str(field(vm, 1)) {
            Some(f) => f.to_string(),
            None => "<string>".to_string(),
        };
        let offset = match field(vm, 3) {
            Value::Int(o) => o,
            _ => -1,
        };
        let exact = vm.class_of(exc) == vm.types.exc(ExcKind::SyntaxError);
        let (end_lineno, mut end_offset) = if exact {
            let end_line = match field(vm, 5) {
                Value::Int(l) => l,
                _ => lineno,
            };
            let end_off = match field(vm, 6) {
                Value::Int(o) => o,
                _ => -1,
            };
            (end_line, end_off)
        } else {
            (lineno, -1)
        };
        self.write_indented_margin();
        self.out
            .push_str(&format!("  File \"{filename}\", line {lineno}\n"));
        if let Some(text) = vm.as_str(field(vm, 4)).map(str::to_string) {
            let size = text.len() as i64;
            if end_lineno > lineno {
                end_offset = size;
            }
            end_offset = end_offset.min(size + 1);
            self.error_text(offset, end_offset, &text);
        }
        Some(msg)
    }

    /// CPython's `print_error_text`: the line of a SyntaxError and a caret
    /// line under the offending range (offsets are 1-based).
    fn error_text(&mut self, offset: i64, end_offset: i64, text: &str) {
        let repeat = if end_offset > 0 && end_offset > offset {
            end_offset - offset
        } else {
            1
        };
        let mut offset = offset - 1;
        let mut text = text;
        while let Some(rest) = text.strip_prefix([' ', '\t', '\x0c']) {
            text = rest;
            offset -= 1;
        }
        let len = text.strip_suffix('\n').unwrap_or(text).chars().count() as i64;
        offset = offset.min(len);
        // Skip to the line holding the offset in a multi-line text.
        while let Some(nl) = text.find('\n') {
            let inl = text[..nl].chars().count() as i64;
            if inl >= offset {
                break;
            }
            text = &text[nl + 1..];
            offset -= inl + 1;
        }
        self.out.push_str("    ");
        self.out.push_str(text);
        if !text.ends_with('\n') {
            self.out.push('\n');
        }
        if offset < 0 {
            return;
        }
        self.out.push_str("    ");
        self.out.extend(std::iter::repeat_n(' ', offset as usize));
        self.out.extend(std::iter::repeat_n('^', repeat as usize));
        self.out.push('\n');
    }

    /// `module.Qualname: str(value)` for the class of `exc`; `value` is
    /// the exception itself, or a SyntaxError's `msg`.
    fn message(&mut self, vm: &mut Vm, exc: Value, value: Value) {
        self.write_indented_margin();
        let cls = vm.class_of(exc);
        if let Object::Class(c) = vm.heap.get(cls) {
            let module = vm.as_str(c.module);
            match module {
                None => self.out.push_str("<unknown>."),
                Some("builtins" | "__main__") => {}
                Some(m) => {
                    self.out.push_str(m);
                    self.out.push('.');
                }
            }
            match vm.as_str(c.qualname) {
                Some(q) => self.out.push_str(q),
                None => self.out.push_str("<unknown>"),
            }
        }
        if value.is_none() {
            return;
        }
        match vm.str_value(value) {
            Ok(s) => {
                if !s.is_empty() {
                    self.out.push_str(": ");
                }
                self.out.push_str(&s);
            }
            Err(_) => self.out.push_str(": <exception str() failed>"),
        }
    }

    /// The `__notes__` of `exc`, one per line (CPython's
    /// `print_exception_notes`).
    fn notes(&mut self, vm: &mut Vm, exc: Value) {
        let key = Value::Obj(vm.intern("__notes__"));
        let Ok(Some(notes)) = vm.get_attr_opt(exc, key) else {
            return;
        };
        vm.temp_roots.push(notes);
        let items: Option<Vec<Value>> = match vm.as_str(notes) {
            Some(s) => {
                let chars: Vec<String> = s.chars().map(String::from).collect();
                Some(chars.into_iter().map(|c| vm.new_str(c)).collect())
            }
            None => vm.seq_items(notes).map(|s| s.to_vec()),
        };
        let Some(items) = items else {
            // CPython 3.11 writes no newline after this one.
            self.write_indented_margin();
            match vm.repr_value(notes) {
                Ok(r) => self.out.push_str(&r),
                Err(_) => self.out.push_str("<__notes__ repr() failed>"),
            }
            return;
        };
        for note in items {
            vm.temp_roots.push(note);
            match vm.str_value(note) {
                Ok(s) => {
                    for line in split_lines_keepends(&s) {
                        self.write_indented_margin();
                        self.out.push_str(line);
                    }
                }
                Err(_) => self.out.push_str("<note str() failed>"),
            }
            self.out.push('\n');
        }
    }

    /// An exception group: the group itself, then each member in its box.
    fn group(&mut self, vm: &mut Vm, exc: Value) {
        if self.group_depth > MAX_GROUP_DEPTH {
            self.write_indented_margin();
            self.out
                .push_str(&format!("... (max_group_depth is {MAX_GROUP_DEPTH})\n"));
            return;
        }
        if self.group_depth == 0 {
            self.group_depth += 1;
        }
        self.exception(vm, exc);
        let members = vm.group_exceptions(exc);
        let n = if members.len() <= MAX_GROUP_WIDTH {
            members.len()
        } else {
            MAX_GROUP_WIDTH + 1
        };
        self.need_close = false;
        for i in 0..n {
            let last = i == n - 1;
            if last {
                self.need_close = true;
            }
            self.write_indent();
            let lead = if i == 0 { "+-" } else { "  " };
            if i < MAX_GROUP_WIDTH {
                self.out.push_str(&format!(
                    "{lead}+---------------- {} ----------------\n",
                    i + 1
                ));
            } else {
                self.out
                    .push_str(&format!("{lead}+---------------- ... ----------------\n"));
            }
            self.group_depth += 1;
            if i < MAX_GROUP_WIDTH {
                self.print_recursive(vm, members[i]);
            } else {
                let remaining = members.len() - MAX_GROUP_WIDTH;
                self.write_indented_margin();
                let s = if remaining > 1 { "s" } else { "" };
                self.out
                    .push_str(&format!("and {remaining} more exception{s}\n"));
            }
            if last && self.need_close {
                self.write_indent();
                self.out.push_str("+------------------------------------\n");
                self.need_close = false;
            }
            self.group_depth -= 1;
        }
        if self.group_depth == 1 {
            self.group_depth -= 1;
        }
    }
}

/// CPython shows a frame's source line only when it can read the file:
/// never for `<string>` (`-c`) or `<stdin>`. aspy's own library modules
/// (`<aspy stdlib name>`) are shown from their embedded source.
fn has_readable_source(name: &str) -> bool {
    !name.starts_with('<') || name.starts_with("<aspy stdlib ")
}

/// `str.splitlines(keepends=True)`.
fn split_lines_keepends(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\x0b'
                | '\x0c'
                | '\x1c'
                | '\x1d'
                | '\x1e'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' {
            if let Some(&(j, '\n')) = chars.peek() {
                end = j + 1;
                chars.next();
            }
        }
        out.push(&s[start..end]);
        start = end;
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// The number of characters in the first `byte` bytes of `s`.
fn char_offset(s: &str, byte: usize) -> usize {
    let byte = byte.min(s.len());
    match s.get(..byte) {
        Some(p) => p.chars().count(),
        None => String::from_utf8_lossy(&s.as_bytes()[..byte])
            .chars()
            .count(),
    }
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0c')
}

/// The caret line under the source line `text` (line `line`, of which the
/// first `stripped` characters of indentation were not printed) for the
/// instruction of `e`, or None when CPython leaves it out.
fn carets(e: &TraceEntry, line: usize, text: &str, stripped: usize) -> Option<String> {
    let code = &e.code;
    let span = code.span_of(e.ip as usize);
    let source = &code.source;
    if span.start > span.end || source.line_of(span.start) != line {
        return None;
    }
    let line_start = source.line_start(line);
    let start_byte = span.start as usize - line_start;
    let start = char_offset(text, start_byte);
    let mut anchors = None;
    let end = if source.line_of(span.end) == line {
        let end_byte = (span.end as usize - line_start).min(text.len());
        let segment = text.get(start_byte..end_byte)?;
        anchors = code
            .anchor_of(e.ip as usize)
            .and_then(|a| anchor_offsets(a, segment, span.start))
            .map(|(l, r, chars)| {
                let to_chars = |b: usize| char_offset(segment, b) + start;
                (to_chars(l), to_chars(r), chars)
            });
        char_offset(text, end_byte)
    } else {
        // A multi-line expression is underlined to the end of its first
        // line. CPython scans the UTF-8 bytes from the character count,
        // which this reproduces for lines with non-ASCII text too.
        let bytes = text.as_bytes();
        let mut i = text.chars().count();
        while i > 0 && is_whitespace(bytes[i - 1]) {
            i -= 1;
        }
        i
    };
    let stripped_len = text.chars().count() - stripped;
    if end - start == stripped_len && anchors.is_none() {
        return None;
    }
    // Offsets so far count characters; the caret line counts columns,
    // with wide (East Asian) characters taking two.
    let width = |chars: usize| display_width(text, chars);
    let (start, end) = (width(start), width(end));
    let anchors = anchors.map(|(l, r, c)| (width(l), width(r), c));
    let (primary, secondary) = anchors.map_or(('^', '^'), |(_, _, c)| c);
    let mut out = String::new();
    let mut offset = stripped as isize - 4;
    loop {
        offset += 1;
        if offset > end as isize {
            break;
        }
        let c = if offset <= start as isize {
            ' '
        } else {
            match anchors {
                Some((l, r, _)) if (l as isize) < offset && offset <= r as isize => secondary,
                _ => primary,
            }
        };
        out.push(c);
    }
    Some(out)
}

/// The terminal width of the first `chars` characters of `line`.
fn display_width(line: &str, chars: usize) -> usize {
    if line.is_ascii() {
        return chars;
    }
    line.chars()
        .take(chars)
        .map(|c| {
            if crate::stdlib::unicode::is_wide(c) {
                2
            } else {
                1
            }
        })
        .sum()
}

/// CPython's `extract_anchors_from_expr` on the expression's source text
/// `segment` (starting at byte `seg_start` of the file): the byte range of
/// the operator or of the brackets inside it, and the (primary, secondary)
/// characters.
fn anchor_offsets(
    anchor: CaretAnchor,
    segment: &str,
    seg_start: u32,
) -> Option<(usize, usize, (char, char))> {
    let s = segment.as_bytes();
    let rel = |offset: u32| offset.checked_sub(seg_start).map(|o| o as usize);
    match anchor {
        CaretAnchor::BinOp {
            left_end,
            right_start,
        } => {
            let (from, to) = (rel(left_end)?, rel(right_start)?.min(s.len()));
            let mut found = None;
            let mut chars = ('^', '^');
            let mut i = from;
            while i < to {
                if is_whitespace(s[i]) {
                    i += 1;
                    continue;
                }
                let mut right = i + 1;
                if i + 1 < to && !is_whitespace(s[i + 1]) {
                    right += 1;
                }
                found = Some((i, right));
                if i + 1 < to && s[i] == b')' {
                    i += 1;
                    continue;
                }
                chars = ('~', '^');
                break;
            }
            found.map(|(l, r)| (l, r, chars))
        }
        CaretAnchor::Subscript {
            value_end,
            slice_end,
        } => {
            let mut left = rel(value_end)?;
            let mut right = rel(slice_end)? + 1;
            while left < s.len() && s[left] != b'[' {
                left += 1;
            }
            while right < s.len() && s[right] != b']' {
                right += 1;
            }
            if right < s.len() {
                right += 1;
            }
            Some((left, right, ('~', '^')))
        }
    }
}
