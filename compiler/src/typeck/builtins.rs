//! The builtin functions of §13.1 beyond printing and aborts: `assume`, `sizeof`/`alignof`,
//! the bit operations, raw memory, the C-string functions (§13.5), the `vex_*_to_string`
//! family, `String(..)`, `s.len()`, and f-strings.

use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, BuiltinFn, ExprKind, PrintPart, PrintStyle};
use crate::span::Span;
use crate::syntax::ast;
use crate::types::{IntTy, Ty};

fn mk(kind: ExprKind, ty: Ty, span: Span) -> hir::Expr {
    hir::Expr { kind, ty, span }
}

fn error_expr(span: Span) -> hir::Expr {
    mk(ExprKind::Unit, Ty::Error, span)
}

/// `*u8`, the raw byte pointer of the memory builtins.
fn byte_ptr() -> Ty {
    Ty::Ptr(Box::new(Ty::Int(IntTy::U8)), false)
}

/// The handle `runtime_create` returns (§14.3).
pub fn runtime_ty() -> Ty {
    Ty::Lib(crate::types::LibTy::Runtime, Vec::new())
}

/// What an argument position accepts.
#[derive(Clone)]
enum Arg {
    Exactly(Ty),
    AnyInt,
    AnyValue,
    /// `string` or `*u8` (§13.5).
    CString,
}

