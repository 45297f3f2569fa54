//! The builtin library types `Vec<T>` and `Box<T>` (§12.2, §12.3): constructors, methods and
//! `+`, checked into `ExprKind::Lib` operations.
//!
//! `Vec()` without an expected type takes its element type from the first later `v.push(x)`
//! in the same body (§3.7): the first pass over the body gives it `Vec<{error}>` and records
//! what `push` reveals; the body is then checked again with that knowledge (`check_body`),
//! defaulting an element type nothing revealed to `i32`.

use super::{Checker, FnCx};
use crate::diag::Diagnostic;
use crate::hir::{self, ExprKind, LibOp};
use crate::span::Span;
use crate::syntax::ast;
use crate::types::{LibTy, Ty};

fn mk(kind: ExprKind, ty: Ty, span: Span) -> hir::Expr {
    hir::Expr { kind, ty, span }
}

fn lib(op: LibOp, args: Vec<hir::Expr>, ty: Ty, span: Span) -> hir::Expr {
    mk(ExprKind::Lib { op, args }, ty, span)
}

fn error_expr(span: Span) -> hir::Expr {
    mk(ExprKind::Unit, Ty::Error, span)
}

pub fn vec_of(t: Ty) -> Ty {
    Ty::Lib(LibTy::Vec, vec![t])
}

impl Checker<'_> {
    /// `Vec()`: the expected `Vec<T>`, else one whose element type a later `push` decides.
    pub fn vec_new(&mut self, fcx: &mut FnCx, args: &[ast::Expr], expected: Option<&Ty>, span: Span) -> hir::Expr {
        if !args.is_empty() {
            return self.not_yet_expr("`Vec(capacity)`", span);
        }
        match expected {
            Some(t @ Ty::Lib(LibTy::Vec, _)) => lib(LibOp::VecNew, Vec::new(), t.clone(), span),
            _ => {
                fcx.unknown_elements = true;
                lib(LibOp::VecNew, Vec::new(), vec_of(Ty::Error), span)
            }
        }
    }

    /// `Box(x)`.
    pub fn box_new(&mut self, fcx: &mut FnCx, args: &[ast::Expr], expected: Option<&Ty>, span: Span) -> hir::Expr {
        let [arg] = args else {
            self.error(
                Diagnostic::error("E0061", format!("`Box` takes 1 argument but {} were supplied", args.len()), span)
                    .help("write `Box(value)`"),
            );
            return error_expr(span);
        };
        let hint = match expected {
            Some(Ty::Lib(LibTy::Box, a)) => a.first().cloned(),
            _ => None,
        };
        let v = self.expr(fcx, arg, hint.as_ref());
        let v = match &hint {
            Some(t) => self.coerce(fcx, v, t),
            None => v,
        };
        if v.ty.is_error() {
            return error_expr(span);
        }
        let ty = Ty::Lib(LibTy::Box, vec![v.ty.clone()]);
        lib(LibOp::BoxNew, vec![v], ty, span)
    }

    /// An array literal where a `Vec<T>` is expected (§3.8 rule 3).
    pub fn vec_literal(&mut self, fcx: &mut FnCx, elems: &[ast::Expr], elem: &Ty, span: Span) -> hir::Expr {
        let mut out = Vec::with_capacity(elems.len());
        for e in elems {
            let v = self.expr(fcx, e, Some(elem));
            out.push(self.coerce(fcx, v, elem));
        }
        lib(LibOp::VecLit, out, vec_of(elem.clone()), span)
    }

    /// `recv.name(args)` on a `Vec` or `Box` (`recv` already checked, references stripped).
    pub fn lib_method(&mut self, fcx: &mut FnCx, recv: hir::Expr, kind: LibTy, targs: &[Ty], name: &ast::Ident, args: &[ast::Expr], span: Span) -> hir::Expr {
        let elem = targs.first().cloned().unwrap_or(Ty::Error);
        let arity = |c: &mut Self, want: usize| {
            if args.len() == want {
                return true;
            }
            c.error(
                Diagnostic::error("E0061", format!("method `{}` takes {want} argument(s) but {} were supplied", name.name, args.len()), span)
                    .label(format!("expected {want}")),
            );
            false
        };
        match (kind, name.name.as_str()) {
            (LibTy::Vec, "push") => {
                if !arity(self, 1) {
                    return error_expr(span);
                }
                if !recv.is_place() {
                    self.error(
                        Diagnostic::error("E0070", "`push` needs a vector stored in a variable or field", recv.span)
                            .label("a temporary value")
                            .help("bind the vector first: `let v = ...; v.push(x);`"),
                    );
                    return error_expr(span);
                }
                if elem.is_error() {
                    // The element type is decided here (first pass, `Vec()` without a type).
                    let x = self.expr(fcx, &args[0], None);
                    if let (ExprKind::Local(l), false) = (&recv.kind, x.ty.contains_error()) {
                        fcx.element_hints.entry(*l).or_insert_with(|| vec_of(x.ty.clone()));
                    }
                    return lib(LibOp::VecPush, vec![recv, x], Ty::Unit, span);
                }
                let x = self.expr(fcx, &args[0], Some(&elem));
                let x = self.coerce(fcx, x, &elem);
                lib(LibOp::VecPush, vec![recv, x], Ty::Unit, span)
            }
            (LibTy::Vec, "len") => {
                if !arity(self, 0) {
                    return error_expr(span);
                }
                lib(LibOp::VecLen, vec![recv], Ty::I64, span)
            }
            (LibTy::Vec, "get") => {
                if !arity(self, 1) {
                    return error_expr(span);
                }
                let i = self.index_expr(fcx, &args[0]);
                lib(LibOp::VecGet, vec![recv, i], elem, span)
            }
            (LibTy::Box, "get") => {
                if !arity(self, 0) {
                    return error_expr(span);
                }
                lib(LibOp::BoxGet, vec![recv], elem, span)
            }
            (LibTy::Vec, _) => self.no_method(name, &recv.ty, &["push", "len", "get"], span),
            (LibTy::Box, _) => self.no_method(name, &recv.ty, &["get"], span),
        }
    }

    /// `a + b` on two vectors of one element type: their concatenation (§12.2).
    pub fn vec_concat(&mut self, fcx: &mut FnCx, lhs: hir::Expr, rhs: hir::Expr, span: Span) -> hir::Expr {
        let _ = fcx;
        lib(LibOp::VecConcat, vec![lhs.clone(), rhs], lhs.ty, span)
    }

    fn not_yet_expr(&mut self, what: &str, span: Span) -> hir::Expr {
        self.not_yet(what, span);
        error_expr(span)
    }
}
