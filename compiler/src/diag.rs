//! The one diagnostics module: every stage reports `Diagnostic`s; the CLI renders them with miette.
//!
//! Rendering follows LANGUAGE.md §16.1: a header `error[E0xxx]: message`, the location, a source
//! excerpt with labels, then notes and a help line. The header is part of the miette message so
//! that tools grepping for `error\[E[0-9]+\]:` find it.

use crate::span::{SourceMap, Span};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    /// `E0425`, `W0007`, or `ICE` for internal compiler errors.
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    /// Text shown under the primary span's carets.
    pub label: Option<String>,
    /// Secondary spans ("value moved here", "first defined here").
    pub secondary: Vec<(Span, String)>,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: Some(span),
            label: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message, span) }
    }

    /// An error not tied to a source position (unreadable file, failing C compiler, ...).
    pub fn global(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { span: None, ..Diagnostic::error(code, message, Span::default()) }
    }

    /// An internal compiler error: a bug in vexc, reported instead of a panic.
    pub fn ice(stage: &str, message: impl fmt::Display) -> Diagnostic {
        let mut d = Diagnostic::global("ICE", format!("internal compiler error in {stage}: {message}"));
        d.notes.push("this is a bug in vexc; please report it with the input that triggered it".into());
        d
    }

    pub fn label(mut self, text: impl Into<String>) -> Diagnostic {
        self.label = Some(text.into());
        self
    }

    pub fn secondary(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.secondary.push((span, text.into()));
        self
    }

    pub fn note(mut self, text: impl Into<String>) -> Diagnostic {
        self.notes.push(text.into());
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Diagnostic {
        self.help = Some(text.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `error[E0425]: cannot find value ...`
    pub fn header(&self) -> String {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let message = cut(&self.message);
        if self.code == "ICE" {
            format!("{level}: {message}")
        } else {
            format!("{level}[{}]: {message}", self.code)
        }
    }
}

/// Messages and labels longer than this (in bytes) are cut (a name of a million characters).
const MAX_MESSAGE: usize = 400;

/// `text`, cut after [`MAX_MESSAGE`] bytes with `…`.
fn cut(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_MESSAGE {
        return text.into();
    }
    let mut end = MAX_MESSAGE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ELLIPSIS}", &text[..end]).into()
}

impl Diagnostic {
}

/// Collects diagnostics while a stage runs.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.list.iter().filter(|d| d.is_error()).count()
    }
}

// ---------------------------------------------------------------- rendering through miette

struct Rendered<'a> {
    diag: &'a Diagnostic,
    source: Option<Excerpt>,
    /// The labels (primary first) in the excerpt's offsets.
    labels: Vec<(usize, usize, Option<String>)>,
}

/// At most this many diagnostics are rendered (the count of errors still says how many).
pub const MAX_SHOWN: usize = 100;

/// A line longer than this (in bytes) is shown cut around its label, with `…` where cut: miette
/// lays out every character of a shown line (and panics beyond 65,535 columns).
const MAX_LINE: usize = 400;
/// A cut line shows this many bytes before the first label on it, and this many from there.
const CUT_BEFORE: usize = 80;
const CUT_AFTER: usize = 240;
/// A label spanning more lines than this marks its first line only (miette prints them all).
const MAX_LABEL_LINES: usize = 20;
/// Secondary labels farther than this many lines from the primary one are left out.
const MAX_LABEL_DISTANCE: usize = 200;
const ELLIPSIS: &str = "…";

/// The part of a source file a diagnostic shows: the lines of its labels and one line of context
/// around them, long lines cut. miette reads only this (it scans the text it is given from the
/// start for every label, so a whole big file per diagnostic would be slow) and numbers the lines
/// from `first_line`.
struct Excerpt {
    name: String,
    text: String,
    /// 0-based line number of the excerpt's first line in the file.
    first_line: usize,
    /// Per excerpt line: how many bytes more the original column is than the excerpt's (cut lines).
    col_shift: Vec<usize>,
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        let shift = if inner.column() > 0 { self.col_shift.get(inner.line()).copied().unwrap_or(0) } else { 0 };
        let contents = miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column() + shift,
            // miette counts the newlines from the start of the text (and compares that with
            // line numbers when it merges the snippets of nearby labels): do as if reading the file
            inner.line_count() + self.first_line,
        )
        .with_language("vex");
        Ok(Box::new(contents))
    }
}

