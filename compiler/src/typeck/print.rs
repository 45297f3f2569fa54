//! `print`, `println`, `eprint`, `eprintln`: mode selection and placeholders (LANGUAGE.md §13.2).

use super::expr::auto_deref;
use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, PrintPart, PrintStyle};
use crate::span::Span;
use crate::syntax::ast;
use crate::types::Ty;

/// One piece of a format-mode template.
#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Placeholder(PrintStyle, String),
}

/// Splits a template into text and placeholders (`{}`, `{:?}`, `{:x}`, `{:.N}`). Any other `{`
/// is text; there is no `{{` escape in format mode.
fn parse_template(t: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = t;
    while let Some(pos) = rest.find('{') {
        text.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        let found = if tail.starts_with("{}") {
            Some((PrintStyle::Display, 2))
        } else if tail.starts_with("{:?}") {
            Some((PrintStyle::Debug, 4))
        } else if tail.starts_with("{:x}") {
            Some((PrintStyle::Hex, 4))
        } else if let Some(after) = tail.strip_prefix("{:.") {
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            match (digits, after.as_bytes().get(digits)) {
                (1..=3, Some(b'}')) => after[..digits].parse().ok().map(|n| (PrintStyle::Precision(n), 4 + digits)),
                _ => None,
            }
        } else {
            None
        };
        match found {
            Some((style, len)) => {
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Placeholder(style, tail[..len].to_string()));
                rest = &tail[len..];
            }
            None => {
                text.push('{');
                rest = &tail[1..];
            }
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

impl Checker<'_> {
    pub fn print_call(&mut self, fcx: &mut FnCx, name: &str, args: &[ast::Expr], span: Span) -> hir::Expr {
        let newline = name.ends_with("ln");
        let stderr = name.starts_with('e');
        if args.is_empty() {
            self.error(
                Diagnostic::error("E0061", format!("`{name}` takes at least 1 argument but 0 were supplied"), span)
                    .help(format!("to print an empty line write `{name}(\"\")`")),
            );
            return hir::Expr { kind: ExprKind::Unit, ty: Ty::Error, span };
        }
        let mut parts = Vec::new();
        match &args[0].kind {
            ast::ExprKind::Str(template) if template.contains("{}") => {
                let mut values = args[1..].iter();
                for piece in parse_template(template) {
                    match piece {
                        Piece::Text(t) => parts.push(PrintPart::Text(t)),
                        Piece::Placeholder(style, written) => match values.next() {
                            Some(a) => {
                                if let Some(p) = self.print_value(fcx, a, style) {
                                    parts.push(p);
                                }
                            }
                            None => parts.push(PrintPart::Text(written)),
                        },
                    }
                }
                for extra in values {
                    // Extra arguments are ignored (§13.2), but must still be valid expressions.
                    self.expr(fcx, extra, None);
                    self.diags.push(
                        Diagnostic::warning("W0005", "argument never used by the format string", extra.span)
                            .label("this argument is ignored")
                            .help("add a `{}` placeholder for it or remove it"),
                    );
                }
            }
            _ => {
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        parts.push(PrintPart::Text(" ".into()));
                    }
                    if let Some(p) = self.print_value(fcx, a, PrintStyle::Display) {
                        parts.push(p);
                    }
                }
            }
        }
        merge_text(&mut parts);
        hir::Expr { kind: ExprKind::Print { parts, newline, stderr }, ty: Ty::Unit, span }
    }

    pub(super) fn print_value(&mut self, fcx: &mut FnCx, a: &ast::Expr, style: PrintStyle) -> Option<PrintPart> {
        // A string literal printed with `{}` is just text.
        if let (ast::ExprKind::Str(s), PrintStyle::Display) = (&a.kind, style) {
            return Some(PrintPart::Text(s.clone()));
        }
        let e = auto_deref(self.expr(fcx, a, None));
        let e = self.ordinal(e);
        let ty = e.ty.clone();
        let printable = ty.is_numeric() || ty == Ty::Bool || ty == Ty::Str;
        if ty.is_error() {
            return None;
        }
        if !printable {
            let t = self.ty_name(&ty);
            let mut d = Diagnostic::error("E0277", format!("`{t}` cannot be printed"), e.span)
                .label(format!("`{t}` has no text form"));
            d = match ty {
                Ty::Struct(_) => d.help("print its fields instead"),
                Ty::Array(..) => d.help("print its elements instead"),
                _ => d.note("integers, floats, `bool` and `string` can be printed"),
            };
            self.error(d);
            return None;
        }
        let fits = match style {
            PrintStyle::Display | PrintStyle::Debug => true,
            PrintStyle::Hex => ty.is_int(),
            PrintStyle::Precision(_) => ty.is_numeric(),
        };
        if !fits {
            let t = self.ty_name(&ty);
            let (ph, want) = match style {
                PrintStyle::Hex => ("{:x}", "an integer"),
                _ => ("{:.N}", "a number"),
            };
            self.error(
                Diagnostic::error("E0277", format!("`{ph}` needs {want}, found `{t}`"), e.span)
                    .label(format!("`{t}` cannot be formatted with `{ph}`"))
                    .help("use `{}` to print it in its default form"),
            );
            return None;
        }
        Some(PrintPart::Value { expr: e, style })
    }
}

fn merge_text(parts: &mut Vec<PrintPart>) {
    let mut out: Vec<PrintPart> = Vec::with_capacity(parts.len());
    for p in parts.drain(..) {
        if let (PrintPart::Text(t), Some(PrintPart::Text(prev))) = (&p, out.last_mut()) {
            prev.push_str(t);
            continue;
        }
        out.push(p);
    }
    *parts = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert_eq!(
            parse_template("[{}] {:.1} {:x}"),
            vec![
                Piece::Text("[".into()),
                Piece::Placeholder(PrintStyle::Display, "{}".into()),
                Piece::Text("] ".into()),
                Piece::Placeholder(PrintStyle::Precision(1), "{:.1}".into()),
                Piece::Text(" ".into()),
                Piece::Placeholder(PrintStyle::Hex, "{:x}".into()),
            ]
        );
        assert_eq!(parse_template("{a} {"), vec![Piece::Text("{a} {".into())]);
        assert_eq!(parse_template("{:.}"), vec![Piece::Text("{:.}".into())]);
    }
}