impl Checker<'_> {
    /// `name(args)` for the builtins this module implements; None for other names.
    pub fn builtin_call(&mut self, fcx: &mut FnCx, name: &str, args: &[ast::Expr], span: Span) -> Option<hir::Expr> {
        use BuiltinFn as B;
        let (func, params): (BuiltinFn, Vec<Arg>) = match name {
            "assume" => (B::Assume, vec![Arg::Exactly(Ty::Bool)]),
            "sizeof" => (B::SizeOf, vec![Arg::AnyValue]),
            "alignof" => (B::AlignOf, vec![Arg::AnyValue]),
            "ctlz" => (B::Ctlz, vec![Arg::AnyInt]),
            "cttz" => (B::Cttz, vec![Arg::AnyInt]),
            "ctpop" => (B::Ctpop, vec![Arg::AnyInt]),
            "bswap" => (B::Bswap, vec![Arg::AnyInt]),
            "bitreverse" => (B::Bitreverse, vec![Arg::AnyInt]),
            "alloc" => (B::Alloc, vec![Arg::Exactly(Ty::I64)]),
            "realloc" => (B::Realloc, vec![Arg::Exactly(byte_ptr()), Arg::Exactly(Ty::I64)]),
            "free" => (B::Free, vec![Arg::Exactly(byte_ptr())]),
            "memset" => (B::Memset, vec![Arg::Exactly(byte_ptr()), Arg::Exactly(Ty::I32), Arg::Exactly(Ty::I64)]),
            "strlen" => (B::Strlen, vec![Arg::CString]),
            "strcmp" => (B::Strcmp, vec![Arg::CString, Arg::CString]),
            "strcpy" => (B::Strcpy, vec![Arg::Exactly(byte_ptr()), Arg::CString]),
            "strcat" => (B::Strcat, vec![Arg::Exactly(byte_ptr()), Arg::CString]),
            "strdup" => (B::Strdup, vec![Arg::Exactly(Ty::Str)]),
            "vex_i32_to_string" => (B::ToString, vec![Arg::Exactly(Ty::I32)]),
            "vex_i64_to_string" => (B::ToString, vec![Arg::Exactly(Ty::I64)]),
            "vex_u32_to_string" => (B::ToString, vec![Arg::Exactly(Ty::Int(IntTy::U32))]),
            "vex_u64_to_string" => (B::ToString, vec![Arg::Exactly(Ty::Int(IntTy::U64))]),
            "vex_f32_to_string" => (B::ToString, vec![Arg::Exactly(Ty::Float(crate::types::FloatTy::F32))]),
            "vex_f64_to_string" => (B::ToString, vec![Arg::Exactly(Ty::Float(crate::types::FloatTy::F64))]),
            "String" if args.len() <= 1 => (B::StringNew, if args.is_empty() { Vec::new() } else { vec![Arg::Exactly(Ty::Str)] }),
            "String" => (B::StringNew, vec![Arg::Exactly(Ty::Str)]),
            "sleep" => (B::Sleep, vec![Arg::Exactly(Ty::I64)]),
            "runtime_create" => (B::RuntimeCreate, vec![Arg::Exactly(Ty::I32)]),
            "runtime_run" => (B::RuntimeRun, vec![Arg::Exactly(runtime_ty())]),
            "runtime_destroy" => (B::RuntimeDestroy, vec![Arg::Exactly(runtime_ty())]),
            _ => return None,
        };
        if args.len() != params.len() {
            self.error(
                Diagnostic::error("E0061", format!("`{name}` takes {} argument(s) but {} were supplied", params.len(), args.len()), span)
                    .label(format!("expected {}", params.len())),
            );
            return Some(error_expr(span));
        }
        let mut checked = Vec::with_capacity(args.len());
        for (a, p) in args.iter().zip(&params) {
            let e = match p {
                Arg::Exactly(t) => {
                    let e = self.expr(fcx, a, Some(t));
                    self.coerce(fcx, e, t)
                }
                Arg::AnyValue => self.expr(fcx, a, None),
                Arg::AnyInt => {
                    let e = self.expr(fcx, a, None);
                    if !e.ty.is_int() && !e.ty.is_error() {
                        let shown = self.ty_name(&e.ty);
                        self.error(
                            Diagnostic::error("E0308", "mismatched types", e.span)
                                .label(format!("expected an integer, found `{shown}`"))
                                .help(format!("`{name}` works on the bits of an integer type")),
                        );
                        return Some(error_expr(span));
                    }
                    e
                }
                Arg::CString => {
                    let e = self.expr(fcx, a, None);
                    if e.ty != Ty::Str && e.ty != byte_ptr() && e.ty != Ty::Ptr(Box::new(Ty::Int(IntTy::U8)), true) && !e.ty.is_error() {
                        let shown = self.ty_name(&e.ty);
                        self.error(
                            Diagnostic::error("E0308", "mismatched types", e.span)
                                .label(format!("expected `string` or `*u8`, found `{shown}`"))
                                .help(format!("`{name}` takes a string or a byte pointer from `alloc`")),
                        );
                        return Some(error_expr(span));
                    }
                    e
                }
            };
            if e.ty.is_error() {
                return Some(error_expr(span));
            }
            checked.push(e);
        }
        let ty = match func {
            B::Assume | B::Free | B::Memset => Ty::Unit,
            B::SizeOf | B::AlignOf | B::Strlen => Ty::I64,
            B::Ctlz | B::Cttz | B::Ctpop | B::Bswap | B::Bitreverse => checked[0].ty.clone(),
            B::Alloc | B::Realloc | B::Strcpy | B::Strcat => byte_ptr(),
            B::Strcmp => Ty::I32,
            B::Strdup | B::ToString | B::StringNew => Ty::Str,
            B::StrLen => Ty::I64,
            B::Sleep | B::RuntimeRun | B::RuntimeDestroy => Ty::Unit,
            B::RuntimeCreate => runtime_ty(),
        };
        Some(mk(ExprKind::Builtin { func, args: checked }, ty, span))
    }

    /// `s.len()` on a string: its length in bytes (§12.6).
    pub fn string_method(&mut self, recv: hir::Expr, name: &ast::Ident, args: &[ast::Expr], span: Span) -> hir::Expr {
        if name.name == "len" && args.is_empty() {
            return mk(ExprKind::Builtin { func: BuiltinFn::StrLen, args: vec![recv] }, Ty::I64, span);
        }
        if name.name == "len" {
            self.error(Diagnostic::error("E0061", format!("method `len` takes 0 arguments but {} were supplied", args.len()), span));
            return error_expr(span);
        }
        self.no_method(name, &Ty::Str, &["len"], span)
    }

    /// `f"text {expr} ..."`: a new string with each value's default text (§13.3).
    pub fn fstring(&mut self, fcx: &mut FnCx, parts: &[ast::FStringPart], span: Span) -> hir::Expr {
        let mut out = Vec::with_capacity(parts.len());
        for p in parts {
            match p {
                ast::FStringPart::Lit(t) => out.push(PrintPart::Text(t.clone())),
                ast::FStringPart::Expr(e) => match self.print_value(fcx, e, PrintStyle::Display) {
                    Some(v) => out.push(v),
                    None => return error_expr(span),
                },
            }
        }
        mk(ExprKind::FString(out), Ty::Str, span)
    }
}