/// The largest char boundary of `text` at or below `i`.
fn floor_char(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Builds the excerpt of `file` for labels `(start, end, text)` (byte offsets, primary first)
/// and returns them in the excerpt's offsets.
fn excerpt(file: &crate::span::SourceFile, labels: &[(usize, usize, Option<String>)]) -> (Excerpt, Vec<(usize, usize, Option<String>)>) {
    let text = file.text.as_str();
    let len = text.len();
    let primary_line = labels.first().map(|l| file.line_index(l.0.min(len))).unwrap_or(0);
    // Clamp, cut labels spanning many lines to their first line, drop far secondary labels.
    let mut kept: Vec<(usize, usize, Option<String>)> = Vec::new();
    for (i, (start, end, label)) in labels.iter().enumerate() {
        let start = (*start).min(len);
        let mut end = (*end).clamp(start, len);
        let first = file.line_index(start);
        let last = if end > start { file.line_index(end - 1) } else { first };
        if last - first + 1 > MAX_LABEL_LINES {
            end = end.min(file.line_bounds(first).1).max(start);
        }
        if i > 0 && first.abs_diff(primary_line) > MAX_LABEL_DISTANCE {
            continue;
        }
        kept.push((start, end, label.clone()));
    }
    let line_of_end = |s: usize, e: usize| if e > s { file.line_index(e - 1) } else { file.line_index(s) };
    let lo = kept.iter().map(|l| file.line_index(l.0)).min().unwrap_or(0);
    let hi = kept.iter().map(|l| line_of_end(l.0, l.1)).max().unwrap_or(0);
    let (lo, hi) = (lo.saturating_sub(1), (hi + 1).min(file.line_count() - 1));

    let mut out = String::new();
    let mut col_shift = Vec::new();
    // per line: (original start, original end kept, excerpt offset of original start)
    let mut windows: Vec<(usize, usize, usize)> = Vec::new();
    for line in lo..=hi {
        let (ls, le) = file.line_bounds(line);
        let (mut ws, mut we) = (ls, le);
        if le - ls > MAX_LINE {
            let anchor = kept.iter().filter(|l| l.0 >= ls && l.0 <= le).map(|l| l.0).min();
            match anchor {
                Some(a) => {
                    ws = floor_char(text, a.saturating_sub(CUT_BEFORE).max(ls));
                    we = floor_char(text, (a + CUT_AFTER).min(le));
                }
                None => we = floor_char(text, ls + MAX_LINE / 2),
            }
        }
        let line_start_in_out = out.len();
        if ws > ls {
            out.push_str(ELLIPSIS);
        }
        let base = out.len();
        out.push_str(&text[ws..we]);
        if we < le {
            out.push_str(ELLIPSIS);
        }
        col_shift.push((ws - ls).saturating_sub(base - line_start_in_out));
        windows.push((ws, we, base));
        if le < len {
            out.push('\n'); // the line's own `\n`
        }
    }
    // an offset in the excerpt (clamped into what is shown of its line)
    let map = |o: usize| -> usize {
        let line = file.line_index(o).clamp(lo, hi);
        let (ws, we, base) = windows[line - lo];
        base + o.clamp(ws, we) - ws
    };
    let mapped = kept.into_iter().map(|(s, e, l)| {
        let ms = map(s);
        (ms, map(e).max(ms), l)
    });
    let mapped: Vec<_> = mapped.collect();
    (Excerpt { name: file.name.clone(), text: out, first_line: lo, col_shift }, mapped)
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.header())
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.header())
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let labels = self.labels.iter().enumerate().map(|(i, (start, end, text))| {
            if i == 0 {
                miette::LabeledSpan::new_primary_with_span(text.clone(), (*start, end - start))
            } else {
                miette::LabeledSpan::new_with_span(text.clone(), (*start, end - start))
            }
        });
        Some(Box::new(labels.collect::<Vec<_>>().into_iter()))
    }
}

