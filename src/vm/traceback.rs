//! Rendering an uncaught exception as CPython prints it: the chain of causes
//! and contexts, and exception groups as CPython 3.11 draws them (each
//! member's traceback nested in a box, `+-+---- 1 ----` headers, at most 15
//! members and 10 levels shown).

use super::Vm;
use crate::vm::value::Value;

const MAX_GROUP_WIDTH: usize = 15;
const MAX_GROUP_DEPTH: usize = 10;

const CAUSE: &str = "\nThe above exception was the direct cause of the following exception:\n\n";
const CONTEXT: &str = "\nDuring handling of the above exception, another exception occurred:\n\n";

/// CPython's `_ExceptionPrintContext`.
struct Ctx {
    depth: usize,
    need_close: bool,
    seen: Vec<Value>,
    out: String,
}

impl Ctx {
    fn indent(&self) -> String {
        " ".repeat(2 * self.depth)
    }

    /// Writes `text`, every line prefixed by the indentation and, inside a
    /// group, the margin (`|`, or `+` for a group's first line).
    fn emit(&mut self, text: &str, margin: char) {
        let mut prefix = self.indent();
        if self.depth > 0 {
            prefix.push(margin);
            prefix.push(' ');
        }
        for line in text.split_inclusive('\n') {
            self.out.push_str(&prefix);
            self.out.push_str(line);
        }
    }
}

impl Vm {
    /// The full report for an uncaught exception (see the module doc).
    pub fn format_exception(&mut self, exc: Value) -> String {
        let mut ctx = Ctx {
            depth: 0,
            need_close: false,
            seen: Vec::new(),
            out: String::new(),
        };
        self.format_chain(exc, &mut ctx);
        ctx.out
    }

    fn format_chain(&mut self, exc: Value, ctx: &mut Ctx) {
        let mut chain: Vec<(Value, Option<&'static str>)> = Vec::new();
        let mut cur = exc;
        let mut link = None;
        loop {
            if ctx.seen.iter().any(|s| s.is(cur)) {
                break;
            }
            ctx.seen.push(cur);
            chain.push((cur, link));
            let Some(data) = self.exc_data(cur) else {
                break;
            };
            if !data.cause.is_none() {
                link = Some(CAUSE);
                cur = data.cause;
            } else if !data.context.is_none() && !data.suppress_context {
                link = Some(CONTEXT);
                cur = data.context;
            } else {
                break;
            }
        }
        // Printed oldest first: each entry's link introduces the next one.
        for i in (0..chain.len()).rev() {
            let (e, _) = chain[i];
            self.format_single(e, ctx);
            if i > 0 {
                if let Some(msg) = chain[i].1 {
                    ctx.emit(msg, '|');
                }
            }
        }
    }

    fn format_single(&mut self, exc: Value, ctx: &mut Ctx) {
        let members = crate::stdlib::exception_groups::members(self, exc);
        let frames = self.traceback_text(exc);
        let summary = format!("{}\n", self.exception_summary(exc));
        if members.is_empty() {
            if !frames.is_empty() {
                ctx.emit("Traceback (most recent call last):\n", '|');
                ctx.emit(&frames, '|');
            }
            ctx.emit(&summary, '|');
            return;
        }
        if ctx.depth > MAX_GROUP_DEPTH {
            ctx.emit(
                &format!("... (max_group_depth is {MAX_GROUP_DEPTH})\n"),
                '|',
            );
            return;
        }
        let toplevel = ctx.depth == 0;
        if toplevel {
            ctx.depth += 1;
        }
        if !frames.is_empty() {
            let margin = if toplevel { '+' } else { '|' };
            ctx.emit(
                "Exception Group Traceback (most recent call last):\n",
                margin,
            );
            ctx.emit(&frames, '|');
        }
        ctx.emit(&summary, '|');
        let total = members.len();
        let n = if total <= MAX_GROUP_WIDTH {
            total
        } else {
            MAX_GROUP_WIDTH + 1
        };
        ctx.need_close = false;
        for (i, &m) in members.iter().enumerate().take(n) {
            let last = i == n - 1;
            if last {
                ctx.need_close = true;
            }
            let truncated = i >= MAX_GROUP_WIDTH;
            let title = if truncated {
                "...".to_string()
            } else {
                (i + 1).to_string()
            };
            let head = if i == 0 { "+-" } else { "  " };
            ctx.out.push_str(&format!(
                "{}{head}+---------------- {title} ----------------\n",
                ctx.indent()
            ));
            ctx.depth += 1;
            if truncated {
                let remaining = total - MAX_GROUP_WIDTH;
                let s = if remaining > 1 { "s" } else { "" };
                ctx.emit(&format!("and {remaining} more exception{s}\n"), '|');
            } else {
                self.format_chain(m, ctx);
            }
            if last && ctx.need_close {
                ctx.out.push_str(&format!(
                    "{}+------------------------------------\n",
                    ctx.indent()
                ));
                ctx.need_close = false;
            }
            ctx.depth -= 1;
        }
        if toplevel {
            ctx.depth = 0;
        }
    }

    /// The `File "...", line N, in f` lines of an exception's traceback.
    fn traceback_text(&self, exc: Value) -> String {
        let mut out = String::new();
        let Some(d) = self.exc_data(exc) else {
            return out;
        };
        // Entries are recorded innermost first while unwinding.
        for e in d.traceback.iter().rev() {
            let line = e.code.line_of(e.ip as usize);
            out.push_str(&format!(
                "  File \"{}\", line {}, in {}\n",
                e.code.source.name, line, e.code.name
            ));
            let text = e.code.source.line_text(line).trim();
            if !text.is_empty() {
                out.push_str(&format!("    {text}\n"));
            }
        }
        out
    }
}
