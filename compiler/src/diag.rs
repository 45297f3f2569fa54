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
        if self.code == "ICE" {
            format!("{level}: {}", self.message)
        } else {
            format!("{level}[{}]: {}", self.code, self.message)
        }
    }
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
    source: Option<miette::NamedSource<String>>,
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
        let span = self.diag.span?;
        self.source.as_ref()?;
        let mut labels = vec![miette::LabeledSpan::new_primary_with_span(
            self.diag.label.clone(),
            (span.start as usize, span.len()),
        )];
        for (s, text) in &self.diag.secondary {
            if s.file == span.file {
                labels.push(miette::LabeledSpan::new_with_span(Some(text.clone()), (s.start as usize, s.len())));
            }
        }
        Some(Box::new(labels.into_iter()))
    }
}

/// Renders diagnostics as plain text (no colours): deterministic, suitable for snapshots and pipes.
pub fn render_plain(diags: &[Diagnostic], sources: &SourceMap) -> String {
    render(diags, sources, false)
}

/// Diagnostics after this many are rendered without a source excerpt (header, location, help,
/// notes): each excerpt costs time proportional to the file, and thousands of errors in a big
/// file (`else if` repeated 50,000 times) would take minutes.
const EXCERPT_LIMIT: usize = 100;

/// Lines longer than this many bytes get no excerpt: miette's underline padding is limited to
/// 65,535 columns (it panicked beyond), and such a line is unreadable anyway.
const EXCERPT_MAX_LINE: usize = 10_000;

/// Whether every span of `d` lies on lines short enough to show.
fn excerpt_fits(d: &Diagnostic, text: &str) -> bool {
    let Some(primary) = d.span else { return true };
    let b = text.as_bytes();
    let line_len = |offset: usize| {
        let offset = offset.min(b.len());
        let start = b[..offset].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
        let end = b[offset..].iter().position(|&c| c == b'\n').map_or(b.len(), |i| offset + i);
        end - start
    };
    std::iter::once(primary)
        .chain(d.secondary.iter().map(|(s, _)| *s).filter(|s| s.file == primary.file))
        .all(|s| line_len(s.start as usize) <= EXCERPT_MAX_LINE && line_len(s.end as usize) <= EXCERPT_MAX_LINE)
}

/// Renders diagnostics for a terminal; colours when `color` is true.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let theme = if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        let mut handler = miette::GraphicalReportHandler::new_themed(theme.clone()).with_width(100).with_links(false);
        let file = d.span.and_then(|s| sources.files.get(s.file as usize).map(|f| (s, f)));
        let excerpt = file.filter(|(_, f)| i < EXCERPT_LIMIT && excerpt_fits(d, &f.text));
        let mut notes: Vec<String> = Vec::new();
        if let (Some((span, f)), None) = (file, excerpt) {
            // No excerpt: say where, as the excerpt's header would.
            let (line, col) = f.line_col(span.start as usize);
            notes.push(format!("--> {}:{line}:{col}", f.name));
        }
        // Notes come after the excerpt and help, as `= note:` lines (LANGUAGE.md §16.1).
        notes.extend(d.notes.iter().map(|n| format!("= note: {n}")));
        if !notes.is_empty() {
            handler = handler.with_footer(notes.join("\n"));
        }
        let source = excerpt.map(|(_, f)| miette::NamedSource::new(f.name.clone(), f.text.clone()).with_language("vex"));
        let rendered = Rendered { diag: d, source };
        if handler.render_report(&mut out, &rendered).is_err() {
            out.push_str(&d.header());
            out.push('\n');
        }
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors > 1 {
        out.push_str(&format!("error: aborting due to {errors} previous errors\n"));
    }
    out
}