/// Renders diagnostics as one JSON object for tools (`vexc --json`, LANGUAGE.md §16.1):
/// `{"diagnostics":[{"level","code","message","file","line","column","end_line","end_column",
/// "label","help","notes","secondary":[...]}]}`; lines and columns 1-based (columns in
/// characters), a diagnostic without a location has `file` etc. `null`. Every diagnostic is
/// included (the terminal form shows the first MAX_SHOWN).
pub fn render_json(diags: &[Diagnostic], sources: &SourceMap) -> String {
    use serde_json::{json, Map, Value};
    let place = |span: Option<Span>, out: &mut Map<String, Value>| {
        let file = span.and_then(|s| Some((s, sources.files.get(s.file as usize)?)));
        let (name, (l, c), (el, ec)) = match file {
            Some((s, f)) => (json!(f.name), f.line_col(s.start as usize), f.line_col(s.end as usize)),
            None => (Value::Null, (0, 0), (0, 0)),
        };
        let n = |v: usize| if v == 0 { Value::Null } else { json!(v) };
        out.insert("file".into(), name);
        out.insert("line".into(), n(l));
        out.insert("column".into(), n(c));
        out.insert("end_line".into(), n(el));
        out.insert("end_column".into(), n(ec));
    };
    let list: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut o = Map::new();
            let level = if d.code == "ICE" { "ice" } else if d.is_error() { "error" } else { "warning" };
            o.insert("level".into(), json!(level));
            o.insert("code".into(), json!(d.code));
            o.insert("message".into(), json!(d.message));
            place(d.span, &mut o);
            o.insert("label".into(), json!(d.label));
            o.insert("help".into(), json!(d.help));
            o.insert("notes".into(), json!(d.notes));
            let secondary: Vec<Value> = d
                .secondary
                .iter()
                .map(|(span, label)| {
                    let mut s = Map::new();
                    place(Some(*span), &mut s);
                    s.insert("label".into(), json!(label));
                    Value::Object(s)
                })
                .collect();
            o.insert("secondary".into(), Value::Array(secondary));
            Value::Object(o)
        })
        .collect();
    json!({ "diagnostics": list }).to_string()
}

/// Renders diagnostics as plain text (no colours): deterministic, suitable for snapshots and pipes.
pub fn render_plain(diags: &[Diagnostic], sources: &SourceMap) -> String {
    render(diags, sources, false)
}

/// Renders diagnostics for a terminal; colours when `color` is true.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let theme = if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let mut out = String::new();
    for d in diags.iter().take(MAX_SHOWN) {
        let mut handler = miette::GraphicalReportHandler::new_themed(theme.clone()).with_width(100).with_links(false);
        if !d.notes.is_empty() {
            // Notes come after the excerpt and help, as `= note:` lines (LANGUAGE.md §16.1).
            let notes: Vec<String> = d.notes.iter().map(|n| format!("= note: {n}")).collect();
            handler = handler.with_footer(notes.join("\n"));
        }
        let (source, labels) = match d.span.and_then(|s| Some((s, sources.files.get(s.file as usize)?))) {
            Some((span, file)) => {
                let mut labels = vec![(span.start as usize, span.end as usize, d.label.as_deref().map(|l| cut(l).into_owned()))];
                for (s, text) in &d.secondary {
                    if s.file == span.file {
                        labels.push((s.start as usize, s.end as usize, Some(cut(text).into_owned())));
                    }
                }
                let (ex, labels) = excerpt(file, &labels);
                (Some(ex), labels)
            }
            None => (None, Vec::new()),
        };
        let rendered = Rendered { diag: d, source, labels };
        if handler.render_report(&mut out, &rendered).is_err() {
            out.push_str(&d.header());
            out.push('\n');
        }
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if diags.len() > MAX_SHOWN {
        out.push_str(&format!("note: {} more diagnostics not shown (only the first {MAX_SHOWN} are)\n", diags.len() - MAX_SHOWN));
    }
    if errors > 1 {
        out.push_str(&format!("error: aborting due to {errors} previous errors\n"));
    }
    out
}
